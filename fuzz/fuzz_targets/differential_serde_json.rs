//! cargo-fuzz target `differential_serde_json`: the body is `phx_tests::fuzz::differential_serde_json`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz::differential_serde_json(data));
