//! Controlled vocabularies, stored in the database with a label per language.
//!
//! The built-in terms are seeded on every open (`INSERT OR IGNORE`), so a newer Casefile can add
//! terms without a migration; users add their own with [`Library::add_term_labels`]. Records
//! store a term's `code`; labels are for display. Labels live in `vocab_labels` (vocabulary,
//! code, language, label), so a third language needs no schema change.

use crate::error::{params as ps, Error, Result};
use crate::store::library::Library;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The most labels (languages) one term may have.
pub const MAX_LABELS: usize = 32;

/// A vocabulary term. `labels` holds its label per language (ISO 639 code → label); `label_en`
/// and `label_uk` repeat the English and Ukrainian ones (empty when there is none) for the
/// CLI's `--json` contract and for bundles read by earlier versions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Term {
    pub vocab: String,
    pub code: String,
    #[serde(default)]
    pub label_en: String,
    #[serde(default)]
    pub label_uk: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    pub builtin: bool,
}

/// What a term's custody entry digests: the form every version has logged (English and
/// Ukrainian labels), plus the labels of other languages only when there are any, so the digests
/// of terms logged before labels moved to their own table still match.
#[derive(Serialize)]
struct TermState<'a> {
    vocab: &'a str,
    code: &'a str,
    label_en: &'a str,
    label_uk: &'a str,
    builtin: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: BTreeMap<&'a str, &'a str>,
}

impl Term {
    /// A term from its labels; `label_en` and `label_uk` are filled from them.
    pub fn new(vocab: &str, code: &str, labels: BTreeMap<String, String>, builtin: bool) -> Term {
        let get = |l: &str| labels.get(l).cloned().unwrap_or_default();
        Term {
            vocab: vocab.into(),
            code: code.into(),
            label_en: get("en"),
            label_uk: get("uk"),
            labels,
            builtin,
        }
    }

    /// The same term with `labels` complete: a term read from a bundle of an earlier version
    /// has only `label_en` and `label_uk`.
    pub fn normalised(mut self) -> Term {
        for (lang, text) in [("en", &self.label_en), ("uk", &self.label_uk)] {
            if !text.is_empty() {
                self.labels
                    .entry(lang.to_string())
                    .or_insert_with(|| text.clone());
            }
        }
        self.labels.retain(|_, v| !v.is_empty());
        Term::new(&self.vocab, &self.code, self.labels, self.builtin)
    }

    /// A term received in a bundle as it is kept: labels completed from `label_en` and
    /// `label_uk`, those keyed by something other than a language code left out, at most
    /// [`MAX_LABELS`].
    pub(crate) fn received(self) -> Term {
        let mut t = self.normalised();
        t.labels = std::mem::take(&mut t.labels)
            .into_iter()
            .filter(|(l, _)| is_language_code(l))
            .take(MAX_LABELS)
            .collect();
        Term::new(&t.vocab, &t.code, t.labels, t.builtin)
    }

    /// The label in `language`; else English, Ukrainian, any other, and the code last.
    pub fn label(&self, language: &str) -> &str {
        [language, "en", "uk"]
            .iter()
            .find_map(|l| self.labels.get(*l))
            .or_else(|| self.labels.values().next())
            .map(String::as_str)
            .unwrap_or(&self.code)
    }

    /// The digest of this term's state in the custody log (see [`TermState`]).
    pub fn state_digest(&self) -> String {
        crate::store::custody::state_digest(&TermState {
            vocab: &self.vocab,
            code: &self.code,
            label_en: &self.label_en,
            label_uk: &self.label_uk,
            builtin: self.builtin,
            labels: self
                .labels
                .iter()
                .filter(|(l, _)| *l != "en" && *l != "uk")
                .map(|(l, t)| (l.as_str(), t.as_str()))
                .collect(),
        })
    }
}

/// A language code as labels are keyed: ISO 639-1 or 639-3, lower case (`uk`, `en`, `crh`).
pub fn is_language_code(l: &str) -> bool {
    (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase())
}

/// Checks and cleans a term's labels: known-shaped language codes, one-line labels of at most
/// 200 characters, empty ones dropped, at least one left.
pub fn check_labels(labels: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    if labels.len() > MAX_LABELS {
        return Err(Error::invalid_rule(
            "labels",
            "too_many",
            ps([("limit", MAX_LABELS.into()), ("count", MAX_LABELS.into())]),
            format!("a term has at most {MAX_LABELS} labels"),
        ));
    }
    let mut out = BTreeMap::new();
    for (lang, text) in labels {
        let lang = lang.trim();
        if !is_language_code(lang) {
            return Err(Error::invalid_rule(
                "language",
                "bad_format",
                ps([("value", lang.into())]),
                format!("\"{lang}\" is not a language code (ISO 639, like uk or en)"),
            ));
        }
        let field = match lang {
            "en" => "label_en",
            "uk" => "label_uk",
            _ => "label",
        };
        let text = crate::validate::optional_text(field, text, 200)?;
        if !text.is_empty() {
            out.insert(lang.to_string(), text);
        }
    }
    if out.is_empty() {
        return Err(Error::invalid_rule(
            "labels",
            "required",
            ps([]),
            "a term needs a label in at least one language",
        ));
    }
    Ok(out)
}

/// The labels of one term, by language.
fn labels_of(conn: &Connection, vocab: &str, code: &str) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT language, label FROM vocab_labels WHERE vocab = ?1 AND code = ?2",
    )?;
    let rows = stmt.query_map(params![vocab, code], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One term as stored, if it exists.
pub(crate) fn load(conn: &Connection, vocab: &str, code: &str) -> Result<Option<Term>> {
    let builtin: Option<bool> = conn
        .query_row(
            "SELECT builtin FROM vocab_terms WHERE vocab = ?1 AND code = ?2",
            params![vocab, code],
            |r| r.get(0),
        )
        .optional()?;
    match builtin {
        Some(b) => Ok(Some(Term::new(
            vocab,
            code,
            labels_of(conn, vocab, code)?,
            b,
        ))),
        None => Ok(None),
    }
}

/// Stores a user term and its labels unless a term of that code exists; whether it was added.
pub(crate) fn insert(conn: &Connection, term: &Term) -> Result<bool> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO vocab_terms (vocab, code, builtin) VALUES (?1, ?2, 0)",
        params![term.vocab, term.code],
    )?;
    if n == 0 {
        return Ok(false);
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO vocab_labels (vocab, code, language, label) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (lang, text) in &term.labels {
        stmt.execute(params![term.vocab, term.code, lang, text])?;
    }
    Ok(true)
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
        None => Err(Error::invalid_rule(
            field,
            "unknown_term",
            ps([("value", code.into()), ("vocab", vocab.into())]),
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
    /// The terms of one vocabulary (or all, with `None`), in their display order, each with its
    /// labels in every language. A vocabulary that does not exist is `not_found`, so a typo is
    /// not read as "no terms".
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
        let mut labels: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
        let mut stmt = self.conn().prepare(
            "SELECT vocab, code, language, label FROM vocab_labels WHERE ?1 IS NULL OR vocab = ?1",
        )?;
        for row in stmt.query_map([vocab], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })? {
            let (v, c, l, t): (String, String, String, String) = row?;
            labels.entry((v, c)).or_default().insert(l, t);
        }
        // Built-in terms in the order Casefile ships them; user terms (one sort position) after
        // them by English label.
        let mut stmt = self.conn().prepare(
            "SELECT vocab, code, builtin FROM vocab_terms t
             WHERE ?1 IS NULL OR vocab = ?1
             ORDER BY vocab, sort, (SELECT label FROM vocab_labels l
                 WHERE l.vocab = t.vocab AND l.code = t.code AND l.language = 'en'), code",
        )?;
        let rows = stmt.query_map([vocab], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (v, c, b) = row?;
            let l = labels.remove(&(v.clone(), c.clone())).unwrap_or_default();
            out.push(Term::new(&v, &c, l, b));
        }
        Ok(out)
    }

    /// Adds a user-defined term with an English label (required) and a Ukrainian one
    /// (optional).
    pub fn add_term(
        &mut self,
        vocab: &str,
        code: &str,
        label_en: &str,
        label_uk: &str,
    ) -> Result<Term> {
        crate::validate::required_text("label_en", label_en, 200)?;
        let labels = BTreeMap::from([
            ("en".to_string(), label_en.to_string()),
            ("uk".to_string(), label_uk.to_string()),
        ]);
        self.add_term_labels(vocab, code, &labels)
    }

    /// Adds a user-defined term to a vocabulary with its labels by language (ISO 639 code →
    /// label; at least one).
    pub fn add_term_labels(
        &mut self,
        vocab: &str,
        code: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<Term> {
        if !VOCABULARIES.contains(&vocab) {
            return Err(Error::invalid_rule(
                "vocab",
                "unknown_vocabulary",
                ps([
                    ("value", vocab.into()),
                    ("known", VOCABULARIES.join(", ").into()),
                ]),
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
            return Err(Error::invalid_rule(
                "code",
                "bad_format",
                ps([("value", code.into())]),
                "a term code uses only a-z, 0-9 and _",
            ));
        }
        let term = Term::new(vocab, code, check_labels(labels)?, false);
        self.write(|tx| {
            if !insert(tx.conn(), &term)? {
                return Err(Error::invalid_rule(
                    "code",
                    "already_exists",
                    ps([
                        ("value", term.code.as_str().into()),
                        ("vocab", term.vocab.as_str().into()),
                    ]),
                    format!("\"{}\" already exists in {}", term.code, term.vocab),
                ));
            }
            tx.log(
                "create",
                None,
                "term",
                &format!("{}:{}", term.vocab, term.code),
                Some(term.state_digest()),
                None,
            )?;
            Ok(())
        })?;
        Ok(term)
    }
}
