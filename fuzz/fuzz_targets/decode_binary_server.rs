//! cargo-fuzz target `decode_binary_server`: the body is `phx_tests::fuzz::decode_binary_server`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz::decode_binary_server(data));
