//! cargo-fuzz target `roundtrip`: the body is `phx_tests::fuzz::roundtrip`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz::roundtrip(data));
