//! Columns told by their values (part of step 1, ingest).
//!
//! Headers say what a column should hold; the values say what it does. After the header mapping
//! ([`crate::schema::guess_field`]) this looks at a sample of each column and
//!
//! * reads repeated missing-value tokens (`NA`, `NULL`, `-`, `0000-00-00`, `keine Angabe`, ...:
//!   `src/data/missing_values.txt`) as empty, and counts them;
//! * maps columns whose header it does not know by what they hold: email addresses, phone numbers,
//!   web addresses, birth dates, and birth dates split into day, month and year columns;
//! * lets the values overrule a misleading header: a `name` column of restaurants or companies is an
//!   organisation name, and a column headed like a record number (`Nr`, `Code`) is the record id only
//!   if its values are unique;
//! * gives a second given-name column the middle name, keeps a second surname column as part of a
//!   compound surname, and refuses two birth-date columns that disagree.
//!
//! Every decision is recorded on the [`ColumnMap`] (how, confidence, evidence) for the report and
//! summary.json, so a user can confirm it or override it with `--map`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::{ColumnMap, MappedBy};
use crate::error::{Error, Result};
use crate::schema::{header_key, Field};

/// A missing-value token that repeated in a column and was read as empty.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MissingToken {
    pub header: String,
    /// The token as first written (`NA`, `n/a`, `-`).
    pub token: String,
    pub cells: usize,
}

fn missing_keys() -> &'static HashSet<&'static str> {
    static KEYS: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| crate::schema::word_list(include_str!("../data/missing_values.txt")))
}

/// The missing-value key of a cell, if it is one: a listed token, or punctuation only. Tokens of zeros
/// count only in a column that is not mostly numbers (there "0" is a value).
fn missing_key(v: &str, numeric_column: bool) -> Option<String> {
    if v.len() > 24 {
        return None;
    }
    let key = header_key(v);
    if key.is_empty() {
        return Some(String::new());
    }
    let zeros = key.chars().all(|c| c == '0' || c == ' ');
    (missing_keys().contains(key.as_str()) && !(zeros && numeric_column)).then_some(key)
}

/// Reads missing-value tokens that repeat in a column (or are punctuation only) as empty, column by
/// column, and returns what it blanked.
pub fn blank_missing_tokens(frame: &mut DataFrame) -> Result<Vec<MissingToken>> {
    let mut found = Vec::new();
    let names: Vec<PlSmallStr> = frame.get_column_names().into_iter().cloned().collect();
    for name in names {
        let col = frame.column(&name)?.str()?.clone();
        let numeric = {
            let values: Vec<&str> = col.iter().flatten().take(5000).collect();
            let nums = values.iter().filter(|v| v.trim().parse::<f64>().is_ok()).count();
            nums * 2 > values.len()
        };
        // The tokens of this column, found on a sample (a token that never shows in 5,000 values
        // is no convention of the column); then every cell is checked against them by its raw text.
        let values = sample(&col, 5000);
        let upper = |v: &str| v.chars().any(char::is_alphabetic) && !v.chars().any(char::is_lowercase);
        // Per token: how often, and how often written in capitals ("NA" beside "Na").
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        for v in &values {
            if let Some(k) = missing_key(v, numeric) {
                let e = seen.entry(k).or_default();
                e.0 += 1;
                e.1 += usize::from(upper(v));
            }
        }
        // A listed word met once may be a real value (a surname "Na"); repeated, it is a convention.
        // A short word that is also a name or a code (Na, Nan, Nil; NA for Namibia) must be more: in a
        // column that does not hold codes, one value in twenty, or always in capitals where the
        // column's other values are not.
        let others_upper = values.iter().filter(|v| upper(v) && missing_key(v, numeric).is_none()).count();
        let others_codes = values
            .iter()
            .filter(|v| missing_key(v, numeric).is_none())
            .filter(|v| (1..=3).contains(&header_key(v).len()) && !header_key(v).contains(' '))
            .count();
        let blank: HashSet<String> = seen
            .into_iter()
            .filter(|(k, (n, _))| !k.is_empty() && *n >= 2)
            .filter(|(k, (n, caps))| {
                if k.len() > 3 || !k.chars().all(|c| c.is_ascii_alphabetic()) {
                    return true;
                }
                let rest = values.len() - n;
                let stands_out = caps == n && others_upper * 2 < rest;
                others_codes * 2 < rest && (n * 20 >= values.len() || stands_out)
            })
            .map(|(k, _)| k)
            .collect();
        let is_blank = |v: &str| {
            !v.chars().any(char::is_alphanumeric)
                || (!blank.is_empty() && v.len() <= 24 && missing_key(v, numeric).is_some_and(|k| blank.contains(&k)))
        };
        if !col.iter().flatten().any(is_blank) {
            continue;
        }
        let mut counts: HashMap<String, (String, usize)> = HashMap::new();
        let rebuilt: StringChunked = col
            .iter()
            .map(|v| {
                let v = v?;
                if is_blank(v) {
                    counts.entry(header_key(v)).or_insert_with(|| (v.to_string(), 0)).1 += 1;
                    None
                } else {
                    Some(v)
                }
            })
            .collect();
        frame.replace(&name, Column::from(rebuilt.with_name(name.clone()).into_series()))?;
        let mut tokens: Vec<MissingToken> = counts
            .iter()
            .map(|(_, (t, n))| MissingToken { header: name.to_string(), token: t.clone(), cells: *n })
            .collect();
        tokens.sort_by(|a, b| b.cells.cmp(&a.cells).then(a.token.cmp(&b.token)));
        found.extend(tokens);
    }
    Ok(found)
}

/// Up to `max` non-empty values spread evenly over a column (a sorted export's first rows are not its
/// typical ones).
fn sample(col: &StringChunked, max: usize) -> Vec<&str> {
    let filled = col.len() - col.null_count();
    let step = (filled / max.max(1)).max(1);
    col.iter().flatten().step_by(step).take(max).collect()
}

fn share(values: &[&str], pred: impl Fn(&str) -> bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| pred(v)).count() as f64 / values.len() as f64
}

fn is_email(v: &str) -> bool {
    let v = v.trim();
    let Some((local, domain)) = v.rsplit_once('@') else { return false };
    !local.is_empty()
        && !v.contains(char::is_whitespace)
        && domain.contains('.')
        && domain.rsplit('.').next().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_alphabetic()))
}

fn is_url(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    if v.contains('@') || v.contains(' ') {
        return false;
    }
    let host = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://")).unwrap_or(&v);
    let host = host.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels.last().is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()))
        && (v.starts_with("http") || v.starts_with("www.") || labels.len() <= 4)
}

/// A phone number as written: 7 to 15 digits with phone punctuation, and something that marks it as a
/// phone rather than a code (a `+`, a leading `0`, a bracket or a separator).
fn is_phone(v: &str) -> bool {
    let v = v.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let marked = v.starts_with('+') || v.starts_with('0') || v.contains(['(', '-', ' ', '/', '.']);
    allowed && (7..=15).contains(&digits) && marked && date_year(v).is_none() && !is_amount(v)
}

/// An amount written with thousands separators or decimals (`1.500.000`, `2,750,000.00`,
/// `1500000.50`), which a phone number never starts without a `0` or `+`.
fn is_amount(v: &str) -> bool {
    if v.starts_with(['0', '+']) {
        return false;
    }
    let groups: Vec<&str> = v.split(['.', ',']).collect();
    let (last, rest) = groups.split_last().expect("split yields one part");
    let thousands = !rest.is_empty()
        && rest[0].len() <= 3
        && rest[1..].iter().all(|g| g.len() == 3)
        && (last.len() == 3 || (last.len() <= 2 && rest.len() >= 2));
    let decimals = groups.len() == 2 && last.len() <= 2 && rest[0].len() >= 4;
    // Grouped digits without decimals are an amount when round ("1.500.000"); "612.345.678" is a
    // Spanish phone number.
    let thousands = thousands && (last.len() <= 2 || *last == "000");
    groups.iter().all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit())) && (thousands || decimals)
}

/// The year of a date as written, and whether it carries a time: `1980-03-12`, `12.03.1980`,
/// `3/12/1980 10:00`, `19800312`, `12 March 1980`. `None` for anything else.
fn date_year(v: &str) -> Option<(i32, bool)> {
    let v = v.trim();
    let has_time = v.contains(':');
    let date = v.split(['T', ' ']).next().unwrap_or(v);
    if date.len() == 8 && date.chars().all(|c| c.is_ascii_digit()) {
        let (y, m, d) =
            (date[..4].parse::<i32>().ok()?, date[4..6].parse::<u32>().ok()?, date[6..].parse::<u32>().ok()?);
        return ((1800..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, has_time));
    }
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    {
        let year = parts.iter().find(|p| p.len() == 4)?;
        let small: Vec<u32> = parts.iter().filter(|p| p.len() <= 2).filter_map(|p| p.parse().ok()).collect();
        if small.len() == 2 && small.iter().all(|&x| (1..=31).contains(&x)) && small.iter().any(|&x| x <= 12) {
            return Some((year.parse().ok()?, has_time));
        }
        return None;
    }
    // "12 March 1980", "March 12, 1980"
    let words: Vec<String> = header_key(v).split(' ').map(str::to_string).collect();
    let year = words.iter().find(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))?;
    let month =
        words.iter().any(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()) && month_of(w).is_some());
    (month && words.len() <= 6).then(|| Some((year.parse().ok()?, has_time))).flatten()
}

/// The month a name or abbreviation stands for, in the supported languages.
pub fn month_of(w: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["jan", "january", "januar", "gennaio", "styczen", "januari", "janvier", "enero", "janeiro", "leden"],
        &["feb", "february", "februar", "febbraio", "luty", "februari", "fevrier", "febrero", "fevereiro", "unor"],
        &["mar", "march", "marz", "maerz", "marzo", "marzec", "maret", "mars", "marco", "brezen"],
        &["apr", "april", "aprile", "kwiecien", "avril", "abril", "duben"],
        &["may", "mai", "maggio", "maj", "mei", "mayo", "maio", "kveten"],
        &["jun", "june", "juni", "giugno", "czerwiec", "juin", "junio", "junho", "cerven"],
        &["jul", "july", "juli", "luglio", "lipiec", "juillet", "julio", "julho", "cervenec"],
        &["aug", "august", "agosto", "sierpien", "agustus", "aout", "augusti", "srpen"],
        &["sep", "sept", "september", "settembre", "wrzesien", "septembre", "septiembre", "setembro", "zari"],
        &["oct", "october", "oktober", "ottobre", "pazdziernik", "octobre", "octubre", "outubro", "okt", "rijen"],
        &["nov", "november", "novembre", "listopad", "noviembre", "novembro"],
        &[
            "dec",
            "december",
            "dezember",
            "dicembre",
            "grudzien",
            "desember",
            "decembre",
            "diciembre",
            "dezembro",
            "dez",
            "prosinec",
        ],
    ];
    let w = w.trim_end_matches('.');
    MONTHS.iter().position(|names| names.contains(&w)).map(|i| i as u32 + 1)
}

/// How much a column looks like organisation names rather than people's: the share of values with an
/// organisation word or legal form (`src/data/organisation_words.txt`), a digit, or a joining word
/// ("of", "the", "&"), with single-word values counting half (people's full names have two words or more).
fn organisation_share(values: &[&str]) -> f64 {
    const JOINING: &[&str] = &["of", "the", "on", "at", "and", "for", "in", "und", "et", "zum", "zur"];
    if values.is_empty() {
        return 0.0;
    }
    let words = crate::schema::organisation_words();
    let score: f64 = values
        .iter()
        .map(|v| {
            let key = header_key(&v.replace('&', " and "));
            let ws: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
            if ws.iter().any(|w| words.contains(w) || JOINING.contains(w)) || v.chars().any(|c| c.is_ascii_digit()) {
                1.0
            } else if ws.len() == 1 {
                0.5
            } else {
                0.0
            }
        })
        .sum();
    score / values.len() as f64
}

/// Share of values with an organisation word, legal form, joining word or digit: one-word names alone
/// (a sign-up form of mononyms and first names) do not make a column organisations.
fn marked_share(values: &[&str]) -> f64 {
    share(values, |v| {
        let key = header_key(&v.replace('&', " and "));
        v.chars().any(|c| c.is_ascii_digit())
            || key
                .split(' ')
                .any(|w| crate::schema::organisation_words().contains(w) || ["of", "the", "and"].contains(&w))
    })
}

/// Share of an organisation-name column's values above which it holds organisations.
const ORGANISATION_SHARE: f64 = 0.25;

/// Header words of a column that may hold record numbers — or house numbers, or product codes: such
/// a column is the record id only if its values are unique.
const WEAK_ID_WORDS: &[&str] = &[
    "nr",
    "no",
    "n",
    "number",
    "nummer",
    "numer",
    "nomor",
    "numero",
    "code",
    "codice",
    "codigo",
    "ref",
    "reference",
    "referenz",
    "kennung",
    "identifier",
    "ident",
    "key",
];

pub(crate) fn is_weak_id_header(key: &str) -> bool {
    let ws: Vec<&str> = key.split(' ').collect();
    !ws.contains(&"id") && ws.iter().any(|w| WEAK_ID_WORDS.contains(w))
}

/// Refines the header mapping of one file by its values (see the module doc).
/// Refines the header mapping of one file by its values (see the module doc).
pub fn refine(path: &Path, columns: &mut [ColumnMap], frame: &DataFrame) -> Result<()> {
    let data = Values { frame, height: frame.height().max(1) };
    check_record_numbers(columns, &data)?;
    unmap_contradicted_headers(columns, &data);
    find_subscription_status(columns, &data);
    find_organisation_names(columns, &data);
    let unknown = map_unknown_by_values(columns, &data);
    find_birth_dates(columns, &data, &unknown);
    find_birth_date_parts(columns, &data);
    resolve_repeated_fields(columns, frame)?;
    check_birth_dates_agree(path, columns, frame)
}

/// A file's columns, as [`refine`] reads them.
struct Values<'a> {
    frame: &'a DataFrame,
    /// Rows (at least 1).
    height: usize,
}

impl Values<'_> {
    /// A sample of a column's values.
    fn of(&self, header: &str) -> Vec<&str> {
        self.frame.column(header).ok().and_then(|c| c.str().ok()).map(|c| sample(c, 2000)).unwrap_or_default()
    }

    /// The share of rows that have a value in the column.
    fn filled(&self, header: &str) -> f64 {
        self.frame.column(header).map(|c| (c.len() - c.null_count()) as f64 / self.height as f64).unwrap_or(0.0)
    }
}

fn has(columns: &[ColumnMap], f: Field) -> bool {
    columns.iter().any(|c| c.field == Some(f))
}

/// Record numbers: unique values, or not the id.
fn check_record_numbers(columns: &mut [ColumnMap], data: &Values) -> Result<()> {
    for c in columns.iter_mut().filter(|c| c.field == Some(Field::Id) && c.how == MappedBy::Header) {
        if is_weak_id_header(&header_key(&c.header)) {
            let col = data.frame.column(&c.header)?.str()?;
            let values: Vec<&str> = col.iter().flatten().collect();
            let distinct = values.iter().collect::<HashSet<_>>().len();
            let unique = distinct as f64 / values.len().max(1) as f64;
            if unique < 0.95 || data.filled(&c.header) < 0.9 {
                c.field = None;
                c.how = MappedBy::Values;
                c.evidence =
                    format!("headed like a record number, but only {:.0}% of its values are unique", unique * 100.0);
            } else {
                c.evidence = format!("record numbers: {:.0}% of its values are unique", unique * 100.0);
            }
        }
    }
    Ok(())
}

/// A header that its values contradict (a "Website" column of yes/no, an "Email Address" column of
/// dates: columns shifted in an export) maps nothing.
fn unmap_contradicted_headers(columns: &mut [ColumnMap], data: &Values) {
    for c in columns.iter_mut().filter(|c| c.how == MappedBy::Header) {
        let fits: fn(&str) -> bool = match c.field {
            Some(Field::Email) => |v| v.contains('@'),
            Some(Field::Website) => |v| is_url(v) || v.contains('.'),
            Some(Field::Phone | Field::Mobile | Field::Fax) => |v| v.chars().filter(char::is_ascii_digit).count() >= 5,
            Some(Field::BirthDate | Field::Created | Field::LastActivity | Field::ConsentDate) => {
                |v| date_year(v).is_some() || v.chars().any(|c| c.is_ascii_digit())
            }
            Some(Field::EmailOptOut | Field::DoNotCall) => |v| crate::text::yes_no(v).is_some(),
            _ => continue,
        };
        let values = data.of(&c.header);
        let s = share(&values, fits);
        if values.len() >= 10 && s < 0.2 {
            c.evidence = format!(
                "headed like {}, but only {:.0}% of its values look like one",
                c.field.map(|f| f.name()).unwrap_or_default(),
                s * 100.0
            );
            c.field = None;
            c.how = MappedBy::Values;
            c.confidence = 1.0 - s;
        }
    }
}

/// A mailing list's subscription status (Mailchimp's "Status": subscribed, unsubscribed, cleaned,
/// pending) under any header: whether the person opted out of email.
fn find_subscription_status(columns: &mut [ColumnMap], data: &Values) {
    if !has(columns, Field::EmailOptOut) {
        let status = |v: &str| {
            matches!(
                crate::text::alnum_key(v).as_str(),
                "subscribed" | "unsubscribed" | "cleaned" | "pending" | "transactional" | "archived"
            )
        };
        for c in columns.iter_mut().filter(|c| c.field.is_none()) {
            let values = data.of(&c.header);
            let s = share(&values, status);
            let out = values.iter().any(|v| crate::text::yes_no(v) == Some(true));
            if values.len() >= 2 && s >= 0.9 && out {
                c.field = Some(Field::EmailOptOut);
                c.how = MappedBy::Values;
                c.confidence = s;
                c.evidence = format!("{:.0}% of its values are a mailing list's subscription status", s * 100.0);
                break;
            }
        }
    }
}

/// Organisation names under a person-name header, in a file without split person names.
fn find_organisation_names(columns: &mut [ColumnMap], data: &Values) {
    let split_names = has(columns, Field::FirstName) || has(columns, Field::LastName);
    for c in columns.iter_mut().filter(|c| c.field == Some(Field::FullName) && c.how == MappedBy::Header) {
        let s = organisation_share(&data.of(&c.header));
        if !split_names && s >= ORGANISATION_SHARE && marked_share(&data.of(&c.header)) >= 0.1 {
            c.field = Some(Field::Company);
            c.how = MappedBy::Values;
            c.confidence = s.min(1.0);
            c.evidence = format!(
                "{:.0}% of its values look like organisations (organisation words, legal forms, numbers, one-word names)",
                s * 100.0
            );
        }
    }
}

/// Unknown columns by what they hold (a column headed like a code holds codes, not phone numbers).
fn map_unknown_by_values(columns: &mut [ColumnMap], data: &Values) -> Vec<usize> {
    let unknown: Vec<usize> =
        (0..columns.len()).filter(|&i| columns[i].field.is_none() && columns[i].how == MappedBy::Header).collect();
    for &i in &unknown {
        let values = data.of(&columns[i].header);
        if values.len() < 3 {
            continue;
        }
        let key = header_key(&columns[i].header);
        let code = key.split(' ').any(|w| w == "id" || WEAK_ID_WORDS.contains(&w));
        // A contact's own email or phone differs from row to row; one that repeats on most rows is
        // someone else's (the account owner's, the sales rep's, the venue's).
        let mut counts: HashMap<String, usize> = HashMap::new();
        for v in &values {
            *counts.entry(v.trim().to_lowercase()).or_default() += 1;
        }
        // (A person listed many times still has many different addresses in the column.)
        let own = counts.values().max().is_none_or(|&top| top * 10 <= values.len() * 3);
        let checks: [(Field, &str, f64); 3] = [
            (Field::Email, "email addresses", if own { share(&values, is_email) } else { 0.0 }),
            (Field::Phone, "phone numbers", if code || !own { 0.0 } else { share(&values, is_phone) }),
            (Field::Website, "web addresses", share(&values, is_url)),
        ];
        if let Some(&(field, what, s)) = checks.iter().find(|(_, _, s)| *s >= 0.8) {
            let c = &mut columns[i];
            c.field = Some(field);
            c.how = MappedBy::Values;
            c.confidence = s;
            c.evidence = format!("{:.0}% of its values are {what}", s * 100.0);
        }
    }
    unknown
}

/// Dates: a column of birth-like dates (no times, years from 1900 to ten years ago, many years).
fn find_birth_dates(columns: &mut [ColumnMap], data: &Values, unknown: &[usize]) {
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    if !has(columns, Field::BirthDate) {
        let mut birth: Option<(usize, f64)> = None;
        for &i in unknown {
            if columns[i].field.is_some() {
                continue;
            }
            let values = data.of(&columns[i].header);
            let dates: Vec<(i32, bool)> = values.iter().filter_map(|v| date_year(v)).collect();
            if values.len() < 3 || (dates.len() as f64) < 0.9 * values.len() as f64 {
                continue;
            }
            let birth_like = dates.iter().filter(|(y, t)| !t && (1900..=this_year - 10).contains(y)).count() as f64
                / dates.len() as f64;
            let years = dates.iter().map(|d| d.0).collect::<HashSet<_>>().len();
            if birth_like >= 0.95 && years >= 5.min(dates.len()) && birth.is_none_or(|(_, s)| birth_like > s) {
                birth = Some((i, birth_like));
            }
        }
        if let Some((i, s)) = birth {
            let c = &mut columns[i];
            c.field = Some(Field::BirthDate);
            c.how = MappedBy::Values;
            c.confidence = s;
            c.evidence =
                format!("{:.0}% of its values are dates of birth (no times, years 1900–{})", s * 100.0, this_year - 10);
        }
    }
}

/// Birth dates in day, month and year columns with names no table knows.
fn find_birth_date_parts(columns: &mut [ColumnMap], data: &Values) {
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    if !has(columns, Field::BirthDate) {
        let ints = |v: &str| v.trim().parse::<i64>().ok();
        let mut found: HashMap<Field, Vec<usize>> = HashMap::new();
        for (i, column) in columns.iter().enumerate() {
            if column.field.is_some() || column.how != MappedBy::Header {
                continue;
            }
            let values = data.of(&column.header);
            if values.len() < 10 {
                continue;
            }
            let nums: Vec<i64> = values.iter().filter_map(|v| ints(v)).collect();
            let months = values.iter().filter(|v| month_of(&header_key(v)).is_some()).count();
            let all = |f: &dyn Fn(i64) -> bool| nums.len() == values.len() && nums.iter().all(|&n| f(n));
            let max = nums.iter().copied().max().unwrap_or(0);
            let part = if all(&|n| (1880..=this_year as i64).contains(&n)) && values.iter().all(|v| v.trim().len() == 4)
            {
                Some(Field::BirthYear)
            } else if months == values.len() || (all(&|n| (1..=12).contains(&n)) && max >= 10) {
                Some(Field::BirthMonth)
            } else if all(&|n| (1..=31).contains(&n)) && max > 12 {
                Some(Field::BirthDay)
            } else {
                None
            };
            if let Some(p) = part {
                found.entry(p).or_default().push(i);
            }
        }
        for part in [Field::BirthYear, Field::BirthMonth, Field::BirthDay] {
            let mapped = has(columns, part);
            let Some(candidates) = found.get(&part) else { continue };
            // Only a part that completes the date, and only one column per part.
            let others_there = [Field::BirthYear, Field::BirthMonth, Field::BirthDay]
                .iter()
                .filter(|&&p| p != part)
                .all(|&p| has(columns, p) || found.get(&p).is_some_and(|c| c.len() == 1));
            if mapped || candidates.len() != 1 || !others_there {
                continue;
            }
            let c = &mut columns[candidates[0]];
            c.field = Some(part);
            c.how = MappedBy::Values;
            c.confidence = 0.9;
            c.evidence = format!(
                "its values are {} of a date, beside the other parts",
                part.name().trim_start_matches("birth_")
            );
        }
    }
}

/// Several columns, one field: a column that repeats another's name on most rows is a copy (a
/// shop's billing and shipping name, a display name) and is left out; a second given name is the
/// middle name; a second surname stays, as part of a compound surname; two birth dates must agree.
fn resolve_repeated_fields(columns: &mut [ColumnMap], frame: &DataFrame) -> Result<()> {
    for field in [Field::FirstName, Field::LastName, Field::FullName] {
        let same: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].field == Some(field)).collect();
        for &j in same.iter().skip(1) {
            let i = same[0];
            let (ci, cj) = (frame.column(&columns[i].header)?.str()?, frame.column(&columns[j].header)?.str()?);
            let (mut both, mut equal) = (0usize, 0usize);
            for r in 0..frame.height() {
                if let (Some(x), Some(y)) = (ci.get(r), cj.get(r)) {
                    both += 1;
                    equal += usize::from(header_key(x) == header_key(y));
                }
            }
            if both > 0 && equal * 2 > both {
                let first = columns[i].header.clone();
                let c = &mut columns[j];
                c.field = None;
                // Not a generic attribute either: it would count the name twice.
                c.how = MappedBy::Ignored;
                c.confidence = equal as f64 / both as f64;
                c.evidence = format!(
                    "repeats \"{first}\" on {:.0}% of rows (a copy, such as a shipping name)",
                    c.confidence * 100.0
                );
            }
        }
    }
    let firsts: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].field == Some(Field::FirstName)).collect();
    if firsts.len() >= 2 && !has(columns, Field::MiddleName) {
        let first = columns[firsts[0]].header.clone();
        let c = &mut columns[firsts[1]];
        c.field = Some(Field::MiddleName);
        c.how = MappedBy::Values;
        c.evidence = format!("the second given-name column (the first is \"{first}\")");
    }
    Ok(())
}

/// Two birth-date columns must agree.
fn check_birth_dates_agree(path: &Path, columns: &[ColumnMap], frame: &DataFrame) -> Result<()> {
    let births: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].field == Some(Field::BirthDate)).collect();
    if births.len() >= 2 {
        let (a, b) = (&columns[births[0]].header, &columns[births[1]].header);
        let (ca, cb) = (frame.column(a)?.str()?, frame.column(b)?.str()?);
        // The same date written two ways ("1961-08-31" / "31.08.1961") has the same digits.
        let digits = |v: &str| {
            let mut d: Vec<char> = v.chars().filter(char::is_ascii_digit).collect();
            d.sort_unstable();
            d
        };
        let both: Vec<usize> = (0..frame.height()).filter(|&r| ca.get(r).is_some() && cb.get(r).is_some()).collect();
        let differ: Vec<usize> = both
            .iter()
            .copied()
            .filter(|&r| digits(ca.get(r).unwrap_or("")) != digits(cb.get(r).unwrap_or("")))
            .collect();
        // A typo here and there is data; a column of other dates is another field.
        if differ.len() * 20 > both.len() {
            let row = differ[0];
            return Err(Error::input(
                path,
                None,
                format!(
                    "has two birth-date columns, \"{a}\" and \"{b}\", that disagree on {} of {} rows (first at data row {})",
                    differ.len(),
                    both.len(),
                    row + 1
                ),
                format!("say which one is the birth date: --map \"{a}=birth_date\" --map \"{b}=ignore\" (or the other way round)"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(cols: &[(&str, &[&str])]) -> DataFrame {
        let columns: Vec<Column> = cols
            .iter()
            .map(|(h, vs)| {
                let ca: StringChunked = vs.iter().map(|v| if v.is_empty() { None } else { Some(*v) }).collect();
                Column::from(ca.with_name((*h).into()).into_series())
            })
            .collect();
        DataFrame::new(cols[0].1.len(), columns).unwrap()
    }

    fn mapped(cols: &[(&str, &[&str])]) -> Vec<(String, Option<Field>, &'static str)> {
        let f = frame(cols);
        let mut columns: Vec<ColumnMap> =
            cols.iter().map(|(h, _)| ColumnMap::by_header(h, crate::schema::guess_field(h))).collect();
        refine(Path::new("t.csv"), &mut columns, &f).unwrap();
        columns.into_iter().map(|c| (c.header, c.field, c.how.name())).collect()
    }

    #[test]
    fn a_column_of_emails_named_kontakt_is_the_email() {
        let m = mapped(&[
            ("Name", &["Anna Rossi", "Jan Nowak", "Budi Santoso", "Marie Curie"]),
            ("Kontakt", &["anna@x.it", "jan.nowak@onet.pl", "budi@mail.co.id", "m.curie@free.fr"]),
            ("Rufnummer", &["+49 30 1234567", "0171 2345678", "(030) 123-4567", "+62 812 3456 789"]),
            ("Web", &["www.x.it", "https://onet.pl", "mail.co.id/budi", "free.fr"]),
        ]);
        assert_eq!(m[1].1, Some(Field::Email));
        assert_eq!(m[1].2, "values");
        assert_eq!(m[2].1, Some(Field::Phone));
        assert_eq!(m[3].1, Some(Field::Website));
    }

    #[test]
    fn a_shipping_name_that_repeats_the_billing_name_is_a_copy() {
        let m = mapped(&[
            ("billing_first_name", &["Anna", "Jan", "Budi", "Marie"]),
            ("billing_last_name", &["Rossi", "Nowak", "Santoso", "Curie"]),
            ("shipping_first_name", &["Anna", "Jan", "Budi", "Pierre"]),
            ("shipping_last_name", &["Rossi", "Nowak", "Santoso", "Curie"]),
        ]);
        assert_eq!(m[0].1, Some(Field::FirstName));
        assert_eq!(m[1].1, Some(Field::LastName));
        assert_eq!((m[2].1, m[3].1), (None, None), "{m:?}");
    }

    #[test]
    fn amounts_and_an_owner_email_repeated_on_every_row_are_not_the_contact_s() {
        let m = mapped(&[
            ("Name", &["Anna Rossi", "Jan Nowak", "Budi Santoso", "Marie Curie", "John Smith", "Li Na"]),
            (
                "Betreuer",
                &["rep@firma.de", "rep@firma.de", "rep@firma.de", "boss@firma.de", "rep@firma.de", "rep@firma.de"],
            ),
            ("Umsatz", &["1.500.000", "2,750,000.00", "1500000.50", "12.000.000", "980.000", "3.400.000"]),
        ]);
        assert_eq!(m[1].1, None, "an owner's email repeated on most rows");
        assert_eq!(m[2].1, None, "amounts");
        for phone in ["030.123.456", "+49 30 1234567", "555.123.4567", "(030) 123-4567", "0171 2345678", "612.345.678"]
        {
            assert!(is_phone(phone), "{phone}");
        }
    }

    #[test]
    fn a_name_column_of_restaurants_is_an_organisation() {
        let names: &[&str] = &[
            "arnie mortons of chicago",
            "arts delicatessen",
            "hotel bel-air",
            "cafe bizou",
            "campanile",
            "chinois on main",
            "citrus",
            "fenix",
            "granita",
            "grill on the alley",
            "le chardonnay",
            "patina",
        ];
        assert_eq!(mapped(&[("name", names)])[0].1, Some(Field::Company));
        let people: &[&str] = &["Anna Rossi", "Jan Nowak", "Budi Santoso", "Marie Curie", "John Smith", "Li Na"];
        assert_eq!(mapped(&[("name", people)])[0].1, Some(Field::FullName));
    }

    #[test]
    fn three_date_part_columns_with_unfamiliar_names_are_the_birth_date() {
        let years: Vec<String> = (0..12).map(|i| (1950 + i * 3).to_string()).collect();
        let months: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
        let days: Vec<String> = (0..12).map(|i| (3 + i * 2).to_string()).collect();
        fn r(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        let (y, m, d) = (r(&years), r(&months), r(&days));
        let got = mapped(&[("jj", &y), ("mm_x", &m), ("tt", &d)]);
        assert_eq!(
            got.iter().map(|c| c.1).collect::<Vec<_>>(),
            vec![Some(Field::BirthYear), Some(Field::BirthMonth), Some(Field::BirthDay)]
        );
        // A column of dates of birth under a header that says only "date".
        let dob: &[&str] = &["1961-08-31", "1975-01-02", "1980-12-24", "1990-07-07", "1955-03-15", "1968-11-11"];
        assert_eq!(mapped(&[("date", dob)])[0].1, Some(Field::BirthDate));
        let events: &[&str] = &["2024-08-31 10:00", "2025-01-02 11:00", "2023-12-24 09:30", "2025-07-07 08:00"];
        assert_eq!(mapped(&[("date", events)])[0].1, None);
    }

    #[test]
    fn a_column_of_na_is_empty() {
        let mut f = frame(&[
            ("given_name_c2", &["NA", "NA", "Maria", "NA", "-"]),
            ("count", &["0", "0", "3", "1", "0"]),
            ("surname", &["Na", "Rossi", "Nowak", "Li", "Kim"]),
        ]);
        let found = blank_missing_tokens(&mut f).unwrap();
        let col = f.column("given_name_c2").unwrap().str().unwrap();
        assert_eq!(col.iter().collect::<Vec<_>>(), vec![None, None, Some("Maria"), None, None]);
        assert_eq!(found[0], MissingToken { header: "given_name_c2".into(), token: "NA".into(), cells: 3 });
        // Zeros in a column of numbers are numbers; a surname "Na" met once is a surname.
        assert_eq!(f.column("count").unwrap().null_count(), 0);
        assert_eq!(f.column("surname").unwrap().null_count(), 0);

        // Repeated, a Korean surname Na or Namibia's code is still a value: rare among surnames,
        // and NA among country codes.
        let surnames: Vec<String> =
            (0..120).map(|i| if i % 40 == 0 { "Na".into() } else { format!("Kim{i}") }).collect();
        let countries: Vec<&str> = (0..120).map(|i| ["DE", "NA", "ZA", "FR"][i % 4]).collect();
        let surnames: Vec<&str> = surnames.iter().map(String::as_str).collect();
        let mut f = frame(&[("surname", &surnames), ("country", &countries)]);
        assert!(blank_missing_tokens(&mut f).unwrap().is_empty());
    }

    #[test]
    fn a_second_given_name_column_is_the_middle_name_and_record_numbers_must_be_unique() {
        let m = mapped(&[
            ("given_name_c1", &["anna", "jan", "budi"]),
            ("given_name_c2", &["maria", "", "eko"]),
            ("Nr", &["1", "1", "2"]),
        ]);
        assert_eq!(m[0].1, Some(Field::FirstName));
        assert_eq!(m[1].1, Some(Field::MiddleName));
        assert_eq!(m[2].1, None, "house numbers, not record numbers");
        assert_eq!(mapped(&[("Lead-Nr", &["L-1", "L-2", "L-3"])])[0].1, Some(Field::Id));
    }

    #[test]
    fn two_birth_date_columns_that_disagree_are_refused() {
        let headers = ["dob", "date_of_birth"];
        let columns = || -> Vec<ColumnMap> {
            headers.iter().map(|h| ColumnMap::by_header(h, crate::schema::guess_field(h))).collect()
        };
        let f = frame(&[("dob", &["1961-08-31", "1975-01-02"]), ("date_of_birth", &["1961-08-31", "1983-07-14"])]);
        let e = refine(Path::new("t.csv"), &mut columns(), &f).unwrap_err().to_string();
        assert!(e.contains("\"dob\"") && e.contains("\"date_of_birth\"") && e.contains("--map"), "{e}");
        // The same dates written two ways agree.
        let f = frame(&[("dob", &["1961-08-31", "1975-01-02"]), ("date_of_birth", &["31.08.1961", "02.01.1975"])]);
        assert!(refine(Path::new("t.csv"), &mut columns(), &f).is_ok());
    }
}
