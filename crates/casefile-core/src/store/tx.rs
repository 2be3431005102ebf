//! The write transaction every change goes through, with the time and actor every custody
//! entry it appends uses. Architecture invariant: a change and its custody entry commit together
//! or not at all ([`crate::Library::write`] owns the commit).

use crate::error::{Error, Result};
use crate::store::custody::{self, CustodyEntry, NewEntry};
use rusqlite::Connection;

/// A write transaction in progress, with the time and actor every custody entry it appends uses.
pub struct WriteTx<'a> {
    pub(crate) tx: rusqlite::Transaction<'a>,
    pub(crate) now: String,
    pub(crate) actor: String,
}

impl WriteTx<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn now(&self) -> &str {
        &self.now
    }

    /// Who is making this change, as recorded in the custody log.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Appends the custody entry for a change made in this transaction.
    pub fn log(
        &self,
        action: &str,
        case_id: Option<&str>,
        record_type: &str,
        record_id: &str,
        digest: Option<String>,
        detail: Option<serde_json::Value>,
    ) -> Result<CustodyEntry> {
        self.append(action, case_id, record_type, record_id, digest, detail)
    }

    /// Appends the custody entry for a change to a stored record, with the digest of its row as
    /// it now stands in this transaction.
    pub fn log_row(
        &self,
        action: &str,
        case_id: &str,
        table: &crate::store::Table,
        id: &str,
        detail: Option<serde_json::Value>,
    ) -> Result<CustodyEntry> {
        let (_, digest) =
            crate::store::row_digest(&self.tx, table, id)?.ok_or_else(|| Error::NotFound {
                kind: table.record_type,
                id: id.to_string(),
            })?;
        self.append(
            action,
            Some(case_id),
            table.record_type,
            id,
            Some(digest),
            detail,
        )
    }

    fn append(
        &self,
        action: &str,
        case_id: Option<&str>,
        record_type: &str,
        record_id: &str,
        digest: Option<String>,
        detail: Option<serde_json::Value>,
    ) -> Result<CustodyEntry> {
        custody::append(
            &self.tx,
            NewEntry {
                at: &self.now,
                actor: &self.actor,
                action,
                case_id,
                record_type,
                record_id,
                digest,
                detail,
            },
        )
    }
}
