// Rule 6: the SDK's leave button and the app's leave both lead to one leave_session; the core, not
// the shell, decides to leave.
import SwitchboardKit
import XCTest

final class LeaveTests: XCTestCase {
    @MainActor
    func testTheLeaveButtonLeadsToExactlyOneLeaveSession() async throws {
        try await withHarness { h in
            h.sdk.leaveResponse = nil // the SDK's answer comes later, below
            await h.joinCall("leave-button")

            h.sdk.pressLeaveButton()
            h.viewModel.leave() // the user also taps the app's own control
            h.sdk.pressLeaveButton() // and the SDK's button again
            await h.settle()

            XCTAssertEqual(h.sdk.leaveCount, 1, "\(h.sdk.calls)")
            XCTAssertEqual(h.viewModel.state, .leaving)
            XCTAssertTrue(h.viewModel.isCallViewPresented, "the view stays up until the SDK has left")

            await h.fire(.sessionLeft)
            XCTAssertTrue(h.viewModel.state.ended(.localLeave), "\(h.viewModel.state)")
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertEqual(h.sdk.leaveCount, 1)
        }
    }

    @MainActor
    func testTheAppsLeaveEndsTheCallWhenTheSdkAnswers() async throws {
        try await withHarness { h in
            await h.joinCall("app-leave")
            h.viewModel.leave() // the fake answers leave_session with onSessionLeft
            await h.settle()

            XCTAssertEqual(h.sdk.leaveCount, 1)
            XCTAssertTrue(h.sawState { $0 == .leaving })
            XCTAssertTrue(h.viewModel.state.ended(.localLeave), "\(h.viewModel.state)")
            XCTAssertFalse(h.viewModel.isCallViewPresented)
        }
    }

    @MainActor
    func testALeaveTheSdkNeverAnswersEndsByTheCoresTimeout() async throws {
        try await withHarness(leaveAckTimeoutMs: 200) { h in
            h.sdk.leaveResponse = nil
            await h.joinCall("silent-leave")
            h.viewModel.leave()
            await h.settle()
            XCTAssertEqual(h.viewModel.state, .leaving)

            await h.eventually("the leave timeout ends the call") { !h.viewModel.isCallViewPresented }
            XCTAssertTrue(h.viewModel.state.ended(.localLeave), "\(h.viewModel.state)")
            XCTAssertEqual(h.sdk.leaveCount, 1)
        }
    }
}
