// joinSession's onError, as the core's input. The SDK reports a code string ("INIT ERROR",
// "AUTH TOKEN ERROR", "SESSION ID ERROR", "API ERROR") and a description; the core decides what a
// code means (a spurious INIT ERROR is waited out, the others end the attempt).
import Foundation

/// Turns joinSession's error into `SdkEvent.joinFailed`.
public enum JoinErrorMapping {
    private static let known: [(name: String, code: JoinErrorCode)] = [
        ("INIT ERROR", .`init`),
        ("AUTH TOKEN ERROR", .authToken),
        ("SESSION ID ERROR", .sessionId),
        ("API ERROR", .api),
    ]

    /// The code for the SDK's `errorCode`. When the code is missing or unknown, a known code
    /// named in the description is used (the docs show codes in both places).
    public static func code(_ sdkCode: String?, description: String?) -> JoinErrorCode {
        if let name = normalised(sdkCode), let hit = known.first(where: { $0.name == name }) {
            return hit.code
        }
        if let text = normalised(description), let hit = known.first(where: { text.contains($0.name) }) {
            return hit.code
        }
        let raw = sdkCode?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return .other(code: raw.isEmpty ? "UNKNOWN ERROR" : raw)
    }

    /// The core's input for joinSession's `onError(error)`, where the SDK gave `errorCode` and
    /// `errorDescription` (either may be missing).
    public static func event(code sdkCode: String?, description: String?) -> SdkEvent {
        let message = [description, sdkCode]
            .compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { !$0.isEmpty } ?? "Failed to join the call"
        return .joinFailed(code: code(sdkCode, description: description), message: message)
    }

    /// Upper case, underscores as spaces, trimmed: "auth_token_error" names AUTH TOKEN ERROR.
    private static func normalised(_ text: String?) -> String? {
        guard let text else { return nil }
        let out = text.uppercased()
            .replacingOccurrences(of: "_", with: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return out.isEmpty ? nil : out
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
