//! Decoding a V2 text frame and reading its typed message in one pass
//! ([`decode_text_message`], and per event `Shout::decode_text`...): the event (element 4)
//! is read before the payload (element 5), so the payload is validated and read as that
//! event's view in the same walk, the view's fields recorded as the walk passes them.
//!
//! The answers are exactly those of [`decode_text`](crate::decode_text) followed by
//! [`Frame::message`] (or the view's `from_frame`): the same frame (member index included),
//! the same message, the same error with the same offset. A syntax error anywhere in the frame
//! wins over a type error earlier in the payload: at the first surprise (a syntax error, a
//! mistyped field, an unusual shape) the one-pass walk gives up and the payload is read again
//! the two-pass way, which decides.

use core::fmt;

use crate::envelope::check_text;
use crate::error::DecodeError;
use crate::event::Event;
use crate::frame::{Frame, Payload};
use crate::limits::DecodeLimits;
use crate::message::error::MessageError;
use crate::message::scanning::fill_into;
use crate::message::view::TypedObject;
use crate::message::{
    ConversationCreated, ConversationUpdated, Join, Message, PhxError, Read, ReplayEvent, Shout,
};
use crate::raw::{MemberIndex, RawJson};
use crate::scan::Scanner;
use crate::string::JsonStr;
use crate::text::{PayloadStep, decode_str_by, payload};

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
/// assert_eq!(err.to_string(), "unexpected end of input at byte 34");
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

/// Decodes a V2 JSON text frame and reads its typed message, in one pass for the events whose
/// payload is an object view (`shout`, `phx_join`, `phx_error`, `read`, `conversation:*`,
/// `replay:event:emitted`): the same answer as [`decode_text`](crate::decode_text) then
/// [`Frame::message`], errors and their offsets included, with the default
/// [`DecodeLimits`]. Other events are decoded, then read by [`Frame::message`].
///
/// ```
/// use phx_codec::{decode_text, decode_text_message, message::Message};
/// let bytes = br#"["1","5","conversation:9","shout",{"body":"Hi","customer_id":"c1"}]"#;
/// let (frame, message) = decode_text_message(bytes)?;
/// let Message::Shout(shout) = message else { unreachable!() };
/// assert_eq!(shout.body().unwrap(), "Hi");
/// assert_eq!(frame.topic(), "conversation:9");
/// // Exactly what the two passes give.
/// let two_pass = decode_text(bytes)?;
/// assert_eq!((frame, message), (two_pass, two_pass.message()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn decode_text_message(input: &[u8]) -> Result<(Frame<'_>, Message<'_>), TypedDecodeError> {
    decode_text_message_with(input, &DecodeLimits::new())
}

/// [`decode_text_message`] under `limits`: the same answer as
/// [`decode_text_with`](crate::decode_text_with) then [`Frame::message`].
///
/// ```
/// use phx_codec::{decode_text_message_with, DecodeErrorKind, DecodeLimits, TypedDecodeError};
/// let limits = DecodeLimits::new().with_max_depth(2);
/// let err = decode_text_message_with(br#"[null,null,"t","shout",{"user":{}}]"#, &limits).unwrap_err();
/// assert!(matches!(err, TypedDecodeError::Decode(e) if e.kind == DecodeErrorKind::DepthLimitExceeded));
/// ```
pub fn decode_text_message_with<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
) -> Result<(Frame<'a>, Message<'a>), TypedDecodeError> {
    let text = check_text(input, limits)?;
    // The answer is built where it is returned: the message (up to a few hundred bytes) is
    // filled in place, never copied.
    // (Every outcome is written into `out` and `out` is returned on every path after this
    // point, so it can be the caller's slot.)
    let mut out = Ok((placeholder(), Message::Other));
    if let Ok((frame, message)) = &mut out {
        let mut step = MessageStep {
            message,
            filled: false,
        };
        match decode_str_by(text, limits, true, &mut step) {
            Ok(decoded) => {
                *frame = decoded;
                if !step.filled {
                    match frame.message() {
                        Ok(typed) => *step.message = typed,
                        Err(err) => out = Err(err.into()),
                    }
                }
            }
            Err(err) => out = Err(err.into()),
        }
    }
    out
}

/// Decodes a V2 JSON text frame and reads its payload as the view `T` in one pass: the same
/// answer as [`decode_text`](crate::decode_text) then `T::from_frame` (the event is not
/// checked).
#[inline]
pub(crate) fn decode_view<'a, T: TypedObject<'a>>(
    input: &'a [u8],
) -> Result<(Frame<'a>, T), TypedDecodeError> {
    let limits = DecodeLimits::new();
    let text = check_text(input, &limits)?;
    // As in `decode_text_message_with`: `out` is returned on every path.
    let mut out = Ok((placeholder(), T::empty(RawJson::from_validated("{}"), true)));
    if let Ok((frame, view)) = &mut out {
        let mut step = ViewStep {
            view,
            filled: false,
        };
        match decode_str_by(text, &limits, true, &mut step) {
            Ok(decoded) => {
                *frame = decoded;
                if !step.filled {
                    match T::from_frame(frame) {
                        Ok(typed) => *step.view = typed,
                        Err(err) => out = Err(err.into()),
                    }
                }
            }
            Err(err) => out = Err(err.into()),
        }
    }
    out
}

/// The frame the answer starts with, replaced before it is returned.
#[inline(always)]
#[allow(clippy::inline_always)] // a few constant stores
fn placeholder<'a>() -> Frame<'a> {
    Frame::new(
        None,
        None,
        JsonStr::from_validated_plain(""),
        JsonStr::from_validated_plain(""),
        Payload::Json(RawJson::from_validated("{}")),
    )
}

/// Reads the payload object into `out` with `fill` (the one-pass fill) when it starts with
/// `{`; otherwise, or when the one-pass fill gives up, reads it the plain way from where it
/// starts. Returns the payload and whether `out` was filled.
#[inline(always)]
#[allow(clippy::inline_always)] // one caller per view
fn read_into<'a, T>(
    s: &mut Scanner<'a>,
    index: &mut MemberIndex,
    out: &mut T,
    fill: impl FnOnce(&mut Scanner<'a>, &mut MemberIndex, &mut T) -> bool,
) -> Result<(RawJson<'a>, bool), DecodeError> {
    let before = s.pos();
    if let Ok(b'{') = s.peek_token() {
        let start = s.pos();
        if fill(s, index, out) {
            return Ok((RawJson::from_validated(s.slice(start, s.pos())), true));
        }
        s.rewind(before);
        *index = MemberIndex::unavailable();
    }
    Ok((payload(s, index)?, false))
}

/// The payload step of [`decode_view`]: fills `view`.
struct ViewStep<'o, T> {
    view: &'o mut T,
    filled: bool,
}

impl<'a, T: TypedObject<'a>> PayloadStep<'a> for ViewStep<'_, T> {
    #[inline(always)]
    #[allow(clippy::inline_always)] // one caller
    fn read(
        &mut self,
        s: &mut Scanner<'a>,
        _: JsonStr<'a>,
        _: JsonStr<'a>,
        index: &mut MemberIndex,
    ) -> Result<RawJson<'a>, DecodeError> {
        let (payload, filled) = read_into(s, index, self.view, fill_into::<T>)?;
        self.filled = filled;
        Ok(payload)
    }
}

/// Fills `message` with the view `V` (variant `wrap`) in place.
macro_rules! fill_variant {
    ($message:expr, $s:expr, $index:expr, $variant:ident, $view:ident) => {
        read_into($s, $index, $message, |s, index, message| {
            *message = Message::$variant($view::empty(RawJson::from_validated("{}"), true));
            match message {
                Message::$variant(view) => fill_into(s, index, view),
                _ => false,
            }
        })
    };
}

/// The payload step of [`decode_text_message`]: the event's view filled in one pass into
/// `message`, for the events whose message is one object view.
struct MessageStep<'o, 'a> {
    message: &'o mut Message<'a>,
    filled: bool,
}

impl<'a> PayloadStep<'a> for MessageStep<'_, 'a> {
    #[inline(always)]
    #[allow(clippy::inline_always)] // one caller
    fn read(
        &mut self,
        s: &mut Scanner<'a>,
        _: JsonStr<'a>,
        event: JsonStr<'a>,
        index: &mut MemberIndex,
    ) -> Result<RawJson<'a>, DecodeError> {
        let message = &mut *self.message;
        let (payload, filled) = match Event::parse(event) {
            Event::Shout => fill_variant!(message, s, index, Shout, Shout),
            Event::Join => fill_variant!(message, s, index, Join, Join),
            Event::Error => fill_variant!(message, s, index, Error, PhxError),
            Event::Read => fill_variant!(message, s, index, Read, Read),
            Event::ConversationCreated => {
                fill_variant!(message, s, index, ConversationCreated, ConversationCreated)
            }
            Event::ConversationUpdated => {
                fill_variant!(message, s, index, ConversationUpdated, ConversationUpdated)
            }
            Event::ReplayEventEmitted => {
                fill_variant!(message, s, index, ReplayEventEmitted, ReplayEvent)
            }
            _ => payload(s, index).map(|payload| (payload, false)),
        }?;
        self.filled = filled;
        Ok(payload)
    }
}
