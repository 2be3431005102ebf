//! Look-alike detection: the multi-index search against comparing every pair, on generated
//! hashes (uniform, clustered, duplicates, piled on one chunk value, and pairs placed exactly at
//! the threshold and one bit past it, with their differing bits spread as evenly over the
//! chunks as the pigeonhole allows), for every threshold 0..=64 and sets of 0 to 10,000 hashes;
//! then the library's answers (`possible_duplicates`, `duplicates_of`) against the same
//! all-pairs answer over its items, and a library from before the quarter indexes upgrading.

mod common;
use casefile_core::cases::NewCase;
use casefile_core::clock::TestClock;
use casefile_core::evidence::{Acquisition, Analysis, EvidenceRow};
use casefile_core::records::lookalike::{
    self, brute_force_pairs, find_pairs, find_pairs_in_chunks, Near,
};
use casefile_core::Library;
use casefile_media::POSSIBLE_DUPLICATE_MAX_DISTANCE as T;
use std::sync::atomic::AtomicBool;

/// SplitMix64: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `h` with exactly `k` distinct bits flipped, chosen at random.
    fn flip(&mut self, h: u64, k: u32) -> u64 {
        let mut mask = 0u64;
        while mask.count_ones() < k {
            mask |= 1 << self.below(64);
        }
        h ^ mask
    }
}

/// `h` with `k` bits flipped as evenly spaced as possible (from bit `offset`): the differing
/// bits spread over every chunk, so that no chunk is much closer than the pigeonhole bound.
fn spread(h: u64, k: u32, offset: u32) -> u64 {
    let mut mask = 0u64;
    for i in 0..k {
        mask |= 1 << ((offset + i * 64 / k.max(1)) % 64);
    }
    assert_eq!(mask.count_ones(), k);
    h ^ mask
}

/// Uniform hashes, clusters around a few centres at every distance 0..=t+2, pairs exactly at
/// t and t+1 (random and spread), duplicates, and a pile of hashes that share their top bits
/// (dark photos hash near 0).
fn mixed(rng: &mut Rng, n: usize, t: u32) -> Vec<u64> {
    let mut out = Vec::with_capacity(n);
    let centres: Vec<u64> = (0..20).map(|_| rng.next()).collect();
    while out.len() < n {
        let h = match rng.below(8) {
            0 | 1 => rng.next(),
            2 | 3 => {
                let c = centres[rng.below(centres.len() as u64) as usize];
                let k = rng.below(u64::from(t.min(62)) + 3) as u32;
                rng.flip(c, k)
            }
            4 => {
                let base = rng.next();
                out.push(base);
                let k = t.min(64) - (rng.below(2) as u32).min(t);
                rng.flip(base, k)
            }
            5 => {
                let base = rng.next();
                out.push(base);
                let k = (t + rng.below(2) as u32).clamp(1, 64);
                spread(base, k, rng.below(64) as u32)
            }
            6 => rng.next() >> (40 + rng.below(24)),
            _ => out.last().copied().unwrap_or(0),
        };
        out.push(h);
    }
    out.truncate(n);
    out
}

fn check(hashes: &[u64], t: u32, chunks: &[usize]) {
    let want = brute_force_pairs(hashes, t);
    assert_eq!(
        find_pairs(hashes, t),
        want,
        "find_pairs, n = {}, t = {t}",
        hashes.len()
    );
    for &m in chunks {
        assert_eq!(
            find_pairs_in_chunks(hashes, t, m),
            want,
            "{m} chunks, n = {}, t = {t}",
            hashes.len()
        );
    }
}

#[test]
fn the_index_finds_exactly_the_pairs_comparing_every_pair_finds() {
    let mut rng = Rng(0x5EED_1234);
    let mut total = 0;
    let cases = [0, 1, 2, 3, 50, 700]
        .into_iter()
        .flat_map(|n| [0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 12, 15, 16].map(|t| (n, t)));
    for (n, t) in cases.chain([2, 5, 10, 11].map(|t| (3000, t))) {
        {
            let hashes = mixed(&mut rng, n, t);
            let chunks: &[usize] = if n > 700 {
                &[4, 6, 11]
            } else {
                &[4, 5, 6, 7, 8, 11, 13, 16, 32]
            };
            check(&hashes, t, chunks);
            total += brute_force_pairs(&hashes, t).len();
        }
    }
    assert!(
        total > 10_000,
        "the generated hashes have many close pairs ({total})"
    );
}

/// Every threshold 0..=64, each on a fresh random set of random size (up to 3,000 hashes up to
/// a threshold of 16, up to 1,000 past it, where most pairs qualify and the answer is large),
/// through `find_pairs` and through a random number of chunks that keeps the radius at 0..=2.
#[test]
fn every_threshold_on_random_sets_of_random_size_agrees_with_every_pair() {
    let mut rng = Rng(0xA11_CE5);
    let mut sizes = Vec::new();
    for t in 0..=64u32 {
        let n = rng.below(if t <= 16 { 3001 } else { 1001 }) as usize;
        let hashes = mixed(&mut rng, n, t);
        let m = ((t / 2) as usize + rng.below(3) as usize).clamp(lookalike::MIN_CHUNKS, 64);
        check(&hashes, t, &[m]);
        sizes.push(n);
    }
    assert!(
        sizes.iter().any(|&n| n > 2000) && sizes.iter().any(|&n| n < 100),
        "sizes {sizes:?}"
    );
}

#[test]
fn at_the_duplicate_threshold_pairs_at_the_threshold_are_in_and_one_bit_further_are_out() {
    let mut rng = Rng(42);
    // For every distance 0..=64, pairs whose differing bits are spread evenly from several
    // starting bits, and pairs whose bits are random: (position of one, of the other, distance).
    let mut hashes = Vec::new();
    let mut placed = Vec::new();
    for k in 0..=64u32 {
        for offset in (0..8).map(|o| o * 8 + k % 8) {
            let base = rng.next();
            for other in [spread(base, k, offset), rng.flip(base, k)] {
                placed.push((hashes.len() as u32, hashes.len() as u32 + 1, k));
                hashes.extend([base, other]);
            }
        }
    }
    let want = brute_force_pairs(&hashes, T);
    for (a, b, k) in placed {
        assert_eq!(
            want.contains(&Near { a, b, distance: k }),
            k <= T,
            "{k} differing bits"
        );
    }
    for m in [4, 5, 6, 7, 10, 11, 12, 16] {
        assert_eq!(find_pairs_in_chunks(&hashes, T, m), want, "{m} chunks");
    }
}

#[test]
fn ten_thousand_uniform_and_clustered_hashes_at_the_duplicate_threshold() {
    let mut rng = Rng(7);
    let mut hashes: Vec<u64> = (0..7000).map(|_| rng.next()).collect();
    // Near-duplicates at every distance up to one past the threshold, some of them in chains.
    for _ in 0..3000 {
        let base = hashes[rng.below(hashes.len() as u64) as usize];
        let k = rng.below(u64::from(T) + 2) as u32;
        hashes.push(if rng.below(2) == 0 {
            rng.flip(base, k)
        } else {
            spread(base, k, rng.below(64) as u32)
        });
    }
    let want = brute_force_pairs(&hashes, T);
    assert!(want.len() > 2500, "{} pairs", want.len());
    assert!(
        want.iter().any(|p| p.distance == T),
        "pairs exactly at the threshold"
    );
    assert_eq!(find_pairs(&hashes, T), want);
    assert_eq!(find_pairs_in_chunks(&hashes, T, 4), want);
    assert_eq!(
        find_pairs_in_chunks(&hashes, T, 11),
        want,
        "the textbook form: t + 1 chunks matched exactly"
    );
}

#[test]
fn wide_thresholds_and_piles_of_equal_hashes_still_agree() {
    let mut rng = Rng(99);
    let hashes = mixed(&mut rng, 400, 24);
    for t in [20, 24, 31, 32, 40, 63, 64, 100] {
        check(&hashes, t, &[t.clamp(4, 64) as usize / 2 + 4, 64]);
    }
    let same = vec![0xDEAD_BEEF_u64; 300];
    assert_eq!(find_pairs(&same, T).len(), 300 * 299 / 2);
    check(&same, T, &[4, 11]);
}

#[test]
fn the_number_of_chunks_grows_wider_with_the_library_and_small_sets_compare_every_pair() {
    assert_eq!(lookalike::chunks_for(0, T), None);
    assert_eq!(
        lookalike::chunks_for(50, T),
        None,
        "a few dozen hashes: every pair is cheapest"
    );
    let small = lookalike::chunks_for(10_000, T).unwrap();
    let large = lookalike::chunks_for(100_000, T).unwrap();
    assert!(large <= small, "{large} chunks at 100k, {small} at 10k");
    assert_eq!(large, 4, "16-bit chunks at 100,000 hashes");
}

#[test]
fn quarters_are_the_four_16_bit_chunks_and_their_neighbours_are_within_the_radius() {
    assert_eq!(
        lookalike::quarters(0x0123_4567_89AB_CDEF),
        [0x0123, 0x4567, 0x89AB, 0xCDEF]
    );
    let n = lookalike::quarter_neighbours(0x00F0, 2);
    assert_eq!(n.len(), 1 + 16 + 120);
    assert!(n.iter().all(|v| (v ^ 0x00F0).count_ones() <= 2));
    assert!(n.contains(&0x00F0) && n.contains(&0x80F1));
}

// --- The library's answers ------------------------------------------------------------------

fn open(dir: &std::path::Path) -> Library {
    Library::open_for_tests(dir, TestClock::new("2026-11-25T09:00:00Z".parse().unwrap())).unwrap()
}

fn case(lib: &mut Library, title: &str) -> String {
    lib.create_case(NewCase {
        title: title.into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

/// Items in intake order with their hash and case, and which are deleted.
struct Item {
    row_id: String,
    sha256: String,
    phash: Option<u64>,
    case_id: String,
    deleted: bool,
}

/// Every pair of live, hashed items of different files, compared: what the library answered
/// before it had an index.
fn expected_pairs(items: &[Item], case_id: Option<&str>) -> Vec<(String, String, u32)> {
    let live: Vec<&Item> = items
        .iter()
        .filter(|i| !i.deleted && i.phash.is_some())
        .collect();
    let mut out = Vec::new();
    for (x, a) in live.iter().enumerate() {
        for b in &live[x + 1..] {
            let d = (a.phash.unwrap() ^ b.phash.unwrap()).count_ones();
            let in_case = |c: &str| case_id.is_none_or(|want| want == c);
            if a.sha256 != b.sha256 && d <= T && (in_case(&a.case_id) || in_case(&b.case_id)) {
                out.push((a.row_id.clone(), b.row_id.clone(), d));
            }
        }
    }
    out.sort_by_key(|p| p.2);
    out
}

fn expected_of(items: &[Item], id: &str) -> Vec<(String, u32)> {
    let me = items.iter().find(|i| i.row_id == id).unwrap();
    let live: Vec<&Item> = items
        .iter()
        .filter(|i| !i.deleted && i.phash.is_some())
        .collect();
    let Some(mine) = live
        .iter()
        .find(|i| i.sha256 == me.sha256)
        .and_then(|i| i.phash)
    else {
        return vec![];
    };
    let mut out: Vec<(String, u32)> = live
        .iter()
        .filter(|i| i.sha256 != me.sha256)
        .map(|i| (i.row_id.clone(), (i.phash.unwrap() ^ mine).count_ones()))
        .filter(|(_, d)| *d <= T)
        .collect();
    out.sort_by_key(|(_, d)| *d);
    out
}

fn ids(pairs: &[casefile_core::evidence::DuplicatePair]) -> Vec<(String, String, u32)> {
    pairs
        .iter()
        .map(|p| (p.a.id.clone(), p.b.id.clone(), p.distance))
        .collect()
}

fn of_ids(of: &[(EvidenceRow, u32)]) -> Vec<(String, u32)> {
    of.iter().map(|(r, d)| (r.id.clone(), *d)).collect()
}

#[test]
fn the_library_answers_as_comparing_every_pair_of_items_did() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let (c1, c2) = (case(&mut lib, "Mariupol"), case(&mut lib, "Kharkiv"));
    let acq = Acquisition {
        collected_by: "O. Koval".into(),
        method: "received".into(),
        ..Default::default()
    };
    let mut rng = Rng(2022);
    let paths: Vec<_> = (0..160)
        .map(|i| {
            let p = src.path().join(format!("photo-{i:03}.jpg"));
            std::fs::write(&p, format!("not really a photo {i}")).unwrap();
            p
        })
        .collect();
    let mut items = Vec::new();
    // Two intakes into the first case (so some items share a transaction's created_at), one
    // into the second, and then some of the same files into the second case as well.
    for (case_id, files) in [
        (&c1, &paths[..70]),
        (&c1, &paths[70..110]),
        (&c2, &paths[110..]),
        (&c2, &paths[20..40]),
    ] {
        let r = lib
            .add_evidence(case_id, files, &acq, &AtomicBool::new(false), &mut |_| {})
            .unwrap();
        assert_eq!(r.added.len(), files.len());
        for e in r.added {
            items.push(Item {
                row_id: e.id,
                sha256: e.sha256,
                phash: None,
                case_id: case_id.clone(),
                deleted: false,
            });
        }
    }
    // Hashes: a few clusters (pairs at every distance up to two past the threshold, exactly at
    // it included), some unrelated, some files never hashed (pending, or not an image).
    let centres: Vec<u64> = (0..6).map(|_| rng.next()).collect();
    let mut by_sha = std::collections::HashMap::new();
    for (i, it) in items.iter_mut().enumerate() {
        let centre = centres[i % centres.len()];
        let k = rng.below(u64::from(T) + 3) as u32;
        let h = *by_sha
            .entry(it.sha256.clone())
            .or_insert_with(|| match i % 10 {
                9 => None,
                7 | 8 => Some(rng.next()),
                j if j % 2 == 0 => Some(spread(centre, k, i as u32)),
                _ => Some(rng.flip(centre, k)),
            });
        it.phash = h;
    }
    for (sha, h) in &by_sha {
        if let Some(h) = h {
            lib.store_analysis(
                sha,
                &Analysis {
                    status: "ok",
                    message: String::new(),
                    phash: Some(*h),
                    thumb: None,
                },
            )
            .unwrap();
        }
    }
    // A deleted item no longer pairs; its file still does through its other item.
    for k in [3, 25, 111] {
        lib.delete("evidence", &items[k].row_id, "taken in by mistake")
            .unwrap();
        items[k].deleted = true;
    }

    let all = lib.possible_duplicates(None).unwrap();
    let want = expected_pairs(&items, None);
    assert!(want.len() > 300, "{} pairs", want.len());
    assert!(
        want.iter().any(|p| p.2 == T) && want.iter().any(|p| p.2 == 0),
        "pairs at 0 and exactly at the threshold"
    );
    assert_eq!(ids(&all), want);
    for c in [&c1, &c2] {
        assert_eq!(
            ids(&lib.possible_duplicates(Some(c)).unwrap()),
            expected_pairs(&items, Some(c))
        );
    }
    // The same, read under the lock and computed without the library.
    let hashed = lib.load_phashes().unwrap();
    assert_eq!(
        hashed.items.len(),
        items
            .iter()
            .filter(|i| !i.deleted && i.phash.is_some())
            .count()
    );
    assert_eq!(ids(&hashed.possible_duplicates(None)), want);

    let mut with_lookalikes = 0;
    for it in &items {
        let of = lib.duplicates_of(&it.row_id).unwrap();
        assert_eq!(
            of_ids(&of),
            expected_of(&items, &it.row_id),
            "look-alikes of item {}",
            it.row_id
        );
        with_lookalikes += usize::from(!of.is_empty());
    }
    assert!(
        with_lookalikes > 80,
        "{with_lookalikes} items have look-alikes"
    );
    assert!(
        lib.audit_verify().unwrap().ok(),
        "hashes are derived data: the audit is unmoved"
    );
}

/// Migration 8 only adds indexes, so a library from before it is this library without them.
/// Opening one builds them over the hashes it already has, and the look-alikes are unchanged.
#[test]
fn a_library_from_before_the_quarter_indexes_upgrades_and_finds_the_same_look_alikes() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let c = case(&mut lib, "Izium");
    let acq = Acquisition {
        collected_by: "O. Koval".into(),
        method: "received".into(),
        ..Default::default()
    };
    let paths: Vec<_> = (0..5)
        .map(|i| {
            let p = src.path().join(format!("scan-{i}.jpg"));
            std::fs::write(&p, format!("not really a scan {i}")).unwrap();
            p
        })
        .collect();
    let added = lib
        .add_evidence(&c, &paths, &acq, &AtomicBool::new(false), &mut |_| {})
        .unwrap()
        .added;
    // At the threshold with the differing bits spread (two or three in each quarter), one bit
    // past it, identical but for one bit, and unrelated; the last file is never hashed.
    let base = 0x0123_4567_89AB_CDEF_u64;
    for (e, h) in added.iter().zip([
        base,
        spread(base, T, 3),
        spread(base, T + 1, 5),
        base ^ 1,
        !base,
    ]) {
        lib.store_analysis(
            &e.sha256,
            &Analysis {
                status: "ok",
                message: String::new(),
                phash: Some(h),
                thumb: None,
            },
        )
        .unwrap();
    }
    let before: Vec<Vec<(String, u32)>> = added
        .iter()
        .map(|e| of_ids(&lib.duplicates_of(&e.id).unwrap()))
        .collect();
    assert_eq!(
        before[0],
        vec![(added[3].id.clone(), 1), (added[1].id.clone(), T)]
    );
    let pairs = ids(&lib.possible_duplicates(None).unwrap());
    drop(lib);

    let db_path = dir.path().join("casefile.db");
    let quarter_indexes = |conn: &rusqlite::Connection| -> Vec<String> {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'media_analysis_phash_q%' ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    {
        let conn = casefile_core::db::open_raw_for_tests(&db_path, false).unwrap();
        assert_eq!(quarter_indexes(&conn).len(), 4);
        // Migration 9 undone too: the search index as migration 5 made it.
        let m5 = casefile_core::db::MIGRATIONS[4];
        let created = |name: &str| -> String {
            let start = m5.find(&format!("CREATE VIRTUAL TABLE {name} ")).unwrap();
            let end = start + m5[start..].find(");").unwrap() + 2;
            m5[start..end].to_string()
        };
        conn.execute_batch(&format!(
            "DROP INDEX media_analysis_phash_q0; DROP INDEX media_analysis_phash_q1;
             DROP INDEX media_analysis_phash_q2; DROP INDEX media_analysis_phash_q3;
             DROP TABLE search_terms; DROP TABLE search_index; {} {}
             PRAGMA user_version = 7;",
            created("search_index"),
            created("search_terms")
        ))
        .unwrap();
        // Undo the later migrations too: labels back in vocab_terms' two columns (10).
        common::undo_vocab_labels(&conn);
        // The same schema as migrations 1 to 7 build from scratch.
        let schema = |conn: &rusqlite::Connection| -> Vec<String> {
            let mut stmt = conn.prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name").unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let fresh = rusqlite::Connection::open_in_memory().unwrap();
        for m in &casefile_core::db::MIGRATIONS[..7] {
            fresh.execute_batch(m).unwrap();
        }
        assert_eq!(schema(&conn), schema(&fresh), "a library at version 7");
    }

    let lib = open(dir.path());
    let conn = casefile_core::db::open_raw_for_tests(&db_path, false).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, casefile_core::db::schema_version());
    assert_eq!(
        quarter_indexes(&conn).len(),
        4,
        "opening the library added the indexes"
    );
    let after: Vec<Vec<(String, u32)>> = added
        .iter()
        .map(|e| of_ids(&lib.duplicates_of(&e.id).unwrap()))
        .collect();
    assert_eq!(after, before);
    assert_eq!(ids(&lib.possible_duplicates(None).unwrap()), pairs);
    assert!(lib.audit_verify().unwrap().ok());
}
