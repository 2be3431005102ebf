//! The content-addressed store of original files, and the derived files made from them
//! (thumbnails), apart from the originals.
//!
//! In an encrypted library (every new one) each file is sealed with the library's keys (age
//! format, see `crypt.rs`) and named by a keyed MAC of its plaintext SHA-256:
//! `vault/sealed/ab/<mac>` and `vault/derived/sealed/ab/<mac>`; temp and staging files are sealed
//! too. A plaintext library from before encryption keeps `vault/sha256/ab/<hex>` and
//! `vault/derived/thumbs/ab/<hex>.jpg` until it is encrypted.
//!
//! Architecture invariant: every read or write of a vault file goes through this module, so that
//! encryption at rest can later be added in one place. Readers of stored files get an open
//! reader ([`Vault::open_original`], [`Vault::open_staged`]), never a path: casefile-media reads
//! streams, so the day the vault decrypts as it reads, nothing outside this module changes.
//! Originals are written once, made read-only and never rewritten.
//!
//! Intake reads each source file once: one thread reads and hashes (SHA-256, hardware-accelerated
//! where the CPU has it) while another writes the same buffers to a temp file, so hashing and
//! writing overlap, in constant memory. Durability is batched: [`Vault::commit`] fsyncs a batch's
//! temp files, renames them into place and fsyncs their directories; the caller records the
//! batch in the database only after that, so a record never points at a file that a crash could
//! lose. Temp files left by a crash are removed when the vault is next opened.

use crate::error::{Error, Result};
use crate::store::crypt::LibraryKeys;
pub use crate::store::crypt::ReadSeek;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

pub const VAULT_DIR: &str = "vault";
const TMP_DIR: &str = "tmp";
const ORIGINALS_DIR: &str = "sha256";
const THUMBS_DIR: &str = "derived/thumbs";
pub(crate) const SEALED_DIR: &str = "sealed";
pub(crate) const SEALED_THUMBS_DIR: &str = "derived/sealed";
/// Size of one read; a few of them are in flight at once, whatever the file size.
const CHUNK: usize = 1 << 20;
const IN_FLIGHT: usize = 4;
/// How many leading bytes are kept for content sniffing.
pub const HEAD_LEN: usize = 4096;

#[derive(Clone, Debug)]
pub struct Vault {
    root: PathBuf,
    /// The library's keys when it is encrypted.
    keys: Option<Arc<LibraryKeys>>,
}

/// A stored file opened for reading: the plaintext, decrypted as it is read.
pub type VaultReader = Box<dyn ReadSeek>;

/// Where a new vault file is written: sealed as it is written when the library is encrypted.
/// [`Sink::finish`] must be called (it writes the last sealed chunk).
pub enum Sink {
    Plain(File),
    Sealed(age::stream::StreamWriter<File>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(f) => f.write(buf),
            Sink::Sealed(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.write_all(buf),
            Sink::Sealed(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.flush(),
            Sink::Sealed(w) => w.flush(),
        }
    }
}

impl Sink {
    /// Completes the file; returns it (not yet synced).
    pub fn finish(self) -> std::io::Result<File> {
        match self {
            Sink::Plain(f) => Ok(f),
            Sink::Sealed(w) => w.finish(),
        }
    }
}

/// A source file copied into the vault's temp area and hashed, not yet committed. Its copy is
/// read through [`Vault::open_staged`].
#[derive(Debug)]
pub struct Staged {
    pub source: PathBuf,
    temp: PathBuf,
    pub sha256: String,
    pub size: u64,
    /// The first bytes, for sniffing the media type.
    pub head: Vec<u8>,
}

/// Why staging a file stopped.
#[derive(Debug)]
pub enum StageError {
    Cancelled,
    Failed(Error),
}

impl From<Error> for StageError {
    fn from(e: Error) -> Self {
        StageError::Failed(e)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

impl Vault {
    /// Opens (creating) the vault at `root` and removes temp files a crash may have left;
    /// `keys` are the library's when it is encrypted.
    pub fn open(root: &Path, keys: Option<Arc<LibraryKeys>>) -> Result<Vault> {
        let tmp = root.join(TMP_DIR);
        let dirs: [&str; 2] = if keys.is_some() {
            [SEALED_DIR, SEALED_THUMBS_DIR]
        } else {
            [ORIGINALS_DIR, THUMBS_DIR]
        };
        crate::fsutil::private_dir(root)?;
        crate::fsutil::private_dir(&root.join("derived"))?;
        for d in dirs {
            crate::fsutil::private_dir(&root.join(d))?;
        }
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        crate::fsutil::private_dir(&tmp)?;
        Ok(Vault {
            root: root.to_path_buf(),
            keys,
        })
    }

    /// Whether files are sealed (the library is encrypted).
    pub fn is_sealed(&self) -> bool {
        self.keys.is_some()
    }

    /// A sink for a new file at `file` (created by the caller), sealing if need be.
    fn sink(&self, file: File, path: &Path) -> Result<Sink> {
        Ok(match &self.keys {
            Some(k) => Sink::Sealed(k.seal(file).map_err(io(path))?),
            None => Sink::Plain(file),
        })
    }

    /// Opens a vault file for reading its plaintext, not following a symbolic link.
    fn reader(&self, path: &Path) -> Result<VaultReader> {
        let f = crate::fsutil::open_no_follow(path).map_err(io(path))?;
        Ok(match &self.keys {
            Some(k) => Box::new(k.open(f).map_err(|e| {
                Error::Corrupt(format!(
                    "a vault file cannot be decrypted with this library's key: {e}"
                ))
            })?),
            None => Box::new(f),
        })
    }

    /// Makes every folder and file under the vault its owner's only (originals stay read-only).
    /// Used once when upgrading a library written before Casefile did this itself.
    pub(crate) fn restrict_all(&self) -> Result<()> {
        for entry in walkdir_all(&self.root)? {
            let (path, is_dir) = entry;
            crate::fsutil::restrict(&path, is_dir)?;
        }
        Ok(())
    }

    /// How an original's file stands, without reading it: there, a regular file, read-only.
    pub fn inspect(&self, sha256: &str) -> FileCheck {
        if Self::check_sha(sha256).is_err() {
            return FileCheck::Missing;
        }
        match fs::symlink_metadata(self.original_path(sha256)) {
            Err(_) => FileCheck::Missing,
            Ok(m) if m.file_type().is_symlink() => FileCheck::Symlink,
            Ok(m) if !m.is_file() => FileCheck::NotRegular,
            Ok(m) if !m.permissions().readonly() => FileCheck::Writable,
            Ok(_) => FileCheck::Ok,
        }
    }

    /// Recomputes an original's SHA-256 (streaming, constant memory), calling `progress` with
    /// the bytes read so far.
    pub fn rehash(&self, sha256: &str, progress: &mut dyn FnMut(u64)) -> Result<String> {
        let mut done = 0u64;
        self.stream_original(sha256, &mut |chunk| {
            done += chunk.len() as u64;
            progress(done);
            Ok(())
        })
        .map(|(sha, _)| sha)
    }

    /// Reads an original once, chunk by chunk, handing each to `f`; returns the SHA-256 of what
    /// was read and its length.
    fn stream_original(
        &self,
        sha256: &str,
        f: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<(String, u64)> {
        // A sealed file that no longer decrypts was altered: each chunk is authenticated.
        let altered = || {
            Error::CustodyBroken(format!(
                "the vault file {sha256} was altered: it no longer decrypts with this library's key"
            ))
        };
        let mut file = match self.open_original(sha256) {
            Err(Error::Corrupt(_)) => return Err(altered()),
            other => other?,
        };
        let path = self.original_path(sha256);
        let mut h = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut n_total = 0u64;
        loop {
            let n = read_full(&mut file, &mut buf).map_err(|e| {
                if self.keys.is_some() && e.kind() == std::io::ErrorKind::InvalidData {
                    altered()
                } else {
                    Error::io(&path, e)
                }
            })?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            f(&buf[..n])?;
            n_total += n as u64;
        }
        Ok((hex::encode(h.finalize()), n_total))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn original_path(&self, sha256: &str) -> PathBuf {
        match &self.keys {
            Some(k) => {
                let name = k.file_name("original", sha256);
                self.root.join(SEALED_DIR).join(&name[..2]).join(name)
            }
            None => self
                .root
                .join(ORIGINALS_DIR)
                .join(&sha256[..2])
                .join(sha256),
        }
    }

    fn thumb_path(&self, sha256: &str) -> PathBuf {
        match &self.keys {
            Some(k) => {
                let name = k.file_name("thumb", sha256);
                self.root
                    .join(SEALED_THUMBS_DIR)
                    .join(&name[..2])
                    .join(name)
            }
            None => self
                .root
                .join(THUMBS_DIR)
                .join(&sha256[..2])
                .join(format!("{sha256}.jpg")),
        }
    }

    fn check_sha(sha256: &str) -> Result<()> {
        if sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            Ok(())
        } else {
            Err(Error::invalid(
                "sha256",
                format!("\"{sha256}\" is not a SHA-256 hex digest"),
            ))
        }
    }

    /// Where the original with this digest lies on disk, for tests that play someone editing
    /// the vault behind Casefile's back (as a person on that disk could, knowing the key).
    #[doc(hidden)]
    pub fn original_path_for_tests(&self, sha256: &str) -> PathBuf {
        self.original_path(sha256)
    }

    /// Where the original with this digest lies in the library folder `dir` made by
    /// `Library::open_for_tests` (unlocking its key slots with the test passphrase), without
    /// opening the library.
    #[doc(hidden)]
    pub fn test_original_path(dir: &Path, sha256: &str) -> PathBuf {
        let keys = crate::store::keyslots::load(dir)
            .and_then(|k| k.unlock(crate::store::keyslots::TEST_PASSPHRASE))
            .and_then(|(m, _)| m.library_keys())
            .ok()
            .map(Arc::new);
        Vault {
            root: dir.join(VAULT_DIR),
            keys,
        }
        .original_path(sha256)
    }

    /// The folder holding the originals (sealed or not), for tests and benchmarks.
    #[doc(hidden)]
    pub fn originals_dir_for_tests(&self) -> PathBuf {
        self.root.join(if self.keys.is_some() {
            SEALED_DIR
        } else {
            ORIGINALS_DIR
        })
    }

    /// Whether the original with this digest is in the vault.
    pub fn contains(&self, sha256: &str) -> bool {
        Self::check_sha(sha256).is_ok() && self.original_path(sha256).is_file()
    }

    /// The path of an original that is there; for this module only (others get readers).
    fn existing_original(&self, sha256: &str) -> Result<PathBuf> {
        Self::check_sha(sha256)?;
        let p = self.original_path(sha256);
        if p.is_file() {
            Ok(p)
        } else {
            Err(Error::NotFound {
                kind: "vault file",
                id: sha256.to_string(),
            })
        }
    }

    /// Opens an original for reading: the one way to read a stored file (hand it to
    /// casefile-media, which reads streams). A symbolic link put in its place is not followed.
    pub fn open_original(&self, sha256: &str) -> Result<VaultReader> {
        let p = self.existing_original(sha256)?;
        self.reader(&p)
    }

    /// Opens a staged copy for reading: exactly the bytes that were hashed, before they are
    /// committed (intake reads the metadata from it).
    pub fn open_staged(&self, staged: &Staged) -> Result<VaultReader> {
        self.reader(&staged.temp)
    }

    /// Opens a temp file made with [`Vault::temp_file`] for reading.
    pub fn open_temp(&self, path: &Path) -> Result<VaultReader> {
        if path.parent() != Some(self.root.join(TMP_DIR).as_path()) {
            return Err(Error::invalid("path", "not a temp file of this vault"));
        }
        self.reader(path)
    }

    /// Copies `source` into the temp area while hashing it; reads it once, in constant memory.
    /// `progress` is called with the bytes done so far; `cancel` is checked between chunks.
    pub fn stage(
        &self,
        source: &Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Staged, StageError> {
        let mut src = File::open(source).map_err(io(source))?;
        let meta = src.metadata().map_err(io(source))?;
        if !meta.is_file() {
            return Err(Error::invalid(
                "path",
                format!("{} is not a regular file", source.display()),
            )
            .into());
        }
        self.stage_reader(&mut src, source, cancel, progress)
    }

    /// Like [`Vault::stage`], from any reader (e.g. a file inside a ZIP bundle); `source` names
    /// it in messages.
    pub fn stage_reader(
        &self,
        src: &mut dyn Read,
        source: &Path,
        cancel: &AtomicBool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Staged, StageError> {
        let temp = self.root.join(TMP_DIR).join(crate::new_id());
        let dst = crate::fsutil::private_new_file(&temp)?;
        let dst = match self.sink(dst, &temp) {
            Ok(d) => d,
            Err(e) => {
                let _ = fs::remove_file(&temp);
                return Err(e.into());
            }
        };
        let result = pipeline(src, source, dst, &temp, cancel, progress);
        match result {
            Ok((sha256, size, head)) => Ok(Staged {
                source: source.to_path_buf(),
                temp,
                sha256,
                size,
                head,
            }),
            Err(e) => {
                let _ = fs::remove_file(&temp);
                Err(e)
            }
        }
    }

    /// Makes a batch durable: fsyncs each staged file, renames it to its content address
    /// (read-only) unless that content is already there, and fsyncs the directories touched.
    /// Returns, per file, whether it was new to the vault. Temp files are gone afterwards.
    pub fn commit<'a>(&self, batch: impl IntoIterator<Item = &'a Staged>) -> Result<Vec<bool>> {
        let mut fresh = Vec::new();
        let mut dirs: Vec<PathBuf> = Vec::new();
        for s in batch {
            let dest = self.original_path(&s.sha256);
            if dest.is_file() {
                fs::remove_file(&s.temp).map_err(io(&s.temp))?;
                fresh.push(false);
                continue;
            }
            let f = File::open(&s.temp).map_err(io(&s.temp))?;
            f.sync_all().map_err(io(&s.temp))?;
            let mut perms = f.metadata().map_err(io(&s.temp))?.permissions();
            perms.set_readonly(true);
            fs::set_permissions(&s.temp, perms).map_err(io(&s.temp))?;
            let dir = dest.parent().unwrap_or(&self.root).to_path_buf();
            fs::create_dir_all(&dir).map_err(io(&dir))?;
            fs::rename(&s.temp, &dest).map_err(io(&dest))?;
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
            fresh.push(true);
        }
        dirs.push(self.root.join(if self.keys.is_some() {
            SEALED_DIR
        } else {
            ORIGINALS_DIR
        }));
        for d in dirs {
            File::open(&d).and_then(|f| f.sync_all()).map_err(io(&d))?;
        }
        Ok(fresh)
    }

    /// A new private temp file in the vault (a copy made for an export, say), sealed as it is
    /// written when the library is encrypted, with its path; read it back with
    /// [`Vault::open_temp`]. The caller removes it when done (or the vault does, on the next
    /// open).
    pub fn temp_file(&self) -> Result<(PathBuf, Sink)> {
        let p = self
            .root
            .join(TMP_DIR)
            .join(format!("tmp-{}", crate::new_id()));
        let f = crate::fsutil::private_new_file(&p)?;
        let sink = self.sink(f, &p).inspect_err(|_| {
            let _ = fs::remove_file(&p);
        })?;
        Ok((p, sink))
    }

    /// Removes staged temp files that will not be committed.
    pub fn discard<'a>(&self, batch: impl IntoIterator<Item = &'a Staged>) {
        for s in batch {
            let _ = fs::remove_file(&s.temp);
        }
    }

    /// Recomputes an original's SHA-256 (streaming) and says whether it still matches.
    pub fn verify(&self, sha256: &str) -> Result<bool> {
        Ok(self.rehash(sha256, &mut |_| {})? == sha256)
    }

    /// Streams an original into `out` while re-hashing it; fails, naming the file, if it no
    /// longer matches its recorded hash. Returns the bytes copied.
    pub fn copy_original_verified(&self, sha256: &str, out: &mut dyn Write) -> Result<u64> {
        let path = self.original_path(sha256);
        let (actual, n) = self.stream_original(sha256, &mut |chunk| {
            out.write_all(chunk).map_err(|e| Error::io(&path, e))
        })?;
        if actual != sha256 {
            return Err(Error::CustodyBroken(format!(
                "the vault file {sha256} no longer matches its recorded hash; it was not exported"
            )));
        }
        Ok(n)
    }

    /// Stores the thumbnail of an original (derived data: replaceable, kept apart).
    pub fn write_thumbnail(&self, sha256: &str, jpeg: &[u8]) -> Result<()> {
        Self::check_sha(sha256)?;
        let p = self.thumb_path(sha256);
        let dir = p.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(io(dir))?;
        let tmp = self
            .root
            .join(TMP_DIR)
            .join(format!("thumb-{}", crate::new_id()));
        let f = crate::fsutil::private_new_file(&tmp)?;
        let written = self.sink(f, &tmp).and_then(|mut s| {
            s.write_all(jpeg).map_err(io(&tmp))?;
            s.finish().map_err(io(&tmp))
        });
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        fs::rename(&tmp, &p).map_err(io(&p))?;
        Ok(())
    }

    /// The thumbnail of an original, if one was made.
    pub fn read_thumbnail(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Self::check_sha(sha256)?;
        let p = self.thumb_path(sha256);
        if !p.exists() {
            return Ok(None);
        }
        let mut r = match self.reader(&p) {
            Ok(r) => r,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        let mut b = Vec::new();
        r.read_to_end(&mut b).map_err(io(&p))?;
        Ok(Some(b))
    }

    /// Reads a whole original into memory (for showing an image); refuses files over `max`.
    pub fn read_original(&self, sha256: &str, max: u64) -> Result<Vec<u8>> {
        let mut f = self.open_original(sha256)?;
        let size = f
            .seek(std::io::SeekFrom::End(0))
            .and_then(|n| f.seek(std::io::SeekFrom::Start(0)).map(|_| n))
            .map_err(|e| Error::io(self.original_path(sha256), e))?;
        if size > max {
            return Err(Error::invalid(
                "size",
                format!("the file is {size} bytes, more than {max} can be shown here"),
            ));
        }
        let mut v = Vec::with_capacity(size as usize);
        f.read_to_end(&mut v)
            .map_err(|e| Error::io(self.original_path(sha256), e))?;
        Ok(v)
    }
}

impl Vault {
    /// Seals a copy of every original and thumbnail of this plaintext vault into `into` (the
    /// sealed vault of the same library, being built), keeping each under the hash it is stored
    /// under (so an original altered behind Casefile's back is still reported as altered, not
    /// missing). Reads each file once; `progress` gets (files done, files in all).
    pub(crate) fn seal_into(&self, into: &Vault, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        if self.keys.is_some() || into.keys.is_none() {
            return Err(Error::Unavailable(
                "only a plaintext vault is sealed".into(),
            ));
        }
        let originals = hashes_below(&self.root.join(ORIGINALS_DIR), "")?;
        let thumbs = hashes_below(&self.root.join(THUMBS_DIR), ".jpg")?;
        let total = (originals.len() + thumbs.len()) as u64;
        let mut done = 0u64;
        let never = AtomicBool::new(false);
        for batch in originals.chunks(64) {
            let mut staged = Vec::new();
            for sha in batch {
                let mut src = self.open_original(sha)?;
                let mut s = into
                    .stage_reader(&mut src, Path::new(sha), &never, &mut |_| {})
                    .map_err(|e| match e {
                        StageError::Failed(e) => e,
                        StageError::Cancelled => Error::Unavailable("cancelled".into()),
                    })?;
                s.sha256 = sha.clone();
                staged.push(s);
            }
            into.commit(&staged)?;
            done += batch.len() as u64;
            progress(done, total);
        }
        for sha in thumbs {
            if let Some(t) = self.read_thumbnail(&sha)? {
                into.write_thumbnail(&sha, &t)?;
            }
            done += 1;
            progress(done, total);
        }
        for d in [SEALED_DIR, SEALED_THUMBS_DIR] {
            sync_tree(&into.root.join(d))?;
        }
        Ok(())
    }
}

/// Removes the plaintext files of a vault that was sealed (originals, thumbnails, temp files),
/// each overwritten first. On an SSD the overwrite may not reach the blocks that held them (see
/// docs/security.md).
pub(crate) fn shred_plaintext(root: &Path) -> Result<()> {
    for d in [ORIGINALS_DIR, THUMBS_DIR, TMP_DIR] {
        crate::fsutil::shred_tree(&root.join(d))?;
    }
    Ok(())
}

/// Moves the sealed files of the vault at `from` (built while encrypting in place) into the
/// vault at `to`; repeatable (what was moved already is not there to move).
pub(crate) fn move_sealed(from: &Path, to: &Path) -> Result<()> {
    crate::fsutil::private_dir(&to.join("derived"))?;
    for d in [SEALED_DIR, SEALED_THUMBS_DIR] {
        let (src, dst) = (from.join(d), to.join(d));
        if src.exists() {
            if dst.exists() {
                fs::remove_dir_all(&dst).map_err(io(&dst))?;
            }
            fs::rename(&src, &dst).map_err(io(&dst))?;
        }
    }
    Ok(())
}

/// The SHA-256 names of the files two levels below `dir` (`ab/<hex><suffix>`).
fn hashes_below(dir: &Path, suffix: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for (path, is_dir) in walkdir_all(dir)? {
        if is_dir {
            continue;
        }
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            if let Some(sha) = name.strip_suffix(suffix) {
                if Vault::check_sha(sha).is_ok() {
                    out.push(sha.to_string());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Syncs every folder below `dir` (and `dir`), so renames into them are durable.
fn sync_tree(dir: &Path) -> Result<()> {
    for (path, is_dir) in walkdir_all(dir)? {
        if is_dir {
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io(&path))?;
        }
    }
    Ok(())
}

/// How an original's file stands (see [`Vault::inspect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileCheck {
    Ok,
    Missing,
    Symlink,
    NotRegular,
    Writable,
}

/// Every folder and file below `root` (and `root`), not following links.
fn walkdir_all(root: &Path) -> Result<Vec<(PathBuf, bool)>> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root).follow_links(false) {
        let e = e.map_err(|err| {
            let p = err.path().unwrap_or(root).to_path_buf();
            Error::io(
                &p,
                err.into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("a folder loop")),
            )
        })?;
        if !e.file_type().is_symlink() {
            out.push((e.path().to_path_buf(), e.file_type().is_dir()));
        }
    }
    Ok(out)
}

/// Reads `src` in chunks, hashing each on this thread while a second thread writes it to `dst`.
fn pipeline(
    src: &mut dyn Read,
    source: &Path,
    dst: Sink,
    temp: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
) -> Result<(String, u64, Vec<u8>), StageError> {
    let (to_writer, from_reader) = mpsc::sync_channel::<(Vec<u8>, usize)>(IN_FLIGHT);
    let (to_reader, spare) = mpsc::channel::<Vec<u8>>();
    for _ in 0..IN_FLIGHT {
        let _ = to_reader.send(vec![0u8; CHUNK]);
    }
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> std::io::Result<()> {
            let mut dst = dst;
            for (buf, n) in from_reader {
                dst.write_all(&buf[..n])?;
                let _ = to_reader.send(buf);
            }
            let f = dst.finish()?;
            start_writeback(&f);
            Ok(())
        });
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut size = 0u64;
        let outcome: Result<(), StageError> = (|| loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(StageError::Cancelled);
            }
            let mut buf = spare
                .recv()
                .map_err(|_| Error::io(temp, std::io::Error::other("the writer stopped")))?;
            let n = read_full(src, &mut buf).map_err(|e| Error::io(source, e))?;
            if n == 0 {
                return Ok(());
            }
            hasher.update(&buf[..n]);
            if head.len() < HEAD_LEN {
                head.extend_from_slice(&buf[..n.min(HEAD_LEN - head.len())]);
            }
            size += n as u64;
            progress(size);
            if to_writer.send((buf, n)).is_err() {
                return Err(Error::io(temp, std::io::Error::other("the writer stopped")).into());
            }
        })();
        drop(to_writer);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writer thread panicked")));
        // When the writer failed (a full disk, say), its error is the one that explains.
        if let Err(e) = written {
            if !matches!(outcome, Err(StageError::Cancelled)) {
                return Err(Error::io(temp, e).into());
            }
        }
        outcome?;
        Ok((hex::encode(hasher.finalize()), size, head))
    })
}

/// Fills `buf` as far as the file allows (short reads are retried); 0 means end of file.
fn read_full(f: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Asks the kernel to start writing the file out now, so the batch's fsync later finds little
/// left to do. Best effort; Linux only.
#[cfg(target_os = "linux")]
fn start_writeback(f: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open file descriptor; the call only schedules I/O.
    unsafe {
        libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_f: &File) {}
