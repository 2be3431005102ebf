//! The built `casefile` binary on temp data dirs, as a script would use it. Every library here
//! is encrypted, unlocked through `CASEFILE_PASSPHRASE_FILE` (see `common`).

mod common;
use common::{bin, casefile, cmd, json, ok, test_env};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn create_list_show_and_edit_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let id = ok(
        dir.path(),
        &[
            "case",
            "new",
            "--title",
            "Mariupol maternity hospital",
            "--reference",
            "UA-MAR-001",
            "--description",
            "9 March 2022",
        ],
    );
    let id = id.trim();
    assert_eq!(id.len(), 36, "case new prints only the new id: {id:?}");
    assert_eq!(&id[14..15], "7", "ids are UUIDv7");

    let list = json(dir.path(), &["case", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["reference"], "UA-MAR-001");

    let human = ok(dir.path(), &["case", "list"]);
    assert!(human.contains("Mariupol maternity hospital") && human.contains("UA-MAR-001"));

    let shown = json(dir.path(), &["case", "show", id]);
    assert_eq!(shown["description"], "9 March 2022");
    assert_eq!(shown["status"], "open");

    let edited = json(
        dir.path(),
        &[
            "case",
            "edit",
            id,
            "--status",
            "archived",
            "--title",
            "Maternity hospital No. 3",
        ],
    );
    assert_eq!(edited["status"], "archived");
    assert_eq!(edited["title"], "Maternity hospital No. 3");
    assert_eq!(
        json(dir.path(), &["case", "show", id])["status"],
        "archived",
        "the edit was stored"
    );

    let verify = ok(dir.path(), &["audit", "verify"]);
    assert!(verify.contains("OK"), "{verify}");
}

#[test]
fn mistakes_get_specific_errors_and_a_failing_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["case", "new", "--title", ""],
            "error[invalid_input]: title is required",
        ),
        (
            &["case", "show", "no-such-id"],
            "error[not_found]: no case with id no-such-id",
        ),
        (
            &["case", "edit", "no-such-id", "--title", "x"],
            "error[not_found]",
        ),
    ];
    for (args, expected) in cases {
        let out = casefile(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in {err:?}"
        );
    }
    ok(
        dir.path(),
        &["case", "new", "--title", "A", "--reference", "R-1"],
    );
    let out = casefile(
        dir.path(),
        &[
            "case",
            "new",
            "--title",
            "B",
            "--reference",
            "R-1",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        e["code"], "duplicate_reference",
        "with --json the error is {{code, message}}"
    );

    let id = ok(dir.path(), &["case", "list", "--json"]);
    let id = serde_json::from_str::<Value>(&id).unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = casefile(dir.path(), &["case", "edit", &id, "--status", "finished"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("status must be open, closed or archived")
    );
}

#[test]
fn the_data_dir_comes_from_the_environment_when_not_given() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        bin()
            .args(args)
            .env("CASEFILE_DATA_DIR", dir.path())
            .output()
            .unwrap()
    };
    assert!(run(&["case", "new", "--title", "From env"])
        .status
        .success());
    assert!(
        dir.path().join("casefile.db").exists(),
        "CASEFILE_DATA_DIR chose the library"
    );
    let out = run(&["case", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("From env"));
}

#[test]
fn a_library_open_elsewhere_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _held = casefile_core::Library::open_for_tests(
        dir.path(),
        std::sync::Arc::new(casefile_core::clock::SystemClock),
    )
    .unwrap();
    let out = casefile(dir.path(), &["case", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[library_locked]"));
}

#[test]
fn an_unusable_data_dir_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let out = casefile(&file, &["case", "list"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[data_dir_not_writable]") && err.contains("plain-file"),
        "{err}"
    );
}

#[test]
fn a_case_can_be_scripted_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["case", "new", "--title", "Kharkiv school"])
        .trim()
        .to_string();
    let inc = ok(
        d,
        &[
            "incident",
            "new",
            "--case",
            &case,
            "--title",
            "Shelling of school No. 134",
            "--date",
            "2022-03",
            "--place",
            "School No. 134",
            "--oblast",
            "Kharkiv",
            "--lat",
            "50.03",
            "--lon",
            "36.35",
            "--location-precision",
            "vicinity",
            "--type",
            "attack_school",
            "--casualties",
            "injured:2:2:1@Regional administration",
            "--tag",
            "school",
        ],
    );
    let inc = inc.trim();
    let shown = json(d, &["incident", "show", inc]);
    assert_eq!(
        shown["date_precision"], "month",
        "a date typed as YYYY-MM is a month"
    );
    assert_eq!(shown["date_hi"], "2022-03-31T23:59:59");
    assert_eq!(shown["casualties"][0]["children"], 1);

    let person = json(d, &["person", "new", "--case", &case, "--role", "witness"]);
    assert_eq!(person["pseudonym"], "W-001");
    let pid = person["id"].as_str().unwrap();
    ok(
        d,
        &[
            "person",
            "set-identity",
            pid,
            "--real-name",
            "Halyna Petrenko",
        ],
    );
    assert!(
        !ok(d, &["person", "list", "--case", &case]).contains("Petrenko"),
        "lists never show identities"
    );
    assert!(ok(d, &["person", "reveal-identity", pid]).contains("Halyna Petrenko"));

    let st = ok(
        d,
        &[
            "statement",
            "new",
            "--case",
            &case,
            "--witness",
            pid,
            "--date",
            "2022-04-02",
            "--language",
            "uk",
            "--text",
            "Вибухи почалися о третій.",
            "--translation",
            "en=The explosions began at three.",
        ],
    );
    let st = st.trim();
    ok(
        d,
        &[
            "statement",
            "consent",
            st,
            "--purpose",
            "prosecution",
            "--granted",
            "--on",
            "2022-04-02",
            "--method",
            "signed form",
        ],
    );
    ok(
        d,
        &[
            "statement",
            "edit",
            st,
            "--text",
            "Вибухи почалися о третій дня.",
        ],
    );
    let versions = json(d, &["statement", "versions", st]);
    assert_eq!(
        versions.as_array().unwrap().len(),
        2,
        "an edit keeps the earlier version"
    );
    assert_eq!(versions[0]["snapshot"]["text"], "Вибухи почалися о третій.");

    ok(
        d,
        &[
            "link",
            "add",
            &format!("statement:{st}"),
            "describes",
            &format!("incident:{inc}"),
        ],
    );
    let links = json(d, &["incident", "show", inc])["links"].clone();
    assert_eq!(links[0]["direction"], "in");
    assert_eq!(links[0]["other"]["id"], st);

    ok(d, &["delete", "incident", inc, "--reason", "entered twice"]);
    assert_eq!(
        json(d, &["incident", "list", "--case", &case])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    ok(d, &["restore", "incident", inc]);
    assert!(ok(d, &["audit", "verify"]).contains("OK"));

    let out = casefile(
        d,
        &[
            "incident",
            "new",
            "--case",
            &case,
            "--title",
            "x",
            "--date",
            "2022-02-30",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"2022-02-30\" is not a valid date"));
}

#[test]
fn a_tampered_record_makes_audit_verify_fail_and_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["sample"]).trim().to_string();
    let incidents = json(d, &["incident", "list", "--case", &case]);
    let id = incidents[0]["id"].as_str().unwrap().to_string();
    let conn = rusqlite_free_update(d, &id);
    assert!(conn, "the database could be edited directly");
    let out = casefile(d, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(3), "a finding exits 3");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&id) && text.contains("changed outside Casefile"),
        "{text}"
    );
}

/// Edits an incident's title behind Casefile's back, as someone holding the library's key could
/// (without the key, the database cannot even be read: see tests/encryption.rs).
fn rusqlite_free_update(dir: &Path, id: &str) -> bool {
    casefile_core::db::open_raw_for_tests(dir.join("casefile.db"), false)
        .and_then(|c| {
            Ok(c.execute(
                "UPDATE incidents SET title = 'Edited behind the app' WHERE id = ?1",
                [id],
            )?)
        })
        .map(|n| n == 1)
        .unwrap_or(false)
}

/// A kill -9 in the middle of a batch leaves only complete items; the next open removes the
/// temp files; running the same import again finishes the rest.
#[test]
fn an_import_killed_mid_batch_leaves_only_complete_items_and_can_be_finished() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["case", "new", "--title", "Killed import"])
        .trim()
        .to_string();
    // 120 files of 4 MiB with distinct content: a few batches' worth.
    let mut seed = 0x9E3779B97F4A7C15u64;
    for i in 0..120 {
        let mut f = std::fs::File::create(src.path().join(format!("v{i:03}.bin"))).unwrap();
        let mut buf = vec![0u8; 4 << 20];
        for chunk in buf.chunks_mut(8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            chunk.copy_from_slice(&seed.to_le_bytes()[..chunk.len()]);
        }
        f.write_all(&buf).unwrap();
    }
    let mut child = cmd(d)
        .args(["evidence", "add", "--no-analyse", "--case", &case])
        .arg(src.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until at least one batch is recorded, then kill it mid-way.
    let db = d.join("casefile.db");
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let tmp_files = std::fs::read_dir(d.join("vault/tmp"))
            .map(|r| r.count())
            .unwrap_or(0);
        let recorded = rusqlite_count(&db);
        if recorded > 0 && tmp_files > 0 {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "the import never got going"
        );
        if child.try_wait().unwrap().is_some() {
            panic!("the import finished before it could be killed; make the test files bigger");
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let recorded_at_kill = rusqlite_count(&db);
    assert!(
        recorded_at_kill > 0 && recorded_at_kill < 120,
        "killed mid-way: {recorded_at_kill}"
    );

    // Reopen: the audit holds, every recorded item's file is whole, the temp files are gone.
    let verify = casefile(d, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert_eq!(
        std::fs::read_dir(d.join("vault/tmp")).unwrap().count(),
        0,
        "temp files are cleaned on open"
    );
    let items = json(d, &["evidence", "list", "--case", &case]);
    for e in items.as_array().unwrap() {
        let id = e["id"].as_str().unwrap();
        let v = json(d, &["evidence", "verify", id]);
        assert_eq!(v["intact"], true, "{id} is complete");
    }

    // Run the same import again: it finishes the rest and adds nothing twice.
    let out = json(
        d,
        &[
            "evidence",
            "add",
            "--no-analyse",
            "--case",
            &case,
            src.path().to_str().unwrap(),
        ],
    );
    assert_eq!(
        out["added"].as_array().unwrap().len() + out["already_in_case"].as_array().unwrap().len(),
        120
    );
    assert_eq!(
        out["already_in_case"].as_array().unwrap().len() as i64,
        recorded_at_kill
    );
    assert_eq!(
        json(d, &["evidence", "list", "--case", &case])
            .as_array()
            .unwrap()
            .len(),
        120
    );
}

/// How many evidence items the database holds (0 while it cannot be read yet), read with the
/// library's key while the CLI works on it.
fn rusqlite_count(db: &Path) -> i64 {
    casefile_core::db::open_raw_for_tests(db, true)
        .and_then(|c| Ok(c.query_row("SELECT count(*) FROM evidence", [], |r| r.get(0))?))
        .unwrap_or(0)
}

fn run(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

/// Runs a command that must fail; returns its stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = casefile(dir, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "casefile {args:?} must fail with status 1; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command that must fail with --json; returns the error object it printed.
fn fails_json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = casefile(dir, &a);
    assert_eq!(
        out.status.code(),
        Some(1),
        "casefile {a:?} must fail with status 1"
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{a:?}: the error is JSON on stdout ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn implausible_dates_zones_birth_dates_and_coordinates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["case", "new", "--title", "Validation"])
        .trim()
        .to_string();
    let new_incident = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["incident", "new", "--case", &case, "--title", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    let err = fails(d, &run(&new_incident(&["--date", "0000-01-01"])));
    assert!(
        err.contains("error[invalid_input]")
            && err.contains("0000-01-01")
            && err.contains("1900–2100"),
        "year 0 is not a date of this century's investigations: {err}"
    );
    let e = fails_json(d, &run(&new_incident(&["--date", "2101-05"])));
    assert_eq!(
        e["field"], "date_from",
        "the error names the date field: {e}"
    );

    for zone in ["Mars/Olympus", "Foo/Bar"] {
        let e = fails_json(
            d,
            &run(&new_incident(&["--date", "2022-03-09", "--timezone", zone])),
        );
        assert_eq!(
            e["field"], "timezone",
            "{zone} is not an IANA time zone: {e}"
        );
    }
    for zone in ["Europe/Kyiv", "Europe/Kiev"] {
        ok(
            d,
            &run(&new_incident(&["--date", "2022-03-09", "--timezone", zone])),
        );
    }

    let p = json(d, &["person", "new", "--case", &case, "--role", "victim"]);
    let pid = p["id"].as_str().unwrap();
    let e = fails_json(
        d,
        &[
            "person",
            "set-identity",
            pid,
            "--date-of-birth",
            "2022-02-30",
        ],
    );
    assert_eq!(e["field"], "date_of_birth", "there is no 30 February: {e}");
    ok(
        d,
        &["person", "set-identity", pid, "--date-of-birth", "1985-07"],
    );

    for (flag, value) in [
        ("--lat", "1e-400"),
        ("--lat", "inf"),
        ("--lat", "NaN"),
        ("--lon", "0x10"),
        ("--lon", "1.1234567890123456"),
        ("--lat", "-91"),
    ] {
        let other = if flag == "--lat" {
            ["--lon", "36.35"]
        } else {
            ["--lat", "50.03"]
        };
        let e = fails_json(d, &run(&new_incident(&[flag, value, other[0], other[1]])));
        let field = if flag == "--lat" {
            "latitude"
        } else {
            "longitude"
        };
        assert_eq!(
            e["field"], field,
            "{flag} {value} is not a plain decimal number of degrees in range: {e}"
        );
    }
    let id = ok(
        d,
        &run(&new_incident(&["--lat", "-50.0301", "--lon", "+36.35"])),
    )
    .trim()
    .to_string();
    assert_eq!(
        json(d, &["incident", "show", &id])["latitude"],
        -50.0301,
        "a plain decimal (with a sign) is stored as typed"
    );
    assert_eq!(
        json(d, &["incident", "list", "--case", &case])
            .as_array()
            .unwrap()
            .len(),
        3,
        "only the valid incidents were written"
    );
}

#[test]
fn looking_up_what_does_not_exist_fails_with_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["case", "new", "--title", "Exists"])
        .trim()
        .to_string();
    for args in [
        &["vocab", "list", "nope"][..],
        &["history", "incident", "nope"],
        &["conflicts", "--case", "nope"],
    ] {
        let err = fails(d, args);
        assert!(
            err.starts_with("error[not_found]"),
            "{args:?} names what is missing instead of printing nothing: {err}"
        );
        let e = fails_json(d, args);
        assert_eq!(
            e["code"], "not_found",
            "{args:?}: scripts get the code: {e}"
        );
    }
    // What exists still answers, empty or not.
    assert!(!json(d, &["vocab", "list", "weapon"])
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        json(d, &["history", "case", &case])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(json(d, &["conflicts", "--case", &case])
        .as_array()
        .unwrap()
        .is_empty());
}

#[cfg(unix)]
#[test]
fn names_that_could_forge_lines_or_reverse_text_are_escaped_for_people_not_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A title that reverses the rest of the line on a terminal, and file names that would
    // print a line of their own, or carry a terminal escape sequence.
    let title = "Strike report \u{202E}fdp.exe\u{2066}";
    let case = ok(d, &["case", "new", "--title", title]).trim().to_string();
    let names = [
        "photo\nFAKE-ID  image:jpeg  1 kB  forged.jpg",
        "bell\u{7}\u{1b}[31mred.jpg",
        "tab\there\u{200F}.jpg",
        "line\u{2028}sep.jpg",
    ];
    for (i, n) in names.iter().enumerate() {
        std::fs::write(src.path().join(n), format!("file {i}")).unwrap();
    }
    ok(
        d,
        &[
            "evidence",
            "add",
            "--no-analyse",
            "--case",
            &case,
            src.path().to_str().unwrap(),
        ],
    );

    let bidi = |s: &str| {
        s.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'))
    };
    let controls = |s: &str| {
        s.chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{2028}' || c == '\u{2029}')
    };
    let cases = ok(d, &["case", "list"]);
    assert!(
        !bidi(&cases),
        "no bidirectional control reaches the terminal: {cases:?}"
    );
    assert!(
        cases.contains("Strike report \\u{202E}fdp.exe\\u{2066}"),
        "it is shown, escaped, so a reader sees it is there: {cases:?}"
    );
    assert!(
        ok(d, &["case", "show", &case]).contains("\\u{202E}"),
        "case show escapes too"
    );

    let list = ok(d, &["evidence", "list", "--case", &case]);
    assert!(
        !bidi(&list) && !controls(&list),
        "no control character reaches the terminal: {list:?}"
    );
    assert_eq!(
        list.lines().count(),
        1 + names.len(),
        "one header line and one line per item, however the names look: {list:?}"
    );
    for shown in [
        "photo\\nFAKE-ID",
        "bell\\u{7}\\u{1B}[31mred.jpg",
        "tab\\there\\u{200F}.jpg",
        "line\\u{2028}sep.jpg",
    ] {
        assert!(
            list.contains(shown),
            "{shown} is in the list, escaped visibly: {list:?}"
        );
    }
    let rows = json(d, &["evidence", "list", "--case", &case]);
    let mut got: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["original_name"].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "JSON keeps the names exactly as they are");
    let one = rows[0]["id"].as_str().unwrap();
    let shown = ok(d, &["evidence", "show", one]);
    assert!(
        !bidi(&shown) && !controls(&shown),
        "evidence show escapes too: {shown:?}"
    );
    let history = ok(d, &["history", "evidence", one]);
    assert!(!controls(&history), "{history:?}");
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_round_trips_through_add_list_and_show() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let d = dir.path();
    let case = ok(d, &["case", "new", "--title", "Raw names"])
        .trim()
        .to_string();
    let raw: &[u8] = b"\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2-\xca\xe8\xbf\xe2.jpg"; // "Київ-" in UTF-8, then "Київ" in cp1251
    std::fs::write(src.path().join(OsStr::from_bytes(raw)), b"photo bytes").unwrap();
    ok(
        d,
        &[
            "evidence",
            "add",
            "--no-analyse",
            "--case",
            &case,
            src.path().to_str().unwrap(),
        ],
    );

    let rows = json(d, &["evidence", "list", "--case", &case]);
    assert_eq!(
        rows[0]["original_name"], "Київ-\\xCA\\xE8\\xBF\\xE2.jpg",
        "the valid part reads as text, the invalid bytes as \\xHH"
    );
    let human = ok(d, &["evidence", "list", "--case", &case]);
    assert!(
        human.contains("Київ-\\xCA\\xE8\\xBF\\xE2.jpg") && !human.contains('\u{FFFD}'),
        "{human}"
    );
    let shown = json(d, &["evidence", "show", rows[0]["id"].as_str().unwrap()]);
    let hex = shown["evidence"]["original_name_raw"]
        .as_str()
        .unwrap_or_else(|| panic!("the raw name is recorded: {shown}"));
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(bytes, raw, "the hex gives back the exact bytes of the name");
    assert!(ok(d, &["audit", "verify"]).contains("OK"));
}

/// Files of distinct incompressible content (xorshift), `n` of `mib` MiB each, in `dir`.
fn noise_files(dir: &Path, n: usize, mib: usize, seed: u64) -> Vec<String> {
    use std::io::Write as _;
    let mut s = seed | 1;
    (0..n)
        .map(|i| {
            let p = dir.join(format!("n{i:03}.bin"));
            let mut buf = vec![0u8; mib << 20];
            for chunk in buf.chunks_mut(8) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                chunk.copy_from_slice(&s.to_le_bytes()[..chunk.len()]);
            }
            std::fs::File::create(&p).unwrap().write_all(&buf).unwrap();
            p.display().to_string()
        })
        .collect()
}

fn partials(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-"))
        .collect()
}

#[test]
fn an_export_killed_mid_way_leaves_nothing_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["profile", "set", "--name", "Olena"]);
    let case = ok(d, &["case", "new", "--title", "Big case"])
        .trim()
        .to_string();
    let mut args = vec![
        "evidence".to_string(),
        "add".into(),
        "--no-analyse".into(),
        "--case".into(),
        case.clone(),
    ];
    args.extend(noise_files(src.path(), 60, 8, 7));
    ok(d, &run(&args));
    let bundle = out.path().join("big.zip");
    let mut child = cmd(d)
        .args(["export", "--zip", "--case", &case, "--out"])
        .arg(&bundle)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(std::time::Duration::from_millis(10));
        let growing = std::fs::read_dir(out.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.metadata().map(|m| m.len() > (16 << 20)).unwrap_or(false));
        if growing {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the export finished before it could be killed; make the files bigger"
        );
        assert!(
            started.elapsed().as_secs() < 60,
            "the export never got going"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        partials(out.path()).len(),
        1,
        "kill -9 leaves the partial bundle behind (what this test is about)"
    );
    assert!(!bundle.exists(), "nothing appears under the bundle's name");
    // Opening the library again (any command) removes what its interrupted export left.
    ok(d, &["case", "list"]);
    assert!(
        partials(out.path()).is_empty(),
        "opening the library removes the partial bundle of its killed export"
    );

    // A leftover that no library knows of (another laptop's, killed) goes on the next export to
    // the folder; the new export itself completes and verifies.
    std::fs::write(out.path().join(".old.zip.partial-01a2"), vec![0u8; 1 << 20]).unwrap();
    ok(
        d,
        &[
            "export",
            "--zip",
            "--case",
            &case,
            "--out",
            &bundle.display().to_string(),
        ],
    );
    assert!(
        partials(out.path()).is_empty(),
        "the next export to the folder removes abandoned partial bundles"
    );
    ok(d, &["verify", &bundle.display().to_string()]);
}

/// Runs a shell script in a private mount namespace where `$LIB` is a tmpfs of `size`, so that
/// the disk really fills up. Everything the script wants to keep goes to `$OUT`.
fn on_a_small_disk(size: &str, script: &str, out: &Path) {
    let lib = tempfile::tempdir().unwrap();
    let status = test_env(Command::new("unshare").args(["-rm", "sh", "-ec"]))
        .arg(format!(
            "mount -t tmpfs -o size={size} tmpfs \"$LIB\"\n{script}"
        ))
        .env("LIB", lib.path())
        .env("OUT", out)
        .env("CASEFILE", env!("CARGO_BIN_EXE_casefile"))
        .status()
        .expect("unshare (util-linux) runs the test on a small tmpfs");
    assert!(
        status.success(),
        "the small-disk script failed (unshare -rm needs root or user namespaces): {status}"
    );
}

#[test]
fn a_full_disk_is_said_plainly_and_keeps_what_was_done() {
    let out = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let files = noise_files(src.path(), 5, 4, 11).join(" ");
    on_a_small_disk(
        "14m",
        &format!(
            r#"
            "$CASEFILE" --data-dir "$LIB" profile set --name Olena > /dev/null
            CASE=$("$CASEFILE" --data-dir "$LIB" case new --title "Full disk")
            "$CASEFILE" --data-dir "$LIB" evidence add --no-analyse --json --case "$CASE" {files} > "$OUT/add.json" 2> "$OUT/add.err" || true
            "$CASEFILE" --data-dir "$LIB" audit verify --files --json > "$OUT/audit.json" 2> "$OUT/audit.err" || true
            "$CASEFILE" --data-dir "$LIB" export --zip --case "$CASE" --out "$LIB/out.zip" --json > "$OUT/export.json" 2> "$OUT/export.err" || true
            ls -a "$LIB" "$LIB/vault/tmp" > "$OUT/ls.txt"
            "#
        ),
        out.path(),
    );
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap();
    let add: Value = serde_json::from_str(&read("add.json"))
        .unwrap_or_else(|e| panic!("{e}: {} / {}", read("add.json"), read("add.err")));
    let added = add["added"].as_array().unwrap().len();
    let failed = add["failed"].as_array().unwrap();
    assert!(
        added >= 1 && !failed.is_empty(),
        "some files fit, the rest did not: {add}"
    );
    for f in failed {
        assert_eq!(
            f["code"], "disk_full",
            "a full disk is said plainly, not 'the writer stopped': {f}"
        );
        assert!(
            f["message"].as_str().unwrap().contains("the disk is full"),
            "{f}"
        );
    }
    let audit: Value = serde_json::from_str(&read("audit.json")).unwrap();
    assert!(
        audit["record_problems"].as_array().unwrap().is_empty() && audit["chain_problem"].is_null(),
        "what was added before the disk filled is whole: {audit}"
    );
    let export: Value = serde_json::from_str(&read("export.json"))
        .unwrap_or_else(|e| panic!("{e}: {}", read("export.err")));
    assert_eq!(export["code"], "disk_full", "{export}");
    assert!(
        export["message"]
            .as_str()
            .unwrap()
            .contains("nothing was written at the destination"),
        "{export}"
    );
    assert!(
        !read("export.err").contains("ZipWriter drop failed"),
        "no stray library messages: {}",
        read("export.err")
    );
    let ls = read("ls.txt");
    assert!(
        !ls.contains(".partial-") && !ls.contains("out.zip"),
        "no partial bundle is left on the full disk: {ls}"
    );
}

#[test]
fn a_bundle_from_an_untrusted_key_changes_nothing_until_its_key_is_trusted() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    ok(a.path(), &["profile", "set", "--name", "Field"]);
    let case = ok(a.path(), &["case", "new", "--title", "Shared case"])
        .trim()
        .to_string();
    let first = out.path().join("first").display().to_string();
    ok(a.path(), &["export", "--case", &case, "--out", &first]);
    // The receiver has no profile yet: it is asked for one before anything is imported.
    let refused = casefile(b.path(), &["import", &first, "--json"]);
    assert!(!refused.status.success());
    let e: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(e["code"], "profile_required", "{e}");
    ok(
        b.path(),
        &[
            "profile",
            "set",
            "--name",
            "HQ analyst",
            "--organisation",
            "HQ",
        ],
    );
    let r = json(b.path(), &["import", &first]);
    assert_eq!(r["standing"], "new_case");

    // Someone else (another installation) edits a copy of the case and signs a bundle.
    let c = tempfile::tempdir().unwrap();
    ok(c.path(), &["profile", "set", "--name", "Someone"]);
    ok(c.path(), &["import", &first]);
    ok(c.path(), &["case", "edit", &case, "--title", "Rewritten"]);
    let forged = out.path().join("forged").display().to_string();
    ok(c.path(), &["export", "--case", &case, "--out", &forged]);
    let r = json(b.path(), &["import", &forged]);
    assert_eq!(
        (r["standing"].as_str(), r["trusted"].as_bool()),
        (Some("untrusted"), Some(false)),
        "{r}"
    );
    assert_eq!(
        json(b.path(), &["case", "show", &case])["title"],
        "Shared case",
        "an untrusted key changed nothing"
    );
    let conflicts = json(b.path(), &["conflicts", "--case", &case]);
    assert_eq!(
        conflicts[0]["trusted"], false,
        "the change is held as a conflict, marked untrusted"
    );
    let origin = ok(b.path(), &["case", "origin", &case]);
    assert!(
        origin.contains("NOT trusted"),
        "the case says which bundles came from whom: {origin}"
    );

    // After confirming the fingerprint, the receiver trusts it; the same bundle now applies.
    let r = json(b.path(), &["import", &forged, "--trust"]);
    assert_eq!(r["trusted"], true);
    assert_eq!(
        json(b.path(), &["case", "show", &case])["title"],
        "Rewritten"
    );
    ok(b.path(), &["audit", "verify", "--files"]);
}

/// Runs `casefile --verbose` and returns its stderr, asserting success.
fn verbose(dir: &Path, args: &[&str]) -> String {
    let out = cmd(dir)
        .arg("--verbose")
        .args(args)
        .output()
        .expect("run casefile");
    assert!(
        out.status.success(),
        "casefile {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn verbose_logs_say_what_happened_and_never_what_the_case_holds() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let (d, e) = (a.path(), b.path());
    // Every piece of case content is distinctive, so a leak into the log cannot hide.
    let secrets = [
        "Zarichna basement",
        "Oleksandra Zhuravska",
        "Ховалися у підвалі",
        "Sviatohirsk-evidence-7731",
        "ZRX-0042",
    ];
    let mut log = String::new();
    log += &verbose(d, &["profile", "set", "--name", "Field team"]);
    let case = ok(
        d,
        &[
            "case",
            "new",
            "--title",
            secrets[0],
            "--reference",
            secrets[4],
        ],
    )
    .trim()
    .to_string();
    let person = json(d, &["person", "new", "--case", &case, "--role", "witness"]);
    let pid = person["id"].as_str().unwrap().to_string();
    log += &verbose(
        d,
        &["person", "set-identity", &pid, "--real-name", secrets[1]],
    );
    log += &verbose(
        d,
        &[
            "statement",
            "new",
            "--case",
            &case,
            "--witness",
            &pid,
            "--date",
            "2022-04-02",
            "--language",
            "uk",
            "--text",
            secrets[2],
        ],
    );
    let photo = src.path().join(format!("{}.jpg", secrets[3]));
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/exif-samples/jpg/Canon_40D.jpg"
        ),
        &photo,
    )
    .unwrap();
    std::fs::write(src.path().join(format!("{}.txt", secrets[3])), secrets[2]).unwrap();
    log += &verbose(
        d,
        &[
            "evidence",
            "add",
            "--case",
            &case,
            src.path().to_str().unwrap(),
        ],
    );
    log += &verbose(d, &["search", secrets[1]]);
    let out = src.path().join("bundle");
    log += &verbose(
        d,
        &["export", "--case", &case, "--out", out.to_str().unwrap()],
    );
    log += &verbose(e, &["profile", "set", "--name", "HQ"]);
    log += &verbose(e, &["import", out.to_str().unwrap()]);
    log += &verbose(d, &["audit", "verify", "--files"]);
    // A refusal is logged by its code too.
    let refused = bin()
        .args([
            "--data-dir",
            d.to_str().unwrap(),
            "--verbose",
            "case",
            "show",
            secrets[4],
        ])
        .output()
        .unwrap();
    log += &String::from_utf8_lossy(&refused.stderr);

    for event in [
        "library opened",
        "intake: batch recorded",
        "export written",
        "import merged",
        "audit done",
    ] {
        assert!(log.contains(event), "the log says {event:?}:\n{log}");
    }
    for secret in secrets {
        let lines: Vec<&str> = log.lines().filter(|l| l.contains(secret)).collect();
        // The one allowed place is the error message a person reads for their own typed argument.
        let leaked: Vec<&&str> = lines
            .iter()
            .filter(|l| !l.starts_with("error") && !l.contains("not found"))
            .collect();
        assert!(
            leaked.is_empty(),
            "{secret:?} is case content and must not be logged: {leaked:?}"
        );
    }
}
