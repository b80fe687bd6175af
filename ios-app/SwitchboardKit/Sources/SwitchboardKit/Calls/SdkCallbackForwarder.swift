// Stamps every Calls SDK callback with its attempt and hands it to the core, with the SDK's init
// and login results. The Coordinator (the SDK's listener, in App/), the bridge and the fake SDK
// all report through one of these, so what the tests exercise is what the app does.
import Foundation

/// Forwards SDK callbacks to the core, each with the attempt it belongs to. Thread-safe: the SDK
/// may call back on any thread.
///
/// The core calls `init_calls` as soon as it starts, before `attach(_:)` can give it to the shell,
/// and an SDK (the fake, at least) can answer at once: what arrives before the first `attach` is
/// kept, in order, and delivered by it.
public final class SdkCallbackForwarder: @unchecked Sendable {
    /// At most this many reports wait for `attach`; older ones are dropped (and logged) beyond it.
    public static let pendingMax = 256

    private enum Report {
        case sdk(SdkEvent, attempt: UInt64)
        case setup(SetupEvent)
    }

    // One lock for the state and the delivery, so reports reach the core in the order they came.
    private let lock = NSLock()
    private weak var core: SwitchboardProxyProtocol?
    private var attached = false
    private var pending: [Report] = []
    private var currentAttempt: UInt64?

    /// A forwarder; `attach(_:)` gives it the core once the core exists.
    public init(core: SwitchboardProxyProtocol? = nil) {
        self.core = core
        attached = core != nil
    }

    /// The core to report to (held weakly: the core holds the adapters that hold this). Delivers
    /// what arrived before it.
    public func attach(_ core: SwitchboardProxyProtocol) {
        lock.sync {
            self.core = core
            attached = true
            let waiting = pending
            pending = []
            for report in waiting {
                deliver(report, to: core)
            }
        }
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
        lock.sync {
            guard let attempt = currentAttempt else {
                ShellLog.error("an SDK callback before any attempt began: \(event)")
                return
            }
            report(.sdk(event, attempt: attempt))
        }
    }

    /// Reports a callback that belongs to a known attempt (joinSession's completions capture it).
    public func send(_ event: SdkEvent, attempt: UInt64) {
        lock.sync { report(.sdk(event, attempt: attempt)) }
    }

    /// Reports init's or login's completion (rule 11). The event carries the SDK's message and
    /// never a token.
    public func setup(_ event: SetupEvent) {
        lock.sync { report(.setup(event)) }
    }

    // Called holding the lock.
    private func report(_ report: Report) {
        if let core {
            deliver(report, to: core)
        } else if !attached {
            if pending.count >= Self.pendingMax {
                ShellLog.error("an SDK report dropped: \(Self.pendingMax) already wait for the core")
                pending.removeFirst()
            }
            pending.append(report)
        } else {
            ShellLog.error("an SDK report with no core attached: \(report)")
        }
    }

    private func deliver(_ report: Report, to core: SwitchboardProxyProtocol) {
        switch report {
        case let .sdk(event, attempt): core.sdkEvent(event, attempt: attempt)
        case let .setup(event): core.setupEvent(event)
        }
    }
}
