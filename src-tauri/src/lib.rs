//! Casefile's desktop shell: a thin adapter from Tauri commands to `casefile-core`.
//!
//! Architecture invariant: each command is arguments → one core operation → a serialisable
//! result. Errors cross IPC as `{ code, message, field }` ([`ErrorDto`]). No domain logic here.
//!
//! The app starts with nothing open: the UI asks what the library folder holds
//! (`library_state`) and then makes, unlocks or opens it (`session.rs`). Locking drops the
//! [`Library`] (closing the database and wiping its keys); until it is unlocked again every
//! other command answers `passphrase_required` and the `media:` protocol serves nothing.

mod commands;
mod evidence;
pub mod logging;
pub mod media;
mod session;
mod sleep;

use casefile_core::clock::{Clock, SystemClock};
use casefile_core::{Error, ErrorDto, KdfParams, Library, LibraryState};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tauri::{Builder, Emitter, Runtime};

pub use session::{unlock_delay, LibraryStatus};

/// The library folder and what the app holds of it.
pub struct AppState {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    /// The Argon2 cost of new passphrase slots; `None`: [`KdfParams::configured`].
    kdf: Option<KdfParams>,
    held: Mutex<Held>,
    /// The way in: opening, unlocking, creating, encrypting and destroying keys run one at a
    /// time under it.
    door: Mutex<()>,
    /// Wrong passphrases in a row, and the wait they impose (see `session.rs`).
    tries: Mutex<session::Tries>,
}

/// What is open. "No library yet", "locked" and "keys destroyed" are all `Closed`: the folder
/// says which ([`Library::state`]), so the app never keeps a second, possibly stale, account
/// of it. `Open` is an unlocked encrypted library or a plaintext one from before encryption
/// ([`Library::is_encrypted`] tells them apart).
enum Held {
    Closed,
    Open(Box<Library>),
}

impl AppState {
    /// The state of an app on the library folder `data_dir`, with nothing opened yet.
    pub fn new(data_dir: PathBuf) -> AppState {
        AppState::with_clock(data_dir, Arc::new(SystemClock))
    }

    /// Like [`AppState::new`], with the clock the library will use.
    pub fn with_clock(data_dir: PathBuf, clock: Arc<dyn Clock>) -> AppState {
        AppState {
            dir: data_dir,
            clock,
            kdf: None,
            held: Mutex::new(Held::Closed),
            door: Mutex::new(()),
            tries: Mutex::new(session::Tries::default()),
        }
    }

    /// The same, making new passphrase slots with `kdf` (tests use a cheap one).
    pub fn with_kdf(mut self, kdf: KdfParams) -> AppState {
        self.kdf = Some(kdf);
        self
    }

    /// Whether a library is open (unlocked, or plaintext).
    pub fn is_open(&self) -> bool {
        matches!(*self.held(), Held::Open(_))
    }

    /// The held library, even after a panic in another command (locking must always work).
    fn held(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Why no command can run: no library yet, locked, or its keys destroyed.
    fn closed_error(&self) -> Error {
        match Library::state(&self.dir) {
            LibraryState::Missing => Error::NoLibrary(self.dir.clone()),
            LibraryState::KeysDestroyed => Error::KeysDestroyed,
            LibraryState::Encrypted => Error::PassphraseRequired,
            LibraryState::Plaintext => Error::Unavailable(
                "the library is locked; open it again from the lock screen".into(),
            ),
        }
    }

    /// Nothing, if a library is open; else why not (for commands that start a job, or read
    /// no library at all, and still must not run while locked).
    fn require_open(&self) -> Result<(), ErrorDto> {
        self.with(|_| Ok(()))
    }

    /// Runs one core operation on the library and converts its error for IPC.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Library) -> casefile_core::Result<T>,
    ) -> Result<T, ErrorDto> {
        self.with_core(f).map_err(|e| {
            tracing::debug!(code = e.code(), "a command failed");
            ErrorDto::from(e)
        })
    }

    /// Like `with`, for code that continues in core terms (background jobs).
    fn with_core<T>(
        &self,
        f: impl FnOnce(&mut Library) -> casefile_core::Result<T>,
    ) -> casefile_core::Result<T> {
        let mut guard = self.held.lock().map_err(|_| {
            Error::Unavailable("an earlier operation failed; restart Casefile".into())
        })?;
        match &mut *guard {
            Held::Open(lib) => f(lib),
            Held::Closed => Err(self.closed_error()),
        }
    }
}

/// Registers the state and every command on `builder`; shared by `run` and the tests.
pub fn build_app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    use commands::*;
    use evidence::{
        audit_run, bundle_export, bundle_import, bundle_verify, evidence_cancel, evidence_import,
    };
    use session::{
        library_create, library_destroy_keys, library_encrypt, library_lock, library_open,
        library_state, library_unlock,
    };
    builder
        .manage(state)
        .manage(evidence::Jobs::default())
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol("media", |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            std::thread::spawn(move || responder.respond(media::media_response(&app, &request)));
        })
        .on_window_event(|window, event| {
            // Files dropped on the window: the UI offers to import them into the open case.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                let _ = window.emit("files-dropped", paths);
            }
        })
        .setup(|app| {
            evidence::start_worker(app.handle());
            sleep::lock_on_suspend(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            library_state,
            library_create,
            library_unlock,
            library_open,
            library_lock,
            library_encrypt,
            library_destroy_keys,
            library_info,
            profile_set,
            vocab_list,
            sample_load,
            case_list,
            case_get,
            case_create,
            case_update,
            incident_list,
            incident_get,
            incident_create,
            incident_update,
            person_list,
            person_get,
            person_create,
            person_update,
            identity_set,
            identity_reveal,
            unit_list,
            unit_get,
            unit_create,
            unit_update,
            act_create,
            involvement_create,
            statement_list,
            statement_get,
            statement_create,
            statement_update,
            consent_set,
            consent_withdraw,
            link_create,
            link_remove,
            record_find,
            record_delete,
            record_restore,
            record_history,
            evidence_list,
            evidence_get,
            evidence_update,
            evidence_duplicates,
            evidence_import,
            evidence_cancel,
            bundle_export,
            bundle_verify,
            bundle_import,
            conflict_list,
            conflict_resolve,
            search,
            incident_filter,
            evidence_filter,
            case_geo_time,
            record_deleted_list,
            vocab_add,
            case_provenance,
            case_standing,
            key_trust,
            key_revoke,
            export_last_profile,
            export_file_name,
            audit_run,
            audit_accept_head,
        ])
}

/// Starts the desktop app on the library named by `CASEFILE_DATA_DIR` or the default.
pub fn run() {
    let data_dir = casefile_core::resolve_data_dir(None);
    let _log = logging::init(&data_dir);
    let state = AppState::new(data_dir);
    let result = build_app(tauri::Builder::default(), state).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("casefile: the window could not be started: {e}");
        std::process::exit(1);
    }
}
