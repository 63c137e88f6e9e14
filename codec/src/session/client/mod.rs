//! A sans-IO Phoenix channel client session with the semantics of the `phoenix` npm client
//! 1.8.16.
//!
//! [`ClientSession`] owns everything a channel client has to keep track of — the ref counter,
//! each channel's join and `join_ref`, pending and buffered pushes with their timeouts, the
//! heartbeat and its reply deadline, reconnect and rejoin backoff — and does no I/O: the caller
//! tells it what happened and polls it for what to do.
//!
//! | the caller tells it | the session answers with |
//! |---|---|
//! | [`connect`](ClientSession::connect), [`disconnect`](ClientSession::disconnect) | [`poll_transport`](ClientSession::poll_transport): [`TransportAction::Open`] / [`TransportAction::Close`] |
//! | [`handle_opened`](ClientSession::handle_opened), [`handle_closed`](ClientSession::handle_closed) | [`poll_frame`](ClientSession::poll_frame): the next frame to send, written into caller memory |
//! | [`handle_message`](ClientSession::handle_message) (a WebSocket text or binary message) | [`poll_timeout`](ClientSession::poll_timeout): when to call [`handle_timeout`](ClientSession::handle_timeout) |
//! | [`join`](ClientSession::join), [`push`](ClientSession::push), [`push_binary`](ClientSession::push_binary), [`leave`](ClientSession::leave) | [`Event`]s, passed to the `on_event` callback of the call that caused them |
//!
//! Events go to a callback instead of a queue so that channel messages and replies can borrow
//! the incoming WebSocket message ([`Frame`](crate::Frame)) without the session storing it.
//!
//! # Behaviour matched
//! The session is a transcription of phoenix.js 1.8.16's `Socket`, `Channel`, `Push` and
//! `Timer` (with the fake transport a WebSocket is: it closes at once when asked to), checked
//! by a differential test that runs the same scripts through both (`tests/data/session/`):
//! - refs come from one counter per session; a channel's `join_ref` is the ref of its current
//!   `phx_join`; a rejoin takes a new one; heartbeats carry a ref and no `join_ref`;
//! - heartbeat on topic `phoenix` `heartbeat_interval_ms` after the transport opens and that
//!   long after each heartbeat reply; no reply within that time closes the transport with 1000,
//!   errors the channels and reconnects;
//! - any close the session did not ask for reconnects after the `reconnect_after_ms` backoff
//!   (tries reset when a transport opens); [`disconnect`](ClientSession::disconnect) does not;
//! - a join error or timeout errors the channel and rejoins after the `rejoin_after_ms` backoff
//!   (a join timeout also sends `phx_leave`); errored channels rejoin as soon as a transport
//!   opens; joins made without an open transport are sent when it opens;
//! - pushes made while the channel cannot push are buffered and sent after the next ok join
//!   reply; their timeout runs from the push, and starts again (with a new ref) when a buffered
//!   push is sent, as `Push.send` does;
//! - messages whose `join_ref` is set and differs from the channel's are dropped; `phx_error`
//!   errors the channel (and rejoins it), `phx_close` closes it;
//! - [`leave`](ClientSession::leave) sends `phx_leave` and completes at once with `ok` and `{}`
//!   ([`Event::Left`]), as phoenix.js does; the server's reply is not waited for;
//! - joining a topic that another channel of this session has joined (or is joining) leaves that
//!   channel first, as `Socket.leaveOpenTopic` does;
//! - a channel closed by the server stays usable the way a phoenix.js `Channel` object does
//!   (its pending join timeout still fires, a push on it is buffered and times out, a leave on
//!   it still sends `phx_leave`) until its slot is reused by a new channel.
//!
//! # Not matched, deliberately
//! - phoenix.js refs skip numbers (callback registrations take refs too); these refs count
//!   1, 2, 3... What goes on the wire is otherwise the same.
//! - A server event named `chan_reply_<ref>` is a push reply to phoenix.js (its internal event
//!   name); here it is an ordinary channel message.
//! - A transport that emits a WebSocket `error` event, `ping`, long-poll fallback, page
//!   visibility and auth tokens are not modelled (the caller owns the transport).
//! - Capacities are fixed: when a join or push does not fit, the call returns a
//!   [`SessionError`] instead (nothing changes). A frame that does not fit the outbox is dropped
//!   and counted ([`dropped_frames`](ClientSession::dropped_frames)), as if the network had
//!   lost it: drain [`poll_frame`](ClientSession::poll_frame) after every call.
//! - A channel closed by the server (or left) is forgotten when its slot is needed for a new
//!   channel, even when phoenix.js would still run its timers (a join timeout pending when the
//!   server sent `phx_close` makes phoenix.js rejoin that removed channel forever).
//! - Messages while the transport is still connecting are ignored (phoenix.js would handle
//!   them, but a WebSocket delivers none before it opens).
//! - With `vsn` 1.0.0, phoenix.js 1.8.16's default serializer still writes V2 arrays; an
//!   application speaking V1 passes `encode`/`decode` built on `JSON.stringify`/`JSON.parse`,
//!   and that is what this session writes and reads (V1 objects).
//!
//! # Example
//! ```
//! use phx_codec::session::client::{ClientSession, Event, Options, TransportAction, Outgoing};
//! use phx_codec::{WsMessage, outgoing::EmptyObject};
//!
//! // 4 channels, 8 pushes, 256-byte payloads, a 1 KiB outbox.
//! let mut session = ClientSession::<4, 8, 256, 1024>::new(Options::DEFAULT);
//! let mut events = Vec::new();
//! let mut on_event = |e: Event<'_>| events.push(format!("{e:?}"));
//!
//! session.connect(0);
//! assert_eq!(session.poll_transport(), Some(TransportAction::Open));
//! let room = session.join(0, "room:1", &EmptyObject, &mut on_event).unwrap();
//! session.handle_opened(5, &mut on_event);
//!
//! let mut buf = [0u8; 256];
//! let Some(Outgoing::Text(n)) = session.poll_frame(&mut buf).unwrap() else { panic!() };
//! assert_eq!(&buf[..n], br#"["1","1","room:1","phx_join",{}]"#);
//!
//! session.handle_message(9, WsMessage::Text(br#"["1","1","room:1","phx_reply",{"status":"ok","response":{}}]"#), &mut on_event);
//! assert_eq!(session.state(room), Some(phx_codec::session::client::ChannelState::Joined));
//! // The first heartbeat is due 30 s after the transport opened.
//! assert_eq!(session.poll_timeout(), Some(30_005));
//! ```

mod channel;
mod incoming;
mod options;
mod outbox;
mod push;
mod state;
#[cfg(test)]
mod tests;
mod timers;
mod transport;
mod types;

pub use self::options::Backoff;
pub use self::options::Options;
pub use self::state::ClientSession;
pub use self::types::ChannelId;
pub use self::types::ChannelState;
pub use self::types::Event;
pub use self::types::MAX_NAME_LEN;
pub use self::types::Outcome;
pub use self::types::Outgoing;
pub use self::types::PushId;
pub use self::types::Response;
pub use self::types::SessionError;
pub use self::types::TransportAction;
