//! End to end (tier 3): the status page in headless Chromium, on `cpx-agent run` over a
//! private pcscd with emulated cards. The DOM Chromium renders shows each reader, the
//! verdicts in French and the findings, and never a holder's name without a session; it
//! follows cards coming and going over the event stream, its button asks for a re-read, and
//! it recovers when the agent restarts; a stopped PC/SC service is shown with its remedy. The one-time link of `cpx-agent open` opens a
//! session that shows the names, once.
//!
//! Needs Debian's `chromium` (tests/run installs it). Driven over the DevTools pipe: see
//! `page_support` for why not `--dump-dom --virtual-time-budget`.

mod daemon_support;
mod page_support;

use cpx_testkit::{CardKind, InsertOptions, InsertedCard, PrivatePcscd};
use daemon_support::*;
use page_support::Browser;
use serde_json::Value;

/// Names and ids of the testkit's CDE, CPE and CPS holders (tests/src/pki/card_certs.rs), the
/// default card number (also inside the chip serial) and the chip serial's label.
const PERSONAL: [&str; 11] = [
    "2600301752",
    "5A0A8025",
    "N° de série de la puce",
    "DIRECTEUR-TEST",
    "PAUL",
    "GESTIONNAIRE-TEST",
    "CHARLES",
    "CDET0001",
    "CPET0002",
    "MEDECIN-TEST",
    "10001234567",
];

/// Text as Chromium serialises it inside an element.
fn as_html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

fn french(status: &str) -> &'static str {
    match status {
        "ready" => "Prête",
        "warning" => "Attention",
        "not_ready" => "Pas prête",
        "unknown" => "Inconnue",
        other => panic!("unknown status {other}"),
    }
}

/// The page's verdict badge for `status`.
fn badge(status: &str) -> String {
    format!("data-status=\"{status}\">{}</p>", french(status))
}

/// The `<article>` of reader `id` in a DOM.
fn article<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("data-reader=\"{id}\""))
        .unwrap_or_else(|| panic!("no article for {id} in {dom}"));
    let rest = &dom[start..];
    &rest[..rest.find("</article>").unwrap_or(rest.len())]
}

fn assert_no_personal_data(dom: &str) {
    for personal in PERSONAL {
        assert!(
            !dom.contains(personal),
            "{personal} shown without session: {dom}"
        );
    }
}

/// Two cards in the first two of four readers, judged.
fn agent_with_cards(pcscd: &PrivatePcscd) -> (Agent, Vec<InsertedCard>, Value) {
    let agent = Agent::start(pcscd);
    let cards = vec![
        pcscd
            .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
            .unwrap(),
        pcscd
            .insert(
                1,
                card(CardKind::Cpe, Some(OTHER_FINESS)),
                InsertOptions::default(),
            )
            .unwrap(),
    ];
    let readers = pcscd.all_readers().len();
    let status = agent.wait_status("every reader, two cards judged", |s| {
        reader_count(s) == readers && judged_cards(s) == 2
    });
    (agent, cards, status)
}

fn reader_id(status: &Value, index: usize) -> String {
    status["readers"][index]["id"].as_str().unwrap().to_owned()
}

#[test]
fn the_page_shows_readers_and_french_verdicts_without_holder_names() {
    let pcscd = PrivatePcscd::start(4).unwrap();
    let (agent, _cards, status) = agent_with_cards(&pcscd);
    let mut browser = Browser::start();
    browser.navigate(&agent.url("/"));
    let readers = status["readers"].as_array().unwrap();
    let dom = browser.wait_dom("the readers and the live stream", |d| {
        d.contains(&format!("{} lecteurs, 2 cartes", readers.len())) && d.contains("En direct")
    });

    assert!(dom.contains("<html lang=\"fr\">"));
    assert!(
        dom.contains("Service carte à puce (PC/SC) : en marche."),
        "{dom}"
    );
    assert!(dom.contains("Relire les cartes"));
    for reader in readers {
        let name = reader["name"].as_str().unwrap();
        let id = reader["id"].as_str().unwrap();
        let html = article(&dom, id);
        assert!(html.contains(&as_html_text(name)), "reader {name}: {html}");
        let card = &reader["card"];
        if card.is_null() {
            assert!(html.contains("Aucune carte dans ce lecteur."), "{html}");
            continue;
        }
        let verdict = card["verdict"]["status"].as_str().unwrap();
        assert!(html.contains(&badge(verdict)), "verdict {verdict}: {html}");
        assert!(html.contains("aria-live=\"polite\""), "{html}");
        for finding in card["verdict"]["findings"].as_array().unwrap() {
            let message = finding["message"].as_str().unwrap();
            assert!(html.contains(&as_html_text(message)), "{message}: {html}");
            let remedy = finding["remedy"].as_str().unwrap();
            assert!(html.contains(&as_html_text(remedy)), "{remedy}: {html}");
        }
        assert!(html.contains("HOPITAL DE TEST"), "structure name: {html}");
        assert!(html.contains("3 essais restants"), "PIN tries: {html}");
        assert!(html.contains("CDE/CPE"), "kind: {html}");
    }
    let on_contract = article(&dom, &reader_id(&status, 0));
    assert!(on_contract.contains("FINESS 750712184"), "{on_contract}");
    let outside = article(&dom, &reader_id(&status, 1));
    assert_eq!(
        status["readers"][1]["card"]["verdict"]["status"],
        "not_ready"
    );
    assert!(outside.contains(&badge("not_ready")), "{outside}");
    assert!(outside.contains("FINESS 010780054"), "{outside}");
    // Errors come first.
    let error = outside.find("Erreur :").expect("an error finding");
    let info = outside.find("Info :").expect("an info finding");
    assert!(error < info, "{outside}");
    assert_no_personal_data(&dom);
    assert!(dom.contains("cpx-agent open"), "how to show names: {dom}");
    // Nothing the page loads is refused (a CSP violation or a 403 would leave errors).
    let errors = browser.eval("document.querySelectorAll('.perdue').length");
    assert_eq!(errors, 0, "{dom}");
}

#[test]
fn the_page_follows_cards_live_rereads_on_demand_and_survives_an_agent_restart() {
    let pcscd = PrivatePcscd::start(4).unwrap();
    let (agent, cards, status) = agent_with_cards(&pcscd);
    let (first, second, third) = (
        reader_id(&status, 0),
        reader_id(&status, 1),
        reader_id(&status, 2),
    );
    let mut browser = Browser::start();
    browser.navigate(&agent.url("/"));
    browser.wait_dom("the live stream", |d| {
        d.contains("En direct") && d.contains("2 cartes")
    });

    // A card taken out and another put in: seen through /v1/events, without a reload.
    let mut cards = cards.into_iter();
    let cde = cards.next().unwrap();
    let _cpe = cards.next().unwrap();
    cde.remove();
    let _cps = pcscd
        .insert(2, card(CardKind::Cps, None), InsertOptions::default())
        .unwrap();
    let now = agent.wait_status("the CPS judged, the CDE gone", |s| {
        s["readers"][2]["card"]["verdict"].is_object() && s["readers"][0]["card"].is_null()
    });
    let cps_status = now["readers"][2]["card"]["verdict"]["status"]
        .as_str()
        .unwrap()
        .to_owned();
    let dom = browser.wait_dom("the change on the page", |d| {
        article(d, &first).contains("Aucune carte dans ce lecteur.")
            && article(d, &third).contains(&badge(&cps_status))
    });
    assert!(article(&dom, &third).contains("CPS"), "{dom}");
    assert!(article(&dom, &second).contains(&badge("not_ready")));
    assert_eq!(
        browser.eval("performance.getEntriesByType('navigation').length"),
        1,
        "no reload"
    );
    assert_no_personal_data(&dom);

    // The button: a same-origin POST the security layer accepts.
    browser.eval("document.getElementById('relire').click()");
    let dom = browser.wait_dom("the re-read answer", |d| {
        d.contains("2 lectures demandées.")
    });
    assert!(!dom.contains("Relecture refusée"), "{dom}");

    // The agent stops: the page says so; it comes back on the same port: the page re-reads.
    let port = agent.addr.port();
    drop(agent);
    browser.wait_dom("the lost connection", |d| {
        d.contains("Connexion à l’agent perdue")
    });
    let agent = Agent::start_with(&pcscd, "", Some(port));
    agent.wait_status("cards judged again", |s| judged_cards(s) == 2);
    let dom = browser.wait_dom("the page live again", |d| {
        d.contains("En direct") && article(d, &second).contains(&badge("not_ready"))
    });
    assert!(article(&dom, &third).contains(&badge(&cps_status)), "{dom}");
}

#[test]
fn the_page_shows_a_stopped_service_with_its_remedy_then_its_return() {
    let mut pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    let first = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("card judged", |s| judged_cards(s) == 1);
    let mut browser = Browser::start();
    browser.navigate(&agent.url("/"));
    browser.wait_dom("the card", |d| d.contains("2 lecteurs, 1 carte"));
    assert_eq!(
        browser.eval("document.getElementById('service-remede').hidden"),
        true
    );

    pcscd.kill();
    let dom = browser.wait_dom("the service stopped", |d| {
        d.contains("Service carte à puce (PC/SC) : arrêté")
    });
    assert!(dom.contains("systemctl start pcscd"), "the remedy: {dom}");
    assert_eq!(
        browser.eval("document.getElementById('service-remede').hidden"),
        false
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('article.lecteur').length"),
        0,
        "no reader while the service is away: {dom}"
    );
    drop(first);

    pcscd.restart().unwrap();
    let _cps = pcscd
        .insert(1, card(CardKind::Cps, None), InsertOptions::default())
        .unwrap();
    let status = agent.wait_status("the CPS judged", |s| judged_cards(s) == 1);
    let verdict = status["readers"][1]["card"]["verdict"]["status"]
        .as_str()
        .unwrap()
        .to_owned();
    let dom = browser.wait_dom("the service back", |d| {
        d.contains("Service carte à puce (PC/SC) : en marche.") && d.contains(&badge(&verdict))
    });
    assert_eq!(
        browser.eval("document.getElementById('service-remede').hidden"),
        true
    );
    assert_no_personal_data(&dom);
}

/// `cpx-agent open --print` against `agent`, with `token_file`: (exit code, stdout, stderr).
fn cpx_agent_open(agent: &Agent, token_file: &std::path::Path) -> (i32, String, String) {
    let output = std::process::Command::new(agent_binary())
        .args(["open", "--print", "--config"])
        .arg(agent.dir.path().join("config.toml"))
        .env("CPX_AGENT_TOKEN_FILE", token_file)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run cpx-agent open");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_one_time_link_opens_a_session_that_shows_names_once() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let (agent, _cards, _) = agent_with_cards(&pcscd);
    let (code, out, err) = cpx_agent_open(&agent, &agent.dir.path().join("token"));
    assert_eq!(code, 0, "{out}{err}");
    let link = out
        .lines()
        .find(|l| l.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {out}"))
        .to_owned();
    assert!(
        link.starts_with(&format!("{}?code=", agent.url("/session"))),
        "{link}"
    );

    let mut browser = Browser::start();
    browser.navigate(&link);
    let dom = browser.wait_dom("names on the page", |d| {
        d.contains("DIRECTEUR-TEST") && d.contains("En direct")
    });
    assert!(dom.contains("Session ouverte"), "{dom}");
    assert!(dom.contains("PAUL DIRECTEUR-TEST"), "{dom}");
    assert!(dom.contains("GESTIONNAIRE-TEST"), "{dom}");
    // With the session, the card's numbers too.
    assert!(dom.contains("N° de série de la puce"), "{dom}");
    assert!(dom.contains("N° de carte"), "{dom}");
    let full: Value = agent.get_auth("/v1/status").send().unwrap().json().unwrap();
    let numbers: Vec<&str> = full["readers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["card"]["card_number"].as_str())
        .collect();
    assert_eq!(numbers.len(), 2, "{full}");
    assert!(numbers.iter().all(|n| dom.contains(n)), "{numbers:?} {dom}");
    // The code does not stay in the address bar, and the cookie is not readable by scripts.
    assert_eq!(browser.eval("location.pathname + location.search"), "/");
    assert_eq!(browser.eval("document.cookie"), "");

    // The same link a second time, from another browser: refused, and no names.
    let mut other = Browser::start();
    other.navigate(&link);
    let refused = other.wait_dom("the refusal", |d| {
        d.contains("déjà utilisé") && d.contains("</main>") && d.contains("cpx-agent open")
    });
    assert!(!refused.contains("DIRECTEUR-TEST"), "{refused}");
    other.navigate(&agent.url("/"));
    let dom = other.wait_dom("the anonymous page", |d| d.contains("En direct"));
    assert_no_personal_data(&dom);

    // Another user's token is refused; no agent at all is said plainly.
    let stranger = agent.dir.path().join("other-token");
    std::fs::write(&stranger, format!("{}\n", "ab".repeat(32))).unwrap();
    std::fs::set_permissions(
        &stranger,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let (code, _, err) = cpx_agent_open(&agent, &stranger);
    assert_eq!(code, 1);
    assert!(err.contains("refuse le jeton"), "{err}");
    let port = agent.addr.port();
    drop(agent);
    let output = std::process::Command::new(agent_binary())
        .args(["open", "--print", "--listen", &format!("127.0.0.1:{port}")])
        .env("CPX_AGENT_TOKEN_FILE", &stranger)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("ne répond pas"), "{err}");
}

/// Not a test: `CPX_PAGE_SCREENSHOT=/path.png cargo test -p cpx-testkit --test page_chromium
/// -- --ignored screenshot` writes a picture of the page (for the README).
#[test]
#[ignore]
fn screenshot() {
    let Some(path) = std::env::var_os("CPX_PAGE_SCREENSHOT") else {
        return;
    };
    let pcscd = PrivatePcscd::start(4).unwrap();
    let (agent, _cards, _) = agent_with_cards(&pcscd);
    let _cps = pcscd
        .insert(2, card(CardKind::Cps, None), InsertOptions::default())
        .unwrap();
    agent.wait_status("three cards", |s| judged_cards(s) == 3);
    let mut browser = Browser::start();
    browser.navigate(&agent.url("/"));
    browser.wait_dom("three cards", |d| d.contains("3 cartes"));
    std::fs::write(path, browser.screenshot()).unwrap();
}
