//! The `media:` protocol on a real library through Tauri's mock runtime: thumbnails, originals
//! whole and by HTTP range, and what is refused (everything, once the library is locked).

use casefile_app::media::{media_response, MAX_RANGE};
mod common;
use casefile_core::clock::SystemClock;
use casefile_core::evidence::Acquisition;
use casefile_core::Library;
use common::{invoke, unlocked};
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tauri::http::Request;

fn get(
    app: &tauri::AppHandle<tauri::test::MockRuntime>,
    path: &str,
    range: Option<&str>,
) -> tauri::http::Response<Vec<u8>> {
    let mut r = Request::builder().uri(format!("media://localhost{path}"));
    if let Some(range) = range {
        r = r.header("Range", range);
    }
    media_response(app, &r.body(Vec::new()).unwrap())
}

fn header<'a>(r: &'a tauri::http::Response<Vec<u8>>, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[test]
fn originals_are_served_whole_or_by_range_and_thumbnails_from_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let photo = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/testdata/exif-samples/jpg/Canon_40D.jpg"
    ));
    let bytes = std::fs::read(&photo).unwrap();
    // A "video" bigger than one range response, so a player must ask more than once.
    let mut big = b"\0\0\0\x18ftypisom\0\0\0\0isommp41".to_vec();
    big.extend((0..MAX_RANGE + 12_345).map(|i| (i * 7 % 251) as u8));
    std::fs::write(src.path().join("clip.mp4"), &big).unwrap();
    std::fs::write(src.path().join("note.txt"), b"not an image").unwrap();
    let (image, text, clip) = {
        let mut lib = Library::open_for_tests(dir.path(), Arc::new(SystemClock)).unwrap();
        let case = lib
            .create_case(casefile_core::cases::NewCase {
                title: "Media".into(),
                ..Default::default()
            })
            .unwrap()
            .id;
        let acq = Acquisition {
            collected_by: "Field".into(),
            method: "received".into(),
            ..Default::default()
        };
        let paths = [
            photo.clone(),
            src.path().join("note.txt"),
            src.path().join("clip.mp4"),
        ];
        let report = lib
            .add_evidence(&case, &paths, &acq, &AtomicBool::new(false), &mut |_| {})
            .unwrap();
        for (sha, kind) in lib.pending_analysis(10).unwrap() {
            let a = casefile_core::evidence::analyse(lib.vault(), &sha, &kind);
            lib.store_analysis(&sha, &a).unwrap();
        }
        let id = |name: &str| {
            report
                .added
                .iter()
                .find(|e| e.original_name.ends_with(name))
                .unwrap()
                .id
                .clone()
        };
        (id("Canon_40D.jpg"), id("note.txt"), id("clip.mp4"))
    };
    let (app, w) = unlocked(dir.path());
    let h = app.handle();

    let whole = get(h, &format!("/original/{image}"), None);
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.body(), &bytes, "the original, byte for byte");
    assert_eq!(header(&whole, "content-type"), "image/jpeg");
    assert_eq!(header(&whole, "accept-ranges"), "bytes");
    assert_eq!(header(&whole, "cache-control"), "no-store");

    let first = get(h, &format!("/original/{image}"), Some("bytes=0-99"));
    assert_eq!(first.status(), 206);
    assert_eq!(first.body(), &bytes[..100]);
    assert_eq!(
        header(&first, "content-range"),
        format!("bytes 0-99/{}", bytes.len())
    );
    let tail = get(h, &format!("/original/{image}"), Some("bytes=-10"));
    assert_eq!(
        (tail.status().as_u16(), tail.body().as_slice()),
        (206, &bytes[bytes.len() - 10..])
    );
    let rest = get(
        h,
        &format!("/original/{image}"),
        Some(&format!("bytes={}-", bytes.len() - 3)),
    );
    assert_eq!(rest.body(), &bytes[bytes.len() - 3..]);
    let beyond = get(
        h,
        &format!("/original/{image}"),
        Some(&format!("bytes={}-", bytes.len())),
    );
    assert_eq!(beyond.status(), 416);
    assert_eq!(
        header(&beyond, "content-range"),
        format!("bytes */{}", bytes.len())
    );
    let garbage = get(h, &format!("/original/{image}"), Some("bytes=zz"));
    assert_eq!(
        (garbage.status().as_u16(), garbage.body().len()),
        (200, bytes.len()),
        "a Range header that makes no sense is ignored"
    );

    // A long file comes in pieces of at most MAX_RANGE, and is never sent whole by mistake.
    let mut got = Vec::new();
    while got.len() < big.len() {
        let part = get(
            h,
            &format!("/original/{clip}"),
            Some(&format!("bytes={}-", got.len())),
        );
        assert_eq!(part.status(), 206);
        assert!(part.body().len() as u64 <= MAX_RANGE && !part.body().is_empty());
        let end = got.len() + part.body().len() - 1;
        assert_eq!(
            header(&part, "content-range"),
            format!("bytes {}-{end}/{}", got.len(), big.len())
        );
        got.extend_from_slice(part.body());
    }
    assert!(got == big, "the pieces make the file");
    let mid = get(
        h,
        &format!("/original/{clip}"),
        Some("bytes=5000000-5000009"),
    );
    assert_eq!(
        mid.body(),
        &big[5_000_000..5_000_010],
        "a seek lands where it was asked"
    );

    let thumb = get(h, &format!("/thumb/{image}"), None);
    assert_eq!(thumb.status(), 200);
    assert_eq!(&thumb.body()[..3], b"\xff\xd8\xff", "a JPEG thumbnail");
    assert_eq!(
        get(h, &format!("/thumb/{text}"), None).status(),
        404,
        "a text file has no thumbnail"
    );
    assert_eq!(
        get(h, &format!("/original/{text}"), None).status(),
        404,
        "only pictures, video and sound are shown"
    );
    assert_eq!(get(h, "/original/no-such-id", None).status(), 404);
    assert_eq!(get(h, "/elsewhere/x", None).status(), 404);

    // Locked: a URL that served the photo a moment ago now serves nothing at all, whole or
    // by range, thumbnail or original; unlocked again, it serves it again.
    invoke(&w, "library_lock", json!({})).unwrap();
    for (path, range) in [
        (format!("/original/{image}"), None),
        (format!("/original/{image}"), Some("bytes=0-99")),
        (format!("/original/{clip}"), Some("bytes=0-")),
        (format!("/thumb/{image}"), None),
        ("/original/no-such-id".to_string(), None),
    ] {
        let r = get(h, &path, range);
        assert_eq!(r.status(), 403, "{path} while locked");
        assert!(r.body().is_empty(), "{path}: not one byte while locked");
    }
    invoke(
        &w,
        "library_unlock",
        json!({ "passphrase": common::PASSPHRASE }),
    )
    .unwrap();
    assert_eq!(get(h, &format!("/thumb/{image}"), None).status(), 200);
}
