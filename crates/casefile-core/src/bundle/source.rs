//! Reading a bag from a directory or a ZIP (plain, or encrypted with age: see `sealed.rs`), refusing what a hostile bundle could use against the
//! reader: paths that climb out (`..`) or are absolute, symbolic links, special files, and ZIP
//! bombs (absurd compression ratios or declared sizes). Nothing is extracted to disk here.

use super::sealed::{self, BundleIdentity, ReadSeek, Wrapping};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// A single entry may inflate to at most this many times its stored size...
const MAX_RATIO: u64 = 200;
/// ...once it is bigger than this.
const RATIO_FLOOR: u64 = 16 << 20;
/// No bundle may declare more than this in all.
const MAX_TOTAL: u64 = 4 << 40;
pub(crate) const MAX_ENTRIES: usize = 2_000_000;

pub(crate) enum Source {
    Dir {
        root: PathBuf,
        files: BTreeMap<String, u64>,
    },
    Zip {
        archive: zip::ZipArchive<BufReader<Box<dyn ReadSeek>>>,
        path: PathBuf,
        /// Whether the ZIP was read through age.
        encrypted: bool,
        root: String,
        files: BTreeMap<String, (usize, u64)>,
    },
}

fn refuse(msg: String) -> Error {
    Error::BundleRefused(msg)
}

/// Whether a relative path is safe: no empty, `.` or `..` parts, not absolute, no backslashes.
fn safe_rel(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.contains('\\')
        && !p.contains('\0')
        && p.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

impl Source {
    /// Opens the bag at `path`; an encrypted one needs `identity`.
    pub fn open(path: &Path, identity: Option<&BundleIdentity>) -> Result<Source> {
        let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.file_type().is_symlink() {
            return Err(refuse(format!("{} is a symbolic link", path.display())));
        }
        let source = if meta.is_dir() {
            let mut files = BTreeMap::new();
            walk(path, path, &mut files)?;
            Source::Dir {
                root: path.to_path_buf(),
                files,
            }
        } else {
            match sealed::wrapping(path)? {
                Wrapping::Plain => open_zip(path, false, &|| {
                    let f = File::open(path).map_err(|e| Error::io(path, e))?;
                    Ok(Box::new(f) as Box<dyn ReadSeek>)
                })?,
                Wrapping::Age => open_zip(path, true, &|| sealed::open_sealed(path, identity))?,
                Wrapping::Armored => {
                    return Err(Error::invalid(
                        "identity",
                        format!(
                            "{} is an ASCII-armored age file (age -a): decrypt it with `age -d` \
                             first, or have it sent without -a",
                            path.display()
                        ),
                    ))
                }
            }
        };
        refuse_lookalike_names(source.files().into_iter().map(|(name, _)| name))?;
        Ok(source)
    }

    /// Every file of the bag, relative to its root, with its size.
    pub fn files(&self) -> Vec<(String, u64)> {
        match self {
            Source::Dir { files, .. } => files.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            Source::Zip { files, .. } => files.iter().map(|(k, (_, v))| (k.clone(), *v)).collect(),
        }
    }

    pub fn contains(&self, rel: &str) -> bool {
        match self {
            Source::Dir { files, .. } => files.contains_key(rel),
            Source::Zip { files, .. } => files.contains_key(rel),
        }
    }

    /// Reads one file in full (tag files and case.json), refusing anything over `max` bytes.
    pub fn read_all(&mut self, rel: &str, max: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.with_reader(rel, &mut |r| {
            r.take(max + 1)
                .read_to_end(&mut out)
                .map_err(|e| Error::io(rel, e))?;
            Ok(())
        })?;
        if out.len() as u64 > max {
            return Err(refuse(format!("{rel} is larger than {max} bytes")));
        }
        Ok(out)
    }

    /// Streams one file to `f`. A ZIP entry that inflates past its declared size is refused.
    pub fn with_reader(
        &mut self,
        rel: &str,
        f: &mut dyn FnMut(&mut dyn Read) -> Result<()>,
    ) -> Result<()> {
        match self {
            Source::Dir { root, files } => {
                if !files.contains_key(rel) {
                    return Err(Error::NotFound {
                        kind: "bundle file",
                        id: rel.into(),
                    });
                }
                let mut file = open_regular(&root.join(rel), rel)?;
                f(&mut file)
            }
            Source::Zip {
                archive,
                files,
                path,
                ..
            } => {
                let (idx, declared) = *files.get(rel).ok_or_else(|| Error::NotFound {
                    kind: "bundle file",
                    id: rel.into(),
                })?;
                let mut entry = archive
                    .by_index(idx)
                    .map_err(|e| refuse(format!("{}: {rel}: {e}", path.display())))?;
                let mut limited = Limited {
                    inner: &mut entry,
                    left: declared,
                    name: rel.to_string(),
                };
                f(&mut limited)
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Dir { root, .. } => root.display().to_string(),
            Source::Zip {
                path,
                root,
                encrypted,
                ..
            } => format!(
                "{} ({}{root}/)",
                path.display(),
                if *encrypted { "encrypted; " } else { "" }
            ),
        }
    }
}

/// Opens a file of a directory bag, refusing what is not a regular file *now*: the bag was
/// listed (and checked) earlier, and a FIFO or device put in a file's place since would block
/// the read, or never end, while the library is held.
fn open_regular(p: &Path, rel: &str) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opening a FIFO would wait for a writer; without blocking, it opens and is refused below.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(p).map_err(|e| {
        #[cfg(target_os = "linux")]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return refuse(format!("{rel} is a symbolic link"));
        }
        Error::io(p, e)
    })?;
    if !file.metadata().map_err(|e| Error::io(p, e))?.is_file() {
        return Err(refuse(format!("{rel} is not a regular file")));
    }
    Ok(file)
}

/// Fails a read that goes past the size the ZIP declared.
struct Limited<'a> {
    inner: &'a mut dyn Read,
    left: u64,
    name: String,
}

impl Read for Limited<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "{} inflates past its declared size",
                self.name
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Refuses two names that differ only by letter case or Unicode normalisation: on a Mac or
/// Windows disk, or to a person reading a listing, they are the same file, and a bag that holds
/// both can show one thing and verify another.
pub(crate) fn refuse_lookalike_names(names: impl IntoIterator<Item = String>) -> Result<()> {
    use unicode_normalization::UnicodeNormalization;
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for name in names {
        let key: String = name
            .nfc()
            .collect::<String>()
            .to_lowercase()
            .nfc()
            .collect();
        if let Some(other) = seen.get(&key) {
            if *other != name {
                return Err(refuse(format!("\"{other}\" and \"{name}\" differ only by letter case or Unicode normalisation")));
            }
            return Err(refuse(format!("\"{name}\" appears twice")));
        }
        seen.insert(key, name);
    }
    Ok(())
}

fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, u64>) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let p = e.path();
        let m = std::fs::symlink_metadata(&p).map_err(|e| Error::io(&p, e))?;
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        if m.file_type().is_symlink() {
            return Err(refuse(format!("{rel} is a symbolic link")));
        }
        if m.is_dir() {
            walk(root, &p, files)?;
        } else if m.is_file() {
            files.insert(rel, m.len());
        } else {
            return Err(refuse(format!("{rel} is not a regular file")));
        }
        if files.len() > MAX_ENTRIES {
            return Err(refuse(format!("more than {MAX_ENTRIES} files")));
        }
    }
    Ok(())
}

/// Reads the ZIP that `open` gives the bytes of (it is called twice: once for the `zip` crate,
/// once for our own structure check).
fn open_zip(
    path: &Path,
    encrypted: bool,
    open: &dyn Fn() -> Result<Box<dyn ReadSeek>>,
) -> Result<Source> {
    let mut archive = zip::ZipArchive::new(BufReader::new(open()?)).map_err(|e| match e {
        // age authenticates every chunk, and the last as the last: a changed, cut or extended
        // file fails here.
        zip::result::ZipError::Io(e) if encrypted => refuse(format!(
            "{} could not be decrypted: the encrypted bundle was damaged, cut short or added to ({e})",
            path.display()
        )),
        zip::result::ZipError::Io(e) => {
            refuse(format!("{} is not a readable ZIP: {e}", path.display()))
        }
        e => refuse(format!("{} is not a readable ZIP: {e}", path.display())),
    })?;
    if archive.len() > MAX_ENTRIES {
        return Err(refuse(format!(
            "the ZIP holds more than {MAX_ENTRIES} entries"
        )));
    }
    let mut root: Option<String> = None;
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let e = archive
            .by_index_raw(i)
            .map_err(|e| refuse(format!("entry {i}: {e}")))?;
        let name = e.name().to_string();
        if !safe_rel(name.trim_end_matches('/')) {
            return Err(refuse(format!(
                "the ZIP entry \"{name}\" has an unsafe path (absolute, or climbing out with ..)"
            )));
        }
        if let Some(mode) = e.unix_mode() {
            let kind = mode & 0o170000;
            if kind == 0o120000 {
                return Err(refuse(format!(
                    "the ZIP entry \"{name}\" is a symbolic link"
                )));
            }
            if kind != 0 && kind != 0o100000 && kind != 0o040000 {
                return Err(refuse(format!(
                    "the ZIP entry \"{name}\" is not a regular file"
                )));
            }
        }
        let size = e.size();
        let packed = e.compressed_size().max(1);
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(refuse(format!("the ZIP entry \"{name}\" would inflate {}x (to {size} bytes): refused as a ZIP bomb", size / packed)));
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL {
            return Err(refuse(format!(
                "the ZIP declares more than {MAX_TOTAL} bytes: refused as a ZIP bomb"
            )));
        }
        let (top, rest) = match name.split_once('/') {
            Some((t, r)) => (t.to_string(), r.to_string()),
            None => {
                return Err(refuse(format!(
                    "\"{name}\" is outside the bag's folder; a bundle ZIP holds one folder"
                )))
            }
        };
        match &root {
            None => root = Some(top),
            Some(r) if *r != top => {
                return Err(refuse(format!(
                    "the ZIP holds more than one top-level folder ({r}, {top})"
                )))
            }
            _ => {}
        }
        if e.is_dir() || rest.is_empty() {
            continue;
        }
        if files.insert(rest.clone(), (i, size)).is_some() {
            return Err(refuse(format!("the ZIP holds \"{rest}\" twice")));
        }
    }
    let root = root.ok_or_else(|| refuse("the ZIP is empty".into()))?;
    super::zipcheck::check_reader(&mut *open()?, archive.len())?;
    Ok(Source::Zip {
        archive,
        path: path.to_path_buf(),
        encrypted,
        root,
        files,
    })
}
