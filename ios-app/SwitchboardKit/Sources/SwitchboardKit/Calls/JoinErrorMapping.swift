// joinSession's onError, as the core's input. The SDK reports a code string ("INIT ERROR",
// "AUTH TOKEN ERROR", "SESSION ID ERROR", "API ERROR") and a description; the core decides what
// the code is (`joinFailedEvent`, exported by the Rust core) and what it means (a spurious INIT
// ERROR is waited out, the others end the attempt). Nothing of that is restated here.
import Foundation

/// Turns joinSession's error into `SdkEvent.joinFailed`.
public enum JoinErrorMapping {
    /// The core's input for joinSession's `onError(error)`, where the SDK gave `errorCode` and
    /// `errorDescription` (either may be missing).
    public static func event(code: String?, description: String?) -> SdkEvent {
        do {
            return try joinFailedEvent(code: code, description: description)
        } catch {
            // Only a panic inside the core lands here: report the failure as it came, so the
            // attempt still ends and the view is dismissed.
            ShellLog.error("mapping a join error failed: \(error)")
            return .joinFailed(
                code: .other(code: code ?? ""),
                message: description ?? code ?? "\(error)"
            )
        }
    }
}

public extension AudioMode {
    /// The string `CallSession.shared.setAudioMode(_:)` takes (the builder takes the SDK's enum).
    var cometChatName: String {
        switch self {
        case .speaker: return "SPEAKER"
        case .earpiece: return "EARPIECE"
        case .bluetooth: return "BLUETOOTH"
        case .headphones: return "HEADPHONES"
        }
    }
}
