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
//! assert_eq!(frame.encoded_len_v2(), Ok(n));
//! assert_eq!(phx_codec::decode_text(&buf[..n]).unwrap().event(), "shout");
//! ```
//!
//! Every builder implements [`WriteJson`] (compact JSON, `json_len` exact); strings are
//! [`JsonStr`]s, so `&str` (via `.into()`) and strings borrowed from decoded frames both work.
//! Optional members are left out when `None`.

mod payloads;
mod presence;

pub use self::payloads::{
    EmptyObject, IdPayload, JoinParams, JsonArray, ReadPayload, Reason, ReplyPayload, ShoutPush,
};
pub use self::presence::{MetaPayload, PresenceDiffPayload, PresenceMap, PresenceStatePayload};

#[cfg(not(target_os = "none"))]
use crate::encode::write_str_after;
use crate::encode::{Encoding, PLAIN_LEN_MAX, Sink, WriteJson, encode_exact, exact_len};
use crate::envelope::{Envelope, write_nullable_after};
use crate::error::EncodeError;
use crate::string::JsonStr;

/// A frame to send, with a typed payload; written in the same form as
/// [`Frame::encode_v2`](crate::Frame::encode_v2) and
/// [`Frame::encode_v1`](crate::Frame::encode_v1). Encoding checks the room first, so a
/// failed encode writes nothing.
///
/// ```
/// use phx_codec::outgoing::{EmptyObject, OutgoingFrame};
/// let heartbeat = OutgoingFrame { join_ref: None, reference: Some("12"), topic: "phoenix", event: "heartbeat", payload: EmptyObject };
/// let mut buf = [0u8; 64];
/// let n = heartbeat.encode_v2(&mut phx_codec::encode::SliceSink::new(&mut buf)).unwrap();
/// assert_eq!(&buf[..n], br#"[null,"12","phoenix","heartbeat",{}]"#);
/// ```
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
    fn envelope(&self) -> Envelope<'_, '_, P> {
        Envelope {
            join_ref: self.join_ref.map(JsonStr::literal),
            reference: self.reference.map(JsonStr::literal),
            topic: JsonStr::literal(self.topic),
            event: JsonStr::literal(self.event),
            payload: &self.payload,
        }
    }

    /// Writes the V2 array `[join_ref, ref, topic, event, payload]`; returns the bytes written.
    ///
    /// ```
    /// use phx_codec::outgoing::{OutgoingFrame, ReadPayload};
    /// let read = OutgoingFrame { join_ref: Some("3"), reference: Some("9"), topic: "notification:1", event: "read",
    ///     payload: ReadPayload { conversation_id: "5c9b".into() } };
    /// let mut buf = [0u8; 96];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// read.encode_v2(&mut out).unwrap();
    /// assert_eq!(out.written(), br#"["3","9","notification:1","read",{"conversation_id":"5c9b"}]"#);
    /// ```
    pub fn encode_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&OutV2(self), out)
    }

    /// Writes the V1 object `{"topic":..,"event":..,"payload":..,"ref":..[,"join_ref":..]}`;
    /// returns the bytes written.
    ///
    /// ```
    /// use phx_codec::outgoing::{EmptyObject, OutgoingFrame};
    /// let leave = OutgoingFrame { join_ref: Some("1"), reference: Some("4"), topic: "room:1", event: "phx_leave", payload: EmptyObject };
    /// let mut buf = [0u8; 96];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// leave.encode_v1(&mut out).unwrap();
    /// assert_eq!(out.written(), br#"{"topic":"room:1","event":"phx_leave","payload":{},"ref":"4","join_ref":"1"}"#);
    /// ```
    pub fn encode_v1<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&OutV1(self), out)
    }

    /// The exact length of [`encode_v2`](Self::encode_v2)'s output, or the error the
    /// payload's [`WriteJson`] returned while being measured.
    ///
    /// ```
    /// use phx_codec::outgoing::{EmptyObject, OutgoingFrame};
    /// let frame = OutgoingFrame { join_ref: None, reference: None, topic: "t", event: "e", payload: EmptyObject };
    /// assert_eq!(frame.encoded_len_v2(), Ok(r#"[null,null,"t","e",{}]"#.len()));
    /// ```
    pub fn encoded_len_v2(&self) -> Result<usize, EncodeError> {
        exact_len(&OutV2(self))
    }

    /// The exact length of [`encode_v1`](Self::encode_v1)'s output, or the error the
    /// payload's [`WriteJson`] returned while being measured.
    ///
    /// ```
    /// use phx_codec::outgoing::{EmptyObject, OutgoingFrame};
    /// let frame = OutgoingFrame { join_ref: None, reference: None, topic: "t", event: "e", payload: EmptyObject };
    /// assert_eq!(frame.encoded_len_v1(), Ok(r#"{"topic":"t","event":"e","payload":{},"ref":null}"#.len()));
    /// ```
    pub fn encoded_len_v1(&self) -> Result<usize, EncodeError> {
        exact_len(&OutV1(self))
    }
}

/// An outgoing frame in the V2 text form.
struct OutV2<'o, 's, P: WriteJson>(&'o OutgoingFrame<'s, P>);

impl<P: WriteJson> Encoding for OutV2<'_, '_, P> {
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        #[cfg(target_os = "none")]
        return write_v2_small(self.0, out);
        // `Envelope::write_v2` field by field, each read where it is written (not all five
        // held in registers, and spilled, across the writes before them).
        #[cfg(not(target_os = "none"))]
        {
            let f = self.0;
            write_nullable_after(out, b"[", f.join_ref.map(JsonStr::literal))?;
            write_nullable_after(out, b",", f.reference.map(JsonStr::literal))?;
            write_str_after(out, b",", JsonStr::literal(f.topic))?;
            write_str_after(out, b",", JsonStr::literal(f.event))?;
            f.payload.write_json_after(b",", out)?;
            out.put(b"]")
        }
    }

    #[inline]
    fn max_len(&self) -> Option<usize> {
        // `[`, four commas and `]`; each field quoted or `null` (four bytes at most) and six
        // bytes per string byte at most; the payload's own bound. (Plain sums: every string
        // at most `PLAIN_LEN_MAX` long, or no bound.)
        let f = self.0;
        let (join_ref, reference) = (
            f.join_ref.map_or(0, str::len),
            f.reference.map_or(0, str::len),
        );
        let (topic, event) = (f.topic.len(), f.event.len());
        if (join_ref | reference | topic | event) > PLAIN_LEN_MAX {
            return None;
        }
        ((join_ref + reference + topic + event) * 6 + 6 + 4 * 4)
            .checked_add(f.payload.max_json_len()?)
    }
}

/// [`OutV2`]'s writer on firmware: the four envelope fields through one call site in a loop
/// (a topic or event is a field that is never `null`), not four inlined calls each with its
/// error path (`.ci/embedded-size`). The same bytes and errors as the portable writer.
#[cfg(any(test, target_os = "none"))]
fn write_v2_small<P: WriteJson, S: Sink + ?Sized>(
    f: &OutgoingFrame<'_, P>,
    out: &mut S,
) -> Result<(), EncodeError> {
    let fields = [
        (b"[", f.join_ref),
        (b",", f.reference),
        (b",", Some(f.topic)),
        (b",", Some(f.event)),
    ];
    for (prefix, field) in fields {
        write_nullable_after(out, prefix, field.map(JsonStr::literal))?;
    }
    f.payload.write_json_after(b",", out)?;
    out.put(b"]")
}

/// An outgoing frame in the V1 object form.
struct OutV1<'o, 's, P: WriteJson>(&'o OutgoingFrame<'s, P>);

impl<P: WriteJson> Encoding for OutV1<'_, '_, P> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.envelope().write_v1(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_text;
    use crate::encode::{LenCounter, SliceSink, exact_len};
    use crate::message::{FileId, Message, ReplyStatus};
    use crate::presence::PresenceKey;
    use crate::raw::RawJson;

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
        assert_eq!(Ok(n), frame.encoded_len_v2());
        // Bare metal measures through a counting slice (here with x86_64's writers; the
        // firmware string writers are compared with a counting slice in `encode`).
        for (form, written) in [(0, n), (1, exact_len(&OutV1(&frame)).unwrap())] {
            let (mut counter, mut counting) = (LenCounter::default(), SliceSink::counting());
            if form == 0 {
                OutV2(&frame).write_to(&mut counter).unwrap();
                OutV2(&frame).write_to(&mut counting).unwrap();
            } else {
                OutV1(&frame).write_to(&mut counter).unwrap();
                OutV1(&frame).write_to(&mut counting).unwrap();
            }
            assert_eq!(
                (counting.len(), counter.len),
                (written, written),
                "V{}",
                form + 1
            );
        }
        // The bounds bound: the payload's, and the frame's.
        assert!(
            payload
                .max_json_len()
                .is_none_or(|b| b >= payload.json_len())
        );
        assert!(OutV2(&frame).max_len().is_none_or(|b| b >= n));
        let decoded = decode_text(sink.written()).unwrap();
        assert_eq!(
            decoded.payload_json().unwrap().as_str().len(),
            payload.json_len()
        );
        check(&decoded);
        let mut buf1 = [0u8; 1024];
        let n1 = frame.encode_v1(&mut SliceSink::new(&mut buf1)).unwrap();
        assert_eq!(Ok(n1), frame.encoded_len_v1());
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
        let needed = out.encoded_len_v2().unwrap();
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

    #[test]
    fn a_payload_bound_too_small_falls_back_to_the_exact_path() {
        /// What `Understated` writes: far more than the frame's bound allows for it.
        const LONG: &[u8] =
            br#""0123456789012345678901234567890123456789012345678901234567890123456789""#;
        /// Claims a bound smaller than what it writes.
        struct Understated;
        impl WriteJson for Understated {
            fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
                out.put(LONG)
            }
            fn max_json_len(&self) -> Option<usize> {
                Some(2)
            }
        }
        let frame = OutgoingFrame {
            join_ref: None,
            reference: Some("1"),
            topic: "t",
            event: "e",
            payload: Understated,
        };
        let want = [br#"[null,"1","t","e","#, LONG, b"]"].concat();
        assert_eq!(frame.encoded_len_v2(), Ok(want.len()));
        // The frame's bound is under its length, so some rooms take the one-pass path.
        assert!(OutV2(&frame).max_len().unwrap() < want.len());
        // Room for the bound but not for the frame: the exact need, nothing committed.
        for room in 0..want.len() {
            let mut buf = std::vec![0u8; room];
            let mut sink = SliceSink::new(&mut buf);
            assert_eq!(
                frame.encode_v2(&mut sink),
                Err(EncodeError::BufferTooSmall {
                    needed: want.len(),
                    available: room
                }),
                "room {room}"
            );
            assert!(sink.is_empty());
        }
        let mut buf = [0u8; 128];
        let mut sink = SliceSink::new(&mut buf);
        assert_eq!(frame.encode_v2(&mut sink), Ok(want.len()));
        assert_eq!(sink.written(), &want[..]);
    }

    #[test]
    fn a_failing_payload_writer_fails_the_length_too() {
        struct Refuses;
        impl WriteJson for Refuses {
            fn write_json<S: Sink + ?Sized>(&self, _: &mut S) -> Result<(), EncodeError> {
                Err(EncodeError::PayloadNotJson)
            }
        }
        let out = OutgoingFrame {
            join_ref: None,
            reference: Some("1"),
            topic: "room:1",
            event: "shout",
            payload: Refuses,
        };
        assert_eq!(out.encoded_len_v2(), Err(EncodeError::PayloadNotJson));
        assert_eq!(out.encoded_len_v1(), Err(EncodeError::PayloadNotJson));
        let mut buf = [0u8; 64];
        assert_eq!(
            out.encode_v2(&mut SliceSink::new(&mut buf)),
            Err(EncodeError::PayloadNotJson)
        );
    }

    /// Every room size from 0 to the exact need, for one encoder: a too-small slice reports
    /// exactly what it needed and is not written at all; the exact room and a roomy one get
    /// the same bytes, and nothing past them.
    fn every_room_size<E>(name: &str, encode: E)
    where
        E: Fn(&mut SliceSink<'_>) -> Result<usize, EncodeError>,
    {
        let mut roomy = std::vec![0xeeu8; 4096];
        let mut sink = SliceSink::new(&mut roomy);
        let needed = encode(&mut sink).unwrap();
        assert_eq!(sink.len(), needed, "{name}");
        assert!(
            roomy[needed..].iter().all(|&b| b == 0xee),
            "{name}: past the output"
        );
        // Miri (~1000x slower) takes every 7th size, the edges always.
        let step = if cfg!(miri) { 7 } else { 1 };
        let sizes = (0..needed).step_by(step).chain([needed.saturating_sub(1)]);
        for room in sizes {
            let mut buf = std::vec![0xaau8; room];
            let mut sink = SliceSink::new(&mut buf);
            assert_eq!(
                encode(&mut sink),
                Err(EncodeError::BufferTooSmall {
                    needed,
                    available: room
                }),
                "{name} in {room}"
            );
            assert!(sink.is_empty(), "{name} in {room}");
            assert!(buf.iter().all(|&b| b == 0xaa), "{name} wrote into {room}");
        }
        let mut exact = std::vec![0u8; needed];
        let mut sink = SliceSink::new(&mut exact);
        assert_eq!(encode(&mut sink), Ok(needed), "{name}");
        assert_eq!(exact[..], roomy[..needed], "{name}");
    }

    #[test]
    fn every_encoder_reports_the_exact_need_in_every_too_small_room() {
        let metadata = RawJson::parse(r#"{"plan":"pro","n":[1,2]}"#).unwrap();
        let push = ShoutPush {
            customer_id: Some("c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b".into()),
            conversation_id: Some("conv\n".into()),
            sent_at: Some("2026-11-24T15:01:02.003Z".into()),
            mentioned_user_ids: Some(&[8, -1, i64::MIN]),
            file_ids: Some(&[FileId::Int(3), FileId::Str("f\n\"x".into())]),
            private: Some(true),
            metadata: Some(metadata),
            ..ShoutPush::new("Hi \"there\"\ttab, é 日 🚚 and a line long enough for blocks".into())
        };
        let frame = OutgoingFrame {
            join_ref: Some("1"),
            reference: Some("5"),
            topic: "conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f",
            event: "shout",
            payload: push,
        };
        every_room_size("outgoing v2", |out| frame.encode_v2(out));
        every_room_size("outgoing v1", |out| frame.encode_v1(out));
        let bare = OutgoingFrame {
            join_ref: None,
            reference: None,
            topic: "t",
            event: "e",
            payload: ShoutPush::new("".into()),
        };
        every_room_size("bare outgoing v2", |out| bare.encode_v2(out));
        let mut text = [0u8; 1024];
        let n = frame.encode_v2(&mut SliceSink::new(&mut text)).unwrap();
        let decoded = decode_text(&text[..n]).unwrap();
        every_room_size("decoded v2", |out| decoded.encode_v2(out));
        every_room_size("decoded v1", |out| decoded.encode_v1(out));
        let binary = crate::Frame::new(
            Some("1".into()),
            Some("2".into()),
            "room:1".into(),
            "chunk".into(),
            crate::Payload::Binary(b"\x00\x01binary"),
        );
        every_room_size("binary", |out| {
            binary.encode_binary(crate::Direction::FromClient, out)
        });
    }

    #[test]
    fn content_errors_are_the_same_in_every_room() {
        // A server push with a ref has no binary layout; a JSON payload has no binary form.
        let push = crate::Frame::new(
            Some("1".into()),
            Some("2".into()),
            "room:1".into(),
            "up".into(),
            crate::Payload::Binary(b"\x00"),
        );
        let json = decode_text(br#"[null,null,"t","e",{}]"#).unwrap();
        for room in [0, 1, 8, 64] {
            let mut buf = std::vec![0u8; room];
            let mut sink = SliceSink::new(&mut buf);
            assert_eq!(
                push.encode_binary(crate::Direction::FromServer, &mut sink),
                Err(EncodeError::NotRepresentable(crate::EnvelopeField::Ref))
            );
            assert_eq!(
                json.encode_binary(crate::Direction::FromServer, &mut sink),
                Err(EncodeError::PayloadNotBinary)
            );
            assert!(sink.is_empty());
        }
    }

    /// A sink lending at most `lend` bytes of its room at a time (a ring buffer's contiguous
    /// part), for the tests of the writers' `spare`/`commit` path.
    struct Lending {
        buf: std::vec::Vec<u8>,
        len: usize,
        lend: usize,
    }
    impl Sink for Lending {
        fn remaining(&self) -> usize {
            self.buf.len() - self.len
        }
        fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
            let available = self.remaining();
            let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) else {
                return Err(EncodeError::BufferTooSmall {
                    needed: bytes.len(),
                    available,
                });
            };
            dst.copy_from_slice(bytes);
            self.len += bytes.len();
            Ok(())
        }
        fn spare(&mut self) -> &mut [u8] {
            let end = (self.len + self.lend).min(self.buf.len());
            &mut self.buf[self.len..end]
        }
        fn commit(&mut self, len: usize) {
            self.len += len.min(self.lend).min(self.remaining());
        }
    }

    #[test]
    fn a_sink_lending_part_of_its_room_gets_the_same_bytes() {
        let frame = OutgoingFrame {
            join_ref: Some("1"),
            reference: Some("5"),
            topic: "conversation:5c9b",
            event: "shout",
            payload: ShoutPush {
                mentioned_user_ids: Some(&[8]),
                ..ShoutPush::new("a \"quoted\" body".into())
            },
        };
        let want = frame.encoded_len_v2().unwrap();
        let mut reference = std::vec![0u8; want];
        frame
            .encode_v2(&mut SliceSink::new(&mut reference))
            .unwrap();
        for lend in [0, 1, 7, want - 1, want, want + 9] {
            for cap in [want - 1, want, want + 20] {
                let mut sink = Lending {
                    buf: std::vec![0u8; cap],
                    len: 0,
                    lend,
                };
                let result = frame.encode_v2(&mut sink);
                if cap < want {
                    assert_eq!(
                        result,
                        Err(EncodeError::BufferTooSmall {
                            needed: want,
                            available: cap
                        }),
                        "lend {lend} cap {cap}"
                    );
                    assert_eq!(sink.len, 0);
                } else {
                    assert_eq!(result, Ok(want), "lend {lend} cap {cap}");
                    assert_eq!(
                        &sink.buf[..sink.len],
                        &reference[..],
                        "lend {lend} cap {cap}"
                    );
                }
            }
        }
    }

    /// Firmware's V2 frame writer and `ShoutPush`'s string members (`write_v2_small`,
    /// `write_strings_small`) against the writers they replace there: the same bytes, the
    /// same result (errors with their `needed` and `available`) and the same bytes written
    /// before an error, through a slice of every size up to the need and past it, a counting
    /// slice and a `LenCounter`.
    #[test]
    fn small_v2_writers_match_the_portable_ones() {
        use crate::encode::JsonObjectWriter;
        type Write<'w> = &'w dyn Fn(&mut dyn Sink) -> Result<(), EncodeError>;
        fn outcomes(
            write: Write<'_>,
        ) -> std::vec::Vec<(Result<(), EncodeError>, std::vec::Vec<u8>)> {
            let mut counter = LenCounter::default();
            let counted = write(&mut counter);
            let mut counting = SliceSink::counting();
            let mut seen = std::vec![
                (counted, std::vec![0; counter.len]),
                (write(&mut counting), std::vec![0; counting.len()])
            ];
            // Miri: every 13th size (each size is a full write).
            for cap in (0..=counter.len + 2).step_by(if cfg!(miri) { 13 } else { 1 }) {
                let mut buf = std::vec![0u8; cap];
                let mut sink = SliceSink::new(&mut buf);
                let result = write(&mut sink);
                seen.push((result, sink.written().to_vec()));
            }
            seen
        }
        let metadata = RawJson::parse(r#"{"plan":"pro"}"#).unwrap();
        let body = ShoutPush::new("Hi \"there\"\ttab, é 🚚".into());
        let ids: &[i64] = &[8, -1];
        let files = [FileId::Int(3), FileId::Str("f\n".into())];
        let mut pushes = std::vec::Vec::new();
        for bits in 0u32..64 {
            let on = |bit: u32| bits & (1 << bit) != 0;
            pushes.push(ShoutPush {
                customer_id: on(0).then(|| "c6f1e2d3".into()),
                conversation_id: on(1).then(|| "conv\n".into()),
                sent_at: on(2).then(|| "2026-11-24T15:01:02.003Z".into()),
                mentioned_user_ids: on(3).then_some(ids),
                file_ids: on(4).then_some(&files[..]),
                private: on(5).then_some(bits & 1 == 0),
                metadata: on(5).then_some(metadata),
                ..if on(0) {
                    ShoutPush::new("".into())
                } else {
                    body
                }
            });
        }
        let mut compared = 0;
        for push in pushes.iter().step_by(if cfg!(miri) { 7 } else { 1 }) {
            let small: Write<'_> = &|out| {
                let mut obj = JsonObjectWriter::deferred(out);
                push.write_strings_small(&mut obj)?;
                push.write_rest(obj)
            };
            let portable: Write<'_> = &|out| push.write_json(out);
            assert_eq!(outcomes(small), outcomes(portable), "{push:?}");
            compared += 1;
        }
        for (join_ref, reference) in [(None, None), (Some("1"), Some("5")), (Some("a\"b"), None)] {
            for (topic, event) in [("conversation:5c9b", "shout"), ("", "e\u{1}")] {
                for push in [pushes[0], pushes[63], pushes[9]] {
                    let frame = OutgoingFrame {
                        join_ref,
                        reference,
                        topic,
                        event,
                        payload: push,
                    };
                    let small: Write<'_> = &|out| write_v2_small(&frame, out);
                    let portable: Write<'_> = &|out| OutV2(&frame).write_to(out);
                    assert_eq!(outcomes(small), outcomes(portable), "{frame:?}");
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, if cfg!(miri) { 10 } else { 64 } + 18);
    }

    /// Firmware's `encode_exact` (always measure, then write straight into the sink) against
    /// the one it replaces there: the same result (length, or error with its `needed` and
    /// `available`) and the same bytes in the sink, through a slice of every size, a
    /// `LenCounter` and a sink lending part of its room, for frames whose bound fits, a
    /// payload whose bound is too small and a payload that fails part-way.
    #[test]
    fn small_encode_exact_matches_the_portable_one() {
        use crate::encode::encode_exact_small;
        /// A payload whose bound is too small (the one-pass write meets a full room).
        struct Lying;
        impl WriteJson for Lying {
            fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
                out.put(b"[1,2,3,4,5,6,7,8,9]")
            }
            fn max_json_len(&self) -> Option<usize> {
                Some(3)
            }
        }
        /// A payload that writes a little, then fails.
        struct Failing;
        impl WriteJson for Failing {
            fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
                out.put(b"[1")?;
                Err(EncodeError::NotRepresentable(
                    crate::error::EnvelopeField::Topic,
                ))
            }
        }
        type Outcome = (Result<usize, EncodeError>, std::vec::Vec<u8>);
        fn outcomes<E: Encoding>(encoding: &E, small: bool) -> std::vec::Vec<Outcome> {
            let encode = |out: &mut dyn Sink| {
                if small {
                    encode_exact_small(encoding, out)
                } else {
                    encode_exact(encoding, out)
                }
            };
            let mut counter = LenCounter::default();
            let mut seen = std::vec![(encode(&mut counter), std::vec![0; counter.len])];
            // Miri: every 27th size (each size is five full encodes; 165 s by Miri's clock
            // at every 13th).
            for cap in (0..=300).step_by(if cfg!(miri) { 27 } else { 1 }) {
                let mut buf = std::vec![0u8; cap];
                let mut sink = SliceSink::new(&mut buf);
                let result = encode(&mut sink);
                seen.push((result, sink.written().to_vec()));
                for lend in [0, 1, 40, cap] {
                    let mut sink = Lending {
                        buf: std::vec![0u8; cap],
                        len: 0,
                        lend,
                    };
                    let result = encode(&mut sink);
                    sink.buf.truncate(sink.len);
                    seen.push((result, sink.buf));
                }
            }
            seen
        }
        fn compare<P: WriteJson>(payload: P) -> usize {
            let mut compared = 0;
            for (join_ref, reference) in [(None, Some("12")), (Some("1"), Some("5\n"))] {
                let frame = OutgoingFrame {
                    join_ref,
                    reference,
                    topic: "conversation:5c9b",
                    event: "shout",
                    payload: &payload,
                };
                assert_eq!(
                    outcomes(&OutV2(&frame), true),
                    outcomes(&OutV2(&frame), false),
                    "V2 {join_ref:?} {reference:?}"
                );
                assert_eq!(
                    outcomes(&OutV1(&frame), true),
                    outcomes(&OutV1(&frame), false),
                    "V1 {join_ref:?} {reference:?}"
                );
                compared += 2;
            }
            compared
        }
        let files = [FileId::Int(3), FileId::Str("f\n\"x".into())];
        let compared = compare(ShoutPush {
            customer_id: Some("c6f1e2d3".into()),
            sent_at: Some("2026-11-24T15:01:02.003Z".into()),
            mentioned_user_ids: Some(&[8, -1]),
            file_ids: Some(&files),
            private: Some(true),
            ..ShoutPush::new("Hi \"there\"\ttab, é 🚚".into())
        }) + compare(ShoutPush::new("hi".into()))
            + compare(EmptyObject)
            + compare(Lying)
            + compare(Failing);
        assert_eq!(compared, 20);
    }

    /// Firmware's list items (`items_small`) against the portable loop: the same bytes, the
    /// same result and the same bytes written before an error, for lists of 0 to 4 integers,
    /// file ids and strings, through a slice of every size, a counting slice and a counter.
    #[test]
    fn small_list_items_match_the_portable_loop() {
        fn portable<T: WriteJson, S: Sink + ?Sized>(
            items: &[T],
            out: &mut S,
        ) -> Result<(), EncodeError> {
            let Some((first, rest)) = items.split_first() else {
                return Ok(());
            };
            first.write_json(out)?;
            for item in rest {
                item.write_json_after(b",", out)?;
            }
            Ok(())
        }
        fn compare<T: WriteJson>(items: &[T]) {
            let run = |small: bool, out: &mut dyn Sink| {
                if small {
                    payloads::items_small(items, out)
                } else {
                    portable(items, out)
                }
            };
            for small in [true, false] {
                let mut counter = LenCounter::default();
                let mut counting = SliceSink::counting();
                let counted = (run(small, &mut counter), counter.len);
                assert_eq!(counted, (run(small, &mut counting), counting.len()));
            }
            let mut counter = LenCounter::default();
            assert_eq!(run(true, &mut counter), Ok(()));
            let (mut small_counter, need) = (LenCounter::default(), counter.len);
            assert_eq!(run(false, &mut small_counter), Ok(()));
            assert_eq!(small_counter.len, need);
            for cap in 0..=need + 2 {
                let (mut a, mut b) = (std::vec![0u8; cap], std::vec![0u8; cap]);
                let (mut a, mut b) = (SliceSink::new(&mut a), SliceSink::new(&mut b));
                assert_eq!(run(true, &mut a), run(false, &mut b), "cap {cap}");
                assert_eq!(a.written(), b.written(), "cap {cap}");
            }
        }
        let ints = [8, -1, i64::MIN, 0];
        let files = [
            FileId::Int(3),
            FileId::Str("f\n\"x".into()),
            FileId::Str("".into()),
            FileId::Int(-7),
        ];
        let strings: [JsonStr<'_>; 4] = ["a".into(), "é\u{1}".into(), "".into(), "\"".into()];
        for n in 0..=4 {
            compare(&ints[..n]);
            compare(&files[..n]);
            compare(&strings[..n]);
        }
    }
}
