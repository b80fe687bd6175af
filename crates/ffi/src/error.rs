//! The one error type Swift sees. Internal errors are detailed; this one is small, carries no
//! personal data, and is converted from them in one place.

/// What can go wrong behind the FFI.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SwitchboardError {
    /// The data directory or the log could not be used.
    #[error("storage: {message}")]
    Storage {
        /// One line for logs.
        message: String,
    },
    /// The configuration was not usable.
    #[error("invalid configuration: {message}")]
    InvalidConfig {
        /// One line for logs.
        message: String,
    },
    /// Too many inputs are waiting to be handled; this one was refused (try again later).
    #[error("overloaded: {message}")]
    Overloaded {
        /// One line for logs.
        message: String,
    },
    /// `shutdown()` could not wait for everything in flight; it stopped and closed the log
    /// anyway.
    #[error("shutdown incomplete: {message}")]
    ShutdownIncomplete {
        /// What was left.
        message: String,
    },
    /// `shutdown()` was called already.
    #[error("the switchboard is shut down")]
    ShutDown,
    /// A bug: Rust panicked behind this call. The call had no effect.
    #[error("internal error: {message}")]
    Panic {
        /// The panic message.
        message: String,
    },
}

impl From<switchboard_journal::Error> for SwitchboardError {
    fn from(e: switchboard_journal::Error) -> Self {
        SwitchboardError::Storage {
            message: e.to_string(),
        }
    }
}

impl From<switchboard_runtime::RuntimeError> for SwitchboardError {
    fn from(e: switchboard_runtime::RuntimeError) -> Self {
        match e {
            switchboard_runtime::RuntimeError::Unsettled { .. } => {
                SwitchboardError::ShutdownIncomplete {
                    message: e.to_string(),
                }
            }
            e => SwitchboardError::Storage {
                message: e.to_string(),
            },
        }
    }
}

impl From<std::io::Error> for SwitchboardError {
    fn from(e: std::io::Error) -> Self {
        SwitchboardError::Storage {
            message: e.to_string(),
        }
    }
}

use switchboard_runtime::panic_message;

/// Runs `f`, turning a panic into [`SwitchboardError::Panic`] so it never crosses the FFI.
pub(crate) fn guard<T>(
    f: impl FnOnce() -> Result<T, SwitchboardError>,
) -> Result<T, SwitchboardError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(SwitchboardError::Panic {
            message: panic_message(payload.as_ref()),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_behind_a_call_comes_back_as_an_error() {
        let got: Result<(), _> = guard(|| panic!("boom {}", 7));
        match got {
            Err(SwitchboardError::Panic { message }) => assert_eq!(message, "boom 7"),
            other => panic!("expected a Panic error, got {other:?}"),
        }
        let ok = guard(|| Ok::<_, SwitchboardError>(5));
        assert_eq!(ok.unwrap(), 5);
    }
}
