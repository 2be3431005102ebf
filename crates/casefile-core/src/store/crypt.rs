//! The keys an unlocked library works with, derived from its master key, and the sealing of
//! files (vault originals, thumbnails, temp and staging files) in the `age` format.
//!
//! From the 32-byte master key (kept only in the key slots, wrapped; see `keyslots.rs`) three
//! keys are derived with HMAC-SHA256 under fixed labels:
//! - the database key, given to SQLCipher as a raw key;
//! - the name key: a vault file is named by HMAC-SHA256(name key, kind ‖ plaintext SHA-256), so a
//!   known file's hash cannot be looked for on disk, while the same content still gets the same
//!   name (deduplication keeps working);
//! - the vault identity: an age X25519 secret. Every vault file is an age file encrypted to its
//!   public key, so independent tools (`age`, `rage`) can decrypt a file given the identity.
//!
//! age encrypts in 64 KiB chunks, each authenticated (ChaCha20-Poly1305): files are written and
//! read streaming in constant memory, and a reader can seek (range reads of a video). Every key
//! here is wiped from memory when it is dropped (on lock).

use crate::error::{Error, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{Read, Seek, Write};
use zeroize::{Zeroize, Zeroizing};

/// A library's master key. Never written anywhere unwrapped.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// A new random master key (for a new library).
    pub fn generate() -> Result<MasterKey> {
        let mut k = Zeroizing::new([0u8; 32]);
        random(&mut k[..])?;
        Ok(MasterKey(k))
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<MasterKey> {
        let k: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::Corrupt("a key slot holds a key of the wrong length".into()))?;
        Ok(MasterKey(Zeroizing::new(k)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0[..]).expect("any key length");
        mac.update(b"casefile v1 ");
        mac.update(label.as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&mac.finalize().into_bytes());
        out
    }

    /// The keys an open library works with.
    pub fn library_keys(&self) -> Result<LibraryKeys> {
        let names = self.derive("vault file names");
        let db = self.derive("database");
        let identity = vault_identity(&self.derive("vault age identity"))?;
        Ok(LibraryKeys {
            db,
            names,
            recipient: identity.to_public(),
            identity,
        })
    }
}

/// Fills `buf` with secure random bytes.
pub(crate) fn random(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf)
        .map_err(|e| Error::Unavailable(format!("no secure random numbers: {e}")))
}

/// An age X25519 identity from 32 secret bytes (age builds identities only from their Bech32
/// text, so the text is made and parsed, then wiped).
fn vault_identity(secret: &[u8; 32]) -> Result<age::x25519::Identity> {
    use bech32::ToBase32;
    let mut text = bech32::encode(
        "age-secret-key-",
        secret.to_base32(),
        bech32::Variant::Bech32,
    )
    .map_err(|e| Error::Corrupt(format!("vault identity: {e}")))?
    .to_uppercase();
    let id = text
        .parse::<age::x25519::Identity>()
        .map_err(|e| Error::Corrupt(format!("vault identity: {e}")));
    text.zeroize();
    id
}

/// The keys of an unlocked library (see the module documentation). Wiped when dropped.
pub struct LibraryKeys {
    db: Zeroizing<[u8; 32]>,
    names: Zeroizing<[u8; 32]>,
    identity: age::x25519::Identity,
    recipient: age::x25519::Recipient,
}

impl std::fmt::Debug for LibraryKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LibraryKeys(..)")
    }
}

/// Something that can be read and sought: what the vault hands out for a stored file.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl LibraryKeys {
    /// The database key, as SQLCipher's raw-key literal `x'…'` (wiped when dropped).
    pub(crate) fn db_key_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(&self.db[..])))
    }

    /// The name on disk of a vault file of `kind` ("original", "thumb") whose plaintext has
    /// this SHA-256.
    pub(crate) fn file_name(&self, kind: &str, sha256: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.names[..]).expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(sha256.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Wraps `out` so that what is written to it is sealed; `finish` must be called.
    pub(crate) fn seal<W: Write>(&self, out: W) -> std::io::Result<age::stream::StreamWriter<W>> {
        let enc = age::Encryptor::with_recipients(std::iter::once(
            &self.recipient as &dyn age::Recipient,
        ))
        .map_err(std::io::Error::other)?;
        enc.wrap_output(out)
    }

    /// Reads a sealed file; fails if it is not one of this library's or was altered (each chunk
    /// is authenticated as it is read, so a change further in fails when it is reached).
    pub(crate) fn open<R: Read + Seek>(
        &self,
        input: R,
    ) -> std::io::Result<age::stream::StreamReader<R>> {
        let dec = age::Decryptor::new(input)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        dec.decrypt(std::iter::once(&self.identity as &dyn age::Identity))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// The vault identity as age's text (`AGE-SECRET-KEY-1…`), for decrypting vault files with
    /// independent tools (recovery).
    pub fn vault_identity_text(&self) -> Zeroizing<String> {
        use age::secrecy::ExposeSecret;
        Zeroizing::new(self.identity.to_string().expose_secret().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_files_round_trip_and_seek() {
        let keys = MasterKey::generate().unwrap().library_keys().unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut w = keys.seal(Vec::new()).unwrap();
        w.write_all(&data).unwrap();
        let sealed = w.finish().unwrap();
        assert!(!sealed.windows(16).any(|w| w == &data[1000..1016]));
        let mut r = keys.open(std::io::Cursor::new(sealed.clone())).unwrap();
        let mut back = Vec::new();
        r.read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
        r.seek(std::io::SeekFrom::Start(200_001)).unwrap();
        let mut b = [0u8; 10];
        r.read_exact(&mut b).unwrap();
        assert_eq!(&b[..], &data[200_001..200_011]);
        assert_eq!(
            r.seek(std::io::SeekFrom::End(0)).unwrap(),
            data.len() as u64
        );
        // Another library's keys cannot open it.
        let other = MasterKey::generate().unwrap().library_keys().unwrap();
        assert!(other.open(std::io::Cursor::new(sealed)).is_err());
    }

    #[test]
    fn names_are_keyed_and_stable() {
        let m = MasterKey::generate().unwrap();
        let a = m.library_keys().unwrap();
        let b = MasterKey::from_bytes(m.bytes())
            .unwrap()
            .library_keys()
            .unwrap();
        let sha = "0".repeat(64);
        assert_eq!(a.file_name("original", &sha), b.file_name("original", &sha));
        assert_ne!(a.file_name("original", &sha), a.file_name("thumb", &sha));
        assert!(!a.file_name("original", &sha).contains(&sha));
        let other = MasterKey::generate().unwrap().library_keys().unwrap();
        assert_ne!(
            a.file_name("original", &sha),
            other.file_name("original", &sha)
        );
    }
}
