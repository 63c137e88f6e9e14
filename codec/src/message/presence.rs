//! Phoenix Presence payloads (`presence_state`, `presence_diff`) as lazy, borrowing iterators.
//! Keys are typed (`user:<int>`, `customer:<uuid>`), metas are read field by field; nothing is copied.
//!
//! ```
//! use phx_codec::{decode_text, message::Message, presence::PresenceKey};
//!
//! let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nC","user_id":7}]}}]"#)?;
//! let Message::PresenceState(state) = frame.message()? else { unreachable!() };
//! let (key, mut metas) = state.entries().next().unwrap();
//! assert_eq!(key, PresenceKey::User(7));
//! let meta = metas.next().unwrap();
//! assert_eq!(meta.phx_ref().unwrap(), "F4nC");
//! assert_eq!(meta.online_at_secs(), Some(1_732_460_000));
//! assert_eq!(meta.user_id(), Some(7));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The whole structure is type-checked when [`Frame::message`] runs (entries must be objects,
//! `metas` an array of objects, meta fields of the right types), so the iterators never fail;
//! they walk the payload again, lazily, each time they are created.
//!
//! To consume a presence frame once, [`PresenceItems`] is faster: it reads the payload in
//! **one walk**, handing out each key and then its metas as it type-checks them (the same
//! checks, in the same order, so the same first error), with no second pass. The views'
//! check is that same reader run to its end.
//!
//! ```
//! use phx_codec::{decode_text, presence::{PresenceItem, PresenceItems}};
//!
//! let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F4nC","user_id":7}]}}]"#)?;
//! let mut online = 0;
//! for item in PresenceItems::state(&frame) {
//!     if let PresenceItem::Meta(meta) = item? {
//!         online += usize::from(meta.user_id().is_some());
//!     }
//! }
//! assert_eq!(online, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use crate::frame::Frame;
use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::view::{Span, check_kind, check_len, is_plain, payload_object, wrong_type};
// The generic fill: the tests' reference for the specialised meta reader.
#[cfg(test)]
use crate::message::view::object_at;
use crate::message::view_macros::typed_object;
use crate::message::walk::{Cursor, Key, Walk};
use crate::raw::{JsonKind, RawJson, parse_i64};
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
        [b'1'..=b'9', ..] => parse_i64(digits),
        _ => None,
    }
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

typed_object! {
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
    pub struct Meta in "metas[]." at "phx_codec::presence" {
        /// This presence's ref (short URL-safe base64).
        phx_ref: Str = "phx_ref",
        /// The ref this presence replaces (in the `joins` of an update).
        phx_ref_prev: Str = "phx_ref_prev",
        /// When it came online: a string of Unix seconds (see
        /// [`online_at_secs`](Self::online_at_secs)).
        online_at: Str = "online_at",
        /// The agent's id (`user:` keys).
        user_id: Int = "user_id",
        /// The customer's id (`customer:` keys).
        customer_id: Str = "customer_id",
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
fn read_meta<'a>(
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
#[inline]
fn fill_meta<'a>(
    raw: RawJson<'a>,
    walk: &mut Walk<'a>,
    base: &'a str,
    plain: bool,
) -> Result<Meta<'a>, MessageError> {
    check_len(raw, base)?;
    let obj = raw.as_str();
    let mut meta = Meta {
        raw,
        plain,
        phx_ref: Span::ABSENT,
        phx_ref_prev: Span::ABSENT,
        online_at: Span::ABSENT,
        user_id: Span::ABSENT,
        customer_id: Span::ABSENT,
    };
    while let Some(key) = walk.next_key() {
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
                meta.user_id = meta_int(walk, obj, base, "metas[].user_id")?;
            }
            Some(MetaField::CustomerId) => {
                meta.customer_id = meta_str(walk, obj, base, "metas[].customer_id")?;
            }
            None => walk.skip(),
        }
    }
    Ok(meta)
}

/// The fields of a [`Meta`].
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

/// An integer meta field (in `i64` range) at the cursor: the span of its text in `obj`,
/// absent for null.
#[inline(always)]
#[allow(clippy::inline_always)] // one per meta
fn meta_int(
    walk: &mut Walk<'_>,
    obj: &str,
    base: &str,
    field: &'static str,
) -> Result<Span, MessageError> {
    match walk.peek() {
        b'-' | b'0'..=b'9' => {
            let text = walk.scalar();
            if parse_i64(text).is_none() {
                return Err(not_an_integer(field, text, base));
            }
            Ok(Span::of(obj, text))
        }
        b'n' => {
            walk.skip();
            Ok(Span::ABSENT)
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

/// The metas of one key, walked lazily. Yielded by [`Entries`].
///
/// ```
/// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
/// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
/// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
/// let counts: Vec<usize> = state.entries().map(|(_, metas)| metas.count()).collect();
/// assert_eq!(counts, [1, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Metas<'a> {
    /// Inside the `metas` array (it reads on past the array's end, so it is emptied when the
    /// array closes); each meta is read in place as the cursor passes it.
    walk: Walk<'a>,
    plain: bool,
}

impl<'a> Iterator for Metas<'a> {
    type Item = Meta<'a>;

    fn next(&mut self) -> Option<Meta<'a>> {
        while self.walk.next_item() {
            if self.walk.peek() != b'{' {
                self.walk.skip();
                continue;
            }
            // Checked when the message was read; were it not, the walk stops here.
            match read_meta(&mut self.walk, "", self.plain) {
                Ok(meta) => return Some(meta),
                Err(_) => break,
            }
        }
        self.walk = Walk::default();
        None
    }
}

/// Whether a member's key is `metas`.
#[inline]
fn is_metas(key: Key<'_>) -> bool {
    key.is("metas")
}

/// The entries `(key, metas)` of a presence map, walked lazily. Created by
/// [`PresenceState::entries`], [`PresenceDiff::joins`] and [`PresenceDiff::leaves`].
///
/// ```
/// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
/// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
/// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
/// let keys: Vec<PresenceKey> = state.entries().map(|(key, _)| key).collect();
/// assert_eq!(keys, [PresenceKey::User(7), PresenceKey::Customer("c1".into())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Entries<'a> {
    /// Inside the presence map.
    walk: Walk<'a>,
    plain: bool,
}

impl<'a> Entries<'a> {
    fn over(map: Option<RawJson<'a>>, plain: bool) -> Self {
        Self {
            walk: map.map(Walk::inside).unwrap_or_default(),
            plain,
        }
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (PresenceKey<'a>, Metas<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.walk.next_key()?;
        let key = self.walk.key_str(key)?;
        // The entry's last `metas` member (checked to be an array or null): the metas walk
        // starts inside it; this walk only steps over it.
        let mut metas = Walk::default();
        if self.walk.peek() == b'{' {
            self.walk.enter();
            while let Some(member) = self.walk.next_key() {
                if is_metas(member) {
                    metas = if self.walk.peek() == b'[' {
                        self.walk.inside_here()
                    } else {
                        Walk::default()
                    };
                }
                self.walk.skip();
            }
        } else {
            self.walk.skip();
        }
        Some((
            PresenceKey::parse(key),
            Metas {
                walk: metas,
                plain: self.plain,
            },
        ))
    }
}

/// Which half of a `presence_diff` the items that follow belong to.
///
/// ```
/// use phx_codec::presence::{PresenceItem, PresenceItems, PresenceSection};
/// use phx_codec::RawJson;
/// let items = PresenceItems::diff_json(RawJson::parse(r#"{"joins":{},"leaves":{}}"#)?);
/// let sections: Vec<_> = items.filter_map(|item| match item {
///     Ok(PresenceItem::Section(section)) => Some(section),
///     _ => None,
/// }).collect();
/// assert_eq!(sections, [PresenceSection::Joins, PresenceSection::Leaves]);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PresenceSection {
    /// `joins`: the keys that joined (or updated, with `phx_ref_prev`).
    Joins,
    /// `leaves`: the keys that left (or updated).
    Leaves,
}

/// One step of a presence payload read by [`PresenceItems`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresenceItem<'a> {
    /// A `presence_diff` section (`joins` or `leaves`) starts: the keys that follow, up to
    /// the next `Section`, are in it. Never yielded for a `presence_state`.
    Section(PresenceSection),
    /// A key starts: the metas that follow, up to the next `Key` or `Section`, are its.
    Key(PresenceKey<'a>),
    /// One meta of the last key.
    Meta(Meta<'a>),
}

/// Where a [`PresenceItems`] stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    /// Inside a `presence_diff` payload, between its members.
    Diff,
    /// Inside a presence map, between its entries.
    Map,
    /// Inside an entry object, between its members.
    Entry,
    /// Inside a `metas` array, between its metas.
    Metas,
    /// Before an error met on creation (the payload is not an object), yielded first.
    Pending,
    /// Finished (at the end, or after yielding an error).
    Done,
}

/// A `presence_state` or `presence_diff` payload read in **one walk**: each key, then that
/// key's metas (and, for a diff, each section first), type-checked as they are reached, with
/// no allocation and no second pass. This is the fast way to consume a freshly decoded
/// presence frame; [`PresenceState::from_frame`] followed by [`PresenceState::entries`]
/// checks the whole payload before handing anything out, then walks it again.
///
/// It applies the same checks as [`PresenceState::from_frame`] / [`PresenceDiff::from_frame`]
/// (and so as [`Frame::message`]), in the same order: on a payload they reject, the first
/// error it meets is theirs (same kind, same offset). It yields that error once, after the
/// items before it, and then `None`; it is fused.
///
/// Items equal what the two-pass views give: the keys of [`PresenceState::entries`] (or
/// [`PresenceDiff::joins`], then [`PresenceDiff::leaves`], in payload order) each followed by
/// its metas. Duplicate JSON keys, which Phoenix never sends, are read as `JSON.parse` reads
/// them (the last wins) by letting a later item **restart** what an earlier one began: an
/// entry holding `metas` twice, after metas of the first were yielded, yields its key again
/// with the later metas, and a diff holding `joins` (or `leaves`) twice yields that section
/// again. A consumer that builds a map (a key or a section replaces what it held) sees exactly
/// what the two-pass views show.
///
/// ```
/// use phx_codec::decode_text;
/// use phx_codec::presence::{PresenceItem, PresenceItems, PresenceKey};
///
/// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7},{"phx_ref":"F2"}]}}]"#)?;
/// let mut refs = Vec::new();
/// for item in PresenceItems::state(&frame) {
///     match item? {
///         PresenceItem::Key(key) => assert_eq!(key, PresenceKey::User(7)),
///         PresenceItem::Meta(meta) => refs.push(meta.phx_ref().unwrap()),
///         PresenceItem::Section(_) => unreachable!("only diffs have sections"),
///     }
/// }
/// assert_eq!(refs, ["F1", "F2"]);
///
/// // A mistyped part is reported where `frame.message()` reports it, after what came before.
/// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1"},{"phx_ref":2}]}}]"#)?;
/// let items: Vec<_> = PresenceItems::state(&frame).collect();
/// assert_eq!(items.len(), 3); // the key, the first meta, the error
/// assert_eq!(items[2], Err(frame.message().unwrap_err()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PresenceItems<'a> {
    walk: Walk<'a>,
    /// The payload's text (error offsets are relative to it).
    base: &'a str,
    /// The payload has no backslash.
    plain: bool,
    level: Level,
    /// Where a map's close leads: [`Level::Done`] for a `presence_state`, back into the
    /// payload ([`Level::Diff`]) for a `presence_diff`.
    after_map: Level,
    /// The section being read (names parts in errors).
    section: Option<PresenceSection>,
    /// The current entry's key, and whether metas of it were yielded since it was.
    key: PresenceKey<'a>,
    yielded_meta: bool,
    /// Run by the views' check, which reads no key.
    checking: bool,
    /// An error met before the first item (the payload is not an object).
    pending: Option<MessageError>,
}

impl<'a> PresenceItems<'a> {
    fn over(payload: Result<RawJson<'a>, MessageError>, plain: Option<bool>, diff: bool) -> Self {
        let (raw, pending) = match payload {
            Ok(raw) if raw.kind() == JsonKind::Object => (raw, None),
            Ok(raw) => (
                raw,
                Some(MessageError {
                    kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
                    offset: 0,
                }),
            ),
            Err(error) => (RawJson::from_validated("null"), Some(error)),
        };
        Self {
            walk: Walk::inside(raw),
            base: raw.as_str(),
            plain: pending.is_none() && plain.unwrap_or_else(|| is_plain(raw)),
            level: match (&pending, diff) {
                (Some(_), _) => Level::Pending,
                (None, true) => Level::Diff,
                (None, false) => Level::Map,
            },
            after_map: if diff { Level::Diff } else { Level::Done },
            section: None,
            key: PresenceKey::Other(JsonStr::literal("")),
            yielded_meta: false,
            checking: false,
            pending,
        }
    }

    /// Reads a frame's payload as a `presence_state` (the event is not checked: match
    /// [`Frame::event_kind`] first).
    ///
    /// ```
    /// use phx_codec::{decode_text, presence::{PresenceItem, PresenceItems}};
    /// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[]},"user:8":{"metas":[{}]}}]"#)?;
    /// let metas = PresenceItems::state(&frame)
    ///     .filter(|item| matches!(item, Ok(PresenceItem::Meta(_))))
    ///     .count();
    /// assert_eq!(metas, 1);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn state(frame: &Frame<'a>) -> Self {
        Self::over(payload_object(frame), frame.payload_plain(), false)
    }

    /// Reads a `presence_state` payload (any JSON value; it must be an object).
    ///
    /// ```
    /// use phx_codec::{RawJson, presence::{PresenceItem, PresenceItems, PresenceKey}};
    /// let mut items = PresenceItems::state_json(RawJson::parse(r#"{"customer:c1":{"metas":[]}}"#)?);
    /// assert_eq!(items.next(), Some(Ok(PresenceItem::Key(PresenceKey::Customer("c1".into())))));
    /// assert_eq!(items.next(), None);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn state_json(payload: RawJson<'a>) -> Self {
        Self::over(Ok(payload), None, false)
    }

    /// Reads a frame's payload as a `presence_diff`: a [`PresenceItem::Section`] for each of
    /// `joins` and `leaves` present (null included), in payload order, each followed by its
    /// keys and metas. The event is not checked: match [`Frame::event_kind`] first.
    ///
    /// ```
    /// use phx_codec::{decode_text, presence::{PresenceItem, PresenceItems, PresenceKey, PresenceSection}};
    /// let frame = decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3"}]}},"leaves":{}}]"#)?;
    /// let items: Vec<_> = PresenceItems::diff(&frame).collect::<Result<_, _>>()?;
    /// assert_eq!(items[0], PresenceItem::Section(PresenceSection::Joins));
    /// assert_eq!(items[1], PresenceItem::Key(PresenceKey::User(8)));
    /// assert!(matches!(items[2], PresenceItem::Meta(meta) if meta.phx_ref().unwrap() == "F3"));
    /// assert_eq!(items[3], PresenceItem::Section(PresenceSection::Leaves));
    /// assert_eq!(items.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn diff(frame: &Frame<'a>) -> Self {
        Self::over(payload_object(frame), frame.payload_plain(), true)
    }

    /// Reads a `presence_diff` payload (any JSON value; it must be an object).
    ///
    /// ```
    /// use phx_codec::{RawJson, presence::PresenceItems};
    /// let items = PresenceItems::diff_json(RawJson::parse(r#"{"joins":{"user:1":{"metas":[{}]}}}"#)?);
    /// assert_eq!(items.count(), 3); // the section, the key, the meta
    /// assert!(PresenceItems::diff_json(RawJson::parse(r#"{"joins":[]}"#)?).any(|item| item.is_err()));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn diff_json(payload: RawJson<'a>) -> Self {
        Self::over(Ok(payload), None, true)
    }

    /// Reads to the end: the first error, if any.
    fn check(&mut self) -> Result<(), MessageError> {
        self.checking = true;
        match self.find_map(Result::err) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// The names of the current section's parts in errors: an entry, its `metas`.
    fn names(&self) -> (&'static str, &'static str) {
        match self.section {
            None => ("*", "*.metas"),
            Some(PresenceSection::Joins) => ("joins.*", "joins.*.metas"),
            Some(PresenceSection::Leaves) => ("leaves.*", "leaves.*.metas"),
        }
    }

    #[cold]
    fn wrong(&mut self, field: &'static str, expected: JsonKind) -> MessageError {
        wrong_type(field, expected, self.walk.value(), self.base)
    }

    /// The meta at the cursor (inside a `metas` array, at an item).
    #[inline(always)]
    #[allow(clippy::inline_always)] // the inner step: one per meta
    fn meta(&mut self) -> Result<PresenceItem<'a>, MessageError> {
        if self.walk.peek() != b'{' {
            let error = self.wrong("metas[]", JsonKind::Object);
            return Err(self.fail(error));
        }
        match read_meta(&mut self.walk, self.base, self.plain) {
            Ok(meta) => {
                self.yielded_meta = true;
                Ok(PresenceItem::Meta(meta))
            }
            Err(error) => Err(self.fail(error)),
        }
    }

    /// Ends the walk with `error`, which it returns.
    #[cold]
    fn fail(&mut self, error: MessageError) -> MessageError {
        self.level = Level::Done;
        error
    }

    /// The next item outside a `metas` array, or the error that ends the walk.
    #[inline]
    fn step(&mut self) -> Option<Result<PresenceItem<'a>, MessageError>> {
        loop {
            match self.level {
                Level::Metas => {
                    if self.walk.next_item() {
                        return Some(self.meta());
                    }
                    self.level = Level::Entry;
                }
                Level::Entry => {
                    let Some(member) = self.walk.next_key() else {
                        self.level = Level::Map;
                        continue;
                    };
                    if !is_metas(member) {
                        self.walk.skip();
                        continue;
                    }
                    match self.walk.peek() {
                        b'[' => {
                            self.walk.enter();
                            self.level = Level::Metas;
                        }
                        b'n' => self.walk.skip(),
                        _ => {
                            let error = self.wrong(self.names().1, JsonKind::Array);
                            return Some(Err(self.fail(error)));
                        }
                    }
                    // A later `metas` replaces the metas already handed out.
                    if self.yielded_meta {
                        self.yielded_meta = false;
                        return Some(Ok(PresenceItem::Key(self.key)));
                    }
                }
                Level::Map => {
                    let Some(entry) = self.walk.next_key() else {
                        self.level = self.after_map;
                        continue;
                    };
                    let Some(key) = self.walk.key_str(entry) else {
                        self.level = Level::Done;
                        return None;
                    };
                    if self.walk.peek() != b'{' {
                        let error = self.wrong(self.names().0, JsonKind::Object);
                        return Some(Err(self.fail(error)));
                    }
                    self.walk.enter();
                    self.level = Level::Entry;
                    // Only checking: the key is not read.
                    if !self.checking {
                        self.key = PresenceKey::parse(key);
                    }
                    self.yielded_meta = false;
                    return Some(Ok(PresenceItem::Key(self.key)));
                }
                Level::Diff => {
                    let Some(member) = self.walk.next_key() else {
                        self.level = Level::Done;
                        return None;
                    };
                    let (section, field) = if member.is("joins") {
                        (PresenceSection::Joins, "joins")
                    } else if member.is("leaves") {
                        (PresenceSection::Leaves, "leaves")
                    } else {
                        self.walk.skip();
                        continue;
                    };
                    if self.walk.peek() == b'{' {
                        self.walk.enter();
                        self.level = Level::Map;
                    } else if let Err(error) =
                        // Null (no such section), or the error.
                        check_kind(
                            self.walk.value(),
                            JsonKind::Object,
                            field,
                            self.base,
                        )
                    {
                        return Some(Err(self.fail(error)));
                    }
                    self.section = Some(section);
                    return Some(Ok(PresenceItem::Section(section)));
                }
                Level::Pending => {
                    self.level = Level::Done;
                    return self.pending.take().map(Err);
                }
                Level::Done => return None,
            }
        }
    }
}

impl<'a> Iterator for PresenceItems<'a> {
    type Item = Result<PresenceItem<'a>, MessageError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // Metas are most of a presence payload: read here, the rest out of line.
        if self.level == Level::Metas {
            if self.walk.next_item() {
                return Some(self.meta());
            }
            self.level = Level::Entry;
        }
        self.step()
    }
}

impl core::iter::FusedIterator for PresenceItems<'_> {}

/// `presence_state`: every key present, with its metas.
///
/// ```
/// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
/// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
/// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
/// let users: Vec<i64> = state.entries().filter_map(|(key, _)| key.user_id()).collect();
/// assert_eq!(users, [7]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceState<'a> {
    raw: RawJson<'a>,
    plain: bool,
}

impl<'a> PresenceState<'a> {
    /// Reads and type-checks a `presence_state` payload (any JSON value; it must be an object).
    ///
    /// ```
    /// use phx_codec::{RawJson, presence::PresenceState};
    /// let state = PresenceState::parse(RawJson::parse(r#"{"user:1":{"metas":[]}}"#)?).unwrap();
    /// assert_eq!(state.entries().count(), 1);
    /// assert!(PresenceState::parse(RawJson::parse(r#"{"user:1":[]}"#)?).is_err());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn parse(raw: RawJson<'a>) -> Result<Self, MessageError> {
        Self::checked(raw, None)
    }

    /// [`parse`](Self::parse), with what decoding found out about backslashes.
    fn checked(raw: RawJson<'a>, plain: Option<bool>) -> Result<Self, MessageError> {
        let mut items = PresenceItems::over(Ok(raw), plain, false);
        items.check()?;
        Ok(Self {
            raw,
            plain: items.plain,
        })
    }

    /// Reads a frame's payload as a `presence_state`: what [`Frame::message`] returns as
    /// [`Message::PresenceState`](crate::message::Message::PresenceState), with the same
    /// checks and errors, linking only this view's parser. The event is not checked: match
    /// [`Frame::event_kind`] first.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::{Message, PresenceState}};
    /// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[]}}]"#)?;
    /// let state = PresenceState::from_frame(&frame)?;
    /// assert_eq!(state.entries().count(), 1);
    /// assert_eq!(Message::PresenceState(state), frame.message()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        Self::checked(payload_object(frame)?, frame.payload_plain())
    }

    /// The keys present and their metas, lazily.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
    /// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
    /// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
    /// assert_eq!(state.entries().count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn entries(&self) -> Entries<'a> {
        Entries::over(Some(self.raw), self.plain)
    }

    /// The payload as received.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
    /// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}}]"#)?;
    /// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
    /// assert!(state.raw().get("user:7").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw(&self) -> RawJson<'a> {
        self.raw
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PresenceState<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

/// `presence_diff`: `{"joins": {..}, "leaves": {..}}`. An updated meta is under both (old ref
/// in `leaves`, the new one, with `phx_ref_prev`, in `joins`).
///
/// ```
/// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
/// let frame = decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3"}]}},"leaves":{"user:7":{"metas":[{"phx_ref":"F1"}]}}}]"#)?;
/// let Message::PresenceDiff(diff) = frame.message()? else { unreachable!() };
/// assert_eq!(diff.joins().next().unwrap().0, PresenceKey::User(8));
/// assert_eq!(diff.leaves().next().unwrap().0, PresenceKey::User(7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PresenceDiff<'a> {
    #[cfg_attr(feature = "serde", serde(skip))]
    raw: RawJson<'a>,
    #[cfg_attr(feature = "serde", serde(skip))]
    plain: bool,
    joins: Option<RawJson<'a>>,
    leaves: Option<RawJson<'a>>,
}

impl<'a> PresenceDiff<'a> {
    /// Reads and type-checks a `presence_diff` payload (it must be an object; `joins` and
    /// `leaves`, when present and not null, must be presence maps).
    ///
    /// ```
    /// use phx_codec::{presence::PresenceDiff, RawJson};
    /// let diff = PresenceDiff::parse(RawJson::parse(r#"{"joins":{},"leaves":{"user:1":{"metas":[]}}}"#)?)?;
    /// assert_eq!(diff.leaves().count(), 1);
    /// assert!(PresenceDiff::parse(RawJson::parse(r#"{"joins":[]}"#)?).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(raw: RawJson<'a>) -> Result<Self, MessageError> {
        Self::checked(raw, raw.members(), None)
    }

    /// Type-checks the payload in one walk ([`PresenceItems`] run to its end), then takes the
    /// last `joins` and `leaves` from `members` (the payload's members, known to be an object
    /// once checked).
    fn checked(
        raw: RawJson<'a>,
        members: Option<impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>>,
        plain: Option<bool>,
    ) -> Result<Self, MessageError> {
        let mut items = PresenceItems::over(Ok(raw), plain, true);
        items.check()?;
        let mut diff = Self {
            raw,
            plain: items.plain,
            joins: None,
            leaves: None,
        };
        for (key, value) in members.into_iter().flatten() {
            let slot = if key.eq_str("joins") {
                &mut diff.joins
            } else if key.eq_str("leaves") {
                &mut diff.leaves
            } else {
                continue;
            };
            *slot = (value.kind() == JsonKind::Object).then_some(value);
        }
        Ok(diff)
    }

    /// Reads a frame's payload as a `presence_diff`: what [`Frame::message`] returns as
    /// [`Message::PresenceDiff`](crate::message::Message::PresenceDiff), with the same checks
    /// and errors, linking only this view's parser. The event is not checked: match
    /// [`Frame::event_kind`] first.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::{Message, PresenceDiff}};
    /// let frame = decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{},"leaves":{}}]"#)?;
    /// let diff = PresenceDiff::from_frame(&frame)?;
    /// assert_eq!(diff.joins().count() + diff.leaves().count(), 0);
    /// assert_eq!(Message::PresenceDiff(diff), frame.message()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        let raw = payload_object(frame)?;
        Self::checked(raw, frame.payload_members(), frame.payload_plain())
    }

    /// The keys that joined (or updated), lazily.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
    /// let frame = decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3"}]}},"leaves":{"user:7":{"metas":[{"phx_ref":"F1"}]}}}]"#)?;
    /// let Message::PresenceDiff(diff) = frame.message()? else { unreachable!() };
    /// assert_eq!(diff.joins().count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn joins(&self) -> Entries<'a> {
        Entries::over(self.joins, self.plain)
    }

    /// The keys that left (or updated), lazily.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
    /// let frame = decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3"}]}},"leaves":{"user:7":{"metas":[{"phx_ref":"F1"}]}}}]"#)?;
    /// let Message::PresenceDiff(diff) = frame.message()? else { unreachable!() };
    /// assert_eq!(diff.leaves().count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn leaves(&self) -> Entries<'a> {
        Entries::over(self.leaves, self.plain)
    }

    /// The payload as received.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message, presence::PresenceKey};
    /// let frame = decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3"}]}},"leaves":{"user:7":{"metas":[{"phx_ref":"F1"}]}}}]"#)?;
    /// let Message::PresenceDiff(diff) = frame.message()? else { unreachable!() };
    /// assert!(diff.raw().get("joins").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn raw(&self) -> RawJson<'a> {
        self.raw
    }
}

#[cfg(test)]
#[path = "presence_tests.rs"]
mod tests;
