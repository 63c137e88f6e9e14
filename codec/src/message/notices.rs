//! Conversation notices: `conversation:created`/`updated`, `issue:created`/`updated` and
//! `replay:event:emitted`.

use crate::frame::Frame;
use crate::message::error::MessageError;
use crate::message::view::{TypedObject, is_plain, payload_object};
use crate::message::view_macros::typed_object;
use crate::raw::{JsonKind, RawJson};
use crate::string::JsonStr;

typed_object! {
    /// `conversation:created` payload (`{"id": "<conversation uuid>"}`).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"notification:a","conversation:created",{"id":"5c9b"}]"#)?;
    /// let Message::ConversationCreated(created) = frame.message()? else { unreachable!() };
    /// assert_eq!(created.id().unwrap(), "5c9b");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct ConversationCreated in "" {
        /// The new conversation's id.
        id: Str = "id",
    }
}

typed_object! {
    /// `conversation:updated` payload (`{"id": .., "updates": {conversation}}`).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"notification:a","conversation:updated",{"id":"5c9b","updates":{"status":"closed"}}]"#)?;
    /// let Message::ConversationUpdated(updated) = frame.message()? else { unreachable!() };
    /// assert_eq!(updated.updates().unwrap().get("status").unwrap().as_json_str().unwrap(), "closed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct ConversationUpdated in "" {
        /// The conversation's id.
        id: Str = "id",
        /// The changed conversation fields.
        updates: Obj = "updates",
    }
}

typed_object! {
    /// `replay:event:emitted` payload (`{"event": {..}}`, a session-replay event).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"events:admin:a","replay:event:emitted",{"event":{"type":2}}]"#)?;
    /// let Message::ReplayEventEmitted(replay) = frame.message()? else { unreachable!() };
    /// assert_eq!(replay.event().unwrap().get("type").unwrap().as_i64(), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct ReplayEvent in "" {
        /// The recorded event, kept raw.
        event: Obj = "event",
    }
}

typed_object! {
    /// An issue (`issue:created` / `issue:updated`). The payload is either the issue object or
    /// `{"issue": {..}}`; both read the same. Other fields stay in [`raw`](Self::raw).
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"notification:a","issue:created",{"issue":{"id":"i1","title":"Bug"}}]"#)?;
    /// let Message::IssueCreated(issue) = frame.message()? else { unreachable!() };
    /// assert_eq!((issue.id().unwrap(), issue.title().unwrap()), ("i1".into(), "Bug".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct Issue in "" {
        /// The issue's id.
        id: Str = "id",
        /// Its title.
        title: Str = "title",
        /// Its description.
        body: Str = "body",
        /// Its state (`"unstarted"`, `"in_progress"`, `"done"`...).
        state: Str = "state",
        /// The linked GitHub issue.
        github_issue_url: Str = "github_issue_url",
        /// The account's id.
        account_id: Str = "account_id",
        /// Creation time (ISO 8601).
        created_at: Str = "created_at",
        /// Last update (ISO 8601).
        updated_at: Str = "updated_at",
    }
}

impl<'a> Issue<'a> {
    pub(crate) fn from_issue_frame(frame: &Frame<'a>) -> Result<Self, MessageError> {
        let payload = payload_object(frame)?;
        match frame.payload_get("issue") {
            Some(inner) if inner.kind() == JsonKind::Object => {
                let members = inner.members().into_iter().flatten();
                Self::from_object(inner, members, payload.as_str(), is_plain(inner))
            }
            _ => <Self as TypedObject<'a>>::from_frame(frame),
        }
    }
}
