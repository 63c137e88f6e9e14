//! [`Frame`]: one decoded message, whatever wire form it came in, and the V2 JSON text envelope
//! `[join_ref, ref, topic, event, payload]`.
//!
//! ```
//! use phx_codec::{decode_text, Payload};
//! let frame = decode_text(br#"["1","5","conversation:42","shout",{"body":"hi"}]"#)?;
//! assert_eq!(frame.join_ref().unwrap(), "1");
//! assert_eq!(frame.reference().unwrap(), "5");
//! assert_eq!(frame.topic(), "conversation:42");
//! assert_eq!(frame.event(), "shout");
//! assert!(matches!(frame.payload(), Payload::Json(p) if p.as_str() == r#"{"body":"hi"}"#));
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```

use core::fmt;

use crate::encode::{
    Encoding, Sink, SliceSink, WriteJson, encode_exact, exact_len, write_json_str,
};
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError, EnvelopeField};
use crate::limits::DecodeLimits;
use crate::raw::{MemberIndex, Members, RawJson};
use crate::scan::Scanner;
use crate::string::JsonStr;

/// Who sent a frame. Binary frames of kind 0 have a different layout in each direction, so
/// every binary operation takes one; nothing guesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by a client (browser widget, dashboard, device) to the server.
    FromClient,
    /// Sent by the server to a client.
    FromServer,
}

impl Direction {
    pub(crate) const fn describe(self) -> &'static str {
        match self {
            Self::FromClient => "by a client",
            Self::FromServer => "by a server",
        }
    }

    /// `"client"` or `"server"`: who sent it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::FromClient => "client",
            Self::FromServer => "server",
        }
    }
}

/// The serializer version a connection negotiated with `?vsn=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Vsn {
    /// `vsn=1.0.0` (or no `vsn`): JSON objects.
    V1,
    /// `vsn=2.0.0`: JSON arrays in text messages, binary frames in binary messages. The
    /// `phoenix` JS client's default.
    #[default]
    V2,
}

impl Vsn {
    /// Parses the `vsn` query parameter as Phoenix does: `None` (absent) and `"1.0.0"` mean
    /// V1, `"2.0.0"` V2, anything else is refused (`None`; Phoenix answers 403).
    ///
    /// ```
    /// use phx_codec::Vsn;
    /// assert_eq!(Vsn::from_query(Some("2.0.0")), Some(Vsn::V2));
    /// assert_eq!(Vsn::from_query(None), Some(Vsn::V1));
    /// assert_eq!(Vsn::from_query(Some("3.0.0")), None);
    /// ```
    pub fn from_query(vsn: Option<&str>) -> Option<Self> {
        match vsn {
            None | Some("1.0.0") => Some(Self::V1),
            Some("2.0.0") => Some(Self::V2),
            Some(_) => None,
        }
    }

    /// The value of the `vsn` query parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "1.0.0",
            Self::V2 => "2.0.0",
        }
    }
}

/// The three wire forms of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireFormat {
    /// V1 JSON object `{"topic":..,"event":..,"payload":..,"ref":..}`.
    V1,
    /// V2 JSON array `[join_ref, ref, topic, event, payload]`.
    V2,
    /// V2 binary frame (push, reply or broadcast).
    Binary,
}

impl WireFormat {
    /// `"v1"`, `"v2"` or `"binary"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
            Self::Binary => "binary",
        }
    }
}

/// What a WebSocket delivers: a text message or a binary message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsMessage<'a> {
    /// A text message (its bytes; UTF-8 is checked by the decoder).
    Text(&'a [u8]),
    /// A binary message.
    Binary(&'a [u8]),
}

/// A frame's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload<'a> {
    /// A validated JSON value (an object in every message Phoenix and Papercups send).
    Json(RawJson<'a>),
    /// The raw bytes of a binary push or broadcast.
    Binary(&'a [u8]),
    /// A binary reply: event `phx_reply` whose payload means `{status, response: <bytes>}`.
    BinaryReply {
        /// The reply status (`"ok"`, `"error"`).
        status: JsonStr<'a>,
        /// The response bytes.
        response: &'a [u8],
    },
}

impl<'a> Payload<'a> {
    /// The JSON payload, if this is one.
    pub const fn as_json(&self) -> Option<RawJson<'a>> {
        match self {
            Self::Json(raw) => Some(*raw),
            _ => None,
        }
    }

    /// Whether the payload is binary (a push, broadcast or reply body).
    pub const fn is_binary(&self) -> bool {
        !matches!(self, Self::Json(_))
    }
}

/// One decoded frame, borrowing from the input buffer.
///
/// Whatever form it came in (V2 text, V2 binary, V1), a frame has the same five fields.
/// Decoding validated all of it; accessors never re-validate.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    join_ref: Option<JsonStr<'a>>,
    reference: Option<JsonStr<'a>>,
    topic: JsonStr<'a>,
    event: JsonStr<'a>,
    payload: Payload<'a>,
    /// Spans of the payload object's top-level members, recorded while validating.
    index: MemberIndex,
}

impl<'a> Frame<'a> {
    /// A frame from its parts (for encoding, or converting between forms).
    ///
    /// ```
    /// use phx_codec::{Frame, JsonStr, Payload, RawJson};
    /// let frame = Frame::new(None, Some("12".into()), "phoenix".into(), "heartbeat".into(),
    ///     Payload::Json(RawJson::parse("{}")?));
    /// let mut buf = [0u8; 64];
    /// let n = frame.encode_v2_into(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], br#"[null,"12","phoenix","heartbeat",{}]"#);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn new(
        join_ref: Option<JsonStr<'a>>,
        reference: Option<JsonStr<'a>>,
        topic: JsonStr<'a>,
        event: JsonStr<'a>,
        payload: Payload<'a>,
    ) -> Self {
        Self {
            join_ref,
            reference,
            topic,
            event,
            payload,
            index: MemberIndex::unavailable(),
        }
    }

    #[allow(clippy::large_types_passed_by_value)] // consumes a frame that is as large
    pub(crate) const fn with_index(mut self, index: MemberIndex) -> Self {
        self.index = index;
        self
    }

    pub(crate) const fn member_index(&self) -> &MemberIndex {
        &self.index
    }

    /// The ref of the `phx_join` that opened the channel; `None` for broadcasts, heartbeats
    /// and `null`.
    pub const fn join_ref(&self) -> Option<JsonStr<'a>> {
        self.join_ref
    }

    /// The push's ref (Phoenix's `ref`), echoed in its reply; `None` when null.
    #[doc(alias = "ref")]
    pub const fn reference(&self) -> Option<JsonStr<'a>> {
        self.reference
    }

    /// The topic (`"conversation:…"`, `"phoenix"`...). See [`Frame::topic_kind`] for the
    /// typed form.
    pub const fn topic(&self) -> JsonStr<'a> {
        self.topic
    }

    /// The event name (`"shout"`, `"phx_join"`...). See [`Frame::event_kind`] for the typed
    /// form.
    pub const fn event(&self) -> JsonStr<'a> {
        self.event
    }

    /// The payload.
    pub const fn payload(&self) -> Payload<'a> {
        self.payload
    }

    /// The payload if it is JSON.
    pub const fn payload_json(&self) -> Option<RawJson<'a>> {
        self.payload.as_json()
    }

    /// The payload object's top-level members, from the decode-time index when it has them
    /// all. `None` when the payload is not a JSON object.
    pub(crate) fn payload_members(&self) -> Option<Members<'_, 'a>> {
        let raw = self.payload.as_json()?;
        if raw.kind() != crate::JsonKind::Object {
            return None;
        }
        Some(self.index.members(raw))
    }

    /// The payload member `key` (last wins with duplicates, as `JSON.parse`), if the payload is
    /// a JSON object that has it.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"a":1,"b":"x"}]"#).unwrap();
    /// assert_eq!(frame.payload_get("b").unwrap().as_json_str().unwrap(), "x");
    /// assert!(frame.payload_get("c").is_none());
    /// ```
    pub fn payload_get(&self, key: &str) -> Option<RawJson<'a>> {
        self.payload_members()?
            .filter(|(k, _)| k.eq_str(key))
            .last()
            .map(|(_, v)| v)
    }

    // --- V2 text encoding ---------------------------------------------------------------

    /// Writes the frame as a compact V2 JSON array into `out`; returns the bytes written.
    ///
    /// Strings are written as `JSON.stringify` writes them; a JSON payload is copied as it was
    /// received. Fails without writing when `out` is too small or the payload is binary.
    pub fn encode_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&V2(self), out)
    }

    /// [`encode_v2`](Self::encode_v2) into a byte slice.
    pub fn encode_v2_into(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode_v2(&mut SliceSink::new(buf))
    }

    /// The exact length of [`encode_v2`](Self::encode_v2)'s output.
    pub fn encoded_len_v2(&self) -> Result<usize, EncodeError> {
        exact_len(&V2(self))
    }

    fn write_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let Payload::Json(payload) = self.payload else {
            return Err(EncodeError::PayloadNotJson);
        };
        out.put(b"[")?;
        write_nullable(out, self.join_ref)?;
        out.put(b",")?;
        write_nullable(out, self.reference)?;
        out.put(b",")?;
        write_json_str(out, self.topic)?;
        out.put(b",")?;
        write_json_str(out, self.event)?;
        out.put(b",")?;
        payload.write_json(out)?;
        out.put(b"]")
    }

    /// Encodes in `format`; `direction` matters only for binary frames.
    pub fn encode<S: Sink + ?Sized>(
        &self,
        format: WireFormat,
        direction: Direction,
        out: &mut S,
    ) -> Result<usize, EncodeError> {
        match format {
            WireFormat::V2 => self.encode_v2(out),
            WireFormat::V1 => self.encode_v1(out),
            WireFormat::Binary => self.encode_binary(direction, out),
        }
    }

    /// The exact length of [`encode`](Self::encode)'s output.
    pub fn encoded_len(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<usize, EncodeError> {
        match format {
            WireFormat::V2 => self.encoded_len_v2(),
            WireFormat::V1 => self.encoded_len_v1(),
            WireFormat::Binary => self.encoded_len_binary(direction),
        }
    }
}

/// A frame in the V2 text form.
struct V2<'f, 'a>(&'f Frame<'a>);

impl Encoding for V2<'_, '_> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.write_v2(out)
    }
}

pub(crate) fn write_nullable<S: Sink + ?Sized>(
    out: &mut S,
    value: Option<JsonStr<'_>>,
) -> Result<(), EncodeError> {
    match value {
        Some(s) => write_json_str(out, s),
        None => out.put(b"null"),
    }
}

/// Frames are equal when their five fields are: strings compared unescaped, JSON payloads
/// byte for byte.
impl PartialEq for Frame<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.join_ref == other.join_ref
            && self.reference == other.reference
            && self.topic == other.topic
            && self.event == other.event
            && self.payload == other.payload
    }
}

impl Eq for Frame<'_> {}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("join_ref", &self.join_ref)
            .field("ref", &self.reference)
            .field("topic", &self.topic)
            .field("event", &self.event)
            .field("payload", &self.payload)
            .finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Frame<'_> {
    /// As a map `{join_ref, ref, topic, event, payload}`; a binary payload becomes a byte
    /// sequence, a binary reply `{status, response}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Bytes<'b>(&'b [u8]);
        impl serde::Serialize for Bytes<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        let mut st = serializer.serialize_struct("Frame", 5)?;
        st.serialize_field("join_ref", &self.join_ref)?;
        st.serialize_field("ref", &self.reference)?;
        st.serialize_field("topic", &self.topic)?;
        st.serialize_field("event", &self.event)?;
        match self.payload {
            Payload::Json(raw) => st.serialize_field("payload", &raw)?,
            Payload::Binary(bytes) => st.serialize_field("payload", &Bytes(bytes))?,
            Payload::BinaryReply { status, response } => {
                #[derive(serde::Serialize)]
                struct Reply<'r> {
                    status: JsonStr<'r>,
                    response: Bytes<'r>,
                }
                st.serialize_field(
                    "payload",
                    &Reply {
                        status,
                        response: Bytes(response),
                    },
                )?;
            }
        }
        st.end()
    }
}

// --- V2 text decoding --------------------------------------------------------------------

/// Decodes a V2 JSON text frame with the default [`DecodeLimits`].
///
/// ```
/// let frame = phx_codec::decode_text(br#"[null,"12","phoenix","heartbeat",{}]"#).unwrap();
/// assert_eq!(frame.event(), "heartbeat");
/// assert!(phx_codec::decode_text(br#"[null,"12","phoenix","heartbeat"]"#).is_err());
/// ```
pub fn decode_text(input: &[u8]) -> Result<Frame<'_>, DecodeError> {
    decode_text_with(input, &DecodeLimits::new())
}

/// Decodes a V2 JSON text frame under `limits`.
pub fn decode_text_with<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    let text = check_text(input, limits)?;
    decode_text_str_with(text, limits)
}

/// Checks the size limit and UTF-8 (once, for the whole frame).
pub(crate) fn check_text<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
) -> Result<&'a str, DecodeError> {
    if input.len() > limits.max_frame_len() {
        return Err(DecodeError::new(K::FrameTooLarge, limits.max_frame_len()));
    }
    core::str::from_utf8(input).map_err(|e| DecodeError::new(K::InvalidUtf8, e.valid_up_to()))
}

/// Decodes a V2 JSON text frame from a `&str` (UTF-8 already known) with the default limits.
pub fn decode_text_str(input: &str) -> Result<Frame<'_>, DecodeError> {
    decode_text_str_with(input, &DecodeLimits::new())
}

/// Decodes a V2 JSON text frame from a `&str` under `limits`.
pub fn decode_text_str_with<'a>(
    input: &'a str,
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    if input.len() > limits.max_frame_len() {
        return Err(DecodeError::new(K::FrameTooLarge, limits.max_frame_len()));
    }
    let mut s = Scanner::new(input, limits.max_depth());
    if s.peek_token()? != b'[' {
        s.value(0)?;
        return Err(DecodeError::new(K::ExpectedArray, 0).at_token(input));
    }
    if s.max_depth() == 0 {
        return Err(s.error(K::DepthLimitExceeded));
    }
    s.bump();
    let join_ref = nullable_string(&mut s, EnvelopeField::JoinRef)?;
    separator(&mut s)?;
    let reference = nullable_string(&mut s, EnvelopeField::Ref)?;
    separator(&mut s)?;
    let topic = string_field(&mut s, EnvelopeField::Topic)?;
    separator(&mut s)?;
    let event = string_field(&mut s, EnvelopeField::Event)?;
    separator(&mut s)?;
    let mut index = MemberIndex::unavailable();
    let payload = payload(&mut s, &mut index)?;
    loop {
        match s.peek_token()? {
            b']' => break,
            b',' if limits.extra_elements_allowed() => {
                s.bump();
                s.value(1)?;
            }
            b',' => {
                let comma = s.error(K::TooManyElements);
                s.bump();
                // A trailing comma is a syntax error; only a real sixth value is an arity error.
                if !starts_value(s.peek_token()?) {
                    return Err(s.error(K::ExpectedValue));
                }
                return Err(comma);
            }
            _ => return Err(s.error(K::ExpectedCommaOrArrayEnd)),
        }
    }
    s.bump();
    s.finish()?;
    Ok(Frame {
        join_ref,
        reference,
        topic,
        event,
        payload: Payload::Json(payload),
        index,
    })
}

impl DecodeError {
    /// Moves the offset to the first non-whitespace byte (where the offending value starts).
    fn at_token(mut self, input: &str) -> Self {
        self.offset = input.len() - input.trim_start_matches([' ', '\t', '\n', '\r']).len();
        self
    }
}

/// Between envelope elements: `,`, or `]` too early.
fn separator(s: &mut Scanner<'_>) -> Result<(), DecodeError> {
    match s.peek_token()? {
        b',' => {
            s.bump();
            Ok(())
        }
        b']' => Err(s.error(K::TooFewElements)),
        _ => Err(s.error(K::ExpectedCommaOrArrayEnd)),
    }
}

/// Whether `b` can start a JSON value.
const fn starts_value(b: u8) -> bool {
    matches!(
        b,
        b'"' | b'{' | b'[' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

/// The error for an envelope field holding something other than its type: the value's own
/// syntax error if it is not JSON, otherwise `WrongFieldType` at its start. `depth` is the
/// number of containers around the value.
pub(crate) fn wrong_type(
    s: &mut Scanner<'_>,
    b: u8,
    field: EnvelopeField,
    depth: u32,
) -> DecodeError {
    if !starts_value(b) {
        return s.error(K::ExpectedValue);
    }
    let at = s.pos();
    match s.value(depth) {
        Err(syntax) => syntax,
        Ok(_) => DecodeError::new(K::WrongFieldType(field), at),
    }
}

/// An element that starts the array's remaining part: `]` here means too few elements.
fn element_start(s: &mut Scanner<'_>) -> Result<u8, DecodeError> {
    let b = s.peek_token()?;
    if b == b']' {
        return Err(s.error(K::TooFewElements));
    }
    Ok(b)
}

fn nullable_string<'a>(
    s: &mut Scanner<'a>,
    field: EnvelopeField,
) -> Result<Option<JsonStr<'a>>, DecodeError> {
    match element_start(s)? {
        b'"' => s.string().map(Some),
        b'n' => {
            s.null()?;
            Ok(None)
        }
        b => Err(wrong_type(s, b, field, 1)),
    }
}

fn string_field<'a>(s: &mut Scanner<'a>, field: EnvelopeField) -> Result<JsonStr<'a>, DecodeError> {
    match element_start(s)? {
        b'"' => s.string(),
        b => Err(wrong_type(s, b, field, 1)),
    }
}

/// The payload: an object is walked here, one level, recording its members' spans; anything
/// else goes through the generic scanner.
fn payload<'a>(s: &mut Scanner<'a>, index: &mut MemberIndex) -> Result<RawJson<'a>, DecodeError> {
    let first = element_start(s)?;
    let start = s.pos();
    if first == b'{' {
        object_with_index(s, 1, index)?;
    } else {
        s.value(1)?;
    }
    Ok(RawJson::from_validated(s.slice(start, s.pos())))
}

impl Frame<'_> {
    /// Whether the JSON payload holds no backslash (so every string in it is literal), when
    /// decoding recorded it; `None` for frames built by hand.
    pub(crate) const fn payload_plain(&self) -> Option<bool> {
        self.index.plain()
    }
}

/// Scans the object at the cursor (inside `depth` containers), recording its top-level
/// members' spans relative to its start into `index`.
pub(crate) fn object_with_index(
    s: &mut Scanner<'_>,
    depth: u32,
    index: &mut MemberIndex,
) -> Result<(), DecodeError> {
    if depth >= s.max_depth() {
        return Err(s.error(K::DepthLimitExceeded));
    }
    let start = s.pos();
    index.reset();
    s.saw_escape = false;
    s.bump();
    let mut next = s.peek_token()?;
    if next != b'}' {
        loop {
            let key_start = s.pos() + 1;
            let key = s.object_key(next)?;
            let key_end = key_start + key.raw().len();
            let value_start = {
                s.peek_token()?;
                s.pos()
            };
            // Most payload members are strings: scan them inline.
            if s.peek_token()? == b'"' {
                s.string()?;
            } else {
                s.value(depth + 1)?;
            }
            index.push(
                (key_start - start, key_end - start, key.has_escapes()),
                (value_start - start, s.pos() - start),
            );
            match s.peek_token()? {
                b',' => {
                    s.bump();
                    next = s.peek_token()?;
                }
                b'}' => break,
                _ => return Err(s.error(K::ExpectedCommaOrObjectEnd)),
            }
        }
    }
    s.bump();
    index.set_plain(!s.saw_escape);
    Ok(())
}

// --- One entry point for whatever the socket delivers ------------------------------------

/// Decodes what a WebSocket delivers, for a connection's negotiated `vsn` and the direction
/// frames travel in, so callers never branch by hand.
///
/// ```
/// use phx_codec::{Decoder, Direction, Vsn, WsMessage};
/// let server_side = Decoder::new(Vsn::V2, Direction::FromClient);
/// let frame = server_side.decode(WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#))?;
/// assert_eq!(frame.event(), "heartbeat");
/// let frame = server_side.decode(WsMessage::Binary(b"\x00\x01\x01\x01\x01ab!e\xff"))?;
/// assert_eq!(frame.topic(), "!");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoder {
    vsn: Vsn,
    direction: Direction,
    limits: DecodeLimits,
}

impl Decoder {
    /// A decoder for frames sent in `direction` on a connection that negotiated `vsn`.
    pub const fn new(vsn: Vsn, direction: Direction) -> Self {
        Self {
            vsn,
            direction,
            limits: DecodeLimits::new(),
        }
    }

    /// The same decoder with other limits.
    #[must_use]
    pub const fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The negotiated serializer version.
    pub const fn vsn(&self) -> Vsn {
        self.vsn
    }

    /// Who sends the frames this decoder reads.
    pub const fn direction(&self) -> Direction {
        self.direction
    }

    /// The limits.
    pub const fn limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Decodes one WebSocket message.
    pub fn decode<'a>(&self, message: WsMessage<'a>) -> Result<Frame<'a>, DecodeError> {
        match (message, self.vsn) {
            (WsMessage::Text(text), Vsn::V2) => decode_text_with(text, &self.limits),
            (WsMessage::Text(text), Vsn::V1) => crate::v1::decode_v1_with(text, &self.limits),
            (WsMessage::Binary(bytes), Vsn::V2) => {
                crate::binary::decode_binary_with(bytes, self.direction, &self.limits)
            }
            (WsMessage::Binary(_), Vsn::V1) => Err(DecodeError::new(K::BinaryNotSupportedInV1, 0)),
        }
    }

    /// The format a message decodes as on this connection.
    pub const fn format_of(&self, message: &WsMessage<'_>) -> WireFormat {
        match (message, self.vsn) {
            (WsMessage::Binary(_), _) => WireFormat::Binary,
            (WsMessage::Text(_), Vsn::V1) => WireFormat::V1,
            (WsMessage::Text(_), Vsn::V2) => WireFormat::V2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_payload_members_while_validating() {
        let frame =
            decode_text(br#"[null,null,"t","e",{"a":1, "b\u0031" : "x" ,"c":{"d":[]}}]"#).unwrap();
        let members: heapless::Vec<_, 8> = frame.payload_members().unwrap().collect();
        assert_eq!(members.len(), 3);
        assert_eq!(members[1].0, "b1");
        assert_eq!(members[1].1.as_str(), "\"x\"");
        assert_eq!(members[2].1.as_str(), r#"{"d":[]}"#);
    }

    #[test]
    fn records_whether_the_payload_has_escapes() {
        let plain = decode_text(br#"["\u0031",null,"t","e",{"a":["x",{"b":"y"}]}]"#).unwrap();
        assert_eq!(plain.payload_plain(), Some(true));
        for escaped in [
            br#"[null,null,"t","e",{"a":["x",{"b":"\n"}]}]"#.as_slice(),
            br#"[null,null,"t","e",{"\u0061":1}]"#,
        ] {
            assert_eq!(decode_text(escaped).unwrap().payload_plain(), Some(false));
        }
        let built = Frame::new(
            None,
            None,
            "t".into(),
            "e".into(),
            Payload::Json(RawJson::parse("{}").unwrap()),
        );
        assert_eq!(built.payload_plain(), None);
    }

    #[test]
    fn falls_back_to_walking_past_the_index_capacity() {
        let mut text = heapless::String::<1024>::new();
        text.push_str("[null,null,\"t\",\"e\",{").unwrap();
        for i in 0..40 {
            if i > 0 {
                text.push(',').unwrap();
            }
            core::fmt::Write::write_fmt(&mut text, format_args!("\"k{i}\":{i}")).unwrap();
        }
        text.push_str("}]").unwrap();
        let frame = decode_text(text.as_bytes()).unwrap();
        assert_eq!(frame.payload_members().unwrap().count(), 40);
        assert_eq!(frame.payload_get("k39").unwrap().as_i64(), Some(39));
    }

    #[test]
    fn error_offsets_point_at_the_problem() {
        let err = |t: &str| decode_text(t.as_bytes()).map(|_| ()).unwrap_err();
        assert_eq!(
            err("[null,1,\"t\",\"e\",{}]"),
            DecodeError::new(K::WrongFieldType(EnvelopeField::Ref), 6)
        );
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\"]"),
            DecodeError::new(K::TooFewElements, 17)
        );
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\",{},{}]"),
            DecodeError::new(K::TooManyElements, 20)
        );
        assert_eq!(err(" {\"a\":1}"), DecodeError::new(K::ExpectedArray, 1));
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\",{}] x"),
            DecodeError::new(K::TrailingCharacters, 22)
        );
        assert_eq!(err(""), DecodeError::new(K::UnexpectedEnd, 0));
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\",{},]"),
            DecodeError::new(K::ExpectedValue, 21)
        );
        assert_eq!(
            err("[null,'1','t','e',{}]"),
            DecodeError::new(K::ExpectedValue, 6)
        );
        assert_eq!(
            err("[null,\"1\",5,\"e\",{}]"),
            DecodeError::new(K::WrongFieldType(EnvelopeField::Topic), 10)
        );
    }

    #[test]
    fn lenient_mode_accepts_and_validates_extra_elements() {
        let limits = DecodeLimits::new().with_extra_elements_allowed(true);
        assert!(decode_text_with(br#"[null,"1","t","e",{},{"x":[1]},2]"#, &limits).is_ok());
        assert_eq!(
            decode_text_with(br#"[null,"1","t","e",{},{"x":}]"#, &limits)
                .unwrap_err()
                .kind,
            K::ExpectedValue
        );
    }
}
