//! People (victims, witnesses, sources, alleged perpetrators), known in the case by a pseudonym
//! code. Identifying details live in a separate restricted record that is never listed or
//! searched, and is read only through [`Library::reveal_identity`], which is itself logged.

use crate::error::{Error, Result};
use crate::records::vocab;
use crate::records::{self, IDENTITIES, PERSONS};
use crate::store::library::Library;
use crate::{store, validate};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub case_id: String,
    pub pseudonym: String,
    pub roles: Vec<String>,
    /// Public, non-identifying description ("resident of the building, in her 40s").
    pub description: String,
    pub gender: String,
    pub age_group: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonInput {
    /// Empty: a code is generated from the first role (W-001, V-001, S-001, P-001).
    pub pseudonym: String,
    pub roles: Vec<String>,
    pub description: String,
    pub gender: String,
    pub age_group: String,
}

/// The restricted identifying details of a person.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Identity {
    pub real_name: String,
    pub date_of_birth: String,
    pub contact: String,
    pub address: String,
    pub notes: String,
}

#[derive(Serialize, Deserialize)]
struct IdentityRow {
    id: String,
    real_name: String,
    date_of_birth: String,
    contact: String,
    address: String,
    notes: String,
    updated_at: String,
    /// Random, kept with the row: its digest in a custody log (which goes out in bundles that
    /// withhold the row) cannot be used to test a guessed name.
    #[serde(default)]
    salt: Option<String>,
}

/// A new random salt for an identity row (128 bits, hex).
pub(crate) fn new_salt() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Unavailable(format!("no secure random numbers: {e}")))?;
    Ok(hex::encode(b))
}

fn prefix(roles: &[String]) -> &'static str {
    match roles.first().map(String::as_str) {
        Some("witness") => "W",
        Some("victim") => "V",
        Some("source") => "S",
        Some("perpetrator") => "P",
        _ => "X",
    }
}

fn next_pseudonym(conn: &rusqlite::Connection, case_id: &str, prefix: &str) -> Result<String> {
    let mut n: i64 = conn.query_row(
        "SELECT count(*) FROM persons WHERE case_id = ?1 AND pseudonym LIKE ?2",
        rusqlite::params![case_id, format!("{prefix}-%")],
        |r| r.get(0),
    )?;
    loop {
        n += 1;
        let code = format!("{prefix}-{n:03}");
        let taken: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM persons WHERE case_id = ?1 AND pseudonym = ?2 COLLATE NOCASE",
                rusqlite::params![case_id, code],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_none() {
            return Ok(code);
        }
    }
}

fn check_pseudonym_free(
    conn: &rusqlite::Connection,
    case_id: &str,
    pseudonym: &str,
    except: &str,
) -> Result<()> {
    let taken: Option<String> = conn
        .query_row(
            "SELECT id FROM persons WHERE case_id = ?1 AND pseudonym = ?2 COLLATE NOCASE AND id <> ?3",
            rusqlite::params![case_id, pseudonym, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(Error::invalid(
            "pseudonym",
            format!("pseudonym {pseudonym} is already used in this case"),
        )),
        None => Ok(()),
    }
}

fn checked(conn: &rusqlite::Connection, input: &PersonInput, mut p: Person) -> Result<Person> {
    p.roles = input
        .roles
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    p.roles.dedup();
    vocab::check_all(conn, "roles", "person_role", &p.roles)?;
    let pseudonym = validate::optional_text("pseudonym", &input.pseudonym, 40)?;
    p.pseudonym = if pseudonym.is_empty() {
        next_pseudonym(conn, &p.case_id, prefix(&p.roles))?
    } else {
        pseudonym
    };
    check_pseudonym_free(conn, &p.case_id, &p.pseudonym, &p.id)?;
    p.description = validate::long_text("description", &input.description, 10_000)?;
    p.gender = validate::optional_text("gender", &input.gender, 40)?;
    p.age_group = validate::optional_text("age_group", &input.age_group, 40)?;
    Ok(p)
}

impl Library {
    pub fn create_person(&mut self, case_id: &str, input: PersonInput) -> Result<Person> {
        self.write(|tx| {
            records::create_row(tx, &PERSONS, case_id, |conn, base: Person| {
                checked(conn, &input, base)
            })
        })
    }

    pub fn edit_person(&mut self, id: &str, input: PersonInput) -> Result<Person> {
        self.write(|tx| {
            records::edit_row(tx, &PERSONS, id, |conn, old: Person| {
                checked(conn, &input, old)
            })
        })
    }

    pub fn get_person(&self, id: &str) -> Result<Person> {
        store::must_load(self.conn(), &PERSONS, id)
    }

    pub fn list_persons(&self, case_id: &str) -> Result<Vec<Person>> {
        store::list(
            self.conn(),
            &PERSONS,
            "case_id = ?1 AND deleted_at IS NULL",
            &[&case_id],
            "pseudonym COLLATE casefile",
        )
    }

    /// Whether a person has identifying details on record (without revealing them).
    pub fn has_identity(&self, person_id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM person_identities WHERE id = ?1",
                [person_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records or replaces a person's identifying details. The custody entry holds only a
    /// digest, never the details themselves.
    pub fn set_identity(&mut self, person_id: &str, identity: Identity) -> Result<()> {
        let row = IdentityRow {
            id: person_id.to_string(),
            real_name: validate::optional_text("real_name", &identity.real_name, 300)?,
            date_of_birth: crate::dates::check_partial("date_of_birth", &identity.date_of_birth)?,
            contact: validate::long_text("contact", &identity.contact, 2000)?,
            address: validate::long_text("address", &identity.address, 2000)?,
            notes: validate::long_text("notes", &identity.notes, 10_000)?,
            updated_at: String::new(),
            salt: None,
        };
        self.write(|tx| {
            let person: Person = store::must_load(tx.conn(), &PERSONS, person_id)?;
            let old = store::load::<IdentityRow>(tx.conn(), &IDENTITIES, person_id)?;
            let exists = old.is_some();
            let salt = match old.and_then(|o| o.salt) {
                Some(s) => s,
                None => new_salt()?,
            };
            let row = IdentityRow {
                updated_at: tx.now().to_string(),
                salt: Some(salt),
                ..row
            };
            if exists {
                records::update_logged(
                    tx,
                    &IDENTITIES,
                    &person.case_id,
                    person_id,
                    &row,
                    "edit",
                    |_| Ok(None),
                )?;
            } else {
                records::insert_logged(
                    tx,
                    &IDENTITIES,
                    &person.case_id,
                    person_id,
                    &row,
                    "create",
                    |_| Ok(None),
                )?;
            }
            Ok(())
        })
    }

    /// Reads a person's identifying details: an explicit act, recorded in the custody log.
    pub fn reveal_identity(&mut self, person_id: &str) -> Result<Option<Identity>> {
        self.write(|tx| {
            let person: Person = store::must_load(tx.conn(), &PERSONS, person_id)?;
            let row: Option<IdentityRow> = store::load(tx.conn(), &IDENTITIES, person_id)?;
            let Some(row) = row else { return Ok(None) };
            tx.log(
                "reveal",
                Some(&person.case_id),
                "identity",
                person_id,
                None,
                None,
            )?;
            Ok(Some(Identity {
                real_name: row.real_name,
                date_of_birth: row.date_of_birth,
                contact: row.contact,
                address: row.address,
                notes: row.notes,
            }))
        })
    }
}
