//! Normalizer benchmarks: each normalizer on a fixed table of real-looking values, and the whole
//! normalize stage on seeded generated exports (`crmclean generate`).
//!
//! Run: `cargo bench --bench normalize` (set `CRMCLEAN_BENCH_RECORDS` for the stage size, default 100000).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crmclean::config::Config;
use crmclean::normalize::{address, company, date, email, name, phone, tags};
use crmclean::text;
use std::hint::black_box;

mod common;

const NAMES: &[&str] = &[
    "Dr. Jürgen Müller",
    "Smith, John A.",
    "Łukasz Wiśniewski",
    "María José García López",
    "Bapak Budi Santoso",
    "van der Berg, Jan",
];
const EMAILS: &[&str] =
    &[" J.Doe+news@GoogleMail.com ", "anna.rossi@libero.it", "info@acme.de", "test@test.com", "bad@@x"];
const PHONES: &[(&str, Option<&str>)] = &[
    ("030 1234567", Some("DE")),
    ("+1 415 555 2671", None),
    ("333 123 4567", Some("IT")),
    ("0812-3456-789", Some("ID")),
];
const COMPANIES: &[&str] = &["Müller & Söhne GmbH & Co. KG", "Acme, Inc.", "PT Maju Jaya Tbk", "Kowalski Sp. z o.o."];
const STREETS: &[&str] = &["Hauptstraße 5", "12 Tullaroop Street", "ul. Marszałkowska 10", "P.za Navona 3"];
const DATES: &[&str] = &["2024-03-01", "03/01/2024", "01.03.2024 14:05", "1 März 2024", "19081209"];

/// Runs `f` on every item, keeping each result alive so the work cannot be optimised away.
fn each<T, R>(items: &[T], f: impl Fn(&T) -> R) {
    for x in items {
        black_box(f(black_box(x)));
    }
}

fn normalizers(c: &mut Criterion) {
    let mut g = c.benchmark_group("normalizer");
    g.bench_function("text_fold", |b| b.iter(|| each(NAMES, |s| text::fold(s))));
    g.bench_function("name_split", |b| b.iter(|| each(NAMES, |s| name::split_full_name(s))));
    g.bench_function("name_key_phonetic", |b| b.iter(|| each(NAMES, |s| name::phonetic(&name::name_key(s)))));
    g.bench_function("email", |b| b.iter(|| each(EMAILS, |s| email::normalize_email(s))));
    g.bench_function("phone", |b| b.iter(|| each(PHONES, |(s, r)| phone::normalize_phone(s, *r))));
    g.bench_function("company", |b| b.iter(|| each(COMPANIES, |s| company::company_key(s))));
    g.bench_function("street", |b| b.iter(|| each(STREETS, |s| address::street_key(s))));
    g.bench_function("country", |b| {
        b.iter(|| each(&["Deutschland", "U.S.A.", "Polska"], |s| crmclean::countries::country_code(s)))
    });
    g.bench_function("date", |b| b.iter(|| each(DATES, |s| date::parse_date(s, date::DayOrder::DayFirst))));
    g.bench_function("tags", |b| b.iter(|| each(&["VIP; Newsletter |webinar-2024"], |s| tags::split_tags(s))));
    g.finish();
}

fn stage(c: &mut Criterion) {
    let records: usize = std::env::var("CRMCLEAN_BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    common::generate(dir.path(), records, 42);
    let inputs = common::exports(dir.path());
    let cfg = Config::default();
    let ingested = crmclean::ingest::ingest(&inputs, &cfg).expect("ingest");
    let mut g = c.benchmark_group("normalize_stage");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ingested.record_count() as u64));
    g.bench_with_input(BenchmarkId::from_parameter(ingested.record_count()), &ingested, |b, ing| {
        b.iter(|| {
            crmclean::normalize::normalize(ing, &cfg, &crmclean::normalize::choose_extras(ing)).expect("normalize")
        })
    });
    g.finish();
}

criterion_group!(benches, normalizers, stage);
criterion_main!(benches);
