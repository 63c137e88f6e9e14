//! Support code for the phx-codec test suite: the fuzz target bodies, shared by cargo-fuzz
//! (`fuzz/`) and by `cargo test` over the checked-in corpus (`tests/fuzz_corpus.rs`).

pub mod fuzz;

/// The README's Rust examples, compiled and run by `cargo test --doc -p phx-tests`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
pub mod fuzz_session;
pub mod session_script;
