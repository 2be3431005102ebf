//! Perceptual hash for spotting the same photo in another file: a re-sent, resized or
//! recompressed copy (messaging apps do all three) has a different SHA-256 but a near-identical
//! dHash.
//!
//! dHash ("difference hash"): shrink the displayed image to 9×8 pixels of luminance by area
//! averaging, then for each of the 8 rows set one bit per neighbouring pair, 1 if the left pixel
//! is darker than the right one. Bits are row-major, most significant first. It survives
//! resizing, recompression and small colour changes; it does not survive crops, rotations or
//! mirroring (a rotated copy is a different picture to this hash).
//!
//! Compare two hashes with [`hamming`]: ≤ [`POSSIBLE_DUPLICATE_MAX_DISTANCE`] differing bits
//! means "possible duplicate" — a hint for a person to look at both, never a conclusion.

/// Hash grid width (one more than the 8 comparisons per row).
pub const GRID_W: u32 = 9;
/// Hash grid height.
pub const GRID_H: u32 = 8;

/// Two images whose hashes differ in at most this many of 64 bits are flagged as possible
/// duplicates. Resized and recompressed copies typically differ by 0–4 bits; unrelated photos by
/// about 32 (half the bits), rarely below 20.
pub const POSSIBLE_DUPLICATE_MAX_DISTANCE: u32 = 10;

/// Number of differing bits between two hashes (0..=64).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// True when two perceptual hashes are within [`POSSIBLE_DUPLICATE_MAX_DISTANCE`].
pub fn is_possible_duplicate(a: u64, b: u64) -> bool {
    hamming(a, b) <= POSSIBLE_DUPLICATE_MAX_DISTANCE
}

/// dHash of a 9×8 RGB8 grid.
pub(crate) fn dhash_rgb(grid: &[u8]) -> u64 {
    debug_assert_eq!(grid.len(), (GRID_W * GRID_H * 3) as usize);
    // Rec. 601 luma in integers (×1000).
    let luma: Vec<u32> = grid
        .chunks_exact(3)
        .map(|p| 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]))
        .collect();
    let mut hash = 0u64;
    for y in 0..GRID_H as usize {
        for x in 0..(GRID_W - 1) as usize {
            let i = y * GRID_W as usize + x;
            hash = (hash << 1) | u64::from(luma[i] < luma[i + 1]);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hamming_counts_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1011, 0b0001), 2);
    }

    #[test]
    fn gradient_left_to_right_sets_every_bit() {
        let mut grid = Vec::new();
        for _y in 0..GRID_H {
            for x in 0..GRID_W {
                let v = (x * 25) as u8;
                grid.extend_from_slice(&[v, v, v]);
            }
        }
        assert_eq!(dhash_rgb(&grid), u64::MAX);
    }
}
