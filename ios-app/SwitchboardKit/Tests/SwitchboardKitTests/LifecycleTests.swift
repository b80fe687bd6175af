// The iPhone's lifecycle around a call, through the real bridge over the fake SDK: the app killed
// mid-call and launched again (rule 10), a join that waits for the SDK's login (rule 11), and two
// calls with the SDK initialised again between them.
import Foundation
import SwitchboardKit
import XCTest

final class LifecycleTests: XCTestCase {
    /// The app is killed in a call; the next launch opens the same log. The home screen says the
    /// last call was cut off, the new SDK is initialised but joins nothing, and nothing is left
    /// of the old call on screen.
    @MainActor
    func testARelaunchAfterAKillShowsTheNoticeAndJoinsNothing() async throws {
        let first = try CallHarness()
        await first.joinCall("killed-mid-call")
        XCTAssertTrue(first.viewModel.state.isInCall, "\(first.viewModel.state)")
        // The kill: the process ends here; nothing more reaches the log.
        first.core.shutdown()

        let relaunched = try CallHarness(dataDirectory: first.dataDirectory)
        defer { relaunched.finish() }
        await relaunched.settle()
        XCTAssertTrue(relaunched.viewModel.state.ended(.appTerminated), "\(relaunched.viewModel.state)")
        XCTAssertFalse(relaunched.viewModel.isCallViewPresented, "a relaunched app never shows a live call")
        let notice = try XCTUnwrap(relaunched.viewModel.endedMessage)
        XCTAssertFalse(notice.isEmpty)
        XCTAssertTrue(relaunched.viewModel.canRetry, "the cut-off call can be joined again")
        XCTAssertEqual(relaunched.sdk.calls, [.initialise], "the new SDK is initialised and joins nothing")

        // The user reads it and dismisses it; the app is idle.
        relaunched.viewModel.dismissEnded()
        await relaunched.settle()
        XCTAssertEqual(relaunched.viewModel.state, .idle)
    }

    /// Nobody is logged in at launch and the login is slow: a link opens the call view, which says
    /// it is connecting, and the join goes out only once the login has succeeded.
    @MainActor
    func testAJoinWaitsForTheLoginThenJoins() async throws {
        let sdk = FakeCometChat(initResponse: .succeeded(loggedIn: false), loginResponse: nil)
        try await withHarness(sdk: sdk) { h in
            await h.settle()
            XCTAssertEqual(h.sdk.loginTokens, ["fake-auth-token"], "the launch logs in with the app's token")
            XCTAssertEqual(h.tokens.fetches, 1)

            await h.joinCall("slow-login")
            XCTAssertTrue(h.viewModel.isCallViewPresented)
            XCTAssertTrue(h.viewModel.state.isJoining(waitingFor: .callingService), "\(h.viewModel.state)")
            XCTAssertNotNil(h.viewModel.connectingMessage)
            XCTAssertEqual(h.sdk.joinCount, 0, "nothing joins before the login has succeeded")

            h.sdk.answerHeldLogin(0, .succeeded)
            await h.settle()
            XCTAssertEqual(h.sdk.joinedSessionIDs, ["slow-login"])
            XCTAssertNil(h.viewModel.connectingMessage)
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
        }
    }

    /// Two calls, one after the other: the SDK is initialised again when the first ends (as
    /// CometChat's sample does), and the second call registers its listeners afresh.
    @MainActor
    func testTwoCallsWithTheSdkInitialisedAgainBetween() async throws {
        try await withHarness { h in
            let settings = try SessionSettings.standard(title: "XCTest call")
            await h.joinCall("first")
            h.viewModel.leave()
            await h.settle()
            await h.disappear()
            h.viewModel.dismissEnded()
            await h.joinCall("second")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertEqual(h.sdk.calls, [
                .initialise,
                .registerListeners, .joinSession(sessionID: "first", settings: settings), .leaveSession,
                .initialise,
                .registerListeners, .joinSession(sessionID: "second", settings: settings),
            ])
            let log = try h.exportedLog()
            XCTAssertTrue(log.contains("\"init_calls\":{\"request\":2}"), "the re-init is init #2")
        }
    }
}
