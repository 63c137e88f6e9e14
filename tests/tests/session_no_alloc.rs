//! Bounded memory: the client session (`ClientSession<16, 64, 4096, 65536>`, fixed capacities)
//! runs every script of `tests/data/session/` without one heap allocation in any session call
//! (handle_*, join/push/leave, polls), event callbacks included (they only write into a
//! pre-reserved `String`). Counting is per thread and only inside the measured calls.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod counting;

use std::path::Path;

use counting::{HeapUse, count};

#[global_allocator]
static ALLOCATOR: counting::CountingAllocator = counting::CountingAllocator;

#[test]
fn the_session_never_allocates_on_any_script() {
    counting::assert_counter_works();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/session");
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 25, "only {} scripts", scripts.len());
    for script in scripts {
        let text = std::fs::read_to_string(&script).unwrap();
        let mut calls = 0usize;
        let mut heap = HeapUse::NONE;
        let output = phx_tests::session_script::run_measured(&text, &mut |f| {
            let ((), used) = count(f);
            calls += 1;
            heap.allocations += used.allocations;
            heap.frees += used.frees;
        })
        .unwrap();
        assert!(
            calls > 10,
            "{}: only {calls} session calls",
            script.display()
        );
        assert!(!output.is_empty(), "{}: no output", script.display());
        assert_eq!(
            heap,
            HeapUse::NONE,
            "{}: the session used the heap",
            script.display()
        );
    }
}

#[test]
fn the_session_never_allocates_on_random_scripts() {
    counting::assert_counter_works();
    for seed in 0..200 {
        let script = phx_tests::session_script::random_script(seed);
        let mut heap = HeapUse::NONE;
        phx_tests::session_script::run_measured(&script, &mut |f| {
            let ((), used) = count(f);
            heap.allocations += used.allocations;
            heap.frees += used.frees;
        })
        .unwrap();
        assert_eq!(
            heap,
            HeapUse::NONE,
            "seed {seed}: the session used the heap"
        );
    }
}
