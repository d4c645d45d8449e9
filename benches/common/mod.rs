//! Helpers shared by the benchmarks.

/// Writes seeded generated exports (`crmclean generate`) into `dir`; returns how many records.
pub fn generate(dir: &std::path::Path, records: usize, seed: u64) -> usize {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .arg("generate")
        .arg("--out")
        .arg(dir)
        .args(["--records", &records.to_string(), "--seed", &seed.to_string()])
        .output()
        .expect("run crmclean generate");
    assert!(out.status.success(), "crmclean generate: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(dir.join("truth.csv")).expect("truth.csv").lines().count() - 1
}

/// The four exports [`generate`] writes into `dir`, in the order a user would pass them.
pub fn exports(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    ["crm_salesforce.csv", "hubspot_export.csv", "webinar_anmeldungen.csv", "contatti_it.csv"]
        .iter()
        .map(|f| dir.join(f))
        .collect()
}

/// The sizes in `CRMCLEAN_BENCH_SIZES` (comma-separated requested records), else `default`.
#[allow(dead_code)] // each bench compiles this module; the normalize bench takes one size of its own
pub fn sizes(default: usize) -> Vec<usize> {
    std::env::var("CRMCLEAN_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![default])
}
