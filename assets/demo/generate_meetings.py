#!/usr/bin/env python3
"""Writes meetings.ics: a realistic meeting calendar for the demo office's 8 conference rooms.

Standard library only and deterministic: running it twice gives byte-identical output. Every
event is described once in EVENTS below; the same description produces both the iCalendar text
and, independently of any iCalendar library, the list of occurrences that a correct reader must
find (printed as a summary and used for the numbers in meetings.md and in the C++ tests).

    python3 assets/demo/generate_meetings.py          # writes meetings.ics, prints the summary
"""

import datetime as dt
import pathlib
import sys
from zoneinfo import ZoneInfo

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "meetings.ics"
ZONE = "America/Chicago"
TZ = ZoneInfo(ZONE)
UTC = dt.timezone.utc
DOMAIN = "twindesk.example"
DTSTAMP = "20241216T150000Z"  # fixed, so the output never changes

FIRST_DAY = dt.date(2025, 1, 6)  # Monday
LAST_DAY = dt.date(2025, 4, 4)  # Friday; the US DST change is on Sunday 2025-03-09
HOLIDAYS = [dt.date(2025, 1, 20), dt.date(2025, 2, 17)]  # MLK Day, Presidents' Day

# The conference rooms of office.ttl: id suffix, rdfs:label, td:maxOccupancy.
ROOMS = {
    "106": ("106 Huddle Room Oak", 4),
    "107": ("107 Training Room", 12),
    "207": ("207 Huddle Room Birch", 4),
    "208": ("208 Meeting Room Cedar", 8),
    "209": ("209 Meeting Room Elm", 10),
    "307": ("307 Huddle Room Maple", 4),
    "308": ("308 Meeting Room Willow", 12),
    "309": ("309 Boardroom", 20),
}

FIRST_NAMES = [
    "Alex", "Priya", "Jordan", "Mei", "Carlos", "Fatima", "Liam", "Sofia", "Noah", "Aisha",
    "Ethan", "Yuki", "Mateo", "Hannah", "Omar", "Chloe", "Lucas", "Amara", "Ben", "Ines",
    "Dmitri", "Grace", "Kenji", "Leila", "Marcus", "Nadia", "Oscar", "Rosa", "Samuel", "Tara",
]
LAST_NAMES = [
    "Morgan", "Patel", "Nguyen", "Chen", "Garcia", "Khan", "Walsh", "Rossi", "Becker", "Okafor",
    "Brooks", "Tanaka", "Silva", "Schmidt", "Haddad", "Dubois", "Martin", "Mensah", "Cohen",
    "Ferreira", "Ivanov", "Kim", "Sato", "Rahimi", "Johnson", "Novak", "Lindqvist", "Reyes",
    "Adeyemi", "Murphy",
]
STAFF = [(f, l) for f, l in zip(FIRST_NAMES, LAST_NAMES)]
EXTERNAL = {
    "contoso.com": [("Dana", "Whitfield"), ("Raj", "Iyer"), ("Ellen", "Price")],
    "fabrikam.com": [("Tom", "Hughes"), ("Ana", "Lopez"), ("Victor", "Hale"), ("Ruth", "Baker")],
    "northwind.com": [("Ivy", "Carter"), ("Paul", "Zhou")],
    "tailspin.com": [("Maya", "Singh"), ("Greg", "Olsen"), ("Lena", "Park")],
    "litware.com": [("Sam", "Ortiz"), ("Kate", "Bishop")],
    "adventure-works.com": [("Nick", "Fraser"), ("Olga", "Petrova"), ("Hugo", "Laurent"),
                            ("Zoe", "Adams")],
}


def person(first, last, domain=DOMAIN):
    return (f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}")


def staff(*indexes):
    return [person(*STAFF[i]) for i in indexes]


def external(domain, count):
    return [person(f, l, domain) for f, l in EXTERNAL[domain][:count]]


def d(text):
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


# Each event: uid, summary, location (as people type it), start (local), minutes, attendees
# (list of (name, email); the first is the organiser), optional: rule, exdates (local
# datetimes), overrides, categories, room (id suffix, for the resource attendee and checks),
# use_duration (DURATION instead of DTEND), utc (write times in UTC), all_day.
# Rules: ("weekly", [weekday numbers], until_date or None, count or None, interval)
#        ("monthly", weekday, nth (-1 = last), count)
ENG = staff(0, 1, 2, 3)
PRODUCT = staff(4, 5, 6)
OPS = staff(7, 8, 9, 10)
SALES = staff(11, 12, 13, 14, 15, 16, 17, 18)
LEADERS = staff(19, 20, 21, 22, 23, 24, 25)
MON_FRI = [0, 1, 2, 3, 4]

EVENTS = [
    dict(uid="standup-eng", summary="Engineering stand-up", location="207 Huddle Room Birch",
         room="207", start=d("2025-01-06 09:15"), minutes=15, attendees=ENG,
         rule=("weekly", MON_FRI, LAST_DAY, None, 1),
         exdates=[dt.datetime.combine(h, dt.time(9, 15)) for h in HOLIDAYS],
         overrides=[
             # moved: the 12 Feb stand-up takes place at 10:30 because of a release review
             dict(recurrence=d("2025-02-12 09:15"), start=d("2025-02-12 10:30"), minutes=15,
                  summary="Engineering stand-up (moved: release review)"),
             # cancelled: team offsite on 7 March
             dict(recurrence=d("2025-03-07 09:15"), cancelled=True),
         ]),
    dict(uid="standup-product", summary="Product stand-up", location="Huddle Room Oak",
         room="106", start=d("2025-01-06 09:00"), minutes=15, attendees=PRODUCT,
         rule=("daily-weekdays", 64),
         exdates=[dt.datetime.combine(h, dt.time(9, 0)) for h in HOLIDAYS]),
    dict(uid="standup-ops", summary="Ops stand-up", location="Maple huddle (307)",
         room="307", start=d("2025-01-06 08:45"), minutes=15, attendees=OPS,
         rule=("weekly", MON_FRI, LAST_DAY, None, 1),
         exdates=[dt.datetime.combine(h, dt.time(8, 45)) for h in HOLIDAYS],
         separate_exdates=True),
    dict(uid="sales-weekly", summary="Sales weekly", location="Rm 209", room="209",
         start=d("2025-01-06 10:00"), minutes=60, attendees=SALES,
         rule=("weekly", [0], LAST_DAY, None, 1),
         exdates=[dt.datetime.combine(h, dt.time(10, 0)) for h in HOLIDAYS]),
    dict(uid="leadership-weekly", summary="Leadership team", location="Boardroom 3F",
         room="309", start=d("2025-01-06 08:00"), minutes=60, attendees=LEADERS,
         rule=("weekly", [0], LAST_DAY, None, 1),
         exdates=[dt.datetime.combine(h, dt.time(8, 0)) for h in HOLIDAYS]),
    dict(uid="eng-weekly", summary="Engineering weekly sync", location="Meeting Room Willow",
         room="308", start=d("2025-01-07 14:00"), minutes=60,
         attendees=ENG + staff(26, 27, 28, 29, 4, 7), rule=("weekly", [1], None, 13, 1)),
    dict(uid="design-review", summary="Design review", location="208 Meeting Room Cedar",
         room="208", start=d("2025-01-09 13:00"), minutes=60,
         attendees=staff(5, 0, 1, 26, 27, 28), rule=("weekly", [3], dt.date(2025, 4, 3), None, 2)),
    dict(uid="marketing-weekly", summary="Marketing weekly", location="208 Cedar", room="208",
         start=d("2025-01-08 10:00"), minutes=60, attendees=staff(15, 16, 17, 18, 13),
         rule=("weekly", [2], LAST_DAY, None, 1)),
    dict(uid="facilities-sync", summary="Facilities & IT sync", location="Huddle Room Maple",
         room="307", start=d("2025-01-08 11:00"), minutes=30, attendees=staff(7, 9, 24),
         rule=("weekly", [2], LAST_DAY, None, 1)),
    dict(uid="all-hands", summary="Monthly all-hands", location="309 Boardroom", room="309",
         start=d("2025-01-31 15:00"), minutes=60, categories=["video"],
         attendees=staff(*range(0, 18)), rule=("monthly", 4, -1, 3)),
    dict(uid="partner-call", summary="Weekly partner call (Teams)",
         location="Huddle Room Birch / Teams", room="207", start=d("2025-01-09 16:00"),
         minutes=30, categories=["video"], attendees=staff(12, 19),
         rule=("weekly", [3], LAST_DAY, None, 1)),
    dict(uid="onboarding", summary="New-hire onboarding", location="Training Room", room="107",
         start=d("2025-01-07 09:30"), minutes=120, categories=["training"],
         attendees=staff(23, 25, 26, 27, 28, 29), rule=("monthly", 1, 1, 3), use_duration=True),
    dict(uid="safety-training", summary="Safety & evacuation training",
         location="Training Room", room="107", start=d("2025-01-22 13:00"), minutes=180,
         categories=["training"], attendees=staff(7, 8, 9, 10, 0, 1, 2, 3, 11, 12),
         rule=("weekly", [2], None, 4, 1)),
    dict(uid="bms-training", summary="BMS operator training", location="107 Training Room",
         room="107", start=d("2025-03-12 09:00"), minutes=180, categories=["training"],
         attendees=staff(7, 8, 9, 10, 24, 25, 26, 27, 28, 29, 20, 21)),
    dict(uid="q2-planning", summary="Q2 planning workshop", location="Training Room (107)",
         room="107", start=d("2025-03-27 09:00"), minutes=480, categories=["workshop"],
         attendees=staff(19, 20, 21, 22, 23, 24, 25, 4, 5, 11, 0, 7)),
    dict(uid="demo-contoso", summary="Customer demo: Contoso", location="209 Meeting Room Elm",
         room="209", start=d("2025-01-15 14:00"), minutes=60, categories=["demo"],
         attendees=staff(11, 0, 4) + external("contoso.com", 3)),
    dict(uid="demo-fabrikam", summary="Customer demo: Fabrikam", location="Boardroom 3F",
         room="309", start=d("2025-01-29 10:00"), minutes=90, categories=["demo", "video"],
         attendees=staff(11, 12, 0, 1, 19) + external("fabrikam.com", 4)),
    dict(uid="demo-northwind", summary="Customer demo: Northwind (on site)",
         location="Meeting Room Willow, 3rd floor", room="308", start=d("2025-02-13 15:00"),
         minutes=60, categories=["demo"], utc=True,
         attendees=external("northwind.com", 2) + staff(13, 2, 5)),
    dict(uid="demo-tailspin", summary="Customer demo: Tailspin", location="308 Meeting Room Willow",
         room="308", start=d("2025-03-05 13:00"), minutes=90, categories=["demo"],
         attendees=staff(11, 14, 0, 1, 6) + external("tailspin.com", 3)),
    dict(uid="demo-litware", summary="Customer demo: Litware", location="Elm (209)", room="209",
         start=d("2025-03-19 10:00"), minutes=60, categories=["demo", "video"],
         attendees=staff(12, 3, 5) + external("litware.com", 2)),
    dict(uid="demo-adventure-works", summary="Customer demo: Adventure Works",
         location="309 Boardroom", room="309", start=d("2025-03-26 14:00"), minutes=60,
         categories=["demo"],
         attendees=staff(11, 12, 13, 19, 20, 0, 1, 4) + external("adventure-works.com", 4)),
    dict(uid="vendor-call-jan", summary="Vendor video call: HVAC controls",
         location="Huddle Room Oak (Zoom)", room="106", start=d("2025-01-14 14:00"), minutes=45,
         categories=["video"], attendees=staff(7, 9, 24)),
    dict(uid="vendor-call-feb", summary="Vendor video call: lighting retrofit",
         location="Huddle Room Oak (Zoom)", room="106", start=d("2025-02-25 14:00"), minutes=45,
         categories=["video"], attendees=staff(7, 24)),
    dict(uid="vendor-call-mar", summary="Vendor video call: metering",
         location="Huddle Room Oak (Zoom)", room="106", start=d("2025-03-18 14:00"), minutes=45,
         categories=["video"], attendees=staff(9, 10, 24)),
    # Deliberately overbooked: six people in a four-seat huddle room.
    dict(uid="budget-review", summary="Budget review", location="Huddle Room Oak", room="106",
         start=d("2025-02-20 10:00"), minutes=90, attendees=staff(19, 20, 21, 22, 23, 24)),
    dict(uid="boardroom-av", summary="Boardroom AV upgrade (room closed)",
         location="309 Boardroom", room="309", start=d("2025-02-21 00:00"), minutes=24 * 60,
         categories=["maintenance"], attendees=[], all_day=True),
]


# ---- occurrences (independent of any iCalendar reader) ----------------------------------------

def rule_starts(event):
    start = event["start"]
    rule = event.get("rule")
    if rule is None:
        return [start]
    kind = rule[0]
    out = []
    if kind == "weekly":
        _, weekdays, until, count, interval = rule
        week0 = start.date() - dt.timedelta(days=start.weekday())
        day = start.date()
        while True:
            weeks = (day - week0).days // 7
            if day.weekday() in weekdays and weeks % interval == 0 and day >= start.date():
                if until is not None and day > until:
                    break
                out.append(dt.datetime.combine(day, start.time()))
                if count is not None and len(out) == count:
                    break
            day += dt.timedelta(days=1)
            if day > LAST_DAY + dt.timedelta(days=400):
                break
    elif kind == "daily-weekdays":
        _, count = rule
        day = start.date()
        while len(out) < count:
            if day.weekday() < 5:
                out.append(dt.datetime.combine(day, start.time()))
            day += dt.timedelta(days=1)
    elif kind == "monthly":
        _, weekday, nth, count = rule
        year, month = start.year, start.month
        while len(out) < count:
            days = [dt.date(year, month, k) for k in range(1, 32)
                    if _valid(year, month, k) and dt.date(year, month, k).weekday() == weekday]
            day = days[nth - 1] if nth > 0 else days[nth]
            if day >= start.date():
                out.append(dt.datetime.combine(day, start.time()))
            month += 1
            if month == 13:
                year, month = year + 1, 1
    return out


def _valid(year, month, day):
    try:
        dt.date(year, month, day)
        return True
    except ValueError:
        return False


def occurrences(event):
    """(local start, minutes, summary) of every instance, after EXDATE and overrides."""
    excluded = set(event.get("exdates", []))
    overrides = {o["recurrence"]: o for o in event.get("overrides", [])}
    out = []
    for start in rule_starts(event):
        if start in excluded:
            continue
        o = overrides.get(start)
        if o is None:
            out.append((start, event["minutes"], event["summary"]))
        elif not o.get("cancelled"):
            out.append((o["start"], o["minutes"], o["summary"]))
    return out


def utc(local):
    return local.replace(tzinfo=TZ).astimezone(UTC)


# ---- iCalendar text -----------------------------------------------------------------------------

def escape(text):
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """RFC 5545 folding: lines of at most 75 octets, continuation lines start with a space."""
    data = line.encode("utf-8")
    parts = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74
    parts.append(data)
    return b"\r\n ".join(parts).decode("utf-8")


def local_time(value):
    return value.strftime("%Y%m%dT%H%M%S")


def utc_time(value):
    return utc(value).strftime("%Y%m%dT%H%M%SZ")


def time_prop(name, value, event):
    if event.get("all_day"):
        return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"
    if event.get("utc"):
        return f"{name}:{utc_time(value)}"
    return f"{name};TZID={ZONE}:{local_time(value)}"


def rrule_text(rule):
    kind = rule[0]
    names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    if kind == "weekly":
        _, weekdays, until, count, interval = rule
        text = "FREQ=WEEKLY"
        if until is not None:
            # UNTIL in UTC (as Google and Outlook write it): the end of the last local day.
            end = utc(dt.datetime.combine(until, dt.time(23, 59, 59)))
            text += ";UNTIL=" + end.strftime("%Y%m%dT%H%M%SZ")
        if count is not None:
            text += f";COUNT={count}"
        if interval != 1:
            text += f";INTERVAL={interval}"
        return text + ";BYDAY=" + ",".join(names[w] for w in weekdays)
    if kind == "daily-weekdays":
        return f"FREQ=DAILY;COUNT={rule[1]};BYDAY=MO,TU,WE,TH,FR"
    if kind == "monthly":
        _, weekday, nth, count = rule
        return f"FREQ=MONTHLY;COUNT={count};BYDAY={nth}{names[weekday]}"
    raise ValueError(kind)


def attendee_lines(event):
    lines = []
    people = event["attendees"]
    if people:
        name, email = people[0]
        lines.append(f"ORGANIZER;CN={name}:mailto:{email}")
    for name, email in people:
        status = "ACCEPTED" if email.endswith(DOMAIN) else "NEEDS-ACTION"
        lines.append(f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={status};"
                     f"CN={name}:mailto:{email}")
    if people and "room" in event:
        label = ROOMS[event["room"]][0]
        lines.append(f"ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=ACCEPTED;"
                     f"CN={label}:mailto:room-{event['room']}@{DOMAIN}")
    return lines


def vevent(event, override=None):
    uid = f"{event['uid']}-2025q1@{DOMAIN}"
    src = override or {}
    start = src.get("start", event["start"]) if not src.get("cancelled") else src["recurrence"]
    minutes = src.get("minutes", event["minutes"])
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{DTSTAMP}",
             f"SEQUENCE:{1 if override else 0}"]
    if override:
        lines.append(time_prop("RECURRENCE-ID", override["recurrence"], event))
    lines.append(time_prop("DTSTART", start, event))
    end = start + dt.timedelta(minutes=minutes)
    if event.get("all_day"):
        lines.append(time_prop("DTEND", end, event))
    elif event.get("use_duration"):
        hours, mins = divmod(minutes, 60)
        lines.append("DURATION:PT" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else ""))
    else:
        lines.append(time_prop("DTEND", end, event))
    if "rule" in event and not override:
        lines.append("RRULE:" + rrule_text(event["rule"]))
        exdates = event.get("exdates", [])
        if exdates and event.get("separate_exdates"):
            lines += [f"EXDATE;TZID={ZONE}:{local_time(x)}" for x in exdates]
        elif exdates:
            lines.append(f"EXDATE;TZID={ZONE}:" + ",".join(local_time(x) for x in exdates))
    lines.append("SUMMARY:" + escape(src.get("summary", event["summary"])))
    lines.append("LOCATION:" + escape(event["location"]))
    if event.get("categories"):
        lines.append("CATEGORIES:" + ",".join(escape(c) for c in event["categories"]))
    lines += attendee_lines(event)
    lines.append("STATUS:" + ("CANCELLED" if src.get("cancelled") else "CONFIRMED"))
    lines.append("TRANSP:" + ("TRANSPARENT" if event.get("all_day") else "OPAQUE"))
    lines.append("END:VEVENT")
    return lines


VTIMEZONE = """BEGIN:VTIMEZONE
TZID:America/Chicago
X-LIC-LOCATION:America/Chicago
BEGIN:DAYLIGHT
TZOFFSETFROM:-0600
TZOFFSETTO:-0500
TZNAME:CDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0500
TZOFFSETTO:-0600
TZNAME:CST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE""".split("\n")


def calendar_text():
    lines = ["BEGIN:VCALENDAR", "PRODID:-//TwinDesk//Demo office meetings 1.0//EN",
             "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:TwinDesk demo office - conference rooms",
             f"X-WR-TIMEZONE:{ZONE}"] + VTIMEZONE
    for event in EVENTS:
        lines += vevent(event)
        for override in event.get("overrides", []):
            lines += vevent(event, override)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def summary():
    occ = []
    for event in EVENTS:
        for start, minutes, title in occurrences(event):
            occ.append((utc(start), event, minutes, title))
    occ.sort(key=lambda o: (o[0], o[1]["uid"]))
    lines = [f"events (VEVENT components): "
             f"{sum(1 + len(e.get('overrides', [])) for e in EVENTS)}",
             f"series and single events: {len(EVENTS)}",
             f"occurrences {FIRST_DAY} .. {LAST_DAY}: {len(occ)}"]
    per_room = {}
    for _, event, _, _ in occ:
        per_room[event["room"]] = per_room.get(event["room"], 0) + 1
    for room in sorted(per_room):
        lines.append(f"  room_{room} {ROOMS[room][0]!r}: {per_room[room]}")
    weeks = {}
    for start, _, _, _ in occ:
        week = (start.astimezone(TZ).date() - FIRST_DAY).days // 7
        weeks[week] = weeks.get(week, 0) + 1
    lines.append("per week: " + " ".join(str(weeks.get(w, 0)) for w in range(13)))
    over = [(e["uid"], len(e["attendees"]), ROOMS[e["room"]][1]) for e in EVENTS
            if len(e["attendees"]) > ROOMS[e["room"]][1]]
    lines.append(f"overbooked series: {over}")
    for category in ("demo", "training", "video"):
        n = sum(1 for _, e, _, _ in occ if category in e.get("categories", []))
        lines.append(f"  CATEGORIES:{category}: {n} occurrences")
    return "\n".join(lines)


def main():
    OUT.write_bytes(calendar_text().encode("utf-8"))
    print(f"wrote {OUT.relative_to(HERE.parent.parent)}")
    print(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
