//! Tests of `presence.rs`: iteration, keys, the type checks and their error offsets.

use super::*;
use crate::decode_text;
use crate::message::view::{check_kind, wrong_type};
use crate::message::{Message, MessageErrorKind};

// Frames copied from tests/data/v2.json.
const STATE_ROOM: &str = r#"["2",null,"room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","presence_state",{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nCz5n8R5gAAAPB","user_id":7}]},"user:8":{"metas":[{"online_at":"1732460100","phx_ref":"F4nC0Ab1Cd2AAAQC","user_id":8},{"online_at":"1732460200","phx_ref":"F4nC0xYzWv3AAARD","user_id":8}]}}]"#;
const DIFF_JOIN: &str = r#"[null,null,"room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","presence_diff",{"joins":{"user:9":{"metas":[{"online_at":"1732460300","phx_ref":"F4nC1Qq9Rr4AAASE","user_id":9}]}},"leaves":{}}]"#;
const DIFF_LEAVE: &str = r#"[null,null,"room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5","presence_diff",{"joins":{},"leaves":{"user:8":{"metas":[{"online_at":"1732460100","phx_ref":"F4nC0Ab1Cd2AAAQC","user_id":8}]}}}]"#;
const DIFF_UPDATE: &str = r#"[null,null,"conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","presence_diff",{"joins":{"customer:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b":{"metas":[{"online_at":"1732460400","phx_ref":"F4nC2Zz1Aa5AAATF","phx_ref_prev":"F4nC1Yy0Bb4AAASE","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]}},"leaves":{"customer:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b":{"metas":[{"online_at":"1732460000","phx_ref":"F4nC1Yy0Bb4AAASE","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b"}]}}}]"#;
const CUSTOMER: &str = "c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b";

fn state(text: &str) -> PresenceState<'_> {
    match decode_text(text.as_bytes()).unwrap().message().unwrap() {
        Message::PresenceState(state) => state,
        other => panic!("not a state: {other:?}"),
    }
}

fn diff(text: &str) -> PresenceDiff<'_> {
    match decode_text(text.as_bytes()).unwrap().message().unwrap() {
        Message::PresenceDiff(diff) => diff,
        other => panic!("not a diff: {other:?}"),
    }
}

#[test]
fn state_iterates_keys_and_metas_in_order() {
    let s = state(STATE_ROOM);
    let mut entries = s.entries();
    let (key, mut metas) = entries.next().unwrap();
    assert_eq!(key, PresenceKey::User(7));
    let meta = metas.next().unwrap();
    assert_eq!(meta.phx_ref().unwrap(), "F4nCz5n8R5gAAAPB");
    assert_eq!(meta.online_at().unwrap(), "1732460000");
    assert_eq!(meta.online_at_secs(), Some(1_732_460_000));
    assert_eq!(meta.user_id(), Some(7));
    assert!(meta.phx_ref_prev().is_none() && meta.customer_id().is_none());
    assert!(metas.next().is_none());
    let (key, metas) = entries.next().unwrap();
    assert_eq!(key.user_id(), Some(8));
    let refs: heapless::Vec<_, 4> = metas.map(|m| m.phx_ref().unwrap()).collect();
    assert_eq!(refs, ["F4nC0Ab1Cd2AAAQC", "F4nC0xYzWv3AAARD"]);
    assert!(entries.next().is_none());
}

#[test]
fn diffs_list_joins_and_leaves() {
    let join = diff(DIFF_JOIN);
    assert_eq!(join.joins().count(), 1);
    assert_eq!(join.leaves().count(), 0);
    assert_eq!(join.joins().next().unwrap().0, PresenceKey::User(9));
    let leave = diff(DIFF_LEAVE);
    let (key, mut metas) = leave.leaves().next().unwrap();
    assert_eq!(key, PresenceKey::User(8));
    assert_eq!(metas.next().unwrap().phx_ref().unwrap(), "F4nC0Ab1Cd2AAAQC");
}

#[test]
fn an_update_appears_in_joins_with_the_previous_ref() {
    let update = diff(DIFF_UPDATE);
    let (key, mut metas) = update.joins().next().unwrap();
    assert_eq!(key.customer_id().unwrap(), CUSTOMER);
    let joined = metas.next().unwrap();
    assert_eq!(joined.phx_ref_prev().unwrap(), "F4nC1Yy0Bb4AAASE");
    assert_eq!(joined.customer_id().unwrap(), CUSTOMER);
    let (_, mut metas) = update.leaves().next().unwrap();
    assert_eq!(metas.next().unwrap().phx_ref().unwrap(), "F4nC1Yy0Bb4AAASE");
}

#[test]
fn keys_parse_user_customer_and_other_and_display_as_received() {
    for (text, key) in [
        ("user:7", PresenceKey::User(7)),
        ("user:0", PresenceKey::User(0)),
        ("customer:abc", PresenceKey::Customer("abc".into())),
        ("user:", PresenceKey::Other("user:".into())),
        ("user:-1", PresenceKey::Other("user:-1".into())),
        (
            "user:99999999999999999999",
            PresenceKey::Other("user:99999999999999999999".into()),
        ),
        ("customer:", PresenceKey::Other("customer:".into())),
        ("agent:1", PresenceKey::Other("agent:1".into())),
        // Around the 18 digits read without a range check, and `i64`'s end.
        (
            "user:999999999999999999",
            PresenceKey::User(999_999_999_999_999_999),
        ),
        ("user:9223372036854775807", PresenceKey::User(i64::MAX)),
        (
            "user:9223372036854775808",
            PresenceKey::Other("user:9223372036854775808".into()),
        ),
        ("user:12a", PresenceKey::Other("user:12a".into())),
        (
            "user:1234567890123456a",
            PresenceKey::Other("user:1234567890123456a".into()),
        ),
        ("user:012", PresenceKey::Other("user:012".into())),
    ] {
        let parsed = PresenceKey::parse(text.into());
        assert_eq!(parsed, key, "{text}");
        assert_eq!(PresenceKey::parse_inline(text.into()), key, "{text}");
        let mut shown = heapless::String::<64>::new();
        core::fmt::Write::write_fmt(&mut shown, format_args!("{parsed}")).unwrap();
        assert_eq!(shown, text);
    }
    let escaped = JsonStr::from_json_body(r"user:\u0037").unwrap();
    assert_eq!(PresenceKey::parse(escaped), PresenceKey::User(7));
    assert_eq!(PresenceKey::parse_inline(escaped), PresenceKey::User(7));
}

#[test]
fn missing_or_null_metas_give_no_metas() {
    let s = state(r#"[null,null,"room:1","presence_state",{"user:1":{},"user:2":{"metas":null}}]"#);
    assert_eq!(
        s.entries().map(|(_, metas)| metas.count()).sum::<usize>(),
        0
    );
    let d = diff(r#"[null,null,"room:1","presence_diff",{"joins":null}]"#);
    assert_eq!(d.joins().count() + d.leaves().count(), 0);
}

#[test]
fn online_at_secs_reads_escaped_digits_too() {
    let s = state(
        r#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"a","online_at":"\u0031732460000"},{"phx_ref":"b","online_at":"18446744073709551616"}]}}]"#,
    );
    let (_, metas) = s.entries().next().unwrap();
    let secs: heapless::Vec<Option<u64>, 2> = metas.map(|m| m.online_at_secs()).collect();
    assert_eq!(&secs[..], &[Some(1_732_460_000), None]);
}

#[test]
fn online_at_secs_needs_plain_digits() {
    let s = state(
        r#"[null,null,"room:1","presence_state",{"user:1":{"metas":[{"phx_ref":"a","online_at":"-5"},{"phx_ref":"b","online_at":""},{"phx_ref":"c"}]}}]"#,
    );
    let (_, metas) = s.entries().next().unwrap();
    assert!(metas.map(|m| m.online_at_secs()).all(|secs| secs.is_none()));
}

#[test]
fn malformed_presence_is_rejected_with_the_field_and_offset() {
    let check = |text: &str, field: &'static str, expected: JsonKind, at: usize| {
        let frame = decode_text(text.as_bytes()).unwrap();
        let err = frame.message().unwrap_err();
        let MessageErrorKind::WrongType {
            field: f,
            expected: e,
            ..
        } = err.kind
        else {
            panic!("wrong type expected, got {err:?}")
        };
        assert_eq!((f, e, err.offset), (field, expected, at), "{text}");
    };
    check(
        r#"[null,null,"r","presence_state",{"user:1":[]}]"#,
        "*",
        JsonKind::Object,
        10,
    );
    check(
        r#"[null,null,"r","presence_state",{"user:1":{"metas":{}}}]"#,
        "*.metas",
        JsonKind::Array,
        19,
    );
    check(
        r#"[null,null,"r","presence_state",{"u":{"metas":[1]}}]"#,
        "metas[]",
        JsonKind::Object,
        15,
    );
    check(
        r#"[null,null,"r","presence_state",{"u":{"metas":[{"phx_ref":1}]}}]"#,
        "metas[].phx_ref",
        JsonKind::String,
        26,
    );
    check(
        r#"[null,null,"r","presence_diff",{"joins":[]}]"#,
        "joins",
        JsonKind::Object,
        9,
    );
    check(
        r#"[null,null,"r","presence_diff",{"joins":{},"leaves":{"k":5}}]"#,
        "leaves.*",
        JsonKind::Object,
        26,
    );
    let frame = decode_text(br#"[null,null,"r","presence_state",[]]"#).unwrap();
    assert_eq!(
        frame.message().unwrap_err().kind,
        MessageErrorKind::PayloadNotObject {
            found: JsonKind::Array
        }
    );
}

/// Every meta of `state`, read by `Metas`, against `RawJson::get` on the same object.
fn metas_match_a_reference(s: &PresenceState<'_>) -> usize {
    let mut n = 0;
    for (_, metas) in s.entries() {
        let mut seen = metas.clone();
        for meta in metas {
            let raw = meta.raw();
            let text = |key: &str| raw.get(key).and_then(|v| v.as_json_str());
            assert_eq!(meta.phx_ref(), text("phx_ref"), "{raw}");
            assert_eq!(meta.phx_ref_prev(), text("phx_ref_prev"), "{raw}");
            assert_eq!(meta.online_at(), text("online_at"), "{raw}");
            assert_eq!(meta.customer_id(), text("customer_id"), "{raw}");
            assert_eq!(
                meta.user_id(),
                raw.get("user_id").and_then(|v| v.as_i64()),
                "{raw}"
            );
            assert_eq!(seen.next().map(|m| m.raw()), Some(raw));
            n += 1;
        }
        // A drained walk stays drained: it never reads on past the array's close.
        assert!(seen.next().is_none());
    }
    n
}

#[test]
fn metas_read_in_place_match_a_reference_with_spaces_escapes_and_unknown_members() {
    let s = state(
        "[null,null,\"room:1\",\"presence_state\",{ \"user:1\" : { \"x\" : [1,{\"metas\":2}] , \"metas\" : [ \
         { \"phx_ref\" : \"a\\\"b\" , \"extra\" : { \"user_id\" : \"no\" } , \"user_id\" : -9223372036854775808 } ,\n\
         {\"ph\\u0078_ref\":\"F\\u0031\",\"online_at\":\"1732460000\",\"user_id\":null,\"customer_id\":\"c\"},\t\
         {} ] , \"after\" : [ ] } , \"user:2\":{\"metas\":[{\"phx_ref\":\"0123456789abcdef\",\"phx_ref_prev\":\"0123456789abcdefg\"}]},\
         \"user:3\":{\"metas\":null},\"user:4\":{\"metas\":[]}}]",
    );
    assert_eq!(metas_match_a_reference(&s), 4);
    let keys: heapless::Vec<_, 4> = s.entries().map(|(key, _)| key).collect();
    assert_eq!(
        keys,
        [
            PresenceKey::User(1),
            PresenceKey::User(2),
            PresenceKey::User(3),
            PresenceKey::User(4)
        ]
    );
    let (_, mut metas) = s.entries().next().unwrap();
    assert_eq!(metas.next().unwrap().phx_ref().unwrap(), "a\"b");
    assert_eq!(metas.next().unwrap().phx_ref().unwrap(), "F1");
}

#[test]
fn the_bench_payload_reads_the_same_in_place() {
    let s = state(STATE_ROOM);
    assert_eq!(metas_match_a_reference(&s), 3);
}

#[test]
fn a_meta_integer_out_of_range_or_fractional_is_rejected_at_its_offset() {
    for (text, at) in [
        (
            r#"[null,null,"r","presence_state",{"u":{"metas":[{"user_id":9223372036854775808}]}}]"#,
            26,
        ),
        (
            r#"[null,null,"r","presence_state",{"u":{"metas":[{"phx_ref":"a", "user_id":1.5}]}}]"#,
            41,
        ),
        (
            r#"[null,null,"r","presence_diff",{"leaves":{"u":{"metas":[{"user_id":"7"}]}}}]"#,
            36,
        ),
    ] {
        let frame = decode_text(text.as_bytes()).unwrap();
        let err = frame.message().unwrap_err();
        assert!(
            matches!(
                err.kind,
                MessageErrorKind::NotAnInteger {
                    field: "metas[].user_id"
                } | MessageErrorKind::WrongType {
                    field: "metas[].user_id",
                    ..
                }
            ),
            "{text}: {err:?}"
        );
        assert_eq!(err.offset, at, "{text}");
    }
}

/// The presence check as it was before `PresenceItems` (every meta through the generic
/// typed-view fill, `object_at::<Meta>`): an independent reference for the errors of the
/// one-walk reader, which `from_frame` and `parse` now run.
fn reference_check_map(
    map: RawJson<'_>,
    entry_field: &'static str,
    metas_field: &'static str,
    base: &str,
) -> Result<(), MessageError> {
    let mut walk = Walk::inside(map);
    while walk.next_key().is_some() {
        if walk.peek() != b'{' {
            return Err(wrong_type(
                entry_field,
                JsonKind::Object,
                walk.value(),
                base,
            ));
        }
        walk.enter();
        while let Some(key) = walk.next_key() {
            if !is_metas(key) {
                walk.skip();
                continue;
            }
            match walk.peek() {
                b'[' => {}
                b'n' => {
                    walk.skip();
                    continue;
                }
                _ => return Err(wrong_type(metas_field, JsonKind::Array, walk.value(), base)),
            }
            walk.enter();
            while walk.next_item() {
                if walk.peek() != b'{' {
                    return Err(wrong_type("metas[]", JsonKind::Object, walk.value(), base));
                }
                object_at::<Meta<'_>, _>(&mut walk, base, false)?;
            }
        }
    }
    Ok(())
}

fn reference_state(raw: RawJson<'_>) -> Result<(), MessageError> {
    if raw.kind() != JsonKind::Object {
        return Err(MessageError {
            kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
            offset: 0,
        });
    }
    reference_check_map(raw, "*", "*.metas", raw.as_str())
}

fn reference_diff(raw: RawJson<'_>) -> Result<(), MessageError> {
    let Some(members) = raw.members() else {
        return Err(MessageError {
            kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
            offset: 0,
        });
    };
    let base = raw.as_str();
    for (key, value) in members {
        let (field, entry, metas) = if key.eq_str("joins") {
            ("joins", "joins.*", "joins.*.metas")
        } else if key.eq_str("leaves") {
            ("leaves", "leaves.*", "leaves.*.metas")
        } else {
            continue;
        };
        if let Some(map) = check_kind(value, JsonKind::Object, field, base)? {
            reference_check_map(map, entry, metas, base)?;
        }
    }
    Ok(())
}

/// `text` checked as a state and as a diff, by the views (one walk) and by the reference;
/// every meta the reader yields equal to the generic fill's view of the same object.
fn same_checks(text: &str) {
    let Ok(raw) = RawJson::parse(text) else {
        return;
    };
    assert_eq!(
        PresenceState::parse(raw).err(),
        reference_state(raw).err(),
        "{text}"
    );
    assert_eq!(
        PresenceDiff::parse(raw).err(),
        reference_diff(raw).err(),
        "{text}"
    );
    for items in [
        PresenceItems::state_json(raw),
        PresenceItems::diff_json(raw),
    ] {
        for item in items {
            if let Ok(PresenceItem::Meta(meta)) = item {
                // The generic fill, on the meta's object alone.
                let parsed = Meta::parse(meta.raw()).unwrap();
                assert_eq!(
                    (parsed.phx_ref(), parsed.phx_ref_prev(), parsed.online_at()),
                    (meta.phx_ref(), meta.phx_ref_prev(), meta.online_at()),
                    "{text}"
                );
                assert_eq!(
                    (parsed.user_id(), parsed.customer_id()),
                    (meta.user_id(), meta.customer_id()),
                    "{text}"
                );
            }
        }
    }
}

/// Presence payloads with every kind of part: escapes, spaces, non-ASCII, duplicates, nulls.
const PAYLOADS: &[&str] = &[
    r#"{"user:7":{"metas":[{"online_at":"1732460000","phx_ref":"F4nCz5n8R5gAAAPB","user_id":7}]},"customer:c":{"metas":[{"phx_ref":"F2","phx_ref_prev":"F1","customer_id":"c"},{}]}}"#,
    r#"{"joins":{"u":{"x":1,"metas":[{"phx_ref":"a","user_id":-1}]}},"leaves":{"v":{"metas":null}}}"#,
    "{ \"m\\u0065tas\" : [ { \"ph\\u0078_ref\" : \"\\\"é\" , \"user_id\" : 1 , \"o\" : [ ] } ] , \"u\" : { \"metas\" : [ ] , \"metas\" : [ { \"user_id\" : null } ] } }",
];

/// Values of every JSON type, and numbers that are not `i64`s.
const REPLACEMENTS: &[&str] = &[
    "null",
    "1",
    "1.5",
    "-9223372036854775809",
    "true",
    "\"s\"",
    "[]",
    "[1]",
    "{}",
    "[{}]",
];

/// The byte spans of every value in `raw` (itself included).
fn value_spans(raw: RawJson<'_>, base: &str, out: &mut heapless::Vec<(usize, usize), 96>) {
    let start = raw.as_str().as_ptr() as usize - base.as_ptr() as usize;
    out.push((start, start + raw.as_str().len())).unwrap();
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
#[cfg_attr(miri, ignore = "a few thousand payloads: too slow under Miri")]
fn one_walk_checks_give_the_two_pass_errors_with_every_part_of_every_type() {
    let mut n = 0;
    for payload in PAYLOADS {
        same_checks(payload);
        let mut spans = heapless::Vec::new();
        value_spans(RawJson::parse(payload).unwrap(), payload, &mut spans);
        for &(start, end) in &spans {
            for replacement in REPLACEMENTS {
                let mut text = heapless::String::<512>::new();
                text.push_str(&payload[..start]).unwrap();
                text.push_str(replacement).unwrap();
                text.push_str(&payload[end..]).unwrap();
                same_checks(&text);
                n += 1;
            }
        }
    }
    assert!(n > 300, "{n}");
}

#[test]
fn one_walk_checks_give_the_two_pass_errors() {
    for text in [
        r#"{"u":[]}"#,
        r#"{"u":{"metas":{}}}"#,
        r#"{"u":{"metas":[1]}}"#,
        r#"{"u":{"metas":[{"phx_ref":1}]}}"#,
        r#"{"u":{"metas":[{"user_id":1.5}]}}"#,
        r#"{"u":{"metas":[{"user_id":"7"}]}}"#,
        r#"{"u":{"metas":[],"metas":5}}"#,
        r#"{"joins":[],"leaves":{}}"#,
        r#"{"joins":{},"leaves":{"k":5}}"#,
        r#"{"leaves":{"k":{"metas":[{"customer_id":false}]}},"joins":7}"#,
        "[]",
        r#""s""#,
    ] {
        same_checks(text);
    }
}

/// Keys the fast meta reader takes (the first five) and near misses it leaves to the walk.
const META_KEYS: &[&str] = &[
    "phx_ref",
    "phx_ref_prev",
    "online_at",
    "customer_id",
    "user_id",
    "phx_re",
    "phx_refs",
    "phx_ref_pre",
    "phx_ref_prevs",
    "online_a",
    "online_atx",
    "customer",
    "customer_i",
    "customer_idx",
    "user_i",
    "user_idx",
    "u\\u0073er_id",
    "x",
];

/// Values other than plain strings: integers short and long, in and out of `i64` range,
/// fractions, other types, strings with escapes.
const META_OTHER_VALUES: &[&str] = &[
    "0",
    "7",
    "-7",
    "10",
    "1234567",
    "12345678",
    "123456789",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "1.5",
    "1e3",
    "12345678.5",
    "null",
    "true",
    "{}",
    "[1]",
    "\"\\u0031\"",
    "\"a\\\"b\"",
    "\"0123456789abcde\\\\\"",
];

/// The value `i` of the meta reader test: strings of every length 0..=40 (plain, then with an
/// escape), then [`META_OTHER_VALUES`].
fn meta_value(i: usize, out: &mut heapless::String<48>) -> bool {
    out.clear();
    let (len, escape) = (i % 41, i / 41);
    match escape {
        0 | 1 => {
            out.push('"').unwrap();
            for at in 0..len {
                if escape == 1 && at == len / 2 {
                    out.push_str("\\n").unwrap();
                } else {
                    out.push(char::from(b"abcdefghijklmnopqrstuvwxyz"[at % 26]))
                        .unwrap();
                }
            }
            out.push('"').unwrap();
            true
        }
        _ => match META_OTHER_VALUES.get(i - 82) {
            Some(value) => {
                out.push_str(value).unwrap();
                true
            }
            None => false,
        },
    }
}

/// Every member form the fast meta reader takes and the near misses it leaves to the walk,
/// each meta moved across a 16-byte block by a first member of every length, and followed by
/// nothing (fewer than the fast reader's window after it: the walk reads it), a short member
/// or a long one: the same metas (the same text) and the same first errors as the generic
/// fill.
#[test]
fn fast_meta_members_read_what_the_generic_fill_reads() {
    use core::fmt::Write as _;
    let miri = cfg!(miri);
    let keys = if miri { &META_KEYS[..5] } else { META_KEYS };
    // Miri (slow: about half a second a meta) takes one offset, a 16-byte string and an
    // 8-digit integer, the window ending: 10 metas.
    let pads = if miri { 1..2 } else { 0..17 };
    let miri_values = [16, 82 + 5];
    let mut value = heapless::String::<48>::new();
    let mut text = heapless::String::<192>::new();
    let mut n = 0;
    for pad in pads {
        for key in keys {
            let all = 0..82 + META_OTHER_VALUES.len();
            for i in all.filter(|i| !miri || miri_values.contains(i)) {
                assert!(meta_value(i, &mut value));
                for after in 0..3 {
                    if miri && after != 2 {
                        continue;
                    }
                    text.clear();
                    text.push_str(r#"{"u":{"metas":[{"p":""#).unwrap();
                    for _ in 0..pad {
                        text.push('p').unwrap();
                    }
                    write!(text, r#"","{key}":{value}"#).unwrap();
                    // Nothing after the member, a short member, a long one (so the fast
                    // reader's window is always there).
                    match after {
                        0 => {}
                        1 => text.push_str(r#","z":1"#).unwrap(),
                        _ => text
                            .push_str(r#","z":"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz""#)
                            .unwrap(),
                    }
                    text.push_str("}]}}").unwrap();
                    same_checks(&text);
                    let object = &text[15..text.len() - 3];
                    let raw = RawJson::parse(&text).unwrap();
                    for item in PresenceItems::state_json(raw) {
                        if let Ok(PresenceItem::Meta(meta)) = item {
                            assert_eq!(meta.raw().as_str(), object);
                        }
                    }
                    n += 1;
                }
            }
        }
    }
    assert!(n >= 10, "{n}");
}

#[test]
fn key_text_is_each_key_as_received() {
    let text = r#"{"user:7":{"metas":[{"user_id":7}]},"customer:c\u0031":{"metas":[]},"user:07":{"metas":null},"x":{"metas":[{}],"metas":[{}]}}"#;
    let raw = RawJson::parse(text).unwrap();
    let mut items = PresenceItems::state_json(raw);
    assert_eq!(items.key_text(), "");
    let mut keys = 0;
    while let Some(item) = items.next() {
        if let PresenceItem::Key(key) = item.unwrap() {
            let mut shown = heapless::String::<32>::new();
            core::fmt::Write::write_fmt(&mut shown, format_args!("{key}")).unwrap();
            assert_eq!(items.key_text(), shown.as_str());
            keys += 1;
        }
    }
    // The last entry's key is yielded again for its second `metas`.
    assert_eq!(keys, 5);
    assert_eq!(items.key_text(), "x");
}

/// `user_id` is kept as the value the reader parsed: every form (the fast path's up to 8
/// digits before `,` or `}`, longer, negative, zero, the `i64` ends, null, duplicates with
/// the last winning) gives what the generic fill and a parse of the text give.
#[test]
fn user_id_is_the_parsed_value_in_every_form() {
    let cases: &[(&str, Option<i64>)] = &[
        (r#"{"user_id":7}"#, Some(7)),
        (r#"{"user_id":7,"phx_ref":"a"}"#, Some(7)),
        (r#"{"phx_ref":"a","user_id":12345678}"#, Some(12_345_678)),
        (r#"{"user_id":123456789}"#, Some(123_456_789)),
        (r#"{"user_id":99999999,"x":1}"#, Some(99_999_999)),
        (r#"{"user_id":0}"#, Some(0)),
        (r#"{"user_id":-5}"#, Some(-5)),
        (r#"{"user_id":9223372036854775807}"#, Some(i64::MAX)),
        (r#"{"user_id":-9223372036854775808}"#, Some(i64::MIN)),
        (r#"{"user_id": 42 }"#, Some(42)),
        (r#"{"user_id":null}"#, None),
        (r#"{"phx_ref":"a"}"#, None),
        (r#"{"user_id":5,"user_id":null}"#, None),
        (r#"{"user_id":null,"user_id":6}"#, Some(6)),
        (r#"{"user_id":5,"user_id":60000000}"#, Some(60_000_000)),
        (r#"{"us\u0065r_id":31}"#, Some(31)),
    ];
    let mut lengths = std::vec::Vec::new();
    for digits in 1..=10u32 {
        // 1, 12, 123, ..., 1234567890; and 9, 99, ...; and 10, 100, ... (zeros after).
        for value in [
            (1..=digits).fold(0i64, |v, d| v * 10 + i64::from(d % 10)),
            10i64.pow(digits) - 1,
            10i64.pow(digits - 1),
        ] {
            for after in [",\"x\":1}", "}"] {
                lengths.push((std::format!("{{\"user_id\":{value}{after}"), Some(value)));
            }
        }
    }
    let lengths = lengths.iter().map(|(meta, want)| (meta.as_str(), *want));
    for (meta, want) in cases.iter().copied().chain(lengths) {
        let text = std::format!(r#"{{"user:1":{{"metas":[{meta}]}}}}"#);
        let raw = RawJson::parse(&text).unwrap();
        let parsed = Meta::parse(RawJson::parse(meta).unwrap()).unwrap();
        assert_eq!(parsed.user_id(), want, "{meta}");
        let mut metas = 0;
        for item in PresenceItems::state_json(raw) {
            if let PresenceItem::Meta(read) = item.unwrap() {
                assert_eq!(read.user_id(), want, "{meta}");
                assert_eq!(read, parsed, "{meta}");
                metas += 1;
            }
        }
        assert_eq!(metas, 1, "{meta}");
        same_checks(&text);
    }
}

/// `PresenceStream` against `decode_text` then `PresenceItems` (as a state and as a diff):
/// the same envelope error, or the same items in the same order and the same last error
/// (a frame `decode_text` rejects: its error after the items read before it). The full
/// differential runs in `tests/tests/presence_items.rs` and the fuzz bodies; this one is small
/// enough for Miri.
fn stream_same_as_two_passes(text: &[u8]) {
    use crate::message::error::TypedDecodeError;
    for diff in [false, true] {
        let stream = if diff {
            PresenceStream::decode_diff(text)
        } else {
            PresenceStream::decode_state(text)
        };
        let two = decode_text(text);
        let stream = match (stream, &two) {
            (Err(a), Err(b)) => {
                assert_eq!(&a, b, "{text:?}");
                continue;
            }
            (Err(a), Ok(_)) => panic!("{text:?}: {a}"),
            (Ok(stream), _) => stream,
        };
        let mut got: heapless::Vec<_, 16> = heapless::Vec::new();
        for item in stream {
            got.push(item).unwrap();
        }
        let mut expected: heapless::Vec<_, 16> = heapless::Vec::new();
        match &two {
            Err(e) => {
                assert_eq!(
                    got.last(),
                    Some(&Err(TypedDecodeError::Decode(*e))),
                    "{text:?}"
                );
                assert!(got.iter().rev().skip(1).all(Result::is_ok), "{text:?}");
                continue;
            }
            Ok(frame) => {
                let items = if diff {
                    PresenceItems::diff(frame)
                } else {
                    PresenceItems::state(frame)
                };
                for item in items {
                    expected
                        .push(item.map_err(TypedDecodeError::Message))
                        .unwrap();
                }
            }
        }
        assert_eq!(got, expected, "{text:?} (diff: {diff})");
    }
}

#[test]
fn the_stream_reads_what_the_two_passes_read() {
    for text in [STATE_ROOM, DIFF_JOIN, DIFF_LEAVE, DIFF_UPDATE] {
        stream_same_as_two_passes(text.as_bytes());
    }
    for text in [
        r#"["2",null,"room:1","presence_state",{"user:7":{"x":[1,{"a":null}],"metas":[{"phx_ref":"a\"b","extra":true,"user_id":-7,"online_at":null}],"metas":null}}]"#,
        "[null,null,\"t\",\"presence_state\", { \"user:1\" : { \"metas\" : [ { } , {\"customer_id\":\"c\"} ] } } ]",
        r#"[null,null,"t","presence_state",{"user:1":{"metas":[{"user_id":1.5}]}}]"#,
        r#"[null,null,"t","presence_state",{"user:1":{"metas":[{"phx_ref":1}]}},x]"#,
        r#"[null,null,"t","presence_diff",{"joins":null,"leaves":{"user:2":{"metas":[]}},"z":{}}]"#,
        r#"[null,null,"t","presence_diff",{"joins":[]}]"#,
    ] {
        stream_same_as_two_passes(text.as_bytes());
    }
}

#[test]
fn the_stream_reads_every_truncation_as_the_two_passes_do() {
    // Under Miri (slow), every 29th.
    let step = if cfg!(miri) { 29 } else { 1 };
    for text in [STATE_ROOM, DIFF_UPDATE] {
        for end in (0..text.len()).step_by(step) {
            stream_same_as_two_passes(&text.as_bytes()[..end]);
        }
    }
}
