//! The content-addressed store of original files: `vault/sha256/ab/<hex>`.
//!
//! Architecture invariant: every read or write of a vault file goes through this module, so that
//! encryption at rest can later be added in one place. Originals are written once and never
//! rewritten.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub const VAULT_DIR: &str = "vault";
const TMP_DIR: &str = "tmp";

pub struct Vault {
    root: PathBuf,
}

impl Vault {
    /// Opens (creating) the vault at `root` and removes temp files a crash may have left.
    pub fn open(root: &Path) -> Result<Vault> {
        let tmp = root.join(TMP_DIR);
        std::fs::create_dir_all(root.join("sha256")).map_err(|e| Error::io(root, e))?;
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(Vault { root: root.to_path_buf() })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}
