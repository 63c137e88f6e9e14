//! Borrowed ⇄ owned ⇄ shared round trips on every conformance vector and on proptest frames.

mod common;

use bytes::{Bytes, BytesMut};
use phx_codec::{Direction, Frame, WireFormat};
use phx_codec_std::{FrameExt, OwnedFrame, SharedFrame};
use proptest::prelude::*;

/// Every view of one decoded input agrees with the core's borrowed frame, and re-encoding
/// through any of them gives the same bytes.
fn check_views_agree(input: &[u8], core: &Frame<'_>, format: WireFormat, direction: Direction) {
    let shared = SharedFrame::decode(Bytes::copy_from_slice(input), format, direction)
        .expect("the shared decoder accepts what the core accepts");
    assert_eq!(&shared.frame(), core);
    assert_eq!(shared.join_ref(), core.join_ref());
    assert_eq!(shared.reference(), core.reference());
    assert_eq!(shared.topic(), core.topic());
    assert_eq!(shared.event(), core.event());
    assert_eq!(shared.format(), format);
    assert_eq!(shared.bytes(), input);

    let owned = OwnedFrame::from(core);
    assert_eq!(&owned.as_frame().expect("owned JSON is valid"), core);
    assert_eq!(shared.to_owned_frame(), owned);
    assert_eq!(core.to_owned_frame(), owned);

    let clone = shared.clone();
    assert_eq!(clone, shared);
    assert_eq!(
        clone.bytes().as_ptr(),
        shared.bytes().as_ptr(),
        "clones share the buffer"
    );

    for (f, d) in common::forms(core) {
        let expected = core.encode_to_vec(f, d).expect("encodable");
        assert_eq!(expected.len(), core.encoded_len(f, d).expect("length"));
        assert_eq!(owned.encode_to_vec(f, d).expect("owned encodes"), expected);
        assert_eq!(
            shared.encode_to_vec(f, d).expect("shared encodes"),
            expected
        );
        let mut buf = BytesMut::from(&b"prefix"[..]);
        let n = owned
            .encode_into_bytes_mut(f, d, &mut buf)
            .expect("into BytesMut");
        assert_eq!(n, expected.len());
        assert_eq!(&buf[6..], &expected[..]);
        let mut written = Vec::new();
        assert_eq!(
            shared
                .encode_to_writer(f, d, &mut written)
                .expect("to writer"),
            expected.len()
        );
        assert_eq!(written, expected);
        let re_shared = SharedFrame::encode(core, f, d).expect("encode to shared");
        assert_eq!(re_shared.bytes(), &expected[..]);
        assert_eq!(
            re_shared
                .to_owned_frame()
                .encode_to_vec(f, d)
                .expect("stable"),
            expected
        );
    }
}

#[test]
fn every_valid_vector_reads_the_same_borrowed_owned_and_shared() {
    let mut checked = 0;
    for v in common::vectors().iter().filter(|v| v.valid) {
        let core = common::core_decode(&v.input, v.format, v.direction)
            .unwrap_or_else(|e| panic!("{}: core refuses a valid vector: {e}", v.name));
        check_views_agree(&v.input, &core, v.format, v.direction);
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} valid vectors");
}

#[test]
fn every_invalid_vector_is_refused_by_the_shared_decoder_with_the_core_error() {
    for v in common::vectors().iter().filter(|v| !v.valid) {
        let core = common::core_decode(&v.input, v.format, v.direction).expect_err(&v.name);
        let shared = SharedFrame::decode(Bytes::copy_from_slice(&v.input), v.format, v.direction)
            .expect_err(&v.name);
        assert_eq!(shared, core, "{}", v.name);
    }
}

#[test]
fn shared_frames_keep_escapes_lazy_and_show_them_unescaped() {
    let input = br#"["1",null,"conversation:\u0061bc","sh\"out",{"body":"caf\u00e9"}]"#;
    let shared = SharedFrame::decode(
        Bytes::from_static(input),
        WireFormat::V2,
        Direction::FromClient,
    )
    .expect("valid");
    assert!(shared.topic().has_escapes());
    assert_eq!(shared.topic(), "conversation:abc");
    assert_eq!(
        format!("{shared:?}"),
        r#"SharedFrame { format: "v2", join_ref: Some("1"), ref: None, topic: "conversation:abc", event: "sh\"out", payload: Json({"body":"caf\u00e9"}) }"#
    );
    assert_eq!(shared.payload_bytes(), &br#"{"body":"caf\u00e9"}"#[..]);
    assert_eq!(shared.payload_value().expect("json")["body"], "café");
}

#[test]
fn binary_replies_keep_their_implied_event_and_status() {
    let input = b"\x01\x01\x01\x04\x02abroomok\xde\xad";
    let shared = SharedFrame::decode(
        Bytes::from_static(input),
        WireFormat::Binary,
        Direction::FromServer,
    )
    .expect("valid reply");
    assert_eq!(shared.event(), "phx_reply");
    assert_eq!(shared.topic(), "room");
    assert!(shared.is_binary_payload());
    assert_eq!(shared.payload_bytes(), &b"\xde\xad"[..]);
    assert!(matches!(
        shared.deserialize_payload::<serde_json::Value>(),
        Err(phx_codec_std::Error::PayloadNotJson)
    ));
    let owned = shared.to_owned_frame();
    assert_eq!(
        owned.payload,
        phx_codec_std::OwnedPayload::BinaryReply {
            status: "ok".into(),
            response: vec![0xde, 0xad]
        }
    );
    assert_eq!(
        owned
            .encode_to_vec(WireFormat::Binary, Direction::FromServer)
            .expect("encodes"),
        input
    );
}

#[test]
fn owned_frames_with_invalid_json_are_refused_when_viewed_or_encoded() {
    let bad = OwnedFrame::new(
        "t",
        "e",
        phx_codec_std::OwnedPayload::Json("{\"a\":".into()),
    );
    assert!(bad.as_frame().is_err());
    assert!(matches!(
        bad.encode_to_vec(WireFormat::V2, Direction::FromServer),
        Err(phx_codec_std::Error::Decode(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn proptest_frames_round_trip_through_every_view_and_form(frame in common::owned_frame()) {
        let view = frame.as_frame().expect("generated JSON is valid");
        for (format, direction) in common::forms(&view) {
            let bytes = frame.encode_to_vec(format, direction).expect("encodable");
            let core = common::core_decode(&bytes, format, direction).expect("core decodes its own encoding");
            check_views_agree(&bytes, &core, format, direction);
            if format != WireFormat::Binary {
                // Text forms keep every field (binary client pushes write absent refs as "").
                prop_assert_eq!(OwnedFrame::from(core), frame.clone());
            }
        }
    }
}
