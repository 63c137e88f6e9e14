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

/// What each kind of field stores.
macro_rules! stored_ty {
    (Bool) => { Option<bool> };
    (Str) => { $crate::message::view::Span };
    (Int) => { $crate::message::view::Span };
    (Obj) => { $crate::message::view::Span };
    (Id) => { $crate::message::view::Span };
    (IdList) => { $crate::message::view::Span };
    (IntList) => { $crate::message::view::Span };
    (AttachmentList) => { $crate::message::view::Span };
    ($nested:ident) => { Option<$nested<'a>> };
}
pub(crate) use stored_ty;

/// What a field holds before anything is read.
macro_rules! absent {
    (Bool) => {
        None
    };
    (Str) => {
        $crate::message::view::Span::ABSENT
    };
    (Int) => {
        $crate::message::view::Span::ABSENT
    };
    (Obj) => {
        $crate::message::view::Span::ABSENT
    };
    (Id) => {
        $crate::message::view::Span::ABSENT
    };
    (IdList) => {
        $crate::message::view::Span::ABSENT
    };
    (IntList) => {
        $crate::message::view::Span::ABSENT
    };
    (AttachmentList) => {
        $crate::message::view::Span::ABSENT
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
        $crate::message::view::Span::body(
            $obj,
            $crate::message::view::check_str($v, $field, $base)?,
        )
    };
    (Int, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::Span::value(
            $obj,
            $crate::message::view::check_int($v, $field, $base)?.map(|_| $v),
        )
    };
    (Bool, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::check_bool($v, $field, $base)?
    };
    (Obj, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::Span::value(
            $obj,
            $crate::message::view::check_kind($v, $crate::raw::JsonKind::Object, $field, $base)?,
        )
    };
    (Id, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::Span::value(
            $obj,
            $crate::message::view::check_id($v, $field, $base)?,
        )
    };
    (IdList, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::Span::value(
            $obj,
            $crate::message::view::check_list(
                $v,
                $field,
                concat!($field, "[]"),
                $base,
                $crate::message::view::check_id_item,
            )?,
        )
    };
    (IntList, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::Span::value(
            $obj,
            $crate::message::view::check_list(
                $v,
                $field,
                concat!($field, "[]"),
                $base,
                $crate::message::view::check_int_item,
            )?,
        )
    };
    (AttachmentList, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        $crate::message::view::Span::value(
            $obj,
            $crate::message::view::check_list(
                $v,
                $field,
                concat!($field, "[]"),
                $base,
                check_attachment_item,
            )?,
        )
    };
    ($nested:ident, $v:expr, $field:expr, $obj:expr, $base:expr, $plain:expr) => {
        <$nested<'_> as $crate::message::view::TypedObject<'_>>::from_value(
            $v, $field, $base, $plain,
        )?
    };
}
pub(crate) use store_field;

/// The doc example of each kind of accessor: a one-member object read with `parse`.
macro_rules! field_example {
    (Str, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":\"x\"}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().unwrap(), \"x\");\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Int, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":7}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "(), Some(7));\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Bool, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":true}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "(), Some(true));\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Obj, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":{\"a\":1}}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().unwrap().as_str(), r#\"{\"a\":1}\"#);\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Id, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":3}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "(), Some(phx_codec::message::FileId::Int(3)));\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (IdList, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":[3,\"f\"]}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().count(), 2);\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (IntList, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":[1,2]}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().sum::<i64>(), 3);\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (AttachmentList, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":[{\"filename\":\"a.png\"}]}\"#)?)?;\n",
            "assert_eq!(view.",
            stringify!($field),
            "().next().unwrap().filename().unwrap(), \"a.png\");\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
    (Nested, $name:ident, $path:literal, $field:ident, $key:literal) => {
        concat!(
            "\n\n```\nuse phx_codec::RawJson;\nuse ",
            $path,
            "::",
            stringify!($name),
            ";\n",
            "let view = ",
            stringify!($name),
            "::parse(RawJson::parse(r#\"{\"",
            $key,
            "\":{}}\"#)?)?;\n",
            "assert!(view.",
            stringify!($field),
            "().is_some());\n",
            "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
        )
    };
}
pub(crate) use field_example;

/// The public accessor of each kind of field.
macro_rules! accessor {
    (Str, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: a string; `None` when absent or null.")]
        #[doc = $crate::message::view::field_example!(Str, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<JsonStr<'a>> {
            let plain = self.plain;
            self.$field.get(self.raw.as_str()).map(|body| $crate::message::view::body_str(body, plain))
        }
    };
    (Int, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an integer; `None` when absent or null.")]
        #[doc = $crate::message::view::field_example!(Int, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<i64> {
            self.$field.get(self.raw.as_str()).and_then(|text| text.parse().ok())
        }
    };
    (Bool, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: a boolean; `None` when absent or null.")]
        #[doc = $crate::message::view::field_example!(Bool, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<bool> {
            self.$field
        }
    };
    (Obj, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an object, kept raw; `None` when absent or null.")]
        #[doc = $crate::message::view::field_example!(Obj, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<RawJson<'a>> {
            self.$field.get(self.raw.as_str()).map(RawJson::from_validated)
        }
    };
    (Id, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an integer or a string; `None` when absent or null.")]
        #[doc = $crate::message::view::field_example!(Id, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Option<$crate::message::lists::FileId<'a>> {
            self.$field
                .get(self.raw.as_str())
                .and_then(|text| $crate::message::lists::FileId::from_raw(RawJson::from_validated(text)))
        }
    };
    (IdList, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of ids (integers or strings), iterated lazily; empty when absent or null.")]
        #[doc = $crate::message::view::field_example!(IdList, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> $crate::message::lists::FileIds<'a> {
            $crate::message::lists::FileIds { items: $crate::message::view::TypedObject::list(self, self.$field) }
        }
    };
    (IntList, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of integers, iterated lazily; empty when absent or null.")]
        #[doc = $crate::message::view::field_example!(IntList, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> $crate::message::lists::Integers<'a> {
            $crate::message::lists::Integers { items: $crate::message::view::TypedObject::list(self, self.$field) }
        }
    };
    (AttachmentList, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an array of file objects, iterated lazily; empty when absent or null.")]
        #[doc = $crate::message::view::field_example!(AttachmentList, $name, $path, $field, $key)]
        #[inline]
        pub fn $field(&self) -> Attachments<'a> {
            Attachments { items: $crate::message::view::TypedObject::list(self, self.$field), plain: self.plain }
        }
    };
    ($nested:ident, $field:ident, $key:literal, [$(#[$doc:meta])*], $name:ident, $path:literal) => {
        $(#[$doc])*
        #[doc = concat!("\n\n`\"", $key, "\"`: an object, read with the message; `None` when absent or null.")]
        #[doc = $crate::message::view::field_example!(Nested, $name, $path, $field, $key)]
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
        $crate::message::view::serialize_field!(IdList, $s, $map, $field, $key)
    };
    (AttachmentList, $s:ident, $map:ident, $field:ident, $key:literal) => {
        $crate::message::view::serialize_field!(IdList, $s, $map, $field, $key)
    };
    ($kind:ident, $s:ident, $map:ident, $field:ident, $key:literal) => {
        if let Some(value) = $s.$field() {
            $map.serialize_entry($key, &value)?;
        }
    };
}
#[cfg(feature = "serde")]
pub(crate) use serialize_field;

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
        $crate::message::view::typed_object! {
            $(#[$meta])*
            pub struct $name in $prefix at "phx_codec::message" {
                $( $(#[$fdoc])* $field: $kind = $key, )*
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $prefix:literal at $path:literal {
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
            $( $field: $crate::message::view::stored_ty!($kind), )*
        }

        impl<'a> $name<'a> {
            /// Reads a JSON object as this view, in one pass, checking the type of every known
            /// field (as [`Frame::message`](crate::Frame::message) does for a payload).
            #[doc = concat!(
                "\n\n```\nuse phx_codec::RawJson;\nuse ", $path, "::", stringify!($name), ";\n",
                "let view = ", stringify!($name), "::parse(RawJson::parse(r#\"{\"unknown\":1}\"#)?)?;\n",
                "assert_eq!(view.raw().get(\"unknown\").unwrap().as_i64(), Some(1));\n",
                "assert!(", stringify!($name), "::parse(RawJson::parse(\"[]\")?).is_err());\n",
                "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
            )]
            pub fn parse(object: RawJson<'a>) -> Result<Self, $crate::message::error::MessageError> {
                match object.members() {
                    Some(members) => <Self as $crate::message::view::TypedObject<'a>>::from_object(
                        object,
                        members,
                        object.as_str(),
                        $crate::message::view::is_plain(object),
                    ),
                    None => Err($crate::message::error::MessageError {
                        kind: $crate::message::error::MessageErrorKind::PayloadNotObject {
                            found: object.kind(),
                        },
                        offset: 0,
                    }),
                }
            }

            /// The object as received (unknown members included).
            #[doc = concat!(
                "\n\n```\nuse phx_codec::RawJson;\nuse ", $path, "::", stringify!($name), ";\n",
                "let view = ", stringify!($name), "::parse(RawJson::parse(r#\"{\"a\": [1]}\"#)?)?;\n",
                "assert_eq!(view.raw().as_str(), r#\"{\"a\": [1]}\"#);\n",
                "# Ok::<(), Box<dyn std::error::Error>>(())\n```"
            )]
            #[inline]
            pub fn raw(&self) -> RawJson<'a> {
                self.raw
            }

            $( $crate::message::view::accessor!($kind, $field, $key, [$(#[$fdoc])*], $name, $path); )*
        }

        impl<'a> $crate::message::view::TypedObject<'a> for $name<'a> {
            #[inline]
            fn empty(raw: RawJson<'a>, plain: bool) -> Self {
                Self { raw, plain, $( $field: $crate::message::view::absent!($kind), )* }
            }

            #[inline]
            fn object(&self) -> RawJson<'a> {
                self.raw
            }

            #[inline(never)]
            fn fill(
                &mut self,
                members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
                base: &'a str,
            ) -> Result<(), $crate::message::error::MessageError> {
                $crate::message::view::check_len(self.raw, base)?;
                let obj = self.raw.as_str();
                let plain = self.plain;
                let _ = plain; // used only by views with nested objects
                let mut buf = [0u8; 32];
                for (key, value) in members {
                    let Some(key) = $crate::message::view::key_text(key, &mut buf) else {
                        continue;
                    };
                    match key {
                        $(
                            $key => {
                                self.$field = $crate::message::view::store_field!(
                                    $kind, value, concat!($prefix, $key), obj, base, plain
                                );
                            }
                        )*
                        _ => {}
                    }
                }
                Ok(())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $( $crate::message::view::serialize_field!($kind, self, map, $field, $key); )*
                map.end()
            }
        }
    };
}
pub(crate) use typed_object;

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
