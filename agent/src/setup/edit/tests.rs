use super::*;

const ORIGINAL: &str = "# Configuration du poste d'accueil\n\
    # (gardée par l'équipe informatique)\n\
    \n\
    [contract]\n\
    # Contrat signé en 2026\n\
    mode = \"decentralised\"   # à revoir\n\
    ej = \"750712184\"\n\
    egs = [\"750100125\"]\n\
    \n\
    [checks]\n\
    expiry_warning_days = 45 # un mois et demi\n\
    \n\
    [api]\n\
    listen = \"127.0.0.1:8787\"\n";

#[test]
fn comments_and_other_tables_are_kept() {
    let out = set_contract(ORIGINAL, "centralised", "760000018", &[]).unwrap();
    for kept in [
        "# Configuration du poste d'accueil",
        "# (gardée par l'équipe informatique)",
        "# Contrat signé en 2026",
        "# à revoir",
        "expiry_warning_days = 45 # un mois et demi",
        "[api]",
    ] {
        assert!(out.contains(kept), "{kept} lost:\n{out}");
    }
    assert!(out.contains("mode = \"centralised\""), "{out}");
    assert!(out.contains("ej = \"760000018\""), "{out}");
    assert!(out.contains("egs = []"), "{out}");
    assert!(!out.contains("750712184"), "{out}");
    // Order: the contract table stays where it was.
    assert!(out.find("[contract]").unwrap() < out.find("[checks]").unwrap());
}

#[test]
fn a_file_without_contract_gets_one() {
    let out = set_contract(
        "# vide\n[api]\nlisten = \"127.0.0.1:8800\"\n",
        "decentralised",
        "760000018",
        &["760000026".into(), "760000034".into()],
    )
    .unwrap();
    assert!(out.starts_with("# vide\n"), "{out}");
    assert!(out.contains("[contract]"), "{out}");
    assert!(
        out.contains("egs = [\"760000026\", \"760000034\"]"),
        "{out}"
    );
    let out = set_contract("", "centralised", "760000018", &[]).unwrap();
    assert!(out.contains("[contract]\nmode = \"centralised\""), "{out}");
}

#[test]
fn broken_toml_is_refused() {
    assert!(set_contract("[contract\nmode=", "centralised", "760000018", &[]).is_err());
}
