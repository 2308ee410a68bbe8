//! Shared helpers of the end-to-end tests: cards in readers, one `cpx-agent status` run.
#![allow(dead_code)]

use cpx_testkit::agent::{self, AgentConfig, ContractConfig, StatusRun};
use cpx_testkit::card::SmartCard;
use cpx_testkit::{InsertOptions, InsertedCard, PrivatePcscd};
use serde_json::Value;
use std::time::Duration;

pub const EJ: &str = "750712184";
pub const EG: &str = "750100125";
pub const OTHER_FINESS: &str = "010780054";

pub fn centralised() -> ContractConfig {
    ContractConfig {
        mode: "centralised",
        ej: EJ.into(),
        egs: vec![EG.into()],
    }
}

pub fn decentralised() -> ContractConfig {
    ContractConfig {
        mode: "decentralised",
        ej: EJ.into(),
        egs: vec![EG.into()],
    }
}

/// Inserts each card into the next reader and waits until pcscd has powered them all.
pub fn insert_all(
    pcscd: &PrivatePcscd,
    cards: Vec<(Box<dyn SmartCard>, InsertOptions)>,
) -> Vec<InsertedCard> {
    let inserted: Vec<InsertedCard> = cards
        .into_iter()
        .enumerate()
        .map(|(i, (card, opts))| pcscd.insert(i, card, opts).expect("insert"))
        .collect();
    for c in &inserted {
        assert!(c.wait_powered(Duration::from_secs(10)), "card not powered");
    }
    inserted
}

pub fn run_status(pcscd: &PrivatePcscd, config: &AgentConfig) -> StatusRun {
    let r = agent::status(pcscd, config, Duration::from_secs(90)).expect("cpx-agent status");
    assert!(
        r.code.is_some(),
        "cpx-agent status did not finish: {}",
        r.stderr
    );
    assert!(r.json.is_object(), "not JSON: {} / {}", r.stdout, r.stderr);
    r
}

/// A card as the agent reports it is either absent or complete: kind, holder and both
/// certificates (never a half-read card).
pub fn assert_absent_or_complete(card: &Value, what: &str) {
    if card.is_null() {
        return;
    }
    assert!(card["kind"].is_string(), "{what}: half-read card {card}");
    assert!(
        card["holder"]["id"].is_string(),
        "{what}: half-read card {card}"
    );
    let certs = card["certificates"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(certs, 2, "{what}: half-read card {card}");
}
