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

fn parse_with(db: &phonenumber::metadata::Database, number: &str, region: Option<&str>) -> (String, bool) {
    let parsed = national_of(db, number, region);
    let found = match &parsed {
        // Invalid for its region but parsed: E.164 still writes national and international forms alike.
        // E.164 is `+`, the country code and the national number: written directly, because the
        // crate's formatter first matches the number against every national format of its country.
        Some((code, national)) => (format!("+{code}{national}"), valid_national(db, *code, national)),
        None => (number.to_string(), false),
    };
    // A national number that begins with the digits of its country's code: the crate takes them for
    // the code written out (its metadata lists no lengths to tell), which loses the first digits of
    // an Italian mobile "393 1234567" or an Indian "91234 56789". The whole number, when that one is valid.
    if !found.1 && !number.starts_with('+') {
        let code = region.and_then(|r| db.by_id(r.parse::<Id>().ok()?.as_ref())).map(|m| m.country_code());
        if let Some(code) = code.filter(|c| number.starts_with(&c.to_string())) {
            let whole = national_of(db, &format!("+{code}{number}"), None);
            if let Some((code, national)) = whole.filter(|(code, national)| valid_national(db, *code, national)) {
                return (format!("+{code}{national}"), true);
            }
        }
    }
    // A trunk zero where the country dials none ("+48 022 1234567", "0034 0911 635952", the UK's
    // "+44 (0)20 ...", a Polish "022 ..." typed out of habit): the number without it, when that one is valid.
    if !found.1 {
        if let Some(rest) = found.0.strip_prefix('+') {
            let national = parsed.as_ref().map(|p| p.1.as_str()).unwrap_or_default();
            if let (Some(code), Some(stripped)) = (rest.strip_suffix(national), national.strip_prefix('0')) {
                if !code.is_empty() && !stripped.is_empty() {
                    let retry = format!("+{code}{stripped}");
                    if let Some((code, national)) =
                        national_of(db, &retry, None).filter(|(code, national)| valid_national(db, *code, national))
                    {
                        return (format!("+{code}{national}"), true);
                    }
                }
            }
        }
    }
    found
}

/// The country code and national number (as the crate writes it, leading zeros kept) that
/// `phonenumber::parse_with` gives for a [`Prepared`] number, or `None` where it fails.
fn national_of(db: &phonenumber::metadata::Database, number: &str, region: Option<&str>) -> Option<(u16, String)> {
    match fast_parse(db, number, region) {
        Fast::Parsed(code, national) => Some((code, national)),
        Fast::Failed => None,
        Fast::Unsure => {
            let id = if number.starts_with('+') { None } else { Some(region?.parse::<Id>().ok()?) };
            let p = phonenumber::parse_with(db, id, number).ok()?;
            Some((p.country().code(), p.national().to_string()))
        }
    }
}

/// What [`fast_parse`] found.
#[derive(Debug, PartialEq)]
enum Fast {
    Parsed(u16, String),
    /// The crate would fail.
    Failed,
    /// A case [`fast_parse`] does not follow (a number starting with the region's international
    /// prefix, a pattern that did not compile): the crate decides.
    Unsure,
}

/// `phonenumber::parse_with` on a [`Prepared`] number (`+` and digits, or national digits), step by
/// step as the crate takes it, with the metadata's patterns compiled once per thread and anchored.
///
/// The crate parses any text (`tel:` URIs, letters, extensions) with a parser combinator and several
/// regexes, finds the region of a shared country code by looking its patterns up by their text, and
/// strips the national prefix with patterns looked up the same way: about 6 µs per number, a tenth
/// of the whole run's work on a million records. A prepared number is digits already, so only the
/// steps that can change its outcome remain; a test compares the two on many numbers.
fn fast_parse(db: &phonenumber::metadata::Database, number: &str, region: Option<&str>) -> Fast {
    use phonenumber::metadata::Metadata;
    const MIN_LENGTH_FOR_NSN: usize = 2;
    const MAX_LENGTH_FOR_NSN: usize = 17;
    let (digits, international) = match number.strip_prefix('+') {
        Some(d) => (d, true),
        None => (number, false),
    };
    if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Fast::Unsure;
    }
    let (code, national, meta): (u16, &str, Option<&Metadata>) = if international {
        if digits.starts_with('0') {
            return Fast::Failed;
        }
        let Some(len) = (1..=3).find(|&len| digits[..len].parse().ok().and_then(|c: u16| db.by_code(&c)).is_some())
        else {
            return Fast::Failed;
        };
        let code: u16 = digits[..len].parse().unwrap_or_default();
        let national = &digits[len..];
        // The region of the code: the one whose leading digits (or, without them, number patterns)
        // the number without its leading zeros fits.
        let without_zeros = national.trim_start_matches('0');
        let Ok(meta) = region_for(db, code, without_zeros) else { return Fast::Unsure };
        (code, national, meta)
    } else {
        let Some(id) = region.and_then(|r| r.parse::<Id>().ok()) else { return Fast::Failed };
        // Every region the crate names has metadata (without it the crate would panic).
        let Some(meta) = db.by_id(id.as_ref()) else { return Fast::Unsure };
        let code = meta.country_code();
        let prefix = code.to_string();
        let national = with_patterns(meta, |p| {
            let (Some(general), true) = (&p.general, p.complete) else { return None };
            // A national number that starts with the region's international prefix: the crate reads a
            // country code after it.
            if let Some(m) = p.idd.as_ref().and_then(|idd| idd.find(digits)) {
                if !digits[m.end()..].starts_with('0') {
                    return None;
                }
            }
            // Digits that start with the region's own country code and are no number of it as they stand.
            let strip = digits.starts_with(&prefix)
                && (!general.is_match(digits)
                    || !matches!(length(meta, digits), Some(Length::Possible | Length::LocalOnly)));
            Some(if strip { &digits[prefix.len()..] } else { digits })
        });
        let Some(national) = national else { return Fast::Unsure };
        (code, national, Some(meta))
    };
    let mut national = national.to_string();
    if let Some(meta) = meta {
        let Some(mut potential) = without_national_prefix(meta, &national) else { return Fast::Unsure };
        if let Some(prefix) = meta.national_prefix() {
            if let Some(rest) = potential.strip_prefix(prefix) {
                potential = rest.to_string();
            }
        }
        if length(meta, &potential) != Some(Length::TooShort) {
            national = potential;
        }
    }
    if national.len() < MIN_LENGTH_FOR_NSN || national.len() > MAX_LENGTH_FOR_NSN {
        return Fast::Failed;
    }
    match national.parse::<phonenumber::NationalNumber>() {
        Ok(n) => Fast::Parsed(code, n.to_string()),
        Err(_) => Fast::Failed,
    }
}

/// The crate's length check of a national number against its region's general lengths.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Length {
    Possible,
    LocalOnly,
    TooShort,
    TooLong,
    Invalid,
}

/// `validator::length(meta, number, Type::Unknown)` of the crate; `None`: no lengths known (invalid).
/// The crate's metadata lists no general lengths (libphonenumber keeps them per number type), so
/// this is `None` for every region today; it is followed anyway, should the metadata change.
fn length(meta: &phonenumber::metadata::Metadata, national: &str) -> Option<Length> {
    let general = meta.descriptors().general();
    let possible = general.possible_length();
    let (&minimum, &maximum) = (possible.first()?, possible.last()?);
    let len = national.len() as u16;
    Some(if general.possible_local_length().contains(&len) {
        Length::LocalOnly
    } else if len == minimum {
        Length::Possible
    } else if len < minimum {
        Length::TooShort
    } else if len > maximum {
        Length::TooLong
    } else if possible.contains(&len) {
        Length::Possible
    } else {
        Length::Invalid
    })
}

/// The crate's `helper::national_number`: the national prefix (and a carrier code) taken off by the
/// region's prefix-for-parsing pattern, or rewritten by its transform rule, when what is left is
/// still a number of the region. `None`: a pattern did not compile here.
fn without_national_prefix(meta: &phonenumber::metadata::Metadata, national: &str) -> Option<String> {
    if meta.national_prefix_for_parsing().is_none() {
        let rest = meta.national_prefix().and_then(|p| national.strip_prefix(p));
        return Some(rest.unwrap_or(national).to_string());
    }
    with_patterns(meta, |p| {
        let (parsing, general) = (p.prefix_for_parsing.as_ref().filter(|_| p.complete)?, p.general.as_ref()?);
        let Some(caps) = parsing.captures(national) else { return Some(national.to_string()) };
        let end = caps.get(0).map_or(0, |m| m.end());
        let viable = general.is_match(national);
        let last = caps.get(caps.len() - 1);
        match meta.national_prefix_transform_rule() {
            Some(transform) if last.is_some() => {
                let transformed = parsing.replace(national, transform).into_owned();
                if viable && !general.is_match(&transformed) {
                    Some(national.to_string())
                } else {
                    Some(transformed)
                }
            }
            _ => Some(national[end..].to_string()),
        }
    })
}

/// `phonenumber::is_valid_with`, with the metadata's patterns compiled once per thread and anchored.
///
/// The crate looks every pattern up in its regex cache by its text (hashing patterns of hundreds of
/// characters, up to eleven per number) and searches the whole number where only a match at its
/// start counts: about 2.5 µs per number, a quarter of the normalize stage. This follows the crate's
/// rules exactly (the region for a shared country code, then the general pattern and one of the
/// number-type patterns, each with its possible lengths); a test compares the two on many numbers.
pub fn is_valid(db: &phonenumber::metadata::Database, number: &phonenumber::PhoneNumber) -> bool {
    valid_national(db, number.country().code(), &number.national().to_string())
}

/// [`is_valid`] of a country code and national number.
fn valid_national(db: &phonenumber::metadata::Database, code: u16, national: &str) -> bool {
    let meta = region_for(db, code, national).ok().flatten();
    meta.is_some_and(|meta| with_patterns(meta, |p| p.known_type(national)))
}

/// The crate's `validator::source_for`: the region of a country code whose leading digits (or,
/// without them, number patterns) `national` fits; the only one of a code that has one region.
/// `Err`: a region's patterns did not all compile here.
fn region_for<'d>(
    db: &'d phonenumber::metadata::Database,
    code: u16,
    national: &str,
) -> Result<Option<&'d phonenumber::metadata::Metadata>, ()> {
    let Some(regions) = db.region(&code) else { return Ok(None) };
    if regions.len() == 1 {
        return Ok(if regions[0] == "001" {
            db.by_code(&code).and_then(|m| m.into_iter().next())
        } else if regions[0].parse::<Id>().is_ok() {
            db.by_id(regions[0])
        } else {
            None
        });
    }
    for r in regions {
        let meta = db.by_id(r).ok_or(())?;
        let fits = with_patterns(meta, |p| {
            p.complete.then(|| match &p.leading_digits {
                Some(lead) => lead.is_match(national),
                None => p.known_type(national),
            })
        });
        if fits.ok_or(())? {
            return Ok(Some(meta));
        }
    }
    Ok(None)
}

/// A region's number patterns, compiled anchored at the start.
struct Patterns {
    leading_digits: Option<regex::Regex>,
    general: Option<Pattern>,
    /// Premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail, fixed line, mobile.
    types: Vec<Pattern>,
    /// The international dialling prefix (`00`, `011`).
    idd: Option<regex::Regex>,
    /// The national prefix (and carrier codes) to take off a national number.
    prefix_for_parsing: Option<regex::Regex>,
    /// Every pattern the region has compiled here ([`fast_parse`] leaves the rest to the crate).
    complete: bool,
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
        let given = types.iter().flatten().count();
        let types: Vec<Pattern> = types.into_iter().flatten().filter_map(Pattern::new).collect();
        let compile = |r: Option<&regex_cache::CachedRegex>| r.map(|r| anchored(r.as_str()));
        let (leading_digits, idd, prefix_for_parsing) = (
            compile(meta.leading_digits()),
            compile(meta.international_prefix()),
            compile(meta.national_prefix_for_parsing()),
        );
        let general = Pattern::new(d.general());
        let complete = types.len() == given
            && general.is_some()
            && [&leading_digits, &idd, &prefix_for_parsing].iter().all(|r| !matches!(r, Some(None)));
        Patterns {
            leading_digits: leading_digits.flatten(),
            general,
            types,
            idd: idd.flatten(),
            prefix_for_parsing: prefix_for_parsing.flatten(),
            complete,
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
            // National numbers that begin with the digits of their country's code.
            ("393 123 4567", Some("IT"), "+393931234567"),
            ("91234 56789", Some("IN"), "+919123456789"),
            ("55 99123 4567", Some("BR"), "+5555991234567"),
            ("49 30 1234567", Some("DE"), "+49301234567"),
        ];
        for (raw, region, want) in cases {
            let p = normalize_phone(raw, region).unwrap();
            assert_eq!(p.key, want, "{raw}");
            assert!(p.valid, "{raw}");
        }
    }

    /// `len` pseudo-random digits from `seed` (a linear congruential generator: the same every run).
    fn random_digits(seed: &mut u64, len: usize) -> String {
        (0..len)
            .map(|_| {
                *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from(b'0' + (*seed >> 59) as u8 % 10)
            })
            .collect()
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
                    let digits = random_digits(&mut seed, len);
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

    /// The fast parser gives what the crate gives (the same country code and national number, or a
    /// failure) on digit strings of every length from 3 to 16 in every region, written nationally,
    /// with the national prefix, the country code or an international prefix, and internationally.
    #[test]
    fn fast_parse_agrees_with_the_crate() {
        let db = &phonenumber::metadata::DATABASE;
        let letters = b'A'..=b'Z';
        let regions: Vec<String> = letters
            .clone()
            .flat_map(|a| letters.clone().map(move |b| String::from_utf8(vec![a, b]).unwrap()))
            .filter(|r| r.parse::<Id>().ok().and_then(|id| db.by_id(id.as_ref())).is_some())
            .collect();
        assert!(regions.len() > 200, "{} regions", regions.len());
        let mut seed = 11u64;
        let mut random = |len: usize| random_digits(&mut seed, len);
        let mut cases: Vec<(String, Option<String>)> = Vec::new();
        for r in &regions {
            let meta = db.by_id(r).unwrap();
            let code = meta.country_code().to_string();
            let trunk = meta.national_prefix().unwrap_or("0").to_string();
            for len in 3..=16 {
                for lead in ["", trunk.as_str(), code.as_str(), "0", "00", "011", "1", "8"] {
                    let national = format!("{lead}{}", random(len));
                    cases.push((national.clone(), Some(r.clone())));
                    cases.push((format!("+{code}{national}"), None));
                }
                cases.push((format!("+{}", random(len)), None));
            }
        }
        let (mut unsure, mut parsed) = (0, 0);
        for (number, region) in &cases {
            let fast = fast_parse(db, number, region.as_deref());
            let id = region.as_ref().map(|r| r.parse::<Id>().unwrap());
            let id = if number.starts_with('+') { None } else { id };
            let want = phonenumber::parse_with(db, id, number);
            match (fast, want) {
                (Fast::Unsure, _) => {
                    // Only a national number that starts with its region's international prefix.
                    let idd = region.as_deref().and_then(|r| db.by_id(r)?.international_prefix());
                    let dialled_out = idd.and_then(|re| re.find(number)).is_some_and(|m| m.start() == 0);
                    assert!(dialled_out, "{number} in {region:?} left to the crate");
                    unsure += 1;
                }
                (Fast::Parsed(code, national), Ok(p)) => {
                    parsed += 1;
                    assert_eq!((code, national), (p.country().code(), p.national().to_string()), "{number} {region:?}");
                }
                (Fast::Failed, Err(_)) => {}
                (fast, want) => panic!("{number} in {region:?}: fast {fast:?}, crate {want:?}"),
            }
        }
        assert!(unsure * 10 < cases.len(), "{unsure} of {} left to the crate", cases.len());
        assert!(parsed * 2 > cases.len(), "{parsed} of {} parsed", cases.len());
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
