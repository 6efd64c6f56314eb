#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/store_location.h>

namespace twindesk::twin {

Result<StoreSelection> StoreSelection::resolve(ProjectStore& project,
                                                       const std::optional<std::string>& override)
{
    std::string value;
    std::string where;
    if (override) {
        value = *override;
        where = "--store";
    } else {
        auto meta = project.meta(std::string(kStoreMetaKey));
        if (!meta)
            return meta.error();
        value = meta->value_or("");
        where = project.path().string() + ": meta key '" + std::string(kStoreMetaKey) + "'";
    }
    if (value.empty() || value == kProjectStoreName)
        return StoreSelection(&project, &project, nullptr);
    if (!PgStore::isPostgresUrl(value))
        return makeError(ErrorCode::InvalidArgument,
                         "'" + PgStore::redactedUrl(value) +
                             "' is not a store: give postgresql://user@host[:port]/database "
                             "or 'project' (the project file)",
                         where);
    auto shared = PgStore::connect(value);
    if (!shared)
        return shared.error();
    auto owned = std::make_unique<PgStore>(std::move(shared).value());
    Historian* h = owned.get();
    return StoreSelection(&project, h, std::move(owned));
}

SqlConnection& StoreSelection::sql() const
{
    return m_shared ? m_shared->sql() : m_project->sql();
}

std::string StoreSelection::describe() const
{
    return m_shared ? m_shared->location() : "project file";
}

} // namespace twindesk::twin
