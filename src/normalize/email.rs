//! Emails: trim, lowercase, syntax check, provider rules (Gmail dots and +tags), role and placeholder flags.

/// A normalized email address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Email {
    /// Lowercased address as written (display value).
    pub address: super::Text,
    /// Match key: provider rules applied (`j.doe+news@googlemail.com` → `jdoe@gmail.com`).
    pub key: super::Text,
    pub valid: bool,
    /// A shared mailbox such as `info@` or `sales@`: not evidence that two people are one.
    pub role: bool,
    /// An obvious fake: `test@test.com`, `noemail@…`, `@example.com`.
    pub placeholder: bool,
}

impl Email {
    /// The part before `@` of the match key.
    pub fn local(&self) -> &str {
        self.key.split('@').next().unwrap_or("")
    }
    /// The domain of the match key.
    pub fn domain(&self) -> &str {
        self.key.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
    /// True when the address identifies one person (valid, not a role box, not a placeholder).
    pub fn personal(&self) -> bool {
        self.valid && !self.role && !self.placeholder
    }
}

/// A list of `data/email_words.tsv`: `role_local`, `placeholder_local` or `placeholder_domain`.
fn email_words(kind: &str) -> &'static [&'static str] {
    static TABLE: std::sync::OnceLock<crate::data::Table> = std::sync::OnceLock::new();
    crate::data::values(TABLE.get_or_init(|| crate::data::table(include_str!("../data/email_words.tsv"))), kind)
}

/// Normalizes one email cell; `None` when the cell holds nothing.
///
/// ```
/// use crmclean::normalize::email::normalize_email;
/// let e = normalize_email(" J.Doe+news@GoogleMail.com ").unwrap();
/// assert_eq!(e.address, "j.doe+news@googlemail.com");
/// assert_eq!(e.key, "jdoe@gmail.com");
/// assert!(e.valid && e.personal());
/// assert!(normalize_email("info@acme.de").unwrap().role);
/// assert!(!normalize_email("anna.rossi@@libero").unwrap().valid);
/// ```
pub fn normalize_email(raw: &str) -> Option<Email> {
    let mut s = crate::text::clean(raw).to_lowercase();
    if let Some(rest) = s.strip_prefix("mailto:") {
        s = rest.to_string();
    }
    // "Anna Rossi <anna@x.it>" → the part in angle brackets.
    if let (Some(a), Some(b)) = (s.find('<'), s.rfind('>')) {
        if a < b {
            s = s[a + 1..b].to_string();
        }
    }
    let s = s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | ',' | '.')).replace(' ', "");
    if s.is_empty() {
        return None;
    }
    let valid = is_valid(&s);
    let (local, domain) = s.rsplit_once('@').unwrap_or((s.as_str(), ""));
    let (key_local, key_domain) = provider_rules(local, domain);
    let key = if valid { format!("{key_local}@{key_domain}") } else { s.clone() };
    let bare_local = local.split('+').next().unwrap_or(local);
    let role = email_words("role_local").contains(&bare_local);
    let placeholder = email_words("placeholder_local").contains(&bare_local)
        || email_words("placeholder_domain").contains(&domain)
        || domain.ends_with(".example")
        || domain.ends_with(".invalid")
        || domain.ends_with(".test")
        || (!domain.is_empty() && domain.split('.').next() == Some(bare_local) && bare_local.len() <= 2);
    Some(Email { address: s.as_str().into(), key: key.into(), valid, role, placeholder })
}

fn provider_rules(local: &str, domain: &str) -> (String, String) {
    let domain = if domain == "googlemail.com" { "gmail.com" } else { domain };
    let base = local.split('+').next().unwrap_or(local);
    match domain {
        "gmail.com" => (base.replace('.', ""), domain.to_string()),
        "outlook.com" | "hotmail.com" | "live.com" | "icloud.com" | "me.com" | "yahoo.com" | "fastmail.com"
        | "proton.me" | "protonmail.com" | "gmx.de" | "gmx.net" | "web.de" => (base.to_string(), domain.to_string()),
        _ => (local.to_string(), domain.to_string()),
    }
}

/// Practical syntax check (RFC 5321 lengths, dot-atom local part, a dotted domain with an alphabetic TLD).
pub fn is_valid(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.len() > 253 || local.contains('@') {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let local_ok = local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    if !local_ok {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    let tld = labels[labels.len() - 1];
    labels_ok && tld.len() >= 2 && tld.chars().all(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_table() {
        let cases = [
            ("anna.rossi@libero.it", true),
            ("jan.kowalski@wp.pl", true),
            ("budi.santoso@yahoo.co.id", true),
            ("müller@web.de", true),
            ("jose@correo.es", true),
            ("marie.dupont@orange.fr", true),
            ("o'brien@example.ie", true),
            ("no-at-sign.com", false),
            ("a@b", false),
            ("a@b.c", false),
            ("two@@ats.com", false),
            ("dot.@end.com", false),
            ("sp ace@x.com", false),
            ("user@domain..com", false),
            ("user@-bad.com", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_valid(input), want, "{input}");
        }
    }

    #[test]
    fn keys_and_flags() {
        let e = normalize_email("Mailto:Anna <ANNA.Rossi@Gmail.com>").unwrap();
        assert_eq!(e.key, "annarossi@gmail.com");
        assert_eq!(e.local(), "annarossi");
        assert_eq!(e.domain(), "gmail.com");
        assert!(normalize_email("test@test.com").unwrap().placeholder);
        assert!(normalize_email("noemail@acme.com").unwrap().placeholder);
        assert!(normalize_email("max@example.com").unwrap().placeholder);
        assert!(normalize_email("vertrieb@firma.de").unwrap().role);
        assert!(normalize_email("biuro@firma.pl").unwrap().role);
        assert!(!normalize_email("anna@firma.pl").unwrap().role);
        assert_eq!(normalize_email("john+crm@acme.com").unwrap().key, "john+crm@acme.com");
        assert!(normalize_email("   ").is_none());
    }
}
