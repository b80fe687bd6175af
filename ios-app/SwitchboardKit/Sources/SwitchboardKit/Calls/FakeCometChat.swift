// CometChat's Calls SDK for tests and previews, faked at the proxy seam: it implements the two
// proxy protocols `CometChatCallsAdapter` implements over the real SDK (`CometChatCalls` and
// `CallSession.shared`), so everything above it is the code the app runs: `CallsSdkBridge` (main
// thread hops, errors thrown back to the core, init numbering, the token provider and its
// redaction) and `SdkCallbackForwarder` (listener callbacks stamped with their attempt). Element
// X's mocks sit behind its proxy protocols in the same way.
//
// It behaves as the SDK does, as far as the core can see: init and login answer through their
// completions (on the main thread, where the bridge called them); joinSession answers through its
// completions and then the listeners; listener callbacks reach the core only once listeners are
// registered; the in-call controls work only while a session is active, and report through the
// media listener; a leave is answered by onSessionLeft.
import Foundation

/// A scripted CometChat Calls SDK behind the proxy protocols.
///
/// `bridge(tokens:)` gives the core's `CallsSdk` port: a real `CallsSdkBridge` over this fake.
@MainActor
public final class FakeCometChat: CometChatCallsProxyProtocol, CallSessionProxyProtocol {
    /// A call the bridge made on the SDK.
    public enum Call: Equatable, Sendable {
        /// `CometChatCalls(callsAppSettings:onSuccess:onError:)`.
        case initialise
        /// `CometChatCalls.login(authToken:onSuccess:onError:)`, with the token it was given.
        case login(authToken: String)
        /// `CometChat.init` (additive mode).
        case initialiseChat
        /// The listeners added to `CallSession.shared`.
        case registerListeners
        /// `CometChatCalls.joinSession(sessionID:callSetting:container:onSuccess:onError:)`.
        case joinSession(sessionID: String, settings: SessionSettings)
        /// `leaveSession()`.
        case leaveSession
        /// `muteAudio()` (true) or `unmuteAudio()` (false).
        case setAudioMuted(Bool)
        /// `pauseVideo()` (true) or `resumeVideo()` (false).
        case setVideoPaused(Bool)
        /// `setAudioMode(_:)` with the SDK's string.
        case setAudioMode(String)
    }

    /// A proxy method that can fail before the SDK does anything (the adapter throws: no App ID,
    /// no call view on screen, the Chat SDK not linked).
    public enum Method: String, CaseIterable, Hashable, Sendable {
        case initialise, login, initialiseChat, registerListeners, joinSession
    }

    /// How init answers.
    public enum InitAnswer: Equatable, Sendable {
        /// `onSuccess`, after which `getLoggedInUser()` gives a user or nil.
        case succeeded(loggedIn: Bool)
        /// `onError`, with the exception's `errorDescription`.
        case failed(description: String?)
    }

    /// How login answers.
    public enum LoginAnswer: Equatable, Sendable {
        /// `onSuccess`; a user is logged in from now on.
        case succeeded
        /// `onError`, with the exception's `errorDescription`.
        case failed(description: String?)
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

    /// The completions of an init or a login that has not answered (its response nil).
    public struct Held {
        public let onSuccess: @Sendable () -> Void
        public let onError: @Sendable (String?) -> Void
    }

    /// Where the SDK's listeners report: the forwarder the bridge stamps callbacks with (the real
    /// Coordinator reports through the same one).
    public let forwarder: SdkCallbackForwarder
    /// What every join plays, in order: `.joinSucceeded` calls `onSuccess`, `.joinFailed` calls
    /// `onError` with the SDK's code string and the message, anything else is a listener callback.
    public var script: [SdkEvent]
    /// The listener callback that answers `leaveSession()` (nil: none, as when the network is gone).
    public var leaveResponse: SdkEvent?
    /// The answer to every init (nil: none; the completions wait in `heldInits`).
    public var initResponse: InitAnswer?
    /// The answer to every login (nil: none; the completions wait in `heldLogins`).
    public var loginResponse: LoginAnswer?
    /// Proxy methods that throw `PortError.Failed` with this message, after recording the call.
    public var failures: [Method: String] = [:]
    /// `getLoggedInUser() != nil`.
    public var loggedIn = false
    /// `isCallSessionActive()` is forced false while this is set, as when the SDK has lost its
    /// session: the bridge then refuses in-call actions.
    public var sessionLost = false
    /// Every call so far, in order.
    public private(set) var calls: [Call] = []
    /// The completions of every init that has not answered, in order.
    public private(set) var heldInits: [Held] = []
    /// The completions of every login that has not answered, in order.
    public private(set) var heldLogins: [Held] = []
    /// Listener callbacks that arrived with no listener registered (the SDK drops them).
    public private(set) var unheard: [SdkEvent] = []
    private var listening = false
    private var active = false
    private var audioMuted = false
    private var videoPaused = false

    /// A fake whose joins play `script`, whose leave is answered with `leaveResponse`, whose inits
    /// answer `initResponse` and whose logins `loginResponse`.
    public init(
        script: [SdkEvent] = [.joinSucceeded, .sessionJoined],
        leaveResponse: SdkEvent? = .sessionLeft,
        initResponse: InitAnswer? = .succeeded(loggedIn: true),
        loginResponse: LoginAnswer? = .succeeded,
        forwarder: SdkCallbackForwarder = SdkCallbackForwarder()
    ) {
        self.script = script
        self.leaveResponse = leaveResponse
        self.initResponse = initResponse
        self.loginResponse = loginResponse
        self.forwarder = forwarder
    }

    /// The core's SDK port: the real bridge over this fake.
    public func bridge(tokens: TokenProvider?) -> CallsSdkBridge {
        CallsSdkBridge(calls: self, session: self, tokens: tokens, forwarder: forwarder)
    }

    // MARK: - What tests read

    /// How many joins the bridge asked for.
    public var joinCount: Int { joinedSessionIDs.count }
    /// How many inits.
    public var initCount: Int { calls.filter { $0 == .initialise }.count }
    /// How many logins.
    public var loginCount: Int { loginTokens.count }
    /// The tokens the logins were given.
    public var loginTokens: [String] {
        calls.compactMap { if case let .login(token) = $0 { return token } else { return nil } }
    }
    /// How many leaves.
    public var leaveCount: Int { calls.filter { $0 == .leaveSession }.count }
    /// How many times listeners were registered.
    public var registrations: Int { calls.filter { $0 == .registerListeners }.count }
    /// The sessions joined, in order.
    public var joinedSessionIDs: [String] {
        calls.compactMap { if case let .joinSession(id, _) = $0 { return id } else { return nil } }
    }
    /// The settings of every join, in order.
    public var joinSettings: [SessionSettings] {
        calls.compactMap { if case let .joinSession(_, settings) = $0 { return settings } else { return nil } }
    }

    // MARK: - What the user and the SDK do

    /// A listener callback from the SDK (heard only once listeners are registered).
    public func fire(_ event: SdkEvent) {
        guard listening else {
            unheard.append(event)
            return
        }
        switch event {
        case .sessionJoined: active = true
        case .sessionLeft, .sessionTimedOut, .connectionClosed: active = false
        default: break
        }
        forwarder.send(event)
    }

    /// A terminal callback (`onSessionLeft`, `onConnectionClosed`, `onSessionTimedOut`).
    public func fireTerminal(_ terminal: Terminal) {
        fire(terminal.event)
    }

    /// The user tapped the SDK's own leave button (`onLeaveSessionButtonClicked`).
    public func pressLeaveButton() {
        fire(.leaveButtonClicked)
    }

    /// The user tapped one of the SDK's other buttons. As the real SDK does, the click is reported
    /// first and the default action runs after it: the mute and camera buttons flip the SDK's own
    /// state and report it through the media listener; the others change nothing the core sees.
    public func pressButton(_ button: SdkButton) {
        fire(.buttonClicked(button: button))
        switch button {
        case .toggleAudio:
            audioMuted.toggle()
            fire(.localAudioMuted(muted: audioMuted))
        case .toggleVideo:
            videoPaused.toggle()
            fire(.localVideoPaused(paused: videoPaused))
        default:
            break
        }
    }

    /// Answers the held init at `index` now (a late answer, or a second one: the SDK may call a
    /// completion however late, and the bridge reports each).
    public func answerHeldInit(_ index: Int, _ answer: InitAnswer) {
        let held = heldInits[index]
        switch answer {
        case let .succeeded(loggedIn):
            self.loggedIn = loggedIn
            held.onSuccess()
        case let .failed(description):
            held.onError(description)
        }
    }

    /// Answers the held login at `index` now.
    public func answerHeldLogin(_ index: Int, _ answer: LoginAnswer) {
        let held = heldLogins[index]
        switch answer {
        case .succeeded:
            loggedIn = true
            held.onSuccess()
        case let .failed(description):
            held.onError(description)
        }
    }

    // MARK: - CometChatCallsProxyProtocol

    public func initialise(
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?) -> Void
    ) throws {
        try record(.initialise, .initialise)
        switch initResponse {
        case let .succeeded(loggedIn)?:
            self.loggedIn = loggedIn
            onSuccess()
        case let .failed(description)?:
            onError(description)
        case nil:
            heldInits.append(Held(onSuccess: onSuccess, onError: onError))
        }
    }

    public func isLoggedIn() -> Bool { loggedIn }

    public func login(
        authToken: String,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?) -> Void
    ) throws {
        try record(.login(authToken: authToken), .login)
        switch loginResponse {
        case .succeeded?:
            loggedIn = true
            onSuccess()
        case let .failed(description)?:
            onError(description)
        case nil:
            heldLogins.append(Held(onSuccess: onSuccess, onError: onError))
        }
    }

    public func initialiseChat() throws {
        try record(.initialiseChat, .initialiseChat)
    }

    public func joinSession(
        sessionID: String,
        settings: SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?, String?) -> Void
    ) throws {
        try record(.joinSession(sessionID: sessionID, settings: settings), .joinSession)
        audioMuted = settings.startAudioMuted
        videoPaused = settings.startVideoPaused
        for event in script {
            switch event {
            case .joinSucceeded:
                active = true
                onSuccess()
            case let .joinFailed(code, message):
                onError(joinErrorSdkCode(code: code), message)
            default:
                fire(event)
            }
        }
    }

    // MARK: - CallSessionProxyProtocol

    public func registerListeners() throws {
        try record(.registerListeners, .registerListeners)
        listening = true
    }

    public func leaveSession() {
        calls.append(.leaveSession)
        active = false
        if let leaveResponse {
            fire(leaveResponse)
        }
    }

    public func setAudioMuted(_ muted: Bool) {
        calls.append(.setAudioMuted(muted))
        audioMuted = muted
        fire(.localAudioMuted(muted: muted))
    }

    public func setVideoPaused(_ paused: Bool) {
        calls.append(.setVideoPaused(paused))
        videoPaused = paused
        fire(.localVideoPaused(paused: paused))
    }

    public func setAudioMode(_ name: String) {
        calls.append(.setAudioMode(name))
        let modes: [AudioMode] = [.speaker, .earpiece, .bluetooth, .headphones]
        if let mode = modes.first(where: { $0.cometChatName == name }) {
            fire(.audioModeChanged(mode: mode))
        }
    }

    public func isCallSessionActive() -> Bool { active && !sessionLost }

    /// Records `call`; throws when `method` is set to fail.
    private func record(_ call: Call, _ method: Method) throws {
        calls.append(call)
        if let message = failures[method] {
            throw PortError.Failed(message: message)
        }
    }
}

/// The app's backend for tests: answers every token request at once with `result`.
public final class FakeTokenProvider: TokenProvider, @unchecked Sendable {
    /// A backend that cannot mint tokens.
    public struct BackendDown: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the token service answered 503" }
    }

    private let lock = NSLock()
    private var answer: Result<String, Error>
    private var count = 0

    /// A provider that answers `result`.
    public init(_ result: Result<String, Error> = .success("fake-auth-token")) {
        answer = result
    }

    /// What the next requests get.
    public var result: Result<String, Error> {
        get { lock.sync { answer } }
        set { lock.sync { answer = newValue } }
    }

    /// How many tokens were asked for.
    public var fetches: Int { lock.sync { count } }

    public func fetchAuthToken(completion: @escaping @Sendable (Result<String, Error>) -> Void) {
        let result = lock.sync { () -> Result<String, Error> in
            count += 1
            return answer
        }
        completion(result)
    }
}
