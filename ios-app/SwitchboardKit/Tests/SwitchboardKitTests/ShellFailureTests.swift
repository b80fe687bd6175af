// Rule 13: a port method the shell could not carry out throws, the core records the failed call in
// its log with the shell's message, and goes on (or reacts, where it must: a failed init or login
// is a failed setup step).
import Foundation
@testable import SwitchboardKit
import XCTest

final class ShellFailureTests: XCTestCase {
    /// A whole call in which one SDK method throws: the failure is logged and the call still ends.
    @MainActor
    func testEachFailingCallMethodIsLoggedAndTheCallStillEnds() async throws {
        let methods: [FakeCallsSDK.Method] = [
            .registerListeners, .joinSession, .setAudioMuted, .setVideoPaused, .setAudioMode, .leaveSession,
        ]
        for method in methods {
            let sdk = FakeCallsSDK()
            let message = "fake \(method.rawValue) failed"
            sdk.failures = [method: message]
            try await withHarness(sdk: sdk, joinTimeoutMs: 300, leaveAckTimeoutMs: 300) { h in
                await h.joinCall("fails-\(method.rawValue)")
                h.viewModel.toggleMic()
                h.viewModel.toggleCamera()
                h.viewModel.selectSpeaker(true)
                await h.settle()
                h.viewModel.leave()
                await h.eventually("the call with a failing \(method.rawValue) ends") { !h.viewModel.isCallViewPresented }

                XCTAssertTrue(h.sdk.calls.contains { $0.method == method }, "\(method): \(h.sdk.calls)")
                let failures = try h.portFailures()
                XCTAssertFalse(failures.isEmpty, "\(method): no port_failed in the log")
                XCTAssertTrue(failures.allSatisfy { $0.contains(message) }, "\(method): \(failures)")
                XCTAssertEqual(h.endings, 1, "\(method): \(h.rendered)")
            }
        }
    }

    @MainActor
    func testAFailingInitIsAFailedSetupStep() async throws {
        let sdk = FakeCallsSDK()
        sdk.failures = [.initCalls: "no CometChat App ID in Info.plist"]
        try await withHarness(sdk: sdk) { h in
            await h.settle()
            XCTAssertEqual(try h.portFailures().count, 1)
            await h.open("init-throws")
            XCTAssertEqual(h.sdk.initRequests, [1, 2], "the join asks for init again, as #2")
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
        let sdk = FakeCallsSDK(initResponse: .initSucceeded(loggedIn: false), loginResponse: .loginFailed(message: "ERROR_BLANK_AUTHTOKEN"))
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

    @MainActor
    func testTheSdkIsInitialisedAgainAfterEveryCall() async throws {
        try await withHarness { h in
            await h.settle()
            XCTAssertEqual(h.sdk.initCount, 1)
            await h.joinCall("first")
            h.viewModel.leave()
            await h.settle()
            XCTAssertEqual(h.sdk.initRequests, [1, 2], "re-init after the call: \(h.sdk.calls)")

            await h.disappear()
            h.viewModel.dismissEnded()
            await h.joinCall("second")
            XCTAssertEqual(h.sdk.joinedSessionIDs, ["first", "second"])
            XCTAssertTrue(h.viewModel.state.isInCall)
        }
    }

    // MARK: - Numbered inits

    /// The fake answers each init for the request it was given, and `answerInit` reports a late
    /// completion for any request as it is: the fake filters nothing, as the bridge filters nothing.
    func testTheFakeAnswersEachInitForItsRequestAndReportsEveryCompletion() throws {
        let core = RecordingCore()
        let sdk = FakeCallsSDK(initResponse: .initFailed(message: "App ID is invalid"), forwarder: SdkCallbackForwarder(core: core))
        try sdk.initCalls(request: 4)
        sdk.initResponse = .initSucceeded(loggedIn: false)
        try sdk.initCalls(request: 5)
        sdk.answerInit(.initSucceeded(loggedIn: true), request: 4) // #4's late second answer
        XCTAssertEqual(sdk.initRequests, [4, 5])
        XCTAssertEqual(core.received, [
            "setup_event \(SetupEvent.initFailed(request: 4, message: "App ID is invalid"))",
            "setup_event \(SetupEvent.initSucceeded(request: 5, loggedIn: false))",
            "setup_event \(SetupEvent.initSucceeded(request: 4, loggedIn: true))",
        ])
        withExtendedLifetime(core) {}
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
