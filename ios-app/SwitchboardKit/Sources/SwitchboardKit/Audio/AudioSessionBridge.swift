// The core's `AudioSession` port over a proxy of `AVAudioSession`. The real proxy lives in
// App/AVAudioSessionAdapter.swift. AVAudioSession calls can block (activation waits for the audio
// server), so they never run on the main thread: the core calls this port on its own threads, and
// one serial queue of the bridge's own keeps them in the order the core gave them. The core's
// thread waits for each, so that an error (with its code) is thrown back to the core, which logs
// it and reacts (rule 13: a failed activation makes the call's audio unavailable until the next
// foreground or route change).
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

    public func configure(category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) throws {
        try perform("configure") { try $0.setCategory(category, mode: mode, options: options) }
    }

    public func activate() throws {
        try perform("activate") { try $0.setActive(true, notifyOthersOnDeactivation: false) }
    }

    public func deactivate(notifyOthers: Bool) throws {
        try perform("deactivate") { try $0.setActive(false, notifyOthersOnDeactivation: notifyOthers) }
    }

    public func overrideOutput(speaker: Bool) throws {
        try perform("override_output") { try $0.overrideOutputToSpeaker(speaker) }
    }

    private func perform(_ action: String, _ body: (AudioSessionProxyProtocol) throws -> Void) throws {
        let proxy = self.proxy
        do {
            try queue.sync { try body(proxy) }
        } catch {
            let failure = PortFailure.error("audio session \(action)", error)
            ShellLog.error("\(failure.message)")
            throw failure
        }
    }
}
