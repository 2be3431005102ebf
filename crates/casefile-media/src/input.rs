//! What the crate reads from: a stream, never a path.
//!
//! Every entry point takes `&mut dyn ReadSeek`: an open file, a `Cursor` over bytes, or (the
//! reason for this design) whatever reader the core's vault hands out, which may decrypt as it
//! reads. The crate never opens a file itself, so the vault stays the only door to stored files.
//!
//! Reading is bounded. Lengths written in a file are never trusted for an allocation: a body is
//! read with `take(len)` into a growing buffer, so a lying length costs only what the file really
//! holds, and each parser has a cap on what it keeps (see each module). Where a third-party
//! parser walks the file on its own (EXIF in HEIF, image headers), it reads through [`Bounded`],
//! which reports end of file once its budget is spent.

use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};

/// A seekable byte stream. Implemented for everything that is `Read + Seek` (`File`,
/// `Cursor<Vec<u8>>`, `BufReader<File>`, a decrypting reader, ...).
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek + ?Sized> ReadSeek for T {}

/// A reader that lets through at most `left` bytes in total, wherever it is sought to, then
/// reads as end of file. For handing a stream to a parser we do not control: whatever the file
/// says, the parser cannot read (and so keep) more than the budget.
pub(crate) struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R, budget: u64) -> Self {
        Bounded {
            inner,
            left: budget,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

impl<R: Seek> Seek for Bounded<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A reader that remembers whether the stream under it failed. Some decoders report damaged
/// content as an I/O error (the TIFF decoder's "invalid code in LZW stream", found by the
/// mutation test); with this, an I/O error out of a decoder is the stream's failure only if the
/// stream did fail (`media_unreadable`), otherwise it is the decoder's verdict on the content
/// (`media_undecodable`).
pub(crate) struct Watched<'a, R: ?Sized> {
    inner: &'a mut R,
    failed: &'a Cell<bool>,
}

impl<'a, R: ?Sized> Watched<'a, R> {
    pub(crate) fn new(inner: &'a mut R, failed: &'a Cell<bool>) -> Self {
        Watched { inner, failed }
    }

    fn note<T>(&self, r: io::Result<T>) -> io::Result<T> {
        if matches!(&r, Err(e) if e.kind() != io::ErrorKind::Interrupted) {
            self.failed.set(true);
        }
        r
    }
}

impl<R: Read + ?Sized> Read for Watched<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.inner.read(buf);
        self.note(r)
    }
}

impl<R: Seek + ?Sized> Seek for Watched<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let r = self.inner.seek(pos);
        self.note(r)
    }
}

/// Reads up to `max` bytes from the start of `r`. The vector grows with what is really there.
pub(crate) fn read_prefix(r: &mut dyn ReadSeek, max: u64) -> io::Result<Vec<u8>> {
    r.seek(SeekFrom::Start(0))?;
    let mut buf = Vec::new();
    r.take(max).read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn bounded_stops_at_its_budget_across_seeks() {
        let mut b = Bounded::new(Cursor::new(vec![7u8; 100]), 30);
        let mut buf = Vec::new();
        b.by_ref().take(20).read_to_end(&mut buf).unwrap();
        b.seek(SeekFrom::Start(0)).unwrap();
        buf.clear();
        b.read_to_end(&mut buf).unwrap();
        assert_eq!(buf.len(), 10, "20 of 30 were spent before the seek");
    }
}
