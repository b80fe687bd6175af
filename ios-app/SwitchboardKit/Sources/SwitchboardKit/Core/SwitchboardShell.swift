// Starting the core and wiring the shell's objects to it, the same way in the app, in previews and
// in tests.
import Foundation

/// An object that reports to the core (SDK callbacks, audio notifications, the user's intents) and
/// so needs the core once it has started.
public protocol ReportsToCore: AnyObject {
    /// The core to report to.
    func attach(_ core: SwitchboardProxyProtocol)
}

extension CallsSdkBridge: ReportsToCore {}
extension FakeAudioSession: ReportsToCore {}

/// Starts the core with the shell's three ports.
@MainActor
public enum SwitchboardShell {
    /// Opens the event log in `dataDirectory`, starts the core with `sdk`, `audio` and `ui` as its
    /// ports and `ui`'s launch permissions, then gives the core to each of them (and to `ui`'s view
    /// model). Blocks for the start-up only.
    public static func start(
        dataDirectory: URL,
        config: CoreConfig,
        sdk: CallsSdk & ReportsToCore,
        audio: AudioSession & ReportsToCore,
        ui: UiObserverBridge
    ) throws -> SwitchboardProxy {
        let core = try SwitchboardProxy.start(
            dataDirectory: dataDirectory,
            config: config,
            permissions: ui.launchPermissions,
            sdk: sdk,
            audio: audio,
            ui: ui
        )
        sdk.attach(core)
        audio.attach(core)
        ui.attach(core)
        return core
    }
}
