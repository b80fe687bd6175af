// Stamps every Calls SDK callback with its attempt and hands it to the core. The Coordinator (the
// SDK's listener, in App/) and the fake SDK both report through one of these, so what the tests
// exercise is what the app does.
import Foundation

/// Forwards SDK callbacks to the core, each with the attempt it belongs to. Thread-safe: the SDK
/// may call back on any thread.
public final class SdkCallbackForwarder: @unchecked Sendable {
    private let lock = NSLock()
    private weak var core: SwitchboardProxyProtocol?
    private var currentAttempt: UInt64?

    /// A forwarder; `attach(_:)` gives it the core once the core exists.
    public init(core: SwitchboardProxyProtocol? = nil) {
        self.core = core
    }

    /// The core to report to (held weakly: the core holds the adapters that hold this).
    public func attach(_ core: SwitchboardProxyProtocol) {
        lock.sync { self.core = core }
    }

    /// The attempt the core gave `register_listeners` / `join_session`: listener callbacks from
    /// now on belong to it.
    public func begin(attempt: UInt64) {
        lock.sync { currentAttempt = attempt }
    }

    /// The attempt listener callbacks are stamped with, if any began.
    public var attempt: UInt64? {
        lock.sync { currentAttempt }
    }

    /// Reports a listener callback (SessionStatusListener, ButtonClickListener, media and
    /// participant listeners) for the current attempt.
    public func send(_ event: SdkEvent) {
        let (core, attempt) = lock.sync { (self.core, currentAttempt) }
        guard let attempt else {
            ShellLog.error("an SDK callback before any attempt began: \(event)")
            return
        }
        forward(event, attempt: attempt, to: core)
    }

    /// Reports a callback that belongs to a known attempt (joinSession's completions capture it).
    public func send(_ event: SdkEvent, attempt: UInt64) {
        forward(event, attempt: attempt, to: lock.sync { core })
    }

    private func forward(_ event: SdkEvent, attempt: UInt64, to core: SwitchboardProxyProtocol?) {
        guard let core else {
            ShellLog.error("an SDK callback with no core attached: \(event)")
            return
        }
        core.sdkEvent(event, attempt: attempt)
    }
}
