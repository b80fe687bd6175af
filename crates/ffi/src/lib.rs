//! The Swift-facing Switchboard object, generated into Swift and Python by UniFFI.
//!
//! This crate holds no call logic: it turns FFI calls into [`Event`]s for the runtime, adapts the
//! three foreign traits the shell implements ([`CallsSdk`], [`AudioSession`], [`UiObserver`]) to
//! the runtime's ports, and maps errors and panics to one public [`SwitchboardError`]. The data
//! types (`SdkEvent`, `UiState`, `SessionSettings`...) are the domain's own, derived for UniFFI
//! behind the domain's `uniffi` feature, so none is written twice.
#![warn(missing_docs)]

mod defaults;
mod error;
mod logging;
mod ports;
mod switchboard;

pub use defaults::{
    default_core_config, default_session_settings, effect_port_method, join_error_sdk_code,
    join_failed_event, ui_call_notices, ui_shows_call_view, waiting_for_message,
};
pub use error::SwitchboardError;
pub use logging::init_logging;
pub use ports::{AudioSession, CallsSdk, PortError, UiObserver};
pub use switchboard::{Switchboard, SwitchboardConfig};

uniffi::setup_scaffolding!();
