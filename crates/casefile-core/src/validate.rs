//! Input checks shared by every record type. Each returns the cleaned value or an
//! [`Error::Invalid`] naming the field, so forms can put the message next to it, with a rule and
//! the values (limit, value, range) a front end words it with in its own language.

use crate::error::{params, Error, Result};

fn check_chars(field: &'static str, s: &str, allow_newlines: bool) -> Result<()> {
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && !(allow_newlines && (*c == '\n' || *c == '\t' || *c == '\r')))
    {
        let code = format!("U+{:04X}", c as u32);
        return Err(Error::invalid_rule(
            field,
            "control_character",
            params([("value", code.as_str().into())]),
            format!("{field} contains a control character ({code})"),
        ));
    }
    Ok(())
}

/// A one-line value that must not be empty once trimmed.
pub fn required_text(field: &'static str, s: &str, max_chars: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::invalid_rule(
            field,
            "required",
            params([]),
            format!("{field} is required"),
        ));
    }
    one_line(field, t, max_chars)
}

/// A one-line value that may be empty.
pub fn optional_text(field: &'static str, s: &str, max_chars: usize) -> Result<String> {
    one_line(field, s.trim(), max_chars)
}

fn one_line(field: &'static str, t: &str, max_chars: usize) -> Result<String> {
    check_chars(field, t, false)?;
    check_length(field, t, max_chars)?;
    Ok(t.to_string())
}

/// Refuses a text longer than `max_chars` characters (rule `too_long`, params `limit` and
/// `count` (both the limit; `count` picks a plural form) and `length`). Counting stops just past the limit, so a huge paste is refused at once.
pub fn check_length(field: &'static str, t: &str, max_chars: usize) -> Result<()> {
    if t.len() <= max_chars || t.chars().nth(max_chars).is_none() {
        return Ok(());
    }
    Err(Error::invalid_rule(
        field,
        "too_long",
        params([
            ("limit", max_chars.into()),
            ("count", max_chars.into()),
            ("length", t.chars().count().into()),
        ]),
        format!("{field} is longer than {max_chars} characters"),
    ))
}

/// Multi-line free text (descriptions, statements). Kept exactly as typed, apart from
/// trailing white space.
pub fn long_text(field: &'static str, s: &str, max_chars: usize) -> Result<String> {
    let t = s.trim_end();
    check_chars(field, t, true)?;
    check_length(field, t, max_chars)?;
    Ok(t.to_string())
}

/// The most fractional digits a coordinate may have: 1e-15 degrees is about a nanometre, and
/// more digits than an f64 holds would not be stored as typed.
const COORDINATE_DECIMALS: usize = 15;

/// A WGS84 coordinate in degrees typed as text. Only a plain decimal number is read: an
/// optional sign, digits, and optionally a point (or a decimal comma) and up to 15 digits.
/// No exponent, infinity, NaN or hex, which the float parser would take (`1e-400` as 0). The
/// range is that of a latitude (−90..90) for a field named `latitude` or `*_latitude`, and of a
/// longitude (−180..180) otherwise.
pub fn coordinate(field: &'static str, text: &str) -> Result<f64> {
    let t = text.trim();
    let not_plain = || {
        Error::invalid_rule(
            field,
            "not_a_coordinate",
            params([("value", t.into())]),
            format!(
                "\"{t}\" is not a number of degrees: write a plain decimal number like 47.0971"
            ),
        )
    };
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (whole, fraction) = match unsigned.split_once(['.', ',']) {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(not_plain());
    }
    if fraction.is_some_and(|f| f.len() > COORDINATE_DECIMALS) {
        return Err(Error::invalid_rule(
            field,
            "too_precise",
            params([
                ("value", t.into()),
                ("limit", COORDINATE_DECIMALS.into()),
                ("count", COORDINATE_DECIMALS.into()),
            ]),
            format!("\"{t}\" has more than {COORDINATE_DECIMALS} decimal places"),
        ));
    }
    let v: f64 = t.replace(',', ".").parse().map_err(|_| not_plain())?;
    let limit = if field == "latitude" || field.ends_with("_latitude") {
        90.0
    } else {
        180.0
    };
    if !v.is_finite() || v.abs() > limit {
        return Err(Error::invalid_rule(
            field,
            "out_of_range",
            params([
                ("value", t.into()),
                ("min", (-limit).into()),
                ("max", limit.into()),
            ]),
            format!("{field} {t} is outside -{limit}..{limit}"),
        ));
    }
    Ok(v)
}
