//! Incidents: what happened, when (honestly uncertain), where, to what, with what, and how
//! sure we are that it was a violation.

use crate::dates::{self, DateInput, DatePrecision};
use crate::error::{Error, Result};
use crate::records::vocab;
use crate::records::{self, INCIDENTS};
use crate::store::library::Library;
use crate::{store, validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LocationPrecision {
    Exact,
    Vicinity,
    Locality,
    Region,
}

impl std::str::FromStr for LocationPrecision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim() {
            "exact" => LocationPrecision::Exact,
            "vicinity" => LocationPrecision::Vicinity,
            "locality" => LocationPrecision::Locality,
            "region" => LocationPrecision::Region,
            other => {
                return Err(Error::invalid(
                    "location_precision",
                    format!("location precision must be exact, vicinity, locality or region, not \"{other}\""),
                ))
            }
        })
    }
}

/// One casualty figure (killed or injured) and who reported it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Casualty {
    /// "killed" or "injured".
    pub kind: String,
    pub total: Option<u32>,
    pub civilians: Option<u32>,
    pub children: Option<u32>,
    #[serde(default)]
    pub reported_by: String,
}

/// An incident as stored (one column per field).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Incident {
    pub id: String,
    pub case_id: String,
    pub title: String,
    pub description: String,
    pub date_precision: DatePrecision,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub date_lo: Option<String>,
    pub date_hi: Option<String>,
    pub timezone: Option<String>,
    pub place_name: String,
    pub country: String,
    pub oblast: String,
    pub raion: String,
    pub settlement: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_precision: Option<LocationPrecision>,
    pub types: Vec<String>,
    pub protected_objects: Vec<String>,
    pub weapons: Vec<String>,
    pub violation_status: String,
    pub casualties: Vec<Casualty>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

/// What a user gives for an incident (creating, or editing: the whole form).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentInput {
    pub title: String,
    pub description: String,
    pub date: DateInput,
    pub place_name: String,
    pub country: String,
    pub oblast: String,
    pub raion: String,
    pub settlement: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_precision: Option<LocationPrecision>,
    pub types: Vec<String>,
    pub protected_objects: Vec<String>,
    pub weapons: Vec<String>,
    pub violation_status: Option<String>,
    pub casualties: Vec<Casualty>,
    pub tags: Vec<String>,
}

impl Incident {
    /// The form values that would produce this incident.
    pub fn to_input(&self) -> IncidentInput {
        IncidentInput {
            title: self.title.clone(),
            description: self.description.clone(),
            date: DateInput {
                precision: self.date_precision,
                from: self.date_from.clone(),
                to: self.date_to.clone(),
                timezone: self.timezone.clone(),
            },
            place_name: self.place_name.clone(),
            country: self.country.clone(),
            oblast: self.oblast.clone(),
            raion: self.raion.clone(),
            settlement: self.settlement.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            location_precision: self.location_precision,
            types: self.types.clone(),
            protected_objects: self.protected_objects.clone(),
            weapons: self.weapons.clone(),
            violation_status: Some(self.violation_status.clone()),
            casualties: self.casualties.clone(),
            tags: self.tags.clone(),
        }
    }
}

/// Parses a coordinate typed as text ("47.0971", "47,0971") with [`validate::coordinate`];
/// empty means none.
pub fn parse_coordinate(field: &'static str, s: &str) -> Result<Option<f64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    validate::coordinate(field, s).map(Some)
}

fn clean_list(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// Checks an input against the rules and the vocabularies; returns the stored form's fields.
fn checked(conn: &rusqlite::Connection, input: &IncidentInput, base: Incident) -> Result<Incident> {
    let title = validate::required_text("title", &input.title, 300)?;
    let description = validate::long_text("description", &input.description, 100_000)?;
    let date = dates::check(&input.date)?;
    let line = |f: &'static str, v: &str| validate::optional_text(f, v, 200);
    let (latitude, longitude) = match (input.latitude, input.longitude) {
        (None, None) => (None, None),
        (Some(lat), Some(lon)) => {
            if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                return Err(Error::invalid(
                    "latitude",
                    format!("latitude {lat} is outside -90..90"),
                ));
            }
            if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                return Err(Error::invalid(
                    "longitude",
                    format!("longitude {lon} is outside -180..180"),
                ));
            }
            (Some(lat), Some(lon))
        }
        (Some(_), None) => {
            return Err(Error::invalid(
                "longitude",
                "a point needs a longitude as well as a latitude",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                "latitude",
                "a point needs a latitude as well as a longitude",
            ))
        }
    };
    let types = clean_list(&input.types);
    vocab::check_all(conn, "types", "incident_type", &types)?;
    let protected_objects = clean_list(&input.protected_objects);
    vocab::check_all(
        conn,
        "protected_objects",
        "protected_object",
        &protected_objects,
    )?;
    let weapons = clean_list(&input.weapons);
    vocab::check_all(conn, "weapons", "weapon", &weapons)?;
    let violation_status = input
        .violation_status
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    vocab::check(
        conn,
        "violation_status",
        "violation_status",
        &violation_status,
    )?;
    let mut casualties = Vec::new();
    for c in &input.casualties {
        if c.kind != "killed" && c.kind != "injured" {
            return Err(Error::invalid(
                "casualties",
                format!(
                    "a casualty figure is \"killed\" or \"injured\", not \"{}\"",
                    c.kind
                ),
            ));
        }
        if let Some(total) = c.total {
            for (name, part) in [("civilians", c.civilians), ("children", c.children)] {
                if part.is_some_and(|p| p > total) {
                    return Err(Error::invalid(
                        "casualties",
                        format!(
                            "{} {name} is more than the {} total of {total}",
                            c.kind, c.kind
                        ),
                    ));
                }
            }
        }
        casualties.push(Casualty {
            reported_by: validate::optional_text("casualties", &c.reported_by, 300)?,
            ..c.clone()
        });
    }
    let tags = clean_list(&input.tags);
    for t in &tags {
        validate::required_text("tags", t, 60)?;
    }
    Ok(Incident {
        title,
        description,
        date_precision: date.precision,
        date_from: date.from,
        date_to: date.to,
        date_lo: date.lo,
        date_hi: date.hi,
        timezone: date.timezone,
        place_name: line("place_name", &input.place_name)?,
        country: line("country", &input.country)?,
        oblast: line("oblast", &input.oblast)?,
        raion: line("raion", &input.raion)?,
        settlement: line("settlement", &input.settlement)?,
        latitude,
        longitude,
        location_precision: input.location_precision,
        types,
        protected_objects,
        weapons,
        violation_status,
        casualties,
        tags,
        ..base
    })
}

impl Library {
    pub fn create_incident(&mut self, case_id: &str, input: IncidentInput) -> Result<Incident> {
        self.write(|tx| {
            records::create_row(tx, &INCIDENTS, case_id, |conn, base: Incident| {
                checked(conn, &input, base)
            })
        })
    }

    /// Replaces an incident's fields with `input` (the whole form); a new custody entry names
    /// the fields that changed.
    pub fn edit_incident(&mut self, id: &str, input: IncidentInput) -> Result<Incident> {
        self.write(|tx| {
            records::edit_row(tx, &INCIDENTS, id, |conn, old: Incident| {
                checked(conn, &input, old)
            })
        })
    }

    pub fn get_incident(&self, id: &str) -> Result<Incident> {
        store::must_load(self.conn(), &INCIDENTS, id)
    }

    /// The case's incidents that are not deleted, by date (undated last), then title.
    pub fn list_incidents(&self, case_id: &str) -> Result<Vec<Incident>> {
        store::list(
            self.conn(),
            &INCIDENTS,
            "case_id = ?1 AND deleted_at IS NULL",
            &[&case_id],
            "date_lo IS NULL, date_lo, title",
        )
    }
}

/// An incident as a list shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub date_precision: DatePrecision,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub place_name: String,
    pub settlement: String,
    pub oblast: String,
    pub violation_status: String,
    pub types: Vec<String>,
}

impl Library {
    /// The case's live incidents, lightly, for long lists.
    pub fn incident_rows(&self, case_id: &str) -> Result<Vec<IncidentRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, title, date_precision, date_from, date_to, place_name, settlement, oblast, violation_status, types
             FROM incidents WHERE case_id = ?1 AND deleted_at IS NULL ORDER BY date_lo IS NULL, date_lo, title COLLATE casefile",
        )?;
        let rows = stmt.query_map([case_id], |r| {
            let precision: String = r.get(2)?;
            let types: String = r.get(9)?;
            Ok(IncidentRow {
                id: r.get(0)?,
                title: r.get(1)?,
                date_precision: precision.parse().unwrap_or_default(),
                date_from: r.get(3)?,
                date_to: r.get(4)?,
                place_name: r.get(5)?,
                settlement: r.get(6)?,
                oblast: r.get(7)?,
                violation_status: r.get(8)?,
                types: serde_json::from_str(&types).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
