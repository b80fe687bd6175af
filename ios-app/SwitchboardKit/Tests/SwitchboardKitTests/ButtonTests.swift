// The SDK's buttons other than leave: the coordinator forwards every ButtonClickListener callback,
// the core records it and leaves the action to the SDK, whose result arrives as a media callback.
import Foundation
import SwitchboardKit
import XCTest

final class ButtonTests: XCTestCase {
    private let everyButton: [SdkButton] = [
        .toggleAudio, .toggleVideo, .switchCamera, .raiseHand, .shareInvite, .changeLayout,
        .participantList, .chat, .recordingToggle,
    ]

    @MainActor
    func testTheSdksMuteButtonIsLoggedAndTheSdkMutesItself() async throws {
        try await withHarness { h in
            await h.joinCall("mute-button")
            let before = h.sdk.calls

            h.sdk.pressButton(.toggleAudio)
            await h.settle()

            XCTAssertTrue(h.viewModel.isMuted, "the SDK's onAudioMuted reached the view")
            XCTAssertEqual(h.sdk.calls, before, "the core sent the SDK nothing: it muted itself")
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
        }
    }

    @MainActor
    func testEveryOtherButtonReachesTheLogAndChangesNothing() async throws {
        try await withHarness { h in
            await h.joinCall("all-buttons")
            let before = h.sdk.calls
            for button in everyButton where button != .toggleAudio && button != .toggleVideo {
                h.sdk.pressButton(button)
            }
            await h.settle()
            XCTAssertEqual(h.sdk.calls, before)
            XCTAssertTrue(h.viewModel.state.isInCall, "\(h.viewModel.state)")
            XCTAssertFalse(h.viewModel.isMuted)

            let file = h.dataDirectory.appendingPathComponent("buttons.jsonl")
            _ = try h.core.exportLog(to: file, redact: false)
            let log = try String(contentsOf: file, encoding: .utf8)
            let clicks = log.split(separator: "\n").filter { $0.contains("\"button_clicked\"") }
            // All but the two media buttons (not pressed here) and the share button, which the
            // router takes as a share request: it shares the meeting link (InviteTests).
            XCTAssertEqual(clicks.count, everyButton.count - 3, log)
            XCTAssertTrue(clicks.contains { $0.contains("\"recording_toggle\"") }, log)
            XCTAssertTrue(log.contains("\"share_invite\""), log)
            XCTAssertEqual(h.system.shared.count, 1)
        }
    }
}
