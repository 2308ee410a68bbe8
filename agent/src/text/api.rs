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

// ---- error answers (`api::error`) ---------------------------------------------------------------

pub const FOREIGN_HOST: &str =
    "Nom d'hôte refusé : l'agent ne répond qu'à 127.0.0.1, localhost ou [::1] sur son port.";
pub const MALFORMED_HOST: &str =
    "En-tête Host illisible (caractères hors ASCII) : requête refusée.";
pub fn duplicate_header(name: &str) -> String {
    format!("En-tête « {name} » en double : une requête n'en porte qu'un, requête refusée.")
}
pub const FOREIGN_ORIGIN: &str =
    "Origine refusée : ajoutez-la à [api] allowed_origins dans la configuration.";
pub const CROSS_SITE: &str = "Requête venue d'un autre site refusée : seules les pages de \
    l'agent et les origines de [api] allowed_origins peuvent l'interroger depuis un navigateur.";
pub const BODY_NOT_ACCEPTED: &str =
    "Cette adresse n'accepte pas de corps de requête : envoyez-la sans contenu.";
pub const BODY_TOO_LARGE: &str =
    "Corps de requête trop grand : 16 Kio au plus (un formulaire JSON).";
pub const TOKEN_REQUIRED: &str = "Cette adresse donne des données personnelles : envoyez le jeton \
     de l'utilisateur (Authorization: Bearer, voir `cpx-agent token`).";
pub const NEEDS_TOKEN: &str = "Changement refusé : il faut le jeton (`cpx-agent token`) ou une \
     session de la page ouverte par `cpx-agent open`.";
pub const BAD_TOKEN: &str = "Jeton invalide : utilisez celui qu'affiche `cpx-agent token`.";
pub fn reader_not_found(id: &str) -> String {
    format!("Aucun lecteur « {id} » : voir /v1/readers.")
}
pub const ROUTE_NOT_FOUND: &str = "Adresse inconnue : voir /v1/openapi.json.";
pub const TOO_MANY_STREAMS: &str =
    "Trop de clients suivent déjà les événements ; réessayez plus tard.";

// ---- the one-time link, too many attempts -------------------------------------------------------

pub const TOO_MANY_ATTEMPTS_TITLE: &str = "Trop de liens refusés";
pub fn too_many_attempts(seconds: u64) -> String {
    format!(
        "Trop de liens d'ouverture de session invalides ont été présentés à l'agent : il n'en \
         accepte plus pendant {seconds} secondes. Attendez, puis relancez « cpx-agent open » \
         sur ce poste."
    )
}
pub const TOO_MANY_ATTEMPTS_LOG: &str = "trop de liens de session invalides : les liens sont \
    refusés pendant une minute";
