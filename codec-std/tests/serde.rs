//! serde interop: borrowed payload deserialization, values, frames from `Serialize`, and the
//! std sinks.

use std::io;

use bytes::BytesMut;
use phx_codec::{Direction, WireFormat};
use phx_codec_std::{BytesMutSink, Error, FrameExt, OwnedFrame, OwnedPayload};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Debug, PartialEq)]
struct Shout<'a> {
    body: &'a str,
    customer_id: Option<&'a str>,
}

#[test]
fn payloads_deserialize_borrowing_from_the_input() {
    let input = br#"[null,"3","conversation:1a2b3c","shout",{"body":"Hi, I need help with my order","customer_id":"cus_123","conversation_id":"1a2b3c"}]"#;
    let frame = phx_codec::decode_text(input).expect("valid");
    let shout: Shout<'_> = frame.deserialize_payload().expect("a shout");
    assert_eq!(shout.body, "Hi, I need help with my order");
    let start = input.as_ptr() as usize;
    let body = shout.body.as_ptr() as usize;
    assert!(
        body > start && body < start + input.len(),
        "borrowed, not copied"
    );
}

#[test]
fn payload_values_unescape_strings() {
    let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"body":"caf\u00e9 \"x\""}]"#)
        .expect("valid");
    assert_eq!(frame.payload_value().expect("json")["body"], "café \"x\"");
}

#[test]
fn binary_payloads_do_not_deserialize() {
    let frame =
        phx_codec::binary::decode_from_client(b"\x00\x01\x01\x01\x01ab!e\xff").expect("valid");
    assert!(matches!(frame.payload_value(), Err(Error::PayloadNotJson)));
}

#[test]
fn serialize_payloads_build_frames_that_encode_as_phoenix_does() {
    #[derive(Serialize)]
    struct Created<'a> {
        id: &'a str,
    }
    let push = OwnedFrame::new(
        "conversation:lobby:c1",
        "conversation:created",
        OwnedPayload::json(&Created { id: "5c9b" }).expect("serializes"),
    );
    assert_eq!(
        push.encode_to_vec(WireFormat::V2, Direction::FromServer)
            .expect("encodes"),
        br#"[null,null,"conversation:lobby:c1","conversation:created",{"id":"5c9b"}]"#
    );
}

#[test]
fn replies_copy_the_requests_refs_and_topic() {
    let ping =
        phx_codec::decode_text(br#"["1","9","conversation:1","ping",{"x":1}]"#).expect("valid");
    let reply =
        OwnedFrame::reply_to(&ping, "ok", &ping.payload_value().expect("json")).expect("reply");
    assert_eq!(
        reply
            .encode_to_vec(WireFormat::V2, Direction::FromServer)
            .expect("encodes"),
        br#"["1","9","conversation:1","phx_reply",{"response":{"x":1},"status":"ok"}]"#
    );
}

#[test]
fn bytes_mut_sink_and_writer_give_the_core_encoding() {
    let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).expect("valid");
    let mut buf = BytesMut::new();
    let n = frame.encode_v2(&mut BytesMutSink(&mut buf)).expect("grows");
    assert_eq!(&buf[..n], br#"[null,"1","phoenix","heartbeat",{}]"#);
    let mut out = io::Cursor::new(Vec::new());
    frame
        .encode_to_writer(WireFormat::Binary, Direction::FromClient, &mut out)
        .expect_err("JSON is not binary");
    frame
        .encode_to_writer(WireFormat::V1, Direction::FromClient, &mut out)
        .expect("writes");
    assert_eq!(
        out.into_inner(),
        br#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}"#
    );
}

#[test]
fn writer_failures_surface_as_io_errors() {
    struct Full;
    impl io::Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).expect("valid");
    match frame.encode_to_writer(WireFormat::V2, Direction::FromClient, Full) {
        Err(Error::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::StorageFull),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn owned_frames_deserialize_and_debug_readably() {
    let owned = OwnedFrame::from(
        phx_codec::decode_text(br#"["1",null,"t\u00e9","e",{"body":"hi"}]"#).expect("valid"),
    );
    let shout: Shout<'_> = owned.deserialize_payload().expect("a shout");
    assert_eq!(
        shout,
        Shout {
            body: "hi",
            customer_id: None
        }
    );
    assert_eq!(
        format!("{owned:?}"),
        r#"OwnedFrame { join_ref: Some("1"), ref: None, topic: "té", event: "e", payload: Json({"body":"hi"}) }"#
    );
}
