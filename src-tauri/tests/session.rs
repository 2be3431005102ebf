//! Opening and closing the library through the real commands: unlock, lock, wrong passphrases
//! and their delay, the emergency key wipe, encrypting a library from before encryption, and a
//! lock in the middle of an import.

use casefile_app::unlock_delay;
use casefile_core::clock::SystemClock;
use casefile_core::{Access, Library};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
mod common;
use common::{app, code, invoke, unlocked, PASSPHRASE};
use tauri::Listener;

const PHOTO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/testdata/exif-samples/jpg/Canon_40D.jpg"
);

/// Every file under `dir` with its bytes (for "this changed no file").
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A library made with a case titled `title` (encrypted, with the test passphrase).
fn library_with_case(dir: &Path, title: &str) -> String {
    let mut lib = Library::open_for_tests(dir, Arc::new(SystemClock)).unwrap();
    lib.create_case(casefile_core::cases::NewCase {
        title: title.into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

#[test]
fn the_delay_doubles_from_one_second_up_to_thirty() {
    let secs: Vec<u64> = (0..9).map(|n| unlock_delay(n).as_secs()).collect();
    assert_eq!(secs, [0, 1, 2, 4, 8, 16, 30, 30, 30]);
    assert_eq!(
        unlock_delay(u32::MAX).as_secs(),
        30,
        "no overflow, however many"
    );
}

#[test]
fn unlock_then_lock_and_every_command_is_refused_while_locked() {
    let dir = tempfile::tempdir().unwrap();
    let case = library_with_case(dir.path(), "Bakhmut water station");
    let (_app, w) = app(dir.path());

    // The app starts with nothing open.
    let status = invoke(&w, "library_state", json!({})).unwrap();
    assert_eq!(status["state"], "encrypted");
    assert_eq!(status["unlocked"], false);
    assert_eq!(
        status["name"],
        dir.path().file_name().unwrap().to_str().unwrap()
    );
    for (cmd, args) in [
        ("case_list", json!({})),
        ("case_get", json!({ "id": case })),
        ("library_info", json!({})),
        ("search", json!({ "query": "Bakhmut" })),
        ("sample_load", json!({})),
        (
            "case_create",
            json!({ "input": { "title": "while locked" } }),
        ),
    ] {
        let err = invoke(&w, cmd, args).unwrap_err();
        assert_eq!(
            err["code"], "passphrase_required",
            "{cmd} while locked: {err}"
        );
    }

    let status = invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap();
    assert_eq!(status["unlocked"], true);
    let cases = invoke(&w, "case_list", json!({})).unwrap();
    assert_eq!(cases[0]["title"], "Bakhmut water station");
    // Unlocking again while open is harmless.
    invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap();

    let status = invoke(&w, "library_lock", json!({})).unwrap();
    assert_eq!(status["unlocked"], false);
    assert_eq!(
        code(invoke(&w, "case_get", json!({ "id": case }))),
        "passphrase_required"
    );
    assert_eq!(
        code(invoke(
            &w,
            "case_create",
            json!({ "input": { "title": "after lock" } })
        )),
        "passphrase_required"
    );
    // Locking twice is harmless too.
    invoke(&w, "library_lock", json!({})).unwrap();

    // The library is closed for real: another process can open it now.
    drop(Library::unlock(dir.path(), Arc::new(SystemClock), PASSPHRASE).unwrap());
    invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap();
    let cases = invoke(&w, "case_list", json!({})).unwrap();
    assert_eq!(
        cases.as_array().unwrap().len(),
        1,
        "nothing was made while locked"
    );
}

#[test]
fn a_wrong_passphrase_changes_no_file_and_makes_the_next_attempt_wait_longer() {
    let dir = tempfile::tempdir().unwrap();
    library_with_case(dir.path(), "Izium mass grave");
    let before = snapshot(dir.path());
    let (_app, w) = app(dir.path());

    let err = invoke(&w, "library_unlock", json!({ "passphrase": "izium" })).unwrap_err();
    assert_eq!(err["code"], "wrong_passphrase");
    assert_eq!(err["field"], "passphrase");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("1 second"),
        "says how long to wait: {message}"
    );
    let status = invoke(&w, "library_state", json!({})).unwrap();
    assert!(status["retry_after_ms"].as_u64().unwrap() > 0);

    // During the wait even the right passphrase is refused, without being tried.
    let err = invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap_err();
    assert_eq!(err["code"], "unlock_delayed", "{err}");
    assert!(err["message"].as_str().unwrap().contains("second"), "{err}");

    std::thread::sleep(unlock_delay(1) + Duration::from_millis(50));
    let err = invoke(&w, "library_unlock", json!({ "passphrase": "" })).unwrap_err();
    assert_eq!(err["code"], "wrong_passphrase");
    assert!(
        err["message"].as_str().unwrap().contains("2 seconds"),
        "the second failure in a row waits longer: {err}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "wrong passphrases changed no file of the library"
    );

    std::thread::sleep(unlock_delay(2) + Duration::from_millis(50));
    invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap();
    assert_eq!(
        invoke(&w, "case_list", json!({})).unwrap()[0]["title"],
        "Izium mass grave"
    );
    // Success forgets the failures: the next wrong one waits one second again.
    invoke(&w, "library_lock", json!({})).unwrap();
    let err = invoke(&w, "library_unlock", json!({ "passphrase": "x" })).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("1 second"),
        "{err}"
    );
}

#[test]
fn destroying_the_keys_needs_the_folder_name_and_leaves_the_library_unopenable() {
    let dir = tempfile::tempdir().unwrap();
    let lib_dir = dir.path().join("field-laptop");
    library_with_case(&lib_dir, "Hostomel airfield");
    let (_app, w) = unlocked(&lib_dir);

    let err = invoke(
        &w,
        "library_destroy_keys",
        json!({ "confirmName": "laptop" }),
    )
    .unwrap_err();
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("invalid_input"), Some("confirm_name"))
    );
    assert!(
        err["message"].as_str().unwrap().contains("field-laptop"),
        "{err}"
    );
    assert_eq!(
        invoke(&w, "case_list", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1,
        "a wrong name changes nothing, and the library stays open"
    );

    let status = invoke(
        &w,
        "library_destroy_keys",
        json!({ "confirmName": "field-laptop" }),
    )
    .unwrap();
    assert_eq!(status["state"], "keys_destroyed");
    assert_eq!(status["unlocked"], false);
    assert_eq!(status["recovery_key"], false);
    assert!(status["keys_destroyed_at"].is_string());
    assert_eq!(code(invoke(&w, "case_list", json!({}))), "keys_destroyed");
    assert_eq!(
        code(invoke(
            &w,
            "library_unlock",
            json!({ "passphrase": PASSPHRASE })
        )),
        "keys_destroyed"
    );
    let keys = std::fs::read_to_string(lib_dir.join("casefile.keys")).unwrap();
    assert!(
        !keys.contains("\"passphrase\""),
        "no passphrase slot is left: {keys}"
    );
}

/// A library from before encryption: a plaintext database and vault, as older Casefile made.
fn plaintext_library(dir: &Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    drop(casefile_core::db::open_connection(&dir.join("casefile.db"), None).unwrap());
    let mut lib = Library::open(dir, Arc::new(SystemClock), Access::Plaintext).unwrap();
    assert!(!lib.is_encrypted());
    let case = lib
        .create_case(casefile_core::cases::NewCase {
            title: "Olenivka barracks".into(),
            ..Default::default()
        })
        .unwrap()
        .id;
    let acq = casefile_core::evidence::Acquisition {
        collected_by: "Field".into(),
        method: "received".into(),
        ..Default::default()
    };
    lib.add_evidence(
        &case,
        &[PathBuf::from(PHOTO)],
        &acq,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    case
}

#[test]
fn a_plaintext_library_opens_without_a_passphrase_and_is_encrypted_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let case = plaintext_library(dir.path());
    let (app, w) = app(dir.path());
    let status = invoke(&w, "library_state", json!({})).unwrap();
    assert_eq!(
        (&status["state"], &status["unlocked"]),
        (&json!("plaintext"), &json!(false))
    );
    assert_eq!(
        code(invoke(&w, "case_list", json!({}))),
        "library_unavailable"
    );
    invoke(&w, "library_open", json!({})).unwrap();
    assert_eq!(
        invoke(&w, "case_list", json!({})).unwrap()[0]["title"],
        "Olenivka barracks"
    );
    let err = invoke(
        &w,
        "library_destroy_keys",
        json!({ "confirmName": dir.path().file_name().unwrap().to_str().unwrap() }),
    )
    .unwrap_err();
    assert_eq!(
        err["code"], "invalid_input",
        "a plaintext library has no keys: {err}"
    );
    assert_eq!(
        invoke(&w, "case_list", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1,
        "and it stays open"
    );

    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    app.listen("encrypt-progress", move |e| {
        let _ = tx.send(serde_json::from_str(e.payload()).unwrap());
    });
    let err = invoke(&w, "library_encrypt", json!({ "passphrase": "" })).unwrap_err();
    assert_eq!(
        err["field"], "passphrase",
        "an empty passphrase is refused first: {err}"
    );
    assert_eq!(
        invoke(&w, "case_list", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let status = invoke(
        &w,
        "library_encrypt",
        json!({ "passphrase": "Olenivka 2022" }),
    )
    .unwrap();
    assert_eq!(
        (&status["state"], &status["unlocked"]),
        (&json!("encrypted"), &json!(true))
    );
    let last = rx.try_iter().last().expect("progress was reported");
    assert_eq!(last["done"], last["total"], "{last}");
    assert!(!casefile_core::db::is_plaintext(
        &dir.path().join("casefile.db")
    ));
    let items = invoke(&w, "evidence_list", json!({ "caseId": case })).unwrap();
    assert_eq!(
        items.as_array().unwrap().len(),
        1,
        "the evidence came along"
    );
    let err = invoke(&w, "library_encrypt", json!({ "passphrase": "again" })).unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");

    invoke(&w, "library_lock", json!({})).unwrap();
    assert_eq!(
        code(invoke(&w, "library_open", json!({}))),
        "passphrase_required"
    );
    invoke(
        &w,
        "library_unlock",
        json!({ "passphrase": "Olenivka 2022" }),
    )
    .unwrap();
    let id = items[0]["id"].as_str().unwrap();
    let got = casefile_app::media::media_response(
        app.handle(),
        &tauri::http::Request::builder()
            .uri(format!("media://localhost/original/{id}"))
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(
        got.body(),
        &std::fs::read(PHOTO).unwrap(),
        "the original, decrypted"
    );
}

/// Ctrl+L in the middle of a long import: the lock waits a moment for the import to stop, the
/// import ends with a report (or an error), and what it reports as added is exactly what the
/// library holds when it is unlocked again: nothing half-recorded.
#[test]
fn a_lock_during_an_import_stops_it_and_keeps_exactly_what_it_reported() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let case = library_with_case(dir.path(), "Kramatorsk station");
    // Many files of a few hundred KiB: the import is still running when the lock comes.
    for i in 0..400u32 {
        let mut bytes = vec![0u8; 256 * 1024];
        for (j, b) in bytes.iter_mut().enumerate() {
            *b = (j as u32).wrapping_mul(31).wrapping_add(i) as u8;
        }
        bytes[..4].copy_from_slice(&i.to_le_bytes());
        std::fs::write(src.path().join(format!("file-{i:04}.bin")), bytes).unwrap();
    }
    let (app, w) = unlocked(dir.path());
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    app.listen("evidence-done", move |e| {
        let _ = tx.send(serde_json::from_str(e.payload()).unwrap());
    });
    let acquisition = json!({ "collected_by": "Field", "method": "received" });
    invoke(
        &w,
        "evidence_import",
        json!({ "caseId": case, "paths": [src.path()], "acquisition": acquisition }),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    invoke(&w, "library_lock", json!({})).unwrap();
    let done = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the import ended");
    assert_eq!(
        code(invoke(&w, "evidence_list", json!({ "caseId": case }))),
        "passphrase_required"
    );

    invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap();
    let held = invoke(&w, "evidence_list", json!({ "caseId": case }))
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    let reported = done["report"]["added"].as_array().map_or(0, |a| a.len());
    assert_eq!(
        held, reported,
        "the library holds what the import reported: {done}"
    );
    assert!(
        held < 400,
        "the import was stopped by the lock (all 400 went in before it: make the files bigger)"
    );
    if done["report"].is_object() {
        assert_eq!(done["report"]["cancelled"], true, "{done}");
    }
}

/// Guessing faster by asking many times at once does not work: attempts run one at a time, so
/// of several wrong passphrases sent together only the first is tried; the others are refused
/// for the wait it set, without an Argon2 run. And the first start cannot be replayed over an
/// existing library.
#[test]
fn guesses_sent_together_are_tried_one_at_a_time_and_create_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    library_with_case(dir.path(), "Irpin bridge");
    let (_app, w) = app(dir.path());
    let codes: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let w = &w;
                s.spawn(move || {
                    code(invoke(
                        w,
                        "library_unlock",
                        json!({ "passphrase": format!("guess {i}") }),
                    ))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let tried = codes.iter().filter(|c| *c == "wrong_passphrase").count();
    let refused = codes.iter().filter(|c| *c == "unlock_delayed").count();
    assert_eq!((tried, refused), (1, 5), "{codes:?}");

    let err = invoke(&w, "library_create", json!({ "passphrase": "mine now" })).unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    std::thread::sleep(unlock_delay(1) + Duration::from_millis(50));
    invoke(&w, "library_unlock", json!({ "passphrase": PASSPHRASE })).unwrap();
    assert_eq!(
        invoke(&w, "case_list", json!({})).unwrap()[0]["title"],
        "Irpin bridge"
    );
}
