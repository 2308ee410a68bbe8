use super::*;
use crate::checklist::store::ticks_of;
use crate::model::checklist::{HistoryEntry, StepId, StepState};
use crate::model::status::{CardView, ReaderView, ServiceState};
use crate::model::verdict::Verdict;
use cpx_card::fixtures::ReportBuilder;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-03 10:00 UTC);
const EJ: &str = "750712184";
const EG1: &str = "750100125";
const EG2: &str = "010000024";

fn f(s: &str) -> Finess {
    Finess::parse(s).unwrap()
}

fn centralised() -> Contract {
    Contract {
        mode: ContractMode::Centralised,
        ej: f(EJ),
        egs: vec![f(EG1)],
    }
}

fn decentralised() -> Contract {
    Contract {
        mode: ContractMode::Decentralised,
        ej: f(EJ),
        egs: vec![f(EG1), f(EG2)],
    }
}

fn seen(finess: &str, director: bool, usable: bool, day: &str) -> SeenCard {
    SeenCard {
        kind: "CDE/CPE".into(),
        finess: finess.into(),
        director,
        status: if usable { "ready" } else { "not_ready" }.into(),
        codes: Vec::new(),
        first_seen: day.into(),
        last_seen: day.into(),
        usable_seen: usable.then(|| day.to_string()),
    }
}

fn tick(step: &str, eg: Option<&str>, action: &str, at: &str) -> HistoryEntry {
    HistoryEntry {
        step: step.into(),
        eg: eg.map(str::to_string),
        action: action.into(),
        date: Some(at[..10].to_string()),
        at: at.into(),
        by: "gestionnaire".into(),
        note: Some("copie dans le classeur".into()),
        origin: "cli".into(),
    }
}

fn live_card(finess: &str, title: &str, status: Status, findings: Vec<Finding>) -> ReaderView {
    let report = ReportBuilder::establishment(finess)
        .atr("")
        .serial("01")
        .holder_name(None, None)
        .title(title)
        .structure_name(None)
        .apdu_count(0)
        .build();
    ReaderView {
        id: "lecteur".into(),
        name: "Lecteur 1".into(),
        model: None,
        card: Some(CardView {
            card_id: None,
            report,
            verdict: Verdict {
                status,
                findings,
                directory_name: None,
            },
        }),
        read_error: None,
    }
}

fn mismatch() -> Finding {
    Finding::new(
        "finess_mismatch",
        Severity::Error,
        "La carte n'est pas sur le FINESS du contrat.".into(),
        "Commandez une carte sur le FINESS de l'EJ (formulaire F301).".into(),
    )
}

struct Case {
    contract: Option<Contract>,
    finess: FinessEvidence,
    history: Vec<HistoryEntry>,
    cards: Vec<SeenCard>,
    reader: Option<String>,
    live: Option<StatusSnapshot>,
}

impl Case {
    fn new(contract: Option<Contract>) -> Case {
        Case {
            contract,
            finess: FinessEvidence::NoDirectory,
            history: Vec::new(),
            cards: Vec::new(),
            reader: None,
            live: None,
        }
    }

    fn run(&self) -> Checklist {
        let ticks = ticks_of(&self.history);
        evaluate(&Inputs {
            contract: self.contract.as_ref(),
            ars_contact: None,
            finess: &self.finess,
            ticks: &ticks,
            cards: &self.cards,
            reader_seen: self.reader.as_deref(),
            live: self.live.as_ref(),
            now: NOW,
        })
    }
}

fn line<'a>(c: &'a Checklist, id: StepId, eg: Option<&str>) -> &'a Step {
    c.steps
        .iter()
        .find(|s| s.id == id && s.eg.as_deref() == eg)
        .unwrap_or_else(|| panic!("no line {id} {eg:?} in {c:#?}"))
}

#[test]
fn without_a_contract_everything_is_to_do_and_says_how_to_start() {
    let c = Case::new(None).run();
    assert_eq!(c.steps.len(), 10);
    let ids: Vec<StepId> = c.steps.iter().map(|s| s.id).collect();
    assert_eq!(ids, StepId::ALL);
    assert_eq!(c.summary.done, 0);
    assert_eq!(c.summary.total, 9, "the optional step does not count");
    let next = c.summary.next.as_ref().unwrap();
    assert_eq!(next.id, StepId::FinessData);
    assert!(line(&c, StepId::ContractMode, None)
        .detail
        .as_deref()
        .unwrap()
        .contains("cpx-agent setup"));
    assert_eq!(
        line(&c, StepId::CertificatesOrgServ, None).state,
        StepState::Optional
    );
    // The texts name the seed's addresses, forms and portals.
    let sent = line(&c, StepId::ContractSent, None);
    assert!(sent
        .what_to_do
        .contains("monserviceclient.annuaire@esante.gouv.fr"));
    assert!(sent.what_to_do.contains("F101"));
    assert!(line(&c, StepId::ManagerCards, None)
        .what_to_do
        .contains("F301"));
    assert!(line(&c, StepId::ManagerCards, None)
        .what_to_do
        .contains("TOM"));
    assert!(line(&c, StepId::Habilitation, None)
        .what_to_do
        .contains("Mes habilitations"));
    assert!(line(&c, StepId::Registration, None)
        .what_to_do
        .contains("https://validation-enreg.esante.gouv.fr"));
}

#[test]
fn a_centralised_contract_is_one_line_per_step_and_the_mode_is_done_by_the_agent() {
    let c = Case::new(Some(centralised())).run();
    assert_eq!(c.steps.len(), 10);
    let mode = line(&c, StepId::ContractMode, None);
    assert_eq!(mode.state, StepState::Done);
    assert_eq!(mode.source, Some(Source::Agent));
    assert!(mode.detail.as_deref().unwrap().contains("recommandé"));
    assert!(!mode.tickable);
    assert_eq!(c.summary.done, 1);
    assert_eq!(c.mode.as_deref(), Some("centralised"));
    // The FINESS remedy names the ARS of the EJ's region (Paris: Île-de-France).
    assert!(line(&c, StepId::FinessData, None)
        .what_to_do
        .contains("ARS Île-de-France"));
    assert!(line(&c, StepId::ManagerCards, None).what_to_do.contains(EJ));
}

#[test]
fn a_decentralised_contract_has_one_line_per_eg_for_contract_cde_and_manager_cards() {
    let c = Case::new(Some(decentralised())).run();
    assert_eq!(c.steps.len(), 7 + 3 * 2);
    for id in [
        StepId::ContractSent,
        StepId::CdeReceived,
        StepId::ManagerCards,
    ] {
        for eg in [EG1, EG2] {
            let l = line(&c, id, Some(eg));
            assert!(l.title.contains(eg), "{}", l.title);
        }
    }
    assert!(line(&c, StepId::ManagerCards, Some(EG2))
        .what_to_do
        .contains(EG2));
    assert_eq!(c.summary.total, 12);
}

#[test]
fn the_directory_check_makes_finess_data_done_or_attention() {
    use crate::finess::check::{CheckReport, CheckedNumber, Role};
    use crate::finess::DirectoryInfo;
    let info = DirectoryInfo {
        data_date: Some("2026-11-20".into()),
        imported_at: "2026-11-25T08:00:00Z".into(),
        files: Vec::new(),
        ej_count: 1,
        eg_count: 1,
    };
    let clean = CheckReport {
        directory: info.clone(),
        checked: vec![CheckedNumber {
            role: Role::Ej,
            finess: EJ.into(),
            found: None,
            name: Some("AP-HP".into()),
        }],
        findings: Vec::new(),
    };
    let mut case = Case::new(Some(centralised()));
    case.finess = FinessEvidence::Checked(Box::new(clean.clone()));
    let c = case.run();
    let step = line(&c, StepId::FinessData, None);
    assert_eq!(step.state, StepState::Done);
    assert_eq!(step.source, Some(Source::Agent));
    assert_eq!(step.at.as_deref(), Some("2026-11-25"));
    assert!(step
        .detail
        .as_deref()
        .unwrap()
        .contains("EJ 750712184 (AP-HP)"));
    assert_eq!(c.ej_name.as_deref(), Some("AP-HP"));

    let mut wrong = clean;
    wrong.findings.push(Finding::new(
        "eg_not_in_contract_ej",
        Severity::Error,
        "L'EG n'est pas rattaché à l'EJ.".into(),
        "Écrivez au service FINESS de l'ARS.".into(),
    ));
    case.finess = FinessEvidence::Checked(Box::new(wrong));
    // Even a person's tick does not hide what the directory says.
    case.history.push(tick(
        "finess_data",
        None,
        "tick",
        "2026-12-01T09:00:00.000000Z",
    ));
    let c = case.run();
    let step = line(&c, StepId::FinessData, None);
    assert_eq!(step.state, StepState::Attention);
    assert_eq!(step.findings[0].code, "eg_not_in_contract_ej");
    assert_eq!(c.summary.attention, 1);
    assert_eq!(c.summary.next.as_ref().unwrap().id, StepId::FinessData);
}

#[test]
fn ticks_count_and_the_latest_entry_wins() {
    let mut case = Case::new(Some(centralised()));
    case.history = vec![
        tick("contract_sent", None, "tick", "2026-12-01T09:00:00.000000Z"),
        tick("elearning", None, "tick", "2026-12-01T09:00:00.000000Z"),
        tick("elearning", None, "untick", "2026-12-02T09:00:00.000000Z"),
        tick(
            "certificates_org_serv",
            None,
            "not_applicable",
            "2026-12-02T09:00:00.000000Z",
        ),
        // The mode is the configuration's: a tick on it is ignored.
        tick(
            "contract_mode",
            None,
            "untick",
            "2026-12-02T09:00:00.000000Z",
        ),
    ];
    let c = case.run();
    let sent = line(&c, StepId::ContractSent, None);
    assert_eq!(sent.state, StepState::Done);
    assert_eq!(sent.source, Some(Source::Person));
    assert_eq!(sent.at.as_deref(), Some("2026-12-01"));
    assert_eq!(sent.by.as_deref(), Some("gestionnaire"));
    assert_eq!(sent.note.as_deref(), Some("copie dans le classeur"));
    assert_eq!(line(&c, StepId::Elearning, None).state, StepState::Todo);
    assert_eq!(
        line(&c, StepId::CertificatesOrgServ, None).state,
        StepState::NotApplicable
    );
    assert_eq!(line(&c, StepId::ContractMode, None).state, StepState::Done);
    assert_eq!((c.summary.done, c.summary.total), (2, 9));
    assert_eq!(c.summary.next.as_ref().unwrap().id, StepId::FinessData);

    let mut redacted = c.clone();
    crate::model::checklist::redact_person(&mut redacted);
    let text = serde_json::to_string(&redacted).unwrap();
    assert!(
        !text.contains("\"by\"") && !text.contains("classeur"),
        "{text}"
    );
}

#[test]
fn cards_seen_on_the_contract_tick_the_cde_and_the_manager_cards() {
    let mut case = Case::new(Some(centralised()));
    case.cards = vec![seen(EJ, true, true, "2026-12-02")];
    let c = case.run();
    let cde = line(&c, StepId::CdeReceived, None);
    assert_eq!(cde.state, StepState::Done);
    assert_eq!(cde.source, Some(Source::Agent));
    assert_eq!(cde.at.as_deref(), Some("2026-12-02"));
    assert!(
        cde.detail.as_deref().unwrap().contains("confirmez"),
        "{cde:?}"
    );
    assert_eq!(line(&c, StepId::ManagerCards, None).state, StepState::Todo);

    // A manager card, usable, but no reader recorded yet: not done.
    case.cards.push(seen(EJ, false, true, "2026-12-03"));
    let c = case.run();
    assert_eq!(line(&c, StepId::ManagerCards, None).state, StepState::Todo);
    case.reader = Some("2026-12-03".into());
    let c = case.run();
    let managers = line(&c, StepId::ManagerCards, None);
    assert_eq!(managers.state, StepState::Done);
    assert_eq!(managers.at.as_deref(), Some("2026-12-03"));

    // A card on another FINESS ticks nothing.
    let mut other = Case::new(Some(centralised()));
    other.cards = vec![seen(EG1, true, true, "2026-12-02")];
    other.reader = Some("2026-12-02".into());
    let c = other.run();
    assert_eq!(line(&c, StepId::CdeReceived, None).state, StepState::Todo);

    // A CDE/CPE without a director's title: the CDE step asks to confirm.
    let mut manager_only = Case::new(Some(centralised()));
    manager_only.cards = vec![seen(EJ, false, false, "2026-12-01")];
    let c = manager_only.run();
    let cde = line(&c, StepId::CdeReceived, None);
    assert_eq!(cde.state, StepState::Todo);
    assert!(cde.hint.as_deref().unwrap().contains("cochez"), "{cde:?}");
}

#[test]
fn decentralised_cards_tick_their_own_eg_line() {
    let mut case = Case::new(Some(decentralised()));
    case.cards = vec![seen(EG2, true, true, "2026-12-02")];
    let c = case.run();
    assert_eq!(
        line(&c, StepId::CdeReceived, Some(EG2)).state,
        StepState::Done
    );
    assert_eq!(
        line(&c, StepId::CdeReceived, Some(EG1)).state,
        StepState::Todo
    );
}

#[test]
fn a_card_in_a_reader_off_the_contract_or_not_ready_sets_attention_with_its_remedy() {
    let mut case = Case::new(Some(centralised()));
    case.history.push(tick(
        "manager_cards",
        None,
        "tick",
        "2026-12-01T09:00:00.000000Z",
    ));
    case.live = Some(StatusSnapshot::new(
        ServiceState::Running,
        vec![live_card(
            EG1,
            "Personnel santé ou social",
            Status::NotReady,
            vec![mismatch()],
        )],
    ));
    let c = case.run();
    let managers = line(&c, StepId::ManagerCards, None);
    assert_eq!(managers.state, StepState::Attention);
    assert!(managers.findings[0].remedy.contains("F301"));
    assert!(managers.detail.as_deref().unwrap().contains(EG1));
    assert_eq!(line(&c, StepId::CdeReceived, None).state, StepState::Todo);

    // A director's card on the contract, expired: the CDE step.
    case.live = Some(StatusSnapshot::new(
        ServiceState::Running,
        vec![live_card(
            EJ,
            "Directeur d'établissement",
            Status::NotReady,
            vec![Finding::new(
                "card_expired",
                Severity::Error,
                "Carte expirée.".into(),
                "Renouvelez-la.".into(),
            )],
        )],
    ));
    let c = case.run();
    assert_eq!(
        line(&c, StepId::CdeReceived, None).state,
        StepState::Attention
    );
    assert_eq!(line(&c, StepId::ManagerCards, None).state, StepState::Done);

    // A ready manager card in a reader: the registration step hints at the portal.
    case.live = Some(StatusSnapshot::new(
        ServiceState::Running,
        vec![live_card(EJ, "Personnel", Status::Ready, Vec::new())],
    ));
    let c = case.run();
    let hint = line(&c, StepId::Registration, None).hint.clone().unwrap();
    assert!(
        hint.contains("Lecteur 1") && hint.contains("portail RPPS+"),
        "{hint}"
    );
}
