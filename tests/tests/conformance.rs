//! Conformance: every vector in `tests/data/{v2,v1,binary}.json` decodes to its stated meaning,
//! re-encodes as stated, and every invalid vector fails with the stated kind of error.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod support;

use phx_codec::{
    DecodeError, DecodeErrorKind as K, Direction, ErrorCategory, Frame, Payload, WireFormat,
};
use serde_json::Value;
use support::{Case, json_eq, opt_string, to_hex, value_from_walkers};

/// Checks one valid case; panics with the case id on any mismatch.
fn check_valid(case: &Case) {
    let id = case.id();
    let frame = case
        .decode()
        .unwrap_or_else(|e| panic!("{id}: valid case rejected: {e}"));
    let via_decoder = case
        .decode_with_decoder()
        .unwrap_or_else(|e| panic!("{id}: valid case rejected by Decoder: {e}"));
    assert_eq!(frame, via_decoder, "{id}: Decoder gives another frame");

    let decoded = case.decoded.as_ref().expect("valid cases have `decoded`");
    let expect_opt = |key: &str| -> Option<String> {
        match decoded.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => panic!("{id}: `{key}` in `decoded` is {other}"),
        }
    };
    assert_eq!(
        opt_string(frame.join_ref()),
        expect_opt("join_ref"),
        "{id}: join_ref"
    );
    assert_eq!(
        opt_string(frame.reference()),
        expect_opt("ref"),
        "{id}: ref"
    );
    assert_eq!(
        Some(frame.topic().into_string()),
        expect_opt("topic"),
        "{id}: topic"
    );
    assert_eq!(
        Some(frame.event().into_string()),
        expect_opt("event"),
        "{id}: event"
    );

    match case.format {
        WireFormat::V2 | WireFormat::V1 => check_json_payload(case, &frame, decoded),
        WireFormat::Binary => check_binary_payload(case, &frame, decoded),
    }

    let message = frame.message().map(|m| m.name());
    assert_eq!(
        message,
        Ok(case.message.as_deref().expect("valid cases have `message`")),
        "{id}: typed message"
    );

    check_encoding(case, &frame);
}

fn check_json_payload(case: &Case, frame: &Frame<'_>, decoded: &Value) {
    let id = case.id();
    let Payload::Json(raw) = frame.payload() else {
        panic!("{id}: a JSON frame decoded with a binary payload");
    };
    let expected = decoded
        .get("payload")
        .unwrap_or_else(|| panic!("{id}: `decoded` has no payload"));
    let parsed: Value = serde_json::from_str(raw.as_str())
        .unwrap_or_else(|e| panic!("{id}: serde_json rejects our payload slice: {e}"));
    assert!(
        json_eq(&parsed, expected),
        "{id}: payload {parsed} != expected {expected}"
    );
    let walked = value_from_walkers(raw);
    assert!(
        json_eq(&walked, expected),
        "{id}: payload read through RawJson walkers {walked} != expected {expected}"
    );
    let serialized = serde_json::to_value(raw).expect("RawJson serializes");
    assert!(
        json_eq(&serialized, expected),
        "{id}: RawJson's Serialize gives {serialized} != expected {expected}"
    );
    // Top-level members through the frame's decode-time index agree with the walk.
    if let Value::Object(map) = expected {
        for (key, value) in map {
            let got = frame
                .payload_get(key)
                .unwrap_or_else(|| panic!("{id}: payload_get({key:?}) is None"));
            assert!(
                json_eq(&value_from_walkers(got), value),
                "{id}: payload_get({key:?})"
            );
        }
        assert!(frame.payload_get("\u{1}no such key").is_none());
    }
}

fn check_binary_payload(case: &Case, frame: &Frame<'_>, decoded: &Value) {
    let id = case.id();
    let kind = decoded
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{id}: binary case without `kind`"));
    let got_kind = frame
        .binary_kind(case.direction)
        .unwrap_or_else(|e| panic!("{id}: binary_kind fails: {e}"));
    assert_eq!(got_kind.name(), kind, "{id}: binary kind");
    let payload_hex = decoded
        .get("payload_hex")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{id}: binary case without `payload_hex`"));
    match (frame.payload(), decoded.get("status")) {
        (Payload::BinaryReply { status, response }, Some(Value::String(expected))) => {
            assert_eq!(status, expected.as_str(), "{id}: reply status");
            assert_eq!(to_hex(response), payload_hex, "{id}: reply response bytes");
        }
        (Payload::Binary(bytes), None) => {
            assert_eq!(to_hex(bytes), payload_hex, "{id}: payload bytes");
        }
        (payload, status) => {
            panic!("{id}: payload {payload:?} does not match expected status {status:?}")
        }
    }
}

/// Canonical cases re-encode byte for byte with an exact `encoded_len`; every valid case
/// round-trips through its own format.
fn check_encoding(case: &Case, frame: &Frame<'_>) {
    let id = case.id();
    let len = frame
        .encoded_len(case.format, case.direction)
        .unwrap_or_else(|e| panic!("{id}: encoded_len fails: {e}"));
    let mut out = Vec::new();
    let written = frame
        .encode(case.format, case.direction, &mut out)
        .unwrap_or_else(|e| panic!("{id}: encode fails: {e}"));
    assert_eq!(written, out.len(), "{id}: encode's return value");
    assert_eq!(len, out.len(), "{id}: encoded_len is not exact");
    if case.canonical {
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&case.input),
            "{id}: canonical input does not re-encode byte for byte"
        );
        assert_eq!(out, case.input, "{id}: canonical bytes");
    }
    // The slice encoders agree with the growing sink, and refuse one byte less.
    let mut buf = vec![0u8; len];
    let n = match case.format {
        WireFormat::V2 => frame.encode_v2_into(&mut buf),
        WireFormat::V1 => frame.encode_v1_into(&mut buf),
        WireFormat::Binary => frame.encode_binary_into(case.direction, &mut buf),
    }
    .unwrap_or_else(|e| panic!("{id}: encoding into an exact slice fails: {e}"));
    assert_eq!(&buf[..n], &out[..], "{id}: slice encoding differs");
    if len > 0 {
        let mut short = vec![0u8; len - 1];
        assert!(
            frame
                .encode(
                    case.format,
                    case.direction,
                    &mut phx_codec::encode::SliceSink::new(&mut short)
                )
                .is_err(),
            "{id}: encoding into a slice one byte short succeeds"
        );
    }
    let again = support::decode_as(case.format, case.direction, &out)
        .unwrap_or_else(|e| panic!("{id}: re-encoded frame does not decode: {e}"));
    assert_eq!(&again, frame, "{id}: decode(encode(f)) != f");
}

/// The `ErrorCategory` / `DecodeErrorKind` a vector's error hint stands for.
fn hint_matches(hint: &str, err: DecodeError) -> bool {
    let kind = err.kind;
    let hint = hint.to_ascii_lowercase();
    if hint.starts_with("syntax") {
        kind.category() == ErrorCategory::Syntax
    } else if hint.starts_with("utf8") {
        kind == K::InvalidUtf8
    } else if hint.starts_with("arity") {
        matches!(kind, K::TooFewElements | K::TooManyElements)
    } else if hint.starts_with("type") {
        matches!(
            kind,
            K::WrongFieldType(_) | K::ExpectedArray | K::ExpectedObject
        )
    } else if hint.starts_with("depth") {
        kind == K::DepthLimitExceeded
    } else if hint.starts_with("truncated") {
        kind == K::Truncated
    } else if hint.starts_with("unknown kind") {
        matches!(kind, K::UnknownKind(_))
    } else if hint.starts_with("kind not allowed") {
        matches!(kind, K::KindNotAllowed { .. })
    } else if hint.starts_with("missing field") {
        matches!(kind, K::MissingField(_))
    } else if hint.starts_with("duplicate key") {
        matches!(kind, K::DuplicateField(_))
    } else {
        panic!("no mapping for the error hint {hint:?}: add one to hint_matches")
    }
}

fn check_invalid(case: &Case) {
    let id = case.id();
    let hint = case.error.as_deref().expect("invalid cases have `error`");
    let err = match case.decode() {
        Ok(frame) => panic!("{id}: invalid case accepted as {frame:?}"),
        Err(err) => err,
    };
    assert!(
        hint_matches(hint, err),
        "{id}: error {:?} ({}) does not match the hint {hint:?}",
        err.kind,
        err.kind.name()
    );
    assert!(
        err.offset <= case.input.len(),
        "{id}: error offset {} is past the input ({} bytes)",
        err.offset,
        case.input.len()
    );
    assert_eq!(
        case.decode_with_decoder(),
        Err(err),
        "{id}: Decoder gives another result"
    );
}

#[test]
fn every_vector_decodes_reencodes_or_fails_as_stated() {
    let cases = support::load_cases();
    let in_files: usize = support::VECTOR_FILES
        .iter()
        .map(|f| support::read_vector_file(f).len())
        .sum();
    let mut checked = 0usize;
    let (mut valid, mut invalid) = (0usize, 0usize);
    // Every case runs even when an earlier one fails, so one bug does not hide the next; each
    // failure's message is printed by the panic hook.
    let mut failed = Vec::new();
    for case in &cases {
        let outcome = std::panic::catch_unwind(|| {
            if case.valid {
                check_valid(case);
            } else {
                check_invalid(case);
            }
        });
        if outcome.is_err() {
            failed.push(case.id());
        }
        if case.valid {
            valid += 1;
        } else {
            invalid += 1;
        }
        checked += 1;
    }
    println!("conformance: checked {checked} cases ({valid} valid, {invalid} invalid)");
    assert!(failed.is_empty(), "failing vectors: {failed:?}");
    assert_eq!(checked, in_files, "some vectors were not checked");
    assert!(checked >= 82, "expected at least the 82 shipped vectors");
}

#[test]
fn every_vector_file_has_valid_and_invalid_cases_for_its_format() {
    let cases = support::load_cases();
    for (file, format) in [
        ("v2.json", WireFormat::V2),
        ("v1.json", WireFormat::V1),
        ("binary.json", WireFormat::Binary),
    ] {
        let of_file: Vec<_> = cases.iter().filter(|c| c.file == file).collect();
        assert!(of_file.iter().all(|c| c.format == format), "{file}");
        assert!(of_file.iter().any(|c| c.valid), "{file} has no valid case");
        assert!(
            of_file.iter().any(|c| !c.valid),
            "{file} has no invalid case"
        );
    }
}

#[test]
fn binary_vectors_cover_both_directions() {
    let cases = support::load_cases();
    let binary = cases.iter().filter(|c| c.format == WireFormat::Binary);
    let dirs: Vec<Direction> = binary.map(|c| c.direction).collect();
    assert!(dirs.contains(&Direction::FromClient));
    assert!(dirs.contains(&Direction::FromServer));
}

#[test]
fn valid_text_vectors_decode_the_same_from_str_and_bytes() {
    for case in support::valid_cases() {
        if case.format != WireFormat::V2 {
            continue;
        }
        let text = std::str::from_utf8(&case.input).expect("valid text is UTF-8");
        assert_eq!(
            phx_codec::decode_text_str(text).expect("valid"),
            case.decode().expect("valid"),
            "{}",
            case.id()
        );
    }
}

#[test]
fn valid_json_vectors_convert_between_v1_and_v2_without_losing_meaning() {
    for case in support::valid_cases() {
        if case.format == WireFormat::Binary {
            continue;
        }
        let frame = case.decode().expect("valid");
        for target in [WireFormat::V1, WireFormat::V2] {
            let mut out = Vec::new();
            frame
                .encode(target, case.direction, &mut out)
                .expect("JSON frames encode in both text forms");
            let back = support::decode_as(target, case.direction, &out)
                .unwrap_or_else(|e| panic!("{}: {} re-decode: {e}", case.id(), target.name()));
            assert_eq!(back, frame, "{} as {}", case.id(), target.name());
        }
    }
}
