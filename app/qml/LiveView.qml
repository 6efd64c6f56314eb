import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The live connection's alarm list (issue #8 §8): telemetry gaps, stale sensors, unconfirmed
// or dropped commands, bad payloads — newest first, re-read every few seconds so a running
// `twindesk live` shows up here. Presentation only: LiveEventsModel (C++).
ColumnLayout {
    id: view
    required property var model
    /// The live connection (LiveController); null in views that only read a project.
    property var link: null
    /// Requests waiting for a person in this project: highlighted, one click to the queue.
    property int pendingApprovals: 0
    signal showApprovals()
    spacing: 6

    // Connect: broker, topic map (or discovery:PREFIX), policy. The loop is `twindesk live`'s,
    // run on a worker thread; nothing high-impact is applied without an approval.
    Frame {
        objectName: "connectBar"
        visible: view.link !== null
        Layout.fillWidth: true
        Layout.margins: 6
        ColumnLayout {
            anchors.fill: parent
            spacing: 4
            RowLayout {
                Layout.fillWidth: true
                Rectangle {
                    objectName: "stateLamp"
                    width: 12; height: 12; radius: 6
                    color: {
                        const s = view.link ? view.link.state : ""
                        return s === "connected" ? "#2e7d32"
                             : (s === "connecting" || s === "reconnecting" || s === "stopping") ? "#f9a825"
                             : s === "failed" ? "#c62828" : "#9e9e9e"
                    }
                }
                Label {
                    objectName: "stateLabel"
                    text: view.link ? view.link.state : ""
                    font.bold: true
                    Layout.preferredWidth: 100
                }
                TextField {
                    id: brokerField
                    objectName: "brokerField"
                    Layout.preferredWidth: 240
                    placeholderText: "mqtt://127.0.0.1:1883"
                    text: "mqtt://127.0.0.1:1883"
                    enabled: view.link !== null && !view.link.running
                    selectByMouse: true
                }
                TextField {
                    id: mapField
                    objectName: "mapField"
                    Layout.fillWidth: true
                    placeholderText: "topic map file, or discovery:homeassistant"
                    text: "discovery:homeassistant"
                    enabled: view.link !== null && !view.link.running
                    selectByMouse: true
                }
                TextField {
                    id: policyField
                    objectName: "policyField"
                    Layout.preferredWidth: 220
                    placeholderText: "policy, e.g. fixed-schedule"
                    text: "fixed-schedule"
                    enabled: view.link !== null && !view.link.running
                    selectByMouse: true
                }
                Button {
                    objectName: "connectButton"
                    text: view.link && view.link.running ? "Disconnect" : "Connect"
                    enabled: view.link !== null && view.link.state !== "stopping"
                    onClicked: view.link.running ? view.link.disconnectLive()
                                                 : view.link.connectTo(brokerField.text, mapField.text,
                                                                       policyField.text)
                }
            }
            Label {
                objectName: "counters"
                visible: view.link !== null && (view.link.running || view.link.summary !== "")
                text: !view.link ? "" : view.link.running
                      ? view.link.lastFrame + " · " + view.link.messages + " messages, "
                        + view.link.stored + " stored, " + view.link.rejected + " rejected, "
                        + view.link.stalePoints + " stale · " + view.link.decisions + " decisions, "
                        + view.link.applied + " applied, " + view.link.pendingApprovals + " waiting"
                      : view.link.summary
                opacity: 0.8
            }
            Label {
                objectName: "linkError"
                visible: view.link !== null && view.link.error !== ""
                text: view.link ? view.link.error : ""
                color: "#b71c1c"
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }
    }

    // Pending approvals stand out here too: the loop is waiting for a person.
    Rectangle {
        objectName: "pendingBanner"
        visible: view.pendingApprovals > 0
        Layout.fillWidth: true
        Layout.leftMargin: 6
        Layout.rightMargin: 6
        implicitHeight: 32
        color: "#fff7e6"
        border.color: "#f0b44c"
        radius: 4
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            Label {
                Layout.fillWidth: true
                text: view.pendingApprovals + (view.pendingApprovals === 1 ? " action waits" : " actions wait")
                      + " for approval"
                font.bold: true
                color: "#b45309"
            }
            Button {
                objectName: "showApprovals"
                text: "Review…"
                flat: true
                onClicked: view.showApprovals()
            }
        }
    }

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
            objectName: "brokerLabel"
            text: view.model.broker !== "" ? "Broker " + view.model.broker : "Not connected live yet"
            font.bold: true
        }
        Label {
            objectName: "alarmCount"
            Layout.fillWidth: true
            text: view.model.alarms + " alarms · " + view.model.events + " events"
            color: view.model.alarms > 0 ? "#b71c1c" : palette.text
        }
        CheckBox {
            objectName: "alarmsOnly"
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
