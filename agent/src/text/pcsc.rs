//! The PC/SC service: how to bring it back, per OS (the one remedy for that situation).

/// How to start the PC/SC service, per OS.
pub fn pcsc_remedy() -> &'static str {
    if cfg!(target_os = "windows") {
        "le service « Carte à puce » (SCardSvr) est arrêté : branchez un lecteur (Windows \
         le démarre alors), ou en administrateur `sc start SCardSvr`"
    } else if cfg!(target_os = "macos") {
        "le service carte à puce de macOS ne répond pas : débranchez et rebranchez le \
         lecteur, ou fermez puis rouvrez la session"
    } else {
        "pcscd n'est pas démarré : `sudo systemctl start pcscd` (s'il manque : \
         `sudo apt install pcscd`)"
    }
}

pub fn service_unavailable(detail: &str) -> String {
    format!(
        "service carte à puce (PC/SC) indisponible ({detail}) : {}",
        pcsc_remedy()
    )
}
