//! `casefile evidence ...`: take files into a case, list and show them, edit their assessment
//! and acquisition record, and find near-duplicates.

use crate::output::{print_json, say, visible, Table};
use crate::{show, Failure};
use casefile_core::evidence::{Acquisition, EvidenceEdit, IngestReport, Progress};
use casefile_core::Library;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

#[derive(Subcommand)]
pub enum EvidenceCmd {
    /// Take files and folders (recursively) into a case: each original is hashed and kept bit
    /// for bit, its metadata read, a custody entry written. Then thumbnails are made.
    Add {
        #[arg(long = "case")]
        case_id: String,
        #[command(flatten)]
        acq: AcquisitionArgs,
        /// Skip making thumbnails and perceptual hashes now (`casefile evidence analyse` later).
        #[arg(long)]
        no_analyse: bool,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    List {
        #[arg(long = "case")]
        case_id: String,
    },
    /// Every recorded field of an item: file facts, hash, metadata, acquisition, analysis, links.
    Show { id: String },
    /// Change the description, assessment or acquisition record.
    Edit {
        id: String,
        #[arg(long)]
        description: Option<String>,
        /// true or false.
        #[arg(long)]
        graphic: Option<bool>,
        /// true: the place it shows must not be published (left out of public exports).
        #[arg(long)]
        location_sensitive: Option<bool>,
        /// unverified, in_progress, verified, disputed or unverifiable.
        #[arg(long)]
        verification_status: Option<String>,
        #[arg(long)]
        verification_notes: Option<String>,
        #[command(flatten)]
        acq: AcquisitionArgs,
    },
    /// Make the thumbnails and perceptual hashes still pending.
    Analyse,
    /// Pairs of different files that look alike (resized, recompressed, re-shared).
    Duplicates {
        #[arg(long = "case")]
        case_id: Option<String>,
    },
    /// Re-hash an item's original in the vault and compare with the hash recorded at intake.
    Verify { id: String },
}

#[derive(Args, Default)]
pub struct AcquisitionArgs {
    #[arg(long)]
    collected_by: Option<String>,
    /// YYYY-MM-DD or YYYY-MM-DDTHH:MM.
    #[arg(long)]
    collected_at: Option<String>,
    /// own_capture, received, downloaded or other.
    #[arg(long)]
    method: Option<String>,
    /// Where it was downloaded from (required with --method downloaded).
    #[arg(long)]
    url: Option<String>,
    /// Who or what it was received from.
    #[arg(long)]
    source: Option<String>,
    #[arg(long)]
    notes: Option<String>,
}

impl AcquisitionArgs {
    fn any(&self) -> bool {
        self.collected_by.is_some()
            || self.collected_at.is_some()
            || self.method.is_some()
            || self.url.is_some()
            || self.source.is_some()
            || self.notes.is_some()
    }
    fn apply(self, mut a: Acquisition) -> Acquisition {
        if let Some(v) = self.collected_by {
            a.collected_by = v;
        }
        if let Some(v) = self.collected_at {
            a.collected_at = v;
        }
        if let Some(v) = self.method {
            a.method = v;
        }
        if let Some(v) = self.url {
            a.source_url = v;
        }
        if let Some(v) = self.source {
            a.source_description = v;
        }
        if let Some(v) = self.notes {
            a.notes = v;
        }
        a
    }
}

fn human_size(n: i64) -> String {
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.1} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.0} kB", n / 1e3)
    } else {
        format!("{n} B")
    }
}

fn print_report(r: &IngestReport) {
    for e in &r.added {
        say!("added    {}  {}  {}", e.id, e.sha256, e.relative_path);
    }
    for a in &r.already_in_case {
        say!("already in this case  {}  ({})", a.path, a.evidence_id);
    }
    for f in &r.failed {
        say!("FAILED   {}: {}", f.path, f.message);
    }
    say!(
        "{} added ({} new to the vault), {} already in this case, {} failed{}",
        r.added.len(),
        r.new_vault_files,
        r.already_in_case.len(),
        r.failed.len(),
        if r.cancelled { ", cancelled" } else { "" }
    );
}

pub fn evidence(lib: &mut Library, json: bool, cmd: EvidenceCmd) -> Result<(), Failure> {
    match cmd {
        EvidenceCmd::Add {
            case_id,
            acq,
            no_analyse,
            paths,
        } => {
            let acquisition = acq.apply(Acquisition::default());
            let cancel = AtomicBool::new(false);
            let mut last = std::time::Instant::now();
            let tty = !json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let mut progress = |p: &Progress| {
                if tty && last.elapsed().as_millis() > 200 {
                    last = std::time::Instant::now();
                    eprint!(
                        "\r{}/{} files, {} of {}  {:<40.40}",
                        p.files_done,
                        p.files_total,
                        human_size(p.bytes_done as i64),
                        human_size(p.bytes_total as i64),
                        visible(&p.current)
                    );
                    let _ = std::io::stderr().flush();
                }
            };
            let report =
                lib.add_evidence(&case_id, &paths, &acquisition, &cancel, &mut progress)?;
            if tty {
                eprintln!();
            }
            if !no_analyse {
                lib.analyse_pending(&mut |_, _| {})?;
            }
            show(json, &report, print_report);
            if !report.failed.is_empty() {
                return Err(Failure::Findings);
            }
        }
        EvidenceCmd::List { case_id } => {
            lib.get_case(&case_id)?;
            show(json, &lib.evidence_rows(&case_id)?, |rows| {
                let mut t = Table::new(&["ID", "TYPE", "SIZE", "CAPTURED", "SHA-256", "FILE"]);
                for r in rows {
                    t.row(vec![
                        r.id.clone(),
                        r.media_type.clone(),
                        human_size(r.size),
                        r.capture_time.clone().unwrap_or_default(),
                        r.sha256[..16].to_string(),
                        r.relative_path.clone(),
                    ]);
                }
                t.print();
            });
        }
        EvidenceCmd::Show { id } => {
            let e = lib.get_evidence(&id)?;
            let analysis = lib.analysis(&e.sha256)?;
            let links = lib.links_of(&id)?;
            let duplicates: Vec<_> = lib.duplicates_of(&id)?.into_iter().map(|(r, d)| serde_json::json!({ "id": r.id, "name": r.original_name, "distance": d })).collect();
            let full = serde_json::json!({ "evidence": e, "analysis": analysis, "links": links, "possible_duplicates": duplicates });
            if json {
                print_json(&full);
            } else {
                let m = &e.metadata;
                say!("id:            {}", e.id);
                say!(
                    "file:          {} ({})",
                    e.relative_path,
                    human_size(e.size)
                );
                say!("sha-256:       {}", e.sha256);
                say!("media type:    {} (from content)", e.media_type);
                say!(
                    "modified:      {}",
                    e.file_modified.as_deref().unwrap_or("-")
                );
                say!(
                    "captured:      {}{}",
                    e.capture_time.as_deref().unwrap_or("-"),
                    m.capture_time_offset
                        .as_deref()
                        .map(|o| format!(" {o}"))
                        .unwrap_or_default()
                );
                if let (Some(la), Some(lo)) = (e.latitude, e.longitude) {
                    say!(
                        "gps:           {la}, {lo}{}",
                        m.gps_altitude
                            .map(|a| format!(", {a} m"))
                            .unwrap_or_default()
                    );
                }
                if let Some(t) = &m.gps_time {
                    say!("gps time:      {t}");
                }
                if m.clock_gps_mismatch {
                    say!(
                        "WARNING:       camera clock and GPS time differ by {} s",
                        m.clock_gps_disagreement.unwrap_or(0)
                    );
                }
                say!(
                    "device:        {} {}",
                    m.make.as_deref().unwrap_or(""),
                    m.model.as_deref().unwrap_or("")
                );
                if let (Some(w), Some(h)) = (m.width, m.height) {
                    say!(
                        "pixels:        {w} x {h}, orientation {}",
                        m.orientation.unwrap_or(1)
                    );
                }
                say!(
                    "collected:     by {} at {} ({}) {}",
                    e.collected_by,
                    e.collected_at,
                    e.method,
                    e.source_url
                );
                if !e.source_description.is_empty() {
                    say!("source:        {}", e.source_description);
                }
                say!("graphic:       {}", if e.graphic { "yes" } else { "no" });
                say!("verification:  {}", e.verification_status);
                if let Some(a) = analysis {
                    say!(
                        "preview:       {}{}",
                        a.status,
                        if a.message.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", a.message)
                        }
                    );
                }
                for d in duplicates {
                    say!(
                        "looks like:    {} {} (distance {})",
                        d["id"].as_str().unwrap_or(""),
                        d["name"].as_str().unwrap_or(""),
                        d["distance"]
                    );
                }
            }
        }
        EvidenceCmd::Edit {
            id,
            description,
            graphic,
            location_sensitive,
            verification_status,
            verification_notes,
            acq,
        } => {
            let acquisition = if acq.any() {
                let e = lib.get_evidence(&id)?;
                let current = Acquisition {
                    collected_by: e.collected_by,
                    collected_at: e.collected_at,
                    method: e.method,
                    source_url: e.source_url,
                    source_description: e.source_description,
                    notes: e.acquisition_notes,
                };
                Some(acq.apply(current))
            } else {
                None
            };
            let e = lib.edit_evidence(
                &id,
                EvidenceEdit {
                    description,
                    graphic,
                    location_sensitive,
                    verification_status,
                    verification_notes,
                    acquisition,
                },
            )?;
            show(json, &e, |e| say!("saved {}", e.id));
        }
        EvidenceCmd::Analyse => {
            let n = lib.analyse_pending(&mut |i, n| eprint!("\r{i}/{n}"))?;
            show(json, &serde_json::json!({ "analysed": n }), |_| {
                println!("\n{n} analysed")
            });
        }
        EvidenceCmd::Duplicates { case_id } => {
            show(
                json,
                &lib.possible_duplicates(case_id.as_deref())?,
                |pairs| {
                    if pairs.is_empty() {
                        say!("no possible duplicates");
                    }
                    for p in pairs {
                        say!(
                            "{:>2}  {} {}  ~  {} {}",
                            p.distance,
                            p.a.id,
                            p.a.relative_path,
                            p.b.id,
                            p.b.relative_path
                        );
                    }
                },
            );
        }
        EvidenceCmd::Verify { id } => {
            let e = lib.get_evidence(&id)?;
            let ok = lib.vault().verify(&e.sha256)?;
            show(
                json,
                &serde_json::json!({ "id": id, "sha256": e.sha256, "intact": ok }),
                |_| {
                    if ok {
                        say!("intact: the vault file still hashes to {}", e.sha256)
                    } else {
                        say!("ALTERED: the vault file no longer hashes to {}", e.sha256)
                    }
                },
            );
            if !ok {
                return Err(Failure::Findings);
            }
        }
    }
    Ok(())
}
