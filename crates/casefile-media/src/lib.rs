//! Casefile's media toolkit: what an evidence file *is* and what it *says about itself*.
//!
//! - [`sniff()`]: media type from content, never from the file name.
//! - [`extract_metadata`]: capture time and offset, GPS, device, orientation, pixel size; for
//!   MP4/MOV the container creation time and location; and a flag when the camera clock and the
//!   GPS clock disagree by more than an hour.
//! - [`thumbnail`], [`perceptual_hash`], [`analyse_image`]: small oriented JPEG previews and a
//!   64-bit dHash for spotting resized or recompressed copies ([`hamming`]).
//! - [`strip_metadata`]: a copy of a JPEG or PNG photo without its metadata (GPS, camera,
//!   owner, XMP, IPTC) and with the same pixels, for public exports.
//!
//! Every entry point reads a stream ([`ReadSeek`]: `Read + Seek`), never a path: the caller (the
//! core's vault) decides how stored files are opened, so that it can decrypt them as they are
//! read. What is read is bounded whatever the file claims (see [`input`](ReadSeek)).
//!
//! Architecture invariant: this crate is pure functions over streams and bytes. No database, no
//! Tauri, no clock, no network, no global state, no file system: it opens nothing itself. Every entry point is safe on hostile input: garbage gives an empty
//! result or an error with a stable code ([`MediaError::code`]), never a panic that escapes
//! (decoder panics are caught and reported as `media_undecodable`).

mod error;
mod guard;
mod input;
mod jpeg_dc;
pub mod metadata;
pub mod phash;
mod picture;
pub mod sniff;
pub mod strip;

pub use error::{BadContent, Cause, DecoderPanicked, MediaError, Result};
pub use input::ReadSeek;
pub use metadata::{clock_gps_disagreement, extract_metadata, Metadata, CLOCK_GPS_TOLERANCE_SECS};
pub use phash::{hamming, is_possible_duplicate, POSSIBLE_DUPLICATE_MAX_DISTANCE};
pub use picture::{
    analyse_image, perceptual_hash, thumbnail, Thumbnail, HASH_BASIS_SIDE, MAX_JPEG_FILE,
    MAX_PIXELS, THUMB_JPEG_QUALITY,
};
pub use sniff::{sniff, sniff_reader, Kind, MediaType, SNIFF_LEN};

/// Not part of the API: entry points into private parsers, for this crate's own tests (the
/// mutation test feeds the DC-only JPEG decoder directly). May change without notice.
#[doc(hidden)]
pub mod internal_for_tests {
    /// [`crate::jpeg_dc`]'s 1/8-scale decode: `(width, height, rgb)`, or None when the fast
    /// path declines.
    pub fn jpeg_dc_decode_eighth(data: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
        crate::jpeg_dc::decode_eighth(data).map(|d| (d.w, d.h, d.rgb))
    }
}
pub use strip::{strip_metadata, Removed, StripReport};
