// `twindesk sweep --variant-index/--results-dir/--emit-k8s`: one variant of a sweep picked by
// its index (what each pod of the Indexed Job runs), and the Kubernetes manifests.
#include "cli.h"
#include "sweep_k8s.h"
#include "test_registry.h"

#include "cli_test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using twindesk::app::runCli;
namespace fs = std::filesystem;

namespace {

using Run = twindesk::test::CliRun;
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

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

class TestSweepK8s : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QJsonArray m_full; // the full sweep, for comparison

    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto full = cli(sweepArgs({"--json", "--threads", "2"}));
        QVERIFY2(full.code == 0, full.err.c_str());
        m_full = jsonArray(full.out);
        QCOMPARE(m_full.size(), 3);
    }

    void variantIndexRunsThatVariantOfTheFullSweep()
    {
        for (int i = 0; i < 3; ++i) {
            auto one = cli(sweepArgs({"--json", "--variant-index", std::to_string(i)}));
            QVERIFY2(one.code == 0, one.err.c_str());
            const auto rows = jsonArray(one.out);
            QCOMPARE(rows.size(), 1);
            QCOMPARE(rows[0].toObject()["run"], m_full[i].toObject()["run"]);
            QCOMPARE(rows[0].toObject()["state_hash"], m_full[i].toObject()["state_hash"]);
        }
        QVERIFY(m_full[0].toObject()["state_hash"] != m_full[2].toObject()["state_hash"]);
    }

    void variantIndexOutOfRangeIsAUsageError()
    {
        auto r = cli(sweepArgs({"--variant-index", "3"}));
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.find("--variant-index 3") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find("3 variants") != std::string::npos, r.err.c_str());
        QCOMPARE(cli(sweepArgs({"--variant-index", "one"})).code, 2);
    }

    void resultsDirHoldsOneFilePerVariant()
    {
        const auto dir = path("results");
        auto r = cli(sweepArgs({"--variant-index", "2", "--results-dir", dir}));
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto file = fs::path(dir) / "variant-0002.json";
        QVERIFY2(fs::exists(file), file.c_str());
        QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
        const auto row = QJsonDocument::fromJson(QByteArray::fromStdString(slurp(file))).object();
        QCOMPARE(row["index"].toInt(), 2);
        QCOMPARE(row["variants"].toInt(), 3);
        QCOMPARE(row["state_hash"], m_full[2].toObject()["state_hash"]);
        QCOMPARE(row["overrides"].toObject()["seed"].toString(), QStringLiteral("3"));
        QVERIFY(row["twindesk_version"].toString().size() > 0);

        // --collect reads the files back into the comparison table.
        auto all = cli(sweepArgs({"--results-dir", dir, "--threads", "2"}));
        QVERIFY2(all.code == 0, all.err.c_str());
        auto collected = cli({"sweep", "--collect", dir, "--json"});
        QVERIFY2(collected.code == 0, collected.err.c_str());
        const auto rows = jsonArray(collected.out);
        QCOMPARE(rows.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(rows[i].toObject()["state_hash"], m_full[i].toObject()["state_hash"]);
        auto empty = cli({"sweep", "--collect", path("nothing-here")});
        QCOMPARE(empty.code, 1);
        QVERIFY2(empty.err.find("nothing-here") != std::string::npos, empty.err.c_str());
    }

    void emittedManifestsCarryWhatKubernetesRequires()
    {
        // One bundled scenario (referenced in the image) and one of the user's (shipped in the
        // ConfigMap under a key Kubernetes accepts).
        const auto own = path("my scenario.json");
        fs::copy_file(kScenario, own);
        const auto out = path("k8s");
        auto r = cli({"sweep", kScenario, own, "--vary", "seed=1,2,3", "--emit-k8s", out,
                      "--parallelism", "2", "--image", "registry.example/twindesk:test",
                      "--job-name", "office-seeds", "--results-claim", "sweeps"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto job = YAML::LoadFile(out + "/job.yaml");
        const auto cm = YAML::LoadFile(out + "/configmap.yaml");
        QCOMPARE(job["apiVersion"].as<std::string>(), std::string("batch/v1"));
        QCOMPARE(job["kind"].as<std::string>(), std::string("Job"));
        QCOMPARE(job["metadata"]["name"].as<std::string>(), std::string("office-seeds"));
        const auto spec = job["spec"];
        QCOMPARE(spec["completionMode"].as<std::string>(), std::string("Indexed"));
        QCOMPARE(spec["completions"].as<int>(), 6); // 2 scenarios × 3 seeds
        QCOMPARE(spec["parallelism"].as<int>(), 2);
        const auto pod = spec["template"]["spec"];
        QCOMPARE(pod["restartPolicy"].as<std::string>(), std::string("Never"));
        const auto container = pod["containers"][0];
        QCOMPARE(container["image"].as<std::string>(),
                 std::string("registry.example/twindesk:test"));
        std::vector<std::string> args;
        for (const auto& a : container["args"])
            args.push_back(a.as<std::string>());
        const auto at = [&](const std::string& flag) {
            auto it = std::find(args.begin(), args.end(), flag);
            return it == args.end() || it + 1 == args.end() ? std::string() : *(it + 1);
        };
        QCOMPARE(args.at(0), std::string("sweep"));
        QCOMPARE(args.at(1), std::string("/usr/share/twindesk/assets/scenarios/demo-office.json"));
        QCOMPARE(args.at(2), std::string("/etc/twindesk-sweep/my_scenario.json"));
        QCOMPARE(at("--variant-index"), std::string("$(JOB_COMPLETION_INDEX)"));
        QCOMPARE(at("--vary"), std::string("seed=1,2,3"));
        QCOMPARE(at("--results-dir"), std::string("/results/office-seeds"));
        // The volumes: the ConfigMap by name, the results claim.
        QCOMPARE(pod["volumes"][0]["configMap"]["name"].as<std::string>(),
                 cm["metadata"]["name"].as<std::string>());
        QCOMPARE(pod["volumes"][1]["persistentVolumeClaim"]["claimName"].as<std::string>(),
                 std::string("sweeps"));
        // The ConfigMap: the user's scenario verbatim and the variants in sweep order.
        QCOMPARE(cm["apiVersion"].as<std::string>(), std::string("v1"));
        QCOMPARE(cm["kind"].as<std::string>(), std::string("ConfigMap"));
        QCOMPARE(cm["data"]["my_scenario.json"].as<std::string>(), slurp(own));
        QVERIFY(!cm["data"]["demo-office.json"]); // in the image already
        const auto variants =
            QJsonDocument::fromJson(
                QByteArray::fromStdString(cm["data"]["variants.json"].as<std::string>()))
                .array();
        QCOMPARE(variants.size(), 6);
        QCOMPARE(variants[4].toObject()["index"].toInt(), 4);
        QCOMPARE(variants[4].toObject()["scenario"].toString(),
                 QStringLiteral("/etc/twindesk-sweep/my_scenario.json"));
        QCOMPARE(variants[4].toObject()["overrides"].toObject()["seed"].toString(),
                 QStringLiteral("2"));
    }

    void emittedManifestsPassTheStore()
    {
        // --store: the pods write to the shared store. The URL reaches them from the
        // ConfigMap, the password only from a Secret reference; no results volume unless a
        // claim is named too.
        const std::string url = "postgresql://sweeper@db.example.org:5432/twindesk";
        const auto out = path("k8s-store");
        auto r = cli(sweepArgs({"--emit-k8s", out, "--job-name", "office-seeds", "--store", url,
                                "--sweep-name", "seeds 2025"}));
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto job = YAML::LoadFile(out + "/job.yaml");
        const auto cm = YAML::LoadFile(out + "/configmap.yaml");
        QCOMPARE(cm["data"]["store"].as<std::string>(), url);
        const auto pod = job["spec"]["template"]["spec"];
        const auto container = pod["containers"][0];
        std::vector<std::string> args;
        for (const auto& a : container["args"])
            args.push_back(a.as<std::string>());
        const auto at = [&](const std::string& flag) {
            auto it = std::find(args.begin(), args.end(), flag);
            return it == args.end() || it + 1 == args.end() ? std::string() : *(it + 1);
        };
        QCOMPARE(at("--store"), std::string("$(TWINDESK_STORE)"));
        QCOMPARE(at("--sweep-name"), std::string("seeds 2025"));
        QCOMPARE(at("--variant-index"), std::string("$(JOB_COMPLETION_INDEX)"));
        QVERIFY(std::find(args.begin(), args.end(), "--results-dir") == args.end());
        const auto env = container["env"];
        QVERIFY(env.IsSequence());
        QCOMPARE(env.size(), std::size_t{2});
        QCOMPARE(env[0]["name"].as<std::string>(), std::string("TWINDESK_STORE"));
        QCOMPARE(env[0]["valueFrom"]["configMapKeyRef"]["name"].as<std::string>(),
                 std::string("office-seeds"));
        QCOMPARE(env[0]["valueFrom"]["configMapKeyRef"]["key"].as<std::string>(),
                 std::string("store"));
        QCOMPARE(env[1]["name"].as<std::string>(), std::string("PGPASSWORD"));
        QVERIFY(!env[1]["value"]); // never inline
        QCOMPARE(env[1]["valueFrom"]["secretKeyRef"]["name"].as<std::string>(),
                 std::string("office-seeds-store"));
        QCOMPARE(env[1]["valueFrom"]["secretKeyRef"]["key"].as<std::string>(),
                 std::string("password"));
        // Only the scenarios volume.
        QCOMPARE(pod["volumes"].size(), std::size_t{1});
        QCOMPARE(container["volumeMounts"].size(), std::size_t{1});
        QCOMPARE(pod["volumes"][0]["name"].as<std::string>(), std::string("scenarios"));

        // With a claim too: both, and the Secret's name as given.
        const auto both = path("k8s-store-both");
        r = cli(sweepArgs({"--emit-k8s", both, "--store", url, "--results-claim", "sweeps",
                           "--store-secret", "pg-sweeper"}));
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto job2 = YAML::LoadFile(both + "/job.yaml");
        const auto pod2 = job2["spec"]["template"]["spec"];
        QCOMPARE(pod2["volumes"][1]["persistentVolumeClaim"]["claimName"].as<std::string>(),
                 std::string("sweeps"));
        QCOMPARE(
            pod2["containers"][0]["env"][1]["valueFrom"]["secretKeyRef"]["name"].as<std::string>(),
            std::string("pg-sweeper"));
        std::vector<std::string> args2;
        for (const auto& a : pod2["containers"][0]["args"])
            args2.push_back(a.as<std::string>());
        QVERIFY(std::find(args2.begin(), args2.end(), "--results-dir") != args2.end());
        QVERIFY(std::find(args2.begin(), args2.end(), "twindesk-sweep") != args2.end());

        // A password in the URL would land in the ConfigMap: refused, redacted, nothing written.
        const auto bad = path("k8s-store-bad");
        r = cli(sweepArgs({"--emit-k8s", bad, "--store",
                           "postgresql://sweeper:hunter2@db.example.org/twindesk"}));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("holds a password") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find("hunter2") == std::string::npos, r.err.c_str());
        QVERIFY(!fs::exists(bad + "/job.yaml"));
        // The pods cannot reach a project file.
        r = cli(sweepArgs({"--emit-k8s", bad, "--store", "project"}));
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("postgresql://") != std::string::npos, r.err.c_str());
        QCOMPARE(cli(sweepArgs({"--emit-k8s", bad, "--project", path("x.twin")})).code, 2);
        QCOMPARE(cli(sweepArgs({"--emit-k8s", bad, "--store-secret", "s"})).code, 2);
        QVERIFY(!fs::exists(bad + "/job.yaml"));
    }

    void podCommandRunsTheVariantOfItsIndex()
    {
        // What pod 1 runs: the emitted args with the index substituted and the container paths
        // mapped back to this machine give the full sweep's variant 1.
        const auto out = path("k8s-pod");
        auto r = cli(sweepArgs({"--emit-k8s", out}));
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto job = YAML::LoadFile(out + "/job.yaml");
        QCOMPARE(job["spec"]["completions"].as<int>(), 3);
        std::vector<std::string> args;
        for (const auto& a : job["spec"]["template"]["spec"]["containers"][0]["args"]) {
            auto s = a.as<std::string>();
            if (s == "$(JOB_COMPLETION_INDEX)")
                s = "1";
            if (s.rfind("/usr/share/twindesk/assets/", 0) == 0)
                s = std::string(TWINDESK_SOURCE_DIR) + "/assets/" + s.substr(27);
            if (s.rfind("/results/", 0) == 0)
                s = path("pod-results");
            args.push_back(s);
        }
        auto pod = cli(args);
        QVERIFY2(pod.code == 0, pod.err.c_str());
        const auto rows = jsonArray(pod.out);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].toObject()["state_hash"], m_full[1].toObject()["state_hash"]);
        QVERIFY(fs::exists(path("pod-results") + "/variant-0001.json"));
    }

    void badOptionsAreUsageErrors()
    {
        auto name = cli(sweepArgs({"--emit-k8s", path("k8s-bad"), "--job-name", "Office_Seeds"}));
        QCOMPARE(name.code, 2);
        QVERIFY2(name.err.find("--job-name Office_Seeds") != std::string::npos, name.err.c_str());
        QVERIFY(!fs::exists(path("k8s-bad") + "/job.yaml"));
        auto both = cli(sweepArgs({"--emit-k8s", path("k8s-bad"), "--variant-index", "0"}));
        QCOMPARE(both.code, 2);
        auto par = cli(sweepArgs({"--emit-k8s", path("k8s-bad"), "--parallelism", "0"}));
        QCOMPARE(par.code, 2);
        QCOMPARE(twindesk::app::checkK8sName(std::string(53, 'a')).empty(), false);
        QCOMPARE(twindesk::app::checkK8sName("office-seeds-2").empty(), true);
        QCOMPARE(twindesk::app::k8sConfigKey("my scenario (1).json"),
                 std::string("my_scenario__1_.json"));
    }

    void kubectlAcceptsTheManifests()
    {
        const auto kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
        if (kubectl.isEmpty())
            QSKIP("kubectl is not installed (Debian: kubernetes-client); the YAML checks above "
                  "still ran");
        const auto out = path("k8s-kubectl");
        auto r = cli(sweepArgs({"--emit-k8s", out}));
        QVERIFY2(r.code == 0, r.err.c_str());
        // Client-side only: `kubectl create/apply --dry-run=client` still asks a server for
        // the API groups, so use what works offline: kustomize builds the folder (every
        // resource parsed, kustomization.yaml consistent) and `set env --local` decodes the Job
        // into its typed pod template.
        const auto run = [&](const QStringList& args) {
            QProcess p;
            p.start(kubectl, args);
            if (!p.waitForFinished(60000))
                return std::pair{-1, QByteArray("timeout")};
            const auto err = p.readAllStandardError();
            return std::pair{p.exitCode(), p.readAllStandardOutput() + err};
        };
        const auto [kcode, built] = run({QStringLiteral("kustomize"), QString::fromStdString(out)});
        QVERIFY2(kcode == 0, built.constData());
        QVERIFY2(built.contains("kind: Job") && built.contains("kind: ConfigMap"),
                 built.constData());
        const auto [scode, set] =
            run({QStringLiteral("set"), QStringLiteral("env"), QStringLiteral("--local"),
                 QStringLiteral("-f"), QString::fromStdString(out + "/job.yaml"),
                 QStringLiteral("TWINDESK_CHECK=1"), QStringLiteral("-o"), QStringLiteral("yaml")});
        QVERIFY2(scode == 0, set.constData());
        QVERIFY2(set.contains("TWINDESK_CHECK") && set.contains("completionMode: Indexed"),
                 set.constData());
        // With a store: the env from the ConfigMap and the Secret decode too.
        const auto stored = path("k8s-kubectl-store");
        r = cli(sweepArgs({"--emit-k8s", stored, "--store", "postgresql://sweeper@db/twindesk"}));
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto [kcode2, built2] =
            run({QStringLiteral("kustomize"), QString::fromStdString(stored)});
        QVERIFY2(kcode2 == 0, built2.constData());
        const auto [scode2, set2] =
            run({QStringLiteral("set"), QStringLiteral("env"), QStringLiteral("--local"),
                 QStringLiteral("-f"), QString::fromStdString(stored + "/job.yaml"),
                 QStringLiteral("TWINDESK_CHECK=1"), QStringLiteral("-o"), QStringLiteral("yaml")});
        QVERIFY2(scode2 == 0, set2.constData());
        QVERIFY2(set2.contains("secretKeyRef") && set2.contains("configMapKeyRef"),
                 set2.constData());
    }
};

TWINDESK_TEST(TestSweepK8s)
#include "tst_sweep_k8s.moc"
