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
//! Nor may it decode a file `jpeg-decoder` refuses: where the two could part (markers allowed
//! before the scan, table limits, the colour model, what may precede a restart marker or follow
//! the scan, end-of-band runs), the checks here follow `jpeg-decoder` 0.3's or are stricter,
//! and `tests/mutation.rs` compares the two on thousands of damaged files.
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
    let (dcs, end) = decode_scan(data, &hdr)?;
    if !ends_at_eoi(data, end) {
        return None;
    }
    Some(assemble(&hdr, &dcs))
}

/// What follows the scan, read as `jpeg-decoder` reads it: whatever is left of the entropy-coded
/// data up to the next marker is skipped, one restart marker right after the scan is allowed,
/// and then the image must end (EOI). Anything else — tables or another scan, a second frame
/// (a file spliced onto another), no end of image at all — and we decline, so that
/// `jpeg-decoder` decodes the file or says why not: the fast path must not thumbnail a file the
/// decoder it stands in for refuses.
fn ends_at_eoi(d: &[u8], mut pos: usize) -> bool {
    let mut seen_rst = false;
    loop {
        while d.get(pos) != Some(&0xFF) {
            if pos >= d.len() {
                return false;
            }
            pos += 1;
        }
        let mut ffs = 0;
        while d.get(pos) == Some(&0xFF) {
            pos += 1;
            ffs += 1;
        }
        match d.get(pos) {
            // A stuffed byte: still entropy-coded data. After fill bytes (FF FF 00) it is an
            // error to jpeg-decoder, if its bit reader gets there.
            Some(0x00) if ffs == 1 => pos += 1,
            Some(0xD0..=0xD7) if !seen_rst => {
                seen_rst = true;
                pos += 1;
            }
            Some(0xD9) => return true,
            _ => return false,
        }
    }
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
    // SOF0: at most two tables of each class (jpeg-decoder enforces it).
    let mut baseline = false;
    let mut jfif = false;
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
        // Before the scan, only these: frames we decode, tables, restart interval, application
        // data and comments. jpeg-decoder refuses every other marker here (RST, TEM, DNL,
        // hierarchical, reserved, a second SOI, an EOI before any scan), or we do not decode
        // what it announces (other frame types, arithmetic conditioning).
        if !matches!(
            marker,
            0xC0 | 0xC1 | 0xC4 | 0xDA | 0xDB | 0xDD | 0xE0..=0xEF | 0xFE
        ) {
            return None;
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
                baseline = marker == 0xC0;
                hdr.height = be16(seg, 1)? as u32;
                hdr.width = be16(seg, 3)? as u32;
                let n = usize::from(*seg.get(5)?);
                if hdr.width == 0 || hdr.height == 0 || !(n == 1 || n == 3) {
                    return None;
                }
                // Segment lengths must be exactly what their content needs, as jpeg-decoder
                // requires: a wrong one means we would read the next part from the wrong place.
                if seg.len() != 6 + 3 * n {
                    return None;
                }
                for i in 0..n {
                    let c = seg.get(6 + 3 * i..9 + 3 * i)?;
                    let tq = usize::from(c[2]);
                    let (h, v) = (c[1] >> 4, c[1] & 15);
                    if tq > 3 || !(1..=4).contains(&h) || !(1..=4).contains(&v) {
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
            0xC4 => parse_dht(&mut hdr, seg, frame_seen && baseline)?,
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
                    // A zero step is not a quantisation table; jpeg-decoder refuses the file.
                    let table = seg.get(i + 1..i + 1 + 64 * (usize::from(pq) + 1))?;
                    let zero = if pq == 0 {
                        table.contains(&0)
                    } else {
                        table.chunks_exact(2).any(|v| v == [0, 0])
                    };
                    if zero {
                        return None;
                    }
                    hdr.q0[tq] = Some(q);
                    i += 1 + 64 * (usize::from(pq) + 1);
                }
                if i != seg.len() {
                    return None;
                }
            }
            0xDD if seg.len() == 2 => hdr.restart_interval = be16(seg, 0)? as u32,
            0xDD => return None,
            0xE0 if seg.starts_with(b"JFIF\0") => jfif = true,
            0xEE if seg.starts_with(b"Adobe") => adobe_transform = Some(*seg.get(11)?),
            0xDA => {
                if !frame_seen {
                    return None;
                }
                let ns = usize::from(*seg.first()?);
                if ns != hdr.comps.len() {
                    return None; // not a single interleaved scan
                }
                // A longer header would make us start the entropy-coded data too late (found
                // by the mutation test: decoding from there can succeed, on garbage).
                if seg.len() != 4 + 2 * ns {
                    return None;
                }
                for i in 0..ns {
                    let cid = *seg.get(1 + 2 * i)?;
                    let t = *seg.get(2 + 2 * i)?;
                    // The blocks of an MCU come in the scan header's order, which we decode
                    // in frame order: take only scans that list them the same way.
                    let comp = hdr.comps.get_mut(i).filter(|c| c.id == cid)?;
                    comp.td = usize::from(t >> 4);
                    comp.ta = usize::from(t & 15);
                    let most = if baseline { 1 } else { 3 };
                    if comp.td > most || comp.ta > most {
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
    // An Adobe colour transform other than 0 (RGB/CMYK), 1 (YCbCr), 2 (YCCK) is an error.
    if adobe_transform.is_some_and(|t| t > 2) {
        return None;
    }
    // Colour model: grayscale, or YCbCr as jpeg-decoder decides it (component ids first, then
    // JFIF, then Adobe's transform), nothing else.
    if hdr.comps.len() == 3 {
        let ycbcr = match [ids[0], ids[1], ids[2]] {
            [1, 2, 3] => true,
            [1, 34, 35] | [82, 71, 66] | [114, 103, 98] => false, // big-gamut YCC, RGB, big RGB
            _ => jfif || !matches!(adobe_transform, Some(0 | 2)),
        };
        if !ycbcr {
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
                        match (r, s) {
                            (0, 0) => (EOB << 5) | len as u16,
                            (15, 0) => (16 << 5) | len as u16,
                            // An end-of-band run (progressive only) in a sequential scan: left
                            // to the slow path, which declines it.
                            (_, 0) => 0,
                            (r, s) => ((r + 1) << 5) | (len as u16 + s),
                        }
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

/// Reads a DHT segment's tables; `baseline`: a baseline frame came first, which allows only
/// tables 0 and 1.
fn parse_dht(hdr: &mut Header, seg: &[u8], baseline: bool) -> Option<()> {
    let mut i = 0;
    while i < seg.len() {
        let tc = seg[i] >> 4;
        let th = usize::from(seg[i] & 15);
        if tc > 1 || th > 3 || (baseline && th > 1) {
            return None;
        }
        let counts = seg.get(i + 1..i + 17)?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total == 0 || total > 256 {
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
        // Only the padding of the last byte may be left before the marker. (jpeg-decoder
        // tolerates up to 56 bits, but then looks for the marker at another place than we
        // would: from a damaged interval, it may fail where we would go on.)
        if self.overran() || self.n - 8 * self.padded >= 8 {
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

/// Decodes the scan's DC values; also returns where the bit reader stopped.
fn decode_scan(d: &[u8], hdr: &Header) -> Option<(DcPlanes, usize)> {
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
    // i16 and wrapping, as jpeg-decoder keeps it: the same output for absurd DC values too.
    let mut pred = vec![0i16; hdr.comps.len()];
    let mut bits = Bits::new(d, hdr.scan_start);
    let ri = hdr.restart_interval as usize;
    let total = mcux * mcuy;
    let mut rst = 0u8;

    for mcu in 0..total {
        // Past the end of the data, every further MCU would decode from padding: stop now
        // rather than after millions of them (a small file can declare 200 megapixels).
        if bits.overran() {
            return None;
        }
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
                        pred[ci] = pred[ci].wrapping_add(diff as i16); // |diff| < 2048
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
                                match r {
                                    0 => break, // end of block
                                    15 => {
                                        k += 16;
                                        continue;
                                    }
                                    // An end-of-band run: progressive coding only.
                                    // jpeg-decoder reads it as one anyway, and from there
                                    // decodes other bits than we would.
                                    _ => return None,
                                }
                            }
                            bits.consume(s);
                            k += r + 1;
                        }
                    }
                    if k > 64 {
                        return None;
                    }
                    let val = (i32::from(pred[ci]).wrapping_mul(q).wrapping_add(1024) / 8)
                        .clamp(0, 255) as u8;
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
    Some((DcPlanes { planes, stride }, bits.pos))
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

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn fixtures_take_the_fast_path_where_they_should() {
        // Restart markers, grayscale and 4:4:0: decoded here, as jpeg-decoder decodes them.
        for name in ["restart.jpg", "gray.jpg", "s440.jpg"] {
            let data = fixture(name);
            let o = decode_eighth(&data).unwrap_or_else(|| panic!("{name}: declined"));
            let (w, h, rgb) = reference(&data).unwrap();
            assert_eq!((o.w, o.h), (w, h), "{name}");
            let mean = o
                .rgb
                .iter()
                .zip(&rgb)
                .map(|(a, b)| f64::from(a.abs_diff(*b)))
                .sum::<f64>()
                / rgb.len() as f64;
            assert!(mean < 3.0, "{name}: mean difference {mean:.2}");
            if name == "gray.jpg" {
                assert_eq!(o.rgb, rgb, "grayscale matches exactly");
            }
        }
        // Progressive and arithmetic coding: not this path's business.
        for name in ["progressive.jpg", "arithmetic.jpg"] {
            assert!(decode_eighth(&fixture(name)).is_none(), "{name}");
        }
    }

    /// jpeg-decoder's full-size decode, averaged over each 8×8 block (cut short at the right
    /// and bottom edges): what a DC value stands for, reached without any 1/8-scale shortcut.
    fn full_decode_block_means(data: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut dec = jpeg_decoder::Decoder::new(data);
        let px = dec.decode().unwrap();
        let info = dec.info().unwrap();
        let (w, h) = (usize::from(info.width), usize::from(info.height));
        let rgb: Vec<u8> = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|&l| [l, l, l]).collect(),
            jpeg_decoder::PixelFormat::RGB24 => px,
            other => panic!("unexpected pixel format {other:?}"),
        };
        let (bw, bh) = (w.div_ceil(8), h.div_ceil(8));
        let mut out = Vec::with_capacity(bw * bh * 3);
        for by in 0..bh {
            for bx in 0..bw {
                let mut sum = [0u32; 3];
                let mut n = 0;
                for y in by * 8..(by * 8 + 8).min(h) {
                    for x in bx * 8..(bx * 8 + 8).min(w) {
                        for (c, s) in sum.iter_mut().enumerate() {
                            *s += u32::from(rgb[(y * w + x) * 3 + c]);
                        }
                        n += 1;
                    }
                }
                out.extend(sum.map(|s| ((s + n / 2) / n) as u8));
            }
        }
        (bw as u32, bh as u32, out)
    }

    #[test]
    fn agrees_with_a_full_decode_averaged_over_blocks() {
        let mut files: Vec<(String, Vec<u8>)> = ["restart.jpg", "gray.jpg", "s440.jpg"]
            .iter()
            .map(|n| (n.to_string(), fixture(n)))
            .collect();
        for path in samples() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            files.push((name, std::fs::read(&path).unwrap()));
        }
        let mut compared = 0;
        for (name, data) in files {
            let Some(o) = decode_eighth(&data) else {
                continue;
            };
            let (w, h, means) = full_decode_block_means(&data);
            assert_eq!((o.w, o.h), (w, h), "{name}: size");
            // A DC value is the block's mean before clamping and colour conversion; chroma is
            // replicated here where the full decode interpolates it. So: luma close, colour
            // about as close as jpeg-decoder's own 1/8-scale decode gets.
            let luma = |p: &[u8]| {
                (299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000
            };
            let luma_diff = |a: &[u8]| {
                a.chunks(3)
                    .zip(means.chunks(3))
                    .map(|(a, b)| f64::from(luma(a).abs_diff(luma(b))))
                    .sum::<f64>()
                    / (means.len() / 3) as f64
            };
            let rgb_diff = |a: &[u8]| {
                a.iter()
                    .zip(&means)
                    .map(|(a, b)| f64::from(a.abs_diff(*b)))
                    .sum::<f64>()
                    / means.len() as f64
            };
            let (_, _, theirs) = reference(&data).unwrap();
            let (luma_ours, rgb_ours) = (luma_diff(&o.rgb), rgb_diff(&o.rgb));
            let (luma_theirs, rgb_theirs) = (luma_diff(&theirs), rgb_diff(&theirs));
            eprintln!(
                "{name}: mean difference from a full decode: luma {luma_ours:.2}, rgb \
                 {rgb_ours:.2} (jpeg-decoder at 1/8: {luma_theirs:.2}, {rgb_theirs:.2})"
            );
            assert!(
                luma_ours < 2.0,
                "{name}: mean luma difference {luma_ours:.2}"
            );
            assert!(
                rgb_ours < rgb_theirs + 0.5,
                "{name}: mean rgb difference {rgb_ours:.2} ({rgb_theirs:.2} at 1/8)"
            );
            compared += 1;
        }
        assert!(
            compared >= 18,
            "fixtures and most camera samples compared ({compared})"
        );
    }

    /// The offset of the first byte after marker segment `marker`'s header.
    fn segment(data: &[u8], marker: u8) -> usize {
        let mut i = 2;
        while data[i + 1] != marker {
            i += 2 + usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        }
        i
    }

    #[test]
    fn declines_what_jpeg_decoder_refuses() {
        let good = fixture("restart.jpg");
        assert!(decode_eighth(&good).is_some());
        let refused = |d: &[u8], what: &str| {
            assert!(decode_eighth(d).is_none(), "{what}: the fast path declines");
            assert!(
                reference(d).is_none(),
                "{what}: jpeg-decoder refuses it too"
            );
        };
        // A zero in a quantisation table (found by the mutation test).
        let mut d = good.clone();
        let dqt = segment(&d, 0xDB);
        d[dqt + 5 + 10] = 0;
        refused(&d, "zero quantisation step");
        // The start of this file, the rest of another: a second frame after the scan (found by
        // the mutation test).
        let other = fixture("s440.jpg");
        let d = [&good[..good.len() - 2], &other[segment(&other, 0xC0)..]].concat();
        refused(&d, "second frame after the scan");
        // No end of image.
        refused(&good[..good.len() - 2], "no EOI");
        // A scan header claiming more bytes than it has: the entropy-coded data would be read
        // from the wrong place (found by the mutation test).
        let mut d = good.clone();
        let sos = segment(&d, 0xDA);
        d[sos + 3] += 32;
        refused(&d, "scan header length");
        // A final restart marker before EOI is fine for both.
        let d = [&good[..good.len() - 2], &[0xFF, 0xD7, 0xFF, 0xD9]].concat();
        assert!(decode_eighth(&d).is_some() && reference(&d).is_some());
        // Scan components listed in another order than the frame's: valid JPEG, but decoding
        // it in frame order would be wrong, so the fast path leaves it to jpeg-decoder.
        let mut d = good.clone();
        let sos = segment(&d, 0xDA);
        d.swap(sos + 5, sos + 7); // Y and Cb ids
        d.swap(sos + 6, sos + 8); // and their table selectors
        assert!(
            decode_eighth(&d).is_none(),
            "scan order differs from frame order"
        );
    }

    /// Where each marker segment `marker` starts (its 0xFF), before the scan.
    fn segments(data: &[u8], marker: u8) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = 2;
        while data[i + 1] != 0xDA {
            if data[i + 1] == marker {
                out.push(i);
            }
            i += 2 + usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        }
        out
    }

    /// Damage the mutation test found with other seeds, where the fast path decoded a file
    /// jpeg-decoder refuses, and what jpeg-decoder refuses that the first version did not
    /// check; each case is declined now.
    #[test]
    fn declines_what_jpeg_decoder_refuses_found_later() {
        let refused = |d: &[u8], what: &str| {
            assert!(decode_eighth(d).is_none(), "{what}: the fast path declines");
            assert!(
                reference(d).is_none(),
                "{what}: jpeg-decoder refuses it too"
            );
        };
        // A grayscale frame with sampling factor 0 (found by the mutation test).
        let gray = fixture("gray.jpg");
        assert!(decode_eighth(&gray).is_some());
        let mut d = gray.clone();
        d[segment(&gray, 0xC0) + 11] = 0x01;
        refused(&d, "sampling factor 0");
        // Junk before a restart marker: jpeg-decoder looks for the marker at most 56 bits on,
        // so 7 bytes and the last byte's padding are too many; the fast path, whose bit reader
        // had already reached the marker, went on (found by the mutation test, with bytes
        // inserted into an interval). Only the padding may be left now.
        let good = fixture("restart.jpg");
        let sos = segment(&good, 0xDA);
        let rst = (sos..good.len() - 1)
            .filter(|&i| good[i] == 0xFF && (0xD0..=0xD7).contains(&good[i + 1]))
            .nth(2)
            .unwrap();
        let d = [&good[..rst], &[0x55; 7], &good[rst..]].concat();
        refused(&d, "7 bytes before a restart marker");
        // Component ids of colour models jpeg-decoder does not convert.
        let sof = segment(&good, 0xC0);
        for ids in [[1, 34, 35], [114, 103, 98], [82, 71, 66]] {
            let mut d = good.clone();
            for (k, id) in ids.into_iter().enumerate() {
                d[sof + 10 + 3 * k] = id;
                d[sos + 5 + 2 * k] = id;
            }
            assert!(decode_eighth(&d).is_none(), "component ids {ids:?}");
            if ids != [82, 71, 66] {
                refused(&d, "unsupported colour model");
            }
        }
        // An Adobe segment ("Adobe", version 100, flags, transform) with a colour transform
        // that does not exist.
        let adobe = b"\xFF\xEE\x00\x0EAdobe\x00\x64\x00\x00\x00\x00\x03";
        let d = [&good[..2], &adobe[..], &good[2..]].concat();
        refused(&d, "Adobe transform 3");
        // Markers that have no place before the scan.
        for marker in [0xD0, 0x01] {
            let d = [&good[..2], &[0xFF, marker], &good[2..]].concat();
            refused(&d, &format!("marker {marker:02X} in the headers"));
        }
        let d = [&good[..2], b"\xFF\xDC\x00\x04\x00\x4B", &good[2..]].concat();
        refused(&d, "DNL in the headers");
        // An end-of-band run (progressive coding) in a sequential scan: jpeg-decoder reads it
        // as one, and from there other bits than the fast path would. Every end of block of
        // this file becomes a run of 2 or 3 blocks.
        let mut d = good.clone();
        let mut patched = 0;
        for dht in segments(&good, 0xC4) {
            if d[dht + 4] >> 4 != 1 {
                continue; // a DC table
            }
            let n: usize = d[dht + 5..dht + 21].iter().map(|&c| usize::from(c)).sum();
            for sym in &mut d[dht + 21..dht + 21 + n] {
                if *sym == 0x00 {
                    *sym = 0x10;
                    patched += 1;
                }
            }
        }
        assert!(patched > 0);
        assert!(decode_eighth(&d).is_none(), "end-of-band run");
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
