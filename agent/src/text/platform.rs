//! What the agent says about the system it runs on.

/// Answer of everything the agent does not do on this system yet.
pub const UNSUPPORTED: &str = "pas encore pris en charge sur ce système";

/// Why a private file is not private, on Unix: its mode bits (`droits 640`).
pub fn mode_bits(mode: u32) -> String {
    format!("droits {mode:o}")
}

/// Why a private file is not private, on Windows: who else its ACL lets in, by SID
/// (`accès pour S-1-1-0`), or that it has no ACL at all.
pub fn acl_others(sids: &[String]) -> String {
    if sids.is_empty() {
        "aucune liste de contrôle d'accès : ouvert à tous".to_string()
    } else {
        format!("accès pour {}", sids.join(", "))
    }
}

/// The Windows ACL that makes a file its owner's only could not be made or read.
pub fn acl_failed(step: &str, code: u32) -> String {
    format!("protection du fichier par son ACL impossible ({step}, erreur Windows {code})")
}
