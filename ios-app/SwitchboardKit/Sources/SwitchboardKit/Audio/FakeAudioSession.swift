// AVAudioSession's twin for tests and previews: implements the core's `AudioSession` port and
// records every call; can also play the session's notifications into the core, and fail a method
// as AVAudioSession does (rule 13).
import Foundation

/// A recording audio session.
public final class FakeAudioSession: AudioSession, @unchecked Sendable {
    /// A call the core made on the audio port.
    public enum Call: Equatable, Sendable {
        /// `configure`.
        case configure(category: AudioCategory, mode: AudioSessionMode, options: AudioOptions)
        /// `activate`.
        case activate
        /// `deactivate`.
        case deactivate(notifyOthers: Bool)
        /// `override_output`.
        case overrideOutput(speaker: Bool)

        /// The port method.
        public var method: Method {
            switch self {
            case .configure: return .configure
            case .activate: return .activate
            case .deactivate: return .deactivate
            case .overrideOutput: return .overrideOutput
            }
        }
    }

    /// A method of the audio port, to make it fail.
    public enum Method: String, CaseIterable, Hashable, Sendable {
        case configure
        case activate
        case deactivate
        case overrideOutput = "override_output"
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    private var failing: [Method: String] = [:]
    private weak var core: SwitchboardProxyProtocol?

    /// An empty recorder.
    public init() {}

    /// The core to play notifications into.
    public func attach(_ core: SwitchboardProxyProtocol) {
        lock.sync { self.core = core }
    }

    /// Methods that throw `PortError.Failed` with this message (after recording the call), as
    /// AVAudioSession throws its `NSError`s.
    public var failures: [Method: String] {
        get { lock.sync { failing } }
        set { lock.sync { failing = newValue } }
    }

    /// Every call so far, in order.
    public var calls: [Call] {
        lock.sync { recorded }
    }

    /// Plays a notification (route change, interruption, media services reset) into the core.
    public func post(_ event: AudioEvent) {
        guard let core = lock.sync({ self.core }) else {
            ShellLog.error("audio event with no core attached: \(event)")
            return
        }
        core.audioEvent(event)
    }

    public func configure(category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) throws {
        try record(.configure(category: category, mode: mode, options: options))
    }

    public func activate() throws {
        try record(.activate)
    }

    public func deactivate(notifyOthers: Bool) throws {
        try record(.deactivate(notifyOthers: notifyOthers))
    }

    public func overrideOutput(speaker: Bool) throws {
        try record(.overrideOutput(speaker: speaker))
    }

    /// Records `call`; throws when its method is set to fail.
    private func record(_ call: Call) throws {
        let failure = lock.sync { () -> String? in
            recorded.append(call)
            return failing[call.method]
        }
        if let failure {
            throw PortError.Failed(message: failure)
        }
    }
}
