//! Writing a case as a signed BagIt bag. The bag is built under a temporary name beside the
//! destination and renamed into place only when complete and synced, so a failed or cancelled
//! export leaves nothing at the destination. Originals stream from the vault through a hash
//! check, in constant memory. A ZIP may be encrypted with age to its receivers as it is written
//! (`sealed.rs`): no plaintext of it ever reaches the disk.

use super::{
    extension, report, BundleSource, CaseDocument, ExportProfile, FileRef, BAGIT_PROFILE, KEY_FILE,
    SCHEMA, SCHEMA_VERSION, SIGNATURE_FILE,
};
use crate::error::{Error, Result};
use crate::records;
use crate::store::custody::{self, CustodyEntry};
use crate::store::library::Library;
use crate::store::{self, Table};
use base64::Engine;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub profile: ExportProfile,
    /// A ZIP of the bag instead of a directory.
    pub zip: bool,
    /// The language of `data/report.html` (the exporting investigator's).
    pub language: super::ReportLanguage,
}

impl ExportOptions {
    /// Options with the report in English.
    pub fn new(profile: ExportProfile, zip: bool) -> ExportOptions {
        ExportOptions {
            profile,
            zip,
            language: super::ReportLanguage::En,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub path: PathBuf,
    pub profile: ExportProfile,
    pub payload_files: usize,
    pub payload_bytes: u64,
    pub originals: usize,
    pub tagmanifest_sha256: String,
    pub fingerprint: String,
    /// What the bundle carries and what it withholds, for the person handing it over.
    pub summary: ExportSummary,
    /// The age public keys the bundle file is encrypted to (none: not encrypted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encrypted_for: Vec<String>,
}

/// What a bundle carries and withholds, counted as it was made.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportSummary {
    pub identities_included: usize,
    pub identities_withheld: usize,
    pub statements_included: usize,
    /// Left out for want of consent (publication, for a public bundle).
    pub statements_withheld: usize,
    pub statement_versions_included: bool,
    pub deleted_records_included: bool,
    pub originals_included: usize,
    /// Copies with their metadata (GPS, camera, owner) removed, in place of the originals.
    pub copies_without_metadata: usize,
    pub originals_withheld: usize,
    /// "exact", or "coarsened" (about a kilometre; sensitive items: none).
    pub locations: String,
    pub custody_log_included: bool,
    /// Whether the investigator's name and organisation are in the bundle.
    pub investigator_named: bool,
}

fn rows(
    conn: &Connection,
    t: &Table,
    where_sql: &str,
    arg: &str,
) -> Result<Vec<Map<String, Value>>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT * FROM {} WHERE {where_sql} ORDER BY rowid",
        t.name
    ))?;
    let mut q = stmt.query([arg])?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        out.push(store::row_map(t, r)?);
    }
    Ok(out)
}

const VERSIONS: Table = Table {
    name: "statement_versions",
    record_type: "statement_version",
    label: "statement_id",
    json: &["changed"],
    bools: &[],
};

/// Reads every record of a case, as stored.
pub(crate) fn collect(lib: &Library, case_id: &str, profile: ExportProfile) -> Result<Collected> {
    let c = lib.conn();
    let case = rows(c, &records::CASES, "id = ?1", case_id)?
        .pop()
        .ok_or_else(|| Error::NotFound {
            kind: "case",
            id: case_id.into(),
        })?;
    let by_case = "case_id = ?1";
    let info = lib.info()?;
    let mut doc = CaseDocument {
        schema: SCHEMA.into(),
        schema_version: SCHEMA_VERSION,
        profile,
        exported_at: lib.now(),
        source: BundleSource {
            organisation: info
                .profile
                .as_ref()
                .map(|p| p.organisation.clone())
                .unwrap_or_default(),
            contact: info
                .profile
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            fingerprint: info.key.fingerprint.clone(),
            casefile_version: crate::VERSION.into(),
        },
        origin_key: if profile == ExportProfile::Public {
            None
        } else {
            crate::records::trust::origin(c, case_id)?
        },
        case,
        incidents: rows(c, &records::INCIDENTS, by_case, case_id)?,
        persons: rows(c, &records::PERSONS, by_case, case_id)?,
        identities: rows(
            c,
            &records::IDENTITIES,
            "id IN (SELECT id FROM persons WHERE case_id = ?1)",
            case_id,
        )?,
        units: rows(c, &records::UNITS, by_case, case_id)?,
        acts: rows(c, &records::ACTS, by_case, case_id)?,
        involvements: rows(c, &records::INVOLVEMENTS, by_case, case_id)?,
        statements: rows(c, &records::STATEMENTS, by_case, case_id)?,
        statement_versions: rows(
            c,
            &VERSIONS,
            "statement_id IN (SELECT id FROM statements WHERE case_id = ?1)",
            case_id,
        )?,
        consents: rows(c, &records::CONSENTS, by_case, case_id)?,
        links: rows(c, &records::LINKS, by_case, case_id)?,
        evidence: rows(c, &records::EVIDENCE, by_case, case_id)?,
        terms: lib
            .terms(None)?
            .into_iter()
            .filter(|t| !t.builtin)
            .collect(),
        files: vec![],
        withheld_files: vec![],
    };
    let (identities_before, statements_before) = (doc.identities.len(), doc.statements.len());
    apply_profile(&mut doc);
    let public = profile == ExportProfile::Public;
    if public {
        // The investigator is not named in what is published.
        doc.source.organisation.clear();
        doc.source.contact.clear();
    }
    let mut seen = BTreeSet::new();
    let mut to_derive = Vec::new();
    for e in &doc.evidence {
        let sha = e
            .get("sha256")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let withheld = public
            && e.get("location_sensitive")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        if withheld {
            if !doc.withheld_files.contains(&sha) {
                doc.withheld_files.push(sha);
            }
            continue;
        }
        if seen.insert(sha.clone()) {
            let mt = e
                .get("media_type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let size = e.get("size").and_then(Value::as_u64).unwrap_or(0);
            if public {
                // Published originals would carry their EXIF GPS, camera and owner: a copy
                // without them is made when the bundle is written, or the original withheld.
                to_derive.push(ToDerive {
                    sha256: sha,
                    media_type: mt,
                });
            } else {
                doc.files.push(FileRef {
                    path: format!("originals/{sha}.{}", extension(&mt)),
                    size,
                    sha256: sha,
                    derived_from: None,
                });
            }
        }
    }
    // A withheld original that another (non-sensitive) item also uses is still withheld.
    doc.files
        .retain(|f| !doc.withheld_files.contains(&f.sha256));
    to_derive.retain(|d| !doc.withheld_files.contains(&d.sha256));
    let summary = ExportSummary {
        identities_included: doc.identities.len(),
        identities_withheld: identities_before - doc.identities.len(),
        statements_included: doc.statements.len(),
        statements_withheld: statements_before.saturating_sub(doc.statements.len()),
        statement_versions_included: !doc.statement_versions.is_empty() || !public,
        deleted_records_included: !public,
        originals_included: doc.files.len(),
        copies_without_metadata: 0,
        originals_withheld: doc.withheld_files.len(),
        locations: if public {
            "coarsened".into()
        } else {
            "exact".into()
        },
        custody_log_included: !public,
        investigator_named: !public,
    };
    Ok(Collected {
        doc,
        to_derive,
        summary,
    })
}

/// An original a public bundle carries only as a copy without its metadata.
#[derive(Debug, Clone)]
pub(crate) struct ToDerive {
    sha256: String,
    media_type: String,
}

/// A case read for export, before its public copies are made.
pub(crate) struct Collected {
    pub doc: CaseDocument,
    to_derive: Vec<ToDerive>,
    summary: ExportSummary,
}

/// How finely a public bundle gives a place: two decimals of a degree (about a kilometre), the
/// scale of a settlement's quarter, never a building.
const PUBLIC_DECIMALS: i32 = 2;

fn coarsen(v: &Value) -> Value {
    match v.as_f64() {
        Some(f) => {
            let k = 10f64.powi(PUBLIC_DECIMALS);
            Value::from((f * k).round() / k)
        }
        None => Value::Null,
    }
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// Leaves out what the profile must not carry. Tested field by field in tests/bundle.rs.
fn apply_profile(doc: &mut CaseDocument) {
    match doc.profile {
        ExportProfile::Full => {}
        ExportProfile::Prosecutor => {
            // Identities only of witnesses with a live prosecution consent on one of their statements.
            let consenting: BTreeSet<String> = doc
                .statements
                .iter()
                .filter(|st| {
                    doc.consents.iter().any(|c| {
                        s(c, "statement_id") == s(st, "id")
                            && s(c, "purpose") == "prosecution"
                            && c.get("granted").and_then(Value::as_bool).unwrap_or(false)
                            && c.get("withdrawn_on").is_none_or(Value::is_null)
                    })
                })
                .map(|st| s(st, "witness_id").to_string())
                .collect();
            doc.identities.retain(|i| consenting.contains(s(i, "id")));
        }
        ExportProfile::Public => {
            // What was deleted (say, a photo that showed a witness's face) is not published.
            let live = |m: &Map<String, Value>| m.get("deleted_at").is_none_or(Value::is_null);
            doc.incidents.retain(live);
            doc.persons.retain(live);
            doc.units.retain(live);
            doc.acts.retain(live);
            doc.involvements.retain(live);
            doc.statements.retain(live);
            doc.links.retain(live);
            doc.evidence.retain(live);
            doc.identities.clear();
            let published: BTreeSet<String> = doc
                .consents
                .iter()
                .filter(|c| {
                    s(c, "purpose") == "publication"
                        && c.get("granted").and_then(Value::as_bool).unwrap_or(false)
                        && c.get("withdrawn_on").is_none_or(Value::is_null)
                })
                .map(|c| s(c, "statement_id").to_string())
                .collect();
            doc.statements.retain(|st| published.contains(s(st, "id")));
            let kept: BTreeSet<String> = doc
                .statements
                .iter()
                .map(|st| s(st, "id").to_string())
                .collect();
            doc.statement_versions.clear();
            doc.consents.retain(|c| kept.contains(s(c, "statement_id")));
            for st in &mut doc.statements {
                for f in [
                    "interviewer",
                    "interpreter",
                    "others_present",
                    "interview_place",
                ] {
                    st.insert(f.into(), Value::String(String::new()));
                }
            }
            for p in &mut doc.persons {
                for f in ["description", "gender", "age_group"] {
                    p.insert(f.into(), Value::String(String::new()));
                }
            }
            for i in &mut doc.incidents {
                // A place to the settlement (about a kilometre), never the building or flat.
                for k in ["latitude", "longitude"] {
                    let v = i.get(k).map(coarsen).unwrap_or(Value::Null);
                    i.insert(k.into(), v);
                }
                if matches!(s(i, "location_precision"), "exact" | "vicinity") {
                    i.insert(
                        "location_precision".into(),
                        Value::String("locality".into()),
                    );
                }
                i.insert("place_name".into(), Value::String(String::new()));
            }
            for e in &mut doc.evidence {
                // Where a photo was taken, and with which camera, to the metre and the serial.
                for k in ["latitude", "longitude"] {
                    let v = e.get(k).map(coarsen).unwrap_or(Value::Null);
                    e.insert(k.into(), v);
                }
                if let Some(Value::Object(m)) = e.get_mut("metadata") {
                    for k in [
                        "gps_latitude",
                        "gps_longitude",
                        "gps_altitude",
                        "gps_time",
                        "make",
                        "model",
                        "clock_gps_disagreement",
                    ] {
                        m.insert(k.into(), Value::Null);
                    }
                    m.insert("clock_gps_mismatch".into(), Value::Bool(false));
                }
                // Who collected it and from whom can endanger staff and sources.
                for f in [
                    "source_path",
                    "collected_by",
                    "source_description",
                    "acquisition_notes",
                    "verification_notes",
                ] {
                    e.insert(f.into(), Value::String(String::new()));
                }
                // Folder names on the investigator's machine can say too much: the file name only.
                let name = e
                    .get("original_name")
                    .cloned()
                    .unwrap_or(Value::String(String::new()));
                e.insert("relative_path".into(), name);
                if e.get("location_sensitive")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                {
                    e.insert("latitude".into(), Value::Null);
                    e.insert("longitude".into(), Value::Null);
                    if let Some(Value::Object(m)) = e.get_mut("metadata") {
                        for k in [
                            "gps_latitude",
                            "gps_longitude",
                            "gps_altitude",
                            "gps_time",
                            "clock_gps_disagreement",
                        ] {
                            m.insert(k.into(), Value::Null);
                        }
                    }
                }
            }
            // Links may only join records that are in the bundle.
            let mut present: BTreeSet<String> = kept;
            for list in [
                &doc.incidents,
                &doc.persons,
                &doc.units,
                &doc.acts,
                &doc.evidence,
            ] {
                present.extend(list.iter().map(|r| s(r, "id").to_string()));
            }
            doc.links
                .retain(|l| present.contains(s(l, "from_id")) && present.contains(s(l, "to_id")));
        }
    }
}

/// The case's custody entries in the order of its own chain.
pub(crate) fn case_custody(conn: &Connection, case_id: &str) -> Result<Vec<CustodyEntry>> {
    let mut stmt = conn.prepare(
        "SELECT * FROM custody_log WHERE case_id = ?1 AND case_seq IS NOT NULL ORDER BY case_seq",
    )?;
    let rows = stmt.query_map([case_id], custody::from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Hashes what passes through it.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
    hash: bool,
}

impl<W: Write> HashingWriter<W> {
    /// (SHA-256 of what was written, or "" when not hashing; bytes written).
    fn digest(self) -> (String, u64) {
        let hash = if self.hash {
            hex::encode(self.hasher.finalize())
        } else {
            String::new()
        };
        (hash, self.bytes)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if self.hash {
            self.hasher.update(&buf[..n]);
        }
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Where the bag's files go: a directory or a ZIP, both under a temporary name.
enum Sink {
    Dir {
        root: PathBuf,
        written: Vec<PathBuf>,
    },
    Zip {
        zip: Box<zip::ZipWriter<Guarded<BufWriter<File>>>>,
        root: String,
        path: PathBuf,
        stop: std::sync::Arc<AtomicBool>,
    },
    /// A ZIP written front to back into an age stream to the bundle's recipients.
    Sealed {
        zip: Box<super::zipstream::StreamZip<age::stream::StreamWriter<BufWriter<File>>>>,
        root: String,
    },
}

fn zip_err(path: &Path, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(e) => Error::io(path, e),
        other => Error::io(path, std::io::Error::other(other)),
    }
}

/// A seekable writer that, after its first error (a full disk), stops touching the file and
/// only pretends: the `zip` crate finishes its archive on drop, and must neither write more nor
/// print to stderr when the export has already failed.
struct Guarded<W> {
    inner: W,
    failed: std::sync::Arc<AtomicBool>,
    pos: u64,
    end: u64,
}

impl<W: Write + Seek> Guarded<W> {
    fn new(inner: W, failed: std::sync::Arc<AtomicBool>) -> Self {
        Guarded {
            inner,
            failed,
            pos: 0,
            end: 0,
        }
    }
    fn stopped(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }
    fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if r.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        r
    }
}

impl<W: Write + Seek> Write for Guarded<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if self.stopped() {
            buf.len()
        } else {
            let r = self.inner.write(buf);
            self.note(r)?
        };
        self.pos += n as u64;
        self.end = self.end.max(self.pos);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.stopped() {
            return Ok(());
        }
        let r = self.inner.flush();
        self.note(r)
    }
}

impl<W: Write + Seek> Seek for Guarded<W> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        if self.stopped() {
            self.pos = match to {
                SeekFrom::Start(n) => n,
                SeekFrom::End(d) => self.end.saturating_add_signed(d),
                SeekFrom::Current(d) => self.pos.saturating_add_signed(d),
            };
            return Ok(self.pos);
        }
        let r = self.inner.seek(to);
        self.pos = self.note(r)?;
        Ok(self.pos)
    }
}

impl Sink {
    /// Writes one file of the bag; returns (sha256, bytes).
    fn add(
        &mut self,
        rel: &str,
        size_hint: u64,
        body: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<(String, u64)> {
        self.add_with(rel, size_hint, true, body)
    }

    /// Writes one file; with `hash` false the caller vouches for its digest (an original, which
    /// the vault re-hashes as it streams), so it is not hashed a second time.
    fn add_with(
        &mut self,
        rel: &str,
        size_hint: u64,
        hash: bool,
        body: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<(String, u64)> {
        match self {
            Sink::Dir { root, written } => {
                let p = root.join(rel);
                if let Some(d) = p.parent() {
                    crate::fsutil::private_dir(d)?;
                }
                let f = crate::fsutil::private_file(&p)?;
                let mut w = HashingWriter {
                    inner: BufWriter::with_capacity(1 << 20, f),
                    hasher: Sha256::new(),
                    bytes: 0,
                    hash,
                };
                body(&mut w)?;
                w.flush().map_err(|e| Error::io(&p, e))?;
                written.push(p);
                Ok(w.digest())
            }
            Sink::Zip {
                zip, root, path, ..
            } => {
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored)
                    .large_file(size_hint >= u32::MAX as u64)
                    .unix_permissions(0o600);
                zip.start_file(format!("{root}/{rel}"), opts)
                    .map_err(|e| zip_err(path, e))?;
                let mut w = HashingWriter {
                    inner: &mut *zip,
                    hasher: Sha256::new(),
                    bytes: 0,
                    hash,
                };
                body(&mut w)?;
                Ok(w.digest())
            }
            Sink::Sealed { zip, root } => {
                zip.start_file(&format!("{root}/{rel}"), size_hint)
                    .map_err(io_w)?;
                let mut w = HashingWriter {
                    inner: &mut **zip,
                    hasher: Sha256::new(),
                    bytes: 0,
                    hash,
                };
                body(&mut w)?;
                Ok(w.digest())
            }
        }
    }

    /// Syncs everything to disk.
    fn finish(self) -> Result<()> {
        match self {
            Sink::Dir { root, written } => {
                let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
                for p in &written {
                    File::open(p)
                        .and_then(|f| f.sync_all())
                        .map_err(|e| Error::io(p, e))?;
                    if let Some(d) = p.parent() {
                        dirs.insert(d.to_path_buf());
                    }
                }
                dirs.insert(root.clone());
                for d in dirs {
                    File::open(&d)
                        .and_then(|f| f.sync_all())
                        .map_err(|e| Error::io(&d, e))?;
                }
                Ok(())
            }
            Sink::Zip { zip, path, .. } => {
                let w = zip.finish().map_err(|e| zip_err(&path, e))?;
                if w.stopped() {
                    return Err(Error::io(
                        &path,
                        std::io::Error::other("the bundle could not be written"),
                    ));
                }
                let f = w
                    .inner
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                f.sync_all().map_err(|e| Error::io(&path, e))
            }
            Sink::Sealed { zip, .. } => {
                // The ZIP's directory, then age's last chunk, then the file.
                let f = zip
                    .finish()
                    .and_then(|age| age.finish())
                    .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
                    .map_err(io_w)?;
                f.sync_all().map_err(io_w)
            }
        }
    }

    /// Stops writing after a failure: nothing more reaches the file.
    fn abandon(&mut self) {
        if let Sink::Zip { stop, .. } = self {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

fn io_w(e: std::io::Error) -> Error {
    Error::io("bundle", e)
}

/// A case read out of the library, ready to be written without it: the records, the case's
/// custody log, the vault to read originals from and the key to sign with.
pub struct PreparedExport {
    case_id: String,
    out: PathBuf,
    opts: ExportOptions,
    doc: CaseDocument,
    to_derive: Vec<ToDerive>,
    summary: ExportSummary,
    custody: Vec<CustodyEntry>,
    vault: crate::store::vault::Vault,
    signer: crate::store::keys::Signer,
    /// Where this library notes exports in progress.
    pending_dir: PathBuf,
    /// Who an encrypted bundle is for.
    recipients: Option<super::Recipients>,
}

impl PreparedExport {
    /// Makes the bundle an age file encrypted to `recipients` (only they can read it). Only a
    /// ZIP bundle can be encrypted.
    pub fn encrypt_to(&mut self, recipients: super::Recipients) -> Result<()> {
        if !self.opts.zip {
            return Err(Error::invalid(
                "zip",
                "only a ZIP bundle can be encrypted: export it as a ZIP",
            ));
        }
        self.recipients = Some(recipients);
        Ok(())
    }
}

/// Reads what an export needs from the library (quick), checking the destination first.
pub fn prepare_export(
    lib: &Library,
    case_id: &str,
    out: &Path,
    opts: &ExportOptions,
) -> Result<PreparedExport> {
    if out.exists() {
        return Err(Error::invalid(
            "out",
            format!("{} already exists; choose a new name", out.display()),
        ));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::invalid(
            "out",
            format!("the folder {} does not exist", parent.display()),
        ));
    }
    let Collected {
        doc,
        to_derive,
        summary,
    } = collect(lib, case_id, opts.profile)?;
    let custody = if opts.profile == ExportProfile::Public {
        vec![]
    } else {
        case_custody(lib.conn(), case_id)?
    };
    Ok(PreparedExport {
        case_id: case_id.to_string(),
        out: out.to_path_buf(),
        opts: opts.clone(),
        doc,
        to_derive,
        summary,
        custody,
        vault: lib.vault().clone(),
        signer: lib.signer()?,
        pending_dir: lib.dir().join(PENDING_DIR),
        recipients: None,
    })
}

/// Writes the bag (the long part: streaming originals), needing no library. Nothing appears at
/// the destination unless the whole bag was written and synced.
pub fn write_export(
    p: &PreparedExport,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ExportReport> {
    let kept = "nothing was written at the destination (the partial bundle was removed)";
    write_export_inner(p, cancel, progress).map_err(|e| e.kept(kept))
}

/// Makes the metadata-free copies a public bundle carries in place of its originals, in the
/// vault's temp area: each is named by its own hash, so it must exist before `case.json` names
/// it. An original that cannot be cleaned (a video, a damaged photo) is withheld instead.
/// Copies for a public bundle: (name in the bag, temp file) each.
type Copies = Vec<(String, PathBuf)>;
/// What a bag holds: (path in the bag, SHA-256, bytes) each.
type Payload = Vec<(String, String, u64)>;

fn make_copies(
    p: &PreparedExport,
    cancel: &AtomicBool,
) -> Result<(CaseDocument, Copies, ExportSummary)> {
    let mut doc = p.doc.clone();
    let mut summary = p.summary.clone();
    let mut copies: Vec<(String, PathBuf)> = Vec::new();
    let result = (|| -> Result<()> {
        for d in &p.to_derive {
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::invalid(
                    "cancel",
                    "the export was cancelled; nothing was written at the destination",
                ));
            }
            let (temp, file) = p.vault.temp_file()?;
            copies.push((String::new(), temp.clone()));
            let mut w = HashingWriter {
                inner: BufWriter::with_capacity(1 << 20, file),
                hasher: Sha256::new(),
                bytes: 0,
                hash: true,
            };
            let mut original = p.vault.open_original(&d.sha256)?;
            match casefile_media::strip_metadata(&d.media_type, &mut original, &mut w) {
                Ok(_) => {
                    w.flush().map_err(|e| Error::io(&temp, e))?;
                    let sha = hex::encode(w.hasher.clone().finalize());
                    // The last sealed chunk is written only now.
                    w.inner
                        .into_inner()
                        .map_err(|e| Error::io(&temp, e.into_error()))?
                        .finish()
                        .map_err(|e| Error::io(&temp, e))?;
                    let rel = format!("derived/{sha}.{}", extension(&d.media_type));
                    if let Some(last) = copies.last_mut() {
                        last.0 = format!("data/{rel}");
                    }
                    doc.files.push(FileRef {
                        sha256: sha,
                        path: rel,
                        size: w.bytes,
                        derived_from: Some(d.sha256.clone()),
                    });
                    summary.copies_without_metadata += 1;
                }
                Err(e) if matches!(e.code(), "media_unsupported" | "media_undecodable") => {
                    doc.withheld_files.push(d.sha256.clone());
                    summary.originals_withheld += 1;
                }
                Err(e) if e.code() == "media_unwritable" => {
                    return Err(Error::io(&temp, std::io::Error::other(e.to_string())))
                }
                Err(e) => {
                    return Err(Error::Corrupt(format!(
                        "the original {} could not be read: {e}",
                        d.sha256
                    )))
                }
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => {
            copies.retain(|(rel, _)| !rel.is_empty());
            Ok((doc, copies, summary))
        }
        Err(e) => {
            for (_, t) in &copies {
                let _ = fs::remove_file(t);
            }
            Err(e)
        }
    }
}

fn write_export_inner(
    p: &PreparedExport,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ExportReport> {
    let (doc, copies, summary) = make_copies(p, cancel)?;
    let r = write_export_with(p, &doc, &copies, summary, cancel, progress);
    for (_, t) in &copies {
        let _ = fs::remove_file(t);
    }
    r
}

fn write_export_with(
    p: &PreparedExport,
    doc: &CaseDocument,
    copies: &[(String, PathBuf)],
    summary: ExportSummary,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ExportReport> {
    let (out, opts) = (&p.out, &p.opts);
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let base = name.strip_suffix(".age").unwrap_or(&name);
    let root_name = base.strip_suffix(".zip").unwrap_or(base).to_string();
    clean_partials_in(parent);
    let id = crate::new_id();
    let partial = parent.join(format!(".{name}{PARTIAL}{id}"));
    // A marker in the library names the partial bundle, so that one abandoned by a crash or a
    // kill is removed when the library is next opened.
    let marker = p.pending_dir.join(&id);
    crate::fsutil::private_dir(&p.pending_dir)?;
    fs::write(&marker, partial.to_string_lossy().as_bytes()).map_err(|e| Error::io(&marker, e))?;
    let done = |r: Result<ExportReport>| {
        let _ = fs::remove_file(&marker);
        r
    };
    // The partial is locked while it is written, so a cleanup elsewhere leaves it alone.
    let (mut sink, _held) = if let Some(r) = &p.recipients {
        let f = crate::fsutil::private_new_file(&partial)?;
        let held = f.try_clone().ok().filter(|h| h.try_lock().is_ok());
        let age = match r.wrap(BufWriter::with_capacity(1 << 20, f)) {
            Ok(w) => w,
            Err(e) => {
                let _ = fs::remove_file(&partial);
                return done(Err(Error::io(&partial, e)));
            }
        };
        (
            Sink::Sealed {
                zip: Box::new(super::zipstream::StreamZip::new(age)),
                root: root_name.clone(),
            },
            held,
        )
    } else if opts.zip {
        let f = crate::fsutil::private_new_file(&partial)?;
        let held = f.try_clone().ok().filter(|h| h.try_lock().is_ok());
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let w = Guarded::new(BufWriter::with_capacity(1 << 20, f), stop.clone());
        (
            Sink::Zip {
                zip: Box::new(zip::ZipWriter::new(w)),
                root: root_name.clone(),
                path: partial.clone(),
                stop,
            },
            held,
        )
    } else {
        crate::fsutil::private_dir(&partial)?;
        let held = File::open(&partial).ok().filter(|h| h.try_lock().is_ok());
        (
            Sink::Dir {
                root: partial.clone(),
                written: vec![],
            },
            held,
        )
    };
    let result = write_bag(p, doc, copies, &mut sink, cancel, progress);
    let result = match result {
        Ok(r) => sink.finish().map(|_| r),
        Err(e) => {
            sink.abandon();
            drop(sink);
            Err(e)
        }
    };
    let remove_partial = || {
        let _ = if opts.zip {
            fs::remove_file(&partial)
        } else {
            fs::remove_dir_all(&partial)
        };
    };
    let (payload, tag_sha) = match result {
        Ok(r) => r,
        Err(e) => {
            remove_partial();
            return done(Err(e));
        }
    };
    if out.exists() {
        remove_partial();
        return done(Err(Error::invalid(
            "out",
            format!(
                "{} appeared while exporting; nothing was overwritten",
                out.display()
            ),
        )));
    }
    if let Err(e) = fs::rename(&partial, out) {
        remove_partial();
        return done(Err(Error::io(out, e)));
    }
    let synced = File::open(parent)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(parent, e));
    tracing::info!(
        profile = opts.profile.as_str(),
        files = payload.len(),
        bytes = payload.iter().map(|(_, _, n)| n).sum::<u64>(),
        "export written"
    );
    done(synced.map(|_| {
        ExportReport {
            path: out.to_path_buf(),
            profile: opts.profile,
            payload_files: payload.len(),
            payload_bytes: payload.iter().map(|(_, _, n)| n).sum(),
            originals: doc.files.len(),
            tagmanifest_sha256: tag_sha,
            fingerprint: p.signer.fingerprint(),
            summary,
            encrypted_for: p
                .recipients
                .as_ref()
                .map(super::Recipients::keys)
                .unwrap_or_default(),
        }
    }))
}

/// What a partial bundle's name holds between the bundle's name and a random id.
const PARTIAL: &str = ".partial-";
/// The library folder that names exports in progress.
const PENDING_DIR: &str = "exports-pending";

/// Whether `path` is named as a partial bundle is (`.NAME.partial-ID`).
fn is_partial_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.contains(PARTIAL))
}

/// Removes a partial bundle nobody is writing (its lock can be taken).
fn remove_if_abandoned(path: &Path) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    if !is_partial_name(path) || meta.file_type().is_symlink() {
        return;
    }
    let Ok(f) = File::open(path) else { return };
    if f.try_lock().is_err() {
        return;
    }
    let _ = if meta.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
}

/// Removes partial bundles that earlier exports to this folder abandoned (killed, or the power
/// cut); one still being written is locked and left alone.
fn clean_partials_in(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for e in entries.flatten() {
        if is_partial_name(&e.path()) {
            remove_if_abandoned(&e.path());
        }
    }
}

/// Removes the partial bundles that exports from this library abandoned, wherever they were
/// being written (called when the library is opened, holding its lock).
pub fn clean_abandoned_exports(library_dir: &Path) {
    let pending = library_dir.join(PENDING_DIR);
    let Ok(entries) = fs::read_dir(&pending) else {
        return;
    };
    for e in entries.flatten() {
        if let Ok(target) = fs::read_to_string(e.path()) {
            remove_if_abandoned(Path::new(target.trim_end()));
        }
        let _ = fs::remove_file(e.path());
    }
}

impl Library {
    /// Records a finished export in the case's custody log.
    pub fn record_export(&mut self, case_id: &str, r: &ExportReport) -> Result<()> {
        let name = r
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut detail = serde_json::json!({ "profile": r.profile, "bundle": name, "tagmanifest_sha256": r.tagmanifest_sha256, "originals": r.originals });
        if !r.encrypted_for.is_empty() {
            detail["encrypted_for"] = serde_json::json!(r.encrypted_for);
        }
        self.write(|tx| {
            tx.log_row("export", case_id, &records::CASES, case_id, Some(detail))?;
            Ok(())
        })
    }
}

/// Exports a case to `out` (a directory, or a `.zip` file with `opts.zip`). Refuses to overwrite.
pub fn export_case(
    lib: &mut Library,
    case_id: &str,
    out: &Path,
    opts: &ExportOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ExportReport> {
    let p = prepare_export(lib, case_id, out, opts)?;
    let r = write_export(&p, cancel, progress)?;
    lib.record_export(&p.case_id, &r)?;
    Ok(r)
}

/// Writes payload, tag files and signature; returns the payload (path, sha, bytes) and the
/// tag manifest's own hash.
fn write_bag(
    p: &PreparedExport,
    doc: &CaseDocument,
    copies: &[(String, PathBuf)],
    sink: &mut Sink,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Payload, String)> {
    let custody = &p.custody;
    let mut payload: Payload = Vec::new();
    let case_json = serde_json::to_vec_pretty(doc).map_err(|e| Error::Corrupt(e.to_string()))?;
    let put_bytes = |sink: &mut Sink, rel: &str, bytes: &[u8]| -> Result<(String, u64)> {
        sink.add(rel, bytes.len() as u64, &mut |w| {
            w.write_all(bytes).map_err(io_w)
        })
    };
    let (h, n) = put_bytes(sink, "data/case.json", &case_json)?;
    payload.push(("data/case.json".into(), h, n));
    if doc.profile != ExportProfile::Public {
        let mut jsonl = Vec::new();
        for e in custody {
            serde_json::to_writer(&mut jsonl, e).map_err(|e| Error::Corrupt(e.to_string()))?;
            jsonl.push(b'\n');
        }
        let (h, n) = put_bytes(sink, "data/custody.jsonl", &jsonl)?;
        payload.push(("data/custody.jsonl".into(), h, n));
    }
    let html = report::render(doc, p.opts.language);
    let (h, n) = put_bytes(sink, "data/report.html", html.as_bytes())?;
    payload.push(("data/report.html".into(), h, n));

    let total: u64 = doc.files.iter().map(|f| f.size).sum();
    let mut done = 0u64;
    progress(done, total);
    for f in &doc.files {
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::invalid(
                "cancel",
                "the export was cancelled; nothing was written at the destination",
            ));
        }
        let rel = format!("data/{}", f.path);
        let vault = &p.vault;
        let n = if let Some((_, temp)) = copies.iter().find(|(r, _)| *r == rel) {
            // A copy made for this bundle: hashed again on its way in.
            let (h, n) = sink.add(&rel, f.size, &mut |w| {
                let mut t = vault.open_temp(temp)?;
                std::io::copy(&mut t, w)
                    .map(|_| ())
                    .map_err(|e| Error::io(temp, e))
            })?;
            if h != f.sha256 {
                return Err(Error::Corrupt(format!(
                    "the copy {rel} changed while the bundle was written"
                )));
            }
            n
        } else {
            // The vault re-hashes the original as it streams and fails on any difference, so
            // the recorded hash is the file's manifest entry.
            sink.add_with(&rel, f.size, false, &mut |w| {
                vault.copy_original_verified(&f.sha256, w).map(|_| ())
            })?
            .1
        };
        done += n;
        progress(done, total);
        payload.push((rel, f.sha256.clone(), n));
    }

    let oxum = format!(
        "{}.{}",
        payload.iter().map(|p| p.2).sum::<u64>(),
        payload.len()
    );
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
    let case = &doc.case;
    let fingerprint = p.signer.fingerprint();
    let one_line = |v: &str| v.replace(['\r', '\n'], " ");
    // A public bundle names no one: the signing key's fingerprint is its only source.
    let who = if doc.profile == ExportProfile::Public {
        String::new()
    } else {
        format!(
            "Source-Organization: {}\nContact-Name: {}\n",
            one_line(if doc.source.organisation.is_empty() {
                "(not set)"
            } else {
                &doc.source.organisation
            }),
            one_line(if doc.source.contact.is_empty() {
                "(not set)"
            } else {
                &doc.source.contact
            }),
        )
    };
    let bag_info = format!(
        "{who}External-Identifier: {}\nExternal-Description: {}\nBagging-Date: {}\nPayload-Oxum: {oxum}\nBag-Software-Agent: Casefile {}\nBagIt-Profile-Identifier: {BAGIT_PROFILE}\nCasefile-Export-Profile: {}\nCasefile-Signing-Key-Fingerprint: {}\n",
        one_line(case.get("reference").and_then(Value::as_str).unwrap_or(case.get("id").and_then(Value::as_str).unwrap_or(""))),
        one_line(case.get("title").and_then(Value::as_str).unwrap_or("")),
        &doc.exported_at[..10],
        crate::VERSION,
        doc.profile.as_str(),
        fingerprint,
    );
    let manifest: String = payload
        .iter()
        .map(|(p, h, _)| format!("{h}  {p}\n"))
        .collect();
    let mut tags = Vec::new();
    for (rel, text) in [
        ("bagit.txt", bagit.to_string()),
        ("bag-info.txt", bag_info),
        ("manifest-sha256.txt", manifest),
    ] {
        let (h, _) = put_bytes(sink, rel, text.as_bytes())?;
        tags.push(format!("{h}  {rel}\n"));
    }
    let tagmanifest: String = tags.concat();
    put_bytes(sink, "tagmanifest-sha256.txt", tagmanifest.as_bytes())?;
    let (signature, public) = p.signer.sign(tagmanifest.as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD;
    put_bytes(
        sink,
        SIGNATURE_FILE,
        format!("{}\n", b64.encode(signature)).as_bytes(),
    )?;
    put_bytes(
        sink,
        KEY_FILE,
        format!(
            "{}\nfingerprint: {}\n",
            b64.encode(public),
            crate::store::keys::fingerprint(&public)
        )
        .as_bytes(),
    )?;
    Ok((
        payload,
        crate::store::custody::sha256_hex(tagmanifest.as_bytes()),
    ))
}
