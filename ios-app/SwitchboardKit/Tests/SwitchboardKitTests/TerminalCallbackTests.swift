// Rule 1: onSessionLeft, onConnectionClosed and onSessionTimedOut each end the call and dismiss the
// call view; the first one wins and the others are no-ops.
import SwitchboardKit
import XCTest

final class TerminalCallbackTests: XCTestCase {
    @MainActor
    func testOnSessionLeftDismissesTheCallView() async throws {
        try await assertDismisses(.sessionLeft, reason: .removedOrRemote)
    }

    @MainActor
    func testOnConnectionClosedDismissesTheCallView() async throws {
        try await assertDismisses(.connectionClosed, reason: .connectionClosed)
    }

    @MainActor
    func testOnSessionTimedOutDismissesTheCallView() async throws {
        try await assertDismisses(.sessionTimedOut, reason: .idleTimeout)
    }

    @MainActor
    func testAllThreeTerminalCallbacksTogetherEndTheCallOnce() async throws {
        try await withHarness { h in
            await h.joinCall("all-three")
            XCTAssertTrue(h.viewModel.state.isInCall)

            // The SDK reports one ending three ways, back to back, before the core has handled any.
            h.sdk.fireTerminal(.sessionLeft)
            h.sdk.fireTerminal(.connectionClosed)
            h.sdk.fireTerminal(.sessionTimedOut)
            await h.settle()

            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertTrue(h.viewModel.state.ended(.removedOrRemote), "the first callback wins: \(h.viewModel.state)")
            XCTAssertEqual(h.endings, 1, "exactly one ending: \(h.rendered)")
            XCTAssertEqual(h.sdk.leaveCount, 0, "the SDK ended the call; the app does not leave it again")
            XCTAssertEqual(h.audio.calls.filter { $0 == .deactivateAudio(notifyOthers: true) }.count, 1)
        }
    }

    @MainActor
    private func assertDismisses(
        _ terminal: FakeCometChat.Terminal,
        reason: EndReason,
        file: StaticString = #filePath,
        line: UInt = #line
    ) async throws {
        try await withHarness { h in
            await h.joinCall("terminal-\(terminal)")
            XCTAssertTrue(h.viewModel.isCallViewPresented, file: file, line: line)
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)", file: file, line: line)

            await h.fireTerminal(terminal)

            XCTAssertFalse(h.viewModel.isCallViewPresented, "the call view is stranded", file: file, line: line)
            XCTAssertTrue(h.viewModel.state.ended(reason), "\(h.viewModel.state)", file: file, line: line)
            XCTAssertNotNil(h.viewModel.endedMessage, file: file, line: line)
            XCTAssertNil(h.viewModel.alertMessage, "an ending is not an error", file: file, line: line)

            // The view goes away, the user reads the message: back to idle.
            await h.disappear()
            h.viewModel.dismissEnded()
            await h.settle()
            XCTAssertEqual(h.viewModel.state, .idle, file: file, line: line)
            XCTAssertEqual(h.endings, 1, file: file, line: line)
        }
    }
}
