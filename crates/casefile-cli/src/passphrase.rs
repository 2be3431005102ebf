//! Passphrases for the CLI: read from a file named by an environment variable (scripts and
//! tests), else typed on the terminal without echo. Never from the command line: arguments are
//! visible to every user of the machine (`ps`) and stay in shell history.
//!
//! Passphrases are held in [`Secret`] (`Zeroizing<String>`), wiped from memory when dropped.

use casefile_core::keyslots::check_passphrase;
use casefile_core::Error;
use std::io::{BufRead, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// A file holding the library's passphrase (one trailing line break is ignored).
pub const FILE_VAR: &str = "CASEFILE_PASSPHRASE_FILE";
/// A file holding a new passphrase (`library passwd`, `add-key`, `recover`, `init`, `encrypt`).
pub const NEW_FILE_VAR: &str = "CASEFILE_NEW_PASSPHRASE_FILE";

pub type Secret = Zeroizing<String>;

/// What a new passphrase is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NewFor {
    /// A library that has none yet (a new one, or one being encrypted): the passphrase file
    /// serves if no new-passphrase file is given.
    Library,
    /// Another or a replacement passphrase for an open library (or one being recovered).
    Slot,
}

/// The passphrase in the file `var` names, if it names one.
fn from_file(var: &str) -> Result<Option<Secret>, Error> {
    let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bytes = Zeroizing::new(std::fs::read(&path).map_err(|e| Error::io(&path, e))?);
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::invalid(
            "passphrase",
            format!("the file {var} names is not UTF-8 text"),
        )
    })?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    Ok(Some(Zeroizing::new(text.to_string())))
}

/// Asks on the terminal, without echo. No terminal: `passphrase_required`.
fn prompt(label: &str) -> Result<Secret, Error> {
    if !has_terminal() {
        return Err(Error::PassphraseRequired);
    }
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|_| Error::PassphraseRequired)
}

/// Whether there is a terminal to ask on (the controlling terminal, whatever stdin is).
pub fn has_terminal() -> bool {
    #[cfg(unix)]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal()
    }
}

/// The passphrase of the library in `dir`: from `CASEFILE_PASSPHRASE_FILE`, else asked.
pub fn current(dir: &Path) -> Result<Secret, Error> {
    match from_file(FILE_VAR)? {
        Some(p) => Ok(p),
        None => prompt(&format!("Passphrase for the library {}: ", dir.display())),
    }
}

/// Fails with `passphrase_required` now, before anything is opened, if a new passphrase could
/// not be had later (no file given and no terminal to ask on).
pub fn ensure_new_available(what: NewFor) -> Result<(), Error> {
    let given = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if given(NEW_FILE_VAR) || (what == NewFor::Library && given(FILE_VAR)) || has_terminal() {
        Ok(())
    } else {
        Err(Error::PassphraseRequired)
    }
}

/// A new passphrase: from `CASEFILE_NEW_PASSPHRASE_FILE`, else (for a new library)
/// `CASEFILE_PASSPHRASE_FILE`, else asked twice.
pub fn new_passphrase(what: NewFor) -> Result<Secret, Error> {
    let given = match from_file(NEW_FILE_VAR)? {
        Some(p) => Some(p),
        None if what == NewFor::Library => from_file(FILE_VAR)?,
        None => None,
    };
    if let Some(p) = given {
        check_passphrase(&p)?;
        return Ok(p);
    }
    if !has_terminal() {
        return Err(Error::PassphraseRequired);
    }
    eprintln!(
        "Choose a passphrase: several unrelated words are strong and easy to type. Without it \
         the library cannot be opened (only an organisation recovery key, if one is set, can)."
    );
    let first = prompt("New passphrase: ")?;
    check_passphrase(&first)?;
    if first.chars().count() < 12 {
        eprintln!("note: a passphrase this short can be guessed by someone holding the disk; a longer one is safer");
    }
    let again = prompt("The same passphrase again: ")?;
    if *first != *again {
        return Err(Error::invalid(
            "passphrase",
            "the two passphrases differ; nothing was changed",
        ));
    }
    Ok(first)
}

/// Reads one visible line from the terminal after `label` (a confirmation), if there is one.
pub fn ask_line(label: &str) -> Option<String> {
    #[cfg(unix)]
    {
        let mut tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        tty.write_all(label.as_bytes()).ok()?;
        tty.flush().ok()?;
        let mut line = String::new();
        std::io::BufReader::new(tty).read_line(&mut line).ok()?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            return None;
        }
        eprint!("{label}");
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok()?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
