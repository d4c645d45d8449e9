//! Spreadsheets in and out: a sheet of an Excel or OpenDocument workbook (`.xlsx`, `.xlsm`, `.xlsb`,
//! `.xls`, `.ods`, read with calamine) as rows of text, and a table written as `.xlsx` with a
//! dropdown column (rust_xlsxwriter), for review files a person fills in.

use std::path::Path;

use calamine::{Data, Reader};

use crate::error::{Error, Result};

/// File extensions of the workbooks read.
const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether a file is a workbook: its first bytes are a zip archive's or an OLE compound file's and
/// it is not named as another archive. An error when it is named as a workbook and is not one.
pub fn is_workbook(path: &Path, bytes: &[u8]) -> Result<bool> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let magic = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let named = EXTENSIONS.contains(&ext.as_str());
    // An `.xls` that is text (tab-separated or HTML, as older CRMs export "Excel") is read as text.
    if named && !magic && ext != "xls" {
        return Err(Error::input(
            path,
            None,
            "is named like a spreadsheet but is not one (it does not start with a workbook's marker)",
            "save it again from Excel, or rename it if it is a CSV",
        ));
    }
    Ok(magic && (named || !matches!(ext.as_str(), "zip" | "gz" | "7z" | "jar")))
}

/// One sheet's cells as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The sheet read.
    pub name: String,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
    /// The header row (see [`read`]) and its row number.
    pub headers: Vec<String>,
    pub header_row: u64,
    /// The rows under the header, each with its row number as the spreadsheet shows it.
    pub rows: Vec<(u64, Vec<String>)>,
    /// Row numbers of the rows with a value above the header (a title or a note), not read as data.
    pub above_header: Vec<u64>,
    /// Cells under the header holding a formula's error value (`#N/A`, `#REF!`), read as empty, in
    /// order (`D14 (#N/A)`).
    pub errors: Vec<String>,
}

/// Reads sheet `sheet` of a workbook; when `None`, the first sheet with a row under its header (a
/// notes or cover sheet before the data is passed over). The header is the first row that fills more
/// than half as many cells as the widest of the first 20 rows (a title above it fills fewer).
pub fn read(path: &Path, bytes: &[u8], sheet: Option<&str>) -> Result<Sheet> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(path, &e.to_string()))?;
    let sheets = book.sheet_names();
    let name = match sheet {
        Some(s) => {
            // As typed on a command line: any case, composed or decomposed accents ("Übersicht").
            let fold = |n: &str| {
                use unicode_normalization::UnicodeNormalization;
                n.trim().nfc().collect::<String>().to_lowercase()
            };
            let wanted = |n: &String| n.as_str() == s || fold(n) == fold(s);
            sheets.iter().find(|n| wanted(n)).cloned().ok_or_else(|| {
                Error::input(
                    path,
                    None,
                    format!("has no sheet \"{s}\" (its sheets: {})", sheets.join(", ")),
                    "pass one of those names with --sheet",
                )
            })?
        }
        None => {
            for name in &sheets {
                if let Ok(found) = read_sheet(path, &mut book, name, &sheets) {
                    if !found.rows.is_empty() {
                        return Ok(found);
                    }
                }
            }
            sheets.first().cloned().ok_or_else(|| unreadable(path, "it has no sheets"))?
        }
    };
    read_sheet(path, &mut book, &name, &sheets)
}

fn unreadable(path: &Path, why: &str) -> Error {
    Error::input(
        path,
        None,
        format!("could not be read as a spreadsheet: {why}"),
        "save it again from Excel without a password, or export it as CSV",
    )
}

fn read_sheet<R: std::io::Read + std::io::Seek>(
    path: &Path,
    book: &mut calamine::Sheets<R>,
    name: &str,
    sheets: &[String],
) -> Result<Sheet> {
    let range = book.worksheet_range(name).map_err(|e| unreadable(path, &e.to_string()))?;
    let (first_row, first_column) = range.start().map_or((0, 0), |(r, c)| (r as u64, c as usize));
    // A formula's error (`#N/A`) is no value of the record: read as empty, and counted.
    let mut errors: Vec<(u64, String)> = Vec::new();
    let mut rows: Vec<(u64, Vec<String>)> = Vec::with_capacity(range.height());
    for (i, cells) in range.rows().enumerate() {
        let line = first_row + i as u64 + 1;
        let row = cells
            .iter()
            .enumerate()
            .map(|(column, cell)| match cell {
                Data::Error(e) => {
                    errors.push((line, format!("{}{line} ({e})", column_name(first_column + column))));
                    String::new()
                }
                cell => text(cell),
            })
            .collect();
        rows.push((line, row));
    }
    let filled = |cells: &[String]| cells.iter().filter(|c| !c.trim().is_empty()).count();
    // The header is the first row that fills more than half as many cells as the widest of the first
    // rows: a title or a note above it fills fewer.
    let first = rows.iter().position(|(_, cells)| filled(cells) > 0);
    let header_at = first.map(|first| {
        let widest = rows[first..].iter().take(20).map(|(_, c)| filled(c)).max().unwrap_or(0);
        first + rows[first..].iter().position(|(_, c)| filled(c) * 2 > widest).unwrap_or(0)
    });
    let Some(header_at) = header_at else {
        return Err(Error::input(
            path,
            None,
            format!("sheet \"{name}\" is empty"),
            format!("pass the sheet that holds the data with --sheet NAME (its sheets: {})", sheets.join(", ")),
        ));
    };
    let above_header = rows[..header_at].iter().filter(|(_, c)| filled(c) > 0).map(|(line, _)| *line).collect();
    let data = rows.split_off(header_at + 1);
    let (header_row, headers) = rows.pop().unwrap_or_default();
    errors.retain(|(line, _)| *line > header_row);
    Ok(Sheet {
        name: name.to_string(),
        sheets: sheets.to_vec(),
        headers,
        header_row,
        rows: data,
        above_header,
        errors: errors.into_iter().map(|(_, cell)| cell).collect(),
    })
}

/// A column's letters as a spreadsheet names it (0 is `A`, 26 is `AA`).
fn column_name(mut column: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// A cell as text: whole numbers without a decimal part (phone numbers and ids are often typed as
/// numbers), dates stored as numbers as ISO dates (`2024-03-01`, with the time when it has one),
/// booleans as Excel shows them, error values (`#N/A`) as written ([`read`] reads them as empty).
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::text::number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_duration() => {
            let seconds = (d.as_f64() * 86_400.0).round() as i64;
            format!("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
        }
        Data::DateTime(d) => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if d.as_f64() < 1.0 {
                // A time of day without a date.
                format!("{h:02}:{min:02}:{s:02}")
            } else if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::Error(e) => e.to_string(),
    }
}

/// The most characters an Excel cell holds.
const CELL_LIMIT: usize = 32_767;

/// A column whose cells a person picks from a list.
pub struct Choices<'a> {
    pub column: usize,
    pub values: &'a [&'a str],
    pub prompt: &'a str,
}

/// Writes `rows` under `header` as a one-sheet `.xlsx` (atomically): header in bold and frozen, a
/// filter on every column, widths to fit the values (up to 50 characters), and `choices` as a
/// dropdown on its column. Values are written as text, never as formulas; in the `numeric` columns
/// numbers as numbers (so that Excel sorts them); a value longer than a cell holds is cut, ending in `…`.
pub fn write_table(
    path: &Path,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
    choices: Option<Choices>,
) -> Result<()> {
    use rust_xlsxwriter::{DataValidation, Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| Error::output(path, e.to_string(), "report this as a bug");
    let mut book = Workbook::new();
    // Rows go to a temporary file as they are written, not into memory (widths first, then the rows
    // in order).
    let ws = book.add_worksheet_with_constant_memory();
    ws.set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, v) in widths.iter_mut().zip(row) {
            *w = (*w).max(v.chars().count());
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 50) as f64 + 2.0).map_err(fail)?;
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let (r, col) = (r as u32 + 1, c as u16);
            match v.parse::<f64>() {
                Ok(x) if numeric.contains(&c) && x.is_finite() => ws.write_number(r, col, x),
                _ if v.chars().count() > CELL_LIMIT => {
                    let cut: String = v.chars().take(CELL_LIMIT - 1).chain(['…']).collect();
                    ws.write_string(r, col, cut)
                }
                _ => ws.write_string(r, col, v),
            }
            .map_err(fail)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    if !header.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1).map_err(fail)?;
    }
    if let Some(ch) = choices {
        let rule = DataValidation::new()
            .allow_list_strings(ch.values)
            .and_then(|v| v.set_input_message(ch.prompt))
            .map_err(fail)?;
        ws.add_data_validation(1, ch.column as u16, rows.len().max(1) as u32, ch.column as u16, &rule).map_err(fail)?;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    crate::io::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is written reads back as the same text, on its named sheet.
    #[test]
    fn a_written_table_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let rows = vec![
            vec!["1".to_string(), "=HYPERLINK(\"x\")".into(), String::new()],
            vec!["2".into(), "Zoë Łukasz".into(), "match".into()],
        ];
        let choices = Choices { column: 2, values: &["match", "no-match"], prompt: "match or no-match" };
        write_table(&path, "review", &["id", "name", "decision"], &rows, &[], Some(choices)).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(is_workbook(&path, &bytes).unwrap());
        let sheet = read(&path, &bytes, None).unwrap();
        assert_eq!((sheet.name.as_str(), sheet.sheets.len()), ("review", 1));
        assert_eq!(sheet.headers, ["id", "name", "decision"]);
        assert_eq!(sheet.rows, [(2, rows[0].clone()), (3, rows[1].clone())]);
        assert!(read(&path, &bytes, Some("Review")).is_ok(), "sheet names in any case");
        let err = read(&path, &bytes, Some("Contacts")).unwrap_err().to_string();
        assert!(err.contains("no sheet \"Contacts\"") && err.contains("review"), "{err}");
    }

    /// A title and an empty row above the header are not the header.
    #[test]
    fn a_title_above_the_header_is_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "Contacts export, 2024-03-01").unwrap();
        for (c, h) in ["Id", "Name", "Email"].iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        ws.write_string(3, 0, "1").unwrap();
        ws.write_string(3, 2, "a@b.pl").unwrap();
        book.save(&path).unwrap();
        let sheet = read(&path, &std::fs::read(&path).unwrap(), None).unwrap();
        assert_eq!(
            (sheet.headers.as_slice(), sheet.header_row, sheet.above_header.as_slice()),
            (&["Id", "Name", "Email"].map(String::from)[..], 3, &[1][..])
        );
        assert_eq!(sheet.rows, [(4, vec!["1".to_string(), String::new(), "a@b.pl".into()])]);
    }

    /// A formula's error value is read as empty and counted, with the first cell's name.
    #[test]
    fn error_values_are_read_as_empty() {
        use std::io::Write as _;
        let sheet_xml = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c><c r="B2" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f><v>#N/A</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>Bo</t></is></c><c r="B3" t="inlineStr"><is><t>bo@x.pl</t></is></c></row></sheetData></worksheet>"#;
        let files = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            ("xl/worksheets/sheet1.xml", sheet_xml),
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, body) in files {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let sheet = read(Path::new("leads.xlsx"), &bytes, Some("LEADS")).unwrap();
        assert_eq!(sheet.rows[0], (2, vec!["Ann".to_string(), String::new()]));
        assert_eq!(sheet.errors, ["B2 (#N/A)"]);
        assert_eq!([0, 25, 26, 701, 702].map(column_name), ["A", "Z", "AA", "ZZ", "AAA"]);
    }

    #[test]
    fn cells_as_text() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        assert_eq!(text(&Data::Float(48601234567.0)), "48601234567");
        assert_eq!(text(&Data::Float(2.5)), "2.5");
        assert_eq!(
            text(&Data::DateTime(ExcelDateTime::new(45352.0, ExcelDateTimeType::DateTime, false))),
            "2024-03-01"
        );
        assert_eq!(
            text(&Data::DateTime(ExcelDateTime::new(45352.5, ExcelDateTimeType::DateTime, false))),
            "2024-03-01 12:00:00"
        );
        assert_eq!(text(&Data::Bool(true)), "TRUE");
        assert_eq!(text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
    }

    #[test]
    fn only_workbooks_are_workbooks() {
        assert!(!is_workbook(Path::new("a.csv"), b"Email\na@b.pl\n").unwrap());
        assert!(!is_workbook(Path::new("a.zip"), b"PK\x03\x04rest").unwrap(), "an archive is not read as a workbook");
        assert!(!is_workbook(Path::new("old.xls"), b"Email\ta@b.pl\n").unwrap(), "a text .xls is read as text");
        let err = is_workbook(Path::new("a.xlsx"), b"Email\na@b.pl\n").unwrap_err().to_string();
        assert!(err.contains("a.xlsx") && err.contains("not one"), "{err}");
    }
}
