// One protocol per CometChat Calls SDK object, Element X's proxy shape, and the app's token
// provider. The real implementations live in App/CometChatCallsAdapter.swift, the only file (with
// the Coordinator's) that imports CometChatCallsSDK; tests implement them with recorders. The SDK
// proxies are main-actor: the SDK draws into UIKit views and is driven from the main thread.
//
// A proxy method throws when it cannot even start what it was asked (no call view to join into,
// the Chat SDK not linked): the bridge hands the error to the core, which logs it (rule 13). What
// the SDK reports later comes back through the completions.

/// `CometChatCalls`: the SDK's static entry points.
@MainActor
public protocol CometChatCallsProxyProtocol: AnyObject {
    /// `CometChatCalls(callsAppSettings:onSuccess:onError:)` with the app's App ID and region.
    /// The completions may run on any thread; `onError` gets the `CometChatCallException`'s
    /// `errorDescription`, if it gave one.
    func initialise(
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (_ description: String?) -> Void
    ) throws

    /// `CometChatCalls.getLoggedInUser() != nil`: a Calls SDK user is logged in already.
    func isLoggedIn() -> Bool

    /// `CometChatCalls.login(authToken:onSuccess:onError:)`. The completions may run on any
    /// thread; `onError` gets the exception's `errorDescription`.
    func login(
        authToken: String,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (_ description: String?) -> Void
    ) throws

    /// `CometChat.init` of the Chat SDK (additive mode only; standalone apps never get this call).
    func initialiseChat() throws

    /// `CometChatCalls.joinSession(sessionID:callSetting:container:onSuccess:onError:)` into the
    /// call view's container: the one-step join that fetches the call token itself (never
    /// `generateToken` + `joinSession(callToken:)`). The completions may run on any thread;
    /// `onError` gets the SDK's `errorCode` and `errorDescription`.
    func joinSession(
        sessionID: String,
        settings: SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (_ code: String?, _ description: String?) -> Void
    ) throws
}

/// `CallSession.shared`: the session that is joined.
@MainActor
public protocol CallSessionProxyProtocol: AnyObject {
    /// `addSessionStatusListener` / `addButtonClickListener` (and the media and participant
    /// listeners) with the call view's Coordinator, which reports through the bridge's forwarder.
    func registerListeners() throws
    /// `leaveSession()`.
    func leaveSession()
    /// `muteAudio()` / `unmuteAudio()`.
    func setAudioMuted(_ muted: Bool)
    /// `pauseVideo()` / `resumeVideo()`.
    func setVideoPaused(_ paused: Bool)
    /// `setAudioMode(_:)` with the SDK's string ("SPEAKER", "EARPIECE", "BLUETOOTH", "HEADPHONES").
    func setAudioMode(_ name: String)
    /// `isCallSessionActive()`: the docs ask to check it before any in-call action.
    func isCallSessionActive() -> Bool
}

/// The app's own backend, which mints the signed-in user's CometChat auth token (with the REST
/// API and the app's secret; an API key never ships in the app). The token goes to
/// `CometChatCalls.login(authToken:)` and nowhere else: never to the core, never to a log.
public protocol TokenProvider: AnyObject, Sendable {
    /// Fetches the token; `completion` may run on any thread. A failure's description goes to the
    /// core's log as the login failure, so it must not contain a credential.
    func fetchAuthToken(completion: @escaping @Sendable (Result<String, Error>) -> Void)
}
