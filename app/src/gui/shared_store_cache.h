#pragma once
/// \file shared_store_cache.h
/// The console's connection to the shared store a project names (its meta key `store`,
/// docs/store.md), made once and kept by the view that uses it: the approvals, decisions,
/// trends and 3D views refresh every second while a live loop runs, and connecting to
/// PostgreSQL each time would cost a connection (and its authentication) per refresh. A
/// connection the server dropped is re-established by PgStore itself.

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/result.h>

#include <memory>
#include <string>

namespace twindesk::twin {
class Historian;
class ProjectStore;
class SqlConnection;
} // namespace twindesk::twin

namespace twindesk::app {

class SharedStoreCache
{
public:
    /// The shared store `project` names, connected on first use (and again when the project
    /// names another one); nullptr when the project keeps everything in its own file.
    twin::Result<twin::PgStore*> of(const twin::ProjectStore& project);

    /// Where `project`'s history is: the shared store's historian or the file's.
    twin::Result<twin::Historian*> historian(twin::ProjectStore& project);
    /// The connection holding `project`'s decision log and approvals.
    twin::Result<twin::SqlConnection*> sql(twin::ProjectStore& project);

private:
    std::string m_url;
    std::unique_ptr<twin::PgStore> m_store;
};

} // namespace twindesk::app
