//! What can be wrong with a payload read as a typed message.

use core::fmt;

use crate::error::DecodeError;
use crate::raw::JsonKind;

/// What was wrong with a payload. See [`MessageError`] for where.
///
/// ```
/// use phx_codec::{decode_text, message::MessageErrorKind};
/// let frame = decode_text(br#"[null,null,"t","shout",[1]]"#)?;
/// assert_eq!(frame.message().unwrap_err().kind,
///     MessageErrorKind::PayloadNotObject { found: phx_codec::JsonKind::Array });
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageErrorKind {
    /// A known field holds a value of the wrong JSON type (`null` is always accepted and
    /// reads as absent). `field` is its path: `"body"`, `"user.email"`, `"attachments[].id"`,
    /// `"mentioned_user_ids[]"` (an array item), `"metas[].phx_ref"`...
    WrongType {
        /// The field's path.
        field: &'static str,
        /// The JSON type the field must have.
        expected: JsonKind,
        /// The JSON type it has.
        found: JsonKind,
    },
    /// A known integer field holds a number that is not an integer in the `i64` range
    /// (`1.5`, `1e3`, `9223372036854775808`).
    NotAnInteger {
        /// The field's path.
        field: &'static str,
    },
    /// The message needs a JSON object payload and got another JSON value.
    PayloadNotObject {
        /// The payload's JSON type.
        found: JsonKind,
    },
    /// The message needs a JSON payload and the frame carries binary bytes.
    BinaryPayload,
    /// An object of 4 GiB or more: typed views keep 32-bit offsets.
    TooLarge,
}

impl MessageErrorKind {
    /// A stable snake_case name for the kind (`"wrong_type"`, `"not_an_integer"`,
    /// `"payload_not_object"`, `"binary_payload"`, `"too_large"`).
    ///
    /// ```
    /// assert_eq!(phx_codec::message::MessageErrorKind::TooLarge.name(), "too_large");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Self::WrongType { .. } => "wrong_type",
            Self::NotAnInteger { .. } => "not_an_integer",
            Self::PayloadNotObject { .. } => "payload_not_object",
            Self::BinaryPayload => "binary_payload",
            Self::TooLarge => "too_large",
        }
    }
}

impl fmt::Display for MessageErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongType {
                field,
                expected,
                found,
            } => write!(
                f,
                "`{field}` must be {} or null, found {}",
                expected.name(),
                found.name()
            ),
            Self::NotAnInteger { field } => {
                write!(f, "`{field}` must be an integer that fits in 64 bits")
            }
            Self::PayloadNotObject { found } => {
                write!(f, "payload must be an object, found {}", found.name())
            }
            Self::BinaryPayload => f.write_str("payload must be JSON, found binary"),
            Self::TooLarge => f.write_str("object too large for a typed view (4 GiB or more)"),
        }
    }
}

/// A payload that does not fit its event's typed message.
///
/// `offset` is the byte offset of the offending value inside the payload's JSON text (the
/// start of the payload is `0`); it is `0` for [`MessageErrorKind::BinaryPayload`].
///
/// ```
/// use phx_codec::{decode_text, JsonKind, message::MessageErrorKind};
/// let frame = decode_text(br#"[null,null,"t","shout",{"body":"x","user_id":"7"}]"#)?;
/// let err = frame.message().unwrap_err();
/// assert_eq!(err.kind, MessageErrorKind::WrongType {
///     field: "user_id", expected: JsonKind::Number, found: JsonKind::String });
/// assert_eq!(err.offset, 22); // where `"7"` starts in `{"body":"x","user_id":"7"}`
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageError {
    /// What was wrong.
    pub kind: MessageErrorKind,
    /// Byte offset of the offending value inside the payload's JSON text.
    pub offset: usize,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (payload byte {})", self.kind, self.offset)
    }
}

impl core::error::Error for MessageError {}

/// Why a frame could not be decoded as a typed message: the frame itself is not a valid V2
/// text frame ([`DecodeError`]), or its payload does not fit its event's message
/// ([`MessageError`]). A syntax error anywhere in the frame is reported before a type error.
///
/// ```
/// use phx_codec::{decode_text_message, TypedDecodeError};
/// let err = decode_text_message(br#"[null,null,"t","shout",{"body":5}]"#).unwrap_err();
/// assert!(matches!(err, TypedDecodeError::Message(_)));
/// // The same mistyped field, but the frame is cut short: the syntax error wins.
/// let err = decode_text_message(br#"[null,null,"t","shout",{"body":5}"#).unwrap_err();
/// assert!(matches!(err, TypedDecodeError::Decode(_)));
/// assert_eq!(err.to_string(), "unexpected end of input at byte 33");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypedDecodeError {
    /// The bytes are not a valid V2 text frame.
    Decode(DecodeError),
    /// The frame is valid; its payload does not fit its event's typed message.
    Message(MessageError),
}

impl fmt::Display for TypedDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(err) => fmt::Display::fmt(err, f),
            Self::Message(err) => fmt::Display::fmt(err, f),
        }
    }
}

impl core::error::Error for TypedDecodeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Decode(err) => Some(err),
            Self::Message(err) => Some(err),
        }
    }
}

impl From<DecodeError> for TypedDecodeError {
    fn from(err: DecodeError) -> Self {
        Self::Decode(err)
    }
}

impl From<MessageError> for TypedDecodeError {
    fn from(err: MessageError) -> Self {
        Self::Message(err)
    }
}
