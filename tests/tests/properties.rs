//! Property tests: round trips for every wire form, canonical output equal to `serde_json`'s
//! (which escapes like `JSON.stringify`), and agreement with `serde_json` on what is JSON.
//!
//! Known, intended differences from `serde_json` (excluded from the accept/reject property and
//! tested on their own in `hostile.rs`):
//! - numbers outside the range of `f64` (`1e999999`, 10,000-digit integers): valid by the JSON
//!   grammar, accepted by the codec (it validates grammar, not magnitude); serde_json refuses
//!   them ("number out of range");
//! - nesting: both stop at 128 levels by default, but the codec counts the envelope array as a
//!   level and serde_json does not count the same way; inputs nested deeper than 100 levels are
//!   left out.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod support;

use phx_codec::{
    DecodeLimits, Direction, Frame, JsonStr, Payload, RawJson, binary, decode_text, v1,
};
use proptest::prelude::*;
use serde_json::Value;

/// Moderate case counts: the whole file runs in well under a minute in debug builds.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// --- generators -----------------------------------------------------------------------------

// The character, string, float and JSON value strategies are codec-std's public ones
// (`phx_codec_std::proptest`, feature `proptest`), as users' property tests get them.
use phx_codec_std::proptest::{hard_char, hard_string, json_object, json_value};

#[derive(Clone, Debug)]
struct TextFrame {
    join_ref: Option<String>,
    reference: Option<String>,
    topic: String,
    event: String,
    payload: Value,
}

impl TextFrame {
    /// The 5-element array as serde_json writes it.
    fn to_serde_json(&self) -> String {
        serde_json::to_string(&serde_json::json!([
            self.join_ref,
            self.reference,
            self.topic,
            self.event,
            self.payload
        ]))
        .expect("serializes")
    }
}

fn text_frame() -> impl Strategy<Value = TextFrame> {
    (
        prop::option::of(hard_string(6)),
        prop::option::of(hard_string(6)),
        hard_string(24),
        hard_string(16),
        prop_oneof![4 => json_object(), 1 => json_value()],
    )
        .prop_map(|(join_ref, reference, topic, event, payload)| TextFrame {
            join_ref,
            reference,
            topic,
            event,
            payload,
        })
}

/// Float comparison with a little slack: `serde_json`'s default float parser may round the
/// last bit differently from `str::parse`.
fn json_close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if support::json_eq(a, b) {
                return true;
            }
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_close(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_close(v, w)))
        }
        _ => a == b,
    }
}

fn opt(s: Option<&String>) -> Option<JsonStr<'_>> {
    s.map(|s| JsonStr::literal(s))
}

/// `s` as a JSON string with every UTF-16 unit written as `\uXXXX` (surrogate pairs for astral
/// characters): the same string, spelled differently.
fn escape_all(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("\"");
    for unit in s.encode_utf16() {
        let _ = write!(out, "\\u{unit:04X}");
    }
    out.push('"');
    out
}

/// `value` as JSON text with every string and key spelled by [`escape_all`].
fn to_escaped_json(value: &Value) -> String {
    match value {
        Value::String(s) => escape_all(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(to_escaped_json).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}:{}", escape_all(k), to_escaped_json(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        other => other.to_string(),
    }
}

// --- V2 text --------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn v2_frames_with_hard_strings_round_trip_and_match_serde_json_bytes(f in text_frame()) {
        let payload_text = serde_json::to_string(&f.payload).unwrap();
        let payload = RawJson::parse(&payload_text).unwrap();
        let frame = Frame::new(
            opt(f.join_ref.as_ref()),
            opt(f.reference.as_ref()),
            JsonStr::literal(&f.topic),
            JsonStr::literal(&f.event),
            Payload::Json(payload),
        );
        let mut out = Vec::new();
        let n = frame.encode_v2(&mut out).unwrap();
        prop_assert_eq!(n, out.len());
        prop_assert_eq!(frame.encoded_len_v2().unwrap(), out.len());
        // Canonical output is what serde_json (and JSON.stringify) writes.
        let expected = f.to_serde_json();
        prop_assert_eq!(std::str::from_utf8(&out).unwrap(), expected.as_str());
        let back = decode_text(&out).unwrap();
        prop_assert_eq!(back, frame);
        prop_assert_eq!(back.topic().into_string(), f.topic.clone());
        prop_assert_eq!(back.event().into_string(), f.event.clone());
        prop_assert_eq!(support::opt_string(back.join_ref()), f.join_ref.clone());
        prop_assert_eq!(support::opt_string(back.reference()), f.reference.clone());
        // The decoded strings unescape into a buffer exactly as long as they say.
        let mut buf = vec![0u8; back.topic().unescaped_len()];
        prop_assert_eq!(back.topic().unescape_into(&mut buf).unwrap(), f.topic.as_str());
        // Re-encoding the decoded frame is byte-identical (the input was canonical).
        let mut again = Vec::new();
        back.encode_v2(&mut again).unwrap();
        prop_assert_eq!(again, out);
    }

    #[test]
    fn v2_frames_with_every_string_escaped_decode_to_the_same_frame(f in text_frame()) {
        // Write every character of the envelope strings as `\uXXXX` (surrogate pairs for
        // astral ones): a different spelling, the same frame.
        let nullable = |s: &Option<String>| s.as_deref().map_or("null".to_owned(), escape_all);
        let payload_text = serde_json::to_string(&f.payload).unwrap();
        let text = format!(
            "[ {} ,{},\n{}\t,{} , {} ]",
            nullable(&f.join_ref),
            nullable(&f.reference),
            escape_all(&f.topic),
            escape_all(&f.event),
            payload_text
        );
        let frame = decode_text(text.as_bytes()).unwrap();
        let canonical = f.to_serde_json();
        let reference = decode_text(canonical.as_bytes()).unwrap();
        prop_assert_eq!(frame, reference);
        let mut out = Vec::new();
        frame.encode_v2(&mut out).unwrap();
        prop_assert_eq!(std::str::from_utf8(&out).unwrap(), canonical.as_str());
        prop_assert_eq!(frame.encoded_len_v2().unwrap(), out.len());
    }

    #[test]
    fn json_payloads_decode_and_agree_with_serde_json(value in json_value(), pretty in any::<bool>()) {
        let payload_text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        let text = format!("[null,null,\"t\",\"e\",{payload_text}]");
        let frame = decode_text(text.as_bytes()).unwrap();
        let raw = frame.payload_json().unwrap();
        prop_assert_eq!(raw.as_str(), payload_text.as_str());
        let reparsed: Value = serde_json::from_str(raw.as_str()).unwrap();
        prop_assert!(json_close(&reparsed, &value), "serde_json reads {} back as {}", value, reparsed);
        let walked = support::value_from_walkers(raw);
        prop_assert!(json_close(&walked, &value), "walkers read {} as {}", value, walked);
        if let Value::Object(map) = &value {
            for (k, v) in map {
                let got = frame.payload_get(k).expect("member present");
                prop_assert!(json_close(&support::value_from_walkers(got), v));
            }
        }
        // RawJson::parse agrees too.
        prop_assert!(RawJson::parse(&payload_text).is_ok());
    }
}

// --- typed views do not depend on spelling ---------------------------------------------------

/// Keys the typed messages read, so generated payloads hit the typed fields (with values of
/// any type: wrong types must give the same error in both spellings).
const TYPED_KEYS: &[&str] = &[
    "id",
    "object",
    "body",
    "type",
    "content_type",
    "private",
    "source",
    "created_at",
    "sent_at",
    "seen_at",
    "conversation_id",
    "account_id",
    "customer_id",
    "user_id",
    "user",
    "customer",
    "attachments",
    "metadata",
    "file_ids",
    "mentioned_user_ids",
    "reason",
    "status",
    "response",
    "joins",
    "leaves",
    "updates",
    "event",
    "issue",
    "title",
    "metas",
    "phx_ref",
    "online_at",
    "phx_ref_prev",
    "email",
    "full_name",
    "display_name",
    "profile_photo_url",
    "role",
    "name",
    "phone",
    "external_id",
    "company_id",
    "host",
    "pathname",
    "current_url",
    "browser",
    "os",
    "file_url",
    "filename",
    "updated_at",
    "disabled_at",
    "archived_at",
];

/// A value whose members use the typed keys, nested a few levels (user, customer, metas...).
fn typed_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        3 => hard_string(10).prop_map(Value::String),
        2 => json_value(),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(TYPED_KEYS.to_vec()), inner), 0..5)
                .prop_map(|kv| Value::Object(
                    kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
                )),
        ]
    })
}

/// A presence map: `{KEY: {"metas": [META...]}}` with Papercups-like keys.
fn presence_map() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        (0i64..1000).prop_map(|n| format!("user:{n}")),
        hard_string(6).prop_map(|s| format!("customer:{s}")),
        hard_string(8),
    ];
    let meta = prop::collection::vec(
        (
            prop::sample::select(vec![
                "phx_ref",
                "phx_ref_prev",
                "online_at",
                "user_id",
                "customer_id",
                "x",
            ]),
            typed_value(),
        ),
        0..5,
    )
    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    prop::collection::vec((key, prop::collection::vec(meta, 0..3)), 0..4).prop_map(|entries| {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, metas)| (k, serde_json::json!({ "metas": metas })))
                .collect(),
        )
    })
}

fn typed_payload() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        4 => prop::sample::select(TYPED_KEYS.to_vec()).prop_map(str::to_owned),
        1 => hard_string(6),
    ];
    let value = prop_oneof![
        3 => typed_value(),
        1 => presence_map(),
    ];
    let object = prop::collection::vec((key, value), 0..10)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()));
    prop_oneof![3 => object, 1 => presence_map()]
}

fn typed_topic() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "conversation:",
        "conversation:lobby:",
        "conversation:lobby",
        "room:",
        "notification:",
        "events:",
        "events:admin:",
        "issue:lobby:",
        "issue:",
        "phoenix",
        "",
    ]);
    (prefix, prop_oneof![Just(String::new()), hard_string(8)])
        .prop_map(|(p, rest)| format!("{p}{rest}"))
}

fn typed_event() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(phx_codec::Event::KNOWN.to_vec()).prop_map(str::to_owned),
        1 => hard_string(8),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn escaped_and_literal_spellings_give_the_same_topic_event_and_typed_message(
        topic in typed_topic(),
        event in typed_event(),
        payload in typed_payload(),
    ) {
        let plain = serde_json::to_string(&serde_json::json!([null, "1", topic, event, payload])).unwrap();
        let escaped = format!(
            "[null,\"1\",{},{},{}]",
            escape_all(&topic),
            escape_all(&event),
            to_escaped_json(&payload)
        );
        let a = decode_text(plain.as_bytes()).unwrap();
        let b = decode_text(escaped.as_bytes()).unwrap();
        prop_assert_eq!(a.topic_kind(), b.topic_kind());
        prop_assert_eq!(a.event_kind(), b.event_kind());
        match (a.message(), b.message()) {
            (Ok(x), Ok(y)) => {
                prop_assert_eq!(x.name(), y.name());
                prop_assert_eq!(serde_json::to_value(x).unwrap(), serde_json::to_value(y).unwrap());
            }
            (Err(x), Err(y)) => prop_assert_eq!(x.kind, y.kind),
            (x, y) => prop_assert!(false, "plain {:?} vs escaped {:?}", x, y),
        }
    }
}

// --- member lookup ---------------------------------------------------------------------------

fn hash_of(s: JsonStr<'_>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn payload_get_finds_the_last_duplicate_in_v1_and_v2_however_keys_are_spelled(
        members in prop::collection::vec(
            (prop_oneof![3 => prop::sample::select(vec!["a", "b", "body", "k"]).prop_map(str::to_owned), 1 => hard_string(5)], json_value()),
            0..40,
        ),
        escaped_keys in any::<bool>(),
        spaces in any::<bool>(),
    ) {
        let sep = if spaces { " \n " } else { "" };
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| {
                let key = if escaped_keys { escape_all(k) } else { serde_json::to_string(k).unwrap() };
                format!("{key}{sep}:{sep}{}", serde_json::to_string(v).unwrap())
            })
            .collect();
        let payload = format!("{{{sep}{}{sep}}}", body.join(&format!("{sep},{sep}")));
        let v2 = format!("[null,null,\"t\",\"e\",{payload}]");
        let v1 = format!("{{\"topic\":\"t\",\"event\":\"e\",\"ref\":null,\"payload\":{payload}}}");
        let a = decode_text(v2.as_bytes()).unwrap();
        let b = v1::decode_v1(v1.as_bytes()).unwrap();
        let raw = RawJson::parse(&payload).unwrap();
        prop_assert_eq!(raw.members().unwrap().count(), members.len());
        for (key, _) in &members {
            let expected = members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v).unwrap();
            for got in [a.payload_get(key), b.payload_get(key), raw.get(key)] {
                let got: Value = serde_json::from_str(got.expect("member found").as_str()).unwrap();
                prop_assert!(json_close(&got, expected), "{key:?}: {got} != {expected}");
            }
        }
        let absent = a.payload_get("\u{0}absent\u{0}");
        prop_assert!(absent.is_none());
        // Keys compare and hash the same however they are spelled.
        for ((k1, _), (k2, _)) in raw.members().unwrap().zip(&members) {
            prop_assert_eq!(k1, k2.as_str());
            prop_assert_eq!(hash_of(k1), hash_of(JsonStr::literal(k2)));
        }
    }
}

// --- JsonStr behaves like the string it stands for ---------------------------------------------

/// A string and a JSON spelling of it where each character is escaped (`\uXXXX`, or a short
/// escape) or literal, chosen per character.
fn spelled_string() -> impl Strategy<Value = (String, String)> {
    prop::collection::vec((hard_char(), 0u8..3), 0..24).prop_map(|chars| {
        let mut text = String::new();
        let mut body = String::new();
        for (c, how) in chars {
            text.push(c);
            let minimal = serde_json::to_string(&c.to_string()).unwrap();
            let minimal = &minimal[1..minimal.len() - 1];
            match how {
                0 => body.push_str(minimal),
                1 => {
                    let quoted = escape_all(&c.to_string());
                    body.push_str(&quoted[1..quoted.len() - 1]);
                }
                _ if c == '/' => body.push_str("\\/"),
                _ => body.push_str(minimal),
            }
        }
        (text, body)
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn json_str_reads_compares_splits_and_strips_like_the_string_it_spells(
        (text, body) in spelled_string(),
        cut in any::<prop::sample::Index>(),
        other in hard_string(3),
        delimiter in prop_oneof![Just(':'), hard_char()],
    ) {
        let s = JsonStr::from_json_body(&body).unwrap();
        prop_assert_eq!(s, text.as_str());
        prop_assert_eq!(s, JsonStr::literal(&text));
        prop_assert_eq!(s.unescaped_len(), text.len());
        prop_assert_eq!(s.chars().collect::<String>(), text.clone());
        prop_assert_eq!(s.to_string(), text.clone());
        prop_assert_eq!(format!("{s:?}"), format!("{text:?}"));
        prop_assert_eq!(s.to_cow(), text.as_str());
        prop_assert_eq!(s.is_empty(), text.is_empty());
        prop_assert_eq!(hash_of(s), hash_of(JsonStr::literal(&text)));
        if !s.has_escapes() {
            prop_assert_eq!(s.as_str(), Some(text.as_str()));
        }
        let mut buf = vec![0u8; text.len()];
        prop_assert_eq!(s.unescape_into(&mut buf).unwrap(), text.as_str());
        // Prefixes: a real one (cut at a char boundary) and an arbitrary one.
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let at = boundaries[cut.index(boundaries.len())];
        for prefix in [&text[..at], other.as_str()] {
            prop_assert_eq!(
                s.strip_prefix(prefix).map(JsonStr::into_string),
                text.strip_prefix(prefix).map(str::to_owned),
                "strip_prefix({:?})", prefix
            );
        }
        let expected = text.split_once(delimiter).map(|(a, b)| (a.to_owned(), b.to_owned()));
        prop_assert_eq!(
            s.split_once(delimiter).map(|(a, b)| (a.into_string(), b.into_string())),
            expected,
            "split_once({:?})", delimiter
        );
        // Written back, it is the canonical spelling.
        let mut out = Vec::new();
        phx_codec::encode::write_json_str(&mut out, s).unwrap();
        prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
    }
}

// --- string scanning finds the first special byte wherever it is ----------------------------

/// Characters that need no escaping (ASCII and multi-byte), for the text before the special
/// byte.
fn plain_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => (0x20u8..0x7f)
            .prop_filter("not special", |b| *b != b'"' && *b != b'\\')
            .prop_map(char::from),
        1 => prop::sample::select(vec!['é', '你', '😀', '\u{7f}', '\u{80}', '\u{ff}']),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn string_scanning_stops_at_the_first_control_quote_or_backslash_at_any_position(
        before in prop::collection::vec(plain_char(), 0..70).prop_map(|c| c.into_iter().collect::<String>()),
        special in prop_oneof![(0u8..0x20), Just(b'"'), Just(b'\\')],
        after in prop::collection::vec(plain_char(), 0..20).prop_map(|c| c.into_iter().collect::<String>()),
        place in 0usize..4,
    ) {
        let special = char::from(special);
        // `q` after the special byte makes each case fail in a known way: a control byte is
        // itself the error, `\q` is an invalid escape, and `"q` ends the string early.
        let frame_with = |string: &str| match place {
            0 => format!(r#"[null,"1","{string}","e",{{}}]"#),
            1 => format!(r#"[null,"1","t","e",{{"k":"{string}"}}]"#),
            2 => format!(r#"[null,"1","t","e",{{"{string}":1}}]"#),
            _ => format!(r#"{{"topic":"t","event":"e","ref":null,"payload":["{string}"]}}"#),
        };
        let decode = |text: &str| {
            if place == 3 {
                v1::decode_v1(text.as_bytes()).map(|_| ())
            } else {
                decode_text(text.as_bytes()).map(|_| ())
            }
        };
        let string_at = [11, 24, 20, 48][place];
        let text = frame_with(&format!("{before}{special}q{after}"));
        let at = string_at + before.len();
        let err = decode(&text).unwrap_err();
        match special {
            '"' => prop_assert_eq!(err.offset, at + 1, "{:?}: {}", text, err),
            '\\' => prop_assert_eq!(err, phx_codec::DecodeError::new(phx_codec::DecodeErrorKind::InvalidEscape, at), "{:?}", text),
            _ => prop_assert_eq!(err, phx_codec::DecodeError::new(phx_codec::DecodeErrorKind::ControlCharacterInString, at), "{:?}", text),
        }
        // Without the special byte the same text is valid.
        let clean = frame_with(&format!("{before}{after}"));
        let ok = decode(&clean);
        prop_assert!(ok.is_ok(), "{:?}: {:?}", clean, ok);
    }
}

// --- accept/reject agreement with serde_json -------------------------------------------------

/// What serde_json says about `bytes` as a V2 frame: `Some(true)` accepted with the right
/// shape, `Some(false)` rejected, `None` a known, intended difference (see the module docs).
fn serde_json_verdict(bytes: &[u8]) -> Option<bool> {
    serde_json_verdict_with(bytes, false)
}

/// As [`serde_json_verdict`]; `lenient` accepts elements after the fifth (as Phoenix does).
fn serde_json_verdict_with(bytes: &[u8], lenient: bool) -> Option<bool> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => {
            let nullable = |v: &Value| v.is_null() || v.is_string();
            Some(
                (items.len() == 5 || (lenient && items.len() > 5))
                    && nullable(&items[0])
                    && nullable(&items[1])
                    && items[2].is_string()
                    && items[3].is_string(),
            )
        }
        Err(e)
            if e.to_string().contains("number out of range")
                || e.to_string().contains("recursion limit") =>
        {
            None
        }
        Ok(_) | Err(_) => Some(false),
    }
}

fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for &b in bytes {
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn check_agreement(bytes: &[u8]) -> Result<(), TestCaseError> {
    if nesting_depth(bytes) > 100 {
        return Ok(());
    }
    // Lenient mode (extra elements allowed) agrees with serde_json too.
    let lenient = DecodeLimits::new().with_extra_elements_allowed(true);
    if let Some(theirs) = serde_json_verdict_with(bytes, true) {
        let ours = phx_codec::decode_text_with(bytes, &lenient);
        prop_assert_eq!(
            ours.is_ok(),
            theirs,
            "lenient: codec says {:?}, serde_json says {} for {:?}",
            ours.map(|_| ()),
            theirs,
            String::from_utf8_lossy(bytes)
        );
    }
    let ours = decode_text(bytes);
    if let Err(err) = ours {
        prop_assert!(
            err.offset <= bytes.len(),
            "{} past {} bytes",
            err,
            bytes.len()
        );
    }
    let Some(theirs) = serde_json_verdict(bytes) else {
        // Out-of-range numbers: the codec accepts them (grammar only) or rejects the input
        // for another reason; either is fine.
        return Ok(());
    };
    prop_assert_eq!(
        ours.is_ok(),
        theirs,
        "codec says {:?}, serde_json says {} for {:?}",
        ours.map(|_| ()),
        theirs,
        String::from_utf8_lossy(bytes)
    );
    if let Ok(frame) = ours {
        prop_assert!(frame.topic().unescaped_len() <= bytes.len());
        let theirs: Value = serde_json::from_slice(bytes).unwrap();
        let payload: Value = serde_json::from_str(frame.payload_json().unwrap().as_str()).unwrap();
        prop_assert!(json_close(&payload, &theirs[4]));
        prop_assert_eq!(
            Value::String(frame.topic().into_string()),
            theirs[2].clone()
        );
        prop_assert_eq!(
            Value::String(frame.event().into_string()),
            theirs[3].clone()
        );
        let as_value =
            |s: Option<JsonStr<'_>>| s.map_or(Value::Null, |s| Value::String(s.into_string()));
        prop_assert_eq!(as_value(frame.join_ref()), theirs[0].clone());
        prop_assert_eq!(as_value(frame.reference()), theirs[1].clone());
    }
    Ok(())
}

/// The texts of the valid and invalid V2 vectors: the seeds for mutation.
fn v2_seeds() -> Vec<Vec<u8>> {
    support::load_cases()
        .into_iter()
        .filter(|c| c.format == phx_codec::WireFormat::V2)
        .map(|c| c.input)
        .filter(|input| input.len() < 2_000)
        .collect()
}

// Near-valid bytes: codec-std's public mutations (`phx_codec_std::mutation`,
// `phx_codec_std::proptest::mutation`).
use phx_codec_std::mutation::{INTERESTING, apply};
use phx_codec_std::proptest::mutation;

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn mutated_vector_frames_are_accepted_exactly_when_serde_json_accepts_them(
        seed in prop::sample::select(v2_seeds()),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        check_agreement(&apply(seed, &mutations))?;
    }

    #[test]
    fn json_token_soup_is_accepted_exactly_when_serde_json_accepts_it(
        bytes in prop::collection::vec(prop::sample::select(INTERESTING.to_vec()), 0..40),
    ) {
        // Mostly rejected by both; wrapping it as a payload gives the grammar more to chew on.
        check_agreement(&bytes)?;
        let mut framed = b"[null,\"1\",\"t\",\"e\",".to_vec();
        framed.extend_from_slice(&bytes);
        framed.push(b']');
        check_agreement(&framed)?;
    }

    #[test]
    fn arbitrary_bytes_are_accepted_exactly_when_serde_json_accepts_them(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        check_agreement(&bytes)?;
        let mut framed = b"[null,null,\"t\",\"e\",\"".to_vec();
        framed.extend_from_slice(&bytes);
        framed.extend_from_slice(b"\"]");
        check_agreement(&framed)?;
    }

}

proptest! {
    // Generating whole frames costs more than mutating seeds: fewer cases.
    #![proptest_config(config(256))]

    #[test]
    fn generated_frames_with_mutations_agree_with_serde_json(
        f in text_frame(),
        mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        check_agreement(&apply(f.to_serde_json().into_bytes(), &mutations))?;
    }
}

// --- binary ---------------------------------------------------------------------------------

/// A header string of at most 255 bytes: ASCII of any length up to 255, or hard characters cut
/// to fit.
fn header_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(0x20u8..0x7f, 0..=255)
            .prop_map(|b| String::from_utf8(b).expect("ascii")),
        Just("x".repeat(255)),
        Just(String::new()),
        hard_string(100).prop_map(|s| {
            let mut out = String::new();
            for c in s.chars() {
                if out.len() + c.len_utf8() > 255 {
                    break;
                }
                out.push(c);
            }
            out
        }),
    ]
}

#[derive(Clone, Debug)]
enum BinaryCase {
    ClientPush {
        join_ref: String,
        reference: String,
        topic: String,
        event: String,
    },
    ServerPush {
        join_ref: String,
        topic: String,
        event: String,
    },
    Reply {
        join_ref: String,
        reference: String,
        topic: String,
        status: String,
    },
    Broadcast {
        topic: String,
        event: String,
    },
}

fn binary_case() -> impl Strategy<Value = BinaryCase> {
    let s = header_string;
    prop_oneof![
        (s(), s(), s(), s()).prop_map(|(join_ref, reference, topic, event)| {
            BinaryCase::ClientPush {
                join_ref,
                reference,
                topic,
                event,
            }
        }),
        (s(), s(), s()).prop_map(|(join_ref, topic, event)| BinaryCase::ServerPush {
            join_ref,
            topic,
            event
        }),
        (s(), s(), s(), s()).prop_map(|(join_ref, reference, topic, status)| {
            BinaryCase::Reply {
                join_ref,
                reference,
                topic,
                status,
            }
        }),
        (s(), s()).prop_map(|(topic, event)| BinaryCase::Broadcast { topic, event }),
    ]
}

impl BinaryCase {
    /// The bytes, written from the spec's layout table (independently of the encoder).
    fn bytes(&self, payload: &[u8]) -> (Direction, Vec<u8>) {
        let (direction, kind, fields): (Direction, u8, Vec<&String>) = match self {
            Self::ClientPush {
                join_ref,
                reference,
                topic,
                event,
            } => (
                Direction::FromClient,
                0,
                vec![join_ref, reference, topic, event],
            ),
            Self::ServerPush {
                join_ref,
                topic,
                event,
            } => (Direction::FromServer, 0, vec![join_ref, topic, event]),
            Self::Reply {
                join_ref,
                reference,
                topic,
                status,
            } => (
                Direction::FromServer,
                1,
                vec![join_ref, reference, topic, status],
            ),
            Self::Broadcast { topic, event } => (Direction::FromServer, 2, vec![topic, event]),
        };
        let mut out = vec![kind];
        out.extend(fields.iter().map(|f| u8::try_from(f.len()).expect("≤ 255")));
        for f in &fields {
            out.extend_from_slice(f.as_bytes());
        }
        out.extend_from_slice(payload);
        (direction, out)
    }

    fn check(&self, frame: &Frame<'_>, payload: &[u8]) -> Result<(), TestCaseError> {
        let s = |x: Option<JsonStr<'_>>| support::opt_string(x);
        match self {
            Self::ClientPush {
                join_ref,
                reference,
                topic,
                event,
            } => {
                prop_assert_eq!(s(frame.join_ref()), Some(join_ref.clone()));
                prop_assert_eq!(s(frame.reference()), Some(reference.clone()));
                prop_assert_eq!(frame.topic().into_string(), topic.clone());
                prop_assert_eq!(frame.event().into_string(), event.clone());
                prop_assert_eq!(frame.payload(), Payload::Binary(payload));
            }
            Self::ServerPush {
                join_ref,
                topic,
                event,
            } => {
                prop_assert_eq!(s(frame.join_ref()), Some(join_ref.clone()));
                prop_assert_eq!(s(frame.reference()), None);
                prop_assert_eq!(frame.topic().into_string(), topic.clone());
                prop_assert_eq!(frame.event().into_string(), event.clone());
                prop_assert_eq!(frame.payload(), Payload::Binary(payload));
            }
            Self::Reply {
                join_ref,
                reference,
                topic,
                status,
            } => {
                prop_assert_eq!(s(frame.join_ref()), Some(join_ref.clone()));
                prop_assert_eq!(s(frame.reference()), Some(reference.clone()));
                prop_assert_eq!(frame.topic().into_string(), topic.clone());
                prop_assert_eq!(frame.event(), "phx_reply");
                match frame.payload() {
                    Payload::BinaryReply {
                        status: got,
                        response,
                    } => {
                        prop_assert_eq!(got.into_string(), status.clone());
                        prop_assert_eq!(response, payload);
                    }
                    other => prop_assert!(false, "reply decoded as {:?}", other),
                }
            }
            Self::Broadcast { topic, event } => {
                prop_assert_eq!(s(frame.join_ref()), None);
                prop_assert_eq!(s(frame.reference()), None);
                prop_assert_eq!(frame.topic().into_string(), topic.clone());
                prop_assert_eq!(frame.event().into_string(), event.clone());
                prop_assert_eq!(frame.payload(), Payload::Binary(payload));
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn binary_frames_of_every_kind_and_direction_round_trip(
        case in binary_case(),
        payload in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let (direction, bytes) = case.bytes(&payload);
        let frame = binary::decode_binary(&bytes, direction).unwrap();
        case.check(&frame, &payload)?;
        prop_assert_eq!(frame.encoded_len_binary(direction).unwrap(), bytes.len());
        let mut out = Vec::new();
        prop_assert_eq!(frame.encode_binary(direction, &mut out).unwrap(), bytes.len());
        prop_assert_eq!(&out, &bytes);
        let mut buf = vec![0u8; bytes.len()];
        prop_assert_eq!(frame.encode_binary_into(direction, &mut buf).unwrap(), bytes.len());
        prop_assert_eq!(&buf, &bytes);
        let again = binary::decode_binary(&out, direction).unwrap();
        prop_assert_eq!(again, frame);
        // The other direction never silently decodes the same bytes as the same frame.
        let other = match direction {
            Direction::FromClient => Direction::FromServer,
            Direction::FromServer => Direction::FromClient,
        };
        if let Ok(misread) = binary::decode_binary(&bytes, other) {
            prop_assert!(misread != frame || bytes[0] == 0, "kind {} read the same both ways", bytes[0]);
        }
    }

    #[test]
    fn truncated_binary_frames_are_errors_or_shorter_payloads(
        case in binary_case(),
        payload in prop::collection::vec(any::<u8>(), 0..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let (direction, bytes) = case.bytes(&payload);
        let header_len = bytes.len() - payload.len();
        let cut = cut.index(bytes.len() + 1);
        match binary::decode_binary(&bytes[..cut], direction) {
            Ok(frame) => {
                prop_assert!(cut >= header_len);
                case.check(&frame, &payload[..cut - header_len])?;
            }
            Err(err) => {
                prop_assert!(cut < header_len);
                prop_assert_eq!(err.kind, phx_codec::DecodeErrorKind::Truncated);
                prop_assert_eq!(err.offset, cut);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn any_bytes_that_decode_as_binary_re_encode_to_the_same_bytes(
        kind in prop_oneof![4 => 0u8..3, 1 => any::<u8>()],
        sizes in prop::collection::vec(prop_oneof![4 => 0u8..6, 1 => any::<u8>()], 0..5),
        rest in prop::collection::vec(any::<u8>(), 0..24),
    ) {
        let mut bytes = vec![kind];
        bytes.extend_from_slice(&sizes);
        bytes.extend_from_slice(&rest);
        for direction in [Direction::FromClient, Direction::FromServer] {
            match binary::decode_binary(&bytes, direction) {
                Ok(frame) => {
                    let mut out = Vec::new();
                    prop_assert_eq!(frame.encode_binary(direction, &mut out), Ok(bytes.len()));
                    prop_assert_eq!(&out, &bytes);
                    prop_assert_eq!(frame.binary_kind(direction).map(phx_codec::binary::BinaryKind::byte), Ok(kind));
                }
                Err(err) => {
                    prop_assert!(err.offset <= bytes.len());
                    prop_assert!(!err.to_string().is_empty());
                }
            }
        }
    }
}

// --- V1 -------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn v1_frames_round_trip_and_convert_to_v2_without_losing_meaning(f in text_frame(), order in Just(()).prop_perturb(|(), mut rng| {
        let mut keys = vec![0usize, 1, 2, 3, 4];
        for i in (1..keys.len()).rev() {
            keys.swap(i, rng.random_range(0..=i));
        }
        keys
    }), with_join_ref_null in any::<bool>()) {
        let payload_text = serde_json::to_string(&f.payload).unwrap();
        let frame = Frame::new(
            opt(f.join_ref.as_ref()),
            opt(f.reference.as_ref()),
            JsonStr::literal(&f.topic),
            JsonStr::literal(&f.event),
            Payload::Json(RawJson::parse(&payload_text).unwrap()),
        );
        // Encode V1, decode V1.
        let mut v1_out = Vec::new();
        let n = frame.encode_v1(&mut v1_out).unwrap();
        prop_assert_eq!(n, v1_out.len());
        prop_assert_eq!(frame.encoded_len_v1().unwrap(), n);
        let from_v1 = v1::decode_v1(&v1_out).unwrap();
        prop_assert_eq!(from_v1, frame);
        // The reference's shape: topic, event, payload, ref, then join_ref when present.
        let mut expected = serde_json::Map::new();
        expected.insert("topic".into(), Value::String(f.topic.clone()));
        expected.insert("event".into(), Value::String(f.event.clone()));
        expected.insert("payload".into(), f.payload.clone());
        expected.insert("ref".into(), f.reference.clone().map_or(Value::Null, Value::String));
        if let Some(j) = &f.join_ref {
            expected.insert("join_ref".into(), Value::String(j.clone()));
        }
        let js = |v: &Value| serde_json::to_string(v).unwrap();
        let expected_text = format!(
            "{{\"topic\":{},\"event\":{},\"payload\":{},\"ref\":{}{}}}",
            js(&expected["topic"]),
            js(&expected["event"]),
            payload_text,
            js(&expected["ref"]),
            f.join_ref.as_ref().map_or(String::new(), |j| format!(",\"join_ref\":{}", js(&Value::String(j.clone())))),
        );
        prop_assert_eq!(std::str::from_utf8(&v1_out).unwrap(), expected_text.as_str());
        // V1 -> V2 -> V2 decode: same frame; and back to V1.
        let mut v2_out = Vec::new();
        from_v1.encode_v2(&mut v2_out).unwrap();
        let from_v2 = decode_text(&v2_out).unwrap();
        prop_assert_eq!(from_v2, frame);
        let mut v1_again = Vec::new();
        from_v2.encode_v1(&mut v1_again).unwrap();
        prop_assert_eq!(&v1_again, &v1_out);
        // Keys in any order (and `join_ref: null` when absent) mean the same frame.
        let names = ["topic", "event", "payload", "ref", "join_ref"];
        let mut parts = Vec::new();
        for &k in &order {
            let value = match expected.get(names[k]) {
                Some(v) => serde_json::to_string(v).unwrap(),
                None if with_join_ref_null => "null".to_owned(),
                None => continue,
            };
            parts.push(format!("\"{}\" : {}", names[k], value));
        }
        let shuffled = format!("{{ {} }}", parts.join(" ,\n"));
        let decoded = v1::decode_v1(shuffled.as_bytes()).unwrap();
        prop_assert_eq!(decoded, frame);
    }
}

#[test]
fn the_lenient_limits_change_nothing_for_five_element_frames() {
    // A sanity check that the generators' frames are not accidentally six elements long.
    let limits = DecodeLimits::new().with_extra_elements_allowed(true);
    let text = br#"[null,"1","t","e",{}]"#;
    assert_eq!(
        phx_codec::decode_text_with(text, &limits).unwrap(),
        decode_text(text).unwrap()
    );
}
