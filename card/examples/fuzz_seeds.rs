//! Writes the generated seeds of the fuzz targets (`fuzz/seeds/`): the card certificates of the
//! test PKI (`cert`), whole-card reads of emulated cards of every kind and generation as
//! answer transcripts (`card_read`, the format of `cpx_fuzz::split_answers`), and the card
//! files those reads fetched (`pkcs15`).
//!
//!     cargo run -p cpx-card --example fuzz_seeds -- fuzz/seeds

use std::path::{Path, PathBuf};

use cpx_card::{read_card, recognise_known, CardTransport, TransportError, TrustStore};
use cpx_testkit::card::{CpxCard, CpxCardSpec, Generation, SmartCard};
use cpx_testkit::pki::CardCertsBuilder;
use cpx_testkit::CardKind;

/// The emulated card, every answer kept.
struct Recorder {
    card: CpxCard,
    exchanges: Vec<(Vec<u8>, Vec<u8>)>,
}

impl CardTransport for Recorder {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let answer = self.card.transmit(apdu);
        self.exchanges.push((apdu.to_vec(), answer.clone()));
        Ok(answer)
    }
}

/// `cpx_fuzz::join_answers`: the ATR index, then each answer with its length.
fn transcript(atr_index: u8, answers: &[Vec<u8>]) -> Vec<u8> {
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

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    if let Err(e) =
        std::fs::create_dir_all(dir).and_then(|()| std::fs::write(dir.join(name), bytes))
    {
        panic!("{}: {e}", dir.join(name).display());
    }
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/seeds".into()),
    );
    let kinds = [
        CardKind::Cps,
        CardKind::Cpf,
        CardKind::Cde,
        CardKind::Cpe,
        CardKind::Cpa,
    ];
    // Index of the ATR in cpx_fuzz::ATRS: 0 CPS3, 2 CPS4, 3 CPS4 T=0.
    let generations = [
        (Generation::Cps3, 0u8, "cps3"),
        (Generation::Cps4, 2, "cps4"),
        (Generation::Cps4T0, 3, "cps4t0"),
    ];
    let mut files = std::collections::BTreeSet::new();
    for kind in kinds {
        let certs = CardCertsBuilder::new(kind).build();
        write(
            &out.join("cert"),
            &format!("{kind:?}-auth.der"),
            &certs.auth,
        );
        write(
            &out.join("cert"),
            &format!("{kind:?}-sign.der"),
            &certs.sign,
        );
        for (generation, atr_index, gname) in generations {
            let mut spec = CpxCardSpec::new(certs.clone());
            spec.generation = generation;
            if kind == CardKind::Cpe {
                spec.pin_tries_left = 1;
            }
            let card = CpxCard::new(spec);
            let atr = card.atr();
            let mut rec = Recorder {
                card,
                exchanges: Vec::new(),
            };
            let report = match read_card(&mut rec, &atr, &TrustStore::empty()) {
                Ok(r) => r,
                Err(e) => panic!("{kind:?} {gname}: {e}"),
            };
            let _ = recognise_known(&mut rec, &atr, &report);
            let answers: Vec<Vec<u8>> = rec.exchanges.iter().map(|(_, a)| a.clone()).collect();
            write(
                &out.join("card_read"),
                &format!("{kind:?}-{gname}"),
                &transcript(atr_index, &answers),
            );
            // The files read, between one SELECT and the next (data without the status word).
            let mut current = Vec::new();
            for (command, answer) in &rec.exchanges {
                if command.get(1) == Some(&0xA4) {
                    if !current.is_empty() {
                        files.insert(std::mem::take(&mut current));
                    }
                } else if command.get(1) == Some(&0xB0) && answer.len() > 2 {
                    current.extend_from_slice(&answer[..answer.len() - 2]);
                }
            }
            if !current.is_empty() {
                files.insert(current);
            }
        }
    }
    for (i, f) in files.iter().enumerate() {
        write(&out.join("pkcs15"), &format!("file-{i:02}"), f);
    }
    write(
        &out.join("cert"),
        "test-pki-bundle.pem",
        cpx_testkit::pki::TestPki::get().ca_bundle_pem().as_bytes(),
    );
    println!("seeds written under {}", out.display());
}
