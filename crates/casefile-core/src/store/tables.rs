//! The record tables: their names, their record types in the custody log, and how their rows
//! map to records (see `rows.rs`). Schema knowledge, so it sits in the storage layer; the record
//! modules above hold the rules.

use super::Table;
use crate::error::{Error, Result};
use rusqlite::Connection;

pub const CASES: Table = Table {
    name: "cases",
    record_type: "case",
    label: "title",
    json: &[],
    bools: &[],
};
pub const INCIDENTS: Table = Table {
    name: "incidents",
    record_type: "incident",
    label: "title",
    json: &[
        "types",
        "protected_objects",
        "weapons",
        "casualties",
        "tags",
    ],
    bools: &[],
};
pub const PERSONS: Table = Table {
    name: "persons",
    record_type: "person",
    label: "pseudonym",
    json: &["roles"],
    bools: &[],
};
/// Labelled by id only: an audit message must never print a real name.
pub const IDENTITIES: Table = Table {
    name: "person_identities",
    record_type: "identity",
    label: "id",
    json: &[],
    bools: &[],
};
pub const UNITS: Table = Table {
    name: "units",
    record_type: "unit",
    label: "name",
    json: &[],
    bools: &[],
};
pub const ACTS: Table = Table {
    name: "acts",
    record_type: "act",
    label: "label",
    json: &[],
    bools: &[],
};
pub const INVOLVEMENTS: Table = Table {
    name: "involvements",
    record_type: "involvement",
    label: "label",
    json: &[],
    bools: &[],
};
pub const STATEMENTS: Table = Table {
    name: "statements",
    record_type: "statement",
    label: "title",
    json: &["translations"],
    bools: &[],
};
pub const CONSENTS: Table = Table {
    name: "consents",
    record_type: "consent",
    label: "label",
    json: &[],
    bools: &["granted"],
};
pub const EVIDENCE: Table = Table {
    name: "evidence",
    record_type: "evidence",
    label: "original_name",
    json: &["metadata"],
    bools: &["graphic", "location_sensitive"],
};
pub const LINKS: Table = Table {
    name: "links",
    record_type: "link",
    label: "label",
    json: &[],
    bools: &[],
};

/// Who may change a case (see `records/trust.rs`). Not carried in bundles: each library decides.
pub const CASE_KEYS: Table = Table {
    name: "case_keys",
    record_type: "case_key",
    label: "fingerprint",
    json: &[],
    bools: &[],
};

pub const TABLES: &[&Table] = &[
    &CASES,
    &INCIDENTS,
    &PERSONS,
    &IDENTITIES,
    &UNITS,
    &ACTS,
    &INVOLVEMENTS,
    &STATEMENTS,
    &CONSENTS,
    &LINKS,
    &EVIDENCE,
    &CASE_KEYS,
];

pub fn table(record_type: &str) -> Result<&'static Table> {
    TABLES
        .iter()
        .copied()
        .find(|t| t.record_type == record_type)
        .ok_or_else(|| {
            Error::invalid(
                "record_type",
                format!("unknown record type \"{record_type}\""),
            )
        })
}

/// Which tables hold a record with this id, and the case each belongs to (an identity belongs to
/// its person's case). Record ids are UUIDs: more than one row means something is wrong.
pub(crate) fn owners(conn: &Connection, id: &str) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'cases', id FROM cases WHERE id = ?1
         UNION ALL SELECT 'incidents', case_id FROM incidents WHERE id = ?1
         UNION ALL SELECT 'persons', case_id FROM persons WHERE id = ?1
         UNION ALL SELECT 'person_identities', p.case_id FROM person_identities i LEFT JOIN persons p ON p.id = i.id WHERE i.id = ?1
         UNION ALL SELECT 'units', case_id FROM units WHERE id = ?1
         UNION ALL SELECT 'acts', case_id FROM acts WHERE id = ?1
         UNION ALL SELECT 'involvements', case_id FROM involvements WHERE id = ?1
         UNION ALL SELECT 'statements', case_id FROM statements WHERE id = ?1
         UNION ALL SELECT 'consents', case_id FROM consents WHERE id = ?1
         UNION ALL SELECT 'links', case_id FROM links WHERE id = ?1
         UNION ALL SELECT 'evidence', case_id FROM evidence WHERE id = ?1
         UNION ALL SELECT 'case_keys', case_id FROM case_keys WHERE id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
