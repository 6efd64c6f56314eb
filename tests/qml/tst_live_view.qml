import QtQuick
import QtTest
import "../../app/qml"

// The live alarm list over a project whose live connector logged a connect, a stale sensor,
// an unconfirmed command and the sensor coming back: newest first, alarms in red, the
// alarms-only switch.
// The views are created in this item: a TestCase is itself invisible, so anything under it
// would get no input.
Item {
    id: root
    width: 1200
    height: 600

    TestCase {
        id: tc
        name: "LiveView"
        when: windowShown

        Component {
            id: viewComponent
            LiveView { width: root.width; height: root.height }
        }

        function test_alarmsNewestFirstAndFilter() {
            const model = fixture.liveEventsModel()
            compare(fixture.lastError(), "")
            const view = createTemporaryObject(viewComponent, root, { model: model })
            waitForRendering(view)
            compare(model.events, 4)
            compare(model.alarms, 2)
            compare(findChild(view, "alarmCount").text, "2 alarms · 4 events")
            const list = findChild(view, "alarmList")
            // Alarms only at first: the unconfirmed command (newest), then the stale sensor.
            const alarmsOnly = findChild(view, "alarmsOnly")
            verify(alarmsOnly.checked)
            tryCompare(list, "count", 2)
            list.currentIndex = 0
            compare(list.currentItem.kind, "command_unconfirmed")
            verify(list.currentItem.alarm)
            verify(Qt.colorEqual(list.currentItem.color, "#fdecea"))
            list.currentIndex = 1
            compare(list.currentItem.kind, "stale")

            // Everything, newest first: the sensor that came back is not an alarm.
            mouseClick(alarmsOnly)
            verify(!model.alarmsOnly)
            tryCompare(list, "count", 4)
            list.currentIndex = 0
            compare(list.currentItem.kind, "fresh")
            verify(!list.currentItem.alarm)
            verify(Qt.colorEqual(list.currentItem.color, "transparent"))
            list.currentIndex = 3
            compare(list.currentItem.kind, "connected")

            // Without a live link the connect bar is hidden; with pending approvals a banner shows.
            verify(!findChild(view, "connectBar").visible)
            verify(!findChild(view, "pendingBanner").visible)
            view.pendingApprovals = 3
            verify(findChild(view, "pendingBanner").visible)
            let asked = 0
            view.showApprovals.connect(() => ++asked)
            mouseClick(findChild(view, "showApprovals"))
            compare(asked, 1)
        }
    }
}
