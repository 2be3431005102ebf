//! What several integration tests share.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

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

/// Undoes migration 10 on a library's database: the vocabulary labels go back into
/// `vocab_terms`' `label_en` / `label_uk` columns and `vocab_labels` is dropped (for tests that
/// make a library as an earlier release left it; set `user_version` yourself).
pub fn undo_vocab_labels(conn: &rusqlite::Connection) {
    let m2 = casefile_core::db::MIGRATIONS[1];
    let start = m2.find("CREATE TABLE vocab_terms (").unwrap();
    let create = &m2[start..start + m2[start..].find(");").unwrap() + 1];
    conn.execute_batch(&format!(
        "ALTER TABLE vocab_terms RENAME TO vocab_terms_new;
         {create};
         INSERT INTO vocab_terms (vocab, code, label_en, label_uk, builtin, sort)
           SELECT vocab, code,
             coalesce((SELECT label FROM vocab_labels l WHERE l.vocab = t.vocab AND l.code = t.code AND language = 'en'), ''),
             coalesce((SELECT label FROM vocab_labels l WHERE l.vocab = t.vocab AND l.code = t.code AND language = 'uk'), ''),
             builtin, sort FROM vocab_terms_new t;
         DROP TABLE vocab_labels;
         DROP TABLE vocab_terms_new;"
    ))
    .unwrap();
}
