//! Look-alike detection: the multi-index search against comparing every pair, on generated
//! hashes (uniform, clustered, duplicates, piled on one chunk value, and pairs placed exactly at
//! the threshold and one bit past it, with their differing bits spread as evenly over the
//! chunks as the pigeonhole allows), for every threshold 0..=64 and sets of 0 to 10,000 hashes.

use casefile_core::records::lookalike::{
    self, brute_force_pairs, find_pairs, find_pairs_in_chunks, Near,
};
use casefile_media::POSSIBLE_DUPLICATE_MAX_DISTANCE as T;

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
