// The approval gate: which actions are high-impact and why, the request life cycle (approve,
// reject, expire, supersede, poll), persistence in the project file, and a second connection
// deciding while the first polls — the life cycle on both back ends (the project file and a
// real PostgreSQL 15 server), NOTIFY on the shared store, two consoles racing for one request.
#include "postgres_server.h"
#include "test_registry.h"

#include <twindesk/policies/approval_gate.h>
#include <twindesk/policies/policy.h>
#include <twindesk/twin/pg_store.h>
#include <twindesk/twin/project_store.h>
#include <twindesk/twin/sql_connection.h>

#include <QTemporaryDir>

#include <optional>

#include <sqlite3.h>

#include <algorithm>
#include <limits>

using namespace twindesk;
using namespace twindesk::policies;
using sim::ActionKind;
using twin::ErrorCode;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kT0 = 1'736'186'400'000; // 2025-01-06T18:00:00Z, ms

Action setpoint(const std::string& target, double value)
{
    return Action{ActionKind::SetSetpoint, target, value, {}, {}};
}

bool hasRule(const ImpactAssessment& a, const std::string& rule)
{
    return std::find(a.rules.begin(), a.rules.end(), rule) != a.rules.end();
}

ApprovalRequest makeRequest(const Action& action, std::int64_t at = kT0,
                            std::int64_t lifeMs = 3'600'000)
{
    ApprovalRequest r;
    r.requestedMs = at;
    r.expiresMs = at + lifeMs;
    r.policyId = "fixed-schedule";
    r.action = action;
    r.reason = "setpoint-outside-band: test";
    r.decisionSeq = 7;
    return r;
}

ApprovalDecision by(const std::string& user, const std::string& note = {})
{
    ApprovalDecision d;
    d.user = user;
    d.note = note;
    d.decidedAt = "2025-01-06T18:05:00Z";
    return d;
}

// Two points of room A (one on a VAV located in it), one of room B: two rooms.
std::shared_ptr<const twin::TwinGraph> twoRooms()
{
    auto g = std::make_shared<twin::TwinGraph>();
    auto add = [&g](const std::string& id, twin::EntityKind kind, const char* unit = nullptr) {
        twin::Entity e;
        e.id = "urn:t:" + id;
        e.name = id;
        e.kind = kind;
        if (unit != nullptr)
            e.point = twin::PointInfo{
                twin::PointType::Setpoint, twin::Quantity::Temperature, unit, true, {}};
        if (!g->addEntity(e))
            qFatal("addEntity %s", id.c_str());
    };
    add("roomA", twin::EntityKind::Room);
    add("roomB", twin::EntityKind::Room);
    add("vavA", twin::EntityKind::Equipment);
    add("heatA", twin::EntityKind::Point, "°C");
    add("coolA", twin::EntityKind::Point, "°C");
    add("heatB", twin::EntityKind::Point, "°F");
    auto rel = [&g](const char* a, twin::Relation r, const char* b) {
        if (!g->addRelation(std::string("urn:t:") + a, r, std::string("urn:t:") + b))
            qFatal("addRelation");
    };
    rel("roomA", twin::Relation::HasPoint, "heatA");
    rel("vavA", twin::Relation::HasLocation, "roomA");
    rel("vavA", twin::Relation::HasPoint, "coolA");
    rel("roomB", twin::Relation::HasPoint, "heatB");
    return g;
}

std::vector<std::pair<std::string, std::string>> columns(sqlite3* db)
{
    std::vector<std::pair<std::string, std::string>> out;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info('approvals') ORDER BY cid", -1,
                       &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                         reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
    sqlite3_finalize(st);
    return out;
}

} // namespace

// One connection to a store of either back end.
struct Store
{
    std::optional<twin::ProjectStore> file;
    std::optional<twin::PgStore> pg;
    twin::SqlConnection& sql() { return file ? file->sql() : pg->sql(); }
};

class TestApprovalGate : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    twindesk::test::TestPostgres m_pg;
    int m_stores = 0;
    std::string m_lastUrl;
    fs::path m_lastFile;

    [[nodiscard]] fs::path file(const char* name) const
    {
        return fs::path(m_dir.path().toStdString()) / name;
    }

    static void backends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }

    // A new, empty store of the row's back end (nullptr: could not make one, warned).
    std::unique_ptr<Store> freshStore()
    {
        QFETCH(QString, backend);
        const std::string name = "a" + std::to_string(++m_stores);
        if (backend == QLatin1String("sqlite")) {
            m_lastFile = file((name + ".twin").c_str());
            auto store = twin::ProjectStore::create(m_lastFile);
            if (!store) {
                qWarning("%s", store.error().toString().c_str());
                return nullptr;
            }
            auto out = std::make_unique<Store>();
            out->file.emplace(std::move(store).value());
            return out;
        }
        m_lastUrl = m_pg.createDatabase(QString::fromStdString(name));
        if (m_lastUrl.empty()) {
            qWarning("%s", qPrintable(m_pg.lastError()));
            return nullptr;
        }
        return connectAgain();
    }

    // Another connection (another console, another machine) to the store made last.
    std::unique_ptr<Store> connectAgain()
    {
        QFETCH(QString, backend);
        auto out = std::make_unique<Store>();
        if (backend == QLatin1String("sqlite")) {
            auto store = twin::ProjectStore::open(m_lastFile);
            if (!store)
                return nullptr;
            out->file.emplace(std::move(store).value());
            return out;
        }
        auto store = twin::PgStore::connect(m_lastUrl);
        if (!store) {
            qWarning("%s", store.error().toString().c_str());
            return nullptr;
        }
        out->pg.emplace(std::move(store).value());
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(), qPrintable(m_pg.lastError()));
    }
    void cleanupTestCase() { m_pg.stop(); }

    void powerHostOffIsHighImpact()
    {
        const ApprovalConfig config;
        const auto off = assessAction(config, Action{ActionKind::PowerHost, "urn:h1", 0.0, {}, {}});
        QVERIFY(off.highImpact());
        QVERIFY(hasRule(off, "power-host-off"));
        QVERIFY2(off.reason().find("power-host-off: powers host 'urn:h1' off") == 0,
                 off.reason().c_str());
        QVERIFY(!assessAction(config, Action{ActionKind::PowerHost, "urn:h1", 1.0, {}, {}})
                     .highImpact());
        ApprovalConfig lenient;
        lenient.powerHostOff = false;
        QVERIFY(!assessAction(lenient, Action{ActionKind::PowerHost, "urn:h1", 0.0, {}, {}})
                     .highImpact());
    }

    void setpointOutsideTheBandIsHighImpact()
    {
        const ApprovalConfig config; // 19..26 °C
        const auto setback = assessAction(config, setpoint("urn:heat", 16.0));
        QVERIFY(hasRule(setback, "setpoint-outside-band"));
        QVERIFY2(setback.reason().find("16 °C") != std::string::npos, setback.reason().c_str());
        QVERIFY(setback.reason().find("urn:heat") != std::string::npos);
        QVERIFY(setback.reason().find("19..26") != std::string::npos);
        QVERIFY(hasRule(assessAction(config, setpoint("urn:cool", 28.0)), "setpoint-outside-band"));
        QVERIFY(!assessAction(config, setpoint("urn:heat", 21.0)).highImpact());
        QVERIFY(!assessAction(config, setpoint("urn:heat", 19.0)).highImpact()); // inclusive
        QVERIFY(!assessAction(config, setpoint("urn:cool", 26.0)).highImpact());
        ApprovalConfig wide;
        wide.comfortLowC = 15.0;
        QVERIFY(!assessAction(wide, setpoint("urn:heat", 16.0)).highImpact());
        // A setpoint published in °F is judged in °C: 61 °F ≈ 16.1 °C, 70 °F ≈ 21.1 °C.
        const Observation obs(twoRooms(), 0.0);
        QVERIFY(hasRule(assessAction(config, setpoint("urn:t:heatB", 61.0), &obs),
                        "setpoint-outside-band"));
        QVERIFY(!assessAction(config, setpoint("urn:t:heatB", 70.0), &obs).highImpact());
    }

    void alwaysKindsAreHighImpact()
    {
        const Action migrate{ActionKind::MigrateVm, "urn:vm1", 0.0, {}, "urn:h2"};
        QVERIFY(!assessAction(ApprovalConfig{}, migrate).highImpact());
        ApprovalConfig config;
        config.alwaysKinds = {ActionKind::MigrateVm};
        const auto a = assessAction(config, migrate);
        QVERIFY(hasRule(a, "always-kind"));
        QVERIFY(a.reason().find("MigrateVm always needs approval") != std::string::npos);
        QVERIFY(
            !assessAction(config, Action{ActionKind::Dim, "urn:l1", 50.0, {}, {}}).highImpact());
    }

    void roomsPerRoundMakesTheWholeRoundHighImpact()
    {
        ApprovalConfig config;
        config.maxRoomsPerRound = 2;
        // Without a twin each target is a room: three targets, limit two.
        const std::vector<Action> round{setpoint("urn:a", 21.0), setpoint("urn:b", 21.0),
                                        setpoint("urn:c", 21.0)};
        QCOMPARE(roomsTouched(round, nullptr), std::size_t{3});
        const auto wide = ApprovalGate::assess(config, round);
        QCOMPARE(wide.size(), std::size_t{3});
        for (const auto& a : wide) {
            QVERIFY(hasRule(a, "rooms-per-round"));
            QVERIFY2(a.reason().find("touches 3 rooms (more than 2)") != std::string::npos,
                     a.reason().c_str());
        }
        config.maxRoomsPerRound = 3;
        for (const auto& a : ApprovalGate::assess(config, round))
            QVERIFY(!a.highImpact());
        config.maxRoomsPerRound = 0; // off
        for (const auto& a : ApprovalGate::assess(config, round))
            QVERIFY(!a.highImpact());

        // With a twin: heatA (room A's point) and coolA (a VAV located in room A) are one room.
        const Observation obs(twoRooms(), 0.0);
        const std::vector<Action> rooms{setpoint("urn:t:heatA", 21.0),
                                        setpoint("urn:t:coolA", 24.0),
                                        setpoint("urn:t:heatB", 70.0)};
        QCOMPARE(roomsTouched(rooms, &obs), std::size_t{2});
        QCOMPARE(roomsTouched(rooms, nullptr), std::size_t{3});
        config.maxRoomsPerRound = 2;
        for (const auto& a : ApprovalGate::assess(config, rooms, &obs))
            QVERIFY2(!a.highImpact(), a.reason().c_str());
        config.maxRoomsPerRound = 1;
        const auto two = ApprovalGate::assess(config, rooms, &obs);
        QVERIFY(hasRule(two[0], "rooms-per-round"));
        // Several rules fire: each is named.
        const std::vector<Action> mixed{setpoint("urn:t:heatA", 16.0),
                                        setpoint("urn:t:heatB", 70.0)};
        const auto both = ApprovalGate::assess(config, mixed, &obs);
        QCOMPARE(both[0].rules,
                 (std::vector<std::string>{"setpoint-outside-band", "rooms-per-round"}));
        QCOMPARE(both[1].rules, std::vector<std::string>{"rooms-per-round"});
    }

    void statusNamesRoundTrip()
    {
        for (auto s : {ApprovalStatus::Pending, ApprovalStatus::Approved, ApprovalStatus::Rejected,
                       ApprovalStatus::Expired, ApprovalStatus::Applied, ApprovalStatus::Superseded,
                       ApprovalStatus::Failed})
            QCOMPARE(parseApprovalStatus(approvalStatusName(s)), std::optional(s));
        QVERIFY(!parseApprovalStatus("maybe"));
    }

    void requestApproveRejectList_data() { backends(); }
    void requestApproveRejectList()
    {
        auto store = freshStore();
        QVERIFY(store);
        const std::string location = store->sql().location();
        auto gate = ApprovalGate::open(store->sql());
        QVERIFY2(gate.ok(), gate.ok() ? "" : gate.error().toString().c_str());
        const auto a = setpoint("urn:heat", 16.0);
        const Action b{ActionKind::PowerHost, "urn:h1", 0.0, {}, {}};
        auto idA = gate->request(makeRequest(a));
        auto idB = gate->request(makeRequest(b));
        QVERIFY(idA.ok() && idB.ok());
        QVERIFY(*idB > *idA);
        auto pending = gate->list();
        QVERIFY(pending.ok());
        QCOMPARE(pending->size(), std::size_t{2});
        QCOMPARE(pending->front().action, a);
        QCOMPARE(pending->front().expiresMs, kT0 + 3'600'000);
        QCOMPARE(pending->front().decisionSeq, std::int64_t{7});
        QVERIFY(!pending->front().outcomeSeq);

        auto approved = gate->approve(*idA, by("zoë", "cold snap: keep it"));
        QVERIFY2(approved.ok(), approved.ok() ? "" : approved.error().toString().c_str());
        QCOMPARE(approved->status, ApprovalStatus::Approved);
        QCOMPARE(approved->decidedBy, std::string("zoë"));
        QCOMPARE(approved->note, std::string("cold snap: keep it"));
        QCOMPARE(approved->decidedAt, std::string("2025-01-06T18:05:00Z"));
        auto rejected = gate->reject(*idB, by("ops", "host runs the payroll VM"));
        QVERIFY(rejected.ok());
        QCOMPARE(rejected->status, ApprovalStatus::Rejected);
        QCOMPARE(rejected->note, std::string("host runs the payroll VM"));

        QVERIFY(gate->list()->empty());
        QCOMPARE(gate->list(ApprovalStatus::Approved)->size(), std::size_t{1});
        QCOMPARE(gate->list(std::nullopt)->size(), std::size_t{2});

        // A decided request cannot be decided again; the refusal names the id and the state.
        auto again = gate->reject(*idA, by("mallory"));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::InvalidArgument);
        const auto& msg = again.error().message;
        QVERIFY2(msg.find("#" + std::to_string(*idA)) != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("not pending (approved by zoë") != std::string::npos, msg.c_str());
        QVERIFY2(again.error().where.find(location) == 0, again.error().where.c_str());
        QCOMPARE(gate->get(*idA)->decidedBy, std::string("zoë")); // unchanged

        // A wall-clock decision time is filled in when none is given.
        auto idC = gate->request(makeRequest(setpoint("urn:cool", 29.0)));
        ApprovalDecision now;
        now.user = "ops";
        auto c = gate->approve(*idC, now);
        QVERIFY(c.ok());
        QCOMPARE(c->decidedAt.size(), std::size_t{20});
        QCOMPARE(c->decidedAt.back(), 'Z');
        // Nobody: refused.
        auto idD = gate->request(makeRequest(setpoint("urn:cool2", 29.0)));
        auto anonymous = gate->approve(*idD, ApprovalDecision{});
        QVERIFY(!anonymous.ok());
        QVERIFY(anonymous.error().message.find("no user") != std::string::npos);
    }

    void refusesUnknownAndGarbageIds()
    {
        auto gate = ApprovalGate::inMemory();
        QVERIFY(gate.ok());
        QVERIFY(gate->request(makeRequest(setpoint("urn:heat", 16.0))).ok());
        auto unknown = gate->approve(42, by("ops"));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QVERIFY(unknown.error().message.find("#42") != std::string::npos);
        QVERIFY(unknown.error().message.find("no such request") != std::string::npos);
        QCOMPARE(gate->reject(42, by("ops")).error().code, ErrorCode::NotFound);
        for (std::int64_t bad :
             {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min()}) {
            auto r = gate->approve(bad, by("ops"));
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
            QVERIFY(r.error().message.find("positive") != std::string::npos);
        }
        QCOMPARE(gate->approve(std::numeric_limits<std::int64_t>::max(), by("ops")).error().code,
                 ErrorCode::NotFound);
        QCOMPARE(gate->get(42).error().code, ErrorCode::NotFound);
        QCOMPARE(gate->list()->size(), std::size_t{1}); // nothing changed
        // Invalid requests are refused too.
        auto noPolicy = makeRequest(setpoint("urn:x", 16.0));
        noPolicy.policyId.clear();
        QVERIFY(!gate->request(noPolicy).ok());
        QVERIFY(!gate->request(makeRequest(setpoint("", 16.0))).ok());
        QVERIFY(!gate->request(makeRequest(setpoint("urn:x", 16.0), kT0, -1)).ok());
    }

    void expiresAtTheRightSourceTime()
    {
        auto gate = ApprovalGate::inMemory();
        QVERIFY(gate.ok());
        auto id = gate->request(makeRequest(setpoint("urn:heat", 16.0), kT0, 600'000));
        QVERIFY(id.ok());
        auto early = gate->expire(kT0 + 599'999);
        QVERIFY(early.ok());
        QVERIFY(early->empty());
        QCOMPARE(gate->get(*id)->status, ApprovalStatus::Pending);
        // Approving once the expiry has passed (the caller knows the source time): refused.
        ApprovalDecision late = by("ops");
        late.nowMs = kT0 + 600'000;
        auto refused = gate->approve(*id, late);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("expired") != std::string::npos,
                 refused.error().message.c_str());
        QCOMPARE(gate->get(*id)->status, ApprovalStatus::Pending);
        auto due = gate->expire(kT0 + 600'000);
        QVERIFY(due.ok());
        QCOMPARE(due->size(), std::size_t{1});
        QCOMPARE(due->front().id, *id);
        QCOMPARE(due->front().status, ApprovalStatus::Expired);
        QCOMPARE(gate->get(*id)->status, ApprovalStatus::Expired);
        QVERIFY(gate->expire(kT0 + 10'000'000)->empty()); // once only
        // Approving an expired request (no source time given): refused, it is not pending.
        auto after = gate->approve(*id, by("ops"));
        QVERIFY(!after.ok());
        QVERIFY(after.error().message.find("not pending (expired") != std::string::npos);

        // An approval that was not applied before the expiry expires too.
        auto id2 = gate->request(makeRequest(setpoint("urn:cool", 29.0), kT0, 600'000));
        ApprovalDecision inTime = by("ops");
        inTime.nowMs = kT0 + 1000;
        QVERIFY(gate->approve(*id2, inTime).ok());
        auto lateApproval = gate->poll(kT0 + 700'000);
        QVERIFY(lateApproval.ok());
        QCOMPARE(lateApproval->size(), std::size_t{2}); // both expired, neither to apply
        for (const auto& r : *lateApproval)
            QCOMPARE(r.status, ApprovalStatus::Expired);
        QVERIFY(gate->get(*id2)->note.find("before it was applied") != std::string::npos);
    }

    void pollAppliesAndReportsOnce_data() { backends(); }
    void pollAppliesAndReportsOnce()
    {
        auto store = freshStore();
        QVERIFY(store);
        auto gate = ApprovalGate::open(store->sql());
        QVERIFY(gate.ok());
        auto a = gate->request(makeRequest(setpoint("urn:a", 16.0)));
        auto b = gate->request(makeRequest(setpoint("urn:b", 16.0)));
        auto c = gate->request(makeRequest(setpoint("urn:c", 16.0)));
        QVERIFY(gate->poll(kT0)->empty()); // all pending: nothing to do
        QVERIFY(gate->approve(*a, by("ops")).ok());
        QVERIFY(gate->reject(*b, by("ops", "too cold")).ok());
        auto due = gate->poll(kT0 + 1000);
        QVERIFY(due.ok());
        QCOMPARE(due->size(), std::size_t{2});
        QCOMPARE((*due)[0].id, *a);
        QCOMPARE((*due)[0].status, ApprovalStatus::Approved);
        QCOMPARE((*due)[1].id, *b);
        QCOMPARE((*due)[1].status, ApprovalStatus::Rejected);
        QVERIFY(gate->markApplied(*a, 11).ok());
        QVERIFY(gate->markReported(*b, 12).ok());
        QVERIFY(gate->poll(kT0 + 2000)->empty());
        QCOMPARE(gate->get(*a)->status, ApprovalStatus::Applied);
        QCOMPARE(gate->get(*a)->outcomeSeq, std::optional<std::int64_t>(11));
        QCOMPARE(gate->get(*b)->outcomeSeq, std::optional<std::int64_t>(12));
        QVERIFY(!gate->markApplied(*a, 13).ok()); // applied once
        QVERIFY(!gate->markApplied(*c, 13).ok()); // never approved
        QVERIFY(!gate->markReported(*b, 13).ok());

        // A later action on c's target supersedes it; the poll reports it once.
        QVERIFY(gate->findOpen(setpoint("urn:c", 16.0))->has_value());
        QVERIFY(!gate->findOpen(setpoint("urn:c", 17.0))->has_value());
        auto old = gate->supersede(setpoint("urn:c", 21.0));
        QVERIFY(old.ok());
        QCOMPARE(old->size(), std::size_t{1});
        QVERIFY(!gate->findOpen(setpoint("urn:c", 16.0))->has_value());
        QCOMPARE(gate->get(*c)->status, ApprovalStatus::Superseded);
        QVERIFY(gate->get(*c)->note.find("superseded by SetSetpoint target=urn:c value=21") == 0);
        QCOMPARE(gate->poll(kT0 + 3000)->size(), std::size_t{1});
        QVERIFY(gate->supersede(setpoint("urn:c", 22.0))->empty()); // closed already

        // Approved → failed when the loop could not apply it.
        auto d = gate->request(makeRequest(setpoint("urn:d", 16.0)));
        QVERIFY(gate->approve(*d, by("ops")).ok());
        QVERIFY(gate->markFailed(*d, "refused by the sink", 14).ok());
        QCOMPARE(gate->get(*d)->status, ApprovalStatus::Failed);
        QVERIFY(gate->get(*d)->note.find("refused by the sink") != std::string::npos);
    }

    void persistsAcrossReopening()
    {
        const auto path = file("persist.twin");
        std::int64_t id = 0;
        const Action exact{ActionKind::SetSetpoint, "urn:heat", 16.000000000000004, {}, {}};
        {
            auto store = twin::ProjectStore::create(path);
            QVERIFY(store.ok());
            auto gate = ApprovalGate::open(*store);
            QVERIFY(gate.ok());
            id = gate->request(makeRequest(exact)).value();
            const Action mode{ActionKind::SetMode, "urn:ahu", 0.0, "unoccupied", {}};
            QVERIFY(gate->request(makeRequest(mode)).ok());
            QVERIFY(gate->approve(id, by("zoë", "ok")).ok());
        }
        auto store = twin::ProjectStore::open(path);
        QVERIFY(store.ok());
        auto gate = ApprovalGate::open(*store);
        QVERIFY(gate.ok());
        auto r = gate->get(id);
        QVERIFY(r.ok());
        QCOMPARE(r->action, exact); // bit for bit: re-applied exactly as proposed
        QCOMPARE(r->status, ApprovalStatus::Approved);
        QCOMPARE(r->decidedBy, std::string("zoë"));
        QCOMPARE(r->policyId, std::string("fixed-schedule"));
        auto pending = gate->list();
        QCOMPARE(pending->size(), std::size_t{1});
        QCOMPARE(pending->front().action.text, std::string("unoccupied"));
        // The table keeps the describeAction text for people reading the file.
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(store->handle(), "SELECT action FROM approvals WHERE id = 1", -1, &st,
                           nullptr);
        QCOMPARE(sqlite3_step(st), SQLITE_ROW);
        QVERIFY(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)))
                    .find("SetSetpoint target=urn:heat value=16") == 0);
        sqlite3_finalize(st);
        // Read-only: list works, writes are refused.
        store = twin::ProjectStore::open(path, twin::OpenMode::ReadOnly);
        QVERIFY(store.ok());
        auto readOnly = ApprovalGate::open(*store);
        QVERIFY(readOnly.ok());
        QCOMPARE(readOnly->list()->size(), std::size_t{1});
        auto refused = readOnly->approve(pending->front().id, by("ops"));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.find("read-only") != std::string::npos);
    }

    void secondConnectionDecidesFirstPollSees_data() { backends(); }
    void secondConnectionDecidesFirstPollSees()
    {
        auto loopStore = freshStore();
        QVERIFY(loopStore);
        auto cliStore = connectAgain();
        QVERIFY(cliStore);
        auto loopGate = ApprovalGate::open(loopStore->sql());
        auto cliGate = ApprovalGate::open(cliStore->sql());
        QVERIFY(loopGate.ok() && cliGate.ok());
        auto a = loopGate->request(makeRequest(setpoint("urn:a", 16.0)));
        auto b = loopGate->request(makeRequest(setpoint("urn:b", 16.0)));
        QVERIFY(loopGate->poll(kT0)->empty());
        // The other connection sees the requests and decides.
        QCOMPARE(cliGate->list()->size(), std::size_t{2});
        QVERIFY(cliGate->approve(*a, by("ops")).ok());
        auto seen = loopGate->poll(kT0 + 1000);
        QVERIFY(seen.ok());
        QCOMPARE(seen->size(), std::size_t{1});
        QCOMPARE(seen->front().id, *a);
        QCOMPARE(seen->front().decidedBy, std::string("ops"));
        QVERIFY(loopGate->markApplied(*a, 1).ok());
        QVERIFY(cliGate->reject(*b, by("ops", "no")).ok());
        auto rejected = loopGate->poll(kT0 + 2000);
        QCOMPARE(rejected->size(), std::size_t{1});
        QCOMPARE(rejected->front().status, ApprovalStatus::Rejected);
        QCOMPARE(cliGate->get(*a)->status, ApprovalStatus::Applied);
        // The loop expired it first: the other connection's late approval is refused.
        auto c = loopGate->request(makeRequest(setpoint("urn:c", 16.0), kT0, 1000));
        QCOMPARE(loopGate->expire(kT0 + 1000)->size(), std::size_t{1});
        auto late = cliGate->approve(*c, by("ops"));
        QVERIFY(!late.ok());
        QVERIFY(late.error().message.find("not pending (expired") != std::string::npos);
    }

    void inMemoryGateBehavesLikeTheFile()
    {
        // The in-memory gate creates its own copy of the table: the same life cycle on both
        // must leave the same rows (a column or a status missing on one side fails here).
        const auto path = file("schema.twin");
        auto store = twin::ProjectStore::create(path);
        QVERIFY(store.ok());
        QCOMPARE(columns(store->handle()).size(), std::size_t{18});
        auto fileGate = ApprovalGate::open(*store);
        auto memory = ApprovalGate::inMemory();
        const auto url = m_pg.createDatabase(QStringLiteral("same_rows"));
        QVERIFY2(!url.empty(), qPrintable(m_pg.lastError()));
        auto pg = twin::PgStore::connect(url);
        QVERIFY2(pg.ok(), pg.ok() ? "" : pg.error().toString().c_str());
        auto pgGate = ApprovalGate::open(pg->sql());
        QVERIFY(fileGate.ok() && memory.ok() && pgGate.ok());
        QVERIFY(memory->where().find("(in memory)") == 0);
        QVERIFY(fileGate->where().find(path.string()) == 0);
        QVERIFY(pgGate->where().find("postgresql://") == 0);
        for (ApprovalGate* gate : {&*fileGate, &*memory, &*pgGate}) {
            const Action migrate{ActionKind::MigrateVm, "urn:vm", 0.0, {}, "urn:host"};
            const Action mode{ActionKind::SetMode, "urn:ahu", 0.0, "off", {}};
            std::vector<std::int64_t> ids;
            for (const auto& a : {migrate, mode, setpoint("urn:a", 16.0), setpoint("urn:b", 16.0),
                                  setpoint("urn:c", 16.0), setpoint("urn:d", 16.0)})
                ids.push_back(gate->request(makeRequest(a)).value());
            QVERIFY(gate->approve(ids[0], by("ops", "fine")).ok());
            QVERIFY(gate->markApplied(ids[0], 3).ok());
            QVERIFY(gate->reject(ids[1], by("ops", "no")).ok());
            QVERIFY(gate->markReported(ids[1], 4).ok());
            QVERIFY(gate->approve(ids[2], by("ops")).ok());
            QVERIFY(gate->markFailed(ids[2], "guard", 5).ok());
            QVERIFY(gate->supersede(setpoint("urn:c", 21.0)).ok());
            QCOMPARE(gate->expire(kT0 + 3'600'000)->size(), std::size_t{2}); // b, d
        }
        auto fromFile = fileGate->list(std::nullopt).value();
        auto fromMemory = memory->list(std::nullopt).value();
        QCOMPARE(fromFile.size(), std::size_t{6});
        QCOMPARE(fromMemory, fromFile);
        QCOMPARE(pgGate->list(std::nullopt).value(), fromFile); // bit for bit, on the server too
        std::vector<ApprovalStatus> statuses;
        for (const auto& r : fromFile)
            statuses.push_back(r.status);
        QCOMPARE(statuses, (std::vector<ApprovalStatus>{
                               ApprovalStatus::Applied, ApprovalStatus::Rejected,
                               ApprovalStatus::Failed, ApprovalStatus::Expired,
                               ApprovalStatus::Superseded, ApprovalStatus::Expired}));
    }

    void twoConsolesDecideOneRequestOnlyOneWins_data() { backends(); }
    void twoConsolesDecideOneRequestOnlyOneWins()
    {
        auto loop = freshStore();
        QVERIFY(loop);
        auto consoleA = connectAgain();
        auto consoleB = connectAgain();
        QVERIFY(consoleA && consoleB);
        auto loopGate = ApprovalGate::open(loop->sql());
        auto gateA = ApprovalGate::open(consoleA->sql());
        auto gateB = ApprovalGate::open(consoleB->sql());
        QVERIFY(loopGate.ok() && gateA.ok() && gateB.ok());
        auto id = loopGate->request(makeRequest(setpoint("urn:heat", 16.0)));
        QVERIFY(id.ok());
        // Both consoles saw it pending; A approves, then B's rejection must be refused,
        // naming A's decision — not overwrite it.
        QCOMPARE(gateB->list()->size(), std::size_t{1});
        QVERIFY(gateA->approve(*id, by("alice")).ok());
        auto late = gateB->reject(*id, by("bob", "too cold"));
        QVERIFY(!late.ok());
        QVERIFY2(late.error().message.find("not pending (approved by alice") != std::string::npos,
                 late.error().message.c_str());
        QCOMPARE(loopGate->get(*id)->decidedBy, std::string("alice"));
        QCOMPARE(loopGate->poll(kT0 + 1000)->size(), std::size_t{1});
    }

    void loopsSharingAQueueActOnlyOnTheirOwnRequests_data() { backends(); }
    void loopsSharingAQueueActOnlyOnTheirOwnRequests()
    {
        // Two loops on one queue propose a change of the same target (two sites with the
        // same point names): neither supersedes, expires or applies the other's request;
        // a console sees and decides both.
        auto northStore = freshStore();
        QVERIFY(northStore);
        auto southStore = connectAgain();
        auto consoleStore = connectAgain();
        QVERIFY(southStore && consoleStore);
        auto north = ApprovalGate::open(northStore->sql());
        auto south = ApprovalGate::open(southStore->sql());
        auto console = ApprovalGate::open(consoleStore->sql());
        QVERIFY(north.ok() && south.ok() && console.ok());
        north->setOrigin("host-a:/srv/north.twin");
        south->setOrigin("host-b:/srv/south.twin");
        auto n = north->request(makeRequest(setpoint("urn:heat", 16.0), kT0, 60'000));
        QVERIFY(n.ok());
        QVERIFY(south->findOpen(setpoint("urn:heat", 16.0))->has_value() == false);
        QVERIFY(south->supersede(setpoint("urn:heat", 17.0))->empty());
        auto s = south->request(makeRequest(setpoint("urn:heat", 17.0), kT0 + 50'000, 60'000));
        QVERIFY(s.ok());
        QCOMPARE(north->get(*n)->status, ApprovalStatus::Pending);
        QCOMPARE(console->list()->size(), std::size_t{2});
        QCOMPARE(console->get(*n)->origin, std::string("host-a:/srv/north.twin"));
        QCOMPARE(console->get(*s)->origin, std::string("host-b:/srv/south.twin"));
        QVERIFY(console->approve(*n, by("ops")).ok());
        QVERIFY(console->approve(*s, by("ops")).ok());
        // Each loop's poll hands it its own request only.
        auto northDue = north->poll(kT0 + 1000);
        QCOMPARE(northDue->size(), std::size_t{1});
        QCOMPARE(northDue->front().id, *n);
        auto southDue = south->poll(kT0 + 51'000);
        QCOMPARE(southDue->size(), std::size_t{1});
        QCOMPARE(southDue->front().id, *s);
        // North's clock passing south's expiry does not expire south's request.
        QCOMPARE(north->expire(kT0 + 60'000)->size(), std::size_t{1}); // its own only
        QCOMPARE(console->get(*s)->status, ApprovalStatus::Approved);
    }

    void sharedStoreNotifiesOtherConnections()
    {
        // A console LISTENs on the approvals channel: a new request and a decision made on
        // other connections each arrive as a notification carrying the request's id.
        const auto url = m_pg.createDatabase(QStringLiteral("notify"));
        QVERIFY2(!url.empty(), qPrintable(m_pg.lastError()));
        auto loop = twin::PgStore::connect(url);
        auto console = twin::PgStore::connect(url);
        auto listener = twin::PgStore::connect(url);
        QVERIFY(loop.ok() && console.ok() && listener.ok());
        QVERIFY(listener->listen(std::string(kApprovalsChannel)).ok());
        auto loopGate = ApprovalGate::open(loop->sql());
        auto consoleGate = ApprovalGate::open(console->sql());
        QVERIFY(loopGate.ok() && consoleGate.ok());

        auto waitFor = [&listener](const std::string& payload) {
            // Generous: delivery is immediate on loopback; this only bounds a broken test.
            for (int i = 0; i < 50; ++i) {
                auto got = listener->waitForNotifications(200);
                if (!got)
                    return false;
                for (const auto& n : *got)
                    if (n.channel == kApprovalsChannel && n.payload == payload)
                        return true;
            }
            return false;
        };
        auto id = loopGate->request(makeRequest(setpoint("urn:heat", 16.0)));
        QVERIFY(id.ok());
        QVERIFY(waitFor(std::to_string(*id)));
        QVERIFY(consoleGate->approve(*id, by("ops")).ok());
        QVERIFY(waitFor(std::to_string(*id)));
        // A refused decision changes nothing and announces nothing.
        QVERIFY(!consoleGate->reject(*id, by("ops")).ok());
        auto none = listener->waitForNotifications(300);
        QVERIFY(none.ok());
        QVERIFY(none->empty());
    }

    void sharedStoreDownIsAClearErrorAndLosesNothing()
    {
        // The server goes away under a running gate: the call fails naming the store, and once
        // the server is back the same gate works and every stored request is still there.
        const auto url = m_pg.createDatabase(QStringLiteral("restart"));
        QVERIFY2(!url.empty(), qPrintable(m_pg.lastError()));
        auto pg = twin::PgStore::connect(url);
        QVERIFY(pg.ok());
        auto gate = ApprovalGate::open(pg->sql());
        QVERIFY(gate.ok());
        auto id = gate->request(makeRequest(setpoint("urn:heat", 16.0)));
        QVERIFY(id.ok());
        m_pg.stop();
        auto down = gate->approve(*id, by("ops"));
        QVERIFY(!down.ok());
        QCOMPARE(down.error().code, ErrorCode::StorageError);
        QVERIFY2(down.error().where.find("postgresql://") == 0, down.error().where.c_str());
        QVERIFY2(m_pg.restart(), qPrintable(m_pg.lastError()));
        auto back = gate->approve(*id, by("ops"));
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().toString().c_str());
        QCOMPARE(gate->list(std::nullopt)->size(), std::size_t{1});
    }
};

TWINDESK_TEST(TestApprovalGate)
#include "tst_approval_gate.moc"
