//! End to end (tier 3): the RPPS+ démarche on the real `cpx-agent run`, a private pcscd with
//! emulated cards and a FINESS directory imported by `cpx-agent finess import`. Clean
//! directory data tick `finess_data`, an EG of another EJ sets it to attention; a CDE and a
//! manager card inserted on the contract FINESS tick their steps, a card on the wrong FINESS
//! sets attention with the F301 remedy; a tick survives a restart and is refused without the
//! token; `cpx-agent setup` writes a configuration that keeps its comments and the running
//! agent judges the cards again.

mod daemon_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cpx_testkit::card::{CpxCard, CpxCardSpec};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use serde_json::{json, Value};

/// The fictitious Rouen hospital of the FINESS fixtures: an EJ and its two EGs, and an EG of
/// another EJ (Calvados).
const ROUEN_EJ: &str = "760000018";
const ROUEN_NORD: &str = "760000026";
const ROUEN_SUD: &str = "760000034";
const CAEN_EG: &str = "140000027";

/// Today, `YYYY-MM-DD` (the directory's data date: a fresh directory has no age warning).
fn today() -> String {
    let output = Command::new("date").args(["-u", "+%F"]).output().unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Writes a small FINESS extract pair dated today and imports it into the agent's data dir.
fn import_directory(dir: &Path) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../agent/tests/data/finess");
    let day = today();
    let lines = |file: &str, tag: &str| -> Vec<String> {
        std::fs::read_to_string(fixtures.join(file))
            .unwrap()
            .trim_start_matches('\u{feff}')
            .lines()
            .filter(|l| l.starts_with(tag))
            .map(str::to_owned)
            .collect()
    };
    let ej = lines("synthetic-ej-utf8.csv", "structureej;");
    let eg = lines("synthetic-eg-utf8-bom.csv", "structureet;");
    let ej_file = dir.join("etalab-cs1100501-stock-test.csv");
    let eg_file = dir.join("etalab-cs1100502-stock-test.csv");
    std::fs::write(
        &ej_file,
        format!("finess;etalab;{};{day}\n{}\n", ej.len(), ej.join("\n")),
    )
    .unwrap();
    std::fs::write(
        &eg_file,
        format!("finess;etalab;{};{day}\n{}\n", eg.len(), eg.join("\n")),
    )
    .unwrap();
    let db = dir.join("data/cpx-agent/finess.sqlite");
    let output = Command::new(agent_binary())
        .args(["finess", "import", "--db"])
        .arg(&db)
        .arg(&ej_file)
        .arg(&eg_file)
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

/// An agent on `contract` (TOML lines) with a fresh FINESS directory.
fn agent(pcscd: &PrivatePcscd, contract: &str) -> Agent {
    let dir = tempfile::tempdir().unwrap();
    import_directory(dir.path());
    let port = free_port();
    write_config(dir.path(), contract, port, "");
    Agent::start_in(pcscd, dir, port)
}

fn centralised() -> String {
    format!("[contract]\nmode = \"centralised\"\nej = \"{ROUEN_EJ}\"\negs = [\"{ROUEN_NORD}\"]\n")
}

/// An establishment card: a CDE (the testkit's director title) or a CPE (a manager).
fn establishment(kind: CardKind, finess: &str) -> CpxCard {
    CpxCard::new(CpxCardSpec::new(
        CardCertsBuilder::new(kind).finess(finess).build(),
    ))
}

fn checklist(agent: &Agent, authorised: bool) -> Value {
    let request = if authorised {
        agent.get_auth("/v1/checklist")
    } else {
        agent.get("/v1/checklist")
    };
    let response = request.send().unwrap();
    assert_eq!(response.status(), 200);
    response.json().unwrap()
}

/// The line `id` (for `eg`) of a checklist.
fn step<'a>(checklist: &'a Value, id: &str, eg: Option<&str>) -> &'a Value {
    checklist["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id && s["eg"].as_str() == eg)
        .unwrap_or_else(|| panic!("no step {id} {eg:?} in {checklist:#}"))
}

/// Polls `/v1/checklist` until `what` holds.
fn wait_checklist(agent: &Agent, description: &str, what: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let c = checklist(agent, true);
        if what(&c) {
            return c;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {description}: {c:#}\n{}",
            agent.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn state_of(c: &Value, id: &str, eg: Option<&str>) -> String {
    step(c, id, eg)["state"].as_str().unwrap().to_owned()
}

#[test]
fn centralised_cards_on_the_contract_tick_their_steps_and_a_wrong_finess_sets_attention() {
    let pcscd = PrivatePcscd::start(4).unwrap();
    let agent = agent(&pcscd, &centralised());
    let events = agent.events(None, false);
    assert_eq!(events.next().name, "snapshot");

    let c = wait_checklist(&agent, "the first evaluation", |c| c["total"] == 9);
    let finess = step(&c, "finess_data", None);
    assert_eq!(finess["state"], "done", "{finess:#}");
    assert_eq!(finess["source"], "agent");
    assert!(
        finess["detail"]
            .as_str()
            .unwrap()
            .contains("CH FICTIF DE ROUEN"),
        "{finess:#}"
    );
    assert_eq!(state_of(&c, "contract_mode", None), "done");
    assert_eq!(state_of(&c, "cde_received", None), "todo");
    assert_eq!(state_of(&c, "manager_cards", None), "todo");
    assert_eq!(c["done"], 2);
    assert_eq!(c["next"]["id"], "contract_sent");
    // The status snapshot carries the summary for the faces.
    assert_eq!(agent.status(false)["checklist"]["done"], 2);

    // The CDE on the contract's EJ: the agent ticks the CDE step (and asks to confirm).
    let _cde = pcscd
        .insert(
            0,
            establishment(CardKind::Cde, ROUEN_EJ),
            InsertOptions::default(),
        )
        .unwrap();
    let c = wait_checklist(&agent, "the CDE step ticked", |c| {
        state_of(c, "cde_received", None) == "done"
    });
    let cde = step(&c, "cde_received", None);
    assert_eq!(cde["source"], "agent");
    assert!(
        cde["detail"].as_str().unwrap().contains("confirmez"),
        "{cde:#}"
    );
    // Told on the event stream (an earlier summary may come first: the agent's first
    // evaluation).
    let last = loop {
        let event = events.until("checklist_changed").pop().unwrap();
        if event.data["checklist"]["done"] == 3 {
            break event;
        }
    };
    assert!(last.id.is_some());
    assert_eq!(last.data["checklist"]["next"]["id"], "contract_sent");

    // A manager's CPE on the EJ, ready, in a reader: the manager cards step.
    let _cpe = pcscd
        .insert(
            1,
            establishment(CardKind::Cpe, ROUEN_EJ),
            InsertOptions::default(),
        )
        .unwrap();
    let c = wait_checklist(&agent, "the manager cards step ticked", |c| {
        state_of(c, "manager_cards", None) == "done"
    });
    let registration = step(&c, "registration", None);
    assert!(
        registration["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("portail RPPS+"),
        "a ready manager card is here: {registration:#}"
    );
    let seen = c["cards_seen"].as_array().unwrap();
    assert_eq!(seen.len(), 2, "{c:#}");
    let text = c.to_string();
    for personal in [
        "DIRECTEUR-TEST",
        "GESTIONNAIRE-TEST",
        "CDET0001",
        "2600301752",
    ] {
        assert!(!text.contains(personal), "{personal} in the checklist");
    }

    // A manager card on an EG, in a centralised contract: attention, with the F301 remedy.
    let wrong = pcscd
        .insert(
            2,
            establishment(CardKind::Cpe, ROUEN_NORD),
            InsertOptions::default(),
        )
        .unwrap();
    let c = wait_checklist(&agent, "attention on the manager cards", |c| {
        state_of(c, "manager_cards", None) == "attention"
    });
    let managers = step(&c, "manager_cards", None);
    let findings = managers["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["remedy"].as_str().unwrap().contains("F301")),
        "{managers:#}"
    );
    assert!(managers["detail"].as_str().unwrap().contains(ROUEN_NORD));
    assert_eq!(c["next"]["id"], "contract_sent", "earlier steps first");
    assert_eq!(c["attention"], 1);

    // Taken out: the problem goes with it.
    wrong.remove();
    wait_checklist(&agent, "the manager cards done again", |c| {
        state_of(c, "manager_cards", None) == "done"
    });
}

#[test]
fn a_decentralised_contract_with_an_eg_of_another_ej_needs_attention_and_has_lines_per_eg() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let contract = format!(
        "[contract]\nmode = \"decentralised\"\nej = \"{ROUEN_EJ}\"\negs = [\"{ROUEN_NORD}\", \"{CAEN_EG}\"]\n"
    );
    let agent = agent(&pcscd, &contract);
    let c = wait_checklist(&agent, "the first evaluation", |c| {
        c["steps"].as_array().is_some_and(|s| s.len() == 13)
    });
    let finess = step(&c, "finess_data", None);
    assert_eq!(finess["state"], "attention", "{finess:#}");
    let codes: Vec<&str> = finess["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"eg_not_in_contract_ej"), "{codes:?}");
    assert!(
        finess["findings"].to_string().contains("ARS"),
        "the ARS to write to: {finess:#}"
    );
    assert_eq!(c["next"]["id"], "finess_data");
    for eg in [ROUEN_NORD, CAEN_EG] {
        assert_eq!(state_of(&c, "contract_sent", Some(eg)), "todo");
    }

    // A CDE on one EG ticks that EG's line only.
    let _cde = pcscd
        .insert(
            0,
            establishment(CardKind::Cde, ROUEN_NORD),
            InsertOptions::default(),
        )
        .unwrap();
    let c = wait_checklist(&agent, "the CDE of one EG", |c| {
        state_of(c, "cde_received", Some(ROUEN_NORD)) == "done"
    });
    assert_eq!(state_of(&c, "cde_received", Some(CAEN_EG)), "todo");

    // Ticking a per-EG step needs its EG.
    let response = agent
        .http()
        .post(agent.url("/v1/checklist/contract_sent"))
        .bearer_auth(&agent.token)
        .json(&json!({"done": true}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert!(
        body["message"].as_str().unwrap().contains(CAEN_EG),
        "{body}"
    );
    let response = agent
        .http()
        .post(agent.url("/v1/checklist/contract_sent"))
        .bearer_auth(&agent.token)
        .json(&json!({"done": true, "eg": CAEN_EG, "note": "envoyé par courriel"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let c: Value = response.json().unwrap();
    assert_eq!(state_of(&c, "contract_sent", Some(CAEN_EG)), "done");
    assert_eq!(state_of(&c, "contract_sent", Some(ROUEN_NORD)), "todo");
}

#[test]
fn a_tick_survives_a_restart_and_is_refused_without_the_token() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let agent = agent(&pcscd, &centralised());
    wait_checklist(&agent, "the first evaluation", |c| c["total"] == 9);
    let url = agent.url("/v1/checklist/contract_sent");
    let body = json!({"done": true, "note": "copie dans le classeur bleu", "date": "2026-11-30"});

    // No token, a wrong token, a foreign page: refused, nothing ticked.
    let none = agent.http().post(&url).json(&body).send().unwrap();
    assert_eq!(none.status(), 401);
    let none: Value = none.json().unwrap();
    assert_eq!(none["error"], "needs_token");
    let wrong = agent
        .http()
        .post(&url)
        .bearer_auth("ab".repeat(32))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let foreign = agent
        .http()
        .post(&url)
        .header("Origin", "http://evil.example")
        .bearer_auth(&agent.token)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert_eq!(
        state_of(&checklist(&agent, true), "contract_sent", None),
        "todo"
    );

    // With the token: ticked, and every SSE client is told.
    let events = agent.events(None, false);
    assert_eq!(events.next().name, "snapshot");
    let ok = agent
        .http()
        .post(&url)
        .bearer_auth(&agent.token)
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
    let changed = events.until("checklist_changed");
    assert_eq!(changed.last().unwrap().data["checklist"]["done"], 3);

    // The agent is killed and started again on the same data: the tick is still there.
    let port = agent.addr.port();
    let dir = agent.kill_keep_dir();
    let agent = Agent::start_in(&pcscd, dir, port);
    let c = wait_checklist(&agent, "the tick after the restart", |c| {
        state_of(c, "contract_sent", None) == "done"
    });
    let sent = step(&c, "contract_sent", None);
    assert_eq!(sent["source"], "person");
    assert_eq!(sent["at"], "2026-11-30");
    assert_eq!(sent["note"], "copie dans le classeur bleu");
    assert!(
        sent["by"].as_str().is_some_and(|b| !b.is_empty()),
        "{sent:#}"
    );
    // Without the token, who ticked and the note are not shown.
    let anonymous = checklist(&agent, false);
    let sent = step(&anonymous, "contract_sent", None);
    assert_eq!(sent["state"], "done");
    assert!(
        sent.get("by").is_none() && sent.get("note").is_none(),
        "{sent:#}"
    );

    // The command line goes through the running agent.
    let cli = |args: &[&str]| {
        Command::new(agent_binary())
            .args(args)
            .arg("--config")
            .arg(agent.dir.path().join("config.toml"))
            .env("CPX_AGENT_TOKEN_FILE", agent.dir.path().join("token"))
            .env("XDG_DATA_HOME", agent.dir.path().join("data"))
            .output()
            .unwrap()
    };
    let out = cli(&["checklist", "tick", "elearning", "--note", "module fait"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout.contains("L'agent en cours l'affiche déjà"),
        "{stdout}"
    );
    let out = cli(&["checklist", "--json"]);
    assert_eq!(out.status.code(), Some(1), "not every step is done");
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state_of(&c, "elearning", None), "done");
    let out = cli(&["checklist"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Démarche RPPS+ : 4/9 étapes"), "{text}");
    assert!(text.contains("[x] Contrat et formulaire F101"), "{text}");
}

#[test]
fn setup_writes_a_config_that_keeps_its_comments_and_the_running_agent_rejudges() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let contract = format!(
        "# Poste de l'accueil — réglé par l'informatique\n[contract]\n# Signé en 2026\n\
         mode = \"centralised\"   # à confirmer\nej = \"{ROUEN_EJ}\"\n"
    );
    let agent = agent(&pcscd, &contract);
    // A manager card on an EG: wrong for a centralised contract.
    let _cpe = pcscd
        .insert(
            0,
            establishment(CardKind::Cpe, ROUEN_NORD),
            InsertOptions::default(),
        )
        .unwrap();
    let status = agent.wait_status("the card judged", |s| judged_cards(s) == 1);
    assert_eq!(card_at(&status, 0)["verdict"]["status"], "not_ready");
    let events = agent.events(None, false);
    assert_eq!(events.next().name, "snapshot");

    let config = agent.dir.path().join("config.toml");
    let setup = |args: &[&str]| {
        Command::new(agent_binary())
            .arg("setup")
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("CPX_AGENT_TOKEN_FILE", agent.dir.path().join("token"))
            .env("XDG_DATA_HOME", agent.dir.path().join("data"))
            .output()
            .unwrap()
    };
    // A refused contract (the EG is the EJ): nothing written.
    let before = std::fs::read_to_string(&config).unwrap();
    let out = setup(&[
        "--mode",
        "decentralised",
        "--ej",
        ROUEN_EJ,
        "--eg",
        ROUEN_EJ,
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("contract.egs[0]"),
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    let out = setup(&[
        "--mode",
        "decentralised",
        "--ej",
        ROUEN_EJ,
        "--eg",
        ROUEN_NORD,
        "--eg",
        ROUEN_SUD,
        "--yes",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout.contains("SITE FICTIF ROUEN NORD"),
        "looked up: {stdout}"
    );
    assert!(stdout.contains("L'agent en cours l'applique"), "{stdout}");
    let written = std::fs::read_to_string(&config).unwrap();
    for kept in [
        "# Poste de l'accueil — réglé par l'informatique",
        "# Signé en 2026",
        "# à confirmer",
        "accept_test_cards = true",
    ] {
        assert!(written.contains(kept), "{kept} lost:\n{written}");
    }
    assert!(written.contains("mode = \"decentralised\""), "{written}");

    // The running agent judged the card again: on a contracted EG now.
    let status = agent.wait_status("the card judged again", |s| {
        card_at(s, 0)["verdict"]["status"] != "not_ready"
    });
    assert!(
        finding_codes(card_at(&status, 0)).contains(&"contract_match".to_string()),
        "{status:#}"
    );
    let seen = events.until("config_reloaded");
    assert_eq!(seen.last().unwrap().data["mode"], "decentralised");
    let c = wait_checklist(&agent, "the decentralised checklist", |c| {
        c["mode"] == "decentralised"
    });
    assert_eq!(c["egs"], json!([ROUEN_NORD, ROUEN_SUD]));
}
