#pragma once
/// \file project_session.h
/// The console's project shell (issue #8 §1): which project is open, opening another one
/// (checked before anything is replaced: a file that is not a readable project leaves the
/// open one as it was), a new project from a Brick model (the `import-brick` command, so the
/// console and the CLI import identically), and the recent projects (QSettings, most recent
/// first, at most ten, files that vanished dropped). The application reloads its views on
/// projectChanged(). Qt Core only.
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

class QSettings;

namespace twindesk::app {

class ProjectSession : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString path READ path NOTIFY projectChanged)
    Q_PROPERTY(QString name READ name NOTIFY projectChanged)
    Q_PROPERTY(QStringList recent READ recent NOTIFY recentChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    /// `settingsFile` empty: the user's settings (QSettings for TwinDesk); tests pass a file.
    explicit ProjectSession(const QString& settingsFile = {}, QObject* parent = nullptr);
    ~ProjectSession() override;

    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] QString name() const;
    [[nodiscard]] QStringList recent() const { return m_recent; }
    [[nodiscard]] QString error() const { return m_error; }

    /// Opens a project (a .twin file with a model). False with error() when it cannot be read;
    /// the open project stays.
    Q_INVOKABLE bool open(const QString& path);
    /// Imports a Brick Turtle model into a new project file `out` (replacing it when `replace`)
    /// and opens it. False with error() naming the file (and line) on failure.
    Q_INVOKABLE bool importBrick(const QString& turtle, const QString& out, bool replace = false);
    /// Adopts `path` as the open project without signalling (at start-up, already loaded).
    void setInitial(const QString& path);
    Q_INVOKABLE void clearRecent();

Q_SIGNALS:
    void projectChanged();
    void recentChanged();
    void errorChanged();

private:
    void remember(const QString& path);
    void fail(const QString& message);

    std::unique_ptr<QSettings> m_settings;
    QString m_path;
    QStringList m_recent;
    QString m_error;
};

} // namespace twindesk::app
