//! SSE2 (part of the x86_64 baseline) for the one loop where bytes-per-instruction decides
//! the decoder's speed: finding the end of a string body.
//!
//! The intrinsics are safe to call only from code compiled with SSE2, which Rust checks by
//! `#[target_feature]`, not by the build's target features; that single call is the crate's
//! only `unsafe`. Everywhere else (other architectures, Miri included) the SWAR loop in
//! `scan.rs` does the same job eight bytes at a time.
#![allow(unsafe_code)]

use core::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8,
};

/// Bit `i` is set when `block[i]` is `"`, `\` or below U+0020.
#[inline]
pub(crate) fn string_stop_mask16(block: &[u8; 16]) -> u32 {
    // SAFETY: this module is compiled only when `target_feature = "sse2"` is enabled for the
    // whole build (see the `cfg` on its declaration), so the CPU running it supports SSE2.
    unsafe { stop_mask_sse2(block) }
}

#[target_feature(enable = "sse2")]
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
