//! `casefile export | verify | import | conflicts | resolve | key`: handing a case over as a
//! signed BagIt bundle, checking one, and merging one into this library.

use crate::output::{print_json, say};
use crate::{show, Failure};
use casefile_core::bundle::{
    prepare_export, verify_bundle_with, write_export, BundleIdentity, ExportOptions, ExportProfile,
    Recipients, ReportLanguage,
};
use casefile_core::trust::Standing;
use casefile_core::Library;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// What an export writes: a ZIP or a folder, its profile, the language of its report.
pub struct Format<'a> {
    pub zip: bool,
    pub profile: &'a str,
    pub language: &'a str,
}

/// Exports a case; with recipients (`--to`), as a ZIP encrypted to them. Into an existing
/// folder, the bundle is named after the case (its reference code, else its title; Cyrillic
/// kept).
pub fn export(
    lib: &mut Library,
    json: bool,
    case_id: &str,
    out: &Path,
    format: Format<'_>,
    to: &[String],
) -> Result<(), Failure> {
    let profile: ExportProfile = format.profile.parse()?;
    let language: ReportLanguage = format.language.parse()?;
    let recipients = if to.is_empty() {
        None
    } else {
        Some(Recipients::parse(to)?)
    };
    let zip = format.zip || recipients.is_some();
    let named;
    let out = if out.is_dir() {
        let ext = match (zip, recipients.is_some()) {
            (_, true) => ".zip.age",
            (true, false) => ".zip",
            (false, false) => "",
        };
        named = out.join(format!("{}{ext}", lib.export_file_name(case_id)?));
        named.as_path()
    } else {
        out
    };
    let opts = ExportOptions {
        profile,
        zip,
        language,
    };
    let mut prepared = prepare_export(lib, case_id, out, &opts)?;
    if let Some(r) = recipients {
        prepared.encrypt_to(r)?;
    }
    let r = write_export(&prepared, &AtomicBool::new(false), &mut |_, _| {})?;
    lib.record_export(case_id, &r)?;
    show(json, &r, |r| {
        say!(
            "exported {} ({} profile)",
            r.path.display(),
            r.profile.as_str()
        );
        for k in &r.encrypted_for {
            say!("encrypted for {k}");
        }
        say!(
            "payload:  {} files, {} bytes ({} originals)",
            r.payload_files,
            r.payload_bytes,
            r.originals
        );
        let s = &r.summary;
        say!("carries:  identities {} included, {} withheld; statements {} included, {} withheld for want of consent", s.identities_included, s.identities_withheld, s.statements_included, s.statements_withheld);
        say!("          originals {} included, {} as copies without metadata, {} withheld; locations {}", s.originals_included, s.copies_without_metadata, s.originals_withheld, s.locations);
        say!(
            "          custody log {}; your name and organisation {}",
            if s.custody_log_included {
                "included"
            } else {
                "left out"
            },
            if s.investigator_named {
                "included"
            } else {
                "left out"
            }
        );
        say!("signed by key {}", r.fingerprint);
        say!("tag manifest SHA-256 {}", r.tagmanifest_sha256);
    });
    Ok(())
}

fn identity(file: Option<&Path>) -> Result<Option<BundleIdentity>, Failure> {
    Ok(file.map(BundleIdentity::read).transpose()?)
}

/// Verification needs no library: it runs anywhere.
pub fn verify(json: bool, path: &Path, identity_file: Option<&Path>) -> Result<(), Failure> {
    let id = identity(identity_file)?;
    let r = verify_bundle_with(path, id.as_ref())?;
    show(json, &r, |r| {
        say!("bundle:   {}", r.path);
        if let Some(t) = &r.case_title {
            say!(
                "case:     {} ({})",
                t,
                r.case_reference.as_deref().unwrap_or("no reference")
            );
        }
        if let Some(id) = &r.case_id {
            say!("case id:  {id}");
        }
        if let Some(o) = &r.origin_key {
            say!("origin:   {o}  (the installation that created the case, as the bundle says)");
        }
        if let Some(p) = r.profile {
            say!("profile:  {}", p.as_str());
        }
        say!(
            "payload:  {} files, {} bytes; {} custody entries",
            r.payload_files,
            r.payload_bytes,
            r.custody_entries
        );
        match &r.signed_by {
            Some(f) => say!("signed by key {f}  (confirm this fingerprint with the sender)"),
            None => say!("signature: NOT VALID"),
        }
        for p in &r.problems {
            say!(
                "PROBLEM  {}: {}",
                p.file.as_deref().unwrap_or("bundle"),
                p.message
            );
        }
        if r.problems_not_listed > 0 {
            say!("PROBLEM  and {} more not listed", r.problems_not_listed);
        }
        if r.ok {
            say!("OK: the bundle is complete, unchanged and signed");
        }
    });
    if r.ok {
        Ok(())
    } else {
        Err(Failure::Findings)
    }
}

pub fn import(
    lib: &mut Library,
    json: bool,
    path: &Path,
    trust: bool,
    identity_file: Option<&Path>,
) -> Result<(), Failure> {
    let id = identity(identity_file)?;
    let vault = lib.vault().clone();
    let prepared = casefile_core::bundle::prepare_import_with(
        &vault,
        path,
        id.as_ref(),
        &AtomicBool::new(false),
        &mut |_, _| {},
    )?;
    let r = lib.finish_import(prepared, trust)?;
    show(json, &r, |r| {
        say!("case:     {} ({})", r.case_title, r.case_id);
        say!("signed by key {}", r.signed_by);
        match (r.standing, r.trusted) {
            (Standing::NewCase, _) => say!("trust:    a case new to this library: the key that signed it is now trusted for it"),
            (Standing::Untrusted, true) => say!("trust:    the key was trusted for this case now, as you asked"),
            (Standing::Trusted, _) => say!("trust:    the key is trusted for this case"),
            (Standing::Untrusted, false) => {
                say!("trust:    NOT TRUSTED for this case: nothing was changed; what it would add or change was kept as conflicts");
                say!("          (after confirming the fingerprint with the sender: `casefile import --trust`)");
            }
        }
        if let Some(o) = &r.origin_key {
            say!("origin:   {o}");
        }
        if r.already_up_to_date {
            say!("nothing new: this library already has everything in the bundle");
        } else {
            let c = &r.counts;
            say!(
                "records:  {} added, {} updated, {} unchanged, {} newer here (kept), {} conflicts",
                c.added,
                c.updated,
                c.unchanged,
                c.kept_local,
                c.conflicts
            );
            say!("files:    {} originals added to the vault; {} statement versions; {} custody entries received", r.originals_added, r.versions_added, r.custody_entries_received);
            if c.conflicts > 0 {
                say!(
                    "see `casefile conflicts --case {}` to resolve the conflicts",
                    r.case_id
                );
            }
        }
    });
    Ok(())
}

pub fn conflicts(lib: &Library, json: bool, case_id: &str) -> Result<(), Failure> {
    let list = lib.conflicts(case_id)?;
    if json {
        print_json(&list);
        return Ok(());
    }
    if list.is_empty() {
        say!("no conflicts");
    }
    for c in &list {
        let state = c
            .resolution
            .as_deref()
            .map(|r| format!("resolved: kept {r}"))
            .unwrap_or_else(|| "UNRESOLVED".into());
        say!(
            "{}  {} {} \"{}\"  {}",
            c.id,
            c.record_type,
            c.record_id,
            c.label,
            state
        );
        match (&c.signed_by, c.trusted) {
            (Some(k), Some(false)) => say!("    offered by key {k}, NOT trusted for this case"),
            (Some(k), _) => say!("    offered by key {k}"),
            _ => {}
        }
        if c.local.is_none() {
            say!("    a record this library does not have; keeping \"incoming\" adds it");
        }
        if let Some(local) = &c.local {
            for (k, v) in &c.incoming {
                if local.get(k) != Some(v) && k != "updated_at" {
                    say!(
                        "    {k}: here {}  |  incoming {}",
                        local.get(k).map(|x| x.to_string()).unwrap_or_default(),
                        v
                    );
                }
            }
        }
    }
    Ok(())
}
