//! phx-codec: borrowed frames.
//!
//! - `decode`: `decode_text` (binary: `binary::decode_from_client`), topic and event read.
//! - `typed`: decode + `frame.message()` (for shouts, joins and replies both at once, in one
//!   pass: `TypedFrame::decode_text`, `decode_text_message` written in place) + every
//!   accessor of the typed message ([`crate::fields`]); strings with escapes are unescaped
//!   into a reused buffer (`JsonStr::unescape_into`), the others read in place (`as_str`).
//!   `presence_state`: decoded and read in one walk (`presence::PresenceStream`).
//! - `encode`: an `outgoing::OutgoingFrame` built beforehand from the case's typed field
//!   values (`JsonStr::literal` of unescaped text, so every string is escaped on write),
//!   written with `encode_v2` into a reused slice (`SliceSink`). The server's message has no
//!   builder in `outgoing`: [`ServerMessage`] writes it with the core's `JsonObjectWriter`.
//!   Binary: `Frame::new(.., Payload::Binary)` + `encode_binary_into`.
//! - `forward`: `encode_v2_into` (binary: `encode_binary_into`) of a frame decoded beforehand.

use phx_codec::Event;
use phx_codec::encode::{JsonObjectWriter, Sink, SliceSink, WriteJson};
use phx_codec::message::{FileId, Reply, ReplyStatus, Response, Shout};
use phx_codec::outgoing::{
    EmptyObject, JoinParams, JsonArray, MetaPayload, OutgoingFrame, PresenceStatePayload,
    ReplyPayload, ShoutPush,
};
use phx_codec::presence::{PresenceItem, PresenceItems, PresenceKey, PresenceStream};
use phx_codec::{
    Direction, EncodeError, Frame, JsonStr, Message, Payload, RawJson, TypedFrame, binary,
    decode_text,
};
use serde_json::Value;

use crate::cases::{Case, Kind};
use crate::typed::s;
use crate::{FAILED, Op, Runner, Sum, Unsupported, Writer};

pub(crate) fn decode(case: &Case) -> Result<Frame<'_>, phx_codec::DecodeError> {
    if case.is_binary() {
        binary::decode_from_client(&case.bytes)
    } else {
        decode_text(&case.bytes)
    }
}

#[allow(clippy::unnecessary_wraps)] // one signature for every implementation
pub(crate) fn prepare(case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    let mut scratch = vec![0u8; case.bytes.len()];
    Ok(match op {
        Op::Decode => Box::new(move || match decode(case) {
            Ok(frame) => envelope(&frame, &mut scratch),
            Err(_) => FAILED,
        }),
        // The events read in one pass: decode and typed fill together, into a `TypedFrame`
        // the closure keeps (written in place, not returned by value).
        _ if one_pass(case.kind) => {
            let mut typed = TypedFrame::new();
            Box::new(move || match typed.decode_text(&case.bytes) {
                Ok(()) => typed_one_pass(typed.frame(), typed.message(), case.kind, &mut scratch),
                Err(_) => FAILED,
            })
        }
        // `presence_state`: decoded and read in one walk over the bytes.
        Op::Typed if case.kind == Kind::PresenceState => {
            Box::new(move || typed_presence_stream(&case.bytes, &mut scratch))
        }
        _ => Box::new(move || match decode(case) {
            Ok(frame) => typed(&frame, case.kind, &mut scratch),
            Err(_) => FAILED,
        }),
    })
}

/// Whether the case's event is read by `TypedFrame::decode_text` in one pass (its payload is one
/// object view, or a reply); the others are decoded, then read by `frame.message()`.
fn one_pass(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::ClientShout | Kind::ServerShout | Kind::Join | Kind::Reply
    )
}

/// [`typed`] for the cases [`one_pass`] takes: the same fields read from the message that
/// `TypedFrame::decode_text` read with the frame.
fn typed_one_pass(frame: &Frame<'_>, message: &Message<'_>, kind: Kind, scratch: &mut [u8]) -> u64 {
    let mut r = Reader::new(scratch);
    r.text(frame.join_ref());
    r.text(frame.reference());
    r.text(Some(frame.topic()));
    r.text(Some(frame.event()));
    match (kind, message) {
        (Kind::ClientShout | Kind::ServerShout, Message::Shout(shout)) => read_shout(shout, &mut r),
        (Kind::Join, Message::Join(join)) => r.text(join.customer_id()),
        (Kind::Reply, Message::Reply(reply)) => read_reply(reply, &mut r),
        _ => return FAILED,
    }
    r.sum.0
}

/// Folds strings into a [`Sum`], unescaping into a reused buffer when needed.
pub(crate) struct Reader<'b> {
    pub(crate) sum: Sum,
    scratch: &'b mut [u8],
}

impl<'b> Reader<'b> {
    pub(crate) fn new(scratch: &'b mut [u8]) -> Self {
        Self {
            sum: Sum::default(),
            scratch,
        }
    }

    pub(crate) fn text(&mut self, s: Option<JsonStr<'_>>) {
        let Some(s) = s else { return };
        if let Some(text) = s.as_str() {
            self.sum.str(Some(text));
        } else {
            let bytes = s.unescape_into(self.scratch).ok().map(str::as_bytes);
            self.sum.text(bytes);
        }
    }
}

pub(crate) fn envelope(frame: &Frame<'_>, scratch: &mut [u8]) -> u64 {
    let mut r = Reader::new(scratch);
    r.text(Some(frame.topic()));
    r.text(Some(frame.event()));
    r.sum.0
}

fn count(raw: Option<RawJson<'_>>) -> Option<usize> {
    raw.and_then(|m| m.members()).map(Iterator::count)
}

fn read_shout(shout: &Shout<'_>, r: &mut Reader<'_>) {
    r.text(shout.id());
    r.text(shout.object());
    r.text(shout.body());
    r.text(shout.message_type());
    r.text(shout.content_type());
    r.text(shout.source());
    r.text(shout.created_at());
    r.text(shout.sent_at());
    r.text(shout.seen_at());
    r.text(shout.conversation_id());
    r.text(shout.account_id());
    r.text(shout.customer_id());
    r.sum.flag(shout.private());
    r.sum.int(shout.user_id());
    if let Some(user) = shout.user() {
        r.sum.int(user.id());
        r.text(user.object());
        r.text(user.email());
        r.text(user.created_at());
        r.text(user.disabled_at());
        r.text(user.archived_at());
        r.text(user.full_name());
        r.text(user.display_name());
        r.text(user.profile_photo_url());
        r.text(user.role());
    }
    if let Some(customer) = shout.customer() {
        r.text(customer.id());
        r.text(customer.object());
        r.text(customer.name());
        r.text(customer.email());
        r.text(customer.phone());
        r.text(customer.external_id());
        r.text(customer.profile_photo_url());
        r.text(customer.company_id());
        r.text(customer.host());
        r.text(customer.pathname());
        r.text(customer.current_url());
        r.text(customer.browser());
        r.text(customer.os());
        r.text(customer.created_at());
        r.text(customer.updated_at());
        r.text(customer.title());
        r.sum.count(count(customer.metadata()));
    }
    for a in shout.attachments() {
        file_id(a.id(), r);
        for s in [a.object(), a.file_url(), a.content_type(), a.filename()] {
            r.text(s);
        }
    }
    r.sum.count(count(shout.metadata()));
    for id in shout.file_ids() {
        file_id(Some(id), r);
    }
    for id in shout.mentioned_user_ids() {
        r.sum.int(Some(id));
    }
}

fn read_reply(reply: &Reply<'_>, r: &mut Reader<'_>) {
    r.text(reply.status().map(|s| s.as_json_str()));
    if let Response::Json(response) = reply.response() {
        r.sum.count(response.members().map(Iterator::count));
    }
    r.text(reply.reason());
}

fn file_id(id: Option<FileId<'_>>, r: &mut Reader<'_>) {
    match id {
        Some(FileId::Int(id)) => r.sum.int(Some(id)),
        Some(FileId::Str(s)) => r.text(Some(s)),
        None => {}
    }
}

/// Decode + `frame.message()` + every field of the typed message ([`crate::fields`]).
pub(crate) fn typed(frame: &Frame<'_>, kind: Kind, scratch: &mut [u8]) -> u64 {
    let mut r = Reader::new(scratch);
    r.text(frame.join_ref());
    r.text(frame.reference());
    r.text(Some(frame.topic()));
    r.text(Some(frame.event()));
    if kind == Kind::BinaryPush {
        return match frame.payload() {
            Payload::Binary(bytes) => {
                r.sum.text(Some(bytes));
                r.sum.0
            }
            _ => FAILED,
        };
    }
    if kind == Kind::PresenceState {
        return read_presence_state(frame, r);
    }
    match (kind, frame.message()) {
        (Kind::ClientShout | Kind::ServerShout, Ok(Message::Shout(shout))) => {
            read_shout(&shout, &mut r);
        }
        (Kind::Join, Ok(Message::Join(join))) => r.text(join.customer_id()),
        (Kind::Reply, Ok(Message::Reply(reply))) => read_reply(&reply, &mut r),
        (Kind::Heartbeat, Ok(Message::Heartbeat)) => {
            r.sum.count(count(frame.payload_json()));
        }
        _ => return FAILED,
    }
    r.sum.0
}

/// The `presence_state` part of [`typed`]: every key and meta, read in one walk
/// (`PresenceItems`, the same checks as `frame.message()`).
fn read_presence_state(frame: &Frame<'_>, mut r: Reader<'_>) -> u64 {
    if frame.event_kind() != Event::PresenceState {
        return FAILED;
    }
    let mut items = PresenceItems::state(frame);
    while let Some(item) = items.next() {
        if !read_presence_item(item.ok(), items.key_text(), &mut r) {
            return FAILED;
        }
    }
    r.sum.0
}

/// The `presence_state` case of `typed` for `phx`, in one walk over the bytes
/// (`PresenceStream`): the envelope, then every key and meta as the payload is validated (the
/// same checks as `decode_text` + `frame.message()`), then the frame's end; the same fields
/// as [`read_presence_state`].
fn typed_presence_stream(bytes: &[u8], scratch: &mut [u8]) -> u64 {
    let Ok(mut items) = PresenceStream::decode_state(bytes) else {
        return FAILED;
    };
    let mut r = Reader::new(scratch);
    r.text(items.join_ref());
    r.text(items.reference());
    r.text(Some(items.topic()));
    r.text(Some(items.event()));
    if items.event_kind() != Event::PresenceState {
        return FAILED;
    }
    while let Some(item) = items.next() {
        if !read_presence_item(item.ok(), items.key_text(), &mut r) {
            return FAILED;
        }
    }
    r.sum.0
}

/// One item of a `presence_state` (from `PresenceItems` or `PresenceStream`) into the
/// checksum; `false` for an error (`None`) or a section. `key_text` is the last key as received.
#[inline(always)] // the loop body of both readers
#[allow(clippy::inline_always)]
fn read_presence_item(
    item: Option<PresenceItem<'_>>,
    key_text: JsonStr<'_>,
    r: &mut Reader<'_>,
) -> bool {
    match item {
        // The key as received (what `PresenceKey`'s `Display` writes, unformatted).
        Some(PresenceItem::Key(_)) => r.text(Some(key_text)),
        Some(PresenceItem::Meta(meta)) => {
            for s in [
                meta.phx_ref(),
                meta.phx_ref_prev(),
                meta.online_at(),
                meta.customer_id(),
            ] {
                r.text(s);
            }
            r.sum.int(meta.user_id());
        }
        Some(PresenceItem::Section(_)) | None => return false,
    }
    true
}

/// The server's formatted message, built from typed values (no `outgoing` builder exists
/// for it): members in Papercups' order, nulls written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServerMessage<'s> {
    pub(crate) id: JsonStr<'s>,
    pub(crate) object: JsonStr<'s>,
    pub(crate) body: JsonStr<'s>,
    pub(crate) kind: JsonStr<'s>,
    pub(crate) content_type: JsonStr<'s>,
    pub(crate) private: bool,
    pub(crate) source: JsonStr<'s>,
    pub(crate) created_at: JsonStr<'s>,
    pub(crate) sent_at: JsonStr<'s>,
    pub(crate) seen_at: Option<JsonStr<'s>>,
    pub(crate) conversation_id: JsonStr<'s>,
    pub(crate) account_id: JsonStr<'s>,
    pub(crate) user_id: i64,
    pub(crate) user: UserMessage<'s>,
    pub(crate) customer_id: Option<JsonStr<'s>>,
}

/// The agent embedded in [`ServerMessage`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct UserMessage<'s> {
    pub(crate) id: i64,
    pub(crate) object: JsonStr<'s>,
    pub(crate) email: JsonStr<'s>,
    pub(crate) created_at: JsonStr<'s>,
    pub(crate) disabled_at: Option<JsonStr<'s>>,
    pub(crate) archived_at: Option<JsonStr<'s>>,
    pub(crate) full_name: JsonStr<'s>,
    pub(crate) display_name: JsonStr<'s>,
    pub(crate) profile_photo_url: Option<JsonStr<'s>>,
    pub(crate) role: JsonStr<'s>,
}

impl WriteJson for ServerMessage<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("id", &self.id)?;
        obj.member("object", &self.object)?;
        obj.member("body", &self.body)?;
        obj.member("type", &self.kind)?;
        obj.member("content_type", &self.content_type)?;
        obj.member("private", &self.private)?;
        obj.member("source", &self.source)?;
        obj.member("created_at", &self.created_at)?;
        obj.member("sent_at", &self.sent_at)?;
        obj.member("seen_at", &self.seen_at)?;
        obj.member("conversation_id", &self.conversation_id)?;
        obj.member("account_id", &self.account_id)?;
        obj.member("user_id", &self.user_id)?;
        obj.member("user", &self.user)?;
        obj.member("customer_id", &self.customer_id)?;
        obj.member("attachments", &JsonArray::<EmptyObject>(&[]))?;
        obj.member("metadata", &None::<RawJson<'_>>)?;
        obj.finish()
    }

    /// Like the core's builders (`outgoing::ShoutPush`), an upper bound without a pass over
    /// the strings, so a slice with room is written in one pass instead of measured first:
    /// six bytes per string byte at most, plus every key, quote and punctuation of both
    /// objects (under 512 bytes: 214 and 140 without values, two quotes for each of 21
    /// strings), `false` and the two integers.
    fn max_json_len(&self) -> Option<usize> {
        let u = &self.user;
        let strings = [
            Some(self.id),
            Some(self.object),
            Some(self.body),
            Some(self.kind),
            Some(self.content_type),
            Some(self.source),
            Some(self.created_at),
            Some(self.sent_at),
            self.seen_at,
            Some(self.conversation_id),
            Some(self.account_id),
            self.customer_id,
            Some(u.object),
            Some(u.email),
            Some(u.created_at),
            u.disabled_at,
            u.archived_at,
            Some(u.full_name),
            Some(u.display_name),
            u.profile_photo_url,
            Some(u.role),
        ]
        .iter()
        .fold(0usize, |total, s| {
            total.saturating_add(s.map_or(0, |s| s.raw().len()))
        });
        strings.checked_mul(6)?.checked_add(512 + 5 + 20 + 20)
    }
}

impl WriteJson for UserMessage<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("id", &self.id)?;
        obj.member("object", &self.object)?;
        obj.member("email", &self.email)?;
        obj.member("created_at", &self.created_at)?;
        obj.member("disabled_at", &self.disabled_at)?;
        obj.member("archived_at", &self.archived_at)?;
        obj.member("full_name", &self.full_name)?;
        obj.member("display_name", &self.display_name)?;
        obj.member("profile_photo_url", &self.profile_photo_url)?;
        obj.member("role", &self.role)?;
        obj.finish()
    }

    /// As [`ServerMessage::max_json_len`]: keys, quotes and punctuation under 256 bytes.
    fn max_json_len(&self) -> Option<usize> {
        let strings = [
            Some(self.object),
            Some(self.email),
            Some(self.created_at),
            self.disabled_at,
            self.archived_at,
            Some(self.full_name),
            Some(self.display_name),
            self.profile_photo_url,
            Some(self.role),
        ]
        .iter()
        .fold(0usize, |total, s| {
            total.saturating_add(s.map_or(0, |s| s.raw().len()))
        });
        strings.checked_mul(6)?.checked_add(256 + 20)
    }
}

/// A string field of `v` as literal (unescaped) text.
fn field<'a>(v: &'a Value, key: &str) -> Option<JsonStr<'a>> {
    s(v, key).map(JsonStr::literal)
}

/// Encodes an outgoing frame into `out` (a reused slice); returns the bytes written.
pub(crate) trait Encode {
    fn encode_into(&self, out: &mut [u8]) -> Result<usize, EncodeError>;
    fn encode_vec(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError>;
}

impl<P: WriteJson> Encode for OutgoingFrame<'_, P> {
    fn encode_into(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode_v2(&mut SliceSink::new(out))
    }
    fn encode_vec(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        out.clear();
        self.encode_v2(out)
    }
}

/// The case's frame as an `OutgoingFrame`, built from its typed field values.
pub(crate) fn outgoing<'c>(case: &'c Case) -> Result<Box<dyn Encode + 'c>, Unsupported> {
    let bad = || super::setup_failed("phx", case, &"a field is missing");
    let v = &case.fields;
    let p = v.get(4).ok_or_else(bad)?;
    let join_ref = v.get(0).and_then(Value::as_str);
    let reference = v.get(1).and_then(Value::as_str);
    let topic = v.get(2).and_then(Value::as_str).ok_or_else(bad)?;
    let event = v.get(3).and_then(Value::as_str).ok_or_else(bad)?;
    macro_rules! frame {
        ($payload:expr) => {
            Box::new(OutgoingFrame {
                join_ref,
                reference,
                topic,
                event,
                payload: $payload,
            })
        };
    }
    Ok(match case.kind {
        Kind::ClientShout => frame!(ShoutPush {
            customer_id: field(p, "customer_id"),
            conversation_id: field(p, "conversation_id"),
            sent_at: field(p, "sent_at"),
            ..ShoutPush::new(field(p, "body").ok_or_else(bad)?)
        }),
        Kind::ServerShout => {
            let u = p.get("user").ok_or_else(bad)?;
            let text = |v: &'c Value, key: &str| field(v, key).ok_or_else(bad);
            frame!(ServerMessage {
                id: text(p, "id")?,
                object: text(p, "object")?,
                body: text(p, "body")?,
                kind: text(p, "type")?,
                content_type: text(p, "content_type")?,
                private: p.get("private").and_then(Value::as_bool).ok_or_else(bad)?,
                source: text(p, "source")?,
                created_at: text(p, "created_at")?,
                sent_at: text(p, "sent_at")?,
                seen_at: field(p, "seen_at"),
                conversation_id: text(p, "conversation_id")?,
                account_id: text(p, "account_id")?,
                user_id: p.get("user_id").and_then(Value::as_i64).ok_or_else(bad)?,
                user: UserMessage {
                    id: u.get("id").and_then(Value::as_i64).ok_or_else(bad)?,
                    object: text(u, "object")?,
                    email: text(u, "email")?,
                    created_at: text(u, "created_at")?,
                    disabled_at: field(u, "disabled_at"),
                    archived_at: field(u, "archived_at"),
                    full_name: text(u, "full_name")?,
                    display_name: text(u, "display_name")?,
                    profile_photo_url: field(u, "profile_photo_url"),
                    role: text(u, "role")?,
                },
                customer_id: field(p, "customer_id"),
            })
        }
        Kind::Join => frame!(JoinParams {
            customer_id: field(p, "customer_id"),
        }),
        Kind::Reply => frame!(ReplyPayload {
            status: ReplyStatus::parse(field(p, "status").ok_or_else(bad)?),
            response: EmptyObject,
        }),
        Kind::Heartbeat => frame!(EmptyObject),
        Kind::PresenceState => {
            let object = p.as_object().ok_or_else(bad)?;
            let mut metas: Vec<Vec<MetaPayload<'_>>> = Vec::new();
            let mut keys = Vec::new();
            for (key, entry) in object {
                let list = entry
                    .get("metas")
                    .and_then(Value::as_array)
                    .ok_or_else(bad)?;
                let list = list
                    .iter()
                    .map(|m| {
                        Some(MetaPayload {
                            phx_ref: field(m, "phx_ref")?,
                            phx_ref_prev: field(m, "phx_ref_prev"),
                            online_at: field(m, "online_at"),
                            user_id: m.get("user_id").and_then(Value::as_i64),
                            customer_id: field(m, "customer_id"),
                        })
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(bad)?;
                keys.push(PresenceKey::parse(JsonStr::literal(key)));
                metas.push(list);
            }
            // The payload borrows slices of slices: the setup's vectors live as long as the
            // case (leaked once per prepared run; benchmarks prepare a handful).
            let metas: &'_ [Vec<MetaPayload<'_>>] = Vec::leak(metas);
            let entries: Vec<(PresenceKey<'_>, &[MetaPayload<'_>])> = keys
                .into_iter()
                .zip(metas.iter().map(Vec::as_slice))
                .collect();
            frame!(PresenceStatePayload {
                entries: Vec::leak(entries),
            })
        }
        Kind::BinaryPush => return Err(bad()),
    })
}

pub(crate) fn writer(case: &Case, op: Op) -> Result<Writer<'_>, Unsupported> {
    let failed = |e: &dyn std::fmt::Display| super::setup_failed("phx", case, e);
    let room = case.bytes.len() * 6 + 4096;
    match (op, case.is_binary()) {
        (Op::Forward, binary) => {
            let frame = decode(case).map_err(|e| failed(&e))?;
            Ok(Box::new(move |out: &mut Vec<u8>| {
                if out.len() < room {
                    out.resize(room, 0);
                }
                let written = if binary {
                    frame.encode_binary_into(Direction::FromClient, out)
                } else {
                    frame.encode_v2_into(out)
                };
                written.ok()
            }))
        }
        (_, true) => {
            // The binary push built from its typed values: refs, topic, event, payload bytes.
            let frame = decode(case).map_err(|e| failed(&e))?;
            let (join_ref, reference, topic, event) = (
                frame.join_ref().and_then(|s| s.as_str()),
                frame.reference().and_then(|s| s.as_str()),
                frame
                    .topic()
                    .as_str()
                    .ok_or_else(|| failed(&"escaped topic"))?,
                frame
                    .event()
                    .as_str()
                    .ok_or_else(|| failed(&"escaped event"))?,
            );
            let Payload::Binary(bytes) = frame.payload() else {
                return Err(failed(&"not a binary push"));
            };
            let built = Frame::new(
                join_ref.map(JsonStr::literal),
                reference.map(JsonStr::literal),
                JsonStr::literal(topic),
                JsonStr::literal(event),
                Payload::Binary(bytes),
            );
            Ok(Box::new(move |out: &mut Vec<u8>| {
                if out.len() < room {
                    out.resize(room, 0);
                }
                built.encode_binary_into(Direction::FromClient, out).ok()
            }))
        }
        (_, false) => {
            let frame = outgoing(case)?;
            Ok(Box::new(move |out: &mut Vec<u8>| {
                if out.len() < room {
                    out.resize(room, 0);
                }
                frame.encode_into(out).ok()
            }))
        }
    }
}
