//! Input checks shared by every record type. Each returns the cleaned value or an
//! [`Error::Invalid`] naming the field, so forms can put the message next to it.

use crate::error::{Error, Result};

fn check_chars(field: &'static str, s: &str, allow_newlines: bool) -> Result<()> {
    if let Some(c) = s.chars().find(|c| c.is_control() && !(allow_newlines && (*c == '\n' || *c == '\t' || *c == '\r'))) {
        return Err(Error::invalid(field, format!("{field} contains a control character (U+{:04X})", c as u32)));
    }
    Ok(())
}

/// A one-line value that must not be empty once trimmed.
pub fn required_text(field: &'static str, s: &str, max_chars: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, format!("{field} is required")));
    }
    one_line(field, t, max_chars)
}

/// A one-line value that may be empty.
pub fn optional_text(field: &'static str, s: &str, max_chars: usize) -> Result<String> {
    one_line(field, s.trim(), max_chars)
}

fn one_line(field: &'static str, t: &str, max_chars: usize) -> Result<String> {
    check_chars(field, t, false)?;
    if t.chars().count() > max_chars {
        return Err(Error::invalid(field, format!("{field} is longer than {max_chars} characters")));
    }
    Ok(t.to_string())
}

/// Multi-line free text (descriptions, statements). Kept exactly as typed, apart from
/// trailing white space.
pub fn long_text(field: &'static str, s: &str, max_chars: usize) -> Result<String> {
    let t = s.trim_end();
    check_chars(field, t, true)?;
    if t.chars().count() > max_chars {
        return Err(Error::invalid(field, format!("{field} is longer than {max_chars} characters")));
    }
    Ok(t.to_string())
}
