//! `audit verify` against a library edited behind Casefile's back, the way someone holding the
//! laptop would: with the sqlite3 shell (triggers dropped first), with a file manager in the vault,
//! by deleting files. Each attack is named by the audit, on the record, version, file or entry it
//! touched; and an untouched library, or one that only crashed, is never reported as tampered.

use casefile_core::audit::{AuditOptions, AuditReport};
use casefile_core::clock::TestClock;
use casefile_core::evidence::Acquisition;
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::StatementInput;
use casefile_core::Library;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/exif-samples/jpg")
        .join(name)
}

/// A library with a case, a witness with an identity (revealed once), an edited statement and
/// two photos; returns (case, person, statement, photo sha256s, photo ids).
struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    person: String,
    statement: String,
    shas: Vec<String>,
    items: Vec<String>,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lib");
    let mut lib = open(&dir);
    lib.set_profile("Olena Koval", "Field team").unwrap();
    let case = lib
        .create_case(casefile_core::cases::NewCase {
            title: "Audit".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let w = lib
        .create_person(
            &case,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    lib.set_identity(
        &w.id,
        Identity {
            real_name: "Iryna H.".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let st = lib
        .create_statement(
            &case,
            StatementInput {
                witness_id: w.id.clone(),
                text: "Я бачила вибух.".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let mut edit = st.to_input();
    edit.text.push_str(" Потім — пожежа.");
    lib.edit_statement(&st.id, edit).unwrap();
    let acq = Acquisition {
        collected_by: "O. K.".into(),
        method: "own_capture".into(),
        ..Default::default()
    };
    let r = lib
        .add_evidence(
            &case,
            &[photo("Canon_40D.jpg"), photo("gps/DSCN0010.jpg")],
            &acq,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    lib.reveal_identity(&w.id).unwrap();
    let report = full_audit(&lib);
    assert!(
        report.ok(),
        "an untouched library audits clean: {report:#?}"
    );
    Fixture {
        _tmp: tmp,
        dir,
        person: w.id,
        statement: st.id,
        shas: r.added.iter().map(|e| e.sha256.clone()).collect(),
        items: r.added.iter().map(|e| e.id.clone()).collect(),
    }
}

fn full_audit(lib: &Library) -> AuditReport {
    lib.audit_verify_with(
        AuditOptions { files: true },
        &AtomicBool::new(false),
        &mut |_, _| {},
    )
    .unwrap()
}

/// Runs SQL on the closed library's database, as the sqlite3 shell would.
fn sql(dir: &Path, sql: &str) {
    let conn = casefile_core::db::open_raw_for_tests(dir.join("casefile.db"), false).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[track_caller]
fn assert_named(r: &AuditReport, record_type: &str, record_id: &str, needle: &str) {
    assert!(!r.ok(), "the audit must fail: {r:#?}");
    assert!(
        r.record_problems
            .iter()
            .any(|p| p.record_type == record_type
                && p.record_id == record_id
                && p.message.contains(needle)),
        "expected a finding on {record_type} {record_id} saying {needle:?}; got {:#?}",
        r.record_problems
    );
}

fn vault_file(f: &Fixture, sha: &str) -> PathBuf {
    casefile_core::vault::Vault::test_original_path(&f.dir, sha)
}

#[test]
fn cutting_the_last_entries_of_the_log_is_seen_even_after_later_writes() {
    let f = fixture();
    // The reveal is the last entry: an investigator who looked at the name would want it gone.
    sql(&f.dir, "DROP TRIGGER custody_log_no_delete; DELETE FROM custody_log WHERE seq = (SELECT MAX(seq) FROM custody_log);");
    let mut lib = open(&f.dir);
    let r = lib.audit_verify().unwrap();
    assert!(
        r.chain_problem.is_none(),
        "what is left is still a valid chain: only the head can tell"
    );
    let why = r.head_problem.clone().expect("the cut must be reported");
    assert!(why.contains("1 entries were removed from its end"), "{why}");
    // Later work must not paper over the cut by moving the head forward.
    lib.create_case(casefile_core::cases::NewCase {
        title: "Later".into(),
        ..Default::default()
    })
    .unwrap();
    drop(lib);
    let lib = open(&f.dir);
    assert!(
        lib.audit_verify().unwrap().head_problem.is_some(),
        "the head is not advanced past a cut"
    );
}

#[test]
fn a_database_swapped_for_an_older_copy_is_seen() {
    let f = fixture();
    let old = std::fs::read(f.dir.join("casefile.db")).unwrap();
    {
        let mut lib = open(&f.dir);
        lib.reveal_identity(&f.person).unwrap();
    }
    std::fs::write(f.dir.join("casefile.db"), old).unwrap();
    let _ = std::fs::remove_file(f.dir.join("casefile.db-wal"));
    let lib = open(&f.dir);
    let r = lib.audit_verify().unwrap();
    assert!(
        r.head_problem
            .as_deref()
            .is_some_and(|m| m.contains("removed from its end")),
        "{r:#?}"
    );
}

#[test]
fn a_deleted_or_forged_head_file_is_reported_and_can_be_accepted_with_a_reason() {
    let f = fixture();
    std::fs::remove_file(f.dir.join("casefile.head")).unwrap();
    let mut lib = open(&f.dir);
    let r = lib.audit_verify().unwrap();
    assert!(
        r.head_problem
            .as_deref()
            .is_some_and(|m| m.contains("missing")),
        "{r:#?}"
    );
    lib.accept_log_head("restored from the backup of 2026-11-20 after the disk failed")
        .unwrap();
    let r = lib.audit_verify().unwrap();
    assert!(r.ok(), "{r:#?}");
    let entry = lib
        .history("log", "head")
        .unwrap()
        .pop()
        .expect("accepting is itself a custody entry");
    assert_eq!(entry.action, "accept_log_head");
    assert!(
        entry.detail.unwrap()["finding"]
            .as_str()
            .unwrap()
            .contains("missing"),
        "the entry records what was found"
    );
    drop(lib);

    // A head signed by another key (forged).
    let text = std::fs::read_to_string(f.dir.join("casefile.head")).unwrap();
    let mut head: serde_json::Value = serde_json::from_str(&text).unwrap();
    head["signature"] = serde_json::json!(base64_of(&[7u8; 64]));
    std::fs::write(f.dir.join("casefile.head"), head.to_string()).unwrap();
    let lib = open(&f.dir);
    assert!(lib
        .audit_verify()
        .unwrap()
        .head_problem
        .as_deref()
        .is_some_and(|m| m.contains("not signed by this library's key")));
}

fn base64_of(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn a_crash_between_a_commit_and_the_head_is_not_a_tamper_claim() {
    let f = fixture();
    let before = std::fs::read(f.dir.join("casefile.head")).unwrap();
    {
        let mut lib = open(&f.dir);
        lib.reveal_identity(&f.person).unwrap();
    }
    // As if the power went between the commit and the head file's rename.
    std::fs::write(f.dir.join("casefile.head"), &before).unwrap();
    std::fs::write(f.dir.join("casefile.head.tmp"), b"{\"seq\": 9").unwrap();
    {
        let lib = open(&f.dir);
        let r = lib.audit_verify().unwrap();
        assert!(r.ok(), "a head one entry behind is not tampering: {r:#?}");
    }
    assert!(
        !f.dir.join("casefile.head.tmp").exists(),
        "the interrupted write's temp file is gone"
    );
    let after = std::fs::read(f.dir.join("casefile.head")).unwrap();
    assert_ne!(after, before, "opening brought the head up to date");
}

#[test]
fn a_record_inserted_without_a_custody_entry_is_named() {
    let f = fixture();
    let case: String = {
        let lib = open(&f.dir);
        lib.list_cases().unwrap()[0].id.clone()
    };
    sql(
        &f.dir,
        &format!(
            "INSERT INTO incidents (id, case_id, title, date_precision, created_at, updated_at)
             VALUES ('00000000-0000-7000-8000-0000000000aa', '{case}', 'Planted incident', 'unknown', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
        ),
    );
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "incident",
        "00000000-0000-7000-8000-0000000000aa",
        "has no custody entry: it was added outside Casefile",
    );
}

#[test]
fn statement_versions_edited_deleted_or_added_behind_casefiles_back_are_named() {
    let f = fixture();
    let sid = f.statement.clone();
    sql(&f.dir, &format!("DROP TRIGGER statement_versions_no_update; UPDATE statement_versions SET snapshot = replace(snapshot, 'вибух', 'нічого') WHERE statement_id = '{sid}' AND version = 1;"));
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "statement_version",
        &format!("{sid}#1"),
        "was changed outside Casefile",
    );
    drop(lib);

    sql(&f.dir, &format!("DROP TRIGGER statement_versions_no_delete; DELETE FROM statement_versions WHERE statement_id = '{sid}' AND version = 2;"));
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "statement_version",
        &format!("{sid}#2"),
        "missing from the database",
    );
    drop(lib);

    sql(&f.dir, &format!("INSERT INTO statement_versions (statement_id, version, snapshot, changed_by, changed_at) VALUES ('{sid}', 7, '{{}}', 'x', 'y');"));
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "statement_version",
        &format!("{sid}#7"),
        "has no custody entry",
    );
}

#[cfg(unix)]
fn make_writable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
#[cfg(unix)]
fn a_vault_original_changed_swapped_deleted_made_writable_or_linked_is_named() {
    let f = fixture();
    let (a, b) = (&f.shas[0], &f.shas[1]);
    let pa = vault_file(&f, a);
    // Made writable only: named without reading a byte.
    make_writable(&pa);
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "evidence",
        &f.items[0],
        "was made writable",
    );
    drop(lib);
    // Its bytes changed (then made read-only again to hide it): only re-hashing sees it.
    let mut bytes = std::fs::read(&pa).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&pa, &bytes).unwrap();
    let mut perms = std::fs::metadata(&pa).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&pa, perms).unwrap();
    let lib = open(&f.dir);
    assert!(
        lib.audit_verify().unwrap().ok(),
        "without files, bytes are not read (that is what files is for)"
    );
    let r = full_audit(&lib);
    // The file is sealed: a changed byte breaks its authentication.
    assert_named(
        &r,
        "evidence",
        &f.items[0],
        "its original in the vault changed: it no longer decrypts",
    );
    drop(lib);
    // Swapped for the other photo, deleted, replaced by a link.
    let pb = vault_file(&f, b);
    make_writable(&pa);
    std::fs::copy(&pb, &pa).unwrap();
    let mut perms = std::fs::metadata(&pa).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&pa, perms).unwrap();
    let lib = open(&f.dir);
    assert_named(
        &full_audit(&lib),
        "evidence",
        &f.items[0],
        &format!("its SHA-256 is now {b}"),
    );
    drop(lib);
    std::fs::remove_file(&pa).unwrap();
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "evidence",
        &f.items[0],
        "is missing from the vault",
    );
    drop(lib);
    std::os::unix::fs::symlink(&pb, &pa).unwrap();
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "evidence",
        &f.items[0],
        "replaced in the vault by a symbolic link",
    );
    assert!(
        lib.vault().verify(a).is_err(),
        "the vault does not read through a link put in an original's place"
    );
}

#[test]
fn a_replaced_installation_key_is_named() {
    let f = fixture();
    // A key pair of the attacker's, consistent in itself.
    let secret = [42u8; 32];
    let public = ed25519_dalek::SigningKey::from_bytes(&secret)
        .verifying_key()
        .to_bytes();
    sql(
        &f.dir,
        &format!(
            "UPDATE installation SET secret_key = x'{}', public_key = x'{}';",
            hex::encode(secret),
            hex::encode(public)
        ),
    );
    let lib = open(&f.dir);
    let r = lib.audit_verify().unwrap();
    assert_named(&r, "installation", "1", "was changed outside Casefile");
    assert!(
        r.head_problem
            .as_deref()
            .is_some_and(|m| m.contains("not signed by this library's key")),
        "{r:#?}"
    );
    drop(lib);
    // Half a key: the public key of one pair, the secret of another.
    sql(
        &f.dir,
        &format!(
            "UPDATE installation SET secret_key = x'{}';",
            hex::encode([43u8; 32])
        ),
    );
    let lib = open(&f.dir);
    assert_named(
        &lib.audit_verify().unwrap(),
        "installation",
        "1",
        "does not belong to its secret key",
    );
}

#[test]
fn an_edited_built_in_term_and_a_planted_user_term_are_named() {
    let f = fixture();
    sql(&f.dir, "UPDATE vocab_labels SET label = 'Lawful strike' WHERE vocab = 'incident_type' AND code = 'attack_medical' AND language = 'en';");
    sql(
        &f.dir,
        "INSERT INTO vocab_terms (vocab, code, builtin) VALUES ('weapon', 'planted', 0);",
    );
    sql(&f.dir, "INSERT INTO vocab_labels (vocab, code, language, label) VALUES ('weapon', 'planted', 'en', 'Planted');");
    let lib = open(&f.dir);
    let r = lib.audit_verify().unwrap();
    assert_named(
        &r,
        "term",
        "incident_type:attack_medical",
        "its labels differ from the ones Casefile ships",
    );
    assert_named(&r, "term", "weapon:planted", "has no custody entry");
}

#[test]
fn a_second_process_cannot_open_the_library_after_its_lock_file_is_deleted() {
    let f = fixture();
    let held = open(&f.dir);
    std::fs::remove_file(f.dir.join("casefile.lock")).unwrap();
    let second = Library::open_for_tests(
        &f.dir,
        TestClock::new("2026-11-25T09:00:00Z".parse().unwrap()),
    );
    assert_eq!(
        second.err().map(|e| e.code()),
        Some("library_locked"),
        "the lock is on the folder, not only on the file"
    );
    drop(held);
}

#[test]
#[cfg(unix)]
fn the_library_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&f.dir), 0o700);
    for name in ["casefile.db", "casefile.head", "casefile.lock"] {
        assert_eq!(mode(&f.dir.join(name)), 0o600, "{name}");
    }
    assert_eq!(
        mode(&vault_file(&f, &f.shas[0])),
        0o400,
        "originals are read-only and private"
    );
    for d in ["vault", "vault/sealed", "vault/tmp", "vault/derived/sealed"] {
        assert_eq!(mode(&f.dir.join(d)), 0o700, "{d}");
    }
}

#[test]
fn a_replaced_identity_does_not_linger_in_the_database_file() {
    let f = fixture();
    {
        let mut lib = open(&f.dir);
        // Notes long enough to spill onto overflow pages, which a replacement frees.
        let notes = "Lived at 12 Prospekt Myru with Secretname's family; phone +380 67 000 1122. "
            .repeat(100);
        lib.set_identity(
            &f.person,
            Identity {
                real_name: "Mykhailo Zaporozhets-Secretname".into(),
                notes,
                ..Default::default()
            },
        )
        .unwrap();
        lib.set_identity(
            &f.person,
            Identity {
                real_name: "(withdrawn at the witness's request)".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    // Closing checkpoints the write-ahead log into the database file.
    let mut bytes = std::fs::read(f.dir.join("casefile.db")).unwrap();
    if let Ok(wal) = std::fs::read(f.dir.join("casefile.db-wal")) {
        bytes.extend(wal);
    }
    for secret in ["Secretname", "000 1122"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret:?} is still readable in the file (secure_delete)"
        );
    }
}
