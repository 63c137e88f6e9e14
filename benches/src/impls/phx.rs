//! phx-codec: borrowed frames.
//!
//! `decode` is `decode_text` (or `binary::decode_from_client`); `typed` adds reading every
//! field of the case's message; `encode` writes a decoded frame (JSON payload copied as
//! received, strings escaped as `JSON.stringify` does) into a reused `Vec` (no allocation
//! after the first run).

use phx_codec::{Direction, Frame, JsonStr, Payload, RawJson, binary, decode_text};

use crate::cases::{Case, Kind};
use crate::{
    ATTACHMENT_TEXT, CLIENT_SHOUT_TEXT, FAILED, META_TEXT, Op, Runner, SERVER_SHOUT_TEXT, Sum,
    USER_TEXT, Unsupported,
};

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
            let mut out = Vec::with_capacity(case.bytes.len());
            let binary = case.is_binary();
            Box::new(move || {
                out.clear();
                let written = if binary {
                    frame.encode_binary(Direction::FromClient, &mut out)
                } else {
                    frame.encode_v2(&mut out)
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

fn text(v: Option<RawJson<'_>>) -> Option<usize> {
    v.and_then(|v| v.as_json_str()).map(js)
}

fn read_texts(sum: &mut Sum, object: RawJson<'_>, keys: &[&str]) {
    for key in keys {
        sum.text(text(object.get(key)));
    }
}

pub(crate) fn typed(frame: &Frame<'_>, kind: Kind) -> u64 {
    let mut sum = Sum::default();
    sum.text(frame.join_ref().map(js));
    sum.text(frame.reference().map(js));
    sum.text(Some(js(frame.topic())));
    sum.text(Some(js(frame.event())));
    let p = match frame.payload() {
        Payload::Json(p) => p,
        Payload::Binary(bytes) if kind == Kind::BinaryPush => {
            sum.count(Some(bytes.len()));
            return sum.0;
        }
        _ => return FAILED,
    };
    match kind {
        Kind::ClientShout => {
            for key in CLIENT_SHOUT_TEXT {
                sum.text(text(frame.payload_get(key)));
            }
        }
        Kind::ServerShout => {
            read_texts(&mut sum, p, &SERVER_SHOUT_TEXT);
            sum.flag(frame.payload_get("private").and_then(|v| v.as_bool()));
            sum.int(frame.payload_get("user_id").and_then(|v| v.as_i64()));
            if let Some(user) = frame.payload_get("user").filter(|u| u.members().is_some()) {
                sum.int(user.get("id").and_then(|v| v.as_i64()));
                read_texts(&mut sum, user, &USER_TEXT);
            }
            if let Some(items) = frame.payload_get("attachments").and_then(|v| v.items()) {
                sum.count(Some(items.clone().count()));
                for a in items {
                    sum.int(a.get("id").and_then(|v| v.as_i64()));
                    read_texts(&mut sum, a, &ATTACHMENT_TEXT);
                }
            }
            sum.count(
                frame
                    .payload_get("metadata")
                    .and_then(|v| v.members())
                    .map(Iterator::count),
            );
        }
        Kind::Join => sum.text(text(frame.payload_get("customer_id"))),
        Kind::Reply => {
            sum.text(text(frame.payload_get("status")));
            sum.count(
                frame
                    .payload_get("response")
                    .and_then(|v| v.members())
                    .map(Iterator::count),
            );
        }
        Kind::Heartbeat => sum.count(p.members().map(Iterator::count)),
        Kind::PresenceState => {
            let Some(entries) = p.members() else {
                return FAILED;
            };
            for (key, entry) in entries {
                sum.text(Some(js(key)));
                let metas = entry.get("metas").and_then(|v| v.items());
                for meta in metas.into_iter().flatten() {
                    read_texts(&mut sum, meta, &META_TEXT);
                    sum.int(meta.get("user_id").and_then(|v| v.as_i64()));
                }
            }
        }
        Kind::BinaryPush => return FAILED,
    }
    sum.0
}
