//! Encrypted handover: `export --to AGE_RECIPIENT` and `verify`/`import --identity FILE`, with
//! the real `age` and `age-keygen` tools as the receiver without Casefile, and as the sender of
//! bundles Casefile did not encrypt itself.

mod common;
use common::{bin, casefile, json, ok};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `casefile` with no library argument (verify needs none).
fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn age(args: &[&str]) {
    let o = Command::new("age")
        .args(args)
        .output()
        .expect("age is installed");
    assert!(o.status.success(), "age {args:?}: {}", stderr(&o));
}

/// A sender's library with the sample case; returns the case id.
fn sender(d: &Path) -> String {
    ok(
        d,
        &[
            "profile",
            "set",
            "--name",
            "Olena",
            "--organisation",
            "Field team",
        ],
    );
    ok(d, &["sample"]).trim().to_string()
}

/// A receiver's library with a profile and nothing else.
fn receiver(d: &Path) {
    ok(
        d,
        &[
            "profile",
            "set",
            "--name",
            "HQ analyst",
            "--organisation",
            "HQ",
        ],
    );
}

fn cases(d: &Path) -> usize {
    json(d, &["case", "list"]).as_array().unwrap().len()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn an_encrypted_export_is_read_by_age_and_by_casefile_with_the_identity_only() {
    let (a, b, out, keys) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let case = sender(a.path());
    let (hq_key, hq_public) = keygen(keys.path(), "hq");
    let (other_key, _) = keygen(keys.path(), "other");
    let bundle = out.path().join("handover.zip.age");
    let b_str = bundle.display().to_string();

    // --to implies --zip.
    let r = json(
        a.path(),
        &[
            "export", "--case", &case, "--out", &b_str, "--to", &hq_public,
        ],
    );
    assert_eq!(r["encrypted_for"], serde_json::json!([hq_public]));
    let bytes = std::fs::read(&bundle).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"), "an age file");
    for plain in ["Mariupol", "bagit.txt", "case.json", "Olena"] {
        assert!(
            !contains(&bytes, plain.as_bytes()),
            "{plain:?} is readable in the encrypted bundle"
        );
    }
    assert_eq!(
        names_in(out.path()),
        vec!["handover.zip.age".to_string()],
        "no plaintext copy or partial file was left beside it"
    );
    let history = json(a.path(), &["history", "case", &case]).to_string();
    assert!(
        history.contains(&hq_public),
        "the custody log says whom the bundle was encrypted for"
    );

    // The receiver without Casefile: age decrypts it to a ZIP that every tool reads.
    let plain = keys.path().join("handover.zip");
    age(&["-d", "-i", &hq_key, "-o", plain.to_str().unwrap(), &b_str]);
    let t = Command::new("unzip")
        .arg("-t")
        .arg(&plain)
        .output()
        .unwrap();
    assert!(t.status.success(), "unzip -t: {}", stdout(&t));
    assert!(stdout(&t).contains("handover/bagit.txt"), "{}", stdout(&t));
    let py = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip())",
        ])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(stdout(&py).trim(), "None", "{}", stderr(&py));
    let o = run(&["verify", plain.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));

    // Casefile reads it straight from the ciphertext with the identity.
    let o = run(&["verify", &b_str, "--identity", &hq_key]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("encrypted") && stdout(&o).contains("OK:"),
        "{}",
        stdout(&o)
    );
    let v: Value =
        serde_json::from_slice(&run(&["verify", &b_str, "--identity", &hq_key, "--json"]).stdout)
            .unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["case_id"], case.as_str());

    // Without the identity, or with another, a clear error.
    let o = run(&["verify", &b_str]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("encrypted bundle") && stderr(&o).contains("identity"),
        "{}",
        stderr(&o)
    );
    let o = run(&["verify", &b_str, "--identity", &other_key]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("other recipients"), "{}", stderr(&o));
    let public_file = keys.path().join("hq.pub");
    std::fs::write(&public_file, format!("{hq_public}\n")).unwrap();
    let o = run(&[
        "verify",
        &b_str,
        "--identity",
        public_file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not an age identity file"),
        "a public key is not an identity: {}",
        stderr(&o)
    );
    let o = run(&["verify", &b_str, "--identity", "/no/such/key.txt"]);
    assert!(stderr(&o).contains("error[io]"), "{}", stderr(&o));

    // Import: refused without the right identity (nothing imported), merged with it.
    receiver(b.path());
    for args in [
        vec!["import", b_str.as_str()],
        vec!["import", b_str.as_str(), "--identity", other_key.as_str()],
    ] {
        let o = casefile(b.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains("identity"), "{}", stderr(&o));
    }
    assert_eq!(cases(b.path()), 0, "nothing was imported");
    let vault_tmp = b.path().join("vault/tmp");
    assert!(
        !vault_tmp.exists() || names_in(&vault_tmp).is_empty(),
        "nothing was staged"
    );
    let r = json(b.path(), &["import", &b_str, "--identity", &hq_key]);
    assert_eq!(r["case_id"], case.as_str());
    assert_eq!(cases(b.path()), 1);
    assert!(ok(b.path(), &["audit", "verify", "--files"]).contains("OK"));
    // Idempotent, as with unencrypted bundles.
    let r = json(b.path(), &["import", &b_str, "--identity", &hq_key]);
    assert_eq!(r["already_up_to_date"], true);

    // --identity on an unencrypted bundle changes nothing about it.
    let o = run(&["verify", plain.to_str().unwrap(), "--identity", &hq_key]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn bundles_encrypted_by_the_age_tool_verify_and_import_with_the_identity() {
    let (a, b, out, keys) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let case = sender(a.path());
    let (k1, p1) = keygen(keys.path(), "one");
    let (k2, p2) = keygen(keys.path(), "two");
    let plain = out.path().join("plain.zip").display().to_string();
    ok(
        a.path(),
        &["export", "--zip", "--case", &case, "--out", &plain],
    );
    let sealed = out.path().join("by-age.zip.age").display().to_string();
    age(&["-r", &p1, "-o", &sealed, &plain]);
    let o = run(&["verify", &sealed, "--identity", &k1]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    receiver(b.path());
    let r = json(b.path(), &["import", &sealed, "--identity", &k1]);
    assert_eq!(r["case_id"], case.as_str());

    // Several recipients: each one's identity opens it; an identity file holding several keys
    // opens what any of them can.
    let both = out.path().join("both.zip.age").display().to_string();
    ok(
        a.path(),
        &[
            "export", "--case", &case, "--out", &both, "--to", &p1, "--to", &p2,
        ],
    );
    for k in [&k1, &k2] {
        let o = run(&["verify", &both, "--identity", k]);
        assert!(o.status.success(), "{k}: {}", stderr(&o));
    }
    let mut o = Command::new("age")
        .args(["-d", "-i", &k2, &both])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "age -d with the second key: {}",
        stderr(&o)
    );
    o.stdout.truncate(4);
    assert_eq!(o.stdout, b"PK\x03\x04", "the plaintext is a ZIP");
    let combined = keys.path().join("combined.txt");
    std::fs::write(
        &combined,
        format!(
            "{}\n{}",
            std::fs::read_to_string(&k1).unwrap(),
            std::fs::read_to_string(&k2).unwrap()
        ),
    )
    .unwrap();
    let o = run(&["verify", &sealed, "--identity", combined.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // ASCII armor (age -a) is named, not misread.
    let armored = out.path().join("armored.age").display().to_string();
    age(&["-a", "-r", &p1, "-o", &armored, &plain]);
    let o = run(&["verify", &armored, "--identity", &k1]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ASCII-armored"), "{}", stderr(&o));
}

/// Flips one byte of `file` at `at` (from the start, or from the end if negative).
fn flip(file: &Path, at: i64) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    let i = if at < 0 {
        bytes.len() - (-at) as usize
    } else {
        at as usize
    };
    bytes[i] ^= 0x01;
    let p = file.with_extension(format!("flip{at}"));
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_tampered_or_truncated_encrypted_bundle_is_refused_and_imports_nothing() {
    let (a, b, out, keys) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let case = sender(a.path());
    // A few hundred KiB of evidence, so that the bundle spans several 64 KiB age chunks.
    let noise = out.path().join("noise.bin");
    let mut x = 0x2545F4914F6CDD1Du64;
    let bytes: Vec<u8> = (0..300_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&noise, bytes).unwrap();
    ok(
        a.path(),
        &[
            "evidence",
            "add",
            "--no-analyse",
            "--case",
            &case,
            noise.to_str().unwrap(),
        ],
    );
    std::fs::remove_file(&noise).unwrap();
    let (key, public) = keygen(keys.path(), "hq");
    let bundle = out.path().join("b.zip.age");
    ok(
        a.path(),
        &[
            "export",
            "--case",
            &case,
            "--out",
            bundle.to_str().unwrap(),
            "--to",
            &public,
        ],
    );
    receiver(b.path());
    let len = std::fs::metadata(&bundle).unwrap().len() as i64;
    let mut variants = vec![
        flip(&bundle, 40),      // in the header's recipient stanza
        flip(&bundle, len / 2), // in the payload
        flip(&bundle, -20),     // in the last chunk: the ZIP's directory
    ];
    assert!(len > 3 * 65_536, "several chunks: {len}");
    for cut in [100, 70_000] {
        let truncated = out.path().join(format!("truncated-{cut}.zip.age"));
        std::fs::write(
            &truncated,
            &std::fs::read(&bundle).unwrap()[..(len - cut) as usize],
        )
        .unwrap();
        variants.push(truncated);
    }
    let appended = out.path().join("appended.zip.age");
    let mut extra = std::fs::read(&bundle).unwrap();
    extra.extend_from_slice(b"more");
    std::fs::write(&appended, extra).unwrap();
    variants.push(appended);
    for v in &variants {
        let o = run(&["verify", v.to_str().unwrap(), "--identity", &key]);
        assert!(
            !o.status.success(),
            "{} must not verify: {}",
            v.display(),
            stdout(&o)
        );
        let name = v.file_name().unwrap().to_string_lossy();
        if name.starts_with("truncated") || name.starts_with("appended") {
            assert!(
                stderr(&o).contains("damaged, cut short or added to"),
                "{name}: {}",
                stderr(&o)
            );
        }
        assert!(
            !stderr(&o).contains("panicked"),
            "{}: {}",
            v.display(),
            stderr(&o)
        );
        let o = casefile(
            b.path(),
            &["import", v.to_str().unwrap(), "--identity", &key],
        );
        assert_eq!(o.status.code(), Some(1), "{}: {}", v.display(), stderr(&o));
        assert_eq!(cases(b.path()), 0, "{} imported nothing", v.display());
    }
    // The untouched one still imports.
    ok(
        b.path(),
        &["import", bundle.to_str().unwrap(), "--identity", &key],
    );
}

#[test]
fn export_to_a_bad_recipient_writes_nothing_and_records_nothing() {
    let (a, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let case = sender(a.path());
    let history_before = json(a.path(), &["history", "case", &case]);
    let target = out.path().join("x.zip.age");
    for bad in [
        "age1notakey",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN",
        "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX",
        "",
    ] {
        let o = casefile(
            a.path(),
            &[
                "export",
                "--case",
                &case,
                "--out",
                target.to_str().unwrap(),
                "--to",
                bad,
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{bad:?}");
        assert!(
            stderr(&o).contains("error[invalid_input]") && stderr(&o).contains("age"),
            "{bad:?}: {}",
            stderr(&o)
        );
        assert!(
            names_in(out.path()).is_empty(),
            "nothing was written for {bad:?}"
        );
    }
    assert_eq!(
        history_before,
        json(a.path(), &["history", "case", &case]),
        "no export was recorded"
    );
}

/// `common::age_keygen` with the identity file's path as text.
fn keygen(dir: &Path, name: &str) -> (String, String) {
    let (key, public) = common::age_keygen(dir, name);
    (key.display().to_string(), public)
}
