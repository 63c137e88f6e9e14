//! tungstenite message adapters: text vs binary by payload, buffers shared, one line per
//! direction.
#![cfg(feature = "tungstenite")]

mod common;

use bytes::Bytes;
use phx_codec::{Decoder, Direction, EncodeError, Vsn, WireFormat};
use phx_codec_std::{FrameExt, OwnedFrame, OwnedPayload, SharedFrame, ws};
use tungstenite::Message;

#[test]
fn json_payloads_become_text_messages_in_the_connections_vsn() {
    let frame = OwnedFrame::new(
        "room:1",
        "shout",
        OwnedPayload::Json(r#"{"body":"hi"}"#.into()),
    )
    .with_ref("4");
    let v2 = frame
        .to_message(Vsn::V2, Direction::FromClient)
        .expect("encodes");
    assert_eq!(
        v2,
        Message::text(r#"[null,"4","room:1","shout",{"body":"hi"}]"#)
    );
    let v1 = frame
        .to_message(Vsn::V1, Direction::FromClient)
        .expect("encodes");
    assert_eq!(
        v1,
        Message::text(r#"{"topic":"room:1","event":"shout","payload":{"body":"hi"},"ref":"4"}"#)
    );
}

#[test]
fn binary_payloads_become_binary_messages_and_are_refused_on_v1() {
    let frame = OwnedFrame::new("room:1", "image", OwnedPayload::Binary(vec![1, 2, 3]));
    let msg = frame
        .to_message(Vsn::V2, Direction::FromServer)
        .expect("a broadcast");
    assert_eq!(
        msg,
        Message::binary(&b"\x02\x06\x05room:1image\x01\x02\x03"[..])
    );
    assert!(matches!(
        ws::to_message(
            &frame.as_frame().expect("valid"),
            Vsn::V1,
            Direction::FromServer
        ),
        Err(EncodeError::PayloadNotJson)
    ));
}

#[test]
fn received_messages_decode_into_shared_frames_without_copying() {
    let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
    let text = Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#);
    let msg = Message::Text(text.clone().try_into().expect("utf-8"));
    let shared = SharedFrame::from_message(msg, &decoder)
        .expect("valid")
        .expect("a data message");
    assert_eq!(
        shared.bytes().as_ptr(),
        text.as_ptr(),
        "the message buffer is kept"
    );
    assert_eq!(shared.format(), WireFormat::V2);

    let binary = Message::binary(&b"\x00\x01\x01\x01\x01ab!e\xff"[..]);
    let shared = SharedFrame::from_message(binary, &decoder)
        .expect("valid")
        .expect("a data message");
    assert_eq!(shared.format(), WireFormat::Binary);
    assert_eq!(shared.payload_bytes(), &b"\xff"[..]);

    for control in [
        Message::Ping(Bytes::new()),
        Message::Pong(Bytes::new()),
        Message::Close(None),
    ] {
        assert!(
            SharedFrame::from_message(control, &decoder)
                .expect("no error")
                .is_none()
        );
    }
}

#[test]
fn binary_messages_are_refused_on_a_v1_connection() {
    let decoder = Decoder::new(Vsn::V1, Direction::FromClient);
    let err = SharedFrame::from_message(Message::binary(&b"\x00\x00\x00\x01\x01te"[..]), &decoder)
        .expect_err("V1 has no binary frames");
    assert_eq!(err.kind, phx_codec::DecodeErrorKind::BinaryNotSupportedInV1);
}

#[test]
fn shared_frames_forward_as_the_message_they_came_in() {
    for v in common::vectors().iter().filter(|v| v.valid) {
        let shared = SharedFrame::decode(Bytes::copy_from_slice(&v.input), v.format, v.direction)
            .expect("valid");
        let msg: Message = (&shared).into();
        match (&msg, v.format) {
            (Message::Binary(b), WireFormat::Binary) => {
                assert_eq!(&b[..], &v.input[..], "{}", v.name);
            }
            (Message::Text(t), WireFormat::V1 | WireFormat::V2) => {
                assert_eq!(t.as_bytes(), &v.input[..], "{}", v.name);
            }
            _ => panic!("{}: wrong message type {msg:?}", v.name),
        }
        let vsn = if v.format == WireFormat::V1 {
            Vsn::V1
        } else {
            Vsn::V2
        };
        let back = SharedFrame::from_message(msg, &Decoder::new(vsn, v.direction))
            .expect("valid")
            .expect("data");
        assert_eq!(back, shared, "{}", v.name);
        assert_eq!(back.frame(), shared.frame(), "{}", v.name);
        let reencoded = ws::to_message(&shared.frame(), vsn, v.direction);
        if let Ok(m) = reencoded {
            let again = SharedFrame::from_message(m, &Decoder::new(vsn, v.direction))
                .expect("valid")
                .expect("data");
            assert_eq!(
                again
                    .to_owned_frame()
                    .encode_to_vec(again.format(), v.direction)
                    .ok(),
                shared
                    .frame()
                    .encode_to_vec(again.format(), v.direction)
                    .ok(),
                "{}",
                v.name
            );
        }
    }
}
