import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Stored sweeps (issue #9 §3): the sweeps `twindesk sweep --store ... --sweep-name NAME` wrote
// into the project's store (the project file or the shared PostgreSQL store, e.g. from the pods
// of a Kubernetes sweep), and the chosen one's variants side by side with their KPIs; the lowest
// value of each column is shaded. Presentation only: WhatIfController (C++) reads the store.
ColumnLayout {
    id: stored
    required property var controller
    /// A stored variant was opened in the base-vs-variant comparison.
    signal variantOpened()
    readonly property color bestFill: "#c8e6c9"
    // The KPI columns share the width the index and run columns leave.
    readonly property real runWidth: 200
    readonly property real columnWidth: Math.max(
        72, (width - 16 - 76 - 32 - runWidth) / Math.max(1, controller.storedColumns.length))
    spacing: 6

    function number(v) {
        if (v === undefined || v === null || isNaN(v))
            return "—"
        if (Number.isInteger(v))
            return v.toString()
        return v.toFixed(Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 1 ? 2 : 4)
    }

    RowLayout {
        Layout.margins: 8
        Layout.bottomMargin: 0
        Label { text: "Sweep"; font.bold: true }
        ComboBox {
            id: sweepBox
            objectName: "storedSweepBox"
            Layout.preferredWidth: 360
            model: stored.controller.storedSweeps.map(
                       s => s.name + "  (" + s.stored + " of " + s.variants + ")")
            currentIndex: stored.controller.storedSweeps.findIndex(
                              s => s.name === stored.controller.storedSweep)
            displayText: currentIndex < 0 ? (count === 0 ? "no stored sweeps" : "choose a sweep")
                                          : currentText
            onActivated: index => stored.controller.showStoredSweep(
                             stored.controller.storedSweeps[index].name)
        }
        Button {
            objectName: "refreshStoredSweeps"
            text: "Refresh"
            onClicked: stored.controller.refreshStoredSweeps()
        }
        Label {
            objectName: "storeLocation"
            text: stored.controller.storeLocation
            opacity: 0.6
            elide: Text.ElideMiddle
            Layout.fillWidth: true
        }
    }
    Label {
        objectName: "storedError"
        visible: text !== ""
        text: stored.controller.storedError
        color: "#b71c1c"
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Layout.leftMargin: 8
        Layout.rightMargin: 8
    }
    Label {
        objectName: "storedMissing"
        readonly property var missing: stored.controller.storedMissing
        visible: missing.length > 0
        text: "missing " + missing.length + " of "
              + (missing.length + stored.controller.storedRows.length)
              + " variants (still running, or failed): " + missing.slice(0, 20).join(", ")
              + (missing.length > 20 ? ", …" : "")
        color: "#8d6e00"
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Layout.leftMargin: 8
    }

    // The variants: # | run | one column per KPI.
    RowLayout {
        Layout.leftMargin: 8
        Layout.rightMargin: 8
        spacing: 0
        visible: stored.controller.storedRows.length > 0
        Label { text: ""; Layout.preferredWidth: 76 }
        Label { text: "#"; font.bold: true; Layout.preferredWidth: 32 }
        Label { text: "run"; font.bold: true; Layout.preferredWidth: stored.runWidth }
        Repeater {
            model: stored.controller.storedColumns
            // Name over unit, so narrow columns keep both readable.
            delegate: Label {
                required property var modelData
                text: modelData.name + "\n" + (modelData.unit !== "" ? modelData.unit : " ")
                font.bold: true
                horizontalAlignment: Text.AlignRight
                Layout.preferredWidth: stored.columnWidth
                rightPadding: 6
                leftPadding: 4
                clip: true
            }
        }
        Item { Layout.fillWidth: true }
    }
    ListView {
        objectName: "storedTable"
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.leftMargin: 8
        Layout.rightMargin: 8
        clip: true
        model: stored.controller.storedRows
        ScrollBar.vertical: ScrollBar {}
        delegate: Rectangle {
            id: variantRow
            required property var modelData
            required property int index
            width: ListView.view.width
            height: 24
            color: index % 2 === 0 ? "transparent" : "#f3f3f3"
            Row {
                anchors.fill: parent
                // Base vs this variant, run side by side in the comparison tab.
                Button {
                    objectName: "compareVariant" + variantRow.modelData.index
                    width: 72; height: parent.height - 2
                    anchors.verticalCenter: parent.verticalCenter
                    text: "Compare"
                    flat: true
                    onClicked: if (stored.controller.compareStoredVariant(variantRow.modelData.index))
                                   stored.variantOpened()
                }
                Item { width: 4; height: 1 }
                Label {
                    width: 32; height: parent.height
                    verticalAlignment: Text.AlignVCenter
                    text: variantRow.modelData.index
                    opacity: 0.7
                }
                Label {
                    // The varied values are at the end of the label: elide its middle.
                    width: stored.runWidth; height: parent.height
                    verticalAlignment: Text.AlignVCenter
                    text: variantRow.modelData.label
                    elide: Text.ElideMiddle
                    rightPadding: 6
                }
                Label {
                    visible: !variantRow.modelData.ok
                    height: parent.height
                    verticalAlignment: Text.AlignVCenter
                    text: "FAILED: " + variantRow.modelData.error
                    color: "#b71c1c"
                }
                Repeater {
                    model: variantRow.modelData.ok ? variantRow.modelData.values : []
                    delegate: Rectangle {
                        required property var modelData
                        required property int index
                        width: stored.columnWidth; height: variantRow.height
                        color: variantRow.modelData.best[index] ? stored.bestFill : "transparent"
                        Label {
                            anchors.fill: parent
                            verticalAlignment: Text.AlignVCenter
                            horizontalAlignment: Text.AlignRight
                            rightPadding: 6
                            text: stored.number(parent.modelData)
                        }
                    }
                }
            }
        }
    }
    Label {
        Layout.leftMargin: 8
        Layout.bottomMargin: 8
        visible: stored.controller.storedRows.length === 0 && stored.controller.storedError === ""
        text: stored.controller.storedSweeps.length === 0
              ? "No stored sweeps. `twindesk sweep ... --store URL --sweep-name NAME` writes one "
                + "(docs/packaging.md)."
              : "Choose a sweep."
        opacity: 0.6
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
}
