//! Presence keys (`user:<int>`, `customer:<uuid>`) and metas, and the meta reader the
//! presence iterators share; re-exported by [`presence`](crate::presence).

use core::fmt;

use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::view::{Fill, Span, TypedObject, check_len, read_int, read_str, wrong_type};
use crate::message::walk::{Cursor, Key, Walk, close_quote};
use crate::raw::{JsonKind, RawJson, parse_i64, string_from_body};
use crate::scan::Scanner;
use crate::stop::find_string_stop;
use crate::string::JsonStr;
/// A presence key, parsed from Papercups' forms.
///
/// ```
/// use phx_codec::presence::PresenceKey;
/// let key = PresenceKey::parse("customer:c6f1".into());
/// assert_eq!(key.customer_id().unwrap(), "c6f1");
/// assert_eq!(key.to_string(), "customer:c6f1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PresenceKey<'a> {
    /// `user:<integer>`: an agent (the integer is written canonically: no sign, no leading
    /// zeros).
    User(i64),
    /// `customer:<uuid>`: a customer (the part after `customer:`, non-empty).
    Customer(JsonStr<'a>),
    /// Any other key, whole.
    Other(JsonStr<'a>),
}

impl<'a> PresenceKey<'a> {
    /// Parses a key. Anything that is not exactly `user:<canonical integer>` or
    /// `customer:<something>` is [`PresenceKey::Other`], so [`Display`](fmt::Display) always
    /// writes the key back as it was received.
    ///
    /// ```
    /// use phx_codec::presence::PresenceKey;
    /// assert_eq!(PresenceKey::parse("user:8".into()), PresenceKey::User(8));
    /// assert_eq!(PresenceKey::parse("customer:c6f1".into()), PresenceKey::Customer("c6f1".into()));
    /// assert_eq!(PresenceKey::parse("user:08".into()), PresenceKey::Other("user:08".into()));
    /// ```
    pub fn parse(key: JsonStr<'a>) -> Self {
        // `user:<digits>` without escapes (what Phoenix sends): the digits read in place.
        if let Some(id) = key
            .as_str()
            .and_then(|text| text.as_bytes().strip_prefix(b"user:"))
            .and_then(canonical_digits)
        {
            return Self::User(id);
        }
        if let Some(id) = key.strip_prefix("user:").and_then(canonical_int) {
            return Self::User(id);
        }
        match key.strip_prefix("customer:") {
            Some(id) if !id.is_empty() => Self::Customer(id),
            _ => Self::Other(key),
        }
    }

    /// [`parse`](Self::parse) with its common case, `user:<up to 18 digits>` without escapes
    /// (what Phoenix sends for an agent), inlined into the presence reader.
    #[inline(always)]
    #[allow(clippy::inline_always)] // one per presence key; the rest stays out of line
    pub(crate) fn parse_inline(key: JsonStr<'a>) -> Self {
        if let Some(id) = key
            .as_str()
            .and_then(|text| text.as_bytes().strip_prefix(b"user:"))
            .and_then(short_digits)
        {
            return Self::User(id);
        }
        Self::parse(key)
    }

    /// The agent's id for `user:` keys.
    ///
    /// ```
    /// use phx_codec::presence::PresenceKey;
    /// assert_eq!(PresenceKey::parse("user:7".into()).user_id(), Some(7));
    /// assert_eq!(PresenceKey::parse("customer:c1".into()).user_id(), None);
    /// ```
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::User(id) => Some(*id),
            _ => None,
        }
    }

    /// The customer's id for `customer:` keys.
    ///
    /// ```
    /// use phx_codec::presence::PresenceKey;
    /// assert!(PresenceKey::parse("user:7".into()).customer_id().is_none());
    /// ```
    pub fn customer_id(&self) -> Option<JsonStr<'a>> {
        match self {
            Self::Customer(id) => Some(*id),
            _ => None,
        }
    }
}

/// A non-negative integer written without sign or leading zeros.
fn canonical_int(text: JsonStr<'_>) -> Option<i64> {
    let mut buf = [0u8; 24];
    let text = match text.as_str() {
        Some(text) => text,
        None => text.unescape_into(&mut buf).ok()?,
    };
    canonical_digits(text.as_bytes())
}

/// `digits` as a non-negative integer written without sign or leading zeros.
#[inline]
fn canonical_digits(digits: &[u8]) -> Option<i64> {
    match digits {
        [b'0'] => Some(0),
        [b'1'..=b'9', ..] if digits.len() <= 18 => short_digits(digits),
        [b'1'..=b'9', ..] => parse_i64(digits),
        _ => None,
    }
}

/// `digits` as an integer when they are `[1-9][0-9]{0,17}` (so no overflow: no range
/// check): one pass with no early exit, the digits checked all at once. The digit loop of
/// [`canonical_digits`] and of [`PresenceKey::parse_inline`].
#[inline(always)]
#[allow(clippy::inline_always)] // one per presence key, in the presence readers' loops
fn short_digits(digits: &[u8]) -> Option<i64> {
    if !matches!(digits, [b'1'..=b'9', ..]) || digits.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    let mut ok = true;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        ok &= digit <= 9;
        value = value.wrapping_mul(10).wrapping_add(i64::from(digit));
    }
    ok.then_some(value)
}

impl fmt::Display for PresenceKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{id}"),
            Self::Customer(id) => write!(f, "customer:{id}"),
            Self::Other(key) => fmt::Display::fmt(key, f),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PresenceKey<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One presence of a key (a tab, a device): `{"phx_ref": .., "online_at": .., "user_id" |
/// "customer_id": ..}`. Other tracked fields stay in [`raw`](Self::raw).
///
/// ```
/// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
/// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
/// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
/// let (_, mut metas) = state.entries().next().unwrap();
/// let meta = metas.next().unwrap();
/// assert_eq!((meta.phx_ref().unwrap(), meta.user_id()), ("F1".into(), Some(7)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With the `serde` feature it serializes as an object of the fields that are present.
//
// Written out rather than declared with `typed_object!` so that `user_id` is kept as the
// value the reader parsed (its accessor does not parse the digits a second time); the
// struct stays 64 bytes on 64-bit targets (the flag sits next to `plain`).
#[derive(Clone, Copy, Debug)]
pub struct Meta<'a> {
    raw: RawJson<'a>,
    /// The payload has no backslash, so every string in it is literal.
    plain: bool,
    /// `user_id` was present (and not null): `user_id_value` holds it.
    has_user_id: bool,
    phx_ref: Span,
    phx_ref_prev: Span,
    online_at: Span,
    customer_id: Span,
    user_id_value: i64,
}

/// Equal when read from the same text with the same fields: `plain` is left out, as it only
/// caches a fact about the text (a reader that knows the whole payload has no backslash says
/// so for each meta; one that reads a meta before the rest of the payload says it for the
/// meta alone), and changes nothing an accessor returns.
impl PartialEq for Meta<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
            && self.has_user_id == other.has_user_id
            && self.phx_ref == other.phx_ref
            && self.phx_ref_prev == other.phx_ref_prev
            && self.online_at == other.online_at
            && self.customer_id == other.customer_id
            && self.user_id_value == other.user_id_value
    }
}

impl Eq for Meta<'_> {}

/// [`Meta`]'s fields' paths in errors, in the order of [`MetaField`].
const META_NAMES: &[&str] = &[
    "metas[].phx_ref",
    "metas[].phx_ref_prev",
    "metas[].online_at",
    "metas[].user_id",
    "metas[].customer_id",
];

impl<'a> Meta<'a> {
    /// Reads a JSON object as a meta, in one pass, checking the type of every known field
    /// (as [`Frame::message`](crate::Frame::message) does for a payload).
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"unknown":1}"#)?)?;
    /// assert_eq!(view.raw().get("unknown").unwrap().as_i64(), Some(1));
    /// assert!(Meta::parse(RawJson::parse("[]")?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(object: RawJson<'a>) -> Result<Self, MessageError> {
        match object.kind() {
            JsonKind::Object => <Self as TypedObject<'a>>::from_walk(
                object,
                object.as_str(),
                crate::message::view::is_plain(object),
            ),
            _ => Err(MessageError {
                kind: MessageErrorKind::PayloadNotObject {
                    found: object.kind(),
                },
                offset: 0,
            }),
        }
    }

    /// The object as received (unknown members included).
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"a": [1]}"#)?)?;
    /// assert_eq!(view.raw().as_str(), r#"{"a": [1]}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn raw(&self) -> RawJson<'a> {
        self.raw
    }

    /// The string field at `span`: the body of a validated JSON string, so without a
    /// backslash (always, when the text has none: `plain`) it is JSON-safe as it is. The
    /// same string whoever read the meta, whatever else the payload holds.
    #[inline]
    fn str_at(&self, span: Span) -> Option<JsonStr<'a>> {
        let body = span.get(self.raw.as_str())?;
        Some(if self.plain {
            JsonStr::from_validated_plain(body)
        } else {
            string_from_body(body)
        })
    }

    /// This presence's ref (short URL-safe base64).
    ///
    /// `"phx_ref"`: a string; `None` when absent or null.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"phx_ref":"x"}"#)?)?;
    /// assert_eq!(view.phx_ref().unwrap(), "x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn phx_ref(&self) -> Option<JsonStr<'a>> {
        self.str_at(self.phx_ref)
    }

    /// The ref this presence replaces (in the `joins` of an update).
    ///
    /// `"phx_ref_prev"`: a string; `None` when absent or null.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"phx_ref_prev":"x"}"#)?)?;
    /// assert_eq!(view.phx_ref_prev().unwrap(), "x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn phx_ref_prev(&self) -> Option<JsonStr<'a>> {
        self.str_at(self.phx_ref_prev)
    }

    /// When it came online: a string of Unix seconds (see
    /// [`online_at_secs`](Self::online_at_secs)).
    ///
    /// `"online_at"`: a string; `None` when absent or null.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"online_at":"x"}"#)?)?;
    /// assert_eq!(view.online_at().unwrap(), "x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn online_at(&self) -> Option<JsonStr<'a>> {
        self.str_at(self.online_at)
    }

    /// The agent's id (`user:` keys).
    ///
    /// `"user_id"`: an integer; `None` when absent or null.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"user_id":3}"#)?)?;
    /// assert_eq!(view.user_id(), Some(3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn user_id(&self) -> Option<i64> {
        self.has_user_id.then_some(self.user_id_value)
    }

    /// The customer's id (`customer:` keys).
    ///
    /// `"customer_id"`: a string; `None` when absent or null.
    ///
    /// ```
    /// use phx_codec::RawJson;
    /// use phx_codec::presence::Meta;
    /// let view = Meta::parse(RawJson::parse(r#"{"customer_id":"x"}"#)?)?;
    /// assert_eq!(view.customer_id().unwrap(), "x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn customer_id(&self) -> Option<JsonStr<'a>> {
        self.str_at(self.customer_id)
    }

    /// Records `user_id` (`None`: null).
    #[inline]
    fn set_user_id(&mut self, id: Option<i64>) {
        self.has_user_id = id.is_some();
        self.user_id_value = id.unwrap_or(0);
    }
}

impl<'a> TypedObject<'a> for Meta<'a> {
    #[inline]
    fn empty(raw: RawJson<'a>, plain: bool) -> Self {
        Self {
            raw,
            plain,
            has_user_id: false,
            phx_ref: Span::ABSENT,
            phx_ref_prev: Span::ABSENT,
            online_at: Span::ABSENT,
            customer_id: Span::ABSENT,
            user_id_value: 0,
        }
    }

    #[inline]
    fn object(&self) -> RawJson<'a> {
        self.raw
    }

    #[inline]
    fn set_object(&mut self, raw: RawJson<'a>) {
        self.raw = raw;
    }

    #[inline]
    fn set_plain(&mut self, plain: bool) {
        self.plain = plain;
    }

    /// The generic fill (any cursor): what `typed_object!` would generate, with the keys
    /// matched by [`MetaField`].
    #[inline(never)]
    fn fill_from<C: Cursor<'a>>(&mut self, cur: &mut C, base: &'a str) -> Result<(), MessageError> {
        check_len(self.raw, base)?;
        let mut fill = Fill {
            obj: self.raw.as_str(),
            base,
            plain: self.plain,
            names: META_NAMES,
            error: None,
        };
        while let Some(key) = cur.next_key() {
            let field = if key.escaped {
                MetaField::escaped(key)
            } else {
                MetaField::of(key.bytes)
            };
            let Some(field) = field else {
                cur.skip();
                continue;
            };
            let index = field as usize;
            let ok = match field {
                MetaField::PhxRef => read_str(cur, &mut fill, index, &mut self.phx_ref),
                MetaField::PhxRefPrev => read_str(cur, &mut fill, index, &mut self.phx_ref_prev),
                MetaField::OnlineAt => read_str(cur, &mut fill, index, &mut self.online_at),
                MetaField::CustomerId => read_str(cur, &mut fill, index, &mut self.customer_id),
                MetaField::UserId => {
                    let mut span = Span::ABSENT;
                    let ok = read_int(cur, &mut fill, index, &mut span);
                    if ok {
                        let id = span
                            .get(fill.obj)
                            .and_then(|text| parse_i64(text.as_bytes()));
                        self.set_user_id(id);
                    }
                    ok
                }
            };
            if !ok {
                break;
            }
        }
        fill.finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Meta<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if let Some(value) = self.phx_ref() {
            map.serialize_entry("phx_ref", &value)?;
        }
        if let Some(value) = self.phx_ref_prev() {
            map.serialize_entry("phx_ref_prev", &value)?;
        }
        if let Some(value) = self.online_at() {
            map.serialize_entry("online_at", &value)?;
        }
        if let Some(value) = self.user_id() {
            map.serialize_entry("user_id", &value)?;
        }
        if let Some(value) = self.customer_id() {
            map.serialize_entry("customer_id", &value)?;
        }
        map.end()
    }
}

impl Meta<'_> {
    /// `online_at` parsed as Unix seconds; `None` when absent or not a plain decimal integer.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
    /// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
    /// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
    /// let (_, mut metas) = state.entries().next().unwrap();
    /// assert_eq!(metas.next().unwrap().online_at_secs(), Some(1_732_460_000));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn online_at_secs(&self) -> Option<u64> {
        // Digit by digit over the unescaped text, so `"\u0031..."` reads like `"1..."`.
        let mut secs: u64 = 0;
        let mut digits = 0usize;
        for c in self.online_at()?.chars() {
            let digit = c.to_digit(10)?;
            secs = secs.checked_mul(10)?.checked_add(u64::from(digit))?;
            digits += 1;
        }
        (digits > 0).then_some(secs)
    }
}

/// Reads the meta at the cursor (`walk.peek() == b'{'`) exactly as the generic typed-view
/// fill does (`object_at::<Meta>`: the same spans, checks, errors and offsets, the last of
/// duplicate keys winning), with the keys matched by a `match` on their bytes and each value
/// read by its field's kind: the inner loop of a presence payload. `base` is the payload's
/// text (for error offsets), `plain` says it has no backslash. Pinned against `object_at`
/// by the presence tests.
#[inline]
pub(crate) fn read_meta<'a>(
    walk: &mut Walk<'a>,
    base: &'a str,
    plain: bool,
) -> Result<Meta<'a>, MessageError> {
    let (read, raw) = walk.object(|raw, walk| fill_meta(raw, walk, base, plain));
    let mut meta = read?;
    meta.raw = raw;
    Ok(meta)
}

/// [`read_meta`]'s reading of the members: `raw` is the text from the meta's `{` on, `walk`
/// stands just inside it.
///
/// Each member in the form Phoenix writes it (`"known_key":` then a string, or a short
/// positive integer for `user_id`) is read by [`fast_member`] straight from the text; any
/// other member (whitespace, escapes, null, unknown keys, long or mistyped values) is read
/// through the walk by [`slow_member`], from its start, as before. Both record the same
/// spans, so which one read a member does not show.
#[inline]
fn fill_meta<'a>(
    raw: RawJson<'a>,
    walk: &mut Walk<'a>,
    base: &'a str,
    plain: bool,
) -> Result<Meta<'a>, MessageError> {
    check_len(raw, base)?;
    let obj = raw.as_str();
    let mut meta = Meta::empty(raw, plain);
    let (bytes, mut at) = walk.bytes_at();
    loop {
        let mut b = bytes.get(at).copied();
        if b == Some(b',') {
            at += 1;
            b = bytes.get(at).copied();
        }
        match b {
            Some(b'}') => {
                walk.set_pos(at + 1);
                break;
            }
            Some(b'"') => {
                if let Some(next) = fast_member::<false>(bytes, at, obj, &mut meta) {
                    at = next;
                    continue;
                }
            }
            _ => {}
        }
        walk.set_pos(at);
        let Some(key) = walk.next_key() else {
            break;
        };
        slow_member(key, walk, obj, base, &mut meta)?;
        at = walk.bytes_at().1;
    }
    Ok(meta)
}

/// Reads **and validates** the meta whose `{` is at `open` in `text` (UTF-8, but not yet known
/// to be JSON): what [`read_meta`] reads from the same text once validated (the same spans and
/// values, so an equal [`Meta`]), and the index just past its `}`. `value_depth` is the
/// number of containers open around the meta's member values, `max_depth` the depth limit.
/// `None` at the first surprise: a syntax error, a type error, a depth over the limit, or
/// text past `u32` offsets; the caller then reads the frame the two-pass way, which finds
/// what it is. Members in the form Phoenix writes are read by [`fast_member`] (checking);
/// any other form by [`scan_member`], through the validating scanner.
///
/// The meta's `plain` says that the meta itself has no backslash.
#[inline(always)]
#[allow(clippy::inline_always)] // the inner step of the presence stream: one per meta
pub(crate) fn scan_meta(
    text: &str,
    open: usize,
    value_depth: u32,
    max_depth: u32,
) -> Option<(Meta<'_>, usize)> {
    let bytes = text.as_bytes();
    let obj = text.get(open..)?;
    let mut meta = Meta::empty(RawJson::from_validated(obj), true);
    let mut at = open + 1;
    let mut first = true;
    loop {
        let mut b = bytes.get(at).copied();
        if b == Some(b'}') {
            at += 1;
            break;
        }
        let from = at;
        if !first && b == Some(b',') {
            at += 1;
            b = bytes.get(at).copied();
        }
        if (first || at > from)
            && b == Some(b'"')
            && let Some(next) = fast_member::<true>(bytes, at, obj, &mut meta)
        {
            at = next;
            first = false;
            continue;
        }
        match scan_member(text, from, first, obj, &mut meta, value_depth, max_depth)? {
            Scanned::Member { end, escaped } => {
                at = end;
                first = false;
                meta.plain &= !escaped;
            }
            Scanned::Closed { end } => {
                at = end;
                break;
            }
        }
    }
    meta.raw = RawJson::from_validated(text.get(open..at)?);
    Some((meta, at))
}

/// What [`scan_member`] read.
enum Scanned {
    /// A member, up to `end`; `escaped`: its text has a backslash.
    Member { end: usize, escaped: bool },
    /// The object's `}`, ending just before `end`.
    Closed { end: usize },
}

/// One step of [`scan_meta`] through the validating scanner, from `at` (before the `,` that
/// ends the member before, unless `first`): the next member, type-checked and recorded as
/// [`slow_member`] records it, or the object's close. `None` at a syntax or type error.
#[cold]
#[inline(never)]
fn scan_member<'a>(
    text: &'a str,
    at: usize,
    first: bool,
    obj: &str,
    meta: &mut Meta<'a>,
    value_depth: u32,
    max_depth: u32,
) -> Option<Scanned> {
    let mut s = Scanner::new(text, max_depth);
    s.rewind(at);
    let mut t = s.peek_token().ok()?;
    if t == b'}' {
        s.bump();
        return Some(Scanned::Closed { end: s.pos() });
    }
    if !first {
        if t != b',' {
            return None;
        }
        s.bump();
        t = s.peek_token().ok()?;
    }
    s.saw_escape = false;
    let name = s.object_key(t).ok()?;
    let v = s.peek_token().ok()?;
    let key = Key {
        bytes: name.raw().as_bytes(),
        escaped: name.has_escapes(),
    };
    let field = if key.escaped {
        MetaField::escaped(key)
    } else {
        MetaField::of(key.bytes)
    };
    let slot = match field {
        Some(MetaField::PhxRef) => &mut meta.phx_ref,
        Some(MetaField::PhxRefPrev) => &mut meta.phx_ref_prev,
        Some(MetaField::OnlineAt) => &mut meta.online_at,
        Some(MetaField::CustomerId) => &mut meta.customer_id,
        Some(MetaField::UserId) => {
            let start = s.pos();
            match v {
                b'-' | b'0'..=b'9' | b'n' => s.value(value_depth).ok()?,
                _ => return None,
            };
            let id = match v {
                b'n' => None,
                _ => Some(parse_i64(text.as_bytes().get(start..s.pos())?)?),
            };
            meta.set_user_id(id);
            return Some(Scanned::Member {
                end: s.pos(),
                escaped: s.saw_escape,
            });
        }
        None => {
            s.value(value_depth).ok()?;
            return Some(Scanned::Member {
                end: s.pos(),
                escaped: s.saw_escape,
            });
        }
    };
    *slot = match v {
        b'"' => Span::of(obj, s.string().ok()?.raw().as_bytes()),
        b'n' => {
            s.value(value_depth).ok()?;
            Span::ABSENT
        }
        _ => return None,
    };
    Some(Scanned::Member {
        end: s.pos(),
        escaped: s.saw_escape,
    })
}

/// The bytes [`fast_member`] sees at once: a member's longest key and quotes, its colon and
/// a 16-byte string body with its closing quote (33 bytes), and room for the byte after.
const WINDOW: usize = 40;

/// Reads the member whose key's opening quote is at `at` when it is in the form Phoenix
/// writes: a [`Meta`] key without escapes, a colon right after it, and a string (without
/// whitespace before it), or for `user_id` a positive integer of up to 8 digits right before
/// a `,` or `}`; and [`WINDOW`] bytes of text are left from `at` (so every position it tests
/// is a constant offset into one array: no bounds checks). Returns where the member ends;
/// `None` (having recorded nothing) for any other form.
#[inline(always)]
#[allow(clippy::inline_always)] // the inner step of a presence payload: four per meta
fn fast_member<const CHECKED: bool>(
    bytes: &[u8],
    at: usize,
    obj: &str,
    meta: &mut Meta<'_>,
) -> Option<usize> {
    // A key's first 8 bytes tell which it can be; the bytes after them, up to its closing
    // quote, that it is. An unescaped `"` ends a string, so `phx_ref"` is the key `phx_ref`.
    const ONLINE_A: u64 = u64::from_le_bytes(*b"online_a");
    const PHX_REF: u64 = u64::from_le_bytes(*b"phx_ref\"");
    const PHX_REF_: u64 = u64::from_le_bytes(*b"phx_ref_");
    const USER_ID: u64 = u64::from_le_bytes(*b"user_id\"");
    const CUSTOMER: u64 = u64::from_le_bytes(*b"customer");
    let window: &[u8; WINDOW] = bytes.get(at..)?.first_chunk::<WINDOW>()?;
    let (_, key) = window.split_first_chunk::<1>()?;
    let (head, tail) = key.split_first_chunk::<8>()?;
    // Each arm: the key's length and quote (`1 + len + 1`), its colon, the value.
    match u64::from_le_bytes(*head) {
        PHX_REF if window[9] == b':' => {
            let (span, end) = window_str::<10, CHECKED>(bytes, at, window, obj)?;
            meta.phx_ref = span;
            Some(end)
        }
        USER_ID if window[9] == b':' => {
            let end = short_int_end(window)?;
            // Up to 8 digits, checked by `short_int_end`: no overflow.
            let mut id: i64 = 0;
            for &b in window.get(10..end)? {
                id = id * 10 + i64::from(b - b'0');
            }
            meta.set_user_id(Some(id));
            Some(at + end)
        }
        ONLINE_A if tail.starts_with(b"t\":") => {
            let (span, end) = window_str::<12, CHECKED>(bytes, at, window, obj)?;
            meta.online_at = span;
            Some(end)
        }
        PHX_REF_ if tail.starts_with(b"prev\":") => {
            let (span, end) = window_str::<15, CHECKED>(bytes, at, window, obj)?;
            meta.phx_ref_prev = span;
            Some(end)
        }
        CUSTOMER if tail.starts_with(b"_id\":") => {
            let (span, end) = window_str::<14, CHECKED>(bytes, at, window, obj)?;
            meta.customer_id = span;
            Some(end)
        }
        _ => None,
    }
}

/// The string value at `window[V]` (`window` is the text from `at` on): its body's span in
/// `obj` and the index just past it. `None` when no string starts there.
#[inline(always)]
#[allow(clippy::inline_always)] // three per meta
fn window_str<const V: usize, const CHECKED: bool>(
    bytes: &[u8],
    at: usize,
    window: &[u8; WINDOW],
    obj: &str,
) -> Option<(Span, usize)> {
    if window.get(V) != Some(&b'"') {
        return None;
    }
    let body = V + 1;
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Some(block) = window.get(body..).and_then(<[u8]>::first_chunk::<16>) {
        let mask = crate::simd::string_stop_mask16(block);
        let end = if mask == 0 {
            // 16 bytes without a stop: a 16-byte body ends at the next byte, a longer one
            // is searched from there (no escape starts before it).
            if window.get(body + 16) == Some(&b'"') {
                body + 16
            } else {
                let end = string_end::<CHECKED>(bytes, at + body + 16)?;
                return Some((Span::of(obj, bytes.get(at + body..end)?), end + 1));
            }
        } else {
            mask.trailing_zeros() as usize + body
        };
        if window.get(end) == Some(&b'"') {
            return Some((Span::of(obj, window.get(body..end)?), at + end + 1));
        }
        // An escape or a control byte: not this path's when checking.
        if CHECKED {
            return None;
        }
    }
    let end = string_end::<CHECKED>(bytes, at + body)?;
    Some((Span::of(obj, bytes.get(at + body..end)?), end + 1))
}

/// The closing quote of the string body from `at` on: in validated text, wherever it is
/// ([`close_quote`]); when `CHECKED` (text not validated yet), only when the body's first stop
/// is that quote (no escape, no control byte: with UTF-8 known, a valid string), else `None`.
#[inline(always)]
#[allow(clippy::inline_always)] // two uses in `window_str`, one of them constant-folded away
fn string_end<const CHECKED: bool>(bytes: &[u8], at: usize) -> Option<usize> {
    if CHECKED {
        let end = find_string_stop(bytes, at);
        (bytes.get(end) == Some(&b'"')).then_some(end)
    } else {
        Some(close_quote(bytes, at).0)
    }
}

/// The end (in `window`) of the integer at `window[10]` when it is `[1-9][0-9]{0,7}`
/// followed by `,` or `}` (so an `i64`, its text what [`Walk::scalar`](Cursor::scalar)
/// takes): the digits found with one 8-byte test, no loop. `None` for any other text.
#[inline(always)]
#[allow(clippy::inline_always)] // one per meta
fn short_int_end(window: &[u8; WINDOW]) -> Option<usize> {
    const LOW: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let digits = window.get(10..)?.first_chunk::<8>()?;
    if !matches!(digits[0], b'1'..=b'9') {
        return None;
    }
    let word = u64::from_le_bytes(*digits);
    // A byte is a digit when its high nibble is 3 and stays 3 with 6 added (`0`-`9`, not
    // `:`-`?`). A carry out of a byte (`0xFA`-`0xFF`) only reaches later bytes: the first
    // non-digit is found exactly.
    let other = ((word & HIGH) ^ LOW) | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ LOW);
    let end = 10 + (other.trailing_zeros() / 8) as usize;
    matches!(window.get(end), Some(b',' | b'}')).then_some(end)
}

/// One member of a meta read through the walk (the cursor at its value): the generic path,
/// for every form [`fast_member`] does not take.
#[cold]
#[inline(never)]
fn slow_member<'a>(
    key: Key<'a>,
    walk: &mut Walk<'a>,
    obj: &str,
    base: &str,
    meta: &mut Meta<'a>,
) -> Result<(), MessageError> {
    let field = if key.escaped {
        MetaField::escaped(key)
    } else {
        MetaField::of(key.bytes)
    };
    match field {
        Some(MetaField::PhxRef) => {
            meta.phx_ref = meta_str(walk, obj, base, "metas[].phx_ref")?;
        }
        Some(MetaField::PhxRefPrev) => {
            meta.phx_ref_prev = meta_str(walk, obj, base, "metas[].phx_ref_prev")?;
        }
        Some(MetaField::OnlineAt) => {
            meta.online_at = meta_str(walk, obj, base, "metas[].online_at")?;
        }
        Some(MetaField::UserId) => {
            let id = meta_int(walk, base, "metas[].user_id")?;
            meta.set_user_id(id);
        }
        Some(MetaField::CustomerId) => {
            meta.customer_id = meta_str(walk, obj, base, "metas[].customer_id")?;
        }
        None => walk.skip(),
    }
    Ok(())
}

/// The fields of a [`Meta`] (in the order of [`META_NAMES`]).
#[derive(Clone, Copy)]
enum MetaField {
    PhxRef,
    PhxRefPrev,
    OnlineAt,
    UserId,
    CustomerId,
}

impl MetaField {
    /// The field whose key is `key` (its bytes, without escapes).
    #[inline(always)]
    #[allow(clippy::inline_always)] // a length switch and a compare, for every meta member
    fn of(key: &[u8]) -> Option<Self> {
        // Every key is 7 to 12 bytes: two overlapping words (4 bytes for 7, 8 bytes for the
        // longer ones) hold all of its bytes, compared with the known keys' words.
        const PHX_REF: (u32, u32) = words4(b"phx_ref");
        const USER_ID: (u32, u32) = words4(b"user_id");
        const ONLINE_AT: (u64, u64) = words8(b"online_at");
        const CUSTOMER_ID: (u64, u64) = words8(b"customer_id");
        const PHX_REF_PREV: (u64, u64) = words8(b"phx_ref_prev");
        if let (Some(head), Some(tail)) = (key.first_chunk::<8>(), key.last_chunk::<8>()) {
            let words = (u64::from_le_bytes(*head), u64::from_le_bytes(*tail));
            match key.len() {
                9 if words == ONLINE_AT => Some(Self::OnlineAt),
                11 if words == CUSTOMER_ID => Some(Self::CustomerId),
                12 if words == PHX_REF_PREV => Some(Self::PhxRefPrev),
                _ => None,
            }
        } else if let (7, Some(head), Some(tail)) =
            (key.len(), key.first_chunk::<4>(), key.last_chunk::<4>())
        {
            let words = (u32::from_le_bytes(*head), u32::from_le_bytes(*tail));
            if words == PHX_REF {
                Some(Self::PhxRef)
            } else if words == USER_ID {
                Some(Self::UserId)
            } else {
                None
            }
        } else {
            None
        }
    }

    /// The field whose key, unescaped, is `key`'s.
    #[cold]
    #[inline(never)]
    fn escaped(key: Key<'_>) -> Option<Self> {
        [
            ("phx_ref", Self::PhxRef),
            ("user_id", Self::UserId),
            ("online_at", Self::OnlineAt),
            ("phx_ref_prev", Self::PhxRefPrev),
            ("customer_id", Self::CustomerId),
        ]
        .into_iter()
        .find_map(|(name, field)| key.is(name).then_some(field))
    }
}

/// The first and last 8 bytes of `key` (at least 8 bytes), little-endian.
const fn words8(key: &[u8]) -> (u64, u64) {
    match (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
        _ => (0, 0),
    }
}

/// The first and last 4 bytes of `key` (at least 4 bytes), little-endian.
const fn words4(key: &[u8]) -> (u32, u32) {
    match (key.first_chunk::<4>(), key.last_chunk::<4>()) {
        (Some(head), Some(tail)) => (u32::from_le_bytes(*head), u32::from_le_bytes(*tail)),
        _ => (0, 0),
    }
}

/// A string meta field at the cursor: the span of its body in `obj`, absent for null.
#[inline(always)]
#[allow(clippy::inline_always)] // three per meta
fn meta_str(
    walk: &mut Walk<'_>,
    obj: &str,
    base: &str,
    field: &'static str,
) -> Result<Span, MessageError> {
    match walk.peek() {
        b'"' => Ok(Span::of(obj, walk.string_body())),
        b'n' => {
            walk.skip();
            Ok(Span::ABSENT)
        }
        _ => Err(wrong_type(field, JsonKind::String, walk.value(), base)),
    }
}

/// An integer meta field (in `i64` range) at the cursor: its value, `None` for null.
#[inline(always)]
#[allow(clippy::inline_always)] // one per meta
fn meta_int(
    walk: &mut Walk<'_>,
    base: &str,
    field: &'static str,
) -> Result<Option<i64>, MessageError> {
    match walk.peek() {
        b'-' | b'0'..=b'9' => {
            let text = walk.scalar();
            match parse_i64(text) {
                Some(id) => Ok(Some(id)),
                None => Err(not_an_integer(field, text, base)),
            }
        }
        b'n' => {
            walk.skip();
            Ok(None)
        }
        _ => Err(wrong_type(field, JsonKind::Number, walk.value(), base)),
    }
}

#[cold]
fn not_an_integer(field: &'static str, text: &[u8], base: &str) -> MessageError {
    MessageError {
        kind: MessageErrorKind::NotAnInteger { field },
        offset: (text.as_ptr() as usize).saturating_sub(base.as_ptr() as usize),
    }
}

/// Whether a member's key is `metas`.
#[inline]
pub(crate) fn is_metas(key: Key<'_>) -> bool {
    key.is("metas")
}
