// Whole calls, as a user lives them: the happy path and the dropped connection.
import SwitchboardKit
import XCTest

final class ScenarioTests: XCTestCase {
    @MainActor
    func testHappyCall() async throws {
        try await withHarness { h in
            await h.settle()
            XCTAssertEqual(h.sdk.calls, [.initialise], "the launch initialises the SDK; a user is logged in, so no login")
            XCTAssertTrue(try h.exportedLog().contains("\"init_calls\":{\"request\":1}"), "as init #1")

            await h.open("happy-call")
            XCTAssertTrue(h.viewModel.isCallViewPresented, "the link opens the call view")
            XCTAssertEqual(h.viewModel.title, "XCTest call")
            XCTAssertEqual(h.viewModel.sessionID, "happy-call")

            await h.appear()
            let settings = try SessionSettings.standard(title: "XCTest call")
            XCTAssertEqual(
                Array(h.sdk.calls.dropFirst()),
                [.registerListeners, .joinSession(sessionID: "happy-call", settings: settings)],
                "listeners first, then the one-step join"
            )
            XCTAssertNotNil(h.sdk.forwarder.attempt, "callbacks are stamped with the attempt")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertEqual(h.viewModel.sessionID, "happy-call")
            XCTAssertTrue(h.audio.calls.contains(.activateAudio))
            XCTAssertTrue(h.audio.calls.contains {
                if case .configureAudio(.playAndRecord, _, let options) = $0 { return options.allowBluetooth && options.defaultToSpeaker }
                return false
            }, "\(h.audio.calls)")

            h.viewModel.toggleMic()
            await h.settle()
            XCTAssertTrue(h.viewModel.isMuted)
            XCTAssertEqual(h.sdk.calls.last, .setAudioMuted(true))

            await h.fire(.participantCountChanged(count: 2))
            XCTAssertEqual(h.viewModel.participantCount, 2)

            h.viewModel.leave()
            await h.settle()
            XCTAssertTrue(h.sawState { $0 == .leaving })
            XCTAssertTrue(h.viewModel.state.ended(.localLeave), "\(h.viewModel.state)")
            XCTAssertFalse(h.viewModel.isCallViewPresented)
            XCTAssertEqual(h.sdk.leaveCount, 1)
            XCTAssertEqual(h.audio.calls.last, .deactivateAudio(notifyOthers: true))

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
