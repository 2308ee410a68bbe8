//! The fuzz harnesses: each takes arbitrary bytes, feeds them to one place where outside input
//! enters the agent, and checks what must hold whatever the input (no panic, no VERIFY with
//! data, no personal data without the token…). `fuzz_targets/*.rs` call them under libFuzzer;
//! `tests/replay.rs` replays the seeds and every crash ever found (`regressions/`) on stable.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use cpx_agent::config::Config;
use cpx_agent::finess::entity::{Entity, Skipped};
use cpx_agent::finess::import::{FileFormat, ImportError, Sink};
use cpx_agent::finess::{csv_import, import, json_import, names, region};
use cpx_agent::judge::judge;
use cpx_agent::model::status::CardView;
use cpx_agent::state::publish::serialise_both;
use cpx_card::scripted::ScriptedTransport;
use cpx_card::{ber, pkcs15, CardFamily, CardReport, Finess, TrustStore};
use time::OffsetDateTime;

/// The test CAs of the public ANS test cards (`card/corpus/certs`), trusted as test anchors so
/// that chains of test cards are followed to their end.
const TEST_ANCHORS: [&[u8]; 5] = [
    include_bytes!("../../card/corpus/certs/ca_TEST_AC_IGC_SANTE_ELEMENTAIRE_ORGANISATIONS.pem"),
    include_bytes!("../../card/corpus/certs/ca_TEST_AC_IGC_SANTE_ELEMENTAIRE_PERSONNES.pem"),
    include_bytes!("../../card/corpus/certs/ca_TEST_AC_IGC_SANTE_STANDARD_PERSONNES.pem"),
    include_bytes!("../../card/corpus/certs/ca_TEST_AC_RACINE_IGC_SANTE_ELEMENTAIRE.pem"),
    include_bytes!("../../card/corpus/certs/ca_TEST_AC_RACINE_IGC_SANTE_STANDARD.pem"),
];

static TRUST: LazyLock<TrustStore> = LazyLock::new(|| {
    let mut trust = TrustStore::builtin();
    for pem in TEST_ANCHORS {
        let _ = trust.add_test_anchor_pem(pem);
    }
    trust
});

/// No trust anchor: a whole read spends its time on the APDUs, not on signature checks (the
/// `cert` target follows chains).
static NO_TRUST: LazyLock<TrustStore> = LazyLock::new(TrustStore::empty);

/// A contract, so that the judge's contract rules run too.
static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::from_toml_str(
        "[contract]\nmode = \"decentralised\"\nej = \"750712184\"\negs = [\"750100125\"]\n\
         [checks]\naccept_test_cards = true\n",
        None,
    )
    .unwrap_or_default()
});

/// A fixed "now" (2026-06-01): the same input gives the same run.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_780_272_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// CPS3 contact ATR (OpenSC card-iasecc.c).
const ATR_CPS3: &[u8] = &[
    0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90,
    0x00,
];

/// What the faces do with a report: judge it, serialise it with and without the token.
fn show(report: CardReport) {
    let verdict = judge(&report, &CONFIG, now(), None);
    let view = CardView::new(report, verdict);
    let (full, redacted) = serialise_both(&view);
    assert!(full.len() >= redacted.len() || redacted.is_empty());
}

// ----- certificates ---------------------------------------------------------------------------

/// One certificate (DER, or PEM / a PEM bundle) through `cpx_card::interpret`, then combined
/// into a card report and judged.
pub fn cert(data: &[u8]) {
    if let Ok(report) = cpx_card::interpret(data, &TRUST) {
        show(cpx_card::combine(ATR_CPS3, vec![report.clone(), report]));
    }
    if let Ok(ders) = cpx_card::decode_pem_or_der(data) {
        let reports: Vec<_> = ders
            .iter()
            .take(4)
            .filter_map(|der| cpx_card::interpret(der, &TRUST).ok())
            .collect();
        if !reports.is_empty() {
            show(cpx_card::combine(ATR_CPS3, reports));
        }
    }
}

// ----- BER / PKCS#15 ------------------------------------------------------------------------

fn walk(tlvs: &[ber::Tlv<'_>], depth: usize) {
    for t in tlvs {
        let _ = t.as_u64();
        let _ = t.child(0x30);
        let _ = t.find(0x04);
        if t.constructed && depth < 8 {
            if let Ok(children) = t.children() {
                walk(&children, depth + 1);
            }
        }
    }
}

/// A card file's bytes through the BER parser and the EF.DIR / ODF / CDF parsing.
pub fn pkcs15(data: &[u8]) {
    if let Ok(header) = ber::parse_header(data) {
        let _ = header.total_len();
    }
    if let Ok((tlv, rest)) = ber::parse_one(data) {
        assert!(tlv.value.len() + rest.len() <= data.len());
    }
    if let Ok(tlvs) = ber::parse_all(data) {
        walk(&tlvs, 0);
    }
    for family in [
        CardFamily::Cps3,
        CardFamily::Cps3Contactless,
        CardFamily::Cps4,
    ] {
        if let Some(app) = pkcs15::choose_application(data, family) {
            assert!(!app.aid.is_empty());
        }
    }
    if let Ok(cdfs) = pkcs15::cdf_locations(data) {
        assert!(cdfs.iter().all(|l| !l.path.is_empty()));
    }
    if let Ok(certs) = pkcs15::certificate_locations(data) {
        assert!(certs.len() <= pkcs15::MAX_CERTS);
    }
    let _ = pkcs15::tlvs_end_in_padding(data);
}

// ----- a whole card read ----------------------------------------------------------------------

/// ATRs a card read may start from: CPS3, CPS3 contactless, CPS4, CPS4 T=0, older CPS.
pub const ATRS: [&[u8]; 5] = [
    ATR_CPS3,
    &[
        0x3B, 0x8F, 0x80, 0x01, 0x00, 0x31, 0xB8, 0x64, 0x04, 0xB0, 0xEC, 0xC1, 0x73, 0x94, 0x01,
        0x80, 0x82, 0x90, 0x00, 0x0E,
    ],
    &[
        0x3B, 0x9B, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x04, 0x01, 0x00, 0x00,
        0x90, 0x44,
    ],
    &[
        0x3B, 0xDC, 0x18, 0xFF, 0x00, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x04, 0x01, 0x00,
        0x90, 0x00,
    ],
    &[
        0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x82, 0x02, 0x12, 0x00,
        0x90, 0x00,
    ],
];

/// The card's answers in a fuzz input: each is a length byte (`FF`: a 2-byte big-endian length
/// follows) then that many bytes (fewer at the end of the input).
pub fn split_answers(mut data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let (len, rest) = if len == 0xFF {
            match rest {
                [hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest),
                _ => (rest.len(), rest),
            }
        } else {
            (usize::from(len), rest)
        };
        let (answer, rest) = rest.split_at(len.min(rest.len()));
        out.push(answer.to_vec());
        data = rest;
    }
    out
}

/// The inverse of [`split_answers`] (to write seeds).
pub fn join_answers(atr_index: u8, answers: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![atr_index];
    for a in answers {
        if a.len() < 0xFF {
            out.push(a.len() as u8);
        } else {
            out.push(0xFF);
            out.extend_from_slice(&(a.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(a);
    }
    out
}

/// INS the reading code may send: SELECT, READ BINARY, READ RECORD, VERIFY (without data),
/// GET RESPONSE. Anything else (a write, a key operation) would harm the card.
const ALLOWED_INS: [u8; 5] = [0xA4, 0xB0, 0xB2, 0x20, 0xC0];

/// What must hold of the APDUs a read sent, whatever the card answered.
fn check_sent(sent: &[Vec<u8>]) {
    for apdu in sent {
        assert!(apdu.len() >= 4, "APDU shorter than a header: {apdu:02X?}");
        let ins = apdu[1];
        assert!(ALLOWED_INS.contains(&ins), "unexpected INS: {apdu:02X?}");
        if ins == 0x20 {
            // VERIFY without data: header only (case 1), never a PIN.
            assert_eq!(apdu.len(), 4, "VERIFY with data: {apdu:02X?}");
        }
    }
}

/// A whole card read (`read_card`) over a card answering the input's answers in order,
/// whatever it is asked; on success, the recognition of the same card re-inserted
/// (`recognise_known`) over the answers left; the report judged and serialised.
pub fn card_read(data: &[u8]) {
    let Some((&atr_index, rest)) = data.split_first() else {
        return;
    };
    let atr = ATRS[usize::from(atr_index) % ATRS.len()];
    let answers = split_answers(rest);
    let mut transport = ScriptedTransport::answering(answers.iter().cloned());
    let result = cpx_card::read_card(&mut transport, atr, &NO_TRUST);
    check_sent(transport.sent());
    let used = transport.sent().len().min(answers.len());
    match result {
        Ok(report) => {
            assert!(report.apdu_count as usize >= transport.sent().len().min(1));
            let mut again = ScriptedTransport::answering(answers[used..].iter().cloned());
            let known = cpx_card::recognise_known(&mut again, atr, &report);
            check_sent(again.sent());
            if let Ok(cpx_card::Recognition::Same(same)) = known {
                show(*same);
            }
            show(report);
        }
        Err(e) => {
            let failure = cpx_agent::reading::failure(&e);
            assert!(!failure.message.is_empty());
        }
    }
}

/// ATR identification, and a read starting from that ATR on a card that answers nothing.
pub fn atr(data: &[u8]) {
    let family = cpx_card::identify(data);
    let hex = cpx_card::atr_hex(data);
    assert_eq!(hex.len(), (data.len() * 3).saturating_sub(1));
    let mut transport = ScriptedTransport::answering(Vec::new());
    match cpx_card::read_card(&mut transport, data, &NO_TRUST) {
        Ok(report) => {
            assert_eq!(family, CardFamily::NotCpx);
            show(report);
        }
        Err(e) => {
            assert_ne!(family, CardFamily::NotCpx);
            let _ = cpx_agent::reading::failure(&e);
        }
    }
}

// ----- FINESS files ---------------------------------------------------------------------------

/// A sink that keeps what the store would (first entry of each number) and checks what the
/// importers promise: well-formed FINESS numbers, trimmed non-empty fields.
#[derive(Default)]
struct Collect {
    seen: std::collections::HashSet<String>,
    skipped: Vec<Skipped>,
}

fn check_field(f: &Option<String>) {
    if let Some(s) = f {
        assert!(!s.is_empty() && s.trim() == s, "field not trimmed: {s:?}");
    }
}

impl Sink for Collect {
    fn data_date(&mut self, _date: Option<&str>) {}

    fn entity(&mut self, entity: Entity, at: u64) -> Result<(), ImportError> {
        assert!(Finess::parse(&entity.finess).is_ok(), "{:?}", entity.finess);
        if let Some(ej) = &entity.ej {
            assert!(Finess::parse(ej).is_ok(), "{ej:?}");
        }
        for f in [
            &entity.name,
            &entity.long_name,
            &entity.street,
            &entity.postal_line,
            &entity.departement,
        ] {
            check_field(f);
        }
        let _ = entity.is_closed();
        let name = entity.name.as_deref().unwrap_or_default();
        let _ = names::normalise(name);
        let _ = names::same_structure_name(name, &[entity.long_name.as_deref().unwrap_or("")]);
        let _ = region::contact_phrase(entity.departement.as_deref(), None);
        if !self.seen.insert(entity.finess.clone()) {
            self.skipped(at, cpx_agent::text::finess::duplicate(&entity.finess));
        }
        Ok(())
    }

    fn other_line(&mut self) {}

    fn skipped(&mut self, at: u64, reason: String) {
        if self.skipped.len() < 16 {
            self.skipped.push(Skipped {
                file: "fuzz".into(),
                at,
                location: cpx_agent::text::finess::location(FileFormat::Csv, at),
                reason,
            });
        }
    }

    fn progress(&mut self, _bytes: u64) {}
}

/// A legacy CSV extract through the importer's format check and CSV reader.
pub fn finess_csv(data: &[u8]) {
    let _ = import::detect_bytes(data);
    let mut sink = Collect::default();
    if let Err(e) = csv_import::read("fuzz.csv", data, &mut sink) {
        assert!(!e.to_string().is_empty());
    }
}

/// A FINESS+ JSON file through the importer's format check and streaming JSON reader.
pub fn finess_json(data: &[u8]) {
    let _ = import::detect_bytes(data);
    let mut sink = Collect::default();
    if let Err(e) = json_import::read("fuzz.json", data, &mut sink) {
        assert!(!e.to_string().is_empty());
    }
}

// ----- configuration --------------------------------------------------------------------------

/// The configuration TOML through parsing and validation (trust anchor paths resolve under a
/// folder that does not exist).
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::from_toml_str(text, Some(Path::new("/nonexistent/cpx-fuzz/config.toml"))) {
        Ok(config) => {
            let _ = config.contract_mode();
            let _ = config.trust_store();
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            let _ = e.key();
        }
    }
}

// ----- the API's guard ------------------------------------------------------------------------

/// The bearer token of the fuzzed agent.
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// A holder name and identifiers that must never leave without the token.
const SECRETS: [&str; 4] = [
    "FUZZHOLDERSURNAME",
    "FUZZGIVEN",
    "810001234567",
    "1234567890",
];

struct Api {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

static API: LazyLock<Api> = LazyLock::new(|| {
    use cpx_agent::api::{router, ApiContext, SecurityPolicy};
    use cpx_agent::model::status::ServiceState;
    use cpx_agent::state::DaemonState;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let state = Arc::new(DaemonState::new(ServiceState::Running));
    state.reader_added("Fuzz Reader 0");
    state.reader_added("Fuzz Reader 1");
    let generation = state.card_inserted("Fuzz Reader 0", ATR_CPS3);
    let report = sample_card();
    let verdict = judge(&report, &CONFIG, now(), None);
    state.card_read("Fuzz Reader 0", generation, CardView::new(report, verdict));
    let ctx = Arc::new(ApiContext::new(
        state,
        cpx_agent::token::Token::from_secret(TOKEN),
        SecurityPolicy::for_listen(
            "127.0.0.1:8787".parse().unwrap_or_else(|e| panic!("{e}")),
            vec!["https://intranet.example.fr".into()],
        ),
        Arc::new(|| 1),
    ));
    Api {
        runtime,
        router: router(ctx),
    }
});

fn sample_card() -> CardReport {
    let holder = cpx_card::Holder {
        id: SECRETS[2].into(),
        id_type: cpx_card::PersonIdType::Rpps,
        surname: Some(SECRETS[0].into()),
        given_name: Some(SECRETS[1].into()),
        title: Some("Médecin".into()),
        profession_code: Some(10),
    };
    let mut report = cpx_card::combine(ATR_CPS3, Vec::new());
    report.family = CardFamily::Cps3;
    report.kind = cpx_card::CardKind::Cps;
    report.serial = Some("80250000019988776655".into());
    report.holder = Some(holder);
    report.card_number = Some(format!("8025000001/{}", SECRETS[3]));
    report
}

/// An HTTP request head (and body) as a client sends it, parsed as hyper would (httparse),
/// through the whole router behind the guard: no 5xx, security headers on every answer, and
/// without the token (or a session) no holder name or identifier in the answer.
pub fn api_request(data: &[u8]) {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    let Ok(httparse::Status::Complete(head_len)) = parsed.parse(data) else {
        return;
    };
    let (Some(method), Some(path)) = (parsed.method, parsed.path) else {
        return;
    };
    let mut builder = axum::http::Request::builder().method(method).uri(path);
    for h in parsed.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    let body = data[head_len..].to_vec();
    let Ok(request) = builder.body(axum::body::Body::from(body)) else {
        return;
    };
    let presents_secret = {
        let lower = String::from_utf8_lossy(data).to_ascii_lowercase();
        lower.contains(TOKEN) || lower.contains("cookie")
    };
    let api = &*API;
    api.runtime.block_on(async {
        use tower::ServiceExt;
        let Ok(response) = api.router.clone().oneshot(request).await;
        let status = response.status();
        assert!(
            !status.is_server_error() || status.as_u16() == 503,
            "{status}"
        );
        for name in ["x-content-type-options", "cache-control", "referrer-policy"] {
            assert!(response.headers().contains_key(name), "{name} missing");
        }
        let streaming = response
            .headers()
            .get("content-type")
            .is_some_and(|c| c.as_bytes().starts_with(b"text/event-stream"));
        if streaming {
            return;
        }
        let Ok(bytes) = axum::body::to_bytes(response.into_body(), 4 << 20).await else {
            return;
        };
        if !presents_secret {
            let text = String::from_utf8_lossy(&bytes);
            let asked = String::from_utf8_lossy(data);
            // A value the request itself carries may come back (a 404 names the reader id it
            // was asked for): that is the caller's own text, not the card's.
            for secret in SECRETS.iter().filter(|s| !asked.contains(*s)) {
                assert!(
                    !text.contains(secret),
                    "{secret} answered without the token"
                );
            }
        }
    });
}
