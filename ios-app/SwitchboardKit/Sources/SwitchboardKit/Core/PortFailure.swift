// What the shell throws from a port method it could not carry out (DESIGN rule 13): a `PortError`
// with one line for the core's log. The core journals the failed call with this line, so it names
// what went wrong (an SDK control with no active session, an AVAudioSession error and its code)
// and never a token or a personal detail.
import Foundation

/// Builds the errors the shell's ports throw.
public enum PortFailure {
    /// `action` could not be carried out: `reason`.
    public static func error(_ action: String, _ reason: String) -> PortError {
        .Failed(message: "\(action): \(reason)")
    }

    /// `action` failed with `error` (thrown by a proxy: UIKit, AVFoundation, the SDK's adapter).
    public static func error(_ action: String, _ error: Error) -> PortError {
        self.error(action, describe(error))
    }

    /// One line for any error: a `PortError`'s message; an `NSError`'s domain, code (with its
    /// four-character form, which AVAudioSession's `OSStatus` codes have) and description; else
    /// the error as Swift prints it.
    public static func describe(_ error: Error) -> String {
        if case let .Failed(message)? = error as? PortError {
            return message
        }
        if type(of: error) is NSError.Type {
            let ns = error as NSError
            let code = fourCharacterCode(ns.code).map { "\(ns.code) ('\($0)')" } ?? "\(ns.code)"
            return "\(ns.domain) error \(code): \(ns.localizedDescription)"
        }
        return String(describing: error)
    }

    /// `code`'s four bytes as text when they are all printable ASCII (`561017449` is `!pri`,
    /// AVAudioSession's "cannot interrupt others"), else nil.
    public static func fourCharacterCode(_ code: Int) -> String? {
        guard code > 0, code <= Int(UInt32.max) else { return nil }
        let value = UInt32(code)
        let bytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> UInt32($0)) }
        guard bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

public extension PortError {
    /// The line the core logs.
    var message: String {
        switch self {
        case let .Failed(message): return message
        }
    }
}
