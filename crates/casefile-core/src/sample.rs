//! A sample case, clearly marked as one, built from public reporting: the U.S. State
//! Department's assessment of 23 March 2022 that members of Russia's forces committed war crimes
//! in Ukraine, and incidents in Mariupol named in it. Built through the ordinary operations, so
//! it has a custody log like any case. Statements are summaries of public remarks, not quotes.

use crate::dates::{DateInput, DatePrecision};
use crate::error::Result;
use crate::records::acts::InvolvementInput;
use crate::records::cases::{Case, NewCase};
use crate::records::incidents::{Casualty, IncidentInput, LocationPrecision};
use crate::records::persons::{Identity, PersonInput};
use crate::records::statements::{ConsentInput, ConsentPurpose, StatementInput};
use crate::records::units::UnitInput;
use crate::store::library::Library;

pub const SAMPLE_REFERENCE: &str = "SAMPLE-UA-MAR-2022";

fn day(d: &str) -> DateInput {
    DateInput {
        precision: DatePrecision::Day,
        from: Some(d.into()),
        to: None,
        timezone: Some("Europe/Kyiv".into()),
    }
}

fn mariupol(place: &str) -> IncidentInput {
    IncidentInput {
        place_name: place.into(),
        country: "Ukraine".into(),
        oblast: "Donetsk".into(),
        raion: "Mariupol".into(),
        settlement: "Mariupol".into(),
        // The city, not the building: the sample does not claim an exact point.
        latitude: Some(47.0958),
        longitude: Some(37.5494),
        location_precision: Some(LocationPrecision::Locality),
        violation_status: Some("likely".into()),
        tags: vec!["sample".into(), "Mariupol siege".into()],
        ..Default::default()
    }
}

impl Library {
    /// Loads the sample case, or returns it if this library already has it.
    pub fn load_sample(&mut self) -> Result<Case> {
        if let Some(c) = self
            .list_cases()?
            .into_iter()
            .find(|c| c.reference.as_deref() == Some(SAMPLE_REFERENCE))
        {
            return Ok(c);
        }
        let case = self.create_case(NewCase {
            title: "SAMPLE — Mariupol, March 2022: U.S. war crimes assessment".into(),
            reference: Some(SAMPLE_REFERENCE.into()),
            description:
                "A SAMPLE CASE for learning Casefile, built from public reporting. It is not an \
investigation. On 23 March 2022 the U.S. Secretary of State announced that, based on information \
then available, the U.S. government assessed that members of Russia's forces had committed war \
crimes in Ukraine, citing attacks in Mariupol among others. The incidents and statements here \
summarise that public record."
                    .into(),
        })?;
        let cid = case.id.clone();

        let hospital = self.create_incident(&cid, IncidentInput {
            title: "Strike on Maternity Hospital No. 3, Mariupol".into(),
            description: "An airstrike hit the maternity and children's hospital complex in Mariupol. \
Ukrainian officials reported that three people, including a child, were killed and seventeen injured. \
Named in the U.S. assessment of 23 March 2022."
                .into(),
            date: day("2022-03-09"),
            types: vec!["attack_medical".into()],
            protected_objects: vec!["hospital".into()],
            weapons: vec!["air_bomb".into()],
            casualties: vec![
                Casualty { kind: "killed".into(), total: Some(3), civilians: Some(3), children: Some(1), reported_by: "Ukrainian officials".into() },
                Casualty { kind: "injured".into(), total: Some(17), civilians: None, children: None, reported_by: "Ukrainian officials".into() },
            ],
            ..mariupol("Maternity Hospital No. 3")
        })?;
        let theatre = self.create_incident(
            &cid,
            IncidentInput {
                title: "Strike on the Drama Theatre, Mariupol".into(),
                description:
                    "The Donetsk Regional Academic Drama Theatre, where hundreds of civilians were \
sheltering, was struck. The word \"children\" had been written in Russian in large letters on the \
ground outside, visible from the air. The number of dead is disputed. Named in the U.S. assessment \
of 23 March 2022."
                        .into(),
                date: day("2022-03-16"),
                types: vec!["attack_cultural".into(), "attack_shelter".into()],
                protected_objects: vec!["cultural".into(), "shelter".into()],
                weapons: vec!["air_bomb".into()],
                ..mariupol("Donetsk Regional Academic Drama Theatre")
            },
        )?;
        let school = self.create_incident(
            &cid,
            IncidentInput {
                title: "Strike on Art School No. 12, Mariupol".into(),
                description:
                    "Ukrainian officials reported that an art school where about 400 people were \
sheltering was bombed. Named in the U.S. assessment of 23 March 2022."
                        .into(),
                date: day("2022-03-20"),
                types: vec!["attack_school".into(), "attack_shelter".into()],
                protected_objects: vec!["school".into(), "shelter".into()],
                weapons: vec!["air_bomb".into()],
                ..mariupol("Art School No. 12")
            },
        )?;

        let secretary = self.create_person(
            &cid,
            PersonInput {
                pseudonym: "S-001".into(),
                roles: vec!["source".into()],
                description: "U.S. Secretary of State (public statement).".into(),
                ..Default::default()
            },
        )?;
        self.set_identity(
            &secretary.id,
            Identity {
                real_name: "Antony J. Blinken".into(),
                notes: "Public official; sample data.".into(),
                ..Default::default()
            },
        )?;
        let ambassador = self.create_person(
            &cid,
            PersonInput {
                pseudonym: "S-002".into(),
                roles: vec!["source".into()],
                description:
                    "U.S. Ambassador-at-Large for Global Criminal Justice (public remarks).".into(),
                ..Default::default()
            },
        )?;
        self.set_identity(
            &ambassador.id,
            Identity {
                real_name: "Beth Van Schaack".into(),
                notes: "Public official; sample data.".into(),
                ..Default::default()
            },
        )?;

        let s1 = self.create_statement(&cid, StatementInput {
            witness_id: secretary.id.clone(),
            title: "Statement: War Crimes by Russia's Forces in Ukraine".into(),
            interview_date: "2022-03-23".into(),
            interview_place: "Washington, D.C. (public statement)".into(),
            language: "en".into(),
            mode: "remote".into(),
            connection: "official".into(),
            reliability: "high".into(),
            text: "Summary. The Secretary of State announced that, based on information currently \
available, the U.S. government assesses that members of Russia's forces have committed war crimes in \
Ukraine. The assessment rested on a careful review of public and intelligence sources. The statement \
cited attacks that destroyed apartment buildings, schools, hospitals and critical infrastructure, and \
named the strike on the Mariupol maternity hospital, the Mariupol drama theatre marked \"children\", \
and an art school sheltering about 400 people. It said the U.S. would share its information with \
allies, partners and institutions pursuing accountability."
                .into(),
            ..Default::default()
        })?;
        let s2 = self.create_statement(&cid, StatementInput {
            witness_id: ambassador.id.clone(),
            title: "Remarks on documenting war crimes in Ukraine".into(),
            interview_place: "Public remarks".into(),
            language: "en".into(),
            mode: "remote".into(),
            connection: "official".into(),
            reliability: "high".into(),
            text: "Summary. The Ambassador-at-Large for Global Criminal Justice spoke publicly about the \
U.S. war crimes assessment and the work of documenting atrocities in Ukraine so that evidence can \
support accountability in national and international courts."
                .into(),
            ..Default::default()
        })?;
        for s in [&s1, &s2] {
            for p in ConsentPurpose::ALL {
                self.set_consent(
                    &s.id,
                    ConsentInput {
                        purpose: p,
                        granted: true,
                        given_on: "2022-03-23".into(),
                        method: "Public statement: no consent needed for reuse".into(),
                    },
                )?;
            }
        }
        for inc in [&hospital, &theatre, &school] {
            self.link(
                "statement",
                &s1.id,
                "describes",
                "incident",
                &inc.id,
                "Named in the statement.",
            )?;
        }
        self.link("statement", &s2.id, "corroborates", "statement", &s1.id, "")?;

        let forces = self.create_unit(
            &cid,
            UnitInput {
                name: "Armed Forces of the Russian Federation".into(),
                kind: "military_unit".into(),
                affiliation: "Russian Federation".into(),
                description:
                    "Named as a whole in the assessment; no formation identified in this sample."
                        .into(),
            },
        )?;
        for inc in [&hospital, &theatre, &school] {
            self.create_involvement(
                &cid,
                InvolvementInput {
                    perpetrator_unit_id: Some(forces.id.clone()),
                    incident_id: Some(inc.id.clone()),
                    degree: "unknown".into(),
                    notes: "Attributed to Russia's forces in the U.S. assessment of 23 March 2022."
                        .into(),
                    ..Default::default()
                },
            )?;
        }
        Ok(case)
    }
}
