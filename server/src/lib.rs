//! A Papercups-compatible realtime server on phx-codec: a sans-IO [`hub`] (every connection's
//! core [`ServerSession`](phx_codec::session::server::ServerSession), topics, presence,
//! formatted chat messages) and a thin network layer on axum ([`net`]) with per-socket
//! outbound queues bounded in bytes ([`queue`]).
//!
//! Run it with `cargo run --release -p phx-papercups-server -- --port 4000`.

pub mod chat;
pub mod hub;
pub mod net;
pub mod queue;
pub mod roster;
