//! Decoding a V2 text frame and reading its typed message in one pass
//! ([`decode_text_message`], and per event `Shout::decode_text`...): the event (element 4)
//! is read before the payload (element 5), so the payload is validated and read as that
//! event's view in the same walk, the view's fields recorded as the walk passes them.
//!
//! The answers are exactly those of [`decode_text`](crate::decode_text) followed by
//! [`Frame::message`] (or the view's `from_frame`): the same frame (its member index aside:
//! a payload read in one pass records none, so `payload_members` walks it), the same
//! message, the same error with the same offset. A syntax error anywhere in the frame wins
//! over a type error earlier in the payload: at the first surprise (a syntax error, a type
//! error, an unusual shape) the one-pass walk gives up, the payload is validated again
//! the plain way from its start, and once the whole frame is found valid its message is read
//! again over the validated text (by [`Frame::message`], or for the per-event entry points by
//! the same one-pass filler, so that firmware links one filler per view: over valid text it
//! meets the same members in the same order as the two-pass path, so it stops at the same
//! type error).

use crate::envelope::check_text;
use crate::error::DecodeError;
use crate::event::Event;
use crate::frame::{Frame, Payload};
use crate::limits::DecodeLimits;
pub use crate::message::error::TypedDecodeError;
use crate::message::error::{MessageError, MessageErrorKind};
use crate::message::scanning::{fill_into, scan_payload};
use crate::message::view::{TypedObject, payload_object};
use crate::message::{
    ConversationCreated, ConversationUpdated, Join, Message, PhxError, Read, ReplayEvent, Reply,
    Shout,
};
use crate::raw::{MemberIndex, RawJson};
use crate::scan::Scanner;
use crate::string::JsonStr;
use crate::text::{PayloadStep, decode_str_by, payload_out_of_line as payload};

/// Decodes a V2 JSON text frame and reads its typed message, in one pass for the events whose
/// payload is an object view (`shout`, `phx_join`, `phx_reply`, `phx_error`, `read`,
/// `conversation:*`, `replay:event:emitted`): the same answer as [`decode_text`](crate::decode_text) then
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
    let mut out = TypedFrame::new();
    decode_into(input, limits, &mut out.frame, &mut out.message)?;
    Ok((out.frame, out.message))
}

/// A V2 text frame and its typed message, decoded in one pass into storage the caller
/// holds ([`TypedFrame::decode_text`]): what [`decode_text_message`] returns, written in
/// place instead of returned by value (a `Message` holding a `Shout` is a few hundred
/// bytes, and a returned value is copied at least once on its way out).
///
/// ```
/// use phx_codec::{TypedFrame, decode_text_message, message::Message};
/// let bytes = br#"["1","5","conversation:9","shout",{"body":"Hi","customer_id":"c1"}]"#;
/// let mut typed = TypedFrame::new();
/// typed.decode_text(bytes)?;
/// let Message::Shout(shout) = typed.message() else { unreachable!() };
/// assert_eq!(shout.body().unwrap(), "Hi");
/// assert_eq!(typed.frame().topic(), "conversation:9");
/// // Exactly what `decode_text_message` returns.
/// assert_eq!(typed.into_parts(), decode_text_message(bytes)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypedFrame<'a> {
    frame: Frame<'a>,
    message: Message<'a>,
}

impl Default for TypedFrame<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> TypedFrame<'a> {
    /// The empty frame (`[null,null,"","",{}]`) and [`Message::Other`]: what a `TypedFrame`
    /// holds before a decode, and after a failed one.
    ///
    /// ```
    /// use phx_codec::{TypedFrame, message::Message};
    /// let typed = TypedFrame::new();
    /// assert_eq!(typed.frame().event(), "");
    /// assert_eq!(typed.message(), &Message::Other);
    /// ```
    #[inline]
    #[must_use]
    pub fn new() -> Self {
        Self {
            frame: placeholder(),
            message: Message::Other,
        }
    }

    /// Decodes `input` into `self` with the default [`DecodeLimits`]: the same frame, message
    /// and error as [`decode_text_message`]. After an error `self` holds what
    /// [`TypedFrame::new`] does.
    ///
    /// ```
    /// use phx_codec::{TypedFrame, TypedDecodeError, message::Message};
    /// let mut typed = TypedFrame::new();
    /// typed.decode_text(br#"[null,"1","rooms:lobby","phx_join",{"customer_id":"c1"}]"#)?;
    /// assert!(matches!(typed.message(), Message::Join(join) if join.customer_id().unwrap() == "c1"));
    /// let err = typed.decode_text(br#"[null,null,"t","shout",{"body":5}]"#).unwrap_err();
    /// assert!(matches!(err, TypedDecodeError::Message(_)));
    /// assert_eq!(typed.message(), &Message::Other);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn decode_text(&mut self, input: &'a [u8]) -> Result<(), TypedDecodeError> {
        self.decode_text_with(input, &DecodeLimits::new())
    }

    /// [`decode_text`](Self::decode_text) under `limits`: the same answer as
    /// [`decode_text_message_with`].
    ///
    /// ```
    /// use phx_codec::{DecodeLimits, TypedDecodeError, TypedFrame};
    /// let mut typed = TypedFrame::new();
    /// let limits = DecodeLimits::new().with_max_depth(2);
    /// let err = typed.decode_text_with(br#"[null,null,"t","shout",{"user":{}}]"#, &limits);
    /// assert!(matches!(err, Err(TypedDecodeError::Decode(_))));
    /// ```
    #[inline]
    pub fn decode_text_with(
        &mut self,
        input: &'a [u8],
        limits: &DecodeLimits,
    ) -> Result<(), TypedDecodeError> {
        let result = decode_into(input, limits, &mut self.frame, &mut self.message);
        if result.is_err() {
            self.clear();
        }
        result
    }

    /// Back to [`TypedFrame::new`] (after an error; kept out of line).
    #[cold]
    #[inline(never)]
    fn clear(&mut self) {
        *self = Self::new();
    }

    /// The frame.
    ///
    /// ```
    /// let mut typed = phx_codec::TypedFrame::new();
    /// typed.decode_text(br#"[null,"7","phoenix","heartbeat",{}]"#)?;
    /// assert_eq!(typed.frame().reference().unwrap(), "7");
    /// # Ok::<(), phx_codec::TypedDecodeError>(())
    /// ```
    #[inline]
    #[must_use]
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// The frame's typed message.
    ///
    /// ```
    /// use phx_codec::{TypedFrame, message::Message};
    /// let mut typed = TypedFrame::new();
    /// typed.decode_text(br#"[null,"7","phoenix","heartbeat",{}]"#)?;
    /// assert_eq!(typed.message(), &Message::Heartbeat);
    /// # Ok::<(), phx_codec::TypedDecodeError>(())
    /// ```
    #[inline]
    #[must_use]
    pub const fn message(&self) -> &Message<'a> {
        &self.message
    }

    /// The frame and its message, by value.
    ///
    /// ```
    /// use phx_codec::{TypedFrame, message::Message};
    /// let mut typed = TypedFrame::new();
    /// typed.decode_text(br#"[null,"7","phoenix","heartbeat",{}]"#)?;
    /// let (frame, message) = typed.into_parts();
    /// assert_eq!(frame.event(), "heartbeat");
    /// assert_eq!(message, Message::Heartbeat);
    /// # Ok::<(), phx_codec::TypedDecodeError>(())
    /// ```
    #[inline]
    #[must_use]
    pub const fn into_parts(self) -> (Frame<'a>, Message<'a>) {
        (self.frame, self.message)
    }
}

/// The one-pass decoder: `frame` and `message` written in place (not returned, so never
/// copied); on error they hold whatever was written before it, for the caller to reset.
#[inline(always)]
#[allow(clippy::inline_always)] // two callers: `decode_text_message_with` and `TypedFrame`
fn decode_into<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
    frame: &mut Frame<'a>,
    message: &mut Message<'a>,
) -> Result<(), TypedDecodeError> {
    let text = check_text(input, limits)?;
    let mut step = MessageStep {
        message,
        filled: false,
    };
    decode_str_by(text, limits, true, &mut step, |decoded| *frame = decoded)?;
    if !step.filled {
        *step.message = frame.message()?;
    }
    Ok(())
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
        match decode_str_by(text, &limits, true, &mut step, |frame| frame) {
            Ok(decoded) => {
                *frame = decoded;
                if !step.filled
                    && let Err(err) = refill(text, &limits, frame, step.view)
                {
                    out = Err(err.into());
                }
            }
            Err(err) => out = Err(err.into()),
        }
    }
    out
}

/// The payload of `frame` (decoded from `text`, valid) read into `view` (empty) when the
/// decode did not (a type error, the `{}]` ending the envelope reader takes itself, a payload
/// that is not an object): with the one-pass fill again, over text now known valid, so that
/// firmware links one filler per view. Its type error is the two-pass path's: that path
/// meets the same members in the same order.
#[cold]
#[inline(never)]
fn refill<'a, T: TypedObject<'a>>(
    text: &'a str,
    limits: &DecodeLimits,
    frame: &Frame<'a>,
    view: &mut T,
) -> Result<(), MessageError> {
    let raw = payload_object(frame)?;
    let mut s = Scanner::new(text, limits.max_depth());
    s.rewind((raw.as_str().as_ptr() as usize).wrapping_sub(text.as_ptr() as usize));
    *view = T::empty(RawJson::from_validated("{}"), true);
    match fill_view(&mut s, &mut MemberIndex::unavailable(), view) {
        Ok(true) => Ok(()),
        Err(err) => Err(err),
        // Not reached: a valid object payload inside the frame's array (so the depth limit
        // is at least 2) is read whole. Answered as the two-pass path never answers, so the
        // differential tests and fuzz bodies would see it.
        Ok(false) => Err(MessageError {
            kind: MessageErrorKind::TooLarge,
            offset: 0,
        }),
    }
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
/// `{`; otherwise, or when the one-pass fill does not read it whole (`false`), reads it the
/// plain way from where it starts. Returns the payload and whether `out` was filled.
///
/// `fill` returns the payload it read whole (the object a view read, already sliced: slicing
/// it again here cost an out-of-line `str::get`, 20 instructions a frame), `None` otherwise.
#[inline(always)]
#[allow(clippy::inline_always)] // one caller per view
fn read_into<'a, T>(
    s: &mut Scanner<'a>,
    index: &mut MemberIndex,
    out: &mut T,
    fill: impl FnOnce(&mut Scanner<'a>, &mut MemberIndex, &mut T) -> Option<RawJson<'a>>,
) -> Result<(RawJson<'a>, bool), DecodeError> {
    let before = s.pos();
    if let Ok(b'{') = s.peek_token() {
        if let Some(payload) = fill(s, index, out) {
            return Ok((payload, true));
        }
        s.rewind(before);
        *index = MemberIndex::unavailable();
    }
    Ok((payload(s, index)?, false))
}

/// [`fill_into`] for [`decode_view`]: one copy for its two callers on bare metal, where
/// `.ci/embedded-size` holds the code to a budget.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline(never))]
#[allow(clippy::inline_always)]
fn fill_view<'a, T: TypedObject<'a>>(
    s: &mut Scanner<'a>,
    index: &mut MemberIndex,
    view: &mut T,
) -> Result<bool, MessageError> {
    fill_into(s, index, view)
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
        let (payload, filled) = read_into(s, index, self.view, |s, index, view| {
            matches!(fill_view(s, index, view), Ok(true)).then(|| TypedObject::object(&*view))
        })?;
        self.filled = filled;
        Ok(payload)
    }
}

/// Fills `message` with the view `$view` (variant `$variant`) in place.
macro_rules! fill_variant {
    ($message:expr, $s:expr, $index:expr, $variant:ident, $view:ident) => {
        read_into($s, $index, $message, |s, index, message| {
            *message = Message::$variant($view::empty(RawJson::from_validated("{}"), true));
            match message {
                Message::$variant(view) => {
                    matches!(fill_into(s, index, view), Ok(true)).then(|| TypedObject::object(view))
                }
                _ => None,
            }
        })
    };
}

/// The event as [`MessageStep`] needs it: [`Event::parse`]'s answer for the events read in one
/// pass, found with a length switch and one fixed-size comparison (most frames' events are
/// plain); [`Event::Other`] for every other plain name (the step reads those the plain way,
/// whatever they are); escaped names go to [`Event::parse`].
#[inline(always)]
#[allow(clippy::inline_always)] // once per frame, a few compares
fn one_pass_event(event: JsonStr<'_>) -> Event<'_> {
    /// Whether `bytes` is `name`: a fixed-size comparison.
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn is<const N: usize>(bytes: &[u8], name: &[u8; N]) -> bool {
        bytes.first_chunk::<N>() == Some(name)
    }
    let Some(text) = event.as_str() else {
        return Event::parse(event);
    };
    let bytes = text.as_bytes();
    match bytes.len() {
        5 if is(bytes, b"shout") => Event::Shout,
        9 if is(bytes, b"phx_reply") => Event::Reply,
        8 if is(bytes, b"phx_join") => Event::Join,
        9 if is(bytes, b"phx_error") => Event::Error,
        4 if is(bytes, b"read") => Event::Read,
        20 if is(bytes, b"conversation:created") => Event::ConversationCreated,
        20 if is(bytes, b"conversation:updated") => Event::ConversationUpdated,
        20 if is(bytes, b"replay:event:emitted") => Event::ReplayEventEmitted,
        _ => Event::Other(event),
    }
}

/// The payload step of [`decode_text_message`]: the event's view filled in one pass into
/// `message`, for the events whose message is one object view (and `phx_reply`).
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
        let (payload, filled) = match one_pass_event(event) {
            Event::Shout => fill_variant!(message, s, index, Shout, Shout),
            Event::Join => fill_variant!(message, s, index, Join, Join),
            Event::Error => fill_variant!(message, s, index, Error, PhxError),
            Event::Read => fill_variant!(message, s, index, Read, Read),
            Event::Reply => read_into(s, index, message, |s, index, message| {
                let start = s.pos();
                let read = scan_payload(s, index, |cur, base| {
                    *message = Message::Reply(Reply::fill_from(cur, base)?);
                    Ok(())
                });
                matches!(read, Ok(true)).then(|| RawJson::from_validated(s.slice(start, s.pos())))
            }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_text_with;
    use crate::text::tests::assert_same_frame;
    use std::format;
    use std::string::{String, ToString};
    use std::vec::Vec;

    /// `decode_text_message_with` against `decode_text_with` then `message()`,
    /// `TypedFrame::decode_text_with` against `decode_text_message_with`, and
    /// `Shout::decode_text` against `decode_text` then `Shout::from_frame`.
    fn same_as_two_passes(text: &str, limits: &DecodeLimits) {
        let one = decode_text_message_with(text.as_bytes(), limits);
        let two = decode_text_with(text.as_bytes(), limits)
            .map_err(TypedDecodeError::from)
            .and_then(|frame| Ok((frame, frame.message()?)));
        match (&one, &two) {
            (Ok((f1, m1)), Ok((f2, m2))) => {
                assert_same_frame(f1, f2, text);
                assert_eq!(m1, m2, "{text:?}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{text:?}"),
            _ => panic!("{text:?}: one pass {one:?}, two passes {two:?}"),
        }
        // In place, into a `TypedFrame` that held another frame: the same answer; after an
        // error, the empty frame. (Under Miri, for every fourth frame length only: it runs the
        // code `decode_text_message_with` runs, checked for undefined behaviour above.)
        if cfg!(miri) && !text.len().is_multiple_of(4) {
            return same_view_as_two_passes(text, limits);
        }
        let mut typed = TypedFrame::new();
        typed
            .decode_text(br#"["1","2","t","shout",{"body":"x","user":{"id":1}}]"#)
            .unwrap();
        match (typed.decode_text_with(text.as_bytes(), limits), &one) {
            (Ok(()), Ok((f1, m1))) => {
                assert_same_frame(typed.frame(), f1, text);
                assert_eq!(typed.message(), m1, "{text:?}");
            }
            (Err(a), Err(b)) => {
                assert_eq!(&a, b, "{text:?}");
                assert_eq!(typed, TypedFrame::new(), "{text:?}");
                assert_same_frame(typed.frame(), TypedFrame::new().frame(), text);
            }
            (into, _) => panic!("{text:?}: in place {into:?}, returned {one:?}"),
        }
        same_view_as_two_passes(text, limits);
    }

    /// `Shout::decode_text` against `decode_text` then `Shout::from_frame` (default limits).
    fn same_view_as_two_passes(text: &str, limits: &DecodeLimits) {
        if limits == &DecodeLimits::new() {
            let one = Shout::decode_text(text.as_bytes());
            let two = crate::decode_text(text.as_bytes())
                .map_err(TypedDecodeError::from)
                .and_then(|frame| Ok((frame, Shout::from_frame(&frame)?)));
            match (&one, &two) {
                (Ok((f1, v1)), Ok((f2, v2))) => {
                    assert_same_frame(f1, f2, text);
                    assert_eq!(v1, v2, "{text:?}");
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{text:?}"),
                _ => panic!("{text:?}: one pass {one:?}, two passes {two:?}"),
            }
        }
    }

    /// Payload members: well typed, null, escaped, mistyped, and broken JSON.
    const GOOD: &[&str] = &[
        r#""body":"Hi, I need help with my order #4521""#,
        r#""customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b""#,
        r#""sent_at":"2026-11-24T15:01:02.003Z""#,
        r#""user_id":7"#,
        r#""user_id":-9223372036854775808"#,
        r#""private":true"#,
        r#""private":false"#,
        r#""body":null"#,
        r#""user":null"#,
        r#""user":{"id":7,"email":"a@b.c","full_name":"A \"B\"","role":"admin"}"#,
        r#""customer":{"id":"c1","name":"Ann","metadata":{"plan":[1,2]}}"#,
        r#""attachments":[{"id":3,"filename":"a.png"},{"id":"f"}]"#,
        r#""file_ids":[3,"x"]"#,
        r#""mentioned_user_ids":[8,9]"#,
        r#""metadata":{"a":[1,{"b":null}]}"#,
        r#""unknown":[1,{"x":"y"},"z",true,null,-1.5e3]"#,
        r#""b\u006fdy":"escaped key""#,
        r#""customer_id":"caf\u00e9 \n \"q\"""#,
        r#""k\"ey":"v""#,
        "\"body\":\"caf\u{e9} \u{6f22}\u{5b57}\"",
        r#""reason":"channel_crash""#,
        r#""conversation_id":"5c9b""#,
        r#""a_long_unknown_key_of_more_than_thirty_two_bytes":"and a value longer than sixteen""#,
        r#""":"""#,
        r#""status":"ok""#,
        r#""st\u0061tus":"error""#,
        r#""status":"\u006fk""#,
        r#""status":"err\u006fr""#,
        r#""status":"okay""#,
        r#""status":"""#,
        r#""status":null"#,
        r#""response":{}"#,
        r#""response":{"reason":"unauthorized"}"#,
        r#""response":null"#,
        r#""response":[1,"x"]"#,
        r#""metadata":{}"#,
        r#""file_ids":[]"#,
        r#""user_id":0"#,
        r#""user_id":-0"#,
        r#""unknown":-12.5e-3"#,
        r#""unknown":false"#,
    ];
    const MISTYPED: &[&str] = &[
        r#""body":5"#,
        r#""user_id":"7""#,
        r#""user_id":1.5"#,
        r#""user_id":9223372036854775808"#,
        r#""user":[]"#,
        r#""user":{"id":"x"}"#,
        r#""customer":{"metadata":1}"#,
        r#""file_ids":[true]"#,
        r#""attachments":[1]"#,
        r#""attachments":[{"id":[]}]"#,
        r#""private":"yes""#,
        r#""customer_id":{}"#,
        r#""reason":1"#,
        r#""b\u006fdy":[]"#,
        r#""status":5"#,
        r#""status":{"a":"b"}"#,
    ];
    const BROKEN: &[&str] = &[
        r#""body":}"#,
        r#""body" 1"#,
        r#""body":tru"#,
        r#""body":"unterminated"#,
        r#""body":"\x""#,
        "\"body\":\"a\u{1}b\"",
        r#""body":01"#,
        r#""body":[1,]"#,
        r#""user":{"id":7,}"#,
        r"body:1",
        r#""\ud800":1"#,
        r#""user_id":-"#,
        r#""user_id":1."#,
        r#""user_id":-a"#,
        r#""x":nul"#,
        r#""x":nulll"#,
        r#""x":[}"#,
        r#""x":{]"#,
        r#""x":{} "#,
    ];

    /// Frames of every event kind around payloads made of the members above, one or two at a
    /// time (in both orders), compact and spaced, with broken endings.
    fn generated_frames() -> Vec<String> {
        let events = [
            "shout",
            "phx_reply",
            "phx_join",
            "read",
            "phx_error",
            "conversation:created",
            "replay:event:emitted",
            "presence_state",
            "heartbeat",
            "typing",
            r"sh\u006fut",
        ];
        let all: Vec<&str> = GOOD.iter().chain(MISTYPED).chain(BROKEN).copied().collect();
        let mut payloads: Vec<String> = std::vec![
            "{}".to_string(),
            "{ }".to_string(),
            "[]".to_string(),
            "1".to_string(),
            "null".to_string(),
            "{".to_string(),
            String::new(),
        ];
        for a in &all {
            payloads.push(format!("{{{a}}}"));
            payloads.push(format!("{{ {} }}", a.replacen(':', " : ", 1)));
            // Pairs: all of them, or under Miri (~1000x slower) the pairs with the first.
            let pairs = if cfg!(miri) { &all[..1] } else { &all[..] };
            for b in pairs {
                payloads.push(format!("{{{a},{b}}}"));
            }
        }
        // Duplicates: the last one wins, every one is type-checked.
        payloads.push(r#"{"body":"1","body":"2"}"#.to_string());
        payloads.push(r#"{"body":5,"body":"2"}"#.to_string());
        payloads.push(r#"{"body":"1","b\u006fdy":"2"}"#.to_string());
        let mut frames = Vec::new();
        for (k, payload) in payloads.iter().enumerate() {
            // Every payload under the shout and the reply; a few under every other event.
            let events: &[&str] = if k % 17 == 0 { &events } else { &events[..2] };
            for event in events {
                frames.push(format!(
                    r#"["1","5","conversation:5c9b","{event}",{payload}]"#
                ));
            }
        }
        for end in ["]x", ",1]", "", " ", ",]", "}", "] "] {
            for payload in [r#"{"body":5}"#, r#"{"body":"x"}"#] {
                frames.push(format!(r#"[null,null,"t","shout",{payload}{end}"#));
            }
        }
        frames
    }

    #[test]
    fn a_frame_read_in_one_pass_finds_its_members_as_the_plain_decoder_does() {
        let text =
            r#"["1","2","t","shout",{"body":"hi","x":[1,{"y":2}],"k\u0031":null,"user":{"id":1}}]"#;
        let (one, _) = decode_text_message(text.as_bytes()).unwrap();
        let two = crate::decode_text(text.as_bytes()).unwrap();
        assert_same_frame(&one, &two, text);
        assert_eq!(one.payload_members().unwrap().count(), 4);
        for key in ["body", "x", "k1", "user", "nope"] {
            assert_eq!(one.payload_get(key), two.payload_get(key), "{key}");
        }
        assert_eq!(one.payload_get("x").unwrap().as_str(), r#"[1,{"y":2}]"#);
        assert_eq!(one.payload_plain(), Some(false));
    }

    #[test]
    fn the_one_pass_events_are_recognised_as_event_parse_recognises_them() {
        let one_pass = [
            Event::Shout,
            Event::Reply,
            Event::Join,
            Event::Error,
            Event::Read,
            Event::ConversationCreated,
            Event::ConversationUpdated,
            Event::ReplayEventEmitted,
        ];
        let mut names: Vec<String> = Event::KNOWN.iter().map(ToString::to_string).collect();
        // Near misses: one byte changed, added or removed at each end, other cases.
        for name in Event::KNOWN {
            names.push(format!("{name}x"));
            names.push(format!("x{name}"));
            names.push(name[1..].to_string());
            names.push(name[..name.len() - 1].to_string());
            names.push(name.to_uppercase());
            names.push(format!("{}_", &name[..name.len() - 1]));
        }
        names.extend(["", "a", "conversation:createe", "replay:event:emittee"].map(String::from));
        let mut seen = 0;
        for name in &names {
            let plain = JsonStr::from_validated_plain(name);
            let fast = one_pass_event(plain);
            let slow = Event::parse(plain);
            if one_pass.contains(&slow) {
                assert_eq!(fast, slow, "{name:?}");
                seen += 1;
            } else {
                assert_eq!(fast, Event::Other(plain), "{name:?}");
            }
        }
        assert_eq!(seen, one_pass.len());
        // Escaped names: as `Event::parse` reads them.
        for escaped in [r"sh\u006fut", r"phx_\u0072eply", r"\u0074yping", r"read\n"] {
            let name = JsonStr::from_json_body(escaped).unwrap();
            assert_eq!(one_pass_event(name), Event::parse(name), "{escaped:?}");
        }
        assert_eq!(
            one_pass_event(JsonStr::from_json_body(r"sh\u006fut").unwrap()),
            Event::Shout
        );
    }

    #[test]
    fn one_pass_answers_as_the_two_passes_do() {
        let limits = DecodeLimits::new();
        // Under Miri (~1000x slower), every 7th frame: the code paths, for undefined
        // behaviour; plain `cargo test` compares them all.
        let step = if cfg!(miri) { 7 } else { 1 };
        for frame in generated_frames().iter().step_by(step) {
            same_as_two_passes(frame, &limits);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "every truncation of many frames: too slow under Miri")]
    fn one_pass_answers_as_the_two_passes_do_for_every_truncation_and_limit() {
        let limits = DecodeLimits::new();
        let others = [
            DecodeLimits::new().with_max_depth(0),
            DecodeLimits::new().with_max_depth(1),
            DecodeLimits::new().with_max_depth(2),
            DecodeLimits::new().with_max_depth(3),
            DecodeLimits::new().with_extra_elements_allowed(true),
            DecodeLimits::new().with_max_frame_len(40),
        ];
        for (k, frame) in generated_frames().iter().enumerate() {
            if k % 7 != 0 {
                continue;
            }
            for other in &others {
                same_as_two_passes(frame, other);
            }
            for end in 0..=frame.len() {
                if let Some(prefix) = frame.get(..end) {
                    same_as_two_passes(prefix, &limits);
                }
            }
        }
    }

    #[test]
    fn values_read_with_direct_checks_are_read_as_the_grammar_reads_them() {
        // Every limit around the payload's members, for the values the cursor reads without
        // the grammar (plain strings, literals, integers, empty containers) and their near
        // misses.
        let values = [
            r#""x""#,
            "null",
            "true",
            "false",
            "0",
            "-0",
            "7",
            "-12",
            "01",
            "-",
            "-a",
            "1.",
            "1.5",
            "1e3",
            "1E3",
            "{}",
            "[]",
            "{ }",
            "[ ]",
            "{]",
            "[}",
            "nul",
            "nulll",
            "tru",
            "fals",
            "falsey",
            "[{}]",
            "{\"a\":{}}",
            "{\"id\":7,\"x\":{\"y\":[]}}",
            "{\"id\":\"7\"}",
            "{\"id\":7,}",
            "{\"email\":\"a\" ,\"role\" : null }",
            "{\"id\":{}}",
        ];
        let limits = [2, 3, 0, 1, 4, 128].map(|depth| DecodeLimits::new().with_max_depth(depth));
        // Under Miri (~1000x slower), one key, one event, the limits around the members.
        let (keys, events, depths) = if cfg!(miri) { (1, 1, 2) } else { (6, 2, 6) };
        for value in values {
            for key in ["user_id", "user", "private", "metadata", "body", "unknown"]
                .iter()
                .take(keys)
            {
                for payload in [
                    format!("{{\"{key}\":{value}}}"),
                    format!("{{\"{key}\":{value},\"body\":\"x\"}}"),
                    format!("{{\"body\":\"x\",\"{key}\":{value} }}"),
                ] {
                    for event in ["shout", "phx_reply"].iter().take(events) {
                        let frame = format!(r#"[null,null,"t","{event}",{payload}]"#);
                        for limits in limits.iter().take(depths) {
                            same_as_two_passes(&frame, limits);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_syntax_error_after_a_type_error_wins() {
        // A mistyped member at every position, a syntax error after it.
        let members = [r#""body":"x""#, r#""sent_at":"y""#, r#""user_id":7"#];
        for at in 0..=members.len() {
            let mut parts: Vec<&str> = members.to_vec();
            parts.insert(at, r#""user_id":"7""#);
            let payload = parts.join(",");
            let typed = format!(r#"[null,null,"t","shout",{{{payload}}}]"#);
            let err = decode_text_message(typed.as_bytes()).unwrap_err();
            assert!(matches!(err, TypedDecodeError::Message(_)), "{typed}");
            let broken = format!(r#"[null,null,"t","shout",{{{payload},"z":}}]"#);
            let err = decode_text_message(broken.as_bytes()).unwrap_err();
            assert!(matches!(err, TypedDecodeError::Decode(_)), "{broken}");
            same_as_two_passes(&typed, &DecodeLimits::new());
            same_as_two_passes(&broken, &DecodeLimits::new());
        }
    }

    #[test]
    fn the_one_pass_fill_reads_what_the_two_passes_read() {
        let text = r#"["1","5","t","shout",{"body":"Hi","b\u006fdy":"caf\u00e9","user":{"id":7,"role":"admin"},"user_id":7,"x":[1]}]"#;
        let (frame, message) = decode_text_message(text.as_bytes()).unwrap();
        let Message::Shout(shout) = message else {
            panic!("{message:?}")
        };
        assert_eq!(shout.body().unwrap(), "caf\u{e9}");
        assert_eq!(shout.user().unwrap().role().unwrap(), "admin");
        assert_eq!(shout.user_id(), Some(7));
        assert_eq!(frame.payload_get("x").unwrap().as_str(), "[1]");
        assert_eq!(frame.payload_plain(), Some(false));
        same_as_two_passes(text, &DecodeLimits::new());
    }

    #[test]
    fn typed_decode_errors_convert_and_display() {
        use core::error::Error;
        let decode = DecodeError::new(crate::DecodeErrorKind::UnexpectedEnd, 3);
        let err = TypedDecodeError::from(decode);
        assert_eq!(err, TypedDecodeError::Decode(decode));
        assert_eq!(err.to_string(), decode.to_string());
        assert!(err.source().is_some());
        let frame = crate::decode_text(br#"[null,null,"t","shout",{"body":1}]"#).unwrap();
        let message = frame.message().unwrap_err();
        let err = TypedDecodeError::from(message);
        assert_eq!(err, TypedDecodeError::Message(message));
        assert_eq!(err.to_string(), message.to_string());
    }
}
