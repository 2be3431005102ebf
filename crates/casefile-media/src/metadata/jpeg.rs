//! JPEG marker walk: the frame size from the first SOF segment (what exiftool calls
//! `ImageWidth`/`ImageHeight`), and the XMP packet's `tiff:Orientation` as a fallback when there
//! is no EXIF orientation. Segments are skipped by seeking; only XMP (≤ 64 KiB) is read.

use std::io::{self, BufRead, Seek, SeekFrom};

use super::Metadata;

const XMP_HEADER: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// A damaged file could chain tiny segments forever; real files have a few dozen.
const MAX_SEGMENTS: usize = 10_000;

pub(super) fn scan<R: BufRead + Seek>(r: &mut R, meta: &mut Metadata) -> io::Result<()> {
    r.seek(SeekFrom::Start(0))?;
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Ok(());
    }
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
            0xD9 | 0xDA => return Ok(()),   // EOI, or SOS before any SOF
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
        if is_sof {
            let mut sof = [0u8; 5];
            r.read_exact(&mut sof)?;
            let h = u32::from(u16::from_be_bytes([sof[1], sof[2]]));
            let w = u32::from(u16::from_be_bytes([sof[3], sof[4]]));
            // Height 0 means "defined later by a DNL marker"; we do not chase it.
            if w > 0 && h > 0 {
                meta.width = Some(w);
                meta.height = Some(h);
            }
            return Ok(());
        }
        if marker == 0xE1 && meta.orientation.is_none() && body > XMP_HEADER.len() as u64 {
            let mut seg = vec![0u8; body as usize];
            r.read_exact(&mut seg)?;
            if let Some(xmp) = seg.strip_prefix(XMP_HEADER) {
                meta.orientation = xmp_orientation(xmp);
            }
            continue;
        }
        r.seek(SeekFrom::Current(body as i64))?;
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
        ] {
            let mut m = Metadata::default();
            let _ = scan(&mut io::Cursor::new(data), &mut m);
            assert_eq!(m.width, None);
        }
        let mut m = Metadata::default();
        scan(
            &mut io::Cursor::new(b"\xFF\xD8\xFF\xC0\x00\x11\x08\x01\xE0\x02\x80\x03"),
            &mut m,
        )
        .unwrap();
        assert_eq!((m.width, m.height), (Some(640), Some(480)));
    }
}
