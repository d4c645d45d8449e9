//! `crmclean check`: quality gates for CI.

use clap::Args;

use super::InputArgs;
use crate::config::Config;
use crate::error::{Error, Result, EXIT_GATE, EXIT_OK};
use crate::normalize::flag;
use crate::schema::Field;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Fail when more than this share of records has an invalid email (0..1).
    #[arg(long, value_name = "R")]
    pub max_invalid_email_rate: Option<f64>,
    /// Fail when more than this share of records has an invalid phone (0..1).
    #[arg(long, value_name = "R")]
    pub max_invalid_phone_rate: Option<f64>,
    /// Fail when a field is filled in less than this share of records, e.g. email=0.9. Repeatable.
    #[arg(long, value_name = "FIELD=R")]
    pub min_completeness: Vec<String>,
}

fn rate(name: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::config(format!("{name} = {v} is not a rate"), "use a number between 0 and 1, e.g. 0.05"))
    }
}

pub fn run(a: CheckArgs) -> Result<u8> {
    let cfg = Config::build(&a.input.overrides())?;
    let mut completeness = Vec::new();
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
        completeness.push((field, rate("--min-completeness", r)?));
    }
    let (ingested, contacts, _) = crate::pipeline::profile(&a.input.inputs, &cfg)?;
    let n = contacts.len().max(1) as f64;
    let share = |bit: u16| contacts.iter().filter(|c| c.flags & bit != 0).count() as f64 / n;
    let mut results: Vec<(String, bool, String)> = Vec::new();
    if let Some(max) = a.max_invalid_email_rate {
        let v = share(flag::INVALID_EMAIL);
        results.push((
            "max-invalid-email-rate".into(),
            v <= rate("--max-invalid-email-rate", max)?,
            format!("{v:.4} (max {max})"),
        ));
    }
    if let Some(max) = a.max_invalid_phone_rate {
        let v = share(flag::INVALID_PHONE);
        results.push((
            "max-invalid-phone-rate".into(),
            v <= rate("--max-invalid-phone-rate", max)?,
            format!("{v:.4} (max {max})"),
        ));
    }
    for (field, min) in completeness {
        let (mut filled, mut total) = (0usize, 0usize);
        for s in &ingested.sources {
            total += s.frame.height();
            let cols: Vec<&str> = s.columns_for(field).collect();
            for row in 0..s.frame.height() {
                let has = cols
                    .iter()
                    .any(|h| s.frame.column(h).ok().and_then(|c| c.str().ok().and_then(|c| c.get(row))).is_some());
                filled += has as usize;
            }
        }
        let v = filled as f64 / total.max(1) as f64;
        results.push((format!("min-completeness {}", field.name()), v >= min, format!("{v:.4} (min {min})")));
    }
    let mut failed = false;
    for (name, ok, detail) in &results {
        println!("{} {name}: {detail}", if *ok { "PASS" } else { "FAIL" });
        failed |= !ok;
    }
    if results.is_empty() {
        eprintln!("crmclean: no gates given; see `crmclean check --help`");
    }
    Ok(if failed { EXIT_GATE } else { EXIT_OK })
}
