// The Calls SDK's twin for tests and previews: implements the core's `CallsSdk` port, records every
// call, and plays scripted callbacks into the core through the same forwarder the real Coordinator
// uses.
import Foundation

/// A scripted Calls SDK.
///
/// When the core calls `join_session`, the fake plays `script` (for example
/// `[.joinFailed(code: .init, ...), .joinSucceeded, .sessionJoined]`) into the core, stamped with
/// that attempt, before returning: the real SDK calls back later, but the core must accept its
/// callbacks at any time, so delivering them at once keeps tests deterministic. When the core calls
/// `leave_session`, the fake answers with `leaveResponse` (the real SDK's `onSessionLeft`), if any.
/// The `fire...` helpers deliver any other callback, such as a terminal one, when the test wants.
public final class FakeCallsSDK: CallsSdk, @unchecked Sendable {
    /// A call the core made on the SDK port.
    public enum Call: Equatable, Sendable {
        /// `init_calls`.
        case initCalls
        /// `init_chat`.
        case initChat
        /// `register_listeners`.
        case registerListeners(attempt: UInt64)
        /// `join_session`.
        case joinSession(attempt: UInt64, sessionID: String, settings: SessionSettings)
        /// `leave_session`.
        case leaveSession(attempt: UInt64)
        /// `set_audio_muted`.
        case setAudioMuted(attempt: UInt64, muted: Bool)
        /// `set_video_paused`.
        case setVideoPaused(attempt: UInt64, paused: Bool)
        /// `set_audio_mode`.
        case setAudioMode(attempt: UInt64, mode: AudioMode)
    }

    /// The SDK's terminal callbacks, each of which ends a call.
    public enum Terminal: CaseIterable, Sendable {
        /// `onSessionLeft`.
        case sessionLeft
        /// `onConnectionClosed`.
        case connectionClosed
        /// `onSessionTimedOut`.
        case sessionTimedOut

        /// The core's input for it.
        public var event: SdkEvent {
            switch self {
            case .sessionLeft: return .sessionLeft
            case .connectionClosed: return .connectionClosed
            case .sessionTimedOut: return .sessionTimedOut
            }
        }
    }

    /// Reports callbacks to the core, stamped with the current attempt.
    public let forwarder: SdkCallbackForwarder
    private let lock = NSLock()
    private var recorded: [Call] = []
    private var joinScript: [SdkEvent]
    private var leaveAnswer: SdkEvent?
    /// The SDK's own media state, which its mute and camera buttons flip.
    private var audioMuted = false
    private var videoPaused = false

    /// A fake that plays `script` on every join and answers a leave with `leaveResponse`.
    public init(
        script: [SdkEvent] = [.joinSucceeded, .sessionJoined],
        leaveResponse: SdkEvent? = .sessionLeft,
        forwarder: SdkCallbackForwarder = SdkCallbackForwarder()
    ) {
        self.joinScript = script
        self.leaveAnswer = leaveResponse
        self.forwarder = forwarder
    }

    /// The core to report to; call once the core has started.
    public func attach(_ core: SwitchboardProxyProtocol) {
        forwarder.attach(core)
    }

    /// The callbacks played on the next joins.
    public var script: [SdkEvent] {
        get { lock.sync { joinScript } }
        set { lock.sync { joinScript = newValue } }
    }

    /// The callback that answers `leave_session` (nil: none, as when the network is gone).
    public var leaveResponse: SdkEvent? {
        get { lock.sync { leaveAnswer } }
        set { lock.sync { leaveAnswer = newValue } }
    }

    /// Every call so far, in order.
    public var calls: [Call] {
        lock.sync { recorded }
    }

    /// How many times the core called `join_session`.
    public var joinCount: Int {
        calls.filter { if case .joinSession = $0 { return true } else { return false } }.count
    }

    /// How many times the core called `leave_session`.
    public var leaveCount: Int {
        calls.filter { if case .leaveSession = $0 { return true } else { return false } }.count
    }

    /// The session ids the core joined, in order.
    public var joinedSessionIDs: [String] {
        calls.compactMap { if case let .joinSession(_, id, _) = $0 { return id } else { return nil } }
    }

    // MARK: - Callbacks the test fires

    /// Delivers a listener callback for the current attempt.
    public func fire(_ event: SdkEvent) {
        forwarder.send(event)
    }

    /// Delivers a terminal callback (`onSessionLeft`, `onConnectionClosed`, `onSessionTimedOut`).
    public func fireTerminal(_ terminal: Terminal) {
        fire(terminal.event)
    }

    /// The user tapped the SDK's own leave button (`onLeaveSessionButtonClicked`).
    public func pressLeaveButton() {
        fire(.leaveButtonClicked)
    }

    /// The user tapped one of the SDK's other buttons. As the real SDK does, the click is reported
    /// first and the default action runs after it: the mute and camera buttons flip the SDK's own
    /// state and report it through the media callbacks; the others change nothing the core sees.
    public func pressButton(_ button: SdkButton) {
        fire(.buttonClicked(button: button))
        switch button {
        case .toggleAudio:
            let muted = lock.sync { audioMuted.toggle(); return audioMuted }
            fire(.localAudioMuted(muted: muted))
        case .toggleVideo:
            let paused = lock.sync { videoPaused.toggle(); return videoPaused }
            fire(.localVideoPaused(paused: paused))
        default:
            break
        }
    }

    // MARK: - CallsSdk

    public func initCalls() {
        record(.initCalls)
    }

    public func initChat() {
        record(.initChat)
    }

    public func registerListeners(attempt: UInt64) {
        forwarder.begin(attempt: attempt)
        record(.registerListeners(attempt: attempt))
    }

    public func joinSession(attempt: UInt64, sessionId: String, settings: SessionSettings) {
        forwarder.begin(attempt: attempt)
        record(.joinSession(attempt: attempt, sessionID: sessionId, settings: settings))
        for event in script {
            forwarder.send(event, attempt: attempt)
        }
    }

    public func leaveSession(attempt: UInt64) {
        record(.leaveSession(attempt: attempt))
        if let answer = leaveResponse {
            forwarder.send(answer, attempt: attempt)
        }
    }

    public func setAudioMuted(attempt: UInt64, muted: Bool) {
        record(.setAudioMuted(attempt: attempt, muted: muted))
        lock.sync { audioMuted = muted }
        forwarder.send(.localAudioMuted(muted: muted), attempt: attempt)
    }

    public func setVideoPaused(attempt: UInt64, paused: Bool) {
        record(.setVideoPaused(attempt: attempt, paused: paused))
        lock.sync { videoPaused = paused }
        forwarder.send(.localVideoPaused(paused: paused), attempt: attempt)
    }

    public func setAudioMode(attempt: UInt64, mode: AudioMode) {
        record(.setAudioMode(attempt: attempt, mode: mode))
        forwarder.send(.audioModeChanged(mode: mode), attempt: attempt)
    }

    private func record(_ call: Call) {
        lock.sync { recorded.append(call) }
    }
}
