#pragma once
/// \file trend_model.h
/// The console's trends (issue #8 §3): time series of points from a project's historian,
/// downsampled for drawing (min and max of each bucket kept, so a spike is never averaged
/// away). Qt Core only; QML draws the series with Qt Charts.

#include "shared_store_cache.h"

#include <QObject>
#include <QStringList>
#include <QVariantList>

#include <memory>

namespace twindesk::twin {
class ProjectStore;
}

namespace twindesk::app {

class TrendModel : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QStringList points READ points NOTIFY loaded)
    Q_PROPERTY(double fromMs READ fromMs NOTIFY loaded)
    Q_PROPERTY(double toMs READ toMs NOTIFY loaded)
    Q_PROPERTY(QString error READ error NOTIFY loaded)

public:
    explicit TrendModel(QObject* parent = nullptr);
    ~TrendModel() override;

    /// Opens the historian of `projectPath` (read-only). False with error().
    Q_INVOKABLE bool load(const QString& projectPath);
    /// The samples of `point` with fromMs <= t < toMs as [{t: ms, v: value}, ...] in time
    /// order, at most `maxPoints` (≥ 2): when there are more, each bucket of time contributes
    /// its minimum and its maximum in time order. Empty for an unknown point.
    Q_INVOKABLE QVariantList series(const QString& point, double fromMs, double toMs,
                                    int maxPoints) const;

    [[nodiscard]] QStringList points() const { return m_points; }
    [[nodiscard]] double fromMs() const { return m_fromMs; }
    [[nodiscard]] double toMs() const { return m_toMs; }
    [[nodiscard]] QString error() const { return m_error; }

Q_SIGNALS:
    void loaded();

private:
    std::unique_ptr<twin::ProjectStore> m_store;
    SharedStoreCache m_shared;         ///< the project's shared store, when it names one
    twin::Historian* m_historian = nullptr; ///< m_store or the shared store
    QStringList m_points;
    double m_fromMs = 0;
    double m_toMs = 0;
    QString m_error;
};

} // namespace twindesk::app
