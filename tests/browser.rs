//! The report in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs), driven over WebDriver. A reviewer decides pairs in the page by clicking and by
//! keys, downloads the decisions, and the next run honours them.
//!
//! Without a browser these tests skip with a message, except in CI (`CI` set), where they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::*;

/// Chromium and ChromeDriver, or `None` (skip) when they are not installed outside CI.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let find = |var: &str, names: &[&str]| {
        std::env::var_os(var).map(PathBuf::from).or_else(|| names.iter().map(PathBuf::from).find(|p| p.exists()))
    };
    let chromium = find("CRMCLEAN_CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let driver = find("CRMCLEAN_CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI needs Chromium and ChromeDriver for the browser tests: apt-get install chromium chromium-driver")
        }
        _ => {
            eprintln!("skipped: install Debian's chromium and chromium-driver (or set CRMCLEAN_CHROMIUM and CRMCLEAN_CHROMEDRIVER)");
            None
        }
    }
}

/// A WebDriver session in headless Chromium showing pages at 1366×768; downloads go to `downloads`.
struct Browser {
    driver: Child,
    agent: ureq::Agent,
    session: String,
}

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path, dir: &Path, downloads: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1366,768", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--force-device-scale-factor=1",
                         format!("--user-data-dir={}", dir.join("profile").display())],
                "prefs": {"download.default_directory": downloads, "download.prompt_for_download": false},
            },
        }}});
        let mut b = Browser { driver, agent, session: format!("{base}/session") };
        let created = b.call("POST", "", Some(caps));
        b.session = format!("{base}/session/{}", created["sessionId"].as_str().expect("a WebDriver session"));
        // Headless Chromium saves downloads only where it is told to.
        b.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Browser.setDownloadBehavior", "params": {"behavior": "allow", "downloadPath": downloads}})),
        );
        // The viewport, not the window, is what a 1366×768 screen shows of the page.
        let frame = b.script("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]");
        let (dx, dy) = (frame[0].as_u64().unwrap_or(0), frame[1].as_u64().unwrap_or(0));
        b.call("POST", "/window/rect", Some(json!({"width": 1366 + dx, "height": 768 + dy})));
        b
    }

    /// One WebDriver command; its `value`. A WebDriver error fails the test with its message.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let mut response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self.agent.post(&url).send_json(body.unwrap_or(json!({}))),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = response.body_mut().read_json().unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if let Some(error) = value.get("error") {
            panic!("{method} {path}: {error}: {}", value["message"]);
        }
        value
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, js: &str) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": js, "args": []})))
    }

    fn click(&self, css: &str) {
        let e = self.call("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        let id = e.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("an element id");
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Presses and releases one key, as a person at the keyboard would.
    fn press(&self, key: &str) {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]});
        self.call("POST", "/actions", Some(actions));
    }

    fn text(&self, css: &str) -> String {
        let v = self.script(&format!("return document.querySelector({}).textContent", json!(css)));
        v.as_str().unwrap_or_default().to_string()
    }

    /// A PNG of the window; its width and height.
    fn screenshot(&self, path: &Path) -> (u32, u32) {
        use base64::Engine as _;
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        std::fs::write(path, &png).unwrap();
        let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
        (be(16), be(20))
    }

    /// The page's console messages at warning level or worse.
    fn console_problems(&self) -> Vec<String> {
        let log = self.call("POST", "/se/log", Some(json!({"type": "browser"})));
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|m| matches!(m["level"].as_str(), Some("SEVERE" | "WARNING")))
            .map(|m| m["message"].to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.session).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Waits for a finished download of `name` in `dir`.
fn downloaded(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if !text.is_empty() {
                return text;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{name} was not downloaded into {}", dir.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A reviewer opens report.html from a run on the sample, decides pairs by clicking and by keys,
/// downloads the decisions and runs again with `--decisions`: the pair decided match is merged, the
/// pair decided no-match is kept apart. The first screen fits 1366×768 without horizontal scrolling.
#[test]
fn review_pairs_in_the_page_and_the_next_run_honours_them() {
    let Some((chromium, chromedriver)) = browser() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let r = dedupe(tmp.path(), &sample_inputs(), &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let report = tmp.path().join("out/report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    for pattern in ["src=\"http", "href=\"http", "url(http", "@import", "fetch("] {
        assert!(!html.contains(pattern), "the report must work offline: it contains {pattern}");
    }
    let review = read_csv(&tmp.path().join("out/review.csv"));
    assert!(review.len() >= 3, "the sample should give pairs to review, got {}", review.len());

    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let b = Browser::start(&chromium, &chromedriver, tmp.path(), &downloads);
    let url = format!("file://{}", report.display());
    b.open(&url);

    // The first screen: what to do, no horizontal scrolling at 1366×768.
    let widths = b.script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
    assert!(widths[0].as_u64() <= widths[1].as_u64(), "the page scrolls sideways at 1366x768: {widths}");
    let shot = tmp.path().join("first_screen.png");
    let (w, h) = b.screenshot(&shot);
    assert_eq!((w, h), (1366, 768), "the window is not 1366x768");
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000, "the first screen is nearly empty");
    let keep = std::env::var_os("CRMCLEAN_SCREENSHOTS").map(PathBuf::from);
    if let Some(dir) = &keep {
        std::fs::copy(&shot, dir.join("first_screen.png")).unwrap();
    }
    let top = b.script("return document.getElementById('to-do').getBoundingClientRect().top");
    assert!(top.as_f64().unwrap() < 400.0, "'What to do' is not on the first screen: {top}");
    assert_eq!(
        b.script("return document.querySelectorAll('#review .pair').length").as_u64().unwrap(),
        review.len().min(20) as u64,
        "the page shows the review pairs, 20 a page"
    );

    // Decide: the first pair by its button, the second and third by keys (the outlined pair moves on);
    // U undoes the last decision and outlines its pair again.
    b.click("#review .pair[data-i='0'] button[data-d='match']");
    assert_eq!(b.text("#review .pair[data-i='0'] .state"), "Match");
    b.press("u");
    assert_eq!(b.text("#review .pair[data-i='0'] .state"), "", "U undoes the last decision");
    b.press("m");
    b.press("n");
    b.press("s");
    assert_eq!(b.text("#review .pair[data-i='0'] .state"), "Match");
    assert_eq!(b.text("#review .pair[data-i='1'] .state"), "No match");
    assert_eq!(b.text("#review .pair[data-i='2'] .state"), "Skipped");
    let progress = format!("1 match, 1 no match, 1 skipped, {} to decide", review.len() - 3);
    assert_eq!(b.text("#review-progress"), progress);
    // A key while the outlined pair is out of sight brings it into view and decides nothing.
    b.script("window.scrollTo(0, 0)");
    b.press("m");
    assert_eq!(b.text("#review-progress"), progress, "a key decided a pair out of sight");
    if let Some(dir) = &keep {
        // For README (`CRMCLEAN_SCREENSHOTS=testdata/screenshots`): the review section, decisions made.
        b.script("document.getElementById('review').scrollIntoView()");
        b.screenshot(&dir.join("review.png"));
    }

    // The browser keeps the decisions: they are there after the page is opened again. (Chromium
    // commits a page's local storage to its storage service in the background, so a page opened at
    // once on a busy machine can read it before the write lands: give it a moment.)
    std::thread::sleep(std::time::Duration::from_millis(1500));
    b.open(&url);
    assert_eq!(b.text("#review-progress"), progress, "decisions lost on reload");
    let problems = b.console_problems();
    assert!(problems.is_empty(), "console messages: {problems:?}");

    b.click("#review-export");
    let decisions = downloaded(&downloads, "decisions.csv");
    let lines: Vec<&str> = decisions.lines().collect();
    assert_eq!(lines.len(), 3, "a header and the two decided pairs (a skip is not a decision): {decisions}");
    drop(b);

    // The next run with the downloaded file, unchanged.
    let file = downloads.join("decisions.csv");
    let rerun = tmp.path().join("rerun");
    std::fs::create_dir_all(&rerun).unwrap();
    let r = dedupe(&rerun, &sample_inputs(), &["--decisions", file.to_str().unwrap()]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let clusters = read_csv(&rerun.join("out/clusters.csv"));
    let cluster = |side: &str, row: &Row| {
        let rec: Row = [("source", format!("{side}_source")), ("record_id", format!("{side}_record_id"))]
            .into_iter()
            .map(|(k, col)| (k.to_string(), row[&col].clone()))
            .collect();
        cluster_id_of(&clusters, &rec)
    };
    assert_eq!(cluster("left", &review[0]), cluster("right", &review[0]), "the pair decided match was not merged");
    assert_ne!(cluster("left", &review[1]), cluster("right", &review[1]), "the pair decided no-match was merged");
    let summary = json(&rerun.join("out/summary.json"));
    let decided = &summary["scoring"]["decisions"];
    assert_eq!((decided["must_link"].as_u64(), decided["cannot_link"].as_u64()), (Some(1), Some(1)), "{decided}");

    // The next session, in the rerun's report: the decisions applied are there, and its download holds
    // them, so that file alone carries every decision to the run after.
    std::fs::remove_file(&file).unwrap();
    let b = Browser::start(&chromium, &chromedriver, &rerun, &downloads);
    b.open(&format!("file://{}", rerun.join("out/report.html").display()));
    b.click("#review-export");
    let again = downloaded(&downloads, "decisions.csv");
    let pairs = |text: &str| {
        let mut rows: Vec<String> = text.lines().skip(1).map(|l| l.split_once(',').unwrap().1.to_string()).collect();
        rows.sort();
        rows
    };
    assert_eq!(pairs(&again), pairs(&decisions), "the second session's download lost the first one's decisions");
}
