//! `data/report.html`: a self-contained, printable report of what the bundle holds, for a
//! person with no Casefile. Every value is HTML-escaped.

use super::CaseDocument;
use serde_json::{Map, Value};

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

pub fn render(doc: &CaseDocument) -> String {
    let c = &doc.case;
    let mut h = String::new();
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    h.push_str(&esc(s(c, "title")));
    h.push_str("</title><style>body{font:14px/1.45 system-ui,'DejaVu Sans',sans-serif;color:#1b2330;max-width:60rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem;margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid #1f3a5f;padding-bottom:.2rem}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;border-bottom:1px solid #ddd;padding:.35rem .4rem;vertical-align:top}th{background:#f3f5f8}.mono{font-family:'DejaVu Sans Mono',monospace;font-size:.8rem;word-break:break-all}.muted{color:#666}.text{white-space:pre-wrap}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}</style></head><body>");
    h.push_str(&format!(
        "<p class=\"muted\">Casefile evidence bundle · profile <b>{}</b> · exported {} · signing key {}</p><h1>{}</h1><p>Reference: <b>{}</b> · Status: {}</p><p class=\"text\">{}</p>",
        doc.profile.as_str(),
        esc(&doc.exported_at),
        esc(&doc.source.fingerprint),
        esc(s(c, "title")),
        esc(s(c, "reference")),
        esc(s(c, "status")),
        esc(s(c, "description"))
    ));

    h.push_str("<h2>Incidents</h2><table><tr><th>Date</th><th>Incident</th><th>Place</th><th>Violation</th></tr>");
    for i in doc.incidents.iter().filter(|m| live(m)) {
        let date = match (s(i, "date_from"), s(i, "date_to")) {
            ("", _) => "unknown".to_string(),
            (f, "") => format!("{f} ({})", s(i, "date_precision")),
            (f, t) => format!("{f} – {t} ({})", s(i, "date_precision")),
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
            "<tr><td>{}</td><td><b>{}</b><div class=\"text\">{}</div></td><td>{}</td><td>{}</td></tr>",
            esc(&date),
            esc(s(i, "title")),
            esc(s(i, "description")),
            esc(&place),
            esc(s(i, "violation_status"))
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
    h.push_str(
        "<h2>Statements</h2><table><tr><th>Witness</th><th>Interview</th><th>Statement</th></tr>",
    );
    for st in doc.statements.iter().filter(|m| live(m)) {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><b>{}</b> <span class=\"muted\">({}, version {})</span><div class=\"text\">{}</div></td></tr>",
            esc(&pseudonym(s(st, "witness_id"))),
            esc(s(st, "interview_date")),
            esc(s(st, "title")),
            esc(s(st, "language")),
            st.get("version").and_then(Value::as_i64).unwrap_or(1),
            esc(s(st, "text"))
        ));
    }
    h.push_str("</table>");

    h.push_str("<h2>Evidence index</h2><table><tr><th>File</th><th>SHA-256</th><th>Captured</th><th>Acquisition</th></tr>");
    for e in doc.evidence.iter().filter(|m| live(m)) {
        let withheld = doc.withheld_files.iter().any(|w| w == s(e, "sha256"));
        h.push_str(&format!(
            "<tr><td>{}<div class=\"muted\">{}{}</div></td><td class=\"mono\">{}</td><td>{}</td><td>{} {} {}<div class=\"muted\">{}</div></td></tr>",
            esc(s(e, "relative_path")),
            esc(s(e, "media_type")),
            if withheld { " · original withheld (location sensitive)" } else { "" },
            esc(s(e, "sha256")),
            esc(s(e, "capture_time")),
            esc(s(e, "method")),
            esc(s(e, "collected_by")),
            esc(s(e, "collected_at")),
            esc(s(e, "source_description"))
        ));
    }
    h.push_str("</table><p class=\"muted\">Check this bundle with any BagIt validator, or with <code>casefile verify</code>, which also checks the signature and the custody chain.</p></body></html>\n");
    h
}
