//! `PresenceItems` (a presence payload read in one walk) against the two-pass views
//! (`PresenceState::from_frame` / `PresenceDiff::from_frame`, then `entries()` and `Metas`):
//! the same first error and the same keys and metas, on the conformance vectors, on every
//! part of presence payloads replaced by a value of each type, on their truncations (closed
//! so that they parse) and on generated payloads. The comparison is
//! `phx_tests::fuzz::presence_items_agree`, which the `typed_message` fuzz target runs too.

mod support;

use std::fmt::Write as _;

use phx_codec::DecodeLimits;
use phx_codec::presence::{PresenceItem, PresenceItems, PresenceKey, PresenceSection};
use phx_codec::{RawJson, decode_text};
use phx_tests::fuzz::{presence_items_agree, presence_stream_agrees};
use proptest::prelude::*;

/// Presence payloads: the shapes Phoenix sends, and the odd ones a peer could.
const PAYLOADS: &[&str] = &[
    r#"{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nCz5n8R5gAAAPB","user_id":7}]},"user:8":{"metas":[{"online_at":"1732460100","phx_ref":"F4nC0Ab1Cd2AAAQC","user_id":8},{"online_at":"1732460200","phx_ref":"F4nC0xYzWv3AAARD","phx_ref_prev":"F4nC0Ab1Cd2AAAQC","user_id":8}]}}"#,
    r#"{"joins":{"customer:c6f1":{"metas":[{"online_at":"1732460400","phx_ref":"F2","phx_ref_prev":"F1","customer_id":"c6f1"}]}},"leaves":{"customer:c6f1":{"metas":[{"online_at":"1732460000","phx_ref":"F1","customer_id":"c6f1"}]}}}"#,
    r#"{"joins":{},"leaves":{"user:8":{"metas":[{"phx_ref":"F4"}]}}}"#,
    "{}",
    r#"{"joins":null,"leaves":null}"#,
    r#"{"user:1":{},"user:2":{"metas":null},"user:3":{"metas":[]}}"#,
    "{ \"us\\u0065r:1\" : { \"x\" : [1,{\"metas\":2}] , \"m\\u0065tas\" : [ { \"phx_ref\" : \"a\\\"b\" , \"extra\" : { \"user_id\" : \"no\" } , \"user_id\" : -9 } ,\n {\"ph\\u0078_ref\":\"F\\u0031\",\"online_at\":\"1732460000\",\"user_id\":null,\"customer_id\":\"c\"},\t {} ] , \"after\" : [ ] } }",
    r#"{"customer:ünï":{"metas":[{"phx_ref":"é€😀","customer_id":"ünï","online_at":"\u0031"}]},"😀":{"metas":[{}]}}"#,
    r#"{"u":{"metas":[{"phx_ref":"a"}],"metas":[{"phx_ref":"b"}]},"v":{"metas":null,"metas":[{"phx_ref":"c"}]},"w":{"metas":[{"phx_ref":"d"}],"metas":null}}"#,
    r#"{"u":{"metas":[{"phx_ref":"a"}]},"u":{"metas":[{"phx_ref":"b"}]}}"#,
    r#"{"joins":{"u":{"metas":[{}]}},"leaves":{},"joins":{"v":{"metas":[{"phx_ref":"x"}]}},"leaves":null}"#,
    r#"{"joins":{"u":{"metas":[{"phx_ref":"a","phx_ref":"b","user_id":1,"user_id":2}]}}}"#,
];

/// Values of every JSON type (and numbers that are not `i64`s), to put anywhere.
const REPLACEMENTS: &[&str] = &[
    "null",
    "1",
    "-1.5",
    "9223372036854775808",
    "true",
    "\"s\"",
    "[]",
    "[1]",
    "[{}]",
    "{}",
    r#"{"metas":[]}"#,
    r#"{"metas":[{"phx_ref":1}]}"#,
];

/// `payload` as the payload of a frame of `event`, decoded, compared.
fn agree(event: &str, payload: &str) {
    let text = format!(r#"["2",null,"room:1","{event}",{payload}]"#);
    let frame = decode_text(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"));
    presence_items_agree(&frame);
    // The frame read in one walk (`PresenceStream`) as well.
    presence_stream_agrees(text.as_bytes(), &DecodeLimits::new());
}

/// Both events (the comparison reads the payload as a state and as a diff either way; the
/// event picks what `frame.message()` does elsewhere).
fn agree_both(payload: &str) {
    agree("presence_state", payload);
    agree("presence_diff", payload);
}

/// The byte spans of every value in `raw` (itself included), depth first.
fn value_spans(raw: RawJson<'_>, base: &str, out: &mut Vec<(usize, usize)>) {
    let start = raw.as_str().as_ptr() as usize - base.as_ptr() as usize;
    out.push((start, start + raw.as_str().len()));
    if let Some(members) = raw.members() {
        for (_, value) in members {
            value_spans(value, base, out);
        }
    } else if let Some(items) = raw.items() {
        for value in items {
            value_spans(value, base, out);
        }
    }
}

#[test]
fn the_vectors_read_the_same_in_one_walk() {
    let mut presence = 0;
    for case in support::load_cases() {
        if let Ok(frame) = case.decode() {
            presence_items_agree(&frame);
            presence += usize::from(
                frame
                    .event()
                    .as_str()
                    .is_some_and(|e| e.starts_with("presence_")),
            );
        }
    }
    assert!(presence >= 5, "only {presence} presence vectors");
}

#[test]
fn the_payloads_read_the_same_in_one_walk() {
    for payload in PAYLOADS {
        agree_both(payload);
    }
}

#[test]
fn every_part_replaced_by_every_type_reads_the_same() {
    let mut n = 0;
    for payload in PAYLOADS {
        let raw = RawJson::parse(payload).unwrap();
        let mut spans = Vec::new();
        value_spans(raw, payload, &mut spans);
        for (start, end) in spans {
            for replacement in REPLACEMENTS {
                let text = format!("{}{replacement}{}", &payload[..start], &payload[end..]);
                agree_both(&text);
                n += 1;
            }
            // The part removed (with a neighbouring comma when it is a member or an item).
            let key_start = payload[..start]
                .rfind(['{', ',', '['])
                .map_or(start, |at| at + 1);
            let before = &payload[..key_start];
            let after = &payload[end..];
            let text = if let Some(rest) = after.strip_prefix(',') {
                format!("{before}{rest}")
            } else if let Some(head) = before.strip_suffix(',') {
                format!("{head}{after}")
            } else {
                format!("{before}{after}")
            };
            if RawJson::parse(&text).is_ok() {
                agree_both(&text);
                n += 1;
            }
        }
    }
    assert!(n > 1000, "{n} payloads");
}

#[test]
fn truncations_closed_so_that_they_parse_read_the_same() {
    let mut n = 0;
    for payload in PAYLOADS {
        for len in 1..payload.len() {
            let Some(prefix) = payload.get(..len) else {
                continue;
            };
            // Close what is open: a string, then each container.
            let mut closers = Vec::new();
            let mut in_string = false;
            let mut escaped = false;
            for b in prefix.bytes() {
                match (in_string, escaped, b) {
                    (true, true, _) => escaped = false,
                    (true, false, b'\\') => escaped = true,
                    (true, false, b'"') => in_string = false,
                    (false, _, b'"') => in_string = true,
                    (false, _, b'{') => closers.push('}'),
                    (false, _, b'[') => closers.push(']'),
                    (false, _, b'}' | b']') => {
                        closers.pop();
                    }
                    _ => {}
                }
            }
            let mut text = prefix.to_owned();
            if in_string {
                if escaped {
                    continue;
                }
                text.push('"');
            }
            text.extend(closers.iter().rev());
            if RawJson::parse(&text).is_ok() {
                agree_both(&text);
                n += 1;
            }
        }
    }
    assert!(n > 100, "{n} truncations");
}

#[test]
fn an_error_is_yielded_once_after_the_items_before_it() {
    let frame = decode_text(
        br#"["2",null,"room:1","presence_state",{"a":{"metas":[{"phx_ref":"x"}]},"b":{"metas":[{"user_id":"7"}]},"c":[]}]"#,
    )
    .unwrap();
    let mut items = PresenceItems::state(&frame);
    assert!(matches!(items.next(), Some(Ok(PresenceItem::Key(PresenceKey::Other(k)))) if k == "a"));
    assert!(matches!(items.next(), Some(Ok(PresenceItem::Meta(m))) if m.phx_ref().unwrap() == "x"));
    assert!(matches!(items.next(), Some(Ok(PresenceItem::Key(PresenceKey::Other(k)))) if k == "b"));
    let error = frame.message().unwrap_err();
    assert_eq!(items.next(), Some(Err(error)));
    assert_eq!(items.next(), None);
    assert_eq!(items.next(), None);
}

#[test]
fn a_second_metas_restarts_its_key_and_a_second_section_restarts_it() {
    let keys_and_refs = |items: PresenceItems<'_>| -> Vec<String> {
        items
            .map(|item| match item.unwrap() {
                PresenceItem::Section(PresenceSection::Joins) => "joins".to_owned(),
                PresenceItem::Section(PresenceSection::Leaves) => "leaves".to_owned(),
                PresenceItem::Key(key) => key.to_string(),
                PresenceItem::Meta(meta) => format!(
                    "={}",
                    meta.phx_ref().map(|r| r.to_string()).unwrap_or_default()
                ),
            })
            .collect()
    };
    let state = RawJson::parse(PAYLOADS[8]).unwrap();
    // `u` restarts (metas of its first `metas` were yielded); `v` does not (its first was
    // null); `w` restarts with no metas (its last `metas` is null).
    assert_eq!(
        keys_and_refs(PresenceItems::state_json(state)),
        ["u", "=a", "u", "=b", "v", "=c", "w", "=d", "w"]
    );
    let diff = RawJson::parse(PAYLOADS[10]).unwrap();
    assert_eq!(
        keys_and_refs(PresenceItems::diff_json(diff)),
        ["joins", "u", "=", "leaves", "joins", "v", "=x", "leaves"]
    );
}

#[test]
fn a_payload_that_is_not_an_object_is_the_only_item() {
    let frame = decode_text(br#"["2",null,"room:1","presence_state",[1]]"#).unwrap();
    let error = frame.message().unwrap_err();
    assert_eq!(
        PresenceItems::state(&frame).collect::<Vec<_>>(),
        [Err(error)]
    );
    assert_eq!(
        PresenceItems::diff(&frame).collect::<Vec<_>>(),
        [Err(error)]
    );
    let mut binary = vec![0, 1, 1, 1, 14, b'1', b'2', b'r'];
    binary.extend_from_slice(b"presence_state");
    binary.push(0xff);
    let frame =
        phx_codec::binary::decode_binary(&binary, phx_codec::Direction::FromClient).unwrap();
    let error = frame.message().unwrap_err();
    assert_eq!(
        PresenceItems::state(&frame).collect::<Vec<_>>(),
        [Err(error)]
    );
    presence_items_agree(&frame);
}

/// A presence-shaped JSON value: maps of entries of `metas` arrays of meta objects, with
/// values of any type sprinkled where the typed parts are.
fn presence_json() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        Just("null".to_owned()),
        Just("7".to_owned()),
        Just("1.5".to_owned()),
        Just("\"F\\u0031\"".to_owned()),
        Just("\"x\"".to_owned()),
        Just("true".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    let field = prop_oneof![
        Just("phx_ref"),
        Just("phx_ref_prev"),
        Just("online_at"),
        Just("user_id"),
        Just("customer_id"),
        Just("other"),
    ];
    let meta = prop_oneof![
        4 => prop::collection::vec((field, scalar.clone()), 0..4).prop_map(|members| {
            let members: Vec<String> =
                members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", members.join(","))
        }),
        1 => scalar.clone(),
    ];
    let metas = prop_oneof![
        4 => prop::collection::vec(meta, 0..3).prop_map(|m| format!("[{}]", m.join(","))),
        1 => scalar.clone(),
    ];
    let entry_member = prop_oneof![
        4 => metas.prop_map(|m| format!("\"metas\":{m}")),
        1 => scalar.clone().prop_map(|v| format!("\"x\":{v}")),
    ];
    let entry = prop_oneof![
        4 => prop::collection::vec(entry_member, 0..3).prop_map(|m| format!("{{{}}}", m.join(","))),
        1 => scalar.clone(),
    ];
    let key = prop_oneof![
        Just("user:1"),
        Just("customer:c"),
        Just("u\\u0031"),
        Just("joins"),
        Just("leaves")
    ];
    let map = prop::collection::vec((key.clone(), entry), 0..4).prop_map(|entries| {
        let entries: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", entries.join(","))
    });
    let section = prop_oneof![4 => map.clone(), 1 => scalar];
    prop_oneof![
        map,
        prop::collection::vec((key, section), 0..3).prop_map(|sections| {
            let members: Vec<String> = sections
                .iter()
                .map(|(k, v)| format!("\"{k}\":{v}"))
                .collect();
            format!("{{{}}}", members.join(","))
        }),
    ]
}

proptest! {
    #[test]
    fn generated_payloads_read_the_same(payload in presence_json()) {
        agree_both(&payload);
    }
}

/// Limits that move the walk onto its other paths: depth limits around the containers it
/// opens itself (under 6 it hands the frame to the two-pass reader from the start), extra
/// elements allowed, a frame length limit.
fn limits() -> [DecodeLimits; 7] {
    [
        DecodeLimits::new(),
        DecodeLimits::new().with_max_depth(4),
        DecodeLimits::new().with_max_depth(5),
        DecodeLimits::new().with_max_depth(6),
        DecodeLimits::new().with_max_depth(7),
        DecodeLimits::new().with_extra_elements_allowed(true),
        DecodeLimits::new().with_max_frame_len(100),
    ]
}

/// Frames for the one-walk reader: each payload as a state and as a diff, and frames in
/// other shapes (whitespace everywhere, escapes in the envelope, extra elements, trailing
/// bytes, a payload that is not an object).
fn stream_frames() -> Vec<String> {
    let mut frames = Vec::new();
    for payload in PAYLOADS {
        for event in ["presence_state", "presence_diff"] {
            frames.push(format!(r#"["2",null,"room:1","{event}",{payload}]"#));
        }
    }
    frames.extend(
        [
            "[ \"2\" , null , \"room:1\" , \"presence_state\" , { \"user:1\" : { \"metas\" : [ { \"phx_ref\" : \"a\" } ] } } ]\n",
            r#"["\u0032",null,"room:\u0031","presence_state",{"user:1":{"metas":[{"phx_ref":"a"}]}}]"#,
            r#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"a"}]}},{"x":[1]},2]"#,
            r#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"a"}]}}] x"#,
            r#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"a"}]}},]"#,
            r#"[null,null,"room:1","presence_state",[{"metas":[]}]]"#,
            r#"[null,null,"room:1","presence_state","state"]"#,
            r#"[null,null,"room:1","presence_state",{}]"#,
            r#"[null,null,"room:1","presence_state",]"#,
            r#"[null,null,"room:1","presence_state"]"#,
            r#"[null,null,"room:1","presence_diff",{"joins":{"user:1":{"metas":[{"phx_ref":"a","user_id":12345678,"online_at":"1732460000"}]}},"other":[{"a":{"b":[null,true,false,-1.5e3]}}],"leaves":null}]"#,
            r#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"0123456789abcdef","phx_ref_prev":"0123456789abcdefg","online_at":"0123456789abcdef0123456789abcdef0","user_id":123456789,"customer_id":"\u00e9"}]}}]"#,
        ]
        .map(str::to_owned),
    );
    // The bench's shape: agents with two or three metas, some with `phx_ref_prev`.
    let mut bench =
        String::from(r#"["2",null,"room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","presence_state",{"#);
    for i in 0..6u64 {
        if i > 0 {
            bench.push(',');
        }
        let id = 1000 + i * 7;
        let _ = write!(
            bench,
            r#""user:{id}":{{"metas":[{{"online_at":"17324600{i:02}","phx_ref":"F4nCz5n8R5gAAA{i:02}","user_id":{id}}},{{"online_at":"1732460300","phx_ref":"F4nC0xYzWv3AAARD","phx_ref_prev":"F4nC0Ab1Cd2AAAQC","user_id":{id}}}]}}"#
        );
    }
    bench.push_str("}]");
    frames.push(bench);
    frames
}

#[test]
fn the_stream_answers_as_the_two_passes_under_every_limit() {
    for frame in stream_frames() {
        for limits in &limits() {
            presence_stream_agrees(frame.as_bytes(), limits);
        }
    }
}

#[test]
fn the_stream_answers_as_the_two_passes_for_every_truncation() {
    let mut n = 0;
    for frame in stream_frames() {
        for end in 0..frame.len() {
            presence_stream_agrees(&frame.as_bytes()[..end], &DecodeLimits::new());
            n += 1;
        }
    }
    assert!(n > 5000, "{n} truncations");
}

#[test]
fn the_stream_answers_as_the_two_passes_with_any_byte_replaced() {
    // Bytes that change the grammar (every structural byte, whitespace, a literal's and a
    // number's first byte, an escape, a control byte, broken UTF-8) and a case change.
    const BYTES: &[u8] = b"\"\\,:{}[] \nn1-0a\x00\x1f\xc3\xff";
    let frames = [
        r#"["2",null,"room:1","presence_state",{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nCz5n8R5gAAAPB","user_id":7},{"phx_ref":"F2","phx_ref_prev":"F1","customer_id":"c"}]},"customer:c1":{"x":1,"metas":[]}}]"#,
        r#"[null,null,"room:1","presence_diff",{"joins":{"user:8":{"metas":[{"phx_ref":"F3","user_id":8}]}},"leaves":{"user:7":{"metas":[{}]}}}]"#,
    ];
    let mut n = 0;
    for frame in frames {
        for at in 0..frame.len() {
            let mut bytes = frame.as_bytes().to_vec();
            let old = bytes[at];
            for &b in BYTES.iter().chain([&(old ^ 0x20)]) {
                if b == old {
                    continue;
                }
                bytes[at] = b;
                presence_stream_agrees(&bytes, &DecodeLimits::new());
                n += 1;
            }
            // And the byte removed.
            let mut cut = frame.as_bytes().to_vec();
            cut.remove(at);
            presence_stream_agrees(&cut, &DecodeLimits::new());
        }
    }
    assert!(n > 4000, "{n} frames");
}
