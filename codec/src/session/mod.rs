//! Sans-IO Phoenix socket sessions.

pub mod server;
