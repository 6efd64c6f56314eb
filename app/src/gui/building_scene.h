#pragma once
/// \file building_scene.h
/// The view model of the console's 3D building view (issue #8 §2): a BuildingLayout of the
/// twin turned into vertex buffers for Qt Quick 3D (one buffer per part, one draw call each,
/// so 2 000 rooms cost what 20 do), coloured by a metric from point values (the historian's
/// latest, a replay position, a running simulation), with picking by ray and a selection.
///
/// Colours are baked into the vertices and drawn unlit (tone mapping off): a room's top face is
/// exactly its legend colour and walls are shaded by their orientation, which keeps software
/// OpenGL fast (no lighting per fragment) and lets tests find the legend's colours on screen.
/// The vertex format is float x, y, z, r, g, b, a (28 bytes). World: metres, Y up, the building
/// centred on the origin. Qt Core and Gui only; the QQuick3DGeometry that uploads the
/// buffers lives in the executable (scene_geometry.h).
#include "building_layout.h"
#include "shared_store_cache.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>
#include <QVector3D>

#include <array>
#include <memory>
#include <string>
#include <unordered_map>

namespace twindesk::app {

class BuildingScene : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString metric READ metric WRITE setMetric NOTIFY metricChanged)
    Q_PROPERTY(QString metricLabel READ metricLabel NOTIFY metricChanged)
    Q_PROPERTY(QVariantList legend READ legend NOTIFY metricChanged)
    Q_PROPERTY(QStringList metrics READ metrics CONSTANT)
    Q_PROPERTY(QStringList floorNames READ floorNames NOTIFY layoutChanged)
    Q_PROPERTY(int roomCount READ roomCount NOTIFY layoutChanged)
    Q_PROPERTY(int markerCount READ markerCount NOTIFY layoutChanged)
    Q_PROPERTY(double extent READ extent NOTIFY layoutChanged)
    Q_PROPERTY(double explode READ explode WRITE setExplode NOTIFY viewChanged)
    Q_PROPERTY(int isolatedFloor READ isolatedFloor WRITE setIsolatedFloor NOTIFY viewChanged)
    Q_PROPERTY(QVector3D centre READ centre NOTIFY viewChanged)
    Q_PROPERTY(int selectedEntity READ selectedEntity WRITE setSelectedEntity NOTIFY
                   selectionChanged)
    Q_PROPERTY(QString selectionText READ selectionText NOTIFY selectionChanged)
    Q_PROPERTY(int roomsWithData READ roomsWithData NOTIFY coloursChanged)
    Q_PROPERTY(QString valuesLabel READ valuesLabel NOTIFY coloursChanged)

public:
    enum Part : int { Rooms, Slabs, Markers, Selection, Outline, PartCount };
    Q_ENUM(Part)

    explicit BuildingScene(QObject* parent = nullptr);
    ~BuildingScene() override;

    /// Lays out `graph` (kept by pointer: it must outlive the scene or be replaced first).
    void setGraph(const twin::TwinGraph* graph);
    [[nodiscard]] const BuildingLayout* layout() const { return m_layout.get(); }

    /// Point IRI → value (NaN: bad sample); `label` says where they come from ("historian at …").
    void setValues(std::unordered_map<std::string, double> values, const QString& label);
    Q_INVOKABLE void setPointValues(const QVariantMap& values, const QString& label);
    /// The latest historian values of a project at or before `atMs` (< 0: the last sample).
    /// False (values unchanged) when the file cannot be read; the reason in `error`.
    Q_INVOKABLE bool loadHistorian(const QString& projectPath, double atMs = -1);
    [[nodiscard]] Q_INVOKABLE QString error() const { return m_error; }

    [[nodiscard]] QString metric() const;
    void setMetric(const QString& metric);
    [[nodiscard]] QString metricLabel() const;
    [[nodiscard]] QVariantList legend() const;
    [[nodiscard]] static QStringList metrics();
    [[nodiscard]] QStringList floorNames() const;
    [[nodiscard]] int roomCount() const;
    [[nodiscard]] int markerCount() const;
    [[nodiscard]] double extent() const;
    [[nodiscard]] double explode() const { return m_explode; }
    void setExplode(double explode);
    [[nodiscard]] int isolatedFloor() const { return m_isolatedFloor; }
    void setIsolatedFloor(int floor);
    [[nodiscard]] QVector3D centre() const;
    [[nodiscard]] int selectedEntity() const { return m_selected; }
    void setSelectedEntity(int entity);
    [[nodiscard]] QString selectionText() const;
    [[nodiscard]] int roomsWithData() const;
    [[nodiscard]] QString valuesLabel() const { return m_valuesLabel; }

    /// The entity (room or marker) a ray from `origin` along `direction` hits first, or -1.
    Q_INVOKABLE int pick(const QVector3D& origin, const QVector3D& direction) const;
    /// {name, kind, value} of an entity for tooltips: the metric's value of its room.
    Q_INVOKABLE QVariantMap describe(int entity) const;
    /// The metric value of room `room` (index into layout()->rooms()), NaN without data.
    [[nodiscard]] double roomValue(int room) const;

    // The buffers (see the file comment) and their bounds, per part.
    [[nodiscard]] const QByteArray& vertices(Part part) const { return m_buffers[part]; }
    [[nodiscard]] int vertexCount(Part part) const;
    [[nodiscard]] QVector3D boundsMin(Part part) const { return m_min[part]; }
    [[nodiscard]] QVector3D boundsMax(Part part) const { return m_max[part]; }
    static constexpr int kStride = 7 * static_cast<int>(sizeof(float));

Q_SIGNALS:
    void metricChanged();
    void layoutChanged();
    void viewChanged();
    void selectionChanged();
    void coloursChanged();
    /// A part's buffer changed (re-upload it).
    void geometryChanged(int part);

private:
    void rebuild(); // every part
    void rebuildRooms();
    void rebuildSlabs();
    void rebuildMarkers();
    void rebuildSelection();
    void recolour();
    [[nodiscard]] bool floorShown(int floor) const;

    const twin::TwinGraph* m_graph = nullptr;
    std::unique_ptr<BuildingLayout> m_layout;
    Metric m_metric = Metric::Temperature;
    std::unordered_map<std::string, double> m_values;
    std::vector<double> m_roomValues;
    QString m_valuesLabel;
    QString m_error;
    SharedStoreCache m_shared; ///< loadHistorian's shared store, when the project names one
    double m_explode = 0;
    int m_isolatedFloor = -1;
    int m_selected = -1;
    std::array<QByteArray, PartCount> m_buffers;
    std::array<QVector3D, PartCount> m_min;
    std::array<QVector3D, PartCount> m_max;
};

} // namespace twindesk::app
