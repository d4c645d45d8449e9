//! `crmclean profile`.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::config::Config;
use crate::error::{Result, EXIT_OK};

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write profile.json, profile.html and quality_issues.csv into this directory.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Mask emails, phones and national ids in profile.json and profile.html, so they can be shared.
    #[arg(long)]
    pub redact: bool,
}

pub fn run(a: ProfileArgs) -> Result<u8> {
    let mut o = a.input.overrides();
    o.redact = a.redact;
    let cfg = Config::build(&o)?;
    let (ingested, contacts, mut profiles) = crate::pipeline::profile(&a.input.inputs, &cfg)?;
    if cfg.redact {
        crate::report::redact_profiles(&mut profiles);
    }
    for p in &profiles {
        println!("{} — {} records", p.source, p.records);
        println!("  completeness:");
        for (col, share) in &p.completeness {
            println!("    {:<28} {:>5.1}%", col, share * 100.0);
        }
        let issues: Vec<String> = p.issues.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{k} {n}")).collect();
        println!("  issues: {}", if issues.is_empty() { "none".into() } else { issues.join(", ") });
        for c in p.columns.iter().filter(|c| c.formats.len() > 1) {
            let formats: Vec<String> = c.formats.iter().map(|(f, n)| format!("{f} {n}")).collect();
            println!("  mixed formats in {}: {}", c.header, formats.join(", "));
        }
    }
    let groups = crate::quality::tag_groups(&ingested);
    for g in &groups {
        let variants: Vec<String> = g.variants.iter().map(|(t, n)| format!("\"{t}\" ({n})")).collect();
        println!("similar tags: {} → keep \"{}\"", variants.join(", "), g.canonical);
    }
    if !ingested.rejects.is_empty() {
        println!("rejected rows: {}", ingested.rejects.len());
    }
    if let Some(out) = &a.out {
        crate::pipeline::prepare_out_dir(out)?;
        crate::report::write_profile(out, &ingested, &contacts, &profiles, &groups, cfg.redact)?;
        eprintln!(
            "crmclean: wrote {} and {}",
            out.join("profile.json").display(),
            out.join("quality_issues.csv").display()
        );
    }
    Ok(EXIT_OK)
}
