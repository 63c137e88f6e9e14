//! [`RawJson`]: a validated JSON value kept as its text, with walkers that never re-validate.
//!
//! ```
//! use phx_codec::{decode_text, Payload};
//! let frame = decode_text(br#"[null,null,"t","e",{"a":[1,2],"b":{"c":"d"}}]"#).unwrap();
//! let Payload::Json(payload) = frame.payload() else { unreachable!() };
//! let a: Vec<i64> = payload.get("a").unwrap().items().unwrap().filter_map(|v| v.as_i64()).collect();
//! assert_eq!(a, [1, 2]);
//! assert_eq!(payload.get("b").unwrap().get("c").unwrap().as_json_str().unwrap(), "d");
//! ```

use core::fmt;

use crate::error::DecodeError;
use crate::limits::DecodeLimits;
use crate::string::JsonStr;

/// The JSON type of a [`RawJson`] value.
///
/// ```
/// use phx_codec::{JsonKind, RawJson};
/// assert_eq!(RawJson::parse(r#"{"a":1}"#)?.kind(), JsonKind::Object);
/// assert_eq!(RawJson::parse("-1.5e3")?.kind(), JsonKind::Number);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonKind {
    /// The name of the type (`"object"`, `"string"`...).
    ///
    /// ```
    /// assert_eq!(phx_codec::JsonKind::Array.name(), "array");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "bool",
            Self::Number => "number",
            Self::String => "string",
            Self::Array => "array",
            Self::Object => "object",
        }
    }
}

/// One JSON value, validated, borrowed as the exact text it was written as (no surrounding
/// whitespace). Equality compares that text byte for byte.
///
/// ```
/// use phx_codec::RawJson;
/// let raw = RawJson::parse(r#" {"user":{"id":7},"tags":["a","b"]} "#)?;
/// assert_eq!(raw.as_str(), r#"{"user":{"id":7},"tags":["a","b"]}"#); // trimmed, otherwise as written
/// assert_eq!(raw.get("user").and_then(|u| u.get("id")).and_then(|id| id.as_i64()), Some(7));
/// assert_eq!(raw.get("tags").unwrap().items().unwrap().count(), 2);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawJson<'a> {
    text: &'a str,
}

impl<'a> RawJson<'a> {
    /// Wraps text the scanner validated as exactly one value.
    pub(crate) const fn from_validated(text: &'a str) -> Self {
        Self { text }
    }

    /// Validates `text` as one JSON value (surrounding whitespace is trimmed) with the default
    /// limits.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// assert_eq!(RawJson::parse(r#" {"a":1} "#).unwrap().as_str(), r#"{"a":1}"#);
    /// assert!(RawJson::parse("{").is_err());
    /// ```
    pub fn parse(text: &'a str) -> Result<Self, DecodeError> {
        Self::parse_with(text, &DecodeLimits::new())
    }

    /// Validates `text` as one JSON value under `limits`.
    ///
    /// ```
    /// use phx_codec::{DecodeErrorKind, DecodeLimits, RawJson};
    /// let flat = DecodeLimits::new().with_max_depth(1);
    /// assert!(RawJson::parse_with("[1,2]", &flat).is_ok());
    /// assert_eq!(RawJson::parse_with("[[1]]", &flat).unwrap_err().kind, DecodeErrorKind::DepthLimitExceeded);
    /// ```
    pub fn parse_with(text: &'a str, limits: &DecodeLimits) -> Result<Self, DecodeError> {
        if text.len() > limits.max_frame_len() {
            return Err(DecodeError::new(
                crate::DecodeErrorKind::FrameTooLarge,
                limits.max_frame_len(),
            ));
        }
        crate::scan::validate_value(text, limits.max_depth())?;
        Ok(Self {
            text: text.trim_matches([' ', '\t', '\n', '\r']),
        })
    }

    /// The JSON text.
    ///
    /// ```
    /// assert_eq!(phx_codec::RawJson::parse(" [1, 2] ")?.as_str(), "[1, 2]");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn as_str(&self) -> &'a str {
        self.text
    }

    /// The JSON text as bytes.
    ///
    /// ```
    /// assert_eq!(phx_codec::RawJson::parse("true")?.as_bytes(), b"true");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The value's JSON type.
    ///
    /// ```
    /// use phx_codec::{JsonKind, RawJson};
    /// assert_eq!(RawJson::parse(r#""s""#)?.kind(), JsonKind::String);
    /// assert_eq!(RawJson::parse("null")?.kind(), JsonKind::Null);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn kind(&self) -> JsonKind {
        match self.text.as_bytes().first() {
            Some(b'{') => JsonKind::Object,
            Some(b'[') => JsonKind::Array,
            Some(b'"') => JsonKind::String,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'n') => JsonKind::Null,
            _ => JsonKind::Number,
        }
    }

    /// Whether the value is `null`.
    ///
    /// ```
    /// assert!(phx_codec::RawJson::parse("null")?.is_null());
    /// assert!(!phx_codec::RawJson::parse("0")?.is_null());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn is_null(&self) -> bool {
        self.text == "null"
    }

    /// The value as a boolean, if it is one.
    ///
    /// ```
    /// assert_eq!(phx_codec::RawJson::parse("false")?.as_bool(), Some(false));
    /// assert_eq!(phx_codec::RawJson::parse("0")?.as_bool(), None);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self.text {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// The value as a string, if it is one (borrowed, unescaped lazily).
    ///
    /// ```
    /// let raw = phx_codec::RawJson::parse(r#""caf\u00e9""#)?;
    /// assert_eq!(raw.as_json_str().unwrap(), "café");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn as_json_str(&self) -> Option<JsonStr<'a>> {
        let inner = self.text.strip_prefix('"')?.strip_suffix('"')?;
        Some(string_from_body(inner))
    }

    /// The value as an `i64`, if it is an integer in range (no fraction or exponent).
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// assert_eq!(RawJson::parse("-42")?.as_i64(), Some(-42));
    /// assert_eq!(RawJson::parse("1.5")?.as_i64(), None);
    /// assert_eq!(RawJson::parse("9223372036854775808")?.as_i64(), None); // past i64
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        parse_i64(self.text.as_bytes())
    }

    /// The value as a `u64`, if it is a non-negative integer in range.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// assert_eq!(RawJson::parse("18446744073709551615")?.as_u64(), Some(u64::MAX));
    /// assert_eq!(RawJson::parse("-1")?.as_u64(), None);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn as_u64(&self) -> Option<u64> {
        if self.kind() != JsonKind::Number {
            return None;
        }
        self.text.parse().ok()
    }

    /// The value as an `f64`, if it is a number (rounded as `JSON.parse` does; huge exponents
    /// give infinity).
    ///
    /// ```
    /// assert_eq!(phx_codec::RawJson::parse("2.5e1")?.as_f64(), Some(25.0));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        if self.kind() != JsonKind::Number {
            return None;
        }
        self.text.parse().ok()
    }

    /// The members of an object, in order (duplicates included), or `None` if the value is not
    /// an object.
    ///
    /// ```
    /// let raw = phx_codec::RawJson::parse(r#"{"a":1,"b":[]}"#)?;
    /// let keys: Vec<String> = raw.members().unwrap().map(|(k, _)| k.to_string()).collect();
    /// assert_eq!(keys, ["a", "b"]);
    /// assert!(phx_codec::RawJson::parse("[]")?.members().is_none());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn members(&self) -> Option<ObjectMembers<'a>> {
        (self.kind() == JsonKind::Object).then_some(ObjectMembers::new(self.text))
    }

    /// The items of an array, or `None` if the value is not an array.
    ///
    /// ```
    /// let raw = phx_codec::RawJson::parse("[1, 2, 3]")?;
    /// assert_eq!(raw.items().unwrap().filter_map(|v| v.as_i64()).sum::<i64>(), 6);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn items(&self) -> Option<ArrayItems<'a>> {
        (self.kind() == JsonKind::Array).then_some(ArrayItems {
            text: self.text,
            pos: 1,
        })
    }

    /// The value of member `key` of an object. With duplicate keys the **last** one wins, as
    /// with `JSON.parse` and Jason.
    ///
    /// ```
    /// let raw = phx_codec::RawJson::parse(r#"{"a":1,"a":2}"#)?;
    /// assert_eq!(raw.get("a").unwrap().as_i64(), Some(2)); // the last one wins
    /// assert!(raw.get("b").is_none());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<RawJson<'a>> {
        self.members()?
            .filter(|(k, _)| k.eq_str(key))
            .last()
            .map(|(_, v)| v)
    }
}

/// The JSON number `text` as an `i64`: `None` for anything else (fractions, exponents, text
/// that is not a number) and out of range. Digit by digit, without `str::parse`'s generality.
#[inline]
pub(crate) fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    // 19 digits always fit a `u64`; the range check below sorts out `i64`.
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    if negative {
        // `-(2^63)` is `i64::MIN`; `0i64 - value` for the rest.
        if value > 1 << 63 {
            None
        } else {
            Some(0i64.wrapping_sub_unsigned(value))
        }
    } else {
        i64::try_from(value).ok()
    }
}

/// A [`JsonStr`] over the validated body of a JSON string.
///
/// Inlined on hosted targets: out of line it returned the string through memory, and where it
/// met a caller's other path (`view::body_str`'s plain strings) the caller read the length
/// and the flags byte back as one 16-byte load across two smaller stores, which x86-64 cannot
/// forward (`perf record`, a shout's `typed`). Inlined, the string stays in registers.
#[cfg_attr(not(target_os = "none"), inline)]
pub(crate) fn string_from_body(body: &str) -> JsonStr<'_> {
    if crate::escape::find_backslash(body.as_bytes()).is_some() {
        JsonStr::from_validated_escaped(body)
    } else {
        JsonStr::from_validated_plain(body)
    }
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", self.text)
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

// ---------------------------------------------------------------------------------------------
// Trusted walking: the text was validated, so these only find boundaries.

#[inline]
pub(crate) fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(i) {
        i += 1;
    }
    i
}

/// Index just past the closing quote of the string whose opening quote is at `i`.
#[inline]
fn string_end(bytes: &[u8], i: usize) -> usize {
    let mut at = i + 1;
    loop {
        // The scanner's own (SSE2/SWAR) search: strings here are short, and a call into
        // `memchr` costs more than the search itself.
        at = crate::stop::find_string_stop(bytes, at);
        match bytes.get(at) {
            Some(b'"') => return at + 1,
            Some(b'\\') => at += 2,
            // Validated text has no raw control characters; step over one regardless.
            Some(_) => at += 1,
            None => return bytes.len(),
        }
    }
}

/// Index just past the value starting at `i`.
pub(crate) fn value_end(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'"') => string_end(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut at = i;
            while let Some(&b) = bytes.get(at) {
                match b {
                    b'"' => {
                        at = string_end(bytes, at);
                        continue;
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
        _ => {
            let mut at = i;
            while let Some(b) = bytes.get(at) {
                if matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                at += 1;
            }
            at
        }
    }
}

/// The members of a validated object. Created by [`RawJson::members`].
///
/// ```
/// let raw = phx_codec::RawJson::parse(r#"{"x":1,"y":2}"#)?;
/// for (key, value) in raw.members().unwrap() {
///     assert!(key == "x" || key == "y");
///     assert_eq!(value.kind(), phx_codec::JsonKind::Number);
/// }
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ObjectMembers<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> ObjectMembers<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 1 }
    }
}

impl<'a> Iterator for ObjectMembers<'a> {
    type Item = (JsonStr<'a>, RawJson<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let key_start = skip_ws(bytes, self.pos);
        if bytes.get(key_start) != Some(&b'"') {
            self.pos = bytes.len();
            return None;
        }
        let key_end = string_end(bytes, key_start);
        let value_start = skip_ws(bytes, skip_ws(bytes, key_end) + 1);
        let value_end = value_end(bytes, value_start);
        let after = skip_ws(bytes, value_end);
        self.pos = if bytes.get(after) == Some(&b',') {
            after + 1
        } else {
            bytes.len()
        };
        let key = string_from_body(self.text.get(key_start + 1..key_end - 1)?);
        let value = RawJson::from_validated(self.text.get(value_start..value_end)?);
        Some((key, value))
    }
}

/// The items of a validated array. Created by [`RawJson::items`].
///
/// ```
/// let raw = phx_codec::RawJson::parse(r#"["a", {"b": 1}]"#)?;
/// let kinds: Vec<_> = raw.items().unwrap().map(|v| v.kind().name()).collect();
/// assert_eq!(kinds, ["string", "object"]);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ArrayItems<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for ArrayItems<'a> {
    type Item = RawJson<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let start = skip_ws(bytes, self.pos);
        if matches!(bytes.get(start), None | Some(b']')) {
            self.pos = bytes.len();
            return None;
        }
        let end = value_end(bytes, start);
        let after = skip_ws(bytes, end);
        self.pos = if bytes.get(after) == Some(&b',') {
            after + 1
        } else {
            bytes.len()
        };
        Some(RawJson::from_validated(self.text.get(start..end)?))
    }
}

// ---------------------------------------------------------------------------------------------
// The member index: spans of a payload object's top-level members, recorded while validating.

/// How many top-level payload members a frame remembers; members past these (or past the
/// first one written with whitespace around its key, or with a key of 32 bytes or more or a
/// value of 1 KiB or more) are found by walking on from the last one recorded. The server's
/// `shout` payload has 17.
pub(crate) const INDEX_CAPACITY: usize = 18;
/// A recorded member: the key body's length in the low [`KEY_BITS`], then the escapes flag,
/// then the value's length.
const KEY_BITS: u32 = 5;
const ESCAPED: u16 = 1 << KEY_BITS;
const VALUE_SHIFT: u32 = KEY_BITS + 1;

/// The first top-level members of a payload object, 2 bytes each: each member's key length
/// and value length. The rest follows from compact JSON: a key's body starts 2 bytes past the
/// previous value's end (`,"`; `{"` for the first), its value 2 bytes past the key's body
/// (`":`); members written otherwise end the recording. Kept small because it travels inside
/// every [`Frame`](crate::Frame).
#[derive(Clone, Copy)]
pub(crate) struct MemberIndex {
    /// Key and value lengths, see [`KEY_BITS`].
    members: [u16; INDEX_CAPACITY],
    len: u8,
    /// The recorded members are all of them (the index is usable on its own); otherwise the
    /// members after them are walked.
    complete: bool,
    /// The payload holds no backslash at all (known only for decoded payloads).
    plain: Option<bool>,
}

/// A recording in progress (see `object_with_index` in `envelope`): the members recorded and
/// where the last one's value ends ([`STOPPED`] once recording stopped); written into the
/// index by [`MemberIndex::finish`].
#[derive(Clone, Copy)]
pub(crate) struct Recording {
    end: usize,
    len: usize,
}

/// [`Recording::end`] once recording has stopped: no key starts 2 bytes after it.
const STOPPED: usize = usize::MAX - 4;

impl MemberIndex {
    pub(crate) const fn unavailable() -> Self {
        Self {
            members: [0; INDEX_CAPACITY],
            len: 0,
            complete: false,
            plain: None,
        }
    }

    /// Records whether the payload had any escape.
    #[inline]
    pub(crate) fn set_plain(&mut self, plain: bool) {
        self.plain = Some(plain);
    }

    /// Whether the payload holds no backslash, when decoding found out.
    #[inline]
    pub(crate) const fn plain(&self) -> Option<bool> {
        self.plain
    }

    /// Starts recording.
    #[inline]
    pub(crate) const fn start() -> Recording {
        Recording { end: 0, len: 0 }
    }

    /// Ends recording: the recorded members are all of them unless it stopped.
    #[inline]
    pub(crate) fn finish(&mut self, rec: Recording) {
        #[allow(clippy::cast_possible_truncation)] // at most `INDEX_CAPACITY`
        {
            self.len = rec.len as u8;
        }
        self.complete = rec.end != STOPPED;
    }

    /// Records one member; offsets are relative to the payload start (the key's body, without
    /// its quotes, whether it has escapes, and the value). Stops recording (the index will be
    /// incomplete) at the first member that is not where compact JSON puts it, too long, or
    /// past the capacity.
    #[allow(clippy::inline_always)] // once per member, in the payload scan's loop
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    pub(crate) fn push(
        &mut self,
        rec: &mut Recording,
        key: (usize, usize, bool),
        value: (usize, usize),
    ) {
        let key_len = key.1.wrapping_sub(key.0);
        let value_len = value.1.wrapping_sub(value.0);
        // One test for all four conditions: the key 2 bytes past the last value and the value
        // 2 bytes past the key (JSON puts at least 2 bytes in each gap, `,"` and `":`, so
        // both hold when the two gaps add up to 4), the key and the value short enough.
        let off = (value.0 ^ rec.end.wrapping_add(key_len).wrapping_add(4))
            | (key_len >> KEY_BITS)
            | (value_len >> (16 - VALUE_SHIFT));
        match self.members.get_mut(rec.len) {
            Some(slot) if off == 0 => {
                #[allow(clippy::cast_possible_truncation)] // both checked above
                {
                    *slot = key_len as u16
                        | if key.2 { ESCAPED } else { 0 }
                        | (value_len as u16) << VALUE_SHIFT;
                }
                rec.len += 1;
                rec.end = value.1;
            }
            _ => rec.end = STOPPED,
        }
    }

    /// The members over `payload`, from the index as far as it goes, then by walking.
    pub(crate) fn members<'a>(&self, payload: RawJson<'a>) -> Members<'_, 'a> {
        if payload.kind() == JsonKind::Object && (self.complete || self.len > 0) {
            Members::Indexed {
                text: payload.text,
                spans: self,
                next: 0,
                end: 0,
            }
        } else {
            Members::Walk(ObjectMembers::new(payload.text))
        }
    }

    /// Member `at`'s span after the previous value's end `end`; `None` past the recorded ones.
    #[allow(clippy::inline_always)] // part of `Members::next`
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    fn span(&self, at: u8, end: usize) -> Option<MemberAt> {
        if at >= self.len {
            return None;
        }
        let member = *self.members.get(usize::from(at))?;
        let key_start = end + 2;
        let key_end = key_start + usize::from(member & (ESCAPED - 1));
        let value_start = key_end + 2;
        Some(MemberAt {
            key: (key_start, key_end),
            escaped: member & ESCAPED != 0,
            value: (
                value_start,
                value_start + usize::from(member >> VALUE_SHIFT),
            ),
        })
    }
}

/// Top-level members of a frame's payload object; from the index decoding recorded as far as
/// it goes, then from a trusted walk.
#[derive(Clone)]
pub(crate) enum Members<'f, 'a> {
    Indexed {
        text: &'a str,
        spans: &'f MemberIndex,
        next: u8,
        /// Where the last member read ends.
        end: usize,
    },
    Walk(ObjectMembers<'a>),
}

impl<'a> Iterator for Members<'_, 'a> {
    type Item = (JsonStr<'a>, RawJson<'a>);

    // Small once walking is out of line: typed views' loops were measured faster with it
    // inlined (callgrind, shout `typed`). Bare-metal builds are held to a code-size budget
    // (`.ci/embedded-size`), so there the compiler decides.
    #[allow(clippy::inline_always)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Members::Walk(walk) => walk_next(walk),
            Members::Indexed {
                text,
                spans,
                next,
                end,
            } => {
                let Some(at) = spans.span(*next, *end) else {
                    if spans.complete {
                        return None;
                    }
                    return walk_on(self).and_then(|walk| walk_next(walk));
                };
                *next += 1;
                *end = at.value.1;
                at.member(text)
            }
        }
    }
}

/// A member as byte ranges of the payload text: the key's body (between the quotes), whether
/// it has escapes, and the value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemberAt {
    pub(crate) key: (usize, usize),
    pub(crate) escaped: bool,
    pub(crate) value: (usize, usize),
}

impl<'a> Members<'_, 'a> {
    /// The payload text the members are in.
    #[inline]
    pub(crate) fn text(&self) -> &'a str {
        match self {
            Members::Indexed { text, .. } => text,
            Members::Walk(walk) => walk.text,
        }
    }

    /// The next member as byte ranges of [`text`](Self::text): no slicing, so no UTF-8
    /// boundary checks.
    #[allow(clippy::inline_always)] // a few loads from the index; every member of a payload
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    pub(crate) fn next_at(&mut self) -> Option<MemberAt> {
        match self {
            Members::Walk(walk) => walk_next_at(walk),
            Members::Indexed {
                spans, next, end, ..
            } => {
                let Some(at) = spans.span(*next, *end) else {
                    if spans.complete {
                        return None;
                    }
                    return walk_on(self).and_then(|walk| walk_next_at(walk));
                };
                *next += 1;
                *end = at.value.1;
                Some(at)
            }
        }
    }
}

/// Past the recorded members of an incomplete index: turns `members` into a walk from the
/// member after the last one recorded.
#[inline(never)]
fn walk_on<'m, 'a>(members: &'m mut Members<'_, 'a>) -> Option<&'m mut ObjectMembers<'a>> {
    if let Members::Indexed { text, end, .. } = *members {
        let bytes = text.as_bytes();
        let pos = if end == 0 {
            1
        } else {
            let after = skip_ws(bytes, end);
            if bytes.get(after) == Some(&b',') {
                after + 1
            } else {
                bytes.len()
            }
        };
        *members = Members::Walk(ObjectMembers { text, pos });
    }
    match members {
        Members::Walk(walk) => Some(walk),
        Members::Indexed { .. } => None,
    }
}

/// [`Members::next_at`] when walking, out of line.
#[inline(never)]
fn walk_next_at(walk: &mut ObjectMembers<'_>) -> Option<MemberAt> {
    let base = walk.text.as_ptr() as usize;
    let (key, value) = walk.next()?;
    let at = |text: &str| {
        let start = (text.as_ptr() as usize).wrapping_sub(base);
        (start, start + text.len())
    };
    Some(MemberAt {
        key: at(key.raw()),
        escaped: key.has_escapes(),
        value: at(value.as_str()),
    })
}

/// The walking fallback, kept out of line so that the indexed path inlines into its callers.
#[inline(never)]
fn walk_next<'a>(walk: &mut ObjectMembers<'a>) -> Option<(JsonStr<'a>, RawJson<'a>)> {
    walk.next()
}

impl MemberAt {
    /// The key and value at these ranges of the payload `text`.
    #[allow(clippy::inline_always)] // part of `Members::next`
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    fn member(self, text: &str) -> Option<(JsonStr<'_>, RawJson<'_>)> {
        let key_raw = text.get(self.key.0..self.key.1)?;
        let key = if self.escaped {
            JsonStr::from_validated_escaped(key_raw)
        } else {
            JsonStr::from_validated_plain(key_raw)
        };
        let value = text.get(self.value.0..self.value.1)?;
        Some((key, RawJson::from_validated(value)))
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::{JsonKind, RawJson};
    use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};

    /// A number that is not an integer in `i64`/`u64` range, or not written canonically
    /// (`1.50`, `1e3`, `-0`, `123456789012345678901234567890`).
    ///
    /// With the `serde_json` feature and a human-readable serializer, it is serialized as a
    /// `serde_json::value::RawValue`: `serde_json` writes its text exactly. Other serializers
    /// see a struct named `$serde_json::private::RawValue`, which is why compact formats
    /// (`is_human_readable() == false`: bincode, postcard, CBOR...) get the `f64` instead.
    /// Without the feature every such number is an `f64` (rounded, as `JSON.parse` reads it).
    fn serialize_other_number<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
        #[cfg(feature = "serde_json")]
        if serializer.is_human_readable() {
            use serde::Serialize as _;
            let raw: &serde_json::value::RawValue =
                serde_json::from_str(text).map_err(S::Error::custom)?;
            return raw.serialize(serializer);
        }
        serializer.serialize_f64(text.parse().unwrap_or(f64::NAN))
    }

    /// Serializes the JSON value into the serde data model (objects as maps, numbers as
    /// `i64`/`u64`/`f64`). Depth is bounded by the limits it was validated with.
    impl serde::Serialize for RawJson<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self.kind() {
                JsonKind::Null => serializer.serialize_unit(),
                JsonKind::Bool => serializer.serialize_bool(self.as_bool() == Some(true)),
                JsonKind::String => match self.as_json_str() {
                    Some(s) => s.serialize(serializer),
                    None => Err(S::Error::custom("malformed string")),
                },
                JsonKind::Number => {
                    // `-0` parses as the integer 0, which would be written `0`.
                    let exact_int = self.as_str() != "-0";
                    if let (true, Some(n)) = (exact_int, self.as_u64()) {
                        serializer.serialize_u64(n)
                    } else if let (true, Some(n)) = (exact_int, self.as_i64()) {
                        serializer.serialize_i64(n)
                    } else {
                        serialize_other_number(self.as_str(), serializer)
                    }
                }
                JsonKind::Array => {
                    let mut seq = serializer.serialize_seq(None)?;
                    for item in self.items().into_iter().flatten() {
                        seq.serialize_element(&item)?;
                    }
                    seq.end()
                }
                JsonKind::Object => {
                    let mut map = serializer.serialize_map(None)?;
                    for (k, v) in self.members().into_iter().flatten() {
                        map.serialize_entry(&k, &v)?;
                    }
                    map.end()
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "raw_tests.rs"]
mod tests;
