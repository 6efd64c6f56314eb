import QtQuick
import QtTest
import "../../app/qml"

// The decision-log panel driven like a user: type a filter, tick "Applied only", pick a
// policy, click a row and read its record in the detail pane.
// The views are created in this item: a TestCase is itself invisible, so anything under it
// would get no input.
Item {
    id: root
    width: 1400
    height: 800

    TestCase {
        id: tc
        name: "DecisionsView"
        when: windowShown

        Component {
            id: viewComponent
            DecisionsView { width: root.width; height: root.height }
        }

        function typeText(field, text) {
            mouseClick(field)
            for (const c of text)
                keyClick(c)
        }

        function test_filterSelectAndDetail() {
            const model = fixture.decisionModel()
            compare(fixture.lastError(), "")
            const view = createTemporaryObject(viewComponent, root, { model: model })
            waitForRendering(view)
            verify(view)
            const total = model.totalRows
            verify(total > 20, "a week of rules decisions: " + total)
            const count = findChild(view, "rowCount")
            compare(count.text, total + " of " + total)

            // Typing in the filter narrows the table to room 106's rows, and the count says so.
            typeText(findChild(view, "textFilter"), "room_106")
            compare(model.textFilter, "room_106")
            verify(model.visibleRows > 0 && model.visibleRows < total)
            compare(count.text, model.visibleRows + " of " + total)

            // Click the first row: the detail pane shows its whole record.
            const table = findChild(view, "decisionTable")
            tryVerify(() => table.rows === model.visibleRows)
            compare(findChild(view, "detailTitle").text, "Select a decision")
            mouseClick(table, 40, 12)
            compare(view.selected, 0)
            compare(findChild(view, "detailTitle").text, "Decision")
            const proposed = findChild(view, "detail_proposed")
            verify(proposed, "the detail lists the proposed action")
            verify(proposed.value.indexOf("room_106") >= 0, proposed.value)
            verify(findChild(view, "detail_rowHash").value.length >= 64)

            // Applied only: every remaining row was applied.
            const applied = findChild(view, "appliedOnly")
            mouseClick(applied)
            verify(applied.checked)
            verify(model.appliedOnly)
            verify(model.visibleRows <= total)
            mouseClick(applied)
            verify(!model.appliedOnly)

            // A time range typed into the from/to fields (Enter applies it).
            findChild(view, "textFilter").text = ""
            compare(model.visibleRows, total)
            const fromField = findChild(view, "timeFrom")
            typeText(fromField, "2025-01-07T00:00")
            keyClick(Qt.Key_Return)
            verify(model.visibleRows > 0 && model.visibleRows < total)
            compare(model.timeFrom, "2025-01-07T00:00")
            const afterFrom = model.visibleRows
            // A bad bound: the panel says which, the table stays.
            const toField = findChild(view, "timeTo")
            typeText(toField, "tomorrow")
            keyClick(Qt.Key_Return)
            const timeError = findChild(view, "timeError")
            verify(timeError.visible)
            verify(timeError.text.indexOf("to time") >= 0, timeError.text)
            compare(model.visibleRows, afterFrom)
            fromField.text = ""
            toField.text = ""
            keyClick(Qt.Key_Return)
            compare(model.visibleRows, total)
            verify(!timeError.visible)

            // The policy box lists the log's policies after "All policies".
            const policy = findChild(view, "policyFilter")
            compare(policy.count, model.policies.length + 1)
            compare(policy.textAt(1), "rules:conference-setback")
        }

        function test_missingFileShowsTheErrorAndKeepsRows() {
            const model = fixture.decisionModel()
            const view = createTemporaryObject(viewComponent, root, { model: model })
            waitForRendering(view)
            const before = model.totalRows
            verify(!model.load(fixture.missingPath()))
            verify(model.error.indexOf("no-such.twin") >= 0, model.error)
            compare(model.totalRows, before)
        }
    }
}
