#include "live_controller.h"

#include "live_command.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>
#include <QPointer>

#include <sstream>

namespace twindesk::app {

LiveController::LiveController(QObject* parent) : QObject(parent) {}

LiveController::~LiveController()
{
    m_stop.store(true);
    join();
}

void LiveController::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void LiveController::setProject(const QString& project)
{
    if (project == m_project)
        return;
    if (running()) {
        m_error = QStringLiteral("disconnect before opening another project (the live loop "
                                 "records into %1)")
                      .arg(m_project);
        Q_EMIT changed();
        return;
    }
    m_project = project;
    Q_EMIT changed();
}

bool LiveController::connectTo(const QString& broker, const QString& mapOrDiscovery,
                               const QString& policy, int frameMs)
{
    auto refuse = [this](const QString& message) {
        m_error = message;
        Q_EMIT changed();
        return false;
    };
    if (running())
        return refuse(QStringLiteral("already connected to %1: disconnect first").arg(m_broker));
    if (m_project.isEmpty())
        return refuse(QStringLiteral("open a project first: the live loop records into it"));
    if (broker.trimmed().isEmpty())
        return refuse(QStringLiteral("broker: give an address like mqtt://127.0.0.1:1883"));
    if (mapOrDiscovery.trimmed().isEmpty())
        return refuse(QStringLiteral("give a topic map file or discovery:PREFIX "
                                     "(e.g. discovery:homeassistant)"));
    if (policy.trimmed().isEmpty())
        return refuse(QStringLiteral("policy: give a policy, e.g. fixed-schedule or "
                                     "rules:{\"file\":\"…\"}"));

    LiveCommandOptions o;
    o.broker = broker.trimmed().toStdString();
    o.project = m_project.toStdString();
    const QString source = mapOrDiscovery.trimmed();
    if (source.startsWith(QStringLiteral("discovery:")))
        o.discovery = source.mid(10).toStdString();
    else
        o.map = source.toStdString();
    o.policy = policy.trimmed().toStdString();
    o.frame = std::chrono::milliseconds(frameMs > 0 ? frameMs : 1000);
    o.json = true; // the summary is parsed from nothing; keep stdout quiet and structured
    o.stop = &m_stop;
    QPointer<LiveController> self(this);
    o.onProgress = [self](const LiveProgress& p) {
        // Called on the loop's thread: hand a copy to the GUI thread.
        QMetaObject::invokeMethod(
            self.data(), [self, p] { if (self) self->onProgress(p); }, Qt::QueuedConnection);
    };

    m_stop.store(false);
    m_error.clear();
    m_summary.clear();
    m_broker = broker.trimmed();
    m_state = QStringLiteral("connecting");
    m_messages = m_stored = m_rejected = 0;
    m_stale = m_decisions = m_applied = m_pending = 0;
    m_lastFrame.clear();
    m_thread = std::thread([self, o = std::move(o)] {
        std::ostringstream out;
        std::ostringstream err;
        CliIo io{out, err};
        const int code = runLive(o, io);
        const QString outText = QString::fromStdString(out.str());
        const QString errText = QString::fromStdString(err.str());
        QMetaObject::invokeMethod(
            self.data(),
            [self, code, outText, errText] {
                if (self)
                    self->onFinished(code, outText, errText);
            },
            Qt::QueuedConnection);
    });
    Q_EMIT changed();
    return true;
}

void LiveController::disconnectLive()
{
    if (!running())
        return;
    m_stop.store(true);
    m_state = QStringLiteral("stopping");
    Q_EMIT changed();
}

void LiveController::onProgress(const LiveProgress& p)
{
    if (!running())
        return;
    if (m_stop.load())
        m_state = QStringLiteral("stopping");
    else
        m_state = QString::fromStdString(p.state);
    if (p.nowMs > 0)
        m_lastFrame = QDateTime::fromMSecsSinceEpoch(p.nowMs, Qt::UTC)
                          .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss 'UTC'"));
    m_messages = static_cast<double>(p.messages);
    m_stored = static_cast<double>(p.stored);
    m_rejected = static_cast<double>(p.rejected);
    m_stale = static_cast<int>(p.stalePoints);
    m_decisions = static_cast<int>(p.decisions);
    m_applied = static_cast<int>(p.applied);
    m_pending = static_cast<int>(p.pendingApprovals);
    Q_EMIT changed();
    if (p.nowMs > 0)
        Q_EMIT frame();
}

void LiveController::onFinished(int code, const QString& out, const QString& err)
{
    join();
    if (code == 0) {
        m_state = QStringLiteral("disconnected");
        // runLive's JSON summary: the final figures, after everything was flushed.
        const auto summary = QJsonDocument::fromJson(out.toUtf8()).object();
        if (!summary.isEmpty()) {
            m_messages = summary.value(QStringLiteral("messages")).toDouble();
            m_stored = summary.value(QStringLiteral("stored")).toDouble();
            m_rejected = summary.value(QStringLiteral("rejected")).toDouble();
            m_decisions = summary.value(QStringLiteral("decisions")).toInt();
            m_applied = summary.value(QStringLiteral("applied")).toInt();
            m_pending = summary.value(QStringLiteral("pending_approvals")).toInt();
        }
        const auto commands = summary.value(QStringLiteral("commands")).toObject();
        m_summary = QStringLiteral("stopped: %1 messages, %2 stored, %3 rejected; %4 "
                                   "decisions, %5 applied, %6 pending approval; commands %7 "
                                   "sent, %8 confirmed")
                        .arg(m_messages)
                        .arg(m_stored)
                        .arg(m_rejected)
                        .arg(m_decisions)
                        .arg(m_applied)
                        .arg(m_pending)
                        .arg(commands.value(QStringLiteral("sent")).toInt())
                        .arg(commands.value(QStringLiteral("confirmed")).toInt());
    } else {
        m_state = QStringLiteral("failed");
        QString message = err.trimmed();
        if (message.startsWith(QStringLiteral("error: ")))
            message = message.mid(7);
        m_error = message.isEmpty() ? QStringLiteral("the live loop ended with code %1").arg(code)
                                    : message;
    }
    Q_EMIT changed();
    Q_EMIT finished();
}

} // namespace twindesk::app
