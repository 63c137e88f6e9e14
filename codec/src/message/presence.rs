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

use crate::frame::Frame;
use crate::message::error::MessageError;
use crate::message::presence_meta::{is_metas, read_meta};
use crate::message::view::payload_object;
// The generic fill: the tests' reference for the specialised meta reader.
#[cfg(test)]
use crate::message::view::object_at;
use crate::message::walk::{Cursor, Walk};
use crate::raw::{JsonKind, RawJson};
use crate::string::JsonStr;

pub use crate::message::presence_items::{PresenceItem, PresenceItems, PresenceSection};
pub use crate::message::presence_meta::{Meta, PresenceKey};
pub use crate::message::presence_stream::PresenceStream;

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
