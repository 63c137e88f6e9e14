//! Phoenix Presence: [`PresenceTracker`] applies `presence_state` and `presence_diff` messages
//! exactly as the `phoenix` JS client's `Presence.syncState` / `Presence.syncDiff` do, and
//! answers who is online.
//!
//! The names say what is owned and tracked here ([`PresenceTracker`], [`TrackedMeta`],
//! [`TrackedDiff`]), apart from the core's borrowed views of one message
//! ([`phx_codec::presence::PresenceState`], [`phx_codec::presence::PresenceDiff`],
//! [`phx_codec::presence::Meta`]), which [`PresenceTracker::apply`] reads.
//!
//! - A **state** replaces the current set: keys missing from it leave, new keys join, and for
//!   kept keys metas are compared by `phx_ref` (new refs join, missing refs leave); that
//!   computed diff is then applied.
//! - A **diff** applies its joins first (a key's metas become its current metas whose
//!   `phx_ref` is not among the joining ones, followed by the joining metas; the key is created
//!   if absent), then its leaves (metas whose `phx_ref` is listed are removed; a key left with
//!   no metas is removed; a leave for an unknown key is ignored).
//! - Diffs that arrive before the first state (or after [`PresenceTracker::rejoining`], before
//!   the new state) are held and applied right after it, as the JS `Presence` object does.
//!
//! Each call returns the [`PresenceEvent`]s the JS `onJoin` / `onLeave` callbacks would have
//! seen, joins first, each group in key order (the JS client follows object insertion order;
//! the resulting state is the same).
//!
//! ```
//! use phx_codec_std::presence::{PresenceEvent, PresenceTracker};
//!
//! let mut presence = PresenceTracker::new();
//! let state = phx_codec::decode_text(br#"[null,null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1","online_at":"1605000000","user_id":7}]}}]"#)?;
//! let events = presence.apply(&state)?.expect("a presence message");
//! assert!(matches!(&events[..], [PresenceEvent::Join { key, .. }] if key == "user:7"));
//! assert_eq!(presence.users().collect::<Vec<_>>(), ["7"]);
//!
//! let diff = phx_codec::decode_text(br#"[null,null,"room:1","presence_diff",{"joins":{"customer:c1":{"metas":[{"phx_ref":"F2","customer_id":"c1"}]}},"leaves":{"user:7":{"metas":[{"phx_ref":"F1"}]}}}]"#)?;
//! presence.apply(&diff)?;
//! assert_eq!(presence.users().count(), 0);
//! assert_eq!(presence.customers().collect::<Vec<_>>(), ["c1"]);
//! # Ok::<(), phx_codec_std::Error>(())
//! ```

use std::collections::{BTreeMap, HashSet};

use phx_codec::message::{Message, MessageErrorKind};
use phx_codec::presence::{Entries, Meta};
use phx_codec::{Event, Frame, RawJson};
use serde_json::{Map, Value};

use crate::{Error, OwnedFrame, SharedFrame};

/// A decoded frame in any of its forms, for [`PresenceTracker::apply`]: a borrowed
/// [`Frame`], a [`SharedFrame`] or an [`OwnedFrame`].
///
/// ```
/// use phx_codec_std::{FrameSource, OwnedFrame, OwnedPayload};
/// let owned = OwnedFrame::new("room:1", "shout", OwnedPayload::json(&serde_json::json!({}))?);
/// assert_eq!(owned.frame_view()?.event(), "shout");
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub trait FrameSource {
    /// The frame as a borrowed [`Frame`] (for an [`OwnedFrame`], its payload is validated).
    ///
    /// ```
    /// use phx_codec_std::{FrameSource, OwnedFrame, OwnedPayload};
    /// let ok = OwnedFrame::new("room:1", "shout", OwnedPayload::Json(r#"{"body":"hi"}"#.into()));
    /// assert_eq!(ok.frame_view()?.topic(), "room:1");
    /// let broken = OwnedFrame::new("room:1", "shout", OwnedPayload::Json("{".into()));
    /// assert!(broken.frame_view().is_err()); // the payload is not JSON
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    fn frame_view(&self) -> Result<Frame<'_>, Error>;
}

impl FrameSource for Frame<'_> {
    fn frame_view(&self) -> Result<Frame<'_>, Error> {
        Ok(*self)
    }
}

impl FrameSource for SharedFrame {
    fn frame_view(&self) -> Result<Frame<'_>, Error> {
        Ok(self.frame())
    }
}

impl FrameSource for OwnedFrame {
    fn frame_view(&self) -> Result<Frame<'_>, Error> {
        Ok(self.as_frame()?)
    }
}

/// One presence entry ("meta") of a key: a JSON object with a `phx_ref` and the tracked
/// fields (Papercups: `online_at`, `user_id` or `customer_id`).
///
/// ```
/// use phx_codec_std::presence::TrackedMeta;
/// let meta = TrackedMeta::from_value(serde_json::json!({"phx_ref": "F1", "phx_ref_prev": "F0", "online_at": "1605000000"}))?;
/// assert_eq!(meta.phx_ref(), Some("F1"));
/// assert_eq!(meta.phx_ref_prev(), Some("F0"));
/// assert_eq!(meta.get("online_at").and_then(|v| v.as_str()), Some("1605000000"));
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackedMeta {
    phx_ref: Option<String>,
    fields: Map<String, Value>,
}

impl TrackedMeta {
    /// A meta from a JSON object (anything else is refused). A `phx_ref` that is missing or
    /// not a string counts as absent; absent refs compare equal to each other, as `undefined`
    /// does in the JS client.
    ///
    /// ```
    /// use phx_codec_std::presence::TrackedMeta;
    /// let meta = TrackedMeta::from_value(serde_json::json!({"phx_ref": "F1", "user_id": 7}))?;
    /// assert_eq!(meta.phx_ref(), Some("F1"));
    /// assert!(TrackedMeta::from_value(serde_json::json!([1])).is_err());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Object(fields) => Ok(Self::from_fields(fields)),
            _ => Err(Error::Presence("a meta is not an object")),
        }
    }

    /// A meta from the core's borrowed view of one (its object, every member kept).
    ///
    /// ```
    /// use phx_codec::message::Message;
    /// let frame = phx_codec::decode_text(br#"[null,null,"r","presence_state",{"user:1":{"metas":[{"phx_ref":"A","n":1}]}}]"#)?;
    /// let Message::PresenceState(state) = frame.message()? else { unreachable!() };
    /// let (_, mut metas) = state.entries().next().unwrap();
    /// let meta = phx_codec_std::presence::TrackedMeta::from_view(metas.next().unwrap())?;
    /// assert_eq!(meta.phx_ref(), Some("A"));
    /// assert_eq!(meta.get("n"), Some(&serde_json::json!(1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_view(meta: Meta<'_>) -> Result<Self, Error> {
        let fields: Map<String, Value> = serde_json::from_str(meta.raw().as_str())?;
        Ok(Self::from_fields(fields))
    }

    fn from_fields(fields: Map<String, Value>) -> Self {
        let phx_ref = fields
            .get("phx_ref")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Self { phx_ref, fields }
    }

    /// The `phx_ref` identifying this meta.
    ///
    /// ```
    /// let meta = phx_codec_std::presence::TrackedMeta::from_value(serde_json::json!({"phx_ref": 5}))?;
    /// assert_eq!(meta.phx_ref(), None); // not a string: absent, as `undefined` in the JS client
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn phx_ref(&self) -> Option<&str> {
        self.phx_ref.as_deref()
    }

    /// The `phx_ref_prev` of an update (the ref this meta replaces).
    ///
    /// ```
    /// let meta = phx_codec_std::presence::TrackedMeta::from_value(serde_json::json!({"phx_ref": "B", "phx_ref_prev": "A"}))?;
    /// assert_eq!(meta.phx_ref_prev(), Some("A"));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn phx_ref_prev(&self) -> Option<&str> {
        self.fields.get("phx_ref_prev").and_then(Value::as_str)
    }

    /// A field of the meta.
    ///
    /// ```
    /// let meta = phx_codec_std::presence::TrackedMeta::from_value(serde_json::json!({"online_at": "1605000000"}))?;
    /// assert_eq!(meta.get("online_at").and_then(|v| v.as_str()), Some("1605000000"));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// All fields, `phx_ref` included.
    ///
    /// ```
    /// let meta = phx_codec_std::presence::TrackedMeta::from_value(serde_json::json!({"phx_ref": "A", "n": 1}))?;
    /// assert_eq!(meta.fields().len(), 2);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }
}

/// Presence entries by key (`"user:7"`, `"customer:<uuid>"`), each with its metas in order
/// (see [`presence_map`] for an example).
///
/// ```
/// let map: phx_codec_std::presence::PresenceMap =
///     phx_codec_std::presence::presence_map(serde_json::json!({"user:1": {"metas": []}}))?;
/// assert!(map["user:1"].is_empty());
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub type PresenceMap = BTreeMap<String, Vec<TrackedMeta>>;

/// A `presence_diff` payload: metas joining and leaving, by key.
///
/// ```
/// use phx_codec_std::presence::TrackedDiff;
/// let diff = TrackedDiff::from_value(serde_json::json!({"joins": {}, "leaves": {"user:1": {"metas": [{"phx_ref": "A"}]}}}))?;
/// assert!(diff.joins.is_empty());
/// assert_eq!(diff.leaves["user:1"][0].phx_ref(), Some("A"));
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrackedDiff {
    /// Metas joining, by key.
    pub joins: PresenceMap,
    /// Metas leaving, by key.
    pub leaves: PresenceMap,
}

impl TrackedDiff {
    /// Reads `{"joins": {KEY: {"metas": [...]}}, "leaves": {...}}`. Phoenix always sends both
    /// members; a missing one is read as empty.
    ///
    /// ```
    /// use phx_codec_std::presence::TrackedDiff;
    /// let diff = TrackedDiff::from_value(serde_json::json!({"joins": {"user:1": {"metas": [{"phx_ref": "A"}]}}}))?;
    /// assert_eq!(diff.joins.len(), 1);
    /// assert!(diff.leaves.is_empty()); // missing: empty
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn from_value(value: Value) -> Result<Self, Error> {
        let Value::Object(mut members) = value else {
            return Err(Error::Presence("a presence_diff payload is not an object"));
        };
        let mut side = |name: &str| match members.remove(name) {
            None => Ok(PresenceMap::new()),
            Some(v) => presence_map(v),
        };
        Ok(Self {
            joins: side("joins")?,
            leaves: side("leaves")?,
        })
    }
}

/// Reads a `presence_state` payload `{KEY: {"metas": [META, ...]}, ...}` (duplicate keys:
/// the last wins, as with `JSON.parse`).
///
/// ```
/// let state = phx_codec_std::presence::presence_map(serde_json::json!({"user:1": {"metas": [{"phx_ref": "A"}]}}))?;
/// assert_eq!(state["user:1"].len(), 1);
/// assert!(phx_codec_std::presence::presence_map(serde_json::json!({"user:1": {}})).is_err());
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub fn presence_map(value: Value) -> Result<PresenceMap, Error> {
    let Value::Object(entries) = value else {
        return Err(Error::Presence("a presence map is not an object"));
    };
    let mut map = PresenceMap::new();
    for (key, entry) in entries {
        let Value::Object(mut entry) = entry else {
            return Err(Error::Presence("a presence entry is not an object"));
        };
        let Some(Value::Array(metas)) = entry.remove("metas") else {
            return Err(Error::Presence("a presence entry has no `metas` array"));
        };
        let metas = metas
            .into_iter()
            .map(TrackedMeta::from_value)
            .collect::<Result<Vec<_>, _>>()?;
        map.insert(key, metas);
    }
    Ok(map)
}

/// What a sync did, as the JS client's `onJoin` / `onLeave` callbacks report it.
///
/// ```
/// use phx_codec_std::presence::{presence_map, PresenceEvent, PresenceTracker};
/// let mut presence = PresenceTracker::new();
/// let events = presence.sync_state(presence_map(serde_json::json!({"user:1": {"metas": [{"phx_ref": "A"}]}}))?);
/// for event in &events {
///     match event {
///         PresenceEvent::Join { key, previous, .. } if previous.is_empty() => println!("{key} came online"),
///         PresenceEvent::Join { key, .. } => println!("{key} opened another tab"),
///         PresenceEvent::Leave { key, remaining, .. } if remaining.is_empty() => println!("{key} went offline"),
///         PresenceEvent::Leave { key, .. } => println!("{key} closed a tab"),
///     }
/// }
/// assert_eq!(events.len(), 1);
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PresenceEvent {
    /// Metas joined `key` (`onJoin(key, currentPresence, newPresence)`).
    Join {
        /// The presence key.
        key: String,
        /// The key's metas before the join; empty when the key is new.
        previous: Vec<TrackedMeta>,
        /// The joining metas.
        joined: Vec<TrackedMeta>,
    },
    /// Metas left `key` (`onLeave(key, currentPresence, leftPresence)`).
    Leave {
        /// The presence key.
        key: String,
        /// The key's metas after the leave; empty when the key is gone.
        remaining: Vec<TrackedMeta>,
        /// The leaving metas, as the diff listed them.
        left: Vec<TrackedMeta>,
    },
}

/// The presence list of one channel, kept in sync from `presence_state` and `presence_diff`
/// messages (see the [module docs](self)).
///
/// ```
/// use phx_codec_std::presence::{presence_map, TrackedDiff, PresenceTracker};
/// use serde_json::json;
///
/// let mut presence = PresenceTracker::new();
/// // A diff before the first state is held...
/// let early = TrackedDiff::from_value(json!({"joins": {"user:2": {"metas": [{"phx_ref": "B"}]}}, "leaves": {}}))?;
/// assert!(presence.sync_diff(early).is_empty());
/// assert!(!presence.is_synced());
/// // ...and applied after it.
/// presence.sync_state(presence_map(json!({"user:1": {"metas": [{"phx_ref": "A"}]}}))?);
/// assert_eq!(presence.keys().collect::<Vec<_>>(), ["user:1", "user:2"]);
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PresenceTracker {
    state: PresenceMap,
    synced: bool,
    pending: Vec<TrackedDiff>,
}

impl PresenceTracker {
    /// An empty presence list waiting for its first state.
    ///
    /// ```
    /// let presence = phx_codec_std::PresenceTracker::new();
    /// assert!(presence.is_empty() && !presence.is_synced());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a `presence_state` or `presence_diff` frame (by its event), in any decoded
    /// form ([`Frame`], [`SharedFrame`], [`OwnedFrame`]); `Ok(None)` for any other event. The
    /// payload is read through the core's typed views ([`Frame::message`]), so it is
    /// type-checked as they check it; a malformed payload is refused and changes nothing.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// let frame = phx_codec_std::SharedFrame::decode(
    ///     Bytes::from_static(br#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"A"}]}}]"#),
    ///     WireFormat::V2, Direction::FromServer)?;
    /// let mut presence = phx_codec_std::PresenceTracker::new();
    /// presence.apply(&frame)?;
    /// assert!(presence.is_online("user:1"));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn apply<F: FrameSource + ?Sized>(
        &mut self,
        frame: &F,
    ) -> Result<Option<Vec<PresenceEvent>>, Error> {
        let frame = frame.frame_view()?;
        if !matches!(
            frame.event_kind(),
            Event::PresenceState | Event::PresenceDiff
        ) {
            return Ok(None);
        }
        match frame.message() {
            Ok(Message::PresenceState(state)) => {
                let state = tracked_map(Some(state.raw()), state.entries())?;
                Ok(Some(self.sync_state(state)))
            }
            Ok(Message::PresenceDiff(diff)) => {
                let diff = TrackedDiff {
                    joins: tracked_map(diff.raw().get("joins"), diff.joins())?,
                    leaves: tracked_map(diff.raw().get("leaves"), diff.leaves())?,
                };
                Ok(Some(self.sync_diff(diff)))
            }
            Ok(_) => Ok(None),
            Err(err) => Err(Error::Presence(match err.kind {
                MessageErrorKind::WrongType { field, .. }
                | MessageErrorKind::NotAnInteger { field } => field,
                MessageErrorKind::PayloadNotObject { .. } => "the payload is not an object",
                other => other.name(),
            })),
        }
    }

    /// Applies a state (JS `syncState`), then the diffs held while waiting for it.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// // A new state: user:7 closed tab B, customer:c1 left.
    /// let events = presence.sync_state(presence_map(serde_json::json!({"user:7": {"metas": [{"phx_ref": "A"}]}}))?);
    /// assert_eq!(events.len(), 2);
    /// assert_eq!(presence.keys().collect::<Vec<_>>(), ["user:7"]);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn sync_state(&mut self, new_state: PresenceMap) -> Vec<PresenceEvent> {
        let mut diff = TrackedDiff::default();
        for (key, metas) in &self.state {
            if !new_state.contains_key(key) {
                diff.leaves.insert(key.clone(), metas.clone());
            }
        }
        for (key, new_metas) in new_state {
            match self.state.get(&key) {
                Some(current) => {
                    let current_refs = refs(current);
                    let new_refs = refs(&new_metas);
                    let left: Vec<TrackedMeta> = current
                        .iter()
                        .filter(|m| !new_refs.contains(&m.phx_ref()))
                        .cloned()
                        .collect();
                    let joined: Vec<TrackedMeta> = new_metas
                        .into_iter()
                        .filter(|m| !current_refs.contains(&m.phx_ref()))
                        .collect();
                    if !joined.is_empty() {
                        diff.joins.insert(key.clone(), joined);
                    }
                    if !left.is_empty() {
                        diff.leaves.insert(key, left);
                    }
                }
                None => {
                    diff.joins.insert(key, new_metas);
                }
            }
        }
        let mut events = self.apply_diff(diff);
        self.synced = true;
        for held in std::mem::take(&mut self.pending) {
            events.extend(self.apply_diff(held));
        }
        events
    }

    /// Applies a diff (JS `syncDiff`), or holds it when no state has arrived yet (then the
    /// returned list is empty).
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// use phx_codec_std::presence::TrackedDiff;
    /// let leave = TrackedDiff::from_value(serde_json::json!({"joins": {}, "leaves": {"customer:c1": {"metas": [{"phx_ref": "C"}]}}}))?;
    /// presence.sync_diff(leave);
    /// assert!(!presence.is_online("customer:c1"));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn sync_diff(&mut self, diff: TrackedDiff) -> Vec<PresenceEvent> {
        if self.synced {
            self.apply_diff(diff)
        } else {
            self.pending.push(diff);
            Vec::new()
        }
    }

    fn apply_diff(&mut self, diff: TrackedDiff) -> Vec<PresenceEvent> {
        let mut events = Vec::with_capacity(diff.joins.len() + diff.leaves.len());
        for (key, joined) in diff.joins {
            let previous = self.state.remove(&key).unwrap_or_default();
            let joined_refs = refs(&joined);
            let mut metas: Vec<TrackedMeta> = previous
                .iter()
                .filter(|m| !joined_refs.contains(&m.phx_ref()))
                .cloned()
                .collect();
            metas.extend(joined.iter().cloned());
            self.state.insert(key.clone(), metas);
            events.push(PresenceEvent::Join {
                key,
                previous,
                joined,
            });
        }
        for (key, left) in diff.leaves {
            let Some(current) = self.state.get_mut(&key) else {
                continue;
            };
            let left_refs = refs(&left);
            current.retain(|m| !left_refs.contains(&m.phx_ref()));
            let remaining = current.clone();
            if remaining.is_empty() {
                self.state.remove(&key);
            }
            events.push(PresenceEvent::Leave {
                key,
                remaining,
                left,
            });
        }
        events
    }

    /// The channel was joined again (a new join ref): diffs are held again until the next
    /// state, as the JS client does. The current list stays as the base of that state's diff.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// presence.rejoining();
    /// assert!(!presence.is_synced());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn rejoining(&mut self) {
        self.synced = false;
    }

    /// Whether a state has been applied (and not [`rejoining`](Self::rejoining) since).
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert!(presence.is_synced());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// How many diffs are held waiting for a state.
    ///
    /// ```
    /// use phx_codec_std::presence::{PresenceTracker, TrackedDiff};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_diff(TrackedDiff::default());
    /// assert_eq!(presence.pending_diffs(), 1);
    /// ```
    pub fn pending_diffs(&self) -> usize {
        self.pending.len()
    }

    /// The whole list.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert_eq!(presence.map()["user:7"].len(), 2);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn map(&self) -> &PresenceMap {
        &self.state
    }

    /// The metas of `key`, if present.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert_eq!(presence.get("user:7").unwrap()[1].phx_ref(), Some("B"));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&[TrackedMeta]> {
        self.state.get(key).map(Vec::as_slice)
    }

    /// Whether `key` is present.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert!(presence.is_online("customer:c1") && !presence.is_online("user:8"));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn is_online(&self, key: &str) -> bool {
        self.state.contains_key(key)
    }

    /// The present keys, in order.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert_eq!(presence.keys().collect::<Vec<_>>(), ["customer:c1", "user:7"]);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.state.keys().map(String::as_str)
    }

    /// The ids of present Papercups agents (keys `user:{id}`), in key order.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert_eq!(presence.users().collect::<Vec<_>>(), ["7"]);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn users(&self) -> impl Iterator<Item = &str> {
        self.keys().filter_map(|k| k.strip_prefix("user:"))
    }

    /// The ids of present Papercups customers (keys `customer:{uuid}`), in key order.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert_eq!(presence.customers().collect::<Vec<_>>(), ["c1"]);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn customers(&self) -> impl Iterator<Item = &str> {
        self.keys().filter_map(|k| k.strip_prefix("customer:"))
    }

    /// How many keys are present.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert_eq!(presence.len(), 2);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.state.len()
    }

    /// Whether nobody is present.
    ///
    /// ```
    /// use phx_codec_std::presence::{presence_map, PresenceTracker};
    /// let mut presence = PresenceTracker::new();
    /// presence.sync_state(presence_map(serde_json::json!({
    ///     "user:7": {"metas": [{"phx_ref": "A"}, {"phx_ref": "B"}]},
    ///     "customer:c1": {"metas": [{"phx_ref": "C"}]}
    /// }))?);
    /// assert!(!presence.is_empty());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }
}

fn refs(metas: &[TrackedMeta]) -> HashSet<Option<&str>> {
    metas.iter().map(TrackedMeta::phx_ref).collect()
}

/// A presence map read through the core's views: `map` is its object (`None` when absent or
/// null: empty), `entries` its entries. Phoenix always writes `metas`; an entry without one
/// is refused, as a `serde_json` reading of the payload refused it.
fn tracked_map(map: Option<RawJson<'_>>, entries: Entries<'_>) -> Result<PresenceMap, Error> {
    for (_, entry) in map.and_then(|m| m.members()).into_iter().flatten() {
        if entry.get("metas").is_none_or(|metas| metas.is_null()) {
            return Err(Error::Presence("a presence entry has no `metas` array"));
        }
    }
    let mut tracked = PresenceMap::new();
    for (key, metas) in entries {
        let metas = metas
            .map(TrackedMeta::from_view)
            .collect::<Result<Vec<_>, _>>()?;
        tracked.insert(key.to_string(), metas);
    }
    Ok(tracked)
}
