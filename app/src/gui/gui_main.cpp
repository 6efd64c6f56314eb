#include "gui_main.h"

#include "../assets.h"
#include "../cli.h"
#include "../simulate_command.h"
#include "approvals_model.h"
#include "decision_log_model.h"
#include "live_events_model.h"
#include "simulation_controller.h"
#include "trend_model.h"
#include "twin_tree_model.h"
#include "whatif_controller.h"

#include <twindesk/twin/project_store.h>
#include <twindesk/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickStyle>
#include <QQuickWindow>
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

} // namespace

int runGui(int argc, char** argv)
{
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("TwinDesk"));
    QApplication::setOrganizationName(QStringLiteral("TwinDesk"));
    QApplication::setApplicationVersion(QString::fromUtf8(kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TwinDesk console"));
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("PROJECT.twin to open"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a PNG of the window and quit."),
                                  QStringLiteral("file"));
    QCommandLineOption quitAfter(QStringLiteral("quit-after"),
                                 QStringLiteral("Quit after this many milliseconds."),
                                 QStringLiteral("ms"));
    QCommandLineOption select(
        QStringLiteral("select"),
        QStringLiteral("Select an entity (id, local name or label) at start."),
        QStringLiteral("entity"));
    QCommandLineOption view(QStringLiteral("view"),
                            QStringLiteral("The view to show at start: twin (default), decisions, approvals, trends, "
                           "simulation, live or whatif."),
                            QStringLiteral("name"));
    QCommandLineOption trend(QStringLiteral("trend"),
                             QStringLiteral("A point (id) to show in the trends (repeatable)."),
                             QStringLiteral("point"));
    QCommandLineOption scenarioOption(QStringLiteral("scenario"),
                                      QStringLiteral("A scenario to load in the simulation view."),
                                      QStringLiteral("file"));
    QCommandLineOption whatIfOption(
        QStringLiteral("whatif"), QStringLiteral("A base scenario to open in the what-if view."),
        QStringLiteral("file"));
    QCommandLineOption whatIfSet(
        QStringLiteral("whatif-set"),
        QStringLiteral("An override of the what-if variant, KEY=JSON as simulate --set (repeatable)."),
        QStringLiteral("key=json"));
    QCommandLineOption whatIfCommon(
        QStringLiteral("whatif-common"),
        QStringLiteral("An override of both what-if runs, KEY=JSON (repeatable), e.g. a shorter period."),
        QStringLiteral("key=json"));
    QCommandLineOption whatIfRun(
        QStringLiteral("whatif-run"),
        QStringLiteral("Run the what-if base and variant at start (with --screenshot: grab when both are done)."));
    parser.addOptions({screenshot, quitAfter, select, view, trend, scenarioOption, whatIfOption,
                       whatIfSet, whatIfCommon, whatIfRun});
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
    const int initialView = viewName == QStringLiteral("decisions")   ? 1
                            : viewName == QStringLiteral("approvals") ? 2
                            : viewName == QStringLiteral("trends")     ? 3
                            : viewName == QStringLiteral("simulation") ? 4
                            : viewName == QStringLiteral("live")       ? 5
                            : viewName == QStringLiteral("whatif")     ? 6
                                                                       : 0;
    auto* model = new TwinTreeModel(&app);
    model->setGraph(std::move(graph).value());
    // The decision log of the project (a project without one shows an empty table).
    auto* decisions = new DecisionLogModel(&app);
    decisions->load(projectPath);
    auto* approvals = new ApprovalsModel(&app);
    approvals->load(projectPath);
    auto* liveEvents = new LiveEventsModel(&app);
    liveEvents->load(projectPath);
    auto* trendModel = new TrendModel(&app);
    trendModel->load(projectPath);
    // The simulation view: the bundled scenarios, run on a worker thread.
    auto* simulation = new SimulationController(&app);
    // The what-if view: a scenario and a variant of it, run side by side.
    auto* whatIf = new WhatIfController(&app);
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

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("twinModel"), QVariant::fromValue(model)},
                                 {QStringLiteral("decisionModel"), QVariant::fromValue(decisions)},
                                 {QStringLiteral("approvalsModel"), QVariant::fromValue(approvals)},
                                 {QStringLiteral("liveModel"), QVariant::fromValue(liveEvents)},
                                 {QStringLiteral("trendModel"), QVariant::fromValue(trendModel)},
                                 {QStringLiteral("simulation"), QVariant::fromValue(simulation)},
                                 {QStringLiteral("whatIf"), QVariant::fromValue(whatIf)},
                                 {QStringLiteral("scenarios"), scenarios},
                                 {QStringLiteral("initialTrends"), parser.values(trend)},
                                 {QStringLiteral("initialView"), initialView},
                                 {QStringLiteral("projectPath"), projectPath},
                                 {QStringLiteral("appVersion"), QString::fromUtf8(kVersion)}});
    engine.load(QUrl(QStringLiteral("qrc:/TwinDesk/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::cerr << "error: the console's QML failed to load\n";
        return 1;
    }
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().front());

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
    if (parser.isSet(quitAfter))
        QTimer::singleShot(parser.value(quitAfter).toInt(), &app, &QCoreApplication::quit);
    return QApplication::exec();
}

} // namespace twindesk::app
