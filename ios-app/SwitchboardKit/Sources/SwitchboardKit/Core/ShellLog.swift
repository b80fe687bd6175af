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
        #if canImport(os)
        logger.error("\(message, privacy: .public)")
        #else
        FileHandle.standardError.write(Data("switchboard-shell: error: \(message)\n".utf8))
        #endif
    }

    /// A notable but expected event.
    public static func info(_ message: String) {
        #if canImport(os)
        logger.info("\(message, privacy: .public)")
        #else
        if ProcessInfo.processInfo.environment["SWITCHBOARD_SHELL_LOG"] != nil {
            FileHandle.standardError.write(Data("switchboard-shell: \(message)\n".utf8))
        }
        #endif
    }
}
