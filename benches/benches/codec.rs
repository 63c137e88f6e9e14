//! Criterion suite: one group per case and operation (`shout/decode`, `shout/typed`, ...),
//! every implementation side by side (sonic-rs included), throughput in bytes of the frame.
//!
//! `cargo bench -p phx-benches` runs everything (about 3 s per benchmark);
//! `cargo bench -p phx-benches -- shout/` runs one case.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use phx_benches::cases::Case;
use phx_benches::{Op, Variant, prepare_variant, unsupported};

fn benches(c: &mut Criterion) {
    for case in Case::all() {
        for op in Op::ALL {
            let mut group = c.benchmark_group(format!("{}/{}", case.name, op.name()));
            group.throughput(Throughput::Bytes(case.bytes.len() as u64));
            for variant in Variant::ALL {
                // The combinations `phx_benches::unsupported` declares (JSON libraries on a
                // binary frame) cannot run; every other one must.
                if unsupported(variant, case.kind, op).is_some() {
                    continue;
                }
                let mut run = match prepare_variant(variant, &case, op) {
                    Ok(run) => run,
                    Err(e) => panic!("{e}"),
                };
                group.bench_function(variant.name(), |b| b.iter(|| black_box(run())));
            }
            group.finish();
        }
    }
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    benches(&mut c);
    c.final_summary();
}
