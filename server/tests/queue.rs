//! The byte-bounded outbound queue: order, close frames first, room for waiting producers,
//! memory released on shut.
#![allow(clippy::unwrap_used)] // a test

use std::sync::Arc;
use std::time::Duration;

use phx_papercups_server::hub::Outgoing;
use phx_papercups_server::queue::{Next, OutQueue};

fn text(s: &'static str) -> Outgoing {
    Outgoing::Text(s.into())
}

#[tokio::test]
async fn messages_come_out_in_order_and_room_is_counted_until_sent() {
    let q = OutQueue::new(8);
    assert!(q.push(text("12345")));
    assert!(q.push(text("678")));
    assert!(!q.over_limit(), "8 bytes is within 8");
    assert!(q.push(text("9")));
    assert!(q.over_limit());
    assert_eq!(q.next().await, Some(Next::Message(text("12345"))));
    assert_eq!(q.queued_bytes(), 9, "in flight until sent");
    q.sent(5);
    assert_eq!(q.queued_bytes(), 4);
    assert!(!q.over_limit());
    assert_eq!(q.next().await, Some(Next::Message(text("678"))));
}

#[tokio::test]
async fn a_waiting_producer_wakes_when_the_writer_drains_or_the_queue_is_shut() {
    let q = Arc::new(OutQueue::new(4));
    q.push(text("123456"));
    let waiter = {
        let q = Arc::clone(&q);
        tokio::spawn(async move { q.wait_room().await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiter.is_finished(), "no room yet");
    let Some(Next::Message(m)) = q.next().await else {
        panic!("a message")
    };
    q.sent(m.len());
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap();

    q.push(text("123456"));
    let waiter = {
        let q = Arc::clone(&q);
        tokio::spawn(async move { q.wait_room().await })
    };
    q.shut();
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(q.queued_bytes(), 0, "memory released");
    assert_eq!(q.next().await, None);
}

#[tokio::test]
async fn a_close_jumps_the_queue_and_nothing_is_queued_after_it() {
    let q = OutQueue::new(1 << 20);
    q.push(text("a"));
    q.push(text("b"));
    q.close_with(1008, "not reading");
    assert!(!q.push(text("c")));
    assert_eq!(q.next().await, Some(Next::Close(1008, "not reading")));
    assert_eq!(q.queued_bytes(), 0);
}
