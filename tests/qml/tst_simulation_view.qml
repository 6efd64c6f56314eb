import QtQuick
import QtTest
import "../../app/qml"

// The simulation panel: choose a scenario, one step, then as fast as possible to the end;
// the status line and the KPI labels follow the controller's snapshots.
// The views are created in this item: a TestCase is itself invisible, so anything under it
// would get no input.
Item {
    id: root
    width: 1200
    height: 600

    TestCase {
        id: tc
        name: "SimulationView"
        when: windowShown

        Component {
            id: viewComponent
            SimulationView { width: root.width; height: root.height }
        }

        function test_stepThenRunToTheEnd() {
            if (!fixture.haveWeather())
                skip("../shared/anchors/weather is absent: the BESTEST scenario needs its weather")
            const controller = fixture.simulationController()
            const view = createTemporaryObject(viewComponent, root,
                                               { controller: controller, scenarios: fixture.scenarios() })
            waitForRendering(view)
            waitForRendering(view)
            const run = findChild(view, "runButton")
            verify(!run.enabled, "nothing to run before a scenario is chosen")
            compare(findChild(view, "kpi_energy_kwh").valueText, "—")

            const box = findChild(view, "scenarioBox")
            compare(box.count, 3)
            compare(box.textAt(1), "bestest-600")
            box.currentIndex = 1
            box.activated(1)
            compare(controller.error, "")
            verify(controller.scenario !== "")
            verify(run.enabled)

            const stepButton = findChild(view, "stepButton")
            mouseClick(stepButton)
            tryVerify(() => controller.progress > 0, 20000)
            verify(controller.state === "paused" || controller.state === "idle", controller.state)

            const speed = findChild(view, "speedBox")
            speed.currentIndex = 0
            speed.activated(0)
            compare(controller.speed, 0)
            mouseClick(run)
            tryCompare(controller, "state", "finished", 300000)
            compare(controller.progress, 1)
            verify(findChild(view, "statusLine").text.indexOf("finished · ") >= 0)
            const energy = findChild(view, "kpi_energy_kwh").valueText
            verify(energy.endsWith(" kWh") && parseFloat(energy) > 0, energy)
            verify(!run.enabled, "a finished run cannot be run again")
        }
    }
}
