// The phone around the call, for the core (rule 12 and the invites): camera and microphone
// authorisation (AVCaptureDevice), this app's page in the Settings app and the share sheet
// (UIApplication, UIActivityViewController), and the CometChat auth token for login. Each is the
// real side of a SwitchboardKit protocol (PermissionsProvider, SystemProxyProtocol, TokenProvider)
// whose logic (UiObserverBridge, CallsSdkBridge) is tested on Linux with fakes.
import AVFoundation
import SwitchboardKit
import UIKit

/// `AVCaptureDevice`'s authorisation: `.audio` for the microphone, `.video` for the camera.
final class CapturePermissions: PermissionsProvider, @unchecked Sendable {
    func authorizationStatus(for media: MediaKind) -> Authorization {
        switch AVCaptureDevice.authorizationStatus(for: Self.mediaType(media)) {
        case .notDetermined: return .notDetermined
        case .restricted: return .restricted
        case .denied: return .denied
        case .authorized: return .authorized
        @unknown default: return .denied
        }
    }

    /// `AVCaptureDevice.requestAccess(for:completionHandler:)`, as CometChat's sample asks before
    /// the first call. Without the Info.plist usage description iOS ends the app at the prompt, so
    /// that is checked first and thrown instead.
    func requestAccess(for media: MediaKind, completion: @escaping @Sendable (Bool) -> Void) throws {
        let key = media == .microphone ? "NSMicrophoneUsageDescription" : "NSCameraUsageDescription"
        guard Bundle.main.object(forInfoDictionaryKey: key) != nil else {
            throw PortError.Failed(message: "Info.plist has no \(key)")
        }
        AVCaptureDevice.requestAccess(for: Self.mediaType(media)) { granted in
            completion(granted)
        }
    }

    private static func mediaType(_ media: MediaKind) -> AVMediaType {
        switch media {
        case .microphone: return .audio
        case .camera: return .video
        }
    }
}

/// The Settings app and the share sheet.
@MainActor
final class UIKitSystem: SystemProxyProtocol {
    func openAppSettings() throws {
        guard let url = URL(string: UIApplication.openSettingsURLString) else {
            throw PortError.Failed(message: "no Settings URL (UIApplication.openSettingsURLString)")
        }
        UIApplication.shared.open(url, options: [:]) { opened in
            if !opened {
                ShellLog.error("the Settings app did not open")
            }
        }
    }

    /// The system share sheet with the meeting link, over whatever is on screen (the call view is
    /// a full-screen cover, so usually over the call).
    func share(url: URL) throws {
        guard let presenter = Self.frontViewController() else {
            throw PortError.Failed(message: "no window to present the share sheet from")
        }
        let sheet = UIActivityViewController(activityItems: [url], applicationActivities: nil)
        if let popover = sheet.popoverPresentationController { // iPad
            popover.sourceView = presenter.view
            popover.sourceRect = CGRect(x: presenter.view.bounds.midX, y: presenter.view.bounds.midY, width: 0, height: 0)
            popover.permittedArrowDirections = []
        }
        presenter.present(sheet, animated: true)
    }

    /// The view controller on top of the key window.
    private static func frontViewController() -> UIViewController? {
        let windows = UIApplication.shared.connectedScenes
            .compactMap { $0 as? UIWindowScene }
            .flatMap(\.windows)
        var top = (windows.first(where: \.isKeyWindow) ?? windows.first)?.rootViewController
        while let presented = top?.presentedViewController, !presented.isBeingDismissed {
            top = presented
        }
        return top
    }
}

/// Development only: the CometChat auth token from the scheme's environment
/// (SWITCHBOARD_DEV_AUTH_TOKEN). A real app implements `TokenProvider` over its own backend, which
/// mints the token with CometChat's REST API; an API key never ships in the app.
final class DevelopmentTokenProvider: TokenProvider, @unchecked Sendable {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "SWITCHBOARD_DEV_AUTH_TOKEN is not set (a real app asks its backend)" }
    }

    func fetchAuthToken(completion: @escaping @Sendable (Result<String, Error>) -> Void) {
        if let token = ProcessInfo.processInfo.environment["SWITCHBOARD_DEV_AUTH_TOKEN"], !token.isEmpty {
            completion(.success(token))
        } else {
            completion(.failure(Missing()))
        }
    }
}
