//! The built-in vocabulary terms Casefile ships (English and Ukrainian labels), seeded into every
//! library when it is opened. Data the database is opened with, so it lives in the storage
//! layer; `records/vocab.rs` holds the rules for using and extending vocabularies. The Ukrainian
//! wording follows `docs/glossary-uk.md`; a label changed here must also be changed in existing
//! libraries by a migration (as migration 10 did), or the audit reports the old one as edited.

use crate::error::Result;
use rusqlite::{params, Connection};
use std::collections::BTreeMap;

/// (vocabulary, code, English, Ukrainian)
pub(crate) const SEED: &[(&str, &str, &str, &str)] = &[
    (
        "incident_type",
        "attack_medical",
        "Attack on a medical facility",
        "Напад на медичний заклад",
    ),
    (
        "incident_type",
        "attack_school",
        "Attack on a school or childcare facility",
        "Напад на школу чи дитячий заклад",
    ),
    (
        "incident_type",
        "attack_cultural",
        "Attack on cultural or religious property",
        "Напад на культурні цінності або культові споруди",
    ),
    (
        "incident_type",
        "attack_residential",
        "Attack on a residential building",
        "Напад на житловий будинок",
    ),
    (
        "incident_type",
        "attack_infrastructure",
        "Attack on critical infrastructure",
        "Напад на критичну інфраструктуру",
    ),
    (
        "incident_type",
        "attack_shelter",
        "Attack on a civilian shelter",
        "Напад на цивільне укриття",
    ),
    (
        "incident_type",
        "indiscriminate_attack",
        "Indiscriminate attack",
        "Невибірковий напад",
    ),
    (
        "incident_type",
        "killing_civilians",
        "Killing of civilians",
        "Вбивство цивільних осіб",
    ),
    (
        "incident_type",
        "torture",
        "Torture or ill-treatment",
        "Катування або жорстоке поводження",
    ),
    (
        "incident_type",
        "sexual_violence",
        "Sexual violence",
        "Сексуальне насильство",
    ),
    (
        "incident_type",
        "unlawful_detention",
        "Unlawful detention",
        "Незаконне позбавлення волі",
    ),
    (
        "incident_type",
        "deportation",
        "Deportation or forcible transfer",
        "Депортація або примусове переміщення",
    ),
    ("incident_type", "pillage", "Pillage", "Мародерство"),
    (
        "protected_object",
        "hospital",
        "Hospital or medical facility",
        "Лікарня або медичний заклад",
    ),
    ("protected_object", "school", "School", "Школа"),
    (
        "protected_object",
        "kindergarten",
        "Kindergarten",
        "Дитячий садок",
    ),
    (
        "protected_object",
        "cultural",
        "Theatre, museum or cultural venue",
        "Театр, музей або заклад культури",
    ),
    (
        "protected_object",
        "religious",
        "Place of worship",
        "Культова споруда",
    ),
    (
        "protected_object",
        "residential",
        "Residential building",
        "Житловий будинок",
    ),
    (
        "protected_object",
        "shelter",
        "Civilian shelter",
        "Цивільне укриття",
    ),
    (
        "protected_object",
        "energy",
        "Energy infrastructure",
        "Енергетична інфраструктура",
    ),
    (
        "protected_object",
        "water",
        "Water supply",
        "Водопостачання",
    ),
    ("weapon", "air_bomb", "Air-dropped bomb", "Авіабомба"),
    ("weapon", "missile", "Missile", "Ракета"),
    ("weapon", "artillery", "Artillery", "Артилерія"),
    (
        "weapon",
        "mlrs",
        "Multiple rocket launcher",
        "Реактивна система залпового вогню",
    ),
    (
        "weapon",
        "cluster",
        "Cluster munition",
        "Касетний боєприпас",
    ),
    ("weapon", "drone", "Drone", "Безпілотник"),
    ("weapon", "small_arms", "Small arms", "Стрілецька зброя"),
    ("weapon", "mine", "Landmine", "Міна"),
    ("weapon", "unknown", "Unknown", "Невідомо"),
    ("violation_status", "confirmed", "Confirmed", "Підтверджено"),
    ("violation_status", "likely", "Likely", "Імовірно"),
    ("violation_status", "possible", "Possible", "Можливо"),
    ("violation_status", "unlikely", "Unlikely", "Малоймовірно"),
    ("violation_status", "unknown", "Unknown", "Невідомо"),
    ("act_type", "killing", "Killing", "Вбивство"),
    ("act_type", "injury", "Injury", "Поранення"),
    (
        "act_type",
        "torture",
        "Torture or ill-treatment",
        "Катування або жорстоке поводження",
    ),
    ("act_type", "detention", "Detention", "Затримання"),
    (
        "act_type",
        "disappearance",
        "Enforced disappearance",
        "Насильницьке зникнення",
    ),
    ("act_type", "deportation", "Deportation", "Депортація"),
    (
        "act_type",
        "sexual_violence",
        "Sexual violence",
        "Сексуальне насильство",
    ),
    (
        "act_type",
        "property_destruction",
        "Destruction of property",
        "Знищення майна",
    ),
    (
        "involvement_degree",
        "direct",
        "Direct perpetrator",
        "Безпосередній виконавець",
    ),
    (
        "involvement_degree",
        "ordered",
        "Ordered it",
        "Віддання наказу",
    ),
    (
        "involvement_degree",
        "command_responsibility",
        "Command responsibility",
        "Відповідальність командира",
    ),
    (
        "involvement_degree",
        "aided",
        "Aided or abetted",
        "Пособництво",
    ),
    ("involvement_degree", "unknown", "Unknown", "Невідомо"),
    ("link_type", "describes", "describes", "описує"),
    ("link_type", "depicts", "depicts", "зображує"),
    ("link_type", "mentioned_in", "mentioned in", "згадується в"),
    ("link_type", "victim_of", "victim of", "потерпілий у"),
    ("link_type", "witness_of", "witness of", "свідок події"),
    (
        "link_type",
        "same_event_as",
        "same event as",
        "та сама подія, що й",
    ),
    ("link_type", "part_of", "part of", "є частиною"),
    ("link_type", "corroborates", "corroborates", "підтверджує"),
    ("link_type", "related", "related to", "пов’язано з"),
    ("connection", "victim", "Victim", "Потерпілий"),
    ("connection", "eyewitness", "Eyewitness", "Очевидець"),
    (
        "connection",
        "relative",
        "Relative of a victim",
        "Родич потерпілого",
    ),
    (
        "connection",
        "medic",
        "Medical worker",
        "Медичний працівник",
    ),
    ("connection", "official", "Official", "Посадова особа"),
    ("connection", "hearsay", "Hearsay", "З чужих слів"),
    ("reliability", "high", "High", "Висока"),
    ("reliability", "medium", "Medium", "Середня"),
    ("reliability", "low", "Low", "Низька"),
    (
        "reliability",
        "unassessed",
        "Not yet assessed",
        "Ще не оцінено",
    ),
    ("person_role", "victim", "Victim", "Потерпілий"),
    ("person_role", "witness", "Witness", "Свідок"),
    ("person_role", "source", "Source", "Джерело"),
    (
        "person_role",
        "perpetrator",
        "Alleged perpetrator",
        "Імовірний виконавець",
    ),
    (
        "unit_kind",
        "military_unit",
        "Military unit",
        "Військовий підрозділ",
    ),
    (
        "unit_kind",
        "armed_group",
        "Armed group",
        "Збройне формування",
    ),
    (
        "unit_kind",
        "security_service",
        "Police or security service",
        "Поліція або спецслужба",
    ),
    (
        "unit_kind",
        "authority",
        "Occupation authority",
        "Окупаційна адміністрація",
    ),
    (
        "unit_kind",
        "government",
        "Government or ministry",
        "Уряд або міністерство",
    ),
    ("unit_kind", "other", "Other", "Інше"),
];

/// The languages the built-in labels are written in, in the order of [`SEED`]'s label columns.
pub(crate) const SEED_LANGUAGES: &[&str] = &["en", "uk"];

/// Adds the built-in terms and labels that are missing. Idempotent.
pub(crate) fn seed(conn: &Connection) -> Result<()> {
    let mut term = conn.prepare(
        "INSERT OR IGNORE INTO vocab_terms (vocab, code, builtin, sort) VALUES (?1, ?2, 1, ?3)",
    )?;
    let mut label = conn.prepare(
        "INSERT OR IGNORE INTO vocab_labels (vocab, code, language, label) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, (v, c, en, uk)) in SEED.iter().enumerate() {
        term.execute(params![v, c, i as i64])?;
        for (lang, text) in SEED_LANGUAGES.iter().zip([en, uk]) {
            label.execute(params![v, c, lang, text])?;
        }
    }
    Ok(())
}

/// The labels Casefile ships for a built-in term, by language, if it is one.
pub(crate) fn builtin_labels(vocab: &str, code: &str) -> Option<BTreeMap<String, String>> {
    SEED.iter()
        .find(|(v, c, _, _)| *v == vocab && *c == code)
        .map(|(_, _, en, uk)| {
            SEED_LANGUAGES
                .iter()
                .zip([en, uk])
                .map(|(l, t)| (l.to_string(), t.to_string()))
                .collect()
        })
}

/// The label Casefile ships for a built-in term in `language`, if it is one.
pub(crate) fn builtin_label(vocab: &str, code: &str, language: &str) -> Option<&'static str> {
    let i = SEED_LANGUAGES.iter().position(|l| *l == language)?;
    SEED.iter()
        .find(|(v, c, _, _)| *v == vocab && *c == code)
        .map(|(_, _, en, uk)| [*en, *uk][i])
}
