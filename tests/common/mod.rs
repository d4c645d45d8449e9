//! Helpers shared by the integration tests: run the real `crmclean` binary in a temporary directory
//! and read what it wrote.
#![allow(dead_code)] // each test binary uses its own share of them

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(rel: &str) -> PathBuf {
    repo().join("testdata").join(rel)
}

pub fn febrl(name: &str) -> PathBuf {
    let p = repo().join("../shared/datasets/febrl").join(name);
    assert!(p.exists(), "the Febrl benchmark is expected beside the repository at {}", p.display());
    p
}

pub const SAMPLE: [&str; 4] =
    ["crm/crm_salesforce.csv", "crm/hubspot_export.csv", "crm/webinar_anmeldungen.csv", "crm/contatti_it.csv"];

pub fn sample_inputs() -> Vec<PathBuf> {
    SAMPLE.iter().map(|s| testdata(s)).collect()
}

pub struct Run {
    pub out: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
}

pub fn crmclean<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .current_dir(dir)
        .args(args)
        .env_remove("CRMCLEAN_DEBUG")
        .output()
        .expect("run crmclean");
    Run { out }
}

pub fn dedupe(dir: &Path, inputs: &[PathBuf], extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec!["dedupe".into()];
    args.extend(inputs.iter().map(|p| p.as_os_str().to_owned()));
    args.push("--out".into());
    args.push(dir.join("out").into_os_string());
    args.extend(extra.iter().map(|s| s.into()));
    crmclean(dir, args)
}

pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub type Row = HashMap<String, String>;

/// The two records of the first cluster (by id) that has exactly two.
pub fn first_cluster_of_two(clusters: &[Row]) -> (&Row, &Row) {
    let mut by_cluster: std::collections::BTreeMap<&str, Vec<&Row>> = Default::default();
    for c in clusters {
        by_cluster.entry(&c["cluster_id"]).or_default().push(c);
    }
    let two = by_cluster.values().find(|m| m.len() == 2).expect("a cluster of two");
    (two[0], two[1])
}

/// The cluster id of a record (a row of clusters.csv or anything with `source` and `record_id`).
pub fn cluster_id_of(clusters: &[Row], r: &Row) -> String {
    clusters.iter().find(|c| c["source"] == r["source"] && c["record_id"] == r["record_id"]).unwrap()["cluster_id"]
        .clone()
}

/// Writes a decisions file: one row per pair of records and its decision.
pub fn write_decisions(path: &Path, rows: &[(&Row, &Row, &str)]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["left_source", "left_record_id", "right_source", "right_record_id", "decision"]).unwrap();
    for (x, y, d) in rows {
        w.write_record([&x["source"], &x["record_id"], &y["source"], &y["record_id"], *d]).unwrap();
    }
    w.flush().unwrap();
}

pub fn f1(dir: &Path, truth: &Path) -> f64 {
    let r = crmclean(
        dir,
        [
            "evaluate".as_ref(),
            "--json".as_ref(),
            "--truth".as_ref(),
            truth.as_os_str(),
            "--clusters".as_ref(),
            dir.join("out/clusters.csv").as_os_str(),
        ],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    v["f1"].as_f64().unwrap()
}
