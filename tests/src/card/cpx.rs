//! The emulated CPS3/CPS4 card: file system per domain.md §3, SELECT/READ BINARY/VERIFY with
//! the card's quirks, the PIN counter, PIN-protected practice locations.

use super::apdu::{respond, sw, Command};
use super::fs::{Body, FileSystem, MF};
use super::pkcs15::{self, fid};
use super::{atr_bytes as atr, SmartCard};
use crate::pki::{CardCerts, CardCertsBuilder};
use crate::CardKind;

/// Card generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Generation {
    #[default]
    Cps3,
    Cps4,
    /// CPS4 presenting its T=0 ATR: a command with data whose answer has data gets `61 xx`
    /// and the data comes with GET RESPONSE (`00 C0 00 00 xx`).
    Cps4T0,
}

impl Generation {
    fn is_cps4(self) -> bool {
        matches!(self, Generation::Cps4 | Generation::Cps4T0)
    }
}

/// A practice location ("situation d'exercice"), stored PIN-protected in D120..D12F.
#[derive(Clone, Debug)]
pub struct PracticeLocation {
    /// Structure id type (TRE_G07): "1" FINESS, "3" SIRET, "4" RPPS practice…
    pub id_type: String,
    pub id: String,
    pub label: String,
}

/// Everything that makes one emulated CPx card.
#[derive(Clone, Debug)]
pub struct CpxCardSpec {
    pub generation: Generation,
    pub certs: CardCerts,
    /// The holder's PIN (4 to 8 digits).
    pub pin: String,
    /// Tries left at insertion (3 = fresh; 0 = blocked).
    pub pin_tries_left: u8,
    pub practice_locations: Vec<PracticeLocation>,
}

impl CpxCardSpec {
    pub fn new(certs: CardCerts) -> Self {
        let practice_locations = vec![PracticeLocation {
            id_type: "1".into(),
            id: crate::pki::DEFAULT_FINESS.into(),
            label: "CABINET DE TEST".into(),
        }];
        CpxCardSpec {
            generation: Generation::Cps3,
            certs,
            pin: "1234".into(),
            pin_tries_left: PIN_TRIES_MAX,
            practice_locations,
        }
    }

    /// A card of this kind with the builder's defaults.
    pub fn of_kind(kind: CardKind) -> Self {
        CpxCardSpec::new(CardCertsBuilder::new(kind).build())
    }
}

/// The PIN is reference 1, with 3 tries.
pub const PIN_REFERENCE: u8 = 0x01;
pub const PIN_TRIES_MAX: u8 = 3;

/// An emulated CPx card.
#[derive(Clone, Debug)]
pub struct CpxCard {
    spec: CpxCardSpec,
    fs: FileSystem,
    /// Non-volatile PIN counter.
    tries_left: u8,
    /// Volatile state (lost on reset).
    current_df: Vec<u16>,
    current_ef: Option<Vec<u16>>,
    pin_verified: bool,
    /// T=0: response data waiting for GET RESPONSE.
    pending: Vec<u8>,
}

impl CpxCard {
    pub fn new(spec: CpxCardSpec) -> Self {
        let fs = build_fs(&spec);
        CpxCard {
            tries_left: spec.pin_tries_left.min(PIN_TRIES_MAX),
            spec,
            fs,
            current_df: vec![MF],
            current_ef: None,
            pin_verified: false,
            pending: Vec::new(),
        }
    }

    pub fn of_kind(kind: CardKind) -> Self {
        CpxCard::new(CpxCardSpec::of_kind(kind))
    }

    pub fn spec(&self) -> &CpxCardSpec {
        &self.spec
    }

    pub fn pin_tries_left(&self) -> u8 {
        self.tries_left
    }

    fn select(&mut self, c: &Command) -> Vec<u8> {
        // P2: 04 = return FCP, 0C = no response data; anything else is refused (P2=00 → 6A86).
        let want_fcp = match c.p2 {
            0x04 => true,
            0x0C => false,
            _ => return sw::WRONG_P1P2.to_vec(),
        };
        let fids: Vec<u16> = c
            .data
            .chunks(2)
            .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
            .collect();
        let target: Option<Vec<u16>> = match c.p1 {
            // By FID (P1 00 any, 01 a DF, 02 an EF): the MF, or a child of the current DF.
            0x00..=0x02 => {
                if c.data.len() != 2 {
                    return sw::WRONG_LENGTH.to_vec();
                }
                let f = fids[0];
                if f == MF {
                    Some(vec![MF])
                } else {
                    let mut child = self.current_df.clone();
                    child.push(f);
                    let want_df = c.p1 == 0x01;
                    let want_ef = c.p1 == 0x02;
                    self.fs
                        .get(&child)
                        .filter(|x| !(want_df && !x.is_df() || want_ef && x.is_df()))
                        .map(|x| x.path.clone())
                }
            }
            // By DF name (AID).
            0x04 => {
                if c.data.is_empty() {
                    return sw::WRONG_LENGTH.to_vec();
                }
                if c.data == pkcs15::AID_IAS_ECC_ROOT {
                    Some(vec![MF])
                } else {
                    self.fs.by_aid(c.data).map(|x| x.path.clone())
                }
            }
            // Path from the MF without 3F00.
            0x08 => {
                if c.data.is_empty() || !c.data.len().is_multiple_of(2) {
                    return sw::WRONG_LENGTH.to_vec();
                }
                let mut p = vec![MF];
                p.extend(&fids);
                self.fs.get(&p).map(|x| x.path.clone())
            }
            // Path from the current DF: the card wants the path to start with 3F00, or 6A82.
            0x09 => {
                if c.data.is_empty() || !c.data.len().is_multiple_of(2) {
                    return sw::WRONG_LENGTH.to_vec();
                }
                if fids.first() == Some(&MF) {
                    self.fs.get(&fids).map(|x| x.path.clone())
                } else {
                    None
                }
            }
            _ => return sw::WRONG_P1P2.to_vec(),
        };
        let Some(path) = target else {
            return sw::FILE_NOT_FOUND.to_vec();
        };
        let Some(file) = self.fs.get(&path).cloned() else {
            return sw::FILE_NOT_FOUND.to_vec();
        };
        if file.is_df() {
            self.current_df = path;
            self.current_ef = None;
        } else {
            self.current_df = path[..path.len() - 1].to_vec();
            self.current_ef = Some(path);
        }
        if want_fcp {
            respond(&file.fcp(), sw::OK)
        } else {
            sw::OK.to_vec()
        }
    }

    fn read_binary(&mut self, c: &Command) -> Vec<u8> {
        if !c.data.is_empty() {
            return sw::WRONG_LENGTH.to_vec();
        }
        let Some(le) = c.le else {
            return sw::WRONG_LENGTH.to_vec();
        };
        let (path, offset) = if c.p1 & 0x80 != 0 {
            let sfi = c.p1 & 0x1F;
            match self.fs.by_sfi(&self.current_df, sfi) {
                Some(f) => (f.path.clone(), usize::from(c.p2)),
                None => return sw::FILE_NOT_FOUND.to_vec(),
            }
        } else {
            match &self.current_ef {
                Some(p) => (p.clone(), usize::from(c.p1 & 0x7F) << 8 | usize::from(c.p2)),
                None => return sw::NO_CURRENT_EF.to_vec(),
            }
        };
        let Some(file) = self.fs.get(&path) else {
            return sw::FILE_NOT_FOUND.to_vec();
        };
        let Body::Ef { data, .. } = &file.body else {
            return sw::INCOMPATIBLE_FILE.to_vec();
        };
        if file.pin_protected && !self.pin_verified {
            return sw::SECURITY_NOT_SATISFIED.to_vec();
        }
        if c.p1 & 0x80 != 0 {
            self.current_df = path[..path.len() - 1].to_vec();
            self.current_ef = Some(path.clone());
        }
        if offset >= data.len() {
            return sw::WRONG_OFFSET.to_vec();
        }
        let end = (offset + le).min(data.len());
        let chunk = &data[offset..end];
        if chunk.len() < le {
            respond(chunk, sw::END_OF_FILE)
        } else {
            respond(chunk, sw::OK)
        }
    }

    fn verify(&mut self, c: &Command) -> Vec<u8> {
        if c.p1 != 0x00 {
            return sw::WRONG_P1P2.to_vec();
        }
        // Reference 1, global (01) or local (81) qualifier.
        if c.p2 & 0x7F != PIN_REFERENCE {
            return sw::REF_NOT_FOUND.to_vec();
        }
        if self.tries_left == 0 {
            return sw::PIN_BLOCKED.to_vec();
        }
        if c.data.is_empty() {
            // Status query, no try used.
            return if self.pin_verified {
                sw::OK.to_vec()
            } else {
                sw::tries_left(self.tries_left).to_vec()
            };
        }
        let given: Vec<u8> = c
            .data
            .iter()
            .copied()
            .take_while(|&b| b != 0xFF && b != 0x00)
            .collect();
        if given == self.spec.pin.as_bytes() {
            self.tries_left = PIN_TRIES_MAX;
            self.pin_verified = true;
            sw::OK.to_vec()
        } else {
            self.tries_left -= 1;
            self.pin_verified = false;
            if self.tries_left == 0 {
                sw::PIN_BLOCKED.to_vec()
            } else {
                sw::tries_left(self.tries_left).to_vec()
            }
        }
    }
}

fn build_fs(spec: &CpxCardSpec) -> FileSystem {
    let mut fs = FileSystem::default();
    let app = [MF, fid::APP_DF];
    let at = |f: u16| [MF, fid::APP_DF, f];
    let pre_issuing = match spec.generation {
        Generation::Cps3 => [0x80, 0x00, 0x03, 0x10],
        Generation::Cps4 | Generation::Cps4T0 => [0x80, 0x00, 0x04, 0x01],
    };
    fs.add_df(&[MF], Some(pkcs15::AID_IAS_ECC_ROOT));
    fs.add_ef(&[MF, fid::EF_DIR], pkcs15::ef_dir(), None, false);
    fs.add_ef(&[MF, fid::EF_ATR], pkcs15::ef_atr(pre_issuing), None, false);
    fs.add_ef(
        &[MF, fid::EF_SN_ICC],
        pkcs15::ef_sn_icc(&spec.certs.card_number),
        Some(pkcs15::SFI_SN_ICC),
        false,
    );
    fs.add_df(&app, Some(pkcs15::AID_CPX_IAS));
    if spec.generation.is_cps4() {
        fs.add_df(&[MF, fid::CPS2TER_DF], Some(pkcs15::AID_CPS2TER));
    }
    fs.add_ef(&at(fid::ODF), pkcs15::odf(), None, false);
    let label = format!("CPS {}", spec.certs.id_nat);
    fs.add_ef(
        &at(fid::TOKEN_INFO),
        pkcs15::token_info(&spec.certs.card_number, &label),
        None,
        false,
    );
    fs.add_ef(&at(fid::AODF), pkcs15::aodf(), None, false);
    fs.add_ef(&at(fid::PRKDF), pkcs15::prkdf(), None, false);
    fs.add_ef(&at(fid::CDF), pkcs15::cdf(), None, false);
    fs.add_ef(
        &at(fid::CERT_AUTH),
        pkcs15::cert_ef(&spec.certs.auth),
        None,
        false,
    );
    fs.add_ef(
        &at(fid::CERT_SIGN),
        pkcs15::cert_ef(&spec.certs.sign),
        None,
        false,
    );
    for (i, loc) in spec.practice_locations.iter().take(16).enumerate() {
        fs.add_ef(
            &at(fid::PRACTICE_FIRST + i as u16),
            pkcs15::practice_location(&loc.id_type, &loc.id, &loc.label),
            None,
            true,
        );
    }
    fs
}

impl SmartCard for CpxCard {
    fn atr(&self) -> Vec<u8> {
        match self.spec.generation {
            Generation::Cps3 => atr::CPS3.to_vec(),
            Generation::Cps4 => atr::CPS4.to_vec(),
            Generation::Cps4T0 => atr::CPS4_T0.to_vec(),
        }
    }

    fn reset(&mut self) {
        self.current_df = vec![MF];
        self.current_ef = None;
        self.pin_verified = false;
        self.pending.clear();
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        if self.spec.generation != Generation::Cps4T0 {
            return self.execute(apdu);
        }
        // T=0: GET RESPONSE serves what is pending; any other command forgets it.
        if apdu.len() >= 4 && apdu[1] == 0xC0 && apdu[0] & 0xFC == 0 {
            if self.pending.is_empty() {
                return sw::CONDITIONS_NOT_SATISFIED.to_vec();
            }
            let le = match apdu.get(4) {
                Some(0) | None => 256,
                Some(&n) => usize::from(n),
            };
            let n = le.min(self.pending.len());
            let data: Vec<u8> = self.pending.drain(..n).collect();
            return match self.pending.len() {
                0 => respond(&data, sw::OK),
                left => respond(&data, [0x61, left.min(255) as u8]),
            };
        }
        self.pending.clear();
        let answer = self.execute(apdu);
        // Case 4 (command data, answer data): the data waits for GET RESPONSE.
        let has_command_data = apdu.len() > 5;
        if has_command_data && answer.len() > 2 {
            let (data, _sw) = answer.split_at(answer.len() - 2);
            self.pending = data.to_vec();
            return vec![
                0x61,
                if data.len() >= 256 {
                    0
                } else {
                    data.len() as u8
                },
            ];
        }
        answer
    }
}

impl CpxCard {
    /// One command, answered in full (T=1 behaviour).
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        let Some(c) = Command::parse(apdu) else {
            return sw::WRONG_LENGTH.to_vec();
        };
        // Basic and logical channels 1..3 (CPS4 works on channel 1); no secure messaging.
        if c.cla & 0xFC != 0x00 {
            return sw::CLA_NOT_SUPPORTED.to_vec();
        }
        match c.ins {
            0xA4 => self.select(&c),
            0xB0 => self.read_binary(&c),
            0x20 => self.verify(&c),
            // READ RECORD: every EF of this card is transparent.
            0xB2 => sw::INCOMPATIBLE_FILE.to_vec(),
            // GET RESPONSE: this card answers in full (T=1 behaviour), nothing is pending.
            0xC0 => sw::CONDITIONS_NOT_SATISFIED.to_vec(),
            // GET DATA: no data object served.
            0xCA | 0xCB => sw::REF_NOT_FOUND.to_vec(),
            // MSE SET: accepted; PSO / INTERNAL AUTHENTICATE need the PIN.
            0x22 => sw::OK.to_vec(),
            0x2A | 0x88 if !self.pin_verified => sw::SECURITY_NOT_SATISFIED.to_vec(),
            0x2A | 0x88 => sw::CONDITIONS_NOT_SATISFIED.to_vec(),
            0x84 => {
                let n = c.le.unwrap_or(8).min(256);
                respond(&vec![0x5A; n], sw::OK)
            }
            _ => sw::INS_NOT_SUPPORTED.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests;
