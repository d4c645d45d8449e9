//! Configuration: the validated settings of a run, built from the config file and command-line flags.
//!
//! Two stages, as in ripgrep: clap parses raw flags (`cli`), then [`Config::build`] merges them over the
//! optional TOML file and checks every value, failing with a message that names the bad key and the fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::schema::{Field, GoldenField};

/// The raw TOML file. Unknown keys are errors (serde names the expected keys).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Header → canonical field name (or "ignore"), applied to every input file.
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// Header synonym → canonical field name (or "ignore"): like the built-in synonyms, so it also
    /// matches "Mailing <synonym>", "<synonym> 2" and any spelling with the same letters and digits.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Header of the record-id column, when auto-detection picks the wrong one.
    pub id_column: Option<String>,
    /// ISO 3166 alpha-2 region used to parse phone numbers written without a country code.
    pub default_region: Option<String>,
    /// Matching settings.
    #[serde(default)]
    pub matching: MatchingFile,
    /// Golden-record settings.
    #[serde(default)]
    pub merge: MergeFile,
    /// Data-quality settings.
    #[serde(default)]
    pub quality: QualityFile,
    /// Quality gates for `crmclean check`.
    #[serde(default)]
    pub gates: GatesFile,
}

/// The `[gates]` table: limits `crmclean check` enforces (command-line flags override them).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatesFile {
    pub max_duplicate_rate: Option<f64>,
    pub max_invalid_email_rate: Option<f64>,
    pub max_invalid_phone_rate: Option<f64>,
    pub max_stale_rate: Option<f64>,
    /// Field name → minimum share of records that have it.
    #[serde(default)]
    pub min_completeness: BTreeMap<String, f64>,
}

/// The `[quality]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityFile {
    /// A contact whose last activity is older than this is stale ("2y", "18 months", "730d").
    pub stale_after: Option<String>,
    /// A contact created longer ago than this is past retention (unset: no retention check).
    pub retention: Option<String>,
}

/// Parses an age such as `730`, `730d`, `90 days`, `18m`, `18 months`, `2y`, `2 years` into days.
///
/// ```
/// use crmclean::config::parse_age;
/// assert_eq!(parse_age("2y"), Some(730));
/// assert_eq!(parse_age("18 months"), Some(540));
/// assert_eq!(parse_age("90d"), Some(90));
/// assert_eq!(parse_age("soon"), None);
/// ```
pub fn parse_age(s: &str) -> Option<u32> {
    let s = s.trim().to_lowercase();
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().ok()?;
    let unit = s[digits.len()..].trim();
    let per = match unit {
        "" | "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        "m" | "mo" | "month" | "months" => 30,
        "y" | "yr" | "year" | "years" => 365,
        _ => return None,
    };
    n.checked_mul(per)
}

/// The `[merge]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeFile {
    /// `most_frequent` (default) or `ranked`.
    pub rule: Option<String>,
    /// Source names (file names without extension), most trusted first.
    #[serde(default)]
    pub source_priority: Vec<String>,
    /// Golden field → rule, overriding `rule` for that field.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// How a golden value is chosen among a cluster's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Survivorship {
    /// The value most records agree on; ties to the best-ranked record.
    MostFrequent,
    /// The best-ranked record's value: source priority, then most recent activity, then completeness.
    Ranked,
    /// The value of the record with the latest activity.
    MostRecent,
    /// The value of the record with the most fields filled.
    MostComplete,
    /// The longest (most specific) value.
    Longest,
}

impl Survivorship {
    const NAMES: &'static str = "most_frequent, ranked, most_recent, most_complete or longest";

    fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "most_frequent" => Survivorship::MostFrequent,
            "ranked" | "source_priority" => Survivorship::Ranked,
            "most_recent" => Survivorship::MostRecent,
            "most_complete" => Survivorship::MostComplete,
            "longest" => Survivorship::Longest,
            _ => return None,
        })
    }
}

/// The `[matching]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingFile {
    pub threshold: Option<f64>,
    pub review_low: Option<f64>,
    pub max_block_size: Option<usize>,
    pub link_only: Option<bool>,
}

/// What a mapping entry says about one header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapTarget {
    Field(Field),
    Ignore,
}

/// Flags from the command line that override the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub map: Vec<String>,
    pub id_column: Option<String>,
    pub default_region: Option<String>,
    pub threshold: Option<f64>,
    pub link_only: bool,
    pub bom: bool,
    pub redact: bool,
    pub parquet: bool,
    pub sheet: Option<String>,
}

/// The validated settings of a run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Header (as written, trimmed) → target.
    pub mapping: BTreeMap<String, MapTarget>,
    /// User header synonyms ([`crate::schema::header_key`] form) → target.
    pub headers: BTreeMap<String, MapTarget>,
    pub id_column: Option<String>,
    /// Upper-case ISO 3166 alpha-2 code.
    pub default_region: Option<String>,
    /// Match probability at or above which two records are linked.
    pub threshold: f64,
    /// Pairs with probability in `[review_low, threshold)` go to the review queue.
    pub review_low: f64,
    /// Blocks with more records than this are skipped for that rule and reported.
    pub max_block_size: usize,
    /// Only link records from different sources.
    pub link_only: bool,
    pub survivorship: Survivorship,
    /// Per golden field, a rule other than `survivorship`.
    pub field_rules: BTreeMap<GoldenField, Survivorship>,
    /// Start CSV outputs with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// Also write clusters, golden records and provenance as Parquet (`--format parquet`).
    pub parquet: bool,
    /// The sheet to read from workbook inputs (`--sheet`; the first one when unset).
    pub sheet: Option<String>,
    /// Mask emails, phones and national ids in the files meant for sharing (report.html, review.csv, review.xlsx,
    /// profile.html, profile.json).
    pub redact: bool,
    /// Days without activity after which a contact is stale.
    pub stale_after_days: u32,
    /// Days after creation after which a contact is past retention, if set.
    pub retention_days: Option<u32>,
    /// Gates from the config file (validated rates, known field names).
    pub gates: GatesFile,
    /// Source names, most trusted first.
    pub source_priority: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mapping: BTreeMap::new(),
            headers: BTreeMap::new(),
            id_column: None,
            default_region: None,
            threshold: 0.5,
            review_low: 0.1,
            max_block_size: 100,
            link_only: false,
            survivorship: Survivorship::MostFrequent,
            field_rules: BTreeMap::new(),
            bom: false,
            parquet: false,
            sheet: None,
            redact: false,
            stale_after_days: 730,
            retention_days: None,
            gates: GatesFile::default(),
            source_priority: Vec::new(),
        }
    }
}

impl Config {
    /// Builds the config from an optional file and the command-line overrides.
    pub fn build(o: &Overrides) -> Result<Config> {
        let file = match &o.config_file {
            Some(path) => load_file(path)?,
            None => FileConfig::default(),
        };
        let mut cfg = Config::default();
        cfg.read_mapping(&file, o)?;
        cfg.id_column = o.id_column.clone().or(file.id_column).map(|s| s.trim().to_string());
        if let Some(region) = o.default_region.clone().or(file.default_region) {
            cfg.default_region = Some(crate::countries::parse_region_code(&region).ok_or_else(|| {
                Error::config(
                    format!("unknown default region \"{region}\""),
                    "use an ISO 3166 two-letter country code such as US, DE, IT, PL, ID, FR or ES",
                )
            })?);
        }
        cfg.read_matching(&file.matching, o)?;
        (cfg.bom, cfg.parquet, cfg.sheet, cfg.redact) = (o.bom, o.parquet, o.sheet.clone(), o.redact);
        cfg.read_merge(&file.merge)?;
        cfg.read_quality(&file.quality)?;
        cfg.gates = checked_gates(&file.gates)?;
        if cfg.max_block_size < 2 {
            return Err(Error::config("matching.max_block_size must be at least 2", "the default is 100"));
        }
        Ok(cfg)
    }

    /// `[mapping]` and `[headers]` of the file, then `--map`.
    fn read_mapping(&mut self, file: &FileConfig, o: &Overrides) -> Result<()> {
        let src = o.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "--map".into());
        for (header, target) in &file.mapping {
            self.mapping
                .insert(header.trim().to_string(), parse_target(target, &format!("{src}: [mapping] \"{header}\""))?);
        }
        for (header, target) in &file.headers {
            let key = crate::schema::header_key(header);
            if key.is_empty() {
                return Err(Error::config(
                    format!("{src}: [headers] \"{header}\" has no letters or digits"),
                    "write the header as it appears in the export, e.g. \"Kd.-Nr.\" = \"id\"",
                ));
            }
            self.headers.insert(key, parse_target(target, &format!("{src}: [headers] \"{header}\""))?);
        }
        for m in &o.map {
            let (header, target) = m.split_once('=').ok_or_else(|| {
                Error::config(
                    format!("--map \"{m}\" is not of the form HEADER=FIELD"),
                    "write it as --map \"Mobile Number=mobile\" (or =ignore to drop a column from matching)",
                )
            })?;
            self.mapping.insert(header.trim().to_string(), parse_target(target, &format!("--map \"{m}\""))?);
        }
        Ok(())
    }

    /// `[matching]` of the file and the command-line overrides, checked.
    fn read_matching(&mut self, m: &MatchingFile, o: &Overrides) -> Result<()> {
        self.threshold = o.threshold.or(m.threshold).unwrap_or(self.threshold);
        self.review_low = m.review_low.unwrap_or(self.review_low);
        self.max_block_size = m.max_block_size.unwrap_or(self.max_block_size);
        self.link_only = o.link_only || m.link_only.unwrap_or(false);
        for (name, v) in [("threshold", self.threshold), ("review_low", self.review_low)] {
            if !(0.0..=1.0).contains(&v) || v.is_nan() {
                return Err(Error::config(
                    format!("matching.{name} = {v} is not a probability"),
                    "use a number between 0 and 1, e.g. threshold = 0.5",
                ));
            }
        }
        if self.review_low > self.threshold {
            return Err(Error::config(
                format!("matching.review_low ({}) is above the threshold ({})", self.review_low, self.threshold),
                "review_low must be at most the match threshold",
            ));
        }
        Ok(())
    }

    /// `[merge]`: the survivorship rules and source priority.
    fn read_merge(&mut self, merge: &MergeFile) -> Result<()> {
        let rule = |key: String, v: &str| {
            Survivorship::parse(v).ok_or_else(|| {
                Error::config(
                    format!("{key} = \"{v}\" is not a survivorship rule"),
                    format!("use {}", Survivorship::NAMES),
                )
            })
        };
        if let Some(v) = &merge.rule {
            self.survivorship = rule("merge.rule".into(), v)?;
        }
        for (field, v) in &merge.fields {
            let Some(golden) = GoldenField::parse(field) else {
                return Err(Error::config(
                    format!("[merge.fields] names an unknown golden field \"{field}\""),
                    format!("use one of: {}", crate::schema::GOLDEN_FIELDS.join(", ")),
                ));
            };
            self.field_rules.insert(golden, rule(format!("merge.fields.{field}"), v)?);
        }
        self.source_priority = merge.source_priority.clone();
        Ok(())
    }

    /// `[quality]`: the stale and retention ages.
    fn read_quality(&mut self, quality: &QualityFile) -> Result<()> {
        let age = |key: &str, v: &str| {
            parse_age(v).ok_or_else(|| {
                Error::config(
                    format!("quality.{key} = \"{v}\" is not an age"),
                    "write a number of days, months or years, e.g. \"730d\", \"18 months\" or \"2y\"",
                )
            })
        };
        if let Some(v) = &quality.stale_after {
            self.stale_after_days = age("stale_after", v)?;
        }
        if let Some(v) = &quality.retention {
            self.retention_days = Some(age("retention", v)?);
        }
        Ok(())
    }
}

/// `[gates]`, checked.
fn checked_gates(g: &GatesFile) -> Result<GatesFile> {
    for (key, v) in [
        ("max_duplicate_rate", g.max_duplicate_rate),
        ("max_invalid_email_rate", g.max_invalid_email_rate),
        ("max_invalid_phone_rate", g.max_invalid_phone_rate),
        ("max_stale_rate", g.max_stale_rate),
    ] {
        if let Some(v) = v {
            check_rate(&format!("gates.{key}"), v)?;
        }
    }
    for (field, v) in &g.min_completeness {
        if Field::from_name(field).is_none() {
            return Err(Error::config(
                format!("[gates.min_completeness] names an unknown field \"{field}\""),
                "use a field name such as email, phone or last_name",
            ));
        }
        check_rate(&format!("gates.min_completeness.{field}"), *v)?;
    }
    Ok(g.clone())
}

/// Checks that a gate value is a rate between 0 and 1.
pub fn check_rate(name: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::config(format!("{name} = {v} is not a rate"), "use a number between 0 and 1, e.g. 0.05"))
    }
}

fn load_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    toml::from_str(&text).map_err(|e| {
        Error::config(
            format!("{}: invalid config: {}", path.display(), e.to_string().trim_end()),
            "run `crmclean init` to write a commented config with every option",
        )
    })
}

fn parse_target(target: &str, context: &str) -> Result<MapTarget> {
    let t = target.trim();
    if t.eq_ignore_ascii_case("ignore") {
        return Ok(MapTarget::Ignore);
    }
    Field::from_name(t).map(MapTarget::Field).ok_or_else(|| {
        let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        Error::config(
            format!("{context}: unknown field \"{t}\""),
            format!("use one of: {}, or ignore", names.join(", ")),
        )
    })
}
