//! Quality gates for CI (`crmclean check`): rates measured on the inputs against limits, as text,
//! JSON or JUnit XML. Above the pipeline: the duplicate-rate gate runs the matching in memory, and the
//! other gates read that same run, so the inputs are read and normalized once.

use std::path::PathBuf;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::Ingested;
use crate::normalize::{flag, Contact};
use crate::schema::Field;

/// The limits to check; `None` leaves a gate out.
#[derive(Debug, Clone, Default)]
pub struct Gates {
    pub max_duplicate_rate: Option<f64>,
    pub max_invalid_email_rate: Option<f64>,
    pub max_invalid_phone_rate: Option<f64>,
    pub max_stale_rate: Option<f64>,
    pub min_completeness: Vec<(Field, f64)>,
}

/// One gate's result.
#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub gate: String,
    pub passed: bool,
    pub value: f64,
    pub limit: f64,
    pub detail: String,
}

/// Measures every gate on `inputs`, in the order of [`Gates`]' fields.
pub fn check(inputs: &[PathBuf], cfg: &Config, gates: &Gates, progress: bool) -> Result<Vec<GateResult>> {
    let mut results = Vec::new();
    let mut gate = |name: String, value: f64, limit: f64, is_max: bool, detail: String| {
        let passed = if is_max { value <= limit } else { value >= limit };
        results.push(GateResult { gate: name, passed, value, limit, detail });
    };
    let (run, profiled);
    let (ingested, contacts): (&Ingested, &[Contact]) = match gates.max_duplicate_rate {
        Some(limit) => {
            let opts = crate::pipeline::DedupeOptions {
                inputs: inputs.to_vec(),
                out: PathBuf::new(),
                config: cfg.clone(),
                model: None,
                decisions: None,
                progress,
                state: None,
            };
            run = crate::pipeline::run_in_memory(&opts)?;
            let records = run.contacts.len();
            let duplicates = records - run.clusters.members.len();
            let detail = format!("{duplicates} of {records} records are duplicates");
            gate("max-duplicate-rate".into(), duplicates as f64 / records.max(1) as f64, limit, true, detail);
            (&run.ingested, &run.contacts)
        }
        None => {
            profiled = crate::pipeline::profile(inputs, cfg)?;
            (&profiled.0, &profiled.1)
        }
    };
    let share_among = |bit: u16, has: &dyn Fn(&Contact) -> bool| {
        let with = contacts.iter().filter(|c| has(c)).count();
        let bad = contacts.iter().filter(|c| c.flags & bit != 0).count();
        (bad as f64 / with.max(1) as f64, bad, with)
    };
    if let Some(limit) = gates.max_invalid_email_rate {
        let (v, bad, with) = share_among(flag::INVALID_EMAIL, &|c| !c.emails.is_empty());
        gate("max-invalid-email-rate".into(), v, limit, true, format!("{bad} of {with} records with an email"));
    }
    if let Some(limit) = gates.max_invalid_phone_rate {
        let (v, bad, with) = share_among(flag::INVALID_PHONE, &|c| !c.phones.is_empty());
        gate("max-invalid-phone-rate".into(), v, limit, true, format!("{bad} of {with} records with a phone"));
    }
    if let Some(limit) = gates.max_stale_rate {
        let bad = contacts.iter().filter(|c| c.flags & flag::STALE != 0).count();
        let n = contacts.len().max(1) as f64;
        gate("max-stale-rate".into(), bad as f64 / n, limit, true, format!("{bad} of {} records", contacts.len()));
    }
    for &(field, min) in &gates.min_completeness {
        let total: usize = ingested.sources.iter().map(|s| s.frame.height()).sum();
        let filled: usize = ingested.sources.iter().map(|s| s.filled(field)).sum();
        let v = filled as f64 / total.max(1) as f64;
        gate(format!("min-completeness {}", field.name()), v, min, false, format!("{filled} of {total} records"));
    }
    Ok(results)
}

/// The results as JUnit XML: one test suite, one test case per gate, a failure for each failed one.
pub fn junit(results: &[GateResult]) -> Result<String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new("crmclean check");
    for r in results {
        let status = if r.passed {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("{:.4} against limit {}", r.value, r.limit)).set_description(r.detail.as_str());
            s
        };
        let mut case = TestCase::new(r.gate.as_str(), status);
        case.set_classname("crmclean.check");
        suite.add_test_case(case);
    }
    let mut report = Report::new("crmclean check");
    report.add_test_suite(suite);
    report.to_string().map_err(|e| Error::output("<junit>", e.to_string(), "report this as a bug"))
}
