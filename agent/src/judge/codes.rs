//! Stable finding codes: other applications match on them, never change one. Every code the
//! judge gives is here (the README lists them with their meaning).

pub const NOT_A_CPX_CARD: &str = "not_a_cpx_card";
pub const NO_CERTIFICATE: &str = "no_certificate";
pub const CARD_EXPIRED: &str = "card_expired";
pub const CARD_NOT_YET_VALID: &str = "card_not_yet_valid";
pub const CARD_EXPIRES_SOON: &str = "card_expires_soon";
pub const PIN_BLOCKED: &str = "pin_blocked";
pub const PIN_TRIES_LOW: &str = "pin_tries_low";
pub const PIN_STATE_UNKNOWN: &str = "pin_state_unknown";
pub const UNTRUSTED_CERTIFICATE: &str = "untrusted_certificate";
pub const TEST_CARD: &str = "test_card";
pub const CERTIFICATES_DISAGREE: &str = "certificates_disagree";
// From the CRL cache (`super::revocation`).
pub const CARD_REVOKED: &str = "card_revoked";
pub const REVOCATION_UNKNOWN: &str = "revocation_unknown";
pub const STRUCTURE_NOT_FINESS: &str = "structure_not_finess";
pub const STRUCTURE_FINESS_MALFORMED: &str = "structure_finess_malformed";
pub const FINESS_KEY_INVALID: &str = "finess_key_invalid";
pub const FINESS_KEY_NOT_VERIFIABLE: &str = "finess_key_not_verifiable";
pub const STRUCTURE_UNKNOWN_WITHOUT_PIN: &str = "structure_unknown_without_pin";
pub const STRUCTURE_UNKNOWN: &str = "structure_unknown";
pub const CONTRACT_NOT_CONFIGURED: &str = "contract_not_configured";
pub const CONTRACT_MATCH: &str = "contract_match";
pub const FINESS_MISMATCH: &str = "finess_mismatch";

/// Findings meaning "the card's structure could not be established" (status `unknown`).
pub const STRUCTURE_NOT_ESTABLISHED: &[&str] = &[STRUCTURE_UNKNOWN_WITHOUT_PIN, STRUCTURE_UNKNOWN];

// With a local FINESS directory (`super::directory`).
pub const FINESS_UNKNOWN: &str = "finess_unknown";
pub const FINESS_IS_EG_EXPECTED_EJ: &str = "finess_is_eg_expected_ej";
pub const FINESS_IS_EJ_EXPECTED_EG: &str = "finess_is_ej_expected_eg";
pub const EG_NOT_IN_CONTRACT_EJ: &str = "eg_not_in_contract_ej";
pub const STRUCTURE_NAME_DIFFERS: &str = "structure_name_differs";
