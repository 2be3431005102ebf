//! One error type for the whole core, each variant with a stable machine-readable code.
//!
//! The code is what crosses the IPC boundary and what scripts match on; the message is for
//! people. Never match on message text.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The values an error carries for a front end to word it in its own language (`limit`,
/// `value`, `min`, `max`, `kind`, ...), by name.
pub type Params = BTreeMap<String, serde_json::Value>;

/// [`Params`] from name–value pairs: `params([("limit", 200.into())])`.
pub fn params<const N: usize>(pairs: [(&str, serde_json::Value); N]) -> Params {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value the user gave is not acceptable; `field` names the form field, `rule` the kind of
    /// refusal (stable: `required`, `too_long`, `control_character`, `not_a_coordinate`,
    /// `too_precise`, `out_of_range`, `unknown_term`, `unknown_vocabulary`, `bad_format`,
    /// `already_exists`, ...; `invalid` when nothing more precise is said), `params` the values
    /// a front end needs to word it (`limit`, `value`, `min`, `max`, ...). `message` is the
    /// English wording, for the CLI and logs.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        rule: &'static str,
        params: Params,
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

    /// A refused value with no more precise rule than `invalid`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::invalid_rule(field, "invalid", Params::new(), message)
    }

    /// A refused value: `rule` names the kind of refusal and `params` the values a front end
    /// words it with (see [`Error::Invalid`]); `message` is the English text.
    pub fn invalid_rule(
        field: &'static str,
        rule: &'static str,
        params: Params,
        message: impl Into<String>,
    ) -> Error {
        Error::Invalid {
            field,
            rule,
            params,
            message: message.into(),
        }
    }

    /// The values a front end needs to word this error from its own catalogue, by name: always
    /// `field` when the error is about one, `rule` for refused input, and what the message
    /// states (`limit`, `value`, `kind`, `found`, `supported`, `path`, ...; `count` where a
    /// number decides a plural form; `detail` for a reason only the English text gives).
    pub fn params(&self) -> Params {
        let mut p = Params::new();
        let mut put = |k: &str, v: serde_json::Value| {
            p.insert(k.to_string(), v);
        };
        match self {
            Error::Invalid { rule, params, .. } => {
                for (k, v) in params {
                    put(k, v.clone());
                }
                put("rule", (*rule).into());
            }
            Error::DuplicateReference(r) => put("value", r.as_str().into()),
            Error::NotFound { kind, id } => {
                put("kind", (*kind).into());
                put("id", id.as_str().into());
            }
            Error::SchemaTooNew { found, supported } => {
                put("found", (*found).into());
                put("supported", (*supported).into());
            }
            Error::BundleTooNew { found, supported } => {
                put("found", (*found).into());
                put("supported", (*supported).into());
            }
            Error::DiskFull { path, .. } => put("path", path.display().to_string().into()),
            Error::LibraryLocked(path) | Error::NoLibrary(path) => {
                put("path", path.display().to_string().into())
            }
            Error::DataDirNotWritable { path, reason } => {
                put("path", path.display().to_string().into());
                put("detail", reason.as_str().into());
            }
            Error::Io { path, source } => {
                put("path", path.display().to_string().into());
                put("detail", source.to_string().into());
            }
            // What only the English text says (a reason, a problem) as `detail`, so a worded
            // message still carries it.
            Error::CustodyBroken(d)
            | Error::Corrupt(d)
            | Error::Unavailable(d)
            | Error::BundleRefused(d) => put("detail", d.as_str().into()),
            Error::Database(e) => put("detail", e.to_string().into()),
            Error::BundleInvalid(problems) => {
                put("count", problems.len().into());
                put("detail", problems.join("; ").into());
            }
            Error::Shared(e) => return e.params(),
            _ => {}
        }
        if let Some(f) = self.field() {
            p.insert("field".into(), f.into());
        }
        p
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
    /// What a front end words the error with (see [`Error::params`]); omitted when empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: Params,
}

impl ErrorDto {
    /// An error made outside the core (the app's own refusals), without params.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> ErrorDto {
        ErrorDto {
            code: code.into(),
            message: message.into(),
            field: None,
            params: Params::new(),
        }
    }
}

impl From<&Error> for ErrorDto {
    fn from(e: &Error) -> Self {
        ErrorDto {
            code: e.code().into(),
            message: e.to_string(),
            field: e.field().map(Into::into),
            params: e.params(),
        }
    }
}

impl From<Error> for ErrorDto {
    fn from(e: Error) -> Self {
        ErrorDto::from(&e)
    }
}
