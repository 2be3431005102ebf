//! Encrypting a plaintext library in place, crash-safely.
//!
//! The encrypted library is built beside the plaintext one, in `encrypt.new/`: the key slots, an
//! encrypted copy of the database (`sqlcipher_export`) and a sealed copy of every vault file,
//! all synced. Renaming `encrypt.new/` to `encrypt.done/` is the one step that commits: before
//! it, a crash leaves the plaintext library as it was (the next open removes `encrypt.new/`);
//! after it, every open finishes the work ([`settle`]): the sealed vault, the key slots and the
//! encrypted database are renamed into place, each rename repeatable, and then the plaintext
//! files are overwritten and removed. So a kill -9 at any moment leaves either the old library or
//! the new one, whole.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::store::crypt::MasterKey;
use crate::store::keyslots::{self, KdfParams, KeysFile};
use crate::store::library::{Library, DB_FILE};
use crate::store::{db, vault};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const STAGING: &str = "encrypt.new";
const COMMITTED: &str = "encrypt.done";
const DB_SIDE: [&str; 3] = ["", "-wal", "-shm"];

/// Whether an encryption has committed and is still being finished.
pub(crate) fn committed(dir: &Path) -> bool {
    dir.join(COMMITTED).is_dir()
}

/// The key slots, wherever they are (in `encrypt.done/` until an encryption is finished).
pub(crate) fn load_slots(dir: &Path) -> Result<KeysFile> {
    if keyslots::present(dir) {
        return keyslots::load(dir);
    }
    let pending = dir.join(COMMITTED);
    if keyslots::present(&pending) {
        return keyslots::load(&pending);
    }
    Err(Error::Corrupt(format!(
        "the library is encrypted but its key slots file ({}) is missing",
        keyslots::KEYS_FILE
    )))
}

/// Removes what an encryption that never committed left (opening a plaintext library).
pub(crate) fn abandon(dir: &Path) -> Result<()> {
    let staging = dir.join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    Ok(())
}

fn sync(p: &Path) -> Result<()> {
    File::open(p)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(p, e))
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| Error::io(to, e))
}

/// For the crash tests (debug builds only): stops the process at the named step, as a kill -9
/// there would, when `CASEFILE_TEST_CRASH_AT` names it.
fn crash_point(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("CASEFILE_TEST_CRASH_AT").is_ok_and(|v| v == step) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}

/// Finishes a committed encryption (see the module documentation); nothing to do otherwise.
/// Every step can be repeated, so a crash here is finished by the next open.
pub(crate) fn settle(dir: &Path) -> Result<()> {
    let done = dir.join(COMMITTED);
    if !done.is_dir() {
        return Ok(());
    }
    let v = dir.join(vault::VAULT_DIR);
    vault::move_sealed(&done.join(vault::VAULT_DIR), &v)?;
    crash_point("vault moved");
    let keys = done.join(keyslots::KEYS_FILE);
    if keys.exists() {
        rename(&keys, &dir.join(keyslots::KEYS_FILE))?;
    }
    crash_point("keys moved");
    let new_db = done.join(DB_FILE);
    if new_db.exists() {
        for side in DB_SIDE {
            let p = dir.join(format!("{DB_FILE}{side}"));
            if p.exists() {
                rename(&p, &done.join(format!("plain{side}")))?;
            }
        }
        crash_point("plaintext database moved aside");
        rename(&new_db, &dir.join(DB_FILE))?;
    }
    sync(dir)?;
    crash_point("encrypted database in place");
    // Committed and in place: now the plaintext goes.
    for side in DB_SIDE {
        let p = done.join(format!("plain{side}"));
        if p.exists() {
            crate::fsutil::shred(&p)?;
        }
    }
    crash_point("plaintext database shredded");
    vault::shred_plaintext(&v)?;
    crash_point("plaintext vault shredded");
    fs::remove_dir_all(&done).map_err(|e| Error::io(&done, e))?;
    sync(dir)?;
    tracing::info!("encryption in place finished");
    Ok(())
}

/// Encrypts the plaintext library `lib` in place under `passphrase` (see the module
/// documentation). Returns its folder, clock and master key, for opening it again encrypted.
/// `progress` gets (files done, files in all).
pub(crate) fn encrypt_in_place(
    lib: Library,
    passphrase: &str,
    kdf: KdfParams,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(PathBuf, Arc<dyn Clock>, MasterKey)> {
    if lib.is_encrypted() {
        return Err(Error::invalid(
            "passphrase",
            "this library is already encrypted",
        ));
    }
    let master = MasterKey::generate()?;
    let mut slots = KeysFile::new();
    slots.add_passphrase(&master, passphrase, kdf)?;
    let dir = lib.dir().to_path_buf();
    let staging = dir.join(STAGING);
    abandon(&dir)?;
    crate::fsutil::private_dir(&staging)?;
    let built = (|| -> Result<()> {
        let keys = Arc::new(master.library_keys()?);
        keyslots::store(&staging, &slots)?;
        let sealed = vault::Vault::open(&staging.join(vault::VAULT_DIR), Some(keys.clone()))?;
        lib.vault().seal_into(&sealed, progress)?;
        let new_db = staging.join(DB_FILE);
        db::export_encrypted(lib.conn(), &new_db, &keys)?;
        File::open(&new_db)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&new_db, e))?;
        sync(&staging)?;
        Ok(())
    })();
    if let Err(e) = built {
        let _ = abandon(&dir);
        return Err(e);
    }
    let (dir, clock, conn, locks) = lib.into_parts();
    drop(conn);
    // The commit.
    crash_point("before commit");
    rename(&staging, &dir.join(COMMITTED))?;
    sync(&dir)?;
    crash_point("committed");
    settle(&dir)?;
    drop(locks);
    Ok((dir, clock, master))
}
