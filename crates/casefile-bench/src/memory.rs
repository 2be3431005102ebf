//! `casefile-bench memory`: peak memory of taking in one large file (a long video is the usual
//! case). Intake must stream: a 4 GiB file on a laptop with 8 GiB must not need 4 GiB of RAM.
//!
//! The source is a sparse file (it reads as zeros and takes no disk), but the vault copy is real,
//! so the target directory needs the file's size free. Intake runs in a child process (this
//! binary, re-executed with a hidden subcommand) so that its peak resident set is its own: the
//! child prints its `VmHWM` (the kernel's high-water mark of resident memory) before and after
//! intake, and the parent also samples it while the child runs.

use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::evidence::Acquisition;
use casefile_core::{Error, Library};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

const GIB: u64 = 1 << 30;

fn other(path: &Path, msg: String) -> Error {
    Error::io(path, std::io::Error::other(msg))
}

pub fn run(gib: u64, dir: Option<PathBuf>) -> Result<(), Error> {
    let base = dir.unwrap_or_else(std::env::temp_dir);
    let size = gib * GIB;
    // The vault copy is real; leave a margin for the database and everything else.
    let needed = size + GIB;
    match crate::sys::free_bytes(&base) {
        Some(free) if free < needed => {
            return Err(other(
                &base,
                format!(
                    "{} GiB free, {} GiB needed for the vault copy; choose --dir",
                    free / GIB,
                    needed / GIB
                ),
            ))
        }
        Some(free) => println!(
            "{:.1} GiB free in {} ({:.0} GiB needed)",
            free as f64 / GIB as f64,
            base.display(),
            needed as f64 / GIB as f64
        ),
        None => println!(
            "could not read the free space of {} (df); going on",
            base.display()
        ),
    }
    let work = base.join(format!("casefile-bench-memory-{}", std::process::id()));
    let result = measure(&work, size);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn measure(work: &Path, size: u64) -> Result<(), Error> {
    std::fs::create_dir_all(work).map_err(|e| Error::io(work, e))?;
    let source = work.join("long-video.bin");
    File::create(&source)
        .and_then(|f| f.set_len(size))
        .map_err(|e| Error::io(&source, e))?;
    let library = work.join("library");
    println!(
        "source: {} ({} GiB sparse file: reads as zeros, no disk)",
        source.display(),
        size / GIB
    );

    let exe = std::env::current_exe().map_err(|e| Error::io("current_exe", e))?;
    let t = Instant::now();
    let mut child = Command::new(&exe)
        .arg("intake-child")
        .arg("--data-dir")
        .arg(&library)
        .arg(&source)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Error::io(&exe, e))?;
    let pid = child.id().to_string();
    let mut sampled = 0u64;
    let status = loop {
        if let Some(kib) = crate::sys::vm_hwm_kib(&pid) {
            sampled = sampled.max(kib);
        }
        match child.try_wait().map_err(|e| Error::io(&exe, e))? {
            Some(s) => break s,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let wall = t.elapsed().as_secs_f64();
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        use std::io::Read;
        s.read_to_string(&mut out).map_err(|e| Error::io(&exe, e))?;
    }
    if !status.success() {
        return Err(other(
            &exe,
            format!("the intake child failed ({status}): {out}"),
        ));
    }
    let field = |key: &str| -> Option<f64> {
        out.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|v| v.trim().parse().ok()))
    };
    let (before, peak, secs) = match (
        field("hwm_before_kib="),
        field("hwm_after_kib="),
        field("intake_secs="),
    ) {
        (Some(b), Some(p), Some(s)) => (b, p, s),
        _ => {
            return Err(other(
                &exe,
                format!("unexpected output from the intake child: {out}"),
            ))
        }
    };
    let peak = peak.max(sampled as f64);
    println!("intake of {} GiB: {:.1} s in add_evidence ({:.2} GB/s; {:.1} s wall for the child process)", size / GIB, secs, size as f64 / secs / 1e9, wall);
    println!(
        "peak RSS (VmHWM) of the intake process: {:.1} MiB   (target < 100 MiB)",
        peak / 1024.0
    );
    println!(
        "  of which before intake (binary, SQLite, open library): {:.1} MiB",
        before / 1024.0
    );
    Ok(())
}

/// The hidden child: opens a fresh library, takes in the files, prints its figures.
pub fn child(data_dir: &Path, files: &[PathBuf]) -> Result<(), Error> {
    let mut lib = Library::open_for_tests(data_dir, Arc::new(SystemClock))?;
    let case = lib.create_case(NewCase {
        title: "Memory benchmark".into(),
        reference: None,
        description: String::new(),
    })?;
    let before = crate::sys::vm_hwm_kib("self").unwrap_or(0);
    let t = Instant::now();
    let report = lib.add_evidence(
        &case.id,
        files,
        &Acquisition::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    )?;
    let secs = t.elapsed().as_secs_f64();
    if report.added.len() != files.len() {
        return Err(other(
            data_dir,
            format!(
                "{} of {} files were taken in: {:?}",
                report.added.len(),
                files.len(),
                report.failed
            ),
        ));
    }
    let after = crate::sys::vm_hwm_kib("self").unwrap_or(0);
    println!("hwm_before_kib={before}\nhwm_after_kib={after}\nintake_secs={secs}");
    Ok(())
}
