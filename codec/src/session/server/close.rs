//! WebSocket close codes and the reasons a server closes a connection.

use core::fmt;

use crate::DecodeError;
use crate::DecodeErrorKind;

/// A WebSocket close code (RFC 6455 §7.4.1) a server uses.
///
/// ```
/// use phx_codec::session::server::CloseCode;
/// assert_eq!(CloseCode::InvalidPayload.code(), 1007);
/// assert_eq!(CloseCode::PolicyViolation.code(), 1008);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseCode {
    /// 1000: normal closure (an idle connection, as Cowboy closes on its idle timeout).
    Normal,
    /// 1001: going away (Phoenix's "disconnect" broadcast).
    GoingAway,
    /// 1003: a kind of data the endpoint cannot accept (a binary message on a V1 socket).
    UnsupportedData,
    /// 1007: a text message that is not UTF-8.
    InvalidPayload,
    /// 1008: a policy violation (a reader that stopped draining its queue, too many channels).
    PolicyViolation,
    /// 1009: a message bigger than the server takes.
    MessageTooBig,
    /// 1011: an internal error (what Cowboy sends when a Phoenix socket process crashes,
    /// including on a frame it cannot decode).
    InternalError,
    /// 1012: service restart (Phoenix when draining).
    ServiceRestart,
}

impl CloseCode {
    /// The numeric code.
    ///
    /// ```
    /// use phx_codec::session::server::CloseCode;
    /// assert_eq!(CloseCode::MessageTooBig.code(), 1009);
    /// ```
    pub const fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
            Self::UnsupportedData => 1003,
            Self::InvalidPayload => 1007,
            Self::PolicyViolation => 1008,
            Self::MessageTooBig => 1009,
            Self::InternalError => 1011,
            Self::ServiceRestart => 1012,
        }
    }
}

/// Why the server closes a connection; [`close_code`](Self::close_code) is the code to send.
///
/// ```
/// use phx_codec::session::server::{CloseCode, CloseReason};
/// assert_eq!(CloseReason::Idle.close_code(), CloseCode::Normal);
/// assert_eq!(CloseReason::TooBig.close_code().code(), 1009);
/// assert_eq!(CloseReason::Stalled.text(), "not reading");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// Nothing received for the idle timeout (1000).
    Idle,
    /// A text message that is not UTF-8 (1007).
    InvalidUtf8,
    /// A message over the size limit (1009).
    TooBig,
    /// A binary message on a V1 connection (1003).
    BinaryOnV1,
    /// A frame that does not decode (1011, as Phoenix crashes on it).
    Malformed(DecodeError),
    /// The client does not drain its outbound queue (1008). The session never decides this;
    /// the network layer that owns the queue does.
    Stalled,
    /// The server failed (1011).
    Internal,
}

impl CloseReason {
    /// The reason to close for a frame that failed to decode.
    ///
    /// ```
    /// use phx_codec::{decode_text, session::server::{CloseReason, CloseCode}};
    /// let err = decode_text(b"[1,2").unwrap_err();
    /// assert_eq!(CloseReason::for_decode_error(err).close_code(), CloseCode::InternalError);
    /// let err = decode_text(b"[\xff]").unwrap_err();
    /// assert_eq!(CloseReason::for_decode_error(err).close_code().code(), 1007);
    /// ```
    pub const fn for_decode_error(error: DecodeError) -> Self {
        match error.kind {
            DecodeErrorKind::InvalidUtf8 => Self::InvalidUtf8,
            DecodeErrorKind::FrameTooLarge => Self::TooBig,
            DecodeErrorKind::BinaryNotSupportedInV1 => Self::BinaryOnV1,
            _ => Self::Malformed(error),
        }
    }

    /// The WebSocket close code.
    ///
    /// ```
    /// use phx_codec::session::server::CloseReason;
    /// assert_eq!(CloseReason::InvalidUtf8.close_code().code(), 1007);
    /// ```
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::Idle => CloseCode::Normal,
            Self::InvalidUtf8 => CloseCode::InvalidPayload,
            Self::TooBig => CloseCode::MessageTooBig,
            Self::BinaryOnV1 => CloseCode::UnsupportedData,
            Self::Malformed(_) | Self::Internal => CloseCode::InternalError,
            Self::Stalled => CloseCode::PolicyViolation,
        }
    }

    /// A short text for the close frame's reason (at most 123 bytes, as RFC 6455 allows).
    ///
    /// ```
    /// assert_eq!(phx_codec::session::server::CloseReason::Idle.text(), "idle");
    /// ```
    pub const fn text(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::TooBig => "message too big",
            Self::BinaryOnV1 => "binary frames need vsn 2.0.0",
            Self::Malformed(_) => "malformed frame",
            Self::Stalled => "not reading",
            Self::Internal => "internal error",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "malformed frame: {e}"),
            other => f.write_str(other.text()),
        }
    }
}
