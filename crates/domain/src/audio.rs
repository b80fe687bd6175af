//! The audio machine: the `AVAudioSession` policy for calls. `.playAndRecord` with `.voiceChat`
//! (`.videoChat` for video), activated when a call starts and deactivated with
//! `notifyOthersOnDeactivation` when it ends; interruptions, route changes and media-services
//! resets handled. It never asks for a category that captures no microphone.
use serde::{Deserialize, Serialize};

use crate::command::Command;

use crate::message::Message;

use crate::effect::{AudioCategory, AudioOptions, AudioSessionMode, Effect};
use crate::ids::AttemptId;
use crate::input::{AppState, AudioEvent, AudioInput};
use crate::machine::Machine;
use crate::view::{AudioPort, AudioView};

/// State of the audio machine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audio {
    call: Option<AttemptId>,
    video: bool,
    active: bool,
    interrupted: bool,
    speaker_override: bool,
    route: AudioPort,
    unavailable: bool,
}

impl Audio {
    /// What the UI bridge sees.
    pub fn view(&self) -> AudioView {
        AudioView {
            active: self.active,
            interrupted: self.interrupted,
            route: self.route,
            unavailable: self.unavailable,
        }
    }

    /// The attempt whose call holds the audio session, if any.
    pub fn call(&self) -> Option<AttemptId> {
        self.call
    }

    fn configure(&self) -> Command {
        Command::Effect(Effect::ConfigureAudio {
            category: AudioCategory::PlayAndRecord,
            mode: if self.video {
                AudioSessionMode::VideoChat
            } else {
                AudioSessionMode::VoiceChat
            },
            options: AudioOptions {
                allow_bluetooth: true,
                default_to_speaker: true,
            },
        })
    }

    fn activate(&mut self) -> Command {
        self.active = true;
        self.interrupted = false;
        Command::Effect(Effect::ActivateAudio)
    }

    /// After a failed activation: configure and activate again. The failure, if it happens
    /// again, comes back as another [`AudioInput::PortFailed`].
    fn retry(&mut self) -> Vec<Command> {
        self.unavailable = false;
        vec![self.configure(), self.activate()]
    }

    /// Rule 13: the shell could not configure or activate the session. The call goes on (the SDK
    /// may still get audio), the UI says audio is unavailable, and the next foreground or route
    /// change tries again. Other failed audio commands are only recorded.
    fn port_failed(&mut self, effect: &Effect) -> Vec<Command> {
        let setup = matches!(
            effect,
            Effect::ActivateAudio | Effect::ConfigureAudio { .. }
        );
        if setup && self.call.is_some() {
            self.unavailable = true;
            self.active = false;
        }
        Vec::new()
    }

    fn event(&mut self, event: &AudioEvent) -> Vec<Command> {
        match event {
            AudioEvent::RouteChanged { output, .. } => {
                self.route = *output;
                if self.unavailable && self.call.is_some() {
                    return self.retry();
                }
                Vec::new()
            }
            AudioEvent::InterruptionBegan { .. } if self.call.is_some() => {
                self.interrupted = true;
                self.active = false;
                Vec::new()
            }
            AudioEvent::InterruptionEnded { should_resume } if self.interrupted => {
                if *should_resume {
                    vec![self.activate()]
                } else {
                    // Wait for the app to come back to the foreground before taking audio back.
                    Vec::new()
                }
            }
            AudioEvent::MediaServicesReset if self.call.is_some() => {
                // Everything the session had is gone: configure, activate and re-apply the
                // output override from scratch (options do not survive a category change).
                let mut out = vec![self.configure(), self.activate()];
                if self.speaker_override {
                    out.push(Command::Effect(Effect::OverrideOutput { speaker: true }));
                }
                out
            }
            _ => Vec::new(),
        }
    }
}

impl Machine for Audio {
    type Input = AudioInput;

    fn step(&mut self, input: &AudioInput, _at_ms: u64) -> Vec<Command> {
        let before = self.view();
        let mut out = match input {
            AudioInput::CallStarting { attempt, video } => {
                self.call = Some(*attempt);
                self.video = *video;
                self.speaker_override = false;
                self.unavailable = false;
                vec![self.configure(), self.activate()]
            }
            AudioInput::CallEnded { attempt } if self.call == Some(*attempt) => {
                self.call = None;
                self.active = false;
                self.interrupted = false;
                self.unavailable = false;
                vec![Command::Effect(Effect::DeactivateAudio {
                    notify_others: true,
                })]
            }
            AudioInput::CallEnded { .. } => Vec::new(),
            AudioInput::Event(e) => self.event(e),
            AudioInput::SelectRoute { speaker } if self.call.is_some() => {
                self.speaker_override = *speaker;
                vec![Command::Effect(Effect::OverrideOutput {
                    speaker: *speaker,
                })]
            }
            AudioInput::SelectRoute { .. } => Vec::new(),
            AudioInput::App(AppState::Foreground) if self.call.is_some() && self.unavailable => {
                self.retry()
            }
            AudioInput::App(AppState::Foreground) if self.call.is_some() && self.interrupted => {
                vec![self.activate()]
            }
            AudioInput::App(_) => Vec::new(),
            AudioInput::PortFailed { command, .. } => self.port_failed(command),
        };
        let after = self.view();
        if after != before {
            out.push(Command::Message(Message::AudioChanged(after)));
        }
        out
    }
}
