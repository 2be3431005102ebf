//! Loading any record's current state by type and id, for the audit check that compares it with
//! the digest in its latest custody entry.

use crate::custody::state_digest;
use crate::error::Result;
use rusqlite::Connection;

pub struct CurrentState {
    pub label: String,
    pub digest: String,
}

/// The current state of `record_type`/`id`, or `None` if no such record exists.
pub fn current_state(conn: &Connection, record_type: &str, id: &str) -> Result<Option<CurrentState>> {
    Ok(match record_type {
        "case" => crate::cases::load(conn, id)?
            .map(|c| CurrentState { label: c.title.clone(), digest: state_digest(&c) }),
        "profile" => {
            let p = conn
                .query_row("SELECT name, organisation FROM profile WHERE id = 1", [], |r| {
                    Ok(crate::library::Profile { name: r.get(0)?, organisation: r.get(1)? })
                })
                .ok();
            p.map(|p| CurrentState { label: p.name.clone(), digest: state_digest(&p) })
        }
        _ => None,
    })
}
