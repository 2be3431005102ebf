//! Writing a ZIP to a writer that cannot seek: the age stream of an encrypted bundle.
//!
//! The `zip` crate goes back to each entry's local header to fill in its CRC and sizes once the
//! data is written; an age stream is sealed chunk by chunk as it goes and cannot be rewritten.
//! So entries here are stored (no compression) with a data descriptor after their data (general
//! purpose flag bit 3, APPNOTE 4.3.9), which every ZIP reader that reads the central directory
//! (unzip, Python's zipfile, the `zip` crate, our own `zipcheck`) accepts. An entry announced as
//! 4 GiB or more, a central directory past 4 GiB and more than 65,534 entries use ZIP64 records.
//! Memory stays constant: the data passes straight through; only the directory (a few dozen
//! bytes per entry) is kept until the end.

use crc32fast::Hasher;
use std::io::{self, Write};

const LOCAL_SIG: u32 = 0x0403_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// Bit 3: CRC and sizes follow the data. Bit 11: the name is UTF-8.
const FLAG_DESCRIPTOR: u16 = 0x0008;
const FLAG_UTF8: u16 = 0x0800;
/// 1980-01-01 00:00, as the `zip` crate writes when no time is given: a bundle's dates are in
/// its tag files, not in the ZIP.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// Regular file, owner read/write (as the unencrypted ZIPs), in the Unix external attributes.
const EXTERNAL_ATTRS: u32 = 0o100600 << 16;
const MADE_BY_UNIX: u16 = 3 << 8;
const MAX32: u64 = 0xFFFF_FFFF;

struct Entry {
    name: Vec<u8>,
    flags: u16,
    crc: u32,
    size: u64,
    local_at: u64,
    zip64: bool,
}

struct Open {
    entry: Entry,
    hasher: Hasher,
}

/// A ZIP being written to `W` front to back.
pub(crate) struct StreamZip<W: Write> {
    out: W,
    pos: u64,
    done: Vec<Entry>,
    open: Option<Open>,
}

fn too_big(what: &str) -> io::Error {
    io::Error::other(format!("{what} is larger than it was announced"))
}

impl<W: Write> StreamZip<W> {
    pub fn new(out: W) -> Self {
        StreamZip {
            out,
            pos: 0,
            done: Vec::new(),
            open: None,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// Starts the entry `name`, finishing the one before. `size_hint` is its size, or more:
    /// an entry announced below 4 GiB may not grow past it.
    pub fn start_file(&mut self, name: &str, size_hint: u64) -> io::Result<()> {
        self.finish_file()?;
        let zip64 = size_hint >= MAX32;
        let flags = FLAG_DESCRIPTOR | if name.is_ascii() { 0 } else { FLAG_UTF8 };
        let name = name.as_bytes().to_vec();
        if name.len() > u16::MAX as usize {
            return Err(io::Error::other("a ZIP entry name is too long"));
        }
        let extra: Vec<u8> = if zip64 {
            // Both sizes, zero until the data descriptor gives them.
            let mut e = Vec::with_capacity(20);
            e.extend_from_slice(&1u16.to_le_bytes());
            e.extend_from_slice(&16u16.to_le_bytes());
            e.extend_from_slice(&[0u8; 16]);
            e
        } else {
            Vec::new()
        };
        let mut h = Vec::with_capacity(30 + name.len() + extra.len());
        h.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        h.extend_from_slice(&(if zip64 { 45u16 } else { 20u16 }).to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // stored
        h.extend_from_slice(&DOS_TIME.to_le_bytes());
        h.extend_from_slice(&DOS_DATE.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes()); // CRC: in the descriptor
        let sizes = if zip64 { MAX32 as u32 } else { 0 };
        h.extend_from_slice(&sizes.to_le_bytes());
        h.extend_from_slice(&sizes.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        h.extend_from_slice(&name);
        h.extend_from_slice(&extra);
        let local_at = self.pos;
        self.put(&h)?;
        self.open = Some(Open {
            entry: Entry {
                name,
                flags,
                crc: 0,
                size: 0,
                local_at,
                zip64,
            },
            hasher: Hasher::new(),
        });
        Ok(())
    }

    fn finish_file(&mut self) -> io::Result<()> {
        let Some(Open { mut entry, hasher }) = self.open.take() else {
            return Ok(());
        };
        entry.crc = hasher.finalize();
        let mut d = Vec::with_capacity(24);
        d.extend_from_slice(&DESCRIPTOR_SIG.to_le_bytes());
        d.extend_from_slice(&entry.crc.to_le_bytes());
        if entry.zip64 {
            d.extend_from_slice(&entry.size.to_le_bytes());
            d.extend_from_slice(&entry.size.to_le_bytes());
        } else {
            d.extend_from_slice(&(entry.size as u32).to_le_bytes());
            d.extend_from_slice(&(entry.size as u32).to_le_bytes());
        }
        self.put(&d)?;
        self.done.push(entry);
        Ok(())
    }

    /// Finishes the last entry, writes the central directory and the end records, and returns
    /// the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.finish_file()?;
        let dir_at = self.pos;
        let entries = std::mem::take(&mut self.done);
        for e in &entries {
            let big_size = e.zip64 || e.size >= MAX32;
            let big_at = e.local_at >= MAX32;
            let mut extra = Vec::new();
            if big_size || big_at {
                let mut body = Vec::new();
                if big_size {
                    body.extend_from_slice(&e.size.to_le_bytes());
                    body.extend_from_slice(&e.size.to_le_bytes());
                }
                if big_at {
                    body.extend_from_slice(&e.local_at.to_le_bytes());
                }
                extra.extend_from_slice(&1u16.to_le_bytes());
                extra.extend_from_slice(&(body.len() as u16).to_le_bytes());
                extra.extend_from_slice(&body);
            }
            let needed: u16 = if big_size || big_at { 45 } else { 20 };
            let mut c = Vec::with_capacity(46 + e.name.len() + extra.len());
            c.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
            c.extend_from_slice(&(MADE_BY_UNIX | 45).to_le_bytes());
            c.extend_from_slice(&needed.to_le_bytes());
            c.extend_from_slice(&e.flags.to_le_bytes());
            c.extend_from_slice(&0u16.to_le_bytes());
            c.extend_from_slice(&DOS_TIME.to_le_bytes());
            c.extend_from_slice(&DOS_DATE.to_le_bytes());
            c.extend_from_slice(&e.crc.to_le_bytes());
            let size32 = if big_size { MAX32 } else { e.size } as u32;
            c.extend_from_slice(&size32.to_le_bytes());
            c.extend_from_slice(&size32.to_le_bytes());
            c.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            c.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            c.extend_from_slice(&0u16.to_le_bytes()); // comment
            c.extend_from_slice(&0u16.to_le_bytes()); // disk
            c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            c.extend_from_slice(&EXTERNAL_ATTRS.to_le_bytes());
            let at32 = if big_at { MAX32 } else { e.local_at } as u32;
            c.extend_from_slice(&at32.to_le_bytes());
            c.extend_from_slice(&e.name);
            c.extend_from_slice(&extra);
            self.put(&c)?;
        }
        let dir_size = self.pos - dir_at;
        let count = entries.len() as u64;
        let zip64 = count >= 0xFFFF || dir_at >= MAX32 || dir_size >= MAX32;
        if zip64 {
            let eocd64_at = self.pos;
            let mut z = Vec::with_capacity(56 + 20);
            z.extend_from_slice(&ZIP64_EOCD_SIG.to_le_bytes());
            z.extend_from_slice(&44u64.to_le_bytes());
            z.extend_from_slice(&(MADE_BY_UNIX | 45).to_le_bytes());
            z.extend_from_slice(&45u16.to_le_bytes());
            z.extend_from_slice(&0u32.to_le_bytes());
            z.extend_from_slice(&0u32.to_le_bytes());
            z.extend_from_slice(&count.to_le_bytes());
            z.extend_from_slice(&count.to_le_bytes());
            z.extend_from_slice(&dir_size.to_le_bytes());
            z.extend_from_slice(&dir_at.to_le_bytes());
            z.extend_from_slice(&ZIP64_LOCATOR_SIG.to_le_bytes());
            z.extend_from_slice(&0u32.to_le_bytes());
            z.extend_from_slice(&eocd64_at.to_le_bytes());
            z.extend_from_slice(&1u32.to_le_bytes());
            self.put(&z)?;
        }
        let mut e = Vec::with_capacity(22);
        e.extend_from_slice(&EOCD_SIG.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        let count16 = if zip64 { 0xFFFF } else { count as u16 };
        e.extend_from_slice(&count16.to_le_bytes());
        e.extend_from_slice(&count16.to_le_bytes());
        let size32 = if zip64 { MAX32 } else { dir_size } as u32;
        let at32 = if zip64 { MAX32 } else { dir_at } as u32;
        e.extend_from_slice(&size32.to_le_bytes());
        e.extend_from_slice(&at32.to_le_bytes());
        e.extend_from_slice(&0u16.to_le_bytes());
        self.put(&e)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for StreamZip<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(open) = self.open.as_mut() else {
            return Err(io::Error::other("no ZIP entry was started"));
        };
        if !open.entry.zip64 && open.entry.size + buf.len() as u64 >= MAX32 {
            return Err(too_big(&String::from_utf8_lossy(&open.entry.name)));
        }
        let n = self.out.write(buf)?;
        open.hasher.update(&buf[..n]);
        open.entry.size += n as u64;
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    #[test]
    fn the_zip_crate_reads_what_is_written_and_our_checks_accept_it() {
        let mut z = StreamZip::new(Vec::new());
        z.start_file("bag/bagit.txt", 10).unwrap();
        z.write_all(b"BagIt-Version: 1.0\n").unwrap();
        z.start_file("bag/data/empty", 0).unwrap();
        z.start_file("bag/data/здравствуй.txt", 5).unwrap();
        z.write_all(b"hello").unwrap();
        // Announced as large: written with ZIP64 sizes.
        z.start_file("bag/data/big", u64::MAX).unwrap();
        z.write_all(&[7u8; 100_000]).unwrap();
        let bytes = z.finish().unwrap();
        let mut a = zip::ZipArchive::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(a.len(), 4);
        let mut s = String::new();
        a.by_name("bag/bagit.txt")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "BagIt-Version: 1.0\n");
        let mut big = Vec::new();
        a.by_name("bag/data/big")
            .unwrap()
            .read_to_end(&mut big)
            .unwrap();
        assert_eq!(big, vec![7u8; 100_000]);
        assert_eq!(
            a.by_name("bag/data/здравствуй.txt").unwrap().unix_mode(),
            Some(0o100600)
        );
        crate::bundle::zipcheck::check_reader(&mut Cursor::new(bytes), 4).unwrap();
    }

    #[test]
    fn an_entry_cannot_outgrow_a_small_announcement_silently() {
        let mut z = StreamZip::new(std::io::sink());
        z.start_file("bag/x", 1).unwrap();
        z.open.as_mut().unwrap().entry.size = MAX32 - 1;
        assert!(z.write_all(b"ab").is_err());
    }
}
