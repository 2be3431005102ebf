//! Merging a verified bundle into a library, in one transaction. Records keep their ids.
//!
//! **Who may change a case** (see `trust.rs`): a bundle of a case this library does not hold
//! creates it and trusts the key that signed it. A bundle of a case it holds is merged only if
//! its signer is the case's origin or a key trusted for the case; from any other key, every
//! record it would add or change is kept as a conflict for a person to decide, and nothing is
//! applied. **Record ids are bound to their case**: a bundle that names a record this library
//! holds in another case (or as another kind of record), or refers to one, is refused whole.
//!
//! For each incoming record from a trusted key: if it is new, it is added; if it equals the
//! local one, nothing happens; otherwise the custody histories decide. If our current state is in
//! the sender's history, theirs is newer: it is applied. If theirs is in our history (our own
//! log, or entries received from keys trusted for the case), ours is newer: it is kept. If
//! neither, both sides changed it since they last shared it: ours is kept, theirs is stored as a
//! conflict. A statement is applied only at a version the bundle holds, and every version that
//! comes with it is recorded with a custody entry, so an import never rewrites what a witness
//! said without a new version. Importing the same bundle twice changes nothing the second time.
//!
//! The bundle is read as a stream (`stream.rs`) and held to the bytes verification checked: a
//! `case.json` or `custody.jsonl` that changes between verification and import rolls it back.

use super::stream::{self, VERSIONS};
use super::verify::{
    digest_bytes, history_key, record_key, statement_content_digest, verify_full, Verified,
};
use super::ExportProfile;
use crate::error::{Error, Result};
use crate::records::trust::{self, Standing};
use crate::records::{self, CASES, STATEMENTS};
use crate::store::library::{Library, WriteTx};
use crate::store::{self, Table};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
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
    /// How the signer stood for the case before the import.
    pub standing: Standing,
    /// Whether the bundle's changes were merged (false: they were kept as conflicts).
    pub trusted: bool,
    /// The case's origin key, as this library records it.
    pub origin_key: Option<String>,
    pub counts: MergeCounts,
    pub versions_added: usize,
    pub originals_added: usize,
    pub custody_entries_received: usize,
    /// Nothing in the bundle was new to this library.
    pub already_up_to_date: bool,
}

/// A record both sides changed since they last shared it, or one offered by a key not trusted
/// for the case (then `local` may be absent: a record it would add).
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
    /// The key that signed the bundle it came in.
    pub signed_by: Option<String>,
    /// Whether that key was trusted for the case.
    pub trusted: Option<bool>,
}

fn id_of(m: &Map<String, Value>) -> String {
    m.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn load_map(tx: &WriteTx<'_>, t: &Table, id: &str) -> Result<Option<Map<String, Value>>> {
    let mut stmt = tx
        .conn()
        .prepare_cached(&format!("SELECT * FROM {} WHERE id = ?1", t.name))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(r) => Ok(Some(store::row_map(t, r)?)),
        None => Ok(None),
    }
}

/// Every digest this library knows for a record: its own log, and entries received from keys
/// trusted for the case.
fn local_history(tx: &WriteTx<'_>, case_id: &str, id: &str) -> Result<BTreeSet<String>> {
    let mut stmt = tx.conn().prepare_cached(
        "SELECT digest FROM custody_log WHERE record_id = ?1 AND digest IS NOT NULL
         UNION SELECT digest FROM imported_custody WHERE record_id = ?1 AND digest IS NOT NULL AND case_id = ?2
           AND origin IN (SELECT fingerprint FROM case_keys WHERE case_id = ?2 AND revoked_at IS NULL)",
    )?;
    let rows = stmt.query_map(params![id, case_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The columns of each table that name another record.
fn references(t: &Table) -> &'static [&'static str] {
    match t.name {
        "acts" => &["incident_id", "victim_person_id"],
        "involvements" => &[
            "perpetrator_person_id",
            "perpetrator_unit_id",
            "incident_id",
            "act_id",
        ],
        "statements" => &["witness_id"],
        "consents" => &["statement_id"],
        "links" => &["from_id", "to_id"],
        "evidence" => &["derived_from"],
        "statement_versions" => &["statement_id"],
        _ => &[],
    }
}

/// Refuses a record that this library holds in another case or as another kind of record, and
/// one that refers to a record outside the case (neither in `bundle_ids` nor in the case here).
fn check_bound_to_case(
    tx: &WriteTx<'_>,
    t: &Table,
    m: &Map<String, Value>,
    case_id: &str,
    bundle_ids: &HashSet<[u8; 16]>,
) -> Result<()> {
    let id = id_of(m);
    if t.name != VERSIONS.name {
        let person = |n: &str| n == "persons" || n == "person_identities";
        for (table, owner) in records::owners(tx.conn(), &id)? {
            let same_kind = table == t.name || (person(&table) && person(t.name));
            // An identity this import took in before its person (a document's fields have no
            // order, so "identities" may come before "persons"): it has no case until its
            // person arrives, and that person is checked here in its turn.
            let identity_awaiting_person = table == "person_identities"
                && owner.is_none()
                && bundle_ids.contains(&record_key(&id));
            if same_kind && identity_awaiting_person {
                continue;
            }
            if !same_kind || owner.as_deref() != Some(case_id) {
                return Err(Error::BundleRefused(format!(
                    "{} {id} is a record of another case in this library (or another kind of record): a bundle can never change or move it",
                    t.record_type
                )));
            }
        }
    }
    for col in references(t) {
        let Some(target) = m.get(*col).and_then(Value::as_str) else {
            continue;
        };
        if bundle_ids.contains(&record_key(target)) {
            continue;
        }
        let here = records::owners(tx.conn(), target)?;
        if !here
            .iter()
            .any(|(_, owner)| owner.as_deref() == Some(case_id))
        {
            return Err(Error::BundleRefused(format!(
                "{} {id} refers ({col}) to {target}, which is not a record of this case",
                t.record_type
            )));
        }
    }
    Ok(())
}

/// A verified bundle whose new originals are staged in the vault's temp area: everything an
/// import does that needs no database, so the app can do it without holding the library.
pub struct PreparedImport {
    verified: Verified,
    signed_by: String,
    bundle_id: String,
    staged: Vec<crate::store::vault::Staged>,
}

impl PreparedImport {
    /// The case the bundle holds.
    pub fn case_id(&self) -> &str {
        self.verified.report.case_id.as_deref().unwrap_or_default()
    }
    /// The key that signed it.
    pub fn signed_by(&self) -> &str {
        &self.signed_by
    }
}

/// Verifies a bundle and stages the originals this vault lacks. Nothing is committed: a
/// prepared import that is refused has its temp files discarded, and one that is dropped leaves
/// them for the vault to remove when the library is next opened.
pub fn prepare_import(
    vault: &crate::store::vault::Vault,
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<PreparedImport> {
    prepare_import_with(vault, path, None, cancel, progress)
}

/// [`prepare_import`] of a bundle that may be encrypted (age) to a key of `identity`. An
/// encrypted bundle without the right identity is refused before anything is staged.
pub fn prepare_import_with(
    vault: &crate::store::vault::Vault,
    path: &Path,
    identity: Option<&super::BundleIdentity>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<PreparedImport> {
    let mut v = verify_full(path, identity, true)?;
    if !v.report.ok {
        let found = v.report.schema_version.unwrap_or(0);
        if found > super::SCHEMA_VERSION && v.report.problems.len() == 1 {
            return Err(Error::BundleTooNew {
                found,
                supported: super::SCHEMA_VERSION,
            });
        }
        let mut list: Vec<String> = v
            .report
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.file.as_deref().unwrap_or("bundle"), p.message))
            .collect();
        if v.report.problems_not_listed > 0 {
            list.push(format!(
                "and {} more problems",
                v.report.problems_not_listed
            ));
        }
        return Err(Error::BundleInvalid(list));
    }
    if v.head.profile == Some(ExportProfile::Public) {
        return Err(Error::BundleRefused(
            "this is a public (redacted) bundle: it can be verified and read, but not merged into a library".into(),
        ));
    }
    let signed_by = v.report.signed_by.clone().unwrap_or_default();
    let bundle_id = v.tagmanifest_sha256.clone();
    let wanted: Vec<super::FileRef> = v
        .head
        .files
        .iter()
        .filter(|f| !vault.contains(&f.sha256))
        .cloned()
        .collect();
    let total: u64 = wanted.iter().map(|f| f.size).sum();
    let mut done = 0u64;
    let mut staged = Vec::new();
    for f in &wanted {
        let rel = format!("data/{}", f.path);
        let mut result = None;
        let read = v.source.with_reader(&rel, &mut |r| {
            let before = done;
            result = Some(vault.stage_reader(r, Path::new(&rel), cancel, &mut |n| {
                progress(before + n, total)
            }));
            Ok(())
        });
        if let Err(e) = read {
            vault.discard(&staged);
            return Err(e);
        }
        match result {
            Some(Ok(s)) if s.sha256 == f.sha256 => {
                done += s.size;
                staged.push(s);
            }
            Some(Ok(s)) => {
                vault.discard(staged.iter().chain(std::iter::once(&s)));
                return Err(Error::BundleRefused(format!(
                    "{rel} changed while it was being imported"
                )));
            }
            Some(Err(crate::store::vault::StageError::Cancelled)) => {
                vault.discard(&staged);
                return Err(Error::invalid(
                    "cancel",
                    "the import was cancelled; nothing was changed",
                ));
            }
            Some(Err(crate::store::vault::StageError::Failed(e))) => {
                vault.discard(&staged);
                return Err(e);
            }
            None => {
                vault.discard(&staged);
                return Err(Error::BundleRefused(format!("{rel} could not be read")));
            }
        }
    }
    Ok(PreparedImport {
        verified: v,
        signed_by,
        bundle_id,
        staged,
    })
}

/// One import's merge, record by record, inside the write transaction.
struct Merge<'a, 'b> {
    tx: &'a WriteTx<'b>,
    case_id: &'a str,
    signed_by: &'a str,
    bundle_id: &'a str,
    trusted: bool,
    ids: &'a HashSet<[u8; 16]>,
    theirs: &'a HashSet<[u8; 16]>,
    counts: MergeCounts,
    /// Statements added or brought up to date, whose versions come along.
    changed_statements: BTreeSet<String>,
    versions_added: usize,
    /// Each table's columns, read once.
    columns: HashMap<&'static str, BTreeSet<String>>,
}

impl Merge<'_, '_> {
    fn detail(&self) -> Value {
        serde_json::json!({ "bundle": self.bundle_id, "from": self.signed_by })
    }

    fn record(&mut self, t: &'static Table, incoming: Map<String, Value>) -> Result<()> {
        if t.name == VERSIONS.name {
            return Ok(());
        }
        let tx = self.tx;
        self.check_columns(t, &incoming)?;
        check_bound_to_case(tx, t, &incoming, self.case_id, self.ids)?;
        let id = id_of(&incoming);
        let incoming_digest = store::digest_of_row(&incoming);
        let Some(local) = load_map(tx, t, &id)? else {
            if !self.trusted {
                return self.conflict(t, &id, None, &incoming, &incoming_digest);
            }
            if t.name == CASES.name {
                // Another case here may already use the reference code: say so, rename nothing.
                if let Some(r) = incoming.get("reference").and_then(Value::as_str) {
                    let taken: Option<String> = tx
                        .conn()
                        .query_row(
                            "SELECT id FROM cases WHERE reference = ?1 COLLATE NOCASE",
                            [r],
                            |row| row.get(0),
                        )
                        .optional()?;
                    if taken.is_some() {
                        return Err(Error::invalid(
                            "reference",
                            format!("a case with reference code \"{r}\" is already in this library; change that case's reference, then import again"),
                        ));
                    }
                }
            }
            crate::records::insert_logged(tx, t, self.case_id, &id, &incoming, "import", |_| {
                Ok(Some(self.detail()))
            })?;
            self.counts.added += 1;
            self.held_change_applied(&id, &incoming_digest)?;
            if t.name == STATEMENTS.name {
                self.changed_statements.insert(id);
            }
            return Ok(());
        };
        let local_digest = store::digest_of_row(&local);
        if local_digest == incoming_digest {
            self.counts.unchanged += 1;
            return Ok(());
        }
        let theirs_newer = digest_bytes(&local_digest)
            .is_some_and(|d| self.theirs.contains(&history_key(&id, &d)));
        if self.trusted && theirs_newer && self.statement_version_agrees(t, &local, &incoming)? {
            crate::records::update_logged(
                tx,
                t,
                self.case_id,
                &id,
                &incoming,
                "import_update",
                |_| Ok(Some(self.detail())),
            )?;
            self.counts.updated += 1;
            self.held_change_applied(&id, &incoming_digest)?;
            if t.name == STATEMENTS.name {
                self.changed_statements.insert(id);
            }
            return Ok(());
        }
        if local_history(tx, self.case_id, &id)?.contains(&incoming_digest) {
            self.counts.kept_local += 1;
            return Ok(());
        }
        self.conflict(t, &id, Some(&local), &incoming, &incoming_digest)
    }

    /// A change held earlier as a conflict (from a key trusted only now) has just been applied.
    fn held_change_applied(&self, id: &str, incoming_digest: &str) -> Result<()> {
        self.tx.conn().execute(
            "UPDATE conflicts SET resolved_at = ?3, resolution = 'incoming' WHERE record_id = ?1 AND incoming_digest = ?2 AND resolved_at IS NULL",
            params![id, incoming_digest, self.tx.now()],
        )?;
        Ok(())
    }

    /// Refuses a field that is not a column of the record's table (field names reach SQL text).
    fn check_columns(&mut self, t: &'static Table, m: &Map<String, Value>) -> Result<()> {
        if !self.columns.contains_key(t.name) {
            let cols: BTreeSet<String> = store::columns(self.tx.conn(), t.name)?
                .into_iter()
                .collect();
            self.columns.insert(t.name, cols);
        }
        let cols = &self.columns[t.name];
        match m.keys().find(|k| !cols.contains(*k)) {
            Some(k) => Err(Error::BundleRefused(format!("a record of type {} in case.json has a field \"{k}\" that is not one of its columns", t.record_type))),
            None => Ok(()),
        }
    }

    /// A statement may be brought to version n only if our version n (if we have one) says the
    /// same: otherwise the two libraries hold different texts under one version number. Nor may
    /// it go back to a version before ours: its words would change without a new version.
    fn statement_version_agrees(
        &self,
        t: &Table,
        local: &Map<String, Value>,
        incoming: &Map<String, Value>,
    ) -> Result<bool> {
        if t.name != STATEMENTS.name {
            return Ok(true);
        }
        let v = incoming.get("version").and_then(Value::as_i64).unwrap_or(0);
        if v < local.get("version").and_then(Value::as_i64).unwrap_or(0) {
            return Ok(false);
        }
        let ours: Option<String> = self
            .tx
            .conn()
            .query_row(
                "SELECT snapshot FROM statement_versions WHERE statement_id = ?1 AND version = ?2",
                params![id_of(incoming), v],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match ours {
            None => true,
            Some(s) => serde_json::from_str::<Map<String, Value>>(&s)
                .is_ok_and(|s| statement_content_digest(&s) == statement_content_digest(incoming)),
        })
    }

    fn conflict(
        &mut self,
        t: &Table,
        id: &str,
        local: Option<&Map<String, Value>>,
        incoming: &Map<String, Value>,
        incoming_digest: &str,
    ) -> Result<()> {
        let tx = self.tx;
        let known: Option<String> = tx
            .conn()
            .query_row(
                "SELECT id FROM conflicts WHERE record_id = ?1 AND incoming_digest = ?2",
                params![id, incoming_digest],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_some() {
            return Ok(());
        }
        let label_of =
            |m: &Map<String, Value>| m.get(t.label).and_then(Value::as_str).map(String::from);
        let label = local
            .and_then(label_of)
            .or_else(|| label_of(incoming))
            .unwrap_or_else(|| id.to_string());
        let local_digest = local.map(store::digest_of_row).unwrap_or_default();
        tx.conn().execute(
            "INSERT INTO conflicts (id, case_id, record_type, record_id, label, local_digest, incoming_digest, incoming, bundle, found_at, signed_by, trusted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                crate::new_id(),
                self.case_id,
                t.record_type,
                id,
                label,
                local_digest,
                incoming_digest,
                Value::Object(incoming.clone()).to_string(),
                self.bundle_id,
                tx.now(),
                self.signed_by,
                self.trusted
            ],
        )?;
        tx.log(
            "conflict",
            Some(self.case_id),
            t.record_type,
            id,
            None,
            Some(serde_json::json!({ "bundle": self.bundle_id, "from": self.signed_by, "trusted": self.trusted, "incoming_digest": incoming_digest })),
        )?;
        self.counts.conflicts += 1;
        Ok(())
    }

    /// An earlier version of a statement that was added or brought up to date here.
    fn version(&mut self, m: Map<String, Value>) -> Result<()> {
        let sid = m
            .get("statement_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !self.changed_statements.contains(&sid) {
            return Ok(());
        }
        self.check_columns(&VERSIONS, &m)?;
        check_bound_to_case(self.tx, &VERSIONS, &m, self.case_id, self.ids)?;
        let v = m.get("version").and_then(Value::as_i64).unwrap_or(0);
        let exists: Option<i64> = self
            .tx
            .conn()
            .query_row(
                "SELECT 1 FROM statement_versions WHERE statement_id = ?1 AND version = ?2",
                params![sid, v],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Ok(());
        }
        store::insert(self.tx.conn(), &VERSIONS, &m)?;
        let snapshot = m
            .get("snapshot")
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.tx.log(
            "import_version",
            Some(self.case_id),
            "statement",
            &sid,
            None,
            Some(serde_json::json!({ "version": v, "version_digest": crate::store::custody::sha256_hex(snapshot.as_bytes()), "bundle": self.bundle_id, "from": self.signed_by })),
        )?;
        self.versions_added += 1;
        Ok(())
    }
}

impl Library {
    /// Verifies a bundle (directory or ZIP) and merges it into this library. A bundle that does
    /// not verify changes nothing. Its signer is trusted only as `trust.rs` says.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        let vault = self.vault().clone();
        let prepared = prepare_import(&vault, path, cancel, progress)?;
        self.finish_import(prepared, false)
    }

    /// Checks a prepared import against this library, makes its originals durable and merges it
    /// in one transaction. With `trust_signer`, a signer not yet trusted for the case is trusted
    /// first (a custody entry records it). A refusal discards the staged originals.
    pub fn finish_import(&mut self, p: PreparedImport, trust_signer: bool) -> Result<ImportReport> {
        let PreparedImport {
            mut verified,
            signed_by,
            bundle_id,
            staged,
        } = p;
        let vault = self.vault().clone();
        let result = self.merge(&mut verified, &signed_by, &bundle_id, &staged, trust_signer);
        if result.is_err() {
            vault.discard(&staged);
        }
        result
    }

    fn merge(
        &mut self,
        v: &mut Verified,
        signed_by: &str,
        bundle_id: &str,
        staged: &[crate::store::vault::Staged],
        trust_signer: bool,
    ) -> Result<ImportReport> {
        if self.profile()?.is_none() {
            return Err(Error::ProfileRequired);
        }
        let vault = self.vault().clone();
        let case_id = v.report.case_id.clone().unwrap_or_default();
        let case_title = v.report.case_title.clone().unwrap_or_default();
        let (case_sha, custody_sha) = (v.case_json_sha256.clone(), v.custody_sha256.clone());
        let Verified {
            source,
            head,
            ids,
            theirs,
            ..
        } = v;
        // Who the sender says they are (unverified: only the key is checked).
        let sender = head
            .source
            .as_ref()
            .map(|s| {
                [s.contact.as_str(), s.organisation.as_str()]
                    .iter()
                    .filter(|x| !x.trim().is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|s| !s.is_empty());
        self.write(|tx| {
            tx.conn().execute_batch("PRAGMA defer_foreign_keys = ON")?;
            let found = trust::standing(tx.conn(), &case_id, signed_by)?;
            if found == Standing::Untrusted && trust_signer {
                trust::add(tx, &case_id, signed_by, "trusted", "trusted when importing a bundle it signed")?;
            }
            let trusted = found != Standing::Untrusted || trust_signer;
            let mut m = Merge {
                tx,
                case_id: &case_id,
                signed_by,
                bundle_id,
                trusted,
                ids,
                theirs,
                counts: MergeCounts::default(),
                changed_statements: BTreeSet::new(),
                versions_added: 0,
                columns: HashMap::new(),
            };
            let held_to = |what: &str, got: &str, want: &str| -> Result<()> {
                if got == want {
                    Ok(())
                } else {
                    Err(Error::BundleRefused(format!("{what} changed after it was verified; nothing was imported")))
                }
            };
            // Records, then the versions of the statements that changed (a second read: the
            // versions may come before their statements).
            for pass in [0, 1] {
                let mut outcome = None;
                source.with_reader("data/case.json", &mut |r| {
                    outcome = Some(stream::read_case_json(r, usize::MAX, &mut |t, rec| if pass == 0 { m.record(t, rec) } else if t.name == VERSIONS.name { m.version(rec) } else { Ok(()) }));
                    Ok(())
                })?;
                let (_, sha, _) = outcome.ok_or_else(|| Error::BundleRefused("case.json could not be read".into()))??;
                held_to("case.json", &sha, &case_sha)?;
            }
            let Merge { counts, versions_added, .. } = m;
            if found == Standing::NewCase {
                let origin = head.origin_key.as_deref().map(trust::normalize_fingerprint).transpose()?.unwrap_or_else(|| signed_by.to_string());
                trust::add(tx, &case_id, &origin, "origin", "named as the case's origin by the bundle that brought it")?;
                trust::add(tx, &case_id, signed_by, "trusted", "signed the bundle that brought the case here")?;
            }
            if trusted {
                for term in &head.terms {
                    // Labels as this version keeps them (a bundle of an earlier version carries
                    // only the English and Ukrainian fields).
                    let stored = crate::records::vocab::Term { builtin: false, ..term.clone() }.received();
                    if crate::records::vocab::insert(tx.conn(), &stored)? {
                        tx.log("import", None, "term", &format!("{}:{}", term.vocab, term.code), Some(stored.state_digest()), Some(serde_json::json!({ "bundle": bundle_id, "from": signed_by })))?;
                    }
                }
            }
            let mut received = 0usize;
            if let Some(want) = &custody_sha {
                let mut outcome = None;
                source.with_reader("data/custody.jsonl", &mut |r| {
                    outcome = Some(stream::read_custody(r, &mut |_, e| {
                        received += tx.conn().execute(
                            "INSERT OR IGNORE INTO imported_custody (origin, hash, case_id, case_seq, record_type, record_id, digest, entry, imported_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                            params![signed_by, e.hash, e.case_id, e.case_seq, e.record_type, e.record_id, e.digest,
                                    serde_json::to_string(&e).unwrap_or_default(), tx.now()],
                        )?;
                        Ok(())
                    }));
                    Ok(())
                })?;
                let (sha, _) = outcome.ok_or_else(|| Error::BundleRefused("custody.jsonl could not be read".into()))??;
                held_to("custody.jsonl", &sha, want)?;
            }
            let originals_added = staged.len();
            let nothing_new = counts.added + counts.updated + counts.conflicts + versions_added + received + originals_added == 0;
            if !nothing_new {
                tx.log_row(
                    "import_bundle",
                    &case_id,
                    &CASES,
                    &case_id,
                    Some(serde_json::json!({
                        "bundle": bundle_id, "from": signed_by, "trusted": trusted, "standing": found,
                        "profile": head.profile, "exported_at": head.exported_at, "sender": sender,
                        "counts": counts, "versions": versions_added, "originals": originals_added, "custody_entries": received,
                    })),
                )?;
            }
            // Originals durable before the records that point at them commit.
            vault.commit(staged)?;
            tracing::info!(
                bundle = %bundle_id,
                standing = ?found,
                trusted,
                added = counts.added,
                updated = counts.updated,
                conflicts = counts.conflicts,
                originals = originals_added,
                "import merged"
            );
            Ok(ImportReport {
                case_id: case_id.clone(),
                case_title: case_title.clone(),
                signed_by: signed_by.to_string(),
                standing: found,
                trusted,
                origin_key: trust::origin(tx.conn(), &case_id)?,
                counts,
                versions_added,
                originals_added,
                custody_entries_received: received,
                already_up_to_date: nothing_new,
            })
        })
    }

    /// The conflicts found when importing into a case (unresolved first).
    pub fn conflicts(&self, case_id: &str) -> Result<Vec<Conflict>> {
        // A case that does not exist is `not_found`, not a case without conflicts.
        if self
            .conn()
            .query_row("SELECT 1 FROM cases WHERE id = ?1", [case_id], |_| Ok(()))
            .optional()?
            .is_none()
        {
            return Err(Error::NotFound {
                kind: "case",
                id: case_id.into(),
            });
        }
        let mut stmt = self.conn().prepare(
            "SELECT id, case_id, record_type, record_id, label, incoming, found_at, resolved_at, resolution, signed_by, trusted
             FROM conflicts WHERE case_id = ?1 ORDER BY resolved_at IS NOT NULL, found_at",
        )?;
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<bool>,
        );
        let rows: Vec<Row> = stmt
            .query_map([case_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (
            id,
            case_id,
            record_type,
            record_id,
            label,
            incoming,
            found_at,
            resolved_at,
            resolution,
            signed_by,
            trusted,
        ) in rows
        {
            let t = records::table(&record_type)?;
            let mut stmt = self
                .conn()
                .prepare(&format!("SELECT * FROM {} WHERE id = ?1", t.name))?;
            let mut q = stmt.query([&record_id])?;
            let local = match q.next()? {
                Some(r) => Some(store::row_map(t, r)?),
                None => None,
            };
            let incoming: Map<String, Value> =
                serde_json::from_str(&incoming).map_err(|e| Error::Corrupt(e.to_string()))?;
            out.push(Conflict {
                id,
                case_id,
                record_type,
                record_id,
                label,
                local,
                incoming,
                found_at,
                resolved_at,
                resolution,
                signed_by,
                trusted,
            });
        }
        Ok(out)
    }

    /// Resolves a conflict by keeping ours or taking theirs; either way a custody entry says so.
    /// Taking theirs is held to the same rules as an import: the record must belong to the
    /// conflict's case and refer only to records of it, and a statement gets a new version.
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
            let mut detail = serde_json::json!({ "conflict": conflict_id, "kept": if take_incoming { "incoming" } else { "local" } });
            if take_incoming {
                let mut m: Map<String, Value> = serde_json::from_str(&incoming).map_err(|e| Error::Corrupt(e.to_string()))?;
                if id_of(&m) != record_id {
                    return Err(Error::Corrupt(format!("conflict {conflict_id} holds another record than it names")));
                }
                let belongs = match t.name {
                    "cases" => record_id == case_id,
                    "person_identities" => records::owners(tx.conn(), &record_id)?.iter().any(|(tb, c)| tb == "persons" && c.as_deref() == Some(case_id.as_str())),
                    _ => m.get("case_id").and_then(Value::as_str) == Some(case_id.as_str()),
                };
                if !belongs {
                    return Err(Error::BundleRefused(format!("{record_type} {record_id} does not belong to the conflict's case; it cannot be taken")));
                }
                check_bound_to_case(tx, t, &m, &case_id, &HashSet::new())?;
                if t.name == STATEMENTS.name {
                    // What the witness said changes only with a new version.
                    let next: i64 = tx.conn().query_row(
                        "SELECT COALESCE(MAX(version), 0) + 1 FROM statement_versions WHERE statement_id = ?1",
                        [&record_id],
                        |r| r.get(0),
                    )?;
                    m.insert("version".into(), Value::from(next));
                }
                let then = |tx: &WriteTx<'_>| -> Result<Option<Value>> {
                    if t.name == STATEMENTS.name {
                        let s: crate::records::statements::Statement = store::must_load(tx.conn(), &STATEMENTS, &record_id)?;
                        let vd = crate::records::statements::save_version(tx, &s, &["resolved from an imported conflict".to_string()])?;
                        detail["version"] = Value::from(s.version);
                        detail["version_digest"] = Value::from(vd);
                    }
                    Ok(Some(detail.clone()))
                };
                if load_map(tx, t, &record_id)?.is_some() {
                    crate::records::update_logged(tx, t, &case_id, &record_id, &m, "resolve_conflict", then)?;
                } else {
                    crate::records::insert_logged(tx, t, &case_id, &record_id, &m, "resolve_conflict", then)?;
                }
            } else {
                tx.log_row("resolve_conflict", &case_id, t, &record_id, Some(detail))?;
            }
            tx.conn().execute(
                "UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1",
                params![conflict_id, tx.now(), if take_incoming { "incoming" } else { "local" }],
            )?;
            Ok(())
        })
    }
}
