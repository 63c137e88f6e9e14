//! The byte cursor and the JSON grammar: the one place that validates JSON.
//!
//! Everything is iterative: open containers are tracked in a fixed bit stack
//! ([`MAX_SUPPORTED_DEPTH`] bits), so hostile nesting costs neither stack nor heap. String
//! bodies are searched sixteen bytes at a time with SSE2 (valid escapes skipped inside the
//! block loop, `simd::skip_short_escapes`), eight (SWAR) elsewhere; UTF-8 is validated once,
//! up front, by the callers (`simd::str_from_utf8`), so the grammar only ever looks at ASCII.

use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::limits::MAX_SUPPORTED_DEPTH;
use crate::stop::find_string_stop;
use crate::string::JsonStr;

use crate::stop::skip_valid_escapes;

/// One word of a [`BitStack`]: 32-bit targets clear 4-byte-aligned words (an 8-byte-aligned
/// array links a second memory-clearing routine on bare metal: `.ci/embedded-size`).
#[cfg(target_pointer_width = "32")]
type Word = u32;
#[cfg(not(target_pointer_width = "32"))]
type Word = u64;

/// A stack of "is this open container an object?" bits.
struct BitStack([Word; (MAX_SUPPORTED_DEPTH / Word::BITS) as usize]);

impl BitStack {
    const fn new() -> Self {
        Self([0; (MAX_SUPPORTED_DEPTH / Word::BITS) as usize])
    }

    #[inline]
    fn set(&mut self, i: u32, object: bool) {
        if let Some(word) = self.0.get_mut((i / Word::BITS) as usize) {
            let bit: Word = 1 << (i % Word::BITS);
            if object {
                *word |= bit;
            } else {
                *word &= !bit;
            }
        }
    }

    #[inline]
    fn is_object(&self, i: u32) -> bool {
        self.0
            .get((i / Word::BITS) as usize)
            .is_some_and(|word| word & (1 << (i % Word::BITS)) != 0)
    }
}

/// Parses `\uXXXX` digits at `bytes[i..i + 4]`.
#[inline]
fn hex4(bytes: &[u8], i: usize, escape_at: usize) -> Result<u32, DecodeError> {
    #[cfg(target_os = "none")]
    return hex4_small(bytes, i, escape_at);
    #[cfg(not(target_os = "none"))]
    {
        // Four hex digits: one table look-up each. Anything else is an error, found below
        // digit by digit so it names the first problem where it is (a bad digit, or the end
        // of the input).
        if let Some(value) = bytes
            .get(i..)
            .and_then(<[u8]>::first_chunk::<4>)
            .copied()
            .and_then(crate::escape::hex4_digits)
        {
            return Ok(value);
        }
        let mut value = 0u32;
        for k in 0..4 {
            let Some(&b) = bytes.get(i + k) else {
                return Err(DecodeError::new(K::UnexpectedEnd, bytes.len()));
            };
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(DecodeError::new(K::InvalidUnicodeEscape, escape_at)),
            };
            value = (value << 4) | u32::from(digit);
        }
        Ok(value)
    }
}

/// [`hex4`] on firmware: the digits there are (padded with `0`) through the one table
/// look-up, no second digit-by-digit parser (`.ci/embedded-size`). The same value, error
/// kind and offset: a byte that is not a hex digit is [`K::InvalidUnicodeEscape`] even when
/// the input ends after it; otherwise a short input is [`K::UnexpectedEnd`].
#[cfg(any(test, target_os = "none"))]
fn hex4_small(bytes: &[u8], i: usize, escape_at: usize) -> Result<u32, DecodeError> {
    let rest = bytes.get(i..).unwrap_or_default();
    let mut digits = [b'0'; 4];
    for (digit, &b) in digits.iter_mut().zip(rest) {
        *digit = b;
    }
    match crate::escape::hex4_digits(digits) {
        None => Err(DecodeError::new(K::InvalidUnicodeEscape, escape_at)),
        Some(_) if rest.len() < 4 => Err(DecodeError::new(K::UnexpectedEnd, bytes.len())),
        Some(value) => Ok(value),
    }
}

/// A cursor over validated UTF-8 that checks the JSON grammar.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: u32,
    /// Set when a string with an escape was scanned (callers reset it to watch a span).
    pub(crate) saw_escape: bool,
}

impl<'a> Scanner<'a> {
    #[inline]
    pub(crate) fn new(text: &'a str, max_depth: u32) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            max_depth: max_depth.min(MAX_SUPPORTED_DEPTH),
            saw_escape: false,
        }
    }

    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    #[inline]
    pub(crate) fn error(&self, kind: K) -> DecodeError {
        DecodeError::new(kind, self.pos)
    }

    #[inline]
    pub(crate) fn max_depth(&self) -> u32 {
        self.max_depth
    }

    /// `text[start..end]`; the bounds always come from this scanner, at ASCII boundaries.
    #[inline]
    pub(crate) fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The whole text's bytes (for the one-pass fill's SSE2 fast paths).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline]
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// `text[start..]` (an ASCII boundary from this scanner).
    #[inline]
    pub(crate) fn rest_from(&self, start: usize) -> &'a str {
        self.text.get(start..).unwrap_or("")
    }

    /// Moves the cursor back to `pos` (a position it stood at), to read again from there.
    #[inline]
    pub(crate) fn rewind(&mut self, pos: usize) {
        self.pos = pos;
    }

    #[inline]
    pub(crate) fn bump(&mut self) {
        self.pos += 1;
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    pub(crate) fn peek_token(&mut self) -> Result<u8, DecodeError> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => self.pos += 1,
                _ => return Ok(b),
            }
        }
        Err(self.error(K::UnexpectedEnd))
    }

    /// Requires that only whitespace remains.
    pub(crate) fn finish(&mut self) -> Result<(), DecodeError> {
        match self.peek_token() {
            Ok(_) => Err(self.error(K::TrailingCharacters)),
            Err(_) => Ok(()),
        }
    }

    /// Scans a string whose opening quote is at the cursor.
    #[cfg_attr(not(target_os = "none"), inline(always))] // out of line on bare metal (`.ci/embedded-size`); callgrind: -9% instructions per frame decode
    #[allow(clippy::inline_always)]
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, DecodeError> {
        let start = self.pos + 1;
        let stop = find_string_stop(self.bytes, start);
        // Bare metal: `string_with_escapes` ends a plain string the same way.
        #[cfg(not(target_os = "none"))]
        if self.bytes.get(stop) == Some(&b'"') {
            self.pos = stop + 1;
            return Ok(JsonStr::from_validated_plain(self.slice(start, stop)));
        }
        let escaped = self.string_with_escapes(stop)?;
        // `pos` is after the closing quote.
        let raw = self.slice(start, self.pos - 1);
        Ok(if escaped {
            JsonStr::from_validated_escaped(raw)
        } else {
            JsonStr::from_validated_plain(raw)
        })
    }

    /// Scans a string whose opening quote is at the cursor, without building its value.
    #[cfg_attr(not(target_os = "none"), inline(always))] // out of line on bare metal (`.ci/embedded-size`); the containers' hot path
    #[allow(clippy::inline_always)]
    fn skip_string(&mut self) -> Result<(), DecodeError> {
        // Bare metal: `string`'s code, not a second copy of it.
        #[cfg(target_os = "none")]
        return self.string().map(|_| ());
        #[cfg(not(target_os = "none"))]
        {
            let start = self.pos + 1;
            let stop = find_string_stop(self.bytes, start);
            if self.bytes.get(stop) == Some(&b'"') {
                self.pos = stop + 1;
                return Ok(());
            }
            self.string_with_escapes(stop).map(|_| ())
        }
    }

    /// Scans `"key" :` whose first byte `first` is at the cursor, without building the key.
    #[cfg_attr(not(target_os = "none"), inline(always))] // out of line on bare metal (`.ci/embedded-size`); the containers' hot path
    #[allow(clippy::inline_always)]
    fn skip_key(&mut self, first: u8) -> Result<(), DecodeError> {
        if first != b'"' {
            return Err(self.error(K::ExpectedObjectKey));
        }
        self.skip_string()?;
        if self.peek_token()? != b':' {
            return Err(self.error(K::ExpectedColon));
        }
        self.pos += 1;
        Ok(())
    }

    /// The rest of a string whose first stop (escape, control byte or end) is at `i`: whether
    /// it has escapes, the cursor then after its closing quote.
    ///
    /// It answers a flag (returned in registers), not the string: a `JsonStr` in a `Result`
    /// is returned through memory, and where it met [`string`](Self::string)'s plain path
    /// the caller read its flags byte together with the error kind's second byte, one
    /// two-byte load after a one-byte store, which x86-64 cannot forward from the store
    /// (`perf record` of a shout's `decode`: about 30% of the payload walk's samples sat on
    /// that load; its wall time did not move beyond the noise, its instructions went down by
    /// 16 to 63 a frame).
    ///
    /// Bare metal inlines it into `string`, its one caller there (`skip_string` calls
    /// `string`), which is out of line: one frame on the path, not two (`.ci/embedded-size`).
    #[cfg_attr(not(target_os = "none"), inline(never))]
    #[cfg_attr(target_os = "none", inline(always))]
    #[allow(clippy::inline_always)]
    fn string_with_escapes(&mut self, mut i: usize) -> Result<bool, DecodeError> {
        let mut escaped = false;
        loop {
            match self.bytes.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.saw_escape = true;
                    i = self.escape(i)?;
                }
                Some(_) => return Err(DecodeError::new(K::ControlCharacterInString, i)),
                None => return Err(DecodeError::new(K::UnexpectedEnd, i)),
            }
            i = skip_valid_escapes(self.bytes, i);
        }
    }

    /// Validates the escape whose backslash is at `i`; returns the index after it.
    fn escape(&self, i: usize) -> Result<usize, DecodeError> {
        match self.bytes.get(i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
            Some(b'u') => {
                let unit = hex4(self.bytes, i + 2, i)?;
                match unit {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(i + 6) != Some(&b'\\')
                            || self.bytes.get(i + 7) != Some(&b'u')
                        {
                            return Err(DecodeError::new(K::LoneSurrogate, i));
                        }
                        match hex4(self.bytes, i + 8, i + 6)? {
                            0xDC00..=0xDFFF => Ok(i + 12),
                            _ => Err(DecodeError::new(K::LoneSurrogate, i)),
                        }
                    }
                    0xDC00..=0xDFFF => Err(DecodeError::new(K::LoneSurrogate, i)),
                    _ => Ok(i + 6),
                }
            }
            Some(_) => Err(DecodeError::new(K::InvalidEscape, i)),
            None => Err(DecodeError::new(K::UnexpectedEnd, i + 1)),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn require_digits(&mut self) -> Result<(), DecodeError> {
        if self.digits() == 0 {
            return Err(self.error(if self.pos >= self.bytes.len() {
                K::UnexpectedEnd
            } else {
                K::InvalidNumber
            }));
        }
        Ok(())
    }

    /// Scans a number starting at the cursor (`-` or a digit). Any magnitude is accepted:
    /// the grammar, not the range of `f64`, decides.
    #[inline]
    fn number(&mut self) -> Result<(), DecodeError> {
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(_) => return Err(self.error(K::InvalidNumber)),
            None => return Err(self.error(K::UnexpectedEnd)),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.require_digits()?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            self.require_digits()?;
        }
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), DecodeError> {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        if rest.starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else if word.starts_with(rest) {
            Err(DecodeError::new(K::UnexpectedEnd, self.bytes.len()))
        } else {
            Err(self.error(K::InvalidLiteral))
        }
    }

    /// Scans `"key" :` whose first byte `first` is at the cursor.
    #[inline]
    pub(crate) fn object_key(&mut self, first: u8) -> Result<JsonStr<'a>, DecodeError> {
        if first != b'"' {
            return Err(self.error(K::ExpectedObjectKey));
        }
        let key = self.string()?;
        if self.peek_token()? != b':' {
            return Err(self.error(K::ExpectedColon));
        }
        self.pos += 1;
        Ok(key)
    }

    /// Scans one `null`, returning `Ok(true)`, or reports `Ok(false)` without moving when the
    /// next token is not `n`.
    pub(crate) fn null(&mut self) -> Result<bool, DecodeError> {
        if self.peek_token()? == b'n' {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Validates one JSON value starting at the next token. `depth` is the number of
    /// containers already open around it. Returns the string when the value is one.
    pub(crate) fn value(&mut self, depth: u32) -> Result<Option<JsonStr<'a>>, DecodeError> {
        #[cfg(target_os = "none")]
        return self.value_small(depth);
        #[cfg(not(target_os = "none"))]
        {
            match self.peek_token()? {
                b'"' => return self.string().map(Some),
                b'{' | b'[' => self.container(depth)?,
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return Err(self.error(K::ExpectedValue)),
            }
            Ok(None)
        }
    }

    /// [`value`](Self::value) on firmware: a string, or anything else through
    /// [`container`](Self::container), whose loop validates a lone scalar the same way (the
    /// same errors at the same offsets; one copy of the scalars' dispatch instead of two:
    /// `.ci/embedded-size`).
    #[cfg(any(test, target_os = "none"))]
    fn value_small(&mut self, depth: u32) -> Result<Option<JsonStr<'a>>, DecodeError> {
        if self.peek_token()? == b'"' {
            return self.string().map(Some);
        }
        self.container(depth)?;
        Ok(None)
    }

    /// Validates the array or object whose opening bracket is at the cursor, iteratively.
    fn container(&mut self, base_depth: u32) -> Result<(), DecodeError> {
        let mut open = BitStack::new();
        let mut depth: u32 = 0;
        let mut next = self.peek_token()?;
        loop {
            // `next` is the first byte of a value, at the cursor.
            match next {
                b'{' | b'[' => {
                    if base_depth + depth >= self.max_depth {
                        return Err(self.error(K::DepthLimitExceeded));
                    }
                    let object = next == b'{';
                    open.set(depth, object);
                    depth += 1;
                    self.pos += 1;
                    let first = self.peek_token()?;
                    if first == if object { b'}' } else { b']' } {
                        self.pos += 1;
                        depth -= 1;
                    } else {
                        if object {
                            self.skip_key(first)?;
                        }
                        next = self.peek_token()?;
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return Err(self.error(K::ExpectedValue)),
            }
            // After a value: close containers until one continues with `,`.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                let object = open.is_object(depth - 1);
                match self.peek_token()? {
                    b',' => {
                        self.pos += 1;
                        let first = self.peek_token()?;
                        if object {
                            self.skip_key(first)?;
                            next = self.peek_token()?;
                        } else {
                            next = first;
                        }
                        break;
                    }
                    b']' if !object => {
                        self.pos += 1;
                        depth -= 1;
                    }
                    b'}' if object => {
                        self.pos += 1;
                        depth -= 1;
                    }
                    _ => {
                        return Err(self.error(if object {
                            K::ExpectedCommaOrObjectEnd
                        } else {
                            K::ExpectedCommaOrArrayEnd
                        }));
                    }
                }
            }
        }
    }
}

/// Validates that `text` is exactly one JSON value (surrounding whitespace allowed), with at
/// most `max_depth` levels of nesting.
pub(crate) fn validate_value(text: &str, max_depth: u32) -> Result<(), DecodeError> {
    let mut scanner = Scanner::new(text, max_depth);
    scanner.value(0)?;
    scanner.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), K> {
        validate_value(text, 128).map_err(|e| e.kind)
    }

    #[test]
    fn accepts_json_values() {
        for ok in [
            "0",
            "-0",
            "1.5e-3",
            "1E+2",
            "true",
            "false",
            "null",
            "\"\"",
            "[]",
            "{}",
            "[1,[2,{\"a\":[]}]]",
            " { \"a\" : 1 , \"b\" : [ ] } ",
            "\"\\ud83d\\ude00\"",
            "1e999999",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_invalid_json_with_the_precise_kind() {
        for (bad, kind) in [
            ("", K::UnexpectedEnd),
            ("-", K::UnexpectedEnd),
            ("-a", K::InvalidNumber),
            ("01", K::TrailingCharacters),
            ("1.", K::UnexpectedEnd),
            ("1.e", K::InvalidNumber),
            ("1e", K::UnexpectedEnd),
            ("tru", K::UnexpectedEnd),
            ("trux", K::InvalidLiteral),
            ("NaN", K::ExpectedValue),
            ("[1,]", K::ExpectedValue),
            ("{\"a\":1,}", K::ExpectedObjectKey),
            ("{\"a\" 1}", K::ExpectedColon),
            ("[1 2]", K::ExpectedCommaOrArrayEnd),
            ("{\"a\":1 \"b\"}", K::ExpectedCommaOrObjectEnd),
            ("[}", K::ExpectedValue),
            ("[1}", K::ExpectedCommaOrArrayEnd),
            ("\"\\x\"", K::InvalidEscape),
            ("\"\\u12\"", K::InvalidUnicodeEscape),
            ("\"\\ud800\"", K::LoneSurrogate),
            ("\"\\udc00\\ud800\"", K::LoneSurrogate),
            ("\"\\ud800\\u0041\"", K::LoneSurrogate),
            ("\"a\nb\"", K::ControlCharacterInString),
            ("\"abc", K::UnexpectedEnd),
            ("\u{feff}1", K::ExpectedValue),
        ] {
            assert_eq!(check(bad), Err(kind), "{bad:?}");
        }
    }

    /// The string at the start of `text` scanned one stop at a time (`find_string_stop` and
    /// `escape` for each escape): whether it has escapes, or its error's kind and offset.
    fn one_escape_at_a_time(text: &str) -> Result<bool, (K, usize)> {
        let scanner = Scanner::new(text, 8);
        let mut escaped = false;
        let mut i = 1;
        loop {
            i = find_string_stop(scanner.bytes, i);
            match scanner.bytes.get(i) {
                Some(b'"') => return Ok(escaped),
                Some(b'\\') => {
                    escaped = true;
                    i = scanner.escape(i).map_err(|e| (e.kind, e.offset))?;
                }
                Some(_) => return Err((K::ControlCharacterInString, i)),
                None => return Err((K::UnexpectedEnd, i)),
            }
        }
    }

    #[test]
    fn escapes_are_judged_alike_at_every_offset_and_block_edge() {
        // The scanner (which skips valid escapes inside its block scan) against the scan one
        // escape at a time, error kinds and offsets included.
        let escapes = [
            r#"\""#,
            r"\\",
            r"\/",
            r"\b",
            r"\f",
            r"\n",
            r"\r",
            r"\t",
            r"\u0041",
            r"\uABCD",
            r"\ud83d\ude00",
            r"\x",
            r"\u12",
            r"\u12x4",
            r"\ud800",
            r"\udc00",
            r"\ud800\u0041",
            r"\ud800\ux",
            "\\",
            "\u{1}",
            "é",
        ];
        // Miri (~1000x slower) takes every 13th offset, and one way to end the text.
        let step = if cfg!(miri) { 13 } else { 1 };
        let tails: &[&str] = if cfg!(miri) {
            &["\" and some more text after the string"]
        } else {
            &["\"", "\"   ", "\" and some more text after the string"]
        };
        for at in (0..=40).step_by(step) {
            for escape in escapes {
                for after in ["", r"\n", r"\u0041", "xyz", r"0123456789abcdef\t"] {
                    // The first escape is the scanner's to see; the next ones fall in its
                    // block scan.
                    let body = std::format!(r"\n{}{escape}{after}{escape}", "a".repeat(at));
                    for tail in tails {
                        let text = std::format!("\"{body}{tail}");
                        let expected = one_escape_at_a_time(&text);
                        let mut scanner = Scanner::new(&text, 8);
                        let got = scanner
                            .string()
                            .map(|s| s.has_escapes())
                            .map_err(|e| (e.kind, e.offset));
                        assert_eq!(got, expected, "{text:?}");
                        if let Ok(escaped) = got {
                            assert_eq!(scanner.saw_escape, escaped, "{text:?}");
                            assert_eq!(scanner.pos(), body.len() + 2, "{text:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn depth_limit_counts_every_container() {
        assert_eq!(validate_value("[[[]]]", 3), Ok(()));
        assert_eq!(
            validate_value("[[[[]]]]", 3).map_err(|e| (e.kind, e.offset)),
            Err((K::DepthLimitExceeded, 3))
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "a million-byte input is too slow under Miri; plain cargo test runs it"
    )]
    fn deep_nesting_is_rejected_without_recursion() {
        let deep = "[".repeat(1_000_000);
        assert_eq!(check(&deep), Err(K::DepthLimitExceeded));
        let deep_objects = "{\"a\":".repeat(1_000_000);
        assert_eq!(check(&deep_objects), Err(K::DepthLimitExceeded));
    }

    /// Firmware's `value` (a lone scalar through the containers' loop) against the one it
    /// replaces there: the same result, error kind and offset, end position and escape flag,
    /// for every valid and invalid value above, each prefix of them (every truncation), with
    /// whitespace around, and at depths around the limit.
    #[test]
    fn small_value_matches_the_fast_one() {
        use std::format;
        use std::string::ToString;
        type Outcome<'t> = (Result<Option<&'t str>, (K, usize)>, usize, bool);
        fn run(text: &str, depth: u32, max: u32, small: bool) -> Outcome<'_> {
            let mut scanner = Scanner::new(text, max);
            let got = if small {
                scanner.value_small(depth)
            } else {
                scanner.value(depth)
            };
            (
                got.map(|s| s.map(|s| s.raw()))
                    .map_err(|e| (e.kind, e.offset)),
                scanner.pos(),
                scanner.saw_escape,
            )
        }
        let values = [
            "0",
            "-0",
            "1.5e-3",
            "1E+2",
            "12",
            "-",
            "-a",
            "01",
            "1.",
            "1.e",
            "1e",
            "1e+",
            "0.5x",
            "true",
            "false",
            "null",
            "tru",
            "trux",
            "fals",
            "nul",
            "nulx",
            "NaN",
            "x",
            "}",
            "]",
            ",",
            ":",
            "\"\"",
            "\"abc",
            "\"a\\nb\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "\"a\nb\"",
            "[]",
            "{}",
            "[1,]",
            "[1 2]",
            "[}",
            "[1}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":1 \"b\"}",
            "[1,[2,{\"a\":[]}]]",
            " { \"a\" : 1 , \"b\" : [ ] } ",
            "[[[]]]",
            "{\"a\":{\"b\":[true,null,-1e5]}}",
            "\u{feff}1",
        ];
        let mut compared = 0;
        for value in values {
            for text in [
                value.to_string(),
                format!(" \t{value}\n "),
                format!("{value},1"),
            ] {
                for end in 0..=text.len() {
                    let Some(text) = text.get(..end) else {
                        continue;
                    };
                    for (depth, max) in [(0, 128), (0, 2), (1, 2), (2, 2), (3, 2)] {
                        assert_eq!(
                            run(text, depth, max, true),
                            run(text, depth, max, false),
                            "{text:?} at depth {depth} of {max}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 2_000, "{compared}");
    }

    /// Firmware's `\u` digits (`hex4_small`) against the portable parser: the same value or
    /// error kind and offset for every sequence of up to five bytes from digits, letters
    /// around the hex ranges and punctuation, at every start.
    #[test]
    fn small_hex4_matches_the_fast_one() {
        let alphabet = b"09afAF/:@G`gx\"\\";
        let mut compared = 0;
        let mut bytes = [0u8; 5];
        // Miri: up to three bytes (every short-input case; the full run takes seconds).
        let longest = if cfg!(miri) { 3 } else { 5 };
        for len in 0..=longest {
            let count = alphabet.len().pow(u32::try_from(len).unwrap());
            for mut code in 0..count {
                for b in &mut bytes[..len] {
                    *b = alphabet[code % alphabet.len()];
                    code /= alphabet.len();
                }
                let text = &bytes[..len];
                for i in 0..=len + 1 {
                    assert_eq!(hex4_small(text, i, 7), hex4(text, i, 7), "{text:?} at {i}");
                    compared += 1;
                }
            }
        }
        assert!(
            compared > if cfg!(miri) { 10_000 } else { 100_000 },
            "{compared}"
        );
    }
}
