//! The payloads of pushes, replies and notices (everything but presence).

use crate::encode::{
    JsonObjectWriter, PLAIN_LEN_MAX, Sink, StaticKey, WriteJson, finite, put_after, static_key,
    sum_bounds, unbounded_max, write_json_str,
};
use crate::error::EncodeError;
use crate::message::{FileId, ReplyStatus};
use crate::raw::RawJson;
use crate::string::JsonStr;

/// `{}`: the payload of `heartbeat`, `phx_leave`, `messages:seen`, an empty join and an empty
/// reply response.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// phx_codec::outgoing::EmptyObject.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{}"#);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmptyObject;

impl WriteJson for EmptyObject {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(b"{}")
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        put_after(out, prefix, b"{}")
    }

    fn json_len(&self) -> usize {
        2
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(2)
    }
}

/// An upper bound of one object member written with its static key (nothing when `value`
/// is `None`): the key with the `{` or `,` before it, and the value. Objects add 2 (the `}`,
/// or `{}` when empty).
#[inline]
pub(crate) fn member_bound<V: WriteJson + ?Sized>(
    key: StaticKey,
    value: Option<&V>,
) -> Option<usize> {
    match value {
        Some(v) => Some(v.max_json_len()?.saturating_add(key.len())),
        None => Some(0),
    }
}

/// `phx_join` params: `{}` or `{"customer_id": ..}`.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::JoinParams;
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// JoinParams { customer_id: Some("c1".into()) }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"customer_id":"c1"}"#);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinParams<'s> {
    /// The customer joining (widget joins).
    pub customer_id: Option<JsonStr<'s>>,
}

impl WriteJson for JoinParams<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_optional_member(static_key!("customer_id"), self.customer_id.as_ref())?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        sum_bounds(&[
            member_bound(static_key!("customer_id"), self.customer_id.as_ref()),
            Some(2),
        ])
    }
}

/// A JSON array over a slice.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::JsonArray;
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// JsonArray(&[1i64, 2, 3]).write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"[1,2,3]"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonArray<'s, T>(pub &'s [T]);

impl<T: WriteJson> WriteJson for JsonArray<'_, T> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.write_json_after(b"", out)
    }

    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        let Some((first, rest)) = self.0.split_first() else {
            return put_after(out, prefix, b"[]");
        };
        put_after(out, prefix, b"[")?;
        #[cfg(target_os = "none")]
        {
            let _ = (first, rest);
            items_small(self.0, out)?;
        }
        #[cfg(not(target_os = "none"))]
        {
            first.write_json(out)?;
            for item in rest {
                item.write_json_after(b",", out)?;
            }
        }
        out.put(b"]")
    }

    fn max_json_len(&self) -> Option<usize> {
        // Each item and its comma, plus the brackets.
        finite(self.0.iter().fold(2usize, |total, item| {
            total.saturating_add(unbounded_max(item.max_json_len()).saturating_add(1))
        }))
    }
}

/// A [`JsonArray`]'s items, comma-separated, on firmware: one loop with one error path, not
/// the first item's call and the loop's each with their own (`.ci/embedded-size`); the same
/// calls in the same order as the portable loop.
#[cfg(any(test, target_os = "none"))]
pub(super) fn items_small<T: WriteJson, S: Sink + ?Sized>(
    items: &[T],
    out: &mut S,
) -> Result<(), EncodeError> {
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            item.write_json(out)
        } else {
            item.write_json_after(b",", out)
        }?;
    }
    Ok(())
}

/// An integer id or a string id.
impl WriteJson for FileId<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        match self {
            FileId::Int(n) => n.write_json(out),
            FileId::Str(s) => write_json_str(out, *s),
        }
    }

    fn max_json_len(&self) -> Option<usize> {
        match self {
            FileId::Int(n) => n.max_json_len(),
            FileId::Str(s) => s.max_json_len(),
        }
    }
}

/// The client's `shout` push. Members are written in this order, each only when set:
/// `body`, `customer_id`, `conversation_id`, `sent_at`, `mentioned_user_ids`, `file_ids`,
/// `private`, `metadata` (the widget's and the dashboard's pushes re-encode byte for byte).
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::ShoutPush;
/// let mut buf = [0u8; 96];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// ShoutPush { mentioned_user_ids: Some(&[8]), private: Some(false), ..ShoutPush::new("On it!".into()) }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"body":"On it!","mentioned_user_ids":[8],"private":false}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShoutPush<'s> {
    /// The text.
    pub body: JsonStr<'s>,
    /// The customer writing (widget).
    pub customer_id: Option<JsonStr<'s>>,
    /// The conversation (dashboard).
    pub conversation_id: Option<JsonStr<'s>>,
    /// When it was sent (ISO 8601 with milliseconds, as the widget writes it).
    pub sent_at: Option<JsonStr<'s>>,
    /// Agents mentioned.
    pub mentioned_user_ids: Option<&'s [i64]>,
    /// Uploaded files.
    pub file_ids: Option<&'s [FileId<'s>]>,
    /// An internal note.
    pub private: Option<bool>,
    /// Free-form metadata (a JSON object).
    pub metadata: Option<RawJson<'s>>,
}

impl<'s> ShoutPush<'s> {
    /// A push with only a body.
    ///
    /// ```
    /// use phx_codec::encode::WriteJson;
    /// use phx_codec::outgoing::ShoutPush;
    /// let mut buf = [0u8; 64];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// ShoutPush::new("hi".into()).write_json(&mut out).unwrap();
    /// assert_eq!(out.written(), br#"{"body":"hi"}"#);
    /// ```
    pub const fn new(body: JsonStr<'s>) -> Self {
        Self {
            body,
            customer_id: None,
            conversation_id: None,
            sent_at: None,
            mentioned_user_ids: None,
            file_ids: None,
            private: None,
            metadata: None,
        }
    }
}

impl WriteJson for ShoutPush<'_> {
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        #[cfg(not(target_os = "none"))]
        self.write_strings(&mut obj)?;
        #[cfg(target_os = "none")]
        self.write_strings_small(&mut obj)?;
        self.write_rest(obj)
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn max_json_len(&self) -> Option<usize> {
        // Every key with its `{` or `,` (110 bytes), the closing `}`, two quotes per string
        // and `false`: 124 bytes at most; then six bytes per string byte (at most), and the
        // lists and the metadata as their own bounds. (Coarser than member by member, and a
        // third of the instructions: a bound is only compared with the room.) Plain sums:
        // every string and the metadata at most `PLAIN_LEN_MAX` long, or no bound.
        const FIXED: usize = 124;
        let len = |s: Option<JsonStr<'_>>| s.map_or(0, |s| s.raw().len());
        let (body, customer_id) = (self.body.raw().len(), len(self.customer_id));
        let (conversation_id, sent_at) = (len(self.conversation_id), len(self.sent_at));
        let metadata = self.metadata.map_or(0, |m| m.as_str().len());
        if (body | customer_id | conversation_id | sent_at | metadata) > PLAIN_LEN_MAX {
            return None;
        }
        let bound = (body + customer_id + conversation_id + sent_at) * 6 + FIXED + metadata;
        if self.mentioned_user_ids.is_none() && self.file_ids.is_none() {
            return Some(bound);
        }
        self.lists_bound()
            .and_then(|lists| bound.checked_add(lists))
    }
}

impl ShoutPush<'_> {
    /// The string members: `body`, then `customer_id`, `conversation_id` and `sent_at` when
    /// they are `Some`.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    #[cfg_attr(target_os = "none", allow(dead_code))]
    fn write_strings<S: Sink + ?Sized>(
        &self,
        obj: &mut JsonObjectWriter<'_, S>,
    ) -> Result<(), EncodeError> {
        obj.static_member(static_key!("body"), &self.body)?;
        obj.static_optional_member(static_key!("customer_id"), self.customer_id.as_ref())?;
        obj.static_optional_member(
            static_key!("conversation_id"),
            self.conversation_id.as_ref(),
        )?;
        obj.static_optional_member(static_key!("sent_at"), self.sent_at.as_ref())
    }

    /// [`write_strings`](Self::write_strings) on firmware: the four members through one
    /// call site in a loop, not four inlined calls each with its error path
    /// (`.ci/embedded-size`); the same bytes and errors.
    #[cfg(any(test, target_os = "none"))]
    pub(super) fn write_strings_small<S: Sink + ?Sized>(
        &self,
        obj: &mut JsonObjectWriter<'_, S>,
    ) -> Result<(), EncodeError> {
        // The keys by reference (a pointer each, not their two slices copied in).
        let members: [(&StaticKey, _); 4] = [
            (&static_key!("body"), Some(&self.body)),
            (&static_key!("customer_id"), self.customer_id.as_ref()),
            (
                &static_key!("conversation_id"),
                self.conversation_id.as_ref(),
            ),
            (&static_key!("sent_at"), self.sent_at.as_ref()),
        ];
        for (key, value) in members {
            obj.static_optional_member(*key, value)?;
        }
        Ok(())
    }

    /// The members after the strings, and the closing brace.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub(super) fn write_rest<S: Sink + ?Sized>(
        &self,
        mut obj: JsonObjectWriter<'_, S>,
    ) -> Result<(), EncodeError> {
        // Lists and raw JSON out of line, through a cursor of their own (`write_detached`).
        obj.static_optional_member_detached(
            static_key!("mentioned_user_ids"),
            self.mentioned_user_ids.map(JsonArray).as_ref(),
        )?;
        obj.static_optional_member_detached(
            static_key!("file_ids"),
            self.file_ids.map(JsonArray).as_ref(),
        )?;
        obj.static_optional_member(static_key!("private"), self.private.as_ref())?;
        obj.static_optional_member(static_key!("metadata"), self.metadata.as_ref())?;
        obj.finish()
    }

    /// The bound of the lists, when there are any.
    #[inline(never)]
    fn lists_bound(&self) -> Option<usize> {
        let ids = self
            .mentioned_user_ids
            .map_or(Some(0), |ids| JsonArray(ids).max_json_len())?;
        let files = self
            .file_ids
            .map_or(Some(0), |ids| JsonArray(ids).max_json_len())?;
        ids.checked_add(files)
    }
}

/// A reply: `{"response": .., "status": ..}`, keys in Jason's (alphabetical) order, as Phoenix
/// writes it.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::{message::ReplyStatus, outgoing::{Reason, ReplyPayload}};
/// let mut buf = [0u8; 96];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// ReplyPayload { status: ReplyStatus::Error, response: Reason { reason: "unauthorized".into() } }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"response":{"reason":"unauthorized"},"status":"error"}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyPayload<'s, R> {
    /// `ok`, `error` or another status.
    pub status: ReplyStatus<'s>,
    /// The response (often [`EmptyObject`] or [`Reason`]).
    pub response: R,
}

impl<R: WriteJson> WriteJson for ReplyPayload<'_, R> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_member(static_key!("response"), &self.response)?;
        obj.static_member(static_key!("status"), &self.status.as_json_str())?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        sum_bounds(&[
            member_bound(static_key!("response"), Some(&self.response)),
            member_bound(static_key!("status"), Some(&self.status.as_json_str())),
            Some(2),
        ])
    }
}

/// `{"reason": ..}`: a `phx_error` payload, or an error reply's response.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::Reason;
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// Reason { reason: "channel_crash".into() }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"reason":"channel_crash"}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason<'s> {
    /// `"unauthorized"`, `"unmatched topic"`, `"channel_crash"`...
    pub reason: JsonStr<'s>,
}

impl WriteJson for Reason<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_member(static_key!("reason"), &self.reason)?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        sum_bounds(&[
            member_bound(static_key!("reason"), Some(&self.reason)),
            Some(2),
        ])
    }
}

/// The `read` push: `{"conversation_id": ..}`.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::ReadPayload;
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// ReadPayload { conversation_id: "5c9b".into() }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"conversation_id":"5c9b"}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadPayload<'s> {
    /// The conversation read.
    pub conversation_id: JsonStr<'s>,
}

impl WriteJson for ReadPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_member(static_key!("conversation_id"), &self.conversation_id)?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        sum_bounds(&[
            member_bound(static_key!("conversation_id"), Some(&self.conversation_id)),
            Some(2),
        ])
    }
}

/// `{"id": ..}`: the `conversation:created` payload.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::IdPayload;
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// IdPayload { id: "5c9b".into() }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"id":"5c9b"}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdPayload<'s> {
    /// The id.
    pub id: JsonStr<'s>,
}

impl WriteJson for IdPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_member(static_key!("id"), &self.id)?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        sum_bounds(&[member_bound(static_key!("id"), Some(&self.id)), Some(2)])
    }
}
