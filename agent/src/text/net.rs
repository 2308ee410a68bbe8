//! Words about fetching over the network (CRLs, FINESS updates).

pub const OFFLINE: &str = "le réseau est coupé par la configuration ([network] offline = true) : \
    rien n'est téléchargé";
pub const TIMEOUT: &str = "délai dépassé";
pub const CONNECT: &str = "connexion impossible";
pub const TRANSFER: &str = "échec du transfert";

pub fn client_failed(detail: &str) -> String {
    format!("client HTTP impossible à préparer ({detail})")
}

pub fn status(code: u16) -> String {
    format!("le serveur a répondu {code}")
}
