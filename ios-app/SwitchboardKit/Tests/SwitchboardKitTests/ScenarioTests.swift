// Whole calls, as a user lives them: the happy path and the dropped connection.
import SwitchboardKit
import XCTest

final class ScenarioTests: XCTestCase {
    @MainActor
    func testHappyCall() async throws {
        try await withHarness { h in
            await h.settle()
            XCTAssertEqual(h.sdk.calls.first, .initCalls(request: 1), "the launch asks for init #1")
            XCTAssertFalse(h.sdk.calls.contains(.initChat), "standalone mode never initialises the chat SDK")

            await h.open("happy-call")
            XCTAssertTrue(h.viewModel.isCallViewPresented, "the link opens the call view")
            XCTAssertEqual(h.viewModel.title, "XCTest call")
            XCTAssertEqual(h.viewModel.sessionID, "happy-call")

            await h.appear()
            let attempt = try XCTUnwrap(h.sdk.forwarder.attempt)
            XCTAssertTrue(h.sdk.calls.contains(.registerListeners(attempt: attempt)))
            let settings = try SessionSettings.standard(title: "XCTest call")
            XCTAssertTrue(h.sdk.calls.contains(.joinSession(
                attempt: attempt,
                sessionID: "happy-call",
                settings: settings
            )))
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertEqual(h.viewModel.sessionID, "happy-call")
            XCTAssertTrue(h.audio.calls.contains(.activate))
            XCTAssertTrue(h.audio.calls.contains {
                if case .configure(.playAndRecord, _, let options) = $0 { return options.allowBluetooth && options.defaultToSpeaker }
                return false
            }, "\(h.audio.calls)")

            h.viewModel.toggleMic()
            await h.settle()
            XCTAssertTrue(h.viewModel.isMuted)
            XCTAssertTrue(h.sdk.calls.contains(.setAudioMuted(attempt: attempt, muted: true)))

            await h.fire(.participantCountChanged(count: 2))
            XCTAssertEqual(h.viewModel.participantCount, 2)

            h.viewModel.leave()
            await h.settle()
            XCTAssertTrue(h.sawState { $0 == .leaving })
            XCTAssertTrue(h.viewModel.state.ended(.localLeave), "\(h.viewModel.state)")
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertEqual(h.sdk.leaveCount, 1)
            XCTAssertEqual(h.audio.calls.last, .deactivate(notifyOthers: true))

            await h.disappear()
            h.viewModel.dismissEnded()
            await h.settle()
            XCTAssertEqual(h.viewModel.state, .idle)
            XCTAssertNil(h.viewModel.endedMessage)
        }
    }

    @MainActor
    func testDroppedConnectionShowsTheBannerThenEnds() async throws {
        try await withHarness { h in
            await h.joinCall("drop")
            XCTAssertFalse(h.viewModel.isReconnecting)

            await h.fire(.connectionLost)
            XCTAssertTrue(h.viewModel.isReconnecting, "the reconnecting banner shows")
            XCTAssertTrue(h.viewModel.isCallViewPresented, "a lost connection never ends the call")

            await h.fire(.connectionRestored)
            XCTAssertFalse(h.viewModel.isReconnecting)

            await h.fire(.connectionLost)
            XCTAssertTrue(h.viewModel.isReconnecting)

            await h.fire(.connectionClosed)
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertFalse(h.viewModel.isReconnecting)
            XCTAssertTrue(h.viewModel.state.ended(.connectionClosed), "\(h.viewModel.state)")
            XCTAssertTrue(h.viewModel.canRetry)
            XCTAssertEqual(h.rendered.filter { $0.isReconnecting }.count, 2, "\(h.rendered)")
            XCTAssertEqual(h.endings, 1)
        }
    }

    @MainActor
    func testConnectionLostThenClosedEndsTheCall() async throws {
        try await withHarness { h in
            await h.joinCall("lost-closed")
            await h.fire(.connectionLost)
            XCTAssertTrue(h.viewModel.isReconnecting)

            await h.fire(.connectionClosed)
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertTrue(h.viewModel.state.ended(.connectionClosed), "\(h.viewModel.state)")
            XCTAssertEqual(h.sdk.leaveCount, 0)
        }
    }

    @MainActor
    func testALinkForTheSameCallDoesNothingAndABadLinkShowsAnAlert() async throws {
        try await withHarness { h in
            await h.joinCall("same-call")
            await h.open("same-call")
            XCTAssertEqual(h.sdk.joinCount, 1)
            XCTAssertNil(h.viewModel.switchOffer)

            await h.open("other-call")
            XCTAssertEqual(h.viewModel.switchOffer, "other-call", "a link for another call asks to switch")
            h.viewModel.answerSwitch(accept: false)
            await h.settle()
            XCTAssertNil(h.viewModel.switchOffer)
            XCTAssertTrue(h.viewModel.state.isInCall)

            h.viewModel.leave()
            await h.settle()
            await h.disappear()
            h.viewModel.dismissEnded()
            await h.settle()

            h.core.openURL("https://evil.example/meet/abc")
            await h.settle()
            XCTAssertNotNil(h.viewModel.alertMessage, "a rejected link is explained")
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            h.viewModel.dismissAlert()
            await h.settle()
            XCTAssertEqual(h.viewModel.state, .idle)
        }
    }
}
