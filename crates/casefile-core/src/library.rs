//! A library: a data directory holding `casefile.db` and `vault/`, opened by one process at a
//! time.
//!
//! Architecture invariant: every write goes through [`Library::write`], which owns the
//! transaction; the operation and its custody entry commit together or not at all.

use crate::clock::{format_ts, Clock};
use crate::custody::{self, CustodyEntry, NewEntry};
use crate::error::{Error, Result};
use crate::{db, vault};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DB_FILE: &str = "casefile.db";
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
    signer: Option<crate::keys::Signer>,
    /// Whether the head file agrees with the log, so each write may advance it.
    head_ok: bool,
    /// The seq of the last head written.
    head_seq: i64,
}

/// A custody entry as a record's history shows it: this library's own, or one received in a
/// bundle (the sender's entry, verbatim), with the key that delivered it and whether that key is
/// trusted for the case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub entry: CustodyEntry,
    pub received_from: Option<String>,
    pub received_trusted: Option<bool>,
}

/// The investigator using this installation; recorded as the actor of every custody entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryInfo {
    pub data_dir: PathBuf,
    pub schema_version: i64,
    pub profile: Option<Profile>,
    pub version: &'static str,
    /// The key that signs this installation's exports (confirm its fingerprint out of band).
    pub key: crate::keys::KeyInfo,
}

impl Library {
    /// Opens the library in `dir`, creating it if it does not exist. Refuses a directory another
    /// process has open, one it cannot write, and a database from a newer Casefile.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<Library> {
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
                Err(TryLockError::WouldBlock) => return Err(Error::LibraryLocked(dir.to_path_buf())),
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
        let _ = lock.set_len(0).and_then(|_| writeln!(lock, "{}", std::process::id()));
        // Only now, holding the lock, may leftovers of an earlier process be removed.
        let vault = vault::Vault::open(&dir.join(vault::VAULT_DIR)).map_err(unusable_err)?;
        crate::head::clean(dir);
        crate::bundle::clean_abandoned_exports(dir);
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
        if !crate::keys::exists(&lib.conn)? {
            lib.write_as(&crate::upgrade::actor(), crate::keys::create)?;
        }
        lib.signer = Some(lib.signer()?);
        crate::upgrade::run(&mut lib)?;
        lib.open_head()?;
        Ok(lib)
    }

    /// Compares the head file with the log on open: a head that names an earlier entry (a crash
    /// after a commit) is brought up to date; one that does not fit the log is left as it is,
    /// for the audit to report, and is not advanced.
    fn open_head(&mut self) -> Result<()> {
        match crate::audit::head_state(self)? {
            crate::head::HeadState::Mismatch(_) => self.head_ok = false,
            crate::head::HeadState::Current => self.head_ok = true,
            crate::head::HeadState::Behind { .. } => {
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
            .query_row("SELECT seq, hash FROM custody_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let (Some((seq, hash)), Some(signer)) = (last, &self.signer) {
            if seq != self.head_seq {
                crate::head::write(&self.dir, signer, seq, &hash)?;
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
        let previous = match crate::head::read(&self.dir) {
            Ok(Some(h)) => serde_json::json!({ "seq": h.seq, "hash": h.hash, "key": h.key }),
            Ok(None) => serde_json::json!("missing"),
            Err(why) => serde_json::json!(why),
        };
        let state = match crate::audit::head_state(self)? {
            crate::head::HeadState::Mismatch(m) => m,
            _ => return Err(Error::invalid("reason", "the head file agrees with the log; there is nothing to accept")),
        };
        self.write(|tx| {
            tx.log("accept_log_head", None, "log", "head", None, Some(serde_json::json!({ "reason": reason, "head_file": previous, "finding": state })))?;
            Ok(())
        })?;
        self.head_ok = true;
        self.head_seq = 0;
        self.advance_head()
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

    pub fn now(&self) -> String {
        format_ts(self.clock.now())
    }

    pub fn info(&self) -> Result<LibraryInfo> {
        Ok(LibraryInfo {
            data_dir: self.dir.clone(),
            schema_version: db::schema_version(),
            profile: self.profile()?,
            version: crate::VERSION,
            key: self.key_info()?,
        })
    }

    pub fn profile(&self) -> Result<Option<Profile>> {
        Ok(self
            .conn
            .query_row("SELECT name, organisation FROM profile WHERE id = 1", [], |r| {
                Ok(Profile { name: r.get(0)?, organisation: r.get(1)? })
            })
            .optional()?)
    }

    /// Sets the investigator profile used as the actor of custody entries from now on.
    pub fn set_profile(&mut self, name: &str, organisation: &str) -> Result<Profile> {
        let name = crate::validate::required_text("name", name, 200)?;
        let organisation = crate::validate::optional_text("organisation", organisation, 200)?;
        let p = Profile { name, organisation };
        self.write(|tx| {
            tx.conn().execute(
                "INSERT INTO profile (id, name, organisation, updated_at) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = ?1, organisation = ?2, updated_at = ?3",
                rusqlite::params![p.name, p.organisation, tx.now()],
            )?;
            tx.log("profile_set", None, "profile", "1", Some(custody::state_digest(&p)), None)?;
            Ok(())
        })?;
        self.actor = self.actor_from_profile()?;
        Ok(p)
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
    pub(crate) fn write_as<T>(&mut self, actor: &str, f: impl FnOnce(&WriteTx<'_>) -> Result<T>) -> Result<T> {
        let actor = actor.to_string();
        let now = format_ts(self.clock.now());
        let out = {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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

    /// Custody entries about one record, oldest first.
    pub fn history(&self, record_type: &str, id: &str) -> Result<Vec<CustodyEntry>> {
        self.ensure_known_record(record_type, id)?;
        custody::for_record(&self.conn, record_type, id)
    }

    /// `not_found` unless the custody log mentions the record or it exists, so that a mistyped
    /// id is not read as "no history".
    fn ensure_known_record(&self, record_type: &str, id: &str) -> Result<()> {
        let logged = self
            .conn
            .query_row(
                "SELECT 1 FROM custody_log WHERE record_type = ?1 AND record_id = ?2 LIMIT 1",
                rusqlite::params![record_type, id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if logged || crate::records::current_state(&self.conn, record_type, id)?.is_some() {
            return Ok(());
        }
        let kind = crate::records::table(record_type).map(|t| t.record_type).unwrap_or("record");
        Err(Error::NotFound { kind, id: id.to_string() })
    }

    /// Custody entries about one record and about the links that touch it, oldest first: the
    /// record's story as a person reads it, with the entries received in bundles (the sender's
    /// own log) among them, marked as received.
    pub fn history_with_links(&self, record_type: &str, id: &str) -> Result<Vec<HistoryEntry>> {
        self.history_entries(record_type, id, true)
    }

    /// A record's custody entries, its own and (marked) those received in bundles, oldest
    /// first; with `links`, also those of the links that touch it.
    pub fn history_entries(&self, record_type: &str, id: &str, links: bool) -> Result<Vec<HistoryEntry>> {
        self.ensure_known_record(record_type, id)?;
        let link_ids = "SELECT id FROM links WHERE from_id = ?2 OR to_id = ?2";
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM custody_log WHERE (record_type = ?1 AND record_id = ?2)
                OR (?3 AND record_type = 'link' AND record_id IN ({link_ids}))
             ORDER BY seq"
        ))?;
        let local: Vec<CustodyEntry> = stmt.query_map(rusqlite::params![record_type, id, links], custody::from_row)?.collect::<rusqlite::Result<_>>()?;
        let known: std::collections::HashSet<String> = local.iter().map(|e| e.hash.clone()).collect();
        let mut out: Vec<HistoryEntry> = local.into_iter().map(|entry| HistoryEntry { entry, received_from: None, received_trusted: None }).collect();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT i.origin, i.entry, EXISTS (SELECT 1 FROM case_keys k WHERE k.case_id = i.case_id AND k.fingerprint = i.origin AND k.revoked_at IS NULL)
             FROM imported_custody i WHERE (i.record_type = ?1 AND i.record_id = ?2)
                OR (?3 AND i.record_type = 'link' AND i.record_id IN ({link_ids}))"
        ))?;
        let rows = stmt.query_map(rusqlite::params![record_type, id, links], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)))?;
        for row in rows {
            let (origin, text, trusted) = row?;
            let Ok(entry) = serde_json::from_str::<CustodyEntry>(&text) else { continue };
            if known.contains(&entry.hash) || out.iter().any(|h| h.entry.hash == entry.hash) {
                continue;
            }
            out.push(HistoryEntry { entry, received_from: Some(origin), received_trusted: Some(trusted) });
        }
        out.sort_by(|a, b| a.entry.at.cmp(&b.entry.at).then(a.received_from.is_some().cmp(&b.received_from.is_some())).then(a.entry.seq.cmp(&b.entry.seq)));
        Ok(out)
    }

    /// The profile of this case's last export, if it was exported.
    pub fn last_export_profile(&self, case_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT json_extract(detail, '$.profile') FROM custody_log WHERE case_id = ?1 AND action = 'export' ORDER BY seq DESC LIMIT 1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}

/// A write transaction in progress, with the time and actor every custody entry it appends uses.
pub struct WriteTx<'a> {
    tx: rusqlite::Transaction<'a>,
    now: String,
    actor: String,
}

impl WriteTx<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn now(&self) -> &str {
        &self.now
    }

    /// Who is making this change, as recorded in the custody log.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Appends the custody entry for a change made in this transaction.
    pub fn log(
        &self,
        action: &str,
        case_id: Option<&str>,
        record_type: &str,
        record_id: &str,
        digest: Option<String>,
        detail: Option<serde_json::Value>,
    ) -> Result<CustodyEntry> {
        self.append(action, case_id, record_type, record_id, digest, detail)
    }

    /// Appends the custody entry for a change to a stored record, with the digest of its row as
    /// it now stands in this transaction.
    pub fn log_row(
        &self,
        action: &str,
        case_id: &str,
        table: &crate::store::Table,
        id: &str,
        detail: Option<serde_json::Value>,
    ) -> Result<CustodyEntry> {
        let (_, digest) = crate::store::row_digest(&self.tx, table, id)?
            .ok_or_else(|| Error::NotFound { kind: table.record_type, id: id.to_string() })?;
        self.append(action, Some(case_id), table.record_type, id, Some(digest), detail)
    }

    fn append(
        &self,
        action: &str,
        case_id: Option<&str>,
        record_type: &str,
        record_id: &str,
        digest: Option<String>,
        detail: Option<serde_json::Value>,
    ) -> Result<CustodyEntry> {
        custody::append(
            &self.tx,
            NewEntry {
                at: &self.now,
                actor: &self.actor,
                action,
                case_id,
                record_type,
                record_id,
                digest,
                detail,
            },
        )
    }
}
