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
    // 2: case contents (incidents, people, units, acts, involvements, statements with versions
    //    and consents, links) and the controlled vocabularies, seeded in English and Ukrainian.
    r#"
    CREATE TABLE vocab_terms (
        vocab     TEXT NOT NULL,
        code      TEXT NOT NULL,
        label_en  TEXT NOT NULL,
        label_uk  TEXT NOT NULL,
        builtin   INTEGER NOT NULL DEFAULT 0,
        sort      INTEGER NOT NULL DEFAULT 1000,
        PRIMARY KEY (vocab, code)
    );

    CREATE TABLE incidents (
        id                 TEXT PRIMARY KEY,
        case_id            TEXT NOT NULL REFERENCES cases (id),
        title              TEXT NOT NULL CHECK (length(trim(title)) > 0),
        description        TEXT NOT NULL DEFAULT '',
        date_precision     TEXT NOT NULL,
        date_from          TEXT,
        date_to            TEXT,
        date_lo            TEXT,
        date_hi            TEXT,
        timezone           TEXT,
        place_name         TEXT NOT NULL DEFAULT '',
        country            TEXT NOT NULL DEFAULT '',
        oblast             TEXT NOT NULL DEFAULT '',
        raion              TEXT NOT NULL DEFAULT '',
        settlement         TEXT NOT NULL DEFAULT '',
        latitude           REAL CHECK (latitude BETWEEN -90 AND 90),
        longitude          REAL CHECK (longitude BETWEEN -180 AND 180),
        location_precision TEXT,
        types              TEXT NOT NULL DEFAULT '[]',
        protected_objects  TEXT NOT NULL DEFAULT '[]',
        weapons            TEXT NOT NULL DEFAULT '[]',
        violation_status   TEXT NOT NULL DEFAULT 'unknown',
        casualties         TEXT NOT NULL DEFAULT '[]',
        tags               TEXT NOT NULL DEFAULT '[]',
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        deleted_at         TEXT,
        deleted_reason     TEXT
    );
    CREATE INDEX incidents_case ON incidents (case_id, date_lo);
    CREATE INDEX incidents_dates ON incidents (date_lo, date_hi);

    CREATE TABLE persons (
        id             TEXT PRIMARY KEY,
        case_id        TEXT NOT NULL REFERENCES cases (id),
        pseudonym      TEXT NOT NULL CHECK (length(trim(pseudonym)) > 0),
        roles          TEXT NOT NULL DEFAULT '[]',
        description    TEXT NOT NULL DEFAULT '',
        gender         TEXT NOT NULL DEFAULT '',
        age_group      TEXT NOT NULL DEFAULT '',
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        deleted_at     TEXT,
        deleted_reason TEXT
    );
    CREATE UNIQUE INDEX persons_pseudonym ON persons (case_id, pseudonym COLLATE NOCASE);

    -- Identifying details, apart from the person record; never listed or searched.
    CREATE TABLE person_identities (
        id             TEXT PRIMARY KEY REFERENCES persons (id),
        real_name      TEXT NOT NULL DEFAULT '',
        date_of_birth  TEXT NOT NULL DEFAULT '',
        contact        TEXT NOT NULL DEFAULT '',
        address        TEXT NOT NULL DEFAULT '',
        notes          TEXT NOT NULL DEFAULT '',
        updated_at     TEXT NOT NULL
    );

    CREATE TABLE units (
        id             TEXT PRIMARY KEY,
        case_id        TEXT NOT NULL REFERENCES cases (id),
        name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
        kind           TEXT NOT NULL DEFAULT '',
        affiliation    TEXT NOT NULL DEFAULT '',
        description    TEXT NOT NULL DEFAULT '',
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        deleted_at     TEXT,
        deleted_reason TEXT
    );
    CREATE INDEX units_case ON units (case_id);

    CREATE TABLE acts (
        id               TEXT PRIMARY KEY,
        case_id          TEXT NOT NULL REFERENCES cases (id),
        incident_id      TEXT NOT NULL REFERENCES incidents (id),
        victim_person_id TEXT REFERENCES persons (id),
        victim_group     TEXT NOT NULL DEFAULT '',
        act_type         TEXT NOT NULL,
        consequences     TEXT NOT NULL DEFAULT '',
        label            TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        deleted_at       TEXT,
        deleted_reason   TEXT
    );
    CREATE INDEX acts_incident ON acts (incident_id);

    CREATE TABLE involvements (
        id                     TEXT PRIMARY KEY,
        case_id                TEXT NOT NULL REFERENCES cases (id),
        perpetrator_person_id  TEXT REFERENCES persons (id),
        perpetrator_unit_id    TEXT REFERENCES units (id),
        incident_id            TEXT REFERENCES incidents (id),
        act_id                 TEXT REFERENCES acts (id),
        degree                 TEXT NOT NULL,
        notes                  TEXT NOT NULL DEFAULT '',
        label                  TEXT NOT NULL,
        created_at             TEXT NOT NULL,
        updated_at             TEXT NOT NULL,
        deleted_at             TEXT,
        deleted_reason         TEXT,
        CHECK ((perpetrator_person_id IS NULL) <> (perpetrator_unit_id IS NULL)),
        CHECK (incident_id IS NOT NULL OR act_id IS NOT NULL)
    );
    CREATE INDEX involvements_incident ON involvements (incident_id);

    CREATE TABLE statements (
        id              TEXT PRIMARY KEY,
        case_id         TEXT NOT NULL REFERENCES cases (id),
        witness_id      TEXT NOT NULL REFERENCES persons (id),
        title           TEXT NOT NULL,
        interview_date  TEXT,
        interview_place TEXT NOT NULL DEFAULT '',
        interviewer     TEXT NOT NULL DEFAULT '',
        interpreter     TEXT NOT NULL DEFAULT '',
        others_present  TEXT NOT NULL DEFAULT '',
        language        TEXT NOT NULL DEFAULT '',
        mode            TEXT NOT NULL DEFAULT 'in_person',
        connection      TEXT NOT NULL DEFAULT '',
        reliability     TEXT NOT NULL DEFAULT '',
        text            TEXT NOT NULL DEFAULT '',
        translations    TEXT NOT NULL DEFAULT '[]',
        version         INTEGER NOT NULL DEFAULT 1,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        deleted_at      TEXT,
        deleted_reason  TEXT
    );
    CREATE INDEX statements_case ON statements (case_id);
    CREATE INDEX statements_witness ON statements (witness_id);

    -- Every version of every statement, as it was; never changed.
    CREATE TABLE statement_versions (
        statement_id  TEXT NOT NULL REFERENCES statements (id),
        version       INTEGER NOT NULL,
        snapshot      TEXT NOT NULL,
        changed_by    TEXT NOT NULL,
        changed_at    TEXT NOT NULL,
        changed       TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (statement_id, version)
    );
    CREATE TRIGGER statement_versions_no_update BEFORE UPDATE ON statement_versions
    BEGIN SELECT RAISE(ABORT, 'statement versions are never changed'); END;
    CREATE TRIGGER statement_versions_no_delete BEFORE DELETE ON statement_versions
    BEGIN SELECT RAISE(ABORT, 'statement versions are never deleted'); END;

    CREATE TABLE consents (
        id              TEXT PRIMARY KEY,
        case_id         TEXT NOT NULL REFERENCES cases (id),
        statement_id    TEXT NOT NULL REFERENCES statements (id),
        purpose         TEXT NOT NULL CHECK (purpose IN ('storage', 'prosecution', 'publication')),
        granted         INTEGER NOT NULL,
        given_on        TEXT,
        method          TEXT NOT NULL DEFAULT '',
        withdrawn_on    TEXT,
        withdrawal_note TEXT NOT NULL DEFAULT '',
        label           TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (statement_id, purpose)
    );

    CREATE TABLE links (
        id             TEXT PRIMARY KEY,
        case_id        TEXT NOT NULL REFERENCES cases (id),
        from_type      TEXT NOT NULL,
        from_id        TEXT NOT NULL,
        link_type      TEXT NOT NULL,
        to_type        TEXT NOT NULL,
        to_id          TEXT NOT NULL,
        note           TEXT NOT NULL DEFAULT '',
        label          TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        deleted_at     TEXT,
        deleted_reason TEXT
    );
    CREATE INDEX links_from ON links (from_id);
    CREATE INDEX links_to ON links (to_id);
    "#,
    // 3: evidence items (original files in the vault, with what was read from them and how
    //    they were acquired) and the derived analysis of each distinct file (thumbnail, hash).
    r#"
    CREATE TABLE evidence (
        id                   TEXT PRIMARY KEY,
        case_id              TEXT NOT NULL REFERENCES cases (id),
        sha256               TEXT NOT NULL,
        size                 INTEGER NOT NULL,
        original_name        TEXT NOT NULL,
        relative_path        TEXT NOT NULL,
        source_path          TEXT NOT NULL,
        media_type           TEXT NOT NULL,
        kind                 TEXT NOT NULL,
        file_modified        TEXT,
        metadata             TEXT NOT NULL DEFAULT '{}',
        capture_time         TEXT,
        latitude             REAL,
        longitude            REAL,
        collected_by         TEXT NOT NULL DEFAULT '',
        collected_at         TEXT NOT NULL DEFAULT '',
        method               TEXT NOT NULL DEFAULT '',
        source_url           TEXT NOT NULL DEFAULT '',
        source_description   TEXT NOT NULL DEFAULT '',
        acquisition_notes    TEXT NOT NULL DEFAULT '',
        description          TEXT NOT NULL DEFAULT '',
        graphic              INTEGER NOT NULL DEFAULT 0,
        verification_status  TEXT NOT NULL DEFAULT 'unverified',
        verification_notes   TEXT NOT NULL DEFAULT '',
        derived_from         TEXT REFERENCES evidence (id),
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL,
        deleted_at           TEXT,
        deleted_reason       TEXT
    );
    CREATE UNIQUE INDEX evidence_case_sha ON evidence (case_id, sha256);
    CREATE INDEX evidence_sha ON evidence (sha256);
    CREATE INDEX evidence_case_capture ON evidence (case_id, capture_time);

    -- Derived from the file's content alone, so one row per distinct file; remade at will.
    CREATE TABLE media_analysis (
        sha256        TEXT PRIMARY KEY,
        status        TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'undecodable', 'unsupported', 'failed')),
        message       TEXT NOT NULL DEFAULT '',
        phash         INTEGER,
        thumb_width   INTEGER,
        thumb_height  INTEGER,
        updated_at    TEXT NOT NULL
    );
    CREATE INDEX media_analysis_status ON media_analysis (status);
    "#,
    // 4: handover. Each case's custody entries also form a chain of their own (so a case's log
    //    verifies when exported alone), the installation's signing key, the custody entries
    //    received from other libraries (kept verbatim), merge conflicts, and a per-item flag
    //    for locations too sensitive to publish.
    r#"
    ALTER TABLE custody_log ADD COLUMN case_seq INTEGER;
    ALTER TABLE custody_log ADD COLUMN case_prev_hash TEXT;
    CREATE INDEX custody_case_seq ON custody_log (case_id, case_seq);

    CREATE TABLE installation (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        secret_key   BLOB NOT NULL,
        public_key   BLOB NOT NULL,
        created_at   TEXT NOT NULL
    );

    CREATE TABLE imported_custody (
        origin       TEXT NOT NULL,
        hash         TEXT NOT NULL,
        case_id      TEXT,
        case_seq     INTEGER,
        record_type  TEXT NOT NULL,
        record_id    TEXT NOT NULL,
        digest       TEXT,
        entry        TEXT NOT NULL,
        imported_at  TEXT NOT NULL,
        PRIMARY KEY (origin, hash)
    );
    CREATE INDEX imported_custody_record ON imported_custody (record_id);
    CREATE TRIGGER imported_custody_no_update BEFORE UPDATE ON imported_custody
    BEGIN SELECT RAISE(ABORT, 'imported custody entries are never changed'); END;
    CREATE TRIGGER imported_custody_no_delete BEFORE DELETE ON imported_custody
    BEGIN SELECT RAISE(ABORT, 'imported custody entries are never deleted'); END;

    CREATE TABLE conflicts (
        id               TEXT PRIMARY KEY,
        case_id          TEXT NOT NULL,
        record_type      TEXT NOT NULL,
        record_id        TEXT NOT NULL,
        label            TEXT NOT NULL,
        local_digest     TEXT NOT NULL,
        incoming_digest  TEXT NOT NULL,
        incoming         TEXT NOT NULL,
        bundle           TEXT NOT NULL,
        found_at         TEXT NOT NULL,
        resolved_at      TEXT,
        resolution       TEXT
    );
    CREATE INDEX conflicts_case ON conflicts (case_id, resolved_at);

    ALTER TABLE evidence ADD COLUMN location_sensitive INTEGER;
    "#,
    // 5: full-text search over incidents, statements (text and translations), evidence,
    //    people (pseudonym and public description only: identities are never indexed) and units,
    //    kept in step by triggers, so every write updates the index in its own transaction. ё is
    //    indexed as е (Russian writes either), which unicode61 does not fold by itself.
    r#"
    CREATE TABLE search_docs (
        doc          INTEGER PRIMARY KEY,
        record_type  TEXT NOT NULL,
        record_id    TEXT NOT NULL UNIQUE,
        case_id      TEXT NOT NULL
    );
    CREATE INDEX search_docs_case ON search_docs (case_id, doc);
    CREATE VIRTUAL TABLE search_index USING fts5 (
        title, body,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    );
    CREATE VIRTUAL TABLE search_terms USING fts5vocab (search_index, 'row');
    CREATE TRIGGER search_incidents_ai AFTER INSERT ON incidents BEGIN
        INSERT OR IGNORE INTO search_docs (record_type, record_id, case_id) VALUES ('incident', NEW.id, NEW.case_id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.title, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.description || ' ' || NEW.place_name || ' ' || NEW.settlement || ' ' || NEW.raion || ' ' || NEW.oblast || ' ' || NEW.country || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(NEW.tags)), 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_incidents_au AFTER UPDATE ON incidents BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE record_id = NEW.id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.title, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.description || ' ' || NEW.place_name || ' ' || NEW.settlement || ' ' || NEW.raion || ' ' || NEW.oblast || ' ' || NEW.country || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(NEW.tags)), 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_statements_ai AFTER INSERT ON statements BEGIN
        INSERT OR IGNORE INTO search_docs (record_type, record_id, case_id) VALUES ('statement', NEW.id, NEW.case_id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.title, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.text || ' ' || (SELECT COALESCE(group_concat(json_extract(value, '$.text'), ' '), '') FROM json_each(NEW.translations)), 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_statements_au AFTER UPDATE ON statements BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE record_id = NEW.id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.title, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.text || ' ' || (SELECT COALESCE(group_concat(json_extract(value, '$.text'), ' '), '') FROM json_each(NEW.translations)), 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_evidence_ai AFTER INSERT ON evidence BEGIN
        INSERT OR IGNORE INTO search_docs (record_type, record_id, case_id) VALUES ('evidence', NEW.id, NEW.case_id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.original_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.relative_path || ' ' || NEW.description || ' ' || NEW.verification_notes || ' ' || NEW.acquisition_notes || ' ' || NEW.source_description, 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_evidence_au AFTER UPDATE ON evidence BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE record_id = NEW.id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.original_name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.relative_path || ' ' || NEW.description || ' ' || NEW.verification_notes || ' ' || NEW.acquisition_notes || ' ' || NEW.source_description, 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_persons_ai AFTER INSERT ON persons BEGIN
        INSERT OR IGNORE INTO search_docs (record_type, record_id, case_id) VALUES ('person', NEW.id, NEW.case_id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.pseudonym, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.description, 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_persons_au AFTER UPDATE ON persons BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE record_id = NEW.id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.pseudonym, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.description, 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_units_ai AFTER INSERT ON units BEGIN
        INSERT OR IGNORE INTO search_docs (record_type, record_id, case_id) VALUES ('unit', NEW.id, NEW.case_id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.affiliation || ' ' || NEW.description, 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;
    CREATE TRIGGER search_units_au AFTER UPDATE ON units BEGIN
        DELETE FROM search_index WHERE rowid = (SELECT doc FROM search_docs WHERE record_id = NEW.id);
        INSERT INTO search_index (rowid, title, body)
            SELECT doc, replace(replace(NEW.name, 'ё', 'е'), 'Ё', 'Е'), replace(replace(NEW.affiliation || ' ' || NEW.description, 'ё', 'е'), 'Ё', 'Е') FROM search_docs WHERE record_id = NEW.id AND NEW.deleted_at IS NULL;
    END;

    -- Index what is already there.
    INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'incident', id, case_id FROM incidents;
    INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'statement', id, case_id FROM statements;
    INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'evidence', id, case_id FROM evidence;
    INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'person', id, case_id FROM persons;
    INSERT INTO search_docs (record_type, record_id, case_id) SELECT 'unit', id, case_id FROM units;
    UPDATE incidents SET id = id;
    UPDATE statements SET id = id;
    UPDATE evidence SET id = id;
    UPDATE persons SET id = id;
    UPDATE units SET id = id;
    "#,
    // 6: integrity. Who may change a case: its origin key and the keys its holders trusted for
    //    it (each decision a custody entry). A random salt in each restricted identity, so the
    //    digest of the row in a custody log cannot confirm a guessed name. File names kept byte
    //    for byte when they are not UTF-8 (hex of the raw bytes; NULL when they are). Conflicts
    //    say which key offered the change and whether it was trusted. One-time upgrade steps
    //    that append custody entries (re-digests) are recorded as done.
    r#"
    CREATE TABLE case_keys (
        id           TEXT PRIMARY KEY,
        case_id      TEXT NOT NULL REFERENCES cases (id),
        fingerprint  TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('origin', 'trusted')),
        reason       TEXT NOT NULL DEFAULT '',
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        revoked_at   TEXT,
        UNIQUE (case_id, fingerprint)
    );

    ALTER TABLE person_identities ADD COLUMN salt TEXT;

    ALTER TABLE evidence ADD COLUMN original_name_raw TEXT;
    ALTER TABLE evidence ADD COLUMN relative_path_raw TEXT;
    ALTER TABLE evidence ADD COLUMN source_path_raw TEXT;

    ALTER TABLE conflicts ADD COLUMN signed_by TEXT;
    ALTER TABLE conflicts ADD COLUMN trusted INTEGER;

    CREATE TABLE upgrades (
        name     TEXT PRIMARY KEY,
        done_at  TEXT NOT NULL
    );
    "#,
    // 7: a record's custody entries found by its id alone (an import looks up what this library
    //    knows of each incoming record, whatever its type).
    r#"
    CREATE INDEX custody_record_id ON custody_log (record_id, seq);
    "#,
    // 8: the look-alikes of one item found without reading every hash. Each 16-bit quarter of
    //    the perceptual hash is indexed: a hash within 10 bits of another has a quarter within 2
    //    bits of the other's (pigeonhole; records/lookalike.rs). Indexes only (of derived data).
    r#"
    CREATE INDEX media_analysis_phash_q0 ON media_analysis (((phash >> 48) & 65535)) WHERE phash IS NOT NULL;
    CREATE INDEX media_analysis_phash_q1 ON media_analysis (((phash >> 32) & 65535)) WHERE phash IS NOT NULL;
    CREATE INDEX media_analysis_phash_q2 ON media_analysis (((phash >> 16) & 65535)) WHERE phash IS NOT NULL;
    CREATE INDEX media_analysis_phash_q3 ON media_analysis ((phash & 65535)) WHERE phash IS NOT NULL;
    "#,
    // 9: search finds word forms and folds Cyrillic: the index is rebuilt with the `casefile`
    //    tokenizer (store/fts.rs: words folded, apostrophes kept inside words, each word's stem
    //    beside it), with prefix indexes up to 5 letters so `prefix*` reads one list. The
    //    documents keep their numbers (search_docs is unchanged); the update triggers refill
    //    the index (deleted records stay out of it).
    r#"
    DROP TABLE search_terms;
    DROP TABLE search_index;
    CREATE VIRTUAL TABLE search_index USING fts5 (
        title, body,
        tokenize = 'casefile',
        prefix = '2 3 4 5'
    );
    CREATE VIRTUAL TABLE search_terms USING fts5vocab (search_index, 'row');
    UPDATE incidents SET id = id;
    UPDATE statements SET id = id;
    UPDATE evidence SET id = id;
    UPDATE persons SET id = id;
    UPDATE units SET id = id;
    INSERT INTO search_index (search_index) VALUES ('optimize');
    "#,
    // 10: vocabulary labels per language in their own table, so a third language needs no
    //    schema change: the English and Ukrainian columns move there (an empty Ukrainian label
    //    was "none" and moves as no row) and are dropped. A few shipped Ukrainian labels are
    //    reworded to the terms of docs/glossary-uk.md, where they still read as shipped.
    r#"
    CREATE TABLE vocab_labels (
        vocab     TEXT NOT NULL,
        code      TEXT NOT NULL,
        language  TEXT NOT NULL,
        label     TEXT NOT NULL,
        PRIMARY KEY (vocab, code, language),
        FOREIGN KEY (vocab, code) REFERENCES vocab_terms (vocab, code)
    ) WITHOUT ROWID;
    INSERT INTO vocab_labels (vocab, code, language, label)
        SELECT vocab, code, 'en', label_en FROM vocab_terms WHERE label_en <> '';
    INSERT INTO vocab_labels (vocab, code, language, label)
        SELECT vocab, code, 'uk', label_uk FROM vocab_terms WHERE label_uk <> '';
    ALTER TABLE vocab_terms DROP COLUMN label_en;
    ALTER TABLE vocab_terms DROP COLUMN label_uk;
    UPDATE vocab_labels SET label = CASE vocab || ':' || code
            WHEN 'incident_type:attack_cultural' THEN 'Напад на культурні цінності або культові споруди'
            WHEN 'incident_type:indiscriminate_attack' THEN 'Невибірковий напад'
            WHEN 'incident_type:killing_civilians' THEN 'Вбивство цивільних осіб'
            WHEN 'violation_status:likely' THEN 'Імовірно'
            WHEN 'involvement_degree:ordered' THEN 'Віддання наказу'
            WHEN 'involvement_degree:command_responsibility' THEN 'Відповідальність командира'
            WHEN 'link_type:witness_of' THEN 'свідок події'
            WHEN 'link_type:part_of' THEN 'є частиною'
            WHEN 'link_type:related' THEN 'пов’язано з'
            WHEN 'person_role:perpetrator' THEN 'Імовірний виконавець'
            WHEN 'unit_kind:military_unit' THEN 'Військовий підрозділ'
        END
    WHERE language = 'uk'
      AND (vocab, code) IN (SELECT vocab, code FROM vocab_terms WHERE builtin = 1)
      AND vocab || ':' || code || '=' || label IN (
            'incident_type:attack_cultural=Напад на культурну чи релігійну власність',
            'incident_type:indiscriminate_attack=Невибіркова атака',
            'incident_type:killing_civilians=Вбивство цивільних',
            'violation_status:likely=Ймовірно',
            'involvement_degree:ordered=Віддав наказ',
            'involvement_degree:command_responsibility=Командна відповідальність',
            'link_type:witness_of=свідок',
            'link_type:part_of=частина',
            'link_type:related=пов''язано з',
            'person_role:perpetrator=Ймовірний виконавець',
            'unit_kind:military_unit=Військова частина');
    "#,
];

/// The schema version this code writes.
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Opens (creating if needed) the database at `path`, applies the pragmas and migrates it.
pub fn open_connection(
    path: &Path,
    keys: Option<&crate::store::crypt::LibraryKeys>,
) -> Result<Connection> {
    let conn = connect(path, keys)?;
    finish_open(conn)
}

/// Opens the database file and applies the key (SQLCipher's raw 32-byte key) before any other
/// statement; a wrong key or a file that is not this library's database is `Corrupt`.
fn connect(path: &Path, keys: Option<&crate::store::crypt::LibraryKeys>) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(k) = keys {
        // Every copy of the key made here is wiped when dropped.
        let sql =
            zeroize::Zeroizing::new(format!("PRAGMA key = \"{}\";", k.db_key_literal().as_str()));
        conn.execute_batch(&sql)?;
    }
    // SQLCipher would otherwise write its warnings (a failed page check, say) to stderr.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    // Reading the schema is the first thing that needs the key: a wrong one fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            Error::Corrupt(
                "casefile.db cannot be read with this library's key (it is not this \
                     library's database, or it is damaged)"
                    .into(),
            )
        }
        _ => Error::from(e),
    })?;
    Ok(conn)
}

fn finish_open(mut conn: Connection) -> Result<Connection> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a committed custody entry (an identity reveal, say) survives a power cut; the head
    // file written after each commit must never be ahead of the log.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted and overwritten content (a replaced identity) does not linger in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // Sorts and temporary indexes stay in memory: a temp file would hold plaintext.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 64 MiB of decrypted pages kept: an encrypted page costs a decryption each time it is read.
    conn.pragma_update(None, "cache_size", -65536)?;
    // `migrate` registers the search tokenizer, `casefold()` and the `casefile` collation
    // (store/fts.rs) first: migration 9 and every later write need them.
    migrate(&mut conn)?;
    crate::store::seed::seed(&conn)?;
    Ok(conn)
}

/// Whether the database file at `path` is a plaintext SQLite database (from before encryption).
pub fn is_plaintext(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"SQLite format 3\0"
}

/// Writes an encrypted copy of the (plaintext) database `conn` has open to `dest`, with the same
/// schema version: the database part of encrypting a library in place.
pub(crate) fn export_encrypted(
    conn: &Connection,
    dest: &Path,
    keys: &crate::store::crypt::LibraryKeys,
) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    let dest_s = dest
        .to_str()
        .ok_or_else(|| Error::invalid("path", "the library path is not valid UTF-8"))?
        .replace('\'', "''");
    let sql = zeroize::Zeroizing::new(format!(
        "ATTACH DATABASE '{dest_s}' AS encrypted KEY \"{}\";",
        keys.db_key_literal().as_str()
    ));
    conn.execute_batch(&sql)?;
    let r = (|| -> Result<()> {
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        Ok(())
    })();
    let d = conn.execute_batch("DETACH DATABASE encrypted;");
    r?;
    d?;
    Ok(())
}

/// Brings the schema to [`schema_version`] in one transaction, or refuses a newer database.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    // Migration 9 builds the search index with the `casefile` tokenizer, so a bare connection
    // (a test's) needs it too; registering again is harmless.
    crate::store::fts::register(conn)?;
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

/// For tests that play an adversary holding the key (editing rows behind Casefile's back): a
/// bare connection to the database file `path` of a library made by `Library::open_for_tests`,
/// keyed with that library's key when it is encrypted, with no pragma set and no migration run.
#[doc(hidden)]
pub fn open_raw_for_tests(path: impl AsRef<Path>, read_only: bool) -> Result<Connection> {
    let path = path.as_ref();
    let dir = path.parent().unwrap_or(Path::new("."));
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    };
    let conn = Connection::open_with_flags(path, flags)?;
    if crate::store::keyslots::present(dir) {
        let (master, _) =
            crate::store::keyslots::load(dir)?.unlock(crate::store::keyslots::TEST_PASSPHRASE)?;
        let keys = master.library_keys()?;
        conn.execute_batch(&format!(
            "PRAGMA key = \"{}\";",
            keys.db_key_literal().as_str()
        ))?;
    }
    // Writing a searched record runs the index triggers, which need the search tokenizer (a
    // file that cannot be read yet fails later, where the test expects it).
    let _ = crate::store::fts::register(&conn);
    Ok(conn)
}

/// For tests and benchmarks that need a library from before encryption (every new library is
/// encrypted): makes a plaintext database in the empty folder `dir`, which then opens with
/// `Access::Plaintext`.
#[doc(hidden)]
pub fn create_plaintext_library_for_tests(dir: &Path) -> Result<()> {
    crate::fsutil::private_dir(dir)?;
    let path = dir.join(crate::store::library::DB_FILE);
    if path.exists() {
        return Err(Error::invalid("path", "there is a library here already"));
    }
    drop(open_connection(&path, None)?);
    Ok(())
}
