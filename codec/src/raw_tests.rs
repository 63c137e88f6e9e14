//! Unit tests of `raw` (kept apart so that raw.rs stays short).

use super::*;

#[test]
fn walks_members_and_items_with_whitespace_and_escapes() {
    let v = RawJson::parse(r#" { "a" : [ 1 , "x\"]" , { "b" : null } ] , "k\u0031" : true } "#)
        .unwrap();
    let members: heapless::Vec<_, 4> = v.members().unwrap().collect();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].0, "a");
    assert_eq!(members[1].0, "k1");
    assert_eq!(members[1].1.as_bool(), Some(true));
    let items: heapless::Vec<_, 4> = members[0].1.items().unwrap().collect();
    assert_eq!(items.len(), 3);
    assert_eq!(items[1].as_json_str().unwrap(), "x\"]");
    assert!(items[2].get("b").unwrap().is_null());
}

#[test]
fn get_returns_the_last_duplicate_like_json_parse() {
    let v = RawJson::parse(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(v.get("a").unwrap().as_i64(), Some(2));
}

#[cfg(feature = "serde_json")]
#[test]
fn serde_json_keeps_every_number_text() {
    let text = "[123456789012345678901234567890,1.50,1E3,-0,0.1,-7,18446744073709551615,1e999]";
    let raw = RawJson::parse(text).unwrap();
    assert_eq!(serde_json::to_string(&raw).unwrap(), text);
    // `to_value` reads raw numbers back as `serde_json` does (`1e999` is out of its range).
    let raw =
        RawJson::parse("[123456789012345678901234567890,1.50,1E3,-0,0.1,-7,18446744073709551615]")
            .unwrap();
    let value = serde_json::to_value(raw).unwrap();
    assert_eq!(value[1], serde_json::json!(1.5));
    assert_eq!(value[6], serde_json::json!(u64::MAX));
}

#[test]
fn numbers_convert_when_in_range() {
    assert_eq!(RawJson::parse("-7").unwrap().as_i64(), Some(-7));
    assert_eq!(RawJson::parse("1.5").unwrap().as_i64(), None);
    assert_eq!(RawJson::parse("1.5").unwrap().as_f64(), Some(1.5));
    assert_eq!(
        RawJson::parse("1e999").unwrap().as_f64(),
        Some(f64::INFINITY)
    );
    assert_eq!(RawJson::parse("\"1\"").unwrap().as_i64(), None);
}

#[test]
fn integers_parse_like_str_parse_at_every_length_and_at_the_edges() {
    let mut text = heapless::String::<32>::new();
    let check = |text: &str| {
        let expected = if text.contains(['.', 'e', 'E']) {
            None
        } else {
            text.parse::<i64>().ok()
        };
        assert_eq!(parse_i64(text.as_bytes()), expected, "{text}");
        assert_eq!(RawJson::parse(text).unwrap().as_i64(), expected, "{text}");
    };
    for sign in ["", "-"] {
        for len in 1u8..=21 {
            for lead in ['1', '5', '9'] {
                text.clear();
                text.push_str(sign).unwrap();
                text.push(lead).unwrap();
                for i in 1..len {
                    text.push(char::from(b'0' + i * 7 % 10)).unwrap();
                }
                check(&text);
            }
        }
    }
    for edge in [
        "0",
        "-0",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "99999999999999999999",
        "1.0",
        "1e3",
        "-2E-2",
    ] {
        check(edge);
    }
    assert_eq!(parse_i64(b""), None);
    assert_eq!(parse_i64(b"-"), None);
    assert_eq!(parse_i64(b"\"1\""), None);
}

/// One payload member as written: key, value and what goes between them.
fn member(i: usize, disrupt: Option<usize>) -> std::string::String {
    use std::format;
    let value = format!("{i}");
    match disrupt {
        None => format!("\"k{i}\":{value}"),
        Some(0) => format!(" \"k{i}\":{value}"),
        Some(1) => format!("\"k{i}\" :{value}"),
        Some(2) => format!("\"k{i}\": {value}"),
        Some(3) => format!("\"{}\":{value}", "k".repeat(31)),
        Some(4) => format!("\"{}\":{value}", "k".repeat(32)),
        Some(5) => format!("\"k{i}\":\"{}\"", "v".repeat(1021)),
        Some(6) => format!("\"k{i}\":\"{}\"", "v".repeat(1022)),
        Some(7) => format!("\"k\\u0031{i}\":{{\"n\":[{value}]}}"),
        Some(_) => format!("\"k{i}\":{value} "),
    }
}

/// The member index (and the walk it hands over to) lists exactly the members a plain walk
/// finds, whatever stops the recording and wherever: whitespace, a key of 32 bytes, a value
/// of 1 KiB, more members than the index holds.
#[test]
fn the_member_index_lists_what_a_walk_finds() {
    use std::vec::Vec;
    let counts: &[usize] = if cfg!(miri) {
        &[0, 2, 19]
    } else {
        &[0, 1, 2, 17, 18, 19, 25]
    };
    for &n in counts {
        for kind in (0..=8).map(Some).chain([None]) {
            let positions: Vec<usize> = [0, 1, n / 2, n.saturating_sub(1), 17, 18]
                .into_iter()
                .filter(|&p| p < n.max(1))
                .collect();
            for &at in &positions {
                let members: Vec<_> = (0..n)
                    .map(|i| member(i, kind.filter(|_| i == at)))
                    .collect();
                let frame_text = std::format!("[null,null,\"t\",\"e\",{{{}}}]", members.join(","));
                let frame = crate::decode_text(frame_text.as_bytes()).unwrap();
                let payload = frame.payload_json().unwrap();
                let expected: Vec<_> = payload
                    .members()
                    .unwrap()
                    .map(|(k, v)| (k.raw(), k.has_escapes(), v.as_str()))
                    .collect();
                assert_eq!(expected.len(), n);
                let listed: Vec<_> = frame
                    .payload_members()
                    .unwrap()
                    .map(|(k, v)| (k.raw(), k.has_escapes(), v.as_str()))
                    .collect();
                assert_eq!(listed, expected, "{frame_text}");
                if n == 2 && at == 0 {
                    // Recorded whole only when the odd member still fits the index.
                    let fits = matches!(kind, None | Some(3 | 5 | 7));
                    assert_eq!(frame.member_index().complete, fits, "{frame_text}");
                }
                let mut at_members = frame.payload_members().unwrap();
                let text = at_members.text();
                let mut ranges = Vec::new();
                while let Some(m) = at_members.next_at() {
                    ranges.push((
                        text.get(m.key.0..m.key.1).unwrap(),
                        m.escaped,
                        text.get(m.value.0..m.value.1).unwrap(),
                    ));
                }
                assert_eq!(ranges, expected, "{frame_text}");
            }
        }
    }
}

#[test]
fn a_compact_payload_is_indexed_up_to_the_capacity() {
    use std::vec::Vec;
    let members: Vec<_> = (0..=INDEX_CAPACITY).map(|i| member(i, None)).collect();
    for n in [INDEX_CAPACITY, INDEX_CAPACITY + 1] {
        let text = std::format!("[null,null,\"t\",\"e\",{{{}}}]", members[..n].join(","));
        let frame = crate::decode_text(text.as_bytes()).unwrap();
        let index = frame.member_index();
        assert_eq!(usize::from(index.len), INDEX_CAPACITY);
        assert_eq!(index.complete, n == INDEX_CAPACITY);
    }
}
