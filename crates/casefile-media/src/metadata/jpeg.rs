//! JPEG marker walk, from the start of image to the first scan: the frame size from the first
//! SOF segment (what exiftool calls `ImageWidth`/`ImageHeight`), the first EXIF block (APP1
//! `Exif`), and the XMP packet's `tiff:Orientation` as a fallback when EXIF has no orientation.
//! Segments are skipped by seeking; only EXIF and XMP segments (≤ 64 KiB each by their 16-bit
//! length) are read. This one walk serves metadata, thumbnails and [`crate::strip`]'s rule (the
//! first EXIF block before the scan decides the orientation), so all three agree.

use std::io::{self, BufRead, Read, Seek, SeekFrom};

const EXIF_ID: &[u8] = b"Exif\0\0";
const XMP_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// A damaged file could chain tiny segments forever; real files have a few dozen.
const MAX_SEGMENTS: usize = 10_000;

/// What the header segments of a JPEG say about it.
#[derive(Debug, Default)]
pub(crate) struct Headers {
    /// The first APP1 EXIF block, from its TIFF header on.
    pub exif: Option<Vec<u8>>,
    /// `tiff:Orientation` of the first XMP packet that has one.
    pub xmp_orientation: Option<u16>,
    /// Width and height of the first frame header, when both are non-zero.
    pub size: Option<(u32, u32)>,
}

/// Walks the JPEG in `r` from its start up to the first scan (or the end of image). A file that
/// is not a JPEG gives empty headers; a truncated one gives `UnexpectedEof` (the caller keeps
/// what `out` holds by then).
pub(crate) fn read_headers<R: BufRead + Seek + ?Sized>(
    r: &mut R,
    out: &mut Headers,
) -> io::Result<()> {
    r.seek(SeekFrom::Start(0))?;
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Ok(());
    }
    let mut seg = Vec::new();
    for _ in 0..MAX_SEGMENTS {
        // Find the next marker: 0xFF, optional 0xFF fill bytes, then the marker code.
        let mut b = [0u8; 1];
        r.read_exact(&mut b)?;
        if b[0] != 0xFF {
            return Ok(()); // not at a marker: damaged, stop quietly
        }
        let mut marker = 0xFF;
        while marker == 0xFF {
            r.read_exact(&mut b)?;
            marker = b[0];
        }
        match marker {
            0x01 | 0xD0..=0xD7 => continue, // standalone markers, no length
            0xD9 | 0xDA => return Ok(()),   // end of image, or the first scan
            _ => {}
        }
        let mut len = [0u8; 2];
        r.read_exact(&mut len)?;
        let len = u16::from_be_bytes(len);
        if len < 2 {
            return Ok(());
        }
        let body = u64::from(len - 2);
        let is_sof = matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF);
        if is_sof && out.size.is_none() && body >= 5 {
            let mut sof = [0u8; 5];
            r.read_exact(&mut sof)?;
            let h = u32::from(u16::from_be_bytes([sof[1], sof[2]]));
            let w = u32::from(u16::from_be_bytes([sof[3], sof[4]]));
            // Height 0 means "defined later by a DNL marker"; we do not chase it.
            if w > 0 && h > 0 {
                out.size = Some((w, h));
            }
            skip(r, body - 5)?;
            continue;
        }
        let wanted = marker == 0xE1 && (out.exif.is_none() || out.xmp_orientation.is_none());
        if wanted {
            seg.clear();
            (&mut *r).take(body).read_to_end(&mut seg)?;
            if seg.len() as u64 != body {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if let Some(tiff) = seg.strip_prefix(EXIF_ID) {
                if out.exif.is_none() {
                    out.exif = Some(tiff.to_vec());
                }
            } else if let Some(xmp) = seg.strip_prefix(XMP_HEADER) {
                if out.xmp_orientation.is_none() {
                    out.xmp_orientation = xmp_orientation(xmp);
                }
            }
            continue;
        }
        skip(r, body)?;
    }
    Ok(())
}

/// Skips `n` bytes: within the buffer if they are there, by seeking otherwise.
fn skip<R: BufRead + Seek + ?Sized>(r: &mut R, n: u64) -> io::Result<()> {
    let avail = r.fill_buf()?.len() as u64;
    if n <= avail {
        r.consume(n as usize);
    } else {
        // Relative to the logical position: what is buffered counts (BufReader and Cursor).
        r.seek(SeekFrom::Current(n as i64))?;
    }
    Ok(())
}

/// `tiff:Orientation` from an XMP packet, written either as an attribute
/// (`tiff:Orientation="6"`) or as an element (`<tiff:Orientation>6</tiff:Orientation>`).
pub(crate) fn xmp_orientation(xmp: &[u8]) -> Option<u16> {
    const KEY: &[u8] = b"tiff:Orientation";
    let pos = xmp.windows(KEY.len()).position(|w| w == KEY)?;
    let rest = &xmp[pos + KEY.len()..];
    let rest = match rest.first()? {
        b'=' => rest.get(2..)?, // ="6"  or ='6'
        b'>' => rest.get(1..)?,
        _ => return None,
    };
    let digits: Vec<u8> = rest
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    let v: u16 = std::str::from_utf8(&digits).ok()?.parse().ok()?;
    (1..=8).contains(&v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_forms() {
        assert_eq!(
            xmp_orientation(br#"<rdf:Description tiff:Orientation="6"/>"#),
            Some(6)
        );
        assert_eq!(
            xmp_orientation(b"<tiff:Orientation>3</tiff:Orientation>"),
            Some(3)
        );
        assert_eq!(
            xmp_orientation(b"<tiff:Orientation>9</tiff:Orientation>"),
            None
        );
        assert_eq!(xmp_orientation(b"tiff:Orientation"), None);
    }

    #[test]
    fn truncated_and_garbage_headers() {
        for data in [
            &b""[..],
            b"\xFF",
            b"\xFF\xD8",
            b"\xFF\xD8\xFF",
            b"\xFF\xD8\xFF\xC0\x00",
            b"\xFF\xD8\xFF\xE1\x00\x01",
            b"\xFF\xD8\xFF\xE1\xFF\xFFExif\0\0",
        ] {
            let mut h = Headers::default();
            let _ = read_headers(&mut io::Cursor::new(data), &mut h);
            assert_eq!((h.size, h.exif), (None, None));
        }
        let mut h = Headers::default();
        read_headers(
            &mut io::Cursor::new(b"\xFF\xD8\xFF\xC0\x00\x11\x08\x01\xE0\x02\x80\x03"),
            &mut h,
        )
        .unwrap_err();
        assert_eq!(h.size, Some((640, 480)), "the size was read before the end");
    }
}
