//! Evidence bundles: a case as a BagIt 1.0 bag (RFC 8493), as a directory or a ZIP of one,
//! signed with the installation's Ed25519 key; verified anywhere; merged into another library.
//! The format is documented in docs/bundle-format.md.
//!
//! ```text
//! <bag>/bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
//!       signature.ed25519        (base64 Ed25519 signature of tagmanifest-sha256.txt)
//!       signing-key.ed25519.pub  (base64 public key, and its fingerprint)
//!       data/case.json           (every record of the case; schema "casefile-case", version 1)
//!       data/custody.jsonl       (the case's custody entries, its own hash chain)
//!       data/report.html         (a printable, self-contained report)
//!       data/originals/<sha256>.<ext>
//! ```
//!
//! A ZIP bundle may be handed over encrypted with age to its receivers' public keys
//! (`sealed.rs`): the same ZIP, inside an age file.

mod export;
mod filename;
mod import;
mod report;
mod sealed;
mod source;
pub mod stream;
mod verify;
mod zipcheck;
mod zipstream;

pub use export::{
    clean_abandoned_exports, export_case, prepare_export, write_export, ExportOptions,
    ExportReport, PreparedExport,
};
pub use filename::{export_file_stem, export_file_stem_ascii, transliterate_uk};
pub use import::{
    prepare_import, prepare_import_with, Conflict, ImportReport, MergeCounts, PreparedImport,
};
pub use report::ReportLanguage;
pub use sealed::{is_encrypted_bundle, BundleIdentity, Recipients};
pub use verify::{verify_bundle, verify_bundle_with, Problem, VerifyReport};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const SCHEMA: &str = "casefile-case";
/// The `case.json` schema version this code writes and the newest it reads. Version 2 added
/// `origin_key` and derived copies (`files[].derived_from`) in public bundles.
pub const SCHEMA_VERSION: u32 = 2;
pub const BAGIT_PROFILE: &str = "urn:x-casefile:bagit-profile:case-bundle:1";
pub const SIGNATURE_FILE: &str = "signature.ed25519";
pub const KEY_FILE: &str = "signing-key.ed25519.pub";

/// Who an export is for, and so what it leaves out.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExportProfile {
    /// Everything, identities included: for the investigator's own organisation.
    Full,
    /// Leaves out the identifying details of people who did not consent to sharing with
    /// prosecutors (consent is given per statement; one live prosecution consent suffices).
    Prosecutor,
    /// For publication: pseudonyms only, no restricted or identifying field, no statement
    /// without publication consent, no GPS or original of a location-sensitive item, no
    /// custody log (its entries would name what was left out).
    Public,
}

impl ExportProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportProfile::Full => "full",
            ExportProfile::Prosecutor => "prosecutor",
            ExportProfile::Public => "public",
        }
    }
}

impl std::str::FromStr for ExportProfile {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim() {
            "full" => Ok(ExportProfile::Full),
            "prosecutor" => Ok(ExportProfile::Prosecutor),
            "public" => Ok(ExportProfile::Public),
            o => Err(crate::Error::invalid(
                "profile",
                format!("profile must be full, prosecutor or public, not \"{o}\""),
            )),
        }
    }
}

/// Who made the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BundleSource {
    pub organisation: String,
    pub contact: String,
    pub fingerprint: String,
    pub casefile_version: String,
}

/// An original file carried in the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub sha256: String,
    /// Relative to `data/`: `originals/<sha256>.<ext>`, or `derived/<sha256>.<ext>` for a copy.
    pub path: String,
    pub size: u64,
    /// For a copy made for this bundle (a public one: the original with its metadata removed),
    /// the SHA-256 of the original it was made from, which evidence records name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
}

/// `data/case.json`. Records are their stored rows, column by column, ids preserved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDocument {
    pub schema: String,
    pub schema_version: u32,
    pub profile: ExportProfile,
    pub exported_at: String,
    pub source: BundleSource,
    /// The fingerprint of the installation that created the case (schema 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_key: Option<String>,
    pub case: Map<String, Value>,
    pub incidents: Vec<Map<String, Value>>,
    pub persons: Vec<Map<String, Value>>,
    pub identities: Vec<Map<String, Value>>,
    pub units: Vec<Map<String, Value>>,
    pub acts: Vec<Map<String, Value>>,
    pub involvements: Vec<Map<String, Value>>,
    pub statements: Vec<Map<String, Value>>,
    pub statement_versions: Vec<Map<String, Value>>,
    pub consents: Vec<Map<String, Value>>,
    pub links: Vec<Map<String, Value>>,
    pub evidence: Vec<Map<String, Value>>,
    /// User-added vocabulary terms the records use.
    pub terms: Vec<crate::records::vocab::Term>,
    pub files: Vec<FileRef>,
    /// Originals deliberately left out (public profile: location-sensitive items).
    pub withheld_files: Vec<String>,
}

/// The file extension an original gets in a bundle, from its media type.
pub(crate) fn extension(media_type: &str) -> &'static str {
    match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/tiff" => "tif",
        "image/heic" | "image/heif" => "heic",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "application/zip" => "zip",
        _ => "bin",
    }
}
