//! Writing a frame in another wire form (`phx convert`, `phx encode --format`).
//!
//! Text and binary frames carry different payloads, so crossing between them maps the
//! payload:
//! - text → binary: the JSON payload's text becomes the payload bytes; a server's
//!   `phx_reply` whose payload is `{"status":S,"response":R}` becomes a binary reply with
//!   status S and R's JSON text as its bytes.
//! - binary → text: payload bytes that are UTF-8 JSON become the JSON payload (a binary reply
//!   becomes `{"status":S,"response":R}`); other bytes cannot be carried by a text frame and
//!   the line fails.

use phx_codec::{Direction, EncodeError, Event, Frame, Payload, RawJson, WireFormat};

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

/// Appends `frame` in `to` as one capture line (with its newline): text frames as they are,
/// binary frames as `hex:`/`base64:` text.
pub(crate) fn put_line(
    out: &mut Vec<u8>,
    frame: &Frame<'_>,
    to: WireFormat,
    direction: Direction,
    binary_text: BinaryText,
) -> Result<(), Failure> {
    let mut bytes = Vec::new();
    encode_as(frame, to, direction, &mut bytes)?;
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
    Ok(())
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
            let text = std::str::from_utf8(bytes).map_err(|_| not_json("binary payload"))?;
            let raw = RawJson::parse(text).map_err(|_| not_json("binary payload"))?;
            let text = compact(raw.as_str());
            let raw = RawJson::parse(&text).map_err(Failure::from)?;
            write(with(Payload::Json(raw)), out)
        }
        Payload::BinaryReply { status, response } if text_target => {
            let text = std::str::from_utf8(response).map_err(|_| not_json("binary reply"))?;
            let response = RawJson::parse(text).map_err(|_| not_json("binary reply"))?;
            let mut payload = br#"{"status":"#.to_vec();
            put_str(&mut payload, status);
            payload.extend_from_slice(br#","response":"#);
            payload.extend_from_slice(compact(response.as_str()).as_bytes());
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
}
