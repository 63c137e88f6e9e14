//! `simd_json` borrowed values.
//!
//! simd-json parses in place (it unescapes strings into the input buffer), so a caller that
//! keeps the received message must parse a copy: each decode copies the input into a reused
//! buffer (no allocation after the first run) and parses it with reused
//! [`simd_json::Buffers`], the fastest way the crate offers; fields are read with `get` by
//! the names of [`crate::fields`]. `encode`: `simd_json::serde::to_writer` of the typed
//! `EnvelopeOut` (the structs `serde_json_typed` writes) into a reused `Vec`; `forward`:
//! `Writable::write` of the `OwnedValue` decoded beforehand (simd-json keeps object keys in
//! input order) into a reused `Vec`.

use simd_json::prelude::*;
use simd_json::{BorrowedValue, Buffers, OwnedValue};

use crate::cases::{Case, Kind};
use crate::fields::{
    ATTACHMENT_ID, ATTACHMENT_TEXT, CUSTOMER_METADATA, CUSTOMER_TEXT, JOIN_TEXT, META_INT,
    META_TEXT, PRESENCE_METAS, REPLY_REASON, REPLY_RESPONSE, REPLY_STATUS, SHOUT_ATTACHMENTS,
    SHOUT_CUSTOMER, SHOUT_FILE_IDS, SHOUT_FLAG, SHOUT_INT, SHOUT_MENTIONED, SHOUT_METADATA,
    SHOUT_TEXT, SHOUT_USER, USER_INT, USER_TEXT,
};
use crate::{FAILED, Op, Runner, Sum, Unsupported, Writer};

#[allow(clippy::unnecessary_wraps)] // one signature for every implementation
pub(crate) fn prepare(case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    let bytes = &case.bytes[..];
    let kind = case.kind;
    let mut copy = Vec::with_capacity(bytes.len());
    let mut buffers = Buffers::new(bytes.len());
    Ok(Box::new(move || {
        copy.clear();
        copy.extend_from_slice(bytes);
        match simd_json::to_borrowed_value_with_buffers(&mut copy, &mut buffers) {
            Ok(v) if op == Op::Decode => {
                let mut sum = Sum::default();
                text(&mut sum, v.get_idx(2));
                text(&mut sum, v.get_idx(3));
                sum.0
            }
            Ok(v) => typed(&v, kind),
            Err(_) => FAILED,
        }
    }))
}

pub(crate) fn writer(case: &Case, op: Op) -> Result<Writer<'_>, Unsupported> {
    let failed = |e: &dyn std::fmt::Display| super::setup_failed("simd_json", case, e);
    if op == Op::Encode {
        let env = crate::typed::frame_out(case).ok_or_else(|| failed(&"no fields"))?;
        return Ok(Box::new(move |out: &mut Vec<u8>| {
            out.clear();
            simd_json::serde::to_writer(&mut *out, &env).ok()?;
            Some(out.len())
        }));
    }
    let mut copy = case.bytes.clone();
    let value: OwnedValue = simd_json::to_owned_value(&mut copy).map_err(|e| failed(&e))?;
    Ok(Box::new(move |out: &mut Vec<u8>| {
        out.clear();
        value.write(out).ok()?;
        Some(out.len())
    }))
}

fn text(sum: &mut Sum, v: Option<&BorrowedValue<'_>>) {
    sum.str(v.and_then(|v| v.as_str()));
}

fn texts(sum: &mut Sum, object: &BorrowedValue<'_>, keys: &[&str]) {
    for key in keys {
        text(sum, object.get(*key));
    }
}

fn int(v: Option<&BorrowedValue<'_>>) -> Option<i64> {
    v.and_then(ValueAsScalar::as_i64)
}

fn count(v: Option<&BorrowedValue<'_>>) -> Option<usize> {
    v.and_then(|v| v.as_object()).map(object_len)
}

fn id(sum: &mut Sum, v: Option<&BorrowedValue<'_>>) {
    let Some(v) = v else { return };
    if let Some(s) = v.as_str() {
        sum.str(Some(s));
    } else {
        sum.int(v.as_i64());
    }
}

fn typed(v: &BorrowedValue<'_>, kind: Kind) -> u64 {
    let mut sum = Sum::default();
    for i in 0..4 {
        text(&mut sum, v.get_idx(i));
    }
    let Some(p) = v.get_idx(4) else {
        return FAILED;
    };
    match kind {
        Kind::ClientShout | Kind::ServerShout => {
            texts(&mut sum, p, &SHOUT_TEXT);
            sum.flag(p.get(SHOUT_FLAG).and_then(ValueAsScalar::as_bool));
            sum.int(int(p.get(SHOUT_INT)));
            if let Some(user) = p
                .get(SHOUT_USER)
                .filter(|u| TypedObjectValue::is_object(*u))
            {
                sum.int(int(user.get(USER_INT)));
                texts(&mut sum, user, &USER_TEXT);
            }
            if let Some(c) = p
                .get(SHOUT_CUSTOMER)
                .filter(|u| TypedObjectValue::is_object(*u))
            {
                texts(&mut sum, c, &CUSTOMER_TEXT);
                sum.count(count(c.get(CUSTOMER_METADATA)));
            }
            if let Some(items) = p.get(SHOUT_ATTACHMENTS).and_then(|v| v.as_array()) {
                for a in items {
                    id(&mut sum, a.get(ATTACHMENT_ID));
                    texts(&mut sum, a, &ATTACHMENT_TEXT);
                }
            }
            sum.count(count(p.get(SHOUT_METADATA)));
            if let Some(items) = p.get(SHOUT_FILE_IDS).and_then(|v| v.as_array()) {
                for i in items {
                    id(&mut sum, Some(i));
                }
            }
            if let Some(items) = p.get(SHOUT_MENTIONED).and_then(|v| v.as_array()) {
                for n in items {
                    sum.int(n.as_i64());
                }
            }
        }
        Kind::Join => texts(&mut sum, p, &JOIN_TEXT),
        Kind::Reply => {
            text(&mut sum, p.get(REPLY_STATUS));
            if let Some(response) = p
                .get(REPLY_RESPONSE)
                .filter(|r| TypedObjectValue::is_object(*r))
            {
                sum.count(count(Some(response)));
                text(&mut sum, response.get(REPLY_REASON));
            }
        }
        Kind::Heartbeat => sum.count(count(Some(p))),
        Kind::PresenceState => {
            let Some(entries) = p.as_object() else {
                return FAILED;
            };
            for (key, entry) in entries {
                sum.str(Some(key));
                if let Some(metas) = entry.get(PRESENCE_METAS).and_then(|v| v.as_array()) {
                    for meta in metas {
                        texts(&mut sum, meta, &META_TEXT);
                        sum.int(int(meta.get(META_INT)));
                    }
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
