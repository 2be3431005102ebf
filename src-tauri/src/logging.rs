//! The app's log: `tracing` events to a daily-rotated file in the library's `logs/` folder (the
//! last 14 kept) and to stderr. Events carry ids, codes and timings, never case content (no
//! titles, names, statement text or file names); `tests/logging.rs` checks it.

use std::path::Path;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Where the log files go: `<library>/logs`, private like the rest of the library.
pub fn log_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("logs")
}

/// Starts logging; keep the guard for as long as the app runs (it flushes on drop). `None` if
/// the folder cannot be made (the app runs on, logging to stderr only).
pub fn init(data_dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CASEFILE_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,casefile_core=info,casefile_app=info")
    });
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false);
    let dir = log_dir(data_dir);
    let file = std::fs::create_dir_all(&dir).ok().and_then(|_| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        let appender = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("casefile")
            .filename_suffix("log")
            .max_log_files(14)
            .build(&dir)
            .ok();
        // The appender creates files with the default mode; like every file of the library,
        // they are made the owner's only (the folder, 0700, already keeps others out).
        #[cfg(unix)]
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600));
        }
        appender
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_layer = tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_target(false);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            None
        }
    }
}
