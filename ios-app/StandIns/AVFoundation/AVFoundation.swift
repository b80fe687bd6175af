// A stand-in for the part of Apple's AVFoundation (AVFAudio's AVAudioSession, AVCaptureDevice's
// authorisation) that Switchboard's App files use, for the Linux type-check
// (scripts/typecheck-app.sh). It is never linked into the app: on a Mac the real AVFoundation is
// imported instead. Each declaration names the Apple documentation page it was transcribed from
// (developer.apple.com/documentation/...), with the iOS 16 SDK's spelling. Bodies are placeholders
// and never run.
// The real module re-exports Foundation (its Swift overlay imports Foundation with @_exported), so
// an App file that imports only this module can use Foundation's types: so can it here.
@_exported import Foundation

// MARK: - AVAudioSession (AVFAudio, re-exported by AVFoundation)

/// avfaudio/avaudiosession: `class AVAudioSession : NSObject`
open class AVAudioSession: NSObject {
    /// avfaudio/avaudiosession/category: `struct AVAudioSession.Category : Hashable, Equatable, RawRepresentable`
    public struct Category: Hashable, RawRepresentable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// avfaudio/avaudiosession/category/playandrecord
        public static let playAndRecord = Category(rawValue: "AVAudioSessionCategoryPlayAndRecord")
        /// avfaudio/avaudiosession/category/playback
        public static let playback = Category(rawValue: "AVAudioSessionCategoryPlayback")
        /// avfaudio/avaudiosession/category/ambient
        public static let ambient = Category(rawValue: "AVAudioSessionCategoryAmbient")
    }

    /// avfaudio/avaudiosession/mode: `struct AVAudioSession.Mode : Hashable, Equatable, RawRepresentable`
    public struct Mode: Hashable, RawRepresentable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// avfaudio/avaudiosession/mode/voicechat
        public static let voiceChat = Mode(rawValue: "AVAudioSessionModeVoiceChat")
        /// avfaudio/avaudiosession/mode/videochat
        public static let videoChat = Mode(rawValue: "AVAudioSessionModeVideoChat")
    }

    /// avfaudio/avaudiosession/categoryoptions: `struct AVAudioSession.CategoryOptions : OptionSet`
    public struct CategoryOptions: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }
        /// avfaudio/avaudiosession/categoryoptions/allowbluetooth
        public static let allowBluetooth = CategoryOptions(rawValue: 0x4)
        /// avfaudio/avaudiosession/categoryoptions/defaulttospeaker
        public static let defaultToSpeaker = CategoryOptions(rawValue: 0x8)
    }

    /// avfaudio/avaudiosession/setactiveoptions: `struct AVAudioSession.SetActiveOptions : OptionSet`
    public struct SetActiveOptions: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }
        /// avfaudio/avaudiosession/setactiveoptions/notifyothersondeactivation
        public static let notifyOthersOnDeactivation = SetActiveOptions(rawValue: 1)
    }

    /// avfaudio/avaudiosession/portoverride: `enum AVAudioSession.PortOverride : UInt`
    public enum PortOverride: UInt, Sendable {
        /// avfaudio/avaudiosession/portoverride/none
        case none = 0
        /// avfaudio/avaudiosession/portoverride/speaker
        case speaker = 0x73706B72
    }

    /// avfaudio/avaudiosession/port: `struct AVAudioSession.Port : Hashable, Equatable, RawRepresentable`
    public struct Port: Hashable, RawRepresentable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }

    /// avfaudio/avaudiosession/sharedinstance(): `class func sharedInstance() -> AVAudioSession`
    open class func sharedInstance() -> AVAudioSession { fatalError("stand-in") }

    /// avfaudio/avaudiosession/setcategory(_:mode:options:):
    /// `func setCategory(_ category: AVAudioSession.Category, mode: AVAudioSession.Mode,
    /// options: AVAudioSession.CategoryOptions = []) throws`
    open func setCategory(_ category: Category, mode: Mode, options: CategoryOptions = []) throws {}

    /// avfaudio/avaudiosession/setactive(_:options:):
    /// `func setActive(_ active: Bool, options: AVAudioSession.SetActiveOptions = []) throws`
    open func setActive(_ active: Bool, options: SetActiveOptions = []) throws {}

    /// avfaudio/avaudiosession/overrideoutputaudioport(_:):
    /// `func overrideOutputAudioPort(_ portOverride: AVAudioSession.PortOverride) throws`
    open func overrideOutputAudioPort(_ portOverride: PortOverride) throws {}

    /// avfaudio/avaudiosession/currentroute: `var currentRoute: AVAudioSessionRouteDescription { get }`
    open var currentRoute: AVAudioSessionRouteDescription { AVAudioSessionRouteDescription() }

    /// avfaudio/avaudiosession/routechangenotification: `class let routeChangeNotification: NSNotification.Name`
    public static let routeChangeNotification = NSNotification.Name("AVAudioSessionRouteChangeNotification")
    /// avfaudio/avaudiosession/interruptionnotification: `class let interruptionNotification: NSNotification.Name`
    public static let interruptionNotification = NSNotification.Name("AVAudioSessionInterruptionNotification")
    /// avfaudio/avaudiosession/mediaserviceswereresetnotification:
    /// `class let mediaServicesWereResetNotification: NSNotification.Name`
    public static let mediaServicesWereResetNotification = NSNotification.Name("AVAudioSessionMediaServicesWereResetNotification")
}

/// avfaudio/avaudiosessionroutedescription: `class AVAudioSessionRouteDescription : NSObject`
open class AVAudioSessionRouteDescription: NSObject {
    /// avfaudio/avaudiosessionroutedescription/outputs: `var outputs: [AVAudioSessionPortDescription] { get }`
    open var outputs: [AVAudioSessionPortDescription] { [] }
}

/// avfaudio/avaudiosessionportdescription: `class AVAudioSessionPortDescription : NSObject`
open class AVAudioSessionPortDescription: NSObject {
    /// avfaudio/avaudiosessionportdescription/porttype: `var portType: AVAudioSession.Port { get }`
    open var portType: AVAudioSession.Port { AVAudioSession.Port(rawValue: "") }
}

/// avfaudio/avaudiosessionroutechangereasonkey: `let AVAudioSessionRouteChangeReasonKey: String`
public let AVAudioSessionRouteChangeReasonKey = "AVAudioSessionRouteChangeReasonKey"
/// avfaudio/avaudiosessioninterruptiontypekey: `let AVAudioSessionInterruptionTypeKey: String`
public let AVAudioSessionInterruptionTypeKey = "AVAudioSessionInterruptionTypeKey"
/// avfaudio/avaudiosessioninterruptionoptionkey: `let AVAudioSessionInterruptionOptionKey: String`
public let AVAudioSessionInterruptionOptionKey = "AVAudioSessionInterruptionOptionKey"
/// avfaudio/avaudiosessioninterruptionreasonkey: `let AVAudioSessionInterruptionReasonKey: String`
public let AVAudioSessionInterruptionReasonKey = "AVAudioSessionInterruptionReasonKey"

// MARK: - Capture authorisation (AVFoundation)

/// avfoundation/avmediatype: `struct AVMediaType : Hashable, Equatable, RawRepresentable`
public struct AVMediaType: Hashable, RawRepresentable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// avfoundation/avmediatype/audio
    public static let audio = AVMediaType(rawValue: "soun")
    /// avfoundation/avmediatype/video
    public static let video = AVMediaType(rawValue: "vide")
}

/// avfoundation/avauthorizationstatus: `enum AVAuthorizationStatus : Int` (an Objective-C enum:
/// Swift asks for `@unknown default` when switching over it; so does this stand-in, which is not
/// frozen).
public enum AVAuthorizationStatus: Int, Sendable {
    /// avfoundation/avauthorizationstatus/notdetermined
    case notDetermined = 0
    /// avfoundation/avauthorizationstatus/restricted
    case restricted = 1
    /// avfoundation/avauthorizationstatus/denied
    case denied = 2
    /// avfoundation/avauthorizationstatus/authorized
    case authorized = 3
}

/// avfoundation/avcapturedevice: `class AVCaptureDevice : NSObject`
open class AVCaptureDevice: NSObject {
    /// avfoundation/avcapturedevice/authorizationstatus(for:):
    /// `class func authorizationStatus(for mediaType: AVMediaType) -> AVAuthorizationStatus`
    open class func authorizationStatus(for mediaType: AVMediaType) -> AVAuthorizationStatus { .notDetermined }

    /// avfoundation/avcapturedevice/requestaccess(for:completionhandler:):
    /// `class func requestAccess(for mediaType: AVMediaType, completionHandler handler: @escaping @Sendable (Bool) -> Void)`
    open class func requestAccess(for mediaType: AVMediaType, completionHandler handler: @escaping @Sendable (Bool) -> Void) {}
}
