// What the core asks of the phone outside the call (rule 12 and the invites): the camera and
// microphone permissions, the Settings app, the share sheet. The real implementations live in
// App/SystemAdapters.swift (AVCaptureDevice, UIApplication, UIActivityViewController); tests and
// previews use FakePermissions and FakeSystem.
import Foundation

/// `AVCaptureDevice`'s authorisation, for the microphone (`.audio`) and the camera (`.video`).
public protocol PermissionsProvider: AnyObject, Sendable {
    /// `AVCaptureDevice.authorizationStatus(for:)`.
    func authorizationStatus(for media: MediaKind) -> Authorization

    /// `AVCaptureDevice.requestAccess(for:completionHandler:)`: the system prompt when the status
    /// is not determined, else at once with the current answer. `completion` gets whether access
    /// is granted, on any thread. Throws when it cannot ask at all (for example, the Info.plist has
    /// no usage description, for which iOS would end the app).
    func requestAccess(for media: MediaKind, completion: @escaping @Sendable (Bool) -> Void) throws
}

public extension PermissionsProvider {
    /// Both statuses now (what the core gets at launch).
    var current: Permissions {
        Permissions(
            microphone: authorizationStatus(for: .microphone),
            camera: authorizationStatus(for: .camera)
        )
    }
}

/// `UIApplication` and the view hierarchy, for what the core asks the app to show.
@MainActor
public protocol SystemProxyProtocol: AnyObject {
    /// `UIApplication.shared.open` with `UIApplication.openSettingsURLString`: this app's page in
    /// the Settings app. Throws when it cannot be opened.
    func openAppSettings() throws
    /// A share sheet (`UIActivityViewController`) with the meeting link, over whatever is on
    /// screen. Throws when there is nothing to present it from.
    func share(url: URL) throws
}

public extension Authorization {
    /// Not allowed, and asking again shows no prompt.
    var isRefused: Bool { self == .denied || self == .restricted }
}

public extension Permissions {
    /// The status of one device.
    func status(of media: MediaKind) -> Authorization {
        switch media {
        case .microphone: return microphone
        case .camera: return camera
        }
    }

    /// Sets the status of one device.
    mutating func set(_ media: MediaKind, _ status: Authorization) {
        switch media {
        case .microphone: microphone = status
        case .camera: camera = status
        }
    }
}
