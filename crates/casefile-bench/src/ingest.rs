//! `casefile-bench ingest`: how fast evidence intake is next to the tools an investigator would
//! otherwise trust to hash the same files.
//!
//! Intake does more than hash: it makes a durable copy (fsync), reads metadata and records each
//! item with its custody entry. The yardstick is still `openssl dgst -sha256` (SHA-NI where the
//! CPU has it), because reading and hashing every byte once is the floor that no intake can go
//! below; `sha256sum` and a naive read→hash→write→fsync loop are printed for context.
//!
//! Fairness: the generated files are fsynced, then read once, before anything is timed, so every
//! tool reads them from the page cache. The measurements run in rounds (each tool in turn) so that
//! a slow spell of a shared disk or CPU hits all of them; the best round is reported, with the
//! median and every round. Figures are decimal GB/s of source bytes.
//!
//! Within a round each measurement runs twice back to back and the second run is timed. On a VM
//! the first of two runs that write a GiB can be several times slower (measured on the
//! Firecracker VM this was written on: the kernel's copy into fresh page-cache pages,
//! `copy_folio_from_iter_atomic`, took 44% of the samples instead of 3%), so without this the
//! figures say more about which measurement follows an idle moment than about the code.
//! `--cold` times the first run instead.
//!
//! Intake has to write every byte durably, so on a slow or noisy disk it is bounded by the disk,
//! not by hashing. Two context lines tell the two apart: a plain copy with fsync (the disk's
//! floor) and intake into a library on `/dev/shm` (no disk: the code's own ceiling).

use crate::gen;
use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::evidence::{Acquisition, IngestReport, Progress, BATCH_BYTES, BATCH_FILES};
use casefile_core::vault::Vault;
use casefile_core::{Error, Library};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;
/// The generator's seed: the same files on every run and every machine.
const SEED: u64 = 0xCA5E_F11E;

pub struct Options {
    pub dir: Option<PathBuf>,
    pub total_mib: u64,
    pub min_mib: u64,
    pub max_mib: u64,
    pub runs: usize,
    pub keep: bool,
    /// Time the first run of each measurement instead of a second, back-to-back one.
    pub cold: bool,
}

/// Best (shortest) of several timed runs, kept whole so that the spread can be printed.
struct Series(Vec<f64>);

impl Series {
    fn best(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn median(&self) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
    fn gbps(&self, bytes: u64) -> f64 {
        bytes as f64 / self.best() / 1e9
    }
    fn median_gbps(&self, bytes: u64) -> f64 {
        bytes as f64 / self.median() / 1e9
    }
    fn all(&self, bytes: u64) -> String {
        self.0
            .iter()
            .map(|s| format!("{:.2}", bytes as f64 / s / 1e9))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Where one `add_evidence` call spent its time, told apart by its progress callbacks: between
/// "file started" and "file done" a file is staged (read, hashed, copied to a temp file, its
/// metadata read); between "file done" and the next start a batch may be recorded (fsync,
/// rename, SQLite transaction).
#[derive(Default, Clone, Copy)]
struct Phases {
    staging: Duration,
    recording: Duration,
}

struct PhaseClock {
    phases: Phases,
    last: Instant,
    ends: usize,
}

impl PhaseClock {
    fn new() -> PhaseClock {
        PhaseClock {
            phases: Phases::default(),
            last: Instant::now(),
            ends: 0,
        }
    }
    fn on_progress(&mut self, p: &Progress) {
        let now = Instant::now();
        let dt = now - self.last;
        if p.files_done > self.ends {
            self.phases.staging += dt;
            self.ends = p.files_done;
        } else {
            self.phases.recording += dt;
        }
        self.last = now;
    }
}

fn other(path: &Path, msg: String) -> Error {
    Error::io(path, std::io::Error::other(msg))
}

pub fn run(o: Options) -> Result<(), Error> {
    if o.min_mib == 0 || o.min_mib > o.max_mib || o.total_mib == 0 || o.runs == 0 {
        return Err(Error::invalid(
            "size",
            "need 0 < --min-mib <= --max-mib, --total-mib > 0 and --runs > 0",
        ));
    }
    let work = o
        .dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("casefile-bench-ingest-{}", std::process::id()));
    let result = measure(&o, &work);
    if o.keep {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn measure(o: &Options, work: &Path) -> Result<(), Error> {
    let src = work.join("source");
    let t = Instant::now();
    let files = gen::files(
        &src,
        o.total_mib * MIB,
        o.min_mib * MIB,
        o.max_mib * MIB,
        SEED,
    )?;
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    println!(
        "generated {} files, {:.0} MiB ({}–{} MiB each, every 10th with a JPEG header) in {} ({:.1} s)",
        files.len(),
        bytes as f64 / MIB as f64,
        o.min_mib,
        o.max_mib,
        src.display(),
        t.elapsed().as_secs_f64()
    );
    hash_in_process(&files)?;
    let needed = 2 * bytes + 64 * MIB;
    if let Some(free) = crate::sys::free_bytes(work) {
        if free < needed {
            return Err(other(
                work,
                format!(
                    "{} MiB free, {} MiB needed; choose --dir or fewer --runs",
                    free / MIB,
                    needed / MIB
                ),
            ));
        }
    }
    let tmpfs = Path::new("/dev/shm");
    let tmpfs = (tmpfs.is_dir() && crate::sys::free_bytes(tmpfs).is_some_and(|f| f > 2 * bytes))
        .then(|| tmpfs.join(format!("casefile-bench-ingest-ram-{}", std::process::id())));
    println!(
        "page cache: files fsynced after writing and read once before timing. {} rounds, each running every measurement \
         in turn, {}; each line shows the best round, the median and every round in brackets. \
         GB/s = 10^9 source bytes per second of wall time",
        o.runs,
        if o.cold { "timing its only run (--cold)" } else { "twice back to back, timing the second run" }
    );
    println!();

    let (
        mut openssl,
        mut sha256sum,
        mut ours,
        mut naive,
        mut copy,
        mut ram,
        mut hash_only,
        mut relaxed,
    ) = (
        Series(vec![]),
        Series(vec![]),
        Series(vec![]),
        Series(vec![]),
        Series(vec![]),
        Series(vec![]),
        Series(vec![]),
        Series(vec![]),
    );
    let mut openssl_out = String::new();
    let mut best_phases = Phases::default();
    let mut all_phases = Vec::new();
    let mut report = IngestReport::default();
    // 0: the untimed warm-up run, 1: the timed one.
    let passes = if o.cold { 1..2 } else { 0..2 };
    for i in 0..o.runs {
        for pass in passes.clone() {
            let (s, out) = time_tool("openssl", &["dgst", "-sha256"], &files)?;
            if pass == 1 {
                openssl.0.push(s);
                openssl_out = out;
            }
        }
        for pass in passes.clone() {
            let (s, _) = time_tool("sha256sum", &[], &files)?;
            if pass == 1 {
                sha256sum.0.push(s);
            }
        }
        for pass in passes.clone() {
            let lib = work.join(format!("library-{i}-{pass}"));
            let (s, phases, r) = ours_once(&lib, &files)?;
            settle(&lib)?;
            if pass == 1 {
                if s <= ours.best() {
                    best_phases = phases;
                }
                ours.0.push(s);
                all_phases.push(phases);
                report = r;
            }
        }
        for pass in passes.clone() {
            let lib = work.join(format!("relaxed-{i}-{pass}"));
            let (s, _, _) = ours_once_with(&lib, &files, false)?;
            settle(&lib)?;
            if pass == 1 {
                relaxed.0.push(s);
            }
        }
        for pass in passes.clone() {
            let out = work.join(format!("naive-{i}-{pass}"));
            let s = naive_once(&out, &files)?;
            settle(&out)?;
            if pass == 1 {
                naive.0.push(s);
            }
        }
        for pass in passes.clone() {
            let out = work.join(format!("copy-{i}-{pass}"));
            let s = copy_once(&out, &files)?;
            settle(&out)?;
            if pass == 1 {
                copy.0.push(s);
            }
        }
        if let Some(t) = &tmpfs {
            for pass in passes.clone() {
                let result = ours_once(&t.join(format!("library-{i}-{pass}")), &files);
                let _ = std::fs::remove_dir_all(t);
                if pass == 1 {
                    ram.0.push(result?.0);
                }
            }
        }
        for pass in passes.clone() {
            let s = hash_in_process(&files)?;
            if pass == 1 {
                hash_only.0.push(s);
            }
        }
    }

    check_digests(&report, &openssl_out, files.len())?;

    let row = |name: &str, s: &Series| {
        println!(
            "{name:<62} {:>5.2} GB/s  median {:>5.2}  [{}]",
            s.gbps(bytes),
            s.median_gbps(bytes),
            s.all(bytes)
        )
    };
    row("openssl dgst -sha256 FILES...", &openssl);
    row("sha256sum FILES...", &sha256sum);
    row(
        "casefile intake (Library::add_evidence, fresh library)",
        &ours,
    );
    println!();
    println!(
        "ours / openssl   = {:.2} best, {:.2} median   (target ≥ 0.60)",
        ours.gbps(bytes) / openssl.gbps(bytes),
        ours.median_gbps(bytes) / openssl.median_gbps(bytes)
    );
    println!(
        "ours / sha256sum = {:.2} best, {:.2} median",
        ours.gbps(bytes) / sha256sum.gbps(bytes),
        ours.median_gbps(bytes) / sha256sum.median_gbps(bytes)
    );
    println!();
    println!("durability (the library commits with synchronous=FULL, so a committed custody entry survives power loss):");
    row(
        "  casefile intake with synchronous=NORMAL instead (not shipped)",
        &relaxed,
    );
    println!(
        "  FULL costs {:+.1}% best, {:+.1}% median ({} commits: batches of up to {BATCH_FILES} files or {} MiB, one WAL fsync each)",
        100.0 * (ours.best() / relaxed.best() - 1.0),
        100.0 * (ours.median() / relaxed.median() - 1.0),
        batches(&files),
        BATCH_BYTES / MIB
    );
    println!();
    println!("for context:");
    row(
        "  naive loop: per file read→SHA-256→write→fsync, one thread",
        &naive,
    );
    println!(
        "  naive / openssl = {:.2} best, {:.2} median",
        naive.gbps(bytes) / openssl.gbps(bytes),
        naive.median_gbps(bytes) / openssl.median_gbps(bytes)
    );
    row(
        "  copy only (read→write, fsync per 32 files, no hash): the disk",
        &copy,
    );
    row(
        "  read + SHA-256 only, in this process (sha2 crate)",
        &hash_only,
    );
    if tmpfs.is_some() {
        row(
            "  casefile intake into a library on /dev/shm (no disk)",
            &ram,
        );
    }
    println!();

    let total = best_phases.staging + best_phases.recording;
    println!("where our best run's time went (from add_evidence's progress callbacks):");
    println!(
        "  staging   (read, hash ∥ copy to temp file, metadata)   {:6.2} s  {:5.2} GB/s",
        best_phases.staging.as_secs_f64(),
        bytes as f64 / best_phases.staging.as_secs_f64() / 1e9
    );
    println!(
        "  recording (per batch: fsync, rename, dir fsync, SQLite) {:6.2} s  ({:.0}% of {:.2} s)",
        best_phases.recording.as_secs_f64(),
        100.0 * best_phases.recording.as_secs_f64() / total.as_secs_f64(),
        total.as_secs_f64()
    );
    let list = |f: fn(&Phases) -> Duration| {
        all_phases
            .iter()
            .map(|p| format!("{:.2}", f(p).as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "  every round, seconds: staging [{}], recording [{}]",
        list(|p| p.staging),
        list(|p| p.recording)
    );
    let mut stage_commit = (0.0, 0.0);
    for pass in passes {
        stage_commit = vault_only(&work.join(format!("vault-only-{pass}")), &files)?;
    }
    let (stage, commit) = stage_commit;
    println!("the vault alone, one timed run (Vault::stage every file, then Vault::commit in batches of {BATCH_FILES}):");
    println!(
        "  stage  {:6.2} s  {:5.2} GB/s",
        stage,
        bytes as f64 / stage / 1e9
    );
    println!("  commit {:6.2} s  (fsync, rename, dir fsync)", commit);
    Ok(())
}

/// How many batches intake commits for `files`: it closes a batch at `BATCH_FILES` files or
/// `BATCH_BYTES` bytes, as `records/evidence.rs` does.
fn batches(files: &[PathBuf]) -> usize {
    let (mut n, mut count, mut bytes) = (0, 0, 0u64);
    for f in files {
        count += 1;
        bytes += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        if count >= BATCH_FILES || bytes >= BATCH_BYTES {
            (n, count, bytes) = (n + 1, 0, 0);
        }
    }
    n + (count > 0) as usize
}

/// Removes what a timed run wrote and waits for the filesystem to finish with it (`sync`), so
/// that freeing it (online discard, page-cache release) does not slow the next measurement.
fn settle(dir: &Path) -> Result<(), Error> {
    std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    Command::new("sync")
        .status()
        .map_err(|e| Error::io("sync", e))?;
    Ok(())
}

/// Runs `prog args FILES...` once; returns the wall time and what it printed.
fn time_tool(prog: &str, args: &[&str], files: &[PathBuf]) -> Result<(f64, String), Error> {
    let t = Instant::now();
    let out = Command::new(prog)
        .args(args)
        .args(files)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::io(prog, e))?;
    let s = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(other(
            Path::new(prog),
            format!("{prog} exited with {}", out.status),
        ));
    }
    Ok((s, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// One intake into a fresh library; only `add_evidence` is timed (not opening the library).
fn ours_once(lib_dir: &Path, files: &[PathBuf]) -> Result<(f64, Phases, IngestReport), Error> {
    ours_once_with(lib_dir, files, true)
}

/// [`ours_once`], with `full == false` running SQLite at `synchronous=NORMAL` to show what
/// durability costs.
fn ours_once_with(
    lib_dir: &Path,
    files: &[PathBuf],
    full: bool,
) -> Result<(f64, Phases, IngestReport), Error> {
    let mut lib = Library::open_for_tests(lib_dir, Arc::new(SystemClock))?;
    if !full {
        lib.bench_only_relax_durability()?;
    }
    let case = lib.create_case(NewCase {
        title: "Intake benchmark".into(),
        reference: None,
        description: String::new(),
    })?;
    let mut clock = PhaseClock::new();
    let t = Instant::now();
    clock.last = t;
    let report = lib.add_evidence(
        &case.id,
        files,
        &Acquisition::default(),
        &AtomicBool::new(false),
        &mut |p| clock.on_progress(p),
    )?;
    let s = t.elapsed().as_secs_f64();
    if !report.failed.is_empty() || report.added.len() != files.len() || report.cancelled {
        return Err(other(
            lib_dir,
            format!(
                "intake took {} of {} files; failures: {:?}",
                report.added.len(),
                files.len(),
                report.failed
            ),
        ));
    }
    Ok((s, clock.phases, report))
}

/// What a first attempt at intake would do: per file, read a chunk, hash it, write it, and
/// fsync the copy before the next file.
fn naive_once(out: &Path, files: &[PathBuf]) -> Result<f64, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut buf = vec![0u8; MIB as usize];
    let t = Instant::now();
    for (i, f) in files.iter().enumerate() {
        let mut src = File::open(f).map_err(|e| Error::io(f, e))?;
        let dst_path = out.join(i.to_string());
        let mut dst = File::create(&dst_path).map_err(|e| Error::io(&dst_path, e))?;
        let mut h = Sha256::new();
        loop {
            let n = src.read(&mut buf).map_err(|e| Error::io(f, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            dst.write_all(&buf[..n])
                .map_err(|e| Error::io(&dst_path, e))?;
        }
        dst.sync_all().map_err(|e| Error::io(&dst_path, e))?;
        std::hint::black_box(h.finalize());
    }
    Ok(t.elapsed().as_secs_f64())
}

/// The durable-copy floor of this disk: the same bytes copied with no hashing, made durable
/// per batch like intake does.
fn copy_once(out: &Path, files: &[PathBuf]) -> Result<f64, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut buf = vec![0u8; MIB as usize];
    let t = Instant::now();
    for (b, batch) in files.chunks(BATCH_FILES).enumerate() {
        let mut written = Vec::with_capacity(batch.len());
        for (i, f) in batch.iter().enumerate() {
            let mut src = File::open(f).map_err(|e| Error::io(f, e))?;
            let dst_path = out.join(format!("{b}-{i}"));
            let mut dst = File::create(&dst_path).map_err(|e| Error::io(&dst_path, e))?;
            loop {
                let n = src.read(&mut buf).map_err(|e| Error::io(f, e))?;
                if n == 0 {
                    break;
                }
                dst.write_all(&buf[..n])
                    .map_err(|e| Error::io(&dst_path, e))?;
            }
            written.push((dst_path, dst));
        }
        for (p, f) in &written {
            f.sync_all().map_err(|e| Error::io(p, e))?;
        }
    }
    File::open(out)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(out, e))?;
    Ok(t.elapsed().as_secs_f64())
}

/// Reads and hashes every file on one thread, writing nothing: the in-process hashing ceiling
/// (and the warm-up read that puts the files in the page cache).
fn hash_in_process(files: &[PathBuf]) -> Result<f64, Error> {
    let mut buf = vec![0u8; MIB as usize];
    let t = Instant::now();
    for f in files {
        let mut src = File::open(f).map_err(|e| Error::io(f, e))?;
        let mut h = Sha256::new();
        loop {
            let n = src.read(&mut buf).map_err(|e| Error::io(f, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        std::hint::black_box(h.finalize());
    }
    Ok(t.elapsed().as_secs_f64())
}

/// Stages every file into a fresh vault, then commits them in batches, timing the two apart.
fn vault_only(root: &Path, files: &[PathBuf]) -> Result<(f64, f64), Error> {
    let vault = Vault::open(root, None)?;
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let mut staged = Vec::with_capacity(files.len());
    for f in files {
        match vault.stage(f, &cancel, &mut |_| {}) {
            Ok(s) => staged.push(s),
            Err(casefile_core::vault::StageError::Failed(e)) => return Err(e),
            Err(casefile_core::vault::StageError::Cancelled) => {
                return Err(other(f, "cancelled".into()))
            }
        }
    }
    let stage = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for batch in staged.chunks(BATCH_FILES) {
        vault.commit(batch)?;
    }
    let commit = t.elapsed().as_secs_f64();
    settle(root)?;
    Ok((stage, commit))
}

/// Checks that intake recorded, for every file, the digest openssl printed for it.
fn check_digests(report: &IngestReport, openssl_out: &str, n: usize) -> Result<(), Error> {
    // OpenSSL 3 prints "SHA2-256(path)= hex", OpenSSL 1.1 "SHA256(path)= hex".
    let theirs: HashMap<&str, &str> = openssl_out
        .lines()
        .filter_map(|l| {
            let (left, hex) = l.rsplit_once("= ")?;
            let path = left.split_once('(')?.1.strip_suffix(')')?;
            Some((path, hex.trim()))
        })
        .collect();
    let agree = report
        .added
        .iter()
        .filter(|e| theirs.get(e.source_path.as_str()) == Some(&e.sha256.as_str()))
        .count();
    if agree != n {
        return Err(other(
            Path::new("openssl"),
            format!("only {agree} of {n} intake digests match openssl's"),
        ));
    }
    println!("check: the SHA-256 recorded by intake matches openssl's for all {n} files");
    Ok(())
}
