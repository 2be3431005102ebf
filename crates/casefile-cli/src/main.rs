//! `casefile`: the same operations as the desktop app, headless, on the same library.
//!
//! Each subcommand parses its arguments, calls one core operation and prints the result, as a
//! short human-readable text or, with `--json`, as JSON for scripts. Errors go to stderr as
//! `error[code]: message` (or as `{code, message}` JSON with `--json`).
//!
//! Exit status: 0 done; 1 an error; 3 a check ran and found problems; 4 the library stayed
//! locked (`wrong_passphrase`, `passphrase_required`, `keys_destroyed`). Passphrases come from
//! the file `CASEFILE_PASSPHRASE_FILE` names or the terminal, never the command line
//! (`passphrase.rs`).

use casefile_core::cases::{CaseEdit, CaseStatus, NewCase};
use casefile_core::{Error, ErrorDto, Library};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

mod bundle;
mod contents;
mod evidence;
mod library;
mod output;
mod passphrase;
use output::{print_json, say, visible_block, Table};

#[derive(Parser)]
#[command(
    name = "casefile",
    version,
    about = "Casefile: case files for documenting war crimes, from the command line"
)]
struct Cli {
    /// The library directory (holds casefile.db and vault/). Default: $CASEFILE_DATA_DIR, else
    /// the per-user data directory.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Print results (and errors) as JSON.
    #[arg(long, global = true)]
    json: bool,

    /// Log what Casefile does (ids, codes and timings; never case content) to stderr.
    #[arg(long, short, global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Encryption at rest: passphrases, recovery key, status, emergency key wipe.
    #[command(subcommand)]
    Library(library::LibraryCmd),
    /// Create, list, show and edit cases.
    #[command(subcommand)]
    Case(CaseCmd),
    /// The investigator profile recorded as the actor of every change.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Check the custody log and the records it covers.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Incidents: what happened, when, where.
    #[command(subcommand)]
    Incident(contents::IncidentCmd),
    /// People (victims, witnesses, sources, alleged perpetrators), by pseudonym.
    #[command(subcommand)]
    Person(contents::PersonCmd),
    /// Units and organisations.
    #[command(subcommand)]
    Unit(contents::UnitCmd),
    /// Acts (incident → victim) and involvements (perpetrator → incident or act).
    #[command(subcommand)]
    Act(contents::ActCmd),
    /// Witness statements, their versions and consent.
    #[command(subcommand)]
    Statement(contents::StatementCmd),
    /// Evidence: photos, video, audio, documents, kept bit for bit in the vault.
    #[command(subcommand)]
    Evidence(evidence::EvidenceCmd),
    /// Typed links between records.
    #[command(subcommand)]
    Link(contents::LinkCmd),
    /// Mark any record deleted, with a reason (nothing is removed).
    Delete {
        /// case, incident, person, unit, act, involvement, statement or link.
        record_type: String,
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Restore a deleted record.
    Restore { record_type: String, id: String },
    /// The custody entries of any record.
    History { record_type: String, id: String },
    /// Controlled vocabularies.
    #[command(subcommand)]
    Vocab(VocabCmd),
    /// Export a case as a signed BagIt bundle (a directory, or a ZIP with --zip), optionally
    /// encrypted for its receivers (--to).
    Export {
        #[arg(long = "case")]
        case_id: String,
        /// Where to write it (must not exist yet); an existing folder: into it, named after the
        /// case's reference code (or title), Cyrillic kept.
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        zip: bool,
        /// full, prosecutor or public.
        #[arg(long, default_value = "full")]
        profile: String,
        /// The language of the bundle's report.html: en or uk.
        #[arg(long, default_value = "en")]
        language: String,
        /// Encrypt the bundle (a ZIP) with age to this public key (age1…); repeat for several
        /// receivers. Only their secret keys open it (`age -d -i KEY`, or `--identity KEY`).
        #[arg(long = "to", value_name = "AGE_RECIPIENT")]
        to: Vec<String>,
    },
    /// Check a bundle (directory or ZIP): structure, hashes, signature, custody chain, schema.
    /// Needs no library. Exit 0 only when everything holds.
    Verify {
        path: PathBuf,
        /// The age identity file (secret key) that opens an encrypted bundle.
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
    /// Verify a bundle, then merge it into this library (idempotent; conflicts are kept). A
    /// bundle signed by a key not trusted for a case you hold changes nothing: what it would add
    /// or change is kept as conflicts. Needs your profile (`casefile profile set`).
    Import {
        path: PathBuf,
        /// Trust the key that signed it for its case first (confirm its fingerprint with the
        /// sender); a custody entry records the decision.
        #[arg(long)]
        trust: bool,
        /// The age identity file (secret key) that opens an encrypted bundle.
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
    },
    /// Trust a key to change a case (its bundles are merged from now on).
    Trust {
        #[arg(long = "case")]
        case_id: String,
        /// The key's fingerprint (64 hex digits, spaces allowed), as `casefile verify` shows it.
        fingerprint: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Stop trusting a key for a case (its later bundles become conflicts).
    Untrust {
        #[arg(long = "case")]
        case_id: String,
        fingerprint: String,
        #[arg(long)]
        reason: String,
    },
    /// The conflicts found by imports into a case.
    Conflicts {
        #[arg(long = "case")]
        case_id: String,
    },
    /// Resolve a conflict: keep this library's version or take the incoming one.
    Resolve {
        conflict_id: String,
        #[arg(long, value_parser = ["local", "incoming"])]
        keep: String,
    },
    /// This installation's signing key and its fingerprint.
    Key,
    /// Full-text search across the library or one case: words, "phrases", prefix*, AND/OR/NOT.
    Search {
        /// The query (not needed with --reindex).
        query: Option<String>,
        #[arg(long = "case")]
        case_id: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Rebuild the search index from the records.
        #[arg(long)]
        reindex: bool,
    },
    /// Load the sample case (Mariupol, March 2022), clearly marked as a sample; prints its id.
    Sample,
    /// Show where the library is and its schema version.
    Info,
}

#[derive(Subcommand)]
enum VocabCmd {
    /// The terms of one vocabulary, or of all.
    List { vocab: Option<String> },
    /// Add a term to a vocabulary, with its label in one language or more.
    Add {
        vocab: String,
        code: String,
        /// The English label.
        #[arg(long)]
        en: Option<String>,
        /// The Ukrainian label.
        #[arg(long, default_value = "")]
        uk: String,
        /// A label in another language, as LANG=LABEL (an ISO 639 code: `crh=…`); repeatable.
        #[arg(long = "label", value_name = "LANG=LABEL")]
        labels: Vec<String>,
    },
}

#[derive(Subcommand)]
enum CaseCmd {
    /// Create a case; prints its id.
    New {
        #[arg(long)]
        title: String,
        #[arg(long)]
        reference: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// List the cases that are not deleted.
    List,
    /// Show one case.
    Show { id: String },
    /// Change a case's fields or status.
    Edit {
        id: String,
        #[command(flatten)]
        fields: CaseFields,
    },
    /// Mark a case deleted (nothing is removed; it can be restored).
    Delete {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Restore a deleted case.
    Restore { id: String },
    /// Show the custody history of a case record.
    History { id: String },
    /// Where a case came from: its origin key, the keys trusted for it, every bundle received.
    Origin { id: String },
}

#[derive(Args)]
struct CaseFields {
    #[arg(long)]
    title: Option<String>,
    /// An empty value clears the reference code.
    #[arg(long)]
    reference: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// open, closed or archived.
    #[arg(long)]
    status: Option<String>,
}

#[derive(Subcommand)]
enum ProfileCmd {
    /// Set the investigator's name and organisation.
    Set {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        organisation: String,
    },
    Show,
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Recompute the custody chain, check it against the head file, and check every record,
    /// statement version, term, key and vault original against its latest entry.
    Verify {
        /// Also re-hash every original in the vault (reads every byte; progress on stderr).
        #[arg(long)]
        files: bool,
    },
    /// Accept the custody log as it stands when the head file disagrees with it (after restoring
    /// a backup, say); a custody entry records what was found and why it was accepted.
    AcceptHead {
        #[arg(long)]
        reason: String,
    },
}

fn main() -> ExitCode {
    // Behave like other command-line tools when the reader goes away (`casefile ... | head`).
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let json = cli.json;
    let level = if cli.verbose {
        tracing::Level::DEBUG
    } else {
        tracing::Level::WARN
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .try_init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Error(e)) => {
            if json {
                print_json(&ErrorDto::from(&e));
            } else {
                eprintln!("error[{}]: {}", e.code(), output::visible(&e.to_string()));
                if e.code() == "passphrase_required" {
                    eprintln!(
                        "(no terminal to ask on: put the passphrase in a file readable only by you and set {} to its path)",
                        passphrase::FILE_VAR
                    );
                }
            }
            ExitCode::from(exit_status(&e))
        }
        Err(Failure::Findings) => ExitCode::from(3),
    }
}

pub(crate) enum Failure {
    Error(Error),
    /// A check ran and found problems (already printed).
    Findings,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Error(e)
    }
}

/// 4 when the library stayed locked, so scripts can tell it from other failures; else 1.
fn exit_status(e: &Error) -> u8 {
    match e.code() {
        "wrong_passphrase" | "passphrase_required" | "keys_destroyed" => 4,
        _ => 1,
    }
}

pub(crate) fn show<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T)) {
    if json {
        print_json(value)
    } else {
        human(value)
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    if let Command::Verify { path, identity } = &cli.command {
        return bundle::verify(json, path, identity.as_deref());
    }
    let dir = casefile_core::resolve_data_dir(cli.data_dir);
    let command = match cli.command {
        Command::Library(cmd) => return library::run(&dir, json, cmd),
        other => other,
    };
    let mut lib = library::open(&dir)?;
    match command {
        Command::Library(_) => unreachable!("handled before the library is opened"),
        Command::Info => show(json, &lib.info()?, |i| {
            say!("library:  {}", i.data_dir.display());
            say!("schema:   {}", i.schema_version);
            say!("casefile: {}", i.version);
            match &i.profile {
                Some(p) => say!("profile:  {} ({})", p.name, p.organisation),
                None => say!("profile:  not set (casefile profile set --name ...)"),
            }
        }),
        Command::Profile(ProfileCmd::Set { name, organisation }) => {
            let p = lib.set_profile(&name, &organisation)?;
            show(json, &p, |p| {
                say!("profile set: {} ({})", p.name, p.organisation)
            });
        }
        Command::Profile(ProfileCmd::Show) => show(json, &lib.profile()?, |p| match p {
            Some(p) => say!("{} ({})", p.name, p.organisation),
            None => say!("no profile set"),
        }),
        Command::Case(cmd) => case_cmd(&mut lib, json, cmd)?,
        Command::Incident(cmd) => contents::incident(&mut lib, json, cmd)?,
        Command::Person(cmd) => contents::person(&mut lib, json, cmd)?,
        Command::Unit(cmd) => contents::unit(&mut lib, json, cmd)?,
        Command::Act(cmd) => contents::act(&mut lib, json, cmd)?,
        Command::Statement(cmd) => contents::statement(&mut lib, json, cmd)?,
        Command::Link(cmd) => contents::link(&mut lib, json, cmd)?,
        Command::Evidence(cmd) => evidence::evidence(&mut lib, json, cmd)?,
        Command::Delete {
            record_type,
            id,
            reason,
        } => {
            lib.delete(&record_type, &id, &reason)?;
            show(json, &serde_json::json!({ "ok": true }), |_| {
                say!("{record_type} {id} marked deleted")
            });
        }
        Command::Restore { record_type, id } => {
            lib.restore(&record_type, &id)?;
            show(json, &serde_json::json!({ "ok": true }), |_| {
                say!("{record_type} {id} restored")
            });
        }
        Command::History { record_type, id } => {
            print_history(json, &lib.history_entries(&record_type, &id, false)?)
        }
        Command::Vocab(VocabCmd::List { vocab }) => {
            show(json, &lib.terms(vocab.as_deref())?, |terms| {
                // Labels in languages beyond English and Ukrainian get a column when there are any.
                let others = |x: &casefile_core::vocab::Term| {
                    x.labels
                        .iter()
                        .filter(|(l, _)| *l != "en" && *l != "uk")
                        .map(|(l, v)| format!("{l}: {v}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let any_other = terms.iter().any(|x| !others(x).is_empty());
                let mut head = vec!["VOCABULARY", "CODE", "ENGLISH", "УКРАЇНСЬКА"];
                if any_other {
                    head.push("OTHER");
                }
                let mut t = Table::new(&head);
                for x in terms {
                    let mut row = vec![
                        x.vocab.clone(),
                        x.code.clone(),
                        x.label_en.clone(),
                        x.label_uk.clone(),
                    ];
                    if any_other {
                        row.push(others(x));
                    }
                    t.row(row);
                }
                t.print();
            })
        }
        Command::Vocab(VocabCmd::Add {
            vocab,
            code,
            en,
            uk,
            labels,
        }) => {
            let mut all = std::collections::BTreeMap::new();
            all.insert("en".to_string(), en.unwrap_or_default());
            all.insert("uk".to_string(), uk);
            for l in &labels {
                let Some((lang, text)) = l.split_once('=') else {
                    return Err(casefile_core::Error::invalid_rule(
                        "label",
                        "bad_format",
                        casefile_core::error::params([("value", l.as_str().into())]),
                        format!("--label takes LANG=LABEL, not \"{l}\""),
                    )
                    .into());
                };
                all.insert(lang.trim().to_string(), text.to_string());
            }
            let t = lib.add_term_labels(&vocab, &code, &all)?;
            show(json, &t, |t| say!("added {}:{}", t.vocab, t.code));
        }
        Command::Export {
            case_id,
            out,
            zip,
            profile,
            language,
            to,
        } => bundle::export(
            &mut lib,
            json,
            &case_id,
            &out,
            bundle::Format {
                zip,
                profile: &profile,
                language: &language,
            },
            &to,
        )?,
        Command::Verify { .. } => unreachable!("handled before the library is opened"),
        Command::Import {
            path,
            trust,
            identity,
        } => bundle::import(&mut lib, json, &path, trust, identity.as_deref())?,
        Command::Trust {
            case_id,
            fingerprint,
            reason,
        } => {
            let k = lib.trust_key(&case_id, &fingerprint, &reason)?;
            show(json, &k, |k| {
                say!("trusted key {} for case {}", k.fingerprint, k.case_id)
            });
        }
        Command::Untrust {
            case_id,
            fingerprint,
            reason,
        } => {
            let k = lib.revoke_key(&case_id, &fingerprint, &reason)?;
            show(json, &k, |k| {
                say!(
                    "key {} is no longer trusted for case {}",
                    k.fingerprint,
                    k.case_id
                )
            });
        }
        Command::Conflicts { case_id } => bundle::conflicts(&lib, json, &case_id)?,
        Command::Resolve { conflict_id, keep } => {
            lib.resolve_conflict(&conflict_id, keep == "incoming")?;
            show(json, &serde_json::json!({ "ok": true }), |_| {
                say!("resolved: kept {keep}")
            });
        }
        Command::Search {
            query,
            case_id,
            limit,
            reindex,
        } => {
            if reindex {
                let n = lib.reindex()?;
                show(json, &serde_json::json!({ "indexed": n }), |_| {
                    say!("search index rebuilt: {n} records")
                });
            }
            if let Some(q) = query {
                let r = lib.search(&q, case_id.as_deref(), limit, 0)?;
                show(json, &r, |r| {
                    let plain = |s: &str| {
                        s.replace(casefile_core::search::MARK_START, "[")
                            .replace(casefile_core::search::MARK_END, "]")
                    };
                    if r.hits.is_empty() {
                        say!("no matches");
                        if let Some(s) = &r.suggestion {
                            say!("try: {s}");
                        }
                    }
                    for h in &r.hits {
                        say!("{:<10} {}  {}", h.record_type, h.record_id, plain(&h.title));
                        if !h.snippet.is_empty() {
                            say!("           {}", plain(&h.snippet));
                        }
                    }
                    if r.more {
                        say!("(more results: use --limit)");
                    }
                });
            } else if !reindex {
                return Err(
                    casefile_core::Error::invalid("query", "give a query, or --reindex").into(),
                );
            }
        }
        Command::Key => show(json, &lib.key_info()?, |k| {
            say!("public key:  {}", k.public_key);
            say!("fingerprint: {}", k.fingerprint);
        }),
        Command::Sample => {
            let c = lib.load_sample()?;
            show(json, &c, |c| say!("{}", c.id));
        }
        Command::Audit(AuditCmd::Verify { files }) => {
            let mut last_shown = std::time::Instant::now();
            let mut finished = false;
            let mut progress = |done: u64, total: u64| {
                if !json
                    && files
                    && total > 0
                    && !finished
                    && (last_shown.elapsed().as_millis() > 500 || done == total)
                {
                    last_shown = std::time::Instant::now();
                    eprint!(
                        "\rre-hashing originals: {:.1} of {:.1} MB",
                        done as f64 / 1e6,
                        total as f64 / 1e6
                    );
                    if done == total {
                        eprintln!();
                        finished = true;
                    }
                }
            };
            let report = lib.audit_verify_with(
                casefile_core::audit::AuditOptions { files },
                &std::sync::atomic::AtomicBool::new(false),
                &mut progress,
            )?;
            show(json, &report, |r| {
                say!("custody entries: {}", r.entries);
                say!(
                    "records checked: {} (and {} statement versions)",
                    r.records_checked,
                    r.versions_checked
                );
                say!(
                    "vault originals: {} checked{}",
                    r.files_checked,
                    if r.files_rehashed {
                        ", every byte re-hashed"
                    } else {
                        " (not re-hashed: use --files)"
                    }
                );
                match &r.chain_problem {
                    None => say!("chain: intact"),
                    Some(p) => say!("chain: BROKEN at entry {}: {}", p.seq, p.message),
                }
                match (&r.head_problem, &r.head_note) {
                    (Some(p), _) => say!("head: PROBLEM: {p}"),
                    (None, Some(n)) => say!("head: {n}"),
                    (None, None) => say!("head: the log ends where the head file says"),
                }
                for p in &r.record_problems {
                    say!("record: {}", p.message);
                }
                if r.ok() {
                    say!("OK: the custody log is intact and every record matches it");
                }
            });
            if !report.ok() {
                return Err(Failure::Findings);
            }
        }
        Command::Audit(AuditCmd::AcceptHead { reason }) => {
            lib.accept_log_head(&reason)?;
            show(json, &serde_json::json!({ "ok": true }), |_| {
                say!("the custody log was accepted as it stands; a custody entry records it")
            });
        }
    }
    Ok(())
}

fn case_cmd(lib: &mut Library, json: bool, cmd: CaseCmd) -> Result<(), Failure> {
    let print_case = |c: &casefile_core::cases::Case| {
        say!("id:          {}", c.id);
        say!("title:       {}", c.title);
        say!("reference:   {}", c.reference.as_deref().unwrap_or("-"));
        say!("status:      {}", c.status);
        say!("created:     {}", c.created_at);
        say!("updated:     {}", c.updated_at);
        if let Some(d) = &c.deleted_at {
            say!(
                "deleted:     {} ({})",
                d,
                c.deleted_reason.as_deref().unwrap_or("")
            );
        }
        if !c.description.is_empty() {
            say!("description:");
            println!("{}", visible_block(&c.description));
        }
    };
    match cmd {
        CaseCmd::New {
            title,
            reference,
            description,
        } => {
            let c = lib.create_case(NewCase {
                title,
                reference,
                description,
            })?;
            show(json, &c, |c| say!("{}", c.id));
        }
        CaseCmd::List => {
            let cases = lib.list_cases()?;
            show(json, &cases, |cases| {
                let mut t = Table::new(&["ID", "REFERENCE", "STATUS", "TITLE"]);
                for c in cases {
                    t.row(vec![
                        c.id.clone(),
                        c.reference.clone().unwrap_or_default(),
                        c.status.to_string(),
                        c.title.clone(),
                    ]);
                }
                t.print();
            });
        }
        CaseCmd::Show { id } => show(json, &lib.get_case(&id)?, print_case),
        CaseCmd::Edit { id, fields } => {
            let status = fields
                .status
                .as_deref()
                .map(str::parse::<CaseStatus>)
                .transpose()?;
            let c = lib.edit_case(
                &id,
                CaseEdit {
                    title: fields.title,
                    reference: fields.reference,
                    description: fields.description,
                    status,
                },
            )?;
            show(json, &c, print_case);
        }
        CaseCmd::Delete { id, reason } => show(json, &lib.delete_case(&id, &reason)?, print_case),
        CaseCmd::Restore { id } => show(json, &lib.restore_case(&id)?, print_case),
        CaseCmd::Origin { id } => show(json, &lib.provenance(&id)?, |p| {
            match &p.origin {
                Some(o) if o.fingerprint == p.own_key => {
                    say!("origin:   this installation ({})", o.fingerprint)
                }
                Some(o) => say!(
                    "origin:   {}{}",
                    o.fingerprint,
                    if o.revoked_at.is_some() {
                        " (revoked)"
                    } else {
                        ""
                    }
                ),
                None => say!("origin:   not recorded"),
            }
            for k in p.keys.iter().filter(|k| k.role != "origin") {
                let state = match &k.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => format!("trusted since {}", k.created_at),
                };
                say!("key:      {}  {state}  {}", k.fingerprint, k.reason);
            }
            if p.received.is_empty() {
                say!("received: no bundles");
            }
            for b in &p.received {
                let trust = match b.trusted {
                    Some(true) => "trusted",
                    Some(false) => "NOT trusted: its changes were kept as conflicts",
                    None => "trust not checked (before Casefile 0.2)",
                };
                say!(
                    "received: {}  from key {}  {}  ({})",
                    b.received_at,
                    b.signed_by,
                    b.sender.as_deref().unwrap_or(""),
                    trust
                );
            }
        }),
        CaseCmd::History { id } => {
            lib.get_case(&id)?;
            print_history(json, &lib.history_entries("case", &id, false)?);
        }
    }
    Ok(())
}

fn print_history(json: bool, h: &[casefile_core::history::HistoryEntry]) {
    show(json, &h, |h| {
        let mut t = Table::new(&[
            "SEQ",
            "AT",
            "ACTOR",
            "ACTION",
            "CHANGED",
            "DIGEST",
            "RECEIVED FROM",
        ]);
        for x in h.iter() {
            let e = &x.entry;
            let from = match (&x.received_from, x.received_trusted) {
                (Some(k), Some(false)) => format!("{k} (not trusted)"),
                (Some(k), _) => k.clone(),
                (None, _) => String::new(),
            };
            t.row(vec![
                e.seq.to_string(),
                e.at.clone(),
                e.actor.clone(),
                e.action.clone(),
                x.changed.join(", "),
                e.digest.clone().unwrap_or_default(),
                from,
            ]);
        }
        t.print();
    });
}
