//! [`Frame`]: one decoded message, whatever wire form it came in. A type, no codec: the wire
//! forms (`text`, `v1`, `binary`) build and write it, `dispatch` chooses between them.
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

use crate::raw::{JsonKind, MemberIndex, Members, RawJson};
use crate::string::JsonStr;

/// A frame's payload.
///
/// ```
/// use phx_codec::{binary, decode_text, Direction, Payload};
/// let text = decode_text(br#"[null,null,"t","e",{"a":1}]"#)?;
/// assert!(matches!(text.payload(), Payload::Json(raw) if raw.as_str() == r#"{"a":1}"#));
/// let push = binary::decode_binary(b"\x02\x01\x01te\x00\xff", Direction::FromServer)?;
/// assert_eq!(push.payload(), Payload::Binary(&[0x00, 0xff]));
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
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
    ///
    /// ```
    /// use phx_codec::{Payload, RawJson};
    /// let json = Payload::Json(RawJson::parse("[1]")?);
    /// assert_eq!(json.as_json().unwrap().as_str(), "[1]");
    /// assert_eq!(Payload::Binary(b"ab").as_json(), None);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn as_json(&self) -> Option<RawJson<'a>> {
        match self {
            Self::Json(raw) => Some(*raw),
            _ => None,
        }
    }

    /// Whether the payload is binary (a push, broadcast or reply body).
    ///
    /// ```
    /// use phx_codec::{Payload, RawJson};
    /// assert!(Payload::Binary(b"ab").is_binary());
    /// assert!(Payload::BinaryReply { status: "ok".into(), response: b"" }.is_binary());
    /// assert!(!Payload::Json(RawJson::parse("{}")?).is_binary());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn is_binary(&self) -> bool {
        !matches!(self, Self::Json(_))
    }
}

/// One decoded frame, borrowing from the input buffer.
///
/// Whatever form it came in (V2 text, V2 binary, V1), a frame has the same five fields.
/// Decoding validated all of it; accessors never re-validate.
///
/// ```
/// use phx_codec::{decode_text, v1, WireFormat, Direction};
/// // The same push in V2 text and V1 decodes to equal frames.
/// let v2 = decode_text(br#"["1","2","room:1","shout",{"body":"hi"}]"#)?;
/// let v1 = v1::decode_v1(br#"{"topic":"room:1","event":"shout","payload":{"body":"hi"},"ref":"2","join_ref":"1"}"#)?;
/// assert_eq!(v2, v1);
/// assert_eq!(v2.encoded_len(WireFormat::V2, Direction::FromClient), Ok(40));
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    join_ref: Option<&'a str>,
    reference: Option<&'a str>,
    topic: &'a str,
    event: &'a str,
    /// The four envelope strings' [`JsonStr`] flags, in field order.
    flags: [u8; 4],
    body: Body<'a>,
}

/// A [`Payload`] as a frame keeps it: strings without their flags (kept beside them), and a
/// JSON payload with its member index (a binary one has none: the variants share the room).
#[derive(Clone, Copy)]
enum Body<'a> {
    Json(&'a str, MemberIndex),
    Binary(&'a [u8]),
    Reply {
        status: &'a str,
        status_flags: u8,
        response: &'a [u8],
    },
}

/// The index of a frame whose payload is not JSON.
const NO_INDEX: MemberIndex = MemberIndex::unavailable();

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
    #[allow(clippy::inline_always)] // every decode builds one: measured (callgrind, heartbeat)
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    pub const fn new(
        join_ref: Option<JsonStr<'a>>,
        reference: Option<JsonStr<'a>>,
        topic: JsonStr<'a>,
        event: JsonStr<'a>,
        payload: Payload<'a>,
    ) -> Self {
        let flags = [
            match join_ref {
                Some(s) => s.flags(),
                None => 0,
            },
            match reference {
                Some(s) => s.flags(),
                None => 0,
            },
            topic.flags(),
            event.flags(),
        ];
        let join_ref = match join_ref {
            Some(s) => Some(s.raw()),
            None => None,
        };
        let reference = match reference {
            Some(s) => Some(s.raw()),
            None => None,
        };
        let body = match payload {
            Payload::Json(raw) => Body::Json(raw.as_str(), MemberIndex::unavailable()),
            Payload::Binary(bytes) => Body::Binary(bytes),
            Payload::BinaryReply { status, response } => Body::Reply {
                status: status.raw(),
                status_flags: status.flags(),
                response,
            },
        };
        Self {
            join_ref,
            reference,
            topic: topic.raw(),
            event: event.raw(),
            flags,
            body,
        }
    }

    #[allow(clippy::large_types_passed_by_value)] // consumes a frame that is as large
    pub(crate) const fn with_index(mut self, index: MemberIndex) -> Self {
        if let Body::Json(_, slot) = &mut self.body {
            *slot = index;
        }
        self
    }

    pub(crate) const fn member_index(&self) -> &MemberIndex {
        match &self.body {
            Body::Json(_, index) => index,
            Body::Binary(_) | Body::Reply { .. } => &NO_INDEX,
        }
    }

    /// The ref of the `phx_join` that opened the channel; `None` for broadcasts, heartbeats
    /// and `null`.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"["1","2","room:1","phx_join",{}]"#)?;
    /// assert_eq!(frame.join_ref().unwrap(), "1");
    /// let broadcast = phx_codec::decode_text(br#"[null,null,"room:1","shout",{}]"#)?;
    /// assert!(broadcast.join_ref().is_none());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn join_ref(&self) -> Option<JsonStr<'a>> {
        match self.join_ref {
            Some(raw) => Some(JsonStr::from_flags(raw, self.flags[0])),
            None => None,
        }
    }

    /// The push's ref (Phoenix's `ref`), echoed in its reply; `None` when null.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"["1","2","room:1","phx_join",{}]"#)?;
    /// assert_eq!(frame.reference().unwrap(), "2");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    #[doc(alias = "ref")]
    pub const fn reference(&self) -> Option<JsonStr<'a>> {
        match self.reference {
            Some(raw) => Some(JsonStr::from_flags(raw, self.flags[1])),
            None => None,
        }
    }

    /// The topic (`"conversation:…"`, `"phoenix"`...). See [`Frame::topic_kind`] for the
    /// typed form.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,"2","room:\u0031","ping",{}]"#)?;
    /// assert_eq!(frame.topic(), "room:1"); // compared unescaped
    /// assert_eq!(frame.topic().raw(), r"room:\u0031");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn topic(&self) -> JsonStr<'a> {
        JsonStr::from_flags(self.topic, self.flags[2])
    }

    /// The event name (`"shout"`, `"phx_join"`...). See [`Frame::event_kind`] for the typed
    /// form.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,"2","phoenix","heartbeat",{}]"#)?;
    /// assert_eq!(frame.event(), "heartbeat");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn event(&self) -> JsonStr<'a> {
        JsonStr::from_flags(self.event, self.flags[3])
    }

    /// The payload.
    ///
    /// ```
    /// use phx_codec::Payload;
    /// let frame = phx_codec::decode_text(br#"[null,"2","t","e",[1,2]]"#)?;
    /// assert!(matches!(frame.payload(), Payload::Json(raw) if raw.as_str() == "[1,2]"));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn payload(&self) -> Payload<'a> {
        match self.body {
            Body::Json(text, _) => Payload::Json(RawJson::from_validated(text)),
            Body::Binary(bytes) => Payload::Binary(bytes),
            Body::Reply {
                status,
                status_flags,
                response,
            } => Payload::BinaryReply {
                status: JsonStr::from_flags(status, status_flags),
                response,
            },
        }
    }

    /// The payload if it is JSON.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,"2","t","e",{"a":true}]"#)?;
    /// assert_eq!(frame.payload_json().unwrap().get("a").unwrap().as_bool(), Some(true));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn payload_json(&self) -> Option<RawJson<'a>> {
        match self.body {
            Body::Json(text, _) => Some(RawJson::from_validated(text)),
            Body::Binary(_) | Body::Reply { .. } => None,
        }
    }

    /// The payload object's top-level members, from the decode-time index when it has them
    /// all. `None` when the payload is not a JSON object.
    pub(crate) fn payload_members(&self) -> Option<Members<'_, 'a>> {
        let Body::Json(text, index) = &self.body else {
            return None;
        };
        let raw = RawJson::from_validated(text);
        if raw.kind() != JsonKind::Object {
            return None;
        }
        Some(index.members(raw))
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
}

/// Frames are equal when their five fields are: strings compared unescaped, JSON payloads
/// byte for byte.
impl PartialEq for Frame<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.join_ref() == other.join_ref()
            && self.reference() == other.reference()
            && self.topic() == other.topic()
            && self.event() == other.event()
            && self.payload() == other.payload()
    }
}

impl Eq for Frame<'_> {}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("join_ref", &self.join_ref())
            .field("ref", &self.reference())
            .field("topic", &self.topic())
            .field("event", &self.event())
            .field("payload", &self.payload())
            .finish()
    }
}

/// Bytes serialized as bytes (serde serializes a plain `&[u8]` as a sequence).
#[cfg(feature = "serde")]
pub(crate) struct Bytes<'b>(pub(crate) &'b [u8]);

#[cfg(feature = "serde")]
impl serde::Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Frame<'_> {
    /// As a map `{join_ref, ref, topic, event, payload}`; a binary payload becomes a byte
    /// sequence, a binary reply `{status, response}`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("Frame", 5)?;
        st.serialize_field("join_ref", &self.join_ref())?;
        st.serialize_field("ref", &self.reference())?;
        st.serialize_field("topic", &self.topic())?;
        st.serialize_field("event", &self.event())?;
        match self.payload() {
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

impl Frame<'_> {
    /// Whether the JSON payload holds no backslash (so every string in it is literal), when
    /// decoding recorded it; `None` for frames built by hand.
    pub(crate) const fn payload_plain(&self) -> Option<bool> {
        self.member_index().plain()
    }
}

// A frame is returned and moved by value: its size is a cost on every decode (issue 12).
// 84 bytes on thumbv7em (the test below holds 64-bit targets to 128).
#[cfg(target_pointer_width = "32")]
const _: () = assert!(size_of::<Frame<'_>>() <= 84);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_frame_stays_small() {
        // Four `&str`s, their flags, the payload's `&str` and its 18-member index.
        assert!(size_of::<Frame<'_>>() <= 128, "{}", size_of::<Frame<'_>>());
    }
}
