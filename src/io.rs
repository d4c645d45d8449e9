//! Shared I/O helpers, the bottom layer: atomic file writes, and the one debug switch.
//!
//! Every file crmclean writes goes through [`write_atomic_with`]: written to a temporary name in the
//! same directory and renamed, so an interrupted run never leaves a half-written file that looks
//! complete.
//!
//! `CRMCLEAN_DEBUG` is the only environment variable that changes what a run does besides
//! `CRMCLEAN_MEMORY_LIMIT_GB`: a comma-separated list of
//! - `em` — the EM sessions' pair counts and priors, on stderr;
//! - `joins` — every join the cluster stage refuses, on stderr;
//! - `pair=SOURCE:ID/SOURCE:ID` — one pair's comparison, levels and weights, on stderr;
//! - `pairs=PATH` — every scored pair with its comparison vector and weight, written to PATH;
//! - `failpoint=NAME` — abort the process at the named point, as if killed (the crash-safety tests).

use std::path::Path;
use std::sync::OnceLock;

use crate::error::{Error, Result};

/// The `CRMCLEAN_DEBUG` entries, read once.
fn debug_entries() -> &'static [String] {
    static ENTRIES: OnceLock<Vec<String>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        std::env::var("CRMCLEAN_DEBUG")
            .map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    })
}

/// Whether `CRMCLEAN_DEBUG` holds `name`.
pub fn debug(name: &str) -> bool {
    debug_entries().iter().any(|e| e == name)
}

/// The value of a `name=value` entry of `CRMCLEAN_DEBUG`.
pub fn debug_value(name: &str) -> Option<&'static str> {
    debug_entries().iter().find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
}

/// Test aid: when `CRMCLEAN_DEBUG` holds `failpoint=NAME` for this point, the process aborts here,
/// as if killed.
pub fn failpoint(name: &str) {
    if debug_value("failpoint") == Some(name) {
        std::process::abort();
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_parts(path, &[bytes])
}

/// [`write_atomic`] of the concatenation of `parts`, without building it in memory.
pub fn write_atomic_parts(path: &Path, parts: &[&[u8]]) -> Result<()> {
    write_atomic_with(path, |write| parts.iter().try_for_each(|part| write(part)))
}

/// [`write_atomic`] of what `fill` writes, piece by piece, through the function it is given.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()>,
) -> Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    let fail = |e: std::io::Error| {
        Error::output(path, e.to_string(), "check free disk space and permissions on the output directory")
    };
    let file = std::fs::File::create(&tmp).map_err(fail)?;
    let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
    fill(&mut |bytes| file.write_all(bytes).map_err(fail))?;
    file.into_inner().map_err(|e| fail(e.into_error()))?;
    if let Some(name) = path.file_name() {
        failpoint(&format!("before-rename:{}", name.to_string_lossy()));
    }
    std::fs::rename(&tmp, path).map_err(fail)
}
