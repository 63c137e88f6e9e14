//! `simd_json` borrowed values.
//!
//! simd-json parses in place (it unescapes strings into the input buffer), so a caller that
//! keeps the received message must parse a copy: each decode copies the input into a reused
//! buffer (no allocation after the first run) and parses it with reused
//! [`simd_json::Buffers`], the fastest way the crate offers. Encoding writes an
//! `OwnedValue` built beforehand (`Writable::encode`, a fresh `String`, like
//! `serde_json::to_vec`).

use simd_json::prelude::*;
use simd_json::{BorrowedValue, Buffers, OwnedValue};

use crate::cases::{Case, Kind};
use crate::{
    ATTACHMENT_TEXT, CLIENT_SHOUT_TEXT, FAILED, META_TEXT, Op, Runner, SERVER_SHOUT_TEXT, Sum,
    USER_TEXT, Unsupported,
};

pub(crate) fn prepare(case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    if case.is_binary() {
        return Err(super::json_only("simd_json", case));
    }
    let bytes = &case.bytes[..];
    let kind = case.kind;
    let mut copy = Vec::with_capacity(bytes.len());
    let mut buffers = Buffers::new(bytes.len());
    Ok(match op {
        Op::Decode => Box::new(move || {
            copy.clear();
            copy.extend_from_slice(bytes);
            match simd_json::to_borrowed_value_with_buffers(&mut copy, &mut buffers) {
                Ok(v) => envelope(&v),
                Err(_) => FAILED,
            }
        }),
        Op::Typed => Box::new(move || {
            copy.clear();
            copy.extend_from_slice(bytes);
            match simd_json::to_borrowed_value_with_buffers(&mut copy, &mut buffers) {
                Ok(v) => typed(&v, kind),
                Err(_) => FAILED,
            }
        }),
        Op::Encode => {
            copy.extend_from_slice(bytes);
            let value: OwnedValue = simd_json::to_owned_value(&mut copy)
                .map_err(|e| Unsupported(format!("simd_json cannot read {}: {e}", case.name)))?;
            Box::new(move || crate::len64(value.encode().len()))
        }
    })
}

fn text(v: Option<&BorrowedValue<'_>>) -> Option<usize> {
    v.and_then(|v| v.as_str()).map(str::len)
}

fn envelope(v: &BorrowedValue<'_>) -> u64 {
    let mut sum = Sum::default();
    sum.text(text(v.get_idx(2)));
    sum.text(text(v.get_idx(3)));
    sum.0
}

fn read_texts(sum: &mut Sum, object: &BorrowedValue<'_>, keys: &[&str]) {
    for key in keys {
        sum.text(text(object.get(*key)));
    }
}

fn int(v: Option<&BorrowedValue<'_>>) -> Option<i64> {
    v.and_then(ValueAsScalar::as_i64)
}

fn typed(v: &BorrowedValue<'_>, kind: Kind) -> u64 {
    let mut sum = Sum::default();
    for i in 0..4 {
        sum.text(text(v.get_idx(i)));
    }
    let Some(p) = v.get_idx(4) else {
        return FAILED;
    };
    match kind {
        Kind::ClientShout => read_texts(&mut sum, p, &CLIENT_SHOUT_TEXT),
        Kind::ServerShout => {
            read_texts(&mut sum, p, &SERVER_SHOUT_TEXT);
            sum.flag(p.get("private").and_then(ValueAsScalar::as_bool));
            sum.int(int(p.get("user_id")));
            if let Some(user) = p.get("user").filter(|u| TypedObjectValue::is_object(*u)) {
                sum.int(int(user.get("id")));
                read_texts(&mut sum, user, &USER_TEXT);
            }
            if let Some(items) = p.get("attachments").and_then(|v| v.as_array()) {
                for a in items {
                    sum.int(int(a.get("id")));
                    read_texts(&mut sum, a, &ATTACHMENT_TEXT);
                }
            }
            sum.count(
                p.get("metadata")
                    .and_then(|v| v.as_object())
                    .map(object_len),
            );
        }
        Kind::Join => sum.text(text(p.get("customer_id"))),
        Kind::Reply => {
            sum.text(text(p.get("status")));
            sum.count(
                p.get("response")
                    .and_then(|v| v.as_object())
                    .map(object_len),
            );
        }
        Kind::Heartbeat => sum.count(p.as_object().map(object_len)),
        Kind::PresenceState => {
            let Some(entries) = p.as_object() else {
                return FAILED;
            };
            for (key, entry) in entries {
                sum.text(Some(key.len()));
                let metas = entry.get("metas").and_then(|v| v.as_array());
                for meta in metas.into_iter().flatten() {
                    read_texts(&mut sum, meta, &META_TEXT);
                    sum.int(int(meta.get("user_id")));
                }
            }
        }
        Kind::BinaryPush => return FAILED,
    }
    sum.0
}

/// The member count of an object (its map type lives in a crate we do not name).
fn object_len(object: &simd_json::borrowed::Object<'_>) -> usize {
    object.len()
}
