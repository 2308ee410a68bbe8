//! The words of `cpx-agent setup` and of the page's contract form. French.

pub fn malformed(number: &str, detail: &str) -> String {
    format!(
        "« {number} » n'est pas un numéro FINESS ({detail}) : 9 caractères, par exemple 750712184."
    )
}

pub fn key_invalid(number: &str) -> String {
    format!(
        "Le numéro FINESS {number} a une clé de contrôle fausse : vérifiez-le sur l'avis FINESS."
    )
}

pub fn key_not_verifiable(number: &str) -> String {
    format!("La clé du numéro {number} (avec une lettre) ne peut pas être vérifiée.")
}

pub const NO_DIRECTORY: &str = "Pas de répertoire FINESS sur ce poste : numéro non vérifié dans \
    l'annuaire (« cpx-agent finess import » pour l'importer).";

pub fn not_found(number: &str, date: Option<&str>) -> String {
    match date {
        Some(d) => format!("{number} est absent du répertoire FINESS (données du {d})."),
        None => format!("{number} est absent du répertoire FINESS."),
    }
}

pub fn directory_error(detail: &str) -> String {
    format!("Répertoire FINESS illisible ({detail}).")
}

pub fn closed(number: &str, date: Option<&str>) -> String {
    match date {
        Some(d) => format!("{number} est fermé dans le répertoire FINESS (depuis le {d})."),
        None => format!("{number} est fermé dans le répertoire FINESS."),
    }
}

pub fn is_eg_expected_ej(number: &str, ej: Option<&str>) -> String {
    match ej {
        Some(ej) => format!("{number} est un EG (rattaché à l'EJ {ej}), pas une EJ : l'EJ du contrat est sans doute {ej}."),
        None => format!("{number} est un EG, pas une EJ."),
    }
}

pub fn is_ej_expected_eg(number: &str) -> String {
    format!("{number} est une EJ, pas un EG.")
}

pub fn eg_of_other_ej(number: &str, its_ej: Option<&str>, contract_ej: &str) -> String {
    match its_ej {
        Some(ej) => {
            format!("L'EG {number} est rattaché à l'EJ {ej}, pas à l'EJ du contrat {contract_ej}.")
        }
        None => format!(
            "L'EG {number} n'est rattaché à aucune EJ connue (EJ du contrat : {contract_ej})."
        ),
    }
}

pub fn unreadable(path: &str, detail: &str) -> String {
    format!("Impossible de lire la configuration {path} ({detail}).")
}

pub fn cannot_write(path: &str, detail: &str) -> String {
    format!("Impossible d'écrire la configuration {path} ({detail}) : rien n'a été changé.")
}

pub const NO_CONFIG_DIR: &str =
    "Aucun dossier de configuration (XDG_CONFIG_HOME ou HOME) : donnez --config FICHIER.";

pub const NO_CONTRACT: &str = "aucun contrat";

pub fn contract(mode: &str, ej: &str, egs: &[String]) -> String {
    let mode = if mode == "decentralised" {
        "décentralisé"
    } else {
        "centralisé"
    };
    if egs.is_empty() {
        format!("contrat {mode}, EJ {ej}")
    } else {
        format!("contrat {mode}, EJ {ej}, EG {}", egs.join(", "))
    }
}

pub fn written(path: &str, contract: &str) -> String {
    format!("Configuration écrite dans {path} : {contract} (commentaires conservés).")
}

pub const APPLIED: &str = "L'agent en cours l'applique : cartes jugées de nouveau.";
pub const AGENT_NOT_RUNNING: &str = "L'agent n'est pas démarré : il l'appliquera à son démarrage.";

pub fn agent_refused(detail: &str) -> String {
    format!("L'agent en cours n'a pas pu l'appliquer ({detail}) : redémarrez-le.")
}

pub const NOT_A_TERMINAL: &str = "Pas de terminal pour poser les questions : donnez --mode, --ej \
    et --eg (autant que d'EG), par exemple « cpx-agent setup --mode centralised --ej 750712184 ».";

pub const ASK_MODE: &str = "Mode de contractualisation — centralisé (recommandé par l'ANS : un \
    contrat, une CDE et des cartes sur l'EJ) ou décentralisé (par EG) ? [c/d] ";
pub const ASK_EJ: &str = "Numéro FINESS de l'entité juridique (EJ) : ";
pub const ASK_EG: &str = "Numéro FINESS d'un EG concerné (ligne vide pour finir) : ";
pub const ASK_CONFIRM: &str = "Écrire cette configuration ? [o/n] ";
pub const CANCELLED: &str = "Rien n'a été écrit.";
pub const BAD_MODE: &str = "Répondez c (centralisé) ou d (décentralisé).";

pub fn found(kind: Option<&str>, name: Option<&str>) -> String {
    match (kind, name) {
        (Some(k), Some(n)) => format!("  → {k} : {n}"),
        (Some(k), None) => format!("  → {k}"),
        (None, Some(n)) => format!("  → {n}"),
        (None, None) => "  → trouvé".to_string(),
    }
}

pub fn eg_of(ej: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("    rattaché à l'EJ {ej} ({n})"),
        None => format!("    rattaché à l'EJ {ej}"),
    }
}

pub fn note(text: &str) -> String {
    format!("  ! {text}")
}
