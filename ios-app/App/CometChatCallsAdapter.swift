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

/// CometChat's app credentials (from Info.plist). The user's auth token comes from the app's
/// `TokenProvider`, never from here.
struct CometChatCredentials {
    let appID: String
    let region: String
}

/// The core's Calls SDK port, on CometChat. The core calls it on its own threads; the bridge runs
/// each call on the main thread, in order, calls the proxies below, and throws back what they
/// could not do.
final class CometChatCallsAdapter: CallsSdkBridge, @unchecked Sendable {
    @MainActor
    init(
        credentials: CometChatCredentials,
        tokens: TokenProvider,
        host: CallViewHost,
        initialiseChat: (@MainActor () -> Void)?
    ) {
        super.init(
            calls: CometChatCallsProxy(credentials: credentials, host: host, initialiseChat: initialiseChat),
            session: CometChatCallSessionProxy(host: host),
            tokens: tokens,
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

    /// `CallAppSettingsBuilder().set(appID:).set(region:).build()` (the `setAppId`/`setRegion`
    /// spellings are deprecated in 5.0.4), then `CometChatCalls(callsAppSettings:onSuccess:onError:)`,
    /// whose `onError` gives an optional `CometChatCallException`. Each call gets its own pair of
    /// completions from the bridge (`CallsSdkBridge.initCalls(request:)`), which reports the result
    /// with the core's number for that init; call each completion at most once, however late, and
    /// drop none: the core decides whether it still counts, whether to log in and when to join.
    func initialise(
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?) -> Void
    ) throws {
        guard !credentials.appID.isEmpty, !credentials.region.isEmpty else {
            throw PortError.Failed(message: "no CometChat App ID or region in Info.plist (CometChatAppID, CometChatRegion)")
        }
        let appSettings = CallAppSettingsBuilder()
            .set(appID: credentials.appID)
            .set(region: credentials.region)
            .build()
        _ = CometChatCalls(
            callsAppSettings: appSettings,
            onSuccess: { _ in onSuccess() },
            onError: { error in onError(error?.errorDescription) }
        )
    }

    /// `CometChatCalls.getLoggedInUser()`: nil when nobody is logged in.
    func isLoggedIn() -> Bool {
        CometChatCalls.getLoggedInUser() != nil
    }

    /// `CometChatCalls.login(authToken:onSuccess:onError:)`, the production login (the token is
    /// minted by the app's backend); login's error is not optional.
    func login(
        authToken: String,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?) -> Void
    ) throws {
        CometChatCalls.login(
            authToken: authToken,
            onSuccess: { _ in onSuccess() },
            onError: { error in onError(error.errorDescription) }
        )
    }

    func initialiseChat() throws {
        guard let initialiseChatSDK else {
            throw PortError.Failed(message: "a calls-only build: the Chat SDK is not linked")
        }
        initialiseChatSDK()
    }

    func joinSession(
        sessionID: String,
        settings: SwitchboardCore.SessionSettings,
        onSuccess: @escaping @Sendable () -> Void,
        onError: @escaping @Sendable (String?, String?) -> Void
    ) throws {
        guard let container = host.container else {
            throw PortError.Failed(message: "no call view on screen to join into")
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
    /// Built with `SessionSettingsBuilder()`, as CometChat's v5 sample app does (CallView.swift);
    /// the docs write the static `CometChatCalls.sessionSettingsBuilder`. A fresh builder per
    /// join, so nothing carries over from an earlier call. The built type is the nested
    /// `SessionSettingsBuilder.SessionSettings` (never the chat SDK's
    /// `SessionSettings(sessionType:layout:)`). The SDK hides its share-invite button unless told
    /// otherwise (session-settings, "Hide Share Invite Button": default true); the invite flow
    /// needs it, so it is shown.
    private static func callSettings(_ settings: SwitchboardCore.SessionSettings) -> SessionSettingsBuilder.SessionSettings {
        SessionSettingsBuilder()
            .setTitle(settings.title)
            .setSessionType(settings.sessionType == .voice ? .voice : .video)
            .startAudioMuted(settings.startAudioMuted)
            .startVideoPaused(settings.startVideoPaused)
            .setAudioMode(sdkAudioMode(settings.audioMode))
            .setIdleTimeoutPeriod(Int(settings.idleTimeoutS))
            .hideShareInviteButton(false)
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

    /// Removes the previous call's listeners and adds this call's, for every attempt, even when
    /// the Coordinator is the same object: whatever the SDK did with its listener list when the
    /// last session ended (and it is re-initialised after every call), this attempt starts with
    /// exactly one registration of each.
    func registerListeners() throws {
        guard let coordinator = host.coordinator else {
            throw PortError.Failed(message: "no call view on screen (no Coordinator to register)")
        }
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

    /// Checked by the bridge before every in-call action; a refused action is thrown to the core.
    func isCallSessionActive() -> Bool {
        session.isCallSessionActive()
    }
}
