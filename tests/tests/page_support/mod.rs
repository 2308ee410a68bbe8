//! Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
//! commands on fd 3, answers on fd 4, each message ended by a NUL byte). `--dump-dom` with
//! `--virtual-time-budget` cannot be used on the status page: its event stream stays open, and
//! Chromium pauses virtual time while a fetch is pending, so the budget never runs out.
//! Here the test waits, in real time, for what it wants to see, and can watch the page
//! change while cards come and go.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Longest wait for one DevTools answer.
const ANSWER_WAIT: Duration = Duration::from_secs(30);

pub fn chromium_binary() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Some(path) = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        }) {
            return path;
        }
    }
    panic!("chromium missing: tests/run installs it (apt install chromium)");
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2");
    // SAFETY: both are fresh descriptors owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// One headless Chromium with one page.
pub struct Browser {
    child: Child,
    commands: File,
    answers: mpsc::Receiver<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium (the flags of the brief, minus `--dump-dom`) on `about:blank`.
    pub fn start() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (cmd_read, cmd_write) = pipe();
        let (ans_read, ans_write) = pipe();
        let (cmd_fd, ans_fd) = (cmd_read.as_raw_fd(), ans_write.as_raw_fd());
        let mut command = Command::new(chromium_binary());
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=fr-FR",
                "--remote-debugging-pipe",
                "--window-size=1280,1400",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(profile.path().join("chromium.log")).unwrap());
        // SAFETY: only async-signal-safe fcntl/dup2/close calls between fork and exec.
        // The pipes may already sit on fds 3 or 4 (tests run in parallel): copy both out of
        // the way first, then onto 3 and 4 (dup2 clears FD_CLOEXEC, unless source and target
        // are the same fd, which the detour rules out), then drop the detour copies.
        unsafe {
            command.pre_exec(move || {
                let high_cmd = libc::fcntl(cmd_fd, libc::F_DUPFD, 10);
                let high_ans = libc::fcntl(ans_fd, libc::F_DUPFD, 10);
                if high_cmd < 0
                    || high_ans < 0
                    || libc::dup2(high_cmd, 3) < 0
                    || libc::dup2(high_ans, 4) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(high_cmd);
                libc::close(high_ans);
                Ok(())
            });
        }
        let child = command.spawn().expect("start chromium");
        drop(cmd_read);
        drop(ans_write);
        let (tx, answers) = mpsc::channel();
        let reader = File::from(ans_read);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut message = Vec::new();
            while let Ok(n) = reader.read_until(0, &mut message) {
                if n == 0 {
                    return;
                }
                if message.last() == Some(&0) {
                    message.pop();
                }
                if let Ok(value) = serde_json::from_slice::<Value>(&message) {
                    if tx.send(value).is_err() {
                        return;
                    }
                }
                message.clear();
            }
        });
        let mut browser = Browser {
            child,
            commands: File::from(cmd_write),
            answers,
            next_id: 0,
            session: String::new(),
            _profile: profile,
        };
        let targets = browser.call("Target.getTargets", json!({}), None);
        let page = targets["targetInfos"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .map(|t| t["targetId"].clone())
            .expect("a page target");
        let attached = browser.call(
            "Target.attachToTarget",
            json!({"targetId": page, "flatten": true}),
            None,
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        browser
    }

    /// Sends one command and waits for its answer's `result` (panics on an error answer).
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        if let Err(e) = self.commands.write_all(&bytes) {
            panic!("write to chromium ({method}): {e}\n{}", self.log());
        }
        let deadline = Instant::now() + ANSWER_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let answer = self
                .answers
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer from chromium to {method}\n{}", self.log()));
            if answer["id"] == id {
                assert!(answer["error"].is_null(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// The end of Chromium's own log (its stderr).
    fn log(&mut self) -> String {
        let exited = self.child.try_wait().ok().flatten();
        let text =
            std::fs::read_to_string(self._profile.path().join("chromium.log")).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("chromium exit: {exited:?}; log:\n{}", tail.join("\n"))
    }

    fn page_call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call(method, params, Some(&session))
    }

    pub fn navigate(&mut self, url: &str) {
        self.page_call("Page.navigate", json!({"url": url}));
    }

    /// Evaluates `expression` in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.page_call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        result["result"]["value"].clone()
    }

    /// Evaluates `expression`, a promise, and returns the value it resolves to.
    pub fn eval_async(&mut self, expression: &str) -> Value {
        let result = self.page_call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        result["result"]["value"].clone()
    }

    /// Renders the page for `media` (`print`, or `` for the screen).
    pub fn emulate_media(&mut self, media: &str) {
        self.page_call("Emulation.setEmulatedMedia", json!({"media": media}));
    }

    /// The page's DOM, serialised.
    pub fn dom(&mut self) -> String {
        self.eval("document.documentElement ? document.documentElement.outerHTML : ''")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until the DOM satisfies `what` (polled every 50 ms) and returns it.
    pub fn wait_dom(&mut self, description: &str, what: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let dom = self.dom();
            if what(&dom) {
                return dom;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {description}; DOM:\n{dom}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A PNG of the visible part of the page (1280 × 1400).
    pub fn screenshot(&mut self) -> Vec<u8> {
        let shot = self.page_call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": false}),
        );
        base64_decode(shot["data"].as_str().unwrap())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | (u32::from(*d) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

#[test]
fn base64_round_trip() {
    assert_eq!(base64_decode("aGVsbG8gd29ybGQ="), b"hello world");
    assert_eq!(base64_decode("YQ=="), b"a");
    assert_eq!(base64_decode("YWI="), b"ab");
}

impl Browser {
    /// Lets the test inject scripts whatever the page's Content-Security-Policy (call before
    /// `navigate`): the accessibility engine is a script the page itself never loads.
    pub fn bypass_csp(&mut self) {
        self.page_call("Page.enable", json!({}));
        self.page_call("Page.setBypassCSP", json!({"enabled": true}));
    }

    /// Runs axe-core (`tests/node_modules/axe-core/axe.min.js`, installed by tests/run with
    /// `npm ci --prefix tests`, or `$CPX_AXE_JS`) on the page, WCAG 2.0/2.1 A and AA rules,
    /// and returns its violations (id, impact, help, the nodes' HTML).
    pub fn axe_violations(&mut self) -> Vec<Value> {
        let path = std::env::var_os("CPX_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js")
            });
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; tests/run installs it (npm ci --prefix tests)",
                path.display()
            )
        });
        self.eval(&axe);
        let result = self.page_call(
            "Runtime.evaluate",
            json!({
                "expression": "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html)}))))",
                "awaitPromise": true,
                "returnByValue": true
            }),
        );
        let text = result["result"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("axe: {result}"));
        serde_json::from_str(text).unwrap()
    }
}
