//! Step 2, normalize: turn each ingested row into a [`Contact`] of standardized match keys.
//!
//! One file per field kind (text folding is [`crate::text`], shared with ingest): [`name`], [`email`], [`phone`], [`company`], [`address`], [`date`],
//! [`tags`]. Display values stay in the ingested frames; a `Contact` holds the keys that matching
//! compares, plus quality flags. Contacts are numbered densely (`u32`) in input order: source by
//! source, row by row. Rows are normalized in parallel with rayon; the result does not depend on the
//! thread count.

pub mod address;
pub mod company;
pub mod date;
pub mod email;
pub mod name;
pub mod phone;
pub mod tags;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use crate::config::Config;
use crate::error::Result;
use crate::ingest::{Ingested, Source};
use crate::schema::Field;
use crate::text;
use date::DayOrder;
use email::Email;
use phone::Phone;

/// Quality flags of one contact (bits of [`Contact::flags`]).
pub mod flag {
    pub const INVALID_EMAIL: u16 = 1;
    pub const PLACEHOLDER_EMAIL: u16 = 1 << 1;
    pub const ROLE_EMAIL: u16 = 1 << 2;
    pub const INVALID_PHONE: u16 = 1 << 3;
    pub const INVALID_DATE: u16 = 1 << 4;
    pub const NO_NAME: u16 = 1 << 5;
    pub const NO_CONTACT_POINT: u16 = 1 << 6;
    pub const UNKNOWN_COUNTRY: u16 = 1 << 7;
    pub const STALE: u16 = 1 << 8;
    pub const PAST_RETENTION: u16 = 1 << 9;
    /// Another row of the same source carries the same record id.
    pub const DUPLICATE_ID: u16 = 1 << 10;
    /// The record is an organisation (account, site, restaurant, company): its source has
    /// organisation names and no person names. Never merged with a person.
    pub const ORGANISATION: u16 = 1 << 11;
}

/// A short string stored inline (up to 24 bytes) instead of on the heap: most keys of a contact fit,
/// which saves an allocation per field and about half the memory of a contact.
pub type Text = compact_str::CompactString;

/// The normalized match keys of one input row. Empty strings mean "no value".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    /// Index of the source in [`Ingested::sources`].
    pub source: u16,
    /// Row in the source's frame.
    pub row: u32,
    /// Names for display (golden records): first, middle, last, in display case.
    pub display_name: [Text; 3],
    /// First-name key ([`name::name_key`]).
    pub first: Text,
    /// First-name key with nicknames resolved ([`name::canonical_first`]).
    pub first_canon: Text,
    /// Middle-name key.
    pub middle: Text,
    /// Last-name key.
    pub last: Text,
    /// Double Metaphone of the first name (nickname resolved).
    pub first_phonetic: Text,
    /// Double Metaphone of the last name.
    pub last_phonetic: Text,
    /// Every email cell, primary first.
    pub emails: Vec<Email>,
    /// Every phone and mobile cell, parsed.
    pub phones: Vec<Phone>,
    pub company: Text,
    /// Street key ([`address::street_key`]) without the house number.
    pub street: Text,
    /// House number (digits and letters).
    pub street_number: Text,
    /// Second address line key.
    pub street2: Text,
    pub city: Text,
    pub postcode: Text,
    /// ISO 3166 alpha-2, or empty.
    pub country: Text,
    pub birth: Option<NaiveDate>,
    /// From a gender column or an honorific (Herr/Frau, Pan/Pani, Mr/Ms, ...).
    pub gender: Option<name::Gender>,
    pub national_id: Text,
    pub created: Option<NaiveDate>,
    pub last_activity: Option<NaiveDate>,
    /// Keys of the unrecognised columns chosen for generic comparison ([`choose_extras`]).
    pub extras: [Text; MAX_EXTRAS],
    /// Quality flags ([`flag`]).
    pub flags: u16,
}

/// How many unrecognised columns are compared generically.
pub const MAX_EXTRAS: usize = 3;

/// An unrecognised column (by header, across sources) that matching compares by what it holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Extra {
    /// The header as written in the first source that has it.
    pub header: String,
    /// What the values look like: `date`, `number`, `code` or `text`; or `identifier`, a code that
    /// repeats across rows, compared as the national id.
    pub kind: &'static str,
    /// Sources that have the column.
    pub sources: usize,
    /// Share of non-empty cells.
    pub filled: f64,
    /// Distinct values / non-empty cells, on a sample.
    pub distinct: f64,
    /// Header of the column in each source (`None` where the source lacks it).
    #[serde(skip)]
    pub columns: Vec<Option<String>>,
}

/// Picks up to [`MAX_EXTRAS`] columns the header mapping did not recognise and that look like they
/// identify people (at least 30% filled, at least 30% distinct values, short values — not notes, not
/// a status or a yes/no flag), so an unfamiliar export still dedupes on them. Columns present in several sources come first.
pub fn choose_extras(ingested: &Ingested) -> Vec<Extra> {
    let mut by_key: std::collections::BTreeMap<String, Extra> = Default::default();
    let n_sources = ingested.sources.len();
    for (si, source) in ingested.sources.iter().enumerate() {
        for c in source.columns.iter().filter(|c| {
            c.field.is_none() && matches!(c.how, crate::ingest::MappedBy::Header | crate::ingest::MappedBy::Values)
        }) {
            let key = crate::schema::header_key(&c.header);
            if key.is_empty() || key.starts_with("column ") || is_bookkeeping(&key) {
                continue;
            }
            let Ok(col) = source.frame.column(&c.header).and_then(|col| col.str().cloned()) else { continue };
            let height = source.frame.height().max(1);
            let values: Vec<&str> = col.iter().take(20_000).flatten().collect();
            let filled = (source.frame.height() - col.null_count()) as f64 / height as f64;
            let distinct =
                values.iter().collect::<std::collections::HashSet<_>>().len() as f64 / values.len().max(1) as f64;
            let avg_len = values.iter().map(|v| v.chars().count()).sum::<usize>() as f64 / values.len().max(1) as f64;
            if filled < 0.3 || distinct < 0.3 || avg_len > 40.0 || values.len() < 2 {
                continue;
            }
            let kind = value_kind(&values);
            let e = by_key.entry(key).or_insert_with(|| Extra {
                header: c.header.clone(),
                kind,
                sources: 0,
                filled: 0.0,
                distinct: 0.0,
                columns: vec![None; n_sources],
            });
            e.sources += 1;
            e.filled = e.filled.max(filled);
            e.distinct = e.distinct.max(distinct);
            e.columns[si] = Some(c.header.clone());
        }
    }
    let mut extras: Vec<Extra> = by_key
        .into_values()
        // A column unique per row in a single file identifies rows, not people.
        .filter(|e| e.sources > 1 || e.distinct < 0.999)
        .collect();
    extras.sort_by(|a, b| {
        b.sources.cmp(&a.sources).then(b.distinct.total_cmp(&a.distinct)).then(a.header.cmp(&b.header))
    });
    // A code that repeats across rows (a member or tax number the duplicates share) is an identifier,
    // compared like a national id — unless the inputs already have one.
    let has_national_id = ingested.sources.iter().any(|s| s.columns_for(Field::NationalId).next().is_some());
    if !has_national_id {
        if let Some(e) =
            extras.iter_mut().find(|e| matches!(e.kind, "code" | "number") && e.distinct >= 0.3 && e.distinct < 0.999)
        {
            e.kind = "identifier";
        }
    }
    extras.sort_by_key(|e| e.kind != "identifier");
    // Recognised attributes that describe a person without identifying them (birth place,
    // occupation) come first: compared as text, their weight is what the model measures.
    let mut attributes: Vec<Extra> = Vec::new();
    for field in [Field::BirthPlace, Field::Occupation] {
        let columns: Vec<Option<String>> =
            ingested.sources.iter().map(|s| s.columns_for(field).next().map(str::to_string)).collect();
        let sources = columns.iter().flatten().count();
        if let Some(header) = columns.iter().flatten().next().cloned() {
            attributes.push(Extra { header, kind: "text", sources, filled: 1.0, distinct: 0.0, columns });
        }
    }
    let at = extras.iter().take_while(|e| e.kind == "identifier").count();
    extras.splice(at..at, attributes);
    extras.truncate(MAX_EXTRAS);
    extras
}

/// Columns that describe the export, not the person: consent and tracking fields, scores, owners,
/// statuses, geolocation of an IP. They are never compared.
fn is_bookkeeping(key: &str) -> bool {
    const WORDS: &[&str] = &[
        "ip",
        "latitude",
        "longitude",
        "lat",
        "lng",
        "lon",
        "timezone",
        "gmtoff",
        "dstoff",
        "checksum",
        "rating",
        "score",
        "optin",
        "confirm",
        "status",
        "source",
        "owner",
        "notes",
        "note",
        "description",
        "comment",
        "comments",
        "consent",
        "unsubscribed",
        "bounced",
        "opens",
        "clicks",
        "stage",
        "campaign",
        "utm",
        "count",
        "version",
        "flag",
        "modified",
        "created",
        "updated",
        "date",
        "time",
        "by",
    ];
    key.split(' ').any(|w| WORDS.contains(&w))
}

fn value_kind(values: &[&str]) -> &'static str {
    let share = |f: &dyn Fn(&str) -> bool| values.iter().filter(|v| f(v)).count() as f64 / values.len().max(1) as f64;
    if share(&|v| date::parse_date(v, DayOrder::DayFirst).is_some()) >= 0.8 {
        "date"
    } else if share(&|v| v.trim().parse::<f64>().is_ok()) >= 0.8 {
        "number"
    } else if share(&|v| {
        let v = v.trim();
        // Member, customer or tax numbers: one token of digits (and letters), no decimals or IPs.
        v.len() >= 5 && !v.contains([' ', '.', ',']) && v.chars().any(|c| c.is_ascii_digit())
    }) >= 0.8
    {
        "code"
    } else {
        "text"
    }
}

/// The comparable key of an extra value.
fn extra_key(kind: &str, v: &str, order: DayOrder) -> String {
    match kind {
        "date" => {
            date::parse_date(v, order).map(|d| d.format("%Y%m%d").to_string()).unwrap_or_else(|| text::alnum_key(v))
        }
        "number" | "code" | "identifier" => {
            v.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
        }
        _ => text::alnum_key(v),
    }
}

impl Contact {
    /// Personal email keys (valid, not role or placeholder).
    pub fn personal_emails(&self) -> impl Iterator<Item = &Email> {
        self.emails.iter().filter(|e| e.personal())
    }
    /// Phone keys that can identify a person (valid numbers).
    pub fn valid_phones(&self) -> impl Iterator<Item = &Phone> {
        self.phones.iter().filter(|p| p.valid)
    }
}

/// Parsed phone numbers by (number as written, region for national numbers).
type PhoneCache = polars::prelude::PlHashMap<(String, Option<String>), (String, bool)>;

/// Normalizes every source. Contact `i` of the result is row `i - offset(source)` of its source.
pub fn normalize(ingested: &Ingested, cfg: &Config, extras: &[Extra]) -> Result<Vec<Contact>> {
    normalize_with_progress(ingested, cfg, extras, &indicatif::ProgressBar::hidden())
}

/// [`normalize`], advancing `progress` by the records normalized.
pub fn normalize_with_progress(
    ingested: &Ingested,
    cfg: &Config,
    extras: &[Extra],
    progress: &indicatif::ProgressBar,
) -> Result<Vec<Contact>> {
    // Every source's contacts are written straight into one list: a million contacts take about
    // 600 MB, and building each source's list apart and copying it over touched that memory twice.
    let mut out = Vec::with_capacity(ingested.record_count());
    for (si, source) in ingested.sources.iter().enumerate() {
        normalize_source(si as u16, source, cfg, extras, progress, &mut out)?;
    }
    Ok(out)
}

/// Records between two progress updates.
const PROGRESS_STEP: usize = 4096;

/// The string columns of a source mapped to one field.
fn cols(source: &Source, field: Field) -> Result<Vec<&StringChunked>> {
    source.columns_for(field).map(|h| Ok(source.frame.column(h)?.str()?)).collect()
}

fn first_value<'a>(cols: &[&'a StringChunked], row: usize) -> Option<&'a str> {
    cols.iter().filter_map(|c| c.get(row)).find(|v| !text::is_placeholder(v))
}

/// Every value of the columns in one row, in column order, joined with spaces.
fn joined_values(cols: &[&StringChunked], row: usize) -> String {
    let mut out = String::new();
    for v in cols.iter().filter_map(|c| c.get(row)).filter(|v| !text::is_placeholder(v)) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(v.trim());
    }
    out
}

fn normalize_source(
    si: u16,
    source: &Source,
    cfg: &Config,
    extras: &[Extra],
    progress: &indicatif::ProgressBar,
    out: &mut Vec<Contact>,
) -> Result<()> {
    let cols = Columns::new(si, source, cfg, extras)?;
    let height = source.frame.height();
    // Phone numbers are parsed beside the other fields, in parallel (each thread compiles the
    // metadata's patterns it meets once: phone::fast_parse). A number met twice is parsed once per
    // part of the work.
    let parse_phones = || -> Vec<Vec<Phone>> {
        (0..height).into_par_iter().map_init(PhoneCache::default, |cache, row| cols.phones(cache, row)).collect()
    };
    let start = out.len();
    let normalize_rows = || {
        out.par_extend((0..height).into_par_iter().map(|row| {
            let k = cols.contact(row);
            if row % PROGRESS_STEP == 0 {
                progress.inc(PROGRESS_STEP.min(height - row) as u64);
            }
            k
        }))
    };
    let (phones_of_row, ()) = rayon::join(parse_phones, normalize_rows);
    out[start..].par_iter_mut().zip(phones_of_row).for_each(|(k, phones)| set_phones(k, phones));
    Ok(())
}

/// A row's phone numbers, each once, in order, and the flags they raise.
fn set_phones(k: &mut Contact, mut phones: Vec<Phone>) {
    if phones.iter().any(|p| !p.valid) {
        k.flags |= flag::INVALID_PHONE;
    }
    let mut i = 0;
    while i < phones.len() {
        if phones[..i].iter().any(|o| o.key == phones[i].key) {
            phones.remove(i);
        } else {
            i += 1;
        }
    }
    k.phones = phones;
    if k.emails.is_empty() && k.phones.is_empty() && k.street.is_empty() {
        k.flags |= flag::NO_CONTACT_POINT;
    }
}

/// A source's columns, field by field, and what holds for all of its rows.
struct Columns<'a> {
    si: u16,
    source: &'a Source,
    first: Vec<&'a StringChunked>,
    middle: Vec<&'a StringChunked>,
    last: Vec<&'a StringChunked>,
    full: Vec<&'a StringChunked>,
    salutation: Vec<&'a StringChunked>,
    emails: Vec<&'a StringChunked>,
    /// Phone and mobile columns.
    phones: Vec<&'a StringChunked>,
    company: Vec<&'a StringChunked>,
    number: Vec<&'a StringChunked>,
    street: Vec<&'a StringChunked>,
    street2: Vec<&'a StringChunked>,
    city: Vec<&'a StringChunked>,
    postcode: Vec<&'a StringChunked>,
    country: Vec<&'a StringChunked>,
    /// Birth date, and its year, month and day columns.
    birth: Vec<&'a StringChunked>,
    birth_parts: [Vec<&'a StringChunked>; 3],
    gender: Vec<&'a StringChunked>,
    national_id: Vec<&'a StringChunked>,
    created: Vec<&'a StringChunked>,
    activity: Vec<&'a StringChunked>,
    /// The source's usual country, the default for phone numbers written without one.
    usual_country: Option<String>,
    /// The day order of the birth, created and last-activity columns.
    orders: [DayOrder; 3],
    /// Every extra comparison's column here, its kind and day order.
    extras: Vec<Option<(&'a StringChunked, &'static str, DayOrder)>>,
    /// The source lists organisations, not people.
    organisations: bool,
    duplicate_ids: std::collections::HashSet<&'a str>,
    stale_cutoff: NaiveDate,
    retention_cutoff: Option<NaiveDate>,
}

impl<'a> Columns<'a> {
    fn new(si: u16, source: &'a Source, cfg: &Config, extras: &[Extra]) -> Result<Self> {
        let c = |f| cols(source, f);
        let phones: Vec<_> = c(Field::Phone)?.into_iter().chain(c(Field::Mobile)?).collect();
        let country = c(Field::Country)?;
        // The source's usual country: from its country column, else the configured default region, else
        // the country most of its internationally written phone numbers belong to. It decides defaults
        // for phones and dates.
        let usual_country = dominant_country(&country, source.frame.height())
            .or(cfg.default_region.clone())
            .or_else(|| phone::dominant_region(phones.iter().flat_map(|c| c.iter().flatten())));
        let fallback = if usual_country.as_deref() == Some("US") { DayOrder::MonthFirst } else { DayOrder::DayFirst };
        let order_of = |cols: &[&StringChunked]| detect_order(cols.iter().flat_map(|c| c.iter().flatten()), fallback);
        let (birth, created, activity) = (c(Field::BirthDate)?, c(Field::Created)?, c(Field::LastActivity)?);
        let orders = [order_of(&birth), order_of(&created), order_of(&activity)];
        let extras = extras
            .iter()
            .map(|e| {
                let h = e.columns.get(si as usize)?.as_ref()?;
                let col = source.frame.column(h).ok()?.str().ok()?;
                Some((col, e.kind, detect_order(col.iter().flatten(), fallback)))
            })
            .collect();
        let (first, last, full, company) =
            (c(Field::FirstName)?, c(Field::LastName)?, c(Field::FullName)?, c(Field::Company)?);
        let organisations = !company.is_empty() && first.is_empty() && last.is_empty() && full.is_empty();
        let today = chrono::Utc::now().date_naive();
        Ok(Columns {
            si,
            source,
            first,
            middle: c(Field::MiddleName)?,
            last,
            full,
            salutation: c(Field::Salutation)?,
            emails: c(Field::Email)?,
            phones,
            company,
            number: c(Field::StreetNumber)?,
            street: c(Field::Street)?,
            street2: c(Field::Street2)?,
            city: c(Field::City)?,
            postcode: c(Field::PostalCode)?,
            country,
            birth,
            birth_parts: [c(Field::BirthYear)?, c(Field::BirthMonth)?, c(Field::BirthDay)?],
            gender: c(Field::Gender)?,
            national_id: c(Field::NationalId)?,
            created,
            activity,
            usual_country,
            orders,
            extras,
            organisations,
            duplicate_ids: source.duplicate_ids.iter().map(String::as_str).collect(),
            stale_cutoff: today - chrono::Duration::days(cfg.stale_after_days as i64),
            retention_cutoff: cfg.retention_days.map(|d| today - chrono::Duration::days(d as i64)),
        })
    }

    /// A row's phone numbers, parsed (a number met before by this part of the work is taken from `cache`).
    fn phones(&self, cache: &mut PhoneCache, row: usize) -> Vec<Phone> {
        let cells: Vec<&str> = self.phones.iter().filter_map(|c| c.get(row)).collect();
        if cells.is_empty() {
            return Vec::new();
        }
        let own = first_value(&self.country, row).and_then(crate::countries::country_code);
        let region = own.or(self.usual_country.as_deref());
        cells
            .into_iter()
            .filter_map(phone::prepare)
            .map(|p| {
                let key = (p.number, if p.international { None } else { region.map(str::to_string) });
                let (e164, valid) = cache.entry(key).or_insert_with_key(|(n, r)| phone::parse(n, r.as_deref())).clone();
                Phone { key: e164.into(), valid, extension: p.extension.into() }
            })
            .collect()
    }

    /// A row's contact, all but its phone numbers.
    fn contact(&self, row: usize) -> Contact {
        let mut k = Contact { source: self.si, row: row as u32, ..Default::default() };
        let honorific = self.names(row, &mut k);
        let country = first_value(&self.country, row);
        k.country = country.and_then(crate::countries::country_code).map(Text::from).unwrap_or_default();
        if k.country.is_empty() && country.is_some() {
            k.flags |= flag::UNKNOWN_COUNTRY;
        }
        for col in &self.emails {
            if let Some(e) = col.get(row).and_then(email::normalize_email) {
                if !e.valid {
                    k.flags |= flag::INVALID_EMAIL;
                } else if e.placeholder {
                    k.flags |= flag::PLACEHOLDER_EMAIL;
                } else if e.role {
                    k.flags |= flag::ROLE_EMAIL;
                }
                if !k.emails.iter().any(|o| o.key == e.key) {
                    k.emails.push(e);
                }
            }
        }
        k.company = first_value(&self.company, row).map(company::company_key).unwrap_or_default().into();
        self.address(row, &mut k);
        self.dates(row, &mut k);
        k.gender = first_value(&self.gender, row).and_then(name::gender_of).or_else(|| name::gender_of(&honorific));
        k.national_id = first_value(&self.national_id, row)
            .map(|v| v.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect())
            .unwrap_or_default();
        for (slot, col) in self.extras.iter().enumerate() {
            if let Some((col, kind, order)) = col {
                if let Some(v) = col.get(row).filter(|v| !text::is_placeholder(v)) {
                    let key = extra_key(kind, v, *order);
                    if *kind == "identifier" {
                        k.national_id = key.into();
                    } else {
                        k.extras[slot] = key.into();
                    }
                }
            }
        }
        self.flag_record(row, &mut k);
        k
    }

    /// A row's name keys and display names; returns the honorifics its cells had.
    fn names(&self, row: usize, k: &mut Contact) -> String {
        // Split columns win; a full-name column fills what they lack.
        let first_raw = first_value(&self.first, row);
        let mut f = first_raw.map(name::strip_honorific).unwrap_or_default();
        let mut honorific = first_value(&self.salutation, row).map(str::to_string).unwrap_or_default();
        if let Some(raw) = first_raw {
            // The honorific is what the cell had before the name ("Dr. Anna" → "Dr. ").
            if let Some(prefix) = raw.trim().strip_suffix(f.as_str()) {
                honorific.push(' ');
                honorific.push_str(prefix);
            } else if f.is_empty() || raw.len() > f.len() {
                honorific.push(' ');
                honorific.push_str(raw);
            }
        }
        let mut m = first_value(&self.middle, row).map(str::to_string).unwrap_or_default();
        // A second surname column ("surname_c2", "Segundo apellido") makes a compound surname.
        let mut l = joined_values(&self.last, row);
        if let Some(fullv) = first_value(&self.full, row) {
            let p = name::split_full_name(fullv);
            honorific.push(' ');
            honorific.push_str(&p.salutation);
            if f.is_empty() && l.is_empty() {
                (f, m, l) = (p.first, p.middle, p.last);
            } else if l.is_empty() && !p.last.is_empty() {
                l = p.last;
            } else if f.is_empty() {
                f = p.first;
            }
        }
        if f.contains(' ') && m.is_empty() {
            // "Anna Maria" in a first-name cell: the first word is the given name for matching.
            let (a, b) = f.split_once(' ').unwrap_or((&f, ""));
            (f, m) = (a.to_string(), b.to_string());
        }
        k.first = name::name_key(&f).replace(' ', "").into();
        k.display_name = [name::display_case(&f).into(), name::display_case(&m).into(), name::display_case(&l).into()];
        k.first_canon = name::canonical_first(&k.first).into();
        k.middle = name::name_key(&m).into();
        k.last = name::name_key(&l).replace(' ', "").into();
        k.first_phonetic = name::phonetic(&k.first_canon).into();
        k.last_phonetic = name::phonetic(&k.last).into();
        honorific
    }

    fn address(&self, row: usize, k: &mut Contact) {
        let street_raw = first_value(&self.street, row).unwrap_or("");
        let number_raw = first_value(&self.number, row).unwrap_or("");
        let (s, n) = split_house_number(&address::street_key(street_raw), &text::alnum_key(number_raw));
        k.street = s.into();
        k.street_number = n.into();
        k.street2 = first_value(&self.street2, row).map(address::street_key).unwrap_or_default().into();
        k.city = first_value(&self.city, row).map(text::alnum_key).unwrap_or_default().into();
        k.postcode = first_value(&self.postcode, row).map(address::postal_key).unwrap_or_default().into();
    }

    /// Birth, created and last-activity dates; a value that is no date, or whose month and day look
    /// swapped, flags the record.
    fn dates(&self, row: usize, k: &mut Contact) {
        let [birth_order, created_order, activity_order] = self.orders;
        let mut bad_date = false;
        let mut date_of = |cols: &[&StringChunked], order| {
            let v = first_value(cols, row)?;
            let d = date::parse_date(v, order);
            bad_date |= d.is_none() || date::month_day_swapped(v);
            d
        };
        let [by, bm, bd] = &self.birth_parts;
        k.birth = date_of(&self.birth, birth_order)
            .or_else(|| first_value(&self.birth, row).and_then(|v| date::parse_partial_date(v, birth_order)))
            .or_else(|| {
                let y: i32 = first_value(by, row)?.trim().parse().ok()?;
                let m = month_number(first_value(bm, row)?)?;
                let d: u32 = first_value(bd, row)?.trim().parse().ok()?;
                NaiveDate::from_ymd_opt(y, m, d)
            });
        k.created = date_of(&self.created, created_order);
        k.last_activity = date_of(&self.activity, activity_order);
        if bad_date {
            k.flags |= flag::INVALID_DATE;
        }
    }

    /// The flags that need the whole record: stale, past retention, a duplicate id, an organisation
    /// or no name.
    fn flag_record(&self, row: usize, k: &mut Contact) {
        // No activity recorded: the creation date is the last sign of life.
        if k.last_activity.or(k.created).is_some_and(|d| d < self.stale_cutoff) {
            k.flags |= flag::STALE;
        }
        if self.retention_cutoff.is_some_and(|cut| k.created.is_some_and(|d| d < cut)) {
            k.flags |= flag::PAST_RETENTION;
        }
        if !self.duplicate_ids.is_empty() && self.duplicate_ids.contains(self.source.record_ids[row].as_str()) {
            k.flags |= flag::DUPLICATE_ID;
        }
        // An export of organisations, or a row of a contact export that names a company and no
        // person and has no personal mailbox: an account (its switchboard and address), not a
        // contact whose name is missing.
        let account_row =
            k.first.is_empty() && k.last.is_empty() && !k.company.is_empty() && !k.emails.iter().any(|e| e.personal());
        if self.organisations || account_row {
            k.flags |= flag::ORGANISATION;
        } else if k.first.is_empty() && k.last.is_empty() {
            k.flags |= flag::NO_NAME;
        }
    }
}

fn detect_order<'a>(values: impl Iterator<Item = &'a str>, fallback: DayOrder) -> DayOrder {
    date::detect_order(values, fallback)
}

fn month_number(v: &str) -> Option<u32> {
    v.trim()
        .parse()
        .ok()
        .or_else(|| date::parse_date(&format!("1 {v} 2000"), DayOrder::DayFirst).map(|d| chrono::Datelike::month(&d)))
}

/// The most common recognised country of a source, if at least a third of its rows name one.
fn dominant_country(cols: &[&StringChunked], height: usize) -> Option<String> {
    let mut counts: std::collections::HashMap<&'static str, usize> = Default::default();
    for c in cols {
        for v in c.iter().flatten().take(50_000) {
            if let Some(code) = crate::countries::country_code(v) {
                *counts.entry(code).or_default() += 1;
            }
        }
    }
    let (code, n) = counts.into_iter().max_by_key(|(c, n)| (*n, std::cmp::Reverse(*c)))?;
    (n * 3 >= height.min(50_000)).then(|| code.to_string())
}

/// Separates the house number from a street key: `("12 main st", "")` → `("main st", "12")`,
/// `("hauptstrasse 5a", "")` → `("hauptstrasse", "5a")`. A separate number column wins.
fn split_house_number(street: &str, number: &str) -> (String, String) {
    let mut words: Vec<&str> = street.split(' ').filter(|w| !w.is_empty()).collect();
    let mut found = String::new();
    let is_num = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.len() <= 6;
    if words.len() > 1 && is_num(words[0]) {
        found = words.remove(0).to_string();
    } else if words.len() > 1 && words.last().is_some_and(|w| is_num(w)) {
        found = words.pop().unwrap_or_default().to_string();
    }
    let n = if number.is_empty() { found } else { number.replace(' ', "") };
    (words.join(" "), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn house_numbers() {
        assert_eq!(split_house_number("12 main st", ""), ("main st".into(), "12".into()));
        assert_eq!(split_house_number("haupt strasse 5a", ""), ("haupt strasse".into(), "5a".into()));
        assert_eq!(split_house_number("giblin st", "69"), ("giblin st".into(), "69".into()));
        assert_eq!(split_house_number("12", ""), ("12".into(), "".into()));
    }
}
