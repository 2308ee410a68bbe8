//! The local API's own pages and answers: the session link refused, errors.

pub const LINK_REFUSED_TITLE: &str = "Lien expiré ou déjà utilisé";
pub const LINK_REFUSED: &str = "Ce lien d'ouverture de session ne sert qu'une fois et \
    expire au bout d'une minute. Relancez « cpx-agent open » sur ce poste pour en obtenir \
    un nouveau.";
pub const BACK: &str = "Revenir à l'état des cartes (noms masqués)";
pub const NO_RANDOM: &str = "aléa indisponible : session impossible";

/// The organisation's routes without their service (an agent built without it: tests).
pub const NO_ORGANISATION: &str = "Démarche RPPS+ indisponible dans cet agent.";
pub const INTERNAL: &str =
    "Erreur interne de l'agent : réessayez ; si elle revient, relancez l'agent.";

pub fn bad_json(detail: &str) -> String {
    format!("Requête JSON invalide ({detail}) : voir /v1/openapi.json.")
}
