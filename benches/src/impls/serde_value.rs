//! `serde_json::Value`.

use serde_json::Value;

use crate::cases::{Case, Kind};
use crate::{
    ATTACHMENT_TEXT, CLIENT_SHOUT_TEXT, FAILED, META_TEXT, Op, Runner, SERVER_SHOUT_TEXT, Sum,
    USER_TEXT, Unsupported,
};

pub(crate) fn prepare(case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    if case.is_binary() {
        return Err(super::json_only("serde_json_value", case));
    }
    let bytes = &case.bytes[..];
    let kind = case.kind;
    Ok(match op {
        Op::Decode => Box::new(move || match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => envelope(&v),
            Err(_) => FAILED,
        }),
        Op::Typed => Box::new(move || match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => typed(&v, kind),
            Err(_) => FAILED,
        }),
        Op::Encode => {
            let value: Value = serde_json::from_slice(bytes)
                .map_err(|e| Unsupported(format!("serde_json cannot read {}: {e}", case.name)))?;
            Box::new(move || {
                serde_json::to_vec(&value).map_or(FAILED, |out| crate::len64(out.len()))
            })
        }
    })
}

fn text(v: Option<&Value>) -> Option<usize> {
    v.and_then(Value::as_str).map(str::len)
}

fn envelope(v: &Value) -> u64 {
    let mut sum = Sum::default();
    sum.text(text(v.get(2)));
    sum.text(text(v.get(3)));
    sum.0
}

fn read_texts(sum: &mut Sum, object: &Value, keys: &[&str]) {
    for key in keys {
        sum.text(text(object.get(key)));
    }
}

fn typed(v: &Value, kind: Kind) -> u64 {
    let mut sum = Sum::default();
    for i in 0..4 {
        sum.text(text(v.get(i)));
    }
    let Some(p) = v.get(4) else {
        return FAILED;
    };
    match kind {
        Kind::ClientShout => read_texts(&mut sum, p, &CLIENT_SHOUT_TEXT),
        Kind::ServerShout => {
            read_texts(&mut sum, p, &SERVER_SHOUT_TEXT);
            sum.flag(p.get("private").and_then(Value::as_bool));
            sum.int(p.get("user_id").and_then(Value::as_i64));
            if let Some(user) = p.get("user").filter(|u| u.is_object()) {
                sum.int(user.get("id").and_then(Value::as_i64));
                read_texts(&mut sum, user, &USER_TEXT);
            }
            if let Some(items) = p.get("attachments").and_then(Value::as_array) {
                for a in items {
                    sum.int(a.get("id").and_then(Value::as_i64));
                    read_texts(&mut sum, a, &ATTACHMENT_TEXT);
                }
            }
            sum.count(
                p.get("metadata")
                    .and_then(Value::as_object)
                    .map(serde_json::Map::len),
            );
        }
        Kind::Join => sum.text(text(p.get("customer_id"))),
        Kind::Reply => {
            sum.text(text(p.get("status")));
            sum.count(
                p.get("response")
                    .and_then(Value::as_object)
                    .map(serde_json::Map::len),
            );
        }
        Kind::Heartbeat => sum.count(p.as_object().map(serde_json::Map::len)),
        Kind::PresenceState => {
            let Some(entries) = p.as_object() else {
                return FAILED;
            };
            for (key, entry) in entries {
                sum.text(Some(key.len()));
                let metas = entry.get("metas").and_then(Value::as_array);
                for meta in metas.into_iter().flatten() {
                    read_texts(&mut sum, meta, &META_TEXT);
                    sum.int(meta.get("user_id").and_then(Value::as_i64));
                }
            }
        }
        Kind::BinaryPush => return FAILED,
    }
    sum.0
}
