//! Tags and lists: split multi-valued cells and give near-identical tags one key
//! ("VIP", "vip", "V.I.P." → `vip`; "Newsletter", "news letter" → `newsletter`).

use crate::text::alnum_key;

/// Splits a tags cell on `;`, `,` or `|` and trims each tag (display form, duplicates removed).
///
/// ```
/// use crmclean::normalize::tags::split_tags;
/// assert_eq!(split_tags("VIP; Newsletter |webinar-2024"), vec!["VIP", "Newsletter", "webinar-2024"]);
/// ```
pub fn split_tags(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.split([';', ',', '|']) {
        let t = crate::text::clean(t);
        if !t.is_empty() && !out.iter().any(|o| tag_key(o) == tag_key(&t)) {
            out.push(t);
        }
    }
    out
}

/// Grouping key of a tag: folded, letters and digits only, no spaces.
///
/// ```
/// use crmclean::normalize::tags::tag_key;
/// assert_eq!(tag_key("V.I.P."), tag_key("vip"));
/// assert_eq!(tag_key("News Letter"), tag_key("newsletter"));
/// ```
pub fn tag_key(tag: &str) -> String {
    alnum_key(tag).replace(' ', "")
}
