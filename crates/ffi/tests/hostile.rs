//! The FFI constructor on a log holding a hostile record (right checksum, a length inside it
//! claiming a terabyte): it must not abort the host app. The core starts, with the bad record
//! quarantined and named in the new log.
use std::sync::Arc;

use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{
    AudioMode, Entry, Incident, Input, MediaKind, Permissions, RouterInput, SessionSettings,
    UiState,
};
use switchboard_ffi::{
    default_core_config, AudioSession, CallsSdk, PortError, Switchboard, SwitchboardConfig,
    UiObserver,
};
use switchboard_journal::script::plant_huge_length_record;
use switchboard_journal::{FlushPolicy, Journal, SledJournal};

struct Quiet;

impl CallsSdk for Quiet {
    fn init_calls(&self, _: u64) -> Result<(), PortError> {
        Ok(())
    }
    fn init_chat(&self) -> Result<(), PortError> {
        Ok(())
    }
    fn register_listeners(&self, _: u64) -> Result<(), PortError> {
        Ok(())
    }
    fn join_session(&self, _: u64, _: String, _: SessionSettings) -> Result<(), PortError> {
        Ok(())
    }
    fn leave_session(&self, _: u64) -> Result<(), PortError> {
        Ok(())
    }
    fn set_audio_muted(&self, _: u64, _: bool) -> Result<(), PortError> {
        Ok(())
    }
    fn set_video_paused(&self, _: u64, _: bool) -> Result<(), PortError> {
        Ok(())
    }
    fn set_audio_mode(&self, _: u64, _: AudioMode) -> Result<(), PortError> {
        Ok(())
    }
    fn login(&self) -> Result<(), PortError> {
        Ok(())
    }
}

impl AudioSession for Quiet {
    fn configure(
        &self,
        _: AudioCategory,
        _: AudioSessionMode,
        _: AudioOptions,
    ) -> Result<(), PortError> {
        Ok(())
    }
    fn activate(&self) -> Result<(), PortError> {
        Ok(())
    }
    fn deactivate(&self, _: bool) -> Result<(), PortError> {
        Ok(())
    }
    fn override_output(&self, _: bool) -> Result<(), PortError> {
        Ok(())
    }
}

impl UiObserver for Quiet {
    fn render(&self, _: UiState) -> Result<(), PortError> {
        Ok(())
    }
    fn request_permission(&self, _: MediaKind) -> Result<(), PortError> {
        Ok(())
    }
    fn open_app_settings(&self) -> Result<(), PortError> {
        Ok(())
    }
    fn share_link(&self, _: String) -> Result<(), PortError> {
        Ok(())
    }
}

fn open_core(dir: &std::path::Path) -> Result<Arc<Switchboard>, switchboard_ffi::SwitchboardError> {
    let config = SwitchboardConfig {
        data_dir: dir.to_str().unwrap().to_owned(),
        core: default_core_config(vec!["meet.switchboard.example".into()]).unwrap(),
        permissions: Permissions::GRANTED,
    };
    let quiet = Arc::new(Quiet);
    Switchboard::new(config, quiet.clone(), quiet.clone(), quiet)
}

#[test]
fn the_constructor_survives_a_record_with_a_huge_length_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("journal");
    let core = open_core(&dir).expect("a first start");
    assert!(core.wait_until_idle(5_000).unwrap());
    core.shutdown().unwrap();
    drop(core);
    let seq = plant_huge_length_record(&dir).unwrap();

    let core = open_core(&dir).expect("the core starts despite the hostile record");
    assert!(core.wait_until_idle(5_000).unwrap());
    core.shutdown().unwrap();
    drop(core);

    let (journal, _) = SledJournal::open(&dir, FlushPolicy::PerBatch).unwrap();
    let quarantined: Vec<_> = journal
        .scan(0)
        .filter_map(|r| match r.unwrap().body {
            Entry::Input(Input::Router(RouterInput::Incident(
                Incident::JournalTailQuarantined {
                    from_seq, message, ..
                },
            ))) => Some((from_seq, message)),
            _ => None,
        })
        .collect();
    assert_eq!(quarantined.len(), 1, "{quarantined:?}");
    assert_eq!(quarantined[0].0, seq);
    assert!(
        quarantined[0].1.contains("record limit"),
        "{}",
        quarantined[0].1
    );
    assert_eq!(journal.quarantined_batches().unwrap().len(), 1);
}

#[test]
fn an_empty_or_relative_data_dir_is_invalid_config() {
    for bad in ["", "  ", "relative/dir"] {
        match open_core(std::path::Path::new(bad)) {
            Err(switchboard_ffi::SwitchboardError::InvalidConfig { message }) => {
                assert!(message.contains("absolute"), "{message}")
            }
            Err(e) => panic!("'{bad}': expected InvalidConfig, got {e}"),
            Ok(_) => panic!("'{bad}': accepted"),
        }
    }
}
