//! The `media:` protocol: `media://localhost/thumb/<evidence id>` and
//! `media://localhost/original/<evidence id>`, read through a vault reader.
//!
//! While the library is locked (or not open yet) every request is answered 403 with an empty
//! body: nothing is looked up or read.
//!
//! The library lock is held only to look the item up; the bytes are read after it is released,
//! so a large original never stalls other commands. Originals answer HTTP Range requests
//! (`bytes=a-b`, `bytes=a-`, `bytes=-n`) with 206 and at most [`MAX_RANGE`] bytes at a time, so
//! a player can seek in a long file without it ever being held whole in memory.

use crate::AppState;
use casefile_core::vault::Vault;
use std::io::{Read, Seek, SeekFrom};
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{AppHandle, Manager, Runtime};

/// The most one range response carries; a player asks again for the rest.
pub const MAX_RANGE: u64 = 8 << 20;
/// The largest original served whole, without a Range header (an image shown full size).
pub const MAX_WHOLE: u64 = 200 << 20;

/// What a request names, looked up under the library lock.
enum Target {
    Thumb(String),
    Original { sha256: String, mime: String },
}

/// Answers one `media:` request.
pub fn media_response<R: Runtime>(
    app: &AppHandle<R>,
    request: &Request<Vec<u8>>,
) -> Response<Vec<u8>> {
    let state = app.state::<AppState>();
    if !state.is_open() {
        return locked();
    }
    let path = request.uri().path();
    let parts: Vec<&str> = path.trim_start_matches('/').splitn(2, '/').collect();
    let looked_up = state.with_core(|lib| {
        let target = match parts.as_slice() {
            ["thumb", id] => Some(Target::Thumb(lib.get_evidence(id)?.sha256)),
            ["original", id] => {
                let e = lib.get_evidence(id)?;
                matches!(e.kind.as_str(), "image" | "video" | "audio").then(|| Target::Original {
                    sha256: e.sha256,
                    mime: e.media_type,
                })
            }
            _ => None,
        };
        Ok(target.map(|t| (t, lib.vault().clone())))
    });
    // The lock is released here; everything below reads files only.
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    let result = match looked_up {
        Ok(Some((Target::Thumb(sha), vault))) => vault.read_thumbnail(&sha).map(|t| match t {
            Some(jpeg) => reply(StatusCode::OK)
                .header(header::CONTENT_TYPE, "image/jpeg")
                .body(jpeg),
            None => reply(StatusCode::NOT_FOUND).body(Vec::new()),
        }),
        Ok(Some((Target::Original { sha256, mime }, vault))) => {
            original(&vault, &sha256, &mime, range)
        }
        Ok(None) => Ok(reply(StatusCode::NOT_FOUND).body(Vec::new())),
        Err(e) if e.code() == "not_found" => Ok(reply(StatusCode::NOT_FOUND).body(Vec::new())),
        // Locked between the check above and the look-up.
        Err(_) if !state.is_open() => return locked(),
        Err(e) => Err(e),
    };
    match result {
        Ok(Ok(response)) => return response,
        Ok(Err(_)) => tracing::error!("media: a response could not be built"),
        Err(e) => tracing::error!(code = e.code(), "media: a file could not be served"),
    }
    reply(StatusCode::INTERNAL_SERVER_ERROR)
        .body(Vec::new())
        .unwrap_or_default()
}

/// The answer while the library is locked: nothing.
fn locked() -> Response<Vec<u8>> {
    reply(StatusCode::FORBIDDEN)
        .body(Vec::new())
        .unwrap_or_default()
}

fn reply(status: StatusCode) -> tauri::http::response::Builder {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
}

type Built = Result<Response<Vec<u8>>, tauri::http::Error>;

/// An original, whole or the range asked for.
fn original(
    vault: &Vault,
    sha256: &str,
    mime: &str,
    range: Option<&str>,
) -> casefile_core::Result<Built> {
    let mut file = vault.open_original(sha256)?;
    let io = |e| casefile_core::Error::io(std::path::PathBuf::from("vault original"), e);
    let len = file.seek(SeekFrom::End(0)).map_err(io)?;
    let base = reply(StatusCode::OK)
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes");
    let (start, end) = match range.map(|r| parse_range(r, len)) {
        // No Range header, or one we do not understand (which HTTP says to ignore): the whole file.
        None | Some(Range::Ignored) => {
            if len > MAX_WHOLE {
                tracing::warn!(
                    bytes = len,
                    "media: an original too large to send whole was asked for without a range"
                );
                return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE).body(Vec::new()));
            }
            let mut body = Vec::with_capacity(len as usize);
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            file.take(len).read_to_end(&mut body).map_err(io)?;
            return Ok(base.body(body));
        }
        Some(Range::Unsatisfiable) => {
            return Ok(reply(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{len}"))
                .body(Vec::new()));
        }
        Some(Range::Bytes(start, end)) => (start, end.min(start + MAX_RANGE - 1)),
    };
    let mut body = Vec::with_capacity((end - start + 1) as usize);
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    file.take(end - start + 1)
        .read_to_end(&mut body)
        .map_err(io)?;
    Ok(base
        .status(StatusCode::PARTIAL_CONTENT)
        .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
        .body(body))
}

/// A Range header's meaning for a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Range {
    /// Bytes `start..=end`, within the file.
    Bytes(u64, u64),
    /// A well-formed range that starts beyond the end (416).
    Unsatisfiable,
    /// Not one byte range we understand (several ranges, other units, garbage): serve whole.
    Ignored,
}

/// Reads `bytes=a-b`, `bytes=a-` or `bytes=-n` (RFC 9110 §14.1.2).
pub fn parse_range(header: &str, len: u64) -> Range {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Range::Ignored;
    };
    if spec.contains(',') {
        return Range::Ignored;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Ignored;
    };
    let num = |s: &str| {
        if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse::<u64>().ok()
        } else {
            None
        }
    };
    match (a.trim(), b.trim()) {
        ("", n) => match num(n) {
            Some(0) => Range::Unsatisfiable,
            Some(_) if len == 0 => Range::Unsatisfiable,
            Some(n) => Range::Bytes(len.saturating_sub(n), len - 1),
            None => Range::Ignored,
        },
        (a, "") => match num(a) {
            Some(a) if a >= len => Range::Unsatisfiable,
            Some(a) => Range::Bytes(a, len - 1),
            None => Range::Ignored,
        },
        (a, b) => match (num(a), num(b)) {
            (Some(a), Some(b)) if a > b => Range::Ignored,
            (Some(a), Some(_)) if a >= len => Range::Unsatisfiable,
            (Some(a), Some(b)) => Range::Bytes(a, b.min(len - 1)),
            _ => Range::Ignored,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_range, Range};

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Range::Bytes(0, 99));
        assert_eq!(parse_range("bytes=900-", 1000), Range::Bytes(900, 999));
        assert_eq!(parse_range("bytes=-10", 1000), Range::Bytes(990, 999));
        assert_eq!(
            parse_range("bytes=-5000", 1000),
            Range::Bytes(0, 999),
            "a suffix longer than the file is the file"
        );
        assert_eq!(
            parse_range("bytes=990-5000", 1000),
            Range::Bytes(990, 999),
            "an end beyond the file is the file's end"
        );
        assert_eq!(parse_range("bytes=1000-", 1000), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 1000), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-", 0), Range::Unsatisfiable);
        for ignored in [
            "bytes=5-1",
            "bytes=0-1,5-9",
            "items=0-1",
            "bytes=a-b",
            "bytes=--1",
            "bytes=+1-2",
            "bytes=",
            "bytes=18446744073709551616-",
        ] {
            assert_eq!(parse_range(ignored, 1000), Range::Ignored, "{ignored}");
        }
    }
}
