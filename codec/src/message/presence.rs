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

use core::fmt;

use crate::frame::Frame;
use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::view::{check_kind, is_plain, object_at, payload_object, wrong_type};
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
    match text.as_bytes() {
        [b'0'] => Some(0),
        [b'1'..=b'9', ..] => parse_i64(text.as_bytes()),
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
            match object_at::<Meta<'a>, _>(&mut self.walk, "", self.plain) {
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

/// Type-checks a presence map: `{KEY: {"metas": [META, ...]}, ...}`, walking it once (each
/// meta read as [`Metas`] reads it, so the check and the iteration cannot disagree);
/// `entry_field` and `metas_field` name its parts in errors.
fn check_map(
    map: RawJson<'_>,
    entry_field: &'static str,
    metas_field: &'static str,
    base: &str,
) -> Result<(), MessageError> {
    let mut walk = Walk::inside(map);
    while walk.next_key().is_some() {
        if walk.peek() != b'{' {
            return Err(wrong_type(
                entry_field,
                JsonKind::Object,
                walk.value(),
                base,
            ));
        }
        walk.enter();
        while let Some(key) = walk.next_key() {
            if !is_metas(key) {
                walk.skip();
                continue;
            }
            match walk.peek() {
                b'[' => {}
                b'n' => {
                    walk.skip();
                    continue;
                }
                _ => return Err(wrong_type(metas_field, JsonKind::Array, walk.value(), base)),
            }
            walk.enter();
            while walk.next_item() {
                if walk.peek() != b'{' {
                    return Err(wrong_type("metas[]", JsonKind::Object, walk.value(), base));
                }
                object_at::<Meta<'_>, _>(&mut walk, base, false)?;
            }
        }
    }
    Ok(())
}

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
        if raw.kind() != JsonKind::Object {
            return Err(MessageError {
                kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
                offset: 0,
            });
        }
        check_map(raw, "*", "*.metas", raw.as_str())?;
        Ok(Self {
            raw,
            plain: plain.unwrap_or_else(|| is_plain(raw)),
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
        let Some(members) = raw.members() else {
            return Err(MessageError {
                kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
                offset: 0,
            });
        };
        Self::from_members(raw, members, None)
    }

    fn from_members(
        raw: RawJson<'a>,
        members: impl Iterator<Item = (JsonStr<'a>, RawJson<'a>)>,
        plain: Option<bool>,
    ) -> Result<Self, MessageError> {
        let base = raw.as_str();
        let mut diff = Self {
            raw,
            plain: plain.unwrap_or_else(|| is_plain(raw)),
            joins: None,
            leaves: None,
        };
        for (key, value) in members {
            let (slot, field, entry, metas) = if key.eq_str("joins") {
                (&mut diff.joins, "joins", "joins.*", "joins.*.metas")
            } else if key.eq_str("leaves") {
                (&mut diff.leaves, "leaves", "leaves.*", "leaves.*.metas")
            } else {
                continue;
            };
            *slot = check_kind(value, JsonKind::Object, field, base)?;
            if let Some(map) = *slot {
                check_map(map, entry, metas, base)?;
            }
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
        match frame.payload_members() {
            Some(members) => Self::from_members(raw, members, frame.payload_plain()),
            None => Self::parse(raw),
        }
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
