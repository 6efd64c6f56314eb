#include <twindesk/sim/compute.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <system_error>
#include <utility>

namespace twindesk::sim {

namespace {

using twin::ErrorCode;
using twin::makeError;

constexpr std::array<double, 11> kG4Watts{86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117};
constexpr std::array<double, 11> kG5Watts{93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135};

// CloudSim multiplies by the literals 0.9 and 0.1; keep the very same doubles.
constexpr double kSourceShare = 0.9;
constexpr double kDestinationShare = 0.1;
static_assert(1.0 - kMigrationDegradation == kSourceShare);
static_assert(kMigrationDegradation == kDestinationShare);

constexpr double kJoulesPerKwh = 3600.0 * 1000.0;

std::string num(double value)
{
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%g", value);
    return buffer.data();
}

const char* stateName(HostState state)
{
    switch (state) {
    case HostState::Off:
        return "off";
    case HostState::Booting:
        return "booting";
    case HostState::On:
        return "on";
    }
    return "?";
}

twin::Result<std::vector<float>> readTrace(const std::filesystem::path& file)
{
    const auto where = [&file](std::size_t line) {
        return file.string() + ":" + std::to_string(line);
    };
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    std::ifstream in(file, std::ios::binary);
    if (ec || !in)
        return makeError(ErrorCode::IoError, "cannot open the trace file", file.string());
    std::string text(size, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(size)))
        return makeError(ErrorCode::IoError, "reading the trace file failed", file.string());
    if (text.empty())
        return makeError(ErrorCode::ParseError,
                         "the trace file is empty; expected one integer CPU utilisation "
                         "percentage (0..100) per line",
                         where(1));

    std::vector<float> values;
    values.reserve(289);
    std::size_t line = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line;
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string_view field(text.data() + pos, end - pos);
        pos = end + 1;
        if (!field.empty() && field.back() == '\r')
            field.remove_suffix(1);
        if (field.empty())
            return makeError(ErrorCode::ParseError,
                             "blank line; expected an integer CPU utilisation percentage (0..100)",
                             where(line));
        int value = 0;
        const char* last = field.data() + field.size();
        const auto [ptr, errc] = std::from_chars(field.data(), last, value);
        if (errc != std::errc{} || ptr != last) {
            const auto shown = std::string(field.substr(0, 40));
            return makeError(ErrorCode::ParseError,
                             "'" + shown +
                                 "' is not an integer CPU utilisation percentage (0..100)",
                             where(line));
        }
        if (value < 0 || value > 100)
            return makeError(ErrorCode::ParseError,
                             "CPU utilisation " + std::to_string(value) + " % is outside 0..100",
                             where(line));
        values.push_back(static_cast<float>(value / 100.0));
    }
    return values;
}

twin::Status validatePower(const PowerModel& model, const std::string& where)
{
    auto checked = PowerModel::fromTable(model.watts);
    if (!checked)
        return makeError(checked.error().code, checked.error().message, where);
    return {};
}

// Finds the first id that occurs twice, or an empty string.
template <typename Spec> std::string firstDuplicateId(const std::vector<Spec>& specs)
{
    std::vector<std::string_view> ids;
    ids.reserve(specs.size());
    for (const auto& spec : specs)
        ids.emplace_back(spec.id);
    std::sort(ids.begin(), ids.end());
    const auto it = std::adjacent_find(ids.begin(), ids.end());
    return it == ids.end() ? std::string() : std::string(*it);
}

class Fnv
{
public:
    void bytes(const void* data, std::size_t size)
    {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) {
            m_hash ^= p[i];
            m_hash *= 1099511628211ULL;
        }
    }
    template <typename T> void vec(const std::vector<T>& v)
    {
        bytes(v.data(), v.size() * sizeof(T));
    }
    template <typename T> void value(const T& v) { bytes(&v, sizeof(T)); }
    [[nodiscard]] std::uint64_t hash() const { return m_hash; }

private:
    std::uint64_t m_hash = 14695981039346656037ULL;
};

void pushRing(std::vector<double>& ring, std::vector<std::uint8_t>& next,
              std::vector<std::uint8_t>& count, std::size_t index, double value)
{
    ring[index * kHistoryLength + next[index]] = value;
    next[index] = static_cast<std::uint8_t>((next[index] + 1) % kHistoryLength);
    if (count[index] < kHistoryLength)
        ++count[index];
}

} // namespace

// --- PowerModel --------------------------------------------------------------------------------

double PowerModel::powerAt(double utilisation) const
{
    if (std::isnan(utilisation))
        return utilisation;
    const double u = std::clamp(utilisation, 0.0, 1.0);
    // PowerModelSpecPower.getPower, operation for operation. fmod is only 0 for u = k × 0.1
    // (as doubles), where u × 10 is within rounding of k: test that first, it is cheaper.
    const double tenths = u * 10;
    if (std::abs(tenths - std::round(tenths)) < 1e-9 && std::fmod(u, 0.1) == 0.0)
        return watts[static_cast<std::size_t>(u * 10)];
    const auto lower = static_cast<std::size_t>(std::floor(u * 10));
    const auto upper = static_cast<std::size_t>(std::ceil(u * 10));
    const double power1 = watts[lower];
    const double power2 = watts[upper];
    const double delta = (power2 - power1) / 10;
    return power1 + delta * (u - static_cast<double>(lower) / 10) * 100;
}

twin::Result<PowerModel> PowerModel::named(std::string_view name)
{
    if (name == "hp-proliant-ml110-g4")
        return PowerModel{kG4Watts};
    if (name == "hp-proliant-ml110-g5")
        return PowerModel{kG5Watts};
    return makeError(ErrorCode::NotFound,
                     "unknown power model '" + std::string(name) +
                         "'; known: hp-proliant-ml110-g4, hp-proliant-ml110-g5");
}

twin::Result<PowerModel> PowerModel::fromTable(std::span<const double> watts)
{
    PowerModel model;
    if (watts.size() != model.watts.size())
        return makeError(ErrorCode::InvalidArgument,
                         "a power table needs 11 values (W at 0, 10, ..., 100 % load), got " +
                             std::to_string(watts.size()));
    for (std::size_t i = 0; i < watts.size(); ++i) {
        const std::string at = std::to_string(i * 10) + " %";
        if (!std::isfinite(watts[i]))
            return makeError(ErrorCode::InvalidArgument,
                             "the power at " + at + " load is not a finite number");
        if (watts[i] < 0)
            return makeError(ErrorCode::InvalidArgument,
                             "the power at " + at + " load is negative (" + num(watts[i]) + " W)");
        if (i > 0 && watts[i] < watts[i - 1])
            return makeError(ErrorCode::InvalidArgument,
                             "the power at " + at + " load (" + num(watts[i]) +
                                 " W) is below the power at " + std::to_string(i * 10 - 10) +
                                 " % (" + num(watts[i - 1]) +
                                 " W); power must not fall as load rises");
        model.watts[i] = watts[i];
    }
    return model;
}

// --- PlanetLab ---------------------------------------------------------------------------------

twin::Result<std::vector<VmSpec>> loadPlanetLabDay(const std::filesystem::path& folder,
                                                   std::size_t maxVms)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return makeError(ErrorCode::NotFound,
                         "not a folder; expected a PlanetLab day folder with one trace file per VM",
                         folder.string());
    std::vector<std::pair<std::string, fs::path>> files;
    for (fs::directory_iterator it(folder, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.empty() || name.front() == '.')
            continue;
        std::error_code typeError;
        if (!it->is_regular_file(typeError))
            continue;
        files.emplace_back(std::move(name), it->path());
    }
    if (ec)
        return makeError(ErrorCode::IoError, "cannot list the folder: " + ec.message(),
                         folder.string());
    if (files.empty())
        return makeError(ErrorCode::NotFound, "the folder holds no trace files", folder.string());
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    if (maxVms > 0 && files.size() > maxVms)
        files.resize(maxVms);

    const std::size_t count = files.size();
    const std::size_t block = (count + kPlanetLabVmTypes.size() - 1) / kPlanetLabVmTypes.size();
    std::vector<VmSpec> vms;
    vms.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto trace = readTrace(files[i].second);
        if (!trace)
            return trace.error();
        const VmType& type = kPlanetLabVmTypes[i / block];
        VmSpec vm;
        vm.id = files[i].first;
        vm.mips = type.mips;
        vm.ramMb = type.ramMb;
        vm.bandwidthMbps = kPlanetLabVmBandwidthMbps;
        vm.utilisation = std::move(trace).value();
        vm.traceInterval = 300;
        vms.push_back(std::move(vm));
    }
    return vms;
}

std::vector<HostSpec> planetLabHosts(std::size_t count)
{
    std::vector<HostSpec> hosts;
    hosts.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        const bool g4 = i % 2 == 0;
        HostSpec host;
        host.id = "host-" + std::to_string(i);
        host.cores = 2;
        host.mipsPerCore = g4 ? 1860.0 : 2660.0;
        host.ramMb = 4096.0;
        host.bandwidthMbps = 1000.0;
        host.power = PowerModel{g4 ? kG4Watts : kG5Watts};
        hosts.push_back(std::move(host));
    }
    return hosts;
}

// --- ComputeCluster: construction --------------------------------------------------------------

twin::Result<ComputeCluster> ComputeCluster::make(std::vector<HostSpec> hosts,
                                                  std::vector<VmSpec> vms, ComputeConfig config)
{
    if (config.bootTime < 0)
        return makeError(ErrorCode::InvalidArgument, "the boot time must not be negative (got " +
                                                         std::to_string(config.bootTime) + " s)");
    if (!(config.migrationBandwidthShare > 0 && config.migrationBandwidthShare <= 1))
        return makeError(ErrorCode::InvalidArgument,
                         "the migration bandwidth share must be in (0, 1] (CloudSim uses 0.5), "
                         "got " +
                             num(config.migrationBandwidthShare));
    if (config.historyInterval <= 0)
        return makeError(ErrorCode::InvalidArgument,
                         "the history interval must be positive (CloudSim uses 300 s), got " +
                             std::to_string(config.historyInterval) + " s");
    if (config.initialState == HostState::Booting)
        return makeError(ErrorCode::InvalidArgument,
                         "hosts can start On or Off, not Booting; start them Off and switch "
                         "them on");
    if (hosts.size() >= kNone || vms.size() >= kNone)
        return makeError(ErrorCode::InvalidArgument, "too many hosts or VMs (limit 2^32 − 1)");

    for (std::size_t i = 0; i < hosts.size(); ++i) {
        const HostSpec& h = hosts[i];
        const std::string where = "hosts[" + std::to_string(i) + "] '" + h.id + "'";
        if (h.id.empty())
            return makeError(ErrorCode::InvalidArgument, "the host has no id", where);
        if (h.cores < 1)
            return makeError(ErrorCode::InvalidArgument,
                             "a host needs at least one core, got " + std::to_string(h.cores),
                             where);
        const auto positive = [](double v) { return std::isfinite(v) && v > 0; };
        if (!positive(h.mipsPerCore) || !positive(h.ramMb) || !positive(h.bandwidthMbps))
            return makeError(ErrorCode::InvalidArgument,
                             "MIPS per core, RAM and bandwidth must be positive numbers (got " +
                                 num(h.mipsPerCore) + " MIPS, " + num(h.ramMb) + " MB, " +
                                 num(h.bandwidthMbps) + " Mbit/s)",
                             where);
        if (auto ok = validatePower(h.power, where); !ok)
            return ok.error();
    }
    for (std::size_t j = 0; j < vms.size(); ++j) {
        const VmSpec& v = vms[j];
        const std::string where = "vms[" + std::to_string(j) + "] '" + v.id + "'";
        if (v.id.empty())
            return makeError(ErrorCode::InvalidArgument, "the VM has no id", where);
        if (!(std::isfinite(v.mips) && v.mips > 0) || !(std::isfinite(v.ramMb) && v.ramMb > 0) ||
            !(std::isfinite(v.bandwidthMbps) && v.bandwidthMbps >= 0))
            return makeError(ErrorCode::InvalidArgument,
                             "MIPS and RAM must be positive, bandwidth non-negative (got " +
                                 num(v.mips) + " MIPS, " + num(v.ramMb) + " MB, " +
                                 num(v.bandwidthMbps) + " Mbit/s)",
                             where);
        if (v.traceInterval <= 0)
            return makeError(ErrorCode::InvalidArgument,
                             "the trace interval must be positive, got " +
                                 std::to_string(v.traceInterval) + " s",
                             where);
        if (v.utilisation.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "the VM has no utilisation trace; give at least one sample", where);
        for (std::size_t k = 0; k < v.utilisation.size(); ++k) {
            const float u = v.utilisation[k];
            if (!(u >= 0.0F && u <= 1.0F))
                return makeError(ErrorCode::InvalidArgument,
                                 "utilisation sample " + std::to_string(k) + " (" + num(u) +
                                     ") is not a fraction in [0, 1]",
                                 where);
        }
    }
    if (auto dup = firstDuplicateId(hosts); !dup.empty())
        return makeError(ErrorCode::InvalidArgument, "two hosts share the id '" + dup + "'");
    if (auto dup = firstDuplicateId(vms); !dup.empty())
        return makeError(ErrorCode::InvalidArgument, "two VMs share the id '" + dup + "'");

    ComputeCluster c;
    c.m_config = config;
    c.m_clock = config.start;

    const std::size_t hostCount = hosts.size();
    Hosts& hs = c.m_hosts;
    for (const HostSpec& h : hosts) {
        hs.totalMips.push_back(static_cast<double>(h.cores) * h.mipsPerCore);
        hs.coreMips.push_back(h.mipsPerCore);
        hs.ramMb.push_back(h.ramMb);
        hs.bwMbps.push_back(h.bandwidthMbps);
        hs.power.push_back(h.power);
    }
    hs.state.assign(hostCount, config.initialState);
    hs.bootDone.assign(hostCount, 0.0);
    for (auto* v :
         {&hs.ramUsed, &hs.bwUsed, &hs.committed, &hs.allocated, &hs.requested, &hs.utilisation,
          &hs.modelPower, &hs.entryPower, &hs.energyJ, &hs.activeSeconds, &hs.violationSeconds})
        v->assign(hostCount, 0.0);
    for (auto* v : {&hs.overloaded, &hs.entryDraws, &hs.entryActive, &hs.entryViolating,
                    &hs.historyNext, &hs.historyCount})
        v->assign(hostCount, 0);
    // Helper.getTimesBeforeHostShutdown starts every host as "previously active".
    hs.lastFinalActive.assign(hostCount, 1);
    hs.resident.resize(hostCount);
    hs.incoming.resize(hostCount);
    hs.history.assign(hostCount * kHistoryLength, 0.0);

    const std::size_t vmCount = vms.size();
    Vms& vs = c.m_vms;
    std::size_t traceSize = 0;
    for (const VmSpec& v : vms)
        traceSize += v.utilisation.size();
    vs.trace.reserve(traceSize);
    for (const VmSpec& v : vms) {
        vs.mips.push_back(v.mips);
        vs.ramMb.push_back(v.ramMb);
        vs.bwMbps.push_back(v.bandwidthMbps);
        vs.interval.push_back(static_cast<double>(v.traceInterval));
        vs.traceOffset.push_back(vs.trace.size());
        vs.traceLength.push_back(v.utilisation.size());
        vs.trace.insert(vs.trace.end(), v.utilisation.begin(), v.utilisation.end());
    }
    vs.host.assign(vmCount, kNone);
    vs.target.assign(vmCount, kNone);
    vs.migrationEnd.assign(vmCount, std::numeric_limits<double>::quiet_NaN());
    for (auto* v : {&vs.demand, &vs.allocated, &vs.incomingAllocated, &vs.ramHeld, &vs.bwHeld,
                    &vs.entryRequested, &vs.entryAllocated, &vs.requestedMs, &vs.allocatedMs,
                    &vs.degradationMs})
        v->assign(vmCount, 0.0);
    for (auto* v : {&vs.entryPlaced, &vs.entryMigrating, &vs.historyNext, &vs.historyCount})
        v->assign(vmCount, 0);
    vs.history.assign(vmCount * kHistoryLength, 0.0);

    c.m_hostSpecs = std::move(hosts);
    c.m_vmSpecs = std::move(vms);
    c.updateDemands(0.0);
    c.evaluateAll();
    return c;
}

// --- fit checks ----------------------------------------------------------------------------------

ComputeCluster::Fit ComputeCluster::fit(VmIndex vm, HostIndex host, double requestMips,
                                        double coreRequestMips, bool migration) const
{
    if (host >= hostCount())
        return Fit::NoSuchHost;
    if (m_hosts.state[host] != HostState::On)
        return Fit::HostNotOn;
    if (coreRequestMips > m_hosts.coreMips[host])
        return Fit::Core;
    if (requestMips > hostAvailableMips(host))
        return Fit::Mips;
    if (migration && m_config.memoryRule == MemoryRule::PlacementOnly)
        return Fit::Yes; // CloudSim: a running VM requests no RAM or bandwidth
    if (m_vms.ramMb[vm] > hostRamAvailableMb(host))
        return Fit::Ram;
    if (m_vms.bwMbps[vm] > hostBandwidthAvailableMbps(host))
        return Fit::Bandwidth;
    return Fit::Yes;
}

twin::Status ComputeCluster::explain(Fit result, VmIndex vm, HostIndex host, double requestMips,
                                     double coreRequestMips) const
{
    const auto vmName = [&] { return "VM '" + m_vmSpecs[vm].id + "'"; };
    const auto hostName = [&] { return "host '" + m_hostSpecs[host].id + "'"; };
    switch (result) {
    case Fit::Yes:
        return {};
    case Fit::NoSuchHost:
        return makeError(ErrorCode::InvalidArgument, "no host with index " + std::to_string(host) +
                                                         " (there are " +
                                                         std::to_string(hostCount()) + ")");
    case Fit::HostNotOn:
        return makeError(ErrorCode::InvalidArgument, hostName() + " is " +
                                                         stateName(m_hosts.state[host]) +
                                                         "; it must be on to take VMs");
    case Fit::Core:
        return makeError(ErrorCode::InvalidArgument,
                         vmName() + " needs " + num(coreRequestMips) + " MIPS on one core but " +
                             hostName() + "'s cores have " + num(m_hosts.coreMips[host]) + " MIPS");
    case Fit::Mips:
        return makeError(ErrorCode::InvalidArgument,
                         vmName() + " needs " + num(requestMips) + " MIPS but " + hostName() +
                             " has only " + num(hostAvailableMips(host)) + " MIPS free");
    case Fit::Ram:
        return makeError(ErrorCode::InvalidArgument,
                         vmName() + " needs " + num(m_vms.ramMb[vm]) + " MB of RAM but " +
                             hostName() + " has only " + num(hostRamAvailableMb(host)) +
                             " MB free");
    case Fit::Bandwidth:
        return makeError(ErrorCode::InvalidArgument,
                         vmName() + " needs " + num(m_vms.bwMbps[vm]) + " Mbit/s but " +
                             hostName() + " has only " + num(hostBandwidthAvailableMbps(host)) +
                             " Mbit/s free");
    }
    return makeError(ErrorCode::InvalidArgument, "unknown fit result");
}

twin::Status ComputeCluster::checkVm(VmIndex vm) const
{
    if (vm >= vmCount())
        return makeError(ErrorCode::InvalidArgument, "no VM with index " + std::to_string(vm) +
                                                         " (there are " +
                                                         std::to_string(vmCount()) + ")");
    return {};
}

bool ComputeCluster::fitsForPlacement(VmIndex vm, HostIndex host) const
{
    return vm < vmCount() && m_vms.host[vm] == kNone &&
           fit(vm, host, m_vms.mips[vm], m_vms.mips[vm]) == Fit::Yes;
}

bool ComputeCluster::fitsForMigration(VmIndex vm, HostIndex host) const
{
    if (vm >= vmCount() || m_vms.host[vm] == kNone || m_vms.target[vm] != kNone ||
        m_vms.host[vm] == host)
        return false;
    const double demand = m_vms.demand[vm];
    const double core = m_config.coreFit == CoreFit::NominalMips ? m_vms.mips[vm] : demand;
    return fit(vm, host, demand, core, true) == Fit::Yes;
}

twin::Status ComputeCluster::canPlace(VmIndex vm, HostIndex host) const
{
    if (auto ok = checkVm(vm); !ok)
        return ok;
    if (m_vms.host[vm] != kNone)
        return makeError(ErrorCode::InvalidArgument,
                         "VM '" + m_vmSpecs[vm].id + "' is placed already (on host '" +
                             m_hostSpecs[m_vms.host[vm]].id + "'); migrate it instead");
    const double mips = m_vms.mips[vm];
    return explain(fit(vm, host, mips, mips), vm, host, mips, mips);
}

twin::Status ComputeCluster::canMigrate(VmIndex vm, HostIndex host) const
{
    if (auto ok = checkVm(vm); !ok)
        return ok;
    const std::string name = "VM '" + m_vmSpecs[vm].id + "'";
    if (m_vms.host[vm] == kNone)
        return makeError(ErrorCode::InvalidArgument, name + " is not placed; place it first");
    if (m_vms.target[vm] != kNone)
        return makeError(ErrorCode::InvalidArgument, name + " is migrating already (to host '" +
                                                         m_hostSpecs[m_vms.target[vm]].id + "')");
    if (m_vms.host[vm] == host)
        return makeError(ErrorCode::InvalidArgument,
                         name + " runs on host '" + m_hostSpecs[host].id + "' already");
    const double demand = m_vms.demand[vm];
    const double core = m_config.coreFit == CoreFit::NominalMips ? m_vms.mips[vm] : demand;
    return explain(fit(vm, host, demand, core, true), vm, host, demand, core);
}

double ComputeCluster::migrationSeconds(VmIndex vm, HostIndex destination) const
{
    // PowerDatacenter: vm.getRam() / (targetHost.getBw() / (2 * 8000)) with bw in kbit/s:
    // MB / (MB/s), half the destination's bandwidth being left to the VMs' own traffic.
    return m_vms.ramMb[vm] / (m_hosts.bwMbps[destination] * m_config.migrationBandwidthShare / 8);
}

// --- commands ------------------------------------------------------------------------------------

twin::Status ComputeCluster::place(VmIndex vm, HostIndex host)
{
    if (auto ok = canPlace(vm, host); !ok)
        return ok;
    m_vms.host[vm] = static_cast<std::uint32_t>(host);
    // A VM being instantiated asks for its full MIPS (Vm.getCurrentRequestedMips in CloudSim)
    // until the next step reads its trace.
    m_vms.demand[vm] = m_vms.mips[vm];
    m_hosts.resident[host].push_back(static_cast<std::uint32_t>(vm));
    m_hosts.ramUsed[host] += m_vms.ramMb[vm];
    m_hosts.bwUsed[host] += m_vms.bwMbps[vm];
    m_vms.ramHeld[vm] = m_vms.ramMb[vm];
    m_vms.bwHeld[vm] = m_vms.bwMbps[vm];
    evaluateHost(host);
    return {};
}

twin::Status ComputeCluster::migrate(VmIndex vm, HostIndex destination, Seconds now)
{
    if (now != m_clock)
        return makeError(ErrorCode::InvalidArgument, "a migration starts at the cluster's time " +
                                                         std::to_string(m_clock) + " s, not at " +
                                                         std::to_string(now) + " s");
    if (auto ok = canMigrate(vm, destination); !ok)
        return ok;
    const HostIndex source = m_vms.host[vm];
    m_vms.target[vm] = static_cast<std::uint32_t>(destination);
    m_vms.migrationEnd[vm] =
        static_cast<double>(now - m_config.start) + migrationSeconds(vm, destination);
    m_hosts.incoming[destination].push_back(static_cast<std::uint32_t>(vm));
    if (m_config.memoryRule == MemoryRule::Always) {
        m_hosts.ramUsed[destination] += m_vms.ramMb[vm];
        m_hosts.bwUsed[destination] += m_vms.bwMbps[vm];
    }
    ++m_migrationsStarted;
    evaluateHost(source);
    evaluateHost(destination);
    return {};
}

twin::Status ComputeCluster::setHostPower(HostIndex host, bool on)
{
    if (host >= hostCount())
        return makeError(ErrorCode::InvalidArgument, "no host with index " + std::to_string(host) +
                                                         " (there are " +
                                                         std::to_string(hostCount()) + ")");
    HostState& state = m_hosts.state[host];
    if (on) {
        if (state == HostState::Off) {
            if (m_config.bootTime > 0) {
                state = HostState::Booting;
                m_hosts.bootDone[host] = static_cast<double>(m_clock - m_config.start) +
                                         static_cast<double>(m_config.bootTime);
            } else {
                state = HostState::On;
            }
        }
    } else if (state != HostState::Off) {
        const auto& resident = m_hosts.resident[host];
        const auto& incoming = m_hosts.incoming[host];
        if (!resident.empty() || !incoming.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "host '" + m_hostSpecs[host].id + "' still holds " +
                                 std::to_string(resident.size()) + " VM(s) and is receiving " +
                                 std::to_string(incoming.size()) +
                                 "; migrate them away and let the migrations finish first");
        if (state == HostState::On)
            ++m_switchOffs;
        state = HostState::Off;
    }
    evaluateHost(host);
    return {};
}

twin::Status ComputeCluster::step(Seconds now, Seconds dt)
{
    if (dt <= 0)
        return makeError(ErrorCode::InvalidArgument,
                         "the step must be positive, got " + std::to_string(dt) + " s");
    if (now != m_clock)
        return makeError(ErrorCode::InvalidArgument, "the step must start at the cluster's time " +
                                                         std::to_string(m_clock) + " s, not at " +
                                                         std::to_string(now) + " s");
    const auto t0 = static_cast<double>(now - m_config.start);
    const double t1 = t0 + static_cast<double>(dt);

    // 1. The frame starts with the state the commands left at `now`.
    updateDemands(t0);
    evaluateAll();
    closeFrames(t0);
    setEntries(t0);

    // 2. Migrations completing in this step split every host's frame (CloudSim's VM_MIGRATE).
    std::vector<std::pair<double, std::uint32_t>> completing;
    for (std::size_t j = 0; j < vmCount(); ++j)
        if (m_vms.target[j] != kNone && m_vms.migrationEnd[j] <= t1)
            completing.emplace_back(m_vms.migrationEnd[j], static_cast<std::uint32_t>(j));
    std::sort(completing.begin(), completing.end());
    for (std::size_t i = 0; i < completing.size();) {
        const double end = completing[i].first;
        const double at = std::max(end, t0);
        updateDemands(at);
        evaluateAll();
        closeFrames(at);
        setEntries(at);
        for (; i < completing.size() && completing[i].first == end; ++i)
            completeMigration(completing[i].second);
        evaluateAll();
        setEntries(at);
    }

    // 3. Boots that have finished.
    for (std::size_t h = 0; h < hostCount(); ++h)
        if (m_hosts.state[h] == HostState::Booting && m_hosts.bootDone[h] <= t1)
            m_hosts.state[h] = HostState::On;

    // 4. The state at the end, before any decision there.
    updateDemands(t1);
    evaluateAll();
    closeFrames(t1);
    setEntries(t1);
    const Seconds interval = m_config.historyInterval;
    const auto floorDiv = [](Seconds a, Seconds b) { return a / b - (a % b < 0 ? 1 : 0); };
    if (floorDiv(now + dt - m_config.start, interval) > floorDiv(now - m_config.start, interval))
        appendHistories(t1);
    m_clock = now + dt;
    return {};
}

// --- mechanics -----------------------------------------------------------------------------------

double ComputeCluster::traceAt(VmIndex vm, double offset) const
{
    const std::size_t length = m_vms.traceLength[vm];
    const double k = std::floor(offset / m_vms.interval[vm]);
    std::size_t index = 0;
    if (k >= static_cast<double>(length - 1))
        index = length - 1;
    else if (k > 0)
        index = static_cast<std::size_t>(k);
    return static_cast<double>(m_vms.trace[m_vms.traceOffset[vm] + index]);
}

void ComputeCluster::updateDemands(double offset)
{
    for (std::size_t j = 0; j < vmCount(); ++j)
        m_vms.demand[j] = traceAt(j, offset) * m_vms.mips[j];
}

void ComputeCluster::evaluateHost(HostIndex host)
{
    const double total = m_hosts.totalMips[host];
    const double core = m_hosts.coreMips[host];
    const auto& resident = m_hosts.resident[host];
    const auto& incoming = m_hosts.incoming[host];

    // VmSchedulerTimeSharedOverSubscription.allocatePesForVm, VM by VM in the host's order:
    // a request (capped at one core; 10 % of it for a VM migrating in) is granted while the
    // free MIPS cover it; the first that does not makes the host redistribute to everyone.
    double available = total;
    double sumRequests = 0.0;
    double committed = 0.0;
    bool overloaded = false;
    const auto admit = [&](double request) {
        sumRequests += request;
        if (!overloaded && available >= request)
            available -= request;
        else
            overloaded = true;
    };
    for (const std::uint32_t j : resident) {
        const double capped = std::min(m_vms.demand[j], core);
        committed += capped;
        admit(capped);
    }
    for (const std::uint32_t j : incoming) {
        const double capped = std::min(m_vms.demand[j], core);
        committed += capped;
        admit(capped * kDestinationShare);
    }

    // redistributeMipsDueToOverSubscription: everyone scaled by capacity / Σ requests, floored;
    // HostDynamicWorkload.updateVmsProcessing: a VM migrating out is counted at alloc / 0.9.
    const double scale = overloaded ? total / sumRequests : 1.0;
    double used = 0.0;
    double requested = 0.0;
    for (const std::uint32_t j : resident) {
        const double demand = m_vms.demand[j];
        const double capped = std::min(demand, core);
        const bool out = m_vms.target[j] != kNone;
        double allocated = 0.0;
        if (overloaded)
            allocated = std::floor(out ? capped * scale * kSourceShare : capped * scale);
        else
            allocated = out ? capped * kSourceShare : capped;
        m_vms.allocated[j] = allocated;
        used += out ? allocated / kSourceShare : allocated;
        requested += demand;
    }
    for (const std::uint32_t j : incoming) {
        const double demand = m_vms.demand[j];
        const double capped = std::min(demand, core);
        const double allocated = overloaded ? std::floor(capped * kDestinationShare * scale)
                                            : capped * kDestinationShare;
        m_vms.incomingAllocated[j] = allocated;
        used += allocated;
        requested += demand;
    }

    m_hosts.committed[host] = committed;
    m_hosts.allocated[host] = used;
    m_hosts.requested[host] = requested;
    m_hosts.overloaded[host] = overloaded ? 1 : 0;
    double utilisation = total > 0 ? used / total : 0.0;
    if (utilisation > 1 && utilisation < 1.01)
        utilisation = 1; // HostDynamicWorkload.getUtilizationOfCpu
    m_hosts.utilisation[host] = utilisation;
    m_hosts.modelPower[host] =
        m_hosts.state[host] == HostState::Off ? 0.0 : m_hosts.power[host].powerAt(utilisation);
}

void ComputeCluster::evaluateAll()
{
    for (std::size_t h = 0; h < hostCount(); ++h)
        evaluateHost(h);
}

bool ComputeCluster::drawsPower(HostIndex host) const
{
    if (m_hosts.state[host] == HostState::Off)
        return false;
    // PowerHost.getEnergyLinearInterpolation returns 0 for a frame starting at 0 %.
    if (m_config.accounting == Accounting::CloudSim)
        return m_hosts.utilisation[host] > 0;
    return true;
}

void ComputeCluster::closeFrames(double offset)
{
    const double dt = offset - m_entryTime;
    if (!m_hasEntries || !(dt > 0))
        return;
    const bool cloudSim = m_config.accounting == Accounting::CloudSim;
    const bool npa = m_config.accounting == Accounting::NonPowerAware;
    Hosts& hs = m_hosts;
    double frameEnergy = 0.0;
    for (std::size_t h = 0; h < hostCount(); ++h) {
        double energy = 0.0;
        if (npa) {
            energy = m_hostSpecs[h].power.watts.back() * dt;
        } else if (hs.entryDraws[h] != 0) {
            const double from = hs.entryPower[h];
            const double to = hs.modelPower[h];
            energy = (from + (to - from) / 2) * dt;
        }
        hs.energyJ[h] += energy;
        frameEnergy += energy;
        if (hs.entryActive[h] != 0) {
            hs.activeSeconds[h] += dt;
            if (hs.entryViolating[h] != 0)
                hs.violationSeconds[h] += dt;
        }
        if (cloudSim) {
            if (hs.lastFinalActive[h] != 0 && hs.entryActive[h] == 0)
                ++m_inactiveTransitions;
            hs.lastFinalActive[h] = hs.entryActive[h];
        }
    }
    m_energyJ += frameEnergy;

    Vms& vs = m_vms;
    for (std::size_t j = 0; j < vmCount(); ++j) {
        if (vs.entryPlaced[j] == 0)
            continue;
        const double requested = vs.entryRequested[j];
        const double allocated = vs.entryAllocated[j];
        vs.requestedMs[j] += requested * dt;
        vs.allocatedMs[j] += allocated * dt;
        if (allocated < requested) {
            m_shortfallRatioSum += (requested - allocated) / requested;
            ++m_shortfallFrames;
            if (vs.entryMigrating[j] != 0)
                vs.degradationMs[j] += (requested - allocated) * dt;
        }
    }
    m_simulatedSeconds += dt;
}

void ComputeCluster::setEntries(double offset)
{
    const bool cloudSim = m_config.accounting == Accounting::CloudSim;
    Hosts& hs = m_hosts;
    for (std::size_t h = 0; h < hostCount(); ++h) {
        hs.entryDraws[h] = drawsPower(h) ? 1 : 0;
        hs.entryPower[h] = hs.modelPower[h];
        const bool active = cloudSim ? hs.allocated[h] > 0 : hs.state[h] == HostState::On;
        const bool violating = cloudSim ? hs.allocated[h] < hs.requested[h] : hs.overloaded[h] != 0;
        hs.entryActive[h] = active ? 1 : 0;
        hs.entryViolating[h] = violating ? 1 : 0;
    }
    Vms& vs = m_vms;
    for (std::size_t j = 0; j < vmCount(); ++j) {
        vs.entryPlaced[j] = vs.host[j] != kNone ? 1 : 0;
        vs.entryMigrating[j] = vs.target[j] != kNone ? 1 : 0;
        vs.entryRequested[j] = vs.demand[j];
        vs.entryAllocated[j] = vs.allocated[j];
    }
    m_entryTime = offset;
    m_hasEntries = true;
}

void ComputeCluster::completeMigration(VmIndex vm)
{
    const std::uint32_t source = m_vms.host[vm];
    const std::uint32_t destination = m_vms.target[vm];
    const auto id = static_cast<std::uint32_t>(vm);
    auto& from = m_hosts.resident[source];
    from.erase(std::find(from.begin(), from.end(), id));
    auto& arriving = m_hosts.incoming[destination];
    arriving.erase(std::find(arriving.begin(), arriving.end(), id));
    m_hosts.resident[destination].push_back(id);
    m_hosts.ramUsed[source] -= m_vms.ramHeld[vm];
    m_hosts.bwUsed[source] -= m_vms.bwHeld[vm];
    const bool reserved = m_config.memoryRule == MemoryRule::Always;
    m_vms.ramHeld[vm] = reserved ? m_vms.ramMb[vm] : 0.0;
    m_vms.bwHeld[vm] = reserved ? m_vms.bwMbps[vm] : 0.0;
    m_vms.host[vm] = destination;
    m_vms.target[vm] = kNone;
    m_vms.migrationEnd[vm] = std::numeric_limits<double>::quiet_NaN();
    m_vms.incomingAllocated[vm] = 0.0;
    ++m_migrationsCompleted;
}

void ComputeCluster::appendHistories(double offset)
{
    for (std::size_t j = 0; j < vmCount(); ++j)
        if (m_vms.host[j] != kNone)
            pushRing(m_vms.history, m_vms.historyNext, m_vms.historyCount, j, traceAt(j, offset));
    for (std::size_t h = 0; h < hostCount(); ++h)
        pushRing(m_hosts.history, m_hosts.historyNext, m_hosts.historyCount, h,
                 m_hosts.utilisation[h]);
}

// --- queries -------------------------------------------------------------------------------------

double ComputeCluster::hostAvailableMips(HostIndex host) const
{
    return std::max(0.0, m_hosts.totalMips[host] - m_hosts.committed[host]);
}

double ComputeCluster::hostRamAvailableMb(HostIndex host) const
{
    return std::max(0.0, m_hosts.ramMb[host] - m_hosts.ramUsed[host]);
}

double ComputeCluster::hostBandwidthAvailableMbps(HostIndex host) const
{
    return std::max(0.0, m_hosts.bwMbps[host] - m_hosts.bwUsed[host]);
}

double ComputeCluster::hostPowerW(HostIndex host) const
{
    if (m_config.accounting == Accounting::NonPowerAware)
        return m_hostSpecs[host].power.watts.back();
    return drawsPower(host) ? m_hosts.modelPower[host] : 0.0;
}

double ComputeCluster::totalPowerW() const
{
    double total = 0.0;
    for (std::size_t h = 0; h < hostCount(); ++h)
        total += hostPowerW(h);
    return total;
}

HistoryView ComputeCluster::hostUtilisationHistory(HostIndex host) const
{
    return {m_hosts.history.data() + host * kHistoryLength, m_hosts.historyNext[host],
            m_hosts.historyCount[host]};
}

HistoryView ComputeCluster::vmUtilisationHistory(VmIndex vm) const
{
    return {m_vms.history.data() + vm * kHistoryLength, m_vms.historyNext[vm],
            m_vms.historyCount[vm]};
}

UtilisationHistory ComputeCluster::hostHistoryFromVms(HostIndex host) const
{
    UtilisationHistory out;
    const double hostMips = m_hosts.totalMips[host];
    const auto add = [&](std::uint32_t j) {
        const HistoryView history = vmUtilisationHistory(j);
        for (std::size_t i = 0; i < history.size(); ++i)
            out.values[i] += history[i] * m_vms.mips[j] / hostMips;
    };
    for (const std::uint32_t j : m_hosts.resident[host])
        add(j);
    for (const std::uint32_t j : m_hosts.incoming[host])
        add(j);
    // MathUtil.trimZeroTail
    std::size_t size = kHistoryLength;
    while (size > 0 && out.values[size - 1] == 0.0)
        --size;
    out.size = size;
    return out;
}

HostIndex ComputeCluster::vmHost(VmIndex vm) const
{
    return m_vms.host[vm] == kNone ? kNoHost : m_vms.host[vm];
}

HostIndex ComputeCluster::vmMigrationTarget(VmIndex vm) const
{
    return m_vms.target[vm] == kNone ? kNoHost : m_vms.target[vm];
}

double ComputeCluster::vmMigrationEnd(VmIndex vm) const
{
    return m_vms.migrationEnd[vm];
}

ComputeMetrics ComputeCluster::metrics() const
{
    ComputeMetrics m;
    m.energyKwh = m_energyJ / kJoulesPerKwh;

    double hostRatioSum = 0.0;
    std::size_t activeHosts = 0;
    for (std::size_t h = 0; h < hostCount(); ++h) {
        const double active = m_hosts.activeSeconds[h];
        m.activeHostSeconds += active;
        m.violationHostSeconds += m_hosts.violationSeconds[h];
        if (active > 0) {
            hostRatioSum += m_hosts.violationSeconds[h] / active;
            ++activeHosts;
        }
    }
    m.slatah = m.activeHostSeconds > 0 ? m.violationHostSeconds / m.activeHostSeconds : 0.0;
    m.slatahHostMean = activeHosts > 0 ? hostRatioSum / static_cast<double>(activeHosts) : 0.0;

    double vmRatioSum = 0.0;
    std::size_t ranVms = 0;
    for (std::size_t j = 0; j < vmCount(); ++j) {
        const double requested = m_vms.requestedMs[j];
        m.requestedMipsSeconds += requested;
        m.allocatedMipsSeconds += m_vms.allocatedMs[j];
        m.migrationDegradationMipsSeconds += m_vms.degradationMs[j];
        if (requested > 0) {
            vmRatioSum += m_vms.degradationMs[j] / requested;
            ++ranVms;
        }
    }
    if (m.requestedMipsSeconds > 0) {
        m.pdm = m.migrationDegradationMipsSeconds / m.requestedMipsSeconds;
        m.overallSlaViolation =
            (m.requestedMipsSeconds - m.allocatedMipsSeconds) / m.requestedMipsSeconds;
    }
    m.pdmVmMean = ranVms > 0 ? vmRatioSum / static_cast<double>(ranVms) : 0.0;
    m.averageSlaViolation =
        m_shortfallFrames > 0 ? m_shortfallRatioSum / static_cast<double>(m_shortfallFrames) : 0.0;
    m.slav = m.slatah * m.pdm;
    m.esv = m.energyKwh * m.slav;
    m.migrations = m_migrationsStarted;
    m.migrationsCompleted = m_migrationsCompleted;
    if (m_config.accounting == Accounting::CloudSim) {
        m.hostShutdowns = m_inactiveTransitions;
        // The last entries are final once the run stops.
        if (m_hasEntries)
            for (std::size_t h = 0; h < hostCount(); ++h)
                if (m_hosts.lastFinalActive[h] != 0 && m_hosts.entryActive[h] == 0)
                    ++m.hostShutdowns;
    } else {
        m.hostShutdowns = m_switchOffs;
    }
    m.simulatedSeconds = m_simulatedSeconds;
    return m;
}

std::uint64_t ComputeCluster::stateHash() const
{
    Fnv f;
    f.value(m_clock);
    f.value(m_entryTime);
    f.value(m_energyJ);
    f.value(m_simulatedSeconds);
    f.value(m_shortfallRatioSum);
    f.value(m_shortfallFrames);
    f.value(m_migrationsStarted);
    f.value(m_migrationsCompleted);
    f.value(m_switchOffs);
    f.value(m_inactiveTransitions);
    const Hosts& hs = m_hosts;
    f.vec(hs.state);
    f.vec(hs.bootDone);
    for (const auto* v : {&hs.ramUsed, &hs.bwUsed, &hs.committed, &hs.allocated, &hs.requested,
                          &hs.utilisation, &hs.modelPower, &hs.entryPower, &hs.energyJ,
                          &hs.activeSeconds, &hs.violationSeconds, &hs.history})
        f.vec(*v);
    for (const auto* v : {&hs.overloaded, &hs.entryDraws, &hs.entryActive, &hs.entryViolating,
                          &hs.lastFinalActive, &hs.historyNext, &hs.historyCount})
        f.vec(*v);
    for (std::size_t h = 0; h < hostCount(); ++h) {
        f.vec(hs.resident[h]);
        f.value(std::uint32_t{0xFFFFFFFFU});
        f.vec(hs.incoming[h]);
        f.value(std::uint32_t{0xFFFFFFFFU});
    }
    const Vms& vs = m_vms;
    f.vec(vs.host);
    f.vec(vs.target);
    for (const auto* v :
         {&vs.migrationEnd, &vs.demand, &vs.allocated, &vs.incomingAllocated, &vs.entryRequested,
          &vs.entryAllocated, &vs.requestedMs, &vs.allocatedMs, &vs.degradationMs, &vs.history})
        f.vec(*v);
    for (const auto* v : {&vs.entryPlaced, &vs.entryMigrating, &vs.historyNext, &vs.historyCount})
        f.vec(*v);
    return f.hash();
}

twin::Result<std::size_t> placeFirstFit(ComputeCluster& cluster)
{
    std::size_t placed = 0;
    for (std::size_t vm = 0; vm < cluster.vmCount(); ++vm) {
        if (cluster.vmHost(vm) != kNoHost)
            continue;
        bool done = false;
        for (std::size_t host = 0; host < cluster.hostCount() && !done; ++host) {
            if (!cluster.fitsForPlacement(vm, host))
                continue;
            if (auto ok = cluster.place(vm, host); !ok)
                return ok.error();
            done = true;
            ++placed;
        }
        if (!done)
            return makeError(ErrorCode::InvalidArgument,
                             "VM '" + cluster.vmSpec(vm).id + "' (" + num(cluster.vmSpec(vm).mips) +
                                 " MIPS, " + num(cluster.vmSpec(vm).ramMb) + " MB) fits no host; " +
                                 std::to_string(placed) + " VMs were placed before it");
    }
    return placed;
}

} // namespace twindesk::sim
