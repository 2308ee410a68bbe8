//! The professions that RPPS+ is not for (domain.md §2, issue 10 §5): those with an Ordre,
//! whose members the Ordre registers in the RPPS, and those whose diploma is registered with
//! the ARS (ADELI, being moved to the RPPS). Matching is forgiving: case, accents, hyphens,
//! feminine and plural forms, and qualifiers after the name (« infirmier de bloc »).

/// Professions with an Ordre. Source: Code de la santé publique, 4e partie — the ordres of
/// the médecins, chirurgiens-dentistes and sages-femmes (art. L4121-1 and following), of the
/// pharmaciens (L4231-1), of the infirmiers (L4312-1), of the masseurs-kinésithérapeutes
/// (L4321-13) and of the pédicures-podologues (L4322-6): the seven health ordres.
pub const WITH_ORDRE: &[(&str, &[&str])] = &[
    ("médecin", &["docteur en médecine", "médecin généraliste"]),
    ("chirurgien-dentiste", &["dentiste", "chirurgien dentiste"]),
    ("sage-femme", &["maïeuticien", "sage femme"]),
    ("pharmacien", &[]),
    ("infirmier", &["ide", "infirmier diplômé d'état"]),
    (
        "masseur-kinésithérapeute",
        &["kinésithérapeute", "kiné", "masseur kinésithérapeute"],
    ),
    ("pédicure-podologue", &["podologue", "pédicure"]),
];

/// Professions whose diploma is registered with the ARS (ADELI, moving to the RPPS). Source:
/// arrêté du 27 mai 1998 as amended (ADELI), and the ADELI notices of the ARS and of the
/// professional bodies (domain.md §2).
pub const ARS_REGISTERED: &[(&str, &[&str])] = &[
    ("orthophoniste", &[]),
    ("orthoptiste", &[]),
    ("audioprothésiste", &[]),
    ("opticien-lunetier", &["opticien", "opticien lunetier"]),
    ("ergothérapeute", &[]),
    ("psychomotricien", &[]),
    (
        "manipulateur d'électroradiologie médicale",
        &[
            "manipulateur radio",
            "manipulateur en électroradiologie médicale",
            "manip radio",
        ],
    ),
    ("diététicien", &[]),
    ("orthoprothésiste", &[]),
    ("podo-orthésiste", &[]),
    ("orthopédiste-orthésiste", &[]),
    ("oculariste", &[]),
    ("épithésiste", &[]),
    (
        "technicien de laboratoire médical",
        &[
            "technicien de laboratoire",
            "technicien de laboratoire d'analyses médicales",
        ],
    ),
    ("assistant de service social", &["assistant social"]),
    ("psychologue", &[]),
    ("psychothérapeute", &[]),
    ("ostéopathe", &[]),
    ("chiropracteur", &["chiropraticien"]),
];

/// [inf] Professions regulated in recent years whose registration is not settled here
/// (domain.md §2: say « à vérifier » rather than decide).
pub const TO_CHECK: &[(&str, &[&str])] = &[
    ("assistant dentaire", &[]),
    ("physicien médical", &[]),
    (
        "préparateur en pharmacie",
        &["préparateur en pharmacie hospitalière"],
    ),
];

/// Where a profession stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfessionClass {
    /// With an Ordre: the canonical name.
    WithOrdre(&'static str),
    /// Registered with the ARS: the canonical name.
    ArsRegistered(&'static str),
    /// Not settled: the canonical name.
    ToCheck(&'static str),
    /// In neither list.
    Other,
}

fn unaccent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' => 'a',
        'ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ÿ' => 'y',
        'œ' => 'o',
        other => other,
    }
}

/// One word in its masculine singular form (both sides are normalised the same way).
fn stem(word: &str) -> String {
    let mut w = word.to_string();
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    for (feminine, masculine) in [
        ("ienne", "ien"),
        ("iere", "ier"),
        ("euse", "eur"),
        ("trice", "teur"),
        ("ante", "ant"),
        ("ale", "al"),
    ] {
        if let Some(base) = w.strip_suffix(feminine) {
            return format!("{base}{masculine}");
        }
    }
    w
}

/// Lower case, no accents, words separated by one space, each word stemmed.
pub fn normalise(text: &str) -> String {
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .map(unaccent)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned
        .split_whitespace()
        .filter(|w| !matches!(*w, "d" | "l"))
        .map(stem)
        .collect::<Vec<_>>()
        .join(" ")
}

fn matches(input: &str, name: &str, aliases: &[&str]) -> bool {
    std::iter::once(name)
        .chain(aliases.iter().copied())
        .any(|n| {
            let n = normalise(n);
            input == n || input.starts_with(&format!("{n} "))
        })
}

/// Where `profession` stands.
pub fn classify(profession: &str) -> ProfessionClass {
    let input = normalise(profession);
    let find = |list: &[(&'static str, &[&str])]| {
        list.iter()
            .find(|(name, aliases)| matches(&input, name, aliases))
            .map(|(name, _)| *name)
    };
    if let Some(name) = find(WITH_ORDRE) {
        ProfessionClass::WithOrdre(name)
    } else if let Some(name) = find(ARS_REGISTERED) {
        ProfessionClass::ArsRegistered(name)
    } else if let Some(name) = find(TO_CHECK) {
        ProfessionClass::ToCheck(name)
    } else {
        ProfessionClass::Other
    }
}
