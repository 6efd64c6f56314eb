#include "gui_main.h"

#include "../assets.h"
#include "../cli.h"
#include "../simulate_command.h"
#include "approvals_model.h"
#include "building_scene.h"
#include "decision_log_model.h"
#include "file_dialogs.h"
#include "live_controller.h"
#include "live_events_model.h"
#include "project_session.h"
#include "replay_controller.h"
#include "simulation_controller.h"
#include "trend_model.h"
#include "twin_tree_model.h"
#include "whatif_controller.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuick3D>
#include <QSurfaceFormat>
#include <QQuickWindow>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace twindesk::app {

namespace {

twin::Result<twin::TwinGraph> loadProject(const QString& path)
{
    auto store = twin::ProjectStore::open(path.toStdString(), twin::OpenMode::ReadOnly);
    if (!store)
        return store.error();
    return store->loadModel();
}

QCommandLineOption consoleOption(std::string_view name)
{
    const ConsoleOption* o = findConsoleOption(name);
    Q_ASSERT(o != nullptr); // every name used below is in the table
    const auto qs = [](std::string_view v) {
        return QString::fromUtf8(v.data(), static_cast<qsizetype>(v.size()));
    };
    if (o == nullptr)
        return QCommandLineOption(qs(name));
    if (o->valueName.empty())
        return {qs(o->name), qs(o->description)};
    return {qs(o->name), qs(o->description), qs(o->valueName).toLower()};
}

} // namespace

int runGui(int argc, char** argv)
{
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QApplication app(argc, argv);
    // Quick 3D's preferred surface (depth buffer, OpenGL version); after the application exists.
    QSurfaceFormat::setDefaultFormat(QQuick3D::idealSurfaceFormat());
    QApplication::setApplicationName(QStringLiteral("TwinDesk"));
    QApplication::setOrganizationName(QStringLiteral("TwinDesk"));
    // The console reads a shared store on the UI thread (the what-if view's stored sweeps): a
    // host that drops packets must not freeze it for the TCP timeout. libpq's default when the
    // URL sets no connect_timeout; a value the user exported wins.
    if (qEnvironmentVariableIsEmpty("PGCONNECT_TIMEOUT"))
        qputenv("PGCONNECT_TIMEOUT", "10");
    QApplication::setApplicationVersion(QString::fromUtf8(kVersion));
    // Ties the windows to packaging/twindesk.desktop (its icon and name in docks and task bars).
    QGuiApplication::setDesktopFileName(QStringLiteral("twindesk"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TwinDesk console"));
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("PROJECT.twin to open"));
    // The options and their help come from the CLI's table (consoleOptions()), which
    // `twindesk --help`, the man page and the bash completion show as well.
    const QCommandLineOption screenshot = consoleOption("screenshot");
    const QCommandLineOption quitAfter = consoleOption("quit-after");
    const QCommandLineOption select = consoleOption("select");
    const QCommandLineOption view = consoleOption("view");
    const QCommandLineOption metricOption = consoleOption("metric");
    const QCommandLineOption floorOption = consoleOption("floor");
    const QCommandLineOption explodeOption = consoleOption("explode");
    const QCommandLineOption atOption = consoleOption("at");
    const QCommandLineOption frameStats = consoleOption("frame-stats");
    const QCommandLineOption trend = consoleOption("trend");
    const QCommandLineOption scenarioOption = consoleOption("scenario");
    const QCommandLineOption whatIfOption = consoleOption("whatif");
    const QCommandLineOption whatIfSet = consoleOption("whatif-set");
    const QCommandLineOption whatIfCommon = consoleOption("whatif-common");
    const QCommandLineOption whatIfRun = consoleOption("whatif-run");
    const QCommandLineOption recordingOption = consoleOption("recording");
    const QCommandLineOption candidateOption = consoleOption("candidate");
    parser.addOptions({screenshot, quitAfter, select, view, trend, scenarioOption, metricOption,
                       floorOption, explodeOption, atOption, frameStats, whatIfOption, whatIfSet,
                       whatIfCommon, whatIfRun, recordingOption, candidateOption});
    parser.process(app);

    QString projectPath = parser.positionalArguments().value(0);
    if (projectPath.isEmpty()) {
        // No project: import the demo office so the console opens on something real.
        projectPath = QDir::temp().filePath(QStringLiteral("twindesk-demo.twin"));
        std::ostringstream out;
        std::ostringstream err;
        if (runCli({"demo", "--out", projectPath.toStdString()}, {out, err}) != 0) {
            std::cerr << err.str();
            return 1;
        }
    }
    auto graph = loadProject(projectPath);
    if (!graph) {
        std::cerr << "error: " << graph.error().toString() << '\n';
        return 1;
    }

    const QString viewName = parser.value(view);
    static const QStringList kViews{QStringLiteral("twin"),       QStringLiteral("decisions"),
                                    QStringLiteral("approvals"),  QStringLiteral("trends"),
                                    QStringLiteral("simulation"), QStringLiteral("replay"),
                                    QStringLiteral("live"),
                                    QStringLiteral("whatif")};
    const int initialView = viewName == QStringLiteral("3d") || viewName.isEmpty()
                                ? 0
                                : static_cast<int>(kViews.indexOf(viewName));
    if (initialView < 0) {
        std::cerr << "error: --view " << viewName.toStdString()
                  << ": expected twin, 3d, decisions, approvals, trends, simulation, replay, live "
                     "or whatif\n";
        return 2;
    }
    if (parser.isSet(metricOption) && !parseMetric(parser.value(metricOption).toStdString())) {
        std::cerr << "error: --metric " << parser.value(metricOption).toStdString()
                  << ": expected temperature, co2, occupancy, power or cpu\n";
        return 2;
    }
    auto* model = new TwinTreeModel(&app);
    model->setGraph(std::move(graph).value());
    // The 3D building over the same graph, coloured by the project's latest historian values.
    auto* building = new BuildingScene(&app);
    building->setGraph(&model->graph());
    double atMs = -1;
    if (parser.isSet(atOption)) {
        QDateTime at = QDateTime::fromString(parser.value(atOption), Qt::ISODate);
        if (!at.isValid()) {
            std::cerr << "error: --at " << parser.value(atOption).toStdString()
                      << ": expected an ISO 8601 time such as 2025-01-29T14:00 or "
                         "2025-01-29T14:00-06:00\n";
            return 2;
        }
        if (at.timeSpec() == Qt::LocalTime)
            at.setTimeSpec(Qt::UTC);
        atMs = static_cast<double>(at.toMSecsSinceEpoch());
    }
    if (!building->loadHistorian(projectPath, atMs))
        std::cerr << "warning: no values for the 3D view: " << building->error().toStdString()
                  << '\n';
    if (parser.isSet(metricOption))
        building->setMetric(parser.value(metricOption));
    if (parser.isSet(floorOption))
        building->setIsolatedFloor(parser.value(floorOption).toInt());
    if (parser.isSet(explodeOption))
        building->setExplode(parser.value(explodeOption).toDouble());
    // The decision log of the project (a project without one shows an empty table).
    auto* decisions = new DecisionLogModel(&app);
    decisions->load(projectPath);
    auto* approvals = new ApprovalsModel(&app);
    approvals->load(projectPath);
    auto* liveEvents = new LiveEventsModel(&app);
    liveEvents->load(projectPath);
    auto* trendModel = new TrendModel(&app);
    trendModel->load(projectPath);
    // The live connection: `twindesk live`'s loop on a worker thread, recording into the
    // project. After every frame the views that read what it stores re-read it.
    auto* liveLink = new LiveController(&app);
    liveLink->setProject(projectPath);
    QObject::connect(liveLink, &LiveController::frame, &app, [=, frames = 0]() mutable {
        liveEvents->refresh();
        approvals->refresh();
        building->loadHistorian(liveLink->project());
        if (++frames % 10 == 0) // the trends follow the live data every ten frames
            trendModel->load(liveLink->project());
    });
    QObject::connect(liveLink, &LiveController::finished, &app, [=] {
        liveEvents->refresh();
        approvals->refresh();
        decisions->load(liveLink->project());
        trendModel->load(liveLink->project());
    });
    // The simulation view: the bundled scenarios, run on a worker thread.
    auto* simulation = new SimulationController(&app);
    // A running simulation colours the 3D building with its state (where the scenario's
    // building is the project's: the same point ids).
    QObject::connect(simulation, &SimulationController::pointValues, building,
                     [building](const QVariantMap& values, const QString& time) {
                         building->setPointValues(values,
                                                  QStringLiteral("simulation · %1").arg(time));
                     });
    // The what-if view: a scenario and a variant of it, run side by side.
    auto* whatIf = new WhatIfController(&app);
    // Its stored sweeps come from the project's store (read when the panel asks).
    whatIf->setProject(projectPath);
    QVariantList scenarios;
    if (const auto assets = assetsDir()) {
        QStringList ontology;
        for (const auto& f : bundledOntology(*assets))
            ontology.push_back(QString::fromStdString(f.string()));
        simulation->setOntology(ontology);
        simulation->setAnchorsDir(QString::fromStdString(defaultAnchorsDir().string()));
        whatIf->setOntology(ontology);
        whatIf->setAnchorsDir(QString::fromStdString(defaultAnchorsDir().string()));
        std::vector<std::filesystem::path> files;
        for (const auto& f : std::filesystem::directory_iterator(*assets / "scenarios"))
            if (f.path().extension() == ".json" && f.path().stem().string().rfind("bench", 0) != 0)
                files.push_back(f.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files)
            scenarios.push_back(QVariantMap{{QStringLiteral("name"),
                                             QString::fromStdString(f.stem().string())},
                                            {QStringLiteral("path"),
                                             QString::fromStdString(f.string())}});
    }
    if (parser.isSet(scenarioOption))
        simulation->open(parser.value(scenarioOption));
    if (parser.isSet(whatIfOption)) {
        if (!whatIf->open(parser.value(whatIfOption))) {
            std::cerr << "error: --whatif: " << whatIf->error().toStdString() << '\n';
            return 1;
        }
        whatIf->setCommonOverrides(parser.values(whatIfCommon));
        whatIf->setExtraOverrides(parser.values(whatIfSet));
        if (!whatIf->error().isEmpty()) {
            std::cerr << "error: " << whatIf->error().toStdString() << '\n';
            return 1;
        }
    }
    const bool runWhatIf = parser.isSet(whatIfRun) && parser.isSet(whatIfOption);

    // The replay view: --recording, else the project itself when it is a recording.
    auto* replay = new ReplayController(&app);
    replay->setAnchorsDir(QString::fromStdString(defaultAnchorsDir().string()));
    replay->setScene(building);
    if (const auto assets = assetsDir()) {
        QStringList gates;
        for (const auto& f : std::filesystem::directory_iterator(*assets / "gates"))
            if (f.path().extension() == ".yaml")
                gates.push_back(QString::fromStdString(f.path().string()));
        gates.sort();
        replay->setGateFiles(gates);
    }
    if (parser.isSet(recordingOption)) {
        if (!replay->open(parser.value(recordingOption))) {
            std::cerr << "error: --recording: " << replay->error().toStdString() << '\n';
            return 1;
        }
    } else {
        // Opened when the Replay tab is first shown (now, with --view replay).
        replay->setDefaultRecording(projectPath);
        if (viewName == QStringLiteral("replay"))
            replay->openDefault();
    }
    if (replay->ready() && atMs >= 0)
        replay->setPosition(atMs);
    if (parser.isSet(candidateOption))
        replay->setCandidate(parser.value(candidateOption));
    const bool runReplay = parser.isSet(candidateOption) && replay->ready();

    // The project shell: open, import, recent projects. Opening another project reloads every
    // view from it (the session has checked the file before anything is replaced).
    auto* session = new ProjectSession({}, &app);
    session->setInitial(projectPath);
    auto* dialogs = new FileDialogs(&app);

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("twinModel"), QVariant::fromValue(model)},
                                 {QStringLiteral("decisionModel"), QVariant::fromValue(decisions)},
                                 {QStringLiteral("approvalsModel"), QVariant::fromValue(approvals)},
                                 {QStringLiteral("liveModel"), QVariant::fromValue(liveEvents)},
                                 {QStringLiteral("liveLink"), QVariant::fromValue(liveLink)},
                                 {QStringLiteral("trendModel"), QVariant::fromValue(trendModel)},
                                 {QStringLiteral("simulation"), QVariant::fromValue(simulation)},
                                 {QStringLiteral("whatIf"), QVariant::fromValue(whatIf)},
                                 {QStringLiteral("replay"), QVariant::fromValue(replay)},
                                 {QStringLiteral("scenarios"), scenarios},
                                 {QStringLiteral("initialTrends"), parser.values(trend)},
                                 {QStringLiteral("initialView"), initialView},
                                 {QStringLiteral("projectPath"), projectPath},
                                 {QStringLiteral("buildingScene"), QVariant::fromValue(building)},
                                 {QStringLiteral("session"), QVariant::fromValue(session)},
                                 {QStringLiteral("dialogs"), QVariant::fromValue(dialogs)},
                                 {QStringLiteral("appVersion"), QString::fromUtf8(kVersion)}});
    engine.load(QUrl(QStringLiteral("qrc:/TwinDesk/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::cerr << "error: the console's QML failed to load\n";
        return 1;
    }
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().front());
    QObject* root = engine.rootObjects().front();
    auto reload = [=] {
        const QString path = session->path();
        auto next = loadProject(path);
        if (!next) {
            std::cerr << "error: " << next.error().toString() << '\n';
            return;
        }
        liveLink->setProject(path);
        root->setProperty("selectedRow", -1);
        building->setGraph(nullptr);
        model->setGraph(std::move(next).value());
        building->setGraph(&model->graph());
        building->loadHistorian(path);
        decisions->load(path);
        approvals->load(path);
        liveEvents->load(path);
        trendModel->load(path);
        replay->setDefaultRecording(path); // the Replay tab opens it when shown, if it is one
        whatIf->setProject(path);
        root->setProperty("projectPath", path);
    };
    QObject::connect(session, &ProjectSession::projectChanged, &app, [&app, liveLink, reload] {
        // A live loop records into the open project: it stops cleanly (everything flushed)
        // before the views move to the other one.
        if (liveLink->running()) {
            QObject::connect(liveLink, &LiveController::finished, &app, reload,
                             Qt::SingleShotConnection);
            liveLink->disconnectLive();
            return;
        }
        reload();
    });

    if (parser.isSet(select)) {
        const auto wanted = parser.value(select).toStdString();
        const auto& g = model->graph();
        for (twin::EntityIndex i = 0; i < g.entityCount(); ++i) {
            const auto& e = g.entity(i);
            if (e.id == wanted || twin::localName(e.id) == wanted || e.name == wanted) {
                const int row = model->reveal(static_cast<int>(i));
                engine.rootObjects().front()->setProperty("selectedRow", row);
                break;
            }
        }
    }

    if (parser.isSet(screenshot) && window != nullptr) {
        const QString file = parser.value(screenshot);
        // Let a few frames render (layouts settle, fonts load), then grab and quit.
        auto grabAfterFrames = [window, file] {
            auto* frames = new int(0);
            QObject::connect(window, &QQuickWindow::frameSwapped, window, [window, file, frames] {
                if (++*frames == 5) {
                    const QImage image = window->grabWindow();
                    const bool saved = image.save(file);
                    std::cerr << (saved ? "saved " : "could not save ") << file.toStdString()
                              << '\n';
                    delete frames;
                    QCoreApplication::exit(saved ? 0 : 1);
                    return;
                }
                window->update();
            });
            window->update();
        };
        if (runWhatIf) // the picture shows the comparison: grab once both runs are over
            QObject::connect(whatIf, &WhatIfController::finished, window, grabAfterFrames,
                             Qt::SingleShotConnection);
        else if (runReplay) // the candidate's rounds: grab once the replay is over
            QObject::connect(replay, &ReplayController::workFinished, window, grabAfterFrames,
                             Qt::SingleShotConnection);
        else
            grabAfterFrames();
    }
    if (runWhatIf) {
        QObject::connect(whatIf, &WhatIfController::finished, whatIf, [whatIf] {
            if (!whatIf->error().isEmpty())
                std::cerr << "what-if: " << whatIf->error().toStdString() << '\n';
        });
        whatIf->runBoth();
    }
    if (runReplay) {
        QObject::connect(replay, &ReplayController::workFinished, replay, [replay] {
            if (!replay->error().isEmpty())
                std::cerr << "replay: " << replay->error().toStdString() << '\n';
            else if (replay->summary().contains(QStringLiteral("firstDivergenceMs")))
                replay->seekFirstDivergence(); // the picture shows where they part
        });
        replay->runReplay();
    }
    if (parser.isSet(frameStats) && window != nullptr) {
        // Orbit the camera one degree per frame so every frame renders the whole scene, and
        // time frameSwapped to frameSwapped (after 10 warm-up frames).
        const int wanted = std::max(10, parser.value(frameStats).toInt());
        auto* buildingView = window->findChild<QObject*>(QStringLiteral("buildingView"));
        auto* timer = new QElapsedTimer;
        auto* times = new std::vector<double>;
        auto* count = new int(0);
        QObject::connect(window, &QQuickWindow::frameSwapped, window,
                         [=] {
            ++*count;
            if (*count == 10)
                timer->start();
            else if (*count > 10)
                times->push_back(static_cast<double>(timer->nsecsElapsed()) / 1e6);
            if (*count > 10)
                timer->restart();
            if (static_cast<int>(times->size()) >= wanted) {
                std::vector<double> sorted = *times;
                std::sort(sorted.begin(), sorted.end());
                double sum = 0;
                for (double t : sorted)
                    sum += t;
                const double mean = sum / static_cast<double>(sorted.size());
                std::cout << "frames " << sorted.size() << " rooms " << building->roomCount()
                          << " markers " << building->markerCount() << " vertices "
                          << building->vertexCount(BuildingScene::Rooms) +
                                 building->vertexCount(BuildingScene::Slabs) +
                                 building->vertexCount(BuildingScene::Markers)
                          << " mean_ms " << mean << " median_ms " << sorted[sorted.size() / 2]
                          << " p95_ms " << sorted[sorted.size() * 95 / 100] << " fps "
                          << 1000.0 / mean << std::endl;
                QCoreApplication::exit(0);
                return;
            }
            if (buildingView != nullptr)
                buildingView->setProperty(
                    "yaw", buildingView->property("yaw").toDouble() + 1.0);
            window->update();
        });
        window->update();
    }
    if (parser.isSet(quitAfter))
        QTimer::singleShot(parser.value(quitAfter).toInt(), &app, &QCoreApplication::quit);
    return QApplication::exec();
}

} // namespace twindesk::app
