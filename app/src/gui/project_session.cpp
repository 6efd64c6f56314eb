#include "project_session.h"

#include "cli.h"

#include <twindesk/twin/project_store.h>

#include <QFileInfo>
#include <QSettings>

#include <sstream>

namespace twindesk::app {

namespace {
constexpr int kMaxRecent = 10;
const QString kRecentKey = QStringLiteral("recentProjects");
} // namespace

ProjectSession::ProjectSession(const QString& settingsFile, QObject* parent)
    : QObject(parent)
    , m_settings(settingsFile.isEmpty()
                     ? std::make_unique<QSettings>(QStringLiteral("TwinDesk"),
                                                   QStringLiteral("TwinDesk"))
                     : std::make_unique<QSettings>(settingsFile, QSettings::IniFormat))
{
    for (const auto& p : m_settings->value(kRecentKey).toStringList())
        if (QFileInfo::exists(p) && !m_recent.contains(p) && m_recent.size() < kMaxRecent)
            m_recent.push_back(p);
}

ProjectSession::~ProjectSession() = default;

QString ProjectSession::name() const
{
    return QFileInfo(m_path).fileName();
}

void ProjectSession::fail(const QString& message)
{
    m_error = message;
    Q_EMIT errorChanged();
}

void ProjectSession::remember(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_recent.removeAll(absolute);
    m_recent.prepend(absolute);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();
    m_settings->setValue(kRecentKey, m_recent);
    m_settings->sync();
    Q_EMIT recentChanged();
}

void ProjectSession::setInitial(const QString& path)
{
    m_path = QFileInfo(path).absoluteFilePath();
    remember(m_path);
}

bool ProjectSession::open(const QString& path)
{
    if (path.isEmpty()) {
        fail(QStringLiteral("no project file given"));
        return false;
    }
    if (!QFileInfo::exists(path)) {
        fail(path + QStringLiteral(": no such file"));
        m_recent.removeAll(QFileInfo(path).absoluteFilePath());
        Q_EMIT recentChanged();
        return false;
    }
    // Read it fully before anything is replaced.
    auto store = twin::ProjectStore::open(path.toStdString(), twin::OpenMode::ReadOnly);
    if (!store) {
        fail(QString::fromStdString(store.error().toString()));
        return false;
    }
    auto model = store->loadModel();
    if (!model) {
        fail(QString::fromStdString(model.error().toString()));
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    if (!m_error.isEmpty()) {
        m_error.clear();
        Q_EMIT errorChanged();
    }
    remember(m_path);
    Q_EMIT projectChanged();
    return true;
}

bool ProjectSession::importBrick(const QString& turtle, const QString& out, bool replace)
{
    if (turtle.isEmpty() || out.isEmpty()) {
        fail(QStringLiteral("import needs a Brick model (.ttl) and a project file to create"));
        return false;
    }
    std::vector<std::string> args{"import-brick", turtle.toStdString(), "-o", out.toStdString()};
    if (replace)
        args.emplace_back("--force");
    std::ostringstream o;
    std::ostringstream e;
    if (runCli(args, {o, e}) != 0) {
        QString message = QString::fromStdString(e.str()).trimmed();
        if (message.startsWith(QStringLiteral("error: ")))
            message = message.mid(7);
        fail(message);
        return false;
    }
    return open(out);
}

void ProjectSession::clearRecent()
{
    m_recent.clear();
    m_settings->setValue(kRecentKey, m_recent);
    Q_EMIT recentChanged();
}

} // namespace twindesk::app
