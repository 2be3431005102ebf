//! Fast path for the commonest intake case: a thumbnail of a large baseline JPEG.
//!
//! At 1/8 scale each 8×8 block becomes one pixel whose value is the block's DC coefficient, so
//! the inverse DCT disappears and what remains is entropy decoding. `jpeg-decoder` still
//! dequantises and stores every AC coefficient; here we only *skip* them, with a lookup table
//! that consumes a Huffman code and its magnitude bits in one step. This roughly halves the time
//! of a 12-megapixel thumbnail, which is what intake of thousands of photos spends its time on.
//!
//! Scope, deliberately narrow: 8-bit baseline/extended sequential Huffman JPEG (SOF0/SOF1) in a
//! single interleaved scan, grayscale or YCbCr with chroma at 1×1 and luma at 1×1, 2×1, 1×2 or
//! 2×2 (4:4:4, 4:2:2, 4:4:0, 4:2:0), with or without restart markers. Anything else —
//! progressive, arithmetic, CMYK/Adobe RGB transforms, odd sampling, multi-scan, any
//! inconsistency or damage — returns `None` and the caller falls back to `jpeg-decoder`, which
//! then decodes it or reports the error. So this path never decides that a file is broken.
//!
//! The output equals `jpeg-decoder`'s 1/8-scale output for luma exactly
//! (`clamp((dc·q + 1024) / 8)`); chroma is replicated rather than interpolated, invisible after
//! the following resize.

/// Bits looked up at once in the Huffman tables.
const FAST_BITS: u32 = 10;
/// Marker for an end-of-block entry in the AC skip table.
const EOB: u16 = 127;

pub(crate) struct DcImage {
    pub w: u32,
    pub h: u32,
    pub rgb: Vec<u8>,
}

/// Decodes `data` at 1/8 scale, or returns None when this fast path does not apply (see the
/// module documentation). Never panics on any input.
pub(crate) fn decode_eighth(data: &[u8]) -> Option<DcImage> {
    let hdr = parse_headers(data)?;
    let dcs = decode_scan(data, &hdr)?;
    Some(assemble(&hdr, &dcs))
}

#[derive(Clone, Copy, Default)]
struct Component {
    id: u8,
    h: u32,
    v: u32,
    tq: usize,
    td: usize,
    ta: usize,
}

struct Header {
    width: u32,
    height: u32,
    comps: Vec<Component>,
    q0: [Option<i32>; 4],
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    restart_interval: u32,
    /// Offset of the first entropy-coded byte.
    scan_start: usize,
}

fn be16(d: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
    ])))
}

fn parse_headers(d: &[u8]) -> Option<Header> {
    if d.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut hdr = Header {
        width: 0,
        height: 0,
        comps: Vec::new(),
        q0: [None; 4],
        dc: [None, None, None, None],
        ac: [None, None, None, None],
        restart_interval: 0,
        scan_start: 0,
    };
    let mut frame_seen = false;
    let mut adobe_transform: Option<u8> = None;
    let mut pos = 2;
    loop {
        if *d.get(pos)? != 0xFF {
            return None;
        }
        while *d.get(pos)? == 0xFF {
            pos += 1;
        }
        let marker = *d.get(pos)?;
        pos += 1;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 | 0xD9 => return None,
            _ => {}
        }
        let len = be16(d, pos)?;
        if len < 2 {
            return None;
        }
        let seg = d.get(pos + 2..pos + len)?;
        pos += len;
        match marker {
            0xC0 | 0xC1 => {
                if frame_seen || *seg.first()? != 8 {
                    return None;
                }
                frame_seen = true;
                hdr.height = be16(seg, 1)? as u32;
                hdr.width = be16(seg, 3)? as u32;
                let n = usize::from(*seg.get(5)?);
                if hdr.width == 0 || hdr.height == 0 || !(n == 1 || n == 3) {
                    return None;
                }
                for i in 0..n {
                    let c = seg.get(6 + 3 * i..9 + 3 * i)?;
                    let tq = usize::from(c[2]);
                    if tq > 3 {
                        return None;
                    }
                    hdr.comps.push(Component {
                        id: c[0],
                        h: u32::from(c[1] >> 4),
                        v: u32::from(c[1] & 15),
                        tq,
                        ..Component::default()
                    });
                }
            }
            0xC4 => parse_dht(&mut hdr, seg)?,
            0xC2..=0xCF => return None, // progressive, lossless, hierarchical, arithmetic
            0xDB => {
                let mut i = 0;
                while i < seg.len() {
                    let pq = seg[i] >> 4;
                    let tq = usize::from(seg[i] & 15);
                    if tq > 3 {
                        return None;
                    }
                    let q = match pq {
                        0 => i32::from(*seg.get(i + 1)?),
                        1 => be16(seg, i + 1)? as i32,
                        _ => return None,
                    };
                    hdr.q0[tq] = Some(q);
                    i += 1 + 64 * (usize::from(pq) + 1);
                }
                if i != seg.len() {
                    return None;
                }
            }
            0xDD => hdr.restart_interval = be16(seg, 0)? as u32,
            0xEE if seg.starts_with(b"Adobe") => adobe_transform = Some(*seg.get(11)?),
            0xDA => {
                if !frame_seen {
                    return None;
                }
                let ns = usize::from(*seg.first()?);
                if ns != hdr.comps.len() {
                    return None; // not a single interleaved scan
                }
                for i in 0..ns {
                    let cid = *seg.get(1 + 2 * i)?;
                    let t = *seg.get(2 + 2 * i)?;
                    let comp = hdr.comps.iter_mut().find(|c| c.id == cid)?;
                    comp.td = usize::from(t >> 4);
                    comp.ta = usize::from(t & 15);
                    if comp.td > 3 || comp.ta > 3 {
                        return None;
                    }
                }
                let tail = seg.get(1 + 2 * ns..4 + 2 * ns)?;
                if tail != [0, 63, 0] {
                    return None; // Ss, Se, Ah/Al of a sequential scan
                }
                hdr.scan_start = pos;
                break;
            }
            _ => {}
        }
    }
    let ids: Vec<u8> = hdr.comps.iter().map(|c| c.id).collect();
    if (1..ids.len()).any(|i| ids[..i].contains(&ids[i])) {
        return None; // duplicate component ids: ambiguous scan header
    }
    // Colour model: grayscale, or YCbCr (not Adobe RGB, not component ids 'R','G','B').
    if hdr.comps.len() == 3 {
        if adobe_transform == Some(0) || hdr.comps.iter().map(|c| c.id).eq(*b"RGB") {
            return None;
        }
        let (y, cb, cr) = (hdr.comps[0], hdr.comps[1], hdr.comps[2]);
        let chroma_1x1 = cb.h == 1 && cb.v == 1 && cr.h == 1 && cr.v == 1;
        if !chroma_1x1 || !(1..=2).contains(&y.h) || !(1..=2).contains(&y.v) {
            return None;
        }
    } else {
        // One component is a non-interleaved scan: one block per MCU whatever its factors.
        hdr.comps[0].h = 1;
        hdr.comps[0].v = 1;
    }
    for c in &hdr.comps {
        if hdr.q0[c.tq].is_none() || hdr.dc[c.td].is_none() || hdr.ac[c.ta].is_none() {
            return None;
        }
    }
    Some(hdr)
}

// ---------------------------------------------------------------------------------------------
// Huffman tables

struct Huffman {
    /// For DC: index by the next FAST_BITS bits → (code length << 8 | symbol), 0 = slow path.
    /// For AC: index → (advance << 5 | code length + magnitude bits), 0 = slow path.
    fast: Vec<u16>,
    /// Canonical decoding for codes longer than FAST_BITS: per length, the first code, the
    /// one-past-last code, and the index of the first symbol.
    mincode: [u32; 17],
    maxcode: [u32; 17],
    valptr: [usize; 17],
    symbols: Vec<u8>,
}

impl Huffman {
    fn build(counts: &[u8], symbols: &[u8], is_ac: bool) -> Option<Huffman> {
        let mut t = Huffman {
            fast: vec![0; 1 << FAST_BITS],
            mincode: [0; 17],
            maxcode: [0; 17],
            valptr: [0; 17],
            symbols: symbols.to_vec(),
        };
        let mut code: u32 = 0;
        let mut k = 0usize;
        for len in 1..=16u32 {
            let n = usize::from(counts[len as usize - 1]);
            t.valptr[len as usize] = k;
            t.mincode[len as usize] = code;
            for _ in 0..n {
                let sym = *symbols.get(k)?;
                if len <= FAST_BITS {
                    let entry = if is_ac {
                        let (r, s) = (u16::from(sym >> 4), u16::from(sym & 15));
                        let adv = match (r, s) {
                            (0, 0) => EOB,
                            (15, 0) => 16,
                            (r, _) => r + 1,
                        };
                        (adv << 5) | (len as u16 + s)
                    } else {
                        ((len as u16) << 8) | u16::from(sym)
                    };
                    let shift = FAST_BITS - len;
                    let first = (code << shift) as usize;
                    for slot in t.fast.get_mut(first..first + (1 << shift))? {
                        *slot = entry;
                    }
                }
                code += 1;
                k += 1;
            }
            if code > (1 << len) {
                return None; // over-subscribed code
            }
            t.maxcode[len as usize] = code;
            code <<= 1;
        }
        Some(t)
    }

    /// Decodes one symbol the slow way (codes longer than FAST_BITS). Needs ≥ 16 bits buffered.
    fn decode_slow(&self, b: &mut Bits) -> Option<u8> {
        for len in FAST_BITS + 1..=16 {
            let code = b.peek(len);
            let l = len as usize;
            if code >= self.mincode[l] && code < self.maxcode[l] {
                let idx = self.valptr[l] + (code - self.mincode[l]) as usize;
                b.consume(len);
                return self.symbols.get(idx).copied();
            }
        }
        None
    }
}

fn parse_dht(hdr: &mut Header, seg: &[u8]) -> Option<()> {
    let mut i = 0;
    while i < seg.len() {
        let tc = seg[i] >> 4;
        let th = usize::from(seg[i] & 15);
        if tc > 1 || th > 3 {
            return None;
        }
        let counts = seg.get(i + 1..i + 17)?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > 256 {
            return None;
        }
        let symbols = seg.get(i + 17..i + 17 + total)?;
        let table = Huffman::build(counts, symbols, tc == 1)?;
        if tc == 0 {
            hdr.dc[th] = Some(table);
        } else {
            hdr.ac[th] = Some(table);
        }
        i += 17 + total;
    }
    Some(())
}

// ---------------------------------------------------------------------------------------------
// Bit reader over entropy-coded data (byte stuffing 0xFF00 removed, stops at markers).

struct Bits<'a> {
    d: &'a [u8],
    pos: usize,
    /// Buffered bits, left-aligned (next bit is the MSB).
    buf: u64,
    n: u32,
    /// A marker (or the end of data) was reached: further refills add zero bytes.
    at_marker: bool,
    /// Zero bytes added after the marker.
    padded: u32,
}

impl<'a> Bits<'a> {
    fn new(d: &'a [u8], pos: usize) -> Self {
        Bits {
            d,
            pos,
            buf: 0,
            n: 0,
            at_marker: false,
            padded: 0,
        }
    }

    #[inline(always)]
    fn refill(&mut self) {
        // Fast path: the next 8 bytes contain no 0xFF, so no stuffing or marker among them.
        if let Some(chunk) = self.d.get(self.pos..self.pos + 8) {
            let w = u64::from_be_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ]);
            let x = !w;
            let has_ff = (x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080) != 0;
            if !has_ff {
                let k = (64 - self.n) / 8; // whole bytes that fit
                if k > 0 {
                    let bits = 8 * k;
                    let top = if bits == 64 { w } else { w >> (64 - bits) };
                    self.buf |= top << (64 - self.n - bits);
                    self.n += bits;
                    self.pos += k as usize;
                }
                return;
            }
        }
        while self.n <= 56 {
            let byte = if self.at_marker {
                self.padded += 1;
                0
            } else {
                match self.d.get(self.pos) {
                    // 0xFF 0x00 is a stuffed 0xFF data byte; 0xFF followed by anything else
                    // is a marker, where the entropy-coded data ends.
                    Some(&0xFF) if self.d.get(self.pos + 1) == Some(&0) => {
                        self.pos += 2;
                        0xFF
                    }
                    Some(&0xFF) => {
                        self.at_marker = true;
                        continue;
                    }
                    Some(&b) => {
                        self.pos += 1;
                        b
                    }
                    None => {
                        self.at_marker = true;
                        continue;
                    }
                }
            };
            self.buf |= u64::from(byte) << (56 - self.n);
            self.n += 8;
        }
    }

    #[inline(always)]
    fn peek(&self, k: u32) -> u32 {
        (self.buf >> (64 - k)) as u32
    }

    #[inline(always)]
    fn consume(&mut self, k: u32) {
        self.buf <<= k;
        self.n -= k;
    }

    /// True if decoding has used bits that were not in the file (it ran past a marker or the
    /// end): the data is truncated or corrupt.
    fn overran(&self) -> bool {
        self.padded * 8 > self.n
    }

    /// Byte-aligns at a restart marker: expects RSTn next, skips it and resets the reader.
    fn restart(&mut self, expected: u8) -> Option<()> {
        if self.overran() {
            return None;
        }
        let mut p = self.pos;
        if *self.d.get(p)? != 0xFF {
            return None;
        }
        while *self.d.get(p)? == 0xFF {
            p += 1;
        }
        if *self.d.get(p)? != 0xD0 + expected {
            return None;
        }
        *self = Bits::new(self.d, p + 1);
        Some(())
    }
}

// ---------------------------------------------------------------------------------------------
// Scan decoding

/// DC values (already dequantised and level-shifted to 0..=255) per component, in block grids.
struct DcPlanes {
    planes: Vec<Vec<u8>>,
    /// Blocks per row of each plane.
    stride: Vec<usize>,
}

fn decode_scan(d: &[u8], hdr: &Header) -> Option<DcPlanes> {
    let hmax = hdr.comps.iter().map(|c| c.h).max()?;
    let vmax = hdr.comps.iter().map(|c| c.v).max()?;
    let mcux = hdr.width.div_ceil(8 * hmax) as usize;
    let mcuy = hdr.height.div_ceil(8 * vmax) as usize;
    let mut planes = Vec::new();
    let mut stride = Vec::new();
    for c in &hdr.comps {
        let bw = mcux * c.h as usize;
        let bh = mcuy * c.v as usize;
        planes.push(vec![0u8; bw.checked_mul(bh)?]);
        stride.push(bw);
    }
    let tables: Vec<(&Huffman, &Huffman, i32)> = hdr
        .comps
        .iter()
        .map(|c| {
            Some((
                hdr.dc[c.td].as_ref()?,
                hdr.ac[c.ta].as_ref()?,
                hdr.q0[c.tq]?,
            ))
        })
        .collect::<Option<_>>()?;
    let mut pred = vec![0i32; hdr.comps.len()];
    let mut bits = Bits::new(d, hdr.scan_start);
    let ri = hdr.restart_interval as usize;
    let total = mcux * mcuy;
    let mut rst = 0u8;

    for mcu in 0..total {
        if ri > 0 && mcu > 0 && mcu % ri == 0 {
            bits.restart(rst)?;
            rst = (rst + 1) & 7;
            pred.iter_mut().for_each(|p| *p = 0);
        }
        let (mx, my) = (mcu % mcux, mcu / mcux);
        for (ci, c) in hdr.comps.iter().enumerate() {
            let (dc, ac, q) = tables[ci];
            for by in 0..c.v as usize {
                for bx in 0..c.h as usize {
                    // DC coefficient.
                    if bits.n < 32 {
                        bits.refill();
                    }
                    let e = dc.fast[bits.peek(FAST_BITS) as usize];
                    let s = if e != 0 {
                        bits.consume(u32::from(e >> 8));
                        (e & 0xFF) as u32
                    } else {
                        u32::from(dc.decode_slow(&mut bits)?)
                    };
                    if s > 11 {
                        return None;
                    }
                    if s > 0 {
                        let v = bits.peek(s) as i32;
                        bits.consume(s);
                        let diff = if v < (1 << (s - 1)) {
                            v - (1 << s) + 1
                        } else {
                            v
                        };
                        pred[ci] = pred[ci].wrapping_add(diff);
                    }
                    // AC coefficients: skipped.
                    let mut k = 1usize;
                    while k < 64 {
                        if bits.n < 32 {
                            bits.refill();
                        }
                        let e = ac.fast[bits.peek(FAST_BITS) as usize];
                        if e != 0 {
                            bits.consume(u32::from(e & 31));
                            let adv = e >> 5;
                            if adv == EOB {
                                break;
                            }
                            k += usize::from(adv);
                        } else {
                            let rs = ac.decode_slow(&mut bits)?;
                            let (r, s) = (usize::from(rs >> 4), u32::from(rs & 15));
                            if s == 0 {
                                if r == 15 {
                                    k += 16;
                                    continue;
                                }
                                break;
                            }
                            bits.consume(s);
                            k += r + 1;
                        }
                    }
                    if k > 64 {
                        return None;
                    }
                    let val =
                        ((pred[ci].wrapping_mul(q)).wrapping_add(1024) / 8).clamp(0, 255) as u8;
                    let x = mx * c.h as usize + bx;
                    let y = my * c.v as usize + by;
                    planes[ci][y * stride[ci] + x] = val;
                }
            }
        }
    }
    if bits.overran() {
        return None;
    }
    Some(DcPlanes { planes, stride })
}

fn assemble(hdr: &Header, dcs: &DcPlanes) -> DcImage {
    let w = hdr.width.div_ceil(8) as usize;
    let h = hdr.height.div_ceil(8) as usize;
    let mut rgb = Vec::with_capacity(w * h * 3);
    if hdr.comps.len() == 1 {
        for y in 0..h {
            let row = &dcs.planes[0][y * dcs.stride[0]..];
            for &l in &row[..w] {
                rgb.extend_from_slice(&[l, l, l]);
            }
        }
    } else {
        let (hy, vy) = (hdr.comps[0].h as usize, hdr.comps[0].v as usize);
        for y in 0..h {
            let yrow = &dcs.planes[0][y * dcs.stride[0]..];
            let crow = (y / vy) * dcs.stride[1];
            for (x, &l) in yrow[..w].iter().enumerate() {
                let l = i32::from(l);
                let cb = i32::from(dcs.planes[1][crow + x / hy]) - 128;
                let cr = i32::from(dcs.planes[2][crow + x / hy]) - 128;
                // JFIF YCbCr → RGB in 16.16 fixed point.
                let r = l + ((91_881 * cr + 32_768) >> 16);
                let g = l - ((22_554 * cb + 46_802 * cr + 32_768) >> 16);
                let b = l + ((116_130 * cb + 32_768) >> 16);
                rgb.extend_from_slice(&[
                    r.clamp(0, 255) as u8,
                    g.clamp(0, 255) as u8,
                    b.clamp(0, 255) as u8,
                ]);
            }
        }
    }
    DcImage {
        w: w as u32,
        h: h as u32,
        rgb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes with jpeg-decoder at 1/8 scale, as RGB.
    fn reference(data: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
        let mut dec = jpeg_decoder::Decoder::new(data);
        dec.read_info().ok()?;
        let info = dec.info()?;
        dec.scale(info.width.div_ceil(8), info.height.div_ceil(8))
            .ok()?;
        let px = dec.decode().ok()?;
        let info = dec.info()?;
        let rgb = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|&l| [l, l, l]).collect(),
            jpeg_decoder::PixelFormat::RGB24 => px,
            _ => return None,
        };
        Some((u32::from(info.width), u32::from(info.height), rgb))
    }

    fn samples() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/testdata/exif-samples/jpg");
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p)
                } else if p.extension().is_some_and(|x| x == "jpg") {
                    out.push(p)
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn matches_jpeg_decoder_at_one_eighth() {
        let mut fast = 0;
        for path in samples() {
            let data = std::fs::read(&path).unwrap();
            let ours = decode_eighth(&data);
            let theirs = reference(&data);
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            match (ours, theirs) {
                (Some(o), Some((w, h, rgb))) => {
                    fast += 1;
                    assert_eq!((o.w, o.h), (w, h), "{name}: size");
                    // Luma (from which both derive) must agree closely; chroma is replicated
                    // here and interpolated there, so compare means, not single pixels.
                    let luma = |p: &[u8]| {
                        (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]))
                            / 1000
                    };
                    let diffs: Vec<u32> = o
                        .rgb
                        .chunks(3)
                        .zip(rgb.chunks(3))
                        .map(|(a, b)| luma(a).abs_diff(luma(b)))
                        .collect();
                    let mean = diffs.iter().sum::<u32>() as f64 / diffs.len() as f64;
                    eprintln!("{name}: mean luma difference from jpeg-decoder {mean:.3}");
                    assert!(mean < 2.0, "{name}: mean luma difference {mean:.2}");
                }
                // We may decline (fallback) but must never succeed where jpeg-decoder fails.
                (Some(_), None) => panic!("{name}: DC path decoded a file jpeg-decoder rejects"),
                (None, _) => eprintln!("{name}: not on the fast path"),
            }
        }
        assert!(
            fast >= 15,
            "most camera samples are baseline JPEGs and take the fast path ({fast})"
        );
    }

    fn encode(w: u32, h: u32, gray: bool) -> Vec<u8> {
        let mut px = Vec::new();
        let mut x: u32 = 99;
        for y in 0..h {
            for i in 0..w {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let noise = (x >> 24) as i32 % 24 - 12;
                let v = |base: u32| ((base as i32 + noise).clamp(0, 255)) as u8;
                if gray {
                    px.push(v((i * 255 / w + y * 3) % 256));
                } else {
                    px.extend_from_slice(&[v(i * 255 / w), v(y * 255 / h), v((i + y) % 256)]);
                }
            }
        }
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        let ct = if gray {
            image::ExtendedColorType::L8
        } else {
            image::ExtendedColorType::Rgb8
        };
        image::ImageEncoder::write_image(enc, &px, w, h, ct).unwrap();
        out
    }

    #[test]
    fn generated_gray_and_colour_sizes_not_multiple_of_mcu() {
        for (w, h, gray) in [
            (333, 211, true),
            (517, 389, false),
            (8, 8, false),
            (1, 1, true),
            (17, 9, false),
        ] {
            let data = encode(w, h, gray);
            let o = decode_eighth(&data)
                .unwrap_or_else(|| panic!("{w}x{h} gray={gray}: fast path declined"));
            let (rw, rh, rgb) = reference(&data).unwrap();
            assert_eq!((o.w, o.h), (rw, rh));
            let worst = o
                .rgb
                .iter()
                .zip(&rgb)
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap();
            if gray {
                assert_eq!(worst, 0, "{w}x{h} grayscale must match exactly");
            }
            let mean = o
                .rgb
                .iter()
                .zip(&rgb)
                .map(|(a, b)| f64::from(a.abs_diff(*b)))
                .sum::<f64>()
                / rgb.len() as f64;
            assert!(mean < 3.0, "{w}x{h}: mean difference {mean:.2}");
        }
    }

    #[test]
    fn truncations_and_bit_flips_never_panic() {
        let path = samples()
            .into_iter()
            .find(|p| p.ends_with("DSCN0010.jpg"))
            .unwrap();
        let data = std::fs::read(path).unwrap();
        for cut in (0..data.len()).step_by(997) {
            let _ = decode_eighth(&data[..cut]);
        }
        let mut x: u64 = 0x1234_5678;
        for _ in 0..200 {
            let mut d = data.clone();
            for _ in 0..8 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x as usize) % d.len();
                d[i] ^= 1 << (x % 8);
            }
            let _ = decode_eighth(&d);
        }
    }
}
