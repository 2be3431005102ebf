//! Our bags against tools that are not ours: the Library of Congress BagIt validator (bagit.py),
//! JSON Schema (docs/case.schema.json) and the BagIt Profile (docs/casefile-bagit-profile.json).
//! The Python tools live in target/venv, made by `scripts/install-deps.sh test`; a missing venv
//! fails these tests rather than skipping them.

use casefile_core::bundle::{export_case, ExportOptions, ExportProfile, BAGIT_PROFILE};
use casefile_core::clock::TestClock;
use casefile_core::evidence::Acquisition;
use casefile_core::Library;
use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn venv_tool(name: &str) -> PathBuf {
    let p = workspace().join("target/venv/bin").join(name);
    if !p.exists() {
        panic!(
            "{} is missing: run scripts/install-deps.sh test",
            p.display()
        );
    }
    p
}

fn python_with_jsonschema() -> PathBuf {
    let py = venv_tool("python");
    let ok = Command::new(&py)
        .args(["-c", "import jsonschema"])
        .status()
        .unwrap()
        .success();
    assert!(
        ok,
        "jsonschema is not installed in {}: run scripts/install-deps.sh test",
        py.display()
    );
    py
}

fn photo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/exif-samples/jpg")
        .join(name)
}

struct Sender {
    dir: tempfile::TempDir,
    lib: Library,
    case_id: String,
}

/// The sample case with two real photos (one with GPS), exported from a real library.
fn sender() -> Sender {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    fs::create_dir_all(&root).unwrap();
    let mut lib = Library::open_for_tests(
        &root,
        TestClock::new("2026-11-25T09:00:00Z".parse().unwrap()),
    )
    .unwrap();
    lib.set_profile("O. Koval", "Truth Hounds").unwrap();
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
            &[photo("Canon_40D.jpg"), photo("gps/DSCN0010.jpg")],
            &acq,
            &AtomicBool::new(false),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(r.added.len(), 2, "{:?}", r.failed);
    Sender { dir, lib, case_id }
}

impl Sender {
    fn export(&mut self, name: &str, zip: bool, profile: ExportProfile) -> PathBuf {
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
}

/// Runs bagit.py --validate; returns (success, output).
fn bagit_validate(dir: &Path) -> (bool, String) {
    let out = Command::new(venv_tool("python"))
        .arg(venv_tool("bagit.py"))
        .arg("--validate")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Extracts a ZIP bag with the zip crate; returns the bag's folder.
fn unzip(zip: &Path, into: &Path) -> PathBuf {
    let mut a = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    let mut root = None;
    for i in 0..a.len() {
        let mut e = a.by_index(i).unwrap();
        let rel = e.enclosed_name().expect("an unsafe name in our own ZIP");
        root.get_or_insert_with(|| rel.components().next().unwrap().as_os_str().to_owned());
        let dest = into.join(&rel);
        if e.is_dir() {
            fs::create_dir_all(&dest).unwrap();
            continue;
        }
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        fs::write(dest, b).unwrap();
    }
    into.join(root.unwrap())
}

#[test]
fn the_library_of_congress_validator_accepts_our_directory_bag() {
    let mut s = sender();
    let bag = s.export("bag", false, ExportProfile::Full);
    let (ok, out) = bagit_validate(&bag);
    assert!(ok, "bagit.py rejected our bag:\n{out}");
    assert!(out.contains("is valid"), "{out}");

    // And rejects it once a payload byte changes.
    let original = fs::read_dir(bag.join("data/originals"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut b = fs::read(&original).unwrap();
    b[200] ^= 0x01;
    fs::write(&original, b).unwrap();
    let (ok, out) = bagit_validate(&bag);
    assert!(!ok, "bagit.py accepted a changed payload:\n{out}");
    let name = original.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        out.contains(&name) && out.contains("validation failed"),
        "{out}"
    );
}

#[test]
fn the_library_of_congress_validator_accepts_our_zip_bag_unzipped() {
    let mut s = sender();
    let zip = s.export("bag.zip", true, ExportProfile::Full);
    let into = s.dir.path().join("unzipped");
    let bag = unzip(&zip, &into);
    assert_eq!(bag.file_name().unwrap(), "bag");
    let (ok, out) = bagit_validate(&bag);
    assert!(ok, "bagit.py rejected our unzipped bag:\n{out}");
}

#[test]
fn the_library_of_congress_validator_accepts_every_profile() {
    let mut s = sender();
    for p in [ExportProfile::Prosecutor, ExportProfile::Public] {
        let bag = s.export(p.as_str(), false, p);
        let (ok, out) = bagit_validate(&bag);
        assert!(ok, "bagit.py rejected our {} bag:\n{out}", p.as_str());
    }
}

fn validate_schema(case_json: &Path) -> (bool, String) {
    let schema = workspace().join("docs/case.schema.json");
    let out = Command::new(python_with_jsonschema())
        .args(["-c", "import json,jsonschema,sys; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))"])
        .arg(case_json)
        .arg(&schema)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_json_schema_is_a_valid_draft_2020_12_schema() {
    let schema = workspace().join("docs/case.schema.json");
    let out = Command::new(python_with_jsonschema())
        .args(["-c", "import json,jsonschema,sys; s=json.load(open(sys.argv[1])); assert s['$schema'] == 'https://json-schema.org/draft/2020-12/schema'; jsonschema.Draft202012Validator.check_schema(s)"])
        .arg(&schema)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_json_schema_validates_real_case_json_of_every_profile() {
    let mut s = sender();
    for p in [
        ExportProfile::Full,
        ExportProfile::Prosecutor,
        ExportProfile::Public,
    ] {
        let bag = s.export(p.as_str(), false, p);
        let (ok, err) = validate_schema(&bag.join("data/case.json"));
        assert!(
            ok,
            "{} case.json does not match docs/case.schema.json:\n{err}",
            p.as_str()
        );
    }
}

#[test]
fn the_json_schema_rejects_a_case_json_missing_a_required_field() {
    let mut s = sender();
    let bag = s.export("bag", false, ExportProfile::Full);
    let doc: Value =
        serde_json::from_slice(&fs::read(bag.join("data/case.json")).unwrap()).unwrap();
    type Break = fn(&mut Value);
    let cases: [(&str, Break); 4] = [
        ("schema_version", |v| {
            v.as_object_mut().unwrap().remove("schema_version");
        }),
        ("sha256", |v| {
            v["evidence"][0].as_object_mut().unwrap().remove("sha256");
        }),
        ("id", |v| {
            v["case"].as_object_mut().unwrap().remove("id");
        }),
        ("not_a_column", |v| {
            v["incidents"][0]
                .as_object_mut()
                .unwrap()
                .insert("not_a_column".into(), Value::Bool(true));
        }),
    ];
    for (field, damage) in cases {
        let mut v = doc.clone();
        damage(&mut v);
        let p = s.dir.path().join(format!("broken-{field}.json"));
        fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        let (ok, err) = validate_schema(&p);
        assert!(!ok, "the schema accepted a case.json without {field}");
        assert!(
            err.contains(field),
            "the error does not name {field}:\n{err}"
        );
    }
}

fn bag_info(bag: &Path) -> Vec<(String, String)> {
    fs::read_to_string(bag.join("bag-info.txt"))
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect()
}

#[test]
fn the_bagit_profile_describes_our_bags() {
    let profile: Value = serde_json::from_str(
        &fs::read_to_string(workspace().join("docs/casefile-bagit-profile.json")).unwrap(),
    )
    .unwrap();
    let info = &profile["BagIt-Profile-Info"];
    assert_eq!(info["BagIt-Profile-Identifier"], BAGIT_PROFILE);
    for k in [
        "Source-Organization",
        "External-Description",
        "Version",
        "BagIt-Profile-Version",
    ] {
        assert!(info[k].is_string(), "BagIt-Profile-Info lacks {k}");
    }
    let mut s = sender();
    for p in [
        ExportProfile::Full,
        ExportProfile::Prosecutor,
        ExportProfile::Public,
    ] {
        for zip in [false, true] {
            let name = format!("{}{}", p.as_str(), if zip { ".zip" } else { "" });
            let exported = s.export(&name, zip, p);
            let bag = if zip {
                unzip(&exported, &s.dir.path().join(format!("x-{name}")))
            } else {
                exported
            };
            let tags = bag_info(&bag);
            let value = |k: &str| tags.iter().find(|(t, _)| t == k).map(|(_, v)| v.clone());
            assert_eq!(
                value("BagIt-Profile-Identifier").as_deref(),
                Some(BAGIT_PROFILE)
            );
            for (tag, rule) in profile["Bag-Info"].as_object().unwrap() {
                let n = tags.iter().filter(|(t, _)| t == tag).count();
                if rule["required"] == true {
                    assert!(
                        n > 0,
                        "bag-info.txt of {name} lacks {tag}, which the profile requires"
                    );
                    assert!(!value(tag).unwrap().is_empty(), "{tag} is empty");
                }
                if rule["repeatable"] == false {
                    assert!(n <= 1, "{tag} is repeated");
                }
                if let (Some(values), Some(v)) = (rule["values"].as_array(), value(tag)) {
                    assert!(
                        values.iter().any(|x| x == v.as_str()),
                        "{tag}: {v} is not one of {values:?}"
                    );
                }
            }
            assert_eq!(
                value("Casefile-Export-Profile").as_deref(),
                Some(p.as_str())
            );
            for m in profile["Manifests-Required"].as_array().unwrap() {
                assert!(bag
                    .join(format!("manifest-{}.txt", m.as_str().unwrap()))
                    .is_file());
            }
            for m in profile["Tag-Manifests-Required"].as_array().unwrap() {
                assert!(bag
                    .join(format!("tagmanifest-{}.txt", m.as_str().unwrap()))
                    .is_file());
            }
            let allowed: Vec<&str> = profile["Tag-Files-Allowed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            for f in profile["Tag-Files-Required"].as_array().unwrap() {
                let f = f.as_str().unwrap();
                assert!(bag.join(f).is_file(), "{f} is required by the profile");
                assert!(allowed.contains(&f), "{f} is required but not allowed");
            }
            for e in fs::read_dir(&bag).unwrap() {
                let e = e.unwrap();
                let n = e.file_name().to_string_lossy().into_owned();
                if n != "data" {
                    assert!(
                        allowed.contains(&n.as_str()),
                        "{n} is not in Tag-Files-Allowed"
                    );
                }
            }
            assert!(!bag.join("fetch.txt").exists());
            let bagit = fs::read_to_string(bag.join("bagit.txt")).unwrap();
            let version = bagit
                .lines()
                .find_map(|l| l.strip_prefix("BagIt-Version: "))
                .unwrap();
            assert!(profile["Accept-BagIt-Version"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == version));
        }
    }
    assert_eq!(profile["Allow-Fetch.txt"], false);
    assert_eq!(profile["Serialization"], "optional");
    assert_eq!(
        profile["Accept-Serialization"],
        serde_json::json!(["application/zip"])
    );
}
