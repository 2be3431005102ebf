//! Our metadata against exiftool's, file by file.
//!
//! `shared/testdata/exif-samples.exiftool.json` is `exiftool -json -n -r` (12.57) over
//! `exif-samples/`. For every file there we check each field exiftool reports, and also that we
//! report nothing for the compared fields it does not report (a value exiftool cannot see is a
//! value we invented). Every mismatch is collected and reported with file and field.
//!
//! Exceptions: none. (Orientation of the three `jpg/invalid` files comes only from XMP
//! `tiff:Orientation`; we read that fallback too, so they match.)

mod common;

use casefile_media::{extract_metadata, sniff_reader, Metadata};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use common::open;
use serde_json::Value;
use std::collections::BTreeMap;

const FLOAT_TOLERANCE: f64 = 1e-6;

#[test]
fn metadata_matches_exiftool_for_every_sample() {
    let reference: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(common::testdata().join("exif-samples.exiftool.json"))
            .expect("read reference"),
    )
    .expect("parse reference");
    let mut by_file: BTreeMap<String, &serde_json::Map<String, Value>> = BTreeMap::new();
    for entry in &reference {
        let obj = entry.as_object().expect("reference entries are objects");
        let src = obj["SourceFile"].as_str().expect("SourceFile");
        by_file.insert(src.trim_start_matches("./").to_string(), obj);
    }

    let root = common::samples();
    let mut problems: Vec<String> = Vec::new();
    let mut compared = 0;
    for path in common::files_under(&root) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let media = sniff_reader(&mut open(&path)).expect("sniff");
        // Extraction must succeed (never panic, never fail) on every file, reference or not.
        let meta = match extract_metadata(&mut open(&path), media.mime) {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!(
                    "{rel}: extract_metadata failed: {e} ({})",
                    e.code()
                ));
                continue;
            }
        };
        let Some(expected) = by_file.remove(&rel) else {
            // Not in the reference: only the README/SOURCE text files, which are not media.
            assert_eq!(
                media.mime, "text/plain",
                "{rel} is missing from the exiftool reference"
            );
            assert!(meta.is_empty(), "{rel}: text file should have no metadata");
            continue;
        };
        compared += 1;
        compare(&rel, expected, &meta, &mut problems);
    }
    assert!(
        by_file.is_empty(),
        "reference lists files we did not find: {:?}",
        by_file.keys()
    );
    assert_eq!(compared, 25, "all 25 reference files were compared");
    assert!(
        problems.is_empty(),
        "{} mismatch(es) with exiftool:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn compare(
    rel: &str,
    exp: &serde_json::Map<String, Value>,
    got: &Metadata,
    problems: &mut Vec<String>,
) {
    for key in exp.keys() {
        const KNOWN: &[&str] = &[
            "SourceFile",
            "DateTimeOriginal",
            "OffsetTimeOriginal",
            "GPSLatitude",
            "GPSLongitude",
            "GPSAltitude",
            "GPSDateTime",
            "GPSDateStamp",
            "GPSTimeStamp",
            "Make",
            "Model",
            "Orientation",
            "ImageWidth",
            "ImageHeight",
        ];
        if !KNOWN.contains(&key.as_str()) {
            problems.push(format!(
                "{rel}: reference has field {key} that this test does not compare"
            ));
        }
    }
    let mut check = |field: &str, expected: Option<String>, actual: Option<String>| {
        if expected != actual {
            problems.push(format!(
                "{rel}: {field}: exiftool {expected:?}, we {actual:?}"
            ));
        }
    };
    let s = |k: &str| {
        exp.get(k).map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
    };

    // "2008:10:22 16:28:39" → "2008-10-22T16:28:39"
    let dto = s("DateTimeOriginal").map(|v| {
        let (d, t) = v.split_once(' ').unwrap_or((&v, ""));
        format!("{}T{t}", d.replace(':', "-"))
    });
    check("DateTimeOriginal", dto, got.capture_time.clone());
    check(
        "OffsetTimeOriginal",
        s("OffsetTimeOriginal"),
        got.capture_time_offset.clone(),
    );
    check("Make", s("Make"), got.make.clone());
    check("Model", s("Model"), got.model.clone());
    check(
        "Orientation",
        s("Orientation"),
        got.orientation.map(|v| v.to_string()),
    );
    check(
        "ImageWidth",
        s("ImageWidth"),
        got.width.map(|v| v.to_string()),
    );
    check(
        "ImageHeight",
        s("ImageHeight"),
        got.height.map(|v| v.to_string()),
    );

    for (key, actual) in [
        ("GPSLatitude", got.gps_latitude),
        ("GPSLongitude", got.gps_longitude),
        ("GPSAltitude", got.gps_altitude),
    ] {
        let expected = exp.get(key).and_then(Value::as_f64);
        let ok = match (expected, actual) {
            (Some(e), Some(a)) => (e - a).abs() <= FLOAT_TOLERANCE,
            (None, None) => true,
            _ => false,
        };
        if !ok {
            problems.push(format!(
                "{rel}: {key}: exiftool {expected:?}, we {actual:?}"
            ));
        }
    }

    // GPS time: exiftool gives GPSDateTime, or the GPSDateStamp + GPSTimeStamp pair. Compare
    // instants to the millisecond.
    let expected_gps = gps_instant(exp);
    let actual_gps = got.gps_time.as_deref().map(|t| {
        DateTime::parse_from_rfc3339(t)
            .unwrap_or_else(|e| panic!("{rel}: gps_time {t:?} is not RFC 3339: {e}"))
    });
    let same = match (expected_gps, actual_gps) {
        (Some(e), Some(a)) => (e - a.with_timezone(&Utc)).num_milliseconds().abs() <= 1,
        (None, None) => true,
        _ => false,
    };
    if !same {
        problems.push(format!(
            "{rel}: GPS date/time: exiftool {expected_gps:?}, we {:?}",
            got.gps_time
        ));
    }
}

fn gps_instant(exp: &serde_json::Map<String, Value>) -> Option<DateTime<Utc>> {
    if let Some(v) = exp.get("GPSDateTime").and_then(Value::as_str) {
        // "2008:10:23 14:27:07.24Z"
        let v = v.trim_end_matches('Z');
        let (d, t) = v.split_once(' ')?;
        return Some(combine(d, t));
    }
    let d = exp.get("GPSDateStamp")?.as_str()?;
    let t = exp.get("GPSTimeStamp")?.as_str()?;
    Some(combine(d, t))
}

fn combine(d: &str, t: &str) -> DateTime<Utc> {
    let date = NaiveDate::parse_from_str(d, "%Y:%m:%d").expect("exiftool date");
    let time = NaiveTime::parse_from_str(t, "%H:%M:%S%.f").expect("exiftool time");
    date.and_time(time).and_utc()
}
