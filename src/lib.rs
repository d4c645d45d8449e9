//! crmclean cleans CRM contact exports: it loads them, standardizes every field, finds the records
//! that are the same person, and writes golden records with a review queue and a report.
//!
//! The pipeline, one module per step, data flowing forward:
//!
//! | step | module | takes → gives |
//! |---|---|---|
//! | 1 | [`ingest`] | CSV, Excel, Parquet files → polars frames per source, rejected rows |
//! | 2 | [`normalize`] | frames → one [`normalize::Contact`] of match keys per row (dense `u32` ids) |
//! | 3 | [`quality`] | contacts → data-quality profile |
//! | 4 | [`block`] | contacts → candidate pairs from several blocking rules |
//! | 5 | [`compare`], [`score`] | pairs → comparison vectors → Fellegi–Sunter match weights (EM) |
//! | 6 | [`cluster`] | scored pairs → entities, without chaining |
//! | 7 | [`merge`] | entities → golden records with provenance |
//! | 8 | [`report`] | everything → CSV, JSON and HTML outputs |
//!
//! [`pipeline`] runs the steps in order; [`cli`] is the command-line layer; [`evaluate`] scores
//! clusters against ground truth; a private `generate` module writes seeded synthetic CRM exports for
//! `crmclean generate`; [`state`] carries cluster ids and unchanged groupings from one nightly run to
//! the next.
//!
//! Layers, bottom to top; a module uses only modules below it (a unit test, `layers`, reads the
//! sources and fails on an import against this order):
//!
//! ```text
//! cli                                  flags → one library call → printed summary
//! check, generate, evaluate            CI gates over a run; tools beside the engine (generate is not exported)
//! pipeline                             the only module that knows the order of stages
//! report                               reads a pipeline::Run (report::Run), writes the output files
//! state                                nightly runs: ids and decisions carried between runs
//! merge → cluster → score → compare → block → quality → normalize → ingest     the stages
//! config, schema                       settings, the contact schema and header synonyms
//! countries, spreadsheet, text, data, io, error
//!                                      country table, workbooks, text folding, table loaders, atomic writes, errors
//! ```

#![forbid(unsafe_code)]

pub mod block;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod countries;
pub mod data;
pub mod error;
pub mod evaluate;
mod generate;
pub mod ingest;
pub mod io;
pub mod merge;
pub mod normalize;
pub mod pipeline;
pub mod quality;
pub mod report;
pub mod schema;
pub mod score;
pub mod spreadsheet;
pub mod state;
pub mod text;

pub use error::{Error, Result};

#[cfg(test)]
mod layers {
    //! The layer rule, checked on the sources: a module imports only modules below it.

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Bottom to top; a module may use only modules listed before it.
    const ORDER: &[&str] = &[
        "error",
        "io",
        "data",
        "text",
        "spreadsheet",
        "countries",
        "schema",
        "config",
        "ingest",
        "normalize",
        "quality",
        "block",
        "compare",
        "score",
        "cluster",
        "merge",
        "state",
        "report",
        "pipeline",
        "check",
        "evaluate",
        "generate",
        "cli",
    ];

    /// Every `.rs` file under `src/`, sorted.
    fn sources() -> Vec<std::path::PathBuf> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let (mut files, mut todo) = (Vec::new(), vec![src]);
        while let Some(path) = todo.pop() {
            if path.is_dir() {
                todo.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files.sort();
        files
    }

    /// Top-level module → the other top-level modules its production code names as `crate::…`.
    fn imports() -> BTreeMap<String, BTreeSet<String>> {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for path in sources() {
            let rel = path.strip_prefix(&src).unwrap();
            let top = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
            if top == "lib" || top == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests may build their fixtures with later stages.
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let uses = graph.entry(top.clone()).or_default();
            for line in code.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + 7..];
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(group) => group.split('}').next().unwrap().split(',').collect(),
                        None => vec![rest],
                    };
                    for name in names {
                        let name: String =
                            name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        if !name.is_empty() && name != top && name != "Result" && name != "Error" {
                            uses.insert(name);
                        }
                    }
                }
            }
        }
        graph
    }

    #[test]
    fn no_module_imports_a_later_stage() {
        let graph = imports();
        let mut wrong = Vec::new();
        for (module, uses) in &graph {
            let at = ORDER.iter().position(|m| m == module);
            assert!(at.is_some(), "module {module} is not in the layer order: add it to ORDER (and README's table)");
            for used in uses {
                let to = ORDER.iter().position(|m| m == used);
                assert!(to.is_some(), "{module} uses crate::{used}, which is not in the layer order");
                if to > at {
                    wrong.push(format!("{module} -> {used}"));
                }
            }
        }
        assert!(wrong.is_empty(), "imports against the layer order (bottom to top {ORDER:?}): {wrong:?}");
    }

    /// The functions of more than `max` lines: (file, line, name, lines), by rustfmt's layout (a
    /// function ends at the first `}` at its own indentation).
    fn long_functions(max: usize) -> Vec<(String, usize, String, usize)> {
        let mut long = Vec::new();
        for path in sources() {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let body = line.trim_start();
                let indent = &line[..line.len() - body.len()];
                let rest = ["pub(crate) ", "pub ", "const ", "async "]
                    .iter()
                    .fold(body, |b, p| b.strip_prefix(p).unwrap_or(b));
                let Some(name) = rest.strip_prefix("fn ") else { continue };
                if line.trim_end().ends_with(';') {
                    continue;
                }
                let end = lines[i..].iter().position(|l| l.strip_prefix(indent) == Some("}")).unwrap_or(0);
                if end + 1 > max {
                    let name: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    long.push((path.display().to_string(), i + 1, name, end + 1));
                }
            }
        }
        long
    }

    /// Every function fits on a screen or two; data belongs in tables (`src/data/`, or a `const`).
    #[test]
    fn no_function_is_longer_than_80_lines() {
        let long = long_functions(80);
        assert!(long.is_empty(), "split these functions (file, line, name, lines): {long:#?}");
        // The checker finds functions: this module's own checker is longer than 10 lines.
        assert!(long_functions(10).iter().any(|f| f.2 == "long_functions"));
    }

    #[test]
    fn the_checker_sees_imports() {
        let graph = imports();
        assert!(graph["pipeline"].contains("report") && graph["report"].contains("score"), "{graph:?}");
        assert!(graph["cli"].contains("generate"), "{graph:?}");
    }
}
