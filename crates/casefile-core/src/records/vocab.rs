//! Controlled vocabularies, stored in the database with English and Ukrainian labels.
//!
//! The built-in terms are seeded on every open (`INSERT OR IGNORE`), so a newer Casefile can add
//! terms without a migration; users add their own with [`Library::add_term`]. Records store a
//! term's `code`; labels are for display.

use crate::error::{Error, Result};
use crate::store::library::Library;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

pub const VOCABULARIES: &[&str] = &[
    "incident_type",
    "protected_object",
    "weapon",
    "violation_status",
    "act_type",
    "involvement_degree",
    "link_type",
    "connection",
    "reliability",
    "person_role",
    "unit_kind",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Term {
    pub vocab: String,
    pub code: String,
    pub label_en: String,
    pub label_uk: String,
    pub builtin: bool,
}

/// Fails with a field error unless `code` is a term of `vocab`.
pub(crate) fn check(conn: &Connection, field: &'static str, vocab: &str, code: &str) -> Result<()> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM vocab_terms WHERE vocab = ?1 AND code = ?2",
            params![vocab, code],
            |r| r.get(0),
        )
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            field,
            format!(
                "\"{code}\" is not a known {} (see `casefile vocab list {vocab}`)",
                vocab.replace('_', " ")
            ),
        )),
    }
}

pub(crate) fn check_all(
    conn: &Connection,
    field: &'static str,
    vocab: &str,
    codes: &[String],
) -> Result<()> {
    codes.iter().try_for_each(|c| check(conn, field, vocab, c))
}

impl Library {
    /// The terms of one vocabulary (or all, with `None`), in their display order. A vocabulary
    /// that does not exist is `not_found`, so a typo is not read as "no terms".
    pub fn terms(&self, vocab: Option<&str>) -> Result<Vec<Term>> {
        if let Some(v) = vocab {
            let stored = || {
                self.conn()
                    .query_row(
                        "SELECT 1 FROM vocab_terms WHERE vocab = ?1 LIMIT 1",
                        [v],
                        |_| Ok(()),
                    )
                    .optional()
            };
            if !VOCABULARIES.contains(&v) && stored()?.is_none() {
                return Err(Error::NotFound {
                    kind: "vocabulary",
                    id: v.into(),
                });
            }
        }
        let mut stmt = self.conn().prepare(
            "SELECT vocab, code, label_en, label_uk, builtin FROM vocab_terms
             WHERE ?1 IS NULL OR vocab = ?1 ORDER BY vocab, sort, label_en",
        )?;
        let rows = stmt.query_map([vocab], |r| {
            Ok(Term {
                vocab: r.get(0)?,
                code: r.get(1)?,
                label_en: r.get(2)?,
                label_uk: r.get(3)?,
                builtin: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Adds a user-defined term to a vocabulary.
    pub fn add_term(
        &mut self,
        vocab: &str,
        code: &str,
        label_en: &str,
        label_uk: &str,
    ) -> Result<Term> {
        if !VOCABULARIES.contains(&vocab) {
            return Err(Error::invalid(
                "vocab",
                format!(
                    "unknown vocabulary \"{vocab}\"; known: {}",
                    VOCABULARIES.join(", ")
                ),
            ));
        }
        let code = code.trim();
        if code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(Error::invalid(
                "code",
                "a term code uses only a-z, 0-9 and _",
            ));
        }
        let label_en = crate::validate::required_text("label_en", label_en, 200)?;
        let label_uk = crate::validate::optional_text("label_uk", label_uk, 200)?;
        let term = Term {
            vocab: vocab.into(),
            code: code.into(),
            label_en,
            label_uk,
            builtin: false,
        };
        self.write(|tx| {
            let n = tx.conn().execute(
                "INSERT OR IGNORE INTO vocab_terms (vocab, code, label_en, label_uk, builtin) VALUES (?1, ?2, ?3, ?4, 0)",
                params![term.vocab, term.code, term.label_en, term.label_uk],
            )?;
            if n == 0 {
                return Err(Error::invalid("code", format!("\"{}\" already exists in {}", term.code, term.vocab)));
            }
            tx.log("create", None, "term", &format!("{}:{}", term.vocab, term.code), Some(crate::store::custody::state_digest(&term)), None)?;
            Ok(())
        })?;
        Ok(term)
    }
}
