// The core's `CallsSdk` port over the CometChat proxies. The core calls it on its own threads; it
// hops to the main thread (in order) and does exactly what the core said, nothing more: the core
// decides when to join, leave, mute. `CometChatCallsAdapter` (App/) is this bridge wired to the
// real SDK.

/// Implements the core's `CallsSdk` over `CometChatCallsProxyProtocol` and
/// `CallSessionProxyProtocol`.
open class CallsSdkBridge: CallsSdk, @unchecked Sendable {
    /// Stamps the SDK's callbacks with their attempt; the Coordinator reports through it.
    public let forwarder: SdkCallbackForwarder
    // Touched only on the main actor (inside `MainThread.async`).
    private let calls: CometChatCallsProxyProtocol
    private let session: CallSessionProxyProtocol

    /// A bridge over the two SDK objects.
    public init(
        calls: CometChatCallsProxyProtocol,
        session: CallSessionProxyProtocol,
        forwarder: SdkCallbackForwarder = SdkCallbackForwarder()
    ) {
        self.calls = calls
        self.session = session
        self.forwarder = forwarder
    }

    /// The core to report callbacks to; call once the core has started.
    public func attach(_ core: SwitchboardProxyProtocol) {
        forwarder.attach(core)
    }

    public func initCalls() {
        MainThread.async { self.calls.initialise() }
    }

    public func initChat() {
        MainThread.async { self.calls.initialiseChat() }
    }

    public func registerListeners(attempt: UInt64) {
        // Stamp first, on the core's thread: a callback can arrive as soon as we register.
        forwarder.begin(attempt: attempt)
        MainThread.async { self.session.registerListeners() }
    }

    public func joinSession(attempt: UInt64, sessionId: String, settings: SessionSettings) {
        forwarder.begin(attempt: attempt)
        let forwarder = self.forwarder
        MainThread.async {
            self.calls.joinSession(
                sessionID: sessionId,
                settings: settings,
                onSuccess: { forwarder.send(.joinSucceeded, attempt: attempt) },
                onError: { code, description in
                    forwarder.send(JoinErrorMapping.event(code: code, description: description), attempt: attempt)
                }
            )
        }
    }

    public func leaveSession(attempt: UInt64) {
        // Not guarded by isCallSessionActive(): a leave during the join must still reach the SDK.
        // If nothing answers, the core's leave timeout ends the call.
        MainThread.async { self.session.leaveSession() }
    }

    public func setAudioMuted(attempt: UInt64, muted: Bool) {
        inCall("set_audio_muted") { $0.setAudioMuted(muted) }
    }

    public func setVideoPaused(attempt: UInt64, paused: Bool) {
        inCall("set_video_paused") { $0.setVideoPaused(paused) }
    }

    public func setAudioMode(attempt: UInt64, mode: AudioMode) {
        let name = mode.cometChatName
        inCall("set_audio_mode") { $0.setAudioMode(name) }
    }

    /// An in-call action, skipped (and logged) when the SDK has no active session.
    private func inCall(
        _ action: String,
        _ body: @escaping @MainActor @Sendable (CallSessionProxyProtocol) -> Void
    ) {
        MainThread.async {
            guard self.session.isCallSessionActive() else {
                ShellLog.info("\(action) skipped: no active call session")
                return
            }
            body(self.session)
        }
    }
}
