//! The Papercups server binary (work in progress).

fn main() {}
