//! Typed Papercups messages over a decoded [`Frame`]: one borrowed struct per event.
//! [`Frame::message`] reads the payload once, checks the type of every known field, and never copies.
//!
//! ```
//! use phx_codec::{decode_text, message::Message};
//!
//! let frame = decode_text(br#"["1","5","conversation:5c9b","shout",{"body":"Is anyone there?","customer_id":"c6f1","sent_at":"2026-11-24T15:01:02.003Z"}]"#)?;
//! let Message::Shout(shout) = frame.message()? else { unreachable!() };
//! assert_eq!(shout.body().unwrap(), "Is anyone there?");
//! assert_eq!(shout.customer_id().unwrap(), "c6f1");
//! assert!(shout.is_from_customer() && !shout.is_from_agent());
//! assert!(shout.user().is_none()); // absent
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Rules every typed view follows
//! - **Absent and `null` read the same**: accessors return `None` (or an empty iterator) for both.
//!   The exact payload stays reachable through [`Frame::payload`] and each struct's `raw()`.
//! - **Unknown fields are ignored**; unknown events become [`Message::Other`].
//! - **A known field with the wrong JSON type is an error** ([`MessageError`]), found when
//!   [`Frame::message`] runs (nested objects and arrays included), so accessors never fail.
//!   Its `offset` is the byte offset of the offending value inside the payload's JSON text
//!   ([`RawJson::as_str`] of the payload), `0` for a binary payload.
//! - **Duplicate keys: the last one wins**, as with `JSON.parse` and Jason. Every occurrence of a
//!   known key must still have the right type.
//! - Escaped keys (`"b\u006fdy"`) are recognised; strings stay [`JsonStr`]s, unescaped lazily.
//! - Nested objects (`user`, `customer`) are read in the same pass; arrays (`attachments`,
//!   `file_ids`, `mentioned_user_ids`) are checked in that pass and walked again, lazily, by
//!   their iterators.

use core::fmt;

use crate::event::Event;
use crate::frame::{Frame, Payload};
use crate::presence::{PresenceDiff, PresenceState};
use crate::raw::{ArrayItems, JsonKind, RawJson};
use crate::string::JsonStr;
use crate::topic::Topic;

// ---------------------------------------------------------------------------------------------
// Errors

/// What was wrong with a payload. See [`MessageError`] for where.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageErrorKind {
    /// A known field holds a value of the wrong JSON type (`null` is always accepted and
    /// reads as absent). `field` is its path: `"body"`, `"user.email"`, `"attachments[].id"`,
    /// `"mentioned_user_ids[]"` (an array item), `"metas[].phx_ref"`...
    WrongType {
        /// The field's path.
        field: &'static str,
        /// The JSON type the field must have.
        expected: JsonKind,
        /// The JSON type it has.
        found: JsonKind,
    },
    /// A known integer field holds a number that is not an integer in the `i64` range
    /// (`1.5`, `1e3`, `9223372036854775808`).
    NotAnInteger {
        /// The field's path.
        field: &'static str,
    },
    /// The message needs a JSON object payload and got another JSON value.
    PayloadNotObject {
        /// The payload's JSON type.
        found: JsonKind,
    },
    /// The message needs a JSON payload and the frame carries binary bytes.
    BinaryPayload,
    /// An object of 4 GiB or more: typed views keep 32-bit offsets.
    TooLarge,
}

impl MessageErrorKind {
    /// A stable snake_case name for the kind (`"wrong_type"`, `"not_an_integer"`,
    /// `"payload_not_object"`, `"binary_payload"`, `"too_large"`).
    pub const fn name(&self) -> &'static str {
        match self {
            Self::WrongType { .. } => "wrong_type",
            Self::NotAnInteger { .. } => "not_an_integer",
            Self::PayloadNotObject { .. } => "payload_not_object",
            Self::BinaryPayload => "binary_payload",
            Self::TooLarge => "too_large",
        }
    }
}

impl fmt::Display for MessageErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType {
                field,
                expected,
                found,
            } => write!(
                f,
                "`{field}` must be {} or null, found {}",
                expected.name(),
                found.name()
            ),
            Self::NotAnInteger { field } => {
                write!(f, "`{field}` must be an integer that fits in 64 bits")
            }
            Self::PayloadNotObject { found } => {
                write!(f, "payload must be an object, found {}", found.name())
            }
            Self::BinaryPayload => f.write_str("payload must be JSON, found binary"),
            Self::TooLarge => f.write_str("object too large for a typed view (4 GiB or more)"),
        }
    }
}

/// A payload that does not fit its event's typed message.
///
/// `offset` is the byte offset of the offending value inside the payload's JSON text (the
/// start of the payload is `0`); it is `0` for [`MessageErrorKind::BinaryPayload`].
///
/// ```
/// use phx_codec::{decode_text, JsonKind, message::MessageErrorKind};
/// let frame = decode_text(br#"[null,null,"t","shout",{"body":"x","user_id":"7"}]"#)?;
/// let err = frame.message().unwrap_err();
/// assert_eq!(err.kind, MessageErrorKind::WrongType {
///     field: "user_id", expected: JsonKind::Number, found: JsonKind::String });
/// assert_eq!(err.offset, 22); // where `"7"` starts in `{"body":"x","user_id":"7"}`
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageError {
    /// What was wrong.
    pub kind: MessageErrorKind,
    /// Byte offset of the offending value inside the payload's JSON text.
    pub offset: usize,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (payload byte {})", self.kind, self.offset)
    }
}

impl core::error::Error for MessageError {}

// ---------------------------------------------------------------------------------------------
// Field checking, shared with `presence`.

/// Longest escaped key that is unescaped to be recognised (every known key is shorter).
const KEY_BUF: usize = 32;

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

pub(crate) fn check_attachment_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    match Attachment::from_value(v, field, base, false)? {
        Some(_) => Ok(()),
        None => Err(wrong_type(field, JsonKind::Object, v, base)),
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

// ---------------------------------------------------------------------------------------------
// The typed-object macro: a struct of optional fields, filled in one pass over the members.

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

/// What each kind of field stores.
macro_rules! stored_ty {
    (Bool) => { Option<bool> };
    (Str) => { $crate::message::Span };
    (Int) => { $crate::message::Span };
    (Obj) => { $crate::message::Span };
    (Id) => { $crate::message::Span };
    (IdList) => { $crate::message::Span };
    (IntList) => { $crate::message::Span };
    (AttachmentList) => { $crate::message::Span };
    ($nested:ident) => { Option<$nested<'a>> };
}
pub(crate) use stored_ty;

/// What a field holds before anything is read.
macro_rules! absent {
    (Bool) => {
        None
    };
    (Str) => {
        $crate::message::Span::ABSENT
    };
    (Int) => {
        $crate::message::Span::ABSENT
    };
    (Obj) => {
        $crate::message::Span::ABSENT
    };
    (Id) => {
        $crate::message::Span::ABSENT
    };
    (IdList) => {
        $crate::message::Span::ABSENT
    };
    (IntList) => {
        $crate::message::Span::ABSENT
    };
    (AttachmentList) => {
        $crate::message::Span::ABSENT
    };
    ($nested:ident) => {
        None
    };
}
pub(crate) use absent;

/// Checks a member value of each kind of field (`$field` is its path for errors) and gives
/// what to store; `$obj` is the object's text, `$base` the payload's.
macro_rules! store_field {
    (Str, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::body($obj, $crate::message::check_str($v, $field, $base)?)
    };
    (Int, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::value(
            $obj,
            $crate::message::check_int($v, $field, $base)?.map(|_| $v),
        )
    };
    (Bool, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::check_bool($v, $field, $base)?
    };
    (Obj, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::value(
            $obj,
            $crate::message::check_kind($v, $crate::JsonKind::Object, $field, $base)?,
        )
    };
    (Id, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::value($obj, $crate::message::check_id($v, $field, $base)?)
    };
    (IdList, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::value(
            $obj,
            $crate::message::check_list(
                $v,
                $field,
                concat!($field, "[]"),
                $base,
                $crate::message::check_id_item,
            )?,
        )
    };
    (IntList, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::value(
            $obj,
            $crate::message::check_list(
                $v,
                $field,
                concat!($field, "[]"),
                $base,
                $crate::message::check_int_item,
            )?,
        )
    };
    (AttachmentList, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::Span::value(
            $obj,
            $crate::message::check_list(
                $v,
                $field,
                concat!($field, "[]"),
                $base,
                $crate::message::check_attachment_item,
            )?,
        )
    };
    ($nested:ident, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $nested::from_value($v, $field, $base, $plain)?
    };
}
pub(crate) use store_field;

/// The public accessor of each kind of field.
macro_rules! accessor {
    (Str, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: a string; `None` when absent or null.")]
        #[inline]
        pub fn $field(&self) -> Option<JsonStr<'a>> {
            let plain = self.plain;
            self.$field.get(self.raw.as_str()).map(|body| $crate::message::body_str(body, plain))
        }
    };
    (Int, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an integer; `None` when absent or null.")]
        #[inline]
        pub fn $field(&self) -> Option<i64> {
            self.$field.get(self.raw.as_str()).and_then(|text| text.parse().ok())
        }
    };
    (Bool, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: a boolean; `None` when absent or null.")]
        #[inline]
        pub fn $field(&self) -> Option<bool> {
            self.$field
        }
    };
    (Obj, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an object, kept raw; `None` when absent or null.")]
        #[inline]
        pub fn $field(&self) -> Option<RawJson<'a>> {
            self.$field.get(self.raw.as_str()).map(RawJson::from_validated)
        }
    };
    (Id, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an integer or a string; `None` when absent or null.")]
        #[inline]
        pub fn $field(&self) -> Option<$crate::message::FileId<'a>> {
            self.$field
                .get(self.raw.as_str())
                .and_then(|text| $crate::message::FileId::from_raw(RawJson::from_validated(text)))
        }
    };
    (IdList, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of ids (integers or strings), iterated lazily; empty when absent or null.")]
        #[inline]
        pub fn $field(&self) -> $crate::message::FileIds<'a> {
            $crate::message::FileIds { items: self.list(self.$field) }
        }
    };
    (IntList, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of integers, iterated lazily; empty when absent or null.")]
        #[inline]
        pub fn $field(&self) -> $crate::message::Integers<'a> {
            $crate::message::Integers { items: self.list(self.$field) }
        }
    };
    (AttachmentList, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of file objects, iterated lazily; empty when absent or null.")]
        #[inline]
        pub fn $field(&self) -> $crate::message::Attachments<'a> {
            $crate::message::Attachments { items: self.list(self.$field), plain: self.plain }
        }
    };
    ($nested:ident, $field:ident, $key:literal, [$(#[$doc:meta])*]) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an object, read with the message; `None` when absent or null.")]
        #[inline]
        pub fn $field(&self) -> Option<$nested<'a>> {
            self.$field
        }
    };
}
pub(crate) use accessor;

/// Serializes one present field (lists as their raw JSON).
#[cfg(feature = "serde")]
macro_rules! serialize_field {
    (IdList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        if let Some(text) = $s.$field.get($s.raw.as_str()) {
            $map.serialize_entry($key, &RawJson::from_validated(text))?;
        }
    };
    (IntList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        $crate::message::serialize_field!(IdList, $s, $map, $field, $key)
    };
    (AttachmentList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        $crate::message::serialize_field!(IdList, $s, $map, $field, $key)
    };
    ($kind:ident, $s:ident, $map:ident, $field:ident, $key:literal) => {
        if let Some(value) = $s.$field() {
            $map.serialize_entry($key, &value)?;
        }
    };
}
#[cfg(feature = "serde")]
pub(crate) use serialize_field;

/// Declares a typed view of a JSON object: the struct (one optional field per known key, plus
/// the raw object), its one-pass constructor, and documented accessors. `$prefix` is prepended
/// to the keys to name fields in errors.
macro_rules! typed_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $prefix:literal {
            $( $(#[$fdoc:meta])* $field:ident: $kind:ident = $key:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// With the `serde` feature it serializes as an object of the fields that are present
        /// (lists and raw objects as received).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'a> {
            raw: RawJson<'a>,
            /// The payload has no backslash, so every string in it is literal.
            plain: bool,
            $( $field: $crate::message::stored_ty!($kind), )*
        }

        #[allow(dead_code)]
        impl<'a> $name<'a> {
            /// The view with every field absent.
            #[inline]
            pub(crate) fn empty(raw: RawJson<'a>, plain: bool) -> Self {
                Self { raw, plain, $( $field: $crate::message::absent!($kind), )* }
            }

            /// Reads the members of the object `raw` in one pass; `base` is the payload text
            /// (for error offsets), `plain` says it has no backslash at all.
            #[inline]
            pub(crate) fn from_object(
                raw: RawJson<'a>,
                members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
                base: &'a str,
                plain: bool,
            ) -> Result<Self, $crate::message::MessageError> {
                let mut out = Self::empty(raw, plain);
                out.fill(members, base)?;
                Ok(out)
            }

            /// Fills the fields from the members of `self.raw`, in place (a large view is
            /// built where it will be returned, not copied there).
            #[inline(never)]
            pub(crate) fn fill(
                &mut self,
                members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
                base: &'a str,
            ) -> Result<(), $crate::message::MessageError> {
                $crate::message::check_len(self.raw, base)?;
                let obj = self.raw.as_str();
                let plain = self.plain;
                let _ = plain; // used only by views with nested objects
                let mut buf = [0u8; 32];
                for (key, value) in members {
                    let Some(key) = $crate::message::key_text(key, &mut buf) else {
                        continue;
                    };
                    match key {
                        $(
                            $key => {
                                self.$field = $crate::message::store_field!(
                                    $kind, value, concat!($prefix, $key), obj, base, plain
                                );
                            }
                        )*
                        _ => {}
                    }
                }
                Ok(())
            }

            /// Reads a nested value: an object, or null (`None`); anything else is a
            /// wrong-type error naming `field`.
            pub(crate) fn from_value(
                value: RawJson<'a>,
                field: &'static str,
                base: &'a str,
                plain: bool,
            ) -> Result<Option<Self>, $crate::message::MessageError> {
                match value.members() {
                    Some(members) => Self::from_object(value, members, base, plain).map(Some),
                    None if value.is_null() => Ok(None),
                    None => Err($crate::message::wrong_type(
                        field,
                        $crate::JsonKind::Object,
                        value,
                        base,
                    )),
                }
            }

            /// Reads a frame's payload, which must be a JSON object.
            #[inline]
            pub(crate) fn from_frame(
                frame: &$crate::Frame<'a>,
            ) -> Result<Self, $crate::message::MessageError> {
                let raw = $crate::message::payload_object(frame)?;
                let plain = frame
                    .payload_plain()
                    .unwrap_or_else(|| $crate::message::is_plain(raw));
                match frame.payload_members() {
                    Some(members) => Self::from_object(raw, members, raw.as_str(), plain),
                    None => Err($crate::message::MessageError {
                        kind: $crate::message::MessageErrorKind::PayloadNotObject {
                            found: raw.kind(),
                        },
                        offset: 0,
                    }),
                }
            }

            /// The items of the array at `span`.
            #[inline]
            fn list(&self, span: $crate::message::Span) -> Option<$crate::ArrayItems<'a>> {
                span.get(self.raw.as_str()).and_then(|text| RawJson::from_validated(text).items())
            }

            /// The object as received (unknown members included).
            #[inline]
            pub fn raw(&self) -> RawJson<'a> {
                self.raw
            }

            $( $crate::message::accessor!($kind, $field, $key, [$(#[$fdoc])*]); )*
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $( $crate::message::serialize_field!($kind, self, map, $field, $key); )*
                map.end()
            }
        }
    };
}
pub(crate) use typed_object;

// ---------------------------------------------------------------------------------------------
// Ids and lazy lists

/// A file id: Papercups writes integers; strings are accepted too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(untagged))]
pub enum FileId<'a> {
    /// An integer id (`3`).
    Int(i64),
    /// A string id (`"8b1f..."`).
    Str(JsonStr<'a>),
}

impl<'a> FileId<'a> {
    /// An id from a checked value (`None` for anything else).
    pub(crate) fn from_raw(raw: RawJson<'a>) -> Option<Self> {
        match raw.as_json_str() {
            Some(s) => Some(Self::Str(s)),
            None => raw.as_i64().map(Self::Int),
        }
    }
}

/// The ids of an array such as `file_ids`, walked lazily. Created by [`Shout::file_ids`].
#[derive(Clone, Debug, Default)]
pub struct FileIds<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
}

impl<'a> Iterator for FileIds<'a> {
    type Item = FileId<'a>;

    fn next(&mut self) -> Option<FileId<'a>> {
        loop {
            let raw = self.items.as_mut()?.next()?;
            if let Some(id) = FileId::from_raw(raw) {
                return Some(id);
            }
        }
    }
}

/// The integers of an array such as `mentioned_user_ids`, walked lazily. Created by
/// [`Shout::mentioned_user_ids`].
#[derive(Clone, Debug, Default)]
pub struct Integers<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
}

impl Iterator for Integers<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        loop {
            let raw = self.items.as_mut()?.next()?;
            if let Some(n) = raw.as_i64() {
                return Some(n);
            }
        }
    }
}

/// A message's attachments, walked lazily. Created by [`Shout::attachments`].
#[derive(Clone, Debug, Default)]
pub struct Attachments<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
    pub(crate) plain: bool,
}

impl<'a> Iterator for Attachments<'a> {
    type Item = Attachment<'a>;

    fn next(&mut self) -> Option<Attachment<'a>> {
        loop {
            let raw = self.items.as_mut()?.next()?;
            // Checked when the message was read, so this only fails for items that were not.
            if let Ok(Some(attachment)) =
                Attachment::from_value(raw, "attachments[]", raw.as_str(), self.plain)
            {
                return Some(attachment);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The typed payloads

typed_object! {
    /// `phx_join` params. Papercups sends `{}` or `{"customer_id": "<uuid>"}`; other params
    /// stay in [`params`](Self::params).
    pub struct Join in "" {
        /// The customer joining (widget joins).
        customer_id: Str = "customer_id",
    }
}

impl<'a> Join<'a> {
    /// All join params as received.
    pub fn params(&self) -> RawJson<'a> {
        self.raw
    }
}

typed_object! {
    /// `phx_error` payload: `{"reason": "channel_crash"}` (older servers send `{}`).
    pub struct PhxError in "" {
        /// Why the channel failed.
        reason: Str = "reason",
    }
}

typed_object! {
    /// `read` payload: an agent read a conversation.
    pub struct Read in "" {
        /// The conversation read.
        conversation_id: Str = "conversation_id",
    }
}

typed_object! {
    /// `conversation:created` payload (`{"id": "<conversation uuid>"}`).
    pub struct ConversationCreated in "" {
        /// The new conversation's id.
        id: Str = "id",
    }
}

typed_object! {
    /// `conversation:updated` payload (`{"id": .., "updates": {conversation}}`).
    pub struct ConversationUpdated in "" {
        /// The conversation's id.
        id: Str = "id",
        /// The changed conversation fields.
        updates: Obj = "updates",
    }
}

typed_object! {
    /// `replay:event:emitted` payload (`{"event": {..}}`, a session-replay event).
    pub struct ReplayEvent in "" {
        /// The recorded event, kept raw.
        event: Obj = "event",
    }
}

typed_object! {
    /// An issue (`issue:created` / `issue:updated`). The payload is either the issue object or
    /// `{"issue": {..}}`; both read the same. Other fields stay in [`raw`](Self::raw).
    pub struct Issue in "" {
        /// The issue's id.
        id: Str = "id",
        /// Its title.
        title: Str = "title",
        /// Its description.
        body: Str = "body",
        /// Its state (`"unstarted"`, `"in_progress"`, `"done"`...).
        state: Str = "state",
        /// The linked GitHub issue.
        github_issue_url: Str = "github_issue_url",
        /// The account's id.
        account_id: Str = "account_id",
        /// Creation time (ISO 8601).
        created_at: Str = "created_at",
        /// Last update (ISO 8601).
        updated_at: Str = "updated_at",
    }
}

impl<'a> Issue<'a> {
    fn from_issue_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        let payload = payload_object(frame)?;
        match frame.payload_get("issue") {
            Some(inner) if inner.kind() == JsonKind::Object => {
                let members = inner.members().into_iter().flatten();
                Self::from_object(inner, members, payload.as_str(), is_plain(inner))
            }
            _ => Self::from_frame(frame),
        }
    }
}

typed_object! {
    /// An agent, as embedded in a message (`"object": "user"`).
    pub struct User in "user." {
        /// The user's id (an integer).
        id: Int = "id",
        /// `"user"`.
        object: Str = "object",
        /// Email address.
        email: Str = "email",
        /// Full name (absent when the user has no profile).
        full_name: Str = "full_name",
        /// Display name (absent when the user has no profile).
        display_name: Str = "display_name",
        /// Avatar URL (absent when the user has no profile).
        profile_photo_url: Str = "profile_photo_url",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// When the user was disabled.
        disabled_at: Str = "disabled_at",
        /// When the user was archived.
        archived_at: Str = "archived_at",
        /// Role (`"admin"`, `"user"`).
        role: Str = "role",
    }
}

typed_object! {
    /// A customer, as embedded in a message (`"object": "customer"`).
    pub struct Customer in "customer." {
        /// The customer's id (UUID).
        id: Str = "id",
        /// `"customer"`.
        object: Str = "object",
        /// Name.
        name: Str = "name",
        /// Email address.
        email: Str = "email",
        /// Phone number.
        phone: Str = "phone",
        /// The id in the account's own system.
        external_id: Str = "external_id",
        /// Avatar URL.
        profile_photo_url: Str = "profile_photo_url",
        /// The company's id.
        company_id: Str = "company_id",
        /// Host the widget ran on.
        host: Str = "host",
        /// Path the widget ran on.
        pathname: Str = "pathname",
        /// Full URL the widget ran on.
        current_url: Str = "current_url",
        /// Browser name.
        browser: Str = "browser",
        /// Operating system.
        os: Str = "os",
        /// Free-form metadata, kept raw.
        metadata: Obj = "metadata",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// Last update.
        updated_at: Str = "updated_at",
        /// Title shown in the dashboard.
        title: Str = "title",
    }
}

typed_object! {
    /// A file attached to a message (`"object": "file"`).
    pub struct Attachment in "attachments[]." {
        /// The file's id.
        id: Id = "id",
        /// `"file"`.
        object: Str = "object",
        /// Where to download it.
        file_url: Str = "file_url",
        /// MIME type.
        content_type: Str = "content_type",
        /// File name.
        filename: Str = "filename",
    }
}

typed_object! {
    /// `shout`: a chat message, either the client's push (`body`, `customer_id`, `sent_at`,
    /// `file_ids`...) or the server's formatted message (`id`, `user`, `customer`,
    /// `attachments`...). Every field is optional: a server may re-broadcast the raw push.
    pub struct Shout in "" {
        /// The message id (UUID).
        id: Str = "id",
        /// `"message"`.
        object: Str = "object",
        /// The text.
        body: Str = "body",
        /// `"reply"`, `"note"`, `"bot"`...
        message_type: Str = "type",
        /// Content type (`"text"`...).
        content_type: Str = "content_type",
        /// Whether it is an internal note.
        private: Bool = "private",
        /// `"chat"`, `"slack"`, `"email"`...
        source: Str = "source",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// When it was sent (ISO 8601, `Z`).
        sent_at: Str = "sent_at",
        /// When it was seen.
        seen_at: Str = "seen_at",
        /// The conversation's id.
        conversation_id: Str = "conversation_id",
        /// The account's id.
        account_id: Str = "account_id",
        /// The customer who wrote it.
        customer_id: Str = "customer_id",
        /// The agent who wrote it.
        user_id: Int = "user_id",
        /// The agent, embedded.
        user: User = "user",
        /// The customer, embedded.
        customer: Customer = "customer",
        /// Attached files.
        attachments: AttachmentList = "attachments",
        /// Free-form metadata, kept raw.
        metadata: Obj = "metadata",
        /// Files uploaded for this message (client push).
        file_ids: IdList = "file_ids",
        /// Agents mentioned (client push on `notification:`).
        mentioned_user_ids: IntList = "mentioned_user_ids",
    }
}

impl Shout<'_> {
    /// Written by a customer: `customer_id` is set.
    pub fn is_from_customer(&self) -> bool {
        self.customer_id.is_present()
    }

    /// Written by an agent: `user_id` is set.
    pub fn is_from_agent(&self) -> bool {
        self.user_id.is_present()
    }

    /// Written by a bot: `type` is `"bot"`.
    pub fn is_bot(&self) -> bool {
        self.message_type().is_some_and(|t| t == "bot")
    }
}

/// A reply's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyStatus<'a> {
    /// `"ok"`.
    Ok,
    /// `"error"`.
    Error,
    /// Any other string.
    Other(JsonStr<'a>),
}

impl<'a> ReplyStatus<'a> {
    /// Reads a status string.
    pub fn parse(status: JsonStr<'a>) -> Self {
        if status == "ok" {
            Self::Ok
        } else if status == "error" {
            Self::Error
        } else {
            Self::Other(status)
        }
    }

    /// The status as a string.
    pub fn as_json_str(&self) -> JsonStr<'a> {
        match self {
            Self::Ok => JsonStr::literal("ok"),
            Self::Error => JsonStr::literal("error"),
            Self::Other(s) => *s,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ReplyStatus<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_json_str().serialize(serializer)
    }
}

/// A reply's response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// A JSON response (an object in practice).
    Json(RawJson<'a>),
    /// The bytes of a binary reply.
    Binary(&'a [u8]),
    /// No `response` member, or `null`.
    Absent,
}

/// `phx_reply`: `{"status": .., "response": ..}`, or a binary reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply<'a> {
    status: Option<ReplyStatus<'a>>,
    response: Response<'a>,
}

impl<'a> Reply<'a> {
    fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        if let Payload::BinaryReply { status, response } = frame.payload() {
            return Ok(Self {
                status: Some(ReplyStatus::parse(status)),
                response: Response::Binary(response),
            });
        }
        let raw = payload_object(frame)?;
        let base = raw.as_str();
        let mut reply = Self {
            status: None,
            response: Response::Absent,
        };
        let mut buf = [0u8; KEY_BUF];
        for (key, value) in frame.payload_members().into_iter().flatten() {
            match key_text(key, &mut buf) {
                Some("status") => {
                    reply.status = check_str(value, "status", base)?
                        .and_then(|v| v.as_json_str())
                        .map(ReplyStatus::parse);
                }
                Some("response") => {
                    reply.response = if value.is_null() {
                        Response::Absent
                    } else {
                        Response::Json(value)
                    };
                }
                _ => {}
            }
        }
        Ok(reply)
    }

    /// The status; `None` when absent or null (a server replying without one).
    pub fn status(&self) -> Option<ReplyStatus<'a>> {
        self.status
    }

    /// Whether the status is `"ok"`.
    pub fn is_ok(&self) -> bool {
        self.status == Some(ReplyStatus::Ok)
    }

    /// Whether the status is `"error"`.
    pub fn is_error(&self) -> bool {
        self.status == Some(ReplyStatus::Error)
    }

    /// The response.
    pub fn response(&self) -> Response<'a> {
        self.response
    }

    /// `response.reason` of error replies (`"unauthorized"`, `"unmatched topic"`), when the
    /// response is an object whose `reason` is a string. The response is free-form, so this
    /// is looked up on demand and not type-checked.
    pub fn reason(&self) -> Option<JsonStr<'a>> {
        match self.response {
            Response::Json(raw) => raw.get("reason")?.as_json_str(),
            _ => None,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Reply<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        match self.response {
            Response::Json(raw) => map.serialize_entry("response", &raw)?,
            Response::Binary(bytes) => map.serialize_entry("response", &Bytes(bytes))?,
            Response::Absent => {}
        }
        map.end()
    }
}

#[cfg(feature = "serde")]
struct Bytes<'b>(&'b [u8]);

#[cfg(feature = "serde")]
impl serde::Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// `ping`: answered with a reply whose response is the same payload, whatever it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ping<'a> {
    payload: Payload<'a>,
}

impl<'a> Ping<'a> {
    /// The payload to echo (any JSON value, or binary bytes).
    pub fn payload(&self) -> Payload<'a> {
        self.payload
    }

    /// The payload, if it is JSON.
    pub fn json(&self) -> Option<RawJson<'a>> {
        self.payload.as_json()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Ping<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.payload {
            Payload::Json(raw) => raw.serialize(serializer),
            Payload::Binary(bytes)
            | Payload::BinaryReply {
                response: bytes, ..
            } => serializer.serialize_bytes(bytes),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The message

/// A frame's typed meaning, chosen by its event (and topic, for `heartbeat`).
///
/// With the `serde` feature it serializes as `{"message": <name>, "payload": {..}}` (typed
/// fields only; absent and null fields are left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "message", content = "payload")
)]
#[non_exhaustive]
// `Shout` embeds its `user` and `customer` so that reading them is free; without an allocator
// there is nothing to box them in, and a message lives on the stack for a moment.
#[allow(clippy::large_enum_variant)]
pub enum Message<'a> {
    /// `phx_join` with its params.
    #[cfg_attr(feature = "serde", serde(rename = "phx_join"))]
    Join(Join<'a>),
    /// `phx_reply`: status and response (JSON or binary).
    #[cfg_attr(feature = "serde", serde(rename = "phx_reply"))]
    Reply(Reply<'a>),
    /// `phx_leave` (the payload, `{}`, is not read).
    #[cfg_attr(feature = "serde", serde(rename = "phx_leave"))]
    Leave,
    /// `phx_close` (the payload, `{}`, is not read).
    #[cfg_attr(feature = "serde", serde(rename = "phx_close"))]
    Close,
    /// `phx_error` with its reason.
    #[cfg_attr(feature = "serde", serde(rename = "phx_error"))]
    Error(PhxError<'a>),
    /// `heartbeat` on topic `phoenix` (on any other topic it is [`Message::Other`]).
    #[cfg_attr(feature = "serde", serde(rename = "heartbeat"))]
    Heartbeat,
    /// `shout`: a chat message.
    #[cfg_attr(feature = "serde", serde(rename = "shout"))]
    Shout(Shout<'a>),
    /// `messages:seen` (the payload, `{}`, is not read).
    #[cfg_attr(feature = "serde", serde(rename = "messages:seen"))]
    MessagesSeen,
    /// `read`.
    #[cfg_attr(feature = "serde", serde(rename = "read"))]
    Read(Read<'a>),
    /// `ping`.
    #[cfg_attr(feature = "serde", serde(rename = "ping"))]
    Ping(Ping<'a>),
    /// `presence_state`.
    #[cfg_attr(feature = "serde", serde(rename = "presence_state"))]
    PresenceState(PresenceState<'a>),
    /// `presence_diff`.
    #[cfg_attr(feature = "serde", serde(rename = "presence_diff"))]
    PresenceDiff(PresenceDiff<'a>),
    /// `conversation:created`.
    #[cfg_attr(feature = "serde", serde(rename = "conversation:created"))]
    ConversationCreated(ConversationCreated<'a>),
    /// `conversation:updated`.
    #[cfg_attr(feature = "serde", serde(rename = "conversation:updated"))]
    ConversationUpdated(ConversationUpdated<'a>),
    /// `issue:created`.
    #[cfg_attr(feature = "serde", serde(rename = "issue:created"))]
    IssueCreated(Issue<'a>),
    /// `issue:updated`.
    #[cfg_attr(feature = "serde", serde(rename = "issue:updated"))]
    IssueUpdated(Issue<'a>),
    /// `replay:event:emitted`.
    #[cfg_attr(feature = "serde", serde(rename = "replay:event:emitted"))]
    ReplayEventEmitted(ReplayEvent<'a>),
    /// `session:active` (the payload is not read).
    #[cfg_attr(feature = "serde", serde(rename = "session:active"))]
    SessionActive,
    /// `session:inactive` (the payload is not read).
    #[cfg_attr(feature = "serde", serde(rename = "session:inactive"))]
    SessionInactive,
    /// Anything the spec has no typed message for; read the frame itself.
    #[cfg_attr(feature = "serde", serde(rename = "other"))]
    Other,
}

impl Message<'_> {
    /// The message's name: the event name for typed messages (`"shout"`, `"phx_reply"`...),
    /// `"other"` otherwise.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Join(_) => "phx_join",
            Self::Reply(_) => "phx_reply",
            Self::Leave => "phx_leave",
            Self::Close => "phx_close",
            Self::Error(_) => "phx_error",
            Self::Heartbeat => "heartbeat",
            Self::Shout(_) => "shout",
            Self::MessagesSeen => "messages:seen",
            Self::Read(_) => "read",
            Self::Ping(_) => "ping",
            Self::PresenceState(_) => "presence_state",
            Self::PresenceDiff(_) => "presence_diff",
            Self::ConversationCreated(_) => "conversation:created",
            Self::ConversationUpdated(_) => "conversation:updated",
            Self::IssueCreated(_) => "issue:created",
            Self::IssueUpdated(_) => "issue:updated",
            Self::ReplayEventEmitted(_) => "replay:event:emitted",
            Self::SessionActive => "session:active",
            Self::SessionInactive => "session:inactive",
            Self::Other => "other",
        }
    }
}

/// `Message::Shout`, filled where it is returned: the largest view is never copied.
fn shout_message<'a>(frame: &Frame<'a>) -> Result<Message<'a>, MessageError> {
    let raw = payload_object(frame)?;
    let Some(members) = frame.payload_members() else {
        return Err(MessageError {
            kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
            offset: 0,
        });
    };
    let plain = frame.payload_plain().unwrap_or_else(|| is_plain(raw));
    let mut message = Ok(Message::Shout(Shout::empty(raw, plain)));
    if let Ok(Message::Shout(shout)) = &mut message
        && let Err(err) = shout.fill(members, raw.as_str())
    {
        message = Err(err);
    }
    message
}

impl<'a> Frame<'a> {
    /// The typed message, read in one pass over the payload.
    ///
    /// Fails when a known field has the wrong JSON type, when a message that needs an object
    /// payload has another value, or when it needs JSON and the payload is binary. Messages
    /// without fields (`phx_leave`, `phx_close`, `heartbeat`, `messages:seen`, `session:*`)
    /// and [`Message::Other`] never fail. See the [module docs](crate::message) for the rules.
    pub fn message(&self) -> Result<Message<'a>, MessageError> {
        Ok(match self.event_kind() {
            Event::Join => Message::Join(Join::from_frame(self)?),
            Event::Reply => Message::Reply(Reply::from_frame(self)?),
            Event::Leave => Message::Leave,
            Event::Close => Message::Close,
            Event::Error => Message::Error(PhxError::from_frame(self)?),
            Event::Heartbeat if self.topic_kind() == Topic::Phoenix => Message::Heartbeat,
            Event::Shout => return shout_message(self),
            Event::MessagesSeen => Message::MessagesSeen,
            Event::Read => Message::Read(Read::from_frame(self)?),
            Event::Ping => Message::Ping(Ping {
                payload: self.payload(),
            }),
            Event::PresenceState => Message::PresenceState(PresenceState::from_frame(self)?),
            Event::PresenceDiff => Message::PresenceDiff(PresenceDiff::from_frame(self)?),
            Event::ConversationCreated => {
                Message::ConversationCreated(ConversationCreated::from_frame(self)?)
            }
            Event::ConversationUpdated => {
                Message::ConversationUpdated(ConversationUpdated::from_frame(self)?)
            }
            Event::IssueCreated => Message::IssueCreated(Issue::from_issue_frame(self)?),
            Event::IssueUpdated => Message::IssueUpdated(Issue::from_issue_frame(self)?),
            Event::ReplayEventEmitted => {
                Message::ReplayEventEmitted(ReplayEvent::from_frame(self)?)
            }
            Event::SessionActive => Message::SessionActive,
            Event::SessionInactive => Message::SessionInactive,
            _ => Message::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_text;

    // Frames copied from tests/data/v2.json.
    const SEED_SHOUT: &str = r#"[null,"3","conversation:1a2b3c","shout",{"body":"Hi, I need help with my order","customer_id":"cus_123","conversation_id":"1a2b3c"}]"#;
    const WIDGET_SHOUT: &str = r#"["1","5","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"body":"Is anyone there?","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","sent_at":"2026-11-24T15:01:02.003Z"}]"#;
    const DASHBOARD_SHOUT: &str = r#"["4","9","notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","shout",{"body":"On it!","conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","mentioned_user_ids":[8],"file_ids":[],"private":false}]"#;
    const HEARTBEAT: &str = r#"[null,"12","phoenix","heartbeat",{}]"#;
    const HEARTBEAT_REPLY: &str =
        r#"[null,"12","phoenix","phx_reply",{"status":"ok","response":{}}]"#;
    const JOIN_CUSTOMER: &str = r#"["1","1","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_join",{"customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]"#;
    const JOIN_ROOM: &str =
        r#"["2","2","room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","phx_join",{}]"#;
    const JOIN_REPLY_UNAUTHORIZED: &str = r#"["3","3","notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","phx_reply",{"status":"error","response":{"reason":"Unauthorized"}}]"#;
    const UNMATCHED_TOPIC_REPLY: &str = r#"[null,"6","nope:1","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]"#;
    const PING_REPLY: &str = r#"["1","7","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_reply",{"status":"ok","response":{"t":1732460000}}]"#;
    const BROADCAST_SHOUT_AGENT: &str = r#"[null,null,"conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"id":"a1b2c3d4-0000-4000-8000-00000000abcd","object":"message","body":"Your order ships today 🚚","type":"reply","content_type":"text","private":false,"source":"chat","created_at":"2026-11-24T15:00:00","sent_at":"2026-11-24T15:00:00.123Z","seen_at":null,"conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","account_id":"2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","user_id":7,"user":{"id":7,"object":"user","email":"agent@example.com","created_at":"2026-01-02T03:04:05","disabled_at":null,"archived_at":null,"full_name":"Ada Agent","display_name":"Ada","profile_photo_url":null,"role":"admin"},"customer_id":null,"attachments":[{"id":3,"object":"file","file_url":"https://files.example.com/a.png","content_type":"image/png","filename":"a.png"}],"metadata":null}]"#;
    const BROADCAST_SHOUT_CUSTOMER: &str = r#"[null,null,"notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","shout",{"id":"a1b2c3d4-0000-4000-8000-00000000abcd","object":"message","body":"Hi, I need help with my order #4521.\nIt hasn't shipped yet.","type":"reply","content_type":"text","private":false,"source":"chat","created_at":"2026-11-24T15:00:00","sent_at":"2026-11-24T15:00:00.123Z","seen_at":null,"conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","account_id":"2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","user_id":null,"user":null,"customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","attachments":[],"metadata":null,"customer":{"id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","object":"customer","name":"Zoë Customer","email":"zoe@example.com","created_at":"2026-11-20T10:00:00","updated_at":"2026-11-20T10:00:00","phone":null,"external_id":"ext-42","profile_photo_url":null,"company_id":null,"host":"shop.example.com","pathname":"/orders/4521","current_url":"https://shop.example.com/orders/4521","browser":"Firefox","os":"Linux","metadata":{"plan":"pro"},"title":"Zoë Customer"}}]"#;
    const MESSAGES_SEEN: &str =
        r#"["1","8","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","messages:seen",{}]"#;
    const READ: &str = r#"["4","10","notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","read",{"conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"}]"#;
    const LOBBY_CREATED: &str = r#"[null,null,"conversation:lobby:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","conversation:created",{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"}]"#;
    const CONVERSATION_UPDATED: &str = r#"[null,null,"notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","conversation:updated",{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","updates":{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","status":"closed","priority":"not_priority","read":true}}]"#;
    const LEAVE: &str =
        r#"["1","11","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_leave",{}]"#;
    const CLOSE: &str =
        r#"["1","1","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_close",{}]"#;
    const ERROR: &str = r#"["1","1","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_error",{"reason":"channel_crash"}]"#;
    const ESCAPES_BODY: &str = r#"["1","13","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"body":"quote \" backslash \\ tab \t newline \n nul \u0000 bell \u0007 del ","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]"#;
    const REPLAY_EVENT: &str = r#"[null,null,"events:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","replay:event:emitted",{"event":{"type":3,"data":{"x":1500.0,"y":-0.25}}}]"#;
    const EMPTY_STRINGS: &str = r#"["","","","",{}]"#;
    const ESCAPED_TOPIC: &str = r#"["1","2","conversation:\u0061bc","phx_join",{}]"#;

    fn message(text: &str) -> Message<'_> {
        decode_text(text.as_bytes()).unwrap().message().unwrap()
    }

    fn shout(text: &str) -> Shout<'_> {
        match message(text) {
            Message::Shout(shout) => shout,
            other => panic!("not a shout: {other:?}"),
        }
    }

    fn reply(text: &str) -> Reply<'_> {
        match message(text) {
            Message::Reply(reply) => reply,
            other => panic!("not a reply: {other:?}"),
        }
    }

    fn error(text: &str) -> MessageError {
        decode_text(text.as_bytes()).unwrap().message().unwrap_err()
    }

    fn payload_of(text: &str) -> &str {
        decode_text(text.as_bytes())
            .unwrap()
            .payload_json()
            .unwrap()
            .as_str()
    }

    #[test]
    fn client_shouts_expose_their_fields() {
        let seed = shout(SEED_SHOUT);
        assert_eq!(seed.body().unwrap(), "Hi, I need help with my order");
        assert_eq!(seed.customer_id().unwrap(), "cus_123");
        assert_eq!(seed.conversation_id().unwrap(), "1a2b3c");
        assert!(seed.is_from_customer() && !seed.is_from_agent() && !seed.is_bot());

        let widget = shout(WIDGET_SHOUT);
        assert_eq!(widget.sent_at().unwrap(), "2026-11-24T15:01:02.003Z");
        assert_eq!(widget.file_ids().count(), 0);
        assert!(widget.id().is_none() && widget.user().is_none() && widget.private().is_none());

        let dashboard = shout(DASHBOARD_SHOUT);
        assert_eq!(
            dashboard
                .mentioned_user_ids()
                .collect::<heapless::Vec<_, 4>>(),
            [8]
        );
        assert_eq!(dashboard.file_ids().count(), 0);
        assert_eq!(dashboard.private(), Some(false));
        assert!(!dashboard.is_from_customer());
    }

    #[test]
    fn an_agent_broadcast_reads_user_and_attachments() {
        let s = shout(BROADCAST_SHOUT_AGENT);
        assert_eq!(s.id().unwrap(), "a1b2c3d4-0000-4000-8000-00000000abcd");
        assert_eq!(s.object().unwrap(), "message");
        assert_eq!(s.body().unwrap(), "Your order ships today 🚚");
        assert_eq!(s.message_type().unwrap(), "reply");
        assert_eq!(s.content_type().unwrap(), "text");
        assert_eq!(s.source().unwrap(), "chat");
        assert_eq!(s.created_at().unwrap(), "2026-11-24T15:00:00");
        assert_eq!(s.sent_at().unwrap(), "2026-11-24T15:00:00.123Z");
        assert!(s.seen_at().is_none(), "null reads as None");
        assert_eq!(
            s.account_id().unwrap(),
            "2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5"
        );
        assert_eq!(s.user_id(), Some(7));
        assert!(s.customer_id().is_none() && s.customer().is_none());
        assert!(s.metadata().is_none());
        assert!(s.is_from_agent() && !s.is_from_customer());

        let user = s.user().unwrap();
        assert_eq!(user.id(), Some(7));
        assert_eq!(user.object().unwrap(), "user");
        assert_eq!(user.email().unwrap(), "agent@example.com");
        assert_eq!(user.full_name().unwrap(), "Ada Agent");
        assert_eq!(user.display_name().unwrap(), "Ada");
        assert_eq!(user.role().unwrap(), "admin");
        assert_eq!(user.created_at().unwrap(), "2026-01-02T03:04:05");
        assert!(user.profile_photo_url().is_none() && user.disabled_at().is_none());
        assert!(user.archived_at().is_none());
        assert!(user.raw().as_str().starts_with(r#"{"id":7,"#));

        let mut attachments = s.attachments();
        let a = attachments.next().unwrap();
        assert!(attachments.next().is_none());
        assert_eq!(a.id(), Some(FileId::Int(3)));
        assert_eq!(a.object().unwrap(), "file");
        assert_eq!(a.file_url().unwrap(), "https://files.example.com/a.png");
        assert_eq!(a.content_type().unwrap(), "image/png");
        assert_eq!(a.filename().unwrap(), "a.png");
    }

    #[test]
    fn a_customer_broadcast_reads_the_embedded_customer() {
        let s = shout(BROADCAST_SHOUT_CUSTOMER);
        assert_eq!(
            s.body().unwrap(),
            "Hi, I need help with my order #4521.\nIt hasn't shipped yet."
        );
        assert!(s.body().unwrap().has_escapes());
        assert!(s.user().is_none() && s.user_id().is_none());
        assert_eq!(s.attachments().count(), 0);
        assert!(s.is_from_customer());
        let c = s.customer().unwrap();
        assert_eq!(c.id().unwrap(), "c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b");
        assert_eq!(c.object().unwrap(), "customer");
        assert_eq!(c.name().unwrap(), "Zoë Customer");
        assert_eq!(c.email().unwrap(), "zoe@example.com");
        assert!(c.phone().is_none() && c.profile_photo_url().is_none());
        assert!(c.company_id().is_none());
        assert_eq!(c.external_id().unwrap(), "ext-42");
        assert_eq!(c.host().unwrap(), "shop.example.com");
        assert_eq!(c.pathname().unwrap(), "/orders/4521");
        assert_eq!(
            c.current_url().unwrap(),
            "https://shop.example.com/orders/4521"
        );
        assert_eq!(c.browser().unwrap(), "Firefox");
        assert_eq!(c.os().unwrap(), "Linux");
        assert_eq!(c.metadata().unwrap().as_str(), r#"{"plan":"pro"}"#);
        assert_eq!(c.created_at().unwrap(), "2026-11-20T10:00:00");
        assert_eq!(c.updated_at().unwrap(), "2026-11-20T10:00:00");
        assert_eq!(c.title().unwrap(), "Zoë Customer");
    }

    #[test]
    fn escaped_and_unicode_bodies_unescape_lazily() {
        let s = shout(ESCAPES_BODY);
        let body = s.body().unwrap();
        assert!(body.has_escapes());
        assert_eq!(
            body,
            "quote \" backslash \\ tab \t newline \n nul \u{0} bell \u{7} del "
        );
    }

    #[test]
    fn heartbeat_is_typed_only_on_the_phoenix_topic() {
        assert_eq!(message(HEARTBEAT), Message::Heartbeat);
        assert_eq!(
            message(r#"[null,"1","room:1","heartbeat",{}]"#),
            Message::Other
        );
    }

    #[test]
    fn replies_read_status_response_and_reason() {
        let ok = reply(HEARTBEAT_REPLY);
        assert_eq!(ok.status(), Some(ReplyStatus::Ok));
        assert!(ok.is_ok() && !ok.is_error());
        assert_eq!(ok.response(), Response::Json(RawJson::parse("{}").unwrap()));
        assert!(ok.reason().is_none());

        let unauthorized = reply(JOIN_REPLY_UNAUTHORIZED);
        assert!(unauthorized.is_error());
        assert_eq!(unauthorized.reason().unwrap(), "Unauthorized");
        assert_eq!(
            reply(UNMATCHED_TOPIC_REPLY).reason().unwrap(),
            "unmatched topic"
        );

        let ping = reply(PING_REPLY);
        let Response::Json(response) = ping.response() else {
            panic!("json response expected")
        };
        assert_eq!(response.get("t").unwrap().as_i64(), Some(1_732_460_000));
    }

    #[test]
    fn reply_status_null_absent_or_unknown() {
        let r = reply(r#"[null,"1","t","phx_reply",{"status":null}]"#);
        assert_eq!(r.status(), None);
        assert_eq!(r.response(), Response::Absent);
        let r = reply(r#"[null,"1","t","phx_reply",{"response":null}]"#);
        assert_eq!((r.status(), r.response()), (None, Response::Absent));
        let r = reply(r#"[null,"1","t","phx_reply",{"status":"timeout","response":{}}]"#);
        assert_eq!(r.status(), Some(ReplyStatus::Other("timeout".into())));
        let err = error(r#"[null,"1","t","phx_reply",{"status":1}]"#);
        assert_eq!(
            err.kind,
            MessageErrorKind::WrongType {
                field: "status",
                expected: JsonKind::String,
                found: JsonKind::Number
            }
        );
        assert_eq!(err.offset, 10);
    }

    #[test]
    fn binary_replies_carry_their_status_and_bytes() {
        let frame = Frame::new(
            Some("1".into()),
            Some("42".into()),
            "conversation:x".into(),
            "phx_reply".into(),
            Payload::BinaryReply {
                status: "ok".into(),
                response: b"\x00\x11",
            },
        );
        let Ok(Message::Reply(r)) = frame.message() else {
            panic!("reply expected")
        };
        assert!(r.is_ok());
        assert_eq!(r.response(), Response::Binary(b"\x00\x11"));
        assert!(r.reason().is_none());
    }

    #[test]
    fn joins_read_the_customer_id_and_keep_params() {
        let Message::Join(join) = message(JOIN_CUSTOMER) else {
            panic!("join expected")
        };
        assert_eq!(
            join.customer_id().unwrap(),
            "c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"
        );
        assert_eq!(join.params().as_str(), payload_of(JOIN_CUSTOMER));
        let Message::Join(join) = message(JOIN_ROOM) else {
            panic!("join expected")
        };
        assert!(join.customer_id().is_none());
        assert!(matches!(message(ESCAPED_TOPIC), Message::Join(_)));
    }

    #[test]
    fn lifecycle_messages_without_fields() {
        assert_eq!(message(LEAVE), Message::Leave);
        assert_eq!(message(CLOSE), Message::Close);
        assert_eq!(message(MESSAGES_SEEN), Message::MessagesSeen);
        assert_eq!(message(EMPTY_STRINGS), Message::Other);
        assert_eq!(
            message(r#"[null,null,"events:a:b","session:active",{}]"#),
            Message::SessionActive
        );
        assert_eq!(
            message(r#"[null,null,"events:a:b","session:inactive",[]]"#),
            Message::SessionInactive
        );
        let Message::Error(e) = message(ERROR) else {
            panic!("error expected")
        };
        assert_eq!(e.reason().unwrap(), "channel_crash");
        let Message::Error(e) = message(r#"["1","1","t","phx_error",{}]"#) else {
            panic!("error expected")
        };
        assert!(e.reason().is_none());
    }

    #[test]
    fn read_and_conversation_notices() {
        let Message::Read(read) = message(READ) else {
            panic!("read expected")
        };
        assert_eq!(
            read.conversation_id().unwrap(),
            "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"
        );
        let Message::ConversationCreated(created) = message(LOBBY_CREATED) else {
            panic!("created expected")
        };
        assert_eq!(
            created.id().unwrap(),
            "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"
        );
        let Message::ConversationUpdated(updated) = message(CONVERSATION_UPDATED) else {
            panic!("updated expected")
        };
        assert_eq!(
            updated.id().unwrap(),
            "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"
        );
        let updates = updated.updates().unwrap();
        assert_eq!(
            updates.get("status").unwrap().as_json_str().unwrap(),
            "closed"
        );
    }

    #[test]
    fn ping_keeps_any_payload_to_echo() {
        let Message::Ping(ping) = message(r#"["1","7","conversation:x","ping",{"t":1}]"#) else {
            panic!("ping expected")
        };
        assert_eq!(ping.json().unwrap().as_str(), r#"{"t":1}"#);
        let Message::Ping(ping) = message(r#"["1","7","conversation:x","ping",[1,2]]"#) else {
            panic!("ping expected")
        };
        assert_eq!(ping.json().unwrap().as_str(), "[1,2]");
        let binary = Frame::new(
            None,
            None,
            "t".into(),
            "ping".into(),
            Payload::Binary(b"ab"),
        );
        let Ok(Message::Ping(ping)) = binary.message() else {
            panic!("ping expected")
        };
        assert_eq!(ping.payload(), Payload::Binary(b"ab"));
        assert!(ping.json().is_none());
    }

    #[test]
    fn replay_events_and_issues() {
        let Message::ReplayEventEmitted(replay) = message(REPLAY_EVENT) else {
            panic!("replay expected")
        };
        assert_eq!(
            replay.event().unwrap().as_str(),
            r#"{"type":3,"data":{"x":1500.0,"y":-0.25}}"#
        );
        let bare = r#"[null,null,"issue:lobby:c","issue:created",{"id":"i1","title":"Broken","state":"unstarted"}]"#;
        let Message::IssueCreated(issue) = message(bare) else {
            panic!("issue expected")
        };
        assert_eq!(
            (issue.id().unwrap(), issue.title().unwrap()),
            ("i1".into(), "Broken".into())
        );
        assert_eq!(issue.state().unwrap(), "unstarted");
        let wrapped = r#"[null,null,"issue:lobby:c","issue:updated",{"issue":{"id":"i1","state":"done","body":"b"}}]"#;
        let Message::IssueUpdated(issue) = message(wrapped) else {
            panic!("issue expected")
        };
        assert_eq!(issue.state().unwrap(), "done");
        assert_eq!(issue.body().unwrap(), "b");
        assert_eq!(
            issue.raw().as_str(),
            r#"{"id":"i1","state":"done","body":"b"}"#
        );
        let err = error(r#"[null,null,"i","issue:updated",{"issue":{"title":5}}]"#);
        assert_eq!((err.kind.name(), err.offset), ("wrong_type", 18));
    }

    #[test]
    fn wrong_types_name_the_field_and_point_at_the_value() {
        let cases: &[(&str, &str, JsonKind, JsonKind, &str)] = &[
            (
                r#"{"body":5}"#,
                "body",
                JsonKind::String,
                JsonKind::Number,
                "5",
            ),
            (
                r#"{"private":"yes"}"#,
                "private",
                JsonKind::Bool,
                JsonKind::String,
                r#""yes""#,
            ),
            (
                r#"{"user_id":"7"}"#,
                "user_id",
                JsonKind::Number,
                JsonKind::String,
                r#""7""#,
            ),
            (
                r#"{"metadata":[]}"#,
                "metadata",
                JsonKind::Object,
                JsonKind::Array,
                "[]",
            ),
            (
                r#"{"user":"ada"}"#,
                "user",
                JsonKind::Object,
                JsonKind::String,
                r#""ada""#,
            ),
            (
                r#"{"user":{"email":true}}"#,
                "user.email",
                JsonKind::String,
                JsonKind::Bool,
                "true",
            ),
            (
                r#"{"customer":{"metadata":1}}"#,
                "customer.metadata",
                JsonKind::Object,
                JsonKind::Number,
                "1",
            ),
            (
                r#"{"attachments":{}}"#,
                "attachments",
                JsonKind::Array,
                JsonKind::Object,
                "{}",
            ),
            (
                r#"{"attachments":[null]}"#,
                "attachments[]",
                JsonKind::Object,
                JsonKind::Null,
                "null",
            ),
            (
                r#"{"attachments":[{"id":true}]}"#,
                "attachments[].id",
                JsonKind::Number,
                JsonKind::Bool,
                "true",
            ),
            (
                r#"{"file_ids":[1,{}]}"#,
                "file_ids[]",
                JsonKind::Number,
                JsonKind::Object,
                "{}",
            ),
            (
                r#"{"mentioned_user_ids":[1, "2"]}"#,
                "mentioned_user_ids[]",
                JsonKind::Number,
                JsonKind::String,
                r#""2""#,
            ),
        ];
        for &(payload, field, expected, found, at) in cases {
            let mut text = heapless::String::<128>::new();
            text.push_str(r#"[null,null,"t","shout","#).unwrap();
            text.push_str(payload).unwrap();
            text.push(']').unwrap();
            let err = error(&text);
            assert_eq!(
                err.kind,
                MessageErrorKind::WrongType {
                    field,
                    expected,
                    found
                },
                "{payload}"
            );
            assert_eq!(
                payload.get(err.offset..err.offset + at.len()),
                Some(at),
                "{payload}"
            );
        }
    }

    #[test]
    fn numbers_that_are_not_i64_integers_are_rejected() {
        for (payload, field, offset) in [
            (r#"{"user_id":1.5}"#, "user_id", 11),
            (r#"{"user":{"id":1e3}}"#, "user.id", 14),
            (
                r#"{"mentioned_user_ids":[9223372036854775808]}"#,
                "mentioned_user_ids[]",
                23,
            ),
        ] {
            let mut text = heapless::String::<128>::new();
            text.push_str(r#"[null,null,"t","shout","#).unwrap();
            text.push_str(payload).unwrap();
            text.push(']').unwrap();
            let err = error(&text);
            assert_eq!(err.kind, MessageErrorKind::NotAnInteger { field });
            assert_eq!(err.offset, offset, "{payload}");
        }
    }

    #[test]
    fn payloads_must_be_objects_and_json_where_fields_are_read() {
        let err = error(r#"[null,null,"t","shout",[1]]"#);
        assert_eq!(
            err,
            MessageError {
                kind: MessageErrorKind::PayloadNotObject {
                    found: JsonKind::Array
                },
                offset: 0
            }
        );
        let binary = Frame::new(
            None,
            None,
            "t".into(),
            "shout".into(),
            Payload::Binary(b"x"),
        );
        assert_eq!(
            binary.message().unwrap_err().kind,
            MessageErrorKind::BinaryPayload
        );
        let leave = Frame::new(
            None,
            None,
            "t".into(),
            "phx_leave".into(),
            Payload::Binary(b"x"),
        );
        assert_eq!(leave.message(), Ok(Message::Leave));
        let other = Frame::new(
            None,
            None,
            "t".into(),
            "upload".into(),
            Payload::Binary(b"x"),
        );
        assert_eq!(other.message(), Ok(Message::Other));
    }

    #[test]
    fn absent_and_null_both_read_as_none_but_stay_in_the_payload() {
        let absent = shout(r#"[null,null,"t","shout",{}]"#);
        let null = shout(
            r#"[null,null,"t","shout",{"body":null,"user_id":null,"private":null,"user":null,"attachments":null,"file_ids":null,"mentioned_user_ids":null,"metadata":null}]"#,
        );
        for s in [absent, null] {
            assert!(s.body().is_none() && s.user_id().is_none() && s.private().is_none());
            assert!(s.user().is_none() && s.metadata().is_none());
            assert_eq!(s.attachments().count() + s.file_ids().count(), 0);
            assert_eq!(s.mentioned_user_ids().count(), 0);
        }
        assert!(null.raw().get("body").unwrap().is_null());
        assert!(absent.raw().get("body").is_none());
    }

    #[test]
    fn escaped_keys_are_recognised_and_long_ones_ignored() {
        let s = shout(
            r#"[null,null,"t","shout",{"b\u006fdy":"x","\u0075ser_id":3,"a_very_long_key_with_an_escape_\u0041_that_is_unknown":1}]"#,
        );
        assert_eq!(s.body().unwrap(), "x");
        assert_eq!(s.user_id(), Some(3));
    }

    #[test]
    fn duplicate_keys_last_one_wins_but_each_is_type_checked() {
        let s = shout(
            r#"[null,null,"t","shout",{"body":"first","body":"last","user":{"id":1,"id":2}}]"#,
        );
        assert_eq!(s.body().unwrap(), "last");
        assert_eq!(s.user().unwrap().id(), Some(2));
        let s = shout(r#"[null,null,"t","shout",{"body":"first","body":null}]"#);
        assert!(s.body().is_none());
        let err = error(r#"[null,null,"t","shout",{"body":1,"body":"last"}]"#);
        assert_eq!(err.offset, 8);
    }

    #[test]
    fn file_ids_may_be_integers_or_strings() {
        let s =
            shout(r#"[null,null,"t","shout",{"file_ids":[3,"f-9"],"attachments":[{"id":"u-1"}]}]"#);
        let ids: heapless::Vec<_, 4> = s.file_ids().collect();
        assert_eq!(ids, [FileId::Int(3), FileId::Str("f-9".into())]);
        assert_eq!(
            s.attachments().next().unwrap().id(),
            Some(FileId::Str("u-1".into()))
        );
    }

    #[test]
    fn payloads_past_the_member_index_are_still_read() {
        let mut text = heapless::String::<1024>::new();
        text.push_str(r#"[null,null,"t","shout",{"#).unwrap();
        for i in 0..40 {
            core::fmt::Write::write_fmt(&mut text, format_args!("\"k{i}\":{i},")).unwrap();
        }
        text.push_str(r#""body":"late"}]"#).unwrap();
        assert_eq!(shout(&text).body().unwrap(), "late");
    }

    #[test]
    fn errors_display_field_types_and_offset() {
        let err = error(r#"[null,null,"t","shout",{"user":{"email":true}}]"#);
        let mut text = heapless::String::<128>::new();
        core::fmt::Write::write_fmt(&mut text, format_args!("{err}")).unwrap();
        assert_eq!(
            text,
            "`user.email` must be string or null, found bool (payload byte 17)"
        );
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
            }
            text.clear();
            for _ in 0..len {
                text.push('\u{5b}').unwrap();
            }
            assert!(is_plain(RawJson::from_validated(&text)), "{len} bytes");
        }
        assert!(is_plain(RawJson::from_validated("\u{dc}\u{e9}\u{1f600}")));
    }

    #[test]
    fn strings_read_the_same_with_or_without_escapes_elsewhere() {
        let plain = shout(r#"[null,null,"t","shout",{"body":"","sent_at":"x"}]"#);
        let escaped = shout(r#"[null,null,"t","shout",{"body":"","sent_at":"x","k":"\n"}]"#);
        for s in [plain, escaped] {
            assert_eq!(s.body().unwrap(), "");
            assert_eq!(s.sent_at().unwrap(), "x");
            assert_eq!(s.sent_at().unwrap().as_str(), Some("x"));
        }
        let s = shout(r#"[null,null,"t","shout",{"body":"a\tb","user":{"email":"e\u0040x"}}]"#);
        assert!(s.body().unwrap().has_escapes());
        assert_eq!(s.user().unwrap().email().unwrap(), "e@x");
    }

    #[test]
    fn views_are_small_enough_to_return_by_value() {
        assert!(
            size_of::<Message<'_>>() <= 448,
            "{}",
            size_of::<Message<'_>>()
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn messages_serialize_with_their_name_and_typed_fields() {
        let json = serde_json::to_value(message(DASHBOARD_SHOUT)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"message": "shout", "payload": {
                "body": "On it!",
                "conversation_id": "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f",
                "private": false,
                "file_ids": [],
                "mentioned_user_ids": [8],
            }})
        );
        let json = serde_json::to_value(message(JOIN_REPLY_UNAUTHORIZED)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"message": "phx_reply", "payload": {
                "status": "error", "response": {"reason": "Unauthorized"}}})
        );
        let json = serde_json::to_value(message(LEAVE)).unwrap();
        assert_eq!(json, serde_json::json!({"message": "phx_leave"}));
        let json = serde_json::to_value(message(BROADCAST_SHOUT_AGENT)).unwrap();
        assert_eq!(json["payload"]["user"]["email"], "agent@example.com");
        assert_eq!(json["payload"]["type"], "reply");
        assert_eq!(json["payload"]["attachments"][0]["id"], 3);
    }
}
