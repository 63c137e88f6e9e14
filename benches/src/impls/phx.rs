//! phx-codec: borrowed frames.
//!
//! `decode` is `decode_text` (or `binary::decode_from_client`); `typed` adds reading every
//! field of the case's message; `encode` writes a decoded frame (JSON payload copied as
//! received, strings escaped as `JSON.stringify` does) into caller memory
//! (`encode_v2_into` / `encode_binary_into` a reused buffer: no allocation).

use phx_codec::message::{FileId, Response, Shout};
use phx_codec::presence::PresenceKey;
use phx_codec::{Direction, Frame, JsonStr, Message, Payload, binary, decode_text};

use crate::cases::{Case, Kind};
use crate::{FAILED, Op, Runner, Sum, Unsupported};

/// The unescaped length of a string: free without escapes, one pass over it otherwise.
pub(crate) fn js(s: JsonStr<'_>) -> usize {
    s.as_str().map_or_else(|| s.unescaped_len(), str::len)
}

pub(crate) fn decode(case: &Case) -> Result<Frame<'_>, phx_codec::DecodeError> {
    if case.is_binary() {
        binary::decode_from_client(&case.bytes)
    } else {
        decode_text(&case.bytes)
    }
}

pub(crate) fn prepare(case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    Ok(match op {
        Op::Decode => Box::new(move || match decode(case) {
            Ok(frame) => envelope(&frame),
            Err(_) => FAILED,
        }),
        Op::Typed => Box::new(move || match decode(case) {
            Ok(frame) => typed(&frame, case.kind),
            Err(_) => FAILED,
        }),
        Op::Encode => {
            let frame = decode(case)
                .map_err(|e| Unsupported(format!("phx cannot decode {}: {e}", case.name)))?;
            let mut out = vec![0u8; case.bytes.len() + 64];
            let binary = case.is_binary();
            Box::new(move || {
                let written = if binary {
                    frame.encode_binary_into(Direction::FromClient, &mut out)
                } else {
                    frame.encode_v2_into(&mut out)
                };
                written.map_or(FAILED, crate::len64)
            })
        }
    })
}

pub(crate) fn envelope(frame: &Frame<'_>) -> u64 {
    let mut sum = Sum::default();
    sum.text(Some(js(frame.topic())));
    sum.text(Some(js(frame.event())));
    sum.0
}

fn text(v: Option<JsonStr<'_>>) -> Option<usize> {
    v.map(js)
}

/// The length of a presence key as received (`user:<id>`, `customer:<id>`, other).
fn key_len(key: PresenceKey<'_>) -> usize {
    match key {
        PresenceKey::User(id) => {
            "user:".len()
                + id.unsigned_abs()
                    .checked_ilog10()
                    .map_or(1, |d| d as usize + 1)
        }
        PresenceKey::Customer(id) => "customer:".len() + js(id),
        PresenceKey::Other(key) => js(key),
    }
}

fn read_shout(shout: &Shout<'_>, sum: &mut Sum) {
    for s in [
        shout.id(),
        shout.object(),
        shout.body(),
        shout.message_type(),
        shout.content_type(),
        shout.source(),
        shout.created_at(),
        shout.sent_at(),
        shout.seen_at(),
        shout.conversation_id(),
        shout.account_id(),
        shout.customer_id(),
    ] {
        sum.text(text(s));
    }
    sum.flag(shout.private());
    sum.int(shout.user_id());
    if let Some(user) = shout.user() {
        sum.int(user.id());
        for s in [
            user.object(),
            user.email(),
            user.created_at(),
            user.disabled_at(),
            user.archived_at(),
            user.full_name(),
            user.display_name(),
            user.profile_photo_url(),
            user.role(),
        ] {
            sum.text(text(s));
        }
    }
    if let Some(customer) = shout.customer() {
        for s in [
            customer.id(),
            customer.object(),
            customer.name(),
            customer.email(),
            customer.phone(),
            customer.external_id(),
            customer.profile_photo_url(),
            customer.company_id(),
            customer.host(),
            customer.pathname(),
            customer.current_url(),
            customer.browser(),
            customer.os(),
            customer.created_at(),
            customer.updated_at(),
            customer.title(),
        ] {
            sum.text(text(s));
        }
        sum.count(
            customer
                .metadata()
                .and_then(|m| m.members())
                .map(Iterator::count),
        );
    }
    for a in shout.attachments() {
        sum.int(match a.id() {
            Some(FileId::Int(id)) => Some(id),
            _ => None,
        });
        for s in [a.object(), a.file_url(), a.content_type(), a.filename()] {
            sum.text(text(s));
        }
    }
    sum.count(
        shout
            .metadata()
            .and_then(|m| m.members())
            .map(Iterator::count),
    );
    for id in shout.file_ids() {
        sum.text(match id {
            FileId::Str(s) => Some(js(s)),
            FileId::Int(_) => None,
        });
    }
    for id in shout.mentioned_user_ids() {
        sum.int(Some(id));
    }
    std::hint::black_box((
        shout.is_from_customer(),
        shout.is_from_agent(),
        shout.is_bot(),
    ));
}

/// Decode + `frame.message()` + every accessor of the typed message.
pub(crate) fn typed(frame: &Frame<'_>, kind: Kind) -> u64 {
    let mut sum = Sum::default();
    sum.text(frame.join_ref().map(js));
    sum.text(frame.reference().map(js));
    sum.text(Some(js(frame.topic())));
    sum.text(Some(js(frame.event())));
    if kind == Kind::BinaryPush {
        return match frame.payload() {
            Payload::Binary(bytes) => {
                sum.count(Some(bytes.len()));
                sum.0
            }
            _ => FAILED,
        };
    }
    match (kind, frame.message()) {
        (Kind::ClientShout | Kind::ServerShout, Ok(Message::Shout(shout))) => {
            read_shout(&shout, &mut sum);
        }
        (Kind::Join, Ok(Message::Join(join))) => sum.text(text(join.customer_id())),
        (Kind::Reply, Ok(Message::Reply(reply))) => {
            sum.text(reply.status().map(|s| js(s.as_json_str())));
            if let Response::Json(response) = reply.response() {
                sum.count(response.members().map(Iterator::count));
            }
            std::hint::black_box(reply.reason());
        }
        (Kind::Heartbeat, Ok(Message::Heartbeat)) => {
            sum.count(
                frame
                    .payload_json()
                    .and_then(|p| p.members())
                    .map(Iterator::count),
            );
        }
        (Kind::PresenceState, Ok(Message::PresenceState(state))) => {
            for (key, metas) in state.entries() {
                sum.text(Some(key_len(key)));
                std::hint::black_box((key.user_id(), key.customer_id()));
                for meta in metas {
                    for s in [meta.online_at(), meta.phx_ref(), meta.phx_ref_prev()] {
                        sum.text(text(s));
                    }
                    sum.int(meta.user_id());
                    std::hint::black_box((meta.customer_id(), meta.online_at_secs()));
                }
            }
        }
        _ => return FAILED,
    }
    sum.0
}
