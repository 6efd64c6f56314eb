// `twindesk sweep --store/--sweep-name/--collect-store/--list-stored`: sweep results written
// to and read back from a store — a real PostgreSQL 15 server started by the test, and a
// project file — as the pods of a Kubernetes sweep write them (one --variant-index each).
#include "cli.h"
#include "cli_test_util.h"
#include "postgres_server.h"
#include "test_registry.h"

#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <yaml-cpp/yaml.h>

#include <filesystem>

using namespace twindesk;
namespace fs = std::filesystem;

namespace {

using twindesk::test::cli;

QJsonArray jsonArray(const std::string& text)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).array();
}

const std::string kScenario =
    std::string(TWINDESK_SOURCE_DIR) + "/assets/scenarios/demo-office.json";
// One day of the demo office under three seeds: three variants that differ.
const std::vector<std::string> kVary{"--vary", "period.end=\"2025-01-07T00:00\"", "--vary",
                                     "seed=1,2,3"};

std::vector<std::string> sweepArgs(std::vector<std::string> extra)
{
    std::vector<std::string> a{"sweep", kScenario};
    a.insert(a.end(), kVary.begin(), kVary.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

class TestSweepStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::TestPostgres m_pg;
    std::string m_url;
    QJsonArray m_full; // the full sweep run here, for comparison

    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

    // The state hashes of a --collect-store NAME --json run's rows.
    void checkCollected(const test::CliRun& r, int rows)
    {
        const auto got = jsonArray(r.out);
        QCOMPARE(got.size(), rows);
        for (int i = 0; i < rows; ++i) {
            QCOMPARE(got[i].toObject()["run"], m_full[i].toObject()["run"]);
            QCOMPARE(got[i].toObject()["state_hash"], m_full[i].toObject()["state_hash"]);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.lastError()));
        m_url = m_pg.createDatabase(QStringLiteral("sweeps"));
        QVERIFY2(!m_url.empty(), qPrintable(m_pg.lastError()));
        auto full = cli(sweepArgs({"--json", "--threads", "2"}));
        QVERIFY2(full.code == 0, full.err.c_str());
        m_full = jsonArray(full.out);
        QCOMPARE(m_full.size(), 3);
    }
    void cleanupTestCase() { m_pg.stop(); }

    // Three pods, each its own --variant-index, into the shared store; --collect-store shows
    // the three as the full sweep computed them. A retried pod replaces its row.
    void podsWriteTheSharedStore()
    {
        for (const auto i : {2, 0, 1}) {
            auto pod = cli(sweepArgs({"--json", "--variant-index", std::to_string(i), "--store",
                                      m_url, "--sweep-name", "office-seeds"}));
            QVERIFY2(pod.code == 0, pod.err.c_str());
        }
        auto table = cli({"sweep", "--collect-store", "office-seeds", "--store", m_url});
        QVERIFY2(table.code == 0, table.err.c_str());
        QVERIFY2(contains(table.out, "3 results of sweep 'office-seeds' in " + m_url),
                 table.out.c_str());
        QVERIFY2(contains(table.out, "seed=2"), table.out.c_str());
        QVERIFY2(!contains(table.out, "missing"), table.out.c_str());
        auto collected =
            cli({"sweep", "--collect-store", "office-seeds", "--store", m_url, "--json"});
        QVERIFY2(collected.code == 0, collected.err.c_str());
        checkCollected(collected, 3);

        // Pod 1 retried (a lost node): its row is replaced, not added.
        auto retry = cli(
            sweepArgs({"--variant-index", "1", "--store", m_url, "--sweep-name", "office-seeds"}));
        QVERIFY2(retry.code == 0, retry.err.c_str());
        QVERIFY2(contains(retry.out, "stored 1 result(s) as sweep 'office-seeds'"),
                 retry.out.c_str());
        collected = cli({"sweep", "--collect-store", "office-seeds", "--store", m_url, "--json"});
        QVERIFY2(collected.code == 0, collected.err.c_str());
        checkCollected(collected, 3);
        auto count = twin::PgStore::connect(m_url);
        QVERIFY(count.ok());
        QCOMPARE(count
                     ->queryText("SELECT count(*) FROM sweep_results WHERE sweep = "
                                 "'office-seeds'")
                     .value(),
                 std::optional<std::string>("3"));
    }

    void aMissingVariantIsReported()
    {
        for (const auto i : {0, 2}) {
            auto pod = cli(sweepArgs({"--variant-index", std::to_string(i), "--store", m_url,
                                      "--sweep-name", "half-done"}));
            QVERIFY2(pod.code == 0, pod.err.c_str());
        }
        auto table = cli({"sweep", "--collect-store", "half-done", "--store", m_url});
        QCOMPARE(table.code, 1);
        QVERIFY2(contains(table.out, "missing 1 of 3 variants (still running, or failed): 1"),
                 table.out.c_str());
        QVERIFY2(contains(table.err, "warning: sweep 'half-done' in " + m_url +
                                         " holds 2 of 3 variants; missing: 1"),
                 table.err.c_str());
        auto json = cli({"sweep", "--collect-store", "half-done", "--store", m_url, "--json"});
        QCOMPARE(json.code, 1);
        const auto rows = jsonArray(json.out);
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[1].toObject()["state_hash"], m_full[2].toObject()["state_hash"]);

        // The listing: both sweeps with their counts.
        auto list = cli({"sweep", "--list-stored", "--store", m_url, "--json"});
        QVERIFY2(list.code == 0, list.err.c_str());
        const auto sweeps = jsonArray(list.out);
        QCOMPARE(sweeps.size(), 2);
        bool sawHalf = false;
        for (const auto& s : sweeps) {
            const auto o = s.toObject();
            if (o["sweep"].toString() != QStringLiteral("half-done"))
                continue;
            sawHalf = true;
            QCOMPARE(o["variants"].toInt(), 3);
            QCOMPARE(o["stored"].toInt(), 2);
            QCOMPARE(o["missing"].toInt(), 1);
        }
        QVERIFY(sawHalf);
        auto unknown = cli({"sweep", "--collect-store", "never-ran", "--store", m_url});
        QCOMPARE(unknown.code, 1);
        QVERIFY2(contains(unknown.err, "no results of sweep 'never-ran'"), unknown.err.c_str());
    }

    // A store that is down or not a store: a clear error naming it (password redacted),
    // non-zero, and nothing run or stored.
    void storeDownOrWrongIsAClearError()
    {
        const auto nowhere = "postgresql://twindesk:secret@127.0.0.1:" +
                             std::to_string(test::TestPostgres::freePort()) + "/none";
        auto down =
            cli(sweepArgs({"--variant-index", "0", "--store", nowhere, "--sweep-name", "x"}));
        QCOMPARE(down.code, 1);
        QVERIFY2(contains(down.err, "cannot connect to the shared store"), down.err.c_str());
        QVERIFY2(contains(down.err, "twindesk:***@127.0.0.1"), down.err.c_str());
        QVERIFY2(!contains(down.err, "secret"), down.err.c_str());
        QVERIFY2(down.out.empty(), down.out.c_str()); // checked before running
        auto collect = cli({"sweep", "--collect-store", "x", "--store", nowhere});
        QCOMPARE(collect.code, 1);
        QVERIFY2(contains(collect.err, "twindesk:***@127.0.0.1"), collect.err.c_str());

        auto scheme = cli(sweepArgs({"--store", "mysql://db/x", "--sweep-name", "x"}));
        QCOMPARE(scheme.code, 1);
        QVERIFY2(contains(scheme.err, "'mysql://db/x' is not a store"), scheme.err.c_str());
        auto noProject = cli(sweepArgs({"--store", "project", "--sweep-name", "x"}));
        QCOMPARE(noProject.code, 1);
        QVERIFY2(contains(noProject.err, "--project"), noProject.err.c_str());
        // Usage: a store needs a sweep name; a name needs a store; a listing needs a store.
        QCOMPARE(cli(sweepArgs({"--store", m_url})).code, 2);
        QCOMPARE(cli(sweepArgs({"--sweep-name", "x"})).code, 2);
        QCOMPARE(cli({"sweep", "--list-stored"}).code, 2);
        QCOMPARE(cli({"sweep", "--collect-store", "x", "--collect", path("x")}).code, 2);
        // Nothing was stored by any of them.
        auto count = twin::PgStore::connect(m_url);
        QVERIFY(count.ok());
        QCOMPARE(count->queryText("SELECT count(*) FROM sweep_results WHERE sweep = 'x'").value(),
                 std::optional<std::string>("0"));
    }

    // The same on a project file: a local whole sweep into the project, read back; and a
    // project whose meta key names the shared store writes there without --store.
    void projectStoreAndResolution()
    {
        const auto project = path("site.twin");
        QVERIFY(twin::ProjectStore::create(project).ok());
        auto local = cli(sweepArgs({"--threads", "2", "--project", project, "--store", "project",
                                    "--sweep-name", "local"}));
        QVERIFY2(local.code == 0, local.err.c_str());
        QVERIFY2(contains(local.out, "stored 3 result(s) as sweep 'local' in project file"),
                 local.out.c_str());
        auto collected = cli({"sweep", "--collect-store", "local", "--project", project, "--json"});
        QVERIFY2(collected.code == 0, collected.err.c_str());
        checkCollected(collected, 3);
        // A retried variant into the project file replaces its row.
        auto retry =
            cli(sweepArgs({"--variant-index", "0", "--project", project, "--sweep-name", "local"}));
        QVERIFY2(retry.code == 0, retry.err.c_str());
        auto list = cli({"sweep", "--list-stored", "--project", project});
        QVERIFY2(list.code == 0, list.err.c_str());
        QVERIFY2(contains(list.out, "local") && contains(list.out, "1 sweep(s) in project file"),
                 list.out.c_str());
        QVERIFY2(!contains(cli({"sweep", "--list-stored", "--store", m_url}).out, "local"),
                 "the project's sweep went to the shared store");

        // The project names the shared store: --project alone resolves to it.
        QVERIFY(cli({"store", project, m_url}).code == 0);
        auto shared = cli(sweepArgs(
            {"--variant-index", "2", "--project", project, "--sweep-name", "via-project"}));
        QVERIFY2(shared.code == 0, shared.err.c_str());
        QVERIFY2(contains(shared.out, "in " + m_url), shared.out.c_str());
        auto fromPg = cli({"sweep", "--collect-store", "via-project", "--store", m_url, "--json"});
        QCOMPARE(fromPg.code, 1); // variant 2 of 3 only
        QCOMPARE(jsonArray(fromPg.out).size(), 1);
        QCOMPARE(jsonArray(fromPg.out)[0].toObject()["state_hash"],
                 m_full[2].toObject()["state_hash"]);
        // --store project overrides the meta key: the project file still has only "local".
        auto own = cli({"sweep", "--list-stored", "--project", project, "--store", "project"});
        QVERIFY2(contains(own.out, "1 sweep(s)"), own.out.c_str());
    }

    // The Job --emit-k8s --store writes: pod 1's command (the store URL from the ConfigMap as
    // Kubernetes would expand it) writes variant 1 into the shared store.
    void emittedPodWritesTheStore()
    {
        const auto out = path("k8s-store");
        auto r = cli(sweepArgs({"--emit-k8s", out, "--store", m_url, "--job-name", "pods"}));
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(contains(r.out, "kubectl create secret generic pods-store"), r.out.c_str());
        const auto job = YAML::LoadFile(out + "/job.yaml");
        const auto cm = YAML::LoadFile(out + "/configmap.yaml");
        const auto store = cm["data"]["store"].as<std::string>();
        QCOMPARE(store, m_url);
        std::vector<std::string> args;
        for (const auto& a : job["spec"]["template"]["spec"]["containers"][0]["args"]) {
            auto s = a.as<std::string>();
            if (s == "$(JOB_COMPLETION_INDEX)")
                s = "1";
            if (s == "$(TWINDESK_STORE)")
                s = store;
            if (s.rfind("/usr/share/twindesk/assets/", 0) == 0)
                s = std::string(TWINDESK_SOURCE_DIR) + "/assets/" + s.substr(27);
            args.push_back(s);
        }
        auto pod = cli(args);
        QVERIFY2(pod.code == 0, pod.err.c_str());
        auto collected = cli({"sweep", "--collect-store", "pods", "--store", m_url, "--json"});
        QCOMPARE(collected.code, 1); // 1 of 3
        const auto rows = jsonArray(collected.out);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].toObject()["state_hash"], m_full[1].toObject()["state_hash"]);
        QVERIFY2(contains(collected.err, "missing: 0, 2"), collected.err.c_str());
    }
};

TWINDESK_TEST(TestSweepStore)
#include "tst_sweep_store.moc"
