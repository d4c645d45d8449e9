//! Step 3, quality: validate and profile the contacts.
//!
//! Per source: completeness of every mapped field and counts of invalid or suspicious values (invalid
//! emails and phones, placeholder and role emails, unparsable dates, rows without a name or any contact
//! point). Every flagged record can be listed by `source,record_id`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ingest::Ingested;
use crate::normalize::{flag, Contact};

/// The quality flags with their report names.
pub const FLAGS: &[(u16, &str)] = &[
    (flag::INVALID_EMAIL, "invalid_email"),
    (flag::PLACEHOLDER_EMAIL, "placeholder_email"),
    (flag::ROLE_EMAIL, "role_email"),
    (flag::INVALID_PHONE, "invalid_phone"),
    (flag::INVALID_DATE, "invalid_date"),
    (flag::NO_NAME, "no_name"),
    (flag::NO_CONTACT_POINT, "no_contact_point"),
    (flag::UNKNOWN_COUNTRY, "unknown_country"),
];

/// Profile of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceProfile {
    pub source: String,
    pub records: usize,
    /// Column header → share of non-empty cells (0..1).
    pub completeness: BTreeMap<String, f64>,
    /// Flag name → number of records with it.
    pub issues: BTreeMap<&'static str, usize>,
}

/// Profiles every source.
pub fn profile(ingested: &Ingested, contacts: &[Contact]) -> Vec<SourceProfile> {
    ingested
        .sources
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let records = s.frame.height();
            let completeness = s
                .frame
                .columns()
                .iter()
                .map(|c| {
                    let filled = records - c.null_count();
                    (c.name().to_string(), if records == 0 { 0.0 } else { filled as f64 / records as f64 })
                })
                .collect();
            let mut issues: BTreeMap<&'static str, usize> = FLAGS.iter().map(|(_, n)| (*n, 0)).collect();
            for c in contacts.iter().filter(|c| c.source as usize == si) {
                for (bit, name) in FLAGS {
                    if c.flags & bit != 0 {
                        *issues.entry(name).or_default() += 1;
                    }
                }
            }
            SourceProfile { source: s.name.clone(), records, completeness, issues }
        })
        .collect()
}

/// Names of the flags set in `flags`, joined with ";".
pub fn flag_names(flags: u16) -> String {
    FLAGS.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join(";")
}
