// Tests for twindesk/twin/runtime_profile.h and the runtime vocabulary of the twin (workload
// kinds, services, the uses relation): defaults, quantiles, validation, GPU attributes.
#include "test_registry.h"

#include <twindesk/twin/relation.h>
#include <twindesk/twin/runtime_profile.h>
#include <twindesk/twin/twin_graph.h>

#include <QObject>
#include <QtTest>

#include <cmath>
#include <string>

using namespace twindesk::twin;

class TestRuntimeProfile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namesRoundTrip()
    {
        for (auto k : {WorkloadType::VirtualMachine, WorkloadType::Container, WorkloadType::MicroVm,
                       WorkloadType::WasmModule, WorkloadType::SandboxedContainer})
            QCOMPARE(parseWorkloadType(workloadTypeName(k)), std::optional<WorkloadType>(k));
        QCOMPARE(std::string(workloadTypeName(WorkloadType::MicroVm)), std::string("micro_vm"));
        QCOMPARE(parseEntityKind("service"), std::optional<EntityKind>(EntityKind::Service));
        QCOMPARE(parseRelation("uses"), std::optional<Relation>(Relation::Uses));
        QCOMPARE(std::string(inverseRelationName(Relation::Uses)), std::string("isUsedBy"));
        for (auto c : {IsolationClass::SharedKernel, IsolationClass::LanguageSandbox,
                       IsolationClass::SandboxedKernel, IsolationClass::Hardware})
            QCOMPARE(parseIsolationClass(isolationClassName(c)), std::optional<IsolationClass>(c));
        QVERIFY(!parseIsolationClass("strong"));
    }

    void defaultsAreValidAndOrdered()
    {
        const auto& all = defaultRuntimeProfiles();
        for (const auto& p : all) {
            QVERIFY2(p.validate("defaults").ok(), std::string(workloadTypeName(p.kind)).c_str());
            // A warm pool must be faster than a cold start, or it would be pointless.
            QVERIFY(p.warm.medianS < p.cold.medianS);
        }
        const auto& vm = defaultRuntimeProfile(WorkloadType::VirtualMachine);
        const auto& micro = defaultRuntimeProfile(WorkloadType::MicroVm);
        const auto& wasm = defaultRuntimeProfile(WorkloadType::WasmModule);
        const auto& sandbox = defaultRuntimeProfile(WorkloadType::SandboxedContainer);
        const auto& container = defaultRuntimeProfile(WorkloadType::Container);
        // The documented ordering of the kinds (docs/runtimes.md).
        QVERIFY(wasm.cold.medianS < micro.cold.medianS);
        QVERIFY(micro.cold.medianS < container.cold.medianS);
        QVERIFY(container.cold.medianS < sandbox.cold.medianS);
        QVERIFY(sandbox.cold.medianS < vm.cold.medianS);
        QVERIFY(micro.isolation == IsolationClass::Hardware);
        QVERIFY(sandbox.isolation > container.isolation);
        QVERIFY(!micro.gpuCapable); // Firecracker has no device passthrough
        QVERIFY(vm.gpuCapable);
        QCOMPARE(wasm.maxCores, 1.0);
    }

    void quantiles()
    {
        // Median and p95 are reproduced exactly by construction.
        const StartupLatency l{2.0, 6.0};
        QVERIFY(std::abs(l.quantile(0.5) - 2.0) < 1e-9);
        QVERIFY(std::abs(l.quantile(0.95) - 6.0) < 1e-7);
        // σ = ln 3 / 1.6448536 = 0.667907...
        QVERIFY(std::abs(l.sigma() - std::log(3.0) / 1.6448536269514722) < 1e-12);
        // p99 = 2 × exp(σ × 2.3263479) = 2 × exp(1.553789) = 9.459...
        QVERIFY(std::abs(l.quantile(0.99) - 2.0 * std::exp(l.sigma() * 2.3263478740408408)) <
                1e-6);
        QVERIFY(std::abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
        QVERIFY(std::isnan(normalQuantile(0.0)));
        // A degenerate distribution (p95 = median) is a constant.
        QCOMPARE(StartupLatency({1.5, 1.5}).quantile(0.99), 1.5);
    }

    void validationNamesTheField()
    {
        RuntimeProfile p = defaultRuntimeProfile(WorkloadType::Container);
        p.cold.p95S = 1.0; // below its median of 2 s
        const auto st = p.validate("demo.json: /runtimes/profiles/container");
        QVERIFY(!st);
        QVERIFY(st.error().message.find("cold start-up p95") != std::string::npos);
        QCOMPARE(st.error().where, std::string("demo.json: /runtimes/profiles/container"));
        p = defaultRuntimeProfile(WorkloadType::Container);
        p.warmIdleCostFraction = 1.5;
        QVERIFY(!p.validate("x"));
    }

    void gpuAttributes()
    {
        Entity host;
        host.id = "urn:host";
        QCOMPARE(gpuSpecOf(host)->count, 0);
        host.setAttribute("gpuCount", "2");
        host.setAttribute("gpuMemoryGb", "24");
        host.setAttribute("gpuIdleW", "30");
        host.setAttribute("gpuBusyW", "300");
        const auto g = gpuSpecOf(host);
        QVERIFY(g);
        QCOMPARE(g->count, 2);
        QCOMPARE(g->busyW, 300.0);
        host.setAttribute("gpuBusyW", "-1");
        const auto bad = gpuSpecOf(host);
        QVERIFY(!bad);
        QVERIFY(bad.error().message.find("gpuBusyW") != std::string::npos);
        QCOMPARE(bad.error().where, std::string("host 'urn:host'"));
        host.setAttribute("gpuBusyW", "300");
        host.setAttribute("gpuCount", "1.5");
        QVERIFY(!gpuSpecOf(host));
    }

    void serviceChainInTheGraph()
    {
        // room uses service, service runsOn workload, workload runsOn host.
        TwinGraph g;
        auto add = [&](const char* id, EntityKind kind) {
            Entity e;
            e.id = id;
            e.kind = kind;
            return *g.addEntity(std::move(e));
        };
        const auto room = add("room", EntityKind::Room);
        const auto svc = add("svc", EntityKind::Service);
        const auto wl = add("wl", EntityKind::Workload);
        const auto host = add("host", EntityKind::Equipment);
        QVERIFY(g.addRelation(room, Relation::Uses, svc).ok());
        QVERIFY(g.addRelation(svc, Relation::RunsOn, wl).ok());
        QVERIFY(g.addRelation(wl, Relation::RunsOn, host).ok());
        QCOMPARE(g.outgoing(room, Relation::Uses).size(), std::size_t{1});
        QCOMPARE(g.incoming(svc, Relation::Uses).front(), room);
        QCOMPARE(g.outgoing(g.outgoing(svc, Relation::RunsOn).front(), Relation::RunsOn).front(),
                 host);
        QCOMPARE(g.relationCount(Relation::Uses), std::size_t{1});
    }
};

TWINDESK_TEST(TestRuntimeProfile)
#include "tst_runtime_profile.moc"
