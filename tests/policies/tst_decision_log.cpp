// The decision log: append/flush/read on real project files, the hash chain, tamper detection
// by verify(), batching, and what a crash or a second writer can and cannot do to the chain.
#include "test_registry.h"

#include <twindesk/policies/decision_log.h>
#include <twindesk/twin/project_store.h>

#include <QTemporaryDir>

#include <sqlite3.h>

#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace twindesk::policies;
using twindesk::twin::ErrorCode;
using twindesk::twin::OpenMode;
using twindesk::twin::ProjectStore;
namespace fs = std::filesystem;

namespace {

DecisionRecord makeRecord(int i)
{
    DecisionRecord r;
    r.timeMs = 1'700'000'000'000 + std::int64_t{i} * 60'000;
    r.policyId = i % 3 == 0 ? "rule.night-setback" : "mpc.zone-temp";
    r.policyVersion = "1.2." + std::to_string(i % 4);
    r.policyHash = "sha256:0a1b2c";
    r.modelHash = "sha256:9f8e7d";
    r.inputs = R"({"zone":"urn:x:room","T":)" + std::to_string(20 + i % 5) + R"(.5,"occ":3})";
    r.proposed = "SetSetpoint target=urn:x:sp value=" + std::to_string(18 + i % 4);
    r.verdict = i % 5 == 0 ? "modified" : "accepted";
    r.approval = i % 7 == 0 ? "approved by Zoë" : "auto";
    r.applied = r.proposed;
    r.latency = R"({"policy":412,"guard":35,"log":)" + std::to_string(i) + "}";
    return r;
}

// Runs SQL on the file through a fresh raw connection, as an attacker (or a test) would.
bool execRaw(const fs::path& file, const std::string& sqlText, std::string* error = nullptr)
{
    sqlite3* db = nullptr;
    if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sqlText.c_str(), nullptr, nullptr, &msg);
    if (error != nullptr && msg != nullptr)
        *error = msg;
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK;
}

std::string sqlQuoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text) {
        out += c;
        if (c == '\'')
            out += '\'';
    }
    return out + "'";
}

} // namespace

class TestDecisionLog : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    [[nodiscard]] fs::path file(const char* name) const
    {
        return fs::path(m_dir.path().toStdString()) / name;
    }

    // A new project at `name` holding `rows` decisions made by makeRecord(1..rows).
    fs::path projectWith(const char* name, int rows)
    {
        auto path = file(name);
        auto store = ProjectStore::create(path);
        if (!store)
            return {};
        auto log = DecisionLog::open(*store);
        if (!log)
            return {};
        for (int i = 1; i <= rows; ++i)
            if (!log->append(makeRecord(i)))
                return {};
        if (!log->flush())
            return {};
        return path;
    }

    static std::vector<DecisionRecord> readAll(const fs::path& path)
    {
        auto store = ProjectStore::open(path, OpenMode::ReadOnly);
        if (!store)
            return {};
        auto log = DecisionLog::open(*store);
        if (!log)
            return {};
        auto rows = log->read(1, 1'000'000);
        return rows ? *rows : std::vector<DecisionRecord>{};
    }

private Q_SLOTS:
    void appendFlushReadRoundTrip()
    {
        const auto path = file("round.twin");
        auto store = ProjectStore::create(path);
        QVERIFY2(store.ok(), store.ok() ? "" : store.error().toString().c_str());
        auto log = DecisionLog::open(*store);
        QVERIFY2(log.ok(), log.ok() ? "" : log.error().toString().c_str());
        QCOMPARE(log->lastSeq(), std::int64_t{0});
        QCOMPARE(log->headHash(), std::string(kDecisionLogGenesisHash));

        std::vector<DecisionRecord> written;
        for (int i = 1; i <= 5; ++i) {
            written.push_back(makeRecord(i));
            QVERIFY(log->append(written.back()).ok());
        }
        written[1].inputs = ""; // empty fields stay empty strings, not NULL
        QCOMPARE(log->pending(), std::size_t{5});
        auto nothingYet = log->read(1, 100);
        QVERIFY(nothingYet.ok());
        QVERIFY(nothingYet->empty()); // buffered rows are not visible before flush()

        // Start over with the edited record so the expected values are what was appended.
        const auto path2 = file("round2.twin");
        auto store2 = ProjectStore::create(path2);
        QVERIFY(store2.ok());
        auto log2 = DecisionLog::open(*store2);
        QVERIFY(log2.ok());
        for (const auto& r : written)
            QVERIFY(log2->append(r).ok());
        QVERIFY(log2->flush().ok());
        QCOMPARE(log2->pending(), std::size_t{0});
        QCOMPARE(log2->lastSeq(), std::int64_t{5});

        auto rows = log2->read(1, 100);
        QVERIFY2(rows.ok(), rows.ok() ? "" : rows.error().toString().c_str());
        QCOMPARE(rows->size(), written.size());
        for (std::size_t i = 0; i < written.size(); ++i) {
            const auto& got = (*rows)[i];
            auto want = written[i];
            want.seq = static_cast<std::int64_t>(i) + 1;
            want.prevHash = got.prevHash;
            want.rowHash = got.rowHash;
            QCOMPARE(got, want);
            QCOMPARE(got.rowHash.size(), std::size_t{64});
        }
        QCOMPARE(rows->back().rowHash, log2->headHash());

        auto page = log2->read(3, 2);
        QVERIFY(page.ok());
        QCOMPARE(page->size(), std::size_t{2});
        QCOMPARE(page->front().seq, std::int64_t{3});
        QCOMPARE(page->back().seq, std::int64_t{4});
        auto none = log2->read(1, 0);
        QVERIFY(none.ok() && none->empty());
    }

    void chainLinksEveryRow()
    {
        const auto path = projectWith("chain.twin", 20);
        QVERIFY(!path.empty());
        const auto rows = readAll(path);
        QCOMPARE(rows.size(), std::size_t{20});
        QCOMPARE(rows.front().prevHash, std::string(kDecisionLogGenesisHash));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].seq, static_cast<std::int64_t>(i) + 1);
            if (i > 0)
                QCOMPARE(rows[i].prevHash, rows[i - 1].rowHash);
            auto hash = decisionRowHash(rows[i]);
            QVERIFY(hash.ok());
            QCOMPARE(*hash, rows[i].rowHash);
        }
    }

    void reopeningContinuesTheChain()
    {
        const auto path = projectWith("reopen.twin", 10);
        QVERIFY(!path.empty());
        {
            auto store = ProjectStore::open(path);
            QVERIFY(store.ok());
            auto log = DecisionLog::open(*store);
            QVERIFY(log.ok());
            QCOMPARE(log->lastSeq(), std::int64_t{10});
            for (int i = 11; i <= 15; ++i)
                QVERIFY(log->append(makeRecord(i)).ok());
            QVERIFY(log->flush().ok());
        }
        const auto rows = readAll(path);
        QCOMPARE(rows.size(), std::size_t{15});
        QCOMPARE(rows[10].seq, std::int64_t{11});
        QCOMPARE(rows[10].prevHash, rows[9].rowHash);
        auto report = DecisionLog::verify(path);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{15});
    }

    void destructorFlushesTheBuffer()
    {
        const auto path = file("dtor.twin");
        const auto lostBefore = DecisionLog::rowsLostOnDestruction();
        {
            auto store = ProjectStore::create(path);
            QVERIFY(store.ok());
            auto log = DecisionLog::open(*store);
            QVERIFY(log.ok());
            for (int i = 1; i <= 3; ++i)
                QVERIFY(log->append(makeRecord(i)).ok());
            QCOMPARE(log->pending(), std::size_t{3});
        } // log first, then the store
        QCOMPARE(readAll(path).size(), std::size_t{3});
        QCOMPARE(DecisionLog::rowsLostOnDestruction(), lostBefore);
    }

    void crashLosesOnlyTheBuffer()
    {
        const auto path = file("crash.twin");
        {
            auto store = ProjectStore::create(path);
            QVERIFY(store.ok());
        }
        // A child process writes 10 rows, buffers 5 more and dies without any cleanup.
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            auto store = ProjectStore::open(path);
            if (!store)
                ::_exit(2);
            auto log = DecisionLog::open(*store);
            bool fine = log.ok();
            for (int i = 1; fine && i <= 10; ++i)
                fine = log->append(makeRecord(i)).ok();
            fine = fine && log->flush().ok();
            for (int i = 11; fine && i <= 15; ++i)
                fine = log->append(makeRecord(i)).ok();
            ::_exit(fine ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);

        auto report = DecisionLog::verify(path);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{10});
        {
            auto store = ProjectStore::open(path);
            QVERIFY(store.ok());
            auto log = DecisionLog::open(*store);
            QVERIFY(log.ok());
            QCOMPARE(log->lastSeq(), std::int64_t{10});
            QVERIFY(log->append(makeRecord(11)).ok());
            QVERIFY(log->flush().ok());
        }
        report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{11});
    }

    void verifyAcceptsCleanAndEmptyLogs()
    {
        const auto path = projectWith("clean.twin", 20);
        QVERIFY(!path.empty());
        auto report = DecisionLog::verify(path);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{20});
        QVERIFY(!report->firstBrokenSeq);
        QVERIFY(report->reason.empty());
        QVERIFY(report->warnings.empty());
        QCOMPARE(report->lastSeq, std::int64_t{20});
        QCOMPARE(report->headHash, readAll(path).back().rowHash);

        const auto empty = projectWith("empty.twin", 0);
        QVERIFY(!empty.empty());
        report = DecisionLog::verify(empty);
        QVERIFY(report.ok());
        QVERIFY(report->ok);
        QCOMPARE(report->rows, std::int64_t{0});
        QCOMPARE(report->headHash, std::string(kDecisionLogGenesisHash));
    }

    void verifyRefusesWhatIsNotALog()
    {
        auto missing = DecisionLog::verify(file("nope.twin"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);

        const auto text = file("notes.twin");
        std::ofstream(text) << "this is not a database, just some words long enough\n";
        auto notProject = DecisionLog::verify(text);
        QVERIFY(!notProject.ok());
        QCOMPARE(notProject.error().code, ErrorCode::CorruptFile);

        // A damaged table: someone replaced decision_log with something else.
        const auto path = projectWith("damaged.twin", 5);
        QVERIFY(!path.empty());
        QVERIFY(execRaw(path, "DROP TABLE decision_log; "
                              "CREATE TABLE decision_log(seq INTEGER PRIMARY KEY, t INTEGER);"));
        auto damaged = DecisionLog::verify(path);
        QVERIFY(!damaged.ok());
        QCOMPARE(damaged.error().code, ErrorCode::CorruptFile);
        QVERIFY2(damaged.error().message.find("decision log") != std::string::npos,
                 damaged.error().toString().c_str());
    }

    void verifyNamesAnEditedRow()
    {
        const auto path = projectWith("edited.twin", 20);
        QVERIFY(!path.empty());
        QVERIFY(execRaw(path, "DROP TRIGGER decision_log_append_only_update; "
                              "UPDATE decision_log SET verdict = 'rejected' WHERE seq = 7;"));
        auto report = DecisionLog::verify(path);
        QVERIFY2(report.ok(), report.ok() ? "" : report.error().toString().c_str());
        QVERIFY(!report->ok);
        QCOMPARE(report->rows, std::int64_t{20});
        QCOMPARE(report->firstBrokenSeq, std::optional<std::int64_t>(7));
        QVERIFY2(report->reason.find("content does not match") != std::string::npos,
                 report->reason.c_str());
        QCOMPARE(report->warnings.size(), std::size_t{1}); // the dropped trigger
        QVERIFY(report->warnings.front().find("decision_log_append_only_update") !=
                std::string::npos);
    }

    void verifyNamesTheRowAfterARecomputedHash()
    {
        const auto path = projectWith("smart.twin", 20);
        QVERIFY(!path.empty());
        auto row = readAll(path).at(6);
        QCOMPARE(row.seq, std::int64_t{7});
        row.applied = "SetSetpoint target=urn:x:sp value=30";
        auto forged = decisionRowHash(row);
        QVERIFY(forged.ok());
        QVERIFY(execRaw(path, "DROP TRIGGER decision_log_append_only_update; "
                              "UPDATE decision_log SET applied = " +
                                  sqlQuoted(row.applied) + ", row_hash = " + sqlQuoted(*forged) +
                                  " WHERE seq = 7;"));
        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY(!report->ok);
        QCOMPARE(report->firstBrokenSeq, std::optional<std::int64_t>(8));
        QVERIFY2(report->reason.find("prev_hash") != std::string::npos, report->reason.c_str());
        QVERIFY2(report->reason.find("seq 7") != std::string::npos, report->reason.c_str());
    }

    void verifyNamesADeletedRow()
    {
        const auto path = projectWith("deleted.twin", 20);
        QVERIFY(!path.empty());
        QVERIFY(execRaw(path, "DROP TRIGGER decision_log_append_only_delete; "
                              "DELETE FROM decision_log WHERE seq = 7;"));
        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY(!report->ok);
        QCOMPARE(report->rows, std::int64_t{19});
        QCOMPARE(report->firstBrokenSeq, std::optional<std::int64_t>(8));
        QVERIFY2(report->reason.find("seq 7 is missing") != std::string::npos,
                 report->reason.c_str());

        QVERIFY(execRaw(path, "DELETE FROM decision_log WHERE seq <= 2;"));
        report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QCOMPARE(report->firstBrokenSeq, std::optional<std::int64_t>(3));
        QVERIFY2(report->reason.find("starts at seq 3") != std::string::npos,
                 report->reason.c_str());
    }

    void verifyNamesARowWithAWrongType()
    {
        const auto path = projectWith("typed.twin", 10);
        QVERIFY(!path.empty());
        QVERIFY(execRaw(path, "DROP TRIGGER decision_log_append_only_update; "
                              "UPDATE decision_log SET verdict = x'6f6b' WHERE seq = 4;"));
        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QCOMPARE(report->firstBrokenSeq, std::optional<std::int64_t>(4));
        QVERIFY2(report->reason.find("verdict holds a blob") != std::string::npos,
                 report->reason.c_str());
    }

    void triggersRejectUpdateAndDelete()
    {
        const auto path = projectWith("triggers.twin", 5);
        QVERIFY(!path.empty());
        std::string error;
        QVERIFY(!execRaw(path, "UPDATE decision_log SET verdict = 'forged' WHERE seq = 2", &error));
        QVERIFY2(error.find("append-only") != std::string::npos, error.c_str());
        QVERIFY(!execRaw(path, "DELETE FROM decision_log WHERE seq = 2", &error));
        QVERIFY2(error.find("append-only") != std::string::npos, error.c_str());
        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{5});
    }

    void hashIsStable()
    {
        // Expected values computed outside TwinDesk from the documented serialisation:
        //   ns() { printf '%d:%s,' "$(printf '%s' "$1" | wc -c)" "$1"; }
        //   { ns twindesk-decision-log-v1; ns 1; ns 1700000000000; ...; } | sha256sum
        // and `printf '%s' twindesk-decision-log-v1 | sha256sum` for the genesis value.
        DecisionRecord r;
        r.seq = 1;
        r.timeMs = 1'700'000'000'000;
        r.policyId = "rule.night-setback";
        r.policyVersion = "1.2.0";
        r.policyHash = "sha256:0a1b";
        r.modelHash = "sha256:9f8e";
        r.inputs = R"({"zone":"urn:x:room","T":21.5})";
        r.proposed = "SetSetpoint target=urn:x:sp value=19";
        r.verdict = "accepted";
        r.approval = "approved by Zoë"; // 16 bytes: the length counts UTF-8 bytes
        r.applied = "SetSetpoint target=urn:x:sp value=19";
        r.latency = R"({"policy":412,"guard":35})";
        r.prevHash = std::string(kDecisionLogGenesisHash);
        r.rowHash = "ignored: not part of the input";
        QCOMPARE(canonicalDecisionRecord(r),
                 std::string(
                     R"(24:twindesk-decision-log-v1,1:1,13:1700000000000,18:rule.night-setback,)"
                     R"(5:1.2.0,11:sha256:0a1b,11:sha256:9f8e,30:{"zone":"urn:x:room","T":21.5},)"
                     R"(36:SetSetpoint target=urn:x:sp value=19,8:accepted,16:approved by Zoë,)"
                     R"(36:SetSetpoint target=urn:x:sp value=19,25:{"policy":412,"guard":35},)"
                     R"(64:90c5ad4900892378bd3320ce6a225575bfa82ad8d19299bd5a1b2f4f75a50bcd,)"));
        auto hash = decisionRowHash(r);
        QVERIFY(hash.ok());
        QCOMPARE(*hash,
                 std::string("18f6103ea861621e37bf813d2f394d213634fc9bf9856bcf8fc05509c8d137fd"));

        // The example in decision_log.h.
        DecisionRecord example;
        example.seq = 1;
        example.timeMs = 1'700'000'000'000;
        example.policyId = "p";
        example.prevHash = std::string(kDecisionLogGenesisHash);
        hash = decisionRowHash(example);
        QVERIFY(hash.ok());
        QCOMPARE(*hash,
                 std::string("272feaa8338e0b995cd922bb970440317db0d4ee45260691713a137d7f8cc155"));

        // Negative numbers keep their sign; an appended record gets the same hash.
        example.timeMs = -5;
        QVERIFY(canonicalDecisionRecord(example).find(",2:-5,") != std::string::npos);
        const auto path = file("stable.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        QVERIFY(log->append(r).ok());
        QCOMPARE(log->headHash(),
                 std::string("18f6103ea861621e37bf813d2f394d213634fc9bf9856bcf8fc05509c8d137fd"));
    }

    void batchesWritesIntoFewTransactions()
    {
        const auto path = file("batch.twin");
        auto store = ProjectStore::create(path);
        QVERIFY(store.ok());
        DecisionLogOptions options;
        options.batchSize = 256;
        auto log = DecisionLog::open(*store, options);
        QVERIFY(log.ok());
        for (int i = 1; i <= 1000; ++i)
            QVERIFY(log->append(makeRecord(i)).ok());
        QCOMPARE(log->transactionCount(), std::int64_t{3}); // at 256, 512, 768
        QCOMPARE(log->pending(), std::size_t{1000 - 768});
        QVERIFY(log->flush().ok());
        QCOMPARE(log->transactionCount(), std::int64_t{4}); // ⌈1000 / 256⌉
        QVERIFY(log->flush().ok());                         // nothing to write: no transaction
        QCOMPARE(log->transactionCount(), std::int64_t{4});
        auto rows = log->read(1, 5000);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{1000});
        QCOMPARE(rows->back().seq, std::int64_t{1000});
        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{1000});
    }

    void queryFilters()
    {
        const auto path = projectWith("query.twin", 30);
        QVERIFY(!path.empty());
        auto store = ProjectStore::open(path, OpenMode::ReadOnly);
        QVERIFY(store.ok());
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());

        DecisionQuery byPolicy;
        byPolicy.policyId = "rule.night-setback";
        auto rows = log->query(byPolicy);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{10}); // i % 3 == 0
        for (const auto& r : *rows)
            QCOMPARE(r.policyId, *byPolicy.policyId);

        DecisionQuery byVerdict;
        byVerdict.verdict = "modified";
        byVerdict.fromSeq = 11;
        rows = log->query(byVerdict);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{4}); // 15, 20, 25, 30
        QCOMPARE(rows->front().seq, std::int64_t{15});

        DecisionQuery byTime;
        byTime.fromTimeMs = makeRecord(5).timeMs;
        byTime.untilTimeMs = makeRecord(9).timeMs; // exclusive
        byTime.limit = 3;
        rows = log->query(byTime);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{3});
        QCOMPARE(rows->front().seq, std::int64_t{5});
        QCOMPARE(rows->back().seq, std::int64_t{7});

        DecisionQuery all;
        all.policyId = "mpc.zone-temp";
        all.verdict = "modified";
        all.untilTimeMs = makeRecord(21).timeMs;
        rows = log->query(all);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{3}); // 5, 10, 20 (15 is the night-setback rule's)
        QCOMPARE(rows->back().seq, std::int64_t{20});
    }

    void rejectsInvalidInput()
    {
        const auto path = file("invalid.twin");
        {
            auto store = ProjectStore::create(path);
            QVERIFY(store.ok());
            DecisionLogOptions zero;
            zero.batchSize = 0;
            auto bad = DecisionLog::open(*store, zero);
            QVERIFY(!bad.ok());
            QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);

            auto log = DecisionLog::open(*store);
            QVERIFY(log.ok());
            auto r = makeRecord(1);
            r.policyId.clear();
            auto s = log->append(r);
            QVERIFY(!s.ok());
            QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
            r = makeRecord(1);
            r.inputs += std::string(1, '\0');
            QVERIFY(!log->append(r).ok());
            QCOMPARE(log->pending(), std::size_t{0});
            QCOMPARE(log->lastSeq(), std::int64_t{0});
            QVERIFY(log->append(makeRecord(1)).ok());
            QCOMPARE(log->lastSeq(), std::int64_t{1});
        }
        auto store = ProjectStore::open(path, OpenMode::ReadOnly);
        QVERIFY(store.ok());
        auto log = DecisionLog::open(*store);
        QVERIFY(log.ok());
        auto s = log->append(makeRecord(2));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        auto rows = log->read(1, 10);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), std::size_t{1});
    }

    void refusesToForkTheChain()
    {
        const auto path = projectWith("fork.twin", 3);
        QVERIFY(!path.empty());
        auto store = ProjectStore::open(path);
        QVERIFY(store.ok());
        auto first = DecisionLog::open(*store);
        auto second = DecisionLog::open(*store);
        QVERIFY(first.ok() && second.ok());
        QVERIFY(first->append(makeRecord(4)).ok());
        QVERIFY(first->flush().ok());
        QVERIFY(second->append(makeRecord(5)).ok());
        auto s = second->flush();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::StorageError);
        QVERIFY2(s.error().message.find("another writer") != std::string::npos,
                 s.error().toString().c_str());
        QVERIFY(!second->append(makeRecord(6)).ok()); // stays refused
        const auto lostBefore = DecisionLog::rowsLostOnDestruction();
        second = DecisionLog::open(*store); // the refused log is dropped: its rows are counted
        QVERIFY(second.ok());
        QCOMPARE(DecisionLog::rowsLostOnDestruction(), lostBefore + 1);
        QCOMPARE(second->lastSeq(), std::int64_t{4});

        auto report = DecisionLog::verify(path);
        QVERIFY(report.ok());
        QVERIFY2(report->ok, report->reason.c_str());
        QCOMPARE(report->rows, std::int64_t{4});
    }
};

TWINDESK_TEST(TestDecisionLog)
#include "tst_decision_log.moc"
