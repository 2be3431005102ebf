//! Thumbnail benchmark: our JPEG path against libvips' `vipsthumbnail`, in the same run.
//!
//! Generates N photographic-like 12-megapixel JPEGs (4000×3000: colour gradients, soft
//! structure and per-pixel noise, quality 90 — flat colour would flatter every decoder), then
//! times `casefile_media::thumbnail(&mut file, 256)` per image (opening the file included) and `vipsthumbnail --size 256` per
//! image (one process per image, as intake would run it), over several rounds, and prints
//! ms/image for both and the ratio. Prints figures only; asserts nothing.
//!
//! ```text
//! cargo run --release --bin thumb-bench -- [--count 20] [--size 256] [--rounds 3]
//! ```
//! `vipsthumbnail` comes from Debian's `libvips-tools`; without it only our figure is printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;

struct Args {
    count: usize,
    size: u32,
    rounds: usize,
}

fn parse_args() -> Args {
    let mut a = Args {
        count: 20,
        size: 256,
        rounds: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| usage())
        };
        match flag.as_str() {
            "--count" => a.count = val().max(1) as usize,
            "--size" => a.size = val().max(1) as u32,
            "--rounds" => a.rounds = val().max(1) as usize,
            _ => usage(),
        }
    }
    a
}

fn usage() -> ! {
    eprintln!("usage: thumb-bench [--count N] [--size PX] [--rounds R]");
    std::process::exit(2)
}

/// xorshift64*: deterministic noise without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn photo_like(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    let phase = (seed % 97) as f32 * 0.37;
    let mut px = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let fy = y as f32 / h as f32;
        for x in 0..w {
            let fx = x as f32 / w as f32;
            // Soft structure: a few low-frequency waves, like sky, walls and foliage at a distance.
            let wave = (fx * 9.0 + phase).sin() * (fy * 7.0 - phase).cos() * 40.0
                + ((fx + fy) * 23.0 + phase).sin() * 15.0;
            let r = rng.next();
            // Sensor-like noise, mostly in luminance: sums of uniforms, roughly Gaussian.
            let u = |shift: u32, bits: u32| ((r >> shift) & ((1 << bits) - 1)) as f32;
            let luma = (u(0, 5) + u(5, 5) + u(10, 5) - 46.5) * 0.45; // sigma ~ 7 levels
            let chroma = |shift: u32| (u(shift, 4) + u(shift + 4, 4) - 15.0) * 0.35; // sigma ~ 2
            let c = |v: f32| v.clamp(0.0, 255.0) as u8;
            px.push(c(40.0 + 170.0 * fx + wave + luma + chroma(16)));
            px.push(c(60.0 + 120.0 * fy + wave * 0.8 + luma + chroma(24)));
            px.push(c(90.0 + 80.0 * (1.0 - fx * fy) - wave * 0.5
                + luma
                + chroma(32)));
        }
    }
    px
}

fn main() {
    let args = parse_args();
    let dir = std::env::temp_dir().join(format!("casefile-thumb-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("vips")).expect("create temp dir");

    eprintln!(
        "generating {} JPEGs of {WIDTH}x{HEIGHT} (quality 90) in {} ...",
        args.count,
        dir.display()
    );
    let mut files: Vec<PathBuf> = Vec::new();
    let mut total_bytes = 0u64;
    for i in 0..args.count {
        let path = dir.join(format!("photo{i:03}.jpg"));
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        image::ImageEncoder::write_image(
            enc,
            &photo_like(i as u64 + 1),
            WIDTH,
            HEIGHT,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode");
        total_bytes += out.len() as u64;
        std::fs::write(&path, &out).expect("write jpeg");
        files.push(path);
    }
    println!(
        "{} images, {WIDTH}x{HEIGHT}, quality 90, mean {:.1} MB; thumbnails to {} px",
        args.count,
        total_bytes as f64 / args.count as f64 / 1e6,
        args.size
    );

    let vips = Command::new("vipsthumbnail")
        .arg("--vips-version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !vips {
        println!("vipsthumbnail not found (apt-get install libvips-tools): timing ours only");
    }

    // Warm the page cache and both code paths once.
    for f in &files {
        let _ = std::fs::read(f);
    }
    ours(&files[..1], args.size);
    if vips {
        vips_per_image(&files[..1], &dir, args.size);
    }

    let mut our_rounds = Vec::new();
    let mut analyse_rounds = Vec::new();
    let mut vips_rounds = Vec::new();
    let mut vips_batch_rounds = Vec::new();
    for _ in 0..args.rounds {
        our_rounds.push(per_image_ms(ours(&files, args.size), files.len()));
        analyse_rounds.push(per_image_ms(ours_analyse(&files, args.size), files.len()));
        if vips {
            vips_rounds.push(per_image_ms(
                vips_per_image(&files, &dir, args.size),
                files.len(),
            ));
            vips_batch_rounds.push(per_image_ms(
                vips_one_process(&files, &dir, args.size),
                files.len(),
            ));
        }
    }
    let ours_ms = median(&mut our_rounds);
    println!(
        "casefile-media thumbnail():          {ours_ms:7.1} ms/image   (rounds: {})",
        fmt(&our_rounds)
    );
    let analyse_ms = median(&mut analyse_rounds);
    println!(
        "casefile-media analyse_image():      {analyse_ms:7.1} ms/image   (thumbnail + perceptual hash; rounds: {})",
        fmt(&analyse_rounds)
    );
    if vips {
        let vips_ms = median(&mut vips_rounds);
        let batch_ms = median(&mut vips_batch_rounds);
        println!(
            "vipsthumbnail, one process per image: {vips_ms:7.1} ms/image   (rounds: {})",
            fmt(&vips_rounds)
        );
        println!(
            "vipsthumbnail, one process for all:   {batch_ms:7.1} ms/image   (rounds: {}; for context)",
            fmt(&vips_batch_rounds)
        );
        println!(
            "ratio ours / vipsthumbnail per image: {:.2}  (target <= 0.80)",
            ours_ms / vips_ms
        );
        println!(
            "ratio ours / vipsthumbnail batched:   {:.2}",
            ours_ms / batch_ms
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn ours(files: &[PathBuf], size: u32) -> Duration {
    let start = Instant::now();
    for f in files {
        let mut file = std::fs::File::open(f).expect("open image");
        let t = casefile_media::thumbnail(&mut file, size).expect("our thumbnail");
        std::hint::black_box(t);
    }
    start.elapsed()
}

fn ours_analyse(files: &[PathBuf], size: u32) -> Duration {
    let start = Instant::now();
    for f in files {
        let mut file = std::fs::File::open(f).expect("open image");
        let t = casefile_media::analyse_image(&mut file, size).expect("our analyse_image");
        std::hint::black_box(t);
    }
    start.elapsed()
}

fn vips_per_image(files: &[PathBuf], dir: &Path, size: u32) -> Duration {
    let out = dir.join("vips").join("%s.jpg");
    let start = Instant::now();
    for f in files {
        let status = Command::new("vipsthumbnail")
            .arg("--size")
            .arg(size.to_string())
            .arg("-o")
            .arg(&out)
            .arg(f)
            .status()
            .expect("run vipsthumbnail");
        assert!(status.success(), "vipsthumbnail failed on {}", f.display());
    }
    start.elapsed()
}

fn vips_one_process(files: &[PathBuf], dir: &Path, size: u32) -> Duration {
    let out = dir.join("vips").join("%s.jpg");
    let start = Instant::now();
    let status = Command::new("vipsthumbnail")
        .arg("--size")
        .arg(size.to_string())
        .arg("-o")
        .arg(&out)
        .args(files)
        .status()
        .expect("run vipsthumbnail");
    assert!(status.success(), "vipsthumbnail failed");
    start.elapsed()
}

fn per_image_ms(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1000.0 / n as f64
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn fmt(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}
