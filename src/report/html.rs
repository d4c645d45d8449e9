//! The two self-contained pages: report.html of `dedupe` and profile.html of `profile`, written with
//! maud templates (every value escaped unless marked as markup; the review page's script and style
//! are `review.js` and `review.css`).

use maud::{display, html, Markup, PreEscaped, DOCTYPE};
use serde_json::json;

use super::{
    change_counts, differing, mask_email, page_selection, review_cells, summary_json, ReviewKind, ReviewRow,
    ReviewTable, Run, REVIEW_XLSX_ROWS,
};
use crate::compare::COMPARISONS;
use crate::schema::GoldenField;

/// The report holds up to this many pairs of review.csv for deciding in the page ([`page_selection`]).
const REVIEW_PAGE_ROWS: usize = REVIEW_XLSX_ROWS;

/// The style of both pages.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}table{border-collapse:collapse;margin:1em 0;display:block;max-width:100%;overflow-x:auto}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}th{background:#eef}h2{margin-top:2em;border-bottom:1px solid #ccc}figure{margin:1em 0}figcaption{font-weight:600}";

/// A self-contained page: its title as the heading, then `body`.
fn page(title: &str, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                (body)
            }
        }
    };
    page.into_string() + "\n"
}

/// The self-contained HTML report.
pub(super) fn report(run: &Run, review: &[ReviewRow], table: &ReviewTable) -> String {
    let sum = summary_json(run);
    let consent = &sum["consent"];
    let timings: Vec<(String, f64)> =
        run.timings.iter().map(|(k, v)| (k.to_string(), (v * 1000.0).round() / 1000.0)).collect();
    let details = [
        ("records read", &sum["records_read"]),
        ("rejected rows", &sum["rejected"]),
        ("records", &sum["records"]),
        ("clusters (people)", &sum["clusters"]),
        ("duplicate records", &sum["duplicate_records"]),
        ("candidate pairs", &sum["blocking"]["candidate_pairs"]),
        ("pairs for review", &sum["scoring"]["pairs_for_review"]),
        ("refused joins (anti-chaining)", &sum["scoring"]["refused_joins"]),
    ];
    let body = html! {
        (to_do(run, review, &sum))
        (review_section(run, review, table))
        h2 { "Details" }
        table {
            @for (what, n) in details {
                tr { th { (what) } td { (display(n)) } }
            }
        }
        @if consent["clusters_with_disagreement"].as_u64().unwrap_or(0) > 0 {
            p {
                strong { "Consent:" }
                " the records of " (display(&consent["clusters_with_disagreement"]))
                " people disagree on an opt-out or do-not-call flag; their golden records keep the restrictive value (golden.csv "
                code { "email_opt_out" } ", " code { "do_not_call" }
                "; provenance.csv names the record it came from). " (display(&consent["email_opt_out"]))
                " golden records are opted out of email, " (display(&consent["do_not_call"])) " are do-not-call."
            }
        }
        (changes_section(run))
        h2 { "Time per stage" }
        (bar_chart("seconds", &timings))
        (inputs_section(run))
        (model_section(run))
        (largest_clusters(run))
    };
    page("crmclean report", body)
}

/// An inline SVG bar chart of `(label, value)`.
fn bar_chart(title: &str, bars: &[(String, f64)]) -> Markup {
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-9);
    let (w, bar_h) = (640.0, 18.0);
    let h = bars.len() as f64 * (bar_h + 4.0) + 24.0;
    html! {
        figure {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" width=(w.to_string()) height=(h.to_string()) role="img" {
                @for (i, (label, v)) in bars.iter().enumerate() {
                    @let y = i as f64 * (bar_h + 4.0) + 4.0;
                    @let bw = (w - 260.0) * v / max;
                    text x="150" y=((y + 13.0).to_string()) text-anchor="end" font-size="12" { (label) }
                    rect x="156" y=(y.to_string()) width=(format!("{bw:.1}")) height=(bar_h.to_string()) fill="#3b6ea5" {}
                    text x=(format!("{:.1}", 160.0 + bw)) y=((y + 13.0).to_string()) font-size="12" { (v.to_string()) }
                }
            }
        }
    }
}

/// With `--state`: what changed since the last run.
fn changes_section(run: &Run) -> Markup {
    let Some(inc) = &run.incremental else { return html! {} };
    let model = if inc.reused_model {
        "the saved model was reused"
    } else {
        "the compared columns changed, so the model was relearned"
    };
    html! {
        h2 { "Changes since the last run (run " (inc.run - 1) ")" }
        p {
            (inc.new_records) " new, " (inc.edited_records) " edited, " (inc.unchanged_records) " unchanged and "
            (inc.deleted_records) " deleted records; " (inc.blocks_skipped)
            " blocks of unchanged records were not paired or scored again; " (model) "."
        }
        table {
            tr { th { "change" } th { "count" } }
            @for (kind, n) in change_counts(run) {
                tr { td { (kind) } td { (n) } }
            }
        }
        p { "Every change is listed in changes.csv." }
    }
}

/// Each input's header mapping, the notes on reading them, completeness and data quality.
fn inputs_section(run: &Run) -> Markup {
    html! {
        h2 { "Inputs and header mapping" }
        @for inp in run.inputs() {
            h3 {
                (inp.file) " — " (inp.records) " records (" (inp.rejected) " rejected), " (inp.encoding)
                ", delimiter “" (inp.delimiter) "”"
            }
            table {
                tr { th { "header" } th { "field" } th { "how" } th { "confidence" } th { "why" } }
                @for m in &inp.mapping {
                    tr {
                        td { (m.header) }
                        td { (m.field.map(|f| f.name()).unwrap_or("(kept as-is)")) }
                        td { (m.how.name()) }
                        td { (format!("{:.0}%", m.confidence * 100.0)) }
                        td { (m.evidence) }
                    }
                }
            }
        }
        @if !run.ingested.notes.is_empty() {
            h2 { "Notes" }
            ul {
                @for n in &run.ingested.notes {
                    li { (n) }
                }
            }
        }
        (completeness_table(&run.ingested))
        h2 { "Data quality" }
        (quality_table(&run.profiles))
    }
}

/// Every source's count of records with each quality flag.
fn quality_table(profiles: &[crate::quality::SourceProfile]) -> Markup {
    html! {
        table {
            tr {
                th { "source" }
                th { "records" }
                @for (_, name) in crate::quality::FLAGS { th { (name) } }
            }
            @for p in profiles {
                tr {
                    td { (p.source) }
                    td { (p.records) }
                    @for (_, name) in crate::quality::FLAGS {
                        td { (p.issues.get(name).copied().unwrap_or(0)) }
                    }
                }
            }
        }
    }
}

/// Blocking rules, match weights, cluster sizes and the learned model.
fn model_section(run: &Run) -> Markup {
    let rules: Vec<(String, f64)> =
        run.candidates.rules.iter().map(|r| (r.rule.to_string(), r.new_pairs as f64)).collect();
    let weights: Vec<(String, f64)> =
        run.pair_stats.weights.iter().map(|(k, v)| (format!("{k} to {}", k + 5), *v as f64)).collect();
    let sizes: Vec<(String, f64)> =
        super::size_histogram(run).iter().map(|(k, v)| (format!("{k} record(s)"), *v as f64)).collect();
    html! {
        h2 { "Blocking" }
        (bar_chart("new candidate pairs per rule", &rules))
        h2 { "Match weights" }
        (bar_chart("candidate pairs by match weight (log2 odds)", &weights))
        h2 { "Cluster sizes" }
        (bar_chart("clusters by number of records", &sizes))
        h2 { "Model" }
        table {
            tr { th { "comparison" } th { "level" } th { "m" } th { "u" } th { "weight" } }
            @for c in &run.model.comparisons {
                @for (i, label) in c.levels.iter().enumerate() {
                    tr {
                        td { (c.name) }
                        td { (label) }
                        td { (format!("{:.4}", c.m[i])) }
                        td { (format!("{:.6}", c.u[i])) }
                        td { (format!("{:.2}", c.weight(i as u8 + 1))) }
                    }
                }
            }
        }
        p {
            "Prior share of matches among candidate pairs: " (format!("{:.4}", run.model.prior))
            "; EM iterations: " (run.model.em_iterations) "."
        }
    }
}

/// The 20 largest clusters, with their sources, name and email.
fn largest_clusters(run: &Run) -> Markup {
    let mut largest: Vec<&crate::merge::Golden> =
        run.golden.iter().filter(|g| run.clusters.members[g.cluster as usize].len() > 1).collect();
    largest.sort_by_key(|g| (std::cmp::Reverse(run.clusters.members[g.cluster as usize].len()), g.cluster));
    let field = |g: &crate::merge::Golden, f: GoldenField| g.get(f).map(|v| v.value.to_string()).unwrap_or_default();
    let sources = |members: &[u32]| {
        let mut sources: Vec<&str> = members.iter().map(|&i| run.record(i).0).collect();
        sources.sort_unstable();
        sources.dedup();
        sources.join(", ")
    };
    html! {
        h2 { "Largest clusters" }
        table {
            tr { th { "cluster" } th { "records" } th { "sources" } th { "name" } th { "email" } }
            @for g in largest.iter().take(20) {
                @let members = &run.clusters.members[g.cluster as usize];
                @let email = field(g, GoldenField::Email);
                tr {
                    td { (run.clusters.id(g.cluster)) }
                    td { (members.len()) }
                    td { (sources(members)) }
                    td { (field(g, GoldenField::FirstName)) " " (field(g, GoldenField::LastName)) }
                    td { (if run.config.redact { mask_email(&email) } else { email }) }
                }
            }
        }
    }
}

/// The report's first screen: what the run will change and what needs a person, each with the file
/// that lists it.
fn to_do(run: &Run, rows: &[ReviewRow], sum: &serde_json::Value) -> Markup {
    let disagree = sum["consent"]["clusters_with_disagreement"].as_u64().unwrap_or(0);
    let rejects = run.ingested.rejects.len();
    html! {
        section #to-do {
            h2 { "What to do" }
            ul.todo {
                li {
                    strong { (sum["duplicate_records"].as_u64().unwrap_or(0)) " duplicate records" }
                    " of " (sum["clusters_with_duplicates"].as_u64().unwrap_or(0)) " people were found: merging them leaves "
                    (display(&sum["clusters"])) " records of the " (display(&sum["records"])) " read. The surviving values are in "
                    a href="golden.csv" { "golden.csv" } " (where each came from: " a href="provenance.csv" { "provenance.csv" }
                    "); the merges to run in each CRM are in " a href="merge_plan.csv" { "merge_plan.csv" } ", and "
                    a href="undo.csv" { "undo.csv" } " restores what they overwrite."
                }
                (review_to_do(rows))
                @if disagree > 0 {
                    li {
                        strong { (disagree) " people's records disagree on consent" }
                        " (an opt-out or do-not-call on one record, not on another): their golden records keep the restrictive value; check them in golden.csv ("
                        code { "email_opt_out" } ", " code { "do_not_call" } ")."
                    }
                }
                @if rejects > 0 {
                    li {
                        strong { (rejects) (if rejects == 1 { " row could" } else { " rows could" }) " not be read" }
                        ": each is in " a href="rejects.csv" { "rejects.csv" } " with its file, line and reason."
                    }
                }
                (problems_to_do(run))
            }
        }
    }
}

/// The first screen's item on the pairs that need a person, by kind.
fn review_to_do(rows: &[ReviewRow]) -> Markup {
    let kinds = [
        (
            ReviewKind::Contradiction,
            "reviewers' match decisions that contradict their no-match decisions (settle these first)",
        ),
        (ReviewKind::Split, "joins refused because two records across them conflict"),
        (ReviewKind::LargeCluster, "weakest links of clusters of 6 or more records"),
        (ReviewKind::UncertainPair, "pairs the model is unsure about (kept apart)"),
    ];
    let count = |k: ReviewKind| rows.iter().filter(|r| r.kind == k).count();
    html! {
        @if rows.is_empty() {
            li { "No pair needs a person." }
        } @else {
            li {
                strong { (rows.len()) " pairs need a person" }
                ": decide them " a href="#review" { "in this page" } " and download the decisions, or pick "
                code { "match" } " or " code { "no-match" } " in the decision column of "
                a href="review.xlsx" { "review.xlsx" } " (or " a href="review.csv" { "review.csv" }
                "); then run again with " code { "--decisions" } " and that file."
                ul {
                    @for (k, what) in kinds {
                        @let n = count(k);
                        @if n > 0 {
                            li { (n) " " (what) " (" code { (k.name()) } ")" }
                        }
                    }
                }
            }
        }
    }
}

/// The first screen's item on data-quality problems, by the records they touch.
fn problems_to_do(run: &Run) -> Markup {
    let mut problems: Vec<(&str, usize)> = crate::quality::FLAGS
        .iter()
        .map(|(_, name)| (*name, run.profiles.iter().map(|p| p.issues.get(*name).copied().unwrap_or(0)).sum()))
        .filter(|(_, n)| *n > 0)
        .collect();
    problems.sort_by_key(|(name, n)| (std::cmp::Reverse(*n), *name));
    html! {
        @if !problems.is_empty() {
            li {
                strong { "Data-quality problems" }
                ", by the records they touch (every record is listed in " a href="quality_issues.csv" { "quality_issues.csv" }
                ", filter its " code { "issues" } " column):"
                ul {
                    @for (name, n) in problems {
                        @let label = problem_label(name);
                        li {
                            (n) " " (if n == 1 { label.replacen("records", "record", 1) } else { label.to_string() })
                            " (" code { (name) } ")"
                            @if name == "past_retention" {
                                " — the deletion list is " a href="retention.csv" { "retention.csv" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A quality flag in words, for the report's first screen.
fn problem_label(flag: &str) -> &'static str {
    match flag {
        "invalid_email" => "records with an invalid email address",
        "placeholder_email" => "records with a placeholder email (test@, noreply@, example.com)",
        "role_email" => "records with a role mailbox (info@, sales@) instead of a person's",
        "invalid_phone" => "records with a phone number that is not a valid number",
        "invalid_date" => "records with a date that cannot be read",
        "no_name" => "records without a name",
        "no_contact_point" => "records without an email, phone or address",
        "unknown_country" => "records with a country that is not recognised",
        "stale" => "stale records (no activity for a long time)",
        "past_retention" => "records past the retention period",
        "duplicate_record_id" => "records whose id appears twice in one file",
        _ => "records",
    }
}

/// The self-contained data-quality page of `crmclean profile --out`.
pub fn profile(
    ingested: &crate::ingest::Ingested,
    profiles: &[crate::quality::SourceProfile],
    tag_groups: &[crate::quality::TagGroup],
) -> String {
    let body = html! {
        p {
            (ingested.record_count()) " records in " (ingested.sources.len()) " file(s), " (ingested.rejects.len())
            " rejected row(s)."
        }
        (completeness_table(ingested))
        h2 { "Findings" }
        (quality_table(profiles))
        p { "Every flagged record is listed in quality_issues.csv." }
        @for p in profiles {
            h2 { (p.source) }
            table {
                tr {
                    th { "column" } th { "field" } th { "filled" } th { "distinct" } th { "most common" } th { "formats" }
                }
                @for c in &p.columns {
                    tr {
                        td { (c.header) }
                        td { (c.field.unwrap_or("—")) }
                        td { (c.filled) }
                        td { (c.distinct) }
                        td {
                            @for (i, (v, n)) in c.top.iter().take(3).enumerate() {
                                @if i > 0 { br; }
                                (v) " (" (n) ")"
                            }
                        }
                        td {
                            @for (i, (f, n)) in c.formats.iter().enumerate() {
                                @if i > 0 { br; }
                                (f) ": " (n)
                            }
                        }
                    }
                }
            }
        }
        h2 { "Similar tags" }
        @if tag_groups.is_empty() {
            p { "No near-identical tags." }
        } @else {
            table {
                tr { th { "keep" } th { "spellings (records)" } }
                @for g in tag_groups {
                    tr {
                        td { (g.canonical) }
                        td {
                            @for (i, (t, n)) in g.variants.iter().enumerate() {
                                @if i > 0 { ", " }
                                (t) " (" (n) ")"
                            }
                        }
                    }
                }
            }
        }
    };
    page("crmclean data-quality profile", body)
}

/// Share of records with each canonical field, per source, as a shaded table.
fn completeness_table(ingested: &crate::ingest::Ingested) -> Markup {
    let share = |src: &crate::ingest::Source, field| {
        let height = src.frame.height();
        (src.columns_for(field).next().is_some() && height > 0).then(|| src.filled(field) as f64 / height as f64)
    };
    let rows: Vec<(crate::schema::Field, Vec<Option<f64>>)> = crate::schema::Field::ALL
        .into_iter()
        .map(|field| (field, ingested.sources.iter().map(|src| share(src, field)).collect::<Vec<_>>()))
        .filter(|(_, shares)| shares.iter().any(Option::is_some))
        .collect();
    html! {
        h2 { "Field completeness by source" }
        table {
            tr {
                th { "field" }
                @for src in &ingested.sources { th { (src.name) } }
            }
            @for (field, shares) in rows {
                tr {
                    td { (field.name()) }
                    @for share in shares {
                        @match share {
                            Some(v) => {
                                td style=(format!("background:hsl({:.0},70%,85%)", 120.0 * v)) { (format!("{:.0}%", 100.0 * v)) }
                            }
                            None => { td { "—" } }
                        }
                    }
                }
            }
        }
    }
}

/// The review section: review.csv's pairs with both records' values and each field's weight, to decide
/// with buttons or keys (`review.js`); the page keeps the decisions and downloads them as a file that
/// `--decisions` reads.
fn review_section(run: &Run, review: &[ReviewRow], table: &ReviewTable) -> Markup {
    if table.rows.is_empty() {
        return html! { section #review { h2 { "Review pairs" } p { "No pair needs a person." } } };
    }
    let selected = page_selection(review, REVIEW_PAGE_ROWS);
    let shown = selected.len();
    let on_page: std::collections::HashSet<usize> = selected.iter().copied().collect();
    let left_off = count_kinds((0..review.len()).filter(|i| !on_page.contains(i)).map(|i| review[i].kind));
    let kinds = count_kinds(selected.iter().map(|&i| review[i].kind));
    html! {
        section #review {
            h2 { "Review pairs" }
            p {
                "Decide each pair: " strong { "Match" } " if the two records are the same person or organisation, "
                strong { "No match" } " if not, " strong { "Skip" } " to leave it. This browser keeps your decisions. When done, "
                strong { "Download decisions" } " and run again with " code { "--decisions decisions.csv" }
                ": matches are merged, no-matches are never put together. The file holds every decision this run applied too, so it is the only one the next run needs."
                @if !left_off.is_empty() {
                    " " strong { "The page holds " (shown) " of " (review.len()) " pairs" }
                    ", a share of each kind, the most consequential first; the other "
                    @for (i, (k, n)) in left_off.iter().enumerate() {
                        @if i > 0 { ", " }
                        (n) " " code { (k.name()) }
                    }
                    " are in review.csv."
                }
            }
            div.bar {
                label {
                    "Show "
                    select #review-kind {
                        option value="" { "every kind (" (shown) ")" }
                        @for (k, n) in kinds {
                            option value=(k.name()) { (k.name()) " (" (n) ")" }
                        }
                    }
                }
                label { input #review-open type="checkbox"; " only undecided" }
                span #review-progress {}
                button #review-export { "Download decisions" }
                button #review-prev { "‹ Previous" }
                span #review-page {}
                button #review-next { "Next ›" }
            }
            p.keys {
                "Keys, for the outlined pair: " kbd { "M" } " match, " kbd { "N" } " no match, " kbd { "S" } " skip, "
                kbd { "U" } " undo the last decision, " kbd { "J" } " next, " kbd { "K" } " previous. Highlighted values differ; a field's weight is the evidence it gives for (green) or against (red) one person."
            }
            p #review-warning hidden {}
            div #review-list {}
            style { (PreEscaped(include_str!("review.css"))) }
            script #review-data type="application/json" { (PreEscaped(review_data(run, review, table, &selected))) }
            script { (PreEscaped(include_str!("review.js"))) }
        }
    }
}

/// How many of each kind, in the order the kinds first come.
fn count_kinds(rows: impl Iterator<Item = ReviewKind>) -> Vec<(ReviewKind, usize)> {
    let mut kinds: Vec<(ReviewKind, usize)> = Vec::new();
    for k in rows {
        match kinds.iter_mut().find(|(x, _)| *x == k) {
            Some((_, n)) => *n += 1,
            None => kinds.push((k, 1)),
        }
    }
    kinds
}

/// The review page's data for review.js, as JSON safe inside `<script>`: the rows shown, which of
/// their fields differ, the fields, and the decisions applied to pairs not on the page (for the
/// download), keyed by the run.
fn review_data(run: &Run, review: &[ReviewRow], table: &ReviewTable, selected: &[usize]) -> String {
    let (rows, differ): (Vec<Vec<String>>, Vec<u64>) = selected
        .iter()
        .map(|&i| match (table.rows.get(i), table.differ.get(i)) {
            (Some(row), Some(&d)) => (row.clone(), d),
            _ => (review_cells(run, &review[i], &table.decided), differing(run, &review[i])),
        })
        .collect();
    let fields: Vec<[String; 2]> = COMPARISONS.iter().map(|c| [c.name.replace('_', " "), c.name.to_string()]).collect();
    // Decisions applied to pairs not on the page, for the download.
    let pairs_on_page: std::collections::HashSet<(u32, u32)> =
        selected.iter().map(|&i| (review[i].a.min(review[i].b), review[i].a.max(review[i].b))).collect();
    let mut applied: Vec<((u32, u32), &str)> =
        table.decided.iter().filter(|(pair, _)| !pairs_on_page.contains(pair)).map(|(&p, &d)| (p, d)).collect();
    applied.sort_unstable();
    let applied: Vec<[&str; 5]> = applied
        .iter()
        .map(|&((a, b), d)| {
            let ((sa, ra), (sb, rb)) = (run.record(a), run.record(b));
            [sa, ra, sb, rb, d]
        })
        .collect();
    let mut body = serde_json::to_string(&json!({
        "header": &table.header,
        "rows": rows,
        "differ": differ,
        "fields": fields,
        "applied": applied,
    }))
    .unwrap_or_default();
    // The run's key for the browser's storage: the same review pairs give the same key.
    let key = body.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    body.insert_str(1, &format!("\"run\":\"{key:016x}\","));
    // Inside <script>, "<" only ever appears in strings: written as \u003c, no value can end the element.
    body.replace('<', "\\u003c")
}
