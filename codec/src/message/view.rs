//! The machinery every typed view shares: the field checks, [`Span`]s into the payload, and
//! the `typed_object!` macro that declares a view (struct, one-pass constructor, accessors).

use crate::frame::{Frame, Payload};
use crate::message::error::{MessageError, MessageErrorKind};
use crate::raw::{ArrayItems, JsonKind, RawJson};
use crate::string::JsonStr;

// ---------------------------------------------------------------------------------------------
// Field checking.

/// Longest escaped key that is unescaped to be recognised (every known key is shorter).
pub(crate) const KEY_BUF: usize = 32;

/// The text of a key, unescaped into `buf` when needed; `None` for escaped keys too long to be
/// a known one.
#[inline]
pub(crate) fn key_text<'k>(key: JsonStr<'k>, buf: &'k mut [u8; KEY_BUF]) -> Option<&'k str> {
    match key.as_str() {
        Some(text) => Some(text),
        None => key.unescape_into(buf).ok(),
    }
}

/// Whether `raw` holds no backslash, so none of its strings has escapes: one scan of the
/// payload instead of one per string read.
#[inline]
pub(crate) fn is_plain(raw: RawJson<'_>) -> bool {
    // Word at a time, without early exit: payloads rarely hold a backslash, and a branch-free
    // loop beats `memchr`'s set-up on the few hundred bytes a payload has.
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

/// An integer in `i64` range, or null.
#[inline]
pub(crate) fn check_int(
    v: RawJson<'_>,
    field: &'static str,
    base: &str,
) -> Result<Option<i64>, MessageError> {
    match v.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => v.as_i64().map(Some).ok_or(MessageError {
            kind: MessageErrorKind::NotAnInteger { field },
            offset: offset_in(base, v),
        }),
        Some(b'n') => Ok(None),
        _ => Err(wrong_type(field, JsonKind::Number, v, base)),
    }
}

/// `true`, `false` or null.
#[inline]
pub(crate) fn check_bool(
    v: RawJson<'_>,
    field: &'static str,
    base: &str,
) -> Result<Option<bool>, MessageError> {
    match v.as_bytes().first() {
        Some(b't') => Ok(Some(true)),
        Some(b'f') => Ok(Some(false)),
        Some(b'n') => Ok(None),
        _ => Err(wrong_type(field, JsonKind::Bool, v, base)),
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

/// An array whose items all pass `item`, or null.
#[inline]
pub(crate) fn check_list<'a>(
    v: RawJson<'a>,
    field: &'static str,
    item_field: &'static str,
    base: &'a str,
    item: fn(RawJson<'a>, &'static str, &'a str) -> Result<(), MessageError>,
) -> Result<Option<RawJson<'a>>, MessageError> {
    let Some(items) = v.items() else {
        return check_kind(v, JsonKind::Array, field, base);
    };
    for value in items {
        item(value, item_field, base)?;
    }
    Ok(Some(v))
}

/// An id (integer or string), or null.
#[inline]
pub(crate) fn check_id<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<Option<RawJson<'a>>, MessageError> {
    if v.is_null() {
        return Ok(None);
    }
    check_id_item(v, field, base).map(|()| Some(v))
}

pub(crate) fn check_id_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    match v.kind() {
        JsonKind::String => Ok(()),
        JsonKind::Number => check_int(v, field, base).map(drop),
        _ => Err(wrong_type(field, JsonKind::Number, v, base)),
    }
}

pub(crate) fn check_int_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    match check_int(v, field, base)? {
        Some(_) => Ok(()),
        None => Err(wrong_type(field, JsonKind::Number, v, base)),
    }
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
    fn of(object: &str, value: &str) -> Self {
        let start = (value.as_ptr() as usize).wrapping_sub(object.as_ptr() as usize);
        let end = start.saturating_add(value.len());
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(start), Ok(end)) => Self { start, end },
            // Objects are checked to be under 4 GiB before any span is taken.
            _ => Self::ABSENT,
        }
    }

    /// The span of a whole value, or absent.
    #[inline]
    pub(crate) fn value(object: &str, value: Option<RawJson<'_>>) -> Self {
        match value {
            Some(value) => Self::of(object, value.as_str()),
            None => Self::ABSENT,
        }
    }

    /// The span of a string value's body (between the quotes), or absent.
    #[inline]
    pub(crate) fn body(object: &str, value: Option<RawJson<'_>>) -> Self {
        match value {
            Some(value) => {
                let text = value.as_str();
                Self::of(
                    object,
                    text.get(1..text.len().saturating_sub(1)).unwrap_or(text),
                )
            }
            None => Self::ABSENT,
        }
    }

    /// Whether a value was there.
    #[inline]
    pub(crate) fn is_present(self) -> bool {
        self.end != 0
    }

    /// The text at this span of `object`.
    #[inline]
    pub(crate) fn get(self, object: &str) -> Option<&str> {
        if self.end == 0 {
            return None;
        }
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
#[inline]
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

    /// Fills the fields from the members of the object, in place (a large view is built where
    /// it will be returned, not copied there); `base` is the payload text (for error offsets).
    fn fill(
        &mut self,
        members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
        base: &'a str,
    ) -> Result<(), MessageError>;

    /// Reads the members of the object `raw` in one pass; `base` is the payload text (for
    /// error offsets), `plain` says it has no backslash at all.
    #[inline]
    fn from_object(
        raw: RawJson<'a>,
        members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
        base: &'a str,
        plain: bool,
    ) -> Result<Self, MessageError> {
        let mut out = Self::empty(raw, plain);
        out.fill(members, base)?;
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
        match value.members() {
            Some(members) => Self::from_object(value, members, base, plain).map(Some),
            None if value.is_null() => Ok(None),
            None => Err(wrong_type(field, JsonKind::Object, value, base)),
        }
    }

    /// Reads a frame's payload, which must be a JSON object.
    #[inline]
    fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        let raw = payload_object(frame)?;
        let plain = frame.payload_plain().unwrap_or_else(|| is_plain(raw));
        match frame.payload_members() {
            Some(members) => Self::from_object(raw, members, raw.as_str(), plain),
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

#[cfg(test)]
mod tests {
    use super::*;

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
