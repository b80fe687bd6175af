// The core's `AudioSession` port over a proxy of `AVAudioSession`. The real proxy lives in
// App/AVAudioSessionAdapter.swift. AVAudioSession calls can block (activation waits for the audio
// server), so they run on one serial queue of their own, in the order the core gave them, never on
// the main thread.
import Dispatch

/// `AVAudioSession.sharedInstance()`, as the shell uses it.
public protocol AudioSessionProxyProtocol: AnyObject, Sendable {
    /// `setCategory(_:mode:options:)`.
    func setCategory(_ category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) throws
    /// `setActive(_:options:)`; `.notifyOthersOnDeactivation` when deactivating with `notifyOthers`.
    func setActive(_ active: Bool, notifyOthersOnDeactivation: Bool) throws
    /// `overrideOutputAudioPort(.speaker)` or `(.none)`.
    func overrideOutputToSpeaker(_ speaker: Bool) throws
}

/// Implements the core's `AudioSession` over `AudioSessionProxyProtocol`.
open class AudioSessionBridge: AudioSession, @unchecked Sendable {
    private let proxy: AudioSessionProxyProtocol
    private let queue = DispatchQueue(label: "io.switchboard.audio-session")

    /// A bridge over `proxy`.
    public init(proxy: AudioSessionProxyProtocol) {
        self.proxy = proxy
    }

    public func configure(category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) {
        perform("configure") { try $0.setCategory(category, mode: mode, options: options) }
    }

    public func activate() {
        perform("activate") { try $0.setActive(true, notifyOthersOnDeactivation: false) }
    }

    public func deactivate(notifyOthers: Bool) {
        perform("deactivate") { try $0.setActive(false, notifyOthersOnDeactivation: notifyOthers) }
    }

    public func overrideOutput(speaker: Bool) {
        perform("override_output") { try $0.overrideOutputToSpeaker(speaker) }
    }

    /// Waits until every call queued so far has run (for tests).
    public func drain() {
        queue.sync {}
    }

    private func perform(_ action: String, _ body: @escaping @Sendable (AudioSessionProxyProtocol) throws -> Void) {
        let proxy = self.proxy
        queue.async {
            do {
                try body(proxy)
            } catch {
                // The core has no input for a failed audio call (see docs/ios-integration.md); the
                // notifications that follow (route change, interruption) tell it what happened.
                ShellLog.error("audio session \(action): \(error)")
            }
        }
    }
}
