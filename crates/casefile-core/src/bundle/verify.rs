//! `casefile verify`: everything a recipient can check without trusting the sender's machine:
//! bag structure, every manifest and tag-manifest hash, Payload-Oxum, no file outside the
//! manifests, the Ed25519 signature over the tag manifest, the custody chain, every record
//! against the digest of its last custody entry, every statement against its saved version, and
//! that `case.json` reads as its schema and names only files present. The Library of Congress
//! validator checks a subset of this (it accepts a bag with no tag manifest, for one).
//!
//! Verification streams: `custody.jsonl` and `case.json` are read once each, a record or an
//! entry at a time, hashed as they are parsed, so memory stays bounded whatever the bundle
//! claims (the `verify-memory` benchmark prints it). What is kept per record is a 16-byte key
//! and a 32-byte digest or so, and all of it is charged to a budget ([`MAX_STATE_BYTES`]): a
//! bundle that would need more is refused, however its records and entries are made up.

use super::source::Source;
use super::stream::{self, CaseHead, VERSIONS};
use super::{ExportProfile, KEY_FILE, SCHEMA, SCHEMA_VERSION, SIGNATURE_FILE};
use crate::error::{Error, Result};
use crate::store::custody::CaseChain;
use crate::store::Table;
use base64::Engine;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// One thing wrong with a bundle: which file (or custody entry), and what.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub file: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub path: String,
    pub ok: bool,
    pub problems: Vec<Problem>,
    /// Problems found beyond the first [`MAX_PROBLEMS`], counted but not listed.
    pub problems_not_listed: usize,
    pub profile: Option<ExportProfile>,
    pub case_id: Option<String>,
    pub case_title: Option<String>,
    pub case_reference: Option<String>,
    /// The signer's key fingerprint, when the signature holds. Confirm it with the sender.
    pub signed_by: Option<String>,
    /// The key of the installation that created the case, as the bundle states it.
    pub origin_key: Option<String>,
    pub payload_files: usize,
    pub payload_bytes: u64,
    pub custody_entries: usize,
    pub records: usize,
    pub schema_version: Option<u32>,
}

/// At most this many problems are listed (a hostile bundle can have millions).
pub const MAX_PROBLEMS: usize = 1000;

/// What verification produced that an import goes on to use.
pub(crate) struct Verified {
    pub report: VerifyReport,
    pub head: CaseHead,
    pub source: Source,
    pub tagmanifest_sha256: String,
    /// The SHA-256 of `case.json` and `custody.jsonl` as verified: a second read must match.
    pub case_json_sha256: String,
    pub custody_sha256: Option<String>,
    /// The [`record_key`] of every record id in the bundle (kept for an import only).
    pub ids: HashSet<[u8; 16]>,
    /// The [`history_key`] of every (record id, digest) the sender's custody log records (for
    /// an import only).
    pub theirs: HashSet<[u8; 16]>,
}

/// What verification may hold in memory for one bundle's records and custody entries, in
/// bytes. Each thing kept is charged what it costs in its table at the emptiest a hash table
/// gets (just after it grows: 2.3 times its slot), plus any text it owns; a table that grows
/// briefly holds its old storage too. With one record being checked besides (at most
/// `stream::MAX_RECORD_BYTES`, copied about four times), a process stays under about 240 MiB
/// (the target is 256). An import of a genuine case of 100,000 incidents and 50,000 statements
/// is charged about half of it.
pub const MAX_STATE_BYTES: u64 = 112 << 20;

/// The charges against [`MAX_STATE_BYTES`].
struct Budget {
    used: u64,
}

impl Budget {
    /// Charges one entry of a table whose slot is `slot` bytes, owning `text` bytes of its own.
    fn charge(&mut self, slot: usize, text: usize) -> Result<()> {
        self.used += (slot as u64 + 1) * 23 / 10 + if text > 0 { text as u64 + 16 } else { 0 };
        if self.used > MAX_STATE_BYTES {
            return Err(Error::BundleRefused(format!(
                "holds more records and custody entries than Casefile verifies at once (more than {} MiB to keep in memory)",
                MAX_STATE_BYTES >> 20
            )));
        }
        Ok(())
    }
}

const TAG_MAX: u64 = 64 << 20;

struct Problems {
    list: Vec<Problem>,
    not_listed: usize,
    /// How many problems were listed ahead of the others (`add_first`).
    leading: usize,
}

impl Problems {
    /// Lists a problem ahead of the others: why a file could not be read at all must not be
    /// lost among a thousand problems found before it.
    fn add_first(&mut self, file: &str, message: impl Into<String>) {
        self.list
            .insert(self.leading.min(self.list.len()), problem(file, message));
        self.leading += 1;
        if self.list.len() > MAX_PROBLEMS {
            self.list.pop();
            self.not_listed += 1;
        }
    }
    fn push(&mut self, p: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        } else {
            self.not_listed += 1;
        }
    }
    fn add(&mut self, file: &str, message: impl Into<String>) {
        self.push(problem(file, message));
    }
    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.not_listed == 0
    }
}

fn problem(file: &str, message: impl Into<String>) -> Problem {
    Problem {
        file: Some(file.into()),
        message: message.into(),
    }
}

/// A compact key for (record type, id).
fn key(record_type: &str, id: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(record_type.as_bytes());
    h.update([0]);
    h.update(id.as_bytes());
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// A compact key for a record id, whatever its table (an import's list of the bundle's ids).
pub(crate) fn record_key(id: &str) -> [u8; 16] {
    key("", id)
}

/// A compact key for one state of a record in a custody history: (record id, digest).
pub(crate) fn history_key(id: &str, digest: &[u8; 32]) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(id.as_bytes());
    h.update([0]);
    h.update(digest);
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

pub(crate) fn digest_bytes(hex_digest: &str) -> Option<[u8; 32]> {
    let v = hex::decode(hex_digest).ok()?;
    v.try_into().ok()
}

/// The digest of what a statement says (everything but when it was last touched and whether it
/// is deleted): a statement and the saved version it is at must agree on it.
pub(crate) fn statement_content_digest(m: &Map<String, Value>) -> [u8; 32] {
    let content: Map<String, Value> = m
        .iter()
        .filter(|(k, v)| {
            !v.is_null() && !matches!(k.as_str(), "updated_at" | "deleted_at" | "deleted_reason")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Sha256::digest(crate::store::custody::canonical_json(&content)).into()
}

/// Parses a manifest; lines are `<hex>  <path>`. A path listed twice, or two paths that differ
/// only by letter case or Unicode normalisation, are problems.
fn parse_manifest(name: &str, text: &str, problems: &mut Problems) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((hash, path)) = line.split_once(char::is_whitespace) else {
            problems.add(name, format!("line {} is not \"<hash> <path>\"", i + 1));
            continue;
        };
        let path = path
            .trim_start()
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%");
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.add(name, format!("line {}: \"{hash}\" is not a SHA-256", i + 1));
            continue;
        }
        if path.starts_with('/')
            || path
                .split('/')
                .any(|c| c == ".." || c == "." || c.is_empty())
        {
            problems.add(name, format!("line {}: unsafe path \"{path}\"", i + 1));
            continue;
        }
        if out
            .insert(path.clone(), hash.to_ascii_lowercase())
            .is_some()
        {
            problems.add(name, format!("line {} lists {path} a second time", i + 1));
        }
    }
    if let Err(e) = super::source::refuse_lookalike_names(out.keys().cloned()) {
        problems.add(name, e.to_string());
    }
    out
}

fn hash_file(src: &mut Source, rel: &str) -> Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut n = 0u64;
    src.with_reader(rel, &mut |r| {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let k = r
                .read(&mut buf)
                .map_err(|e| Error::BundleRefused(format!("{rel}: {e}")))?;
            if k == 0 {
                return Ok(());
            }
            h.update(&buf[..k]);
            n += k as u64;
        }
    })?;
    Ok((hex::encode(h.finalize()), n))
}

/// Verifies the bundle at `path`. A bundle that cannot even be opened safely is an error; any
/// other failure is listed in the report's problems.
pub fn verify_bundle(path: &Path) -> Result<VerifyReport> {
    Ok(verify_full(path, None, false)?.report)
}

/// Verifies the bundle at `path`, which may be encrypted (age) to a key of `identity`. An
/// encrypted bundle without the right identity is an error (`invalid_input`, field
/// `identity`); an unencrypted one verifies as with [`verify_bundle`].
pub fn verify_bundle_with(
    path: &Path,
    identity: Option<&super::BundleIdentity>,
) -> Result<VerifyReport> {
    Ok(verify_full(path, identity, false)?.report)
}

const CASE_JSON: &str = "data/case.json";
const CUSTODY: &str = "data/custody.jsonl";

pub(crate) fn verify_full(
    path: &Path,
    identity: Option<&super::BundleIdentity>,
    for_import: bool,
) -> Result<Verified> {
    let mut src = Source::open(path, identity)?;
    let mut problems = Problems {
        list: Vec::new(),
        not_listed: 0,
        leading: 0,
    };
    let mut report = VerifyReport {
        path: src.describe(),
        ok: false,
        problems: vec![],
        problems_not_listed: 0,
        profile: None,
        case_id: None,
        case_title: None,
        case_reference: None,
        signed_by: None,
        origin_key: None,
        payload_files: 0,
        payload_bytes: 0,
        custody_entries: 0,
        records: 0,
        schema_version: None,
    };
    let read_tag = |src: &mut Source, name: &str, problems: &mut Problems| -> Option<String> {
        if !src.contains(name) {
            problems.add(name, "missing");
            return None;
        }
        match src.read_all(name, TAG_MAX).map(String::from_utf8) {
            Ok(Ok(t)) => Some(t),
            Ok(Err(_)) => {
                problems.add(name, "is not UTF-8");
                None
            }
            Err(e) => {
                problems.add(name, e.to_string());
                None
            }
        }
    };

    // bagit.txt
    if let Some(t) = read_tag(&mut src, "bagit.txt", &mut problems) {
        if !t.lines().any(|l| l.trim() == "BagIt-Version: 1.0")
            || !t
                .lines()
                .any(|l| l.trim() == "Tag-File-Character-Encoding: UTF-8")
        {
            problems.add(
                "bagit.txt",
                "must declare BagIt-Version: 1.0 and Tag-File-Character-Encoding: UTF-8",
            );
        }
    }
    let bag_info = read_tag(&mut src, "bag-info.txt", &mut problems).unwrap_or_default();
    let info: BTreeMap<String, String> = bag_info
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();

    // Payload: the manifest against the files, both ways. case.json and custody.jsonl are
    // hashed below, as they are parsed.
    let manifest_text =
        read_tag(&mut src, "manifest-sha256.txt", &mut problems).unwrap_or_default();
    let manifest = parse_manifest("manifest-sha256.txt", &manifest_text, &mut problems);
    let all_files = src.files();
    let mut payload_bytes = 0u64;
    let mut payload_count = 0usize;
    for (rel, _) in all_files.iter().filter(|(r, _)| r.starts_with("data/")) {
        if !manifest.contains_key(rel) {
            problems.add(
                rel,
                "is in the payload but not in manifest-sha256.txt (an extra file)",
            );
        }
    }
    for (rel, expected) in &manifest {
        if !rel.starts_with("data/") {
            problems.add("manifest-sha256.txt", format!("{rel} is outside data/"));
            continue;
        }
        if !src.contains(rel) {
            problems.add(rel, "is listed in manifest-sha256.txt but missing");
            continue;
        }
        if rel == CASE_JSON || rel == CUSTODY {
            continue;
        }
        match hash_file(&mut src, rel) {
            Ok((h, n)) => {
                payload_bytes += n;
                payload_count += 1;
                if &h != expected {
                    problems.add(
                        rel,
                        format!("has changed: its SHA-256 is {h}, the manifest says {expected}"),
                    );
                }
            }
            Err(e) => problems.add(rel, e.to_string()),
        }
    }

    // Tag manifest, and no stray tag files.
    let tag_text = read_tag(&mut src, "tagmanifest-sha256.txt", &mut problems).unwrap_or_default();
    let tagmanifest = parse_manifest("tagmanifest-sha256.txt", &tag_text, &mut problems);
    for required in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        if !tag_text.is_empty() && !tagmanifest.contains_key(required) {
            problems.add(
                "tagmanifest-sha256.txt",
                format!("does not cover {required}"),
            );
        }
    }
    for (rel, expected) in &tagmanifest {
        if !src.contains(rel) {
            problems.add(rel, "is listed in tagmanifest-sha256.txt but missing");
            continue;
        }
        match hash_file(&mut src, rel) {
            Ok((h, _)) if &h != expected => problems.add(
                rel,
                format!("has changed: its SHA-256 is {h}, the tag manifest says {expected}"),
            ),
            Ok(_) => {}
            Err(e) => problems.add(rel, e.to_string()),
        }
    }
    let known: BTreeSet<&str> = [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
        SIGNATURE_FILE,
        KEY_FILE,
    ]
    .into();
    for (rel, _) in all_files.iter().filter(|(r, _)| !r.starts_with("data/")) {
        if !known.contains(rel.as_str()) && !tagmanifest.contains_key(rel) {
            problems.add(rel, "is not part of a Casefile bag (an extra file)");
        }
    }

    // Signature over the tag manifest.
    let b64 = base64::engine::general_purpose::STANDARD;
    let sig = read_tag(&mut src, SIGNATURE_FILE, &mut problems);
    let key_text = read_tag(&mut src, KEY_FILE, &mut problems);
    if let (Some(sig), Some(key_text)) = (sig, key_text) {
        let sig: Option<[u8; 64]> = b64.decode(sig.trim()).ok().and_then(|v| v.try_into().ok());
        let public: Option<[u8; 32]> = key_text
            .lines()
            .next()
            .and_then(|l| b64.decode(l.trim()).ok())
            .and_then(|v| v.try_into().ok());
        match (sig, public) {
            (Some(sig), Some(public)) => {
                if crate::store::keys::verify_signature(&public, tag_text.as_bytes(), &sig) {
                    let fp = crate::store::keys::fingerprint(&public);
                    if info
                        .get("Casefile-Signing-Key-Fingerprint")
                        .is_some_and(|f| *f != fp)
                    {
                        problems.add(
                            "bag-info.txt",
                            "names a different signing key than the one that signed",
                        );
                    }
                    report.signed_by = Some(fp);
                } else {
                    problems.add(SIGNATURE_FILE, "the signature does not match the tag manifest: the bag was changed after signing, or signed by another key");
                }
            }
            _ => problems.add(SIGNATURE_FILE, "the signature or public key is malformed"),
        }
    }

    // custody.jsonl, streamed: the chain entry by entry, and the last digest of each record.
    let mut budget = Budget { used: 0 };
    let mut last_digest: HashMap<[u8; 16], [u8; 32]> = HashMap::new();
    let mut version_digests: HashMap<([u8; 16], i64), [u8; 32]> = HashMap::new();
    let mut theirs: HashSet<[u8; 16]> = HashSet::new();
    let mut custody_cases: BTreeSet<String> = BTreeSet::new();
    let mut custody_entries = 0usize;
    let mut custody_sha256 = None;
    if src.contains(CUSTODY) {
        let mut chain = CaseChain::default();
        let mut chain_broken = false;
        let mut read = None;
        src.with_reader(CUSTODY, &mut |r| {
            read = Some(stream::read_custody(r, &mut |_, e| {
                custody_entries += 1;
                if !chain_broken {
                    if let Some(p) = chain.check(&e) {
                        problems.push(Problem {
                            file: Some(format!("{CUSTODY} entry {}", p.seq)),
                            message: p.message,
                        });
                        chain_broken = true;
                    }
                }
                if custody_cases.len() < 4 {
                    custody_cases.insert(e.case_id.clone().unwrap_or_default());
                }
                // The digest each saved statement version had when it was made (or imported).
                if e.record_type == "statement" {
                    let detail = e.detail.as_ref();
                    let v = detail
                        .and_then(|d| d.get("version"))
                        .and_then(Value::as_i64);
                    let vd = detail
                        .and_then(|d| d.get("version_digest"))
                        .and_then(Value::as_str)
                        .and_then(digest_bytes);
                    if let (Some(v), Some(vd)) = (v, vd) {
                        if version_digests
                            .insert((key("statement", &e.record_id), v), vd)
                            .is_none()
                        {
                            budget.charge(56, 0)?;
                        }
                    }
                }
                if let Some(d) = e.digest.as_deref().and_then(digest_bytes) {
                    if last_digest
                        .insert(key(&e.record_type, &e.record_id), d)
                        .is_none()
                    {
                        budget.charge(48, 0)?;
                    }
                    if for_import && theirs.insert(history_key(&e.record_id, &d)) {
                        budget.charge(16, 0)?;
                    }
                }
                Ok(())
            }));
            Ok(())
        })?;
        match read {
            Some(Ok((sha, n))) => {
                payload_bytes += n;
                payload_count += 1;
                if let Some(expected) = manifest.get(CUSTODY) {
                    if *expected != sha {
                        problems.add(
                            CUSTODY,
                            format!(
                                "has changed: its SHA-256 is {sha}, the manifest says {expected}"
                            ),
                        );
                    }
                }
                custody_sha256 = Some(sha);
            }
            Some(Err(e)) => problems.add_first(
                CUSTODY,
                e.to_string()
                    .trim_start_matches("bundle refused: ")
                    .trim_start_matches("custody.jsonl: ")
                    .to_string(),
            ),
            None => problems.add(CUSTODY, "could not be read"),
        }
    }
    report.custody_entries = custody_entries;
    let has_custody = custody_sha256.is_some();

    // case.json, streamed: each record checked against the custody log as it is read.
    let mut case_id: Option<String> = None;
    let mut case_ids_seen: BTreeSet<String> = BTreeSet::new();
    let mut ids: HashSet<[u8; 16]> = HashSet::new();
    let mut id_keys: HashSet<[u8; 16]> = HashSet::new();
    let mut person_ids: HashSet<[u8; 16]> = HashSet::new();
    let mut identity_ids: Vec<String> = Vec::new();
    let mut statements: HashMap<[u8; 16], (i64, [u8; 32], String)> = HashMap::new();
    let mut case_json_read = false;
    let mut versions: HashMap<([u8; 16], i64), [u8; 32]> = HashMap::new();
    let mut evidence_files: BTreeMap<[u8; 32], String> = BTreeMap::new();
    let mut records = 0usize;
    let mut head = CaseHead::default();
    let mut case_json_sha256 = String::new();
    if src.contains(CASE_JSON) {
        let max_files = manifest.len().max(1);
        let mut outcome = None;
        src.with_reader(CASE_JSON, &mut |r| {
            outcome = Some(stream::read_case_json(r, max_files, &mut |t: &'static Table, m: Map<String, Value>| {
                let id = m.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                if t.name == VERSIONS.name {
                    let sid = m.get("statement_id").and_then(Value::as_str).unwrap_or_default();
                    let v = m.get("version").and_then(Value::as_i64).unwrap_or(0);
                    let content = m
                        .get("snapshot")
                        .and_then(Value::as_str)
                        .and_then(|s| serde_json::from_str::<Map<String, Value>>(s).ok())
                        .map(|s| statement_content_digest(&s));
                    // A version the log recorded must still be the text it recorded.
                    let snapshot_digest: Option<[u8; 32]> = m.get("snapshot").and_then(Value::as_str).map(|s| Sha256::digest(s.as_bytes()).into());
                    if let (Some(want), Some(got)) = (version_digests.get(&(key("statement", sid), v)), snapshot_digest) {
                        if *want != got {
                            problems.add(CASE_JSON, format!("version {v} of statement {sid} does not match its custody entry: it was changed outside Casefile"));
                        }
                    }
                    match content {
                        Some(c) => {
                            if versions.insert((key("statement", sid), v), c).is_some() {
                                problems.add(CASE_JSON, format!("statement {sid} has two versions numbered {v}"));
                            } else {
                                budget.charge(56, 0)?;
                            }
                        }
                        None => problems.add(CASE_JSON, format!("version {v} of statement {sid} has no readable snapshot")),
                    }
                    return Ok(());
                }
                records += 1;
                let rtype = t.record_type;
                if id.is_empty() {
                    problems.add(CASE_JSON, format!("a record of type {rtype} has no id"));
                    return Ok(());
                }
                let k = key(rtype, &id);
                if !id_keys.insert(k) {
                    problems.add(CASE_JSON, format!("{rtype} {id} appears twice"));
                } else {
                    budget.charge(16, 0)?;
                }
                match t.name {
                    "cases" => {
                        report.case_title = m.get("title").and_then(Value::as_str).map(String::from);
                        report.case_reference = m.get("reference").and_then(Value::as_str).map(String::from);
                        case_id = Some(id.clone());
                    }
                    "person_identities" => {
                        budget.charge(24, id.len())?;
                        identity_ids.push(id.clone());
                    }
                    _ => {
                        if case_ids_seen.len() < 4 {
                            case_ids_seen.insert(m.get("case_id").and_then(Value::as_str).unwrap_or_default().to_string());
                        }
                    }
                }
                if t.name == "persons" && person_ids.insert(key("person", &id)) {
                    budget.charge(16, 0)?;
                }
                if t.name == "statements" {
                    let v = m.get("version").and_then(Value::as_i64).unwrap_or(0);
                    if statements.insert(k, (v, statement_content_digest(&m), id.clone())).is_none() {
                        budget.charge(80, id.len())?;
                    }
                }
                if t.name == "evidence" {
                    if let Some(sha) = m.get("sha256").and_then(Value::as_str).and_then(digest_bytes) {
                        if let std::collections::btree_map::Entry::Vacant(e) = evidence_files.entry(sha) {
                            e.insert(id.clone());
                            budget.charge(56, id.len())?;
                        }
                    }
                }
                if has_custody {
                    match last_digest.get(&k) {
                        Some(d) if *d == crate::store::digest_bytes_of_row(&m) => {}
                        Some(_) => problems.add(CASE_JSON, format!("{rtype} {id} does not match its last custody entry: it was changed outside Casefile")),
                        None => problems.add(CASE_JSON, format!("{rtype} {id} has no custody entry")),
                    }
                }
                if for_import && ids.insert(record_key(&id)) {
                    budget.charge(16, 0)?;
                }
                Ok(())
            }));
            Ok(())
        })?;
        match outcome {
            Some(Ok((h, sha, n))) => {
                head = h;
                payload_bytes += n;
                payload_count += 1;
                if let Some(expected) = manifest.get(CASE_JSON) {
                    if *expected != sha {
                        problems.add(
                            CASE_JSON,
                            format!(
                                "has changed: its SHA-256 is {sha}, the manifest says {expected}"
                            ),
                        );
                    }
                }
                case_json_sha256 = sha;
                case_json_read = true;
            }
            Some(Err(e)) => {
                let msg = e.to_string();
                let msg = msg
                    .trim_start_matches("bundle refused: ")
                    .trim_start_matches("case.json ");
                problems.add_first(CASE_JSON, msg.to_string());
                // Still hash it, so a changed file is named as changed and counted.
                if let Ok((sha, n)) = hash_file(&mut src, CASE_JSON) {
                    payload_bytes += n;
                    payload_count += 1;
                    if let Some(expected) = manifest.get(CASE_JSON).filter(|e| **e != sha) {
                        problems.add(
                            CASE_JSON,
                            format!(
                                "has changed: its SHA-256 is {sha}, the manifest says {expected}"
                            ),
                        );
                    }
                }
            }
            None => problems.add(CASE_JSON, "could not be read"),
        }
    } else {
        problems.add(CASE_JSON, "missing");
    }
    report.payload_files = payload_count;
    report.payload_bytes = payload_bytes;
    report.records = records;
    match info.get("Payload-Oxum") {
        None => problems.add("bag-info.txt", "has no Payload-Oxum"),
        Some(ox) => {
            let actual = format!("{payload_bytes}.{payload_count}");
            if *ox != actual {
                problems.add(
                    "bag-info.txt",
                    format!("Payload-Oxum says {ox}, the payload is {actual}"),
                );
            }
        }
    }

    // The document as a whole.
    report.schema_version = head.schema_version;
    report.profile = head.profile;
    report.origin_key = head.origin_key.clone();
    report.case_id = case_id.clone();
    if !head.fields.is_empty() || !case_json_sha256.is_empty() {
        if head.schema.as_deref() != Some(SCHEMA) {
            problems.add(CASE_JSON, format!("is not a \"{SCHEMA}\" document"));
        } else if head.schema_version.unwrap_or(0) > SCHEMA_VERSION {
            problems.add(
                CASE_JSON,
                format!("uses schema version {}, newer than this Casefile reads ({SCHEMA_VERSION}); update Casefile", head.schema_version.unwrap_or(0)),
            );
        } else if let Some(missing) = stream::REQUIRED.iter().find(|f| !head.fields.contains(**f)) {
            problems.add(
                CASE_JSON,
                format!("does not match its schema: missing field `{missing}`"),
            );
        } else if let Some(unknown) = head.unknown_fields.first() {
            problems.add(
                CASE_JSON,
                format!("does not match its schema: unknown field `{unknown}`"),
            );
        } else {
            check_document(&head, &manifest, &evidence_files, &mut problems);
        }
    }
    if let Some(case_id) = &case_id {
        if case_ids_seen.iter().any(|c| c != case_id) {
            problems.add(CASE_JSON, "holds records of another case");
        }
        for i in identity_ids
            .iter()
            .filter(|i| !person_ids.contains(&key("person", i)))
        {
            problems.add(
                CASE_JSON,
                format!("identity {i} is not of a person in the bundle"),
            );
        }
        if has_custody && custody_cases.iter().any(|c| c != case_id) {
            problems.add(CUSTODY, "holds entries of another case");
        }
    } else if !case_json_sha256.is_empty() {
        problems.add(CASE_JSON, "has no case");
    }
    // A statement says what its saved version says: an edit that made no version is named. (Not
    // for a document that could not be read whole: every statement whose versions were not
    // reached would be named.)
    if case_json_read && head.profile.is_some_and(|p| p != ExportProfile::Public) {
        for (k, (v, content, id)) in &statements {
            match versions.get(&(*k, *v)) {
                Some(c) if c == content => {}
                Some(_) => problems.add(CASE_JSON, format!("statement {id} differs from its version {v}: it was changed without a new version")),
                None => problems.add(CASE_JSON, format!("statement {id} is at version {v}, which the bundle does not hold")),
            }
        }
        // A version past the one the statement is at holds words it never had (and would take
        // the number of the receiver's next edit).
        let ahead: BTreeSet<(&str, i64, i64)> = versions
            .keys()
            .filter_map(|(k, v)| {
                statements
                    .get(k)
                    .filter(|s| *v > s.0)
                    .map(|s| (s.2.as_str(), *v, s.0))
            })
            .collect();
        for (id, v, at) in ahead {
            problems.add(CASE_JSON, format!("statement {id} has a version {v}, past the version {at} it is at: a version it never had"));
        }
    }

    report.ok = problems.is_empty();
    report.problems = problems.list;
    report.problems_not_listed = problems.not_listed;
    let tagmanifest_sha256 = crate::store::custody::sha256_hex(tag_text.as_bytes());
    Ok(Verified {
        report,
        head,
        source: src,
        tagmanifest_sha256,
        case_json_sha256,
        custody_sha256,
        ids,
        theirs,
    })
}

/// The references inside case.json: every file it names is in the payload with that hash, and
/// every original in the payload is named.
fn check_document(
    d: &CaseHead,
    manifest: &BTreeMap<String, String>,
    evidence_files: &BTreeMap<[u8; 32], String>,
    problems: &mut Problems,
) {
    let public = d.profile == Some(ExportProfile::Public);
    if !public && !d.withheld_files.is_empty() {
        problems.add(
            CASE_JSON,
            "lists withheld originals, which only a public bundle may do",
        );
    }
    let mut named = BTreeSet::new();
    let mut carried: BTreeSet<String> = BTreeSet::new();
    for f in &d.files {
        let rel = format!("data/{}", f.path);
        named.insert(rel.clone());
        let (dir, expected_name) = match f.path.split_once('/') {
            Some((dir, name)) => (dir, name.split('.').next()),
            None => ("", None),
        };
        let derived = f.derived_from.is_some();
        if expected_name != Some(f.sha256.as_str())
            || dir != if derived { "derived" } else { "originals" }
        {
            problems.add(
                CASE_JSON,
                format!("file {} is not named by its hash", f.path),
            );
        }
        if derived && !public {
            problems.add(CASE_JSON, format!("file {} is a derived copy, which only a public bundle carries in place of an original", f.path));
        }
        match manifest.get(&rel) {
            None => problems.add(
                CASE_JSON,
                format!("names {rel}, which is not in the bundle"),
            ),
            Some(h) if *h != f.sha256 => problems.add(
                &rel,
                format!("case.json says SHA-256 {}, the manifest {h}", f.sha256),
            ),
            _ => {}
        }
        carried.insert(f.derived_from.clone().unwrap_or_else(|| f.sha256.clone()));
    }
    for rel in manifest
        .keys()
        .filter(|r| r.starts_with("data/originals/") || r.starts_with("data/derived/"))
    {
        if !named.contains(rel) {
            problems.add(rel, "is an original that case.json does not name");
        }
    }
    carried.extend(d.withheld_files.iter().cloned());
    for (sha, id) in evidence_files {
        if !carried.contains(&hex::encode(sha)) {
            problems.add(
                CASE_JSON,
                format!("evidence {id} has no original in the bundle"),
            );
        }
    }
}
