//! Emulated smart cards, written from domain.md as a card maker would (no code shared with the
//! card crate). A card answers APDUs; the vpcd client (crate::vpcd) plugs it into a reader.

mod apdu;
mod cpx;
mod fs;
mod pkcs15;
mod plain;

pub use apdu::{sw, Command};
pub use cpx::{CpxCard, CpxCardSpec, Generation, PracticeLocation};
pub use plain::PlainIsoCard;

/// What any emulated card does.
pub trait SmartCard: Send {
    /// Answer to reset.
    fn atr(&self) -> Vec<u8>;
    /// Cold or warm reset: volatile state (selection, verified PIN) is lost.
    fn reset(&mut self);
    /// Power off: same as a reset for our purposes.
    fn power_off(&mut self) {
        self.reset();
    }
    /// One command APDU in, one response APDU (data + SW1 SW2) out.
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8>;
}

impl SmartCard for Box<dyn SmartCard> {
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }
    fn reset(&mut self) {
        (**self).reset()
    }
    fn power_off(&mut self) {
        (**self).power_off()
    }
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        (**self).transmit(apdu)
    }
}

/// ATRs the emulator can present (domain.md §3, sources OpenSC card-iasecc.c, ANS CryptoLib).
pub mod atr_bytes {
    /// CPS3 contact ATR.
    pub const CPS3: &[u8] = &[
        0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00,
        0x90, 0x00,
    ];
    /// CPS4 contact ATR.
    pub const CPS4: &[u8] = &[
        0x3B, 0x9B, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x04, 0x01, 0x00, 0x00,
        0x90, 0x44,
    ];
    /// CPS4 T=0 ATR.
    pub const CPS4_T0: &[u8] = &[
        0x3B, 0xDC, 0x18, 0xFF, 0x00, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x04, 0x01, 0x00,
        0x90, 0x00,
    ];
    /// A plain ISO 7816 card that is no CPx card (a generic JavaCard-like ATR).
    pub const PLAIN_ISO: &[u8] = &[
        0x3B, 0x8A, 0x80, 0x01, 0x00, 0x31, 0xC1, 0x73, 0xC8, 0x40, 0x00, 0x00, 0x90, 0x00, 0x90,
    ];
}
