//! The one-pass typed fill: a [`Cursor`] that validates the payload object as it walks it
//! ([`Scanning`], driving the validating [`Scanner`]), so a view's own `fill_from` reads the
//! payload while the decoder validates it. The frame gets no member index (the view holds the
//! spans of the members it reads; recording every member's span as well cost about 35
//! instructions a member, 10% of the server's shout): its `payload_members` and `payload_get`
//! walk the payload, with the same answers.
//!
//! It only ever answers for payloads it read whole without a surprise: at the first syntax
//! error, type error or anything else unusual, [`fill_into`] gives up (`false`) and the
//! caller reads the payload again the two-pass way, so every error, its kind and its offset,
//! is the two-pass path's by construction.

use crate::error::{DecodeError, DecodeErrorKind as K};
use crate::message::error::MessageError;
use crate::message::view::TypedObject;
use crate::message::walk::{Cursor, Key};
use crate::raw::{MemberIndex, RawJson};
use crate::scan::Scanner;

/// Containers open around a payload member's value: the frame's array and the payload object.
const MEMBER_DEPTH: u32 = 2;

/// Where a [`Scanning`] cursor is in the object it reads.
#[derive(Clone, Copy)]
struct Place {
    /// No member read yet.
    first: bool,
    /// The object's `}` was read.
    done: bool,
    /// Containers open around the object's member values ([`MEMBER_DEPTH`] for the payload's,
    /// one more per nested object).
    depth: u32,
}

/// A cursor over the payload object at a [`Scanner`], validating each key and value as it
/// passes it (with the scanner's grammar and depth limit). After the first error it reads
/// nothing more (`failed`); its readers then return placeholders the caller throws away.
pub(crate) struct Scanning<'s, 'a> {
    s: &'s mut Scanner<'a>,
    /// The first byte of the value at the cursor.
    peeked: u8,
    /// Where it is in the object it reads (the payload, or a nested object).
    at: Place,
    /// A syntax error was met.
    failed: bool,
}

impl<'s, 'a> Scanning<'s, 'a> {
    /// Over the object whose `{` is at the scanner (the depth limit already checked).
    #[inline]
    fn new(s: &'s mut Scanner<'a>) -> Self {
        s.bump();
        Self {
            s,
            peeked: 0,
            at: Place {
                first: true,
                done: false,
                depth: MEMBER_DEPTH,
            },
            failed: false,
        }
    }

    /// Marks the walk failed.
    #[cold]
    #[inline(never)]
    fn fail(&mut self) {
        self.failed = true;
        self.peeked = 0;
    }

    /// The next key in its common shape: `,` (not before the first member), a string without
    /// escapes or control bytes, `:` and the value's first byte, no whitespace; `None` (the
    /// scanner not moved) at the first surprise, for [`key`](Self::key) to read as the grammar
    /// does. What it accepts, the grammar accepts and reads the same.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[inline(always)]
    #[allow(clippy::inline_always)] // once per member, in each view's fill
    fn plain_key(&mut self) -> Option<Key<'a>> {
        let bytes = self.s.bytes();
        let mut at = self.s.pos();
        if !self.at.first && bytes.get(at) == Some(&b',') {
            at += 1;
        }
        if bytes.get(at) != Some(&b'"') || (!self.at.first && at == self.s.pos()) {
            return None;
        }
        let end = crate::text::plain_end(bytes, at + 1)?;
        if bytes.get(end + 1) != Some(&b':') {
            return None;
        }
        let value = *bytes.get(end + 2)?;
        if matches!(value, b' ' | b'\n' | b'\r' | b'\t') {
            return None;
        }
        self.at.first = false;
        self.peeked = value;
        self.s.rewind(end + 2);
        Some(Key {
            bytes: bytes.get(at + 1..end)?,
            escaped: false,
        })
    }

    /// No fast path without SSE2: the grammar reads every key (and the embedded build stays
    /// small).
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline(always)]
    #[allow(clippy::inline_always, clippy::unused_self)] // the SSE2 version's signature
    fn plain_key(&mut self) -> Option<Key<'a>> {
        None
    }

    /// The next key per the object grammar (`Ok(None)` after the `}`), the cursor then at its
    /// value, whitespace skipped.
    #[inline(never)]
    fn key(&mut self) -> Result<Option<Key<'a>>, DecodeError> {
        let mut next = self.s.peek_token()?;
        if self.at.first {
            self.at.first = false;
            if next == b'}' {
                self.s.bump();
                self.at.done = true;
                return Ok(None);
            }
        } else {
            match next {
                b',' => {
                    self.s.bump();
                    next = self.s.peek_token()?;
                }
                b'}' => {
                    self.s.bump();
                    self.at.done = true;
                    return Ok(None);
                }
                _ => return Err(self.s.error(K::ExpectedCommaOrObjectEnd)),
            }
        }
        let key = self.s.object_key(next)?;
        let escaped = key.has_escapes();
        let raw = key.raw();
        self.peeked = self.s.peek_token()?;
        Ok(Some(Key {
            bytes: raw.as_bytes(),
            escaped,
        }))
    }

    /// Validates the value at the cursor; its text, or `None` (failed).
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn take(&mut self) -> Option<&'a str> {
        if self.failed {
            return None;
        }
        let start = self.s.pos();
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            let empty = self.s.max_depth() > self.at.depth;
            if let Some(end) = plain_value_end(self.s.bytes(), start, self.peeked, empty) {
                self.s.rewind(end);
                return Some(self.s.slice(start, end));
            }
        }
        if self.s.value(self.at.depth).is_err() {
            self.fail();
            return None;
        }
        Some(self.s.slice(start, self.s.pos()))
    }
}

impl Scanning<'_, '_> {
    /// [`Cursor::skip`] past anything but `null`.
    #[inline(never)]
    fn skip_value(&mut self) {
        self.take();
    }
}

/// Where the value starting at `start` with byte `first` ends, for the common values read
/// with direct checks: a string without escapes or control bytes, `null`, `true`, `false`, an
/// integer, and `{}` and `[]` when `empty` (the depth limit allows a container there). `None`
/// for anything else (fractions, exponents, other containers, escapes, errors), for the
/// grammar to read. What it accepts, the grammar accepts and reads to the same end (a
/// number's next byte is the grammar's to judge, as it is after the grammar's number).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // once per member value, in each view's fill
fn plain_value_end(bytes: &[u8], start: usize, first: u8, empty: bool) -> Option<usize> {
    let literal = |word: &[u8]| {
        (bytes.get(start..start + word.len()) == Some(word)).then_some(start + word.len())
    };
    match first {
        b'"' => crate::text::plain_end(bytes, start + 1).map(|end| end + 1),
        b'n' => literal(b"null"),
        b't' => literal(b"true"),
        b'f' => literal(b"false"),
        b'{' if empty => literal(b"{}"),
        b'[' if empty => literal(b"[]"),
        b'-' | b'0'..=b'9' => {
            let mut at = start + usize::from(first == b'-');
            match bytes.get(at) {
                Some(b'0') => at += 1,
                Some(b'1'..=b'9') => {
                    at += 1;
                    while let Some(b'0'..=b'9') = bytes.get(at) {
                        at += 1;
                    }
                }
                _ => return None,
            }
            (!matches!(bytes.get(at), Some(b'.' | b'e' | b'E'))).then_some(at)
        }
        _ => None,
    }
}

impl<'a> Cursor<'a> for Scanning<'_, 'a> {
    #[inline(always)]
    #[allow(clippy::inline_always)] // once per member, in each view's fill
    fn next_key(&mut self) -> Option<Key<'a>> {
        if self.at.done || self.failed {
            return None;
        }
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if self.s.bytes().get(self.s.pos()) == Some(&b'}') {
            // The object's end, right after `{` or a value.
            self.s.bump();
            self.at.done = true;
            return None;
        }
        if let Some(key) = self.plain_key() {
            return Some(key);
        }
        if let Ok(key) = self.key() {
            key
        } else {
            self.fail();
            None
        }
    }

    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn peek(&self) -> u8 {
        self.peeked
    }

    #[inline]
    fn value(&mut self) -> RawJson<'a> {
        RawJson::from_validated(self.take().unwrap_or("null"))
    }

    #[inline(always)]
    #[allow(clippy::inline_always)] // most payload members are strings
    fn string_body(&mut self) -> &'a [u8] {
        if self.failed {
            return &[];
        }
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            // The common string: its first stop is its closing quote.
            let bytes = self.s.bytes();
            let start = self.s.pos() + 1;
            if let Some(end) = crate::text::plain_end(bytes, start) {
                self.s.rewind(end + 1);
                return bytes.get(start..end).unwrap_or_default();
            }
        }
        if let Ok(text) = self.s.string() {
            text.raw().as_bytes()
        } else {
            self.fail();
            &[]
        }
    }

    #[inline(always)]
    #[allow(clippy::inline_always)] // integers: a call cost as much as their digits
    fn scalar(&mut self) -> &'a [u8] {
        self.take().unwrap_or_default().as_bytes()
    }

    /// A `null` (absent fields' most common value) read inline; anything else out of line.
    #[inline(always)]
    #[allow(clippy::inline_always)] // a compare where the caller knows the value is `null`
    fn skip(&mut self) {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            let at = self.s.pos();
            if self.peeked == b'n'
                && !self.failed
                && self.s.bytes().get(at..at + 4) == Some(b"null".as_slice())
            {
                self.s.rewind(at + 4);
                return;
            }
        }
        self.skip_value();
    }

    type Inner = Self;

    /// Reads the object at the cursor in place with this cursor, validating it as `read`
    /// walks it (its end is known once `read` has drained it).
    #[inline]
    fn object<R>(&mut self, read: impl FnOnce(RawJson<'a>, &mut Self) -> R) -> (R, RawJson<'a>) {
        let start = self.s.pos();
        if self.failed || self.at.depth >= self.s.max_depth() {
            // Failed (so `read` finds no member), or the grammar's depth error: the caller
            // reads the payload again.
            self.fail();
            let raw = RawJson::from_validated("{}");
            return (read(raw, self), raw);
        }
        let outer = self.at;
        self.s.bump();
        self.at = Place {
            first: true,
            done: false,
            depth: outer.depth + 1,
        };
        // `read` drains the object, unless a syntax error (`failed`) or a type error (which
        // `read` returns, and which stops the caller's fill too) stops it.
        let out = read(RawJson::from_validated(self.s.rest_from(start)), self);
        self.at = outer;
        (
            out,
            RawJson::from_validated(self.s.slice(start, self.s.pos())),
        )
    }
}

/// Reads the payload object at the scanner (at its `{`, inside the frame's array) with
/// `fill`, which gets a [`Scanning`] cursor just inside it and the text from the object's
/// start on (its end is not known yet), while the cursor validates it; `index` is left without
/// members (the frame's member access walks the payload) and with the payload's plainness.
///
/// `Ok(true)`: read whole. `Ok(false)`: given up (a syntax error, or a depth limit below the
/// payload's members). `Err`: the type error `fill` met while all the text read so far was
/// valid: once the rest of the frame is found valid, it is the two-pass path's answer too (that
/// path meets the same members in the same order). After `Ok(false)` or `Err` the scanner and
/// `index` are in an unspecified state: the caller reads the payload again from its start the
/// plain way.
#[inline(always)]
#[allow(clippy::inline_always)] // one caller per view kind
pub(crate) fn scan_payload<'a>(
    s: &mut Scanner<'a>,
    index: &mut MemberIndex,
    fill: impl FnOnce(&mut Scanning<'_, 'a>, &'a str) -> Result<(), MessageError>,
) -> Result<bool, MessageError> {
    if MEMBER_DEPTH > s.max_depth() {
        return Ok(false);
    }
    let rest = s.rest_from(s.pos());
    s.saw_escape = false;
    let mut cur = Scanning::new(s);
    let filled = fill(&mut cur, rest);
    if cur.failed {
        return Ok(false);
    }
    filled?;
    if !cur.at.done {
        return Ok(false);
    }
    // No member index: the view holds the spans it reads; the frame's generic member
    // access (`payload_members`, `payload_get`) walks the payload.
    *index = MemberIndex::unavailable();
    index.set_plain(!s.saw_escape);
    Ok(true)
}

/// [`scan_payload`] into `view` as the view `T`, which must be empty (`T::empty(_, true)`)
/// and is filled in place (a large view is not copied).
#[inline(always)]
#[allow(clippy::inline_always)] // one caller per view kind
pub(crate) fn fill_into<'a, T: TypedObject<'a>>(
    s: &mut Scanner<'a>,
    index: &mut MemberIndex,
    view: &mut T,
) -> Result<bool, MessageError> {
    let start = s.pos();
    // The object's end is not known yet: the view reads the text from its start on, and its
    // spans are relative to that start, which does not move.
    let filled = scan_payload(s, index, |cur, rest| {
        view.set_object(RawJson::from_validated(rest));
        view.fill_from(cur, rest)
    })?;
    if filled {
        view.set_object(RawJson::from_validated(s.slice(start, s.pos())));
        if s.saw_escape {
            view.set_plain(false);
        }
    }
    Ok(filled)
}
