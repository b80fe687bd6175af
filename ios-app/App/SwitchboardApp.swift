// The app's entry point and composition root: builds the core with the real ports (CometChat,
// AVAudioSession, the view model with the permissions, Settings and share-sheet adapters), routes
// Universal Links into the core's router, and reports the app's foreground and background (and the
// permissions the user may have changed meanwhile). It decides nothing about calls.
import SwiftUI
import SwitchboardKit
import UIKit

/// The Calls SDK reads `UIApplication.shared.delegate?.window` and aborts without it, right after
/// the camera permission is granted (CometChat's v5 skill): a SwiftUI app needs this delegate.
final class AppDelegate: NSObject, UIApplicationDelegate {
    var window: UIWindow?
}

@main
struct SwitchboardApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var appDelegate
    @Environment(\.scenePhase) private var scenePhase
    @StateObject private var viewModel: CallViewModel
    private let environment: AppEnvironment

    init() {
        let environment = AppEnvironment.launch()
        self.environment = environment
        _viewModel = StateObject(wrappedValue: environment.viewModel)
    }

    var body: some Scene {
        WindowGroup {
            rootView
                // Universal Links (https://<host>/meet/<id>): the raw URL goes to the core's router,
                // which validates it; the shell parses nothing. Cold starts arrive here too.
                .onContinueUserActivity(NSUserActivityTypeBrowsingWeb) { activity in
                    environment.core?.openUniversalLink(activity.webpageURL)
                }
                .onOpenURL { url in
                    environment.core?.openURL(url.absoluteString)
                }
        }
        .onChange(of: scenePhase) { phase in
            switch phase {
            case .active:
                // The user may have changed a permission in the Settings app meanwhile.
                environment.ui.refreshPermissions()
                environment.core?.appState(.foreground)
            case .background: environment.core?.appState(.background)
            default: break
            }
        }
    }

    @ViewBuilder private var rootView: some View {
        if environment.core != nil {
            ContentView(viewModel: viewModel, host: environment.callHost)
        } else {
            StartupFailureView(message: environment.startupError ?? "Unknown error")
        }
    }
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

/// Shown when the core could not start (for example, its log could not be opened).
struct StartupFailureView: View {
    let message: String

    var body: some View {
        VStack(spacing: 12) {
            Image(systemName: "exclamationmark.triangle")
                .font(.largeTitle)
            Text("Switchboard could not start")
                .font(.headline)
            Text(message)
                .font(.footnote)
                .foregroundStyle(.secondary)
                .multilineTextAlignment(.center)
        }
        .padding()
    }
}
