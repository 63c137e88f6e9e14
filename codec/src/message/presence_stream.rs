//! A `presence_state` / `presence_diff` text frame decoded and read in **one walk**
//! ([`PresenceStream`]): the envelope first, then the payload validated as its items are
//! handed out, then the frame's end.

use crate::envelope::check_text;
use crate::error::DecodeError;
use crate::event::Event;
use crate::limits::DecodeLimits;
use crate::message::error::{MessageError, TypedDecodeError};
use crate::message::presence_items::{PresenceItem, PresenceItems, PresenceSection};
use crate::message::presence_meta::{PresenceKey, is_metas, scan_meta};
use crate::message::walk::{Key, key_str_in};
use crate::scan::Scanner;
use crate::stop::find_string_stop;
use crate::string::JsonStr;
use crate::text::{decode_text_with, read_head};

/// The containers the walk opens itself, the deepest being a diff's meta object (the frame's
/// array, the payload, the section, the entry, the `metas` array: five around it): under a
/// lower depth limit the frame is read the two-pass way from the start.
const MIN_DEPTH: u32 = 6;

/// Where a [`PresenceStream`] stands.
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
    /// After the payload: the frame's `]` and what follows are left to check.
    Close,
    /// Something the walk does not read itself (an error, or an unusual shape): the frame is
    /// decoded the two-pass way at the next call.
    Surprise,
    /// Reading with the two-pass reader (`fallback`).
    Fallback,
    /// Finished (at the end, or after yielding an error).
    Done,
}

/// A `presence_state` or `presence_diff` V2 text frame decoded and read in **one walk** over
/// its bytes: [`decode_state`](Self::decode_state) / [`decode_diff`](Self::decode_diff) read
/// the envelope (its errors are theirs); the stream then hands out the payload's items as it
/// validates the payload (JSON syntax, the depth limit, the types of keys and meta fields),
/// and checks the frame's closing `]` and what follows it last.
///
/// **What it accepts and rejects** is exactly what [`decode_text_with`](crate::decode_text_with)
/// followed by [`PresenceItems::state`] / [`PresenceItems::diff`] accept and reject, with the
/// same first error: a [`TypedDecodeError::Decode`] when the bytes are not a valid frame
/// (its offset in the frame), else a [`TypedDecodeError::Message`] when the payload does not
/// fit (its offset in the payload, as [`Frame::message`](crate::Frame::message) gives it;
/// [`payload_offset`](Self::payload_offset) is where the payload starts in the frame). The
/// items are those [`PresenceItems`] yields for the same frame, in the same order.
///
/// **Streaming:** an item is handed out as soon as its part of the payload is read, so items
/// can come before an error found later in the frame (a syntax error anywhere, as
/// `decode_text` would report it, or the first type error): the error is then the last item,
/// and the stream is fused. A consumer that needs all-or-nothing collects the items first
/// and uses them only when no error came (or uses `decode_text` and the two-pass views).
///
/// Frames in the form Phoenix writes (no whitespace, keys and meta fields without escapes)
/// take the one walk; any other valid form is read too, through the validating scanner. At
/// the first error or anything the walk does not read itself (a depth limit under 6, a
/// payload that is not an object, ...) the frame is decoded the two-pass way from its start
/// and the stream goes on from there (the items already handed out are not handed out
/// again), which is how every error is the two-pass path's. The event is not checked: match
/// [`event`](Self::event) or [`event_kind`](Self::event_kind) first.
///
/// ```
/// use phx_codec::{decode_text, Event, TypedDecodeError};
/// use phx_codec::presence::{PresenceItem, PresenceItems, PresenceKey, PresenceStream};
///
/// let bytes = br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F1","user_id":7},{"phx_ref":"F2"}]}}]"#;
/// let mut stream = PresenceStream::decode_state(bytes)?;
/// assert_eq!(stream.event_kind(), Event::PresenceState);
/// assert_eq!(stream.topic(), "room:1");
/// let mut refs = Vec::new();
/// while let Some(item) = stream.next() {
///     match item? {
///         PresenceItem::Key(key) => {
///             assert_eq!(key, PresenceKey::User(7));
///             assert_eq!(stream.key_text(), "user:7");
///         }
///         PresenceItem::Meta(meta) => refs.push(meta.phx_ref().unwrap()),
///         PresenceItem::Section(_) => unreachable!("only diffs have sections"),
///     }
/// }
/// assert_eq!(refs, ["F1", "F2"]);
///
/// // The same items as the two passes (`decode_text`, then `PresenceItems`).
/// let frame = decode_text(bytes)?;
/// let two_pass: Vec<_> = PresenceItems::state(&frame).map(|item| item.unwrap()).collect();
/// let one_walk: Vec<_> = PresenceStream::decode_state(bytes)?.map(|item| item.unwrap()).collect();
/// assert_eq!(one_walk, two_pass);
///
/// // A frame cut short: the items before the cut, then `decode_text`'s error.
/// let cut = &bytes[..bytes.len() - 3];
/// let items: Vec<_> = PresenceStream::decode_state(cut)?.collect();
/// assert_eq!(items.len(), 4); // the key, two metas, the error
/// assert_eq!(items[3], Err(TypedDecodeError::Decode(decode_text(cut).unwrap_err())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PresenceStream<'a> {
    /// The whole frame.
    text: &'a str,
    /// Where the walk stands in `text`.
    pos: usize,
    /// The scanner's depth limit (`limits`' clamped).
    max_depth: u32,
    limits: DecodeLimits,
    join_ref: Option<JsonStr<'a>>,
    reference: Option<JsonStr<'a>>,
    topic: JsonStr<'a>,
    event: JsonStr<'a>,
    /// Where the payload starts in `text`.
    payload_at: usize,
    diff: bool,
    level: Level,
    /// Where a map's close leads: [`Level::Close`] for a state, [`Level::Diff`] for a diff.
    after_map: Level,
    /// The walk stands just inside the container it is in (no member or item read yet).
    first: bool,
    /// Containers open around the current entry's member values (3 in a state, 4 in a diff).
    entry_depth: u32,
    /// The current entry's key (parsed, and as received), and whether metas of it were
    /// yielded since it was.
    key: PresenceKey<'a>,
    key_text: JsonStr<'a>,
    yielded_meta: bool,
    /// Items yielded by the walk (the two-pass reader skips them on taking over).
    yielded: usize,
    /// The two-pass reader, once it took over.
    fallback: Option<PresenceItems<'a>>,
}

impl<'a> PresenceStream<'a> {
    /// Decodes the envelope of a `presence_state` V2 text frame with the default
    /// [`DecodeLimits`]; the stream reads the payload (the event is not checked).
    ///
    /// ```
    /// use phx_codec::presence::PresenceStream;
    /// let stream = PresenceStream::decode_state(br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{}]}}]"#)?;
    /// assert_eq!(stream.topic(), "room:1");
    /// assert_eq!(stream.count(), 2); // the key and its meta
    /// assert!(PresenceStream::decode_state(br#"["2",null,"room:1""#).is_err());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn decode_state(input: &'a [u8]) -> Result<Self, DecodeError> {
        Self::decode_state_with(input, &DecodeLimits::new())
    }

    /// [`decode_state`](Self::decode_state) under `limits`: the same answers as
    /// [`decode_text_with`](crate::decode_text_with) then [`PresenceItems::state`].
    ///
    /// ```
    /// use phx_codec::{DecodeErrorKind, DecodeLimits, TypedDecodeError};
    /// use phx_codec::presence::PresenceStream;
    /// let limits = DecodeLimits::new().with_max_depth(4);
    /// let bytes = br#"[null,null,"room:1","presence_state",{"user:7":{"metas":[{}]}}]"#;
    /// let last = PresenceStream::decode_state_with(bytes, &limits)?.last().unwrap();
    /// assert!(matches!(last, Err(TypedDecodeError::Decode(e)) if e.kind == DecodeErrorKind::DepthLimitExceeded));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn decode_state_with(input: &'a [u8], limits: &DecodeLimits) -> Result<Self, DecodeError> {
        Self::decode(input, limits, false)
    }

    /// Decodes the envelope of a `presence_diff` V2 text frame with the default
    /// [`DecodeLimits`]; the stream reads the payload as [`PresenceItems::diff`] does (a
    /// [`PresenceItem::Section`] before each section's keys). The event is not checked.
    ///
    /// ```
    /// use phx_codec::presence::{PresenceItem, PresenceSection, PresenceStream};
    /// let bytes = br#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3"}]}},"leaves":{}}]"#;
    /// let items: Vec<_> = PresenceStream::decode_diff(bytes)?.collect::<Result<_, _>>()?;
    /// assert_eq!(items[0], PresenceItem::Section(PresenceSection::Joins));
    /// assert_eq!(items[3], PresenceItem::Section(PresenceSection::Leaves));
    /// assert_eq!(items.len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decode_diff(input: &'a [u8]) -> Result<Self, DecodeError> {
        Self::decode_diff_with(input, &DecodeLimits::new())
    }

    /// [`decode_diff`](Self::decode_diff) under `limits`: the same answers as
    /// [`decode_text_with`](crate::decode_text_with) then [`PresenceItems::diff`].
    ///
    /// ```
    /// use phx_codec::DecodeLimits;
    /// use phx_codec::presence::PresenceStream;
    /// let limits = DecodeLimits::new().with_extra_elements_allowed(true);
    /// let bytes = br#"[null,null,"room:1","presence_diff",{"joins":{},"leaves":{}},"extra"]"#;
    /// assert_eq!(PresenceStream::decode_diff_with(bytes, &limits)?.count(), 2);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn decode_diff_with(input: &'a [u8], limits: &DecodeLimits) -> Result<Self, DecodeError> {
        Self::decode(input, limits, true)
    }

    /// The envelope, then the walk set up at the payload (or the two-pass reader when the
    /// payload is not an object where the walk expects it).
    fn decode(input: &'a [u8], limits: &DecodeLimits, diff: bool) -> Result<Self, DecodeError> {
        let text = check_text(input, limits)?;
        let mut s = Scanner::new(text, limits.max_depth());
        let (join_ref, reference, topic, event) = read_head(&mut s, text)?;
        let max_depth = s.max_depth();
        // Whitespace before the payload, if any (an end there is the two-pass path's error).
        let payload_at = s.peek_token().map_or(s.pos(), |_| s.pos());
        let bytes = text.as_bytes();
        // Spans are 32-bit: a longer frame is read the two-pass way, which says so.
        let walk = bytes.get(payload_at) == Some(&b'{')
            && max_depth >= MIN_DEPTH
            && u32::try_from(text.len()).is_ok_and(|len| len < u32::MAX);
        let (level, after_map) = match (walk, diff) {
            (false, _) => (Level::Surprise, Level::Close),
            (true, false) => (Level::Map, Level::Close),
            (true, true) => (Level::Diff, Level::Diff),
        };
        Ok(Self {
            text,
            pos: payload_at + 1,
            max_depth,
            limits: *limits,
            join_ref,
            reference,
            topic,
            event,
            payload_at,
            diff,
            level,
            after_map,
            first: true,
            entry_depth: if diff { 4 } else { 3 },
            key: PresenceKey::Other(JsonStr::literal("")),
            key_text: JsonStr::literal(""),
            yielded_meta: false,
            yielded: 0,
            fallback: None,
        })
    }

    /// The `join_ref` (element 1), `None` for `null`.
    ///
    /// ```
    /// use phx_codec::presence::PresenceStream;
    /// let stream = PresenceStream::decode_state(br#"["2",null,"room:1","presence_state",{}]"#)?;
    /// assert_eq!(stream.join_ref().unwrap(), "2");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn join_ref(&self) -> Option<JsonStr<'a>> {
        self.join_ref
    }

    /// The `ref` (element 2), `None` for `null`.
    ///
    /// ```
    /// use phx_codec::presence::PresenceStream;
    /// let stream = PresenceStream::decode_state(br#"["2",null,"room:1","presence_state",{}]"#)?;
    /// assert_eq!(stream.reference(), None);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn reference(&self) -> Option<JsonStr<'a>> {
        self.reference
    }

    /// The topic (element 3).
    ///
    /// ```
    /// use phx_codec::presence::PresenceStream;
    /// let stream = PresenceStream::decode_state(br#"["2",null,"room:1","presence_state",{}]"#)?;
    /// assert_eq!(stream.topic(), "room:1");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn topic(&self) -> JsonStr<'a> {
        self.topic
    }

    /// The event (element 4), as received.
    ///
    /// ```
    /// use phx_codec::presence::PresenceStream;
    /// let stream = PresenceStream::decode_state(br#"["2",null,"room:1","presence_state",{}]"#)?;
    /// assert_eq!(stream.event(), "presence_state");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn event(&self) -> JsonStr<'a> {
        self.event
    }

    /// The event, parsed ([`Event::parse`]).
    ///
    /// ```
    /// use phx_codec::{Event, presence::PresenceStream};
    /// let stream = PresenceStream::decode_diff(br#"[null,null,"room:1","presence_diff",{}]"#)?;
    /// assert_eq!(stream.event_kind(), Event::PresenceDiff);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn event_kind(&self) -> Event<'a> {
        Event::parse(self.event)
    }

    /// Where the payload (element 5) starts in the frame: add it to a
    /// [`MessageError`](crate::MessageError)'s offset (relative to the payload) for the
    /// offset in the frame.
    ///
    /// ```
    /// use phx_codec::{TypedDecodeError, presence::PresenceStream};
    /// let bytes = br#"["2",null,"room:1","presence_state",{"user:7":[]}]"#;
    /// let stream = PresenceStream::decode_state(bytes)?;
    /// let at = stream.payload_offset();
    /// let Some(Err(TypedDecodeError::Message(e))) = stream.last() else { unreachable!() };
    /// assert_eq!(&bytes[at + e.offset..at + e.offset + 2], b"[]");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn payload_offset(&self) -> usize {
        self.payload_at
    }

    /// The key of the last [`PresenceItem::Key`] yielded as it was received, as
    /// [`PresenceItems::key_text`] gives it. Empty before the first key.
    ///
    /// ```
    /// use phx_codec::presence::{PresenceItem, PresenceStream};
    /// let mut stream = PresenceStream::decode_state(br#"["2",null,"room:1","presence_state",{"customer:c1":{"metas":[]}}]"#)?;
    /// assert!(matches!(stream.next(), Some(Ok(PresenceItem::Key(_)))));
    /// assert_eq!(stream.key_text(), "customer:c1");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn key_text(&self) -> JsonStr<'a> {
        self.key_text
    }

    /// The byte at `at` (`0` past the end).
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn byte(&self, at: usize) -> u8 {
        self.text.as_bytes().get(at).copied().unwrap_or(0)
    }

    /// `key` (read by this walk) as a [`JsonStr`] of the frame's text.
    #[inline]
    fn key_str(&self, key: Key<'a>) -> Option<JsonStr<'a>> {
        key_str_in(self.text, key)
    }

    /// A scanner standing at `at`.
    #[inline]
    fn scanner(&self, at: usize) -> Scanner<'a> {
        let mut s = Scanner::new(self.text, self.max_depth);
        s.rewind(at);
        s
    }

    /// Hands out `item`, counting it.
    #[inline(always)]
    #[allow(clippy::inline_always, clippy::unnecessary_wraps)] // what `next` returns
    fn hand_out(
        &mut self,
        item: PresenceItem<'a>,
    ) -> Option<Result<PresenceItem<'a>, TypedDecodeError>> {
        self.yielded += 1;
        Some(Ok(item))
    }

    /// Inside an object: the next member's key (the walk then stands at its value, past any
    /// whitespace), or `None` after the object's `}`; `Err` at anything but those (the
    /// caller hands over to the two-pass reader).
    #[inline(always)]
    #[allow(clippy::inline_always)] // once per entry and member
    fn member(&mut self) -> Result<Option<Key<'a>>, ()> {
        let bytes = self.text.as_bytes();
        let from = self.pos;
        let mut at = from;
        let mut b = self.byte(at);
        if b == b'}' {
            // The container around this object is past a member or item now.
            self.pos = at + 1;
            self.first = false;
            return Ok(None);
        }
        if !self.first && b == b',' {
            at += 1;
            b = self.byte(at);
        }
        if (self.first || at > from) && b == b'"' {
            let end = find_string_stop(bytes, at + 1);
            let value = end + 2;
            if self.byte(end) == b'"'
                && self.byte(end + 1) == b':'
                && !matches!(self.byte(value), b' ' | b'\n' | b'\r' | b'\t')
                && let Some(key) = bytes.get(at + 1..end)
            {
                self.pos = value;
                self.first = false;
                return Ok(Some(Key {
                    bytes: key,
                    escaped: false,
                }));
            }
        }
        self.member_slow(from)
    }

    /// [`member`](Self::member) through the validating scanner, from `from` (before the
    /// comma, if any): whitespace, escaped keys, syntax errors.
    #[cold]
    #[inline(never)]
    fn member_slow(&mut self, from: usize) -> Result<Option<Key<'a>>, ()> {
        let mut s = self.scanner(from);
        let mut t = s.peek_token().map_err(drop)?;
        if t == b'}' {
            s.bump();
            self.pos = s.pos();
            self.first = false;
            return Ok(None);
        }
        if !self.first {
            if t != b',' {
                return Err(());
            }
            s.bump();
            t = s.peek_token().map_err(drop)?;
        }
        let key = s.object_key(t).map_err(drop)?;
        s.peek_token().map_err(drop)?;
        self.pos = s.pos();
        self.first = false;
        Ok(Some(Key {
            bytes: key.raw().as_bytes(),
            escaped: key.has_escapes(),
        }))
    }

    /// Inside an array: whether there is a next item (the walk then stands at it, past any
    /// whitespace); `false` after the array's `]`; `Err` at anything else.
    #[inline(always)]
    #[allow(clippy::inline_always)] // once per meta
    fn item(&mut self) -> Result<bool, ()> {
        let at = self.pos;
        let b = self.byte(at);
        if b == b']' {
            self.pos = at + 1;
            self.first = false;
            return Ok(false);
        }
        if self.first {
            if b == b'{' {
                self.first = false;
                return Ok(true);
            }
        } else if b == b',' && self.byte(at + 1) == b'{' {
            self.pos = at + 1;
            return Ok(true);
        }
        self.item_slow(at)
    }

    /// [`item`](Self::item) through the validating scanner.
    #[cold]
    #[inline(never)]
    fn item_slow(&mut self, from: usize) -> Result<bool, ()> {
        let mut s = self.scanner(from);
        let t = s.peek_token().map_err(drop)?;
        if t == b']' {
            s.bump();
            self.pos = s.pos();
            self.first = false;
            return Ok(false);
        }
        if !self.first {
            if t != b',' {
                return Err(());
            }
            s.bump();
            s.peek_token().map_err(drop)?;
        }
        self.first = false;
        self.pos = s.pos();
        Ok(true)
    }

    /// Validates the value at the walk (inside `depth` containers) and steps past it.
    #[inline(never)]
    fn skip_value(&mut self, depth: u32) -> Result<(), ()> {
        let mut s = self.scanner(self.pos);
        s.value(depth).map_err(drop)?;
        self.pos = s.pos();
        Ok(())
    }

    /// Steps past a `null` at the walk (its first byte is `n`).
    #[inline]
    fn null(&mut self) -> Result<(), ()> {
        let at = self.pos;
        if self.text.as_bytes().get(at..at + 4) == Some(b"null") {
            self.pos = at + 4;
            Ok(())
        } else {
            Err(())
        }
    }

    /// After the payload: the frame's `]` (and, when the limits allow them, extra elements),
    /// then nothing but whitespace.
    fn close(&self) -> bool {
        let at = self.pos;
        if at + 1 == self.text.len() && self.byte(at) == b']' {
            return true;
        }
        let mut s = self.scanner(at);
        loop {
            match s.peek_token() {
                Ok(b']') => break,
                Ok(b',') if self.limits.extra_elements_allowed() => {
                    s.bump();
                    if s.value(1).is_err() {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        s.bump();
        s.finish().is_ok()
    }

    /// The walk met something it does not read itself: the frame is decoded the two-pass
    /// way; its error, or the two-pass reader past the items already handed out, answers.
    #[cold]
    #[inline(never)]
    fn take_over(&mut self) -> Option<Result<PresenceItem<'a>, TypedDecodeError>> {
        self.level = Level::Done;
        let frame = match decode_text_with(self.text.as_bytes(), &self.limits) {
            Ok(frame) => frame,
            Err(error) => return Some(Err(TypedDecodeError::Decode(error))),
        };
        let mut items = if self.diff {
            PresenceItems::diff(&frame)
        } else {
            PresenceItems::state(&frame)
        };
        self.level = Level::Fallback;
        // The items the walk handed out are the reader's first ones (the differential tests
        // pin that); were one not, what the reader says there is answered, not skipped.
        for _ in 0..self.yielded {
            match items.next() {
                Some(Ok(_)) => {}
                other => {
                    self.fallback = Some(items);
                    return self.answer_fallback(other);
                }
            }
        }
        let next = items.next();
        self.fallback = Some(items);
        self.answer_fallback(next)
    }

    /// The two-pass reader's next item, once it took over. Out of line: the walk's callers
    /// then hold no call of `PresenceItems::next` of their own (a second call site in a
    /// crate that also reads with `PresenceItems` kept that one from being inlined there:
    /// +10,000 instructions on the bench's `phx_std` presence read).
    #[cold]
    #[inline(never)]
    fn fallback_next(&mut self) -> Option<Result<PresenceItem<'a>, TypedDecodeError>> {
        let next = self.fallback.as_mut().and_then(Iterator::next);
        self.answer_fallback(next)
    }

    /// An item of the two-pass reader.
    fn answer_fallback(
        &mut self,
        item: Option<Result<PresenceItem<'a>, MessageError>>,
    ) -> Option<Result<PresenceItem<'a>, TypedDecodeError>> {
        match item {
            Some(Ok(item)) => {
                if let Some(items) = &self.fallback {
                    self.key_text = items.key_text();
                }
                Some(Ok(item))
            }
            Some(Err(error)) => {
                self.level = Level::Done;
                Some(Err(TypedDecodeError::Message(error)))
            }
            None => {
                self.level = Level::Done;
                None
            }
        }
    }

    /// The meta at the walk (inside a `metas` array, at an item).
    #[inline(always)]
    #[allow(clippy::inline_always)] // the inner step: one per meta
    fn meta(&mut self) -> Option<Result<PresenceItem<'a>, TypedDecodeError>> {
        if self.byte(self.pos) == b'{'
            && let Some((meta, end)) =
                scan_meta(self.text, self.pos, self.entry_depth + 2, self.max_depth)
        {
            self.pos = end;
            self.yielded_meta = true;
            return self.hand_out(PresenceItem::Meta(meta));
        }
        self.take_over()
    }

    /// The next item outside a `metas` array (or the first of one), or the error that ends
    /// the stream.
    #[inline]
    fn step(&mut self) -> Option<Result<PresenceItem<'a>, TypedDecodeError>> {
        loop {
            match self.level {
                Level::Metas => match self.item() {
                    Ok(true) => return self.meta(),
                    Ok(false) => self.level = Level::Entry,
                    Err(()) => return self.take_over(),
                },
                Level::Entry => {
                    let member = match self.member() {
                        Ok(Some(member)) => member,
                        Ok(None) => {
                            self.level = Level::Map;
                            continue;
                        }
                        Err(()) => return self.take_over(),
                    };
                    let read = if !is_metas(member) {
                        self.skip_value(self.entry_depth)
                    } else if self.byte(self.pos) == b'[' {
                        self.pos += 1;
                        self.first = true;
                        self.level = Level::Metas;
                        Ok(())
                    } else if self.byte(self.pos) == b'n' {
                        self.null()
                    } else {
                        Err(())
                    };
                    if read.is_err() {
                        return self.take_over();
                    }
                    // A later `metas` replaces the metas already handed out.
                    if is_metas(member) && self.yielded_meta {
                        self.yielded_meta = false;
                        return self.hand_out(PresenceItem::Key(self.key));
                    }
                }
                Level::Map => {
                    let entry = match self.member() {
                        Ok(Some(entry)) => entry,
                        Ok(None) => {
                            self.level = self.after_map;
                            continue;
                        }
                        Err(()) => return self.take_over(),
                    };
                    let Some(key) = self.key_str(entry) else {
                        return self.take_over();
                    };
                    if self.byte(self.pos) != b'{' {
                        return self.take_over();
                    }
                    // An entry as Phoenix writes it, `{"metas":[`: straight into its metas.
                    let at = self.pos + 1;
                    if self.text.as_bytes().get(at..at + 9) == Some(b"\"metas\":[") {
                        self.pos = at + 9;
                        self.level = Level::Metas;
                    } else {
                        self.pos = at;
                        self.level = Level::Entry;
                    }
                    self.first = true;
                    self.key_text = key;
                    self.key = PresenceKey::parse_inline(key);
                    self.yielded_meta = false;
                    return self.hand_out(PresenceItem::Key(self.key));
                }
                Level::Diff => {
                    let member = match self.member() {
                        Ok(Some(member)) => member,
                        Ok(None) => {
                            self.level = Level::Close;
                            continue;
                        }
                        Err(()) => return self.take_over(),
                    };
                    let section = if member.is("joins") {
                        PresenceSection::Joins
                    } else if member.is("leaves") {
                        PresenceSection::Leaves
                    } else {
                        if self.skip_value(2).is_err() {
                            return self.take_over();
                        }
                        continue;
                    };
                    match self.byte(self.pos) {
                        b'{' => {
                            self.pos += 1;
                            self.first = true;
                            self.level = Level::Map;
                        }
                        b'n' if self.null().is_ok() => {}
                        _ => return self.take_over(),
                    }
                    return self.hand_out(PresenceItem::Section(section));
                }
                Level::Close => {
                    if !self.close() {
                        return self.take_over();
                    }
                    self.level = Level::Done;
                    return None;
                }
                Level::Surprise => return self.take_over(),
                Level::Fallback => return self.fallback_next(),
                Level::Done => return None,
            }
        }
    }
}

impl<'a> Iterator for PresenceStream<'a> {
    type Item = Result<PresenceItem<'a>, TypedDecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // Metas are most of a presence payload: read here, the rest out of line.
        if self.level == Level::Metas {
            match self.item() {
                Ok(true) => return self.meta(),
                Ok(false) => self.level = Level::Entry,
                Err(()) => return self.take_over(),
            }
        }
        self.step()
    }
}

impl core::iter::FusedIterator for PresenceStream<'_> {}
