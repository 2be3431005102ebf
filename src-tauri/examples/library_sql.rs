//! Runs SQL on a library's database behind Casefile's back, as an adversary holding its key
//! would: for the end-to-end test of the audit (tests/e2e/test_handover.py), which edits a
//! record and expects the audit to name the change. The library must have been made with the
//! test passphrase (`casefile_core::TEST_PASSPHRASE`, as the E2E tests do); it may be open in
//! the app meanwhile. Prints the number of rows changed.
//!
//!     library_sql DIR SQL

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let usage = "usage: library_sql DIR SQL";
    let dir = PathBuf::from(args.next().ok_or(usage)?);
    let sql = args
        .next()
        .ok_or(usage)?
        .into_string()
        .map_err(|_| "the SQL is not UTF-8")?;
    let db =
        casefile_core::db::open_raw_for_tests(dir.join(casefile_core::library::DB_FILE), false)?;
    db.busy_timeout(std::time::Duration::from_secs(10))?;
    println!("{}", db.execute(&sql, [])?);
    Ok(())
}
