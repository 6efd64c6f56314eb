#!/usr/bin/env python3
"""Generate the TwinDesk demo office building as Brick Schema 1.3 Turtle.

Writes assets/demo/office.ttl (next to this script) and prints a summary of
the counts (triples, rooms, equipment, points, relations) that the C++ Brick
importer is cross-checked against. The same summary is written as JSON to
assets/demo/office_counts.json.

Standard library only. Deterministic: the only randomness is
random.Random(42) for the VM placement, and all output is in a fixed order,
so running the script twice produces byte-identical files.

Usage:  python3 assets/demo/generate_office.py [--output PATH] [--quiet]
"""

import argparse
import json
import os
import random
import sys
from collections import Counter, OrderedDict

PREFIXES = [
    ("brick", "https://brickschema.org/schema/Brick#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("unit", "http://qudt.org/vocab/unit/"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("td", "https://twindesk.dev/schema#"),
    ("office", "urn:twindesk:demo:office#"),
]

CEILING_HEIGHT_DM = 30  # 3.0 m, in decimetres (areas are kept in tenths of m2)

# Point class -> family. Every point class used must be listed here; the
# families follow the Brick 1.3 hierarchy (Sensor / Setpoint / Command / Status).
POINT_FAMILY = {
    "brick:Zone_Air_Temperature_Sensor": "sensor",
    "brick:Zone_Air_Humidity_Sensor": "sensor",
    "brick:Supply_Air_Flow_Sensor": "sensor",
    "brick:Supply_Air_Temperature_Sensor": "sensor",
    "brick:Return_Air_Temperature_Sensor": "sensor",
    "brick:Outside_Air_Temperature_Sensor": "sensor",
    "brick:Leaving_Hot_Water_Temperature_Sensor": "sensor",
    "brick:Occupancy_Sensor": "sensor",
    "brick:CO2_Sensor": "sensor",
    "brick:Illuminance_Sensor": "sensor",
    "brick:Active_Power_Sensor": "sensor",
    "brick:Electric_Power_Sensor": "sensor",
    "brick:Electric_Energy_Sensor": "sensor",
    "brick:Energy_Sensor": "sensor",
    "td:CPU_Utilization_Sensor": "sensor",
    "brick:Zone_Air_Heating_Temperature_Setpoint": "setpoint",
    "brick:Zone_Air_Cooling_Temperature_Setpoint": "setpoint",
    "brick:Supply_Air_Temperature_Setpoint": "setpoint",
    "brick:Damper_Position_Command": "command",
    "brick:Valve_Position_Command": "command",
    "brick:Fan_Speed_Command": "command",
    "brick:Light_Command": "command",
    "brick:On_Off_Command": "command",
    "brick:Fan_On_Off_Status": "status",
    "brick:On_Off_Status": "status",
}

# --------------------------------------------------------------------------
# The rooms. Areas are in tenths of a square metre (integers, so that the
# volume area * 3.0 m is exact). Columns:
#   number, Brick class, name, area (0.1 m2), usage, max occupancy,
#   perimeter (has windows -> VAV with reheat)
# Conditioned rooms (with a VAV) are those whose usage is in CONDITIONED.
# The server room is conditioned by its own CRAC unit instead.
# --------------------------------------------------------------------------
ROOMS = {
    1: [
        ("101", "brick:Lobby", "Reception Lobby", 1384, "lobby", 30, True),
        ("102", "brick:Open_Office", "Open Office West", 2376, "office", 24, True),
        ("103", "brick:Open_Office", "Open Office East", 1618, "office", 16, True),
        ("104", "brick:Enclosed_Office", "Facilities Manager", 182, "office", 2, True),
        ("105", "brick:Enclosed_Office", "IT Manager", 156, "office", 1, True),
        ("106", "brick:Conference_Room", "Huddle Room Oak", 118, "conference", 4, False),
        ("107", "brick:Conference_Room", "Training Room", 362, "conference", 12, True),
        ("108", "brick:Office_Kitchen", "Kitchen Ground Floor", 346, "kitchen", 14, False),
        ("109", "brick:Restroom", "Restrooms Ground Floor", 284, "restroom", 6, False),
        ("110", "brick:Storage_Room", "Storage and Riser Ground Floor", 218, "storage", 2, False),
        ("111", "brick:Server_Room", "Server Room", 402, "server_room", 2, False),
        ("112", "brick:Mechanical_Room", "Plant Room Ground Floor", 596, "plant", 2, False),
        ("113", "brick:Hallway", "Corridor Ground Floor", 1712, "corridor", 20, False),
    ],
    2: [
        ("201", "brick:Open_Office", "Open Office North", 2814, "office", 28, True),
        ("202", "brick:Open_Office", "Open Office South", 2398, "office", 24, True),
        ("203", "brick:Enclosed_Office", "Finance Lead", 138, "office", 1, True),
        ("204", "brick:Enclosed_Office", "HR Office", 164, "office", 1, True),
        ("205", "brick:Enclosed_Office", "Legal Counsel", 196, "office", 2, True),
        ("206", "brick:Enclosed_Office", "Engineering Manager", 236, "office", 2, True),
        ("207", "brick:Conference_Room", "Huddle Room Birch", 104, "conference", 4, False),
        ("208", "brick:Conference_Room", "Meeting Room Cedar", 238, "conference", 8, True),
        ("209", "brick:Conference_Room", "Meeting Room Elm", 304, "conference", 10, True),
        ("210", "brick:Office_Kitchen", "Kitchen First Floor", 402, "kitchen", 16, False),
        ("211", "brick:Restroom", "Restrooms First Floor", 284, "restroom", 6, False),
        ("212", "brick:Storage_Room", "Storage and Riser First Floor", 176, "storage", 2, False),
        ("213", "brick:Hallway", "Corridor First Floor", 1796, "corridor", 20, False),
    ],
    3: [
        ("301", "brick:Open_Office", "Open Office North", 2586, "office", 26, True),
        ("302", "brick:Open_Office", "Open Office South", 2012, "office", 20, True),
        ("303", "brick:Enclosed_Office", "Managing Director", 248, "office", 2, True),
        ("304", "brick:Enclosed_Office", "Operations Director", 204, "office", 2, True),
        ("305", "brick:Enclosed_Office", "Sales Director", 162, "office", 1, True),
        ("306", "brick:Enclosed_Office", "Quiet Room", 136, "office", 1, True),
        ("307", "brick:Conference_Room", "Huddle Room Maple", 102, "conference", 4, False),
        ("308", "brick:Conference_Room", "Meeting Room Willow", 362, "conference", 12, True),
        ("309", "brick:Conference_Room", "Boardroom", 598, "conference", 20, True),
        ("310", "brick:Office_Kitchen", "Kitchen Second Floor", 402, "kitchen", 16, False),
        ("311", "brick:Restroom", "Restrooms Second Floor", 284, "restroom", 6, False),
        ("312", "brick:Storage_Room", "Storage and Riser Second Floor", 176, "storage", 2, False),
        ("313", "brick:Mechanical_Room", "Plant Room Second Floor", 452, "plant", 2, False),
        ("314", "brick:Hallway", "Corridor Second Floor", 1804, "corridor", 20, False),
    ],
}
FLOOR_LABELS = {1: "Ground Floor", 2: "First Floor", 3: "Second Floor"}

CONDITIONED = {"office", "conference", "lobby", "kitchen", "corridor"}
DIMMABLE = {"office", "conference", "lobby", "kitchen"}  # others: on/off lighting
# Lighting power density (W/m2) by usage, for the luminaires' rated power.
LPD_W_PER_M2 = {
    "office": 7.5, "conference": 9.0, "lobby": 8.0, "kitchen": 8.0,
    "corridor": 5.0, "restroom": 6.0, "storage": 4.0, "server_room": 8.0,
    "plant": 5.0,
}
AHU_FOR_FLOOR = {1: "ahu_1", 2: "ahu_1", 3: "ahu_2"}

# Compute hosts: CloudSim's two HP ProLiant ML110 types (SPECpower), alternating.
HOST_TYPES = [
    # (label, cores, MIPS per core, power model, max power kW)
    ("HP ProLiant ML110 G4", 2, 1860, "hp-proliant-ml110-g4", "0.117"),
    ("HP ProLiant ML110 G5", 2, 2660, "hp-proliant-ml110-g5", "0.135"),
]
HOST_RAM_MB = 4096
HOST_BW_MBPS = 1000
HOSTS_PER_RACK = 20

# VM types (CloudSim's four): requested MIPS, requested RAM (MB); 15 VMs each,
# in contiguous blocks, each block with the services typical of that size.
VM_TYPES = [
    (2500, 870, [("meet-bridge", 4), ("video-transcoder", 3), ("ci-runner", 4),
                 ("analytics-worker", 4)]),
    (2000, 1740, [("web-frontend", 4), ("api-gateway", 2), ("app-server", 4),
                  ("auth-service", 2), ("search-indexer", 3)]),
    (1000, 1740, [("db-primary", 1), ("db-replica", 2), ("cache", 3),
                  ("file-server", 2), ("message-broker", 3), ("mail-server", 2),
                  ("backup-server", 2)]),
    (500, 613, [("dns", 2), ("dhcp", 1), ("ldap", 2), ("monitoring", 2),
                ("log-collector", 2), ("print-server", 1), ("vpn-gateway", 2),
                ("bms-gateway", 2), ("ntp", 1)]),
]
VMS_PER_TYPE = 15
# Hosts kept empty: powered-off spare capacity (one in rack A, three in rack B).
# The seeded random placement leaves a few more hosts empty by chance.
SPARE_HOSTS = ["host_a20", "host_b17", "host_b19", "host_b20"]


# ----------------------------------------------------------------- helpers

class BNode:
    """An anonymous node written inline as [ p o ; ... ]."""

    def __init__(self, pairs):
        self.pairs = list(pairs)


def lit(text):
    s = (text.replace("\\", "\\\\").replace('"', '\\"')
         .replace("\n", "\\n").replace("\r", "\\r"))
    return '"%s"' % s


def dec(value):
    """xsd:decimal literal; value is a string such as '12.5'."""
    assert "." in value, value
    return '"%s"^^xsd:decimal' % value


def integer(value):
    return '"%d"^^xsd:integer' % value


def tenths(v):
    return "%d.%d" % (v // 10, v % 10)


def quantity(value_tenths, unit):
    return BNode([("brick:value", dec(tenths(value_tenths))),
                  ("brick:hasUnit", unit)])


class Graph:
    def __init__(self):
        self.subjects = OrderedDict()   # subject -> list of (pred, obj)
        self.sections = []              # (index of first subject, title)
        self.seen = set()

    def section(self, title):
        self.sections.append((len(self.subjects), title))

    def add(self, s, p, o):
        key = (s, p, o if not isinstance(o, BNode) else id(o))
        if key in self.seen:
            raise ValueError("duplicate triple %r" % (key,))
        self.seen.add(key)
        self.subjects.setdefault(s, []).append((p, o))

    def entity(self, s, cls, label):
        if s in self.subjects:
            raise ValueError("entity defined twice: " + s)
        self.add(s, "rdf:type", cls)
        self.add(s, "rdfs:label", lit(label))

    def triples(self):
        """All triples; blank nodes are numbered in document order."""
        out = []
        counter = [0]

        def emit(s, pairs):
            for p, o in pairs:
                if isinstance(o, BNode):
                    counter[0] += 1
                    b = "_:b%d" % counter[0]
                    out.append((s, p, b))
                    emit(b, o.pairs)
                else:
                    out.append((s, p, o))

        for s, pairs in self.subjects.items():
            emit(s, pairs)
        return out

    def serialize(self, header_lines):
        lines = ["@prefix %s: <%s> ." % (p, iri) for p, iri in PREFIXES]
        lines.append("")
        lines.extend(header_lines)
        section_at = dict(self.sections)
        for i, (s, pairs) in enumerate(self.subjects.items()):
            if i in section_at:
                lines.append("")
                lines.append("# " + "-" * 70)
                lines.append("# " + section_at[i])
                lines.append("# " + "-" * 70)
            lines.append("")
            # group objects by predicate, keeping first-appearance order
            grouped = OrderedDict()
            for p, o in pairs:
                grouped.setdefault(p, []).append(o)
            items = list(grouped.items())
            for j, (p, objs) in enumerate(items):
                pred = "a" if p == "rdf:type" else p
                rendered = [self._obj(o) for o in objs]
                lead = s + " " if j == 0 else "    "
                end = " ." if j == len(items) - 1 else " ;"
                if len(rendered) <= 3:
                    lines.append(lead + pred + " " + ", ".join(rendered) + end)
                else:
                    lines.append(lead + pred + " " + rendered[0] + ",")
                    for k, r in enumerate(rendered[1:], 1):
                        tail = end if k == len(rendered) - 1 else ","
                        lines.append("        " + r + tail)
        lines.append("")
        return "\n".join(lines)

    def _obj(self, o):
        if isinstance(o, BNode):
            inner = " ; ".join("%s %s" % (p, self._obj(v)) for p, v in o.pairs)
            return "[ " + inner + " ]"
        return o


# ------------------------------------------------------------------- model

def build():
    g = Graph()
    point_owner = OrderedDict()  # point -> owner (for the summary)

    def point(owner, local, cls, label, unit=None):
        assert cls in POINT_FAMILY, cls
        p = "office:" + local
        g.entity(p, cls, label)
        if unit:
            g.add(p, "brick:hasUnit", unit)
        g.add(owner, "brick:hasPoint", p)
        point_owner[p] = owner
        return p

    # ---- site, building, floors
    g.section("Site, building and floors")
    g.entity("office:site", "brick:Site", "TwinDesk Demo Site")
    g.add("office:site", "brick:hasPart", "office:building")
    g.entity("office:building", "brick:Building", "TwinDesk Demo Office")
    for f in sorted(ROOMS):
        g.add("office:building", "brick:hasPart", "office:floor_%d" % f)
    for f in sorted(ROOMS):
        fl = "office:floor_%d" % f
        g.entity(fl, "brick:Floor", "Floor %d (%s)" % (f, FLOOR_LABELS[f]))
        for r in ROOMS[f]:
            g.add(fl, "brick:hasPart", "office:room_%s" % r[0])

    # ---- rooms and their points
    rooms = []  # dicts for later sections
    for f in sorted(ROOMS):
        g.section("Floor %d rooms (%s)" % (f, FLOOR_LABELS[f]))
        for num, cls, name, area, usage, occ, perimeter in ROOMS[f]:
            rid = "office:room_%s" % num
            label = "%s %s" % (num, name)
            g.entity(rid, cls, label)
            g.add(rid, "brick:area", quantity(area, "unit:M2"))
            g.add(rid, "brick:volume",
                  quantity(area * CEILING_HEIGHT_DM // 10, "unit:M3"))
            g.add(rid, "td:usage", lit(usage))
            g.add(rid, "td:maxOccupancy", integer(occ))
            room = dict(num=num, id=rid, cls=cls, label=label, area=area,
                        usage=usage, occ=occ, perimeter=perimeter, floor=f)
            rooms.append(room)
            if usage in CONDITIONED:
                point(rid, "room_%s_zat" % num, "brick:Zone_Air_Temperature_Sensor",
                      "%s zone air temperature" % label, "unit:DEG_C")
                point(rid, "room_%s_zhsp" % num,
                      "brick:Zone_Air_Heating_Temperature_Setpoint",
                      "%s zone heating setpoint" % label, "unit:DEG_C")
                point(rid, "room_%s_zcsp" % num,
                      "brick:Zone_Air_Cooling_Temperature_Setpoint",
                      "%s zone cooling setpoint" % label, "unit:DEG_C")
            elif usage == "server_room":
                point(rid, "room_%s_zat" % num, "brick:Zone_Air_Temperature_Sensor",
                      "%s zone air temperature" % label, "unit:DEG_C")
                point(rid, "room_%s_zcsp" % num,
                      "brick:Zone_Air_Cooling_Temperature_Setpoint",
                      "%s zone cooling setpoint" % label, "unit:DEG_C")
                point(rid, "room_%s_zrh" % num, "brick:Zone_Air_Humidity_Sensor",
                      "%s zone relative humidity" % label, "unit:PERCENT")
            if cls in ("brick:Conference_Room", "brick:Open_Office"):
                point(rid, "room_%s_occ" % num, "brick:Occupancy_Sensor",
                      "%s occupancy" % label)
                point(rid, "room_%s_co2" % num, "brick:CO2_Sensor",
                      "%s CO2 concentration" % label, "unit:PPM")
            if cls == "brick:Conference_Room":
                point(rid, "room_%s_lux" % num, "brick:Illuminance_Sensor",
                      "%s illuminance" % label, "unit:LUX")

    by_usage = lambda u: [r for r in rooms if r["usage"] == u]
    server_room = by_usage("server_room")[0]
    plant_rooms = by_usage("plant")
    storage_rooms = by_usage("storage")

    # ---- HVAC zones
    g.section("HVAC zones (one per conditioned room; each hasPart its room)")
    zoned = [r for r in rooms if r["usage"] in CONDITIONED or r is server_room]
    for r in zoned:
        z = "office:zone_%s" % r["num"]
        r["zone"] = z
        g.entity(z, "brick:HVAC_Zone", "HVAC zone %s" % r["label"])
        g.add(z, "brick:hasPart", r["id"])

    # ---- air handling units and the server-room CRAC
    g.section("Air handling units, CRAC and boiler")
    plant_by_floor = {r["floor"]: r for r in plant_rooms}
    ahus = [
        ("ahu_1", "AHU-1 (serves floors 1 and 2)", plant_by_floor[1], "22.0"),
        ("ahu_2", "AHU-2 (serves floor 3)", plant_by_floor[3], "11.0"),
    ]
    for local, label, loc, kw in ahus:
        a = "office:" + local
        g.entity(a, "brick:AHU", label)
        g.add(a, "brick:hasLocation", loc["id"])
        g.add(a, "td:ratedPowerKw", dec(kw))
        fan = "office:%s_sf" % local
        g.add(a, "brick:hasPart", fan)
        # feeds to the VAVs are added below, then grouped on output
    for local, label, loc, kw in ahus:
        tag = label.split(" ")[0]
        a = "office:" + local
        point(a, "%s_sat" % local, "brick:Supply_Air_Temperature_Sensor",
              "%s supply air temperature" % tag, "unit:DEG_C")
        point(a, "%s_satsp" % local, "brick:Supply_Air_Temperature_Setpoint",
              "%s supply air temperature setpoint" % tag, "unit:DEG_C")
        point(a, "%s_rat" % local, "brick:Return_Air_Temperature_Sensor",
              "%s return air temperature" % tag, "unit:DEG_C")
        if local == "ahu_1":
            point(a, "%s_oat" % local, "brick:Outside_Air_Temperature_Sensor",
                  "%s outside air temperature" % tag, "unit:DEG_C")
        fan = "office:%s_sf" % local
        g.entity(fan, "brick:Supply_Fan", "%s supply fan" % tag)
        point(fan, "%s_sf_status" % local, "brick:Fan_On_Off_Status",
              "%s supply fan run status" % tag)
        point(fan, "%s_sf_speed" % local, "brick:Fan_Speed_Command",
              "%s supply fan speed command" % tag, "unit:PERCENT")

    crac = "office:crac_1"
    g.entity(crac, "brick:Computer_Room_Air_Conditioning", "CRAC-1 (server room)")
    g.add(crac, "brick:hasLocation", server_room["id"])
    g.add(crac, "brick:feeds", server_room["zone"])
    g.add(crac, "td:ratedPowerKw", dec("12.5"))
    point(crac, "crac_1_sat", "brick:Supply_Air_Temperature_Sensor",
          "CRAC-1 supply air temperature", "unit:DEG_C")
    point(crac, "crac_1_rat", "brick:Return_Air_Temperature_Sensor",
          "CRAC-1 return air temperature", "unit:DEG_C")
    point(crac, "crac_1_status", "brick:On_Off_Status", "CRAC-1 run status")

    boiler = "office:boiler_1"
    g.entity(boiler, "brick:Natural_Gas_Boiler",
             "Boiler-1 (heating hot water for VAV reheat)")
    g.add(boiler, "brick:hasLocation", plant_by_floor[1]["id"])
    g.add(boiler, "td:ratedPowerKw", dec("0.4"))
    point(boiler, "boiler_1_hwst", "brick:Leaving_Hot_Water_Temperature_Sensor",
          "Boiler-1 leaving hot water temperature", "unit:DEG_C")
    point(boiler, "boiler_1_status", "brick:On_Off_Status", "Boiler-1 run status")

    # ---- VAV boxes
    g.section("VAV boxes (perimeter rooms: with hot-water reheat)")
    vavs = []
    for r in rooms:
        if r["usage"] not in CONDITIONED:
            continue
        v = "office:vav_%s" % r["num"]
        reheat = r["perimeter"]
        cls = ("brick:Variable_Air_Volume_Box_With_Reheat" if reheat
               else "brick:Variable_Air_Volume_Box")
        g.entity(v, cls, "VAV-%s (%s)" % (r["num"], r["label"]))
        g.add(v, "brick:hasLocation", r["id"])
        g.add(v, "brick:feeds", r["zone"])
        g.add("office:" + AHU_FOR_FLOOR[r["floor"]], "brick:feeds", v)
        if reheat:
            g.add(v, "brick:hasPart", "office:vav_%s_rhv" % r["num"])
        point(v, "vav_%s_saf" % r["num"], "brick:Supply_Air_Flow_Sensor",
              "VAV-%s supply air flow" % r["num"], "unit:L-PER-SEC")
        point(v, "vav_%s_dpr" % r["num"], "brick:Damper_Position_Command",
              "VAV-%s damper position command" % r["num"], "unit:PERCENT")
        vavs.append((v, reheat, r))
    for v, reheat, r in vavs:
        if reheat:
            rv = "office:vav_%s_rhv" % r["num"]
            g.entity(rv, "brick:Reheat_Valve", "VAV-%s reheat valve" % r["num"])
            point(rv, "vav_%s_rhv_cmd" % r["num"], "brick:Valve_Position_Command",
                  "VAV-%s reheat valve position command" % r["num"], "unit:PERCENT")

    # ---- lighting
    g.section("Lighting (one luminaire group per room)")
    for r in rooms:
        lum = "office:light_%s" % r["num"]
        g.entity(lum, "brick:Luminaire", "Lighting %s" % r["label"])
        g.add(lum, "brick:hasLocation", r["id"])
        watts_x10 = r["area"] * int(LPD_W_PER_M2[r["usage"]] * 10)  # W * 100
        kw = "%.3f" % (watts_x10 / 100000.0)
        g.add(lum, "td:ratedPowerKw", dec(kw))
        if r["usage"] in DIMMABLE:
            point(lum, "light_%s_level" % r["num"], "brick:Light_Command",
                  "Lighting %s dimming level command" % r["num"], "unit:PERCENT")
        else:
            point(lum, "light_%s_onoff" % r["num"], "brick:On_Off_Command",
                  "Lighting %s on/off command" % r["num"])

    # ---- audio-visual equipment
    g.section("Audio-visual equipment (conference rooms: display and video codec)")
    for r in rooms:
        if r["cls"] != "brick:Conference_Room":
            continue
        big = r["occ"] >= 12
        for kind, label, kw in (
                ("display", "%s display" % ('86"' if big else '65"'),
                 "0.35" if big else "0.2"),
                ("codec", "video conferencing codec", "0.06")):
            av = "office:av_%s_%s" % (r["num"], kind)
            g.entity(av, "brick:Audio_Visual_Equipment", "%s %s" % (r["label"], label))
            g.add(av, "brick:hasLocation", r["id"])
            g.add(av, "td:ratedPowerKw", dec(kw))
            point(av, "av_%s_%s_onoff" % (r["num"], kind), "brick:On_Off_Command",
                  "%s %s power command" % (r["num"], kind))

    # ---- meters
    g.section("Meters")
    meters = [
        ("main_meter", "brick:Building_Electrical_Meter", "Main electricity meter",
         plant_by_floor[1], "electric"),
        ("gas_meter", "brick:Building_Gas_Meter", "Main gas meter",
         plant_by_floor[1], "gas"),
        ("server_room_meter", "brick:Electrical_Meter",
         "Server room electricity sub-meter", server_room, "electric"),
    ]
    for s in storage_rooms:
        meters.append(("lighting_meter_%d" % s["floor"], "brick:Electrical_Meter",
                       "Floor %d lighting electricity sub-meter" % s["floor"], s,
                       "electric"))
    for local, cls, label, loc, kind in meters:
        m = "office:" + local
        g.entity(m, cls, label)
        g.add(m, "brick:hasLocation", loc["id"])
        if kind == "electric":
            point(m, local + "_power", "brick:Active_Power_Sensor",
                  "%s active power" % label, "unit:KiloW")
            point(m, local + "_energy", "brick:Electric_Energy_Sensor",
                  "%s energy" % label, "unit:KiloW-HR")
        else:
            point(m, local + "_energy", "brick:Energy_Sensor",
                  "%s energy" % label, "unit:KiloW-HR")

    # ---- server room ICT
    g.section("Server room: racks, switches, compute hosts")
    hosts = []
    for rack in ("a", "b"):
        rk = "office:rack_%s" % rack
        g.entity(rk, "td:Rack", "Rack %s" % rack.upper())
        g.add(rk, "brick:hasLocation", server_room["id"])
        sw = "office:switch_%s" % rack
        g.add(rk, "brick:hasPart", sw)
        for i in range(HOSTS_PER_RACK):
            h = "office:host_%s%02d" % (rack, i + 1)
            g.add(rk, "brick:hasPart", h)
        g.entity(sw, "td:Network_Switch", "Rack %s top-of-rack switch" % rack.upper())
        g.add(sw, "brick:hasLocation", server_room["id"])
        g.add(sw, "td:bandwidthMbps", dec("10000.0"))
        g.add(sw, "td:ratedPowerKw", dec("0.15"))
        for i in range(HOSTS_PER_RACK):
            local = "host_%s%02d" % (rack, i + 1)
            h = "office:" + local
            tlabel, cores, mips, model, kw = HOST_TYPES[i % 2]
            g.entity(h, "td:Compute_Host", "%s – %s" % (local, tlabel))
            g.add(h, "td:cores", integer(cores))
            g.add(h, "td:mipsPerCore", dec("%d.0" % mips))
            g.add(h, "td:ramMb", integer(HOST_RAM_MB))
            g.add(h, "td:bandwidthMbps", dec("%d.0" % HOST_BW_MBPS))
            g.add(h, "td:powerModel", lit(model))
            g.add(h, "td:ratedPowerKw", dec(kw))
            point(h, local + "_power", "brick:Electric_Power_Sensor",
                  "%s power" % local, "unit:W")
            point(h, local + "_cpu", "td:CPU_Utilization_Sensor",
                  "%s CPU utilisation" % local, "unit:PERCENT")
            hosts.append(dict(id=h, local=local, cores=cores, mips=mips,
                              pe_free=[mips] * cores, ram_free=HOST_RAM_MB,
                              vms=[]))

    # ---- virtual machines
    g.section("Virtual machines (placed by a seeded random fit; spare hosts empty)")
    rng = random.Random(42)
    active = [h for h in hosts if h["local"] not in SPARE_HOSTS]
    assert len(active) == len(hosts) - len(SPARE_HOSTS)
    n = 0
    for mips, ram, services in VM_TYPES:
        names = ["%s-%d" % (svc, k + 1) for svc, cnt in services for k in range(cnt)]
        assert len(names) == VMS_PER_TYPE, names
        for name in names:
            n += 1
            local = "vm_%03d" % n
            # feasible: one core with enough free MIPS, and enough free RAM
            feasible = [h for h in active
                        if max(h["pe_free"]) >= mips and h["ram_free"] >= ram]
            if not feasible:
                raise RuntimeError("no host can take " + local)
            h = rng.choice(feasible)
            pe = max(range(h["cores"]), key=lambda k: (h["pe_free"][k], -k))
            h["pe_free"][pe] -= mips
            h["ram_free"] -= ram
            h["vms"].append(local)
            vm = "office:" + local
            g.entity(vm, "td:Virtual_Machine", "%s – %s" % (local, name))
            g.add(vm, "td:runsOn", h["id"])
            g.add(vm, "td:requestedMips", dec("%d.0" % mips))
            g.add(vm, "td:requestedRamMb", integer(ram))

    return g, rooms, point_owner, hosts


# ----------------------------------------------------------------- summary

def summarize(g, rooms, point_owner, hosts):
    triples = g.triples()
    assert len(set(triples)) == len(triples)
    types = {s: o for s, p, o in triples if p == "rdf:type"}
    type_count = Counter(types.values())
    preds = Counter(p for s, p, o in triples)

    def by_classes(classes):
        return OrderedDict((c, type_count[c]) for c in classes if type_count[c])

    room_classes = []
    for f in sorted(ROOMS):
        for r in ROOMS[f]:
            if r[1] not in room_classes:
                room_classes.append(r[1])
    room_classes.sort()
    point_classes = sorted(POINT_FAMILY)
    families = Counter()
    for c in point_classes:
        families[POINT_FAMILY[c]] += type_count[c]

    equipment_classes = sorted(
        c for c in type_count
        if c not in room_classes and c not in POINT_FAMILY and c not in (
            "brick:Site", "brick:Building", "brick:Floor", "brick:HVAC_Zone",
            "td:Virtual_Machine"))
    host_vm_counts = Counter(len(h["vms"]) for h in hosts)

    labelled = set(s for s, p, o in triples if p == "rdfs:label")
    assert labelled == set(types), "every typed entity has a label"

    summary = OrderedDict()
    summary["triples"] = len(triples)
    summary["subjects_named"] = len(g.subjects)
    summary["blank_nodes"] = len(set(s for s, p, o in triples if s.startswith("_:")))
    summary["entities"] = len(types)
    summary["floors"] = type_count["brick:Floor"]
    summary["rooms"] = sum(type_count[c] for c in room_classes)
    summary["rooms_by_class"] = by_classes(room_classes)
    summary["rooms_by_usage"] = OrderedDict(sorted(Counter(r["usage"] for r in rooms).items()))
    summary["room_area_m2_by_floor"] = OrderedDict(
        (str(f), tenths(sum(r["area"] for r in rooms if r["floor"] == f)))
        for f in sorted(ROOMS))
    summary["room_area_m2_total"] = tenths(sum(r["area"] for r in rooms))
    summary["max_occupancy_total"] = sum(r["occ"] for r in rooms)
    summary["hvac_zones"] = type_count["brick:HVAC_Zone"]
    summary["ahus"] = type_count["brick:AHU"]
    summary["vavs"] = (type_count["brick:Variable_Air_Volume_Box"]
                       + type_count["brick:Variable_Air_Volume_Box_With_Reheat"])
    summary["vavs_by_class"] = by_classes(["brick:Variable_Air_Volume_Box",
                                           "brick:Variable_Air_Volume_Box_With_Reheat"])
    summary["equipment_by_class"] = by_classes(equipment_classes)
    summary["equipment"] = sum(summary["equipment_by_class"].values())
    summary["points"] = len(point_owner)
    summary["points_by_family"] = OrderedDict(
        (k, families[k]) for k in ("sensor", "setpoint", "command", "status"))
    summary["points_by_class"] = by_classes(point_classes)
    summary["points_with_unit"] = sum(1 for s, p, o in triples
                                      if p == "brick:hasUnit" and s in point_owner)
    summary["hosts"] = type_count["td:Compute_Host"]
    summary["hosts_by_power_model"] = OrderedDict(sorted(Counter(
        o.strip('"') for s, p, o in triples if p == "td:powerModel").items()))
    summary["vms"] = type_count["td:Virtual_Machine"]
    summary["hosts_by_vm_count"] = OrderedDict(
        (str(k), host_vm_counts[k]) for k in sorted(host_vm_counts))
    summary["empty_hosts"] = [h["local"] for h in hosts if not h["vms"]]
    summary["relations"] = OrderedDict(
        (p, preds[p]) for p in ("brick:hasPart", "brick:feeds", "brick:hasPoint",
                                "brick:hasLocation", "td:runsOn"))
    summary["triples_by_predicate"] = OrderedDict(sorted(preds.items()))
    summary["classes_used"] = sorted(type_count)
    return summary


def print_summary(summary, out=sys.stdout):
    def w(line=""):
        out.write(line + "\n")

    w("office.ttl summary")
    for key, value in summary.items():
        if isinstance(value, dict):
            w("%s:" % key)
            for k, v in value.items():
                w("  %-48s %s" % (k, v))
        elif isinstance(value, list):
            w("%s: %s" % (key, ", ".join(value) if value else "(none)"))
        else:
            w("%-50s %s" % (key + ":", value))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", default=os.path.join(here, "office.ttl"))
    ap.add_argument("--counts", default=os.path.join(here, "office_counts.json"))
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    g, rooms, point_owner, hosts = build()
    summary = summarize(g, rooms, point_owner, hosts)
    header = [
        "# TwinDesk demo office building (Brick Schema 1.3 + TwinDesk extension).",
        "# GENERATED by assets/demo/generate_office.py - do not edit by hand;",
        "# change the generator and re-run: python3 assets/demo/generate_office.py",
        "# Load together with Brick-1.3.ttl and assets/ontology/twindesk.ttl.",
        "# %d triples, %d rooms, %d HVAC zones, %d VAVs, %d points, %d hosts, %d VMs."
        % (summary["triples"], summary["rooms"], summary["hvac_zones"],
           summary["vavs"], summary["points"], summary["hosts"], summary["vms"]),
    ]
    text = g.serialize(header)
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    with open(args.counts, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(summary, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    if not args.quiet:
        print_summary(summary)
        print("wrote %s (%d bytes)" % (args.output, len(text.encode("utf-8"))))
        print("wrote %s" % args.counts)


if __name__ == "__main__":
    main()
