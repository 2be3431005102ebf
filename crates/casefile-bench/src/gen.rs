//! Generated evidence files for the intake benchmarks: deterministic (the same arguments give the
//! same bytes on every machine, so runs can be compared), incompressible (nothing in the path can
//! win by noticing repetition), and with a real JPEG header on every tenth file so that content
//! sniffing and the metadata reader take the image path for some of them.

use casefile_core::Error;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast, and good enough that its output does not compress.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }
}

/// SOI, a JFIF APP0 segment and a baseline SOF0 frame header (4032 × 3024, three components):
/// what the sniffer and the metadata reader look at. The scan data after it is random.
fn jpeg_header() -> Vec<u8> {
    let mut h = vec![0xFF, 0xD8];
    h.extend_from_slice(&[
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    let (w, ht) = (4032u16, 3024u16);
    h.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    h.extend_from_slice(&ht.to_be_bytes());
    h.extend_from_slice(&w.to_be_bytes());
    h.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    h
}

/// Writes files of `min..=max` bytes into `dir` until `total` bytes are written, fsyncs each
/// (so that the measurements that follow do not compete with this data's writeback), and
/// returns their paths in name order.
pub fn files(dir: &Path, total: u64, min: u64, max: u64, seed: u64) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut rng = Rng::new(seed);
    let mut buf = vec![0u8; 1 << 20];
    let mut paths = Vec::new();
    let mut written = 0u64;
    while written < total {
        let i = paths.len();
        let size = rng.between(min, max).min(total - written).max(1);
        let jpeg = i % 10 == 0;
        let path = dir.join(format!(
            "evidence-{i:04}.{}",
            if jpeg { "jpg" } else { "bin" }
        ));
        let mut f = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut left = size;
        let mut first = true;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            rng.fill(&mut buf[..n]);
            if first && jpeg {
                let h = jpeg_header();
                let k = h.len().min(n);
                buf[..k].copy_from_slice(&h[..k]);
            }
            first = false;
            f.write_all(&buf[..n]).map_err(|e| Error::io(&path, e))?;
            left -= n as u64;
        }
        f.sync_all().map_err(|e| Error::io(&path, e))?;
        written += size;
        paths.push(path);
    }
    Ok(paths)
}
