#pragma once
/// \file scene_geometry.h
/// Uploads one part of a BuildingScene (rooms, slabs, markers, selection, outline) to Qt Quick
/// 3D: a QQuick3DGeometry whose vertices (position + colour) are the scene's buffer, re-read
/// whenever the scene rebuilds that part. Used from QML as
/// `Model { geometry: SceneGeometry { scene: buildingScene; part: BuildingScene.Rooms } }`.
#include "building_scene.h"

#include <QPointer>
#include <QQuick3DGeometry>
#include <QtQml/qqmlregistration.h>

namespace twindesk::app {

class SceneGeometry : public QQuick3DGeometry
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QObject* scene READ scene WRITE setScene NOTIFY sceneChanged)
    Q_PROPERTY(int part READ part WRITE setPart NOTIFY partChanged)
    Q_PROPERTY(int vertexCount READ vertexCount NOTIFY uploaded)

public:
    explicit SceneGeometry(QQuick3DObject* parent = nullptr);

    [[nodiscard]] QObject* scene() const { return m_scene; }
    void setScene(QObject* scene);
    [[nodiscard]] int part() const { return m_part; }
    void setPart(int part);
    [[nodiscard]] int vertexCount() const { return m_vertexCount; }

Q_SIGNALS:
    void sceneChanged();
    void partChanged();
    void uploaded();

private:
    void upload();

    QPointer<BuildingScene> m_scene;
    int m_part = BuildingScene::Rooms;
    int m_vertexCount = 0;
    QMetaObject::Connection m_connection;
};

} // namespace twindesk::app
