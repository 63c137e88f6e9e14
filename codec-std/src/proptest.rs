//! Property-testing strategies (feature `proptest`): strings that stress escaping, JSON values
//! and payloads, frames of every shape, typed Papercups messages, near-valid bytes
//! ([`mutations`]), and session-shaped sequences ([`session`]: join, pushes, heartbeats,
//! leave). phx-codec's own property tests use these same strategies.
//!
//! ```
//! use phx_codec::{Direction, WireFormat};
//! use phx_codec_std::proptest::{owned_frame, session};
//! use proptest::prelude::*;
//!
//! proptest!(|(frame in owned_frame())| {
//!     // Every frame the codec holds survives the forms it can be written in.
//!     if let Ok(bytes) = frame.encode_to_vec(WireFormat::V2, Direction::FromServer) {
//!         let back = phx_codec::decode_text(&bytes).expect("decodes");
//!         prop_assert_eq!(phx_codec_std::OwnedFrame::from(back), frame);
//!     }
//! });
//! proptest!(|(frames in session())| {
//!     prop_assert_eq!(&frames[0].event, "phx_join");
//!     prop_assert_eq!(&frames[frames.len() - 1].event, "phx_leave");
//! });
//! ```

use ::proptest::prelude::*;
use serde_json::Value;

use crate::mutation::{INTERESTING, Mutation};
use crate::typed::{
    OwnedJson, OwnedMessage, OwnedPing, OwnedPresenceDiff, OwnedPresenceKey, OwnedRead, OwnedShout,
    OwnedUser,
};
use crate::{OwnedFrame, OwnedPayload};

/// Characters that stress escaping: controls, quotes, backslashes, `/`, DEL, U+2028, BOM,
/// non-ASCII, astral, the characters next to the surrogate range, and plain ASCII.
///
/// ```
/// use phx_codec_std::proptest::hard_char;
/// use proptest::prelude::*;
/// proptest!(|(c in hard_char())| {
///     // Whatever the character, a JSON string of it reads back as itself.
///     let json = serde_json::to_string(&c.to_string()).expect("a string serializes");
///     prop_assert_eq!(serde_json::from_str::<String>(&json).ok(), Some(c.to_string()));
/// });
/// ```
pub fn hard_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('\0')),
        2 => prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{2028}', '\u{feff}']),
        4 => (0x20u8..0x7f).prop_map(char::from),
        2 => prop::sample::select(vec!['é', 'ß', '你', '\u{d7ff}', '\u{e000}', '\u{fffd}', '\u{ffff}']),
        2 => prop::sample::select(vec!['😀', '\u{10000}', '\u{10ffff}', '𝄞']),
        2 => any::<char>(),
    ]
}

/// Strings of up to `max` [`hard_char`]s.
///
/// ```
/// use phx_codec_std::proptest::hard_string;
/// use proptest::prelude::*;
/// proptest!(|(s in hard_string(8))| {
///     prop_assert!(s.chars().count() <= 8);
/// });
/// ```
pub fn hard_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hard_char(), 0..=max).prop_map(|cs| cs.into_iter().collect())
}

/// Strings of at most 255 bytes (a binary frame's header fields): ASCII, or hard characters
/// cut to fit.
///
/// ```
/// use phx_codec_std::proptest::header_string;
/// use proptest::prelude::*;
/// proptest!(|(s in header_string())| {
///     prop_assert!(s.len() <= 255); // fits a binary frame's one-byte length
/// });
/// ```
pub fn header_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => hard_string(24),
        1 => "[ -~]{0,255}",
    ]
    .prop_map(|mut s| {
        while s.len() > 255 {
            s.pop();
        }
        s
    })
}

/// Floats that survive a text round trip through any correct parser.
///
/// ```
/// use phx_codec_std::proptest::float;
/// use proptest::prelude::*;
/// proptest!(|(f in float())| {
///     prop_assert!(f.is_finite());
///     prop_assert_eq!(f.to_string().parse::<f64>().ok(), Some(f));
/// });
/// ```
pub fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1_000_000i32..1_000_000, 0i32..6).prop_map(|(m, e)| f64::from(m) / 10f64.powi(e)),
        prop::num::f64::NORMAL,
    ]
}

/// JSON values, nested up to 6 deep (objects repeat no keys: `serde_json::Map` cannot).
///
/// ```
/// use phx_codec_std::proptest::json_value;
/// use proptest::prelude::*;
/// proptest!(|(value in json_value())| {
///     let text = serde_json::to_string(&value).expect("a Value serializes");
///     prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&text).ok(), Some(value));
/// });
/// ```
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        float().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hard_string(12).prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((hard_string(8), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A JSON object, as Phoenix payloads are.
///
/// ```
/// use phx_codec_std::proptest::json_object;
/// use proptest::prelude::*;
/// proptest!(|(object in json_object())| {
///     prop_assert!(object.is_object());
///     prop_assert!(object.as_object().is_some_and(|o| o.len() < 8));
/// });
/// ```
pub fn json_object() -> impl Strategy<Value = Value> {
    prop::collection::vec((hard_string(8), json_value()), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

/// Payloads of every kind: JSON objects (mostly) and other values, binary bytes, binary
/// replies.
///
/// ```
/// use phx_codec_std::OwnedPayload;
/// use phx_codec_std::proptest::payload;
/// use proptest::prelude::*;
/// proptest!(|(payload in payload())| {
///     // A JSON payload holds JSON text; every payload has a core view.
///     if let OwnedPayload::Json(text) = &payload {
///         prop_assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
///     }
///     prop_assert!(payload.as_payload().is_ok());
/// });
/// ```
pub fn payload() -> impl Strategy<Value = OwnedPayload> {
    prop_oneof![
        4 => json_object().prop_map(|v| OwnedPayload::from_value(&v)),
        1 => json_value().prop_map(|v| OwnedPayload::from_value(&v)),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(OwnedPayload::Binary),
        1 => (header_string(), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(status, response)| OwnedPayload::BinaryReply { status, response }),
    ]
}

/// Frames of every shape; binary replies carry event `phx_reply`, header strings fit a binary
/// frame.
///
/// ```
/// use phx_codec_std::OwnedPayload;
/// use phx_codec_std::proptest::owned_frame;
/// use proptest::prelude::*;
/// proptest!(|(frame in owned_frame())| {
///     if matches!(frame.payload, OwnedPayload::BinaryReply { .. }) {
///         prop_assert_eq!(&frame.event, "phx_reply");
///     }
///     prop_assert!(frame.topic.len() <= 255 && frame.event.len() <= 255);
/// });
/// ```
pub fn owned_frame() -> impl Strategy<Value = OwnedFrame> {
    (
        prop::option::of(header_string()),
        prop::option::of(header_string()),
        header_string(),
        header_string(),
        payload(),
    )
        .prop_map(|(join_ref, reference, topic, event, payload)| {
            let event = if matches!(payload, OwnedPayload::BinaryReply { .. }) {
                phx_codec::binary::REPLY_EVENT.to_owned()
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

/// Papercups topics: a known prefix and a tail.
///
/// ```
/// use phx_codec_std::proptest::topic;
/// use proptest::prelude::*;
/// proptest!(|(topic in topic())| {
///     prop_assert!(topic.contains(':'));
///     prop_assert!(["conversation:", "room:", "notification:", "events:", "issue:"]
///         .iter()
///         .any(|prefix| topic.starts_with(prefix)));
/// });
/// ```
pub fn topic() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "conversation:",
        "conversation:lobby:",
        "room:",
        "notification:",
        "events:",
        "issue:lobby:",
    ]);
    (prefix, "[a-f0-9-]{0,36}").prop_map(|(p, rest)| format!("{p}{rest}"))
}

fn owned_json_object() -> impl Strategy<Value = OwnedJson> {
    json_object().prop_map(|v| OwnedJson::parse(&v.to_string()).unwrap_or_else(|_| empty()))
}

fn empty() -> OwnedJson {
    OwnedJson::parse("{}").unwrap_or_else(|_| unreachable!("`{{}}` is JSON"))
}

/// Shouts: a customer's push (`body`, `customer_id`, `sent_at`, `file_ids`) or an agent's
/// message (`user_id`, `user`, `mentioned_user_ids`, `metadata`).
///
/// ```
/// use phx_codec_std::proptest::shout;
/// use proptest::prelude::*;
/// proptest!(|(shout in shout())| {
///     // written by a customer or by an agent, never both
///     prop_assert!(shout.is_from_customer() != shout.is_from_agent());
///     prop_assert!(shout.body.is_some());
/// });
/// ```
pub fn shout() -> impl Strategy<Value = OwnedShout> {
    let customer = (
        hard_string(40),
        "[a-f0-9-]{1,36}",
        prop::option::of("[0-9T:.Z-]{0,24}"),
    )
        .prop_map(|(body, customer_id, sent_at)| OwnedShout {
            body: Some(body),
            customer_id: Some(customer_id),
            sent_at,
            ..OwnedShout::default()
        });
    let agent = (
        hard_string(40),
        0i64..1_000_000,
        prop::option::of(hard_string(16)),
        prop::option::of(prop::collection::vec(any::<i64>(), 0..4)),
        prop::option::of(owned_json_object()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(body, user_id, name, mentioned, metadata, private)| OwnedShout {
                body: Some(body),
                user_id: Some(user_id),
                user: Some(OwnedUser {
                    id: Some(user_id),
                    full_name: name,
                    ..OwnedUser::default()
                }),
                mentioned_user_ids: mentioned,
                metadata,
                private,
                ..OwnedShout::default()
            },
        );
    prop_oneof![customer, agent]
}

/// Typed messages a client or server pushes on a channel (shouts, reads, pings, presence
/// diffs, `messages:seen`).
///
/// ```
/// use phx_codec_std::proptest::push_message;
/// use proptest::prelude::*;
/// proptest!(|(message in push_message())| {
///     prop_assert!(["shout", "read", "ping", "presence_diff", "messages:seen"].contains(&message.name()));
///     prop_assert!(message.to_payload().is_ok());
/// });
/// ```
pub fn push_message() -> impl Strategy<Value = OwnedMessage> {
    prop_oneof![
        4 => shout().prop_map(|s| OwnedMessage::Shout(Box::new(s))),
        1 => prop::option::of("[a-f0-9-]{1,36}")
            .prop_map(|conversation_id| OwnedMessage::Read(OwnedRead { conversation_id })),
        1 => owned_json_object().prop_map(|json| OwnedMessage::Ping(OwnedPing::Json(json))),
        1 => (0i64..100).prop_map(|id| {
            let mut diff = OwnedPresenceDiff::default();
            diff.joins.insert(OwnedPresenceKey::User(id), crate::typed::OwnedPresence::default());
            OwnedMessage::PresenceDiff(diff)
        }),
        1 => Just(OwnedMessage::MessagesSeen),
    ]
}

/// One step of a client session after the join.
#[derive(Clone, Debug)]
enum Step {
    Push(OwnedMessage),
    Heartbeat,
}

/// A client's session on one channel, in order: `phx_join` (join ref and ref `"1"`, params
/// `{"customer_id": ..}` or `{}`), 0 to 11 pushes of typed messages on the channel
/// interleaved with `heartbeat`s on `phoenix` (null join ref), and `phx_leave`. Refs count up
/// from 1 across the session, as phoenix.js numbers them.
///
/// ```
/// use phx_codec_std::proptest::session;
/// use proptest::prelude::*;
/// proptest!(|(frames in session())| {
///     // refs count up from 1, as phoenix.js numbers them
///     for (i, frame) in frames.iter().enumerate() {
///         prop_assert_eq!(frame.reference.clone(), Some((i + 1).to_string()));
///     }
///     prop_assert!(frames.len() >= 2);
/// });
/// ```
pub fn session() -> impl Strategy<Value = Vec<OwnedFrame>> {
    let step = prop_oneof![
        3 => push_message().prop_map(Step::Push),
        1 => Just(Step::Heartbeat),
    ];
    (
        topic(),
        prop::option::of("[a-f0-9-]{1,36}"),
        prop::collection::vec(step, 0..12),
    )
        .prop_map(|(topic, customer_id, steps)| {
            let join_ref = "1".to_owned();
            let params = customer_id.map_or_else(
                || serde_json::json!({}),
                |id| serde_json::json!({ "customer_id": id }),
            );
            let mut frames = vec![
                OwnedFrame::new(topic.clone(), "phx_join", OwnedPayload::from_value(&params))
                    .with_join_ref(join_ref.clone())
                    .with_ref("1"),
            ];
            let mut next_ref = 2u64;
            for step in steps {
                let frame = match step {
                    Step::Heartbeat => {
                        OwnedFrame::new("phoenix", "heartbeat", OwnedPayload::Json("{}".into()))
                    }
                    Step::Push(message) => {
                        let payload = message
                            .to_payload()
                            .unwrap_or_else(|_| OwnedPayload::Json("{}".into()));
                        OwnedFrame::new(topic.clone(), message.name(), payload)
                            .with_join_ref(join_ref.clone())
                    }
                };
                frames.push(frame.with_ref(next_ref.to_string()));
                next_ref += 1;
            }
            frames.push(
                OwnedFrame::new(topic, "phx_leave", OwnedPayload::Json("{}".into()))
                    .with_join_ref(join_ref)
                    .with_ref(next_ref.to_string()),
            );
            frames
        })
}

/// One byte edit, biased to the bytes that matter to the grammar ([`INTERESTING`]).
///
/// ```
/// use phx_codec_std::mutation::apply;
/// use phx_codec_std::proptest::mutation;
/// use proptest::prelude::*;
/// let valid = br#"[null,"1","room:1","shout",{}]"#.to_vec();
/// proptest!(|(edit in mutation())| {
///     // one edit changes the length by a bounded amount, wherever it lands
///     let edited = apply(valid.clone(), &[edit]);
///     prop_assert!(edited.len() <= valid.len() + 8);
/// });
/// ```
pub fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop::sample::select(INTERESTING.to_vec());
    prop_oneof![
        4 => (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        2 => (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), 1usize..8).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

/// `valid` with 1 to 3 edits: near-valid bytes for a decoder
/// ([`mutation::apply`](crate::mutation::apply)).
///
/// ```
/// use phx_codec::{Direction, WireFormat};
/// use phx_codec_std::FrameExt;
/// use phx_codec_std::proptest::mutations;
/// use proptest::prelude::*;
/// let valid = br#"["1","1","room:1","phx_join",{}]"#.to_vec();
/// proptest!(|(bytes in mutations(valid.clone()))| {
///     // Near-valid input gets a frame or an error, never a panic; a frame it accepts
///     // encodes and decodes back to itself.
///     if let Ok(frame) = phx_codec::decode_text(&bytes) {
///         let again = frame.encode_to_vec(WireFormat::V2, Direction::FromClient).expect("encodes");
///         let back = phx_codec::decode_text(&again).map(|f| f.to_owned_frame());
///         prop_assert_eq!(back.ok(), Some(frame.to_owned_frame()));
///     }
/// });
/// ```
pub fn mutations(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(mutation(), 1..4)
        .prop_map(move |edits| crate::mutation::apply(valid.clone(), &edits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use phx_codec::{Direction, WireFormat};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn sessions_are_join_pushes_heartbeats_leave_with_counting_refs(frames in session()) {
            prop_assert_eq!(&frames[0].event, "phx_join");
            prop_assert_eq!(&frames[frames.len() - 1].event, "phx_leave");
            for (i, frame) in frames.iter().enumerate() {
                prop_assert_eq!(frame.reference.clone(), Some((i + 1).to_string()));
                let view = frame.as_frame().expect("valid");
                let message = view.message().expect("typed without error");
                if frame.topic == "phoenix" {
                    prop_assert_eq!(message.name(), "heartbeat");
                    prop_assert!(frame.join_ref.is_none());
                } else {
                    prop_assert_eq!(frame.join_ref.as_deref(), Some("1"));
                    prop_assert_eq!(message.name(), frame.event.as_str());
                }
                let bytes = frame
                    .encode_to_vec(WireFormat::V2, Direction::FromClient)
                    .expect("encodes");
                prop_assert!(phx_codec::decode_text(&bytes).is_ok());
            }
        }

        #[test]
        fn frames_hold_valid_payloads_and_binary_headers_fit(frame in owned_frame()) {
            let view = frame.as_frame().expect("valid");
            for field in [&frame.topic, &frame.event] {
                prop_assert!(field.len() <= 255);
            }
            if frame.payload.is_binary() {
                prop_assert!(view.encoded_len(WireFormat::Binary, Direction::FromServer).is_ok()
                    || frame.reference.is_some()
                    || view.encoded_len(WireFormat::Binary, Direction::FromClient).is_ok());
            }
        }
    }
}
