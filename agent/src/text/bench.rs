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

/// A query string the API cannot read (a parameter given twice…); `detail` is axum's.
pub fn bad_query(detail: &str) -> String {
    format!("paramètres de la requête illisibles (chacun une fois au plus) : {detail}")
}

pub fn cannot_write(path: &Path, detail: &str) -> String {
    format!(
        "impossible d'écrire {} : {detail} ; choisissez un autre fichier",
        path.display()
    )
}

pub fn report_saved(path: &Path) -> String {
    format!("Diagnostic enregistré dans {}", path.display())
}

// ---- validate -------------------------------------------------------------------------------

pub const NOT_CPX: &str = "pas une carte CPx";

pub fn expect_finess_invalid(text: &str) -> String {
    format!("--expect-finess « {text} » n'est pas un numéro FINESS (9 caractères)")
}

pub fn validate_start(batch: &str, count: Option<usize>) -> String {
    let until = match count {
        Some(n) => format!("{n} carte(s), ou Ctrl-C pour terminer plus tôt"),
        None => "Ctrl-C pour terminer".into(),
    };
    format!("Lot {batch} : insérez les cartes une à une, dans n'importe quel lecteur ({until}).")
}

pub fn validate_unreadable(reader: &str, message: &str) -> String {
    format!(
        "✗ lecteur « {reader} » : lecture impossible : {message} Retirez la carte et réinsérez-la."
    )
}

pub fn validate_already(card_number: Option<&str>) -> String {
    match card_number {
        Some(n) => format!("  carte n° {n} déjà vérifiée dans ce lot : comptée une seule fois."),
        None => "  carte déjà vérifiée dans ce lot : comptée une seule fois.".into(),
    }
}

pub fn unexpected_kind(kind: &str) -> String {
    format!("type inattendu : {kind}")
}

pub fn unexpected_finess(found: Option<&str>, expected: &str) -> String {
    match found {
        Some(f) => format!("structure FINESS {f} au lieu de {expected}"),
        None => format!("pas de structure FINESS (attendu {expected})"),
    }
}

/// What one line of `validate` says.
pub struct ValidateLine<'a> {
    pub ok: bool,
    pub kind: &'a str,
    pub card_number: Option<&'a str>,
    pub structure_finess: Option<&'a str>,
    pub structure_name: Option<&'a str>,
    pub not_after: Option<&'a str>,
    pub verdict: crate::model::verdict::Status,
    pub reason: Option<&'a str>,
}

/// `✓ CDE/CPE n° 8025000001/2600301752 — FINESS 750712184 HOPITAL DE TEST — expire le
/// 01/05/2029 — prête`.
pub fn validate_line(l: ValidateLine<'_>, colour: bool) -> String {
    let mark = match (l.ok, colour) {
        (true, true) => "\x1b[1;32m✓\x1b[0m",
        (false, true) => "\x1b[1;31m✗\x1b[0m",
        (true, false) => "✓",
        (false, false) => "✗",
    };
    let mut line = format!("{mark} {}", l.kind);
    if let Some(n) = l.card_number {
        line.push_str(&format!(" n° {n}"));
    }
    if let Some(f) = l.structure_finess {
        line.push_str(&format!(" — FINESS {f}"));
        if let Some(name) = l.structure_name {
            line.push_str(&format!(" {name}"));
        }
    }
    if let Some(d) = l.not_after {
        line.push_str(&format!(" — expire le {d}"));
    }
    line.push_str(&format!(" — {}", verdict_word(l.verdict)));
    if let Some(r) = l.reason {
        line.push_str(&format!(" : {r}"));
    }
    line
}

pub fn verdict_word(s: crate::model::verdict::Status) -> &'static str {
    use crate::model::verdict::Status;
    match s {
        Status::Ready => "prête",
        Status::Warning => "à surveiller",
        Status::NotReady => "pas prête",
        Status::Unknown => "indéterminée sans code porteur",
    }
}

pub fn validate_summary(batch: &str, checked: usize, ok: usize) -> String {
    format!(
        "Bilan du lot {batch} : {checked} carte(s) vérifiée(s), {ok} bonne(s), {} à écarter.",
        checked - ok.min(checked)
    )
}

/// A verdict's JSON name in words (`ready` → `prête`).
pub fn status_word(status: &str) -> &'static str {
    use crate::model::verdict::Status;
    verdict_word(match status {
        "ready" => Status::Ready,
        "warning" => Status::Warning,
        "not_ready" => Status::NotReady,
        _ => Status::Unknown,
    })
}

/// `doctor`: no agent at a configured address nor in the user's port file.
pub const AGENT_NOT_FOUND: &str =
    "port automatique : aucun agent de cet utilisateur en cours (fichier de port absent)";
