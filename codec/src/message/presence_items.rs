//! [`PresenceItems`]: a presence map read in one walk, type-checked as it goes; the
//! presence views' check is this reader run to its end. Re-exported by
//! [`presence`](crate::presence).

use crate::frame::Frame;
use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::presence_meta::{Meta, PresenceKey, is_metas, read_meta};
use crate::message::view::{check_kind, is_plain, payload_object, wrong_type};
use crate::message::walk::{Cursor, Walk};
use crate::raw::{JsonKind, RawJson};
use crate::string::JsonStr;

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
///
/// [`PresenceState::from_frame`]: crate::presence::PresenceState::from_frame
/// [`PresenceState::entries`]: crate::presence::PresenceState::entries
/// [`PresenceDiff::from_frame`]: crate::presence::PresenceDiff::from_frame
/// [`PresenceDiff::joins`]: crate::presence::PresenceDiff::joins
/// [`PresenceDiff::leaves`]: crate::presence::PresenceDiff::leaves
#[derive(Clone, Debug)]
pub struct PresenceItems<'a> {
    walk: Walk<'a>,
    /// The payload's text (error offsets are relative to it).
    base: &'a str,
    /// The payload has no backslash.
    pub(crate) plain: bool,
    level: Level,
    /// Where a map's close leads: [`Level::Done`] for a `presence_state`, back into the
    /// payload ([`Level::Diff`]) for a `presence_diff`.
    after_map: Level,
    /// The section being read (names parts in errors).
    section: Option<PresenceSection>,
    /// The current entry's key (parsed, and as received), and whether metas of it were
    /// yielded since it was.
    key: PresenceKey<'a>,
    key_text: JsonStr<'a>,
    yielded_meta: bool,
    /// Run by the views' check, which reads no key.
    checking: bool,
    /// An error met before the first item (the payload is not an object).
    pending: Option<MessageError>,
}

impl<'a> PresenceItems<'a> {
    pub(crate) fn over(
        payload: Result<RawJson<'a>, MessageError>,
        plain: Option<bool>,
        diff: bool,
    ) -> Self {
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
            key_text: JsonStr::literal(""),
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

    /// The key of the last [`PresenceItem::Key`] yielded as it was received (the body of its
    /// JSON string, unescaped on demand): the text [`PresenceKey`]'s `Display` writes back,
    /// read without formatting. Empty before the first key.
    ///
    /// ```
    /// use phx_codec::{decode_text, presence::{PresenceItem, PresenceItems}};
    /// let frame = decode_text(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1"}]},"customer:c1":{"metas":[]}}]"#)?;
    /// let mut items = PresenceItems::state(&frame);
    /// let mut keys = Vec::new();
    /// while let Some(item) = items.next() {
    ///     if let PresenceItem::Key(key) = item? {
    ///         assert_eq!(items.key_text(), key.to_string().as_str());
    ///         keys.push(items.key_text().to_string());
    ///     }
    /// }
    /// assert_eq!(keys, ["user:7", "customer:c1"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key_text(&self) -> JsonStr<'a> {
        self.key_text
    }

    /// Reads to the end: the first error, if any.
    pub(crate) fn check(&mut self) -> Result<(), MessageError> {
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
                    // An entry as Phoenix writes it, `{"metas":[`: straight into its metas,
                    // as the entry level would step (no metas of this key were yielded).
                    let (bytes, at) = self.walk.bytes_at();
                    if bytes.get(at..).and_then(<[u8]>::first_chunk::<9>) == Some(b"\"metas\":[") {
                        self.walk.set_pos(at + 9);
                        self.level = Level::Metas;
                    } else {
                        self.level = Level::Entry;
                    }
                    // Only checking: the key is not read.
                    self.key_text = key;
                    if !self.checking {
                        self.key = PresenceKey::parse_inline(key);
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
