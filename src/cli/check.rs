//! `crmclean check`: quality gates for CI. Exit 0 when every gate passes, 3 when one fails.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::InputArgs;
use crate::config::{check_rate, Config};
use crate::error::{Error, Result, EXIT_GATE, EXIT_OK};
use crate::normalize::flag;
use crate::schema::Field;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Fail when more than this share of records are duplicates of another record (runs matching).
    #[arg(long, value_name = "R")]
    pub max_duplicate_rate: Option<f64>,
    /// Fail when more than this share of the records with an email have an invalid one (0..1).
    #[arg(long, value_name = "R")]
    pub max_invalid_email_rate: Option<f64>,
    /// Fail when more than this share of the records with a phone have an invalid one (0..1).
    #[arg(long, value_name = "R")]
    pub max_invalid_phone_rate: Option<f64>,
    /// Fail when more than this share of records are stale (no activity for `[quality] stale_after`).
    #[arg(long, value_name = "R")]
    pub max_stale_rate: Option<f64>,
    /// Fail when a field is filled in less than this share of records, e.g. email=0.9. Repeatable.
    #[arg(long, value_name = "FIELD=R")]
    pub min_completeness: Vec<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Also write the results as JUnit XML (one test case per gate) for GitLab, GitHub Actions, Jenkins.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
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

pub fn run(a: CheckArgs) -> Result<u8> {
    let cfg = Config::build(&a.input.overrides())?;
    let gates = &cfg.gates;
    let max = |flag: Option<f64>, file: Option<f64>, name: &str| -> Result<Option<f64>> {
        flag.or(file).map(|v| check_rate(name, v)).transpose()
    };
    let dup = max(a.max_duplicate_rate, gates.max_duplicate_rate, "--max-duplicate-rate")?;
    let email = max(a.max_invalid_email_rate, gates.max_invalid_email_rate, "--max-invalid-email-rate")?;
    let phone = max(a.max_invalid_phone_rate, gates.max_invalid_phone_rate, "--max-invalid-phone-rate")?;
    let stale = max(a.max_stale_rate, gates.max_stale_rate, "--max-stale-rate")?;
    let mut completeness: Vec<(Field, f64)> =
        gates.min_completeness.iter().filter_map(|(f, r)| Some((Field::from_name(f)?, *r))).collect();
    for spec in &a.min_completeness {
        let (f, r) = spec.split_once('=').ok_or_else(|| {
            Error::config(
                format!("--min-completeness \"{spec}\" is not FIELD=R"),
                "write it as --min-completeness email=0.9",
            )
        })?;
        let field = Field::from_name(f).ok_or_else(|| {
            Error::config(
                format!("--min-completeness: unknown field \"{f}\""),
                "use a field name such as email, phone, last_name",
            )
        })?;
        let r: f64 = r
            .trim()
            .parse()
            .map_err(|_| Error::config(format!("--min-completeness: \"{r}\" is not a number"), "e.g. email=0.9"))?;
        completeness.retain(|(f, _)| *f != field);
        completeness.push((field, check_rate("--min-completeness", r)?));
    }

    let (ingested, contacts, _) = crate::pipeline::profile(&a.input.inputs, &cfg)?;
    let n = contacts.len().max(1) as f64;
    let mut results: Vec<GateResult> = Vec::new();
    let mut gate = |name: String, value: f64, limit: f64, is_max: bool, detail: String| {
        let passed = if is_max { value <= limit } else { value >= limit };
        results.push(GateResult { gate: name, passed, value, limit, detail });
    };
    if let Some(limit) = dup {
        let opts = crate::pipeline::DedupeOptions {
            inputs: a.input.inputs.clone(),
            out: PathBuf::new(),
            config: cfg.clone(),
            model: None,
            decisions: None,
            progress: super::show_progress(false),
            state: None,
        };
        let run = crate::pipeline::run_in_memory(&opts)?;
        let duplicates = run.contacts.len() - run.clusters.members.len();
        let value = duplicates as f64 / run.contacts.len().max(1) as f64;
        gate(
            "max-duplicate-rate".into(),
            value,
            limit,
            true,
            format!("{duplicates} of {} records are duplicates", run.contacts.len()),
        );
    }
    let share_among = |bit: u16, has: &dyn Fn(&crate::normalize::Contact) -> bool| {
        let with = contacts.iter().filter(|c| has(c)).count();
        let bad = contacts.iter().filter(|c| c.flags & bit != 0).count();
        (bad as f64 / with.max(1) as f64, bad, with)
    };
    if let Some(limit) = email {
        let (v, bad, with) = share_among(flag::INVALID_EMAIL, &|c| !c.emails.is_empty());
        gate("max-invalid-email-rate".into(), v, limit, true, format!("{bad} of {with} records with an email"));
    }
    if let Some(limit) = phone {
        let (v, bad, with) = share_among(flag::INVALID_PHONE, &|c| !c.phones.is_empty());
        gate("max-invalid-phone-rate".into(), v, limit, true, format!("{bad} of {with} records with a phone"));
    }
    if let Some(limit) = stale {
        let bad = contacts.iter().filter(|c| c.flags & flag::STALE != 0).count();
        gate("max-stale-rate".into(), bad as f64 / n, limit, true, format!("{bad} of {} records", contacts.len()));
    }
    for (field, min) in completeness {
        let (mut filled, mut total) = (0usize, 0usize);
        for s in &ingested.sources {
            total += s.frame.height();
            filled += s.filled(field);
        }
        let v = filled as f64 / total.max(1) as f64;
        gate(format!("min-completeness {}", field.name()), v, min, false, format!("{filled} of {total} records"));
    }

    let failed = results.iter().any(|r| !r.passed);
    match a.format {
        Format::Text => {
            for r in &results {
                let cmp = if r.gate.starts_with("min-") { "min" } else { "max" };
                println!(
                    "{} {}: {:.4} ({cmp} {}) — {}",
                    if r.passed { "PASS" } else { "FAIL" },
                    r.gate,
                    r.value,
                    r.limit,
                    r.detail
                );
            }
        }
        Format::Json => {
            let json = serde_json::json!({ "passed": !failed, "gates": results });
            println!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
        }
    }
    if let Some(path) = &a.junit {
        crate::io::write_atomic(path, junit(&results).as_bytes())?;
    }
    if results.is_empty() {
        eprintln!("crmclean: no gates given; see `crmclean check --help`");
    }
    Ok(if failed { EXIT_GATE } else { EXIT_OK })
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// JUnit XML: one test suite, one test case per gate.
fn junit(results: &[GateResult]) -> String {
    let failures = results.iter().filter(|r| !r.passed).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(x, "<testsuites name=\"crmclean check\" tests=\"{}\" failures=\"{failures}\">", results.len());
    let _ = writeln!(
        x,
        "  <testsuite name=\"crmclean check\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">",
        results.len()
    );
    for r in results {
        let _ = write!(x, "    <testcase classname=\"crmclean.check\" name=\"{}\"", xml(&r.gate));
        if r.passed {
            x.push_str("/>\n");
        } else {
            let _ = write!(
                x,
                ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                xml(&format!("{:.4} against limit {}", r.value, r.limit)),
                xml(&r.detail)
            );
        }
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}
