#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sqlite_statement.h>

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

// Reads the 14 columns (kColumns order) of the current row.
DecisionRecord readRecord(const Statement& st)
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

constexpr std::array<const char*, kColumnCount> kColumnNames{
    "seq",      "t",       "policy_id", "policy_version", "policy_hash", "model_hash", "inputs",
    "proposed", "verdict", "approval",  "applied",        "latency",     "prev_hash",  "row_hash"};

const char* sqliteTypeName(int type)
{
    switch (type) {
    case SQLITE_INTEGER:
        return "an integer";
    case SQLITE_FLOAT:
        return "a real number";
    case SQLITE_BLOB:
        return "a blob";
    case SQLITE_NULL:
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
    sqlite3* db = nullptr; // borrowed from the ProjectStore
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

    Status flush()
    {
        if (buffer.empty())
            return {};
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
    if (query.policyId)
        text += " AND policy_id = ?";
    if (query.verdict)
        text += " AND verdict = ?";
    if (query.fromTimeMs)
        text += " AND t >= ?";
    if (query.untilTimeMs)
        text += " AND t < ?";
    text += " ORDER BY seq LIMIT ?";

    auto* db = m_impl->db;
    Statement st(db, text);
    if (!st.valid())
        return storageError(db, "querying the decision log", m_impl->where);
    int i = 1;
    st.bind(i++, query.fromSeq);
    if (query.policyId)
        st.bind(i++, std::string_view(*query.policyId));
    if (query.verdict)
        st.bind(i++, std::string_view(*query.verdict));
    if (query.fromTimeMs)
        st.bind(i++, *query.fromTimeMs);
    if (query.untilTimeMs)
        st.bind(i++, *query.untilTimeMs);
    constexpr auto kMaxLimit = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    st.bind(i, static_cast<std::int64_t>(std::min(query.limit, kMaxLimit)));
    out.reserve(std::min<std::size_t>(query.limit, 4096));
    int rc = 0;
    while ((rc = st.step()) == SQLITE_ROW)
        out.push_back(readRecord(st));
    if (rc != SQLITE_DONE)
        return storageError(db, "reading the decision log", m_impl->where);
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

Result<VerifyReport> DecisionLog::verify(const std::filesystem::path& projectFile)
{
    auto store = twin::ProjectStore::open(projectFile, twin::OpenMode::ReadOnly);
    if (!store)
        return store.error();
    sqlite3* db = store->handle();
    const std::string where = tableWhere(db);

    // One read transaction: a consistent snapshot even while a writer appends.
    Statement begin(db, "BEGIN");
    if (!begin.valid() || begin.step() != SQLITE_DONE)
        return storageError(db, "starting to read the decision log", where);
    struct EndRead
    {
        sqlite3* db;
        ~EndRead() { sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr); }
    } endRead{db};

    VerifyReport report;
    report.headHash = std::string(kDecisionLogGenesisHash);

    Statement triggers(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                           "tbl_name = 'decision_log'");
    if (!triggers.valid())
        return storageError(db, "reading the schema", where);
    std::vector<std::string> present;
    int rc = 0;
    while ((rc = triggers.step()) == SQLITE_ROW)
        present.push_back(triggers.text(0));
    if (rc != SQLITE_DONE)
        return storageError(db, "reading the schema", where);
    for (const auto trigger : kTriggers)
        if (std::find(present.begin(), present.end(), trigger) == present.end())
            report.warnings.push_back("the append-only trigger " + std::string(trigger) +
                                      " is missing: someone removed it to change the table");

    Statement rows(db, std::string("SELECT ") + kColumns + " FROM decision_log ORDER BY seq");
    if (!rows.valid())
        return makeError(ErrorCode::CorruptFile,
                         std::string("the decision log table is missing or damaged: ") +
                             sqlite3_errmsg(db),
                         where);

    Sha256 sha;
    std::string scratch;
    std::string computed;
    std::int64_t previousSeq = 0;
    std::string previousHash(kDecisionLogGenesisHash);
    auto breakAt = [&report](std::int64_t seq, std::string reason) {
        report.firstBrokenSeq = seq;
        report.reason = std::move(reason);
    };
    while ((rc = rows.step()) == SQLITE_ROW) {
        ++report.rows;
        // Types first: reading a column as text converts it and its type is then undefined.
        int mistyped = 0;
        int mistypedAs = SQLITE_TEXT;
        for (int c = 1; c < kColumnCount && mistyped == 0; ++c) {
            const int expected = c == 1 ? SQLITE_INTEGER : SQLITE_TEXT;
            if (rows.type(c) != expected) {
                mistyped = c;
                mistypedAs = rows.type(c);
            }
        }
        auto r = readRecord(rows);
        report.lastSeq = r.seq;
        report.headHash = r.rowHash;
        if (report.firstBrokenSeq) // keep counting rows only
            continue;

        const std::string seqText = "seq " + std::to_string(r.seq);
        if (r.seq != previousSeq + 1) {
            breakAt(r.seq, previousSeq == 0
                               ? "the log starts at " + seqText + ": " + seqRange(1, r.seq - 1) +
                                     " missing (deleted)"
                               : seqText + " follows seq " + std::to_string(previousSeq) + ": " +
                                     seqRange(previousSeq + 1, r.seq - 1) + " missing (deleted)");
            continue;
        }
        if (mistyped != 0) {
            const auto column = static_cast<std::size_t>(mistyped);
            breakAt(r.seq, seqText + ": column " + kColumnNames.at(column) + " holds " +
                               sqliteTypeName(mistypedAs) + ", expected " +
                               sqliteTypeName(mistyped == 1 ? SQLITE_INTEGER : SQLITE_TEXT) +
                               ": the row was changed");
            continue;
        }
        if (r.prevHash != previousHash) {
            breakAt(r.seq, seqText + ": prev_hash " + shortHash(r.prevHash) +
                               " does not match the row_hash " + shortHash(previousHash) + " of " +
                               (previousSeq == 0 ? std::string("the genesis value")
                                                 : "seq " + std::to_string(previousSeq)) +
                               ": the previous row was changed (and its hash recomputed) or this "
                               "row's prev_hash was");
            continue;
        }
        scratch.clear();
        appendCanonical(scratch, r);
        if (!sha.hex(scratch, computed))
            return hashError();
        if (computed != r.rowHash) {
            breakAt(r.seq, seqText + ": content does not match its row_hash (stored " +
                               shortHash(r.rowHash) + ", computed " + shortHash(computed) +
                               "): the row was changed after it was written");
            continue;
        }
        previousSeq = r.seq;
        previousHash = r.rowHash;
    }
    if (rc != SQLITE_DONE)
        return makeError(ErrorCode::CorruptFile,
                         "the decision log table is damaged after seq " +
                             std::to_string(report.lastSeq) + ": " + sqlite3_errmsg(db),
                         where);
    report.ok = !report.firstBrokenSeq.has_value();
    return report;
}

} // namespace twindesk::policies
