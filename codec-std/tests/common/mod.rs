//! Shared test helpers: the conformance vectors and a proptest strategy for frames.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use phx_codec::{DecodeError, Decoder, Direction, Frame, Vsn, WireFormat, WsMessage};
use phx_codec_std::{OwnedFrame, OwnedPayload};
use proptest::prelude::*;
use serde_json::Value;

/// One conformance case: its name, form, direction, input bytes and validity.
pub struct Vector {
    pub name: String,
    pub format: WireFormat,
    pub direction: Direction,
    pub input: Vec<u8>,
    pub valid: bool,
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digits"))
        .collect()
}

/// Every case of `tests/data/{v2,v1,binary}.json` (fails loudly when a file is missing).
pub fn vectors() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let mut out = Vec::new();
    for file in ["v2.json", "v1.json", "binary.json"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let cases: Vec<Value> = serde_json::from_str(&text).expect("vector file is JSON");
        for case in cases {
            let format = match case["format"].as_str() {
                Some("v2") => WireFormat::V2,
                Some("v1") => WireFormat::V1,
                Some("binary") => WireFormat::Binary,
                other => panic!("unknown format {other:?}"),
            };
            let direction = match case["direction"].as_str() {
                Some("client") => Direction::FromClient,
                Some("server") => Direction::FromServer,
                other => panic!("unknown direction {other:?}"),
            };
            let input = match (case["frame"].as_str(), case["frame_hex"].as_str()) {
                (Some(frame), _) => frame.as_bytes().to_vec(),
                (None, Some(h)) => hex(h),
                (None, None) => panic!("case without input"),
            };
            out.push(Vector {
                name: case["name"].as_str().unwrap_or("?").to_owned(),
                format,
                direction,
                input,
                valid: case["valid"].as_bool().expect("valid flag"),
            });
        }
    }
    assert!(
        out.len() > 50,
        "expected the full conformance set, got {}",
        out.len()
    );
    out
}

/// Decodes with the core, as a connection would.
pub fn core_decode(
    input: &[u8],
    format: WireFormat,
    direction: Direction,
) -> Result<Frame<'_>, DecodeError> {
    let (vsn, message) = match format {
        WireFormat::V1 => (Vsn::V1, WsMessage::Text(input)),
        WireFormat::V2 => (Vsn::V2, WsMessage::Text(input)),
        WireFormat::Binary => (Vsn::V2, WsMessage::Binary(input)),
    };
    Decoder::new(vsn, direction).decode(message)
}

/// Strings with the characters that matter for escaping: quotes, backslashes, controls,
/// non-ASCII, astral characters.
pub fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::char::range('a', 'z'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('\n'),
            1 => Just('\u{1}'),
            1 => Just('é'),
            1 => Just('😀'),
            1 => Just('/'),
        ],
        0..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// Arbitrary JSON values (bounded depth), including numbers the two parsers may treat
/// differently.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Header strings short enough for binary frames.
fn header() -> impl Strategy<Value = String> {
    text().prop_filter("fits a binary header", |s| s.len() <= 255)
}

/// Frames of every shape: JSON payloads (object or any value), binary pushes and replies.
pub fn owned_frame() -> impl Strategy<Value = OwnedFrame> {
    let payload = prop_oneof![
        3 => json_value().prop_map(|v| OwnedPayload::Json(v.to_string())),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(OwnedPayload::Binary),
        1 => (header(), prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(status, response)| OwnedPayload::BinaryReply { status, response }),
    ];
    (
        prop::option::of(header()),
        prop::option::of(header()),
        header(),
        header(),
        payload,
    )
        .prop_map(|(join_ref, reference, topic, event, payload)| {
            let event = if matches!(payload, OwnedPayload::BinaryReply { .. }) {
                "phx_reply".to_owned()
            } else {
                event
            };
            OwnedFrame {
                join_ref,
                reference,
                topic,
                event,
                payload,
            }
        })
}

/// The wire forms and directions `frame` can be written in.
pub fn forms(frame: &Frame<'_>) -> Vec<(WireFormat, Direction)> {
    let mut out = Vec::new();
    for format in [WireFormat::V2, WireFormat::V1, WireFormat::Binary] {
        for direction in [Direction::FromClient, Direction::FromServer] {
            if frame.encoded_len(format, direction).is_ok() {
                out.push((format, direction));
            }
        }
    }
    out
}
