//! Shared helpers for the integration tests: where the shared test data lives, and temp dirs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `shared/testdata` beside the repository: from `crates/casefile-media` that is
/// `../../../shared/testdata` (the repo is `/work/main`, shared data `/work/shared`).
pub fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    assert!(
        dir.is_dir(),
        "test data not found at {} (shared/ must sit beside the repo)",
        dir.display()
    );
    dir
}

pub fn samples() -> PathBuf {
    testdata().join("exif-samples")
}

pub fn sample(rel: &str) -> PathBuf {
    samples().join(rel)
}

/// The file at `path`, opened for the crate's reader API (the crate itself opens nothing).
pub fn open(path: &Path) -> std::fs::File {
    std::fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// Every regular file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read test data dir") {
            let p = entry.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "casefile-media-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
