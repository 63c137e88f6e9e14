//! Writing a frame in another wire form (`phx convert`, `phx encode --format`).
//!
//! Text and binary frames carry different payloads, so crossing between them maps the
//! payload:
//! - text → binary: the JSON payload's text becomes the payload bytes; a server's
//!   `phx_reply` whose payload is `{"status":S,"response":R}` becomes a binary reply with
//!   status S and R's JSON text as its bytes.
//! - binary → text: payload bytes that are UTF-8 JSON become the JSON payload, whitespace
//!   inside kept (a binary reply becomes `{"status":S,"response":R}`); other bytes cannot be
//!   carried by a text frame and the line fails.
//!
//! Whatever else the target form cannot carry exactly is found by decoding what was written
//! and comparing it with the original (after bringing it back into the original's form):
//! each difference becomes a warning (a null `join_ref` written as `""` in a binary push,
//! whitespace around a binary payload's JSON, payload members a binary reply has no room
//! for...). Whitespace between the tokens of a text frame's JSON is not part of its value and
//! is not kept between text forms (the output is compact).

use phx_codec::{
    DecodeError, Direction, EncodeError, Event, Frame, JsonStr, Payload, RawJson, WireFormat,
    binary, decode_text, v1,
};

use crate::base64;
use crate::capture::Failure;
use crate::hex;
use crate::json::{compact, put_str};

/// How binary frames are written as capture lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BinaryText {
    /// `hex:` followed by lowercase hex digits.
    Hex,
    /// `base64:` followed by padded standard base64.
    Base64,
}

fn encode_failure(e: EncodeError) -> Failure {
    let kind = match e {
        EncodeError::FieldTooLong { .. } => "field_too_long",
        EncodeError::NotRepresentable(_) => "not_representable",
        EncodeError::PayloadNotJson => "payload_not_json",
        EncodeError::PayloadNotBinary => "payload_not_binary",
        _ => "encode_error",
    };
    Failure::new(kind, 0, e.to_string())
}

fn not_json(what: &str) -> Failure {
    Failure::new(
        "payload_not_json",
        0,
        format!("the {what} is not UTF-8 JSON, so a text frame cannot carry it"),
    )
}

/// Appends `frame`, which came in `from`, in `to` as one capture line (with its newline): text
/// frames as they are, binary frames as `hex:`/`base64:` text. Returns what `to` could not
/// carry exactly (see [`losses`]), empty when nothing was lost.
pub(crate) fn put_line(
    out: &mut Vec<u8>,
    frame: &Frame<'_>,
    from: WireFormat,
    to: WireFormat,
    direction: Direction,
    binary_text: BinaryText,
) -> Result<Vec<String>, Failure> {
    let mut bytes = Vec::new();
    encode_as(frame, to, direction, &mut bytes)?;
    let losses = if from == to {
        Vec::new()
    } else {
        losses(frame, from, to, direction, &bytes)
    };
    if to == WireFormat::Binary {
        match binary_text {
            BinaryText::Hex => {
                out.extend_from_slice(b"hex:");
                hex::encode(&bytes, out);
            }
            BinaryText::Base64 => {
                out.extend_from_slice(b"base64:");
                base64::encode(&bytes, out);
            }
        }
    } else {
        out.extend_from_slice(&bytes);
    }
    out.push(b'\n');
    Ok(losses)
}

/// Decodes `bytes` as a frame in `format` (binary frames as sent in `direction`).
fn decode_as(
    bytes: &[u8],
    format: WireFormat,
    direction: Direction,
) -> Result<Frame<'_>, DecodeError> {
    match format {
        WireFormat::V2 => decode_text(bytes),
        WireFormat::V1 => v1::decode_v1(bytes),
        WireFormat::Binary => binary::decode_binary(bytes, direction),
    }
}

/// What the frame `written` in `to` lost of `original` (which came in `from`): `written` is
/// decoded, brought back into `from`'s kind of form (text or binary) and compared field by
/// field with `original`. JSON payloads compare without the whitespace between tokens.
pub(crate) fn losses(
    original: &Frame<'_>,
    from: WireFormat,
    to: WireFormat,
    direction: Direction,
    written: &[u8],
) -> Vec<String> {
    let back = match decode_as(written, to, direction) {
        Ok(back) => back,
        Err(e) => {
            return vec![format!(
                "the {} frame written does not decode ({e})",
                to.name()
            )];
        }
    };
    let is_text = |f: WireFormat| f != WireFormat::Binary;
    if is_text(from) == is_text(to) {
        return differences(original, &back);
    }
    let mut again = Vec::new();
    if let Err(e) = encode_as(&back, from, direction, &mut again) {
        return vec![format!(
            "it cannot be brought back to {} ({})",
            from.name(),
            e.message
        )];
    }
    match decode_as(&again, from, direction) {
        Ok(again) => differences(original, &again),
        Err(e) => vec![format!(
            "it cannot be brought back to {} ({e})",
            from.name()
        )],
    }
}

fn quoted(s: JsonStr<'_>) -> String {
    let mut out = Vec::new();
    put_str(&mut out, s);
    String::from_utf8_lossy(&out).into_owned()
}

fn nullable(s: Option<JsonStr<'_>>) -> String {
    s.map_or_else(|| "null".to_owned(), quoted)
}

/// A value for a message: at most 40 characters of it.
fn brief(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        text.to_owned()
    }
}

fn json_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes)
        .ok()
        .filter(|text| RawJson::parse(text).is_ok())
}

/// How two byte payloads differ, for a message.
fn bytes_difference(what: &str, a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    match (json_text(a), json_text(b)) {
        (Some(ta), Some(tb)) if ta.trim_matches(JSON_SPACE) == tb.trim_matches(JSON_SPACE) => Some(
            format!("the whitespace around the {what}'s JSON was dropped"),
        ),
        (Some(ta), Some(tb)) if compact(ta) == compact(tb) => {
            Some(format!("the whitespace in the {what}'s JSON was dropped"))
        }
        _ => Some(format!(
            "the {what} changed from {} to {} bytes",
            a.len(),
            b.len()
        )),
    }
}

/// The differences between `a` and `b`, field by field, for a message.
fn differences(a: &Frame<'_>, b: &Frame<'_>) -> Vec<String> {
    let mut found = Vec::new();
    let same = |x: Option<JsonStr<'_>>, y: Option<JsonStr<'_>>| {
        x.map(|s| s.to_cow()) == y.map(|s| s.to_cow())
    };
    for (name, x, y) in [
        ("join_ref", a.join_ref(), b.join_ref()),
        ("ref", a.reference(), b.reference()),
        ("topic", Some(a.topic()), Some(b.topic())),
        ("event", Some(a.event()), Some(b.event())),
    ] {
        if !same(x, y) {
            found.push(format!("{name} {} became {}", nullable(x), nullable(y)));
        }
    }
    match (a.payload(), b.payload()) {
        (Payload::Json(x), Payload::Json(y)) => found.extend(json_differences(x, y)),
        (Payload::Binary(x), Payload::Binary(y)) => {
            found.extend(bytes_difference("payload", x, y));
        }
        (
            Payload::BinaryReply {
                status: sx,
                response: rx,
            },
            Payload::BinaryReply {
                status: sy,
                response: ry,
            },
        ) => {
            if !same(Some(sx), Some(sy)) {
                found.push(format!("status {} became {}", quoted(sx), quoted(sy)));
            }
            found.extend(bytes_difference("response", rx, ry));
        }
        _ => found.push("the payload changed kind".to_owned()),
    }
    found
}

/// An object's members as (decoded key, compact value), sorted: member order is no part of
/// a JSON object's value (a binary reply's text form puts `status` first, Phoenix `response`).
fn sorted_members(value: RawJson<'_>) -> Option<Vec<(String, String)>> {
    let mut members: Vec<(String, String)> = value
        .members()?
        .map(|(k, v)| (k.to_string(), compact(v.as_str()).into_owned()))
        .collect();
    members.sort();
    Some(members)
}

/// How two JSON payloads differ (whitespace between tokens and member order aside).
fn json_differences(x: RawJson<'_>, y: RawJson<'_>) -> Vec<String> {
    if let (Some(mx), Some(my)) = (sorted_members(x), sorted_members(y)) {
        if mx == my {
            return Vec::new();
        }
        let has = |m: &[(String, String)], key: &str| m.iter().any(|(k, _)| k == key);
        let mut keys: Vec<&str> = mx.iter().chain(&my).map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut found = Vec::new();
        for key in keys {
            let name = quoted(JsonStr::literal(key));
            let values = |m: &[(String, String)]| {
                m.iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .collect::<Vec<_>>()
            };
            match (has(&mx, key), has(&my, key)) {
                (true, false) => found.push(format!("payload member {name} dropped")),
                (false, true) => found.push(format!("payload member {name} added")),
                _ if values(&mx) != values(&my) => {
                    found.push(format!("payload member {name} changed"));
                }
                _ => {}
            }
        }
        return found;
    }
    let (x, y) = (compact(x.as_str()), compact(y.as_str()));
    if x == y {
        Vec::new()
    } else {
        vec![format!("payload {} became {}", brief(&x), brief(&y))]
    }
}

/// JSON's whitespace.
const JSON_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Binary payload bytes as a JSON text payload: `None` when they are not UTF-8 JSON. The
/// JSON is kept as it is, inside whitespace included; whitespace around it cannot be part of
/// a text frame's payload and goes.
fn bytes_as_json(bytes: &[u8]) -> Option<&str> {
    json_text(bytes).map(|text| text.trim_matches(JSON_SPACE))
}

/// Appends `frame` encoded in `to` (compact JSON for text forms).
pub(crate) fn encode_as(
    frame: &Frame<'_>,
    to: WireFormat,
    direction: Direction,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let with = |payload| {
        Frame::new(
            frame.join_ref(),
            frame.reference(),
            frame.topic(),
            frame.event(),
            payload,
        )
    };
    let write = |f: Frame<'_>, out: &mut Vec<u8>| {
        f.encode(to, direction, out)
            .map(drop)
            .map_err(encode_failure)
    };
    let text_target = to != WireFormat::Binary;
    match frame.payload() {
        Payload::Json(raw) if text_target => {
            let text = compact(raw.as_str());
            let raw = RawJson::parse(&text).map_err(Failure::from)?;
            write(with(Payload::Json(raw)), out)
        }
        Payload::Json(raw) => {
            let reply = (direction == Direction::FromServer && frame.event_kind() == Event::Reply)
                .then(|| Some((raw.get("status")?.as_json_str()?, raw.get("response")?)))
                .flatten();
            let payload = match reply {
                Some((status, response)) => Payload::BinaryReply {
                    status,
                    response: response.as_bytes(),
                },
                None => Payload::Binary(raw.as_bytes()),
            };
            write(with(payload), out)
        }
        Payload::Binary(bytes) if text_target => {
            let text = bytes_as_json(bytes).ok_or_else(|| not_json("binary payload"))?;
            let raw = RawJson::parse(text).map_err(Failure::from)?;
            write(with(Payload::Json(raw)), out)
        }
        Payload::BinaryReply { status, response } if text_target => {
            let response = bytes_as_json(response).ok_or_else(|| not_json("binary reply"))?;
            let mut payload = br#"{"status":"#.to_vec();
            put_str(&mut payload, status);
            payload.extend_from_slice(br#","response":"#);
            payload.extend_from_slice(response.as_bytes());
            payload.push(b'}');
            let payload = String::from_utf8(payload).map_err(|_| not_json("binary reply"))?;
            let raw = RawJson::parse(&payload).map_err(Failure::from)?;
            write(with(Payload::Json(raw)), out)
        }
        Payload::Binary(_) | Payload::BinaryReply { .. } => write(*frame, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(text: &str) -> Frame<'_> {
        phx_codec::decode_text(text.as_bytes()).unwrap()
    }

    fn encoded(
        frame: &Frame<'_>,
        to: WireFormat,
        direction: Direction,
    ) -> Result<Vec<u8>, Failure> {
        let mut out = Vec::new();
        encode_as(frame, to, direction, &mut out).map(|()| out)
    }

    #[test]
    fn a_server_reply_becomes_a_binary_reply_and_back() {
        let reply = v2(r#"["1","2","room:a","phx_reply",{"status":"ok","response":{"n":1}}]"#);
        let bytes = encoded(&reply, WireFormat::Binary, Direction::FromServer).unwrap();
        assert_eq!(bytes, b"\x01\x01\x01\x06\x0212room:aok{\"n\":1}");
        let binary = phx_codec::binary::decode_from_server(&bytes).unwrap();
        let text = encoded(&binary, WireFormat::V2, Direction::FromServer).unwrap();
        assert_eq!(
            text,
            br#"["1","2","room:a","phx_reply",{"status":"ok","response":{"n":1}}]"#
        );
    }

    #[test]
    fn text_output_is_compact() {
        let spaced = v2(r#"[ null , "1" , "phoenix" , "heartbeat" , { "a" : [ 1 , 2 ] } ]"#);
        let text = encoded(&spaced, WireFormat::V1, Direction::FromClient).unwrap();
        assert_eq!(
            text,
            br#"{"topic":"phoenix","event":"heartbeat","payload":{"a":[1,2]},"ref":"1"}"#
        );
    }

    #[test]
    fn binary_bytes_that_are_not_json_cannot_become_text() {
        let push = phx_codec::binary::decode_from_client(b"\x00\x01\x01\x01\x011 te\xff").unwrap();
        let err = encoded(&push, WireFormat::V2, Direction::FromClient).unwrap_err();
        assert_eq!(err.kind, "payload_not_json");
    }

    #[test]
    fn a_client_frame_with_a_ref_is_no_server_push() {
        let shout = v2(r#"[null,"3","conversation:1","shout",{}]"#);
        let err = encoded(&shout, WireFormat::Binary, Direction::FromServer).unwrap_err();
        assert_eq!(err.kind, "not_representable");
        assert!(encoded(&shout, WireFormat::Binary, Direction::FromClient).is_ok());
    }

    #[test]
    fn member_order_and_whitespace_are_no_difference_but_members_are() {
        let json = |t| RawJson::parse(t).unwrap();
        assert!(
            json_differences(json(r#"{"a":1,"b":[1, 2]}"#), json(r#"{"b":[1,2],"a":1}"#))
                .is_empty()
        );
        assert_eq!(
            json_differences(
                json(r#"{"a":1,"b":2,"c":3}"#),
                json(r#"{"a":1,"b":3,"d":4}"#)
            ),
            [
                "payload member \"b\" changed",
                "payload member \"c\" dropped",
                "payload member \"d\" added"
            ]
        );
        assert_eq!(
            json_differences(json("[1,2]"), json("[2,1]")),
            ["payload [1,2] became [2,1]"]
        );
    }

    #[test]
    fn a_binary_push_crossing_to_text_and_back_loses_nothing_it_can_keep() {
        let push =
            phx_codec::binary::decode_from_client(b"\x00\x01\x01\x01\x011 te{\"a\": [1, 2]}")
                .unwrap();
        let text = encoded(&push, WireFormat::V2, Direction::FromClient).unwrap();
        assert_eq!(text, br#"["1"," ","t","e",{"a": [1, 2]}]"#);
        assert!(
            losses(
                &push,
                WireFormat::Binary,
                WireFormat::V2,
                Direction::FromClient,
                &text
            )
            .is_empty()
        );
    }
}
