//! The technician's bench: the journal, `validate`, `doctor` and the diagnostics report, the
//! reader catalog's words.

use std::path::Path;

use crate::readers::{LibccidSupport, ReaderModel};

// ---- journal --------------------------------------------------------------------------------

pub fn journal_unavailable(path: &Path, detail: &str) -> String {
    format!(
        "journal indisponible ({}) : {detail}. Les cartes sont toujours jugées ; libérez de la \
         place sur le disque ou vérifiez les droits du fichier, l'agent réessaiera de lui-même.",
        path.display()
    )
}

pub fn journal_no_path() -> String {
    "journal indisponible : aucun dossier de données (XDG_DATA_HOME ou HOME) ; indiquez \
     [journal] db dans la configuration."
        .into()
}

pub fn journal_back() -> &'static str {
    "journal de nouveau disponible"
}

pub fn keep_days_invalid(days: u32) -> String {
    format!("{days} jours de conservation n'est pas une durée possible")
}

pub fn keep_days_fix() -> String {
    "indiquez un nombre de jours entre 1 et 36500 (365 par défaut)".into()
}

pub fn bad_date(text: &str) -> String {
    format!("date « {text} » illisible : écrivez-la AAAA-MM-JJ (par exemple 2026-01-31)")
}

pub fn journal_empty() -> &'static str {
    "Le journal ne contient encore aucune carte."
}

pub fn journal_purged(cards: usize, readers: usize, before: &str) -> String {
    format!("journal : {cards} carte(s) et {readers} lecteur(s) vus pour la dernière fois avant le {before} oubliés")
}

pub const JOURNAL_CARDS: &str = "Cartes vues";
pub const JOURNAL_READERS: &str = "Lecteurs vus";

pub fn seen(first: &str, last: &str, times: u32) -> String {
    format!("vue {times} fois, du {first} au {last}")
}

// ---- reader catalog -------------------------------------------------------------------------

pub const MODEL_UNKNOWN: &str = "modèle inconnu (absent du catalogue des lecteurs)";

pub fn libccid_label(s: LibccidSupport) -> &'static str {
    match s {
        LibccidSupport::Supported => "pris en charge par libccid",
        LibccidSupport::ShouldWork => "devrait fonctionner avec libccid",
        LibccidSupport::Unsupported => "non pris en charge par libccid",
        LibccidSupport::Absent => "inconnu de libccid (pcscd l'ignore)",
    }
}

pub fn yes_no_unknown(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "oui",
        Some(false) => "non",
        None => "inconnu",
    }
}

/// `Identiv SCR3500 (04e6:5410), clavier : non, libccid : pris en charge`.
pub fn model_line(model: Option<&ReaderModel>) -> String {
    match model {
        None => MODEL_UNKNOWN.into(),
        Some(m) => {
            let mut line = format!(
                "{} ({}), clavier : {}, {}",
                m.model,
                m.usb_id,
                yes_no_unknown(m.pinpad),
                libccid_label(m.libccid)
            );
            if m.contactless {
                line.push_str(", sans contact");
            }
            if m.sesam_vitale {
                line.push_str(", terminal SESAM-Vitale");
            }
            line
        }
    }
}

// ---- diagnostics report ---------------------------------------------------------------------

pub const REPORT_TITLE: &str = "Diagnostic cpx-agent : cartes CPx et lecteurs";
pub const REPORT_WITH_NAMES: &str =
    "Rapport complet : il contient les noms des porteurs et les numéros des cartes. Ne le \
     transmettez qu'à votre support.";
pub const REPORT_WITHOUT_NAMES: &str =
    "Rapport sans données personnelles : ni noms de porteurs, ni numéros de carte, ni numéros \
     de série. Il peut être transmis au support.";
pub const SECTION_SYSTEM: &str = "Agent, système et horloge";
pub const SECTION_PCSC: &str = "Service carte à puce (PC/SC)";
pub const SECTION_READERS: &str = "Lecteurs";
pub const SECTION_USB: &str = "Périphériques USB non vus par PC/SC";
pub const SECTION_CARDS: &str = "Cartes et verdicts";
pub const SECTION_CONFIG: &str = "Configuration";
pub const SECTION_FINESS: &str = "Répertoire FINESS";
pub const SECTION_JOURNAL: &str = "Journal";
pub const SECTION_EVENTS: &str = "Derniers événements";
pub const PCSC_RUNNING: &str = "Le service PC/SC répond.";
pub const PCSC_DOWN: &str = "Le service PC/SC ne répond pas.";
pub const NO_READER_SEEN: &str =
    "PC/SC ne voit aucun lecteur. Branchez un lecteur ; s'il l'est déjà, voyez la section \
     des périphériques USB ci-dessous.";
pub const NO_USB_UNSEEN: &str = "Aucun périphérique USB de lecteur que PC/SC ignorerait.";
pub const NO_CARD_SEEN: &str = "Aucune carte dans les lecteurs.";
pub const NO_FINESS: &str =
    "Pas de répertoire FINESS local (cpx-agent finess import) : le rôle EJ/EG des structures \
     n'est pas vérifié.";
pub const NO_EVENTS_WITHOUT_AGENT: &str =
    "Établi par la commande cpx-agent doctor, sans l'agent : pas d'événements.";
pub const NO_EVENTS: &str = "Aucun événement depuis le démarrage de l'agent.";

pub fn bad_format(text: &str) -> String {
    format!("format « {text} » inconnu : format=json (par défaut) ou format=html")
}
