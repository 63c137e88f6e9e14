//! Sans-IO protocol sessions: state machines that own refs, joins, pushes, heartbeats and
//! timers, do no I/O, read no clock and allocate nothing.
//!
//! - [`client`]: a channel client that behaves like the `phoenix` npm client 1.8.16
//!   (`Socket`, `Channel`, `Push`, `Timer`).
//! - [`server`]: one connection as a Phoenix socket serves it (`Phoenix.Socket`): heartbeats,
//!   joins, leaves, `unmatched topic`, the idle timeout, `vsn` negotiation and close codes.
//!
//! The shape is quinn-proto's: the caller feeds in what happened (`handle_*` with the current
//! time in milliseconds) and polls for what to do (frames to send, transport actions, the next
//! deadline). See [`client::ClientSession`] for a complete example.

pub mod client;
mod fixed;
pub mod server;
