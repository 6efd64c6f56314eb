import QtQuick
import QtTest
import "../../app/qml"

// The approvals panel: the pending count, approve under the name typed in the panel, reject
// with a reason, and refusal without a name (the error shown, nothing decided).
// The views are created in this item: a TestCase is itself invisible, so anything under it
// would get no input.
Item {
    id: root
    width: 1400
    height: 900

    TestCase {
        id: tc
        name: "ApprovalsView"
        when: windowShown

        Component {
            id: viewComponent
            ApprovalsView { width: root.width; height: root.height }
        }

        function cards(view) {
            const list = findChild(view, "approvalList")
            const out = []
            const children = list.contentItem.children
            for (let i = 0; i < children.length; ++i)
                if (children[i].objectName.startsWith("card_"))
                    out.push(children[i])
            return out
        }
        function pendingCard(view) {
            return cards(view).find(c => c.status === "pending")
        }
        function typeText(field, text) {
            mouseClick(field)
            for (const c of text)
                keyClick(c)
        }

        function test_approveAndRejectFromThePanel() {
            const model = fixture.approvalsModel()
            compare(fixture.lastError(), "")
            const view = createTemporaryObject(viewComponent, root, { model: model })
            waitForRendering(view)
            const pending = model.pending
            verify(pending >= 2, "the loop left requests waiting: " + pending)
            compare(findChild(view, "pendingLabel").text, pending + " pending")
            tryVerify(() => pendingCard(view) !== undefined)

            // No name yet: Approve is refused, the panel says why, nothing changes.
            model.user = ""
            let card = pendingCard(view)
            mouseClick(findChild(card, "approveButton"))
            compare(model.pending, pending)
            const error = findChild(view, "errorLabel")
            verify(error.visible)
            verify(error.text.indexOf("user") >= 0, error.text)

            // Type a name, approve the first pending request.
            const name = findChild(view, "approverName")
            name.text = ""
            typeText(name, "qml-tester")
            keyClick(Qt.Key_Return)
            compare(model.user, "qml-tester")
            card = pendingCard(view)
            const approvedId = card.requestId
            mouseClick(findChild(card, "approveButton"))
            compare(model.pending, pending - 1)
            compare(findChild(view, "pendingLabel").text, (pending - 1) + " pending")
            tryVerify(() => cards(view).some(c => c.requestId === approvedId && c.status === "approved"))
            const approved = cards(view).find(c => c.requestId === approvedId)
            compare(approved.decidedBy, "qml-tester")
            compare(findChild(approved, "statusLabel").text, "approved by qml-tester")
            verify(!findChild(approved, "approveButton").visible)

            // Reject the next with a reason.
            card = pendingCard(view)
            const rejectedId = card.requestId
            typeText(findChild(card, "noteField"), "keep it warm")
            mouseClick(findChild(card, "rejectButton"))
            compare(model.pending, pending - 2)
            tryVerify(() => cards(view).some(c => c.requestId === rejectedId && c.status === "rejected"))
        }
    }
}
