import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The live connection's alarm list (issue #8 §8): telemetry gaps, stale sensors, unconfirmed
// or dropped commands, bad payloads — newest first, re-read every few seconds so a running
// `twindesk live` shows up here. Presentation only: LiveEventsModel (C++).
ColumnLayout {
    id: view
    required property var model
    spacing: 6

    Timer {
        interval: 5000
        running: view.visible
        repeat: true
        onTriggered: view.model.refresh()
    }

    RowLayout {
        Layout.fillWidth: true
        Layout.margins: 6
        Label {
            text: view.model.broker !== "" ? "Broker " + view.model.broker : "Not connected live yet"
            font.bold: true
        }
        Label {
            Layout.fillWidth: true
            text: view.model.alarms + " alarms · " + view.model.events + " events"
            color: view.model.alarms > 0 ? "#b71c1c" : palette.text
        }
        CheckBox {
            text: "Alarms only"
            checked: view.model.alarmsOnly
            onToggled: view.model.alarmsOnly = checked
        }
        Button { text: "Refresh"; onClicked: view.model.refresh() }
    }

    Label {
        visible: view.model.error !== ""
        text: view.model.error
        color: "#b71c1c"
        Layout.leftMargin: 6
    }

    ListView {
        objectName: "alarmList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: view.model
        ScrollBar.vertical: ScrollBar {}
        delegate: Rectangle {
            id: item
            required property string time
            required property string kind
            required property string subject
            required property string detail
            required property bool alarm
            width: ListView.view.width
            height: 44
            color: alarm ? "#fdecea" : "transparent"
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                spacing: 10
                Label { text: item.time; Layout.preferredWidth: 170; opacity: 0.7 }
                Label {
                    text: item.kind
                    Layout.preferredWidth: 170
                    font.bold: item.alarm
                    color: item.alarm ? "#b71c1c" : palette.text
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 0
                    Label { text: item.subject; elide: Text.ElideMiddle; Layout.fillWidth: true }
                    Label {
                        text: item.detail
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                        opacity: 0.7
                        font.pixelSize: 11
                    }
                }
            }
        }
    }
}
