import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts

// Trends (issue #8 §3): historian series of chosen points (up to six) on one time axis; a
// range picker (all, last week, last day of the data); zoom with the wheel. Presentation
// only: TrendModel (C++) reads and downsamples (bucket min and max, so spikes stay).
SplitView {
    id: view
    required property var model
    property var chosen: []          // point ids on the chart
    property real rangeFrom: model.fromMs
    property real rangeTo: model.toMs
    readonly property var colours: ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]

    // The model re-read the historian (a live connection stores as it goes): keep the chosen
    // span, ending at the newest data, and redraw.
    Connections {
        target: view.model
        function onLoaded() {
            const span = [0, 7 * 86400000, 86400000][rangeBox.currentIndex]
            view.rangeTo = view.model.toMs
            view.rangeFrom = span === 0 ? view.model.fromMs
                                        : Math.max(view.model.fromMs, view.rangeTo - span)
            view.chosen = view.chosen.filter(p => view.model.points.indexOf(p) >= 0)
            view.redraw()
        }
    }

    function choose(point) {
        if (view.chosen.indexOf(point) >= 0 || view.chosen.length >= colours.length)
            return
        view.chosen = view.chosen.concat([point])
        redraw()
    }
    function drop(point) {
        view.chosen = view.chosen.filter(p => p !== point)
        redraw()
    }
    function redraw() {
        chart.removeAllSeries()
        if (view.chosen.length === 0)
            return
        let lo = Infinity, hi = -Infinity
        for (let i = 0; i < view.chosen.length; ++i) {
            const s = chart.createSeries(ChartView.SeriesTypeLine,
                                         view.chosen[i].split("#").pop(), xAxis, yAxis)
            s.color = view.colours[i]
            s.width = 2
            for (const p of view.model.series(view.chosen[i], view.rangeFrom, view.rangeTo, 1500)) {
                s.append(p.t, p.v)
                lo = Math.min(lo, p.v)
                hi = Math.max(hi, p.v)
            }
        }
        xAxis.min = new Date(view.rangeFrom)
        xAxis.max = new Date(view.rangeTo)
        if (lo <= hi) {
            const pad = Math.max(0.5, (hi - lo) * 0.05)
            yAxis.min = lo - pad
            yAxis.max = hi + pad
        }
    }

    ColumnLayout {
        SplitView.preferredWidth: 340
        spacing: 4
        TextField {
            id: filter
            objectName: "pointFilter"
            Layout.fillWidth: true
            Layout.margins: 6
            placeholderText: "Points with history…"
        }
        ListView {
            objectName: "pointList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: view.model.points.filter(p => filter.text === "" || p.indexOf(filter.text) >= 0)
            ScrollBar.vertical: ScrollBar {}
            delegate: CheckDelegate {
                required property string modelData
                width: ListView.view.width
                text: modelData.split("#").pop()
                checked: view.chosen.indexOf(modelData) >= 0
                onToggled: checked ? view.choose(modelData) : view.drop(modelData)
            }
        }
    }

    ColumnLayout {
        SplitView.fillWidth: true
        RowLayout {
            Layout.margins: 6
            Label { text: "Range" }
            ComboBox {
                id: rangeBox
                objectName: "rangeBox"
                model: ["All", "Last 7 days", "Last 24 hours"]
                onActivated: {
                    const span = [0, 7 * 86400000, 86400000][currentIndex]
                    view.rangeTo = view.model.toMs
                    view.rangeFrom = span === 0 ? view.model.fromMs
                                                : Math.max(view.model.fromMs, view.rangeTo - span)
                    view.redraw()
                }
            }
            Button { text: "Reset zoom"; onClicked: { chart.zoomReset(); view.redraw() } }
            Label {
                Layout.fillWidth: true
                text: view.chosen.length === 0 ? "Choose points on the left (up to 6)" : ""
                opacity: 0.6
            }
        }
        ChartView {
            id: chart
            objectName: "trendChart"
            Layout.fillWidth: true
            Layout.fillHeight: true
            antialiasing: true
            legend.alignment: Qt.AlignBottom
            DateTimeAxis { id: xAxis; format: "MM-dd hh:mm"; tickCount: 6 }
            ValueAxis { id: yAxis }
            // Wheel zooms, drag pans (left button), double click resets.
            MouseArea {
                objectName: "chartMouse"
                anchors.fill: parent
                property real lastX: 0
                property real lastY: 0
                onWheel: wheel => wheel.angleDelta.y > 0 ? chart.zoomIn() : chart.zoomOut()
                onPressed: mouse => { lastX = mouse.x; lastY = mouse.y }
                onPositionChanged: mouse => {
                    chart.scrollLeft(mouse.x - lastX)
                    chart.scrollUp(mouse.y - lastY)
                    lastX = mouse.x
                    lastY = mouse.y
                }
                onDoubleClicked: { chart.zoomReset(); view.redraw() }
            }
        }
    }
}
