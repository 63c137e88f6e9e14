//! What [`ServerSession::receive`](super::ServerSession::receive) and the send calls refuse.

use core::fmt;

use crate::EncodeError;

use super::close::CloseCode;
use super::close::CloseReason;

/// Why [`ServerSession::receive`](super::ServerSession::receive) failed.
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::session::server::{ReceiveError, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let err = session.receive(0, WsMessage::Text(b"[1,"), &mut [0u8; 64]).unwrap_err();
/// assert!(matches!(err, ReceiveError::Close(_)));
/// assert_eq!(err.close_code().code(), 1011);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiveError {
    /// The message must close the connection (`reason.close_code()`).
    Close(CloseReason),
    /// The caller's output buffer cannot hold the frames the session answers with.
    Output(EncodeError),
}

impl ReceiveError {
    /// The close code to send: the reason's, or 1011 when the output did not fit.
    ///
    /// ```
    /// use phx_codec::EncodeError;
    /// use phx_codec::session::server::ReceiveError;
    /// let err = ReceiveError::Output(EncodeError::BufferTooSmall { needed: 9, available: 1 });
    /// assert_eq!(err.close_code().code(), 1011);
    /// ```
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::Close(reason) => reason.close_code(),
            Self::Output(_) => CloseCode::InternalError,
        }
    }
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Close(reason) => write!(f, "closing the connection: {reason}"),
            Self::Output(e) => write!(f, "cannot write the answer: {e}"),
        }
    }
}

impl core::error::Error for ReceiveError {}

/// Why a reply, push or channel operation was not written.
///
/// ```
/// use phx_codec::{Vsn, outgoing::EmptyObject};
/// use phx_codec::session::server::{SendError, ServerSession};
/// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let err = session.push("room:1", "e", &EmptyObject, &mut [0u8; 64]).unwrap_err();
/// assert_eq!(err, SendError::NotJoined);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The topic is not joined, or was rejoined since (another `join_ref`): Phoenix's channel
    /// process is gone and sends nothing.
    NotJoined,
    /// The session holds as many channels as its capacity.
    TooManyChannels,
    /// The topic or a ref is longer than the session stores.
    TooLong,
    /// Encoding failed (the buffer is too small, or a binary frame on a V1 connection).
    Encode(EncodeError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJoined => f.write_str("the channel is not joined (or was rejoined)"),
            Self::TooManyChannels => f.write_str("the session holds no more channels"),
            Self::TooLong => f.write_str("topic or ref longer than the session stores"),
            Self::Encode(e) => write!(f, "cannot encode: {e}"),
        }
    }
}

impl core::error::Error for SendError {}

impl From<EncodeError> for SendError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}
