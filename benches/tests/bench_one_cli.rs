//! `bench_one` follows its interface: one checksum line and exit 0, exit 2 when unsupported.

use std::process::Command;

fn bench_one(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bench_one"))
        .args(args)
        .output()
        .expect("bench_one runs")
}

#[test]
fn a_supported_run_prints_one_checksum_line_and_exits_0() {
    for imp in [
        "phx",
        "phx_std",
        "serde_json_value",
        "serde_json_typed",
        "simd_json",
        "sonic_rs",
    ] {
        for op in ["decode", "typed", "encode", "forward"] {
            let out = bench_one(&["--impl", imp, "--case", "shout", "--op", op, "--iters", "3"]);
            assert_eq!(out.status.code(), Some(0), "{imp} {op}");
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert_eq!(stdout.lines().count(), 1);
            assert!(stdout.starts_with("checksum "), "{stdout}");
            assert!(out.stderr.is_empty());
        }
    }
}

#[test]
fn the_checksum_is_the_same_for_every_implementation() {
    let sum = |imp: &str| {
        let out = bench_one(&[
            "--impl", imp, "--case", "join", "--op", "typed", "--iters", "5",
        ]);
        String::from_utf8(out.stdout)
            .unwrap()
            .split(' ')
            .next_back()
            .unwrap()
            .to_owned()
    };
    assert_eq!(sum("phx"), sum("serde_json_value"));
    assert_eq!(sum("phx"), sum("simd_json"));
    assert_eq!(sum("phx"), sum("sonic_rs"));
    assert_eq!(sum("phx"), sum("serde_json_typed"));
}

#[test]
fn an_unsupported_combination_exits_2_with_a_message() {
    let out = bench_one(&[
        "--impl",
        "serde_json_value",
        "--case",
        "binary_push",
        "--op",
        "decode",
        "--iters",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("unsupported")
    );
}

#[test]
fn bad_arguments_exit_64_with_the_usage() {
    for args in [
        &["--impl", "phx"][..],
        &[
            "--impl", "nope", "--case", "shout", "--op", "decode", "--iters", "1",
        ],
        &[
            "--impl", "phx", "--case", "shout", "--op", "decode", "--iters", "x",
        ],
        &[
            "--impl", "phx", "--case", "nope", "--op", "decode", "--iters", "1",
        ],
        &[
            "--impl", "phx", "--case", "shout", "--op", "decode", "--iters",
        ],
    ] {
        let out = bench_one(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        assert!(
            String::from_utf8(out.stderr)
                .unwrap()
                .contains("usage: bench_one")
        );
    }
}
