//! `cpx-agent open`: the one-time link to the status page.

use std::net::SocketAddr;

pub fn unreachable(addr: SocketAddr, detail: &str) -> String {
    format!(
        "l'agent ne répond pas sur http://{addr} ({detail}) : est-il démarré ? \
         (`cpx-agent run`, ou `systemctl --user start cpx-agent`) / the agent is not running"
    )
}

pub fn token_refused(addr: SocketAddr) -> String {
    format!(
        "l'agent de http://{addr} refuse le jeton de cet utilisateur : il tourne sous un \
         autre compte ou avec un autre fichier de jeton (CPX_AGENT_TOKEN_FILE) / token refused"
    )
}

pub fn unexpected(addr: SocketAddr, detail: &str) -> String {
    format!("réponse inattendue de l'agent sur http://{addr} : {detail}")
}

pub fn link(url: &str, seconds: u64) -> String {
    format!(
        "Lien de session (usage unique, valable {seconds} s ; affiche les noms des porteurs \
         sur ce poste) :\n{url}\n"
    )
}

pub const OPENING: &str = "Ouverture dans le navigateur…";
pub const NO_BROWSER: &str = "Navigateur non lancé : ouvrez le lien ci-dessus.";
