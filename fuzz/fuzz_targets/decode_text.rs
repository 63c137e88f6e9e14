//! cargo-fuzz target `decode_text`: the body is `phx_tests::fuzz::decode_text`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz::decode_text(data));
