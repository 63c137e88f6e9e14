//! JSON string escapes, decoded: the one-character escapes and `\uXXXX` (surrogate pairs
//! included). Pure functions and a table at the bottom of the module graph, shared by
//! [`string`](crate::string) (`JsonStr`'s readers), [`scan`](crate::scan) (validation) and
//! [`simd`](crate::simd) (the SSE2 unescape loop).

/// Decodes the escape that starts `escaped` (at its backslash): the character and how many
/// bytes it took. Input validated at decode time always holds a whole escape; anything else
/// decodes to something (U+FFFD), never a panic.
pub(crate) fn decode_escape(escaped: &str) -> (char, usize) {
    let bytes = escaped.as_bytes();
    match bytes.get(1) {
        Some(b'n') => ('\n', 2),
        Some(b't') => ('\t', 2),
        Some(b'r') => ('\r', 2),
        Some(b'b') => ('\u{8}', 2),
        Some(b'f') => ('\u{c}', 2),
        Some(b'u') => {
            let unit = hex4(bytes, 2).unwrap_or(0xFFFD);
            if (0xD800..0xDC00).contains(&unit) {
                let low = hex4(bytes, 8).unwrap_or(0);
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                (char::from_u32(code).unwrap_or('\u{FFFD}'), 12)
            } else {
                (char::from_u32(unit).unwrap_or('\u{FFFD}'), 6)
            }
        }
        Some(&other) => (char::from(other), 2),
        None => ('\\', 1),
    }
}

/// The four hex digits at `bytes[from..]` as a number, or `None` when they are not four hex
/// digits.
#[inline]
fn hex4(bytes: &[u8], from: usize) -> Option<u32> {
    hex4_digits(*bytes.get(from..)?.first_chunk::<4>()?)
}

/// The value of each hex digit by its byte; `0xFF` for bytes that are not hex digits.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut b: u8 = 0;
    while b < 128 {
        table[b as usize] = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => 0xFF,
        };
        b += 1;
    }
    table
};

/// The value of the hex digit `digit` (0 to 15), or 0xFF when it is not one.
#[inline]
pub(crate) fn hex_digit_value(digit: u8) -> u32 {
    u32::from(HEX_DIGITS[usize::from(digit)])
}

/// [`hex_digit_value`] of each of four digits, widened before they are combined (combining
/// the bytes first cost x86-64 shuffles).
#[inline]
fn hex4_values(digits: [u8; 4]) -> (u32, u32, u32, u32) {
    let [a, b, c, d] = digits;
    (
        hex_digit_value(a),
        hex_digit_value(b),
        hex_digit_value(c),
        hex_digit_value(d),
    )
}

/// Four hex digits (a `\u` escape's) as a number, or `None` when one is not a hex digit: a
/// table look-up per digit and one test for all four, no branch per digit.
#[inline]
pub(crate) fn hex4_digits(digits: [u8; 4]) -> Option<u32> {
    let (a, b, c, d) = hex4_values(digits);
    if (a | b | c | d) > 0xF {
        return None;
    }
    Some(a << 12 | b << 8 | c << 4 | d)
}

/// Whether `digits` are four hex digits (a `\u` escape's) of a code unit outside the
/// surrogates (`D800..=DFFF`): [`hex4_digits`]'s table look-ups without building the value.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
pub(crate) fn hex4_is_scalar(digits: [u8; 4]) -> bool {
    if let [b'0', b'0', c, d] = digits {
        // `\u00XX`, the one `\u` escape JSON writers use for text (control characters):
        // no surrogate, and two digits to look up.
        return hex_digit_value(c) | hex_digit_value(d) <= 0xF;
    }
    let (a, b, c, d) = hex4_values(digits);
    // A surrogate's first digit is D and its second 8..=F.
    (a | b | c | d) <= 0xF && (a != 0xD || b < 8)
}

/// The index of the first backslash in `bytes`: `memchr`, except on bare metal, where a plain
/// loop is a tenth of its code (`.ci/embedded-size`).
#[inline]
pub(crate) fn find_backslash(bytes: &[u8]) -> Option<usize> {
    #[cfg(target_os = "none")]
    return bytes.iter().position(|&b| b == b'\\');
    #[cfg(not(target_os = "none"))]
    memchr::memchr(b'\\', bytes)
}
