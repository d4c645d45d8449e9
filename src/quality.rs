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
    (flag::STALE, "stale"),
    (flag::PAST_RETENTION, "past_retention"),
    (flag::DUPLICATE_ID, "duplicate_record_id"),
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
    /// Per column: distinct values, most common values, and for dates and phones the formats used.
    pub columns: Vec<ColumnProfile>,
}

/// Profile of one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnProfile {
    pub header: String,
    pub field: Option<&'static str>,
    pub filled: usize,
    pub distinct: usize,
    /// The five most common values with their counts.
    pub top: Vec<(String, usize)>,
    /// Format name → count, for date and phone columns: mixed formats are a consistency finding.
    pub formats: BTreeMap<&'static str, usize>,
}

/// Near-identical tags ("VIP", "vip", "V.I.P.") and the one to keep.
#[derive(Debug, Clone, Serialize)]
pub struct TagGroup {
    /// The most used spelling.
    pub canonical: String,
    /// Every spelling with its number of records.
    pub variants: Vec<(String, usize)>,
}

fn phone_format(v: &str) -> &'static str {
    let t = v.trim_start();
    if t.starts_with('+') {
        "international (+)"
    } else if t.starts_with("00") {
        "international (00)"
    } else if t.starts_with('(') {
        "national with area code in brackets"
    } else {
        "national"
    }
}

fn column_profile(s: &crate::ingest::Source, c: &crate::ingest::ColumnMap) -> Option<ColumnProfile> {
    use crate::schema::Field;
    let col = s.frame.column(&c.header).ok()?.str().ok()?;
    let mut counts: polars::prelude::PlHashMap<&str, usize> = Default::default();
    let mut formats: BTreeMap<&'static str, usize> = BTreeMap::new();
    for v in col.iter().flatten() {
        *counts.entry(v).or_default() += 1;
        let format = match c.field {
            Some(Field::BirthDate | Field::Created | Field::LastActivity) => {
                Some(crate::normalize::date::date_format(v))
            }
            Some(Field::Phone | Field::Mobile) => Some(phone_format(v)),
            _ => None,
        };
        if let Some(f) = format {
            *formats.entry(f).or_default() += 1;
        }
    }
    // The five most common (ties by value), without sorting every distinct value.
    let mut top: Vec<(&str, usize)> = counts.iter().map(|(k, n)| (*k, *n)).collect();
    let order = |a: &(&str, usize), b: &(&str, usize)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
    if top.len() > 5 {
        top.select_nth_unstable_by(4, order);
        top.truncate(5);
    }
    top.sort_by(order);
    let top: Vec<(String, usize)> = top.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    Some(ColumnProfile {
        header: c.header.clone(),
        field: c.field.map(|f| f.name()),
        filled: counts.values().sum(),
        distinct: counts.len(),
        top,
        formats,
    })
}

/// Groups the tags of every source by [`crate::normalize::tags::tag_key`]; only groups with more
/// than one spelling are returned, largest first.
pub fn tag_groups(ingested: &Ingested) -> Vec<TagGroup> {
    use crate::normalize::tags::{split_tags, tag_key};
    let mut by_key: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for s in &ingested.sources {
        for h in s.columns_for(crate::schema::Field::Tags) {
            let Ok(col) = s.frame.column(h).and_then(|c| c.str().cloned()) else { continue };
            for v in col.iter().flatten() {
                for t in split_tags(v) {
                    *by_key.entry(tag_key(&t)).or_default().entry(t).or_default() += 1;
                }
            }
        }
    }
    let mut groups: Vec<TagGroup> = by_key
        .into_values()
        .filter(|v| v.len() > 1)
        .map(|v| {
            let mut variants: Vec<(String, usize)> = v.into_iter().collect();
            variants.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            TagGroup { canonical: variants[0].0.clone(), variants }
        })
        .collect();
    groups.sort_by_key(|g| (std::cmp::Reverse(g.variants.iter().map(|v| v.1).sum::<usize>()), g.canonical.clone()));
    groups
}

/// Profiles every source.
pub fn profile(ingested: &Ingested, contacts: &[Contact]) -> Vec<SourceProfile> {
    use rayon::prelude::*;
    ingested
        .sources
        .par_iter()
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
            let columns = s.columns.par_iter().filter_map(|c| column_profile(s, c)).collect();
            SourceProfile { source: s.name.clone(), records, completeness, issues, columns }
        })
        .collect()
}

/// Names of the flags set in `flags`, joined with ";".
pub fn flag_names(flags: u16) -> String {
    FLAGS.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join(";")
}
