//! Per-event entry points (`Shout::from_frame`, `Join::from_frame`, ...): each reads a frame's
//! payload as one message type, so firmware that handles a few events links only those
//! parsers, not every one [`Frame::message`] can return.

use crate::frame::Frame;
use crate::message::error::MessageError;
use crate::message::onepass::{TypedDecodeError, decode_view};
use crate::message::view::TypedObject;
use crate::message::{
    ConversationCreated, ConversationUpdated, Issue, Join, PhxError, Read, ReplayEvent, Shout,
};

/// `from_frame` for views whose payload is the object itself.
macro_rules! entry_points {
    ($( $view:ident = $event:literal, $variant:ident; )*) => {
        $(
            impl<'a> $view<'a> {
                #[doc = concat!(
                    "Reads a frame's payload as a `", $event, "` message: what [`Frame::message`] ",
                    "returns as [`Message::", stringify!($variant), "`](crate::message::Message::",
                    stringify!($variant), ") for that event, with the same checks and errors, ",
                    "linking only this view's parser. The event is not checked: match ",
                    "[`Frame::event_kind`] first.\n\n",
                    "```\n",
                    "use phx_codec::{decode_text, message::{Message, ", stringify!($view), "}};\n",
                    "let frame = decode_text(br#\"[null,null,\"t\",\"", $event, "\",{}]\"#)?;\n",
                    "let view = ", stringify!($view), "::from_frame(&frame)?;\n",
                    "assert_eq!(Message::", stringify!($variant), "(view), frame.message()?);\n",
                    "let bad = decode_text(br#\"[null,null,\"t\",\"", $event, "\",[]]\"#)?;\n",
                    "assert!(", stringify!($view), "::from_frame(&bad).is_err()); // not an object\n",
                    "# Ok::<(), Box<dyn std::error::Error>>(())\n",
                    "```"
                )]
                #[inline]
                pub fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
                    <Self as TypedObject<'a>>::from_frame(frame)
                }

                #[doc = concat!(
                    "Decodes a V2 JSON text frame and reads its payload as a `", $event,
                    "` message in one pass: the same answer as [`decode_text`](crate::decode_text) ",
                    "then [`from_frame`](Self::from_frame) (errors and their offsets included; a ",
                    "syntax error anywhere wins over a type error), linking only this view's ",
                    "parser. The event is not checked: match [`Frame::event_kind`] on the frame.\n\n",
                    "```\n",
                    "use phx_codec::{decode_text, TypedDecodeError, message::", stringify!($view), "};\n",
                    "let bytes = br#\"[null,null,\"t\",\"", $event, "\",{}]\"#;\n",
                    "let (frame, view) = ", stringify!($view), "::decode_text(bytes)?;\n",
                    "let two_pass = decode_text(bytes)?;\n",
                    "assert_eq!((frame, view), (two_pass, ", stringify!($view), "::from_frame(&two_pass)?));\n",
                    "let bad = ", stringify!($view), "::decode_text(br#\"[null,null,\"t\",\"", $event, "\",[]]\"#);\n",
                    "assert!(matches!(bad, Err(TypedDecodeError::Message(_)))); // not an object\n",
                    "# Ok::<(), Box<dyn std::error::Error>>(())\n",
                    "```"
                )]
                #[inline]
                pub fn decode_text(input: &'a [u8]) -> Result<(Frame<'a>, Self), TypedDecodeError> {
                    decode_view(input)
                }
            }
        )*
    };
}

entry_points! {
    Join = "phx_join", Join;
    PhxError = "phx_error", Error;
    Shout = "shout", Shout;
    Read = "read", Read;
    ConversationCreated = "conversation:created", ConversationCreated;
    ConversationUpdated = "conversation:updated", ConversationUpdated;
    ReplayEvent = "replay:event:emitted", ReplayEventEmitted;
}

impl<'a> Issue<'a> {
    /// Reads a frame's payload as an `issue:created` or `issue:updated` message (the issue
    /// itself, or wrapped as `{"issue": {..}}`): what [`Frame::message`] returns for those
    /// events, linking only this view's parser. The event is not checked: match
    /// [`Frame::event_kind`] first.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::{Issue, Message}};
    /// let frame = decode_text(br#"[null,null,"t","issue:created",{"issue":{"title":"Broken"}}]"#)?;
    /// let issue = Issue::from_frame(&frame)?;
    /// assert_eq!(issue.title().unwrap(), "Broken");
    /// assert_eq!(Message::IssueCreated(issue), frame.message()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn from_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        Self::from_issue_frame(frame)
    }
}
