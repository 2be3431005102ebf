//! Encrypted handover: a bundle ZIP encrypted with age (https://age-encryption.org/v1) to the
//! X25519 public keys (`age1…`) of the people or organisations receiving it.
//!
//! age was chosen because independent tools (`age`, `rage`) decrypt it, now and decades from
//! now: a receiver needs no Casefile to get the ZIP back (`age -d -i key.txt b.zip.age > b.zip`).
//! The bundle is encrypted as it is written, never on disk in the clear; it is read back
//! straight from the ciphertext (age's reader seeks chunk by chunk), so verifying or importing
//! one writes no plaintext copy either.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// The first line of every (binary) age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// The first line of an ASCII-armored age file (`age -a`).
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// A readable, seekable source of a bundle ZIP's bytes.
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// The receivers of an encrypted bundle: age X25519 public keys.
#[derive(Debug, Clone)]
pub struct Recipients(Vec<age::x25519::Recipient>);

impl Recipients {
    /// Parses `age1…` public keys (at least one; duplicates are kept once).
    pub fn parse<S: AsRef<str>>(keys: &[S]) -> Result<Recipients> {
        let mut out: Vec<age::x25519::Recipient> = Vec::new();
        for k in keys {
            let k = k.as_ref().trim();
            let r: age::x25519::Recipient = k.parse().map_err(|e| {
                Error::invalid(
                    "recipient",
                    format!("\"{k}\" is not an age X25519 public key (age1…): {e}"),
                )
            })?;
            if !out.iter().any(|o| o.to_string() == r.to_string()) {
                out.push(r);
            }
        }
        if out.is_empty() {
            return Err(Error::invalid(
                "recipient",
                "an encrypted bundle needs at least one recipient (an age public key, age1…)",
            ));
        }
        Ok(Recipients(out))
    }

    /// The public keys, as given to `age -r`.
    pub fn keys(&self) -> Vec<String> {
        self.0.iter().map(|r| r.to_string()).collect()
    }

    /// Wraps `out` in an age stream to these recipients (the header is written now).
    pub(crate) fn wrap<W: Write>(&self, out: W) -> std::io::Result<age::stream::StreamWriter<W>> {
        let e = age::Encryptor::with_recipients(self.0.iter().map(|r| r as &dyn age::Recipient))
            .map_err(std::io::Error::other)?;
        e.wrap_output(out)
    }
}

/// The secret key(s) that open an encrypted bundle: the text of an age identity file
/// (`age-keygen -o key.txt`), wiped from memory when dropped.
pub struct BundleIdentity {
    text: Zeroizing<Vec<u8>>,
}

impl BundleIdentity {
    /// Reads an identity file.
    pub fn read(path: &Path) -> Result<BundleIdentity> {
        let text = Zeroizing::new(std::fs::read(path).map_err(|e| Error::io(path, e))?);
        BundleIdentity::from_text(text)
    }

    /// Takes an identity file's text (`AGE-SECRET-KEY-1…` lines and comments).
    pub fn from_text(text: Zeroizing<Vec<u8>>) -> Result<BundleIdentity> {
        let id = BundleIdentity { text };
        id.identities()?;
        Ok(id)
    }

    fn identities(&self) -> Result<Vec<Box<dyn age::Identity>>> {
        let not = |e: &dyn std::fmt::Display| {
            Error::invalid(
                "identity",
                format!("this is not an age identity file (AGE-SECRET-KEY-1…): {e}"),
            )
        };
        let ids = age::IdentityFile::from_buffer(&self.text[..])
            .map_err(|e| not(&e))?
            .into_identities()
            .map_err(|e| not(&e))?;
        if ids.is_empty() {
            return Err(Error::invalid(
                "identity",
                "the identity file holds no key (AGE-SECRET-KEY-1…)",
            ));
        }
        Ok(ids)
    }
}

/// How a bundle file is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrapping {
    Plain,
    Age,
    Armored,
}

/// Looks at a file's first bytes.
pub(crate) fn wrapping(path: &Path) -> Result<Wrapping> {
    let mut head = [0u8; 34];
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    let head = &head[..n];
    Ok(if head.starts_with(AGE_MAGIC) {
        Wrapping::Age
    } else if head.starts_with(ARMOR_BEGIN) {
        Wrapping::Armored
    } else {
        Wrapping::Plain
    })
}

/// Whether the file at `path` is an age-encrypted (bundle) file; false for a directory or a
/// file that cannot be read.
pub fn is_encrypted_bundle(path: &Path) -> bool {
    path.is_file() && matches!(wrapping(path), Ok(Wrapping::Age | Wrapping::Armored))
}

/// Opens the plaintext of the age file at `path` with `identity`, seekable.
pub(crate) fn open_sealed(
    path: &Path,
    identity: Option<&BundleIdentity>,
) -> Result<Box<dyn ReadSeek>> {
    let shown = path.display();
    let Some(identity) = identity else {
        return Err(Error::invalid(
            "identity",
            format!("{shown} is an encrypted bundle (age): give the identity file (secret key) of one of its recipients to read it"),
        ));
    };
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let d = age::Decryptor::new_buffered(BufReader::new(f))
        .map_err(|e| Error::BundleRefused(format!("{shown} is not a readable age file: {e}")))?;
    if d.is_scrypt() {
        return Err(Error::invalid(
            "identity",
            format!("{shown} was encrypted with a passphrase (age -p), not to public keys; decrypt it with `age -d` first"),
        ));
    }
    let ids = identity.identities()?;
    let r = d
        .decrypt(ids.iter().map(|i| i.as_ref()))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::invalid(
                "identity",
                format!("this identity cannot open {shown}: it was encrypted for other recipients"),
            ),
            other => Error::BundleRefused(format!("{shown} could not be decrypted: {other}")),
        })?;
    Ok(Box::new(r))
}
