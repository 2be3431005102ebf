//! Who may change a case: its origin (the installation that created it) and the keys its holder
//! has trusted for it. Each decision is a record (`case_keys`) with its own custody entry, so the
//! log says who trusted which key, when and why.
//!
//! A bundle signed by a key that is not trusted for a case this library already holds changes
//! nothing by itself: every record it would add or change is kept as a conflict for a person to
//! decide (see `bundle/import.rs`). A case met for the first time trusts the key that brought it,
//! and records as its origin the key the bundle names (the signer vouches for it).

use crate::error::{Error, Result};
use crate::records::CASE_KEYS;
use crate::store;
use crate::store::library::{Library, WriteTx};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// A key's standing in one case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CaseKey {
    pub id: String,
    pub case_id: String,
    /// SHA-256 of the Ed25519 public key, hex in groups of four.
    pub fingerprint: String,
    /// "origin" (the installation that created the case) or "trusted".
    pub role: String,
    pub reason: String,
    pub created_at: String,
    pub updated_at: String,
    pub revoked_at: Option<String>,
}

/// Where a case came from and what reached it since.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub case_id: String,
    /// This installation's key, for comparison.
    pub own_key: String,
    pub origin: Option<CaseKey>,
    /// Every key decision, origin included, oldest first.
    pub keys: Vec<CaseKey>,
    /// Every bundle received into this case that changed something, oldest first.
    pub received: Vec<ReceivedBundle>,
}

/// One bundle received into a case, as its import entry recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedBundle {
    pub received_at: String,
    pub received_by: String,
    /// SHA-256 of the bundle's tag manifest.
    pub bundle: String,
    pub signed_by: String,
    /// Whether the key was trusted for the case (unknown for imports before Casefile 0.2).
    pub trusted: Option<bool>,
    pub profile: Option<String>,
    pub exported_at: Option<String>,
    pub sender: Option<String>,
    pub counts: serde_json::Value,
}

/// A signer's standing for a case, as an import would treat it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The library does not hold the case: importing creates it and trusts this key for it.
    NewCase,
    /// The key is the case's origin or trusted for it: its changes are merged.
    Trusted,
    /// The key is not trusted for a case this library holds: its changes become conflicts.
    Untrusted,
}

/// Writes a fingerprint the one way it is stored: lower-case hex in groups of four. Accepts it
/// with or without spaces.
pub fn normalize_fingerprint(s: &str) -> Result<String> {
    let hex: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            "fingerprint",
            format!("\"{s}\" is not a key fingerprint (64 hex digits)"),
        ));
    }
    Ok(hex
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" "))
}

fn load(conn: &Connection, case_id: &str, fingerprint: &str) -> Result<Option<CaseKey>> {
    Ok(store::list::<CaseKey>(
        conn,
        &CASE_KEYS,
        "case_id = ?1 AND fingerprint = ?2",
        &[&case_id, &fingerprint],
        "created_at",
    )?
    .pop())
}

/// Whether `fingerprint` may change `case_id` (its origin, or trusted and not revoked).
pub(crate) fn is_trusted(conn: &Connection, case_id: &str, fingerprint: &str) -> Result<bool> {
    Ok(load(conn, case_id, fingerprint)?.is_some_and(|k| k.revoked_at.is_none()))
}

/// Records a key's standing in a case (or brings a revoked key back), with its custody entry.
pub(crate) fn add(
    tx: &WriteTx<'_>,
    case_id: &str,
    fingerprint: &str,
    role: &str,
    reason: &str,
) -> Result<CaseKey> {
    let fingerprint = normalize_fingerprint(fingerprint)?;
    let reason = crate::validate::optional_text("reason", reason, 500)?;
    match load(tx.conn(), case_id, &fingerprint)? {
        Some(k) if k.revoked_at.is_none() => Ok(k),
        Some(mut k) => {
            k.revoked_at = None;
            k.reason = reason;
            k.updated_at = tx.now().to_string();
            let detail = serde_json::json!({ "fingerprint": k.fingerprint, "role": k.role });
            crate::records::update_logged(tx, &CASE_KEYS, case_id, &k.id, &k, "trust_key", |_| {
                Ok(Some(detail))
            })?;
            Ok(k)
        }
        None => {
            let k = CaseKey {
                id: crate::new_id(),
                case_id: case_id.to_string(),
                fingerprint,
                role: role.to_string(),
                reason,
                created_at: tx.now().to_string(),
                updated_at: tx.now().to_string(),
                revoked_at: None,
            };
            let detail = serde_json::json!({ "fingerprint": k.fingerprint, "role": k.role });
            let action = if role == "origin" {
                "origin_key"
            } else {
                "trust_key"
            };
            crate::records::insert_logged(tx, &CASE_KEYS, case_id, &k.id, &k, action, |_| {
                Ok(Some(detail))
            })?;
            Ok(k)
        }
    }
}

/// The case's origin key, if recorded.
pub(crate) fn origin(conn: &Connection, case_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT fingerprint FROM case_keys WHERE case_id = ?1 AND role = 'origin'",
            [case_id],
            |r| r.get(0),
        )
        .optional()?)
}

pub(crate) fn standing(conn: &Connection, case_id: &str, fingerprint: &str) -> Result<Standing> {
    let exists: Option<i64> = conn
        .query_row("SELECT 1 FROM cases WHERE id = ?1", [case_id], |r| r.get(0))
        .optional()?;
    Ok(match exists {
        None => Standing::NewCase,
        Some(_) if is_trusted(conn, case_id, fingerprint)? => Standing::Trusted,
        Some(_) => Standing::Untrusted,
    })
}

impl Library {
    /// How an import of a bundle of `case_id` signed by `fingerprint` would be treated.
    pub fn standing(&self, case_id: &str, fingerprint: &str) -> Result<Standing> {
        standing(self.conn(), case_id, &normalize_fingerprint(fingerprint)?)
    }

    /// Trusts a key to change a case: its bundles are merged from now on. A custody entry
    /// records the decision and the reason.
    pub fn trust_key(&mut self, case_id: &str, fingerprint: &str, reason: &str) -> Result<CaseKey> {
        crate::records::ensure_live_case(self.conn(), case_id)?;
        self.write(|tx| add(tx, case_id, fingerprint, "trusted", reason))
    }

    /// Stops trusting a key for a case (its later bundles become conflicts). The origin key can
    /// be revoked too, for a case whose origin laptop was lost.
    pub fn revoke_key(
        &mut self,
        case_id: &str,
        fingerprint: &str,
        reason: &str,
    ) -> Result<CaseKey> {
        let fingerprint = normalize_fingerprint(fingerprint)?;
        let reason = crate::validate::required_text("reason", reason, 500)?;
        self.write(|tx| {
            let mut k = load(tx.conn(), case_id, &fingerprint)?
                .filter(|k| k.revoked_at.is_none())
                .ok_or_else(|| Error::NotFound {
                    kind: "trusted key",
                    id: fingerprint.clone(),
                })?;
            k.revoked_at = Some(tx.now().to_string());
            k.updated_at = tx.now().to_string();
            k.reason = reason.clone();
            let detail = serde_json::json!({ "fingerprint": k.fingerprint, "reason": reason });
            crate::records::update_logged(
                tx,
                &CASE_KEYS,
                case_id,
                &k.id,
                &k,
                "revoke_key",
                |_| Ok(Some(detail)),
            )?;
            Ok(k)
        })
    }

    /// The case's origin, its key decisions and every bundle received into it.
    pub fn provenance(&self, case_id: &str) -> Result<Provenance> {
        crate::records::case_of(self.conn(), &crate::records::CASES, case_id)?;
        let keys: Vec<CaseKey> = store::list(
            self.conn(),
            &CASE_KEYS,
            "case_id = ?1",
            &[&case_id],
            "created_at, rowid",
        )?;
        let origin = keys.iter().find(|k| k.role == "origin").cloned();
        let mut stmt = self.conn().prepare(
            "SELECT at, actor, detail FROM custody_log WHERE case_id = ?1 AND action = 'import_bundle' ORDER BY case_seq",
        )?;
        let rows = stmt.query_map([case_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut received = Vec::new();
        for row in rows {
            let (at, actor, detail) = row?;
            let d: serde_json::Value = detail
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default();
            let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(String::from);
            received.push(ReceivedBundle {
                received_at: at,
                received_by: actor,
                bundle: text("bundle").unwrap_or_default(),
                signed_by: text("from").unwrap_or_default(),
                trusted: d.get("trusted").and_then(|v| v.as_bool()),
                profile: text("profile"),
                exported_at: text("exported_at"),
                sender: text("sender"),
                counts: d.get("counts").cloned().unwrap_or_default(),
            });
        }
        Ok(Provenance {
            case_id: case_id.to_string(),
            own_key: self.key_info()?.fingerprint,
            origin,
            keys,
            received,
        })
    }
}
