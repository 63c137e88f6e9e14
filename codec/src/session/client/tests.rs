//! Unit tests that need the session's private state.

use super::state::RefText;
use super::*;
use crate::RawJson;
use crate::Vsn;
use crate::WsMessage;
use crate::outgoing::EmptyObject;
use std::vec::Vec as StdVec;

type Small = ClientSession<2, 2, 16, 64>;

fn joined(session: &mut Small, topic: &str) -> ChannelId {
    session.connect(0);
    let id = session.join(0, topic, &EmptyObject, &mut |_| {}).unwrap();
    session.handle_opened(1, &mut |_| {});
    let mut buf = [0u8; 64];
    let mut join_ref = StdVec::new();
    while let Ok(Some(Outgoing::Text(n))) = session.poll_frame(&mut buf) {
        let frame = crate::decode_text(&buf[..n]).unwrap();
        join_ref = frame.join_ref().unwrap().raw().as_bytes().to_vec();
    }
    let jr = core::str::from_utf8(&join_ref).unwrap();
    let reply =
        std::format!(r#"["{jr}","{jr}","{topic}","phx_reply",{{"status":"ok","response":{{}}}}]"#);
    session.handle_message(2, WsMessage::Text(reply.as_bytes()), &mut |_| {});
    assert_eq!(session.state(id), Some(ChannelState::Joined));
    id
}

#[test]
fn capacities_are_typed_errors_and_change_nothing() {
    let mut s = Small::new(Options::DEFAULT);
    let a = joined(&mut s, "a");
    let long = "x".repeat(MAX_NAME_LEN + 1);
    assert_eq!(
        s.join(3, &long, &EmptyObject, &mut |_| {}),
        Err(SessionError::NameTooLong { len: 256 })
    );
    let big = RawJson::parse(r#"{"0123456789":"abcdef"}"#).unwrap();
    assert!(matches!(
        s.join(3, "b", &big, &mut |_| {}),
        Err(SessionError::PayloadTooLarge { capacity: 16, .. })
    ));
    assert!(matches!(
        s.push(3, a, "e", &big, None, &mut |_| {}),
        Err(SessionError::PayloadTooLarge { .. })
    ));
    s.join(3, "b", &EmptyObject, &mut |_| {}).unwrap();
    assert_eq!(
        s.join(3, "c", &EmptyObject, &mut |_| {}),
        Err(SessionError::ChannelsFull)
    );
    s.push(4, a, "e", &EmptyObject, None, &mut |_| {}).unwrap();
    s.push(4, a, "e", &EmptyObject, None, &mut |_| {}).unwrap();
    assert_eq!(
        s.push(4, a, "e", &EmptyObject, None, &mut |_| {}),
        Err(SessionError::PushesFull)
    );
    assert_eq!(s.pending_pushes(), 2);
}

#[test]
fn a_left_channel_slot_is_reused_and_its_old_id_goes_stale() {
    let mut s = Small::new(Options::DEFAULT);
    let a = joined(&mut s, "a");
    let _b = s.join(3, "b", &EmptyObject, &mut |_| {}).unwrap();
    let mut left = false;
    s.leave(4, a, &mut |e| {
        left |= matches!(e, Event::Left { channel } if channel == a);
    })
    .unwrap();
    assert!(left);
    let c = s.join(5, "c", &EmptyObject, &mut |_| {}).unwrap();
    assert_eq!(s.topic(c), Some("c"));
    assert_eq!(s.state(a), None);
    assert_eq!(
        s.push(6, a, "e", &EmptyObject, None, &mut |_| {}),
        Err(SessionError::UnknownChannel)
    );
    assert_eq!(
        s.leave(6, a, &mut |_| {}),
        Err(SessionError::UnknownChannel)
    );
}

#[test]
fn a_small_buffer_keeps_the_frame_queued() {
    let mut s = Small::new(Options::DEFAULT);
    s.connect(0);
    s.join(0, "a", &EmptyObject, &mut |_| {}).unwrap();
    s.handle_opened(1, &mut |_| {});
    let len = s.next_frame_len().unwrap();
    let mut small = [0u8; 4];
    assert_eq!(
        s.poll_frame(&mut small),
        Err(SessionError::BufferTooSmall { needed: len })
    );
    let mut buf = [0u8; 64];
    assert_eq!(s.poll_frame(&mut buf), Ok(Some(Outgoing::Text(len))));
    assert_eq!(s.poll_frame(&mut buf), Ok(None));
}

#[test]
fn frames_beyond_the_outbox_are_dropped_and_counted() {
    let mut s = Small::new(Options::DEFAULT);
    let a = joined(&mut s, "a");
    // each push frame is about 30 bytes; the outbox holds 64
    for _ in 0..2 {
        s.push(3, a, "a_longer_event", &EmptyObject, Some(5), &mut |_| {})
            .unwrap();
    }
    assert_eq!(s.dropped_frames(), 1);
    let mut outcomes = 0;
    s.handle_timeout(100, &mut |e| {
        outcomes += usize::from(matches!(e, Event::Push { .. }));
    });
    assert_eq!(
        outcomes, 2,
        "a push whose frame was dropped still times out"
    );
}

#[test]
fn binary_pushes_need_v2() {
    let mut s = Small::new(Options {
        vsn: Vsn::V1,
        ..Options::DEFAULT
    });
    let id = s.join(0, "a", &EmptyObject, &mut |_| {}).unwrap();
    assert_eq!(
        s.push_binary(0, id, "e", b"\x00", None, &mut |_| {}),
        Err(SessionError::BinaryNeedsV2)
    );
}

#[test]
fn zero_options_mean_the_defaults_and_ref_text_is_decimal() {
    let o = Options {
        heartbeat_interval_ms: 0,
        timeout_ms: 0,
        ..Options::DEFAULT
    };
    assert_eq!((o.heartbeat(), o.timeout()), (30_000, 10_000));
    assert_eq!(RefText::new(0).as_str(), "0");
    assert_eq!(RefText::new(u64::MAX).as_str(), "18446744073709551615");
    assert_eq!(Backoff::REJOIN.delay(0), 1000);
}

#[test]
fn messages_before_open_and_garbage_are_ignored() {
    let mut s = Small::new(Options::DEFAULT);
    let mut events = 0;
    s.handle_message(
        0,
        WsMessage::Text(b"[null,null,\"a\",\"x\",{}]"),
        &mut |_| events += 1,
    );
    s.handle_closed(0, 1006, &mut |_| events += 1);
    s.handle_opened(0, &mut |_| events += 1);
    let a = joined(&mut s, "a");
    s.handle_message(3, WsMessage::Binary(b"\xff\x00"), &mut |_| events += 1);
    s.handle_message(3, WsMessage::Text(b"{"), &mut |_| events += 1);
    assert_eq!(events, 0);
    s.handle_message(
        3,
        WsMessage::Text(b"[null,null,\"a\",\"x\",{}]"),
        &mut |e| {
            assert!(matches!(e, Event::Message { channel, .. } if channel == a));
            events += 1;
        },
    );
    assert_eq!(events, 1);
}
