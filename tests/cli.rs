//! Integration tests: run the real `crmclean` binary on the files in `testdata/`, each test in its own
//! temporary directory.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::*;

#[test]
fn sample_run_writes_every_output_and_accounts_for_every_row() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = tmp.path().join("out");
    for f in [
        "clusters.csv",
        "golden.csv",
        "provenance.csv",
        "review.csv",
        "quality_issues.csv",
        "rejects.csv",
        "model.json",
        "summary.json",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Every data row is in clusters.csv exactly once or in rejects.csv.
    let clusters = read_csv(&out.join("clusters.csv"));
    let rejects = read_csv(&out.join("rejects.csv"));
    let mut seen = HashSet::new();
    for c in &clusters {
        assert!(seen.insert((c["source"].clone(), c["record_id"].clone())), "{c:?} twice");
        assert!(c["cluster_id"].starts_with('C'));
    }
    let data_rows: usize = sample_inputs()
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let delim = if text.lines().next().unwrap().contains(';') { b';' } else { b',' };
            csv::ReaderBuilder::new().delimiter(delim).flexible(true).from_reader(text.as_bytes()).records().count()
        })
        .sum();
    assert_eq!(clusters.len() + rejects.len(), data_rows);
    assert_eq!(rejects.len(), 1);
    // The planted broken row is on line 127 of the CRLF-terminated webinar export.
    assert_eq!(rejects[0]["line"], "127");
    assert!(rejects[0]["reason"].contains("too many fields"), "{:?}", rejects[0]);
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["records"].as_u64().unwrap() as usize, clusters.len());
    assert_eq!(summary["rejected"].as_u64().unwrap(), 1);
    assert!(summary["notes"].to_string().contains("Windows-1252"));
    // The header mapping is recorded.
    let mapping = summary["inputs"][2]["mapping"].as_array().unwrap();
    let plz = mapping.iter().find(|m| m["header"] == "PLZ").unwrap();
    assert_eq!(plz["field"], "postal_code");
    let name = mapping.iter().find(|m| m["header"] == "Name").unwrap();
    assert_eq!(name["field"], "full_name");
    let italian = summary["inputs"][3]["mapping"].as_array().unwrap();
    let cap = italian.iter().find(|m| m["header"] == "CAP").unwrap();
    assert_eq!(cap["field"], "postal_code");
    // Every cluster has one golden record.
    let golden = read_csv(&out.join("golden.csv"));
    let ids: HashSet<&String> = clusters.iter().map(|c| &c["cluster_id"]).collect();
    assert_eq!(golden.len(), ids.len());
    // The planted duplicates are found.
    assert!(f1(tmp.path(), &testdata("crm/truth.csv")) >= 0.95);
}

/// Zero-config F1 floors on labelled data nobody on this project wrote (`../shared/datasets`). A floor is
/// the F1 last measured; the test fails when a change costs more than 0.005 on any set. Raise a floor
/// when a change improves a set; never lower one to land a change (see `benches/accuracy.sh`).
#[test]
fn accuracy_holds_on_external_labelled_sets() {
    const FLOORS: &[(&str, f64)] = &[
        ("external/splink_fake_1000", 0.937),
        ("external/splink_historical_figures_50k", 0.910),
        ("external/ncvr_5party_5000_ocp20", 0.950),
        ("external/essnet_census_cis", 0.987),
        ("external/dedupe_chicago_childcare", 0.952),
        ("external/fodors_zagat_restaurants", 0.956),
        ("external/deduplipy_stoxx50", 0.987),
    ];
    let shared = repo().join("../shared/datasets");
    assert!(shared.join("external").exists(), "the labelled sets are expected at {}", shared.display());
    let mut failed = Vec::new();
    let mut table = Vec::new();
    for (set, floor) in FLOORS {
        let dir = shared.join(set);
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv") && !p.ends_with("truth.csv"))
            .collect();
        inputs.sort();
        let tmp = tempfile::tempdir().unwrap();
        let r = dedupe(tmp.path(), &inputs, &[]);
        assert_eq!(r.code(), 0, "{set}: {}", r.stderr());
        let score = f1(tmp.path(), &dir.join("truth.csv"));
        table.push(format!("{set}: {score:.4} (floor {floor})"));
        if score < floor - 0.005 {
            failed.push(format!("{set}: F1 {score:.4} is below its floor {floor}"));
        }
    }
    assert!(failed.is_empty(), "{}\n\nall sets:\n{}", failed.join("\n"), table.join("\n"));
}

/// Febrl 2 and 3 and the generated multi-source export at 20,000 records (classic and `--hard`), with
/// their floors.
#[test]
fn accuracy_holds_on_febrl_and_generated_data() {
    let tmp = tempfile::tempdir().unwrap();
    for (k, floor) in [(2, 0.999), (3, 0.999)] {
        let r = dedupe(tmp.path(), &[febrl(&format!("febrl_{k}.csv"))], &[]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let score = f1(tmp.path(), &febrl(&format!("truth_{k}.csv")));
        assert!(score >= floor - 0.005, "febrl_{k}: F1 {score:.4} is below its floor {floor}");
    }
    let r = crmclean(tmp.path(), ["generate", "--out", "gen", "--records", "20000", "--seed", "7"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let gen: Vec<PathBuf> = ["crm_salesforce.csv", "hubspot_export.csv", "webinar_anmeldungen.csv", "contatti_it.csv"]
        .iter()
        .map(|f| tmp.path().join("gen").join(f))
        .collect();
    let r = dedupe(tmp.path(), &gen, &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let score = f1(tmp.path(), &tmp.path().join("gen/truth.csv"));
    assert!(score >= 0.984 - 0.005, "generated 20,000: F1 {score:.4} is below its floor 0.984");
    // The generator with the errors real exports carry (swapped, married and mistyped names, sparse
    // records, shared mailboxes, changed employers, organisation rows): its own floor.
    let r = crmclean(tmp.path(), ["generate", "--hard", "--out", "hard", "--records", "20000", "--seed", "7"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let hard: Vec<PathBuf> = ["crm_salesforce.csv", "hubspot_export.csv", "webinar_anmeldungen.csv", "contatti_it.csv"]
        .iter()
        .map(|f| tmp.path().join("hard").join(f))
        .collect();
    let r = dedupe(tmp.path(), &hard, &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let score = f1(tmp.path(), &tmp.path().join("hard/truth.csv"));
    assert!(score >= 0.922 - 0.005, "generated --hard 20,000: F1 {score:.4} is below its floor 0.922");
}

#[test]
fn febrl_1_dedupes_with_high_f1_and_evaluate_reads_febrl_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[febrl("febrl_1.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let score = f1(tmp.path(), &febrl("truth_1.csv"));
    assert!(score >= 0.99, "F1 {score}");
    // Febrl headers have leading spaces: they are trimmed and mapped.
    let summary = json(&tmp.path().join("out/summary.json"));
    assert_eq!(summary["inputs"][0]["id_column"], "rec_id");
}

#[test]
fn link_only_never_links_within_one_file() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[febrl("febrl_4a.csv"), febrl("febrl_4b.csv")], &["--link-only"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    let mut by_cluster: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &clusters {
        by_cluster.entry(&c["cluster_id"]).or_default().push(&c["source"]);
    }
    for members in by_cluster.values() {
        let distinct: HashSet<&&str> = members.iter().collect();
        assert_eq!(distinct.len(), members.len(), "two records of one file in a cluster");
    }
    assert!(f1(tmp.path(), &febrl("truth_4.csv")) >= 0.99);
}

#[test]
fn model_round_trips_and_scores_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let first = std::fs::read(tmp.path().join("out/clusters.csv")).unwrap();
    let model = tmp.path().join("model.json");
    std::fs::copy(tmp.path().join("out/model.json"), &model).unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--model", model.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(std::fs::read(tmp.path().join("out/clusters.csv")).unwrap(), first);
    assert_eq!(std::fs::read(tmp.path().join("out/model.json")).unwrap(), std::fs::read(&model).unwrap());
    // A file that is not a model is a clear error.
    std::fs::write(&model, "{\"version\": 99}").unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--model", model.to_str().unwrap()]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("model.json"), "{}", r.stderr());
}

#[test]
fn outputs_are_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "2"] {
        let r = Command::new(env!("CARGO_BIN_EXE_crmclean"))
            .current_dir(tmp.path())
            .env("RAYON_NUM_THREADS", threads)
            .arg("dedupe")
            .args(sample_inputs())
            .args(["--out", "out"])
            .output()
            .unwrap();
        assert!(r.status.success());
        let files: Vec<Vec<u8>> = ["clusters.csv", "golden.csv", "provenance.csv", "review.csv", "model.json"]
            .iter()
            .map(|f| std::fs::read(tmp.path().join("out").join(f)).unwrap())
            .collect();
        outputs.push(files);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn quoted_fields_bom_crlf_and_text_values_survive() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/hubspot_quoted.csv"), testdata("formats/zoho_tab.tsv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    assert_eq!(clusters.len(), 6);
    let cluster_of = |s: &str, id: &str| {
        clusters.iter().find(|c| c["source"] == s && c["record_id"] == id).unwrap()["cluster_id"].clone()
    };
    // Anna Rossi twice (one in capitals, quoted address with a comma) is one person; so is John/Jack O'Neil.
    assert_eq!(cluster_of("hubspot_quoted", "101"), cluster_of("hubspot_quoted", "102"));
    assert_eq!(cluster_of("hubspot_quoted", "103"), cluster_of("zoho_tab", "zoho-1"));
    assert_ne!(cluster_of("hubspot_quoted", "101"), cluster_of("zoho_tab", "zoho-2"));
    let golden = read_csv(&tmp.path().join("out/golden.csv"));
    // Zip codes stay text: the leading zero is kept.
    assert!(golden.iter().any(|g| g["postal_code"] == "02134"), "{golden:?}");
    assert!(golden.iter().any(|g| g["postal_code"] == "00184"));
    // A formula in a name is neutralised in the CSV outputs.
    assert!(golden.iter().any(|g| g["first_name"].starts_with("'=")), "{golden:?}");
    assert!(!golden.iter().any(|g| g["first_name"].starts_with('=')));
    // The tab file was sniffed.
    let summary = json(&tmp.path().join("out/summary.json"));
    assert_eq!(summary["inputs"][1]["delimiter"], "tab");
    assert_eq!(summary["inputs"][0]["encoding"], "UTF-8 with BOM");
}

#[test]
fn excel_windows_1252_with_semicolons_is_decoded_and_noted() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/excel_windows1252.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("Windows-1252"), "{}", r.stderr());
    let golden = read_csv(&tmp.path().join("out/golden.csv"));
    assert!(golden.iter().any(|g| g["last_name"] == "Groß" && g["city"] == "München"), "{golden:?}");
    // Jürgen Müller and Jürgen Mueller with the same email are one person.
    assert_eq!(golden.len(), 2, "{golden:?}");
    let summary = json(&tmp.path().join("out/summary.json"));
    assert_eq!(summary["inputs"][0]["delimiter"], ";");
}

#[test]
fn ragged_rows_go_to_rejects_with_line_numbers_and_the_run_continues() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("bad/ragged.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("2 row(s) rejected"), "{}", r.stderr());
    let rejects = read_csv(&tmp.path().join("out/rejects.csv"));
    let lines: Vec<(&str, &str)> = rejects.iter().map(|r| (r["line"].as_str(), r["reason"].as_str())).collect();
    assert_eq!(
        lines,
        vec![("3", "too few fields: expected 4, found 3"), ("4", "too many fields: expected 4, found 6")]
    );
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    assert_eq!(clusters.iter().map(|c| c["record_id"].as_str()).collect::<Vec<_>>(), vec!["1", "4"]);
    assert_eq!(clusters[0]["cluster_id"], clusters[1]["cluster_id"]);
    // A later clean run in the same directory removes the stale rejects.csv.
    let r = dedupe(tmp.path(), &[testdata("formats/zoho_tab.tsv")], &[]);
    assert_eq!(r.code(), 0);
    assert!(!tmp.path().join("out/rejects.csv").exists());
}

/// One bad-input case: inputs, extra flags, expected exit code, phrases the message must contain.
type BadCase<'a> = (Vec<PathBuf>, Vec<&'a str>, i32, Vec<&'a str>);

/// Bad inputs: each must fail with exit code 1 or 2 and a message naming the file and the fix.
#[test]
fn bad_inputs_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<BadCase> = vec![
        (vec![tmp.path().join("missing.csv")], vec![], 1, vec!["missing.csv", "cannot read"]),
        (vec![testdata("bad/empty.csv")], vec![], 1, vec!["empty.csv", "is empty"]),
        (vec![testdata("bad/header_only.csv")], vec![], 1, vec!["header_only.csv", "line 1", "no data rows"]),
        (
            vec![testdata("bad/duplicate_headers.csv")],
            vec![],
            1,
            vec!["duplicate_headers.csv", "appears twice", "rename"],
        ),
        (vec![testdata("bad/binary.bin")], vec![], 1, vec!["binary.bin", "not a text file"]),
        (vec![testdata("crm/truth.csv"), testdata("crm/truth.csv")], vec![], 1, vec!["same file name"]),
        (
            sample_inputs(),
            vec!["--config", "CFG:unknown_field.toml"],
            2,
            vec!["unknown field \"e_mail_adresse\"", "use one of"],
        ),
        (sample_inputs(), vec!["--config", "CFG:unknown_key.toml"], 2, vec!["unknown_key.toml", "treshold"]),
        (sample_inputs(), vec!["--config", "CFG:bad_threshold.toml"], 2, vec!["threshold", "between 0 and 1"]),
        (sample_inputs(), vec!["--config", "CFG:bad_region.toml"], 2, vec!["Atlantis", "ISO 3166"]),
        (sample_inputs(), vec!["--map", "Email"], 2, vec!["HEADER=FIELD"]),
        (sample_inputs(), vec!["--map", "Fax=fax_number"], 2, vec!["unknown field \"fax_number\""]),
        (sample_inputs(), vec!["--map", "Handynummer=mobile"], 2, vec!["no input file has", "Handynummer"]),
        (sample_inputs(), vec!["--threshold", "2"], 2, vec!["not a probability"]),
    ];
    for (inputs, extra, code, needles) in cases {
        let extra: Vec<String> = extra
            .iter()
            .map(|e| match e.strip_prefix("CFG:") {
                Some(f) => testdata("bad").join(f).display().to_string(),
                None => e.to_string(),
            })
            .collect();
        let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
        let r = dedupe(tmp.path(), &inputs, &extra_refs);
        let err = r.stderr();
        assert_eq!(r.code(), code, "{inputs:?} {extra:?}: {err}");
        assert!(err.starts_with("crmclean: error:"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        for n in needles {
            assert!(err.contains(n), "{inputs:?} {extra:?}: expected {n:?} in: {err}");
        }
    }
}

#[test]
fn out_that_is_a_file_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("out"), "not a directory").unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &[]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("not a directory") && r.stderr().contains("--out"), "{}", r.stderr());
}

#[test]
fn usage_errors_exit_2_and_help_teaches() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(crmclean(tmp.path(), ["dedupe"]).code(), 2);
    assert_eq!(crmclean(tmp.path(), ["frobnicate"]).code(), 2);
    for cmd in ["dedupe", "profile", "evaluate", "check", "init"] {
        let r = crmclean(tmp.path(), [cmd, "--help"]);
        assert_eq!(r.code(), 0);
        assert!(r.stdout().contains("Example"), "{cmd} --help has no example");
    }
}

#[test]
fn init_writes_a_config_that_dedupe_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(crmclean(tmp.path(), ["init"]).code(), 0);
    let again = crmclean(tmp.path(), ["init"]);
    assert_eq!(again.code(), 1);
    assert!(again.stderr().contains("--force"));
    let r = dedupe(tmp.path(), &sample_inputs(), &["--config", "crmclean.toml"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
}

#[test]
fn config_mapping_overrides_the_automatic_one() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, "[mapping]\n\"Title\" = \"ignore\"\n\"Salutation\" = \"salutation\"\n").unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let summary = json(&tmp.path().join("out/summary.json"));
    let mapping = summary["inputs"][0]["mapping"].as_array().unwrap();
    let title = mapping.iter().find(|m| m["header"] == "Title").unwrap();
    assert_eq!(title["how"], "ignored");
    assert!(title["field"].is_null());
}

/// A German trade-fair lead list (Windows-1252, `;`, CRLF): its lead numbers are the record ids of every
/// output, `Erfasst am` is the creation date, repeated `NA`s are empty, and a `[headers]` synonym maps
/// a column no table knows.
#[test]
fn german_lead_list_keeps_its_lead_numbers_and_config_headers_extend_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, "[headers]\n\"Interesse\" = \"tags\"\n").unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/messe_leads.csv")], &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("Lead-Nr→id") && r.stderr().contains("Erfasst am→created"), "{}", r.stderr());
    assert!(r.stderr().contains("Interesse→tags"), "{}", r.stderr());
    assert!(r.stderr().contains("\"NA\" read as empty"), "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    let ids: Vec<&str> = clusters.iter().map(|c| c["record_id"].as_str()).collect();
    assert_eq!(ids, ["L-24017", "L-24018", "L-24019", "L-24020", "L-24021"]);
    let of = |id: &str| clusters.iter().find(|c| c["record_id"] == id).unwrap()["cluster_id"].clone();
    assert_eq!(of("L-24017"), of("L-24019"), "Jürgen Müller twice");
    assert_ne!(of("L-24020"), of("L-24021"), "colleagues on one switchboard");
    let plan = read_csv(&tmp.path().join("out/merge_plan.csv"));
    assert!(plan.iter().any(|p| p["keep_record_id"].starts_with("L-") && p["merge_record_id"].starts_with("L-")));
    let summary = json(&tmp.path().join("out/summary.json"));
    let mapping = summary["inputs"][0]["mapping"].as_array().unwrap();
    let tags = mapping.iter().find(|m| m["header"] == "Interesse").unwrap();
    assert_eq!(tags["how"], "config");
    // A [headers] entry naming an unknown field is an error naming the key.
    std::fs::write(&cfg, "[headers]\n\"Kd.-Nr.\" = \"kundennummer\"\n").unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/messe_leads.csv")], &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("[headers] \"Kd.-Nr.\"") && r.stderr().contains("unknown field"), "{}", r.stderr());
}

#[test]
fn profile_and_check_report_quality() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["profile".into()];
    args.extend(sample_inputs().into_iter().map(|p| p.into_os_string()));
    args.extend(["--out".into(), "prof".into()]);
    let r = crmclean(tmp.path(), &args);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stdout().contains("invalid_email"), "{}", r.stdout());
    assert!(r.stdout().contains("similar tags: ") && r.stdout().contains("keep \"VIP\""), "{}", r.stdout());
    assert!(r.stdout().contains("mixed formats in Phone"), "{}", r.stdout());
    let issues = read_csv(&tmp.path().join("prof/quality_issues.csv"));
    assert!(issues.iter().any(|i| i["issues"].contains("invalid_email")));
    assert!(issues.iter().any(|i| i["issues"].contains("placeholder_email")));
    assert!(issues.iter().any(|i| i["issues"].contains("stale")));
    let html = std::fs::read_to_string(tmp.path().join("prof/profile.html")).unwrap();
    assert!(html.contains("Similar tags") && html.contains("invalid_email"));
    let profile = json(&tmp.path().join("prof/profile.json"));
    assert!(profile["tag_groups"].as_array().unwrap().iter().any(|g| g["canonical"] == "VIP"));
    // An age that is not an age is a config error.
    let cfg = tmp.path().join("bad_age.toml");
    std::fs::write(&cfg, "[quality]\nstale_after = \"a while\"\n").unwrap();
    let mut bad: Vec<std::ffi::OsString> = vec!["profile".into(), "--config".into(), cfg.into_os_string()];
    bad.extend(sample_inputs().into_iter().map(|p| p.into_os_string()));
    let r = crmclean(tmp.path(), &bad);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("not an age"), "{}", r.stderr());

    let mut args: Vec<std::ffi::OsString> = vec!["check".into()];
    args.extend(sample_inputs().into_iter().map(|p| p.into_os_string()));
    let mut strict = args.clone();
    strict.extend(["--max-invalid-email-rate".into(), "0.0".into()]);
    let r = crmclean(tmp.path(), &strict);
    assert_eq!(r.code(), 3, "{}", r.stdout());
    assert!(r.stdout().contains("FAIL max-invalid-email-rate"));
    let mut lax = args;
    lax.extend(["--max-invalid-email-rate".into(), "0.5".into(), "--min-completeness".into(), "last_name=0.5".into()]);
    let r = crmclean(tmp.path(), &lax);
    assert_eq!(r.code(), 0, "{}", r.stdout());
}

#[test]
fn evaluate_counts_pairs() {
    let tmp = tempfile::tempdir().unwrap();
    let truth = tmp.path().join("truth.csv");
    let clusters = tmp.path().join("clusters.csv");
    std::fs::write(&truth, "source,record_id,entity_id\ns,1,A\ns,2,A\ns,3,A\ns,4,B\n").unwrap();
    std::fs::write(&clusters, "source,record_id,cluster_id\ns,1,x\ns,2,x\ns,3,y\ns,4,y\n").unwrap();
    let r = crmclean(tmp.path(), ["evaluate", "--truth", "truth.csv", "--clusters", "clusters.csv"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stdout().contains("precision  0.5000"), "{}", r.stdout());
    assert!(r.stdout().contains("f1         0.4000"), "{}", r.stdout());
    let r = crmclean(tmp.path(), ["evaluate", "--truth", "nope.csv", "--clusters", "clusters.csv"]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("nope.csv"));
}

#[test]
fn review_queue_explains_uncertain_pairs_per_field() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let review = read_csv(&tmp.path().join("out/review.csv"));
    assert!(!review.is_empty());
    for row in &review {
        let p: f64 = row["probability"].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert!(row.contains_key("last_name_weight") && row.contains_key("email_left"));
    }
    let uncertain = review.iter().find(|r| r["kind"] == "uncertain_pair").expect("an uncertain pair");
    assert!(!uncertain["last_name_weight"].is_empty() || !uncertain["first_name_weight"].is_empty());
}

#[test]
fn unfamiliar_export_dedupes_with_zero_configuration() {
    // Febrl 1 with headers no CRM uses: fname_c1/lname_c1, a birth date split into three columns, and
    // street, locality and member number under names the mapping does not know.
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/unfamiliar_febrl1.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let summary = json(&tmp.path().join("out/summary.json"));
    let generic: Vec<&str> =
        summary["generic_comparisons"].as_array().unwrap().iter().map(|e| e["header"].as_str().unwrap()).collect();
    assert!(generic.contains(&"member_no") && generic.contains(&"street_nm"), "{generic:?}");
    let score = f1(tmp.path(), &testdata("formats/unfamiliar_febrl1_truth.csv"));
    assert!(score >= 0.98, "F1 {score}");
}

#[test]
fn reviewer_decisions_change_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let out = tmp.path().join("out");
    let clusters = read_csv(&out.join("clusters.csv"));
    let cluster_of = |clusters: &[HashMap<String, String>], s: &str, r: &str| {
        clusters.iter().find(|c| c["source"] == s && c["record_id"] == r).unwrap()["cluster_id"].clone()
    };
    // A pair the run left apart, and two records it put together.
    let review = read_csv(&out.join("review.csv"));
    let apart = review.iter().find(|r| r["kind"] == "uncertain_pair").expect("an uncertain pair");
    let (x, y) = first_cluster_of_two(&clusters);
    let decisions = tmp.path().join("decisions.csv");
    let mut w = csv::Writer::from_path(&decisions).unwrap();
    w.write_record(["kind", "left_source", "left_record_id", "right_source", "right_record_id", "decision"]).unwrap();
    w.write_record([
        "uncertain_pair",
        &apart["left_source"],
        &apart["left_record_id"],
        &apart["right_source"],
        &apart["right_record_id"],
        "match",
    ])
    .unwrap();
    w.write_record(["split", &x["source"], &x["record_id"], &y["source"], &y["record_id"], "no-match"]).unwrap();
    w.write_record(["uncertain_pair", "nowhere", "1", "nowhere", "2", "match"]).unwrap();
    w.write_record(["uncertain_pair", &x["source"], &x["record_id"], &y["source"], &y["record_id"], ""]).unwrap();
    w.flush().unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("applied 1 match and 1 no-match decision(s); 1 decided row(s)"), "{}", r.stderr());
    let after = read_csv(&out.join("clusters.csv"));
    assert_eq!(
        cluster_of(&after, &apart["left_source"], &apart["left_record_id"]),
        cluster_of(&after, &apart["right_source"], &apart["right_record_id"])
    );
    assert_ne!(cluster_of(&after, &x["source"], &x["record_id"]), cluster_of(&after, &y["source"], &y["record_id"]));
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["scoring"]["decisions"]["must_link"], 1);
    // A file that is not a review file is a clear error.
    let r = dedupe(tmp.path(), &sample_inputs(), &["--decisions", testdata("crm/truth.csv").to_str().unwrap()]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("not a review file"), "{}", r.stderr());
}

#[test]
fn merge_plan_covers_every_duplicate_inside_a_source() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let out = tmp.path().join("out");
    let clusters = read_csv(&out.join("clusters.csv"));
    let plan = read_csv(&out.join("merge_plan.csv"));
    let mut groups: HashMap<(String, String), Vec<String>> = HashMap::new();
    for c in &clusters {
        groups.entry((c["cluster_id"].clone(), c["source"].clone())).or_default().push(c["record_id"].clone());
    }
    let expected: usize = groups.values().map(|g| g.len() - 1).sum();
    assert!(expected > 0);
    assert_eq!(plan.len(), expected);
    for step in &plan {
        let g = &groups[&(step["cluster_id"].clone(), step["source"].clone())];
        assert!(g.contains(&step["keep_record_id"]) && g.contains(&step["merge_record_id"]));
        assert_ne!(step["keep_record_id"], step["merge_record_id"]);
        // The kept record is never merged away.
        assert!(!plan.iter().any(|s| s["source"] == step["source"] && s["merge_record_id"] == step["keep_record_id"]));
    }
}

#[test]
fn households_colleagues_and_namesakes_stay_apart_duplicates_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/households_colleagues.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    let of = |id: &str| clusters.iter().find(|c| c["record_id"] == id).unwrap()["cluster_id"].clone();
    assert_ne!(of("h1"), of("h2"), "a household: same address and phone, different first names");
    assert_ne!(of("c1"), of("c2"), "colleagues: same company, switchboard and email domain");
    assert_ne!(of("n1"), of("n2"), "namesakes in different cities");
    assert_ne!(of("g1"), of("g2"), "Herr and Frau Müller");
    assert_ne!(of("f1"), of("f2"), "a family sharing one mailbox");
    assert_eq!(of("d1"), of("d2"), "Bob and Robert Smith with one email");
    assert_eq!(of("t1"), of("t2"), "Łukasz and Lukasz Wiśniewski with one email");
}

/// A chain of match decisions never puts a no-match pair together: the match that would is not applied
/// and is listed as a contradiction.
#[test]
fn no_match_decisions_hold_against_a_chain_of_matches() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let out = tmp.path().join("out");
    let clusters = read_csv(&out.join("clusters.csv"));
    // Three records from three different clusters.
    let mut seen = std::collections::HashSet::new();
    let picked: Vec<&Row> = clusters.iter().filter(|c| seen.insert(c["cluster_id"].clone())).take(3).collect();
    let (a, b, c) = (picked[0], picked[1], picked[2]);
    let decisions = tmp.path().join("decisions.csv");
    write_decisions(&decisions, &[(a, b, "match"), (b, c, "match"), (a, c, "no-match")]);
    let r = dedupe(tmp.path(), &sample_inputs(), &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("1 match decision(s) not applied"), "{}", r.stderr());
    let after = read_csv(&out.join("clusters.csv"));
    let of = |x: &Row| cluster_id_of(&after, x);
    assert_ne!(of(a), of(c), "the no-match holds");
    assert!(of(a) == of(b) || of(b) == of(c), "the other match is applied");
    let review = read_csv(&out.join("review.csv"));
    let row = review.iter().find(|r| r["kind"] == "contradiction").expect("a contradiction row");
    assert!(row["reason"].contains("decided no-match"), "{row:?}");
    assert_eq!(json(&out.join("summary.json"))["scoring"]["decisions"]["contradictions"], 1);
}

/// A no-match decided once holds every later night of a `--state` run, without the file.
#[test]
fn decisions_are_kept_in_the_state_for_later_nights() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let state_arg = state.to_str().unwrap().to_string();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &["--state", &state_arg]).code(), 0);
    let out = tmp.path().join("out");
    let clusters = read_csv(&out.join("clusters.csv"));
    let (x, y) = first_cluster_of_two(&clusters);
    let decisions = tmp.path().join("decisions.csv");
    write_decisions(&decisions, &[(x, y, "no-match")]);
    let apart = |tmp: &Path| {
        let after = read_csv(&tmp.join("out/clusters.csv"));
        let of = |r: &Row| cluster_id_of(&after, r);
        of(x) != of(y)
    };
    let r = dedupe(tmp.path(), &sample_inputs(), &["--state", &state_arg, "--decisions", decisions.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(apart(tmp.path()), "the decision applies");
    // The next night, without the decisions file.
    let r = dedupe(tmp.path(), &sample_inputs(), &["--state", &state_arg]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(apart(tmp.path()), "the kept decision still applies");
}

#[test]
fn sites_on_one_switchboard_stay_apart_one_place_at_two_addresses_merges() {
    let tmp = tempfile::tempdir().unwrap();
    // Two guides: a place is listed once in each; a school district lists three sites on one number.
    let r = dedupe(tmp.path(), &[testdata("formats/venues_sites.csv"), testdata("formats/venues_guide_b.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    let of = |id: &str| clusters.iter().find(|c| c["record_id"] == id).unwrap()["cluster_id"].clone();
    assert_ne!(of("s1"), of("s2"), "two schools of one district: same name and switchboard, other streets");
    assert_ne!(of("s2"), of("s3"));
    assert_ne!(of("s1"), of("s3"));
    assert_eq!(of("r1"), of("r2"), "one restaurant at its corner: a phone no guide lists twice");
    assert_eq!(of("v4"), of("v4b"), "a venue listed twice");
}

/// A row of a contact export that names a company and no person (an account: its switchboard and
/// address) is an organisation: it merges with the same account, never with the person who answers
/// its switchboard. A nameless row with a person's own mailbox is that person with the name missing.
#[test]
fn account_rows_in_a_contact_export_stay_apart_from_their_staff() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/accounts_in_contacts.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    let of = |id: &str| clusters.iter().find(|c| c["record_id"] == id).unwrap()["cluster_id"].clone();
    assert_eq!(of("c1"), of("c2"), "the same person twice");
    assert_eq!(of("a1"), of("a2"), "the same account twice");
    assert_ne!(of("c1"), of("a1"), "a person and the account whose switchboard she shares");
    assert_eq!(of("c3"), of("c4"), "a person's own mailbox with the name left out");
}

/// Consent survives every merge: an opt-out or do-not-call on any record of a person holds for the
/// golden record, with the record it came from; Mailchimp's subscription status is read by its values;
/// disagreements are counted.
#[test]
fn consent_keeps_the_most_restrictive_value_in_every_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = [testdata("formats/consent_salesforce.csv"), testdata("formats/consent_mailchimp.csv")];
    let r = dedupe(tmp.path(), &inputs, &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("Status→email_opt_out (by its values)"), "{}", r.stderr());
    assert!(r.stderr().contains("the records of 2 people disagree"), "{}", r.stderr());
    let golden = read_csv(&tmp.path().join("out/golden.csv"));
    let of = |email: &str| golden.iter().find(|g| g["email"] == email).unwrap().clone();
    let anna = of("anna.rossi@example.it");
    assert_eq!(
        (anna["email_opt_out"].as_str(), anna["do_not_call"].as_str()),
        ("yes", "no"),
        "unsubscribed in Mailchimp"
    );
    let marco = of("marco.bianchi@example.it");
    assert_eq!(
        (marco["email_opt_out"].as_str(), marco["do_not_call"].as_str()),
        ("no", "yes"),
        "do not call on one record"
    );
    assert_eq!(marco["consent_date"], "2024-01-07", "the latest consent date");
    let lena = of("lena.vogel@example.de");
    assert_eq!((lena["email_opt_out"].as_str(), lena["do_not_call"].as_str()), ("no", "no"));
    let prov = read_csv(&tmp.path().join("out/provenance.csv"));
    let from = prov.iter().find(|p| p["field"] == "email_opt_out" && p["value"] == "yes").unwrap();
    assert_eq!(from["source"], "consent_mailchimp", "the opt-out's provenance is the record that said it");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["consent"]["clusters_with_disagreement"], 2);
    assert_eq!(summary["consent"]["email_opt_out"], 1);
    // A tick ("x") in a do-not-call column is a yes, though elsewhere it reads as a placeholder.
    let r = dedupe(tmp.path(), &[testdata("formats/consent_ticks.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let golden = read_csv(&tmp.path().join("out/golden.csv"));
    assert_eq!(golden.len(), 1);
    assert_eq!(golden[0]["do_not_call"], "yes", "{}", r.stderr());
}

/// A state written before consent was kept (its golden.csv has no consent columns) still reads: the
/// next night runs, and writes the new columns.
#[test]
fn a_state_from_before_consent_columns_still_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = [testdata("formats/consent_salesforce.csv"), testdata("formats/consent_mailchimp.csv")];
    let state = tmp.path().join("state");
    let state_arg = state.to_str().unwrap().to_string();
    assert_eq!(dedupe(tmp.path(), &inputs, &["--state", &state_arg]).code(), 0);
    let golden = state.join("v000001/golden.csv");
    let text = std::fs::read_to_string(&golden).unwrap();
    let old: String = text
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[..cells.len() - 3].join(",") + "\n"
        })
        .collect();
    assert!(old.lines().next().unwrap().ends_with(",last_activity"), "{}", old.lines().next().unwrap());
    std::fs::write(&golden, old).unwrap();
    let r = dedupe(tmp.path(), &inputs, &["--state", &state_arg]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let again = std::fs::read_to_string(state.join("v000002/golden.csv")).unwrap();
    assert!(again.lines().next().unwrap().ends_with(",email_opt_out,do_not_call,consent_date"));
    // The consent values the old state could not hold are no change to report.
    let changes = read_csv(&tmp.path().join("out/changes.csv"));
    assert!(
        !changes.iter().any(|c| c["change"] == "golden_value_changed" && c["field"].contains("opt_out")),
        "{changes:?}"
    );
}

/// Records past `retention` are listed with every record of their person, in every source, as a
/// deletion list; a person still active in one system is not past retention as a whole.
#[test]
fn retention_lists_every_record_of_a_person_past_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("crmclean.toml");
    std::fs::write(&cfg, "[quality]\nretention = \"10y\"\n").unwrap();
    let inputs = [testdata("formats/retention_crm.csv"), testdata("formats/retention_shop.csv")];
    let r = dedupe(tmp.path(), &inputs, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let rows = read_csv(&tmp.path().join("out/retention.csv"));
    let row = |id: &str| rows.iter().find(|r| r["record_id"] == id).unwrap_or_else(|| panic!("{id} listed"));
    // Otto: both records, in two systems, are old: the whole person goes.
    assert_eq!(
        (row("r3")["person_past_retention"].as_str(), row("k1")["person_past_retention"].as_str()),
        ("yes", "yes")
    );
    assert_eq!(row("r3")["cluster_id"], row("k1")["cluster_id"]);
    // Karin: an old record, and a new one with recent activity: listed together, not as a whole.
    assert_eq!(row("r1")["record_past_retention"], "yes");
    assert_eq!(row("r2")["record_past_retention"], "no", "listed as the rest of her cluster");
    assert_eq!(row("r1")["person_past_retention"], "no");
    assert!(rows.iter().all(|r| r["record_id"] != "r4"), "nobody else");
    // Without retention set, no list (and none left over from an earlier run).
    assert_eq!(dedupe(tmp.path(), &inputs, &[]).code(), 0);
    assert!(!tmp.path().join("out/retention.csv").exists());
}

/// An output folder that holds one of the inputs is refused before anything is written.
#[test]
fn an_out_folder_holding_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let input = out.join("golden.csv");
    std::fs::copy(testdata("formats/consent_salesforce.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let r = dedupe(tmp.path(), std::slice::from_ref(&input), &[]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("holds the input file") && r.stderr().contains("golden.csv"), "{}", r.stderr());
    assert_eq!(std::fs::read(&input).unwrap(), before, "the input is untouched");
    assert!(!out.join("clusters.csv").exists());
}

/// Golden values in a cluster of two, where no value is corroborated: the name spelled as the email
/// spells it (not the typo), the person's own phone (not the switchboard a colleague shares), and the
/// address of the most recent record.
#[test]
fn golden_values_break_ties_by_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &[testdata("formats/golden_ties.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let golden = read_csv(&tmp.path().join("out/golden.csv"));
    let lucas = golden.iter().find(|g| g["records"] == "2").expect("Lucas's two records merge");
    assert_eq!(lucas["first_name"], "Lucas");
    assert_eq!(lucas["phone"], "+33612345678", "his own line, not the switchboard");
    assert_eq!(lucas["city"], "Lyon", "the most recent address");
}

/// Merge plans a CRM can execute and undo: Salesforce folds up to two records into the master per
/// call, other CRMs one; every row carries the master's final values; undo.csv holds every cell of
/// every merged record and every master cell the plan overwrites.
#[test]
fn merge_plans_come_in_calls_a_crm_accepts_and_can_be_undone() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = [testdata("formats/merge_calls_sf.csv"), testdata("formats/merge_calls_hubspot.csv")];
    let r = dedupe(tmp.path(), &inputs, &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let plan = read_csv(&tmp.path().join("out/merge_plan.csv"));
    let calls = |source: &str| -> Vec<(String, String)> {
        plan.iter().filter(|p| p["source"] == source).map(|p| (p["crm"].clone(), p["call"].clone())).collect()
    };
    let sf: Vec<String> = calls("merge_calls_sf").into_iter().map(|c| c.1).collect();
    assert_eq!(sf, ["1", "1", "2"], "a master and two others, then the third");
    assert!(calls("merge_calls_sf").iter().all(|c| c.0 == "salesforce"));
    assert_eq!(calls("merge_calls_hubspot").iter().map(|c| c.1.as_str()).collect::<Vec<_>>(), ["1", "2"]);
    assert!(plan.iter().all(|p| p["set_first_name"] == "Maria" && p["set_last_name"] == "Lopez"));
    assert!(plan.iter().all(|p| p["set_email"] == "maria.lopez@example.es" && p["set_phone"] == "+34612345678"));
    let undo = read_csv(&tmp.path().join("out/undo.csv"));
    for p in &plan {
        let deleted: Vec<&HashMap<String, String>> =
            undo.iter().filter(|u| u["record_id"] == p["merge_record_id"] && u["action"] == "deleted").collect();
        assert!(deleted.iter().any(|u| u["column"] == "First Name"), "every cell of {}", p["merge_record_id"]);
        assert!(deleted.iter().all(|u| u["call"] == p["call"]));
    }
    let lopes = undo.iter().find(|u| u["record_id"] == "003000000000004AAA" && u["column"] == "Last Name").unwrap();
    assert_eq!(lopes["value"], "Lopes", "the value as it was, to restore");
    let master = undo.iter().find(|u| u["record_id"] == "003000000000001AAA").unwrap();
    assert_eq!((master["action"].as_str(), master["column"].as_str()), ("overwritten", "Phone"));
}

#[test]
fn source_priority_decides_golden_values() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, "[merge]\nrule = \"ranked\"\nsource_priority = [\"hubspot_export\"]\n").unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&tmp.path().join("out/clusters.csv"));
    let with_hubspot: HashSet<&str> =
        clusters.iter().filter(|c| c["source"] == "hubspot_export").map(|c| c["cluster_id"].as_str()).collect();
    let provenance = read_csv(&tmp.path().join("out/provenance.csv"));
    let last_names: Vec<&HashMap<String, String>> = provenance
        .iter()
        .filter(|p| p["field"] == "last_name" && with_hubspot.contains(p["cluster_id"].as_str()))
        .collect();
    assert_eq!(last_names.len(), with_hubspot.len());
    assert!(last_names.iter().all(|p| p["source"] == "hubspot_export"));
    std::fs::write(&cfg, "[merge]\nrule = \"newest\"\n").unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("most_frequent"), "{}", r.stderr());
}

#[test]
fn bom_option_for_excel_and_our_own_readers_accept_it() {
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--bom"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    for f in ["clusters.csv", "golden.csv", "review.csv"] {
        let bytes = std::fs::read(tmp.path().join("out").join(f)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{f} has no BOM");
    }
    assert!(f1(tmp.path(), &testdata("crm/truth.csv")) >= 0.95);
    let review = tmp.path().join("out/review.csv");
    let r = dedupe(tmp.path(), &sample_inputs(), &["--decisions", review.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
}

#[test]
fn survivorship_rules_per_field() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    std::fs::write(&cfg, "[merge.fields]\nfirst_name = \"longest\"\n").unwrap();
    let input = [testdata("formats/households_colleagues.csv")];
    let r = dedupe(tmp.path(), &input, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let golden = read_csv(&tmp.path().join("out/golden.csv"));
    let bob = golden.iter().find(|g| g["email"] == "bob.smith@gmail.com").unwrap();
    assert_eq!(bob["first_name"], "Robert", "Bob and Robert: the longest first name survives");
    std::fs::write(&cfg, "[merge.fields]\nfax = \"longest\"\n").unwrap();
    let r = dedupe(tmp.path(), &input, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("unknown golden field \"fax\""), "{}", r.stderr());
}

#[test]
fn check_gates_for_ci_with_json_and_junit() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("gates.toml");
    std::fs::write(&cfg, "[gates]\nmax_invalid_email_rate = 0.5\n\n[gates.min_completeness]\nlast_name = 0.5\n")
        .unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["check".into(), "--config".into(), cfg.clone().into_os_string()];
    args.extend(sample_inputs().into_iter().map(|p| p.into_os_string()));
    let r = crmclean(tmp.path(), &args);
    assert_eq!(r.code(), 0, "{}{}", r.stdout(), r.stderr());
    assert!(
        r.stdout().contains("PASS max-invalid-email-rate") && r.stdout().contains("PASS min-completeness last_name")
    );

    // The sample is a dump full of duplicates: a 10% duplicate gate fails with exit code 3.
    let mut failing = args.clone();
    failing.extend(
        ["--max-duplicate-rate", "0.1", "--format", "json", "--junit", "junit.xml"].map(std::ffi::OsString::from),
    );
    let r = crmclean(tmp.path(), &failing);
    assert_eq!(r.code(), 3, "{}{}", r.stdout(), r.stderr());
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["passed"], false);
    let dup = v["gates"].as_array().unwrap().iter().find(|g| g["gate"] == "max-duplicate-rate").unwrap();
    assert_eq!(dup["passed"], false);
    assert!(dup["value"].as_f64().unwrap() > 0.3);
    let xml = std::fs::read_to_string(tmp.path().join("junit.xml")).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<testsuites name=\"crmclean check\" tests=\"3\" failures=\"1\""), "{xml}");
    let case = xml.find("name=\"max-duplicate-rate\"").expect("a test case per gate");
    assert!(xml[..case].rfind("<testcase").is_some_and(|at| !xml[at..case].contains('>')), "{xml}");
    assert!(
        xml[case..].split("</testcase>").next().unwrap().contains("<failure"),
        "the failed gate has a failure: {xml}"
    );
    assert!(xml.contains("classname=\"crmclean.check\""), "{xml}");
    assert_eq!(xml.matches("<testcase").count(), 3);
    assert_eq!(xml.matches("<failure").count(), xml.matches("</failure>").count());
    assert!(xml.trim_end().ends_with("</testsuites>"));

    // A gate that is not a rate is a usage error.
    std::fs::write(&cfg, "[gates]\nmax_stale_rate = 7\n").unwrap();
    let r = crmclean(tmp.path(), &args);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("not a rate"));
}

#[test]
fn rows_sharing_a_record_id_are_kept_apart_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.csv");
    std::fs::write(
        &input,
        "Contact ID,First Name,Last Name,Email\n\
         C1,Anna,Nowak,anna.nowak@example.pl\n\
         C2,Piotr,Zielinski,piotr@example.pl\n\
         C1,Maria,Rossi,maria.rossi@example.it\n",
    )
    .unwrap();
    let run = dedupe(dir.path(), &[input], &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let clusters = read_csv(&dir.path().join("out/clusters.csv"));
    let c1: Vec<&HashMap<String, String>> = clusters.iter().filter(|r| r["record_id"] == "C1").collect();
    assert_eq!(c1.len(), 2, "both rows with id C1 are kept");
    let lines: HashSet<&str> = c1.iter().map(|r| r["line"].as_str()).collect();
    assert_eq!(lines, HashSet::from(["2", "4"]), "the line tells them apart");
    assert_ne!(c1[0]["cluster_id"], c1[1]["cluster_id"], "Anna Nowak and Maria Rossi are not merged");
    let issues = read_csv(&dir.path().join("out/quality_issues.csv"));
    let flagged = issues.iter().filter(|r| r["issues"].contains("duplicate_record_id")).count();
    assert_eq!(flagged, 2, "{issues:?}");
    assert!(run.stderr().contains("occur more than once") || run.stdout().contains("occur more than once"));
}

#[test]
fn redact_masks_emails_and_phones_in_shared_files() {
    let dir = tempfile::tempdir().unwrap();
    let run = dedupe(dir.path(), &sample_inputs(), &["--redact"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let out = dir.path().join("out");
    // The golden records keep the real values; none of them may show in the files meant for sharing.
    let golden = read_csv(&out.join("golden.csv"));
    let secrets: Vec<&str> =
        golden.iter().flat_map(|g| [g["email"].as_str(), g["phone"].as_str()]).filter(|v| v.len() > 5).collect();
    assert!(secrets.len() > 100, "the sample has emails and phones");
    let review = std::fs::read_to_string(out.join("review.csv")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for s in &secrets {
        assert!(!review.contains(s), "{s} in review.csv");
        assert!(!html.contains(s), "{s} in report.html");
    }
    assert!(review.contains("•••@"), "masked emails are still there to compare");
    assert!(html.contains("•••@"), "the review section shows the masked values");
    let prof = crmclean(
        dir.path(),
        ["profile", "--redact", "--out", "prof"]
            .into_iter()
            .map(String::from)
            .chain(sample_inputs().iter().map(|p| p.display().to_string())),
    );
    assert_eq!(prof.code(), 0, "{}", prof.stderr());
    let pj = std::fs::read_to_string(dir.path().join("prof/profile.json")).unwrap();
    let ph = std::fs::read_to_string(dir.path().join("prof/profile.html")).unwrap();
    for s in &secrets {
        assert!(!pj.contains(s) && !ph.contains(s), "{s} in the profile");
    }
}

/// Copies the sample into `dir` and applies `edit` to crm_salesforce.csv's rows (header first).
fn sample_copy(dir: &Path, edit: impl FnOnce(&mut Vec<Vec<String>>)) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let inputs: Vec<PathBuf> = SAMPLE
        .iter()
        .map(|s| {
            let to = dir.join(Path::new(s).file_name().unwrap());
            std::fs::copy(testdata(s), &to).unwrap();
            to
        })
        .collect();
    let sf = &inputs[0];
    let mut rows: Vec<Vec<String>> =
        csv::Reader::from_path(sf).unwrap().records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let header: Vec<String> = csv::Reader::from_path(sf).unwrap().headers().unwrap().iter().map(String::from).collect();
    rows.insert(0, header);
    edit(&mut rows);
    let mut w = csv::Writer::from_path(sf).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    inputs
}

fn cluster_of(out: &Path) -> HashMap<(String, String), String> {
    read_csv(&out.join("clusters.csv"))
        .into_iter()
        .map(|r| ((r["source"].clone(), r["record_id"].clone()), r["cluster_id"].clone()))
        .collect()
}

/// No cluster of the last run vanishes silently: each of its ids is still a cluster or is listed as
/// merged or removed in changes.csv — also when one record id stands on two rows of a source in two
/// different clusters (two records.csv rows under one key).
#[test]
fn every_old_cluster_is_kept_or_listed_as_gone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let state = d.join("state");
    let inputs = sample_copy(&d.join("in"), |rows| {
        // A person of their own, alone in a cluster, under the id of the record after them.
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        let (first, last, email) = (col("First Name"), col("Last Name"), col("Email"));
        let mut alone: Vec<String> = vec![String::new(); rows[0].len()];
        alone[0] = rows[1][0].clone();
        alone[first] = "Quirinus".into();
        alone[last] = "Zbyszewski-Oyelaran".into();
        alone[email] = "q.zbyszewski@example.org".into();
        rows.insert(1, alone);
    });
    let run = |out: &str| {
        let r = dedupe(d, &inputs, &["--state", state.to_str().unwrap()]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        std::fs::rename(d.join("out"), d.join(out)).unwrap();
    };
    run("day1");
    run("day2");
    let day2: std::collections::HashSet<String> = cluster_of(&d.join("day2")).into_values().collect();
    let changes = read_csv(&d.join("day2/changes.csv"));
    let listed = |id: &str| {
        changes.iter().any(|c| {
            (c["change"] == "removed_cluster" && c["cluster_id"] == id)
                || (c["change"] == "merged_cluster" && c["other_cluster_id"] == id)
        })
    };
    let gone: Vec<String> = read_csv(&d.join("day1/golden.csv"))
        .into_iter()
        .map(|g| g["cluster_id"].clone())
        .filter(|id| !day2.contains(id) && !listed(id))
        .collect();
    assert!(gone.is_empty(), "day-1 clusters gone without a change row: {gone:?}\n{changes:?}");
}

/// A file without an id column numbers its rows, but a nightly run recognises its records by content:
/// rows inserted above the others and a re-sorted file give only the inserted rows as new, and every
/// other record keeps its cluster id.
#[test]
fn nightly_runs_recognise_records_of_a_file_without_ids_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inputs = sample_copy(&d.join("in"), |_| {});
    let webinar = inputs.iter().find(|p| p.ends_with("webinar_anmeldungen.csv")).unwrap().clone();
    let bytes = std::fs::read(&webinar).unwrap();
    let text: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let (header, body) = (text[0], &text[1..]);
    let state = d.join("state");
    let state_arg = state.to_str().unwrap().to_string();
    for run in ["run1", "run2"] {
        std::fs::create_dir_all(d.join(run)).unwrap();
    }
    let r = dedupe(&d.join("run1"), &inputs, &["--state", &state_arg]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let content_cluster = |out: &Path, body: &[&[u8]]| -> HashMap<Vec<u8>, String> {
        read_csv(&out.join("clusters.csv"))
            .into_iter()
            .filter(|r| r["source"] == "webinar_anmeldungen")
            .map(|r| (body[r["record_id"].parse::<usize>().unwrap() - 1].to_vec(), r["cluster_id"].clone()))
            .collect()
    };
    let before = content_cluster(&d.join("run1/out"), body);
    // Three new sign-ups above the others, and the rest in reverse order.
    let new_rows: [&[u8]; 3] = [
        b"Zofia Nowicka;zofia.nowicka@example.pl;;;ul. Polna 3;00-001;Warszawa;PL;;01.12.2026 09:00\r",
        b"Tomasz Wrona;t.wrona@example.pl;;;ul. Polna 5;00-001;Warszawa;PL;;01.12.2026 09:05\r",
        b"Ines Duarte;ines.duarte@example.pt;;;Rua Nova 1;1000-001;Lisboa;PT;;01.12.2026 09:10\r",
    ];
    let mut body2: Vec<&[u8]> = new_rows.to_vec();
    body2.extend(body.iter().rev());
    let mut out = header.to_vec();
    for l in &body2 {
        out.push(b'\n');
        out.extend_from_slice(l);
    }
    out.push(b'\n');
    std::fs::write(&webinar, out).unwrap();
    let r = dedupe(&d.join("run2"), &inputs, &["--state", &state_arg]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let changes = read_csv(&d.join("run2/out/changes.csv"));
    let record_changes: Vec<&HashMap<String, String>> =
        changes.iter().filter(|c| c["change"].starts_with("record_") && c["change"] != "record_moved").collect();
    assert_eq!(record_changes.len(), 3, "{record_changes:?}");
    assert!(record_changes.iter().all(|c| c["change"] == "record_added" && c["source"] == "webinar_anmeldungen"));
    let mut added: Vec<&str> = record_changes.iter().map(|c| c["record_id"].as_str()).collect();
    added.sort();
    assert_eq!(added, ["1", "2", "3"], "the inserted rows, by their row numbers");
    let after = content_cluster(&d.join("run2/out"), &body2);
    for (row, id) in &before {
        assert_eq!(after.get(row), Some(id), "{}", String::from_utf8_lossy(row));
    }
}

#[test]
fn nightly_runs_keep_ids_list_changes_and_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let state = d.join("state");
    let run = |inputs: &[PathBuf], out: &str, failpoint: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crmclean"));
        cmd.arg("dedupe").args(inputs).arg("--out").arg(d.join(out)).arg("--state").arg(&state);
        if let Some(f) = failpoint {
            cmd.env("CRMCLEAN_DEBUG", format!("failpoint={f}"));
        }
        cmd.output().unwrap()
    };
    // Day 1.
    let day1 = sample_copy(&d.join("day1"), |_| {});
    let r = run(&day1, "out1", None);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!d.join("out1/changes.csv").exists(), "the first run has nothing to compare with");
    let c1 = cluster_of(&d.join("out1"));

    // Day 2: three records deleted, one email edited, a copy of a known person under a new id, and a
    // new person.
    let (mut deleted, mut edited, mut copied_from) = (Vec::new(), String::new(), String::new());
    let day2 = sample_copy(&d.join("day2"), |rows| {
        let h = rows[0].clone();
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        deleted = rows.drain(5..8).map(|r| r[0].clone()).collect();
        edited = rows[10][0].clone();
        rows[10][col("Email")] = format!("new.{}", rows[10][col("Email")]);
        let mut copy = rows[20].clone();
        copied_from = copy[0].clone();
        copy[0] = "NEW-COPY".into();
        rows.push(copy);
        let mut fresh = rows[21].clone();
        fresh[0] = "NEW-PERSON".into();
        fresh[col("First Name")] = "Zbigniew".into();
        fresh[col("Last Name")] = "Brzęczyszczykiewicz".into();
        fresh[col("Email")] = "z.brzeczyszczykiewicz@example.pl".into();
        fresh[col("Phone")] = String::new();
        fresh[col("Mobile")] = String::new();
        fresh[col("Birthdate")] = "1971-03-04".into();
        rows.push(fresh);
    });

    // A day-2 run killed after writing its state but before making it current leaves day 1's state.
    let killed = run(&day2, "killed", Some("state-before-current"));
    assert!(!killed.status.success());
    let r = run(&day2, "out2", None);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let c2 = cluster_of(&d.join("out2"));
    let sf = |id: &str| ("crm_salesforce".to_string(), id.to_string());

    // Stable ids: every record present both days that was not edited keeps its cluster id.
    let moved: Vec<_> =
        c1.iter().filter(|(k, v)| c2.get(*k).is_some_and(|v2| v2 != *v) && **k != sf(&edited)).collect();
    assert!(moved.is_empty(), "{moved:?}");
    assert_eq!(c2[&sf("NEW-COPY")], c1[&sf(&copied_from)], "the copy joins its person's cluster");
    let max1 = c1.values().max().unwrap();
    assert!(&c2[&sf("NEW-PERSON")] > max1, "a new person gets a new, never used id");

    // The diff.
    let changes = read_csv(&d.join("out2/changes.csv"));
    let has = |kind: &str, id: &str| changes.iter().any(|c| c["change"] == kind && c["record_id"] == id);
    assert!(has("record_added", "NEW-COPY") && has("record_added", "NEW-PERSON"), "{changes:?}");
    assert!(has("record_edited", &edited));
    for id in &deleted {
        assert!(has("record_deleted", id), "{id}");
    }
    assert!(changes.iter().any(|c| c["change"] == "new_cluster" && c["cluster_id"] == c2[&sf("NEW-PERSON")]));
    let summary = json(&d.join("out2/summary.json"));
    assert_eq!(summary["incremental"]["run"]["new_records"], 2);
    assert_eq!(summary["incremental"]["run"]["deleted_records"], 3);
    assert_eq!(summary["incremental"]["run"]["reused_model"], true);
    // Unchanged pairs are not formed or rescored: blocks of unchanged records are skipped, and day 2
    // scores a fraction of day 1's pairs.
    assert!(summary["incremental"]["run"]["blocks_skipped"].as_u64().unwrap() > 100, "{summary}");
    let day1_pairs = json(&d.join("out1/summary.json"))["blocking"]["candidate_pairs"].as_u64().unwrap();
    let day2_pairs = summary["blocking"]["candidate_pairs"].as_u64().unwrap();
    assert!(day2_pairs * 4 < day1_pairs, "day 2 scored {day2_pairs} pairs, day 1 {day1_pairs}");
    assert!(std::fs::read_to_string(d.join("out2/report.html")).unwrap().contains("Changes since the last run"));

    // Running day 2 again changes nothing.
    let r = run(&day2, "out3", None);
    assert!(r.status.success());
    assert_eq!(cluster_of(&d.join("out3")), c2);
    let again = read_csv(&d.join("out3/changes.csv"));
    assert!(again.is_empty(), "{again:?}");

    // A state from an incompatible version is refused clearly.
    let current = std::fs::read_to_string(state.join("CURRENT")).unwrap();
    let meta = state.join(current.trim()).join("state.json");
    let text = std::fs::read_to_string(&meta).unwrap().replace("\"format_version\": 2", "\"format_version\": 99");
    std::fs::write(&meta, text).unwrap();
    let r = run(&day2, "out4", None);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("state format 99") && err.contains("--state"), "{err}");
}

#[test]
fn a_run_that_would_exhaust_memory_stops_first_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["dedupe".into()];
    args.extend(sample_inputs().into_iter().map(|p| p.into_os_string()));
    args.extend(["--out".into(), dir.path().join("out").into_os_string()]);
    let out = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .args(&args)
        .env("CRMCLEAN_MEMORY_LIMIT_GB", "0.001")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("records needs about") && err.contains("split the inputs"), "{err}");
    assert!(!dir.path().join("out/clusters.csv").exists(), "nothing half-done is written");
}

#[test]
fn a_run_killed_while_writing_leaves_no_half_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(dedupe(dir.path(), &sample_inputs(), &[]).code(), 0);
    let golden_before = std::fs::read(out.join("golden.csv")).unwrap();
    assert!(out.join("summary.json").exists());

    // A second run on other input is killed after writing golden.csv's temporary file.
    let mut args: Vec<std::ffi::OsString> = vec!["dedupe".into(), testdata("crm/crm_salesforce.csv").into()];
    args.extend(["--out".into(), out.clone().into_os_string()]);
    let killed = Command::new(env!("CARGO_BIN_EXE_crmclean"))
        .args(&args)
        .env("CRMCLEAN_DEBUG", "failpoint=before-rename:golden.csv")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    // golden.csv is still the earlier run's complete file; summary.json is gone, so the directory says
    // it does not hold one complete run.
    assert_eq!(std::fs::read(out.join("golden.csv")).unwrap(), golden_before);
    assert!(!out.join("summary.json").exists());

    // The next run completes and leaves no temporary files.
    let r = crmclean(dir.path(), &args);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(out.join("summary.json").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A Parquet export (typed columns: numbers, dates, nulls) is read like a CSV, and `--format parquet`
/// writes clusters, golden records and provenance as Parquet with the CSVs' rows.
#[test]
fn parquet_exports_are_read_and_written() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let signed = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
    let mut frame = df!(
        "Contact ID" => [Some("L1"), Some("L2"), None, Some("L4")],
        "First Name" => [Some("Anna"), Some("Jan"), None, Some("Marek")],
        "Last Name" => [Some("Nowak"), Some("Kowalski"), None, Some("Wiśniewski")],
        "Email" => [Some("anna.nowak@example.pl"), Some("jan.kowalski@example.pl"), None, Some("marek.w@example.pl")],
        // Phone numbers exported as doubles read as the whole numbers they are.
        "Mobile" => [Some(48601234567.0f64), Some(48602345678.0), None, None],
        "Signed Up" => [signed(2024, 3, 1), signed(2024, 5, 20), None, signed(2023, 1, 9)]
    )
    .unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
    std::fs::write(d.join("leads.parquet"), bytes).unwrap();
    std::fs::write(
        d.join("crm.csv"),
        "Id,First Name,Last Name,Email,Phone\nC1,Anna,Nowak,anna.nowak@example.pl,+48 601 234 567\nC2,Ewa,Lis,ewa.lis@example.pl,\n",
    )
    .unwrap();
    let r = dedupe(d, &[d.join("leads.parquet"), d.join("crm.csv")], &["--format", "parquet"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("leads.parquet (Parquet, 3 records)"), "{}", r.stderr());
    let out = d.join("out");
    // The empty row is rejected with its row number, the others are all in clusters.csv.
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!((rejects[0]["line"].as_str(), rejects[0]["reason"].as_str()), ("3", "row has no values"));
    let clusters = read_csv(&out.join("clusters.csv"));
    assert_eq!(clusters.len(), 5);
    let cluster_of = |id: &str| clusters.iter().find(|c| c["record_id"] == id).unwrap()["cluster_id"].clone();
    assert_eq!(cluster_of("L1"), cluster_of("C1"), "the Parquet lead and the CSV contact are one person");
    assert_ne!(cluster_of("L2"), cluster_of("C1"));
    // The numbers and dates were read as text: the phone normalised, the date kept.
    let golden = read_csv(&out.join("golden.csv"));
    let anna = golden.iter().find(|g| g["last_name"] == "Nowak").unwrap();
    assert_eq!(anna["phone"], "+48601234567");
    // The Parquet outputs hold the CSVs' rows, `line` as a number.
    let read = |name: &str| ParquetReader::new(std::fs::File::open(out.join(name)).unwrap()).finish().unwrap();
    let pq = read("clusters.parquet");
    assert_eq!(pq.height(), clusters.len());
    assert_eq!(pq.column("line").unwrap().dtype(), &DataType::UInt64);
    assert_eq!(read("golden.parquet").height(), golden.len());
    assert_eq!(read("provenance.parquet").height(), read_csv(&out.join("provenance.csv")).len());
    // A CSV-only run into the same folder leaves no Parquet table of the earlier run behind.
    let r = dedupe(d, &[d.join("crm.csv")], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    for stale in ["clusters.parquet", "golden.parquet", "provenance.parquet"] {
        assert!(!out.join(stale).exists(), "{stale} left from the Parquet run");
    }
    // A file named .parquet that is not one is an error naming it.
    std::fs::write(d.join("fake.parquet"), "Email\na@b.pl\n").unwrap();
    let r = dedupe(d, &[d.join("fake.parquet")], &[]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("fake.parquet") && r.stderr().contains("not one"), "{}", r.stderr());
}

/// Regression: `profile --out` wrote quality_issues.csv with its own CSV writer, without the formula
/// guard `dedupe`'s files have.
#[test]
fn profile_quality_issues_are_guarded_against_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("leads.csv"),
        "Id,Name,Email\n=HYPERLINK(\"http://x\"),Anna Nowak,not-an-email\nB2,Jan Lis,jan@lis.pl\n",
    )
    .unwrap();
    let r = crmclean(d, ["profile", "leads.csv", "--out", "p"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let rows = read_csv(&d.join("p/quality_issues.csv"));
    let flagged = rows.iter().find(|r| r["issues"].contains("invalid_email")).expect("the invalid email is flagged");
    assert!(flagged["record_id"].starts_with("'="), "{flagged:?}");
}

/// Reads the first sheet of a workbook as rows of text (the header first).
fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// An Excel export is read like a CSV: the first sheet or `--sheet NAME`, numbers and dates stored as
/// numbers converted, empty rows rejected with their row number, a column without a header kept.
#[test]
fn excel_exports_are_read_like_csv() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "Exported from the CRM on 2026-11-30").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Contacts").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in
        ["Contact ID", "First Name", "Last Name", "Email", "Mobile", "Created Date", "Email Opt Out"].iter().enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let people = [
        (1001.0, "Anna", "Nowak", "anna.nowak@example.pl", 48601234567.0, (2024, 3, 1), true),
        (1002.0, "Jan", "Kowalski", "jan.kowalski@example.pl", 48602345678.0, (2024, 5, 20), false),
    ];
    for (i, (id, first, last, email, phone, (y, m, day), opt_out)) in people.iter().enumerate() {
        // Row 3 (index 2) is left empty: it is rejected with its row number.
        let r = if i == 0 { 1 } else { 3 };
        sheet.write_number(r, 0, *id).unwrap();
        sheet.write_string(r, 1, *first).unwrap();
        sheet.write_string(r, 2, *last).unwrap();
        sheet.write_string(r, 3, *email).unwrap();
        sheet.write_number(r, 4, *phone).unwrap();
        sheet.write_datetime_with_format(r, 5, ExcelDateTime::from_ymd(*y, *m, *day).unwrap(), &date).unwrap();
        sheet.write_boolean(r, 6, *opt_out).unwrap();
    }
    // A value in a column without a header.
    sheet.write_string(3, 7, "VIP").unwrap();
    book.save(d.join("leads.xlsx")).unwrap();
    std::fs::write(
        d.join("crm.csv"),
        "Id,First Name,Last Name,Email,Phone\nC1,Anna,Nowak,anna.nowak@example.pl,+48 601 234 567\n",
    )
    .unwrap();
    let inputs = [d.join("leads.xlsx"), d.join("crm.csv")];

    // The first sheet holds a note and no rows under it: the first sheet with data is read, and said so.
    let r = dedupe(d, &inputs, &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("read sheet \"Contacts\" of 2 (Notes, Contacts)"), "{}", r.stderr());
    let r = dedupe(d, &inputs, &["--sheet", "contacts"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = d.join("out");
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!((rejects[0]["line"].as_str(), rejects[0]["reason"].as_str()), ("3", "row has no values"));
    let clusters = read_csv(&out.join("clusters.csv"));
    assert_eq!(clusters.len(), 3, "every row accounted for");
    let cluster_of = |id: &str| clusters.iter().find(|c| c["record_id"] == id).unwrap()["cluster_id"].clone();
    assert_eq!(cluster_of("1001"), cluster_of("C1"), "ids read as whole numbers; the two Annas merged");
    let golden = read_csv(&out.join("golden.csv"));
    let anna = golden.iter().find(|g| g["last_name"] == "Nowak").unwrap();
    assert_eq!(anna["phone"], "+48601234567");
    assert_eq!(anna["email_opt_out"], "yes", "TRUE in an opt-out column is an opt-out");
    let provenance = std::fs::read_to_string(out.join("provenance.csv")).unwrap();
    assert!(provenance.contains("2024-03-01"), "the date stored as a number is read as a date");
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("column_8"), "the column without a header is kept");
    // --sheet with only CSV inputs is said to do nothing.
    let r = dedupe(d, &[d.join("crm.csv")], &["--sheet", "Contacts"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("--sheet \"Contacts\" was not used"), "{}", r.stderr());
    // A sheet that does not exist is an error naming the sheets there are.
    let r = dedupe(d, &inputs, &["--sheet", "Leads"]);
    assert_eq!(r.code(), 1);
    assert!(r.stderr().contains("leads.xlsx") && r.stderr().contains("Notes, Contacts"), "{}", r.stderr());
}

/// An .xlsx copy of each sample export (every cell as the CSV holds it) gives the same clusters as the
/// CSVs.
#[test]
fn an_xlsx_copy_of_the_sample_gives_the_same_clusters() {
    let tmp = tempfile::tempdir().unwrap();
    let copies: Vec<PathBuf> = sample_inputs()
        .iter()
        .map(|csv_path| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            // As Excel opens them: the Windows-1252, semicolon-separated export decoded.
            let bytes = std::fs::read(csv_path).unwrap();
            let text = match std::str::from_utf8(&bytes) {
                Ok(t) => t.to_string(),
                Err(_) => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
            };
            let first = text.lines().next().unwrap_or_default();
            let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
            // A row with more or fewer fields than the header is rejected from the CSV; a sheet has
            // no such rows, so the copy leaves it out.
            let width = records[0].len();
            for (r, rec) in records.iter().filter(|rec| rec.len() == width).enumerate() {
                for (c, v) in rec.iter().enumerate() {
                    sheet.write_string(r as u32, c as u16, v).unwrap();
                }
            }
            let to = tmp.path().join(csv_path.file_stem().unwrap()).with_extension("xlsx");
            book.save(&to).unwrap();
            to
        })
        .collect();
    let partition = |dir: &Path, inputs: &[PathBuf]| {
        let r = dedupe(dir, inputs, &[]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for c in read_csv(&dir.join("out/clusters.csv")) {
            members.entry(c["cluster_id"].clone()).or_default().push(format!("{}:{}", c["source"], c["record_id"]));
        }
        let mut clusters: Vec<Vec<String>> = members
            .into_values()
            .map(|mut m| {
                m.sort();
                m
            })
            .collect();
        clusters.sort();
        clusters
    };
    let (from_csv, from_xlsx) = (tmp.path().join("csv"), tmp.path().join("xlsx"));
    std::fs::create_dir_all(&from_csv).unwrap();
    std::fs::create_dir_all(&from_xlsx).unwrap();
    let expected = partition(&from_csv, &sample_inputs());
    assert!(expected.len() > 100);
    let got = partition(&from_xlsx, &copies);
    let only = |x: &[Vec<String>], y: &[Vec<String>]| x.iter().filter(|c| !y.contains(c)).cloned().collect::<Vec<_>>();
    assert_eq!(
        got,
        expected,
        "only from the CSVs: {:?}; only from the copies: {:?}",
        only(&expected, &got),
        only(&got, &expected)
    );
}

/// review.xlsx holds review.csv's rows with a decision dropdown; filled in, it is accepted by
/// `--decisions` as it is.
#[test]
fn review_xlsx_decisions_flow_back() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let out = tmp.path().join("out");
    let csv_rows = read_csv(&out.join("review.csv"));
    let mut rows = read_xlsx(&out.join("review.xlsx"));
    assert_eq!(rows.len(), csv_rows.len() + 1, "every review row, under the header");
    let header = rows[0].clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(header.last().unwrap(), "decision");
    let sheet_xml = {
        let file = std::fs::File::open(out.join("review.xlsx")).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml).unwrap();
        xml
    };
    assert!(sheet_xml.contains("\"match,no-match\""), "a dropdown on the decision column");
    assert!(sheet_xml.contains("state=\"frozen\""), "the header row is frozen");
    // Decide the first uncertain pair as a match, as a reviewer would in Excel.
    let at = rows.iter().position(|r| r[col("kind")] == "uncertain_pair").expect("an uncertain pair");
    let decision = col("decision");
    rows[at][decision] = "match".into();
    let (ls, lr, rs, rr) = (
        rows[at][col("left_source")].clone(),
        rows[at][col("left_record_id")].clone(),
        rows[at][col("right_source")].clone(),
        rows[at][col("right_record_id")].clone(),
    );
    let decided = tmp.path().join("decided.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    book.save(&decided).unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &["--decisions", decided.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("applied 1 match and 0 no-match decision(s)"), "{}", r.stderr());
    let clusters = read_csv(&out.join("clusters.csv"));
    let cluster_of = |s: &str, id: &str| {
        clusters.iter().find(|c| c["source"] == s && c["record_id"] == id).unwrap()["cluster_id"].clone()
    };
    assert_eq!(cluster_of(&ls, &lr), cluster_of(&rs, &rr), "the decided match is merged");
}

/// report.html opens with what to do: the duplicates to merge, the pairs that need a person (by
/// kind), and the quality problems by the records they touch, each naming the file that lists them;
/// the details come after.
#[test]
fn report_leads_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(dedupe(tmp.path(), &sample_inputs(), &[]).code(), 0);
    let out = tmp.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let summary = json(&out.join("summary.json"));
    let review = read_csv(&out.join("review.csv"));
    let todo = html.find("What to do").expect("a to-do section");
    assert!(todo < html.find("Details").unwrap() && todo < html.find("Time per stage").unwrap());
    let first = &html[todo..html.find("Details").unwrap()];
    assert!(first.contains(&format!("{} duplicate records", summary["duplicate_records"])), "{first}");
    assert!(first.contains(&format!("{} pairs need a person", review.len())), "{first}");
    let uncertain = review.iter().filter(|r| r["kind"] == "uncertain_pair").count();
    assert!(first.contains(&format!("{uncertain} pairs the model is unsure about")), "{first}");
    for file in ["golden.csv", "merge_plan.csv", "review.xlsx", "quality_issues.csv"] {
        assert!(first.contains(&format!("href=\"{file}\"")), "{file} linked from the first screen");
    }
    // Quality problems, most records first, with the counts of the profile.
    let issues = read_csv(&out.join("quality_issues.csv"));
    let touched = |flag: &str| issues.iter().filter(|r| r["issues"].split(';').any(|i| i.trim() == flag)).count();
    let invalid = touched("invalid_email");
    assert!(invalid > 0, "the sample has invalid emails");
    assert!(first.contains(&format!("{invalid} records with an invalid email address")), "{first}");
}
