//! What every CLI test shares: the built `casefile` binary, run on a temp library that is
//! encrypted (as every new library is), its passphrase given the way scripts give it.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The passphrase of every test library: the core's test passphrase, so that tests playing an
/// adversary who holds the key can open the database with `casefile_core::db::open_raw_for_tests`.
pub const PASSPHRASE: &str = casefile_core::TEST_PASSPHRASE;
/// A cheap key derivation (1 MiB, one pass), so that tests making many libraries stay quick.
pub const KDF: &str = "m=1024,t=1,p=1";

/// A file holding `text` and a line break, as `echo text > file` makes, in the test target dir.
pub fn secret_file(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("casefile-cli-passphrases");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}-{}", std::process::id()));
    std::fs::write(&p, format!("{text}\n")).unwrap();
    p
}

/// The file holding [`PASSPHRASE`].
pub fn passphrase_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| secret_file("test-passphrase", PASSPHRASE))
}

/// Sets what every run of the binary (or a script that runs it) gets: the passphrase file, the
/// cheap key derivation, and no library or passphrase from the test runner's environment.
pub fn test_env(c: &mut Command) -> &mut Command {
    c.env("CASEFILE_PASSPHRASE_FILE", passphrase_file())
        .env("CASEFILE_KDF", KDF)
        .env_remove("CASEFILE_NEW_PASSPHRASE_FILE")
        .env_remove("CASEFILE_DATA_DIR")
}

/// `casefile` with the test environment, not yet given a library.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_casefile"));
    test_env(&mut c);
    c
}

/// `casefile --data-dir DIR` with the test environment.
pub fn cmd(dir: &Path) -> Command {
    let mut c = bin();
    c.arg("--data-dir").arg(dir);
    c
}

pub fn casefile(dir: &Path, args: &[&str]) -> Output {
    cmd(dir).args(args).output().expect("run casefile")
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = casefile(dir, args);
    assert!(
        out.status.success(),
        "casefile {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(dir: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    serde_json::from_str(&ok(dir, &a)).expect("valid JSON")
}

/// A new age key pair from the real `age-keygen`: (identity file, public key).
pub fn age_keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(format!("{name}.txt"));
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen (Debian package age) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = Command::new("age-keygen")
        .arg("-y")
        .arg(&key)
        .output()
        .unwrap();
    (
        key,
        String::from_utf8_lossy(&public.stdout).trim().to_string(),
    )
}
