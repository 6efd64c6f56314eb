#include "shared_store_cache.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/store_location.h>

namespace twindesk::app {

twin::Result<twin::PgStore*> SharedStoreCache::of(const twin::ProjectStore& project)
{
    auto named = twin::sharedStoreUrl(project, std::nullopt);
    if (!named)
        return named.error();
    if (!*named) {
        m_store.reset();
        m_url.clear();
        return static_cast<twin::PgStore*>(nullptr);
    }
    const std::string& url = **named;
    if (m_store && url == m_url)
        return m_store.get();
    auto store = twin::PgStore::connect(url);
    if (!store)
        return store.error();
    m_store = std::make_unique<twin::PgStore>(std::move(store).value());
    m_url = url;
    return m_store.get();
}

twin::Result<twin::Historian*> SharedStoreCache::historian(twin::ProjectStore& project)
{
    auto shared = of(project);
    if (!shared)
        return shared.error();
    return *shared != nullptr ? static_cast<twin::Historian*>(*shared)
                              : static_cast<twin::Historian*>(&project);
}

twin::Result<twin::SqlConnection*> SharedStoreCache::sql(twin::ProjectStore& project)
{
    auto shared = of(project);
    if (!shared)
        return shared.error();
    return *shared != nullptr ? &(*shared)->sql() : &project.sql();
}

} // namespace twindesk::app
