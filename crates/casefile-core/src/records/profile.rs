//! The investigator using this installation, recorded as the actor of every custody entry, and
//! what the app shows about the library.

use crate::error::Result;
use crate::store::library::Library;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The investigator using this installation; recorded as the actor of every custody entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LibraryInfo {
    pub data_dir: PathBuf,
    pub schema_version: i64,
    pub profile: Option<Profile>,
    pub version: &'static str,
    /// The key that signs this installation's exports (confirm its fingerprint out of band).
    pub key: crate::store::keys::KeyInfo,
}

impl Library {
    pub fn info(&self) -> Result<LibraryInfo> {
        Ok(LibraryInfo {
            data_dir: self.dir().to_path_buf(),
            schema_version: crate::store::db::schema_version(),
            profile: self.profile()?,
            version: crate::VERSION,
            key: self.key_info()?,
        })
    }

    pub fn profile(&self) -> Result<Option<Profile>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT name, organisation FROM profile WHERE id = 1",
                [],
                |r| {
                    Ok(Profile {
                        name: r.get(0)?,
                        organisation: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Sets the investigator profile used as the actor of custody entries from now on.
    pub fn set_profile(&mut self, name: &str, organisation: &str) -> Result<Profile> {
        let name = crate::validate::required_text("name", name, 200)?;
        let organisation = crate::validate::optional_text("organisation", organisation, 200)?;
        let p = Profile { name, organisation };
        self.write(|tx| {
            tx.conn().execute(
                "INSERT INTO profile (id, name, organisation, updated_at) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = ?1, organisation = ?2, updated_at = ?3",
                rusqlite::params![p.name, p.organisation, tx.now()],
            )?;
            tx.log(
                "profile_set",
                None,
                "profile",
                "1",
                Some(crate::store::custody::state_digest(&p)),
                None,
            )?;
            Ok(())
        })?;
        self.refresh_actor()?;
        Ok(p)
    }
}
