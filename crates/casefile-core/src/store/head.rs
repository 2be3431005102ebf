//! The custody log's head, kept outside the database: `casefile.head` holds the sequence number
//! and hash of the last entry, signed with the installation's key, rewritten after every write.
//!
//! The hash chain shows an entry that was altered or removed from the middle of the log, but
//! not entries cut from its end (a deleted `reveal` entry, say), nor a database swapped for an
//! older copy: what is left is still a valid chain. The head file is a second witness the
//! database alone does not hold: `audit verify` compares the two. It is a tripwire, not a seal:
//! someone who holds the whole library (and so the key) can rewrite both; the timestamped
//! checkpoints of a later issue anchor the head outside the laptop.
//!
//! The head only moves forward along the chain. When the file does not describe an entry of the
//! log as it stands (entries removed, the log rewritten, the key replaced), Casefile stops
//! advancing it, so the mismatch stays visible until a person accepts the log as it is
//! ([`crate::Library::accept_log_head`]), which is itself a custody entry.

use crate::error::{Error, Result};
use base64::Engine;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::Path;

pub const HEAD_FILE: &str = "casefile.head";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    /// Fingerprint of the key that signed it.
    pub key: String,
    /// Base64 Ed25519 signature of [`message`].
    pub signature: String,
}

fn message(seq: i64, hash: &str) -> Vec<u8> {
    format!("casefile-custody-head-v1\n{seq}\n{hash}\n").into_bytes()
}

/// Writes the head: a temp file, fsynced, renamed over the old one. The folder is not synced:
/// if a power cut loses the rename, the old head names an earlier entry of the log, which is
/// read as a crash (brought up to date on open), never as tampering; a head file that is
/// half-written could be, hence the fsync of its content.
pub(crate) fn write(
    dir: &Path,
    signer: &crate::store::keys::Signer,
    seq: i64,
    hash: &str,
) -> Result<()> {
    let (sig, _) = signer.sign(&message(seq, hash));
    let head = Head {
        seq,
        hash: hash.to_string(),
        key: signer.fingerprint(),
        signature: base64::engine::general_purpose::STANDARD.encode(sig),
    };
    let text = serde_json::to_vec_pretty(&head).map_err(|e| Error::Corrupt(e.to_string()))?;
    let tmp = dir.join(format!("{HEAD_FILE}.tmp"));
    let mut f = crate::fsutil::private_file(&tmp)?;
    f.write_all(&text)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    let dest = dir.join(HEAD_FILE);
    fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))
}

/// What the head file says: `Ok(None)` if there is none, `Err(why)` if it cannot be read.
pub(crate) fn read(dir: &Path) -> std::result::Result<Option<Head>, String> {
    let p = dir.join(HEAD_FILE);
    let meta = match fs::symlink_metadata(&p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("the head file cannot be read: {e}")),
    };
    if !meta.is_file() || meta.len() > 4096 {
        return Err("the head file is not a small regular file".into());
    }
    let bytes = fs::read(&p).map_err(|e| format!("the head file cannot be read: {e}"))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| format!("the head file is malformed: {e}"))
}

/// Whether `head` was signed by `public` (the library's key).
pub(crate) fn signed_by(head: &Head, public: &[u8; 32]) -> bool {
    let sig: Option<[u8; 64]> = base64::engine::general_purpose::STANDARD
        .decode(&head.signature)
        .ok()
        .and_then(|v| v.try_into().ok());
    sig.is_some_and(|s| {
        crate::store::keys::verify_signature(public, &message(head.seq, &head.hash), &s)
    })
}

/// Removes a leftover temp file of an interrupted write.
pub(crate) fn clean(dir: &Path) {
    let _ = fs::remove_file(dir.join(format!("{HEAD_FILE}.tmp")));
}

/// How the head file stands against the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadState {
    /// It names the log's last entry.
    Current,
    /// It names an earlier entry of the log (a crash between a commit and the head's update).
    Behind { head_seq: i64, log_seq: i64 },
    /// Something is wrong; the message says what.
    Mismatch(String),
}

/// Compares the head file with the log (`last`: the last entry's seq and hash; `hash_at`: the
/// hash of the entry at a seq).
pub(crate) fn assess(
    head: std::result::Result<Option<Head>, String>,
    public: &[u8; 32],
    last: Option<(i64, String)>,
    hash_at: &dyn Fn(i64) -> Result<Option<String>>,
) -> Result<HeadState> {
    let (log_seq, _) = last.clone().unwrap_or((0, String::new()));
    let head = match head {
        Err(why) => return Ok(HeadState::Mismatch(why)),
        Ok(None) if log_seq == 0 => return Ok(HeadState::Current),
        Ok(None) => {
            return Ok(HeadState::Mismatch(format!(
                "the head file {HEAD_FILE} is missing, though the log holds {log_seq} entries: it was deleted, or the library copied without it"
            )))
        }
        Ok(Some(h)) => h,
    };
    if !signed_by(&head, public) {
        return Ok(HeadState::Mismatch(
            "the head file was not signed by this library's key: the installation key was replaced, or the file forged".into(),
        ));
    }
    if head.seq > log_seq {
        return Ok(HeadState::Mismatch(format!(
            "the log ends at entry {log_seq}, but entry {} was recorded in the head file: {} entries were removed from its end (or the database was replaced by an older copy)",
            head.seq,
            head.seq - log_seq
        )));
    }
    match hash_at(head.seq)? {
        Some(h) if h == head.hash => {}
        _ => {
            return Ok(HeadState::Mismatch(format!(
                "entry {} of the log is not the one the head file recorded: the log was rewritten from there",
                head.seq
            )))
        }
    }
    Ok(if head.seq == log_seq {
        HeadState::Current
    } else {
        HeadState::Behind {
            head_seq: head.seq,
            log_seq,
        }
    })
}

/// How the head file stands against the log now.
pub(crate) fn state(conn: &rusqlite::Connection, dir: &Path) -> Result<HeadState> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM custody_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let public = crate::store::keys::public_key(conn)?;
    let hash_at = |seq: i64| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT hash FROM custody_log WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()?)
    };
    assess(read(dir), &public, last, &hash_at)
}
