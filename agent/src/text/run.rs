//! `cpx-agent run`: why the agent could not start.

use std::net::SocketAddr;

pub fn port_taken(addr: &SocketAddr) -> String {
    format!(
        "le port {addr} est déjà utilisé (un autre cpx-agent tourne-t-il ?) : arrêtez l'autre \
         programme ou choisissez une autre adresse avec --listen ou [api] listen ; sans \
         adresse configurée, l'agent prend le premier port libre à partir de 8787 (l'agent \
         écoute sur 127.0.0.1 et [::1] : le même port doit être libre sur les deux) / port \
         already in use"
    )
}

pub fn no_free_port(first: u16, last: u16) -> String {
    format!(
        "aucun port libre de {first} à {last} sur 127.0.0.1 et [::1] : trop d'agents ou de \
         programmes sur ces ports ; choisissez une adresse avec --listen ou [api] listen / no \
         free port"
    )
}

pub fn not_loopback(addr: &SocketAddr) -> String {
    format!(
        "api.listen : {addr} n'est pas une adresse de bouclage ; l'agent n'écoute que sur \
         127.0.0.1 ou [::1] / loopback only"
    )
}

pub fn cannot_listen(addr: &SocketAddr, source: &std::io::Error) -> String {
    format!("impossible d'écouter sur {addr} : {source}")
}

pub fn cannot_start(source: &std::io::Error) -> String {
    format!("démarrage impossible : {source}")
}

/// `POST /v1/config/reload`, SIGHUP: what is in force now.
pub fn reloaded(contract: &str, restart_needed: bool) -> String {
    if restart_needed {
        format!(
            "Configuration appliquée ({contract}) ; les réglages de [api] (adresse d'écoute, \
             origines) ne changeront qu'au redémarrage de l'agent."
        )
    } else {
        format!("Configuration appliquée ({contract}) : cartes jugées de nouveau.")
    }
}
