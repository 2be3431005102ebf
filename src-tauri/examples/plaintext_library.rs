//! Makes a library the way Casefile made them before encryption (a plaintext database and
//! vault), with one case and the given files as its evidence, for the end-to-end test of
//! "Encrypt this library" (tests/e2e/test_lock.py). Prints the case id.
//!
//!     plaintext_library DIR TITLE [FILE...]

use casefile_core::clock::SystemClock;
use casefile_core::{Access, Library};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let usage = "usage: plaintext_library DIR TITLE [FILE...]";
    let dir = PathBuf::from(args.next().ok_or(usage)?);
    let title = args
        .next()
        .ok_or(usage)?
        .into_string()
        .map_err(|_| "the title is not UTF-8")?;
    let files: Vec<PathBuf> = args.map(PathBuf::from).collect();
    std::fs::create_dir_all(&dir)?;
    // A database with no key is what libraries from before encryption have.
    drop(casefile_core::db::open_connection(
        &dir.join(casefile_core::library::DB_FILE),
        None,
    )?);
    let mut lib = Library::open(&dir, Arc::new(SystemClock), Access::Plaintext)?;
    let case = lib
        .create_case(casefile_core::cases::NewCase {
            title,
            ..Default::default()
        })?
        .id;
    if !files.is_empty() {
        let acquisition = casefile_core::evidence::Acquisition {
            collected_by: "Field team".into(),
            method: "received".into(),
            ..Default::default()
        };
        lib.add_evidence(
            &case,
            &files,
            &acquisition,
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
    }
    println!("{case}");
    Ok(())
}
