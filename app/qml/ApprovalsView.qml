import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The approvals queue (issue #8 §5): what a control loop holds back for a person. Approve or
// reject under your name; a running loop (twindesk live, a simulation with approvals) picks
// the decision up at its next poll. Re-read every few seconds. Presentation only:
// ApprovalsModel (C++) reads and writes the project's approvals table.
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
        Label { text: "Approving as" }
        TextField {
            objectName: "approverName"
            text: view.model.user
            placeholderText: "your name"
            Layout.preferredWidth: 200
            onEditingFinished: view.model.user = text
        }
        Label {
            objectName: "pendingLabel"
            Layout.fillWidth: true
            text: view.model.pending + " pending"
            font.bold: view.model.pending > 0
            color: view.model.pending > 0 ? "#b45309" : palette.text
        }
        Button { text: "Refresh"; onClicked: view.model.refresh() }
    }

    Label {
        objectName: "errorLabel"
        visible: view.model.error !== ""
        text: view.model.error
        color: "#b71c1c"
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Layout.leftMargin: 6
    }

    ListView {
        id: list
        objectName: "approvalList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 4
        model: view.model
        ScrollBar.vertical: ScrollBar {}
        delegate: Frame {
            id: card
            objectName: "card_" + requestId
            required property var requestId
            required property string action
            required property string reason
            required property string policy
            required property string requested
            required property string expires
            required property string status
            required property string decidedBy
            width: ListView.view.width - 12
            x: 6
            background: Rectangle {
                color: card.status === "pending" ? "#fff7e6" : "#f7f7f7"
                border.color: card.status === "pending" ? "#f0b44c" : "#dddddd"
                radius: 4
            }
            RowLayout {
                anchors.fill: parent
                spacing: 10
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2
                    Label {
                        text: "#" + card.requestId + "  " + card.action
                        font.bold: true
                        elide: Text.ElideMiddle
                        Layout.fillWidth: true
                    }
                    Label {
                        text: card.reason
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                        opacity: 0.8
                    }
                    Label {
                        text: card.policy + " · requested " + card.requested + " · expires "
                              + card.expires
                        opacity: 0.6
                        font.pixelSize: 11
                    }
                }
                Label {
                    objectName: "statusLabel"
                    visible: card.status !== "pending"
                    text: card.status + (card.decidedBy !== "" ? " by " + card.decidedBy : "")
                    opacity: 0.7
                }
                TextField {
                    id: note
                    objectName: "noteField"
                    visible: card.status === "pending"
                    placeholderText: "note / reason"
                    Layout.preferredWidth: 180
                }
                Button {
                    visible: card.status === "pending"
                    objectName: "approveButton"
                    text: "Approve"
                    onClicked: view.model.approve(card.requestId, note.text)
                }
                Button {
                    visible: card.status === "pending"
                    objectName: "rejectButton"
                    text: "Reject"
                    onClicked: view.model.reject(card.requestId, note.text)
                }
            }
        }
    }
}
