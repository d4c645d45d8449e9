//! End-to-end benchmark: `crmclean dedupe` as a library call on seeded generated exports, one
//! benchmark id per size. Run: `cargo bench --bench pipeline` (`CRMCLEAN_BENCH_SIZES=10000,100000`).
//! Accuracy is in `benches/accuracy.sh`; a timed scale run with peak memory is a plain
//! `/usr/bin/time -v crmclean dedupe ...` on `crmclean generate --records N` output.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crmclean::config::Config;
use crmclean::pipeline::{dedupe, DedupeOptions};

mod common;

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("dedupe");
    g.sample_size(10);
    for n in common::sizes(10_000) {
        let dir = tempfile::tempdir().expect("temp dir");
        let generated = common::generate(dir.path(), n, 42);
        let opts = DedupeOptions {
            inputs: common::exports(dir.path()),
            out: dir.path().join("out"),
            config: Config::default(),
            model: None,
            decisions: None,
            progress: false,
            state: None,
        };
        g.throughput(Throughput::Elements(generated as u64));
        g.bench_with_input(BenchmarkId::from_parameter(generated), &opts, |b, o| b.iter(|| dedupe(o).expect("dedupe")));
    }
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
