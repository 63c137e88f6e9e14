//! `serde_json::Value`: `from_slice`, field access with `get` by the names of
//! [`crate::fields`]; `encode` and `forward` write a `Value` (built beforehand from the case's
//! field values, or decoded) with `to_writer` into a reused `Vec`. A `Value` object keeps its
//! keys sorted, so its output differs from the others in key order only.

use serde_json::Value;

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
    Ok(Box::new(move || {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) if op == Op::Decode => {
                let mut sum = Sum::default();
                sum.str(v.get(2).and_then(Value::as_str));
                sum.str(v.get(3).and_then(Value::as_str));
                sum.0
            }
            Ok(v) => typed(&v, kind),
            Err(_) => FAILED,
        }
    }))
}

pub(crate) fn writer(case: &Case, op: Op) -> Result<Writer<'_>, Unsupported> {
    let value: Value = if op == Op::Encode {
        // Built from the typed field values (the same unescaped strings every encoder gets).
        serde_json::to_value(
            crate::typed::frame_out(case)
                .ok_or_else(|| super::setup_failed("serde_json_value", case, &"no fields"))?,
        )
        .map_err(|e| super::setup_failed("serde_json_value", case, &e))?
    } else {
        serde_json::from_slice(&case.bytes)
            .map_err(|e| super::setup_failed("serde_json_value", case, &e))?
    };
    Ok(Box::new(move |out: &mut Vec<u8>| {
        out.clear();
        serde_json::to_writer(&mut *out, &value).ok()?;
        Some(out.len())
    }))
}

fn text(sum: &mut Sum, v: Option<&Value>) {
    sum.str(v.and_then(Value::as_str));
}

fn texts(sum: &mut Sum, object: &Value, keys: &[&str]) {
    for key in keys {
        text(sum, object.get(key));
    }
}

fn count(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_object).map(serde_json::Map::len)
}

fn id(sum: &mut Sum, v: Option<&Value>) {
    match v {
        Some(Value::Number(n)) => sum.int(n.as_i64()),
        Some(Value::String(s)) => sum.str(Some(s)),
        _ => {}
    }
}

fn typed(v: &Value, kind: Kind) -> u64 {
    let mut sum = Sum::default();
    for i in 0..4 {
        text(&mut sum, v.get(i));
    }
    let Some(p) = v.get(4) else {
        return FAILED;
    };
    match kind {
        Kind::ClientShout | Kind::ServerShout => {
            texts(&mut sum, p, &SHOUT_TEXT);
            sum.flag(p.get(SHOUT_FLAG).and_then(Value::as_bool));
            sum.int(p.get(SHOUT_INT).and_then(Value::as_i64));
            if let Some(user) = p.get(SHOUT_USER).filter(|u| u.is_object()) {
                sum.int(user.get(USER_INT).and_then(Value::as_i64));
                texts(&mut sum, user, &USER_TEXT);
            }
            if let Some(customer) = p.get(SHOUT_CUSTOMER).filter(|u| u.is_object()) {
                texts(&mut sum, customer, &CUSTOMER_TEXT);
                sum.count(count(customer.get(CUSTOMER_METADATA)));
            }
            for a in p
                .get(SHOUT_ATTACHMENTS)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                id(&mut sum, a.get(ATTACHMENT_ID));
                texts(&mut sum, a, &ATTACHMENT_TEXT);
            }
            sum.count(count(p.get(SHOUT_METADATA)));
            for i in p
                .get(SHOUT_FILE_IDS)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                id(&mut sum, Some(i));
            }
            for n in p
                .get(SHOUT_MENTIONED)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                sum.int(n.as_i64());
            }
        }
        Kind::Join => texts(&mut sum, p, &JOIN_TEXT),
        Kind::Reply => {
            text(&mut sum, p.get(REPLY_STATUS));
            if let Some(response) = p.get(REPLY_RESPONSE).filter(|r| r.is_object()) {
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
                let metas = entry.get(PRESENCE_METAS).and_then(Value::as_array);
                for meta in metas.into_iter().flatten() {
                    texts(&mut sum, meta, &META_TEXT);
                    sum.int(meta.get(META_INT).and_then(Value::as_i64));
                }
            }
        }
        Kind::BinaryPush => return FAILED,
    }
    sum.0
}
