// Logging for the Swift shell: the unified log on Apple platforms, stderr elsewhere. The core logs
// on its own (tracing); this is for what only the shell sees, such as a call after shutdown.
import Foundation
#if canImport(os)
import os
#endif

/// Where the shell writes what it cannot hand to the core.
public enum ShellLog {
    #if canImport(os)
    private static let logger = Logger(subsystem: "io.switchboard.shell", category: "shell")
    #endif

    /// Something went wrong that the user does not need to see (it is never a token or an id).
    public static func error(_ message: String) {
        tapped(message)
        #if canImport(os)
        logger.error("\(message, privacy: .public)")
        #else
        FileHandle.standardError.write(Data("switchboard-shell: error: \(message)\n".utf8))
        #endif
    }

    /// A notable but expected event.
    public static func info(_ message: String) {
        tapped(message)
        #if canImport(os)
        logger.info("\(message, privacy: .public)")
        #else
        if ProcessInfo.processInfo.environment["SWITCHBOARD_SHELL_LOG"] != nil {
            FileHandle.standardError.write(Data("switchboard-shell: \(message)\n".utf8))
        }
        #endif
    }

    // MARK: - Tests

    /// The observer of every line, behind a lock (a `static let` of a Sendable box keeps this free
    /// of global mutable state).
    private final class Tap: @unchecked Sendable {
        let lock = NSLock()
        var observer: (@Sendable (String) -> Void)?
    }

    private static let tap = Tap()

    /// Sends every line logged from now on also to `observer` (nil: stop). For tests, which check
    /// that no secret is ever logged; one observer at a time.
    static func setObserver(_ observer: (@Sendable (String) -> Void)?) {
        tap.lock.sync { tap.observer = observer }
    }

    private static func tapped(_ message: String) {
        let observer = tap.lock.sync { tap.observer }
        observer?(message)
    }
}
