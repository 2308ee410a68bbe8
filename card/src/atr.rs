//! Card family from the ATR (domain.md §3): exact entries first, masks after (the CPS3 mask
//! also matches the CPS4 T=0 and the older CPS ATRs).

use crate::report::CardFamily;

/// CPS4 contact ATR (ANS CryptoLib card-cps.c, pcsc-tools smartcard_list.txt).
const ATR_CPS4: &[u8] = &[
    0x3B, 0x9B, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x04, 0x01, 0x00, 0x00, 0x90,
    0x44,
];
/// CPS4 release-candidate ATR (ANS CryptoLib card-cps.c).
const ATR_CPS4_RC: &[u8] = &[
    0x3B, 0x9B, 0x18, 0x80, 0x01, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x04, 0x01, 0x00, 0x90,
    0x44,
];
/// CPS4 T=0 ATR (ANS CryptoLib card-cps.c).
const ATR_CPS4_T0: &[u8] = &[
    0x3B, 0xDC, 0x18, 0xFF, 0x00, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x04, 0x01, 0x00, 0x90,
    0x00,
];
/// Older CPS (CPS2ter era) ATR (pcsc-tools smartcard_list.txt).
const ATR_CPS_LEGACY: &[u8] = &[
    0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x82, 0x02, 0x12, 0x00, 0x90,
    0x00,
];
/// CPS3 contact ATR and mask (OpenSC card-iasecc.c).
const ATR_CPS3: &[u8] = &[
    0x3B, 0xAC, 0x00, 0x40, 0x2A, 0x00, 0x12, 0x25, 0x00, 0x64, 0x80, 0x00, 0x03, 0x10, 0x00, 0x90,
    0x00,
];
const MASK_CPS3: &[u8] = &[
    0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF,
    0xFF,
];
/// CPS3 contactless ATR and mask (OpenSC card-iasecc.c).
const ATR_CPS3_CL: &[u8] = &[
    0x3B, 0x8F, 0x80, 0x01, 0x00, 0x31, 0xB8, 0x64, 0x04, 0xB0, 0xEC, 0xC1, 0x73, 0x94, 0x01, 0x80,
    0x82, 0x90, 0x00, 0x0E,
];
const MASK_CPS3_CL: &[u8] = &[
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF,
];

const EXACT: &[(&[u8], CardFamily)] = &[
    (ATR_CPS4, CardFamily::Cps4),
    (ATR_CPS4_RC, CardFamily::Cps4),
    (ATR_CPS4_T0, CardFamily::Cps4),
    (ATR_CPS_LEGACY, CardFamily::CpsLegacy),
];

const MASKED: &[(&[u8], &[u8], CardFamily)] = &[
    (ATR_CPS3, MASK_CPS3, CardFamily::Cps3),
    (ATR_CPS3_CL, MASK_CPS3_CL, CardFamily::Cps3Contactless),
];

/// The card family an ATR says; `NotCpx` when nothing matches.
pub fn identify(atr: &[u8]) -> CardFamily {
    if let Some((_, f)) = EXACT.iter().find(|(a, _)| *a == atr) {
        return *f;
    }
    for (reference, mask, family) in MASKED {
        if atr.len() == reference.len()
            && atr
                .iter()
                .zip(reference.iter())
                .zip(mask.iter())
                .all(|((a, r), m)| a & m == r & m)
        {
            return *family;
        }
    }
    CardFamily::NotCpx
}

/// Upper-case hex with spaces (`3B AC 00 …`), the form reports carry.
pub fn atr_hex(atr: &[u8]) -> String {
    atr.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scripted::hex_bytes;

    #[test]
    fn atr_table() {
        let rows = [
            (
                "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
                CardFamily::Cps3,
            ),
            // CPS3 mask: bytes 1-4 and 11-13 are free.
            (
                "3B 00 11 22 33 00 12 25 00 64 80 AA BB CC 00 90 00",
                CardFamily::Cps3,
            ),
            (
                "3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E",
                CardFamily::Cps3Contactless,
            ),
            // contactless mask: bytes 8-9 free, byte 11 top two bits only.
            (
                "3B 8F 80 01 00 31 B8 64 FF FF EC C5 73 94 01 80 82 90 00 0E",
                CardFamily::Cps3Contactless,
            ),
            (
                "3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44",
                CardFamily::Cps4,
            ),
            (
                "3B 9B 18 80 01 00 12 25 00 64 80 00 04 01 00 90 44",
                CardFamily::Cps4,
            ),
            // would match the CPS3 mask: the exact entry wins.
            (
                "3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00",
                CardFamily::Cps4,
            ),
            (
                "3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00",
                CardFamily::CpsLegacy,
            ),
            // Vitale-like and bank-like ATRs, empty, truncated CPS3.
            ("3B 65 00 00 9C 11 01 01 03", CardFamily::NotCpx),
            (
                "3B 6E 00 00 80 31 80 66 B0 84 12 01 6E 01 83 00 90 00",
                CardFamily::NotCpx,
            ),
            ("", CardFamily::NotCpx),
            (
                "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90",
                CardFamily::NotCpx,
            ),
            // contactless with a masked-out bit flipped where the mask is FF.
            (
                "3B 8F 80 01 00 31 B8 64 04 B0 ED C1 73 94 01 80 82 90 00 0E",
                CardFamily::NotCpx,
            ),
            // CPS3 with a differing fixed byte (country code).
            (
                "3B AC 00 40 2A 00 12 26 00 64 80 00 03 10 00 90 00",
                CardFamily::NotCpx,
            ),
        ];
        for (atr, want) in rows {
            assert_eq!(identify(&hex_bytes(atr)), want, "{atr}");
        }
    }

    #[test]
    fn hex_form() {
        assert_eq!(atr_hex(&[0x3B, 0xAC, 0x00]), "3B AC 00");
        assert_eq!(atr_hex(&[]), "");
    }
}
