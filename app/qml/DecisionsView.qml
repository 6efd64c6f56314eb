import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The decision log (issue #8 §5): every decision the loop logged, filtered by policy, text and
// outcome; the selected row's full record (inputs, guard verdict, approval, latency, hashes)
// beside it. Presentation only: DecisionLogModel (C++) reads and filters.
SplitView {
    id: view
    required property var model
    property int selected: -1

    ColumnLayout {
        SplitView.fillWidth: true
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 6
            ComboBox {
                id: policyBox
                objectName: "policyFilter"
                Layout.preferredWidth: 240
                model: ["All policies"].concat(view.model.policies)
                onActivated: view.model.policyFilter = currentIndex === 0 ? "" : currentText
            }
            TextField {
                objectName: "textFilter"
                Layout.fillWidth: true
                placeholderText: "Filter: target, action, verdict or approval…"
                selectByMouse: true
                onTextChanged: view.model.textFilter = text
            }
            TextField {
                id: fromField
                objectName: "timeFrom"
                Layout.preferredWidth: 150
                placeholderText: "from (UTC)"
                selectByMouse: true
                onEditingFinished: view.model.setTimeRange(fromField.text, toField.text)
            }
            TextField {
                id: toField
                objectName: "timeTo"
                Layout.preferredWidth: 150
                placeholderText: "to (UTC)"
                selectByMouse: true
                onEditingFinished: view.model.setTimeRange(fromField.text, toField.text)
            }
            CheckBox {
                objectName: "appliedOnly"
                text: "Applied only"
                onToggled: view.model.appliedOnly = checked
            }
            Label {
                objectName: "rowCount"
                text: view.model.visibleRows + " of " + view.model.totalRows
                opacity: 0.7
            }
        }

        Label {
            objectName: "timeError"
            visible: view.model.timeError !== ""
            text: view.model.timeError
            color: "#b71c1c"
            Layout.leftMargin: 6
        }

        Label {
            visible: view.model.error !== ""
            text: view.model.error
            color: "#b71c1c"
            Layout.margins: 6
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        HorizontalHeaderView {
            id: header
            syncView: table
            Layout.fillWidth: true
            clip: true
        }

        TableView {
            id: table
            objectName: "decisionTable"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: view.model
            columnSpacing: 1
            rowSpacing: 1
            columnWidthProvider: function (column) {
                return [170, 170, 420, 200, 220, 80][column]
            }
            ScrollBar.vertical: ScrollBar {}
            ScrollBar.horizontal: ScrollBar {}
            delegate: Rectangle {
                required property int row
                required property string display
                implicitHeight: 24
                color: row === view.selected ? "#d6e4f5" : (row % 2 ? "#f6f6f6" : "#ffffff")
                Label {
                    anchors.fill: parent
                    anchors.leftMargin: 6
                    verticalAlignment: Text.AlignVCenter
                    text: parent.display
                    elide: Text.ElideRight
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: view.selected = parent.row
                }
            }
        }
    }

    ScrollView {
        id: detailPane
        SplitView.preferredWidth: 420
        contentWidth: availableWidth
        ColumnLayout {
            width: detailPane.availableWidth
            spacing: 6
            Label {
                objectName: "detailTitle"
                Layout.margins: 12
                text: view.selected >= 0 ? "Decision" : "Select a decision"
                font.bold: true
                font.pixelSize: 15
            }
            Repeater {
                model: {
                    const d = view.selected >= 0 ? view.model.detail(view.selected) : {}
                    return ["seq", "time", "policy", "proposed", "verdict", "approval", "applied",
                            "latency", "inputs", "policyHash", "modelHash", "rowHash"]
                        .filter(k => d[k] !== undefined && d[k] !== "")
                        .map(k => ({ key: k, value: String(d[k]) }))
                }
                delegate: ColumnLayout {
                    required property var modelData
                    objectName: "detail_" + modelData.key
                    property string value: modelData.value
                    Layout.leftMargin: 12
                    Layout.rightMargin: 12
                    spacing: 0
                    Label { text: modelData.key; opacity: 0.6; font.pixelSize: 11 }
                    Label {
                        text: modelData.value
                        wrapMode: Text.WrapAnywhere
                        Layout.preferredWidth: detailPane.availableWidth - 24
                        maximumLineCount: 8
                        elide: Text.ElideRight
                    }
                }
            }
        }
    }
}
