//! The core's server session against what `Phoenix.Socket` does (PROTOCOL.md §9).

use phx_codec::message::ReplyStatus;
use phx_codec::outgoing::{EmptyObject, Reason};
use phx_codec::session::server::{
    CloseCode, CloseReason, JoinRequest, ReceiveError, ReplyTo, SendError, ServerEvent,
    ServerSession, encode_binary_broadcast, encode_broadcast,
};
use phx_codec::{DecodeLimits, Vsn, WsMessage};

type Session = ServerSession<4, 64, 16>;

/// Feeds a text message; returns the answers as strings and the event's shape.
fn feed<'a>(
    session: &mut Session,
    now: u64,
    text: &'a str,
    out: &mut [u8],
) -> (Vec<String>, ServerEvent<'a>) {
    let got = session
        .receive(now, WsMessage::Text(text.as_bytes()), out)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    let frames = got
        .frames(out)
        .map(|f| String::from_utf8(f.to_vec()).expect("answers are UTF-8"))
        .collect();
    (frames, got.event)
}

fn join(session: &mut Session, topic: &str, join_ref: &str) -> Vec<String> {
    let mut out = [0u8; 512];
    let text = format!(r#"["{join_ref}","{join_ref}","{topic}","phx_join",{{}}]"#);
    let (mut frames, event) = feed(session, 0, &text, &mut out);
    let ServerEvent::Join(request) = event else {
        panic!("{text}: not a join: {event:?}")
    };
    let mut reply = [0u8; 256];
    let n = session
        .accept_join(&request, &EmptyObject, &mut reply)
        .expect("join accepted");
    frames.push(String::from_utf8(reply[..n].to_vec()).expect("UTF-8"));
    frames
}

#[test]
fn heartbeat_is_answered_without_any_join() {
    let mut s = Session::new(Vsn::V2, 0);
    let mut out = [0u8; 256];
    let (frames, event) = feed(
        &mut s,
        1,
        r#"[null,"7","phoenix","heartbeat",{}]"#,
        &mut out,
    );
    assert!(matches!(event, ServerEvent::Heartbeat));
    assert_eq!(
        frames,
        [r#"[null,"7","phoenix","phx_reply",{"response":{},"status":"ok"}]"#]
    );
}

#[test]
fn unjoined_topics_and_other_phoenix_events_are_unmatched_with_null_join_ref() {
    let mut s = Session::new(Vsn::V2, 0);
    let mut out = [0u8; 256];
    for (input, topic) in [
        (r#"["9","8","room:1","shout",{"body":"x"}]"#, "room:1"),
        (r#"[null,"8","phoenix","ping",{}]"#, "phoenix"),
    ] {
        let (frames, event) = feed(&mut s, 0, input, &mut out);
        assert!(matches!(event, ServerEvent::Unmatched { .. }), "{input}");
        assert_eq!(
            frames,
            [format!(
                r#"[null,"8","{topic}","phx_reply",{{"response":{{"reason":"unmatched topic"}},"status":"error"}}]"#
            )]
        );
    }
}

#[test]
fn a_second_join_closes_the_old_channel_with_its_join_ref_first() {
    let mut s = Session::new(Vsn::V2, 0);
    join(&mut s, "room:1", "3");
    let mut out = [0u8; 256];
    let (frames, event) = feed(&mut s, 0, r#"["5","5","room:1","phx_join",{}]"#, &mut out);
    assert_eq!(frames, [r#"["3","3","room:1","phx_close",{}]"#]);
    let ServerEvent::Join(request) = event else {
        panic!("not a join")
    };
    assert!(request.replaced_channel());
    assert!(!s.is_joined("room:1"), "not joined until accepted");
    let mut reply = [0u8; 128];
    let n = s.accept_join(&request, &EmptyObject, &mut reply).unwrap();
    assert_eq!(
        &reply[..n],
        br#"["5","5","room:1","phx_reply",{"response":{},"status":"ok"}]"#
    );
    assert_eq!(s.join_ref("room:1"), Some(Some("5")));
}

#[test]
fn leave_replies_ok_then_closes_and_unjoined_leave_still_replies_ok() {
    let mut s = Session::new(Vsn::V2, 0);
    join(&mut s, "room:1", "3");
    let mut out = [0u8; 256];
    let (frames, event) = feed(&mut s, 0, r#"["3","4","room:1","phx_leave",{}]"#, &mut out);
    assert!(matches!(
        event,
        ServerEvent::Leave {
            was_joined: true,
            ..
        }
    ));
    assert_eq!(
        frames,
        [
            r#"["3","4","room:1","phx_reply",{"response":{},"status":"ok"}]"#,
            r#"["3","3","room:1","phx_close",{}]"#
        ]
    );
    assert!(!s.is_joined("room:1"));
    let (frames, event) = feed(&mut s, 0, r#"["3","6","room:1","phx_leave",{}]"#, &mut out);
    assert!(matches!(
        event,
        ServerEvent::Leave {
            was_joined: false,
            ..
        }
    ));
    assert_eq!(
        frames,
        [r#"["3","6","room:1","phx_reply",{"response":{},"status":"ok"}]"#]
    );
}

#[test]
fn pushes_reach_the_application_and_replies_use_the_channels_join_ref() {
    let mut s = Session::new(Vsn::V2, 0);
    join(&mut s, "conversation:1", "3");
    let mut out = [0u8; 256];
    let (frames, event) = feed(
        &mut s,
        0,
        r#"["3","9","conversation:1","ping",{"a":[1,2]}]"#,
        &mut out,
    );
    assert!(frames.is_empty());
    let ServerEvent::Push(push) = event else {
        panic!("not a push")
    };
    assert_eq!(push.event(), "ping");
    let echo = push.payload().as_json().expect("JSON payload");
    let n = s
        .reply(&push.reply_to(), ReplyStatus::Ok, &echo, &mut out)
        .unwrap();
    assert_eq!(
        &out[..n],
        br#"["3","9","conversation:1","phx_reply",{"response":{"a":[1,2]},"status":"ok"}]"#
    );
    // A later reply after a rejoin goes nowhere, as the old channel process is gone.
    let later = ReplyTo::new("conversation:1", Some("3"), Some("10"));
    join(&mut s, "conversation:1", "11");
    assert_eq!(
        s.reply(&later, ReplyStatus::Ok, &EmptyObject, &mut out),
        Err(SendError::NotJoined)
    );
    let n = s.push("conversation:1", "shout", &echo, &mut out).unwrap();
    assert_eq!(
        &out[..n],
        br#"["11",null,"conversation:1","shout",{"a":[1,2]}]"#
    );
}

#[test]
fn refused_and_unrouted_joins() {
    let mut s = Session::new(Vsn::V2, 0);
    let mut out = [0u8; 256];
    let (_, event) = feed(
        &mut s,
        0,
        r#"["1","1","notification:a","phx_join",{}]"#,
        &mut out,
    );
    let ServerEvent::Join(request) = event else {
        panic!("not a join")
    };
    let n = s
        .refuse_join(
            &request,
            &Reason {
                reason: "unauthorized".into(),
            },
            &mut out,
        )
        .unwrap();
    assert_eq!(
        &out[..n],
        br#"["1","1","notification:a","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#
    );
    let n = s.refuse_join_unmatched(&request, &mut out).unwrap();
    assert_eq!(
        &out[..n],
        br#"[null,"1","notification:a","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#
    );
    assert!(!s.is_joined("notification:a"));
}

#[test]
fn capacity_and_lengths_are_enforced_without_joining() {
    let mut s: ServerSession<1, 8, 4> = ServerSession::new(Vsn::V2, 0);
    let mut out = [0u8; 256];
    let request = |s: &mut ServerSession<1, 8, 4>,
                   text: &'static str,
                   out: &mut [u8]|
     -> JoinRequest<'static> {
        match s
            .receive(0, WsMessage::Text(text.as_bytes()), out)
            .unwrap()
            .event
        {
            ServerEvent::Join(j) => j,
            other => panic!("{other:?}"),
        }
    };
    let long_topic = request(
        &mut s,
        r#"["1","1","a-very-long-topic","phx_join",{}]"#,
        &mut out,
    );
    assert_eq!(
        s.accept_join(&long_topic, &EmptyObject, &mut out),
        Err(SendError::TooLong)
    );
    let long_ref = request(&mut s, r#"["12345","1","t","phx_join",{}]"#, &mut out);
    assert_eq!(
        s.accept_join(&long_ref, &EmptyObject, &mut out),
        Err(SendError::TooLong)
    );
    let ok = request(&mut s, r#"["1","1","t","phx_join",{}]"#, &mut out);
    assert!(s.accept_join(&ok, &EmptyObject, &mut out).is_ok());
    let full = request(&mut s, r#"["2","2","u","phx_join",{}]"#, &mut out);
    assert_eq!(
        s.accept_join(&full, &EmptyObject, &mut out),
        Err(SendError::TooManyChannels)
    );
    assert_eq!(s.topics().collect::<Vec<_>>(), ["t"]);
}

#[test]
fn escaped_topics_are_stored_unescaped() {
    let mut s = Session::new(Vsn::V2, 0);
    let mut out = [0u8; 256];
    let (_, event) = feed(
        &mut s,
        0,
        r#"["1","1","room:\u00e9","phx_join",{}]"#,
        &mut out,
    );
    let ServerEvent::Join(request) = event else {
        panic!("not a join")
    };
    s.accept_join(&request, &EmptyObject, &mut out).unwrap();
    assert!(s.is_joined("room:é"));
    let (frames, event) = feed(&mut s, 0, r#"["1","2","room:é","ping",{}]"#, &mut out);
    assert!(frames.is_empty());
    assert!(matches!(event, ServerEvent::Push(_)));
}

#[test]
fn idle_connections_are_closed_after_the_timeout_and_traffic_resets_it() {
    let mut s = Session::new(Vsn::V2, 1_000).with_idle_timeout_ms(45_000);
    assert_eq!(s.next_deadline_ms(), 46_000);
    assert_eq!(s.poll_idle(45_999), None);
    let mut out = [0u8; 256];
    feed(
        &mut s,
        40_000,
        r#"[null,"1","phoenix","heartbeat",{}]"#,
        &mut out,
    );
    assert_eq!(s.poll_idle(84_999), None);
    let reason = s.poll_idle(85_000).expect("idle");
    assert_eq!(reason, CloseReason::Idle);
    assert_eq!(reason.close_code().code(), 1000);
    // The default is Phoenix's 60 s.
    assert_eq!(Session::new(Vsn::V2, 0).next_deadline_ms(), 60_000);
}

#[test]
fn rejections_carry_the_rfc_close_codes() {
    let mut s = Session::new(Vsn::V2, 0).with_limits(DecodeLimits::new().with_max_frame_len(64));
    let mut out = [0u8; 256];
    let code = |r: Result<_, ReceiveError>| r.map(|_| ()).unwrap_err().close_code().code();
    assert_eq!(
        code(s.receive(
            0,
            WsMessage::Text(b"[null,\"1\",\"\xff\",\"e\",{}]"),
            &mut out
        )),
        1007
    );
    let big = format!(r#"[null,"1","t","e",{{"b":"{}"}}]"#, "x".repeat(100));
    assert_eq!(
        code(s.receive(0, WsMessage::Text(big.as_bytes()), &mut out)),
        1009
    );
    assert_eq!(code(s.receive(0, WsMessage::Text(b"[1,2"), &mut out)), 1011);
    let mut v1 = Session::new(Vsn::V1, 0);
    assert_eq!(
        code(v1.receive(0, WsMessage::Binary(b"\x00\x00"), &mut out)),
        1003
    );
    assert_eq!(
        CloseReason::Stalled.close_code(),
        CloseCode::PolicyViolation
    );
    assert_eq!(CloseCode::PolicyViolation.code(), 1008);
}

#[test]
fn v1_connections_get_v1_objects_without_join_ref() {
    let mut s = Session::new(Vsn::V1, 0);
    let mut out = [0u8; 256];
    let (frames, _) = feed(
        &mut s,
        0,
        r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}"#,
        &mut out,
    );
    assert_eq!(
        frames,
        [
            r#"{"topic":"phoenix","event":"phx_reply","payload":{"response":{},"status":"ok"},"ref":"1"}"#
        ]
    );
    let (_, event) = feed(
        &mut s,
        0,
        r#"{"topic":"room:1","event":"phx_join","payload":{},"ref":"2","join_ref":"2"}"#,
        &mut out,
    );
    let ServerEvent::Join(request) = event else {
        panic!("not a join")
    };
    let n = s.accept_join(&request, &EmptyObject, &mut out).unwrap();
    assert_eq!(
        &out[..n],
        br#"{"topic":"room:1","event":"phx_reply","payload":{"response":{},"status":"ok"},"ref":"2"}"#
    );
    // A V1 push without join_ref is still the channel's.
    let (_, event) = feed(
        &mut s,
        0,
        r#"{"topic":"room:1","event":"ping","payload":{},"ref":"3"}"#,
        &mut out,
    );
    let ServerEvent::Push(push) = event else {
        panic!("not a push")
    };
    assert!(
        s.reply(&push.reply_to(), ReplyStatus::Ok, &EmptyObject, &mut out)
            .is_ok()
    );
    assert!(matches!(
        s.reply_binary(&push.reply_to(), "ok", b"x", &mut out),
        Err(SendError::Encode(_))
    ));
}

#[test]
fn binary_replies_and_broadcasts() {
    let mut s = Session::new(Vsn::V2, 0);
    join(&mut s, "t", "3");
    let mut out = [0u8; 256];
    let got = s
        .receive(
            0,
            WsMessage::Binary(b"\x00\x01\x01\x01\x0434tping\x01\x02"),
            &mut out,
        )
        .unwrap();
    let ServerEvent::Push(push) = got.event else {
        panic!("not a push")
    };
    let n = s
        .reply_binary(&push.reply_to(), "ok", b"\x01\x02", &mut out)
        .unwrap();
    assert_eq!(&out[..n], b"\x01\x01\x01\x01\x0234tok\x01\x02");
    let n = encode_binary_broadcast("t", "e", b"\xff", &mut out).unwrap();
    assert_eq!(&out[..n], b"\x02\x01\x01te\xff");
    let n = encode_broadcast(Vsn::V2, "t", "e", &EmptyObject, &mut out).unwrap();
    assert_eq!(&out[..n], br#"[null,null,"t","e",{}]"#);
}

#[test]
fn server_side_close_and_error_end_the_channel() {
    let mut s = Session::new(Vsn::V2, 0);
    join(&mut s, "a", "1");
    join(&mut s, "b", "2");
    let mut out = [0u8; 128];
    let n = s.close_channel("a", &mut out).unwrap();
    assert_eq!(&out[..n], br#"["1","1","a","phx_close",{}]"#);
    let n = s
        .error_channel("b", Some("channel_crash"), &mut out)
        .unwrap();
    assert_eq!(
        &out[..n],
        br#"["2","2","b","phx_error",{"reason":"channel_crash"}]"#
    );
    assert_eq!(s.topics().count(), 0);
    assert_eq!(s.close_channel("a", &mut out), Err(SendError::NotJoined));
}

fn read_data(file: &str) -> serde_json::Value {
    let path = format!("{}/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

#[test]
fn vsn_vectors_decide_as_phoenix() {
    use phx_codec::session::server::{VsnRejection, negotiate_vsn};
    let cases = read_data("vsn.json");
    let cases = cases.as_array().expect("an array");
    assert!(cases.len() >= 7);
    for case in cases {
        let vsn = case["vsn"].as_str();
        let got = negotiate_vsn(vsn);
        match case["decision"].as_str() {
            Some("v2") => assert_eq!(got, Ok(Vsn::V2), "{case}"),
            Some("v1") => assert_eq!(got, Ok(Vsn::V1), "{case}"),
            Some("refuse") => {
                assert!(got.is_err(), "{case}");
                assert_eq!(
                    case["http_status"].as_u64(),
                    Some(u64::from(VsnRejection::HTTP_STATUS)),
                    "{case}"
                );
            }
            other => panic!("unknown decision {other:?}"),
        }
    }
}

#[test]
fn lenient_vectors_accept_extra_elements_only_when_asked() {
    let cases = read_data("lenient.json");
    for case in cases.as_array().expect("an array") {
        let frame = case["frame"].as_str().expect("frame");
        let limits = DecodeLimits::new()
            .with_extra_elements_allowed(case["lenient"].as_bool().expect("lenient"));
        let got = phx_codec::decode_text_with(frame.as_bytes(), &limits);
        if case["valid"].as_bool() == Some(true) {
            let frame = got.unwrap_or_else(|e| panic!("{case}: {e}"));
            let decoded = &case["decoded"];
            assert_eq!(
                frame
                    .join_ref()
                    .map(phx_codec::JsonStr::into_string)
                    .as_deref(),
                decoded["join_ref"].as_str()
            );
            assert_eq!(
                frame
                    .reference()
                    .map(phx_codec::JsonStr::into_string)
                    .as_deref(),
                decoded["ref"].as_str()
            );
            assert_eq!(frame.topic(), decoded["topic"].as_str().expect("topic"));
            assert_eq!(frame.event(), decoded["event"].as_str().expect("event"));
            let payload: serde_json::Value =
                serde_json::from_str(frame.payload_json().expect("json").as_str())
                    .expect("payload");
            assert_eq!(payload, decoded["payload"], "{case}");
        } else {
            let err = got.expect_err("an invalid case");
            assert_eq!(
                err.kind.name(),
                case["error"].as_str().expect("error"),
                "{case}"
            );
        }
    }
    // The same six-element frame through a server session with lenient limits is a push.
    let mut s =
        Session::new(Vsn::V2, 0).with_limits(DecodeLimits::new().with_extra_elements_allowed(true));
    let mut out = [0u8; 256];
    let (_, event) = feed(
        &mut s,
        0,
        r#"[null,"1","phoenix","heartbeat",{},{}]"#,
        &mut out,
    );
    assert!(matches!(event, ServerEvent::Heartbeat));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Small envelopes over a few topics and events, so joins, leaves and pushes interleave.
    fn envelope() -> impl Strategy<Value = String> {
        let topic = prop::sample::select(vec![
            "phoenix",
            "room:1",
            "room:\\u00e9",
            "conversation:c",
            "x",
        ]);
        let event =
            prop::sample::select(vec!["phx_join", "phx_leave", "heartbeat", "shout", "ping"]);
        let reference = prop::option::of(prop::sample::select(vec!["1", "2", "33", ""]));
        (reference.clone(), reference, topic, event).prop_map(|(j, r, t, e)| {
            let s = |v: Option<&str>| v.map_or_else(|| "null".to_owned(), |v| format!("\"{v}\""));
            format!(r#"[{},{},"{t}","{e}",{{}}]"#, s(j), s(r))
        })
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic_and_answers_always_decode(
            messages in prop::collection::vec((any::<bool>(), prop::collection::vec(any::<u8>(), 0..64)), 0..16)
        ) {
            let mut s = Session::new(Vsn::V2, 0);
            let mut out = [0u8; 512];
            for (binary, bytes) in &messages {
                let message = if *binary { WsMessage::Binary(bytes) } else { WsMessage::Text(bytes) };
                if let Ok(got) = s.receive(0, message, &mut out) {
                    for frame in got.frames(&out) {
                        prop_assert!(phx_codec::decode_text(frame).is_ok());
                    }
                }
            }
        }

        #[test]
        fn joins_leaves_and_pushes_keep_the_channel_table_consistent(
            script in prop::collection::vec((envelope(), any::<bool>()), 0..40)
        ) {
            let mut s: ServerSession<3, 16, 4> = ServerSession::new(Vsn::V2, 0);
            let mut out = [0u8; 512];
            let mut reply = [0u8; 256];
            for (text, accept) in &script {
                let got = s.receive(0, WsMessage::Text(text.as_bytes()), &mut out).expect("valid envelopes");
                for frame in got.frames(&out) {
                    let f = phx_codec::decode_text(frame).expect("answers decode");
                    prop_assert!(matches!(f.event().to_cow().as_ref(), "phx_reply" | "phx_close"));
                }
                match got.event {
                    ServerEvent::Join(join) => {
                        prop_assert!(!s.is_joined(&join.topic().to_cow()), "a join's topic is free until accepted");
                        if *accept {
                            match s.accept_join(&join, &EmptyObject, &mut reply) {
                                Ok(_) => prop_assert!(s.is_joined(&join.topic().to_cow())),
                                Err(e) => prop_assert!(matches!(e, SendError::TooManyChannels | SendError::TooLong)),
                            }
                        }
                    }
                    ServerEvent::Leave { topic, .. } => prop_assert!(!s.is_joined(&topic.to_cow())),
                    ServerEvent::Push(push) => prop_assert!(s.is_joined(&push.topic().to_cow())),
                    ServerEvent::Unmatched { topic, .. } => prop_assert!(!s.is_joined(&topic.to_cow())),
                    _ => {}
                }
                prop_assert!(s.topics().count() <= 3);
            }
        }
    }
}
