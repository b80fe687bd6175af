// The call screen's view model: renders the core's `UiState` and turns the user's taps into the
// core's inputs. It decides nothing: whether the call view is up, what the alert says, whether the
// reconnecting banner shows all come from `UiState`.
//
// It is the core's `UiObserver`: the core calls `render` on its own threads, and the view model
// hops to the main actor (FIFO, see MainThread) before publishing. SwiftUI observes it through
// ObservableObject where Combine exists; elsewhere (Linux tests) `onRender` reports each state.
import Foundation
#if canImport(Combine)
import Combine
#endif

/// Renders `UiState` for the call UI.
@MainActor
public final class CallViewModel: UiObserver {
    /// The state last rendered.
    public private(set) var state: UiState = .idle
    /// The call view (the SDK's container) is on screen: joining, in the call, or leaving.
    public private(set) var isCallViewPresented = false
    /// The call's title, from the joining state (kept while in the call).
    public private(set) var title = ""
    /// The session on screen.
    public private(set) var sessionID: String?
    /// The connection dropped and the SDK is reconnecting: show the banner.
    public private(set) var isReconnecting = false
    /// The local microphone is muted.
    public private(set) var isMuted = false
    /// The local camera is off.
    public private(set) var isCameraOff = false
    /// Participants, the local user included.
    public private(set) var participantCount: UInt32 = 0
    /// The current audio output.
    public private(set) var audioRoute: AudioPort = .other
    /// Audio is interrupted (a phone call, Siri).
    public private(set) var isAudioInterrupted = false
    /// We asked the SDK to leave and wait for its answer.
    public private(set) var isLeaving = false
    /// A link for another session arrived during this call: ask whether to switch to it.
    public private(set) var switchOffer: String?
    /// The error to show as an alert (the call view is already gone); OK calls `dismissAlert()`.
    public private(set) var alertMessage: String?
    /// Why the last call ended, for the home screen; `dismissEnded()` clears it.
    public private(set) var endedMessage: String?
    /// Offer "retry" for the failed or closed call.
    public private(set) var canRetry = false

    /// Called after each state is applied (on the main actor).
    public var onRender: ((UiState) -> Void)?

    private weak var core: SwitchboardProxyProtocol?

    /// A view model showing `.idle`; `attach(_:)` gives it the core.
    public nonisolated init() {}

    /// The core the intents go to (held weakly: the core holds this view model).
    public func attach(_ core: SwitchboardProxyProtocol) {
        self.core = core
    }

    // MARK: - UiObserver

    /// The core's render call, on one of its threads.
    public nonisolated func render(state: UiState) {
        MainThread.async { self.apply(state) }
    }

    // MARK: - Intents

    /// The user typed a session id and asked to join.
    public func join(sessionID: String) {
        let id = sessionID.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !id.isEmpty else { return }
        core?.join(sessionID: id)
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
    public func dismissAlert() {
        willChange()
        alertMessage = nil
        core?.dismiss()
    }

    /// The ended call's message was read.
    public func dismissEnded() {
        willChange()
        endedMessage = nil
        core?.dismiss()
    }

    /// Try the failed or closed call again.
    public func retry() {
        willChange()
        alertMessage = nil
        endedMessage = nil
        core?.retry()
    }

    /// The answer to "switch to the other call?".
    public func answerSwitch(accept: Bool) { core?.answerSwitch(accept: accept) }

    // MARK: - Rendering

    /// Publishes `state`. Internal so tests and previews can drive it without a core.
    func apply(_ state: UiState) {
        willChange()
        self.state = state
        switch state {
        case .idle:
            resetCall()
        case let .joining(sessionId, title, switchOffer):
            present(sessionID: sessionId, switchOffer: switchOffer)
            self.title = title
        case let .inCall(sessionId, reconnecting, muted, cameraOff, audioRoute, participantCount, audioInterrupted, switchOffer):
            present(sessionID: sessionId, switchOffer: switchOffer)
            isReconnecting = reconnecting
            isMuted = muted
            isCameraOff = cameraOff
            self.audioRoute = audioRoute
            self.participantCount = participantCount
            isAudioInterrupted = audioInterrupted
        case .leaving:
            isCallViewPresented = true
            isLeaving = true
            isReconnecting = false
            switchOffer = nil
        case let .ended(_, message, canRetry):
            resetCall()
            endedMessage = message
            self.canRetry = canRetry
        case let .error(message, canRetry):
            resetCall()
            alertMessage = message
            self.canRetry = canRetry
        }
        onRender?(state)
    }

    private func present(sessionID: String, switchOffer: String?) {
        if self.sessionID != sessionID {
            resetCall()
        }
        isCallViewPresented = true
        self.sessionID = sessionID
        self.switchOffer = switchOffer
        alertMessage = nil
        endedMessage = nil
    }

    private func resetCall() {
        isCallViewPresented = false
        title = ""
        sessionID = nil
        isReconnecting = false
        isMuted = false
        isCameraOff = false
        participantCount = 0
        audioRoute = .other
        isAudioInterrupted = false
        isLeaving = false
        switchOffer = nil
        canRetry = false
    }

    private func willChange() {
        #if canImport(Combine)
        objectWillChange.send()
        #endif
    }
}

#if canImport(Combine)
extension CallViewModel: ObservableObject {}
#endif
