//! `crmclean check`: quality gates for CI. Exit 0 when every gate passes, 3 when one fails.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::InputArgs;
use crate::config::{check_rate, Config};
use crate::error::{Error, Result, EXIT_GATE, EXIT_OK};
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

    let gates = crate::check::Gates {
        max_duplicate_rate: dup,
        max_invalid_email_rate: email,
        max_invalid_phone_rate: phone,
        max_stale_rate: stale,
        min_completeness: completeness,
    };
    let results = crate::check::check(&a.input.inputs, &cfg, &gates, super::show_progress(false))?;
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
        crate::io::write_atomic(path, crate::check::junit(&results)?.as_bytes())?;
    }
    if results.is_empty() {
        eprintln!("crmclean: no gates given; see `crmclean check --help`");
    }
    Ok(if failed { EXIT_GATE } else { EXIT_OK })
}
