import QtQuick
import QtTest
import "../../app/qml"

// The trends panel over a week of historian: filter the point list, tick points onto the
// chart (one series each, with data), untick one, and the range picker's last 24 hours.
// The views are created in this item: a TestCase is itself invisible, so anything under it
// would get no input.
Item {
    id: root
    width: 1400
    height: 800

    TestCase {
        id: tc
        name: "TrendsView"
        when: windowShown

        Component {
            id: viewComponent
            TrendsView { width: root.width; height: root.height }
        }

        function delegates(list) {
            const out = []
            const children = list.contentItem.children
            for (let i = 0; i < children.length; ++i)
                if (children[i].modelData !== undefined)
                    out.push(children[i])
            return out
        }

        function test_chooseSeriesAndRange() {
            const model = fixture.trendModel()
            compare(fixture.lastError(), "")
            const view = createTemporaryObject(viewComponent, root, { model: model })
            waitForRendering(view)
            verify(model.points.length > 20, "points with history: " + model.points.length)
            const list = findChild(view, "pointList")
            tryCompare(list, "count", model.points.length)

            const filter = findChild(view, "pointFilter")
            mouseClick(filter)
            for (const c of "room_101")
                keyClick(c)
            verify(list.count > 0 && list.count < model.points.length, "filtered: " + list.count)
            tryVerify(() => delegates(list).length >= Math.min(2, list.count))

            const chart = findChild(view, "trendChart")
            const first = delegates(list)[0]
            mouseClick(first)
            compare(view.chosen.length, 1)
            compare(view.chosen[0], first.modelData)
            compare(chart.count, 1)
            verify(chart.series(0).count > 10, "points drawn: " + chart.series(0).count)
            if (list.count > 1) {
                mouseClick(delegates(list)[1])
                compare(chart.count, 2)
                mouseClick(delegates(list)[1])
                compare(chart.count, 1)
            }

            // Drag pans the time axis (later data comes into view when dragging left).
            const xAxis = chart.axisX(chart.series(0))
            const minBefore = xAxis.min.getTime()
            const mouse = findChild(view, "chartMouse")
            mouseDrag(mouse, mouse.width / 2, mouse.height / 2, -200, 0)
            verify(xAxis.min.getTime() > minBefore, "panned: " + xAxis.min + " vs " + new Date(minBefore))
            mouseDoubleClickSequence(mouse, mouse.width / 2, mouse.height / 2)
            tryVerify(() => xAxis.min.getTime() === view.rangeFrom)

            // Re-reading the historian (as a live connection makes it) keeps the chosen series.
            const chosenBefore = view.chosen[0]
            verify(model.load(fixture.rulesResults()))
            compare(view.chosen.length, 1)
            compare(view.chosen[0], chosenBefore)
            compare(chart.count, 1)

            // Range: the last 24 hours of the data.
            const range = findChild(view, "rangeBox")
            range.currentIndex = 2
            range.activated(2)
            compare(view.rangeTo, model.toMs)
            compare(view.rangeTo - view.rangeFrom, 86400000)
            compare(chart.count, 1)
            verify(chart.series(0).at(0).x >= view.rangeFrom)
        }
    }
}
