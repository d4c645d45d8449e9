//! The canonical contact schema and the header auto-mapping that fills it.
//!
//! Exports from Salesforce, HubSpot, ActiveCampaign, Zoho, Pipedrive, Dynamics, Mailchimp, event sign-up
//! tools, spreadsheets and Febrl name the same thing in many ways and languages ("Mailing Zip/Postal Code",
//! "PLZ", "CAP", "Kod pocztowy", "Kode Pos", "Code postal", "Código postal"). [`guess_field`] maps a header to
//! a [`Field`]; headers it does not know stay as extra columns and are kept as they are.

use serde::{Deserialize, Serialize};

/// A field of the canonical contact schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Salutation,
    FirstName,
    MiddleName,
    LastName,
    FullName,
    Email,
    Phone,
    Mobile,
    Company,
    JobTitle,
    Website,
    StreetNumber,
    Street,
    Street2,
    City,
    Region,
    PostalCode,
    Country,
    BirthDate,
    BirthYear,
    BirthMonth,
    BirthDay,
    Gender,
    NationalId,
    Created,
    LastActivity,
    Tags,
}

impl Field {
    /// Every field, in schema order (the order of golden-record columns).
    pub const ALL: [Field; 28] = [
        Field::Id,
        Field::Salutation,
        Field::FirstName,
        Field::MiddleName,
        Field::LastName,
        Field::FullName,
        Field::Email,
        Field::Phone,
        Field::Mobile,
        Field::Company,
        Field::JobTitle,
        Field::Website,
        Field::StreetNumber,
        Field::Street,
        Field::Street2,
        Field::City,
        Field::Region,
        Field::PostalCode,
        Field::Country,
        Field::BirthDate,
        Field::BirthYear,
        Field::BirthMonth,
        Field::BirthDay,
        Field::Gender,
        Field::NationalId,
        Field::Created,
        Field::LastActivity,
        Field::Tags,
    ];

    /// The snake_case name used in configs, `--map` and output headers.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Salutation => "salutation",
            Field::FirstName => "first_name",
            Field::MiddleName => "middle_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::Company => "company",
            Field::JobTitle => "job_title",
            Field::Website => "website",
            Field::StreetNumber => "street_number",
            Field::Street => "street",
            Field::Street2 => "street2",
            Field::City => "city",
            Field::Region => "region",
            Field::PostalCode => "postal_code",
            Field::Country => "country",
            Field::BirthDate => "birth_date",
            Field::BirthYear => "birth_year",
            Field::BirthMonth => "birth_month",
            Field::BirthDay => "birth_day",
            Field::Gender => "gender",
            Field::NationalId => "national_id",
            Field::Created => "created",
            Field::LastActivity => "last_activity",
            Field::Tags => "tags",
        }
    }

    /// Parses a field name as written in a config or `--map`.
    pub fn from_name(name: &str) -> Option<Field> {
        let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Field::ALL.into_iter().find(|f| f.name() == n)
    }

    /// Whether several columns may map to this field (alternate emails and phones are kept).
    pub fn multi_valued(self) -> bool {
        matches!(self, Field::Email | Field::Phone | Field::Mobile | Field::Tags)
    }
}

/// Normalizes a header for lookup: ASCII transliteration, lowercase, every run of non-alphanumerics to
/// one space. `" Mailing Zip/Postal Code"` becomes `"mailing zip postal code"`, `"Straße"` `"strasse"`.
pub fn header_key(header: &str) -> String {
    let ascii = deunicode::deunicode(header).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// Known headers, already in [`header_key`] form, per field. English, German, Italian, Polish,
/// Indonesian, French and Spanish, plus the spellings of the common CRM and sign-up exports.
const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::Id,
        &[
            "id",
            "rec id",
            "recid",
            "record id",
            "contact id",
            "lead id",
            "customer id",
            "person id",
            "subscriber id",
            "member id",
            "unique id",
            "uid",
            "euid",
            "leid",
            "external id",
            "crm id",
            "do not modify contact",
            "contactid",
            "kundennummer",
            "kunden id",
            "kundennr",
            "kontakt id",
            "id contatto",
            "codice cliente",
            "id cliente",
            "id kontaktu",
            "numer klienta",
            "id kontak",
            "id pelanggan",
            "identifiant",
            "id client",
            "id de contacto",
            "numero de cliente",
            "attendee id",
            "kontakt nr",
            "kontaktnummer",
            "kunden nr",
            "customer number",
            "customer no",
            "contact number",
            "contact no",
            "numero cliente",
            "numer kontaktu",
            "kode pelanggan",
            "no pelanggan",
            "n client",
            "numero de client",
            "codigo de cliente",
            "codigo cliente",
            "registrant id",
            "participant id",
            "user id",
        ],
    ),
    (
        Field::Salutation,
        &[
            "salutation",
            "prefix",
            "name prefix",
            "honorific",
            "anrede",
            "titolo di cortesia",
            "appellativo",
            "zwrot grzecznosciowy",
            "sapaan",
            "gelar",
            "civilite",
            "saludo",
            "tratamiento",
        ],
    ),
    (
        Field::FirstName,
        &[
            "first name",
            "firstname",
            "first",
            "given name",
            "givenname",
            "given",
            "forename",
            "fname",
            "first nm",
            "vorname",
            "nome",
            "nome di battesimo",
            "imie",
            "nama depan",
            "prenom",
            "nombre",
            "nombre de pila",
            "primer nombre",
        ],
    ),
    (
        Field::MiddleName,
        &[
            "middle name",
            "middlename",
            "middle initial",
            "middle",
            "second name",
            "zweiter vorname",
            "secondo nome",
            "drugie imie",
            "nama tengah",
            "deuxieme prenom",
            "segundo nombre",
        ],
    ),
    (
        Field::LastName,
        &[
            "last name",
            "lastname",
            "last",
            "surname",
            "family name",
            "familyname",
            "lname",
            "last nm",
            "nachname",
            "familienname",
            "zuname",
            "cognome",
            "nazwisko",
            "nama belakang",
            "nama keluarga",
            "nom",
            "nom de famille",
            "apellido",
            "apellidos",
            "primer apellido",
        ],
    ),
    (
        Field::FullName,
        &[
            "name",
            "full name",
            "fullname",
            "contact name",
            "contact",
            "person name",
            "person",
            "attendee name",
            "attendee",
            "registrant name",
            "participant",
            "participant name",
            "customer name",
            "display name",
            "person name",
            "vollstandiger name",
            "vor und nachname",
            "nome completo",
            "nominativo",
            "nome e cognome",
            "imie i nazwisko",
            "nama",
            "nama lengkap",
            "nom complet",
            "nom et prenom",
            "prenom et nom",
            "nombre completo",
            "nombre y apellidos",
        ],
    ),
    (
        Field::Email,
        &[
            "email",
            "e mail",
            "email address",
            "e mail address",
            "emailaddress",
            "mail",
            "email 1",
            "primary email",
            "work email",
            "business email",
            "personal email",
            "secondary email",
            "other email",
            "alternate email",
            "email 2",
            "email 3",
            "email work",
            "email home",
            "email other",
            "emailadresse",
            "e mail adresse",
            "mailadresse",
            "indirizzo email",
            "indirizzo e mail",
            "posta elettronica",
            "adres email",
            "adres e mail",
            "alamat email",
            "alamat e mail",
            "surel",
            "courriel",
            "adresse e mail",
            "adresse email",
            "adresse courriel",
            "correo",
            "correo electronico",
            "email correo",
            "direccion de correo",
        ],
    ),
    (
        Field::Phone,
        &[
            "phone",
            "phone number",
            "phonenumber",
            "telephone",
            "telephone number",
            "tel",
            "tel no",
            "business phone",
            "work phone",
            "office phone",
            "home phone",
            "other phone",
            "phone 1",
            "phone 2",
            "phone work",
            "phone home",
            "phone other",
            "direct phone",
            "landline",
            "telefon",
            "telefonnummer",
            "festnetz",
            "telefono",
            "numero di telefono",
            "tel fisso",
            "numer telefonu",
            "nr telefonu",
            "telefon stacjonarny",
            "telepon",
            "nomor telepon",
            "no telepon",
            "no telp",
            "telp",
            "numero de telephone",
            "tel fixe",
            "telefono fijo",
            "numero de telefono",
        ],
    ),
    (
        Field::Mobile,
        &[
            "mobile",
            "mobile phone",
            "mobile number",
            "mobilephone",
            "sms",
            "whatsapp",
            "cell",
            "cell phone",
            "cellphone",
            "phone mobile",
            "mobil",
            "handy",
            "mobiltelefon",
            "mobilnummer",
            "handynummer",
            "cellulare",
            "numero di cellulare",
            "tel cellulare",
            "telefon komorkowy",
            "komorka",
            "tel kom",
            "handphone",
            "no hp",
            "nomor hp",
            "hp",
            "nomor ponsel",
            "ponsel",
            "portable",
            "telephone portable",
            "tel portable",
            "movil",
            "telefono movil",
            "celular",
        ],
    ),
    (
        Field::Company,
        &[
            "company",
            "company name",
            "companyname",
            "account",
            "account name",
            "organization",
            "organisation",
            "organization name",
            "organisation name",
            "org",
            "employer",
            "business",
            "business name",
            "firm",
            "firma",
            "firmenname",
            "unternehmen",
            "arbeitgeber",
            "azienda",
            "societa",
            "ragione sociale",
            "nazwa firmy",
            "pracodawca",
            "perusahaan",
            "nama perusahaan",
            "instansi",
            "entreprise",
            "societe",
            "nom de l entreprise",
            "empresa",
            "compania",
            "nombre de la empresa",
            "organizacion",
        ],
    ),
    (
        Field::JobTitle,
        &[
            "title",
            "job title",
            "jobtitle",
            "position",
            "role",
            "job role",
            "job",
            "designation",
            "berufsbezeichnung",
            "stellenbezeichnung",
            "funktion",
            "titolo",
            "ruolo",
            "qualifica",
            "mansione",
            "stanowisko",
            "jabatan",
            "posisi",
            "poste",
            "fonction",
            "titre",
            "cargo",
            "puesto",
        ],
    ),
    (
        Field::Website,
        &[
            "website",
            "web site",
            "web",
            "url",
            "homepage",
            "company website",
            "webseite",
            "sito web",
            "sito",
            "strona www",
            "strona internetowa",
            "situs web",
            "situs",
            "site web",
            "site internet",
            "sitio web",
            "pagina web",
        ],
    ),
    (
        Field::StreetNumber,
        &[
            "street number",
            "house number",
            "street no",
            "house no",
            "streetnumber",
            "hausnummer",
            "hausnr",
            "numero civico",
            "civico",
            "nr domu",
            "numer domu",
            "numer budynku",
            "nomor rumah",
            "no rumah",
            "numero de rue",
            "numero de voie",
            "numero de calle",
            "numero exterior",
        ],
    ),
    (
        Field::Street,
        &[
            "street",
            "address",
            "address 1",
            "address1",
            "address line 1",
            "street address",
            "street 1",
            "street line 1",
            "strasse",
            "strasse und hausnummer",
            "anschrift",
            "adresse",
            "adresse 1",
            "indirizzo",
            "via",
            "ulica",
            "adres",
            "ulica i numer",
            "alamat",
            "jalan",
            "alamat jalan",
            "rue",
            "adresse postale",
            "direccion",
            "calle",
            "domicilio",
        ],
    ),
    (
        Field::Street2,
        &[
            "address 2",
            "address2",
            "address line 2",
            "street 2",
            "street line 2",
            "adresszusatz",
            "indirizzo 2",
            "adres 2",
            "alamat 2",
            "complement d adresse",
            "adresse 2",
            "direccion 2",
        ],
    ),
    (
        Field::City,
        &[
            "city",
            "town",
            "suburb",
            "locality",
            "city town",
            "ort",
            "stadt",
            "wohnort",
            "ortschaft",
            "citta",
            "comune",
            "localita",
            "miasto",
            "miejscowosc",
            "kota",
            "kota kabupaten",
            "ville",
            "commune",
            "localite",
            "ciudad",
            "localidad",
            "municipio",
            "poblacion",
        ],
    ),
    (
        Field::Region,
        &[
            "state",
            "region",
            "province",
            "county",
            "state province",
            "state region",
            "state code",
            "province state",
            "bundesland",
            "kanton",
            "provincia",
            "regione",
            "wojewodztwo",
            "provinsi",
            "departement",
            "estado",
            "comunidad autonoma",
        ],
    ),
    (
        Field::PostalCode,
        &[
            "postal code",
            "postcode",
            "post code",
            "pcode",
            "zip",
            "zip code",
            "zipcode",
            "postal",
            "zip postal code",
            "postal zip code",
            "plz",
            "postleitzahl",
            "cap",
            "codice postale",
            "kod pocztowy",
            "kod",
            "kode pos",
            "kodepos",
            "code postal",
            "cp",
            "codigo postal",
        ],
    ),
    (
        Field::Country,
        &[
            "country",
            "country region",
            "cc",
            "country code",
            "nation",
            "land",
            "paese",
            "nazione",
            "stato",
            "kraj",
            "panstwo",
            "negara",
            "pays",
            "pais",
        ],
    ),
    (
        Field::BirthDate,
        &[
            "birth date",
            "birthdate",
            "date of birth",
            "dob",
            "birthday",
            "born",
            "geburtsdatum",
            "geburtstag",
            "data di nascita",
            "data urodzenia",
            "tanggal lahir",
            "tgl lahir",
            "date de naissance",
            "fecha de nacimiento",
        ],
    ),
    (
        Field::BirthYear,
        &[
            "birth year",
            "year of birth",
            "dob year",
            "birthyear",
            "geburtsjahr",
            "anno di nascita",
            "rok urodzenia",
            "tahun lahir",
            "annee de naissance",
            "ano de nacimiento",
        ],
    ),
    (
        Field::BirthMonth,
        &[
            "birth month",
            "month of birth",
            "dob month",
            "birthmonth",
            "geburtsmonat",
            "mese di nascita",
            "miesiac urodzenia",
            "bulan lahir",
            "mois de naissance",
            "mes de nacimiento",
        ],
    ),
    (
        Field::BirthDay,
        &[
            "birth day",
            "day of birth",
            "dob day",
            "geburtstag tag",
            "giorno di nascita",
            "dzien urodzenia",
            "hari lahir",
            "jour de naissance",
            "dia de nacimiento",
        ],
    ),
    (
        Field::Gender,
        &["gender", "sex", "geschlecht", "sesso", "genere", "plec", "jenis kelamin", "genre", "sexe", "sexo", "genero"],
    ),
    (
        Field::NationalId,
        &[
            "soc sec id",
            "ssn",
            "social security number",
            "social security",
            "national id",
            "national id number",
            "tax id",
            "tax number",
            "steuer id",
            "steueridentifikationsnummer",
            "codice fiscale",
            "pesel",
            "nik",
            "no ktp",
            "nomor ktp",
            "ktp",
            "nif",
            "nie",
            "dni",
            "numero de securite sociale",
            "insee",
            "curp",
        ],
    ),
    (
        Field::Created,
        &[
            "created",
            "created date",
            "create date",
            "created at",
            "createdate",
            "date created",
            "creation date",
            "created on",
            "created time",
            "date added",
            "added on",
            "signup date",
            "sign up date",
            "registration date",
            "registered",
            "registered at",
            "optin time",
            "opt in date",
            "subscribed",
            "first seen",
            "erstellt am",
            "anmeldedatum",
            "anmeldung",
            "registrierungsdatum",
            "data iscrizione",
            "data registrazione",
            "erstellungsdatum",
            "angelegt am",
            "data creazione",
            "data di creazione",
            "data utworzenia",
            "data rejestracji",
            "tanggal dibuat",
            "tanggal daftar",
            "date de creation",
            "date d inscription",
            "fecha de creacion",
            "fecha de alta",
            "fecha de registro",
        ],
    ),
    (
        Field::LastActivity,
        &[
            "last activity",
            "last activity date",
            "lastactivitydate",
            "last modified",
            "last modified date",
            "last modified time",
            "modified",
            "modified on",
            "modified time",
            "modified date",
            "updated",
            "updated at",
            "last updated",
            "last changed",
            "last contacted",
            "last engagement",
            "last engagement date",
            "last seen",
            "last interaction",
            "last login",
            "letzte aktivitat",
            "zuletzt geandert",
            "letzter kontakt",
            "ultima attivita",
            "ultima modifica",
            "ostatnia aktywnosc",
            "ostatnia modyfikacja",
            "aktivitas terakhir",
            "terakhir diubah",
            "derniere activite",
            "derniere modification",
            "ultima actividad",
            "ultima modificacion",
        ],
    ),
    (
        Field::Tags,
        &[
            "tags",
            "tag",
            "lists",
            "list",
            "list memberships",
            "marketing lists",
            "segments",
            "segment",
            "labels",
            "label",
            "categories",
            "category",
            "groups",
            "interests",
            "schlagworte",
            "schlagwort",
            "kategorien",
            "etichette",
            "tagi",
            "etykiety",
            "kategori",
            "etiquettes",
            "etiquetas",
            "categorias",
        ],
    ),
];

/// Leading words that qualify a field without changing it ("Mailing City", "Billing Street",
/// "Person - Email", "Contact Phone").
const QUALIFIERS: &[&str] = &[
    "mailing",
    "billing",
    "shipping",
    "other",
    "contact",
    "primary",
    "main",
    "person",
    "lead",
    "customer",
    "client",
    "personal",
    "private",
    "home",
    "work",
    "business",
    "default",
    "your",
    "kontakt",
    "privat",
    "geschaftlich",
    "dein",
    "ihr",
];

/// Guesses the canonical field of one header, or `None` for a column to keep as-is.
///
/// ```
/// use crmclean::schema::{guess_field, Field};
/// assert_eq!(guess_field(" given_name"), Some(Field::FirstName));
/// assert_eq!(guess_field("Mailing Zip/Postal Code"), Some(Field::PostalCode));
/// assert_eq!(guess_field("Kod pocztowy"), Some(Field::PostalCode));
/// assert_eq!(guess_field("Favourite colour"), None);
/// ```
pub fn guess_field(header: &str) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    let mut words: Vec<&str> = key.split(' ').collect();
    loop {
        let candidate = words.join(" ");
        if let Some(f) = lookup(&candidate) {
            return Some(f);
        }
        // "fname_c1", "email 2", "phone_3": a trailing counter does not change the field.
        let last = words.last().copied().unwrap_or("");
        let is_counter = last.chars().all(|c| c.is_ascii_digit())
            || (last.len() <= 3
                && last.starts_with('c')
                && last[1..].chars().all(|c| c.is_ascii_digit())
                && last.len() > 1);
        if words.len() > 1 && is_counter {
            words.pop();
            continue;
        }
        if words.len() > 1 && QUALIFIERS.contains(&words[0]) {
            words.remove(0);
            continue;
        }
        // Dynamics 365: "(Do Not Modify) Modified On", "Address 1: Street 1".
        if words.len() > 3 && words[..3] == ["do", "not", "modify"] {
            words.drain(..3);
            continue;
        }
        if words.len() > 2 && words[0] == "address" && words[1].chars().all(|c| c.is_ascii_digit()) {
            words.drain(..2);
            continue;
        }
        // Google Contacts: "Organization 1 - Name", "Relation 2 - Type": a counter inside the header.
        if let Some(i) = (1..words.len().saturating_sub(1)).find(|&i| words[i].chars().all(|c| c.is_ascii_digit())) {
            words.remove(i);
            continue;
        }
        break;
    }
    dynamics_schema_name(&key).or_else(|| fallback(&key))
}

/// Dynamics 365 exports with schema names instead of display names: `emailaddress1`, `telephone2`,
/// `address1_line1`, `address1_postalcode`, `parentcustomerid`.
fn dynamics_schema_name(key: &str) -> Option<Field> {
    let base = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match base {
        "emailaddress" => return Some(Field::Email),
        "telephone" | "business phone" => return Some(Field::Phone),
        "mobilephone" => return Some(Field::Mobile),
        "parentcustomerid" | "parentcustomeridname" => return Some(Field::Company),
        _ => {}
    }
    let (first, rest) = key.split_once(' ')?;
    if !(first.starts_with("address") && first[7..].chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    match rest {
        "line1" => Some(Field::Street),
        "line2" | "line3" => Some(Field::Street2),
        "city" => Some(Field::City),
        "postalcode" => Some(Field::PostalCode),
        "country" => Some(Field::Country),
        "stateorprovince" => Some(Field::Region),
        _ => None,
    }
}

fn lookup(key: &str) -> Option<Field> {
    SYNONYMS.iter().find(|(_, names)| names.contains(&key)).map(|(f, _)| *f)
}

/// Word-level rules for headers not in the table ("Email Address (Work)", "Contact Mobile Phone #").
fn fallback(key: &str) -> Option<Field> {
    let words: Vec<&str> = key.split(' ').collect();
    let has = |w: &str| words.contains(&w);
    // "HubSpot ID", "Lead ID", "Subscriber Id": the record's own id — not "Account ID" or "Owner ID".
    const OWN: &[&str] = &[
        "contact",
        "lead",
        "person",
        "customer",
        "subscriber",
        "member",
        "record",
        "hubspot",
        "salesforce",
        "zoho",
        "crm",
        "attendee",
        "registrant",
        "participant",
        "kontakt",
        "kunden",
        "cliente",
        "klient",
        "pelanggan",
        "client",
        "contatto",
    ];
    if words.len() == 2 && words[1] == "id" && OWN.contains(&words[0]) {
        return Some(Field::Id);
    }
    if has("email") || has("mail") || key.contains("e mail") {
        return Some(Field::Email);
    }
    if has("mobile") || has("cell") || has("handy") || has("cellulare") || has("movil") {
        return Some(Field::Mobile);
    }
    if has("phone") || has("telephone") || has("telefon") || has("telefono") || has("telepon") {
        return Some(Field::Phone);
    }
    if (has("zip") || has("postal") || has("postcode")) && !has("city") {
        return Some(Field::PostalCode);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Field::*;

    /// `Field::ALL` lists every field in declaration order, so `field as usize` indexes it.
    #[test]
    fn all_fields_in_order() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "{f:?}");
        }
    }

    /// Headers as real exports write them.
    #[test]
    fn headers_of_real_exports() {
        let cases: &[(&str, Option<Field>)] = &[
            // Salesforce
            ("Contact ID", Some(Id)),
            ("Salutation", Some(Salutation)),
            ("Mailing Street", Some(Street)),
            ("Mailing Zip/Postal Code", Some(PostalCode)),
            ("Mailing State/Province", Some(Region)),
            ("Mailing Country", Some(Country)),
            ("Birthdate", Some(BirthDate)),
            ("Account Name", Some(Company)),
            ("Title", Some(JobTitle)),
            ("Mobile", Some(Mobile)),
            ("Last Activity", Some(LastActivity)),
            // HubSpot
            ("Record ID", Some(Id)),
            ("Phone Number", Some(Phone)),
            ("Street Address", Some(Street)),
            ("State/Region", Some(Region)),
            ("Country/Region", Some(Country)),
            ("Create Date", Some(Created)),
            ("Last Activity Date", Some(LastActivity)),
            ("Company Name", Some(Company)),
            ("Job Title", Some(JobTitle)),
            // Zoho
            ("Record Id", Some(Id)),
            ("Mailing Zip", Some(PostalCode)),
            ("Date of Birth", Some(BirthDate)),
            ("Created Time", Some(Created)),
            ("Modified Time", Some(LastActivity)),
            ("Tag", Some(Tags)),
            // Dynamics 365 schema names, Google Contacts, Brevo
            ("emailaddress1", Some(Email)),
            ("emailaddress2", Some(Email)),
            ("telephone1", Some(Phone)),
            ("mobilephone", Some(Mobile)),
            ("address1_line1", Some(Street)),
            ("address1_city", Some(City)),
            ("address1_postalcode", Some(PostalCode)),
            ("address1_country", Some(Country)),
            ("parentcustomerid", Some(Company)),
            ("Organization 1 - Name", Some(Company)),
            ("E-mail 1 - Value", Some(Email)),
            ("SMS", Some(Mobile)),
            // Pipedrive
            ("Person - Name", Some(FullName)),
            ("Person - Email - Work", Some(Email)),
            ("Person - Phone - Mobile", Some(Mobile)),
            ("Person - Organization", Some(Company)),
            ("Organization - Name", Some(Company)),
            ("Person - ID", Some(Id)),
            // Dynamics 365
            ("(Do Not Modify) Contact", Some(Id)),
            ("(Do Not Modify) Modified On", Some(LastActivity)),
            ("(Do Not Modify) Row Checksum", None),
            ("Full Name", Some(FullName)),
            ("Business Phone", Some(Phone)),
            ("Mobile Phone", Some(Mobile)),
            ("Address 1: Street 1", Some(Street)),
            ("Address 1: City", Some(City)),
            ("Address 1: ZIP/Postal Code", Some(PostalCode)),
            ("Address 1: Country/Region", Some(Country)),
            // Mailchimp
            ("Email Address", Some(Email)),
            ("Address", Some(Street)),
            ("Birthday", Some(BirthDate)),
            ("OPTIN_TIME", Some(Created)),
            ("LAST_CHANGED", Some(LastActivity)),
            ("LEID", Some(Id)),
            ("TAGS", Some(Tags)),
            ("CC", Some(Country)),
            ("REGION", Some(Region)),
            ("MEMBER_RATING", None),
            ("LATITUDE", None),
            // ActiveCampaign and sign-up tools
            ("Organization", Some(Company)),
            ("Date Created", Some(Created)),
            ("Attendee Name", Some(FullName)),
            ("Registration Date", Some(Created)),
            // Febrl
            (" given_name", Some(FirstName)),
            (" surname", Some(LastName)),
            (" street_number", Some(StreetNumber)),
            (" address_1", Some(Street)),
            (" address_2", Some(Street2)),
            (" suburb", Some(City)),
            (" postcode", Some(PostalCode)),
            (" state", Some(Region)),
            (" date_of_birth", Some(BirthDate)),
            (" soc_sec_id", Some(NationalId)),
            ("rec_id", Some(Id)),
            // German
            ("Vorname", Some(FirstName)),
            ("Nachname", Some(LastName)),
            ("E-Mail-Adresse", Some(Email)),
            ("Telefonnummer", Some(Phone)),
            ("Handynummer", Some(Mobile)),
            ("Straße", Some(Street)),
            ("Hausnummer", Some(StreetNumber)),
            ("PLZ", Some(PostalCode)),
            ("Ort", Some(City)),
            ("Land", Some(Country)),
            ("Geburtsdatum", Some(BirthDate)),
            ("Firma", Some(Company)),
            ("Anrede", Some(Salutation)),
            // Italian
            ("Nome", Some(FirstName)),
            ("Cognome", Some(LastName)),
            ("Cellulare", Some(Mobile)),
            ("Azienda", Some(Company)),
            ("Indirizzo", Some(Street)),
            ("CAP", Some(PostalCode)),
            ("Città", Some(City)),
            ("Provincia", Some(Region)),
            ("Data di nascita", Some(BirthDate)),
            ("Codice fiscale", Some(NationalId)),
            // Polish
            ("Imię", Some(FirstName)),
            ("Nazwisko", Some(LastName)),
            ("Telefon komórkowy", Some(Mobile)),
            ("Ulica", Some(Street)),
            ("Kod pocztowy", Some(PostalCode)),
            ("Miejscowość", Some(City)),
            ("Kraj", Some(Country)),
            ("Data urodzenia", Some(BirthDate)),
            ("Województwo", Some(Region)),
            ("PESEL", Some(NationalId)),
            // Indonesian
            ("Nama Depan", Some(FirstName)),
            ("Nama Belakang", Some(LastName)),
            ("Nama Lengkap", Some(FullName)),
            ("No. HP", Some(Mobile)),
            ("Nomor Telepon", Some(Phone)),
            ("Perusahaan", Some(Company)),
            ("Alamat", Some(Street)),
            ("Kota", Some(City)),
            ("Kode Pos", Some(PostalCode)),
            ("Tanggal Lahir", Some(BirthDate)),
            ("NIK", Some(NationalId)),
            // French
            ("Prénom", Some(FirstName)),
            ("Nom", Some(LastName)),
            ("Courriel", Some(Email)),
            ("Téléphone", Some(Phone)),
            ("Portable", Some(Mobile)),
            ("Société", Some(Company)),
            ("Adresse", Some(Street)),
            ("Code postal", Some(PostalCode)),
            ("Ville", Some(City)),
            ("Pays", Some(Country)),
            ("Date de naissance", Some(BirthDate)),
            // Spanish
            ("Nombre", Some(FirstName)),
            ("Apellidos", Some(LastName)),
            ("Correo electrónico", Some(Email)),
            ("Teléfono", Some(Phone)),
            ("Móvil", Some(Mobile)),
            ("Empresa", Some(Company)),
            ("Dirección", Some(Street)),
            ("Código postal", Some(PostalCode)),
            ("Ciudad", Some(City)),
            ("País", Some(Country)),
            ("Fecha de nacimiento", Some(BirthDate)),
            ("DNI", Some(NationalId)),
            // Unknown
            ("Favourite colour", None),
            ("Notes", None),
            ("Lead Status", None),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(h, want)| guess_field(h) != *want)
            .map(|(h, want)| format!("{h:?}: got {:?}, want {want:?}", guess_field(h)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
