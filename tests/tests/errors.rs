//! Every `DecodeErrorKind` with its exact offset, every binary header error, `Display` texts,
//! and every `EncodeError`.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

use phx_codec::{
    DecodeError, DecodeErrorKind as K, DecodeLimits, Decoder, Direction, EncodeError,
    EnvelopeField as F, Frame, JsonStr, Payload, RawJson, Vsn, WsMessage, binary, decode_text,
    decode_text_with, encode::SliceSink, v1,
};

/// Byte offset of the first occurrence of `needle` in `text` (panics when absent, so a typo in
/// a test cannot pass silently).
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"))
}

/// Byte offset of the last occurrence of `needle`.
fn last(text: &str, needle: &str) -> usize {
    text.rfind(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"))
}

fn v2_err(text: &str) -> DecodeError {
    match decode_text(text.as_bytes()) {
        Ok(frame) => panic!("{text:?} accepted as {frame:?}"),
        Err(err) => {
            check_display(err);
            err
        }
    }
}

fn v1_err(text: &str) -> DecodeError {
    match v1::decode_v1(text.as_bytes()) {
        Ok(frame) => panic!("{text:?} accepted as {frame:?}"),
        Err(err) => {
            check_display(err);
            err
        }
    }
}

fn bin_err(bytes: &[u8], direction: Direction) -> DecodeError {
    match binary::decode_binary(bytes, direction) {
        Ok(frame) => panic!("{bytes:x?} ({direction:?}) accepted as {frame:?}"),
        Err(err) => {
            check_display(err);
            err
        }
    }
}

/// `Display` is non-empty, names the offset, and the kind has a stable snake_case name.
fn check_display(err: DecodeError) {
    let text = err.to_string();
    assert!(!err.kind.to_string().is_empty(), "{err:?}");
    assert!(
        text.contains(&err.offset.to_string()),
        "{text:?} does not mention offset {}",
        err.offset
    );
    let name = err.kind.name();
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "{name:?}"
    );
}

fn e(kind: K, offset: usize) -> DecodeError {
    DecodeError::new(kind, offset)
}

// --- JSON grammar ---------------------------------------------------------------------------

#[test]
fn unexpected_end_points_at_the_end_of_the_input() {
    assert_eq!(v2_err(""), e(K::UnexpectedEnd, 0));
    assert_eq!(v2_err("   "), e(K::UnexpectedEnd, 3));
    let t = r#"[null,"1","t","e",{}"#;
    assert_eq!(v2_err(t), e(K::UnexpectedEnd, t.len()));
    let t = r#"[null,"1","t","e",{"a":"bc"#;
    assert_eq!(v2_err(t), e(K::UnexpectedEnd, t.len()));
    let t = r#"[null,"1","t","e",{"a":tr"#;
    assert_eq!(v2_err(t), e(K::UnexpectedEnd, t.len()));
    let t = r#"[null,"1","t","e",{"a":1e"#;
    assert_eq!(v2_err(t), e(K::UnexpectedEnd, t.len()));
}

#[test]
fn expected_value_points_at_the_byte_that_cannot_start_one() {
    let t = r#"[null,"1","t","e",{"a":}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedValue, at(t, "}")));
    let t = r#"[null,"1","t","e",[1,]]"#;
    assert_eq!(v2_err(t), e(K::ExpectedValue, at(t, "]]")));
    let t = r#"[null,"1","t","e",{"n":NaN}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedValue, at(t, "NaN")));
    let t = r#"[null,"1","t","e",{"n":+1}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedValue, at(t, "+")));
}

#[test]
fn expected_comma_or_array_end_points_after_the_value() {
    let t = r#"[null,"1","t","e",[1 2]]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrArrayEnd, at(t, "2")));
    let t = r#"[null,"1","t","e",[1}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrArrayEnd, at(t, "}")));
    // In the envelope too.
    let t = r#"[null "1","t","e",{}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrArrayEnd, at(t, "\"1")));
    let t = r#"[null,"1","t","e",{} {}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrArrayEnd, last(t, "{")));
}

#[test]
fn expected_comma_or_object_end_points_after_the_member() {
    let t = r#"[null,"1","t","e",{"a":1 "b":2}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrObjectEnd, at(t, "\"b")));
    let t = r#"[null,"1","t","e",{"a":{"b":1]}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrObjectEnd, at(t, "]")));
}

#[test]
fn expected_colon_points_after_the_key() {
    let t = r#"[null,"1","t","e",{"a" 1}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedColon, at(t, "1}")));
    let t = r#"[null,"1","t","e",{"a":{"b",1}}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedColon, at(t, ",1")));
}

#[test]
fn expected_object_key_points_at_the_non_string_key() {
    let t = r#"[null,"1","t","e",{body:"x"}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedObjectKey, at(t, "body")));
    let t = r#"[null,"1","t","e",{"a":1,}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedObjectKey, at(t, "}")));
    let t = r#"[null,"1","t","e",{"a":{1:2}}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedObjectKey, at(t, "1:")));
}

#[test]
fn trailing_characters_point_after_the_frame() {
    let t = r#"[null,"1","t","e",{}]x"#;
    assert_eq!(v2_err(t), e(K::TrailingCharacters, t.len() - 1));
    let t = "[null,\"1\",\"t\",\"e\",{}] \n []";
    assert_eq!(v2_err(t), e(K::TrailingCharacters, last(t, "[")));
    // Whitespace after the frame is fine.
    assert!(decode_text(b"[null,\"1\",\"t\",\"e\",{}] \n\t\r").is_ok());
}

#[test]
fn invalid_escape_points_at_the_backslash() {
    let t = r#"[null,"1","t","e",{"body":"\x41"}]"#;
    assert_eq!(v2_err(t), e(K::InvalidEscape, at(t, "\\")));
    let t = r#"[null,"1","t\a","e",{}]"#;
    assert_eq!(v2_err(t), e(K::InvalidEscape, at(t, "\\")));
    let t = r#"[null,"1","t","e",{"k\'":1}]"#;
    assert_eq!(v2_err(t), e(K::InvalidEscape, at(t, "\\")));
}

#[test]
fn invalid_unicode_escape_points_at_the_backslash() {
    let t = r#"[null,"1","t","e",{"body":"\u12"}]"#;
    assert_eq!(v2_err(t), e(K::InvalidUnicodeEscape, at(t, "\\")));
    let t = r#"[null,"1","t","e",{"body":"\u00g1"}]"#;
    assert_eq!(v2_err(t), e(K::InvalidUnicodeEscape, at(t, "\\")));
    let t = r#"[null,"1","t","e",{"body":"\U0041"}]"#;
    assert_eq!(v2_err(t), e(K::InvalidEscape, at(t, "\\")));
}

#[test]
fn lone_surrogate_points_at_the_first_unpaired_escape() {
    for body in [
        r"\ud800",
        r"\udbff x",
        r"\udc00",
        r"\udfff",
        r"\ud800\u0041",
        r"\ud800\ud800",
    ] {
        let t = format!(r#"[null,"1","t","e",{{"body":"{body}"}}]"#);
        assert_eq!(v2_err(&t), e(K::LoneSurrogate, at(&t, "\\")), "{body}");
    }
    // Reversed pair: the low half comes first, and is the error.
    let t = r#"[null,"1","t","e",{"body":"\udc00\ud800"}]"#;
    assert_eq!(v2_err(t), e(K::LoneSurrogate, at(t, "\\")));
    // In an envelope string too.
    let t = r#"[null,"1","\ud83d","e",{}]"#;
    assert_eq!(v2_err(t), e(K::LoneSurrogate, at(t, "\\")));
}

#[test]
fn control_character_in_string_points_at_the_raw_byte() {
    for c in (0u8..0x20).map(char::from) {
        let t = format!("[null,\"1\",\"t\",\"e\",{{\"body\":\"a{c}b\"}}]");
        assert_eq!(
            v2_err(&t),
            e(K::ControlCharacterInString, at(&t, "a") + 1),
            "{:#x}",
            c as u32
        );
    }
    let t = "[null,\"1\",\"t\tx\",\"e\",{}]";
    assert_eq!(v2_err(t), e(K::ControlCharacterInString, at(t, "\t")));
}

#[test]
fn invalid_number_points_at_the_offending_byte() {
    let t = r#"[null,"1","t","e",{"n":-}]"#;
    assert_eq!(v2_err(t), e(K::InvalidNumber, at(t, "}")));
    let t = r#"[null,"1","t","e",{"n":1.e5}]"#;
    assert_eq!(v2_err(t), e(K::InvalidNumber, at(t, "e5")));
    let t = r#"[null,"1","t","e",{"n":1e+}]"#;
    assert_eq!(v2_err(t), e(K::InvalidNumber, at(t, "}")));
    let t = r#"[null,"1","t","e",{"n":-a}]"#;
    assert_eq!(v2_err(t), e(K::InvalidNumber, at(t, "a}")));
    // `012` is `0` followed by garbage.
    let t = r#"[null,"1","t","e",{"n":012}]"#;
    assert_eq!(v2_err(t), e(K::ExpectedCommaOrObjectEnd, at(t, "12")));
}

#[test]
fn invalid_literal_points_at_the_literal() {
    for (t, kind, word) in [
        (r#"[null,"1","t","e",{"a":nul}]"#, K::InvalidLiteral, "nul}"),
        (
            r#"[null,"1","t","e",{"a":fals}]"#,
            K::InvalidLiteral,
            "fals",
        ),
        (
            r#"[null,"1","t","e",{"a":tRue}]"#,
            K::InvalidLiteral,
            "tRue",
        ),
        // `True` cannot start a value; `trueish` is `true` followed by garbage.
        (r#"[null,"1","t","e",{"a":True}]"#, K::ExpectedValue, "True"),
        (
            r#"[null,"1","t","e",{"a":trueish}]"#,
            K::ExpectedCommaOrObjectEnd,
            "ish",
        ),
    ] {
        assert_eq!(v2_err(t), e(kind, at(t, word)), "{t}");
    }
    let t = r#"[nul,"1","t","e",{}]"#;
    assert_eq!(v2_err(t), e(K::InvalidLiteral, 1));
    let t = r#"[null,"1","t","e",{"a":nulL}]"#;
    assert_eq!(v2_err(t), e(K::InvalidLiteral, at(t, "nulL")));
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let mut bytes = br#"[null,"1","t","e",{"body":"ok"}]"#.to_vec();
    let bad_at = bytes.iter().position(|&b| b == b'k').unwrap();
    for bad in [
        &[0xff][..],
        &[0xc0, 0xaf],             // overlong '/'
        &[0xe0, 0x80, 0xaf],       // overlong
        &[0xed, 0xa0, 0x80],       // UTF-8-encoded surrogate
        &[0xc3],                   // truncated 2-byte sequence
        &[0xf0, 0x9f, 0x98],       // truncated 4-byte sequence
        &[0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
        &[0x80],                   // lone continuation byte
    ] {
        let mut input = bytes.clone();
        input.splice(bad_at..bad_at, bad.iter().copied());
        let err = decode_text(&input).unwrap_err();
        check_display(err);
        assert_eq!(err, e(K::InvalidUtf8, bad_at), "{bad:x?}");
    }
    // Also at the very end of the input.
    bytes.push(0xc3);
    assert_eq!(
        decode_text(&bytes).unwrap_err(),
        e(K::InvalidUtf8, bytes.len() - 1)
    );
}

// --- limits ---------------------------------------------------------------------------------

#[test]
fn depth_limit_points_at_the_first_bracket_too_deep() {
    let limits = DecodeLimits::new().with_max_depth(3);
    let t = r#"[null,"1","t","e",{"a":[[1]]}]"#;
    let err = decode_text_with(t.as_bytes(), &limits).unwrap_err();
    check_display(err);
    assert_eq!(err, e(K::DepthLimitExceeded, at(t, "[1")));
    assert!(decode_text_with(br#"[null,"1","t","e",{"a":[1]}]"#, &limits).is_ok());
}

#[test]
fn default_depth_limit_allows_128_levels_and_rejects_129() {
    // The envelope counts as one level.
    let frame = |levels: usize| {
        format!(
            "[null,\"1\",\"t\",\"e\",{}{}]",
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    assert!(decode_text(frame(127).as_bytes()).is_ok());
    let t = frame(128);
    assert_eq!(v2_err(&t), e(K::DepthLimitExceeded, at(&t, "[[") + 127));
    let limits = DecodeLimits::new().with_max_depth(0);
    assert_eq!(
        decode_text_with(frame(0).as_bytes(), &limits).unwrap_err(),
        e(K::DepthLimitExceeded, 0)
    );
}

#[test]
fn frame_too_large_points_at_the_first_byte_over_the_limit() {
    let t = br#"[null,"1","t","e",{"body":"hello"}]"#;
    let limits = DecodeLimits::new().with_max_frame_len(10);
    let err = decode_text_with(t, &limits).unwrap_err();
    check_display(err);
    assert_eq!(err, e(K::FrameTooLarge, 10));
    assert_eq!(
        v1::decode_v1_with(t, &limits).unwrap_err(),
        e(K::FrameTooLarge, 10)
    );
    assert_eq!(
        binary::decode_binary_with(&[0u8; 11], Direction::FromServer, &limits).unwrap_err(),
        e(K::FrameTooLarge, 10)
    );
    // Exactly at the limit is fine.
    let limits = DecodeLimits::new().with_max_frame_len(t.len());
    assert!(decode_text_with(t, &limits).is_ok());
}

// --- envelopes ------------------------------------------------------------------------------

#[test]
fn expected_array_points_at_the_value() {
    assert_eq!(v2_err(r#" {"topic":"t"}"#), e(K::ExpectedArray, 1));
    assert_eq!(v2_err(r#""a string""#), e(K::ExpectedArray, 0));
    assert_eq!(v2_err("null"), e(K::ExpectedArray, 0));
    assert_eq!(v2_err("\n\t42"), e(K::ExpectedArray, 2));
}

#[test]
fn expected_object_points_at_the_value() {
    assert_eq!(v1_err(r#"[null,"1","t","e",{}]"#), e(K::ExpectedObject, 0));
    assert_eq!(v1_err(r#"  "x""#), e(K::ExpectedObject, 2));
}

#[test]
fn too_few_elements_points_at_the_early_bracket() {
    let t = r#"[null,"1","t","e"]"#;
    assert_eq!(v2_err(t), e(K::TooFewElements, t.len() - 1));
    assert_eq!(v2_err("[]"), e(K::TooFewElements, 1));
    assert_eq!(v2_err("[null]"), e(K::TooFewElements, 5));
    assert_eq!(v2_err(r#"[null, "1" ]"#), e(K::TooFewElements, 11));
}

#[test]
fn too_many_elements_points_at_the_sixth_elements_comma() {
    let t = r#"[null,"1","t","e",{},{}]"#;
    assert_eq!(v2_err(t), e(K::TooManyElements, last(t, ",")));
    let t = r#"[null,"1","t","e",{} , 6]"#;
    assert_eq!(v2_err(t), e(K::TooManyElements, last(t, ",")));
}

#[test]
fn wrong_field_type_names_the_field_and_points_at_its_value() {
    for (t, field, value) in [
        (r#"[1,"1","t","e",{}]"#, F::JoinRef, "1,"),
        (r#"[{},"1","t","e",{}]"#, F::JoinRef, "{}"),
        (r#"[null,1,"t","e",{}]"#, F::Ref, "1,\"t"),
        (r#"[null,true,"t","e",{}]"#, F::Ref, "true"),
        (r#"[null,"1",5,"e",{}]"#, F::Topic, "5"),
        (r#"[null,"1",null,"e",{}]"#, F::Topic, "null,\"e"),
        (r#"[null,"1","t",null,{}]"#, F::Event, "null,{"),
        (r#"[null,"1","t",["e"],{}]"#, F::Event, "[\"e"),
    ] {
        assert_eq!(v2_err(t), e(K::WrongFieldType(field), at(t, value)), "{t}");
    }
    for (t, field, value) in [
        (
            r#"{"topic":1,"event":"e","payload":{},"ref":"1"}"#,
            F::Topic,
            "1,",
        ),
        (
            r#"{"topic":"t","event":null,"payload":{},"ref":"1"}"#,
            F::Event,
            "null",
        ),
        (
            r#"{"topic":"t","event":"e","payload":{},"ref":2}"#,
            F::Ref,
            "2}",
        ),
        (
            r#"{"topic":"t","event":"e","payload":{},"ref":"1","join_ref":[]}"#,
            F::JoinRef,
            "[]",
        ),
    ] {
        assert_eq!(v1_err(t), e(K::WrongFieldType(field), at(t, value)), "{t}");
    }
}

#[test]
fn envelope_syntax_errors_win_over_type_errors() {
    // Vectors `single_quotes` and `trailing_comma`: bytes that start no value are syntax
    // errors, not type errors.
    let t = r"[null,'1','t','e',{}]";
    assert_eq!(v2_err(t), e(K::ExpectedValue, at(t, "'")));
    let t = r#"[null,"1","t","e",{},]"#;
    assert_eq!(v2_err(t), e(K::ExpectedValue, last(t, "]")));
    let t = r#"[null,"1","t","e",{}, ]"#;
    assert_eq!(v2_err(t), e(K::ExpectedValue, last(t, "]")));
}

#[test]
fn an_envelope_field_that_is_not_json_is_a_syntax_error_not_a_type_error() {
    // An element whose own value is malformed JSON is a syntax error, as for a frame that is
    // not an array (`ExpectedArray` is only reported for a valid value): the error names what
    // is wrong with the JSON, at the byte where it is wrong. (A valid value of the wrong type,
    // like `5` or `{}`, stays `WrongFieldType`.)
    for (t, kind, bad) in [
        (r#"[null,"1",{"a":},"e",{}]"#, K::ExpectedValue, "},\"e"),
        (r#"[null,"1",-,"e",{}]"#, K::InvalidNumber, ",\"e"),
        (r#"[null,tru,"t","e",{}]"#, K::InvalidLiteral, "tru"),
        (r#"[null,"1",[1,,"e",{}]"#, K::ExpectedValue, ",\"e"),
    ] {
        assert_eq!(v2_err(t), e(kind, at(t, bad)), "{t}");
    }
    let t = r#"{"topic":{"a":},"event":"e","payload":{},"ref":null}"#;
    assert_eq!(v1_err(t), e(K::ExpectedValue, at(t, "},\"event")));
    let t = r#"{"topic":"t","event":"e","payload":{},"ref":-}"#;
    assert_eq!(v1_err(t), e(K::InvalidNumber, last(t, "}")));
}

#[test]
fn wrong_field_type_display_names_the_field() {
    let err = v2_err(r#"[null,"1",5,"e",{}]"#);
    assert!(err.to_string().contains("topic"), "{err}");
    let err = v2_err(r#"[null,1,"t","e",{}]"#);
    assert!(err.to_string().contains("ref"), "{err}");
}

#[test]
fn missing_field_names_each_required_v1_key_and_points_at_the_closing_brace() {
    for (t, field) in [
        (r#"{"event":"e","payload":{},"ref":"1"}"#, F::Topic),
        (r#"{"topic":"t","payload":{},"ref":"1"}"#, F::Event),
        (r#"{"topic":"t","event":"e","ref":"1"}"#, F::Payload),
        (r#"{"topic":"t","event":"e","payload":{}}"#, F::Ref),
        ("{}", F::Topic),
    ] {
        let err = v1_err(t);
        assert_eq!(err, e(K::MissingField(field), t.len() - 1), "{t}");
        assert!(err.to_string().contains(field.name()), "{err}");
    }
}

#[test]
fn duplicate_field_points_at_the_second_key() {
    for (t, field, key) in [
        (
            r#"{"topic":"a","topic":"b","event":"e","payload":{},"ref":"1"}"#,
            F::Topic,
            "topic",
        ),
        (
            r#"{"topic":"a","event":"e","event":"e","payload":{},"ref":"1"}"#,
            F::Event,
            "event",
        ),
        (
            r#"{"topic":"a","event":"e","payload":{},"payload":[],"ref":"1"}"#,
            F::Payload,
            "payload",
        ),
        (
            r#"{"topic":"a","event":"e","payload":{},"ref":"1","ref":null}"#,
            F::Ref,
            "ref",
        ),
        (
            r#"{"join_ref":"1","topic":"a","event":"e","payload":{},"ref":"1","join_ref":"2"}"#,
            F::JoinRef,
            "join_ref",
        ),
    ] {
        let err = v1_err(t);
        assert_eq!(
            err,
            e(K::DuplicateField(field), last(t, &format!("\"{key}\""))),
            "{t}"
        );
    }
    // An escaped spelling of a key is the same key.
    let t = r#"{"ref":"1","topic":"a","event":"e","payload":{},"r\u0065f":"2"}"#;
    assert_eq!(v1_err(t), e(K::DuplicateField(F::Ref), at(t, "\"r\\")));
    // Unknown keys may repeat: they are ignored.
    assert!(
        v1::decode_v1(br#"{"x":1,"x":2,"topic":"a","event":"e","payload":{},"ref":"1"}"#).is_ok()
    );
}

// --- binary ---------------------------------------------------------------------------------

/// A valid frame of each layout: (direction, bytes, header length), every field non-empty and
/// a non-empty payload.
fn binary_layouts() -> Vec<(Direction, Vec<u8>, usize)> {
    let mut out = Vec::new();
    // client push: kind, 4 sizes, "1" "42" "room:1" "ev", payload
    let mut b = vec![0, 1, 2, 6, 2];
    b.extend_from_slice(b"142room:1ev\x00\xff");
    out.push((Direction::FromClient, b, 5 + 11));
    // server push: kind, 3 sizes, "1" "room:1" "ev", payload
    let mut b = vec![0, 1, 6, 2];
    b.extend_from_slice(b"1room:1ev\x00\xff");
    out.push((Direction::FromServer, b, 4 + 9));
    // reply: kind, 4 sizes, "1" "42" "room:1" "ok", payload
    let mut b = vec![1, 1, 2, 6, 2];
    b.extend_from_slice(b"142room:1ok\x00\xff");
    out.push((Direction::FromServer, b, 5 + 11));
    // broadcast: kind, 2 sizes, "room:1" "ev", payload
    let mut b = vec![2, 6, 2];
    b.extend_from_slice(b"room:1ev\x00\xff");
    out.push((Direction::FromServer, b, 3 + 8));
    out
}

#[test]
fn binary_empty_input_is_truncated_at_zero() {
    for direction in [Direction::FromClient, Direction::FromServer] {
        assert_eq!(bin_err(&[], direction), e(K::Truncated, 0));
    }
}

#[test]
fn binary_every_truncation_point_of_every_layout_is_truncated_at_the_end() {
    for (direction, bytes, header_len) in binary_layouts() {
        assert!(binary::decode_binary(&bytes, direction).is_ok());
        for cut in 0..header_len {
            assert_eq!(
                bin_err(&bytes[..cut], direction),
                e(K::Truncated, cut),
                "{bytes:x?} cut at {cut}"
            );
        }
        // Past the header, a shorter input only has a shorter payload.
        for cut in header_len..=bytes.len() {
            let frame = binary::decode_binary(&bytes[..cut], direction).unwrap();
            let payload = match frame.payload() {
                Payload::Binary(p) | Payload::BinaryReply { response: p, .. } => p,
                Payload::Json(_) => panic!("binary frame with a JSON payload"),
            };
            assert_eq!(payload, &bytes[header_len..cut]);
        }
    }
}

#[test]
fn binary_each_size_pointing_past_the_end_is_truncated() {
    for (direction, bytes, header_len) in binary_layouts() {
        let without_payload = &bytes[..header_len];
        let sizes = match (bytes[0], direction) {
            (0, Direction::FromClient) | (1, _) => 4,
            (0, Direction::FromServer) => 3,
            _ => 2,
        };
        for i in 1..=sizes {
            for grow in [1u8, 100] {
                let mut bad = without_payload.to_vec();
                bad[i] = bad[i].saturating_add(grow);
                assert_eq!(
                    bin_err(&bad, direction),
                    e(K::Truncated, bad.len()),
                    "{bad:x?}: size {i} grown by {grow}"
                );
            }
            let mut bad = without_payload.to_vec();
            bad[i] = 255;
            assert_eq!(bin_err(&bad, direction), e(K::Truncated, bad.len()));
        }
    }
}

#[test]
fn binary_bad_utf8_in_each_header_field_points_at_the_bad_byte() {
    for (direction, bytes, header_len) in binary_layouts() {
        let sizes = match (bytes[0], direction) {
            (0, Direction::FromClient) | (1, _) => 4,
            (0, Direction::FromServer) => 3,
            _ => 2,
        };
        let mut field_start = 1 + sizes;
        for i in 1..=sizes {
            let len = usize::from(bytes[i]);
            // The last byte of the field becomes invalid.
            let mut bad = bytes.clone();
            bad[field_start + len - 1] = 0xff;
            assert_eq!(
                bin_err(&bad, direction),
                e(K::InvalidUtf8, field_start + len - 1),
                "field {i} of {bytes:x?}"
            );
            // A multi-byte character cut by the size: `é` is 2 bytes, the size says 1.
            let mut cut = bytes[..=sizes].to_vec();
            let mut offset = 1 + sizes;
            for j in 1..=sizes {
                if j == i {
                    cut[j] = 1;
                    cut.push(0xc3);
                    let bad_at = offset;
                    cut.extend_from_slice(&[0xa9]); // the rest of `é` lands in the next field
                    cut.extend_from_slice(&bytes[header_len..]);
                    let err = bin_err(&cut, direction);
                    assert_eq!(err, e(K::InvalidUtf8, bad_at), "field {i} cut {cut:x?}");
                    break;
                }
                let l = usize::from(bytes[j]);
                cut.extend_from_slice(&bytes[offset..offset + l]);
                offset += l;
            }
            field_start += len;
        }
    }
}

#[test]
fn binary_kinds_3_to_255_are_unknown_in_both_directions() {
    for kind in 3..=255u8 {
        for direction in [Direction::FromClient, Direction::FromServer] {
            for rest in [&[][..], &[0, 0, 0, 0][..]] {
                let mut bytes = vec![kind];
                bytes.extend_from_slice(rest);
                let err = bin_err(&bytes, direction);
                assert_eq!(err, e(K::UnknownKind(kind), 0));
                assert!(err.to_string().contains(&kind.to_string()), "{err}");
            }
        }
    }
}

#[test]
fn binary_reply_and_broadcast_from_a_client_are_not_allowed() {
    for kind in [1u8, 2] {
        let err = bin_err(&[kind, 0, 0, 0, 0], Direction::FromClient);
        assert_eq!(
            err,
            e(
                K::KindNotAllowed {
                    kind,
                    direction: Direction::FromClient
                },
                0
            )
        );
        assert!(err.to_string().contains("client"), "{err}");
        // The same bytes are fine from a server.
        assert!(binary::decode_from_server(&[kind, 0, 0, 0, 0]).is_ok());
    }
}

#[test]
fn binary_message_on_a_v1_connection_is_refused() {
    let err = Decoder::new(Vsn::V1, Direction::FromClient)
        .decode(WsMessage::Binary(&[0, 0, 0, 0, 0]))
        .unwrap_err();
    check_display(err);
    assert_eq!(err, e(K::BinaryNotSupportedInV1, 0));
}

#[test]
fn every_error_kind_has_a_distinct_name_and_a_message() {
    let kinds = [
        K::UnexpectedEnd,
        K::ExpectedValue,
        K::ExpectedCommaOrArrayEnd,
        K::ExpectedCommaOrObjectEnd,
        K::ExpectedColon,
        K::ExpectedObjectKey,
        K::TrailingCharacters,
        K::InvalidEscape,
        K::InvalidUnicodeEscape,
        K::LoneSurrogate,
        K::ControlCharacterInString,
        K::InvalidNumber,
        K::InvalidLiteral,
        K::InvalidUtf8,
        K::DepthLimitExceeded,
        K::FrameTooLarge,
        K::ExpectedArray,
        K::ExpectedObject,
        K::TooFewElements,
        K::TooManyElements,
        K::WrongFieldType(F::Topic),
        K::MissingField(F::Topic),
        K::DuplicateField(F::Topic),
        K::Truncated,
        K::UnknownKind(7),
        K::KindNotAllowed {
            kind: 1,
            direction: Direction::FromClient,
        },
        K::BinaryNotSupportedInV1,
    ];
    let mut names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        kinds.len(),
        "names are not distinct: {names:?}"
    );
    for kind in kinds {
        let err = DecodeError::new(kind, 12_345);
        check_display(err);
        assert!(err.to_string().contains("12345"));
        let _: &dyn std::error::Error = &err;
    }
}

// --- encoding -------------------------------------------------------------------------------

fn json_frame(payload: &str) -> Frame<'_> {
    Frame::new(
        Some("1".into()),
        Some("2".into()),
        "room:1".into(),
        "shout".into(),
        Payload::Json(RawJson::parse(payload).unwrap()),
    )
}

#[test]
fn buffer_too_small_reports_the_bytes_needed_and_writes_nothing() {
    let frame = json_frame(r#"{"body":"hi"}"#);
    let needed = frame.encoded_len_v2().unwrap();
    for available in [0, 1, needed - 1] {
        let mut buf = vec![0xaa; available];
        assert_eq!(
            frame.encode_v2_into(&mut buf),
            Err(EncodeError::BufferTooSmall { needed, available })
        );
        assert!(
            buf.iter().all(|&b| b == 0xaa),
            "wrote into a too-small buffer"
        );
    }
    let needed_v1 = frame.encoded_len_v1().unwrap();
    let mut buf = vec![0xaa; needed_v1 - 1];
    assert_eq!(
        frame.encode_v1_into(&mut buf),
        Err(EncodeError::BufferTooSmall {
            needed: needed_v1,
            available: needed_v1 - 1
        })
    );
    let mut small = heapless::Vec::<u8, 8>::new();
    assert_eq!(
        frame.encode_v2(&mut small),
        Err(EncodeError::BufferTooSmall {
            needed,
            available: 8
        })
    );
    assert!(small.is_empty());
    let bin = Frame::new(
        None,
        None,
        "t".into(),
        "e".into(),
        Payload::Binary(&[1, 2, 3]),
    );
    let needed = bin.encoded_len_binary(Direction::FromServer).unwrap();
    assert_eq!(needed, 1 + 2 + 2 + 3);
    let mut buf = [0u8; 7];
    let err = bin
        .encode_binary_into(Direction::FromServer, &mut buf)
        .unwrap_err();
    assert_eq!(
        err,
        EncodeError::BufferTooSmall {
            needed: 8,
            available: 7
        }
    );
    assert!(
        err.to_string().contains('8') && err.to_string().contains('7'),
        "{err}"
    );
    // A sink that already holds bytes reports what is left.
    let mut buf = [0u8; 10];
    let mut sink = SliceSink::new(&mut buf);
    phx_codec::encode::Sink::put(&mut sink, b"abcde").unwrap();
    assert_eq!(
        bin.encode_binary(Direction::FromServer, &mut sink),
        Err(EncodeError::BufferTooSmall {
            needed: 8,
            available: 5
        })
    );
}

#[test]
fn binary_header_fields_over_255_bytes_are_refused_by_field() {
    fn s(t: &str) -> JsonStr<'_> {
        JsonStr::literal(t)
    }
    let long = "x".repeat(256);
    let ok = "y".repeat(255);
    let push = |j: &str, r: &str, t: &str, ev: &str, dir| {
        Frame::new(Some(s(j)), Some(s(r)), s(t), s(ev), Payload::Binary(b"p"))
            .encoded_len_binary(dir)
    };
    let too_long = |field| Err(EncodeError::FieldTooLong { field, len: 256 });
    assert_eq!(
        push(&long, "r", "t", "e", Direction::FromClient),
        too_long(F::JoinRef)
    );
    assert_eq!(
        push("j", &long, "t", "e", Direction::FromClient),
        too_long(F::Ref)
    );
    assert_eq!(
        push("j", "r", &long, "e", Direction::FromClient),
        too_long(F::Topic)
    );
    assert_eq!(
        push("j", "r", "t", &long, Direction::FromClient),
        too_long(F::Event)
    );
    assert!(push(&ok, &ok, &ok, &ok, Direction::FromClient).is_ok());
    let reply = |status: &str| {
        Frame::new(
            Some(s("j")),
            Some(s("r")),
            s("t"),
            s("phx_reply"),
            Payload::BinaryReply {
                status: s(status),
                response: b"",
            },
        )
        .encoded_len_binary(Direction::FromServer)
    };
    assert_eq!(reply(&long), too_long(F::Status));
    assert_eq!(reply(&ok), Ok(1 + 4 + 1 + 1 + 1 + 255));
    let broadcast = Frame::new(None, None, s(&long), s("e"), Payload::Binary(b""));
    let err = broadcast
        .encode_binary(Direction::FromServer, &mut Vec::new())
        .unwrap_err();
    assert_eq!(
        err,
        EncodeError::FieldTooLong {
            field: F::Topic,
            len: 256
        }
    );
    assert!(err.to_string().contains("256") && err.to_string().contains("topic"));
    // Multi-byte characters count in bytes.
    let wide = "é".repeat(128);
    assert_eq!(
        Frame::new(None, None, s(&wide), s("e"), Payload::Binary(b""))
            .encoded_len_binary(Direction::FromServer),
        Err(EncodeError::FieldTooLong {
            field: F::Topic,
            len: 256
        })
    );
}

#[test]
fn binary_header_length_counts_unescaped_bytes() {
    // 300 bytes of escapes that unescape to 50 bytes fit in a header field.
    let raw = r"\u0061".repeat(50);
    let topic = JsonStr::from_json_body(&raw).unwrap();
    let frame = Frame::new(None, None, topic, "e".into(), Payload::Binary(b""));
    let mut out = Vec::new();
    let n = frame
        .encode_binary(Direction::FromServer, &mut out)
        .unwrap();
    assert_eq!(n, 1 + 2 + 50 + 1);
    assert_eq!(out[1], 50);
    assert_eq!(&out[3..53], "a".repeat(50).as_bytes());
}

#[test]
fn payload_kind_mismatches_are_encode_errors() {
    let json = json_frame("{}");
    for direction in [Direction::FromClient, Direction::FromServer] {
        assert_eq!(
            json.encoded_len_binary(direction),
            Err(EncodeError::PayloadNotBinary)
        );
        assert_eq!(
            json.encode_binary(direction, &mut Vec::new()),
            Err(EncodeError::PayloadNotBinary)
        );
    }
    let bin = Frame::new(
        None,
        Some("1".into()),
        "t".into(),
        "e".into(),
        Payload::Binary(b"x"),
    );
    assert_eq!(bin.encoded_len_v2(), Err(EncodeError::PayloadNotJson));
    assert_eq!(bin.encoded_len_v1(), Err(EncodeError::PayloadNotJson));
    assert_eq!(
        bin.encode_v2_into(&mut [0u8; 64]),
        Err(EncodeError::PayloadNotJson)
    );
    assert_eq!(
        bin.encode_v1_into(&mut [0u8; 64]),
        Err(EncodeError::PayloadNotJson)
    );
    // A server push has no room for a ref; a client cannot send a reply.
    assert_eq!(
        bin.encoded_len_binary(Direction::FromServer),
        Err(EncodeError::NotRepresentable(F::Ref))
    );
    let reply = Frame::new(
        None,
        Some("1".into()),
        "t".into(),
        "phx_reply".into(),
        Payload::BinaryReply {
            status: "ok".into(),
            response: b"",
        },
    );
    assert_eq!(
        reply.encoded_len_binary(Direction::FromClient),
        Err(EncodeError::NotRepresentable(F::Status))
    );
    assert_eq!(reply.encoded_len_v2(), Err(EncodeError::PayloadNotJson));
    for err in [
        EncodeError::PayloadNotJson,
        EncodeError::PayloadNotBinary,
        EncodeError::NotRepresentable(F::Ref),
    ] {
        assert!(!err.to_string().is_empty());
        let _: &dyn std::error::Error = &err;
    }
}

#[test]
fn unescape_into_a_small_buffer_reports_the_bytes_needed() {
    let s = JsonStr::from_json_body(r"caf\u00e9").unwrap();
    assert_eq!(
        s.unescape_into(&mut [0u8; 4]),
        Err(EncodeError::BufferTooSmall {
            needed: 5,
            available: 4
        })
    );
    assert_eq!(s.unescape_into(&mut [0u8; 5]).unwrap(), "café");
}
