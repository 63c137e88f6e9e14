//! The session replay runner: runs a script (one JSON object per line) through
//! [`phx_codec::session::client::ClientSession`] and writes what happened, one JSON object per
//! line, in the format `tests/interop/session_driver.mjs` writes for phoenix.js (issue 13; see
//! `tests/data/session/README.md`).
//!
//! The session calls are made inside a caller-provided `measure` wrapper, and the event
//! callbacks only write into a pre-reserved `String`, so a counting allocator can check that
//! the session allocates nothing (`tests/tests/session_no_alloc.rs`).

use std::collections::HashMap;
use std::fmt::Write as _;

use phx_codec::session::client::{
    Backoff, ChannelId, ClientSession, Event, Options, Outcome, PushId, Response, TransportAction,
};
use phx_codec::{JsonStr, Payload, RawJson, Vsn, WsMessage};
use serde_json::Value;

/// The session type the runner drives: 16 channels, 64 pushes, 4 KiB payloads, 64 KiB outbox.
pub type ReplaySession = ClientSession<16, 64, 4096, 65536>;

/// A script line that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

#[derive(Debug, Clone)]
enum Op {
    Connect,
    Disconnect,
    Opened,
    Closed(u16),
    Join {
        topic: String,
        params: String,
    },
    Push {
        topic: String,
        event: String,
        payload: PushBody,
        timeout: Option<u64>,
    },
    Leave {
        topic: String,
    },
    Reply {
        topic: String,
        event: String,
        status: String,
        response: String,
    },
    Server {
        topic: String,
        event: String,
        payload: String,
        join_ref: JoinRefSel,
    },
    FrameText(String),
    FrameBinary(Vec<u8>),
    Tick,
}

#[derive(Debug, Clone)]
enum PushBody {
    Json(String),
    Binary(Vec<u8>),
}

#[derive(Debug, Clone, Copy)]
enum JoinRefSel {
    Current,
    Stale,
    Null,
}

struct Line {
    t: u64,
    op: Op,
}

fn err(line: usize, message: impl Into<String>) -> ScriptError {
    ScriptError {
        line,
        message: message.into(),
    }
}

fn backoff(value: Option<&Value>, default: Backoff, line: usize) -> Result<Backoff, ScriptError> {
    let Some(value) = value else {
        return Ok(default);
    };
    let steps: Vec<u64> = value
        .as_array()
        .ok_or_else(|| err(line, "a backoff table is an array of numbers"))?
        .iter()
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| err(line, "a backoff delay is a number"))
        })
        .collect::<Result<_, _>>()?;
    let then = *steps
        .last()
        .ok_or_else(|| err(line, "an empty backoff table"))?;
    // A replay runs once per process (or per test); the table lives as long as the session.
    Ok(Backoff {
        steps: Box::leak(steps.into_boxed_slice()),
        then,
    })
}

fn parse(script: &str) -> Result<(Options, Vec<Line>), ScriptError> {
    let mut options = Options::DEFAULT;
    let mut lines = Vec::new();
    let mut last_t = 0;
    for (index, text) in script.lines().enumerate() {
        let n = index + 1;
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let v: Value = serde_json::from_str(trimmed).map_err(|e| err(n, e.to_string()))?;
        let t = v
            .get("t")
            .and_then(Value::as_u64)
            .ok_or_else(|| err(n, "no numeric t"))?;
        if t < last_t {
            return Err(err(n, "t decreases"));
        }
        last_t = t;
        let op = v
            .get("op")
            .and_then(Value::as_str)
            .ok_or_else(|| err(n, "no op"))?;
        let string = |key: &str| -> Result<String, ScriptError> {
            v.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| err(n, format!("{op}: no string {key}")))
        };
        let json = |key: &str| v.get(key).map_or_else(|| "{}".to_owned(), Value::to_string);
        let op = match op {
            "config" => {
                if !lines.is_empty() {
                    return Err(err(n, "config must come first"));
                }
                if let Some(vsn) = v.get("vsn") {
                    options.vsn = match vsn.as_str() {
                        Some("1.0.0") => Vsn::V1,
                        Some("2.0.0") => Vsn::V2,
                        _ => return Err(err(n, "vsn is 1.0.0 or 2.0.0")),
                    };
                }
                if let Some(ms) = v.get("heartbeat_interval_ms").and_then(Value::as_u64) {
                    options.heartbeat_interval_ms = ms;
                }
                if let Some(ms) = v.get("timeout_ms").and_then(Value::as_u64) {
                    options.timeout_ms = ms;
                }
                options.reconnect_after_ms =
                    backoff(v.get("reconnect_after_ms"), Backoff::RECONNECT, n)?;
                options.rejoin_after_ms = backoff(v.get("rejoin_after_ms"), Backoff::REJOIN, n)?;
                continue;
            }
            "connect" => Op::Connect,
            "disconnect" => Op::Disconnect,
            "opened" => Op::Opened,
            "closed" => Op::Closed(
                v.get("code")
                    .and_then(Value::as_u64)
                    .and_then(|c| u16::try_from(c).ok())
                    .unwrap_or(1006),
            ),
            "join" => Op::Join {
                topic: string("topic")?,
                params: json("params"),
            },
            "push" => Op::Push {
                topic: string("topic")?,
                event: string("event")?,
                payload: match v.get("binary_base64").and_then(Value::as_str) {
                    Some(b64) => PushBody::Binary(
                        base64_decode(b64).ok_or_else(|| err(n, "bad binary_base64"))?,
                    ),
                    None => PushBody::Json(json("payload")),
                },
                timeout: v.get("timeout_ms").and_then(Value::as_u64),
            },
            "leave" => Op::Leave {
                topic: string("topic")?,
            },
            "reply" => Op::Reply {
                topic: string("topic")?,
                event: string("event")?,
                status: string("status")?,
                response: json("response"),
            },
            "server" => Op::Server {
                topic: string("topic")?,
                event: string("event")?,
                payload: json("payload"),
                join_ref: match v.get("join_ref") {
                    Some(Value::String(c)) if c == "current" => JoinRefSel::Current,
                    Some(Value::String(c)) if c == "stale" => JoinRefSel::Stale,
                    Some(Value::Null) | None => JoinRefSel::Null,
                    Some(_) => return Err(err(n, "join_ref is \"current\", \"stale\" or null")),
                },
            },
            "frame" => match (v.get("text"), v.get("binary_base64")) {
                (Some(Value::String(text)), _) => Op::FrameText(text.clone()),
                (_, Some(Value::String(b64))) => {
                    Op::FrameBinary(base64_decode(b64).ok_or_else(|| err(n, "bad binary_base64"))?)
                }
                _ => return Err(err(n, "frame needs text or binary_base64")),
            },
            "tick" => Op::Tick,
            other => return Err(err(n, format!("unknown op {other}"))),
        };
        lines.push(Line { t, op });
    }
    Ok((options, lines))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    None,
    Connecting,
    Open,
}

/// Everything the event callback reads or writes; it must not allocate.
struct Out {
    text: String,
    topics: HashMap<ChannelId, String>,
    pushes: HashMap<PushId, (String, String)>,
    joining_topic: String,
    t: u64,
}

impl Out {
    #[allow(clippy::large_types_passed_by_value)] // the session's callback type
    fn handle(&mut self, event: Event<'_>) {
        let Self {
            text: out,
            topics,
            pushes,
            joining_topic,
            t,
        } = self;
        let t = *t;
        let topic_of = |c: ChannelId| topics.get(&c).unwrap_or(joining_topic).as_str();
        match event {
            Event::State { channel, state } => {
                let topic = topic_of(channel);
                let _ = write!(out, "{{\"t\":{t},\"state\":{{\"topic\":");
                esc(out, topic);
                let _ = writeln!(out, ",\"state\":\"{}\"}}}}", state.as_str());
            }
            Event::Join { channel, outcome } => {
                let topic = topic_of(channel);
                reply_line(out, t, topic, "phx_join", &outcome);
            }
            Event::Push { push, outcome, .. } => {
                let (topic, event) = pushes
                    .get(&push)
                    .map_or(("", ""), |(a, b)| (a.as_str(), b.as_str()));
                reply_line(out, t, topic, event, &outcome);
            }
            Event::Left { channel } => {
                let topic = topic_of(channel);
                let _ = write!(out, "{{\"t\":{t},\"reply\":{{\"topic\":");
                esc(out, topic);
                let _ = writeln!(
                    out,
                    ",\"event\":\"phx_leave\",\"status\":\"ok\",\"response\":{{}}}}}}"
                );
            }
            Event::Message { frame, .. } => {
                let _ = write!(out, "{{\"t\":{t},\"message\":{{\"topic\":");
                esc_json(out, frame.topic());
                out.push_str(",\"event\":");
                esc_json(out, frame.event());
                out.push_str(",\"payload\":");
                match frame.payload() {
                    Payload::Json(raw) => out.push_str(raw.as_str()),
                    Payload::Binary(bytes)
                    | Payload::BinaryReply {
                        response: bytes, ..
                    } => {
                        binary_value(out, bytes);
                    }
                }
                out.push_str("}}\n");
            }
        }
    }
}

fn reply_line(out: &mut String, t: u64, topic: &str, event: &str, outcome: &Outcome<'_>) {
    let _ = write!(out, "{{\"t\":{t},\"reply\":{{\"topic\":");
    esc(out, topic);
    out.push_str(",\"event\":");
    esc(out, event);
    match outcome {
        Outcome::Timeout => out.push_str(",\"status\":\"timeout\""),
        Outcome::Reply { status, response } => {
            if let Some(status) = status {
                out.push_str(",\"status\":");
                esc_json(out, *status);
            }
            match response {
                Response::Json(raw) => {
                    out.push_str(",\"response\":");
                    out.push_str(raw.as_str());
                }
                Response::Binary(bytes) => {
                    out.push_str(",\"response\":");
                    binary_value(out, bytes);
                }
                Response::Absent => {}
            }
        }
    }
    out.push_str("}}\n");
}

fn binary_value(out: &mut String, bytes: &[u8]) {
    out.push_str("{\"binary_base64\":\"");
    base64_encode(out, bytes);
    out.push_str("\"}");
}

fn esc(out: &mut String, s: &str) {
    esc_chars(out, s.chars());
}

fn esc_json(out: &mut String, s: JsonStr<'_>) {
    esc_chars(out, s.chars());
}

fn esc_chars(out: &mut String, chars: impl Iterator<Item = char>) {
    out.push('"');
    for c in chars {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

/// Decodes standard base64 (padding optional); `None` when it is not base64.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = u32::try_from(B64.iter().position(|&b| b == c)?).ok()?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// A sent frame's refs, as the server side of the script sees them.
#[derive(Clone, Default)]
struct SentRefs {
    join_ref: Option<String>,
    reference: Option<String>,
}

struct Runner<'m> {
    session: Box<ReplaySession>,
    vsn: Vsn,
    out: Out,
    transport: Transport,
    /// (topic, event) → refs of the most recent frame sent.
    sent: HashMap<(String, String), SentRefs>,
    /// topic → join refs of the `phx_join`s sent, oldest first.
    joins: HashMap<String, Vec<String>>,
    /// topic → the most recent channel.
    channels: HashMap<String, ChannelId>,
    frame_buf: Vec<u8>,
    measure: &'m mut dyn FnMut(&mut dyn FnMut()),
}

/// Runs `script` and returns the output lines. `measure` is called around every call into the
/// session (pass `&mut |f| f()` to just run).
pub fn run_measured(
    script: &str,
    measure: &mut dyn FnMut(&mut dyn FnMut()),
) -> Result<String, ScriptError> {
    let (options, lines) = parse(script)?;
    let mut text = String::new();
    text.reserve(1 << 20);
    let mut runner = Runner {
        session: Box::new(ReplaySession::new(options)),
        vsn: options.vsn,
        out: Out {
            text,
            topics: HashMap::new(),
            pushes: HashMap::new(),
            joining_topic: String::new(),
            t: 0,
        },
        transport: Transport::None,
        sent: HashMap::new(),
        joins: HashMap::new(),
        channels: HashMap::new(),
        frame_buf: vec![0; 65536],
        measure,
    };
    for (index, line) in lines.iter().enumerate() {
        runner.fire_timers(line.t);
        runner.out.t = line.t;
        runner.apply(line, index + 1)?;
        runner.drain();
    }
    Ok(runner.out.text)
}

/// Runs `script` and returns the output lines.
pub fn run(script: &str) -> Result<String, ScriptError> {
    run_measured(script, &mut |f| f())
}

impl Runner<'_> {
    fn fire_timers(&mut self, t: u64) {
        loop {
            let mut next = None;
            let session = &mut self.session;
            (self.measure)(&mut || next = session.poll_timeout());
            match next {
                Some(due) if due <= t => {
                    self.out.t = due;
                    let session = &mut self.session;
                    let out = &mut self.out;
                    (self.measure)(&mut || session.handle_timeout(due, &mut |e| out.handle(e)));
                    self.drain();
                }
                _ => return,
            }
        }
    }

    fn drain(&mut self) {
        loop {
            let mut frame = None;
            let session = &mut self.session;
            let buf = &mut self.frame_buf;
            (self.measure)(&mut || frame = Some(session.poll_frame(buf)));
            match frame {
                Some(Ok(Some(outgoing))) => self.record_sent(outgoing),
                _ => break,
            }
        }
        loop {
            let mut action = None;
            let session = &mut self.session;
            (self.measure)(&mut || action = session.poll_transport());
            let t = self.out.t;
            match action {
                Some(TransportAction::Open) => {
                    let _ = writeln!(self.out.text, "{{\"t\":{t},\"open\":true}}");
                    self.transport = Transport::Connecting;
                }
                Some(TransportAction::Close(code)) => {
                    let _ = writeln!(self.out.text, "{{\"t\":{t},\"close\":{code}}}");
                    if self.transport != Transport::None {
                        self.transport = Transport::None;
                        let session = &mut self.session;
                        let out = &mut self.out;
                        (self.measure)(&mut || {
                            session.handle_closed(t, code, &mut |e| out.handle(e));
                        });
                    }
                }
                None => return,
            }
        }
    }

    fn record_sent(&mut self, outgoing: phx_codec::session::client::Outgoing) {
        use phx_codec::session::client::Outgoing;
        let t = self.out.t;
        let (bytes, binary) = match outgoing {
            Outgoing::Text(n) => (self.frame_buf.get(..n).unwrap_or(&[]), false),
            Outgoing::Binary(n) => (self.frame_buf.get(..n).unwrap_or(&[]), true),
        };
        let frame = if binary {
            let mut b64 = String::new();
            base64_encode(&mut b64, bytes);
            let _ = writeln!(
                self.out.text,
                "{{\"t\":{t},\"send_binary_base64\":\"{b64}\"}}"
            );
            phx_codec::binary::decode_from_client(bytes).ok()
        } else {
            let text = std::str::from_utf8(bytes).unwrap_or("");
            let _ = write!(self.out.text, "{{\"t\":{t},\"send\":");
            esc(&mut self.out.text, text);
            self.out.text.push_str("}\n");
            match self.vsn {
                Vsn::V2 => phx_codec::decode_text(bytes).ok(),
                Vsn::V1 => phx_codec::v1::decode_v1(bytes).ok(),
            }
        };
        let Some(frame) = frame else {
            return;
        };
        let topic = frame.topic().to_cow().into_owned();
        let event = frame.event().to_cow().into_owned();
        let refs = SentRefs {
            join_ref: frame.join_ref().map(|s| s.to_cow().into_owned()),
            reference: frame.reference().map(|s| s.to_cow().into_owned()),
        };
        if event == "phx_join"
            && let Some(jr) = &refs.join_ref
        {
            self.joins
                .entry(topic.clone())
                .or_default()
                .push(jr.clone());
        }
        self.sent.insert((topic, event), refs);
    }

    fn channel(&self, topic: &str, line: usize) -> Result<ChannelId, ScriptError> {
        self.channels
            .get(topic)
            .copied()
            .ok_or_else(|| err(line, format!("no channel for {topic}")))
    }

    fn apply(&mut self, line: &Line, n: usize) -> Result<(), ScriptError> {
        let t = line.t;
        match &line.op {
            Op::Connect => {
                let session = &mut self.session;
                (self.measure)(&mut || session.connect(t));
            }
            Op::Disconnect => {
                let session = &mut self.session;
                let out = &mut self.out;
                (self.measure)(&mut || session.disconnect(t, None, &mut |e| out.handle(e)));
            }
            Op::Opened => {
                if self.transport == Transport::Connecting {
                    self.transport = Transport::Open;
                    let session = &mut self.session;
                    let out = &mut self.out;
                    (self.measure)(&mut || session.handle_opened(t, &mut |e| out.handle(e)));
                }
            }
            Op::Closed(code) => {
                if self.transport != Transport::None {
                    self.transport = Transport::None;
                    let session = &mut self.session;
                    let out = &mut self.out;
                    (self.measure)(&mut || session.handle_closed(t, *code, &mut |e| out.handle(e)));
                }
            }
            Op::Join { topic, params } => {
                let params = RawJson::parse(params).map_err(|e| err(n, e.to_string()))?;
                // The new channel's id is only known after the call: its own events
                // (`joining`) take the topic from `joining_topic`.
                self.out.joining_topic.clone_from(topic);
                let mut result = None;
                let session = &mut self.session;
                let out = &mut self.out;
                (self.measure)(&mut || {
                    result = Some(session.join(t, topic, &params, &mut |e| out.handle(e)));
                });
                let id = result
                    .ok_or_else(|| err(n, "join did not run"))?
                    .map_err(|e| err(n, e.to_string()))?;
                self.out.topics.insert(id, topic.clone());
                self.channels.insert(topic.clone(), id);
            }
            Op::Push {
                topic,
                event,
                payload,
                timeout,
            } => {
                let channel = self.channel(topic, n)?;
                let mut result = None;
                let session = &mut self.session;
                let out = &mut self.out;
                match payload {
                    PushBody::Json(json) => {
                        let raw = RawJson::parse(json).map_err(|e| err(n, e.to_string()))?;
                        (self.measure)(&mut || {
                            result =
                                Some(session.push(t, channel, event, &raw, *timeout, &mut |e| {
                                    out.handle(e);
                                }));
                        });
                    }
                    PushBody::Binary(bytes) => {
                        (self.measure)(&mut || {
                            result = Some(session.push_binary(
                                t,
                                channel,
                                event,
                                bytes,
                                *timeout,
                                &mut |e| out.handle(e),
                            ));
                        });
                    }
                }
                let id = result
                    .ok_or_else(|| err(n, "push did not run"))?
                    .map_err(|e| err(n, e.to_string()))?;
                self.out.pushes.insert(id, (topic.clone(), event.clone()));
            }
            Op::Leave { topic } => {
                let channel = self.channel(topic, n)?;
                let session = &mut self.session;
                let out = &mut self.out;
                let mut result = Ok(());
                (self.measure)(&mut || result = session.leave(t, channel, &mut |e| out.handle(e)));
                result.map_err(|e| err(n, e.to_string()))?;
            }
            Op::Reply {
                topic,
                event,
                status,
                response,
            } => {
                let Some(refs) = self.sent.get(&(topic.clone(), event.clone())).cloned() else {
                    return Ok(());
                };
                let payload = format!(
                    "{{\"status\":{},\"response\":{response}}}",
                    serde_json::to_string(status).unwrap_or_default()
                );
                let text = self.text_frame(
                    refs.join_ref.as_deref(),
                    refs.reference.as_deref(),
                    topic,
                    "phx_reply",
                    &payload,
                );
                self.deliver_text(t, &text);
            }
            Op::Server {
                topic,
                event,
                payload,
                join_ref,
            } => {
                let joins = self.joins.get(topic);
                let jr = match join_ref {
                    JoinRefSel::Current => joins.and_then(|j| j.last()).cloned(),
                    JoinRefSel::Stale => joins
                        .and_then(|j| j.len().checked_sub(2).and_then(|i| j.get(i)))
                        .cloned(),
                    JoinRefSel::Null => None,
                };
                let reference = if event == "phx_close" || event == "phx_error" {
                    jr.clone()
                } else {
                    None
                };
                let text =
                    self.text_frame(jr.as_deref(), reference.as_deref(), topic, event, payload);
                self.deliver_text(t, &text);
            }
            Op::FrameText(text) => self.deliver_text(t, text),
            Op::FrameBinary(bytes) => {
                if self.transport == Transport::Open {
                    let session = &mut self.session;
                    let out = &mut self.out;
                    (self.measure)(&mut || {
                        session.handle_message(t, WsMessage::Binary(bytes), &mut |e| out.handle(e));
                    });
                }
            }
            Op::Tick => {}
        }
        Ok(())
    }

    fn text_frame(
        &self,
        join_ref: Option<&str>,
        reference: Option<&str>,
        topic: &str,
        event: &str,
        payload: &str,
    ) -> String {
        let s = |v: Option<&str>| serde_json::to_string(&v).unwrap_or_default();
        let topic = serde_json::to_string(topic).unwrap_or_default();
        let event = serde_json::to_string(event).unwrap_or_default();
        match self.vsn {
            Vsn::V2 => format!(
                "[{},{},{topic},{event},{payload}]",
                s(join_ref),
                s(reference)
            ),
            Vsn::V1 => format!(
                "{{\"topic\":{topic},\"event\":{event},\"payload\":{payload},\"ref\":{},\"join_ref\":{}}}",
                s(reference),
                s(join_ref)
            ),
        }
    }

    fn deliver_text(&mut self, t: u64, text: &str) {
        if self.transport != Transport::Open {
            return;
        }
        let session = &mut self.session;
        let out = &mut self.out;
        (self.measure)(&mut || {
            session.handle_message(t, WsMessage::Text(text.as_bytes()), &mut |e| out.handle(e));
        });
    }
}

// ----- comparing outputs ---------------------------------------------------------------------------

/// A sent frame as a JSON value with named fields (V2 array, V1 object and binary push alike).
fn normalize_sent(line: &mut serde_json::Map<String, Value>) {
    if let Some(Value::String(text)) = line.get("send") {
        let frame = match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(a)) if a.len() == 5 => serde_json::json!({
                "join_ref": a[0], "ref": a[1], "topic": a[2], "event": a[3], "payload": a[4]
            }),
            Ok(Value::Object(o)) => serde_json::json!({
                "join_ref": o.get("join_ref").cloned().unwrap_or(Value::Null),
                "ref": o.get("ref").cloned().unwrap_or(Value::Null),
                "topic": o.get("topic").cloned().unwrap_or(Value::Null),
                "event": o.get("event").cloned().unwrap_or(Value::Null),
                "payload": o.get("payload").cloned().unwrap_or(Value::Null),
            }),
            _ => Value::String(text.clone()),
        };
        line.insert("send".into(), frame);
    }
    if let Some(Value::String(b64)) = line.get("send_binary_base64") {
        let frame = base64_decode(b64)
            .and_then(|bytes| {
                let f = phx_codec::binary::decode_from_client(&bytes).ok()?;
                let Payload::Binary(payload) = f.payload() else {
                    return None;
                };
                let mut p = String::new();
                base64_encode(&mut p, payload);
                Some(serde_json::json!({
                    "join_ref": f.join_ref().map(|s| s.to_cow().into_owned()),
                    "ref": f.reference().map(|s| s.to_cow().into_owned()),
                    "topic": f.topic().to_cow(),
                    "event": f.event().to_cow(),
                    "payload_base64": p,
                }))
            })
            .unwrap_or_else(|| Value::String(b64.clone()));
        line.remove("send_binary_base64");
        line.insert("send_binary".into(), frame);
    }
}

fn frame_of(line: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    let obj = line.as_object_mut()?;
    let key = if obj.contains_key("send") {
        "send"
    } else {
        "send_binary"
    };
    obj.get_mut(key)?.as_object_mut()
}

fn masked(line: &Value) -> String {
    let mut copy = line.clone();
    if let Some(frame) = frame_of(&mut copy) {
        for key in ["join_ref", "ref"] {
            if let Some(v) = frame.get_mut(key)
                && !v.is_null()
            {
                *v = Value::String("?".into());
            }
        }
    }
    copy.to_string()
}

/// Output lines grouped by `t`, each group in a canonical order, with refs renamed by order of
/// first appearance.
fn canonical(output: &str) -> Result<Vec<(u64, Vec<String>)>, String> {
    let mut groups: Vec<(u64, Vec<Value>)> = Vec::new();
    for (n, line) in output.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut v: Value =
            serde_json::from_str(line).map_err(|e| format!("output line {}: {e}", n + 1))?;
        let t = v
            .get("t")
            .and_then(Value::as_u64)
            .ok_or(format!("output line {}: no t", n + 1))?;
        if let Some(obj) = v.as_object_mut() {
            normalize_sent(obj);
        }
        match groups.last_mut() {
            Some((last, lines)) if *last == t => lines.push(v),
            _ => groups.push((t, vec![v])),
        }
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let mut result = Vec::new();
    for (t, mut lines) in groups {
        lines.sort_by_cached_key(masked);
        let mut renamed = Vec::new();
        for mut line in lines {
            if let Some(frame) = frame_of(&mut line) {
                for key in ["join_ref", "ref"] {
                    if let Some(Value::String(r)) = frame.get(key).cloned() {
                        let next = format!("r{}", names.len() + 1);
                        let name = names.entry(r).or_insert(next).clone();
                        frame.insert(key.into(), Value::String(name));
                    }
                }
            }
            renamed.push(line.to_string());
        }
        renamed.sort();
        result.push((t, renamed));
    }
    Ok(result)
}

/// Compares two outputs as the differential test does: lines of the same `t` as a set, sent
/// frames as JSON values (V1's absent `join_ref` as null, binary pushes by header fields and
/// payload), refs renamed by order of first appearance. `Err` holds a readable diff.
pub fn compare(left_name: &str, left: &str, right_name: &str, right: &str) -> Result<(), String> {
    let a = canonical(left).map_err(|e| format!("{left_name}: {e}"))?;
    let b = canonical(right).map_err(|e| format!("{right_name}: {e}"))?;
    if a == b {
        return Ok(());
    }
    let mut diff = String::new();
    let mut times: Vec<u64> = a.iter().chain(b.iter()).map(|(t, _)| *t).collect();
    times.sort_unstable();
    times.dedup();
    let empty = Vec::new();
    for t in times {
        let la = a.iter().find(|(x, _)| *x == t).map_or(&empty, |(_, l)| l);
        let lb = b.iter().find(|(x, _)| *x == t).map_or(&empty, |(_, l)| l);
        if la == lb {
            continue;
        }
        let _ = writeln!(diff, "t={t}:");
        for l in la.iter().filter(|l| !lb.contains(l)) {
            let _ = writeln!(diff, "  only in {left_name}: {l}");
        }
        for l in lb.iter().filter(|l| !la.contains(l)) {
            let _ = writeln!(diff, "  only in {right_name}: {l}");
        }
        if la.iter().all(|l| lb.contains(l)) && lb.iter().all(|l| la.contains(l)) {
            let _ = writeln!(diff, "  (same lines, refs renamed differently)");
        }
    }
    Err(diff)
}

// ----- random scripts ------------------------------------------------------------------------------

/// A random but valid script, reproducible from `seed`: connects, disconnects, transport
/// opens and closes, joins, pushes (JSON and binary), leaves, replies (to joins, pushes,
/// leaves and heartbeats), server messages with current, stale and null join_refs, and ticks,
/// at times from 0 to 12 s apart, sometimes with a config line (V1, short heartbeat and
/// timeouts, backoff tables). The differential test runs a fixed set through both clients.
pub fn random_script(seed: u64) -> String {
    const TOPICS: [&str; 3] = ["room:1", "room:2", "room:3"];
    const STEPS: [u64; 11] = [0, 0, 1, 3, 10, 50, 200, 700, 1500, 5000, 12000];
    let mut state = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut next = move |n: u64| -> u64 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n.max(1)
    };
    let mut out = String::new();
    let mut v1 = false;
    if next(10) < 3 {
        let mut config = serde_json::json!({"t": 0, "op": "config"});
        if next(10) < 3 {
            config["vsn"] = "1.0.0".into();
            v1 = true;
        }
        if next(2) == 0 {
            config["heartbeat_interval_ms"] =
                [500, 1000, 3000][usize::try_from(next(3)).unwrap_or(0)].into();
        }
        if next(2) == 0 {
            config["timeout_ms"] = [300, 700, 2000][usize::try_from(next(3)).unwrap_or(0)].into();
        }
        if next(10) < 3 {
            config["reconnect_after_ms"] = (0..=next(3))
                .map(|_| next(50) + 1)
                .collect::<Vec<_>>()
                .into();
        }
        if next(10) < 3 {
            config["rejoin_after_ms"] = (0..=next(3))
                .map(|_| next(400) + 1)
                .collect::<Vec<_>>()
                .into();
        }
        let _ = writeln!(out, "{config}");
    }
    let mut joined: Vec<&str> = Vec::new();
    let mut t = 0;
    for _ in 0..5 + next(56) {
        t += STEPS[usize::try_from(next(11)).unwrap_or(0)];
        let pick =
            |r: u64, from: &[&'static str]| from[usize::try_from(r).unwrap_or(0) % from.len()];
        let k = next(100);
        let line = if k < 8 {
            serde_json::json!({"op": "connect"})
        } else if k < 11 {
            serde_json::json!({"op": "disconnect"})
        } else if k < 22 {
            serde_json::json!({"op": "opened"})
        } else if k < 28 {
            serde_json::json!({"op": "closed", "code": pick(next(3), &["1000", "1006", "1011"]).parse::<u16>().unwrap_or(1006)})
        } else if k < 38 || joined.is_empty() {
            let topic = pick(next(3), &TOPICS);
            if !joined.contains(&topic) {
                joined.push(topic);
            }
            serde_json::json!({"op": "join", "topic": topic, "params": {"n": next(10)}})
        } else if k < 50 {
            let mut push = serde_json::json!({"op": "push", "topic": pick(next(9), &joined),
                "event": pick(next(3), &["a", "b", "shout"]), "payload": {"x": next(10)}});
            if next(2) == 0 {
                push["timeout_ms"] = [100, 500, 3000][usize::try_from(next(3)).unwrap_or(0)].into();
            }
            if !v1 && next(100) < 15 {
                push.as_object_mut().map(|o| o.remove("payload"));
                push["binary_base64"] = "AAEC".into();
            }
            push
        } else if k < 55 {
            serde_json::json!({"op": "leave", "topic": pick(next(9), &joined)})
        } else if k < 78 {
            let mut topics = joined.clone();
            topics.push("phoenix");
            let topic = pick(next(9), &topics);
            let event = if topic == "phoenix" {
                "heartbeat"
            } else {
                pick(
                    next(6),
                    &["phx_join", "phx_join", "a", "b", "shout", "phx_leave"],
                )
            };
            serde_json::json!({"op": "reply", "topic": topic, "event": event,
                "status": pick(next(3), &["ok", "ok", "error"]), "response": {}})
        } else if k < 90 {
            let join_ref = match next(3) {
                0 => Value::from("current"),
                1 => Value::from("stale"),
                _ => Value::Null,
            };
            serde_json::json!({"op": "server", "topic": pick(next(9), &joined),
                "event": pick(next(4), &["msg", "phx_error", "phx_close", "msg"]),
                "payload": {}, "join_ref": join_ref})
        } else {
            serde_json::json!({"op": "tick"})
        };
        let mut line = line;
        line["t"] = t.into();
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The session scripts checked in under `tests/data/session/` (`*.ndjson`), sorted by name:
/// what the replay and differential tests run.
///
/// # Errors
/// When the directory or one of its entries cannot be read.
pub fn script_files() -> std::io::Result<Vec<std::path::PathBuf>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/session");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "ndjson") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
