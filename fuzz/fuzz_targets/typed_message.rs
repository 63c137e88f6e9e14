//! cargo-fuzz target `typed_message`: the body is `phx_tests::fuzz::typed_message`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz::typed_message(data));
