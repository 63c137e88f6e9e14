//! The string-stop search: where a JSON string body ends or needs attention (`"`, `\` or a
//! control byte). A leaf shared by the scanner (validation), `JsonStr` (unescaping) and the
//! encoder (escaping), eight bytes at a time (SWAR), sixteen with SSE2 where the build has it.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Bit `i * 8 + 7` is set for the first byte of `word` (little-endian) that is `"`, `\` or a
/// control character; bits above the first set one may be spurious, so only the lowest counts.
#[inline]
const fn string_stop_mask(word: u64) -> u64 {
    let quote = word ^ (ONES * b'"' as u64);
    let backslash = word ^ (ONES * b'\\' as u64);
    let has_quote = quote.wrapping_sub(ONES) & !quote;
    let has_backslash = backslash.wrapping_sub(ONES) & !backslash;
    let has_control = word.wrapping_sub(ONES * 0x20);
    (has_quote | has_backslash | has_control) & !word & HIGHS
}

/// Index of the first `"`, `\` or control byte in `bytes[from..]`, or `bytes.len()`.
#[inline(always)] // the hot loop of every decode
#[allow(clippy::inline_always)]
pub(crate) fn find_string_stop(bytes: &[u8], mut i: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        while let Some(chunk) = bytes.get(i..i + 16) {
            let Ok(block) = <&[u8; 16]>::try_from(chunk) else {
                break;
            };
            let mask = crate::simd::string_stop_mask16(block);
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let mask = string_stop_mask(u64::from_le_bytes(word));
        if mask != 0 {
            return i + (mask.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// [`find_string_stop`] elsewhere.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
pub(crate) fn find_short_string_stop(bytes: &[u8], i: usize) -> usize {
    find_string_stop(bytes, i)
}

/// [`find_string_stop`] for short strings searched whole (the encoder's keys, ids and refs):
/// the last partial block is one more 16-byte load instead of a SWAR step and a
/// byte-at-a-time tail. (The decoder keeps `find_string_stop`: its strings sit inside the
/// frame, so they rarely reach a tail, and the bigger inlined body costs it more than it saves.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
pub(crate) fn find_short_string_stop(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 16) {
        let Ok(block) = <&[u8; 16]>::try_from(chunk) else {
            break;
        };
        let mask = crate::simd::string_stop_mask16(block);
        if mask != 0 {
            return i + mask.trailing_zeros() as usize;
        }
        i += 16;
    }
    // Fewer than 16 bytes left: one more 16-byte block, never a byte-at-a-time tail (most
    // keys, refs and ids are shorter than 16 bytes).
    let rest = bytes.len().saturating_sub(i);
    if rest == 0 {
        return bytes.len();
    }
    let (block, skip) =
        if let Some(last) = bytes.len().checked_sub(16).and_then(|at| bytes.get(at..)) {
            // The last 16 bytes, lanes before `i` ignored.
            (<[u8; 16]>::try_from(last).unwrap_or([b' '; 16]), 16 - rest)
        } else {
            // A slice shorter than 16 bytes: padded with spaces, which never stop.
            let mut padded = [b' '; 16];
            for (slot, &b) in padded.iter_mut().zip(bytes.get(i..).unwrap_or_default()) {
                *slot = b;
            }
            (padded, 0)
        };
    let mask = crate::simd::string_stop_mask16(&block) >> skip;
    if mask == 0 {
        bytes.len()
    } else {
        i + mask.trailing_zeros() as usize
    }
}

/// The next stop in a string body from a backslash at `i`, the valid escapes on the way
/// skipped (SSE2; see `simd::skip_short_escapes`); the last 15 bytes by
/// [`find_string_stop`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
pub(crate) fn skip_valid_escapes(bytes: &[u8], i: usize) -> usize {
    match crate::simd::skip_short_escapes(bytes, i) {
        Ok(stop) => stop,
        Err(at) => string_stop_tail(bytes, at),
    }
}

/// [`find_string_stop`] for the last 15 bytes [`skip_valid_escapes`] leaves, out of line: its
/// eight-byte constants would otherwise take registers from the block loop (measured: they
/// were reloaded once per block).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn string_stop_tail(bytes: &[u8], i: usize) -> usize {
    find_string_stop(bytes, i)
}

/// Elsewhere: the next stop of any kind (the backslash itself), for the scanner to judge.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
pub(crate) fn skip_valid_escapes(bytes: &[u8], i: usize) -> usize {
    find_string_stop(bytes, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_stop_at_every_length_and_start() {
        for len in 0..40 {
            for at in 0..=len {
                for from in 0..=len {
                    let mut text = [b'a'; 40];
                    if at < len {
                        text[at] = b'"';
                    }
                    let expected = if at < len && at >= from { at } else { len };
                    assert_eq!(
                        find_string_stop(&text[..len], from),
                        expected,
                        "len {len}, stop at {at}, from {from}"
                    );
                    assert_eq!(
                        find_short_string_stop(&text[..len], from),
                        expected,
                        "short: len {len}, stop at {at}, from {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn stop_mask_finds_first_special_byte_in_every_lane() {
        for lane in 0..8 {
            for special in [b'"', b'\\', 0x00, 0x1f] {
                let mut word = [b'a'; 8];
                word[lane] = special;
                assert_eq!(find_string_stop(&word, 0), lane, "{special:#x} at {lane}");
            }
        }
        assert_eq!(
            find_string_stop("é漢字\u{1F600}abcdefgh\"".as_bytes(), 0),
            20
        );
    }
}
