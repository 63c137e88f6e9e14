//! Using `phx-codec-std` with `tokio-tungstenite`: one line per direction.
//!
//! A tiny Phoenix-style server (answers `phx_join` and `heartbeat`, broadcasts `shout`s) and a
//! client that joins, sends a heartbeat and a shout, and prints what comes back.
//!
//! ```text
//! cargo run -p phx-codec-std --features tungstenite --example tokio_tungstenite
//! ```

use futures_util::{SinkExt, StreamExt};
use phx_codec::{Decoder, Direction, Vsn};
use phx_codec_std::{OwnedFrame, OwnedPayload, SharedFrame};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves one connection: frames in, replies and broadcasts out.
async fn serve(listener: TcpListener) -> Result<(), BoxError> {
    let (tcp, _) = listener.accept().await?;
    let mut ws = tokio_tungstenite::accept_async(tcp).await?;
    let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
    while let Some(message) = ws.next().await {
        // In: a WebSocket message becomes a frame (None for ping, pong and close).
        let Some(frame) = SharedFrame::from_message(message?, &decoder)? else {
            continue;
        };
        let request = frame.frame();
        let reply = OwnedFrame::reply_to(&request, "ok", &json!({}))?;
        // Out: a frame becomes a WebSocket message.
        ws.send(reply.to_message(Vsn::V2, Direction::FromServer)?)
            .await?;

        if frame.event() == "shout" {
            // Encode a broadcast once; every subscriber gets a clone of the same buffer.
            let shout =
                OwnedFrame::new(request.topic().to_cow(), "shout", request.payload().into());
            let broadcast = SharedFrame::encode(
                &shout.as_frame()?,
                phx_codec::WireFormat::V2,
                Direction::FromServer,
            )?;
            ws.send(broadcast.to_message()).await?;
        }
    }
    Ok(())
}

/// Joins, heartbeats, shouts, and returns what the server sent.
async fn client(url: String) -> Result<Vec<SharedFrame>, BoxError> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let decoder = Decoder::new(Vsn::V2, Direction::FromServer);
    let pushes = [
        OwnedFrame::new(
            "conversation:42",
            "phx_join",
            OwnedPayload::json(&json!({}))?,
        )
        .with_join_ref("1")
        .with_ref("1"),
        OwnedFrame::new("phoenix", "heartbeat", OwnedPayload::json(&json!({}))?).with_ref("2"),
        OwnedFrame::new(
            "conversation:42",
            "shout",
            OwnedPayload::json(&json!({"body": "hi"}))?,
        )
        .with_join_ref("1")
        .with_ref("3"),
    ];
    for push in &pushes {
        ws.send(push.to_message(Vsn::V2, Direction::FromClient)?)
            .await?;
    }
    let mut received = Vec::new();
    while received.len() < 4 {
        let Some(message) = ws.next().await else {
            break;
        };
        if let Some(frame) = SharedFrame::from_message(message?, &decoder)? {
            received.push(frame);
        }
    }
    ws.send(Message::Close(None)).await?;
    Ok(received)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/socket/websocket?vsn=2.0.0", listener.local_addr()?);
    let server = tokio::spawn(serve(listener));
    let received = client(url).await?;
    for frame in &received {
        println!("{frame:?}");
    }
    let events: Vec<String> = received.iter().map(|f| f.event().to_string()).collect();
    assert_eq!(events, ["phx_reply", "phx_reply", "phx_reply", "shout"]);
    assert_eq!(received[3].payload_value()?["body"], "hi");
    server.await??;
    Ok(())
}
