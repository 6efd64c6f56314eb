#pragma once
/// \file pg_store.h
/// PgStore: the shared store on PostgreSQL 15 (libpq), for sites where several consoles and
/// live loops share one history. It holds the shared tables of the project schema
/// (store_schema.h: historian, series, aggregates, decision log, approvals, recordings); the
/// model stays in the project file. Selected with `--store postgresql://user@host/db` or the
/// project's meta key `store` (docs/store.md).
///
/// Schema: the version is the one row of table `twindesk_schema`. connect() migrates an older
/// (or empty) database forward in one transaction under a transaction-level advisory lock, so
/// two processes connecting to a fresh database at once do not both migrate; a newer schema is
/// refused (SchemaTooNew).
/// Historian ingest: COPY into a session-temporary staging table, then one
/// `INSERT ... SELECT DISTINCT ON (series, t) ... ON CONFLICT DO UPDATE` into `historian`, all
/// in one transaction: same replace semantics as the SQLite file (last sample wins), all or
/// nothing. Series are created with `INSERT ... ON CONFLICT DO NOTHING`, safe with concurrent
/// writers.
/// Notifications: listen()/notify()/waitForNotifications() wrap LISTEN/NOTIFY, for waking
/// readers in other processes (e.g. an approval decided in another console).
/// Connection loss: every call first checks the connection and, when the server dropped it,
/// reconnects once (PQreset) and renews the session (staging table, LISTENs); a call that
/// fails while the server is away returns StorageError and changes nothing, so a writer's
/// next flush stores its kept batch. Notifications sent while disconnected are lost: readers
/// poll as a fallback.
/// Thread affinity: one thread at a time (one PGconn). Open one PgStore per thread.

#include <twindesk/twin/historian.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::twin {

class SqlConnection;

/// A NOTIFY received on a channel this connection LISTENs to.
struct StoreNotification
{
    std::string channel;
    std::string payload;
    int senderPid = 0; ///< the notifying backend's pid
};

class PgStore final : public Historian
{
public:
    /// True for `postgresql://` and `postgres://` URLs.
    static bool isPostgresUrl(std::string_view url);
    /// `url` with any password replaced by `***`, for messages and logs.
    static std::string redactedUrl(std::string_view url);

    /// Connects (libpq URL or key=value conninfo) and migrates the shared tables forward.
    static Result<PgStore> connect(const std::string& url);

    PgStore(PgStore&&) noexcept;
    PgStore& operator=(PgStore&&) noexcept;
    ~PgStore() override;

    [[nodiscard]] int schemaVersion() const;
    [[nodiscard]] std::string location() const override;

    // Historian (historian.h).
    Status appendSamples(std::span<const Sample> samples) override;
    [[nodiscard]] Result<std::vector<Sample>> samples(const std::string& point, std::int64_t from,
                                                      std::int64_t to) const override;
    [[nodiscard]] Result<std::int64_t> sampleCount() const override;
    [[nodiscard]] Result<std::vector<Sample>> latestSamples(std::int64_t atOrBefore) const override;
    [[nodiscard]] Result<std::optional<std::pair<std::int64_t, std::int64_t>>>
    historianRange() const override;
    Result<std::int64_t> seriesId(const std::string& point) override;
    Status appendSeries(std::span<const SeriesSample> samples) override;

    /// Runs SQL text (one or more statements, no parameters, results discarded).
    Status exec(const std::string& sql);
    /// The first column of the first row of `sql` as text (std::nullopt: no row or NULL).
    Result<std::optional<std::string>> queryText(const std::string& sql) const;

    /// LISTEN on `channel` (an identifier: letters, digits, '_').
    Status listen(const std::string& channel);
    /// NOTIFY `channel` with `payload` (pg_notify; delivered when the transaction commits).
    Status notify(const std::string& channel, const std::string& payload);
    /// Notifications received so far, waiting up to `timeoutMs` for the first one when none
    /// is pending (0: do not wait). An empty vector: none arrived in time.
    Result<std::vector<StoreNotification>> waitForNotifications(int timeoutMs);

    /// The store's connection as a SqlConnection (sql_connection.h), for the decision log and
    /// the approval queue. Same connection, same thread affinity; valid while this store is.
    SqlConnection& sql();

private:
    struct Impl;
    class Sql;
    explicit PgStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
    std::unique_ptr<Sql> m_sql; // made on first use; refers to *m_impl
};

} // namespace twindesk::twin
