// Stand-in for CometChat's iOS Calls SDK v5 (module `CometChatCallsSDK`), for `swiftc -typecheck`
// on Linux only. It is never linked into the app and none of its bodies ever run.
//
// Transcribed by hand from CometChat's public sources; every declaration names its source
// (SOURCES.md has the table and the conflicts that were resolved). It declares only the API the
// app uses, plus the five listener protocols in full.
//
// STRICTER THAN THE REAL SDK, ON PURPOSE:
// - The real listener protocols are `@objc` with every member `optional`, so a conformer with a
//   misspelled callback compiles and the callback silently never fires. Linux has no Objective-C
//   runtime (no `@objc`, no `optional` requirements), so here every listener member is REQUIRED and
//   there are no default implementations: a misspelled or missing callback fails to type-check.
// - Enums are plain Swift enums (the real ones are `@objc` enums); classes are `final` and have no
//   public initialisers unless the sources show one being called.
// - Only the calls the app makes are declared: anything else (generateToken, joinSession(callToken:),
//   login(UID:authKey:), logout, ...) fails to type-check here even though it exists in the SDK.
//
// Source keys used below:
//   [SAMPLE]  cometchat/calls-sdk-ios  sample-apps/cometchat-calls-sample-app-ios/CometChatCallsSample/
//   [SKILLS]  cometchat/calls-sdk-ios  skills/<topic>/SKILL.md (@c07a74f4 = the corrected versions)
//   [DOCS]    cometchat/docs           calls/ios/<page>.mdx
//   [V5SKILL] CometChat skill "cometchat-ios-v5-sdk" SKILL.md ("verified against 5.0.4")

import Foundation
import UIKit

// MARK: - App settings

/// The built app settings passed to `CometChatCalls(callsAppSettings:onSuccess:onError:)`.
// [DOCS] setup.mdx "### CallAppSettings" (Objective-C tab: `CallAppSettings *callAppSettings`)
public final class CallAppSettings {}

/// Builder for `CallAppSettings`.
// [SAMPLE] AppState.swift:44-47 `CallAppSettingsBuilder().set(appID:).set(region:).build()`
// [V5SKILL] "## Init & login ordering": `set(appID:)`/`set(region:)`; `setAppId`/`setRegion` deprecated in 5.0.4
public final class CallAppSettingsBuilder {
    // [SAMPLE] AppState.swift:44 `CallAppSettingsBuilder()`
    public init() {}

    // [SAMPLE] AppState.swift:45
    public func set(appID: String) -> CallAppSettingsBuilder { self }

    // [SAMPLE] AppState.swift:46 ("us", "eu" or "in": [V5SKILL] "## Doc corrections")
    public func set(region: String) -> CallAppSettingsBuilder { self }

    // [DOCS] setup.mdx "## Initialize CometChat Calls" (Swift tab); deprecated per [V5SKILL] "## Doc corrections"
    @available(*, deprecated, message: "deprecated in 5.0.4: use set(appID:)")
    public func setAppId(_ appId: String) -> CallAppSettingsBuilder { self }

    // [DOCS] setup.mdx "## Initialize CometChat Calls" (Swift tab); deprecated per [V5SKILL] "## Doc corrections"
    @available(*, deprecated, message: "deprecated in 5.0.4: use set(region:)")
    public func setRegion(_ region: String) -> CallAppSettingsBuilder { self }

    // [SAMPLE] AppState.swift:47
    public func build() -> CallAppSettings { fatalError("stand-in") }
}

// MARK: - Errors and users

/// The Calls SDK's error object (not a Swift `Error`).
// [SAMPLE] AppState.swift:54 (`error?.errorDescription`), CallView.swift:68-70; [DOCS] join-session.mdx
// "## Error Handling" (codes "INIT ERROR", "AUTH TOKEN ERROR", "SESSION ID ERROR", "API ERROR")
public final class CometChatCallException {
    /// Non-optional `String`: no source declares the type; see SOURCES.md "Unpinned types".
    // [DOCS] join-session.mdx "## Error Handling" (the `Error Code` column)
    public var errorCode: String { fatalError("stand-in") }

    /// Non-optional `String`, as [DOCS] authentication.mdx "## Login with Auth Token" uses it
    /// (`\(error.errorDescription)`, while unwrapping `uid ?? ""`); see SOURCES.md "Unpinned types".
    // [SAMPLE] AppState.swift:54,111
    public var errorDescription: String { fatalError("stand-in") }
}

/// The Calls SDK's user, returned by `getLoggedInUser()` and `login(...)`.
// [DOCS] authentication.mdx "## CallsUser Object"; [V5SKILL] "## SDK method map" (`getLoggedInUser` → `CallsUser`)
public final class CallsUser {
    // [DOCS] authentication.mdx "## CallsUser Object" (`uid` String?); [SAMPLE] AppState.swift:79 `loggedInUser?.uid ?? "nil"`
    public var uid: String? { fatalError("stand-in") }
    // [DOCS] authentication.mdx "## CallsUser Object" (`name` String?)
    public var name: String? { fatalError("stand-in") }
    // [DOCS] authentication.mdx "## CallsUser Object" (`avatar` String?)
    public var avatar: String? { fatalError("stand-in") }
}

/// A call participant. Only three of its twelve (all optional) fields are declared here.
// [V5SKILL] "## Listener lifecycle (BAKED)" (`Participant` has exactly 12 fields, all Optional; identity is `uid`)
public final class Participant {
    // [V5SKILL] "## Listener lifecycle (BAKED)" (`uid` is `String?`)
    public var uid: String? { fatalError("stand-in") }
    // [V5SKILL] "## Listener lifecycle (BAKED)" (all fields Optional); [DOCS] actions.mdx "Participant Object Reference" (String)
    public var name: String? { fatalError("stand-in") }
    // [V5SKILL] "## Listener lifecycle (BAKED)" (all fields Optional); [DOCS] actions.mdx "Participant Object Reference" (String)
    public var avatar: String? { fatalError("stand-in") }
}

// MARK: - Enums

/// The kind of session.
// [DOCS] session-settings.mdx "### Session Type" ("SessionType Values"); [V5SKILL] "## SDK method map" (Enums)
public enum SessionType {
    // [DOCS] session-settings.mdx "### Session Type"
    case video
    // [DOCS] session-settings.mdx "### Session Type"
    case voice
    // [V5SKILL] "## Doc corrections" (`SessionType.audio` row: deprecated in 5.0.4)
    @available(*, deprecated, message: "deprecated in 5.0.4: use .voice")
    case audio
    // [V5SKILL] "## Doc corrections" (`SessionType.audio` row: `.audioVideo` deprecated in 5.0.4)
    @available(*, deprecated, message: "deprecated in 5.0.4: use .video")
    case audioVideo
}

/// Audio output route (builder form and `MediaEventsListener`; `CallSession.setAudioMode` takes a String).
// [DOCS] audio-modes.mdx "## Available Audio Modes"; [V5SKILL] "## Doc corrections" (`AudioMode`, not `AudioModeType`)
public enum AudioMode {
    // [DOCS] audio-modes.mdx "## Available Audio Modes"
    case speaker
    // [DOCS] audio-modes.mdx "## Available Audio Modes"
    case earpiece
    // [DOCS] audio-modes.mdx "## Available Audio Modes"
    case bluetooth
    // [DOCS] audio-modes.mdx "## Available Audio Modes"
    case headphones
}

/// Which camera is in use. UPPERCASE cases; there is no `.BACK`.
// [V5SKILL] "## SDK method map" (Enums: `.FRONT`/`.REAR`; `.front`/`.rear` and `.BACK` do not compile);
// [DOCS] events.mdx "## Media Events" ("CameraFacing Values"); [SKILLS@c07a74f4] video-controls "### Listen for Video Events"
public enum CameraFacing {
    // [DOCS] events.mdx "## Media Events" ("CameraFacing Values")
    case FRONT
    // [DOCS] events.mdx "## Media Events" ("CameraFacing Values"); NOT session-settings.mdx's `.BACK`
    case REAR
}

/// Call layout (builder form and `LayoutListener`; `CallSession.setLayout` takes a String).
// [DOCS] session-settings.mdx "### Layout Mode" ("LayoutType Values"); [V5SKILL] "## SDK method map" (Enums)
public enum LayoutType {
    // [DOCS] session-settings.mdx "### Layout Mode"
    case tile
    // [DOCS] session-settings.mdx "### Layout Mode"
    case spotlight
    // [DOCS] session-settings.mdx "### Layout Mode"; [V5SKILL] "## SDK method map" (events.mdx lists only tile/spotlight)
    case sidebar
}

// MARK: - Session settings

/// Builds the settings for `CometChatCalls.joinSession`.
// [SAMPLE] CallView.swift:48-52 `SessionSettingsBuilder()...build()`; [DOCS] session-settings.mdx (page title)
public final class SessionSettingsBuilder {
    /// The built settings: the NESTED type `joinSession(callSetting:)` takes.
    // [V5SKILL] "## SDK method map" (Session: `SessionSettingsBuilder.SessionSettings` NESTED);
    // [DOCS] migration-guide-v5.mdx "## Deprecated Classes Summary"
    public final class SessionSettings {}

    // [SAMPLE] CallView.swift:48 `SessionSettingsBuilder()`
    public init() {}

    // [DOCS] session-settings.mdx "### Title" `setTitle(_ title: String)`; [SAMPLE] CallView.swift:49
    public func setTitle(_ title: String) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Display Name" `setDisplayName(_ name: String)`
    public func setDisplayName(_ name: String) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Session Type" `setSessionType(_ sessionType: SessionType)`;
    // [V5SKILL] "## Doc corrections" (no `setType` in any spelling)
    public func setSessionType(_ sessionType: SessionType) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Layout Mode" `setLayout(_ layoutType: LayoutType)`
    public func setLayout(_ layoutType: LayoutType) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Idle Timeout Period" `setIdleTimeoutPeriod(_ timeoutSeconds: Int)` (seconds)
    public func setIdleTimeoutPeriod(_ timeoutSeconds: Int) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Start Audio Muted" `startAudioMuted(_ muted: Bool)`; [SAMPLE] CallView.swift:51
    public func startAudioMuted(_ muted: Bool) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Start Video Paused" `startVideoPaused(_ muted: Bool)`; [SAMPLE] CallView.swift:50
    public func startVideoPaused(_ muted: Bool) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Audio Mode" `setAudioMode(_ audioMode: AudioMode)`
    public func setAudioMode(_ audioMode: AudioMode) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Hide Control Panel" `hideControlPanel(_ hidden: Bool)`
    public func hideControlPanel(_ hidden: Bool) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Hide Header Panel" `hideHeaderPanel(_ hidden: Bool)`
    public func hideHeaderPanel(_ hidden: Bool) -> SessionSettingsBuilder { self }

    // [DOCS] session-settings.mdx "### Hide Share Invite Button" `hideShareInviteButton(_ enabled: Bool)` (default true)
    public func hideShareInviteButton(_ enabled: Bool) -> SessionSettingsBuilder { self }

    // [SAMPLE] CallView.swift:52
    public func build() -> SessionSettings { fatalError("stand-in") }
}

// MARK: - CometChatCalls

/// Init, login and the one-step join.
// [SAMPLE] AppState.swift:49, CallView.swift:58; [V5SKILL] "## SDK method map" (Lifecycle, Session)
public final class CometChatCalls {
    /// Initialises the SDK. `onError` gives an OPTIONAL exception.
    // [SAMPLE] AppState.swift:49-58 (`CometChatCalls(callsAppSettings:) { success in } onError: { error in error?... }`);
    // [DOCS] setup.mdx "## Initialize CometChat Calls" (ObjC tab: `onSuccess:^(NSString * message)`);
    // onSuccess's `String?`: see SOURCES.md "Unpinned types"
    public init(
        callsAppSettings: CallAppSettings,
        onSuccess: @escaping (String?) -> Void,
        onError: @escaping (CometChatCallException?) -> Void
    ) {}

    /// The logged-in user, or nil when nobody is logged in.
    // [DOCS] authentication.mdx "## Check Login Status"; [SAMPLE] AppState.swift:78
    public static func getLoggedInUser() -> CallsUser? { fatalError("stand-in") }

    /// Production login with a server-minted auth token. The error is NOT optional.
    // [DOCS] authentication.mdx "## Login with Auth Token" (`onSuccess: { user in user.uid ?? "" }`, ObjC
    // `^(CallsUser * user)`); [V5SKILL] "VoIP call notifications" note (login hands a NON-optional exception);
    // [SKILLS@c07a74f4] setup "### 5. Authentication" (`user.uid`, non-optional user)
    public static func login(
        authToken: String,
        onSuccess: @escaping (CallsUser) -> Void,
        onError: @escaping (CometChatCallException) -> Void
    ) {}

    /// Joins a session by ID in one call (the SDK generates the call token). The error is optional.
    // [SAMPLE] CallView.swift:58-72 (`error?.errorDescription`); [DOCS] join-session.mdx "## Join with Session ID"
    // (ObjC: `onSuccess:^(NSString * message)`); [V5SKILL] "## SDK method map" (TWO join paths);
    // onSuccess's `String?`: see SOURCES.md "Unpinned types"
    public static func joinSession(
        sessionID: String,
        callSetting: SessionSettingsBuilder.SessionSettings,
        container: UIView,
        onSuccess: @escaping (String?) -> Void,
        onError: @escaping (CometChatCallException?) -> Void
    ) {}

    /// The docs' spelling of the settings builder.
    // [DOCS] session-settings.mdx (first Swift example), join-session.mdx "## Join with Session ID";
    // [V5SKILL] "## SDK method map" (`CometChatCalls.sessionSettingsBuilder`)
    public static var sessionSettingsBuilder: SessionSettingsBuilder { fatalError("stand-in") }
}

// MARK: - Listener protocols (every member REQUIRED here; all `@objc optional` in the real SDK)

/// Session lifecycle.
// [DOCS] events.mdx "## Session Events"; [SAMPLE] CallView.swift:75-97; [SKILLS@c07a74f4] event-listeners "### 1. SessionStatusListener"
public protocol SessionStatusListener: AnyObject {
    // [DOCS] events.mdx "## Session Events"
    func onSessionJoined()
    // [DOCS] events.mdx "## Session Events"
    func onSessionLeft()
    // [DOCS] events.mdx "## Session Events"
    func onSessionTimedOut()
    // [DOCS] events.mdx "## Session Events"
    func onConnectionLost()
    // [DOCS] events.mdx "## Session Events"
    func onConnectionRestored()
    // [DOCS] events.mdx "## Session Events"
    func onConnectionClosed()
}

/// Taps on the SDK's own call UI; each fires before the SDK's default action and does not suppress it.
// [DOCS] events.mdx "## Button Click Events"; [SKILLS@c07a74f4] event-listeners "### 4. ButtonClickListener"
public protocol ButtonClickListener: AnyObject {
    // [DOCS] events.mdx "## Button Click Events"; [SAMPLE] CallView.swift:99
    func onLeaveSessionButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onToggleAudioButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onToggleVideoButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onSwitchCameraButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onRaiseHandButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onShareInviteButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onChangeLayoutButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onParticipantListButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onChatButtonClicked()
    // [DOCS] events.mdx "## Button Click Events"
    func onRecordingToggleButtonClicked()
}

/// The local user's media state. No screen-share callbacks exist on this protocol.
// [DOCS] events.mdx "## Media Events" (and its Note); [SKILLS@c07a74f4] event-listeners "### 3. MediaEventsListener"
public protocol MediaEventsListener: AnyObject {
    // [DOCS] events.mdx "## Media Events"
    func onAudioMuted()
    // [DOCS] events.mdx "## Media Events" (capital M in `UnMuted`)
    func onAudioUnMuted()
    // [DOCS] events.mdx "## Media Events"
    func onVideoPaused()
    // [DOCS] events.mdx "## Media Events"
    func onVideoResumed()
    // [DOCS] events.mdx "## Media Events"
    func onRecordingStarted()
    // [DOCS] events.mdx "## Media Events"
    func onRecordingStopped()
    // [DOCS] events.mdx "## Media Events" `onAudioModeChanged(audioMode: AudioMode)`
    func onAudioModeChanged(audioMode: AudioMode)
    // [DOCS] events.mdx "## Media Events" `onCameraFacingChanged(cameraFacing: CameraFacing)`
    func onCameraFacingChanged(cameraFacing: CameraFacing)
}

/// Other participants' events. [V5SKILL] reports Joined/Left never firing and ListChanged arriving empty.
// [DOCS] events.mdx "## Participant Events"; [SKILLS@c07a74f4] event-listeners "### 2. ParticipantEventListener"
public protocol ParticipantEventListener: AnyObject {
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantJoined(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantLeft(participant: Participant)
    // [DOCS] events.mdx "## Participant Events" `onParticipantListChanged(participants: [Participant])`
    func onParticipantListChanged(participants: [Participant])
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantAudioMuted(participant: Participant)
    // [DOCS] events.mdx "## Participant Events" (lower-case m in `Unmuted`, unlike MediaEventsListener)
    func onParticipantAudioUnmuted(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantVideoPaused(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantVideoResumed(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantHandRaised(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantHandLowered(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantStartedScreenShare(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantStoppedScreenShare(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantStartedRecording(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onParticipantStoppedRecording(participant: Participant)
    // [DOCS] events.mdx "## Participant Events"
    func onDominantSpeakerChanged(participant: Participant)
}

/// Layout and picture-in-picture changes.
// [DOCS] events.mdx "## Layout Events"; [SKILLS@c07a74f4] event-listeners "### 5. LayoutListener" (the `@objc` declaration)
public protocol LayoutListener: AnyObject {
    // [DOCS] events.mdx "## Layout Events" `onCallLayoutChanged(layoutType: LayoutType)`
    func onCallLayoutChanged(layoutType: LayoutType)
    // [DOCS] events.mdx "## Layout Events"
    func onParticipantListVisible()
    // [DOCS] events.mdx "## Layout Events"
    func onParticipantListHidden()
    // [DOCS] events.mdx "## Layout Events"
    func onPictureInPictureLayoutEnabled()
    // [DOCS] events.mdx "## Layout Events"
    func onPictureInPictureLayoutDisabled()
}

// MARK: - CallSession

/// The joined session: listener registration and in-call actions. Listeners are held weakly.
// [DOCS] events.mdx "## Get CallSession Instance", actions.mdx "## Get CallSession Instance";
// [SAMPLE] CallView.swift:64 `CometChatCallsSDK.CallSession.shared`; [DOCS] migration-guide-v5.mdx "### v5: Focused Listener Protocols" (Note)
public final class CallSession {
    /// The singleton. Declared get-only and computed (not a stored `static let`) so that this file
    /// also compiles in Swift 6 language mode without a concurrency annotation; callers cannot tell.
    // [SAMPLE] CallView.swift:64; [DOCS] events.mdx "## Get CallSession Instance" (ObjC `[CallSession shared]`)
    public static var shared: CallSession { fatalError("stand-in") }

    private init() {}

    // [DOCS] events.mdx "## Session Events"; [V5SKILL] "## Listener lifecycle (BAKED)" (add/remove table)
    public func addSessionStatusListener(_ listener: any SessionStatusListener) {}
    // [DOCS] events.mdx "## Session Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func removeSessionStatusListener(_ listener: any SessionStatusListener) {}

    // [DOCS] events.mdx "## Button Click Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func addButtonClickListener(_ listener: any ButtonClickListener) {}
    // [DOCS] events.mdx "## Button Click Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func removeButtonClickListener(_ listener: any ButtonClickListener) {}

    // [DOCS] events.mdx "## Media Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func addMediaEventsListener(_ listener: any MediaEventsListener) {}
    // [DOCS] events.mdx "## Media Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func removeMediaEventsListener(_ listener: any MediaEventsListener) {}

    // [DOCS] events.mdx "## Participant Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func addParticipantEventListener(_ listener: any ParticipantEventListener) {}
    // [DOCS] events.mdx "## Participant Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func removeParticipantEventListener(_ listener: any ParticipantEventListener) {}

    // [DOCS] events.mdx "## Layout Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func addLayoutListener(_ listener: any LayoutListener) {}
    // [DOCS] events.mdx "## Layout Events"; [V5SKILL] "## Listener lifecycle (BAKED)"
    public func removeLayoutListener(_ listener: any LayoutListener) {}

    // [DOCS] events.mdx "## Clear All Listeners"
    public func clearAllListeners() {}

    // [DOCS] actions.mdx "### Leave Session"; [SAMPLE] CallView.swift:100
    public func leaveSession() {}

    // [DOCS] actions.mdx "### Mute Audio"
    public func muteAudio() {}

    // [DOCS] actions.mdx "### Unmute Audio" (lower-case m; the older audio-controls skill's `unMuteAudio` is wrong)
    public func unmuteAudio() {}

    // [DOCS] actions.mdx "### Pause Video"
    public func pauseVideo() {}

    // [DOCS] actions.mdx "### Resume Video"
    public func resumeVideo() {}

    // [DOCS] actions.mdx "### Switch Camera"
    public func switchCamera() {}

    /// Takes a String: "SPEAKER", "EARPIECE", "BLUETOOTH" or "HEADPHONES" (the builder form takes `AudioMode`).
    // [DOCS] actions.mdx "### Set Audio Mode", audio-modes.mdx "## Change Audio Mode During Call";
    // [V5SKILL] "## Doc corrections" (`setAudioMode` / `setLayout` take a `String`)
    public func setAudioMode(_ mode: String) {}

    // [DOCS] actions.mdx "### Is Session Active"
    public func isCallSessionActive() -> Bool { fatalError("stand-in") }
}
