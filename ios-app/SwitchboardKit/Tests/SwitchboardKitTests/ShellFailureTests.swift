// Rule 13: a port method the shell could not carry out throws, the core records the failed call in
// its log with the shell's message, and goes on (or reacts, where it must: a failed init or login
// is a failed setup step).
import Foundation
@testable import SwitchboardKit
import XCTest

final class ShellFailureTests: XCTestCase {
    /// A whole call in which the adapter cannot register listeners or start the join: the
    /// failure is logged with the adapter's message and the call still ends.
    @MainActor
    func testAProxyThatThrowsIsLoggedAndTheCallStillEnds() async throws {
        for method in [FakeCometChat.Method.registerListeners, .joinSession] {
            let sdk = FakeCometChat()
            let message = "fake \(method.rawValue) failed"
            sdk.failures = [method: message]
            try await withHarness(sdk: sdk, joinTimeoutMs: 300, leaveAckTimeoutMs: 300) { h in
                await h.joinCall("fails-\(method.rawValue)")
                h.viewModel.leave()
                await h.eventually("the call with a failing \(method.rawValue) ends") { !h.viewModel.isCallViewPresented }

                let failures = try h.portFailures()
                XCTAssertFalse(failures.isEmpty, "\(method): no port_failed in the log")
                XCTAssertTrue(failures.allSatisfy { $0.contains(message) }, "\(method): \(failures)")
                XCTAssertEqual(h.endings, 1, "\(method): \(h.rendered)")
            }
        }
    }

    /// The SDK lost its session under a live call (`isCallSessionActive()` false): the bridge
    /// refuses the in-call actions, each refusal is logged, and the leave still goes out and ends
    /// the call.
    @MainActor
    func testInCallActionsWithNoActiveSessionAreLoggedAndTheLeaveStillEnds() async throws {
        try await withHarness(leaveAckTimeoutMs: 300) { h in
            await h.joinCall("session-lost")
            XCTAssertTrue(h.viewModel.state.isInCall)
            h.sdk.sessionLost = true
            h.viewModel.toggleMic()
            h.viewModel.toggleCamera()
            h.viewModel.selectSpeaker(true)
            await h.settle()
            let failures = try h.portFailures()
            XCTAssertEqual(failures.count, 3, "\(failures)")
            for action in ["set_audio_muted", "set_video_paused", "set_audio_mode"] {
                XCTAssertTrue(failures.contains { $0.contains(action) && $0.contains("no active call session") }, "\(action): \(failures)")
            }
            XCTAssertFalse(h.sdk.calls.contains(.setAudioMuted(true)), "nothing reached the SDK")

            h.viewModel.leave()
            await h.eventually("the call ends") { !h.viewModel.isCallViewPresented }
            XCTAssertEqual(h.sdk.leaveCount, 1, "a leave is never refused")
            XCTAssertEqual(h.endings, 1)
        }
    }

    @MainActor
    func testAFailingInitIsAFailedSetupStep() async throws {
        let sdk = FakeCometChat()
        sdk.failures = [.initialise: "no CometChat App ID in Info.plist"]
        try await withHarness(sdk: sdk) { h in
            await h.settle()
            XCTAssertEqual(try h.portFailures().count, 1)
            await h.open("init-throws")
            XCTAssertEqual(h.sdk.initCount, 2, "the join asks for init again")
            XCTAssertEqual(h.sdk.joinCount, 0)
            let alert = try XCTUnwrap(h.viewModel.alertMessage, "\(h.viewModel.state)")
            XCTAssertTrue(alert.contains("no CometChat App ID in Info.plist"), alert)
            XCTAssertTrue(h.viewModel.canRetry)

            // Fixed (the next init works): retry joins.
            h.sdk.failures = [:]
            await h.disappear()
            h.viewModel.retry()
            await h.settle()
            await h.appear()
            XCTAssertEqual(h.sdk.joinCount, 1)
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
        }
    }

    @MainActor
    func testALoginThatIsNeededAndFailsIsAFailedSetupStep() async throws {
        let sdk = FakeCometChat(initResponse: .succeeded(loggedIn: false), loginResponse: .failed(description: "ERROR_BLANK_AUTHTOKEN"))
        try await withHarness(sdk: sdk) { h in
            await h.settle() // the launch's login has failed
            XCTAssertEqual(h.sdk.loginCount, 1)
            await h.open("login-fails")
            XCTAssertEqual(h.sdk.loginCount, 2, "the join logs in again: \(h.sdk.calls)")
            let alert = try XCTUnwrap(h.viewModel.alertMessage, "\(h.viewModel.state)")
            XCTAssertTrue(alert.contains("ERROR_BLANK_AUTHTOKEN"), alert)
            XCTAssertEqual(h.sdk.joinCount, 0)
        }
    }

    // MARK: - The forwarder before the core exists

    func testReportsBeforeAttachAreDeliveredInOrderByIt() {
        let forwarder = SdkCallbackForwarder()
        forwarder.setup(.initSucceeded(request: 1, loggedIn: false))
        forwarder.send(.joinSucceeded, attempt: 3)
        forwarder.setup(.loginSucceeded)
        let core = RecordingCore()
        XCTAssertEqual(core.received, [])
        forwarder.attach(core)
        XCTAssertEqual(core.received, [
            "setup_event \(SetupEvent.initSucceeded(request: 1, loggedIn: false))",
            "sdk_event 3 \(SdkEvent.joinSucceeded)",
            "setup_event \(SetupEvent.loginSucceeded)",
        ])
        forwarder.setup(.loginSucceeded)
        XCTAssertEqual(core.received.count, 4, "once attached, reports go straight through")
    }
}
