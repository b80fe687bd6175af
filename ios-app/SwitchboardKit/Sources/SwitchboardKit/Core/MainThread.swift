// The one way the shell hops to the main thread. The core calls the ports on its own threads, in
// order; `DispatchQueue.main` is FIFO, so what the core did in order reaches UIKit, the SDK and
// SwiftUI in the same order (a `Task { @MainActor in }` gives no such promise).
import Dispatch

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
}
