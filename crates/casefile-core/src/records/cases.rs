//! Cases: the top-level record an investigation is built in.

use crate::error::{Error, Result};
use crate::store::library::Library;
use crate::validate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CaseStatus {
    Open,
    Closed,
    Archived,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
            CaseStatus::Archived => "archived",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(CaseStatus::Open),
            "closed" => Ok(CaseStatus::Closed),
            "archived" => Ok(CaseStatus::Archived),
            other => Err(Error::invalid(
                "status",
                format!("status must be open, closed or archived, not \"{other}\""),
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub reference: Option<String>,
    pub description: String,
    pub status: CaseStatus,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

/// What a user gives to create a case.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewCase {
    pub title: String,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub description: String,
}

/// A change to a case; `None` leaves a field as it is. An empty reference clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseEdit {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<CaseStatus>,
}

const TITLE_MAX: usize = 300;
const REFERENCE_MAX: usize = 64;
const DESCRIPTION_MAX: usize = 100_000;

fn clean_reference(r: &str) -> Result<Option<String>> {
    let r = validate::optional_text("reference", r, REFERENCE_MAX)?;
    Ok(if r.is_empty() { None } else { Some(r) })
}

fn must_load(conn: &Connection, id: &str) -> Result<Case> {
    crate::store::must_load(conn, &crate::records::CASES, id)
}

fn ensure_reference_free(conn: &Connection, reference: &str, except_id: &str) -> Result<()> {
    let taken: Option<String> = conn
        .query_row(
            "SELECT id FROM cases WHERE reference = ?1 COLLATE NOCASE AND id <> ?2",
            params![reference, except_id],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(Error::DuplicateReference(reference.to_string())),
        None => Ok(()),
    }
}

impl Library {
    pub fn create_case(&mut self, new: NewCase) -> Result<Case> {
        let title = validate::required_text("title", &new.title, TITLE_MAX)?;
        let reference = clean_reference(new.reference.as_deref().unwrap_or(""))?;
        let description = validate::long_text("description", &new.description, DESCRIPTION_MAX)?;
        self.write(|tx| {
            let id = crate::new_id();
            if let Some(r) = &reference {
                ensure_reference_free(tx.conn(), r, &id)?;
            }
            let case = Case {
                id: id.clone(),
                title,
                reference,
                description,
                status: CaseStatus::Open,
                created_at: tx.now().to_string(),
                updated_at: tx.now().to_string(),
                deleted_at: None,
                deleted_reason: None,
            };
            crate::records::insert_logged(
                tx,
                &crate::records::CASES,
                &id,
                &id,
                &case,
                "create",
                |_| Ok(None),
            )?;
            crate::records::trust::add(
                tx,
                &id,
                &crate::store::keys::own_fingerprint(tx.conn())?,
                "origin",
                "created here",
            )?;
            Ok(case)
        })
    }

    /// Cases not marked deleted, most recently changed first.
    pub fn list_cases(&self) -> Result<Vec<Case>> {
        crate::store::list(
            self.conn(),
            &crate::records::CASES,
            "deleted_at IS NULL",
            &[],
            "updated_at DESC, id DESC",
        )
    }

    pub fn get_case(&self, id: &str) -> Result<Case> {
        must_load(self.conn(), id)
    }

    pub fn edit_case(&mut self, id: &str, edit: CaseEdit) -> Result<Case> {
        let title = edit
            .title
            .as_deref()
            .map(|t| validate::required_text("title", t, TITLE_MAX))
            .transpose()?;
        let reference = edit.reference.as_deref().map(clean_reference).transpose()?;
        let description = edit
            .description
            .as_deref()
            .map(|d| validate::long_text("description", d, DESCRIPTION_MAX))
            .transpose()?;
        self.write(|tx| {
            let old = must_load(tx.conn(), id)?;
            let mut new = old.clone();
            if let Some(t) = title {
                new.title = t;
            }
            if let Some(r) = reference {
                if let Some(r) = &r {
                    ensure_reference_free(tx.conn(), r, id)?;
                }
                new.reference = r;
            }
            if let Some(d) = description {
                new.description = d;
            }
            if let Some(s) = edit.status {
                new.status = s;
            }
            if new == old {
                return Ok(old);
            }
            new.updated_at = tx.now().to_string();
            let changed = crate::records::changed_fields(&old, &new);
            crate::records::update_logged(
                tx,
                &crate::records::CASES,
                id,
                id,
                &new,
                "edit",
                |_| Ok(Some(serde_json::json!({ "changed": changed }))),
            )?;
            Ok(new)
        })
    }

    /// Marks a case deleted with a reason; nothing is removed and it can be restored.
    pub fn delete_case(&mut self, id: &str, reason: &str) -> Result<Case> {
        self.delete("case", id, reason)?;
        self.get_case(id)
    }

    pub fn restore_case(&mut self, id: &str) -> Result<Case> {
        self.restore("case", id)?;
        self.get_case(id)
    }
}

/// How many live records of each kind a case holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CaseCounts {
    pub incidents: i64,
    pub statements: i64,
    pub persons: i64,
    pub units: i64,
    pub evidence: i64,
}

impl Library {
    pub fn case_counts(&self, id: &str) -> Result<CaseCounts> {
        must_load(self.conn(), id)?;
        let count = |table: &str| -> Result<i64> {
            Ok(self.conn().query_row(
                &format!("SELECT count(*) FROM {table} WHERE case_id = ?1 AND deleted_at IS NULL"),
                [id],
                |r| r.get(0),
            )?)
        };
        Ok(CaseCounts {
            incidents: count("incidents")?,
            statements: count("statements")?,
            persons: count("persons")?,
            units: count("units")?,
            evidence: count("evidence")?,
        })
    }
}
