//! Attacks on import and verification, each reproduced on real files and asserted against the
//! defence that stops it: who may change a case (trust), record ids bound to their case,
//! statements changed only with a new version, the investigator profile, bundles built to
//! exhaust memory, ZIP tricks, and a bag changed between verification and import.
//!
//! The helpers (Sender, Receiver, rebag, sign, zip helpers) follow `bundle_hostile.rs`. Unlike
//! its `forge_custody`, which rewrites digests in place, the forger here *appends* entries to the
//! case's history, as a real attacker's Casefile would: the receiver's current state stays in
//! the sender's history, so import's "theirs is newer" rule would apply the change if nothing
//! else stood in the way.
//!
//! The memory tests run verification or import in a child process (this test binary, re-run on
//! one test with an environment variable naming the work), which reports its own peak resident
//! set (`VmHWM`, the kernel's high-water mark for its address space). `wait4`'s `ru_maxrss` is
//! not used: on exec the kernel carries the parent's high-water mark into the child's.

use base64::Engine;
use casefile_core::bundle::{
    export_case, prepare_import, verify_bundle, ExportOptions, ExportProfile, ImportReport,
    VerifyReport,
};
use casefile_core::clock::TestClock;
use casefile_core::custody::CustodyEntry;
use casefile_core::evidence::Acquisition;
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::trust::Standing;
use casefile_core::{Error, Library};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/exif-samples/jpg")
        .join(name)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn open_lib(dir: &Path) -> Library {
    fs::create_dir_all(dir).unwrap();
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

/// A library with the sample case, one sample photo and one act, ready to export.
struct Sender {
    dir: tempfile::TempDir,
    lib: Library,
    case_id: String,
    photo_sha: String,
}

fn sender_with(photo_name: &str) -> Sender {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open_lib(&dir.path().join("lib"));
    lib.set_profile("Field investigator", "NGO").unwrap();
    let case_id = lib.load_sample().unwrap().id;
    let acq = Acquisition {
        collected_by: "O. Koval".into(),
        method: "received".into(),
        source_description: "Telegram".into(),
        ..Default::default()
    };
    let r = lib
        .add_evidence(
            &case_id,
            &[photo(photo_name)],
            &acq,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(r.added.len(), 1, "{:?}", r.failed);
    let photo_sha = r.added[0].sha256.clone();
    let incident = lib.list_incidents(&case_id).unwrap()[0].id.clone();
    let victim = lib.list_persons(&case_id).unwrap()[0].id.clone();
    lib.create_act(
        &case_id,
        casefile_core::acts::ActInput {
            incident_id: incident,
            victim_person_id: Some(victim),
            act_type: "injury".into(),
            ..Default::default()
        },
    )
    .unwrap();
    Sender {
        dir,
        lib,
        case_id,
        photo_sha,
    }
}

fn sender() -> Sender {
    sender_with("Canon_40D.jpg")
}

impl Sender {
    fn export(&mut self, name: &str, zip: bool) -> PathBuf {
        let out = self.dir.path().join(name);
        export_case(
            &mut self.lib,
            &self.case_id,
            &out,
            &ExportOptions::new(ExportProfile::Full, zip),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .unwrap();
        out
    }

    /// The installation's signing key, read from its database.
    fn key(&self) -> SigningKey {
        let conn =
            casefile_core::db::open_raw_for_tests(self.dir.path().join("lib/casefile.db"), false)
                .unwrap();
        let secret: Vec<u8> = conn
            .query_row(
                "SELECT secret_key FROM installation WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        SigningKey::from_bytes(&secret.try_into().unwrap())
    }

    fn fingerprint(&self) -> String {
        self.lib.key_info().unwrap().fingerprint
    }
}

/// A key no library has seen: what an attacker signs with.
fn attacker_key(seed: &str) -> SigningKey {
    SigningKey::from_bytes(&Sha256::digest(format!("attacker key {seed}").as_bytes()).into())
}

fn fingerprint_of(k: &SigningKey) -> String {
    casefile_core::keys::fingerprint(&k.verifying_key().to_bytes())
}

/// A library that bundles are imported into, with an investigator profile.
struct Receiver {
    _dir: tempfile::TempDir,
    root: PathBuf,
    lib: Library,
}

fn receiver() -> Receiver {
    let mut r = receiver_without_profile();
    r.lib.set_profile("Receiving investigator", "HQ").unwrap();
    r
}

fn receiver_without_profile() -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let lib = open_lib(&root);
    Receiver {
        _dir: dir,
        root,
        lib,
    }
}

/// Ids of the receiver's own case (not the sender's), which no bundle may touch.
struct OtherCase {
    case_id: String,
    incident: String,
    person: String,
    statement: String,
}

/// Everything an import could change: every row of every table (as text), and every file under
/// the library directory (vault originals, thumbnails, temp files) except the database's own.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    rows: BTreeMap<String, Vec<String>>,
    files: Vec<String>,
}

impl Receiver {
    fn conn(&self) -> rusqlite::Connection {
        casefile_core::db::open_raw_for_tests(self.root.join("casefile.db"), true).unwrap()
    }

    fn snapshot(&self) -> Snapshot {
        let conn = self.conn();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_index%' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut rows = BTreeMap::new();
        for t in tables {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
            let n = stmt.column_count();
            let mut all: Vec<String> = stmt
                .query_map([], |r| {
                    let mut s = String::new();
                    for i in 0..n {
                        let v: rusqlite::types::Value = r.get(i)?;
                        s.push_str(&format!("{v:?}|"));
                    }
                    Ok(s)
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            all.sort();
            rows.insert(t, all);
        }
        let mut files = Vec::new();
        list_files(&self.root, &self.root, &mut files);
        files.retain(|f| !f.starts_with("casefile.db") && f != "casefile.lock");
        Snapshot { rows, files }
    }

    /// One row of a record table, as text (for "unchanged" comparisons without logging a read).
    fn row(&self, table: &str, id: &str) -> Option<Map<String, Value>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} WHERE id = ?1"))
            .unwrap();
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut q = stmt.query([id]).unwrap();
        let r = q.next().unwrap()?;
        let mut m = Map::new();
        for (i, n) in names.iter().enumerate() {
            let v: rusqlite::types::Value = r.get(i).unwrap();
            m.insert(
                n.clone(),
                match v {
                    rusqlite::types::Value::Null => Value::Null,
                    rusqlite::types::Value::Integer(i) => json!(i),
                    rusqlite::types::Value::Real(f) => json!(f),
                    rusqlite::types::Value::Text(t) => json!(t),
                    rusqlite::types::Value::Blob(b) => json!(hex::encode(b)),
                },
            );
        }
        Some(m)
    }

    /// (version, snapshot text) of every saved version of a statement.
    fn versions(&self, statement_id: &str) -> Vec<(i64, String)> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT version, snapshot FROM statement_versions WHERE statement_id = ?1 ORDER BY version").unwrap();
        stmt.query_map([statement_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn import(&mut self, path: &Path) -> casefile_core::Result<ImportReport> {
        self.lib
            .import_bundle(path, &AtomicBool::new(false), &mut |_, _| {})
    }

    /// A case of the receiver's own, with an incident, a witness with a restricted identity and
    /// a statement.
    fn other_case(&mut self) -> OtherCase {
        let c = self
            .lib
            .create_case(casefile_core::cases::NewCase {
                title: "Receiver's own case".into(),
                reference: Some("HQ-1".into()),
                ..Default::default()
            })
            .unwrap();
        let incident = self
            .lib
            .create_incident(
                &c.id,
                casefile_core::incidents::IncidentInput {
                    title: "Receiver's incident".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .id;
        let person = self
            .lib
            .create_person(
                &c.id,
                PersonInput {
                    roles: vec!["witness".into()],
                    ..Default::default()
                },
            )
            .unwrap()
            .id;
        self.lib
            .set_identity(
                &person,
                Identity {
                    real_name: "Receiver Secret Witness Name".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        let statement = self
            .lib
            .create_statement(
                &c.id,
                casefile_core::statements::StatementInput {
                    witness_id: person.clone(),
                    text: "What the receiver's witness said.".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .id;
        OtherCase {
            case_id: c.id,
            incident,
            person,
            statement,
        }
    }
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            list_files(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        }
    }
    out.sort();
}

fn verify(path: &Path) -> VerifyReport {
    verify_bundle(path).unwrap_or_else(|e| panic!("verify failed outright ({}): {e}", e.code()))
}

#[track_caller]
fn assert_verifies(path: &Path) -> VerifyReport {
    let r = verify(path);
    assert!(
        r.ok,
        "the forged bundle should verify (only its content is hostile), but: {:#?}",
        r.problems
    );
    r
}

/// Asserts that the report is not ok and has a problem on `file` whose message contains `needle`.
#[track_caller]
fn assert_problem(r: &VerifyReport, file: &str, needle: &str) {
    assert!(!r.ok, "the bundle verified: {r:#?}");
    assert!(
        r.problems
            .iter()
            .any(|p| p.file.as_deref() == Some(file) && p.message.contains(needle)),
        "expected a problem on {file} saying {needle:?}; got {:#?}",
        r.problems
    );
}

/// Imports and expects a refusal with `code` whose message contains `needle`, leaving every row
/// and file of the receiving library as it was.
#[track_caller]
fn assert_import_refused(r: &mut Receiver, path: &Path, code: &str, needle: &str) -> Error {
    let before = r.snapshot();
    let err = match r.import(path) {
        Ok(rep) => panic!("a hostile bundle was imported: {rep:#?}"),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "wrong code for: {err}");
    assert!(
        err.to_string().contains(needle),
        "expected {needle:?} in: {err}"
    );
    assert_eq!(
        r.snapshot(),
        before,
        "a refused import changed the receiving library (rows, vault or temp files)"
    );
    err
}

// ---------------------------------------------------------------------------------------------
// Forging helpers

fn read_doc(bag: &Path) -> Value {
    serde_json::from_slice(&fs::read(bag.join("data/case.json")).unwrap()).unwrap()
}

fn edit_case_json(bag: &Path, f: impl FnOnce(&mut Value)) {
    let mut v = read_doc(bag);
    f(&mut v);
    fs::write(
        bag.join("data/case.json"),
        serde_json::to_vec_pretty(&v).unwrap(),
    )
    .unwrap();
}

fn list_key(record_type: &str) -> &'static str {
    match record_type {
        "case" => "case",
        "incident" => "incidents",
        "person" => "persons",
        "identity" => "identities",
        "unit" => "units",
        "act" => "acts",
        "involvement" => "involvements",
        "statement" => "statements",
        "consent" => "consents",
        "link" => "links",
        "evidence" => "evidence",
        o => panic!("no list for {o}"),
    }
}

fn find_row<'a>(doc: &'a mut Value, record_type: &str, id: &str) -> &'a mut Map<String, Value> {
    let key = list_key(record_type);
    if key == "case" {
        return doc["case"].as_object_mut().unwrap();
    }
    doc[key]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {record_type} {id}"))
        .as_object_mut()
        .unwrap()
}

fn read_custody(bag: &Path) -> Vec<CustodyEntry> {
    fs::read_to_string(bag.join("data/custody.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_custody(bag: &Path, entries: &[CustodyEntry]) {
    let text: String = entries
        .iter()
        .map(|e| format!("{}\n", serde_json::to_string(e).unwrap()))
        .collect();
    fs::write(bag.join("data/custody.jsonl"), text).unwrap();
}

/// Appends one custody entry per changed record, carrying the record's state in case.json as
/// its digest, each linked to the one before: the history a Casefile that made the change would
/// have written. The chain verifies.
fn append_custody(bag: &Path, changed: &[(&str, &str)]) {
    let mut doc = read_doc(bag);
    let mut entries = read_custody(bag);
    for (n, (rtype, id)) in changed.iter().enumerate() {
        let row = find_row(&mut doc, rtype, id).clone();
        let last = entries.last().unwrap().clone();
        let mut e = CustodyEntry {
            seq: last.seq + 1,
            id: format!("01a2ffff-0000-7000-8000-{:012x}", n + entries.len()),
            at: "2026-11-26T10:00:00.000Z".into(),
            actor: "someone".into(),
            action: "edit".into(),
            case_id: last.case_id.clone(),
            record_type: rtype.to_string(),
            record_id: id.to_string(),
            digest: Some(casefile_core::store::digest_of_row(&row)),
            detail: None,
            prev_hash: last.hash.clone(),
            hash: String::new(),
            case_seq: Some(last.case_seq.unwrap() + 1),
            case_prev_hash: Some(last.hash.clone()),
        };
        e.hash = e.compute_hash();
        entries.push(e);
    }
    write_custody(bag, &entries);
}

/// What a malicious signer can also do: make every record's *last* entry carry the record's
/// state as case.json now holds it, and re-hash the chain (used where ids are renamed).
fn forge_custody(bag: &Path) {
    let doc = read_doc(bag);
    let mut entries = read_custody(bag);
    for (rtype, key) in [
        ("case", "case"),
        ("incident", "incidents"),
        ("person", "persons"),
        ("identity", "identities"),
        ("unit", "units"),
        ("act", "acts"),
        ("involvement", "involvements"),
        ("statement", "statements"),
        ("consent", "consents"),
        ("link", "links"),
        ("evidence", "evidence"),
    ] {
        let rows: Vec<Value> = if key == "case" {
            vec![doc["case"].clone()]
        } else {
            doc[key].as_array().cloned().unwrap_or_default()
        };
        for row in rows {
            let id = row["id"].as_str().unwrap_or_default();
            if let Some(e) = entries
                .iter_mut()
                .rev()
                .find(|e| e.record_type == rtype && e.record_id == id && e.digest.is_some())
            {
                e.digest = Some(casefile_core::store::digest_of_row(
                    row.as_object().unwrap(),
                ));
            }
        }
    }
    // And the digest each statement-version entry names: the version as case.json now holds it.
    for e in entries.iter_mut().filter(|e| e.record_type == "statement") {
        let Some(v) = e
            .detail
            .as_ref()
            .and_then(|d| d.get("version"))
            .and_then(Value::as_i64)
        else {
            continue;
        };
        let snapshot = doc["statement_versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["statement_id"] == e.record_id.as_str() && x["version"] == v)
            .and_then(|x| x["snapshot"].as_str());
        if let (Some(snapshot), Some(d)) = (snapshot, e.detail.as_mut()) {
            d["version_digest"] = json!(sha256_hex(snapshot.as_bytes()));
        }
    }
    rechain(&mut entries);
    write_custody(bag, &entries);
}

fn rechain(entries: &mut [CustodyEntry]) {
    let mut prev = casefile_core::custody::GENESIS.to_string();
    for e in entries {
        e.case_prev_hash = Some(prev.clone());
        e.hash = e.compute_hash();
        prev = e.hash.clone();
    }
}

/// Renames a record id everywhere in the bag's case.json and custody log (ids are UUIDs, so a
/// textual replacement touches only that record and the references to it).
fn rename_id(bag: &Path, from: &str, to: &str) {
    for f in ["data/case.json", "data/custody.jsonl"] {
        let p = bag.join(f);
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{from} is not in {f}");
        fs::write(&p, text.replace(from, to)).unwrap();
    }
    let mut entries = read_custody(bag);
    rechain(&mut entries);
    write_custody(bag, &entries);
}

/// The statement's next version, as a Casefile that edited it would save: the statement at
/// `version` with `text`, and its snapshot in statement_versions.
fn new_statement_version(doc: &mut Value, sid: &str, text: &str, version: i64) {
    let s = find_row(doc, "statement", sid);
    s.insert("text".into(), json!(text));
    s.insert("version".into(), json!(version));
    s.insert("updated_at".into(), json!("2026-11-26T10:00:00.000Z"));
    let snapshot = serde_json::to_string(&Value::Object(s.clone())).unwrap();
    doc["statement_versions"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "statement_id": sid, "version": version, "snapshot": snapshot,
            "changed_by": "someone", "changed_at": "2026-11-26T10:00:00.000Z", "changed": ["text"],
        }));
}

fn set_bag_info(bag: &Path, key: &str, value: &str) {
    let p = bag.join("bag-info.txt");
    let text = fs::read_to_string(&p).unwrap();
    let prefix = format!("{key}:");
    assert!(
        text.lines().any(|l| l.starts_with(&prefix)),
        "no {key} in bag-info.txt"
    );
    let out: String = text
        .lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{key}: {value}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    fs::write(p, out).unwrap();
}

/// Re-bags a directory bag as an attacker would after changing it: a manifest of what is now in
/// data/, the Payload-Oxum to match, a new tag manifest and a signature by `key` (whose
/// fingerprint bag-info then names).
fn rebag(bag: &Path, key: &SigningKey) {
    let mut files = Vec::new();
    list_files(bag, &bag.join("data"), &mut files);
    let (mut manifest, mut bytes) = (String::new(), 0usize);
    for rel in &files {
        let b = fs::read(bag.join(rel)).unwrap();
        manifest.push_str(&format!("{}  {rel}\n", sha256_hex(&b)));
        bytes += b.len();
    }
    fs::write(bag.join("manifest-sha256.txt"), manifest).unwrap();
    set_bag_info(bag, "Payload-Oxum", &format!("{bytes}.{}", files.len()));
    set_bag_info(
        bag,
        "Casefile-Signing-Key-Fingerprint",
        &fingerprint_of(key),
    );
    retag(bag, key);
}

/// A new tag manifest over the tag files as they are, signed by `key`.
fn retag(bag: &Path, key: &SigningKey) {
    let tags: String = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
        .iter()
        .map(|t| format!("{}  {t}\n", sha256_hex(&fs::read(bag.join(t)).unwrap())))
        .collect();
    fs::write(bag.join("tagmanifest-sha256.txt"), tags).unwrap();
    sign(bag, key);
}

/// Signs the tag manifest with `k`, writing the signature and public-key files as export does.
fn sign(bag: &Path, k: &SigningKey) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let tag = fs::read(bag.join("tagmanifest-sha256.txt")).unwrap();
    let public = k.verifying_key().to_bytes();
    fs::write(
        bag.join("signature.ed25519"),
        format!("{}\n", b64.encode(k.sign(&tag).to_bytes())),
    )
    .unwrap();
    fs::write(
        bag.join("signing-key.ed25519.pub"),
        format!(
            "{}\nfingerprint: {}\n",
            b64.encode(public),
            casefile_core::keys::fingerprint(&public)
        ),
    )
    .unwrap();
}

fn first_id(doc: &Value, key: &str) -> String {
    doc[key][0]["id"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. A key nobody trusted rewrites a statement, replaces an identity and deletes an incident.

#[test]
fn a1_an_unknown_key_changes_nothing_until_it_is_trusted() {
    let mut s = sender();
    let mut r = receiver();
    let first = s.export("first", false);
    let rep = r.import(&first).unwrap();
    assert_eq!(
        rep.standing,
        Standing::NewCase,
        "the receiver did not hold the case"
    );
    assert!(
        rep.trusted,
        "a case met for the first time trusts the key that brought it"
    );

    let bag = s.export("attack", false);
    let doc = read_doc(&bag);
    let sid = first_id(&doc, "statements");
    let pid = first_id(&doc, "identities");
    let iid = first_id(&doc, "incidents");
    let version = doc["statements"][0]["version"].as_i64().unwrap();
    edit_case_json(&bag, |d| {
        new_statement_version(d, &sid, "FORGED: the witness saw nothing.", version + 1);
        let who = find_row(d, "identity", &pid);
        who.insert("real_name".into(), json!("Attacker-Chosen Name"));
        who.insert("contact".into(), json!("+000 attacker"));
        let inc = find_row(d, "incident", &iid);
        inc.insert("deleted_at".into(), json!("2026-11-26T10:00:00.000Z"));
        inc.insert("deleted_reason".into(), json!("duplicate"));
    });
    append_custody(
        &bag,
        &[("statement", &sid), ("identity", &pid), ("incident", &iid)],
    );
    let key = attacker_key("a1");
    rebag(&bag, &key);
    let v = assert_verifies(&bag);
    assert_eq!(
        v.signed_by.as_deref(),
        Some(fingerprint_of(&key).as_str()),
        "verify names the key that signed, which nobody trusted"
    );

    let (stmt, who, inc) = (
        r.row("statements", &sid),
        r.row("person_identities", &pid),
        r.row("incidents", &iid),
    );
    let versions = r.versions(&sid);
    let before = r.snapshot();
    let rep = r.import(&bag).unwrap();
    assert_eq!(
        rep.standing,
        Standing::Untrusted,
        "the key is neither the case's origin nor trusted for it"
    );
    assert!(
        !rep.trusted,
        "the report must say the bundle's changes were not merged"
    );
    assert_eq!(
        rep.counts.updated, 0,
        "an untrusted key must update nothing: {:?}",
        rep.counts
    );
    assert_eq!(
        rep.counts.added, 0,
        "an untrusted key must add nothing: {:?}",
        rep.counts
    );
    assert_eq!(
        rep.counts.conflicts, 3,
        "each change is kept as a conflict for a person to decide: {:?}",
        rep.counts
    );
    assert_eq!(
        rep.versions_added, 0,
        "no statement version may arrive with an untrusted change"
    );
    assert_eq!(
        r.row("statements", &sid),
        stmt,
        "the witness statement must not be rewritten by an untrusted key"
    );
    assert_eq!(
        r.row("person_identities", &pid),
        who,
        "the restricted identity must not be replaced by an untrusted key"
    );
    assert_eq!(
        r.row("incidents", &iid),
        inc,
        "the incident must not be deleted by an untrusted key"
    );
    assert_eq!(
        r.versions(&sid),
        versions,
        "statement versions must not change"
    );
    let after = r.snapshot();
    for t in [
        "statements",
        "statement_versions",
        "person_identities",
        "incidents",
        "persons",
        "links",
        "acts",
        "evidence",
        "case_keys",
    ] {
        assert_eq!(
            after.rows[t], before.rows[t],
            "table {t} changed on an untrusted import"
        );
    }
    let conflicts = r.lib.conflicts(&s.case_id).unwrap();
    assert_eq!(conflicts.len(), 3);
    for c in &conflicts {
        assert_eq!(
            c.trusted,
            Some(false),
            "a conflict says it came from an untrusted key"
        );
        assert_eq!(
            c.signed_by.as_deref(),
            Some(fingerprint_of(&key).as_str()),
            "and which key"
        );
        assert!(c.resolved_at.is_none());
    }
    // The same bundle again adds no second set of conflicts.
    let again = r.import(&bag).unwrap();
    assert_eq!(
        (again.counts.updated, again.counts.conflicts),
        (0, 0),
        "{:?}",
        again.counts
    );

    // The holder confirms the key out of band and trusts it: the same bundle now applies.
    r.lib
        .trust_key(
            &s.case_id,
            &fingerprint_of(&key),
            "confirmed by phone with the field team",
        )
        .unwrap();
    let rep = r.import(&bag).unwrap();
    assert!(rep.trusted && rep.standing == Standing::Trusted, "{rep:#?}");
    assert_eq!(
        rep.counts.updated, 3,
        "the three changes apply once the key is trusted: {:?}",
        rep.counts
    );
    assert_eq!(
        rep.versions_added, 1,
        "the statement's change arrives with its new version"
    );
    let st = r.lib.get_statement(&sid).unwrap();
    assert_eq!(st.text, "FORGED: the witness saw nothing.");
    assert_eq!(
        st.version,
        version + 1,
        "the statement moves to the new version, not an old number"
    );
    let vs = r.versions(&sid);
    assert_eq!(vs.len(), versions.len() + 1, "versions only grow");
    assert_eq!(
        &vs[..versions.len()],
        &versions[..],
        "earlier versions are kept as they were"
    );
    assert!(
        vs.last().unwrap().1.contains("FORGED"),
        "the new version holds the new text"
    );
    assert_eq!(
        r.row("person_identities", &pid).unwrap()["real_name"],
        json!("Attacker-Chosen Name")
    );
    assert!(
        r.row("incidents", &iid).unwrap()["deleted_at"].is_string(),
        "the deletion applies"
    );
    assert!(
        r.lib
            .conflicts(&s.case_id)
            .unwrap()
            .iter()
            .all(|c| c.resolution.as_deref() == Some("incoming")),
        "the held conflicts are closed by the change they held"
    );
    assert!(
        r.lib.audit_verify().unwrap().ok(),
        "the library's own log still verifies"
    );
}

#[test]
fn a1b_a_revoked_key_is_untrusted_again() {
    let mut s = sender();
    let mut r = receiver();
    r.import(&s.export("first", false)).unwrap();
    r.lib
        .revoke_key(
            &s.case_id,
            &s.fingerprint(),
            "laptop seized at a checkpoint",
        )
        .unwrap();
    let bag = s.export("after", false);
    let iid = first_id(&read_doc(&bag), "incidents");
    edit_case_json(&bag, |d| {
        find_row(d, "incident", &iid).insert(
            "title".into(),
            json!("Renamed by whoever holds the seized laptop"),
        );
    });
    append_custody(&bag, &[("incident", &iid)]);
    rebag(&bag, &s.key());
    assert_verifies(&bag);
    let title = r.row("incidents", &iid).unwrap()["title"].clone();
    let rep = r.import(&bag).unwrap();
    assert!(!rep.trusted, "a revoked origin key must not be trusted");
    assert_eq!(
        (rep.counts.updated, rep.counts.conflicts),
        (0, 1),
        "{:?}",
        rep.counts
    );
    assert_eq!(
        r.row("incidents", &iid).unwrap()["title"],
        title,
        "the seized laptop's change is not applied"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. A trusted key changes what a witness said without a new version, or under a version number
//    the receiver already holds with other words.

/// A sender whose first statement has two versions, and a receiver holding the case.
fn two_versions() -> (Sender, Receiver, String) {
    let mut s = sender();
    let sid = s.lib.list_statements(&s.case_id).unwrap()[0].id.clone();
    let mut input = s.lib.get_statement(&sid).unwrap().to_input();
    input
        .text
        .push_str(" (Second version: a detail the witness added.)");
    assert_eq!(s.lib.edit_statement(&sid, input).unwrap().version, 2);
    let mut r = receiver();
    r.import(&s.export("first", false)).unwrap();
    assert_eq!(r.versions(&sid).len(), 2);
    (s, r, sid)
}

#[test]
fn a2a_a_statement_changed_without_a_new_version_is_named_by_verify() {
    let (mut s, mut r, sid) = two_versions();
    let bag = s.export("attack", false);
    edit_case_json(&bag, |d| {
        let st = find_row(d, "statement", &sid);
        st.insert("text".into(), json!("Rewritten without a version."));
        st.insert("updated_at".into(), json!("2026-11-26T10:00:00.000Z"));
    });
    append_custody(&bag, &[("statement", &sid)]);
    rebag(&bag, &s.key());
    let v = verify(&bag);
    assert_problem(
        &v,
        "data/case.json",
        &format!(
            "statement {sid} differs from its version 2: it was changed without a new version"
        ),
    );
    assert_eq!(
        v.problems.len(),
        1,
        "only that: the bag is otherwise sound: {:#?}",
        v.problems
    );
    let versions = r.versions(&sid);
    assert_import_refused(
        &mut r,
        &bag,
        "bundle_invalid",
        "changed without a new version",
    );
    assert_eq!(r.versions(&sid), versions);
}

#[test]
fn a2b_a_version_number_the_receiver_holds_with_other_words_is_a_conflict() {
    for colliding in [1, 2] {
        let (mut s, mut r, sid) = two_versions();
        let bag = s.export("attack", false);
        // The bundle is consistent with itself: the statement is at version `colliding`, its
        // copy of that version says the same forged words, and it holds no later version
        // (verify would name one: see a2d).
        edit_case_json(&bag, |d| {
            d["statement_versions"].as_array_mut().unwrap().retain(|v| {
                !(v["statement_id"] == sid.as_str() && v["version"].as_i64().unwrap() >= colliding)
            });
            new_statement_version(
                d,
                &sid,
                "FORGED under an existing version number.",
                colliding,
            );
        });
        append_custody(&bag, &[("statement", &sid)]);
        // The signer also rewrites its own log's version digests, so the bundle verifies.
        forge_custody(&bag);
        rebag(&bag, &s.key());
        assert_verifies(&bag);
        let (stmt, versions) = (r.row("statements", &sid), r.versions(&sid));
        let rep = r.import(&bag).unwrap();
        assert!(rep.trusted, "the signer is the case's origin");
        assert_eq!(
            rep.counts.updated, 0,
            "version {colliding}: two texts under one version number must not be merged: {:?}",
            rep.counts
        );
        assert_eq!(
            rep.counts.conflicts, 1,
            "version {colliding}: the change is kept as a conflict: {:?}",
            rep.counts
        );
        assert_eq!(rep.versions_added, 0);
        assert_eq!(
            r.row("statements", &sid),
            stmt,
            "the statement is not rewritten"
        );
        assert_eq!(
            r.versions(&sid),
            versions,
            "the versions are as they were (only ever grow)"
        );
    }
}

#[test]
fn a2c_a_statement_taken_back_to_an_earlier_version_is_not_a_silent_rewrite() {
    // The bundle puts back version 1, word for word (so it agrees with the receiver's own
    // version 1), as if it were newer than the receiver's version 2.
    let (mut s, mut r, sid) = two_versions();
    let bag = s.export("attack", false);
    let v1: Map<String, Value> = serde_json::from_str(&r.versions(&sid)[0].1).unwrap();
    edit_case_json(&bag, |d| {
        let st = find_row(d, "statement", &sid);
        for (k, v) in &v1 {
            st.insert(k.clone(), v.clone());
        }
        st.insert("updated_at".into(), json!("2026-11-26T10:00:00.000Z"));
    });
    append_custody(&bag, &[("statement", &sid)]);
    rebag(&bag, &s.key());
    // With its version 2 still in the bundle, verification names the statement as behind it.
    assert_problem(
        &verify(&bag),
        "data/case.json",
        &format!("statement {sid} has a version 2, past the version 1 it is at"),
    );
    // Without it, the bundle is consistent with itself, and only the import can tell.
    edit_case_json(&bag, |d| {
        d["statement_versions"]
            .as_array_mut()
            .unwrap()
            .retain(|v| !(v["statement_id"] == sid.as_str() && v["version"] == 2))
    });
    rebag(&bag, &s.key());
    assert_verifies(&bag);
    let (stmt, versions) = (r.row("statements", &sid), r.versions(&sid));
    let rep = r.import(&bag).unwrap();
    assert_eq!(
        rep.counts.updated, 0,
        "a statement must never go back to an earlier version without a new one: {:?}",
        rep.counts
    );
    assert_eq!(
        rep.counts.conflicts, 1,
        "it is kept as a conflict: {:?}",
        rep.counts
    );
    assert_eq!(
        r.row("statements", &sid),
        stmt,
        "the current words stay the current words"
    );
    assert_eq!(r.versions(&sid), versions);
    // Taking it makes a new version (3) that says what version 1 said: nothing is overwritten.
    let c = r
        .lib
        .conflicts(&s.case_id)
        .unwrap()
        .into_iter()
        .find(|c| c.record_id == sid)
        .unwrap();
    r.lib.resolve_conflict(&c.id, true).unwrap();
    let st = r.lib.get_statement(&sid).unwrap();
    assert_eq!(st.version, 3, "taking the old words is a new version");
    assert_eq!(st.text, v1["text"].as_str().unwrap());
    assert_eq!(
        &r.versions(&sid)[..2],
        &versions[..],
        "versions 1 and 2 are kept"
    );
}

#[test]
fn a2d_a_version_beyond_the_statement_is_named_by_verify() {
    // A statement version planted ahead of the statement: it would sit in the history as words
    // the witness never gave, and the receiver's own edit reaching that number would fail.
    let (mut s, mut r, sid) = two_versions();
    let bag = s.export("attack", false);
    edit_case_json(&bag, |d| {
        let mut planted = find_row(d, "statement", &sid).clone();
        planted.insert(
            "text".into(),
            json!("PLANTED: words for a version that does not exist yet."),
        );
        planted.insert("version".into(), json!(7));
        new_statement_version(d, &sid, "Third version, made properly.", 3);
        d["statement_versions"].as_array_mut().unwrap().push(json!({
            "statement_id": sid, "version": 7, "snapshot": serde_json::to_string(&planted).unwrap(),
            "changed_by": "someone", "changed_at": "2026-11-26T10:00:00.000Z", "changed": ["text"],
        }));
    });
    append_custody(&bag, &[("statement", &sid)]);
    rebag(&bag, &s.key());
    let v = verify(&bag);
    assert_problem(
        &v,
        "data/case.json",
        &format!("statement {sid} has a version 7"),
    );
    let versions = r.versions(&sid);
    assert_import_refused(&mut r, &bag, "bundle_invalid", "has a version 7");
    assert_eq!(r.versions(&sid), versions, "no version is planted");
}

// ---------------------------------------------------------------------------------------------
// 3. Record ids are bound to their case.

#[test]
fn a3a_a_record_id_of_another_case_is_refused_whole() {
    // For each kind of record: the bundle names, as one of its own, a record the receiver holds
    // in another case. Imported, it would move that record (and, for a person, replace the
    // restricted identity of the receiver's witness).
    for what in ["incident", "person", "statement", "case"] {
        let mut s = sender();
        let mut r = receiver();
        let other = r.other_case();
        let bag = s.export(&format!("steal-{what}"), false);
        let doc = read_doc(&bag);
        let (ours, theirs) = match what {
            "incident" => (first_id(&doc, "incidents"), other.incident.clone()),
            // The first person has an identity in the sample: both are renamed.
            "person" => (first_id(&doc, "identities"), other.person.clone()),
            "statement" => (first_id(&doc, "statements"), other.statement.clone()),
            _ => (
                doc["case"]["id"].as_str().unwrap().to_string(),
                other.incident.clone(),
            ),
        };
        rename_id(&bag, &ours, &theirs);
        forge_custody(&bag);
        rebag(&bag, &s.key());
        assert_verifies(&bag);
        let err = assert_import_refused(&mut r, &bag, "bundle_refused", &theirs);
        assert!(
            err.to_string().contains("another case"),
            "{what}: the refusal says why: {err}"
        );
        assert_eq!(
            r.row("person_identities", &other.person).unwrap()["real_name"],
            json!("Receiver Secret Witness Name"),
            "{what}: the other case's restricted identity is untouched"
        );
    }
}

#[test]
fn a3b_a_record_id_of_another_case_is_refused_whatever_the_signer() {
    // The receiver holds the sender's case; a bundle of that case (trusted signer, then an
    // untrusted one) carries a new incident whose id is the receiver's other case's incident.
    // Refused whole: not kept as a conflict either.
    for trusted in [true, false] {
        let mut s = sender();
        let mut r = receiver();
        let other = r.other_case();
        r.import(&s.export("first", false)).unwrap();
        let bag = s.export("attack", false);
        edit_case_json(&bag, |d| {
            let mut inc = d["incidents"][0].as_object().unwrap().clone();
            inc.insert("id".into(), json!(other.incident));
            inc.insert("title".into(), json!("Moved here"));
            d["incidents"]
                .as_array_mut()
                .unwrap()
                .push(Value::Object(inc));
        });
        append_custody(&bag, &[("incident", &other.incident)]);
        let key = if trusted {
            s.key()
        } else {
            attacker_key("a3b")
        };
        rebag(&bag, &key);
        assert_verifies(&bag);
        assert_import_refused(&mut r, &bag, "bundle_refused", &other.incident);
        assert_eq!(
            r.row("incidents", &other.incident).unwrap()["case_id"],
            json!(other.case_id),
            "the incident stays in its case"
        );
        assert!(
            r.lib.conflicts(&s.case_id).unwrap().is_empty(),
            "a record of another case is not even offered as a conflict"
        );
    }
}

#[test]
fn a3c_a_reference_to_a_record_of_another_case_is_refused() {
    // Each kind of reference a record can make, pointed at a record of the receiver's other
    // case: a link from and to, an act's victim, a statement's witness, an evidence item's
    // original, a consent's statement, an involvement's incident.
    let cases: &[(&str, &str, &str)] = &[
        ("links", "from_id", "statement"),
        ("links", "to_id", "incident"),
        ("acts", "victim_person_id", "person"),
        ("acts", "incident_id", "incident"),
        ("statements", "witness_id", "person"),
        ("evidence", "derived_from", "evidence"),
        ("consents", "statement_id", "statement"),
        ("involvements", "incident_id", "incident"),
    ];
    for &(list, field, target) in cases {
        let mut s = sender();
        let mut r = receiver();
        let other = r.other_case();
        // An evidence item of the receiver's other case, for derived_from.
        let other_evidence = {
            let acq = Acquisition {
                collected_by: "HQ".into(),
                method: "received".into(),
                ..Default::default()
            };
            let rep = r
                .lib
                .add_evidence(
                    &other.case_id,
                    &[photo("Nikon_D70.jpg")],
                    &acq,
                    &AtomicBool::new(false),
                    &mut |_| {},
                )
                .unwrap();
            rep.added[0].id.clone()
        };
        let target_id = match target {
            "statement" => other.statement.clone(),
            "incident" => other.incident.clone(),
            "person" => other.person.clone(),
            _ => other_evidence.clone(),
        };
        let bag = s.export(&format!("ref-{list}-{field}"), false);
        let mut changed = String::new();
        edit_case_json(&bag, |d| {
            let row = d[list][0]
                .as_object_mut()
                .unwrap_or_else(|| panic!("no {list} in the sample"));
            changed = row["id"].as_str().unwrap().to_string();
            row.insert(field.into(), json!(target_id));
            if list == "statements" {
                // Saved as a new version, so that verification has nothing to say.
                let (text, version) = (
                    row["text"].as_str().unwrap().to_string(),
                    row["version"].as_i64().unwrap(),
                );
                new_statement_version(d, &changed, &text, version + 1);
            }
        });
        let rtype = match list {
            "links" => "link",
            "acts" => "act",
            "statements" => "statement",
            "consents" => "consent",
            "involvements" => "involvement",
            _ => "evidence",
        };
        append_custody(&bag, &[(rtype, &changed)]);
        rebag(&bag, &s.key());
        assert_verifies(&bag);
        let err = assert_import_refused(
            &mut r,
            &bag,
            "bundle_refused",
            &format!("refers ({field}) to {target_id}"),
        );
        assert!(
            err.to_string().contains("not a record of this case"),
            "{list}.{field}: the refusal says why: {err}"
        );
    }
}

#[test]
fn a3d_a_planted_version_for_another_cases_statement_is_ignored() {
    let mut s = sender();
    let mut r = receiver();
    let other = r.other_case();
    r.import(&s.export("first", false)).unwrap();
    let bag = s.export("attack", false);
    let sid = first_id(&read_doc(&bag), "statements");
    let version = read_doc(&bag)["statements"][0]["version"].as_i64().unwrap();
    edit_case_json(&bag, |d| {
        new_statement_version(d, &sid, "A proper new version.", version + 1);
        d["statement_versions"].as_array_mut().unwrap().push(json!({
            "statement_id": other.statement, "version": 2, "snapshot": "{\"text\":\"PLANTED\"}",
            "changed_by": "someone", "changed_at": "2026-11-26T10:00:00.000Z", "changed": ["text"],
        }));
    });
    append_custody(&bag, &[("statement", &sid)]);
    rebag(&bag, &s.key());
    let before = r.versions(&other.statement);
    // Refused or ignored, the other case's statement gets no version 2.
    match r.import(&bag) {
        Ok(rep) => assert_eq!(
            rep.versions_added, 1,
            "only the bundle's own statement's version: {rep:#?}"
        ),
        Err(e) => assert!(
            matches!(e.code(), "bundle_refused" | "bundle_invalid"),
            "{e}"
        ),
    }
    assert_eq!(
        r.versions(&other.statement),
        before,
        "a version of another case's statement must never be planted"
    );
}

#[test]
fn a3e_an_untrusted_key_cannot_add_records_to_a_held_case() {
    let mut s = sender();
    let mut r = receiver();
    r.import(&s.export("first", false)).unwrap();
    let bag = s.export("attack", false);
    let new_id = "01a2eeee-0000-7000-8000-000000000001";
    let inc_to = first_id(&read_doc(&bag), "incidents");
    edit_case_json(&bag, |d| {
        let mut inc = d["incidents"][0].as_object().unwrap().clone();
        inc.insert("id".into(), json!(new_id));
        inc.insert("title".into(), json!("An incident that never happened"));
        d["incidents"]
            .as_array_mut()
            .unwrap()
            .push(Value::Object(inc));
        let mut link = d["links"][0].as_object().unwrap().clone();
        link.insert("id".into(), json!("01a2eeee-0000-7000-8000-000000000002"));
        link.insert("from_type".into(), json!("incident"));
        link.insert("from_id".into(), json!(new_id));
        link.insert("to_type".into(), json!("incident"));
        link.insert("to_id".into(), json!(inc_to));
        d["links"].as_array_mut().unwrap().push(Value::Object(link));
    });
    append_custody(
        &bag,
        &[
            ("incident", new_id),
            ("link", "01a2eeee-0000-7000-8000-000000000002"),
        ],
    );
    rebag(&bag, &attacker_key("a3e"));
    assert_verifies(&bag);
    let rep = r.import(&bag).unwrap();
    assert!(!rep.trusted);
    assert_eq!(
        rep.counts.added, 0,
        "an untrusted key adds nothing: {:?}",
        rep.counts
    );
    assert_eq!(
        rep.counts.conflicts, 2,
        "the new records wait as conflicts: {:?}",
        rep.counts
    );
    assert!(
        r.row("incidents", new_id).is_none(),
        "the incident is not in the case"
    );
    assert!(
        r.row("links", "01a2eeee-0000-7000-8000-000000000002")
            .is_none(),
        "nor the link"
    );
    assert!(!r
        .lib
        .list_incidents(&s.case_id)
        .unwrap()
        .iter()
        .any(|i| i.id == new_id));
    // Taking the link alone fails: it would point at an incident that is not in the case.
    let link_conflict = r
        .lib
        .conflicts(&s.case_id)
        .unwrap()
        .into_iter()
        .find(|c| c.record_type == "link")
        .unwrap();
    let err = r
        .lib
        .resolve_conflict(&link_conflict.id, true)
        .expect_err("a link to a record that is not in the case was taken");
    assert_eq!(err.code(), "bundle_refused", "{err}");
}

#[test]
fn a3f_resolving_a_conflict_cannot_move_a_record_into_another_case() {
    // An untrusted bundle offers a new incident X for case A (a conflict). Later a bundle of a
    // new case B brings an incident with the same id X (added to B). Taking the old conflict
    // would move X from B into A.
    let mut s = sender();
    let mut r = receiver();
    r.import(&s.export("first", false)).unwrap();
    let x = "01a2dddd-0000-7000-8000-00000000000x".replace('x', "1");
    let bag = s.export("offer", false);
    edit_case_json(&bag, |d| {
        let mut inc = d["incidents"][0].as_object().unwrap().clone();
        inc.insert("id".into(), json!(x));
        inc.insert("title".into(), json!("Offered by an unknown key"));
        d["incidents"]
            .as_array_mut()
            .unwrap()
            .push(Value::Object(inc));
    });
    append_custody(&bag, &[("incident", &x)]);
    rebag(&bag, &attacker_key("a3f"));
    let rep = r.import(&bag).unwrap();
    assert_eq!(rep.counts.conflicts, 1);
    let conflict = r.lib.conflicts(&s.case_id).unwrap().pop().unwrap();

    let mut s2 = sender_with("Nikon_D70.jpg");
    let bag2 = s2.export("case-b", false);
    let theirs = first_id(&read_doc(&bag2), "incidents");
    rename_id(&bag2, &theirs, &x);
    // Case B's own reference (the sample's is taken by case A here).
    edit_case_json(&bag2, |d| d["case"]["reference"] = json!("OTHER-ORG-7"));
    forge_custody(&bag2);
    rebag(&bag2, &s2.key());
    let rep2 = r.import(&bag2).unwrap();
    assert_eq!(rep2.standing, Standing::NewCase);
    assert_eq!(
        r.row("incidents", &x).unwrap()["case_id"],
        json!(s2.case_id),
        "X is now an incident of case B"
    );

    let before = r.snapshot();
    let err = r
        .lib
        .resolve_conflict(&conflict.id, true)
        .expect_err("taking the conflict moved a record of another case");
    assert_eq!(err.code(), "bundle_refused", "{err}");
    assert_eq!(
        r.row("incidents", &x).unwrap()["case_id"],
        json!(s2.case_id),
        "X stays in case B"
    );
    assert_eq!(r.snapshot(), before, "nothing changed");
    // Keeping ours is always possible.
    r.lib.resolve_conflict(&conflict.id, false).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 4. An import needs an investigator profile (who received it goes into the custody log).

#[test]
fn a4_import_without_a_profile_is_refused_and_changes_nothing() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let zip = s.export("bag.zip", true);
    let mut r = receiver_without_profile();
    for path in [&bag, &zip] {
        assert_import_refused(&mut r, path, "profile_required", "");
    }
    // The two-step import (as the app does it) also stages nothing durable.
    let before = r.snapshot();
    let vault = r.lib.vault().clone();
    let prepared = prepare_import(&vault, &bag, &AtomicBool::new(false), &mut |_, _| {}).unwrap();
    let err = r
        .lib
        .finish_import(prepared, true)
        .expect_err("imported without a profile");
    assert_eq!(err.code(), "profile_required");
    assert_eq!(
        r.snapshot(),
        before,
        "the staged original was discarded and no key was trusted"
    );
    assert!(
        !r.lib.vault().contains(&s.photo_sha),
        "no original reached the vault"
    );
    r.lib.set_profile("Receiving investigator", "HQ").unwrap();
    assert_eq!(
        r.import(&bag).unwrap().case_id,
        s.case_id,
        "with a profile the same bundle imports"
    );
    assert!(r.lib.vault().contains(&s.photo_sha));
}

// ---------------------------------------------------------------------------------------------
// 6. ZIP tricks: what another tool shows must be what Casefile verifies.

fn read_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut e = a.by_index(i).unwrap();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            (e.name().to_string(), b)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    for (name, body) in entries {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap();
}

/// Replaces `from` by `to` (same length) in every local header and central record name.
fn patch_names(zip: &Path, from: &str, to: &str, local: bool, central: bool) -> usize {
    assert_eq!(from.len(), to.len());
    let mut b = fs::read(zip).unwrap();
    let (f, t) = (from.as_bytes(), to.as_bytes());
    let mut n = 0;
    for i in 0..b.len().saturating_sub(46 + f.len()) {
        let sig: [u8; 4] = b[i..i + 4].try_into().unwrap();
        if local
            && sig == [0x50, 0x4b, 0x03, 0x04]
            && b[i + 26..i + 28] == (f.len() as u16).to_le_bytes()
            && &b[i + 30..i + 30 + f.len()] == f
        {
            b[i + 30..i + 30 + f.len()].copy_from_slice(t);
            n += 1;
        }
        if central
            && sig == [0x50, 0x4b, 0x01, 0x02]
            && b[i + 28..i + 30] == (f.len() as u16).to_le_bytes()
            && &b[i + 46..i + 46 + f.len()] == f
        {
            b[i + 46..i + 46 + f.len()].copy_from_slice(t);
            n += 1;
        }
    }
    fs::write(zip, b).unwrap();
    n
}

fn unzip_list(zip: &Path) -> String {
    let out = Command::new("unzip")
        .arg("-l")
        .arg(zip)
        .output()
        .expect("unzip is installed (scripts/install-deps.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[track_caller]
fn assert_refused_outright(path: &Path, needle: &str) {
    match verify_bundle(path) {
        Ok(r) => panic!("verify opened a hostile bundle: {r:#?}"),
        Err(e) => {
            assert_eq!(e.code(), "bundle_refused", "{e}");
            assert!(
                e.to_string().contains(needle),
                "expected {needle:?} in: {e}"
            );
        }
    }
    let mut r = receiver();
    assert_import_refused(&mut r, path, "bundle_refused", needle);
    assert!(r.lib.list_cases().unwrap().is_empty());
}

#[test]
fn a6a_two_zip_entries_with_one_name_are_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let entries = read_zip(&zip);
    let root = entries[0].0.split('/').next().unwrap().to_string();
    let name = format!("{root}/data/case.json");
    let real = entries.iter().find(|e| e.0 == name).unwrap().1.clone();
    let hostile = String::from_utf8(real.clone())
        .unwrap()
        .replace("Mariupol", "Elsewhere")
        .into_bytes();
    // The hostile copy first, under a placeholder of the same length, then renamed.
    let placeholder = format!("{root}/data/case.jsoX");
    let mut out = vec![(placeholder.clone(), hostile)];
    out.extend(entries.iter().cloned());
    let bad = s.dir.path().join("dup.zip");
    write_zip(&bad, &out);
    assert_eq!(patch_names(&bad, &placeholder, &name, true, true), 2);
    let listing = unzip_list(&bad);
    assert_eq!(
        listing.matches(&format!(" {name}\n")).count(),
        2,
        "unzip must show both entries (else this test proves nothing): {listing}"
    );
    assert_refused_outright(&bad, "two entries named");
}

#[test]
fn a6b_names_that_differ_only_by_case_or_normalisation_are_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let entries = read_zip(&zip);
    let root = entries[0].0.split('/').next().unwrap().to_string();
    for (i, (a, b)) in [
        ("data/A.jpg", "data/a.jpg"),
        ("data/caf\u{e9}.txt", "data/cafe\u{301}.txt"),
        ("data/CASE.json", "data/case.json"),
    ]
    .iter()
    .enumerate()
    {
        let mut out = entries.clone();
        for n in [a, b] {
            let full = format!("{root}/{n}");
            if !out.iter().any(|e| e.0 == full) {
                out.push((full, b"planted".to_vec()));
            }
        }
        let bad = s.dir.path().join(format!("lookalike{i}.zip"));
        write_zip(&bad, &out);
        let listing = unzip_list(&bad);
        assert!(
            listing.contains(&format!("{root}/{a}")) && listing.contains(&format!("{root}/{b}")),
            "both names are in the ZIP: {listing}"
        );
        assert_refused_outright(&bad, "differ only by letter case or Unicode normalisation");
    }
    // A directory bag on a case-sensitive disk can hold both names too.
    let bag = s.export("bag", false);
    fs::write(
        bag.join("data/Report.html"),
        b"<p>shown on a Mac instead of report.html</p>",
    )
    .unwrap();
    assert_refused_outright(&bag, "differ only by letter case or Unicode normalisation");
}

#[test]
fn a6c_a_local_header_that_disagrees_with_the_directory_is_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let entries = read_zip(&zip);
    let root = entries[0].0.split('/').next().unwrap().to_string();
    let name = format!("{root}/data/report.html");
    // The name: unzip (which reads local headers when extracting) and Casefile would disagree.
    let renamed = s.dir.path().join("local-name.zip");
    write_zip(&renamed, &entries);
    assert_eq!(
        patch_names(
            &renamed,
            &name,
            &format!("{root}/data/reporT.html"),
            true,
            false
        ),
        1
    );
    assert_refused_outright(
        &renamed,
        "has a local header that disagrees with its directory record",
    );
    // The CRC.
    let crc = s.dir.path().join("local-crc.zip");
    write_zip(&crc, &entries);
    let mut b = fs::read(&crc).unwrap();
    let n = name.as_bytes();
    let at = (0..b.len() - 30 - n.len())
        .find(|&i| b[i..i + 4] == [0x50, 0x4b, 0x03, 0x04] && &b[i + 30..i + 30 + n.len()] == n)
        .unwrap();
    b[at + 14] ^= 0xff;
    fs::write(&crc, b).unwrap();
    assert_refused_outright(&crc, "(CRC)");
}

#[test]
fn a6d_a_manifest_line_listed_twice_is_named() {
    let mut s = sender();
    for manifest in ["manifest-sha256.txt", "tagmanifest-sha256.txt"] {
        let bag = s.export(&format!("dup-{manifest}"), false);
        let p = bag.join(manifest);
        let text = fs::read_to_string(&p).unwrap();
        let line = text
            .lines()
            .find(|l| l.ends_with("data/case.json") || l.ends_with("bag-info.txt"))
            .unwrap()
            .to_string();
        fs::write(&p, format!("{text}{line}\n")).unwrap();
        if manifest == "manifest-sha256.txt" {
            retag(&bag, &s.key());
        } else {
            sign(&bag, &s.key());
        }
        let v = verify(&bag);
        let path = line.split_whitespace().nth(1).unwrap();
        assert_problem(&v, manifest, &format!("lists {path} a second time"));
        assert_eq!(v.problems.len(), 1, "only that: {:#?}", v.problems);
        let mut r = receiver();
        assert_import_refused(&mut r, &bag, "bundle_invalid", "a second time");
    }
}

// ---------------------------------------------------------------------------------------------
// 7. The bag changes between verification and import.

#[test]
fn a7a_case_json_changed_after_verification_rolls_the_import_back() {
    for what in ["case.json", "custody.jsonl"] {
        let mut s = sender();
        let mut r = receiver();
        let bag = s.export("bag", false);
        let before = r.snapshot();
        let vault = r.lib.vault().clone();
        let prepared =
            prepare_import(&vault, &bag, &AtomicBool::new(false), &mut |_, _| {}).unwrap();
        // Swapped for a bundle that would itself verify (re-signed by the same key): only the
        // bytes differ from what was verified.
        let iid = first_id(&read_doc(&bag), "incidents");
        if what == "case.json" {
            edit_case_json(&bag, |d| {
                find_row(d, "incident", &iid)
                    .insert("title".into(), json!("Swapped in after verification"));
            });
            append_custody(&bag, &[("incident", &iid)]);
        } else {
            let mut e = read_custody(&bag);
            e[0].actor = "someone else".into();
            rechain(&mut e);
            write_custody(&bag, &e);
        }
        rebag(&bag, &s.key());
        assert_verifies(&bag);
        let err = r
            .lib
            .finish_import(prepared, false)
            .expect_err("an import went on with a bag changed after verification");
        assert_eq!(err.code(), "bundle_refused", "{err}");
        assert!(
            err.to_string().contains("changed after it was verified"),
            "{err}"
        );
        assert_eq!(
            r.snapshot(),
            before,
            "{what}: the import is rolled back: no rows, no originals, no temp files"
        );
        assert!(r.lib.list_cases().unwrap().is_empty());
    }
}

#[cfg(unix)]
#[test]
fn a7b_case_json_swapped_for_a_fifo_after_verification_does_not_hang_the_import() {
    let mut s = sender();
    let r = receiver();
    let bag = s.export("bag", false);
    let before = r.snapshot();
    let vault = r.lib.vault().clone();
    let prepared = prepare_import(&vault, &bag, &AtomicBool::new(false), &mut |_, _| {}).unwrap();
    let p = bag.join("data/case.json");
    fs::remove_file(&p).unwrap();
    assert!(Command::new("mkfifo").arg(&p).status().unwrap().success());
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut r = r;
        let result = r.lib.finish_import(prepared, false).map(|_| ());
        tx.send(result.map_err(|e| e.code().to_string())).unwrap();
        r
    });
    let outcome = rx.recv_timeout(Duration::from_secs(10));
    if outcome.is_err() {
        // Unblock the reader so the test ends, then fail.
        let _ = fs::OpenOptions::new().write(true).open(&p);
    }
    let r = handle.join().unwrap();
    let outcome = outcome.expect("the import blocked on a FIFO put in place of case.json (the library stays locked meanwhile)");
    assert_eq!(
        outcome,
        Err("bundle_refused".to_string()),
        "a file that is not a regular file is refused"
    );
    assert_eq!(r.snapshot(), before);
}

// ---------------------------------------------------------------------------------------------
// 5. Bundles built to exhaust memory. Each is checked in a child process whose peak resident
//    set must stay under MEMORY_LIMIT_MIB, and which must finish in TIME_LIMIT.

const MEMORY_LIMIT_MIB: f64 = 256.0;
const TIME_LIMIT: Duration = Duration::from_secs(120);
const CHILD_ENV: &str = "CASEFILE_INTEGRITY_CHILD";

/// Not a test of its own: the entry point of the child process. It verifies or imports the
/// bundle named in the environment and prints one VERDICT line.
#[test]
fn memory_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (mode, path) = spec.split_once(':').unwrap();
    let path = Path::new(path);
    let verdict = match mode {
        "verify" => match verify_bundle(path) {
            Ok(r) => format!(
                "verify ok={} problems={} first={:?}",
                r.ok,
                r.problems.len() + r.problems_not_listed,
                r.problems
                    .iter()
                    .find(|p| p.file.as_deref() != Some("bag-info.txt"))
                    .map(|p| format!("{}: {}", p.file.as_deref().unwrap_or(""), p.message))
            ),
            Err(e) => format!("verify refused {}: {e}", e.code()),
        },
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let mut lib = open_lib(&dir.path().join("lib"));
            lib.set_profile("Receiving investigator", "HQ").unwrap();
            match lib.import_bundle(path, &AtomicBool::new(false), &mut |_, _| {}) {
                Ok(rep) => format!("import ok {:?}", rep.counts),
                Err(e) => format!(
                    "import refused {}: {}",
                    e.code(),
                    e.to_string().chars().take(400).collect::<String>()
                ),
            }
        }
    };
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .to_string();
    println!("\nHWM_KIB {hwm}\nVERDICT {verdict}");
}

struct Measured {
    peak_mib: f64,
    secs: f64,
    verdict: String,
}

/// Runs `mode` ("verify" or "import") on `bundle` in a child process, which reports its own peak
/// RSS once done (the parent also samples it while it runs).
fn measure(mode: &str, bundle: &Path) -> Measured {
    let exe = std::env::current_exe().unwrap();
    let t = Instant::now();
    let mut child = Command::new(exe)
        .args([
            "memory_child",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_ENV, format!("{mode}:{}", bundle.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sampled_kib = 0u64;
    let status = loop {
        if let Some(kib) = fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        {
            sampled_kib = sampled_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if t.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "{mode} of {} took more than {TIME_LIMIT:?}",
                bundle.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = t.elapsed().as_secs_f64();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let verdict = out
        .lines()
        .find_map(|l| l.split_once("VERDICT ").map(|(_, v)| v))
        .unwrap_or_else(|| panic!("the child printed no verdict ({status}): {out}\n{err}"))
        .to_string();
    let reported: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("HWM_KIB "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    Measured {
        peak_mib: reported.max(sampled_kib) as f64 / 1024.0,
        secs,
        verdict,
    }
}

/// Measures verify and import of `bundle` and asserts both refuse it, naming `needle`, within
/// the memory and time limits.
#[track_caller]
fn assert_refused_in_bounded_memory(what: &str, bundle: &Path, needle: &str) {
    for mode in ["verify", "import"] {
        let m = measure(mode, bundle);
        eprintln!(
            "{what}: {mode}: {:.1} s, peak RSS {:.1} MiB: {}",
            m.secs, m.peak_mib, m.verdict
        );
        assert!(
            m.verdict.starts_with("verify refused")
                || m.verdict.starts_with("verify ok=false")
                || m.verdict.starts_with("import refused"),
            "{what}: {mode} must refuse: {}",
            m.verdict
        );
        assert!(
            m.verdict.contains(needle),
            "{what}: {mode} must say why ({needle:?}): {}",
            m.verdict
        );
        assert!(
            m.peak_mib < MEMORY_LIMIT_MIB,
            "{what}: {mode} used {:.1} MiB (limit {MEMORY_LIMIT_MIB} MiB): {}",
            m.peak_mib,
            m.verdict
        );
        assert!(m.secs < TIME_LIMIT.as_secs_f64());
    }
}

const GB: u64 = 1_000_000_000;

/// The start of a case.json that reads as a document up to the list named `list`.
fn doc_head(list: &str) -> String {
    format!("{{\"schema\":\"casefile-case\",\"schema_version\":2,\"profile\":\"full\",\"exported_at\":\"2026-11-25T09:00:00Z\",\"{list}\":[")
}

/// A deterministic byte stream for the filler (no rand dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// A 1 MiB chunk of `{},` objects with random whitespace sprinkled in, dense enough that deflate
/// compresses it less than 200:1 (so the ZIP's ratio check alone does not stop it).
fn objects_chunk(sprinkle_every: usize) -> Vec<u8> {
    let mut rng = Lcg(7);
    let mut out = Vec::with_capacity(1 << 20);
    let mut n = 0;
    while out.len() < (1 << 20) - 16 {
        out.extend_from_slice(b"{},");
        n += 1;
        if sprinkle_every > 0 && n % sprinkle_every == 0 {
            out.push([b' ', b'\n', b'\t', b'\r'][(rng.next() % 4) as usize]);
            out.push([b' ', b'\n', b'\t', b'\r'][(rng.next() % 4) as usize]);
        }
    }
    out
}

/// A ZIP bag (the sender's own, re-written) whose data/case.json is replaced by a deflated
/// stream of `total` bytes made of `head`, repeats of `chunk`, and `tail`.
fn zip_with_case_json(
    src: &Path,
    dst: &Path,
    head: &[u8],
    chunk: &[u8],
    total: u64,
    tail: &[u8],
    level: i64,
) {
    let entries = read_zip(src);
    let root = entries[0].0.split('/').next().unwrap().to_string();
    let name = format!("{root}/data/case.json");
    let mut w = zip::ZipWriter::new(BufWriter::new(fs::File::create(dst).unwrap()));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    for (n, body) in entries.iter().filter(|e| e.0 != name) {
        w.start_file(n.as_str(), stored).unwrap();
        w.write_all(body).unwrap();
    }
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(level))
        .large_file(total > u32::MAX as u64)
        .unix_permissions(0o644);
    w.start_file(name.as_str(), deflated).unwrap();
    w.write_all(head).unwrap();
    let mut written = head.len() as u64;
    while written + (chunk.len() + tail.len()) as u64 <= total {
        w.write_all(chunk).unwrap();
        written += chunk.len() as u64;
    }
    w.write_all(tail).unwrap();
    w.finish().unwrap();
}

/// A directory bag whose data/case.json (or custody.jsonl) is replaced by what `fill` writes.
fn dir_with(src_bag: &Path, file: &str, fill: impl FnOnce(&mut dyn Write)) {
    let mut w = BufWriter::with_capacity(
        1 << 20,
        fs::File::create(src_bag.join("data").join(file)).unwrap(),
    );
    fill(&mut w);
    w.flush().unwrap();
}

fn deflated_size(data: &[u8]) -> usize {
    let p = tempfile::NamedTempFile::new().unwrap();
    let mut w = zip::ZipWriter::new(fs::File::create(p.path()).unwrap());
    w.start_file(
        "x",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1)),
    )
    .unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap();
    fs::metadata(p.path()).unwrap().len() as usize
}

#[test]
fn a5a_a_zip_whose_case_json_inflates_to_0_9_gb_of_empty_objects_is_refused_in_bounded_memory() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    // As compressible as it gets (about 1000:1): the ratio check refuses it on opening.
    let bomb = s.dir.path().join("bomb.zip");
    zip_with_case_json(
        &zip,
        &bomb,
        doc_head("incidents").as_bytes(),
        &objects_chunk(0),
        900_000_000,
        b"{}]}",
        6,
    );
    assert!(
        fs::metadata(&bomb).unwrap().len() < 20_000_000,
        "the bomb is small on disk"
    );
    assert_refused_in_bounded_memory("0.9 GB of {} (1000:1)", &bomb, "ZIP bomb");

    // Sprinkled with whitespace to stay under the ratio check: the parser's limits refuse it.
    let chunk = objects_chunk(40);
    let ratio = chunk.len() / deflated_size(&chunk);
    assert!(
        ratio < 200,
        "the chunk compresses {ratio}:1, which the ratio check would stop"
    );
    let sly = s.dir.path().join("sly.zip");
    zip_with_case_json(
        &zip,
        &sly,
        doc_head("incidents").as_bytes(),
        &chunk,
        900_000_000,
        b"{}]}",
        1,
    );
    assert_refused_in_bounded_memory(&format!("0.9 GB of {{}} ({ratio}:1)"), &sly, "case.json");
}

#[test]
fn a5b_many_small_records_with_ids_are_refused_in_bounded_memory() {
    // Tiny records that each carry an id (what verification keeps per record), in the lists
    // where it keeps the most: statements, identities, and evidence.
    let mut s = sender();
    for list in ["statements", "identities", "evidence", "incidents"] {
        let bag = s.export(&format!("many-{list}"), false);
        dir_with(&bag, "case.json", |w| {
            w.write_all(doc_head(list).as_bytes()).unwrap();
            for i in 0..2_100_000u64 {
                let sha = format!("{i:064x}");
                if list == "evidence" {
                    write!(
                        w,
                        "{{\"id\":\"{i:08x}-0000-7000-8000-000000000000\",\"sha256\":\"{sha}\"}},"
                    )
                    .unwrap();
                } else {
                    write!(
                        w,
                        "{{\"id\":\"{i:08x}-0000-7000-8000-000000000000\",\"version\":1}},"
                    )
                    .unwrap();
                }
            }
            w.write_all(b"{}]}").unwrap();
        });
        assert_refused_in_bounded_memory(&format!("2.1 million {list}"), &bag, "case.json");
    }
}

#[test]
fn a5c_records_with_long_ids_are_refused_in_bounded_memory() {
    // 0.9 GB of statements whose ids are 400 bytes each: every id kept is 400 bytes of memory.
    let mut s = sender();
    let bag = s.export("long-ids", false);
    let pad = "x".repeat(400);
    dir_with(&bag, "case.json", |w| {
        w.write_all(doc_head("statements").as_bytes()).unwrap();
        let mut written = 0u64;
        let mut i = 0u64;
        while written < 900_000_000 {
            let rec = format!("{{\"id\":\"{pad}{i:016x}\",\"version\":1}},");
            w.write_all(rec.as_bytes()).unwrap();
            written += rec.len() as u64;
            i += 1;
        }
        w.write_all(b"{}]}").unwrap();
    });
    assert_refused_in_bounded_memory("0.9 GB of statements with 400-byte ids", &bag, "case.json");
}

#[test]
fn a5d_one_gigabyte_string_deep_nesting_and_a_huge_number_are_refused_in_bounded_memory() {
    let mut s = sender();
    let string = s.export("string", false);
    dir_with(&string, "case.json", |w| {
        w.write_all(b"{\"schema\":\"").unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..(GB >> 20) {
            w.write_all(&block).unwrap();
        }
        w.write_all(b"\"}").unwrap();
    });
    assert_refused_in_bounded_memory("a 1 GB string", &string, "a string is longer than");

    let deep = s.export("deep", false);
    dir_with(&deep, "case.json", |w| {
        w.write_all(b"{\"incidents\":[{\"tags\":").unwrap();
        w.write_all(&vec![b'['; 10_000]).unwrap();
        w.write_all(&vec![b']'; 10_000]).unwrap();
        w.write_all(b"}]}").unwrap();
    });
    assert_refused_in_bounded_memory("10,000-deep nesting", &deep, "nest deeper than");

    let number = s.export("number", false);
    dir_with(&number, "case.json", |w| {
        w.write_all(b"{\"schema_version\":").unwrap();
        let block = vec![b'9'; 1 << 20];
        for _ in 0..256 {
            w.write_all(&block).unwrap();
        }
        w.write_all(b"}").unwrap();
    });
    assert_refused_in_bounded_memory(
        "a 256 MiB number",
        &number,
        "a number or literal is longer than",
    );

    // The same, deflated in a ZIP under the ratio check (random letters every 100 bytes).
    let zip = s.export("bag.zip", true);
    let mut rng = Lcg(11);
    let chunk: Vec<u8> = (0..(1 << 20))
        .map(|i| {
            if i % 100 == 0 {
                b'a' + (rng.next() % 26) as u8
            } else {
                b'a'
            }
        })
        .collect();
    let ratio = chunk.len() / deflated_size(&chunk);
    assert!(ratio < 200, "the chunk compresses {ratio}:1");
    let zstring = s.dir.path().join("string.zip");
    zip_with_case_json(&zip, &zstring, b"{\"schema\":\"", &chunk, GB, b"\"}", 1);
    assert_refused_in_bounded_memory(
        &format!("a 1 GB string in a ZIP ({ratio}:1)"),
        &zstring,
        "a string is longer than",
    );
}

#[test]
fn a5e_a_custody_log_built_to_exhaust_memory_is_refused_in_bounded_memory() {
    let mut s = sender();
    // One line of a gigabyte.
    let line = s.export("custody-line", false);
    dir_with(&line, "custody.jsonl", |w| {
        let block = vec![b' '; 1 << 20];
        for _ in 0..(GB >> 20) {
            w.write_all(&block).unwrap();
        }
        w.write_all(b"\n").unwrap();
    });
    assert_refused_in_bounded_memory("a 1 GB custody line", &line, "custody.jsonl");

    // Millions of tiny entries, each about a record of its own, each with a digest: what
    // verification keeps per record it has seen in the log.
    let many = s.export("custody-many", false);
    let digest = "ab".repeat(32);
    dir_with(&many, "custody.jsonl", |w| {
        for i in 0..4_200_000u64 {
            writeln!(
                w,
                "{{\"seq\":{i},\"id\":\"\",\"at\":\"\",\"actor\":\"\",\"action\":\"\",\"case_id\":null,\"record_type\":\"incident\",\"record_id\":\"{i:08x}-0000-7000-8000-000000000000\",\"digest\":\"{digest}\",\"detail\":null,\"prev_hash\":\"\",\"hash\":\"\"}}"
            )
            .unwrap();
        }
    });
    assert_refused_in_bounded_memory("4.2 million custody entries", &many, "custody");
}

#[test]
fn a5f_one_huge_record_is_refused_or_checked_in_bounded_memory() {
    // Strings each under the limit of one string, together one record as large as a record may
    // be: every copy made of it while it is checked costs its whole size. (Under the old limit
    // of 96 MiB, three strings of 31 MiB took 413 MiB to check.) First too large, then just
    // under the limit alone, then after enough small records to fill most of what verification
    // may keep.
    let mut s = sender();
    // 420,000 tiny statements are charged about 95 of the 112 MiB verification may keep.
    for (filler, strings) in [(0u64, 31u64 << 20), (0, 8_200_000), (420_000, 8_200_000)] {
        let bag = s.export(&format!("huge-record-{filler}-{strings}"), false);
        dir_with(&bag, "case.json", |w| {
            w.write_all(doc_head("statements").as_bytes()).unwrap();
            for i in 0..filler {
                write!(
                    w,
                    "{{\"id\":\"{i:08x}-0000-7000-8000-000000000000\",\"version\":1}},"
                )
                .unwrap();
            }
            w.write_all(b"{\"id\":\"huge\",\"version\":1").unwrap();
            let block = vec![b'a'; strings as usize];
            for field in ["text", "title", "interview_place"] {
                write!(w, ",\"{field}\":\"").unwrap();
                w.write_all(&block).unwrap();
                w.write_all(b"\"").unwrap();
            }
            w.write_all(b"}]}").unwrap();
        });
        assert_refused_in_bounded_memory(
            &format!("a record of 3 strings of {strings} bytes after {filler} small records"),
            &bag,
            "case.json",
        );
    }
}

#[test]
fn a2e_an_earlier_version_rewritten_in_a_bundle_is_named_by_verify() {
    // Even a trusted sender (re-signing with its own key) cannot put other words into a version
    // its own log recorded: the entry that made the version names its digest.
    let (mut s, _r, sid) = two_versions();
    let bag = s.export("attack", false);
    edit_case_json(&bag, |d| {
        let versions = d["statement_versions"].as_array_mut().unwrap();
        let v1 = versions
            .iter_mut()
            .find(|v| v["statement_id"] == sid.as_str() && v["version"] == 1)
            .unwrap();
        let mut snap: Value = serde_json::from_str(v1["snapshot"].as_str().unwrap()).unwrap();
        snap["text"] = json!("The witness never said this.");
        v1["snapshot"] = json!(snap.to_string());
    });
    rebag(&bag, &s.key());
    let v = verify(&bag);
    assert_problem(
        &v,
        "data/case.json",
        &format!("version 1 of statement {sid} does not match its custody entry"),
    );
}
