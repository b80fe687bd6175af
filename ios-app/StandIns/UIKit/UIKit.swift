// A stand-in for the part of Apple's UIKit that Switchboard's non-SwiftUI App files use, for the
// Linux type-check (scripts/typecheck-app.sh). It is never linked into the app: on a Mac the real
// UIKit is imported instead. Each declaration names the Apple documentation page it was
// transcribed from (developer.apple.com/documentation/uikit/...), and the iOS 16 SDK's spelling.
// Main-actor isolation follows the SDK: UIKit's view, window, scene and application classes are
// `@MainActor`, so the strict-concurrency check sees the same isolation it sees on a Mac. Bodies are
// placeholders and never run.
// The real module re-exports Foundation (its Swift overlay imports Foundation with @_exported), so
// an App file that imports only this module can use Foundation's types: so can it here.
@_exported import Foundation

// MARK: - Colors and layout

/// uikit/uicolor: `class UIColor : NSObject` (Sendable since iOS 16).
open class UIColor: NSObject, @unchecked Sendable {
    /// uikit/uicolor/black: `class var black: UIColor { get }`
    open class var black: UIColor { UIColor() }
}

/// uikit/uiresponder: `@MainActor class UIResponder : NSObject`
@MainActor
open class UIResponder: NSObject {}

/// uikit/uiview: `@MainActor class UIView : UIResponder`
@MainActor
open class UIView: UIResponder {
    /// uikit/uiview/autoresizingmask: `struct UIView.AutoresizingMask : OptionSet`
    public struct AutoresizingMask: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }
        /// uikit/uiview/autoresizingmask/flexiblewidth
        public static let flexibleWidth = AutoresizingMask(rawValue: 1 << 1)
        /// uikit/uiview/autoresizingmask/flexibleheight
        public static let flexibleHeight = AutoresizingMask(rawValue: 1 << 4)
    }

    /// uikit/uiview/init(frame:): `init(frame: CGRect)`
    public init(frame: CGRect) {}
    /// uikit/uiview/backgroundcolor: `var backgroundColor: UIColor? { get set }`
    open var backgroundColor: UIColor?
    /// uikit/uiview/autoresizingmask: `var autoresizingMask: UIView.AutoresizingMask { get set }`
    open var autoresizingMask: AutoresizingMask = []
    /// uikit/uiview/bounds: `var bounds: CGRect { get set }`
    open var bounds: CGRect = .zero
    /// uikit/uiview/window: `var window: UIWindow? { get }`
    open var window: UIWindow? { nil }
    /// uikit/uiview/didmovetowindow(): `func didMoveToWindow()`
    open func didMoveToWindow() {}
    /// uikit/uiview/addsubview(_:): `func addSubview(_ view: UIView)`
    open func addSubview(_ view: UIView) {}
}

/// uikit/uiwindow: `@MainActor class UIWindow : UIView`
@MainActor
open class UIWindow: UIView {
    /// uikit/uiwindow/rootviewcontroller: `var rootViewController: UIViewController? { get set }`
    open var rootViewController: UIViewController?
    /// uikit/uiwindow/iskeywindow: `var isKeyWindow: Bool { get }`
    open var isKeyWindow: Bool { false }
}

// MARK: - View controllers

/// uikit/uiviewcontroller: `@MainActor class UIViewController : UIResponder`
@MainActor
open class UIViewController: UIResponder {
    /// uikit/uiviewcontroller/view: `var view: UIView! { get set }`
    open var view: UIView!
    /// uikit/uiviewcontroller/presentedviewcontroller: `var presentedViewController: UIViewController? { get }`
    open var presentedViewController: UIViewController? { nil }
    /// uikit/uiviewcontroller/isbeingdismissed: `var isBeingDismissed: Bool { get }`
    open var isBeingDismissed: Bool { false }
    /// uikit/uiviewcontroller/popoverpresentationcontroller: `var popoverPresentationController: UIPopoverPresentationController? { get }`
    open var popoverPresentationController: UIPopoverPresentationController? { nil }
    /// uikit/uiviewcontroller/present(_:animated:completion:):
    /// `func present(_ viewControllerToPresent: UIViewController, animated flag: Bool, completion: (() -> Void)? = nil)`
    open func present(_ viewControllerToPresent: UIViewController, animated flag: Bool, completion: (() -> Void)? = nil) {}
}

/// uikit/uipopoverarrowdirection: `struct UIPopoverArrowDirection : OptionSet`
public struct UIPopoverArrowDirection: OptionSet, Sendable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    /// uikit/uipopoverarrowdirection/up
    public static let up = UIPopoverArrowDirection(rawValue: 1 << 0)
    /// uikit/uipopoverarrowdirection/any
    public static let any = UIPopoverArrowDirection(rawValue: 15)
}

/// uikit/uipresentationcontroller: `@MainActor class UIPresentationController : NSObject`
@MainActor
open class UIPresentationController: NSObject {}

/// uikit/uipopoverpresentationcontroller: `@MainActor class UIPopoverPresentationController : UIPresentationController`
@MainActor
open class UIPopoverPresentationController: UIPresentationController {
    /// uikit/uipopoverpresentationcontroller/sourceview: `var sourceView: UIView? { get set }`
    open var sourceView: UIView?
    /// uikit/uipopoverpresentationcontroller/sourcerect: `var sourceRect: CGRect { get set }`
    open var sourceRect: CGRect = .zero
    /// uikit/uipopoverpresentationcontroller/permittedarrowdirections:
    /// `var permittedArrowDirections: UIPopoverArrowDirection { get set }`
    open var permittedArrowDirections: UIPopoverArrowDirection = .any
}

/// uikit/uiactivity: `@MainActor class UIActivity : NSObject`
@MainActor
open class UIActivity: NSObject {}

/// uikit/uiactivityviewcontroller: `@MainActor class UIActivityViewController : UIViewController`
@MainActor
open class UIActivityViewController: UIViewController {
    /// uikit/uiactivityviewcontroller/init(activityitems:applicationactivities:):
    /// `init(activityItems: [Any], applicationActivities: [UIActivity]?)`
    public init(activityItems: [Any], applicationActivities: [UIActivity]?) {}
}

// MARK: - Scenes and the application

/// uikit/uiscene: `@MainActor class UIScene : UIResponder`
@MainActor
open class UIScene: UIResponder {}

/// uikit/uiwindowscene: `@MainActor class UIWindowScene : UIScene`
@MainActor
open class UIWindowScene: UIScene {
    /// uikit/uiwindowscene/windows: `var windows: [UIWindow] { get }`
    open var windows: [UIWindow] { [] }
}

/// uikit/uiapplicationdelegate: `@MainActor protocol UIApplicationDelegate : NSObjectProtocol`.
/// Every member is optional in UIKit; the App's delegate implements only `window` (the Calls SDK
/// reads `UIApplication.shared.delegate?.window`).
@MainActor
public protocol UIApplicationDelegate: NSObjectProtocol {}

/// uikit/uiapplication: `@MainActor class UIApplication : UIResponder`
@MainActor
open class UIApplication: UIResponder {
    /// uikit/uiapplication/openexternalurloptionskey: `struct UIApplication.OpenExternalURLOptionsKey`
    public struct OpenExternalURLOptionsKey: Hashable, RawRepresentable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }

    /// uikit/uiapplication/shared: `class var shared: UIApplication { get }`
    open class var shared: UIApplication { fatalError("stand-in") }
    /// uikit/uiapplication/opensettingsurlstring: `class let openSettingsURLString: String`
    public static let openSettingsURLString = "app-settings:"
    /// uikit/uiapplication/delegate: `unowned(unsafe) var delegate: (any UIApplicationDelegate)? { get set }`
    open var delegate: (any UIApplicationDelegate)?
    /// uikit/uiapplication/connectedscenes: `var connectedScenes: Set<UIScene> { get }`
    open var connectedScenes: Set<UIScene> { [] }
    /// uikit/uiapplication/open(_:options:completionhandler:):
    /// `func open(_ url: URL, options: [UIApplication.OpenExternalURLOptionsKey : Any] = [:],
    /// completionHandler completion: (@MainActor @Sendable (Bool) -> Void)? = nil)`
    open func open(
        _ url: URL,
        options: [OpenExternalURLOptionsKey: Any] = [:],
        completionHandler completion: (@MainActor @Sendable (Bool) -> Void)? = nil
    ) {}
}
