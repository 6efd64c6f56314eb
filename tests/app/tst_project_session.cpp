// The console's project shell (issue #8 §1): open a project, refuse a file that is not one
// without losing the open project, a new project from a Brick model (and a malformed model
// named with its line), the recent projects (most recent first, no duplicates, at most ten,
// vanished files dropped, kept across sessions).
#include "test_registry.h"

#include "cli.h"
#include "project_session.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <sstream>

using twindesk::app::ProjectSession;

class TestProjectSession : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_project;

private Q_SLOTS:
    void initTestCase()
    {
        m_project = m_dir.filePath("office.twin");
        std::ostringstream o;
        std::ostringstream e;
        QCOMPARE(twindesk::app::runCli({"import-brick", TWINDESK_SOURCE_DIR "/assets/demo/office.ttl",
                                        "-o", m_project.toStdString()},
                                       {o, e}),
                 0);
    }

    void openAndRefuse()
    {
        ProjectSession session(m_dir.filePath("settings.ini"));
        QSignalSpy changed(&session, &ProjectSession::projectChanged);
        QVERIFY2(session.open(m_project), qPrintable(session.error()));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(session.path(), m_project);
        QCOMPARE(session.name(), QString("office.twin"));
        QCOMPARE(session.recent().value(0), m_project);
        // Not a project: refused, named, and the open project stays.
        const QString junk = m_dir.filePath("junk.twin");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not an SQLite file");
        f.close();
        QVERIFY(!session.open(junk));
        QVERIFY2(session.error().contains("junk.twin"), qPrintable(session.error()));
        QCOMPARE(session.path(), m_project);
        QCOMPARE(changed.count(), 1);
        QVERIFY(!session.recent().contains(junk));
        QVERIFY(!session.open(m_dir.filePath("missing.twin")));
        QVERIFY(session.error().contains("missing.twin: no such file"));
        // A good open clears the error.
        QVERIFY(session.open(m_project));
        QVERIFY(session.error().isEmpty());
    }

    void importABrickModel()
    {
        ProjectSession session(m_dir.filePath("settings-import.ini"));
        const QString out = m_dir.filePath("imported.twin");
        QVERIFY2(session.importBrick(TWINDESK_SOURCE_DIR "/assets/demo/office.ttl", out),
                 qPrintable(session.error()));
        QCOMPARE(session.path(), out);
        // Again without replacing: refused (the file exists); with replace: fine.
        QVERIFY(!session.importBrick(TWINDESK_SOURCE_DIR "/assets/demo/office.ttl", out));
        QVERIFY2(session.error().contains("imported.twin"), qPrintable(session.error()));
        QVERIFY(session.importBrick(TWINDESK_SOURCE_DIR "/assets/demo/office.ttl", out, true));
        // A malformed model: the file and line are named, nothing is opened.
        const QString bad = m_dir.filePath("bad.ttl");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("@prefix brick: <https://brickschema.org/schema/Brick#> .\n"
                "<urn:x:a> a brick:Room ;\n  brick:isPartOf <urn:x:b\n");
        f.close();
        QVERIFY(!session.importBrick(bad, m_dir.filePath("bad.twin")));
        QVERIFY2(session.error().contains("bad.ttl"), qPrintable(session.error()));
        QCOMPARE(session.path(), out);
    }

    void recentProjects()
    {
        const QString settings = m_dir.filePath("settings-recent.ini");
        QStringList files;
        {
            ProjectSession session(settings);
            for (int i = 0; i < 12; ++i) {
                const QString p = m_dir.filePath(QString("p%1.twin").arg(i));
                QFile::copy(m_project, p);
                files.push_back(p);
                QVERIFY(session.open(p));
            }
            QVERIFY(session.open(files[3])); // again: moves to the front, no duplicate
            QCOMPARE(session.recent().size(), 10);
            QCOMPARE(session.recent().front(), files[3]);
            QCOMPARE(session.recent().count(files[3]), 1);
            QCOMPARE(session.recent()[1], files[11]);
            QVERIFY(!session.recent().contains(files[0])); // the oldest fell off
        }
        QFile::remove(files[11]);
        ProjectSession again(settings); // kept across sessions; a vanished file is dropped
        QCOMPARE(again.recent().front(), files[3]);
        QVERIFY(!again.recent().contains(files[11]));
        QCOMPARE(again.recent().size(), 9);
        again.clearRecent();
        QVERIFY(again.recent().isEmpty());
    }
};

TWINDESK_TEST(TestProjectSession)
#include "tst_project_session.moc"
