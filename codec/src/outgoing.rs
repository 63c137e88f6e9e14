//! Builders for the payloads and frames a Papercups client or server sends, written straight
//! into caller memory ([`Sink`]) with their exact length known first.
//!
//! ```
//! use phx_codec::outgoing::{OutgoingFrame, ShoutPush};
//!
//! let frame = OutgoingFrame {
//!     join_ref: Some("1"),
//!     reference: Some("5"),
//!     topic: "conversation:5c9b",
//!     event: "shout",
//!     payload: ShoutPush { customer_id: Some("c6f1".into()), ..ShoutPush::new("Hi \"there\"".into()) },
//! };
//! let mut buf = [0u8; 128];
//! let n = frame.encode_v2(&mut phx_codec::encode::SliceSink::new(&mut buf)).unwrap();
//! assert_eq!(&buf[..n], br#"["1","5","conversation:5c9b","shout",{"body":"Hi \"there\"","customer_id":"c6f1"}]"#);
//! assert_eq!(frame.encoded_len_v2(), n);
//! assert_eq!(phx_codec::decode_text(&buf[..n]).unwrap().event(), "shout");
//! ```
//!
//! Every builder implements [`WriteJson`] (compact JSON, `json_len` exact); strings are
//! [`JsonStr`]s, so `&str` (via `.into()`) and strings borrowed from decoded frames both work.
//! Optional members are left out when `None`.

use crate::encode::{
    Encoding, JsonObjectWriter, Sink, WriteJson, encode_exact, exact_len, write_json_str,
};
use crate::error::EncodeError;
use crate::frame::write_nullable;
use crate::message::{FileId, ReplyStatus};
use crate::presence::PresenceKey;
use crate::raw::RawJson;
use crate::string::JsonStr;

/// `{}`: the payload of `heartbeat`, `phx_leave`, `messages:seen`, an empty join and an empty
/// reply response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmptyObject;

impl WriteJson for EmptyObject {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(b"{}")
    }

    fn json_len(&self) -> usize {
        2
    }
}

/// `phx_join` params: `{}` or `{"customer_id": ..}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinParams<'s> {
    /// The customer joining (widget joins).
    pub customer_id: Option<JsonStr<'s>>,
}

impl WriteJson for JoinParams<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.optional_member("customer_id", self.customer_id.as_ref())?;
        obj.finish()
    }
}

/// A JSON array over a slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonArray<'s, T>(pub &'s [T]);

impl<T: WriteJson> WriteJson for JsonArray<'_, T> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(b"[")?;
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                out.put(b",")?;
            }
            item.write_json(out)?;
        }
        out.put(b"]")
    }
}

/// An integer id or a string id.
impl WriteJson for FileId<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        match self {
            FileId::Int(n) => n.write_json(out),
            FileId::Str(s) => write_json_str(out, *s),
        }
    }
}

/// The client's `shout` push. Members are written in this order, each only when set:
/// `body`, `customer_id`, `conversation_id`, `sent_at`, `mentioned_user_ids`, `file_ids`,
/// `private`, `metadata` (the widget's and the dashboard's pushes re-encode byte for byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShoutPush<'s> {
    /// The text.
    pub body: JsonStr<'s>,
    /// The customer writing (widget).
    pub customer_id: Option<JsonStr<'s>>,
    /// The conversation (dashboard).
    pub conversation_id: Option<JsonStr<'s>>,
    /// When it was sent (ISO 8601 with milliseconds, as the widget writes it).
    pub sent_at: Option<JsonStr<'s>>,
    /// Agents mentioned.
    pub mentioned_user_ids: Option<&'s [i64]>,
    /// Uploaded files.
    pub file_ids: Option<&'s [FileId<'s>]>,
    /// An internal note.
    pub private: Option<bool>,
    /// Free-form metadata (a JSON object).
    pub metadata: Option<RawJson<'s>>,
}

impl<'s> ShoutPush<'s> {
    /// A push with only a body.
    pub const fn new(body: JsonStr<'s>) -> Self {
        Self {
            body,
            customer_id: None,
            conversation_id: None,
            sent_at: None,
            mentioned_user_ids: None,
            file_ids: None,
            private: None,
            metadata: None,
        }
    }
}

impl WriteJson for ShoutPush<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("body", &self.body)?;
        obj.optional_member("customer_id", self.customer_id.as_ref())?;
        obj.optional_member("conversation_id", self.conversation_id.as_ref())?;
        obj.optional_member("sent_at", self.sent_at.as_ref())?;
        obj.optional_member(
            "mentioned_user_ids",
            self.mentioned_user_ids.map(JsonArray).as_ref(),
        )?;
        obj.optional_member("file_ids", self.file_ids.map(JsonArray).as_ref())?;
        obj.optional_member("private", self.private.as_ref())?;
        obj.optional_member("metadata", self.metadata.as_ref())?;
        obj.finish()
    }
}

/// A reply: `{"response": .., "status": ..}`, keys in Jason's (alphabetical) order, as Phoenix
/// writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyPayload<'s, R> {
    /// `ok`, `error` or another status.
    pub status: ReplyStatus<'s>,
    /// The response (often [`EmptyObject`] or [`Reason`]).
    pub response: R,
}

impl<R: WriteJson> WriteJson for ReplyPayload<'_, R> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("response", &self.response)?;
        obj.member("status", &self.status.as_json_str())?;
        obj.finish()
    }
}

/// `{"reason": ..}`: a `phx_error` payload, or an error reply's response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason<'s> {
    /// `"unauthorized"`, `"unmatched topic"`, `"channel_crash"`...
    pub reason: JsonStr<'s>,
}

impl WriteJson for Reason<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("reason", &self.reason)?;
        obj.finish()
    }
}

/// The `read` push: `{"conversation_id": ..}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadPayload<'s> {
    /// The conversation read.
    pub conversation_id: JsonStr<'s>,
}

impl WriteJson for ReadPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("conversation_id", &self.conversation_id)?;
        obj.finish()
    }
}

/// `{"id": ..}`: the `conversation:created` payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdPayload<'s> {
    /// The id.
    pub id: JsonStr<'s>,
}

impl WriteJson for IdPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("id", &self.id)?;
        obj.finish()
    }
}

/// A presence key, written as a JSON string (`"user:7"`, `"customer:<uuid>"`, or as is).
impl WriteJson for PresenceKey<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        match self {
            PresenceKey::User(id) => {
                out.put(b"\"user:")?;
                id.write_json(out)?;
                out.put(b"\"")
            }
            PresenceKey::Customer(id) => {
                out.put(b"\"customer:")?;
                write_unquoted(out, *id)?;
                out.put(b"\"")
            }
            PresenceKey::Other(key) => write_json_str(out, *key),
        }
    }
}

/// Writes `s` escaped, without the surrounding quotes.
fn write_unquoted<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    if let Some(text) = s.as_str() {
        return crate::encode::write_escaped(out, text);
    }
    let mut utf8 = [0u8; 4];
    for c in s.chars() {
        crate::encode::write_escaped(out, c.encode_utf8(&mut utf8))?;
    }
    Ok(())
}

/// One presence meta, written with its keys in Jason's (alphabetical) order:
/// `customer_id`, `online_at`, `phx_ref`, `phx_ref_prev`, `user_id`; unset ones left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetaPayload<'s> {
    /// The presence's ref.
    pub phx_ref: JsonStr<'s>,
    /// The ref it replaces (updates).
    pub phx_ref_prev: Option<JsonStr<'s>>,
    /// Unix seconds, as a string (`"1732460000"`).
    pub online_at: Option<JsonStr<'s>>,
    /// The agent's id.
    pub user_id: Option<i64>,
    /// The customer's id.
    pub customer_id: Option<JsonStr<'s>>,
}

impl WriteJson for MetaPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.optional_member("customer_id", self.customer_id.as_ref())?;
        obj.optional_member("online_at", self.online_at.as_ref())?;
        obj.member("phx_ref", &self.phx_ref)?;
        obj.optional_member("phx_ref_prev", self.phx_ref_prev.as_ref())?;
        obj.optional_member("user_id", self.user_id.as_ref())?;
        obj.finish()
    }
}

/// A presence map `{KEY: {"metas": [..]}, ..}` over caller-provided entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceMap<'s>(pub &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])]);

impl WriteJson for PresenceMap<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(b"{")?;
        for (i, (key, metas)) in self.0.iter().enumerate() {
            if i > 0 {
                out.put(b",")?;
            }
            key.write_json(out)?;
            out.put(b":{\"metas\":")?;
            JsonArray(metas).write_json(out)?;
            out.put(b"}")?;
        }
        out.put(b"}")
    }
}

/// The `presence_state` payload: a [`PresenceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceStatePayload<'s> {
    /// Every key present, with its metas.
    pub entries: &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])],
}

impl WriteJson for PresenceStatePayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        PresenceMap(self.entries).write_json(out)
    }
}

/// The `presence_diff` payload: `{"joins": {..}, "leaves": {..}}` (both always written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceDiffPayload<'s> {
    /// Keys that joined or updated.
    pub joins: &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])],
    /// Keys that left or updated.
    pub leaves: &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])],
}

impl WriteJson for PresenceDiffPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("joins", &PresenceMap(self.joins))?;
        obj.member("leaves", &PresenceMap(self.leaves))?;
        obj.finish()
    }
}

/// A frame to send, with a typed payload; written in the same form as
/// [`Frame::encode_v2`](crate::Frame::encode_v2) and
/// [`Frame::encode_v1`](crate::Frame::encode_v1). Encoding checks the room first, so a
/// failed encode writes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutgoingFrame<'s, P: WriteJson> {
    /// The ref of the channel's `phx_join` (`None` for heartbeats and broadcasts).
    pub join_ref: Option<&'s str>,
    /// This push's ref (`None` for broadcasts).
    pub reference: Option<&'s str>,
    /// The topic.
    pub topic: &'s str,
    /// The event.
    pub event: &'s str,
    /// The payload.
    pub payload: P,
}

impl<P: WriteJson> OutgoingFrame<'_, P> {
    fn write_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(b"[")?;
        write_nullable(out, self.join_ref.map(JsonStr::literal))?;
        out.put(b",")?;
        write_nullable(out, self.reference.map(JsonStr::literal))?;
        out.put(b",")?;
        write_json_str(out, JsonStr::literal(self.topic))?;
        out.put(b",")?;
        write_json_str(out, JsonStr::literal(self.event))?;
        out.put(b",")?;
        self.payload.write_json(out)?;
        out.put(b"]")
    }

    fn write_v1<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(b"{\"topic\":")?;
        write_json_str(out, JsonStr::literal(self.topic))?;
        out.put(b",\"event\":")?;
        write_json_str(out, JsonStr::literal(self.event))?;
        out.put(b",\"payload\":")?;
        self.payload.write_json(out)?;
        out.put(b",\"ref\":")?;
        write_nullable(out, self.reference.map(JsonStr::literal))?;
        if let Some(join_ref) = self.join_ref {
            out.put(b",\"join_ref\":")?;
            write_json_str(out, JsonStr::literal(join_ref))?;
        }
        out.put(b"}")
    }

    /// Writes the V2 array `[join_ref, ref, topic, event, payload]`; returns the bytes written.
    pub fn encode_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&OutV2(self), out)
    }

    /// Writes the V1 object `{"topic":..,"event":..,"payload":..,"ref":..[,"join_ref":..]}`;
    /// returns the bytes written.
    pub fn encode_v1<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&OutV1(self), out)
    }

    /// The exact length of [`encode_v2`](Self::encode_v2)'s output.
    pub fn encoded_len_v2(&self) -> usize {
        // Writing to a counter never fails.
        exact_len(&OutV2(self)).unwrap_or(0)
    }

    /// The exact length of [`encode_v1`](Self::encode_v1)'s output.
    pub fn encoded_len_v1(&self) -> usize {
        exact_len(&OutV1(self)).unwrap_or(0)
    }
}

/// An outgoing frame in the V2 text form.
struct OutV2<'o, 's, P: WriteJson>(&'o OutgoingFrame<'s, P>);

impl<P: WriteJson> Encoding for OutV2<'_, '_, P> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.write_v2(out)
    }
}

/// An outgoing frame in the V1 object form.
struct OutV1<'o, 's, P: WriteJson>(&'o OutgoingFrame<'s, P>);

impl<P: WriteJson> Encoding for OutV1<'_, '_, P> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.write_v1(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_text;
    use crate::encode::SliceSink;
    use crate::message::Message;

    /// Writes `payload` into a frame, checks `json_len` and `encoded_len_*` against the bytes
    /// written, decodes the frame back, and returns the payload text.
    fn round_trip<P: WriteJson>(event: &str, payload: P, check: impl Fn(&crate::Frame<'_>)) {
        let frame = OutgoingFrame {
            join_ref: Some("1"),
            reference: Some("2"),
            topic: "conversation:x",
            event,
            payload: &payload,
        };
        let mut buf = [0u8; 1024];
        let mut sink = SliceSink::new(&mut buf);
        let n = frame.encode_v2(&mut sink).unwrap();
        assert_eq!(n, frame.encoded_len_v2());
        let decoded = decode_text(sink.written()).unwrap();
        assert_eq!(
            decoded.payload_json().unwrap().as_str().len(),
            payload.json_len()
        );
        check(&decoded);
        let mut buf1 = [0u8; 1024];
        let n1 = frame.encode_v1(&mut SliceSink::new(&mut buf1)).unwrap();
        assert_eq!(n1, frame.encoded_len_v1());
        assert_eq!(crate::v1::decode_v1(&buf1[..n1]).unwrap(), decoded);
    }

    fn text_of<P: WriteJson>(payload: &P) -> heapless::String<512> {
        let mut buf = [0u8; 512];
        let mut out = SliceSink::new(&mut buf);
        payload.write_json(&mut out).unwrap();
        assert_eq!(out.written().len(), payload.json_len());
        let bytes = heapless::Vec::<u8, 512>::from_slice(out.written()).unwrap();
        heapless::String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn empty_object_and_join_params_round_trip() {
        assert_eq!(text_of(&EmptyObject), "{}");
        round_trip("phx_leave", EmptyObject, |f| {
            assert_eq!(f.message(), Ok(Message::Leave));
        });
        assert_eq!(text_of(&JoinParams::default()), "{}");
        round_trip(
            "phx_join",
            JoinParams {
                customer_id: Some("c\"1".into()),
            },
            |f| {
                let Ok(Message::Join(join)) = f.message() else {
                    panic!()
                };
                assert_eq!(join.customer_id().unwrap(), "c\"1");
            },
        );
    }

    #[test]
    fn shout_pushes_round_trip_with_every_field() {
        let metadata = RawJson::parse(r#"{"plan":"pro"}"#).unwrap();
        let push = ShoutPush {
            customer_id: Some("cus".into()),
            conversation_id: Some("conv".into()),
            sent_at: Some("2026-11-24T15:01:02.003Z".into()),
            mentioned_user_ids: Some(&[8, -1]),
            file_ids: Some(&[FileId::Int(3), FileId::Str("f\n".into())]),
            private: Some(true),
            metadata: Some(metadata),
            ..ShoutPush::new("tab\t😀 \u{1}".into())
        };
        round_trip("shout", push, |f| {
            let Ok(Message::Shout(s)) = f.message() else {
                panic!()
            };
            assert_eq!(s.body().unwrap(), "tab\t😀 \u{1}");
            assert_eq!(s.customer_id().unwrap(), "cus");
            assert_eq!(s.conversation_id().unwrap(), "conv");
            assert_eq!(s.sent_at().unwrap(), "2026-11-24T15:01:02.003Z");
            assert!(s.mentioned_user_ids().eq([8, -1]));
            assert!(s.file_ids().eq([FileId::Int(3), FileId::Str("f\n".into())]));
            assert_eq!(s.private(), Some(true));
            assert_eq!(s.metadata(), Some(metadata));
        });
        assert_eq!(text_of(&ShoutPush::new("hi".into())), r#"{"body":"hi"}"#);
    }

    #[test]
    fn vector_payloads_reencode_byte_for_byte() {
        // widget_shout and dashboard_shout from tests/data/v2.json.
        let widget = ShoutPush {
            customer_id: Some("c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b".into()),
            sent_at: Some("2026-11-24T15:01:02.003Z".into()),
            ..ShoutPush::new("Is anyone there?".into())
        };
        assert_eq!(
            text_of(&widget),
            r#"{"body":"Is anyone there?","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","sent_at":"2026-11-24T15:01:02.003Z"}"#
        );
        let dashboard = ShoutPush {
            conversation_id: Some("5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f".into()),
            mentioned_user_ids: Some(&[8]),
            file_ids: Some(&[]),
            private: Some(false),
            ..ShoutPush::new("On it!".into())
        };
        assert_eq!(
            text_of(&dashboard),
            r#"{"body":"On it!","conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","mentioned_user_ids":[8],"file_ids":[],"private":false}"#
        );
        let metas = [
            MetaPayload {
                phx_ref: "F4nC0Ab1Cd2AAAQC".into(),
                phx_ref_prev: None,
                online_at: Some("1732460100".into()),
                user_id: Some(8),
                customer_id: None,
            },
            MetaPayload {
                phx_ref: "F4nC0xYzWv3AAARD".into(),
                phx_ref_prev: None,
                online_at: Some("1732460200".into()),
                user_id: Some(8),
                customer_id: None,
            },
        ];
        let leaves = [(PresenceKey::User(8), &metas[..1])];
        assert_eq!(
            text_of(&PresenceDiffPayload {
                joins: &[],
                leaves: &leaves
            }),
            r#"{"joins":{},"leaves":{"user:8":{"metas":[{"online_at":"1732460100","phx_ref":"F4nC0Ab1Cd2AAAQC","user_id":8}]}}}"#
        );
    }

    #[test]
    fn replies_write_response_before_status_like_jason() {
        let ok = ReplyPayload {
            status: ReplyStatus::Ok,
            response: EmptyObject,
        };
        assert_eq!(text_of(&ok), r#"{"response":{},"status":"ok"}"#);
        let err = ReplyPayload {
            status: ReplyStatus::Error,
            response: Reason {
                reason: "unmatched topic".into(),
            },
        };
        assert_eq!(
            text_of(&err),
            r#"{"response":{"reason":"unmatched topic"},"status":"error"}"#
        );
        round_trip("phx_reply", err, |f| {
            let Ok(Message::Reply(r)) = f.message() else {
                panic!()
            };
            assert!(r.is_error());
            assert_eq!(r.reason().unwrap(), "unmatched topic");
        });
        let other = ReplyPayload {
            status: ReplyStatus::Other("x\\y".into()),
            response: 5i64,
        };
        round_trip("phx_reply", other, |f| {
            let Ok(Message::Reply(r)) = f.message() else {
                panic!()
            };
            assert_eq!(r.status(), Some(ReplyStatus::Other("x\\y".into())));
        });
    }

    #[test]
    fn reason_read_and_id_payloads_round_trip() {
        round_trip(
            "phx_error",
            Reason {
                reason: "channel_crash".into(),
            },
            |f| {
                let Ok(Message::Error(e)) = f.message() else {
                    panic!()
                };
                assert_eq!(e.reason().unwrap(), "channel_crash");
            },
        );
        round_trip(
            "read",
            ReadPayload {
                conversation_id: "c-1".into(),
            },
            |f| {
                let Ok(Message::Read(r)) = f.message() else {
                    panic!()
                };
                assert_eq!(r.conversation_id().unwrap(), "c-1");
            },
        );
        round_trip(
            "conversation:created",
            IdPayload { id: "c-2".into() },
            |f| {
                let Ok(Message::ConversationCreated(c)) = f.message() else {
                    panic!()
                };
                assert_eq!(c.id().unwrap(), "c-2");
            },
        );
    }

    #[test]
    fn presence_payloads_round_trip_through_the_typed_reader() {
        let user_metas = [MetaPayload {
            phx_ref: "r1".into(),
            phx_ref_prev: Some("r0".into()),
            online_at: Some("1732460000".into()),
            user_id: Some(7),
            customer_id: None,
        }];
        let customer_metas = [MetaPayload {
            phx_ref: "r2".into(),
            phx_ref_prev: None,
            online_at: None,
            user_id: None,
            customer_id: Some("cus".into()),
        }];
        let entries = [
            (PresenceKey::User(7), &user_metas[..]),
            (PresenceKey::Customer("cus\"".into()), &customer_metas[..]),
            (PresenceKey::Other("other".into()), &[][..]),
        ];
        round_trip(
            "presence_state",
            PresenceStatePayload { entries: &entries },
            |f| {
                let Ok(Message::PresenceState(s)) = f.message() else {
                    panic!()
                };
                let mut it = s.entries();
                let (key, mut metas) = it.next().unwrap();
                assert_eq!(key, PresenceKey::User(7));
                let meta = metas.next().unwrap();
                assert_eq!(meta.phx_ref_prev().unwrap(), "r0");
                assert_eq!(meta.online_at_secs(), Some(1_732_460_000));
                let (key, mut metas) = it.next().unwrap();
                assert_eq!(key, PresenceKey::Customer("cus\"".into()));
                assert_eq!(metas.next().unwrap().customer_id().unwrap(), "cus");
                assert_eq!(it.next().unwrap().0, PresenceKey::Other("other".into()));
            },
        );
        round_trip(
            "presence_diff",
            PresenceDiffPayload {
                joins: &entries[..1],
                leaves: &entries[1..],
            },
            |f| {
                let Ok(Message::PresenceDiff(d)) = f.message() else {
                    panic!()
                };
                assert_eq!((d.joins().count(), d.leaves().count()), (1, 2));
            },
        );
    }

    #[test]
    fn outgoing_frames_match_frame_encoding_in_both_forms() {
        let out = OutgoingFrame {
            join_ref: None,
            reference: Some("12"),
            topic: "phoenix",
            event: "heartbeat",
            payload: EmptyObject,
        };
        let mut buf = [0u8; 128];
        let n = out.encode_v2(&mut SliceSink::new(&mut buf)).unwrap();
        assert_eq!(&buf[..n], br#"[null,"12","phoenix","heartbeat",{}]"#);
        let frame = decode_text(&buf[..n]).unwrap();
        let mut again = [0u8; 128];
        let m = frame.encode_v1_into(&mut again).unwrap();
        let k = out.encode_v1(&mut SliceSink::new(&mut buf)).unwrap();
        assert_eq!(&buf[..k], &again[..m]);
        assert_eq!(
            &buf[..k],
            br#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"12"}"#
        );

        let with_join_ref = OutgoingFrame {
            join_ref: Some("1"),
            topic: "t\u{7}",
            ..out
        };
        let n = with_join_ref
            .encode_v1(&mut SliceSink::new(&mut buf))
            .unwrap();
        assert_eq!(
            &buf[..n],
            br#"{"topic":"t\u0007","event":"heartbeat","payload":{},"ref":"12","join_ref":"1"}"#
        );
    }

    #[test]
    fn a_failed_encode_writes_nothing_and_says_how_much_it_needed() {
        let out = OutgoingFrame {
            join_ref: None,
            reference: None,
            topic: "room:1",
            event: "shout",
            payload: ShoutPush::new("hello".into()),
        };
        let needed = out.encoded_len_v2();
        let mut buf = [0u8; 16];
        let mut sink = SliceSink::new(&mut buf);
        assert_eq!(
            out.encode_v2(&mut sink),
            Err(EncodeError::BufferTooSmall {
                needed,
                available: 16
            })
        );
        assert!(sink.is_empty());
        #[cfg(feature = "heapless09")]
        {
            let mut vec = heapless::Vec::<u8, 16>::new();
            assert!(out.encode_v1(&mut vec).is_err());
            assert!(vec.is_empty());
        }
    }
}
