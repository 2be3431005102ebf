//! The library on real SQLite files in temp dirs: opening, reopening, locking, migrations and
//! the case operations' errors.

use casefile_core::cases::{CaseEdit, CaseStatus, NewCase};
use casefile_core::clock::TestClock;
use casefile_core::{db, Error, Library};
use std::sync::Arc;

fn clock() -> Arc<TestClock> {
    TestClock::new("2026-03-09T10:00:00Z".parse().unwrap())
}

fn new_case(title: &str, reference: Option<&str>) -> NewCase {
    NewCase {
        title: title.into(),
        reference: reference.map(Into::into),
        description: String::new(),
    }
}

#[test]
fn reopening_a_library_keeps_its_cases() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let mut lib = Library::open_for_tests(dir.path(), clock()).unwrap();
        let c = lib
            .create_case(NewCase {
                title: "Mariupol drama theatre".into(),
                reference: Some("UA-MAR-002".into()),
                description: "Strike of 16 March 2022.\nSecond line.".into(),
            })
            .unwrap();
        lib.edit_case(
            &c.id,
            CaseEdit {
                status: Some(CaseStatus::Closed),
                ..Default::default()
            },
        )
        .unwrap();
        c.id
    }; // dropped: closed and unlocked
    let lib = Library::open_for_tests(dir.path(), clock()).unwrap();
    let c = lib.get_case(&id).unwrap();
    assert_eq!(
        c.title, "Mariupol drama theatre",
        "the title must survive a reopen"
    );
    assert_eq!(c.reference.as_deref(), Some("UA-MAR-002"));
    assert_eq!(
        c.description, "Strike of 16 March 2022.\nSecond line.",
        "multi-line text is kept as typed"
    );
    assert_eq!(
        c.status,
        CaseStatus::Closed,
        "a status change must survive a reopen"
    );
    assert_eq!(lib.list_cases().unwrap().len(), 1);
    assert!(
        dir.path().join("vault").is_dir(),
        "the library directory holds the vault"
    );
}

#[test]
fn a_second_open_of_the_same_library_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Library::open_for_tests(dir.path(), clock()).unwrap();
    let second = Library::open_for_tests(dir.path(), clock());
    match second {
        Err(e) => assert_eq!(e.code(), "library_locked", "got {e}"),
        Ok(_) => panic!("a second open while the first is live must be refused"),
    }
}

#[test]
fn the_lock_is_released_when_the_library_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    drop(Library::open_for_tests(dir.path(), clock()).unwrap());
    Library::open_for_tests(dir.path(), clock()).expect("reopening after close must work");
}

#[test]
fn a_data_dir_that_cannot_be_created_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = Library::open_for_tests(&file.join("library"), clock())
        .err()
        .expect("must fail");
    assert_eq!(err.code(), "data_dir_not_writable");
    assert!(
        err.to_string().contains("not-a-dir"),
        "the message names the path: {err}"
    );
}

#[test]
fn a_read_only_data_dir_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
    // root ignores permission bits; the check is only meaningful for ordinary users.
    if std::fs::write(ro.join("probe"), b"").is_ok() {
        eprintln!("skipped: running as a user that can write a 0500 directory (root)");
        return;
    }
    let err = Library::open_for_tests(&ro, clock())
        .err()
        .expect("must fail");
    assert_eq!(err.code(), "data_dir_not_writable");
}

#[test]
fn a_database_from_a_newer_casefile_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(Library::open_for_tests(dir.path(), clock()).unwrap());
    let db_path = dir.path().join("casefile.db");
    let future = db::schema_version() + 1;
    {
        let conn = casefile_core::db::open_raw_for_tests(&db_path, false).unwrap();
        conn.pragma_update(None, "user_version", future).unwrap();
    }
    let err = Library::open_for_tests(dir.path(), clock())
        .err()
        .expect("must refuse");
    assert_eq!(err.code(), "schema_too_new");
    assert!(matches!(err, Error::SchemaTooNew { found, .. } if found == future));
    let conn = casefile_core::db::open_raw_for_tests(&db_path, false).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, future, "refusing must not touch the newer database");
}

#[test]
fn migrations_build_the_schema_from_scratch_and_are_idempotent() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    db::migrate(&mut conn).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, db::schema_version());
    db::migrate(&mut conn).unwrap();
    let fk: i64 = {
        let dir = tempfile::tempdir().unwrap();
        let c = db::open_connection(&dir.path().join("x.db"), None).unwrap();
        c.pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(fk, 1, "open_connection turns foreign keys on");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// Released migrations are frozen: editing one would give existing libraries a schema that
/// differs from new ones. Append a new migration instead, and add its digest here.
#[test]
fn released_migrations_are_never_edited() {
    let pinned = [
        "d3d65d35aff2db804244b4be0fc5a685069d212d5f3f17f9d13c88402354c92c",
        "c71bf6e47dffd5f8e3a42ba91a216ab8733dba3e9073a8e5e32a08e68455fde3",
        "20b8e123e5a392493160e667a57e7ca3f0449b54ac3b53c1b3f0014fe8b2b9c3",
        "b98510412fc5f98c41927bab30259d4700c5f5a39b7247adb5619314a184096b",
        "ca392fae12a85ee7bd13a784f68ec112b19e7c099ae6e11be73b845f96682ac6",
        "7d6955b138044d4238be173679419e6242b4e9d7094fcb604ddb1768caa7e6a6",
        "846a2b09b3f7552ca89a651fc3f68ee992784c9c43d05b77a7a5691902e54953",
        "51f938a447b4224b0974a983b1539a5c1909a017cce373e62f038ae503a11a82",
        // 9 (search: the casefile tokenizer and prefix indexes)
        "6345bf655f82a13810e2d1fb44b21ff86776189a371dabe6ecbb2d3bbad4bb9f",
        // 10 (vocabulary labels per language)
        "db58a03420c48a2d906c0301a32e6944607f66da1e7c218994010bd94167af42",
    ];
    let actual: Vec<String> = db::MIGRATIONS
        .iter()
        .map(|m| casefile_core::custody::sha256_hex(m.as_bytes()))
        .collect();
    for (i, p) in pinned.iter().enumerate() {
        assert_eq!(
            &actual[i],
            p,
            "migration {} was edited after release; add a new migration instead",
            i + 1
        );
    }
    assert!(actual.len() >= pinned.len());
    assert_eq!(
        actual.len(),
        pinned.len(),
        "a new migration needs its digest pinned here: {:?}",
        &actual[pinned.len()..]
    );
}

#[test]
fn a_failed_migration_leaves_the_database_unchanged() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE cases (x INTEGER);")
        .unwrap(); // clashes with migration 1
    assert!(db::migrate(&mut conn).is_err());
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 0, "user_version must not advance when a migration fails");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'custody_log'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "no part of the failed migration may remain");
}

#[test]
fn case_input_errors_are_specific_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open_for_tests(dir.path(), clock()).unwrap();

    let e = lib.create_case(new_case("   ", None)).unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_input", Some("title")));

    let first = lib.create_case(new_case("First", Some("UA-001"))).unwrap();
    let e = lib
        .create_case(new_case("Second", Some("ua-001")))
        .unwrap_err();
    assert_eq!(
        e.code(),
        "duplicate_reference",
        "reference codes are unique regardless of case"
    );
    assert_eq!(e.field(), Some("reference"));

    let other = lib.create_case(new_case("Other", Some("UA-002"))).unwrap();
    let e = lib
        .edit_case(
            &other.id,
            CaseEdit {
                reference: Some("UA-001".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "duplicate_reference");

    let e = lib.get_case("0190-no-such-case").unwrap_err();
    assert_eq!(e.code(), "not_found");
    let e = lib
        .edit_case("0190-no-such-case", CaseEdit::default())
        .unwrap_err();
    assert_eq!(e.code(), "not_found");

    let e = "finished".parse::<CaseStatus>().unwrap_err();
    assert_eq!(e.field(), Some("status"));

    let e = lib.create_case(new_case("Bell\u{7}", None)).unwrap_err();
    assert_eq!(e.field(), Some("title"), "control characters are refused");

    assert_eq!(
        lib.list_cases().unwrap().len(),
        2,
        "failed operations created nothing"
    );
    assert_eq!(
        lib.get_case(&first.id).unwrap().reference.as_deref(),
        Some("UA-001")
    );
    assert!(lib.audit_verify().unwrap().ok());
}

#[test]
fn an_empty_reference_is_stored_as_none_and_can_be_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open_for_tests(dir.path(), clock()).unwrap();
    let a = lib.create_case(new_case("A", Some("  "))).unwrap();
    let b = lib.create_case(new_case("B", Some(""))).unwrap();
    assert_eq!(a.reference, None);
    assert_eq!(
        b.reference, None,
        "two cases without a reference do not clash"
    );
    let c = lib.create_case(new_case("C", Some("R-9"))).unwrap();
    let c = lib
        .edit_case(
            &c.id,
            CaseEdit {
                reference: Some(String::new()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(c.reference, None);
}

#[test]
fn every_case_change_is_in_the_custody_log_with_the_profile_as_actor() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open_for_tests(dir.path(), clock()).unwrap();
    lib.set_profile("Olena K.", "Truth Hounds").unwrap();
    let c = lib.create_case(new_case("A", None)).unwrap();
    lib.edit_case(
        &c.id,
        CaseEdit {
            title: Some("A2".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // An edit that changes nothing records nothing.
    lib.edit_case(
        &c.id,
        CaseEdit {
            title: Some("A2".into()),
            ..Default::default()
        },
    )
    .unwrap();
    lib.delete_case(&c.id, "opened by mistake").unwrap();
    assert!(
        lib.list_cases().unwrap().is_empty(),
        "a deleted case leaves the list"
    );
    lib.restore_case(&c.id).unwrap();
    let h = lib.history("case", &c.id).unwrap();
    let actions: Vec<&str> = h.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "edit", "delete", "restore"]);
    assert!(h.iter().all(|e| e.actor == "Olena K. (Truth Hounds)"));
    let report = lib.audit_verify().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(
        report.entries, 7,
        "the installation key, the profile, the case's origin key and four case entries"
    );
}
