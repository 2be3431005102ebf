//! The installation's Ed25519 key pair, created on first open and kept in the library's
//! database, used to sign exported bundles. Its fingerprint (SHA-256 of the public key) is what a
//! recipient confirms out of band.

use crate::error::{Error, Result};
use base64::Engine;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeyInfo {
    /// The public key, base64.
    pub public_key: String,
    /// SHA-256 of the public key, hex in groups of four.
    pub fingerprint: String,
}

pub fn fingerprint(public: &[u8; 32]) -> String {
    let hex = crate::store::custody::sha256_hex(public);
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn key_info(public: &[u8; 32]) -> KeyInfo {
    KeyInfo {
        public_key: base64::engine::general_purpose::STANDARD.encode(public),
        fingerprint: fingerprint(public),
    }
}

/// Whether this library has its key pair yet.
pub(crate) fn exists(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM installation WHERE id = 1", [], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .is_some())
}

/// Creates the key pair (on a library's first open), with the custody entry that records it.
pub(crate) fn create(tx: &crate::store::tx::WriteTx<'_>) -> Result<()> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).map_err(|e| {
        Error::Unavailable(format!("no secure random numbers for a signing key: {e}"))
    })?;
    let key = SigningKey::from_bytes(&secret);
    tx.conn().execute(
        "INSERT INTO installation (id, secret_key, public_key, created_at) VALUES (1, ?1, ?2, ?3)",
        params![
            secret.to_vec(),
            key.verifying_key().to_bytes().to_vec(),
            tx.now()
        ],
    )?;
    let (digest, fp) =
        state(tx.conn())?.ok_or_else(|| Error::Corrupt("the new key was not stored".into()))?;
    tx.log(
        "key_created",
        None,
        "installation",
        "1",
        Some(digest),
        Some(serde_json::json!({ "fingerprint": fp })),
    )?;
    Ok(())
}

#[derive(Serialize)]
struct KeyState {
    public_key: String,
    /// A digest of the secret key (never the key itself), so replacing it is seen too.
    secret_key_sha256: String,
}

/// The digest the custody log records for the key pair, and the key's fingerprint; `None` if
/// there is none. A public key that does not belong to the secret key is `Corrupt`.
pub(crate) fn state(conn: &Connection) -> Result<Option<(String, String)>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row(
            "SELECT secret_key, public_key FROM installation WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((secret, public)) = row else {
        return Ok(None);
    };
    let public: [u8; 32] = public
        .try_into()
        .map_err(|_| Error::Corrupt("the public key is not 32 bytes".into()))?;
    let state = KeyState {
        public_key: base64::engine::general_purpose::STANDARD.encode(public),
        secret_key_sha256: crate::store::custody::sha256_hex(&secret),
    };
    Ok(Some((
        crate::store::custody::state_digest(&state),
        fingerprint(&public),
    )))
}

/// Whether the stored public key is the one the stored secret key makes.
pub(crate) fn pair_matches(conn: &Connection) -> Result<bool> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row(
            "SELECT secret_key, public_key FROM installation WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((secret, public)) => <[u8; 32]>::try_from(secret.as_slice()).is_ok_and(|s| {
            SigningKey::from_bytes(&s)
                .verifying_key()
                .to_bytes()
                .as_slice()
                == public.as_slice()
        }),
        None => false,
    })
}

/// The stored public key.
pub(crate) fn public_key(conn: &Connection) -> Result<[u8; 32]> {
    let public: Vec<u8> = conn.query_row(
        "SELECT public_key FROM installation WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    public
        .try_into()
        .map_err(|_| Error::Corrupt("the public key is not 32 bytes".into()))
}

fn load(conn: &Connection) -> Result<SigningKey> {
    let secret: Vec<u8> = conn.query_row(
        "SELECT secret_key FROM installation WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let bytes: [u8; 32] = secret
        .try_into()
        .map_err(|_| Error::Corrupt("the signing key is not 32 bytes".into()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// This installation's key fingerprint.
pub(crate) fn own_fingerprint(conn: &Connection) -> Result<String> {
    Ok(fingerprint(&load(conn)?.verifying_key().to_bytes()))
}

/// This installation's signer, for work done without holding the library (an export).
pub(crate) fn signer(conn: &Connection) -> Result<Signer> {
    Ok(Signer(load(conn)?))
}

/// Signs with this installation's key.
pub struct Signer(SigningKey);

impl Signer {
    /// Returns (signature, public key).
    pub(crate) fn sign(&self, message: &[u8]) -> ([u8; 64], [u8; 32]) {
        (
            self.0.sign(message).to_bytes(),
            self.0.verifying_key().to_bytes(),
        )
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0.verifying_key().to_bytes())
    }
}

/// Checks an Ed25519 signature.
pub fn verify_signature(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    match VerifyingKey::from_bytes(public) {
        Ok(k) => k
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature))
            .is_ok(),
        Err(_) => false,
    }
}
