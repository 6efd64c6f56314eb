#pragma once
/// \file file_dialogs.h
/// Native file dialogs for QML (the Qt Quick Dialogs module is not part of the Debian set the
/// console needs; the application is a QApplication anyway): an empty string when cancelled.
#include <QFileDialog>
#include <QObject>

namespace twindesk::app {

class FileDialogs : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    Q_INVOKABLE QString openFile(const QString& title, const QString& filter) const
    {
        return QFileDialog::getOpenFileName(nullptr, title, {}, filter);
    }
    Q_INVOKABLE QString saveFile(const QString& title, const QString& filter,
                                 const QString& suggested) const
    {
        return QFileDialog::getSaveFileName(nullptr, title, suggested, filter);
    }
};

} // namespace twindesk::app
