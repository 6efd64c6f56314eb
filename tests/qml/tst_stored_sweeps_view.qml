import QtQuick
import QtTest
import "../../app/qml"

// The what-if panel's stored sweeps: the tab reads the project's store, the sweep box lists
// the stored sweeps, choosing one fills the table (the lowest heating shaded) and a sweep
// with missing variants says which.
// The views are created in this item: a TestCase is itself invisible, so anything under it
// would get no input.
Item {
    id: root
    width: 1400
    height: 800

    TestCase {
        id: tc
        name: "StoredSweepsView"
        when: windowShown

        Component {
            id: viewComponent
            WhatIfView { width: root.width; height: root.height }
        }

        function delegates(list) {
            const out = []
            const children = list.contentItem.children
            for (let i = 0; i < children.length; ++i)
                if (children[i].modelData !== undefined)
                    out.push(children[i])
            return out
        }

        function test_chooseAStoredSweep() {
            const controller = fixture.storedSweepsController()
            compare(fixture.lastError(), "")
            const view = createTemporaryObject(viewComponent, root,
                                               { controller: controller, scenarios: fixture.scenarios() })
            waitForRendering(view)
            compare(controller.storeLocation, "", "nothing read before the tab is shown")
            mouseClick(findChild(view, "storedSweepsTab"))
            tryVerify(() => controller.storeLocation.startsWith("project file "))
            compare(controller.storedError, "")

            const box = findChild(view, "storedSweepBox")
            compare(box.count, 2)
            compare(box.displayText, "choose a sweep")
            const setpoints = controller.storedSweeps.findIndex(s => s.name === "setpoints")
            verify(setpoints >= 0)
            verify(box.textAt(setpoints).indexOf("2 of 2") > 0, box.textAt(setpoints))
            box.currentIndex = setpoints
            box.activated(setpoints)
            compare(controller.storedSweep, "setpoints")
            const table = findChild(view, "storedTable")
            tryCompare(table, "count", 2)
            waitForRendering(view)
            const rows = delegates(table)
            compare(rows.length, 2)
            verify(rows[0].modelData.label.indexOf("heating_setpoint_c=18") >= 0)
            verify(rows[0].modelData.best[0], "18 °C heats least")
            verify(!findChild(view, "storedMissing").visible)

            // Compare: variant 1 (22 °C) opens in the base-vs-variant tab, the shared period as
            // a common override.
            mouseClick(findChild(view, "compareVariant1"))
            compare(controller.storedError, "")
            verify(controller.scenarioPath.endsWith("demo-office.json"), controller.scenarioPath)
            compare(controller.extraOverrides, ["building.defaults.heating_setpoint_c=22"])
            compare(controller.commonOverrides, ["period.end=\"2025-01-07T00:00\""])
            tryVerify(() => findChild(view, "runBoth").visible)
            verify(findChild(view, "runBoth").enabled)
            mouseClick(findChild(view, "storedSweepsTab"))
            tryVerify(() => findChild(view, "storedTable").visible)

            const seeds = controller.storedSweeps.findIndex(s => s.name === "seeds")
            box.currentIndex = seeds
            box.activated(seeds)
            tryCompare(table, "count", 1)
            const missing = findChild(view, "storedMissing")
            verify(missing.visible)
            verify(missing.text.indexOf("missing 2 of 3 variants") === 0, missing.text)
            verify(missing.text.endsWith(": 1, 2"), missing.text)

            // Refresh keeps the shown sweep.
            mouseClick(findChild(view, "refreshStoredSweeps"))
            compare(controller.storedSweep, "seeds")
            compare(findChild(view, "storedError").visible, false)

            // Another project opened while the tab is shown: its store is read at once (here
            // one that does not exist, named in the error line).
            controller.setProject(fixture.missingPath())
            tryVerify(() => findChild(view, "storedError").visible)
            verify(findChild(view, "storedError").text.indexOf("no-such.twin") >= 0,
                   findChild(view, "storedError").text)
            compare(box.count, 0)
            compare(table.count, 0)
        }
    }
}
