// The app's composition root: builds the core with the real ports (CometChat, AVAudioSession, the
// view model with the permissions, Settings and share-sheet adapters) and passes on what the scene
// reports (links, foreground, background). It decides nothing about calls. No SwiftUI here, so the
// Linux type-check compiles it against the stand-in UIKit.
import Foundation
import SwitchboardKit
import UIKit

/// The Calls SDK reads `UIApplication.shared.delegate?.window` and aborts without it, right after
/// the camera permission is granted (CometChat's v5 skill): a SwiftUI app needs this delegate.
final class AppDelegate: NSObject, UIApplicationDelegate {
    var window: UIWindow?
}

/// The objects the app runs on, built once at launch.
@MainActor
final class AppEnvironment {
    /// The core, or nil when it could not start (its log could not be opened).
    let core: SwitchboardProxy?
    /// Why the core did not start.
    let startupError: String?
    let viewModel: CallViewModel
    /// The core's UI port: renders, permission prompts, Settings, the share sheet.
    let ui: UiObserverBridge
    /// Where the SDK draws, shared by the call view and the CometChat adapter.
    let callHost: CallViewHost
    // The ports; the core holds them too, these keep their types.
    private let calls: CometChatCallsAdapter
    private let audio: AVAudioSessionAdapter

    private init(
        core: SwitchboardProxy?,
        startupError: String?,
        ui: UiObserverBridge,
        callHost: CallViewHost,
        calls: CometChatCallsAdapter,
        audio: AVAudioSessionAdapter
    ) {
        self.core = core
        self.startupError = startupError
        self.viewModel = ui.viewModel
        self.ui = ui
        self.callHost = callHost
        self.calls = calls
        self.audio = audio
    }

    // MARK: - What the scene reports

    /// A Universal Link (https://<host>/meet/<id>): the raw URL goes to the core's router, which
    /// validates it; the shell parses nothing. Cold starts arrive here too.
    func openUniversalLink(_ url: URL?) {
        core?.openUniversalLink(url)
    }

    /// A URL opened with the app (a custom scheme, or a link handed over by another app).
    func openURL(_ url: URL) {
        core?.openURL(url.absoluteString)
    }

    /// The scene is active again. The user may have changed a permission in the Settings app
    /// meanwhile: the permissions are read first, so the core sees them before the foreground.
    func becameActive() {
        ui.refreshPermissions()
        core?.appState(.foreground)
    }

    /// The scene went to the background.
    func enteredBackground() {
        core?.appState(.background)
    }

    // MARK: - Launch

    static func launch(bundle: Bundle = .main) -> AppEnvironment {
        let settings = AppConfiguration(bundle: bundle)
        let callHost = CallViewHost()
        // The microphone and camera statuses are read here, once, for the launch.
        let ui = UiObserverBridge(viewModel: CallViewModel(), permissions: CapturePermissions(), system: UIKitSystem())
        #if SWITCHBOARD_ADDITIVE
        // Chat and calls: the Chat SDK is initialised when the core asks (init_chat).
        let mode = IntegrationMode.additive
        let initialiseChat: (@MainActor () -> Void)? = ChatSDKSupport.initialiser(
            appID: settings.cometChatAppID,
            region: settings.cometChatRegion
        )
        #else
        // Calls only: the Chat SDK is neither linked nor initialised.
        let mode = IntegrationMode.standalone
        let initialiseChat: (@MainActor () -> Void)? = nil
        #endif
        let calls = CometChatCallsAdapter(
            credentials: CometChatCredentials(appID: settings.cometChatAppID, region: settings.cometChatRegion),
            // Replace with a TokenProvider over the app's own backend.
            tokens: DevelopmentTokenProvider(),
            host: callHost,
            initialiseChat: initialiseChat
        )
        let audio = AVAudioSessionAdapter()
        var core: SwitchboardProxy?
        var startupError: String?
        do {
            try? initLogging(level: "info")
            let config = try CoreConfig.standard(
                allowedHosts: settings.linkHosts,
                mode: mode,
                settings: .standard(title: settings.callTitle)
            )
            core = try SwitchboardShell.start(
                dataDirectory: AppConfiguration.dataDirectory(),
                config: config,
                sdk: calls,
                audio: audio,
                ui: ui
            )
        } catch {
            ShellLog.error("the core did not start: \(error)")
            startupError = "\(error)"
        }
        return AppEnvironment(
            core: core,
            startupError: startupError,
            ui: ui,
            callHost: callHost,
            calls: calls,
            audio: audio
        )
    }
}

/// The app's settings, from Info.plist.
struct AppConfiguration {
    let linkHosts: [String]
    let cometChatAppID: String
    let cometChatRegion: String
    let callTitle: String

    init(bundle: Bundle) {
        linkHosts = bundle.object(forInfoDictionaryKey: "SwitchboardLinkHosts") as? [String] ?? []
        cometChatAppID = bundle.object(forInfoDictionaryKey: "CometChatAppID") as? String ?? ""
        cometChatRegion = bundle.object(forInfoDictionaryKey: "CometChatRegion") as? String ?? "us"
        callTitle = bundle.object(forInfoDictionaryKey: "SwitchboardCallTitle") as? String ?? "Switchboard call"
    }

    /// Application Support/switchboard: the core's event log.
    static func dataDirectory() throws -> URL {
        try FileManager.default
            .url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("switchboard", isDirectory: true)
    }
}

