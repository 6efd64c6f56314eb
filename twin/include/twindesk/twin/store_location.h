#pragma once
/// \file store_location.h
/// Which historian a project uses. By default the project file itself (SQLite, no server);
/// a project may name a shared PostgreSQL store in its meta key `store`, and a command's
/// `--store` overrides that for one run (docs/store.md):
///
///     --store postgresql://user@host:5432/db    the shared store
///     --store project                           the project file, whatever the meta key says
///
/// Passwords belong in ~/.pgpass or PGPASSWORD (libpq reads both), not in the URL: a URL
/// with a password is accepted but never printed or stored back (PgStore::redactedUrl).

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace twindesk::twin {

/// The project meta key that names the shared store.
inline constexpr std::string_view kStoreMetaKey = "store";
/// The `--store` value that names the project file itself.
inline constexpr std::string_view kProjectStoreName = "project";

/// The shared store's URL that `override` (a `--store` value) or else the project's meta key
/// names; std::nullopt for the project file. An unknown scheme fails naming where it was given.
Result<std::optional<std::string>> sharedStoreUrl(const ProjectStore& project,
                                                  const std::optional<std::string>& override);

/// The store a command writes to or reads from — historian, decision log, approval queue:
/// the project file, or a shared store this object owns. (The model, recordings and live
/// events always stay in the project file.)
class StoreSelection
{
public:
    /// Resolves `override` (a `--store` value; std::nullopt when not given), else the project's
    /// meta key, else the project file. Connects to (and migrates) a shared store.
    /// An unknown scheme fails naming where it was given (`--store` or the meta key).
    static Result<StoreSelection> resolve(ProjectStore& project,
                                              const std::optional<std::string>& override);

    [[nodiscard]] Historian& historian() const { return *m_historian; }
    /// The shared store, or nullptr when the historian is the project file.
    [[nodiscard]] PgStore* shared() const { return m_shared.get(); }
    /// The project file the selection was resolved for.
    [[nodiscard]] ProjectStore& project() const { return *m_project; }
    /// The connection that holds the decision log and approvals: the shared store's or the
    /// project file's.
    [[nodiscard]] SqlConnection& sql() const;
    /// "project file" or the redacted URL, for messages.
    [[nodiscard]] std::string describe() const;

private:
    StoreSelection(ProjectStore* project, Historian* historian, std::unique_ptr<PgStore> shared)
        : m_project(project), m_historian(historian), m_shared(std::move(shared))
    {
    }
    ProjectStore* m_project;
    Historian* m_historian;
    std::unique_ptr<PgStore> m_shared;
};

} // namespace twindesk::twin
