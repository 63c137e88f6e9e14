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
