//! Units and organisations: military formations, armed groups, authorities, as actors.

use crate::error::Result;
use crate::records::vocab;
use crate::records::{self, UNITS};
use crate::store::library::Library;
use crate::{store, validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub case_id: String,
    pub name: String,
    pub kind: String,
    /// The formation or state it belongs to ("Armed Forces of the Russian Federation").
    pub affiliation: String,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitInput {
    pub name: String,
    pub kind: String,
    pub affiliation: String,
    pub description: String,
}

fn checked(conn: &rusqlite::Connection, input: &UnitInput, mut u: Unit) -> Result<Unit> {
    u.name = validate::required_text("name", &input.name, 300)?;
    u.kind = input.kind.trim().to_string();
    if !u.kind.is_empty() {
        vocab::check(conn, "kind", "unit_kind", &u.kind)?;
    }
    u.affiliation = validate::optional_text("affiliation", &input.affiliation, 300)?;
    u.description = validate::long_text("description", &input.description, 10_000)?;
    Ok(u)
}

impl Library {
    pub fn create_unit(&mut self, case_id: &str, input: UnitInput) -> Result<Unit> {
        self.write(|tx| {
            records::create_row(tx, &UNITS, case_id, |conn, base: Unit| {
                checked(conn, &input, base)
            })
        })
    }

    pub fn edit_unit(&mut self, id: &str, input: UnitInput) -> Result<Unit> {
        self.write(|tx| {
            records::edit_row(tx, &UNITS, id, |conn, old: Unit| checked(conn, &input, old))
        })
    }

    pub fn get_unit(&self, id: &str) -> Result<Unit> {
        store::must_load(self.conn(), &UNITS, id)
    }

    pub fn list_units(&self, case_id: &str) -> Result<Vec<Unit>> {
        store::list(
            self.conn(),
            &UNITS,
            "case_id = ?1 AND deleted_at IS NULL",
            &[&case_id],
            "name COLLATE casefile",
        )
    }
}
