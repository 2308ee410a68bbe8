//! The support report (`GET /v1/diagnostics?format=html`) in headless Chromium, on
//! `cpx-agent run` with emulated cards: French, every section, no personal data without the
//! token, no violation of WCAG 2.1 A/AA rules found by axe-core; the status page links to it.

mod daemon_support;
mod page_support;

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use page_support::Browser;

const PERSONAL: [&str; 6] = [
    "DIRECTEUR-TEST",
    "PAUL",
    "GESTIONNAIRE-TEST",
    "CHARLES",
    "CDET0001",
    "CPET0002",
];

const SECTIONS: [&str; 9] = [
    "Agent, système et horloge",
    "Service carte à puce (PC/SC)",
    "Lecteurs",
    "Périphériques USB non vus par PC/SC",
    "Cartes et verdicts",
    "Configuration",
    "Répertoire FINESS",
    "Journal",
    "Derniers événements",
];

#[test]
fn the_report_page_is_french_accessible_and_without_personal_data() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = Agent::start(&pcscd);
    let _cards = [
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
    let status = agent.wait_status("two cards judged", |s| judged_cards(s) == 2);
    let numbers: Vec<String> = (0..2)
        .map(|i| {
            card_at(&status, i)["card_number"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();

    let mut browser = Browser::start();
    browser.bypass_csp();
    // The status page links to the report.
    browser.navigate(&agent.url("/"));
    let page = browser.wait_dom("the status page", |d| d.contains("En direct"));
    assert!(
        page.contains("href=\"/v1/diagnostics?format=html\""),
        "{page}"
    );
    assert!(
        page.contains("Modèle : inconnu (absent du catalogue des lecteurs)."),
        "{page}"
    );

    browser.navigate(&agent.url("/v1/diagnostics?format=html"));
    let dom = browser.wait_dom("the report", |d| d.contains("Derniers événements"));
    assert!(dom.contains("<html lang=\"fr\">"), "{dom}");
    for section in SECTIONS {
        assert!(
            dom.contains(&format!(">{section}</h2>")),
            "{section} missing: {dom}"
        );
    }
    assert!(dom.contains("Pas prête") && dom.contains("Prête"), "{dom}");
    assert!(dom.contains("finess_mismatch"));
    assert!(dom.contains("card_read"), "the events: {dom}");
    for p in PERSONAL
        .iter()
        .copied()
        .chain(numbers.iter().map(|n| n.as_str()))
    {
        assert!(!dom.contains(p), "{p} shown without the token");
    }
    let violations = browser.axe_violations();
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    // The engine does find what it should: an image without a text alternative.
    browser.eval("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: 'data:,'}))");
    let found = browser.axe_violations();
    assert!(found.iter().any(|v| v["id"] == "image-alt"), "{found:#?}");
    // The page prints: its style sheet has a print layout.
    assert!(dom.contains("@media print"));
}
