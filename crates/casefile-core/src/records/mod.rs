//! The records layer: one module per record type (its rules and queries), and what every record
//! type shares: loading its current state for the audit, the one create and edit path, soft
//! deletion and restoring, and naming the fields an edit changed.
//!
//! Layer rule (checked by `tests/tidy.rs`): records import the leaves and `store` only, never
//! `audit`, `search`, `bundle` or `upgrade`.

pub mod acts;
pub mod cases;
pub mod evidence;
pub mod history;
pub mod incidents;
pub mod links;
pub mod lookalike;
pub mod persons;
pub mod profile;
pub mod statements;
pub mod trust;
pub mod units;
pub mod vocab;

pub use crate::store::tables::*;

use crate::error::{Error, Result};
use crate::store::library::Library;
use crate::store::tx::WriteTx;
use crate::store::{self, Table};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// Record types that can be soft-deleted and restored.
const DELETABLE: &[&Table] = &[
    &CASES,
    &INCIDENTS,
    &PERSONS,
    &UNITS,
    &ACTS,
    &INVOLVEMENTS,
    &STATEMENTS,
    &LINKS,
    &EVIDENCE,
];

pub struct CurrentState {
    pub label: String,
    pub digest: String,
}

/// The current state of `record_type`/`id`, or `None` if no such record exists.
pub fn current_state(
    conn: &Connection,
    record_type: &str,
    id: &str,
) -> Result<Option<CurrentState>> {
    if record_type == "profile" {
        let p = conn
            .query_row(
                "SELECT name, organisation FROM profile WHERE id = 1",
                [],
                |r| {
                    Ok(crate::records::profile::Profile {
                        name: r.get(0)?,
                        organisation: r.get(1)?,
                    })
                },
            )
            .optional()?;
        return Ok(p.map(|p| CurrentState {
            label: p.name.clone(),
            digest: crate::store::custody::state_digest(&p),
        }));
    }
    if record_type == "term" {
        let Some((vocab, code)) = id.split_once(':') else {
            return Ok(None);
        };
        let t = crate::records::vocab::load(conn, vocab, code)?;
        return Ok(t.map(|t| CurrentState {
            label: id.to_string(),
            digest: t.state_digest(),
        }));
    }
    if record_type == "installation" {
        return Ok(
            crate::store::keys::state(conn)?.map(|(digest, fp)| CurrentState {
                label: format!("installation key {fp}"),
                digest,
            }),
        );
    }
    let Ok(t) = table(record_type) else {
        return Ok(None);
    };
    Ok(store::row_digest(conn, t, id)?.map(|(label, digest)| CurrentState { label, digest }))
}

/// Fails unless `case_id` names a case that is not deleted.
pub(crate) fn ensure_live_case(conn: &Connection, case_id: &str) -> Result<()> {
    let deleted: Option<Option<String>> = conn
        .query_row(
            "SELECT deleted_at FROM cases WHERE id = ?1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?;
    match deleted {
        None => Err(Error::NotFound {
            kind: "case",
            id: case_id.into(),
        }),
        Some(Some(_)) => Err(Error::invalid(
            "case_id",
            "this case is deleted; restore it before adding to it",
        )),
        Some(None) => Ok(()),
    }
}

/// The case a record of `t` belongs to, failing if the record does not exist.
pub(crate) fn case_of(conn: &Connection, t: &Table, id: &str) -> Result<String> {
    let sql = if t.name == "cases" {
        "SELECT id FROM cases WHERE id = ?1".to_string()
    } else {
        format!("SELECT case_id FROM {} WHERE id = ?1", t.name)
    };
    conn.query_row(&sql, [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound {
            kind: t.record_type,
            id: id.into(),
        })
}

/// The names of the top-level fields that differ between two states of a record (the
/// bookkeeping fields excepted).
pub fn changed_fields<T: Serialize>(old: &T, new: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return vec![];
    };
    a.iter()
        .filter(|(k, v)| !matches!(k.as_str(), "updated_at" | "version") && b.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Stores a new record and appends its custody entry in the same transaction: the one way a
/// record row comes into being. `then` runs between the two (to save what the entry names, such
/// as a statement's first version) and gives the entry's detail.
pub(crate) fn insert_logged<T: Serialize>(
    tx: &WriteTx<'_>,
    t: &Table,
    case_id: &str,
    id: &str,
    record: &T,
    action: &str,
    then: impl FnOnce(&WriteTx<'_>) -> Result<Option<serde_json::Value>>,
) -> Result<()> {
    store::insert(tx.conn(), t, record)?;
    let detail = then(tx)?;
    tx.log_row(action, case_id, t, id, detail)?;
    Ok(())
}

/// Stores a changed record and appends its custody entry in the same transaction: the one way a
/// record row changes (soft deletion and restoring below use it too, through SQL on the
/// deletion columns).
pub(crate) fn update_logged<T: Serialize>(
    tx: &WriteTx<'_>,
    t: &Table,
    case_id: &str,
    id: &str,
    record: &T,
    action: &str,
    then: impl FnOnce(&WriteTx<'_>) -> Result<Option<serde_json::Value>>,
) -> Result<()> {
    store::update(tx.conn(), t, id, record)?;
    let detail = then(tx)?;
    tx.log_row(action, case_id, t, id, detail)?;
    Ok(())
}

/// Creates a record in a live case: a default record with a new id, the case and the time,
/// completed by `fill` (which checks the user's input), stored, and logged as "create". The
/// create path of every record type built from a form.
pub(crate) fn create_row<T>(
    tx: &WriteTx<'_>,
    t: &Table,
    case_id: &str,
    fill: impl FnOnce(&Connection, T) -> Result<T>,
) -> Result<T>
where
    T: Serialize + serde::de::DeserializeOwned + Default,
{
    ensure_live_case(tx.conn(), case_id)?;
    let mut m = match serde_json::to_value(T::default()) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => {
            return Err(Error::Corrupt(format!(
                "a {} does not serialise to an object",
                t.record_type
            )))
        }
    };
    let id = crate::new_id();
    for (k, v) in [
        ("id", id.as_str()),
        ("case_id", case_id),
        ("created_at", tx.now()),
        ("updated_at", tx.now()),
    ] {
        m.insert(k.into(), serde_json::Value::String(v.to_string()));
    }
    let base: T = serde_json::from_value(serde_json::Value::Object(m))
        .map_err(|e| Error::Corrupt(e.to_string()))?;
    let record = fill(tx.conn(), base)?;
    insert_logged(tx, t, case_id, &id, &record, "create", |_| Ok(None))?;
    Ok(record)
}

/// Loads a record, applies `change`, and when anything changed stores it with a new
/// `updated_at` and appends an "edit" custody entry naming the changed fields. The edit path of
/// every record type without versions.
pub(crate) fn edit_row<T>(
    tx: &WriteTx<'_>,
    t: &Table,
    id: &str,
    change: impl FnOnce(&Connection, T) -> Result<T>,
) -> Result<T>
where
    T: Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
{
    let old: T = store::must_load(tx.conn(), t, id)?;
    let new = change(tx.conn(), old.clone())?;
    if new == old {
        return Ok(old);
    }
    let changed = changed_fields(&old, &new);
    let mut m = match serde_json::to_value(&new) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => {
            return Err(Error::Corrupt(format!(
                "a {} does not serialise to an object",
                t.record_type
            )))
        }
    };
    m.insert(
        "updated_at".into(),
        serde_json::Value::String(tx.now().to_string()),
    );
    let case_id = m
        .get("case_id")
        .and_then(|v| v.as_str())
        .unwrap_or(id)
        .to_string();
    let new: T = serde_json::from_value(serde_json::Value::Object(m))
        .map_err(|e| Error::Corrupt(e.to_string()))?;
    update_logged(tx, t, &case_id, id, &new, "edit", |_| {
        Ok(Some(serde_json::json!({ "changed": changed })))
    })?;
    Ok(new)
}

impl Library {
    /// Marks any record deleted, with a reason. Nothing is removed; [`Library::restore`] undoes it.
    pub fn delete(&mut self, record_type: &str, id: &str, reason: &str) -> Result<()> {
        let t = table(record_type)?;
        if !DELETABLE.iter().any(|d| d.name == t.name) {
            return Err(Error::invalid(
                "record_type",
                format!("a {record_type} cannot be deleted on its own"),
            ));
        }
        let reason = crate::validate::required_text("reason", reason, 1000)?;
        self.write(|tx| {
            let case_id = case_of(tx.conn(), t, id)?;
            let n = tx.conn().execute(
                &format!("UPDATE {} SET deleted_at = ?2, deleted_reason = ?3, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL", t.name),
                params![id, tx.now(), reason],
            )?;
            if n == 0 {
                return Err(Error::invalid("id", format!("this {record_type} is already deleted")));
            }
            let action = if t.name == "links" { "unlink" } else { "delete" };
            tx.log_row(action, &case_id, t, id, Some(serde_json::json!({ "reason": reason })))?;
            Ok(())
        })
    }

    /// Restores a deleted record.
    pub fn restore(&mut self, record_type: &str, id: &str) -> Result<()> {
        let t = table(record_type)?;
        if !DELETABLE.iter().any(|d| d.name == t.name) {
            return Err(Error::invalid(
                "record_type",
                format!("a {record_type} cannot be restored on its own"),
            ));
        }
        self.write(|tx| {
            let case_id = case_of(tx.conn(), t, id)?;
            let n = tx.conn().execute(
                &format!("UPDATE {} SET deleted_at = NULL, deleted_reason = NULL, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NOT NULL", t.name),
                params![id, tx.now()],
            )?;
            if n == 0 {
                return Err(Error::invalid("id", format!("this {record_type} is not deleted")));
            }
            tx.log_row("restore", &case_id, t, id, None)?;
            Ok(())
        })
    }
}

/// A record marked deleted, as the "Deleted" list of a case shows it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DeletedRecord {
    pub record_type: String,
    pub id: String,
    pub label: String,
    pub deleted_at: String,
    pub reason: String,
}

impl Library {
    /// The case's deleted records, newest deletion first (the case itself excluded).
    pub fn deleted_records(&self, case_id: &str) -> Result<Vec<DeletedRecord>> {
        let mut out = Vec::new();
        for t in DELETABLE.iter().filter(|t| t.name != "cases") {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT id, {}, deleted_at, COALESCE(deleted_reason, '') FROM {} WHERE case_id = ?1 AND deleted_at IS NOT NULL",
                t.label, t.name
            ))?;
            for r in stmt.query_map([case_id], |r| {
                Ok(DeletedRecord {
                    record_type: t.record_type.into(),
                    id: r.get(0)?,
                    label: r.get(1)?,
                    deleted_at: r.get(2)?,
                    reason: r.get(3)?,
                })
            })? {
                out.push(r?);
            }
        }
        out.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at));
        Ok(out)
    }
}
