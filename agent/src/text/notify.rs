//! The tray's desktop notifications, French, without any holder's name.

pub const READY: &str = "prête pour RPPS+";
pub const WARNING: &str = "à surveiller";
pub const NOT_READY: &str = "pas prête pour RPPS+";
pub const UNKNOWN: &str = "indéterminée sans code porteur";

/// `Lecteur X : CDE/CPE 750712184 — pas prête pour RPPS+ (raison)`.
pub fn card_line(reader: &str, card: &str, status: &str, reason: Option<&str>) -> String {
    match reason {
        Some(reason) => format!("Lecteur {reader} : {card} — {status} ({reason})"),
        None => format!("Lecteur {reader} : {card} — {status}"),
    }
}

pub fn unreadable_line(reader: &str, why: &str) -> String {
    format!("Lecteur {reader} : carte illisible ({why})")
}

/// Several cards in one notification.
pub fn cards_summary(count: usize) -> String {
    format!("{count} cartes lues")
}

pub const PCSC_LOST: &str = "Service carte à puce (PC/SC) indisponible";
pub const PCSC_BACK: &str = "Service carte à puce (PC/SC) rétabli";
pub const PCSC_BACK_BODY: &str = "Les lecteurs et les cartes sont relus.";

pub fn expiring_summary(card: &str) -> String {
    format!("Carte {card} bientôt expirée")
}

pub fn expiring_body(reader: &str, message: &str, remedy: &str) -> String {
    format!("Lecteur {reader} : {message} {remedy}")
}

pub fn send_failed(detail: &str) -> String {
    format!("notification non affichée : {detail}")
}
