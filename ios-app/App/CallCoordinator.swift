// The Calls SDK's listener for the call view: SessionStatusListener and ButtonClickListener (plus
// the media and participant listeners, for the UI's muted state and participant count). Every
// callback goes to the core through the forwarder, stamped with the current attempt, and nothing
// else happens here: no dismiss, no leaveSession(), no alert. The core decides.
//
// One of the two files that import CometChatCallsSDK (the other is CometChatCallsAdapter.swift).
import CometChatCallsSDK
import Foundation
import SwitchboardCore
import SwitchboardKit

final class CallCoordinator: NSObject, SessionStatusListener, ButtonClickListener, MediaEventsListener,
    ParticipantEventListener
{
    private let forwarder: SdkCallbackForwarder

    init(forwarder: SdkCallbackForwarder) {
        self.forwarder = forwarder
    }

    // MARK: - SessionStatusListener (all six)

    func onSessionJoined() { forwarder.send(.sessionJoined) }
    func onSessionLeft() { forwarder.send(.sessionLeft) }
    func onSessionTimedOut() { forwarder.send(.sessionTimedOut) }
    func onConnectionLost() { forwarder.send(.connectionLost) }
    func onConnectionRestored() { forwarder.send(.connectionRestored) }
    func onConnectionClosed() { forwarder.send(.connectionClosed) }

    // MARK: - ButtonClickListener

    /// The SDK's leave button. Reported only: the core answers with one leave_session (the SDK's
    /// own default action also runs, as for every button).
    func onLeaveSessionButtonClicked() { forwarder.send(.leaveButtonClicked) }

    // The other buttons are recorded in the core's log (a support engineer sees "the user tapped
    // the mute button, then the SDK muted") and acted on by the SDK alone: its default action runs
    // after this callback, and the result arrives through MediaEventsListener below.
    func onToggleAudioButtonClicked() { forwarder.send(.buttonClicked(button: .toggleAudio)) }
    func onToggleVideoButtonClicked() { forwarder.send(.buttonClicked(button: .toggleVideo)) }
    func onSwitchCameraButtonClicked() { forwarder.send(.buttonClicked(button: .switchCamera)) }
    func onRaiseHandButtonClicked() { forwarder.send(.buttonClicked(button: .raiseHand)) }
    func onShareInviteButtonClicked() { forwarder.send(.buttonClicked(button: .shareInvite)) }
    func onChangeLayoutButtonClicked() { forwarder.send(.buttonClicked(button: .changeLayout)) }
    func onParticipantListButtonClicked() { forwarder.send(.buttonClicked(button: .participantList)) }
    func onChatButtonClicked() { forwarder.send(.buttonClicked(button: .chat)) }
    func onRecordingToggleButtonClicked() { forwarder.send(.buttonClicked(button: .recordingToggle)) }

    // MARK: - MediaEventsListener (the local user)

    func onAudioMuted() { forwarder.send(.localAudioMuted(muted: true)) }
    func onAudioUnMuted() { forwarder.send(.localAudioMuted(muted: false)) }
    func onVideoPaused() { forwarder.send(.localVideoPaused(paused: true)) }
    func onVideoResumed() { forwarder.send(.localVideoPaused(paused: false)) }

    func onAudioModeChanged(audioMode: CometChatCallsSDK.AudioMode) {
        guard let mode = Self.coreAudioMode(audioMode) else { return }
        forwarder.send(.audioModeChanged(mode: mode))
    }

    // No core input for these.
    func onRecordingStarted() {}
    func onRecordingStopped() {}
    func onCameraFacingChanged(cameraFacing: CameraFacing) {}

    // MARK: - ParticipantEventListener

    /// The list's size, as the count the UI shows. An empty list is not passed on: live runs saw
    /// the SDK report an empty list in a call with people in it (CometChat's v5 skill), and a
    /// call always has the local user, so 0 is never a true count.
    func onParticipantListChanged(participants: [Participant]) {
        guard !participants.isEmpty else {
            ShellLog.info("onParticipantListChanged with an empty list: ignored (the local user is always in the call)")
            return
        }
        forwarder.send(.participantCountChanged(count: UInt32(clamping: participants.count)))
    }

    // No core input for these; the list change above carries the count.
    func onParticipantJoined(participant: Participant) {}
    func onParticipantLeft(participant: Participant) {}
    func onParticipantAudioMuted(participant: Participant) {}
    func onParticipantAudioUnmuted(participant: Participant) {}
    func onParticipantVideoPaused(participant: Participant) {}
    func onParticipantVideoResumed(participant: Participant) {}
    func onParticipantHandRaised(participant: Participant) {}
    func onParticipantHandLowered(participant: Participant) {}
    func onParticipantStartedScreenShare(participant: Participant) {}
    func onParticipantStoppedScreenShare(participant: Participant) {}
    func onParticipantStartedRecording(participant: Participant) {}
    func onParticipantStoppedRecording(participant: Participant) {}
    func onDominantSpeakerChanged(participant: Participant) {}

    private static func coreAudioMode(_ mode: CometChatCallsSDK.AudioMode) -> SwitchboardCore.AudioMode? {
        switch mode {
        case .speaker: return .speaker
        case .earpiece: return .earpiece
        case .bluetooth: return .bluetooth
        case .headphones: return .headphones
        @unknown default: return nil
        }
    }
}
