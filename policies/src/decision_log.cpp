#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>
#include <twindesk/twin/sqlite_statement.h>
#include <twindesk/twin/store_location.h>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <limits>
#include <openssl/evp.h>
#include <utility>

namespace twindesk::policies {

using twin::ErrorCode;
using twin::makeError;
using twin::Result;
using twin::Status;

namespace {

constexpr std::string_view kTable = "decision_log";
constexpr std::array<std::string_view, 2> kTriggers{"decision_log_append_only_update",
                                                    "decision_log_append_only_delete"};
// Column order shared by the insert, the reads and verify(); matches the canonical form.
constexpr const char* kColumns = "seq, t, policy_id, policy_version, policy_hash, model_hash, "
                                 "inputs, proposed, verdict, approval, applied, latency, "
                                 "prev_hash, row_hash";
constexpr int kColumnCount = 14;

std::atomic<std::int64_t> gRowsLostOnDestruction{0};

using twin::sql::Statement;

using twin::sql::storageError;

std::string tableWhere(sqlite3* db)
{
    const char* file = sqlite3_db_filename(db, "main");
    std::string where = (file != nullptr && *file != '\0') ? file : "(in-memory database)";
    return where + ": table " + std::string(kTable);
}

// ---- SHA-256 through OpenSSL's EVP API ----

struct MdFree
{
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct CtxFree
{
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Fetched once: an explicitly fetched EVP_MD avoids a provider lookup per digest.
const EVP_MD* sha256Md()
{
    static const std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    return md.get();
}

class Sha256
{
public:
    Sha256() : m_ctx(EVP_MD_CTX_new()) {}

    /// Writes lowercase hex of SHA-256(data) to `out`; false if OpenSSL fails.
    bool hex(std::string_view data, std::string& out)
    {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        const EVP_MD* md = sha256Md();
        if (!m_ctx || md == nullptr || EVP_DigestInit_ex2(m_ctx.get(), md, nullptr) != 1 ||
            EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1 ||
            EVP_DigestFinal_ex(m_ctx.get(), digest.data(), &length) != 1)
            return false;
        static constexpr std::string_view kDigits = "0123456789abcdef";
        out.resize(std::size_t{length} * 2);
        for (unsigned int i = 0; i < length; ++i) {
            out[2 * std::size_t{i}] = kDigits[digest[i] >> 4U];
            out[2 * std::size_t{i} + 1] = kDigits[digest[i] & 0x0fU];
        }
        return true;
    }

private:
    std::unique_ptr<EVP_MD_CTX, CtxFree> m_ctx;
};

twin::Error hashError()
{
    return makeError(ErrorCode::StorageError,
                     "OpenSSL could not compute SHA-256 (is the default provider available? "
                     "check OPENSSL_CONF)");
}

// ---- canonical form ----

void appendNetstring(std::string& out, std::string_view value)
{
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value.size()).ptr;
    out.append(digits.data(), end);
    out += ':';
    out.append(value);
    out += ',';
}

void appendNetstring(std::string& out, std::int64_t value)
{
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    appendNetstring(out,
                    std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
}

void appendCanonical(std::string& out, const DecisionRecord& r)
{
    appendNetstring(out, kDecisionLogFormatTag);
    appendNetstring(out, r.seq);
    appendNetstring(out, r.timeMs);
    for (const std::string* field :
         {&r.policyId, &r.policyVersion, &r.policyHash, &r.modelHash, &r.inputs, &r.proposed,
          &r.verdict, &r.approval, &r.applied, &r.latency, &r.prevHash})
        appendNetstring(out, *field);
}

// Reads the 14 columns (kColumns order) of a row.
DecisionRecord readRecord(const twin::SqlRow& st)
{
    DecisionRecord r;
    r.seq = st.int64(0);
    r.timeMs = st.int64(1);
    r.policyId = st.text(2);
    r.policyVersion = st.text(3);
    r.policyHash = st.text(4);
    r.modelHash = st.text(5);
    r.inputs = st.text(6);
    r.proposed = st.text(7);
    r.verdict = st.text(8);
    r.approval = st.text(9);
    r.applied = st.text(10);
    r.latency = st.text(11);
    r.prevHash = st.text(12);
    r.rowHash = st.text(13);
    return r;
}

// Key of the transaction-level advisory lock that serialises writers of a shared decision log
// ('TWND' + 2; the schema migration uses + 1).
constexpr std::int64_t kSharedLogLockKey = 0x54574E4402;

constexpr std::array<const char*, kColumnCount> kColumnNames{
    "seq",      "t",       "policy_id", "policy_version", "policy_hash", "model_hash", "inputs",
    "proposed", "verdict", "approval",  "applied",        "latency",     "prev_hash",  "row_hash"};

const char* typeName(twin::SqlType type)
{
    switch (type) {
    case twin::SqlType::Integer:
        return "an integer";
    case twin::SqlType::Real:
        return "a real number";
    case twin::SqlType::Blob:
        return "a blob";
    case twin::SqlType::Null:
        return "NULL";
    default:
        return "text";
    }
}

std::string seqRange(std::int64_t first, std::int64_t last)
{
    return first == last ? "seq " + std::to_string(first) + " is"
                         : "seqs " + std::to_string(first) + "–" + std::to_string(last) + " are";
}

std::string shortHash(const std::string& hash)
{
    return hash.size() > 12 ? hash.substr(0, 12) + "…" : hash;
}

} // namespace

std::string canonicalDecisionRecord(const DecisionRecord& record)
{
    std::string out;
    appendCanonical(out, record);
    return out;
}

Result<std::string> decisionRowHash(const DecisionRecord& record)
{
    Sha256 sha;
    std::string hex;
    if (!sha.hex(canonicalDecisionRecord(record), hex))
        return hashError();
    return hex;
}

Result<std::string> sha256Hex(std::string_view bytes)
{
    Sha256 sha;
    std::string hex;
    if (!sha.hex(bytes, hex))
        return hashError();
    return hex;
}

// ---- DecisionLog ----

struct DecisionLog::Impl
{
    sqlite3* db = nullptr;               // borrowed from the ProjectStore (project file only)
    twin::SqlConnection* sql = nullptr;  // the store's connection (both back ends)
    bool shared = false;                 // the shared store: the chain is assigned at write time
    std::string where;
    DecisionLogOptions options;
    bool readOnly = false;

    Statement begin;
    Statement commit;
    Statement rollback;
    Statement head;
    Statement insert;

    std::vector<DecisionRecord> buffer;
    std::int64_t storedSeq = 0; // chain head as committed
    std::string storedHash{kDecisionLogGenesisHash};
    std::int64_t lastSeq = 0; // chain head including the buffer
    std::string lastHash{kDecisionLogGenesisHash};
    std::int64_t transactions = 0;
    std::optional<twin::Error> forked; // set once another writer moved the head

    Sha256 sha;
    std::string scratch; // reused canonical-form buffer

    // Reads the committed head (seq, row_hash); (0, genesis) for an empty table.
    Result<std::pair<std::int64_t, std::string>> readHead()
    {
        head.reset();
        const int rc = head.step();
        if (rc == SQLITE_DONE)
            return std::pair<std::int64_t, std::string>{0, std::string(kDecisionLogGenesisHash)};
        if (rc != SQLITE_ROW) {
            auto err = storageError(db, "reading the newest decision", where);
            head.reset();
            return err;
        }
        auto out = std::pair<std::int64_t, std::string>{head.int64(0), head.text(1)};
        head.reset();
        return out;
    }

    void rollbackQuietly()
    {
        rollback.reset();
        (void)rollback.step();
        rollback.reset();
    }

    // Assigns seq, prev_hash and row_hash to the buffer, continuing the chain at (seq, hash).
    bool rechain(std::int64_t seq, const std::string& hash)
    {
        std::string previous = hash;
        for (auto& r : buffer) {
            r.seq = ++seq;
            r.prevHash = previous;
            scratch.clear();
            appendCanonical(scratch, r);
            if (!sha.hex(scratch, r.rowHash))
                return false;
            previous = r.rowHash;
        }
        return true;
    }

    twin::Error located(twin::Error e) const
    {
        e.where = where;
        return e;
    }

    // The shared store: several loops append to one chain. Under a transaction-level advisory
    // lock the batch continues from the head as stored now, so writers interleave whole
    // batches and the chain stays one line.
    Status flushShared()
    {
        auto fail = [this](twin::Error e) -> Status {
            sql->rollback();
            e.message += " (" + std::to_string(buffer.size()) + " rows kept in memory)";
            return located(std::move(e));
        };
        if (auto s = sql->beginWrite("starting a decision-log batch"); !s)
            return fail(s.error());
        if (auto l = sql->query("SELECT pg_advisory_xact_lock(?)", {kSharedLogLockKey},
                                "locking the decision log");
            !l)
            return fail(l.error());
        auto stored = sql->query(
            "SELECT seq, row_hash FROM decision_log ORDER BY seq DESC LIMIT 1", {},
            "reading the newest decision");
        if (!stored)
            return fail(stored.error());
        const std::int64_t seq = stored->empty() ? 0 : stored->front().int64(0);
        const std::string hash =
            stored->empty() ? std::string(kDecisionLogGenesisHash) : stored->front().text(1);
        if (!rechain(seq, hash)) {
            sql->rollback();
            return hashError();
        }
        const std::string insertText = std::string("INSERT INTO decision_log(") + kColumns +
                                       ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        for (const auto& r : buffer) {
            const std::array<twin::SqlValue, kColumnCount> row{
                r.seq,      r.timeMs,  r.policyId, r.policyVersion, r.policyHash,
                r.modelHash, r.inputs, r.proposed, r.verdict,       r.approval,
                r.applied,  r.latency, r.prevHash, r.rowHash};
            if (auto n = sql->execute(insertText, row,
                                      "writing decision seq " + std::to_string(r.seq) +
                                          " (the batch was not written)");
                !n)
                return fail(n.error());
        }
        if (auto s = sql->commit("committing a decision-log batch"); !s)
            return fail(s.error());
        storedSeq = lastSeq = buffer.back().seq;
        storedHash = lastHash = buffer.back().rowHash;
        buffer.clear();
        ++transactions;
        return {};
    }

    Status flush()
    {
        if (buffer.empty())
            return {};
        if (shared)
            return flushShared();
        if (forked)
            return *forked;
        begin.reset();
        if (begin.step() != SQLITE_DONE) {
            auto err =
                storageError(db, "starting a decision-log batch (rows kept in memory)", where);
            begin.reset();
            return err;
        }
        begin.reset();
        // One indexed lookup per batch: refuse to fork the chain if someone else appended.
        auto current = readHead();
        if (!current) {
            rollbackQuietly();
            return current.error();
        }
        if (current->first != storedSeq || current->second != storedHash) {
            rollbackQuietly();
            forked =
                makeError(ErrorCode::StorageError,
                          "another writer appended to the decision log since it was opened "
                          "(newest stored seq is " +
                              std::to_string(current->first) + ", this log continued from " +
                              std::to_string(storedSeq) + "); " + std::to_string(buffer.size()) +
                              " buffered rows were not written. Only one control loop may "
                              "write a project's decision log; reopen the log",
                          where);
            return *forked;
        }
        for (const auto& r : buffer) {
            insert.reset();
            insert.bind(1, r.seq);
            insert.bind(2, r.timeMs);
            int i = 3;
            for (const std::string* field :
                 {&r.policyId, &r.policyVersion, &r.policyHash, &r.modelHash, &r.inputs,
                  &r.proposed, &r.verdict, &r.approval, &r.applied, &r.latency, &r.prevHash,
                  &r.rowHash})
                insert.bindStatic(i++, *field); // the buffer outlives the step
            if (insert.step() != SQLITE_DONE) {
                auto err = storageError(db,
                                        "writing decision seq " + std::to_string(r.seq) +
                                            " (the batch was not written; rows kept in memory)",
                                        where);
                insert.reset();
                rollbackQuietly();
                return err;
            }
        }
        insert.reset();
        commit.reset();
        if (commit.step() != SQLITE_DONE) {
            auto err =
                storageError(db, "committing a decision-log batch (rows kept in memory)", where);
            commit.reset();
            rollbackQuietly();
            return err;
        }
        commit.reset();
        storedSeq = buffer.back().seq;
        storedHash = buffer.back().rowHash;
        buffer.clear();
        ++transactions;
        return {};
    }
};

DecisionLog::DecisionLog(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DecisionLog::DecisionLog(DecisionLog&&) noexcept = default;

DecisionLog& DecisionLog::operator=(DecisionLog&& other) noexcept
{
    if (this != &other) {
        // The log being replaced gets its last flush, exactly as if it were destroyed.
        DecisionLog old(std::move(*this));
        m_impl = std::move(other.m_impl);
    }
    return *this;
}

DecisionLog::~DecisionLog()
{
    if (!m_impl || m_impl->buffer.empty())
        return;
    const auto rows = m_impl->buffer.size();
    // The only channel left is stderr: the core modules have no logger, and a destructor must
    // not throw (flush() may, on allocation failure while building a message).
    try {
        if (auto s = m_impl->flush(); !s) {
            gRowsLostOnDestruction.fetch_add(static_cast<std::int64_t>(rows));
            std::fprintf(stderr, "twindesk: decision log: %zu buffered rows lost on close: %s\n",
                         rows, s.error().toString().c_str());
        }
    } catch (...) {
        gRowsLostOnDestruction.fetch_add(static_cast<std::int64_t>(rows));
        std::fprintf(stderr, "twindesk: decision log: %zu buffered rows lost on close\n", rows);
    }
}

std::int64_t DecisionLog::rowsLostOnDestruction()
{
    return gRowsLostOnDestruction.load();
}

Result<DecisionLog> DecisionLog::open(twin::ProjectStore& store, DecisionLogOptions options)
{
    if (options.batchSize == 0)
        return makeError(ErrorCode::InvalidArgument,
                         "decision log batch size must be at least 1 (1 writes every row at once)",
                         store.path().string());
    auto impl = std::make_unique<Impl>();
    impl->db = store.handle();
    impl->sql = &store.sql();
    impl->where = store.path().string() + ": table " + std::string(kTable);
    impl->options = options;
    impl->readOnly = sqlite3_db_readonly(impl->db, "main") == 1;
    impl->buffer.reserve(options.batchSize);

    auto* db = impl->db;
    const unsigned int persistent = SQLITE_PREPARE_PERSISTENT;
    impl->head = Statement(db, "SELECT seq, row_hash FROM decision_log ORDER BY seq DESC LIMIT 1",
                           persistent);
    if (!impl->head.valid())
        return makeError(ErrorCode::CorruptFile,
                         std::string("the project has no readable decision log: ") +
                             sqlite3_errmsg(db),
                         impl->where);
    if (!impl->readOnly) {
        impl->begin = Statement(db, "BEGIN IMMEDIATE", persistent);
        impl->commit = Statement(db, "COMMIT", persistent);
        impl->rollback = Statement(db, "ROLLBACK", persistent);
        impl->insert = Statement(db,
                                 std::string("INSERT INTO decision_log(") + kColumns +
                                     ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                 persistent);
        if (!impl->begin.valid() || !impl->commit.valid() || !impl->rollback.valid() ||
            !impl->insert.valid())
            return storageError(db, "preparing the decision-log statements", impl->where);
    }
    auto head = impl->readHead();
    if (!head)
        return head.error();
    impl->storedSeq = impl->lastSeq = head->first;
    impl->storedHash = impl->lastHash = head->second;
    return DecisionLog(std::move(impl));
}

Result<DecisionLog> DecisionLog::open(twin::PgStore& store)
{
    auto impl = std::make_unique<Impl>();
    impl->sql = &store.sql();
    impl->shared = true;
    impl->where = store.location() + ": table " + std::string(kTable);
    impl->options.batchSize = 1; // a row's seq is final only once written (see the header)
    auto head = impl->sql->query("SELECT seq, row_hash FROM decision_log ORDER BY seq DESC LIMIT 1",
                                 {}, "reading the newest decision");
    if (!head)
        return makeError(ErrorCode::CorruptFile,
                         "the shared store has no readable decision log: " + head.error().message,
                         impl->where);
    if (!head->empty()) {
        impl->storedSeq = impl->lastSeq = head->front().int64(0);
        impl->storedHash = impl->lastHash = head->front().text(1);
    }
    return DecisionLog(std::move(impl));
}

Result<DecisionLog> DecisionLog::open(const twin::StoreSelection& store,
                                      DecisionLogOptions options)
{
    if (store.shared() != nullptr)
        return open(*store.shared());
    return open(store.project(), options);
}

bool DecisionLog::shared() const
{
    return m_impl->shared;
}

Status DecisionLog::append(DecisionRecord record)
{
    auto& d = *m_impl;
    if (d.readOnly)
        return makeError(ErrorCode::InvalidArgument,
                         "the project was opened read-only; open it read-write to log decisions",
                         d.where);
    if (d.forked)
        return *d.forked;
    if (record.policyId.empty())
        return makeError(ErrorCode::InvalidArgument,
                         "a decision needs a policy id (DecisionRecord::policyId is empty)",
                         d.where);
    for (const std::string* field :
         {&record.policyId, &record.policyVersion, &record.policyHash, &record.modelHash,
          &record.inputs, &record.proposed, &record.verdict, &record.approval, &record.applied,
          &record.latency})
        if (field->find('\0') != std::string::npos)
            return makeError(ErrorCode::InvalidArgument,
                             "a decision field contains a NUL byte; log text (JSON, "
                             "describeAction) or a hash, not raw bytes",
                             d.where + ", policy " + record.policyId);
    if (d.lastSeq == std::numeric_limits<std::int64_t>::max())
        return makeError(ErrorCode::InvalidArgument, "the decision log is full (seq overflow)",
                         d.where);

    record.seq = d.lastSeq + 1;
    record.prevHash = d.lastHash;
    d.scratch.clear();
    appendCanonical(d.scratch, record);
    if (!d.sha.hex(d.scratch, record.rowHash))
        return hashError();
    d.lastSeq = record.seq;
    d.lastHash = record.rowHash;
    d.buffer.push_back(std::move(record));
    if (d.buffer.size() >= d.options.batchSize)
        return d.flush();
    return {};
}

Status DecisionLog::flush()
{
    return m_impl->flush();
}

Result<std::vector<DecisionRecord>> DecisionLog::read(std::int64_t fromSeq, std::size_t limit) const
{
    DecisionQuery q;
    q.fromSeq = fromSeq;
    q.limit = limit;
    return query(q);
}

Result<std::vector<DecisionRecord>> DecisionLog::query(const DecisionQuery& query) const
{
    std::vector<DecisionRecord> out;
    if (query.limit == 0)
        return out;
    std::string text = std::string("SELECT ") + kColumns + " FROM decision_log WHERE seq >= ?";
    std::vector<twin::SqlValue> params{query.fromSeq};
    if (query.policyId) {
        text += " AND policy_id = ?";
        params.emplace_back(*query.policyId);
    }
    if (query.verdict) {
        text += " AND verdict = ?";
        params.emplace_back(*query.verdict);
    }
    if (query.fromTimeMs) {
        text += " AND t >= ?";
        params.emplace_back(*query.fromTimeMs);
    }
    if (query.untilTimeMs) {
        text += " AND t < ?";
        params.emplace_back(*query.untilTimeMs);
    }
    text += " ORDER BY seq LIMIT ?";
    constexpr auto kMaxLimit = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    params.emplace_back(static_cast<std::int64_t>(std::min(query.limit, kMaxLimit)));
    out.reserve(std::min<std::size_t>(query.limit, 4096));
    if (auto s = m_impl->sql->forEach(
            text, params,
            [&out](const twin::SqlRow& row) {
                out.push_back(readRecord(row));
                return true;
            },
            "reading the decision log");
        !s)
        return m_impl->located(s.error());
    return out;
}

std::int64_t DecisionLog::lastSeq() const
{
    return m_impl->lastSeq;
}
const std::string& DecisionLog::headHash() const
{
    return m_impl->lastHash;
}
std::size_t DecisionLog::pending() const
{
    return m_impl->buffer.size();
}
std::int64_t DecisionLog::transactionCount() const
{
    return m_impl->transactions;
}
const DecisionLogOptions& DecisionLog::options() const
{
    return m_impl->options;
}

namespace {

// Checks the chain of the decision log on `sql` in one read transaction (a consistent
// snapshot even while writers append); rows are streamed, not held in memory.
Result<VerifyReport> verifyChain(twin::SqlConnection& sql, const std::string& where)
{
    auto located = [&where](twin::Error e) {
        e.where = where;
        return e;
    };
    if (auto s = sql.beginRead("starting to read the decision log"); !s)
        return located(s.error());
    struct EndRead
    {
        twin::SqlConnection& sql;
        ~EndRead() { sql.rollback(); } // read-only: nothing to keep
    } endRead{sql};

    VerifyReport report;
    report.headHash = std::string(kDecisionLogGenesisHash);

    const bool postgres = sql.dialect() == twin::SqlDialect::Postgres;
    auto triggers = sql.query(
        postgres ? "SELECT tgname FROM pg_trigger WHERE tgrelid = 'decision_log'::regclass AND "
                   "NOT tgisinternal"
                 : "SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                   "tbl_name = 'decision_log'",
        {}, "reading the schema");
    if (!triggers)
        return makeError(ErrorCode::CorruptFile,
                         "the decision log table is missing or damaged: " +
                             triggers.error().message,
                         where);
    for (const auto trigger : kTriggers)
        if (std::none_of(triggers->begin(), triggers->end(),
                         [trigger](const twin::SqlRow& r) { return r.text(0) == trigger; }))
            report.warnings.push_back("the append-only trigger " + std::string(trigger) +
                                      " is missing: someone removed it to change the table");

    Sha256 sha;
    std::string scratch;
    std::string computed;
    std::int64_t previousSeq = 0;
    std::string previousHash(kDecisionLogGenesisHash);
    bool hashFailed = false;
    auto breakAt = [&report](std::int64_t seq, std::string reason) {
        report.firstBrokenSeq = seq;
        report.reason = std::move(reason);
    };
    auto checkRow = [&](const twin::SqlRow& row) {
        ++report.rows;
        // Types first: SQLite stores any type in any column.
        std::size_t mistyped = 0;
        twin::SqlType mistypedAs = twin::SqlType::Text;
        for (std::size_t c = 1; c < kColumnCount && mistyped == 0; ++c) {
            const auto expected = c == 1 ? twin::SqlType::Integer : twin::SqlType::Text;
            if (row.type(c) != expected) {
                mistyped = c;
                mistypedAs = row.type(c);
            }
        }
        auto r = readRecord(row);
        report.lastSeq = r.seq;
        report.headHash = r.rowHash;
        if (report.firstBrokenSeq) // keep counting rows only
            return true;

        const std::string seqText = "seq " + std::to_string(r.seq);
        if (r.seq != previousSeq + 1) {
            breakAt(r.seq, previousSeq == 0
                               ? "the log starts at " + seqText + ": " + seqRange(1, r.seq - 1) +
                                     " missing (deleted)"
                               : seqText + " follows seq " + std::to_string(previousSeq) + ": " +
                                     seqRange(previousSeq + 1, r.seq - 1) + " missing (deleted)");
            return true;
        }
        if (mistyped != 0) {
            breakAt(r.seq, seqText + ": column " + kColumnNames.at(mistyped) + " holds " +
                               typeName(mistypedAs) + ", expected " +
                               typeName(mistyped == 1 ? twin::SqlType::Integer
                                                      : twin::SqlType::Text) +
                               ": the row was changed");
            return true;
        }
        if (r.prevHash != previousHash) {
            breakAt(r.seq, seqText + ": prev_hash " + shortHash(r.prevHash) +
                               " does not match the row_hash " + shortHash(previousHash) + " of " +
                               (previousSeq == 0 ? std::string("the genesis value")
                                                 : "seq " + std::to_string(previousSeq)) +
                               ": the previous row was changed (and its hash recomputed) or this "
                               "row's prev_hash was");
            return true;
        }
        scratch.clear();
        appendCanonical(scratch, r);
        if (!sha.hex(scratch, computed)) {
            hashFailed = true;
            return false;
        }
        if (computed != r.rowHash) {
            breakAt(r.seq, seqText + ": content does not match its row_hash (stored " +
                               shortHash(r.rowHash) + ", computed " + shortHash(computed) +
                               "): the row was changed after it was written");
            return true;
        }
        previousSeq = r.seq;
        previousHash = r.rowHash;
        return true;
    };
    if (auto s = sql.forEach(std::string("SELECT ") + kColumns + " FROM decision_log ORDER BY seq",
                             {}, checkRow, "reading the decision log");
        !s)
        return makeError(ErrorCode::CorruptFile,
                         report.rows == 0
                             ? "the decision log table is missing or damaged: " + s.error().message
                             : "the decision log table is damaged after seq " +
                                   std::to_string(report.lastSeq) + ": " + s.error().message,
                         where);
    if (hashFailed)
        return hashError();
    report.ok = !report.firstBrokenSeq.has_value();
    return report;
}

} // namespace

Result<VerifyReport> DecisionLog::verify(const std::filesystem::path& projectFile)
{
    auto store = twin::ProjectStore::open(projectFile, twin::OpenMode::ReadOnly);
    if (!store)
        return store.error();
    return verifyChain(store->sql(), tableWhere(store->handle()));
}

Result<VerifyReport> DecisionLog::verify(twin::PgStore& store)
{
    return verifyChain(store.sql(), store.location() + ": table " + std::string(kTable));
}

} // namespace twindesk::policies
