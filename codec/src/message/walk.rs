//! Cursors over validated JSON objects, for the typed views' `fill`: a [`Walk`] reads an
//! object's members in place (each value measured once, as the cursor passes it, and only as
//! far as its first byte says it reaches), [`Listed`] reads members whose spans are already
//! known (a frame's member index).

use crate::raw::{Members, RawJson, skip_ws};
use crate::stop::find_string_stop;
use crate::string::JsonStr;

/// A member's key as it is in the text: its body's bytes (between the quotes) and whether
/// they hold an escape.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) escaped: bool,
}

impl<'a> Key<'a> {
    /// Whether the key, unescaped, is `name`.
    #[inline]
    pub(crate) fn is(self, name: &str) -> bool {
        if self.escaped {
            self.as_json_str().is_some_and(|key| key.eq_str(name))
        } else {
            self.bytes == name.as_bytes()
        }
    }

    /// The key as a [`JsonStr`] (`None` only if it is not UTF-8, which validated text is).
    pub(crate) fn as_json_str(self) -> Option<JsonStr<'a>> {
        let text = core::str::from_utf8(self.bytes).ok()?;
        Some(if self.escaped {
            JsonStr::from_validated_escaped(text)
        } else {
            JsonStr::from_validated_plain(text)
        })
    }
}

/// What a typed view's `fill` reads an object from. After [`next_key`](Self::next_key)
/// returns a key, the cursor stands at that member's value, which the caller consumes with
/// exactly one of the taking methods.
pub(crate) trait Cursor<'a> {
    /// The next member's key, or `None` once the object is done.
    fn next_key(&mut self) -> Option<Key<'a>>;

    /// The first byte of the value at the cursor (`0` if there is none).
    fn peek(&self) -> u8;

    /// Takes the value at the cursor, whole.
    fn value(&mut self) -> RawJson<'a>;

    /// Takes the string at the cursor (`peek() == b'"'`): its body, between the quotes.
    fn string_body(&mut self) -> &'a [u8];

    /// Takes the number, `true`, `false` or `null` at the cursor: its text.
    fn scalar(&mut self) -> &'a [u8];

    /// Consumes the value at the cursor without reading it.
    fn skip(&mut self);

    /// The cursor a nested object is read with.
    type Inner: Cursor<'a>;

    /// Takes the object at the cursor (`peek() == b'{'`): `read` gets its text (up to the
    /// end of the text, while its end is not known yet: a slice starting where the object
    /// does) and a cursor just inside it, which it drains; returns what `read` returns and the
    /// object's text.
    fn object<R>(
        &mut self,
        read: impl FnOnce(RawJson<'a>, &mut Self::Inner) -> R,
    ) -> (R, RawJson<'a>);
}

/// A position in validated JSON text. After [`next_key`](Self::next_key) or a `true`
/// [`next_item`](Self::next_item) the cursor stands at a value, which the caller consumes
/// (with [`value`](Self::value), [`skip`](Cursor::skip), ...) or [`enter`](Self::enter)s and
/// drains.
#[derive(Clone, Debug, Default)]
pub(crate) struct Walk<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Walk<'a> {
    /// Inside the container `raw` (just past its `{` or `[`).
    pub(crate) fn inside(raw: RawJson<'a>) -> Self {
        Self {
            text: raw.as_str(),
            pos: 1,
        }
    }

    /// Inside the container that starts at the cursor, leaving this cursor where it is: the
    /// new cursor reads on past the container's end, so it must stop at its close.
    #[inline]
    pub(crate) fn inside_here(&self) -> Self {
        Self {
            text: self.text,
            pos: self.pos + 1,
        }
    }

    /// Where the cursor stands.
    #[cfg(test)]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The text from `start` to the cursor.
    #[inline]
    pub(crate) fn text_from(&self, start: usize) -> &'a str {
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// The text from `start` to the end.
    #[inline]
    pub(crate) fn rest_from(&self, start: usize) -> &'a str {
        self.text.get(start..).unwrap_or_default()
    }

    /// `key` (read by this walk) as a [`JsonStr`] of the walk's text.
    #[inline]
    pub(crate) fn key_str(&self, key: Key<'a>) -> Option<JsonStr<'a>> {
        key_str_in(self.text, key)
    }

    /// The text, as bytes, and where the cursor stands: for a reader that steps through a
    /// shape it knows itself, then [`set_pos`](Self::set_pos)es the cursor past what it read.
    #[inline(always)]
    #[allow(clippy::inline_always)]
    pub(crate) fn bytes_at(&self) -> (&'a [u8], usize) {
        (self.text.as_bytes(), self.pos)
    }

    /// Moves the cursor to `pos`, a position a reader of [`bytes_at`](Self::bytes_at) found.
    #[inline(always)]
    #[allow(clippy::inline_always)]
    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Steps into the container at the cursor.
    #[inline]
    pub(crate) fn enter(&mut self) {
        self.pos += 1;
    }

    /// Inside an array: whether there is a next item (the cursor then stands at it); `false`
    /// after stepping out of the array.
    #[inline]
    pub(crate) fn next_item(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let mut at = self.pos;
        if let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(at) {
            at = skip_ws(bytes, at);
        }
        if bytes.get(at) == Some(&b',') {
            at = skip_ws(bytes, at + 1);
        }
        match bytes.get(at) {
            None => {
                self.pos = at;
                false
            }
            Some(b']') => {
                self.pos = at + 1;
                false
            }
            Some(_) => {
                self.pos = at;
                true
            }
        }
    }

    /// Inside an object, at whitespace before a member or the close: the next key.
    #[cold]
    #[inline(never)]
    fn next_key_spaced(&mut self) -> Option<Key<'a>> {
        let bytes = self.text.as_bytes();
        let mut at = skip_ws(bytes, self.pos);
        if bytes.get(at) == Some(&b',') {
            at = skip_ws(bytes, at + 1);
        }
        self.pos = at;
        if bytes.get(at) == Some(&b'"') {
            self.next_key()
        } else {
            self.pos = at + 1;
            None
        }
    }

    /// Index just past the container (object or array) that opens at `at`.
    fn container_end(bytes: &[u8], mut at: usize) -> usize {
        let mut depth = 0usize;
        while let Some(&b) = bytes.get(at) {
            match b {
                b'"' => {
                    at = close_quote(bytes, at + 1).0;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return at + 1;
                    }
                }
                _ => {}
            }
            at += 1;
        }
        bytes.len()
    }
}

/// Whether `b` is JSON whitespace.
#[inline(always)]
#[allow(clippy::inline_always)]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The index of the closing quote of the string whose body starts at `at` (or the text's
/// length), and whether the body has a backslash. The common case (no escape, at least 16
/// bytes of text left after the quote) is a few block compares, inlined; the rest is out of
/// line.
#[inline(always)]
#[allow(clippy::inline_always)] // the inner step of every key and string value
pub(crate) fn close_quote(bytes: &[u8], at: usize) -> (usize, bool) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let rest = bytes.get(at..).unwrap_or_default();
        // Two blocks, unrolled: keys, refs and timestamps end within 32 bytes.
        if let Some((block, more)) = rest.split_first_chunk::<16>() {
            let mask = crate::simd::string_stop_mask16(block);
            if mask != 0 {
                let end = mask.trailing_zeros() as usize;
                if block.get(end) == Some(&b'"') {
                    return (at + end, false);
                }
            } else if let Some(block) = more.first_chunk::<16>() {
                let mask = crate::simd::string_stop_mask16(block);
                let end = mask.trailing_zeros() as usize;
                if block.get(end) == Some(&b'"') {
                    return (at + 16 + end, false);
                }
            }
        }
    }
    close_quote_slow(bytes, at)
}

/// [`close_quote`] for escapes, long strings and the text's last bytes.
#[inline(never)]
fn close_quote_slow(bytes: &[u8], mut at: usize) -> (usize, bool) {
    let mut escaped = false;
    loop {
        at = find_string_stop(bytes, at);
        match bytes.get(at) {
            Some(b'\\') => {
                escaped = true;
                at += 2;
            }
            Some(b'"') | None => return (at.min(bytes.len()), escaped),
            // Validated text has no raw control characters; step over one regardless.
            Some(_) => at += 1,
        }
    }
}

impl<'a> Cursor<'a> for Walk<'a> {
    type Inner = Self;

    /// Inside an object: the next member's key (the cursor then stands at its value), or
    /// `None` after stepping out of the object.
    // Small with its slow paths out of line, and read for every member: inlined, except on
    // bare metal, where `.ci/embedded-size` holds the code to a budget.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    #[allow(clippy::inline_always)]
    fn next_key(&mut self) -> Option<Key<'a>> {
        let bytes = self.text.as_bytes();
        let mut at = self.pos;
        let mut b = bytes.get(at).copied().unwrap_or(b'}');
        if b == b',' {
            at += 1;
            b = bytes.get(at).copied().unwrap_or(b'}');
        }
        if b != b'"' {
            if is_ws(b) {
                self.pos = at;
                return self.next_key_spaced();
            }
            self.pos = at + 1;
            return None;
        }
        let (end, escaped) = close_quote(bytes, at + 1);
        // `"key":value` is the common form; whitespace around the colon is stepped over.
        let mut value = end + 2;
        if bytes.get(end + 1) != Some(&b':') {
            value = skip_ws(bytes, end + 1) + 1;
        }
        if bytes.get(value).copied().is_some_and(is_ws) {
            value = skip_ws(bytes, value);
        }
        self.pos = value;
        Some(Key {
            bytes: bytes.get(at + 1..end)?,
            escaped,
        })
    }

    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(0)
    }

    #[inline]
    fn value(&mut self) -> RawJson<'a> {
        let start = self.pos;
        self.skip();
        RawJson::from_validated(self.text.get(start..self.pos).unwrap_or("null"))
    }

    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    #[allow(clippy::inline_always)]
    fn string_body(&mut self) -> &'a [u8] {
        let bytes = self.text.as_bytes();
        let start = self.pos + 1;
        let (end, _) = close_quote(bytes, start);
        self.pos = end + 1;
        bytes.get(start..end).unwrap_or_default()
    }

    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    #[allow(clippy::inline_always)]
    fn scalar(&mut self) -> &'a [u8] {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut at = start + 1;
        while let Some(&b) = bytes.get(at) {
            if matches!(b, b',' | b']' | b'}') || is_ws(b) {
                break;
            }
            at += 1;
        }
        self.pos = at;
        bytes.get(start..at).unwrap_or_default()
    }

    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline(never))]
    #[allow(clippy::inline_always)]
    fn skip(&mut self) {
        match self.peek() {
            b'"' => {
                self.string_body();
            }
            b'{' | b'[' => self.pos = Self::container_end(self.text.as_bytes(), self.pos),
            b'n' | b't' => self.pos += 4,
            b'f' => self.pos += 5,
            _ => {
                self.scalar();
            }
        }
    }

    /// Reads the object in place: its members are visited once, as the cursor passes it.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    #[allow(clippy::inline_always)]
    fn object<R>(
        &mut self,
        read: impl FnOnce(RawJson<'a>, &mut Walk<'a>) -> R,
    ) -> (R, RawJson<'a>) {
        let start = self.pos;
        self.enter();
        let out = read(RawJson::from_validated(self.rest_from(start)), self);
        (out, RawJson::from_validated(self.text_from(start)))
    }
}

/// The members of a frame's payload as its member index recorded them (or as a walk found
/// them, past the index's capacity), as a [`Cursor`]: each value's span is already known.
pub(crate) struct Listed<'f, 'a> {
    members: Members<'f, 'a>,
    text: &'a str,
    value: (usize, usize),
}

impl<'f, 'a> Listed<'f, 'a> {
    /// Over `members`.
    #[inline]
    pub(crate) fn new(members: Members<'f, 'a>) -> Self {
        Self {
            text: members.text(),
            members,
            value: (0, 0),
        }
    }

    #[inline]
    fn value_bytes(&self) -> &'a [u8] {
        self.text
            .as_bytes()
            .get(self.value.0..self.value.1)
            .unwrap_or_default()
    }
}

impl<'a> Cursor<'a> for Listed<'_, 'a> {
    type Inner = Walk<'a>;

    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    #[allow(clippy::inline_always)]
    fn next_key(&mut self) -> Option<Key<'a>> {
        let member = self.members.next_at()?;
        self.value = member.value;
        Some(Key {
            bytes: self.text.as_bytes().get(member.key.0..member.key.1)?,
            escaped: member.escaped,
        })
    }

    #[inline]
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.value.0).copied().unwrap_or(0)
    }

    #[inline]
    fn value(&mut self) -> RawJson<'a> {
        RawJson::from_validated(self.text.get(self.value.0..self.value.1).unwrap_or("null"))
    }

    #[inline]
    fn string_body(&mut self) -> &'a [u8] {
        self.text
            .as_bytes()
            .get(self.value.0 + 1..self.value.1.saturating_sub(1))
            .unwrap_or_default()
    }

    #[inline]
    fn scalar(&mut self) -> &'a [u8] {
        self.value_bytes()
    }

    #[inline]
    fn skip(&mut self) {}

    fn object<R>(
        &mut self,
        read: impl FnOnce(RawJson<'a>, &mut Walk<'a>) -> R,
    ) -> (R, RawJson<'a>) {
        let value = self.value();
        (read(value, &mut Walk::inside(value)), value)
    }
}

/// `key`, read from `text` (its bytes a slice of `text`), as a [`JsonStr`] of `text`; `None`
/// if its bytes are not inside `text`.
#[inline]
pub(crate) fn key_str_in<'a>(text: &'a str, key: Key<'a>) -> Option<JsonStr<'a>> {
    let start = (key.bytes.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    let text = text.get(start..start.wrapping_add(key.bytes.len()))?;
    Some(if key.escaped {
        JsonStr::from_validated_escaped(text)
    } else {
        JsonStr::from_validated_plain(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every member of `text` (an object) read by a `Walk`, each value taken the way its
    /// first byte allows, against `RawJson::members`.
    fn same_as_members(text: &str) {
        let raw = RawJson::parse(text).unwrap();
        let mut walk = Walk::inside(raw);
        let mut expected = raw.members().unwrap();
        let mut n = 0;
        while let Some(key) = walk.next_key() {
            let (k, v) = expected.next().unwrap();
            assert_eq!(key.as_json_str().unwrap(), k, "{text}");
            assert_eq!(key.escaped, k.has_escapes(), "{text}");
            let got = match walk.peek() {
                b'"' => {
                    let body = walk.string_body();
                    assert_eq!(body, &v.as_bytes()[1..v.as_str().len() - 1]);
                    v
                }
                b'{' | b'[' if n % 2 == 0 => walk.value(),
                b'{' | b'[' => {
                    let at = walk.pos();
                    walk.skip();
                    RawJson::from_validated(walk.text_from(at))
                }
                _ => RawJson::from_validated(core::str::from_utf8(walk.scalar()).unwrap()),
            };
            assert_eq!(got.as_str(), v.as_str(), "{text}");
            n += 1;
        }
        assert!(expected.next().is_none(), "{text}");
        assert_eq!(walk.pos(), text.trim_end().len(), "{text}");
    }

    #[test]
    fn a_walk_reads_what_members_reads() {
        for text in [
            "{}",
            "{ }",
            r#"{"a":1}"#,
            r#"{ "a" : -1.5e3 , "b" : "x" }"#,
            "{\n\t\"a\"\r\n:\ttrue,\"b\":false,\"c\":null}",
            r#"{"k\"ey":"v\\","e\u0031":"\u00e9\"","n":[1,{"x":"]}"}],"o":{"p":{}}}"#,
            r#"{"a":[],"b":{},"c":"","d":0}"#,
        ] {
            same_as_members(text);
        }
    }

    #[test]
    fn string_bodies_end_at_their_quote_for_every_length_offset_and_escape() {
        let mut text = heapless::String::<160>::new();
        // Every start offset in a 16-byte block; Miri (slow) takes three.
        let pads = if cfg!(miri) { 0..3 } else { 0..17 };
        for pad in pads {
            for len in 0usize..40 {
                for escape in [None, Some(0), Some(len / 2), Some(len.saturating_sub(1))] {
                    text.clear();
                    // A first key of `pad` bytes moves the string across 16-byte blocks.
                    text.push_str(r#"{""#).unwrap();
                    for _ in 0..pad {
                        text.push('p').unwrap();
                    }
                    text.push_str(r#"":0,"k":""#).unwrap();
                    for i in 0..len {
                        if escape == Some(i) {
                            text.push_str(r#"\""#).unwrap();
                        } else {
                            text.push('a').unwrap();
                        }
                    }
                    text.push_str(r#"","z":1}"#).unwrap();
                    same_as_members(&text);
                }
            }
        }
    }
}
