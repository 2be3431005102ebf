//! The parts of evidence handling that belong to the desktop shell: import jobs that run in
//! the background and stream progress as events, the background worker that makes thumbnails,
//! and the `media:` protocol that serves thumbnails and originals to the webview.
//!
//! The library lock is held only while a batch is recorded or an analysis stored, never while
//! files are read, hashed or decoded, so the window stays responsive during a long import.

use crate::AppState;
use casefile_core::evidence::{self, Acquisition, IngestReport, Progress};
use casefile_core::ErrorDto;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// Import jobs in progress (their cancel flags) and the analysis worker's wake-up line.
#[derive(Default)]
pub struct Jobs {
    running: Mutex<HashMap<String, Arc<AtomicBool>>>,
    wake: Mutex<Option<Sender<()>>>,
}

impl Jobs {
    /// Asks every running job (imports, exports, audits) to stop, as locking does.
    pub(crate) fn cancel_all(&self) {
        if let Ok(running) = self.running.lock() {
            for flag in running.values() {
                flag.store(true, Ordering::SeqCst);
            }
        }
    }

    /// Waits until no job runs, or `limit` has passed; returns how many still run. A cancelled
    /// import records the whole files it has read before it ends, so the wait keeps them.
    pub(crate) fn wait_idle(&self, limit: Duration) -> usize {
        let until = Instant::now() + limit;
        loop {
            let left = self.running.lock().map(|r| r.len()).unwrap_or(0);
            if left == 0 || Instant::now() >= until {
                return left;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn wake_worker(&self) {
        if let Ok(w) = self.wake.lock() {
            if let Some(tx) = w.as_ref() {
                let _ = tx.send(());
            }
        }
    }
}

#[derive(Clone, Serialize)]
struct ProgressEvent<'a> {
    job: &'a str,
    progress: &'a Progress,
}

#[derive(Clone, Serialize)]
struct DoneEvent<'a> {
    job: &'a str,
    report: Option<&'a IngestReport>,
    error: Option<ErrorDto>,
}

#[derive(Clone, Serialize)]
struct AnalysedEvent {
    sha256: String,
    status: String,
}

/// Starts importing `paths` into a case; returns the job id at once. Progress arrives as
/// `evidence-progress` events and the report as one `evidence-done` event.
#[tauri::command(async)]
pub fn evidence_import<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    jobs: State<'_, Jobs>,
    case_id: String,
    paths: Vec<PathBuf>,
    acquisition: Acquisition,
) -> Result<String, ErrorDto> {
    // Check what can be checked before anything starts, so a mistake is one clear error.
    let (acquisition, vault) = state.with(|lib| {
        lib.get_case(&case_id)?;
        Ok((lib.check_acquisition(&acquisition)?, lib.vault().clone()))
    })?;
    if paths.is_empty() {
        return Err(ErrorDto {
            code: "invalid_input".into(),
            message: "choose at least one file or folder".into(),
            field: Some("paths".into()),
            params: Default::default(),
        });
    }
    let job = casefile_core::new_id();
    let cancel = Arc::new(AtomicBool::new(false));
    if let Ok(mut running) = jobs.running.lock() {
        running.insert(job.clone(), cancel.clone());
    }
    let job_id = job.clone();
    std::thread::spawn(move || {
        let (files, mut failed) = evidence::plan_files(&paths);
        let mut last = Instant::now() - Duration::from_secs(1);
        let mut progress = |p: &Progress| {
            // At most ~10 events a second, plus every file boundary of a small batch.
            if last.elapsed() >= Duration::from_millis(100) || p.files_done == p.files_total {
                last = Instant::now();
                let _ = app.emit(
                    "evidence-progress",
                    ProgressEvent {
                        job: &job_id,
                        progress: p,
                    },
                );
            }
        };
        let state = app.state::<AppState>();
        let result = evidence::run_ingest(&vault, files, &cancel, &mut progress, &mut |batch| {
            let r = state.with_core(|lib| lib.record_batch(&case_id, &acquisition, batch));
            app.state::<Jobs>().wake_worker();
            r
        });
        let done = match result {
            Ok(mut report) => {
                failed.append(&mut report.failed);
                report.failed = failed;
                DoneEvent {
                    job: &job_id,
                    report: Some(&report),
                    error: None,
                }
                .emit(&app);
                None
            }
            Err(e) => Some(ErrorDto::from(e)),
        };
        if let Some(error) = done {
            DoneEvent {
                job: &job_id,
                report: None,
                error: Some(error),
            }
            .emit(&app);
        }
        if let Ok(mut running) = app.state::<Jobs>().running.lock() {
            running.remove(&job_id);
        }
    });
    Ok(job)
}

impl DoneEvent<'_> {
    fn emit<R: Runtime>(&self, app: &AppHandle<R>) {
        let _ = app.emit("evidence-done", self.clone());
    }
}

/// Asks a running import to stop after the file it is reading; whole files are kept.
#[tauri::command(async)]
pub fn evidence_cancel(jobs: State<'_, Jobs>, job: String) -> Result<bool, ErrorDto> {
    let running = jobs.running.lock().map_err(|_| ErrorDto {
        code: "internal".into(),
        message: "job table unavailable".into(),
        field: None,
        params: Default::default(),
    })?;
    Ok(match running.get(&job) {
        Some(flag) => {
            flag.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    })
}

/// Starts the background worker that makes thumbnails and perceptual hashes of pending files,
/// emitting `evidence-analysed` for each. While the library is locked (or not made yet) it
/// waits; unlocking wakes it.
pub fn start_worker<R: Runtime>(app: &AppHandle<R>) {
    let (tx, rx): (Sender<()>, Receiver<()>) = mpsc::channel();
    if let Ok(mut w) = app.state::<Jobs>().wake.lock() {
        *w = Some(tx);
    }
    let app = app.clone();
    tracing::debug!("previews: worker started");
    std::thread::spawn(move || loop {
        let state = app.state::<AppState>();
        let next = state.with_core(|lib| Ok((lib.pending_analysis(8)?, lib.vault().clone())));
        let (pending, vault) = match next {
            Ok(next) => next,
            // Locked, or no library yet: nothing to do until one is opened (which wakes us).
            Err(_) if !state.is_open() => match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            },
            Err(e) => {
                tracing::error!(
                    code = e.code(),
                    "previews: the pending list could not be read"
                );
                std::thread::sleep(Duration::from_secs(5));
                continue;
            }
        };
        if pending.is_empty() {
            match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        for (sha, kind) in pending {
            if !state.is_open() {
                break; // locked meanwhile: the vault handle is dropped with this batch
            }
            let started = Instant::now();
            let a = evidence::analyse(&vault, &sha, &kind);
            let status = a.status.to_string();
            match state.with_core(|lib| lib.store_analysis(&sha, &a)) {
                Ok(()) => {
                    tracing::debug!(status = %status, ms = started.elapsed().as_millis() as u64, "preview made")
                }
                // One file's failure is logged; the worker goes on with the next.
                Err(e) => {
                    tracing::error!(code = e.code(), "a preview could not be stored");
                    continue;
                }
            }
            let _ = app.emit(
                "evidence-analysed",
                AnalysedEvent {
                    sha256: sha,
                    status,
                },
            );
        }
    });
}

#[derive(Clone, Serialize)]
struct BundleProgress<'a> {
    job: &'a str,
    done: u64,
    total: u64,
}

#[derive(Clone, Serialize)]
struct BundleDone<T: Serialize + Clone> {
    job: String,
    result: Option<T>,
    error: Option<ErrorDto>,
}

/// Runs `work` on a background thread as job `job`, emitting `<event>-progress` and one
/// `<event>-done` with its result or error.
fn spawn_job<R: Runtime, T: Serialize + Clone + Send + 'static>(
    app: AppHandle<R>,
    event: &'static str,
    work: impl FnOnce(&AppHandle<R>, &AtomicBool, &mut dyn FnMut(u64, u64)) -> casefile_core::Result<T>
        + Send
        + 'static,
) -> String {
    let job = casefile_core::new_id();
    let cancel = Arc::new(AtomicBool::new(false));
    if let Ok(mut running) = app.state::<Jobs>().running.lock() {
        running.insert(job.clone(), cancel.clone());
    }
    let job_id = job.clone();
    std::thread::spawn(move || {
        let mut last = Instant::now() - Duration::from_secs(1);
        let progress_event = format!("{event}-progress");
        let mut progress = |done: u64, total: u64| {
            if last.elapsed() >= Duration::from_millis(100) || done == total {
                last = Instant::now();
                let _ = app.emit(
                    &progress_event,
                    BundleProgress {
                        job: &job_id,
                        done,
                        total,
                    },
                );
            }
        };
        let result = work(&app, &cancel, &mut progress);
        let done = match result {
            Ok(r) => BundleDone {
                job: job_id.clone(),
                result: Some(r),
                error: None,
            },
            Err(e) => BundleDone {
                job: job_id.clone(),
                result: None,
                error: Some(ErrorDto::from(e)),
            },
        };
        let _ = app.emit(&format!("{event}-done"), done);
        if let Ok(mut running) = app.state::<Jobs>().running.lock() {
            running.remove(&job_id);
        }
    });
    job
}

/// Starts exporting a case; progress as `export-progress`, the report as `export-done`.
#[tauri::command(async)]
pub fn bundle_export<R: Runtime>(
    app: AppHandle<R>,
    case_id: String,
    out: PathBuf,
    zip: bool,
    profile: String,
    language: Option<String>,
) -> Result<String, ErrorDto> {
    app.state::<AppState>().require_open()?;
    let profile: casefile_core::bundle::ExportProfile = profile.parse().map_err(ErrorDto::from)?;
    // The report in the investigator's language (the UI's); English when not said.
    let language: casefile_core::bundle::ReportLanguage = language
        .as_deref()
        .unwrap_or("en")
        .parse()
        .map_err(ErrorDto::from)?;
    Ok(spawn_job(app, "export", move |app, cancel, progress| {
        // Read the case under the lock, stream the bag without it, then log the export.
        let state = app.state::<AppState>();
        let opts = casefile_core::bundle::ExportOptions {
            profile,
            zip,
            language,
        };
        let prepared = state
            .with_core(|lib| casefile_core::bundle::prepare_export(lib, &case_id, &out, &opts))?;
        let report = casefile_core::bundle::write_export(&prepared, cancel, progress)?;
        state.with_core(|lib| lib.record_export(&case_id, &report))?;
        Ok(report)
    }))
}

/// Verifies a bundle (directory or ZIP) without touching the library; not while it is locked
/// (the report names what the bundle holds).
#[tauri::command(async)]
pub fn bundle_verify(
    state: State<'_, AppState>,
    path: PathBuf,
) -> Result<casefile_core::bundle::VerifyReport, ErrorDto> {
    state.require_open()?;
    casefile_core::bundle::verify_bundle(&path).map_err(ErrorDto::from)
}

/// Starts verifying and merging a bundle; progress as `import-progress`, the report as `import-done`.
#[tauri::command(async)]
pub fn bundle_import<R: Runtime>(
    app: AppHandle<R>,
    path: PathBuf,
    trust: Option<bool>,
) -> Result<String, ErrorDto> {
    app.state::<AppState>().require_open()?;
    Ok(spawn_job(app, "import", move |app, cancel, progress| {
        // Verifying and copying originals needs no database: the library stays usable meanwhile.
        let state = app.state::<AppState>();
        let vault = state.with_core(|lib| Ok(lib.vault().clone()))?;
        let prepared = casefile_core::bundle::prepare_import(&vault, &path, cancel, progress)?;
        let r = state.with_core(|lib| lib.finish_import(prepared, trust.unwrap_or(false)));
        app.state::<Jobs>().wake_worker();
        r
    }))
}

/// Starts an audit of the library; with `files`, every original is re-hashed (progress as
/// `audit-progress`, in bytes); the report as `audit-done`. The library is held for the whole
/// audit, so that what it checks does not change under it.
#[tauri::command(async)]
pub fn audit_run<R: Runtime>(app: AppHandle<R>, files: Option<bool>) -> Result<String, ErrorDto> {
    app.state::<AppState>().require_open()?;
    let opts = casefile_core::audit::AuditOptions {
        files: files.unwrap_or(true),
    };
    Ok(spawn_job(app, "audit", move |app, cancel, progress| {
        app.state::<AppState>()
            .with_core(|lib| lib.audit_verify_with(opts, cancel, progress))
    }))
}
