#pragma once
/// \file decision_log.h
/// DecisionLog: the append-only, hash-chained record of every decision the control loop takes,
/// stored in the `decision_log` table of the project file (see twin/project_store.h).
///
/// ## Hash chain (format "twindesk-decision-log-v1")
/// Every row carries `prev_hash` (the previous row's `row_hash`) and its own `row_hash`:
///
///     row_hash = lowercase hex( SHA-256( canonical(row) ) )
///
/// `canonical(row)` is the concatenation of 14 netstrings, in this fixed order:
///
///     tag, seq, t, policy_id, policy_version, policy_hash, model_hash, inputs, proposed,
///     verdict, approval, applied, latency, prev_hash
///
/// where a netstring of the byte string `x` is `<decimal byte length of x>:<x>,`
/// (e.g. "abc" → `3:abc,`, "" → `0:,`), `tag` is the ASCII text `twindesk-decision-log-v1`,
/// `seq` and `t` are written in decimal ASCII (a leading `-` for negative values, no `+`, no
/// leading zeros), and every text field is taken byte for byte as stored (UTF-8, no
/// normalisation, no trimming). `row_hash` itself is not part of the input.
/// Example: seq 1, t 1700000000000, policy_id "p", the nine other text fields empty and
/// prev_hash the genesis value hashes the bytes
///
///     24:twindesk-decision-log-v1,1:1,13:1700000000000,1:p,0:,0:,0:,0:,0:,0:,0:,0:,0:,
///     64:90c5ad49…0bcd,
///
/// (one line, no newline; the full genesis hex in place of the ellipsis) to row_hash
/// 272feaa8338e0b995cd922bb970440317db0d4ee45260691713a137d7f8cc155, which an auditor can
/// recompute with `printf '%s' '…' | sha256sum`.
///
/// The first row has seq 1 and `prev_hash` = kDecisionLogGenesisHash = hex(SHA-256 of the 24
/// ASCII bytes `twindesk-decision-log-v1`). Each later row has seq = previous seq + 1.
///
/// What the chain proves and what it does not: editing, inserting or deleting a row in the
/// middle breaks the chain at that row (or at the next one, if the attacker also recomputed
/// that row's hash). It cannot detect removal of the newest rows, nor a wholesale rewrite of
/// the chain from some row onward: compare `VerifyReport::headHash` with a value recorded
/// elsewhere (a report, a ticket, a signed export) to anchor it.
///
/// ## Writing
/// append() assigns seq, prevHash and rowHash and buffers the record; the buffer is written in
/// one transaction with one prepared statement when it reaches `batchSize` rows, on flush(),
/// or on destruction. A crash loses at most the unflushed buffer; stored rows always form a
/// complete chain, because each batch commits completely or not at all and the next batch
/// continues from the last committed row.
/// Cost (bench/bench_decision_log, batch 256): an append that only buffers takes ~1 µs (one
/// SHA-256 of the row); the append that flushes pays ~1 ms for the batch; and whenever the
/// WAL passes SQLite's auto-checkpoint size (~4 MB, every ~20 batches) that commit also pays
/// the checkpoint, tens of ms. Callers that cannot absorb that in the loop use a smaller batch
/// or flush() at a quiet moment.
///
/// Thread affinity: a DecisionLog is used from one thread (the control loop's), like the
/// store whose connection it borrows. On a project file it is the only writer of the table:
/// flush() checks that the stored chain head is still the one it continued from and refuses
/// to fork the chain if another writer appended in between. On a shared store (PostgreSQL)
/// several loops write one log: see open(PgStore&).

#include <twindesk/twin/result.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace twindesk::twin {
class PgStore;
class ProjectStore;
class StoreSelection;
} // namespace twindesk::twin

namespace twindesk::policies {

/// Format tag, the first netstring of every row's canonical form.
inline constexpr std::string_view kDecisionLogFormatTag = "twindesk-decision-log-v1";
/// prev_hash of the first row: hex(SHA-256("twindesk-decision-log-v1")).
inline constexpr std::string_view kDecisionLogGenesisHash =
    "90c5ad4900892378bd3320ce6a225575bfa82ad8d19299bd5a1b2f4f75a50bcd";

/// One row of the decision log. Text fields are UTF-8 and must not contain NUL bytes.
struct DecisionRecord
{
    std::int64_t seq = 0;    ///< 1, 2, 3, ...; assigned by DecisionLog::append (input ignored)
    std::int64_t timeMs = 0; ///< decision time, ms since the Unix epoch (UTC), loop's clock
    std::string policyId;    ///< required (non-empty)
    std::string policyVersion;
    std::string policyHash; ///< e.g. "sha256:<hex>" of the policy artefact
    std::string modelHash;  ///< hash of the twin model the policy saw
    /// Compact JSON snapshot of the inputs, or "sha256:<hex> ref:<historian range>".
    std::string inputs;
    std::string proposed; ///< the policy's action, e.g. sim::describeAction or JSON
    std::string verdict;  ///< guard verdict: "accepted" | "modified" | "rejected" | "fallback" ...
    /// "auto" | "approved by <user>" | "pending" | "rejected by <user>" | "expired" ...
    std::string approval;
    std::string applied;  ///< the action actually applied ("" when none)
    std::string latency;  ///< compact JSON of per-stage microseconds, e.g. {"policy":412,...}
    std::string prevHash; ///< assigned by append: previous row's rowHash (or the genesis value)
    std::string rowHash;  ///< assigned by append: see the file comment

    bool operator==(const DecisionRecord&) const = default;
};

/// The exact bytes that are hashed for `record` (see the file comment); uses every field
/// except rowHash.
std::string canonicalDecisionRecord(const DecisionRecord& record);

/// hex(SHA-256(canonicalDecisionRecord(record))). Fails only if OpenSSL cannot provide SHA-256.
twin::Result<std::string> decisionRowHash(const DecisionRecord& record);

/// Lowercase hex SHA-256 of `bytes` (OpenSSL EVP): policy and model content hashes.
twin::Result<std::string> sha256Hex(std::string_view bytes);

struct DecisionLogOptions
{
    static constexpr std::size_t kDefaultBatchSize = 256;
    /// Rows buffered before append() flushes automatically (1 = write every row at once).
    std::size_t batchSize = kDefaultBatchSize;
};

/// Filters for DecisionLog::query. All present filters must match (AND).
struct DecisionQuery
{
    std::int64_t fromSeq = 1;                ///< first seq to consider (inclusive)
    std::size_t limit = 1000;                ///< at most this many rows (0 → none)
    std::optional<std::string> policyId;     ///< exact match
    std::optional<std::string> verdict;      ///< exact match
    std::optional<std::int64_t> fromTimeMs;  ///< t >= fromTimeMs
    std::optional<std::int64_t> untilTimeMs; ///< t < untilTimeMs
};

/// Result of checking the chain of a whole log.
struct VerifyReport
{
    bool ok = false;                            ///< true when every row checks out
    std::int64_t rows = 0;                      ///< rows in the table
    std::optional<std::int64_t> firstBrokenSeq; ///< seq of the first row that fails
    /// Why that row fails ("content does not match its row_hash", "prev_hash … does not match
    /// the row_hash … of seq 6", "seq 8 follows seq 6: seq 7 is missing (deleted)", ...);
    /// empty when ok.
    std::string reason;
    std::int64_t lastSeq = 0; ///< seq of the newest row (0 when empty)
    /// row_hash of the newest row (the genesis value when empty): compare it with a head
    /// recorded elsewhere to detect truncation or a rewritten chain.
    std::string headHash;
    /// Signs of tampering that do not break the chain, e.g. a dropped append-only trigger.
    std::vector<std::string> warnings;
};

class DecisionLog
{
public:
    /// Opens the log of `store`. Reads the chain head (last seq and row_hash) once. The store
    /// must outlive the DecisionLog (destroy the log first: its destructor flushes). A
    /// read-only store gives a log that can query() but whose append() fails.
    static twin::Result<DecisionLog> open(twin::ProjectStore& store,
                                          DecisionLogOptions options = {});
    /// Opens the decision log of a shared PostgreSQL store, where several loops (on several
    /// machines) append to one chain: every append is written at once (batch size 1), in a
    /// transaction that takes an advisory lock on the log, reads the stored head and continues
    /// the chain from it. So a row's seq, prevHash and rowHash are final when append()
    /// returns, rows of different loops interleave, and the chain stays one line that
    /// `audit verify` checks as on a project file. Cost: one round trip per decision (bench:
    /// docs/benchmarks.md). The store must outlive the log.
    static twin::Result<DecisionLog> open(twin::PgStore& store);
    /// The log of the store a command selected (twin/store_location.h): the shared store's
    /// when there is one (`options` then does not apply), else the project file's.
    static twin::Result<DecisionLog> open(const twin::StoreSelection& store,
                                          DecisionLogOptions options = {});

    /// Checks the whole chain of the project file `projectFile`, opened read-only in one read
    /// transaction. Errors: NotFound (no file), CorruptFile (not a project, no/damaged
    /// decision_log table, unreadable pages), InvalidArgument (schema needs a migration).
    /// A readable log whose rows do not check out is not an error: see VerifyReport.
    static twin::Result<VerifyReport> verify(const std::filesystem::path& projectFile);
    /// Checks the whole chain of a shared store's decision log, in one REPEATABLE READ
    /// snapshot (writers keep appending meanwhile). Same report as for a project file.
    static twin::Result<VerifyReport> verify(twin::PgStore& store);

    DecisionLog(DecisionLog&&) noexcept;
    /// The log being replaced is closed as by its destructor (its buffer is flushed).
    DecisionLog& operator=(DecisionLog&&) noexcept;
    DecisionLog(const DecisionLog&) = delete;
    DecisionLog& operator=(const DecisionLog&) = delete;
    /// Flushes what is buffered. A destructor cannot report errors: callers flush()
    /// explicitly before closing; if this last flush fails, the lost rows are counted in
    /// rowsLostOnDestruction() and a line goes to stderr. Never throws.
    ~DecisionLog();

    /// Assigns record.seq/prevHash/rowHash, buffers the record, and flushes when the buffer
    /// reaches batchSize. Errors: InvalidArgument (empty policyId, a NUL byte in a field, a
    /// read-only store; nothing buffered) or the flush's error (the record stays buffered).
    twin::Status append(DecisionRecord record);
    /// Writes every buffered row in one transaction (no-op when empty). On failure nothing is
    /// written and the rows stay buffered for the next flush. StorageError when another writer
    /// appended to the table since this log read its head: the chain would fork, so this log
    /// writes nothing more; reopen it.
    twin::Status flush();

    /// Stored rows with seq >= fromSeq, in seq order, at most `limit`. Buffered rows are not
    /// included: flush() first.
    [[nodiscard]] twin::Result<std::vector<DecisionRecord>> read(std::int64_t fromSeq,
                                                                 std::size_t limit) const;
    /// Stored rows matching `query`, in seq order. Filters other than seq scan the table.
    [[nodiscard]] twin::Result<std::vector<DecisionRecord>> query(const DecisionQuery& query) const;

    /// Seq of the newest row, buffered or stored (0 for an empty log).
    [[nodiscard]] std::int64_t lastSeq() const;
    /// rowHash of the newest row, buffered or stored (the genesis value for an empty log).
    [[nodiscard]] const std::string& headHash() const;
    /// Rows appended but not yet written.
    [[nodiscard]] std::size_t pending() const;
    /// True for the log of a shared store (open(PgStore&)): other loops may append too.
    [[nodiscard]] bool shared() const;
    /// Transactions committed by flush() since open (one per written batch).
    [[nodiscard]] std::int64_t transactionCount() const;
    [[nodiscard]] const DecisionLogOptions& options() const;

    /// Rows that destructors of DecisionLogs in this process failed to write (process-wide).
    static std::int64_t rowsLostOnDestruction();

private:
    struct Impl;
    explicit DecisionLog(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace twindesk::policies
