//! Whether a reader has a PIN pad, asked of the reader itself: `SCardControl` with
//! `CM_IOCTL_GET_FEATURE_REQUEST` (PC/SC part 10, control code 3400) lists the features it
//! offers, as TLVs (tag, length 4, the feature's control code). A reader offering
//! `FEATURE_VERIFY_PIN_DIRECT` (or `_START`, or a MODIFY) has a pin pad. A reader that answers
//! nothing, or an error, leaves it unknown: never guessed.
//!
//! Shared mode when a card is present (it is left as it was: `disconnect(LeaveCard)`), direct
//! mode (no card needed, nothing powered) otherwise.

use std::ffi::CStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `CM_IOCTL_GET_FEATURE_REQUEST` (PC/SC part 10 v2.02.09 §2.2): `SCARD_CTL_CODE(3400)`. In
/// PC/SC's own `DWORD` (`unsigned long` with pcsc-lite, 32 bits with WinSCard).
const GET_FEATURE_REQUEST: pcsc::ffi::DWORD = 3400;

/// PC/SC part 10 feature tags (§2.3), with the names the report shows.
const FEATURES: &[(u8, &str)] = &[
    (0x01, "VERIFY_PIN_START"),
    (0x02, "VERIFY_PIN_FINISH"),
    (0x03, "MODIFY_PIN_START"),
    (0x04, "MODIFY_PIN_FINISH"),
    (0x05, "GET_KEY_PRESSED"),
    (0x06, "VERIFY_PIN_DIRECT"),
    (0x07, "MODIFY_PIN_DIRECT"),
    (0x08, "MCT_READER_DIRECT"),
    (0x09, "MCT_UNIVERSAL"),
    (0x0A, "IFD_PIN_PROPERTIES"),
    (0x0B, "ABORT"),
    (0x0C, "SET_SPE_MESSAGE"),
    (0x0D, "VERIFY_PIN_DIRECT_APP_ID"),
    (0x0E, "MODIFY_PIN_DIRECT_APP_ID"),
    (0x0F, "WRITE_DISPLAY"),
    (0x10, "GET_KEY"),
    (0x11, "IFD_DISPLAY_PROPERTIES"),
    (0x12, "GET_TLV_PROPERTIES"),
    (0x13, "CCID_ESC_COMMAND"),
    (0x20, "EXECUTE_PACE"),
];

/// Features that mean a PIN is typed on the reader.
const PIN_PAD_FEATURES: &[u8] = &[0x01, 0x03, 0x06, 0x07];

/// What the reader said of its PIN pad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinPadProbe {
    /// `yes`, `no`, or `unknown` (the reader did not say).
    pub pinpad: PinPad,
    /// The features it listed (PC/SC part 10 names).
    pub features: Vec<String>,
    /// Why it is unknown, when it is (the PC/SC error, English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PinPad {
    Yes,
    No,
    Unknown,
}

impl PinPadProbe {
    fn unknown(detail: String) -> PinPadProbe {
        PinPadProbe {
            pinpad: PinPad::Unknown,
            features: Vec::new(),
            detail: Some(detail),
        }
    }
}

/// Reads the feature list's TLVs (a malformed tail is ignored).
pub fn parse_features(answer: &[u8]) -> PinPadProbe {
    let mut tags = Vec::new();
    let mut rest = answer;
    while let [tag, len, tail @ ..] = rest {
        let len = usize::from(*len);
        if tail.len() < len {
            break;
        }
        tags.push(*tag);
        rest = &tail[len..];
    }
    if tags.is_empty() {
        return PinPadProbe::unknown("the reader lists no feature".into());
    }
    let features = tags
        .iter()
        .map(|t| {
            FEATURES
                .iter()
                .find(|(tag, _)| tag == t)
                .map_or_else(|| format!("0x{t:02X}"), |(_, name)| (*name).to_owned())
        })
        .collect();
    let pinpad = if tags.iter().any(|t| PIN_PAD_FEATURES.contains(t)) {
        PinPad::Yes
    } else {
        PinPad::No
    };
    PinPadProbe {
        pinpad,
        features,
        detail: None,
    }
}

/// Asks the reader `name` (`card_present`: a card is in it) for its features.
pub fn probe(ctx: &pcsc::Context, name: &CStr, card_present: bool) -> PinPadProbe {
    let (mode, protocols) = if card_present {
        (pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
    } else {
        (pcsc::ShareMode::Direct, pcsc::Protocols::UNDEFINED)
    };
    let card = match ctx.connect(name, mode, protocols) {
        Ok(card) => card,
        Err(e) => return PinPadProbe::unknown(e.to_string()),
    };
    let mut buffer = [0u8; 256];
    let result = card
        .control(pcsc::ctl_code(GET_FEATURE_REQUEST), &[], &mut buffer)
        .map(parse_features)
        .unwrap_or_else(|e| PinPadProbe::unknown(e.to_string()));
    // Never reset or power down another application's card.
    if let Err((card, _)) = card.disconnect(pcsc::Disposition::LeaveCard) {
        drop(card);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_pad_reader_lists_verify_pin_direct() {
        // libccid on an SPR532: VERIFY_PIN_DIRECT, MODIFY_PIN_DIRECT, IFD_PIN_PROPERTIES,
        // GET_TLV_PROPERTIES, CCID_ESC_COMMAND.
        let answer = [
            0x06, 4, 0x42, 0x33, 0x00, 0x06, 0x07, 4, 0x42, 0x33, 0x00, 0x07, 0x0A, 4, 0x42, 0x33,
            0x00, 0x0A, 0x12, 4, 0x42, 0x33, 0x00, 0x12, 0x13, 4, 0x42, 0x00, 0x00, 0x01,
        ];
        let p = parse_features(&answer);
        assert_eq!(p.pinpad, PinPad::Yes);
        assert_eq!(p.features[0], "VERIFY_PIN_DIRECT");
        assert_eq!(p.features.len(), 5);
    }

    #[test]
    fn a_plain_reader_lists_no_pin_feature() {
        let answer = [
            0x12, 4, 0x42, 0x33, 0x00, 0x12, 0x13, 4, 0x42, 0x00, 0x00, 0x01,
        ];
        let p = parse_features(&answer);
        assert_eq!(p.pinpad, PinPad::No);
        assert_eq!(p.features, ["GET_TLV_PROPERTIES", "CCID_ESC_COMMAND"]);
    }

    #[test]
    fn nothing_or_garbage_is_unknown_never_a_guess() {
        assert_eq!(parse_features(&[]).pinpad, PinPad::Unknown);
        assert_eq!(parse_features(&[0x06]).pinpad, PinPad::Unknown);
        assert_eq!(parse_features(&[0x06, 9, 1]).pinpad, PinPad::Unknown);
    }
}
