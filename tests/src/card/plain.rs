//! A plain ISO 7816 card that is not a CPx card (another ATR, an MF, no CPx application): what
//! a desk has when someone inserts a bank or a Vitale card by mistake.

use super::apdu::{respond, sw, Command};
use super::{atr_bytes as atr, SmartCard};

#[derive(Debug, Default, Clone)]
pub struct PlainIsoCard;

impl SmartCard for PlainIsoCard {
    fn atr(&self) -> Vec<u8> {
        atr::PLAIN_ISO.to_vec()
    }

    fn reset(&mut self) {}

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let Some(c) = Command::parse(apdu) else {
            return sw::WRONG_LENGTH.to_vec();
        };
        if c.cla & 0xFC != 0 {
            return sw::CLA_NOT_SUPPORTED.to_vec();
        }
        match c.ins {
            0xA4 if c.data == [0x3F, 0x00] || c.data.is_empty() => respond(&[], sw::OK),
            0xA4 => sw::FILE_NOT_FOUND.to_vec(),
            0xB0 => sw::NO_CURRENT_EF.to_vec(),
            0x20 => sw::REF_NOT_FOUND.to_vec(),
            0xB2 | 0xCA | 0x84 | 0xC0 => sw::CONDITIONS_NOT_SATISFIED.to_vec(),
            _ => sw::INS_NOT_SUPPORTED.to_vec(),
        }
    }
}
