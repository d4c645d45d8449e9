//! Loaders for the tables in `src/data/` (included at build time): lists that grow with the world
//! live there as text, each file naming its source and licence in its `#` header.

/// The entries of a one-per-line list, `#` comments and blank lines left out, trimmed, in file order.
pub fn lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.starts_with('#') && !l.is_empty())
}

/// A `KEY<TAB>value,value,...` table, its lines in file order.
pub type Table = Vec<(&'static str, Vec<&'static str>)>;

/// Reads a [`Table`].
pub fn table(text: &'static str) -> Table {
    lines(text)
        .map(|l| {
            let (key, values) = l.split_once('\t').unwrap_or((l, ""));
            (key.trim(), values.split(',').map(str::trim).filter(|v| !v.is_empty()).collect())
        })
        .collect()
}

/// The values of the line keyed `key` (none when the table has no such line).
pub fn values<'t>(table: &'t Table, key: &str) -> &'t [&'static str] {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_slice()).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    /// Every table file parses into keys with values, in alnum_key form.
    #[test]
    fn tables_are_well_formed() {
        for (name, text) in [
            ("street_types.tsv", include_str!("data/street_types.tsv")),
            ("directions.tsv", include_str!("data/directions.tsv")),
        ] {
            let t = super::table(text);
            assert!(!t.is_empty(), "{name}");
            for (k, vs) in &t {
                assert!(!vs.is_empty(), "{name}: {k} has no forms");
                for v in vs {
                    assert_eq!(*v, crate::text::alnum_key(v), "{name}: {v}");
                }
            }
        }
        let kinds: Vec<&str> = super::table(include_str!("data/name_words.tsv")).iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, ["honorific", "title_only", "suffix", "particle"]);
        for (_, words) in super::table(include_str!("data/name_words.tsv")) {
            assert!(words.iter().all(|w| !w.contains(' ') && *w == crate::text::alnum_key(w)), "{words:?}");
        }
        let genders = super::table(include_str!("data/genders.tsv"));
        assert_eq!(genders.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["male", "female"]);
        for (_, words) in &genders {
            assert!(words.iter().all(|w| *w == crate::text::alnum_key(w)), "{words:?}");
        }
        let forms: Vec<&str> = super::lines(include_str!("data/legal_forms.txt")).collect();
        assert!(forms.contains(&"gmbh co kg") && forms.contains(&"sp z o o"));
        assert!(forms.iter().all(|f| *f == crate::text::alnum_key(f)), "{forms:?}");
    }
}
