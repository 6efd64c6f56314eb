#pragma once
/// \file postgres_server.h
/// TestPostgres: a real PostgreSQL 15 server for one test class, on 127.0.0.1 and a free port,
/// its cluster in a temporary directory (initdb, trust authentication for the role
/// `twindesk`), the postmaster a child process of the test (ready when pg_isready says so; it
/// dies with the test process), fast-shut-down and removed at the end.
/// Header-only; any test may use it.
///
///     twindesk::test::TestPostgres pg;
///     QVERIFY2(pg.start(), qPrintable(pg.lastError()));
///     auto url = pg.createDatabase("t1");   // "postgresql://twindesk@127.0.0.1:PORT/t1"
///
/// The binaries are those of Debian's postgresql-15 (/usr/lib/postgresql/15/bin, installed by
/// scripts/install-deps); when they are missing start() fails with that message — no skipping.
/// initdb refuses to run as root: when the test runs as root (CI containers), the cluster's
/// directory is given to the unprivileged user `nobody` and initdb and the server run as that
/// user through setpriv(1). Thread affinity: the test's
/// thread (QProcess). Linux only. The temporary directory must be reachable by `nobody`
/// (the default /tmp is).

#include "loopback.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

namespace twindesk::test {

class TestPostgres
{
public:
    static constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";
    static constexpr const char* kRole = "twindesk";
    static constexpr int kToolTimeoutMs = 60000;

    TestPostgres() = default;
    ~TestPostgres() { stop(); }
    TestPostgres(const TestPostgres&) = delete;
    TestPostgres& operator=(const TestPostgres&) = delete;
    TestPostgres(TestPostgres&&) = delete;
    TestPostgres& operator=(TestPostgres&&) = delete;

    /// initdb (first call) and the server on a free port; false with lastError() on failure.
    [[nodiscard]] bool start()
    {
        if (m_running)
            return true;
        if (!QFile::exists(tool("initdb")) || !QFile::exists(tool("postgres")))
            return fail(QStringLiteral("PostgreSQL 15 server binaries not found in %1: install "
                                       "the Debian package postgresql-15 (scripts/install-deps "
                                       "does)")
                            .arg(QString::fromLatin1(kBinDir)));
        if (!m_dir.isValid())
            return fail(QStringLiteral("cannot create a temporary directory"));
        if (!m_initialised) {
            if (::geteuid() == 0 && !giveDirectoryToNobody())
                return false;
            if (!runTool("initdb", {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"),
                                    QString::fromLatin1(kRole), QStringLiteral("--auth=trust"),
                                    QStringLiteral("-E"), QStringLiteral("UTF8"),
                                    QStringLiteral("--no-locale"), QStringLiteral("--no-sync")}))
                return false;
            m_initialised = true;
        }
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_port = freePort();
            if (m_port <= 0)
                return fail(QStringLiteral("cannot find a free TCP port on 127.0.0.1"));
            if (launch())
                return true;
        }
        return false;
    }

    /// stop() and start again on the same port (for reconnect tests).
    [[nodiscard]] bool restart()
    {
        stop();
        return launch();
    }

    /// Fast shutdown (SIGINT to the postmaster: sessions are ended), then wait; SIGKILL if it
    /// does not stop. No-op when not running.
    void stop()
    {
        m_running = false;
        if (m_server.state() == QProcess::NotRunning)
            return;
        ::kill(static_cast<pid_t>(m_server.processId()), SIGINT);
        if (!m_server.waitForFinished(kToolTimeoutMs)) {
            m_server.kill();
            m_server.waitForFinished(kToolTimeoutMs);
        }
    }

    /// Creates an empty database and returns its URL ("" and lastError() on failure).
    [[nodiscard]] std::string createDatabase(const QString& name)
    {
        if (!runTool("createdb", {QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                                  QStringLiteral("-p"), QString::number(m_port),
                                  QStringLiteral("-U"), QString::fromLatin1(kRole), name}))
            return {};
        return url(name.toStdString());
    }

    [[nodiscard]] std::string url(const std::string& database) const
    {
        return std::string("postgresql://") + kRole + "@127.0.0.1:" + std::to_string(m_port) +
               "/" + database;
    }
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] const QString& lastError() const { return m_error; }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    static int freePort()
    {
        return freeLoopbackPort();
    }

private:
    // The postmaster runs as this object's child process (not daemonised by pg_ctl), with a
    // parent-death signal: if the test process dies (crash, assertion, sanitizer abort) the
    // server goes with it instead of being left running.
    bool launch()
    {
        const QStringList serverArgs{QStringLiteral("-D"), dataDir(),
                                     QStringLiteral("-p"), QString::number(m_port),
                                     QStringLiteral("-c"), QStringLiteral("listen_addresses=127.0.0.1"),
                                     QStringLiteral("-k"), m_dir.path(),
                                     QStringLiteral("-c"), QStringLiteral("fsync=off")};
        m_server.setWorkingDirectory(m_dir.path());
        m_server.setStandardOutputFile(logFile(), QIODevice::Append);
        m_server.setStandardErrorFile(logFile(), QIODevice::Append);
        if (m_asNobody) {
            // setpriv sets the death signal after it changed the user (a uid change clears it).
            m_server.start(QStringLiteral("setpriv"),
                           QStringList{QStringLiteral("--reuid=%1").arg(m_uid),
                                       QStringLiteral("--regid=%1").arg(m_gid),
                                       QStringLiteral("--clear-groups"),
                                       QStringLiteral("--pdeathsig=TERM"), tool("postgres")} +
                               serverArgs);
        } else {
            m_server.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
            m_server.start(tool("postgres"), serverArgs);
        }
        if (!m_server.waitForStarted(kToolTimeoutMs))
            return fail(QStringLiteral("cannot start %1: %2")
                            .arg(tool("postgres"), m_server.errorString()));
        // Ready when pg_isready says so (bounded; the log explains a failure).
        for (int i = 0; i < 600; ++i) {
            if (m_server.state() != QProcess::Running)
                break;
            QProcess ready;
            ready.start(tool("pg_isready"), {QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                                             QStringLiteral("-p"), QString::number(m_port),
                                             QStringLiteral("-q")});
            if (ready.waitForFinished(kToolTimeoutMs) && ready.exitStatus() == QProcess::NormalExit &&
                ready.exitCode() == 0) {
                m_running = true;
                return true;
            }
            m_server.waitForFinished(100);
        }
        QString log;
        QFile f(logFile());
        if (f.open(QIODevice::ReadOnly))
            log = QString::fromUtf8(f.readAll()).right(2000);
        stop();
        return fail(QStringLiteral("PostgreSQL did not accept connections on 127.0.0.1:%1:\n%2")
                        .arg(m_port)
                        .arg(log));
    }

    [[nodiscard]] QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    [[nodiscard]] QString logFile() const { return m_dir.filePath(QStringLiteral("server.log")); }
    static QString tool(const char* name)
    {
        return QString::fromLatin1(kBinDir) + QLatin1Char('/') + QString::fromLatin1(name);
    }

    bool giveDirectoryToNobody()
    {
        const passwd* pw = ::getpwnam("nobody");
        if (pw == nullptr)
            return fail(QStringLiteral("running as root and there is no user 'nobody' to run "
                                       "initdb as (initdb refuses root)"));
        m_uid = pw->pw_uid;
        m_gid = pw->pw_gid;
        if (::chown(m_dir.path().toLocal8Bit().constData(), m_uid, m_gid) != 0)
            return fail(QStringLiteral("cannot give %1 to user nobody").arg(m_dir.path()));
        m_asNobody = true;
        return true;
    }

    bool runTool(const char* name, const QStringList& args)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(m_dir.path());
        if (m_asNobody)
            p.start(QStringLiteral("setpriv"),
                    QStringList{QStringLiteral("--reuid=%1").arg(m_uid),
                                QStringLiteral("--regid=%1").arg(m_gid),
                                QStringLiteral("--clear-groups"), tool(name)} +
                        args);
        else
            p.start(tool(name), args);
        if (!p.waitForFinished(kToolTimeoutMs) || p.exitStatus() != QProcess::NormalExit ||
            p.exitCode() != 0) {
            QString log;
            QFile f(logFile());
            if (f.open(QIODevice::ReadOnly))
                log = QString::fromUtf8(f.readAll()).right(2000);
            return fail(QStringLiteral("%1 %2 failed: %3\n%4")
                            .arg(tool(name), args.join(QLatin1Char(' ')),
                                 QString::fromUtf8(p.readAll()), log));
        }
        return true;
    }

    bool fail(const QString& message)
    {
        m_error = message;
        return false;
    }

    QTemporaryDir m_dir{QDir::tempPath() + QStringLiteral("/twindesk-pg-XXXXXX")};
    QProcess m_server;
    QString m_error;
    int m_port = 0;
    bool m_initialised = false;
    bool m_running = false;
    bool m_asNobody = false;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
};

} // namespace twindesk::test
