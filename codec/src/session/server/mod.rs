//! The server side of one Phoenix socket, sans-IO: what `Phoenix.Socket` does for a connection
//! (PROTOCOL.md §9), with no socket, no clock and no allocator.
//!
//! A [`ServerSession`] is fed every WebSocket message the client sends
//! ([`receive`](ServerSession::receive)), with the current time in milliseconds. It answers
//! what Phoenix answers without asking the application (heartbeats, `unmatched topic`,
//! `phx_leave`, the `phx_close` of a channel replaced by a second join), writing those frames
//! into caller memory, and hands the application a typed [`ServerEvent`] for the rest: a join
//! to accept or refuse, a push to reply to (now, later or never), a leave. The application
//! writes replies, pushes and broadcasts through the session, which knows each channel's
//! `join_ref` and the connection's serializer. [`ServerSession::poll_idle`] says when a
//! connection that sent nothing for the idle timeout must be closed, and [`CloseReason`] gives
//! the WebSocket close code for every reason to close.
//!
//! ```
//! use phx_codec::Vsn;
//! use phx_codec::outgoing::EmptyObject;
//! use phx_codec::session::server::{negotiate_vsn, ServerEvent, ServerSession};
//! use phx_codec::WsMessage;
//!
//! // At the HTTP upgrade: `?vsn=2.0.0`.
//! let vsn = negotiate_vsn(Some("2.0.0")).expect("Phoenix accepts 2.0.0");
//! // Up to 8 channels, topics up to 64 bytes, refs up to 16 bytes.
//! let mut session: ServerSession<8, 64, 16> = ServerSession::new(vsn, 0);
//! let mut out = [0u8; 512];
//!
//! // A heartbeat is answered by the session itself.
//! let got = session.receive(10, WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#), &mut out)?;
//! assert!(matches!(got.event, ServerEvent::Heartbeat));
//! let replies: Vec<&[u8]> = got.frames(&out).collect();
//! assert_eq!(replies, [&br#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#[..]]);
//!
//! // A join is the application's to accept (or refuse).
//! let got = session.receive(20, WsMessage::Text(br#"["3","3","room:1","phx_join",{}]"#), &mut out)?;
//! let ServerEvent::Join(join) = got.event else { panic!("a join") };
//! let mut reply = [0u8; 128];
//! let n = session.accept_join(&join, &EmptyObject, &mut reply)?;
//! assert_eq!(&reply[..n], br#"["3","3","room:1","phx_reply",{"response":{},"status":"ok"}]"#);
//! assert!(session.is_joined("room:1"));
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

mod close;
mod encode;
mod error;
mod reply;
mod request;
mod session;
mod vsn;

pub use self::close::CloseCode;
pub use self::close::CloseReason;
pub use self::encode::encode_binary_broadcast;
pub use self::encode::encode_broadcast;
pub use self::error::ReceiveError;
pub use self::error::SendError;
pub use self::request::Answers;
pub use self::request::JoinRequest;
pub use self::request::PushRequest;
pub use self::request::Received;
pub use self::request::ReplyTo;
pub use self::request::ServerEvent;
pub use self::session::DEFAULT_IDLE_TIMEOUT_MS;
pub use self::session::PHOENIX_TOPIC;
pub use self::session::ServerSession;
pub use self::vsn::VsnRejection;
pub use self::vsn::negotiate_vsn;
