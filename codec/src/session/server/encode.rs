//! Writing frames: broadcasts, replies, `phx_close` and the answers of one received message.

use crate::Direction;
use crate::EncodeError;
use crate::Frame;
use crate::JsonStr;
use crate::Payload;
use crate::Vsn;
use crate::encode::LenCounter;
use crate::encode::Sink;
use crate::encode::SliceSink;
use crate::encode::WriteJson;
use crate::envelope::Envelope;
use crate::message::ReplyStatus;
use crate::outgoing::EmptyObject;
use crate::outgoing::Reason;
use crate::outgoing::ReplyPayload;
use crate::session::fixed::Buf;

use super::error::ReceiveError;
use super::error::SendError;
use super::request::Answers;
use super::request::Received;
use super::request::ServerEvent;

/// Encodes a broadcast `[null, null, topic, event, payload]` (V2) or
/// `{"topic":..,"event":..,"payload":..,"ref":null}` (V1) into `out`, once for every
/// connection with that `vsn` that [joined](super::ServerSession::is_joined) the topic: the bytes do
/// not depend on the connection. Returns the length.
///
/// ```
/// use phx_codec::Vsn;
/// use phx_codec::outgoing::IdPayload;
/// use phx_codec::session::server::encode_broadcast;
/// let mut out = [0u8; 128];
/// let n = encode_broadcast(Vsn::V2, "lobby", "conversation:created", &IdPayload { id: "c1".into() }, &mut out)?;
/// assert_eq!(&out[..n], br#"[null,null,"lobby","conversation:created",{"id":"c1"}]"#);
/// let n = encode_broadcast(Vsn::V1, "lobby", "e", &phx_codec::outgoing::EmptyObject, &mut out)?;
/// assert_eq!(&out[..n], br#"{"topic":"lobby","event":"e","payload":{},"ref":null}"#);
/// # Ok::<(), phx_codec::EncodeError>(())
/// ```
pub fn encode_broadcast<P: WriteJson + ?Sized>(
    vsn: Vsn,
    topic: &str,
    event: &str,
    payload: &P,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    encode_into(
        &TextFrame {
            vsn,
            join_ref: None,
            reference: None,
            topic: JsonStr::literal(topic),
            event: JsonStr::literal(event),
            payload,
        },
        out,
    )
}

/// Encodes a binary broadcast (V2 binary kind 2) into `out`: send it as a WebSocket binary
/// message to every V2 connection that joined the topic. Returns the length.
///
/// ```
/// use phx_codec::session::server::encode_binary_broadcast;
/// let mut out = [0u8; 32];
/// let n = encode_binary_broadcast("t", "e", &[1, 2], &mut out)?;
/// assert_eq!(&out[..n], b"\x02\x01\x01te\x01\x02");
/// # Ok::<(), phx_codec::EncodeError>(())
/// ```
pub fn encode_binary_broadcast(
    topic: &str,
    event: &str,
    payload: &[u8],
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    Frame::new(
        None,
        None,
        JsonStr::literal(topic),
        JsonStr::literal(event),
        Payload::Binary(payload),
    )
    .encode_binary_into(Direction::FromServer, out)
}

pub(super) fn push_unescaped<const N: usize>(
    into: &mut Buf<N>,
    s: JsonStr<'_>,
) -> Result<(), SendError> {
    if let Some(plain) = s.as_str() {
        return into.push_str(plain).map_err(|()| SendError::TooLong);
    }
    for c in s.chars() {
        into.push_str(c.encode_utf8(&mut [0; 4]))
            .map_err(|()| SendError::TooLong)?;
    }
    Ok(())
}

/// A server text frame in the connection's form. V1 writes `topic`, `event`, `payload` and
/// `ref` only, as Phoenix's V1 serializer does.
pub(super) struct TextFrame<'s, P: ?Sized> {
    pub(super) vsn: Vsn,
    pub(super) join_ref: Option<JsonStr<'s>>,
    pub(super) reference: Option<JsonStr<'s>>,
    pub(super) topic: JsonStr<'s>,
    pub(super) event: JsonStr<'s>,
    pub(super) payload: &'s P,
}

/// Something written as one whole frame.
pub(super) trait WriteFrame {
    fn write<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError>;
}

impl<P: WriteJson + ?Sized> WriteFrame for TextFrame<'_, P> {
    fn write<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let envelope = Envelope {
            join_ref: self.join_ref,
            reference: self.reference,
            topic: self.topic,
            event: self.event,
            payload: self.payload,
        };
        match self.vsn {
            Vsn::V2 => envelope.write_v2(out),
            // Phoenix's V1 serializer writes `topic`, `event`, `payload` and `ref` only.
            Vsn::V1 => Envelope {
                join_ref: None,
                ..envelope
            }
            .write_v1(out),
        }
    }
}

/// Measures, checks the room, then writes: nothing is written when it does not fit.
pub(super) fn encode_into<F: WriteFrame>(frame: &F, out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut counter = LenCounter::default();
    frame.write(&mut counter)?;
    let needed = counter.len;
    if needed > out.len() {
        return Err(EncodeError::BufferTooSmall {
            needed,
            available: out.len(),
        });
    }
    let mut sink = SliceSink::new(out);
    frame.write(&mut sink)?;
    Ok(sink.len())
}

/// Owns the reply payload so that a [`TextFrame`] can borrow it.
pub(super) struct OwnedFrame<'s, P> {
    pub(super) vsn: Vsn,
    pub(super) join_ref: Option<JsonStr<'s>>,
    pub(super) reference: Option<JsonStr<'s>>,
    pub(super) topic: JsonStr<'s>,
    pub(super) event: &'static str,
    pub(super) payload: P,
}

impl<P: WriteJson> WriteFrame for OwnedFrame<'_, P> {
    fn write<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        TextFrame {
            vsn: self.vsn,
            join_ref: self.join_ref,
            reference: self.reference,
            topic: self.topic,
            event: JsonStr::literal(self.event),
            payload: &self.payload,
        }
        .write(out)
    }
}

pub(super) fn reply_frame<'s, R: WriteJson + ?Sized>(
    vsn: Vsn,
    join_ref: Option<JsonStr<'s>>,
    reference: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
    status: ReplyStatus<'s>,
    response: &'s R,
) -> OwnedFrame<'s, ReplyPayload<'s, &'s R>> {
    OwnedFrame {
        vsn,
        join_ref,
        reference,
        topic,
        event: "phx_reply",
        payload: ReplyPayload { status, response },
    }
}

pub(super) fn unmatched_frame<'s>(
    vsn: Vsn,
    reference: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
) -> OwnedFrame<'s, ReplyPayload<'s, &'s Reason<'static>>> {
    const UNMATCHED: Reason<'static> = Reason {
        reason: JsonStr::literal("unmatched topic"),
    };
    reply_frame(vsn, None, reference, topic, ReplyStatus::Error, &UNMATCHED)
}

pub(super) fn close_frame<'s>(
    vsn: Vsn,
    join_ref: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
) -> OwnedFrame<'s, EmptyObject> {
    OwnedFrame {
        vsn,
        join_ref,
        reference: join_ref,
        topic,
        event: "phx_close",
        payload: EmptyObject,
    }
}

/// Writes answers one after the other into the caller's buffer.
pub(super) struct AnswerWriter<'o> {
    pub(super) out: &'o mut [u8],
    pub(super) answers: Answers,
}

impl<'o> AnswerWriter<'o> {
    pub(super) fn new(out: &'o mut [u8]) -> Self {
        Self {
            out,
            answers: Answers::default(),
        }
    }

    pub(super) fn write<P: WriteJson>(
        &mut self,
        frame: &OwnedFrame<'_, P>,
    ) -> Result<(), ReceiveError> {
        let start = if self.answers.count == 0 {
            0
        } else {
            self.answers.ends[0]
        };
        let rest = self.out.get_mut(start..).unwrap_or(&mut []);
        let n = encode_into(frame, rest).map_err(ReceiveError::Output)?;
        if let Some(end) = self.answers.ends.get_mut(self.answers.count) {
            *end = start + n;
            self.answers.count += 1;
        }
        Ok(())
    }

    #[allow(clippy::large_types_passed_by_value)] // moved into the result, which is as large
    pub(super) fn done(self, event: ServerEvent<'_>) -> Received<'_> {
        Received {
            event,
            answers: self.answers,
        }
    }
}
