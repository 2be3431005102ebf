//! Casefile's desktop shell: a thin adapter from Tauri commands to `casefile-core`.
//!
//! Architecture invariant: each command is arguments → one core operation → a serialisable
//! result. Errors cross IPC as `{ code, message, field }` ([`ErrorDto`]). No domain logic here.

mod commands;
mod evidence;
pub mod logging;
pub mod media;

use casefile_core::clock::SystemClock;
use casefile_core::{ErrorDto, Library};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{Builder, Emitter, Runtime};

/// The open library, or why it could not be opened (shown by the UI instead of the app).
pub struct AppState {
    library: Mutex<Result<Library, Arc<casefile_core::Error>>>,
}

impl AppState {
    pub fn open(data_dir: PathBuf) -> AppState {
        let library = Library::open(&data_dir, Arc::new(SystemClock)).map_err(|e| {
            tracing::error!(code = e.code(), "the library could not be opened");
            Arc::new(e)
        });
        AppState {
            library: Mutex::new(library),
        }
    }

    /// Runs one core operation on the library and converts its error for IPC.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Library) -> casefile_core::Result<T>,
    ) -> Result<T, ErrorDto> {
        let mut guard = self.library.lock().map_err(|_| ErrorDto {
            code: "internal".into(),
            message: "an earlier operation failed unexpectedly; restart Casefile".into(),
            field: None,
        })?;
        let lib = guard.as_mut().map_err(|e| ErrorDto::from(&**e))?;
        f(lib).map_err(|e| {
            tracing::debug!(code = e.code(), "a command failed");
            ErrorDto::from(e)
        })
    }

    /// Like `with`, for code that continues in core terms (background jobs).
    fn with_core<T>(
        &self,
        f: impl FnOnce(&mut Library) -> casefile_core::Result<T>,
    ) -> casefile_core::Result<T> {
        let mut guard = self
            .library
            .lock()
            .map_err(|_| casefile_core::Error::Unavailable("an earlier operation failed".into()))?;
        // The reason the library could not be opened, code and all (library_locked, say).
        let lib = guard
            .as_mut()
            .map_err(|e| casefile_core::Error::Shared(e.clone()))?;
        f(lib)
    }
}

/// Registers the state and every command on `builder`; shared by `run` and the tests.
pub fn build_app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    use commands::*;
    use evidence::{
        audit_run, bundle_export, bundle_import, bundle_verify, evidence_cancel, evidence_import,
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
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
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
            audit_run,
            audit_accept_head,
        ])
}

/// Starts the desktop app on the library named by `CASEFILE_DATA_DIR` or the default.
pub fn run() {
    let data_dir = casefile_core::resolve_data_dir(None);
    let _log = logging::init(&data_dir);
    let state = AppState::open(data_dir);
    let result = build_app(tauri::Builder::default(), state).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("casefile: the window could not be started: {e}");
        std::process::exit(1);
    }
}
