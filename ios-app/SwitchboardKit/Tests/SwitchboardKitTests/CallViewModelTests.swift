// CallViewModel on its own: what each UiState shows, and that renders from the core's threads are
// applied on the main thread in the order they were made.
import Foundation
@testable import SwitchboardKit
import XCTest

final class CallViewModelTests: XCTestCase {
    @MainActor
    func testEachStateShowsWhatItSays() async {
        let vm = CallViewModel()
        XCTAssertFalse(vm.isCallViewPresented)

        vm.apply(.joining(sessionId: "s1", title: "Standup", switchOffer: nil))
        XCTAssertTrue(vm.isCallViewPresented)
        XCTAssertEqual(vm.title, "Standup")

        vm.apply(.inCall(
            sessionId: "s1", reconnecting: true, muted: true, cameraOff: false, audioRoute: .speaker,
            participantCount: 3, audioInterrupted: false, switchOffer: "s2"
        ))
        XCTAssertTrue(vm.isCallViewPresented)
        XCTAssertEqual(vm.title, "Standup", "the title outlives the joining state")
        XCTAssertTrue(vm.isReconnecting)
        XCTAssertTrue(vm.isMuted)
        XCTAssertEqual(vm.participantCount, 3)
        XCTAssertEqual(vm.switchOffer, "s2")

        vm.apply(.leaving)
        XCTAssertTrue(vm.isCallViewPresented)
        XCTAssertTrue(vm.isLeaving)
        XCTAssertFalse(vm.isReconnecting)

        vm.apply(.ended(reason: .connectionClosed, message: "closed", canRetry: true))
        XCTAssertFalse(vm.isCallViewPresented)
        XCTAssertEqual(vm.endedMessage, "closed")
        XCTAssertTrue(vm.canRetry)
        XCTAssertNil(vm.alertMessage)
        XCTAssertEqual(vm.title, "")

        vm.apply(.error(message: "bad", canRetry: false))
        XCTAssertFalse(vm.isCallViewPresented)
        XCTAssertEqual(vm.alertMessage, "bad")

        vm.dismissAlert() // no core attached: only the alert goes
        XCTAssertNil(vm.alertMessage)
    }

    @MainActor
    func testRendersFromOtherThreadsArriveInOrderOnTheMainThread() async {
        let vm = CallViewModel()
        var seen: [UiState] = []
        vm.onRender = { state in
            XCTAssertTrue(Thread.isMainThread)
            seen.append(state)
        }
        let states: [UiState] = (0..<50).map { i in
            .joining(sessionId: "s\(i)", title: "t\(i)", switchOffer: nil)
        }
        await Task.detached {
            for state in states { vm.render(state: state) }
        }.value
        await drainMainQueue()
        XCTAssertEqual(seen, states)
        XCTAssertEqual(vm.sessionID, "s49")
    }
}
