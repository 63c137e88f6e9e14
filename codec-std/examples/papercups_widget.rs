//! A Papercups customer widget on the tokio client: join a conversation, shout, receive the
//! broadcast, see who is online. `cargo run -p phx-codec-std --features client --example
//! papercups_widget -- ws://127.0.0.1:4000/socket`
use phx_codec_std::{PresenceTracker, client::Socket};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:4000/socket".into());
    let socket = Socket::connect(&url, &[]).await?;
    let topic = "conversation:9f3c1e2a-5b7d-4c8e-a1f2-3d4e5f6a7b8c";
    let mut chat = socket.channel(topic, &json!({"customer_id": "cus_1"}))?;
    let joined = chat.join().await?;
    assert!(joined.is_ok(), "join refused: {joined:?}");
    let body = "Hi, I need help with my order";
    chat.push_and_forget("shout", &json!({"body": body, "customer_id": "cus_1"}))
        .await?;
    let (mut presence, mut heard) = (PresenceTracker::new(), false);
    while !(heard && presence.is_online("customer:cus_1")) {
        let frame = chat.recv().await.ok_or("socket closed")?;
        if presence.apply(&frame)?.is_none() && frame.event() == "shout" {
            let message: serde_json::Value = frame.deserialize_payload()?;
            println!("shout: {}", message["body"]);
            heard = message["body"] == body;
        }
    }
    println!("online: {:?}", presence.keys().collect::<Vec<_>>());
    chat.leave().await?;
    socket.disconnect().await?;
    Ok(())
}
