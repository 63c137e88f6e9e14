//! Presence sync against the sequences PROTOCOL.md §6 describes, with the conformance
//! vectors' presence frames.

use phx_codec_std::presence::{PresenceEvent, PresenceTracker, TrackedDiff, presence_map};
use phx_codec_std::{Error, PresenceTracker as Reexported};
use serde_json::{Value, json};

const ROOM_STATE: &str = r#"["2",null,"room:2ebb","presence_state",{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nCz5n8R5gAAAPB","user_id":7}]},"user:8":{"metas":[{"online_at":"1732460100","phx_ref":"F4nC0Ab1Cd2AAAQC","user_id":8},{"online_at":"1732460200","phx_ref":"F4nC0xYzWv3AAARD","user_id":8}]}}]"#;
const ROOM_JOIN: &str = r#"[null,null,"room:2ebb","presence_diff",{"joins":{"user:9":{"metas":[{"online_at":"1732460300","phx_ref":"F4nC1Qq9Rr4AAASE","user_id":9}]}},"leaves":{}}]"#;
const ROOM_LEAVE: &str = r#"[null,null,"room:2ebb","presence_diff",{"joins":{},"leaves":{"user:8":{"metas":[{"online_at":"1732460100","phx_ref":"F4nC0Ab1Cd2AAAQC","user_id":8}]}}}]"#;

fn apply(presence: &mut PresenceTracker, text: &str) -> Vec<PresenceEvent> {
    let frame = phx_codec::decode_text(text.as_bytes()).expect("valid frame");
    presence
        .apply(&frame)
        .expect("well-formed presence")
        .expect("a presence event")
}

fn refs(presence: &PresenceTracker, key: &str) -> Vec<String> {
    presence
        .get(key)
        .unwrap_or_default()
        .iter()
        .map(|m| m.phx_ref().unwrap_or("-").to_owned())
        .collect()
}

fn state(value: Value) -> phx_codec_std::presence::PresenceMap {
    presence_map(value).expect("well-formed state")
}

fn diff(value: Value) -> TrackedDiff {
    TrackedDiff::from_value(value).expect("well-formed diff")
}

fn metas(refs: &[&str]) -> Value {
    json!({ "metas": refs.iter().map(|r| json!({"phx_ref": r})).collect::<Vec<_>>() })
}

#[test]
fn a_state_lists_everyone_and_reports_each_key_as_a_join() {
    let mut presence = Reexported::new();
    let events = apply(&mut presence, ROOM_STATE);
    assert_eq!(presence.users().collect::<Vec<_>>(), ["7", "8"]);
    assert_eq!(
        refs(&presence, "user:8"),
        ["F4nC0Ab1Cd2AAAQC", "F4nC0xYzWv3AAARD"]
    );
    assert!(presence.is_synced());
    let joined: Vec<_> = events
        .iter()
        .map(|e| match e {
            PresenceEvent::Join {
                key,
                previous,
                joined,
            } => {
                assert!(previous.is_empty());
                (key.as_str(), joined.len())
            }
            PresenceEvent::Leave { .. } => panic!("no leaves in a first state"),
        })
        .collect();
    assert_eq!(joined, [("user:7", 1), ("user:8", 2)]);
}

#[test]
fn a_diff_join_adds_a_key_and_a_leave_removes_one_meta() {
    let mut presence = PresenceTracker::new();
    apply(&mut presence, ROOM_STATE);
    let events = apply(&mut presence, ROOM_JOIN);
    assert_eq!(presence.users().collect::<Vec<_>>(), ["7", "8", "9"]);
    assert!(
        matches!(&events[..], [PresenceEvent::Join { key, previous, .. }] if key == "user:9" && previous.is_empty())
    );

    let events = apply(&mut presence, ROOM_LEAVE);
    assert_eq!(
        refs(&presence, "user:8"),
        ["F4nC0xYzWv3AAARD"],
        "user 8 still has a second tab"
    );
    match &events[..] {
        [
            PresenceEvent::Leave {
                key,
                remaining,
                left,
            },
        ] => {
            assert_eq!(key, "user:8");
            assert_eq!(remaining.len(), 1);
            assert_eq!(left[0].phx_ref(), Some("F4nC0Ab1Cd2AAAQC"));
        }
        other => panic!("expected one leave, got {other:?}"),
    }
}

#[test]
fn a_key_is_removed_when_its_last_meta_leaves() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(
        json!({"user:1": metas(&["A"]), "user:2": metas(&["B"])}),
    ));
    let events = presence.sync_diff(diff(
        json!({"joins": {}, "leaves": {"user:1": metas(&["A"])}}),
    ));
    assert!(!presence.is_online("user:1"));
    assert_eq!(presence.keys().collect::<Vec<_>>(), ["user:2"]);
    assert!(
        matches!(&events[..], [PresenceEvent::Leave { remaining, .. }] if remaining.is_empty())
    );
}

#[test]
fn an_update_replaces_the_meta_in_place_of_leave_plus_join() {
    let mut presence = PresenceTracker::new();
    let customer = "customer:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b";
    presence.sync_state(state(json!({ customer: {"metas": [
        {"phx_ref": "OTHER", "online_at": "1"},
        {"phx_ref": "F4nC1Yy0Bb4AAASE", "online_at": "1732460000"}
    ]}})));
    let frame = r#"[null,null,"conversation:5c9b","presence_diff",{"joins":{"customer:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b":{"metas":[{"online_at":"1732460400","phx_ref":"F4nC2Zz1Aa5AAATF","phx_ref_prev":"F4nC1Yy0Bb4AAASE","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]}},"leaves":{"customer:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b":{"metas":[{"online_at":"1732460000","phx_ref":"F4nC1Yy0Bb4AAASE","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]}}}]"#;
    let events = apply(&mut presence, frame);
    assert_eq!(refs(&presence, customer), ["OTHER", "F4nC2Zz1Aa5AAATF"]);
    let updated = &presence.get(customer).expect("present")[1];
    assert_eq!(updated.phx_ref_prev(), Some("F4nC1Yy0Bb4AAASE"));
    assert_eq!(updated.get("online_at"), Some(&json!("1732460400")));
    assert_eq!(
        presence.customers().collect::<Vec<_>>(),
        ["c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"]
    );
    assert!(
        matches!(&events[..], [PresenceEvent::Join { previous, .. }, PresenceEvent::Leave { remaining, .. }]
        if previous.len() == 2 && remaining.len() == 2)
    );
}

#[test]
fn a_join_with_a_known_ref_moves_that_meta_to_the_end() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(json!({"user:1": metas(&["A", "B"])})));
    presence.sync_diff(diff(
        json!({"joins": {"user:1": metas(&["A", "C"])}, "leaves": {}}),
    ));
    assert_eq!(refs(&presence, "user:1"), ["B", "A", "C"]);
}

#[test]
fn a_leave_for_an_unknown_key_is_ignored() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(json!({"user:1": metas(&["A"])})));
    let before = presence.clone();
    let events = presence.sync_diff(diff(
        json!({"joins": {}, "leaves": {"user:404": metas(&["Z"])}}),
    ));
    assert!(events.is_empty());
    assert_eq!(presence, before);
}

#[test]
fn a_leave_of_an_unknown_ref_keeps_the_key_but_still_reports_the_leave() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(json!({"user:1": metas(&["A"])})));
    let events = presence.sync_diff(diff(
        json!({"joins": {}, "leaves": {"user:1": metas(&["Z"])}}),
    ));
    assert_eq!(refs(&presence, "user:1"), ["A"]);
    assert!(
        matches!(&events[..], [PresenceEvent::Leave { remaining, .. }] if remaining.len() == 1)
    );
}

#[test]
fn diffs_before_the_first_state_are_held_and_applied_after_it() {
    let mut presence = PresenceTracker::new();
    assert!(apply(&mut presence, ROOM_JOIN).is_empty());
    assert!(apply(&mut presence, ROOM_LEAVE).is_empty());
    assert_eq!(presence.pending_diffs(), 2);
    assert!(presence.is_empty(), "nothing is shown before the state");

    let events = apply(&mut presence, ROOM_STATE);
    assert_eq!(presence.pending_diffs(), 0);
    assert_eq!(presence.users().collect::<Vec<_>>(), ["7", "8", "9"]);
    assert_eq!(refs(&presence, "user:8"), ["F4nC0xYzWv3AAARD"]);
    // Two state joins, then the held join, then the held leave.
    assert_eq!(events.len(), 4);
    assert!(matches!(&events[3], PresenceEvent::Leave { key, .. } if key == "user:8"));
}

#[test]
fn a_new_state_diffs_against_the_current_list() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(
        json!({"user:1": metas(&["A", "B"]), "user:2": metas(&["C"])}),
    ));
    let events = presence.sync_state(state(
        json!({"user:1": metas(&["B", "D"]), "user:3": metas(&["E"])}),
    ));
    assert_eq!(presence.keys().collect::<Vec<_>>(), ["user:1", "user:3"]);
    assert_eq!(refs(&presence, "user:1"), ["B", "D"]);
    let summary: Vec<String> = events
        .iter()
        .map(|e| match e {
            PresenceEvent::Join { key, joined, .. } => format!(
                "+{key}:{}",
                joined
                    .iter()
                    .filter_map(|m| m.phx_ref())
                    .collect::<String>()
            ),
            PresenceEvent::Leave { key, left, .. } => format!(
                "-{key}:{}",
                left.iter().filter_map(|m| m.phx_ref()).collect::<String>()
            ),
        })
        .collect();
    assert_eq!(
        summary,
        ["+user:1:D", "+user:3:E", "-user:1:A", "-user:2:C"]
    );
}

#[test]
fn rejoining_holds_diffs_until_the_next_state() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(json!({"user:1": metas(&["A"])})));
    presence.rejoining();
    assert!(
        presence
            .sync_diff(diff(
                json!({"joins": {"user:2": metas(&["B"])}, "leaves": {}})
            ))
            .is_empty()
    );
    assert_eq!(presence.keys().collect::<Vec<_>>(), ["user:1"]);
    presence.sync_state(state(json!({"user:1": metas(&["A"])})));
    assert_eq!(presence.keys().collect::<Vec<_>>(), ["user:1", "user:2"]);
}

#[test]
fn other_events_are_not_presence() {
    let mut presence = PresenceTracker::new();
    let frame = phx_codec::decode_text(br#"[null,null,"room:1","shout",{}]"#).expect("valid");
    assert!(presence.apply(&frame).expect("no error").is_none());
}

#[test]
fn malformed_presence_payloads_are_refused_and_change_nothing() {
    let mut presence = PresenceTracker::new();
    presence.sync_state(state(json!({"user:1": metas(&["A"])})));
    let before = presence.clone();
    for text in [
        r#"[null,null,"r","presence_state",{"user:1":{"metas":{}}}]"#,
        r#"[null,null,"r","presence_state",[]]"#,
        r#"[null,null,"r","presence_diff",{"joins":{"user:2":{"metas":[1]}},"leaves":{}}]"#,
        r#"[null,null,"r","presence_diff",{"joins":[],"leaves":{}}]"#,
    ] {
        let frame = phx_codec::decode_text(text.as_bytes()).expect("valid frame");
        assert!(
            matches!(presence.apply(&frame), Err(Error::Presence(_))),
            "{text}"
        );
        assert_eq!(presence, before, "{text}");
    }
}

#[test]
fn shared_and_owned_frames_apply_like_borrowed_frames() {
    let mut borrowed = PresenceTracker::new();
    let mut shared = PresenceTracker::new();
    let mut owned = PresenceTracker::new();
    for text in [
        ROOM_JOIN,
        ROOM_STATE,
        ROOM_LEAVE,
        r#"[null,null,"room:2ebb","shout",{}]"#,
    ] {
        let frame = phx_codec::decode_text(text.as_bytes()).expect("valid");
        let shared_frame = phx_codec_std::SharedFrame::decode(
            bytes::Bytes::copy_from_slice(text.as_bytes()),
            phx_codec::WireFormat::V2,
            phx_codec::Direction::FromServer,
        )
        .expect("valid");
        let owned_frame = phx_codec_std::OwnedFrame::from(&frame);
        let events = borrowed.apply(&frame).expect("well-formed");
        assert_eq!(events, shared.apply(&shared_frame).expect("well-formed"));
        assert_eq!(events, owned.apply(&owned_frame).expect("well-formed"));
        assert_eq!(borrowed, shared);
        assert_eq!(borrowed, owned);
    }
    assert_eq!(shared.users().collect::<Vec<_>>(), ["7", "8", "9"]);
}
