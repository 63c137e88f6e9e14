//! Typed messages against the conformance vectors: every typed accessor agrees with the JSON
//! payload the vector states (read independently with serde_json), for every valid vector.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod support;

use phx_codec::message::{Customer, FileId, ReplyStatus, Response, Shout, User};
use phx_codec::presence::{Entries, PresenceKey};
use phx_codec::{JsonStr, Message, Payload, WireFormat};
use serde_json::Value;

/// A string accessor's value as JSON: `None` (absent or null) is `null`.
fn s(v: Option<JsonStr<'_>>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.into_string()))
}

/// The vector's member `key`, with absent read as `null` (the accessors do not tell them apart).
fn member<'v>(object: &'v Value, key: &str) -> &'v Value {
    object.get(key).unwrap_or(&Value::Null)
}

fn check_user(user: Option<User<'_>>, expected: &Value) {
    let Some(u) = user else {
        assert!(
            expected.is_null(),
            "user is None but the payload has {expected}"
        );
        return;
    };
    assert_eq!(
        u.id().map_or(Value::Null, Value::from),
        *member(expected, "id")
    );
    for (key, got) in [
        ("object", s(u.object())),
        ("email", s(u.email())),
        ("full_name", s(u.full_name())),
        ("display_name", s(u.display_name())),
        ("profile_photo_url", s(u.profile_photo_url())),
        ("created_at", s(u.created_at())),
        ("disabled_at", s(u.disabled_at())),
        ("archived_at", s(u.archived_at())),
        ("role", s(u.role())),
    ] {
        assert_eq!(got, *member(expected, key), "user.{key}");
    }
}

fn check_customer(customer: Option<&Customer<'_>>, expected: &Value) {
    let Some(c) = customer else {
        assert!(
            expected.is_null(),
            "customer is None but the payload has {expected}"
        );
        return;
    };
    for (key, got) in [
        ("id", s(c.id())),
        ("object", s(c.object())),
        ("name", s(c.name())),
        ("email", s(c.email())),
        ("phone", s(c.phone())),
        ("external_id", s(c.external_id())),
        ("profile_photo_url", s(c.profile_photo_url())),
        ("company_id", s(c.company_id())),
        ("host", s(c.host())),
        ("pathname", s(c.pathname())),
        ("current_url", s(c.current_url())),
        ("browser", s(c.browser())),
        ("os", s(c.os())),
        ("created_at", s(c.created_at())),
        ("updated_at", s(c.updated_at())),
        ("title", s(c.title())),
    ] {
        assert_eq!(got, *member(expected, key), "customer.{key}");
    }
    let metadata = c
        .metadata()
        .map_or(Value::Null, |m| serde_json::from_str(m.as_str()).unwrap());
    assert_eq!(metadata, *member(expected, "metadata"));
}

fn check_shout(shout: &Shout<'_>, p: &Value) {
    for (key, got) in [
        ("id", s(shout.id())),
        ("object", s(shout.object())),
        ("body", s(shout.body())),
        ("type", s(shout.message_type())),
        ("content_type", s(shout.content_type())),
        ("source", s(shout.source())),
        ("created_at", s(shout.created_at())),
        ("sent_at", s(shout.sent_at())),
        ("seen_at", s(shout.seen_at())),
        ("conversation_id", s(shout.conversation_id())),
        ("account_id", s(shout.account_id())),
        ("customer_id", s(shout.customer_id())),
        ("user_id", shout.user_id().map_or(Value::Null, Value::from)),
        ("private", shout.private().map_or(Value::Null, Value::Bool)),
    ] {
        assert_eq!(got, *member(p, key), "shout.{key}");
    }
    check_user(shout.user(), member(p, "user"));
    check_customer(shout.customer().as_ref(), member(p, "customer"));
    let attachments: Vec<Value> = shout
        .attachments()
        .map(|a| {
            serde_json::json!({
                "id": match a.id() {
                    Some(FileId::Int(n)) => Value::from(n),
                    Some(FileId::Str(s)) => Value::String(s.into_string()),
                    None => Value::Null,
                },
                "object": s(a.object()),
                "file_url": s(a.file_url()),
                "content_type": s(a.content_type()),
                "filename": s(a.filename()),
            })
        })
        .collect();
    let expected = member(p, "attachments")
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(attachments, expected, "shout.attachments");
    let file_ids: Vec<Value> = shout
        .file_ids()
        .map(|id| match id {
            FileId::Int(n) => Value::from(n),
            FileId::Str(s) => Value::String(s.into_string()),
        })
        .collect();
    assert_eq!(
        file_ids,
        member(p, "file_ids")
            .as_array()
            .cloned()
            .unwrap_or_default()
    );
    let mentioned: Vec<Value> = shout.mentioned_user_ids().map(Value::from).collect();
    assert_eq!(
        mentioned,
        member(p, "mentioned_user_ids")
            .as_array()
            .cloned()
            .unwrap_or_default()
    );
    // Who sent it, per the spec: customer_id set, user_id set, or type "bot".
    assert_eq!(
        shout.is_from_customer(),
        member(p, "customer_id").is_string()
    );
    assert_eq!(shout.is_from_agent(), member(p, "user_id").is_i64());
    assert_eq!(shout.is_bot(), member(p, "type") == "bot");
}

/// A presence map rebuilt from the typed iterators, as the JSON Phoenix sends.
fn presence_value(entries: Entries<'_>) -> Value {
    let mut map = serde_json::Map::new();
    for (key, metas) in entries {
        match key {
            PresenceKey::User(id) => assert_eq!(key.user_id(), Some(id)),
            PresenceKey::Customer(id) => assert_eq!(key.customer_id(), Some(id)),
            PresenceKey::Other(_) => {}
        }
        let metas: Vec<Value> = metas
            .map(|m| {
                if let Some(secs) = m.online_at_secs() {
                    assert_eq!(s(m.online_at()), Value::String(secs.to_string()));
                }
                let mut meta: serde_json::Map<String, Value> =
                    serde_json::from_str(m.raw().as_str()).unwrap();
                // The typed fields agree with the raw meta.
                for (k, got) in [
                    ("phx_ref", s(m.phx_ref())),
                    ("phx_ref_prev", s(m.phx_ref_prev())),
                    ("online_at", s(m.online_at())),
                    ("customer_id", s(m.customer_id())),
                    ("user_id", m.user_id().map_or(Value::Null, Value::from)),
                ] {
                    assert_eq!(&got, meta.get(k).unwrap_or(&Value::Null), "meta.{k}");
                }
                meta.retain(|_, v| !v.is_null());
                Value::Object(meta)
            })
            .collect();
        map.insert(key.to_string(), serde_json::json!({ "metas": metas }));
    }
    Value::Object(map)
}

#[test]
fn every_valid_vector_reads_the_same_through_its_typed_message() {
    let mut typed = 0;
    for case in support::valid_cases() {
        let id = case.id();
        let frame = case.decode().unwrap();
        let message = frame
            .message()
            .unwrap_or_else(|e| panic!("{id}: message(): {e}"));
        let payload = case.decoded.as_ref().unwrap().get("payload");
        let p = payload.unwrap_or(&Value::Null);
        match &message {
            Message::Shout(shout) => check_shout(shout, p),
            Message::Join(join) => {
                assert_eq!(s(join.customer_id()), *member(p, "customer_id"), "{id}");
                let params: Value = serde_json::from_str(join.raw().as_str()).unwrap();
                assert!(support::json_eq(&params, p), "{id}");
            }
            Message::Reply(reply) => {
                let (status, response) = match frame.payload() {
                    Payload::BinaryReply { status, response } => {
                        (Value::String(status.into_string()), Some(response))
                    }
                    _ => (member(p, "status").clone(), None),
                };
                let got_status = reply.status().map_or(Value::Null, |st| {
                    Value::String(st.as_json_str().into_string())
                });
                assert_eq!(got_status, status, "{id}");
                assert_eq!(reply.is_ok(), status == "ok", "{id}");
                assert_eq!(reply.is_error(), status == "error", "{id}");
                match reply.status() {
                    Some(ReplyStatus::Ok) => assert_eq!(status, "ok"),
                    Some(ReplyStatus::Error) => assert_eq!(status, "error"),
                    Some(ReplyStatus::Other(other)) => {
                        assert_eq!(Value::String(other.into_string()), status);
                    }
                    None => assert!(status.is_null()),
                }
                match (reply.response(), response) {
                    (Response::Binary(bytes), Some(expected)) => assert_eq!(bytes, expected),
                    (Response::Json(raw), None) => {
                        let got: Value = serde_json::from_str(raw.as_str()).unwrap();
                        assert!(support::json_eq(&got, member(p, "response")), "{id}");
                        assert_eq!(
                            s(reply.reason()),
                            *member(member(p, "response"), "reason"),
                            "{id}"
                        );
                    }
                    (Response::Absent, None) => assert!(member(p, "response").is_null()),
                    (got, expected) => panic!("{id}: response {got:?} vs {expected:?}"),
                }
            }
            Message::Error(e) => assert_eq!(s(e.reason()), *member(p, "reason"), "{id}"),
            Message::Read(r) => {
                assert_eq!(
                    s(r.conversation_id()),
                    *member(p, "conversation_id"),
                    "{id}"
                );
            }
            Message::ConversationCreated(c) => assert_eq!(s(c.id()), *member(p, "id"), "{id}"),
            Message::ConversationUpdated(c) => {
                assert_eq!(s(c.id()), *member(p, "id"), "{id}");
                let updates: Value = serde_json::from_str(c.updates().unwrap().as_str()).unwrap();
                assert_eq!(updates, *member(p, "updates"), "{id}");
            }
            Message::ReplayEventEmitted(r) => {
                let event: Value = serde_json::from_str(r.event().unwrap().as_str()).unwrap();
                assert!(support::json_eq(&event, member(p, "event")), "{id}");
            }
            Message::PresenceState(state) => {
                assert_eq!(presence_value(state.entries()), *p, "{id}");
            }
            Message::PresenceDiff(diff) => {
                assert_eq!(presence_value(diff.joins()), *member(p, "joins"), "{id}");
                assert_eq!(presence_value(diff.leaves()), *member(p, "leaves"), "{id}");
            }
            Message::Heartbeat => assert_eq!(frame.topic(), "phoenix", "{id}"),
            Message::IssueCreated(i) | Message::IssueUpdated(i) => {
                let issue = p.get("issue").unwrap_or(p);
                assert_eq!(s(i.id()), *member(issue, "id"), "{id}");
                assert_eq!(s(i.title()), *member(issue, "title"), "{id}");
            }
            Message::Ping(ping) => {
                let json = ping
                    .json()
                    .map(|raw| serde_json::from_str::<Value>(raw.as_str()).unwrap());
                assert_eq!(json.as_ref(), payload, "{id}");
            }
            // Nothing is read from these payloads.
            Message::Leave
            | Message::Close
            | Message::MessagesSeen
            | Message::SessionActive
            | Message::SessionInactive
            | Message::Other => {}
        }
        // The serde view of the message is valid JSON.
        let json = serde_json::to_string(&message).unwrap();
        assert!(serde_json::from_str::<Value>(&json).is_ok(), "{id}: {json}");
        typed += 1;
    }
    assert!(typed >= 40, "only {typed} vectors checked");
}

#[test]
fn typed_messages_read_escaped_keys_and_values_and_take_the_last_duplicate() {
    let frame = phx_codec::decode_text(
        br#"[null,"3","conversation:1","shout",{"b\u006fdy":"first","customer_id":"c1","body":"caf\u00e9 \ud83d\ude00"}]"#,
    )
    .unwrap();
    let Message::Shout(shout) = frame.message().unwrap() else {
        panic!("not a shout");
    };
    assert_eq!(shout.body().unwrap(), "café 😀");
    assert_eq!(shout.customer_id().unwrap(), "c1");
    assert!(shout.is_from_customer());
}

#[test]
fn a_known_field_of_the_wrong_type_is_an_error_at_its_offset() {
    let text = br#"[null,"3","conversation:1","shout",{"body":42}]"#;
    let frame = phx_codec::decode_text(text).unwrap();
    let err = frame.message().unwrap_err();
    let payload = frame.payload_json().unwrap().as_str();
    assert_eq!(err.offset, payload.find("42").unwrap(), "{err}");
    assert!(!err.to_string().is_empty());
    // The frame itself stays readable.
    assert_eq!(frame.payload_get("body").unwrap().as_i64(), Some(42));
}

#[test]
fn heartbeat_is_typed_only_on_the_phoenix_topic() {
    let on_phoenix = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).unwrap();
    assert_eq!(on_phoenix.message().unwrap(), Message::Heartbeat);
    let elsewhere = phx_codec::decode_text(br#"[null,"1","room:1","heartbeat",{}]"#).unwrap();
    assert_eq!(elsewhere.message().unwrap().name(), "other");
}

#[test]
fn text_vectors_give_the_same_typed_message_in_v1_and_v2() {
    for case in support::valid_cases() {
        if case.format == WireFormat::Binary {
            continue;
        }
        let frame = case.decode().unwrap();
        let mut v1 = Vec::new();
        let mut v2 = Vec::new();
        frame.encode_v1(&mut v1).unwrap();
        frame.encode_v2(&mut v2).unwrap();
        let a = phx_codec::v1::decode_v1(&v1).unwrap();
        let b = phx_codec::decode_text(&v2).unwrap();
        assert_eq!(
            serde_json::to_value(a.message().unwrap()).unwrap(),
            serde_json::to_value(b.message().unwrap()).unwrap(),
            "{}",
            case.id()
        );
    }
}

#[test]
fn binary_frames_give_typed_messages_where_the_spec_allows_and_errors_elsewhere() {
    use phx_codec::message::MessageErrorKind;
    use phx_codec::{Direction, binary};
    // A binary reply is a reply whose response is the bytes.
    let reply = binary::decode_from_server(b"\x01\x01\x01\x01\x02jrtok\x00\xff").unwrap();
    let Message::Reply(r) = reply.message().unwrap() else {
        panic!("not a reply");
    };
    assert_eq!(r.status(), Some(ReplyStatus::Ok));
    assert_eq!(r.response(), Response::Binary(&[0x00, 0xff]));
    assert_eq!(r.reason(), None);
    // A binary push whose event needs a JSON object is an error, not a panic or a guess.
    for direction in [Direction::FromClient, Direction::FromServer] {
        let mut bytes = vec![0u8, 1];
        if direction == Direction::FromClient {
            bytes.push(1);
        }
        bytes.extend_from_slice(&[1, 5, b'j']);
        if direction == Direction::FromClient {
            bytes.push(b'r');
        }
        bytes.extend_from_slice(b"tshout\x01\x02");
        let frame = binary::decode_binary(&bytes, direction).unwrap();
        assert_eq!(frame.event(), "shout");
        let err = frame.message().unwrap_err();
        assert_eq!(err.kind, MessageErrorKind::BinaryPayload);
        assert_eq!(err.offset, 0);
        assert!(!err.to_string().is_empty());
    }
    // Events without fields and unknown events never fail on binary payloads.
    let broadcast = binary::decode_from_server(b"\x02\x01\x09tphx_leave\x00\x01").unwrap();
    assert_eq!(broadcast.message().unwrap(), Message::Leave);
    let other = binary::decode_from_server(b"\x02\x01\x06tupload\x00\x01").unwrap();
    assert_eq!(other.message().unwrap(), Message::Other);
}

#[test]
fn message_errors_name_the_field_and_point_into_the_payload() {
    use phx_codec::JsonKind;
    use phx_codec::message::MessageErrorKind;
    for (payload, field, expected, found, value) in [
        (
            r#"{"body":"x","user_id":"7"}"#,
            "user_id",
            JsonKind::Number,
            JsonKind::String,
            r#""7""#,
        ),
        (
            r#"{"user":{"id":7,"email":5}}"#,
            "user.email",
            JsonKind::String,
            JsonKind::Number,
            "5}",
        ),
        (
            r#"{"private":"yes"}"#,
            "private",
            JsonKind::Bool,
            JsonKind::String,
            r#""yes""#,
        ),
        (
            r#"{"customer":[]}"#,
            "customer",
            JsonKind::Object,
            JsonKind::Array,
            "[]",
        ),
    ] {
        let text = format!(r#"[null,null,"conversation:1","shout",{payload}]"#);
        let frame = phx_codec::decode_text(text.as_bytes()).unwrap();
        let err = frame.message().unwrap_err();
        assert_eq!(
            err.kind,
            MessageErrorKind::WrongType {
                field,
                expected,
                found
            },
            "{payload}"
        );
        assert_eq!(err.offset, payload.find(value).unwrap(), "{payload}");
        assert!(err.to_string().contains(field), "{err}");
    }
    let frame = phx_codec::decode_text(br#"[null,null,"t","shout",[1]]"#).unwrap();
    assert_eq!(
        frame.message().unwrap_err().kind,
        MessageErrorKind::PayloadNotObject {
            found: JsonKind::Array
        }
    );
    let frame = phx_codec::decode_text(br#"[null,null,"t","shout",{"user_id":1.5}]"#).unwrap();
    assert_eq!(
        frame.message().unwrap_err().kind,
        MessageErrorKind::NotAnInteger { field: "user_id" }
    );
}

mod generated {
    //! Generated shout payloads (every field optional, any spelling) read the same through the
    //! typed view as through serde_json.

    use super::check_shout;
    use phx_codec::Message;
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    fn text() -> impl Strategy<Value = Value> {
        prop_oneof![
            3 => prop::collection::vec(any::<char>(), 0..8)
                .prop_map(|c| Value::String(c.into_iter().collect())),
            1 => "[a-z\"\\\\/ \\n\\t]{0,6}".prop_map(Value::String),
            1 => Just(Value::Null),
        ]
    }

    fn maybe<T: std::fmt::Debug + Clone>(
        s: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Option<T>> {
        prop::option::weighted(0.7, s)
    }

    fn object(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> BoxedStrategy<Value> {
        let parts: Vec<BoxedStrategy<Option<(&'static str, Value)>>> = fields
            .into_iter()
            .map(|(k, s)| maybe(s.prop_map(move |v| (k, v))).boxed())
            .collect();
        parts
            .prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .flatten()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            })
            .boxed()
    }

    fn int() -> BoxedStrategy<Value> {
        prop_oneof![any::<i64>().prop_map(Value::from), Just(Value::Null)].boxed()
    }

    fn strings(keys: &[&'static str]) -> Vec<(&'static str, BoxedStrategy<Value>)> {
        keys.iter().map(|&k| (k, text().boxed())).collect()
    }

    fn shout_payload() -> BoxedStrategy<Value> {
        let mut user = strings(&[
            "object",
            "email",
            "full_name",
            "display_name",
            "profile_photo_url",
            "created_at",
            "disabled_at",
            "archived_at",
            "role",
        ]);
        user.push(("id", int()));
        let mut customer = strings(&[
            "id",
            "object",
            "name",
            "email",
            "phone",
            "external_id",
            "profile_photo_url",
            "company_id",
            "host",
            "pathname",
            "current_url",
            "browser",
            "os",
            "created_at",
            "updated_at",
            "title",
        ]);
        customer.push(("metadata", Just(json!({"plan": "pro"})).boxed()));
        let attachment = (
            prop_oneof![any::<i64>().prop_map(Value::from), text()],
            text(),
            text(),
            text(),
            text(),
        )
            .prop_map(|(id, object, file_url, content_type, filename)| {
                json!({"id": id, "object": object, "file_url": file_url,
                       "content_type": content_type, "filename": filename})
            });
        let mut shout = strings(&[
            "id",
            "object",
            "body",
            "type",
            "content_type",
            "source",
            "created_at",
            "sent_at",
            "seen_at",
            "conversation_id",
            "account_id",
            "customer_id",
        ]);
        shout.push(("user_id", int()));
        shout.push((
            "private",
            prop_oneof![any::<bool>().prop_map(Value::Bool), Just(Value::Null)].boxed(),
        ));
        shout.push(("user", prop_oneof![object(user), Just(Value::Null)].boxed()));
        shout.push((
            "customer",
            prop_oneof![object(customer), Just(Value::Null)].boxed(),
        ));
        shout.push((
            "attachments",
            prop::collection::vec(attachment, 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ));
        shout.push((
            "file_ids",
            prop::collection::vec(
                prop_oneof![
                    any::<i64>().prop_map(Value::from),
                    "[a-f0-9]{4}".prop_map(Value::String)
                ],
                0..3,
            )
            .prop_map(Value::Array)
            .boxed(),
        ));
        shout.push((
            "mentioned_user_ids",
            prop::collection::vec(any::<i64>().prop_map(Value::from), 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ));
        shout.push((
            "metadata",
            prop_oneof![Just(json!({"a": [1, {"b": null}]})), Just(Value::Null)].boxed(),
        ));
        object(shout)
    }

    /// `value` as JSON with every string and key written as `\uXXXX` escapes.
    fn escaped_json(value: &Value) -> String {
        let escape = |s: &str| {
            let mut out = String::from("\"");
            for unit in s.encode_utf16() {
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{unit:04x}"));
            }
            out + "\""
        };
        match value {
            Value::String(s) => escape(s),
            Value::Array(items) => {
                format!(
                    "[{}]",
                    items.iter().map(escaped_json).collect::<Vec<_>>().join(",")
                )
            }
            Value::Object(map) => format!(
                "{{{}}}",
                map.iter()
                    .map(|(k, v)| format!("{}:{}", escape(k), escaped_json(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => other.to_string(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn generated_shouts_read_the_same_typed_as_through_serde_json(
            payload in shout_payload(),
            escaped in any::<bool>(),
        ) {
            let text = if escaped {
                escaped_json(&payload)
            } else {
                serde_json::to_string(&payload).unwrap()
            };
            let frame_text = format!(r#"[null,"3","conversation:1","shout",{text}]"#);
            let frame = phx_codec::decode_text(frame_text.as_bytes()).unwrap();
            match frame.message() {
                Ok(Message::Shout(shout)) => check_shout(&shout, &payload),
                other => prop_assert!(false, "{:?} for {}", other, frame_text),
            }
        }
    }
}
