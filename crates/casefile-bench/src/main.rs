//! `casefile-bench`: benchmarks that print figures (never pass/fail on time), and generators of
//! large libraries for them and for the E2E tests.
//!
//!   casefile-bench seed --data-dir DIR --incidents 10000 [--statements N]
//!       creates a case with N generated incidents (through the ordinary core operations, so
//!       each has its custody entry) and prints the case id and the time per record.

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
}

const PLACES: &[(&str, &str)] = &[
    ("Mariupol", "Donetsk"), ("Kharkiv", "Kharkiv"), ("Bucha", "Kyiv"), ("Irpin", "Kyiv"), ("Chernihiv", "Chernihiv"),
    ("Izium", "Kharkiv"), ("Kherson", "Kherson"), ("Mykolaiv", "Mykolaiv"), ("Sumy", "Sumy"), ("Kramatorsk", "Donetsk"),
];
const TYPES: &[&str] = &["attack_residential", "attack_medical", "attack_school", "indiscriminate_attack", "attack_infrastructure"];

fn main() -> Result<(), casefile_core::Error> {
    match Cli::parse().cmd {
        Cmd::Seed { data_dir, incidents, statements } => seed(&data_dir, incidents, statements),
    }
}

fn seed(dir: &std::path::Path, n: usize, n_statements: usize) -> Result<(), casefile_core::Error> {
    let mut lib = Library::open(dir, Arc::new(SystemClock))?;
    let case = lib.create_case(NewCase { title: format!("Generated case with {n} incidents"), reference: None, description: String::new() })?;
    let start = Instant::now();
    for i in 0..n {
        let (town, oblast) = PLACES[i % PLACES.len()];
        let day = 1 + (i % 28);
        let month = 3 + (i / 28) % 10;
        lib.create_incident(&case.id, IncidentInput {
            title: format!("Incident {:05}: strike in {town}", i + 1),
            description: format!("Generated incident number {} in {town}, {oblast} oblast.", i + 1),
            date: DateInput { precision: DatePrecision::Day, from: Some(format!("2022-{month:02}-{day:02}")), ..Default::default() },
            place_name: format!("Street {} No. {}", (i * 7) % 97, i % 120),
            settlement: town.into(),
            oblast: oblast.into(),
            country: "Ukraine".into(),
            types: vec![TYPES[i % TYPES.len()].into()],
            ..Default::default()
        })?;
    }
    let per_incident = start.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    if n_statements > 0 {
        let w = lib.create_person(&case.id, PersonInput { roles: vec!["witness".into()], ..Default::default() })?;
        for i in 0..n_statements {
            lib.create_statement(&case.id, StatementInput {
                witness_id: w.id.clone(),
                title: format!("Statement {:05}", i + 1),
                text: format!("Generated statement {} about the strike.", i + 1),
                ..Default::default()
            })?;
        }
    }
    println!("{}", case.id);
    eprintln!("seeded {n} incidents at {per_incident:.0} µs each (each its own transaction with a custody entry)");
    Ok(())
}
