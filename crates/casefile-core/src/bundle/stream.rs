//! Reading a bundle's `case.json` and `custody.jsonl` as streams, in bounded memory whatever they
//! claim, and hashing them in the same read.
//!
//! A hostile bundle can hold a `case.json` that inflates to gigabytes of tiny objects, or one
//! string of a gigabyte. [`JsonGuard`] sits under the JSON parser and fails the read as soon as
//! the text goes past a limit (nesting depth, length of one string or number, size and number of
//! values of one record), so the parser never buffers more than one record; [`read_case_json`]
//! hands each record to a callback and keeps only the small parts of the document. Counts of
//! records, files and custody entries are capped too. What is read is hashed on the way, so a
//! second read (an import re-reads what verification checked) can be held to the same bytes.

use super::{BundleSource, ExportProfile, FileRef};
use crate::error::{Error, Result};
use crate::records;
use crate::records::vocab::Term;
use crate::store::Table;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt;
use std::io::{BufRead, Read};

/// Containers may nest this deep (a record's JSON columns need four or five levels).
pub const MAX_DEPTH: usize = 24;
/// One string, in bytes of JSON text (a statement of 2,000,000 characters fits).
pub const MAX_STRING: u64 = 32 << 20;
/// One number or literal, in bytes.
pub const MAX_TOKEN: u64 = 512;
/// One record (or the document's header object), in bytes of JSON text. Checking a record
/// copies it about four times over (its digests are taken of copies), so this bounds the
/// memory one record takes (a statement of 2,000,000 Cyrillic characters with four
/// translations as long still fits)...
pub const MAX_RECORD_BYTES: u64 = 24 << 20;
/// ...and in values (each kept in memory costs far more than its text).
pub const MAX_RECORD_VALUES: u64 = 200_000;
/// Records (and statement versions) in one bundle.
pub const MAX_RECORDS: usize = 1_000_000;
/// Custody entries in one bundle, and bytes of one entry's line.
pub const MAX_CUSTODY_ENTRIES: usize = 2_000_000;
pub const MAX_CUSTODY_LINE: usize = 1 << 20;
/// Vocabulary terms carried by one bundle.
pub const MAX_TERMS: usize = 100_000;

/// The statement versions table, as bundles carry it (not a record type of its own).
pub(crate) const VERSIONS: Table = Table {
    name: "statement_versions",
    record_type: "statement_version",
    label: "statement_id",
    json: &["changed"],
    bools: &[],
};

/// A reader that enforces the limits above on the JSON text passing through it, and hashes it.
pub struct JsonGuard<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    depth: usize,
    in_string: bool,
    escape: bool,
    string_len: u64,
    token_len: u64,
    /// The depth at which the container being budgeted opened (a record), if one is open.
    budget_depth: Option<usize>,
    budget_bytes: u64,
    budget_values: u64,
    failed: Option<String>,
}

impl<R: Read> JsonGuard<R> {
    pub fn new(inner: R) -> Self {
        JsonGuard {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            depth: 0,
            in_string: false,
            escape: false,
            string_len: 0,
            token_len: 0,
            budget_depth: None,
            budget_bytes: 0,
            budget_values: 0,
            failed: None,
        }
    }

    /// The SHA-256 and length of everything read so far.
    pub fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.bytes)
    }

    /// Why the guard stopped the read, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    fn value_start(&mut self) -> std::result::Result<(), String> {
        if self.budget_depth.is_some() {
            self.budget_values += 1;
            if self.budget_values > MAX_RECORD_VALUES {
                return Err(format!(
                    "a record holds more than {MAX_RECORD_VALUES} values"
                ));
            }
        }
        Ok(())
    }

    fn scan(&mut self, buf: &[u8]) -> std::result::Result<(), String> {
        for &b in buf {
            if self.budget_depth.is_some() {
                self.budget_bytes += 1;
                if self.budget_bytes > MAX_RECORD_BYTES {
                    return Err(format!("a record is larger than {MAX_RECORD_BYTES} bytes"));
                }
            }
            if self.in_string {
                self.string_len += 1;
                if self.string_len > MAX_STRING {
                    return Err(format!("a string is longer than {MAX_STRING} bytes"));
                }
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => self.token_len = 0,
                b'"' => {
                    self.token_len = 0;
                    self.value_start()?;
                    self.in_string = true;
                    self.string_len = 0;
                }
                b'{' | b'[' => {
                    self.token_len = 0;
                    self.value_start()?;
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(format!("containers nest deeper than {MAX_DEPTH} levels"));
                    }
                    // Records are the objects directly inside the document's lists (depth 3),
                    // and the case itself and the header objects (depth 2).
                    if self.budget_depth.is_none()
                        && b == b'{'
                        && (self.depth == 2 || self.depth == 3)
                    {
                        self.budget_depth = Some(self.depth);
                        self.budget_bytes = 1;
                        self.budget_values = 1;
                    }
                }
                b'}' | b']' => {
                    self.token_len = 0;
                    if self.budget_depth == Some(self.depth) {
                        self.budget_depth = None;
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                _ => {
                    if self.token_len == 0 {
                        self.value_start()?;
                    }
                    self.token_len += 1;
                    if self.token_len > MAX_TOKEN {
                        return Err(format!(
                            "a number or literal is longer than {MAX_TOKEN} bytes"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for JsonGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(f) = &self.failed {
            return Err(std::io::Error::other(f.clone()));
        }
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if let Err(msg) = self.scan(&buf[..n]) {
            self.failed = Some(msg.clone());
            return Err(std::io::Error::other(msg));
        }
        Ok(n)
    }
}

/// The small parts of `case.json`: everything but the records.
#[derive(Debug, Default)]
pub struct CaseHead {
    pub schema: Option<String>,
    pub schema_version: Option<u32>,
    pub profile: Option<ExportProfile>,
    pub exported_at: Option<String>,
    pub source: Option<BundleSource>,
    pub origin_key: Option<String>,
    pub terms: Vec<Term>,
    pub files: Vec<FileRef>,
    pub withheld_files: Vec<String>,
    /// The document's fields, as found.
    pub fields: BTreeSet<String>,
    /// Fields this version does not know (skipped unread).
    pub unknown_fields: Vec<String>,
}

/// The fields every `case.json` has.
pub const REQUIRED: &[&str] = &[
    "schema",
    "schema_version",
    "profile",
    "exported_at",
    "source",
    "case",
    "incidents",
    "persons",
    "identities",
    "units",
    "acts",
    "involvements",
    "statements",
    "statement_versions",
    "consents",
    "links",
    "evidence",
    "terms",
    "files",
    "withheld_files",
];

/// Where a list of records goes: its table.
fn list_table(field: &str) -> Option<&'static Table> {
    Some(match field {
        "incidents" => &records::INCIDENTS,
        "persons" => &records::PERSONS,
        "identities" => &records::IDENTITIES,
        "units" => &records::UNITS,
        "acts" => &records::ACTS,
        "involvements" => &records::INVOLVEMENTS,
        "statements" => &records::STATEMENTS,
        "statement_versions" => &VERSIONS,
        "consents" => &records::CONSENTS,
        "links" => &records::LINKS,
        "evidence" => &records::EVIDENCE,
        _ => return None,
    })
}

/// One record of the document, with its table (`VERSIONS` for a statement version).
pub type OnRecord<'a> = dyn FnMut(&'static Table, Map<String, Value>) -> Result<()> + 'a;

/// Reads `case.json` from `reader`, calling `on_record` for each record in document order.
/// `max_files` caps the `files` list (it can name no more files than the manifest lists).
/// Returns the head and the text's SHA-256 and length. An error from `on_record` stops the read
/// and is returned as it is; a malformed or oversized document is `BundleRefused`.
pub fn read_case_json(
    reader: &mut dyn Read,
    max_files: usize,
    on_record: &mut OnRecord<'_>,
) -> Result<(CaseHead, String, u64)> {
    let mut guard = JsonGuard::new(reader);
    let mut head = CaseHead::default();
    let mut failure: Option<Error> = None;
    let mut records = 0usize;
    let parsed = {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(
            64 << 10,
            &mut guard,
        ));
        let visitor = DocVisitor {
            head: &mut head,
            on_record,
            failure: &mut failure,
            records: &mut records,
            max_files,
        };
        let r = serde::Deserializer::deserialize_map(&mut de, visitor);
        r.and_then(|_| de.end())
    };
    if let Some(e) = failure {
        return Err(e);
    }
    if let Err(e) = parsed {
        use serde_json::error::Category;
        let why = match (guard.failure(), e.classify()) {
            (Some(limit), _) => format!("is refused: {limit}"),
            (None, Category::Data) => format!("does not match its schema: {e}"),
            (None, Category::Io) => format!("could not be read: {e}"),
            (None, _) => format!("is not valid JSON: {e}"),
        };
        return Err(Error::BundleRefused(format!("case.json {why}")));
    }
    let (sha, len) = guard.finish();
    Ok((head, sha, len))
}

struct DocVisitor<'a, 'b> {
    head: &'a mut CaseHead,
    on_record: &'a mut OnRecord<'b>,
    failure: &'a mut Option<Error>,
    records: &'a mut usize,
    max_files: usize,
}

/// Hands one record to the callback, keeping the callback's own error aside (serde only carries
/// text).
fn deliver<E: serde::de::Error>(
    on_record: &mut OnRecord<'_>,
    failure: &mut Option<Error>,
    records: &mut usize,
    t: &'static Table,
    m: Map<String, Value>,
) -> std::result::Result<(), E> {
    *records += 1;
    if *records > MAX_RECORDS {
        return Err(E::custom(format!("more than {MAX_RECORDS} records")));
    }
    match on_record(t, m) {
        Ok(()) => Ok(()),
        Err(e) => {
            let msg = e.to_string();
            *failure = Some(e);
            Err(E::custom(msg))
        }
    }
}

impl<'de> Visitor<'de> for DocVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a casefile-case document (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if !self.head.fields.insert(key.clone()) {
                return Err(A::Error::custom(format!(
                    "the field \"{key}\" appears twice"
                )));
            }
            match key.as_str() {
                "schema" => self.head.schema = Some(map.next_value()?),
                "schema_version" => self.head.schema_version = Some(map.next_value()?),
                "profile" => self.head.profile = Some(map.next_value()?),
                "exported_at" => self.head.exported_at = Some(map.next_value()?),
                "source" => self.head.source = Some(map.next_value()?),
                "origin_key" => self.head.origin_key = map.next_value()?,
                "case" => {
                    let m: Map<String, Value> = map.next_value()?;
                    deliver(
                        self.on_record,
                        self.failure,
                        self.records,
                        &records::CASES,
                        m,
                    )?;
                }
                "terms" => {
                    self.head.terms =
                        map.next_value_seed(Capped::<Term>::new(MAX_TERMS, "terms"))?
                }
                "files" => {
                    self.head.files =
                        map.next_value_seed(Capped::<FileRef>::new(self.max_files, "files"))?
                }
                "withheld_files" => {
                    self.head.withheld_files = map.next_value_seed(Capped::<String>::new(
                        self.max_files.max(MAX_TERMS),
                        "withheld files",
                    ))?
                }
                other => match list_table(other) {
                    Some(t) => map.next_value_seed(RecordList {
                        table: t,
                        on_record: &mut *self.on_record,
                        failure: &mut *self.failure,
                        records: &mut *self.records,
                    })?,
                    // Perhaps a newer Casefile's field: the verifier decides, knowing the version.
                    None => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        self.head.unknown_fields.push(other.to_string());
                    }
                },
            }
        }
        Ok(())
    }
}

/// A list of records, each handed on as soon as it is read.
struct RecordList<'a, 'b> {
    table: &'static Table,
    on_record: &'a mut OnRecord<'b>,
    failure: &'a mut Option<Error>,
    records: &'a mut usize,
}

impl<'de> DeserializeSeed<'de> for RecordList<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordList<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of {} records", self.table.record_type)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(m) = seq.next_element::<Map<String, Value>>()? {
            deliver(self.on_record, self.failure, self.records, self.table, m)?;
        }
        Ok(())
    }
}

/// A list read whole, but refused past `max` items.
struct Capped<T> {
    max: usize,
    what: &'static str,
    _t: std::marker::PhantomData<T>,
}

impl<T> Capped<T> {
    fn new(max: usize, what: &'static str) -> Self {
        Capped {
            max,
            what,
            _t: std::marker::PhantomData,
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> DeserializeSeed<'de> for Capped<T> {
    type Value = Vec<T>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Vec<T>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for Capped<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {} {}", self.max, self.what)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = seq.next_element()? {
            if out.len() == self.max {
                return Err(A::Error::custom(format!(
                    "more than {} {}",
                    self.max, self.what
                )));
            }
            out.push(x);
        }
        Ok(out)
    }
}

/// Reads `custody.jsonl` line by line (each line at most [`MAX_CUSTODY_LINE`] bytes, at most
/// [`MAX_CUSTODY_ENTRIES`] lines), calling `on_entry` with the 1-based line number and the
/// entry. Returns the text's SHA-256 and length. A malformed line is `BundleRefused`, naming it.
pub fn read_custody(
    reader: &mut dyn Read,
    on_entry: &mut dyn FnMut(usize, crate::store::custody::CustodyEntry) -> Result<()>,
) -> Result<(String, u64)> {
    let mut r = std::io::BufReader::with_capacity(64 << 10, reader);
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        line.clear();
        let got = (&mut r)
            .take(MAX_CUSTODY_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::BundleRefused(format!("custody.jsonl: {e}")))?;
        if got == 0 {
            break;
        }
        if line.len() > MAX_CUSTODY_LINE {
            return Err(Error::BundleRefused(format!(
                "custody.jsonl: line {} is longer than {MAX_CUSTODY_LINE} bytes",
                n + 1
            )));
        }
        hasher.update(&line);
        total += line.len() as u64;
        n += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if n > MAX_CUSTODY_ENTRIES {
            return Err(Error::BundleRefused(format!(
                "custody.jsonl holds more than {MAX_CUSTODY_ENTRIES} entries"
            )));
        }
        let e: crate::store::custody::CustodyEntry =
            serde_json::from_slice(&line).map_err(|e| {
                Error::BundleRefused(format!(
                    "custody.jsonl: line {n} is not a custody entry: {e}"
                ))
            })?;
        on_entry(n, e)?;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_reads(text: &[u8]) -> std::result::Result<(), String> {
        let mut g = JsonGuard::new(text);
        let mut sink = Vec::new();
        g.read_to_end(&mut sink)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_guard_stops_what_would_exhaust_memory() {
        assert!(guard_reads(br#"{"a": [1, 2, {"b": "c"}]}"#).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(
            guard_reads(deep.as_bytes()).unwrap_err().contains("nest"),
            "nesting is bounded"
        );
        let long_number = format!("[{}]", "1".repeat(MAX_TOKEN as usize + 1));
        assert!(
            guard_reads(long_number.as_bytes())
                .unwrap_err()
                .contains("number"),
            "a number's length is bounded"
        );
        let many = format!(
            "{{\"incidents\": [{{\"x\": [{}0]}}]}}",
            "0,".repeat(MAX_RECORD_VALUES as usize)
        );
        assert!(
            guard_reads(many.as_bytes()).unwrap_err().contains("values"),
            "a record's values are bounded"
        );
        let escaped_quotes = format!("[\"{}\"]", "\\\"".repeat(1000));
        assert!(
            guard_reads(escaped_quotes.as_bytes()).is_ok(),
            "escaped quotes do not end a string"
        );
    }
}
