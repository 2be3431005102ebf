//! A record's story as a person reads it: its own custody entries, those of the links that touch
//! it, and the entries received in bundles (the sender's own log), marked as received.

use crate::error::{Error, Result};
use crate::store::custody::{self, CustodyEntry};
use crate::store::library::Library;
use rusqlite::OptionalExtension;
use serde::Serialize;

/// A custody entry as a record's history shows it: this library's own, or one received in a
/// bundle (the sender's entry, verbatim), with the key that delivered it and whether that key is
/// trusted for the case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub entry: CustodyEntry,
    pub received_from: Option<String>,
    pub received_trusted: Option<bool>,
    /// The fields an edit changed (the record's own field names, as `field.<name>` in the UI
    /// catalogue), read from the entry's `detail.changed`; empty for other entries. Shown only:
    /// the entry and its hash are as logged.
    pub changed: Vec<String>,
}

impl HistoryEntry {
    fn new(
        entry: CustodyEntry,
        received_from: Option<String>,
        received_trusted: Option<bool>,
    ) -> Self {
        let changed = entry
            .detail
            .as_ref()
            .and_then(|d| d.get("changed"))
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        HistoryEntry {
            entry,
            received_from,
            received_trusted,
            changed,
        }
    }
}

impl Library {
    /// Custody entries about one record, oldest first.
    pub fn history(&self, record_type: &str, id: &str) -> Result<Vec<CustodyEntry>> {
        self.ensure_known_record(record_type, id)?;
        custody::for_record(self.conn(), record_type, id)
    }

    /// `not_found` unless the custody log mentions the record or it exists, so that a mistyped
    /// id is not read as "no history".
    fn ensure_known_record(&self, record_type: &str, id: &str) -> Result<()> {
        let logged = self
            .conn()
            .query_row(
                "SELECT 1 FROM custody_log WHERE record_type = ?1 AND record_id = ?2 LIMIT 1",
                rusqlite::params![record_type, id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if logged || crate::records::current_state(self.conn(), record_type, id)?.is_some() {
            return Ok(());
        }
        let kind = crate::records::table(record_type)
            .map(|t| t.record_type)
            .unwrap_or("record");
        Err(Error::NotFound {
            kind,
            id: id.to_string(),
        })
    }

    /// Custody entries about one record and about the links that touch it, oldest first: the
    /// record's story as a person reads it, with the entries received in bundles (the sender's
    /// own log) among them, marked as received.
    pub fn history_with_links(&self, record_type: &str, id: &str) -> Result<Vec<HistoryEntry>> {
        self.history_entries(record_type, id, true)
    }

    /// A record's custody entries, its own and (marked) those received in bundles, oldest
    /// first; with `links`, also those of the links that touch it.
    pub fn history_entries(
        &self,
        record_type: &str,
        id: &str,
        links: bool,
    ) -> Result<Vec<HistoryEntry>> {
        self.ensure_known_record(record_type, id)?;
        let link_ids = "SELECT id FROM links WHERE from_id = ?2 OR to_id = ?2";
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT * FROM custody_log WHERE (record_type = ?1 AND record_id = ?2)
                OR (?3 AND record_type = 'link' AND record_id IN ({link_ids}))
             ORDER BY seq"
        ))?;
        let local: Vec<CustodyEntry> = stmt
            .query_map(rusqlite::params![record_type, id, links], custody::from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let known: std::collections::HashSet<String> =
            local.iter().map(|e| e.hash.clone()).collect();
        let mut out: Vec<HistoryEntry> = local
            .into_iter()
            .map(|entry| HistoryEntry::new(entry, None, None))
            .collect();
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT i.origin, i.entry, EXISTS (SELECT 1 FROM case_keys k WHERE k.case_id = i.case_id AND k.fingerprint = i.origin AND k.revoked_at IS NULL)
             FROM imported_custody i WHERE (i.record_type = ?1 AND i.record_id = ?2)
                OR (?3 AND i.record_type = 'link' AND i.record_id IN ({link_ids}))"
        ))?;
        let rows = stmt.query_map(rusqlite::params![record_type, id, links], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        for row in rows {
            let (origin, text, trusted) = row?;
            let Ok(entry) = serde_json::from_str::<CustodyEntry>(&text) else {
                continue;
            };
            if known.contains(&entry.hash) || out.iter().any(|h| h.entry.hash == entry.hash) {
                continue;
            }
            out.push(HistoryEntry::new(entry, Some(origin), Some(trusted)));
        }
        out.sort_by(|a, b| {
            a.entry
                .at
                .cmp(&b.entry.at)
                .then(a.received_from.is_some().cmp(&b.received_from.is_some()))
                .then(a.entry.seq.cmp(&b.entry.seq))
        });
        Ok(out)
    }

    /// The profile of this case's last export, if it was exported.
    pub fn last_export_profile(&self, case_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT json_extract(detail, '$.profile') FROM custody_log WHERE case_id = ?1 AND action = 'export' ORDER BY seq DESC LIMIT 1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }
}
