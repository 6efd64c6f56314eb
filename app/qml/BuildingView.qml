import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick3D
import TwinDesk

// The 3D building (issue #8 §2): floors as slabs, rooms as extruded footprints coloured by a
// metric, equipment and hosts as markers. Left drag orbits, right (or shift) drag pans, the
// wheel zooms, a click selects (in sync with the tree). Geometry and colours come from the
// BuildingScene view model; this file only presents and forwards input.
Item {
    id: view
    objectName: "buildingView"
    required property var scene
    signal picked(int entity)

    property real yaw: -40
    property real pitch: -32
    property real distance: fitDistance()
    property vector3d target: scene.centre
    property string hoverText: ""

    // The camera distance at which the whole building (its bounding sphere) fits the view.
    function fitDistance() {
        const aspect = Math.max(0.2, width / Math.max(1, height))
        const v = 40 * Math.PI / 180
        const h = 2 * Math.atan(Math.tan(v / 2) * aspect)
        return Math.max(10, view.scene.extent / Math.sin(Math.min(v, h) / 2))
    }

    function resetView() {
        yaw = -40
        pitch = -32
        distance = Qt.binding(fitDistance)
        target = Qt.binding(() => view.scene.centre)
    }

    function rayAt(x, y) {
        const o = camera.mapFromViewport(Qt.vector3d(x / width, y / height, 0))
        const f = camera.mapFromViewport(Qt.vector3d(x / width, y / height, 1))
        return { origin: o, direction: f.minus(o) }
    }

    function pickAt(x, y) {
        const ray = rayAt(x, y)
        return view.scene.pick(ray.origin, ray.direction)
    }

    View3D {
        id: view3d
        objectName: "buildingView3d"
        anchors.fill: parent
        camera: camera
        environment: SceneEnvironment {
            backgroundMode: SceneEnvironment.Color
            clearColor: "#e9edf1"
            antialiasingMode: SceneEnvironment.NoAA
            // Colours are baked into the vertices and drawn as they are.
            tonemapMode: SceneEnvironment.TonemapModeNone
        }

        Node {
            id: orbit
            position: view.target
            eulerRotation: Qt.vector3d(view.pitch, view.yaw, 0)
            PerspectiveCamera {
                id: camera
                z: view.distance
                clipNear: 0.2
                clipFar: Math.max(2000, view.distance * 8)
                fieldOfView: 40
            }
        }

        // Closed prisms wound outwards: back faces culled (half the fill on software GL).
        DefaultMaterial {
            id: flat
            vertexColorsEnabled: true
            lighting: DefaultMaterial.NoLighting
            cullMode: Material.BackFaceCulling
        }
        DefaultMaterial {
            id: flatTwoSided
            vertexColorsEnabled: true
            lighting: DefaultMaterial.NoLighting
            cullMode: Material.NoCulling
        }

        Model {
            objectName: "slabs"
            geometry: SceneGeometry { scene: view.scene; part: 1 }
            materials: [flat]
        }
        Model {
            objectName: "rooms"
            geometry: SceneGeometry { id: roomGeometry; scene: view.scene; part: 0 }
            materials: [flat]
        }
        Model {
            objectName: "markers"
            geometry: SceneGeometry { scene: view.scene; part: 2 }
            materials: [flat]
        }
        Model {
            objectName: "selection"
            geometry: SceneGeometry { scene: view.scene; part: 3 }
            materials: [flatTwoSided]
        }
        Model {
            objectName: "outline"
            geometry: SceneGeometry { scene: view.scene; part: 4 }
            materials: [flatTwoSided]
        }
    }

    // Orbit (left drag), pan (right/middle drag or shift + left), zoom (wheel), select (click).
    DragHandler {
        id: orbitDrag
        target: null
        acceptedButtons: Qt.LeftButton
        acceptedModifiers: Qt.NoModifier
        property real startYaw: 0
        property real startPitch: 0
        onActiveChanged: {
            if (active) {
                startYaw = view.yaw
                startPitch = view.pitch
            }
        }
        onTranslationChanged: {
            view.yaw = startYaw - translation.x * 0.3
            view.pitch = Math.max(-89, Math.min(-3, startPitch - translation.y * 0.3))
        }
    }
    DragHandler {
        id: panDrag
        target: null
        acceptedButtons: Qt.RightButton | Qt.MiddleButton | Qt.LeftButton
        acceptedModifiers: Qt.ShiftModifier
        property vector3d startTarget
        onActiveChanged: {
            if (active)
                startTarget = view.target
        }
        onTranslationChanged: {
            const k = view.distance / Math.max(1, view.height) * 0.8
            view.target = startTarget.minus(camera.right.times(translation.x * k))
                                     .plus(camera.up.times(translation.y * k))
        }
    }
    DragHandler {
        target: null
        acceptedButtons: Qt.RightButton | Qt.MiddleButton
        acceptedModifiers: Qt.NoModifier
        property vector3d startTarget
        onActiveChanged: {
            if (active)
                startTarget = view.target
        }
        onTranslationChanged: {
            const k = view.distance / Math.max(1, view.height) * 0.8
            view.target = startTarget.minus(camera.right.times(translation.x * k))
                                     .plus(camera.up.times(translation.y * k))
        }
    }
    WheelHandler {
        onWheel: (event) => {
            const d = view.distance * Math.pow(0.9985, event.angleDelta.y)
            view.distance = Math.max(2, Math.min(view.scene.extent * 12 + 50, d))
        }
    }
    TapHandler {
        onTapped: (eventPoint) => view.picked(view.pickAt(eventPoint.position.x, eventPoint.position.y))
    }
    HoverHandler {
        id: hover
        onPointChanged: {
            const e = view.pickAt(point.position.x, point.position.y)
            if (e < 0) {
                view.hoverText = ""
                return
            }
            const d = view.scene.describe(e)
            view.hoverText = d.name + " · " + d.value
        }
    }

    // Hover label.
    Rectangle {
        visible: view.hoverText !== "" && hover.hovered
        x: Math.min(view.width - width - 4, hover.point.position.x + 14)
        y: Math.max(4, hover.point.position.y - 28)
        width: hoverLabel.implicitWidth + 12
        height: hoverLabel.implicitHeight + 8
        radius: 3
        color: "#f0303841"
        Label {
            id: hoverLabel
            anchors.centerIn: parent
            text: view.hoverText
            color: "white"
        }
    }

    // The view's controls.
    Pane {
        objectName: "buildingControls"
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.margins: 8
        padding: 6
        opacity: 0.94
        contentWidth: Math.min(640, view.width - 28)
        Flow {
            width: parent.width
            spacing: 6
            ComboBox {
                id: metricBox
                objectName: "metricBox"
                model: [
                    { value: "temperature", text: "Temperature" },
                    { value: "co2", text: "CO₂" },
                    { value: "occupancy", text: "Occupancy" },
                    { value: "power", text: "Power" },
                    { value: "cpu", text: "Host CPU" }
                ]
                textRole: "text"
                valueRole: "value"
                implicitContentWidthPolicy: ComboBox.WidestText
                Component.onCompleted: currentIndex = indexOfValue(view.scene.metric)
                onActivated: view.scene.metric = currentValue
                Connections {
                    target: view.scene
                    function onMetricChanged() { metricBox.currentIndex = metricBox.indexOfValue(view.scene.metric) }
                }
            }
            ComboBox {
                id: floorBox
                objectName: "floorBox"
                model: ["All floors"].concat(view.scene.floorNames)
                implicitContentWidthPolicy: ComboBox.WidestText
                currentIndex: view.scene.isolatedFloor + 1
                onActivated: (index) => view.scene.isolatedFloor = index - 1
            }
            Label { text: "Explode"; height: metricBox.height; verticalAlignment: Text.AlignVCenter }
            Slider {
                objectName: "explodeSlider"
                from: 0
                to: 2
                value: view.scene.explode
                implicitWidth: 110
                onMoved: view.scene.explode = value
            }
            Button {
                text: "Reset view"
                onClicked: view.resetView()
            }
        }
    }

    // Legend.
    Pane {
        objectName: "legend"
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: 8
        padding: 8
        opacity: 0.96
        ColumnLayout {
            spacing: 3
            Label {
                text: view.scene.metricLabel
                font.bold: true
            }
            Repeater {
                model: view.scene.legend
                delegate: RowLayout {
                    required property var modelData
                    spacing: 6
                    Rectangle {
                        implicitWidth: 22
                        implicitHeight: 14
                        color: modelData.colour
                        border.color: "#60000000"
                        border.width: 1
                    }
                    Label { text: modelData.label }
                }
            }
            Label {
                text: view.scene.roomsWithData + " of " + view.scene.roomCount + " rooms with data"
                opacity: 0.7
                font.pixelSize: 11
            }
            Label {
                text: view.scene.valuesLabel
                opacity: 0.7
                font.pixelSize: 11
            }
        }
    }

    // The selection.
    Label {
        anchors.left: parent.left
        anchors.bottom: parent.bottom
        anchors.margins: 10
        visible: text !== ""
        text: view.scene.selectionText
        font.pixelSize: 14
        font.bold: true
        color: "#00606f"
    }
}
