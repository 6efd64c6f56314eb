#pragma once
/// \file broker.h
/// TestBroker: a real mosquitto broker for one test, on 127.0.0.1 and a free port, in its own
/// temporary directory (configuration, password file, certificates, log). Header-only; any
/// test of the live module may use it.
///
///     twindesk::test::TestBroker broker({.auth = TestBroker::Auth::PasswordFile});
///     QVERIFY2(broker.start(), qPrintable(broker.lastError()));
///     ... connect to broker.url() ...
///
/// - Anonymous (default), or a password file made with `mosquitto_passwd -c -b` (user/password
///   from the options) and `allow_anonymous false`.
/// - TLS: a throw-away CA and a server certificate for 127.0.0.1 and localhost made with the
///   `openssl` CLI; caFile() is the CA, otherCaFile() a CA that did not sign the broker.
/// - Persistence off: a restart forgets retained messages and sessions.
/// start() waits (bounded) until the port accepts TCP; restart() keeps the port, for reconnect
/// tests. The broker binary is /usr/sbin/mosquitto (package `mosquitto`, installed by
/// scripts/install-deps); when it is missing start() fails with that message — no skipping.
/// Thread affinity: the test's thread (QProcess). Linux only (POSIX sockets for the port).

#include "loopback.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>
#include <QTemporaryDir>
#include <QTextStream>

#include <csignal>
#include <cstdint>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>
#include <utility>

namespace twindesk::test {

enum class BrokerAuth { Anonymous, PasswordFile };
enum class BrokerTransport { Plain, Tls };

struct TestBrokerOptions
{
    BrokerAuth auth = BrokerAuth::Anonymous;
    BrokerTransport transport = BrokerTransport::Plain;
    QString user = QStringLiteral("twin");
    QString password = QStringLiteral("twin-secret-42");
};

class TestBroker
{
public:
    using Auth = BrokerAuth;
    using Transport = BrokerTransport;
    static constexpr const char* kMosquitto = "/usr/sbin/mosquitto";
    static constexpr int kStartTimeoutMs = 5000;
    static constexpr int kStopTimeoutMs = 5000;

    TestBroker() : TestBroker(TestBrokerOptions{}) {}
    explicit TestBroker(TestBrokerOptions options) : m_options(std::move(options)) {}
    ~TestBroker() { stop(); }
    TestBroker(const TestBroker&) = delete;
    TestBroker& operator=(const TestBroker&) = delete;
    TestBroker(TestBroker&&) = delete;
    TestBroker& operator=(TestBroker&&) = delete;

    /// Writes the files (first call only), picks a free port and starts the broker; false with
    /// lastError() (which includes the end of the broker's log) on failure.
    [[nodiscard]] bool start()
    {
        if (isRunning())
            return true;
        if (!prepare())
            return false;
        // Another process may take the free port between our probe and mosquitto's bind:
        // then try another port.
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_port = freePort();
            if (m_port <= 0)
                return fail(QStringLiteral("cannot find a free TCP port on 127.0.0.1"));
            if (launch())
                return true;
            if (!logTail().contains(QStringLiteral("Address already in use")))
                return false;
        }
        return false;
    }

    /// SIGTERM, wait; SIGKILL if it does not stop. No-op when not running.
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(kStopTimeoutMs)) {
            m_process.kill();
            m_process.waitForFinished(kStopTimeoutMs);
        }
    }

    /// stop() and start again on the same port (for reconnect tests).
    [[nodiscard]] bool restart()
    {
        if (m_port <= 0)
            return start();
        stop();
        return launch();
    }

    [[nodiscard]] bool isRunning() const { return m_process.state() == QProcess::Running; }
    [[nodiscard]] int port() const { return m_port; }
    /// "mqtt://127.0.0.1:PORT" or "mqtts://127.0.0.1:PORT" (no user: add it if needed).
    [[nodiscard]] std::string url() const
    {
        return std::string(m_options.transport == Transport::Tls ? "mqtts" : "mqtt") +
               "://127.0.0.1:" + std::to_string(m_port);
    }
    /// The URL with a user: "mqtt://USER@127.0.0.1:PORT".
    [[nodiscard]] std::string urlWithUser() const
    {
        return std::string(m_options.transport == Transport::Tls ? "mqtts" : "mqtt") + "://" +
               m_options.user.toStdString() + "@127.0.0.1:" + std::to_string(m_port);
    }
    [[nodiscard]] std::string caFile() const { return path("ca.crt"); }
    [[nodiscard]] std::string otherCaFile() const { return path("other-ca.crt"); }
    [[nodiscard]] std::string logFile() const { return path("mosquitto.log"); }
    [[nodiscard]] std::string directory() const { return m_dir.path().toStdString(); }
    [[nodiscard]] const TestBrokerOptions& options() const { return m_options; }
    [[nodiscard]] const QString& lastError() const { return m_error; }

    /// The last lines of the broker's log, for failure messages.
    [[nodiscard]] QString logTail(int maxLines = 30) const
    {
        QFile file(QString::fromStdString(logFile()));
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            return {};
        QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
        if (lines.size() > maxLines)
            lines = lines.mid(lines.size() - maxLines);
        return lines.join(QLatin1Char('\n'));
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    static int freePort()
    {
        return freeLoopbackPort();
    }

    /// True when something accepts TCP connections on 127.0.0.1:port.
    static bool acceptsTcp(int port)
    {
        return loopbackAcceptsTcp(port);
    }

private:
    [[nodiscard]] std::string path(const char* name) const
    {
        return m_dir.filePath(QString::fromLatin1(name)).toStdString();
    }

    bool fail(const QString& message)
    {
        m_error = message;
        const QString tail = logTail();
        if (!tail.trimmed().isEmpty())
            m_error += QStringLiteral("\n--- mosquitto log (%1) ---\n%2")
                           .arg(QString::fromStdString(logFile()), tail);
        return false;
    }

    /// Runs a helper program to completion; false with lastError() on failure.
    bool run(const QString& program, const QStringList& args)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, args);
        if (!p.waitForStarted(kStartTimeoutMs))
            return fail(QStringLiteral("cannot run %1: %2").arg(program, p.errorString()));
        if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit ||
            p.exitCode() != 0)
            return fail(QStringLiteral("%1 %2 failed (exit code %3):\n%4")
                            .arg(program, args.join(QLatin1Char(' ')))
                            .arg(p.exitCode())
                            .arg(QString::fromLocal8Bit(p.readAll())));
        return true;
    }

    bool writeFile(const char* name, const QString& text)
    {
        QFile file(QString::fromStdString(path(name)));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
            return fail(
                QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
        QTextStream(&file) << text;
        return true;
    }

    /// A CA (key + self-signed certificate) named `stem`.key/.crt.
    bool makeCa(const QString& stem, const QString& commonName)
    {
        const QString cnf = stem + QStringLiteral(".cnf");
        if (!writeFile(cnf.toLatin1().constData(),
                       QStringLiteral("[req]\ndistinguished_name = dn\nprompt = no\n"
                                      "[dn]\nCN = %1\n"
                                      "[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                                      "keyUsage = critical,keyCertSign,cRLSign\n"
                                      "subjectKeyIdentifier = hash\n")
                           .arg(commonName)))
            return false;
        return run(m_openssl,
                   {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-new"),
                    QStringLiteral("-nodes"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                    QStringLiteral("-keyout"), stem + QStringLiteral(".key"),
                    QStringLiteral("-out"), stem + QStringLiteral(".crt"), QStringLiteral("-days"),
                    QStringLiteral("2"), QStringLiteral("-config"), cnf,
                    QStringLiteral("-extensions"), QStringLiteral("v3_ca")});
    }

    bool makeCertificates()
    {
        m_openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (m_openssl.isEmpty())
            return fail(QStringLiteral("the openssl command is missing: install the package "
                                       "'openssl' (scripts/install-deps)"));
        if (!makeCa(QStringLiteral("ca"), QStringLiteral("TwinDesk test CA")) ||
            !makeCa(QStringLiteral("other-ca"), QStringLiteral("TwinDesk unrelated CA")))
            return false;
        if (!writeFile("server.cnf",
                       QStringLiteral("[req]\ndistinguished_name = dn\nprompt = no\n"
                                      "[dn]\nCN = 127.0.0.1\n"
                                      "[v3_server]\nbasicConstraints = critical,CA:FALSE\n"
                                      "keyUsage = critical,digitalSignature,keyEncipherment\n"
                                      "extendedKeyUsage = serverAuth\n"
                                      "subjectAltName = IP:127.0.0.1,DNS:localhost\n")))
            return false;
        return run(m_openssl,
                   {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-nodes"),
                    QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                    QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-keyout"),
                    QStringLiteral("server.key"), QStringLiteral("-out"),
                    QStringLiteral("server.csr"), QStringLiteral("-config"),
                    QStringLiteral("server.cnf")}) &&
               run(m_openssl,
                   {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                    QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.crt"),
                    QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                    QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                    QStringLiteral("server.crt"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-extfile"), QStringLiteral("server.cnf"),
                    QStringLiteral("-extensions"), QStringLiteral("v3_server")});
    }

    /// Once: the temporary directory, the broker binary, password file and certificates.
    bool prepare()
    {
        if (m_prepared)
            return true;
        if (!m_dir.isValid())
            return fail(
                QStringLiteral("cannot create a temporary directory: %1").arg(m_dir.errorString()));
        m_mosquitto = QString::fromLatin1(kMosquitto);
        if (!QFileInfo(m_mosquitto).isExecutable()) {
            m_mosquitto = QStandardPaths::findExecutable(QStringLiteral("mosquitto"));
            if (m_mosquitto.isEmpty())
                return fail(
                    QStringLiteral(
                        "the MQTT broker %1 is missing: the live tests need a real broker. Install "
                        "the package 'mosquitto' (scripts/install-deps installs it).")
                        .arg(QString::fromLatin1(kMosquitto)));
        }
        if (m_options.auth == Auth::PasswordFile) {
            QString passwd = QStringLiteral("/usr/bin/mosquitto_passwd");
            if (!QFileInfo(passwd).isExecutable())
                passwd = QStandardPaths::findExecutable(QStringLiteral("mosquitto_passwd"));
            if (passwd.isEmpty())
                return fail(QStringLiteral("mosquitto_passwd is missing: install the package "
                                           "'mosquitto' (scripts/install-deps)"));
            if (!run(passwd,
                     {QStringLiteral("-c"), QStringLiteral("-b"),
                      QString::fromStdString(path("passwd")), m_options.user, m_options.password}))
                return false;
        }
        if (m_options.transport == Transport::Tls && !makeCertificates())
            return false;
        m_prepared = true;
        return true;
    }

    bool writeConfig()
    {
        QString conf;
        QTextStream out(&conf);
        out << "# TestBroker: one broker for one test\n"
            << "listener " << m_port << " 127.0.0.1\n"
            << "persistence false\n"
            << "log_dest stderr\n"
            << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            << "connection_messages true\n"
            // No per-client limit: a burst test must not lose QoS 0 messages in the broker.
            << "max_queued_messages 0\n";
        if (::geteuid() == 0)
            out << "user root\n"; // as root mosquitto would switch to 'mosquitto', which cannot
                                  // read the private temporary directory
        if (m_options.auth == Auth::PasswordFile)
            out << "allow_anonymous false\npassword_file " << QString::fromStdString(path("passwd"))
                << "\n";
        else
            out << "allow_anonymous true\n";
        if (m_options.transport == Transport::Tls)
            out << "cafile " << QString::fromStdString(path("ca.crt")) << "\n"
                << "certfile " << QString::fromStdString(path("server.crt")) << "\n"
                << "keyfile " << QString::fromStdString(path("server.key")) << "\n";
        out.flush();
        return writeFile("mosquitto.conf", conf);
    }

    /// Starts mosquitto on m_port and waits until the port accepts TCP.
    bool launch()
    {
        if (!writeConfig())
            return false;
        const QString log = QString::fromStdString(logFile());
        m_process.setWorkingDirectory(m_dir.path());
        m_process.setStandardOutputFile(log, QIODevice::Append);
        m_process.setStandardErrorFile(log, QIODevice::Append);
        // If the test process dies (crash, sanitizer abort), the broker goes with it.
        m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process.start(m_mosquitto,
                        {QStringLiteral("-c"), QString::fromStdString(path("mosquitto.conf"))});
        if (!m_process.waitForStarted(kStartTimeoutMs))
            return fail(
                QStringLiteral("cannot start %1: %2").arg(m_mosquitto, m_process.errorString()));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < kStartTimeoutMs) {
            if (m_process.state() != QProcess::Running) {
                m_process.waitForFinished(kStopTimeoutMs);
                return fail(QStringLiteral("mosquitto exited during start-up (exit code %1)")
                                .arg(m_process.exitCode()));
            }
            if (acceptsTcp(m_port))
                return true;
            m_process.waitForFinished(25); // also lets QProcess notice an exit
        }
        stop();
        return fail(QStringLiteral("mosquitto did not accept connections on 127.0.0.1:%1 within "
                                   "%2 ms")
                        .arg(m_port)
                        .arg(kStartTimeoutMs));
    }

    TestBrokerOptions m_options;
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_mosquitto;
    QString m_openssl;
    QString m_error;
    int m_port = 0;
    bool m_prepared = false;
};

} // namespace twindesk::test
