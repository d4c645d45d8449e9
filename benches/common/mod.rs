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
