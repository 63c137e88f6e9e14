//! The JSON that `phx decode` writes and `phx encode` reads back.
//!
//! A frame record: `{"line":N,"format":F,"join_ref":S|null,"ref":S|null,"topic":S,"event":S,
//! "message":M,"payload":P}`; a failed line: `{"line":N,"error":{"kind":K,"offset":O,
//! "message":T}}`. Strings are written as `JSON.stringify` writes them (so output is byte
//! stable), payloads compact.

use std::borrow::Cow;

use phx_codec::encode::write_json_str;
use phx_codec::{Frame, JsonKind, JsonStr, Payload, RawJson, WireFormat};

use crate::base64;
use crate::capture::Failure;

/// Appends `s` as a quoted JSON string.
pub(crate) fn put_str(out: &mut Vec<u8>, s: JsonStr<'_>) {
    // Writing to a `Vec` only fails if memory runs out, which aborts anyway.
    write_json_str(out, s).unwrap_or(());
}

fn put_nullable(out: &mut Vec<u8>, s: Option<JsonStr<'_>>) {
    match s {
        Some(s) => put_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Whether validated JSON `text` has whitespace outside its strings.
fn has_insignificant_space(text: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return true;
        }
    }
    false
}

/// `text` (valid JSON) without whitespace outside strings; borrowed when already compact.
/// Only whitespace goes: escapes, number spellings and key order stay as they were.
pub(crate) fn compact(text: &str) -> Cow<'_, str> {
    if !has_insignificant_space(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Appends `{"binary_base64":"…"}`.
fn put_binary(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(br#"{"binary_base64":""#);
    base64::encode(bytes, out);
    out.extend_from_slice(br#""}"#);
}

/// Appends a frame's payload as compact JSON: JSON as it was (minus whitespace), binary
/// payloads as `{"binary_base64":…}`, binary replies as `{"status":…,"response":{"binary_base64":…}}`.
pub(crate) fn put_payload(out: &mut Vec<u8>, payload: Payload<'_>) {
    match payload {
        Payload::Json(raw) => out.extend_from_slice(compact(raw.as_str()).as_bytes()),
        Payload::Binary(bytes) => put_binary(out, bytes),
        Payload::BinaryReply { status, response } => {
            out.extend_from_slice(br#"{"status":"#);
            put_str(out, status);
            out.extend_from_slice(br#","response":"#);
            put_binary(out, response);
            out.push(b'}');
        }
    }
}

/// The typed message name of a frame. A frame whose payload does not fit its event's typed
/// message is reported as `"other"`: it is not that message.
pub(crate) fn message_name(frame: &Frame<'_>) -> &'static str {
    frame.message().map_or("other", |m| m.name())
}

/// Appends one frame record and a newline.
pub(crate) fn put_frame_record(
    out: &mut Vec<u8>,
    line: u64,
    format: WireFormat,
    frame: &Frame<'_>,
) {
    out.extend_from_slice(format!(r#"{{"line":{line},"format":""#).as_bytes());
    out.extend_from_slice(format.name().as_bytes());
    out.extend_from_slice(br#"","join_ref":"#);
    put_nullable(out, frame.join_ref());
    out.extend_from_slice(br#","ref":"#);
    put_nullable(out, frame.reference());
    out.extend_from_slice(br#","topic":"#);
    put_str(out, frame.topic());
    out.extend_from_slice(br#","event":"#);
    put_str(out, frame.event());
    out.extend_from_slice(br#","message":""#);
    out.extend_from_slice(message_name(frame).as_bytes());
    out.extend_from_slice(br#"","payload":"#);
    put_payload(out, frame.payload());
    out.extend_from_slice(b"}\n");
}

/// Appends one error record and a newline.
pub(crate) fn put_error_record(out: &mut Vec<u8>, line: u64, failure: &Failure) {
    out.extend_from_slice(
        format!(
            r#"{{"line":{line},"error":{{"kind":"{}","offset":{},"message":"#,
            failure.kind, failure.offset
        )
        .as_bytes(),
    );
    put_str(out, JsonStr::literal(&failure.message));
    out.extend_from_slice(b"}}\n");
}

/// Memory a record's frame borrows from: decoded base64 bytes, a compacted payload.
#[derive(Default)]
pub(crate) struct RecordScratch {
    bytes: Vec<u8>,
    text: String,
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new("invalid_record", 0, message)
}

fn string_member<'a>(record: RawJson<'a>, key: &str) -> Result<JsonStr<'a>, Failure> {
    match record.get(key) {
        Some(v) => v
            .as_json_str()
            .ok_or_else(|| invalid(format!("`{key}` must be a string"))),
        None => Err(invalid(format!("missing `{key}`"))),
    }
}

fn nullable_member<'a>(record: RawJson<'a>, key: &str) -> Result<Option<JsonStr<'a>>, Failure> {
    match record.get(key) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => v
            .as_json_str()
            .map(Some)
            .ok_or_else(|| invalid(format!("`{key}` must be a string or null"))),
    }
}

fn base64_member<'s>(
    object: RawJson<'_>,
    scratch: &'s mut Vec<u8>,
) -> Result<Option<&'s [u8]>, Failure> {
    let Some(text) = object.get("binary_base64").and_then(|v| v.as_json_str()) else {
        return Ok(None);
    };
    scratch.clear();
    match base64::decode(text.to_cow().as_bytes(), scratch) {
        Ok(()) => Ok(Some(scratch.as_slice())),
        Err(_) => Err(invalid("`binary_base64` is not valid base64")),
    }
}

/// Reads a record that `phx decode` wrote (`line`, `message` are ignored; `format` defaults
/// to `"v2"`, `join_ref`/`ref` to null). Binary-format records carry their payload as
/// `{"binary_base64":…}` or, for replies, `{"status":…,"response":{"binary_base64":…}}`.
pub(crate) fn parse_record<'a>(
    text: &'a str,
    scratch: &'a mut RecordScratch,
) -> Result<(WireFormat, Frame<'a>), Failure> {
    let record = RawJson::parse(text)
        .map_err(|e| Failure::new(e.kind.name(), e.offset, format!("not a JSON record: {e}")))?;
    if record.kind() != JsonKind::Object {
        return Err(invalid("a record must be a JSON object"));
    }
    if record.get("error").is_some() {
        return Err(Failure::new(
            "error_record",
            0,
            "this record is a decode error: there is no frame to encode",
        ));
    }
    let format = match record.get("format") {
        None => WireFormat::V2,
        Some(f) => match f.as_json_str() {
            Some(s) if s == "v2" => WireFormat::V2,
            Some(s) if s == "v1" => WireFormat::V1,
            Some(s) if s == "binary" => WireFormat::Binary,
            _ => return Err(invalid(r#"`format` must be "v2", "v1" or "binary""#)),
        },
    };
    let join_ref = nullable_member(record, "join_ref")?;
    let reference = nullable_member(record, "ref")?;
    let topic = string_member(record, "topic")?;
    let event = string_member(record, "event")?;
    let raw = record
        .get("payload")
        .ok_or_else(|| invalid("missing `payload`"))?;
    let RecordScratch { bytes, text } = scratch;
    let payload = if format == WireFormat::Binary {
        binary_payload(raw, bytes)?
    } else {
        match compact(raw.as_str()) {
            Cow::Borrowed(_) => Payload::Json(raw),
            Cow::Owned(compacted) => {
                *text = compacted;
                let text: &'a String = text;
                Payload::Json(RawJson::parse(text.as_str()).map_err(Failure::from)?)
            }
        }
    };
    Ok((
        format,
        Frame::new(join_ref, reference, topic, event, payload),
    ))
}

fn binary_payload<'a>(raw: RawJson<'a>, bytes: &'a mut Vec<u8>) -> Result<Payload<'a>, Failure> {
    const SHAPE: &str = r#"a binary payload must be {"binary_base64":…} or {"status":…,"response":{"binary_base64":…}}"#;
    if raw.get("binary_base64").is_some() {
        let data = base64_member(raw, bytes)?.ok_or_else(|| invalid(SHAPE))?;
        return Ok(Payload::Binary(data));
    }
    let status = raw.get("status").and_then(|s| s.as_json_str());
    let response = raw.get("response");
    match (status, response) {
        (Some(status), Some(response)) => {
            let data = base64_member(response, bytes)?.ok_or_else(|| invalid(SHAPE))?;
            Ok(Payload::BinaryReply {
                status,
                response: data,
            })
        }
        _ => Err(invalid(SHAPE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacting_drops_only_whitespace_outside_strings() {
        let text = "{ \"a b\" : [ 1 ,\n\t2 ] , \"c\\\" d\" : \"x \\\\\" }";
        assert_eq!(compact(text), r#"{"a b":[1,2],"c\" d":"x \\"}"#);
        assert!(matches!(compact(r#"{"a":" "}"#), Cow::Borrowed(_)));
    }

    #[test]
    fn writes_a_binary_reply_payload_with_status_first() {
        let mut out = Vec::new();
        put_payload(
            &mut out,
            Payload::BinaryReply {
                status: JsonStr::literal("ok"),
                response: b"\x01\x02",
            },
        );
        assert_eq!(
            out,
            br#"{"status":"ok","response":{"binary_base64":"AQI="}}"#
        );
    }

    #[test]
    fn reads_back_what_it_wrote() {
        let frame =
            phx_codec::decode_text(br#"["1","2","room:a\nb","shout",{"body":"hi"}]"#).unwrap();
        let mut out = Vec::new();
        put_frame_record(&mut out, 3, WireFormat::V2, &frame);
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "{\"line\":3,\"format\":\"v2\",\"join_ref\":\"1\",\"ref\":\"2\",\"topic\":\"room:a\\nb\",\"event\":\"shout\",\"message\":\"shout\",\"payload\":{\"body\":\"hi\"}}\n"
        );
        let text = std::str::from_utf8(&out).unwrap().trim_end();
        let mut scratch = RecordScratch::default();
        let (format, back) = parse_record(text, &mut scratch).unwrap();
        assert_eq!(format, WireFormat::V2);
        assert_eq!(back, frame);
    }

    #[test]
    fn refuses_error_records_and_records_without_a_topic() {
        let mut scratch = RecordScratch::default();
        let err = parse_record(r#"{"line":1,"error":{}}"#, &mut scratch).unwrap_err();
        assert_eq!(err.kind, "error_record");
        let err = parse_record(r#"{"event":"e","payload":{}}"#, &mut scratch).unwrap_err();
        assert_eq!(err.message, "missing `topic`");
    }
}
