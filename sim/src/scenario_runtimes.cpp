#include "scenario_runtimes.h"

#include <twindesk/sim/compute.h>
#include <twindesk/sim/occupancy.h>
#include <twindesk/sim/runtime.h>
#include <twindesk/twin/runtime_profile.h>
#include <twindesk/twin/twin_graph.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace twindesk::sim {

namespace {

using json::Json;
using json::ObjectReader;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s)
{
    const auto a = s.find_first_not_of(" \t");
    const auto b = s.find_last_not_of(" \t");
    return a == std::string::npos ? std::string{} : s.substr(a, b - a + 1);
}

/// An entity of the graph by id, or by local name ("room_309" for "urn:...#room_309").
std::optional<twin::EntityIndex> findEntity(const twin::TwinGraph& g, const std::string& ref)
{
    if (auto i = g.find(ref))
        return i;
    for (twin::EntityIndex i = 0; i < g.entityCount(); ++i)
        if (twin::localName(g.entity(i).id) == ref)
            return i;
    return std::nullopt;
}

/// A meeting matches a word when one of its categories equals it or its summary contains it
/// (both case-insensitive). CATEGORIES values may hold comma-separated lists.
bool matches(const Meeting& m, const std::vector<std::string>& words)
{
    const auto summary = lower(m.summary);
    for (const auto& w : words) {
        const auto lw = lower(w);
        for (const auto& c : m.categories) {
            std::size_t from = 0;
            while (from <= c.size()) {
                const auto comma = c.find(',', from);
                const auto part =
                    trim(c.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
                if (lower(part) == lw)
                    return true;
                if (comma == std::string::npos)
                    break;
                from = comma + 1;
            }
        }
        if (summary.find(lw) != std::string::npos)
            return true;
    }
    return false;
}

twin::WorkloadType readKind(ObjectReader& r, const std::string& key, const std::string& fallback)
{
    const auto text = r.choice(key, fallback,
                               {"virtual_machine", "container", "micro_vm", "wasm_module",
                                "sandboxed_container"});
    return twin::parseWorkloadType(text).value_or(twin::WorkloadType::Container);
}

RuntimeWorkloadSpec readWorkload(ObjectReader& r, const std::string& id)
{
    RuntimeWorkloadSpec w;
    w.id = id;
    w.kind = readKind(r, "kind", "container");
    w.cores = r.number("cores", 1.0, 0.001, 1e4);
    w.ramMb = r.number("ram_mb", 512.0, 0.0, 1e8);
    w.gpus = static_cast<int>(r.integer("gpus", 0, 0, 64));
    w.critical = r.boolean("critical", false);
    w.batch = r.boolean("batch", false);
    w.host = r.string("host", "", true);
    w.running = r.boolean("running", false);
    w.costPerHour = r.number("cost_per_hour", 0.0, 0.0, 1e6);
    return w;
}

} // namespace

twin::Status readRuntimes(const Json& section, const std::string& file, Scenario& scenario,
                          SimConfig& config)
{
    std::optional<twin::Error> error;
    const std::string base = "/runtimes";
    auto fail = [&](const std::string& path, const std::string& message) -> twin::Status {
        return twin::makeError(twin::ErrorCode::ParseError, message, file + ": " + path);
    };
    if (!scenario.building)
        return fail(base, "runtimes need a 'building' (rooms use services)");
    auto graph = std::make_shared<twin::TwinGraph>(*scenario.building);
    RuntimeConfig rc;
    rc.start = config.grid.start();
    rc.seed = config.seed;
    ObjectReader r(section, file, base, &error);
    rc.gpuCostPerHour = r.number("gpu_cost_per_hour", rc.gpuCostPerHour, 0.0, 1e6);
    rc.electricityPricePerKwh =
        r.number("electricity_price_per_kwh", rc.electricityPricePerKwh, 0.0, 1e3);
    rc.maxLatencyFactor = r.number("max_latency_factor", rc.maxLatencyFactor, 1.0001, 1e6);
    const Json* hostsJ = r.raw("hosts");
    const Json* workloadsJ = r.raw("workloads");
    const Json* servicesJ = r.raw("services");
    const Json* poolsJ = r.raw("warm_pools");
    const Json* needsJ = r.raw("needs");
    const Json* profilesJ = r.raw("profiles");
    r.rejectUnknown();
    if (error)
        return *error;

    // Profiles: each kind's defaults, any field overridden.
    if (profilesJ != nullptr) {
        ObjectReader pr(*profilesJ, file, base + "/profiles", &error);
        for (auto& p : rc.profiles) {
            const std::string kind(twin::workloadTypeName(p.kind));
            if (const Json* kj = pr.raw(kind)) {
                ObjectReader k(*kj, file, pr.pathOf(kind), &error);
                p.cold.medianS = k.number("cold_median_s", p.cold.medianS, 1e-6, 1e5);
                p.cold.p95S = k.number("cold_p95_s", p.cold.p95S, 1e-6, 1e5);
                p.warm.medianS = k.number("warm_median_s", p.warm.medianS, 1e-6, 1e5);
                p.warm.p95S = k.number("warm_p95_s", p.warm.p95S, 1e-6, 1e5);
                p.stopS = k.number("stop_s", p.stopS, 0.0, 1e5);
                p.memoryOverheadMb = k.number("memory_overhead_mb", p.memoryOverheadMb, 0, 1e6);
                p.cpuOverhead = k.number("cpu_overhead", p.cpuOverhead, 0.0, 10.0);
                p.costPerCoreHour = k.number("cost_per_core_hour", p.costPerCoreHour, 0.0, 1e4);
                p.warmIdleCostFraction =
                    k.number("warm_idle_cost_fraction", p.warmIdleCostFraction, 0.0, 1.0);
                p.gpuCapable = k.boolean("gpu", p.gpuCapable);
                p.maxCores = k.number("max_cores", p.maxCores, 0.0, 1e4);
                const auto iso = k.choice("isolation", std::string(twin::isolationClassName(p.isolation)),
                                          {"shared-kernel", "language-sandbox", "sandboxed-kernel",
                                           "hardware"});
                p.isolation = *twin::parseIsolationClass(iso);
                k.rejectUnknown();
                if (auto st = p.validate(file + ": " + pr.pathOf(kind)); !st && !error)
                    error = st.error();
            }
        }
        pr.rejectUnknown();
        if (error)
            return *error;
    }

    // Hosts: new ones join the twin in their room; existing compute hosts are referenced.
    auto roomZone = [&](twin::EntityIndex room) -> std::optional<std::size_t> {
        for (std::size_t z = 0; z < config.zones.size(); ++z)
            if (config.zones[z].id == graph->entity(room).id)
                return z;
        return std::nullopt;
    };
    if (hostsJ == nullptr || !hostsJ->is_array() || hostsJ->empty())
        return fail(base + "/hosts", "expected a non-empty array of runtime hosts");
    for (std::size_t i = 0; i < hostsJ->size(); ++i) {
        const std::string path = base + "/hosts/" + std::to_string(i);
        ObjectReader h(hostsJ->at(i), file, path, &error);
        const auto id = h.string("id", "", true);
        const auto roomRef = h.string("room", "");
        const auto name = h.string("name", "");
        const auto modelName = h.string("power_model", "hp-proliant-ml110-g5");
        RuntimeHostSpec spec;
        const auto existing = findEntity(*graph, id);
        spec.cores = h.number("cores", 0.0, 0.0, 1e4);
        spec.ramMb = h.number("ram_mb", 0.0, 0.0, 1e9);
        twin::GpuSpec gpu;
        if (const Json* gj = h.raw("gpu")) {
            ObjectReader gr(*gj, file, path + "/gpu", &error);
            gpu.count = static_cast<int>(gr.integer("count", 1, 0, 64));
            gpu.memoryGb = gr.number("memory_gb", 24.0, 0.0, 1e4);
            gpu.idleW = gr.number("idle_w", 30.0, 0.0, 1e4);
            gpu.busyW = gr.number("busy_w", 250.0, 0.0, 1e4);
            gr.rejectUnknown();
        }
        h.rejectUnknown();
        if (error)
            return *error;
        if (gpu.busyW < gpu.idleW)
            return fail(path + "/gpu/busy_w", "must be >= idle_w");
        auto power = twin::Result<PowerModel>(PowerModel{});
        twin::EntityIndex hostIndex = 0;
        if (existing) {
            auto& e = graph->entity(*existing);
            if (e.equipmentType != twin::EquipmentType::ComputeHost)
                return fail(path + "/id", "'" + id + "' is not a compute host of the building");
            if (config.compute)
                for (std::size_t k = 0; k < config.compute->hostCount(); ++k)
                    if (config.compute->hostSpec(k).id == e.id)
                        return fail(path + "/id", "host '" + id +
                                                      "' is simulated by 'compute' already; a "
                                                      "host belongs to one of the two");
            spec.id = e.id;
            if (spec.cores == 0.0)
                spec.cores = e.number("cores").value_or(2.0);
            if (spec.ramMb == 0.0)
                spec.ramMb = e.number("ramMb").value_or(4096.0);
            const auto* pm = e.attribute("powerModel");
            power = PowerModel::named(pm != nullptr ? pm->value : modelName);
            hostIndex = *existing;
        } else {
            if (roomRef.empty())
                return fail(path + "/room", "a new host needs the room it stands in");
            const auto room = findEntity(*graph, roomRef);
            if (!room || graph->entity(*room).kind != twin::EntityKind::Room)
                return fail(path + "/room", "'" + roomRef + "' is not a room of the building");
            twin::Entity e;
            e.id = id;
            e.name = name.empty() ? std::string(twin::localName(id)) : name;
            e.kind = twin::EntityKind::Equipment;
            e.equipmentType = twin::EquipmentType::ComputeHost;
            if (spec.cores == 0.0 || spec.ramMb == 0.0)
                return fail(path, "a new host needs cores and ram_mb");
            e.setAttribute("cores", std::to_string(spec.cores));
            e.setAttribute("ramMb", std::to_string(spec.ramMb));
            e.setAttribute("powerModel", modelName);
            auto added = graph->addEntity(std::move(e));
            if (!added)
                return fail(path + "/id", added.error().message);
            hostIndex = *added;
            if (auto st = graph->addRelation(hostIndex, twin::Relation::HasLocation, *room); !st)
                return fail(path, st.error().message);
            power = PowerModel::named(modelName);
            spec.id = id;
        }
        if (!power)
            return fail(path + "/power_model", power.error().message);
        spec.power = *power;
        if (gpu.count > 0) {
            auto& e = graph->entity(hostIndex);
            e.setAttribute("gpuCount", std::to_string(gpu.count));
            e.setAttribute("gpuMemoryGb", std::to_string(gpu.memoryGb));
            e.setAttribute("gpuIdleW", std::to_string(gpu.idleW));
            e.setAttribute("gpuBusyW", std::to_string(gpu.busyW));
        }
        auto g = twin::gpuSpecOf(graph->entity(hostIndex));
        if (!g)
            return fail(path, g.error().message);
        spec.gpu = *g;
        // Its power heats the room it stands in.
        for (auto a : graph->ancestors(hostIndex))
            if (graph->entity(a).kind == twin::EntityKind::Room) {
                if (auto z = roomZone(a))
                    config.zones[*z].runtimeHosts.push_back(
                        static_cast<std::uint32_t>(rc.hosts.size()));
                break;
            }
        rc.hosts.push_back(std::move(spec));
    }
    auto hostRef = [&](RuntimeWorkloadSpec& w, const std::string& path) -> twin::Status {
        for (const auto& h : rc.hosts)
            if (h.id == w.host || twin::localName(h.id) == w.host) {
                w.host = h.id;
                return {};
            }
        return fail(path + "/host", "'" + w.host + "' is not a runtime host");
    };
    auto addWorkload = [&](RuntimeWorkloadSpec w, const std::string& path) -> twin::Status {
        if (auto st = hostRef(w, path); !st)
            return st;
        twin::Entity e;
        e.id = w.id;
        e.name = std::string(twin::localName(w.id));
        e.kind = twin::EntityKind::Workload;
        e.workloadType = w.kind;
        e.setAttribute("cores", std::to_string(w.cores));
        e.setAttribute("ramMb", std::to_string(w.ramMb));
        if (w.gpus > 0)
            e.setAttribute("gpus", std::to_string(w.gpus));
        if (w.critical)
            e.setAttribute("critical", "true");
        if (w.batch)
            e.setAttribute("batch", "true");
        auto added = graph->addEntity(std::move(e));
        if (!added)
            return fail(path + "/id", added.error().message);
        if (auto st = graph->addRelation(w.id, twin::Relation::RunsOn, w.host); !st)
            return fail(path, st.error().message);
        rc.workloads.push_back(std::move(w));
        return {};
    };
    if (workloadsJ != nullptr) {
        if (!workloadsJ->is_array())
            return fail(base + "/workloads", "expected an array");
        for (std::size_t i = 0; i < workloadsJ->size(); ++i) {
            const std::string path = base + "/workloads/" + std::to_string(i);
            ObjectReader w(workloadsJ->at(i), file, path, &error);
            const auto id = w.string("id", "", true);
            auto spec = readWorkload(w, id);
            w.rejectUnknown();
            if (error)
                return *error;
            if (auto st = addWorkload(std::move(spec), path); !st)
                return st;
        }
    }

    // Services: one, or one per room of a use ("per_room_use"), each on its workload.
    std::map<std::string, std::vector<std::string>, std::less<>> servicesOfRoom;
    if (servicesJ == nullptr || !servicesJ->is_array())
        return fail(base + "/services", "expected an array of services");
    for (std::size_t i = 0; i < servicesJ->size(); ++i) {
        const std::string path = base + "/services/" + std::to_string(i);
        ObjectReader s(servicesJ->at(i), file, path, &error);
        const auto id = s.string("id", "", true);
        const auto perRoomUse = s.string("per_room_use", "");
        RuntimeServiceSpec proto;
        proto.baseLatencyMs = s.number("base_latency_ms", 20.0, 1e-3, 1e6);
        proto.objectiveMs = s.number("objective_ms", 80.0, 1e-3, 1e6);
        proto.isolation = *twin::parseIsolationClass(
            s.choice("isolation", "shared-kernel",
                     {"shared-kernel", "language-sandbox", "sandboxed-kernel", "hardware"}));
        std::vector<std::string> usedBy;
        if (const Json* u = s.raw("used_by")) {
            if (!u->is_array())
                return fail(path + "/used_by", "expected an array of room ids");
            for (const auto& x : *u)
                usedBy.push_back(x.is_string() ? x.get<std::string>() : x.dump());
        }
        const Json* wj = s.raw("workload");
        s.rejectUnknown();
        if (error)
            return *error;
        if (wj == nullptr)
            return fail(path + "/workload", "missing: a workload id or an inline workload");
        std::vector<std::pair<std::string, std::optional<twin::EntityIndex>>> instances;
        if (!perRoomUse.empty()) {
            const auto use = twin::parseZoneUse(perRoomUse);
            if (!use)
                return fail(path + "/per_room_use", "unknown room use '" + perRoomUse + "'");
            for (auto room : graph->entitiesOfKind(twin::EntityKind::Room))
                if (graph->entity(room).use == *use)
                    instances.emplace_back(
                        id + "-" + std::string(twin::localName(graph->entity(room).id)), room);
            if (instances.empty())
                return fail(path + "/per_room_use", "no room of use '" + perRoomUse + "'");
            if (!wj->is_object())
                return fail(path + "/workload", "per-room services need an inline workload");
        } else {
            instances.emplace_back(id, std::nullopt);
        }
        for (const auto& [sid, room] : instances) {
            RuntimeServiceSpec svc = proto;
            svc.id = sid;
            if (wj->is_string()) {
                svc.workload = wj->get<std::string>();
                if (!graph->find(svc.workload))
                    return fail(path + "/workload", "unknown workload '" + svc.workload + "'");
            } else {
                ObjectReader w(*wj, file, path + "/workload", &error);
                const auto suffix = room ? "-" + std::string(twin::localName(graph->entity(*room).id))
                                         : std::string{};
                auto spec = readWorkload(w, w.string("id", sid + "-workload") + suffix);
                w.rejectUnknown();
                if (error)
                    return *error;
                svc.workload = spec.id;
                if (auto st = addWorkload(std::move(spec), path + "/workload"); !st)
                    return st;
            }
            twin::Entity e;
            e.id = svc.id;
            e.name = std::string(twin::localName(svc.id));
            e.kind = twin::EntityKind::Service;
            e.setAttribute("objectiveMs", std::to_string(svc.objectiveMs));
            e.setAttribute("isolation", std::string(twin::isolationClassName(svc.isolation)));
            if (auto added = graph->addEntity(std::move(e)); !added)
                return fail(path + "/id", added.error().message);
            if (auto st = graph->addRelation(svc.id, twin::Relation::RunsOn, svc.workload); !st)
                return fail(path, st.error().message);
            std::vector<twin::EntityIndex> rooms;
            if (room)
                rooms.push_back(*room);
            for (const auto& ref : usedBy) {
                const auto rr = findEntity(*graph, ref);
                if (!rr || graph->entity(*rr).kind != twin::EntityKind::Room)
                    return fail(path + "/used_by", "'" + ref + "' is not a room of the building");
                rooms.push_back(*rr);
            }
            for (auto rm : rooms) {
                if (auto st = graph->addRelation(rm, twin::Relation::Uses,
                                                 *graph->find(svc.id));
                    !st)
                    return fail(path, st.error().message);
                servicesOfRoom[graph->entity(rm).id].push_back(svc.id);
            }
            rc.services.push_back(std::move(svc));
        }
    }
    if (poolsJ != nullptr) {
        if (!poolsJ->is_array())
            return fail(base + "/warm_pools", "expected an array");
        for (std::size_t i = 0; i < poolsJ->size(); ++i) {
            const std::string path = base + "/warm_pools/" + std::to_string(i);
            ObjectReader p(poolsJ->at(i), file, path, &error);
            WarmPoolSpec pool;
            pool.kind = readKind(p, "kind", "container");
            RuntimeWorkloadSpec tmp;
            tmp.host = p.string("host", "", true);
            pool.size = static_cast<int>(p.integer("size", 1, 0, 10000));
            p.rejectUnknown();
            if (error)
                return *error;
            if (auto st = hostRef(tmp, path); !st)
                return st;
            pool.host = tmp.host;
            rc.pools.push_back(pool);
        }
    }

    // Needs: flagged meetings in rooms that use services.
    if (needsJ != nullptr) {
        if (!needsJ->is_array())
            return fail(base + "/needs", "expected an array of rules");
        struct Rule
        {
            std::vector<std::string> match;
            std::vector<std::string> services;
            double objectiveMs = 0.0;
        };
        std::vector<Rule> rules;
        for (std::size_t i = 0; i < needsJ->size(); ++i) {
            const std::string path = base + "/needs/" + std::to_string(i);
            ObjectReader n(needsJ->at(i), file, path, &error);
            Rule rule;
            for (const auto* key : {"match", "services"}) {
                auto& out = std::string(key) == "match" ? rule.match : rule.services;
                if (const Json* a = n.raw(key)) {
                    if (!a->is_array())
                        return fail(n.pathOf(key), "expected an array of strings");
                    for (const auto& x : *a) {
                        if (!x.is_string())
                            return fail(n.pathOf(key), "expected strings, got " + x.dump());
                        out.push_back(x.get<std::string>());
                    }
                }
            }
            rule.objectiveMs = n.number("objective_ms", 0.0, 0.0, 1e6);
            n.rejectUnknown();
            if (error)
                return *error;
            if (rule.match.empty())
                return fail(path + "/match", "give the categories or keywords that flag a meeting");
            for (const auto& s : rule.services)
                if (std::none_of(rc.services.begin(), rc.services.end(),
                                 [&](const auto& x) { return x.id == s; }))
                    return fail(path + "/services", "unknown service '" + s + "'");
            rules.push_back(std::move(rule));
        }
        if (config.occupancy) {
            for (std::size_t z = 0; z < config.zones.size(); ++z) {
                const auto roomIt = servicesOfRoom.find(config.zones[z].id);
                if (roomIt == servicesOfRoom.end() || z >= config.occupancyRoomOfZone.size())
                    continue;
                for (const auto& m : config.occupancy->meetingsOf(config.occupancyRoomOfZone[z])) {
                    if (m.end <= config.grid.start() || m.start >= config.grid.end() || m.allDay)
                        continue;
                    for (const auto& rule : rules) {
                        if (!matches(m, rule.match))
                            continue;
                        MeetingNeed need;
                        need.room = config.zones[z].id;
                        need.title = m.summary;
                        need.start = m.start;
                        need.end = m.end;
                        if (m.created)
                            need.bookedAt = *m.created;
                        need.services = roomIt->second;
                        need.services.insert(need.services.end(), rule.services.begin(),
                                             rule.services.end());
                        std::sort(need.services.begin(), need.services.end());
                        need.services.erase(std::unique(need.services.begin(), need.services.end()),
                                            need.services.end());
                        need.objectiveMs = rule.objectiveMs;
                        rc.needs.push_back(std::move(need));
                        break; // the first matching rule
                    }
                }
            }
        }
    }
    auto fleet = RuntimeFleet::make(std::move(rc));
    if (!fleet)
        return twin::makeError(fleet.error().code, fleet.error().message,
                               file + ": " + fleet.error().where);
    config.runtimes = std::make_shared<const RuntimeFleet>(std::move(fleet).value());
    scenario.building = graph;
    return {};
}

} // namespace twindesk::sim
