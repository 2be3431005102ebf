//! Full-text search (SQLite FTS5, `unicode61 remove_diacritics 2`, so Ukrainian and Russian
//! Cyrillic and accented Latin match regardless of case and diacritics), and the filters of the
//! incident and evidence lists, which combine with it.
//!
//! Query language: words (all must match), `"a phrase"`, `prefix*`, `OR`, `NOT`, `AND`,
//! parentheses. Anything else in a word is matched literally; a query whose structure is broken
//! (an unclosed quote, a dangling operator) gets a message saying what to fix.
//!
//! Speed with very common words: ranking every match with bm25 costs time in proportion to the
//! number of matches. When the rarest word of a query is found in many documents, the first page
//! is ranked from the newest [`WINDOW`] matches instead of all of them (FTS5 walks matches in
//! rowid order and stops early), and the result says so (`ranked_from`).

use crate::error::{Error, Result};
use crate::library::Library;
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// Marks the start and end of a highlighted match in snippets (Unicode private-use characters,
/// so highlighting never goes through HTML).
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';
/// Above this many matching documents, rank only the newest `WINDOW` matches.
const FULL_RANK_LIMIT: i64 = 20_000;
const WINDOW: i64 = 5_000;

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
    /// How many matches the ranking considered (all, unless the query was very common).
    pub ranked_from: i64,
    /// Whether more results exist beyond this page.
    pub more: bool,
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
                _ if w.ends_with('*') && w.len() > 1 => Tok::Prefix(w.trim_end_matches('*').to_string()),
                _ => Tok::Word(w),
            });
        }
    }
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
                    return Err(syntax(&format!("\"{w}\" has no letters or digits to search for")));
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
                let name = match t { Tok::And => "AND", Tok::Or => "OR", _ => "NOT" };
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
                    return Err(syntax("A parenthesis is closed without being opened, or closes nothing"));
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
    pub fn search(&self, query: &str, case_id: Option<&str>, limit: usize, offset: usize) -> Result<SearchResult> {
        let (fts, terms) = to_fts(query)?;
        let limit = limit.clamp(1, 200);
        // How common is the rarest word? (fts5vocab counts documents per term.)
        let mut rarest = i64::MAX;
        for t in &terms {
            let words: Vec<String> = t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(fold).collect();
            for w in words {
                let n: i64 = self
                    .conn()
                    .query_row("SELECT COALESCE(SUM(doc), 0) FROM search_terms WHERE term >= ?1 AND term < ?1 || char(1114111)", [&w], |r| r.get(0))
                    .unwrap_or(0);
                rarest = rarest.min(n);
            }
        }
        let windowed = rarest > FULL_RANK_LIMIT;
        let case_filter = if case_id.is_some() { "AND d.case_id = ?2" } else { "" };
        let candidates = if windowed {
            format!("(SELECT rowid FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid DESC LIMIT {WINDOW})")
        } else {
            "(SELECT rowid FROM search_index WHERE search_index MATCH ?1)".to_string()
        };
        let sql = format!(
            "SELECT d.record_type, d.record_id, d.case_id, highlight(search_index, 0, char(57344), char(57345)),
                    snippet(search_index, 1, char(57344), char(57345), '…', 16), bm25(search_index, 4.0, 1.0) AS score
             FROM search_index JOIN search_docs d ON d.doc = search_index.rowid
             WHERE search_index MATCH ?1 AND search_index.rowid IN {candidates} {case_filter}
             ORDER BY score LIMIT {} OFFSET {}",
            limit + 1,
            offset
        );
        let mut args: Vec<SqlValue> = vec![SqlValue::Text(fts.clone())];
        if let Some(c) = case_id {
            args.push(SqlValue::Text(c.to_string()));
        }
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            Ok(Hit {
                record_type: r.get(0)?,
                record_id: r.get(1)?,
                case_id: r.get(2)?,
                title: r.get(3)?,
                snippet: r.get(4)?,
                score: r.get(5)?,
            })
        });
        let mut hits = match rows {
            Ok(rows) => rows.collect::<rusqlite::Result<Vec<_>>>().map_err(friendly)?,
            Err(e) => return Err(friendly(e)),
        };
        let more = hits.len() > limit;
        hits.truncate(limit);
        Ok(SearchResult { query: query.to_string(), hits, ranked_from: if windowed { WINDOW } else { rarest.min(i64::MAX) }, more })
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

/// Folds a word the way the index's tokenizer does (lower case, diacritics removed), for
/// looking it up in the term counts. Covers Latin and Cyrillic well enough for that estimate.
fn fold(w: &str) -> String {
    w.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' | 'č' => 'c',
            'š' => 's',
            'ž' => 'z',
            'й' => 'и',
            'ї' => 'і',
            c => c,
        })
        .collect()
}

fn friendly(e: rusqlite::Error) -> Error {
    let text = e.to_string();
    if text.contains("fts5") || text.contains("syntax error") {
        syntax("The search could not be understood")
    } else {
        Error::Database(e)
    }
}
