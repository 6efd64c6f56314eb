// The 3D building view drawn for real (issue #8 §2) under X with Mesa's software OpenGL: the
// rooms appear in the legend's colours (not just a window that started), the selection's pin
// and outline are drawn, isolating a floor and switching the metric change what is drawn.
#include "test_registry.h"

#include "console_test_util.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>

using twindesk::test::consoleScreenshotX11;
using twindesk::test::pixelsNear;

namespace {

// Colours of BuildingScene / building_layout.cpp: a band of the temperature scale, the
// selection and the no-data grey, and the host CPU bands.
const QColor kComfortable(0x66, 0xbd, 0x63); // 21–23 °C
const QColor kSelection(0x00, 0xb8, 0xd4);
const QColor kSlab(0x9a, 0xa1, 0xab);
const std::vector<QColor> kCpuBands{{0xc7, 0xe9, 0xc0}, {0x74, 0xc4, 0x76}, {0x31, 0xa3, 0x54},
                                    {0xfd, 0x8d, 0x3c}, {0xd7, 0x30, 0x1f}};

/// The 3D view's area: right of the tree (300 px), left of the properties, above the legend.
QImage sceneArea(const QImage& shot)
{
    return shot.copy(310, 110, 560, 430);
}

} // namespace

class TestBuildingView : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_results;

    QImage shot(const QString& name, const QStringList& args)
    {
        QString error;
        const QImage image = consoleScreenshotX11(m_results, args, m_dir.filePath(name), error);
        if (image.isNull())
            qWarning("console failed: %s", qPrintable(error));
        return image;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_results = m_dir.filePath("days.twin");
        const auto err =
            twindesk::test::simulateInto(TWINDESK_SOURCE_DIR "/assets/scenarios/demo-office.json",
                                         m_results, {"--set", "period.end=\"2025-01-08T00:00\""});
        QVERIFY2(err.empty(), err.c_str());
    }

    void roomsDrawInTheLegendColours()
    {
        // Tuesday 15:00 in Chicago: the offices are heated into the 21–23 °C band.
        const QImage image = shot("3d.png", {"--view", "3d", "--at", "2025-01-07T21:00Z",
                                             "--select", "room_201"});
        QVERIFY(!image.isNull());
        const QImage scene = sceneArea(image);
        const int comfortable = pixelsNear(scene, kComfortable, 2);
        const int slab = pixelsNear(scene, kSlab, 2);
        const int selection = pixelsNear(scene, kSelection, 1);
        qInfo("every 2nd pixel: 21-23 degC %d, slab %d; every pixel: selection %d", comfortable, slab, selection);
        QVERIFY2(comfortable > 4000, "the rooms were not drawn in their legend colour");
        QVERIFY(slab > 100);
        QVERIFY2(selection > 40, "the selection pin was not drawn");
    }

    void isolateAFloorAndSwitchTheMetric()
    {
        const QImage all = shot("all.png", {"--view", "3d", "--at", "2025-01-07T21:00Z"});
        const QImage one = shot("one.png", {"--view", "3d", "--at", "2025-01-07T21:00Z",
                                            "--floor", "0"});
        const QImage cpu = shot("cpu.png", {"--view", "3d", "--at", "2025-01-07T21:00Z",
                                            "--metric", "cpu"});
        QVERIFY(!all.isNull() && !one.isNull() && !cpu.isNull());
        const int roomsAll = pixelsNear(sceneArea(all), kComfortable, 2);
        const int roomsOne = pixelsNear(sceneArea(one), kComfortable, 2);
        qInfo("21-23 degC pixels: all floors %d, ground floor %d", roomsAll, roomsOne);
        QVERIFY(roomsOne > 1000);
        QVERIFY(roomsOne != roomsAll);
        // By host CPU the offices have no data and the hosts take the CPU bands' colours.
        QVERIFY(pixelsNear(sceneArea(cpu), kComfortable, 2) < roomsAll / 10);
        int cpuPixels = 0;
        for (const auto& c : kCpuBands)
            cpuPixels += pixelsNear(sceneArea(cpu), c, 1);
        QVERIFY2(cpuPixels > 30, qPrintable(QString::number(cpuPixels)));
    }

    void screenshotCommandWithoutADisplay()
    {
        // `twindesk screenshot` on the demo office, started without DISPLAY: it makes its own
        // X server (xvfb-run) and the picture shows the rooms in a legend colour.
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove("DISPLAY");
        env.remove("QT_QPA_PLATFORM");
        p.setProcessEnvironment(env);
        const QString png = m_dir.filePath("cli.png");
        p.start(TWINDESK_EXE, {"screenshot", "--view", "3d", "--out", png});
        QVERIFY(p.waitForFinished(180000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(pixelsNear(sceneArea(image), kComfortable, 2) > 4000);
        // Its demo project is removed afterwards; bad options are named.
        QVERIFY(QDir::temp().entryList({"twindesk-screenshot-demo-*"}).isEmpty());
        p.start(TWINDESK_EXE, {"screenshot", "--view", "nowhere", "--out", png});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--view nowhere"));
    }

    void badOptionsAreRefused()
    {
        QString error;
        QVERIFY(consoleScreenshotX11(m_results, {"--metric", "humidity"}, m_dir.filePath("x.png"),
                                     error)
                    .isNull());
        QVERIFY2(error.contains("--metric humidity"), qPrintable(error));
        QVERIFY(consoleScreenshotX11(m_results, {"--at", "yesterday"}, m_dir.filePath("y.png"), error)
                    .isNull());
        QVERIFY2(error.contains("--at yesterday"), qPrintable(error));
    }
};

TWINDESK_TEST(TestBuildingView)
#include "tst_building_view.moc"
