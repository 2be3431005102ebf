//! Encryption at rest from the command line, and the encrypted handover of bundles: real
//! processes on real files, with the `sqlite3`, `age` and `age-keygen` tools as the outside
//! world (an adversary holding the disk, or a receiver without Casefile).
//!
//! Each attack tried on the passphrase handling, the key slots and encrypted bundles is a test
//! here.

mod common;
use common::{age_keygen, casefile, cmd, json, ok, passphrase_file, secret_file, PASSPHRASE};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

/// Every entry under `dir`: its bytes (files) and modification time, so that "changed nothing"
/// can be checked to the byte and the nanosecond.
fn snapshot(dir: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let bytes = if m.is_dir() {
                stack.push(p.clone());
                None
            } else {
                Some(std::fs::read(&p).unwrap())
            };
            out.insert(
                p.strip_prefix(dir).unwrap().to_path_buf(),
                (bytes, m.modified().unwrap()),
            );
        }
    }
    out.insert(
        PathBuf::from("."),
        (None, std::fs::metadata(dir).unwrap().modified().unwrap()),
    );
    out
}

/// Runs casefile on `dir` with the passphrase in the file `pass` (instead of the test one).
fn with_passphrase(dir: &Path, pass: &Path, args: &[&str]) -> Output {
    cmd(dir)
        .env("CASEFILE_PASSPHRASE_FILE", pass)
        .args(args)
        .output()
        .unwrap()
}

/// Runs casefile with `new` as the new passphrase (`CASEFILE_NEW_PASSPHRASE_FILE`).
fn with_new_passphrase(dir: &Path, new: &Path, args: &[&str]) -> Output {
    cmd(dir)
        .env("CASEFILE_NEW_PASSPHRASE_FILE", new)
        .args(args)
        .output()
        .unwrap()
}

/// Runs `c` without a controlling terminal (as from cron or a service): nothing to ask on.
fn detached(mut c: Command) -> Output {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe; it detaches the child from the terminal.
    unsafe {
        c.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    c.output().unwrap()
}

/// Runs casefile with no passphrase file and no terminal.
fn without_passphrase(dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut c = cmd(dir);
    c.env_remove("CASEFILE_PASSPHRASE_FILE").args(args);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    detached(c)
}

type Snapshot = BTreeMap<PathBuf, (Option<Vec<u8>>, SystemTime)>;

/// Asserts two snapshots are equal, naming only the entries that differ.
#[track_caller]
fn assert_unchanged(before: &Snapshot, after: &Snapshot, what: &str) {
    let differ: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(differ.is_empty(), "{what}: these changed: {differ:?}");
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts the library stayed locked: exit status 4 and `error[code]`.
fn locked(o: &Output, code: &str) {
    assert_eq!(
        o.status.code(),
        Some(4),
        "a locked library exits 4; stderr: {}",
        stderr(o)
    );
    assert!(
        stderr(o).contains(&format!("error[{code}]")),
        "expected error[{code}]: {}",
        stderr(o)
    );
}

/// A library with the sample case; returns the case id.
fn sample_library(dir: &Path) -> String {
    ok(
        dir,
        &[
            "profile",
            "set",
            "--name",
            "Olena",
            "--organisation",
            "Field team",
        ],
    );
    ok(dir, &["sample"]).trim().to_string()
}

fn name_of(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_wrong_passphrase_exits_4_and_changes_no_file_in_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_library(d);
    let before = snapshot(d);
    let wrong = secret_file("wrong", "not the passphrase");
    for args in [
        &["case", "list"][..],
        &["case", "new", "--title", "x"],
        &["audit", "verify"],
        &["library", "passwd"],
        &["library", "add-key"],
        &["library", "recovery-key", "age1qqqq"],
    ] {
        let o = cmd(d)
            .env("CASEFILE_PASSPHRASE_FILE", &wrong)
            .env("CASEFILE_NEW_PASSPHRASE_FILE", &wrong)
            .args(args)
            .output()
            .unwrap();
        locked(&o, "wrong_passphrase");
        assert!(stdout(&o).is_empty(), "{args:?} printed nothing on stdout");
    }
    let o = with_passphrase(d, &wrong, &["case", "list", "--json"]);
    assert_eq!(o.status.code(), Some(4));
    let e: Value = serde_json::from_slice(&o.stdout).expect("the error is JSON with --json");
    assert_eq!(e["code"], "wrong_passphrase");
    // The passphrase with one character more or less, or a second line break, is wrong too.
    for near in [
        format!("{PASSPHRASE}x"),
        PASSPHRASE[..PASSPHRASE.len() - 1].to_string(),
        format!("{PASSPHRASE}\n"),
        PASSPHRASE.to_uppercase(),
    ] {
        let f = secret_file("near", &near);
        locked(
            &with_passphrase(d, &f, &["case", "list"]),
            "wrong_passphrase",
        );
    }
    assert_unchanged(
        &before,
        &snapshot(d),
        "a wrong passphrase changes no file in the library folder (bytes and mtimes)",
    );
    // The right one still works, and the audit holds.
    assert!(ok(d, &["case", "list"]).contains("Mariupol"));
    assert!(ok(d, &["audit", "verify", "--files"]).contains("OK"));
}

#[test]
fn the_database_cannot_be_read_without_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_library(d);
    let db = d.join("casefile.db");
    let o = Command::new("sqlite3")
        .arg(&db)
        .arg(".tables")
        .output()
        .expect("sqlite3 is installed");
    assert!(
        !o.status.success(),
        "sqlite3 must not read an encrypted database: {}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("not a database"), "{}", stderr(&o));
    let head = std::fs::read(&db).unwrap();
    assert!(!head.starts_with(b"SQLite format 3"), "no plaintext header");
    for needle in ["Mariupol", "custody_log", "Olena", "Field team"] {
        for entry in walk(d) {
            let bytes = std::fs::read(&entry).unwrap();
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{needle:?} is readable in {}",
                entry.display()
            );
        }
    }
    assert!(ok(d, &["audit", "verify", "--files"]).contains("OK"));
    let cases = json(d, &["case", "list"]);
    assert_eq!(cases.as_array().unwrap().len(), 1);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, (b, _))| b.is_some())
        .map(|(p, _)| dir.join(p))
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn status_needs_no_passphrase_and_shows_the_slots_and_their_costs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = without_passphrase(d, &["library", "status", "--json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["state"], "missing");
    assert!(!d.join("casefile.db").exists(), "status made nothing");

    sample_library(d);
    let o = without_passphrase(d, &["library", "status", "--json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["state"], "encrypted");
    assert_eq!(s["slots"].as_array().unwrap().len(), 1);
    assert_eq!(s["slots"][0]["kind"], "passphrase");
    assert_eq!(s["slots"][0]["kdf"]["memory_kib"], 1024);
    assert_eq!(s["slots"][0]["kdf"]["iterations"], 1);
    let human = stdout(&without_passphrase(d, &["library", "status"], &[]));
    assert!(
        human.contains("encrypted") && human.contains("cheaper than the default"),
        "a cheap test slot is flagged: {human}"
    );
    assert!(human.contains("recovery:  none set"), "{human}");
}

#[test]
fn no_passphrase_and_no_terminal_exits_4_and_makes_no_library() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("new-lib");
    // Neither a passphrase in the environment itself nor one on the command line is taken.
    let o = without_passphrase(
        &d,
        &["case", "list"],
        &[("CASEFILE_PASSPHRASE", PASSPHRASE)],
    );
    locked(&o, "passphrase_required");
    assert!(
        stderr(&o).contains("CASEFILE_PASSPHRASE_FILE"),
        "{}",
        stderr(&o)
    );
    assert!(!d.exists(), "no library (and no plaintext one) was made");

    let d2 = dir.path().join("lib2");
    ok(&d2, &["case", "new", "--title", "Kept"]);
    let before = snapshot(&d2);
    for args in [
        &["--passphrase", PASSPHRASE, "case", "list"][..],
        &["case", "list", "--passphrase", PASSPHRASE],
        &["case", "list", "--passphrase-file", "/dev/null"],
    ] {
        let o = without_passphrase(&d2, args, &[]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "no passphrase option exists on the command line: {args:?}"
        );
    }
    locked(
        &without_passphrase(&d2, &["case", "list"], &[]),
        "passphrase_required",
    );
    locked(
        &without_passphrase(
            &d2,
            &["case", "list"],
            &[("CASEFILE_PASSPHRASE", PASSPHRASE)],
        ),
        "passphrase_required",
    );
    let o = without_passphrase(&d2, &["case", "list", "--json"], &[]);
    assert_eq!(o.status.code(), Some(4));
    let e: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["code"], "passphrase_required");
    assert_unchanged(&before, &snapshot(&d2), "nothing changed");
}

#[test]
fn the_passphrase_file_loses_one_line_break_only_and_a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["case", "new", "--title", "Line breaks"]);
    let crlf = secret_file("crlf", &format!("{PASSPHRASE}\r"));
    assert!(with_passphrase(d, &crlf, &["case", "list"])
        .status
        .success());
    let bare = dir.path().join("bare");
    std::fs::write(&bare, PASSPHRASE).unwrap();
    assert!(with_passphrase(d, &bare, &["case", "list"])
        .status
        .success());
    let missing = dir.path().join("no-such-file");
    let o = with_passphrase(d, &missing, &["case", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[io]") && stderr(&o).contains("no-such-file"),
        "{}",
        stderr(&o)
    );
    // An empty new passphrase is refused, and no library is made with it.
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let fresh = dir.path().join("fresh");
    let o = with_passphrase(&fresh, &empty, &["library", "init"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));
    assert!(!fresh.join("casefile.db").exists());
}

#[test]
fn init_makes_an_encrypted_library_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("lib");
    let s = json(&d, &["library", "init"]);
    assert_eq!(s["state"], "encrypted");
    assert_eq!(s["unlocked_with"], 1);
    let o = casefile(&d, &["library", "init"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already a library"), "{}", stderr(&o));
    ok(&d, &["case", "new", "--title", "After init"]);
}

#[test]
fn add_key_lets_either_passphrase_unlock_and_remove_key_takes_one_away() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    sample_library(d);
    let second = secret_file("second", "другий ключ для колеги");
    let o = with_new_passphrase(d, &second, &["library", "add-key", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["slots"].as_array().unwrap().len(), 2);
    for p in [passphrase_file(), second.as_path()] {
        let o = with_passphrase(d, p, &["case", "list", "--json"]);
        assert!(o.status.success(), "{}: {}", p.display(), stderr(&o));
        let cases: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(cases.as_array().unwrap().len(), 1);
    }
    let o = with_passphrase(d, &second, &["library", "status", "--json"]);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["slots"][1]["slot"], 2);

    // Without a new-passphrase file and without a terminal, add-key asks nothing and adds nothing.
    let before = snapshot(d);
    let mut c = cmd(d);
    c.args(["library", "add-key"]);
    locked(&detached(c), "passphrase_required");
    assert_unchanged(&before, &snapshot(d), "add-key without a new passphrase");

    // The colleague removes the first slot: the first passphrase stops working.
    let o = with_passphrase(d, &second, &["library", "remove-key", "--slot", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    locked(&casefile(d, &["case", "list"]), "wrong_passphrase");
    assert!(with_passphrase(d, &second, &["case", "list"])
        .status
        .success());
    // The last passphrase cannot be removed.
    let o = with_passphrase(d, &second, &["library", "remove-key", "--slot", "2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("last passphrase"), "{}", stderr(&o));
    let o = with_passphrase(d, &second, &["library", "remove-key", "--slot", "9"]);
    assert!(stderr(&o).contains("error[not_found]"), "{}", stderr(&o));
    assert!(with_passphrase(d, &second, &["audit", "verify"])
        .status
        .success());
}

#[test]
fn passwd_replaces_the_passphrase_it_was_unlocked_with() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = sample_library(d);
    let new = secret_file("passwd-new", "a new passphrase after the checkpoint");
    let o = with_new_passphrase(d, &new, &["library", "passwd"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("the old one no longer opens"),
        "{}",
        stdout(&o)
    );
    locked(&casefile(d, &["case", "list"]), "wrong_passphrase");
    let o = with_passphrase(d, &new, &["case", "show", &case]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = with_passphrase(d, &new, &["library", "status", "--json"]);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["slots"].as_array().unwrap().len(), 1, "{s}");
    let o = with_passphrase(d, &new, &["history", "case", &case]);
    assert!(o.status.success());
    assert!(with_passphrase(d, &new, &["audit", "verify"])
        .status
        .success());
    // The old passphrase's slot is gone from the key file, not just unused.
    let keys = std::fs::read_to_string(d.join("casefile.keys")).unwrap();
    assert_eq!(keys.matches("\"passphrase\"").count(), 1, "{keys}");
}

#[test]
fn recovery_key_then_destroy_keys_then_recover_with_the_organisation_identity() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let d = dir.path().join("field-laptop");
    let case = sample_library(&d);
    let (org_key, org_public) = age_keygen(keys.path(), "org");
    let (other_key, _) = age_keygen(keys.path(), "other");

    let o = casefile(&d, &["library", "recovery-key", "age1notakey"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not an age public key"),
        "{}",
        stderr(&o)
    );
    let s = json(&d, &["library", "recovery-key", &org_public]);
    let slots = s["slots"].as_array().unwrap();
    assert!(slots
        .iter()
        .any(|x| x["kind"] == "recovery" && x["recipient"] == org_public.as_str()));
    let key_file_before = std::fs::read_to_string(d.join("casefile.keys")).unwrap();

    // A wrong confirmation destroys nothing.
    let before = snapshot(&d);
    let o = casefile(&d, &["library", "destroy-keys", "--confirm", "wrong-name"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing was changed"), "{}", stderr(&o));
    // Without --confirm and without a terminal, it is not asked and nothing happens.
    let o = without_passphrase(&d, &["library", "destroy-keys"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_unchanged(&before, &snapshot(&d), "destroy-keys not confirmed");

    // Destroying needs no passphrase (a seizure may be seconds away).
    let o = without_passphrase(
        &d,
        &["library", "destroy-keys", "--confirm", "field-laptop"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("only the organisation recovery key can open it"),
        "{}",
        stdout(&o)
    );
    locked(&casefile(&d, &["case", "list"]), "keys_destroyed");
    let s = json(&d, &["library", "status"]);
    assert_eq!(s["state"], "keys_destroyed");
    assert!(s["keys_destroyed_at"].is_string());
    // No copy of the wrapped passphrase slot is left anywhere in the library folder.
    let wrapped = wrapped_values(&key_file_before);
    assert!(!wrapped.is_empty());
    for f in walk(&d) {
        let bytes = std::fs::read(&f).unwrap();
        for w in &wrapped {
            assert!(
                !contains(&bytes, w.as_bytes()),
                "a destroyed slot is still in {}",
                f.display()
            );
        }
    }
    // Running it again says so and changes nothing.
    let again = snapshot(&d);
    let o = casefile(
        &d,
        &["library", "destroy-keys", "--confirm", "field-laptop"],
    );
    assert!(o.status.success());
    assert!(stdout(&o).contains("already destroyed"));
    assert_unchanged(&again, &snapshot(&d), "destroy-keys again");

    // Another identity does not recover it, and changes nothing.
    let new = secret_file("recovered", "new passphrase from headquarters");
    let o = with_new_passphrase(&d, &new, &["library", "recover", "--identity"])
        .status
        .code();
    assert_eq!(o, Some(2), "--identity needs a file");
    let o = cmd(&d)
        .env("CASEFILE_NEW_PASSPHRASE_FILE", &new)
        .args(["library", "recover", "--identity"])
        .arg(&other_key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not the organisation recovery key"),
        "{}",
        stderr(&o)
    );
    assert_unchanged(&again, &snapshot(&d), "recover with another identity");

    // The organisation's identity recovers it with a new passphrase.
    let o = cmd(&d)
        .env("CASEFILE_NEW_PASSPHRASE_FILE", &new)
        .args(["library", "recover", "--identity"])
        .arg(&org_key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    locked(&casefile(&d, &["case", "list"]), "wrong_passphrase");
    let o = with_passphrase(&d, &new, &["case", "show", &case, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(shown["title"].as_str().unwrap().contains("Mariupol"));
    let o = with_passphrase(&d, &new, &["audit", "verify", "--files"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = with_passphrase(&d, &new, &["library", "status", "--json"]);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["state"], "encrypted");
}

/// The `wrapped` values of the passphrase slots in a key slots file's text.
fn wrapped_values(keys: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(keys).unwrap();
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "passphrase")
        .map(|s| s["wrapped"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn destroy_keys_without_a_recovery_key_is_forever() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let d = dir.path().join("lost");
    sample_library(&d);
    let o = casefile(
        &d,
        &[
            "library",
            "destroy-keys",
            "--confirm",
            &name_of(&d),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["recovery_key_left"], false);
    locked(&casefile(&d, &["case", "list"]), "keys_destroyed");
    locked(&casefile(&d, &["library", "passwd"]), "keys_destroyed");
    let (any_key, _) = age_keygen(keys.path(), "any");
    let new = secret_file("forever", "anything at all");
    let o = cmd(&d)
        .env("CASEFILE_NEW_PASSPHRASE_FILE", &new)
        .args(["library", "recover", "--identity"])
        .arg(&any_key)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no organisation recovery key"),
        "{}",
        stderr(&o)
    );
    // A library folder holding one that cannot be opened is not replaced by a new one either.
    locked(
        &casefile(&d, &["case", "new", "--title", "x"]),
        "keys_destroyed",
    );
    let o = casefile(&d, &["library", "init"]);
    assert_ne!(o.status.code(), Some(0));
}

/// Unpacks the Casefile 0.1 library (plaintext database and vault files named by their
/// SHA-256) of the core's test fixtures into `dir`.
fn legacy_library(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::create_dir_all(dir).unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../casefile-core/tests/fixtures/library-0.1.zip"
    );
    let out = Command::new("unzip")
        .arg("-q")
        .arg(fixture)
        .arg("casefile.db")
        .arg("-d")
        .arg(dir)
        .output()
        .expect("unzip is installed");
    assert!(out.status.success(), "{}", stderr(&out));
    let samples = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/exif-samples/jpg/"
    );
    let mut shas = Vec::new();
    for name in ["gps/DSCN0012.jpg", "gps/DSCN0010.jpg", "Canon_40D.jpg"] {
        let bytes = std::fs::read(Path::new(samples).join(name)).unwrap();
        let sha = casefile_core::custody::sha256_hex(&bytes);
        let dest = dir.join("vault/sha256").join(&sha[..2]).join(&sha);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, &bytes).unwrap();
        shas.push((sha, bytes[1000..1064].to_vec()));
    }
    shas
}

#[test]
fn encrypt_turns_a_plaintext_library_into_an_encrypted_one_with_all_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("old");
    let shas = legacy_library(&d);
    let s = json(&d, &["library", "status"]);
    assert_eq!(s["state"], "plaintext");

    // Opened as it is, with a warning on stderr only, so --json stays clean.
    let o = casefile(&d, &["case", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not encrypted") && stderr(&o).contains("casefile library encrypt"),
        "{}",
        stderr(&o)
    );
    let cases_before: Value = serde_json::from_slice(&o.stdout).expect("stdout is only JSON");
    let case = cases_before[0]["id"].as_str().unwrap().to_string();
    let evidence_before = json(&d, &["evidence", "list", "--case", &case]);
    let statements_before = json(&d, &["statement", "list", "--case", &case]);
    let persons_before = json(&d, &["person", "list", "--case", &case]);
    assert!(!evidence_before.as_array().unwrap().is_empty());

    // Commands that need the key refuse a plaintext library and say what to do.
    let o = casefile(&d, &["library", "passwd"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("library encrypt"), "{}", stderr(&o));

    // Without a new passphrase nothing is encrypted.
    let before = snapshot(&d);
    let o = without_passphrase(&d, &["library", "encrypt"], &[]);
    locked(&o, "passphrase_required");
    assert_unchanged(&before, &snapshot(&d), "encrypt without a passphrase");

    let o = casefile(&d, &["library", "encrypt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("encrypting:"),
        "progress on stderr: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("encrypted"), "{}", stdout(&o));

    let s = json(&d, &["library", "status"]);
    assert_eq!(s["state"], "encrypted");
    let db = std::fs::read(d.join("casefile.db")).unwrap();
    assert!(
        !db.starts_with(b"SQLite format 3"),
        "the database is not plaintext any more"
    );
    let o = Command::new("sqlite3")
        .arg(d.join("casefile.db"))
        .arg(".tables")
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "sqlite3 cannot read it: {}",
        stdout(&o)
    );
    for f in walk(&d) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&f).unwrap();
        for (sha, sample) in &shas {
            assert!(
                !name.contains(sha.as_str()),
                "a vault file is still named by the SHA-256 of its original: {}",
                f.display()
            );
            assert!(
                !contains(&bytes, sample),
                "a plaintext original is left in {}",
                f.display()
            );
        }
    }
    assert!(
        !d.join("vault/sha256").exists(),
        "the plaintext vault is gone"
    );

    // Everything is still there, and the audit holds.
    let o = casefile(&d, &["case", "list", "--json"]);
    assert!(o.status.success());
    assert!(!stderr(&o).contains("not encrypted"), "no more warning");
    let cases_after: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(cases_before, cases_after);
    assert_eq!(
        evidence_before,
        json(&d, &["evidence", "list", "--case", &case])
    );
    assert_eq!(
        statements_before,
        json(&d, &["statement", "list", "--case", &case])
    );
    assert_eq!(
        persons_before,
        json(&d, &["person", "list", "--case", &case])
    );
    let audit = casefile(&d, &["audit", "verify", "--files"]);
    assert!(audit.status.success(), "{}", stdout(&audit));
    locked(
        &with_passphrase(&d, &secret_file("enc-wrong", "nope"), &["case", "list"]),
        "wrong_passphrase",
    );
    // Encrypting twice is refused.
    let o = casefile(&d, &["library", "encrypt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already encrypted"), "{}", stderr(&o));
}
