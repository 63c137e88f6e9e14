//! Typed Papercups messages through the public API (moved from `codec/src/message.rs`).
#![allow(clippy::unwrap_used)]

use phx_codec::message::{
    FileId, Message, MessageError, MessageErrorKind, Reply, ReplyStatus, Response, Shout,
};
use phx_codec::{Frame, JsonKind, Payload, RawJson, decode_text};

// Frames copied from tests/data/v2.json.
const SEED_SHOUT: &str = r#"[null,"3","conversation:1a2b3c","shout",{"body":"Hi, I need help with my order","customer_id":"cus_123","conversation_id":"1a2b3c"}]"#;
const WIDGET_SHOUT: &str = r#"["1","5","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"body":"Is anyone there?","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","sent_at":"2026-11-24T15:01:02.003Z"}]"#;
const DASHBOARD_SHOUT: &str = r#"["4","9","notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","shout",{"body":"On it!","conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","mentioned_user_ids":[8],"file_ids":[],"private":false}]"#;
const HEARTBEAT: &str = r#"[null,"12","phoenix","heartbeat",{}]"#;
const HEARTBEAT_REPLY: &str = r#"[null,"12","phoenix","phx_reply",{"status":"ok","response":{}}]"#;
const JOIN_CUSTOMER: &str = r#"["1","1","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_join",{"customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]"#;
const JOIN_ROOM: &str = r#"["2","2","room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","phx_join",{}]"#;
const JOIN_REPLY_UNAUTHORIZED: &str = r#"["3","3","notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","phx_reply",{"status":"error","response":{"reason":"Unauthorized"}}]"#;
const UNMATCHED_TOPIC_REPLY: &str =
    r#"[null,"6","nope:1","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}]"#;
const PING_REPLY: &str = r#"["1","7","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_reply",{"status":"ok","response":{"t":1732460000}}]"#;
const BROADCAST_SHOUT_AGENT: &str = r#"[null,null,"conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"id":"a1b2c3d4-0000-4000-8000-00000000abcd","object":"message","body":"Your order ships today 🚚","type":"reply","content_type":"text","private":false,"source":"chat","created_at":"2026-11-24T15:00:00","sent_at":"2026-11-24T15:00:00.123Z","seen_at":null,"conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","account_id":"2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","user_id":7,"user":{"id":7,"object":"user","email":"agent@example.com","created_at":"2026-01-02T03:04:05","disabled_at":null,"archived_at":null,"full_name":"Ada Agent","display_name":"Ada","profile_photo_url":null,"role":"admin"},"customer_id":null,"attachments":[{"id":3,"object":"file","file_url":"https://files.example.com/a.png","content_type":"image/png","filename":"a.png"}],"metadata":null}]"#;
const BROADCAST_SHOUT_CUSTOMER: &str = r#"[null,null,"notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","shout",{"id":"a1b2c3d4-0000-4000-8000-00000000abcd","object":"message","body":"Hi, I need help with my order #4521.\nIt hasn't shipped yet.","type":"reply","content_type":"text","private":false,"source":"chat","created_at":"2026-11-24T15:00:00","sent_at":"2026-11-24T15:00:00.123Z","seen_at":null,"conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","account_id":"2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","user_id":null,"user":null,"customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","attachments":[],"metadata":null,"customer":{"id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","object":"customer","name":"Zoë Customer","email":"zoe@example.com","created_at":"2026-11-20T10:00:00","updated_at":"2026-11-20T10:00:00","phone":null,"external_id":"ext-42","profile_photo_url":null,"company_id":null,"host":"shop.example.com","pathname":"/orders/4521","current_url":"https://shop.example.com/orders/4521","browser":"Firefox","os":"Linux","metadata":{"plan":"pro"},"title":"Zoë Customer"}}]"#;
const MESSAGES_SEEN: &str =
    r#"["1","8","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","messages:seen",{}]"#;
const READ: &str = r#"["4","10","notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","read",{"conversation_id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"}]"#;
const LOBBY_CREATED: &str = r#"[null,null,"conversation:lobby:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","conversation:created",{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"}]"#;
const CONVERSATION_UPDATED: &str = r#"[null,null,"notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","conversation:updated",{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","updates":{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","status":"closed","priority":"not_priority","read":true}}]"#;
const LEAVE: &str =
    r#"["1","11","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_leave",{}]"#;
const CLOSE: &str =
    r#"["1","1","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_close",{}]"#;
const ERROR: &str = r#"["1","1","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","phx_error",{"reason":"channel_crash"}]"#;
const ESCAPES_BODY: &str = r#"["1","13","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"body":"quote \" backslash \\ tab \t newline \n nul \u0000 bell \u0007 del ","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]"#;
const REPLAY_EVENT: &str = r#"[null,null,"events:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","replay:event:emitted",{"event":{"type":3,"data":{"x":1500.0,"y":-0.25}}}]"#;
const EMPTY_STRINGS: &str = r#"["","","","",{}]"#;
const ESCAPED_TOPIC: &str = r#"["1","2","conversation:\u0061bc","phx_join",{}]"#;

fn message(text: &str) -> Message<'_> {
    decode_text(text.as_bytes()).unwrap().message().unwrap()
}

fn shout(text: &str) -> Shout<'_> {
    match message(text) {
        Message::Shout(shout) => shout,
        other => panic!("not a shout: {other:?}"),
    }
}

fn reply(text: &str) -> Reply<'_> {
    match message(text) {
        Message::Reply(reply) => reply,
        other => panic!("not a reply: {other:?}"),
    }
}

fn error(text: &str) -> MessageError {
    decode_text(text.as_bytes()).unwrap().message().unwrap_err()
}

fn payload_of(text: &str) -> &str {
    decode_text(text.as_bytes())
        .unwrap()
        .payload_json()
        .unwrap()
        .as_str()
}

#[test]
fn client_shouts_expose_their_fields() {
    let seed = shout(SEED_SHOUT);
    assert_eq!(seed.body().unwrap(), "Hi, I need help with my order");
    assert_eq!(seed.customer_id().unwrap(), "cus_123");
    assert_eq!(seed.conversation_id().unwrap(), "1a2b3c");
    assert!(seed.is_from_customer() && !seed.is_from_agent() && !seed.is_bot());

    let widget = shout(WIDGET_SHOUT);
    assert_eq!(widget.sent_at().unwrap(), "2026-11-24T15:01:02.003Z");
    assert_eq!(widget.file_ids().count(), 0);
    assert!(widget.id().is_none() && widget.user().is_none() && widget.private().is_none());

    let dashboard = shout(DASHBOARD_SHOUT);
    assert_eq!(
        dashboard
            .mentioned_user_ids()
            .collect::<heapless::Vec<_, 4>>(),
        [8]
    );
    assert_eq!(dashboard.file_ids().count(), 0);
    assert_eq!(dashboard.private(), Some(false));
    assert!(!dashboard.is_from_customer());
}

#[test]
fn an_agent_broadcast_reads_user_and_attachments() {
    let s = shout(BROADCAST_SHOUT_AGENT);
    assert_eq!(s.id().unwrap(), "a1b2c3d4-0000-4000-8000-00000000abcd");
    assert_eq!(s.object().unwrap(), "message");
    assert_eq!(s.body().unwrap(), "Your order ships today 🚚");
    assert_eq!(s.message_type().unwrap(), "reply");
    assert_eq!(s.content_type().unwrap(), "text");
    assert_eq!(s.source().unwrap(), "chat");
    assert_eq!(s.created_at().unwrap(), "2026-11-24T15:00:00");
    assert_eq!(s.sent_at().unwrap(), "2026-11-24T15:00:00.123Z");
    assert!(s.seen_at().is_none(), "null reads as None");
    assert_eq!(
        s.account_id().unwrap(),
        "2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5"
    );
    assert_eq!(s.user_id(), Some(7));
    assert!(s.customer_id().is_none() && s.customer().is_none());
    assert!(s.metadata().is_none());
    assert!(s.is_from_agent() && !s.is_from_customer());

    let user = s.user().unwrap();
    assert_eq!(user.id(), Some(7));
    assert_eq!(user.object().unwrap(), "user");
    assert_eq!(user.email().unwrap(), "agent@example.com");
    assert_eq!(user.full_name().unwrap(), "Ada Agent");
    assert_eq!(user.display_name().unwrap(), "Ada");
    assert_eq!(user.role().unwrap(), "admin");
    assert_eq!(user.created_at().unwrap(), "2026-01-02T03:04:05");
    assert!(user.profile_photo_url().is_none() && user.disabled_at().is_none());
    assert!(user.archived_at().is_none());
    assert!(user.raw().as_str().starts_with(r#"{"id":7,"#));

    let mut attachments = s.attachments();
    let a = attachments.next().unwrap();
    assert!(attachments.next().is_none());
    assert_eq!(a.id(), Some(FileId::Int(3)));
    assert_eq!(a.object().unwrap(), "file");
    assert_eq!(a.file_url().unwrap(), "https://files.example.com/a.png");
    assert_eq!(a.content_type().unwrap(), "image/png");
    assert_eq!(a.filename().unwrap(), "a.png");
}

#[test]
fn a_customer_broadcast_reads_the_embedded_customer() {
    let s = shout(BROADCAST_SHOUT_CUSTOMER);
    assert_eq!(
        s.body().unwrap(),
        "Hi, I need help with my order #4521.\nIt hasn't shipped yet."
    );
    assert!(s.body().unwrap().has_escapes());
    assert!(s.user().is_none() && s.user_id().is_none());
    assert_eq!(s.attachments().count(), 0);
    assert!(s.is_from_customer());
    let c = s.customer().unwrap();
    assert_eq!(c.id().unwrap(), "c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b");
    assert_eq!(c.object().unwrap(), "customer");
    assert_eq!(c.name().unwrap(), "Zoë Customer");
    assert_eq!(c.email().unwrap(), "zoe@example.com");
    assert!(c.phone().is_none() && c.profile_photo_url().is_none());
    assert!(c.company_id().is_none());
    assert_eq!(c.external_id().unwrap(), "ext-42");
    assert_eq!(c.host().unwrap(), "shop.example.com");
    assert_eq!(c.pathname().unwrap(), "/orders/4521");
    assert_eq!(
        c.current_url().unwrap(),
        "https://shop.example.com/orders/4521"
    );
    assert_eq!(c.browser().unwrap(), "Firefox");
    assert_eq!(c.os().unwrap(), "Linux");
    assert_eq!(c.metadata().unwrap().as_str(), r#"{"plan":"pro"}"#);
    assert_eq!(c.created_at().unwrap(), "2026-11-20T10:00:00");
    assert_eq!(c.updated_at().unwrap(), "2026-11-20T10:00:00");
    assert_eq!(c.title().unwrap(), "Zoë Customer");
}

#[test]
fn escaped_and_unicode_bodies_unescape_lazily() {
    let s = shout(ESCAPES_BODY);
    let body = s.body().unwrap();
    assert!(body.has_escapes());
    assert_eq!(
        body,
        "quote \" backslash \\ tab \t newline \n nul \u{0} bell \u{7} del "
    );
}

#[test]
fn heartbeat_is_typed_only_on_the_phoenix_topic() {
    assert_eq!(message(HEARTBEAT), Message::Heartbeat);
    assert_eq!(
        message(r#"[null,"1","room:1","heartbeat",{}]"#),
        Message::Other
    );
}

#[test]
fn replies_read_status_response_and_reason() {
    let ok = reply(HEARTBEAT_REPLY);
    assert_eq!(ok.status(), Some(ReplyStatus::Ok));
    assert!(ok.is_ok() && !ok.is_error());
    assert_eq!(ok.response(), Response::Json(RawJson::parse("{}").unwrap()));
    assert!(ok.reason().is_none());

    let unauthorized = reply(JOIN_REPLY_UNAUTHORIZED);
    assert!(unauthorized.is_error());
    assert_eq!(unauthorized.reason().unwrap(), "Unauthorized");
    assert_eq!(
        reply(UNMATCHED_TOPIC_REPLY).reason().unwrap(),
        "unmatched topic"
    );

    let ping = reply(PING_REPLY);
    let Response::Json(response) = ping.response() else {
        panic!("json response expected")
    };
    assert_eq!(response.get("t").unwrap().as_i64(), Some(1_732_460_000));
}

#[test]
fn reply_status_null_absent_or_unknown() {
    let r = reply(r#"[null,"1","t","phx_reply",{"status":null}]"#);
    assert_eq!(r.status(), None);
    assert_eq!(r.response(), Response::Absent);
    let r = reply(r#"[null,"1","t","phx_reply",{"response":null}]"#);
    assert_eq!((r.status(), r.response()), (None, Response::Absent));
    let r = reply(r#"[null,"1","t","phx_reply",{"status":"timeout","response":{}}]"#);
    assert_eq!(r.status(), Some(ReplyStatus::Other("timeout".into())));
    let err = error(r#"[null,"1","t","phx_reply",{"status":1}]"#);
    assert_eq!(
        err.kind,
        MessageErrorKind::WrongType {
            field: "status",
            expected: JsonKind::String,
            found: JsonKind::Number
        }
    );
    assert_eq!(err.offset, 10);
}

#[test]
fn binary_replies_carry_their_status_and_bytes() {
    let frame = Frame::new(
        Some("1".into()),
        Some("42".into()),
        "conversation:x".into(),
        "phx_reply".into(),
        Payload::BinaryReply {
            status: "ok".into(),
            response: b"\x00\x11",
        },
    );
    let Ok(Message::Reply(r)) = frame.message() else {
        panic!("reply expected")
    };
    assert!(r.is_ok());
    assert_eq!(r.response(), Response::Binary(b"\x00\x11"));
    assert!(r.reason().is_none());
}

#[test]
fn joins_read_the_customer_id_and_keep_params() {
    let Message::Join(join) = message(JOIN_CUSTOMER) else {
        panic!("join expected")
    };
    assert_eq!(
        join.customer_id().unwrap(),
        "c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"
    );
    assert_eq!(join.raw().as_str(), payload_of(JOIN_CUSTOMER));
    let Message::Join(join) = message(JOIN_ROOM) else {
        panic!("join expected")
    };
    assert!(join.customer_id().is_none());
    assert!(matches!(message(ESCAPED_TOPIC), Message::Join(_)));
}

#[test]
fn lifecycle_messages_without_fields() {
    assert_eq!(message(LEAVE), Message::Leave);
    assert_eq!(message(CLOSE), Message::Close);
    assert_eq!(message(MESSAGES_SEEN), Message::MessagesSeen);
    assert_eq!(message(EMPTY_STRINGS), Message::Other);
    assert_eq!(
        message(r#"[null,null,"events:a:b","session:active",{}]"#),
        Message::SessionActive
    );
    assert_eq!(
        message(r#"[null,null,"events:a:b","session:inactive",[]]"#),
        Message::SessionInactive
    );
    let Message::Error(e) = message(ERROR) else {
        panic!("error expected")
    };
    assert_eq!(e.reason().unwrap(), "channel_crash");
    let Message::Error(e) = message(r#"["1","1","t","phx_error",{}]"#) else {
        panic!("error expected")
    };
    assert!(e.reason().is_none());
}

#[test]
fn read_and_conversation_notices() {
    let Message::Read(read) = message(READ) else {
        panic!("read expected")
    };
    assert_eq!(
        read.conversation_id().unwrap(),
        "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"
    );
    let Message::ConversationCreated(created) = message(LOBBY_CREATED) else {
        panic!("created expected")
    };
    assert_eq!(
        created.id().unwrap(),
        "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"
    );
    let Message::ConversationUpdated(updated) = message(CONVERSATION_UPDATED) else {
        panic!("updated expected")
    };
    assert_eq!(
        updated.id().unwrap(),
        "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"
    );
    let updates = updated.updates().unwrap();
    assert_eq!(
        updates.get("status").unwrap().as_json_str().unwrap(),
        "closed"
    );
}

#[test]
fn ping_keeps_any_payload_to_echo() {
    let Message::Ping(ping) = message(r#"["1","7","conversation:x","ping",{"t":1}]"#) else {
        panic!("ping expected")
    };
    assert_eq!(ping.json().unwrap().as_str(), r#"{"t":1}"#);
    let Message::Ping(ping) = message(r#"["1","7","conversation:x","ping",[1,2]]"#) else {
        panic!("ping expected")
    };
    assert_eq!(ping.json().unwrap().as_str(), "[1,2]");
    let binary = Frame::new(
        None,
        None,
        "t".into(),
        "ping".into(),
        Payload::Binary(b"ab"),
    );
    let Ok(Message::Ping(ping)) = binary.message() else {
        panic!("ping expected")
    };
    assert_eq!(ping.payload(), Payload::Binary(b"ab"));
    assert!(ping.json().is_none());
}

#[test]
fn replay_events_and_issues() {
    let Message::ReplayEventEmitted(replay) = message(REPLAY_EVENT) else {
        panic!("replay expected")
    };
    assert_eq!(
        replay.event().unwrap().as_str(),
        r#"{"type":3,"data":{"x":1500.0,"y":-0.25}}"#
    );
    let bare = r#"[null,null,"issue:lobby:c","issue:created",{"id":"i1","title":"Broken","state":"unstarted"}]"#;
    let Message::IssueCreated(issue) = message(bare) else {
        panic!("issue expected")
    };
    assert_eq!(
        (issue.id().unwrap(), issue.title().unwrap()),
        ("i1".into(), "Broken".into())
    );
    assert_eq!(issue.state().unwrap(), "unstarted");
    let wrapped = r#"[null,null,"issue:lobby:c","issue:updated",{"issue":{"id":"i1","state":"done","body":"b"}}]"#;
    let Message::IssueUpdated(issue) = message(wrapped) else {
        panic!("issue expected")
    };
    assert_eq!(issue.state().unwrap(), "done");
    assert_eq!(issue.body().unwrap(), "b");
    assert_eq!(
        issue.raw().as_str(),
        r#"{"id":"i1","state":"done","body":"b"}"#
    );
    let err = error(r#"[null,null,"i","issue:updated",{"issue":{"title":5}}]"#);
    assert_eq!((err.kind.name(), err.offset), ("wrong_type", 18));
}

#[test]
fn wrong_types_name_the_field_and_point_at_the_value() {
    let cases: &[(&str, &str, JsonKind, JsonKind, &str)] = &[
        (
            r#"{"body":5}"#,
            "body",
            JsonKind::String,
            JsonKind::Number,
            "5",
        ),
        (
            r#"{"private":"yes"}"#,
            "private",
            JsonKind::Bool,
            JsonKind::String,
            r#""yes""#,
        ),
        (
            r#"{"user_id":"7"}"#,
            "user_id",
            JsonKind::Number,
            JsonKind::String,
            r#""7""#,
        ),
        (
            r#"{"metadata":[]}"#,
            "metadata",
            JsonKind::Object,
            JsonKind::Array,
            "[]",
        ),
        (
            r#"{"user":"ada"}"#,
            "user",
            JsonKind::Object,
            JsonKind::String,
            r#""ada""#,
        ),
        (
            r#"{"user":{"email":true}}"#,
            "user.email",
            JsonKind::String,
            JsonKind::Bool,
            "true",
        ),
        (
            r#"{"customer":{"metadata":1}}"#,
            "customer.metadata",
            JsonKind::Object,
            JsonKind::Number,
            "1",
        ),
        (
            r#"{"attachments":{}}"#,
            "attachments",
            JsonKind::Array,
            JsonKind::Object,
            "{}",
        ),
        (
            r#"{"attachments":[null]}"#,
            "attachments[]",
            JsonKind::Object,
            JsonKind::Null,
            "null",
        ),
        (
            r#"{"attachments":[{"id":true}]}"#,
            "attachments[].id",
            JsonKind::Number,
            JsonKind::Bool,
            "true",
        ),
        (
            r#"{"file_ids":[1,{}]}"#,
            "file_ids[]",
            JsonKind::Number,
            JsonKind::Object,
            "{}",
        ),
        (
            r#"{"mentioned_user_ids":[1, "2"]}"#,
            "mentioned_user_ids[]",
            JsonKind::Number,
            JsonKind::String,
            r#""2""#,
        ),
    ];
    for &(payload, field, expected, found, at) in cases {
        let mut text = heapless::String::<128>::new();
        text.push_str(r#"[null,null,"t","shout","#).unwrap();
        text.push_str(payload).unwrap();
        text.push(']').unwrap();
        let err = error(&text);
        assert_eq!(
            err.kind,
            MessageErrorKind::WrongType {
                field,
                expected,
                found
            },
            "{payload}"
        );
        assert_eq!(
            payload.get(err.offset..err.offset + at.len()),
            Some(at),
            "{payload}"
        );
    }
}

#[test]
fn numbers_that_are_not_i64_integers_are_rejected() {
    for (payload, field, offset) in [
        (r#"{"user_id":1.5}"#, "user_id", 11),
        (r#"{"user":{"id":1e3}}"#, "user.id", 14),
        (
            r#"{"mentioned_user_ids":[9223372036854775808]}"#,
            "mentioned_user_ids[]",
            23,
        ),
    ] {
        let mut text = heapless::String::<128>::new();
        text.push_str(r#"[null,null,"t","shout","#).unwrap();
        text.push_str(payload).unwrap();
        text.push(']').unwrap();
        let err = error(&text);
        assert_eq!(err.kind, MessageErrorKind::NotAnInteger { field });
        assert_eq!(err.offset, offset, "{payload}");
    }
}

#[test]
fn payloads_must_be_objects_and_json_where_fields_are_read() {
    let err = error(r#"[null,null,"t","shout",[1]]"#);
    assert_eq!(
        err,
        MessageError {
            kind: MessageErrorKind::PayloadNotObject {
                found: JsonKind::Array
            },
            offset: 0
        }
    );
    let binary = Frame::new(
        None,
        None,
        "t".into(),
        "shout".into(),
        Payload::Binary(b"x"),
    );
    assert_eq!(
        binary.message().unwrap_err().kind,
        MessageErrorKind::BinaryPayload
    );
    let leave = Frame::new(
        None,
        None,
        "t".into(),
        "phx_leave".into(),
        Payload::Binary(b"x"),
    );
    assert_eq!(leave.message(), Ok(Message::Leave));
    let other = Frame::new(
        None,
        None,
        "t".into(),
        "upload".into(),
        Payload::Binary(b"x"),
    );
    assert_eq!(other.message(), Ok(Message::Other));
}

#[test]
fn absent_and_null_both_read_as_none_but_stay_in_the_payload() {
    let absent = shout(r#"[null,null,"t","shout",{}]"#);
    let null = shout(
        r#"[null,null,"t","shout",{"body":null,"user_id":null,"private":null,"user":null,"attachments":null,"file_ids":null,"mentioned_user_ids":null,"metadata":null}]"#,
    );
    for s in [absent, null] {
        assert!(s.body().is_none() && s.user_id().is_none() && s.private().is_none());
        assert!(s.user().is_none() && s.metadata().is_none());
        assert_eq!(s.attachments().count() + s.file_ids().count(), 0);
        assert_eq!(s.mentioned_user_ids().count(), 0);
    }
    assert!(null.raw().get("body").unwrap().is_null());
    assert!(absent.raw().get("body").is_none());
}

#[test]
fn escaped_keys_are_recognised_and_long_ones_ignored() {
    let s = shout(
        r#"[null,null,"t","shout",{"b\u006fdy":"x","\u0075ser_id":3,"a_very_long_key_with_an_escape_\u0041_that_is_unknown":1}]"#,
    );
    assert_eq!(s.body().unwrap(), "x");
    assert_eq!(s.user_id(), Some(3));
}

#[test]
fn duplicate_keys_last_one_wins_but_each_is_type_checked() {
    let s =
        shout(r#"[null,null,"t","shout",{"body":"first","body":"last","user":{"id":1,"id":2}}]"#);
    assert_eq!(s.body().unwrap(), "last");
    assert_eq!(s.user().unwrap().id(), Some(2));
    let s = shout(r#"[null,null,"t","shout",{"body":"first","body":null}]"#);
    assert!(s.body().is_none());
    let err = error(r#"[null,null,"t","shout",{"body":1,"body":"last"}]"#);
    assert_eq!(err.offset, 8);
}

#[test]
fn file_ids_may_be_integers_or_strings() {
    let s = shout(r#"[null,null,"t","shout",{"file_ids":[3,"f-9"],"attachments":[{"id":"u-1"}]}]"#);
    let ids: heapless::Vec<_, 4> = s.file_ids().collect();
    assert_eq!(ids, [FileId::Int(3), FileId::Str("f-9".into())]);
    assert_eq!(
        s.attachments().next().unwrap().id(),
        Some(FileId::Str("u-1".into()))
    );
}

#[test]
fn payloads_past_the_member_index_are_still_read() {
    let mut text = heapless::String::<1024>::new();
    text.push_str(r#"[null,null,"t","shout",{"#).unwrap();
    for i in 0..40 {
        core::fmt::Write::write_fmt(&mut text, format_args!("\"k{i}\":{i},")).unwrap();
    }
    text.push_str(r#""body":"late"}]"#).unwrap();
    assert_eq!(shout(&text).body().unwrap(), "late");
}

#[test]
fn errors_display_field_types_and_offset() {
    let err = error(r#"[null,null,"t","shout",{"user":{"email":true}}]"#);
    let mut text = heapless::String::<128>::new();
    core::fmt::Write::write_fmt(&mut text, format_args!("{err}")).unwrap();
    assert_eq!(
        text,
        "`user.email` must be string or null, found bool (payload byte 17)"
    );
}

#[test]
fn strings_read_the_same_with_or_without_escapes_elsewhere() {
    let plain = shout(r#"[null,null,"t","shout",{"body":"","sent_at":"x"}]"#);
    let escaped = shout(r#"[null,null,"t","shout",{"body":"","sent_at":"x","k":"\n"}]"#);
    for s in [plain, escaped] {
        assert_eq!(s.body().unwrap(), "");
        assert_eq!(s.sent_at().unwrap(), "x");
        assert_eq!(s.sent_at().unwrap().as_str(), Some("x"));
    }
    let s = shout(r#"[null,null,"t","shout",{"body":"a\tb","user":{"email":"e\u0040x"}}]"#);
    assert!(s.body().unwrap().has_escapes());
    assert_eq!(s.user().unwrap().email().unwrap(), "e@x");
}

#[test]
fn views_are_small_enough_to_return_by_value() {
    assert!(
        size_of::<Message<'_>>() <= 448,
        "{}",
        size_of::<Message<'_>>()
    );
}

#[test]
fn messages_serialize_with_their_name_and_typed_fields() {
    let json = serde_json::to_value(message(DASHBOARD_SHOUT)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"message": "shout", "payload": {
            "body": "On it!",
            "conversation_id": "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f",
            "private": false,
            "file_ids": [],
            "mentioned_user_ids": [8],
        }})
    );
    let json = serde_json::to_value(message(JOIN_REPLY_UNAUTHORIZED)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"message": "phx_reply", "payload": {
            "status": "error", "response": {"reason": "Unauthorized"}}})
    );
    let json = serde_json::to_value(message(LEAVE)).unwrap();
    assert_eq!(json, serde_json::json!({"message": "phx_leave"}));
    let json = serde_json::to_value(message(BROADCAST_SHOUT_AGENT)).unwrap();
    assert_eq!(json["payload"]["user"]["email"], "agent@example.com");
    assert_eq!(json["payload"]["type"], "reply");
    assert_eq!(json["payload"]["attachments"][0]["id"], 3);
}
