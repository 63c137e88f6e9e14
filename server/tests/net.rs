//! The network layer over real loopback sockets: TCP_NODELAY, vsn negotiation, close codes,
//! and backpressure that never drops a reader.
#![allow(clippy::unwrap_used)] // test helpers panic by design

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use phx_papercups_server::hub::Hub;
use phx_papercups_server::net::{self, Config};
use phx_papercups_server::roster::Roster;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A generous bound for anything that should happen at once.
const SOON: Duration = Duration::from_secs(20);

async fn start(config: Config) -> u16 {
    let (listener, addr) = net::bind(0).await.unwrap();
    tokio::spawn(net::serve(
        listener,
        Hub::new("acc".into(), Roster::demo()),
        config,
    ));
    addr.port()
}

async fn connect(port: u16, query: &str) -> Ws {
    let url = format!("ws://127.0.0.1:{port}/socket/websocket?{query}");
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn next_text(ws: &mut Ws) -> String {
    loop {
        match tokio::time::timeout(SOON, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return t.as_str().to_owned(),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

/// Reads until the close frame and returns its code.
async fn close_code(ws: &mut Ws) -> Option<CloseCode> {
    loop {
        match tokio::time::timeout(SOON, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return None,
            Err(elapsed) => panic!("no close within {SOON:?}: {elapsed}"),
        }
    }
}

async fn join(ws: &mut Ws, topic: &str) {
    ws.send(Message::text(format!(
        r#"["1","1","{topic}","phx_join",{{}}]"#
    )))
    .await
    .unwrap();
    let reply = next_text(ws).await;
    assert!(reply.contains(r#""status":"ok""#), "{reply}");
}

#[tokio::test]
async fn accepted_sockets_get_tcp_nodelay() {
    // Checked on the socket itself, not by timing frames: a clock-based test is flaky on a
    // busy machine. `serve` passes every accepted socket through `set_accepted_options`.
    let (listener, addr) = net::bind(0).await.unwrap();
    let client = TcpStream::connect(addr).await.unwrap();
    let (accepted, _) = listener.accept().await.unwrap();
    assert!(!accepted.nodelay().unwrap(), "Linux starts with Nagle on");
    net::set_accepted_options(&accepted).unwrap();
    assert!(accepted.nodelay().unwrap());
    drop(client);
}

#[tokio::test]
async fn the_join_reply_and_presence_state_arrive_in_order() {
    let port = start(Config::default()).await;
    let mut ws = connect(port, "vsn=2.0.0").await;
    ws.send(Message::text(
        r#"["1","1","conversation:n","phx_join",{"customer_id":"c"}]"#,
    ))
    .await
    .unwrap();
    let reply = next_text(&mut ws).await;
    let state = next_text(&mut ws).await;
    assert!(reply.contains("phx_reply"), "{reply}");
    assert!(state.contains("presence_state"), "in order: {state}");
}

#[tokio::test]
async fn vsn_is_matched_with_tilde_arrow_and_refused_with_403() {
    let port = start(Config::default()).await;
    for ok in ["vsn=2.0.1", "vsn=1.0.1", "", "vsn=2.0.0"] {
        let mut ws = connect(port, ok).await;
        let heartbeat = if ok.contains("vsn=2") {
            r#"[null,"1","phoenix","heartbeat",{}]"#
        } else {
            r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}"#
        };
        ws.send(Message::text(heartbeat)).await.unwrap();
        assert!(next_text(&mut ws).await.contains("phx_reply"), "{ok}");
    }
    for refused in ["vsn=2.1.0", "vsn=3.0.0", "vsn=garbage"] {
        let url = format!("ws://127.0.0.1:{port}/socket/websocket?{refused}");
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403, "{refused}");
            }
            other => panic!("{refused}: expected HTTP 403, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn rejections_close_with_1007_1009_and_1011() {
    let port = start(Config {
        max_message_bytes: 4096,
        ..Config::default()
    })
    .await;
    let mut ws = connect(port, "vsn=2.0.0").await;
    ws.send(Message::text("[1,")).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(CloseCode::Error));

    let mut ws = connect(port, "vsn=2.0.0").await;
    let big = format!(r#"[null,"1","t","e",{{"b":"{}"}}]"#, "x".repeat(10_000));
    ws.send(Message::text(big)).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(CloseCode::Size));

    // Invalid UTF-8 in a text message needs a raw frame (the client library refuses).
    let mut ws = connect(port, "vsn=2.0.0").await;
    let frame = tokio_tungstenite::tungstenite::protocol::frame::Frame::message(
        b"[\"\xff\"]".to_vec(),
        tokio_tungstenite::tungstenite::protocol::frame::coding::OpCode::Data(
            tokio_tungstenite::tungstenite::protocol::frame::coding::Data::Text,
        ),
        true,
    );
    ws.send(Message::Frame(frame)).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(CloseCode::Invalid));

    // The server still serves everyone else.
    let mut ws = connect(port, "vsn=2.0.0").await;
    join(&mut ws, "conversation:ok").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_reaches_every_reader_in_order_and_only_the_stalled_socket_is_closed() {
    const SHOUTS: usize = 3000;
    let port = start(Config {
        max_queue_bytes: 64 * 1024,
        stall_timeout: Duration::from_secs(3),
        ..Config::default()
    })
    .await;
    let topic = "conversation:burst2";
    let mut readers = Vec::new();
    for _ in 0..3 {
        let mut ws = connect(port, "vsn=2.0.0").await;
        join(&mut ws, topic).await;
        readers.push(ws);
    }
    // A socket that joins and then never reads again.
    let mut sleeper = connect(port, "vsn=2.0.0").await;
    join(&mut sleeper, topic).await;
    let mut shouter = connect(port, "vsn=2.0.0").await;
    join(&mut shouter, topic).await;

    let body = "y".repeat(2000);
    let reading = readers
        .into_iter()
        .map(|mut ws| {
            tokio::spawn(async move {
                let mut seen = 0usize;
                while seen < SHOUTS {
                    let text = next_text(&mut ws).await;
                    if !text.contains(r#""shout""#) {
                        continue;
                    }
                    let want = format!(r#""body":"{seen} "#);
                    assert!(
                        text.contains(&want),
                        "shout {seen} out of order: {}",
                        &text[..120.min(text.len())]
                    );
                    seen += 1;
                }
                ws
            })
        })
        .collect::<Vec<_>>();
    // The shouter reads while it sends, as every real client does: its own broadcasts come
    // back to it, and a socket that sends 6 MB without draining is a stalled one.
    let (mut shout_sink, mut shout_stream) = shouter.split();
    let shouter_reads = tokio::spawn(async move {
        let mut seen = 0;
        while seen < SHOUTS {
            match tokio::time::timeout(SOON, shout_stream.next()).await {
                Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains(r#""shout""#) => seen += 1,
                Ok(Some(Ok(_))) => {}
                other => panic!("shouter: expected a message, got {other:?}"),
            }
        }
        shout_stream
    });
    let shouting = tokio::spawn(async move {
        for i in 0..SHOUTS {
            let push = format!(
                r#"["1","{}","{topic}","shout",{{"body":"{i} {body}"}}]"#,
                i + 2
            );
            shout_sink.send(Message::text(push)).await.unwrap();
        }
        shout_sink
    });
    let mut open = Vec::new();
    for r in reading {
        open.push(r.await.unwrap());
    }
    let shout_sink = shouting.await.unwrap();
    let mut shouter = shout_sink.reunite(shouter_reads.await.unwrap()).unwrap();
    // Everyone who reads is still connected.
    for ws in open.iter_mut().chain(std::iter::once(&mut shouter)) {
        ws.send(Message::text(r#"[null,"hb","phoenix","heartbeat",{}]"#))
            .await
            .unwrap();
        loop {
            let text = next_text(ws).await;
            if text.contains(r#""hb""#) {
                break;
            }
        }
    }
    // The sleeper was closed: reading now drains what was buffered, then the end.
    let ended = tokio::time::timeout(SOON, async {
        while let Some(Ok(_)) = sleeper.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the socket that never read is still open");
}
