import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Simulation (issue #8 §4): choose a scenario; run, pause, step, speed (real time × N or as
// fast as possible); progress and live KPIs. The run happens on a worker thread; this view only
// shows the snapshots SimulationController hands over.
ColumnLayout {
    id: view
    required property var controller
    required property var scenarios   // [{name, path}]
    spacing: 8

    RowLayout {
        Layout.fillWidth: true
        Layout.margins: 8
        Label { text: "Scenario" }
        ComboBox {
            id: scenarioBox
            objectName: "scenarioBox"
            Layout.preferredWidth: 320
            model: ["Choose a scenario…"].concat(view.scenarios.map(s => s.name))
            onActivated: if (currentIndex > 0)
                             view.controller.open(view.scenarios[currentIndex - 1].path)
        }
        Button {
            objectName: "runButton"
            text: view.controller.state === "running" ? "Pause" : "Run"
            enabled: view.controller.state !== "finished" && view.controller.state !== "failed"
                     && view.controller.scenario !== ""
            onClicked: view.controller.state === "running" ? view.controller.pause()
                                                           : view.controller.run()
        }
        Button {
            objectName: "stepButton"
            text: "Step"
            enabled: view.controller.state === "idle" || view.controller.state === "paused"
            onClicked: view.controller.step()
        }
        Label { text: "Speed" }
        ComboBox {
            objectName: "speedBox"
            Layout.preferredWidth: 200
            model: ["As fast as possible", "× 1", "× 60", "× 600", "× 3600"]
            onActivated: view.controller.speed = [0, 1, 60, 600, 3600][currentIndex]
        }
        Item { Layout.fillWidth: true }
    }

    ProgressBar {
        Layout.fillWidth: true
        Layout.leftMargin: 8
        Layout.rightMargin: 8
        value: view.controller.progress
    }

    Label {
        objectName: "statusLine"
        Layout.leftMargin: 8
        text: view.controller.scenario + " · " + view.controller.state + " · " + view.controller.simTime
              + " · " + Math.round(view.controller.progress * 100) + " %"
    }
    Label {
        visible: view.controller.error !== ""
        text: view.controller.error
        color: "#b71c1c"
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Layout.leftMargin: 8
    }

    GridLayout {
        Layout.margins: 8
        columns: 2
        columnSpacing: 24
        Repeater {
            model: [["Site energy", "energy_kwh", "kWh"], ["Electricity", "electricity_kwh", "kWh"],
                    ["Discomfort", "discomfort_kh", "K·h"], ["CO₂ above 1000 ppm", "co2_ppmh", "ppm·h"],
                    ["Decisions", "decisions", ""], ["Actions applied", "applied", ""]]
            delegate: RowLayout {
                required property var modelData
                objectName: "kpi_" + modelData[1]
                property alias valueText: kpiValue.text
                Layout.columnSpan: 2
                Label { text: modelData[0]; Layout.preferredWidth: 200; opacity: 0.7 }
                Label {
                    id: kpiValue
                    text: {
                        const v = view.controller.kpis[modelData[1]]
                        return v === undefined ? "—" : (Number.isInteger(v) ? v : v.toFixed(1))
                                                        + " " + modelData[2]
                    }
                    font.pixelSize: 16
                }
            }
        }
    }
    Item { Layout.fillHeight: true }
}
