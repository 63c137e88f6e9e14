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
#![allow(unsafe_code)]

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use core::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8,
};

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
