//! Finding the EXIF block (a TIFF structure) inside PNG and WebP files, by seeking from chunk to
//! chunk: image data is skipped, never read, and only the EXIF block itself is kept (at most
//! [`EXIF_CAP`] bytes of it). The block is then parsed by `kamadak-exif` (fields) and the `image`
//! crate (orientation), like the one from a JPEG.

use std::io::{self, Read, Seek, SeekFrom};

/// The most of an EXIF block we keep. A JPEG's is at most 64 KiB by construction; PNG and WebP
/// could claim gigabytes. Fields past the cap read as absent (the parser continues on error).
pub(crate) const EXIF_CAP: u64 = 1024 * 1024;
/// Against files made of millions of empty chunks; real files have a few dozen.
const MAX_CHUNKS: usize = 100_000;
const EXIF_ID: &[u8] = b"Exif\0\0";

/// Reads `len` bytes (at most [`EXIF_CAP`]) at the current position; fewer if the file ends.
fn read_capped<R: Read + ?Sized>(r: &mut R, len: u64) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(len.min(EXIF_CAP)).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The first `eXIf` chunk of a PNG, wherever it is (PNG asks for it before the image data, but
/// readers such as exiftool accept it anywhere, so we do too).
pub(crate) fn png_exif<R: Read + Seek + ?Sized>(r: &mut R) -> io::Result<Option<Vec<u8>>> {
    r.seek(SeekFrom::Start(0))?;
    let mut sig = [0u8; 8];
    r.read_exact(&mut sig)?;
    if &sig != b"\x89PNG\r\n\x1a\n" {
        return Ok(None);
    }
    let mut pos = 8u64;
    for _ in 0..MAX_CHUNKS {
        let mut head = [0u8; 8];
        r.read_exact(&mut head)?;
        let len = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        match &head[4..8] {
            b"eXIf" => return Ok(Some(read_capped(r, len)?)),
            b"IEND" => return Ok(None),
            _ => {}
        }
        // Data and CRC. Seeking past the end is allowed; the next read then finds nothing.
        pos += 8 + len + 4;
        r.seek(SeekFrom::Start(pos))?;
    }
    Ok(None)
}

/// The first `EXIF` chunk of a WebP (RIFF) file, without the `Exif\0\0` prefix some writers put
/// before the TIFF header.
pub(crate) fn webp_exif<R: Read + Seek + ?Sized>(r: &mut R) -> io::Result<Option<Vec<u8>>> {
    r.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 12];
    r.read_exact(&mut head)?;
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WEBP" {
        return Ok(None);
    }
    let riff_end = 8 + u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
    let mut pos = 12u64;
    for _ in 0..MAX_CHUNKS {
        if pos + 8 > riff_end {
            break;
        }
        let mut ch = [0u8; 8];
        r.read_exact(&mut ch)?;
        let len = u64::from(u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]));
        if &ch[0..4] == b"EXIF" {
            let mut block = read_capped(r, len.min(riff_end - pos - 8))?;
            if block.starts_with(EXIF_ID) {
                block.drain(..EXIF_ID.len());
            }
            return Ok(Some(block));
        }
        // Chunks are padded to an even length.
        pos += 8 + len + (len & 1);
        r.seek(SeekFrom::Start(pos))?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn png_chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
        [
            &(data.len() as u32).to_be_bytes()[..],
            ty,
            data,
            &[0, 0, 0, 0],
        ]
        .concat()
    }

    #[test]
    fn png_exif_is_found_past_the_image_data_and_lying_lengths_cost_nothing() {
        let png = [
            &b"\x89PNG\r\n\x1a\n"[..],
            &png_chunk(b"IHDR", &[0; 13]),
            &png_chunk(b"IDAT", &[1; 5000]),
            &png_chunk(b"eXIf", b"MM\0*tiff"),
            &png_chunk(b"IEND", b""),
        ]
        .concat();
        assert_eq!(
            png_exif(&mut Cursor::new(&png)).unwrap().as_deref(),
            Some(&b"MM\0*tiff"[..])
        );
        // An eXIf claiming 4 GiB at the end of a small file: what is there, nothing more.
        let lying = [
            &b"\x89PNG\r\n\x1a\n"[..],
            &[0xFF, 0xFF, 0xFF, 0xFF],
            b"eXIfMM\0*",
        ]
        .concat();
        assert_eq!(
            png_exif(&mut Cursor::new(&lying)).unwrap().as_deref(),
            Some(&b"MM\0*"[..])
        );
        // A chunk length pointing past the end: end of file, no EXIF.
        let past = [&b"\x89PNG\r\n\x1a\n"[..], &[0x7F, 0, 0, 0], b"IDAT"].concat();
        assert!(png_exif(&mut Cursor::new(&past)).is_err());
    }

    #[test]
    fn webp_exif_with_and_without_prefix() {
        for payload in [&b"Exif\0\0II*\0"[..], b"II*\0"] {
            let mut body = b"WEBP".to_vec();
            body.extend_from_slice(b"VP8X");
            body.extend_from_slice(&10u32.to_le_bytes());
            body.extend_from_slice(&[0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            body.extend_from_slice(b"ALPH");
            body.extend_from_slice(&3u32.to_le_bytes());
            body.extend_from_slice(&[1, 2, 3, 0]); // odd length, padded
            body.extend_from_slice(b"EXIF");
            body.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            body.extend_from_slice(payload);
            let mut file = b"RIFF".to_vec();
            file.extend_from_slice(&(body.len() as u32).to_le_bytes());
            file.extend_from_slice(&body);
            assert_eq!(
                webp_exif(&mut Cursor::new(&file)).unwrap().as_deref(),
                Some(&b"II*\0"[..])
            );
        }
    }
}
