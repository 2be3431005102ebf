//! Opening a library as a whole: its storage (`store::library`), then what needs every layer:
//! removing what interrupted exports left, the one-time upgrade steps, and the head file's
//! check. The top of the layer order, so it may use them all.

use crate::clock::Clock;
use crate::error::Result;
use crate::store::keyslots::KdfParams;
use crate::store::library::{Access, Library, LibraryState};
use std::path::Path;
use std::sync::Arc;

pub use crate::store::keyslots::TEST_PASSPHRASE;

impl Library {
    /// Opens the library in `dir` as `access` says. Refuses a wrong passphrase (changing no
    /// file), a directory another process has open, one it cannot write, and a database from a
    /// newer Casefile.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>, access: Access<'_>) -> Result<Library> {
        let mut lib = Library::open_store(dir, clock, access)?;
        crate::bundle::clean_abandoned_exports(dir);
        crate::upgrade::run(&mut lib)?;
        lib.open_head()?;
        Ok(lib)
    }

    /// Makes a new encrypted library in `dir` (which must hold none), opened.
    pub fn create(
        dir: &Path,
        clock: Arc<dyn Clock>,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Library> {
        Library::open(dir, clock, Access::Create { passphrase, kdf })
    }

    /// Unlocks the encrypted library in `dir`.
    pub fn unlock(dir: &Path, clock: Arc<dyn Clock>, passphrase: &str) -> Result<Library> {
        Library::open(dir, clock, Access::Passphrase(passphrase))
    }

    /// Encrypts this plaintext library in place under `passphrase` (crash-safe; see
    /// `store::encrypt`) and returns it open, encrypted. `progress` gets (files done, in all).
    pub fn encrypt_in_place(
        self,
        passphrase: &str,
        kdf: KdfParams,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Library> {
        let (dir, clock, master) =
            crate::store::encrypt::encrypt_in_place(self, passphrase, kdf, progress)?;
        let mut lib = Library::open(&dir, clock, Access::Master(master))?;
        lib.write(|tx| {
            tx.log(
                "library_encrypted",
                None,
                "library",
                "keys",
                None,
                Some(serde_json::json!({ "database": "sqlcipher", "vault": "age" })),
            )?;
            Ok(())
        })?;
        Ok(lib)
    }

    /// For tests, benchmarks and the sample scripts: opens the library in `dir`, making it
    /// (encrypted, with [`TEST_PASSPHRASE`] and a cheap key derivation) if there is none.
    #[doc(hidden)]
    pub fn open_for_tests(dir: &Path, clock: Arc<dyn Clock>) -> Result<Library> {
        match Library::state(dir) {
            LibraryState::Missing => Library::create(dir, clock, TEST_PASSPHRASE, test_kdf()),
            LibraryState::Plaintext => Library::open(dir, clock, Access::Plaintext),
            _ => Library::unlock(dir, clock, TEST_PASSPHRASE),
        }
    }
}

/// The cheap key derivation of test libraries (1 MiB, one pass).
#[doc(hidden)]
pub fn test_kdf() -> KdfParams {
    KdfParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    }
}
