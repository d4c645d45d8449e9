//! Any bytes as one input file: ingest, normalize, profile, block and compare must never panic, and
//! every data row must be accepted or rejected.
#![no_main]

use std::path::Path;

use crmclean::config::Config;
use crmclean::ingest::{load_bytes, Ingested};
use crmclean::{block, normalize, quality, score};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = Config::default();
    let (mut rejects, mut notes) = (Vec::new(), Vec::new());
    let Ok(source) = load_bytes(Path::new("fuzz.csv"), data, &cfg, &mut rejects, &mut notes) else {
        return;
    };
    assert_eq!(source.frame.height() + rejects.len(), source.rows_read, "a row went missing");
    let ingested = Ingested { sources: vec![source], rejects, notes };
    let extras = normalize::choose_extras(&ingested);
    let mut contacts = normalize::normalize(&ingested, &cfg, &extras).expect("normalize");
    assert_eq!(contacts.len(), ingested.record_count());
    quality::profile(&ingested, &contacts);
    let candidates = block::block(&contacts, &block::default_rules(), cfg.max_block_size, false);
    score::vectors(&mut contacts, &candidates.pairs);
});
