#pragma once
/// \file whatif_controller.h
/// The console's what-if view (issue #8 §7): a scenario and a variant of it — a duplicate whose
/// parameters (setpoints, policy, weather file, host count, calendar, free `--set` overrides)
/// the user changes — run side by side; their KPIs compared (with the change and whether it is
/// better or worse) and a few aggregate series of each run overlaid.
///
/// Every parameter is a scenario override (sim::ScenarioOptions::overrides), so the variant is
/// the scenario file plus a list of `key=JSON` lines: the runs go through app::runVariant, the
/// mechanism of `twindesk sweep` and `compare` (two threads, one per run, the same deterministic
/// engine as `simulate`), and saveVariant() writes exactly that variant as a scenario file.
/// Common overrides apply to both runs (e.g. a shorter period).
///
/// Threads: the runs step on worker threads; the UI thread receives progress and, at the end,
/// the immutable results (KPI rows, series) by queued calls, as SimulationController does.
/// Setters only edit the variant's description; a run started later reads a copy of it.
/// Qt Core only.

#include <QObject>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace twindesk::app {

class WhatIfController : public QObject
{
    Q_OBJECT
    // The opened scenario.
    Q_PROPERTY(QString scenarioPath READ scenarioPath NOTIFY variantChanged)
    Q_PROPERTY(QString scenarioName READ scenarioName NOTIFY variantChanged)
    /// "KEY=JSON" overrides applied to both runs (e.g. "period.end=\"2025-01-08T00:00\"").
    Q_PROPERTY(QStringList commonOverrides READ commonOverrides WRITE setCommonOverrides NOTIFY
                   variantChanged)
    // The variant's parameters: whether each applies to the opened scenario, the base's value
    // and the variant's (what the variant's overrides make of it).
    Q_PROPERTY(bool hasSetpoints READ hasSetpoints NOTIFY variantChanged)
    Q_PROPERTY(QString setpointScope READ setpointScope NOTIFY variantChanged)
    Q_PROPERTY(double baseHeatingSetpoint READ baseHeatingSetpoint NOTIFY variantChanged)
    Q_PROPERTY(double heatingSetpoint READ heatingSetpoint WRITE setHeatingSetpoint NOTIFY
                   variantChanged)
    Q_PROPERTY(double baseCoolingSetpoint READ baseCoolingSetpoint NOTIFY variantChanged)
    Q_PROPERTY(double coolingSetpoint READ coolingSetpoint WRITE setCoolingSetpoint NOTIFY
                   variantChanged)
    /// The registry's policies, "" (no policy) first.
    Q_PROPERTY(QStringList policyNames READ policyNames CONSTANT)
    Q_PROPERTY(QString basePolicy READ basePolicy NOTIFY variantChanged)
    Q_PROPERTY(QString policy READ policy WRITE setPolicy NOTIFY variantChanged)
    /// The variant policy's parameters: [{name, type, unit, value, base, choices, changed}]
    /// (value and base as numbers, booleans or text; "uses" as comma-separated text).
    Q_PROPERTY(QVariantList policyParams READ policyParams NOTIFY variantChanged)
    Q_PROPERTY(bool hasWeather READ hasWeather NOTIFY variantChanged)
    Q_PROPERTY(QString baseWeather READ baseWeather NOTIFY variantChanged)
    Q_PROPERTY(QString weather READ weather WRITE setWeather NOTIFY variantChanged)
    Q_PROPERTY(bool hasHostCount READ hasHostCount NOTIFY variantChanged)
    Q_PROPERTY(int baseHostCount READ baseHostCount NOTIFY variantChanged)
    Q_PROPERTY(int hostCount READ hostCount WRITE setHostCount NOTIFY variantChanged)
    Q_PROPERTY(bool hasCalendar READ hasCalendar NOTIFY variantChanged)
    Q_PROPERTY(QString baseCalendar READ baseCalendar NOTIFY variantChanged)
    Q_PROPERTY(QString calendar READ calendar WRITE setCalendar NOTIFY variantChanged)
    /// Free-form "KEY=JSON" overrides of the variant, applied after the parameters above.
    Q_PROPERTY(QStringList extraOverrides READ extraOverrides WRITE setExtraOverrides NOTIFY
                   variantChanged)
    /// Every override the variant applies (parameters, then the free-form ones): "KEY=JSON".
    Q_PROPERTY(QStringList variantOverrides READ variantOverrides NOTIFY variantChanged)
    // The runs.
    Q_PROPERTY(QString state READ state NOTIFY changed)
    Q_PROPERTY(double baseProgress READ baseProgress NOTIFY changed)
    Q_PROPERTY(double variantProgress READ variantProgress NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)
    /// [{key, name, unit, base, variant, delta, deltaPercent (NaN when the base is 0),
    ///   direction ("lower", "higher", ""), verdict ("better", "worse", "same", "")}]
    Q_PROPERTY(QVariantList kpis READ kpis NOTIFY changed)
    /// The series both runs have: [{key, label, unit}].
    Q_PROPERTY(QVariantList seriesList READ seriesList NOTIFY changed)
    // Stored sweeps (`twindesk sweep --store ... --sweep-name`, e.g. a Kubernetes sweep's
    // pods): the sweeps the project's store holds and the variants of the one shown.
    /// The store read: "project file PATH" or the shared store's redacted URL.
    Q_PROPERTY(QString storeLocation READ storeLocation NOTIFY storedChanged)
    /// [{name, variants, stored, missing, failed, lastWritten (ISO 8601 UTC)}], most recent first.
    Q_PROPERTY(QVariantList storedSweeps READ storedSweeps NOTIFY storedChanged)
    /// The sweep shown ("" none).
    Q_PROPERTY(QString storedSweep READ storedSweep NOTIFY storedChanged)
    /// Its KPI columns: [{key, name, unit}] (the compute ones only when a row has them).
    Q_PROPERTY(QVariantList storedColumns READ storedColumns NOTIFY storedChanged)
    /// Its variants by index: [{index, label, ok, error, values: [number per column, NaN when
    /// absent], best: [bool per column: the lowest KPI of the successful runs, where they
    /// differ; never the wall time]}].
    Q_PROPERTY(QVariantList storedRows READ storedRows NOTIFY storedChanged)
    /// The variant indices without a row (still running, or failed).
    Q_PROPERTY(QVariantList storedMissing READ storedMissing NOTIFY storedChanged)
    Q_PROPERTY(QString storedError READ storedError NOTIFY storedChanged)

public:
    explicit WhatIfController(QObject* parent = nullptr);
    ~WhatIfController() override;
    WhatIfController(const WhatIfController&) = delete;
    WhatIfController& operator=(const WhatIfController&) = delete;
    WhatIfController(WhatIfController&&) = delete;
    WhatIfController& operator=(WhatIfController&&) = delete;

    /// The ontology files scenarios with a Brick building are imported with.
    void setOntology(QStringList files) { m_ontology = std::move(files); }
    /// The shared-data folder `${anchors}` in scenario files stands for.
    void setAnchorsDir(QString dir) { m_anchors = std::move(dir); }
    /// Points per series at most (default 2000).
    void setMaxPoints(int points) { m_maxPoints = points; }
    /// The project whose store the stored sweeps come from (its meta key `store`, else the
    /// project file); `store` a `--store` value overriding that (empty: none). Clears them.
    Q_INVOKABLE void setProject(const QString& path, const QString& store = {});

    /// Opens a scenario as the base (stopping runs, clearing results); the variant starts as
    /// its duplicate (no overrides). False with error() when the file is not a JSON scenario.
    Q_INVOKABLE bool open(const QString& scenarioPath);
    /// The variant becomes the base's duplicate again.
    Q_INVOKABLE void resetVariant();
    /// Adds one free-form "KEY=JSON" override to the variant; false with error() for a line
    /// that is not KEY=VALUE.
    Q_INVOKABLE bool addOverride(const QString& line);
    /// Sets one parameter of the variant's policy (converted to the parameter's type).
    Q_INVOKABLE bool setPolicyParam(const QString& name, const QVariant& value);
    /// Runs the base and the variant, one thread each; progress for each; then kpis() and the
    /// series. Ignored while running.
    Q_INVOKABLE void runBoth();
    /// Stops both runs after their current step (state "cancelled").
    Q_INVOKABLE void cancel();
    /// Points of one series of the base (which = 0) or the variant (1): [{x: ms UTC, y}].
    Q_INVOKABLE QVariantList series(const QString& key, int which) const;
    /// Reads the list of stored sweeps (and the shown sweep again). Synchronous: one query on
    /// the project file or the shared store (the console bounds a connection's wait with
    /// PGCONNECT_TIMEOUT, 10 s unless set). False with storedError() when the store cannot
    /// be opened or read (the previous list stays).
    Q_INVOKABLE bool refreshStoredSweeps();
    /// Shows the variants of stored sweep `name`. False with storedError() when it cannot be
    /// read or holds no rows.
    Q_INVOKABLE bool showStoredSweep(const QString& name);
    /// Opens stored variant `variantIndex` of the shown sweep in the comparison: its scenario
    /// as the base (a container path under /usr/share/twindesk/assets maps to this machine's
    /// assets), the overrides every stored variant shares as common overrides (e.g. the
    /// period), the ones that make this variant as the variant's. Run both then shows what the
    /// variant changes. False with storedError() when the scenario is not on this machine.
    Q_INVOKABLE bool compareStoredVariant(int variantIndex);
    /// Writes the variant as a scenario file of its own (the base file with every override
    /// applied, relative paths rebased to the new file's folder): `twindesk simulate` runs it
    /// to the variant's KPIs. False with error() when it cannot be written.
    Q_INVOKABLE bool saveVariant(const QString& path);

    [[nodiscard]] QString scenarioPath() const { return m_path; }
    [[nodiscard]] QString scenarioName() const { return m_name; }
    [[nodiscard]] QStringList commonOverrides() const { return m_common; }
    void setCommonOverrides(const QStringList& lines);

    [[nodiscard]] bool hasSetpoints() const;
    /// "zones" (explicit zones' hvac), "building" (building.defaults) or "".
    [[nodiscard]] QString setpointScope() const;
    [[nodiscard]] double baseHeatingSetpoint() const;
    [[nodiscard]] double heatingSetpoint() const;
    void setHeatingSetpoint(double celsius);
    [[nodiscard]] double baseCoolingSetpoint() const;
    [[nodiscard]] double coolingSetpoint() const;
    void setCoolingSetpoint(double celsius);
    [[nodiscard]] QStringList policyNames() const;
    [[nodiscard]] QString basePolicy() const;
    [[nodiscard]] QString policy() const;
    /// "" for no policy; another name starts from that policy's defaults (the base's
    /// parameters when it is the base's policy).
    void setPolicy(const QString& name);
    [[nodiscard]] QVariantList policyParams() const;
    [[nodiscard]] bool hasWeather() const;
    [[nodiscard]] QString baseWeather() const;
    [[nodiscard]] QString weather() const;
    void setWeather(const QString& file);
    [[nodiscard]] bool hasHostCount() const;
    [[nodiscard]] int baseHostCount() const;
    [[nodiscard]] int hostCount() const;
    void setHostCount(int hosts);
    [[nodiscard]] bool hasCalendar() const;
    [[nodiscard]] QString baseCalendar() const;
    [[nodiscard]] QString calendar() const;
    void setCalendar(const QString& file);
    [[nodiscard]] QStringList extraOverrides() const { return m_extra; }
    void setExtraOverrides(const QStringList& lines);
    [[nodiscard]] QStringList variantOverrides() const;

    /// "idle", "running", "finished", "cancelled", "failed".
    [[nodiscard]] QString state() const { return m_state; }
    [[nodiscard]] double baseProgress() const { return m_progress[0]; }
    [[nodiscard]] double variantProgress() const { return m_progress[1]; }
    [[nodiscard]] QString error() const { return m_error; }
    [[nodiscard]] QVariantList kpis() const { return m_kpis; }
    [[nodiscard]] QVariantList seriesList() const { return m_seriesList; }
    [[nodiscard]] QString storeLocation() const { return m_storeLocation; }
    [[nodiscard]] QVariantList storedSweeps() const { return m_storedSweeps; }
    [[nodiscard]] QString storedSweep() const { return m_storedSweep; }
    [[nodiscard]] QVariantList storedColumns() const { return m_storedColumns; }
    [[nodiscard]] QVariantList storedRows() const { return m_storedRows; }
    [[nodiscard]] QVariantList storedMissing() const { return m_storedMissing; }
    [[nodiscard]] QString storedError() const { return m_storedError; }

Q_SIGNALS:
    void storedChanged();
    void variantChanged();
    void changed();
    void finished();

public:
    /// One run's sampled series by key: (x ms UTC, y) points. Public for the worker.
    using SeriesMap = std::map<std::string, std::vector<std::pair<double, double>>>;

private:
    struct Json;
    using Overrides = std::vector<std::pair<std::string, std::string>>;

    void stopRuns();
    void edited();
    void failed(const QString& message);      ///< the open or the run failed
    void reportError(const QString& message); ///< a parameter was refused (state unchanged)
    [[nodiscard]] Overrides parsedCommon() const;
    [[nodiscard]] Overrides knobOverrides() const;
    [[nodiscard]] Overrides allVariantOverrides() const;
    void refreshVariantJson();

    QStringList m_ontology;
    QString m_anchors;
    int m_maxPoints = 2000;
    QString m_path;
    QString m_name;
    QStringList m_common;
    // The base (file + common overrides) and the variant as JSON documents, for the values
    // shown; refreshed on every edit.
    std::unique_ptr<Json> m_baseJson;
    std::unique_ptr<Json> m_variantJson;
    // The parameters the user set (unset: the base's value).
    std::optional<double> m_heating;
    std::optional<double> m_cooling;
    std::optional<std::string> m_policy; ///< "" no policy
    std::unique_ptr<Json> m_policyParams; ///< the variant policy's params when m_policy is set
    std::optional<std::string> m_weather;
    std::optional<int> m_hosts;
    std::optional<std::string> m_calendar;
    QStringList m_extra;

    // The runs: a coordinator thread that runs both (app::runParallel) and hands results over.
    std::thread m_thread;
    std::atomic<bool> m_cancel{false};
    std::uint64_t m_generation = 0; ///< UI thread: results of older runs are dropped
    // UI thread only: the latest snapshot.
    QString m_state = QStringLiteral("idle");
    double m_progress[2] = {0.0, 0.0};
    QString m_error;
    QVariantList m_kpis;
    QVariantList m_seriesList;
    SeriesMap m_series[2];
    // Stored sweeps (UI thread).
    QString m_project;
    QString m_storeOverride;
    QString m_storeLocation;
    QVariantList m_storedSweeps;
    QString m_storedSweep;
    QVariantList m_storedColumns;
    QVariantList m_storedRows;
    QVariantList m_storedMissing;
    QString m_storedError;
    struct StoredVariant
    {
        std::int64_t index = 0;
        std::string scenario;
        Overrides overrides;
    };
    std::vector<StoredVariant> m_storedVariants; ///< the shown sweep's rows that parsed
};

} // namespace twindesk::app
