// AVAudioSession's twin for tests and previews: implements the core's `AudioSession` port and
// records every call as the core's own `Effect` (as the Rust fakes do); can also play the
// session's notifications into the core, and fail a method as AVAudioSession does (rule 13).
import Foundation

/// A recording audio session.
public final class FakeAudioSession: AudioSession, @unchecked Sendable {
    /// A method of the audio port, to make it fail: its raw value is the port method's name, as
    /// the core spells it (`effectPortMethod`).
    public enum Method: String, CaseIterable, Hashable, Sendable {
        case configure
        case activate
        case deactivate
        case overrideOutput = "override_output"

        /// The method that performs `effect`, or nil for an effect of another port.
        public init?(performing effect: Effect) {
            guard let name = try? effectPortMethod(effect: effect) else { return nil }
            self.init(rawValue: name)
        }
    }

    private let lock = NSLock()
    private var recorded: [Effect] = []
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

    /// Every call so far, in order, as the effect it performs (`.configureAudio`, `.activateAudio`,
    /// `.deactivateAudio`, `.overrideOutput`): the core's own values, as its Rust fakes record them.
    public var calls: [Effect] {
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
        try record(.configureAudio(category: category, mode: mode, options: options), by: .configure)
    }

    public func activate() throws {
        try record(.activateAudio, by: .activate)
    }

    public func deactivate(notifyOthers: Bool) throws {
        try record(.deactivateAudio(notifyOthers: notifyOthers), by: .deactivate)
    }

    public func overrideOutput(speaker: Bool) throws {
        try record(.overrideOutput(speaker: speaker), by: .overrideOutput)
    }

    /// Records `effect`, performed by `method`; throws when that method is set to fail. Each port
    /// method names itself (no FFI call to work it out); `Method(performing:)` is the same
    /// mapping as the core spells it, and a test holds the two together.
    private func record(_ effect: Effect, by method: Method) throws {
        let failure = lock.sync { () -> String? in
            recorded.append(effect)
            return failing[method]
        }
        if let failure {
            throw PortError.Failed(message: failure)
        }
    }
}
