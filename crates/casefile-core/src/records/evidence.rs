//! Evidence items: original files brought into a case, kept bit for bit in the vault, hashed at
//! intake, with what their metadata says and how they were acquired; and the derived analysis of
//! each distinct file (thumbnail, perceptual hash) used to show them and find near-duplicates.
//!
//! Intake is split so that the slow part needs no database: [`run_ingest`] stages files in the
//! vault (read once: hash + copy) and reads their metadata, and hands each batch to a `record`
//! callback, normally [`Library::record_batch`], which makes the batch's files durable and then
//! records every item with its custody entry in one transaction. The desktop app holds the
//! library lock only for that callback.

use crate::error::{Error, ErrorDto, Result};
use crate::records::{self, lookalike, EVIDENCE};
use crate::store::library::Library;
use crate::store::vault::{StageError, Staged, Vault};
use crate::{store, validate};
use casefile_media::{Kind, Metadata};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// How an item came to the investigator.
pub const METHODS: &[&str] = &["own_capture", "received", "downloaded", "other"];
pub const VERIFICATION: &[&str] = &[
    "unverified",
    "in_progress",
    "verified",
    "disputed",
    "unverifiable",
];
/// A batch is recorded after this many files or bytes, whichever comes first.
pub const BATCH_FILES: usize = 32;
pub const BATCH_BYTES: u64 = 256 << 20;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub id: String,
    pub case_id: String,
    pub sha256: String,
    pub size: i64,
    pub original_name: String,
    /// Path relative to the folder that was imported (the file name for a single file).
    pub relative_path: String,
    pub source_path: String,
    /// Sniffed from the content, not the file name.
    pub media_type: String,
    pub kind: String,
    pub file_modified: Option<String>,
    pub metadata: Metadata,
    pub capture_time: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub collected_by: String,
    pub collected_at: String,
    pub method: String,
    pub source_url: String,
    pub source_description: String,
    pub acquisition_notes: String,
    pub description: String,
    pub graphic: bool,
    pub verification_status: String,
    pub verification_notes: String,
    pub derived_from: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
    /// The place it shows must not be published (left out of `public` exports).
    #[serde(default)]
    pub location_sensitive: Option<bool>,
    /// The raw bytes (hex) of `original_name` as the file system gave them, only when they are
    /// not UTF-8; the text field then has each bad byte written `\xFF` (see [`os_text`]).
    #[serde(default)]
    pub original_name_raw: Option<String>,
    /// The same for `relative_path`.
    #[serde(default)]
    pub relative_path_raw: Option<String>,
    /// The same for `source_path`.
    #[serde(default)]
    pub source_path_raw: Option<String>,
}

/// Who collected an item, when, how and from where.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Acquisition {
    pub collected_by: String,
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
    pub collected_at: String,
    /// own_capture, received, downloaded or other.
    pub method: String,
    /// Required when downloaded.
    pub source_url: String,
    pub source_description: String,
    pub notes: String,
}

impl Acquisition {
    fn checked(&self) -> Result<Acquisition> {
        let method = self.method.trim().to_string();
        if !method.is_empty() && !METHODS.contains(&method.as_str()) {
            return Err(Error::invalid(
                "method",
                format!(
                    "method must be one of {}, not \"{method}\"",
                    METHODS.join(", ")
                ),
            ));
        }
        let url = validate::optional_text("source_url", &self.source_url, 2000)?;
        if method == "downloaded" && url.is_empty() {
            return Err(Error::invalid(
                "source_url",
                "give the URL the item was downloaded from",
            ));
        }
        if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::invalid(
                "source_url",
                "the source URL must start with http:// or https://",
            ));
        }
        let at = self.collected_at.trim();
        if !at.is_empty() {
            let day = chrono::NaiveDate::parse_from_str(at, "%Y-%m-%d")
                .or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(&at.replace(' ', "T"), "%Y-%m-%dT%H:%M")
                        .map(|t| t.date())
                })
                .or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(
                        &at.replace(' ', "T"),
                        "%Y-%m-%dT%H:%M:%S",
                    )
                    .map(|t| t.date())
                });
            let Ok(day) = day else {
                return Err(Error::invalid(
                    "collected_at",
                    format!("\"{at}\" is not a date like 2022-03-09 or 2022-03-09T15:00"),
                ));
            };
            crate::dates::check_year("collected_at", at, chrono::Datelike::year(&day))?;
        }
        Ok(Acquisition {
            collected_by: validate::optional_text("collected_by", &self.collected_by, 300)?,
            collected_at: at.replace(' ', "T"),
            method,
            source_url: url,
            source_description: validate::long_text(
                "source_description",
                &self.source_description,
                5000,
            )?,
            notes: validate::long_text("notes", &self.notes, 10_000)?,
        })
    }
}

/// A change to an item's description, assessment or acquisition record (`None`: unchanged).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceEdit {
    pub description: Option<String>,
    pub graphic: Option<bool>,
    pub location_sensitive: Option<bool>,
    pub verification_status: Option<String>,
    pub verification_notes: Option<String>,
    pub acquisition: Option<Acquisition>,
}

/// One file found by [`plan_files`].
#[derive(Debug, Clone, Serialize)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub relative_path: String,
    /// The raw bytes (hex) of the relative path when they are not UTF-8 (see [`os_text`]).
    pub relative_path_raw: Option<String>,
    pub size: u64,
}

/// A file that could not be taken in, and why. The rest of the batch goes on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IngestFailure {
    pub path: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AlreadyInCase {
    pub path: String,
    pub evidence_id: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Progress {
    pub files_done: usize,
    pub files_total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub current: String,
}

#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub added: Vec<Evidence>,
    pub already_in_case: Vec<AlreadyInCase>,
    pub failed: Vec<IngestFailure>,
    /// Files whose content was new to the vault (the others reuse a stored original).
    pub new_vault_files: usize,
    pub cancelled: bool,
}

/// A staged file with what was read from it, waiting to be recorded.
pub struct Prepared {
    pub planned: PlannedFile,
    pub staged: Staged,
    pub media_type: String,
    pub kind: Kind,
    pub metadata: Metadata,
    pub file_modified: Option<String>,
}

/// What recording one prepared file came to.
pub enum Outcome {
    /// The item, and whether its file was new to the vault.
    Added(Box<Evidence>, bool),
    AlreadyInCase(AlreadyInCase),
}

fn failure(path: &Path, e: &Error) -> IngestFailure {
    let dto = ErrorDto::from(e);
    IngestFailure {
        path: path.display().to_string(),
        code: dto.code,
        message: dto.message,
    }
}

/// A name or path from the file system as text, and its raw bytes as hex when they are not
/// UTF-8. In the text each byte that is not part of valid UTF-8 is written `\xFF` (upper-case
/// hex) rather than replaced by U+FFFD, so a person can still tell names apart; the hex keeps
/// the exact bytes, so the original name can always be given back.
pub fn os_text(s: &std::ffi::OsStr) -> (String, Option<String>) {
    let bytes = s.as_encoded_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), None);
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&format!("\\x{b:02X}"));
        }
    }
    (text, Some(hex::encode(bytes)))
}

/// Lists the files to take in: files as given, folders walked recursively (in name order).
/// Symbolic links are not followed (they are reported), nor are special files.
pub fn plan_files(paths: &[PathBuf]) -> (Vec<PlannedFile>, Vec<IngestFailure>) {
    let mut files = Vec::new();
    let mut failed = Vec::new();
    for p in paths {
        match std::fs::symlink_metadata(p) {
            Err(e) => failed.push(failure(p, &Error::io(p, e))),
            Ok(m) if m.is_dir() => walk(p, p, &mut files, &mut failed),
            Ok(m) if m.is_file() => {
                let (relative_path, relative_path_raw) =
                    p.file_name().map(os_text).unwrap_or_default();
                files.push(PlannedFile {
                    relative_path,
                    relative_path_raw,
                    path: p.clone(),
                    size: m.len(),
                })
            }
            Ok(_) => failed.push(IngestFailure {
                path: p.display().to_string(),
                code: "not_a_file".into(),
                message: format!(
                    "{} is a link or special file; it was not followed",
                    p.display()
                ),
            }),
        }
    }
    (files, failed)
}

/// Walks a folder in name order without following links: every regular file is planned, every
/// link or special file and every entry that cannot be read is reported (none is dropped).
fn walk(root: &Path, dir: &Path, files: &mut Vec<PlannedFile>, failed: &mut Vec<IngestFailure>) {
    let base = root.parent().unwrap_or(root);
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let p = err.path().unwrap_or(dir).to_path_buf();
                let io = err
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("a folder loop"));
                failed.push(failure(&p, &Error::io(&p, io)));
                continue;
            }
        };
        let p = e.path();
        let t = e.file_type();
        if t.is_dir() {
            continue;
        }
        if t.is_file() {
            match e.metadata() {
                Ok(m) => {
                    let (relative_path, relative_path_raw) =
                        os_text(p.strip_prefix(base).unwrap_or(p).as_os_str());
                    files.push(PlannedFile {
                        relative_path,
                        relative_path_raw,
                        path: p.to_path_buf(),
                        size: m.len(),
                    });
                }
                Err(err) => {
                    let io = err
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("unreadable"));
                    failed.push(failure(p, &Error::io(p, io)));
                }
            }
        } else {
            failed.push(IngestFailure {
                path: p.display().to_string(),
                code: "not_a_file".into(),
                message: format!(
                    "{} is a link or special file; it was not followed",
                    p.display()
                ),
            });
        }
    }
}

fn prepare(
    vault: &Vault,
    f: &PlannedFile,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<Prepared, StageError> {
    let file_modified = std::fs::metadata(&f.path)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| crate::clock::format_ts(chrono::DateTime::<chrono::Utc>::from(t)));
    let staged = vault.stage(&f.path, cancel, progress)?;
    let media = casefile_media::sniff(&staged.head);
    // Metadata comes from our copy, read through the vault: exactly the bytes that were hashed.
    // A file whose metadata cannot be read is still taken in (with none): the original matters
    // more than its tags.
    let metadata = vault
        .open_staged(&staged)
        .ok()
        .and_then(|mut copy| casefile_media::extract_metadata(&mut copy, media.mime).ok())
        .unwrap_or_default();
    Ok(Prepared {
        planned: f.clone(),
        media_type: media.mime.to_string(),
        kind: media.kind,
        metadata,
        file_modified,
        staged,
    })
}

/// Takes `files` into the vault in batches, calling `record` with each batch (which must make
/// it durable and record it), `progress` after each file, and stopping between files or chunks
/// when `cancel` is set. Files that fail are listed in the report and do not stop the batch.
pub fn run_ingest(
    vault: &Vault,
    files: Vec<PlannedFile>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
    record: &mut dyn FnMut(Vec<Prepared>) -> Result<Vec<Outcome>>,
) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    let mut p = Progress {
        files_total: files.len(),
        bytes_total: files.iter().map(|f| f.size).sum(),
        ..Default::default()
    };
    let mut batch: Vec<Prepared> = Vec::new();
    let mut batch_bytes = 0u64;
    let mut flush = |batch: &mut Vec<Prepared>, report: &mut IngestReport| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let taken = std::mem::take(batch);
        let (files, bytes) = (
            taken.len(),
            taken.iter().map(|p| p.staged.size).sum::<u64>(),
        );
        let started = std::time::Instant::now();
        let outcomes = record(taken)?;
        tracing::info!(
            files,
            bytes,
            ms = started.elapsed().as_millis() as u64,
            "intake: batch recorded"
        );
        for o in outcomes {
            match o {
                Outcome::Added(e, new_in_vault) => {
                    report.new_vault_files += new_in_vault as usize;
                    report.added.push(*e);
                }
                Outcome::AlreadyInCase(a) => report.already_in_case.push(a),
            }
        }
        Ok(())
    };
    for f in files {
        p.current = f.relative_path.clone();
        progress(&p);
        let before = p.bytes_done;
        let mut on_bytes = |n: u64| {
            p.bytes_done = before + n;
        };
        match prepare(vault, &f, cancel, &mut on_bytes) {
            Ok(prep) => {
                batch_bytes += prep.staged.size;
                batch.push(prep);
            }
            Err(StageError::Cancelled) => {
                report.cancelled = true;
                break;
            }
            Err(StageError::Failed(e)) => {
                tracing::warn!(code = e.code(), "intake: a file was not taken in");
                report.failed.push(failure(&f.path, &e))
            }
        }
        p.files_done += 1;
        p.bytes_done = before + f.size;
        progress(&p);
        if batch.len() >= BATCH_FILES || batch_bytes >= BATCH_BYTES {
            flush(&mut batch, &mut report)?;
            batch_bytes = 0;
        }
    }
    // Complete files staged before a cancel are kept: they are whole and hashed.
    flush(&mut batch, &mut report)?;
    p.current.clear();
    progress(&p);
    Ok(report)
}

/// The state of a file's analysis, as lists and detail views show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AnalysisState {
    /// pending, ok, undecodable, unsupported or failed.
    pub status: String,
    pub message: String,
    pub phash: Option<String>,
    pub thumb_width: Option<u32>,
    pub thumb_height: Option<u32>,
}

/// An evidence item as a list shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvidenceRow {
    pub id: String,
    pub sha256: String,
    pub original_name: String,
    pub relative_path: String,
    pub media_type: String,
    pub kind: String,
    pub size: i64,
    pub capture_time: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub graphic: bool,
    pub verification_status: String,
    pub analysis: String,
}

/// Two items whose images look alike (different files: resized, recompressed, re-shared).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DuplicatePair {
    pub a: EvidenceRow,
    pub b: EvidenceRow,
    /// Bits that differ between their 64-bit perceptual hashes (0 = look identical).
    pub distance: u32,
}

/// The result of analysing one file (made without the database).
pub struct Analysis {
    pub status: &'static str,
    pub message: String,
    pub phash: Option<u64>,
    pub thumb: Option<(u32, u32)>,
}

/// Makes the thumbnail and perceptual hash of an original, writing the thumbnail to the vault.
/// Never fails for a bad image: that is a status ("undecodable"), with a placeholder shown.
pub fn analyse(vault: &Vault, sha256: &str, kind: &str) -> Analysis {
    if kind != "image" {
        return Analysis {
            status: "unsupported",
            message: format!("no preview for {kind} files"),
            phash: None,
            thumb: None,
        };
    }
    let mut original = match vault.open_original(sha256) {
        Ok(f) => f,
        Err(e) => {
            return Analysis {
                status: "failed",
                message: e.to_string(),
                phash: None,
                thumb: None,
            }
        }
    };
    match casefile_media::analyse_image(&mut original, 256) {
        Ok((thumb, phash)) => match vault.write_thumbnail(sha256, &thumb.bytes) {
            Ok(()) => Analysis {
                status: "ok",
                message: String::new(),
                phash: Some(phash),
                thumb: Some((thumb.width, thumb.height)),
            },
            Err(e) => Analysis {
                status: "failed",
                message: e.to_string(),
                phash: Some(phash),
                thumb: None,
            },
        },
        Err(e) => {
            let status = match e.code() {
                "media_undecodable" => "undecodable",
                "media_unsupported" | "media_too_large" => "unsupported",
                _ => "failed",
            };
            let message = match status {
                "undecodable" => "could not be decoded".to_string(),
                // casefile-media reads a stream and names no file: say which one it was.
                "failed" => format!("vault file {sha256}: {e}"),
                _ => e.to_string(),
            };
            Analysis {
                status,
                message,
                phash: None,
                thumb: None,
            }
        }
    }
}

const ROW_SQL: &str = "SELECT e.id, e.sha256, e.original_name, e.relative_path, e.media_type, e.kind, e.size, e.capture_time,
        e.latitude, e.longitude, e.graphic, e.verification_status, COALESCE(m.status, 'pending')
     FROM evidence e LEFT JOIN media_analysis m ON m.sha256 = e.sha256";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EvidenceRow> {
    Ok(EvidenceRow {
        id: r.get(0)?,
        sha256: r.get(1)?,
        original_name: r.get(2)?,
        relative_path: r.get(3)?,
        media_type: r.get(4)?,
        kind: r.get(5)?,
        size: r.get(6)?,
        capture_time: r.get(7)?,
        latitude: r.get(8)?,
        longitude: r.get(9)?,
        graphic: r.get(10)?,
        verification_status: r.get(11)?,
        analysis: r.get(12)?,
    })
}

impl Library {
    /// Takes files and folders into a case (see the module docs). For the CLI and tests; the
    /// app drives [`run_ingest`] itself so that it can release the library between batches.
    pub fn add_evidence(
        &mut self,
        case_id: &str,
        paths: &[PathBuf],
        acquisition: &Acquisition,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<IngestReport> {
        records::ensure_live_case(self.conn(), case_id)?;
        let acquisition = acquisition.checked()?;
        let (files, mut failed) = plan_files(paths);
        let vault = self.vault().clone();
        let mut report = run_ingest(&vault, files, cancel, progress, &mut |batch| {
            self.record_batch(case_id, &acquisition, batch)
        })?;
        failed.append(&mut report.failed);
        report.failed = failed;
        Ok(report)
    }

    /// Checks an acquisition record before a batch starts, so a mistake is reported once.
    pub fn check_acquisition(&self, acquisition: &Acquisition) -> Result<Acquisition> {
        acquisition.checked()
    }

    /// Makes a batch durable in the vault, then records each file as an evidence item with its
    /// custody entry, all in one transaction. A file already in the case is not recorded again.
    pub fn record_batch(
        &mut self,
        case_id: &str,
        acquisition: &Acquisition,
        batch: Vec<Prepared>,
    ) -> Result<Vec<Outcome>> {
        let fresh = match self.vault().commit(batch.iter().map(|p| &p.staged)) {
            Ok(f) => f,
            Err(e) => {
                self.vault().discard(batch.iter().map(|p| &p.staged));
                return Err(e);
            }
        };
        self.write(|tx| {
            records::ensure_live_case(tx.conn(), case_id)?;
            let mut out = Vec::with_capacity(batch.len());
            for (p, new_in_vault) in batch.into_iter().zip(fresh) {
                let existing: Option<String> = tx
                    .conn()
                    .query_row("SELECT id FROM evidence WHERE case_id = ?1 AND sha256 = ?2", params![case_id, p.staged.sha256], |r| r.get(0))
                    .optional()?;
                if let Some(id) = existing {
                    out.push(Outcome::AlreadyInCase(AlreadyInCase { path: p.planned.path.display().to_string(), evidence_id: id }));
                    continue;
                }
                let now = tx.now().to_string();
                let (name, name_raw) = p.planned.path.file_name().map(os_text).unwrap_or_default();
                let (source_path, source_path_raw) = os_text(p.planned.path.as_os_str());
                let md = &p.metadata;
                let e = Evidence {
                    id: crate::new_id(),
                    case_id: case_id.into(),
                    sha256: p.staged.sha256.clone(),
                    size: p.staged.size as i64,
                    original_name: name,
                    relative_path: p.planned.relative_path.clone(),
                    source_path,
                    media_type: p.media_type.clone(),
                    kind: kind_name(p.kind).into(),
                    file_modified: p.file_modified.clone(),
                    capture_time: md.capture_time.clone().or_else(|| md.container_creation_time.clone()),
                    latitude: md.gps_latitude,
                    longitude: md.gps_longitude,
                    metadata: p.metadata,
                    collected_by: acquisition.collected_by.clone(),
                    collected_at: acquisition.collected_at.clone(),
                    method: acquisition.method.clone(),
                    source_url: acquisition.source_url.clone(),
                    source_description: acquisition.source_description.clone(),
                    acquisition_notes: acquisition.notes.clone(),
                    description: String::new(),
                    graphic: false,
                    verification_status: "unverified".into(),
                    verification_notes: String::new(),
                    derived_from: None,
                    created_at: now.clone(),
                    updated_at: now.clone(),
                    deleted_at: None,
                    deleted_reason: None,
                    location_sensitive: None,
                    original_name_raw: name_raw,
                    relative_path_raw: p.planned.relative_path_raw.clone(),
                    source_path_raw,
                };
                let detail = serde_json::json!({ "sha256": e.sha256, "size": e.size, "source": e.source_path });
                records::insert_logged(tx, &EVIDENCE, case_id, &e.id, &e, "intake", |tx| {
                    tx.conn().execute(
                        "INSERT OR IGNORE INTO media_analysis (sha256, status, updated_at) VALUES (?1, 'pending', ?2)",
                        params![e.sha256, now],
                    )?;
                    Ok(Some(detail))
                })?;
                out.push(Outcome::Added(Box::new(e), new_in_vault));
            }
            Ok(out)
        })
    }

    pub fn get_evidence(&self, id: &str) -> Result<Evidence> {
        store::must_load(self.conn(), &EVIDENCE, id)
    }

    /// The case's live evidence, by capture time then name.
    pub fn evidence_rows(&self, case_id: &str) -> Result<Vec<EvidenceRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{ROW_SQL} WHERE e.case_id = ?1 AND e.deleted_at IS NULL ORDER BY e.capture_time IS NULL, e.capture_time, e.relative_path"
        ))?;
        let rows = stmt.query_map([case_id], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn evidence_row(&self, id: &str) -> Result<EvidenceRow> {
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{ROW_SQL} WHERE e.id = ?1"))?;
        stmt.query_row([id], row)
            .optional()?
            .ok_or_else(|| Error::NotFound {
                kind: "evidence",
                id: id.into(),
            })
    }

    /// Changes an item's description, assessment or acquisition record; a custody entry names
    /// the fields that changed.
    pub fn edit_evidence(&mut self, id: &str, edit: EvidenceEdit) -> Result<Evidence> {
        let acquisition = edit
            .acquisition
            .as_ref()
            .map(Acquisition::checked)
            .transpose()?;
        if let Some(v) = &edit.verification_status {
            if !VERIFICATION.contains(&v.as_str()) {
                return Err(Error::invalid(
                    "verification_status",
                    format!(
                        "verification status must be one of {}",
                        VERIFICATION.join(", ")
                    ),
                ));
            }
        }
        self.write(|tx| {
            let old: Evidence = store::must_load(tx.conn(), &EVIDENCE, id)?;
            let mut new = old.clone();
            if let Some(d) = &edit.description {
                new.description = validate::long_text("description", d, 100_000)?;
            }
            if let Some(g) = edit.graphic {
                new.graphic = g;
            }
            if let Some(s) = edit.location_sensitive {
                new.location_sensitive = if s { Some(true) } else { None };
            }
            if let Some(v) = &edit.verification_status {
                new.verification_status = v.clone();
            }
            if let Some(n) = &edit.verification_notes {
                new.verification_notes = validate::long_text("verification_notes", n, 100_000)?;
            }
            if let Some(a) = acquisition {
                new.collected_by = a.collected_by;
                new.collected_at = a.collected_at;
                new.method = a.method;
                new.source_url = a.source_url;
                new.source_description = a.source_description;
                new.acquisition_notes = a.notes;
            }
            if new == old {
                return Ok(old);
            }
            new.updated_at = tx.now().to_string();
            let changed = records::changed_fields(&old, &new);
            records::update_logged(tx, &EVIDENCE, &old.case_id, id, &new, "edit", |_| {
                Ok(Some(serde_json::json!({ "changed": changed })))
            })?;
            Ok(new)
        })
    }

    /// The analysis state of a file, if it has been queued.
    pub fn analysis(&self, sha256: &str) -> Result<Option<AnalysisState>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT status, message, phash, thumb_width, thumb_height FROM media_analysis WHERE sha256 = ?1",
                [sha256],
                |r| {
                    let ph: Option<i64> = r.get(2)?;
                    Ok(AnalysisState {
                        status: r.get(0)?,
                        message: r.get(1)?,
                        phash: ph.map(|p| format!("{:016x}", p as u64)),
                        thumb_width: r.get(3)?,
                        thumb_height: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Files waiting for a thumbnail and hash: (sha256, kind).
    pub fn pending_analysis(&self, limit: usize) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT m.sha256, (SELECT kind FROM evidence e WHERE e.sha256 = m.sha256 LIMIT 1)
             FROM media_analysis m WHERE m.status = 'pending' ORDER BY m.rowid LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Stores the result of [`analyse`] (derived data: no custody entry).
    pub fn store_analysis(&mut self, sha256: &str, a: &Analysis) -> Result<()> {
        let now = self.now();
        self.conn().execute(
            "UPDATE media_analysis SET status = ?2, message = ?3, phash = ?4, thumb_width = ?5, thumb_height = ?6, updated_at = ?7 WHERE sha256 = ?1",
            params![sha256, a.status, a.message, a.phash.map(|p| p as i64), a.thumb.map(|t| t.0), a.thumb.map(|t| t.1), now],
        )?;
        Ok(())
    }

    /// Analyses every pending file now (the CLI's way; the app does it in the background).
    pub fn analyse_pending(&mut self, progress: &mut dyn FnMut(usize, usize)) -> Result<usize> {
        let pending = self.pending_analysis(usize::MAX >> 1)?;
        let total = pending.len();
        let vault = self.vault().clone();
        for (i, (sha, kind)) in pending.iter().enumerate() {
            let a = analyse(&vault, sha, kind);
            self.store_analysis(sha, &a)?;
            progress(i + 1, total);
        }
        Ok(total)
    }

    /// The thumbnail JPEG of an item, if one could be made.
    pub fn thumbnail(&self, evidence_id: &str) -> Result<Option<Vec<u8>>> {
        let e = self.evidence_row(evidence_id)?;
        self.vault().read_thumbnail(&e.sha256)
    }

    /// Live items that have a perceptual hash, with it and their case, in the order they were
    /// taken in: one query, outside any transaction. The app can hold the library for this
    /// alone and find the pairs ([`HashedItems::possible_duplicates`]) after letting it go.
    pub fn load_phashes(&self) -> Result<HashedItems> {
        let sql = ROW_SQL.replacen(" FROM evidence", ", m.phash, e.case_id FROM evidence", 1);
        // Items taken in by one transaction share `created_at`: the rowid keeps them in intake order.
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{sql} WHERE e.deleted_at IS NULL AND m.phash IS NOT NULL ORDER BY e.created_at, e.rowid"))?;
        let rows = stmt.query_map([], |r| {
            Ok(HashedItem {
                row: row(r)?,
                phash: r.get::<_, i64>(13)? as u64,
                case_id: r.get(14)?,
            })
        })?;
        Ok(HashedItems {
            items: rows.collect::<rusqlite::Result<Vec<_>>>()?,
        })
    }

    /// Pairs of different files that look alike, across the whole library (or, with a case,
    /// the pairs with at least one item in it): [`Library::load_phashes`], then
    /// [`HashedItems::possible_duplicates`].
    pub fn possible_duplicates(&self, case_id: Option<&str>) -> Result<Vec<DuplicatePair>> {
        Ok(self.load_phashes()?.possible_duplicates(case_id))
    }

    /// Items in the library that look like this one, closest first (then in intake order).
    /// Found through the indexes of the hash's quarters (migration 8): a hash within the
    /// threshold has a quarter within a quarter of it (see [`lookalike`]), so only the few
    /// files with such a quarter are read and compared, not the whole library.
    pub fn duplicates_of(&self, evidence_id: &str) -> Result<Vec<(EvidenceRow, u32)>> {
        let me = self.evidence_row(evidence_id)?;
        let threshold = casefile_media::POSSIBLE_DUPLICATE_MAX_DISTANCE;
        // Its hash, if a live item of its file has one (as in the library-wide search).
        let mine: Option<i64> = self
            .conn()
            .query_row(
                "SELECT m.phash FROM media_analysis m WHERE m.sha256 = ?1 AND m.phash IS NOT NULL
                   AND EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = m.sha256 AND e.deleted_at IS NULL)",
                [&me.sha256],
                |r| r.get(0),
            )
            .optional()?;
        let Some(mine) = mine.map(|h| h as u64) else {
            return Ok(vec![]);
        };
        let lists = lookalike::quarters(mine).map(|q| {
            serde_json::json!(lookalike::quarter_neighbours(q, threshold / 4)).to_string()
        });
        let mut stmt = self.conn().prepare_cached(
            "SELECT sha256, phash FROM media_analysis WHERE phash IS NOT NULL AND ((phash >> 48) & 65535) IN (SELECT value FROM json_each(?1))
             UNION SELECT sha256, phash FROM media_analysis WHERE phash IS NOT NULL AND ((phash >> 32) & 65535) IN (SELECT value FROM json_each(?2))
             UNION SELECT sha256, phash FROM media_analysis WHERE phash IS NOT NULL AND ((phash >> 16) & 65535) IN (SELECT value FROM json_each(?3))
             UNION SELECT sha256, phash FROM media_analysis WHERE phash IS NOT NULL AND (phash & 65535) IN (SELECT value FROM json_each(?4))",
        )?;
        let mut near = HashMap::new();
        for c in stmt.query_map(params![lists[0], lists[1], lists[2], lists[3]], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })? {
            let (sha, h) = c?;
            let d = casefile_media::hamming(mine, h);
            if d <= threshold && sha != me.sha256 {
                near.insert(sha, d);
            }
        }
        if near.is_empty() {
            return Ok(vec![]);
        }
        let shas = serde_json::json!(near.keys().collect::<Vec<_>>()).to_string();
        let mut stmt = self.conn().prepare_cached(&format!(
            "{ROW_SQL} WHERE e.deleted_at IS NULL AND e.sha256 IN (SELECT value FROM json_each(?1)) ORDER BY e.created_at, e.rowid"
        ))?;
        let rows = stmt.query_map([shas], row)?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            let d = near[&r.sha256];
            out.push((r, d));
        }
        out.sort_by_key(|(_, d)| *d);
        Ok(out)
    }
}

/// Live items with a perceptual hash, in intake order, as [`Library::load_phashes`] reads them:
/// plain data, so the look-alikes can be found without the library.
#[derive(Debug, Clone, Default)]
pub struct HashedItems {
    pub items: Vec<HashedItem>,
}

#[derive(Debug, Clone)]
pub struct HashedItem {
    pub row: EvidenceRow,
    pub phash: u64,
    pub case_id: String,
}

impl HashedItems {
    /// Pairs of items of different files whose hashes are within
    /// [`casefile_media::POSSIBLE_DUPLICATE_MAX_DISTANCE`] (with a case, those with at least one
    /// item in it), closest first, then in intake order of the first item and of the second.
    /// The same answer as comparing every pair of items, found with a multi-index hash over
    /// the distinct files ([`lookalike::find_pairs`]); needs no database.
    pub fn possible_duplicates(&self, case_id: Option<&str>) -> Vec<DuplicatePair> {
        // One hash per distinct file: an item pairs with every item of each file that looks
        // alike, never with another item of its own file.
        let mut files: Vec<(u64, Vec<u32>)> = Vec::new();
        let mut by_sha: HashMap<&str, usize> = HashMap::with_capacity(self.items.len());
        for (i, it) in self.items.iter().enumerate() {
            let f = *by_sha.entry(&it.row.sha256).or_insert_with(|| {
                files.push((it.phash, Vec::new()));
                files.len() - 1
            });
            files[f].1.push(i as u32);
        }
        let hashes: Vec<u64> = files.iter().map(|f| f.0).collect();
        let in_case = |i: u32| case_id.is_none_or(|want| want == self.items[i as usize].case_id);
        let mut pairs: Vec<(u32, u32, u32)> = Vec::new();
        for near in lookalike::find_pairs(&hashes, casefile_media::POSSIBLE_DUPLICATE_MAX_DISTANCE)
        {
            for &i in &files[near.a as usize].1 {
                for &j in &files[near.b as usize].1 {
                    let (a, b) = (i.min(j), i.max(j));
                    if in_case(a) || in_case(b) {
                        pairs.push((near.distance, a, b));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs
            .into_iter()
            .map(|(distance, a, b)| DuplicatePair {
                a: self.items[a as usize].row.clone(),
                b: self.items[b as usize].row.clone(),
                distance,
            })
            .collect()
    }
}

pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Image => "image",
        Kind::Video => "video",
        Kind::Audio => "audio",
        Kind::Document => "document",
        Kind::Other => "other",
    }
}
