#include <twindesk/policies/drift.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace twindesk::policies {

InputReference buildInputReference(std::string name, std::vector<double> values)
{
    InputReference ref;
    ref.name = std::move(name);
    std::erase_if(values, [](double v) { return !std::isfinite(v); });
    if (values.empty()) {
        ref.proportions = {1.0};
        return ref;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    for (int d = 1; d < 10; ++d) {
        const double edge = values[std::min(n - 1, n * static_cast<std::size_t>(d) / 10)];
        if (ref.edges.empty() || edge > ref.edges.back())
            ref.edges.push_back(edge);
    }
    std::vector<std::int64_t> counts(ref.edges.size() + 1, 0);
    for (const double v : values)
        ++counts[static_cast<std::size_t>(std::upper_bound(ref.edges.begin(), ref.edges.end(), v) -
                                          ref.edges.begin())];
    for (const auto c : counts)
        ref.proportions.push_back(static_cast<double>(c) / static_cast<double>(n));
    return ref;
}

std::string inputReferencesJson(const std::vector<InputReference>& refs)
{
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : refs)
        j.push_back({{"name", r.name}, {"edges", r.edges}, {"proportions", r.proportions}});
    return j.dump();
}

twin::Result<std::vector<InputReference>> parseInputReferences(std::string_view json,
                                                               const std::string& where)
{
    const auto j = nlohmann::json::parse(json, nullptr, false);
    auto bad = [&](const std::string& why) {
        return twin::makeError(twin::ErrorCode::ParseError, "input_reference: " + why, where);
    };
    if (!j.is_array())
        return bad("expected an array of {name, edges, proportions}");
    std::vector<InputReference> out;
    for (const auto& item : j) {
        if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
            !item.contains("edges") || !item["edges"].is_array() || !item.contains("proportions") ||
            !item["proportions"].is_array())
            return bad("each entry needs name, edges and proportions");
        InputReference r;
        r.name = item["name"].get<std::string>();
        for (const auto& e : item["edges"]) {
            if (!e.is_number())
                return bad("'" + r.name + "': edges must be numbers");
            r.edges.push_back(e.get<double>());
        }
        for (const auto& p : item["proportions"]) {
            if (!p.is_number() || p.get<double>() < 0)
                return bad("'" + r.name + "': proportions must be numbers >= 0");
            r.proportions.push_back(p.get<double>());
        }
        if (r.proportions.size() != r.edges.size() + 1 ||
            !std::is_sorted(r.edges.begin(), r.edges.end()))
            return bad("'" + r.name + "': need ascending edges and one more proportion than edges");
        out.push_back(std::move(r));
    }
    return out;
}

std::string inputDriftJson(const std::vector<InputDrift>& drift)
{
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& d : drift)
        j.push_back({{"input", d.name},
                     {"samples", d.samples},
                     {"psi", d.psi},
                     {"ks", d.ks},
                     {"alarm", d.alarm}});
    return j.dump();
}

DriftMonitor::DriftMonitor(std::vector<InputReference> refs) : m_refs(std::move(refs))
{
    for (const auto& r : m_refs)
        m_counts.emplace_back(r.proportions.size(), 0);
}

void DriftMonitor::add(std::size_t index, double value)
{
    if (index >= m_refs.size() || !std::isfinite(value))
        return;
    const auto& edges = m_refs[index].edges;
    ++m_counts[index][static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), value) -
                                               edges.begin())];
}

std::vector<InputDrift> DriftMonitor::report() const
{
    constexpr double kFloor = 1e-4;
    std::vector<InputDrift> out;
    for (std::size_t i = 0; i < m_refs.size(); ++i) {
        InputDrift d;
        d.name = m_refs[i].name;
        for (const auto c : m_counts[i])
            d.samples += c;
        if (d.samples > 0) {
            double cdfRun = 0.0;
            double cdfRef = 0.0;
            for (std::size_t b = 0; b < m_counts[i].size(); ++b) {
                const double a =
                    static_cast<double>(m_counts[i][b]) / static_cast<double>(d.samples);
                const double e = m_refs[i].proportions[b];
                const double af = std::max(a, kFloor);
                const double ef = std::max(e, kFloor);
                d.psi += (af - ef) * std::log(af / ef);
                cdfRun += a;
                cdfRef += e;
                d.ks = std::max(d.ks, std::abs(cdfRun - cdfRef));
            }
        }
        d.alarm = d.samples >= kDriftMinSamples && d.psi >= kDriftPsiAlarm;
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace twindesk::policies
