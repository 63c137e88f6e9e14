//! cargo-fuzz target `session_client`: the body is `phx_tests::fuzz_session::session_client`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| phx_tests::fuzz_session::session_client(data));
