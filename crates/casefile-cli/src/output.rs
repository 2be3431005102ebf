//! Printing: JSON for scripts, aligned columns for people.
//!
//! Everything printed for people goes through [`visible`] (via [`say!`], [`Table`] and
//! [`visible_block`]): text from records and file names may hold line breaks, terminal control
//! sequences or Unicode bidirectional controls that would print lines of their own or reverse
//! the text after them. JSON is printed as it is: scripts get the exact text.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character is shown escaped: control characters (C0, DEL, C1), the line and
/// paragraph separators, and the bidirectional embeddings, overrides, isolates and marks.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `s` with every [`hidden`] character written visibly: `\n`, `\r`, `\t`, else `\u{202E}`.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Multi-line text shown as a block (a description, a statement): its line breaks (`\n` or
/// `\r\n`) are kept, every line goes through [`visible`].
pub fn visible_block(s: &str) -> String {
    s.split('\n')
        .map(|line| visible(line.strip_suffix('\r').unwrap_or(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `println!` for people: the formatted line goes through [`visible`].
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::output::visible(&format!($($arg)*)))
    };
}
pub(crate) use say;

pub fn print_json<T: Serialize + ?Sized>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error[json]: {e}"),
    }
}

/// A plain text table with columns padded to their widest cell.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| visible(&c).into_owned())
                .collect(),
        );
    }

    pub fn print(&self) {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let last = cells.len().saturating_sub(1);
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == last {
                        c.clone()
                    } else {
                        format!("{:w$}", c, w = widths[i])
                    }
                })
                .collect();
            println!("{}", parts.join("  "));
        };
        line(&self.header);
        for r in &self.rows {
            line(r);
        }
    }
}
