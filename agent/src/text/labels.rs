//! Labels and sentences of the command-line output.

use cpx_card::{CardFamily, PersonIdType, PinState, StructureIdType, Trust, Usage};

use crate::model::verdict::{Severity, Status};

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Ready => "PRÊTE",
        Status::Warning => "À SURVEILLER",
        Status::NotReady => "NON PRÊTE",
        Status::Unknown => "INDÉTERMINÉE",
    }
}

pub fn status_sentence(s: Status) -> &'static str {
    match s {
        Status::Ready => "la carte convient pour RPPS+",
        Status::Warning => "la carte convient pour RPPS+, mais un point demande attention",
        Status::NotReady => "la carte ne convient pas pour RPPS+ en l'état",
        Status::Unknown => "impossible de dire sans code porteur si la carte convient",
    }
}

pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "ERREUR",
        Severity::Warning => "ATTENTION",
        Severity::Info => "info",
    }
}

pub fn family_label(f: CardFamily) -> &'static str {
    match f {
        CardFamily::Cps3 => "CPS3",
        CardFamily::Cps3Contactless => "CPS3 sans contact",
        CardFamily::Cps4 => "CPS4",
        CardFamily::CpsLegacy => "CPS ancienne génération",
        CardFamily::NotCpx => "pas une carte CPx",
    }
}

pub fn trust_label(t: Trust) -> &'static str {
    match t {
        Trust::Production => "IGC-Santé de production",
        Trust::Test => "IGC-Santé de test",
        Trust::Untrusted => "non reconnue",
    }
}

pub fn usage_label(u: Usage) -> &'static str {
    match u {
        Usage::Authentication => "authentification",
        Usage::Signature => "signature",
        Usage::Other => "autre",
    }
}

pub fn person_id_label(t: PersonIdType) -> &'static str {
    match t {
        PersonIdType::Rpps => "RPPS",
        PersonIdType::Adeli => "ADELI",
        PersonIdType::Finess => "FINESS",
        PersonIdType::Siret => "SIRET",
        PersonIdType::Other => "autre",
    }
}

pub fn structure_id_label(t: StructureIdType) -> &'static str {
    match t {
        StructureIdType::Finess => "FINESS",
        StructureIdType::Siren => "SIREN",
        StructureIdType::Siret => "SIRET",
        StructureIdType::Adeli => "ADELI",
        StructureIdType::Rpps => "RPPS",
        StructureIdType::Other => "autre",
    }
}

/// Profession code (TRE_G15, extension 1.2.250.1.71.1.2.7), labelled when known.
pub fn profession(code: u32) -> String {
    let label = match code {
        10 => "médecin",
        21 => "pharmacien",
        40 => "chirurgien-dentiste",
        50 => "sage-femme",
        60 => "infirmier",
        _ => return code.to_string(),
    };
    format!("{code} ({label})")
}

pub fn pin_line(state: Option<PinState>, tries: Option<u8>) -> String {
    match (state, tries) {
        (Some(PinState::Blocked), _) | (Some(PinState::TriesLeft), Some(0)) => "bloqué".to_string(),
        (Some(PinState::TriesLeft), Some(1)) => "1 essai restant".to_string(),
        (Some(PinState::TriesLeft), Some(n)) => format!("{n} essais restants"),
        (Some(PinState::Verified), _) => {
            "déjà saisi dans cette session (par un autre logiciel)".to_string()
        }
        _ => "état inconnu".to_string(),
    }
}

pub const NO_STRUCTURE_PERSONAL_CARD: &str =
    "non lisible sans code porteur (CPS/CPF : situation d'exercice protégée)";
pub const NO_STRUCTURE: &str = "aucune";
pub const NONE: &str = "—";
pub const SERVICE_RUNNING: &str = "Service carte à puce (PC/SC) : démarré";
pub const NO_READER: &str = "Aucun lecteur de carte n'est visible par PC/SC : branchez un \
    lecteur (un terminal SESAM-Vitale n'est pas toujours vu comme lecteur PC/SC).";
pub const NO_CARD: &str = "aucune carte dans ce lecteur";
pub const READ_FAILED: &str = "lecture impossible";
pub const FINDINGS: &str = "Constats";
pub const REMEDY_ARROW: &str = "→";

/// Why PC/SC shows no reader although this USB device is plugged (domain.md §6).
pub fn usb_device_not_seen(r: &crate::usb::UsbReader) -> String {
    usb_device_not_seen_on(crate::platform::CURRENT, r)
}

/// The same, in the words of `os` (libccid and pcscd on Linux, the driver and the « Carte à
/// puce » service on Windows).
pub fn usb_device_not_seen_on(os: crate::platform::Os, r: &crate::usb::UsbReader) -> String {
    use crate::platform::Os;
    use crate::usb::UsbReaderKind;
    let name = match (&r.manufacturer, &r.product) {
        (Some(m), Some(p)) => format!("{m} {p}"),
        (None, Some(p)) => p.clone(),
        (Some(m), None) => m.clone(),
        (None, None) => "sans nom".to_string(),
    };
    match (r.kind, os) {
        (UsbReaderKind::CcidSupported, Os::Windows) => format!(
            "Le lecteur USB « {name} » ({}) est branché et son pilote est installé, mais PC/SC \
             ne le voit pas : débranchez-le et rebranchez-le, ou redémarrez le service « Carte \
             à puce » (en administrateur `sc start SCardSvr`).",
            r.id
        ),
        (UsbReaderKind::CcidSupported, _) => format!(
            "Le lecteur USB « {name} » ({}) est branché et pris en charge, mais PC/SC ne le \
             voit pas : débranchez-le et rebranchez-le, ou `sudo systemctl restart pcscd`.",
            r.id
        ),
        (UsbReaderKind::CcidUnlisted, Os::Windows) => format!(
            "Le périphérique USB « {name} » ({}) a une interface carte à puce, mais aucun \
             pilote de lecteur ne le fait fonctionner (Gestionnaire de périphériques : \
             « Lecteurs de carte à puce ») : installez le pilote du fabricant ou passez par \
             Windows Update, puis rebranchez-le.",
            r.id
        ),
        (UsbReaderKind::CcidUnlisted, _) => format!(
            "Le périphérique USB « {name} » ({}) a une interface carte à puce, mais le pilote \
             libccid ne le connaît pas : mettez à jour le paquet libccid, ou utilisez un \
             lecteur reconnu.",
            r.id
        ),
        (UsbReaderKind::HealthTerminalNoCcid, _) => format!(
            "Le terminal de santé « {name} » ({}) est branché mais n'expose pas de lecteur \
             PC/SC : activez son mode PC/SC dans sa configuration (selon le modèle et le \
             micrologiciel), ou branchez un lecteur de carte USB CCID.",
            r.id
        ),
    }
}

pub fn readers_count(n: usize) -> String {
    match n {
        0 => "aucun lecteur".to_string(),
        1 => "1 lecteur".to_string(),
        n => format!("{n} lecteurs"),
    }
}

pub fn cannot_read_file(path: &str, detail: &str) -> String {
    format!("impossible de lire {path} : {detail} / cannot read file")
}

pub fn invalid_certificate(path: &str, detail: &str) -> String {
    format!("{path} : {detail}")
}

pub fn certificate_heading(i: usize, n: usize) -> String {
    format!("Certificat {i}/{n}")
}
