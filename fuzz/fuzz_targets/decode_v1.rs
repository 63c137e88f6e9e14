//! cargo-fuzz target `decode_v1`: the body is `phx_tests::fuzz::decode_v1`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz::decode_v1(data));
