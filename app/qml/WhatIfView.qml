import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts

// What-if (issue #8 §7): a scenario and a variant of it (its duplicate with changed setpoints,
// policy, weather, host count, calendar or free `--set` overrides) run side by side; their KPIs
// compared (better in green, worse in red) and their series overlaid (base solid, variant
// dashed). Presentation only: WhatIfController (C++) builds the variant's overrides and runs
// both on worker threads.
SplitView {
    id: view
    required property var controller
    required property var scenarios   // [{name, path}]
    readonly property color baseColour: "#1f77b4"
    readonly property color variantColour: "#d62728"
    readonly property color betterFill: "#c8e6c9"
    readonly property color worseFill: "#ffcdd2"
    property string metric: ""

    function number(v, digits) {
        if (v === undefined || v === null || isNaN(v))
            return "—"
        const d = digits === undefined ? (Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 1 ? 2 : 4) : digits
        return v.toFixed(d)
    }
    function signed(v, digits) {
        const t = number(v, digits)
        return (v > 0 ? "+" : "") + t
    }
    function redraw() {
        chart.removeAllSeries()
        const list = view.controller.seriesList
        if (list.length === 0)
            return
        let info = list.find(s => s.key === view.metric)
        if (info === undefined) {
            info = list[0]
            view.metric = info.key
        }
        let lo = Infinity, hi = -Infinity, t0 = Infinity, t1 = -Infinity
        for (let which = 0; which < 2; ++which) {
            const s = chart.createSeries(ChartView.SeriesTypeLine,
                                         (which === 0 ? "base" : "variant") + " · " + info.label,
                                         xAxis, yAxis)
            s.color = which === 0 ? view.baseColour : view.variantColour
            s.width = 2
            s.style = which === 0 ? Qt.SolidLine : Qt.DashLine
            for (const p of view.controller.series(info.key, which)) {
                s.append(p.x, p.y)
                lo = Math.min(lo, p.y)
                hi = Math.max(hi, p.y)
                t0 = Math.min(t0, p.x)
                t1 = Math.max(t1, p.x)
            }
        }
        if (t0 < t1) {
            xAxis.min = new Date(t0)
            xAxis.max = new Date(t1)
        }
        if (lo <= hi) {
            const pad = Math.max(0.5, (hi - lo) * 0.05)
            yAxis.min = lo - pad
            yAxis.max = hi + pad
        }
        yAxis.titleText = info.unit
    }

    Connections {
        target: view.controller
        function onFinished() { view.redraw() }
    }
    Component.onCompleted: redraw()
    onVisibleChanged: readStoredSweepsIfShown()

    function readStoredSweepsIfShown() {
        if (view.visible && rightTabs.currentIndex === 1 && view.controller.storeLocation === ""
                && view.controller.storedError === "")
            view.controller.refreshStoredSweeps()
    }

    // The variant's parameters.
    ScrollView {
        id: panel
        SplitView.preferredWidth: 380
        SplitView.minimumWidth: 300
        contentWidth: availableWidth
        ColumnLayout {
            width: panel.availableWidth
            spacing: 6

            Label { text: "Base scenario"; font.bold: true; Layout.margins: 8; Layout.bottomMargin: 0 }
            ComboBox {
                id: scenarioBox
                objectName: "whatIfScenarioBox"
                Layout.fillWidth: true
                Layout.leftMargin: 8
                Layout.rightMargin: 8
                model: ["Choose a scenario…"].concat(view.scenarios.map(s => s.name))
                currentIndex: {
                    const i = view.scenarios.findIndex(s => s.path === view.controller.scenarioPath)
                    return i >= 0 ? i + 1 : 0
                }
                onActivated: if (currentIndex > 0)
                                 view.controller.open(view.scenarios[currentIndex - 1].path)
            }
            Label {
                Layout.leftMargin: 8
                Layout.rightMargin: 8
                Layout.fillWidth: true
                visible: view.controller.scenarioPath !== ""
                text: view.controller.scenarioName
                      + (view.controller.commonOverrides.length > 0
                         ? "  ·  both runs: " + view.controller.commonOverrides.join("  ") : "")
                elide: Text.ElideRight
                opacity: 0.7
            }

            RowLayout {
                Layout.margins: 8
                Layout.bottomMargin: 0
                Label { text: "Variant"; font.bold: true; Layout.fillWidth: true }
                Button {
                    text: "Duplicate again"
                    enabled: view.controller.variantOverrides.length > 0
                    onClicked: view.controller.resetVariant()
                }
            }

            GridLayout {
                Layout.leftMargin: 8
                Layout.rightMargin: 8
                Layout.fillWidth: true
                columns: 3
                columnSpacing: 8
                enabled: view.controller.scenarioPath !== "" && view.controller.state !== "running"

                // Setpoints (explicit zones' hvac or the building's defaults).
                Label { text: "Heating setpoint"; visible: view.controller.hasSetpoints }
                SpinBox {
                    id: heatingBox
                    objectName: "heatingSetpoint"
                    visible: view.controller.hasSetpoints
                    from: 50; to: 300; stepSize: 5    // tenths of °C
                    editable: true
                    value: Math.round(view.controller.heatingSetpoint * 10)
                    textFromValue: (v, locale) => (v / 10).toFixed(1) + " °C"
                    valueFromText: (t, locale) => Math.round(parseFloat(t) * 10)
                    onValueModified: view.controller.heatingSetpoint = value / 10
                    Connections {
                        target: view.controller
                        function onVariantChanged() {
                            heatingBox.value = Math.round(view.controller.heatingSetpoint * 10)
                        }
                    }
                }
                Label {
                    visible: view.controller.hasSetpoints
                    text: "base " + view.controller.baseHeatingSetpoint.toFixed(1)
                    opacity: 0.6
                }
                Label { text: "Cooling setpoint"; visible: view.controller.hasSetpoints }
                SpinBox {
                    id: coolingBox
                    objectName: "coolingSetpoint"
                    visible: view.controller.hasSetpoints
                    from: 100; to: 400; stepSize: 5
                    editable: true
                    value: Math.round(view.controller.coolingSetpoint * 10)
                    textFromValue: (v, locale) => (v / 10).toFixed(1) + " °C"
                    valueFromText: (t, locale) => Math.round(parseFloat(t) * 10)
                    onValueModified: view.controller.coolingSetpoint = value / 10
                    Connections {
                        target: view.controller
                        function onVariantChanged() {
                            coolingBox.value = Math.round(view.controller.coolingSetpoint * 10)
                        }
                    }
                }
                Label {
                    visible: view.controller.hasSetpoints
                    text: "base " + view.controller.baseCoolingSetpoint.toFixed(1)
                    opacity: 0.6
                }

                Label { text: "Policy" }
                ComboBox {
                    id: policyBox
                    objectName: "policyBox"
                    Layout.fillWidth: true
                    model: view.controller.policyNames.map(n => n === "" ? "(none: built-in schedules)" : n)
                    currentIndex: view.controller.policyNames.indexOf(view.controller.policy)
                    onActivated: view.controller.policy = view.controller.policyNames[currentIndex]
                    Connections {
                        target: view.controller
                        function onVariantChanged() {
                            policyBox.currentIndex = view.controller.policyNames.indexOf(view.controller.policy)
                        }
                    }
                }
                Label {
                    text: "base " + (view.controller.basePolicy === "" ? "none" : view.controller.basePolicy)
                    opacity: 0.6
                    elide: Text.ElideRight
                    Layout.maximumWidth: 120
                }

                Label { text: "Weather (EPW)"; visible: view.controller.hasWeather }
                TextField {
                    id: weatherField
                    objectName: "weatherField"
                    visible: view.controller.hasWeather
                    Layout.fillWidth: true
                    Layout.columnSpan: 2
                    text: view.controller.weather
                    selectByMouse: true
                    onEditingFinished: if (text !== view.controller.weather)
                                           view.controller.weather = text
                    Connections {
                        target: view.controller
                        function onVariantChanged() { weatherField.text = view.controller.weather }
                    }
                }

                Label { text: "Calendar (ics)"; visible: view.controller.hasCalendar }
                TextField {
                    id: calendarField
                    objectName: "calendarField"
                    visible: view.controller.hasCalendar
                    Layout.fillWidth: true
                    Layout.columnSpan: 2
                    text: view.controller.calendar
                    placeholderText: "no calendar"
                    selectByMouse: true
                    onEditingFinished: if (text !== view.controller.calendar)
                                           view.controller.calendar = text
                    Connections {
                        target: view.controller
                        function onVariantChanged() { calendarField.text = view.controller.calendar }
                    }
                }

                Label { text: "Hosts"; visible: view.controller.hasHostCount }
                SpinBox {
                    id: hostsBox
                    visible: view.controller.hasHostCount
                    from: 1; to: 100000
                    editable: true
                    value: view.controller.hostCount
                    onValueModified: view.controller.hostCount = value
                    Connections {
                        target: view.controller
                        function onVariantChanged() { hostsBox.value = view.controller.hostCount }
                    }
                }
                Label {
                    visible: view.controller.hasHostCount
                    text: "base " + view.controller.baseHostCount
                    opacity: 0.6
                }
            }

            // The variant policy's parameters, from the policy registry.
            Label {
                Layout.leftMargin: 8
                visible: paramRepeater.count > 0
                text: "Policy parameters"
                opacity: 0.8
            }
            Repeater {
                id: paramRepeater
                model: view.controller.policyParams
                delegate: RowLayout {
                    id: paramRow
                    required property var modelData
                    Layout.leftMargin: 16
                    Layout.rightMargin: 8
                    enabled: view.controller.state !== "running"
                    Label {
                        text: paramRow.modelData.name + (paramRow.modelData.unit !== ""
                                                         ? " (" + paramRow.modelData.unit + ")" : "")
                        Layout.preferredWidth: 190
                        elide: Text.ElideRight
                        font.bold: paramRow.modelData.changed
                    }
                    CheckBox {
                        visible: paramRow.modelData.type === "boolean"
                        checked: paramRow.modelData.value === true
                        onToggled: view.controller.setPolicyParam(paramRow.modelData.name, checked)
                    }
                    ComboBox {
                        visible: paramRow.modelData.type === "choice"
                        model: paramRow.modelData.choices
                        currentIndex: paramRow.modelData.choices.indexOf(paramRow.modelData.value)
                        onActivated: view.controller.setPolicyParam(paramRow.modelData.name,
                                                                    currentText)
                        Layout.fillWidth: true
                    }
                    TextField {
                        visible: paramRow.modelData.type !== "boolean"
                                 && paramRow.modelData.type !== "choice"
                        text: paramRow.modelData.value === undefined ? "" : String(paramRow.modelData.value)
                        selectByMouse: true
                        Layout.fillWidth: true
                        onEditingFinished: if (text !== String(paramRow.modelData.value))
                                               view.controller.setPolicyParam(paramRow.modelData.name, text)
                    }
                }
            }

            Label { text: "Overrides (KEY=JSON, like --set)"; Layout.leftMargin: 8; opacity: 0.8 }
            RowLayout {
                Layout.leftMargin: 8
                Layout.rightMargin: 8
                TextField {
                    id: overrideField
                    objectName: "overrideField"
                    Layout.fillWidth: true
                    placeholderText: "zones.0.infiltration_ach=1.5"
                    selectByMouse: true
                    onAccepted: if (view.controller.addOverride(text)) text = ""
                }
                Button {
                    text: "Add"
                    enabled: overrideField.text !== ""
                    onClicked: if (view.controller.addOverride(overrideField.text)) overrideField.text = ""
                }
            }
            Repeater {
                model: view.controller.variantOverrides
                delegate: Label {
                    required property string modelData
                    Layout.leftMargin: 16
                    Layout.rightMargin: 8
                    Layout.fillWidth: true
                    text: "• " + modelData
                    elide: Text.ElideMiddle
                    font.family: "monospace"
                    font.pixelSize: 11
                }
            }
            Label {
                Layout.leftMargin: 16
                visible: view.controller.scenarioPath !== "" && view.controller.variantOverrides.length === 0
                text: "The variant is a duplicate of the base."
                opacity: 0.6
            }

            RowLayout {
                Layout.margins: 8
                TextField {
                    id: saveField
                    Layout.fillWidth: true
                    placeholderText: "variant.json"
                    selectByMouse: true
                }
                Button {
                    text: "Save variant"
                    enabled: saveField.text !== "" && view.controller.scenarioPath !== ""
                    onClicked: if (view.controller.saveVariant(saveField.text))
                                   savedLabel.text = "saved " + saveField.text
                }
            }
            Label { id: savedLabel; Layout.leftMargin: 8; opacity: 0.6 }
        }
    }

    // The runs and their comparison, and the stored sweeps.
    ColumnLayout {
        SplitView.fillWidth: true
        spacing: 0
        TabBar {
            id: rightTabs
            Layout.fillWidth: true
            TabButton {
                objectName: "comparisonTab"
                text: "Base vs variant"
                width: implicitWidth + 24
            }
            TabButton {
                objectName: "storedSweepsTab"
                text: "Stored sweeps"
                width: implicitWidth + 24
            }
            onCurrentIndexChanged: view.readStoredSweepsIfShown()
        }
        // The store is read when the tab is shown and nothing was read from it yet (first
        // time, another project opened), and on Refresh.
        Connections {
            target: view.controller
            function onStoredChanged() { view.readStoredSweepsIfShown() }
        }
        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: rightTabs.currentIndex
            ColumnLayout {
                spacing: 6

                RowLayout {
                    Layout.margins: 8
                    Layout.bottomMargin: 0
                    Button {
                        objectName: "runBoth"
                        text: view.controller.state === "running" ? "Cancel" : "Run both"
                        enabled: view.controller.scenarioPath !== ""
                        onClicked: view.controller.state === "running" ? view.controller.cancel()
                                                                       : view.controller.runBoth()
                    }
                    GridLayout {
                        columns: 2
                        Layout.fillWidth: true
                        Label { text: "base"; color: view.baseColour; font.bold: true }
                        ProgressBar { Layout.fillWidth: true; value: view.controller.baseProgress }
                        Label { text: "variant"; color: view.variantColour; font.bold: true }
                        ProgressBar { Layout.fillWidth: true; value: view.controller.variantProgress }
                    }
                    Label { text: view.controller.state; opacity: 0.7 }
                }
                Label {
                    visible: view.controller.error !== ""
                    text: view.controller.error
                    color: "#b71c1c"
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                    Layout.leftMargin: 8
                    Layout.rightMargin: 8
                }

                // KPI comparison: base | variant | Δ | Δ %.
                RowLayout {
                    Layout.leftMargin: 8
                    Layout.rightMargin: 8
                    spacing: 0
                    Repeater {
                        model: [["KPI", 260], ["base", 110], ["variant", 110], ["Δ", 110], ["Δ %", 80]]
                        delegate: Label {
                            required property var modelData
                            text: modelData[0]
                            font.bold: true
                            horizontalAlignment: modelData[0] === "KPI" ? Text.AlignLeft : Text.AlignRight
                            Layout.preferredWidth: modelData[1]
                            rightPadding: 6
                        }
                    }
                    Item { Layout.fillWidth: true }
                }
                ListView {
                    id: kpiTable
                    objectName: "kpiTable"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.min(contentHeight, 240)
                    Layout.leftMargin: 8
                    Layout.rightMargin: 8
                    clip: true
                    model: view.controller.kpis
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Rectangle {
                        id: kpiRow
                        required property var modelData
                        required property int index
                        width: ListView.view.width
                        height: 24
                        color: index % 2 === 0 ? "transparent" : "#f3f3f3"
                        readonly property color fill: modelData.verdict === "better" ? view.betterFill
                                                    : modelData.verdict === "worse" ? view.worseFill
                                                                                    : "transparent"
                        readonly property color ink: modelData.verdict === "better" ? "#1b5e20"
                                                   : modelData.verdict === "worse" ? "#b71c1c" : palette.text
                        Row {
                            anchors.fill: parent
                            Label {
                                width: 260
                                height: parent.height
                                verticalAlignment: Text.AlignVCenter
                                leftPadding: kpiRow.modelData.indent ? 16 : 0
                                text: kpiRow.modelData.name + (kpiRow.modelData.unit !== ""
                                                               ? " (" + kpiRow.modelData.unit + ")" : "")
                                elide: Text.ElideRight
                            }
                            Label {
                                width: 110; height: parent.height
                                verticalAlignment: Text.AlignVCenter
                                horizontalAlignment: Text.AlignRight
                                rightPadding: 6
                                text: view.number(kpiRow.modelData.base)
                            }
                            Label {
                                width: 110; height: parent.height
                                verticalAlignment: Text.AlignVCenter
                                horizontalAlignment: Text.AlignRight
                                rightPadding: 6
                                text: view.number(kpiRow.modelData.variant)
                            }
                            Rectangle {
                                width: 190; height: parent.height
                                color: kpiRow.fill
                                Row {
                                    anchors.fill: parent
                                    Label {
                                        width: 110; height: parent.height
                                        verticalAlignment: Text.AlignVCenter
                                        horizontalAlignment: Text.AlignRight
                                        rightPadding: 6
                                        color: kpiRow.ink
                                        text: view.signed(kpiRow.modelData.delta)
                                    }
                                    Label {
                                        width: 80; height: parent.height
                                        verticalAlignment: Text.AlignVCenter
                                        horizontalAlignment: Text.AlignRight
                                        rightPadding: 6
                                        color: kpiRow.ink
                                        text: isNaN(kpiRow.modelData.deltaPercent) ? "—"
                                              : view.signed(kpiRow.modelData.deltaPercent, 1) + " %"
                                    }
                                }
                            }
                        }
                    }
                }
                Label {
                    Layout.leftMargin: 8
                    visible: view.controller.kpis.length === 0
                    text: view.controller.scenarioPath === "" ? "Choose a base scenario on the left."
                          : view.controller.state === "running" ? "Running both…"
                          : "Change the variant, then Run both."
                    opacity: 0.6
                }

                RowLayout {
                    Layout.leftMargin: 8
                    Layout.rightMargin: 8
                    visible: view.controller.seriesList.length > 0
                    Label { text: "Metric" }
                    ComboBox {
                        id: metricBox
                        objectName: "metricBox"
                        Layout.preferredWidth: 320
                        model: view.controller.seriesList.map(s => s.label + " (" + s.unit + ")")
                        currentIndex: view.controller.seriesList.findIndex(s => s.key === view.metric)
                        onActivated: {
                            view.metric = view.controller.seriesList[currentIndex].key
                            view.redraw()
                        }
                    }
                    Label { text: "base solid, variant dashed"; opacity: 0.6 }
                    Item { Layout.fillWidth: true }
                }
                ChartView {
                    id: chart
                    objectName: "whatIfChart"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.minimumHeight: 200
                    antialiasing: true
                    legend.alignment: Qt.AlignBottom
                    DateTimeAxis { id: xAxis; format: "MM-dd hh:mm"; tickCount: 6 }
                    ValueAxis { id: yAxis }
                }
            }
            StoredSweepsView {
                objectName: "storedSweepsView"
                controller: view.controller
                onVariantOpened: rightTabs.currentIndex = 0
            }
        }
    }
}
