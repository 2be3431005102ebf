//! `casefile-bench verify-memory`: peak memory and time of verifying a bundle (and, for the
//! genuine one, importing it), each in a child process, on bundles built to exhaust memory and
//! on a genuine large one. The target is a peak resident set under 256 MiB for every bundle.
//!
//! Hostile ZIPs, each a real bag whose `data/case.json` is replaced by a deflated stream that
//! inflates to `--hostile-mb` (default 900 MB):
//!   - `{}` objects, about 1000:1: a classic ZIP bomb;
//!   - `{}` objects with random whitespace, about 50:1, under the reader's ratio check, so the
//!     JSON reader's own limits must stop it;
//!   - tiny statements that each carry a distinct id (what verification keeps per record).
//!
//! Genuine: a case of `--incidents` incidents and `--statements` statements (with witnesses)
//! made through the ordinary core operations, exported as a full ZIP bundle.
//!
//! The child is this binary again (`verify-child`, hidden), which prints its own `VmHWM` (the
//! kernel's high-water mark of its resident memory) when done; the parent samples it as well.

use casefile_core::bundle::{export_case, verify_bundle, ExportOptions, ExportProfile};
use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::dates::{DateInput, DatePrecision};
use casefile_core::incidents::IncidentInput;
use casefile_core::persons::PersonInput;
use casefile_core::statements::StatementInput;
use casefile_core::{Error, Library};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET_MIB: f64 = 256.0;

fn other(path: &Path, msg: String) -> Error {
    Error::io(path, std::io::Error::other(msg))
}

pub struct Options {
    pub dir: Option<PathBuf>,
    pub incidents: usize,
    pub statements: usize,
    pub hostile_mb: u64,
    pub keep: bool,
}

pub fn run(o: Options) -> Result<(), Error> {
    let base = o.dir.clone().unwrap_or_else(std::env::temp_dir);
    let work = base.join(format!(
        "casefile-bench-verify-memory-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;
    let result = measure_all(&work, &o);
    if o.keep {
        println!("kept: {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn measure_all(work: &Path, o: &Options) -> Result<(), Error> {
    println!(
        "peak RSS (VmHWM) of verify (and import) in a child process; target < {TARGET_MIB} MiB\n"
    );

    // A small real case as the base of the hostile bags.
    let small = work.join("small-lib");
    let mut lib = Library::open_for_tests(&small, Arc::new(SystemClock))?;
    lib.set_profile("Benchmark", "casefile-bench")?;
    let case = lib
        .create_case(NewCase {
            title: "Hostile base".into(),
            ..Default::default()
        })?
        .id;
    lib.create_incident(
        &case,
        IncidentInput {
            title: "One incident".into(),
            ..Default::default()
        },
    )?;
    let base_zip = work.join("base.zip");
    export_case(
        &mut lib,
        &case,
        &base_zip,
        &ExportOptions::new(ExportProfile::Full, true),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )?;
    drop(lib);

    let total = o.hostile_mb * 1_000_000;
    let head = "{\"schema\":\"casefile-case\",\"schema_version\":2,\"profile\":\"full\",\"exported_at\":\"2026-01-01T00:00:00Z\",";
    let hostile: [(&str, String, Filler); 3] = [
        (
            "{} objects, about 1000:1",
            format!("{head}\"incidents\":["),
            Filler::Objects { sprinkle_every: 0 },
        ),
        (
            "{} objects with whitespace, about 50:1",
            format!("{head}\"incidents\":["),
            Filler::Objects { sprinkle_every: 40 },
        ),
        (
            "tiny statements, each with its own id",
            format!("{head}\"statements\":["),
            Filler::Statements,
        ),
    ];
    let mut rows = Vec::new();
    for (i, (what, head, filler)) in hostile.iter().enumerate() {
        let path = work.join(format!("hostile-{i}.zip"));
        let t = Instant::now();
        write_hostile(&base_zip, &path, head.as_bytes(), filler, total)?;
        let size = std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, e))?
            .len();
        println!(
            "built hostile ZIP: {what}: case.json inflates to {:.2} GB, the ZIP is {:.1} MB ({:.0}:1), in {:.1} s",
            total as f64 / 1e9,
            size as f64 / 1e6,
            total as f64 / size as f64,
            t.elapsed().as_secs_f64()
        );
        rows.push((format!("hostile: {what}"), child(&path, None)?));
        let _ = std::fs::remove_file(&path);
    }
    println!();

    // The genuine bundle.
    let t = Instant::now();
    let lib_dir = work.join("genuine-lib");
    let (case, n_records) = genuine_case(&lib_dir, o.incidents, o.statements)?;
    println!(
        "made a case of {} incidents and {} statements ({n_records} records with the case and witnesses, and {} statement versions) in {:.1} s",
        o.incidents,
        o.statements,
        o.statements,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let bundle = work.join("genuine.zip");
    {
        let mut lib = Library::open_for_tests(&lib_dir, Arc::new(SystemClock))?;
        export_case(
            &mut lib,
            &case,
            &bundle,
            &ExportOptions::new(ExportProfile::Full, true),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )?;
    }
    let size = std::fs::metadata(&bundle)
        .map_err(|e| Error::io(&bundle, e))?
        .len();
    println!(
        "exported it as a ZIP of {:.1} MB in {:.1} s\n",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    rows.push(("genuine: verify".into(), child(&bundle, None)?));
    rows.push((
        "genuine: import into an empty library".into(),
        child(&bundle, Some(&work.join("import-lib")))?,
    ));

    println!("{:<52} {:>8} {:>14}  verdict", "bundle", "time", "peak RSS");
    for (what, m) in &rows {
        let mark = if m.peak_mib < TARGET_MIB {
            ""
        } else {
            "  (over the target)"
        };
        println!(
            "{what:<52} {:>6.1} s {:>10.1} MiB  {}{mark}",
            m.secs, m.peak_mib, m.verdict
        );
    }
    let worst = rows.iter().map(|(_, m)| m.peak_mib).fold(0.0, f64::max);
    println!("\nhighest peak: {worst:.1} MiB (target < {TARGET_MIB} MiB)");
    Ok(())
}

enum Filler {
    /// `{},` repeated, with two random whitespace bytes every `sprinkle_every` objects (0: none).
    Objects { sprinkle_every: usize },
    /// `{"id":"<distinct>","version":1},` repeated.
    Statements,
}

/// The bag at `base` (a ZIP) with its case.json replaced by `head`, filler up to `total` bytes,
/// and an end that closes the document.
fn write_hostile(
    base: &Path,
    dst: &Path,
    head: &[u8],
    filler: &Filler,
    total: u64,
) -> Result<(), Error> {
    let zerr = |e: zip::result::ZipError| other(dst, e.to_string());
    let ioerr = |e: std::io::Error| Error::io(dst, e);
    let mut src =
        zip::ZipArchive::new(File::open(base).map_err(|e| Error::io(base, e))?).map_err(zerr)?;
    let mut w = zip::ZipWriter::new(BufWriter::new(File::create(dst).map_err(ioerr)?));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    let mut case_json = None;
    for i in 0..src.len() {
        let mut e = src.by_index(i).map_err(zerr)?;
        let name = e.name().to_string();
        if name.ends_with("/data/case.json") {
            case_json = Some(name);
            continue;
        }
        let mut body = Vec::new();
        e.read_to_end(&mut body).map_err(ioerr)?;
        w.start_file(name.as_str(), stored).map_err(zerr)?;
        w.write_all(&body).map_err(ioerr)?;
    }
    let name = case_json.ok_or_else(|| other(base, "no case.json".into()))?;
    let level = if matches!(filler, Filler::Objects { sprinkle_every: 0 }) {
        6
    } else {
        1
    };
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(level))
        .large_file(total > u32::MAX as u64)
        .unix_permissions(0o644);
    w.start_file(name.as_str(), deflated).map_err(zerr)?;
    w.write_all(head).map_err(ioerr)?;
    let mut written = head.len() as u64;
    let mut buf = Vec::with_capacity(1 << 20);
    let mut rng = crate::gen::Rng::new(42);
    let mut n = 0u64;
    while written + (1 << 20) < total {
        buf.clear();
        while buf.len() < (1 << 20) - 64 {
            match filler {
                Filler::Objects { sprinkle_every } => {
                    buf.extend_from_slice(b"{},");
                    if *sprinkle_every > 0 && n.is_multiple_of(*sprinkle_every as u64) {
                        let r = rng.next_u64();
                        buf.push([b' ', b'\n', b'\t', b'\r'][(r & 3) as usize]);
                        buf.push([b' ', b'\n', b'\t', b'\r'][((r >> 2) & 3) as usize]);
                    }
                }
                Filler::Statements => {
                    write!(
                        buf,
                        "{{\"id\":\"{:08x}-{:04x}-7000-8000-000000000000\",\"version\":1}},",
                        n & 0xffff_ffff,
                        n >> 32
                    )
                    .map_err(ioerr)?;
                }
            }
            n += 1;
        }
        w.write_all(&buf).map_err(ioerr)?;
        written += buf.len() as u64;
    }
    w.write_all(b"{}]}").map_err(ioerr)?;
    w.finish().map_err(zerr)?;
    Ok(())
}

/// A case made through the ordinary operations: incidents, one witness per ten statements,
/// statements (each with its first version). Returns the case id and the number of records
/// (the case, incidents, witnesses, statements).
fn genuine_case(dir: &Path, incidents: usize, statements: usize) -> Result<(String, usize), Error> {
    let mut lib = Library::open_for_tests(dir, Arc::new(SystemClock))?;
    lib.set_profile("Benchmark", "casefile-bench")?;
    let case = lib
        .create_case(NewCase {
            title: format!("Verify benchmark: {incidents} incidents, {statements} statements"),
            ..Default::default()
        })?
        .id;
    for i in 0..incidents {
        lib.create_incident(&case, IncidentInput {
            title: format!("Incident {:06}: strike on a residential building", i + 1),
            description: format!("Generated incident number {}: a missile hit the building at night; residents sheltered in the basement.", i + 1),
            date: DateInput { precision: DatePrecision::Day, from: Some(format!("2022-{:02}-{:02}", 3 + i % 9, 1 + i % 28)), ..Default::default() },
            place_name: format!("Street {} No. {}", (i * 7) % 97, i % 120),
            country: "Ukraine".into(),
            ..Default::default()
        })?;
    }
    let mut witness = String::new();
    let mut persons = 0;
    for i in 0..statements {
        if i % 10 == 0 {
            witness = lib
                .create_person(
                    &case,
                    PersonInput {
                        roles: vec!["witness".into()],
                        ..Default::default()
                    },
                )?
                .id;
            persons += 1;
        }
        lib.create_statement(&case, StatementInput {
            witness_id: witness.clone(),
            title: format!("Statement {:06}", i + 1),
            text: format!("Generated statement {}: I was in the basement when the building was hit; we came out at dawn.", i + 1),
            ..Default::default()
        })?;
    }
    Ok((case, 1 + incidents + persons + statements))
}

struct Measured {
    secs: f64,
    peak_mib: f64,
    verdict: String,
}

/// Runs `verify-child` on `bundle` (importing into `import_into` if given) and returns its time,
/// peak RSS and verdict.
fn child(bundle: &Path, import_into: Option<&Path>) -> Result<Measured, Error> {
    let exe = std::env::current_exe().map_err(|e| Error::io("current_exe", e))?;
    let mut cmd = Command::new(&exe);
    cmd.arg("verify-child").arg(bundle);
    if let Some(d) = import_into {
        cmd.arg("--import-into").arg(d);
    }
    let t = Instant::now();
    let mut c = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Error::io(&exe, e))?;
    let pid = c.id().to_string();
    let mut sampled = 0u64;
    let status = loop {
        if let Some(kib) = crate::sys::vm_hwm_kib(&pid) {
            sampled = sampled.max(kib);
        }
        match c.try_wait().map_err(|e| Error::io(&exe, e))? {
            Some(s) => break s,
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let mut out = String::new();
    if let Some(mut s) = c.stdout.take() {
        s.read_to_string(&mut out).map_err(|e| Error::io(&exe, e))?;
    }
    let field = |k: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::to_string)
    };
    let (Some(hwm), Some(verdict)) = (field("hwm_kib="), field("verdict=")) else {
        return Err(other(
            &exe,
            format!("unexpected output from verify-child ({status}): {out}"),
        ));
    };
    let peak = hwm.parse::<u64>().unwrap_or(0).max(sampled);
    Ok(Measured {
        secs,
        peak_mib: peak as f64 / 1024.0,
        verdict,
    })
}

/// The hidden child: verifies (or imports) one bundle and prints its own peak RSS and verdict.
pub fn child_main(bundle: &Path, import_into: Option<&Path>) -> Result<(), Error> {
    let short = |s: String| -> String {
        let s = s.replace('\n', " ");
        if s.chars().count() > 150 {
            format!("{}…", s.chars().take(150).collect::<String>())
        } else {
            s
        }
    };
    let verdict = match import_into {
        None => match verify_bundle(bundle) {
            Ok(r) if r.ok => format!(
                "verified: {} records, {} custody entries",
                r.records, r.custody_entries
            ),
            Ok(r) => {
                let first = r
                    .problems
                    .iter()
                    .find(|p| p.file.as_deref() != Some("bag-info.txt"))
                    .or(r.problems.first());
                short(format!(
                    "refused ({} problems): {}: {}",
                    r.problems.len() + r.problems_not_listed,
                    first.and_then(|p| p.file.clone()).unwrap_or_default(),
                    first.map(|p| p.message.clone()).unwrap_or_default()
                ))
            }
            Err(e) => short(format!("refused on opening: {e}")),
        },
        Some(dir) => {
            let mut lib = Library::open_for_tests(dir, Arc::new(SystemClock))?;
            lib.set_profile("Benchmark", "casefile-bench")?;
            match lib.import_bundle(bundle, &AtomicBool::new(false), &mut |_, _| {}) {
                Ok(r) => format!(
                    "imported: {} records added, {} custody entries received",
                    r.counts.added, r.custody_entries_received
                ),
                Err(e) => short(format!("import refused ({}): {e}", e.code())),
            }
        }
    };
    let hwm = crate::sys::vm_hwm_kib("self").unwrap_or(0);
    println!("hwm_kib={hwm}\nverdict={verdict}");
    Ok(())
}
