//! `crmclean init`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result, EXIT_OK};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the config.
    #[arg(default_value = "crmclean.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// The commented default config. Every key is valid for [`crate::config::FileConfig`] (tested).
pub const DEFAULT_CONFIG: &str = r#"# crmclean configuration. Every option is shown at its default; uncomment to change.

# Header of the record-id column, when auto-detection picks the wrong one.
# id_column = "Contact ID"

# ISO country code for phone numbers written without a country code (e.g. "DE", "US", "IT").
# default_region = "US"

# Header → field overrides for the automatic header mapping. Fields: id, salutation, first_name,
# middle_name, last_name, full_name, email, phone, mobile, company, job_title, website,
# street_number, street, street2, city, region, postal_code, country, birth_date, birth_year,
# birth_month, birth_day, gender, national_id, created, last_activity, tags, fax, birth_place,
# occupation; or "ignore".
[mapping]
# "Handynummer" = "mobile"
# "Notes" = "ignore"

# More header synonyms (same fields): unlike [mapping] they also match qualified and numbered
# spellings ("Mailing <synonym>", "<synonym> 2") in every input.
[headers]
# "Kd.-Nr." = "id"

[matching]
# Match probability at or above which two records are the same person.
# threshold = 0.5
# Pairs from this probability up to the threshold go to review.csv.
# review_low = 0.1
# Blocks larger than this are skipped for their rule and reported (placeholder emails, switchboards).
# max_block_size = 100
# Only link records across files, never within one file.
# link_only = false

[quality]
# A contact whose last activity (or, without one, creation) is older than this is flagged stale.
# stale_after = "2y"
# A contact created longer ago than this is flagged past retention (off unless set).
# retention = "7y"

[gates]
# Limits for `crmclean check` (flags override them); exit code 3 when one fails.
# max_duplicate_rate = 0.05
# max_invalid_email_rate = 0.02
# max_invalid_phone_rate = 0.05
# max_stale_rate = 0.5

[gates.min_completeness]
# email = 0.9
# last_name = 0.99

[merge]
# How golden values are chosen: "most_frequent" (the value most records agree on, ties to the most
# trusted record) or "ranked" (the most trusted record's value).
# rule = "most_frequent"
# Sources (input file names without extension), most trusted first.
# source_priority = ["crm_salesforce", "hubspot_export"]

# Per golden field, another rule: most_frequent, ranked, most_recent, most_complete or longest.
[merge.fields]
# street = "most_recent"
# first_name = "longest"
"#;

pub fn run(a: InitArgs) -> Result<u8> {
    if a.path.exists() && !a.force {
        return Err(Error::output(&a.path, "already exists", "pass --force to overwrite it, or give another path"));
    }
    crate::io::write_atomic(&a.path, DEFAULT_CONFIG.as_bytes())?;
    eprintln!("crmclean: wrote {}", a.path.display());
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_config_parses_and_uncommented_keys_are_valid() {
        let parsed: crate::config::FileConfig = toml::from_str(super::DEFAULT_CONFIG).unwrap();
        assert!(parsed.mapping.is_empty());
        // Uncommenting every option must still give a valid config.
        let uncommented: String = super::DEFAULT_CONFIG
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let parsed: crate::config::FileConfig = toml::from_str(&uncommented).unwrap();
        assert_eq!(parsed.mapping.len(), 2);
        assert_eq!(parsed.headers.len(), 1);
        assert_eq!(parsed.matching.threshold, Some(0.5));
        assert_eq!(parsed.merge.source_priority.len(), 2);
        assert_eq!(parsed.merge.fields.len(), 2);
    }
}
