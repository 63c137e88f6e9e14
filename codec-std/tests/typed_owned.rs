//! Owned typed messages (`phx_codec_std::typed`) and `OwnedFrame`'s serde: `'static` copies of
//! every typed view, round-tripping through `serde_json`.

mod common;

use phx_codec::message::Message;
use phx_codec::{Direction, WireFormat};
use phx_codec_std::typed::{
    IntoOwned, OwnedJson, OwnedMessage, OwnedPing, OwnedPresenceKey, OwnedResponse, OwnedShout,
};
use phx_codec_std::{OwnedFrame, OwnedPayload};
use proptest::prelude::*;

const fn assert_static_send_sync<T: 'static + Send + Sync>() {}
const _: () = assert_static_send_sync::<OwnedMessage>();

/// Whether an owned message holds bytes (which JSON reads back as an array).
fn holds_binary(message: &OwnedMessage) -> bool {
    matches!(message, OwnedMessage::Ping(OwnedPing::Binary(_)))
        || matches!(message, OwnedMessage::Reply(r) if matches!(r.response, Some(OwnedResponse::Binary(_))))
}

#[test]
fn every_typed_vector_round_trips_owned_through_serde_json() {
    let mut checked = std::collections::BTreeSet::new();
    for v in common::vectors().into_iter().filter(|v| v.valid) {
        let frame = common::core_decode(&v.input, v.format, v.direction).expect("valid vector");
        let Ok(message) = frame.message() else {
            continue;
        };
        let owned = message.into_owned();
        assert_eq!(owned.name(), message.name(), "{}", v.name);
        let json = serde_json::to_string(&owned).expect("serializes");
        // The owned message serializes as the view does (presence and joins aside: the core
        // writes presence as received and a join's typed fields only).
        if !matches!(
            message,
            Message::PresenceState(_) | Message::PresenceDiff(_) | Message::Join(_)
        ) {
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&json).expect("JSON"),
                serde_json::to_value(message).expect("the view serializes"),
                "{}",
                v.name
            );
        }
        if !holds_binary(&owned) {
            let back: OwnedMessage =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}: {json}", v.name));
            assert_eq!(back, owned, "{}: {json}", v.name);
        }
        checked.insert(owned.name());
    }
    for name in [
        "shout",
        "phx_join",
        "phx_reply",
        "phx_error",
        "read",
        "presence_state",
        "presence_diff",
        "conversation:created",
        "conversation:updated",
        "replay:event:emitted",
        "heartbeat",
        "phx_leave",
    ] {
        assert!(
            checked.contains(name),
            "no vector checked {name}: {checked:?}"
        );
    }
}

#[test]
fn a_shout_outlives_its_input_with_user_customer_and_attachments() {
    let owned = {
        let input = br#"[null,null,"conversation:1","shout",{"id":"m1","body":"caf\u00e9","type":"reply","private":false,"user_id":7,"user":{"id":7,"email":"a@x","full_name":"Ada"},"customer":{"id":"c1","name":"Zo\u00eb","metadata":{"plan":"pro","n":1.50}},"attachments":[{"id":3,"filename":"a.png"},{"id":"f-9"}],"file_ids":[],"mentioned_user_ids":[8,9],"unknown":1}]"#.to_vec();
        let frame = phx_codec::decode_text(&input).expect("valid");
        let Message::Shout(shout) = frame.message().expect("typed") else {
            panic!("a shout")
        };
        shout.into_owned()
    };
    assert_eq!(owned.body.as_deref(), Some("café"));
    assert_eq!(owned.message_type.as_deref(), Some("reply"));
    assert_eq!(owned.private, Some(false));
    assert!(owned.is_from_agent() && !owned.is_from_customer());
    let user = owned.user.as_ref().expect("user");
    assert_eq!((user.id, user.email.as_deref()), (Some(7), Some("a@x")));
    let customer = owned.customer.as_ref().expect("customer");
    assert_eq!(customer.name.as_deref(), Some("Zoë"));
    assert_eq!(
        customer.metadata.as_ref().map(OwnedJson::as_str),
        Some(r#"{"plan":"pro","n":1.50}"#)
    );
    let attachments = owned.attachments.as_ref().expect("attachments");
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0].filename.as_deref(), Some("a.png"));
    assert_eq!(owned.file_ids, Some(vec![]));
    assert_eq!(owned.mentioned_user_ids, Some(vec![8, 9]));

    let json = serde_json::to_string(&owned).expect("serializes");
    assert!(
        json.contains(r#""metadata":{"plan":"pro","n":1.50}"#),
        "{json}"
    );
    assert!(json.contains(r#""type":"reply""#), "{json}");
    assert!(!json.contains("unknown"), "{json}");
    let back: OwnedShout = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, owned);
}

#[test]
fn presence_keys_and_metas_are_typed_once_owned() {
    let input = br#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nC","user_id":7}]},"customer:c1":{"metas":[]}}]"#;
    let frame = phx_codec::decode_text(input).expect("valid");
    let OwnedMessage::PresenceState(state) = OwnedMessage::from_frame(&frame).expect("typed")
    else {
        panic!("a presence state")
    };
    let user = &state.entries[&OwnedPresenceKey::User(7)];
    assert_eq!(user.metas[0].phx_ref.as_deref(), Some("F4nC"));
    assert!(
        state.entries[&OwnedPresenceKey::Customer("c1".into())]
            .metas
            .is_empty()
    );
    let json = serde_json::to_string(&state).expect("serializes");
    assert_eq!(
        json,
        r#"{"user:7":{"metas":[{"phx_ref":"F4nC","online_at":"1732460000","user_id":7}]},"customer:c1":{"metas":[]}}"#
    );
}

#[test]
fn owned_frames_round_trip_through_serde_json_keeping_number_text() {
    let input =
        br#"["1","2","room:1","shout",{"n":123456789012345678901234567890,"f":1.50,"e":1E3}]"#;
    let frame = OwnedFrame::from(phx_codec::decode_text(input).expect("valid"));
    let json = serde_json::to_string(&frame).expect("serializes");
    assert_eq!(
        json,
        r#"{"join_ref":"1","ref":"2","topic":"room:1","event":"shout","payload":{"n":123456789012345678901234567890,"f":1.50,"e":1E3}}"#
    );
    let back: OwnedFrame = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, frame);
    assert_eq!(
        back.encode_to_vec(WireFormat::V2, Direction::FromServer)
            .expect("encodes"),
        input
    );
    // A `null` payload is a payload, not a missing one.
    let null: OwnedFrame = serde_json::from_str(
        r#"{"join_ref":null,"ref":null,"topic":"t","event":"e","payload":null}"#,
    )
    .expect("deserializes");
    assert_eq!(null.payload, OwnedPayload::Json("null".into()));
    for bad in [
        r#"{"topic":"t","event":"e"}"#,
        r#"{"topic":"t","event":"e","payload":{},"binary":[1]}"#,
        r#"{"topic":"t","event":"e","payload":{},"extra":1}"#,
    ] {
        assert!(serde_json::from_str::<OwnedFrame>(bad).is_err(), "{bad}");
    }
}

#[test]
fn core_frames_and_views_serialize_numbers_exactly_with_serde_json() {
    let input = br#"[null,null,"t","conversation:updated",{"id":"c","updates":{"n":123456789012345678901234567890,"f":1.50}}]"#;
    let frame = phx_codec::decode_text(input).expect("valid");
    let json = serde_json::to_string(&frame).expect("serializes");
    assert_eq!(
        json,
        r#"{"join_ref":null,"ref":null,"topic":"t","event":"conversation:updated","payload":{"id":"c","updates":{"n":123456789012345678901234567890,"f":1.50}}}"#
    );
    let payload = serde_json::to_string(&frame.payload_json().expect("JSON")).expect("serializes");
    assert!(
        payload.contains("123456789012345678901234567890"),
        "{payload}"
    );
    let message = serde_json::to_string(&frame.message().expect("typed")).expect("serializes");
    assert!(
        message.contains(r#""n":123456789012345678901234567890,"f":1.50"#),
        "{message}"
    );
}

proptest! {
    #[test]
    fn any_owned_frame_round_trips_through_serde_json(frame in common::owned_frame()) {
        let json = serde_json::to_string(&frame).expect("serializes");
        let back: OwnedFrame = serde_json::from_str(&json).expect("deserializes");
        prop_assert_eq!(back, frame);
    }
}
