//! Decoding images small and fast, for thumbnails and perceptual hashes.
//!
//! Intake of thousands of photos is dominated by JPEG decoding, so a JPEG is decoded already
//! reduced and the full-size image never exists in memory: at 1/8 scale (every thumbnail of a
//! camera photo) by our DC-only decoder ([`crate::jpeg_dc`], about twice as fast), otherwise,
//! and whenever that fast path declines, by `jpeg-decoder` with its inverse DCT scaled to 1/4,
//! 1/2 or full size. The reduced image is then resized exactly with
//! `fast_image_resize` (SIMD convolution) and turned upright by the `image` crate
//! (`DynamicImage::apply_orientation`). Other formats (PNG, WebP, GIF first frame, TIFF, BMP)
//! go through the `image` crate at full size with its memory limits, and take their orientation
//! from its decoder. HEIC/HEIF/AVIF are refused with `media_unsupported`: no practical pure-Rust
//! HEVC/AV1 still decoder exists, and the app shows a placeholder.
//!
//! Input is a stream ([`ReadSeek`]). A JPEG is read into memory (the decoders want a slice)
//! only up to [`MAX_JPEG_FILE`]; other formats are decoded from the stream.
//!
//! Thumbnails are **JPEG** (quality [`THUMB_JPEG_QUALITY`], sRGB as decoded, no metadata), with
//! the orientation already applied, so the UI shows them as they are. Transparent areas are
//! flattened onto white.

use fast_image_resize as fir;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, RgbImage};
use std::cell::Cell;
use std::io::{self, BufReader, Read, SeekFrom};

use crate::error::{BadContent, MediaError, Result};
use crate::guard::no_panic;
use crate::input::{ReadSeek, Watched};
use crate::jpeg_dc;
use crate::metadata::{self, display_orientation, jpeg};
use crate::phash;
use crate::sniff::sniff_reader;

/// Quality of the JPEG thumbnails we write.
pub const THUMB_JPEG_QUALITY: u8 = 82;
/// We refuse to decode images with more pixels than this (about 200 MP): beyond it a hostile or
/// damaged header could make the decoder allocate gigabytes.
pub const MAX_PIXELS: u64 = 200_000_000;
/// Largest JPEG we read into memory for decoding (a 200-megapixel photo at high quality is
/// about 100 MB). Larger is `media_too_large`.
pub const MAX_JPEG_FILE: u64 = 256 << 20;
/// The decoded size [`perceptual_hash`] works from, equal to the usual thumbnail size so that a
/// hash from [`analyse_image`] at 256 px is bit-for-bit the same.
pub const HASH_BASIS_SIDE: u32 = 256;

/// A JPEG thumbnail, oriented for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Encoded image bytes.
    pub bytes: Vec<u8>,
    /// Always `image/jpeg` today.
    pub mime: &'static str,
    /// Size of the thumbnail as displayed (after orientation).
    pub width: u32,
    pub height: u32,
}

/// A decoded RGB8 image (row-major, 3 bytes per pixel) and the orientation to display it by.
pub(crate) struct Decoded {
    pub w: u32,
    pub h: u32,
    pub rgb: Vec<u8>,
    pub orientation: Orientation,
}

/// JPEG thumbnail of the image in `r` of at most `max_side` pixels on its long side (never
/// upscaled), turned upright per its orientation. JPEG, PNG, WebP, GIF (first frame), TIFF and
/// BMP, told apart by content. Reads from the start of the stream whatever its position.
///
/// Errors: `media_unreadable` (reading failed), `media_undecodable` (damaged image data, or a
/// decoder panic, caught), `media_unsupported` (HEIC/HEIF/AVIF, non-images), `media_too_large`
/// (more than [`MAX_PIXELS`], or a JPEG file over [`MAX_JPEG_FILE`]).
pub fn thumbnail(r: &mut dyn ReadSeek, max_side: u32) -> Result<Thumbnail> {
    let d = decode_reduced(r, max_side)?;
    make_thumbnail(&d, max_side)
}

/// Decodes once and returns both the thumbnail (as [`thumbnail`]) and the perceptual hash (as
/// [`perceptual_hash`]); this is what intake uses.
///
/// The hash is computed from the reduced image decoded for the thumbnail. For `max_side` =
/// [`HASH_BASIS_SIDE`] it is identical to [`perceptual_hash`]; for other sizes the JPEG decoder
/// may pick another DCT scale, which moves the hash by at most a bit or two, far below
/// [`crate::POSSIBLE_DUPLICATE_MAX_DISTANCE`].
pub fn analyse_image(r: &mut dyn ReadSeek, max_side: u32) -> Result<(Thumbnail, u64)> {
    let d = decode_reduced(r, max_side)?;
    let thumb = make_thumbnail(&d, max_side)?;
    let hash = hash_decoded(&d)?;
    Ok((thumb, hash))
}

/// 64-bit perceptual hash (dHash, see [`crate::phash`]) of the image in `r` as displayed.
pub fn perceptual_hash(r: &mut dyn ReadSeek) -> Result<u64> {
    let d = decode_reduced(r, HASH_BASIS_SIDE)?;
    hash_decoded(&d)
}

fn make_thumbnail(d: &Decoded, max_side: u32) -> Result<Thumbnail> {
    let (tw, th) = fit(d.w, d.h, max_side.max(1));
    let small = resize_rgb(d, tw, th, fir::FilterType::CatmullRom)?;
    let (w, h, rgb) = orient(tw, th, small, d.orientation)?;
    let mut bytes = Vec::with_capacity((w * h) as usize / 4);
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, THUMB_JPEG_QUALITY);
    image::ImageEncoder::write_image(enc, &rgb, w, h, image::ExtendedColorType::Rgb8)
        .map_err(MediaError::undecodable)?;
    Ok(Thumbnail {
        bytes,
        mime: "image/jpeg",
        width: w,
        height: h,
    })
}

fn hash_decoded(d: &Decoded) -> Result<u64> {
    // Shrink straight to the hash grid in the stored frame, then orient the tiny grid: the hash
    // describes the image as displayed, at almost no cost.
    let swaps = matches!(
        d.orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (gw, gh) = if swaps {
        (phash::GRID_H, phash::GRID_W)
    } else {
        (phash::GRID_W, phash::GRID_H)
    };
    let grid = resize_rgb(d, gw, gh, fir::FilterType::Box)?;
    let (w, h, grid) = orient(gw, gh, grid, d.orientation)?;
    debug_assert_eq!((w, h), (phash::GRID_W, phash::GRID_H));
    Ok(phash::dhash_rgb(&grid))
}

/// Size that fits `w`×`h` into `max_side` on the long side, keeping the aspect ratio; never
/// larger than the original.
pub(crate) fn fit(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max_side {
        return (w, h);
    }
    let scale = f64::from(max_side) / f64::from(long);
    let sw = ((f64::from(w) * scale).round() as u32).clamp(1, max_side);
    let sh = ((f64::from(h) * scale).round() as u32).clamp(1, max_side);
    (sw, sh)
}

fn resize_rgb(d: &Decoded, w: u32, h: u32, filter: fir::FilterType) -> Result<Vec<u8>> {
    if (w, h) == (d.w, d.h) {
        return Ok(d.rgb.clone());
    }
    let src = fir::images::ImageRef::new(d.w, d.h, &d.rgb, fir::PixelType::U8x3)
        .map_err(MediaError::undecodable)?;
    let mut dst = fir::images::Image::new(w, h, fir::PixelType::U8x3);
    let opts = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(filter));
    fir::Resizer::new()
        .resize(&src, &mut dst, &opts)
        .map_err(MediaError::undecodable)?;
    Ok(dst.into_vec())
}

/// Turns an RGB8 image of `w`×`h` upright by `o` (the `image` crate's own transform), returning
/// the displayed size and pixels.
pub(crate) fn orient(w: u32, h: u32, rgb: Vec<u8>, o: Orientation) -> Result<(u32, u32, Vec<u8>)> {
    if o == Orientation::NoTransforms {
        return Ok((w, h, rgb));
    }
    let img = RgbImage::from_raw(w, h, rgb)
        .ok_or_else(|| MediaError::undecodable(BadContent("image buffer of the wrong size")))?;
    let mut img = DynamicImage::ImageRgb8(img);
    img.apply_orientation(o);
    let (dw, dh) = (img.width(), img.height());
    Ok((dw, dh, img.into_rgb8().into_raw()))
}

/// Decodes the image in `r` to RGB8 with at least `max_side` pixels on the long side where the
/// format allows reducing cheaply (JPEG DCT scaling), otherwise at full size.
pub(crate) fn decode_reduced(r: &mut dyn ReadSeek, max_side: u32) -> Result<Decoded> {
    let media = sniff_reader(r)?;
    match media.mime {
        "image/jpeg" => {
            let data = read_jpeg(r)?;
            no_panic(|| decode_jpeg(&data, max_side))?
        }
        mime => match metadata::image_format(mime) {
            Some(format) => no_panic(|| decode_with_image_crate(r, format))?,
            None => Err(MediaError::Unsupported {
                mime,
                operation: "thumbnail",
            }),
        },
    }
}

/// The whole JPEG in memory, refused beyond [`MAX_JPEG_FILE`] before anything is allocated for
/// it. The size the stream reports only sizes the first allocation; what is read is checked.
fn read_jpeg(r: &mut dyn ReadSeek) -> Result<Vec<u8>> {
    let too_large = || MediaError::TooLarge {
        width: 0,
        height: 0,
    };
    let len = r.seek(SeekFrom::End(0)).map_err(MediaError::unreadable)?;
    if len > MAX_JPEG_FILE {
        return Err(too_large());
    }
    r.seek(SeekFrom::Start(0)).map_err(MediaError::unreadable)?;
    let mut data = Vec::with_capacity(len as usize);
    r.take(MAX_JPEG_FILE + 1)
        .read_to_end(&mut data)
        .map_err(MediaError::unreadable)?;
    if data.len() as u64 > MAX_JPEG_FILE {
        return Err(too_large());
    }
    Ok(data)
}

fn decode_jpeg(data: &[u8], max_side: u32) -> Result<Decoded> {
    let bad = |e: jpeg_decoder::Error| MediaError::undecodable(e);
    let mut dec = jpeg_decoder::Decoder::new(data);
    dec.read_info().map_err(bad)?;
    let info = dec
        .info()
        .ok_or_else(|| MediaError::undecodable(BadContent("no JPEG frame header")))?;
    let (fw, fh) = (u32::from(info.width), u32::from(info.height));
    if fw == 0 || fh == 0 {
        return Err(MediaError::undecodable(BadContent(
            "JPEG frame of zero size",
        )));
    }
    if u64::from(fw) * u64::from(fh) > MAX_PIXELS {
        return Err(MediaError::TooLarge {
            width: fw.into(),
            height: fh.into(),
        });
    }
    let (tw, th) = fit(fw, fh, max_side.max(1));
    // The same header walk and rule as the metadata (and stripped copies) use.
    let mut headers = jpeg::Headers::default();
    let _ = jpeg::read_headers(&mut io::Cursor::new(data), &mut headers);
    let orientation = display_orientation(headers.exif.as_deref(), headers.xmp_orientation)
        .unwrap_or(Orientation::NoTransforms);
    // When 1/8 scale is enough (as jpeg-decoder's own choice would be), try the DC-only path.
    if fw.div_ceil(8) >= tw || fh.div_ceil(8) >= th {
        if let Some(img) = jpeg_dc::decode_eighth(data) {
            return Ok(Decoded {
                w: img.w,
                h: img.h,
                rgb: img.rgb,
                orientation,
            });
        }
    }
    // Picks the smallest DCT scale (1/8, 1/4, 1/2, 1) whose output is at least (tw, th).
    dec.scale(tw as u16, th as u16).map_err(bad)?;
    let px = dec.decode().map_err(bad)?;
    let info = dec
        .info()
        .ok_or_else(|| MediaError::undecodable(BadContent("no JPEG frame header")))?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let channels = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 | jpeg_decoder::PixelFormat::L16 => 1,
        jpeg_decoder::PixelFormat::RGB24 => 3,
        jpeg_decoder::PixelFormat::CMYK32 => 4,
    };
    let samples = w as usize * h as usize * channels;
    let px = if px.len() == samples * 2 {
        sixteen_to_eight(&px)
    } else if px.len() == samples {
        px
    } else {
        return Err(MediaError::undecodable(BadContent(
            "JPEG decoder returned a short image",
        )));
    };
    let rgb = match channels {
        1 => px.iter().flat_map(|&l| [l, l, l]).collect(),
        3 => px,
        _ => px
            .chunks_exact(4)
            .flat_map(|p| {
                // jpeg-decoder gives CMYK as ink amounts (0 = no ink).
                let k = 255 - u16::from(p[3]);
                let ch = |c: u8| ((255 - u16::from(c)) * k / 255) as u8;
                [ch(p[0]), ch(p[1]), ch(p[2])]
            })
            .collect(),
    };
    Ok(Decoded {
        w,
        h,
        rgb,
        orientation,
    })
}

/// Native-endian 16-bit samples (lossless JPEG of 9-16 bits) to 8 bits, scaled by the largest
/// value present since the precision itself is not reported.
fn sixteen_to_eight(px: &[u8]) -> Vec<u8> {
    let vals: Vec<u16> = px
        .chunks_exact(2)
        .map(|c| u16::from_ne_bytes([c[0], c[1]]))
        .collect();
    let max = vals.iter().copied().max().unwrap_or(0);
    let shift = (16 - max.leading_zeros()).saturating_sub(8);
    vals.iter().map(|v| (v >> shift) as u8).collect()
}

fn decode_with_image_crate(r: &mut dyn ReadSeek, format: image::ImageFormat) -> Result<Decoded> {
    r.seek(SeekFrom::Start(0)).map_err(MediaError::unreadable)?;
    let stream_failed = Cell::new(false);
    let image_error = |e| image_error(e, stream_failed.get());
    let watched = Watched::new(&mut *r, &stream_failed);
    let mut reader = image::ImageReader::with_format(BufReader::new(watched), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(MediaError::TooLarge {
            width: w.into(),
            height: h.into(),
        });
    }
    if w == 0 || h == 0 {
        return Err(MediaError::undecodable(BadContent("image of zero size")));
    }
    // The decoder's own reading of the orientation (EXIF in PNG eXIf, WebP EXIF, TIFF IFD0).
    // A damaged EXIF block is no reason to refuse the pixels: shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let img = DynamicImage::from_decoder(decoder).map_err(image_error)?;
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(MediaError::undecodable(BadContent("image of zero size")));
    }
    let rgb = if img.color().has_alpha() {
        // Flatten onto white so transparent areas do not turn black in a JPEG thumbnail.
        img.to_rgba8()
            .pixels()
            .flat_map(|p| {
                let a = u16::from(p[3]);
                let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
                [over(p[0]), over(p[1]), over(p[2])]
            })
            .collect()
    } else {
        img.to_rgb8().into_raw()
    };
    Ok(Decoded {
        w,
        h,
        rgb,
        orientation,
    })
}

/// An `image` crate error as ours. An I/O error is the stream's failure only when the stream
/// did fail (`stream_failed`, see [`Watched`]); otherwise a decoder said it of the content.
fn image_error(e: image::ImageError, stream_failed: bool) -> MediaError {
    match e {
        image::ImageError::Limits(_) => MediaError::TooLarge {
            width: 0,
            height: 0,
        },
        image::ImageError::IoError(err) if stream_failed => MediaError::unreadable(err),
        other => MediaError::undecodable(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_aspect_and_never_upscales() {
        assert_eq!(fit(4000, 3000, 256), (256, 192));
        assert_eq!(fit(3000, 4000, 256), (192, 256));
        assert_eq!(fit(100, 50, 256), (100, 50));
        assert_eq!(fit(10000, 1, 256), (256, 1));
    }

    #[test]
    fn orientations_map_corners() {
        // 2x1 image: red, green. Display per orientation, check the first pixel and size.
        let rgb = [255, 0, 0, 0, 255, 0];
        let red = [255u8, 0, 0];
        let green = [0u8, 255, 0];
        // The mapping the hand-written transform had, now the image crate's.
        let cases: [(u8, (u32, u32), [u8; 3]); 8] = [
            (1, (2, 1), red),
            (2, (2, 1), green),
            (3, (2, 1), green),
            (4, (2, 1), red),
            (5, (1, 2), red),
            (6, (1, 2), red), // 90° clockwise: left pixel goes to the top
            (7, (1, 2), green),
            (8, (1, 2), green), // 90° anticlockwise: right pixel goes to the top
        ];
        for (o, size, first) in cases {
            let o2 = Orientation::from_exif(o).unwrap();
            let (w, h, out) = orient(2, 1, rgb.to_vec(), o2).unwrap();
            assert_eq!((w, h), size, "orientation {o}");
            assert_eq!(&out[0..3], &first, "orientation {o}");
        }
    }
}
