//! The machinery every typed view shares: the field checks, [`Span`]s into the payload, and
//! the `typed_object!` macro that declares a view (struct, one-pass constructor, accessors).

use crate::frame::{Frame, Payload};
use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::walk::{Cursor, Key, Listed, Walk};
use crate::raw::{ArrayItems, JsonKind, Members, RawJson, parse_i64};
use crate::string::JsonStr;

// ---------------------------------------------------------------------------------------------
// Field checking.

/// Longest escaped key that is unescaped to be recognised (every known key is shorter).
pub(crate) const KEY_BUF: usize = 32;

/// Whether `raw` holds no backslash, so none of its strings has escapes: one scan of the
/// payload instead of one per string read.
#[inline]
pub(crate) fn is_plain(raw: RawJson<'_>) -> bool {
    // Bare metal: the plain search for a backslash (smaller code; `.ci/embedded-size`).
    #[cfg(target_os = "none")]
    return crate::escape::find_backslash(raw.as_bytes()).is_none();
    // Word at a time, without early exit: payloads rarely hold a backslash, and a branch-free
    // loop beats `memchr`'s set-up on the few hundred bytes a payload has.
    #[cfg(not(target_os = "none"))]
    {
        const ONES: u64 = u64::from_ne_bytes([1; 8]);
        const HIGHS: u64 = ONES << 7;
        const BACKSLASHES: u64 = 0x5c5c_5c5c_5c5c_5c5c;
        let bytes = raw.as_bytes();
        let mut chunks = bytes.chunks_exact(8);
        let mut found = 0;
        for chunk in &mut chunks {
            let word: [u8; 8] = chunk.try_into().unwrap_or_default();
            let x = u64::from_ne_bytes(word) ^ BACKSLASHES;
            found |= x.wrapping_sub(ONES) & !x & HIGHS;
        }
        found == 0 && !chunks.remainder().contains(&b'\\')
    }
}

/// Byte offset of `value` inside `base` (both borrow the same payload text).
pub(crate) fn offset_in(base: &str, value: RawJson<'_>) -> usize {
    (value.as_str().as_ptr() as usize).saturating_sub(base.as_ptr() as usize)
}

#[cold]
pub(crate) fn wrong_type(
    field: &'static str,
    expected: JsonKind,
    value: RawJson<'_>,
    base: &str,
) -> MessageError {
    MessageError {
        kind: MessageErrorKind::WrongType {
            field,
            expected,
            found: value.kind(),
        },
        offset: offset_in(base, value),
    }
}

/// A string (kept raw, unescaped on access) or null.
#[inline]
pub(crate) fn check_str<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &str,
) -> Result<Option<RawJson<'a>>, MessageError> {
    match v.as_bytes().first() {
        Some(b'"') => Ok(Some(v)),
        Some(b'n') => Ok(None),
        _ => Err(wrong_type(field, JsonKind::String, v, base)),
    }
}

/// A value of JSON type `kind` (object or array), or null.
#[inline]
pub(crate) fn check_kind<'a>(
    v: RawJson<'a>,
    kind: JsonKind,
    field: &'static str,
    base: &str,
) -> Result<Option<RawJson<'a>>, MessageError> {
    match v.kind() {
        JsonKind::Null => Ok(None),
        k if k == kind => Ok(Some(v)),
        _ => Err(wrong_type(field, kind, v, base)),
    }
}

/// An integer in `i64` range (a number that is not one is `NotAnInteger`).
#[inline]
fn check_number(v: RawJson<'_>, field: &'static str, base: &str) -> Result<(), MessageError> {
    match parse_i64(v.as_bytes()) {
        Some(_) => Ok(()),
        None => Err(MessageError {
            kind: MessageErrorKind::NotAnInteger { field },
            offset: offset_in(base, v),
        }),
    }
}

pub(crate) fn check_id_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    match v.as_bytes().first() {
        Some(b'"') => Ok(()),
        Some(b'-' | b'0'..=b'9') => check_number(v, field, base),
        _ => Err(wrong_type(field, JsonKind::Number, v, base)),
    }
}

pub(crate) fn check_int_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    match v.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => check_number(v, field, base),
        _ => Err(wrong_type(field, JsonKind::Number, v, base)),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading one member value from a cursor: the value's first byte says its type, so each kind
// of field takes exactly what it needs (a string to its closing quote, a number to its end)
// and only a mistyped value is measured whole, for the error. Inlined into each view's `fill`
// (measured faster, callgrind); bare-metal builds are held to a code-size budget
// (`.ci/embedded-size`), so there each is one function per cursor type.

/// What the readers share while one object is filled: the object's and the payload's text,
/// the names of the view's fields (for errors) and the first error met.
pub(crate) struct Fill<'a, 'o> {
    /// The object's text (spans are relative to it).
    pub(crate) obj: &'o str,
    /// The payload's text (error offsets are relative to it).
    pub(crate) base: &'a str,
    /// The payload has no backslash.
    pub(crate) plain: bool,
    /// Each field's path, in declaration order.
    pub(crate) names: &'static [&'static str],
    /// The error that stopped the fill.
    pub(crate) error: Option<MessageError>,
}

impl Fill<'_, '_> {
    /// Records that field `field` has a value of the wrong type; `false`, for the reader to
    /// return.
    #[cold]
    #[inline(never)]
    fn wrong(&mut self, field: usize, expected: JsonKind, value: RawJson<'_>) -> bool {
        let name = self.names.get(field).copied().unwrap_or_default();
        self.error = Some(wrong_type(name, expected, value, self.base));
        false
    }

    /// Records the error `error`; `false`.
    #[cold]
    #[inline(never)]
    pub(crate) fn fail(&mut self, error: MessageError) -> bool {
        self.error = Some(error);
        false
    }

    /// Whether `v` is an integer in `i64` range (otherwise records `NotAnInteger`).
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[allow(clippy::inline_always)]
    fn integer(&mut self, field: usize, v: &[u8]) -> bool {
        if parse_i64(v).is_some() {
            return true;
        }
        let name = self.names.get(field).copied().unwrap_or_default();
        let offset = (v.as_ptr() as usize).saturating_sub(self.base.as_ptr() as usize);
        self.fail(MessageError {
            kind: MessageErrorKind::NotAnInteger { field: name },
            offset,
        })
    }

    /// Whether `v` is an id (a string, or an integer in `i64` range; otherwise records the
    /// error `check_id_item` returns).
    #[cfg(any(target_os = "none", test))]
    fn id(&mut self, field: usize, v: RawJson<'_>) -> bool {
        match v.as_bytes().first() {
            Some(b'"') => true,
            Some(b'-' | b'0'..=b'9') => self.integer(field, v.as_bytes()),
            _ => self.wrong(field, JsonKind::Number, v),
        }
    }

    /// The outcome of the fill.
    #[inline]
    pub(crate) fn finish(self) -> Result<(), MessageError> {
        match self.error {
            None => Ok(()),
            Some(error) => Err(error),
        }
    }
}

/// A string field: the span of its body into `out`, absent for null; `false` (the error
/// recorded) when mistyped.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_str<'a, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Span,
) -> bool {
    match cur.peek() {
        b'"' => *out = Span::of(fill.obj, cur.string_body()),
        b'n' => {
            cur.skip();
            *out = Span::ABSENT;
        }
        _ => return fill.wrong(field, JsonKind::String, cur.value()),
    }
    true
}

/// An integer field (in `i64` range): the span of its text, absent for null.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_int<'a, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Span,
) -> bool {
    match cur.peek() {
        b'-' | b'0'..=b'9' => {
            let v = cur.scalar();
            if !fill.integer(field, v) {
                return false;
            }
            *out = Span::of(fill.obj, v);
        }
        b'n' => {
            cur.skip();
            *out = Span::ABSENT;
        }
        _ => return fill.wrong(field, JsonKind::Number, cur.value()),
    }
    true
}

/// A boolean field; `None` for null.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_bool<'a, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Option<bool>,
) -> bool {
    *out = match cur.peek() {
        b't' => Some(true),
        b'f' => Some(false),
        b'n' => None,
        _ => return fill.wrong(field, JsonKind::Bool, cur.value()),
    };
    cur.skip();
    true
}

/// An object field, kept raw: the span of the whole value, absent for null.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_object<'a, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Span,
) -> bool {
    match cur.peek() {
        b'{' => *out = Span::of(fill.obj, cur.value().as_bytes()),
        b'n' => {
            cur.skip();
            *out = Span::ABSENT;
        }
        _ => return fill.wrong(field, JsonKind::Object, cur.value()),
    }
    true
}

/// An id field (an integer or a string): the span of the whole value, absent for null.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_id<'a, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Span,
) -> bool {
    if cur.peek() == b'n' {
        cur.skip();
        *out = Span::ABSENT;
        return true;
    }
    let v = cur.value();
    // Bare metal: checked in place, the error recorded in `fill` (not returned up two calls:
    // the deepest stack chain, `.ci/embedded-size`); the same checks and errors as
    // `check_id_item` (the tests compare them).
    #[cfg(target_os = "none")]
    if !fill.id(field, v) {
        return false;
    }
    #[cfg(not(target_os = "none"))]
    {
        let name = fill.names.get(field).copied().unwrap_or_default();
        if let Err(error) = check_id_item(v, name, fill.base) {
            return fill.fail(error);
        }
    }
    *out = Span::of(fill.obj, v.as_bytes());
    true
}

/// An array field whose items all pass `item` (which names them `item_field`): the span of
/// the whole value, absent for null.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_list<'a, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Span,
    item_field: &'static str,
    item: fn(RawJson<'a>, &'static str, &'a str) -> Result<(), MessageError>,
) -> bool {
    match cur.peek() {
        b'[' => {
            let v = cur.value();
            // Bare metal steps through the items with the views' own cursor (`Walk`), so the
            // raw items' walker is not linked for this (`.ci/embedded-size`); the same items.
            #[cfg(target_os = "none")]
            {
                let mut items = Walk::inside(v);
                while items.next_item() {
                    if let Err(error) = item(items.value(), item_field, fill.base) {
                        return fill.fail(error);
                    }
                }
            }
            #[cfg(not(target_os = "none"))]
            if let Some(items) = v.items() {
                for value in items {
                    if let Err(error) = item(value, item_field, fill.base) {
                        return fill.fail(error);
                    }
                }
            }
            *out = Span::of(fill.obj, v.as_bytes());
        }
        b'n' => {
            cur.skip();
            *out = Span::ABSENT;
        }
        _ => return fill.wrong(field, JsonKind::Array, cur.value()),
    }
    true
}

/// A nested typed object; `None` for null.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
pub(crate) fn read_nested<'a, T: TypedObject<'a>, C: Cursor<'a>>(
    cur: &mut C,
    fill: &mut Fill<'a, '_>,
    field: usize,
    out: &mut Option<T>,
) -> bool {
    match cur.peek() {
        b'{' => {
            // Filled where it is kept (a view is up to a few hundred bytes: not built on the
            // stack, then copied). After an error the caller's fill fails and throws it away.
            let view = out.insert(T::empty(RawJson::from_validated("{}"), fill.plain));
            let (read, raw) = cur.object(|raw, walk| {
                view.set_object(raw);
                view.fill_from(walk, fill.base)
            });
            if let Err(error) = read {
                return fill.fail(error);
            }
            view.set_object(raw);
        }
        b'n' => {
            cur.skip();
            *out = None;
        }
        _ => return fill.wrong(field, JsonKind::Object, cur.value()),
    }
    true
}

/// The object at the cursor (`cur.peek() == b'{'`) read as the view `T`, in one pass;
/// `base` is the payload text (for error offsets), `plain` says it has no backslash. The
/// presence tests' reference reader (nested views are filled in place by [`read_nested`]).
#[cfg(test)]
pub(crate) fn object_at<'a, T: TypedObject<'a>, C: Cursor<'a>>(
    cur: &mut C,
    base: &'a str,
    plain: bool,
) -> Result<T, MessageError> {
    let (read, raw) = cur.object(|raw, walk| {
        let mut view = T::empty(raw, plain);
        view.fill_from(walk, base).map(|()| view)
    });
    let mut view = read?;
    view.set_object(raw);
    Ok(view)
}

/// The payload as a JSON object, or the error saying why it is not one.
#[inline]
pub(crate) fn payload_object<'a>(frame: &Frame<'a>) -> Result<RawJson<'a>, MessageError> {
    match frame.payload() {
        Payload::Json(raw) if raw.kind() == JsonKind::Object => Ok(raw),
        Payload::Json(raw) => Err(MessageError {
            kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
            offset: 0,
        }),
        Payload::Binary(_) | Payload::BinaryReply { .. } => Err(MessageError {
            kind: MessageErrorKind::BinaryPayload,
            offset: 0,
        }),
    }
}

/// Where a member's value sits in its object's text, as 32-bit offsets (a typed struct stays
/// small: it is returned by value). `end == 0` means absent or null: no value of an object
/// starts at offset 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    pub(crate) const ABSENT: Self = Self { start: 0, end: 0 };

    /// The span of `value`, a slice of `object`.
    #[inline]
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn of(object: &str, value: &[u8]) -> Self {
        let start = (value.as_ptr() as usize).wrapping_sub(object.as_ptr() as usize);
        // Objects are checked to be under 4 GiB ([`check_len`]) before any span of theirs is
        // taken, so these fit; were one not to, `get` would find no text there, or other text
        // of the object: never a panic.
        Self {
            start: start as u32,
            end: start.wrapping_add(value.len()) as u32,
        }
    }

    /// Whether a value was there.
    #[inline]
    pub(crate) fn is_present(self) -> bool {
        self.end != 0
    }

    /// The text at this span of `object`.
    // Bare metal: inlined into the accessors, it leaves no `&str` to spill (`.ci/embedded-size`).
    #[cfg_attr(not(target_os = "none"), inline)]
    #[cfg_attr(target_os = "none", inline(always))]
    #[allow(clippy::inline_always)]
    pub(crate) fn get(self, object: &str) -> Option<&str> {
        if self.end == 0 {
            return None;
        }
        // The same checks as `object.get(start..end)` (in bounds, `start <= end`, both on
        // character boundaries) as two splits: inlined into each accessor, `get` left a
        // longer check there (callgrind: shout_server `typed` -435 instructions, shout -34);
        // bare metal keeps `get`, 88 bytes smaller over the shout's accessors.
        #[cfg(not(target_os = "none"))]
        {
            let (head, _) = object.split_at_checked(self.end as usize)?;
            head.split_at_checked(self.start as usize)
                .map(|(_, body)| body)
        }
        #[cfg(target_os = "none")]
        object.get(self.start as usize..self.end as usize)
    }
}

/// Refuses objects too long for 32-bit spans.
#[inline]
pub(crate) fn check_len(object: RawJson<'_>, base: &str) -> Result<(), MessageError> {
    if u32::try_from(object.as_str().len()).is_ok() {
        Ok(())
    } else {
        Err(MessageError {
            kind: MessageErrorKind::TooLarge,
            offset: offset_in(base, object),
        })
    }
}

/// A string body as a [`JsonStr`]; `plain` (no backslash in the payload) skips the search
/// for escapes.
// Bare metal: inlined into the accessors, the `JsonStr` is built where the caller keeps it,
// not returned through a stack slot and copied (`_start`'s frame: 1,056 -> 1,024 bytes;
// `.ci/embedded-size`).
#[cfg_attr(not(target_os = "none"), inline)]
#[cfg_attr(target_os = "none", inline(always))]
#[allow(clippy::inline_always)]
pub(crate) fn body_str(body: &str, plain: bool) -> JsonStr<'_> {
    if plain {
        JsonStr::literal(body)
    } else {
        crate::raw::string_from_body(body)
    }
}

/// What `typed_object!` implements for each view; the constructors every view shares are
/// written once here.
pub(crate) trait TypedObject<'a>: Sized {
    /// The view with every field absent.
    fn empty(raw: RawJson<'a>, plain: bool) -> Self;

    /// The object the view reads.
    fn object(&self) -> RawJson<'a>;

    /// Sets the object the view reads, once its end is known (the spans are relative to its
    /// start, which does not move).
    fn set_object(&mut self, raw: RawJson<'a>);

    /// Sets whether the payload has no backslash, in this view and the views nested in it
    /// (a one-pass fill knows it only at the payload's end).
    fn set_plain(&mut self, plain: bool);

    /// Fills the fields from the members `cur` reads (it stands just inside the object and is
    /// left just past it), in place (a large view is built where it will be returned, not
    /// copied there); `base` is the payload text (for error offsets).
    fn fill_from<C: Cursor<'a>>(&mut self, cur: &mut C, base: &'a str) -> Result<(), MessageError>;

    /// [`fill_from`](Self::fill_from) over a frame's payload members (spans known).
    #[inline]
    fn fill(&mut self, members: Members<'_, 'a>, base: &'a str) -> Result<(), MessageError> {
        self.fill_from(&mut Listed::new(members), base)
    }

    /// Reads the object `raw` in one pass; `base` is the payload text (for error offsets),
    /// `plain` says it has no backslash at all. The object is walked in place: `members`
    /// only says it is one.
    #[inline]
    fn from_object(
        raw: RawJson<'a>,
        members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
        base: &'a str,
        plain: bool,
    ) -> Result<Self, MessageError> {
        drop(members);
        Self::from_walk(raw, base, plain)
    }

    /// Reads the object `raw` (which must be one) in one pass, walking it in place.
    #[inline]
    fn from_walk(raw: RawJson<'a>, base: &'a str, plain: bool) -> Result<Self, MessageError> {
        let mut out = Self::empty(raw, plain);
        out.fill_from(&mut Walk::inside(raw), base)?;
        Ok(out)
    }

    /// Reads a nested value: an object, or null (`None`); anything else is a wrong-type error
    /// naming `field`.
    fn from_value(
        value: RawJson<'a>,
        field: &'static str,
        base: &'a str,
        plain: bool,
    ) -> Result<Option<Self>, MessageError> {
        match value.as_bytes().first() {
            Some(b'{') => Self::from_walk(value, base, plain).map(Some),
            Some(b'n') => Ok(None),
            _ => Err(wrong_type(field, JsonKind::Object, value, base)),
        }
    }

    /// Reads a frame's payload, which must be a JSON object.
    #[inline]
    fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        let raw = payload_object(frame)?;
        let plain = frame.payload_plain().unwrap_or_else(|| is_plain(raw));
        match frame.payload_members() {
            // Bare metal walks the payload in place, as `parse` and nested objects do: one
            // cursor type, so each view's fill and readers are linked once (and its decoder
            // records no index: `text::Unindexed`; `.ci/embedded-size`). The member index
            // saves the walk's key and value scans elsewhere.
            #[cfg(target_os = "none")]
            Some(_) => Self::from_walk(raw, raw.as_str(), plain),
            #[cfg(not(target_os = "none"))]
            Some(members) => {
                let mut out = Self::empty(raw, plain);
                out.fill(members, raw.as_str())?;
                Ok(out)
            }
            None => Err(MessageError {
                kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
                offset: 0,
            }),
        }
    }

    /// The items of the array at `span`.
    #[inline]
    fn list(&self, span: Span) -> Option<ArrayItems<'a>> {
        span.get(self.object().as_str())
            .and_then(|text| RawJson::from_validated(text).items())
    }
}

// ---------------------------------------------------------------------------------------------
// Key lookup: each view's keys in a perfect hash table built at compile time, so a member's
// key is found with one hash of its raw bytes and one comparison, whatever the view's size.

/// A key's length and two little-endian words that together hold every byte of a key of up
/// to 16 bytes (longer keys are also compared whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyId {
    len: usize,
    head: u64,
    tail: u64,
}

impl KeyId {
    /// The id of `key`'s bytes.
    #[allow(clippy::inline_always)] // a few loads; part of every member read
    #[inline(always)]
    pub(crate) const fn of(key: &[u8]) -> Self {
        let (head, tail) = if let (Some(head), Some(tail)) =
            (key.first_chunk::<8>(), key.last_chunk::<8>())
        {
            (u64::from_le_bytes(*head), u64::from_le_bytes(*tail))
        } else if let (Some(head), Some(tail)) = (key.first_chunk::<4>(), key.last_chunk::<4>()) {
            (
                u32::from_le_bytes(*head) as u64,
                u32::from_le_bytes(*tail) as u64,
            )
        } else {
            match *key {
                [a, b, c] => (a as u64 | (b as u64) << 8 | (c as u64) << 16, 0),
                [a, b] => (a as u64 | (b as u64) << 8, 0),
                [a] => (a as u64, 0),
                _ => (0, 0),
            }
        };
        Self {
            len: key.len(),
            head,
            tail,
        }
    }

    /// The slot of this key in a table of `64 >> shift` slots.
    #[allow(clippy::cast_possible_truncation)] // the result is below 2^(64 - shift)
    #[inline(always)]
    #[allow(clippy::inline_always)]
    const fn slot(&self, seed: u64, shift: u32) -> usize {
        ((self.head ^ self.tail.rotate_left(29) ^ self.len as u64).wrapping_mul(seed) >> shift)
            as usize
    }
}

/// Slots of a key table for `n` keys: a power of two at least twice `n`.
pub(crate) const fn key_slots(n: usize) -> usize {
    let slots = (2 * n).next_power_of_two();
    if slots < 4 { 4 } else { slots }
}

/// The keys of a view, `N` of them in `S` slots ([`key_slots`]), found by a perfect hash.
pub(crate) struct KeyTable<const N: usize, const S: usize> {
    keys: [&'static str; N],
    ids: [KeyId; N],
    /// Index into `keys` for each slot, `u8::MAX` when empty.
    slots: [u8; S],
    seed: u64,
    /// Bare metal's table: index into `keys` for each slot of [`byte_hash`] with `byte_seed`.
    #[cfg(any(target_os = "none", test))]
    byte_slots: [u8; S],
    #[cfg(any(target_os = "none", test))]
    byte_seed: u32,
}

/// Bare metal's key hash: every byte of `key` folded into 32 bits from `seed` (FNV-1a's step),
/// so a table of keys needs no 64-bit arithmetic (a thumbv7em core has none) and keys that
/// differ anywhere hash apart; the slot is the top bits. A found key is compared whole.
#[cfg(any(target_os = "none", test))]
#[inline]
const fn byte_hash(key: &[u8], seed: u32) -> u32 {
    let mut hash = seed;
    let mut i = 0;
    while i < key.len() {
        hash = (hash ^ key[i] as u32).wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// The seed of [`byte_hash`] that gives each of `keys` a slot of its own among `S`, and that
/// slot table (fails the build when none is found: duplicate keys).
#[cfg(any(target_os = "none", test))]
#[allow(clippy::cast_possible_truncation)] // indices below `N < 255`
#[allow(clippy::indexing_slicing)] // indices below `N` and `S` by construction
const fn byte_slots<const S: usize>(keys: &[&'static str]) -> ([u8; S], u32) {
    let shift = 32 - S.trailing_zeros();
    let mut seed: u32 = 0x811C_9DC5;
    let mut tries = 0;
    loop {
        let mut slots = [u8::MAX; S];
        let mut i = 0;
        while i < keys.len() {
            let slot = (byte_hash(keys[i].as_bytes(), seed) >> shift) as usize;
            if slots[slot] != u8::MAX {
                break;
            }
            slots[slot] = i as u8;
            i += 1;
        }
        if i == keys.len() {
            return (slots, seed);
        }
        seed = seed.wrapping_mul(0x2C1B_3C6D).wrapping_add(0x297A_2D39);
        tries += 1;
        assert!(tries < 100_000, "no hash seed separates these keys");
    }
}

impl<const N: usize, const S: usize> KeyTable<N, S> {
    /// The table of `keys` (evaluated at compile time, where it fails the build if no hash
    /// seed separates the keys: duplicates, or keys over 16 bytes with the same length and
    /// the same first and last 8 bytes).
    #[allow(clippy::cast_possible_truncation)] // `N` is checked to fit in a `u8`
    #[allow(clippy::indexing_slicing)] // indices below `N` and `S` by construction
    pub(crate) const fn new(keys: &[&'static str]) -> Self {
        assert!(keys.len() == N && N < u8::MAX as usize && S.is_power_of_two() && S >= N);
        let mut all = [""; N];
        let mut ids = [KeyId {
            len: 0,
            head: 0,
            tail: 0,
        }; N];
        let mut i = 0;
        while i < N {
            all[i] = keys[i];
            ids[i] = KeyId::of(keys[i].as_bytes());
            i += 1;
        }
        let shift = 64 - S.trailing_zeros();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut tries = 0;
        loop {
            let mut slots = [u8::MAX; S];
            let mut i = 0;
            while i < N {
                let slot = ids[i].slot(seed, shift);
                if slots[slot] != u8::MAX {
                    break;
                }
                slots[slot] = i as u8;
                i += 1;
            }
            if i == N {
                // Bare metal unescapes keys to ASCII only (`unescape_key_ascii`).
                #[cfg(any(target_os = "none", test))]
                let (byte_slots, byte_seed) = {
                    let mut k = 0;
                    while k < N {
                        assert!(keys[k].is_ascii(), "a key that is not ASCII");
                        k += 1;
                    }
                    byte_slots::<S>(keys)
                };
                return Self {
                    keys: all,
                    ids,
                    slots,
                    seed,
                    #[cfg(any(target_os = "none", test))]
                    byte_slots,
                    #[cfg(any(target_os = "none", test))]
                    byte_seed,
                };
            }
            seed = seed
                .wrapping_mul(0x5851_F42D_4C95_7F2D)
                .wrapping_add(0x1405_7B7E_F767_814F)
                | 1;
            tries += 1;
            assert!(tries < 10_000, "no hash seed separates these keys");
        }
    }

    /// The index (in declaration order) of the key whose bytes are `key`.
    #[cfg_attr(target_os = "none", allow(dead_code))] // bare metal: `find_key_shared`
    #[inline(always)]
    #[allow(clippy::inline_always)] // a hash and a comparison; part of every member read
    pub(crate) fn find(&self, key: &[u8]) -> Option<usize> {
        let id = KeyId::of(key);
        let index = usize::from(
            *self
                .slots
                .get(id.slot(self.seed, 64 - S.trailing_zeros()))?,
        );
        let known = self.ids.get(index)?;
        let same = *known == id
            && (id.len <= 16 || self.keys.get(index).is_some_and(|k| k.as_bytes() == key));
        same.then_some(index)
    }
}

/// The index in `table` of `key` (unescaped first when it has escapes; keys too long to be a
/// known one are unknown).
#[cfg_attr(target_os = "none", allow(dead_code))] // bare metal: `find_key_shared`
#[inline(always)]
#[allow(clippy::inline_always)] // a hash and a comparison; part of every member read
pub(crate) fn find_key<const N: usize, const S: usize>(
    table: &KeyTable<N, S>,
    key: Key<'_>,
) -> Option<usize> {
    if key.escaped {
        let mut buf = [0u8; KEY_BUF];
        table.find(unescape_key(key.bytes, &mut buf)?)
    } else {
        table.find(key.bytes)
    }
}

/// Bare metal's step to the next member a view knows: reads keys from `cur`, skipping the
/// values of unknown ones, until one is in `table` (its index) or the object ends (`None`).
/// One function for every view (`.ci/embedded-size`); elsewhere each view's loop does this
/// inline (`typed_object!`'s `fill_from`).
#[cfg(any(target_os = "none", test))]
#[inline(never)]
pub(crate) fn next_known<'a, C: Cursor<'a>>(cur: &mut C, table: &KeyTableRef<'_>) -> Option<usize> {
    loop {
        let key = cur.next_key()?;
        if let Some(index) = find_key_shared(table, key.bytes, key.escaped) {
            return Some(index);
        }
        cur.skip();
    }
}

/// A [`KeyTable`] of any size, for the one key lookup bare metal links for every view.
#[cfg(any(target_os = "none", test))]
pub(crate) struct KeyTableRef<'t> {
    keys: &'t [&'static str],
    /// [`KeyTable`]'s `byte_slots`.
    slots: &'t [u8],
    seed: u32,
    shift: u32,
}

#[cfg(any(target_os = "none", test))]
impl<const N: usize, const S: usize> KeyTable<N, S> {
    /// The table as slices (a `static` of each view's, on bare metal).
    #[inline]
    pub(crate) const fn as_ref(&self) -> KeyTableRef<'_> {
        KeyTableRef {
            keys: &self.keys,
            slots: &self.byte_slots,
            seed: self.byte_seed,
            shift: 32 - S.trailing_zeros(),
        }
    }
}

/// [`find_key`] on bare metal, over a view's `static` table: one function for every view
/// (inlined per view, the hash and the escaped-key path cost a few hundred bytes each;
/// `.ci/embedded-size`), hashing with 32-bit arithmetic ([`byte_hash`]) and comparing the key
/// found whole; escaped keys are unescaped to ASCII ([`unescape_key_ascii`]: every known key
/// is ASCII). The same answers as [`find_key`] (the tests compare them).
#[cfg(any(target_os = "none", test))]
#[inline(never)]
pub(crate) fn find_key_shared(
    table: &KeyTableRef<'_>,
    bytes: &[u8],
    escaped: bool,
) -> Option<usize> {
    if escaped {
        return find_escaped_key(table, bytes);
    }
    table.find(bytes)
}

/// [`find_key_shared`] for an escaped key: unescaped into a buffer of this (rare) call's
/// frame, not of every lookup's, then looked up.
#[cfg(any(target_os = "none", test))]
#[cold]
#[inline(never)]
fn find_escaped_key(table: &KeyTableRef<'_>, bytes: &[u8]) -> Option<usize> {
    let mut buf = [0u8; KEY_BUF];
    table.find(unescape_key_ascii(bytes, &mut buf)?)
}

#[cfg(any(target_os = "none", test))]
impl KeyTableRef<'_> {
    /// The index of the key whose (unescaped) bytes are `key`.
    #[inline]
    fn find(&self, key: &[u8]) -> Option<usize> {
        let slot = byte_hash(key, self.seed) >> self.shift;
        let index = usize::from(*self.slots.get(slot as usize)?);
        (self.keys.get(index)?.as_bytes() == key).then_some(index)
    }
}

/// An escaped key's text unescaped into `buf`, when it is ASCII and fits (otherwise no known
/// key: `None`): the escapes JSON has, `\uXXXX` for code points below 128. Bytes only, no
/// UTF-8 decoding (validated text; a byte of a multi-byte character is copied and never
/// matches an ASCII key).
#[cfg(any(target_os = "none", test))]
#[inline]
fn unescape_key_ascii<'b>(bytes: &[u8], buf: &'b mut [u8; KEY_BUF]) -> Option<&'b [u8]> {
    let mut len = 0;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        let out = if byte == b'\\' {
            let escape = *bytes.get(at)?;
            at += 1;
            match escape {
                b'u' => {
                    let digits = *bytes.get(at..)?.first_chunk::<4>()?;
                    at += 4;
                    u8::try_from(crate::escape::hex4_digits(digits)?)
                        .ok()
                        .filter(u8::is_ascii)?
                }
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                // `"`, `\\`, `/`: themselves (validated text has no other escape).
                other => other,
            }
        } else {
            byte
        };
        *buf.get_mut(len)? = out;
        len += 1;
    }
    buf.get(..len)
}

/// An escaped key's text (its raw bytes: passed in two registers, not spilled as a `Key` on
/// every member's path), unescaped into `buf`; `None` when too long to be a known key.
#[cfg_attr(target_os = "none", allow(dead_code))] // bare metal: `unescape_key_ascii`
#[cold]
#[inline(never)]
fn unescape_key<'b>(bytes: &[u8], buf: &'b mut [u8; KEY_BUF]) -> Option<&'b [u8]> {
    let key = Key {
        bytes,
        escaped: true,
    };
    Some(key.as_json_str()?.unescape_into(buf).ok()?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_reads_what_str_get_reads_for_every_start_and_end() {
        // Every span over text with characters of one to four bytes, past its end too, and
        // start after end: the text `str::get` gives, or nothing (never a panic).
        let object = "{\"a\":\"é日🚚\",\"b\":1}";
        let len = u32::try_from(object.len()).unwrap();
        for start in 0..len + 3 {
            for end in 1..len + 3 {
                let span = Span { start, end };
                assert_eq!(
                    span.get(object),
                    object.get(start as usize..end as usize),
                    "{start}..{end}"
                );
            }
        }
        assert_eq!(Span::ABSENT.get(object), None);
    }

    /// Keys of every length from 0 to 40 that differ from each other in one byte at a time
    /// (first, middle, last), and the names of every view's fields.
    const KEYS: &[&str] = &[
        "",
        "a",
        "b",
        "ab",
        "ba",
        "abc",
        "abd",
        "xbc",
        "abcd",
        "abce",
        "phx_ref",
        "phx_reg",
        "qhx_ref",
        "phx_ref_prev",
        "phx_ref_pre",
        "online_at",
        "user_id",
        "customer_id",
        "customer",
        "sent_at",
        "seen_at",
        "profile_photo_url",
        "profile_photo_urm",
        "mentioned_user_ids",
        "mentioned_user_idz",
        "mentioned_usar_ids",
        "abcdefghijklmnop",
        "abcdefghijklmnoq",
        "bbcdefghijklmnop",
        "abcdefghijklmnopqrstuvwxyz0123456789abcd",
        "abcdefghijklmnopqrstuvwxyz0123456789abce",
        "abcdefghijklmnopqrstuvwxyZ0123456789abcd",
    ];

    /// The table's answer for every key, against a linear search.
    fn agrees_with_a_search<const N: usize, const S: usize>(
        table: &KeyTable<N, S>,
        known: &[&str],
    ) {
        for key in KEYS.iter().chain(known) {
            let expected = known.iter().position(|k| k == key);
            assert_eq!(table.find(key.as_bytes()), expected, "{key:?}");
            let plain = Key {
                bytes: key.as_bytes(),
                escaped: false,
            };
            assert_eq!(find_key(table, plain), expected, "{key:?}");
            let shared = find_key_shared(&table.as_ref(), key.as_bytes(), false);
            assert_eq!(shared, expected, "{key:?}");
        }
    }

    #[test]
    fn key_tables_find_exactly_their_keys() {
        // Keys over 16 bytes with the same length, first and last 8 bytes cannot share a table
        // (the build fails); the last key is one, so it is looked up, not stored.
        const STORED: &[&str] = KEYS.split_last().unwrap().1;
        const ALL: KeyTable<31, 128> = KeyTable::new(STORED);
        const SOME: &[&str] = &[
            "phx_ref",
            "phx_ref_prev",
            "online_at",
            "user_id",
            "customer_id",
        ];
        const META: KeyTable<5, 16> = KeyTable::new(SOME);
        const ONE: &[&str] = &["customer_id"];
        const JOIN: KeyTable<1, 4> = KeyTable::new(ONE);
        agrees_with_a_search(&ALL, STORED);
        agrees_with_a_search(&META, SOME);
        agrees_with_a_search(&JOIN, ONE);
        // Escaped keys are unescaped first; ones too long to be known are unknown.
        let escaped = |bytes: &'static str| Key {
            bytes: bytes.as_bytes(),
            escaped: true,
        };
        assert_eq!(find_key(&META, escaped(r"user\u005fid")), Some(3));
        let shared = |bytes: &str| find_key_shared(&META.as_ref(), bytes.as_bytes(), true);
        assert_eq!(shared(r"user\u005fid"), Some(3));
        assert_eq!(shared(r"phx_ref\u005fprev"), Some(1));
        assert_eq!(shared(r#"user\"id"#), None);
        assert_eq!(find_key(&META, escaped(r"phx_ref\u005fprev")), Some(1));
        assert_eq!(find_key(&META, escaped(r#"user\"id"#)), None);
        assert_eq!(
            find_key(
                &META,
                escaped(r"\u0075\u0073\u0065\u0072\u005f\u0069\u0064 ")
            ),
            None
        );
        // Longer than any known key once unescaped: unknown without being unescaped whole.
        assert_eq!(
            find_key(
                &META,
                escaped(
                    r"\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061\u0061"
                )
            ),
            None
        );
    }

    /// Bare metal's escaped-key lookup (`unescape_key_ascii`, then the byte hash) against
    /// `find_key` (unescaped as a `JsonStr`, then the 64-bit ids): every key of every table
    /// with each of its bytes escaped in each way JSON allows, one at a time and all at once,
    /// and keys that unescape to something no table holds (non-ASCII, too long).
    #[test]
    fn escaped_keys_are_found_on_bare_metal_as_elsewhere() {
        use core::fmt::Write as _;
        const STORED: &[&str] = KEYS.split_last().unwrap().1;
        const ALL: KeyTable<31, 128> = KeyTable::new(STORED);
        const SPECIAL_KEYS: &[&str] = &["a/b", "q\"t", "b\\s", "t\tn\nr\rf\u{c}b\u{8}", "\u{0}z"];
        const SPECIAL: KeyTable<5, 16> = KeyTable::new(SPECIAL_KEYS);
        /// `byte` escaped the `form`th way (`None`: that way does not apply to it).
        fn escape(byte: u8, form: usize, out: &mut heapless::String<512>) -> Option<()> {
            match (form, byte) {
                (0, _) => write!(out, "\\u{byte:04x}").ok(),
                (1, _) => write!(out, "\\u{byte:04X}").ok(),
                (2, b'"' | b'\\' | b'/') => write!(out, "\\{}", char::from(byte)).ok(),
                (2, 0x08) => out.push_str("\\b").ok(),
                (2, 0x0c) => out.push_str("\\f").ok(),
                (2, b'\n') => out.push_str("\\n").ok(),
                (2, b'\r') => out.push_str("\\r").ok(),
                (2, b'\t') => out.push_str("\\t").ok(),
                _ => None,
            }
        }
        fn agree<const N: usize, const S: usize>(table: &KeyTable<N, S>, text: &str) {
            let key = Key {
                bytes: text.as_bytes(),
                escaped: true,
            };
            let shared = find_key_shared(&table.as_ref(), text.as_bytes(), true);
            assert_eq!(shared, find_key(table, key), "{text:?}");
        }
        fn every_form<const N: usize, const S: usize>(
            table: &KeyTable<N, S>,
            keys: &[&str],
            known: bool,
        ) {
            let mut text = heapless::String::<512>::new();
            let (mut found, mut visited) = (0, 0);
            // Miri: every fifth key (the same paths, fewer lookups).
            for key in keys.iter().step_by(if cfg!(miri) { 5 } else { 1 }) {
                visited += 1;
                for form in 0..3 {
                    // One byte escaped at a time.
                    for at in 0..key.len() {
                        text.clear();
                        let mut escaped = false;
                        for (i, &byte) in key.as_bytes().iter().enumerate() {
                            if i == at && escape(byte, form, &mut text).is_some() {
                                escaped = true;
                            } else if byte < 0x20 || byte == b'"' || byte == b'\\' {
                                escape(byte, 0, &mut text).unwrap();
                                escaped = true;
                            } else {
                                text.push(char::from(byte)).unwrap();
                            }
                        }
                        if escaped {
                            agree(table, &text);
                            found += usize::from(
                                find_key(
                                    table,
                                    Key {
                                        bytes: text.as_bytes(),
                                        escaped: true,
                                    },
                                )
                                .is_some(),
                            );
                        }
                    }
                    // Every byte escaped.
                    text.clear();
                    for &byte in key.as_bytes() {
                        if escape(byte, form, &mut text).is_none() {
                            escape(byte, 0, &mut text).unwrap();
                        }
                    }
                    agree(table, &text);
                    // Not known: a non-ASCII escape (or character) after it, or too long.
                    for tail in [
                        "\\u00e9",
                        "\\ud83d\\ude00",
                        "\u{e9}",
                        "\\u0080",
                        "\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061\\u0061",
                    ] {
                        let mut longer = text.clone();
                        longer.push_str(tail).unwrap();
                        agree(table, &longer);
                    }
                }
            }
            // Escaped forms of known keys were found, not only refused alike.
            assert_eq!(found >= visited, known, "{found} of {visited}");
        }
        every_form(&ALL, STORED, true);
        every_form(&ALL, &["ab\u{e9}", "user_i", "user_idd"], false);
        every_form(&SPECIAL, SPECIAL_KEYS, true);
    }

    /// Bare metal's in-place id check (`Fill::id`, read by `read_id`) against `check_id_item`:
    /// the same answer and the same error, at the same offset, for every kind of value.
    #[test]
    fn the_in_place_id_check_is_check_id_item() {
        let base = r#"{"x":[null,true,false,0,-0,7,-12,1.5,-1e3,99999999999999999999,"","s","\u0041",{},{"a":1},[],[1]]}"#;
        let raw = RawJson::parse(base).unwrap();
        let items = raw.get("x").unwrap().items().unwrap();
        let (mut ok, mut refused) = (0, 0);
        for v in items {
            let mut fill = Fill {
                obj: base,
                base,
                plain: false,
                names: &["a", "file_ids[]"],
                error: None,
            };
            let got = fill.id(1, v);
            let want = check_id_item(v, "file_ids[]", base);
            assert_eq!(got, want.is_ok(), "{}", v.as_str());
            assert_eq!(fill.error, want.err(), "{}", v.as_str());
            if got { ok += 1 } else { refused += 1 }
        }
        assert_eq!((ok, refused), (7, 10));
    }

    /// Bare metal's `read_list` steps through items with a `Walk`: the same items as
    /// `RawJson::items`, each the same slice of the text (error offsets are taken from it).
    #[test]
    fn a_walk_steps_through_the_items_items_does() {
        for text in [
            "[]",
            "[ ]",
            "[1]",
            "[ 1 , \"a\" ,{\"b\":[2,3]} , [] ,null,true,false,-1.5e3 ]",
            "[\"a\\\"]\",\"\\u005d\",{\"k\":\"]\"}]",
            "[\n\t[1,[2,[3]]]\r\n,{}]",
        ] {
            let raw = RawJson::parse(text).unwrap();
            let mut walk = Walk::inside(raw);
            let mut items = raw.items().unwrap();
            while walk.next_item() {
                let (got, expected) = (walk.value(), items.next().unwrap());
                assert_eq!(got.as_str(), expected.as_str(), "{text}");
                assert_eq!(got.as_str().as_ptr(), expected.as_str().as_ptr(), "{text}");
            }
            assert!(items.next().is_none(), "{text}");
        }
    }

    #[test]
    fn the_backslash_scan_finds_one_anywhere() {
        let mut text = heapless::String::<64>::new();
        for len in 0..40 {
            for at in 0..len {
                text.clear();
                for i in 0..len {
                    text.push(if i == at { '\\' } else { 'a' }).unwrap();
                }
                let raw = RawJson::from_validated(&text);
                assert!(!is_plain(raw), "backslash at {at} of {len}");
                assert_eq!(crate::escape::find_backslash(raw.as_bytes()), Some(at));
            }
            text.clear();
            for _ in 0..len {
                text.push('\u{5b}').unwrap();
            }
            assert!(is_plain(RawJson::from_validated(&text)), "{len} bytes");
        }
        assert!(is_plain(RawJson::from_validated("\u{dc}\u{e9}\u{1f600}")));
    }
}
