//! The words of the eligibility helper (who needs RPPS+) and of the roster check. French.

use crate::model::setup::Eligibility;

pub const NO_PROFESSION: &str = "Profession manquante : indiquez la profession de la personne.";

pub fn rpps_malformed(text: &str) -> String {
    format!("Numéro RPPS « {text} » mal formé : il a 11 chiffres.")
}

pub fn medical_data(yes: bool) -> String {
    if yes {
        "A besoin d'accéder à des données de santé.".to_string()
    } else {
        "N'a pas besoin d'accéder à des données de santé : RPPS+ n'est pas pour elle.".to_string()
    }
}

pub fn mss(yes: bool) -> String {
    if yes {
        "A besoin d'une adresse de messagerie sécurisée (MSSanté) nominative.".to_string()
    } else {
        "N'a pas besoin d'une adresse MSSanté nominative : RPPS+ n'est pas pour elle.".to_string()
    }
}

pub fn with_ordre(given: &str, name: &str) -> String {
    format!(
        "« {given} » ({name}) est une profession à Ordre : son Ordre l'enregistre au RPPS, pas \
         RPPS+."
    )
}

pub fn ars_registered(given: &str, name: &str) -> String {
    format!(
        "« {given} » ({name}) est une profession enregistrée auprès de l'ARS (ADELI, en cours \
         de passage au RPPS) : pas RPPS+."
    )
}

pub fn to_check(given: &str, name: &str) -> String {
    format!(
        "« {given} » ({name}) : profession réglementée récemment, son enregistrement est à \
         vérifier auprès de l'ARS avant de passer par RPPS+."
    )
}

pub fn other(given: &str) -> String {
    format!(
        "« {given} » n'est ni une profession à Ordre ni une profession enregistrée auprès de \
         l'ARS (listes de l'agent) : critère rempli."
    )
}

pub fn rpps(has: bool) -> String {
    if has {
        "A déjà un numéro RPPS : la personne est déjà au RPPS, pas besoin de RPPS+.".to_string()
    } else {
        "N'a pas de numéro RPPS.".to_string()
    }
}

pub fn verdict(v: Eligibility) -> &'static str {
    match v {
        Eligibility::Eligible => "à enregistrer dans RPPS+",
        Eligibility::NotEligible => "pas concernée par RPPS+",
        Eligibility::ToCheck => "à vérifier",
    }
}

// ----- roster --------------------------------------------------------------------------------

pub fn roster_unreadable(path: &str, detail: &str) -> String {
    format!("Impossible de lire {path} ({detail}).")
}

pub fn roster_missing_columns(missing: &[&str]) -> String {
    format!(
        "Colonnes manquantes dans la première ligne : {}. La liste attend une ligne d'en-tête \
         avec nom, profession, donnees_sante (oui/non), mss (oui/non) et, si connu, rpps.",
        missing.join(", ")
    )
}

pub const ROSTER_EMPTY: &str = "Le fichier est vide : rien à vérifier.";

pub fn bad_field_count(found: usize, expected: usize) -> String {
    format!("{found} colonnes au lieu de {expected}")
}

pub fn bad_yes_no(column: &str, value: &str) -> String {
    format!("« {value} » dans la colonne {column} : écrivez oui ou non")
}

pub const NO_PROFESSION_FIELD: &str = "profession vide";

pub fn bad_line(line: usize, reason: &str) -> String {
    format!("ligne {line} ignorée : {reason}")
}

pub fn person_line(line: usize, name: &str, profession: &str, verdict: &str) -> String {
    format!("ligne {line} — {name} ({profession}) : {verdict}")
}

pub fn roster_summary(eligible: usize, not: usize, to_check: usize, bad: usize) -> String {
    format!(
        "{eligible} à enregistrer, {not} pas concernée(s), {to_check} à vérifier, {bad} ligne(s) \
         illisible(s)."
    )
}
