//! Encryption at rest, as an adversary holding a copy of the disk sees it: every byte of every
//! file under the library folder is searched for what the library holds (also right after a
//! kill -9 mid-write); vault file names give no hash away; a wrong passphrase changes no file;
//! independent tools (sqlite3, age) read nothing without the key and everything with it; and
//! encrypting an old plaintext library in place survives kill -9 at any moment.

use casefile_core::cases::NewCase;
use casefile_core::clock::{SystemClock, TestClock};
use casefile_core::evidence::Acquisition;
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::StatementInput;
use casefile_core::{Access, KdfParams, Library, LibraryState};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

mod common;

const SENTENCE: &str =
    "Under the bakery on Sadova street the water rose past our knees, unique-sentence-4471";
const REAL_NAME: &str = "Oksana Zhurbenko-Vasylivna";
const ACTOR: &str = "Investigator Myroslava Test-Actor";

fn samples() -> PathBuf {
    common::samples().join("jpg")
}

fn clock() -> Arc<TestClock> {
    TestClock::new("2026-12-07T09:00:00Z".parse().unwrap())
}

fn photos() -> Vec<PathBuf> {
    ["gps/DSCN0010.jpg", "gps/DSCN0012.jpg", "Canon_40D.jpg"]
        .iter()
        .map(|p| samples().join(p))
        .collect()
}

/// A witness who made a statement holding [`SENTENCE`]; returns the witness's id.
fn witness_with_statement(lib: &mut Library, case_id: &str) -> String {
    let w = lib
        .create_person(
            case_id,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    lib.create_statement(
        case_id,
        StatementInput {
            witness_id: w.id.clone(),
            title: "Basement".into(),
            text: SENTENCE.into(),
            ..Default::default()
        },
    )
    .unwrap();
    w.id
}

/// A library holding the sample case, the sample photos, a statement with a unique sentence
/// and an identity with a unique real name. Returns the strings that must not be on disk.
fn filled(dir: &Path) -> (Library, Vec<String>) {
    let mut lib = Library::open_for_tests(dir, clock()).unwrap();
    assert!(lib.is_encrypted());
    lib.set_profile(ACTOR, "Kharkiv Field Office").unwrap();
    let case = lib.load_sample().unwrap();
    let acq = Acquisition {
        collected_by: ACTOR.into(),
        method: "own_capture".into(),
        ..Default::default()
    };
    lib.add_evidence(
        &case.id,
        &photos(),
        &acq,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(
        lib.analyse_pending(&mut |_, _| {}).unwrap(),
        3,
        "thumbnails made"
    );
    let w = witness_with_statement(&mut lib, &case.id);
    lib.set_identity(
        &w,
        Identity {
            real_name: REAL_NAME.into(),
            ..Default::default()
        },
    )
    .unwrap();
    let mut needles = vec![
        SENTENCE.to_string(),
        REAL_NAME.to_string(),
        ACTOR.to_string(),
        "Kharkiv Field Office".to_string(),
        case.title.clone(),
        "Напад на школу чи дитячий заклад".to_string(),
        "Attack on a school or childcare facility".to_string(),
    ];
    for p in lib.list_persons(&case.id).unwrap() {
        needles.push(p.pseudonym.clone());
    }
    for i in lib.list_incidents(&case.id).unwrap() {
        needles.push(i.title.clone());
        for place in [&i.place_name, &i.settlement] {
            if place.chars().count() >= 5 {
                needles.push(place.clone());
            }
        }
    }
    for f in photos() {
        let bytes = std::fs::read(f).unwrap();
        needles.push(casefile_core::custody::sha256_hex(&bytes));
    }
    // Pseudonyms such as "W-001" are short; they are still looked for.
    needles.retain(|n| n.len() >= 5);
    needles.sort();
    needles.dedup();
    (lib, needles)
}

/// Every file under `dir` (not following links).
fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Where any of `needles` occurs in a file's bytes or its path (also hex digests in upper case).
fn hits(dir: &Path, needles: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for f in all_files(dir) {
        let bytes = std::fs::read(&f).unwrap();
        let name = f.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        for n in needles {
            let variants = [n.clone(), n.to_uppercase()];
            for v in &variants {
                if name.contains(v.as_str()) {
                    found.push(format!("{name}: its name contains {v:?}"));
                }
                if memchr::memmem::find(&bytes, v.as_bytes()).is_some() {
                    found.push(format!("{name}: contains {v:?}"));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn nothing_the_library_holds_is_readable_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let (lib, needles) = filled(&dir);
    assert!(needles.len() >= 12, "{needles:?}");
    // The library is open: WAL and SHM are there as they are in use.
    assert_eq!(hits(&dir, &needles), Vec::<String>::new());
    drop(lib);
    assert_eq!(hits(&dir, &needles), Vec::<String>::new());
    // The test can fail: the same search finds the sentence in a plaintext library.
    let plain = tmp.path().join("plain");
    casefile_core::db::create_plaintext_library_for_tests(&plain).unwrap();
    let mut p = Library::open(&plain, clock(), Access::Plaintext).unwrap();
    p.set_profile(ACTOR, "x").unwrap();
    drop(p);
    assert!(!hits(&plain, &[ACTOR.to_string()]).is_empty());
}

#[test]
fn no_vault_file_is_named_by_the_hash_of_an_original_and_all_are_sealed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let (lib, _) = filled(&dir);
    let shas: Vec<String> = photos()
        .iter()
        .map(|f| casefile_core::custody::sha256_hex(&std::fs::read(f).unwrap()))
        .collect();
    let vault = all_files(&dir.join("vault"));
    assert!(vault.len() >= 6, "originals and thumbnails: {vault:?}");
    for f in &vault {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        for s in &shas {
            assert!(
                !rel.contains(s.as_str()) && !rel.contains(&s[..16]),
                "{rel} names {s}"
            );
        }
        let head = std::fs::read(f).unwrap();
        assert!(
            head.starts_with(b"age-encryption.org/v1\n"),
            "{rel} is not sealed"
        );
    }
    // Deduplication still works: the same photo again adds no vault file.
    let mut lib = lib;
    let case = lib
        .create_case(NewCase {
            title: "Second".into(),
            ..Default::default()
        })
        .unwrap();
    let r = lib
        .add_evidence(
            &case.id,
            &photos()[..1],
            &Acquisition::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!((r.added.len(), r.new_vault_files), (1, 0));
    assert_eq!(all_files(&dir.join("vault")).len(), vault.len());
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    all_files(dir)
        .into_iter()
        .map(|f| {
            let m = std::fs::metadata(&f).unwrap();
            (
                f.clone(),
                (std::fs::read(&f).unwrap(), m.modified().unwrap()),
            )
        })
        .collect()
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    drop(filled(&dir).0);
    let before = snapshot(&dir);
    std::thread::sleep(Duration::from_millis(20));
    for wrong in [
        "",
        "test passphrase",
        "TEST PASSPHRASE: NOT FOR REAL LIBRARIES",
    ] {
        let e = Library::unlock(&dir, clock(), wrong).err().unwrap();
        assert!(
            matches!(e.code(), "wrong_passphrase" | "invalid_input"),
            "{wrong:?}: {e}"
        );
    }
    let e = Library::open(&dir, clock(), Access::Plaintext)
        .err()
        .unwrap();
    assert_eq!(e.code(), "passphrase_required");
    assert_eq!(snapshot(&dir), before, "a refused unlock touched a file");
    let lib = Library::unlock(&dir, clock(), casefile_core::TEST_PASSPHRASE).unwrap();
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn sqlite3_cannot_read_the_database_and_age_decrypts_vault_files_with_the_vault_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let (lib, _) = filled(&dir);
    let out = Command::new("sqlite3")
        .arg(dir.join("casefile.db"))
        .arg(".tables")
        .output()
        .expect("sqlite3 is installed (scripts/install-deps.sh)");
    assert!(!out.status.success(), "sqlite3 read the encrypted database");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a database"));

    // Decades from now, with the key: the `age` tool decrypts a vault file without Casefile.
    let id = tmp.path().join("vault-identity.txt");
    std::fs::write(&id, format!("{}\n", lib.vault_identity().unwrap().as_str())).unwrap();
    let photo = &photos()[0];
    let sha = casefile_core::custody::sha256_hex(&std::fs::read(photo).unwrap());
    let sealed = lib.vault().original_path_for_tests(&sha);
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id)
        .arg(&sealed)
        .output()
        .expect("age is installed (scripts/install-deps.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, std::fs::read(photo).unwrap());
}

#[test]
fn a_sealed_original_altered_behind_the_apps_back_is_reported_as_changed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let (lib, _) = filled(&dir);
    let sha = casefile_core::custody::sha256_hex(&std::fs::read(&photos()[1]).unwrap());
    let p = lib.vault().original_path_for_tests(&sha);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o400)).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    let n = bytes.len();
    bytes[n - 40] ^= 1;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&p, &bytes).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o400)).unwrap();
    let r = lib
        .audit_verify_with(
            casefile_core::audit::AuditOptions { files: true },
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
        .unwrap();
    assert!(!r.ok());
    let text = format!("{:?}", r.record_problems);
    assert!(
        text.contains("changed") && text.contains("no longer decrypts"),
        "{text}"
    );
}

#[test]
fn key_slots_add_change_remove_recover_and_destroy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let kdf = casefile_core::test_kdf();
    let mut lib = Library::create(&dir, clock(), "first passphrase", kdf).unwrap();
    let second = lib.add_passphrase("second passphrase", kdf).unwrap();
    assert_eq!(second, 2);
    let org = age_keygen(tmp.path());
    lib.set_recovery_key(&org.1).unwrap();
    drop(lib);
    let mut lib = Library::unlock(&dir, clock(), "second passphrase").unwrap();
    assert_eq!(lib.key_status().unwrap().unlocked_with, Some(2));
    lib.change_passphrase("second, changed", kdf).unwrap();
    lib.remove_key_slot(1).unwrap();
    let status = lib.key_status().unwrap();
    let kinds: Vec<&str> = status.slots.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["recovery", "passphrase"]);
    let last = status.slots[1].slot;
    assert_eq!(
        lib.remove_key_slot(last).err().unwrap().code(),
        "invalid_input",
        "the last passphrase cannot be removed"
    );
    let history = lib.history("library", "keys").unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "key_slot_added",
            "recovery_key_set",
            "passphrase_changed",
            "key_slot_removed"
        ]
    );
    drop(lib);
    for old in ["first passphrase", "second passphrase"] {
        assert_eq!(
            Library::unlock(&dir, clock(), old).err().unwrap().code(),
            "wrong_passphrase"
        );
    }
    // Emergency: the passphrase slots are overwritten; the changed passphrase opens nothing.
    let keys_before = std::fs::read(dir.join("casefile.keys")).unwrap();
    assert!(casefile_core::keyslots::destroy_passphrases(&dir, "2026-12-07T10:00:00Z").unwrap());
    let keys_after = std::fs::read(dir.join("casefile.keys")).unwrap();
    assert_eq!(Library::state(&dir), LibraryState::KeysDestroyed);
    let wrapped: Vec<String> = serde_json::from_slice::<serde_json::Value>(&keys_before).unwrap()
        ["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "passphrase")
        .map(|s| s["wrapped"].as_str().unwrap().to_string())
        .collect();
    for w in wrapped {
        assert!(!String::from_utf8_lossy(&keys_after).contains(&w));
    }
    assert_eq!(
        Library::unlock(&dir, clock(), "second, changed")
            .err()
            .unwrap()
            .code(),
        "keys_destroyed"
    );
    // The organisation recovers it with its own key and sets a new passphrase.
    let wrong_org = age_keygen(&tmp.path().join("other"));
    let e = Library::open(
        &dir,
        clock(),
        Access::Recovery {
            identity: &wrong_org.0,
            new_passphrase: "new",
            kdf,
        },
    )
    .err()
    .unwrap();
    assert_eq!(e.code(), "invalid_input");
    let lib = Library::open(
        &dir,
        clock(),
        Access::Recovery {
            identity: &org.0,
            new_passphrase: "after recovery",
            kdf,
        },
    )
    .unwrap();
    assert!(lib.audit_verify().unwrap().ok());
    drop(lib);
    assert!(Library::unlock(&dir, clock(), "after recovery").is_ok());
}

/// A real `age-keygen` identity: (identity file text, public key).
fn age_keygen(dir: &Path) -> (Vec<u8>, String) {
    std::fs::create_dir_all(dir).unwrap();
    let f = dir.join("org.key");
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&f)
        .output()
        .expect("age-keygen is installed (scripts/install-deps.sh)");
    assert!(out.status.success());
    let text = std::fs::read(&f).unwrap();
    let public = String::from_utf8_lossy(&text)
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_string))
        .unwrap();
    (text, public)
}

// ---- kill -9 ----

/// Runs this test binary's `child` test in a child process with `env` set.
fn child(name: &str, env: &[(&str, &Path)]) -> std::process::Child {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        name,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.spawn().unwrap()
}

fn kill9(mut c: std::process::Child) {
    let _ = c.kill(); // SIGKILL on Unix
    let _ = c.wait();
}

fn wait_for_line(c: &mut std::process::Child, word: &str) {
    let out = c.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains(word) => break,
            Some(_) => continue,
            None => panic!("the child ended before saying {word}"),
        }
    }
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
}

#[test]
#[ignore = "run by the kill -9 tests in a child process"]
fn child_writes_statements_forever() {
    let Some(dir) = std::env::var_os("CASEFILE_TEST_LIBRARY") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let mut lib = Library::open_for_tests(&dir, Arc::new(SystemClock)).unwrap();
    let case = lib.list_cases().unwrap()[0].id.clone();
    let w = lib.list_persons(&case).unwrap()[0].id.clone();
    for i in 0.. {
        lib.create_statement(
            &case,
            StatementInput {
                witness_id: w.clone(),
                title: format!("Statement {i}"),
                text: format!("{SENTENCE} {i}"),
                ..Default::default()
            },
        )
        .unwrap();
        if i == 3 {
            println!("writing");
        }
    }
}

#[test]
fn nothing_is_readable_right_after_a_kill_9_mid_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let (lib, needles) = filled(&dir);
    drop(lib);
    let mut c = child(
        "child_writes_statements_forever",
        &[("CASEFILE_TEST_LIBRARY", &dir)],
    );
    wait_for_line(&mut c, "writing");
    std::thread::sleep(Duration::from_millis(300));
    kill9(c);
    assert!(
        dir.join("casefile.db-wal").exists(),
        "killed mid-write, the WAL is left behind"
    );
    assert_eq!(hits(&dir, &needles), Vec::<String>::new());
    // And the library opens and audits clean.
    let lib = Library::open_for_tests(&dir, clock()).unwrap();
    assert!(lib.audit_verify().unwrap().ok());
    assert_eq!(hits(&dir, &needles), Vec::<String>::new());
}

/// Unpacks the Casefile 0.1 plaintext library of tests/fixtures with its vault files, then
/// opens it as it is (plaintext) and adds the sample case and a statement, so it has thumbnails,
/// custody entries and text to protect.
fn plaintext_library(dir: &Path) -> Vec<String> {
    common::legacy_library(dir);
    assert_eq!(Library::state(dir), LibraryState::Plaintext);
    let mut lib = Library::open(dir, clock(), Access::Plaintext).unwrap();
    assert!(!lib.is_encrypted());
    lib.set_profile(ACTOR, "Kharkiv Field Office").unwrap();
    let case = lib.load_sample().unwrap();
    lib.add_evidence(
        &case.id,
        &photos(),
        &Acquisition::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    lib.analyse_pending(&mut |_, _| {}).unwrap();
    witness_with_statement(&mut lib, &case.id);
    let audit = lib.audit_verify().unwrap();
    assert!(audit.ok(), "{audit:#?}");
    vec![SENTENCE.to_string(), ACTOR.to_string(), case.title]
}

/// What a library holds, to compare before and after encrypting: every case with its
/// incidents, persons and statements, the evidence hashes, and the custody log's length.
fn contents(lib: &Library) -> String {
    let mut out = String::new();
    for c in lib.list_cases().unwrap() {
        out += &format!("case {} {}\n", c.id, c.title);
        for i in lib.list_incidents(&c.id).unwrap() {
            out += &format!("  incident {} {}\n", i.id, i.title);
        }
        for p in lib.list_persons(&c.id).unwrap() {
            out += &format!("  person {} {}\n", p.id, p.pseudonym);
        }
        for e in lib.evidence_rows(&c.id).unwrap() {
            let mut bytes = Vec::new();
            lib.vault()
                .open_original(&e.sha256)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            assert_eq!(casefile_core::custody::sha256_hex(&bytes), e.sha256);
            out += &format!("  evidence {} {}\n", e.id, e.sha256);
        }
    }
    out
}

#[test]
#[ignore = "run by the kill -9 tests in a child process"]
fn child_encrypts_in_place() {
    let Some(dir) = std::env::var_os("CASEFILE_TEST_LIBRARY") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let lib = Library::open(&dir, Arc::new(SystemClock), Access::Plaintext).unwrap();
    println!("encrypting");
    let lib = lib
        .encrypt_in_place("in place", casefile_core::test_kdf(), &mut |_, _| {})
        .unwrap();
    drop(lib);
    println!("encrypted");
}

/// Opens the library after a kill, whichever it is now: the plaintext one, or the encrypted one.
fn open_after_kill(dir: &Path) -> Library {
    match Library::state(dir) {
        LibraryState::Plaintext => Library::open(dir, clock(), Access::Plaintext).unwrap(),
        LibraryState::Encrypted => Library::unlock(dir, clock(), "in place").unwrap(),
        other => panic!("after a kill the library is {other:?}"),
    }
}

#[test]
fn encrypting_in_place_survives_kill_9_at_any_moment_and_leaves_no_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("template");
    let needles = plaintext_library(&template);
    let expected = {
        let lib = Library::open(&template, clock(), Access::Plaintext).unwrap();
        contents(&lib)
    };
    assert!(expected.contains("evidence"), "{expected}");
    let copy = |to: &Path| {
        let _ = std::fs::remove_dir_all(to);
        let ok = Command::new("cp")
            .arg("-a")
            .arg(&template)
            .arg(to)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    // How long an uninterrupted encryption takes here, from the child's first line.
    let dir = tmp.path().join("lib");
    copy(&dir);
    let mut c = child(
        "child_encrypts_in_place",
        &[("CASEFILE_TEST_LIBRARY", &dir)],
    );
    let out = c.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    assert!(lines.any(|l| l.unwrap().contains("encrypting")));
    let t = Instant::now();
    let finished = lines.any(|l| l.unwrap().contains("encrypted"));
    let full = t.elapsed();
    assert!(finished && c.wait().unwrap().success());
    assert_eq!(contents(&open_after_kill(&dir)), expected);

    let mut seen = BTreeMap::new();
    let steps = 24u32;
    for k in 0..=steps {
        copy(&dir);
        let mut c = child(
            "child_encrypts_in_place",
            &[("CASEFILE_TEST_LIBRARY", &dir)],
        );
        wait_for_line(&mut c, "encrypting");
        std::thread::sleep(full * k / steps);
        kill9(c);
        let state = Library::state(&dir);
        *seen.entry(format!("{state:?}")).or_insert(0) += 1;
        let lib = open_after_kill(&dir);
        assert_eq!(contents(&lib), expected, "after a kill at {k}/{steps}");
        let audit = lib.audit_verify().unwrap();
        assert!(audit.ok(), "after a kill at {k}/{steps}: {audit:#?}");
        let encrypted = lib.is_encrypted();
        drop(lib);
        if encrypted {
            assert!(!dir.join("vault/sha256").exists());
            assert!(!dir.join("encrypt.done").exists());
            assert_eq!(hits(&dir, &needles), Vec::<String>::new(), "at {k}/{steps}");
        } else {
            // Killed before the commit: encrypting again finishes the job.
            let lib = Library::open(&dir, clock(), Access::Plaintext).unwrap();
            let lib = lib
                .encrypt_in_place("in place", casefile_core::test_kdf(), &mut |_, _| {})
                .unwrap();
            assert_eq!(contents(&lib), expected);
            drop(lib);
            assert_eq!(hits(&dir, &needles), Vec::<String>::new(), "at {k}/{steps}");
        }
    }
    eprintln!("states seen after kills: {seen:?}");
    assert!(seen.contains_key("Plaintext"), "{seen:?}");

    // And a crash at each step of the short phase after the commit, where a timed kill rarely
    // lands: each step stops the process there (abort, as a kill -9 would).
    for step in [
        "before commit",
        "committed",
        "vault moved",
        "keys moved",
        "plaintext database moved aside",
        "encrypted database in place",
        "plaintext database shredded",
        "plaintext vault shredded",
    ] {
        copy(&dir);
        let c = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_encrypts_in_place",
                "--ignored",
                "--test-threads=1",
            ])
            .env("CASEFILE_TEST_LIBRARY", &dir)
            .env("CASEFILE_TEST_CRASH_AT", step)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!c.success(), "the child stopped at {step}");
        let expect = if step == "before commit" {
            LibraryState::Plaintext
        } else {
            LibraryState::Encrypted
        };
        assert_eq!(Library::state(&dir), expect, "after a crash at {step}");
        let lib = open_after_kill(&dir);
        assert_eq!(contents(&lib), expected, "after a crash at {step}");
        assert!(lib.audit_verify().unwrap().ok(), "after a crash at {step}");
        drop(lib);
        if expect == LibraryState::Encrypted {
            assert!(!dir.join("vault/sha256").exists(), "{step}");
            assert!(!dir.join("encrypt.done").exists(), "{step}");
            assert_eq!(
                hits(&dir, &needles),
                Vec::<String>::new(),
                "after a crash at {step}"
            );
        }
    }
}

#[test]
fn an_encrypted_library_opens_only_as_encrypted_and_a_new_one_is_never_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    assert_eq!(Library::state(&dir), LibraryState::Missing);
    assert_eq!(
        Library::open(&dir, clock(), Access::Plaintext)
            .err()
            .unwrap()
            .code(),
        "no_library",
        "a new library is never plaintext"
    );
    assert!(!dir.exists(), "refusing created nothing");
    let lib = Library::create(&dir, clock(), "pw", casefile_core::test_kdf()).unwrap();
    drop(lib);
    assert_eq!(Library::state(&dir), LibraryState::Encrypted);
    assert_eq!(
        Library::create(&dir, clock(), "pw", casefile_core::test_kdf())
            .err()
            .unwrap()
            .code(),
        "invalid_input"
    );
    // A keys file swapped in from another library opens nothing and loses nothing.
    let other = tmp.path().join("other");
    drop(Library::create(&other, clock(), "pw", casefile_core::test_kdf()).unwrap());
    let mine = std::fs::read(dir.join("casefile.keys")).unwrap();
    std::fs::copy(other.join("casefile.keys"), dir.join("casefile.keys")).unwrap();
    let e = Library::unlock(&dir, clock(), "pw").err().unwrap();
    assert_eq!(e.code(), "corrupt", "{e}");
    std::fs::write(dir.join("casefile.keys"), mine).unwrap();
    assert!(Library::unlock(&dir, clock(), "pw").is_ok());
    let _ = KdfParams::default();
}
