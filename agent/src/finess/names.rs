//! Structure names compared the way people read them: case, accents, punctuation and spacing do
//! not count (`C.H. de Cayenne` = `CH DE CAYENNE`).

/// Upper-case, accents removed, every run of non-alphanumerics as one space.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.chars().flat_map(char::to_uppercase) {
        let c = fold_accent(c);
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else if c != '.' {
            // `C.H.` reads as `CH`; any other separator is a space.
            pending_space = true;
        }
    }
    out
}

fn fold_accent(c: char) -> char {
    match c {
        'À' | 'Â' | 'Ä' | 'Á' | 'Ã' => 'A',
        'Ç' => 'C',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'Î' | 'Ï' | 'Í' | 'Ì' => 'I',
        'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => 'O',
        'Ù' | 'Û' | 'Ü' | 'Ú' => 'U',
        'Ÿ' | 'Ý' => 'Y',
        'Œ' => 'O',
        'Æ' => 'A',
        '\'' | '’' => ' ',
        other => other,
    }
}

/// True when the card's name is one of the directory's names, normalised; a card name cut
/// short (certificate fields are limited) still matches when it is a prefix of at least
/// 10 characters.
pub fn same_structure_name(card: &str, directory: &[&str]) -> bool {
    let card = normalise(card);
    if card.is_empty() {
        return true;
    }
    directory
        .iter()
        .map(|d| normalise(d))
        .any(|d| !d.is_empty() && (d == card || (card.len() >= 10 && d.starts_with(&card))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_names() {
        assert_eq!(normalise("C.H. de  Cayenne"), "CH DE CAYENNE");
        assert_eq!(normalise("Hôpital d'Évreux"), "HOPITAL D EVREUX");
        assert_eq!(
            normalise("  CHU SITE FELIX GUYON (SAINT DENIS) "),
            "CHU SITE FELIX GUYON SAINT DENIS"
        );
    }

    #[test]
    fn comparisons() {
        assert!(same_structure_name(
            "ch de fleyriat",
            &["CH DE FLEYRIAT", "CENTRE HOSPITALIER"]
        ));
        assert!(same_structure_name(
            "CENTRE HOSPITALIER DE BOURG",
            &[
                "CH DE FLEYRIAT",
                "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"
            ]
        ));
        assert!(!same_structure_name(
            "CLINIQUE DU PARC",
            &["CH DE FLEYRIAT"]
        ));
        assert!(!same_structure_name("CH", &["CH DE FLEYRIAT"]));
    }
}
