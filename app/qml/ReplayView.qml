import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts

// Replay (issue #8 §6): a timeline scrubber over a recording. At the scrubber's position the 3D
// building (here and in the Twin tab), the value panel and the charts' cursor show the state
// then; the recorded decisions nearby are listed. A candidate policy replayed over the same
// frames is set against the recorded decisions round by round (the first divergence marked),
// and the validation gate runs with its report one click away. Presentation only:
// ReplayController (C++) reads the recording and runs the work on a worker thread.
SplitView {
    id: view
    required property var controller
    required property var scene
    required property var dialogs
    readonly property var colours: ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"]
    readonly property color divergeFill: "#ffcdd2"
    readonly property color firstFill: "#ef9a9a"

    // A round's actions, at most three lines (targets by local name), "+ N more" after.
    function shortActions(text) {
        const lines = text.split("\n").map(l => l.replace(/target=\S*#/, ""))
        return lines.length <= 3 ? lines.join("\n")
                                 : lines.slice(0, 3).join("\n") + "\n+ " + (lines.length - 3) + " more"
    }
    function percent(v) {
        return v === undefined || isNaN(v) ? "—" : (100 * v).toFixed(1) + " %"
    }
    function redraw() {
        chart.removeAllSeries()
        const c = view.controller
        if (!c.ready)
            return
        let lo = Infinity, hi = -Infinity
        for (let i = 0; i < c.chartPoints.length; ++i) {
            const s = chart.createSeries(ChartView.SeriesTypeLine, c.pointName(c.chartPoints[i]),
                                         xAxis, yAxis)
            s.color = view.colours[i]
            s.width = 2
            for (const p of c.series(c.chartPoints[i], 1500)) {
                s.append(p.x, p.y)
                lo = Math.min(lo, p.y)
                hi = Math.max(hi, p.y)
            }
        }
        xAxis.min = new Date(c.startMs)
        xAxis.max = new Date(c.endMs)
        if (lo <= hi) {
            const pad = Math.max(0.5, (hi - lo) * 0.05)
            yAxis.min = lo - pad
            yAxis.max = hi + pad
        }
        cursor = chart.createSeries(ChartView.SeriesTypeLine, "position", xAxis, yAxis)
        cursor.color = "#333333"
        cursor.width = 1
        moveCursor()
    }
    property var cursor: null
    function moveCursor() {
        if (cursor === null)
            return
        cursor.clear()
        cursor.append(view.controller.position, yAxis.min)
        cursor.append(view.controller.position, yAxis.max)
    }

    Connections {
        target: view.controller
        function onOpened() { view.redraw() }
        function onChartPointsChanged() { view.redraw() }
        function onPositionChanged() { view.moveCursor() }
        function onCandidateChanged() { candidateBox.editText = view.controller.candidate }
    }
    Component.onCompleted: {
        redraw()
        if (visible)
            view.controller.openDefault()
        view.controller.setSceneFollows(visible)
    }
    // The project is opened as a recording when the view is first shown (if it is one); the 3D
    // building follows the scrubber while this view is shown.
    onVisibleChanged: {
        if (!view.controller)
            return
        if (visible)
            view.controller.openDefault()
        view.controller.setSceneFollows(visible)
    }

    // Left: the timeline, the state at the position (3D, values, charts), decisions nearby.
    ColumnLayout {
        SplitView.fillWidth: true
        SplitView.minimumWidth: 480
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 6
            Button {
                text: "Open recording…"
                onClicked: {
                    const f = view.dialogs.openFile(qsTr("Open a recording"),
                                                    qsTr("TwinDesk results (*.twin);;All files (*)"))
                    if (f !== "")
                        view.controller.open(f)
                }
            }
            Label {
                Layout.fillWidth: true
                elide: Text.ElideMiddle
                text: view.controller.ready
                      ? view.controller.recordingPath + " · " + view.controller.frameCount +
                        " frames · " + view.controller.recordedDecisions + " recorded actions · policy " +
                        view.controller.recordedPolicy
                      : "No recording: open a results file of `twindesk simulate --out` with a policy"
                opacity: 0.75
            }
        }
        Label {
            objectName: "replayError"
            Layout.fillWidth: true
            Layout.leftMargin: 6
            visible: view.controller.error !== ""
            text: view.controller.error
            color: "#8a1c12"
            wrapMode: Text.Wrap
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 6
            Layout.rightMargin: 6
            enabled: view.controller.ready
            ToolButton { text: "◀"; onClicked: view.controller.step(-1); ToolTip.text: "Previous frame"; ToolTip.visible: hovered }
            Slider {
                id: scrubber
                objectName: "replayScrubber"
                Layout.fillWidth: true
                from: view.controller.startMs
                to: Math.max(view.controller.endMs, view.controller.startMs + 1)
                value: view.controller.position
                onMoved: view.controller.position = value
            }
            ToolButton { text: "▶"; onClicked: view.controller.step(1); ToolTip.text: "Next frame"; ToolTip.visible: hovered }
            Label {
                objectName: "replayPosition"
                text: view.controller.positionText + "  (frame " + (view.controller.frame + 1) + ")"
                font.family: "monospace"
            }
        }

        SplitView {
            orientation: Qt.Vertical
            Layout.fillWidth: true
            Layout.fillHeight: true

            RowLayout {
                SplitView.preferredHeight: 300
                spacing: 4
                BuildingView {
                    id: miniBuilding
                    scene: view.scene
                    Layout.preferredWidth: 340
                    Layout.fillHeight: true
                    visible: view.controller.ready
                }
                ChartView {
                    id: chart
                    objectName: "replayChart"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    antialiasing: true
                    legend.alignment: Qt.AlignBottom
                    DateTimeAxis { id: xAxis; format: "MM-dd hh:mm"; tickCount: 4 }
                    ValueAxis { id: yAxis }
                    MouseArea {
                        // A click on the chart moves the scrubber there.
                        anchors.fill: parent
                        onClicked: mouse => {
                            const p = chart.mapToValue(Qt.point(mouse.x, mouse.y), chart.series(0))
                            view.controller.position = p.x
                        }
                    }
                }
            }

            RowLayout {
                SplitView.fillHeight: true
                spacing: 8
                ColumnLayout {
                    Layout.preferredWidth: 300
                    Layout.fillHeight: true
                    Label { text: "At the position"; font.bold: true; Layout.leftMargin: 6 }
                    Repeater {
                        model: view.controller.values
                        delegate: RowLayout {
                            required property var modelData
                            required property int index
                            Layout.leftMargin: 6
                            Rectangle { width: 10; height: 10; radius: 2; color: view.colours[index] }
                            Label { text: modelData.name; Layout.fillWidth: true; elide: Text.ElideRight }
                            Label { text: modelData.text; font.family: "monospace" }
                        }
                    }
                    ComboBox {
                        Layout.fillWidth: true
                        Layout.leftMargin: 6
                        displayText: "Chart a point…"
                        model: view.controller.pointIds.map(p => view.controller.pointName(p))
                        onActivated: index => {
                            const id = view.controller.pointIds[index]
                            const now = view.controller.chartPoints.filter(p => p !== id)
                            view.controller.chartPoints =
                                [id].concat(now).slice(0, 4)
                        }
                    }
                    Label {
                        Layout.leftMargin: 6
                        text: view.scene.metricLabel + ": " + view.scene.roomsWithData + " rooms coloured"
                        opacity: 0.6
                        font.pixelSize: 11
                    }
                    Item { Layout.fillHeight: true }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Label {
                        text: "Decisions within ±" + Math.round(view.controller.nearWindowS / 60) +
                              " min (" + view.controller.decisionsNear.length + ")"
                        font.bold: true
                    }
                    ListView {
                        objectName: "decisionsNear"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        clip: true
                        model: view.controller.decisionsNear
                        ScrollBar.vertical: ScrollBar {}
                        delegate: RowLayout {
                            required property var modelData
                            width: ListView.view.width
                            Label {
                                text: modelData.timeText.substring(11, 16)
                                font.family: "monospace"
                                font.bold: modelData.time === view.controller.position
                            }
                            Label {
                                text: modelData.side
                                color: modelData.side === "recorded" ? "#1f77b4" : "#d62728"
                                Layout.preferredWidth: 70
                            }
                            Label { text: modelData.action.replace(/target=\S*#/, ""); Layout.fillWidth: true; elide: Text.ElideRight }
                        }
                    }
                }
            }
        }
    }

    // Right: candidate vs recorded, and the validation gate.
    ScrollView {
        id: side
        SplitView.preferredWidth: 520
        SplitView.minimumWidth: 380
        contentWidth: availableWidth
        ColumnLayout {
            width: side.availableWidth
            spacing: 6

            Label { text: "Candidate vs recorded"; font.bold: true; font.pixelSize: 15; Layout.margins: 6 }
            RowLayout {
                Layout.fillWidth: true
                Layout.leftMargin: 6
                Layout.rightMargin: 6
                ComboBox {
                    id: candidateBox
                    objectName: "candidateBox"
                    Layout.fillWidth: true
                    editable: true
                    model: view.controller.policyNames
                    Component.onCompleted: editText = view.controller.candidate
                    onAccepted: view.controller.candidate = editText
                    onActivated: view.controller.candidate = currentText
                    ToolTip.text: "NAME or NAME:{json params}, as `twindesk replay --policy`"
                    ToolTip.visible: hovered
                }
                Button {
                    text: view.controller.replayState === "running" ? "Cancel" : "Replay"
                    enabled: view.controller.ready &&
                             (view.controller.replayState === "running" || view.controller.gateState !== "running")
                    onClicked: {
                        if (view.controller.replayState === "running") {
                            view.controller.cancel()
                        } else {
                            view.controller.candidate = candidateBox.editText
                            view.controller.runReplay()
                        }
                    }
                }
            }
            ProgressBar {
                Layout.fillWidth: true
                Layout.leftMargin: 6
                Layout.rightMargin: 6
                visible: view.controller.replayState === "running"
                value: view.controller.replayProgress
            }
            Label {
                objectName: "replaySummary"
                Layout.fillWidth: true
                Layout.leftMargin: 6
                wrapMode: Text.Wrap
                readonly property var s: view.controller.summary
                text: view.controller.replayState === "finished"
                      ? s.candidate + ": agreement " + view.percent(s.agreement) + " (" + s.matched +
                        " of " + s.recorded + " recorded actions, candidate " + s.candidateActions + ")" +
                        s.byKind.map(k => "\n  " + k.kind + ": recorded " + k.recorded + ", candidate " +
                                     k.candidate + ", matched " + k.matched).join("") +
                        (s.firstDivergenceText !== "" ? "\nFirst divergence " + s.firstDivergenceText
                                                      : "\nIdentical: every recorded action, at the same time")
                      : view.controller.replayState === "cancelled" ? "Replay cancelled"
                      : view.controller.replayState === "idle" ? "Replay a candidate to compare its decisions with the recorded ones"
                      : view.controller.replayState === "failed" ? "Replay failed (see the message)" : "Replaying…"
            }
            RowLayout {
                Layout.leftMargin: 6
                visible: view.controller.rounds.totalRounds > 0
                CheckBox {
                    text: "Only divergent rounds (" + view.controller.rounds.divergentRounds + " of " +
                          view.controller.rounds.totalRounds + ")"
                    checked: view.controller.rounds.divergentOnly
                    onToggled: view.controller.rounds.divergentOnly = checked
                }
                Button {
                    text: "Go to first divergence"
                    enabled: view.controller.rounds.divergentRounds > 0
                    onClicked: {
                        view.controller.seekFirstDivergence()
                        const row = view.controller.rounds.firstDivergenceRow
                        if (row >= 0)
                            roundsList.positionViewAtIndex(row, ListView.Center)
                    }
                }
            }
            ListView {
                id: roundsList
                objectName: "roundsList"
                Layout.fillWidth: true
                Layout.preferredHeight: 260
                Layout.leftMargin: 6
                Layout.rightMargin: 6
                visible: view.controller.rounds.totalRounds > 0
                clip: true
                model: view.controller.rounds
                ScrollBar.vertical: ScrollBar {}
                header: RowLayout {
                    width: roundsList.width
                    Label { text: "time (UTC)"; Layout.preferredWidth: 120; font.bold: true }
                    Label { text: "recorded"; Layout.fillWidth: true; Layout.preferredWidth: 1; font.bold: true }
                    Label { text: "candidate"; Layout.fillWidth: true; Layout.preferredWidth: 1; font.bold: true }
                }
                delegate: Rectangle {
                    required property string timeText
                    required property double time
                    required property string recorded
                    required property string candidate
                    required property bool agree
                    required property bool firstDivergence
                    width: roundsList.width
                    height: Math.max(recLabel.implicitHeight, candLabel.implicitHeight) + 6
                    color: firstDivergence ? view.firstFill : agree ? "transparent" : view.divergeFill
                    border.width: firstDivergence ? 1 : 0
                    border.color: "#b71c1c"
                    RowLayout {
                        anchors.fill: parent
                        anchors.margins: 3
                        Label {
                            text: timeText.substring(5, 16).replace("T", " ")
                            Layout.preferredWidth: 120
                            font.family: "monospace"
                            font.bold: firstDivergence
                        }
                        Label { id: recLabel; text: view.shortActions(recorded); Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.minimumWidth: 0; clip: true; font.pixelSize: 11 }
                        Label { id: candLabel; text: view.shortActions(candidate); Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.minimumWidth: 0; clip: true; font.pixelSize: 11 }
                    }
                    MouseArea {
                        anchors.fill: parent
                        onClicked: view.controller.position = time
                    }
                }
            }

            MenuSeparator { Layout.fillWidth: true }
            Label { text: "Validation gate"; font.bold: true; font.pixelSize: 15; Layout.leftMargin: 6 }
            RowLayout {
                Layout.fillWidth: true
                Layout.leftMargin: 6
                Layout.rightMargin: 6
                ComboBox {
                    id: gateBox
                    Layout.fillWidth: true
                    model: view.controller.gateFiles.indexOf(view.controller.gatePath) >= 0 ||
                           view.controller.gatePath === ""
                           ? view.controller.gateFiles
                           : view.controller.gateFiles.concat([view.controller.gatePath])
                    displayText: view.controller.gatePath.split("/").pop()
                    onActivated: index => view.controller.gatePath = model[index]
                }
                Button {
                    text: "Gate file…"
                    onClicked: {
                        const f = view.dialogs.openFile(qsTr("Choose a gate file"),
                                                        qsTr("Gate files (*.yaml *.yml);;All files (*)"))
                        if (f !== "")
                            view.controller.gatePath = f
                    }
                }
                Button {
                    text: view.controller.gateState === "running" ? "Cancel" : "Run gate"
                    enabled: view.controller.ready && view.controller.gatePath !== "" &&
                             (view.controller.gateState === "running" || view.controller.replayState !== "running")
                    onClicked: view.controller.gateState === "running" ? view.controller.cancel()
                                                                      : view.controller.runGate()
                }
            }
            Label {
                Layout.leftMargin: 6
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                opacity: 0.7
                text: "Baseline: the recorded policy; candidate: " +
                      (view.controller.candidate === "" ? "the recorded policy" : view.controller.candidate) +
                      ". Both run closed loop over the recording's scenario."
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.leftMargin: 6
                Layout.rightMargin: 6
                visible: view.controller.gateState === "running"
                Label { text: "baseline" }
                ProgressBar { Layout.fillWidth: true; value: view.controller.gateProgress[0] }
                Label { text: "candidate" }
                ProgressBar { Layout.fillWidth: true; value: view.controller.gateProgress[1] }
            }
            RowLayout {
                Layout.leftMargin: 6
                visible: view.controller.gateState === "passed" || view.controller.gateState === "failed"
                Label {
                    objectName: "gateVerdict"
                    text: view.controller.gateState === "passed" ? "PASS" : "FAIL"
                    font.bold: true
                    font.pixelSize: 16
                    color: view.controller.gateState === "passed" ? "#1b5e20" : "#b71c1c"
                }
                Label {
                    text: view.controller.gateResults.filter(r => !r.pass).length + " of " +
                          view.controller.gateResults.length + " thresholds failed"
                }
                Button {
                    text: "Open report"
                    enabled: view.controller.reportPath !== ""
                    onClicked: view.controller.openReport()
                    ToolTip.text: view.controller.reportPath
                    ToolTip.visible: hovered
                }
            }
            Repeater {
                model: view.controller.gateResults
                delegate: Rectangle {
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: 6
                    Layout.rightMargin: 6
                    implicitHeight: gateRow.implicitHeight + 6
                    color: modelData.pass ? "#e8f5e9" : "#ffebee"
                    RowLayout {
                        id: gateRow
                        anchors.fill: parent
                        anchors.margins: 3
                        Label { text: modelData.pass ? "✓" : "✗"; color: modelData.pass ? "#1b5e20" : "#b71c1c"; font.bold: true }
                        Label { text: modelData.kpi; Layout.preferredWidth: 170; elide: Text.ElideRight }
                        Label { text: modelData.rule; Layout.preferredWidth: 120; elide: Text.ElideRight; opacity: 0.7 }
                        Label { text: modelData.baseline + " → " + modelData.candidate; Layout.fillWidth: true; elide: Text.ElideRight }
                        Label { text: modelData.change; font.family: "monospace" }
                    }
                    ToolTip.text: modelData.reason
                    ToolTip.visible: !modelData.pass && modelData.reason !== "" && gateHover.hovered
                    HoverHandler { id: gateHover }
                }
            }
            Item { Layout.preferredHeight: 12 }
        }
    }
}
