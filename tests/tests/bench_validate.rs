//! `cpx-agent validate` end to end: a technician's batch of five cards (two good, a CPE on
//! another FINESS, an expired card, a Vitale-like card that is not a CPx card) inserted one
//! after the other through a real pcscd and the emulator, with an agent running on the same
//! desk: one line per card at once, a card taken out and put back counted once, the summary,
//! the exit code, the journal with the batch id; the card never reset.

mod bench_support;
mod daemon_support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use bench_support::*;
use cpx_testkit::card::{CpxCard, CpxCardSpec, PlainIsoCard};
use cpx_testkit::pki::{CardCertsBuilder, CertValidity};
use cpx_testkit::{CardKind, CardLog, InsertOptions, PrivatePcscd};
use serde_json::Value;

const LINE_WAIT: Duration = Duration::from_secs(15);

/// Puts one card of the batch in reader `r`.
type Inserter<'a> = Box<dyn FnOnce(usize) -> cpx_testkit::InsertedCard + 'a>;

fn cpx(kind: CardKind, finess: &str, validity: CertValidity) -> CpxCard {
    CpxCard::new(CpxCardSpec::new(
        CardCertsBuilder::new(kind)
            .finess(finess)
            .validity(validity)
            .build(),
    ))
}

fn logged(dir: &std::path::Path, i: usize) -> InsertOptions {
    InsertOptions {
        log: Some(dir.join(format!("card{i}.jsonl"))),
        ..InsertOptions::default()
    }
}

#[test]
fn a_batch_of_five_cards_gives_one_line_each_a_summary_and_the_journal() {
    let started = Instant::now();
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = config();
    let logs = tempfile::tempdir().unwrap();
    // An agent runs on the desk meanwhile: both read every card, in shared mode.
    let agent = daemon_support::Agent::start(&pcscd);

    let mut child = command(
        Some(&pcscd),
        &config,
        &["validate", "--json", "--count", "5"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let out = lines(child.stdout.take().unwrap());
    let err = lines(child.stderr.take().unwrap());
    assert!(next_line(&err, LINE_WAIT, "the prompt").contains("insérez les cartes"));

    let good_cde = cpx(CardKind::Cde, EJ, CertValidity::Valid);
    let again = good_cde.clone();
    let cards: Vec<(&str, Inserter<'_>)> = vec![
        (
            "good CDE",
            Box::new(|r| pcscd.insert(r, good_cde, logged(logs.path(), 0)).unwrap()),
        ),
        (
            "good CPE",
            Box::new(|r| {
                pcscd
                    .insert(
                        r,
                        cpx(CardKind::Cpe, EJ, CertValidity::Valid),
                        logged(logs.path(), 1),
                    )
                    .unwrap()
            }),
        ),
        (
            "CPE elsewhere",
            Box::new(|r| {
                pcscd
                    .insert(
                        r,
                        cpx(CardKind::Cpe, OTHER_FINESS, CertValidity::Valid),
                        logged(logs.path(), 2),
                    )
                    .unwrap()
            }),
        ),
        (
            "expired CDE",
            Box::new(|r| {
                pcscd
                    .insert(
                        r,
                        cpx(CardKind::Cde, EJ, CertValidity::Expired),
                        logged(logs.path(), 3),
                    )
                    .unwrap()
            }),
        ),
        (
            "Vitale-like",
            Box::new(|r| {
                pcscd
                    .insert(r, PlainIsoCard, logged(logs.path(), 4))
                    .unwrap()
            }),
        ),
    ];
    let mut results: Vec<Value> = Vec::new();
    for (i, (what, insert)) in cards.into_iter().enumerate() {
        // Any reader will do: alternate.
        let card = insert(i % 2);
        let line = out.recv_timeout(LINE_WAIT).unwrap_or_else(|_| {
            let said: Vec<String> = err.try_iter().collect();
            panic!(
                "no line for the {what}; stderr: {said:#?}\n{}",
                agent.stderr()
            )
        });
        results.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
        // The agent has judged it too (a card pulled while two programs read it is a
        // different test: e2e_faults).
        let reader = pcscd.readers()[i % 2].name.clone();
        agent.wait_status("the agent's verdict", |s| {
            daemon_support::reader_named(s, &reader)["card"]["verdict"].is_object()
        });
        card.remove();
        if i == 1 {
            // The first card again, taken out and put back: counted once.
            let card = pcscd
                .insert(0, again.clone(), InsertOptions::default())
                .unwrap();
            let notice = next_line(&err, LINE_WAIT, "the re-inserted card");
            assert!(notice.contains("déjà vérifiée"), "{notice}");
            let reader = pcscd.readers()[0].name.clone();
            agent.wait_status("the agent's verdict", |s| {
                daemon_support::reader_named(s, &reader)["card"]["verdict"].is_object()
            });
            card.remove();
        }
    }
    let output = wait_output(child, Duration::from_secs(15));
    let summary: Vec<String> = err.try_iter().collect();
    assert_eq!(
        output.status.code(),
        Some(1),
        "not every card was good: {summary:?}"
    );
    assert!(
        out.try_iter().next().is_none(),
        "one line per card, no more"
    );

    let ok: Vec<bool> = results.iter().map(|r| r["ok"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, true, false, false, false], "{results:#?}");
    let codes = |i: usize| -> Vec<String> {
        results[i]["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(codes(0).contains(&"contract_match".to_owned()));
    assert!(
        codes(2).contains(&"finess_mismatch".to_owned()),
        "{:?}",
        codes(2)
    );
    assert!(
        codes(3).contains(&"card_expired".to_owned()),
        "{:?}",
        codes(3)
    );
    assert_eq!(codes(4), ["not_a_cpx_card"]);
    assert_eq!(results[4]["kind"], "pas une carte CPx");
    assert_eq!(results[2]["structure_finess"], OTHER_FINESS);
    for r in &results[..4] {
        assert_eq!(r["kind"], "CDE/CPE");
        // The number printed on the card: the 10 digits (issue 9), its issuer apart.
        let number = r["card_number"].as_str().unwrap();
        assert!(
            number.len() == 10 && number.bytes().all(|b| b.is_ascii_digit()),
            "{r}"
        );
    }
    for r in &results[2..] {
        assert!(r["reason"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
    }
    let batch = results[0]["batch"].as_str().unwrap().to_owned();
    assert!(results.iter().all(|r| r["batch"] == batch.as_str()));
    let mut numbers: Vec<&str> = results[..4]
        .iter()
        .map(|r| r["card_number"].as_str().unwrap())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 4, "each emulated card has its own number");
    let summary = summary.join("\n");
    assert!(
        summary.contains(&format!(
            "Bilan du lot {batch} : 5 carte(s) vérifiée(s), 2 bonne(s), 3 à écarter."
        )),
        "{summary}"
    );

    // The journal has the five, with the batch and its judgement.
    let journal = run(None, &config, &["journal", "--json"]);
    assert_eq!(journal.status.code(), Some(0), "{}", text(&journal.stderr));
    let listing: Value = serde_json::from_slice(&journal.stdout).unwrap();
    let cards = listing["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 5, "{listing:#}");
    for c in cards {
        assert_eq!(c["batch"], batch.as_str());
        assert_eq!(c["times_seen"], 1, "re-inserted, still once: {c}");
    }
    let good: Vec<_> = cards.iter().filter(|c| c["batch_ok"] == true).collect();
    assert_eq!(good.len(), 2);
    let kinds = run(None, &config, &["journal", "--json", "--kind", "autre"]);
    let listing: Value = serde_json::from_slice(&kinds.stdout).unwrap();
    assert_eq!(listing["cards"].as_array().unwrap().len(), 1);

    // Shared mode: neither the batch nor the agent ever reset a card.
    for i in 0..5 {
        let log = CardLog::load(&logs.path().join(format!("card{i}.jsonl"))).unwrap();
        assert_eq!(log.resets(), 0, "card {i} reset");
        assert_eq!(log.verifies_with_data(), 0, "card {i}: VERIFY with data");
    }
    drop(agent);
    println!("batch of five: {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn a_good_batch_in_words_exits_0_and_checks_what_was_expected() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let config = config();
    let first = pcscd
        .insert(
            0,
            cpx(CardKind::Cde, EJ, CertValidity::Valid),
            InsertOptions::default(),
        )
        .unwrap();
    let second = pcscd
        .insert(
            1,
            cpx(CardKind::Cpe, EJ, CertValidity::ExpiresInDays(10)),
            InsertOptions::default(),
        )
        .unwrap();
    first.wait_powered(Duration::from_secs(5));
    second.wait_powered(Duration::from_secs(5));
    // Cards already in the readers when the batch starts are checked too.
    let output = run(
        Some(&pcscd),
        &config,
        &[
            "validate",
            "--count",
            "2",
            "--expect-kind",
            "cde",
            "--expect-finess",
            EJ,
        ],
    );
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with('✓')).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines
            .iter()
            .all(|l| l
                .split_once("CDE/CPE n° ")
                .is_some_and(|(_, rest)| rest.len() > 10
                    && rest.as_bytes()[..10].iter().all(u8::is_ascii_digit))),
        "{stdout}"
    );
    assert!(
        lines.iter().all(|l| l.contains(&format!("FINESS {EJ}"))),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.contains("à surveiller")),
        "expiring soon: {stdout}"
    );
    assert!(
        stdout.contains("2 carte(s) vérifiée(s), 2 bonne(s), 0 à écarter."),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour when not on a terminal");

    // The same cards against another expectation: ✗ with the reason, exit 1.
    let output = run(
        Some(&pcscd),
        &config,
        &[
            "validate",
            "--count",
            "2",
            "--json",
            "--expect-kind",
            "cps",
            "--expect-finess",
            OTHER_FINESS,
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    for line in text(&output.stdout).lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        assert_eq!(r["ok"], false);
        assert_eq!(r["expected_kind_ok"], false);
        assert_eq!(r["expected_finess_ok"], false);
        assert!(
            r["reason"].as_str().unwrap().contains("type inattendu"),
            "{r}"
        );
    }
}
