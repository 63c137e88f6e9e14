//! [`Error`]: what can go wrong above the core codec (payload (de)serialization, I/O), in one
//! type that keeps the core's typed errors.
//!
//! ```
//! use phx_codec_std::{Error, FrameExt};
//! let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"n":"x"}]"#)?;
//! #[derive(serde::Deserialize, Debug)]
//! struct N { #[allow(dead_code)] n: u32 }
//! let err = frame.deserialize_payload::<N>().unwrap_err();
//! assert!(matches!(err, Error::Json(_)));
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```

use std::fmt;

use phx_codec::{DecodeError, EncodeError};

/// An error from `phx-codec-std`: the core's typed decode and encode errors, `serde_json`'s,
/// I/O, and the payload shapes this crate checks.
///
/// ```
/// use phx_codec_std::{Error, OwnedFrame, OwnedPayload};
/// use phx_codec::{Direction, WireFormat};
/// let not_json = OwnedFrame::new("t", "e", OwnedPayload::Json("{".into()));
/// let err = not_json.encode_to_vec(WireFormat::V2, Direction::FromServer).unwrap_err();
/// assert!(matches!(err, Error::Decode(e) if e.kind.name() == "unexpected_end"), "{err}");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A frame (or a JSON payload held by an owned frame) failed to decode.
    Decode(DecodeError),
    /// A frame could not be encoded in the requested form.
    Encode(EncodeError),
    /// The payload is binary where JSON was needed (for serde or presence).
    PayloadNotJson,
    /// `serde_json` could not (de)serialize the payload.
    Json(serde_json::Error),
    /// Writing to an [`std::io::Write`] failed.
    Io(std::io::Error),
    /// A `presence_state` / `presence_diff` payload does not have the shape Phoenix sends.
    Presence(&'static str),
}

impl fmt::Display for Error {
    /// Says what failed; the cause, when there is one, is [`source`](std::error::Error::source)
    /// and is not repeated here (walk the chain, or use a reporter such as `anyhow`'s `{:#}`,
    /// to print both).
    ///
    /// ```
    /// use std::error::Error as _;
    /// let err = phx_codec_std::Error::from(phx_codec::decode_text(b"[").unwrap_err());
    /// assert_eq!(err.to_string(), "decode error");
    /// assert_eq!(err.source().map(|cause| cause.to_string()).as_deref(),
    ///            Some("unexpected end of input at byte 1"));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(_) => f.write_str("decode error"),
            Self::Encode(_) => f.write_str("encode error"),
            Self::PayloadNotJson => f.write_str("the payload is binary, not JSON"),
            Self::Json(_) => f.write_str("payload JSON error"),
            Self::Io(_) => f.write_str("I/O error"),
            Self::Presence(what) => write!(f, "malformed presence payload: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Decode(e) => Some(e),
            Self::Encode(e) => Some(e),
            Self::Json(e) => Some(e),
            Self::Io(e) => Some(e),
            Self::PayloadNotJson | Self::Presence(_) => None,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}
