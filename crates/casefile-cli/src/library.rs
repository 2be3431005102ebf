//! `casefile library ...`: the library's encryption at rest, its passphrases (key slots), the
//! organisation recovery key and the emergency key wipe. Opening a library for every other
//! command ([`open`]) lives here too: how it is opened depends on what the folder holds.

use crate::output::say;
use crate::passphrase::{self, NewFor};
use crate::{show, Failure};
use casefile_core::clock::{format_ts, Clock, SystemClock};
use casefile_core::{Access, EncryptionStatus, Error, KdfParams, Library, LibraryState};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Subcommand)]
pub enum LibraryCmd {
    /// Make a new, encrypted library in the data directory (asks for its passphrase twice).
    Init,
    /// Encrypt a library from before encryption in place (crash-safe; progress on stderr).
    Encrypt,
    /// Change the passphrase you unlock with; the old one stops working.
    Passwd,
    /// Add another passphrase (another investigator's, say); each one unlocks the library.
    AddKey,
    /// Remove a key slot (`library status` lists them); never the last passphrase.
    RemoveKey {
        #[arg(long)]
        slot: u32,
    },
    /// Set the organisation recovery key: an age public key (age1…) whose secret key the
    /// organisation keeps away from this laptop. Replaces an earlier one.
    RecoveryKey {
        #[arg(value_name = "AGE_RECIPIENT")]
        recipient: String,
    },
    /// Open the library with the organisation's age identity file (its secret key) and set a
    /// new passphrase: after the investigator's passphrase was lost or its keys destroyed.
    Recover {
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
    },
    /// Whether the library is encrypted, its key slots and their costs, the recovery key.
    /// Needs no passphrase.
    Status,
    /// Emergency (a seizure is imminent): destroy every passphrase slot at once. The library
    /// can then be opened only with the organisation recovery key, or never if none is set.
    DestroyKeys {
        /// The library folder's name, to confirm without being asked.
        #[arg(long, value_name = "NAME")]
        confirm: Option<String>,
    },
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// Opens the library in `dir` as its folder requires: a new encrypted one if there is none, an
/// encrypted one with its passphrase, one from before encryption with a warning on stderr.
pub fn open(dir: &Path) -> Result<Library, Error> {
    match Library::state(dir) {
        LibraryState::Missing => {
            let kdf = KdfParams::configured()?;
            let from_files = [passphrase::FILE_VAR, passphrase::NEW_FILE_VAR]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
            if !from_files && passphrase::has_terminal() {
                eprintln!(
                    "There is no library in {} yet: making a new, encrypted one.",
                    dir.display()
                );
            }
            let p = passphrase::new_passphrase(NewFor::Library)?;
            Library::create(dir, clock(), &p, kdf)
        }
        LibraryState::Plaintext => {
            eprintln!(
                "warning: the library in {} is not encrypted: anyone holding this disk can read it. Encrypt it with `casefile library encrypt`.",
                dir.display()
            );
            Library::open(dir, clock(), Access::Plaintext)
        }
        LibraryState::Encrypted => {
            let p = passphrase::current(dir)?;
            Library::unlock(dir, clock(), &p)
        }
        LibraryState::KeysDestroyed => Err(Error::KeysDestroyed),
    }
}

fn print_status(dir: &Path, s: &EncryptionStatus) {
    say!("library:   {}", dir.display());
    let state = match s.state {
        LibraryState::Missing => "no library here yet",
        LibraryState::Plaintext => {
            "NOT ENCRYPTED: anyone holding this disk can read it (casefile library encrypt)"
        }
        LibraryState::Encrypted => "encrypted",
        LibraryState::KeysDestroyed => {
            "encrypted, passphrases DESTROYED: only the organisation recovery key opens it"
        }
    };
    say!("state:     {state}");
    let default = KdfParams::default();
    for slot in &s.slots {
        let you = if s.unlocked_with == Some(slot.slot) {
            "  (unlocked with this one)"
        } else {
            ""
        };
        match (&slot.kdf, &slot.recipient) {
            (Some(k), _) => say!(
                "slot {}:    passphrase, Argon2id m={} MiB t={} p={}{}{you}",
                slot.slot,
                k.memory_kib / 1024,
                k.iterations,
                k.parallelism,
                if k.memory_kib < default.memory_kib || k.iterations < default.iterations {
                    " (cheaper than the default: easier to guess)"
                } else {
                    ""
                }
            ),
            (None, Some(r)) => say!("slot {}:    organisation recovery key {r}{you}", slot.slot),
            (None, None) => say!("slot {}:    {}{you}", slot.slot, slot.kind),
        }
    }
    if matches!(
        s.state,
        LibraryState::Encrypted | LibraryState::KeysDestroyed
    ) && !s.slots.iter().any(|x| x.kind == "recovery")
    {
        say!("recovery:  none set (casefile library recovery-key AGE_RECIPIENT)");
    }
    if let Some(at) = &s.keys_destroyed_at {
        say!("keys destroyed at {at}");
    }
}

fn need_state(dir: &Path, wanted: &[LibraryState]) -> Result<LibraryState, Error> {
    let state = Library::state(dir);
    if wanted.contains(&state) {
        return Ok(state);
    }
    Err(match state {
        LibraryState::Missing => Error::NoLibrary(dir.to_path_buf()),
        LibraryState::KeysDestroyed => Error::KeysDestroyed,
        LibraryState::Plaintext => Error::invalid(
            "passphrase",
            "this library is not encrypted yet: encrypt it first (casefile library encrypt)",
        ),
        LibraryState::Encrypted if wanted.contains(&LibraryState::Missing) => Error::invalid(
            "path",
            format!("there is already a library in {}", dir.display()),
        ),
        LibraryState::Encrypted => Error::invalid("path", "this library is already encrypted"),
    })
}

pub fn run(dir: &Path, json: bool, cmd: LibraryCmd) -> Result<(), Failure> {
    match cmd {
        LibraryCmd::Status => {
            let s = Library::encryption_status(dir)?;
            show(json, &s, |s| print_status(dir, s));
        }
        LibraryCmd::Init => {
            need_state(dir, &[LibraryState::Missing])?;
            let kdf = KdfParams::configured()?;
            let p = passphrase::new_passphrase(NewFor::Library)?;
            let lib = Library::create(dir, clock(), &p, kdf)?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!("made a new encrypted library");
                print_status(dir, s);
            });
        }
        LibraryCmd::Encrypt => {
            need_state(dir, &[LibraryState::Plaintext])?;
            let kdf = KdfParams::configured()?;
            let p = passphrase::new_passphrase(NewFor::Library)?;
            let lib = Library::open(dir, clock(), Access::Plaintext)?;
            let mut last = std::time::Instant::now();
            let mut progress = |done: u64, total: u64| {
                if last.elapsed().as_millis() > 300 || done == total {
                    last = std::time::Instant::now();
                    eprint!("\rencrypting: {done} of {total} files");
                    if done == total {
                        eprintln!();
                    }
                }
            };
            let lib = lib.encrypt_in_place(&p, kdf, &mut progress)?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!("the library is encrypted; its plaintext files were overwritten and removed");
                say!(
                    "(on an SSD, copies of them may remain in blocks the disk has not reused yet)"
                );
                print_status(dir, s);
            });
        }
        LibraryCmd::Passwd => {
            need_state(dir, &[LibraryState::Encrypted])?;
            passphrase::ensure_new_available(NewFor::Slot)?;
            let mut lib = unlock(dir)?;
            let p = passphrase::new_passphrase(NewFor::Slot)?;
            let slot = lib.change_passphrase(&p, KdfParams::configured()?)?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!(
                    "passphrase changed (now slot {slot}); the old one no longer opens the library"
                );
                print_status(dir, s);
            });
        }
        LibraryCmd::AddKey => {
            need_state(dir, &[LibraryState::Encrypted])?;
            passphrase::ensure_new_available(NewFor::Slot)?;
            let mut lib = unlock(dir)?;
            let p = passphrase::new_passphrase(NewFor::Slot)?;
            let slot = lib.add_passphrase(&p, KdfParams::configured()?)?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!("passphrase added in slot {slot}");
                print_status(dir, s);
            });
        }
        LibraryCmd::RemoveKey { slot } => {
            let mut lib = unlock(dir)?;
            lib.remove_key_slot(slot)?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!("slot {slot} removed");
                print_status(dir, s);
            });
        }
        LibraryCmd::RecoveryKey { recipient } => {
            let mut lib = unlock(dir)?;
            let slot = lib.set_recovery_key(&recipient)?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!("organisation recovery key set (slot {slot}): its secret key opens this library; keep it away from this laptop");
                print_status(dir, s);
            });
        }
        LibraryCmd::Recover { identity } => {
            need_state(dir, &[LibraryState::Encrypted, LibraryState::KeysDestroyed])?;
            let text = zeroize::Zeroizing::new(
                std::fs::read(&identity).map_err(|e| Error::io(&identity, e))?,
            );
            let p = passphrase::new_passphrase(NewFor::Slot)?;
            let lib = Library::open(
                dir,
                clock(),
                Access::Recovery {
                    identity: &text,
                    new_passphrase: &p,
                    kdf: KdfParams::configured()?,
                },
            )?;
            let s = lib.key_status()?;
            show(json, &s, |s| {
                say!("opened with the organisation recovery key; the new passphrase opens the library from now on");
                print_status(dir, s);
            });
        }
        LibraryCmd::DestroyKeys { confirm } => destroy_keys(dir, json, confirm)?,
    }
    Ok(())
}

fn unlock(dir: &Path) -> Result<Library, Error> {
    need_state(dir, &[LibraryState::Encrypted])?;
    let p = passphrase::current(dir)?;
    Library::unlock(dir, clock(), &p)
}

fn destroy_keys(dir: &Path, json: bool, confirm: Option<String>) -> Result<(), Failure> {
    let state = need_state(dir, &[LibraryState::Encrypted, LibraryState::KeysDestroyed])?;
    let status = Library::encryption_status(dir)?;
    if state == LibraryState::KeysDestroyed {
        show(json, &status, |s| {
            say!("the passphrases of this library were already destroyed");
            print_status(dir, s);
        });
        return Ok(());
    }
    let name = dir
        .canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let recovery = status.slots.iter().any(|s| s.kind == "recovery");
    let meaning = if recovery {
        "Every passphrase of this library will be destroyed. It can then be opened only with the organisation recovery key (casefile library recover --identity FILE)."
    } else {
        "Every passphrase of this library will be destroyed, and it has NO organisation recovery key: nobody will ever be able to open it again, you included."
    };
    let typed = match confirm {
        Some(c) => c,
        None => {
            eprintln!("{meaning}");
            passphrase::ask_line(&format!(
                "Type the library folder's name ({name}) to destroy its keys: "
            ))
            .ok_or_else(|| {
                Error::invalid(
                    "confirm",
                    "no terminal to confirm on: give --confirm with the library folder's name",
                )
            })?
        }
    };
    if typed != name || name.is_empty() {
        return Err(Error::invalid(
            "confirm",
            format!("\"{typed}\" is not the library folder's name ({name}); nothing was changed"),
        )
        .into());
    }
    let recovery_left =
        casefile_core::keyslots::destroy_passphrases(dir, &format_ts(SystemClock.now()))?;
    let after = Library::encryption_status(dir)?;
    if json {
        crate::output::print_json(&serde_json::json!({
            "destroyed": true,
            "recovery_key_left": recovery_left,
            "status": after,
        }));
    } else {
        say!("the passphrases of this library were destroyed");
        if recovery_left {
            say!("only the organisation recovery key can open it now (casefile library recover --identity FILE)");
        } else {
            say!("it had no organisation recovery key: it can never be opened again");
        }
        say!("a Casefile window that has it open still holds its key in memory: close it, and switch the laptop off");
        print_status(dir, &after);
    }
    Ok(())
}
