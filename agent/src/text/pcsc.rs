//! The PC/SC service: how to bring it back, per OS (the one remedy for that situation). The OS
//! is the platform module's answer; the words are here.

use crate::platform::{self, Os};

/// How to start the PC/SC service on this system.
pub fn pcsc_remedy() -> &'static str {
    pcsc_remedy_on(platform::CURRENT)
}

/// How to start the PC/SC service on `os`.
pub fn pcsc_remedy_on(os: Os) -> &'static str {
    match os {
        Os::Linux => {
            "pcscd n'est pas démarré : `sudo systemctl start pcscd` (s'il manque : \
             `sudo apt install pcscd`)"
        }
        Os::Windows => {
            "le service « Carte à puce » (SCardSvr) est arrêté (Windows l'arrête quand le \
             dernier lecteur est débranché) : branchez un lecteur, Windows le redémarre alors ; \
             sinon, en administrateur `sc start SCardSvr`"
        }
        Os::MacOs | Os::Other => {
            "le service carte à puce ne répond pas (son diagnostic n'est pas encore pris en \
             charge sur ce système)"
        }
    }
}

pub fn service_unavailable(detail: &str) -> String {
    format!(
        "service carte à puce (PC/SC) indisponible ({detail}) : {}",
        pcsc_remedy()
    )
}

#[cfg(test)]
mod tests;
