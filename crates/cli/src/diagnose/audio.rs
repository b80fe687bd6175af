//! The audio-session rule: a category that records nothing cannot carry a call.
use switchboard_domain::{Command, Effect, Entry};

use super::{Finding, Log};

/// Rule `audio-no-mic`: a `ConfigureAudio` whose category captures no microphone.
pub fn no_microphone(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    log.fold_each(|i, r, m| {
        let Entry::Command(Command::Effect(Effect::ConfigureAudio { category, mode, .. })) =
            &r.body
        else {
            return;
        };
        if category.captures_microphone() {
            return;
        }
        let mut f = log.finding("audio-no-mic", i, i);
        f.attempt = m.audio.call();
        f.title =
            format!("the audio session was set to {category:?}, which captures no microphone");
        f.explanation = format!(
            "At seq {} the audio session was configured with category {category:?} (mode \
             {mode:?}). Only playAndRecord records from the microphone: the other side could \
             not hear the user for as long as this category was in force.",
            r.seq
        );
        f.fix = "Configure .playAndRecord with .voiceChat/.videoChat for calls. Check that \
                 nothing else in the app (a media player, another SDK) sets the category, and \
                 that the core build is current."
            .to_owned();
        out.push(f);
    });
    out
}
