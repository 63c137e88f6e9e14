//! Channel lifecycle: `phx_join`, `phx_reply`, `phx_error` and `ping` (`phx_leave`,
//! `phx_close` and `heartbeat` carry nothing to read).

#[cfg(feature = "serde")]
use crate::frame::Bytes;
use crate::frame::{Frame, Payload};
use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::view::{check_str, payload_object};
use crate::message::view_macros::typed_object;
use crate::message::walk::{Cursor, Listed};
use crate::raw::RawJson;
use crate::string::JsonStr;

typed_object! {
    /// `phx_join` params. Papercups sends `{}` or `{"customer_id": "<uuid>"}`; other params
    /// stay in [`params`](Self::params).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"["1","1","conversation:9","phx_join",{"customer_id":"c1","extra":1}]"#)?;
    /// let Message::Join(join) = frame.message()? else { unreachable!() };
    /// assert_eq!(join.customer_id().unwrap(), "c1");
    /// assert_eq!(join.raw().get("extra").unwrap().as_i64(), Some(1)); // other params stay reachable
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct Join in "" {
        /// The customer joining (widget joins).
        customer_id: Str = "customer_id",
    }
}

impl<'a> Join<'a> {
    /// All join params as received: the same as [`raw`](Self::raw), which every view has.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"["1","1","room:1","phx_join",{}]"#)?;
    /// let Message::Join(join) = frame.message()? else { unreachable!() };
    /// #[allow(deprecated)]
    /// let params = join.params();
    /// assert_eq!(params, join.raw());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[deprecated(since = "0.2.0", note = "the same as `raw()`; use that")]
    pub fn params(&self) -> RawJson<'a> {
        self.raw
    }
}

typed_object! {
    /// `phx_error` payload: `{"reason": "channel_crash"}` (older servers send `{}`).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"["1",null,"room:1","phx_error",{"reason":"channel_crash"}]"#)?;
    /// let Message::Error(error) = frame.message()? else { unreachable!() };
    /// assert_eq!(error.reason().unwrap(), "channel_crash");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct PhxError in "" {
        /// Why the channel failed.
        reason: Str = "reason",
    }
}

/// A reply's status.
///
/// ```
/// use phx_codec::message::ReplyStatus;
/// assert_eq!(ReplyStatus::parse("ok".into()), ReplyStatus::Ok);
/// assert!(matches!(ReplyStatus::parse("timeout".into()), ReplyStatus::Other(s) if s == "timeout"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyStatus<'a> {
    /// `"ok"`.
    Ok,
    /// `"error"`.
    Error,
    /// Any other string.
    Other(JsonStr<'a>),
}

impl<'a> ReplyStatus<'a> {
    /// Reads a status string.
    ///
    /// ```
    /// use phx_codec::message::ReplyStatus;
    /// assert_eq!(ReplyStatus::parse("error".into()), ReplyStatus::Error);
    /// ```
    pub fn parse(status: JsonStr<'a>) -> Self {
        if status == "ok" {
            Self::Ok
        } else if status == "error" {
            Self::Error
        } else {
            Self::Other(status)
        }
    }

    /// The status as a string.
    ///
    /// ```
    /// use phx_codec::message::ReplyStatus;
    /// assert_eq!(ReplyStatus::Ok.as_json_str(), "ok");
    /// ```
    pub fn as_json_str(&self) -> JsonStr<'a> {
        match self {
            Self::Ok => JsonStr::literal("ok"),
            Self::Error => JsonStr::literal("error"),
            Self::Other(s) => *s,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ReplyStatus<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_json_str().serialize(serializer)
    }
}

/// A reply's response.
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"[null,"4","t","phx_reply",{"status":"ok","response":{"id":1}}]"#)?;
/// let Message::Reply(reply) = frame.message()? else { unreachable!() };
/// use phx_codec::message::Response;
/// assert!(matches!(reply.response(), Response::Json(raw) if raw.as_str() == r#"{"id":1}"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// A JSON response (an object in practice).
    Json(RawJson<'a>),
    /// The bytes of a binary reply.
    Binary(&'a [u8]),
    /// No `response` member, or `null`.
    Absent,
}

/// `phx_reply`: `{"status": .., "response": ..}`, or a binary reply.
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"["1","1","room:1","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]"#)?;
/// let Message::Reply(reply) = frame.message()? else { unreachable!() };
/// assert!(reply.is_error());
/// assert_eq!(reply.reason().unwrap(), "unauthorized");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply<'a> {
    status: Option<ReplyStatus<'a>>,
    response: Response<'a>,
}

impl<'a> Reply<'a> {
    /// Reads a frame's payload as a `phx_reply` (JSON or binary): what [`Frame::message`]
    /// returns as [`Message::Reply`](crate::message::Message::Reply), with the same checks and
    /// errors, linking only this view's parser. The event is not checked: match
    /// [`Frame::event_kind`] first.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::{Message, Reply}};
    /// let frame = decode_text(br#"["1","1","room:1","phx_reply",{"status":"ok","response":{}}]"#)?;
    /// let reply = Reply::from_frame(&frame)?;
    /// assert!(reply.is_ok());
    /// assert_eq!(Message::Reply(reply), frame.message()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        if let Payload::BinaryReply { status, response } = frame.payload() {
            return Ok(Self {
                status: Some(ReplyStatus::parse(status)),
                response: Response::Binary(response),
            });
        }
        let raw = payload_object(frame)?;
        match frame.payload_members() {
            Some(members) => Self::fill_from(&mut Listed::new(members), raw.as_str()),
            None => Err(MessageError {
                kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
                offset: 0,
            }),
        }
    }

    /// Reads a JSON reply's members from `cur` (standing just inside the payload object, left
    /// just past it unless an error stops it); `base` is the payload text (for error offsets).
    ///
    /// Inlined: out of line, the reply came back through memory and the one-pass decoder
    /// copied it into its message with wider loads than the stores that wrote it, which x86-64
    /// cannot forward (`perf record` of a `phx_reply`'s `typed`: two thirds of the one-pass
    /// step's samples on that copy).
    #[inline]
    pub(crate) fn fill_from<C: Cursor<'a>>(
        cur: &mut C,
        base: &'a str,
    ) -> Result<Self, MessageError> {
        let mut reply = Self {
            status: None,
            response: Response::Absent,
        };
        while let Some(key) = cur.next_key() {
            if key.is("status") {
                let value = cur.value();
                // The two statuses Phoenix sends, as they are written (no escapes), without
                // measuring the string for escapes and comparing it unescaped.
                reply.status = match value.as_bytes() {
                    b"\"ok\"" => Some(ReplyStatus::Ok),
                    b"\"error\"" => Some(ReplyStatus::Error),
                    _ => check_str(value, "status", base)?
                        .and_then(|v| v.as_json_str())
                        .map(ReplyStatus::parse),
                };
            } else if key.is("response") {
                let value = cur.value();
                reply.response = if value.is_null() {
                    Response::Absent
                } else {
                    Response::Json(value)
                };
            } else {
                cur.skip();
            }
        }
        Ok(reply)
    }

    /// The status; `None` when absent or null (a server replying without one).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,"4","t","phx_reply",{"response":{}}]"#)?;
    /// let Message::Reply(reply) = frame.message()? else { unreachable!() };
    /// assert!(reply.status().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self) -> Option<ReplyStatus<'a>> {
        self.status
    }

    /// Whether the status is `"ok"`.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,"4","t","phx_reply",{"status":"ok","response":{}}]"#)?;
    /// let Message::Reply(reply) = frame.message()? else { unreachable!() };
    /// assert!(reply.is_ok() && !reply.is_error());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_ok(&self) -> bool {
        self.status == Some(ReplyStatus::Ok)
    }

    /// Whether the status is `"error"`.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"["1","1","room:1","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]"#)?;
    /// let Message::Reply(reply) = frame.message()? else { unreachable!() };
    /// assert!(reply.is_error());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_error(&self) -> bool {
        self.status == Some(ReplyStatus::Error)
    }

    /// The response.
    ///
    /// ```
    /// use phx_codec::{binary, message::{Message, Response}, Direction};
    /// let frame = binary::decode_binary(b"\x01\x01\x01\x01\x02ab!ok\x07", Direction::FromServer)?;
    /// let Message::Reply(reply) = frame.message()? else { unreachable!() };
    /// assert_eq!(reply.response(), Response::Binary(&[7]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn response(&self) -> Response<'a> {
        self.response
    }

    /// `response.reason` of error replies (`"unauthorized"`, `"unmatched topic"`), when the
    /// response is an object whose `reason` is a string. The response is free-form, so this
    /// is looked up on demand and not type-checked.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"["1","1","room:1","phx_reply",{"status":"error","response":{"reason":"unauthorized"}}]"#)?;
    /// let Message::Reply(reply) = frame.message()? else { unreachable!() };
    /// assert_eq!(reply.reason().unwrap(), "unauthorized");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reason(&self) -> Option<JsonStr<'a>> {
        match self.response {
            // The common `{}` (an `ok` reply's) without setting up a walk over its members.
            Response::Json(raw) if raw.as_bytes() == b"{}" => None,
            Response::Json(raw) => raw.get("reason")?.as_json_str(),
            _ => None,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Reply<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        match self.response {
            Response::Json(raw) => map.serialize_entry("response", &raw)?,
            Response::Binary(bytes) => map.serialize_entry("response", &Bytes(bytes))?,
            Response::Absent => {}
        }
        map.end()
    }
}

/// `ping`: answered with a reply whose response is the same payload, whatever it is.
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"[null,"7","room:1","ping",{"n":1}]"#)?;
/// let Message::Ping(ping) = frame.message()? else { unreachable!() };
/// assert_eq!(ping.json().unwrap().as_str(), r#"{"n":1}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ping<'a> {
    payload: Payload<'a>,
}

impl<'a> Ping<'a> {
    /// The ping of a frame: its payload, whatever it is.
    pub(crate) const fn new(payload: Payload<'a>) -> Self {
        Self { payload }
    }

    /// The payload to echo (any JSON value, or binary bytes).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,"7","room:1","ping",[1]]"#)?;
    /// let Message::Ping(ping) = frame.message()? else { unreachable!() };
    /// assert!(!ping.payload().is_binary());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn payload(&self) -> Payload<'a> {
        self.payload
    }

    /// The payload, if it is JSON.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,"7","room:1","ping","x"]"#)?;
    /// let Message::Ping(ping) = frame.message()? else { unreachable!() };
    /// assert_eq!(ping.json().unwrap().as_json_str().unwrap(), "x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn json(&self) -> Option<RawJson<'a>> {
        self.payload.as_json()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Ping<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.payload {
            Payload::Json(raw) => raw.serialize(serializer),
            Payload::Binary(bytes)
            | Payload::BinaryReply {
                response: bytes, ..
            } => serializer.serialize_bytes(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_text;

    fn reply(text: &str) -> Reply<'_> {
        let frame = decode_text(text.as_bytes()).unwrap();
        Reply::from_frame(&frame).unwrap()
    }

    /// The statuses read without unescaping (`"ok"`, `"error"` as written) against the same
    /// statuses escaped, and near misses, read the general way.
    #[test]
    fn statuses_read_the_same_written_plain_or_escaped() {
        let frame = |json: &str| {
            std::format!(r#"[null,"1","t","phx_reply",{{"status":{json},"response":{{}}}}]"#)
        };
        for (json, expected) in [
            (r#""ok""#, Some(ReplyStatus::Ok)),
            (r#""\u006fk""#, Some(ReplyStatus::Ok)),
            (r#""error""#, Some(ReplyStatus::Error)),
            (r#""err\u006fr""#, Some(ReplyStatus::Error)),
            ("null", None),
        ] {
            assert_eq!(reply(&frame(json)).status(), expected, "{json}");
        }
        for other in [
            r#""okay""#,
            r#""Ok""#,
            r#""o""#,
            r#""""#,
            r#""errors""#,
            r#""error ""#,
        ] {
            let text = frame(other);
            let Some(ReplyStatus::Other(raw)) = reply(&text).status() else {
                panic!("{other}")
            };
            assert_eq!(std::format!("\"{}\"", raw.raw()), other);
        }
    }

    #[test]
    fn an_empty_response_has_no_reason() {
        let text = r#"[null,"1","t","phx_reply",{"status":"ok","response":{}}]"#;
        assert_eq!(reply(text).reason(), None);
        let text = r#"[null,"1","t","phx_reply",{"status":"ok","response":{ }}]"#;
        assert_eq!(reply(text).reason(), None);
        let text = r#"[null,"1","t","phx_reply",{"status":"error","response":{"reason":"x"}}]"#;
        assert_eq!(reply(text).reason().unwrap(), "x");
    }
}
