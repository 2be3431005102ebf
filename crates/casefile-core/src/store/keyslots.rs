//! The key slots file, `casefile.keys`, beside the database: each slot holds the library's master
//! key wrapped for one way in.
//!
//! - A **passphrase slot** wraps the master key with XChaCha20-Poly1305 under a key made by
//!   Argon2id from the passphrase; its Argon2 parameters and salt are stored with it, so slots
//!   made with different costs live side by side. Several passphrases (one per investigator
//!   sharing a laptop) each have their own slot; adding, removing or changing one rewraps the same
//!   master key and re-encrypts no data.
//! - A **recovery slot** holds the master key encrypted with age to an organisation's X25519
//!   public key (`age1…`): only the organisation's secret key, kept away from the laptop, opens it.
//!
//! The file holds no case content and nothing that reveals a passphrase. It is replaced
//! crash-safely: the new version is written to `casefile.keys.new` and synced, the old file is
//! overwritten with zeros in place (so a removed slot does not linger in its blocks), then the
//! new one is renamed over it. A reader finding a complete `.new` uses it. Destroying the keys
//! overwrites the passphrase slots in place.

use crate::error::{Error, Result};
use crate::store::crypt::MasterKey;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const KEYS_FILE: &str = "casefile.keys";
/// The passphrase of the libraries tests make with `Library::open_for_tests`.
#[doc(hidden)]
pub const TEST_PASSPHRASE: &str = "test passphrase: not for real libraries";
const FORMAT: &str = "casefile-keys/1";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The Argon2id cost of a passphrase slot.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KdfParams {
    /// About a second on a current laptop: 256 MiB, 3 passes, 4 lanes.
    fn default() -> Self {
        KdfParams {
            memory_kib: 256 * 1024,
            iterations: 3,
            parallelism: 4,
        }
    }
}

impl KdfParams {
    /// The cost for new slots: the default, unless `CASEFILE_KDF` says otherwise
    /// (`m=KIB,t=N,p=N`). That is for tests and scripts that make many libraries; a slot made
    /// with a low cost is easier to guess, and `library status` shows every slot's cost.
    pub fn configured() -> Result<KdfParams> {
        match std::env::var("CASEFILE_KDF") {
            Ok(v) if !v.trim().is_empty() => KdfParams::parse(&v),
            _ => Ok(KdfParams::default()),
        }
    }

    pub fn parse(text: &str) -> Result<KdfParams> {
        let mut p = KdfParams::default();
        for part in text.split(',') {
            let (k, v) = part.split_once('=').ok_or_else(|| bad_kdf(text))?;
            let n: u32 = v.trim().parse().map_err(|_| bad_kdf(text))?;
            match k.trim() {
                "m" => p.memory_kib = n,
                "t" => p.iterations = n,
                "p" => p.parallelism = n,
                _ => return Err(bad_kdf(text)),
            }
        }
        p.argon2()?;
        Ok(p)
    }

    fn argon2(&self) -> Result<argon2::Argon2<'static>> {
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
                .map_err(|e| Error::invalid("kdf", format!("Argon2 parameters: {e}")))?;
        Ok(argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

fn bad_kdf(text: &str) -> Error {
    Error::invalid(
        "kdf",
        format!("\"{text}\" is not m=KIB,t=N,p=N (Argon2id memory, passes, lanes)"),
    )
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeysFile {
    format: String,
    slots: Vec<Slot>,
    /// When the passphrase slots were destroyed (emergency wipe), if they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    destroyed_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Slot {
    Passphrase {
        slot: u32,
        kdf: KdfParams,
        salt: String,
        nonce: String,
        wrapped: String,
    },
    Recovery {
        slot: u32,
        recipient: String,
        wrapped: String,
    },
}

impl Slot {
    fn number(&self) -> u32 {
        match self {
            Slot::Passphrase { slot, .. } | Slot::Recovery { slot, .. } => *slot,
        }
    }
}

/// A slot as `library status` shows it: never anything secret.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SlotInfo {
    pub slot: u32,
    /// "passphrase" or "recovery".
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kdf: Option<KdfParams>,
    /// The organisation's age public key, for a recovery slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
}

fn aad(slot: u32, kdf: &KdfParams) -> Vec<u8> {
    format!(
        "{FORMAT} slot {slot} argon2id m={} t={} p={}",
        kdf.memory_kib, kdf.iterations, kdf.parallelism
    )
    .into_bytes()
}

fn kek(passphrase: &str, salt: &[u8], kdf: &KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    kdf.argon2()?
        .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
        .map_err(|e| Error::invalid("passphrase", format!("Argon2: {e}")))?;
    Ok(out)
}

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("the key slots file is damaged: {what}"))
}

impl KeysFile {
    pub(crate) fn new() -> KeysFile {
        KeysFile {
            format: FORMAT.into(),
            slots: Vec::new(),
            destroyed_at: None,
        }
    }

    fn next_number(&self) -> u32 {
        self.slots.iter().map(Slot::number).max().unwrap_or(0) + 1
    }

    pub(crate) fn slots(&self) -> Vec<SlotInfo> {
        self.slots
            .iter()
            .map(|s| match s {
                Slot::Passphrase { slot, kdf, .. } => SlotInfo {
                    slot: *slot,
                    kind: "passphrase".into(),
                    kdf: Some(*kdf),
                    recipient: None,
                },
                Slot::Recovery {
                    slot, recipient, ..
                } => SlotInfo {
                    slot: *slot,
                    kind: "recovery".into(),
                    kdf: None,
                    recipient: Some(recipient.clone()),
                },
            })
            .collect()
    }

    pub(crate) fn destroyed_at(&self) -> Option<&str> {
        self.destroyed_at.as_deref()
    }

    /// Adds a passphrase slot wrapping `master`; returns its number.
    pub(crate) fn add_passphrase(
        &mut self,
        master: &MasterKey,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<u32> {
        check_passphrase(passphrase)?;
        let slot = self.next_number();
        let mut salt = [0u8; 16];
        crate::store::crypt::random(&mut salt)?;
        let mut nonce = [0u8; 24];
        crate::store::crypt::random(&mut nonce)?;
        let key = kek(passphrase, &salt, &kdf)?;
        let wrapped = XChaCha20Poly1305::new((&*key).into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &master.bytes()[..],
                    aad: &aad(slot, &kdf),
                },
            )
            .map_err(|_| Error::Unavailable("the master key could not be wrapped".into()))?;
        self.slots.push(Slot::Passphrase {
            slot,
            kdf,
            salt: B64.encode(salt),
            nonce: B64.encode(nonce),
            wrapped: B64.encode(wrapped),
        });
        Ok(slot)
    }

    /// Sets the organisation recovery slot (replacing one there was).
    pub(crate) fn set_recovery(&mut self, master: &MasterKey, recipient: &str) -> Result<u32> {
        let r: age::x25519::Recipient = recipient.trim().parse().map_err(|e| {
            Error::invalid(
                "recipient",
                format!("\"{recipient}\" is not an age public key (age1…): {e}"),
            )
        })?;
        let wrapped = age::encrypt(&r, &master.bytes()[..])
            .map_err(|e| Error::Unavailable(format!("the recovery slot: {e}")))?;
        self.slots.retain(|s| !matches!(s, Slot::Recovery { .. }));
        let slot = self.next_number();
        self.slots.push(Slot::Recovery {
            slot,
            recipient: r.to_string(),
            wrapped: B64.encode(wrapped),
        });
        Ok(slot)
    }

    /// Removes a slot, refusing to remove the last passphrase slot (the library would then open
    /// only with the recovery key, if it has one).
    pub(crate) fn remove(&mut self, slot: u32) -> Result<()> {
        let Some(i) = self.slots.iter().position(|s| s.number() == slot) else {
            return Err(Error::NotFound {
                kind: "key slot",
                id: slot.to_string(),
            });
        };
        let passphrases = self
            .slots
            .iter()
            .filter(|s| matches!(s, Slot::Passphrase { .. }))
            .count();
        if matches!(self.slots[i], Slot::Passphrase { .. }) && passphrases == 1 {
            return Err(Error::invalid(
                "slot",
                "this is the library's last passphrase; add another before removing it",
            ));
        }
        self.slots.remove(i);
        Ok(())
    }

    /// The master key, and the slot it came from, if `passphrase` opens a slot. Tries each
    /// passphrase slot (each costs one Argon2 run).
    pub(crate) fn unlock(&self, passphrase: &str) -> Result<(MasterKey, u32)> {
        let mut any = false;
        for s in &self.slots {
            let Slot::Passphrase {
                slot,
                kdf,
                salt,
                nonce,
                wrapped,
            } = s
            else {
                continue;
            };
            any = true;
            let salt = B64.decode(salt).map_err(|_| corrupt("a salt"))?;
            let nonce = B64.decode(nonce).map_err(|_| corrupt("a nonce"))?;
            let wrapped = B64.decode(wrapped).map_err(|_| corrupt("a wrapped key"))?;
            if nonce.len() != 24 {
                return Err(corrupt("a nonce"));
            }
            let key = kek(passphrase, &salt, kdf)?;
            if let Ok(bytes) = XChaCha20Poly1305::new((&*key).into()).decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &wrapped,
                    aad: &aad(*slot, kdf),
                },
            ) {
                let bytes = Zeroizing::new(bytes);
                return Ok((MasterKey::from_bytes(&bytes)?, *slot));
            }
        }
        if !any {
            return Err(Error::KeysDestroyed);
        }
        Err(Error::WrongPassphrase)
    }

    /// The master key from the recovery slot, with the organisation's age identity file.
    pub(crate) fn recover(&self, identity_file: &[u8]) -> Result<MasterKey> {
        let ids = age::IdentityFile::from_buffer(identity_file)
            .map_err(|e| Error::invalid("identity", format!("not an age identity file: {e}")))?
            .into_identities()
            .map_err(|e| Error::invalid("identity", format!("not an age identity file: {e}")))?;
        let wrapped = self
            .slots
            .iter()
            .find_map(|s| match s {
                Slot::Recovery { wrapped, .. } => Some(wrapped),
                _ => None,
            })
            .ok_or_else(|| {
                Error::invalid("identity", "this library has no organisation recovery key")
            })?;
        let wrapped = B64
            .decode(wrapped)
            .map_err(|_| corrupt("the recovery slot"))?;
        let dec = age::Decryptor::new(&wrapped[..]).map_err(|_| corrupt("the recovery slot"))?;
        let mut r = dec
            .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .map_err(|_| {
                Error::invalid(
                    "identity",
                    "this identity is not the organisation recovery key of this library",
                )
            })?;
        let mut bytes = Zeroizing::new(Vec::new());
        std::io::Read::read_to_end(&mut r, &mut bytes).map_err(|_| corrupt("the recovery slot"))?;
        MasterKey::from_bytes(&bytes)
    }

    /// Forgets every passphrase slot (the recovery slot stays).
    pub(crate) fn destroy_passphrases(&mut self, at: &str) {
        self.slots.retain(|s| matches!(s, Slot::Recovery { .. }));
        self.destroyed_at = Some(at.to_string());
    }

    fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut v = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Corrupt(format!("key slots: {e}")))?;
        v.push(b'\n');
        Ok(v)
    }

    fn from_bytes(b: &[u8]) -> Result<KeysFile> {
        let f: KeysFile = serde_json::from_slice(b).map_err(|_| corrupt("it is not readable"))?;
        if f.format != FORMAT {
            return Err(corrupt("its format is unknown"));
        }
        Ok(f)
    }
}

/// A passphrase Casefile accepts: not empty, at most 1024 bytes. How strong it is, the app
/// says as it is typed; the choice stays the investigator's.
pub fn check_passphrase(p: &str) -> Result<()> {
    if p.is_empty() {
        return Err(Error::invalid("passphrase", "the passphrase is empty"));
    }
    if p.len() > 1024 {
        return Err(Error::invalid(
            "passphrase",
            "the passphrase is longer than 1024 bytes",
        ));
    }
    Ok(())
}

fn path(dir: &Path) -> PathBuf {
    dir.join(KEYS_FILE)
}

fn new_path(dir: &Path) -> PathBuf {
    dir.join(format!("{KEYS_FILE}.new"))
}

/// Whether the library in `dir` has a key slots file (is encrypted).
pub(crate) fn present(dir: &Path) -> bool {
    path(dir).is_file() || new_path(dir).is_file()
}

/// Reads the key slots (a complete `.new` left by an interrupted change wins).
pub(crate) fn load(dir: &Path) -> Result<KeysFile> {
    if let Ok(b) = fs::read(new_path(dir)) {
        if let Ok(f) = KeysFile::from_bytes(&b) {
            return Ok(f);
        }
    }
    let p = path(dir);
    let b = fs::read(&p).map_err(|e| Error::io(&p, e))?;
    KeysFile::from_bytes(&b)
}

/// Finishes a change a crash interrupted (a complete `.new` is renamed into place; a partial one
/// is removed). Called holding the library lock.
pub(crate) fn settle(dir: &Path) -> Result<()> {
    let n = new_path(dir);
    match fs::read(&n) {
        Ok(b) if KeysFile::from_bytes(&b).is_ok() => {
            fs::rename(&n, path(dir)).map_err(|e| Error::io(&n, e))?;
            sync_dir(dir)
        }
        Ok(_) => fs::remove_file(&n).map_err(|e| Error::io(&n, e)),
        Err(_) => Ok(()),
    }
}

/// Writes the key slots crash-safely (see the module documentation).
pub(crate) fn store(dir: &Path, keys: &KeysFile) -> Result<()> {
    let bytes = keys.to_bytes()?;
    let n = new_path(dir);
    let _ = fs::remove_file(&n);
    let mut f = crate::fsutil::private_new_file(&n)?;
    f.write_all(&bytes).map_err(|e| Error::io(&n, e))?;
    f.sync_all().map_err(|e| Error::io(&n, e))?;
    drop(f);
    let p = path(dir);
    if p.exists() {
        overwrite_in_place(&p, None)?;
    }
    fs::rename(&n, &p).map_err(|e| Error::io(&p, e))?;
    sync_dir(dir)
}

/// Overwrites the key slots file where it lies with `keys` (padded with spaces) or with zeros,
/// and syncs it: for destroying keys, so no copy of a wrapped key is left in the file's blocks.
pub(crate) fn overwrite_in_place(p: &Path, keys: Option<&KeysFile>) -> Result<()> {
    let len = fs::metadata(p).map_err(|e| Error::io(p, e))?.len() as usize;
    let mut content = match keys {
        Some(k) => k.to_bytes()?,
        None => Vec::new(),
    };
    let fill = if keys.is_some() { b' ' } else { 0 };
    if content.len() < len {
        content.resize(len, fill);
    }
    let mut f = OpenOptions::new()
        .write(true)
        .open(p)
        .map_err(|e| Error::io(p, e))?;
    f.write_all(&content).map_err(|e| Error::io(p, e))?;
    f.sync_all().map_err(|e| Error::io(p, e))
}

/// Destroys every passphrase slot of the library in `dir` at once, in place (no lock or
/// passphrase needed: this is for an imminent seizure). Returns whether a recovery slot is left.
pub fn destroy_passphrases(dir: &Path, at: &str) -> Result<bool> {
    let mut keys = load(dir)?;
    // An interrupted change leaves two copies; both go.
    let n = new_path(dir);
    if n.exists() {
        overwrite_in_place(&n, None)?;
        fs::remove_file(&n).map_err(|e| Error::io(&n, e))?;
    }
    keys.destroy_passphrases(at);
    overwrite_in_place(&path(dir), Some(&keys))?;
    sync_dir(dir)?;
    Ok(keys
        .slots
        .iter()
        .any(|s| matches!(s, Slot::Recovery { .. })))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn a_slot_opens_with_its_passphrase_only() {
        let m = MasterKey::generate().unwrap();
        let mut f = KeysFile::new();
        f.add_passphrase(&m, "correct horse", cheap()).unwrap();
        f.add_passphrase(&m, "другий ключ", cheap()).unwrap();
        let f = KeysFile::from_bytes(&f.to_bytes().unwrap()).unwrap();
        assert_eq!(f.unlock("correct horse").unwrap().0.bytes(), m.bytes());
        assert_eq!(f.unlock("другий ключ").unwrap().1, 2);
        assert_eq!(f.unlock("wrong").err().unwrap().code(), "wrong_passphrase");
    }

    #[test]
    fn tampered_parameters_do_not_open() {
        let m = MasterKey::generate().unwrap();
        let mut f = KeysFile::new();
        f.add_passphrase(&m, "pw", cheap()).unwrap();
        if let Slot::Passphrase { kdf, .. } = &mut f.slots[0] {
            kdf.memory_kib = 128;
        }
        assert_eq!(f.unlock("pw").err().unwrap().code(), "wrong_passphrase");
    }

    #[test]
    fn recovery_slot_opens_with_the_organisation_identity() {
        let m = MasterKey::generate().unwrap();
        let org = age::x25519::Identity::generate();
        let mut f = KeysFile::new();
        f.add_passphrase(&m, "pw", cheap()).unwrap();
        f.set_recovery(&m, &org.to_public().to_string()).unwrap();
        f.destroy_passphrases("now");
        assert_eq!(f.unlock("pw").err().unwrap().code(), "keys_destroyed");
        use age::secrecy::ExposeSecret;
        let text = format!("{}\n", org.to_string().expose_secret());
        assert_eq!(f.recover(text.as_bytes()).unwrap().bytes(), m.bytes());
        let other = age::x25519::Identity::generate();
        let text = format!("{}\n", other.to_string().expose_secret());
        assert!(f.recover(text.as_bytes()).is_err());
    }
}
