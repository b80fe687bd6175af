//! The core's own defaults and SDK mappings, exported so the shell never restates them: what
//! `joinSession`'s `onError` means, which port method carries an effect out, and the default call
//! settings and configuration.
use switchboard_domain::{
    CoreConfig, Effect, JoinErrorCode, SdkEvent, SessionSettings, UiState, WaitingFor,
};

use crate::error::{guard, SwitchboardError};

/// `joinSession`'s `onError` as the event to hand to [`crate::Switchboard::sdk_event`]: `code` is
/// the error's code (`"INIT ERROR"`, `"AUTH TOKEN ERROR"`...) and `description` its text; either
/// may be missing. The core decides which code it is (a code named only in the description
/// counts) and which text the user sees.
#[uniffi::export]
pub fn join_failed_event(
    code: Option<String>,
    description: Option<String>,
) -> Result<SdkEvent, SwitchboardError> {
    guard(|| {
        Ok(SdkEvent::join_failed_from_sdk(
            code.as_deref(),
            description.as_deref(),
        ))
    })
}

/// The line the joining screen shows while a join waits for `waiting_for` (the core's words, so
/// the shell does not repeat them).
#[uniffi::export]
pub fn waiting_for_message(waiting_for: WaitingFor) -> String {
    waiting_for.message().to_owned()
}

/// The SDK's spelling of a join error code (`INIT ERROR`, ...; an `Other` code as the SDK gave
/// it): what a fake SDK reports in joinSession's `onError`, so it speaks the SDK's words.
#[uniffi::export]
pub fn join_error_sdk_code(code: JoinErrorCode) -> String {
    code.sdk_name().to_owned()
}

/// Whether `state` puts the call view (the SDK's container) on screen: joining, in the call or
/// leaving. The app presents the call view exactly while this is true.
#[uniffi::export]
pub fn ui_shows_call_view(state: UiState) -> bool {
    state.shows_call_view()
}

/// The in-call indicators for `state` (audio unavailable, camera unavailable), one line each, in
/// the order they show: the core's words, so the shell does not repeat them.
#[uniffi::export]
pub fn ui_call_notices(state: UiState) -> Vec<String> {
    state.notices().into_iter().map(str::to_owned).collect()
}

/// The port method that carries `effect` out, as the port traits spell it (`configure`,
/// `activate`, `deactivate`, `override_output`; `init_calls`, `join_session`...; `render`...);
/// `None` for a timer, which the core runs itself. A fake port records each call as the effect it
/// performs (as the core's own fakes do) and goes by this name to fail one method. Throws for an
/// effect the core never makes: one whose session id breaks the rules does not cross the FFI.
#[uniffi::export]
pub fn effect_port_method(effect: Effect) -> Result<Option<String>, SwitchboardError> {
    guard(|| Ok(effect.port_method().map(str::to_owned)))
}

/// The core's default settings for a call (title, video, mic and camera on, speaker, idle
/// timeout); change the fields you need.
#[uniffi::export]
pub fn default_session_settings() -> Result<SessionSettings, SwitchboardError> {
    guard(|| Ok(SessionSettings::default()))
}

/// The core's default configuration (calls only, default settings and timeouts) accepting
/// meeting links on `allowed_hosts`.
#[uniffi::export]
pub fn default_core_config(allowed_hosts: Vec<String>) -> Result<CoreConfig, SwitchboardError> {
    guard(|| {
        Ok(CoreConfig {
            allowed_hosts,
            ..CoreConfig::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::JoinErrorCode;

    #[test]
    fn the_exports_hand_over_the_cores_own_values() {
        let config = default_core_config(vec!["calls.example.org".into()]).unwrap();
        assert_eq!(config.allowed_hosts, ["calls.example.org"]);
        assert_eq!(
            CoreConfig {
                allowed_hosts: CoreConfig::default().allowed_hosts,
                ..config
            },
            CoreConfig::default()
        );
        assert_eq!(
            default_session_settings().unwrap(),
            SessionSettings::default()
        );
        assert_eq!(
            effect_port_method(Effect::OverrideOutput { speaker: true }).unwrap(),
            Some("override_output".to_owned())
        );
        assert_eq!(
            join_failed_event(Some("auth_token_error".into()), None).unwrap(),
            SdkEvent::JoinFailed {
                code: JoinErrorCode::AuthToken,
                message: "auth_token_error".into(),
            }
        );
    }
}
