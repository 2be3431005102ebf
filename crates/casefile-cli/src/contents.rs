//! Subcommands for a case's contents: incidents, people, units, acts, statements and links.
//! Each `new` takes the fields as flags; each `edit` loads the record, applies only the flags
//! given, and saves it (one core call, one custody entry).

use crate::output::{print_json, say, visible_block, Table};
use crate::{show, Failure};
use casefile_core::acts::{ActInput, InvolvementInput};
use casefile_core::dates::DatePrecision;
use casefile_core::incidents::{
    parse_coordinate, Casualty, Incident, IncidentInput, LocationPrecision,
};
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::{ConsentInput, ConsentPurpose, StatementInput, Translation};
use casefile_core::units::UnitInput;
use casefile_core::{Error, Library};
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Subcommand)]
pub enum IncidentCmd {
    /// Create an incident in a case; prints its id.
    New {
        #[arg(long = "case")]
        case_id: String,
        #[command(flatten)]
        f: IncidentFields,
    },
    List {
        #[arg(long = "case")]
        case_id: String,
    },
    /// Show an incident with its links.
    Show { id: String },
    /// Change the fields given; the rest stay as they are.
    Edit {
        id: String,
        #[command(flatten)]
        f: IncidentFields,
    },
}

#[derive(Args, Default)]
pub struct IncidentFields {
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// exact, day, month, year or unknown.
    #[arg(long)]
    date_precision: Option<String>,
    /// At the precision: 2022-03-09T15:00, 2022-03-09, 2022-03 or 2022.
    #[arg(long)]
    date: Option<String>,
    /// The end of a date range, at the same precision.
    #[arg(long)]
    date_to: Option<String>,
    /// Europe/Kyiv, UTC or +02:00.
    #[arg(long)]
    timezone: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    oblast: Option<String>,
    #[arg(long)]
    raion: Option<String>,
    #[arg(long)]
    settlement: Option<String>,
    /// WGS84 degrees; give with --lon (empty to clear).
    #[arg(long, allow_hyphen_values = true)]
    lat: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    lon: Option<String>,
    /// exact, vicinity, locality or region.
    #[arg(long)]
    location_precision: Option<String>,
    /// Incident type codes (see `casefile vocab list incident_type`); repeat the flag.
    #[arg(long = "type")]
    types: Vec<String>,
    #[arg(long = "protected-object")]
    protected_objects: Vec<String>,
    #[arg(long = "weapon")]
    weapons: Vec<String>,
    /// confirmed, likely, possible, unlikely or unknown.
    #[arg(long)]
    violation_status: Option<String>,
    /// Casualties as KIND:TOTAL[:CIVILIANS[:CHILDREN]][@REPORTED BY], e.g. killed:3:3:1@city council.
    #[arg(long = "casualties")]
    casualties: Vec<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
}

fn parse_casualty(s: &str) -> Result<Casualty, Error> {
    let (figures, by) = s.split_once('@').unwrap_or((s, ""));
    let mut parts = figures.split(':');
    let kind = parts.next().unwrap_or("").trim().to_string();
    let mut num = |name: &str| -> Result<Option<u32>, Error> {
        match parts.next().map(str::trim).filter(|p| !p.is_empty()) {
            None => Ok(None),
            Some(p) => p.parse().map(Some).map_err(|_| {
                Error::invalid(
                    "casualties",
                    format!("{name} \"{p}\" is not a whole number"),
                )
            }),
        }
    };
    Ok(Casualty {
        kind,
        total: num("total")?,
        civilians: num("civilians")?,
        children: num("children")?,
        reported_by: by.trim().to_string(),
    })
}

impl IncidentFields {
    fn apply(self, mut i: IncidentInput) -> Result<IncidentInput, Error> {
        macro_rules! set { ($($f:ident => $t:ident),*) => { $( if let Some(v) = self.$f { i.$t = v; } )* } }
        set!(title => title, description => description, place => place_name, country => country, oblast => oblast, raion => raion, settlement => settlement);
        if let Some(p) = self.date_precision {
            i.date.precision = p.parse::<DatePrecision>()?;
        }
        if let Some(d) = self.date {
            i.date.from = Some(d);
            if i.date.precision == DatePrecision::Unknown {
                i.date.precision = guess_precision(i.date.from.as_deref().unwrap_or(""));
            }
        }
        if let Some(d) = self.date_to {
            i.date.to = Some(d);
        }
        if let Some(tz) = self.timezone {
            i.date.timezone = Some(tz);
        }
        if let Some(lat) = self.lat {
            i.latitude = parse_coordinate("latitude", &lat)?;
        }
        if let Some(lon) = self.lon {
            i.longitude = parse_coordinate("longitude", &lon)?;
        }
        if let Some(p) = self.location_precision {
            i.location_precision = Some(p.parse::<LocationPrecision>()?);
        }
        if !self.types.is_empty() {
            i.types = self.types;
        }
        if !self.protected_objects.is_empty() {
            i.protected_objects = self.protected_objects;
        }
        if !self.weapons.is_empty() {
            i.weapons = self.weapons;
        }
        if let Some(v) = self.violation_status {
            i.violation_status = Some(v);
        }
        if !self.casualties.is_empty() {
            i.casualties = self
                .casualties
                .iter()
                .map(|c| parse_casualty(c))
                .collect::<Result<_, _>>()?;
        }
        if !self.tags.is_empty() {
            i.tags = self.tags;
        }
        Ok(i)
    }
}

/// The precision a date as typed implies, when none was given.
fn guess_precision(d: &str) -> DatePrecision {
    match d.trim().len() {
        4 => DatePrecision::Year,
        7 => DatePrecision::Month,
        10 => DatePrecision::Day,
        _ => DatePrecision::Exact,
    }
}

fn precision_name(p: DatePrecision) -> String {
    format!("{p:?}").to_lowercase()
}

fn date_text(i: &Incident) -> String {
    match (&i.date_from, &i.date_to) {
        (None, _) => "unknown".into(),
        (Some(f), None) => format!("{f} ({})", precision_name(i.date_precision)),
        (Some(f), Some(t)) => format!("{f} – {t} ({})", precision_name(i.date_precision)),
    }
}

#[derive(Serialize)]
struct WithLinks<T: Serialize> {
    #[serde(flatten)]
    record: T,
    links: Vec<casefile_core::links::LinkView>,
}

fn print_links(links: &[casefile_core::links::LinkView]) {
    if links.is_empty() {
        return;
    }
    say!("links:");
    for l in links {
        let arrow = if l.direction == "out" {
            format!("{} →", l.link_type)
        } else {
            format!("← {}", l.link_type)
        };
        say!(
            "  {arrow} {} {} ({})",
            l.other.record_type,
            l.other.label,
            l.other.id
        );
    }
}

pub fn incident(lib: &mut Library, json: bool, cmd: IncidentCmd) -> Result<(), Failure> {
    match cmd {
        IncidentCmd::New { case_id, f } => {
            let i = lib.create_incident(&case_id, f.apply(IncidentInput::default())?)?;
            show(json, &i, |i| say!("{}", i.id));
        }
        IncidentCmd::List { case_id } => {
            lib.get_case(&case_id)?;
            show(json, &lib.list_incidents(&case_id)?, |list| {
                let mut t = Table::new(&["ID", "DATE", "PLACE", "TITLE"]);
                for i in list {
                    t.row(vec![
                        i.id.clone(),
                        date_text(i),
                        i.place_name.clone(),
                        i.title.clone(),
                    ]);
                }
                t.print();
            });
        }
        IncidentCmd::Show { id } => {
            let w = WithLinks {
                record: lib.get_incident(&id)?,
                links: lib.links_of(&id)?,
            };
            show(json, &w, |w| {
                let i = &w.record;
                say!("id:          {}", i.id);
                say!("title:       {}", i.title);
                say!(
                    "date:        {}{}",
                    date_text(i),
                    i.timezone
                        .as_deref()
                        .map(|t| format!(" {t}"))
                        .unwrap_or_default()
                );
                let admin: Vec<&str> = [&i.settlement, &i.raion, &i.oblast, &i.country]
                    .iter()
                    .map(|s| s.as_str())
                    .filter(|s| !s.is_empty())
                    .collect();
                say!(
                    "place:       {} {}",
                    i.place_name,
                    if admin.is_empty() {
                        String::new()
                    } else {
                        format!("({})", admin.join(", "))
                    }
                );
                if let (Some(lat), Some(lon)) = (i.latitude, i.longitude) {
                    say!(
                        "point:       {lat}, {lon} ({:?})",
                        i.location_precision.unwrap_or(LocationPrecision::Locality)
                    );
                }
                say!("types:       {}", i.types.join(", "));
                say!("violation:   {}", i.violation_status);
                for c in &i.casualties {
                    say!(
                        "{:<12} {} (civilians {}, children {}) reported by {}",
                        format!("{}:", c.kind),
                        opt(c.total),
                        opt(c.civilians),
                        opt(c.children),
                        c.reported_by
                    );
                }
                if !i.tags.is_empty() {
                    say!("tags:        {}", i.tags.join(", "));
                }
                if !i.description.is_empty() {
                    say!("description:");
                    println!("{}", visible_block(&i.description));
                }
                print_links(&w.links);
            });
        }
        IncidentCmd::Edit { id, f } => {
            let current = lib.get_incident(&id)?.to_input();
            let i = lib.edit_incident(&id, f.apply(current)?)?;
            show(json, &i, |i| say!("saved {}", i.id));
        }
    }
    Ok(())
}

fn opt(v: Option<u32>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "?".into())
}

#[derive(Subcommand)]
pub enum PersonCmd {
    /// Create a person; prints the id and pseudonym.
    New {
        #[arg(long = "case")]
        case_id: String,
        #[command(flatten)]
        f: PersonFields,
    },
    List {
        #[arg(long = "case")]
        case_id: String,
    },
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[command(flatten)]
        f: PersonFields,
    },
    /// Record the person's identifying details (kept apart, never listed or exported by default).
    SetIdentity {
        id: String,
        #[arg(long, default_value = "")]
        real_name: String,
        /// As precisely as it is known: YYYY, YYYY-MM or YYYY-MM-DD.
        #[arg(long, default_value = "")]
        date_of_birth: String,
        #[arg(long, default_value = "")]
        contact: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Show the identifying details (recorded in the custody log).
    RevealIdentity {
        id: String,
    },
}

#[derive(Args, Default)]
pub struct PersonFields {
    /// Generated from the first role when omitted (W-001, V-001, S-001, P-001).
    #[arg(long)]
    pseudonym: Option<String>,
    /// victim, witness, source or perpetrator; repeat the flag.
    #[arg(long = "role")]
    roles: Vec<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    gender: Option<String>,
    #[arg(long)]
    age_group: Option<String>,
}

impl PersonFields {
    fn apply(self, mut p: PersonInput) -> PersonInput {
        if let Some(v) = self.pseudonym {
            p.pseudonym = v;
        }
        if !self.roles.is_empty() {
            p.roles = self.roles;
        }
        if let Some(v) = self.description {
            p.description = v;
        }
        if let Some(v) = self.gender {
            p.gender = v;
        }
        if let Some(v) = self.age_group {
            p.age_group = v;
        }
        p
    }
}

pub fn person(lib: &mut Library, json: bool, cmd: PersonCmd) -> Result<(), Failure> {
    match cmd {
        PersonCmd::New { case_id, f } => {
            let p = lib.create_person(&case_id, f.apply(PersonInput::default()))?;
            show(json, &p, |p| say!("{} {}", p.id, p.pseudonym));
        }
        PersonCmd::List { case_id } => {
            lib.get_case(&case_id)?;
            show(json, &lib.list_persons(&case_id)?, |list| {
                let mut t = Table::new(&["ID", "PSEUDONYM", "ROLES", "DESCRIPTION"]);
                for p in list {
                    t.row(vec![
                        p.id.clone(),
                        p.pseudonym.clone(),
                        p.roles.join(","),
                        p.description.lines().next().unwrap_or("").to_string(),
                    ]);
                }
                t.print();
            });
        }
        PersonCmd::Show { id } => {
            let w = WithLinks {
                record: lib.get_person(&id)?,
                links: lib.links_of(&id)?,
            };
            let has_identity = lib.has_identity(&id)?;
            show(json, &w, |w| {
                let p = &w.record;
                say!("id:          {}", p.id);
                say!("pseudonym:   {}", p.pseudonym);
                say!("roles:       {}", p.roles.join(", "));
                say!(
                    "identity:    {}",
                    if has_identity {
                        "on record (casefile person reveal-identity ID)"
                    } else {
                        "none recorded"
                    }
                );
                if !p.description.is_empty() {
                    say!("description: {}", p.description);
                }
                print_links(&w.links);
            });
        }
        PersonCmd::Edit { id, f } => {
            let p = lib.get_person(&id)?;
            let input = PersonInput {
                pseudonym: p.pseudonym,
                roles: p.roles,
                description: p.description,
                gender: p.gender,
                age_group: p.age_group,
            };
            let p = lib.edit_person(&id, f.apply(input))?;
            show(json, &p, |p| say!("saved {} {}", p.id, p.pseudonym));
        }
        PersonCmd::SetIdentity {
            id,
            real_name,
            date_of_birth,
            contact,
            address,
            notes,
        } => {
            lib.set_identity(
                &id,
                Identity {
                    real_name,
                    date_of_birth,
                    contact,
                    address,
                    notes,
                },
            )?;
            if json {
                print_json(&serde_json::json!({ "ok": true }))
            } else {
                say!("identity recorded")
            }
        }
        PersonCmd::RevealIdentity { id } => {
            show(json, &lib.reveal_identity(&id)?, |i| match i {
                None => say!("no identifying details are recorded"),
                Some(i) => {
                    say!("real name:     {}", i.real_name);
                    say!("date of birth: {}", i.date_of_birth);
                    say!("contact:       {}", i.contact);
                    say!("address:       {}", i.address);
                    say!("notes:         {}", i.notes);
                }
            });
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum UnitCmd {
    New {
        #[arg(long = "case")]
        case_id: String,
        #[command(flatten)]
        f: UnitFields,
    },
    List {
        #[arg(long = "case")]
        case_id: String,
    },
    Show {
        id: String,
    },
    Edit {
        id: String,
        #[command(flatten)]
        f: UnitFields,
    },
}

#[derive(Args, Default)]
pub struct UnitFields {
    #[arg(long)]
    name: Option<String>,
    /// military_unit, armed_group, security_service, authority, government or other.
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    affiliation: Option<String>,
    #[arg(long)]
    description: Option<String>,
}

impl UnitFields {
    fn apply(self, mut u: UnitInput) -> UnitInput {
        if let Some(v) = self.name {
            u.name = v;
        }
        if let Some(v) = self.kind {
            u.kind = v;
        }
        if let Some(v) = self.affiliation {
            u.affiliation = v;
        }
        if let Some(v) = self.description {
            u.description = v;
        }
        u
    }
}

pub fn unit(lib: &mut Library, json: bool, cmd: UnitCmd) -> Result<(), Failure> {
    match cmd {
        UnitCmd::New { case_id, f } => {
            let u = lib.create_unit(&case_id, f.apply(UnitInput::default()))?;
            show(json, &u, |u| say!("{}", u.id));
        }
        UnitCmd::List { case_id } => {
            lib.get_case(&case_id)?;
            show(json, &lib.list_units(&case_id)?, |list| {
                let mut t = Table::new(&["ID", "KIND", "NAME"]);
                for u in list {
                    t.row(vec![u.id.clone(), u.kind.clone(), u.name.clone()]);
                }
                t.print();
            });
        }
        UnitCmd::Show { id } => {
            let w = WithLinks {
                record: lib.get_unit(&id)?,
                links: lib.links_of(&id)?,
            };
            show(json, &w, |w| {
                say!("id:          {}", w.record.id);
                say!("name:        {}", w.record.name);
                say!("kind:        {}", w.record.kind);
                say!("affiliation: {}", w.record.affiliation);
                print_links(&w.links);
            });
        }
        UnitCmd::Edit { id, f } => {
            let u = lib.get_unit(&id)?;
            let input = UnitInput {
                name: u.name,
                kind: u.kind,
                affiliation: u.affiliation,
                description: u.description,
            };
            let u = lib.edit_unit(&id, f.apply(input))?;
            show(json, &u, |u| say!("saved {}", u.id));
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum ActCmd {
    /// An incident's effect on a victim (a person, or a group).
    New {
        #[arg(long = "case")]
        case_id: String,
        #[arg(long = "incident")]
        incident_id: String,
        #[arg(long = "victim")]
        victim_person_id: Option<String>,
        #[arg(long, default_value = "")]
        victim_group: String,
        /// An act type code (casefile vocab list act_type).
        #[arg(long = "type")]
        act_type: String,
        #[arg(long, default_value = "")]
        consequences: String,
    },
    /// An alleged perpetrator (--person or --unit) in an incident or act.
    Involve {
        #[arg(long = "case")]
        case_id: String,
        #[arg(long = "person")]
        person_id: Option<String>,
        #[arg(long = "unit")]
        unit_id: Option<String>,
        #[arg(long = "incident")]
        incident_id: Option<String>,
        #[arg(long = "act")]
        act_id: Option<String>,
        /// direct, ordered, command_responsibility, aided or unknown.
        #[arg(long)]
        degree: String,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// The acts and involvements of an incident.
    List {
        #[arg(long = "incident")]
        incident_id: String,
    },
}

pub fn act(lib: &mut Library, json: bool, cmd: ActCmd) -> Result<(), Failure> {
    match cmd {
        ActCmd::New {
            case_id,
            incident_id,
            victim_person_id,
            victim_group,
            act_type,
            consequences,
        } => {
            let a = lib.create_act(
                &case_id,
                ActInput {
                    incident_id,
                    victim_person_id,
                    victim_group,
                    act_type,
                    consequences,
                },
            )?;
            show(json, &a, |a| say!("{}", a.id));
        }
        ActCmd::Involve {
            case_id,
            person_id,
            unit_id,
            incident_id,
            act_id,
            degree,
            notes,
        } => {
            let v = lib.create_involvement(
                &case_id,
                InvolvementInput {
                    perpetrator_person_id: person_id,
                    perpetrator_unit_id: unit_id,
                    incident_id,
                    act_id,
                    degree,
                    notes,
                },
            )?;
            show(json, &v, |v| say!("{}", v.id));
        }
        ActCmd::List { incident_id } => {
            let acts = lib.list_acts(&incident_id)?;
            let involvements = lib.list_involvements(&incident_id)?;
            show(
                json,
                &serde_json::json!({ "acts": acts, "involvements": involvements }),
                |_| {
                    for a in &acts {
                        say!("act          {}  {}", a.id, a.label);
                    }
                    for v in &involvements {
                        say!("involvement  {}  {}", v.id, v.label);
                    }
                },
            );
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum StatementCmd {
    /// Record a statement; prints its id.
    New {
        #[arg(long = "case")]
        case_id: String,
        #[command(flatten)]
        f: StatementFields,
    },
    List {
        #[arg(long = "case")]
        case_id: String,
    },
    /// Show a statement with its consent and links.
    Show { id: String },
    /// Save a new version with the fields given changed.
    Edit {
        id: String,
        #[command(flatten)]
        f: StatementFields,
    },
    /// Every version, oldest first.
    Versions { id: String },
    /// Record consent given (--granted) or refused (--refused) for one purpose.
    Consent {
        id: String,
        /// storage, prosecution or publication.
        #[arg(long)]
        purpose: String,
        #[arg(long, conflicts_with = "refused")]
        granted: bool,
        #[arg(long)]
        refused: bool,
        /// The day it was given, YYYY-MM-DD.
        #[arg(long, default_value = "")]
        on: String,
        #[arg(long, default_value = "")]
        method: String,
    },
    /// Record that consent for a purpose was withdrawn.
    Withdraw {
        id: String,
        #[arg(long)]
        purpose: String,
        #[arg(long)]
        on: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

#[derive(Args, Default)]
pub struct StatementFields {
    /// The witness: a person id in the same case.
    #[arg(long = "witness")]
    witness_id: Option<String>,
    #[arg(long)]
    title: Option<String>,
    /// Interview day, YYYY-MM-DD.
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    interviewer: Option<String>,
    #[arg(long)]
    interpreter: Option<String>,
    #[arg(long)]
    others_present: Option<String>,
    /// Language of the original text (uk, ru, en, ...).
    #[arg(long)]
    language: Option<String>,
    /// in_person or remote.
    #[arg(long)]
    mode: Option<String>,
    /// victim, eyewitness, relative, medic, official or hearsay.
    #[arg(long)]
    connection: Option<String>,
    /// high, medium, low or unassessed.
    #[arg(long)]
    reliability: Option<String>,
    /// The text in the original language.
    #[arg(long, conflicts_with = "text_file")]
    text: Option<String>,
    /// Read the original text from a UTF-8 file.
    #[arg(long)]
    text_file: Option<std::path::PathBuf>,
    /// A translation as LANG=TEXT; repeat the flag. Replaces the translations.
    #[arg(long = "translation")]
    translations: Vec<String>,
}

impl StatementFields {
    fn apply(self, mut s: StatementInput) -> Result<StatementInput, Error> {
        macro_rules! set { ($($f:ident => $t:ident),*) => { $( if let Some(v) = self.$f { s.$t = v; } )* } }
        set!(witness_id => witness_id, title => title, date => interview_date, place => interview_place, interviewer => interviewer,
             interpreter => interpreter, others_present => others_present, language => language, mode => mode,
             connection => connection, reliability => reliability, text => text);
        if let Some(path) = self.text_file {
            s.text = std::fs::read_to_string(&path).map_err(|e| Error::io(path, e))?;
        }
        if !self.translations.is_empty() {
            s.translations = self
                .translations
                .iter()
                .map(|t| match t.split_once('=') {
                    Some((lang, text)) => Ok(Translation {
                        language: lang.into(),
                        text: text.into(),
                        translator: String::new(),
                    }),
                    None => Err(Error::invalid(
                        "translations",
                        format!("\"{t}\" is not LANG=TEXT"),
                    )),
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(s)
    }
}

pub fn statement(lib: &mut Library, json: bool, cmd: StatementCmd) -> Result<(), Failure> {
    match cmd {
        StatementCmd::New { case_id, f } => {
            let s = lib.create_statement(&case_id, f.apply(StatementInput::default())?)?;
            show(json, &s, |s| say!("{}", s.id));
        }
        StatementCmd::List { case_id } => {
            lib.get_case(&case_id)?;
            show(json, &lib.list_statements(&case_id)?, |list| {
                let mut t = Table::new(&["ID", "DATE", "LANG", "V", "TITLE"]);
                for s in list {
                    t.row(vec![
                        s.id.clone(),
                        s.interview_date.clone().unwrap_or_default(),
                        s.language.clone(),
                        s.version.to_string(),
                        s.title.clone(),
                    ]);
                }
                t.print();
            });
        }
        StatementCmd::Show { id } => {
            #[derive(Serialize)]
            struct Full {
                #[serde(flatten)]
                s: casefile_core::statements::Statement,
                consent: casefile_core::statements::ConsentSummary,
                consents: Vec<casefile_core::statements::Consent>,
                links: Vec<casefile_core::links::LinkView>,
            }
            let full = Full {
                s: lib.get_statement(&id)?,
                consent: lib.consent_summary(&id)?,
                consents: lib.consents(&id)?,
                links: lib.links_of(&id)?,
            };
            let witness = lib.get_person(&full.s.witness_id)?.pseudonym;
            show(json, &full, |f| {
                let s = &f.s;
                say!("id:          {}", s.id);
                say!("title:       {}", s.title);
                say!("witness:     {witness}");
                say!(
                    "interview:   {} {}",
                    s.interview_date.as_deref().unwrap_or("(no date)"),
                    s.interview_place
                );
                say!(
                    "language:    {}   mode: {}   version: {}",
                    s.language,
                    s.mode,
                    s.version
                );
                say!(
                    "consent:     storage {:?}, prosecution {:?}, publication {:?}",
                    f.consent.storage,
                    f.consent.prosecution,
                    f.consent.publication
                );
                say!("text:");
                println!("{}", visible_block(&s.text));
                for t in &s.translations {
                    say!("translation ({}):", t.language);
                    println!("{}", visible_block(&t.text));
                }
                print_links(&f.links);
            });
        }
        StatementCmd::Edit { id, f } => {
            let current = lib.get_statement(&id)?.to_input();
            let s = lib.edit_statement(&id, f.apply(current)?)?;
            show(json, &s, |s| say!("saved {} version {}", s.id, s.version));
        }
        StatementCmd::Versions { id } => {
            show(json, &lib.statement_versions(&id)?, |vs| {
                for v in vs {
                    say!(
                        "version {} by {} at {} (changed: {})",
                        v.version,
                        v.changed_by,
                        v.changed_at,
                        if v.changed.is_empty() {
                            "created".into()
                        } else {
                            v.changed.join(", ")
                        }
                    );
                }
            });
        }
        StatementCmd::Consent {
            id,
            purpose,
            granted,
            refused,
            on,
            method,
        } => {
            if granted == refused {
                return Err(Error::invalid("granted", "say --granted or --refused").into());
            }
            let c = lib.set_consent(
                &id,
                ConsentInput {
                    purpose: purpose.parse::<ConsentPurpose>()?,
                    granted,
                    given_on: on,
                    method,
                },
            )?;
            show(json, &c, |c| {
                say!("{} consent: {:?}", c.purpose.as_str(), c.state())
            });
        }
        StatementCmd::Withdraw {
            id,
            purpose,
            on,
            note,
        } => {
            let c = lib.withdraw_consent(&id, purpose.parse::<ConsentPurpose>()?, &on, &note)?;
            show(json, &c, |c| {
                say!(
                    "{} consent withdrawn on {}",
                    c.purpose.as_str(),
                    c.withdrawn_on.as_deref().unwrap_or("")
                )
            });
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum LinkCmd {
    /// Link two records: `casefile link add statement:ID describes incident:ID`.
    Add {
        /// TYPE:ID of the subject (incident, statement, person, unit, act).
        from: String,
        /// describes, depicts, mentioned_in, victim_of, witness_of, same_event_as, part_of, corroborates, related.
        link_type: String,
        /// TYPE:ID of the object.
        to: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The links of a record.
    List { id: String },
    /// Remove a link (kept, marked deleted; restore with `casefile restore link ID`).
    Remove {
        link_id: String,
        #[arg(long)]
        reason: String,
    },
}

fn split_ref(s: &str, field: &'static str) -> Result<(String, String), Error> {
    s.split_once(':')
        .map(|(t, id)| (t.to_string(), id.to_string()))
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!("\"{s}\" is not TYPE:ID (e.g. incident:0190...)"),
            )
        })
}

pub fn link(lib: &mut Library, json: bool, cmd: LinkCmd) -> Result<(), Failure> {
    match cmd {
        LinkCmd::Add {
            from,
            link_type,
            to,
            note,
        } => {
            let (ft, fid) = split_ref(&from, "from_id")?;
            let (tt, tid) = split_ref(&to, "to_id")?;
            let l = lib.link(&ft, &fid, &link_type, &tt, &tid, &note)?;
            show(json, &l, |l| say!("{}", l.id));
        }
        LinkCmd::List { id } => show(json, &lib.links_of(&id)?, |links| {
            let mut t = Table::new(&["LINK", "DIRECTION", "TYPE", "OTHER"]);
            for l in links {
                t.row(vec![
                    l.link_id.clone(),
                    l.direction.clone(),
                    l.link_type.clone(),
                    format!("{} {} ({})", l.other.record_type, l.other.label, l.other.id),
                ]);
            }
            t.print();
        }),
        LinkCmd::Remove { link_id, reason } => {
            lib.unlink(&link_id, &reason)?;
            if json {
                print_json(&serde_json::json!({ "ok": true }))
            } else {
                say!("link removed")
            }
        }
    }
    Ok(())
}
