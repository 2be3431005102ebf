//! Full-text search (SQLite FTS5 with Casefile's own tokenizer, `store::fts`: Ukrainian,
//! Russian and accented Latin match regardless of case, `ё`/`е` and apostrophes, and a word
//! finds its other forms: "школа" finds "школи", "школе", "школою"), and the filters of the
//! incident and evidence lists, which combine with it. `docs/search.md` says what matches what.
//!
//! Query language: words (all must match), `"a phrase"`, `prefix*`, `OR`, `NOT`, `AND`,
//! parentheses. Anything else in a word is matched literally; a query whose structure is broken
//! (an unclosed quote, a dangling operator) gets a message saying what to fix. A query that
//! finds nothing gets a suggestion when its words' prefix form (`школ*`) would find something.
//!
//! Speed with very common words: ranking every match with bm25 costs time in proportion to the
//! number of matches (over a second for a word in most of a million documents). When even the
//! rarest word of a query is in more than [`FULL_RANK_LIMIT`] documents, the newest matches are
//! listed first instead (FTS5 walks matches in rowid order and stops at the page's end), and the
//! result says so (`ranked: false`).

use crate::error::{Error, Result};
use crate::store::library::Library;
use crate::store::text;
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// Marks the start and end of a highlighted match in snippets (Unicode private-use characters,
/// so highlighting never goes through HTML).
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';
/// Above this many matching documents, list the newest matches first instead of ranking all.
const FULL_RANK_LIMIT: i64 = 20_000;
/// The same for a query with a phrase of several words: each match of a phrase is found by
/// reading its words' positions, so counting and ranking cost several times a word's.
const PHRASE_RANK_LIMIT: i64 = 500;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    pub record_type: String,
    pub record_id: String,
    pub case_id: String,
    pub title: String,
    /// Matching text with matches between [`MARK_START`] and [`MARK_END`].
    pub snippet: String,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResult {
    pub query: String,
    pub hits: Vec<Hit>,
    /// Whether the hits are ranked by relevance (bm25). A query whose every word is in most
    /// documents lists the newest matches first instead (and their `score` is 0).
    pub ranked: bool,
    /// Documents matching the query, counted up to just past the ranking limit (20,001 means
    /// "more than 20,000"; for a query with a phrase of several words, 501 means "more than
    /// 500").
    pub matches_estimate: i64,
    /// Whether more results exist beyond this page.
    pub more: bool,
    /// When nothing matches: the same query with each word as a prefix (`школ*`), given only
    /// when that finds something.
    #[serde(default)]
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Prefix(String),
    Phrase(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn syntax(msg: &str) -> Error {
    Error::invalid("query", format!("{msg}. Search for words, \"a phrase\", prefix*, and combine with AND, OR, NOT and ( )."))
}

/// Turns a user's query into a safe FTS5 query, or explains what is wrong with it.
pub fn to_fts(query: &str) -> Result<(String, Vec<String>)> {
    to_fts_tokens(&lex(query)?)
}

fn lex(query: &str) -> Result<Vec<Tok>> {
    let mut toks = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut p = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                p.push(c);
            }
            if !closed {
                return Err(syntax("A quotation mark is not closed"));
            }
            if !p.trim().is_empty() {
                toks.push(Tok::Phrase(p));
            }
        } else if c == '(' {
            chars.next();
            toks.push(Tok::Open);
        } else if c == ')' {
            chars.next();
            toks.push(Tok::Close);
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' || c == '(' || c == ')' {
                    break;
                }
                w.push(c);
                chars.next();
            }
            toks.push(match w.as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "NOT" => Tok::Not,
                _ if w.ends_with('*') && w.len() > 1 => {
                    Tok::Prefix(w.trim_end_matches('*').to_string())
                }
                _ => Tok::Word(w),
            });
        }
    }
    Ok(toks)
}

/// The query with each plain word replaced by its stem as a prefix ("школа" → `школ*`), as
/// the user would type it; `None` when it has no plain word to widen.
fn prefix_form(toks: &[Tok]) -> Option<String> {
    let mut widened = false;
    let parts: Vec<String> = toks
        .iter()
        .map(|t| match t {
            Tok::Word(w) => {
                let folded = text::fold_word(w);
                let stem = text::stem(&folded);
                if folded.chars().all(char::is_alphanumeric) && stem.chars().count() >= 2 {
                    widened = true;
                    format!("{stem}*")
                } else {
                    w.clone()
                }
            }
            Tok::Prefix(p) => format!("{p}*"),
            Tok::Phrase(p) => quote(p),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
        })
        .collect();
    widened.then(|| parts.join(" "))
}

fn to_fts_tokens(toks: &[Tok]) -> Result<(String, Vec<String>)> {
    // Structure: operands and operators alternate; parentheses balance.
    let mut out = Vec::new();
    let mut terms = Vec::new();
    let mut depth = 0i32;
    let mut expect_operand = true;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Word(w) | Tok::Prefix(w) | Tok::Phrase(w) => {
                if !expect_operand {
                    out.push("AND".to_string());
                }
                let has_token = w.chars().any(char::is_alphanumeric);
                if !has_token {
                    return Err(syntax(&format!(
                        "\"{w}\" has no letters or digits to search for"
                    )));
                }
                let w = &w.replace('ё', "е").replace('Ё', "Е");
                out.push(match t {
                    Tok::Prefix(_) => format!("{}*", quote(w)),
                    _ => quote(w),
                });
                terms.push(w.to_lowercase());
                expect_operand = false;
            }
            Tok::And | Tok::Or | Tok::Not => {
                let name = match t {
                    Tok::And => "AND",
                    Tok::Or => "OR",
                    _ => "NOT",
                };
                if expect_operand {
                    return Err(syntax(&format!("{name} needs something before it")));
                }
                if i + 1 == toks.len() {
                    return Err(syntax(&format!("{name} needs something after it")));
                }
                out.push(name.to_string());
                expect_operand = true;
            }
            Tok::Open => {
                if !expect_operand {
                    out.push("AND".to_string());
                }
                depth += 1;
                out.push("(".into());
                expect_operand = true;
            }
            Tok::Close => {
                depth -= 1;
                if depth < 0 || expect_operand {
                    return Err(syntax(
                        "A parenthesis is closed without being opened, or closes nothing",
                    ));
                }
                out.push(")".into());
            }
        }
    }
    if depth != 0 {
        return Err(syntax("A parenthesis is not closed"));
    }
    if out.is_empty() {
        return Err(syntax("Type something to search for"));
    }
    Ok((out.join(" "), terms))
}

impl Library {
    /// Searches the library (or one case); returns one page of ranked hits with snippets.
    pub fn search(
        &self,
        query: &str,
        case_id: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<SearchResult> {
        let toks = lex(query)?;
        let (fts, _terms) = to_fts_tokens(&toks)?;
        let limit = limit.clamp(1, 200);
        let case_filter = if case_id.is_some() {
            "AND d.case_id = ?2"
        } else {
            ""
        };
        let mut args: Vec<SqlValue> = vec![SqlValue::Text(fts.clone())];
        if let Some(c) = case_id {
            args.push(SqlValue::Text(c.to_string()));
        }
        // How many documents match the query as typed, counted only up to the ranking limit:
        // the work is bounded however common its words are. Counted from the newest, the end
        // of the index a page of newest-first matches then reads again (from the cache).
        // (The whole library needs no join: every indexed document is one record.)
        let join = if case_id.is_some() {
            "JOIN search_docs d ON d.doc = search_index.rowid"
        } else {
            ""
        };
        let count = |args: &[SqlValue], limit: i64| -> Result<i64> {
            self.conn()
                .prepare_cached(&format!(
                    "SELECT count(*) FROM (SELECT 1 FROM search_index {join}
                     WHERE search_index MATCH ?1 {case_filter} ORDER BY search_index.rowid DESC LIMIT {limit})"
                ))?
                .query_row(params_from_iter(args.iter()), |r| r.get(0))
                .map_err(friendly)
        };
        let has_phrase = toks.iter().any(|t| match t {
            Tok::Phrase(p) => {
                let mut n = 0;
                text::words(p.as_bytes(), |_, _, _| {
                    n += 1;
                    n < 2
                });
                n > 1
            }
            _ => false,
        });
        let rank_limit = if has_phrase {
            PHRASE_RANK_LIMIT
        } else {
            FULL_RANK_LIMIT
        };
        let counted = count(&args, rank_limit + 1)?;
        if counted == 0 {
            let mut suggestion = None;
            if let Some(s) = prefix_form(&toks) {
                let mut wide = args.clone();
                wide[0] = SqlValue::Text(to_fts(&s)?.0);
                if count(&wide, 1)? > 0 {
                    suggestion = Some(s);
                }
            }
            return Ok(SearchResult {
                query: query.to_string(),
                hits: Vec::new(),
                ranked: true,
                matches_estimate: 0,
                more: false,
                suggestion,
            });
        }
        let windowed = counted > rank_limit;
        // Ranking a word found in most documents means scoring all of them, and says little
        // (such a word barely tells documents apart): then the newest matches come first, and
        // only the page is scored. FTS5 walks matches in rowid order and stops at the LIMIT.
        let order = if windowed {
            "search_index.rowid DESC"
        } else {
            "score"
        };
        // First the page's documents, scored only (SQLite would otherwise compute the highlight
        // and snippet of every match before sorting: thousands for a common phrase); then the
        // highlight and snippet of those documents alone, each found by its rowid.
        // A page in newest-first order is not scored: bm25's first call counts every document
        // matching each word or phrase of the query (its rarity), the whole doclist of a common
        // word, and every match of a common phrase; that is what made such pages slow.
        let score = if windowed {
            "0.0"
        } else {
            "bm25(search_index, 4.0, 1.0)"
        };
        let page_sql = format!(
            "SELECT search_index.rowid, {score} AS score
             FROM search_index {join}
             WHERE search_index MATCH ?1 {case_filter}
             ORDER BY {order} LIMIT {} OFFSET {}",
            limit + 1,
            offset
        );
        let page: Vec<(i64, f64)> = {
            let mut stmt = self.conn().prepare_cached(&page_sql)?;
            let rows = stmt
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .map_err(friendly)?;
            rows.collect::<rusqlite::Result<_>>().map_err(friendly)?
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT d.record_type, d.record_id, d.case_id, highlight(search_index, 0, char(57344), char(57345)),
                    snippet(search_index, 1, char(57344), char(57345), '…', 16)
             FROM search_index JOIN search_docs d ON d.doc = search_index.rowid
             WHERE search_index MATCH ?1 AND search_index.rowid = ?2",
        )?;
        let mut hits = Vec::with_capacity(page.len());
        for (doc, score) in page {
            let hit = stmt
                .query_row(rusqlite::params![fts, doc], |r| {
                    Ok(Hit {
                        record_type: r.get(0)?,
                        record_id: r.get(1)?,
                        case_id: r.get(2)?,
                        title: r.get(3)?,
                        snippet: r.get(4)?,
                        score,
                    })
                })
                .map_err(friendly)?;
            hits.push(hit);
        }
        let more = hits.len() > limit;
        hits.truncate(limit);
        Ok(SearchResult {
            query: query.to_string(),
            hits,
            ranked: !windowed,
            matches_estimate: counted,
            more,
            suggestion: None,
        })
    }

    /// Rebuilds the search index from the records (`casefile search --reindex`).
    pub fn reindex(&mut self) -> Result<usize> {
        self.write(|tx| {
            let c = tx.conn();
            c.execute_batch(
                "DELETE FROM search_index; DELETE FROM search_docs;
                 INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'incident', id, case_id FROM incidents;
                 INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'statement', id, case_id FROM statements;
                 INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'evidence', id, case_id FROM evidence;
                 INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'person', id, case_id FROM persons;
                 INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'unit', id, case_id FROM units;
                 UPDATE incidents SET id = id; UPDATE statements SET id = id; UPDATE evidence SET id = id;
                 UPDATE persons SET id = id; UPDATE units SET id = id;
                 INSERT INTO search_index (search_index) VALUES ('optimize');",
            )?;
            Ok(c.query_row("SELECT count(*) FROM search_index", [], |r| r.get::<_, i64>(0))? as usize)
        })
    }
}

/// An error running a search query: SQLite's generic SQLITE_ERROR there means FTS5 could not
/// parse the query (told to the person as such); any other code (busy, I/O, corruption, a full
/// disk) is what it is. Classified by SQLite's code, never by its message.
fn friendly(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_ERROR => {
            syntax("The search could not be understood")
        }
        _ => Error::from(e),
    }
}

/// Filters of a case's incident list; they combine with each other and with a search query.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentFilter {
    pub query: Option<String>,
    /// Any of these incident types.
    pub types: Vec<String>,
    /// A date range `YYYY-MM-DD`; an incident matches when its (possibly uncertain) range overlaps it.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Oblast or settlement, case-insensitive substring.
    pub place: Option<String>,
    pub violation_status: Vec<String>,
    /// Any of these tags.
    pub tags: Vec<String>,
    pub has_evidence: Option<bool>,
    pub has_statements: Option<bool>,
}

/// Filters of a case's evidence list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceFilter {
    pub query: Option<String>,
    /// A media type or its start ("image/", "video/mp4").
    pub media_type: Option<String>,
    pub has_gps: Option<bool>,
    /// Capture date range, `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub graphic: Option<bool>,
    pub verification_status: Vec<String>,
}

fn day_bound(field: &'static str, v: &Option<String>, end: bool) -> Result<Option<String>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(d) => {
            let d = crate::dates::check_day(field, d)?.unwrap_or_default();
            Ok(Some(format!(
                "{d}T{}",
                if end { "23:59:59" } else { "00:00:00" }
            )))
        }
    }
}

fn in_list(col: &str, args: &mut Vec<SqlValue>, values: &[String]) -> String {
    let marks: Vec<String> = values
        .iter()
        .map(|v| {
            args.push(SqlValue::Text(v.clone()));
            format!("?{}", args.len())
        })
        .collect();
    format!("{col} IN ({})", marks.join(", "))
}

fn linked_to(kind: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM links l WHERE l.deleted_at IS NULL AND ((l.from_id = x.id AND l.to_type = '{kind}') OR (l.to_id = x.id AND l.from_type = '{kind}')))"
    )
}

impl Library {
    fn search_clause(
        &self,
        record_type: &str,
        case_id: &str,
        query: &Option<String>,
        args: &mut Vec<SqlValue>,
    ) -> Result<Option<String>> {
        let Some(q) = query.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(None);
        };
        let (fts, _) = to_fts(q)?;
        args.push(SqlValue::Text(fts));
        let m = args.len();
        args.push(SqlValue::Text(case_id.into()));
        let c = args.len();
        args.push(SqlValue::Text(record_type.into()));
        let t = args.len();
        Ok(Some(format!(
            "x.id IN (SELECT d.record_id FROM search_index JOIN search_docs d ON d.doc = search_index.rowid
                      WHERE search_index MATCH ?{m} AND d.case_id = ?{c} AND d.record_type = ?{t})"
        )))
    }

    /// The case's incidents that pass every filter given, by date.
    pub fn filter_incidents(
        &self,
        case_id: &str,
        f: &IncidentFilter,
    ) -> Result<Vec<crate::records::incidents::IncidentRow>> {
        let mut args: Vec<SqlValue> = vec![SqlValue::Text(case_id.into())];
        let mut conds = vec![
            "x.case_id = ?1".to_string(),
            "x.deleted_at IS NULL".to_string(),
        ];
        if let Some(c) = self.search_clause("incident", case_id, &f.query, &mut args)? {
            conds.push(c);
        }
        if !f.types.is_empty() {
            let l = in_list("value", &mut args, &f.types);
            conds.push(format!(
                "EXISTS (SELECT 1 FROM json_each(x.types) WHERE {l})"
            ));
        }
        if !f.tags.is_empty() {
            let l = in_list("value", &mut args, &f.tags);
            conds.push(format!(
                "EXISTS (SELECT 1 FROM json_each(x.tags) WHERE {l})"
            ));
        }
        if !f.violation_status.is_empty() {
            conds.push(in_list(
                "x.violation_status",
                &mut args,
                &f.violation_status,
            ));
        }
        if let Some(from) = day_bound("from", &f.from, false)? {
            args.push(SqlValue::Text(from));
            conds.push(format!("x.date_hi >= ?{}", args.len()));
        }
        if let Some(to) = day_bound("to", &f.to, true)? {
            args.push(SqlValue::Text(to));
            conds.push(format!("x.date_lo <= ?{}", args.len()));
        }
        if let Some(p) = f.place.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            // Folded on both sides (store::text::casefold): Cyrillic case too, `ё`/`е`,
            // apostrophes; a substring, with no wildcard characters.
            args.push(SqlValue::Text(text::casefold(p)));
            let n = args.len();
            conds.push(format!("(instr(casefold(x.oblast), ?{n}) OR instr(casefold(x.settlement), ?{n}) OR instr(casefold(x.place_name), ?{n}) OR instr(casefold(x.raion), ?{n}))"));
        }
        for (flag, kind) in [
            (f.has_evidence, "evidence"),
            (f.has_statements, "statement"),
        ] {
            if let Some(want) = flag {
                conds.push(format!(
                    "{}{}",
                    if want { "" } else { "NOT " },
                    linked_to(kind)
                ));
            }
        }
        let sql = format!(
            "SELECT x.id FROM incidents x WHERE {} ORDER BY x.date_lo IS NULL, x.date_lo, x.title COLLATE casefile",
            conds.join(" AND ")
        );
        let ids: Vec<String> = {
            let mut stmt = self.conn().prepare(&sql)?;
            let rows = stmt
                .query_map(params_from_iter(args), |r| r.get(0))
                .map_err(friendly)?;
            rows.collect::<rusqlite::Result<_>>().map_err(friendly)?
        };
        let all = self.incident_rows(case_id)?;
        let order: std::collections::HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut out: Vec<_> = all
            .into_iter()
            .filter(|r| order.contains_key(r.id.as_str()))
            .collect();
        out.sort_by_key(|r| order[r.id.as_str()]);
        Ok(out)
    }

    /// The case's evidence that passes every filter given.
    pub fn filter_evidence(
        &self,
        case_id: &str,
        f: &EvidenceFilter,
    ) -> Result<Vec<crate::records::evidence::EvidenceRow>> {
        let mut args: Vec<SqlValue> = vec![SqlValue::Text(case_id.into())];
        let mut conds = vec![
            "x.case_id = ?1".to_string(),
            "x.deleted_at IS NULL".to_string(),
        ];
        if let Some(c) = self.search_clause("evidence", case_id, &f.query, &mut args)? {
            conds.push(c);
        }
        if let Some(m) = f
            .media_type
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            args.push(SqlValue::Text(format!("{m}%")));
            conds.push(format!("x.media_type LIKE ?{}", args.len()));
        }
        match f.has_gps {
            Some(true) => conds.push("x.latitude IS NOT NULL".into()),
            Some(false) => conds.push("x.latitude IS NULL".into()),
            None => {}
        }
        if let Some(g) = f.graphic {
            conds.push(format!("x.graphic = {}", g as i32));
        }
        if !f.verification_status.is_empty() {
            conds.push(in_list(
                "x.verification_status",
                &mut args,
                &f.verification_status,
            ));
        }
        if let Some(from) = day_bound("from", &f.from, false)? {
            args.push(SqlValue::Text(from));
            conds.push(format!("x.capture_time >= ?{}", args.len()));
        }
        if let Some(to) = day_bound("to", &f.to, true)? {
            args.push(SqlValue::Text(to));
            conds.push(format!("x.capture_time <= ?{}", args.len()));
        }
        let sql = format!("SELECT x.id FROM evidence x WHERE {}", conds.join(" AND "));
        let ids: std::collections::HashSet<String> = {
            let mut stmt = self.conn().prepare(&sql)?;
            let rows = stmt
                .query_map(params_from_iter(args), |r| r.get(0))
                .map_err(friendly)?;
            rows.collect::<rusqlite::Result<_>>().map_err(friendly)?
        };
        Ok(self
            .evidence_rows(case_id)?
            .into_iter()
            .filter(|r| ids.contains(&r.id))
            .collect())
    }
}

/// What the timeline and the map of a case draw.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeoTimeItem {
    pub id: String,
    /// incident or evidence
    pub kind: String,
    pub label: String,
    pub lo: Option<String>,
    pub hi: Option<String>,
    pub precision: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub location_precision: Option<String>,
}

impl Library {
    /// The case's incidents and evidence with their times and places, for the timeline and map.
    pub fn case_geo_time(&self, case_id: &str) -> Result<Vec<GeoTimeItem>> {
        let mut out = Vec::new();
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, title, date_lo, date_hi, date_precision, latitude, longitude, location_precision
             FROM incidents WHERE case_id = ?1 AND deleted_at IS NULL",
        )?;
        for r in stmt.query_map([case_id], |r| {
            Ok(GeoTimeItem {
                id: r.get(0)?,
                kind: "incident".into(),
                label: r.get(1)?,
                lo: r.get(2)?,
                hi: r.get(3)?,
                precision: r.get(4)?,
                lat: r.get(5)?,
                lon: r.get(6)?,
                location_precision: r.get(7)?,
            })
        })? {
            out.push(r?);
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, original_name, capture_time, latitude, longitude FROM evidence WHERE case_id = ?1 AND deleted_at IS NULL
             AND (capture_time IS NOT NULL OR latitude IS NOT NULL)",
        )?;
        for r in stmt.query_map([case_id], |r| {
            let t: Option<String> = r.get(2)?;
            Ok(GeoTimeItem {
                id: r.get(0)?,
                kind: "evidence".into(),
                label: r.get(1)?,
                lo: t.clone(),
                hi: t,
                precision: Some("exact".into()),
                lat: r.get(3)?,
                lon: r.get(4)?,
                location_precision: Some("exact".into()),
            })
        })? {
            out.push(r?);
        }
        Ok(out)
    }
}
