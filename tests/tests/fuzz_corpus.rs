//! Runs every fuzz target body over every file of its checked-in corpus (`fuzz/corpus/<target>/`)
//! on stable Rust, so a crash found by fuzzing stays fixed without libFuzzer.
//!
//! To turn a crash into a regression test, copy the crashing input (`fuzz/artifacts/<target>/
//! crash-…`) into `fuzz/corpus/<target>/`; these tests then fail until it is fixed.
//!
//! The seed part of the corpus is made from the conformance vectors by the ignored test
//! `seed_corpus_is_regenerated_from_the_vectors` (`cargo test -p phx-tests --test fuzz_corpus
//! -- --ignored`), which only adds or overwrites `seed-*` files.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use phx_tests::fuzz::TARGETS;

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = corpus_root().join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus directory {} is missing: {e}", dir.display()))
        .map(|entry| entry.expect("readable corpus entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn run_corpus(target: &str) {
    let (_, body) = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no target named {target}"));
    let files = corpus_files(target);
    assert!(!files.is_empty(), "the corpus of {target} is empty");
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("readable corpus file");
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            failures.push(file.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} of {} corpus inputs fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

macro_rules! corpus_tests {
    ($($test:ident => $target:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_corpus($target);
            }
        )*

        #[test]
        fn every_target_has_a_corpus_test() {
            let tested = [$($target),*];
            for (name, _) in TARGETS {
                assert!(tested.contains(name), "{name} has no corpus test");
            }
        }
    };
}

corpus_tests! {
    decode_text_passes_its_whole_corpus => "decode_text",
    decode_binary_client_passes_its_whole_corpus => "decode_binary_client",
    decode_binary_server_passes_its_whole_corpus => "decode_binary_server",
    decode_v1_passes_its_whole_corpus => "decode_v1",
    typed_message_passes_its_whole_corpus => "typed_message",
    roundtrip_passes_its_whole_corpus => "roundtrip",
    differential_serde_json_passes_its_whole_corpus => "differential_serde_json",
}

/// The session fuzz target (its body is `phx_tests::fuzz_session`, outside `TARGETS`) over its
/// corpus.
#[test]
fn session_client_passes_its_whole_corpus() {
    let files = corpus_files("session_client");
    assert!(!files.is_empty(), "the corpus of session_client is empty");
    let failures: Vec<String> = files
        .iter()
        .filter(|file| {
            let data = std::fs::read(file).expect("readable corpus file");
            catch_unwind(AssertUnwindSafe(|| {
                phx_tests::fuzz_session::session_client(&data);
            }))
            .is_err()
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        failures.is_empty(),
        "session_client fails on:\n{}",
        failures.join("\n")
    );
}

/// Which targets a vector of each format seeds.
fn targets_for(format: &str) -> &'static [&'static str] {
    match format {
        "v2" => &[
            "decode_text",
            "differential_serde_json",
            "typed_message",
            "roundtrip",
        ],
        "v1" => &["decode_v1", "typed_message"],
        "binary" => &[
            "decode_binary_client",
            "decode_binary_server",
            "typed_message",
            "roundtrip",
        ],
        other => panic!("unknown vector format {other}"),
    }
}

fn hex_decode(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd hex length");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}

#[test]
#[ignore = "writes fuzz/corpus/*/seed-* from tests/data; run by hand after the vectors change"]
fn seed_corpus_is_regenerated_from_the_vectors() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut written = 0;
    for file in ["v2.json", "v1.json", "binary.json"] {
        let text = std::fs::read_to_string(data.join(file)).expect("vector file");
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("vector JSON");
        for case in cases {
            let name = case["name"].as_str().expect("case name");
            let format = case["format"].as_str().expect("case format");
            let bytes = match (case["frame"].as_str(), case["frame_hex"].as_str()) {
                (_, Some(hex)) => hex_decode(hex),
                (Some(frame), None) => frame.as_bytes().to_vec(),
                (None, None) => panic!("case {name} has no frame"),
            };
            for target in targets_for(format) {
                let dir = corpus_root().join(target);
                std::fs::create_dir_all(&dir).expect("corpus directory");
                std::fs::write(dir.join(format!("seed-{format}-{name}")), &bytes)
                    .expect("corpus file");
                written += 1;
            }
        }
    }
    assert!(written > 0, "no vectors found");
}
