//! A library: a data directory holding `casefile.db` and `vault/`, opened by one process at a
//! time.
//!
//! Architecture invariant: every write goes through [`Library::write`], which owns the
//! transaction; the operation and its custody entry commit together or not at all.

use crate::clock::{format_ts, Clock};
use crate::error::{Error, Result};
use crate::store::crypt::{LibraryKeys, MasterKey};
pub use crate::store::keyslots::KdfParams as Kdf;
use crate::store::keyslots::{self, KdfParams, SlotInfo};
pub use crate::store::tx::WriteTx;
use crate::store::{db, encrypt, vault};
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

/// What a library folder holds, as far as can be told without its passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LibraryState {
    /// No library yet: opening makes a new, encrypted one.
    Missing,
    /// A library from before encryption: it opens without a passphrase and should be encrypted.
    Plaintext,
    /// An encrypted library: it opens with a passphrase.
    Encrypted,
    /// An encrypted library whose passphrase slots were destroyed: only the organisation
    /// recovery key opens it.
    KeysDestroyed,
}

/// How a library is opened.
pub enum Access<'a> {
    /// Makes a new encrypted library, with one passphrase slot.
    Create { passphrase: &'a str, kdf: KdfParams },
    /// Unlocks an encrypted library.
    Passphrase(&'a str),
    /// Unlocks an encrypted library with the organisation's age identity file (its text), and
    /// adds a passphrase slot for `new_passphrase`.
    Recovery {
        identity: &'a [u8],
        new_passphrase: &'a str,
        kdf: KdfParams,
    },
    /// Opens a library from before encryption.
    Plaintext,
    /// The master key already in hand (just after encrypting in place).
    Master(MasterKey),
}

/// An encrypted library's key slots, as `library status` shows them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EncryptionStatus {
    pub state: LibraryState,
    pub slots: Vec<SlotInfo>,
    /// The slot the open library was unlocked with, if it is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unlocked_with: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys_destroyed_at: Option<String>,
}

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
    /// The master key of an encrypted library (to wrap new key slots); wiped on drop.
    master: Option<MasterKey>,
    keys: Option<Arc<LibraryKeys>>,
    /// The key slot it was unlocked with.
    slot: Option<u32>,
}

impl Library {
    /// Opens the storage of the library in `dir` (see `crate::open` for the whole opening):
    /// creates it if need be, takes the lock, opens the vault and the database, and makes the
    /// installation key on first use. Refuses a directory another process has open, one it
    /// cannot write, and a database from a newer Casefile.
    pub(crate) fn open_store(
        dir: &Path,
        clock: Arc<dyn Clock>,
        access: Access<'_>,
    ) -> Result<Library> {
        let state = Library::state(dir);
        // Everything that can fail for a wrong passphrase is done before any file is touched.
        let mut new_slots: Option<keyslots::KeysFile> = None;
        let (master, slot) = match (access, state) {
            (Access::Create { passphrase, kdf }, LibraryState::Missing) => {
                let master = MasterKey::generate()?;
                let mut k = keyslots::KeysFile::new();
                let slot = k.add_passphrase(&master, passphrase, kdf)?;
                new_slots = Some(k);
                (Some(master), Some(slot))
            }
            (Access::Create { .. }, _) => {
                return Err(Error::invalid(
                    "path",
                    format!("there is already a library in {}", dir.display()),
                ))
            }
            (_, LibraryState::Missing) => return Err(Error::NoLibrary(dir.to_path_buf())),
            (Access::Plaintext, LibraryState::Plaintext) => (None, None),
            (Access::Plaintext, _) => return Err(Error::PassphraseRequired),
            (_, LibraryState::Plaintext) => {
                return Err(Error::invalid(
                    "passphrase",
                    "this library is not encrypted yet (encrypt it first)",
                ))
            }
            (Access::Passphrase(p), _) => {
                let (m, slot) = encrypt::load_slots(dir)?.unlock(p)?;
                (Some(m), Some(slot))
            }
            (
                Access::Recovery {
                    identity,
                    new_passphrase,
                    kdf,
                },
                _,
            ) => {
                let mut k = encrypt::load_slots(dir)?;
                let m = k.recover(identity)?;
                let slot = k.add_passphrase(&m, new_passphrase, kdf)?;
                new_slots = Some(k);
                (Some(m), Some(slot))
            }
            (Access::Master(m), _) => (Some(m), None),
        };
        let keys = match &master {
            Some(m) => Some(Arc::new(m.library_keys()?)),
            None => None,
        };
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
        // Only now, holding the lock, may leftovers of an earlier process be removed, and an
        // interrupted encryption or key change be finished.
        if keys.is_some() {
            encrypt::settle(dir)?;
            keyslots::settle(dir)?;
        } else {
            encrypt::abandon(dir)?;
        }
        if let Some(k) = &new_slots {
            keyslots::store(dir, k)?;
        }
        let vault =
            vault::Vault::open(&dir.join(vault::VAULT_DIR), keys.clone()).map_err(unusable_err)?;
        crate::store::head::clean(dir);
        let conn = db::open_connection(&dir.join(DB_FILE), keys.as_deref())?;
        for f in [
            DB_FILE,
            "casefile.db-wal",
            "casefile.db-shm",
            keyslots::KEYS_FILE,
        ] {
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
            master,
            keys,
            slot,
        };
        lib.actor = lib.actor_from_profile()?;
        tracing::info!(
            schema = db::schema_version(),
            encrypted = lib.keys.is_some(),
            slot = lib.slot,
            "library opened"
        );
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

    /// What the library folder `dir` holds (see [`LibraryState`]); reads, changes nothing.
    pub fn state(dir: &Path) -> LibraryState {
        if encrypt::committed(dir) {
            return LibraryState::Encrypted;
        }
        if keyslots::present(dir) {
            return match keyslots::load(dir) {
                Ok(k) if k.slots().iter().all(|s| s.kind != "passphrase") => {
                    LibraryState::KeysDestroyed
                }
                _ => LibraryState::Encrypted,
            };
        }
        let db = dir.join(DB_FILE);
        match std::fs::metadata(&db) {
            Ok(m) if m.len() > 0 && db::is_plaintext(&db) => LibraryState::Plaintext,
            Ok(m) if m.len() > 0 => LibraryState::Encrypted,
            _ => LibraryState::Missing,
        }
    }

    /// The key slots of the library in `dir`, readable without its passphrase (nothing in them
    /// is secret).
    pub fn encryption_status(dir: &Path) -> Result<EncryptionStatus> {
        let state = Library::state(dir);
        let (slots, destroyed) = match state {
            LibraryState::Encrypted | LibraryState::KeysDestroyed => {
                let k = encrypt::load_slots(dir)?;
                (k.slots(), k.destroyed_at().map(str::to_string))
            }
            _ => (Vec::new(), None),
        };
        Ok(EncryptionStatus {
            state,
            slots,
            unlocked_with: None,
            keys_destroyed_at: destroyed,
        })
    }

    /// This open library's key slots and the slot it was unlocked with.
    pub fn key_status(&self) -> Result<EncryptionStatus> {
        let mut s = Library::encryption_status(&self.dir)?;
        s.unlocked_with = self.slot;
        Ok(s)
    }

    /// The vault identity (age's `AGE-SECRET-KEY-1…` text) of an encrypted library: with it,
    /// independent tools (`age -d -i FILE`) decrypt any vault file. For recovery only; it is as
    /// secret as the passphrase.
    pub fn vault_identity(&self) -> Option<zeroize::Zeroizing<String>> {
        self.keys.as_ref().map(|k| k.vault_identity_text())
    }

    /// Whether this library is encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.keys.is_some()
    }

    fn master(&self) -> Result<&MasterKey> {
        self.master.as_ref().ok_or_else(|| {
            Error::invalid(
                "passphrase",
                "this library is not encrypted yet (encrypt it first)",
            )
        })
    }

    /// Changes the key slots (holding the master key) and records the change in custody.
    fn change_slots(
        &mut self,
        action: &str,
        f: impl FnOnce(&mut keyslots::KeysFile, &MasterKey) -> Result<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        let mut k = keyslots::load(&self.dir)?;
        let detail = f(&mut k, self.master()?)?;
        keyslots::store(&self.dir, &k)?;
        let d = detail.clone();
        self.write(|tx| {
            tx.log(action, None, "library", "keys", None, Some(d))?;
            Ok(())
        })?;
        tracing::info!(action, "key slots changed");
        Ok(detail)
    }

    /// Adds a passphrase (another investigator's, say); returns its slot number.
    pub fn add_passphrase(&mut self, passphrase: &str, kdf: KdfParams) -> Result<u32> {
        let d = self.change_slots("key_slot_added", |k, m| {
            Ok(serde_json::json!({ "slot": k.add_passphrase(m, passphrase, kdf)? }))
        })?;
        Ok(d["slot"].as_u64().unwrap_or(0) as u32)
    }

    /// Replaces the passphrase this library was unlocked with; returns the new slot number.
    pub fn change_passphrase(&mut self, passphrase: &str, kdf: KdfParams) -> Result<u32> {
        let old = self.slot.ok_or_else(|| {
            Error::invalid(
                "passphrase",
                "this library was not unlocked with a passphrase",
            )
        })?;
        let d = self.change_slots("passphrase_changed", |k, m| {
            let slot = k.add_passphrase(m, passphrase, kdf)?;
            k.remove(old)?;
            Ok(serde_json::json!({ "slot": slot, "replaced": old }))
        })?;
        let slot = d["slot"].as_u64().unwrap_or(0) as u32;
        self.slot = Some(slot);
        Ok(slot)
    }

    /// Removes a key slot (never the last passphrase).
    pub fn remove_key_slot(&mut self, slot: u32) -> Result<()> {
        self.change_slots("key_slot_removed", |k, _| {
            k.remove(slot)?;
            Ok(serde_json::json!({ "slot": slot }))
        })?;
        if self.slot == Some(slot) {
            self.slot = None;
        }
        Ok(())
    }

    /// Sets the organisation recovery key (an age X25519 public key, `age1…`).
    pub fn set_recovery_key(&mut self, recipient: &str) -> Result<u32> {
        let d = self.change_slots("recovery_key_set", |k, m| {
            let slot = k.set_recovery(m, recipient)?;
            Ok(serde_json::json!({ "slot": slot, "recipient": recipient.trim() }))
        })?;
        Ok(d["slot"].as_u64().unwrap_or(0) as u32)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn vault(&self) -> &vault::Vault {
        &self.vault
    }

    /// Takes the library apart, for encrypting it in place: its folder, clock, connection and
    /// the locks (held until dropped).
    pub(crate) fn into_parts(self) -> (PathBuf, Arc<dyn Clock>, Connection, Vec<File>) {
        let mut locks = vec![self._lock];
        locks.extend(self._dir_lock);
        (self.dir, self.clock, self.conn, locks)
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
