//! [`OwnedFrame`]: a frame that owns its fields (`String`s and a JSON text or bytes payload),
//! for keeping frames past the buffer they were decoded from, building replies and pushes,
//! and moving frames between threads.
//!
//! ```
//! use phx_codec::{Direction, WireFormat};
//! use phx_codec_std::{OwnedFrame, OwnedPayload};
//!
//! let input = br#"["1","2","conversation:42","shout",{"body":"caf\u00e9"}]"#;
//! let owned = OwnedFrame::from(phx_codec::decode_text(input)?);
//! assert_eq!(owned.topic, "conversation:42");
//! assert_eq!(owned.payload, OwnedPayload::Json(r#"{"body":"caf\u00e9"}"#.to_owned()));
//!
//! let push = OwnedFrame::new("conversation:42", "shout", OwnedPayload::json(&serde_json::json!({"body": "hi"}))?)
//!     .with_join_ref("1");
//! assert_eq!(push.encode_to_vec(WireFormat::V2, Direction::FromServer)?,
//!            br#"["1",null,"conversation:42","shout",{"body":"hi"}]"#);
//! # Ok::<(), phx_codec_std::Error>(())
//! ```

use std::fmt;
use std::io;

use bytes::BytesMut;
use phx_codec::{
    DecodeError, DecodeLimits, Direction, Frame, JsonStr, MAX_SUPPORTED_DEPTH, Payload, RawJson,
    WireFormat,
};
use serde::{Deserialize, Serialize};

use crate::{Error, FrameExt};

/// A frame that owns its data. Strings are held unescaped; a JSON payload is held as its JSON
/// text, exactly as received (so re-encoding a compact frame gives the same bytes).
///
/// The fields are public: a struct literal is a fine way to build one. A JSON payload built by
/// hand must hold one valid JSON value; [`as_frame`](Self::as_frame) and the encoders check it.
///
/// ```
/// use phx_codec_std::{OwnedFrame, OwnedPayload};
/// let heartbeat = OwnedFrame {
///     join_ref: None,
///     reference: Some("7".into()),
///     topic: "phoenix".into(),
///     event: "heartbeat".into(),
///     payload: OwnedPayload::Json("{}".into()),
/// };
/// assert_eq!(format!("{heartbeat:?}"),
///     r#"OwnedFrame { join_ref: None, ref: Some("7"), topic: "phoenix", event: "heartbeat", payload: Json({}) }"#);
/// let frame = heartbeat.as_frame()?;
/// assert_eq!(frame.event(), "heartbeat");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OwnedFrame {
    /// The ref of the `phx_join` that opened the channel (`None` = null).
    pub join_ref: Option<String>,
    /// The push's ref, echoed in its reply (`None` = null).
    pub reference: Option<String>,
    /// The topic.
    pub topic: String,
    /// The event name.
    pub event: String,
    /// The payload.
    pub payload: OwnedPayload,
}

/// An owned payload: JSON text, binary bytes, or a binary reply.
///
/// ```
/// use phx_codec_std::OwnedPayload;
/// let p = OwnedPayload::json(&serde_json::json!({"status": "ok"}))?;
/// assert_eq!(p, OwnedPayload::Json(r#"{"status":"ok"}"#.into()));
/// assert_eq!(format!("{:?}", OwnedPayload::Binary(b"\x01hi".to_vec())), r#"Binary(b"\x01hi")"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum OwnedPayload {
    /// One JSON value, as text.
    Json(String),
    /// The raw bytes of a binary push or broadcast.
    Binary(Vec<u8>),
    /// A binary reply: event `phx_reply`, payload `{status, response: <bytes>}`.
    BinaryReply {
        /// The reply status (`"ok"`, `"error"`).
        status: String,
        /// The response bytes.
        response: Vec<u8>,
    },
}

/// Limits for re-reading JSON this crate holds: it was validated when it came in (or produced
/// by `serde_json`), so only the core's hard depth bound applies.
pub(crate) const fn held_json_limits() -> DecodeLimits {
    DecodeLimits::new()
        .with_max_depth(MAX_SUPPORTED_DEPTH)
        .with_max_frame_len(usize::MAX)
}

impl OwnedPayload {
    /// Serializes `value` with `serde_json` into a JSON payload.
    ///
    /// ```
    /// use phx_codec_std::OwnedPayload;
    /// let payload = OwnedPayload::json(&serde_json::json!({"body": "hi"}))?;
    /// assert_eq!(payload, OwnedPayload::Json(r#"{"body":"hi"}"#.into()));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(Self::Json)
    }

    /// A JSON payload from a [`serde_json::Value`].
    ///
    /// ```
    /// let p = phx_codec_std::OwnedPayload::from_value(&serde_json::json!({}));
    /// assert_eq!(p, phx_codec_std::OwnedPayload::Json("{}".into()));
    /// ```
    pub fn from_value(value: &serde_json::Value) -> Self {
        Self::Json(value.to_string())
    }

    /// A borrowed view; a JSON payload is validated (the core has no unchecked constructor, so
    /// this is one linear pass over the text).
    ///
    /// ```
    /// use phx_codec::Payload;
    /// use phx_codec_std::OwnedPayload;
    /// assert_eq!(OwnedPayload::Binary(vec![1]).as_payload()?, Payload::Binary(&[1]));
    /// assert!(OwnedPayload::Json("{oops".into()).as_payload().is_err());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn as_payload(&self) -> Result<Payload<'_>, DecodeError> {
        Ok(match self {
            Self::Json(text) => Payload::Json(RawJson::parse_with(text, &held_json_limits())?),
            Self::Binary(bytes) => Payload::Binary(bytes),
            Self::BinaryReply { status, response } => Payload::BinaryReply {
                status: JsonStr::literal(status),
                response,
            },
        })
    }

    /// Whether the payload is binary.
    ///
    /// ```
    /// use phx_codec_std::OwnedPayload;
    /// assert!(OwnedPayload::Binary(vec![]).is_binary());
    /// assert!(!OwnedPayload::Json("{}".into()).is_binary());
    /// ```
    pub const fn is_binary(&self) -> bool {
        !matches!(self, Self::Json(_))
    }
}

impl From<Payload<'_>> for OwnedPayload {
    fn from(payload: Payload<'_>) -> Self {
        match payload {
            Payload::Json(raw) => Self::Json(raw.as_str().to_owned()),
            Payload::Binary(bytes) => Self::Binary(bytes.to_vec()),
            Payload::BinaryReply { status, response } => Self::BinaryReply {
                status: status.into_string(),
                response: response.to_vec(),
            },
        }
    }
}

impl fmt::Debug for OwnedPayload {
    /// JSON is shown as its text, bytes as a byte string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(text) => write!(f, "Json({text})"),
            Self::Binary(bytes) => write!(f, "Binary(b\"{}\")", bytes.escape_ascii()),
            Self::BinaryReply { status, response } => write!(
                f,
                "BinaryReply {{ status: {status:?}, response: b\"{}\" }}",
                response.escape_ascii()
            ),
        }
    }
}

impl OwnedFrame {
    /// A frame with null `join_ref` and `ref` (a broadcast); see [`with_join_ref`](Self::with_join_ref)
    /// and [`with_ref`](Self::with_ref).
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let broadcast = OwnedFrame::new("room:1", "shout", OwnedPayload::Json(r#"{"body":"hi"}"#.into()));
    /// assert_eq!(broadcast.encode_to_vec(WireFormat::V2, Direction::FromServer)?,
    ///     br#"[null,null,"room:1","shout",{"body":"hi"}]"#);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn new(topic: impl Into<String>, event: impl Into<String>, payload: OwnedPayload) -> Self {
        Self {
            join_ref: None,
            reference: None,
            topic: topic.into(),
            event: event.into(),
            payload,
        }
    }

    /// The same frame with `join_ref` set.
    ///
    /// ```
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let push = OwnedFrame::new("room:1", "ping", OwnedPayload::Json("{}".into())).with_join_ref("1").with_ref("2");
    /// assert_eq!(push.as_frame()?.join_ref().unwrap(), "1");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    #[must_use]
    pub fn with_join_ref(mut self, join_ref: impl Into<String>) -> Self {
        self.join_ref = Some(join_ref.into());
        self
    }

    /// The same frame with `ref` set.
    ///
    /// ```
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let push = OwnedFrame::new("phoenix", "heartbeat", OwnedPayload::Json("{}".into())).with_ref("7");
    /// assert_eq!(push.as_frame()?.reference().unwrap(), "7");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    #[must_use]
    pub fn with_ref(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// The reply Phoenix sends to `request`: same `join_ref`, `ref` and topic, event
    /// `phx_reply`, payload `{"response": response, "status": status}` (Jason's key order).
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// let join = phx_codec::decode_text(br#"["1","1","room:7","phx_join",{}]"#)?;
    /// let reply = phx_codec_std::OwnedFrame::reply_to(&join, "ok", &serde_json::json!({}))?;
    /// assert_eq!(reply.encode_to_vec(WireFormat::V2, Direction::FromServer)?,
    ///            br#"["1","1","room:7","phx_reply",{"response":{},"status":"ok"}]"#);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn reply_to<T: Serialize + ?Sized>(
        request: &Frame<'_>,
        status: &str,
        response: &T,
    ) -> Result<Self, Error> {
        #[derive(Serialize)]
        struct Reply<'r, T: ?Sized> {
            response: &'r T,
            status: &'r str,
        }
        Ok(Self {
            join_ref: request.join_ref().map(JsonStr::into_string),
            reference: request.reference().map(JsonStr::into_string),
            topic: request.topic().into_string(),
            event: "phx_reply".to_owned(),
            payload: OwnedPayload::json(&Reply { response, status })?,
        })
    }

    /// A borrowed [`Frame`] view of this frame. A JSON payload is validated on the way (one
    /// linear pass; the core offers no unchecked constructor), hence the `Result`: it fails
    /// only when a hand-built [`OwnedPayload::Json`] is not JSON.
    ///
    /// ```
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let owned = OwnedFrame::new("t", "e", OwnedPayload::Json(r#"{"a":1}"#.into()));
    /// assert_eq!(owned.as_frame()?.payload_get("a").unwrap().as_i64(), Some(1));
    /// let broken = OwnedFrame::new("t", "e", OwnedPayload::Json("{".into()));
    /// assert!(broken.as_frame().is_err());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn as_frame(&self) -> Result<Frame<'_>, DecodeError> {
        Ok(Frame::new(
            self.join_ref.as_deref().map(JsonStr::literal),
            self.reference.as_deref().map(JsonStr::literal),
            JsonStr::literal(&self.topic),
            JsonStr::literal(&self.event),
            self.payload.as_payload()?,
        ))
    }

    /// Deserializes the JSON payload into `T`, which may borrow from this frame.
    ///
    /// ```
    /// let f = phx_codec_std::OwnedFrame::new("t", "shout", phx_codec_std::OwnedPayload::Json(r#"{"body":"hi"}"#.into()));
    /// #[derive(serde::Deserialize)]
    /// struct Shout<'a> { body: &'a str }
    /// assert_eq!(f.deserialize_payload::<Shout<'_>>()?.body, "hi");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn deserialize_payload<'s, T: Deserialize<'s>>(&'s self) -> Result<T, Error> {
        match &self.payload {
            OwnedPayload::Json(text) => Ok(serde_json::from_str(text)?),
            _ => Err(Error::PayloadNotJson),
        }
    }

    /// The JSON payload as a [`serde_json::Value`].
    ///
    /// ```
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let owned = OwnedFrame::new("t", "e", OwnedPayload::Json(r#"{"a":[1]}"#.into()));
    /// assert_eq!(owned.payload_value()?, serde_json::json!({"a": [1]}));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn payload_value(&self) -> Result<serde_json::Value, Error> {
        self.deserialize_payload()
    }

    /// Encodes into a new `Vec<u8>`.
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let owned = OwnedFrame::new("t", "e", OwnedPayload::Json("{}".into())).with_ref("1");
    /// assert_eq!(owned.encode_to_vec(WireFormat::V1, Direction::FromServer)?,
    ///     br#"{"topic":"t","event":"e","payload":{},"ref":"1"}"#);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn encode_to_vec(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Vec<u8>, Error> {
        Ok(self.as_frame()?.encode_to_vec(format, direction)?)
    }

    /// Appends the encoding to `out`; returns the bytes written.
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let owned = OwnedFrame::new("t", "e", OwnedPayload::Binary(vec![9]));
    /// let mut out = BytesMut::new();
    /// let n = owned.encode_into_bytes_mut(WireFormat::Binary, Direction::FromServer, &mut out)?;
    /// assert_eq!(&out[..n], b"\x02\x01\x01te\x09");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn encode_into_bytes_mut(
        &self,
        format: WireFormat,
        direction: Direction,
        out: &mut BytesMut,
    ) -> Result<usize, Error> {
        Ok(self
            .as_frame()?
            .encode_into_bytes_mut(format, direction, out)?)
    }

    /// Writes the encoding to `writer`; returns the bytes written.
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let owned = OwnedFrame::new("t", "e", OwnedPayload::Json("{}".into()));
    /// let mut out = Vec::new();
    /// let n = owned.encode_to_writer(WireFormat::V2, Direction::FromServer, &mut out)?;
    /// assert_eq!(&out[..n], br#"[null,null,"t","e",{}]"#);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn encode_to_writer<W: io::Write>(
        &self,
        format: WireFormat,
        direction: Direction,
        writer: W,
    ) -> Result<usize, Error> {
        self.as_frame()?.encode_to_writer(format, direction, writer)
    }
}

impl From<Frame<'_>> for OwnedFrame {
    fn from(frame: Frame<'_>) -> Self {
        Self::from(&frame)
    }
}

impl From<&Frame<'_>> for OwnedFrame {
    fn from(frame: &Frame<'_>) -> Self {
        Self {
            join_ref: frame.join_ref().map(JsonStr::into_string),
            reference: frame.reference().map(JsonStr::into_string),
            topic: frame.topic().into_string(),
            event: frame.event().into_string(),
            payload: frame.payload().into(),
        }
    }
}

impl fmt::Debug for OwnedFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedFrame")
            .field("join_ref", &self.join_ref)
            .field("ref", &self.reference)
            .field("topic", &self.topic)
            .field("event", &self.event)
            .field("payload", &self.payload)
            .finish()
    }
}

/// `serde` for [`OwnedFrame`]: `{"join_ref", "ref", "topic", "event", "payload"}`, as the
/// core serializes a [`Frame`], with the JSON payload written verbatim (numbers keep their
/// text). A binary payload is written under `"binary"` (an array of bytes) and a binary reply
/// under `"binary_reply"` (`{"status", "response"}`) instead of `"payload"`, so that reading
/// back can tell them from a JSON array or object: the core writes both as `"payload"`.
///
/// ```
/// use phx_codec_std::{OwnedFrame, OwnedPayload};
/// let frame = OwnedFrame::from(phx_codec::decode_text(br#"["1","2","room:1","shout",{"n":123456789012345678901234567890}]"#)?);
/// let json = serde_json::to_string(&frame)?;
/// assert_eq!(json, r#"{"join_ref":"1","ref":"2","topic":"room:1","event":"shout","payload":{"n":123456789012345678901234567890}}"#);
/// assert_eq!(serde_json::from_str::<OwnedFrame>(&json)?, frame);
///
/// let binary = OwnedFrame::new("room:1", "upload", OwnedPayload::Binary(vec![1, 2]));
/// let json = serde_json::to_string(&binary)?;
/// assert_eq!(json, r#"{"join_ref":null,"ref":null,"topic":"room:1","event":"upload","binary":[1,2]}"#);
/// assert_eq!(serde_json::from_str::<OwnedFrame>(&json)?, binary);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
mod serde_impl {
    use serde::de::Error as _;
    use serde::ser::{Error as _, SerializeStruct};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::value::RawValue;

    use super::{OwnedFrame, OwnedPayload};

    struct Bytes<'b>(&'b [u8]);

    impl Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(self.0)
        }
    }

    #[derive(Serialize, Deserialize)]
    struct BinaryReply<B> {
        status: String,
        response: B,
    }

    impl Serialize for OwnedFrame {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut st = serializer.serialize_struct("OwnedFrame", 5)?;
            st.serialize_field("join_ref", &self.join_ref)?;
            st.serialize_field("ref", &self.reference)?;
            st.serialize_field("topic", &self.topic)?;
            st.serialize_field("event", &self.event)?;
            match &self.payload {
                OwnedPayload::Json(text) => {
                    let raw = crate::raw_value::from_str(text).map_err(S::Error::custom)?;
                    st.serialize_field("payload", raw)?;
                }
                OwnedPayload::Binary(bytes) => st.serialize_field("binary", &Bytes(bytes))?,
                OwnedPayload::BinaryReply { status, response } => st.serialize_field(
                    "binary_reply",
                    &BinaryReply {
                        status: status.clone(),
                        response: Bytes(response),
                    },
                )?,
            }
            st.end()
        }
    }

    /// A JSON `null` payload is `Some("null")`, not absent.
    fn some_raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<RawValue>>, D::Error> {
        Box::<RawValue>::deserialize(d).map(Some)
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wire {
        #[serde(default)]
        join_ref: Option<String>,
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        topic: String,
        event: String,
        #[serde(default, deserialize_with = "some_raw")]
        payload: Option<Box<RawValue>>,
        #[serde(default)]
        binary: Option<Vec<u8>>,
        #[serde(default)]
        binary_reply: Option<BinaryReply<Vec<u8>>>,
    }

    impl<'de> Deserialize<'de> for OwnedFrame {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let wire = Wire::deserialize(deserializer)?;
            let payload = match (wire.payload, wire.binary, wire.binary_reply) {
                (Some(json), None, None) => {
                    OwnedPayload::Json(Box::<str>::from(json).into_string())
                }
                (None, Some(bytes), None) => OwnedPayload::Binary(bytes),
                (None, None, Some(reply)) => OwnedPayload::BinaryReply {
                    status: reply.status,
                    response: reply.response,
                },
                _ => {
                    return Err(D::Error::custom(
                        "a frame needs exactly one of `payload`, `binary` and `binary_reply`",
                    ));
                }
            };
            Ok(Self {
                join_ref: wire.join_ref,
                reference: wire.reference,
                topic: wire.topic,
                event: wire.event,
                payload,
            })
        }
    }
}
