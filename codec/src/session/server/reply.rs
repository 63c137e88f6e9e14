//! The application's outputs through the session: replies, pushes and server-side channel
//! ends.

use crate::Direction;
use crate::EncodeError;
use crate::Frame;
use crate::JsonStr;
use crate::Payload;
use crate::Vsn;
use crate::encode::WriteJson;
use crate::message::ReplyStatus;
use crate::outgoing::EmptyObject;
use crate::outgoing::Reason;

use super::encode::TextFrame;
use super::encode::encode_into;
use super::encode::reply_frame;
use super::error::SendError;
use super::request::ReplyTo;
use super::session::ServerSession;

impl<const CHANNELS: usize, const TOPIC: usize, const REF: usize>
    ServerSession<CHANNELS, TOPIC, REF>
{
    pub(super) fn check_reply_to(&self, to: &ReplyTo<'_>) -> Result<(), SendError> {
        let index = self.find(to.topic).ok_or(SendError::NotJoined)?;
        let stored = self.channels.get(index).and_then(|c| c.join_ref());
        let same = match (stored, to.join_ref) {
            (Some(s), Some(r)) => r.eq_str(s),
            // V1 clients may leave join_ref out of their pushes.
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if same {
            Ok(())
        } else {
            Err(SendError::NotJoined)
        }
    }

    /// Replies to a push (now or later) with `status` and a JSON `response`; writes the text
    /// frame into `out` and returns its length. Fails with [`SendError::NotJoined`] when the
    /// channel has since left or been rejoined (Phoenix would send nothing).
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage, message::ReplyStatus};
    /// use phx_codec::session::server::{ReplyTo, ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["1","1","room:1","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &phx_codec::outgoing::EmptyObject, &mut out)?;
    /// let got = session.receive(0, WsMessage::Text(br#"["1","2","room:1","ping",{"n":1}]"#), &mut out)?;
    /// let ServerEvent::Push(push) = got.event else { unreachable!() };
    /// let echo = push.payload().as_json().unwrap();
    /// let n = session.reply(&push.reply_to(), ReplyStatus::Ok, &echo, &mut out)?;
    /// assert_eq!(&out[..n], br#"["1","2","room:1","phx_reply",{"response":{"n":1},"status":"ok"}]"#);
    /// // Later, from stored strings:
    /// let n = session.reply(&ReplyTo::new("room:1", Some("1"), Some("2")), ReplyStatus::Ok, &echo, &mut out)?;
    /// assert!(n > 0);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn reply<R: WriteJson + ?Sized>(
        &self,
        to: &ReplyTo<'_>,
        status: ReplyStatus<'_>,
        response: &R,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.check_reply_to(to)?;
        let join_ref = self.stored_join_ref(to.topic);
        Ok(encode_into(
            &reply_frame(
                self.vsn(),
                join_ref.map(JsonStr::literal),
                to.reference,
                to.topic,
                status,
                response,
            ),
            out,
        )?)
    }

    /// Replies with a binary response (a V2 binary reply frame, kind 1): send it as a
    /// WebSocket binary message. Fails with an encode error on a V1 connection.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["1","1","t","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let got = session.receive(0, WsMessage::Binary(b"\x00\x01\x01\x01\x041\x32tping\xff"), &mut out)?;
    /// let ServerEvent::Push(push) = got.event else { unreachable!() };
    /// let n = session.reply_binary(&push.reply_to(), "ok", b"\xff", &mut out)?;
    /// assert_eq!(&out[..n], b"\x01\x01\x01\x01\x0212tok\xff");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn reply_binary(
        &self,
        to: &ReplyTo<'_>,
        status: &str,
        response: &[u8],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.check_reply_to(to)?;
        if self.vsn() == Vsn::V1 {
            return Err(SendError::Encode(EncodeError::PayloadNotJson));
        }
        let join_ref = self.stored_join_ref(to.topic);
        let frame = Frame::new(
            join_ref.map(JsonStr::literal),
            to.reference,
            to.topic,
            JsonStr::literal("phx_reply"),
            Payload::BinaryReply {
                status: JsonStr::literal(status),
                response,
            },
        );
        Ok(frame.encode_binary_into(Direction::FromServer, out)?)
    }

    pub(super) fn stored_join_ref(&self, topic: JsonStr<'_>) -> Option<&str> {
        self.find(topic)
            .and_then(|i| self.channels.get(i))
            .and_then(|c| c.join_ref())
    }

    /// Pushes an event to this client only on a joined channel (`[join_ref, null, topic,
    /// event, payload]`); writes the text frame into `out` and returns its length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::{EmptyObject, IdPayload};
    /// use phx_codec::session::server::{SendError, ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// assert_eq!(session.push("lobby", "x", &EmptyObject, &mut out), Err(SendError::NotJoined));
    /// let got = session.receive(0, WsMessage::Text(br#"["4","4","lobby","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let n = session.push("lobby", "conversation:created", &IdPayload { id: "c1".into() }, &mut out)?;
    /// assert_eq!(&out[..n], br#"["4",null,"lobby","conversation:created",{"id":"c1"}]"#);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn push<P: WriteJson + ?Sized>(
        &self,
        topic: &str,
        event: &str,
        payload: &P,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let index = self
            .find(JsonStr::literal(topic))
            .ok_or(SendError::NotJoined)?;
        let join_ref = self.channels.get(index).and_then(|c| c.join_ref());
        Ok(encode_into(
            &TextFrame {
                vsn: self.vsn(),
                join_ref: join_ref.map(JsonStr::literal),
                reference: None,
                topic: JsonStr::literal(topic),
                event: JsonStr::literal(event),
                payload,
            },
            out,
        )?)
    }

    /// Closes a joined channel from the server side (`phx_close` with the join's ref): the
    /// topic is no longer joined. Returns the text frame's length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["2","2","t","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let n = session.close_channel("t", &mut out)?;
    /// assert_eq!(&out[..n], br#"["2","2","t","phx_close",{}]"#);
    /// assert!(!session.is_joined("t"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn close_channel(&mut self, topic: &str, out: &mut [u8]) -> Result<usize, SendError> {
        self.end_channel(topic, "phx_close", None, out)
    }

    /// Reports a crashed channel (`phx_error` with `{}` as Phoenix ≤ 1.8.9 and Papercups, or
    /// `{"reason": ..}` as 1.8.10+ with `"channel_crash"`): the topic is no longer joined and
    /// the client will rejoin. Returns the text frame's length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["4","4","t","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let n = session.error_channel("t", None, &mut out)?;
    /// assert_eq!(&out[..n], br#"["4","4","t","phx_error",{}]"#);
    /// assert!(!session.is_joined("t"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn error_channel(
        &mut self,
        topic: &str,
        reason: Option<&str>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.end_channel(topic, "phx_error", reason, out)
    }

    pub(super) fn end_channel(
        &mut self,
        topic: &str,
        event: &str,
        reason: Option<&str>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let index = self
            .find(JsonStr::literal(topic))
            .ok_or(SendError::NotJoined)?;
        let join_ref = self.channels.get(index).and_then(|c| c.join_ref());
        let join_ref = join_ref.map(JsonStr::literal);
        let n = match reason {
            None => encode_into(
                &TextFrame {
                    vsn: self.vsn(),
                    join_ref,
                    reference: join_ref,
                    topic: JsonStr::literal(topic),
                    event: JsonStr::literal(event),
                    payload: &EmptyObject,
                },
                out,
            )?,
            Some(reason) => encode_into(
                &TextFrame {
                    vsn: self.vsn(),
                    join_ref,
                    reference: join_ref,
                    topic: JsonStr::literal(topic),
                    event: JsonStr::literal(event),
                    payload: &Reason {
                        reason: JsonStr::literal(reason),
                    },
                },
                out,
            )?,
        };
        self.channels.remove(index);
        Ok(n)
    }
}
