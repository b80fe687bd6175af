// One protocol per CometChat Calls SDK object, Element X's proxy shape. The real implementations
// live in App/CometChatCallsAdapter.swift, the only file (with the Coordinator's) that imports
// CometChatCallsSDK; tests implement them with recorders. Both are main-actor: the SDK draws into
// UIKit views and is driven from the main thread.

/// `CometChatCalls`: the SDK's static entry points.
@MainActor
public protocol CometChatCallsProxyProtocol: AnyObject {
    /// `CometChatCalls(callsAppSettings:onSuccess:onError:)`, then the Calls SDK login when no user
    /// is logged in yet.
    func initialise()

    /// `CometChat.init` of the Chat SDK (additive mode only; standalone apps never get this call).
    func initialiseChat()

    /// `CometChatCalls.joinSession(sessionID:callSetting:container:onSuccess:onError:)` into the
    /// call view's container: the one-step join that fetches the call token itself (never
    /// `generateToken` + `joinSession(callToken:)`). The completions may run on any thread;
    /// `onError` gets the SDK's `errorCode` and `errorDescription`.
    func joinSession(
        sessionID: String,
        settings: SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (_ code: String?, _ description: String?) -> Void
    )
}

/// `CallSession.shared`: the session that is joined.
@MainActor
public protocol CallSessionProxyProtocol: AnyObject {
    /// `addSessionStatusListener` / `addButtonClickListener` (and the media and participant
    /// listeners) with the call view's Coordinator, which reports through the bridge's forwarder.
    func registerListeners()
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
