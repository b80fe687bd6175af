// The core as the shell sees it: every input the app reports, and the state last rendered.
// Element X's shape: views talk to view models, view models (and adapters) to this protocol,
// never to the generated `Switchboard` class, so tests and previews can stand in for it.
import Foundation

/// Everything the Swift shell tells the core. Every method returns at once (the core enqueues)
/// and never throws: the only failures are "already shut down" and bugs, which are logged.
public protocol SwitchboardProxyProtocol: AnyObject, Sendable {
    /// A meeting link was opened (Universal Link, or a URL handed to the app): the raw URL.
    func openURL(_ url: String)
    /// The user asked to join a session by id.
    func join(sessionID: String)
    /// The user pressed the app's own leave control.
    func leave()
    /// A Calls SDK callback for `attempt` (the attempt `join_session` was given).
    func sdkEvent(_ event: SdkEvent, attempt: UInt64)
    /// An `AVAudioSession` notification.
    func audioEvent(_ event: AudioEvent)
    /// The user toggled the microphone.
    func toggleMic()
    /// The user toggled the camera.
    func toggleCamera()
    /// The user picked the loudspeaker (`true`) or the default route.
    func selectAudioRoute(speaker: Bool)
    /// The app moved to the foreground or the background.
    func appState(_ state: AppState)
    /// The call view (the SDK's container) is on screen.
    func viewAppeared()
    /// The call view left the screen.
    func viewDisappeared()
    /// The user asked to retry the call that failed.
    func retry()
    /// The user dismissed the ended call or the error alert.
    func dismiss()
    /// The user answered "switch to the other call?".
    func answerSwitch(accept: Bool)
    /// The Calls SDK's init or login completed (rule 11). Never carries a token.
    func setupEvent(_ event: SetupEvent)
    /// The answer to a permission request, or a status the app saw change (rule 12).
    func permissionChanged(media: MediaKind, status: Authorization)
    /// The user started a new meeting with a fresh id (`UUID().uuidString`).
    func newMeeting(sessionID: String)
    /// The user tapped "Open Settings" on an error that needs a permission.
    func openSettings()
    /// The state last rendered (never waits on the core).
    var uiState: UiState { get }
}

public extension SwitchboardProxyProtocol {
    /// Routes a Universal Link (`NSUserActivityTypeBrowsingWeb`'s `webpageURL`) or an opened URL
    /// through the core's router. The shell checks nothing: the router validates the link.
    func openUniversalLink(_ url: URL?) {
        guard let url else {
            ShellLog.error("a web activity without a URL")
            return
        }
        openURL(url.absoluteString)
    }
}

/// The real proxy: the generated `Switchboard` object with non-throwing inputs.
public final class SwitchboardProxy: SwitchboardProxyProtocol {
    /// The generated object, for what the protocol leaves out (export, waiting in tests).
    public let core: Switchboard

    /// Wraps a running core.
    public init(core: Switchboard) {
        self.core = core
    }

    /// Opens (or creates) the event log in `dataDirectory`, rebuilds the call state from it and
    /// starts the core with the shell's three ports and the microphone and camera authorisation
    /// read at launch. Blocks only for that start-up.
    public static func start(
        dataDirectory: URL,
        config: CoreConfig,
        permissions: Permissions,
        sdk: CallsSdk,
        audio: AudioSession,
        ui: UiObserver
    ) throws -> SwitchboardProxy {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let config = SwitchboardConfig(dataDir: dataDirectory.path, core: config, permissions: permissions)
        return SwitchboardProxy(core: try Switchboard(config: config, sdk: sdk, audio: audio, ui: ui))
    }

    public func openURL(_ url: String) { send("open_url") { try core.openUrl(url: url) } }
    public func join(sessionID: String) { send("join") { try core.join(sessionId: sessionID) } }
    public func leave() { send("leave") { try core.leave() } }
    public func audioEvent(_ event: AudioEvent) { send("audio_event") { try core.audioEvent(event: event) } }
    public func toggleMic() { send("toggle_mic") { try core.toggleMic() } }
    public func toggleCamera() { send("toggle_camera") { try core.toggleCamera() } }
    public func appState(_ state: AppState) { send("app_state") { try core.appState(state: state) } }
    public func viewAppeared() { send("view_appeared") { try core.viewAppeared() } }
    public func viewDisappeared() { send("view_disappeared") { try core.viewDisappeared() } }
    public func retry() { send("retry") { try core.retry() } }
    public func dismiss() { send("dismiss") { try core.dismiss() } }

    public func sdkEvent(_ event: SdkEvent, attempt: UInt64) {
        send("sdk_event") { try core.sdkEvent(attempt: attempt, event: event) }
    }

    public func selectAudioRoute(speaker: Bool) {
        send("select_audio_route") { try core.selectAudioRoute(speaker: speaker) }
    }

    public func answerSwitch(accept: Bool) {
        send("answer_switch") { try core.answerSwitch(accept: accept) }
    }

    public func setupEvent(_ event: SetupEvent) {
        send("setup_event") { try core.setupEvent(event: event) }
    }

    public func permissionChanged(media: MediaKind, status: Authorization) {
        send("permission_changed") { try core.permissionChanged(media: media, status: status) }
    }

    public func newMeeting(sessionID: String) {
        send("new_meeting") { try core.newMeeting(sessionId: sessionID) }
    }

    public func openSettings() { send("open_settings") { try core.openSettings() } }

    public var uiState: UiState {
        do {
            return try core.uiState()
        } catch {
            ShellLog.error("ui_state: \(error)")
            return .idle
        }
    }

    /// Waits up to `timeoutMs` until the core has handled every input so far. For tests and
    /// previews only: it blocks the calling thread, so never call it on the main thread of an app.
    public func waitUntilIdle(timeoutMs: UInt64) -> Bool {
        (try? core.waitUntilIdle(timeoutMs: timeoutMs)) ?? false
    }

    /// Writes the event log as JSON Lines (for support); returns the number of records.
    public func exportLog(to file: URL, redact: Bool) throws -> UInt64 {
        try core.exportLog(path: file.path, redact: redact)
    }

    /// Stops the core and closes its log. Later inputs are logged and dropped.
    public func shutdown() {
        send("shutdown") { try core.shutdown() }
    }

    private func send(_ input: StaticString, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            ShellLog.error("\(input): \(error)")
        }
    }
}
