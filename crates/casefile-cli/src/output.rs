//! Printing: JSON for scripts, aligned columns for people.

use serde::Serialize;

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
        Table { header: header.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
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
                .map(|(i, c)| if i == last { c.clone() } else { format!("{:w$}", c, w = widths[i]) })
                .collect();
            println!("{}", parts.join("  "));
        };
        line(&self.header);
        for r in &self.rows {
            line(r);
        }
    }
}
