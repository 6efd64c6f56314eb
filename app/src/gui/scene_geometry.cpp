#include "scene_geometry.h"

namespace twindesk::app {

SceneGeometry::SceneGeometry(QQuick3DObject* parent)
    : QQuick3DGeometry(parent)
{
}

void SceneGeometry::setScene(QObject* scene)
{
    auto* typed = qobject_cast<BuildingScene*>(scene);
    if (typed == m_scene)
        return;
    QObject::disconnect(m_connection);
    m_scene = typed;
    if (m_scene != nullptr)
        m_connection = connect(m_scene, &BuildingScene::geometryChanged, this, [this](int part) {
            if (part == m_part)
                upload();
        });
    Q_EMIT sceneChanged();
    upload();
}

void SceneGeometry::setPart(int part)
{
    if (part == m_part || part < 0 || part >= BuildingScene::PartCount)
        return;
    m_part = part;
    Q_EMIT partChanged();
    upload();
}

void SceneGeometry::upload()
{
    clear();
    const auto part = static_cast<BuildingScene::Part>(m_part);
    // Stride and attributes always (a geometry without a stride divides by zero); an empty
    // part is one degenerate triangle at the origin.
    setStride(BuildingScene::kStride);
    setPrimitiveType(part == BuildingScene::Outline ? PrimitiveType::Lines
                                                    : PrimitiveType::Triangles);
    addAttribute(Attribute::PositionSemantic, 0, Attribute::F32Type);
    addAttribute(Attribute::ColorSemantic, 3 * static_cast<int>(sizeof(float)),
                 Attribute::F32Type);
    if (m_scene != nullptr && !m_scene->vertices(part).isEmpty()) {
        setVertexData(m_scene->vertices(part));
        setBounds(m_scene->boundsMin(part), m_scene->boundsMax(part));
        m_vertexCount = m_scene->vertexCount(part);
    } else {
        const int n = part == BuildingScene::Outline ? 2 : 3;
        setVertexData(QByteArray(BuildingScene::kStride * n, '\0'));
        setBounds({}, {});
        m_vertexCount = 0;
    }
    update();
    Q_EMIT uploaded();
}

} // namespace twindesk::app
