//! Typed, annotated links between any two records of a case (statement *describes* incident,
//! person *victim of* incident, incident *same event as* incident, photo *depicts* incident),
//! and finding records to link to by their title or pseudonym.

use crate::error::{Error, Result};
use crate::records::vocab;
use crate::records::LINKS;
use crate::store::library::Library;
use crate::{store, validate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// The record types a link may join, with the table and the column people know them by.
const LINKABLE: &[(&str, &str, &str)] = &[
    ("incident", "incidents", "title"),
    ("statement", "statements", "title"),
    ("person", "persons", "pseudonym"),
    ("unit", "units", "name"),
    ("act", "acts", "label"),
    ("evidence", "evidence", "original_name"),
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub case_id: String,
    pub from_type: String,
    pub from_id: String,
    pub link_type: String,
    pub to_type: String,
    pub to_id: String,
    pub note: String,
    pub label: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

/// A reference to a record, as people see it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordRef {
    pub record_type: String,
    pub id: String,
    pub label: String,
}

/// A link seen from one of its ends.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LinkView {
    pub link_id: String,
    pub link_type: String,
    /// "out": this record is the link's subject ("this statement describes …");
    /// "in": this record is its object ("… describes this incident").
    pub direction: String,
    pub note: String,
    pub other: RecordRef,
}

fn linkable(record_type: &str) -> Result<(&'static str, &'static str)> {
    LINKABLE
        .iter()
        .find(|(t, _, _)| *t == record_type)
        .map(|(_, table, label)| (*table, *label))
        .ok_or_else(|| Error::invalid("record_type", format!("a {record_type} cannot be linked")))
}

/// The label and case of a live record, or an error naming which end is wrong.
fn resolve(
    conn: &Connection,
    field: &'static str,
    record_type: &str,
    id: &str,
) -> Result<(String, String)> {
    let (table, label) = linkable(record_type)?;
    let row: Option<(String, String, Option<String>)> = conn
        .query_row(
            &format!("SELECT {label}, case_id, deleted_at FROM {table} WHERE id = ?1"),
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        None => Err(Error::invalid(
            field,
            format!("no {record_type} with id {id}"),
        )),
        Some((_, _, Some(_))) => Err(Error::invalid(
            field,
            format!("that {record_type} is deleted"),
        )),
        Some((label, case_id, None)) => Ok((label, case_id)),
    }
}

pub(crate) fn label_of(conn: &Connection, record_type: &str, id: &str) -> Result<String> {
    let (table, label) = linkable(record_type)?;
    Ok(conn
        .query_row(
            &format!("SELECT {label} FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| id.to_string()))
}

impl Library {
    /// Links two records of the same case. The same link twice is refused.
    pub fn link(
        &mut self,
        from_type: &str,
        from_id: &str,
        link_type: &str,
        to_type: &str,
        to_id: &str,
        note: &str,
    ) -> Result<Link> {
        let note = validate::long_text("note", note, 2000)?;
        self.write(|tx| {
            vocab::check(tx.conn(), "link_type", "link_type", link_type)?;
            let (from_label, case_id) = resolve(tx.conn(), "from_id", from_type, from_id)?;
            let (to_label, to_case) = resolve(tx.conn(), "to_id", to_type, to_id)?;
            if case_id != to_case {
                return Err(Error::invalid("to_id", "both records must belong to the same case"));
            }
            if from_id == to_id {
                return Err(Error::invalid("to_id", "a record cannot be linked to itself"));
            }
            let dup: Option<String> = tx
                .conn()
                .query_row(
                    "SELECT id FROM links WHERE from_id = ?1 AND to_id = ?2 AND link_type = ?3 AND deleted_at IS NULL",
                    params![from_id, to_id, link_type],
                    |r| r.get(0),
                )
                .optional()?;
            if dup.is_some() {
                return Err(Error::invalid("link_type", "these two records are already linked this way"));
            }
            let now = tx.now().to_string();
            let l = Link {
                id: crate::new_id(),
                case_id: case_id.clone(),
                from_type: from_type.into(),
                from_id: from_id.into(),
                link_type: link_type.into(),
                to_type: to_type.into(),
                to_id: to_id.into(),
                note,
                label: format!("{from_label} {} {to_label}", link_type.replace('_', " ")),
                created_at: now.clone(),
                updated_at: now,
                deleted_at: None,
                deleted_reason: None,
            };
            crate::records::insert_logged(tx, &LINKS, &case_id, &l.id, &l, "link", |_| Ok(None))?;
            Ok(l)
        })
    }

    /// Removes a link (it is kept, marked deleted, and can be restored).
    pub fn unlink(&mut self, link_id: &str, reason: &str) -> Result<()> {
        self.delete("link", link_id, reason)
    }

    /// Every live link touching a record, from that record's point of view.
    pub fn links_of(&self, id: &str) -> Result<Vec<LinkView>> {
        let links: Vec<Link> = store::list(
            self.conn(),
            &LINKS,
            "(from_id = ?1 OR to_id = ?1) AND deleted_at IS NULL",
            &[&id],
            "created_at",
        )?;
        links
            .into_iter()
            .map(|l| {
                let (direction, other_type, other_id) = if l.from_id == id {
                    ("out", l.to_type, l.to_id)
                } else {
                    ("in", l.from_type, l.from_id)
                };
                Ok(LinkView {
                    link_id: l.id,
                    link_type: l.link_type,
                    direction: direction.into(),
                    note: l.note,
                    other: RecordRef {
                        label: label_of(self.conn(), &other_type, &other_id)?,
                        record_type: other_type,
                        id: other_id,
                    },
                })
            })
            .collect()
    }

    /// Records of a case whose title, name or pseudonym contains `query` (case-insensitive), for
    /// the link picker. Identifying details are never searched.
    pub fn find_records(
        &self,
        case_id: &str,
        query: &str,
        types: &[String],
        limit: usize,
    ) -> Result<Vec<RecordRef>> {
        // Folded on both sides (store::text::casefold), so "авіаудар" finds "Авіаудар"; a
        // plain substring, so % and _ are only themselves.
        let needle = crate::store::text::casefold(query.trim());
        let mut out = Vec::new();
        for (t, table, label) in LINKABLE {
            if !types.is_empty() && !types.iter().any(|x| x == t) {
                continue;
            }
            let mut stmt = self.conn().prepare_cached(&format!(
                "SELECT id, {label} FROM {table} WHERE case_id = ?1 AND deleted_at IS NULL AND instr(casefold({label}), ?2) ORDER BY {label} COLLATE casefile LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![case_id, needle, limit as i64], |r| {
                Ok(RecordRef {
                    record_type: t.to_string(),
                    id: r.get(0)?,
                    label: r.get(1)?,
                })
            })?;
            for r in rows {
                out.push(r?);
            }
        }
        out.truncate(limit);
        Ok(out)
    }
}

/// Used by records that name their ends in a label (acts, involvements).
pub(crate) fn live_label(
    conn: &Connection,
    field: &'static str,
    record_type: &str,
    id: &str,
    case_id: &str,
) -> Result<String> {
    let (label, c) = resolve(conn, field, record_type, id)?;
    if c != case_id {
        return Err(Error::invalid(
            field,
            format!("that {record_type} belongs to another case"),
        ));
    }
    Ok(label)
}
