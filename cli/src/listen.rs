//! `phx listen`: join channels on a live Phoenix endpoint and print what they receive, in
//! `decode`'s record format.
//!
//! Built on the tokio client of `phx-codec-std` (feature `client`), which keeps heartbeats
//! going, reconnects with backoff and rejoins, as phoenix.js does. Standard output gets one
//! `decode` record per message a joined channel receives (broadcasts, presence, pushes from
//! the server: everything but the `phx_` control events, which the client keeps to itself),
//! numbered from 1 in arrival order; standard error gets the outcome of each join.
//!
//! Exit status: 0 when stopped by `--count`, `--timeout-ms` (without `--count`), Ctrl-C or a
//! closed standard output; 1 when a join is refused or `--timeout-ms` ends the run before
//! `--count` records; 2 for usage errors.

use std::io::{self, Write};
use std::time::Duration;

use clap::Args;
use phx_codec::session::client::Options;
use phx_codec::{Vsn, WireFormat};
use phx_codec_std::SharedFrame;
use phx_codec_std::client::{ClientError, Reply, Socket};
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::commands::{Outcome, RecordWriter};
use crate::filter::Filter;
use crate::output::Output;

/// The most channels one socket of the client holds.
const MAX_JOINS: usize = 16;

/// How many received messages may wait for the writer (per channel, and in total).
const QUEUE: usize = 1024;

/// `phx listen`'s arguments.
#[derive(Args, Debug)]
pub(crate) struct ListenArgs {
    /// The endpoint: `ws://HOST:PORT/socket`, with or without the transport's `/websocket`;
    /// a query adds connect params (`?user_id=1`) and may choose the serializer
    /// (`vsn=2.0.0`, the default, or `vsn=1.0.0`)
    #[arg(value_name = "URL", value_parser = Endpoint::parse)]
    url: Endpoint,
    /// A topic to join (repeat for several, up to 16)
    #[arg(long = "join", value_name = "TOPIC", required = true)]
    joins: Vec<String>,
    /// A join param, as a JSON string, sent with every join (repeat for several)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
    /// Push EVENT with the JSON payload on the first `--join` topic once it is joined
    /// (repeat for several, sent in order; replies are not shown)
    #[arg(long = "push", value_name = "EVENT=JSON", value_parser = Push::parse)]
    pushes: Vec<Push>,
    /// Stop after writing N records (exit status 0)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
    /// Stop after MS milliseconds (exit status 1 if --count records were not written by then)
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,
    #[command(flatten)]
    filter: Filter,
}

/// Where to connect: the endpoint path for the client (without `/websocket` and query), the
/// serializer and the connect params.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    base: String,
    vsn: Vsn,
    params: Vec<(String, String)>,
}

impl Endpoint {
    /// Parses `ws://HOST[:PORT]/PATH[/websocket][?QUERY]`.
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("wss://") {
            return Err("wss:// needs TLS, which this build of phx does not include".into());
        }
        let Some(rest) = url.strip_prefix("ws://") else {
            return Err("expected a ws:// URL, e.g. ws://127.0.0.1:4000/socket".into());
        };
        let (location, query) = match rest.split_once('?') {
            Some((location, query)) => (location, Some(query)),
            None => (rest, None),
        };
        if location.is_empty() || location.starts_with('/') {
            return Err("the URL has no host".into());
        }
        if location.contains('#') {
            return Err("a URL fragment (#...) has no meaning here".into());
        }
        let location = location.trim_end_matches('/');
        let location = location.strip_suffix("/websocket").unwrap_or(location);
        let mut vsn = Vsn::V2;
        let mut params = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key)?;
            let value = percent_decode(value)?;
            if key == "vsn" {
                vsn = Vsn::from_query(Some(&value)).ok_or_else(|| {
                    format!("vsn={value} is not a serializer phx speaks (2.0.0 or 1.0.0)")
                })?;
            } else {
                params.push((key, value));
            }
        }
        Ok(Self {
            base: format!("ws://{location}"),
            vsn,
            params,
        })
    }
}

/// Decodes `%XX` escapes and `+` (a space, in a query) into UTF-8 text.
fn percent_decode(text: &str) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = rest
                    .get(..2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad %-escape in the query: {text}"))?;
                bytes.push(hex);
                rest = rest.get(2..).unwrap_or(&[]);
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| format!("the query is not UTF-8 once decoded: {text}"))
}

/// `KEY=VALUE`.
fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("expected KEY=VALUE, e.g. customer_id=cus_1".into()),
    }
}

/// One `--push EVENT=JSON`.
#[derive(Clone, Debug)]
pub(crate) struct Push {
    event: String,
    payload: Box<RawValue>,
}

impl Push {
    /// Parses `EVENT=JSON`: the event is what comes before the first `=`.
    fn parse(text: &str) -> Result<Self, String> {
        let Some((event, json)) = text.split_once('=') else {
            return Err(r#"expected EVENT=JSON, e.g. shout={"body":"hi"}"#.into());
        };
        if event.is_empty() {
            return Err("the event name is empty".into());
        }
        if event.starts_with("phx_") {
            return Err(format!(
                "{event}: events starting with phx_ are the protocol's own"
            ));
        }
        let payload = RawValue::from_string(json.to_owned())
            .map_err(|e| format!("the payload of {event} is not JSON: {e}"))?;
        Ok(Self {
            event: event.to_owned(),
            payload,
        })
    }
}

/// What the channel tasks report to the writer.
enum Heard {
    Joined(String, Result<Reply, ClientError>),
    Pushed(String, String, Result<(), ClientError>),
    Message(Box<SharedFrame>),
}

/// Why the run stopped.
enum Stop {
    Count,
    Timeout,
    Interrupted,
    Refused,
    SocketClosed,
}

/// Runs `phx listen` to its end. `Err` is a fatal message (exit status 2).
pub(crate) fn listen(args: &ListenArgs, out: &mut Output) -> Result<io::Result<Outcome>, String> {
    if args.joins.len() > MAX_JOINS {
        return Err(format!(
            "at most {MAX_JOINS} --join topics (the client's socket holds {MAX_JOINS} channels)"
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(run(args, out))
}

async fn run(args: &ListenArgs, out: &mut Output) -> Result<io::Result<Outcome>, String> {
    let endpoint = &args.url;
    let connect_params: Vec<(&str, &str)> = endpoint
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let options = Options {
        vsn: endpoint.vsn,
        ..Options::DEFAULT
    };
    let socket = Socket::connect_with(&endpoint.base, &connect_params, options, QUEUE)
        .await
        .map_err(|e| e.to_string())?;
    let join_params: serde_json::Map<String, serde_json::Value> = args
        .params
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let (tx, mut heard) = mpsc::channel(QUEUE);
    for (i, topic) in args.joins.iter().enumerate() {
        let channel = socket
            .channel(topic, &join_params)
            .map_err(|e| e.to_string())?;
        let pushes = if i == 0 {
            args.pushes.clone()
        } else {
            Vec::new()
        };
        tokio::spawn(follow(channel, pushes, tx.clone()));
    }
    drop(tx);

    let text_format = match endpoint.vsn {
        Vsn::V1 => WireFormat::V1,
        Vsn::V2 => WireFormat::V2,
    };
    let mut records = RecordWriter::new(&args.filter);
    let mut outcome = Outcome::default();
    let deadline = args
        .timeout_ms
        .and_then(|ms| tokio::time::Instant::now().checked_add(Duration::from_millis(ms)));
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let reader_gone = stdout_closed();
    tokio::pin!(reader_gone);
    let stop = loop {
        if args.count.is_some_and(|n| outcome.frames >= n) {
            break Stop::Count;
        }
        tokio::select! {
            got = heard.recv() => match got {
                None => break Stop::SocketClosed,
                Some(Heard::Joined(topic, reply)) => {
                    if !report_join(&topic, &reply) {
                        break Stop::Refused;
                    }
                }
                Some(Heard::Pushed(topic, event, result)) => {
                    if let Err(e) = result {
                        let _ = writeln!(io::stderr(), "phx: push {event} on {topic}: {e}");
                        outcome.failures += 1;
                    }
                }
                Some(Heard::Message(frame)) => {
                    outcome.lines += 1;
                    let format = if frame.is_text() { text_format } else { WireFormat::Binary };
                    let written = records
                        .frame(out, outcome.lines, format, &frame.frame())
                        .and_then(|written| out.flush().map(|()| written));
                    match written {
                        Ok(true) => outcome.frames += 1,
                        Ok(false) => {}
                        Err(e) => return Ok(Err(e)),
                    }
                }
            },
            () = sleep_until(deadline) => break Stop::Timeout,
            // (a handler that cannot be installed disables this branch)
            Ok(()) = &mut interrupted => break Stop::Interrupted,
            () = &mut reader_gone => break Stop::Interrupted,
        }
    };
    match stop {
        Stop::Timeout => {
            if let Some(n) = args.count {
                let _ = writeln!(
                    io::stderr(),
                    "phx: --timeout-ms reached after {} of {n} records",
                    outcome.frames
                );
                outcome.failures += 1;
            }
        }
        Stop::Refused => outcome.failures += 1,
        Stop::SocketClosed => {
            let _ = writeln!(io::stderr(), "phx: the socket stopped");
            outcome.failures += 1;
        }
        Stop::Count | Stop::Interrupted => {}
    }
    // A polite close (1000); a socket that cannot even do that is left to the process exit.
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.disconnect()).await;
    Ok(out.flush().map(|()| outcome))
}

/// Writes a join's outcome on standard error; false when the server refused it.
fn report_join(topic: &str, reply: &Result<Reply, ClientError>) -> bool {
    let mut err = io::stderr();
    match reply {
        Ok(reply) if reply.is_ok() => {
            let _ = writeln!(err, "phx: joined {topic}: ok {}", reply.response);
            true
        }
        Ok(reply) if reply.status == "timeout" => {
            let _ = writeln!(
                err,
                "phx: join {topic}: no reply yet (timeout); still trying, with backoff"
            );
            true
        }
        Ok(reply) => {
            let _ = writeln!(
                err,
                "phx: join {topic} refused: {} {}",
                reply.status, reply.response
            );
            false
        }
        Err(e) => {
            let _ = writeln!(err, "phx: join {topic}: {e}");
            false
        }
    }
}

/// One channel's task: join, push, then pass every message on.
async fn follow(
    mut channel: phx_codec_std::client::Channel,
    pushes: Vec<Push>,
    heard: mpsc::Sender<Heard>,
) {
    let topic = channel.topic().to_owned();
    let joined = channel.join().await;
    let refused = !matches!(&joined, Ok(reply) if reply.is_ok() || reply.status == "timeout");
    if heard
        .send(Heard::Joined(topic.clone(), joined))
        .await
        .is_err()
        || refused
    {
        return;
    }
    // Taken now, sent right after the join's ok reply (after a rejoin when it timed out).
    for push in pushes {
        let result = channel.push_and_forget(&push.event, &push.payload).await;
        if heard
            .send(Heard::Pushed(topic.clone(), push.event, result))
            .await
            .is_err()
        {
            return;
        }
    }
    while let Some(frame) = channel.recv().await {
        if heard.send(Heard::Message(Box::new(frame))).await.is_err() {
            return;
        }
    }
}

/// Resolves when standard output is a pipe whose reader has gone (`phx listen | head -1`), so
/// that a quiet channel does not keep `phx` waiting for a write to find out; never elsewhere
/// (files, terminals, other platforms).
async fn stdout_closed() {
    #[cfg(unix)]
    {
        use tokio::io::Interest;
        use tokio::io::unix::AsyncFd;
        // epoll reports a pipe's closed read end as an error on the write end.
        #[allow(
            deprecated,
            reason = "with_interest is deprecated because the fd could be closed while \
                      registered; standard output lives as long as the process and phx never \
                      closes it (the replacement is an unsafe fn, and this crate denies unsafe)"
        )]
        let registered = AsyncFd::with_interest(io::stdout(), Interest::ERROR);
        if let Ok(fd) = registered
            && fd.ready(Interest::ERROR).await.is_ok()
        {
            return;
        }
    }
    std::future::pending::<()>().await;
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str) -> Endpoint {
        Endpoint::parse(url).unwrap()
    }

    #[test]
    fn the_transport_suffix_and_the_query_are_taken_apart() {
        let plain = endpoint("ws://127.0.0.1:4000/socket");
        assert_eq!(plain.base, "ws://127.0.0.1:4000/socket");
        assert_eq!(plain.vsn, Vsn::V2);
        assert!(plain.params.is_empty());
        assert_eq!(endpoint("ws://127.0.0.1:4000/socket/websocket"), plain);
        assert_eq!(endpoint("ws://127.0.0.1:4000/socket/websocket/"), plain);
        assert_eq!(endpoint("ws://127.0.0.1:4000/socket/"), plain);
        assert_eq!(endpoint("ws://127.0.0.1:4000/socket?vsn=2.0.0"), plain);

        let v1 = endpoint("ws://h/socket/websocket?vsn=1.0.0&user_id=1&token=a%20b+c");
        assert_eq!(v1.base, "ws://h/socket");
        assert_eq!(v1.vsn, Vsn::V1);
        assert_eq!(
            v1.params,
            [
                ("user_id".to_owned(), "1".to_owned()),
                ("token".to_owned(), "a b c".to_owned())
            ]
        );
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for (url, why) in [
            ("http://h/socket", "ws://"),
            ("wss://h/socket", "TLS"),
            ("ws:///socket", "no host"),
            ("ws://h/socket?vsn=3.0.0", "vsn=3.0.0"),
            ("ws://h/socket?vsn=2.1.0", "vsn=2.1.0"),
            ("ws://h/socket?token=%zz", "%-escape"),
            ("ws://h/socket?token=%ff", "UTF-8"),
        ] {
            let e = Endpoint::parse(url).unwrap_err();
            assert!(e.contains(why), "{url}: {e}");
        }
    }

    #[test]
    fn pushes_and_params_are_checked() {
        let push = Push::parse(r#"shout={"body": "a=b"}"#).unwrap();
        assert_eq!(push.event, "shout");
        assert_eq!(push.payload.get(), r#"{"body": "a=b"}"#, "the text is kept");
        assert!(Push::parse("shout").unwrap_err().contains("EVENT=JSON"));
        assert!(Push::parse("={}").unwrap_err().contains("empty"));
        assert!(Push::parse("shout={").unwrap_err().contains("not JSON"));
        assert!(Push::parse("phx_leave={}").unwrap_err().contains("phx_"));
        assert_eq!(
            parse_param("customer_id=a=b").unwrap(),
            ("customer_id".to_owned(), "a=b".to_owned())
        );
        assert!(parse_param("=x").is_err());
        assert!(parse_param("x").is_err());
    }
}
