#include "sweep_store.h"

namespace twindesk::app {

twin::Result<SweepStore> SweepStore::open(const std::filesystem::path& project,
                                          const std::optional<std::string>& store)
{
    SweepStore out;
    if (!project.empty()) {
        auto opened = twin::ProjectStore::open(project, twin::OpenMode::ReadWrite);
        if (!opened)
            return opened.error();
        out.m_project = std::make_unique<twin::ProjectStore>(std::move(opened).value());
        auto selection = twin::StoreSelection::resolve(*out.m_project, store);
        if (!selection)
            return selection.error();
        out.m_selection = std::make_unique<twin::StoreSelection>(std::move(selection).value());
        out.m_results = out.m_selection->shared() != nullptr
                            ? std::make_unique<twin::SweepResultStore>(*out.m_selection->shared())
                            : std::make_unique<twin::SweepResultStore>(*out.m_project);
        return out;
    }
    if (!store)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "no store given: pass --store postgresql://USER@HOST/DB, or "
                               "--project PROJECT.twin for the project's store",
                               "--store");
    if (*store == twin::kProjectStoreName)
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "'project' means a project file's store: pass --project "
                               "PROJECT.twin too",
                               "--store");
    if (!twin::PgStore::isPostgresUrl(*store))
        return twin::makeError(twin::ErrorCode::InvalidArgument,
                               "'" + twin::PgStore::redactedUrl(*store) +
                                   "' is not a store: give postgresql://user@host[:port]/database "
                                   "or 'project' (with --project, the project file)",
                               "--store");
    auto shared = twin::PgStore::connect(*store);
    if (!shared)
        return shared.error();
    out.m_shared = std::make_unique<twin::PgStore>(std::move(shared).value());
    out.m_results = std::make_unique<twin::SweepResultStore>(*out.m_shared);
    return out;
}

const std::vector<SweepColumn>& sweepColumns()
{
    static const std::vector<SweepColumn> kColumns{
        {"annual_heating_mwh", "heating", "MWh"},
        {"annual_cooling_mwh", "cooling", "MWh"},
        {"electricity_kwh", "electricity", "kWh"},
        {"gas_kwh", "gas", "kWh"},
        {"discomfort_kh", "discomfort", "K·h"},
        {"compute_kwh", "IT energy", "kWh", true},
        {"migrations", "migr", "", true},
        {"slav", "SLAV", "", true},
        {"wall_time_s", "wall time", "s", false, false},
    };
    return kColumns;
}

} // namespace twindesk::app
