//! Casefile's core: the domain model, storage, vault and custody log, with no knowledge of the
//! desktop shell. The Tauri app and the `casefile` CLI are thin adapters over [`Library`].

pub mod acts;
pub mod audit;
pub mod bundle;
pub mod cases;
pub mod clock;
pub mod custody;
pub mod dates;
pub mod db;
pub mod error;
pub mod evidence;
pub(crate) mod fsutil;
pub mod head;
pub mod incidents;
pub mod keys;
pub mod library;
pub mod links;
pub mod persons;
pub mod records;
pub mod sample;
pub mod search;
pub mod statements;
pub mod store;
pub mod trust;
pub mod units;
pub mod upgrade;
pub mod validate;
pub mod vault;
pub mod vocab;

pub use error::{Error, ErrorDto, Result};
pub use library::Library;

/// Casefile's version, recorded in exports and shown in the app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A new record id: a UUIDv7 string (time-ordered, so ids sort by creation).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Where the library lives when neither `--data-dir` nor `CASEFILE_DATA_DIR` says: the
/// platform's per-user data directory (`~/.local/share/casefile` on Linux).
pub fn default_data_dir() -> std::path::PathBuf {
    dirs::data_dir().unwrap_or_else(|| std::path::PathBuf::from(".")).join("casefile")
}

/// The data directory to use: an explicit choice, else `CASEFILE_DATA_DIR`, else the default.
pub fn resolve_data_dir(explicit: Option<std::path::PathBuf>) -> std::path::PathBuf {
    explicit
        .or_else(|| std::env::var_os("CASEFILE_DATA_DIR").filter(|v| !v.is_empty()).map(Into::into))
        .unwrap_or_else(default_data_dir)
}
