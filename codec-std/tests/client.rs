//! The tokio client (feature `client`) against a scripted tokio-tungstenite server on
//! 127.0.0.1: join, push and reply, a broadcast, a push answered by nobody, the slow-consumer
//! policy; the server drops the first connection and the client reconnects and rejoins on its
//! own.
#![cfg(feature = "client")]
// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use phx_codec::session::client::{Backoff, ChannelState, Options};
use phx_codec_std::client::{ClientError, Socket};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// Serves one connection: replies ok to joins (counting them) and to `ping` (echo), broadcasts
/// `hello` after the join; with `drop_after_join`, closes the TCP stream after the join.
async fn serve_one(listener: &TcpListener, drop_after_join: bool) -> Vec<String> {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
    let mut seen = Vec::new();
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let frame: Vec<Value> = serde_json::from_str(text.as_str()).unwrap();
        let (join_ref, reference, topic, event) = (&frame[0], &frame[1], &frame[2], &frame[3]);
        let event = event.as_str().unwrap().to_owned();
        seen.push(event.clone());
        let reply = |response: &Value| json!([join_ref, reference, topic, "phx_reply", {"status": "ok", "response": response}]);
        match event.as_str() {
            "phx_join" => {
                ws.send(Message::Text(reply(&json!({})).to_string().into()))
                    .await
                    .unwrap();
                if drop_after_join {
                    return seen;
                }
                let hello = json!([null, null, topic, "hello", {"n": 1}]);
                ws.send(Message::Text(hello.to_string().into()))
                    .await
                    .unwrap();
            }
            "flood" => {
                // three broadcasts, then the reply: when the reply arrives, all three were read
                for n in 0..3 {
                    let message = json!([null, null, topic, "flood", {"n": n}]);
                    ws.send(Message::Text(message.to_string().into()))
                        .await
                        .unwrap();
                }
                ws.send(Message::Text(reply(&json!({})).to_string().into()))
                    .await
                    .unwrap();
            }
            "ping" => {
                let payload = frame[4].clone();
                ws.send(Message::Text(reply(&payload).to_string().into()))
                    .await
                    .unwrap();
            }
            _ => {}
        }
    }
    seen
}

#[tokio::test]
async fn joins_pushes_receives_and_rejoins_after_a_reconnect() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/socket", listener.local_addr().unwrap());
    let options = Options {
        // long enough that a busy machine never times out a push the server answers
        timeout_ms: 1500,
        reconnect_after_ms: Backoff {
            steps: &[20],
            then: 20,
        },
        ..Options::DEFAULT
    };
    // a queue of 2 messages per channel
    let socket = Socket::connect_with(&url, &[("token", "a b")], options, 2)
        .await
        .unwrap();
    let mut room = socket.channel("room:1", &json!({"name": "ann"})).unwrap();
    assert!(matches!(
        room.push("x", &json!({})).await,
        Err(ClientError::NotJoined)
    ));

    let server = async {
        let first = serve_one(&listener, true).await;
        let second = serve_one(&listener, false).await;
        (first, second)
    };
    let client = async {
        let joined = room.join().await.unwrap();
        assert!(joined.is_ok(), "{joined:?}");
        assert!(matches!(room.join().await, Err(ClientError::AlreadyJoined)));
        // the server dropped the connection: the client reconnects and rejoins
        let hello = tokio::time::timeout(Duration::from_secs(10), room.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hello.event(), "hello");
        assert_eq!(room.state(), Some(ChannelState::Joined));
        let reply = room.push("ping", &json!({"n": 7})).await.unwrap();
        assert_eq!(
            (reply.status.as_str(), reply.response.clone()),
            ("ok", json!({"n": 7}))
        );
        let unanswered = room.push("shout", &json!({})).await.unwrap();
        assert_eq!(unanswered.status, "timeout");
        assert_eq!(room.dropped(), 0);
        // slow consumer: 3 messages into a queue of 2 keep the oldest and drop the newest
        assert!(room.push("flood", &json!({})).await.unwrap().is_ok());
        assert_eq!(room.dropped(), 1);
        let first = room.recv().await.unwrap();
        let second = room.recv().await.unwrap();
        assert_eq!(first.payload_value().unwrap(), json!({"n": 0}));
        assert_eq!(second.payload_value().unwrap(), json!({"n": 1}));
        room.leave().await.unwrap();
        socket.disconnect().await.unwrap();
    };
    let ((first, second), ()) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(server, client)
    })
    .await
    .unwrap();
    assert_eq!(first, ["phx_join"]);
    assert_eq!(second, ["phx_join", "ping", "shout", "flood", "phx_leave"]);
}
