//! Finding the user's agent (`cpx-agent port`, `open`, the tray): the port file.

use std::path::Path;

pub fn no_port_file_dir() -> String {
    "aucun dossier où trouver le port de l'agent (ni $XDG_RUNTIME_DIR ni dossier personnel) : \
     donnez son adresse avec --listen ou [api] listen / no runtime directory"
        .to_string()
}

pub fn not_running(path: &Path) -> String {
    format!(
        "l'agent de cet utilisateur ne tourne pas ({} absent ou périmé) : démarrez-le \
         (`cpx-agent run`, ou `systemctl --user start cpx-agent`) / the agent is not running",
        path.display()
    )
}

pub fn port_file_not_written(path: &Path, detail: &str) -> String {
    format!(
        "impossible d'écrire le port dans {} ({detail}) : la zone de notification et \
         `cpx-agent open` ne trouveront pas l'agent ; fixez le port avec [api] listen",
        path.display()
    )
}
