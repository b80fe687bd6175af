// The one way the shell hops to the main thread. The core calls the ports on its own threads, in
// order; `DispatchQueue.main` is FIFO, so what the core did in order reaches UIKit, the SDK and
// SwiftUI in the same order (a `Task { @MainActor in }` gives no such promise).
import Dispatch
import Foundation

/// Hops to the main actor, keeping order.
public enum MainThread {
    /// Runs `body` on the main actor after everything already queued on the main queue. (The
    /// compiler treats a closure given to `DispatchQueue.main.async` as main-actor isolated, so
    /// no runtime isolation check is needed, which older iOS versions lack.)
    public static func async(_ body: @escaping @MainActor @Sendable () -> Void) {
        DispatchQueue.main.async {
            body()
        }
    }

    /// Runs `body` on the main actor and waits for it, so that a port can throw what the main
    /// thread found (rule 13): after everything already queued on the main queue when called from
    /// another thread (the core's), at once when called on the main thread.
    ///
    /// The core's threads wait here while the main thread runs `body`. The main thread never waits
    /// on the core's actors (every input enqueues and returns), except in `shutdown()`, whose
    /// wait for port calls under way is bounded; so this cannot deadlock. Keep `body` short.
    public static func sync<T: Sendable>(_ body: @MainActor @Sendable () throws -> T) rethrows -> T {
        if Thread.isMainThread {
            return try MainActor.assumeIsolated { try body() }
        }
        return try DispatchQueue.main.sync {
            try MainActor.assumeIsolated { try body() }
        }
    }
}
