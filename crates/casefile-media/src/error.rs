//! One error type for the crate. Each variant has a stable machine-readable [`MediaError::code`]
//! so the IPC boundary can send `{ code, message }` and the UI never matches on message text.
//!
//! The crate reads streams, not files, so its errors name no file: the caller knows which one
//! it handed in (the core's vault names originals by hash) and adds that context itself.

/// Boxed cause from a decoder crate (or a caught decoder panic), kept as a real error source.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The input could not be read (an I/O error from the reader handed in).
    #[error("cannot read the input: {source}")]
    Unreadable {
        #[source]
        source: std::io::Error,
    },

    /// The input was read but its content could not be decoded as the image it claims to be.
    #[error("cannot decode the image: {source}")]
    Undecodable {
        #[source]
        source: Cause,
    },

    /// The operation is not available for this media type (for example a thumbnail of a HEIC
    /// photo: no practical pure-Rust HEVC decoder exists, so the app shows a placeholder).
    #[error("{operation} is not supported for {mime}")]
    Unsupported {
        mime: &'static str,
        operation: &'static str,
    },

    /// The image declares pixel dimensions (or, for a JPEG, a file size) beyond what we are
    /// willing to decode in memory: a decompression bomb, or a damaged header. `width` and
    /// `height` are 0 when it was the file size.
    #[error("image of {width}x{height} pixels (or of its file size) is too large to decode")]
    TooLarge { width: u64, height: u64 },

    /// Writing an output (such as a derived copy) failed: the destination's fault (disk full,
    /// a closed pipe), not the media's.
    #[error("cannot write output: {source}")]
    Unwritable {
        #[source]
        source: std::io::Error,
    },
}

impl MediaError {
    /// Stable code for the UI and logs. Never change an existing code; add new ones.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Unreadable { .. } => "media_unreadable",
            MediaError::Undecodable { .. } => "media_undecodable",
            MediaError::Unsupported { .. } => "media_unsupported",
            MediaError::TooLarge { .. } => "media_too_large",
            MediaError::Unwritable { .. } => "media_unwritable",
        }
    }

    pub(crate) fn unreadable(source: std::io::Error) -> Self {
        MediaError::Unreadable { source }
    }

    pub(crate) fn undecodable(source: impl Into<Cause>) -> Self {
        MediaError::Undecodable {
            source: source.into(),
        }
    }
}

/// A decoder panicked; we caught it (see `guard::no_panic`) and report it as undecodable.
#[derive(Debug, thiserror::Error)]
#[error("decoder panicked: {0}")]
pub struct DecoderPanicked(pub String);

/// Our own finding about a file's content (as opposed to a decoder crate's error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadContent(pub &'static str);

pub type Result<T, E = MediaError> = std::result::Result<T, E>;
