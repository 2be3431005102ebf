//! A ZIP's structure, read independently of the `zip` crate, so that what a bundle reader sees is
//! what every other tool sees.
//!
//! The `zip` crate indexes entries by name and keeps the last of two with the same name; `unzip`
//! shows both, and a person could be shown one file while Casefile verifies another. The central
//! directory is therefore walked here record by record: two entries with the same name, an entry
//! count that differs from the end record's, a directory that does not end where the end record
//! says, and a local header that disagrees with its central record (name, method, flags, CRC,
//! sizes) are all refused.

use crate::error::{Error, Result};
use std::collections::HashSet;
use std::io::{BufReader, Read, Seek, SeekFrom};

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

fn refuse(msg: impl Into<String>) -> Error {
    Error::BundleRefused(msg.into())
}

fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64le(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

fn io(e: std::io::Error) -> Error {
    refuse(format!("the ZIP could not be read: {e}"))
}

/// Where the central directory is, and how many entries the end record says it holds.
struct Directory {
    entries: u64,
    offset: u64,
    size: u64,
}

fn find_directory<R: Read + Seek + ?Sized>(f: &mut R, len: u64) -> Result<Directory> {
    let tail_len = len.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    let pos = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| {
            u32le(&tail, i) == EOCD_SIG && i + 22 + u16le(&tail, i + 20) as usize == tail.len()
        })
        .ok_or_else(|| {
            refuse("the ZIP has no end-of-directory record (truncated, or something follows it)")
        })?;
    let eocd_at = len - tail_len + pos as u64;
    let e = &tail[pos..];
    if u16le(e, 4) != 0 || u16le(e, 6) != 0 || u16le(e, 8) != u16le(e, 10) {
        return Err(refuse("the ZIP spans several disks"));
    }
    let mut dir = Directory {
        entries: u16le(e, 10) as u64,
        size: u32le(e, 12) as u64,
        offset: u32le(e, 16) as u64,
    };
    let mut dir_end = eocd_at;
    if dir.entries == 0xFFFF || dir.size == 0xFFFF_FFFF || dir.offset == 0xFFFF_FFFF {
        // ZIP64: a locator just before the end record points at the ZIP64 end record.
        if eocd_at < 20 {
            return Err(refuse("the ZIP's ZIP64 locator is missing"));
        }
        let mut loc = [0u8; 20];
        f.seek(SeekFrom::Start(eocd_at - 20)).map_err(io)?;
        f.read_exact(&mut loc).map_err(io)?;
        if u32le(&loc, 0) != ZIP64_LOCATOR_SIG {
            return Err(refuse("the ZIP's ZIP64 locator is missing"));
        }
        let at = u64le(&loc, 8);
        let mut z = [0u8; 56];
        f.seek(SeekFrom::Start(at)).map_err(io)?;
        f.read_exact(&mut z).map_err(io)?;
        if u32le(&z, 0) != ZIP64_EOCD_SIG {
            return Err(refuse("the ZIP's ZIP64 end record is missing"));
        }
        if u64le(&z, 24) != u64le(&z, 32) {
            return Err(refuse("the ZIP spans several disks"));
        }
        dir = Directory {
            entries: u64le(&z, 32),
            size: u64le(&z, 40),
            offset: u64le(&z, 48),
        };
        dir_end = at;
    }
    if dir.offset.checked_add(dir.size) != Some(dir_end) {
        return Err(refuse("the ZIP's central directory does not end where its end record says (data hidden before or inside it)"));
    }
    Ok(dir)
}

/// One central directory record, as far as the checks need it.
struct Central {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    local_at: u64,
}

/// The ZIP64 extended information extra field replaces the 32-bit values that are 0xFFFFFFFF,
/// in the order size, compressed size, local header offset.
fn zip64_values(extra: &[u8], size: &mut u64, compressed: &mut u64, local_at: &mut u64) {
    let mut i = 0;
    while i + 4 <= extra.len() {
        let id = u16le(extra, i);
        let n = u16le(extra, i + 2) as usize;
        let body = &extra[(i + 4).min(extra.len())..(i + 4 + n).min(extra.len())];
        if id == 0x0001 {
            let mut at = 0;
            for v in [size, compressed, local_at] {
                if *v == 0xFFFF_FFFF && at + 8 <= body.len() {
                    *v = u64le(body, at);
                    at += 8;
                }
            }
            return;
        }
        i += 4 + n;
    }
}

/// Walks the ZIP `f` reads (a file, or an encrypted bundle's plaintext): every entry named
/// once, the count as declared, each local header agreeing with its central record.
/// `archive_len` is how many entries the `zip` crate indexed.
pub fn check_reader<R: Read + Seek + ?Sized>(f: &mut R, archive_len: usize) -> Result<()> {
    let len = f.seek(SeekFrom::End(0)).map_err(io)?;
    let dir = find_directory(f, len)?;
    f.seek(SeekFrom::Start(dir.offset)).map_err(io)?;
    let mut r = BufReader::with_capacity(1 << 16, (&mut *f).take(dir.size));
    let mut names: HashSet<Vec<u8>> = HashSet::new();
    let mut centrals = Vec::new();
    let mut fixed = [0u8; 46];
    loop {
        match r.read_exact(&mut fixed[..4]) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(io(e)),
        }
        if u32le(&fixed, 0) != CENTRAL_SIG {
            return Err(refuse(
                "the ZIP's central directory holds something that is not an entry",
            ));
        }
        r.read_exact(&mut fixed[4..]).map_err(io)?;
        let (n, m, k) = (
            u16le(&fixed, 28) as usize,
            u16le(&fixed, 30) as usize,
            u16le(&fixed, 32) as usize,
        );
        let mut name = vec![0u8; n];
        r.read_exact(&mut name).map_err(io)?;
        let mut extra = vec![0u8; m];
        r.read_exact(&mut extra).map_err(io)?;
        std::io::copy(&mut (&mut r).take(k as u64), &mut std::io::sink()).map_err(io)?;
        let mut c = Central {
            flags: u16le(&fixed, 8),
            method: u16le(&fixed, 10),
            crc: u32le(&fixed, 16),
            compressed: u32le(&fixed, 20) as u64,
            size: u32le(&fixed, 24) as u64,
            local_at: u32le(&fixed, 42) as u64,
            name,
        };
        zip64_values(&extra, &mut c.size, &mut c.compressed, &mut c.local_at);
        if !names.insert(c.name.clone()) {
            return Err(refuse(format!(
                "the ZIP holds two entries named \"{}\": other tools would show one, Casefile another",
                String::from_utf8_lossy(&c.name)
            )));
        }
        centrals.push(c);
        if centrals.len() > super::source::MAX_ENTRIES {
            return Err(refuse(format!(
                "the ZIP holds more than {} entries",
                super::source::MAX_ENTRIES
            )));
        }
    }
    if centrals.len() as u64 != dir.entries || centrals.len() != archive_len {
        return Err(refuse(format!(
            "the ZIP's directory holds {} entries, its end record says {}: refused as inconsistent",
            centrals.len(),
            dir.entries
        )));
    }
    drop(r);
    let mut local = [0u8; 30];
    for c in &centrals {
        f.seek(SeekFrom::Start(c.local_at)).map_err(io)?;
        f.read_exact(&mut local).map_err(|_| {
            refuse(format!(
                "the local header of \"{}\" is missing",
                String::from_utf8_lossy(&c.name)
            ))
        })?;
        let shown = String::from_utf8_lossy(&c.name).into_owned();
        let disagree = |what: &str| {
            refuse(format!("the ZIP entry \"{shown}\" has a local header that disagrees with its directory record ({what})"))
        };
        if u32le(&local, 0) != LOCAL_SIG {
            return Err(disagree("no local header there"));
        }
        let mut name = vec![0u8; u16le(&local, 26) as usize];
        f.read_exact(&mut name).map_err(io)?;
        if name != c.name {
            return Err(disagree(&format!(
                "it is named \"{}\" there",
                String::from_utf8_lossy(&name)
            )));
        }
        if u16le(&local, 8) != c.method {
            return Err(disagree("compression method"));
        }
        if u16le(&local, 6) & 0x0008 != c.flags & 0x0008 {
            return Err(disagree("flags"));
        }
        if c.flags & 0x0008 == 0 {
            if u32le(&local, 14) != c.crc {
                return Err(disagree("CRC"));
            }
            let (lc, ls) = (u32le(&local, 18) as u64, u32le(&local, 22) as u64);
            if (lc != 0xFFFF_FFFF && lc != c.compressed) || (ls != 0xFFFF_FFFF && ls != c.size) {
                return Err(disagree("sizes"));
            }
        }
    }
    Ok(())
}
