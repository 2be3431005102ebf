//! Look-alike detection without comparing every pair: all pairs of 64-bit perceptual hashes
//! within a Hamming distance, found through a multi-index hash (pure functions, no database).
//!
//! Comparing every pair is n²/2 popcounts: 5·10⁹ at 100,000 items. [`find_pairs`] gives the
//! same pairs, with the same distances and in the same order as [`brute_force_pairs`] (the
//! reference, kept for the tests and the benchmark), by looking only where a pair can be.
//!
//! ## Multi-index hashing
//!
//! Cut the 64 bits into `m` chunks. If two hashes differ in at most `t` bits, the differing bits
//! cannot be spread over all `m` chunks with more than `⌊t/m⌋` in each, so (pigeonhole) at least
//! one chunk differs in at most `r = ⌊t/m⌋` bits (Norouzi, Punjani and Fleet, "Fast Search in
//! Hamming Space with Multi-Index Hashing", CVPR 2012). For each chunk, hashes are bucketed by
//! that chunk's value (a counting sort into flat arrays); then each non-empty bucket is joined
//! with itself and with every bucket whose value is within `r` bits of its own, and only those
//! candidate pairs are compared in full. A pair close in several chunks is met once per such
//! chunk, so it is kept only from the first chunk in which it is close: no set of seen pairs.
//!
//! Why this and not `m = t + 1` chunks matched exactly (the textbook form, `r = 0`): with `t` =
//! 10, eleven chunks are 5–6 bits wide, so a bucket holds about n/64 hashes and the work is
//! about 11·n²/128, a twelfth of all pairs, still quadratic. With four 16-bit chunks and `r` = 2,
//! each hash looks into 137 buckets per chunk holding about n/65,536 hashes each: about
//! 4·137·n²/(2·65,536) ≈ n²/240 comparisons, plus the bucket visits, which grow with n (the
//! `lookalikes` benchmark prints both forms). [`find_pairs`] picks the number of chunks from
//! an estimate of that cost for the given n and threshold (fewer, wider chunks pay off as n
//! grows), and falls back to comparing every pair when that is cheaper (a few hundred hashes,
//! or a threshold so wide that most pairs qualify).
//!
//! Why not a BK-tree: its pruning rests on the triangle inequality, which prunes little when
//! the radius (10) is a third of the typical distance between unrelated hashes (32); an
//! all-pairs search then visits a large part of the tree for every hash, chasing pointers.
//! Multi-index hashing is exact by construction, works in flat arrays, and the same chunks map
//! onto ordinary SQL indexes for the look-alikes of one item (`Library::duplicates_of`, the four
//! 16-bit quarters indexed by migration 8).
//!
//! The cost depends on how hashes spread: many hashes sharing a chunk value (dark or flat
//! images all hash near 0) make large buckets, and many pairs that really are close make a
//! large answer; neither can make it slower than comparing every pair by more than the bucket
//! walk.

/// Two positions in the input (`a < b`) whose hashes differ in `distance` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Near {
    pub a: u32,
    pub b: u32,
    pub distance: u32,
}

/// Chunks are at most this wide, so each chunk's bucket table (2^width + 1 offsets) stays small.
const MAX_CHUNK_BITS: u32 = 16;
/// The fewest chunks [`find_pairs_in_chunks`] accepts (64 / `MAX_CHUNK_BITS`).
pub const MIN_CHUNKS: usize = (64 / MAX_CHUNK_BITS) as usize;

/// The chunk that holds bits `shift..shift + width` of a hash.
#[derive(Debug, Clone, Copy)]
struct Span {
    shift: u32,
    width: u32,
}

impl Span {
    fn key(self, h: u64) -> usize {
        ((h >> self.shift) & ((1u64 << self.width) - 1)) as usize
    }
}

/// `m` chunks covering the 64 bits, most significant first, widths differing by at most one
/// (the wider ones first). With `m` = 4: the quarters `(h >> 48) & 0xffff`, `(h >> 32) & 0xffff`, ...
fn spans(m: usize) -> Vec<Span> {
    let m32 = m as u32;
    let (base, extra) = (64 / m32, 64 % m32);
    let mut top = 64;
    (0..m32)
        .map(|c| {
            let width = base + u32::from(c < extra);
            top -= width;
            Span { shift: top, width }
        })
        .collect()
}

fn binomial(n: u32, k: u32) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
}

/// Values within `r` bits of a `width`-bit value: the buckets one bucket is joined with.
fn ball(width: u32, r: u32) -> f64 {
    (0..=r.min(width)).map(|i| binomial(width, i)).sum()
}

/// Estimated work of the multi-index search with `m` chunks (bucket visits plus comparisons),
/// in the same unit as the n²/2 comparisons of the brute force.
fn cost(n: usize, threshold: u32, m: usize) -> f64 {
    let n = n as f64;
    let r = threshold / m as u32;
    spans(m)
        .iter()
        .map(|s| {
            let buckets = f64::from(1u32 << s.width);
            let probes = ball(s.width, r);
            buckets + n.min(buckets) * probes + n * n * probes / (2.0 * buckets)
        })
        .sum()
}

/// The number of chunks [`find_pairs`] uses for `n` hashes, or `None` when comparing every
/// pair is estimated to be cheaper.
pub fn chunks_for(n: usize, threshold: u32) -> Option<usize> {
    let brute = (n as f64) * (n as f64) / 2.0;
    let most = (threshold as usize + 1).clamp(MIN_CHUNKS, 64);
    let (m, c) = (MIN_CHUNKS..=most)
        .map(|m| (m, cost(n, threshold, m)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    (c < brute).then_some(m)
}

/// All pairs `a < b` of positions whose hashes differ in at most `threshold` bits, ordered by
/// distance, then `a`, then `b`: the answer of [`brute_force_pairs`], found with a multi-index
/// hash (see the module docs). Equal hashes (distance 0) pair too; the caller decides what a
/// pair of the same file means.
pub fn find_pairs(hashes: &[u64], threshold: u32) -> Vec<Near> {
    match chunks_for(hashes.len(), threshold) {
        Some(m) => find_pairs_in_chunks(hashes, threshold, m),
        None => brute_force_pairs(hashes, threshold),
    }
}

/// [`find_pairs`] with a given number of chunks (`MIN_CHUNKS..=64`): every choice gives the
/// same answer, only the work differs. For the tests and the benchmark.
pub fn find_pairs_in_chunks(hashes: &[u64], threshold: u32, m: usize) -> Vec<Near> {
    assert!(
        (MIN_CHUNKS..=64).contains(&m),
        "between {MIN_CHUNKS} and 64 chunks"
    );
    assert!(u32::try_from(hashes.len()).is_ok(), "at most 2^32 hashes");
    let spans = spans(m);
    let r = threshold / m as u32;
    // The chunk in which a pair with these differing bits is first within r: where it is kept.
    let first_close = |x: u64| {
        spans
            .iter()
            .position(|s| (s.key(x) as u64).count_ones() <= r)
    };
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    let mut sorted: Vec<(u64, u32)> = vec![(0, 0); hashes.len()];
    for (c, &span) in spans.iter().enumerate() {
        // Counting sort by this chunk's value: bucket k is sorted[offsets[k]..offsets[k + 1]].
        let buckets = 1usize << span.width;
        offsets.clear();
        offsets.resize(buckets + 1, 0u32);
        for &h in hashes {
            offsets[span.key(h) + 1] += 1;
        }
        for k in 0..buckets {
            offsets[k + 1] += offsets[k];
        }
        let mut next = offsets.clone();
        for (i, &h) in hashes.iter().enumerate() {
            let k = span.key(h);
            sorted[next[k] as usize] = (h, i as u32);
            next[k] += 1;
        }
        // Bucket offsets: every value within r bits of 0 but 0 itself (the bucket's own pairs
        // are taken separately, each unordered pair of buckets once).
        let flips: Vec<usize> = (1..buckets).filter(|f| f.count_ones() <= r).collect();
        let bucket = |k: usize| &sorted[offsets[k] as usize..offsets[k + 1] as usize];
        let mut keep = |x: &(u64, u32), y: &(u64, u32)| {
            let d = (x.0 ^ y.0).count_ones();
            if d <= threshold && first_close(x.0 ^ y.0) == Some(c) {
                let (a, b) = if x.1 < y.1 { (x.1, y.1) } else { (y.1, x.1) };
                out.push(Near { a, b, distance: d });
            }
        };
        for k in 0..buckets {
            let mine = bucket(k);
            if mine.is_empty() {
                continue;
            }
            for (i, x) in mine.iter().enumerate() {
                for y in &mine[i + 1..] {
                    keep(x, y);
                }
            }
            for &f in &flips {
                let other = k ^ f;
                if other < k {
                    continue;
                }
                for x in mine {
                    for y in bucket(other) {
                        keep(x, y);
                    }
                }
            }
        }
    }
    out.sort_unstable_by_key(|p| (p.distance, p.a, p.b));
    out
}

/// Every pair compared: the reference [`find_pairs`] must equal, and the baseline the
/// benchmark measures it against. Ordered by distance, then `a`, then `b`.
pub fn brute_force_pairs(hashes: &[u64], threshold: u32) -> Vec<Near> {
    let mut out = Vec::new();
    for (i, &x) in hashes.iter().enumerate() {
        for (j, &y) in hashes.iter().enumerate().skip(i + 1) {
            let d = (x ^ y).count_ones();
            if d <= threshold {
                out.push(Near {
                    a: i as u32,
                    b: j as u32,
                    distance: d,
                });
            }
        }
    }
    out.sort_by_key(|p| p.distance);
    out
}

/// The values of a 16-bit quarter within `r` bits of `quarter`: what the one-item lookup asks
/// the quarter indexes for.
pub fn quarter_neighbours(quarter: u16, r: u32) -> Vec<u16> {
    (0..=u16::MAX)
        .filter(|f| f.count_ones() <= r)
        .map(|f| quarter ^ f)
        .collect()
}

/// The four 16-bit quarters of a hash, most significant first (`(h >> 48) & 0xffff`, ...), as
/// migration 8 indexes them.
pub fn quarters(h: u64) -> [u16; 4] {
    [
        (h >> 48) as u16,
        (h >> 32) as u16,
        (h >> 16) as u16,
        h as u16,
    ]
}
