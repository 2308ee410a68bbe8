//! End to end (tier 3): the « Démarche RPPS+ » part of the status page in headless Chromium,
//! on `cpx-agent run` over a private pcscd. The page opens on the démarche (progress, the
//! next step first, above the readers); with the session of `cpx-agent open` a step is ticked
//! from the page, and a second page, without a session, shows the tick live; the page passes
//! the axe-core accessibility engine (WCAG 2.1 A/AA rules) with and without a session.
//!
//! axe-core comes from npm (`tests/run` installs it in `tests/node_modules`; `CPX_AXE_CORE`
//! points to another `axe.min.js`).

mod daemon_support;
mod page_support;

use std::path::PathBuf;

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use page_support::Browser;
use serde_json::Value;

/// `axe.min.js`: `$CPX_AXE_CORE`, else where `tests/run` puts it (`npm ci --prefix tests`).
fn axe_source() -> String {
    let path = std::env::var_os("CPX_AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core missing at {} ({e}): tests/run installs it \
             (npm ci --prefix tests), or set CPX_AXE_CORE",
            path.display()
        )
    })
}

/// Runs axe-core in the page (WCAG 2.0/2.1 A and AA rules); returns the violations, after
/// checking that the engine did run its rules.
fn axe_violations(browser: &mut Browser, source: &str) -> Vec<Value> {
    browser.eval(source);
    let result = browser.eval_async(
        "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })\
         .then(r => JSON.stringify({ passes: r.passes.length, violations: r.violations.map(v => ({ id: v.id, \
         impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html) })) }))",
    );
    let text = result
        .as_str()
        .unwrap_or_else(|| panic!("axe-core did not run: {result}"));
    let report: Value = serde_json::from_str(text).unwrap();
    let passes = report["passes"].as_u64().unwrap();
    assert!(passes >= 10, "axe-core ran only {passes} rules: {report}");
    report["violations"].as_array().unwrap().clone()
}

/// A link opening a session (what `cpx-agent open --print` prints).
fn session_link(agent: &Agent) -> String {
    let output = std::process::Command::new(agent_binary())
        .args(["open", "--print", "--config"])
        .arg(agent.dir.path().join("config.toml"))
        .env("CPX_AGENT_TOKEN_FILE", agent.dir.path().join("token"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    out.lines()
        .find(|l| l.starts_with("http://"))
        .unwrap_or_else(|| panic!("no link in {out}"))
        .to_owned()
}

/// The `<li>` of step `id` in a DOM.
fn step_html<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("data-step=\"{id}\" data-state="))
        .unwrap_or_else(|| panic!("no step {id} in {dom}"));
    let rest = &dom[start..];
    &rest[..rest.find("</li>").unwrap_or(rest.len())]
}

#[test]
fn the_page_opens_on_the_demarche_ticks_with_the_session_and_a_second_page_follows() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    let _cde = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("the CDE judged", |s| judged_cards(s) == 1);

    // The second page first, without a session.
    let mut watcher = Browser::start();
    watcher.navigate(&agent.url("/"));
    let dom = watcher.wait_dom("the démarche", |d| {
        d.contains("Démarche RPPS+ : 2/9 étapes faites") && d.contains("En direct")
    });
    // The démarche comes before the readers, the next step first.
    let demarche = dom.find("id=\"demarche-titre\"").unwrap();
    let readers = dom.find("id=\"lecteurs-titre\"").unwrap();
    assert!(demarche < readers, "the démarche is above the readers");
    assert!(
        dom.contains("Prochaine étape : </strong>Données FINESS de l'EJ et des EG exactes"),
        "{dom}"
    );
    assert!(step_html(&dom, "cde_received").contains("data-state=\"done\""));
    assert!(
        dom.contains("Contrat centralisé sur l’EJ 750712184"),
        "{dom}"
    );
    assert!(
        dom.contains("cpx-agent open"),
        "how to tick from the page: {dom}"
    );
    assert!(
        !step_html(&dom, "contract_sent").contains("<form"),
        "no tick without a session"
    );

    // The page with a session: the tick form.
    let mut page = Browser::start();
    page.navigate(&session_link(&agent));
    let dom = page.wait_dom("the démarche with a session", |d| {
        d.contains("2/9 étapes") && d.contains("Session ouverte")
    });
    assert!(
        step_html(&dom, "contract_sent").contains("Cocher comme fait"),
        "{dom}"
    );
    page.eval(
        "document.getElementById('note-contract_sent').value = 'copie au secrétariat'; \
         document.querySelector('form.cocher[data-step=\"contract_sent\"] button[type=submit]').click()",
    );
    let dom = page.wait_dom("the tick", |d| {
        d.contains("Étape cochée : Contrat et formulaire F101")
            && step_html(d, "contract_sent").contains("data-state=\"done\"")
    });
    let sent = step_html(&dom, "contract_sent");
    assert!(sent.contains("copie au secrétariat"), "{sent}");
    assert!(sent.contains("Décocher"), "{sent}");
    assert_eq!(
        page.eval("performance.getEntriesByType('navigation').length"),
        1,
        "no reload"
    );

    // The other page sees it live, without the note (no session there).
    let dom = watcher.wait_dom("the tick, live", |d| {
        step_html(d, "contract_sent").contains("data-state=\"done\"") && d.contains("3/9 étapes")
    });
    assert!(
        !dom.contains("copie au secrétariat"),
        "no note without a session"
    );
    assert_eq!(
        watcher.eval("performance.getEntriesByType('navigation').length"),
        1,
        "no reload"
    );

    // Accessibility: no WCAG 2.1 A/AA violation with or without a session.
    let axe = axe_source();
    for (who, browser) in [("session", &mut page), ("anonymous", &mut watcher)] {
        browser.eval(
            "document.getElementById('contrat-reglage').open = true; \
             document.getElementById('eligibilite').open = true",
        );
        let violations = axe_violations(browser, &axe);
        assert!(violations.is_empty(), "{who}: {violations:#?}");
    }
    // The engine does see this page: an image without a text alternative is caught.
    page.eval("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/ui/icon.svg'}))");
    let violations = axe_violations(&mut page, &axe);
    assert!(
        violations.iter().any(|v| v["id"] == "image-alt"),
        "{violations:#?}"
    );
    page.eval("document.querySelector('main > img').remove()");

    // The eligibility form answers in place.
    watcher.eval(
        "document.getElementById('eligibilite-profession').value = 'Infirmière'; \
         document.getElementById('donnees-oui').checked = true; \
         document.getElementById('mss-oui').checked = true; \
         document.querySelector('#eligibilite-form button[type=submit]').click()",
    );
    let dom = watcher.wait_dom("the eligibility answer", |d| {
        d.contains("data-verdict=\"not_eligible\"")
    });
    assert!(dom.contains("profession à Ordre"), "{dom}");

    // Unticked from the page: both pages follow.
    page.eval("document.querySelector('button[data-action=\"decocher\"][data-step=\"contract_sent\"]').click()");
    page.wait_dom("the untick", |d| {
        step_html(d, "contract_sent").contains("data-state=\"todo\"")
    });
    watcher.wait_dom("the untick, live", |d| d.contains("2/9 étapes"));

    // The printable summary: the démarche and the cards seen, nothing to click, no readers.
    page.emulate_media("print");
    let shown = |b: &mut Browser, selector: &str| {
        b.eval(&format!(
            "getComputedStyle(document.querySelector('{selector}')).display !== 'none'"
        ))
    };
    assert_eq!(shown(&mut page, "#demarche-etapes"), true);
    assert_eq!(shown(&mut page, "#cartes-vues-table"), true, "the CDE seen");
    assert_eq!(shown(&mut page, "#demarche-contrat"), true);
    for hidden in [
        "#lecteurs",
        "form.cocher",
        "#contrat-reglage",
        "#imprimer",
        "footer",
    ] {
        assert_eq!(shown(&mut page, hidden), false, "{hidden} printed");
    }
    page.emulate_media("");

    // The contract form: the running agent writes and applies it; both pages follow.
    page.eval(
        "document.getElementById('contrat-reglage').open = true; \
         document.getElementById('mode-decentralise').checked = true; \
         document.getElementById('contrat-ej').value = '750712184'; \
         document.getElementById('contrat-egs').value = '750100125'; \
         document.querySelector('#contrat-form button[type=submit]').click()",
    );
    page.wait_dom("the contract written", |d| {
        d.contains("Contrat enregistré.") && d.contains("Configuration appliquée")
    });
    watcher.wait_dom("the new contract, live", |d| {
        d.contains("Contrat décentralisé : EJ 750712184, EG 750100125.")
    });
    let config = std::fs::read_to_string(agent.dir.path().join("config.toml")).unwrap();
    assert!(config.contains("mode = \"decentralised\""), "{config}");
    assert!(
        config.contains("accept_test_cards = true"),
        "the rest kept: {config}"
    );
    // A refused contract is said, and nothing changes.
    page.eval(
        "document.getElementById('contrat-ej').value = '750712185'; \
         document.querySelector('#contrat-form button[type=submit]').click()",
    );
    page.wait_dom("the refusal", |d| {
        d.contains("Refusé : ") && d.contains("contract.ej")
    });
    assert_eq!(
        std::fs::read_to_string(agent.dir.path().join("config.toml")).unwrap(),
        config
    );
}
