//! The presence payloads: `presence_state` and `presence_diff`, and their keys and metas.

use crate::encode::{
    JsonObjectWriter, Sink, WriteJson, finite, int_text, max_str_len, static_key, sum_bounds,
    unbounded_max, write_json_str,
};
use crate::error::EncodeError;
use crate::message::presence::PresenceKey;
use crate::outgoing::payloads::{JsonArray, member_bound};
use crate::string::JsonStr;

/// A presence key, written as a JSON string (`"user:7"`, `"customer:<uuid>"`, or as is).
impl WriteJson for PresenceKey<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        match self {
            PresenceKey::User(id) => {
                // `"user:<id>"` built on the stack, written with one capacity check.
                let mut digits = [0u8; 20];
                let id = int_text(*id, &mut digits);
                let mut key = [0u8; 27];
                let (head, rest) = key.split_at_mut(6);
                head.copy_from_slice(b"\"user:");
                let end = 6 + id.len();
                if let Some(slot) = rest.get_mut(..id.len()) {
                    slot.copy_from_slice(id);
                }
                if let Some(close) = key.get_mut(end) {
                    *close = b'"';
                }
                out.put(key.get(..=end).unwrap_or_default())
            }
            PresenceKey::Customer(id) => {
                out.put(b"\"customer:")?;
                write_unquoted(out, *id)?;
                out.put(b"\"")
            }
            PresenceKey::Other(key) => write_json_str(out, *key),
        }
    }

    fn max_json_len(&self) -> Option<usize> {
        match self {
            PresenceKey::User(_) => Some(27), // `"user:` + 20 digits + `"`
            PresenceKey::Customer(id) => Some(max_str_len(id.raw().len()).saturating_add(9)),
            PresenceKey::Other(key) => key.max_json_len(),
        }
    }
}

/// Writes `s` escaped, without the surrounding quotes.
fn write_unquoted<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    if let Some(text) = s.as_str() {
        return crate::encode::write_escaped(out, text);
    }
    let mut utf8 = [0u8; 4];
    for c in s.chars() {
        crate::encode::write_escaped(out, c.encode_utf8(&mut utf8))?;
    }
    Ok(())
}

/// One presence meta, written with its keys in Jason's (alphabetical) order:
/// `customer_id`, `online_at`, `phx_ref`, `phx_ref_prev`, `user_id`; unset ones left out.
///
/// ```
/// use phx_codec::encode::WriteJson;
/// use phx_codec::outgoing::MetaPayload;
/// let mut buf = [0u8; 96];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// MetaPayload { phx_ref: "F1".into(), phx_ref_prev: None, online_at: Some("1732460000".into()), user_id: Some(7), customer_id: None }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"online_at":"1732460000","phx_ref":"F1","user_id":7}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetaPayload<'s> {
    /// The presence's ref.
    pub phx_ref: JsonStr<'s>,
    /// The ref it replaces (updates).
    pub phx_ref_prev: Option<JsonStr<'s>>,
    /// Unix seconds, as a string (`"1732460000"`).
    pub online_at: Option<JsonStr<'s>>,
    /// The agent's id.
    pub user_id: Option<i64>,
    /// The customer's id.
    pub customer_id: Option<JsonStr<'s>>,
}

impl WriteJson for MetaPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_optional_member(static_key!("customer_id"), self.customer_id.as_ref())?;
        obj.static_optional_member(static_key!("online_at"), self.online_at.as_ref())?;
        obj.static_member(static_key!("phx_ref"), &self.phx_ref)?;
        obj.static_optional_member(static_key!("phx_ref_prev"), self.phx_ref_prev.as_ref())?;
        obj.static_optional_member(static_key!("user_id"), self.user_id.as_ref())?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        // Keys with their `{` or `,` and the `}` (67 bytes), two quotes per string and the
        // integer (28): 95 bytes; then six bytes per string byte at most.
        let strings = [self.phx_ref_prev, self.online_at, self.customer_id]
            .iter()
            .fold(self.phx_ref.raw().len(), |total, s| {
                total.saturating_add(s.map_or(0, |s| s.raw().len()))
            });
        finite(strings.saturating_mul(6).saturating_add(95))
    }
}

/// A presence map `{KEY: {"metas": [..]}, ..}` over caller-provided entries.
///
/// ```
/// use phx_codec::{encode::WriteJson, outgoing::{MetaPayload, PresenceMap}, presence::PresenceKey};
/// let meta = MetaPayload { phx_ref: "F1".into(), phx_ref_prev: None, online_at: None, user_id: Some(7), customer_id: None };
/// let entries = [(PresenceKey::User(7), &[meta][..])];
/// let mut buf = [0u8; 64];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// PresenceMap(&entries).write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"user:7":{"metas":[{"phx_ref":"F1","user_id":7}]}}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceMap<'s>(pub &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])]);

impl WriteJson for PresenceMap<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        if self.0.is_empty() {
            return out.put(b"{}");
        }
        for (i, (key, metas)) in self.0.iter().enumerate() {
            key.write_json_after(if i == 0 { b"{" } else { b"," }, out)?;
            JsonArray(metas).write_json_after(b":{\"metas\":", out)?;
            out.put(b"}")?;
        }
        out.put(b"}")
    }

    fn max_json_len(&self) -> Option<usize> {
        // Each entry: the key, `:{"metas":`, the array, `}` and a comma; plus the braces.
        finite(self.0.iter().fold(2usize, |total, (key, metas)| {
            let entry = unbounded_max(key.max_json_len())
                .saturating_add(unbounded_max(JsonArray(metas).max_json_len()));
            total.saturating_add(entry).saturating_add(12)
        }))
    }
}

/// The `presence_state` payload: a [`PresenceMap`].
///
/// ```
/// use phx_codec::{encode::WriteJson, outgoing::PresenceStatePayload};
/// let mut buf = [0u8; 8];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// PresenceStatePayload { entries: &[] }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), b"{}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceStatePayload<'s> {
    /// Every key present, with its metas.
    pub entries: &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])],
}

impl WriteJson for PresenceStatePayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        PresenceMap(self.entries).write_json(out)
    }

    fn max_json_len(&self) -> Option<usize> {
        PresenceMap(self.entries).max_json_len()
    }
}

/// The `presence_diff` payload: `{"joins": {..}, "leaves": {..}}` (both always written).
///
/// ```
/// use phx_codec::{encode::WriteJson, outgoing::PresenceDiffPayload};
/// let mut buf = [0u8; 32];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// PresenceDiffPayload { joins: &[], leaves: &[] }.write_json(&mut out).unwrap();
/// assert_eq!(out.written(), br#"{"joins":{},"leaves":{}}"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresenceDiffPayload<'s> {
    /// Keys that joined or updated.
    pub joins: &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])],
    /// Keys that left or updated.
    pub leaves: &'s [(PresenceKey<'s>, &'s [MetaPayload<'s>])],
}

impl WriteJson for PresenceDiffPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::deferred(out);
        obj.static_member(static_key!("joins"), &PresenceMap(self.joins))?;
        obj.static_member(static_key!("leaves"), &PresenceMap(self.leaves))?;
        obj.finish()
    }

    fn max_json_len(&self) -> Option<usize> {
        sum_bounds(&[
            member_bound(static_key!("joins"), Some(&PresenceMap(self.joins))),
            member_bound(static_key!("leaves"), Some(&PresenceMap(self.leaves))),
            Some(2),
        ])
    }
}
