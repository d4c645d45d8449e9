//! Text, a bottom-layer helper shared by schema, ingest and normalize: Unicode NFKC, whitespace, case, and the accent-folded match key kept beside display values.

use unicode_normalization::UnicodeNormalization;

/// Display form: NFKC, control characters removed, whitespace collapsed and trimmed.
///
/// ```
/// use crmclean::text::clean;
/// assert_eq!(clean("  Ana\u{00A0}María \t López "), "Ana María López");
/// assert_eq!(clean("Ｆｕｌｌｗｉｄｔｈ"), "Fullwidth");
/// ```
pub fn clean(s: &str) -> String {
    // NFKC leaves ASCII as it is; skipping it is most of the work for most values.
    if s.is_ascii() {
        collapse(s.len(), s.chars())
    } else {
        collapse(s.len(), s.nfkc())
    }
}

/// Drops control characters and collapses whitespace runs to one space, trimmed.
fn collapse(capacity: usize, chars: impl Iterator<Item = char>) -> String {
    let mut out = String::with_capacity(capacity);
    let mut space = false;
    for c in chars {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Match key: [`clean`], transliterated to ASCII (Ł→L, ß→ss, é→e), lowercase.
///
/// ```
/// use crmclean::text::fold;
/// assert_eq!(fold("Łukasz"), "lukasz");
/// assert_eq!(fold("Müller"), "muller");
/// assert_eq!(fold("Mu\u{0308}ller"), "muller"); // NFD input
/// assert_eq!(fold("STRASSE"), fold("Straße"));
/// ```
pub fn fold(s: &str) -> String {
    let cleaned = clean(s);
    if cleaned.is_ascii() {
        return cleaned.to_ascii_lowercase();
    }
    deunicode::deunicode(&cleaned).to_ascii_lowercase()
}

/// [`fold`] keeping only letters and digits, words separated by one space.
///
/// ```
/// use crmclean::text::alnum_key;
/// assert_eq!(alnum_key("O'Neil-Smith, Jr."), "o neil smith jr");
/// ```
pub fn alnum_key(s: &str) -> String {
    // ASCII: the same key straight from the bytes, without the intermediate strings.
    let f = if s.is_ascii() { std::borrow::Cow::Borrowed(s) } else { std::borrow::Cow::Owned(fold(s)) };
    let mut out = String::with_capacity(f.len());
    for c in f.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

/// True for values that mean "nothing here": `n/a`, `null`, `-`, `unknown`, `none`, `?`, `xxx`.
pub fn is_placeholder(s: &str) -> bool {
    // Every cell of every row is asked this: the words below have at most 14 letters and digits, so
    // a value with more is not one of them, and no key needs building.
    if s.chars().filter(|c| c.is_alphanumeric()).nth(14).is_some() {
        return false;
    }
    let k = alnum_key(s);
    if k.is_empty() {
        return true;
    }
    matches!(
        k.as_str(),
        "na" | "n a"
            | "null"
            | "nil"
            | "none"
            | "unknown"
            | "unbekannt"
            | "sconosciuto"
            | "nieznany"
            | "tidak diketahui"
            | "inconnu"
            | "desconocido"
            | "xxx"
            | "xx"
            | "x"
            | "test"
            | "tbd"
            | "nan"
            | "not available"
            | "not provided"
            | "keine angabe"
            | "brak"
            | "ninguno"
    )
}

/// A yes/no cell of a consent column (opt-out, unsubscribed, do not call): `Some(true)` when it says
/// yes (or the status that means it: unsubscribed, opted out, cleaned), `Some(false)` when it says no
/// (subscribed, opted in), `None` when it says neither. Yes/no in the languages crmclean reads, any
/// case.
///
/// ```
/// use crmclean::text::yes_no;
/// assert_eq!(yes_no("TRUE"), Some(true));
/// assert_eq!(yes_no("Ja"), Some(true));
/// assert_eq!(yes_no("unsubscribed"), Some(true));
/// assert_eq!(yes_no("nein"), Some(false));
/// assert_eq!(yes_no("subscribed"), Some(false));
/// assert_eq!(yes_no("maybe"), None);
/// ```
pub fn yes_no(raw: &str) -> Option<bool> {
    match alnum_key(raw).as_str() {
        "yes" | "y" | "true" | "t" | "1" | "x" | "ja" | "j" | "si" | "oui" | "o" | "tak" | "ya" | "sim"
        | "opted out" | "optout" | "opt out" | "unsubscribed" | "cleaned" | "do not call" | "do not email"
        | "abgemeldet" | "wahr" | "vero" | "vrai" | "verdadero" => Some(true),
        "no" | "n" | "false" | "f" | "0" | "nein" | "non" | "nie" | "tidak" | "nee" | "nao" | "subscribed"
        | "opted in" | "optin" | "opt in" | "angemeldet" | "falsch" | "falso" | "faux" => Some(false),
        _ => None,
    }
}

/// A number as text, a whole one without a decimal part: phone numbers and ids stored as numbers in
/// spreadsheets and Parquet files (`48601234567.0`) read as written (`48601234567`).
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        (x as i64).to_string()
    } else {
        x.to_string()
    }
}

/// Whether a spreadsheet would evaluate a cell (`=cmd()`, `@SUM`, `+A1`, `-1+2`); plain numbers and
/// phone numbers (`+49 30 123`, `-12.5`) are not.
pub fn formula_like(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !s[1..].chars().all(|c| c.is_ascii_digit() || " ()./-".contains(c)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_table() {
        let cases = [
            ("José", "jose"),
            ("Ñuñez", "nunez"),
            ("François", "francois"),
            ("Wałęsa", "walesa"),
            ("Żółć", "zolc"),
            ("Dvořák", "dvorak"),
            ("Søren", "soren"),
            ("Straße", "strasse"),
            ("  Mary   Ann ", "mary ann"),
            ("e\u{0301}", "e"),
        ];
        for (input, want) in cases {
            assert_eq!(fold(input), want, "{input}");
        }
    }

    /// The ASCII shortcuts give what the general path gives.
    #[test]
    fn ascii_shortcuts_agree() {
        let general_clean = |s: &str| collapse(0, s.nfkc());
        for s in ["  O'Neil-Smith, Jr. ", "A\tB\r\nC", "x\u{1}y", "MiXeD 12-34", "", " - ", "a..b"] {
            assert_eq!(clean(s), general_clean(s), "{s:?}");
            let folded = general_clean(s).to_ascii_lowercase();
            let mut want = String::new();
            for c in folded.chars() {
                if c.is_ascii_alphanumeric() {
                    want.push(c);
                } else if !want.is_empty() && !want.ends_with(' ') {
                    want.push(' ');
                }
            }
            assert_eq!(alnum_key(s), want.trim_end(), "{s:?}");
        }
    }

    #[test]
    fn placeholders() {
        for p in ["N/A", "null", "-", "Unknown", "?", "  ", "keine Angabe"] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in ["Anna", "Xu", "Na Li"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }
}
