//! Last line of defence against decoder panics.
//!
//! Decoders and parsers for hostile input are where panics hide (an `assert!` on a length, an
//! index out of range). An evidence file must never take the application down, so every call
//! into a parser or decoder runs inside [`no_panic`], which turns a panic into
//! `media_undecodable`. This does not replace handling errors properly; it catches what slipped
//! through. (It cannot catch an abort, which is why decoders also get size limits.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{DecoderPanicked, MediaError};

pub(crate) fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, MediaError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        MediaError::undecodable(DecoderPanicked(msg))
    })
}
