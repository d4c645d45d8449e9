//! Per-stage benchmark: each stage of `crmclean dedupe` alone, on the outputs of the stages before
//! it, for seeded generated exports (default 200,000 requested records; `CRMCLEAN_BENCH_SIZES`).
//! Run: `cargo bench --bench stages` (`-- block` for one stage). A whole run's wall time and peak
//! memory are in `benches/scale.sh`; this one tells which stage a change moved, with the spread of
//! ten runs instead of one noisy wall time.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crmclean::config::Config;
use crmclean::{block, cluster, compare, merge, normalize, score};

mod common;

fn stages(c: &mut Criterion) {
    let cfg = Config::default();
    let mut g = c.benchmark_group("stage");
    g.sample_size(10);
    for n in common::sizes(200_000) {
        let dir = tempfile::tempdir().expect("temp dir");
        common::generate(dir.path(), n, 42);
        let inputs = common::exports(dir.path());
        let ingested = crmclean::ingest::ingest(&inputs, &cfg).expect("ingest");
        let records = ingested.record_count();
        g.throughput(Throughput::Elements(records as u64));
        let id = |stage: &str| BenchmarkId::new(stage, records);
        g.bench_function(id("ingest"), |b| b.iter(|| crmclean::ingest::ingest(&inputs, &cfg).expect("ingest")));
        let extras = normalize::choose_extras(&ingested);
        g.bench_function(id("normalize"), |b| {
            b.iter(|| normalize::normalize(&ingested, &cfg, &extras).expect("normalize"))
        });
        let contacts = normalize::normalize(&ingested, &cfg, &extras).expect("normalize");
        let rules = block::default_rules();
        g.bench_function(id("block"), |b| b.iter(|| block::block(&contacts, &rules, cfg.max_block_size, false)));
        let candidates = block::block(&contacts, &rules, cfg.max_block_size, false);
        let hidden = indicatif::ProgressBar::hidden();
        g.bench_function(id("compare"), |b| {
            b.iter(|| score::vectors_with_progress(&compare::Table::new(&contacts), &candidates.pairs, &hidden))
        });
        let table = compare::Table::new(&contacts);
        let vectors = score::vectors_with_progress(&table, &candidates.pairs, &hidden);
        let train = || {
            let (u, samples) =
                score::estimate_u(&contacts, &table, (records as u64 * 10).clamp(200_000, 1_000_000), false);
            score::train(u, samples, &vectors, score::total_pairs(&contacts, false))
        };
        g.bench_function(id("train"), |b| b.iter(train));
        let model = train();
        let tf = score::TermFreq::new(&contacts);
        g.bench_function(id("score"), |b| b.iter(|| score::score(&model, &tf, &contacts, &candidates.pairs, &vectors)));
        let scored = score::score(&model, &tf, &contacts, &candidates.pairs, &vectors);
        let none = cluster::Decisions::default();
        let clusters = || cluster::cluster(&contacts, &scored, &model, &tf, cfg.threshold, false, &none);
        g.bench_function(id("cluster"), |b| b.iter(clusters));
        let clusters = clusters();
        g.bench_function(id("merge"), |b| b.iter(|| merge::golden_records(&ingested, &contacts, &clusters, &cfg)));
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
