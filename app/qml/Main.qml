import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import TwinDesk

ApplicationWindow {
    id: root
    required property TwinTreeModel twinModel
    required property var decisionModel
    required property var approvalsModel
    required property var liveModel
    required property var liveLink
    required property var trendModel
    required property var simulation
    required property var whatIf
    required property var replay
    required property var scenarios
    required property var initialTrends
    required property int initialView
    required property string projectPath
    required property string appVersion
    required property var buildingScene
    required property var session
    required property var dialogs
    property int selectedRow: -1

    // The selection is one entity, shown in the tree, the 3D view and the property panel.
    onSelectedRowChanged: buildingScene.selectedEntity = twinModel.entityOfRow(selectedRow)

    function selectEntity(entity) {
        if (entity < 0)
            return
        const row = twinModel.reveal(entity)
        if (row >= 0) {
            selectedRow = row
            tree.positionViewAtIndex(row, ListView.Center)
        }
    }

    width: 1280
    height: 800
    visible: true
    title: "TwinDesk — " + projectPath

    palette.highlight: "#2f6fb0"

    menuBar: MenuBar {
        Menu {
            title: qsTr("&File")
            Action {
                text: qsTr("&Open project…")
                shortcut: StandardKey.Open
                onTriggered: {
                    const f = root.dialogs.openFile(qsTr("Open a TwinDesk project"),
                                                    qsTr("TwinDesk projects (*.twin);;All files (*)"))
                    if (f !== "")
                        root.session.open(f)
                }
            }
            Action {
                text: qsTr("&New project from a Brick model…")
                shortcut: "Ctrl+I"
                onTriggered: {
                    const ttl = root.dialogs.openFile(qsTr("Import a Brick model"),
                                                      qsTr("Brick Turtle (*.ttl);;All files (*)"))
                    if (ttl === "")
                        return
                    const out = root.dialogs.saveFile(qsTr("Create the project"),
                                                      qsTr("TwinDesk projects (*.twin)"),
                                                      ttl.replace(/\.ttl$/, "") + ".twin")
                    if (out !== "")
                        root.session.importBrick(ttl, out, true)
                }
            }
            Menu {
                id: recentMenu
                title: qsTr("Open &recent")
                enabled: root.session.recent.length > 0
                Instantiator {
                    model: root.session.recent
                    delegate: MenuItem {
                        required property string modelData
                        required property int index
                        text: (index < 9 ? "&" + (index + 1) + "  " : "") + modelData
                        onTriggered: root.session.open(modelData)
                    }
                    onObjectAdded: (index, object) => recentMenu.insertItem(index, object)
                    onObjectRemoved: (index, object) => recentMenu.removeItem(object)
                }
                MenuSeparator {}
                Action {
                    text: qsTr("Clear the list")
                    onTriggered: root.session.clearRecent()
                }
            }
            MenuSeparator {}
            Action {
                text: qsTr("&Quit")
                shortcut: StandardKey.Quit
                onTriggered: Qt.quit()
            }
        }
        Menu {
            title: qsTr("&View")
            Repeater {
                model: [qsTr("&Twin and 3D"), qsTr("&Decisions"), qsTr("&Approvals"), qsTr("T&rends"),
                        qsTr("&Simulation"), qsTr("Re&play"), qsTr("&Live"), qsTr("&What-if")]
                delegate: MenuItem {
                    required property string modelData
                    required property int index
                    text: modelData + "\tCtrl+" + (index + 1)
                    onTriggered: viewTabs.currentIndex = index
                }
            }
            MenuSeparator {}
            Action {
                text: qsTr("&Find entity")
                shortcut: StandardKey.Find
                onTriggered: {
                    viewTabs.currentIndex = 0
                    searchField.forceActiveFocus()
                    searchField.selectAll()
                }
            }
            Action {
                text: qsTr("Reset the 3D view")
                shortcut: "Ctrl+R"
                onTriggered: building.resetView()
            }
        }
        Menu {
            title: qsTr("&Help")
            Action {
                text: qsTr("&About TwinDesk")
                onTriggered: aboutDialog.open()
            }
        }
    }

    // Ctrl+1 … Ctrl+8 switch views; Escape clears the selection.
    Repeater {
        model: 8
        Item {
            required property int index
            Shortcut {
                sequence: "Ctrl+" + (index + 1)
                onActivated: viewTabs.currentIndex = index
            }
        }
    }
    Shortcut {
        sequence: "Escape"
        onActivated: root.selectedRow = -1
    }

    Dialog {
        id: aboutDialog
        title: qsTr("About TwinDesk")
        anchors.centerIn: parent
        modal: true
        standardButtons: Dialog.Ok
        Label {
            text: "TwinDesk " + root.appVersion +
                  "\nA desktop digital-twin simulator and control console." +
                  "\nProject: " + root.projectPath
        }
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 10
            anchors.rightMargin: 10
            Label {
                text: "TwinDesk"
                font.bold: true
                font.pixelSize: 16
            }
            Label {
                text: root.twinModel.summary
                elide: Text.ElideRight
                Layout.fillWidth: true
                opacity: 0.8
            }
            Label { text: "v" + root.appVersion; opacity: 0.6 }
        }
    }

    footer: ToolBar {
        Label {
            anchors.verticalCenter: parent.verticalCenter
            x: 10
            text: root.twinModel.entityCount + " entities · " + root.projectPath
            opacity: 0.7
        }
    }

    Rectangle {
        id: errorBanner
        objectName: "errorBanner"
        visible: root.session.error !== ""
        width: parent.width
        height: visible ? errorText.implicitHeight + 12 : 0
        z: 2
        color: "#fdecea"
        Label {
            id: errorText
            anchors.verticalCenter: parent.verticalCenter
            x: 10
            width: parent.width - 60
            wrapMode: Text.Wrap
            text: root.session.error
            color: "#8a1c12"
        }
    }

    TabBar {
        id: viewTabs
        anchors.top: errorBanner.bottom
        width: parent.width
        currentIndex: root.initialView
        TabButton { text: "Twin"; width: implicitWidth + 24 }
        TabButton {
            objectName: "decisionsTab"
            text: "Decisions (" + root.decisionModel.totalRows + ")"
            width: implicitWidth + 24
        }
        TabButton {
            objectName: "approvalsTab"
            // Pending approvals stand out wherever the operator is.
            text: "Approvals" + (root.approvalsModel.pending > 0
                                 ? " (" + root.approvalsModel.pending + " pending)" : "")
            font.bold: root.approvalsModel.pending > 0
            width: implicitWidth + 24
        }
        TabButton { text: "Trends"; width: implicitWidth + 24 }
        TabButton { text: "Simulation"; width: implicitWidth + 24 }
        TabButton { objectName: "replayTab"; text: "Replay"; width: implicitWidth + 24 }
        TabButton {
            objectName: "liveTab"
            text: "Live" + (root.liveLink.running ? " ●" : "")
                  + (root.liveModel.alarms > 0 ? " (" + root.liveModel.alarms + " alarms)" : "")
            font.bold: root.liveModel.alarms > 0
            width: implicitWidth + 24
        }
        TabButton { objectName: "whatIfTab"; text: "What-if"; width: implicitWidth + 24 }
    }

    StackLayout {
        anchors.top: viewTabs.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        currentIndex: viewTabs.currentIndex

    SplitView {

        ColumnLayout {
            SplitView.preferredWidth: 300
            SplitView.minimumWidth: 220
            spacing: 4

            TextField {
                id: searchField
                Layout.fillWidth: true
                Layout.margins: 6
                placeholderText: "Search entities (name or id)…"
                selectByMouse: true
                onTextChanged: searchResults.model = root.twinModel.search(text)
                Keys.onEscapePressed: text = ""
            }

            ListView {
                id: searchResults
                visible: searchField.text.length > 0
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(contentHeight, 220)
                clip: true
                model: []
                delegate: ItemDelegate {
                    width: ListView.view.width
                    text: modelData.name + "  ·  " + modelData.kind
                    onClicked: {
                        const row = root.twinModel.reveal(modelData.entity)
                        searchField.text = ""
                        if (row >= 0) {
                            root.selectedRow = row
                            tree.positionViewAtIndex(row, ListView.Center)
                        }
                    }
                }
            }

            ListView {
                id: tree
                objectName: "twinTree"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: root.twinModel
                currentIndex: root.selectedRow
                ScrollBar.vertical: ScrollBar {}
                delegate: ItemDelegate {
                    id: rowDelegate
                    required property int index
                    required property string name
                    required property string kind
                    required property string subtype
                    required property int depth
                    required property bool hasChildren
                    required property bool expanded
                    required property int pointCount
                    width: ListView.view.width
                    height: 26
                    highlighted: index === root.selectedRow
                    onClicked: root.selectedRow = index
                    onDoubleClicked: root.twinModel.toggle(index)
                    contentItem: RowLayout {
                        spacing: 6
                        Item { Layout.preferredWidth: rowDelegate.depth * 16 }
                        Label {
                            Layout.preferredWidth: 14
                            text: rowDelegate.hasChildren ? (rowDelegate.expanded ? "▾" : "▸") : ""
                            MouseArea {
                                anchors.fill: parent
                                onClicked: root.twinModel.toggle(rowDelegate.index)
                            }
                        }
                        Rectangle {
                            Layout.preferredWidth: 10
                            Layout.preferredHeight: 10
                            radius: 2
                            color: ({ site: "#6d4c41", building: "#455a64", floor: "#5c6bc0",
                                      room: "#26a69a", zone: "#9ccc65", equipment: "#ef6c00",
                                      workload: "#ab47bc", point: "#8d8d8d", other: "#bdbdbd" })[rowDelegate.kind]
                        }
                        Label {
                            text: rowDelegate.name
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Label {
                            text: rowDelegate.subtype !== "" && rowDelegate.subtype !== "unknown"
                                  ? rowDelegate.subtype : rowDelegate.kind
                            opacity: 0.55
                            font.pixelSize: 11
                        }
                        Label {
                            visible: rowDelegate.pointCount > 0
                            text: rowDelegate.pointCount + " pts"
                            opacity: 0.55
                            font.pixelSize: 11
                        }
                    }
                }
            }
        }

        BuildingView {
            id: building
            scene: root.buildingScene
            SplitView.fillWidth: true
            SplitView.minimumWidth: 300
            onPicked: (entity) => root.selectEntity(entity)
        }

        ScrollView {
            id: detailPane
            SplitView.preferredWidth: 320
            SplitView.minimumWidth: 220
            contentWidth: availableWidth
            ColumnLayout {
                width: detailPane.availableWidth
                spacing: 8
                Label {
                    Layout.margins: 12
                    text: root.selectedRow >= 0 ? "Properties" : "Select an entity in the tree"
                    font.bold: true
                    font.pixelSize: 15
                }
                Repeater {
                    model: root.selectedRow >= 0 ? root.twinModel.properties(root.selectedRow) : []
                    delegate: RowLayout {
                        required property var modelData
                        Layout.leftMargin: 12
                        Layout.rightMargin: 12
                        Label {
                            text: modelData.key
                            Layout.preferredWidth: 110
                            opacity: 0.65
                        }
                        Label {
                            text: modelData.value
                            Layout.fillWidth: true
                            elide: Text.ElideMiddle
                        }
                    }
                }
                Label {
                    Layout.margins: 12
                    visible: pointRepeater.count > 0
                    text: "Points (" + pointRepeater.count + ")"
                    font.bold: true
                    font.pixelSize: 15
                }
                Repeater {
                    id: pointRepeater
                    model: root.selectedRow >= 0 ? root.twinModel.points(root.selectedRow) : []
                    delegate: RowLayout {
                        required property var modelData
                        Layout.leftMargin: 12
                        Layout.rightMargin: 12
                        Label { text: modelData.name; Layout.fillWidth: true; elide: Text.ElideRight }
                        Label { text: modelData.type; Layout.preferredWidth: 64; opacity: 0.65 }
                        Label { text: modelData.unit; Layout.preferredWidth: 44 }
                    }
                }
            }
        }
    }

    DecisionsView {
        model: root.decisionModel
    }

    ApprovalsView {
        model: root.approvalsModel
    }

    TrendsView {
        id: trends
        model: root.trendModel
        Component.onCompleted: {
            for (const p of root.initialTrends)
                trends.choose(p)
        }
    }

    SimulationView {
        controller: root.simulation
        scenarios: root.scenarios
    }

    ReplayView {
        controller: root.replay
        scene: root.buildingScene
        dialogs: root.dialogs
    }

    LiveView {
        model: root.liveModel
        link: root.liveLink
        pendingApprovals: root.approvalsModel.pending
        onShowApprovals: viewTabs.currentIndex = 2
    }

    WhatIfView {
        controller: root.whatIf
        scenarios: root.scenarios
    }
    }
}
