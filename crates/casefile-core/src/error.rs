//! One error type for the whole core, each variant with a stable machine-readable code.
//!
//! The code is what crosses the IPC boundary and what scripts match on; the message is for
//! people. Never match on message text.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value the user gave is not acceptable; `field` names the form field.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },

    #[error("a case with reference code \"{0}\" already exists")]
    DuplicateReference(String),

    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },

    #[error("the library at {0} is open in another Casefile window or command; close it first")]
    LibraryLocked(PathBuf),

    #[error("cannot use {path} as a library: {reason}")]
    DataDirNotWritable { path: PathBuf, reason: String },

    #[error(
        "this library was written by a newer version of Casefile (schema {found}, this version \
         understands up to {supported}); update Casefile to open it"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    #[error("the custody log is broken: {0}")]
    CustodyBroken(String),

    #[error("database error: {0}")]
    Database(rusqlite::Error),

    #[error("file error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("stored data is malformed: {0}")]
    Corrupt(String),

    #[error("the library is not available: {0}")]
    Unavailable(String),

    #[error("bundle refused: {0}")]
    BundleRefused(String),

    #[error("the bundle did not verify: {}", .0.join("; "))]
    BundleInvalid(Vec<String>),

    #[error("set your investigator profile (name and organisation) first: every import is recorded under it")]
    ProfileRequired,

    /// An error met once and handed to many (the app keeps why its library could not be opened,
    /// and every later command and job reports it): its code and message are the original's.
    #[error("{0}")]
    Shared(std::sync::Arc<Error>),

    /// Out of space (or quota); `kept` says what was kept and what was not.
    #[error("the disk is full ({}): {kept}", .path.display())]
    DiskFull { path: PathBuf, kept: String },

    #[error("the passphrase is not right for this library")]
    WrongPassphrase,

    #[error("this library is encrypted and locked: give its passphrase to open it")]
    PassphraseRequired,

    #[error("the keys of this library were destroyed; only the organisation recovery key can open it now")]
    KeysDestroyed,

    #[error("no library at {0}")]
    NoLibrary(PathBuf),

    #[error("this bundle was made by a newer version of Casefile (case.json schema {found}, this version reads up to {supported}); update Casefile to import it")]
    BundleTooNew { found: u32, supported: u32 },
}

impl Error {
    /// The stable code for this error. Add new codes; never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_input",
            Error::DuplicateReference(_) => "duplicate_reference",
            Error::NotFound { .. } => "not_found",
            Error::LibraryLocked(_) => "library_locked",
            Error::DataDirNotWritable { .. } => "data_dir_not_writable",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::CustodyBroken(_) => "custody_broken",
            Error::Database(_) => "database",
            Error::Io { .. } => "io",
            Error::Corrupt(_) => "corrupt",
            Error::Unavailable(_) => "library_unavailable",
            Error::BundleRefused(_) => "bundle_refused",
            Error::BundleInvalid(_) => "bundle_invalid",
            Error::BundleTooNew { .. } => "bundle_too_new",
            Error::ProfileRequired => "profile_required",
            Error::Shared(e) => e.code(),
            Error::DiskFull { .. } => "disk_full",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::PassphraseRequired => "passphrase_required",
            Error::KeysDestroyed => "keys_destroyed",
            Error::NoLibrary(_) => "no_library",
        }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            Error::DuplicateReference(_) => Some("reference"),
            Error::WrongPassphrase => Some("passphrase"),
            Error::Shared(e) => e.field(),
            _ => None,
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    /// A file error; running out of space is [`Error::DiskFull`], so people are told plainly.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        if is_disk_full(&source) {
            return Error::DiskFull {
                path: path.into(),
                kept: "what was written before was kept; free some space and try again".into(),
            };
        }
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The same error, saying what was kept (for a full disk).
    pub fn kept(self, kept: impl Into<String>) -> Error {
        match self {
            Error::DiskFull { path, .. } => Error::DiskFull {
                path,
                kept: kept.into(),
            },
            other => other,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // A full disk is told plainly wherever it is met, the database included.
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DiskFull {
                return Error::DiskFull {
                    path: PathBuf::from("casefile.db"),
                    kept: "the change was not saved; everything saved before it was kept".into(),
                };
            }
        }
        Error::Database(e)
    }
}

/// Whether an I/O error means the disk (or the user's quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    const ENOSPC: i32 = 28;
    const EDQUOT: i32 = 122;
    e.kind() == std::io::ErrorKind::StorageFull
        || (cfg!(target_os = "linux") && matches!(e.raw_os_error(), Some(ENOSPC) | Some(EDQUOT)))
}

/// The serialisable form of an error, as it crosses IPC and as the CLI prints it with `--json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ErrorDto {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl From<&Error> for ErrorDto {
    fn from(e: &Error) -> Self {
        ErrorDto {
            code: e.code().into(),
            message: e.to_string(),
            field: e.field().map(Into::into),
        }
    }
}

impl From<Error> for ErrorDto {
    fn from(e: Error) -> Self {
        ErrorDto::from(&e)
    }
}
