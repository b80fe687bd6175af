// The core's `CallsSdk` port on the real CometChat Calls SDK v5: `CallsSdkBridge` (SwitchboardKit,
// tested on Linux) wired to proxies of the SDK's two objects, `CometChatCalls` and
// `CallSession.shared`. One of the two files that import CometChatCallsSDK (the other is
// CallCoordinator.swift); SwitchboardCore's `SessionSettings`, `SessionType` and `AudioMode` share
// names with the SDK's, so they are written module-qualified here.
import CometChatCallsSDK
import Foundation
import SwitchboardCore
import SwitchboardKit
import UIKit

/// CometChat's app credentials, and how the app gets the signed-in user's auth token.
struct CometChatCredentials {
    let appID: String
    let region: String
    /// Asks the app's backend for the user's CometChat auth token (the backend mints it with the
    /// REST API; an API key never ships in the app). Nil: no user.
    let fetchAuthToken: (@escaping (String?) -> Void) -> Void
}

/// The core's Calls SDK port, on CometChat. The core calls it on its own threads; the bridge hops to
/// the main thread in order and calls the proxies below.
final class CometChatCallsAdapter: CallsSdkBridge, @unchecked Sendable {
    @MainActor
    init(
        credentials: CometChatCredentials,
        host: CallViewHost,
        initialiseChat: (@MainActor () -> Void)?
    ) {
        super.init(
            calls: CometChatCallsProxy(credentials: credentials, host: host, initialiseChat: initialiseChat),
            session: CometChatCallSessionProxy(host: host),
            forwarder: host.forwarder
        )
    }
}

/// `CometChatCalls`: init, login, and the one-step join.
@MainActor
final class CometChatCallsProxy: CometChatCallsProxyProtocol {
    private let credentials: CometChatCredentials
    private let host: CallViewHost
    private let initialiseChatSDK: (@MainActor () -> Void)?

    init(credentials: CometChatCredentials, host: CallViewHost, initialiseChat: (@MainActor () -> Void)?) {
        self.credentials = credentials
        self.host = host
        self.initialiseChatSDK = initialiseChat
    }

    func initialise() {
        let appSettings = CallAppSettingsBuilder()
            .setAppId(credentials.appID)
            .setRegion(credentials.region)
            .build()
        _ = CometChatCalls(
            callsAppSettings: appSettings,
            onSuccess: { [weak self] _ in
                MainThread.async { self?.logInIfNeeded() }
            },
            onError: { error in
                ShellLog.error("CometChatCalls init failed: \(error?.errorDescription ?? "no description")")
            }
        )
    }

    func initialiseChat() {
        guard let initialiseChatSDK else {
            ShellLog.error("init_chat in a calls-only build: the Chat SDK is not linked")
            return
        }
        initialiseChatSDK()
    }

    func joinSession(
        sessionID: String,
        settings: SwitchboardCore.SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?, String?) -> Void
    ) {
        guard let container = host.container else {
            onError("NO CONTAINER", "The call view is not on screen.")
            return
        }
        // The single-call join: the SDK generates the call token itself. Never
        // generateToken(sessionID:) + joinSession(callToken:).
        CometChatCalls.joinSession(
            sessionID: sessionID,
            callSetting: Self.callSettings(settings),
            container: container,
            onSuccess: { _ in onSuccess() },
            onError: { error in onError(error?.errorCode, error?.errorDescription) }
        )
    }

    /// The SDK's settings for the core's plain settings.
    ///
    /// Built with `CometChatCalls.sessionSettingsBuilder`, the static builder the v5 docs
    /// (session-settings, join-session) and the official v5 sample use. The seed writes
    /// `SessionSettingsBuilder()`, but no public interface of the SDK was found that shows a public
    /// initialiser, so that spelling may not compile. It is the same builder type either way (never
    /// the chat SDK's `SessionSettings(sessionType:layout:)`). Every field is set on each call, so
    /// nothing leaks from an earlier call if the static property hands out a shared builder.
    private static func callSettings(_ settings: SwitchboardCore.SessionSettings) -> CometChatCallsSDK.SessionSettings {
        CometChatCalls.sessionSettingsBuilder
            .setTitle(settings.title)
            .setSessionType(settings.sessionType == .voice ? .voice : .video)
            .startAudioMuted(settings.startAudioMuted)
            .startVideoPaused(settings.startVideoPaused)
            .setAudioMode(sdkAudioMode(settings.audioMode))
            .setIdleTimeoutPeriod(Int(settings.idleTimeoutS))
            .build()
    }

    private static func sdkAudioMode(_ mode: SwitchboardCore.AudioMode) -> CometChatCallsSDK.AudioMode {
        switch mode {
        case .speaker: return .speaker
        case .earpiece: return .earpiece
        case .bluetooth: return .bluetooth
        case .headphones: return .headphones
        }
    }

    /// v5 joins need a logged-in Calls SDK user; the cached login survives app launches.
    private func logInIfNeeded() {
        guard CometChatCalls.getLoggedInUser() == nil else { return }
        credentials.fetchAuthToken { token in
            guard let token, !token.isEmpty else {
                ShellLog.error("no CometChat auth token: joins will fail with AUTH TOKEN ERROR")
                return
            }
            CometChatCalls.login(
                authToken: token,
                onSuccess: { _ in ShellLog.info("Calls SDK login succeeded") },
                onError: { error in
                    ShellLog.error("Calls SDK login failed: \(String(describing: error.errorDescription))")
                }
            )
        }
    }
}

/// `CallSession.shared`: the joined session.
@MainActor
final class CometChatCallSessionProxy: CallSessionProxyProtocol {
    private let host: CallViewHost
    private weak var registered: CallCoordinator?

    init(host: CallViewHost) {
        self.host = host
    }

    private var session: CallSession { CometChatCallsSDK.CallSession.shared }

    func registerListeners() {
        guard let coordinator = host.coordinator else {
            ShellLog.error("register_listeners with no call view")
            return
        }
        guard coordinator !== registered else { return }
        if let previous = registered {
            session.removeSessionStatusListener(previous)
            session.removeButtonClickListener(previous)
            session.removeMediaEventsListener(previous)
            session.removeParticipantEventListener(previous)
        }
        session.addSessionStatusListener(coordinator)
        session.addButtonClickListener(coordinator)
        session.addMediaEventsListener(coordinator)
        session.addParticipantEventListener(coordinator)
        registered = coordinator
    }

    func leaveSession() {
        session.leaveSession()
    }

    func setAudioMuted(_ muted: Bool) {
        if muted {
            session.muteAudio()
        } else {
            session.unmuteAudio()
        }
    }

    func setVideoPaused(_ paused: Bool) {
        if paused {
            session.pauseVideo()
        } else {
            session.resumeVideo()
        }
    }

    func setAudioMode(_ name: String) {
        session.setAudioMode(name)
    }

    func isCallSessionActive() -> Bool {
        session.isCallSessionActive()
    }
}
