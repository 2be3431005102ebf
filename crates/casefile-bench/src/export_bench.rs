//! `casefile-bench export`: exporting a case with ~1 GiB of originals as a ZIP bundle (every file
//! re-hashed against its recorded hash on the way out, fsynced) next to `tar cf` + `sync` of the
//! same vault files, in the same run. Prints throughput and the ratio; asserts nothing.

use casefile_core::bundle::{export_case, ExportOptions, ExportProfile};
use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::evidence::Acquisition;
use casefile_core::Library;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

fn gbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs / 1e9
}

pub fn run(dir: &Path, total_mib: u64, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let work = dir.join(format!("casefile-bench-export-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        let source = work.join("source");
        std::fs::create_dir_all(&source)?;
        let files = crate::gen::files(&source, total_mib << 20, 1 << 20, 20 << 20, 0xE4F0)?;
        let lib_dir = work.join("library");
        let mut lib = Library::open_for_tests(&lib_dir, Arc::new(SystemClock))?;
        let case = lib
            .create_case(NewCase {
                title: "Export benchmark".into(),
                ..Default::default()
            })?
            .id;
        lib.add_evidence(
            &case,
            &files,
            &Acquisition::default(),
            &AtomicBool::new(false),
            &mut |_| {},
        )?;
        std::fs::remove_dir_all(&source)?;
        // The sealed vault files: tar copies them as they lie (ciphertext), export decrypts.
        let originals = lib.vault().originals_dir_for_tests();
        let bytes: u64 = lib
            .evidence_rows(&case)?
            .iter()
            .map(|e| e.size as u64)
            .sum();
        println!(
            "{} originals, {:.2} GiB, in the vault",
            files.len(),
            bytes as f64 / (1u64 << 30) as f64
        );
        // Warm the page cache the same way for both: read everything once.
        let _ = Command::new("tar")
            .arg("cf")
            .arg("/dev/null")
            .arg("-C")
            .arg(&originals)
            .arg(".")
            .status();

        let mut best_tar = f64::MAX;
        let mut best_ours = f64::MAX;
        for i in 0..runs.max(1) {
            let tar_out = work.join(format!("baseline-{i}.tar"));
            let t = Instant::now();
            let ok = Command::new("tar")
                .arg("cf")
                .arg(&tar_out)
                .arg("-C")
                .arg(&originals)
                .arg(".")
                .status()?
                .success()
                && Command::new("sync").status()?.success();
            let secs = t.elapsed().as_secs_f64();
            if ok {
                best_tar = best_tar.min(secs);
            }
            std::fs::remove_file(&tar_out)?;

            let out = work.join(format!("bundle-{i}.zip"));
            let t = Instant::now();
            export_case(
                &mut lib,
                &case,
                &out,
                &ExportOptions::new(ExportProfile::Full, true),
                &AtomicBool::new(false),
                &mut |_, _| {},
            )?;
            best_ours = best_ours.min(t.elapsed().as_secs_f64());
            std::fs::remove_file(&out)?;
        }
        println!("best of {runs} runs each, page cache warm, output fsynced:");
        println!(
            "  tar cf + sync           {:>6.2} GB/s",
            gbps(bytes, best_tar)
        );
        println!("  casefile export --zip   {:>6.2} GB/s  (encrypted library: every original decrypted and re-hashed; stored ZIP, SHA-256 manifest, signed, fsynced)", gbps(bytes, best_ours));
        println!(
            "  ratio ours / tar+sync   {:>6.2}   (target >= 0.8)",
            best_tar / best_ours
        );
        drop(lib);
        unlock_times(&work.join("unlock"))?;
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Unlocking a library whose passphrase slot has the default Argon2id cost, next to Argon2id
/// alone (the same cost), best of three.
fn unlock_times(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let kdf = casefile_core::KdfParams::default();
    let pass = "correct horse battery staple";
    drop(Library::create(dir, Arc::new(SystemClock), pass, kdf)?);
    let mut best_unlock = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        drop(Library::unlock(dir, Arc::new(SystemClock), pass)?);
        best_unlock = best_unlock.min(t.elapsed().as_secs_f64());
    }
    let mut best_wrong = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let r = Library::unlock(dir, Arc::new(SystemClock), "not it");
        best_wrong = best_wrong.min(t.elapsed().as_secs_f64());
        if r.is_ok() {
            return Err("a wrong passphrase unlocked the library".into());
        }
    }
    println!();
    println!(
        "unlock (Argon2id m={} MiB, t={}, p={}, then open the database and vault), best of 3:",
        kdf.memory_kib / 1024,
        kdf.iterations,
        kdf.parallelism
    );
    println!("  right passphrase   {best_unlock:>6.2} s");
    println!("  wrong passphrase   {best_wrong:>6.2} s  (refused; nothing opened)");
    Ok(())
}
