//! `casefile-bench lookalikes`: finding every pair of look-alike items (perceptual hashes within
//! `POSSIBLE_DUPLICATE_MAX_DISTANCE` bits) in a library of 100,000 hashed items, with the
//! multi-index search, next to comparing every pair (once, at full size unless `--brute` asks
//! for a smaller prefix). Prints figures; asserts nothing (it prints whether the answers agree).
//!
//! The library is real: items are written into a fresh library's `evidence` and
//! `media_analysis` tables the way intake and the analysis worker write them (one custody entry
//! per item, a transaction per thousand), spread over ten cases, without vault files (nothing
//! measured here reads them). Hashes are uniform random 64-bit values plus bursts of
//! near-duplicates at every distance 0..=threshold (random bits flipped). A second, pure run on
//! clustered hashes (many similar scenes, and dark photos whose hashes pile up near 0) shows how
//! the index copes when hashes do not spread evenly.

use crate::gen::Rng;
use casefile_core::cases::NewCase;
use casefile_core::clock::SystemClock;
use casefile_core::records::lookalike::{
    self, brute_force_pairs, find_pairs, find_pairs_in_chunks,
};
use casefile_core::records::EVIDENCE;
use casefile_core::{Error, Library};
use casefile_media::POSSIBLE_DUPLICATE_MAX_DISTANCE as T;
use rusqlite::params;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub struct Options {
    pub dir: Option<PathBuf>,
    pub items: usize,
    pub near: usize,
    pub brute: usize,
    pub runs: usize,
    pub keep: bool,
}

/// `h` with `k` distinct random bits flipped.
fn flip(rng: &mut Rng, h: u64, k: u32) -> u64 {
    let mut mask = 0u64;
    while mask.count_ones() < k {
        mask |= 1 << (rng.next_u64() % 64);
    }
    h ^ mask
}

/// `n` hashes: uniform random ones, and `near` near-duplicates in bursts (a photo and 1 to 7
/// more shots of the same scene, each 0..=T bits from it, so some also pair with each other),
/// shuffled into intake order.
fn hashes(n: usize, near: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<u64> = (0..n - near).map(|_| rng.next_u64()).collect();
    let originals = out.len().max(1) as u64;
    while out.len() < n {
        let base = if n == near {
            rng.next_u64()
        } else {
            out[(rng.next_u64() % originals) as usize]
        };
        let burst = (rng.between(1, 7) as usize).min(n - out.len());
        for _ in 0..burst {
            let k = rng.between(0, u64::from(T)) as u32;
            out.push(flip(&mut rng, base, k));
        }
    }
    for i in (1..out.len()).rev() {
        out.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    out
}

/// Hashes that do not spread evenly: most are photos of 2,000 "scenes", 12–24 bits from their
/// scene (alike, but not look-alikes: they crowd the buckets around each other), a tenth are
/// near-duplicates of 97 of those scenes (0..=T bits from it), one in a hundred is a dark photo
/// hashing near 0 (dark and flat pictures all look alike), and the rest are uniform.
fn clustered(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    let scenes: Vec<u64> = (0..2000).map(|_| rng.next_u64()).collect();
    (0..n)
        .map(|i| match i % 100 {
            0 => rng.next_u64() & rng.next_u64() & rng.next_u64() & 0x0000_FFFF_FFFF_FFFF,
            1..=5 => rng.next_u64(),
            6..=15 => {
                let k = rng.between(0, u64::from(T)) as u32;
                flip(&mut rng, scenes[i % 97], k)
            }
            _ => {
                let s = scenes[(rng.next_u64() % scenes.len() as u64) as usize];
                let k = rng.between(12, 24) as u32;
                flip(&mut rng, s, k)
            }
        })
        .collect()
}

/// Runs `f` `runs` times; the best and the median time in seconds, and the last result.
fn time<R>(runs: usize, mut f: impl FnMut() -> R) -> (f64, f64, R) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2], last.expect("one run"))
}

fn ms(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:>8.1} s ")
    } else {
        format!("{:>8.1} ms", s * 1e3)
    }
}

/// Writes `hashes` into a fresh library as items of ten cases, as intake and analysis would.
fn fill(lib: &mut Library, hashes: &[u64]) -> Result<Vec<String>, Error> {
    let cases: Vec<String> = (0..10)
        .map(|i| {
            lib.create_case(NewCase {
                title: format!("Look-alike benchmark case {}", i + 1),
                ..Default::default()
            })
            .map(|c| c.id)
        })
        .collect::<Result<_, _>>()?;
    let mut ids = Vec::with_capacity(hashes.len());
    for (b, batch) in hashes.chunks(1000).enumerate() {
        lib.write(|tx| {
            let now = tx.now().to_string();
            for (k, &h) in batch.iter().enumerate() {
                let i = b * 1000 + k;
                let id = casefile_core::new_id();
                let case_id = &cases[i % cases.len()];
                let sha = hex::encode(Sha256::digest(format!("look-alike benchmark photo {i}")));
                let name = format!("IMG_{:05}.jpg", i % 100_000);
                tx.conn().execute(
                    "INSERT INTO evidence (id, case_id, sha256, size, original_name, relative_path, source_path, media_type, kind,
                         capture_time, collected_by, method, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'image/jpeg', 'image', ?8, 'Benchmark', 'received', ?9, ?9)",
                    params![
                        id,
                        case_id,
                        sha,
                        200_000 + (i % 3_000_000) as i64,
                        name,
                        format!("DCIM/{:03}/{name}", i / 1000),
                        format!("/media/card/DCIM/{:03}/{name}", i / 1000),
                        format!("2022-03-{:02}T{:02}:{:02}:00", 1 + i % 28, i % 24, i % 60),
                        now
                    ],
                )?;
                tx.conn().execute(
                    "INSERT INTO media_analysis (sha256, status, phash, thumb_width, thumb_height, updated_at) VALUES (?1, 'ok', ?2, 256, 192, ?3)",
                    params![sha, h as i64, now],
                )?;
                tx.log_row("intake", case_id, &EVIDENCE, &id, None)?;
                ids.push(id);
            }
            Ok(())
        })?;
    }
    Ok(ids)
}

pub fn run(o: Options) -> Result<(), Error> {
    if o.items < 2 || o.near > o.items {
        return Err(Error::invalid(
            "items",
            "need --items >= 2 and --near <= --items",
        ));
    }
    let work = o
        .dir
        .clone()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("casefile-bench-lookalikes-{}", std::process::id()));
    let result = measure(&o, &work);
    if o.keep {
        println!("kept {}", work.display());
    } else {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn same(a: bool) -> &'static str {
    if a {
        "yes"
    } else {
        "NO"
    }
}

/// The multi-index search on `hashes` (best of `runs`) next to comparing every pair of the
/// first `brute` of them (once), with the ratio.
fn versus(hashes: &[u64], brute: usize, runs: usize) {
    let n = hashes.len();
    let chunks = match lookalike::chunks_for(n, T) {
        Some(m) if 64 % m == 0 => format!("{m} chunks of {} bits, radius {}", 64 / m, T / m as u32),
        Some(m) => format!(
            "{m} chunks of {}-{} bits, radius {}",
            64 / m,
            64_usize.div_ceil(m),
            T / m as u32
        ),
        None => "every pair".to_string(),
    };
    let (best, med, found) = time(runs, || find_pairs(hashes, T));
    println!(
        "  the index ({chunks}): {}  median {}   ({} pairs)",
        ms(best),
        ms(med),
        found.len()
    );
    let (textbook, _, textbook_found) = time(1, || find_pairs_in_chunks(hashes, T, T as usize + 1));
    println!(
        "  the textbook form ({} exact chunks of 5-6 bits), once: {}   (same pairs: {})",
        T + 1,
        ms(textbook),
        same(textbook_found == found)
    );
    let b = brute.min(n);
    if b == n {
        let (slow, _, slow_found) = time(1, || brute_force_pairs(hashes, T));
        println!(
            "  comparing every pair (before), once: {}   (same pairs: {})",
            ms(slow),
            same(slow_found == found)
        );
        println!(
            "  ratio: comparing every pair takes {:.0}x the index's time",
            slow / best
        );
    } else {
        let small = &hashes[..b];
        let (slow, _, slow_found) = time(1, || brute_force_pairs(small, T));
        let (fast, _, fast_found) = time(runs, || find_pairs(small, T));
        let scale = (n as f64 / b as f64).powi(2);
        println!(
            "  first {b}: comparing every pair {}, the index {}   (same pairs: {}); every pair of all {n}, scaled by n²: about {:.1} s, {:.0}x the index's time",
            ms(slow),
            ms(fast),
            same(slow_found == fast_found),
            slow * scale,
            slow * scale / best
        );
    }
}

fn measure(o: &Options, work: &std::path::Path) -> Result<(), Error> {
    let runs = o.runs;
    let all = hashes(o.items, o.near, 0x10CA_11CE);
    let mut lib = Library::open_for_tests(&work.join("library"), Arc::new(SystemClock))?;
    let t = Instant::now();
    let ids = fill(&mut lib, &all)?;
    println!(
        "{} items in 10 cases: {} with uniform random hashes, {} near-duplicates (bursts of 1-7 shots 0..={T} bits from one of them), written in {:.1} s (rows, hashes, custody entries)",
        o.items,
        o.items - o.near,
        o.near,
        t.elapsed().as_secs_f64()
    );
    println!("threshold {T} bits; best and median of {runs} runs\n");

    println!("the library ({} items):", o.items);
    let (best_all, med_all, pairs) = time(runs, || lib.possible_duplicates(None));
    println!("  possible_duplicates(None), as the app calls it                {}  median {}   ({} pairs)", ms(best_all), ms(med_all), pairs?.len());
    let (best_load, med_load, hashed) = time(runs, || lib.load_phashes());
    let hashed = hashed?;
    println!(
        "    of which: load_phashes (one query, needs the library)       {}  median {}",
        ms(best_load),
        ms(med_load)
    );
    let (best_pairs, med_pairs, _) = time(runs, || hashed.possible_duplicates(None));
    println!(
        "    of which: HashedItems::possible_duplicates (no database)    {}  median {}",
        ms(best_pairs),
        ms(med_pairs)
    );
    let case_id = lib
        .list_cases()?
        .into_iter()
        .next()
        .map(|c| c.id)
        .unwrap_or_default();
    let (best_case, _, in_case) = time(runs, || lib.possible_duplicates(Some(&case_id)));
    println!(
        "  possible_duplicates(one case of ten)                          {}   ({} pairs)",
        ms(best_case),
        in_case?.len()
    );
    let picks: Vec<&String> = ids.iter().step_by((ids.len() / 200).max(1)).collect();
    let mut lat = Vec::new();
    let mut with = 0;
    for id in &picks {
        let t = Instant::now();
        let of = lib.duplicates_of(id)?;
        lat.push(t.elapsed().as_secs_f64());
        with += usize::from(!of.is_empty());
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "  duplicates_of(one item), {} items: p50 {}  p95 {}   ({with} had look-alikes; it used to read every hash)",
        picks.len(),
        ms(lat[lat.len() / 2]),
        ms(lat[(lat.len() * 95 / 100).min(lat.len() - 1)])
    );

    println!("\nthe same {} hashes, pairs of positions only:", o.items);
    versus(&all, o.brute, runs);

    println!("\nclustered hashes ({} items: similar scenes, near-duplicates of a few, dark photos near 0, some uniform):", o.items);
    versus(&clustered(o.items, 0xC1), o.brute, runs);
    Ok(())
}
