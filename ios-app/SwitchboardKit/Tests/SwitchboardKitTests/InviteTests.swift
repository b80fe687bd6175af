// Invites: the SDK's share button shares the meeting link (through the core, which builds it), and
// "New meeting" starts a call in a fresh session.
import Foundation
import SwitchboardKit
import XCTest

final class InviteTests: XCTestCase {
    @MainActor
    func testTheSdksShareButtonSharesTheMeetingLink() async throws {
        try await withHarness { h in
            await h.joinCall("invite-me")
            h.sdk.pressButton(.shareInvite)
            await h.settle()
            XCTAssertEqual(h.system.shared, [URL(string: meetingLink("invite-me"))!])
            XCTAssertTrue(h.viewModel.state.isInCall, "sharing changes nothing in the call")
        }
    }

    @MainActor
    func testNewMeetingJoinsAFreshSessionWhoseLinkCanBeShared() async throws {
        try await withHarness { h in
            h.viewModel.newMeeting()
            await h.settle()
            let id = try XCTUnwrap(h.viewModel.sessionID, "\(h.viewModel.state)")
            XCTAssertNotNil(UUID(uuidString: id), id)
            XCTAssertTrue(h.viewModel.isCallViewPresented)

            await h.appear()
            XCTAssertEqual(h.sdk.joinedSessionIDs, [id])
            h.sdk.pressButton(.shareInvite)
            await h.settle()
            XCTAssertEqual(h.system.shared.map(\.absoluteString), [meetingLink(id)])
        }
    }

    @MainActor
    func testAShareSheetThatCannotBeShownIsLogged() async throws {
        try await withHarness { h in
            h.system.failure = "no window to present the share sheet from"
            await h.joinCall("no-window")
            h.sdk.pressButton(.shareInvite)
            await h.settle()
            XCTAssertEqual(h.system.shared, [])
            let failures = try h.portFailures()
            XCTAssertEqual(failures.count, 1, "\(failures)")
            XCTAssertTrue(failures[0].contains("share_link: no window to present the share sheet from"), failures[0])
            XCTAssertTrue(h.viewModel.state.isInCall)
        }
    }
}
