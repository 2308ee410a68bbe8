//! The words of the RPPS+ démarche (issue 10): each step's title and what to do, with the
//! addresses, forms and portals the seed checklist names (domain.md §2), what the agent saw,
//! and the CLI's lines. French.

use crate::model::checklist::{StepId, StepState};

use super::{ANS_CONTRACT_CONTACT, RPPS_PLUS_PORTAL};

/// The step's title (`eg`: the EG of a per-EG line).
pub fn title(step: StepId, eg: Option<&str>) -> String {
    let base = match step {
        StepId::FinessData => "Données FINESS de l'EJ et des EG exactes",
        StepId::ContractMode => "Mode de contractualisation choisi",
        StepId::ContractSent => "Contrat et formulaire F101 envoyés à l'ANS, copie conservée",
        StepId::CertificatesOrgServ => "Certificats ORG/SERV (facultatif)",
        StepId::CdeReceived => "Carte CDE reçue (elle valide le contrat)",
        StepId::ManagerCards => "Cartes de gestionnaire et lecteurs commandés et reçus",
        StepId::Elearning => "E-learning de l'ANS suivi par le gestionnaire",
        StepId::Habilitation => "Gestionnaire habilité dans « Mes habilitations »",
        StepId::Roles => "Qui a besoin de RPPS+, avec quel rôle",
        StepId::Registration => "Professionnels enregistrés sur le portail RPPS+",
    };
    match eg {
        Some(eg) => format!("{base} — EG {eg}"),
        None => base.to_string(),
    }
}

/// What to do for the step. `ars`: the FINESS service of the structure's ARS (a phrase
/// without article, `crate::finess::region::contact_phrase`); `contract_finess`: the FINESS
/// the contract and the cards are on (the EJ, or this line's EG).
pub fn what_to_do(step: StepId, ars: &str, contract_finess: Option<&str>) -> String {
    let on = contract_finess
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    match step {
        StepId::FinessData => format!(
            "Vérifiez que l'EJ et chaque EG concerné existent dans le répertoire FINESS, sont \
             ouverts et rattachés entre eux (« cpx-agent finess check »). Signalez toute \
             anomalie au {ars} avant de contractualiser : le contrat et les cartes reprennent \
             ces données."
        ),
        StepId::ContractMode => "Centralisé (recommandé par l'ANS) : un contrat, une CDE et \
             des cartes de gestionnaire sur le FINESS de l'EJ, les gestionnaires enregistrent \
             pour tous les EG. Décentralisé : un contrat, une CDE et des cartes par EG. \
             Enregistrez le choix avec « cpx-agent setup » ou le formulaire de la page d'état."
            .to_string(),
        StepId::ContractSent => format!(
            "Envoyez le contrat signé{on} et le formulaire F101 à l'ANS \
             ({ANS_CONTRACT_CONTACT}). Gardez-en une copie : aucun accusé de réception n'est \
             envoyé."
        ),
        StepId::CertificatesOrgServ => "Seulement pour les services du Ségur et une \
             messagerie MSSanté d'établissement : commandez les certificats ORG/SERV à l'ANS. \
             Sinon, marquez l'étape « sans objet »."
            .to_string(),
        StepId::CdeReceived => format!(
            "La CDE du représentant légal arrive une fois le contrat validé, sur le FINESS du \
             contrat{on}. Insérez-la dans un lecteur de ce poste : l'agent vérifie son FINESS \
             et sa validité."
        ),
        StepId::ManagerCards => format!(
            "Après la CDE, commandez les cartes des gestionnaires RPPS+ (formulaire F301, ou en \
             ligne sur TOM) avec le même FINESS que le contrat{on}, et des lecteurs de cartes \
             PC/SC. Insérez chaque carte dans un lecteur de ce poste : l'agent vérifie FINESS, \
             validité et code porteur."
        ),
        StepId::Elearning => "Le gestionnaire suit le module d'e-learning RPPS+ de l'ANS \
             avant son premier enregistrement."
            .to_string(),
        StepId::Habilitation => "Le représentant légal (avec sa CDE), ou un mandataire muni \
             d'une CPE, habilite le gestionnaire à RPPS+ dans le portail « Mes habilitations »."
            .to_string(),
        StepId::Roles => "Listez les professionnels à enregistrer et le rôle de chacun. \
             RPPS+ est pour ceux qui ont besoin d'accéder à des données de santé et d'une \
             adresse MSSanté nominative, sans profession à Ordre ni enregistrée auprès de l'ARS, \
             et sans numéro RPPS : « cpx-agent eligible » pour une personne, « cpx-agent roster \
             check FICHIER.csv » pour une liste."
            .to_string(),
        StepId::Registration => format!(
            "Le gestionnaire se connecte au portail RPPS+ ({RPPS_PLUS_PORTAL}) avec sa carte \
             CPx (Pro Santé Connect) et enregistre chaque professionnel."
        ),
    }
}

// ----- what the agent saw --------------------------------------------------------------------

pub const NO_CONTRACT: &str =
    "Aucun contrat configuré : lancez « cpx-agent setup » (ou le formulaire de la page d'état).";

pub fn mode_centralised(ej: &str) -> String {
    format!("Centralisé, sur l'EJ {ej} (le mode recommandé par l'ANS).")
}

pub fn mode_decentralised(ej: &str, egs: &[String]) -> String {
    format!("Décentralisé : EJ {ej}, EG {}.", egs.join(", "))
}

pub const FINESS_NO_CONTRACT: &str =
    "Contrat non configuré : l'agent ne sait pas quels numéros vérifier (« cpx-agent setup »).";

pub const FINESS_NO_DIRECTORY: &str = "Pas de répertoire FINESS sur ce poste : importez-le \
    (« cpx-agent finess import FICHIERS ») pour que l'agent vérifie l'EJ et les EG, ou cochez \
    l'étape après les avoir vérifiés vous-même.";

pub fn finess_unreadable(detail: &str) -> String {
    format!("Répertoire FINESS illisible ({detail}) : importez-le de nouveau.")
}

pub fn finess_checked(data_date: Option<&str>, numbers: &[String]) -> String {
    let date = data_date
        .map(|d| format!(" (données du {d})"))
        .unwrap_or_default();
    format!(
        "Vérifié dans le répertoire FINESS{date} : {}.",
        numbers.join(" ; ")
    )
}

pub fn finess_problems(count: usize) -> String {
    if count == 1 {
        "Le répertoire FINESS signale un problème : voir ci-dessous.".to_string()
    } else {
        format!("Le répertoire FINESS signale {count} problèmes : voir ci-dessous.")
    }
}

pub fn director_card_seen(date: &str, finess: &str) -> String {
    format!(
        "Carte CDE/CPE au titre de directeur vue le {date} sur le FINESS {finess}. L'agent ne \
         distingue pas sûrement une CDE d'une CPE : confirmez en cochant l'étape."
    )
}

pub fn other_establishment_card_seen(date: &str, finess: &str) -> String {
    format!(
        "Une carte CDE/CPE sans titre de directeur a été vue le {date} sur le FINESS \
         {finess} : si c'est la CDE, cochez l'étape."
    )
}

pub fn manager_card_seen(date: &str, finess: &str, cards: usize, reader: Option<&str>) -> String {
    let others = if cards > 1 {
        format!(" ({cards} cartes de gestionnaire vues en tout)")
    } else {
        String::new()
    };
    let reader = match reader {
        Some(day) => format!(" Lecteur vu le {day}."),
        None => String::new(),
    };
    format!(
        "Carte de gestionnaire vue utilisable le {date} sur le FINESS {finess}{others}.{reader}"
    )
}

pub fn manager_card_without_reader(date: &str, finess: &str) -> String {
    format!(
        "Carte de gestionnaire vue le {date} sur le FINESS {finess}, mais aucun lecteur n'est \
         vu sur ce poste en ce moment."
    )
}

pub const NO_READER_SEEN: &str = "Aucun lecteur de cartes vu sur ce poste pour l'instant.";

pub fn card_problem(finess: &str, on_contract: bool) -> String {
    if on_contract {
        format!("Une carte CDE/CPE sur le FINESS {finess}, dans un lecteur, n'est pas prête :")
    } else {
        format!("Une carte CDE/CPE sur le FINESS {finess}, hors du contrat, est dans un lecteur :")
    }
}

pub fn registration_hint(reader: &str) -> String {
    format!(
        "Une carte de gestionnaire utilisable est dans le lecteur « {reader} » : le gestionnaire \
         peut se connecter au portail RPPS+ ({RPPS_PLUS_PORTAL})."
    )
}

// ----- CLI -----------------------------------------------------------------------------------

pub fn state_label(state: StepState) -> &'static str {
    match state {
        StepState::Done => "fait",
        StepState::Todo => "à faire",
        StepState::Attention => "attention",
        StepState::Optional => "facultatif",
        StepState::NotApplicable => "sans objet",
    }
}

pub fn state_mark(state: StepState) -> &'static str {
    match state {
        StepState::Done => "[x]",
        StepState::Todo => "[ ]",
        StepState::Attention => "[!]",
        StepState::Optional => "[-]",
        StepState::NotApplicable => "[/]",
    }
}

pub fn progress(done: u32, total: u32) -> String {
    format!("{done}/{total} étapes")
}

pub fn heading(progress: &str) -> String {
    format!("Démarche RPPS+ : {progress}")
}

pub fn next_step(title: &str) -> String {
    format!("Prochaine étape : {title}")
}

pub const ALL_DONE: &str = "Toutes les étapes sont faites.";

pub fn by_agent(at: Option<&str>) -> String {
    match at {
        Some(at) => format!("vérifié par l'agent, {at}"),
        None => "vérifié par l'agent".to_string(),
    }
}

pub fn by_person(at: Option<&str>, by: Option<&str>) -> String {
    match (at, by) {
        (Some(at), Some(by)) => format!("coché le {at} par {by}"),
        (Some(at), None) => format!("coché le {at}"),
        (None, Some(by)) => format!("coché par {by}"),
        (None, None) => "coché".to_string(),
    }
}

pub const REMEDY: &str = "Que faire : ";

pub fn ticked(title: &str) -> String {
    format!("Étape cochée : {title}.")
}

pub fn unticked(title: &str) -> String {
    format!("Étape décochée : {title}.")
}

pub const APPLIED: &str = "L'agent en cours l'affiche déjà.";
pub const AGENT_NOT_RUNNING: &str =
    "L'agent n'est pas démarré ici : il en tiendra compte à son démarrage.";

pub fn agent_not_told(detail: &str) -> String {
    format!("L'agent en cours n'a pas pu être prévenu ({detail}) : il en tiendra compte au plus tard à son redémarrage.")
}

// ----- refusals ------------------------------------------------------------------------------

pub fn unknown_step(id: &str) -> String {
    let ids: Vec<&str> = StepId::ALL.iter().map(|s| s.as_str()).collect();
    format!(
        "Étape « {id} » inconnue : les étapes sont {}.",
        ids.join(", ")
    )
}

pub const NOT_TICKABLE: &str = "Le mode de contractualisation ne se coche pas : il vient de la \
    configuration (« cpx-agent setup »).";

pub fn eg_needed(step: StepId, egs: &[String]) -> String {
    format!(
        "Contrat décentralisé : l'étape {step} se coche pour un EG (--eg, ou « eg » dans la \
         requête), parmi {}.",
        egs.join(", ")
    )
}

pub fn eg_not_in_contract(eg: &str, egs: &[String]) -> String {
    if egs.is_empty() {
        format!("L'EG {eg} ne fait pas partie du contrat : cette étape ne se coche pas par EG.")
    } else {
        format!(
            "L'EG {eg} ne fait pas partie du contrat (EG : {}).",
            egs.join(", ")
        )
    }
}

pub fn eg_not_needed(step: StepId) -> String {
    format!("L'étape {step} ne se coche pas par EG : retirez --eg (ou « eg »).")
}

pub fn bad_date(text: &str) -> String {
    format!("Date « {text} » invalide : écrivez-la AAAA-MM-JJ (par exemple 2026-12-03).")
}

pub fn future_date(text: &str) -> String {
    format!("Date « {text} » dans le futur : donnez le jour où c'était fait.")
}

pub const NOTE_TOO_LONG: &str = "Note trop longue (1 000 caractères au plus).";

pub const NA_ONLY_OPTIONAL: &str =
    "Seule une étape facultative peut être marquée « sans objet » (certificates_org_serv).";

pub fn store_unavailable(path: &str, detail: &str) -> String {
    format!(
        "Suivi de la démarche illisible ({path} : {detail}). Vérifiez les droits du dossier de \
         données, ou déplacez le fichier pour repartir d'une démarche vide."
    )
}

pub fn store_too_new(path: &str, version: i64) -> String {
    format!(
        "Le suivi de la démarche ({path}) vient d'une version plus récente de cpx-agent \
         (schéma {version}) : mettez cpx-agent à jour."
    )
}

pub const NO_DATA_DIR: &str =
    "Aucun dossier de données (XDG_DATA_HOME ou HOME) : impossible de garder la démarche.";

// ----- export / import -----------------------------------------------------------------------

pub fn exported(path: &str, ticks: usize, history: usize) -> String {
    format!("Démarche exportée dans {path} : {ticks} étape(s) cochée(s), {history} entrée(s) d'historique.")
}

pub fn imported(path: &str, new_history: usize, ticks: usize) -> String {
    format!(
        "Démarche importée de {path} : {new_history} nouvelle(s) entrée(s) d'historique ; \
         {ticks} étape(s) cochée(s) désormais."
    )
}

pub fn not_an_export(path: &str, detail: &str) -> String {
    format!("{path} n'est pas un export de démarche cpx-agent ({detail}) : rien n'a été importé.")
}

pub fn cannot_write(path: &str, detail: &str) -> String {
    format!("Impossible d'écrire {path} ({detail}).")
}

pub fn cannot_read(path: &str, detail: &str) -> String {
    format!("Impossible de lire {path} ({detail}).")
}
