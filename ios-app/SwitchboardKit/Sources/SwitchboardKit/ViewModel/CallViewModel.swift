// The call screen's view model: renders the core's `UiState` and turns the user's taps into the
// core's inputs. It decides nothing and remembers nothing but the last state: whether the call view
// is up, what the alert says, whether a banner shows are all computed from that `UiState`, so a
// change of what the user sees is made in the core only (DESIGN section 5).
//
// The core's `render` calls (through `UiObserverBridge`) come on the core's threads; the view model
// hops to the main actor (FIFO, see MainThread) before publishing. SwiftUI observes it through
// ObservableObject where Combine exists; elsewhere (Linux tests) `onRender` reports each state.
import Foundation
#if canImport(Combine)
import Combine
#endif

/// Renders `UiState` for the call UI.
@MainActor
public final class CallViewModel {
    /// The state last rendered: everything below is computed from it.
    public private(set) var state: UiState = .idle

    /// Called after each state is applied (on the main actor).
    public var onRender: ((UiState) -> Void)?

    private weak var core: SwitchboardProxyProtocol?

    /// A view model showing `.idle`; `attach(_:)` gives it the core.
    public nonisolated init() {}

    /// The core the intents go to (held weakly: the core holds this view model).
    public func attach(_ core: SwitchboardProxyProtocol) {
        self.core = core
    }

    /// The core's render call, on one of its threads.
    public nonisolated func render(state: UiState) {
        MainThread.async { self.apply(state) }
    }

    // MARK: - What the views show

    /// The call view (the SDK's container) is on screen: joining, in the call, or leaving. The
    /// core's answer (`uiShowsCallView`), so which states show it is decided in Rust only.
    public var isCallViewPresented: Bool {
        uiShowsCallView(state: state)
    }

    /// The call's title while joining.
    public var title: String {
        if case let .joining(_, title, _, _) = state { return title }
        return ""
    }

    /// The session on screen.
    public var sessionID: String? {
        switch state {
        case let .joining(sessionId, _, _, _), let .inCall(sessionId, _, _, _, _, _, _, _, _, _):
            return sessionId
        default:
            return nil
        }
    }

    /// The join is held: what it waits for, as a line under the title ("Connecting to the calling
    /// service…"). Nil once the join went out.
    public var connectingMessage: String? {
        guard case let .joining(_, _, _, waitingFor?) = state else { return nil }
        return waitingFor.message
    }

    /// The connection dropped and the SDK is reconnecting: show the banner.
    public var isReconnecting: Bool { inCall?.reconnecting ?? false }
    /// The local microphone is muted.
    public var isMuted: Bool { inCall?.muted ?? false }
    /// The local camera is off.
    public var isCameraOff: Bool { inCall?.cameraOff ?? false }
    /// The current audio output.
    public var audioRoute: AudioPort { inCall?.audioRoute ?? .other }
    /// Participants, the local user included.
    public var participantCount: UInt32 { inCall?.participantCount ?? 0 }
    /// Audio is interrupted (a phone call, Siri).
    public var isAudioInterrupted: Bool { inCall?.audioInterrupted ?? false }
    /// The camera is denied: the video call was joined with video paused.
    public var isCameraUnavailable: Bool { inCall?.cameraUnavailable ?? false }
    /// The audio session could not be activated (the core tries again on the next foreground or
    /// route change).
    public var isAudioUnavailable: Bool { inCall?.audioUnavailable ?? false }

    /// The in-call indicators (audio unavailable, camera unavailable), one line each, in the
    /// order they show: the core's words (`uiCallNotices`).
    public var callNotices: [String] {
        uiCallNotices(state: state)
    }

    /// We asked the SDK to leave and wait for its answer.
    public var isLeaving: Bool { state == .leaving }

    /// A link for another session arrived during this call: ask whether to switch to it.
    public var switchOffer: String? {
        switch state {
        case let .joining(_, _, switchOffer, _), let .inCall(_, _, _, _, _, _, _, switchOffer, _, _):
            return switchOffer
        default:
            return nil
        }
    }

    /// The error to show as an alert (the call view is already gone); OK calls `dismissAlert()`.
    public var alertMessage: String? {
        if case let .error(message, _, _) = state { return message }
        return nil
    }

    /// The alert offers "Open Settings" (a permission is off); it calls `openSettings()`.
    public var canOpenSettings: Bool {
        if case let .error(_, _, openSettings) = state { return openSettings }
        return false
    }

    /// Why the last call ended, for the home screen; `dismissEnded()` clears it.
    public var endedMessage: String? {
        if case let .ended(_, message, _) = state { return message }
        return nil
    }

    /// Offer "retry" for the failed or closed call.
    public var canRetry: Bool {
        switch state {
        case let .ended(_, _, canRetry), let .error(_, canRetry, _): return canRetry
        default: return false
        }
    }

    // MARK: - Intents

    /// The user typed a session id and asked to join.
    public func join(sessionID: String) {
        let id = sessionID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !id.isEmpty else { return }
        core?.join(sessionID: id)
    }

    /// "New meeting": a call in a session nobody is in yet, with a fresh id (its link can be
    /// shared from the call's invite button).
    public func newMeeting(sessionID: String = UUID().uuidString) {
        core?.newMeeting(sessionID: sessionID)
    }

    /// The app's own leave control.
    public func leave() { core?.leave() }
    /// The app's microphone toggle.
    public func toggleMic() { core?.toggleMic() }
    /// The app's camera toggle.
    public func toggleCamera() { core?.toggleCamera() }
    /// Loudspeaker on or off.
    public func selectSpeaker(_ speaker: Bool) { core?.selectAudioRoute(speaker: speaker) }
    /// The call view's container is on screen (the SDK can draw into it).
    public func callViewAppeared() { core?.viewAppeared() }
    /// The call view's container left the screen.
    public func callViewDisappeared() { core?.viewDisappeared() }
    /// The alert's OK.
    public func dismissAlert() { core?.dismiss() }
    /// The ended call's message was read.
    public func dismissEnded() { core?.dismiss() }
    /// Try the failed or closed call again.
    public func retry() { core?.retry() }
    /// The alert's "Open Settings".
    public func openSettings() { core?.openSettings() }
    /// The answer to "switch to the other call?".
    public func answerSwitch(accept: Bool) { core?.answerSwitch(accept: accept) }

    // MARK: - Rendering

    /// `.inCall`'s fields, read from `state` each time (a view of it, never a copy kept).
    private var inCall: (
        reconnecting: Bool, muted: Bool, cameraOff: Bool, audioRoute: AudioPort, participantCount: UInt32,
        audioInterrupted: Bool, cameraUnavailable: Bool, audioUnavailable: Bool
    )? {
        guard case let .inCall(_, reconnecting, muted, cameraOff, audioRoute, participantCount, audioInterrupted, _,
                               cameraUnavailable, audioUnavailable) = state
        else { return nil }
        return (reconnecting, muted, cameraOff, audioRoute, participantCount, audioInterrupted, cameraUnavailable,
                audioUnavailable)
    }

    /// Publishes `state`. Internal so tests and previews can drive it without a core.
    func apply(_ state: UiState) {
        #if canImport(Combine)
        objectWillChange.send()
        #endif
        self.state = state
        onRender?(state)
    }
}

#if canImport(Combine)
extension CallViewModel: ObservableObject {}
#endif

public extension WaitingFor {
    /// The line the joining screen shows: the core's words (`waitingForMessage` is exported by
    /// the FFI, so the text lives in one language only).
    var message: String {
        waitingForMessage(waitingFor: self)
    }
}
