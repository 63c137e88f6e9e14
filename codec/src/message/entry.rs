//! Per-event entry points (`Shout::from_frame`, `Join::from_frame`, ...): each reads a frame's
//! payload as one message type, so firmware that handles a few events links only those
//! parsers, not every one [`Frame::message`] can return.

use crate::frame::Frame;
use crate::message::error::MessageError;
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
