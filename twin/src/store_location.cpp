#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/store_location.h>

namespace twindesk::twin {

Result<std::optional<std::string>> sharedStoreUrl(const ProjectStore& project,
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
        return std::optional<std::string>{};
    if (!PgStore::isPostgresUrl(value))
        return makeError(ErrorCode::InvalidArgument,
                         "'" + PgStore::redactedUrl(value) +
                             "' is not a store: give postgresql://user@host[:port]/database "
                             "or 'project' (the project file)",
                         where);
    return std::optional<std::string>{value};
}

Result<StoreSelection> StoreSelection::resolve(ProjectStore& project,
                                               const std::optional<std::string>& override)
{
    auto url = sharedStoreUrl(project, override);
    if (!url)
        return url.error();
    if (!*url)
        return StoreSelection(&project, &project, nullptr);
    auto shared = PgStore::connect(**url);
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
