//! Witness statements: who said it, when, where, to whom, in what language, the text and its
//! translations, with every earlier version kept, and consent recorded per purpose.

use crate::error::{Error, Result};
use crate::records::persons::Person;
use crate::records::vocab;
use crate::records::{self, CONSENTS, PERSONS, STATEMENTS};
use crate::store::library::Library;
use crate::{dates, store, validate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Translation {
    pub language: String,
    pub text: String,
    #[serde(default)]
    pub translator: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Statement {
    pub id: String,
    pub case_id: String,
    pub witness_id: String,
    pub title: String,
    pub interview_date: Option<String>,
    pub interview_place: String,
    pub interviewer: String,
    pub interpreter: String,
    pub others_present: String,
    pub language: String,
    /// "in_person" or "remote".
    pub mode: String,
    /// The witness's connection to the facts (vocabulary `connection`).
    pub connection: String,
    /// Vocabulary `reliability`.
    pub reliability: String,
    pub text: String,
    pub translations: Vec<Translation>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StatementInput {
    pub witness_id: String,
    /// Empty: "Statement of <pseudonym>[, <date>]".
    pub title: String,
    pub interview_date: String,
    pub interview_place: String,
    pub interviewer: String,
    pub interpreter: String,
    pub others_present: String,
    pub language: String,
    pub mode: String,
    pub connection: String,
    pub reliability: String,
    pub text: String,
    pub translations: Vec<Translation>,
}

impl Statement {
    pub fn to_input(&self) -> StatementInput {
        StatementInput {
            witness_id: self.witness_id.clone(),
            title: self.title.clone(),
            interview_date: self.interview_date.clone().unwrap_or_default(),
            interview_place: self.interview_place.clone(),
            interviewer: self.interviewer.clone(),
            interpreter: self.interpreter.clone(),
            others_present: self.others_present.clone(),
            language: self.language.clone(),
            mode: self.mode.clone(),
            connection: self.connection.clone(),
            reliability: self.reliability.clone(),
            text: self.text.clone(),
            translations: self.translations.clone(),
        }
    }
}

/// One version of a statement as it was saved.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StatementVersion {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub changed: Vec<String>,
    pub snapshot: Statement,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ConsentPurpose {
    /// Keeping the statement at all.
    Storage,
    /// Sharing with prosecutors and courts.
    Prosecution,
    /// Publication.
    Publication,
}

impl ConsentPurpose {
    pub const ALL: [ConsentPurpose; 3] = [
        ConsentPurpose::Storage,
        ConsentPurpose::Prosecution,
        ConsentPurpose::Publication,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentPurpose::Storage => "storage",
            ConsentPurpose::Prosecution => "prosecution",
            ConsentPurpose::Publication => "publication",
        }
    }
}

impl std::str::FromStr for ConsentPurpose {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "storage" => Ok(ConsentPurpose::Storage),
            "prosecution" => Ok(ConsentPurpose::Prosecution),
            "publication" => Ok(ConsentPurpose::Publication),
            o => Err(Error::invalid(
                "purpose",
                format!("consent purpose must be storage, prosecution or publication, not \"{o}\""),
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Consent {
    pub id: String,
    pub case_id: String,
    pub statement_id: String,
    pub purpose: ConsentPurpose,
    /// true: consent given; false: explicitly refused.
    pub granted: bool,
    pub given_on: Option<String>,
    /// How it was given ("signed form", "oral, recorded").
    pub method: String,
    pub withdrawn_on: Option<String>,
    pub withdrawal_note: String,
    pub label: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsentInput {
    pub purpose: ConsentPurpose,
    pub granted: bool,
    #[serde(default)]
    pub given_on: String,
    #[serde(default)]
    pub method: String,
}

/// The state of consent for one purpose, at a glance.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    Granted,
    Refused,
    Withdrawn,
    Unknown,
}

impl Consent {
    pub fn state(&self) -> ConsentState {
        match (self.granted, &self.withdrawn_on) {
            (_, Some(_)) => ConsentState::Withdrawn,
            (true, None) => ConsentState::Granted,
            (false, None) => ConsentState::Refused,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ConsentSummary {
    pub storage: ConsentState,
    pub prosecution: ConsentState,
    pub publication: ConsentState,
}

fn checked(
    conn: &rusqlite::Connection,
    input: &StatementInput,
    mut s: Statement,
) -> Result<Statement> {
    let witness: Person =
        store::load(conn, &PERSONS, input.witness_id.trim())?.ok_or_else(|| {
            Error::invalid("witness_id", "choose the witness (a person in this case)")
        })?;
    if witness.case_id != s.case_id {
        return Err(Error::invalid(
            "witness_id",
            "the witness must be a person in the same case",
        ));
    }
    if witness.deleted_at.is_some() {
        return Err(Error::invalid(
            "witness_id",
            format!("{} is deleted", witness.pseudonym),
        ));
    }
    s.witness_id = witness.id.clone();
    s.interview_date = dates::check_day("interview_date", &input.interview_date)?;
    let title = validate::optional_text("title", &input.title, 300)?;
    s.title = if title.is_empty() {
        match &s.interview_date {
            Some(d) => format!("Statement of {}, {d}", witness.pseudonym),
            None => format!("Statement of {}", witness.pseudonym),
        }
    } else {
        title
    };
    s.interview_place = validate::optional_text("interview_place", &input.interview_place, 300)?;
    s.interviewer = validate::optional_text("interviewer", &input.interviewer, 300)?;
    s.interpreter = validate::optional_text("interpreter", &input.interpreter, 300)?;
    s.others_present = validate::optional_text("others_present", &input.others_present, 1000)?;
    s.language = validate::optional_text("language", &input.language, 40)?;
    s.mode = match input.mode.trim() {
        "" | "in_person" => "in_person".into(),
        "remote" => "remote".into(),
        o => {
            return Err(Error::invalid(
                "mode",
                format!("mode must be in_person or remote, not \"{o}\""),
            ))
        }
    };
    s.connection = input.connection.trim().to_string();
    if !s.connection.is_empty() {
        vocab::check(conn, "connection", "connection", &s.connection)?;
    }
    s.reliability = input.reliability.trim().to_string();
    if !s.reliability.is_empty() {
        vocab::check(conn, "reliability", "reliability", &s.reliability)?;
    }
    s.text = validate::long_text("text", &input.text, 2_000_000)?;
    s.translations = Vec::new();
    for t in &input.translations {
        s.translations.push(Translation {
            language: validate::required_text("translations", &t.language, 40)?,
            text: validate::long_text("translations", &t.text, 2_000_000)?,
            translator: validate::optional_text("translations", &t.translator, 300)?,
        });
    }
    Ok(s)
}

pub(crate) fn save_version(
    tx: &crate::store::library::WriteTx<'_>,
    s: &Statement,
    changed: &[String],
) -> Result<String> {
    let snapshot = serde_json::to_string(s).map_err(|e| Error::Corrupt(e.to_string()))?;
    tx.conn().execute(
        "INSERT INTO statement_versions (statement_id, version, snapshot, changed_by, changed_at, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![s.id, s.version, snapshot, tx.actor(), tx.now(), serde_json::to_string(changed).unwrap_or_default()],
    )?;
    Ok(crate::store::custody::sha256_hex(snapshot.as_bytes()))
}

impl Library {
    pub fn create_statement(&mut self, case_id: &str, input: StatementInput) -> Result<Statement> {
        self.write(|tx| {
            records::ensure_live_case(tx.conn(), case_id)?;
            let now = tx.now().to_string();
            let base = Statement {
                id: crate::new_id(),
                case_id: case_id.into(),
                witness_id: String::new(),
                title: String::new(),
                interview_date: None,
                interview_place: String::new(),
                interviewer: String::new(),
                interpreter: String::new(),
                others_present: String::new(),
                language: String::new(),
                mode: "in_person".into(),
                connection: String::new(),
                reliability: String::new(),
                text: String::new(),
                translations: vec![],
                version: 1,
                created_at: now.clone(),
                updated_at: now,
                deleted_at: None,
                deleted_reason: None,
            };
            let s = checked(tx.conn(), &input, base)?;
            records::insert_logged(tx, &STATEMENTS, case_id, &s.id, &s, "create", |tx| {
                let vd = save_version(tx, &s, &[])?;
                Ok(Some(
                    serde_json::json!({ "version": 1, "version_digest": vd }),
                ))
            })?;
            Ok(s)
        })
    }

    /// Saves a new version of a statement; the earlier versions stay readable.
    pub fn edit_statement(&mut self, id: &str, input: StatementInput) -> Result<Statement> {
        self.write(|tx| {
            let old: Statement = store::must_load(tx.conn(), &STATEMENTS, id)?;
            let mut new = checked(tx.conn(), &input, old.clone())?;
            if new == old {
                return Ok(old);
            }
            let changed = records::changed_fields(&old, &new);
            new.version = old.version + 1;
            new.updated_at = tx.now().to_string();
            records::update_logged(tx, &STATEMENTS, &old.case_id, id, &new, "edit", |tx| {
                let vd = save_version(tx, &new, &changed)?;
                Ok(Some(serde_json::json!({ "changed": changed, "version": new.version, "version_digest": vd })))
            })?;
            Ok(new)
        })
    }

    pub fn get_statement(&self, id: &str) -> Result<Statement> {
        store::must_load(self.conn(), &STATEMENTS, id)
    }

    pub fn list_statements(&self, case_id: &str) -> Result<Vec<Statement>> {
        store::list(
            self.conn(),
            &STATEMENTS,
            "case_id = ?1 AND deleted_at IS NULL",
            &[&case_id],
            "interview_date IS NULL, interview_date, title",
        )
    }

    /// Every saved version of a statement, oldest first.
    pub fn statement_versions(&self, id: &str) -> Result<Vec<StatementVersion>> {
        self.get_statement(id)?;
        let mut stmt = self.conn().prepare(
            "SELECT version, changed_by, changed_at, changed, snapshot FROM statement_versions WHERE statement_id = ?1 ORDER BY version",
        )?;
        let mut rows = stmt.query([id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let changed: String = r.get(3)?;
            let snapshot: String = r.get(4)?;
            out.push(StatementVersion {
                version: r.get(0)?,
                changed_by: r.get(1)?,
                changed_at: r.get(2)?,
                changed: serde_json::from_str(&changed).unwrap_or_default(),
                snapshot: serde_json::from_str(&snapshot)
                    .map_err(|e| Error::Corrupt(format!("statement version: {e}")))?,
            });
        }
        Ok(out)
    }

    /// Records consent (given or refused) for one purpose, replacing the earlier record for
    /// that purpose (the custody log keeps the history).
    pub fn set_consent(&mut self, statement_id: &str, input: ConsentInput) -> Result<Consent> {
        let given_on = dates::check_day("given_on", &input.given_on)?;
        let method = validate::optional_text("method", &input.method, 300)?;
        self.write(|tx| {
            let s: Statement = store::must_load(tx.conn(), &STATEMENTS, statement_id)?;
            let existing: Option<Consent> = store::list(
                tx.conn(),
                &CONSENTS,
                "statement_id = ?1 AND purpose = ?2",
                &[&statement_id, &input.purpose.as_str()],
                "id",
            )?
            .pop();
            let now = tx.now().to_string();
            let label = format!("{} consent for {}", input.purpose.as_str(), s.title);
            let (c, action) = match existing {
                Some(old) => {
                    let c = Consent {
                        granted: input.granted,
                        given_on,
                        method,
                        withdrawn_on: None,
                        withdrawal_note: String::new(),
                        label,
                        updated_at: now,
                        ..old
                    };
                    (c, "edit")
                }
                None => {
                    let c = Consent {
                        id: crate::new_id(),
                        case_id: s.case_id.clone(),
                        statement_id: s.id.clone(),
                        purpose: input.purpose,
                        granted: input.granted,
                        given_on,
                        method,
                        withdrawn_on: None,
                        withdrawal_note: String::new(),
                        label,
                        created_at: now.clone(),
                        updated_at: now,
                    };
                    (c, "create")
                }
            };
            let detail = serde_json::json!({ "purpose": c.purpose, "granted": c.granted });
            if action == "edit" {
                records::update_logged(tx, &CONSENTS, &s.case_id, &c.id, &c, action, |_| {
                    Ok(Some(detail))
                })?;
            } else {
                records::insert_logged(tx, &CONSENTS, &s.case_id, &c.id, &c, action, |_| {
                    Ok(Some(detail))
                })?;
            }
            Ok(c)
        })
    }

    /// Records that consent for a purpose was withdrawn, on a day, with a note.
    pub fn withdraw_consent(
        &mut self,
        statement_id: &str,
        purpose: ConsentPurpose,
        on: &str,
        note: &str,
    ) -> Result<Consent> {
        let on = dates::check_day("withdrawn_on", on)?
            .ok_or_else(|| Error::invalid("withdrawn_on", "enter the day consent was withdrawn"))?;
        let note = validate::long_text("withdrawal_note", note, 2000)?;
        self.write(|tx| {
            let s: Statement = store::must_load(tx.conn(), &STATEMENTS, statement_id)?;
            let mut c: Consent = store::list(
                tx.conn(),
                &CONSENTS,
                "statement_id = ?1 AND purpose = ?2",
                &[&statement_id, &purpose.as_str()],
                "id",
            )?
            .pop()
            .ok_or_else(|| {
                Error::invalid(
                    "purpose",
                    format!(
                        "no {} consent is recorded for this statement",
                        purpose.as_str()
                    ),
                )
            })?;
            c.withdrawn_on = Some(on);
            c.withdrawal_note = note;
            c.updated_at = tx.now().to_string();
            records::update_logged(tx, &CONSENTS, &s.case_id, &c.id, &c, "withdraw", |_| {
                Ok(Some(serde_json::json!({ "purpose": purpose })))
            })?;
            Ok(c)
        })
    }

    pub fn consents(&self, statement_id: &str) -> Result<Vec<Consent>> {
        store::list(
            self.conn(),
            &CONSENTS,
            "statement_id = ?1",
            &[&statement_id],
            "purpose",
        )
    }

    /// Consent per purpose at a glance; a purpose with no record is `Unknown`.
    pub fn consent_summary(&self, statement_id: &str) -> Result<ConsentSummary> {
        let cs = self.consents(statement_id)?;
        let state = |p: ConsentPurpose| {
            cs.iter()
                .find(|c| c.purpose == p)
                .map(Consent::state)
                .unwrap_or(ConsentState::Unknown)
        };
        Ok(ConsentSummary {
            storage: state(ConsentPurpose::Storage),
            prosecution: state(ConsentPurpose::Prosecution),
            publication: state(ConsentPurpose::Publication),
        })
    }
}

/// A statement as a list shows it: who, when, and consent at a glance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementRow {
    pub id: String,
    pub title: String,
    pub witness_pseudonym: String,
    pub interview_date: Option<String>,
    pub language: String,
    pub version: i64,
    pub consent: ConsentSummary,
}

impl Library {
    /// The case's live statements with their witness and consent summary, in one query.
    pub fn statement_rows(&self, case_id: &str) -> Result<Vec<StatementRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.id, s.title, p.pseudonym, s.interview_date, s.language, s.version,
                    (SELECT CASE WHEN c.withdrawn_on IS NOT NULL THEN 'withdrawn' WHEN c.granted THEN 'granted' ELSE 'refused' END
                       FROM consents c WHERE c.statement_id = s.id AND c.purpose = 'storage'),
                    (SELECT CASE WHEN c.withdrawn_on IS NOT NULL THEN 'withdrawn' WHEN c.granted THEN 'granted' ELSE 'refused' END
                       FROM consents c WHERE c.statement_id = s.id AND c.purpose = 'prosecution'),
                    (SELECT CASE WHEN c.withdrawn_on IS NOT NULL THEN 'withdrawn' WHEN c.granted THEN 'granted' ELSE 'refused' END
                       FROM consents c WHERE c.statement_id = s.id AND c.purpose = 'publication')
             FROM statements s JOIN persons p ON p.id = s.witness_id
             WHERE s.case_id = ?1 AND s.deleted_at IS NULL
             ORDER BY s.interview_date IS NULL, s.interview_date, s.title COLLATE casefile",
        )?;
        let state = |v: Option<String>| match v.as_deref() {
            Some("granted") => ConsentState::Granted,
            Some("refused") => ConsentState::Refused,
            Some("withdrawn") => ConsentState::Withdrawn,
            _ => ConsentState::Unknown,
        };
        let rows = stmt.query_map([case_id], |r| {
            Ok(StatementRow {
                id: r.get(0)?,
                title: r.get(1)?,
                witness_pseudonym: r.get(2)?,
                interview_date: r.get(3)?,
                language: r.get(4)?,
                version: r.get(5)?,
                consent: ConsentSummary {
                    storage: state(r.get(6)?),
                    prosecution: state(r.get(7)?),
                    publication: state(r.get(8)?),
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
