//! `casefile-bench search`: a generated library of incidents and statements of realistic length
//! (mixed Ukrainian and English), then search latency p50/p95 per query class (rare word, very
//! common word, a Ukrainian word form that is not in the text as such, two words, phrase,
//! prefix), first page with ranking and snippets, and the time
//! to rebuild the index. Prints figures; asserts nothing.

use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::dates::{DateInput, DatePrecision};
use casefile_core::incidents::IncidentInput;
use casefile_core::persons::PersonInput;
use casefile_core::statements::StatementInput;
use casefile_core::Library;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Common words first: drawn with a Zipf-like skew, so the first few are in most documents.
const WORDS_EN: &[&str] = &[
    "the",
    "and",
    "of",
    "to",
    "in",
    "was",
    "we",
    "at",
    "from",
    "there",
    "people",
    "building",
    "strike",
    "shelling",
    "morning",
    "evening",
    "street",
    "house",
    "school",
    "hospital",
    "children",
    "soldiers",
    "explosion",
    "basement",
    "windows",
    "fire",
    "smoke",
    "neighbours",
    "car",
    "road",
    "bridge",
    "shop",
    "water",
    "electricity",
    "theatre",
    "ambulance",
    "doctor",
    "mother",
    "father",
    "brother",
    "sister",
    "tank",
    "artillery",
    "rocket",
    "aircraft",
    "shelter",
    "yard",
    "roof",
    "wall",
    "queue",
    "bread",
    "pharmacy",
    "market",
    "church",
    "station",
    "checkpoint",
];
const WORDS_UK: &[&str] = &[
    "і",
    "в",
    "на",
    "що",
    "ми",
    "було",
    "біля",
    "люди",
    "будинок",
    "удар",
    "обстріл",
    "ранок",
    "вечір",
    "вулиця",
    "школа",
    "лікарня",
    "діти",
    "солдати",
    "вибух",
    "підвал",
    "вікна",
    "пожежа",
    "дим",
    "сусіди",
    "машина",
    "дорога",
    "міст",
    "магазин",
    "вода",
    "світло",
    "театр",
    "швидка",
    "лікар",
    "мати",
    "батько",
    "брат",
    "сестра",
    "танк",
    "артилерія",
    "ракета",
    "літак",
    "укриття",
    "двір",
    "дах",
    "стіна",
    "черга",
    "хліб",
    "аптека",
    "ринок",
    "церква",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// 0..n, skewed towards 0 (the square of a uniform draw).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((u * u * u) * n as f64) as usize
    }
}

fn sentence(rng: &mut Rng, words: usize, rare: Option<&str>) -> String {
    let mut out = Vec::with_capacity(words + 1);
    for i in 0..words {
        let uk = rng.next().is_multiple_of(2);
        let list = if uk { WORDS_UK } else { WORDS_EN };
        out.push(list[rng.skewed(list.len())].to_string());
        if i == words / 2 {
            if let Some(r) = rare {
                out.push(r.to_string());
            }
        }
    }
    out.join(" ")
}

/// This thread's time on a CPU so far, in ms (Linux: /proc/thread-self/schedstat), so the
/// figures mean something on a machine shared with other work; `None` elsewhere.
fn cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub fn run(
    dir: &Path,
    incidents: usize,
    statements: usize,
    reps: usize,
    keep_index: bool,
) -> Result<(), casefile_core::Error> {
    let opened = Instant::now();
    let mut lib = Library::open_for_tests(dir, Arc::new(SystemClock))?;
    println!(
        "opened in {:.1} s (with any pending migration: 9 rebuilds the index)",
        opened.elapsed().as_secs_f64()
    );
    println!(
        "library: {} (SQLCipher database: every page read is decrypted)",
        if lib.is_encrypted() {
            "encrypted"
        } else {
            "plaintext, from before encryption"
        }
    );
    let existing = lib
        .list_cases()?
        .into_iter()
        .find(|c| c.title.starts_with("Search benchmark"));
    let existing_index = existing.is_some();
    let case = match existing {
        Some(c) => {
            println!("reusing the generated library in {}", dir.display());
            c.id
        }
        None => {
            let started = Instant::now();
            let case = lib
                .create_case(NewCase {
                    title: format!(
                        "Search benchmark: {incidents} incidents, {statements} statements"
                    ),
                    ..Default::default()
                })?
                .id;
            let mut rng = Rng(0x2545F4914F6CDD1D);
            for i in 0..incidents {
                // One document in 10,000 has a rare word; one in 20 a word shared by ~500 others.
                let rare = if i % 10_000 == 7 {
                    Some(format!("rare{}", i / 10_000))
                } else if i % 20 == 3 {
                    Some(format!("medium{}", i % 200 / 20))
                } else {
                    None
                };
                lib.create_incident(
                    &case,
                    IncidentInput {
                        title: sentence(&mut rng, 6, None),
                        description: sentence(&mut rng, 60, rare.as_deref()),
                        date: DateInput {
                            precision: DatePrecision::Day,
                            from: Some(format!("2022-{:02}-{:02}", 3 + i % 9, 1 + i % 28)),
                            ..Default::default()
                        },
                        place_name: sentence(&mut rng, 2, None),
                        ..Default::default()
                    },
                )?;
            }
            let w = lib.create_person(
                &case,
                PersonInput {
                    roles: vec!["witness".into()],
                    ..Default::default()
                },
            )?;
            for i in 0..statements {
                let rare = (i % 10_000 == 3).then(|| format!("rarest{}", i / 10_000));
                lib.create_statement(
                    &case,
                    StatementInput {
                        witness_id: w.id.clone(),
                        title: format!("Statement {i}"),
                        text: sentence(&mut rng, 300, rare.as_deref()),
                        ..Default::default()
                    },
                )?;
            }
            println!(
                "generated {incidents} incidents and {statements} statements in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            case
        }
    };
    if keep_index && existing_index {
        println!("index kept as it is (--keep-index)");
    } else {
        let started = Instant::now();
        let n = lib.reindex()?;
        println!(
            "index build (rebuild of {n} records): {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    let classes: Vec<(&str, Vec<String>)> = vec![
        (
            "rare word",
            (0..reps)
                .map(|i| format!("rare{}", i % (incidents / 10_000).max(1)))
                .collect(),
        ),
        (
            "medium word (~500 docs)",
            (0..reps).map(|i| format!("medium{}", i % 10)).collect(),
        ),
        (
            "very common word",
            (0..reps)
                .map(|i| ["the", "і", "and", "в", "of"][i % 5].to_string())
                .collect(),
        ),
        (
            "common word (Ukrainian)",
            (0..reps)
                .map(|i| ["будинок", "люди", "удар", "на"][i % 4].to_string())
                .collect(),
        ),
        (
            "inflected Ukrainian word",
            (0..reps)
                .map(|i| ["школі", "підвалі", "лікарні", "вулиці"][i % 4].to_string())
                .collect(),
        ),
        (
            "two words",
            (0..reps)
                .map(|i| {
                    [
                        "theatre children",
                        "школа вибух",
                        "hospital smoke",
                        "танк міст",
                    ][i % 4]
                        .to_string()
                })
                .collect(),
        ),
        (
            "phrase",
            (0..reps)
                .map(|i| {
                    [
                        "\"the strike\"",
                        "\"і вибух\"",
                        "\"people and\"",
                        "\"в підвал\"",
                    ][i % 4]
                        .to_string()
                })
                .collect(),
        ),
        (
            "prefix",
            (0..reps)
                .map(|i| ["hosp*", "лікар*", "shel*", "обстр*"][i % 4].to_string())
                .collect(),
        ),
        (
            "OR of two",
            (0..reps)
                .map(|i| ["theatre OR театр", "school OR школа"][i % 2].to_string())
                .collect(),
        ),
    ];
    println!("\nsearch latency, first page of 20 with bm25 ranking and snippets, whole library ({reps} queries each)");
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>9}  order (documents with the rarest word)",
        "query class", "p50 ms", "p95 ms", "max ms", "cpu p50", "cpu p95"
    );
    // CASEFILE_BENCH_ONLY=phrase runs the classes whose name contains it (for a profiler).
    let only = std::env::var("CASEFILE_BENCH_ONLY").unwrap_or_default();
    for (name, queries) in classes {
        if !name.contains(only.as_str()) {
            continue;
        }
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut order = String::new();
        for q in &queries {
            let c = cpu_ms();
            let t = Instant::now();
            let r = lib.search(q, None, 20, 0)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if let (Some(a), Some(b)) = (c, cpu_ms()) {
                cpu.push(b - a);
            }
            order = format!(
                "{} ({})",
                if r.ranked { "bm25" } else { "newest first" },
                r.matches_estimate
            );
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        cpu.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        println!(
            "{:<26} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}  {}",
            name,
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times.last().copied().unwrap_or(0.0),
            percentile(&cpu, 0.5),
            percentile(&cpu, 0.95),
            order
        );
    }
    let _ = case;
    println!("\ntarget: p95 <= 50 ms for every class on 200,000 records");
    println!(
        "(cpu: this thread's time on a CPU, what a quiet machine would take, in scheduler ticks on some kernels; load average now {})",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
    );
    Ok(())
}
