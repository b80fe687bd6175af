//! Logging set-up: the unified log (os_log) on Apple targets, stderr elsewhere.
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::error::{guard, SwitchboardError};

/// Starts logging at `level` (`error`, `warn`, `info`, `debug`, `trace`, or a tracing filter such
/// as `switchboard_runtime=debug`). Calling it again keeps the first set-up and succeeds.
#[uniffi::export]
pub fn init_logging(level: String) -> Result<(), SwitchboardError> {
    guard(|| {
        let filter: Targets = level.parse().map_err(|e| SwitchboardError::InvalidConfig {
            message: format!("log level '{level}': {e}"),
        })?;
        let registry = tracing_subscriber::registry().with(filter);
        #[cfg(target_vendor = "apple")]
        let result = registry
            .with(tracing_oslog::OsLogger::new(
                "io.switchboard.core",
                "default",
            ))
            .try_init();
        #[cfg(not(target_vendor = "apple"))]
        let result = registry
            .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
            .try_init();
        // Already initialised (by an earlier call or the host app): keep that one.
        let _ = result;
        Ok(())
    })
}
