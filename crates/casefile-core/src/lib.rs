//! Casefile's core: the domain model, storage, vault and custody log, with no knowledge of the
//! desktop shell. The Tauri app and the `casefile` CLI are thin adapters over [`Library`].

// Layers, each importing only those above it in this list (checked by tests/tidy.rs):
// the leaves; `store` (the Library handle, the database, custody log, vault, keys); `records`
// (the record types and their rules); and the top: `audit`, `search`, `bundle`, `upgrade`,
// `sample` and `open` (opening a library as a whole).
pub mod clock;
pub mod dates;
pub mod error;
pub(crate) mod fsutil;
pub mod validate;

pub mod store;

pub mod records;

pub mod audit;
pub mod bundle;
mod open;
pub use open::{test_kdf, TEST_PASSPHRASE};
pub mod sample;
pub mod search;
pub mod upgrade;

// The record modules and storage modules under their long-standing paths, for the CLI, the app
// and scripts (`casefile_core::cases::NewCase`, `casefile_core::vault::Vault`, ...).
pub use records::{
    acts, cases, evidence, history, incidents, links, persons, profile, statements, trust, units,
    vocab,
};
pub use store::keyslots::KdfParams;
pub use store::library::{Access, EncryptionStatus, LibraryState};
pub use store::{custody, db, head, keys, keyslots, library, vault};

pub use error::{Error, ErrorDto, Result};
pub use store::library::Library;

/// Casefile's version, recorded in exports and shown in the app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A new record id: a UUIDv7 string (time-ordered, so ids sort by creation).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Where the library lives when neither `--data-dir` nor `CASEFILE_DATA_DIR` says: the
/// platform's per-user data directory (`~/.local/share/casefile` on Linux).
pub fn default_data_dir() -> std::path::PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| std::path::PathBuf::from("."))
        .join("casefile")
}

/// The data directory to use: an explicit choice, else `CASEFILE_DATA_DIR`, else the default.
pub fn resolve_data_dir(explicit: Option<std::path::PathBuf>) -> std::path::PathBuf {
    explicit
        .or_else(|| {
            std::env::var_os("CASEFILE_DATA_DIR")
                .filter(|v| !v.is_empty())
                .map(Into::into)
        })
        .unwrap_or_else(default_data_dir)
}
