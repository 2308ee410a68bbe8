//! Every word the tray shows, French, in one place.

use crate::tray::face::Face;

/// The item's title (SNI `Title`, tooltip title prefix).
pub const TITLE: &str = "Cartes CPx";

pub const MENU_OPEN_PAGE: &str = "Ouvrir la page d'état";
pub const MENU_REFRESH: &str = "Relire les cartes";
pub const MENU_QUIT: &str = "Quitter";
pub const MENU_EXPORT_REPORT: &str = "Exporter le diagnostic";

pub fn report_saved(path: &std::path::Path) -> String {
    format!("Diagnostic enregistré : {}", path.display())
}

pub fn report_failed(detail: &str) -> String {
    format!("Diagnostic non enregistré : {detail}")
}

/// One line of the whole state, after the title.
pub fn summary(face: Face, readers: usize) -> &'static str {
    match face {
        Face::Connecting => "connexion à l'agent…",
        Face::AgentDown => "l'agent ne répond pas",
        Face::PcscUnavailable => "service carte à puce (PC/SC) indisponible",
        Face::NoCard if readers == 0 => "aucun lecteur de cartes",
        Face::NoCard => "aucune carte",
        Face::Reading => "lecture de la carte…",
        Face::Ready => "prête pour RPPS+",
        Face::Unknown => "indéterminée sans code porteur",
        Face::Warning => "à surveiller",
        Face::ReadFailed => "carte illisible",
        Face::NotReady => "pas prête pour RPPS+",
    }
}

/// The state of one reader's card, after the dash.
pub fn reader_state(face: Face) -> &'static str {
    match face {
        Face::Ready => "prête",
        Face::Warning => "à surveiller",
        Face::NotReady => "pas prête",
        Face::Unknown => "indéterminée (code porteur nécessaire)",
        Face::ReadFailed => "illisible",
        Face::Reading => "lecture en cours…",
        _ => "pas de carte",
    }
}

/// `Lecteur X : CDE/CPE 750712184 — prête`.
pub fn reader_line(reader: &str, card: Option<&str>, state: &str) -> String {
    match card {
        Some(card) => format!("Lecteur {reader} : {card} — {state}"),
        None => format!("Lecteur {reader} : {state}"),
    }
}

/// A holder's name in the menu (token holders only).
pub fn holder_line(reader: &str, name: &str) -> String {
    format!("Lecteur {reader} : {name}")
}

pub fn agent_down(detail: &str, agent: &str) -> String {
    format!(
        "Agent injoignable sur {agent} ({detail}). Démarrez-le : `systemctl --user start \
         cpx-agent` (ou `cpx-agent run`). Nouvel essai automatique."
    )
}

/// Why the agent is not found, when no port file names it.
pub const NO_PORT_FILE: &str = "aucun agent de cet utilisateur n'a écrit son port";

/// Where the agent is, before its port file was found.
pub const PORT_UNKNOWN: &str = "127.0.0.1 (port de l'agent pas encore connu)";

pub const CONNECTING: &str = "En attente de l'agent…";

/// The agent closed the event stream.
pub const STREAM_CLOSED: &str = "flux d'événements fermé";
/// Nothing, not even a keep-alive, came for too long.
pub const STREAM_SILENT: &str = "aucune nouvelle de l'agent depuis trop longtemps";

pub fn http_status(status: u16) -> String {
    format!("réponse HTTP {status}")
}

pub const TOKEN_REFUSED: &str = "l'agent refuse le jeton de cet utilisateur : noms des porteurs \
                                 masqués (agent d'un autre compte, ou autre CPX_AGENT_TOKEN_FILE)";

pub fn bad_agent_address(value: &str) -> String {
    format!(
        "adresse d'agent invalide « {value} » : attendu http://127.0.0.1:PORT (boucle locale \
         seulement, le jeton n'est jamais envoyé ailleurs)"
    )
}

pub fn no_session_bus(detail: &str) -> String {
    format!(
        "impossible de publier l'icône sur le bus D-Bus de session ({detail}) : le plateau \
         demande une session graphique (DBUS_SESSION_BUS_ADDRESS)"
    )
}

pub fn refresh_failed(detail: &str) -> String {
    format!("relecture des cartes refusée : {detail}")
}

pub fn open_failed(detail: &str) -> String {
    format!("ouverture de la page d'état impossible : {detail}")
}

/// The démarche's line of the tooltip: `Démarche RPPS+ : 6/9 étapes — prochaine : …`.
pub fn checklist_line(done: u32, total: u32, next: Option<&str>) -> String {
    match next {
        Some(next) => format!("Démarche RPPS+ : {done}/{total} étapes — prochaine : {next}"),
        None => format!("Démarche RPPS+ : {done}/{total} étapes, toutes faites"),
    }
}

pub const ICON_THREAD_ENDED: &str = "l'icône de la zone de notification s'est arrêtée au démarrage";
