// Joining: once per view (rule 7), either completion order (rule 4), the spurious INIT ERROR
// (rule 5), real join errors as an alert, and the core's join timeout.
import SwitchboardKit
import XCTest

final class JoinTests: XCTestCase {
    @MainActor
    func testTheViewAppearingTwiceJoinsOnce() async throws {
        try await withHarness(script: []) { h in
            await h.open("appears-twice")
            XCTAssertEqual(h.sdk.joinCount, 0, "no join before the SDK has its container")

            await h.appear()
            await h.disappear() // a navigation push covers the view...
            await h.appear() // ...and pops back
            await h.appear()

            XCTAssertEqual(h.sdk.joinCount, 1, "\(h.sdk.calls)")
            XCTAssertEqual(h.sdk.joinedSessionIDs, ["appears-twice"])
            await h.fire(.joinSucceeded)
            XCTAssertTrue(h.viewModel.state.isInCall)
            XCTAssertEqual(h.sdk.joinCount, 1)
        }
    }

    @MainActor
    func testAnAuthTokenErrorShowsAnAlertThenDismisses() async throws {
        let error = SdkEvent.joinFailed(code: .authToken, message: "User not logged in or auth token invalid")
        try await withHarness(script: [error]) { h in
            await h.joinCall("auth-error")

            XCTAssertFalse(h.viewModel.isCallViewPresented, "an error takes the call view down")
            let alert = try XCTUnwrap(h.viewModel.alertMessage)
            XCTAssertTrue(alert.contains("AUTH TOKEN ERROR"), alert)
            XCTAssertTrue(h.viewModel.state.isError, "\(h.viewModel.state)")

            await h.disappear()
            h.viewModel.dismissAlert() // the alert's OK
            await h.settle()
            XCTAssertNil(h.viewModel.alertMessage)
            XCTAssertEqual(h.viewModel.state, .idle)
            XCTAssertEqual(h.sdk.joinCount, 1)
        }
    }

    @MainActor
    func testASpuriousInitErrorThenSuccessJoins() async throws {
        let spurious = SdkEvent.joinFailed(code: .`init`, message: "CometChatCalls in not Initialised properly")
        try await withHarness(script: [spurious, .joinSucceeded]) { h in
            await h.joinCall("init-once")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertNil(h.viewModel.alertMessage)
            XCTAssertFalse(h.sawState { $0.isError })
        }
    }

    @MainActor
    func testInitErrorTwiceThenSuccessJoins() async throws {
        let spurious = SdkEvent.joinFailed(code: .`init`, message: "CometChatCalls in not Initialised properly")
        try await withHarness(script: [spurious, spurious, .joinSucceeded, .sessionJoined]) { h in
            await h.joinCall("init-twice")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertTrue(h.viewModel.isCallViewPresented)
            XCTAssertNil(h.viewModel.alertMessage)
            XCTAssertEqual(h.endings, 0)
            XCTAssertEqual(h.sdk.joinCount, 1, "the core waits; it never retries the join itself")
        }
    }

    @MainActor
    func testOnSessionJoinedBeforeOnSuccessJoinsOnce() async throws {
        try await withHarness(script: [.sessionJoined, .joinSucceeded]) { h in
            await h.joinCall("joined-first")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertEqual(h.rendered.filter { $0.isInCall }.count, 1, "the second completion changes nothing: \(h.rendered)")
            XCTAssertEqual(h.sdk.joinCount, 1)
        }
    }

    @MainActor
    func testAJoinThatNeverCompletesTimesOut() async throws {
        try await withHarness(script: [], joinTimeoutMs: 200) { h in
            await h.joinCall("never-joins")
            XCTAssertTrue(h.viewModel.isCallViewPresented)
            XCTAssertEqual(h.viewModel.title, "XCTest call")

            await h.eventually("the join timeout") { h.viewModel.alertMessage != nil }
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertTrue(h.viewModel.canRetry)
            XCTAssertEqual(h.sdk.leaveCount, 1, "the SDK is told to stop, so it cannot join a dismissed view")

            // A late success from the SDK is recorded and ignored.
            await h.fire(.joinSucceeded)
            XCTAssertTrue(h.viewModel.state.isError)

            await h.disappear()
            h.viewModel.retry()
            await h.settle()
            XCTAssertTrue(h.viewModel.isCallViewPresented, "retry starts a new attempt")
            await h.appear()
            XCTAssertEqual(h.sdk.joinCount, 2)
        }
    }
}
