//! Zero heap allocations: decoding (V2 text, V1, binary, through `Decoder` too), typed access
//! (`message()`, presence read in one walk (`PresenceItems`, `PresenceStream`), topic and event parsing,
//! walking every payload value, unescaping into stack buffers) and encoding into `&mut [u8]` /
//! `heapless::Vec`, for every conformance vector; hostile nesting is rejected without
//! allocating as well.
//!
//! Run on its own with `cargo test -p phx-tests --test no_alloc`. Counting is per thread and
//! only inside the measured closure (see `counting/mod.rs`), so the test harness's own
//! allocations do not count.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod counting;
mod support;

use std::fmt::Write as _;
use std::hint::black_box;

use counting::{CountingWriter, HeapUse, count};
use phx_codec::Message;
use phx_codec::encode::SliceSink;
use phx_codec::message::{Customer, FileId, Response, Shout, User};
use phx_codec::outgoing::OutgoingFrame;
use phx_codec::presence::{Entries, PresenceItem, PresenceItems, PresenceStream};
use phx_codec::{
    DecodeErrorKind, DecodeLimits, Frame, JsonKind, JsonStr, Payload, RawJson, WireFormat,
    decode_text, decode_text_with,
};
use support::Case;

#[global_allocator]
static ALLOCATOR: counting::CountingAllocator = counting::CountingAllocator;

/// Largest encoding of any vector, with room to spare (the vectors are all < 4 KiB).
const BUF: usize = 16 * 1024;

/// Unescapes `s` into a stack buffer and reads it every other way; returns a checksum.
fn touch_str(s: JsonStr<'_>) -> usize {
    let mut buf = [0u8; 4096];
    let mut sum = s.raw().len();
    let len = s.unescaped_len();
    if len <= buf.len() {
        let text = s.unescape_into(&mut buf).unwrap_or("");
        sum += text.len();
        assert!(s.eq_str(text));
    }
    sum += s.chars().count();
    sum += usize::from(s.as_str().is_some());
    let mut w = CountingWriter::default();
    let _ = write!(w, "{s}{s:?}");
    sum + w.0
}

/// Walks a JSON value iteratively (an explicit stack of iterators on the stack, no recursion
/// that could mask a problem): every key and string unescaped, every number converted.
fn touch_json(root: RawJson<'_>) -> usize {
    let mut sum = 0usize;
    let mut stack: heapless::Vec<RawJson<'_>, 256> = heapless::Vec::new();
    let _ = stack.push(root);
    while let Some(value) = stack.pop() {
        sum += value.as_str().len();
        match value.kind() {
            JsonKind::Null => sum += usize::from(value.is_null()),
            JsonKind::Bool => sum += usize::from(value.as_bool().unwrap_or(false)),
            JsonKind::Number => {
                sum += usize::from(value.as_i64().is_some());
                sum += usize::from(value.as_u64().is_some());
                sum += usize::from(value.as_f64().is_some_and(f64::is_finite));
            }
            JsonKind::String => sum += value.as_json_str().map_or(0, touch_str),
            JsonKind::Array => {
                for item in value.items().into_iter().flatten() {
                    if stack.push(item).is_err() {
                        sum += touch_json_shallow(item);
                    }
                }
            }
            JsonKind::Object => {
                for (key, item) in value.members().into_iter().flatten() {
                    sum += touch_str(key);
                    let mut key_buf = [0u8; 256];
                    if let Ok(k) = key.unescape_into(&mut key_buf) {
                        sum += usize::from(value.get(k).is_some());
                    }
                    if stack.push(item).is_err() {
                        sum += touch_json_shallow(item);
                    }
                }
            }
        }
    }
    sum
}

fn touch_json_shallow(value: RawJson<'_>) -> usize {
    value.as_str().len()
}

fn opt_str(s: Option<JsonStr<'_>>) -> usize {
    s.map_or(0, touch_str)
}

fn opt_raw(raw: Option<RawJson<'_>>) -> usize {
    raw.map_or(0, touch_json)
}

fn touch_user(user: Option<User<'_>>) -> usize {
    let Some(u) = user else { return 0 };
    usize::try_from(u.id().unwrap_or(0)).unwrap_or(1)
        + opt_str(u.object())
        + opt_str(u.email())
        + opt_str(u.full_name())
        + opt_str(u.display_name())
        + opt_str(u.profile_photo_url())
        + opt_str(u.created_at())
        + opt_str(u.disabled_at())
        + opt_str(u.archived_at())
        + opt_str(u.role())
        + u.raw().as_str().len()
}

fn touch_customer(customer: Option<&Customer<'_>>) -> usize {
    let Some(c) = customer else { return 0 };
    opt_str(c.id())
        + opt_str(c.object())
        + opt_str(c.name())
        + opt_str(c.email())
        + opt_str(c.phone())
        + opt_str(c.external_id())
        + opt_str(c.profile_photo_url())
        + opt_str(c.company_id())
        + opt_str(c.host())
        + opt_str(c.pathname())
        + opt_str(c.current_url())
        + opt_str(c.browser())
        + opt_str(c.os())
        + opt_raw(c.metadata())
        + opt_str(c.created_at())
        + opt_str(c.updated_at())
        + opt_str(c.title())
}

fn touch_file_id(id: Option<FileId<'_>>) -> usize {
    match id {
        Some(FileId::Int(n)) => usize::try_from(n).unwrap_or(1),
        Some(FileId::Str(s)) => touch_str(s),
        None => 0,
    }
}

fn touch_shout(s: &Shout<'_>) -> usize {
    let mut sum = opt_str(s.id())
        + opt_str(s.object())
        + opt_str(s.body())
        + opt_str(s.message_type())
        + opt_str(s.content_type())
        + usize::from(s.private().unwrap_or(false))
        + opt_str(s.source())
        + opt_str(s.created_at())
        + opt_str(s.sent_at())
        + opt_str(s.seen_at())
        + opt_str(s.conversation_id())
        + opt_str(s.account_id())
        + opt_str(s.customer_id())
        + usize::try_from(s.user_id().unwrap_or(0)).unwrap_or(1)
        + touch_user(s.user())
        + touch_customer(s.customer().as_ref())
        + opt_raw(s.metadata())
        + usize::from(s.is_from_customer())
        + usize::from(s.is_from_agent())
        + usize::from(s.is_bot());
    for a in s.attachments() {
        sum += touch_file_id(a.id())
            + opt_str(a.object())
            + opt_str(a.file_url())
            + opt_str(a.content_type())
            + opt_str(a.filename());
    }
    for id in s.file_ids() {
        sum += touch_file_id(Some(id));
    }
    for id in s.mentioned_user_ids() {
        sum += usize::try_from(id).unwrap_or(1);
    }
    sum
}

fn touch_presence(entries: Entries<'_>) -> usize {
    let mut sum = 0;
    for (key, metas) in entries {
        let mut w = CountingWriter::default();
        let _ = write!(w, "{key}");
        sum += w.0 + usize::try_from(key.user_id().unwrap_or(0)).unwrap_or(1);
        sum += opt_str(key.customer_id());
        for meta in metas {
            sum += opt_str(meta.phx_ref())
                + opt_str(meta.phx_ref_prev())
                + opt_str(meta.online_at())
                + usize::try_from(meta.online_at_secs().unwrap_or(0)).unwrap_or(1)
                + usize::try_from(meta.user_id().unwrap_or(0)).unwrap_or(1)
                + opt_str(meta.customer_id())
                + meta.raw().as_str().len();
        }
    }
    sum
}

/// Every accessor of every typed message.
fn touch_message(message: &Message<'_>) -> usize {
    match message {
        Message::Join(j) => opt_str(j.customer_id()) + touch_json(j.raw()),
        Message::Reply(r) => {
            let status = r.status().map_or(0, |s| touch_str(s.as_json_str()));
            let response = match r.response() {
                Response::Json(raw) => touch_json(raw),
                Response::Binary(bytes) => bytes.len(),
                Response::Absent => 0,
            };
            status
                + response
                + opt_str(r.reason())
                + usize::from(r.is_ok())
                + usize::from(r.is_error())
        }
        Message::Error(e) => opt_str(e.reason()),
        Message::Shout(s) => touch_shout(s),
        Message::Read(r) => opt_str(r.conversation_id()),
        Message::Ping(p) => opt_raw(p.json()) + usize::from(p.payload().is_binary()),
        Message::PresenceState(p) => touch_presence(p.entries()) + p.raw().as_str().len(),
        Message::PresenceDiff(d) => touch_presence(d.joins()) + touch_presence(d.leaves()),
        Message::ConversationCreated(c) => opt_str(c.id()),
        Message::ConversationUpdated(c) => opt_str(c.id()) + opt_raw(c.updates()),
        Message::IssueCreated(i) | Message::IssueUpdated(i) => {
            opt_str(i.id())
                + opt_str(i.title())
                + opt_str(i.body())
                + opt_str(i.state())
                + opt_str(i.github_issue_url())
                + opt_str(i.account_id())
                + opt_str(i.created_at())
                + opt_str(i.updated_at())
        }
        Message::ReplayEventEmitted(r) => opt_raw(r.event()),
        Message::Leave
        | Message::Close
        | Message::Heartbeat
        | Message::MessagesSeen
        | Message::SessionActive
        | Message::SessionInactive
        | Message::Other => message.name().len(),
    }
}

/// Everything a user can read from a frame without allocating.
fn touch_frame(frame: &Frame<'_>) -> usize {
    let mut sum = 0;
    sum += frame.join_ref().map_or(0, touch_str);
    sum += frame.reference().map_or(0, touch_str);
    sum += touch_str(frame.topic());
    sum += touch_str(frame.event());
    let mut w = CountingWriter::default();
    let _ = write!(w, "{:?}{:?}", frame.topic_kind(), frame.event_kind());
    match frame.message() {
        Ok(message) => {
            sum += message.name().len() + touch_message(&message);
            let _ = write!(w, "{message:?}");
            if serde_json::to_writer(&mut w, &message).is_ok() {
                sum += 1;
            }
        }
        Err(err) => {
            let _ = write!(w, "{err}");
        }
    }
    let _ = write!(w, "{frame:?}");
    // Presence read in one walk, the payload taken as a state and as a diff.
    for items in [PresenceItems::state(frame), PresenceItems::diff(frame)] {
        for item in items {
            match item {
                Ok(PresenceItem::Section(section)) => {
                    let _ = write!(w, "{section:?}");
                }
                Ok(PresenceItem::Key(key)) => {
                    let _ = write!(w, "{key}");
                }
                Ok(PresenceItem::Meta(meta)) => {
                    sum += opt_str(meta.phx_ref())
                        + opt_str(meta.online_at())
                        + usize::try_from(meta.user_id().unwrap_or(0)).unwrap_or(1);
                }
                Err(err) => {
                    let _ = write!(w, "{err}");
                }
            }
        }
    }
    match frame.payload() {
        Payload::Json(raw) => {
            sum += touch_json(raw);
            if let Some(members) = raw.members() {
                for (key, _) in members {
                    if let Some(k) = key.as_str() {
                        sum += frame.payload_get(k).map_or(0, |v| v.as_str().len());
                    }
                }
            }
        }
        Payload::Binary(bytes) => sum += bytes.iter().map(|&b| usize::from(b)).sum::<usize>(),
        Payload::BinaryReply { status, response } => {
            sum += touch_str(status) + response.len();
        }
    }
    // serde: the frame serializes through serde_json into a writer without allocating.
    if serde_json::to_writer(&mut w, frame).is_ok() {
        sum += 1;
    }
    sum + w.0
}

/// The input decoded by [`PresenceStream`] as a state and as a diff, every item read: the
/// one-walk presence decoder allocates neither on frames it reads nor on ones it rejects.
fn touch_presence_stream(input: &[u8]) -> usize {
    let mut sum = 0;
    let mut w = CountingWriter::default();
    for stream in [
        PresenceStream::decode_state(input),
        PresenceStream::decode_diff(input),
    ] {
        match stream {
            Ok(stream) => {
                sum += touch_str(stream.topic()) + touch_str(stream.event()) + 1;
                sum += stream.join_ref().map_or(0, touch_str);
                sum += stream.reference().map_or(0, touch_str);
                for item in stream {
                    match item {
                        Ok(PresenceItem::Meta(meta)) => {
                            sum += opt_str(meta.phx_ref()) + opt_str(meta.online_at());
                        }
                        Ok(other) => {
                            let _ = write!(w, "{other:?}");
                        }
                        Err(err) => {
                            let _ = write!(w, "{err}");
                        }
                    }
                }
            }
            Err(err) => {
                let _ = write!(w, "{err}");
            }
        }
    }
    sum + w.0
}

/// What the encoders produced, for checking outside the measured closure.
struct Encoded {
    len: usize,
    slice: [u8; BUF],
    slice_len: usize,
    heapless: heapless::Vec<u8, BUF>,
    other_text_len: Option<usize>,
}

/// Encodes in the case's own format into a slice and a `heapless::Vec`, and in the other
/// text format when the payload is JSON.
fn encode_all(frame: &Frame<'_>, case: &Case) -> Encoded {
    let len = frame.encoded_len(case.format, case.direction).unwrap_or(0);
    let mut slice = [0u8; BUF];
    let slice_len = frame
        .encode(case.format, case.direction, &mut SliceSink::new(&mut slice))
        .unwrap_or(0);
    let mut heapless = heapless::Vec::<u8, BUF>::new();
    let _ = frame.encode(case.format, case.direction, &mut heapless);
    let other_text_len = match case.format {
        WireFormat::Binary => None,
        WireFormat::V1 => {
            let mut buf = [0u8; BUF];
            frame.encode_v2_into(&mut buf).ok()
        }
        WireFormat::V2 => {
            let mut buf = [0u8; BUF];
            frame.encode_v1_into(&mut buf).ok()
        }
    };
    Encoded {
        len,
        slice,
        slice_len,
        heapless,
        other_text_len,
    }
}

#[test]
fn decoding_typed_access_and_encoding_of_every_vector_never_allocate() {
    counting::assert_counter_works();
    let cases = support::load_cases();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        if case.valid {
            let ((frame, via_decoder, checksum, encoded), used) = count(|| {
                let frame = case.decode().ok();
                let via_decoder = case.decode_with_decoder().ok();
                let checksum =
                    frame.as_ref().map_or(0, touch_frame) + touch_presence_stream(&case.input);
                let encoded = frame.as_ref().map(|f| encode_all(f, case));
                (frame, via_decoder, checksum, encoded)
            });
            black_box(checksum);
            let frame = frame.unwrap_or_else(|| panic!("{}: valid case rejected", case.id()));
            assert_eq!(Some(frame), via_decoder, "{}", case.id());
            let encoded = encoded.expect("encoded");
            assert!(encoded.len > 0, "{}: encoded_len failed", case.id());
            assert_eq!(encoded.slice_len, encoded.len, "{}", case.id());
            assert_eq!(
                &encoded.heapless[..],
                &encoded.slice[..encoded.len],
                "{}",
                case.id()
            );
            if case.canonical {
                assert_eq!(
                    &encoded.slice[..encoded.len],
                    &case.input[..],
                    "{}",
                    case.id()
                );
            }
            if case.format != WireFormat::Binary {
                assert!(encoded.other_text_len.is_some(), "{}", case.id());
            }
            if used != HeapUse::NONE {
                failures.push(format!("{}: {used:?}", case.id()));
            }
        } else {
            let (display_len, used) = count(|| {
                let err = case.decode().err();
                let again = case.decode_with_decoder().err();
                let mut w = CountingWriter::default();
                if let Some(err) = err {
                    let _ = write!(w, "{err} {err:?} {}", err.kind.name());
                }
                black_box(touch_presence_stream(&case.input));
                (err.is_some() && again == err).then_some(w.0)
            });
            assert!(
                display_len.is_some_and(|n| n > 0),
                "{}: invalid case accepted",
                case.id()
            );
            if used != HeapUse::NONE {
                failures.push(format!("{}: {used:?}", case.id()));
            }
        }
        checked += 1;
    }
    println!("no_alloc: checked {checked} vectors");
    assert_eq!(checked, cases.len());
    assert!(failures.is_empty(), "heap used: {failures:#?}");
}

#[test]
fn encoding_into_a_too_small_buffer_fails_without_allocating() {
    let input = br#"[null,"3","conversation:1a2b3c","shout",{"body":"Hi"}]"#;
    let frame = decode_text(input).expect("valid");
    let (result, used) = count(|| {
        let mut small = [0u8; 8];
        let mut tiny = heapless::Vec::<u8, 4>::new();
        (
            frame.encode_v2_into(&mut small).is_err(),
            frame.encode_v1(&mut tiny).is_err(),
        )
    });
    assert_eq!(result, (true, true));
    assert_eq!(used, HeapUse::NONE);
}

fn nested(open: &str, close: &str, levels: usize) -> String {
    let mut s = String::from("[null,\"1\",\"t\",\"e\",");
    s.push_str(&open.repeat(levels));
    s.push_str(&close.repeat(levels));
    s.push(']');
    s
}

#[test]
fn a_million_levels_of_nesting_fail_with_a_depth_error_without_allocating() {
    let inputs = [
        ("arrays", nested("[", "]", 1_000_000)),
        ("objects", nested("{\"a\":", "}", 1_000_000)),
        ("mixed", nested("[{\"a\":", "}]", 500_000)),
        ("unclosed arrays", nested("[", "", 1_000_000)),
    ];
    for (name, text) in &inputs {
        let (result, used) = count(|| decode_text(text.as_bytes()).map(|_| ()));
        let err = result.expect_err(name);
        assert_eq!(err.kind, DecodeErrorKind::DepthLimitExceeded, "{name}");
        assert!(err.offset < 1_000, "{name}: found at {}", err.offset);
        assert_eq!(used, HeapUse::NONE, "{name}");
        // At the highest supported limit too.
        let limits = DecodeLimits::new().with_max_depth(u32::MAX);
        let (result, used) = count(|| decode_text_with(text.as_bytes(), &limits).map(|_| ()));
        assert_eq!(
            result.expect_err(name).kind,
            DecodeErrorKind::DepthLimitExceeded,
            "{name}"
        );
        assert_eq!(used, HeapUse::NONE, "{name}");
        // The same nesting as a bare JSON value and inside a V1 payload.
        let payload = &text["[null,\"1\",\"t\",\"e\",".len()..text.len() - 1];
        let (result, used) = count(|| RawJson::parse(payload).map(|_| ()));
        assert_eq!(
            result.expect_err(name).kind,
            DecodeErrorKind::DepthLimitExceeded
        );
        assert_eq!(used, HeapUse::NONE, "{name}");
        let v1 = format!("{{\"topic\":\"t\",\"event\":\"e\",\"ref\":null,\"payload\":{payload}}}");
        let (result, used) = count(|| phx_codec::v1::decode_v1(v1.as_bytes()).map(|_| ()));
        assert_eq!(
            result.expect_err(name).kind,
            DecodeErrorKind::DepthLimitExceeded
        );
        assert_eq!(used, HeapUse::NONE, "{name}");
    }
}

/// The canonical input of the vector `name`.
fn vector(name: &str) -> Vec<u8> {
    support::valid_cases()
        .into_iter()
        .find(|c| c.name == name && c.format == WireFormat::V2)
        .unwrap_or_else(|| panic!("no V2 vector {name}"))
        .input
}

/// Encodes `frame` in both text forms into a stack slice and a `heapless::Vec`, measured;
/// returns the V2 bytes.
fn encode_outgoing<P: phx_codec::encode::WriteJson>(frame: &OutgoingFrame<'_, P>) -> Vec<u8> {
    let ((v2, v1_len, expected_v1), used) = count(|| {
        let mut v2 = heapless::Vec::<u8, BUF>::new();
        let _ = frame.encode_v2(&mut v2);
        let mut buf = [0u8; BUF];
        let v1_len = frame.encode_v1(&mut SliceSink::new(&mut buf)).ok();
        (v2, v1_len, frame.encoded_len_v1().ok())
    });
    assert_eq!(used, HeapUse::NONE, "{}", frame.event);
    assert_eq!(Ok(v2.len()), frame.encoded_len_v2());
    assert_eq!(v1_len, expected_v1);
    v2.to_vec()
}

#[test]
fn outgoing_builders_encode_without_allocating_and_match_the_vectors() {
    use phx_codec::outgoing::{
        EmptyObject, IdPayload, MetaPayload, PresenceDiffPayload, PresenceStatePayload,
        ReadPayload, Reason, ReplyPayload, ShoutPush,
    };
    use phx_codec::presence::PresenceKey;

    let heartbeat = OutgoingFrame {
        join_ref: None,
        reference: Some("12"),
        topic: "phoenix",
        event: "heartbeat",
        payload: EmptyObject,
    };
    assert_eq!(encode_outgoing(&heartbeat), vector("heartbeat"));

    let read = OutgoingFrame {
        join_ref: Some("4"),
        reference: Some("10"),
        topic: "notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5",
        event: "read",
        payload: ReadPayload {
            conversation_id: "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f".into(),
        },
    };
    assert_eq!(encode_outgoing(&read), vector("read"));

    let created = OutgoingFrame {
        join_ref: None,
        reference: None,
        topic: "conversation:lobby:c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b",
        event: "conversation:created",
        payload: IdPayload {
            id: "5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f".into(),
        },
    };
    assert_eq!(encode_outgoing(&created), vector("lobby_created"));

    let meta = |at: &'static str, r: &'static str, id: i64| MetaPayload {
        phx_ref: r.into(),
        phx_ref_prev: None,
        online_at: Some(at.into()),
        user_id: Some(id),
        customer_id: None,
    };
    let seven = [meta("1732460000", "F4nCz5n8R5gAAAPB", 7)];
    let eight = [
        meta("1732460100", "F4nC0Ab1Cd2AAAQC", 8),
        meta("1732460200", "F4nC0xYzWv3AAARD", 8),
    ];
    let entries = [
        (PresenceKey::User(7), &seven[..]),
        (PresenceKey::User(8), &eight[..]),
    ];
    let state = OutgoingFrame {
        join_ref: Some("2"),
        reference: None,
        topic: "room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5",
        event: "presence_state",
        payload: PresenceStatePayload { entries: &entries },
    };
    assert_eq!(encode_outgoing(&state), vector("presence_state_room"));

    let nine = [meta("1732460300", "F4nC1Qq9Rr4AAASE", 9)];
    let joins = [(PresenceKey::User(9), &nine[..])];
    let diff = OutgoingFrame {
        join_ref: None,
        reference: None,
        topic: "room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5",
        event: "presence_diff",
        payload: PresenceDiffPayload {
            joins: &joins,
            leaves: &[],
        },
    };
    assert_eq!(encode_outgoing(&diff), vector("presence_diff_join"));

    // Builders without a byte-identical vector: they allocate nothing and decode to what was
    // built.
    let ids = [8i64];
    let shout = OutgoingFrame {
        join_ref: Some("4"),
        reference: Some("9"),
        topic: "notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5",
        event: "shout",
        payload: ShoutPush {
            conversation_id: Some("5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f".into()),
            mentioned_user_ids: Some(&ids),
            private: Some(false),
            ..ShoutPush::new("On it! \"quoted\" \\ \n 😀".into())
        },
    };
    let bytes = encode_outgoing(&shout);
    let frame = decode_text(&bytes).unwrap();
    let Ok(Message::Shout(decoded)) = frame.message() else {
        panic!("not a shout: {frame:?}");
    };
    assert_eq!(decoded.body().unwrap(), "On it! \"quoted\" \\ \n 😀");
    assert_eq!(decoded.mentioned_user_ids().collect::<Vec<_>>(), [8]);
    assert_eq!(decoded.private(), Some(false));

    let reply = OutgoingFrame {
        join_ref: Some("3"),
        reference: Some("3"),
        topic: "notification:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5",
        event: "phx_reply",
        payload: ReplyPayload {
            status: phx_codec::message::ReplyStatus::Error,
            response: Reason {
                reason: "Unauthorized".into(),
            },
        },
    };
    let bytes = encode_outgoing(&reply);
    let frame = decode_text(&bytes).unwrap();
    let Ok(Message::Reply(decoded)) = frame.message() else {
        panic!("not a reply: {frame:?}");
    };
    assert!(decoded.is_error());
    assert_eq!(decoded.reason().unwrap(), "Unauthorized");
}
