//! The hash-chained custody log: who did what to which record, when, and the digest of what the
//! record became.
//!
//! Architecture invariant: an entry is appended by the same transaction that makes the change it
//! records ([`crate::store::library::WriteTx::log`]), so a change without its entry, or an entry without
//! its change, cannot be committed. Triggers make the table append-only through SQL.
//!
//! Each entry's `hash` is SHA-256 over the canonical JSON of its fields including `prev_hash`,
//! the previous entry's hash (64 zeros for the first), so editing or removing any entry breaks
//! every later link.

use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustodyEntry {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<String>,
    pub record_type: String,
    pub record_id: String,
    /// SHA-256 of the record's canonical state after the action.
    pub digest: Option<String>,
    /// Free-form JSON detail (e.g. a deletion reason).
    pub detail: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
    /// Position in the case's own chain (entries about one case), when the entry has a case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_seq: Option<i64>,
    /// Hash of the previous entry about the same case (64 zeros for the case's first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_prev_hash: Option<String>,
}

/// The part of an entry that its hash covers. Fields added later are left out when absent, so
/// entries written before they existed keep their hashes.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: i64,
    id: &'a str,
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    case_id: Option<&'a str>,
    record_type: &'a str,
    record_id: &'a str,
    digest: Option<&'a str>,
    detail: Option<&'a serde_json::Value>,
    prev_hash: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_seq: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_prev_hash: Option<&'a str>,
}

impl CustodyEntry {
    pub fn compute_hash(&self) -> String {
        let h = Hashed {
            seq: self.seq,
            id: &self.id,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            case_id: self.case_id.as_deref(),
            record_type: &self.record_type,
            record_id: &self.record_id,
            digest: self.digest.as_deref(),
            detail: self.detail.as_ref(),
            prev_hash: &self.prev_hash,
            case_seq: self.case_seq,
            case_prev_hash: self.case_prev_hash.as_deref(),
        };
        sha256_hex(&canonical_json(&h))
    }
}

/// Serialises a value as JSON with object keys sorted, so equal states digest equally.
pub fn canonical_json<T: Serialize>(v: &T) -> Vec<u8> {
    // serde_json's Value keeps maps in a BTreeMap (sorted) unless `preserve_order` is enabled,
    // which this workspace does not do.
    let value = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
    serde_json::to_vec(&value).unwrap_or_default()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Digest of a record's state, as stored in its custody entries.
pub fn state_digest<T: Serialize>(state: &T) -> String {
    sha256_hex(&canonical_json(state))
}

pub(crate) struct NewEntry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub case_id: Option<&'a str>,
    pub record_type: &'a str,
    pub record_id: &'a str,
    pub digest: Option<String>,
    pub detail: Option<serde_json::Value>,
}

/// Appends an entry on `conn` (which must be inside the caller's transaction).
pub(crate) fn append(conn: &Connection, e: NewEntry<'_>) -> Result<CustodyEntry> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM custody_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let (case_seq, case_prev_hash) = match e.case_id {
        None => (None, None),
        Some(c) => {
            let last: Option<(i64, String)> = conn
                .query_row(
                    "SELECT case_seq, hash FROM custody_log WHERE case_id = ?1 AND case_seq IS NOT NULL ORDER BY case_seq DESC LIMIT 1",
                    [c],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match last {
                Some((s, h)) => (Some(s + 1), Some(h)),
                None => (Some(1), Some(GENESIS.to_string())),
            }
        }
    };
    let mut entry = CustodyEntry {
        seq,
        id: crate::new_id(),
        at: e.at.to_string(),
        actor: e.actor.to_string(),
        action: e.action.to_string(),
        case_id: e.case_id.map(str::to_string),
        record_type: e.record_type.to_string(),
        record_id: e.record_id.to_string(),
        digest: e.digest,
        detail: e.detail,
        prev_hash,
        hash: String::new(),
        case_seq,
        case_prev_hash,
    };
    entry.hash = entry.compute_hash();
    conn.execute(
        "INSERT INTO custody_log (seq, id, at, actor, action, case_id, record_type, record_id,
                                  digest, detail, prev_hash, hash, case_seq, case_prev_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            entry.seq,
            entry.id,
            entry.at,
            entry.actor,
            entry.action,
            entry.case_id,
            entry.record_type,
            entry.record_id,
            entry.digest,
            entry.detail.as_ref().map(|d| d.to_string()),
            entry.prev_hash,
            entry.hash,
            entry.case_seq,
            entry.case_prev_hash
        ],
    )?;
    Ok(entry)
}

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CustodyEntry> {
    let detail: Option<String> = r.get("detail")?;
    Ok(CustodyEntry {
        seq: r.get("seq")?,
        id: r.get("id")?,
        at: r.get("at")?,
        actor: r.get("actor")?,
        action: r.get("action")?,
        case_id: r.get("case_id")?,
        record_type: r.get("record_type")?,
        record_id: r.get("record_id")?,
        digest: r.get("digest")?,
        detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
        prev_hash: r.get("prev_hash")?,
        hash: r.get("hash")?,
        case_seq: r.get("case_seq")?,
        case_prev_hash: r.get("case_prev_hash")?,
    })
}

/// Entries touching one record, oldest first.
pub(crate) fn for_record(
    conn: &Connection,
    record_type: &str,
    id: &str,
) -> Result<Vec<CustodyEntry>> {
    let mut stmt = conn.prepare(
        "SELECT * FROM custody_log WHERE record_type = ?1 AND record_id = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![record_type, id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One problem found by [`verify_chain`].
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainProblem {
    pub seq: i64,
    pub message: String,
}

/// Walks the whole log in order, recomputing every hash and link. Streams; constant memory.
pub(crate) fn verify_chain(conn: &Connection) -> Result<(u64, Option<ChainProblem>)> {
    let mut stmt = conn.prepare("SELECT * FROM custody_log ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        let e = from_row(row)
            .map_err(|err| Error::CustodyBroken(format!("unreadable entry: {err}")))?;
        count += 1;
        if e.seq != expected_seq {
            return Ok((
                count,
                Some(ChainProblem {
                    seq: e.seq,
                    message: format!(
                        "entry {} follows entry {}: entries are missing",
                        e.seq,
                        expected_seq - 1
                    ),
                }),
            ));
        }
        if e.prev_hash != prev {
            return Ok((
                count,
                Some(ChainProblem {
                    seq: e.seq,
                    message: format!(
                        "entry {} does not link to the entry before it (prev_hash differs)",
                        e.seq
                    ),
                }),
            ));
        }
        let h = e.compute_hash();
        if h != e.hash {
            return Ok((
                count,
                Some(ChainProblem {
                    seq: e.seq,
                    message: format!(
                        "entry {} ({} {} {}) was altered: its content no longer matches its hash",
                        e.seq, e.action, e.record_type, e.record_id
                    ),
                }),
            ));
        }
        prev = e.hash;
        expected_seq += 1;
    }
    Ok((count, None))
}

/// Checks one case's entries (as exported) one at a time, in order: every hash, and the case
/// chain from its first entry without a gap. Holds only the previous entry's hash.
pub struct CaseChain {
    prev: String,
    count: i64,
}

impl Default for CaseChain {
    fn default() -> Self {
        CaseChain {
            prev: GENESIS.to_string(),
            count: 0,
        }
    }
}

impl CaseChain {
    /// Checks the next entry; the first problem found is returned (later entries are not
    /// meaningful after it).
    pub fn check(&mut self, e: &CustodyEntry) -> Option<ChainProblem> {
        self.count += 1;
        let expected = self.count;
        if e.compute_hash() != e.hash {
            return Some(ChainProblem { seq: expected, message: format!("custody entry {expected} ({} {} {}) was altered: its content no longer matches its hash", e.action, e.record_type, e.record_id) });
        }
        if e.case_seq != Some(expected) {
            return Some(ChainProblem {
                seq: expected,
                message: format!(
                    "custody entry {expected} is missing or out of order (found case entry {:?})",
                    e.case_seq
                ),
            });
        }
        if e.case_prev_hash.as_deref() != Some(self.prev.as_str()) {
            return Some(ChainProblem {
                seq: expected,
                message: format!("custody entry {expected} does not link to the entry before it"),
            });
        }
        self.prev = e.hash.clone();
        None
    }
}

/// Checks a sequence of one case's entries (as exported). Returns the first problem.
pub fn verify_case_chain(entries: &[CustodyEntry]) -> Option<ChainProblem> {
    let mut chain = CaseChain::default();
    entries.iter().find_map(|e| chain.check(e))
}
