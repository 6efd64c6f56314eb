// Occupancy per room: meetings → meeting rooms, a seeded workday model → open offices.
#include <twindesk/sim/occupancy.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <random>
#include <utility>

namespace twindesk::sim {

namespace {

using twin::ErrorCode;
using twin::makeError;

constexpr Seconds kSecondsPerDay = 86'400;
constexpr Seconds kSecondsPerHour = 3'600;
constexpr Seconds kMaxBreak = Seconds{30} * 60;
constexpr double kPi = 3.14159265358979323846;
/// Upper bound on rooms × steps (one year of 1-minute steps for ~190 rooms).
constexpr std::int64_t kMaxCells = 100'000'000;

bool isWordChar(unsigned char c)
{
    return std::isalnum(c) != 0 || c >= 0x80; // UTF-8 bytes belong to words
}

/// Lower-case ASCII, non-word characters → single spaces, trimmed.
std::string normalise(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (!isWordChar(c)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace)
            out.push_back(' ');
        pendingSpace = false;
        out.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
    }
    return out;
}

bool isNumber(std::string_view word)
{
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

std::string firstWord(std::string_view normalised)
{
    return std::string(normalised.substr(0, normalised.find(' ')));
}

/// Whole-word containment of `needle` in `haystack` (both normalised).
bool containsWords(const std::string& haystack, const std::string& needle)
{
    if (needle.empty())
        return false;
    return (" " + haystack + " ").find(" " + needle + " ") != std::string::npos;
}

// ---- deterministic randomness ---------------------------------------------------------------

std::uint64_t splitMix64(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31U);
}

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (const char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ULL;
    }
    return h;
}

/// The project's own distributions over a std::mt19937_64 (the standard library's differ
/// between implementations).
class Random
{
public:
    explicit Random(std::uint64_t seed) : m_engine(seed) {}

    /// Uniform in [0, 1), 53 random bits.
    double uniform() { return static_cast<double>(m_engine() >> 11U) * 0x1.0p-53; }
    /// Standard normal by Box–Muller (the cosine branch only, so each call uses two uniforms).
    double normal()
    {
        const double u1 = 1.0 - uniform(); // (0, 1]: log() stays finite
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
    }
    /// Exponential with the given mean, by inverting its CDF.
    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

private:
    std::mt19937_64 m_engine;
};

Seconds toSeconds(double value)
{
    return static_cast<Seconds>(std::llround(value));
}

// ---- grid arithmetic ------------------------------------------------------------------------

Seconds floorDiv(Seconds a, Seconds b)
{
    const Seconds q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

Seconds ceilDiv(Seconds a, Seconds b)
{
    return -floorDiv(-a, b);
}

/// Adds `weight` to the steps whose midpoint lies in [from, to), through a difference array.
struct Grid
{
    Seconds start = 0;
    Seconds step = 60;
    std::int64_t steps = 0;

    [[nodiscard]] std::int64_t firstStepAtOrAfter(Seconds t) const
    {
        const Seconds k = ceilDiv(t - start - step / 2, step);
        return std::clamp<std::int64_t>(k, 0, steps);
    }
    void add(std::vector<int>& diff, Seconds from, Seconds to, int weight) const
    {
        if (to <= from || weight == 0)
            return;
        const std::int64_t a = firstStepAtOrAfter(from);
        const std::int64_t b = firstStepAtOrAfter(to);
        if (a >= b)
            return;
        diff[static_cast<std::size_t>(a)] += weight;
        diff[static_cast<std::size_t>(b)] -= weight;
    }
};

void accumulate(const std::vector<int>& diff, int* out, std::int64_t steps)
{
    int running = 0;
    for (std::int64_t k = 0; k < steps; ++k) {
        running += diff[static_cast<std::size_t>(k)];
        out[k] = running;
    }
}

struct Interval
{
    Seconds from = 0;
    Seconds to = 0;
};

/// One person's workday on local day `day`, appended as UTC presence intervals.
void personDay(Random& random, const OpenOfficeProfile& p, Seconds localMidnightUtc,
               std::vector<Interval>& presence)
{
    // Draw every variate in a fixed order, whatever the outcome, so one person's choices do
    // not shift the random stream of the next.
    const bool comesIn = random.uniform() < p.presenceProbability;
    const double arrivalZ = random.normal();
    const double departureZ = random.normal();
    const bool lunch = random.uniform() < p.lunchProbability;

    Seconds arrival = toSeconds(p.arrivalMeanHours * 3600.0 + arrivalZ * p.arrivalSdMinutes * 60.0);
    arrival = std::clamp<Seconds>(arrival, 5 * kSecondsPerHour, 12 * kSecondsPerHour);
    Seconds departure =
        toSeconds(p.departureMeanHours * 3600.0 + departureZ * p.departureSdMinutes * 60.0);
    departure = std::clamp<Seconds>(departure, arrival + kSecondsPerHour, 23 * kSecondsPerHour);

    std::vector<Interval> away;
    if (lunch)
        away.push_back(
            {toSeconds(p.lunchStartHours * 3600.0), toSeconds(p.lunchEndHours * 3600.0)});
    if (p.breaksPerHour > 0.0) {
        const double meanGap = 3600.0 / p.breaksPerHour;
        Seconds t = arrival + toSeconds(random.exponential(meanGap));
        while (t < departure) {
            const Seconds length = std::min<Seconds>(
                toSeconds(random.exponential(p.breakMeanMinutes * 60.0)), kMaxBreak);
            away.push_back({t, t + length});
            t += length + toSeconds(random.exponential(meanGap));
        }
    }
    if (!comesIn)
        return;
    std::sort(away.begin(), away.end(),
              [](const Interval& a, const Interval& b) { return a.from < b.from; });
    Seconds cursor = arrival;
    for (const Interval& a : away) {
        if (a.to <= cursor)
            continue;
        if (a.from >= departure)
            break;
        if (a.from > cursor)
            presence.push_back({localMidnightUtc + cursor, localMidnightUtc + a.from});
        cursor = std::max(cursor, a.to);
    }
    if (cursor < departure)
        presence.push_back({localMidnightUtc + cursor, localMidnightUtc + departure});
}

std::optional<std::string> checkProfile(const OpenOfficeProfile& p)
{
    auto probability = [](double v) { return v >= 0.0 && v <= 1.0; };
    if (!probability(p.presenceProbability) || !probability(p.lunchProbability))
        return "presence and lunch probabilities must lie in [0, 1]";
    if (!(p.arrivalSdMinutes >= 0.0) || !(p.departureSdMinutes >= 0.0) ||
        !(p.breaksPerHour >= 0.0) || !(p.breakMeanMinutes >= 0.0))
        return "standard deviations, break rate and break length must not be negative";
    if (!(p.lunchEndHours >= p.lunchStartHours))
        return "lunch must not end before it starts";
    for (double hours :
         {p.arrivalMeanHours, p.departureMeanHours, p.lunchStartHours, p.lunchEndHours}) {
        if (!(hours >= 0.0 && hours <= 24.0))
            return "times of day must lie between 0 and 24 hours";
    }
    return std::nullopt;
}

} // namespace

// ---- RoomMap --------------------------------------------------------------------------------

RoomMap::RoomMap(std::vector<RoomMapping> rooms) : m_rooms(std::move(rooms))
{
    for (const RoomMapping& room : m_rooms) {
        std::vector<std::string> aliases;
        std::vector<std::string> numbers;
        for (const std::string& alias : room.aliases) {
            std::string n = normalise(alias);
            if (n.empty())
                continue;
            if (const std::string first = firstWord(n); isNumber(first))
                numbers.push_back(first);
            aliases.push_back(std::move(n));
        }
        std::size_t digits = room.roomId.size();
        while (digits > 0 && std::isdigit(static_cast<unsigned char>(room.roomId[digits - 1])) != 0)
            --digits;
        if (digits < room.roomId.size())
            numbers.push_back(room.roomId.substr(digits));
        std::sort(numbers.begin(), numbers.end());
        numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
        m_aliases.push_back(std::move(aliases));
        m_numbers.push_back(std::move(numbers));
    }
}

std::vector<std::string> RoomMap::aliasesFromLabel(std::string_view label)
{
    std::vector<std::string> aliases;
    std::string text(label);
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    if (text.empty())
        return aliases;
    aliases.push_back(text);
    const std::size_t space = text.find(' ');
    if (space != std::string::npos && isNumber(std::string_view(text).substr(0, space))) {
        const std::size_t rest = text.find_first_not_of(' ', space);
        if (rest != std::string::npos)
            aliases.push_back(text.substr(rest));
    }
    return aliases;
}

LocationMatch RoomMap::match(std::string_view location) const
{
    const std::string text = normalise(location);
    if (text.empty())
        return {};
    std::vector<std::size_t> exact;
    for (std::size_t r = 0; r < m_rooms.size(); ++r) {
        if (std::find(m_aliases[r].begin(), m_aliases[r].end(), text) != m_aliases[r].end())
            exact.push_back(r);
    }
    if (exact.size() == 1)
        return {exact.front(), LocationMatchKind::Alias};
    if (exact.size() > 1)
        return {std::nullopt, LocationMatchKind::Ambiguous};

    std::vector<std::size_t> candidates;
    for (std::size_t r = 0; r < m_rooms.size(); ++r) {
        const auto contained = [&](const std::string& word) { return containsWords(text, word); };
        if (std::any_of(m_aliases[r].begin(), m_aliases[r].end(), contained) ||
            std::any_of(m_numbers[r].begin(), m_numbers[r].end(), contained))
            candidates.push_back(r);
    }
    if (candidates.size() == 1)
        return {candidates.front(), LocationMatchKind::Contains};
    if (candidates.size() > 1)
        return {std::nullopt, LocationMatchKind::Ambiguous};
    return {};
}

std::optional<std::size_t> RoomMap::indexOf(std::string_view roomId) const
{
    for (std::size_t r = 0; r < m_rooms.size(); ++r) {
        if (m_rooms[r].roomId == roomId)
            return r;
    }
    return std::nullopt;
}

// ---- OccupancySchedule ----------------------------------------------------------------------

twin::Result<OccupancySchedule>
OccupancySchedule::build(const RoomMap& rooms, const std::vector<Meeting>& meetings, Seconds start,
                         Seconds step, std::int64_t steps, const OccupancyOptions& options)
{
    if (step <= 0)
        return makeError(ErrorCode::InvalidArgument,
                         "the step must be positive, got " + std::to_string(step) + " s");
    if (steps < 0)
        return makeError(ErrorCode::InvalidArgument,
                         "the step count must not be negative, got " + std::to_string(steps));
    const auto roomCount = static_cast<std::int64_t>(rooms.size());
    if (roomCount > 0 && steps > kMaxCells / roomCount)
        return makeError(ErrorCode::InvalidArgument,
                         "the grid is too large: " + std::to_string(roomCount) + " rooms × " +
                             std::to_string(steps) + " steps; use a coarser step");
    if (options.defaultMeetingSize < 0 || options.arrivalSpread < 0)
        return makeError(ErrorCode::InvalidArgument,
                         "defaultMeetingSize and arrivalSpread must not be negative");
    if (auto problem = checkProfile(options.profile))
        return makeError(ErrorCode::InvalidArgument, "open-office profile: " + *problem);
    for (const OpenOffice& office : options.openOffices) {
        if (office.room >= rooms.size())
            return makeError(ErrorCode::InvalidArgument,
                             "open office room index " + std::to_string(office.room) +
                                 " is out of range (the room map has " +
                                 std::to_string(rooms.size()) + " rooms)");
    }

    OccupancySchedule schedule;
    schedule.m_start = start;
    schedule.m_step = step;
    schedule.m_steps = steps;
    const auto cells = static_cast<std::size_t>(roomCount * steps);
    schedule.m_people.assign(cells, 0);
    schedule.m_booked.assign(cells, 0);
    schedule.m_meetings.resize(rooms.size());

    const Grid grid{start, step, steps};
    std::vector<std::vector<int>> peopleDiff(rooms.size(),
                                             std::vector<int>(static_cast<std::size_t>(steps) + 1));
    std::vector<std::vector<int>> bookedDiff = peopleDiff;

    // (a) Meetings.
    std::map<std::pair<std::string, LocationMatchKind>, std::size_t> unmappedIndex;
    for (const Meeting& m : meetings) {
        const LocationMatch match = rooms.match(m.location);
        if (!match.room) {
            const auto key = std::make_pair(m.location, match.kind);
            auto [it, inserted] = unmappedIndex.emplace(key, schedule.m_unmapped.size());
            if (inserted)
                schedule.m_unmapped.push_back({m.location, match.kind, 0, m.uid, m.summary});
            ++schedule.m_unmapped[it->second].occurrences;
            continue;
        }
        const std::size_t r = *match.room;
        schedule.m_meetings[r].push_back(m);
        // A 0-length meeting still books the step it falls in.
        grid.add(bookedDiff[r], m.start, std::max(m.end, m.start + 1), 1);
        if (m.allDay)
            continue;
        const int people = m.attendees > 0
                               ? m.attendees
                               : std::min(rooms.rooms()[r].capacity, options.defaultMeetingSize);
        if (options.arrivalSpread > 0 && people > 1) {
            for (int j = 0; j < people; ++j) {
                const Seconds arrival = m.start + options.arrivalSpread * j / people;
                grid.add(peopleDiff[r], std::min(arrival, m.end), m.end, 1);
            }
        } else {
            grid.add(peopleDiff[r], m.start, m.end, people);
        }
    }
    for (auto& list : schedule.m_meetings) {
        std::stable_sort(list.begin(), list.end(),
                         [](const Meeting& a, const Meeting& b) { return a.start < b.start; });
    }

    // (b) Open offices.
    if (steps > 0 && !options.openOffices.empty()) {
        const Seconds end = start + step * steps;
        const std::int64_t firstDay =
            floorDiv(start + options.zone.utcOffset(start), kSecondsPerDay) - 1;
        const std::int64_t lastDay = floorDiv(end + options.zone.utcOffset(end), kSecondsPerDay);
        std::vector<Interval> presence;
        for (std::int64_t day = firstDay; day <= lastDay; ++day) {
            const std::int64_t weekday = ((day % 7) + 7 + 3) % 7; // 0 = Monday (1970-01-01: Thu)
            if (weekday >= 5)
                continue;
            const Seconds noonUtc = options.zone.toUtc(day * kSecondsPerDay + 12 * kSecondsPerHour);
            const Seconds midnightUtc =
                day * kSecondsPerDay - options.zone.utcOffset(noonUtc); // offset at local noon
            for (const OpenOffice& office : options.openOffices) {
                const RoomMapping& room = rooms.rooms()[office.room];
                const int headcount = office.headcount < 0 ? room.capacity : office.headcount;
                std::uint64_t seed = splitMix64(options.seed);
                seed = splitMix64(seed ^ fnv1a(room.roomId));
                seed = splitMix64(seed ^ static_cast<std::uint64_t>(day));
                Random random(seed);
                presence.clear();
                for (int person = 0; person < headcount; ++person)
                    personDay(random, options.profile, midnightUtc, presence);
                for (const Interval& i : presence)
                    grid.add(peopleDiff[office.room], i.from, i.to, 1);
            }
        }
    }

    for (std::size_t r = 0; r < rooms.size(); ++r) {
        int* people = schedule.m_people.data() + static_cast<std::ptrdiff_t>(r) * steps;
        accumulate(peopleDiff[r], people, steps);
        std::vector<int> booked(static_cast<std::size_t>(steps));
        accumulate(bookedDiff[r], booked.data(), steps);
        for (std::int64_t k = 0; k < steps; ++k)
            schedule.m_booked[static_cast<std::size_t>(static_cast<std::int64_t>(r) * steps + k)] =
                booked[static_cast<std::size_t>(k)] > 0 ? 1 : 0;
    }
    return schedule;
}

int OccupancySchedule::people(std::size_t room, std::int64_t step) const
{
    if (room >= m_meetings.size() || step < 0 || step >= m_steps)
        return 0;
    return m_people[static_cast<std::size_t>(static_cast<std::int64_t>(room) * m_steps + step)];
}

bool OccupancySchedule::booked(std::size_t room, std::int64_t step) const
{
    if (room >= m_meetings.size() || step < 0 || step >= m_steps)
        return false;
    return m_booked[static_cast<std::size_t>(static_cast<std::int64_t>(room) * m_steps + step)] !=
           0;
}

std::optional<Seconds> OccupancySchedule::nextMeetingStart(std::size_t room, Seconds t) const
{
    if (room >= m_meetings.size())
        return std::nullopt;
    const auto& list = m_meetings[room];
    auto it = std::lower_bound(list.begin(), list.end(), t,
                               [](const Meeting& m, Seconds value) { return m.start < value; });
    if (it == list.end())
        return std::nullopt;
    return it->start;
}

std::vector<Meeting> OccupancySchedule::meetingsOf(std::size_t room) const
{
    if (room >= m_meetings.size())
        return {};
    return m_meetings[room];
}

std::uint64_t OccupancySchedule::hash() const
{
    std::uint64_t h = 0xCBF29CE484222325ULL;
    auto mix = [&h](std::uint64_t value) {
        for (int byte = 0; byte < 8; ++byte) {
            h ^= (value >> (8U * static_cast<unsigned>(byte))) & 0xFFU;
            h *= 0x100000001B3ULL;
        }
    };
    for (const int p : m_people)
        mix(static_cast<std::uint64_t>(static_cast<std::int64_t>(p)));
    for (const std::uint8_t b : m_booked)
        mix(b);
    return h;
}

} // namespace twindesk::sim
