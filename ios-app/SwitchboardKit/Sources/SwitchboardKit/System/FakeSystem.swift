// The phone's twins for tests and previews: permissions whose prompts the test answers, and a
// system that records the Settings app being opened and the links shared.
import Foundation

/// Camera and microphone authorisation, with prompts that answer as the test says.
public final class FakePermissions: PermissionsProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: Permissions
    private var prompts: [MediaKind: Bool] = [:]
    private var waiting: [(MediaKind, @Sendable (Bool) -> Void)] = []
    private var asked: [MediaKind] = []
    private var failure: String?

    /// Statuses as the app reads them at launch (by default both allowed).
    public init(_ statuses: Permissions = Permissions(microphone: .authorized, camera: .authorized)) {
        self.statuses = statuses
    }

    /// How the user answers the next prompt for a device (true: allow). A device with no answer
    /// here keeps its prompt open until `answer(_:granted:)`.
    public func setPromptAnswer(_ media: MediaKind, granted: Bool?) {
        lock.sync { prompts[media] = granted }
    }

    /// Makes `requestAccess` throw with this message (nil: it works).
    public func setFailure(_ message: String?) {
        lock.sync { failure = message }
    }

    /// The user changed a status in the Settings app.
    public func set(_ media: MediaKind, _ status: Authorization) {
        lock.sync { statuses.set(media, status) }
    }

    /// Every device the core asked for, in order.
    public var requests: [MediaKind] {
        lock.sync { asked }
    }

    /// The user answers an open prompt for `media`.
    public func answer(_ media: MediaKind, granted: Bool) {
        let completions = lock.sync { () -> [@Sendable (Bool) -> Void] in
            statuses.set(media, granted ? .authorized : .denied)
            let open = waiting.filter { $0.0 == media }.map(\.1)
            waiting.removeAll { $0.0 == media }
            return open
        }
        for completion in completions {
            completion(granted)
        }
    }

    public func authorizationStatus(for media: MediaKind) -> Authorization {
        lock.sync { statuses.status(of: media) }
    }

    public func requestAccess(for media: MediaKind, completion: @escaping @Sendable (Bool) -> Void) throws {
        enum Outcome { case fail(String), now(Bool), later }
        let outcome = lock.sync { () -> Outcome in
            asked.append(media)
            if let failure { return .fail(failure) }
            let status = statuses.status(of: media)
            // As iOS: no prompt once the user has answered; the current answer at once.
            guard status == .notDetermined else { return .now(status == .authorized) }
            guard let granted = prompts[media] else {
                waiting.append((media, completion))
                return .later
            }
            statuses.set(media, granted ? .authorized : .denied)
            return .now(granted)
        }
        switch outcome {
        case let .fail(message): throw PortError.Failed(message: message)
        case let .now(granted): completion(granted)
        case .later: break
        }
    }
}

/// The Settings app and the share sheet, recorded.
@MainActor
public final class FakeSystem: SystemProxyProtocol {
    /// How many times the Settings app was opened.
    public private(set) var settingsOpened = 0
    /// Every link shared, in order.
    public private(set) var shared: [URL] = []
    /// Makes both methods throw with this message (nil: they work).
    public var failure: String?

    /// A system that works.
    public nonisolated init() {}

    public func openAppSettings() throws {
        if let failure { throw PortError.Failed(message: failure) }
        settingsOpened += 1
    }

    public func share(url: URL) throws {
        if let failure { throw PortError.Failed(message: failure) }
        shared.append(url)
    }
}
