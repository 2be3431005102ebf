//! Acts ("who did what to whom"): an incident's effect on a victim, person or group; and
//! involvements: an alleged perpetrator, person or unit, tied to an incident or act with a
//! degree of involvement.

use crate::error::{Error, Result};
use crate::records::links::live_label;
use crate::records::vocab;
use crate::records::{self, ACTS, INVOLVEMENTS};
use crate::store::library::Library;
use crate::{store, validate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Act {
    pub id: String,
    pub case_id: String,
    pub incident_id: String,
    pub victim_person_id: Option<String>,
    /// A group of victims when no one person is named ("patients and staff").
    pub victim_group: String,
    pub act_type: String,
    pub consequences: String,
    pub label: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ActInput {
    pub incident_id: String,
    pub victim_person_id: Option<String>,
    pub victim_group: String,
    pub act_type: String,
    pub consequences: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Involvement {
    pub id: String,
    pub case_id: String,
    pub perpetrator_person_id: Option<String>,
    pub perpetrator_unit_id: Option<String>,
    pub incident_id: Option<String>,
    pub act_id: Option<String>,
    pub degree: String,
    pub notes: String,
    pub label: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InvolvementInput {
    pub perpetrator_person_id: Option<String>,
    pub perpetrator_unit_id: Option<String>,
    pub incident_id: Option<String>,
    pub act_id: Option<String>,
    pub degree: String,
    pub notes: String,
}

fn some(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

impl Library {
    pub fn create_act(&mut self, case_id: &str, input: ActInput) -> Result<Act> {
        self.write(|tx| {
            let c = tx.conn();
            records::ensure_live_case(c, case_id)?;
            let incident = live_label(
                c,
                "incident_id",
                "incident",
                input.incident_id.trim(),
                case_id,
            )?;
            let victim_person_id = some(&input.victim_person_id);
            let victim = match &victim_person_id {
                Some(p) => live_label(c, "victim_person_id", "person", p, case_id)?,
                None => validate::required_text("victim_group", &input.victim_group, 300).map_err(
                    |_| Error::invalid("victim_group", "name the victim: a person, or a group"),
                )?,
            };
            vocab::check(c, "act_type", "act_type", input.act_type.trim())?;
            let now = tx.now().to_string();
            let a = Act {
                id: crate::new_id(),
                case_id: case_id.into(),
                incident_id: input.incident_id.trim().into(),
                victim_person_id,
                victim_group: validate::optional_text("victim_group", &input.victim_group, 300)?,
                act_type: input.act_type.trim().into(),
                consequences: validate::long_text("consequences", &input.consequences, 10_000)?,
                label: format!(
                    "{} of {victim} in {incident}",
                    input.act_type.trim().replace('_', " ")
                ),
                created_at: now.clone(),
                updated_at: now,
                deleted_at: None,
                deleted_reason: None,
            };
            records::insert_logged(tx, &ACTS, case_id, &a.id, &a, "create", |_| Ok(None))?;
            Ok(a)
        })
    }

    pub fn list_acts(&self, incident_id: &str) -> Result<Vec<Act>> {
        store::list(
            self.conn(),
            &ACTS,
            "incident_id = ?1 AND deleted_at IS NULL",
            &[&incident_id],
            "created_at",
        )
    }

    pub fn create_involvement(
        &mut self,
        case_id: &str,
        input: InvolvementInput,
    ) -> Result<Involvement> {
        self.write(|tx| {
            let c = tx.conn();
            records::ensure_live_case(c, case_id)?;
            let (pp, pu) = (
                some(&input.perpetrator_person_id),
                some(&input.perpetrator_unit_id),
            );
            let who = match (&pp, &pu) {
                (Some(p), None) => live_label(c, "perpetrator_person_id", "person", p, case_id)?,
                (None, Some(u)) => live_label(c, "perpetrator_unit_id", "unit", u, case_id)?,
                _ => {
                    return Err(Error::invalid(
                        "perpetrator_person_id",
                        "name one alleged perpetrator: a person or a unit",
                    ))
                }
            };
            let (inc, act) = (some(&input.incident_id), some(&input.act_id));
            let what = match (&inc, &act) {
                (_, Some(a)) => live_label(c, "act_id", "act", a, case_id)?,
                (Some(i), None) => live_label(c, "incident_id", "incident", i, case_id)?,
                (None, None) => {
                    return Err(Error::invalid(
                        "incident_id",
                        "say which incident or act they were involved in",
                    ))
                }
            };
            vocab::check(c, "degree", "involvement_degree", input.degree.trim())?;
            let now = tx.now().to_string();
            let v = Involvement {
                id: crate::new_id(),
                case_id: case_id.into(),
                perpetrator_person_id: pp,
                perpetrator_unit_id: pu,
                incident_id: inc,
                act_id: act,
                degree: input.degree.trim().into(),
                notes: validate::long_text("notes", &input.notes, 10_000)?,
                label: format!(
                    "{who} ({}) in {what}",
                    input.degree.trim().replace('_', " ")
                ),
                created_at: now.clone(),
                updated_at: now,
                deleted_at: None,
                deleted_reason: None,
            };
            records::insert_logged(tx, &INVOLVEMENTS, case_id, &v.id, &v, "create", |_| {
                Ok(None)
            })?;
            Ok(v)
        })
    }

    /// Involvements in an incident, directly or through one of its acts.
    pub fn list_involvements(&self, incident_id: &str) -> Result<Vec<Involvement>> {
        store::list(
            self.conn(),
            &INVOLVEMENTS,
            "deleted_at IS NULL AND (incident_id = ?1 OR act_id IN (SELECT id FROM acts WHERE incident_id = ?1))",
            &[&incident_id],
            "created_at",
        )
    }
}
