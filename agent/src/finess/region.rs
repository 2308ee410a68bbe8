//! Which regional health agency (ARS) corrects a structure's FINESS data: FINESS anomalies are
//! fixed by the FINESS service of the ARS of the structure's region (domain.md §2), before
//! contracting. The region comes from the département.

/// A region's agency, for remedies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agency {
    /// Region name, French.
    pub region: &'static str,
    /// The agency's name, French.
    pub agency: &'static str,
    /// The FINESS service's address when a public source gives it (the seed checklist names
    /// Normandy's); otherwise people find it on the agency's site.
    pub finess_contact: Option<&'static str>,
}

const fn ars(region: &'static str, agency: &'static str) -> Agency {
    Agency {
        region,
        agency,
        finess_contact: None,
    }
}

/// Départements of each metropolitan region (2016 regions).
const REGIONS: &[(&[&str], Agency)] = &[
    (
        &[
            "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
        ],
        ars("Auvergne-Rhône-Alpes", "ARS Auvergne-Rhône-Alpes"),
    ),
    (
        &["21", "25", "39", "58", "70", "71", "89", "90"],
        ars("Bourgogne-Franche-Comté", "ARS Bourgogne-Franche-Comté"),
    ),
    (&["22", "29", "35", "56"], ars("Bretagne", "ARS Bretagne")),
    (
        &["18", "28", "36", "37", "41", "45"],
        ars("Centre-Val de Loire", "ARS Centre-Val de Loire"),
    ),
    (&["2A", "2B", "20"], ars("Corse", "ARS de Corse")),
    (
        &["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"],
        ars("Grand Est", "ARS Grand Est"),
    ),
    (
        &["02", "59", "60", "62", "80"],
        ars("Hauts-de-France", "ARS Hauts-de-France"),
    ),
    (
        &["75", "77", "78", "91", "92", "93", "94", "95"],
        ars("Île-de-France", "ARS Île-de-France"),
    ),
    (
        &["14", "27", "50", "61", "76"],
        Agency {
            region: "Normandie",
            agency: "ARS Normandie",
            finess_contact: Some("ARS-NORMANDIE-FINESS@ars.sante.fr"),
        },
    ),
    (
        &[
            "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
        ],
        ars("Nouvelle-Aquitaine", "ARS Nouvelle-Aquitaine"),
    ),
    (
        &[
            "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82",
        ],
        ars("Occitanie", "ARS Occitanie"),
    ),
    (
        &["44", "49", "53", "72", "85"],
        ars("Pays de la Loire", "ARS Pays de la Loire"),
    ),
    (
        &["04", "05", "06", "13", "83", "84"],
        ars(
            "Provence-Alpes-Côte d'Azur",
            "ARS Provence-Alpes-Côte d'Azur",
        ),
    ),
    // Overseas: INSEE codes, the FINESS extracts' letter codes (9A…9J), and the FINESS number
    // prefixes (Mayotte's numbers start 9805, its former code 985).
    (
        &["971", "9A", "977", "978"],
        ars(
            "Guadeloupe, Saint-Martin, Saint-Barthélemy",
            "ARS Guadeloupe",
        ),
    ),
    (&["972", "9B"], ars("Martinique", "ARS Martinique")),
    (&["973", "9C"], ars("Guyane", "ARS Guyane")),
    (&["974", "9D"], ars("La Réunion", "ARS La Réunion")),
    (
        &["975", "9E"],
        ars(
            "Saint-Pierre-et-Miquelon",
            "Administration territoriale de santé de Saint-Pierre-et-Miquelon",
        ),
    ),
    (&["976", "985", "9F"], ars("Mayotte", "ARS Mayotte")),
    (
        &["986", "9J"],
        ars("Wallis-et-Futuna", "Agence de santé de Wallis-et-Futuna"),
    ),
];

/// The agency for a département code (`75`, `2A`, `974`, `9D`…).
pub fn agency_of_departement(dep: &str) -> Option<Agency> {
    let dep = dep.trim().to_ascii_uppercase();
    REGIONS
        .iter()
        .find(|(deps, _)| deps.contains(&dep.as_str()))
        .map(|(_, a)| *a)
}

/// Who to write to about a structure's FINESS data, as a French phrase for a remedy, without
/// its article (`service FINESS de l'ARS Normandie (…)`): messages write « au {…} ».
/// `override_contact` is the organisation's own setting (config), when it has one.
pub fn contact_phrase(dep: Option<&str>, override_contact: Option<&str>) -> String {
    if let Some(c) = override_contact {
        return format!("service FINESS de votre ARS ({c})");
    }
    match dep.and_then(agency_of_departement) {
        Some(Agency {
            agency,
            finess_contact: Some(mail),
            ..
        }) => format!("service FINESS de l'{agency} ({mail})"),
        Some(a) => format!("service FINESS de l'{} (région {})", a.agency, a.region),
        None => "service FINESS de l'ARS de la région de la structure".to_string(),
    }
}

#[cfg(test)]
mod tests;
