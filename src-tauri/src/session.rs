//! Opening and closing the library: what the folder holds, a new encrypted library at first
//! start, unlocking, locking, encrypting a library from before encryption, and the emergency
//! key wipe.
//!
//! Argon2 takes a second or two by design, so every command that runs it (or may wait for
//! background jobs to stop) is an `async fn` that hands the work to a blocking thread: neither
//! the window nor the IPC runtime waits on it.
//!
//! Wrong passphrases: after the n-th wrong passphrase in a row the next attempt is refused for
//! min(2^(n-1), 30) seconds ([`unlock_delay`]), without running Argon2, and attempts run one at
//! a time. This only slows guessing through this window; someone holding a copy of the disk is
//! slowed by Argon2 alone, which is why the passphrase itself is what protects the library. The
//! count lives in memory and starts again with the app. A wrong passphrase changes no file.

use crate::evidence::Jobs;
use crate::{AppState, Held};
use casefile_core::clock::format_ts;
use casefile_core::{Access, Error, ErrorDto, KdfParams, Library, LibraryState};
use serde::Serialize;
use std::sync::MutexGuard;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use zeroize::Zeroizing;

type Res<T> = Result<T, ErrorDto>;

/// How long a lock waits for background jobs to stop before it closes the library anyway (a
/// job still running then fails on its next step, as "passphrase_required").
const JOB_STOP_WAIT: Duration = Duration::from_secs(3);

/// Wrong passphrases in a row, and when the next attempt will be accepted.
#[derive(Default)]
pub(crate) struct Tries {
    failures: u32,
    not_before: Option<Instant>,
}

impl Tries {
    fn wait(&self) -> Option<Duration> {
        self.not_before
            .and_then(|t| t.checked_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }

    fn failed(&mut self) -> Duration {
        self.failures += 1;
        let d = unlock_delay(self.failures);
        self.not_before = Some(Instant::now() + d);
        d
    }
}

/// The wait before another attempt after `failures` wrong passphrases in a row:
/// min(2^(failures-1), 30) seconds, none before the first.
pub fn unlock_delay(failures: u32) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    Duration::from_secs((1u64 << (failures - 1).min(5)).min(30))
}

fn seconds(d: Duration) -> String {
    let n = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    format!("{n} second{}", if n == 1 { "" } else { "s" })
}

/// What the library folder holds and whether it is open: what the UI shows at start and after
/// a lock. Nothing in it is secret.
#[derive(Serialize)]
pub struct LibraryStatus {
    /// missing (first start), plaintext (from before encryption), encrypted, keys_destroyed.
    pub state: LibraryState,
    /// Whether a library is open (unlocked, or plaintext and opened).
    pub unlocked: bool,
    /// The library folder's name (typed to confirm destroying its keys).
    pub name: String,
    pub data_dir: String,
    /// Whether the organisation holds a recovery key for this library.
    pub recovery_key: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_destroyed_at: Option<String>,
    /// How long before another unlock attempt is accepted (after wrong passphrases).
    pub retry_after_ms: u64,
    /// The system's languages, most wanted first (`uk`, `en`, ...), from the locale settings
    /// (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): the UI's first start follows them. The web view's
    /// own `navigator.language` says "en-US" whenever the locale is not generated on the system.
    pub system_languages: Vec<String>,
}

/// The languages of the locale settings, most wanted first, as two-letter codes (`uk_UA.UTF-8`
/// → `uk`); `C` and `POSIX` say nothing. Read as glibc does: LANGUAGE (a list) wins over LC_ALL,
/// LC_MESSAGES and LANG.
pub fn system_languages(var: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    if let Some(list) = var("LANGUAGE") {
        tags.extend(list.split(':').map(str::to_string));
    }
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(v) = var(name).filter(|v| !v.is_empty()) {
            tags.push(v);
            break;
        }
    }
    for tag in tags {
        let code: String = tag
            .split(['_', '.', '@', '-'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if code.len() >= 2
            && code.chars().all(|c| c.is_ascii_lowercase())
            && code != "c"
            && code != "posix"
            && !out.contains(&code)
        {
            out.push(code);
        }
    }
    out
}

impl AppState {
    fn kdf(&self) -> casefile_core::Result<KdfParams> {
        self.kdf.map_or_else(KdfParams::configured, Ok)
    }

    fn door(&self) -> MutexGuard<'_, ()> {
        self.door.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn tries(&self) -> MutexGuard<'_, Tries> {
        self.tries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The folder's name, as the UI asks it to be typed.
    fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.dir.display().to_string())
    }

    pub(crate) fn status(&self) -> casefile_core::Result<LibraryStatus> {
        let enc = Library::encryption_status(&self.dir)?;
        Ok(LibraryStatus {
            state: enc.state,
            unlocked: self.is_open(),
            name: self.name(),
            data_dir: self.dir.display().to_string(),
            recovery_key: enc.slots.iter().any(|s| s.kind == "recovery"),
            keys_destroyed_at: enc.keys_destroyed_at,
            retry_after_ms: self.tries().wait().map_or(0, |d| d.as_millis() as u64),
            system_languages: system_languages(|k| std::env::var(k).ok()),
        })
    }

    /// Makes the new encrypted library at first start, and opens it.
    fn create(&self, passphrase: &str) -> casefile_core::Result<()> {
        let _door = self.door();
        let kdf = self.kdf()?;
        let lib = Library::create(&self.dir, self.clock.clone(), passphrase, kdf)?;
        *self.held() = Held::Open(Box::new(lib));
        Ok(())
    }

    /// Unlocks the encrypted library, unless wrong passphrases have made it wait.
    fn unlock(&self, passphrase: &str) -> Res<()> {
        let _door = self.door();
        let (wait, failures) = {
            let tries = self.tries();
            (tries.wait(), tries.failures)
        };
        if let Some(wait) = wait {
            return Err(ErrorDto {
                code: "unlock_delayed".into(),
                message: format!(
                    "Wait {} more before trying again ({failures} wrong passphrase{} in a row).",
                    seconds(wait),
                    if failures == 1 { "" } else { "s" }
                ),
                field: Some("passphrase".into()),
                params: Default::default(),
            });
        }
        if self.is_open() {
            return Ok(());
        }
        match Library::unlock(&self.dir, self.clock.clone(), passphrase) {
            Ok(lib) => {
                *self.tries() = Tries::default();
                *self.held() = Held::Open(Box::new(lib));
                tracing::info!("library unlocked");
                Ok(())
            }
            Err(Error::WrongPassphrase) => {
                let (wait, failures) = {
                    let mut tries = self.tries();
                    (tries.failed(), tries.failures)
                };
                tracing::info!(failures, "unlock refused: wrong passphrase");
                Err(ErrorDto {
                    code: "wrong_passphrase".into(),
                    message: format!(
                        "This passphrase does not open the library. You can try again in {}.",
                        seconds(wait)
                    ),
                    field: Some("passphrase".into()),
                    params: Default::default(),
                })
            }
            Err(e) => {
                tracing::warn!(code = e.code(), "unlock failed");
                Err(e.into())
            }
        }
    }

    /// Opens a library from before encryption (it has no passphrase).
    fn open_plaintext(&self) -> casefile_core::Result<()> {
        let _door = self.door();
        if self.is_open() {
            return Ok(());
        }
        let lib = Library::open(&self.dir, self.clock.clone(), Access::Plaintext)?;
        *self.held() = Held::Open(Box::new(lib));
        Ok(())
    }

    /// Closes the library (the database, the vault handle and the keys go with it). Background
    /// jobs must have been asked to stop first ([`lock`]).
    fn close(&self) -> bool {
        let was = std::mem::replace(&mut *self.held(), Held::Closed);
        matches!(was, Held::Open(_))
    }

    /// Encrypts the plaintext library in place (opening it if need be) and keeps it open,
    /// encrypted. Commands wait meanwhile. On failure the plaintext library is opened again as
    /// it was (or, if the encryption had committed, it stays closed until unlocked).
    fn encrypt(
        &self,
        passphrase: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> casefile_core::Result<()> {
        let _door = self.door();
        let kdf = self.kdf()?;
        casefile_core::keyslots::check_passphrase(passphrase)?;
        let mut held = self.held();
        let lib = match std::mem::replace(&mut *held, Held::Closed) {
            Held::Open(lib) if lib.is_encrypted() => {
                *held = Held::Open(lib);
                return Err(Error::invalid(
                    "passphrase",
                    "this library is already encrypted",
                ));
            }
            Held::Open(lib) => *lib,
            Held::Closed => match Library::state(&self.dir) {
                LibraryState::Plaintext => {
                    Library::open(&self.dir, self.clock.clone(), Access::Plaintext)?
                }
                LibraryState::Missing => return Err(Error::NoLibrary(self.dir.clone())),
                _ => {
                    return Err(Error::invalid(
                        "passphrase",
                        "this library is already encrypted",
                    ))
                }
            },
        };
        tracing::info!("encrypting the library in place");
        match lib.encrypt_in_place(passphrase, kdf, progress) {
            Ok(lib) => {
                *held = Held::Open(Box::new(lib));
                tracing::info!("library encrypted");
                Ok(())
            }
            Err(e) => {
                tracing::error!(code = e.code(), "the library could not be encrypted");
                if let Ok(lib) = Library::open(&self.dir, self.clock.clone(), Access::Plaintext) {
                    *held = Held::Open(Box::new(lib));
                }
                Err(e)
            }
        }
    }

    /// Whether the library has keys to destroy.
    fn check_destroyable(&self) -> casefile_core::Result<()> {
        match Library::state(&self.dir) {
            LibraryState::Encrypted | LibraryState::KeysDestroyed => {}
            LibraryState::Plaintext => {
                return Err(Error::invalid(
                    "confirm_name",
                    "this library is not encrypted: it has no keys to destroy",
                ))
            }
            LibraryState::Missing => return Err(Error::NoLibrary(self.dir.clone())),
        }
        Ok(())
    }

    /// Overwrites the passphrase slots (the library must be closed). Only the organisation
    /// recovery key, if there is one, opens the library afterwards.
    fn destroy_keys(&self) -> casefile_core::Result<bool> {
        let _door = self.door();
        self.check_destroyable()?;
        let recovery =
            casefile_core::keyslots::destroy_passphrases(&self.dir, &format_ts(self.clock.now()))?;
        tracing::warn!(recovery_key = recovery, "library keys destroyed");
        Ok(recovery)
    }
}

/// Runs `f` on a blocking thread (Argon2, waiting for jobs), off the IPC runtime's workers.
async fn blocking<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    f: impl FnOnce(&AppHandle<R>) -> Res<T> + Send + 'static,
) -> Res<T> {
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|_| ErrorDto {
            code: "internal".into(),
            message: "the operation stopped unexpectedly; try again".into(),
            field: None,
            params: Default::default(),
        })?
}

/// After a library was opened: the preview worker has work again.
fn opened<R: Runtime>(app: &AppHandle<R>) -> Res<LibraryStatus> {
    app.state::<Jobs>().wake_worker();
    app.state::<AppState>().status().map_err(ErrorDto::from)
}

/// Locks: asks background jobs to stop and waits a little for them (an import records the
/// whole files it has read), then closes the library. Returns whether one was open.
pub(crate) fn lock<R: Runtime>(app: &AppHandle<R>) -> bool {
    let jobs = app.state::<Jobs>();
    jobs.cancel_all();
    let left = jobs.wait_idle(JOB_STOP_WAIT);
    let was_open = app.state::<AppState>().close();
    tracing::info!(jobs_still_running = left, was_open, "library locked");
    was_open
}

/// Locks on the backend's own initiative (the system going to sleep) and tells the window,
/// which then removes every case view.
pub(crate) fn lock_and_tell<R: Runtime>(app: &AppHandle<R>, reason: &str) {
    lock(app);
    let _ = app.emit("library-locked", reason);
}

/// What the library folder holds, whether it is open, and how long before another unlock
/// attempt is accepted. Reads, opens nothing.
#[tauri::command(async)]
pub fn library_state(state: State<'_, AppState>) -> Res<LibraryStatus> {
    state.status().map_err(ErrorDto::from)
}

/// First start: makes the new library, encrypted under `passphrase`, and opens it.
#[tauri::command]
pub async fn library_create<R: Runtime>(
    app: AppHandle<R>,
    passphrase: String,
) -> Res<LibraryStatus> {
    let passphrase = Zeroizing::new(passphrase);
    blocking(app, move |app| {
        app.state::<AppState>().create(&passphrase)?;
        opened(app)
    })
    .await
}

/// Unlocks the encrypted library. A wrong passphrase is `wrong_passphrase` (saying how long
/// to wait); an attempt before that wait is over is `unlock_delayed`.
#[tauri::command]
pub async fn library_unlock<R: Runtime>(
    app: AppHandle<R>,
    passphrase: String,
) -> Res<LibraryStatus> {
    let passphrase = Zeroizing::new(passphrase);
    blocking(app, move |app| {
        app.state::<AppState>().unlock(&passphrase)?;
        opened(app)
    })
    .await
}

/// Opens a library from before encryption, which has no passphrase.
#[tauri::command]
pub async fn library_open<R: Runtime>(app: AppHandle<R>) -> Res<LibraryStatus> {
    blocking(app, move |app| {
        app.state::<AppState>().open_plaintext()?;
        opened(app)
    })
    .await
}

/// Locks: stops background jobs, closes the database and forgets the keys. Every other
/// command then answers `passphrase_required` until the library is unlocked.
#[tauri::command]
pub async fn library_lock<R: Runtime>(app: AppHandle<R>) -> Res<LibraryStatus> {
    blocking(app, move |app| {
        lock(app);
        app.state::<AppState>().status().map_err(ErrorDto::from)
    })
    .await
}

/// Encrypts a library from before encryption, in place, under `passphrase`; progress as
/// `encrypt-progress` events ({ done, total } files). Crash-safe: see the core's
/// `store::encrypt`.
#[tauri::command]
pub async fn library_encrypt<R: Runtime>(
    app: AppHandle<R>,
    passphrase: String,
) -> Res<LibraryStatus> {
    let passphrase = Zeroizing::new(passphrase);
    blocking(app, move |app| {
        let jobs = app.state::<Jobs>();
        jobs.cancel_all();
        jobs.wait_idle(JOB_STOP_WAIT);
        let mut last = Instant::now() - Duration::from_secs(1);
        let mut progress = |done: u64, total: u64| {
            if last.elapsed() >= Duration::from_millis(100) || done == total {
                last = Instant::now();
                let _ = app.emit(
                    "encrypt-progress",
                    serde_json::json!({ "done": done, "total": total }),
                );
            }
        };
        app.state::<AppState>()
            .encrypt(&passphrase, &mut progress)
            .map_err(ErrorDto::from)?;
        opened(app)
    })
    .await
}

/// Emergency key wipe: locks, then overwrites every passphrase slot. `confirm_name` must be
/// the library folder's name. Afterwards only the organisation recovery key opens the library;
/// without one, nothing does.
#[tauri::command]
pub async fn library_destroy_keys<R: Runtime>(
    app: AppHandle<R>,
    confirm_name: String,
) -> Res<LibraryStatus> {
    blocking(app, move |app| {
        let state = app.state::<AppState>();
        if confirm_name.trim() != state.name() {
            return Err(ErrorDto {
                code: "invalid_input".into(),
                message: format!(
                    "type the library folder's name, {}, to confirm",
                    state.name()
                ),
                field: Some("confirm_name".into()),
                params: Default::default(),
            });
        }
        state.check_destroyable().map_err(ErrorDto::from)?;
        lock(app);
        state.destroy_keys().map_err(ErrorDto::from)?;
        let _ = app.emit("library-locked", "keys_destroyed");
        state.status().map_err(ErrorDto::from)
    })
    .await
}

#[cfg(test)]
mod language_tests {
    use super::system_languages;

    fn from(pairs: &[(&str, &str)]) -> Vec<String> {
        system_languages(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_system_languages_are_read_from_the_locale_settings() {
        assert_eq!(from(&[("LANG", "uk_UA.UTF-8")]), ["uk"]);
        assert_eq!(
            from(&[("LANGUAGE", "uk_UA:ru:en"), ("LANG", "en_US.UTF-8")]),
            ["uk", "ru", "en"]
        );
        assert_eq!(
            from(&[("LC_ALL", "ru_RU.UTF-8"), ("LANG", "uk_UA.UTF-8")]),
            ["ru"]
        );
        assert_eq!(from(&[("LC_MESSAGES", "crh_UA@latin")]), ["crh"]);
        assert!(from(&[("LANG", "C.UTF-8")]).is_empty());
        assert!(from(&[("LANG", "POSIX")]).is_empty());
        assert!(from(&[]).is_empty());
    }
}
