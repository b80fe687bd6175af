// CallViewModel on its own: what each UiState shows, and that renders from the core's threads are
// applied on the main thread in the order they were made.
import Foundation
@testable import SwitchboardKit
import XCTest

final class CallViewModelTests: XCTestCase {
    /// The view model keeps the last UiState and nothing else about the call: besides it, only the
    /// render hook and the (weak) core it sends intents to. A second copy of any field would be a
    /// second source of truth.
    @MainActor
    func testTheOnlyStoredStateIsTheLastUiState() async {
        let vm = CallViewModel()
        vm.apply(inCall(reconnecting: true, muted: true, participantCount: 3, switchOffer: nil))
        let stored = Mirror(reflecting: vm).children.map { $0.label ?? "?" }
        XCTAssertEqual(stored.sorted(), ["core", "onRender", "state"], "\(stored)")
        let states = Mirror(reflecting: vm).children.filter { $0.value is UiState }
        XCTAssertEqual(states.map(\.label), ["state"])
    }

    @MainActor
    func testEachStateShowsWhatItSays() async {
        let vm = CallViewModel()
        XCTAssertFalse(vm.isCallViewPresented)

        vm.apply(.joining(sessionId: "s1", title: "Standup", switchOffer: nil, waitingFor: nil))
        XCTAssertTrue(vm.isCallViewPresented)
        XCTAssertEqual(vm.title, "Standup")
        XCTAssertEqual(vm.sessionID, "s1")
        XCTAssertNil(vm.connectingMessage, "the join went out: no connecting line")

        vm.apply(inCall(reconnecting: true, muted: true, participantCount: 3, switchOffer: "s2"))
        XCTAssertTrue(vm.isCallViewPresented)
        XCTAssertEqual(vm.title, "", "only the joining state has a title")
        XCTAssertTrue(vm.isReconnecting)
        XCTAssertTrue(vm.isMuted)
        XCTAssertEqual(vm.participantCount, 3)
        XCTAssertEqual(vm.audioRoute, .speaker)
        XCTAssertEqual(vm.switchOffer, "s2")
        XCTAssertEqual(vm.callNotices, [])

        vm.apply(.leaving)
        XCTAssertTrue(vm.isCallViewPresented)
        XCTAssertTrue(vm.isLeaving)
        XCTAssertFalse(vm.isReconnecting)
        XCTAssertNil(vm.switchOffer)

        vm.apply(.ended(reason: .connectionClosed, message: "closed", canRetry: true))
        XCTAssertFalse(vm.isCallViewPresented)
        XCTAssertEqual(vm.endedMessage, "closed")
        XCTAssertTrue(vm.canRetry)
        XCTAssertNil(vm.alertMessage)
        XCTAssertNil(vm.sessionID)

        vm.apply(.error(message: "bad", canRetry: false, openSettings: false))
        XCTAssertFalse(vm.isCallViewPresented)
        XCTAssertEqual(vm.alertMessage, "bad")
        XCTAssertFalse(vm.canRetry)
        XCTAssertFalse(vm.canOpenSettings)
        XCTAssertNil(vm.endedMessage)

        vm.dismissAlert() // no core attached: nothing changes until the core renders
        XCTAssertEqual(vm.alertMessage, "bad", "the view model shows the core's state only")
        vm.apply(.idle)
        XCTAssertNil(vm.alertMessage)
        XCTAssertFalse(vm.isCallViewPresented)
    }

    @MainActor
    func testAHeldJoinSaysWhatItWaitsFor() async {
        let vm = CallViewModel()
        vm.apply(.joining(sessionId: "s1", title: "Standup", switchOffer: nil, waitingFor: .callingService))
        XCTAssertEqual(vm.connectingMessage, "Connecting to the calling service…")
        XCTAssertTrue(vm.isCallViewPresented, "the call view is up while the join waits")
        XCTAssertEqual(vm.title, "Standup")

        vm.apply(.joining(sessionId: "s1", title: "Standup", switchOffer: nil, waitingFor: .microphonePermission))
        XCTAssertEqual(vm.connectingMessage, "Waiting for microphone access…")
        vm.apply(.joining(sessionId: "s1", title: "Standup", switchOffer: nil, waitingFor: .cameraPermission))
        XCTAssertEqual(vm.connectingMessage, "Waiting for camera access…")

        vm.apply(.joining(sessionId: "s1", title: "Standup", switchOffer: nil, waitingFor: nil))
        XCTAssertNil(vm.connectingMessage, "released: the join went out")
    }

    @MainActor
    func testAnErrorThatNeedsSettingsOffersOpenSettings() async {
        let vm = CallViewModel()
        vm.apply(.error(message: "Calls need the microphone", canRetry: false, openSettings: true))
        XCTAssertTrue(vm.canOpenSettings)
        XCTAssertEqual(vm.alertMessage, "Calls need the microphone")
        XCTAssertFalse(vm.canRetry)

        vm.apply(.error(message: "Could not join", canRetry: true, openSettings: false))
        XCTAssertFalse(vm.canOpenSettings)
        XCTAssertTrue(vm.canRetry)

        vm.apply(.idle)
        XCTAssertFalse(vm.canOpenSettings)
    }

    @MainActor
    func testTheCameraAndAudioIndicatorsFollowTheCallState() async {
        let vm = CallViewModel()
        vm.apply(inCall(cameraUnavailable: true))
        XCTAssertTrue(vm.isCameraUnavailable)
        XCTAssertFalse(vm.isAudioUnavailable)
        XCTAssertEqual(vm.callNotices.map { $0.hasPrefix("Camera access is off") }, [true])

        vm.apply(inCall(cameraUnavailable: true, audioUnavailable: true))
        XCTAssertTrue(vm.isAudioUnavailable)
        XCTAssertEqual(vm.callNotices.map { $0.prefix(12) }, ["Audio is una", "Camera acces"], "audio first, then camera")

        vm.apply(inCall())
        XCTAssertFalse(vm.isCameraUnavailable)
        XCTAssertFalse(vm.isAudioUnavailable)
        XCTAssertEqual(vm.callNotices, [])

        vm.apply(.leaving)
        XCTAssertEqual(vm.callNotices, [], "the indicators belong to the call")
    }

    @MainActor
    func testNewMeetingAsksTheCoreWithAFreshUUID() async {
        let vm = CallViewModel()
        let core = RecordingCore()
        vm.attach(core)
        vm.newMeeting()
        vm.newMeeting()
        XCTAssertEqual(core.meetings.count, 2)
        for id in core.meetings {
            XCTAssertNotNil(UUID(uuidString: id), id)
        }
        XCTAssertNotEqual(core.meetings[0], core.meetings[1], "each meeting gets its own id")
        vm.newMeeting(sessionID: "chosen")
        XCTAssertEqual(core.meetings.last, "chosen")
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
            .joining(sessionId: "s\(i)", title: "t\(i)", switchOffer: nil, waitingFor: nil)
        }
        await Task.detached {
            for state in states { vm.render(state: state) }
        }.value
        await drainMainQueue()
        XCTAssertEqual(seen, states)
        XCTAssertEqual(vm.sessionID, "s49")
    }
}

/// An `.inCall` state with everything off but what is given.
func inCall(
    reconnecting: Bool = false,
    muted: Bool = false,
    participantCount: UInt32 = 2,
    switchOffer: String? = nil,
    cameraUnavailable: Bool = false,
    audioUnavailable: Bool = false
) -> UiState {
    .inCall(
        sessionId: "s1", reconnecting: reconnecting, muted: muted, cameraOff: false, audioRoute: .speaker,
        participantCount: participantCount, audioInterrupted: false, switchOffer: switchOffer,
        cameraUnavailable: cameraUnavailable, audioUnavailable: audioUnavailable
    )
}

/// A core that records what it is told (for view-model tests without the Rust core); every input
/// is also kept as text, to check what reaches the core.
final class RecordingCore: SwitchboardProxyProtocol, @unchecked Sendable {
    private let lock = NSLock()
    private var inputs: [String] = []
    private var newMeetings: [String] = []

    /// Every input, as text, in order.
    var received: [String] { lock.lock(); defer { lock.unlock() }; return inputs }
    /// The session ids of `newMeeting`.
    var meetings: [String] { lock.lock(); defer { lock.unlock() }; return newMeetings }

    private func note(_ input: String) {
        lock.lock()
        inputs.append(input)
        lock.unlock()
    }

    func openURL(_ url: String) { note("open_url \(url)") }
    func join(sessionID: String) { note("join \(sessionID)") }
    func leave() { note("leave") }
    func sdkEvent(_ event: SdkEvent, attempt: UInt64) { note("sdk_event \(attempt) \(event)") }
    func audioEvent(_ event: AudioEvent) { note("audio_event \(event)") }
    func toggleMic() { note("toggle_mic") }
    func toggleCamera() { note("toggle_camera") }
    func selectAudioRoute(speaker: Bool) { note("select_audio_route \(speaker)") }
    func appState(_ state: AppState) { note("app_state \(state)") }
    func viewAppeared() { note("view_appeared") }
    func viewDisappeared() { note("view_disappeared") }
    func retry() { note("retry") }
    func dismiss() { note("dismiss") }
    func answerSwitch(accept: Bool) { note("answer_switch \(accept)") }
    func setupEvent(_ event: SetupEvent) { note("setup_event \(event)") }
    func permissionChanged(media: MediaKind, status: Authorization) { note("permission_changed \(media) \(status)") }
    func openSettings() { note("open_settings") }
    func newMeeting(sessionID: String) {
        note("new_meeting \(sessionID)")
        lock.lock()
        newMeetings.append(sessionID)
        lock.unlock()
    }
    var uiState: UiState { .idle }
}
