//! `data/report.html`: a self-contained, printable report of what the bundle holds, for a
//! person with no Casefile, in the exporting investigator's language (English or Ukrainian): the
//! fixed texts from [`words`], vocabulary terms by their label in that language, dates written
//! that language's way. Every value is HTML-escaped.

use super::CaseDocument;
use crate::records::vocab::Term;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The language of a bundle's report.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReportLanguage {
    #[default]
    En,
    Uk,
}

impl ReportLanguage {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportLanguage::En => "en",
            ReportLanguage::Uk => "uk",
        }
    }
}

impl std::str::FromStr for ReportLanguage {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim() {
            "en" | "" => Ok(ReportLanguage::En),
            "uk" => Ok(ReportLanguage::Uk),
            o => Err(crate::Error::invalid_rule(
                "language",
                "not_one_of",
                crate::error::params([("value", o.into()), ("allowed", "en, uk".into())]),
                format!("the report language must be en or uk, not \"{o}\""),
            )),
        }
    }
}

/// The report's fixed texts in one language.
struct Words {
    bundle: &'static str,
    profile: &'static str,
    exported: &'static str,
    signing_key: &'static str,
    reference: &'static str,
    status: &'static str,
    incidents: &'static str,
    date: &'static str,
    incident: &'static str,
    place: &'static str,
    violation: &'static str,
    unknown_date: &'static str,
    statements: &'static str,
    witness: &'static str,
    interview: &'static str,
    statement: &'static str,
    version: &'static str,
    evidence: &'static str,
    file: &'static str,
    captured: &'static str,
    acquisition: &'static str,
    withheld: &'static str,
    footer: &'static str,
    /// full, prosecutor, public
    profiles: [&'static str; 3],
    /// open, closed, archived
    statuses: [&'static str; 3],
    /// exact, day, month, year, unknown
    precisions: [&'static str; 5],
    /// own_capture, received, downloaded, other
    methods: [&'static str; 4],
    /// January..December as a month alone, and in a date (Ukrainian: genitive)
    months: [&'static str; 12],
    months_in_date: [&'static str; 12],
    /// After a year (Ukrainian "р.").
    year_suffix: &'static str,
}

const EN: Words = Words {
    bundle: "Casefile evidence bundle",
    profile: "profile",
    exported: "exported",
    signing_key: "signing key",
    reference: "Reference",
    status: "Status",
    incidents: "Incidents",
    date: "Date",
    incident: "Incident",
    place: "Place",
    violation: "Violation",
    unknown_date: "unknown",
    statements: "Statements",
    witness: "Witness",
    interview: "Interview",
    statement: "Statement",
    version: "version",
    evidence: "Evidence index",
    file: "File",
    captured: "Captured",
    acquisition: "Acquisition",
    withheld: "original withheld (location sensitive)",
    footer: "Check this bundle with any BagIt validator, or with <code>casefile verify</code>, which also checks the signature and the custody chain.",
    profiles: ["full", "prosecutor", "public"],
    statuses: ["open", "closed", "archived"],
    precisions: ["exact time", "day", "month", "year", "unknown"],
    methods: ["own capture", "received", "downloaded", "other"],
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    months_in_date: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    year_suffix: "",
};

const UK: Words = Words {
    bundle: "Пакет доказів Casefile",
    profile: "профіль",
    exported: "експортовано",
    signing_key: "ключ підпису",
    reference: "Реєстраційний номер справи",
    status: "Стан",
    incidents: "Інциденти",
    date: "Дата",
    incident: "Інцидент",
    place: "Місце",
    violation: "Порушення",
    unknown_date: "невідомо",
    statements: "Показання",
    witness: "Свідок",
    interview: "Дата опитування",
    statement: "Показання",
    version: "версія",
    evidence: "Перелік доказів",
    file: "Файл",
    captured: "Час зйомки",
    acquisition: "Отримання",
    withheld: "оригінал не передано (чутливе місце)",
    footer: "Перевірте цей пакет будь-яким валідатором BagIt або командою <code>casefile verify</code>, яка перевіряє також підпис і ланцюг зберігання.",
    profiles: ["повний", "для прокурора", "публічний"],
    statuses: ["відкрита", "закрита", "в архіві"],
    precisions: ["точний час", "день", "місяць", "рік", "невідомо"],
    methods: ["власна зйомка", "отримано", "завантажено", "інше"],
    months: [
        "січень", "лютий", "березень", "квітень", "травень", "червень", "липень", "серпень",
        "вересень", "жовтень", "листопад", "грудень",
    ],
    months_in_date: [
        "січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
        "жовтня", "листопада", "грудня",
    ],
    year_suffix: " р.",
};

fn words(lang: ReportLanguage) -> &'static Words {
    match lang {
        ReportLanguage::En => &EN,
        ReportLanguage::Uk => &UK,
    }
}

/// The word for one of a fixed set of codes, or the code itself.
fn pick(codes: &[&str], words: &[&'static str], code: &str) -> String {
    codes
        .iter()
        .position(|c| *c == code)
        .map(|i| words[i].to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A stored date (`2022`, `2022-03`, `2022-03-09`, `2022-03-09T15:00[:ss]`, or an RFC 3339
/// timestamp) written the language's way; anything else as it is.
pub(crate) fn format_date(lang: ReportLanguage, v: &str) -> String {
    let w = words(lang);
    let v = v.trim();
    let num = |s: &str| s.parse::<u32>().ok();
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let year = match parts.first().filter(|y| y.len() == 4).and_then(|y| num(y)) {
        Some(y) => y,
        None => return v.to_string(),
    };
    let month = parts
        .get(1)
        .and_then(|m| num(m))
        .filter(|m| (1..=12).contains(m));
    let day = parts
        .get(2)
        .and_then(|d| num(d))
        .filter(|d| (1..=31).contains(d));
    let out = match (parts.len(), month, day) {
        (1, _, _) => format!("{year}{}", w.year_suffix),
        (2, Some(m), _) => format!("{} {year}{}", w.months[m as usize - 1], w.year_suffix),
        (3, Some(m), Some(d)) => {
            format!(
                "{d} {} {year}{}",
                w.months_in_date[m as usize - 1],
                w.year_suffix
            )
        }
        _ => return v.to_string(),
    };
    let Some(t) = time else { return out };
    let (clock, zone) = match t.find(['Z', '+', '-']) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    let hm = clock.get(..5).unwrap_or(clock);
    let zone = match zone {
        "" => String::new(),
        "Z" | "+00:00" => " UTC".to_string(),
        z => format!(" UTC{z}"),
    };
    format!("{out}, {hm}{zone}")
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

fn live(m: &Map<String, Value>) -> bool {
    m.get("deleted_at").is_none_or(Value::is_null)
}

/// The label of a vocabulary term in `lang`: a built-in term's as Casefile ships it, a user
/// term's as the bundle carries it, else the code.
fn term_label(doc: &CaseDocument, lang: ReportLanguage, vocab: &str, code: &str) -> String {
    if let Some(l) = crate::store::seed::builtin_label(vocab, code, lang.as_str()) {
        return l.to_string();
    }
    doc.terms
        .iter()
        .find(|t| t.vocab == vocab && t.code == code)
        .map(|t: &Term| t.clone().normalised().label(lang.as_str()).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The labels of a list of terms (a JSON array of codes, or one stored as JSON text).
fn term_labels(doc: &CaseDocument, lang: ReportLanguage, vocab: &str, v: Option<&Value>) -> String {
    let codes: Vec<String> = match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Some(Value::String(t)) => serde_json::from_str(t).unwrap_or_default(),
        _ => vec![],
    };
    codes
        .iter()
        .map(|c| term_label(doc, lang, vocab, c))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn render(doc: &CaseDocument, lang: ReportLanguage) -> String {
    let w = words(lang);
    let c = &doc.case;
    let mut h = String::new();
    h.push_str(&format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>",
        lang.as_str()
    ));
    h.push_str(&esc(s(c, "title")));
    h.push_str("</title><style>body{font:14px/1.45 system-ui,'DejaVu Sans',sans-serif;color:#1b2330;max-width:60rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem;margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #1f3a5f;padding-bottom:.2rem}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;border-bottom:1px solid #ddd;padding:.35rem .4rem;vertical-align:top}th{background:#f3f5f8}.mono{font-family:'DejaVu Sans Mono',monospace;font-size:.8rem;word-break:break-all}.muted{color:#666}.text{white-space:pre-wrap}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}</style></head><body>");
    h.push_str(&format!(
        "<p class=\"muted\">{} · {} <b>{}</b> · {} {} · {} {}</p><h1>{}</h1><p>{}: <b>{}</b> · {}: {}</p><p class=\"text\">{}</p>",
        w.bundle,
        w.profile,
        pick(&["full", "prosecutor", "public"], &w.profiles, doc.profile.as_str()),
        w.exported,
        esc(&format_date(lang, &doc.exported_at)),
        w.signing_key,
        esc(&doc.source.fingerprint),
        esc(s(c, "title")),
        w.reference,
        esc(s(c, "reference")),
        w.status,
        esc(&pick(&["open", "closed", "archived"], &w.statuses, s(c, "status"))),
        esc(s(c, "description"))
    ));

    h.push_str(&format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        w.incidents, w.date, w.incident, w.place, w.violation
    ));
    let precision = |p: &str| {
        pick(
            &["exact", "day", "month", "year", "unknown"],
            &w.precisions,
            p,
        )
    };
    for i in doc.incidents.iter().filter(|m| live(m)) {
        let date = match (s(i, "date_from"), s(i, "date_to")) {
            ("", _) => w.unknown_date.to_string(),
            (f, "") => format!(
                "{} ({})",
                format_date(lang, f),
                precision(s(i, "date_precision"))
            ),
            (f, t) => format!(
                "{} – {} ({})",
                format_date(lang, f),
                format_date(lang, t),
                precision(s(i, "date_precision"))
            ),
        };
        let place = [
            s(i, "place_name"),
            s(i, "settlement"),
            s(i, "oblast"),
            s(i, "country"),
        ]
        .iter()
        .filter(|x| !x.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
        h.push_str(&format!(
            "<tr><td>{}</td><td><b>{}</b><div class=\"muted\">{}</div><div class=\"text\">{}</div></td><td>{}</td><td>{}</td></tr>",
            esc(&date),
            esc(s(i, "title")),
            esc(&term_labels(doc, lang, "incident_type", i.get("types"))),
            esc(s(i, "description")),
            esc(&place),
            esc(&match s(i, "violation_status") {
                "" => String::new(),
                v => term_label(doc, lang, "violation_status", v),
            })
        ));
    }
    h.push_str("</table>");

    let pseudonym = |id: &str| {
        doc.persons
            .iter()
            .find(|p| s(p, "id") == id)
            .map(|p| s(p, "pseudonym").to_string())
            .unwrap_or_default()
    };
    h.push_str(&format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        w.statements, w.witness, w.interview, w.statement
    ));
    for st in doc.statements.iter().filter(|m| live(m)) {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><b>{}</b> <span class=\"muted\">({}, {} {})</span><div class=\"text\">{}</div></td></tr>",
            esc(&pseudonym(s(st, "witness_id"))),
            esc(&format_date(lang, s(st, "interview_date"))),
            esc(s(st, "title")),
            esc(s(st, "language")),
            w.version,
            st.get("version").and_then(Value::as_i64).unwrap_or(1),
            esc(s(st, "text"))
        ));
    }
    h.push_str("</table>");

    h.push_str(&format!(
        "<h2>{}</h2><table><tr><th>{}</th><th>SHA-256</th><th>{}</th><th>{}</th></tr>",
        w.evidence, w.file, w.captured, w.acquisition
    ));
    for e in doc.evidence.iter().filter(|m| live(m)) {
        let withheld = doc.withheld_files.iter().any(|w| w == s(e, "sha256"));
        h.push_str(&format!(
            "<tr><td>{}<div class=\"muted\">{}{}</div></td><td class=\"mono\">{}</td><td>{}</td><td>{} {} {}<div class=\"muted\">{}</div></td></tr>",
            esc(s(e, "relative_path")),
            esc(s(e, "media_type")),
            if withheld { format!(" · {}", w.withheld) } else { String::new() },
            esc(s(e, "sha256")),
            esc(&format_date(lang, s(e, "capture_time"))),
            esc(&pick(crate::records::evidence::METHODS, &w.methods, s(e, "method"))),
            esc(s(e, "collected_by")),
            esc(&format_date(lang, s(e, "collected_at"))),
            esc(s(e, "source_description"))
        ));
    }
    h.push_str(&format!(
        "</table><p class=\"muted\">{}</p></body></html>\n",
        w.footer
    ));
    h
}
