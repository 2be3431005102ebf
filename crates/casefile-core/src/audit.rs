//! `audit verify`: what a library can show about itself.
//!
//! **What it proves.** Every custody entry still hashes to what it recorded and links to the one
//! before it; the log ends where the head file (kept outside the database, signed) says it
//! ended; every record, every statement version, every user-added vocabulary term, the profile
//! and the installation key are in the state their latest custody entry recorded, and each has
//! an entry (so a row inserted behind Casefile's back is named, as is a deleted one); built-in
//! vocabulary terms read as Casefile ships them; each original in the vault is a read-only
//! regular file where it should be, and, with `files`, still has the SHA-256 it was taken in
//! with. Each finding names the record, version, file or entry.
//!
//! **What it does not prove.** That the library was not rewritten whole by someone holding it:
//! the head file is signed with a key kept in the same library, so an adversary with the laptop
//! can recompute every digest, the chain and the head. It does not show when anything happened
//! (entries carry the laptop's clock). Timestamped checkpoints of the log, held elsewhere,
//! close both gaps; until then the audit is a tripwire for edits made with ordinary tools.

use crate::error::Result;
use crate::records::{self, current_state};
use crate::store::custody::{self, ChainProblem};
use crate::store::head::HeadState;
use crate::store::library::Library;
use crate::store::vault::FileCheck;
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Something in the library that is not as its custody log says.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordProblem {
    pub record_type: String,
    pub record_id: String,
    pub label: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    pub records_checked: u64,
    pub versions_checked: u64,
    /// Vault originals looked at (and re-hashed, when `files_rehashed`).
    pub files_checked: u64,
    pub files_rehashed: bool,
    pub chain_problem: Option<ChainProblem>,
    /// The head file does not fit the log (entries cut from its end, a replaced key...).
    pub head_problem: Option<String>,
    /// Not a problem: the head file named an earlier entry (a crash after a commit).
    pub head_note: Option<String>,
    pub record_problems: Vec<RecordProblem>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.chain_problem.is_none()
            && self.head_problem.is_none()
            && self.record_problems.is_empty()
    }
}

/// What an audit checks beyond the database.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditOptions {
    /// Re-hash every original in the vault (reads every byte; reports progress).
    pub files: bool,
}

fn problem(record_type: &str, record_id: &str, label: &str, message: String) -> RecordProblem {
    RecordProblem {
        record_type: record_type.into(),
        record_id: record_id.into(),
        label: label.into(),
        message,
    }
}

impl Library {
    /// Audits the library's own records and log (not the bytes of the originals; see
    /// [`Library::audit_verify_with`]).
    pub fn audit_verify(&self) -> Result<AuditReport> {
        self.audit_verify_with(
            AuditOptions::default(),
            &AtomicBool::new(false),
            &mut |_, _| {},
        )
    }

    /// Audits the library. With `files`, every original is re-hashed, with `progress(bytes done,
    /// bytes in all)`; `cancel` stops that part (the report then says fewer files were checked).
    pub fn audit_verify_with(
        &self,
        opts: AuditOptions,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<AuditReport> {
        let conn = self.conn();
        let started = std::time::Instant::now();
        let (entries, chain_problem) = custody::verify_chain(conn)?;
        let (head_problem, head_note) = match crate::store::head::state(self.conn(), self.dir())? {
            HeadState::Current => (None, None),
            HeadState::Behind { head_seq, log_seq } => {
                (None, Some(format!("the head file named entry {head_seq} of {log_seq} (written before a crash?); it is brought up to date on the next open")))
            }
            HeadState::Mismatch(m) => (Some(m), None),
        };
        let mut out = Vec::new();
        let mut records_checked = 0u64;

        // Every record the log names is there, in the state its last entry recorded.
        let mut stmt = conn.prepare(
            "SELECT c.record_type, c.record_id, c.digest FROM custody_log c
             JOIN (SELECT record_type, record_id, MAX(seq) AS seq FROM custody_log
                   WHERE digest IS NOT NULL GROUP BY record_type, record_id) m
               ON c.seq = m.seq ORDER BY c.seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (rtype, rid, digest): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            records_checked += 1;
            match current_state(conn, &rtype, &rid)? {
                None => out.push(problem(&rtype, &rid, &rid, format!("{rtype} {rid} is in the custody log but missing from the database"))),
                Some(state) if state.digest != digest => out.push(problem(
                    &rtype,
                    &rid,
                    &state.label,
                    format!("{rtype} \"{}\" ({rid}) was changed outside Casefile: it no longer matches its last custody entry", state.label),
                )),
                Some(_) => {}
            }
        }
        drop(rows);
        drop(stmt);

        // Every record there is named by the log: one inserted behind Casefile's back is not.
        for t in records::TABLES {
            let mut stmt = conn.prepare(&format!(
                "SELECT id, {label} FROM {name} r WHERE NOT EXISTS
                   (SELECT 1 FROM custody_log c WHERE c.record_id = r.id AND c.record_type = ?1 AND c.digest IS NOT NULL)",
                label = t.label,
                name = t.name
            ))?;
            let rows = stmt.query_map([t.record_type], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            for row in rows {
                let (id, label) = row?;
                let label = label.unwrap_or_else(|| id.clone());
                out.push(problem(
                    t.record_type,
                    &id,
                    &label,
                    format!(
                        "{} \"{label}\" ({id}) has no custody entry: it was added outside Casefile",
                        t.record_type
                    ),
                ));
            }
        }
        let mut stmt = conn.prepare(
            "SELECT vocab || ':' || code FROM vocab_terms v WHERE builtin = 0 AND NOT EXISTS
               (SELECT 1 FROM custody_log c WHERE c.record_id = v.vocab || ':' || v.code AND c.record_type = 'term')",
        )?;
        for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let id = id?;
            out.push(problem(
                "term",
                &id,
                &id,
                format!("vocabulary term {id} has no custody entry: it was added outside Casefile"),
            ));
        }
        for (singleton, exists_sql) in [
            ("profile", "SELECT 1 FROM profile WHERE id = 1"),
            ("installation", "SELECT 1 FROM installation WHERE id = 1"),
        ] {
            let exists = conn
                .query_row(exists_sql, [], |r| r.get::<_, i64>(0))
                .optional()?
                .is_some();
            let logged = conn
                .query_row("SELECT 1 FROM custody_log WHERE record_type = ?1 AND digest IS NOT NULL LIMIT 1", [singleton], |r| r.get::<_, i64>(0))
                .optional()?
                .is_some();
            if exists && !logged {
                out.push(problem(
                    singleton,
                    "1",
                    singleton,
                    format!("the {singleton} has no custody entry: it was set outside Casefile"),
                ));
            }
        }
        if !crate::store::keys::pair_matches(conn)? {
            out.push(problem("installation", "1", "installation key", "the installation's public key does not belong to its secret key: the key was replaced".into()));
        }

        // Built-in vocabulary terms read as Casefile ships them.
        let mut stmt = conn.prepare("SELECT vocab, code FROM vocab_terms WHERE builtin = 1")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (vocab, code) = row?;
            let id = format!("{vocab}:{code}");
            let stored = crate::records::vocab::load(conn, &vocab, &code)?.map(|t| t.labels);
            match crate::store::seed::builtin_labels(&vocab, &code) {
                Some(shipped) if Some(&shipped) == stored.as_ref() => {}
                Some(_) => out.push(problem("term", &id, &id, format!("built-in term {id} was changed outside Casefile: its labels differ from the ones Casefile ships"))),
                None => out.push(problem("term", &id, &id, format!("term {id} is marked built-in, but Casefile ships no such term"))),
            }
        }
        // Labels of no term (their term removed behind Casefile's back) are named too.
        let mut stmt = conn.prepare(
            "SELECT DISTINCT vocab || ':' || code FROM vocab_labels l WHERE NOT EXISTS
               (SELECT 1 FROM vocab_terms t WHERE t.vocab = l.vocab AND t.code = l.code)",
        )?;
        for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let id = id?;
            out.push(problem("term", &id, &id, format!("labels of term {id} remain, but the term does not: it was removed outside Casefile")));
        }

        // Every saved statement version is named, with its digest, by an entry of its statement.
        let mut recorded: HashMap<(String, i64), String> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT record_id, json_extract(detail, '$.version'), json_extract(detail, '$.version_digest') FROM custody_log
             WHERE record_type = 'statement' AND json_extract(detail, '$.version_digest') IS NOT NULL ORDER BY seq",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (sid, v, d) = row?;
            recorded.insert((sid, v), d);
        }
        let mut versions_checked = 0u64;
        let mut stmt = conn.prepare("SELECT statement_id, version, snapshot FROM statement_versions ORDER BY statement_id, version")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (sid, v, snapshot) = row?;
            versions_checked += 1;
            let id = format!("{sid}#{v}");
            let label = format!("version {v} of statement {sid}");
            match recorded.remove(&(sid.clone(), v)) {
                Some(d) if d == custody::sha256_hex(snapshot.as_bytes()) => {}
                Some(_) => out.push(problem("statement_version", &id, &label, format!("{label} was changed outside Casefile: it no longer matches its custody entry"))),
                None => out.push(problem("statement_version", &id, &label, format!("{label} has no custody entry: it was added outside Casefile"))),
            }
        }
        let mut missing: Vec<_> = recorded.into_keys().collect();
        missing.sort();
        for (sid, v) in missing {
            let label = format!("version {v} of statement {sid}");
            out.push(problem(
                "statement_version",
                &format!("{sid}#{v}"),
                &label,
                format!("{label} is in the custody log but missing from the database"),
            ));
        }

        // The originals: where they should be, read-only, and (with `files`) the same bytes.
        let mut by_file: BTreeMap<String, (i64, Vec<(String, String)>)> = BTreeMap::new();
        let mut stmt =
            conn.prepare("SELECT sha256, size, id, original_name FROM evidence ORDER BY sha256")?;
        for row in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })? {
            let (sha, size, id, name) = row?;
            by_file
                .entry(sha)
                .or_insert((size, Vec::new()))
                .1
                .push((id, name));
        }
        let total: u64 = by_file.values().map(|(s, _)| (*s).max(0) as u64).sum();
        let mut done = 0u64;
        let mut files_checked = 0u64;
        let mut rehashed_all = opts.files;
        for (sha, (size, items)) in &by_file {
            let finding = match self.vault().inspect(sha) {
                FileCheck::Ok if opts.files && !cancel.load(Ordering::Relaxed) => {
                    let before = done;
                    let r = self.vault().rehash(sha, &mut |n| progress(before + n, total));
                    done += (*size).max(0) as u64;
                    progress(done, total);
                    match r {
                        Ok(actual) if actual == *sha => None,
                        Ok(actual) => Some(format!("its original in the vault changed: its SHA-256 is now {actual}, it was {sha} at intake")),
                        Err(e) if e.code() == "custody_broken" => Some("its original in the vault changed: it no longer decrypts with this library's key (its sealed bytes were altered or replaced)".to_string()),
                        Err(e) => Some(format!("its original in the vault could not be read: {e}")),
                    }
                }
                FileCheck::Ok => {
                    if opts.files {
                        rehashed_all = false;
                    }
                    None
                }
                FileCheck::Missing => Some(format!("its original ({sha}) is missing from the vault")),
                FileCheck::Symlink => Some(format!("its original ({sha}) was replaced in the vault by a symbolic link")),
                FileCheck::NotRegular => Some(format!("its original ({sha}) in the vault is not a regular file")),
                FileCheck::Writable => Some(format!("its original ({sha}) in the vault was made writable; originals are kept read-only")),
            };
            files_checked += 1;
            if let Some(message) = finding {
                for (id, name) in items {
                    out.push(problem(
                        "evidence",
                        id,
                        name,
                        format!("evidence \"{name}\" ({id}): {message}"),
                    ));
                }
            }
        }
        tracing::info!(
            entries,
            records = records_checked,
            files = files_checked,
            findings =
                out.len() + chain_problem.is_some() as usize + head_problem.is_some() as usize,
            ms = started.elapsed().as_millis() as u64,
            "audit done"
        );
        Ok(AuditReport {
            entries,
            records_checked,
            versions_checked,
            files_checked,
            files_rehashed: rehashed_all && opts.files,
            chain_problem,
            head_problem,
            head_note,
            record_problems: out,
        })
    }
}
