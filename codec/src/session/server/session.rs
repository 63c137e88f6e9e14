//! The session's state and its inputs: the [`ServerSession`] struct, received messages, the
//! idle timer and answers to joins.

use core::fmt;

use crate::DecodeLimits;
use crate::Decoder;
use crate::Direction;
use crate::JsonStr;
use crate::Vsn;
use crate::WsMessage;
use crate::encode::WriteJson;
use crate::message::ReplyStatus;
use crate::outgoing::EmptyObject;
use crate::session::fixed::Buf;
use crate::session::fixed::List;

use super::close::CloseReason;
use super::encode::AnswerWriter;
use super::encode::close_frame;
use super::encode::encode_into;
use super::encode::push_unescaped;
use super::encode::reply_frame;
use super::encode::unmatched_frame;
use super::error::ReceiveError;
use super::error::SendError;
use super::request::JoinRequest;
use super::request::PushRequest;
use super::request::Received;
use super::request::ServerEvent;

/// Phoenix's default WebSocket `timeout`: a connection with no inbound message for this long
/// is closed (Papercups sets 45 000).
///
/// ```
/// use phx_codec::{Vsn, session::server::{DEFAULT_IDLE_TIMEOUT_MS, ServerSession}};
/// let session: ServerSession<1> = ServerSession::new(Vsn::V2, 0);
/// assert_eq!(session.next_deadline_ms(), DEFAULT_IDLE_TIMEOUT_MS);
/// ```
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 60_000;

/// The topic every socket talks to without joining (`heartbeat`).
///
/// ```
/// assert_eq!(phx_codec::session::server::PHOENIX_TOPIC, "phoenix");
/// ```
pub const PHOENIX_TOPIC: &str = "phoenix";

#[derive(Clone, Copy)]
pub(super) struct Channel<const TOPIC: usize, const REF: usize> {
    pub(super) topic: Buf<TOPIC>,
    pub(super) join_ref: Option<Buf<REF>>,
}

impl<const TOPIC: usize, const REF: usize> Channel<TOPIC, REF> {
    /// What fills the unused slots of the channel list.
    const EMPTY: Self = Self {
        topic: Buf::new(),
        join_ref: None,
    };

    /// The join_ref the channel was joined with.
    pub(super) fn join_ref(&self) -> Option<&str> {
        self.join_ref.as_ref().map(Buf::as_str)
    }
}

/// One connection's server state: its serializer, joined channels (up to `CHANNELS`, topics
/// up to `TOPIC` bytes, join refs up to `REF` bytes) and idle timer. See the
/// [module docs](super).
///
/// ```
/// use phx_codec::{Vsn, session::server::ServerSession};
/// // 16 channels, topics up to 128 bytes, join refs up to 32 bytes (the defaults).
/// let session: ServerSession<16> = ServerSession::new(Vsn::V1, 0);
/// assert_eq!(session.vsn(), Vsn::V1);
/// assert_eq!(session.limits().max_depth(), phx_codec::DecodeLimits::DEFAULT_MAX_DEPTH);
/// ```
pub struct ServerSession<const CHANNELS: usize, const TOPIC: usize = 128, const REF: usize = 32> {
    pub(super) decoder: Decoder,
    pub(super) channels: List<Channel<TOPIC, REF>, CHANNELS>,
    pub(super) idle_timeout_ms: u64,
    pub(super) last_inbound_ms: u64,
}

impl<const CHANNELS: usize, const TOPIC: usize, const REF: usize> fmt::Debug
    for ServerSession<CHANNELS, TOPIC, REF>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSession")
            .field("vsn", &self.decoder.vsn())
            .field("channels", &self.channels.len())
            .field("idle_timeout_ms", &self.idle_timeout_ms)
            .field("last_inbound_ms", &self.last_inbound_ms)
            .finish()
    }
}

impl<const CHANNELS: usize, const TOPIC: usize, const REF: usize>
    ServerSession<CHANNELS, TOPIC, REF>
{
    /// A session for a connection that negotiated `vsn` (see [`negotiate_vsn`](super::negotiate_vsn)), opened at
    /// `now_ms`, with the default decode limits and idle timeout.
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// assert_eq!(session.vsn(), Vsn::V2);
    /// ```
    pub const fn new(vsn: Vsn, now_ms: u64) -> Self {
        Self {
            decoder: Decoder::new(vsn, Direction::FromClient),
            channels: List::filled(Channel::EMPTY),
            idle_timeout_ms: DEFAULT_IDLE_TIMEOUT_MS,
            last_inbound_ms: now_ms,
        }
    }

    /// The same session with other decode limits (frame size, depth, lenient arity).
    ///
    /// ```
    /// use phx_codec::{DecodeLimits, Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0)
    ///     .with_limits(DecodeLimits::new().with_max_frame_len(1 << 20));
    /// assert_eq!(session.limits().max_frame_len(), 1 << 20);
    /// ```
    #[must_use]
    pub const fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.decoder = self.decoder.with_limits(limits);
        self
    }

    /// The same session with another idle timeout (Papercups: 45 000 ms).
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0).with_idle_timeout_ms(45_000);
    /// assert_eq!(session.next_deadline_ms(), 45_000);
    /// ```
    #[must_use]
    pub const fn with_idle_timeout_ms(mut self, timeout_ms: u64) -> Self {
        self.idle_timeout_ms = timeout_ms;
        self
    }

    /// The negotiated serializer.
    pub const fn vsn(&self) -> Vsn {
        self.decoder.vsn()
    }

    /// The decode limits.
    pub const fn limits(&self) -> &DecodeLimits {
        self.decoder.limits()
    }

    /// Records inbound traffic that is not a Phoenix message (a WebSocket ping or pong), which
    /// keeps the connection from counting as idle, as Cowboy's idle timer does.
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// session.note_activity(50_000);
    /// assert!(session.poll_idle(60_000).is_none());
    /// ```
    pub fn note_activity(&mut self, now_ms: u64) {
        self.last_inbound_ms = self.last_inbound_ms.max(now_ms);
    }

    /// When the connection becomes idle unless something arrives: arm a timer for it.
    pub const fn next_deadline_ms(&self) -> u64 {
        self.last_inbound_ms.saturating_add(self.idle_timeout_ms)
    }

    /// `Some(CloseReason::Idle)` when nothing arrived for the idle timeout: close the
    /// connection with [`CloseCode::Normal`](super::CloseCode::Normal).
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::{CloseReason, ServerSession}};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 1_000);
    /// assert_eq!(session.poll_idle(60_999), None);
    /// assert_eq!(session.poll_idle(61_000), Some(CloseReason::Idle));
    /// ```
    pub const fn poll_idle(&self, now_ms: u64) -> Option<CloseReason> {
        if now_ms >= self.next_deadline_ms() {
            Some(CloseReason::Idle)
        } else {
            None
        }
    }

    /// Whether a channel is joined on `topic` (a broadcast on it goes to this connection).
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["7","7","room:1","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// assert!(!session.is_joined("room:1"));
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// assert!(session.is_joined("room:1"));
    /// assert_eq!(session.join_ref("room:1"), Some(Some("7")));
    /// assert_eq!(session.join_ref("room:2"), None);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn is_joined(&self, topic: &str) -> bool {
        self.find(JsonStr::literal(topic)).is_some()
    }

    /// The `join_ref` of the channel joined on `topic`, if any (`Some(None)` when it joined
    /// with a null ref).
    pub fn join_ref(&self, topic: &str) -> Option<Option<&str>> {
        self.find(JsonStr::literal(topic))
            .and_then(|i| self.channels.get(i))
            .map(|c| c.join_ref())
    }

    /// The joined topics, in join order.
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// assert_eq!(session.topics().count(), 0);
    /// ```
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.channels.iter().map(|c| c.topic.as_str())
    }

    pub(super) fn find(&self, topic: JsonStr<'_>) -> Option<usize> {
        self.channels
            .iter()
            .position(|c| topic.eq_str(c.topic.as_str()))
    }

    /// Decodes one WebSocket message from the client at `now_ms`, writes the session's own
    /// answers into `out` (see [`Received::answers`]) and says what it meant.
    ///
    /// A message that does not decode fails with [`ReceiveError::Close`]: close the
    /// connection with its code (the other connections are unaffected). `out` must hold the
    /// answers: a reply echoing the topic and ref plus a `phx_close`; the input's length plus
    /// 160 bytes is always enough.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(5, WsMessage::Text(br#"[null,"2","nowhere","ping",{}]"#), &mut out)?;
    /// assert!(matches!(got.event, ServerEvent::Unmatched { .. }));
    /// assert_eq!(got.frames(&out).next().unwrap(),
    ///     br#"[null,"2","nowhere","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#);
    /// # Ok::<(), phx_codec::session::server::ReceiveError>(())
    /// ```
    pub fn receive<'a>(
        &mut self,
        now_ms: u64,
        message: WsMessage<'a>,
        out: &mut [u8],
    ) -> Result<Received<'a>, ReceiveError> {
        self.note_activity(now_ms);
        let frame = self
            .decoder
            .decode(message)
            .map_err(|e| ReceiveError::Close(CloseReason::for_decode_error(e)))?;
        let vsn = self.vsn();
        let mut writer = AnswerWriter::new(out);
        let topic = frame.topic();
        let event = frame.event();
        let reference = frame.reference();

        if topic == PHOENIX_TOPIC && event == "heartbeat" {
            writer.write(&reply_frame(
                vsn,
                None,
                reference,
                topic,
                ReplyStatus::Ok,
                &EmptyObject,
            ))?;
            return Ok(writer.done(ServerEvent::Heartbeat));
        }
        let joined = self.find(topic);
        if event == "phx_join" {
            let mut replaced = false;
            if let Some(index) = joined {
                // Phoenix shuts the old channel down (its phx_close goes out with the old
                // join_ref), then processes the new join.
                let old = self.channels.remove(index);
                let old_ref = old
                    .as_ref()
                    .and_then(|c| c.join_ref())
                    .map(JsonStr::literal);
                writer.write(&close_frame(vsn, old_ref, topic))?;
                replaced = true;
            }
            return Ok(writer.done(ServerEvent::Join(JoinRequest { frame, replaced })));
        }
        if event == "phx_leave" {
            let Some(index) = joined else {
                writer.write(&reply_frame(
                    vsn,
                    frame.join_ref(),
                    reference,
                    topic,
                    ReplyStatus::Ok,
                    &EmptyObject,
                ))?;
                return Ok(writer.done(ServerEvent::Leave {
                    topic,
                    was_joined: false,
                }));
            };
            let channel = self.channels.remove(index);
            let join_ref = channel
                .as_ref()
                .and_then(|c| c.join_ref())
                .map(JsonStr::literal);
            writer.write(&reply_frame(
                vsn,
                join_ref,
                reference,
                topic,
                ReplyStatus::Ok,
                &EmptyObject,
            ))?;
            writer.write(&close_frame(vsn, join_ref, topic))?;
            return Ok(writer.done(ServerEvent::Leave {
                topic,
                was_joined: true,
            }));
        }
        if joined.is_none() {
            writer.write(&unmatched_frame(vsn, reference, topic))?;
            return Ok(writer.done(ServerEvent::Unmatched { topic, event }));
        }
        Ok(writer.done(ServerEvent::Push(PushRequest { frame })))
    }

    /// Accepts a join: the topic becomes joined with the join's ref, and the ok reply carrying
    /// `response` is written into `out` (send it as a text message); returns its length.
    /// Fails without joining when the session is full or the topic or ref is too long to
    /// store: refuse the join instead.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::session::server::{SendError, ServerEvent, ServerSession};
    /// // Room for one channel only.
    /// let mut session: ServerSession<1> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// for (text, joined) in [(&br#"["1","1","a","phx_join",{}]"#[..], true), (&br#"["2","2","b","phx_join",{}]"#[..], false)] {
    ///     let got = session.receive(0, WsMessage::Text(text), &mut out)?;
    ///     let ServerEvent::Join(join) = got.event else { unreachable!() };
    ///     let accepted = session.accept_join(&join, &phx_codec::outgoing::EmptyObject, &mut out);
    ///     assert_eq!(accepted.is_ok(), joined);
    ///     if !joined { assert_eq!(accepted, Err(SendError::TooManyChannels)); }
    /// }
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn accept_join<R: WriteJson + ?Sized>(
        &mut self,
        join: &JoinRequest<'_>,
        response: &R,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let topic = join.topic();
        if self.find(topic).is_some() {
            // Another join on the topic was accepted since this one arrived: it stands, and
            // this one is not written (refuse it, or drop it).
            return Err(SendError::NotJoined);
        }
        let mut stored_topic = Buf::<TOPIC>::new();
        push_unescaped(&mut stored_topic, topic)?;
        let stored_ref = match join.join_ref() {
            Some(r) => {
                let mut s = Buf::<REF>::new();
                push_unescaped(&mut s, r)?;
                Some(s)
            }
            None => None,
        };
        if self.channels.is_full() {
            return Err(SendError::TooManyChannels);
        }
        let n = encode_into(
            &reply_frame(
                self.vsn(),
                join.join_ref(),
                join.reference(),
                topic,
                ReplyStatus::Ok,
                response,
            ),
            out,
        )?;
        self.channels
            .push(Channel {
                topic: stored_topic,
                join_ref: stored_ref,
            })
            .map_err(|_| SendError::TooManyChannels)?;
        Ok(n)
    }

    /// Refuses a join: writes the error reply carrying `response` (Papercups:
    /// `Reason { reason: "unauthorized".into() }`) into `out`; returns its length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::Reason;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["1","1","notification:9","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// let n = session.refuse_join(&join, &Reason { reason: "unauthorized".into() }, &mut out)?;
    /// assert_eq!(&out[..n], br#"["1","1","notification:9","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#);
    /// assert!(!session.is_joined("notification:9"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn refuse_join<R: WriteJson + ?Sized>(
        &self,
        join: &JoinRequest<'_>,
        response: &R,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        Ok(encode_into(
            &reply_frame(
                self.vsn(),
                join.join_ref(),
                join.reference(),
                join.topic(),
                ReplyStatus::Error,
                response,
            ),
            out,
        )?)
    }

    /// Answers a join for a topic no channel serves as Phoenix does when no route matches:
    /// `{"reason":"unmatched topic"}` with join_ref null.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["3","3","nowhere","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// let mut reply = [0u8; 128];
    /// let n = session.refuse_join_unmatched(&join, &mut reply)?;
    /// assert_eq!(&reply[..n], br#"[null,"3","nowhere","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn refuse_join_unmatched(
        &self,
        join: &JoinRequest<'_>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        Ok(encode_into(
            &unmatched_frame(self.vsn(), join.reference(), join.topic()),
            out,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EncodeError;
    use crate::Vsn;
    use crate::WsMessage;
    use crate::outgoing::EmptyObject;
    use crate::session::server::CloseCode;
    use crate::session::server::ReceiveError;
    use crate::session::server::ServerEvent;

    #[test]
    fn answers_fit_and_are_sliced_in_order() {
        let mut session: ServerSession<2, 16, 8> = ServerSession::new(Vsn::V2, 0);
        let mut out = [0u8; 256];
        let got = session
            .receive(
                0,
                WsMessage::Text(br#"["1","1","t","phx_join",{}]"#),
                &mut out,
            )
            .unwrap();
        let ServerEvent::Join(join) = got.event else {
            panic!("join expected")
        };
        session.accept_join(&join, &EmptyObject, &mut out).unwrap();
        let got = session
            .receive(
                0,
                WsMessage::Text(br#"["1","2","t","phx_leave",{}]"#),
                &mut out,
            )
            .unwrap();
        let frames: std::vec::Vec<&[u8]> = got.frames(&out).collect();
        assert_eq!(
            frames,
            [
                &br#"["1","2","t","phx_reply",{"response":{},"status":"ok"}]"#[..],
                &br#"["1","1","t","phx_close",{}]"#[..],
            ]
        );
    }

    #[test]
    fn too_small_output_is_an_error_not_a_panic() {
        let mut session: ServerSession<2> = ServerSession::new(Vsn::V2, 0);
        let mut out = [0u8; 10];
        let err = session
            .receive(
                0,
                WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#),
                &mut out,
            )
            .unwrap_err();
        assert!(matches!(
            err,
            ReceiveError::Output(EncodeError::BufferTooSmall { .. })
        ));
        assert_eq!(err.close_code(), CloseCode::InternalError);
    }
}
