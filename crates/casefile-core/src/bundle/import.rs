//! Merging a verified bundle into a library, in one transaction. Records keep their ids.
//!
//! For each incoming record: if it is new, it is added; if it equals the local one, nothing
//! happens; otherwise the custody histories decide. The bundle's custody log lists every state
//! the record had on the sending side; ours lists every state it had here (and in bundles we
//! imported before). If our current state is in the sender's history, theirs is newer: it is
//! applied. If theirs is in our history, ours is newer: it is kept. If neither, both sides
//! changed it since they last shared it: ours is kept, theirs is stored as a conflict for the
//! investigator to resolve. Nothing is silently overwritten, and importing the same bundle
//! twice changes nothing the second time.

use super::verify::verify_full;
use super::ExportProfile;
use crate::custody::CustodyEntry;
use crate::error::{Error, Result};
use crate::library::{Library, WriteTx};
use crate::records;
use crate::store::{self, Table};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MergeCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Ours was newer than theirs.
    pub kept_local: usize,
    pub conflicts: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub case_id: String,
    pub case_title: String,
    pub signed_by: String,
    pub counts: MergeCounts,
    pub originals_added: usize,
    pub custody_entries_received: usize,
    /// Nothing in the bundle was new to this library.
    pub already_up_to_date: bool,
}

/// A record both sides changed since they last shared it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conflict {
    pub id: String,
    pub case_id: String,
    pub record_type: String,
    pub record_id: String,
    pub label: String,
    pub local: Option<Map<String, Value>>,
    pub incoming: Map<String, Value>,
    pub found_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

const VERSIONS: Table = Table { name: "statement_versions", record_type: "statement_version", label: "statement_id", json: &["changed"], bools: &[] };

fn id_of(m: &Map<String, Value>) -> String {
    m.get("id").and_then(Value::as_str).unwrap_or_default().to_string()
}

fn load_map(tx: &WriteTx<'_>, t: &Table, id: &str) -> Result<Option<Map<String, Value>>> {
    let mut stmt = tx.conn().prepare_cached(&format!("SELECT * FROM {} WHERE id = ?1", t.name))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(store::row_map(t, r)?)),
        None => Ok(None),
    }
}

fn local_history(tx: &WriteTx<'_>, id: &str) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for sql in [
        "SELECT digest FROM custody_log WHERE record_id = ?1 AND digest IS NOT NULL",
        "SELECT digest FROM imported_custody WHERE record_id = ?1 AND digest IS NOT NULL",
    ] {
        let mut stmt = tx.conn().prepare_cached(sql)?;
        for d in stmt.query_map([id], |r| r.get::<_, String>(0))? {
            out.insert(d?);
        }
    }
    Ok(out)
}

/// A verified bundle whose new originals are staged in the vault's temp area: everything an
/// import does that needs no database, so the app can do it without holding the library.
pub struct PreparedImport {
    doc: super::CaseDocument,
    custody: Vec<CustodyEntry>,
    signed_by: String,
    bundle_id: String,
    staged: Vec<crate::vault::Staged>,
}

/// Verifies a bundle and stages the originals this vault lacks. Nothing is committed: a
/// prepared import that is refused has its temp files discarded, and one that is dropped leaves
/// them for the vault to remove when the library is next opened.
pub fn prepare_import(vault: &crate::vault::Vault, path: &Path, cancel: &AtomicBool, progress: &mut dyn FnMut(u64, u64)) -> Result<PreparedImport> {
    {
        let mut v = verify_full(path)?;
        if !v.report.ok {
            let found = v.report.schema_version.unwrap_or(0);
            if found > super::SCHEMA_VERSION && v.report.problems.len() == 1 {
                return Err(Error::BundleTooNew { found, supported: super::SCHEMA_VERSION });
            }
            return Err(Error::BundleInvalid(
                v.report.problems.iter().map(|p| format!("{}: {}", p.file.as_deref().unwrap_or("bundle"), p.message)).collect(),
            ));
        }
        let doc = v.doc.take().ok_or_else(|| Error::BundleRefused("no case.json".into()))?;
        if doc.profile == ExportProfile::Public {
            return Err(Error::BundleRefused(
                "this is a public (redacted) bundle: it can be verified and read, but not merged into a library".into(),
            ));
        }
        let signed_by = v.report.signed_by.clone().unwrap_or_default();
        let bundle_id = v.tagmanifest_sha256.clone();
        let total: u64 = doc.files.iter().filter(|f| !vault.contains(&f.sha256)).map(|f| f.size).sum();
        let mut done = 0u64;
        let mut staged = Vec::new();
        for f in doc.files.iter().filter(|f| !vault.contains(&f.sha256)) {
            let rel = format!("data/{}", f.path);
            let mut result = None;
            v.source.with_reader(&rel, &mut |r| {
                let before = done;
                let s = vault.stage_reader(r, Path::new(&rel), cancel, &mut |n| progress(before + n, total));
                result = Some(s);
                Ok(())
            })?;
            match result {
                Some(Ok(s)) if s.sha256 == f.sha256 => {
                    done += s.size;
                    staged.push(s);
                }
                Some(Ok(s)) => {
                    vault.discard(staged.iter().chain(std::iter::once(&s)));
                    return Err(Error::BundleRefused(format!("{rel} changed while it was being imported")));
                }
                Some(Err(crate::vault::StageError::Cancelled)) => {
                    vault.discard(&staged);
                    return Err(Error::invalid("cancel", "the import was cancelled; nothing was changed"));
                }
                Some(Err(crate::vault::StageError::Failed(e))) => {
                    vault.discard(&staged);
                    return Err(e);
                }
                None => {
                    vault.discard(&staged);
                    return Err(Error::BundleRefused(format!("{rel} could not be read")));
                }
            }
        }
        Ok(PreparedImport { doc, custody: v.custody, signed_by, bundle_id, staged })
    }
}

impl Library {
    /// Verifies a bundle (directory or ZIP) and merges it into this library. A bundle that does
    /// not verify changes nothing.
    pub fn import_bundle(&mut self, path: &Path, cancel: &AtomicBool, progress: &mut dyn FnMut(u64, u64)) -> Result<ImportReport> {
        let vault = self.vault().clone();
        let prepared = prepare_import(&vault, path, cancel, progress)?;
        self.finish_import(prepared)
    }

    /// Checks a prepared import's records against this library, makes its originals durable and
    /// merges it in one transaction. A refusal discards the staged originals.
    pub fn finish_import(&mut self, p: PreparedImport) -> Result<ImportReport> {
        let PreparedImport { doc, custody, signed_by, bundle_id, staged } = p;
        let vault = self.vault().clone();
        let case_id = id_of(&doc.case);
        // Every record is checked before anything is written, the vault included.
        if let Err(e) = check_records(self.conn(), &doc, &case_id) {
            vault.discard(&staged);
            return Err(e);
        }
        // Originals first, durable before any record points at them.
        if let Err(e) = vault.commit(&staged) {
            vault.discard(&staged);
            return Err(e);
        }
        let originals_added = staged.len();

        // The sender's history of each record.
        let mut theirs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for e in &custody {
            if let Some(d) = &e.digest {
                theirs.entry(e.record_id.clone()).or_default().insert(d.clone());
            }
        }
        let case_title = doc.case.get("title").and_then(Value::as_str).unwrap_or_default().to_string();

        self.write(|tx| {
            let mut counts = MergeCounts::default();
            let mut changed_ids: BTreeSet<String> = BTreeSet::new();
            for (t, rows) in doc.record_groups() {
                for incoming in rows {
                    let id = id_of(incoming);
                    let incoming_digest = store::digest_of_row(incoming);
                    match load_map(tx, t, &id)? {
                        None => {
                            store::insert(tx.conn(), t, incoming)?;
                            tx.log_row("import", &case_id, t, &id, Some(serde_json::json!({ "bundle": bundle_id, "from": signed_by })))?;
                            counts.added += 1;
                            changed_ids.insert(id);
                        }
                        Some(local) => {
                            let local_digest = store::digest_of_row(&local);
                            if local_digest == incoming_digest {
                                counts.unchanged += 1;
                            } else if theirs.get(&id).is_some_and(|h| h.contains(&local_digest)) {
                                store::update(tx.conn(), t, &id, incoming)?;
                                tx.log_row("import_update", &case_id, t, &id, Some(serde_json::json!({ "bundle": bundle_id, "from": signed_by })))?;
                                counts.updated += 1;
                                changed_ids.insert(id);
                            } else if local_history(tx, &id)?.contains(&incoming_digest) {
                                counts.kept_local += 1;
                            } else {
                                let known: Option<String> = tx
                                    .conn()
                                    .query_row(
                                        "SELECT id FROM conflicts WHERE record_id = ?1 AND incoming_digest = ?2",
                                        params![id, incoming_digest],
                                        |r| r.get(0),
                                    )
                                    .optional()?;
                                if known.is_none() {
                                    let label = local.get(t.label).and_then(Value::as_str).unwrap_or(&id).to_string();
                                    tx.conn().execute(
                                        "INSERT INTO conflicts (id, case_id, record_type, record_id, label, local_digest, incoming_digest, incoming, bundle, found_at)
                                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                        params![crate::new_id(), case_id, t.record_type, id, label, local_digest, incoming_digest,
                                                Value::Object(incoming.clone()).to_string(), bundle_id, tx.now()],
                                    )?;
                                    tx.log("conflict", Some(&case_id), t.record_type, &id, None, Some(serde_json::json!({ "bundle": bundle_id, "incoming_digest": incoming_digest })))?;
                                    counts.conflicts += 1;
                                }
                            }
                        }
                    }
                }
            }
            // Earlier versions of statements that were added or brought up to date here.
            for sv in &doc.statement_versions {
                let sid = sv.get("statement_id").and_then(Value::as_str).unwrap_or_default();
                if !changed_ids.contains(sid) {
                    continue;
                }
                let exists: Option<i64> = tx
                    .conn()
                    .query_row("SELECT 1 FROM statement_versions WHERE statement_id = ?1 AND version = ?2", params![sid, sv.get("version").and_then(Value::as_i64)], |r| r.get(0))
                    .optional()?;
                if exists.is_none() {
                    store::insert(tx.conn(), &VERSIONS, sv)?;
                }
            }
            for term in &doc.terms {
                tx.conn().execute(
                    "INSERT OR IGNORE INTO vocab_terms (vocab, code, label_en, label_uk, builtin) VALUES (?1, ?2, ?3, ?4, 0)",
                    params![term.vocab, term.code, term.label_en, term.label_uk],
                )?;
            }
            let mut received = 0usize;
            for e in &custody {
                received += tx.conn().execute(
                    "INSERT OR IGNORE INTO imported_custody (origin, hash, case_id, case_seq, record_type, record_id, digest, entry, imported_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![signed_by, e.hash, e.case_id, e.case_seq, e.record_type, e.record_id, e.digest,
                            serde_json::to_string::<CustodyEntry>(e).unwrap_or_default(), tx.now()],
                )?;
            }
            let nothing_new = counts.added + counts.updated + counts.conflicts + received + originals_added == 0;
            if !nothing_new {
                tx.log_row(
                    "import_bundle",
                    &case_id,
                    &records::CASES,
                    &case_id,
                    Some(serde_json::json!({ "bundle": bundle_id, "from": signed_by, "counts": counts, "originals": originals_added, "custody_entries": received })),
                )?;
            }
            Ok(ImportReport {
                case_id: case_id.clone(),
                case_title: case_title.clone(),
                signed_by: signed_by.clone(),
                counts,
                originals_added,
                custody_entries_received: received,
                already_up_to_date: nothing_new,
            })
        })
    }

    /// The conflicts found when importing into a case (unresolved first).
    pub fn conflicts(&self, case_id: &str) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, case_id, record_type, record_id, label, incoming, found_at, resolved_at, resolution
             FROM conflicts WHERE case_id = ?1 ORDER BY resolved_at IS NOT NULL, found_at",
        )?;
        let rows: Vec<(String, String, String, String, String, String, String, Option<String>, Option<String>)> = stmt
            .query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (id, case_id, record_type, record_id, label, incoming, found_at, resolved_at, resolution) in rows {
            let t = records::table(&record_type)?;
            let mut stmt = self.conn().prepare(&format!("SELECT * FROM {} WHERE id = ?1", t.name))?;
            let mut q = stmt.query([&record_id])?;
            let local = match q.next()? {
                Some(r) => Some(store::row_map(t, r)?),
                None => None,
            };
            let incoming: Map<String, Value> = serde_json::from_str(&incoming).map_err(|e| Error::Corrupt(e.to_string()))?;
            out.push(Conflict { id, case_id, record_type, record_id, label, local, incoming, found_at, resolved_at, resolution });
        }
        Ok(out)
    }

    /// Resolves a conflict by keeping ours or taking theirs; either way a custody entry says so.
    pub fn resolve_conflict(&mut self, conflict_id: &str, take_incoming: bool) -> Result<()> {
        self.write(|tx| {
            let row: Option<(String, String, String, String, Option<String>)> = tx
                .conn()
                .query_row(
                    "SELECT case_id, record_type, record_id, incoming, resolved_at FROM conflicts WHERE id = ?1",
                    [conflict_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let (case_id, record_type, record_id, incoming, resolved) =
                row.ok_or_else(|| Error::NotFound { kind: "conflict", id: conflict_id.into() })?;
            if resolved.is_some() {
                return Err(Error::invalid("id", "this conflict is already resolved"));
            }
            let t = records::table(&record_type)?;
            if take_incoming {
                let m: Map<String, Value> = serde_json::from_str(&incoming).map_err(|e| Error::Corrupt(e.to_string()))?;
                if load_map(tx, t, &record_id)?.is_some() {
                    store::update(tx.conn(), t, &record_id, &m)?;
                } else {
                    store::insert(tx.conn(), t, &m)?;
                }
            }
            let choice = if take_incoming { "incoming" } else { "local" };
            tx.log_row("resolve_conflict", &case_id, t, &record_id, Some(serde_json::json!({ "conflict": conflict_id, "kept": choice })))?;
            tx.conn().execute(
                "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1",
                params![conflict_id, tx.now(), choice],
            )?;
            Ok(())
        })
    }
}

/// Refuses a bundle whose records are not what this library stores: a field that is not a
/// column of its table, a record without an id, or one that belongs to another case.
fn check_records(conn: &rusqlite::Connection, doc: &super::CaseDocument, case_id: &str) -> Result<()> {
    let versions: [(&Table, &[Map<String, Value>]); 1] = [(&VERSIONS, &doc.statement_versions)];
    let person_ids: BTreeSet<String> = doc.persons.iter().map(id_of).collect();
    let statement_ids: BTreeSet<String> = doc.statements.iter().map(id_of).collect();
    for (t, rows) in doc.record_groups().into_iter().chain(versions) {
        let cols: BTreeSet<String> = store::columns(conn, t.name)?.into_iter().collect();
        for r in rows {
            if let Some(k) = r.keys().find(|k| !cols.contains(*k)) {
                return Err(Error::BundleRefused(format!("a {} in case.json has a field \"{k}\" that is not one of its columns", t.record_type)));
            }
            if t.name == "statement_versions" {
                let sid = r.get("statement_id").and_then(Value::as_str).unwrap_or_default();
                if !statement_ids.contains(sid) {
                    return Err(Error::BundleRefused(format!("a statement version belongs to statement {sid}, which is not in the bundle")));
                }
                continue;
            }
            let id = id_of(r);
            if id.is_empty() {
                return Err(Error::BundleRefused(format!("a {} in case.json has no id", t.record_type)));
            }
            let belongs = match t.name {
                "cases" => id == case_id,
                "person_identities" => person_ids.contains(&id),
                _ => r.get("case_id").and_then(Value::as_str) == Some(case_id),
            };
            if !belongs {
                return Err(Error::BundleRefused(format!("{} {id} does not belong to the bundle's case", t.record_type)));
            }
        }
    }
    Ok(())
}
