//! Sans-IO Phoenix socket sessions.

mod fixed;
pub mod server;
