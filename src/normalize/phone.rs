//! Phones: parse to E.164 with the `phonenumber` crate (Google libphonenumber metadata).
//!
//! The default region comes from the record's country, else the configured `default_region`.
//! `00` international prefixes, national trunk prefixes, spaces/dots/brackets and extensions
//! (`ext. 12`, `x12`, `#12`) are handled; numbers that do not parse or are not valid for their region
//! are flagged invalid and keep a digits-only key for matching.

use phonenumber::country::Id;

/// A normalized phone number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phone {
    /// E.164 (`+4930123456`) when the number is valid, else the digits as written.
    pub key: super::Text,
    pub valid: bool,
    pub extension: super::Text,
}

/// Normalizes one phone cell; `None` when it holds no digits.
///
/// ```
/// use crmclean::normalize::phone::normalize_phone;
/// let p = normalize_phone("030 1234567", Some("DE")).unwrap();
/// assert_eq!(p.key, "+49301234567");
/// assert!(p.valid);
/// let p = normalize_phone("0039 06 1234 5678", None).unwrap();
/// assert_eq!(p.key, "+390612345678");
/// ```
pub fn normalize_phone(raw: &str, region: Option<&str>) -> Option<Phone> {
    let p = prepare(raw)?;
    let (key, valid) = parse(&p.number, if p.international { None } else { region });
    Some(Phone { key: key.into(), valid, extension: p.extension.into() })
}

/// A phone cell cleaned for parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// `+` and the digits when written internationally (`+…` or `00…`), else the national digits.
    pub number: String,
    pub international: bool,
    pub extension: String,
}

/// Cleans a phone cell: digits, international prefix, extension. `None` when it holds under 3 digits.
pub fn prepare(raw: &str) -> Option<Prepared> {
    let s = crate::text::clean(raw);
    let (number, extension) = split_extension(&s);
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return None;
    }
    let international = if number.trim_start().starts_with('+') {
        Some(format!("+{digits}"))
    } else {
        digits.strip_prefix("00").map(|rest| format!("+{rest}"))
    };
    Some(match international {
        Some(number) => Prepared { number, international: true, extension },
        None => Prepared { number: digits, international: false, extension },
    })
}

/// E.164 key and validity of a [`Prepared`] number (`region` for national numbers). A number that
/// does not parse keeps what was written as its key.
pub fn parse(number: &str, region: Option<&str>) -> (String, bool) {
    size_regex_cache();
    parse_with(&phonenumber::metadata::DATABASE, number, region)
}

/// [`parse`] with this thread's own copy of the metadata, so that threads parse in parallel: the
/// shared copy keeps its compiled patterns behind one lock, held while a pattern runs, so threads
/// sharing it take turns. Loading a copy takes about 60 ms, worth it from tens of thousands of numbers.
pub fn parse_on_this_thread(number: &str, region: Option<&str>) -> (String, bool) {
    thread_local! {
        static OWN: Option<phonenumber::metadata::Database> = own_database();
    }
    OWN.with(|db| match db {
        Some(db) => parse_with(db, number, region),
        None => parse(number, region),
    })
}

/// libphonenumber's metadata file (Apache-2.0), the one `phonenumber` 0.3.10+9.0.33 builds its shared
/// copy from, loaded into a new database with its own pattern cache.
fn own_database() -> Option<phonenumber::metadata::Database> {
    const XML: &str = include_str!("phone_metadata.xml");
    let meta = phonenumber::metadata::loader::load(std::io::Cursor::new(XML)).ok()?;
    let db = phonenumber::metadata::Database::from(meta).ok()?;
    if let Ok(mut cache) = db.cache().lock() {
        *cache = regex_cache::RegexCache::new(20_000);
    }
    Some(db)
}

fn parse_with(db: &phonenumber::metadata::Database, number: &str, region: Option<&str>) -> (String, bool) {
    let parsed = if number.starts_with('+') {
        phonenumber::parse_with(db, None, number).ok()
    } else {
        region.and_then(|r| r.parse::<Id>().ok()).and_then(|id| phonenumber::parse_with(db, Some(id), number).ok())
    };
    let found = match &parsed {
        // Invalid for its region but parsed: E.164 still writes national and international forms alike.
        // E.164 is `+`, the country code and the national number: written directly, because the
        // crate's formatter first matches the number against every national format of its country.
        Some(p) => (format!("+{}{}", p.country().code(), p.national()), is_valid(db, p)),
        None => (number.to_string(), false),
    };
    // A trunk zero where the country dials none ("+48 022 1234567", "0034 0911 635952", the UK's
    // "+44 (0)20 ...", a Polish "022 ..." typed out of habit): the number without it, when that one is valid.
    if !found.1 {
        if let Some(rest) = found.0.strip_prefix('+') {
            let national = parsed.as_ref().map(|p| p.national().to_string()).unwrap_or_default();
            if let (Some(code), Some(stripped)) = (rest.strip_suffix(&national), national.strip_prefix('0')) {
                if !code.is_empty() && !stripped.is_empty() {
                    let retry = format!("+{code}{stripped}");
                    if let Some(p) = phonenumber::parse_with(db, None, &retry).ok().filter(|p| is_valid(db, p)) {
                        return (format!("+{}{}", p.country().code(), p.national()), true);
                    }
                }
            }
        }
    }
    found
}

/// `phonenumber::is_valid_with`, with the metadata's patterns compiled once per thread and anchored.
///
/// The crate looks every pattern up in its regex cache by its text (hashing patterns of hundreds of
/// characters, up to eleven per number) and searches the whole number where only a match at its
/// start counts: about 2.5 µs per number, a quarter of the normalize stage. This follows the crate's
/// rules exactly (the region for a shared country code, then the general pattern and one of the
/// number-type patterns, each with its possible lengths); a test compares the two on many numbers.
pub fn is_valid(db: &phonenumber::metadata::Database, number: &phonenumber::PhoneNumber) -> bool {
    let code = number.country().code();
    let national = number.national().to_string();
    let Some(regions) = db.region(&code) else { return false };
    let meta = if regions.len() == 1 {
        if regions[0] == "001" {
            db.by_code(&code).and_then(|m| m.into_iter().next())
        } else if regions[0].parse::<Id>().is_ok() {
            db.by_id(regions[0])
        } else {
            None
        }
    } else {
        regions.iter().filter_map(|r| db.by_id(*r)).find(|meta| {
            with_patterns(meta, |p| match &p.leading_digits {
                Some(lead) => lead.is_match(&national),
                None => p.known_type(&national),
            })
        })
    };
    meta.is_some_and(|meta| with_patterns(meta, |p| p.known_type(&national)))
}

/// A region's number patterns, compiled anchored at the start.
struct Patterns {
    leading_digits: Option<regex::Regex>,
    general: Option<Pattern>,
    /// Premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail, fixed line, mobile.
    types: Vec<Pattern>,
}

/// A number-type pattern and its possible lengths (empty: any).
struct Pattern(regex::Regex, Vec<u16>);

impl Pattern {
    fn new(d: &phonenumber::metadata::Descriptor) -> Option<Self> {
        Some(Pattern(anchored(d.national_number().as_str())?, d.possible_length().to_vec()))
    }
    fn is_match(&self, national: &str) -> bool {
        (self.1.is_empty() || self.1.contains(&(national.len() as u16))) && self.0.is_match(national)
    }
}

impl Patterns {
    fn new(meta: &phonenumber::metadata::Metadata) -> Self {
        let d = meta.descriptors();
        let types = [
            d.premium_rate(),
            d.toll_free(),
            d.shared_cost(),
            d.voip(),
            d.personal_number(),
            d.pager(),
            d.uan(),
            d.voicemail(),
            d.fixed_line(),
            d.mobile(),
        ];
        Patterns {
            leading_digits: meta.leading_digits().and_then(|l| anchored(l.as_str())),
            general: Pattern::new(d.general()),
            types: types.into_iter().flatten().filter_map(Pattern::new).collect(),
        }
    }
    /// The crate's `number_type(..) != Unknown`.
    fn known_type(&self, national: &str) -> bool {
        self.general.as_ref().is_some_and(|g| g.is_match(national)) && self.types.iter().any(|t| t.is_match(national))
    }
}

/// A metadata pattern (written across lines, whitespace ignored, as the crate compiles it) that
/// must match at the start.
fn anchored(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})")).ignore_whitespace(true).build().ok()
}

/// Runs `f` on this thread's compiled patterns of `meta`'s region.
fn with_patterns<R>(meta: &phonenumber::metadata::Metadata, f: impl FnOnce(&Patterns) -> R) -> R {
    type ByCode = polars::prelude::PlHashMap<u16, Vec<(String, std::rc::Rc<Patterns>)>>;
    thread_local! {
        static COMPILED: std::cell::RefCell<ByCode> = Default::default();
    }
    let patterns = COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        let list = c.entry(meta.country_code()).or_default();
        match list.iter().find(|(id, _)| id == meta.id()) {
            Some((_, p)) => p.clone(),
            None => {
                let p = std::rc::Rc::new(Patterns::new(meta));
                list.push((meta.id().to_string(), p.clone()));
                p
            }
        }
    });
    f(&patterns)
}

/// The phone metadata keeps its compiled regexes in an LRU cache of 100 entries; parsing numbers of
/// several countries thrashes it (each miss recompiles a regex, about 95% of normalize time on a
/// seven-country sample). Make it large enough to hold every pattern once.
fn size_regex_cache() {
    static SIZED: std::sync::Once = std::sync::Once::new();
    SIZED.call_once(|| {
        let cache = phonenumber::metadata::DATABASE.cache();
        let mut guard = cache.lock();
        if let Ok(c) = guard.as_mut() {
            **c = regex_cache::RegexCache::new(20_000);
        }
    });
}

/// The region most numbers written with an international prefix (`+49…`, `0049…`) belong to, if at
/// least half of those seen (up to 2,000) agree: a source without a country column still gets the
/// right default for its national numbers.
pub fn dominant_region<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    size_regex_cache();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut seen = 0usize;
    for v in values {
        let t = v.trim_start();
        if !(t.starts_with('+') || t.starts_with("00")) {
            continue;
        }
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        let intl = format!("+{}", digits.strip_prefix("00").unwrap_or(&digits));
        if let Ok(p) = phonenumber::parse(None, &intl) {
            if let Some(id) = p.country().id() {
                *counts.entry(format!("{id:?}")).or_default() += 1;
            }
        }
        seen += 1;
        if seen >= 2000 {
            break;
        }
    }
    let (region, n) = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))?;
    (n * 2 >= seen).then_some(region)
}

fn split_extension(s: &str) -> (String, String) {
    let lower = s.to_lowercase();
    for marker in ["extension", "ext.", "ext", "durchwahl", "dw", "wew.", "wew", "x", "#"] {
        if let Some(i) = lower.rfind(marker) {
            let tail: String =
                lower[i + marker.len()..].chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != ':').collect();
            let head_digits = lower[..i].chars().filter(char::is_ascii_digit).count();
            if !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) && tail.len() <= 6 && head_digits >= 6 {
                return (lower[..i].to_string(), tail);
            }
        }
    }
    (s.to_string(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_in_many_regions() {
        let cases = [
            ("(415) 555-2671", Some("US"), "+14155552671"),
            ("+1 415 555 2671", None, "+14155552671"),
            ("0171 1234567", Some("DE"), "+491711234567"),
            ("+49 (0)30 1234567", None, "+49301234567"),
            ("06 1234 5678", Some("IT"), "+390612345678"),
            ("333 123 4567", Some("IT"), "+393331234567"),
            ("601 234 567", Some("PL"), "+48601234567"),
            // A trunk zero where the country dials none.
            ("+48 022 0224082", None, "+48220224082"),
            ("022 0224082", Some("PL"), "+48220224082"),
            ("0034 0911 635952", None, "+34911635952"),
            ("+48 22 123 45 67", None, "+48221234567"),
            ("0812-3456-789", Some("ID"), "+628123456789"),
            ("01 23 45 67 89", Some("FR"), "+33123456789"),
            ("612 34 56 78", Some("ES"), "+34612345678"),
            ("020 7946 0958", Some("GB"), "+442079460958"),
            ("0044 20 7946 0958", None, "+442079460958"),
        ];
        for (raw, region, want) in cases {
            let p = normalize_phone(raw, region).unwrap();
            assert_eq!(p.key, want, "{raw}");
            assert!(p.valid, "{raw}");
        }
    }

    /// The per-thread metadata copy parses exactly like the shared one.
    #[test]
    fn own_metadata_copy_agrees_with_the_shared_one() {
        let cases = [
            ("+1 415 555 2671", None),
            ("0171 1234567", Some("DE")),
            ("06 1234 5678", Some("IT")),
            ("601 234 567", Some("PL")),
            ("0812-3456-789", Some("ID")),
            ("01 23 45 67 89", Some("FR")),
            ("12345", Some("DE")),
            ("+44 20 7946 0958", None),
            ("+62 21 555 1234", None),
            ("+99 123", None),
        ];
        for (raw, region) in cases {
            let p = prepare(raw).unwrap();
            let r = if p.international { None } else { region };
            assert_eq!(parse_on_this_thread(&p.number, r), parse(&p.number, r), "{raw}");
        }
        assert!(own_database().is_some());
    }

    /// The compiled patterns decide validity, and the E.164 key is written, exactly as the crate does,
    /// on every number of the sample exports and on digit strings of many lengths in many regions.
    #[test]
    fn validity_agrees_with_the_crate() {
        let db = &phonenumber::metadata::DATABASE;
        let mut numbers: Vec<(String, Option<&str>)> = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/crm");
        for f in std::fs::read_dir(&dir).unwrap() {
            let bytes = std::fs::read(f.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for cell in text.split([',', ';', '\n', '"']) {
                if cell.chars().filter(char::is_ascii_digit).count() >= 6 {
                    for region in [None, Some("DE"), Some("IT"), Some("US")] {
                        numbers.push((cell.to_string(), region));
                    }
                }
            }
        }
        let regions = ["US", "CA", "GB", "GG", "DE", "IT", "PL", "FR", "ES", "NL", "ID", "RU", "KZ", "AU", "BR", "IN"];
        let mut seed = 7u64;
        for len in 4..=13 {
            for region in regions {
                for _ in 0..25 {
                    let digits: String = (0..len)
                        .map(|_| {
                            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                            char::from(b'0' + (seed >> 59) as u8 % 10)
                        })
                        .collect();
                    numbers.push((digits.clone(), Some(region)));
                    numbers.push((format!("+{digits}"), None));
                }
            }
        }
        let mut parsed = 0;
        let mut valid = 0;
        for (raw, region) in &numbers {
            let Some(p) = prepare(raw) else { continue };
            let id = if p.international { None } else { region.and_then(|r| r.parse::<Id>().ok()) };
            let Ok(n) = phonenumber::parse_with(db, id, &p.number) else { continue };
            parsed += 1;
            let want = phonenumber::is_valid_with(db, &n);
            valid += want as usize;
            assert_eq!(is_valid(db, &n), want, "{raw} in {region:?}");
            let e164 = phonenumber::format_with(db, &n).mode(phonenumber::Mode::E164).to_string();
            // Invalid numbers may come back valid without a trunk zero the country does not dial.
            let (key, ok) = parse(&p.number, if p.international { None } else { *region });
            assert!(key == e164 || (!want && ok), "{raw}: {key} / {e164}");
        }
        assert!(parsed > 5_000 && valid > 500, "{parsed} parsed, {valid} valid");
    }

    #[test]
    fn region_from_international_numbers() {
        let values = ["+49 30 1234567", "0049 171 2345678", "030 7654321", "+39 06 1234 5678", "+49 89 123456"];
        assert_eq!(dominant_region(values.iter().copied()).as_deref(), Some("DE"));
        assert_eq!(dominant_region(["030 1234567"].iter().copied()), None);
    }

    #[test]
    fn extensions_and_invalid() {
        let p = normalize_phone("+1 415 555 2671 ext. 23", None).unwrap();
        assert_eq!((p.key.as_str(), p.extension.as_str()), ("+14155552671", "23"));
        let p = normalize_phone("030 1234567 x 12", Some("DE")).unwrap();
        assert_eq!((p.key.as_str(), p.extension.as_str()), ("+49301234567", "12"));
        let p = normalize_phone("12345", Some("DE")).unwrap();
        assert!(!p.valid);
        let p = normalize_phone("555-1234", None).unwrap();
        assert!(!p.valid);
        assert_eq!(p.key, "5551234");
        assert!(normalize_phone("n/a", Some("US")).is_none());
    }
}
