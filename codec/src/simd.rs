//! The crate's only `unsafe`, each use where the benchmark shows it pays:
//!
//! - SSE2 (part of the x86_64 baseline) for the one loop where bytes-per-instruction decides
//!   the decoder's speed: finding the end of a string body. The intrinsics are safe to call
//!   only from code compiled with SSE2, which Rust checks by `#[target_feature]`, not by the
//!   build's target features. Everywhere else the SWAR loop in `stop.rs` does the same job
//!   eight bytes at a time.
//! - [`StrWriter`]: a buffer filled with whole UTF-8 text only, so the text it holds is a
//!   `str` without a second `from_utf8` pass over it (unescaping a 64 KiB body otherwise
//!   validates every byte it just wrote).
//! - [`str_from_utf8`]: the text frame's UTF-8 check, an all-ASCII frame taken 64 bytes a
//!   step, ASCII skipped sixteen bytes at a time from any position
//!   (`core::str::from_utf8` goes byte by byte after every non-ASCII
//!   character until its next aligned word, so text mixing both costs it ~5 instructions a
//!   byte), and text dense with non-ASCII checked sixteen bytes at a time by the same rules
//!   (each byte against the three before it), one character at a time only near the end or
//!   to find exactly where an error is. Where the CPU has them (asked once, by CPUID, and
//!   kept in an atomic: `simd_level`), the blocks go by nibble-table look-ups instead:
//!   SSSE3 sixteen bytes at a time, AVX2 thirty-two; SSE2 otherwise. Miri, which interprets
//!   no CPUID, takes what the build was compiled for (`.ci/run` runs the loops' tests in an
//!   SSE2 build and an AVX2 one). A `#[target_feature]` function beyond SSE2 is called only
//!   after that check said yes.
//! - [`unescape_into`] and [`skip_short_escapes`]: a JSON string body dense with escapes
//!   (chat text) unescaped, or validated, in one block loop: sixteen bytes stored or skipped
//!   per step and each escape handled where the block's mask finds it, with no search call
//!   per escape. Past a block with no stop in a long string, [`skip_short_escapes`] goes 64
//!   bytes a step (`skip_escape_chunks`): one backslash mask and one quote-or-control mask
//!   per step (AVX2 where the CPU has it, with BMI1 for the mask arithmetic), the escapes'
//!   backslashes found from the mask by word arithmetic and each escape a table look-up.
//!   [`unescape_into`] takes a long body's front 32 bytes a step with AVX2 where the CPU has
//!   it (`unescape_blocks_avx2`): every escape of a block from its one mask, each followed by
//!   the block's rest loaded and stored again, `\uXXXX` escapes decoded in the loop (a
//!   `\u00XX` control character from two digits).
#![allow(unsafe_code)]

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use core::arch::x86_64::{
    __cpuid, __cpuid_count, __m128i, __m256i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8,
    _mm_cmpgt_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    _mm_setzero_si128, _mm_shuffle_epi8, _mm_srli_epi16, _mm_storeu_si128, _mm_subs_epu8,
    _mm_xor_si128, _mm256_and_si256, _mm256_broadcastsi128_si256, _mm256_castsi256_si128,
    _mm256_cmpeq_epi8, _mm256_extracti128_si256, _mm256_loadu_si256, _mm256_max_epu8,
    _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256,
    _mm256_shuffle_epi8, _mm256_srli_epi16, _mm256_storeu_si256, _mm256_subs_epu8,
    _mm256_xor_si256, _xgetbv,
};
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use core::sync::atomic::{AtomicU8, Ordering};

/// A byte buffer filled from the front with whole `str`s and `char`s only, so its filled part
/// is always valid UTF-8 and reads back as `&str` without re-checking.
pub(crate) struct StrWriter<'b> {
    /// Invariant: `buf[..len]` is valid UTF-8 (only `push_str` and `push_char` write, and
    /// each writes one whole UTF-8 text at `len`).
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> StrWriter<'b> {
    /// An empty writer over `buf`.
    #[inline]
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Appends `text`; `false` (and nothing written) when it does not fit.
    #[inline]
    pub(crate) fn push_str(&mut self, text: &str) -> bool {
        let end = self.len + text.len();
        match self.buf.get_mut(self.len..end) {
            Some(slot) => {
                slot.copy_from_slice(text.as_bytes());
                self.len = end;
                true
            }
            None => false,
        }
    }

    /// Appends `c` as UTF-8; `false` (and nothing written) when it does not fit.
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(dead_code, reason = "the portable unescape's (SSE2 builds test it)")
    )]
    #[inline]
    pub(crate) fn push_char(&mut self, c: char) -> bool {
        let end = self.len + c.len_utf8();
        match self.buf.get_mut(self.len..end) {
            Some(slot) => {
                c.encode_utf8(slot);
                self.len = end;
                true
            }
            None => false,
        }
    }

    /// The text written so far.
    #[inline]
    pub(crate) fn into_str(self) -> &'b str {
        let filled = self.buf.get(..self.len).unwrap_or_default();
        // SAFETY: by the field's invariant `buf[..len]` is the concatenation, in order, of
        // whole `&str`s and whole UTF-8 encoded `char`s, which is valid UTF-8.
        unsafe { core::str::from_utf8_unchecked(filled) }
    }
}

/// What the one-byte escape `\e` stands for, by `e`: `0` for `u` (a longer escape), NUL and
/// bytes that are not ASCII (`escape::decode_escape` decides); any other ASCII byte stands
/// for itself, as `decode_escape` decodes it.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const SHORT_ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut e: u8 = 1;
    while e < 128 {
        table[e as usize] = match e {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'u' => 0,
            other => other,
        };
        e += 1;
    }
    table
};

/// Unescapes `raw`, the body of a JSON string with escapes, into `buf`; `None` when it does
/// not fit. Decodes exactly as `JsonStr::chars` does (tests pin the two together).
///
/// One loop, sixteen bytes at a time: each block is stored to the output before it is looked
/// at (speculatively: bytes past the first backslash are overwritten by what follows), so a
/// run of text costs one load, one store and one mask per block, and an escape a table look-up
/// — no search call per escape (escapes in chat text are a few bytes apart).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) fn unescape_into<'b>(raw: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let src = raw.as_bytes();
    let (src_len, buf_len) = (src.len(), buf.len());
    // `src[i]` and `buf[o]`: the next byte to read and to write; `i <= src_len` and
    // `o <= buf_len` throughout. Invariant (what makes `buf[..o]` a `str` at the end):
    // `buf[..o]` is, in order, the runs of `raw` between its escapes, each copied whole and
    // unchanged (a run starts at 0 or where an escape ends, and ends at a backslash or at the
    // end of `raw`, all char boundaries of `raw`), and the UTF-8 encodings of whole `char`s
    // the escapes decode to.
    // Long bodies through the AVX2 loop first, where the CPU has it.
    let (mut i, mut o) = if src_len >= UNESCAPE_AVX2_MIN && simd_level() == LEVEL_AVX2 {
        // SAFETY: the CPU has AVX2 (`simd_level` asked it).
        unsafe { unescape_blocks_avx2(src, buf) }
    } else {
        (0, 0)
    };
    // The block loop's bounds: a whole block to load with one more byte after it (the byte
    // after a backslash in the block is then always there), and a whole block of room.
    // `i < src_end` means `i + 17 <= src_len`, `o < buf_end` means `o + 16 <= buf_len`.
    let src_end = src_len.saturating_sub(16);
    let buf_end = buf_len.saturating_sub(15);
    loop {
        // Whole blocks while there is room: runs and one-byte escapes. `escape`: it stopped
        // at a backslash of another escape.
        let mut escape = false;
        while i < src_end && o < buf_end {
            // SAFETY: `i + 17 <= src_len` and `o + 16 <= buf_len` (just checked), so
            // `src[i..i + 16]` and `buf[o..o + 16]` are in bounds; `loadu`/`storeu` need no
            // alignment; SSE2 is enabled for the whole build (see `string_stop_mask16`).
            #[allow(clippy::cast_ptr_alignment)] // unaligned loads and stores
            let mask = unsafe {
                let v = _mm_loadu_si128(src.as_ptr().add(i).cast::<__m128i>());
                _mm_storeu_si128(buf.as_mut_ptr().add(o).cast::<__m128i>(), v);
                let backslash = _mm_set1_epi8(b'\\'.cast_signed());
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)).cast_unsigned()
            };
            if mask == 0 {
                i += 16;
                o += 16;
                continue;
            }
            // The run goes on up to the backslash, which the store already copied it to.
            let k = mask.trailing_zeros() as usize;
            i += k;
            o += k;
            // SAFETY: `k < 16`, so `i + 1` is at most 16 bytes past the block's start, which
            // has at least 17 bytes from it.
            let e = unsafe { *src.get_unchecked(i + 1) };
            let short = SHORT_ESCAPES[usize::from(e)];
            if short == 0 {
                escape = true;
                break;
            }
            // A one-byte escape: ASCII out, and `i + 2` follows an ASCII byte.
            // SAFETY: `k < 16`, so `o` is inside the 16 bytes just stored.
            unsafe { *buf.get_unchecked_mut(o) = short };
            i += 2;
            o += 1;
        }
        if !escape {
            // Fewer than 17 bytes of input or 16 of room left: the rest of the run one byte
            // at a time (a tail, or a buffer about to be too small).
            let rest = src.get(i..).unwrap_or_default();
            let k = rest.iter().position(|&b| b == b'\\').unwrap_or(rest.len());
            buf.get_mut(o..o + k)?.copy_from_slice(rest.get(..k)?);
            i += k;
            o += k;
            if i >= src_len {
                break;
            }
        }
        // `src[i]` is a backslash.
        let short = src.get(i + 1).map_or(0, |&e| SHORT_ESCAPES[usize::from(e)]);
        if short != 0 {
            // A one-byte escape: ASCII out, and `i + 2` follows an ASCII byte.
            *buf.get_mut(o)? = short;
            i += 2;
            o += 1;
        } else if let Some(c) = src
            .get(i + 2..)
            .and_then(<[u8]>::first_chunk::<4>)
            .copied()
            .and_then(crate::escape::hex4_digits)
            .filter(|_| src.get(i + 1) == Some(&b'u'))
            .and_then(char::from_u32)
        {
            // `\uXXXX` outside the surrogates (`from_u32` refuses those): a char, and `i + 6`
            // follows its ASCII digits.
            let n = c.len_utf8();
            c.encode_utf8(buf.get_mut(o..o + n)?);
            o += n;
            i += 6;
        } else {
            // A surrogate pair, or a byte after the backslash that no validated body has
            // there.
            let (c, used) = crate::escape::decode_escape(raw.get(i..).unwrap_or_default());
            let n = c.len_utf8();
            c.encode_utf8(buf.get_mut(o..o + n)?);
            o += n;
            // Only a malformed body (never one the decoder validated) ends an escape inside
            // a character or past the end; `chars` stops there too.
            if !raw.is_char_boundary(i + used) {
                break;
            }
            i += used;
        }
    }
    let filled = buf.get(..o)?;
    // SAFETY: by the loop's invariant `buf[..o]` is the concatenation of whole `str`s (runs
    // of `raw` cut at char boundaries) and whole UTF-8 encoded `char`s: valid UTF-8.
    Some(unsafe { core::str::from_utf8_unchecked(filled) })
}

/// How long a body [`unescape_blocks_avx2`] is worth its call for: a few of its blocks.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const UNESCAPE_AVX2_MIN: usize = 96;

/// The front of [`unescape_into`] 32 bytes a step, with AVX2: `(i, o)`, how much of `src` it
/// unescaped into how much of `buf`: `buf[..o]` is `src[..i]` unescaped, runs copied whole
/// and escapes decoded (`i` may fall inside a character of a run, whose rest the block loop
/// copies next). It stops near either end, and at any escape but a one-byte one or a
/// `\uXXXX` outside the surrogates, for the block loop to go on from there.
///
/// Each step stores a whole block before looking at it, as the block loop does, then decodes
/// every escape its mask shows, each where the store put it, and stores the block's rest
/// again after it: the escapes of a block do not wait on one another (taking the block again
/// from after each escape put a load, a compare and a mask between one escape and the next,
/// about 28% slower on text dense with escapes, for about 7% fewer instructions). A `\uXXXX`
/// escape is decoded in place rather than by a trip out of the loop. Blocks with no backslash
/// go round a loop of their own, and only a block's last escape is checked for running past
/// the block.
///
/// Callers must know that the CPU has AVX2 ([`simd_level`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2,bmi1")]
fn unescape_blocks_avx2(src: &[u8], buf: &mut [u8]) -> (usize, usize) {
    // `i < src.len() - 69`: a block from `i`, and after an escape at its last byte (six bytes
    // long at most) a block's load, are in `src` (31 + 6 + 32 = 69). `o < buf.len() - 69`:
    // after an escape at the block's last byte (three bytes out at most) a block's store fits
    // in `buf` (31 + 3 + 32 = 66). One check for both, on `i`: `o <= i` throughout (an
    // escape is never shorter than what it decodes to), so `i < end` gives both (a `buf`
    // shorter than `src` only stops the loop early).
    let end = src
        .len()
        .saturating_sub(69)
        .min(buf.len().saturating_sub(69));
    let backslash = _mm256_set1_epi8(b'\\'.cast_signed());
    let (mut i, mut o) = (0, 0);
    'blocks: loop {
        // Blocks with no backslash: each stored whole, in a loop of their own.
        let mut mask = loop {
            if i >= end {
                return (i, o);
            }
            debug_assert!(o <= i);
            // SAFETY: `o <= i < end`, so `i + 69 <= src.len()` and `o + 69 <= buf.len()`,
            // so `src[i..i + 32]` and `buf[o..o + 32]` are in bounds; `loadu`/`storeu` need
            // no alignment; this function runs with AVX2 (its caller's promise).
            #[allow(clippy::cast_ptr_alignment)] // unaligned loads and stores
            let mask = unsafe {
                let v = _mm256_loadu_si256(src.as_ptr().add(i).cast::<__m256i>());
                _mm256_storeu_si256(buf.as_mut_ptr().add(o).cast::<__m256i>(), v);
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, backslash)).cast_unsigned()
            };
            if mask != 0 {
                break mask;
            }
            i += 32;
            o += 32;
        };
        // Every escape whose backslash is in the block, from the one mask: each is decoded
        // where the store put it, and the block's rest after it is loaded again and stored
        // right after what it decoded to. No escape waits for the one before it to be
        // found again (a load and a mask per escape, one after the other): only `base`
        // carries from one to the next.
        //
        // `block + k` is the block's byte `k`, `base + k` where it goes: `buf`'s byte `o`
        // less what the escapes so far took off, wrapping (only `base + k` is an address,
        // and it is `o` or more: the escapes before `k` all end by `i + k` and each takes off
        // less than it reads, so together less than `k`). Pointers, so that `k` indexes both
        // with no addition of its own.
        let block = src.as_ptr().wrapping_add(i);
        let mut base = buf.as_mut_ptr().wrapping_add(o);
        loop {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let (at, out) = (block.wrapping_add(k), base.wrapping_add(k));
            // After the escape at `k` (its backslash at `at`, what it decodes to at `out`),
            // which read `$read` bytes and wrote `$wrote`: on to the block's next escape, or
            // on after the block. Only the block's last escape can run past the block: the
            // bits of `mask` are all below 32, and the bytes an escape reads after its
            // backslash are no backslashes (a `\\` clears its second one).
            macro_rules! after_escape {
                ($read:expr, $wrote:expr) => {{
                    base = base.wrapping_sub($read - $wrote);
                    if mask != 0 {
                        continue;
                    }
                    if k + $read > 32 {
                        // It ran past the block: on from its end (`base` is already past
                        // what the escape took off).
                        i += k + $read;
                        o = base.wrapping_add(k + $read).addr() - buf.as_ptr().addr();
                        continue 'blocks;
                    }
                    break;
                }};
            }
            // SAFETY (every access below): `i < end` and `k < 32`, so the escape and the 32
            // bytes after it, `at .. at + 38`, are in `src` (`at + 38 <= i + 69`); `out` is
            // at most `o + k` (see `base`), so `out .. out + 35` is in `buf` (`o + 66`);
            // `loadu`/`storeu` need no alignment.
            let e = unsafe { *at.add(1) };
            let short = SHORT_ESCAPES[usize::from(e)];
            if short != 0 {
                // SAFETY: as above.
                unsafe {
                    *out = short;
                    copy_block(at.add(2), out.add(1));
                }
                // `\\`: its second backslash (the next bit of `mask`, when in the block)
                // starts no escape. (A branch: four instructions fewer than clearing the bit
                // without one.)
                if e == b'\\' {
                    mask &= mask.wrapping_sub(1);
                }
                after_escape!(2, 1);
            }
            // `\uXXXX` outside the surrogates: a char of one to three UTF-8 bytes.
            // SAFETY: as above.
            let digits = unsafe { at.add(2).cast::<[u8; 4]>().read() };
            // `\u0000` to `\u007F` (the `\u` escapes JSON writers use for text are control
            // characters): one ASCII byte from the last two digits, which are hex digits
            // when the value is below 0x80 (a byte that is not one reads as 0xFF).
            let ascii = crate::escape::hex_digit_value(digits[2]) << 4
                | crate::escape::hex_digit_value(digits[3]);
            if e == b'u' && digits[..2] == *b"00" && ascii < 0x80 {
                // SAFETY: as above.
                #[allow(clippy::cast_possible_truncation)] // below 0x80
                unsafe {
                    *out = ascii as u8;
                    copy_block(at.add(6), out.add(1));
                }
                after_escape!(6, 1);
            }
            let unit = match crate::escape::hex4_digits(digits) {
                Some(unit) if e == b'u' && !(0xD800..0xE000).contains(&unit) => unit,
                // A surrogate pair, or a body no decoder validated: the block loop's.
                // Everything before `at` is in `buf` before `out` (the stores so far).
                _ => return (i + k, out.addr() - buf.as_ptr().addr()),
            };
            // The UTF-8 bytes of `unit` (below 0x10000: one, two or three), first byte lowest.
            let (utf8, utf8_len) = if unit < 0x80 {
                (unit, 1)
            } else if unit < 0x800 {
                (0xC0 | unit >> 6 | (0x80 | unit & 0x3F) << 8, 2)
            } else {
                let (middle, low) = (0x80 | unit >> 6 & 0x3F, 0x80 | unit & 0x3F);
                (0xE0 | unit >> 12 | middle << 8 | low << 16, 3)
            };
            // SAFETY: as above: four bytes (the rest overwrites what is past the char), then
            // the rest.
            unsafe {
                out.cast::<[u8; 4]>().write(utf8.to_le_bytes());
                copy_block(at.add(6), out.add(utf8_len));
            }
            after_escape!(6, utf8_len);
        }
        // On after the block.
        i += 32;
        o = base.wrapping_add(32).addr() - buf.as_ptr().addr();
    }
}

/// Copies the 32 bytes at `from` to `to` (an unaligned load and store).
///
/// # Safety
/// `from .. from + 32` must be readable and `to .. to + 32` writable, and the CPU must have
/// AVX2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
#[inline]
#[allow(clippy::cast_ptr_alignment)] // an unaligned load and store
unsafe fn copy_block(from: *const u8, to: *mut u8) {
    // SAFETY: the caller's promise; `loadu`/`storeu` need no alignment.
    unsafe {
        _mm256_storeu_si256(
            to.cast::<__m256i>(),
            _mm256_loadu_si256(from.cast::<__m256i>()),
        );
    }
}

/// Whether `\e` is a valid one-character escape, by `e` (`" \ / b f n r t`); `u` and the rest
/// are not (a `\u` escape is judged by its digits).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const SHORT_ESCAPE_OK: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'/' as usize] = true;
    table[b'b' as usize] = true;
    table[b'f' as usize] = true;
    table[b'n' as usize] = true;
    table[b'r' as usize] = true;
    table[b't' as usize] = true;
    table
};

/// Index of the first byte at or after `i` that is `"`, a control byte or a backslash that
/// does not start a valid one-character escape or `\u` escape outside the surrogates, or
/// `bytes.len()`: the escapes (`\" \\ \/ \b \f \n \r \t \uXXXX`) on the way are valid and
/// skipped, so text dense with them costs the scanner one block look per escape, not a call
/// and a new search. `Ok(stop)`, or `Err(at)` where fewer than 16 bytes are left from `at`
/// (the caller finishes with `stop::find_string_stop`, which this module cannot call: `stop`
/// is built on it).
///
/// Per block, one load gives both the stop mask and the backslash mask; each escape is then
/// a table look-up of the byte after its backslash and two bits cleared from the mask (the
/// backslash's and the escaped byte's), with no branch per escape kind.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
pub(crate) fn skip_short_escapes(bytes: &[u8], mut i: usize) -> Result<usize, usize> {
    // Whole blocks with at least one byte after them, so the byte after a backslash in the
    // block is always there; the rest is the caller's.
    let Some(last) = bytes.len().checked_sub(17) else {
        return Err(i);
    };
    'blocks: while i <= last {
        // SAFETY: `i + 16 < bytes.len()` (just checked), so `bytes[i..i + 16]` is in bounds;
        // `loadu` needs no alignment; SSE2 is enabled for the whole build (see
        // `string_stop_mask16`).
        #[allow(clippy::cast_ptr_alignment)] // an unaligned load
        let (mut mask, backslashes) = unsafe {
            let v = _mm_loadu_si128(bytes.as_ptr().add(i).cast::<__m128i>());
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\'.cast_signed()));
            (stop_mask_v(v), _mm_movemask_epi8(backslash).cast_unsigned())
        };
        // Every stop of this block in turn (escapes come in clusters: `\"\t`, `C:\\a\\b`).
        while mask != 0 {
            let k = mask.trailing_zeros();
            let at = i + k as usize;
            if backslashes & (1 << k) == 0 {
                return Ok(at);
            }
            // SAFETY: `k < 16` (a bit of a 16-lane mask) and `i + 16 < bytes.len()`, so
            // `at + 1 <= i + 16` is in bounds.
            let e = unsafe { *bytes.get_unchecked(at + 1) };
            let used = if SHORT_ESCAPE_OK[usize::from(e)] {
                k + 2
            } else if e == b'u' {
                // `\uXXXX` outside the surrogates (a pair, or an error, is the scanner's to
                // judge).
                match bytes.get(at + 2..).and_then(<[u8]>::first_chunk::<4>) {
                    Some(&digits) if crate::escape::hex4_is_scalar(digits) => k + 6,
                    _ => return Ok(at),
                }
            } else {
                return Ok(at);
            };
            // The stops the escape covers (an escaped `"` or `\\`) are not stops.
            if used >= 16 {
                i += used as usize;
                continue 'blocks;
            }
            mask &= u32::MAX << used;
        }
        i += 16;
        // A block with no stop left: the string goes on past it, perhaps far (a chat body).
        // Long runs go 64 bytes a step, every escape of a step from one mask.
        if bytes.len() - i > CHUNK_MIN_REST {
            match skip_escape_chunks(bytes, i) {
                Ok(stop) => return Ok(stop),
                Err(rest) => i = rest,
            }
        }
    }
    Err(i)
}

/// How many bytes past a block with no stop make [`skip_escape_chunks`] worth its call: a
/// few of its 64-byte steps.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const CHUNK_MIN_REST: usize = 192;

/// [`skip_short_escapes`]' answer, 64 bytes a step, for long strings: `Ok(stop)`, or
/// `Err(rest)` with at most 69 bytes left from `rest` (a byte that no escape covers: the
/// block loop goes on from there). AVX2 where the CPU has it ([`simd_level`]), SSE2
/// otherwise.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn skip_escape_chunks(bytes: &[u8], i: usize) -> Result<usize, usize> {
    if simd_level() == LEVEL_AVX2 {
        // SAFETY: the CPU has AVX2 (`simd_level` asked it).
        unsafe { skip_escape_chunks_avx2(bytes, i) }
    } else {
        escape_chunks(bytes, i, |chunk| {
            // SAFETY: SSE2 is enabled for the whole x86_64 build.
            unsafe { chunk_masks_sse2(chunk) }
        })
    }
}

/// [`skip_escape_chunks`] with AVX2 masks.
///
/// Callers must know that the CPU has AVX2 ([`simd_level`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2,bmi1")]
fn skip_escape_chunks_avx2(bytes: &[u8], i: usize) -> Result<usize, usize> {
    // The closure runs with this function's AVX2 (closures inherit target features).
    escape_chunks(bytes, i, |chunk| chunk_masks_avx2(chunk))
}

/// Bits 1, 3, 5, ... 63 of a chunk's mask: its odd lanes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const ODD_LANES: u64 = 0xAAAA_AAAA_AAAA_AAAA;

/// The 64-byte step of [`skip_escape_chunks`], with `masks` giving a chunk's backslashes and
/// its quotes and control bytes (bit `k` for byte `k`).
///
/// The backslashes that start escapes come from the backslash mask by word arithmetic, all
/// at once (a run of backslashes starts escapes at every other one of its bytes); the bytes
/// they escape stop nothing, and the first other quote or control byte is a stop. Then each
/// escape in turn has the byte after its backslash looked up (a `\u` also its four digits).
/// The answer is the first of the stop and the first backslash that starts no valid escape.
/// An escape whose escaped byte opens the next chunk carries that over. (Marking each
/// escape's bytes in the loop instead made every escape wait on the one before it, and cost
/// three more instructions an escape.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(clippy::inline_always)] // one body for both mask kinds, each inlined into its caller
#[inline(always)]
fn escape_chunks(
    bytes: &[u8],
    mut i: usize,
    masks: impl Fn(&[u8; 64]) -> (u64, u64),
) -> Result<usize, usize> {
    // Bit 0 when the chunk's first byte is escaped by the last one of the chunk before.
    let mut carried = 0u64;
    // `i < end` means `i + 69 <= bytes.len()`: the chunk, and an escape at its last byte with
    // four digits after it, are in `bytes`.
    let end = bytes.len().saturating_sub(68);
    while i < end {
        // The chunk's first byte, as a pointer into `bytes` (the escapes read past the
        // chunk), so that a lane indexes it with no addition of its own.
        let chunk_start = bytes.as_ptr().wrapping_add(i);
        // SAFETY: `i + 69 <= bytes.len()`: the 64 bytes from `i` are in `bytes`, and
        // `[u8; 64]` has the alignment of `u8`.
        let chunk = unsafe { &*chunk_start.cast::<[u8; 64]>() };
        let (backslashes, stops) = masks(chunk);
        // The backslashes that start escapes, all at once, with no loop: a run of
        // backslashes (less one escaped by the chunk before) starts escapes at its first,
        // third, fifth... backslash. Adding its first bit to a run clears the run (the carry
        // runs through it), so `sum` keeps whole the runs that start on an even lane and
        // loses those that start on an odd one; the even runs start escapes on even lanes,
        // the odd runs on odd lanes. (A run that reaches the chunk's last lane carries out
        // of the word: its bits in `sum` are clear all the same. The even lanes would do as
        // well, the roles swapped.)
        let free = backslashes & !carried;
        let run_starts = free & !(free << 1);
        let sum = free.wrapping_add(run_starts & ODD_LANES);
        let starts = free & (sum ^ ODD_LANES);
        // The quotes and control bytes no escape takes: the first ends the string.
        let unescaped_stops = stops & !(starts << 1 | carried);
        // Each escape checked by the byte after its backslash (a `\u` also by its four
        // digits). The first bad one ends the scan, unless a stop comes before it.
        let mut unchecked = starts;
        while unchecked != 0 {
            let k = unchecked.trailing_zeros();
            let at = chunk_start.wrapping_add(k as usize);
            // SAFETY: `at` is `bytes`'s byte `i + k`, with `k < 64` and `i + 69 <=
            // bytes.len()`: `at + 1` is in bounds.
            let e = unsafe { *at.add(1) };
            if !SHORT_ESCAPE_OK[usize::from(e)] {
                // `\uXXXX` outside the surrogates (a pair, or an error, is the scanner's to
                // judge).
                // SAFETY: `at + 5` is `bytes`'s byte `i + k + 5 <= i + 68 < bytes.len()`.
                let digits = unsafe { [2, 3, 4, 5].map(|d| *at.add(d)) };
                if e != b'u' || !crate::escape::hex4_is_scalar(digits) {
                    let stop = unescaped_stops.trailing_zeros().min(k);
                    return Ok(i + stop as usize);
                }
            }
            unchecked &= unchecked - 1;
        }
        if unescaped_stops != 0 {
            return Ok(i + unescaped_stops.trailing_zeros() as usize);
        }
        carried = starts >> 63;
        i += 64;
    }
    // An escape open across the edge: the block loop takes it again from its backslash.
    Err(i - usize::from(carried != 0))
}

/// The backslash mask and the quote-or-control mask of 64 bytes, SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline] // the build enables SSE2 everywhere, so every caller may inline it
fn chunk_masks_sse2(chunk: &[u8; 64]) -> (u64, u64) {
    let mut backslashes = 0u64;
    let mut stops = 0u64;
    let (backslash, two, limit) = (
        _mm_set1_epi8(b'\\'.cast_signed()),
        _mm_set1_epi8(2),
        _mm_set1_epi8(0x20),
    );
    for part in 0..4 {
        // SAFETY: `16 * part + 16 <= 64`: in bounds of `chunk`; `loadu` needs no alignment.
        #[allow(clippy::cast_ptr_alignment)] // an unaligned load
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().add(16 * part).cast::<__m128i>()) };
        let b = _mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)).cast_unsigned();
        // A quote or a control byte, in one compare: `v ^ 2` maps U+0000..=U+001F onto
        // itself and `"` (0x22) onto 0x20, and nothing else to 0x20 or below; and
        // max(x, 0x20) == 0x20 exactly when x <= 0x20 (unsigned).
        let x = _mm_xor_si128(v, two);
        let s = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, limit), limit)).cast_unsigned();
        backslashes |= u64::from(b) << (16 * part);
        stops |= u64::from(s) << (16 * part);
    }
    (backslashes, stops)
}

/// [`chunk_masks_sse2`] with AVX2: two 32-byte loads. Callers must know that the CPU has
/// AVX2 ([`simd_level`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
#[inline]
fn chunk_masks_avx2(chunk: &[u8; 64]) -> (u64, u64) {
    let mut backslashes = 0u64;
    let mut stops = 0u64;
    let (backslash, two, limit) = (
        _mm256_set1_epi8(b'\\'.cast_signed()),
        _mm256_set1_epi8(2),
        _mm256_set1_epi8(0x20),
    );
    for part in 0..2 {
        // SAFETY: `32 * part + 32 <= 64`: in bounds of `chunk`; `loadu` needs no alignment.
        #[allow(clippy::cast_ptr_alignment)] // an unaligned load
        let v = unsafe { _mm256_loadu_si256(chunk.as_ptr().add(32 * part).cast::<__m256i>()) };
        let b = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, backslash)).cast_unsigned();
        // As in `chunk_masks_sse2`.
        let x = _mm256_xor_si256(v, two);
        let s = _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(x, limit), limit))
            .cast_unsigned();
        backslashes |= u64::from(b) << (32 * part);
        stops |= u64::from(s) << (32 * part);
    }
    (backslashes, stops)
}

/// `bytes` as `&str`, or, when it is not UTF-8, the length of its longest valid UTF-8 prefix
/// (what `core::str::Utf8Error::valid_up_to` reports).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
pub(crate) fn str_from_utf8(bytes: &[u8]) -> Result<&str, usize> {
    match first_invalid_utf8::<LEVEL_AVX2>(bytes) {
        Some(at) => Err(at),
        // SAFETY: `first_invalid_utf8` found no invalid sequence: every byte is ASCII or part
        // of a complete, shortest-form, non-surrogate sequence of at most U+10FFFF (the same
        // rules as `core::str::from_utf8`, checked against it exhaustively in the tests).
        None => Ok(unsafe { core::str::from_utf8_unchecked(bytes) }),
    }
}

/// [`str_from_utf8`] elsewhere: `core`'s (the embedded build links it anyway, and has no
/// SIMD to skip ASCII with).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
pub(crate) fn str_from_utf8(bytes: &[u8]) -> Result<&str, usize> {
    core::str::from_utf8(bytes).map_err(|e| e.valid_up_to())
}

/// Where the first byte sequence that is not UTF-8 starts, or `None` when all of `bytes` is.
///
/// `MAX_LEVEL`: the best block check the dense text may use (the CPU's best at most): the
/// decoder passes [`LEVEL_AVX2`], the tests each level in turn.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn first_invalid_utf8<const MAX_LEVEL: u8>(bytes: &[u8]) -> Option<usize> {
    // Most frames are all ASCII: that much without the rest's registers and calls, 64 bytes
    // a step; from the first block with a non-ASCII byte, character by character.
    let i = ascii_blocks(bytes);
    if i >= bytes.len() {
        return None;
    }
    let i = skip_ascii(bytes, i);
    if i >= bytes.len() {
        return None;
    }
    first_invalid_utf8_past_ascii::<MAX_LEVEL>(bytes, i)
}

/// [`first_invalid_utf8`] from `i`, a character boundary with valid UTF-8 before it, while
/// the text is mostly ASCII: one character at a time, and on to [`utf8_dense`] for good at
/// the first two non-ASCII characters in a row (a tail call: this loop keeps nothing for it).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn first_invalid_utf8_past_ascii<const MAX_LEVEL: u8>(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let &lead = bytes.get(i)?;
        if lead < 0x80 {
            i = skip_ascii(bytes, i + 1);
            continue;
        }
        match utf8_char_end(bytes, i) {
            // Two non-ASCII characters in a row: the text may be dense with them.
            Some(end) if bytes.get(end).is_some_and(|&b| b >= 0x80) => {
                return utf8_dense::<MAX_LEVEL>(bytes, end);
            }
            Some(end) => i = end,
            None => return Some(i),
        }
    }
}

/// Whether the text at `i` (a non-ASCII lead) is dense with non-ASCII: more of it 8 to 15
/// bytes on, past a character or two. Characters alone in ASCII text are cheaper checked by
/// themselves than by blocks.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn starts_dense(bytes: &[u8], i: usize) -> bool {
    bytes
        .get(i..)
        .and_then(<[u8]>::first_chunk::<16>)
        .is_some_and(|block| {
            // SAFETY: see `string_stop_mask16`: the build enables SSE2.
            let high = unsafe { high_mask16_sse2(block) };
            high & 0xFF00 != 0
        })
}

/// [`first_invalid_utf8`] from `i`, a character boundary with valid UTF-8 before it, in text
/// dense with non-ASCII: whole 16-byte blocks while it stays dense ([`utf8_blocks`]), one
/// character at a time elsewhere.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn utf8_dense<const MAX_LEVEL: u8>(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let &lead = bytes.get(i)?;
        if lead < 0x80 {
            i = skip_ascii(bytes, i + 1);
            continue;
        }
        if starts_dense(bytes, i) {
            let blocks = match simd_level().min(MAX_LEVEL) {
                // SAFETY: `simd_level` just said that this CPU has AVX2, the one target
                // feature `utf8_blocks_avx2` is compiled with beyond the build's (and
                // SSSE3, which every AVX2 CPU has).
                LEVEL_AVX2 => unsafe { utf8_blocks_avx2(bytes, i) },
                // SAFETY: `simd_level` just said that this CPU has SSSE3, the one target
                // feature `utf8_blocks_ssse3` is compiled with beyond the build's.
                LEVEL_SSSE3 => unsafe { utf8_blocks_ssse3(bytes, i) },
                _ => utf8_blocks(bytes, i),
            };
            match blocks {
                Ok(next) if next > i => {
                    i = next;
                    continue;
                }
                Ok(_) => {}
                Err(from) => return first_invalid_utf8_from(bytes, from),
            }
        }
        match utf8_char_end(bytes, i) {
            Some(end) => i = end,
            None => return Some(i),
        }
    }
}

/// [`first_invalid_utf8`] one character at a time from `i`, a character boundary with valid
/// UTF-8 before it: exact where a block check only says that a block holds an error.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[cold]
#[inline(never)]
fn first_invalid_utf8_from(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let &lead = bytes.get(i)?;
        if lead < 0x80 {
            i = skip_ascii(bytes, i + 1);
            continue;
        }
        match utf8_char_end(bytes, i) {
            Some(end) => i = end,
            None => return Some(i),
        }
    }
}

/// Validates whole 16-byte blocks from `start` (a character boundary at least 3 bytes in,
/// valid UTF-8 before it) while 16 bytes are left and the blocks are not plain ASCII. `Ok`:
/// where to go on, a character boundary with valid UTF-8 before it (`start` itself when no
/// block was checked); `Err`: a character boundary before the first invalid sequence, to find
/// it from one character at a time.
///
/// Each byte is checked against the three before it (loaded from 1, 2 and 3 bytes back): it
/// must be a continuation byte exactly when one of them is a lead that reaches it (2-byte
/// lead one back, 3-byte two back, 4-byte three back); no byte may be C0, C1 or F5..=FF; the
/// byte after E0, ED, F0 or F4 must be in that lead's narrower range (no overlong form,
/// surrogate or code point past U+10FFFF). Those are `core::str::from_utf8`'s rules, which the
/// tests check it against.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)] // measured: inlined, the dense loop around it spills (+8,000 Ir on large_shout)
fn utf8_blocks(bytes: &[u8], start: usize) -> Result<usize, usize> {
    let len = bytes.len();
    if start < 3 {
        return Ok(start);
    }
    let mut p = start;
    let mut ascii_blocks = 0;
    while len - p >= 16 {
        // SAFETY: `p >= 3` and `p + 16 <= len`, so the loads at `p - 3 ..= p` read only
        // `bytes[p - 3..p + 16]`; `loadu` needs no alignment; SSE2 is enabled for the whole
        // build (see `string_stop_mask16`).
        #[allow(clippy::cast_ptr_alignment)] // unaligned loads
        let (ascii, bad) = unsafe {
            let at = bytes.as_ptr().add(p);
            let v = _mm_loadu_si128(at.cast::<__m128i>());
            let back3 = _mm_loadu_si128(at.sub(3).cast::<__m128i>());
            if _mm_movemask_epi8(_mm_or_si128(v, back3)) == 0 {
                (true, 0)
            } else {
                let back1 = _mm_loadu_si128(at.sub(1).cast::<__m128i>());
                let back2 = _mm_loadu_si128(at.sub(2).cast::<__m128i>());
                (false, utf8_block_errors(v, back1, back2, back3))
            }
        };
        if ascii {
            // Plain ASCII with no character open before it: a short run (between words of
            // other scripts) stays in blocks, a long one goes back to skipping ASCII.
            ascii_blocks += 1;
            if ascii_blocks == 4 {
                return Ok(p);
            }
            p += 16;
            continue;
        }
        ascii_blocks = 0;
        if bad != 0 {
            return Err(char_start_before(bytes, start, p));
        }
        p += 16;
    }
    Ok(char_start_before(bytes, start, p))
}

/// The start of the character holding `bytes[p - 1]` (found by stepping back over
/// continuation bytes, never before `start`), or `p` when `p == start`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn char_start_before(bytes: &[u8], start: usize, p: usize) -> usize {
    let mut j = p;
    while j > start {
        j -= 1;
        if bytes.get(j).is_none_or(|&b| b & 0xC0 != 0x80) {
            break;
        }
    }
    j
}

/// The block checks by what they need of the CPU: SSE2 (the build's), SSSE3, AVX2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const LEVEL_SSE2: u8 = 1;
/// See [`LEVEL_SSE2`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const LEVEL_SSSE3: u8 = 2;
/// See [`LEVEL_SSE2`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const LEVEL_AVX2: u8 = 3;

/// The best block check this CPU runs (a `LEVEL_`), 0 when not asked yet. Asked once, by
/// [`simd_level`]; a race between two first callers stores the same answer twice.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
static SIMD_LEVEL: AtomicU8 = AtomicU8::new(0);

/// The best block check this CPU runs (a `LEVEL_`), from CPUID the first time and from
/// [`SIMD_LEVEL`] after. Under Miri, which interprets no CPUID, the level of the build's
/// target features.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn simd_level() -> u8 {
    if cfg!(miri) {
        // Miri interprets no CPUID: the level the build was compiled for (a Miri run built
        // with `-C target-feature=+avx2,+bmi1` checks the AVX2 loops).
        return if cfg!(all(target_feature = "avx2", target_feature = "bmi1")) {
            LEVEL_AVX2
        } else if cfg!(target_feature = "ssse3") {
            LEVEL_SSSE3
        } else {
            LEVEL_SSE2
        };
    }
    match SIMD_LEVEL.load(Ordering::Relaxed) {
        0 => detect_simd_level(),
        known => known,
    }
}

/// Asks the CPU which block check it runs and keeps the answer in [`SIMD_LEVEL`]: SSSE3 is
/// CPUID leaf 1 ECX bit 9; AVX2 is leaf 7 (sub-leaf 0) EBX bit 5 (taken with BMI1, bit 3),
/// usable only where the OS saves the YMM registers (leaf 1 ECX bits 27 OSXSAVE and 28 AVX,
/// then XCR0 bits 1 and 2).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[cold]
#[inline(never)]
fn detect_simd_level() -> u8 {
    // SAFETY: every x86_64 CPU has the CPUID instruction, and leaves 0 and 1 exist on every
    // one of them; reading them has no other effect. (`__cpuid` is an `unsafe fn` in older
    // `core`s, a safe one in newer.)
    #[allow(unused_unsafe)]
    let (max_leaf, leaf1) = unsafe { (__cpuid(0).eax, __cpuid(1)) };
    let ssse3 = leaf1.ecx & (1 << 9) != 0;
    let os_avx = leaf1.ecx & (1 << 27) != 0 && leaf1.ecx & (1 << 28) != 0 && {
        // SAFETY: OSXSAVE (leaf 1 ECX bit 27, just checked) says that the OS enabled
        // XGETBV, which `_xgetbv` (compiled with `xsave`) runs; XCR0 always exists then.
        let xcr0 = unsafe { _xgetbv(0) };
        xcr0 & 0b110 == 0b110
    };
    let avx2 = os_avx && max_leaf >= 7 && {
        // SAFETY: CPUID as above; leaf 7 exists (`max_leaf >= 7`, just checked).
        #[allow(unused_unsafe)]
        let leaf7 = unsafe { __cpuid_count(7, 0) };
        // AVX2 (bit 5), and BMI1 (bit 3), which every AVX2 CPU has and the AVX2 loops
        // use (`blsi`, `andn`, `tzcnt` on masks).
        leaf7.ebx & (1 << 5) != 0 && leaf7.ebx & (1 << 3) != 0
    };
    let level = if avx2 && ssse3 {
        LEVEL_AVX2
    } else if ssse3 {
        LEVEL_SSSE3
    } else {
        LEVEL_SSE2
    };
    SIMD_LEVEL.store(level, Ordering::Relaxed);
    level
}

/// The rules of UTF-8 as seen by a byte `b` and the byte `a` before it, one bit each, each a
/// condition on `a`'s high nibble, `a`'s low nibble and `b`'s high nibble (sets of nibble
/// values, bit `n` for nibble `n`). A pair breaks rule `k` exactly when all three hold; the
/// lookup tables below are these columns, so `table1[a >> 4] & table2[a & 15] & table3[b >> 4]`
/// has bit `k` set exactly then.
///
/// Bit 7 is not an error by itself: a continuation byte after a continuation byte is right
/// exactly as the third byte of a 3- or 4-byte character or the fourth of a 4-byte one, which
/// the bytes two and three back decide (see [`utf8_block_errors_ssse3`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const UTF8_PAIR_RULES: [(u16, u16, u16); 8] = {
    const ALL: u16 = 0xFFFF;
    const ASCII: u16 = 0x00FF; // 0..=7
    const CONT: u16 = 0x0F00; // 8..=B
    const LEAD: u16 = 0xF000; // C..=F
    const fn one(n: u16) -> u16 {
        1 << n
    }
    [
        // 0: a lead not followed by a continuation byte.
        (LEAD, ALL, ASCII | LEAD),
        // 1: a continuation byte after ASCII.
        (ASCII, ALL, CONT),
        // 2: C0 or C1 and a continuation byte: an overlong 2-byte form.
        (one(0xC), one(0) | one(1), CONT),
        // 3: E0 and 80..=9F: an overlong 3-byte form.
        (one(0xE), one(0), one(8) | one(9)),
        // 4: ED and A0..=BF: a surrogate.
        (one(0xE), one(0xD), one(0xA) | one(0xB)),
        // 5: F4..=FF and 90..=BF: past U+10FFFF (or a lead no UTF-8 has).
        (one(0xF), 0xFFF0, one(9) | one(0xA) | one(0xB)),
        // 6: F0 and 80..=8F (an overlong 4-byte form), F5..=FF and 80..=8F (no such lead).
        (one(0xF), one(0) | 0xFFE0, one(8)),
        // 7: a continuation byte after a continuation byte (see above).
        (CONT, ALL, CONT),
    ]
};

/// Column `column` (0, 1 or 2) of [`UTF8_PAIR_RULES`] as a 16-entry table by nibble.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const fn utf8_pair_table(column: usize) -> [u8; 16] {
    let mut table = [0u8; 16];
    let mut nibble = 0;
    while nibble < 16 {
        let mut k = 0;
        while k < 8 {
            let (high1, low1, high2) = UTF8_PAIR_RULES[k];
            let set = match column {
                0 => high1,
                1 => low1,
                _ => high2,
            };
            if set & (1 << nibble) != 0 {
                table[nibble] |= 1 << k;
            }
            k += 1;
        }
        nibble += 1;
    }
    table
}

/// [`UTF8_PAIR_RULES`] by the previous byte's high nibble, its low nibble and the byte's high
/// nibble.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const UTF8_PAIR_TABLES: [[u8; 16]; 3] =
    [utf8_pair_table(0), utf8_pair_table(1), utf8_pair_table(2)];

/// [`utf8_blocks`] by table look-ups (SSSE3's byte shuffle): the same answers (`Ok` where
/// to go on, `Err` a character boundary before the first invalid sequence; the tests check
/// both against `core::str::from_utf8`), in fewer instructions a block. Blocks go two at a
/// time; their errors are gathered and looked at once, at the end (text is valid UTF-8 but
/// for a broken frame, which is then looked at again, exactly, from `start`).
///
/// Callers must know that the CPU has SSSE3 ([`simd_level`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "ssse3")]
#[inline(never)]
fn utf8_blocks_ssse3(bytes: &[u8], start: usize) -> Result<usize, usize> {
    let len = bytes.len();
    if start < 3 {
        return Ok(start);
    }
    let mut p = start;
    let mut errors = _mm_setzero_si128();
    let mut ascii_pairs = 0;
    while len - p >= 32 {
        // SAFETY: `p >= 3` and `p + 32 <= len`, so both blocks (at `p` and `p + 16`, each
        // with the three bytes before it) lie in `bytes[p - 3..p + 32]`; this function runs
        // with SSSE3 (its caller's promise).
        let (ascii, found) = unsafe {
            let at = bytes.as_ptr().add(p);
            let (a, a_errors) = utf8_block_errors_ssse3(at);
            let (b, b_errors) = utf8_block_errors_ssse3(at.add(16));
            let ascii = _mm_movemask_epi8(_mm_or_si128(a, b)) == 0;
            (ascii, _mm_or_si128(a_errors, b_errors))
        };
        errors = _mm_or_si128(errors, found);
        p += 32;
        if ascii {
            // Plain ASCII (checked, with the bytes before it): a short run (between words
            // of other scripts) stays in blocks, a long one goes back to skipping ASCII.
            ascii_pairs += 1;
            if ascii_pairs == 2 {
                break;
            }
        } else {
            ascii_pairs = 0;
        }
    }
    if ascii_pairs < 2 && len - p >= 16 {
        // SAFETY: `p >= 3` and `p + 16 <= len`: the block and the three bytes before it lie
        // in `bytes`; SSSE3 as above.
        let (_, found) = unsafe { utf8_block_errors_ssse3(bytes.as_ptr().add(p)) };
        errors = _mm_or_si128(errors, found);
        p += 16;
    }
    if _mm_movemask_epi8(_mm_cmpeq_epi8(errors, _mm_setzero_si128())) != 0xFFFF {
        return Err(start);
    }
    // After two ASCII pairs `p` follows an ASCII byte: `char_start_before` gives `p`.
    Ok(char_start_before(bytes, start, p))
}

/// [`utf8_blocks_ssse3`] 32 bytes a step (AVX2: the same look-ups in both 16-byte halves,
/// three-operand instructions, no register copies), the same answers.
///
/// Callers must know that the CPU has AVX2 ([`simd_level`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "avx2")]
#[inline(never)]
fn utf8_blocks_avx2(bytes: &[u8], start: usize) -> Result<usize, usize> {
    let len = bytes.len();
    if start < 3 {
        return Ok(start);
    }
    let table = |t: &[u8; 16]| {
        // SAFETY: `t` is 16 readable bytes; `loadu` has no alignment requirement.
        #[allow(clippy::cast_ptr_alignment)] // an unaligned load
        let t = unsafe { _mm_loadu_si128(t.as_ptr().cast::<__m128i>()) };
        _mm256_broadcastsi128_si256(t)
    };
    let [high1, low1, high2] = &UTF8_PAIR_TABLES;
    let (high1, low1, high2) = (table(high1), table(low1), table(high2));
    let nibble = _mm256_set1_epi8(0x0F);
    // The errors of the 32 bytes at `p` (`p >= 3`, `p + 32 <= len`), each byte judged with
    // the three before it, and whether any of them is not ASCII.
    let block = |p: usize| {
        // SAFETY: `p >= 3` and `p + 32 <= len` (the callers' loop bounds), so the loads at
        // `p - 3 ..= p` read only `bytes[p - 3..p + 32]`; `loadu` needs no alignment; this
        // function runs with AVX2 (its caller's promise), and so does the closure.
        #[allow(clippy::cast_ptr_alignment)] // unaligned loads
        let (v, back1, back2, back3) = unsafe {
            let at = bytes.as_ptr().add(p);
            (
                _mm256_loadu_si256(at.cast::<__m256i>()),
                _mm256_loadu_si256(at.sub(1).cast::<__m256i>()),
                _mm256_loadu_si256(at.sub(2).cast::<__m256i>()),
                _mm256_loadu_si256(at.sub(3).cast::<__m256i>()),
            )
        };
        // As in `utf8_block_errors_ssse3`, lane by lane.
        let v_high = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nibble);
        let back1_high = _mm256_and_si256(_mm256_srli_epi16::<4>(back1), nibble);
        let back1_low = _mm256_and_si256(back1, nibble);
        let broken = _mm256_and_si256(
            _mm256_and_si256(
                _mm256_shuffle_epi8(high1, back1_high),
                _mm256_shuffle_epi8(low1, back1_low),
            ),
            _mm256_shuffle_epi8(high2, v_high),
        );
        let third = _mm256_subs_epu8(back2, _mm256_set1_epi8(0x60));
        let fourth = _mm256_subs_epu8(back3, _mm256_set1_epi8(0x70));
        let due = _mm256_and_si256(
            _mm256_or_si256(third, fourth),
            _mm256_set1_epi8(0x80u8.cast_signed()),
        );
        (_mm256_xor_si256(broken, due), v)
    };
    let mut p = start;
    let mut errors = _mm256_setzero_si256();
    let mut ascii_blocks = 0;
    // Two blocks a step while the text is dense (half the loop's own instructions a byte);
    // 64 bytes of ASCII send it back to skipping ASCII.
    while len - p >= 64 {
        let (found1, v1) = block(p);
        let (found2, v2) = block(p + 32);
        errors = _mm256_or_si256(errors, _mm256_or_si256(found1, found2));
        p += 64;
        if _mm256_movemask_epi8(_mm256_or_si256(v1, v2)) == 0 {
            ascii_blocks = 2;
            break;
        }
    }
    while ascii_blocks < 2 && len - p >= 32 {
        let (found, v) = block(p);
        errors = _mm256_or_si256(errors, found);
        p += 32;
        if _mm256_movemask_epi8(v) == 0 {
            // Plain ASCII (checked, with the bytes before it): a short run stays in
            // blocks, a long one goes back to skipping ASCII.
            ascii_blocks += 1;
        } else {
            ascii_blocks = 0;
        }
    }
    let mut last = _mm_setzero_si128();
    if ascii_blocks < 2 && len - p >= 16 {
        // SAFETY: `p >= 3` and `p + 16 <= len`: the block and the three bytes before it lie
        // in `bytes`; AVX2 as above, which includes SSSE3.
        let (_, found) = unsafe { utf8_block_errors_ssse3(bytes.as_ptr().add(p)) };
        last = found;
        p += 16;
    }
    let halves = _mm_or_si128(
        _mm_or_si128(
            _mm256_castsi256_si128(errors),
            _mm256_extracti128_si256::<1>(errors),
        ),
        last,
    );
    if _mm_movemask_epi8(_mm_cmpeq_epi8(halves, _mm_setzero_si128())) != 0xFFFF {
        return Err(start);
    }
    // After two ASCII blocks `p` follows an ASCII byte: `char_start_before` gives `p`.
    Ok(char_start_before(bytes, start, p))
}

/// The block at `at` and, per byte, non-zero where it breaks a UTF-8 rule given the three
/// bytes before it: [`UTF8_PAIR_RULES`] for the byte and the one before it, bit 7 flipped
/// where the byte two back is a lead of 3 or 4 bytes or the byte three back one of 4 (a
/// continuation byte after a continuation byte is due there, and wrong anywhere else).
///
/// A lead cut short by the end of the block is not an error yet: the next block, or the
/// caller's exact path from `char_start_before`, judges it.
///
/// # Safety
/// `at - 3 .. at + 16` must be readable.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "ssse3")]
#[inline]
unsafe fn utf8_block_errors_ssse3(at: *const u8) -> (__m128i, __m128i) {
    #[allow(clippy::cast_ptr_alignment)] // unaligned loads
    let table = |t: &[u8; 16]| {
        // SAFETY: `t` is 16 readable bytes; `loadu` has no alignment requirement.
        unsafe { _mm_loadu_si128(t.as_ptr().cast::<__m128i>()) }
    };
    let [high1, low1, high2] = &UTF8_PAIR_TABLES;
    // SAFETY: `at - 3 .. at + 16` is readable (the caller's promise); `loadu` has no
    // alignment requirement.
    #[allow(clippy::cast_ptr_alignment)] // unaligned loads
    let (v, back1, back2, back3) = unsafe {
        (
            _mm_loadu_si128(at.cast::<__m128i>()),
            _mm_loadu_si128(at.sub(1).cast::<__m128i>()),
            _mm_loadu_si128(at.sub(2).cast::<__m128i>()),
            _mm_loadu_si128(at.sub(3).cast::<__m128i>()),
        )
    };
    let nibble = _mm_set1_epi8(0x0F);
    // Shifted as 16-bit lanes, so the high byte's bits land in the low byte's top nibble:
    // masked off (a shuffle index with bit 7 set gives 0).
    let v_high = _mm_and_si128(_mm_srli_epi16::<4>(v), nibble);
    let back1_high = _mm_and_si128(_mm_srli_epi16::<4>(back1), nibble);
    let back1_low = _mm_and_si128(back1, nibble);
    let broken = _mm_and_si128(
        _mm_and_si128(
            _mm_shuffle_epi8(table(high1), back1_high),
            _mm_shuffle_epi8(table(low1), back1_low),
        ),
        _mm_shuffle_epi8(table(high2), v_high),
    );
    // Bit 7 set where the byte two back is E0..=FF (a lead of 3 or 4 bytes) or the byte
    // three back F0..=FF (a lead of 4): 0x60 and 0x70 less, saturated, reach 0x80 exactly
    // then.
    let third = _mm_subs_epu8(back2, _mm_set1_epi8(0x60));
    let fourth = _mm_subs_epu8(back3, _mm_set1_epi8(0x70));
    let due = _mm_and_si128(
        _mm_or_si128(third, fourth),
        _mm_set1_epi8(0x80u8.cast_signed()),
    );
    (v, _mm_xor_si128(broken, due))
}

/// Bit `i` is set when byte `i` of `v` breaks a UTF-8 rule, given the bytes 1, 2 and 3 before
/// each (`back1`, `back2`, `back3`); see `utf8_blocks`. A lead that no UTF-8 has (C0, C1,
/// F5..=FF) is caught at the byte after it: that byte is a continuation byte it cannot have,
/// or not the continuation byte the lead makes due.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn utf8_block_errors(v: __m128i, back1: __m128i, back2: __m128i, back3: __m128i) -> u32 {
    let set = |b: u8| _mm_set1_epi8(b.cast_signed());
    // Non-zero where a continuation byte is due: a lead of 2+ bytes one back (>= C0), of 3+
    // two back (>= E0), of 4 three back (>= F0).
    let due = _mm_or_si128(
        _mm_or_si128(
            _mm_subs_epu8(back1, set(0xBF)),
            _mm_subs_epu8(back2, set(0xDF)),
        ),
        _mm_subs_epu8(back3, set(0xEF)),
    );
    let not_due = _mm_cmpeq_epi8(due, _mm_setzero_si128());
    // 80..=BF, which are the signed bytes below -64.
    let cont = _mm_cmpgt_epi8(set(0xC0), v);
    // All-ones where "not due" and "continuation" agree: one of them is wrong.
    let bad = _mm_cmpeq_epi8(not_due, cont);
    // Leads whose next byte needs more than being a continuation byte, one back: C0, C1 and
    // F5..=FF (none), E0, ED, F0, F4 (a narrower range). First a cheap superset of them
    // (C0, C1, E0, E1 and ED..=FF), so text without them pays two compares.
    let maybe = _mm_or_si128(
        _mm_cmpeq_epi8(_mm_and_si128(back1, set(0xDE)), set(0xC0)),
        _mm_cmpeq_epi8(_mm_max_epu8(back1, set(0xED)), back1),
    );
    if _mm_movemask_epi8(maybe) == 0 {
        return _mm_movemask_epi8(bad).cast_unsigned();
    }
    // No byte may follow C0, C1 or F5..=FF. The byte after E0, ED, F0 and F4 (a continuation
    // byte, or the lines above flag it): E0 needs A0.., ED ..9F, F0 90.., F4 ..8F. Signed,
    // 80..=BF is -128..=-65.
    let never = _mm_or_si128(
        _mm_cmpeq_epi8(_mm_and_si128(back1, set(0xFE)), set(0xC0)),
        _mm_cmpeq_epi8(_mm_max_epu8(back1, set(0xF5)), back1),
    );
    let e0 = _mm_cmpeq_epi8(back1, set(0xE0));
    let ed = _mm_cmpeq_epi8(back1, set(0xED));
    let f0 = _mm_cmpeq_epi8(back1, set(0xF0));
    let f4 = _mm_cmpeq_epi8(back1, set(0xF4));
    let below_a0 = _mm_cmpgt_epi8(set(0xA0), v);
    let below_90 = _mm_cmpgt_epi8(set(0x90), v);
    let narrow = _mm_or_si128(
        _mm_or_si128(_mm_and_si128(e0, below_a0), _mm_andnot_si128(below_a0, ed)),
        _mm_or_si128(_mm_and_si128(f0, below_90), _mm_andnot_si128(below_90, f4)),
    );
    (_mm_movemask_epi8(bad) | _mm_movemask_epi8(_mm_or_si128(never, narrow))).cast_unsigned()
}

/// The end of the UTF-8 character whose lead `bytes[i]` is not ASCII, or `None` when it does
/// not start a valid one.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn utf8_char_end(bytes: &[u8], i: usize) -> Option<usize> {
    /// Whether `b` is a continuation byte (`10xx_xxxx`).
    const fn cont(b: u8) -> bool {
        b & 0xC0 == 0x80
    }
    let lead = bytes.get(i).copied().unwrap_or(0);
    let ok = if lead < 0xE0 {
        // Two bytes; C0 and C1 would be overlong.
        match bytes.get(i + 1) {
            Some(&b1) => lead >= 0xC2 && cont(b1),
            None => false,
        }
    } else if lead < 0xF0 {
        // Three bytes; E0 needs A0.. (not overlong), ED ..9F (no surrogates).
        match bytes.get(i + 1..i + 3) {
            Some(&[b1, b2]) => {
                cont(b1)
                    && cont(b2)
                    && match lead {
                        0xE0 => b1 >= 0xA0,
                        0xED => b1 < 0xA0,
                        _ => true,
                    }
            }
            _ => false,
        }
    } else {
        // Four bytes; F0 needs 90.. (not overlong), F4 ..8F (at most U+10FFFF).
        match bytes.get(i + 1..i + 4) {
            Some(&[b1, b2, b3]) => {
                cont(b1)
                    && cont(b2)
                    && cont(b3)
                    && match lead {
                        0xF0 => b1 >= 0x90,
                        0xF1..=0xF3 => true,
                        0xF4 => b1 < 0x90,
                        _ => false,
                    }
            }
            _ => false,
        }
    };
    if !ok {
        return None;
    }
    // 2, 3 or 4 from the lead's high bits (110x, 1110, 1111_0).
    Some(
        i + if lead < 0xE0 {
            2
        } else if lead < 0xF0 {
            3
        } else {
            4
        },
    )
}

/// How much of `bytes` is ASCII as far as whole 64-byte blocks tell: `bytes.len()` when all
/// of it is, otherwise the start of the first 64-byte block holding a non-ASCII byte (the
/// part after the last whole block is looked at through the last 64 bytes, and text shorter
/// than a block through its front and back halves; text under 16 bytes is left to
/// [`skip_ascii`]: 0). Most frames are all ASCII: one OR of four loads and one mask per 64
/// bytes, where [`skip_ascii`] takes two steps, each with its mask.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn ascii_blocks(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let Ok(block) = <&[u8; 64]>::try_from(block) else {
            break;
        };
        // SAFETY: see `string_stop_mask16`: the build enables SSE2.
        if unsafe { any_high64_sse2(block) } {
            return at;
        }
        at += 64;
    }
    if blocks.remainder().is_empty() {
        return at;
    }
    // The rest: the last 64 bytes (overlapping checked ones) when there are that many;
    // otherwise the front and back halves of a shorter text, each 16 or 32 bytes wide.
    let rest_ascii = if let Some((_, last)) = bytes.split_last_chunk::<64>() {
        // SAFETY: as above.
        !unsafe { any_high64_sse2(last) }
    } else if let (Some((front, _)), Some((_, back))) = (
        bytes.split_first_chunk::<32>(),
        bytes.split_last_chunk::<32>(),
    ) {
        // SAFETY: as above.
        unsafe { high_mask32_sse2(front) | high_mask32_sse2(back) == 0 }
    } else if let (Some((front, _)), Some((_, back))) = (
        bytes.split_first_chunk::<16>(),
        bytes.split_last_chunk::<16>(),
    ) {
        // SAFETY: as above.
        unsafe { high_mask16_sse2(front) | high_mask16_sse2(back) == 0 }
    } else {
        // Under 16 bytes: `skip_ascii` looks.
        false
    };
    if rest_ascii { bytes.len() } else { at }
}

/// Whether any byte of `block` is not ASCII.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn any_high64_sse2(block: &[u8; 64]) -> bool {
    let load = |at: usize| {
        // SAFETY: `block` is 64 readable bytes and `at` is 0, 16, 32 or 48; `loadu` has no
        // alignment requirement.
        #[allow(clippy::cast_ptr_alignment)] // an unaligned load
        unsafe {
            _mm_loadu_si128(block.as_ptr().add(at).cast::<__m128i>())
        }
    };
    let any = _mm_or_si128(
        _mm_or_si128(load(0), load(16)),
        _mm_or_si128(load(32), load(48)),
    );
    _mm_movemask_epi8(any) != 0
}

/// Index of the first byte at or after `i` that is not ASCII, or `bytes.len()`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn skip_ascii(bytes: &[u8], i: usize) -> usize {
    let i = match bytes.get(i..i + 16).map(<&[u8; 16]>::try_from) {
        Some(Ok(block)) => {
            // Mixed text has short ASCII runs: one 16-byte look before the 32-byte loop.
            // SAFETY: see `string_stop_mask16`: the build enables SSE2.
            let mask = unsafe { high_mask16_sse2(block) };
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i + 16
        }
        _ => i,
    };
    let rest = bytes.get(i..).unwrap_or_default();
    let mut at = i;
    let rest = {
        let mut blocks = rest.chunks_exact(32);
        for block in &mut blocks {
            let Ok(block) = <&[u8; 32]>::try_from(block) else {
                break;
            };
            // SAFETY: see `string_stop_mask16`: the build enables SSE2.
            let mask = unsafe { high_mask32_sse2(block) };
            if mask != 0 {
                return at + mask.trailing_zeros() as usize;
            }
            at += 32;
        }
        blocks.remainder()
    };
    // Fewer than 32 bytes left: at most one more block and one overlapping the end, never a
    // byte-at-a-time tail (most frames are short).
    let rest = match rest.split_first_chunk::<16>() {
        Some((block, rest)) => {
            // SAFETY: see `string_stop_mask16`: the build enables SSE2.
            let mask = unsafe { high_mask16_sse2(block) };
            if mask != 0 {
                return at + mask.trailing_zeros() as usize;
            }
            at += 16;
            rest
        }
        None => rest,
    };
    if rest.is_empty() {
        return at;
    }
    if let Some((_, last)) = bytes.split_last_chunk::<16>() {
        // The last 16 bytes, the lanes before `at` (already checked) shifted out.
        // SAFETY: see `string_stop_mask16`: the build enables SSE2.
        let mask = unsafe { high_mask16_sse2(last) } >> (16 - rest.len());
        return if mask == 0 {
            bytes.len()
        } else {
            at + mask.trailing_zeros() as usize
        };
    }
    for &b in rest {
        if b >= 0x80 {
            return at;
        }
        at += 1;
    }
    at
}

/// Bit `i` is set when `block[i]` is not ASCII.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn high_mask16_sse2(block: &[u8; 16]) -> u32 {
    // SAFETY: `block` is 16 readable bytes; `loadu` has no alignment requirement.
    #[allow(clippy::cast_ptr_alignment)] // an unaligned load
    let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
    _mm_movemask_epi8(v).cast_unsigned()
}

/// Bit `i` is set when `block[i]` is not ASCII.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn high_mask32_sse2(block: &[u8; 32]) -> u32 {
    let (low, high) = block.split_at(16);
    // SAFETY: `low` and `high` are 16 readable bytes each; `loadu` has no alignment
    // requirement.
    #[allow(clippy::cast_ptr_alignment)] // unaligned loads
    let (low, high) = unsafe {
        (
            _mm_loadu_si128(low.as_ptr().cast::<__m128i>()),
            _mm_loadu_si128(high.as_ptr().cast::<__m128i>()),
        )
    };
    if _mm_movemask_epi8(_mm_or_si128(low, high)) == 0 {
        return 0;
    }
    let low = _mm_movemask_epi8(low).cast_unsigned();
    let high = _mm_movemask_epi8(high).cast_unsigned();
    low | high << 16
}

/// Bit `i` is set when `block[i]` is `"`, `\` or below U+0020.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
pub(crate) fn string_stop_mask16(block: &[u8; 16]) -> u32 {
    // SAFETY: this module is compiled only when `target_feature = "sse2"` is enabled for the
    // whole build (see the `cfg` on its declaration), so the CPU running it supports SSE2.
    unsafe { stop_mask_sse2(block) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline] // the build enables SSE2 everywhere, so every caller may inline it
fn stop_mask_sse2(block: &[u8; 16]) -> u32 {
    // SAFETY: `block` is 16 readable bytes; `loadu` has no alignment requirement.
    #[allow(clippy::cast_ptr_alignment)] // an unaligned load
    let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
    stop_mask_v(v)
}

/// Bit `i` is set when byte `i` of `v` is `"`, `\` or below U+0020.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn stop_mask_v(v: __m128i) -> u32 {
    let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"'.cast_signed()));
    let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\'.cast_signed()));
    let limit = _mm_set1_epi8(0x1f);
    // max(v, 0x1f) == 0x1f exactly when v <= 0x1f (unsigned).
    let control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
    let any = _mm_or_si128(_mm_or_si128(quote, backslash), control);
    _mm_movemask_epi8(any).cast_unsigned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_writer_holds_what_was_pushed_and_refuses_what_does_not_fit() {
        let mut buf = [0u8; 8];
        let mut w = StrWriter::new(&mut buf);
        assert!(w.push_str("ab") && w.push_char('é') && w.push_char('!'));
        assert!(!w.push_char('😀')); // 4 bytes, 3 left
        assert!(!w.push_str("wxyz"));
        assert!(w.push_str("xyz"));
        assert!(!w.push_char('a'));
        assert_eq!(w.into_str(), "abé!xyz");
    }

    /// Fails loudly where the SSSE3 or AVX2 path cannot run (outside Miri): the x86_64
    /// machines this crate is tested on have both, and a test run that skipped a path would
    /// prove nothing about it.
    fn require_level(level: u8) {
        if !cfg!(miri) {
            assert!(
                simd_level() >= level,
                "this CPU lacks {} (CPUID): its block loops cannot be tested here; run the \
                 tests on an x86_64 CPU with SSSE3, AVX2 and BMI1",
                if level == LEVEL_AVX2 {
                    "AVX2 or BMI1"
                } else {
                    "SSSE3"
                }
            );
        }
    }

    fn agrees_with_core(bytes: &[u8]) {
        // Compared as bytes: a wrong `Ok` holds a `str` that is not UTF-8, which `Debug`
        // cannot print.
        let core = core::str::from_utf8(bytes)
            .map(str::as_bytes)
            .map_err(|e| e.valid_up_to());
        // The decoder's: AVX2 blocks where the CPU has AVX2 (every test machine; Miri in its
        // AVX2 build).
        require_level(LEVEL_AVX2);
        let ours = str_from_utf8(bytes).map(str::as_bytes);
        assert_eq!(ours, core, "{bytes:x?}");
        // SSSE3 and SSE2 blocks, forced.
        let at_most = |found: Option<usize>| found.map_or(Ok(bytes), Err);
        assert_eq!(
            at_most(first_invalid_utf8::<LEVEL_SSSE3>(bytes)),
            core,
            "SSSE3: {bytes:x?}"
        );
        assert_eq!(
            at_most(first_invalid_utf8::<LEVEL_SSE2>(bytes)),
            core,
            "SSE2: {bytes:x?}"
        );
    }

    /// The block check `blocks` (either path) from `start` keeps its promises: `Ok(p)` only
    /// with `bytes[..p]` valid UTF-8 and `p` not before `start`; `Err(at)` only for text that
    /// is not, with `at` a character boundary at or before the first invalid sequence.
    fn blocks_keep_promises(
        bytes: &[u8],
        start: usize,
        blocks: fn(&[u8], usize) -> Result<usize, usize>,
    ) {
        match (blocks(bytes, start), core::str::from_utf8(bytes)) {
            (Ok(p), _) => {
                assert!(p >= start, "{start}: {bytes:x?}");
                assert!(
                    core::str::from_utf8(&bytes[..p]).is_ok(),
                    "Ok({p}): {bytes:x?}"
                );
            }
            (Err(at), Err(e)) => {
                assert!(
                    at >= start && at <= e.valid_up_to(),
                    "Err({at}): {bytes:x?}"
                );
            }
            (Err(at), Ok(_)) => panic!("Err({at}) for valid text: {bytes:x?}"),
        }
    }

    /// [`utf8_blocks_ssse3`] as a plain function, for `blocks_keep_promises`.
    fn ssse3_blocks(bytes: &[u8], start: usize) -> Result<usize, usize> {
        require_level(LEVEL_SSSE3);
        if simd_level() < LEVEL_SSSE3 {
            // Miri built without it (see `simd_level`): the SSE2 path.
            return utf8_blocks(bytes, start);
        }
        // SAFETY: `simd_level` just said this CPU (or the build Miri runs) has SSSE3.
        unsafe { utf8_blocks_ssse3(bytes, start) }
    }

    /// [`utf8_blocks_avx2`] as a plain function, for `blocks_keep_promises`.
    fn avx2_blocks(bytes: &[u8], start: usize) -> Result<usize, usize> {
        require_level(LEVEL_AVX2);
        if simd_level() < LEVEL_AVX2 {
            // Miri built without it (see `simd_level`): the SSE2 path.
            return utf8_blocks(bytes, start);
        }
        // SAFETY: `simd_level` just said this CPU (or the build Miri runs) has AVX2.
        unsafe { utf8_blocks_avx2(bytes, start) }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri interprets no CPUID: the build's target features decide"
    )]
    fn simd_level_is_asked_once_and_kept() {
        let first = simd_level();
        assert!((LEVEL_SSE2..=LEVEL_AVX2).contains(&first));
        assert_eq!(SIMD_LEVEL.load(Ordering::Relaxed), first);
        // From the cache now, the same answer.
        assert_eq!(simd_level(), first);
        assert_eq!(SIMD_LEVEL.load(Ordering::Relaxed), first);
        require_level(LEVEL_AVX2);
    }

    #[test]
    fn utf8_pair_tables_flag_exactly_the_broken_pairs() {
        // Every byte pair (completed by the continuation bytes its lead wants), in dense text
        // with a block edge at every lane of the pair:
        // both paths against `core`, and the blocks' promises.
        // Miri (~1000x slower) takes every 23rd first and second byte and two lanes.
        let (step, lanes): (usize, &[usize]) = if cfg!(miri) {
            (23, &[14, 15])
        } else {
            (1, &[0, 7, 14, 15])
        };
        for a in (0..=255u8).step_by(step) {
            for b in (0..=255u8).step_by(step) {
                for &lane in lanes {
                    let mut text = std::vec::Vec::from("zzzé日本へ🚚".as_bytes());
                    text.resize(5 + 16 + lane, b'z');
                    text.extend_from_slice(&[a, b]);
                    // The continuation bytes `a` wants after `b`, so that the pair's own
                    // rule alone can flag it (not a short character after it).
                    let rest = match a {
                        0xE0..=0xEF => 1,
                        0xF0..=0xFF => 2,
                        _ => 0,
                    };
                    text.extend(core::iter::repeat_n(
                        if lane == 7 { 0xBF } else { 0x80 },
                        rest,
                    ));
                    text.extend_from_slice("日本へ 🚚 — é dense text after it, 日本".as_bytes());
                    agrees_with_core(&text);
                    blocks_keep_promises(&text, 5, utf8_blocks);
                    blocks_keep_promises(&text, 5, ssse3_blocks);
                    blocks_keep_promises(&text, 5, avx2_blocks);
                }
            }
        }
    }

    #[test]
    fn utf8_check_agrees_with_core_on_random_text() {
        // A deterministic generator (xorshift64): text of valid characters of every length,
        // some bytes replaced by random ones, some texts cut anywhere.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        // A number below `bound`.
        let mut next = move |bound: usize| -> usize {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % u64::try_from(bound).unwrap()).unwrap()
        };
        let pieces = [
            "a",
            "z ",
            "é",
            "ß",
            "—",
            "日",
            "本",
            "へ",
            "🚚",
            "\u{10FFFF}",
            "\u{80}",
            "\u{7FF}",
            "\u{800}",
            "\u{FFFF}",
            "\u{10000}",
        ];
        let count = if cfg!(miri) { 40 } else { 20_000 };
        for _ in 0..count {
            let mut text = std::vec::Vec::new();
            let len = next(120);
            while text.len() < len {
                text.extend_from_slice(pieces[next(pieces.len())].as_bytes());
            }
            // Most texts broken in a place or two, some left valid.
            for _ in 0..next(3) {
                if !text.is_empty() {
                    let at = next(text.len());
                    text[at] = u8::try_from(next(256)).unwrap();
                }
            }
            if next(4) == 0 {
                text.truncate(next(text.len() + 1));
            }
            agrees_with_core(&text);
            for start in [3, 4, 5] {
                if start <= text.len() && core::str::from_utf8(&text[..start]).is_ok() {
                    blocks_keep_promises(&text, start, utf8_blocks);
                    blocks_keep_promises(&text, start, ssse3_blocks);
                    blocks_keep_promises(&text, start, avx2_blocks);
                }
            }
        }
    }

    #[test]
    fn utf8_check_agrees_with_core_on_every_short_sequence() {
        // Miri runs every 13th value (its interpreter is ~1000x slower); tests run them all.
        let step = if cfg!(miri) { 13 } else { 1 };
        for a in (0..=255u8).step_by(step) {
            agrees_with_core(&[a]);
            for b in (0..=255u8).step_by(step) {
                agrees_with_core(&[a, b]);
                // Three bytes: every lead with every second byte, third byte at its edges.
                for c in [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff] {
                    agrees_with_core(&[a, b, c]);
                    if a >= 0xf0 {
                        for d in [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff] {
                            agrees_with_core(&[a, b, c, d]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_check_agrees_with_core_on_every_sequence_inside_text() {
        // Every lead and second byte, the third and fourth at their edges, with text before
        // and after them (the check's paths for the end of the input are not taken).
        // Miri (~1000x slower) takes a sample: every 29th lead and second byte, fewer edges.
        let step = if cfg!(miri) { 29 } else { 1 };
        let edges: &[u8] = if cfg!(miri) {
            &[0x7f, 0x80, 0xbf, 0xc0]
        } else {
            &[0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff]
        };
        for a in (0x80..=255u8).step_by(step) {
            for b in (0..=255u8).step_by(step) {
                for &c in edges {
                    for &d in edges {
                        agrees_with_core(&[a, b, c, d, b'z', b'z', b'z', b'z']);
                        agrees_with_core(&[b'z', a, b, c, d, a, b'z', b'z', b'z', b'z']);
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_block_check_agrees_with_core_on_every_lead_at_every_block_lane() {
        // "zzzé日" first: two non-ASCII characters in a row, so the block check starts at
        // byte 5 (日) and its blocks end at 21, 37..: each sequence sits at lanes 10..=15 of
        // the first block, up to across its edge.
        let seconds: &[u8] = if cfg!(miri) {
            &[0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0]
        } else {
            &[
                0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xf0, 0xf4,
                0xf5, 0xff,
            ]
        };
        // Miri (~1000x slower) takes a sample: every 17th lead, fewer second bytes, edges
        // and lanes.
        let (step, edges, lanes): (usize, &[u8], &[usize]) = if cfg!(miri) {
            (17, &[0x80, 0xbf], &[13, 15])
        } else {
            (
                1,
                &[0x00, 0x80, 0x9f, 0xa0, 0xbf, 0xc0],
                &[12, 13, 14, 15, 16, 17],
            )
        };
        for a in (0x80..=255u8).step_by(step) {
            for &b in seconds {
                for &c in edges {
                    for &d in edges {
                        for &lane in lanes {
                            let mut text = std::vec::Vec::from("zzzé日本".as_bytes());
                            text.resize(5 + lane, b'z');
                            text.extend_from_slice(&[a, b, c, d]);
                            text.extend_from_slice("日本 🚚 — plain text after".as_bytes());
                            agrees_with_core(&text);
                            // The blocks themselves: they pass valid text, and flag an
                            // error that starts in the first block.
                            for blocks in [utf8_blocks, ssse3_blocks, avx2_blocks] {
                                let found = blocks(&text, 5);
                                match core::str::from_utf8(&text) {
                                    Ok(_) => {
                                        assert!(matches!(found, Ok(p) if p > 21), "{text:x?}");
                                    }
                                    Err(e) if e.valid_up_to() < 21 => {
                                        assert!(found.is_err(), "{text:x?}");
                                    }
                                    Err(_) => {}
                                }
                                blocks_keep_promises(&text, 5, blocks);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_block_check_finds_every_break_in_dense_text() {
        // Text like the large shout's, each byte in turn replaced by a byte that breaks it
        // there (or not), or cut short there.
        let text =
            "Zoë wrote \"café — 日本へ 🚚 — never came\"\té—日本へ🚚🚚 ascii only text".repeat(2);
        let text = text.as_bytes();
        // Miri (~1000x slower) takes every 5th position.
        let step = if cfg!(miri) { 5 } else { 1 };
        for at in (0..text.len()).step_by(step) {
            agrees_with_core(&text[..at]);
            for bad in [0x80, 0xbf, 0xc1, 0xc3, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, b'a'] {
                let mut v = text.to_vec();
                v[at] = bad;
                agrees_with_core(&v);
            }
        }
    }

    #[test]
    fn utf8_check_agrees_with_core_at_every_position_and_block_edge() {
        let text = "Zoë — 日本へ 🚚 plain ascii text that runs past one block, then é";
        let bad: [&[u8]; 6] = [
            b"\xff",
            b"\xc3",
            b"\xe6\x97",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xc0\x80",
        ];
        for len in 0..=text.len() {
            let prefix = &text.as_bytes()[..len];
            agrees_with_core(prefix);
            for b in bad {
                let mut v = prefix.to_vec();
                v.extend_from_slice(b);
                v.extend_from_slice(b"tail tail tail tail");
                agrees_with_core(&v);
            }
        }
    }

    #[test]
    fn utf8_check_finds_non_ascii_at_every_position_of_every_length() {
        // Past three 64-byte blocks (the whole-frame ASCII step, its last window and the
        // short texts' halves). Miri: lengths up to 80 (one block and a window over its
        // rest) at every third position and the last three (117 s by Miri's clock at every
        // position), and two lengths past two blocks at the blocks' edges.
        let lengths = (0..80).chain(if cfg!(miri) { 128..130 } else { 80..200 });
        let sampled = |len: usize, at: usize| {
            if len < 80 {
                at.is_multiple_of(3) || at + 3 > len
            } else {
                matches!(at, 0 | 63 | 64 | 127 | 128)
            }
        };
        for len in lengths {
            for at in (0..=len).filter(|&at| !cfg!(miri) || sampled(len, at)) {
                for (first, second) in [(0xff, b'a'), (0xc3, 0xa9), (0xc3, b'a')] {
                    let mut text = std::vec![b'a'; len];
                    if at < len {
                        text[at] = first;
                    }
                    if at + 1 < len {
                        text[at + 1] = second;
                    }
                    agrees_with_core(&text);
                }
            }
        }
    }

    /// Every kind of UTF-8 sequence, valid and not, of each length: the boundaries of each
    /// lead's ranges, leads no UTF-8 has (with the continuation bytes a lead of their length
    /// would take), sequences cut short and stray continuation bytes.
    const SEQUENCES: [&[u8]; 30] = [
        b"\xc2\x80",
        b"\xdf\xbf",
        b"\xe0\xa0\x80",
        b"\xe1\x80\x80",
        b"\xec\xbf\xbf",
        b"\xed\x9f\xbf",
        b"\xee\x80\x80",
        b"\xef\xbf\xbf",
        b"\xf0\x90\x80\x80",
        b"\xf3\xbf\xbf\xbf",
        b"\xf4\x8f\xbf\xbf",
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xe0\x9f\xbf",
        b"\xed\xa0\x80",
        b"\xf0\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xf7\xbf\xbf\xbf",
        b"\xf8\x80\x80\x80\x80",
        b"\xff\x80",
        b"\xfe",
        b"\x80",
        b"\xbf\xbf",
        b"\xc3",
        b"\xe6\x97",
        b"\xf0\x9f\x9a",
        b"\xc3\xa9\xa9",
        b"\xe6\x97\xa5\x80",
        b"\xf0\x9f\x9a\x9a\x9a",
    ];

    #[test]
    fn utf8_check_agrees_with_core_on_every_sequence_at_every_lane() {
        // Dense text (so the block check runs) with each sequence at each lane of a block and
        // across its edge, then more dense text; and the same cut right after the sequence.
        // Miri (~1000x slower) takes every 5th lane.
        let step = if cfg!(miri) { 5 } else { 1 };
        for lead_in in (0..=20).step_by(step) {
            for seq in SEQUENCES {
                let mut text = std::vec::Vec::from("zzzé日本".as_bytes());
                text.extend("日本へ🚚—éa".as_bytes().iter().cycle().take(lead_in));
                // Cut the filler back to a character boundary, then ASCII up to the lane.
                while core::str::from_utf8(&text).is_err() {
                    text.pop();
                }
                text.resize(12 + lead_in, b'z');
                text.extend_from_slice(seq);
                agrees_with_core(&text);
                text.extend_from_slice("日本へ 🚚 — é dense text after it".as_bytes());
                agrees_with_core(&text);
            }
        }
    }

    /// [`skip_short_escapes`] by its definition: one escape at a time from `i`.
    fn skip_reference(bytes: &[u8], mut i: usize) -> usize {
        loop {
            match bytes.get(i) {
                None => return bytes.len(),
                Some(&b) if b == b'"' || b < 0x20 => return i,
                Some(b'\\') => match bytes.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') => {
                        let unit = bytes
                            .get(i + 2..i + 6)
                            .filter(|digits| digits.iter().all(u8::is_ascii_hexdigit))
                            .and_then(|digits| core::str::from_utf8(digits).ok())
                            .and_then(|digits| u32::from_str_radix(digits, 16).ok());
                        match unit {
                            Some(unit) if !(0xD800..=0xDFFF).contains(&unit) => i += 6,
                            _ => return i,
                        }
                    }
                    _ => return i,
                },
                Some(_) => i += 1,
            }
        }
    }

    /// Every escape kind, valid and each way of not being one (a bad byte after the backslash,
    /// bad digits, a surrogate, a lone backslash, a control byte).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    const ESCAPES: [&str; 17] = [
        r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\n", r"\r", r"\t", r"\u0041", r"\uFfFf", r"\ud7ff",
        r"\ud800", r"\udfff", r"\x", r"\u12x4", "\\", "\u{1}",
    ];

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn escape_skip_agrees_with_one_escape_at_a_time_at_every_offset_and_end() {
        // Every escape kind (valid, and each way of not being one) at every offset from the
        // start, with every distance to the end of the input 0..=20 (the block loop stops 17
        // bytes before it): the block skip's answer, finished by the plain search as the
        // scanner does, is the reference's.
        // Miri (~1000x slower) takes every 7th offset and end distance.
        let step = if cfg!(miri) { 7 } else { 1 };
        for at in (0..=20).step_by(step) {
            for escape in ESCAPES {
                for after in (0..=20).step_by(step) {
                    let text = std::format!(r"{}{escape}\t{}", "a".repeat(at), "b".repeat(after));
                    let bytes = text.as_bytes();
                    for from in [0, at] {
                        let got = match skip_short_escapes(bytes, from) {
                            Ok(stop) => stop,
                            Err(rest) => skip_reference(bytes, rest),
                        };
                        assert_eq!(got, skip_reference(bytes, from), "{text:?} from {from}");
                    }
                }
            }
        }
    }

    /// [`escape_chunks`] with each mask kind this CPU has (AVX2 must be there, see
    /// [`require_level`]; Miri has AVX2 in its AVX2 build only), and the block loop around
    /// them, each answer finished by the reference as the scanner would, checked against the
    /// reference.
    fn chunks_agree(bytes: &[u8], from: usize) {
        let expected = skip_reference(bytes, from);
        let finish = |got: Result<usize, usize>| match got {
            Ok(stop) => stop,
            Err(rest) => {
                assert!(bytes.len() - rest <= 69, "left {rest} of {}", bytes.len());
                skip_reference(bytes, rest)
            }
        };
        let text = || std::string::String::from_utf8_lossy(bytes).into_owned();
        let sse2 = escape_chunks(bytes, from, |chunk| {
            // SAFETY: SSE2 is enabled for the whole x86_64 build.
            unsafe { chunk_masks_sse2(chunk) }
        });
        assert_eq!(finish(sse2), expected, "SSE2 {:?} from {from}", text());
        require_level(LEVEL_AVX2);
        if simd_level() == LEVEL_AVX2 {
            // SAFETY: `simd_level` just said this CPU (or the build Miri runs) has AVX2 and
            // BMI1.
            let avx2 = unsafe { skip_escape_chunks_avx2(bytes, from) };
            assert_eq!(finish(avx2), expected, "AVX2 {:?} from {from}", text());
        }
        let blocks = match skip_short_escapes(bytes, from) {
            Ok(stop) => stop,
            Err(rest) => skip_reference(bytes, rest),
        };
        assert_eq!(blocks, expected, "block loop {:?} from {from}", text());
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn escape_chunks_agree_with_one_escape_at_a_time_at_every_lane() {
        // Every escape kind, and backslash runs, at every lane of a 64-byte chunk and across
        // its edge (the escaped byte, a `\u`'s digits, a run's parity carried over), in text
        // long enough for the chunk loop, ended by a quote, a backslash or the input's end.
        // Beyond `ESCAPES`: digits cut short, backslash runs of each parity, a quote.
        let more = [r"\u00", r#"\\\""#, r#"\\\\\\\"x"#, "\""];
        // Miri (~1000x slower) takes every 31st lane and one ending.
        let (step, ends) = if cfg!(miri) { (31, 1) } else { (1, 3) };
        for at in (0..140).step_by(step) {
            for escape in ESCAPES.iter().chain(&more) {
                for end in ["\"", "", "\\"].into_iter().take(ends) {
                    let text =
                        std::format!(r"{}{escape}{}{end}", "a".repeat(at), r"b\n".repeat(90));
                    chunks_agree(text.as_bytes(), 0);
                    chunks_agree(text.as_bytes(), at.min(16));
                }
            }
        }
    }

    /// `unescape_into` stays inside the body and the buffer: an escape (one byte out of two,
    /// one out of six, three out of six) at the last five lanes of the AVX2 loop's last block
    /// and of the block after it (by the loop's bound, `i < len - 69` for body and buffer
    /// both), for a body of every length modulo 32, into a buffer of exactly the right size,
    /// one a little longer than the body and one a little too small. Body and buffer are
    /// allocations of their own, no longer
    /// than they need, so that under Miri (built with AVX2 in its second run, `.ci/run`) a
    /// read or a write past either end is an error even when the bytes come out right.
    #[test]
    fn unescape_stays_inside_the_body_and_the_buffer() {
        let escapes = [(r"\n", "\n"), (r"\u0001", "\u{1}"), (r"\u4F60", "你")];
        // Miri (~1000x slower) takes the lanes where an escape reads and writes furthest (31)
        // and the first that runs past the block (27); in a build without AVX2, whose loops
        // have tests of their own, every fourth length.
        let lanes: &[usize] = if cfg!(miri) {
            &[27, 31, 59, 63]
        } else {
            &[27, 28, 29, 30, 31, 59, 60, 61, 62, 63]
        };
        let step = if cfg!(miri) && simd_level() < LEVEL_AVX2 {
            4
        } else {
            1
        };
        for len in (96..128).step_by(step) {
            for (escape, decoded) in escapes {
                // Exactly the right size; a little longer than the body (the body's bound
                // binds); a little too small (the buffer's bound binds, and the answer is no).
                let exact = len - escape.len() + decoded.len();
                for buf_len in [exact, len + 4, exact - 4] {
                    // The AVX2 loop's last block (no escape before it: `o == i`).
                    let last = (len.min(buf_len) - 70) / 32 * 32;
                    for at in lanes.iter().map(|k| last + k) {
                        let Some(rest) = len.checked_sub(at + escape.len()) else {
                            continue;
                        };
                        let (head, tail) = ("a".repeat(at), "b".repeat(rest));
                        let raw = [head.as_str(), escape, &tail].concat().into_boxed_str();
                        let expected = [head.as_str(), decoded, &tail].concat();
                        let mut buf = std::vec![0u8; buf_len].into_boxed_slice();
                        assert_eq!(
                            unescape_into(&raw, &mut buf),
                            (buf_len >= exact).then_some(expected.as_str()),
                            "{escape} at {at} of {len} into {buf_len}"
                        );
                    }
                }
            }
        }
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn escape_chunks_stop_at_exactly_the_quotes_and_control_bytes() {
        // Every byte value, alone and escaped, at every lane of a chunk: the masks' one
        // compare for quotes and control bytes against the reference's byte tests.
        // Miri (~1000x slower) takes every 13th lane, and the bytes at the edges of the
        // classes with every 17th.
        let step = if cfg!(miri) { 13 } else { 1 };
        let edges = [
            0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5c, 0x7f, 0x80, 0xff,
        ];
        for lane in (0..64).step_by(step) {
            for byte in (0..=255u8).filter(|b| !cfg!(miri) || b % 17 == 0 || edges.contains(b)) {
                let mut text = std::vec![b'a'; lane];
                text.push(byte);
                text.extend_from_slice(&[b'b'; 100]);
                chunks_agree(&text, 0);
                text.insert(lane, b'\\');
                chunks_agree(&text, 0);
            }
        }
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn escape_chunks_agree_with_one_escape_at_a_time_on_random_text() {
        // Text made of escapes (valid and not), backslash runs, quotes, control and
        // non-ASCII bytes, a few hundred bytes long, from every start in its first chunk.
        let pieces: [&[u8]; 16] = [
            b"plain text ",
            br#"\""#,
            br"\\",
            br"\n",
            br"\u00e9",
            br"\uD83D\uDE9A",
            br"\q",
            br"\\\",
            b"\"",
            b"\x01",
            "日本へ 🚚".as_bytes(),
            br"\u12",
            br"\/",
            br"\t\t",
            b"0123456789abcdefghijklmnopqrstuvwxyz",
            b"\\",
        ];
        // The valid pieces: most text is valid, so that the loops run far before they stop.
        let valid = [0, 1, 2, 3, 4, 12, 13, 14];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (texts, starts) = if cfg!(miri) { (6, 2) } else { (3000, 70) };
        for _ in 0..texts {
            let mut text = std::vec::Vec::new();
            let len = 150 + usize::try_from(next() % 400).unwrap_or(0);
            while text.len() < len {
                let r = usize::try_from(next() >> 8).unwrap_or(0);
                let piece = if r % 8 == 0 {
                    pieces[(r >> 3) % pieces.len()]
                } else {
                    pieces[valid[(r >> 3) % valid.len()]]
                };
                text.extend_from_slice(piece);
            }
            for from in 0..starts.min(text.len()) {
                chunks_agree(&text, from);
            }
        }
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn hex_digit_check_agrees_with_the_code_unit() {
        // Every first and second byte, the third and fourth at the digit edges.
        // Miri (~1000x slower) takes every 11th first and second byte.
        let step = if cfg!(miri) { 11 } else { 1 };
        for a in (0..=255u8).step_by(step) {
            for b in (0..=255u8).step_by(step) {
                for c in [b'0', b'9', b'a', b'F', b'g', b'/', 0xff] {
                    for d in [b'0', b'f', b'G', b':'] {
                        let digits = [a, b, c, d];
                        let expected = crate::escape::hex4_digits(digits)
                            .is_some_and(|unit| !(0xD800..=0xDFFF).contains(&unit));
                        assert_eq!(
                            crate::escape::hex4_is_scalar(digits),
                            expected,
                            "{digits:x?}"
                        );
                    }
                }
            }
        }
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn flags_exactly_the_stop_bytes() {
        for lane in 0..16 {
            for byte in 0u8..=255 {
                let mut block = [b'a'; 16];
                block[lane] = byte;
                let expected = byte == b'"' || byte == b'\\' || byte < 0x20;
                assert_eq!(
                    string_stop_mask16(&block) == 1 << lane,
                    expected,
                    "{byte:#x} at {lane}"
                );
            }
        }
    }
}
