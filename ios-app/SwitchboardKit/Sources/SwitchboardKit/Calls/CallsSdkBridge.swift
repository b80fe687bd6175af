// The core's `CallsSdk` port over the CometChat proxies. The core calls it on its own threads; it
// runs each call on the main thread, in order, and waits for it, so that what could not be done
// is thrown back to the core (rule 13). It does exactly what the core said, nothing more: the
// core decides when to initialise, log in, join, leave, mute. `CometChatCallsAdapter` (App/) is
// this bridge wired to the real SDK.
import Foundation

/// Implements the core's `CallsSdk` over `CometChatCallsProxyProtocol`,
/// `CallSessionProxyProtocol` and the app's `TokenProvider`.
open class CallsSdkBridge: CallsSdk, @unchecked Sendable {
    /// Stamps the SDK's callbacks with their attempt and reports init and login; the Coordinator
    /// reports through it.
    public let forwarder: SdkCallbackForwarder
    // Touched only on the main actor (inside `MainThread`).
    private let calls: CometChatCallsProxyProtocol
    private let session: CallSessionProxyProtocol
    private let tokens: TokenProvider?

    /// A bridge over the two SDK objects; `tokens` gives login its auth token (nil: an app that
    /// never logs in itself, whose login fails with a clear message).
    public init(
        calls: CometChatCallsProxyProtocol,
        session: CallSessionProxyProtocol,
        tokens: TokenProvider?,
        forwarder: SdkCallbackForwarder = SdkCallbackForwarder()
    ) {
        self.calls = calls
        self.session = session
        self.tokens = tokens
        self.forwarder = forwarder
    }

    /// The core to report callbacks to; call once the core has started.
    public func attach(_ core: SwitchboardProxyProtocol) {
        forwarder.attach(core)
    }

    // MARK: - Init and login (rule 11)

    /// `CometChatCalls(callsAppSettings:)`; its `onSuccess` checks `getLoggedInUser()` and reports
    /// `initSucceeded(request:loggedIn:)`, its `onError` `initFailed(request:message:)` with the
    /// SDK's description, each naming the `request` this init was asked for with. Every
    /// completion is reported, however late and however many: only the core knows whether it
    /// answers the init it is waiting for (it counts the latest one and ignores the rest).
    public func initCalls(request: UInt64) throws {
        let forwarder = self.forwarder
        try onMain("init_calls") {
            try self.calls.initialise(
                onSuccess: {
                    MainThread.async {
                        forwarder.setup(.initSucceeded(request: request, loggedIn: self.calls.isLoggedIn()))
                    }
                },
                onError: { description in
                    forwarder.setup(.initFailed(request: request, message: Self.sdkMessage(
                        description,
                        none: "CometChatCalls init failed and gave no error description"
                    )))
                }
            )
        }
    }

    /// Asks the app's token provider for an auth token, then `CometChatCalls.login(authToken:)`;
    /// reports `loginSucceeded` or `loginFailed` (a token provider failure too). The token goes to
    /// the SDK only: a message that quotes it has it replaced before it reaches the core.
    public func login() throws {
        guard let tokens else {
            throw PortFailure.error("login", "the app has no token provider")
        }
        let forwarder = self.forwarder
        tokens.fetchAuthToken { result in
            let token: String
            switch result {
            case let .failure(error):
                forwarder.setup(.loginFailed(
                    message: "the app's token provider gave no auth token: \(PortFailure.describe(error))"
                ))
                return
            case let .success(value):
                token = value
            }
            guard !token.isEmpty else {
                forwarder.setup(.loginFailed(message: "the app's token provider gave an empty auth token"))
                return
            }
            MainThread.async {
                do {
                    try self.calls.login(
                        authToken: token,
                        onSuccess: { forwarder.setup(.loginSucceeded) },
                        onError: { description in
                            let message = Self.sdkMessage(
                                description,
                                none: "CometChatCalls login failed and gave no error description"
                            )
                            forwarder.setup(.loginFailed(message: Self.redacting(token, in: message)))
                        }
                    )
                } catch {
                    let message = PortFailure.describe(error)
                    forwarder.setup(.loginFailed(message: "login: \(Self.redacting(token, in: message))"))
                }
            }
        }
    }

    /// `CometChat.init` (additive mode).
    public func initChat() throws {
        try onMain("init_chat") { try self.calls.initialiseChat() }
    }

    // MARK: - The call

    public func registerListeners(attempt: UInt64) throws {
        // Stamp first, on the core's thread: a callback can arrive as soon as we register.
        forwarder.begin(attempt: attempt)
        try onMain("register_listeners") { try self.session.registerListeners() }
    }

    public func joinSession(attempt: UInt64, sessionId: String, settings: SessionSettings) throws {
        forwarder.begin(attempt: attempt)
        let forwarder = self.forwarder
        try onMain("join_session") {
            try self.calls.joinSession(
                sessionID: sessionId,
                settings: settings,
                onSuccess: { forwarder.send(.joinSucceeded, attempt: attempt) },
                onError: { code, description in
                    forwarder.send(JoinErrorMapping.event(code: code, description: description), attempt: attempt)
                }
            )
        }
    }

    public func leaveSession(attempt: UInt64) throws {
        // Not guarded by isCallSessionActive(): a leave during the join must still reach the SDK.
        // If nothing answers, the core's leave timeout ends the call.
        MainThread.sync { self.session.leaveSession() }
    }

    public func setAudioMuted(attempt: UInt64, muted: Bool) throws {
        try inCall("set_audio_muted") { $0.setAudioMuted(muted) }
    }

    public func setVideoPaused(attempt: UInt64, paused: Bool) throws {
        try inCall("set_video_paused") { $0.setVideoPaused(paused) }
    }

    public func setAudioMode(attempt: UInt64, mode: AudioMode) throws {
        let name = mode.cometChatName
        try inCall("set_audio_mode") { $0.setAudioMode(name) }
    }

    // MARK: - Helpers

    /// Runs `body` on the main thread; what it throws comes back as the port's error.
    private func onMain(_ action: String, _ body: @MainActor @Sendable () throws -> Void) throws {
        do {
            try MainThread.sync(body)
        } catch {
            throw PortFailure.error(action, error)
        }
    }

    /// An in-call action: refused (thrown, so the core logs it) when the SDK has no active session.
    private func inCall(_ action: String, _ body: @MainActor @Sendable (CallSessionProxyProtocol) -> Void) throws {
        let active = MainThread.sync { () -> Bool in
            guard self.session.isCallSessionActive() else { return false }
            body(self.session)
            return true
        }
        if !active {
            throw PortFailure.error(action, "skipped: no active call session (CallSession.shared.isCallSessionActive() is false)")
        }
    }

    /// The SDK's description, or `none` when it gave none.
    static func sdkMessage(_ description: String?, none: String) -> String {
        guard let description, !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return none
        }
        return description
    }

    /// `message` with every occurrence of `token` replaced.
    static func redacting(_ token: String, in message: String) -> String {
        guard !token.isEmpty else { return message }
        return message.replacingOccurrences(of: token, with: "[auth token]")
    }
}
