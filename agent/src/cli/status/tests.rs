use super::*;
use crate::model::status::{CardView, ReaderView, ServiceState};
use crate::model::verdict::Verdict;
use cpx_card::{combine, identify, CardKind};

fn card(atr: &[u8], status: Status) -> CardView {
    CardView {
        card_id: None,
        report: combine(atr, Vec::new()),
        verdict: Verdict {
            status,
            findings: vec![],
            directory_name: None,
        },
    }
}

const CPS3: &[u8] = &[
    0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90,
    0x00,
];
const VITALE: &[u8] = &[0x3B, 0x65, 0x00, 0x00, 0x9C, 0x02, 0x02, 0x01, 0x02];

fn snap(cards: Vec<(Option<CardView>, Option<&str>)>) -> StatusSnapshot {
    StatusSnapshot {
        service: ServiceState::Running,
        readers: cards
            .into_iter()
            .enumerate()
            .map(|(i, (card, err))| ReaderView {
                id: format!("r{i}"),
                name: format!("Reader {i}"),
                model: None,
                card,
                read_error: err.map(|message| crate::model::status::ReadFailure {
                    code: crate::model::status::ReadFailureCode::CardError,
                    message: message.into(),
                }),
            })
            .collect(),
        checklist: None,
        finess_directory: None,
    }
}

#[test]
fn exit_codes() {
    assert_eq!(identify(CPS3), CardFamily::Cps3);
    assert_eq!(identify(VITALE), CardFamily::NotCpx);
    let ready = || Some(card(CPS3, Status::Ready));
    let vitale = || Some(card(VITALE, Status::NotReady));
    assert_eq!(exit_code(&snap(vec![])), exit::FINDINGS, "no reader");
    assert_eq!(
        exit_code(&snap(vec![(None, None)])),
        exit::FINDINGS,
        "no card"
    );
    assert_eq!(exit_code(&snap(vec![(ready(), None)])), exit::OK);
    assert_eq!(
        exit_code(&snap(vec![(ready(), None), (None, None)])),
        exit::OK,
        "an empty reader beside a ready card"
    );
    assert_eq!(
        exit_code(&snap(vec![(ready(), None), (vitale(), None)])),
        exit::OK,
        "a Vitale card beside a ready CPx"
    );
    assert_eq!(exit_code(&snap(vec![(vitale(), None)])), exit::FINDINGS);
    for s in [Status::Warning, Status::NotReady, Status::Unknown] {
        let other = Some(card(CPS3, s));
        assert_eq!(
            exit_code(&snap(vec![(ready(), None), (other, None)])),
            exit::FINDINGS,
            "{s:?}"
        );
    }
    assert_eq!(
        exit_code(&snap(vec![(ready(), None), (None, Some("carte muette"))])),
        exit::FINDINGS
    );
    assert_eq!(card(CPS3, Status::Ready).report.kind, CardKind::Unknown);
}

#[test]
fn human_output_one_block_per_reader_verdict_first() {
    let mut c = card(VITALE, Status::NotReady);
    c.verdict = crate::judge::judge(
        &c.report,
        &crate::config::Config::default(),
        time::OffsetDateTime::now_utc(),
        None,
    );
    let text = human::snapshot(&snap(vec![(Some(c), None), (None, None)]), &[]);
    assert!(text.contains("Lecteur « Reader 0 »"), "{text}");
    assert!(text.contains("Lecteur « Reader 1 »"), "{text}");
    assert!(text.contains("aucune carte dans ce lecteur"), "{text}");
    let verdict = text.find("NON PRÊTE").expect("verdict shown");
    let atr = text.find("3B 65 00 00").expect("ATR shown");
    assert!(verdict < atr, "verdict first:\n{text}");
    assert!(text.contains("not_a_cpx_card"), "{text}");
    assert!(text.contains("→ Retirez-la"), "{text}");
}

#[test]
fn no_reader_explained_by_usb_devices() {
    use crate::usb::{UsbReader, UsbReaderKind};
    let empty = snap(vec![]);
    let text = human::snapshot(&empty, &[]);
    assert!(text.contains("Aucun lecteur"), "{text}");
    let terminal = UsbReader {
        id: "0f14:003b".into(),
        manufacturer: Some("Ingenico".into()),
        product: Some("Leo".into()),
        kind: UsbReaderKind::HealthTerminalNoCcid,
    };
    let text = human::snapshot(&empty, &[terminal]);
    assert!(!text.contains("Aucun lecteur"), "{text}");
    assert!(
        text.contains("Ingenico Leo") && text.contains("0f14:003b"),
        "{text}"
    );
    assert!(text.contains("mode PC/SC"), "{text}");
}
