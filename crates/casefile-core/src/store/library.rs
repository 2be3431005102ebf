//! A library: a data directory holding `casefile.db` and `vault/`, opened by one process at a
//! time.
//!
//! Architecture invariant: every write goes through [`Library::write`], which owns the
//! transaction; the operation and its custody entry commit together or not at all.

use crate::clock::{format_ts, Clock};
use crate::error::{Error, Result};
pub use crate::store::tx::WriteTx;
use crate::store::{db, vault};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DB_FILE: &str = "casefile.db";

/// Who entries made by Casefile itself (its key, upgrade steps) name as their actor.
pub fn casefile_actor() -> String {
    format!("Casefile {} (upgrade)", crate::VERSION)
}
pub const LOCK_FILE: &str = "casefile.lock";

pub struct Library {
    dir: PathBuf,
    conn: Connection,
    clock: Arc<dyn Clock>,
    vault: vault::Vault,
    // Held for the library's lifetime; the OS releases them if the process dies.
    _lock: File,
    _dir_lock: Option<File>,
    /// The actor of custody entries, read from the profile on open and when it is set (rather
    /// than on every write).
    actor: String,
    /// Signs the custody log's head file (see `head.rs`).
    signer: Option<crate::store::keys::Signer>,
    /// Whether the head file agrees with the log, so each write may advance it.
    head_ok: bool,
    /// The seq of the last head written.
    head_seq: i64,
}

impl Library {
    /// Opens the storage of the library in `dir` (see `crate::open` for the whole opening):
    /// creates it if need be, takes the lock, opens the vault and the database, and makes the
    /// installation key on first use. Refuses a directory another process has open, one it
    /// cannot write, and a database from a newer Casefile.
    pub(crate) fn open_store(dir: &Path, clock: Arc<dyn Clock>) -> Result<Library> {
        let unusable = |e: std::io::Error| Error::DataDirNotWritable {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        };
        let unusable_err = |e: Error| match e {
            Error::Io { source, .. } => unusable(source),
            other => other,
        };
        crate::fsutil::private_dir(dir).map_err(unusable_err)?;
        // The lock is held on the folder itself (Unix): deleting casefile.lock cannot let a
        // second process in. casefile.lock is locked too, for older versions, and says who
        // holds it.
        #[cfg(unix)]
        let dir_lock = {
            let d = File::open(dir).map_err(unusable)?;
            match d.try_lock() {
                Ok(()) => Some(d),
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::LibraryLocked(dir.to_path_buf()))
                }
                Err(TryLockError::Error(e)) => return Err(unusable(e)),
            }
        };
        #[cfg(not(unix))]
        let dir_lock = None;
        let lock_path = dir.join(LOCK_FILE);
        let mut lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(unusable)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(Error::LibraryLocked(dir.to_path_buf())),
            Err(TryLockError::Error(e)) => return Err(unusable(e)),
        }
        crate::fsutil::restrict(&lock_path, false)?;
        // Who holds it, for a person looking at the directory; informational only.
        let _ = lock
            .set_len(0)
            .and_then(|_| writeln!(lock, "{}", std::process::id()));
        // Only now, holding the lock, may leftovers of an earlier process be removed.
        let vault = vault::Vault::open(&dir.join(vault::VAULT_DIR)).map_err(unusable_err)?;
        crate::store::head::clean(dir);
        let conn = db::open_connection(&dir.join(DB_FILE))?;
        for f in [DB_FILE, "casefile.db-wal", "casefile.db-shm"] {
            if dir.join(f).exists() {
                crate::fsutil::restrict(&dir.join(f), false)?;
            }
        }
        let mut lib = Library {
            dir: dir.to_path_buf(),
            conn,
            clock,
            vault,
            _lock: lock,
            _dir_lock: dir_lock,
            actor: String::new(),
            signer: None,
            head_ok: false,
            head_seq: 0,
        };
        lib.actor = lib.actor_from_profile()?;
        tracing::info!(schema = db::schema_version(), "library opened");
        if !crate::store::keys::exists(&lib.conn)? {
            lib.write_as(&casefile_actor(), crate::store::keys::create)?;
        }
        lib.signer = Some(lib.signer()?);
        Ok(lib)
    }

    /// Compares the head file with the log on open: a head that names an earlier entry (a crash
    /// after a commit) is brought up to date; one that does not fit the log is left as it is,
    /// for the audit to report, and is not advanced.
    pub(crate) fn open_head(&mut self) -> Result<()> {
        match crate::store::head::state(&self.conn, &self.dir)? {
            crate::store::head::HeadState::Mismatch(_) => self.head_ok = false,
            crate::store::head::HeadState::Current => self.head_ok = true,
            crate::store::head::HeadState::Behind { .. } => {
                self.head_ok = true;
                self.advance_head()?;
            }
        }
        Ok(())
    }

    /// Writes the log's last entry to the head file, if the head may move.
    fn advance_head(&mut self) -> Result<()> {
        if !self.head_ok {
            return Ok(());
        }
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM custody_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let (Some((seq, hash)), Some(signer)) = (last, &self.signer) {
            if seq != self.head_seq {
                crate::store::head::write(&self.dir, signer, seq, &hash)?;
                self.head_seq = seq;
            }
        }
        Ok(())
    }

    /// Accepts the custody log as it stands when the head file disagrees with it (say, after
    /// restoring the database from a backup): a custody entry records what the head file said,
    /// why it was accepted and by whom, and the head file is rewritten from the log.
    pub fn accept_log_head(&mut self, reason: &str) -> Result<()> {
        let reason = crate::validate::required_text("reason", reason, 1000)?;
        let previous = match crate::store::head::read(&self.dir) {
            Ok(Some(h)) => serde_json::json!({ "seq": h.seq, "hash": h.hash, "key": h.key }),
            Ok(None) => serde_json::json!("missing"),
            Err(why) => serde_json::json!(why),
        };
        let state = match crate::store::head::state(&self.conn, &self.dir)? {
            crate::store::head::HeadState::Mismatch(m) => m,
            _ => {
                return Err(Error::invalid(
                    "reason",
                    "the head file agrees with the log; there is nothing to accept",
                ))
            }
        };
        self.write(|tx| {
            tx.log("accept_log_head", None, "log", "head", None, Some(serde_json::json!({ "reason": reason, "head_file": previous, "finding": state })))?;
            Ok(())
        })?;
        self.head_ok = true;
        self.head_seq = 0;
        self.advance_head()
    }

    /// This installation's public key and fingerprint.
    pub fn key_info(&self) -> Result<crate::store::keys::KeyInfo> {
        Ok(crate::store::keys::key_info(
            &crate::store::keys::public_key(&self.conn)?,
        ))
    }

    /// This installation's signer, for work done without holding the library (an export).
    pub(crate) fn signer(&self) -> Result<crate::store::keys::Signer> {
        crate::store::keys::signer(&self.conn)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn vault(&self) -> &vault::Vault {
        &self.vault
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// For `casefile-bench ingest` only, to print what durability costs: switches this handle to
    /// `synchronous=NORMAL`, under which a commit can be lost on power failure. Never used by
    /// the app or the CLI.
    #[doc(hidden)]
    pub fn bench_only_relax_durability(&self) -> Result<()> {
        Ok(self.conn.pragma_update(None, "synchronous", "NORMAL")?)
    }

    pub fn now(&self) -> String {
        format_ts(self.clock.now())
    }

    /// Reads the actor from the profile again (after it was set).
    pub(crate) fn refresh_actor(&mut self) -> Result<()> {
        self.actor = self.actor_from_profile()?;
        Ok(())
    }

    fn actor_from_profile(&self) -> Result<String> {
        Ok(match self.profile()? {
            Some(p) if p.organisation.is_empty() => p.name,
            Some(p) => format!("{} ({})", p.name, p.organisation),
            None => "unidentified investigator".to_string(),
        })
    }

    /// Runs `f` in one immediate transaction; commits only if it returns `Ok`.
    pub fn write<T>(&mut self, f: impl FnOnce(&WriteTx<'_>) -> Result<T>) -> Result<T> {
        let actor = self.actor.clone();
        self.write_as(&actor, f)
    }

    /// Like [`Library::write`], with entries naming `actor` (Casefile itself, for an upgrade).
    pub(crate) fn write_as<T>(
        &mut self,
        actor: &str,
        f: impl FnOnce(&WriteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let actor = actor.to_string();
        let now = format_ts(self.clock.now());
        let out = {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let wtx = WriteTx { tx, now, actor };
            let out = f(&wtx)?;
            wtx.tx.commit()?;
            out
        };
        // The change is committed whatever happens to the head file; a head left behind is
        // brought up to date on the next open.
        let _ = self.advance_head();
        Ok(out)
    }
}
