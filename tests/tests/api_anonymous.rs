//! End to end (issue 9 §1): without the token (or the page's session), no answer of the agent
//! carries anything that identifies a person or a card — holder names and ids, card numbers,
//! chip serials, certificate serial numbers and fingerprints — in any form: plain, hex, upper
//! or lower case, spaced or with colons, in decimal or base64, or inside another string. Every
//! route is read (the status, the readers, each reader, the event stream live, from the start
//! of its log, without and with `Last-Event-ID`, after a gap; the metrics, the page and its
//! assets, the OpenAPI document, the health check, the session link, an unknown path, the
//! POST routes; and every GET route the OpenAPI document lists, so a route added later is
//! read too), with one card of every emulated kind in the readers, through the real agent, a
//! private pcscd and the emulator. The agent's log at info level is checked too. The same
//! values read with the token prove the needles are right (the test can fail).

mod daemon_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::pki::{CardCertsBuilder, Holder};
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use serde_json::Value;

/// One card of each kind, with names, numbers and ids found nowhere else.
fn distinctive_cards() -> Vec<(CardKind, CardCertsBuilder)> {
    let card = |kind, surname: &str, given: &str, rpps: &str, internal: &str, number: &str| {
        let base = CardCertsBuilder::new(kind);
        let holder = Holder {
            surname: surname.into(),
            given_name: given.into(),
            rpps: rpps.into(),
            internal_id: internal.into(),
            ..base.holder.clone()
        };
        (kind, base.holder(holder).card_number(number))
    };
    vec![
        card(
            CardKind::Cps,
            "VAUQUELINSKI",
            "EUDOXIE",
            "19283746501",
            "",
            "9917350428",
        ),
        card(
            CardKind::Cpf,
            "PLOUGASTELLOU",
            "ANATOLINE",
            "19384756102",
            "",
            "9928461539",
        ),
        card(
            CardKind::Cde,
            "KERVADEC-QUINTARD",
            "BARNABEUS",
            "19485766203",
            "CDEQZ4711",
            "9939572640",
        ),
        card(
            CardKind::Cpe,
            "ZWEIBRUCKENAU",
            "PERPETUINE",
            "19586776304",
            "CPEQZ4712",
            "9940683751",
        )
        .map_builder(|b| b.finess(OTHER_FINESS)),
        card(
            CardKind::Cpa,
            "OUDINOT-VALCROZE",
            "THEODULPHE",
            "19687786405",
            "CPAQZ4713",
            "9951794862",
        ),
    ]
}

trait MapBuilder {
    fn map_builder(self, f: impl FnOnce(CardCertsBuilder) -> CardCertsBuilder) -> Self;
}

impl MapBuilder for (CardKind, CardCertsBuilder) {
    fn map_builder(self, f: impl FnOnce(CardCertsBuilder) -> CardCertsBuilder) -> Self {
        (self.0, f(self.1))
    }
}

/// Lower case, letters and digits only: spacing, colons, dashes, slashes, JSON or HTML around
/// a value do not hide it.
fn normalise(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn base64(bytes: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(table[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The forms a value may take: the value itself, and for hex values its bytes in decimal (up
/// to 128 bits) and base64, and a 16-digit prefix (a truncated fingerprint).
#[derive(Default)]
struct Needles(Vec<(String, String)>);

impl Needles {
    fn add(&mut self, what: &str, value: &str) {
        let plain = normalise(value);
        assert!(
            plain.len() >= 6,
            "{what} {value:?}: too short to be searched for"
        );
        self.0.push((what.to_owned(), plain));
    }

    fn add_hex(&mut self, what: &str, hex_value: &str) {
        self.add(what, hex_value);
        let bytes = hex::decode(hex_value).unwrap_or_else(|_| panic!("{what}: hex {hex_value}"));
        if bytes.len() <= 16 {
            let decimal = bytes
                .iter()
                .fold(0u128, |n, b| (n << 8) | u128::from(*b))
                .to_string();
            self.add(&format!("{what} (decimal)"), &decimal);
        }
        self.add(&format!("{what} (base64)"), &base64(&bytes, false));
        self.add(&format!("{what} (base64url)"), &base64(&bytes, true));
        if hex_value.len() > 16 {
            self.add(&format!("{what} (prefix)"), &hex_value[..16]);
        }
    }

    fn add_holder(&mut self, what: &str, holder: &Value) {
        if holder.is_null() {
            return;
        }
        let id = holder["id"].as_str().expect("holder id with the token");
        self.add(&format!("{what} holder id"), id);
        if let Some((_, internal)) = id.split_once('/') {
            self.add(&format!("{what} holder internal id"), internal);
        }
        for field in ["surname", "given_name"] {
            self.add(
                &format!("{what} holder {field}"),
                holder[field].as_str().expect("holder name with the token"),
            );
        }
    }

    /// Every identifying value of the cards in an authorised status.
    fn of_status(status: &Value) -> Needles {
        let mut needles = Needles::default();
        for reader in status["readers"].as_array().unwrap() {
            let card = &reader["card"];
            if card.is_null() {
                continue;
            }
            let what = reader["name"].as_str().unwrap().to_owned();
            needles.add_hex(
                &format!("{what} chip serial"),
                card["serial"].as_str().unwrap(),
            );
            needles.add(
                &format!("{what} card number"),
                card["card_number"].as_str().unwrap(),
            );
            needles.add_holder(&what, &card["holder"]);
            for (i, cert) in card["certificates"].as_array().unwrap().iter().enumerate() {
                let what = format!("{what} certificate {i}");
                needles.add_hex(
                    &format!("{what} serial number"),
                    cert["serial_number"].as_str().unwrap(),
                );
                needles.add_hex(&format!("{what} sha256"), cert["sha256"].as_str().unwrap());
                needles.add_holder(&what, &cert["holder"]);
            }
        }
        needles
    }

    /// The needles found in `text` (normalised).
    fn found_in(&self, text: &str) -> Vec<String> {
        let haystack = normalise(text);
        self.0
            .iter()
            .filter(|(_, needle)| haystack.contains(needle.as_str()))
            .map(|(what, _)| what.clone())
            .collect()
    }
}

fn raw_get(agent: &Agent, path: &str, extra: &str) -> String {
    raw_request(
        agent.addr,
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n",
            agent.addr
        )
        .as_bytes(),
    )
}

fn raw_post(agent: &Agent, path: &str) -> String {
    raw_request(
        agent.addr,
        format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            agent.addr
        )
        .as_bytes(),
    )
}

/// Reads `/v1/events` (raw bytes) until `done` holds on what arrived, or `WAIT` passes.
fn read_events(agent: &Agent, extra: &str, done: impl Fn(&str) -> bool) -> String {
    let mut stream = TcpStream::connect(agent.addr).unwrap();
    write!(
        stream,
        "GET /v1/events HTTP/1.1\r\nHost: {}\r\n{extra}\r\n",
        agent.addr
    )
    .unwrap();
    read_until(&mut stream, done)
}

fn read_until(stream: &mut TcpStream, done: impl Fn(&str) -> bool) -> String {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    while Instant::now() < deadline && !done(&String::from_utf8_lossy(&seen)) {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
            Err(_) => continue,
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn count(text: &str, word: &str) -> usize {
    text.matches(word).count()
}

#[test]
fn nothing_identifies_a_person_or_a_card_without_the_token() {
    let cards = distinctive_cards();
    let pcscd = PrivatePcscd::start(cards.len()).unwrap();
    let agent = Agent::start(&pcscd);
    agent.wait_status("every reader", |s| {
        reader_count(s) == pcscd.all_readers().len()
    });

    // A stream opened before the cards arrive sees every event live.
    let mut live = TcpStream::connect(agent.addr).unwrap();
    write!(
        live,
        "GET /v1/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        agent.addr
    )
    .unwrap();
    let mut inserted = Vec::new();
    for (i, (_, builder)) in cards.iter().enumerate() {
        let card = CpxCard::new(CpxCardSpec::new(builder.clone().build()));
        inserted.push(pcscd.insert(i, card, InsertOptions::default()).unwrap());
    }
    let full = agent.wait_status("every card judged", |s| judged_cards(s) == cards.len());
    let live_text = read_until(&mut live, |t| count(t, "event: card_read") >= cards.len());
    assert_eq!(
        count(&live_text, "event: card_read"),
        cards.len(),
        "{live_text}"
    );

    let needles = Needles::of_status(&full);
    // Each kind's own values are there with the token: the needles are right.
    let with_token = agent.get_auth("/v1/status").send().unwrap().text().unwrap();
    let missing: Vec<&String> = needles
        .0
        .iter()
        .filter(|(_, n)| !normalise(&with_token).contains(n.as_str()))
        .map(|(what, _)| what)
        .filter(|what| !what.contains("decimal") && !what.contains("base64"))
        .collect();
    assert!(missing.is_empty(), "not in the full status: {missing:?}");
    for (kind, builder) in &cards {
        let expected = [
            builder.holder.surname.as_str(),
            builder.holder.given_name.as_str(),
            builder.card_number.as_str(),
        ];
        for value in expected {
            assert!(
                needles.0.iter().any(|(_, n)| *n == normalise(value)),
                "{kind:?}: {value} among the needles"
            );
        }
    }
    // The opaque ids tell the cards apart without identifying them.
    let ids: std::collections::HashSet<&str> = full["readers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["card"]["card_id"].as_str())
        .collect();
    assert_eq!(ids.len(), cards.len(), "one opaque id per card: {ids:?}");

    // Every route, without the token.
    let mut answers: Vec<(String, String)> = vec![("live /v1/events".into(), live_text)];
    let doc: Value = agent
        .get("/v1/openapi.json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    let reader_ids: Vec<String> = full["readers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let mut get_paths: Vec<String> = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if operations.get("get").is_none() || path == "/v1/events" {
            continue;
        }
        if path.contains("{id}") {
            for id in reader_ids.iter().map(String::as_str).chain(["absent"]) {
                get_paths.push(path.replace("{id}", id));
            }
        } else {
            get_paths.push(path.clone());
        }
    }
    for path in [
        "/",
        "/ui/app.js",
        "/ui/app.css",
        "/ui/icon.svg",
        "/session",
        "/session?code=00",
        "/nope",
    ] {
        get_paths.push(path.to_owned());
    }
    assert!(
        get_paths.len() >= 14,
        "the OpenAPI routes and the page: {get_paths:?}"
    );
    for path in &get_paths {
        let answer = raw_get(&agent, path, "");
        assert_ne!(status_code(&answer), 0, "{path}: {answer}");
        answers.push((format!("GET {path}"), answer));
        // A browser's own same-origin request: the same answer, no more.
        let answer = raw_get(&agent, path, "Sec-Fetch-Site: same-origin\r\n");
        answers.push((format!("GET {path} (same-origin)"), answer));
    }
    for path in ["/v1/refresh", "/v1/session/otp"] {
        answers.push((format!("POST {path}"), raw_post(&agent, path)));
    }
    let n = cards.len();
    answers.push((
        "/v1/events".into(),
        read_events(&agent, "", |t| t.contains("event: snapshot")),
    ));
    let replay = read_events(&agent, "Last-Event-ID: 0\r\n", |t| {
        count(t, "event: card_read") >= n
    });
    assert_eq!(count(&replay, "event: card_read"), n, "{replay}");
    answers.push(("/v1/events Last-Event-ID: 0".into(), replay));
    let gap = read_events(&agent, "Last-Event-ID: 999999\r\n", |t| {
        t.contains("event: snapshot")
    });
    assert!(gap.contains("event: gap"), "{gap}");
    answers.push(("/v1/events after a gap".into(), gap));
    // A re-read (POST /v1/refresh above) logged fresh card_read events: resume just before.
    let last = full_last_id(&agent);
    let resumed = read_events(
        &agent,
        &format!("Last-Event-ID: {}\r\n", last.saturating_sub(2)),
        |t| count(t, "\nid: ") >= 2,
    );
    answers.push(("/v1/events Last-Event-ID: last-2".into(), resumed));

    let mut leaks = Vec::new();
    for (route, answer) in &answers {
        assert!(!answer.is_empty(), "{route}: no answer");
        for what in needles.found_in(answer) {
            leaks.push(format!("{route}: {what}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "identifying values without the token: {leaks:#?}"
    );

    // Nor at info level in the agent's log.
    let log = agent.stderr();
    assert!(log.contains("INFO"), "{log}");
    let in_log = needles.found_in(&log);
    assert!(in_log.is_empty(), "in the info log: {in_log:?}\n{log}");
    drop(inserted);
}

/// The last event id the agent logged (from a fresh snapshot's `id:`).
fn full_last_id(agent: &Agent) -> u64 {
    let events = agent.events(None, false);
    let snapshot = events.next();
    assert_eq!(snapshot.name, "snapshot");
    snapshot.id.expect("the snapshot's id")
}
