//! What several integration tests share.

use std::path::{Path, PathBuf};

/// The real sample photos (with exiftool's reference values) of ../shared/testdata.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/exif-samples")
}

/// Unpacks the Casefile 0.1 library of tests/fixtures (see its README) into `dir`, with its
/// vault files (plaintext, as 0.1 kept them; originals read-only).
pub fn legacy_library(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let zip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/library-0.1.zip");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut db = archive.by_name("casefile.db").unwrap();
    let mut out = std::fs::File::create(dir.join("casefile.db")).unwrap();
    std::io::copy(&mut db, &mut out).unwrap();
    for name in ["gps/DSCN0012.jpg", "gps/DSCN0010.jpg", "Canon_40D.jpg"] {
        let bytes = std::fs::read(samples().join("jpg").join(name)).unwrap();
        let sha = casefile_core::custody::sha256_hex(&bytes);
        let dest = dir.join("vault/sha256").join(&sha[..2]).join(&sha);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, bytes).unwrap();
        let mut perms = std::fs::metadata(&dest).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&dest, perms).unwrap();
    }
}
