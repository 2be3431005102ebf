//! `casefile-bench`: benchmarks that print figures (never pass/fail on time), and generators of
//! large libraries for them and for the E2E tests.
//!
//!   casefile-bench seed --data-dir DIR --incidents 10000 [--statements N]
//!       creates a case with N generated incidents (through the ordinary core operations, so
//!       each has its custody entry) and prints the case id and the time per record.
//!
//!   casefile-bench ingest [--dir D] [--total-mib 1024] [--min-mib 1] [--max-mib 20] [--runs 3] [--cold]
//!       evidence intake next to `openssl dgst -sha256` and `sha256sum` on the same generated
//!       files (see `ingest.rs`).
//!
//!   casefile-bench memory [--gib 4] [--dir D]
//!       peak memory of taking in one large file, in a child process (see `memory.rs`).
//!
//!   casefile-bench export [--dir D] [--total-mib 1024] [--runs 3]
//!       a ZIP export next to `tar cf` + `sync` of the same vault files (see `export_bench.rs`).
//!
//!   casefile-bench search --data-dir D [--incidents 100000] [--statements 100000] [--reps 40] [--keep-index]
//!       search latency p50/p95 per query class, and index build time (see `search_bench.rs`);
//!       the generated library is kept in D and reused on the next run.
//!
//!   casefile-bench lookalikes [--dir D] [--items 100000] [--near 3000] [--brute N] [--runs 3] [--keep]
//!       the time to find every pair of look-alike items (perceptual hashes within the
//!       duplicate threshold) in a library of N hashed items and one item's look-alikes, next
//!       to comparing every pair (see `lookalikes.rs`).
//!
//!   casefile-bench verify-memory [--dir D] [--incidents 100000] [--statements 50000] [--hostile-mb 900] [--keep]
//!       peak memory and time of verifying hostile ZIPs built to exhaust memory and a genuine
//!       large bundle (and of importing the genuine one), each in a child process (see
//!       `verify_memory.rs`).

mod export_bench;
mod gen;
mod ingest;
mod lookalikes;
mod memory;
mod search_bench;
mod sys;
mod verify_memory;

use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::dates::{DateInput, DatePrecision};
use casefile_core::incidents::IncidentInput;
use casefile_core::persons::PersonInput;
use casefile_core::statements::StatementInput;
use casefile_core::Library;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "casefile-bench")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a case full of generated incidents and statements.
    Seed {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        incidents: usize,
        #[arg(long, default_value_t = 0)]
        statements: usize,
    },
    /// Time evidence intake against openssl and sha256sum on ~1 GiB of generated files.
    Ingest {
        /// Where to put the generated files and libraries (a subdirectory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 1024)]
        total_mib: u64,
        #[arg(long, default_value_t = 1)]
        min_mib: u64,
        #[arg(long, default_value_t = 20)]
        max_mib: u64,
        /// Rounds; each line reports the best round, the median and every round.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Keep the generated files and print where they are.
        #[arg(long)]
        keep: bool,
        /// Time the first run of each measurement, not the second of two back to back.
        #[arg(long)]
        cold: bool,
    },
    /// Export throughput (ZIP, re-hash, fsync) against tar + sync of the same files.
    Export {
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 1024)]
        total_mib: u64,
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Search latency on a generated library of incidents and statements.
    Search {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        incidents: usize,
        #[arg(long, default_value_t = 100_000)]
        statements: usize,
        #[arg(long, default_value_t = 40)]
        reps: usize,
        /// Reuse the index of a kept library as it is (for timing query changes; a changed
        /// tokenizer or index layout needs the rebuild).
        #[arg(long)]
        keep_index: bool,
    },
    /// Time to find every look-alike pair among 100,000 hashed items, next to comparing every pair.
    Lookalikes {
        /// Where to put the generated library (a subdirectory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        /// About this many of the items are near-duplicates (0..=threshold bits) of earlier ones.
        #[arg(long, default_value_t = 3_000)]
        near: usize,
        /// Compare every pair of only the first this many hashes (and scale by n²); by default
        /// every pair of all of them is compared, once.
        #[arg(long)]
        brute: Option<usize>,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Keep the generated library and print where it is.
        #[arg(long)]
        keep: bool,
    },
    /// Peak memory of taking in one large (sparse) file, measured in a child process.
    Memory {
        #[arg(long, default_value_t = 4)]
        gib: u64,
        /// Where to put the file and the library (needs the file's size free: the copy is real).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Peak memory of verifying hostile and genuine large bundles, each in a child process.
    VerifyMemory {
        /// Where to put the bundles and libraries (a subdirectory, removed afterwards).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long, default_value_t = 100_000)]
        incidents: usize,
        #[arg(long, default_value_t = 50_000)]
        statements: usize,
        /// What the hostile bundles' case.json inflates to, in MB.
        #[arg(long, default_value_t = 900)]
        hostile_mb: u64,
        /// Keep the generated bundles and libraries and print where they are.
        #[arg(long)]
        keep: bool,
    },
    /// Verifies (or imports) one bundle and prints its peak memory: the child of `verify-memory`.
    #[command(hide = true)]
    VerifyChild {
        bundle: PathBuf,
        #[arg(long)]
        import_into: Option<PathBuf>,
    },
    /// One intake into a fresh library, printing its peak memory: the child of `memory`, and a
    /// target for a profiler (`perf record casefile-bench intake-child ...`).
    #[command(hide = true)]
    IntakeChild {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

const PLACES: &[(&str, &str)] = &[
    ("Mariupol", "Donetsk"),
    ("Kharkiv", "Kharkiv"),
    ("Bucha", "Kyiv"),
    ("Irpin", "Kyiv"),
    ("Chernihiv", "Chernihiv"),
    ("Izium", "Kharkiv"),
    ("Kherson", "Kherson"),
    ("Mykolaiv", "Mykolaiv"),
    ("Sumy", "Sumy"),
    ("Kramatorsk", "Donetsk"),
];
const TYPES: &[&str] = &[
    "attack_residential",
    "attack_medical",
    "attack_school",
    "indiscriminate_attack",
    "attack_infrastructure",
];

fn main() -> Result<(), casefile_core::Error> {
    match Cli::parse().cmd {
        Cmd::Seed {
            data_dir,
            incidents,
            statements,
        } => seed(&data_dir, incidents, statements),
        Cmd::Ingest {
            dir,
            total_mib,
            min_mib,
            max_mib,
            runs,
            keep,
            cold,
        } => ingest::run(ingest::Options {
            dir,
            total_mib,
            min_mib,
            max_mib,
            runs,
            keep,
            cold,
        }),
        Cmd::Memory { gib, dir } => memory::run(gib, dir),
        Cmd::Export {
            dir,
            total_mib,
            runs,
        } => export_bench::run(&dir.unwrap_or_else(std::env::temp_dir), total_mib, runs)
            .map_err(|e| casefile_core::Error::Unavailable(e.to_string())),
        Cmd::Search {
            data_dir,
            incidents,
            statements,
            reps,
            keep_index,
        } => search_bench::run(&data_dir, incidents, statements, reps, keep_index),
        Cmd::Lookalikes {
            dir,
            items,
            near,
            brute,
            runs,
            keep,
        } => lookalikes::run(lookalikes::Options {
            dir,
            items,
            near,
            brute: brute.unwrap_or(items),
            runs,
            keep,
        }),
        Cmd::IntakeChild { data_dir, files } => memory::child(&data_dir, &files),
        Cmd::VerifyMemory {
            dir,
            incidents,
            statements,
            hostile_mb,
            keep,
        } => verify_memory::run(verify_memory::Options {
            dir,
            incidents,
            statements,
            hostile_mb,
            keep,
        }),
        Cmd::VerifyChild {
            bundle,
            import_into,
        } => verify_memory::child_main(&bundle, import_into.as_deref()),
    }
}

fn seed(dir: &std::path::Path, n: usize, n_statements: usize) -> Result<(), casefile_core::Error> {
    let mut lib = Library::open_for_tests(dir, Arc::new(SystemClock))?;
    let case = lib.create_case(NewCase {
        title: format!("Generated case with {n} incidents"),
        reference: None,
        description: String::new(),
    })?;
    let start = Instant::now();
    for i in 0..n {
        let (town, oblast) = PLACES[i % PLACES.len()];
        let day = 1 + (i % 28);
        let month = 3 + (i / 28) % 10;
        lib.create_incident(
            &case.id,
            IncidentInput {
                title: format!("Incident {:05}: strike in {town}", i + 1),
                description: format!(
                    "Generated incident number {} in {town}, {oblast} oblast.",
                    i + 1
                ),
                date: DateInput {
                    precision: DatePrecision::Day,
                    from: Some(format!("2022-{month:02}-{day:02}")),
                    ..Default::default()
                },
                place_name: format!("Street {} No. {}", (i * 7) % 97, i % 120),
                settlement: town.into(),
                oblast: oblast.into(),
                country: "Ukraine".into(),
                types: vec![TYPES[i % TYPES.len()].into()],
                ..Default::default()
            },
        )?;
    }
    let per_incident = start.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    if n_statements > 0 {
        let w = lib.create_person(
            &case.id,
            PersonInput {
                roles: vec!["witness".into()],
                ..Default::default()
            },
        )?;
        for i in 0..n_statements {
            lib.create_statement(
                &case.id,
                StatementInput {
                    witness_id: w.id.clone(),
                    title: format!("Statement {:05}", i + 1),
                    text: format!("Generated statement {} about the strike.", i + 1),
                    ..Default::default()
                },
            )?;
        }
    }
    println!("{}", case.id);
    eprintln!("seeded {n} incidents at {per_incident:.0} µs each (each its own transaction with a custody entry)");
    Ok(())
}
