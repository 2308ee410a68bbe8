//! End to end (issue 9 §5): the per-user token is never printed, except by `cpx-agent token`
//! itself. `installer/demo` prints the command that reads it, not its value (and that command
//! works); the agent at the most verbose log level (trace, every crate; each request is
//! logged at debug, by method and path), serving requests
//! that carry the token (status, events, a one-time code, a wrong token), and
//! `cpx-agent open` at trace, never write it.

mod daemon_support;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

#[test]
fn the_agent_and_open_never_log_the_token_even_at_trace() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start_with_env(&pcscd, "", None, &[("CPX_LOG", "trace")]);
    let _card = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("card judged", |s| judged_cards(s) == 1);
    let events = agent.events(None, true);
    assert_eq!(events.next().name, "snapshot");
    let wrong = agent
        .get("/v1/status")
        .bearer_auth("0".repeat(64))
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let open = Command::new(agent_binary())
        .args(["open", "--print", "--config"])
        .arg(agent.dir.path().join("config.toml"))
        .env("CPX_AGENT_TOKEN_FILE", agent.dir.path().join("token"))
        .env("CPX_LOG", "trace")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(open.status.code(), Some(0));
    drop(events);
    std::thread::sleep(Duration::from_millis(200));
    let log = agent.stderr();
    assert!(
        log.contains("DEBUG") && log.contains("requête"),
        "the most verbose level is on (each request is logged): {log}"
    );
    for (what, text) in [
        ("agent log", log.as_str()),
        ("open stdout", &String::from_utf8_lossy(&open.stdout)),
        ("open stderr", &String::from_utf8_lossy(&open.stderr)),
    ] {
        assert!(
            !text.contains(&agent.token),
            "the token in the {what}: {text}"
        );
    }
}

/// The demo's output as it comes, on a channel (a thread reads the pipe).
fn output_of(mut out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = out.read(&mut buffer) {
            if n == 0
                || tx
                    .send(String::from_utf8_lossy(&buffer[..n]).into_owned())
                    .is_err()
            {
                return;
            }
        }
    });
    rx
}

/// Reads the demo's output until `marker` (at most `WAIT` × 4).
fn read_until(output: &mpsc::Receiver<String>, seen: &mut String, marker: &str) {
    let deadline = Instant::now() + WAIT * 4;
    while !seen.contains(marker) {
        let left = deadline.saturating_duration_since(Instant::now());
        match output.recv_timeout(left) {
            Ok(chunk) => seen.push_str(&chunk),
            Err(_) => panic!("no {marker:?} in: {seen}"),
        }
    }
}

#[test]
fn the_demo_prints_how_to_read_the_token_never_the_token() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let bin = agent_binary().parent().unwrap().to_owned();
    let listen = format!("127.0.0.1:{}", free_port());
    // Output and errors in one pipe, as a terminal (or a ticket's copy of it) would show.
    let (reader, writer) = std::io::pipe().unwrap();
    let mut demo = Command::new(root.join("installer/demo"))
        .env("CPX_DEMO_BIN", &bin)
        .env("CPX_DEMO_LISTEN", &listen)
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .process_group(0)
        .spawn()
        .unwrap();
    let output = output_of(reader);
    let mut seen = String::new();
    read_until(&output, &mut seen, "Ctrl-C arrête tout");

    let work = seen
        .split_whitespace()
        .find_map(|w| w.strip_prefix("CPX_AGENT_TOKEN_FILE="))
        .and_then(|w| w.strip_suffix("/token"))
        .unwrap_or_else(|| panic!("the token's file in the hints: {seen}"))
        .trim_start_matches('"')
        .to_owned();
    let token = std::fs::read_to_string(Path::new(&work).join("token"))
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(token.len(), 64);
    assert!(!seen.contains(&token), "the demo printed the token: {seen}");
    assert!(
        seen.contains("Authorization: Bearer $(CPX_AGENT_TOKEN_FILE="),
        "the command that reads it: {seen}"
    );

    // The printed command works: copied into a shell, it shows the names.
    let line = seen
        .lines()
        .find(|l| l.contains("Authorization: Bearer $("))
        .unwrap()
        .trim()
        .to_owned();
    let command = line.split(" | ").next().unwrap();
    let out = Command::new("bash").args(["-c", command]).output().unwrap();
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains("DIRECTEUR-TEST"), "{command}: {body}");

    // Stop it as Ctrl-C would (the whole group); the rest of its output, logs included.
    // SAFETY: kill(2) on the demo's own process group.
    unsafe {
        libc::kill(-(demo.id() as libc::pid_t), libc::SIGINT);
    }
    read_until(&output, &mut seen, "Démo arrêtée");
    let status = demo.wait().unwrap();
    assert!(
        !seen.contains(&token),
        "the token in the demo's output: {seen}"
    );
    assert!(!Path::new(&work).exists(), "the demo cleans up: {work}");
    assert_ne!(status.code(), Some(0), "stopped by Ctrl-C");
}
