// The core's `AudioSession` port on AVAudioSession, and AVAudioSession's notifications as the core's
// `AudioEvent`s. The policy (.playAndRecord + .voiceChat/.videoChat, allowBluetooth +
// defaultToSpeaker, activation on join, deactivation with notifyOthersOnDeactivation on end,
// reconfiguring after a media services reset) is the core's; this file only carries it out.
import AVFoundation
import SwitchboardKit

/// `AVAudioSession.sharedInstance()` as the bridge's proxy. AVAudioSession is thread-safe; the
/// bridge calls it on its own serial queue, never on the main thread. Its errors are thrown as they
/// come (`NSError`s with an `OSStatus` code); the bridge hands them, with the code, to the core.
final class SystemAudioSessionProxy: AudioSessionProxyProtocol, @unchecked Sendable {
    private var session: AVAudioSession { AVAudioSession.sharedInstance() }

    func setCategory(_ category: AudioCategory, mode: AudioSessionMode, options: AudioOptions) throws {
        var avOptions: AVAudioSession.CategoryOptions = []
        if options.allowBluetooth { avOptions.insert(.allowBluetooth) }
        if options.defaultToSpeaker { avOptions.insert(.defaultToSpeaker) }
        // Options are not sticky across category changes: they are passed with every category.
        try session.setCategory(Self.category(category), mode: Self.mode(mode), options: avOptions)
    }

    func setActive(_ active: Bool, notifyOthersOnDeactivation: Bool) throws {
        let options: AVAudioSession.SetActiveOptions =
            !active && notifyOthersOnDeactivation ? [.notifyOthersOnDeactivation] : []
        try session.setActive(active, options: options)
    }

    func overrideOutputToSpeaker(_ speaker: Bool) throws {
        try session.overrideOutputAudioPort(speaker ? .speaker : .none)
    }

    private static func category(_ category: AudioCategory) -> AVAudioSession.Category {
        switch category {
        case .playAndRecord: return .playAndRecord
        // The core never asks for these in a call (.playback captures no microphone); they are
        // mapped so the switch stays exhaustive.
        case .playback: return .playback
        case .ambient: return .ambient
        }
    }

    private static func mode(_ mode: AudioSessionMode) -> AVAudioSession.Mode {
        switch mode {
        case .voiceChat: return .voiceChat
        case .videoChat: return .videoChat
        }
    }
}

/// The core's audio port, plus the notifications that feed the core.
final class AVAudioSessionAdapter: AudioSessionBridge, ReportsToCore, @unchecked Sendable {
    private var observers: [NSObjectProtocol] = []

    init() {
        super.init(proxy: SystemAudioSessionProxy())
    }

    deinit {
        for observer in observers {
            NotificationCenter.default.removeObserver(observer)
        }
    }

    /// Starts forwarding AVAudioSession's notifications to `core` (called once, at launch).
    func attach(_ core: SwitchboardProxyProtocol) {
        let center = NotificationCenter.default
        let session = AVAudioSession.sharedInstance()
        observers = [
            center.addObserver(forName: AVAudioSession.routeChangeNotification, object: session, queue: nil) {
                [weak core] note in
                let reason = (note.userInfo?[AVAudioSessionRouteChangeReasonKey] as? NSNumber)?.uintValue
                let output = AVAudioSession.sharedInstance().currentRoute.outputs.first?.portType.rawValue
                core?.audioEvent(AudioEventMapping.routeChange(reasonRaw: reason, outputPortType: output))
            },
            center.addObserver(forName: AVAudioSession.interruptionNotification, object: session, queue: nil) {
                [weak core] note in
                let info = note.userInfo
                let event = AudioEventMapping.interruption(
                    typeRaw: (info?[AVAudioSessionInterruptionTypeKey] as? NSNumber)?.uintValue,
                    optionsRaw: (info?[AVAudioSessionInterruptionOptionKey] as? NSNumber)?.uintValue,
                    reasonRaw: (info?[AVAudioSessionInterruptionReasonKey] as? NSNumber)?.uintValue
                )
                if let event {
                    core?.audioEvent(event)
                }
            },
            center.addObserver(
                forName: AVAudioSession.mediaServicesWereResetNotification,
                object: session,
                queue: nil
            ) { [weak core] _ in
                core?.audioEvent(.mediaServicesReset)
            },
        ]
    }
}
