//! Typed errors: what went wrong, and at which byte.
//!
//! ```
//! use phx_codec::{decode_text, DecodeErrorKind};
//! let err = decode_text(br#"[null,"1","t","e",{"n":-}]"#).unwrap_err();
//! assert_eq!(err.kind, DecodeErrorKind::InvalidNumber);
//! assert_eq!(err.offset, 24); // the `}` where a digit must follow `-`
//! ```

use core::fmt;

use crate::wire::Direction;

/// One of the five envelope fields of a frame, named in errors.
///
/// ```
/// use phx_codec::{decode_text, DecodeErrorKind, EnvelopeField};
/// let err = decode_text(br#"[null,null,7,"e",{}]"#).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::WrongFieldType(EnvelopeField::Topic));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvelopeField {
    /// `join_ref`: the ref of the `phx_join` that opened the channel.
    JoinRef,
    /// `ref`: the id of this push.
    Ref,
    /// `topic`.
    Topic,
    /// `event`.
    Event,
    /// `payload`.
    Payload,
    /// The status of a reply (binary reply header, `payload.status`).
    Status,
}

impl EnvelopeField {
    /// The field's name as it appears on the wire (`"join_ref"`, `"ref"`, ...).
    ///
    /// ```
    /// assert_eq!(phx_codec::EnvelopeField::JoinRef.name(), "join_ref");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::JoinRef => "join_ref",
            Self::Ref => "ref",
            Self::Topic => "topic",
            Self::Event => "event",
            Self::Payload => "payload",
            Self::Status => "status",
        }
    }
}

impl fmt::Display for EnvelopeField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a frame was rejected. See [`DecodeError`] for where.
///
/// ```
/// use phx_codec::{decode_text, DecodeErrorKind};
/// assert_eq!(decode_text(b"[null,null,").unwrap_err().kind, DecodeErrorKind::UnexpectedEnd);
/// assert_eq!(decode_text(br#"[null,null,"t","e",{}] x"#).unwrap_err().kind, DecodeErrorKind::TrailingCharacters);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    // --- JSON grammar (RFC 8259) ---
    /// The input ended in the middle of a value (or was empty).
    UnexpectedEnd,
    /// A byte that cannot start a JSON value.
    ExpectedValue,
    /// Inside an array, something other than `,` or `]` followed a value.
    ExpectedCommaOrArrayEnd,
    /// Inside an object, something other than `,` or `}` followed a value.
    ExpectedCommaOrObjectEnd,
    /// An object key was not followed by `:`.
    ExpectedColon,
    /// An object member did not start with a string key.
    ExpectedObjectKey,
    /// Something other than whitespace followed the frame.
    TrailingCharacters,
    /// A backslash followed by a character that is not a JSON escape.
    InvalidEscape,
    /// `\u` not followed by four hexadecimal digits.
    InvalidUnicodeEscape,
    /// A `\uD800`–`\uDFFF` escape that is not part of a high+low surrogate pair.
    LoneSurrogate,
    /// A raw control character (below U+0020) inside a string.
    ControlCharacterInString,
    /// A number that does not follow the JSON grammar (`-`, `01`, `1.`, `1e`).
    InvalidNumber,
    /// A misspelled `true`, `false` or `null` (or `NaN`, `Infinity`...).
    InvalidLiteral,
    /// Bytes that are not valid UTF-8 (where text was required).
    InvalidUtf8,
    // --- limits ---
    /// Arrays and objects nested deeper than [`DecodeLimits::max_depth`](crate::DecodeLimits::max_depth).
    DepthLimitExceeded,
    /// The frame is longer than [`DecodeLimits::max_frame_len`](crate::DecodeLimits::max_frame_len).
    FrameTooLarge,
    // --- envelopes ---
    /// A V2 text frame that is not a JSON array.
    ExpectedArray,
    /// A V1 frame that is not a JSON object.
    ExpectedObject,
    /// A V2 envelope with fewer than five elements.
    TooFewElements,
    /// A V2 envelope with more than five elements (strict mode).
    TooManyElements,
    /// An envelope field of the wrong JSON type (refs must be string or null, topic and event
    /// strings).
    WrongFieldType(EnvelopeField),
    /// A V1 frame without a required key (`topic`, `event`, `payload`, `ref`).
    MissingField(EnvelopeField),
    /// A V1 frame with the same envelope key twice.
    DuplicateField(EnvelopeField),
    // --- binary frames ---
    /// A binary frame whose header or a field it announces runs past the end of the input.
    Truncated,
    /// A binary frame whose kind byte is not 0 (push), 1 (reply) or 2 (broadcast).
    UnknownKind(u8),
    /// A binary kind that the sender named by the direction never sends (a reply or broadcast
    /// from a client).
    KindNotAllowed {
        /// The kind byte.
        kind: u8,
        /// Who sent the frame.
        direction: Direction,
    },
    /// A binary WebSocket message on a connection that negotiated `vsn=1.0.0`.
    BinaryNotSupportedInV1,
}

impl DecodeErrorKind {
    /// A stable snake_case name for logs and machine-readable output (`"unexpected_end"`).
    ///
    /// ```
    /// assert_eq!(phx_codec::DecodeErrorKind::InvalidUtf8.name(), "invalid_utf8");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::UnexpectedEnd => "unexpected_end",
            Self::ExpectedValue => "expected_value",
            Self::ExpectedCommaOrArrayEnd => "expected_comma_or_array_end",
            Self::ExpectedCommaOrObjectEnd => "expected_comma_or_object_end",
            Self::ExpectedColon => "expected_colon",
            Self::ExpectedObjectKey => "expected_object_key",
            Self::TrailingCharacters => "trailing_characters",
            Self::InvalidEscape => "invalid_escape",
            Self::InvalidUnicodeEscape => "invalid_unicode_escape",
            Self::LoneSurrogate => "lone_surrogate",
            Self::ControlCharacterInString => "control_character_in_string",
            Self::InvalidNumber => "invalid_number",
            Self::InvalidLiteral => "invalid_literal",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::DepthLimitExceeded => "depth_limit_exceeded",
            Self::FrameTooLarge => "frame_too_large",
            Self::ExpectedArray => "expected_array",
            Self::ExpectedObject => "expected_object",
            Self::TooFewElements => "too_few_elements",
            Self::TooManyElements => "too_many_elements",
            Self::WrongFieldType(_) => "wrong_field_type",
            Self::MissingField(_) => "missing_field",
            Self::DuplicateField(_) => "duplicate_field",
            Self::Truncated => "truncated",
            Self::UnknownKind(_) => "unknown_kind",
            Self::KindNotAllowed { .. } => "kind_not_allowed",
            Self::BinaryNotSupportedInV1 => "binary_not_supported_in_v1",
        }
    }

    /// The broad class of the error, for callers that only branch on that.
    ///
    /// ```
    /// use phx_codec::{DecodeErrorKind, ErrorCategory};
    /// assert_eq!(DecodeErrorKind::FrameTooLarge.category(), ErrorCategory::Limit);
    /// assert_eq!(DecodeErrorKind::InvalidLiteral.category(), ErrorCategory::Syntax);
    /// ```
    pub const fn category(self) -> ErrorCategory {
        match self {
            Self::UnexpectedEnd
            | Self::ExpectedValue
            | Self::ExpectedCommaOrArrayEnd
            | Self::ExpectedCommaOrObjectEnd
            | Self::ExpectedColon
            | Self::ExpectedObjectKey
            | Self::TrailingCharacters
            | Self::InvalidEscape
            | Self::InvalidUnicodeEscape
            | Self::LoneSurrogate
            | Self::ControlCharacterInString
            | Self::InvalidNumber
            | Self::InvalidLiteral => ErrorCategory::Syntax,
            Self::InvalidUtf8 => ErrorCategory::Utf8,
            Self::DepthLimitExceeded | Self::FrameTooLarge => ErrorCategory::Limit,
            Self::ExpectedArray
            | Self::ExpectedObject
            | Self::TooFewElements
            | Self::TooManyElements
            | Self::WrongFieldType(_)
            | Self::MissingField(_)
            | Self::DuplicateField(_) => ErrorCategory::Envelope,
            Self::Truncated
            | Self::UnknownKind(_)
            | Self::KindNotAllowed { .. }
            | Self::BinaryNotSupportedInV1 => ErrorCategory::Binary,
        }
    }
}

/// The broad class of a [`DecodeErrorKind`].
///
/// ```
/// use phx_codec::{decode_text, ErrorCategory};
/// let err = decode_text(b"[null,null,\"t\",\"e\",\xff]").unwrap_err();
/// assert_eq!(err.kind.category(), ErrorCategory::Utf8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    /// The bytes are not JSON.
    Syntax,
    /// The bytes are not UTF-8.
    Utf8,
    /// A configured limit (depth, size) was exceeded.
    Limit,
    /// Valid JSON, but not a Phoenix envelope.
    Envelope,
    /// A malformed binary frame.
    Binary,
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::UnexpectedEnd => f.write_str("unexpected end of input"),
            Self::ExpectedValue => f.write_str("expected a JSON value"),
            Self::ExpectedCommaOrArrayEnd => f.write_str("expected `,` or `]`"),
            Self::ExpectedCommaOrObjectEnd => f.write_str("expected `,` or `}`"),
            Self::ExpectedColon => f.write_str("expected `:` after an object key"),
            Self::ExpectedObjectKey => f.write_str("expected a string object key"),
            Self::TrailingCharacters => f.write_str("unexpected characters after the frame"),
            Self::InvalidEscape => f.write_str("invalid escape sequence in string"),
            Self::InvalidUnicodeEscape => f.write_str("`\\u` must be followed by four hex digits"),
            Self::LoneSurrogate => f.write_str("unpaired UTF-16 surrogate in `\\u` escape"),
            Self::ControlCharacterInString => f.write_str("unescaped control character in string"),
            Self::InvalidNumber => f.write_str("invalid number"),
            Self::InvalidLiteral => f.write_str("invalid literal (expected true, false or null)"),
            Self::InvalidUtf8 => f.write_str("invalid UTF-8"),
            Self::DepthLimitExceeded => f.write_str("nesting deeper than the configured limit"),
            Self::FrameTooLarge => f.write_str("frame longer than the configured limit"),
            Self::ExpectedArray => f.write_str(
                "a V2 text frame must be a JSON array [join_ref, ref, topic, event, payload]",
            ),
            Self::ExpectedObject => f.write_str("a V1 frame must be a JSON object"),
            Self::TooFewElements => f.write_str("envelope has fewer than 5 elements"),
            Self::TooManyElements => f.write_str("envelope has more than 5 elements"),
            Self::WrongFieldType(field) => match field {
                EnvelopeField::JoinRef | EnvelopeField::Ref => {
                    write!(f, "`{field}` must be a string or null")
                }
                EnvelopeField::Payload => write!(f, "`{field}` has the wrong type"),
                _ => write!(f, "`{field}` must be a string"),
            },
            Self::MissingField(field) => write!(f, "missing field `{field}`"),
            Self::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
            Self::Truncated => f.write_str("binary frame truncated"),
            Self::UnknownKind(kind) => write!(f, "unknown binary frame kind {kind}"),
            Self::KindNotAllowed { kind, direction } => {
                write!(
                    f,
                    "binary frame kind {kind} is never sent {}",
                    direction.describe()
                )
            }
            Self::BinaryNotSupportedInV1 => {
                f.write_str("binary frames are not part of the V1 serializer")
            }
        }
    }
}

/// A frame that could not be decoded: what was wrong ([`kind`](Self::kind)) and the byte offset
/// in the input where it was found ([`offset`](Self::offset)).
///
/// ```
/// let err = phx_codec::decode_text(br#"[null,null,"t","e",{"a":tru}]"#).unwrap_err();
/// assert_eq!(err.offset, 24); // where `tru` starts
/// assert_eq!(err.kind, phx_codec::DecodeErrorKind::InvalidLiteral);
/// assert!(err.to_string().contains("24"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// Byte offset into the input at which the problem was detected.
    pub offset: usize,
}

impl DecodeError {
    /// An error of `kind` at byte `offset`.
    ///
    /// ```
    /// use phx_codec::{DecodeError, DecodeErrorKind};
    /// let err = DecodeError::new(DecodeErrorKind::Truncated, 3);
    /// assert_eq!((err.kind, err.offset), (DecodeErrorKind::Truncated, 3));
    /// ```
    pub const fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl core::error::Error for DecodeError {}

/// A frame or value that could not be encoded.
///
/// ```
/// use phx_codec::{decode_text, EncodeError};
/// let frame = decode_text(br#"[null,null,"t","e",{}]"#)?;
/// assert_eq!(frame.encode_v2_into(&mut [0u8; 4]), Err(EncodeError::BufferTooSmall { needed: 22, available: 4 }));
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodeError {
    /// The destination cannot hold the encoding: `needed` bytes in all, `available` left.
    BufferTooSmall {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes the destination could still take.
        available: usize,
    },
    /// A binary header field is longer than 255 bytes.
    FieldTooLong {
        /// The field.
        field: EnvelopeField,
        /// Its length in bytes.
        len: usize,
    },
    /// A JSON text frame (V1 or V2) was asked for, but the payload is binary.
    PayloadNotJson,
    /// A binary frame was asked for, but the payload is JSON.
    PayloadNotBinary,
    /// A binary frame whose header cannot be written in the requested direction (for example
    /// a server push with a `ref`, which the server layout has no room for).
    NotRepresentable(EnvelopeField),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BufferTooSmall { needed, available } => write!(
                f,
                "buffer too small: encoding needs {needed} bytes, {available} available"
            ),
            Self::FieldTooLong { field, len } => write!(
                f,
                "binary header field `{field}` is {len} bytes, more than 255"
            ),
            Self::PayloadNotJson => f.write_str("a text frame needs a JSON payload"),
            Self::PayloadNotBinary => f.write_str("a binary frame needs a binary payload"),
            Self::NotRepresentable(field) => {
                write!(f, "`{field}` cannot be written in this binary frame layout")
            }
        }
    }
}

impl core::error::Error for EncodeError {}
