//! Hostile and damaged bundles, on real files in temp dirs. Each test exports a real case (the
//! sample case plus a sample photo), damages the bag the way an attacker or a bad disk would, and
//! checks both sides: `verify_bundle` names the file (or ZIP entry, or custody entry) and what is
//! wrong with it, and `import_bundle` refuses with a stable code and changes nothing in the
//! receiving library (database rows, vault files, temp files).
//!
//! Some attacks need a bag whose signature still holds after the change. The signing key lives in
//! the sending library's database, so these tests re-sign with it (`Sender::key`): that is the
//! case of a compromised or buggy sender, or of an attacker who signs with a key of their own,
//! which the signature alone cannot tell apart (the fingerprint must be confirmed out of band).

use base64::Engine;
use casefile_core::bundle::{
    export_case, verify_bundle, ExportOptions, ExportProfile, VerifyReport, BAGIT_PROFILE,
};
use casefile_core::clock::TestClock;
use casefile_core::evidence::Acquisition;
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::{Error, Library};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
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

/// A library with the sample case and one sample photo, ready to export.
struct Sender {
    dir: tempfile::TempDir,
    lib: Library,
    case_id: String,
    photo_sha: String,
    photo_id: String,
}

fn sender() -> Sender {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open_lib(&dir.path().join("lib"));
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
            &[photo("Canon_40D.jpg")],
            &acq,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(r.added.len(), 1, "{:?}", r.failed);
    let photo_sha = r.added[0].sha256.clone();
    let photo_id = r.added[0].id.clone();
    Sender {
        dir,
        lib,
        case_id,
        photo_sha,
        photo_id,
    }
}

impl Sender {
    fn export_as(&mut self, name: &str, zip: bool, profile: ExportProfile) -> PathBuf {
        let out = self.dir.path().join(name);
        export_case(
            &mut self.lib,
            &self.case_id,
            &out,
            &ExportOptions::new(profile, zip),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .unwrap();
        out
    }

    fn export(&mut self, name: &str, zip: bool) -> PathBuf {
        self.export_as(name, zip, ExportProfile::Full)
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

    fn original_rel(&self) -> String {
        format!("data/originals/{}.jpg", self.photo_sha)
    }
}

/// An empty library that bundles are imported into.
struct Receiver {
    _dir: tempfile::TempDir,
    root: PathBuf,
    lib: Library,
}

fn receiver() -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let mut lib = open_lib(&root);
    lib.set_profile("Receiving investigator", "HQ").unwrap();
    Receiver {
        _dir: dir,
        root,
        lib,
    }
}

/// Everything an import could change: the row count of every table, and every file under the
/// library directory (vault originals, thumbnails, temp files) except the database's own files.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    rows: BTreeMap<String, i64>,
    files: Vec<String>,
}

impl Receiver {
    fn snapshot(&self) -> Snapshot {
        let conn =
            casefile_core::db::open_raw_for_tests(self.root.join("casefile.db"), true).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let rows = tables
            .into_iter()
            .map(|t| {
                (
                    t.clone(),
                    conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                        .unwrap(),
                )
            })
            .collect();
        let mut files = Vec::new();
        list_files(&self.root, &self.root, &mut files);
        files.retain(|f| !f.starts_with("casefile.db") && f != "casefile.lock");
        Snapshot { rows, files }
    }

    fn import(
        &mut self,
        path: &Path,
    ) -> casefile_core::Result<casefile_core::bundle::ImportReport> {
        self.lib
            .import_bundle(path, &AtomicBool::new(false), &mut |_, _| {})
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

/// Imports `path` into a fresh library; asserts it fails with `code` and changes nothing.
fn import_refused(path: &Path, code: &str) -> Error {
    let mut r = receiver();
    let before = r.snapshot();
    let err = match r.import(path) {
        Ok(rep) => panic!("a hostile bundle was imported: {rep:?}"),
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "wrong code for: {err}");
    assert_eq!(
        r.snapshot(),
        before,
        "a refused import changed the receiving library"
    );
    assert!(r.lib.list_cases().unwrap().is_empty());
    assert!(err.to_string().len() > 20, "an unhelpful message: {err}");
    err
}

fn verify(path: &Path) -> VerifyReport {
    verify_bundle(path).unwrap_or_else(|e| panic!("verify failed outright ({}): {e}", e.code()))
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

/// Asserts that verifying refuses the bundle outright (it cannot be opened safely).
#[track_caller]
fn assert_refused_outright(path: &Path, needles: &[&str]) -> Error {
    let err = match verify_bundle(path) {
        Ok(r) => panic!("verify opened a hostile bundle: {r:#?}"),
        Err(e) => e,
    };
    assert_eq!(err.code(), "bundle_refused", "{err}");
    let msg = err.to_string();
    for n in needles {
        assert!(msg.contains(n), "expected {n:?} in: {msg}");
    }
    err
}

// ---------------------------------------------------------------------------------------------
// Tampering helpers

fn flip_byte(path: &Path, offset: usize) {
    let mut b = fs::read(path).unwrap();
    b[offset] ^= 0x01;
    fs::write(path, b).unwrap();
}

fn edit_case_json(bag: &Path, f: impl FnOnce(&mut Value)) {
    let p = bag.join("data/case.json");
    let mut v: Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
    f(&mut v);
    fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// What a malicious signer can also do: make the custody log agree with edited records (each
/// record's last entry gets the edited row's digest, and the chain is re-hashed), so that only
/// the import's own checks stand between the bundle and the library.
fn forge_custody(bag: &Path) {
    use casefile_core::custody::CustodyEntry;
    let doc: Value =
        serde_json::from_slice(&fs::read(bag.join("data/case.json")).unwrap()).unwrap();
    let p = bag.join("data/custody.jsonl");
    let mut entries: Vec<CustodyEntry> = fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let groups = [
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
    ];
    for (rtype, key) in groups {
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
    let mut prev = casefile_core::custody::GENESIS.to_string();
    for e in &mut entries {
        e.case_prev_hash = Some(prev.clone());
        e.hash = e.compute_hash();
        prev = e.hash.clone();
    }
    let text: String = entries
        .iter()
        .map(|e| format!("{}\n", serde_json::to_string(e).unwrap()))
        .collect();
    fs::write(&p, text).unwrap();
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
/// data/, the Payload-Oxum to match, a new tag manifest and, given a key, a new signature.
fn rebag(bag: &Path, key: Option<&SigningKey>) {
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
    let tags: String = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
        .iter()
        .map(|t| format!("{}  {t}\n", sha256_hex(&fs::read(bag.join(t)).unwrap())))
        .collect();
    fs::write(bag.join("tagmanifest-sha256.txt"), tags).unwrap();
    if let Some(k) = key {
        sign(bag, k);
    }
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

/// A ZIP's entries in order: (name, unix mode, content).
fn read_zip(path: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let mut a = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut e = a.by_index(i).unwrap();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            (e.name().to_string(), e.unix_mode().unwrap_or(0o100644), b)
        })
        .collect()
}

fn stored() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644)
}

fn write_zip(path: &Path, entries: &[(String, u32, Vec<u8>)]) -> zip::ZipWriter<fs::File> {
    let mut w = zip::ZipWriter::new(fs::File::create(path).unwrap());
    for (name, _, body) in entries {
        w.start_file(name.as_str(), stored()).unwrap();
        w.write_all(body).unwrap();
    }
    w
}

/// The ZIP bag at `src` with `extra` entries added, written to `dst`.
fn zip_with(src: &Path, dst: &Path, extra: impl FnOnce(&mut zip::ZipWriter<fs::File>)) {
    let mut w = write_zip(dst, &read_zip(src));
    extra(&mut w);
    w.finish().unwrap();
}

fn zip_root(entries: &[(String, u32, Vec<u8>)]) -> String {
    entries[0].0.split('/').next().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// The untouched bundle: the baseline every test below departs from.

#[test]
fn an_untouched_bundle_verifies_and_imports() {
    let mut s = sender();
    for zip in [false, true] {
        let path = s.export(if zip { "ok.zip" } else { "ok" }, zip);
        let r = verify(&path);
        assert!(r.ok, "{:#?}", r.problems);
        assert_eq!(
            r.signed_by.as_deref(),
            Some(s.lib.key_info().unwrap().fingerprint.as_str())
        );
        let mut rx = receiver();
        let rep = rx.import(&path).unwrap();
        assert_eq!(rep.case_id, s.case_id);
        assert_eq!(rep.originals_added, 1);
        assert!(rx.lib.vault().contains(&s.photo_sha));
    }
}

// ---------------------------------------------------------------------------------------------
// 1-6: changed, missing and extra files

#[test]
fn t01_a_changed_byte_in_an_original_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let rel = s.original_rel();
    flip_byte(&bag.join(&rel), 100);
    let r = verify(&bag);
    assert_problem(&r, &rel, "has changed: its SHA-256 is");
    assert_problem(&r, &rel, &format!("the manifest says {}", s.photo_sha));
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let err = import_refused(&bag, "bundle_invalid");
    assert!(err.to_string().contains(&rel), "{err}");
}

#[test]
fn t02_a_changed_byte_in_case_json_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let p = bag.join("data/case.json");
    let text = fs::read_to_string(&p).unwrap();
    // One byte: "Mariupol" becomes "Mariupal" in the first title; the JSON stays valid.
    let at = text.find("Mariupol").unwrap() + 6;
    assert_eq!(&text[at..at + 1], "o");
    let mut b = text.into_bytes();
    b[at] = b'a';
    fs::write(&p, b).unwrap();
    let r = verify(&bag);
    assert_problem(&r, "data/case.json", "has changed: its SHA-256 is");
    // The changed record is also named: it no longer matches its custody entry.
    assert_problem(
        &r,
        "data/case.json",
        "does not match its last custody entry",
    );
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    let err = import_refused(&bag, "bundle_invalid");
    assert!(
        err.to_string().contains("data/case.json: has changed"),
        "{err}"
    );
}

#[test]
fn t03_a_changed_byte_inside_a_zip_bag_is_found() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let mut entries = read_zip(&zip);
    let rel = s.original_rel();
    let root = zip_root(&entries);
    let e = entries
        .iter_mut()
        .find(|e| e.0 == format!("{root}/{rel}"))
        .unwrap();
    e.2[100] ^= 0x01;
    let bad = s.dir.path().join("changed.zip");
    write_zip(&bad, &entries).finish().unwrap();
    let r = verify(&bad);
    assert_problem(&r, &rel, "has changed: its SHA-256 is");
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    assert!(r.path.contains("changed.zip"), "{}", r.path);
    import_refused(&bad, "bundle_invalid");
}

#[test]
fn t04_a_missing_payload_file_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let rel = s.original_rel();
    fs::remove_file(bag.join(&rel)).unwrap();
    let r = verify(&bag);
    assert_problem(&r, &rel, "is listed in manifest-sha256.txt but missing");
    assert_problem(&r, "bag-info.txt", "Payload-Oxum says");
    let err = import_refused(&bag, "bundle_invalid");
    assert!(
        err.to_string().contains(&format!(
            "{rel}: is listed in manifest-sha256.txt but missing"
        )),
        "{err}"
    );
}

#[test]
fn t05_an_extra_file_in_data_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    fs::write(bag.join("data/originals/planted.jpg"), b"not evidence").unwrap();
    fs::write(bag.join("data/notes.txt"), b"planted").unwrap();
    let r = verify(&bag);
    assert_problem(
        &r,
        "data/originals/planted.jpg",
        "is in the payload but not in manifest-sha256.txt (an extra file)",
    );
    assert_problem(
        &r,
        "data/notes.txt",
        "is in the payload but not in manifest-sha256.txt (an extra file)",
    );
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    import_refused(&bag, "bundle_invalid");
}

#[test]
fn t06_an_extra_top_level_file_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    fs::write(bag.join("README.txt"), b"planted").unwrap();
    fs::create_dir(bag.join("extra")).unwrap();
    fs::write(bag.join("extra/x.bin"), b"planted").unwrap();
    let r = verify(&bag);
    assert_problem(
        &r,
        "README.txt",
        "is not part of a Casefile bag (an extra file)",
    );
    assert_problem(
        &r,
        "extra/x.bin",
        "is not part of a Casefile bag (an extra file)",
    );
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    import_refused(&bag, "bundle_invalid");
}

// ---------------------------------------------------------------------------------------------
// 7-10: ZIPs that attack the reader

#[test]
fn t07_a_zip_entry_climbing_out_with_dotdot_is_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let root = zip_root(&read_zip(&zip));
    for (i, name) in [
        format!("{root}/../evil.txt"),
        format!("{root}/data/../../evil.txt"),
        "../evil.txt".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let bad = s.dir.path().join(format!("dotdot{i}.zip"));
        zip_with(&zip, &bad, |w| {
            w.start_file(name.as_str(), stored()).unwrap();
            w.write_all(b"evil").unwrap();
        });
        assert_refused_outright(
            &bad,
            &[&format!("the ZIP entry \"{name}\" has an unsafe path")],
        );
        let err = import_refused(&bad, "bundle_refused");
        assert!(err.to_string().contains(name.as_str()), "{err}");
    }
}

#[test]
fn t08_a_zip_entry_with_an_absolute_path_is_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    for (i, name) in [
        "/etc/evil.txt",
        "/tmp/bag/data/case.json",
        "bag\\..\\evil.txt",
    ]
    .iter()
    .enumerate()
    {
        let bad = s.dir.path().join(format!("abs{i}.zip"));
        zip_with(&zip, &bad, |w| {
            w.start_file(*name, stored()).unwrap();
            w.write_all(b"evil").unwrap();
        });
        assert_refused_outright(
            &bad,
            &[&format!("the ZIP entry \"{name}\" has an unsafe path")],
        );
        import_refused(&bad, "bundle_refused");
    }
}

#[test]
fn t09_a_zip_symlink_entry_is_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let root = zip_root(&read_zip(&zip));
    // As an extra entry, and in place of a payload file the manifest names.
    let name = format!("{root}/data/link");
    let bad = s.dir.path().join("symlink.zip");
    zip_with(&zip, &bad, |w| {
        w.add_symlink(
            name.as_str(),
            "/etc/passwd",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap()
    });
    assert_refused_outright(
        &bad,
        &[&format!("the ZIP entry \"{name}\" is a symbolic link")],
    );
    import_refused(&bad, "bundle_refused");

    let report = format!("{root}/data/report.html");
    let entries: Vec<_> = read_zip(&zip)
        .into_iter()
        .filter(|e| e.0 != report)
        .collect();
    let bad2 = s.dir.path().join("symlink2.zip");
    let mut w = write_zip(&bad2, &entries);
    w.add_symlink(
        report.as_str(),
        "../../../../etc/passwd",
        stored().unix_permissions(0o777),
    )
    .unwrap();
    w.finish().unwrap();
    assert_refused_outright(
        &bad2,
        &[&format!("the ZIP entry \"{report}\" is a symbolic link")],
    );
    import_refused(&bad2, "bundle_refused");
}

#[test]
fn a_zip_that_is_not_one_bag_folder_is_refused() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let root = zip_root(&read_zip(&zip));
    let loose = s.dir.path().join("loose.zip");
    zip_with(&zip, &loose, |w| {
        w.start_file("loose.txt", stored()).unwrap();
        w.write_all(b"x").unwrap();
    });
    assert_refused_outright(&loose, &["\"loose.txt\" is outside the bag's folder"]);
    import_refused(&loose, "bundle_refused");

    let two = s.dir.path().join("two.zip");
    zip_with(&zip, &two, |w| {
        w.start_file("other/data/case.json", stored()).unwrap();
        w.write_all(b"{}").unwrap();
    });
    assert_refused_outright(
        &two,
        &[&format!(
            "the ZIP holds more than one top-level folder ({root}, other)"
        )],
    );
    import_refused(&two, "bundle_refused");

    let garbage = s.dir.path().join("garbage.zip");
    fs::write(&garbage, b"PK\x03\x04 this is not a zip").unwrap();
    assert_refused_outright(&garbage, &["is not a readable ZIP"]);
    import_refused(&garbage, "bundle_refused");
}

/// Writes a ZIP bag with an extra deflated entry of `mib` MiB of zeros (ratio about 1000:1).
fn zip_with_zeros(src: &Path, dst: &Path, name: &str, mib: usize) {
    let entries: Vec<_> = read_zip(src).into_iter().filter(|e| e.0 != name).collect();
    let mut w = write_zip(dst, &entries);
    w.start_file(
        name,
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o644),
    )
    .unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..mib {
        w.write_all(&zeros).unwrap();
    }
    w.finish().unwrap();
}

/// Overwrites the uncompressed size of entry `name` in its local header and central record.
fn patch_declared_size(zip: &Path, name: &str, size: u32) {
    let mut b = fs::read(zip).unwrap();
    let n = name.as_bytes();
    let mut patched = 0;
    for i in 0..b.len().saturating_sub(46 + n.len()) {
        if b[i..i + 4] == [0x50, 0x4b, 0x03, 0x04]
            && &b[i + 30..i + 30 + n.len()] == n
            && b[i + 26..i + 28] == (n.len() as u16).to_le_bytes()
        {
            b[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
        if b[i..i + 4] == [0x50, 0x4b, 0x01, 0x02]
            && &b[i + 46..i + 46 + n.len()] == n
            && b[i + 28..i + 30] == (n.len() as u16).to_le_bytes()
        {
            b[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "did not find both headers of {name}");
    fs::write(zip, b).unwrap();
}

#[test]
fn t10_a_zip_bomb_is_refused_without_inflating_it() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let root = zip_root(&read_zip(&zip));
    let name = format!("{root}/data/originals/zeros.bin");

    // An honest bomb: 200 MiB of zeros deflated to about 200 KB, sizes declared truthfully.
    let bomb = s.dir.path().join("bomb.zip");
    zip_with_zeros(&zip, &bomb, &name, 200);
    assert!(
        fs::metadata(&bomb).unwrap().len() < 2 << 20,
        "the bomb is not compact"
    );
    let t = Instant::now();
    assert_refused_outright(
        &bomb,
        &[
            &format!("the ZIP entry \"{name}\" would inflate"),
            "(to 209715200 bytes): refused as a ZIP bomb",
        ],
    );
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}: was it inflated?",
        t.elapsed()
    );
    import_refused(&bomb, "bundle_refused");

    // The same entry declaring 4 GiB (as a bomb of many GB would).
    let big = s.dir.path().join("bomb4g.zip");
    fs::copy(&bomb, &big).unwrap();
    patch_declared_size(&big, &name, u32::MAX);
    let t = Instant::now();
    assert_refused_outright(
        &big,
        &[
            &format!("the ZIP entry \"{name}\" would inflate"),
            &format!("(to {} bytes)", u32::MAX),
            "ZIP bomb",
        ],
    );
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    import_refused(&big, "bundle_refused");
}

#[test]
fn t10b_a_zip_entry_that_inflates_past_its_declared_size_is_stopped() {
    let mut s = sender();
    let zip = s.export("bag.zip", true);
    let root = zip_root(&read_zip(&zip));
    // data/report.html replaced by 200 MiB of zeros that declare the report's own small size,
    // so the ratio check passes and the lie is only found while reading.
    let name = format!("{root}/data/report.html");
    let lying = s.dir.path().join("lying.zip");
    zip_with_zeros(&zip, &lying, &name, 200);
    patch_declared_size(&lying, &name, 4096);
    let t = Instant::now();
    let r = verify(&lying);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}: was it inflated in full?",
        t.elapsed()
    );
    assert_problem(&r, "data/report.html", "inflates past its declared size");
    import_refused(&lying, "bundle_invalid");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_in_a_directory_bag_is_refused() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let rel = s.original_rel();
    fs::remove_file(bag.join(&rel)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", bag.join(&rel)).unwrap();
    assert_refused_outright(&bag, &[&format!("{rel} is a symbolic link")]);
    import_refused(&bag, "bundle_refused");

    let link = s.dir.path().join("link-to-bag");
    let good = s.export("good", false);
    std::os::unix::fs::symlink(&good, &link).unwrap();
    assert_refused_outright(&link, &["is a symbolic link"]);
}

// ---------------------------------------------------------------------------------------------
// 11-12: what case.json says

#[test]
fn t11_malformed_case_json_is_reported_with_the_signature() {
    let mut s = sender();
    let bag = s.export("bag", false);
    fs::write(
        bag.join("data/case.json"),
        br#"{"schema": "casefile-case", "schema_version": 1, "case": {"id": "#,
    )
    .unwrap();
    rebag(&bag, None);
    let r = verify(&bag);
    assert_problem(&r, "data/case.json", "is not valid JSON");
    assert_problem(
        &r,
        "signature.ed25519",
        "the signature does not match the tag manifest",
    );
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    let err = import_refused(&bag, "bundle_invalid");
    assert!(
        err.to_string()
            .contains("data/case.json: is not valid JSON"),
        "{err}"
    );

    // Signed by the sender's own key, the malformed document is still refused, for itself.
    sign(&bag, &s.key());
    let r = verify(&bag);
    assert_problem(&r, "data/case.json", "is not valid JSON");
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    import_refused(&bag, "bundle_invalid");

    // Valid JSON that is not the schema (a record list that is not a list; an unknown field).
    edit_case_json_raw(
        &bag,
        json!({"schema": "casefile-case", "schema_version": 1, "incidents": "none"}),
    );
    rebag(&bag, Some(&s.key()));
    assert_problem(&verify(&bag), "data/case.json", "does not match its schema");
    import_refused(&bag, "bundle_invalid");
}

fn edit_case_json_raw(bag: &Path, v: Value) {
    fs::write(bag.join("data/case.json"), serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn t12_a_schema_version_from_the_future_is_reported_as_newer() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_case_json(&bag, |v| v["schema_version"] = json!(3));
    rebag(&bag, None);
    let r = verify(&bag);
    assert_eq!(r.schema_version, Some(3));
    assert_problem(
        &r,
        "data/case.json",
        "uses schema version 3, newer than this Casefile reads (2); update Casefile",
    );
    assert_problem(
        &r,
        "signature.ed25519",
        "the signature does not match the tag manifest",
    );
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    // Unsigned, it is an invalid bundle first: the message still says why the content is unread.
    let err = import_refused(&bag, "bundle_invalid");
    let msg = err.to_string();
    assert!(
        msg.contains("data/case.json: uses schema version 3, newer than this Casefile reads (2)"),
        "{msg}"
    );
    assert!(
        msg.contains("signature.ed25519: the signature does not match"),
        "{msg}"
    );
}

#[test]

fn t12b_a_signed_bundle_from_a_newer_casefile_is_refused_as_too_new() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_case_json(&bag, |v| {
        v["schema_version"] = json!(3);
        v["a_field_from_the_future"] = json!(true);
    });
    rebag(&bag, Some(&s.key()));
    let r = verify(&bag);
    assert_problem(&r, "data/case.json", "newer than this Casefile reads");
    assert_eq!(
        r.problems.len(),
        1,
        "only the version is wrong: {:#?}",
        r.problems
    );
    assert!(r.signed_by.is_some());
    let err = import_refused(&bag, "bundle_too_new");
    assert!(
        matches!(
            err,
            Error::BundleTooNew {
                found: 3,
                supported: 2
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("update Casefile to import it"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// 13: the custody log

fn edit_custody(bag: &Path, f: impl FnOnce(&mut Vec<Value>)) {
    let p = bag.join("data/custody.jsonl");
    let mut entries: Vec<Value> = fs::read_to_string(&p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    f(&mut entries);
    let text: String = entries.iter().map(|e| format!("{e}\n")).collect();
    fs::write(p, text).unwrap();
}

#[test]
fn t13_a_tampered_custody_entry_breaks_the_chain_at_that_entry() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_custody(&bag, |e| e[2]["actor"] = json!("someone else"));
    let r = verify(&bag);
    assert_problem(&r, "data/custody.jsonl", "has changed");
    assert_problem(
        &r,
        "data/custody.jsonl entry 3",
        "custody entry 3 (create incident ",
    );
    assert_problem(
        &r,
        "data/custody.jsonl entry 3",
        "was altered: its content no longer matches its hash",
    );
    import_refused(&bag, "bundle_invalid");

    // Even re-bagged and signed with the sender's own key, the chain names the entry.
    rebag(&bag, Some(&s.key()));
    let r = verify(&bag);
    assert_problem(&r, "data/custody.jsonl entry 3", "was altered");
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let err = import_refused(&bag, "bundle_invalid");
    assert!(
        err.to_string()
            .contains("data/custody.jsonl entry 3: custody entry 3"),
        "{err}"
    );
}

#[test]
fn t13b_a_removed_or_reordered_custody_entry_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let key = s.key();
    edit_custody(&bag, |e| {
        e.remove(4);
    });
    rebag(&bag, Some(&key));
    assert_problem(
        &verify(&bag),
        "data/custody.jsonl entry 5",
        "custody entry 5 is missing or out of order (found case entry Some(6))",
    );
    import_refused(&bag, "bundle_invalid");

    let bag2 = s.export("bag2", false);
    edit_custody(&bag2, |e| e.swap(1, 2));
    rebag(&bag2, Some(&key));
    assert_problem(
        &verify(&bag2),
        "data/custody.jsonl entry 2",
        "missing or out of order",
    );
    import_refused(&bag2, "bundle_invalid");

    // An entry recomputed to hash correctly but linked to the wrong predecessor.
    let bag3 = s.export("bag3", false);
    edit_custody(&bag3, |e| {
        let mut c: casefile_core::custody::CustodyEntry =
            serde_json::from_value(e[3].clone()).unwrap();
        c.case_prev_hash = Some(casefile_core::custody::GENESIS.into());
        c.hash = c.compute_hash();
        e[3] = serde_json::to_value(c).unwrap();
    });
    rebag(&bag3, Some(&key));
    assert_problem(
        &verify(&bag3),
        "data/custody.jsonl entry 4",
        "does not link to the entry before it",
    );
    import_refused(&bag3, "bundle_invalid");
}

// ---------------------------------------------------------------------------------------------
// 14: signatures and keys

#[test]
fn t14_a_signature_made_by_another_key_does_not_match() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let mut other = sender();
    let other_bag = other.export("other", false);
    for f in ["signature.ed25519", "signing-key.ed25519.pub"] {
        fs::copy(other_bag.join(f), bag.join(f)).unwrap();
    }
    let r = verify(&bag);
    assert_problem(&r, "signature.ed25519", "the signature does not match the tag manifest: the bag was changed after signing, or signed by another key");
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    assert_eq!(r.signed_by, None);
    import_refused(&bag, "bundle_invalid");

    // Only the key swapped: the sender's signature does not verify under it.
    let bag2 = s.export("bag2", false);
    fs::copy(
        other_bag.join("signing-key.ed25519.pub"),
        bag2.join("signing-key.ed25519.pub"),
    )
    .unwrap();
    assert_problem(
        &verify(&bag2),
        "signature.ed25519",
        "the signature does not match the tag manifest",
    );
    import_refused(&bag2, "bundle_invalid");

    // A valid signature by another key over the sender's tag manifest: bag-info names the sender.
    let bag3 = s.export("bag3", false);
    sign(&bag3, &other.key());
    let r = verify(&bag3);
    assert_problem(
        &r,
        "bag-info.txt",
        "names a different signing key than the one that signed",
    );
    import_refused(&bag3, "bundle_invalid");

    // Garbage in the signature file.
    let bag4 = s.export("bag4", false);
    fs::write(bag4.join("signature.ed25519"), "not base64!\n").unwrap();
    assert_problem(
        &verify(&bag4),
        "signature.ed25519",
        "the signature or public key is malformed",
    );
    import_refused(&bag4, "bundle_invalid");
    fs::remove_file(bag4.join("signature.ed25519")).unwrap();
    assert_problem(&verify(&bag4), "signature.ed25519", "missing");
    import_refused(&bag4, "bundle_invalid");
}

#[test]
fn t14b_a_bag_re_signed_whole_by_another_key_verifies_under_that_key_only() {
    // What the signature proves: which key signed. A bag rewritten and re-signed by someone else
    // verifies, but names their fingerprint, which is why the fingerprint is confirmed out of band.
    let mut s = sender();
    let bag = s.export("bag", false);
    let other = sender();
    let other_fp = other.lib.key_info().unwrap().fingerprint;
    set_bag_info(&bag, "Casefile-Signing-Key-Fingerprint", &other_fp);
    rebag(&bag, Some(&other.key()));
    let r = verify(&bag);
    assert!(r.ok, "{:#?}", r.problems);
    assert_eq!(r.signed_by.as_deref(), Some(other_fp.as_str()));
    assert_ne!(
        r.signed_by.as_deref(),
        Some(s.lib.key_info().unwrap().fingerprint.as_str())
    );
}

// ---------------------------------------------------------------------------------------------
// 15-16: bag-info and profiles

#[test]
fn t15_a_wrong_payload_oxum_is_found() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let info = fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    let real = info
        .lines()
        .find_map(|l| l.strip_prefix("Payload-Oxum: "))
        .unwrap()
        .to_string();
    set_bag_info(&bag, "Payload-Oxum", "1.5");
    let r = verify(&bag);
    assert_problem(
        &r,
        "bag-info.txt",
        &format!("Payload-Oxum says 1.5, the payload is {real}"),
    );
    assert_problem(&r, "bag-info.txt", "has changed: its SHA-256 is");
    import_refused(&bag, "bundle_invalid");

    // Re-signed, the tag manifest matches but the Oxum still does not.
    rebag(&bag, Some(&s.key()));
    set_bag_info(&bag, "Payload-Oxum", "1.5");
    let tags: String = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"]
        .iter()
        .map(|t| format!("{}  {t}\n", sha256_hex(&fs::read(bag.join(t)).unwrap())))
        .collect();
    fs::write(bag.join("tagmanifest-sha256.txt"), tags).unwrap();
    sign(&bag, &s.key());
    let r = verify(&bag);
    assert_problem(
        &r,
        "bag-info.txt",
        &format!("Payload-Oxum says 1.5, the payload is {real}"),
    );
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    import_refused(&bag, "bundle_invalid");
}

#[test]
fn t16_a_public_bundle_verifies_but_is_not_importable() {
    let mut s = sender();
    for zip in [false, true] {
        let path = s.export_as(
            if zip { "public.zip" } else { "public" },
            zip,
            ExportProfile::Public,
        );
        let r = verify(&path);
        assert!(r.ok, "{:#?}", r.problems);
        assert_eq!(r.profile, Some(ExportProfile::Public));
        assert_eq!(r.custody_entries, 0);
        let err = import_refused(&path, "bundle_refused");
        assert!(
            err.to_string().contains("public (redacted) bundle"),
            "{err}"
        );
    }
}

#[test]
fn bag_info_names_the_profile_and_the_signer() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let info = fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        info.contains(&format!("BagIt-Profile-Identifier: {BAGIT_PROFILE}\n")),
        "{info}"
    );
    assert!(
        info.contains(&format!(
            "Casefile-Signing-Key-Fingerprint: {}\n",
            s.lib.key_info().unwrap().fingerprint
        )),
        "{info}"
    );
}

// ---------------------------------------------------------------------------------------------
// A failed or cancelled export leaves nothing at the destination.

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial"))
        .collect()
}

#[cfg(unix)]
#[test]
fn a_failed_export_leaves_nothing_at_the_destination() {
    use std::os::unix::fs::PermissionsExt;
    let mut s = sender();
    // Damage the original in the vault (read-only; its owner can make it writable again). The
    // vault hands out no paths: the test knows its layout, as a person on that disk would.
    let p = s.lib.vault().original_path_for_tests(&s.photo_sha);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    flip_byte(&p, 100);
    let out_dir = s.dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    for (name, zip) in [("bag", false), ("bag.zip", true)] {
        let out = out_dir.join(name);
        let err = export_case(
            &mut s.lib,
            &s.case_id,
            &out,
            &ExportOptions::new(ExportProfile::Full, zip),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .expect_err("exported a damaged original");
        assert_eq!(err.code(), "custody_broken", "{err}");
        assert!(err.to_string().contains(&s.photo_sha), "{err}");
        assert!(
            fs::symlink_metadata(&out).is_err(),
            "{} exists after a failed export",
            out.display()
        );
        assert_eq!(leftovers(&out_dir), Vec::<String>::new());
    }
    assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0);
}

#[test]
fn a_cancelled_export_leaves_nothing_at_the_destination() {
    let mut s = sender();
    let out_dir = s.dir.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    for (name, zip) in [("bag", false), ("bag.zip", true)] {
        let out = out_dir.join(name);
        let err = export_case(
            &mut s.lib,
            &s.case_id,
            &out,
            &ExportOptions::new(ExportProfile::Full, zip),
            &AtomicBool::new(true),
            &mut |_, _| {},
        )
        .expect_err("a cancelled export finished");
        assert_eq!(err.code(), "invalid_input", "{err}");
        assert!(err.to_string().contains("cancelled"), "{err}");
        assert!(fs::symlink_metadata(&out).is_err());
    }
    assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0);
}

#[test]
fn export_refuses_to_overwrite() {
    let mut s = sender();
    let out = s.dir.path().join("exists");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("keep.txt"), b"mine").unwrap();
    let err = export_case(
        &mut s.lib,
        &s.case_id,
        &out,
        &ExportOptions::new(ExportProfile::Full, false),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .expect_err("overwrote");
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(fs::read(out.join("keep.txt")).unwrap(), b"mine");
}

// ---------------------------------------------------------------------------------------------
// Bundles that verify (signed by a key, so "from a sender") but whose content is hostile. The
// signature shows who signed, not that the content is harmless: import must still refuse.

/// Receiver with a case of its own whose witness has a restricted identity.
fn receiver_with_secret() -> (Receiver, &'static str) {
    let mut r = receiver();
    let c = r
        .lib
        .create_case(casefile_core::cases::NewCase {
            title: "Receiver's own case".into(),
            reference: Some("HQ-1".into()),
            ..Default::default()
        })
        .unwrap();
    let p = r
        .lib
        .create_person(
            &c.id,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let secret = "Receiver Secret Witness Name";
    r.lib
        .set_identity(
            &p.id,
            Identity {
                real_name: secret.into(),
                ..Default::default()
            },
        )
        .unwrap();
    (r, secret)
}

#[test]

fn a_crafted_field_name_cannot_inject_sql_into_the_import() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_case_json(&bag, |v| {
        let case = v["case"].as_object_mut().unwrap();
        case.insert("reference".into(), json!("EVIL-1"));
        let updated = case.remove("updated_at").unwrap();
        // Sorted last among the case's keys, so it closes the column list and replaces VALUES.
        case.insert(
            "updated_at) SELECT ?1, ?2, ?3, (SELECT group_concat(real_name, '; ') FROM person_identities), ?5, ?6, ?7, ?8, ?9 --".into(),
            updated,
        );
    });
    forge_custody(&bag);
    rebag(&bag, Some(&s.key()));
    let (mut r, secret) = receiver_with_secret();
    let before = r.snapshot();
    let result = r.import(&bag);
    // Whatever the outcome, the receiver's restricted identity must not have left its table.
    if let Ok(c) = r.lib.get_case(&s.case_id) {
        assert!(
            !c.description.contains(secret),
            "SQL injected through a case.json key: the incoming case's description is now {:?}",
            c.description
        );
    }
    let err = result.expect_err("a case.json with a field that is not a column was imported");
    assert_eq!(err.code(), "bundle_refused", "{err}");
    assert_eq!(r.snapshot(), before);
}

#[test]

fn an_unknown_field_in_case_json_is_refused_and_stores_nothing() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_case_json(&bag, |v| {
        v["evidence"][0]
            .as_object_mut()
            .unwrap()
            .insert("not_a_column".into(), json!("x"));
    });
    forge_custody(&bag);
    rebag(&bag, Some(&s.key()));
    assert!(
        verify(&bag).ok,
        "the bag should verify: only its content is hostile"
    );
    let err = import_refused(&bag, "bundle_refused");
    assert!(err.to_string().contains("not_a_column"), "{err}");
}

#[test]

fn a_record_of_another_case_is_refused_and_leaves_no_originals() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_case_json(&bag, |v| {
        v["incidents"][0]["case_id"] = json!("00000000-0000-7000-8000-000000000000")
    });
    forge_custody(&bag);
    rebag(&bag, Some(&s.key()));
    assert_problem(
        &verify(&bag),
        "data/case.json",
        "holds records of another case",
    );
    let err = import_refused(&bag, "bundle_invalid");
    assert!(
        err.to_string().contains("holds records of another case"),
        "{err}"
    );
}

#[test]

fn a_full_bundle_cannot_withhold_originals() {
    let mut s = sender();
    let bag = s.export("bag", false);
    let sha = s.photo_sha.clone();
    fs::remove_file(bag.join(s.original_rel())).unwrap();
    edit_case_json(&bag, |v| {
        v["files"] = json!([]);
        v["withheld_files"] = json!([sha]);
    });
    rebag(&bag, Some(&s.key()));
    let r = verify_bundle(&bag).unwrap();
    assert!(
        !r.ok,
        "a full bundle without the original of an evidence item verified"
    );
    assert!(
        r.problems
            .iter()
            .any(|p| p.file.as_deref() == Some("data/case.json") && p.message.contains("withheld")),
        "{:#?}",
        r.problems
    );
    import_refused(&bag, "bundle_invalid");
}

#[test]

fn a_public_bundle_leaves_out_deleted_records_and_their_originals() {
    let mut s = sender();
    let id = s.photo_id.clone();
    s.lib
        .delete("evidence", &id, "shows a witness's face")
        .unwrap();
    let person = s.lib.list_persons(&s.case_id).unwrap()[0].id.clone();
    s.lib
        .delete("person", &person, "asked to be removed")
        .unwrap();
    let bag = s.export_as("public", false, ExportProfile::Public);
    let r = verify(&bag);
    assert!(r.ok, "{:#?}", r.problems);
    let doc: Value =
        serde_json::from_slice(&fs::read(bag.join("data/case.json")).unwrap()).unwrap();
    let ids = |k: &str| {
        doc[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        !ids("evidence").contains(&id),
        "a deleted evidence item is in a public bundle"
    );
    assert!(
        !ids("persons").contains(&person),
        "a deleted person is in a public bundle"
    );
    assert!(
        !bag.join(s.original_rel()).exists(),
        "the original of a deleted evidence item is published"
    );
}

#[test]
fn a_record_changed_before_export_is_named_by_verify() {
    let mut s = sender();
    let bag = s.export("bag", false);
    edit_case_json(&bag, |v| {
        v["incidents"][0]["title"] = json!("Edited after the fact")
    });
    rebag(&bag, Some(&s.key()));
    let r = verify(&bag);
    assert!(!r.ok);
    assert!(
        r.problems
            .iter()
            .any(|p| p.message.contains("does not match its last custody entry")),
        "{:?}",
        r.problems
    );
}

// ---------------------------------------------------------------------------------------------
// Random damage in bulk: the cases above are the attacks we thought of; these are the ones a bad
// disk, a cut-off download or a careless tool makes.

/// A deterministic xorshift generator, seeded through splitmix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// A position in `0..len`: a third of the time in the first KiB (the first entries' local
    /// headers), a third in the last KiB (the central directory), else anywhere.
    fn position(&mut self, len: usize) -> usize {
        match self.below(3) {
            0 => self.below(len.min(1024)),
            1 => len - 1 - self.below(len.min(1024)),
            _ => self.below(len),
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    match v.trim().strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.trim().parse().ok(),
    }
}

/// One damaged variant of `zip` (the label says how it was made); `other` is another bundle to
/// splice with.
fn damaged(zip: &[u8], other: &[u8], rng: &mut Rng) -> (String, Vec<u8>) {
    const LIES: [&[u8]; 5] = [
        &[0, 0],
        &[0xFF, 0xFF],
        &[0, 0, 0, 0],
        &[0xFF, 0xFF, 0xFF, 0xFF],
        &[0xFF, 0xFF, 0xFF, 0x7F],
    ];
    let mut v = zip.to_vec();
    match rng.below(5) {
        0 => {
            let cut = rng.position(v.len());
            v.truncate(cut);
            (format!("cut at {cut}"), v)
        }
        1 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                let at = rng.position(v.len());
                v[at] ^= 1 << rng.below(8);
            }
            (format!("{n} bit(s) flipped"), v)
        }
        2 => {
            let at = rng.position(v.len());
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            v.splice(at..at, bytes);
            (format!("{n} byte(s) inserted at {at}"), v)
        }
        3 => {
            // A size or offset field (ZIP stores them little-endian) made to lie.
            let lie = LIES[rng.below(LIES.len())];
            let at = rng.position(v.len() - lie.len());
            v[at..at + lie.len()].copy_from_slice(lie);
            (format!("{lie:02X?} written at {at}"), v)
        }
        _ => {
            let a = rng.position(v.len());
            let b = rng.below(other.len());
            v.truncate(a);
            v.extend_from_slice(&other[b..]);
            (format!("[..{a}] + other[{b}..]"), v)
        }
    }
}

/// Hundreds of randomly damaged copies of a real exported ZIP bundle (truncated, bit-flipped,
/// bytes inserted, lengths made to lie, spliced with another bundle): `verify_bundle` and
/// `import_bundle` each return a result or an error, never panic, within [`CALL_LIMIT`]; an
/// import that is refused changes nothing in the receiving library, and nothing verify finds
/// fault with is imported. The seed is printed; `CASEFILE_MUTATION_SEED` replaces it and
/// `CASEFILE_MUTATION_SCALE` multiplies the inputs. The test thread is the watchdog: a call
/// running past the limit fails the test at once, naming the input.
#[test]
fn randomly_damaged_zip_bundles_never_panic_hang_or_import() {
    const CALL_LIMIT: Duration = Duration::from_secs(20);
    const INPUTS: usize = 600;
    let seed = env_number("CASEFILE_MUTATION_SEED").unwrap_or(0x5EED_B0B0_CA5E_F11E);
    let total = INPUTS * env_number("CASEFILE_MUTATION_SCALE").unwrap_or(1).max(1) as usize;
    eprintln!("bundle mutation test: seed {seed:#x} (CASEFILE_MUTATION_SEED replaces it), {total} inputs, at most {CALL_LIMIT:?} per call");
    type Watch = std::sync::Arc<std::sync::Mutex<Option<(String, Instant)>>>;
    let watch: Watch = Default::default();
    let w = watch.clone();
    let started = Instant::now();
    let worker = std::thread::spawn(move || -> Vec<String> {
        let mut s = sender();
        let zip = fs::read(s.export("bag.zip", true)).unwrap();
        let other = fs::read(s.export_as("public.zip", true, ExportProfile::Public)).unwrap();
        let dir = s.dir.path().join("damaged");
        fs::create_dir(&dir).unwrap();
        let mut rx = receiver();
        let mut failures = Vec::new();
        let mut tally = BTreeMap::<&str, usize>::new();
        for i in 0..total {
            let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let (how, data) = damaged(&zip, &other, &mut rng);
            let label = format!("input #{i}, {how}");
            let path = dir.join(format!("{i}.zip"));
            fs::write(&path, &data).unwrap();
            let run = |what: &str, f: &mut dyn FnMut() -> casefile_core::Result<bool>| {
                *w.lock().unwrap() = Some((format!("{label}: {what}"), Instant::now()));
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
                *w.lock().unwrap() = None;
                r
            };
            let verified = match run("verify", &mut || verify_bundle(&path).map(|r| r.ok)) {
                Ok(Ok(ok)) => ok,
                Ok(Err(_)) => false,
                Err(_) => {
                    failures.push(format!("{label}: verify panicked"));
                    continue;
                }
            };
            let before = rx.snapshot();
            match run("import", &mut || rx.import(&path).map(|_| true)) {
                Ok(Ok(_)) => {
                    *tally.entry("imported").or_default() += 1;
                    if !verified {
                        failures.push(format!(
                            "{label}: imported, though verify found fault with it"
                        ));
                    }
                    rx = receiver(); // the next input meets an empty library again
                }
                Ok(Err(e)) => {
                    *tally
                        .entry(if verified {
                            "verified, import refused"
                        } else {
                            "refused by both"
                        })
                        .or_default() += 1;
                    if rx.snapshot() != before {
                        failures.push(format!(
                            "{label}: a refused import ({}) changed the library",
                            e.code()
                        ));
                    }
                }
                Err(_) => failures.push(format!("{label}: import panicked")),
            }
            fs::remove_file(&path).unwrap();
        }
        eprintln!("outcomes: {tally:?}");
        failures
    });
    while !worker.is_finished() {
        std::thread::sleep(Duration::from_millis(100));
        if let Some((what, since)) = &*watch.lock().unwrap() {
            assert!(
                since.elapsed() <= CALL_LIMIT,
                "{what}: still running after {:?}: a hang (seed {seed:#x})",
                since.elapsed()
            );
        }
    }
    let failures = worker
        .join()
        .expect("the worker panicked outside the calls under test");
    eprintln!(
        "bundle mutation test: {total} inputs in {:.1?}",
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s) (seed {seed:#x}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
