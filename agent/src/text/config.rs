//! Messages about the configuration file (refused at start, exit 2).

use std::net::SocketAddr;
use std::path::Path;

use cpx_card::{Finess, FinessError};

use crate::model::contract::ContractMode;

fn file(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!("configuration {}", p.display()),
        None => "configuration".to_string(),
    }
}

pub fn not_found(path: &Path) -> String {
    format!(
        "fichier de configuration introuvable : {} — vérifiez le chemin donné à --config \
         (sans --config, le fichier par défaut est facultatif)",
        path.display()
    )
}

pub fn unreadable(path: &Path, detail: &str) -> String {
    format!(
        "impossible de lire la configuration {} ({detail}) — vérifiez le fichier et ses droits",
        path.display()
    )
}

pub fn syntax(
    path: Option<&Path>,
    line: Option<usize>,
    table: Option<&str>,
    detail: &str,
) -> String {
    let mut s = file(path);
    if let Some(l) = line {
        s.push_str(&format!(", ligne {l}"));
    }
    if let Some(t) = table {
        s.push_str(&format!(", table [{t}]"));
    }
    let detail = detail
        .replace("unknown field", "clé inconnue")
        .replace("expected one of", "clés permises :")
        .replace("expected", "attendu :")
        .replace("invalid type", "type invalide")
        .replace("missing field", "clé manquante")
        .replace("u32", "un entier positif")
        .replace('\n', " ");
    format!(
        "{s} : {detail} — corrigez ou supprimez cette clé (tables permises : [contract], \
         [checks], [api], [finess], [network])"
    )
}

pub fn invalid(path: Option<&Path>, key: &str, problem: &str, fix: &str) -> String {
    format!("{} : clé `{key}` : {problem} — {fix}", file(path))
}

pub fn missing() -> String {
    "absente".to_string()
}

pub fn mode_unknown(value: &str) -> String {
    format!("mode de contrat inconnu « {value} »")
}

pub fn mode_fix() -> String {
    "écrivez mode = \"centralised\" (contrat sur le FINESS de l'EJ, recommandé par l'ANS) \
     ou mode = \"decentralised\" (contrat sur le FINESS de chaque EG)"
        .to_string()
}

pub fn ej_fix() -> String {
    "écrivez ej = \"<FINESS de l'entité juridique>\" (9 caractères)".to_string()
}

pub fn finess_malformed(value: &str, e: &FinessError) -> String {
    format!("« {value} » n'est pas un numéro FINESS ({e})")
}

pub fn finess_key_invalid(f: &Finess) -> String {
    format!("la clé de contrôle (dernier chiffre) du FINESS {f} est fausse")
}

pub fn finess_fix() -> String {
    "recopiez le numéro FINESS (9 caractères) depuis l'avis FINESS ou le contrat RPPS+ ; \
     un FINESS faux dans le répertoire se signale au service FINESS de l'ARS"
        .to_string()
}

pub fn eg_is_ej(f: &Finess) -> String {
    format!("l'EG {f} est aussi l'EJ du contrat")
}

pub fn eg_is_ej_fix(mode: ContractMode) -> String {
    match mode {
        ContractMode::Centralised => {
            "retirez-le de egs : en mode centralisé, l'EJ est dans ej et egs liste les \
             sites (EG) concernés"
                .to_string()
        }
        ContractMode::Decentralised => {
            "retirez-le de egs : egs liste les FINESS des établissements (EG) sous contrat, \
             ej celui de l'entité juridique"
                .to_string()
        }
    }
}

pub fn eg_duplicate(f: &Finess) -> String {
    format!("l'EG {f} est listé deux fois")
}

pub fn eg_duplicate_fix() -> String {
    "supprimez le doublon".to_string()
}

pub fn decentralised_without_egs() -> String {
    "un contrat décentralisé sans aucun EG".to_string()
}

pub fn decentralised_without_egs_fix() -> String {
    "listez les FINESS des établissements sous contrat : egs = [\"…\"], ou passez en \
     mode = \"centralised\" si le contrat est sur l'EJ"
        .to_string()
}

pub fn expiry_days_too_big(days: u32) -> String {
    format!("{days} jours, c'est plus que la durée de vie d'une carte")
}

pub fn expiry_days_fix(max: u32) -> String {
    format!("donnez un nombre de jours entre 0 et {max} (30 par défaut)")
}

pub fn anchor_unreadable(path: &Path, detail: &str) -> String {
    format!("le fichier {} est illisible ({detail})", path.display())
}

pub fn anchor_empty(path: &Path) -> String {
    format!("le fichier {} est vide", path.display())
}

pub fn anchor_invalid(path: &Path, detail: &str) -> String {
    format!(
        "le fichier {} n'est pas un certificat d'autorité lisible ({detail})",
        path.display()
    )
}

pub fn anchor_fix() -> String {
    "donnez le chemin d'un certificat racine PEM ou DER lisible (chemin relatif = relatif \
     au fichier de configuration), ou retirez-le de la liste"
        .to_string()
}

pub fn listen_malformed(value: &str) -> String {
    format!("« {value} » n'est pas une adresse IP:port")
}

pub fn listen_not_loopback(addr: &SocketAddr) -> String {
    format!("{addr} n'est pas une adresse locale (loopback) : l'API ne s'expose pas au réseau")
}

pub fn listen_fix() -> String {
    "écrivez par exemple listen = \"127.0.0.1:8787\" (ou \"[::1]:8787\")".to_string()
}

pub fn origin_malformed(value: &str) -> String {
    format!("« {value} » n'est pas une origine exacte")
}

pub fn origin_fix() -> String {
    "écrivez schéma://hôte[:port] sans chemin ni joker, par exemple \
     \"https://intranet.example.fr\""
        .to_string()
}

pub fn source_malformed(value: &str) -> String {
    format!("« {value} » n'est pas une adresse http:// ou https://")
}

pub fn source_fix() -> String {
    "donnez l'adresse de l'API data.gouv.fr (par défaut \"https://www.data.gouv.fr/api/1/\") \
     ou celle d'un extrait FINESS (.json, .json.gz, .csv), ou retirez la clé"
        .to_string()
}

pub fn ca_file_invalid(path: &Path) -> String {
    format!(
        "le fichier {} ne contient aucun certificat PEM lisible",
        path.display()
    )
}

pub fn ca_file_fix() -> String {
    "donnez le chemin d'un certificat d'autorité PEM (celui du proxy de l'établissement, par \
     exemple ; chemin relatif = relatif au fichier de configuration), ou retirez-le de la liste"
        .to_string()
}
