// AVAudioSession's notifications, as the core's `AudioEvent`s. The adapter (App/) reads the raw
// values out of the notification's userInfo; mapping them here keeps the mapping testable on Linux
// and free of availability checks (some reasons exist only on newer iOS versions).

/// Maps the raw values of AVAudioSession's notifications to `AudioEvent`.
public enum AudioEventMapping {
    /// `routeChangeNotification`: `AVAudioSessionRouteChangeReasonKey`'s raw value and the
    /// `portType` raw value of the current route's first output.
    public static func routeChange(reasonRaw: UInt?, outputPortType: String?) -> AudioEvent {
        .routeChanged(reason: routeChangeReason(raw: reasonRaw), output: port(portType: outputPortType))
    }

    /// `interruptionNotification`: the raw values of `AVAudioSessionInterruptionTypeKey`,
    /// `AVAudioSessionInterruptionOptionKey` and `AVAudioSessionInterruptionReasonKey`. Nil when the
    /// type is missing or unknown.
    public static func interruption(typeRaw: UInt?, optionsRaw: UInt?, reasonRaw: UInt?) -> AudioEvent? {
        switch typeRaw {
        case 1: // .began
            return .interruptionBegan(reason: interruptionReason(raw: reasonRaw))
        case 0: // .ended
            let shouldResume = (optionsRaw ?? 0) & 1 != 0 // InterruptionOptions.shouldResume
            return .interruptionEnded(shouldResume: shouldResume)
        default:
            return nil
        }
    }

    /// `AVAudioSession.RouteChangeReason` by raw value.
    public static func routeChangeReason(raw: UInt?) -> RouteChangeReason {
        switch raw {
        case 1: return .newDeviceAvailable
        case 2: return .oldDeviceUnavailable
        case 3: return .categoryChange
        case 4: return .override
        case 6: return .wakeFromSleep
        case 7: return .noSuitableRouteForCategory
        case 8: return .routeConfigurationChange
        default: return .unknown
        }
    }

    /// `AVAudioSession.InterruptionReason` by raw value; anything unknown counts as `.default`.
    public static func interruptionReason(raw: UInt?) -> InterruptionReason {
        switch raw {
        case 1: return .appWasSuspended
        case 2: return .builtInMicMuted
        case 3: return .sceneWasBackgrounded
        case 4: return .routeDisconnected
        default: return .default
        }
    }

    /// `AVAudioSession.Port` by raw value (`AVAudioSessionPortBuiltInSpeaker` is "Speaker"...).
    public static func port(portType: String?) -> AudioPort {
        switch portType {
        case "Receiver": return .receiver
        case "Speaker": return .speaker
        case "BluetoothHFP": return .bluetoothHfp
        case "BluetoothA2DPOutput": return .bluetoothA2dp
        case "Headphones": return .headphones
        case "CarAudio": return .carAudio
        case "AirPlay": return .airPlay
        default: return .other
        }
    }
}
