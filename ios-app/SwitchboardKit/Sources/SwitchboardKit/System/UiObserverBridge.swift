// The core's `UiObserver` port: renders go to the view model; the permission prompts, the Settings
// app and the share sheet go to the app's providers. Like the other bridges it throws what it could
// not do (rule 13), and reports the answers to the core (`permission_changed`).
import Foundation

/// Implements the core's `UiObserver` over `CallViewModel`, a `PermissionsProvider` and a
/// `SystemProxyProtocol`.
public final class UiObserverBridge: UiObserver, ReportsToCore, @unchecked Sendable {
    /// What the views draw.
    public let viewModel: CallViewModel
    private let permissions: PermissionsProvider
    // Touched only on the main actor (inside `MainThread`).
    private let system: SystemProxyProtocol
    private let lock = NSLock()
    private weak var core: SwitchboardProxyProtocol?
    /// What the core was last told about each device.
    private var reported: Permissions

    /// The microphone and camera statuses read when this bridge was made: they go into the core's
    /// configuration (`SwitchboardConfig.permissions`).
    public let launchPermissions: Permissions

    /// A bridge; reads the permissions once, for the launch (`launchPermissions`).
    public init(viewModel: CallViewModel, permissions: PermissionsProvider, system: SystemProxyProtocol) {
        self.viewModel = viewModel
        self.permissions = permissions
        self.system = system
        launchPermissions = permissions.current
        reported = launchPermissions
    }

    /// The core the answers go to (held weakly: the core holds this bridge); also the view model's.
    public func attach(_ core: SwitchboardProxyProtocol) {
        lock.sync { self.core = core }
        MainThread.sync { viewModel.attach(core) }
    }

    // MARK: - UiObserver

    public func render(state: UiState) {
        viewModel.render(state: state)
    }

    /// Asks for `media` (the system prompt) and reports the answer with `permission_changed`.
    public func requestPermission(media: MediaKind) throws {
        do {
            try permissions.requestAccess(for: media) { granted in
                self.answered(media, granted: granted)
            }
        } catch {
            throw PortFailure.error("request_permission \(media)", error)
        }
    }

    public func openAppSettings() throws {
        try onMain("open_app_settings") { try self.system.openAppSettings() }
    }

    public func shareLink(url: String) throws {
        guard let link = URL(string: url), link.scheme != nil else {
            throw PortFailure.error("share_link", "not a URL")
        }
        try onMain("share_link") { try self.system.share(url: link) }
    }

    // MARK: - Changes seen by the app

    /// Reads both statuses again and reports each that changed since the core last heard of it (the
    /// app came to the foreground: the user may have changed them in the Settings app).
    public func refreshPermissions() {
        for media in [MediaKind.microphone, .camera] {
            report(media, permissions.authorizationStatus(for: media), onlyIfChanged: true)
        }
    }

    private func answered(_ media: MediaKind, granted: Bool) {
        // The prompt's answer is a yes or a no; a no is `.denied` unless the system says more.
        let status: Authorization
        if granted {
            status = .authorized
        } else {
            let now = permissions.authorizationStatus(for: media)
            status = now.isRefused ? now : .denied
        }
        report(media, status, onlyIfChanged: false)
    }

    private func report(_ media: MediaKind, _ status: Authorization, onlyIfChanged: Bool) {
        let core = lock.sync { () -> SwitchboardProxyProtocol?? in
            if onlyIfChanged && reported.status(of: media) == status { return .none }
            reported.set(media, status)
            return .some(self.core)
        }
        switch core {
        case .none:
            return
        case .some(nil):
            ShellLog.error("a permission answer with no core attached: \(media) \(status)")
        case let .some(core?):
            core.permissionChanged(media: media, status: status)
        }
    }

    private func onMain(_ action: String, _ body: @MainActor @Sendable () throws -> Void) throws {
        do {
            try MainThread.sync(body)
        } catch {
            throw PortFailure.error(action, error)
        }
    }
}
