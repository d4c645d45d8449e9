//! Dates: ISO, US `m/d/Y`, European `d.m.Y`/`d/m/Y`, compact `YYYYMMDD`, month names in several
//! languages, with or without a time. The day/month order of slashed dates is decided per column
//! ([`detect_order`]), never per value, so `03/04/2024` means the same day throughout a file.

use chrono::{Datelike, NaiveDate};

/// Which number comes first in an ambiguous `a/b/yyyy` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    MonthFirst,
    DayFirst,
}

/// Looks at a column's values: any `a/b/y` with `a > 12` means day first, any with `b > 12` month first.
/// Dotted dates (`31.12.2020`) are always day first. With no evidence, `fallback` is used (from the
/// source's country: day first outside the US).
pub fn detect_order<'a>(values: impl Iterator<Item = &'a str>, fallback: DayOrder) -> DayOrder {
    let (mut day_first, mut month_first) = (0usize, 0usize);
    for v in values.take(100_000) {
        let nums = numbers(date_part(v));
        if nums.len() == 3 && nums[0].1 <= 2 && nums[1].1 <= 2 {
            if nums[0].0 > 12 && nums[1].0 <= 12 {
                day_first += 1;
            } else if nums[1].0 > 12 && nums[0].0 <= 12 {
                month_first += 1;
            }
        }
    }
    if day_first > month_first {
        DayOrder::DayFirst
    } else if month_first > day_first {
        DayOrder::MonthFirst
    } else {
        fallback
    }
}

/// The part before a time (`2024-03-01T10:00:00Z`, `01/03/2024 10:00`).
fn date_part(s: &str) -> &str {
    let s = s.trim();
    let cut = s.find(['T', 't']).filter(|&i| i >= 8 && s[..i].bytes().all(|b| b.is_ascii_digit() || b == b'-'));
    let s = match cut {
        Some(i) => &s[..i],
        None => s,
    };
    match s.find(' ') {
        Some(i) if s[i..].contains(':') && !s[..i].chars().any(char::is_alphabetic) => &s[..i],
        _ => s,
    }
}

/// Runs of digits with their lengths.
fn numbers(s: &str) -> Vec<(u32, usize)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            if cur.len() <= 9 {
                out.push((cur.parse().unwrap_or(0), cur.len()));
            }
            cur.clear();
        }
    }
    out
}

const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("januar", 1),
    ("februar", 2),
    ("marz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("okt", 10),
    ("dez", 12),
    ("gen", 1),
    ("mag", 5),
    ("giu", 6),
    ("lug", 7),
    ("ago", 8),
    ("set", 9),
    ("ott", 10),
    ("dic", 12),
    ("sty", 1),
    ("lut", 2),
    ("kwi", 4),
    ("maj", 5),
    ("cze", 6),
    ("lip", 7),
    ("sie", 8),
    ("wrz", 9),
    ("paz", 10),
    ("lis", 11),
    ("gru", 12),
    ("januari", 1),
    ("februari", 2),
    ("maret", 3),
    ("mei", 5),
    ("agu", 8),
    ("agt", 8),
    ("okt", 10),
    ("des", 12),
    ("janv", 1),
    ("fev", 2),
    ("mars", 3),
    ("avr", 4),
    ("juin", 6),
    ("juil", 7),
    ("aou", 8),
    ("ene", 1),
    ("abr", 4),
    ("dic", 12),
];

fn month_from_word(w: &str) -> Option<u32> {
    let w = crate::text::fold(w);
    if w.len() < 3 {
        return None;
    }
    // Whole word first ("mars" is March in French, not "mar" + s), then its first three letters.
    MONTHS
        .iter()
        .find(|(m, _)| *m == w)
        .or_else(|| MONTHS.iter().find(|(m, _)| m.len() == 3 && w.starts_with(m)))
        .map(|(_, n)| *n)
}

fn expand_year(y: u32, digits: usize) -> i32 {
    if digits >= 3 {
        return y as i32;
    }
    let now = chrono::Utc::now().year() % 100;
    if (y as i32) <= now {
        2000 + y as i32
    } else {
        1900 + y as i32
    }
}

/// Parses a date cell with the column's day order.
///
/// ```
/// use crmclean::normalize::date::{parse_date, DayOrder::*};
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2024, 3, 1);
/// assert_eq!(parse_date("2024-03-01", MonthFirst), d);
/// assert_eq!(parse_date("03/01/2024", MonthFirst), d);
/// assert_eq!(parse_date("01/03/2024", DayFirst), d);
/// assert_eq!(parse_date("01.03.2024 14:05", MonthFirst), d); // dots are always day first
/// assert_eq!(parse_date("20240301", MonthFirst), d);
/// assert_eq!(parse_date("1 März 2024", DayFirst), d);
/// assert_eq!(parse_date("not a date", DayFirst), None);
/// ```
pub fn parse_date(raw: &str, order: DayOrder) -> Option<NaiveDate> {
    let s = date_part(raw);
    if s.is_empty() {
        return None;
    }
    let nums = numbers(s);
    let month_word = s.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).find_map(month_from_word);
    let (y, m, d) = if let Some(m) = month_word {
        // "1 March 2024", "March 1, 2024", "2024 Mar 01"
        if nums.len() != 2 {
            return None;
        }
        let (a, b) = (nums[0], nums[1]);
        if a.1 == 4 {
            (a.0 as i32, m, b.0)
        } else if b.1 == 4 || b.1 == 2 && a.0 <= 31 {
            (expand_year(b.0, b.1), m, a.0)
        } else {
            return None;
        }
    } else if s.chars().any(char::is_alphabetic) {
        return None;
    } else if nums.len() == 1 && nums[0].1 == 8 {
        let v = nums[0].0;
        let (y, m, d) = (v / 10000, v / 100 % 100, v % 100);
        if (1800..=2200).contains(&y) {
            (y as i32, m, d)
        } else {
            // DDMMYYYY
            (((v % 10000) as i32), v / 10000 % 100, v / 1_000_000)
        }
    } else if nums.len() == 3 {
        let (a, b, c) = (nums[0], nums[1], nums[2]);
        if a.1 == 4 {
            // Year first is year-month-day; a month over 12 before a day up to 12 is the two swapped
            // ("1858-21-01").
            if b.0 > 12 && c.0 <= 12 {
                (a.0 as i32, c.0, b.0)
            } else {
                (a.0 as i32, b.0, c.0)
            }
        } else if c.1 == 4 || c.1 == 2 {
            let y = expand_year(c.0, c.1);
            let dotted = s.contains('.');
            let day_first = dotted || order == DayOrder::DayFirst;
            let (m, d) = if a.0 > 12 && b.0 <= 12 {
                (b.0, a.0)
            } else if b.0 > 12 && a.0 <= 12 {
                (a.0, b.0)
            } else if day_first {
                (b.0, a.0)
            } else {
                (a.0, b.0)
            };
            (y, m, d)
        } else {
            return None;
        }
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Whether a year-first date has its month and day swapped ("1858-21-01"): [`parse_date`] reads
/// it, and the quality profile still reports it as invalid as written.
///
/// ```
/// use crmclean::normalize::date::month_day_swapped;
/// assert!(month_day_swapped("1858-21-01"));
/// assert!(!month_day_swapped("1858-01-21"));
/// ```
pub fn month_day_swapped(raw: &str) -> bool {
    matches!(numbers(date_part(raw)).as_slice(), [(_, 4), (m, _), (d, _)] if *m > 12 && *d <= 12)
}

/// A date with an unknown month or day written as zeros ("1795-00-01", "00.05.1980"), read as the
/// first month or day: for matching only (such a cell is still reported as an invalid date). `None`
/// when there is no zero part or the rest is no date.
///
/// ```
/// use crmclean::normalize::date::{parse_partial_date, DayOrder};
/// use chrono::NaiveDate;
/// assert_eq!(parse_partial_date("1795-00-01", DayOrder::DayFirst), NaiveDate::from_ymd_opt(1795, 1, 1));
/// assert_eq!(parse_partial_date("00.05.1980", DayOrder::DayFirst), NaiveDate::from_ymd_opt(1980, 5, 1));
/// assert_eq!(parse_partial_date("1980-13-45", DayOrder::DayFirst), None);
/// assert_eq!(parse_partial_date("1980-00-00", DayOrder::DayFirst), None);
/// assert_eq!(parse_partial_date("0000-00-00", DayOrder::DayFirst), None);
/// ```
pub fn parse_partial_date(raw: &str, order: DayOrder) -> Option<NaiveDate> {
    let parts: Vec<&str> = raw.trim().split(['-', '/', '.']).collect();
    if parts.len() != 3 || !parts.iter().any(|p| p.chars().all(|c| c == '0') && !p.is_empty() && p.len() <= 2) {
        return None;
    }
    let zero = |p: &&str| p.len() <= 2 && p.chars().all(|c| c == '0');
    // Only the month or only the day unknown: "1980-00-00" says a year, not a date, and never
    // counts as an exact agreement with another year-only date.
    if parts.iter().filter(|p| zero(p)).count() != 1 {
        return None;
    }
    let fixed: Vec<&str> = parts.iter().map(|p| if zero(p) { "01" } else { p }).collect();
    parse_date(&fixed.join("-"), order).filter(|d| chrono::Datelike::year(d) >= 1000)
}

/// A short name of the format a value is written in, for the format-consistency profile.
pub fn date_format(raw: &str) -> &'static str {
    let s = date_part(raw);
    let nums = numbers(s);
    if s.chars().any(char::is_alphabetic) {
        return "month name";
    }
    match nums.as_slice() {
        [(_, 8)] => "YYYYMMDD",
        [(_, 4), _, _] => "YYYY-MM-DD",
        [_, _, (_, 4)] if s.contains('.') => "DD.MM.YYYY",
        [_, _, (_, 4)] => "DD/MM/YYYY or MM/DD/YYYY",
        [_, _, (_, 2)] => "two-digit year",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn formats_in_many_locales() {
        let cases = [
            ("2024-12-31", DayOrder::MonthFirst, ymd(2024, 12, 31)),
            ("1858-21-01", DayOrder::MonthFirst, ymd(1858, 1, 21)), // day and month swapped
            ("1795-00-01", DayOrder::MonthFirst, None),             // a zero month is no date
            ("2024-12-31T23:59:59Z", DayOrder::MonthFirst, ymd(2024, 12, 31)),
            ("2024-12-31 08:00:00", DayOrder::MonthFirst, ymd(2024, 12, 31)),
            ("12/31/2024", DayOrder::DayFirst, ymd(2024, 12, 31)), // 31 cannot be a month
            ("31/12/2024", DayOrder::MonthFirst, ymd(2024, 12, 31)),
            ("31.12.2024", DayOrder::MonthFirst, ymd(2024, 12, 31)),
            ("5.1.2024", DayOrder::MonthFirst, ymd(2024, 1, 5)),
            ("19081209", DayOrder::MonthFirst, ymd(1908, 12, 9)),
            ("31122024", DayOrder::MonthFirst, ymd(2024, 12, 31)),
            ("March 5, 2024", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("5 mars 2024", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("5 marzo 2024", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("5 marca 2024", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("5 Maret 2024", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("5 de marzo de 2024", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("05-Mar-24", DayOrder::DayFirst, ymd(2024, 3, 5)),
            ("2024-02-30", DayOrder::DayFirst, None),
            ("", DayOrder::DayFirst, None),
            ("soon", DayOrder::DayFirst, None),
        ];
        for (input, order, want) in cases {
            assert_eq!(parse_date(input, order), want, "{input}");
        }
    }

    #[test]
    fn order_is_decided_per_column() {
        let us = ["03/04/2024", "12/25/2023", "01/02/2020"];
        assert_eq!(detect_order(us.iter().copied(), DayOrder::DayFirst), DayOrder::MonthFirst);
        let eu = ["03/04/2024", "25/12/2023"];
        assert_eq!(detect_order(eu.iter().copied(), DayOrder::MonthFirst), DayOrder::DayFirst);
        let none = ["03/04/2024"];
        assert_eq!(detect_order(none.iter().copied(), DayOrder::DayFirst), DayOrder::DayFirst);
    }
}
