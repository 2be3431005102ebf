//! `casefile verify`: everything a recipient can check without trusting the sender's machine:
//! bag structure, every manifest and tag-manifest hash, Payload-Oxum, no file outside the
//! manifests, the Ed25519 signature over the tag manifest, the custody chain, and that
//! `case.json` reads as its schema and names only files present. The Library of Congress
//! validator checks a subset of this (it accepts a bag with no tag manifest, for one).

use super::source::Source;
use super::{CaseDocument, ExportProfile, KEY_FILE, SCHEMA, SCHEMA_VERSION, SIGNATURE_FILE};
use crate::custody::{verify_case_chain, CustodyEntry};
use crate::error::{Error, Result};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
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
    pub profile: Option<ExportProfile>,
    pub case_title: Option<String>,
    pub case_reference: Option<String>,
    /// The signer's key fingerprint, when the signature holds. Confirm it with the sender.
    pub signed_by: Option<String>,
    pub payload_files: usize,
    pub payload_bytes: u64,
    pub custody_entries: usize,
    pub schema_version: Option<u32>,
}

/// What verification produced that an import goes on to use.
pub(crate) struct Verified {
    pub report: VerifyReport,
    pub doc: Option<CaseDocument>,
    pub custody: Vec<CustodyEntry>,
    pub source: Source,
    pub tagmanifest_sha256: String,
}

const TAG_MAX: u64 = 64 << 20;
const CASE_JSON_MAX: u64 = 2 << 30;

fn problem(file: &str, message: impl Into<String>) -> Problem {
    Problem { file: Some(file.into()), message: message.into() }
}

/// Parses a manifest; lines are `<hex>  <path>`.
fn parse_manifest(name: &str, text: &str, problems: &mut Vec<Problem>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((hash, path)) = line.split_once(char::is_whitespace) else {
            problems.push(problem(name, format!("line {} is not \"<hash> <path>\"", i + 1)));
            continue;
        };
        let path = path.trim_start().replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%");
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            problems.push(problem(name, format!("line {}: \"{hash}\" is not a SHA-256", i + 1)));
            continue;
        }
        if path.starts_with('/') || path.split('/').any(|c| c == ".." || c == "." || c.is_empty()) {
            problems.push(problem(name, format!("line {}: unsafe path \"{path}\"", i + 1)));
            continue;
        }
        out.insert(path, hash.to_ascii_lowercase());
    }
    out
}

fn hash_file(src: &mut Source, rel: &str) -> Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut n = 0u64;
    src.with_reader(rel, &mut |r| {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let k = r.read(&mut buf).map_err(|e| Error::BundleRefused(format!("{rel}: {e}")))?;
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
    Ok(verify_full(path)?.report)
}

pub(crate) fn verify_full(path: &Path) -> Result<Verified> {
    let mut src = Source::open(path)?;
    let mut problems = Vec::new();
    let mut report = VerifyReport {
        path: src.describe(),
        ok: false,
        problems: vec![],
        profile: None,
        case_title: None,
        case_reference: None,
        signed_by: None,
        payload_files: 0,
        payload_bytes: 0,
        custody_entries: 0,
        schema_version: None,
    };
    let read_tag = |src: &mut Source, name: &str, problems: &mut Vec<Problem>| -> Option<String> {
        if !src.contains(name) {
            problems.push(problem(name, "missing"));
            return None;
        }
        match src.read_all(name, TAG_MAX).map(String::from_utf8) {
            Ok(Ok(t)) => Some(t),
            Ok(Err(_)) => {
                problems.push(problem(name, "is not UTF-8"));
                None
            }
            Err(e) => {
                problems.push(problem(name, e.to_string()));
                None
            }
        }
    };

    // bagit.txt
    if let Some(t) = read_tag(&mut src, "bagit.txt", &mut problems) {
        if !t.lines().any(|l| l.trim() == "BagIt-Version: 1.0") || !t.lines().any(|l| l.trim() == "Tag-File-Character-Encoding: UTF-8") {
            problems.push(problem("bagit.txt", "must declare BagIt-Version: 1.0 and Tag-File-Character-Encoding: UTF-8"));
        }
    }
    let bag_info = read_tag(&mut src, "bag-info.txt", &mut problems).unwrap_or_default();
    let info: BTreeMap<String, String> = bag_info
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();

    // Payload: the manifest against the files, both ways.
    let manifest_text = read_tag(&mut src, "manifest-sha256.txt", &mut problems).unwrap_or_default();
    let manifest = parse_manifest("manifest-sha256.txt", &manifest_text, &mut problems);
    let all_files = src.files();
    let mut payload_bytes = 0u64;
    let mut payload_count = 0usize;
    for (rel, _) in all_files.iter().filter(|(r, _)| r.starts_with("data/")) {
        if !manifest.contains_key(rel) {
            problems.push(problem(rel, "is in the payload but not in manifest-sha256.txt (an extra file)"));
        }
    }
    for (rel, expected) in &manifest {
        if !rel.starts_with("data/") {
            problems.push(problem("manifest-sha256.txt", format!("{rel} is outside data/")));
            continue;
        }
        if !src.contains(rel) {
            problems.push(problem(rel, "is listed in manifest-sha256.txt but missing"));
            continue;
        }
        match hash_file(&mut src, rel) {
            Ok((h, n)) => {
                payload_bytes += n;
                payload_count += 1;
                if &h != expected {
                    problems.push(problem(rel, format!("has changed: its SHA-256 is {h}, the manifest says {expected}")));
                }
            }
            Err(e) => problems.push(problem(rel, e.to_string())),
        }
    }
    report.payload_files = payload_count;
    report.payload_bytes = payload_bytes;
    match info.get("Payload-Oxum") {
        None => problems.push(problem("bag-info.txt", "has no Payload-Oxum")),
        Some(ox) => {
            let actual = format!("{payload_bytes}.{payload_count}");
            if *ox != actual {
                problems.push(problem("bag-info.txt", format!("Payload-Oxum says {ox}, the payload is {actual}")));
            }
        }
    }

    // Tag manifest, and no stray tag files.
    let tag_text = read_tag(&mut src, "tagmanifest-sha256.txt", &mut problems).unwrap_or_default();
    let tagmanifest = parse_manifest("tagmanifest-sha256.txt", &tag_text, &mut problems);
    for required in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        if !tag_text.is_empty() && !tagmanifest.contains_key(required) {
            problems.push(problem("tagmanifest-sha256.txt", format!("does not cover {required}")));
        }
    }
    for (rel, expected) in &tagmanifest {
        if !src.contains(rel) {
            problems.push(problem(rel, "is listed in tagmanifest-sha256.txt but missing"));
            continue;
        }
        match hash_file(&mut src, rel) {
            Ok((h, _)) if &h != expected => problems.push(problem(rel, format!("has changed: its SHA-256 is {h}, the tag manifest says {expected}"))),
            Ok(_) => {}
            Err(e) => problems.push(problem(rel, e.to_string())),
        }
    }
    let known: BTreeSet<&str> = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", SIGNATURE_FILE, KEY_FILE].into();
    for (rel, _) in all_files.iter().filter(|(r, _)| !r.starts_with("data/")) {
        if !known.contains(rel.as_str()) && !tagmanifest.contains_key(rel) {
            problems.push(problem(rel, "is not part of a Casefile bag (an extra file)"));
        }
    }

    // Signature over the tag manifest.
    let b64 = base64::engine::general_purpose::STANDARD;
    let sig = read_tag(&mut src, SIGNATURE_FILE, &mut problems);
    let key = read_tag(&mut src, KEY_FILE, &mut problems);
    if let (Some(sig), Some(key)) = (sig, key) {
        let sig: Option<[u8; 64]> = b64.decode(sig.trim()).ok().and_then(|v| v.try_into().ok());
        let public: Option<[u8; 32]> = key.lines().next().and_then(|l| b64.decode(l.trim()).ok()).and_then(|v| v.try_into().ok());
        match (sig, public) {
            (Some(sig), Some(public)) => {
                if crate::keys::verify_signature(&public, tag_text.as_bytes(), &sig) {
                    let fp = crate::keys::fingerprint(&public);
                    if info.get("Casefile-Signing-Key-Fingerprint").is_some_and(|f| *f != fp) {
                        problems.push(problem("bag-info.txt", "names a different signing key than the one that signed"));
                    }
                    report.signed_by = Some(fp);
                } else {
                    problems.push(problem(SIGNATURE_FILE, "the signature does not match the tag manifest: the bag was changed after signing, or signed by another key"));
                }
            }
            _ => problems.push(problem(SIGNATURE_FILE, "the signature or public key is malformed")),
        }
    }

    // case.json
    let mut doc: Option<CaseDocument> = None;
    if src.contains("data/case.json") {
        match src.read_all("data/case.json", CASE_JSON_MAX) {
            Err(e) => problems.push(problem("data/case.json", e.to_string())),
            Ok(bytes) => {
                let head: serde_json::Result<serde_json::Value> = serde_json::from_slice(&bytes);
                match head {
                    Err(e) => problems.push(problem("data/case.json", format!("is not valid JSON: {e}"))),
                    Ok(v) => {
                        let version = v.get("schema_version").and_then(serde_json::Value::as_u64).unwrap_or(0) as u32;
                        report.schema_version = Some(version);
                        if v.get("schema").and_then(serde_json::Value::as_str) != Some(SCHEMA) {
                            problems.push(problem("data/case.json", format!("is not a \"{SCHEMA}\" document")));
                        } else if version > SCHEMA_VERSION {
                            problems.push(problem("data/case.json", format!("uses schema version {version}, newer than this Casefile reads ({SCHEMA_VERSION}); update Casefile")));
                        } else {
                            match serde_json::from_value::<CaseDocument>(v) {
                                Err(e) => problems.push(problem("data/case.json", format!("does not match its schema: {e}"))),
                                Ok(d) => {
                                    check_document(&d, &manifest, &mut problems);
                                    report.profile = Some(d.profile);
                                    report.case_title = d.case.get("title").and_then(|t| t.as_str()).map(String::from);
                                    report.case_reference = d.case.get("reference").and_then(|t| t.as_str()).map(String::from);
                                    doc = Some(d);
                                }
                            }
                        }
                    }
                }
            }
        }
    } else {
        problems.push(problem("data/case.json", "missing"));
    }

    // Custody chain.
    let mut custody = Vec::new();
    let public = doc.as_ref().map(|d| d.profile == ExportProfile::Public).unwrap_or(false);
    if src.contains("data/custody.jsonl") {
        match src.read_all("data/custody.jsonl", CASE_JSON_MAX).map(String::from_utf8) {
            Ok(Ok(text)) => {
                for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    match serde_json::from_str::<CustodyEntry>(line) {
                        Ok(e) => custody.push(e),
                        Err(e) => {
                            problems.push(problem("data/custody.jsonl", format!("line {} is not a custody entry: {e}", i + 1)));
                            break;
                        }
                    }
                }
                if let Some(p) = verify_case_chain(&custody) {
                    problems.push(Problem { file: Some(format!("data/custody.jsonl entry {}", p.seq)), message: p.message });
                }
                if let Some(d) = &doc {
                    let case_id = d.case.get("id").and_then(|v| v.as_str()).unwrap_or_default();
                    if let Some(e) = custody.iter().find(|e| e.case_id.as_deref() != Some(case_id)) {
                        problems.push(problem("data/custody.jsonl", format!("entry {:?} belongs to another case", e.case_seq)));
                    }
                }
            }
            _ => problems.push(problem("data/custody.jsonl", "is not readable UTF-8")),
        }
    } else if !public {
        problems.push(problem("data/custody.jsonl", "missing"));
    }
    report.custody_entries = custody.len();

    // Every record must be in the state its last custody entry recorded: a record changed
    // outside Casefile before the export is named here.
    if let Some(d) = &doc {
        if !custody.is_empty() {
            let mut last: BTreeMap<(&str, &str), &str> = BTreeMap::new();
            for e in &custody {
                if let Some(dg) = &e.digest {
                    last.insert((e.record_type.as_str(), e.record_id.as_str()), dg.as_str());
                }
            }
            for (t, rows) in d.record_groups() {
                let rtype = t.record_type;
                for r in rows {
                    let id = r.get("id").and_then(|v| v.as_str()).unwrap_or_default();
                    match last.get(&(rtype, id)) {
                        Some(dg) if *dg == crate::store::digest_of_row(r) => {}
                        Some(_) => problems.push(problem("data/case.json", format!("{rtype} {id} does not match its last custody entry: it was changed outside Casefile"))),
                        None => problems.push(problem("data/case.json", format!("{rtype} {id} has no custody entry"))),
                    }
                }
            }
        }
    }

    report.ok = problems.is_empty();
    report.problems = problems;
    let tagmanifest_sha256 = crate::custody::sha256_hex(tag_text.as_bytes());
    Ok(Verified { report, doc, custody, source: src, tagmanifest_sha256 })
}

/// The references inside case.json: every file it names is in the payload with that hash, and
/// every original in the payload is named.
fn check_document(d: &CaseDocument, manifest: &BTreeMap<String, String>, problems: &mut Vec<Problem>) {
    if d.profile != ExportProfile::Public && !d.withheld_files.is_empty() {
        problems.push(problem("data/case.json", "lists withheld originals, which only a public bundle may do"));
    }
    let mut named = BTreeSet::new();
    for f in &d.files {
        let rel = format!("data/{}", f.path);
        named.insert(rel.clone());
        let expected_name = f.path.strip_prefix("originals/").and_then(|n| n.split('.').next());
        if expected_name != Some(f.sha256.as_str()) {
            problems.push(problem("data/case.json", format!("file {} is not named by its hash", f.path)));
        }
        match manifest.get(&rel) {
            None => problems.push(problem("data/case.json", format!("names {rel}, which is not in the bundle"))),
            Some(h) if *h != f.sha256 => problems.push(problem(&rel, format!("case.json says SHA-256 {}, the manifest {h}", f.sha256))),
            _ => {}
        }
    }
    for rel in manifest.keys().filter(|r| r.starts_with("data/originals/")) {
        if !named.contains(rel) {
            problems.push(problem(rel, "is an original that case.json does not name"));
        }
    }
    let files: BTreeSet<&str> = d.files.iter().map(|f| f.sha256.as_str()).chain(d.withheld_files.iter().map(String::as_str)).collect();
    for e in &d.evidence {
        let sha = e.get("sha256").and_then(|v| v.as_str()).unwrap_or_default();
        if !files.contains(sha) {
            problems.push(problem("data/case.json", format!("evidence {} has no original in the bundle", e.get("id").and_then(|v| v.as_str()).unwrap_or("?"))));
        }
    }
}
