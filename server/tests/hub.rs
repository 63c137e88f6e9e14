//! The hub without sockets: what each connection is sent, frame by frame.
#![allow(clippy::unwrap_used, clippy::many_single_char_names)] // test helpers panic by design

use std::collections::HashMap;

use phx_codec::binary::{self, BinaryKind};
use phx_codec::{Direction, Frame, Payload, Vsn, WsMessage};
use phx_papercups_server::hub::{ConnId, Hub, Outgoing, iso8601};
use phx_papercups_server::roster::Roster;
use serde_json::{Value, json};

const ACCOUNT: &str = "acc-1";

struct World {
    hub: Hub,
    inbox: HashMap<ConnId, Vec<Outgoing>>,
    now: u64,
}

impl World {
    fn new() -> Self {
        Self::with_roster(Roster::default())
    }

    fn with_roster(roster: Roster) -> Self {
        Self {
            hub: Hub::new(ACCOUNT.into(), roster),
            inbox: HashMap::new(),
            now: 1_605_000_000_000,
        }
    }

    fn connect(&mut self, id: ConnId, vsn: Vsn, user_id: Option<i64>) {
        self.hub.connect(id, vsn, user_id, self.now);
    }

    fn deliver(&mut self) {
        for (to, out) in self.hub.take_outbox() {
            self.inbox.entry(to).or_default().push(out);
        }
    }

    fn send(&mut self, id: ConnId, text: &str) {
        self.hub
            .receive(id, self.now, WsMessage::Text(text.as_bytes()))
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        self.deliver();
    }

    fn send_binary(&mut self, id: ConnId, bytes: &[u8]) {
        self.hub
            .receive(id, self.now, WsMessage::Binary(bytes))
            .unwrap();
        self.deliver();
    }

    fn received(&mut self, id: ConnId) -> Vec<Outgoing> {
        self.inbox.remove(&id).unwrap_or_default()
    }

    fn texts(&mut self, id: ConnId) -> Vec<String> {
        self.received(id)
            .into_iter()
            .map(|m| match m {
                Outgoing::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
                other @ Outgoing::Binary(_) => panic!("expected text, got {other:?}"),
            })
            .collect()
    }

    fn frames(&mut self, id: ConnId) -> Vec<Value> {
        self.texts(id)
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect()
    }
}

fn events(frames: &[Value]) -> Vec<&str> {
    frames.iter().map(|f| f[3].as_str().unwrap()).collect()
}

fn binary_push(join_ref: &str, reference: &str, topic: &str, event: &str, body: &[u8]) -> Vec<u8> {
    let frame = Frame::new(
        Some(join_ref.into()),
        Some(reference.into()),
        topic.into(),
        event.into(),
        Payload::Binary(body),
    );
    let mut out = Vec::new();
    frame
        .encode_binary(Direction::FromClient, &mut out)
        .unwrap();
    out
}

#[test]
fn heartbeat_gets_an_empty_ok_reply_with_null_join_ref() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"[null,"5","phoenix","heartbeat",{}]"#);
    assert_eq!(
        w.texts(1),
        [r#"[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]"#]
    );
}

#[test]
fn v1_replies_are_objects_without_join_ref() {
    let mut w = World::new();
    w.connect(1, Vsn::V1, None);
    w.send(
        1,
        r#"{"topic":"conversation:c","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}"#,
    );
    assert_eq!(
        w.texts(1),
        [
            r#"{"topic":"conversation:c","event":"phx_reply","payload":{"response":{},"status":"ok"},"ref":"1"}"#,
            r#"{"topic":"conversation:c","event":"presence_state","payload":{},"ref":null}"#,
        ]
    );
}

#[test]
fn join_of_an_unknown_topic_and_pushes_to_unjoined_topics_are_unmatched() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["3","3","nowhere:1","phx_join",{}]"#);
    w.send(1, r#"["3","4","conversation:x","shout",{"body":"x"}]"#);
    assert_eq!(
        w.texts(1),
        [
            r#"[null,"3","nowhere:1","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#,
            r#"[null,"4","conversation:x","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#,
        ]
    );
}

#[test]
fn customer_join_replies_then_sends_presence_state_then_diff() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(
        1,
        r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    let frames = w.frames(1);
    assert_eq!(
        events(&frames),
        ["phx_reply", "presence_state", "presence_diff"]
    );
    let state = &frames[1];
    assert_eq!(state[0], "1", "presence_state carries the join's ref");
    assert_eq!(state[1], Value::Null);
    let meta = &state[4]["customer:cus"]["metas"][0];
    assert_eq!(meta["customer_id"], "cus");
    assert_eq!(meta["online_at"], "1605000000");
    let diff = &frames[2][4];
    assert_eq!(diff["joins"]["customer:cus"]["metas"][0], *meta);
    assert_eq!(diff["leaves"], json!({}));
}

#[test]
fn shout_reaches_every_member_with_the_roster_views() {
    let roster = Roster::from_json(
        r#"{"users":[{"id":7,"email":"ada@example.com","role":"admin","created_at":"2020-01-02T03:04:05",
              "profile":{"display_name":"Ada","full_name":"Ada L","profile_photo_url":"https://x/a.png"}},
             {"id":8,"email":"bob@example.com"}],
            "customers":[{"id":"cus","name":"Grace","email":"g@example.com","metadata":{"plan":"pro"}}]}"#,
    )
    .unwrap();
    let mut w = World::with_roster(roster);
    w.connect(1, Vsn::V2, None);
    w.connect(2, Vsn::V2, Some(7));
    w.connect(3, Vsn::V2, Some(8));
    w.send(
        1,
        r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    w.send(2, r#"["1","1","conversation:c","phx_join",{}]"#);
    w.send(3, r#"["1","1","conversation:c","phx_join",{}]"#);
    for id in 1..=3 {
        w.received(id);
    }
    w.send(
        1,
        r#"["1","2","conversation:c","shout",{"body":"Hi \"there\"","customer_id":"cus","sent_at":"2026-01-02T03:04:05.678Z"}]"#,
    );
    let (mine, theirs) = (w.frames(1), w.frames(2));
    assert_eq!(mine, theirs);
    assert_eq!(events(&mine), ["shout"]);
    assert_eq!(mine[0][0], Value::Null);
    let msg = &mine[0][4];
    assert_eq!(msg["body"], "Hi \"there\"");
    assert_eq!(msg["customer_id"], "cus");
    assert_eq!(msg["account_id"], ACCOUNT);
    assert_eq!(msg["conversation_id"], "c");
    assert_eq!(msg["sent_at"], "2026-01-02T03:04:05.678Z");
    assert_eq!(msg["created_at"], "2020-11-10T09:20:00");
    assert_eq!(msg["user"], Value::Null);
    assert_eq!(msg["customer"]["name"], "Grace");
    assert_eq!(msg["customer"]["object"], "customer");
    assert_eq!(msg["customer"]["metadata"], json!({"plan": "pro"}));
    assert!(msg["customer"].as_object().unwrap().contains_key("phone"));

    w.send(2, r#"["1","3","conversation:c","shout",{"body":"Hello"}]"#);
    let msg = &w.frames(1)[0][4];
    assert_eq!(msg["user_id"], 7);
    assert_eq!(msg["customer_id"], Value::Null);
    assert!(
        msg.get("customer").is_none(),
        "absent, not null, on agent messages"
    );
    let user = &msg["user"];
    assert_eq!(
        *user,
        json!({"archived_at": null, "created_at": "2020-01-02T03:04:05", "disabled_at": null,
               "display_name": "Ada", "email": "ada@example.com", "full_name": "Ada L", "id": 7,
               "object": "user", "profile_photo_url": "https://x/a.png", "role": "admin"})
    );
    w.send(3, r#"["1","3","conversation:c","shout",{"body":"Hey"}]"#);
    let user = w.frames(1)[0][4]["user"].clone();
    let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| *k == "display_name" || *k == "full_name" || *k == "profile_photo_url"),
        "no profile: those keys are absent: {keys:?}"
    );
    assert_eq!(user["email"], "bob@example.com");
}

#[test]
fn a_customer_shout_without_customer_id_names_the_customer_who_joined() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(
        1,
        r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    w.received(1);
    w.send(1, r#"["1","2","conversation:c","shout",{"body":"hi"}]"#);
    let frames = w.frames(1);
    assert_eq!(frames[0][4]["customer_id"], "cus");
    assert_eq!(frames[0][4]["customer"]["id"], "cus");
}

#[test]
fn a_shout_that_is_not_a_message_is_rebroadcast_as_it_came() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["1","1","conversation:c","phx_join",{}]"#);
    w.received(1);
    w.send(1, r#"["1","2","conversation:c","shout",{"text":[1, 2]}]"#);
    assert_eq!(
        w.texts(1),
        [r#"[null,null,"conversation:c","shout",{"text":[1, 2]}]"#]
    );
}

#[test]
fn ping_echoes_the_payload_and_messages_seen_gets_no_reply() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["1","1","conversation:c","phx_join",{}]"#);
    w.received(1);
    w.send(1, r#"["1","2","conversation:c","messages:seen",{}]"#);
    w.send(
        1,
        r#"["1","3","conversation:c","ping",{"a":[1,{"b":null}]}]"#,
    );
    assert_eq!(
        w.texts(1),
        [
            r#"["1","3","conversation:c","phx_reply",{"response":{"a":[1,{"b":null}]},"status":"ok"}]"#
        ]
    );
}

#[test]
fn leave_replies_ok_then_closes_and_tells_the_others_who_left() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.connect(2, Vsn::V2, Some(7));
    w.send(
        1,
        r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    w.send(2, r#"["4","4","conversation:c","phx_join",{}]"#);
    w.received(1);
    w.received(2);
    w.send(2, r#"["4","9","conversation:c","phx_leave",{}]"#);
    assert_eq!(
        w.texts(2),
        [
            r#"["4","9","conversation:c","phx_reply",{"response":{},"status":"ok"}]"#,
            r#"["4","4","conversation:c","phx_close",{}]"#,
        ]
    );
    let frames = w.frames(1);
    assert_eq!(events(&frames), ["presence_diff"]);
    assert_eq!(frames[0][4]["leaves"]["user:7"]["metas"][0]["user_id"], 7);
    assert_eq!(frames[0][4]["joins"], json!({}));
}

#[test]
fn disconnect_untracks_the_customer_everywhere() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.connect(2, Vsn::V2, Some(7));
    w.send(2, r#"["1","1","notification:acc-1","phx_join",{}]"#);
    w.send(
        1,
        r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    let frames = w.frames(2);
    assert_eq!(
        events(&frames),
        [
            "phx_reply",
            "presence_state",
            "presence_diff",
            "presence_diff",
            "presence_state"
        ]
    );
    assert!(frames[4][4]["customer:cus"].is_object());
    w.hub.disconnect(1);
    w.deliver();
    let frames = w.frames(2);
    assert_eq!(events(&frames), ["presence_diff"]);
    assert!(frames[0][4]["leaves"]["customer:cus"].is_object());
    assert_eq!(w.hub.connections(), 1);
}

#[test]
fn notification_topics_refuse_customers() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["1","1","notification:acc-1","phx_join",{}]"#);
    assert_eq!(
        w.texts(1),
        [
            r#"["1","1","notification:acc-1","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#
        ]
    );
}

#[test]
fn the_first_customer_join_announces_the_conversation_in_its_lobby() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["1","1","conversation:lobby:cus","phx_join",{}]"#);
    w.send(
        1,
        r#"["2","2","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    w.send(1, r#"["2","3","conversation:c","phx_leave",{}]"#);
    w.send(
        1,
        r#"["4","4","conversation:c","phx_join",{"customer_id":"cus"}]"#,
    );
    let created: Vec<String> = w
        .texts(1)
        .into_iter()
        .filter(|t| t.contains("conversation:created"))
        .collect();
    assert_eq!(
        created,
        [r#"[null,null,"conversation:lobby:cus","conversation:created",{"id":"c"}]"#]
    );
}

#[test]
fn a_duplicate_join_closes_the_old_channel_first() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["1","1","conversation:lobby","phx_join",{}]"#);
    w.send(1, r#"["2","2","conversation:lobby","phx_join",{}]"#);
    assert_eq!(
        w.texts(1),
        [
            r#"["1","1","conversation:lobby","phx_reply",{"response":{},"status":"ok"}]"#,
            r#"["1","1","conversation:lobby","phx_close",{}]"#,
            r#"["2","2","conversation:lobby","phx_reply",{"response":{},"status":"ok"}]"#,
        ]
    );
}

#[test]
fn a_binary_push_is_broadcast_once_encoded_to_v2_members() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.connect(2, Vsn::V2, None);
    w.connect(3, Vsn::V1, None);
    w.send(1, r#"["1","1","conversation:c","phx_join",{}]"#);
    w.send(2, r#"["1","1","conversation:c","phx_join",{}]"#);
    w.send(
        3,
        r#"{"topic":"conversation:c","event":"phx_join","payload":{},"ref":"1"}"#,
    );
    for id in 1..=3 {
        w.received(id);
    }
    w.send_binary(
        1,
        &binary_push("1", "2", "conversation:c", "file", &[0, 255, 1]),
    );
    let a = w.received(1);
    let b = w.received(2);
    let (Outgoing::Binary(x), Outgoing::Binary(y)) = (&a[0], &b[0]) else {
        panic!("binary expected: {a:?} {b:?}")
    };
    assert_eq!(x.as_ptr(), y.as_ptr(), "one encoding, shared");
    assert_eq!(x.first(), Some(&BinaryKind::Broadcast.byte()));
    let frame = binary::decode_from_server(x).unwrap();
    assert_eq!(frame.event(), "file");
    assert_eq!(frame.payload(), Payload::Binary(&[0, 255, 1]));
    assert!(w.received(3).is_empty(), "V1 has no binary frames");
}

#[test]
fn text_broadcasts_share_one_buffer_per_serializer() {
    let mut w = World::new();
    for id in 1..=3 {
        w.connect(id, Vsn::V2, None);
        w.send(id, r#"["1","1","conversation:c","phx_join",{}]"#);
    }
    for id in 1..=3 {
        w.received(id);
    }
    w.send(1, r#"["1","2","conversation:c","shout",{"body":"x"}]"#);
    let ptrs: Vec<*const u8> = (1..=3)
        .map(|id| w.received(id)[0].bytes().as_ptr())
        .collect();
    assert!(ptrs.windows(2).all(|p| p[0] == p[1]), "{ptrs:?}");
}

#[test]
fn a_binary_ping_gets_a_binary_reply() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    w.send(1, r#"["1","1","conversation:c","phx_join",{}]"#);
    w.received(1);
    w.send_binary(
        1,
        &binary_push("1", "7", "conversation:c", "ping", b"\x00[\"x"),
    );
    let received = w.received(1);
    let [Outgoing::Binary(bytes)] = received.as_slice() else {
        panic!("expected one binary message, got {received:?}");
    };
    let frame = binary::decode_from_server(bytes).unwrap();
    assert_eq!(frame.join_ref().unwrap(), "1");
    assert_eq!(frame.reference().unwrap(), "7");
    assert_eq!(
        frame.payload(),
        Payload::BinaryReply {
            status: "ok".into(),
            response: b"\x00[\"x"
        }
    );
}

#[test]
fn malformed_frames_close_with_the_rfc_codes() {
    let mut w = World::new();
    w.connect(1, Vsn::V2, None);
    let err = w.hub.receive(1, 0, WsMessage::Text(b"[1,")).unwrap_err();
    assert_eq!(err.close_code().code(), 1011);
    let err = w
        .hub
        .receive(1, 0, WsMessage::Text(b"[\"\xff\"]"))
        .unwrap_err();
    assert_eq!(err.close_code().code(), 1007);
}

#[test]
fn idle_connections_are_reported_after_the_timeout() {
    let mut hub = Hub::new(ACCOUNT.into(), Roster::demo()).with_idle_timeout_ms(45_000);
    hub.connect(1, Vsn::V2, None, 1_000);
    assert_eq!(hub.idle_deadline_ms(1), Some(46_000));
    assert!(hub.poll_idle(1, 45_999).is_none());
    assert!(hub.poll_idle(1, 46_000).is_some());
}

#[test]
fn dates_are_papercups_created_at() {
    assert_eq!(iso8601(0), "1970-01-01T00:00:00");
    assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00");
    assert_eq!(iso8601(1_605_000_000), "2020-11-10T09:20:00");
}
