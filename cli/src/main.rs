//! The `phx` command-line tool (work in progress).
fn main() {}
