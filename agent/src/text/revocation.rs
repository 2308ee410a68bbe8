//! Words about revocation lists (CRLs): why one was refused or could not be had. The
//! findings' words (`card_revoked`, `revocation_unknown`) are in `findings`.

pub const CRL_BAD_SIGNATURE: &str = "la signature de la liste de révocation ne correspond à \
    aucune autorité connue de ce nom (liste falsifiée ou d'une autre autorité)";
pub const DELTA_CRL: &str = "liste delta (incomplète par nature)";
pub const INDIRECT_CRL: &str = "liste indirecte (d'une autre autorité)";
pub const PARTIAL_CRL: &str =
    "liste partielle (certaines raisons ou certains certificats seulement)";
pub const OLDER_CRL: &str = "la liste reçue est plus ancienne que celle déjà gardée : elle est \
    ignorée";

pub fn crl_io(e: &std::io::Error) -> String {
    format!("erreur d'écriture de la liste de révocation ({e})")
}

pub fn not_a_crl(detail: &str) -> String {
    format!("le fichier reçu n'est pas une liste de révocation lisible ({detail})")
}

pub fn unsupported_crl(what: &str) -> String {
    format!("liste de révocation non prise en charge : {what}")
}

pub fn crl_issuer_unknown(issuer: &str) -> String {
    format!("la liste de révocation est signée par « {issuer} », autorité inconnue de l'agent")
}

pub fn algorithm(oid: &str) -> String {
    format!("algorithme de signature {oid}")
}

pub fn critical_extension(oid: &str) -> String {
    format!("extension critique inconnue {oid}")
}

pub fn cache_error(e: &rusqlite::Error) -> String {
    format!("cache des listes de révocation inutilisable ({e})")
}

pub fn cache_io(e: &std::io::Error) -> String {
    format!("cache des listes de révocation inaccessible ({e})")
}

pub fn fetch_timeout(secs: u64) -> String {
    format!("pas de liste complète en {secs} s")
}

pub fn too_big(max: u64) -> String {
    format!(
        "la liste dépasse la taille permise ({} Mo)",
        max / (1024 * 1024)
    )
}
