// The app's entry point and composition root: builds the core with the real ports (CometChat,
// AVAudioSession, the view model), routes Universal Links into the core's router, and reports the
// app's foreground and background. It decides nothing about calls.
import SwiftUI
import SwitchboardKit

@main
struct SwitchboardApp: App {
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
            case .active: environment.core?.appState(.foreground)
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
    /// Where the SDK draws, shared by the call view and the CometChat adapter.
    let callHost: CallViewHost
    // The ports; the core holds them too, these keep their types.
    private let calls: CometChatCallsAdapter
    private let audio: AVAudioSessionAdapter

    private init(
        core: SwitchboardProxy?,
        startupError: String?,
        viewModel: CallViewModel,
        callHost: CallViewHost,
        calls: CometChatCallsAdapter,
        audio: AVAudioSessionAdapter
    ) {
        self.core = core
        self.startupError = startupError
        self.viewModel = viewModel
        self.callHost = callHost
        self.calls = calls
        self.audio = audio
    }

    static func launch(bundle: Bundle = .main) -> AppEnvironment {
        let settings = AppConfiguration(bundle: bundle)
        let callHost = CallViewHost()
        let viewModel = CallViewModel()
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
            credentials: CometChatCredentials(
                appID: settings.cometChatAppID,
                region: settings.cometChatRegion,
                fetchAuthToken: AppConfiguration.developmentAuthToken
            ),
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
                viewModel: viewModel
            )
        } catch {
            ShellLog.error("the core did not start: \(error)")
            startupError = "\(error)"
        }
        return AppEnvironment(
            core: core,
            startupError: startupError,
            viewModel: viewModel,
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

    /// Development only: the CometChat auth token from the scheme's environment
    /// (SWITCHBOARD_DEV_AUTH_TOKEN). A real app asks its backend, which mints the token with the
    /// REST API; an API key never ships in the app.
    static func developmentAuthToken(_ done: @escaping (String?) -> Void) {
        done(ProcessInfo.processInfo.environment["SWITCHBOARD_DEV_AUTH_TOKEN"])
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
