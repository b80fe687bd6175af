// AVAudioSession's twin for tests and previews: implements the core's `AudioSession` port and
// records every call; can also play the session's notifications into the core.
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
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    private weak var core: SwitchboardProxyProtocol?

    /// An empty recorder.
    public init() {}

    /// The core to play notifications into.
    public func attach(_ core: SwitchboardProxyProtocol) {
        lock.sync { self.core = core }
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

    public func configure(category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) {
        record(.configure(category: category, mode: mode, options: options))
    }

    public func activate() {
        record(.activate)
    }

    public func deactivate(notifyOthers: Bool) {
        record(.deactivate(notifyOthers: notifyOthers))
    }

    public func overrideOutput(speaker: Bool) {
        record(.overrideOutput(speaker: speaker))
    }

    private func record(_ call: Call) {
        lock.sync { recorded.append(call) }
    }
}
