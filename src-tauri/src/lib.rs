//! Casefile's desktop shell: a thin adapter from Tauri commands to `casefile-core`.
//!
//! Architecture invariant: each command is arguments → one core operation → a serialisable
//! result. Errors cross IPC as `{ code, message, field }` ([`ErrorDto`]). No domain logic here.

use casefile_core::cases::{Case, CaseEdit, NewCase};
use casefile_core::clock::SystemClock;
use casefile_core::library::{LibraryInfo, Profile};
use casefile_core::{ErrorDto, Library};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{Builder, Runtime, State};

/// The open library, or why it could not be opened (shown by the UI instead of the app).
pub struct AppState {
    library: Mutex<Result<Library, ErrorDto>>,
}

impl AppState {
    pub fn open(data_dir: PathBuf) -> AppState {
        let library = Library::open(&data_dir, Arc::new(SystemClock)).map_err(ErrorDto::from);
        AppState { library: Mutex::new(library) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Library) -> casefile_core::Result<T>) -> Result<T, ErrorDto> {
        let mut guard = self.library.lock().map_err(|_| ErrorDto {
            code: "internal".into(),
            message: "an earlier operation failed unexpectedly; restart Casefile".into(),
            field: None,
        })?;
        let lib = guard.as_mut().map_err(|e| e.clone())?;
        f(lib).map_err(ErrorDto::from)
    }
}

type Res<T> = Result<T, ErrorDto>;

#[tauri::command]
fn library_info(state: State<'_, AppState>) -> Res<LibraryInfo> {
    state.with(|lib| lib.info())
}

#[tauri::command]
fn profile_set(state: State<'_, AppState>, name: String, organisation: String) -> Res<Profile> {
    state.with(|lib| lib.set_profile(&name, &organisation))
}

#[tauri::command]
fn case_list(state: State<'_, AppState>) -> Res<Vec<Case>> {
    state.with(|lib| lib.list_cases())
}

#[tauri::command]
fn case_get(state: State<'_, AppState>, id: String) -> Res<Case> {
    state.with(|lib| lib.get_case(&id))
}

#[tauri::command]
fn case_create(state: State<'_, AppState>, input: NewCase) -> Res<Case> {
    state.with(|lib| lib.create_case(input))
}

#[tauri::command]
fn case_update(state: State<'_, AppState>, id: String, edit: CaseEdit) -> Res<Case> {
    state.with(|lib| lib.edit_case(&id, edit))
}

/// Registers the state and every command on `builder`; shared by `run` and the tests.
pub fn build_app<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder.manage(state).invoke_handler(tauri::generate_handler![
        library_info,
        profile_set,
        case_list,
        case_get,
        case_create,
        case_update,
    ])
}

/// Starts the desktop app on the library named by `CASEFILE_DATA_DIR` or the default.
pub fn run() {
    let data_dir = casefile_core::resolve_data_dir(None);
    let state = AppState::open(data_dir);
    let result = build_app(tauri::Builder::default(), state).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("casefile: the window could not be started: {e}");
        std::process::exit(1);
    }
}
