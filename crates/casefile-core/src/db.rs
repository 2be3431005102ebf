//! The one place a database connection is opened, and the schema migrations.
//!
//! Architecture invariant: every connection to `casefile.db` comes from [`open_connection`], which
//! sets the pragmas and brings the schema up to date. When the library is encrypted at rest, the
//! key is applied here and nowhere else.
//!
//! Migrations are append-only: a released migration is never edited (a test pins their digests),
//! all pending ones run in one transaction, and a database whose schema is newer than this code
//! is refused rather than guessed at.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// The schema, one entry per version. `MIGRATIONS[i]` takes the database from version `i` to
/// version `i + 1`. Append only.
pub const MIGRATIONS: &[&str] = &[
    // 1: cases, the investigator profile, and the hash-chained custody log.
    r#"
    CREATE TABLE profile (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        name          TEXT NOT NULL,
        organisation  TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );

    CREATE TABLE cases (
        id             TEXT PRIMARY KEY,
        title          TEXT NOT NULL CHECK (length(trim(title)) > 0),
        reference      TEXT,
        description    TEXT NOT NULL DEFAULT '',
        status         TEXT NOT NULL CHECK (status IN ('open', 'closed', 'archived')),
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        deleted_at     TEXT,
        deleted_reason TEXT
    );
    CREATE UNIQUE INDEX cases_reference ON cases (reference COLLATE NOCASE)
        WHERE reference IS NOT NULL;
    CREATE INDEX cases_updated ON cases (updated_at);

    CREATE TABLE custody_log (
        seq          INTEGER PRIMARY KEY,
        id           TEXT NOT NULL UNIQUE,
        at           TEXT NOT NULL,
        actor        TEXT NOT NULL,
        action       TEXT NOT NULL,
        case_id      TEXT,
        record_type  TEXT NOT NULL,
        record_id    TEXT NOT NULL,
        digest       TEXT,
        detail       TEXT,
        prev_hash    TEXT NOT NULL,
        hash         TEXT NOT NULL UNIQUE
    );
    CREATE INDEX custody_record ON custody_log (record_type, record_id, seq);
    CREATE INDEX custody_case ON custody_log (case_id, seq);

    CREATE TRIGGER custody_log_no_update BEFORE UPDATE ON custody_log
    BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
    CREATE TRIGGER custody_log_no_delete BEFORE DELETE ON custody_log
    BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
    "#,
];

/// The schema version this code writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Opens (creating if needed) the database at `path`, applies the pragmas and migrates it.
pub fn open_connection(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Brings the schema to [`schema_version`] in one transaction, or refuses a newer database.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = schema_version();
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    if found == supported {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}
