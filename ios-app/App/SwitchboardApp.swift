// The app's entry point: the SwiftUI scene around `AppEnvironment` (AppEnvironment.swift, the
// composition root). It hands links and the scene's phase to the environment and shows the home
// screen, or why the core could not start. Nothing here decides anything: what the Linux
// type-check cannot compile (SwiftUI) holds no logic.
import SwiftUI
import SwitchboardKit

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
                .onContinueUserActivity(NSUserActivityTypeBrowsingWeb) { activity in
                    environment.openUniversalLink(activity.webpageURL)
                }
                .onOpenURL { url in
                    environment.openURL(url)
                }
        }
        .onChange(of: scenePhase) { phase in
            switch phase {
            case .active: environment.becameActive()
            case .background: environment.enteredBackground()
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
