//! Input the core used to accept although it was wrong (issue 9): dates outside any plausible
//! year, time zones that do not exist, impossible birth dates, coordinates that are not plain
//! numbers, look-ups of things that do not exist answered with an empty list, and file names
//! whose bytes are not UTF-8 stored with the bytes lost.

use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::dates::{self, DateInput, DatePrecision};
use casefile_core::evidence::Acquisition;
use casefile_core::incidents::{parse_coordinate, IncidentInput};
use casefile_core::persons::{Identity, PersonInput};
use casefile_core::statements::{ConsentInput, ConsentPurpose, StatementInput};
use casefile_core::{Error, Library};
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn open(dir: &Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn case(lib: &mut Library) -> String {
    lib.create_case(NewCase {
        title: "Validation".into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

fn date(
    p: DatePrecision,
    from: &str,
    to: Option<&str>,
) -> casefile_core::Result<dates::CheckedDate> {
    dates::check(&DateInput {
        precision: p,
        from: Some(from.into()),
        to: to.map(Into::into),
        timezone: None,
    })
}

/// The field an error names, and its message, or a panic saying what was wrongly accepted.
fn refused<T: std::fmt::Debug>(r: casefile_core::Result<T>, what: &str) -> (&'static str, String) {
    match r {
        Ok(v) => panic!("{what} was accepted: {v:?}"),
        Err(e) => (e.field().unwrap_or("(no field)"), e.to_string()),
    }
}

#[test]
fn dates_outside_1900_to_2100_are_refused_at_every_precision() {
    for (p, v) in [
        (DatePrecision::Day, "0000-01-01"),
        (DatePrecision::Day, "1899-12-31"),
        (DatePrecision::Day, "2101-01-01"),
        (DatePrecision::Exact, "0000-01-01T00:00"),
        (DatePrecision::Exact, "9999-12-31T23:59"),
        (DatePrecision::Month, "0001-03"),
        (DatePrecision::Month, "2101-01"),
        (DatePrecision::Year, "1899"),
        (DatePrecision::Year, "2101"),
        (DatePrecision::Year, "-44"),
    ] {
        let (field, message) = refused(date(p, v, None), &format!("{p:?} {v}"));
        assert_eq!(
            field, "date_from",
            "{v}: the error names the field the bad year is in"
        );
        assert!(
            message.contains("1900–2100"),
            "{v}: the message says which years are accepted: {message}"
        );
    }
    // The end of a range is checked as well as its start, and named as itself.
    let (field, _) = refused(
        date(DatePrecision::Day, "2022-03-09", Some("2101-03-16")),
        "a range ending in 2101",
    );
    assert_eq!(
        field, "date_to",
        "the end of the range is the field at fault"
    );
    // The edges are inside.
    assert!(
        date(DatePrecision::Day, "1900-01-01", None).is_ok(),
        "1 January 1900 is the first day accepted"
    );
    assert!(
        date(DatePrecision::Day, "2100-12-31", None).is_ok(),
        "31 December 2100 is the last day accepted"
    );
    assert!(
        date(DatePrecision::Year, "1900", Some("2100")).is_ok(),
        "a range over the whole accepted span is fine"
    );

    // A plain calendar day (interview dates, consent) follows the same rule.
    let (field, message) = refused(
        dates::check_day("interview_date", "0000-01-01"),
        "interview day 0000-01-01",
    );
    assert_eq!(field, "interview_date");
    assert!(
        message.contains("0000-01-01") && message.contains("1900–2100"),
        "the message names the value and the span: {message}"
    );
    assert_eq!(
        dates::check_day("interview_date", "2022-04-02")
            .unwrap()
            .as_deref(),
        Some("2022-04-02"),
        "a real day still passes"
    );
}

#[test]
fn every_operation_that_takes_a_date_refuses_an_implausible_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    let bad_incident = IncidentInput {
        title: "Year zero".into(),
        date: DateInput {
            precision: DatePrecision::Day,
            from: Some("0000-01-01".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        refused(
            lib.create_incident(&c, bad_incident),
            "an incident on 0000-01-01"
        )
        .0,
        "date_from"
    );
    assert!(
        lib.list_incidents(&c).unwrap().is_empty(),
        "a refused incident writes nothing"
    );

    let w = lib
        .create_person(
            &c,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let st = |d: &str| StatementInput {
        witness_id: w.id.clone(),
        interview_date: d.into(),
        text: "...".into(),
        ..Default::default()
    };
    assert_eq!(
        refused(
            lib.create_statement(&c, st("1899-12-31")),
            "an interview in 1899"
        )
        .0,
        "interview_date"
    );
    let s = lib.create_statement(&c, st("2022-04-02")).unwrap();
    let consent = ConsentInput {
        purpose: ConsentPurpose::Prosecution,
        granted: true,
        given_on: "0000-01-01".into(),
        method: String::new(),
    };
    assert_eq!(
        refused(
            lib.set_consent(&s.id, consent),
            "consent given on 0000-01-01"
        )
        .0,
        "given_on"
    );

    for at in ["0000-01-01", "2101-01-01T10:00", "1899-12-31 23:59:59"] {
        let acq = Acquisition {
            collected_at: at.into(),
            ..Default::default()
        };
        let (field, message) = refused(lib.check_acquisition(&acq), &format!("collected at {at}"));
        assert_eq!(
            field, "collected_at",
            "{at}: the acquisition's date is the field at fault"
        );
        assert!(message.contains("1900–2100"), "{at}: {message}");
    }
    assert!(lib
        .check_acquisition(&Acquisition {
            collected_at: "2022-03-09T15:00".into(),
            ..Default::default()
        })
        .is_ok());
}

#[test]
fn only_real_time_zones_are_accepted() {
    let tz = |t: &str| {
        dates::check(&DateInput {
            precision: DatePrecision::Unknown,
            timezone: Some(t.into()),
            ..Default::default()
        })
    };
    for bad in [
        "Mars/Olympus",
        "Foo/Bar",
        "Europe/Atlantis",
        "europe/kyiv/",
        "Europe/Kyiv/Podil",
    ] {
        assert_eq!(
            refused(tz(bad), bad).0,
            "timezone",
            "{bad} is not in the IANA time zone database"
        );
    }
    for good in [
        "Europe/Kyiv",
        "Europe/Kiev",
        "Europe/Moscow",
        "America/Argentina/Buenos_Aires",
        "UTC",
        "+02:00",
        "-03:30",
    ] {
        assert!(
            tz(good).is_ok(),
            "{good} is a real zone (Kiev is the older IANA name of Kyiv, still a valid link)"
        );
    }
    let kept = tz("Europe/Kiev").unwrap();
    assert_eq!(
        kept.timezone.as_deref(),
        Some("Europe/Kiev"),
        "the zone is kept as the investigator typed it"
    );
}

#[test]
fn a_birth_date_is_a_year_a_month_or_a_real_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    let p = lib
        .create_person(
            &c,
            PersonInput {
                roles: vec!["victim".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let set = |lib: &mut Library, dob: &str| {
        lib.set_identity(
            &p.id,
            Identity {
                real_name: "Someone".into(),
                date_of_birth: dob.into(),
                ..Default::default()
            },
        )
    };
    for bad in [
        "2022-02-30",
        "1985-13",
        "1985-00-10",
        "85",
        "14.07.1985",
        "1899",
        "2101-01-01",
        "about 1980",
        "1985-7-14",
    ] {
        let (field, message) = refused(set(&mut lib, bad), &format!("date of birth {bad}"));
        assert_eq!(
            field, "date_of_birth",
            "{bad}: the birth date is the field at fault ({message})"
        );
    }
    assert!(
        !lib.has_identity(&p.id).unwrap(),
        "a refused identity writes nothing"
    );
    for good in [
        "",
        "1985",
        "1985-07",
        "1985-07-14",
        " 1985-07-14 ",
        "2000-02-29",
    ] {
        set(&mut lib, good)
            .unwrap_or_else(|e| panic!("{good:?} is a birth date as precise as is known: {e}"));
    }
    let shown = lib.reveal_identity(&p.id).unwrap().unwrap();
    assert_eq!(
        shown.date_of_birth, "2000-02-29",
        "the last value given was stored"
    );
}

#[test]
fn a_coordinate_typed_as_text_must_be_a_plain_decimal_number_in_range() {
    for bad in [
        "1e-400",
        "1e2",
        "1E2",
        "inf",
        "-inf",
        "NaN",
        "infinity",
        "0x10",
        "1.",
        ".5",
        "+-1",
        "--1",
        "1.2.3",
        "4 7",
        "91",
        "-90.0000001",
        "1.1234567890123456",
    ] {
        let r = parse_coordinate("latitude", bad);
        assert_eq!(
            refused(r, &format!("latitude {bad:?}")).0,
            "latitude",
            "{bad:?} is not a plain decimal latitude in -90..90"
        );
    }
    assert_eq!(
        refused(parse_coordinate("longitude", "180.5"), "longitude 180.5").0,
        "longitude"
    );
    assert_eq!(
        parse_coordinate("latitude", "47.0971").unwrap(),
        Some(47.0971)
    );
    assert_eq!(
        parse_coordinate("latitude", " -90 ").unwrap(),
        Some(-90.0),
        "the edge is inside, spaces around are trimmed"
    );
    assert_eq!(
        parse_coordinate("longitude", "+180").unwrap(),
        Some(180.0),
        "a leading plus sign is a sign"
    );
    assert_eq!(
        parse_coordinate("longitude", "37.549400000000001").unwrap(),
        Some(37.5494),
        "15 fractional digits are allowed"
    );
    assert_eq!(
        parse_coordinate("latitude", "47,0971").unwrap(),
        Some(47.0971),
        "a decimal comma is still read, as before"
    );
    assert_eq!(
        parse_coordinate("latitude", "").unwrap(),
        None,
        "empty means no point"
    );
}

#[test]
fn the_strict_coordinate_parser_is_shared_and_stored_values_must_be_finite() {
    use casefile_core::validate::coordinate;
    assert!(
        coordinate("latitude", "1e-400").is_err(),
        "an exponent is not a plain decimal number"
    );
    assert_eq!(
        coordinate("longitude", "-179.999999999999999").unwrap_or_default(),
        -179.999999999999999
    );
    assert!(
        coordinate("latitude", "").is_err(),
        "the parser wants a number; emptiness is the caller's business"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    for (lat, lon, field) in [
        (f64::NAN, 0.0, "latitude"),
        (0.0, f64::INFINITY, "longitude"),
        (90.5, 0.0, "latitude"),
        (0.0, -180.5, "longitude"),
    ] {
        let input = IncidentInput {
            title: "x".into(),
            latitude: Some(lat),
            longitude: Some(lon),
            ..Default::default()
        };
        assert_eq!(
            refused(
                lib.create_incident(&c, input),
                &format!("point {lat}, {lon}")
            )
            .0,
            field,
            "a stored point is finite and on the globe"
        );
    }
}

#[test]
fn looking_up_what_does_not_exist_is_not_found_rather_than_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib);
    let not_found = |r: casefile_core::Result<usize>, what: &str| match r {
        Err(e @ Error::NotFound { .. }) => assert_eq!(e.code(), "not_found"),
        other => panic!("{what}: expected not_found, got {other:?}"),
    };

    not_found(
        lib.terms(Some("nope")).map(|t| t.len()),
        "the terms of a vocabulary that does not exist",
    );
    assert!(
        !lib.terms(Some("weapon")).unwrap().is_empty(),
        "a real vocabulary lists its terms"
    );
    assert!(
        lib.terms(None).unwrap().len() > 10,
        "all vocabularies together"
    );

    not_found(
        lib.history("incident", "nope").map(|h| h.len()),
        "the history of a record that does not exist",
    );
    not_found(
        lib.history_with_links("incident", "nope").map(|h| h.len()),
        "the linked history of a record that does not exist",
    );
    not_found(
        lib.history("no_such_type", &c).map(|h| h.len()),
        "the history under a record type that does not exist",
    );
    assert_eq!(
        lib.history("case", &c).unwrap().len(),
        1,
        "a real record has its creation entry"
    );
    assert_eq!(lib.history_with_links("case", &c).unwrap().len(), 1);
    lib.delete_case(&c, "test").unwrap();
    assert_eq!(
        lib.history("case", &c).unwrap().len(),
        2,
        "a deleted record still has a history"
    );
    lib.restore_case(&c).unwrap();
    lib.add_term("weapon", "thermobaric", "Thermobaric weapon", "")
        .unwrap();
    assert_eq!(
        lib.history("term", "weapon:thermobaric").unwrap().len(),
        1,
        "records outside the tables (terms) have histories too"
    );
    lib.set_profile("O. Koval", "").unwrap();
    assert_eq!(
        lib.history("profile", "1").unwrap().len(),
        1,
        "so does the profile"
    );

    not_found(
        lib.conflicts("nope").map(|c| c.len()),
        "the conflicts of a case that does not exist",
    );
    assert!(
        lib.conflicts(&c).unwrap().is_empty(),
        "a real case without conflicts has an empty list"
    );
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_keeps_its_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let inbox = src.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    // Latin-1 "café" and a lone 0xFF: what an old camera, a ZIP from Windows or a damaged
    // card can leave in a name.
    let raw_name: &[u8] = b"caf\xe9 \xff.jpg";
    let bad = inbox.join(OsStr::from_bytes(raw_name));
    std::fs::write(&bad, b"bytes of a photo with a name from elsewhere").unwrap();
    std::fs::write(inbox.join("plain.txt"), b"a file with an ordinary name").unwrap();

    let mut lib = open(dir.path());
    let c = case(&mut lib);
    let report = lib
        .add_evidence(
            &c,
            std::slice::from_ref(&inbox),
            &Acquisition::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.added.len(), 2);

    let rows = lib.evidence_rows(&c).unwrap();
    let row = rows
        .iter()
        .find(|r| r.original_name.starts_with("caf"))
        .expect("the item is listed");
    assert_eq!(
        row.original_name, "caf\\xE9 \\xFF.jpg",
        "each byte that is not UTF-8 shows as \\xHH, not as U+FFFD"
    );
    assert_eq!(row.relative_path, "inbox/caf\\xE9 \\xFF.jpg");
    assert!(
        !rows.iter().any(|r| r.relative_path.contains('\u{FFFD}')),
        "no replacement character anywhere"
    );

    let e = serde_json::to_value(lib.get_evidence(&row.id).unwrap()).unwrap();
    let raw = |k: &str| {
        hex::decode(
            e[k].as_str()
                .unwrap_or_else(|| panic!("{k} is recorded: {e}")),
        )
        .unwrap()
    };
    assert_eq!(
        raw("original_name_raw"),
        raw_name,
        "the hex gives back the exact bytes of the name"
    );
    assert_eq!(
        raw("relative_path_raw"),
        b"inbox/caf\xe9 \xff.jpg",
        "and of the relative path"
    );
    assert_eq!(
        raw("source_path_raw"),
        bad.as_os_str().as_bytes(),
        "and of the path it was taken from"
    );
    assert!(
        e["original_name_raw"]
            .as_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "lower-case hex, as the schema says"
    );
    assert_eq!(
        e["source_path"],
        format!("{}/caf\\xE9 \\xFF.jpg", inbox.display())
    );

    let plain = rows
        .iter()
        .find(|r| r.original_name == "plain.txt")
        .unwrap();
    let p = serde_json::to_value(lib.get_evidence(&plain.id).unwrap()).unwrap();
    for k in ["original_name_raw", "relative_path_raw", "source_path_raw"] {
        assert!(
            p[k].is_null(),
            "{k} is only recorded when the name is not UTF-8: {}",
            p[k]
        );
    }

    // The raw names are part of the record: the audit covers them and they survive a reopen.
    assert!(lib.audit_verify().unwrap().ok());
    drop(lib);
    let lib = open(dir.path());
    let again = serde_json::to_value(lib.get_evidence(&row.id).unwrap()).unwrap();
    assert_eq!(again["original_name_raw"], e["original_name_raw"]);
}
