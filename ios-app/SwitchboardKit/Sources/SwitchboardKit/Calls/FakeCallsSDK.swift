// The Calls SDK's twin for tests and previews: implements the core's `CallsSdk` port, records every
// call, and plays scripted callbacks into the core through the same forwarder the real Coordinator
// uses.
import Foundation

/// A scripted Calls SDK.
///
/// When the core calls `join_session`, the fake plays `script` (for example
/// `[.joinFailed(code: .init, ...), .joinSucceeded, .sessionJoined]`) into the core, stamped with
/// that attempt, before returning: the real SDK calls back later, but the core must accept its
/// callbacks at any time, so delivering them at once keeps tests deterministic. In the same way
/// `init_calls` is answered with `initResponse` and `login` with `loginResponse` (by default: init
/// succeeded with a user logged in, login succeeded), and `leave_session` with `leaveResponse`
/// (the real SDK's `onSessionLeft`), if any. A method named in `failures` records the call and
/// throws instead (rule 13: the shell could not do it). The `fire...` helpers deliver any other
/// callback, such as a terminal one, when the test wants. An init's answer names the request the
/// core gave that `init_calls`; `answerInit(_:request:)` delivers a late (or repeated, or stray)
/// completion for any request, which the fake reports as it is, as the real bridge does: whether
/// it counts is the core's choice.
public final class FakeCallsSDK: CallsSdk, @unchecked Sendable {
    /// A call the core made on the SDK port.
    public enum Call: Equatable, Sendable {
        /// `init_calls`, with the core's number for this init.
        case initCalls(request: UInt64)
        /// `init_chat`.
        case initChat
        /// `login`.
        case login
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

        /// The port method.
        public var method: Method {
            switch self {
            case .initCalls: return .initCalls
            case .initChat: return .initChat
            case .login: return .login
            case .registerListeners: return .registerListeners
            case .joinSession: return .joinSession
            case .leaveSession: return .leaveSession
            case .setAudioMuted: return .setAudioMuted
            case .setVideoPaused: return .setVideoPaused
            case .setAudioMode: return .setAudioMode
            }
        }
    }

    /// A method of the SDK port, to make it fail.
    public enum Method: String, CaseIterable, Hashable, Sendable {
        case initCalls = "init_calls"
        case initChat = "init_chat"
        case login
        case registerListeners = "register_listeners"
        case joinSession = "join_session"
        case leaveSession = "leave_session"
        case setAudioMuted = "set_audio_muted"
        case setVideoPaused = "set_video_paused"
        case setAudioMode = "set_audio_mode"
    }

    /// How the fake answers an init: the completion it reports, for the request it was given.
    public enum InitAnswer: Equatable, Sendable {
        /// `onSuccess`, with whether `getLoggedInUser()` then gives a user.
        case initSucceeded(loggedIn: Bool)
        /// `onError`, with the SDK's description.
        case initFailed(message: String)

        /// The core's input for this answer to init `request`.
        public func event(request: UInt64) -> SetupEvent {
            switch self {
            case let .initSucceeded(loggedIn): return .initSucceeded(request: request, loggedIn: loggedIn)
            case let .initFailed(message): return .initFailed(request: request, message: message)
            }
        }
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
    private var initAnswer: InitAnswer?
    private var loginAnswer: SetupEvent?
    private var failing: [Method: String] = [:]
    /// The SDK's own media state, which its mute and camera buttons flip.
    private var audioMuted = false
    private var videoPaused = false

    /// A fake that plays `script` on every join, answers a leave with `leaveResponse`, every init
    /// with `initResponse` (for that init's request) and every login with `loginResponse`.
    public init(
        script: [SdkEvent] = [.joinSucceeded, .sessionJoined],
        leaveResponse: SdkEvent? = .sessionLeft,
        initResponse: InitAnswer? = .initSucceeded(loggedIn: true),
        loginResponse: SetupEvent? = .loginSucceeded,
        forwarder: SdkCallbackForwarder = SdkCallbackForwarder()
    ) {
        self.joinScript = script
        self.leaveAnswer = leaveResponse
        self.initAnswer = initResponse
        self.loginAnswer = loginResponse
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

    /// The answer to the next inits, each for its own request (nil: none, as when the SDK never
    /// calls back).
    public var initResponse: InitAnswer? {
        get { lock.sync { initAnswer } }
        set { lock.sync { initAnswer = newValue } }
    }

    /// The answer to the next logins (nil: none).
    public var loginResponse: SetupEvent? {
        get { lock.sync { loginAnswer } }
        set { lock.sync { loginAnswer = newValue } }
    }

    /// Methods that throw `PortError.Failed` with this message, after recording the call, and do
    /// nothing else.
    public var failures: [Method: String] {
        get { lock.sync { failing } }
        set { lock.sync { failing = newValue } }
    }

    /// Every call so far, in order.
    public var calls: [Call] {
        lock.sync { recorded }
    }

    /// How many times the core called `join_session`.
    public var joinCount: Int {
        calls.filter { if case .joinSession = $0 { return true } else { return false } }.count
    }

    /// How many times the core called `init_calls`.
    public var initCount: Int {
        initRequests.count
    }

    /// The request numbers the core gave `init_calls`, in order.
    public var initRequests: [UInt64] {
        calls.compactMap { if case let .initCalls(request) = $0 { return request } else { return nil } }
    }

    /// How many times the core called `login`.
    public var loginCount: Int {
        calls.filter { $0 == .login }.count
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

    /// Delivers an init completion for `request` now (a late answer to an init, say, or a second
    /// one), whatever the core asked for since: the fake, like the bridge, reports every
    /// completion it gets.
    public func answerInit(_ answer: InitAnswer, request: UInt64) {
        forwarder.setup(answer.event(request: request))
    }

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

    public func initCalls(request: UInt64) throws {
        try record(.initCalls(request: request))
        if let answer = initResponse {
            forwarder.setup(answer.event(request: request))
        }
    }

    public func initChat() throws {
        try record(.initChat)
    }

    public func login() throws {
        try record(.login)
        if let answer = loginResponse {
            forwarder.setup(answer)
        }
    }

    public func registerListeners(attempt: UInt64) throws {
        forwarder.begin(attempt: attempt)
        try record(.registerListeners(attempt: attempt))
    }

    public func joinSession(attempt: UInt64, sessionId: String, settings: SessionSettings) throws {
        forwarder.begin(attempt: attempt)
        try record(.joinSession(attempt: attempt, sessionID: sessionId, settings: settings))
        for event in script {
            forwarder.send(event, attempt: attempt)
        }
    }

    public func leaveSession(attempt: UInt64) throws {
        try record(.leaveSession(attempt: attempt))
        if let answer = leaveResponse {
            forwarder.send(answer, attempt: attempt)
        }
    }

    public func setAudioMuted(attempt: UInt64, muted: Bool) throws {
        try record(.setAudioMuted(attempt: attempt, muted: muted))
        lock.sync { audioMuted = muted }
        forwarder.send(.localAudioMuted(muted: muted), attempt: attempt)
    }

    public func setVideoPaused(attempt: UInt64, paused: Bool) throws {
        try record(.setVideoPaused(attempt: attempt, paused: paused))
        lock.sync { videoPaused = paused }
        forwarder.send(.localVideoPaused(paused: paused), attempt: attempt)
    }

    public func setAudioMode(attempt: UInt64, mode: AudioMode) throws {
        try record(.setAudioMode(attempt: attempt, mode: mode))
        forwarder.send(.audioModeChanged(mode: mode), attempt: attempt)
    }

    /// Records `call`; throws when its method is set to fail.
    private func record(_ call: Call) throws {
        let failure = lock.sync { () -> String? in
            recorded.append(call)
            return failing[call.method]
        }
        if let failure {
            throw PortError.Failed(message: failure)
        }
    }
}
