//! Files and folders only their owner can read: the library holds witness names and statements,
//! so nothing Casefile creates in it is readable by other accounts on the machine (0600 files,
//! 0700 folders), whatever the umask.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

/// Creates (or truncates) a file readable and writable by its owner only.
pub(crate) fn private_file(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let f = o.open(path).map_err(|e| Error::io(path, e))?;
    restrict(path, false)?;
    Ok(f)
}

/// Creates a new file (failing if it exists) readable and writable by its owner only.
pub(crate) fn private_new_file(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(0o600);
    o.open(path).map_err(|e| Error::io(path, e))
}

/// Creates a folder (and its parents) and makes it the owner's only.
pub(crate) fn private_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
    restrict(path, true)
}

/// Makes an existing file (0600) or folder (0700) its owner's only. Read-only files stay
/// read-only (0400).
pub(crate) fn restrict(path: &Path, dir: bool) -> Result<()> {
    #[cfg(unix)]
    {
        let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        let writable = meta.permissions().mode() & 0o200 != 0;
        let mode = if dir {
            0o700
        } else if writable {
            0o600
        } else {
            0o400
        };
        if meta.permissions().mode() & 0o777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io(path, e))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, dir);
    Ok(())
}

/// Opens a file for reading without following a symbolic link at its last component.
pub(crate) fn open_no_follow(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(target_os = "linux")]
    o.custom_flags(libc::O_NOFOLLOW);
    o.open(path)
}

/// Overwrites a file with zeros (syncing), then removes it: what can be done so its content does
/// not stay readable on disk (an SSD may keep the old blocks anyway; see docs/security.md).
pub(crate) fn shred(path: &Path) -> Result<()> {
    use std::io::Write;
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        #[cfg(unix)]
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
        let mut f = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let zeros = vec![0u8; 1 << 20];
        let mut left = meta.len();
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n]).map_err(|e| Error::io(path, e))?;
            left -= n as u64;
        }
        f.sync_all().map_err(|e| Error::io(path, e))?;
    }
    std::fs::remove_file(path).map_err(|e| Error::io(path, e))
}

/// [`shred`] for every file below `dir`, then removes the folders. A missing `dir` is fine.
pub(crate) fn shred_tree(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for e in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .contents_first(true)
    {
        let e = e.map_err(|err| {
            Error::io(
                dir,
                err.into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("a folder loop")),
            )
        })?;
        if e.file_type().is_dir() {
            std::fs::remove_dir(e.path()).map_err(|err| Error::io(e.path(), err))?;
        } else {
            shred(e.path())?;
        }
    }
    Ok(())
}
