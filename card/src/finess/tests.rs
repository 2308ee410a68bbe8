use super::*;

#[test]
fn real_numbers_have_valid_keys() {
    for n in [
        "750712184",
        "750100125",
        "010780054",
        "010000024",
        "970408589",
        "970400024",
        "590799730",
        "970216057",
    ] {
        assert_eq!(Finess::parse(n).unwrap().key(), FinessKey::Valid, "{n}");
    }
}

#[test]
fn wrong_keys_are_invalid() {
    for n in ["010000098", "060785432", "750712185"] {
        assert_eq!(Finess::parse(n).unwrap().key(), FinessKey::Invalid, "{n}");
    }
}

#[test]
fn letters_are_not_verifiable() {
    let f = Finess::parse("0B0057881").unwrap();
    assert_eq!(f.key(), FinessKey::NotVerifiable);
    assert_eq!(Finess::parse("2a0000154").unwrap().as_str(), "2A0000154");
}

#[test]
fn spaces_stripped_and_malformed_refused() {
    assert_eq!(
        Finess::parse(" 750 712 184 ").unwrap().as_str(),
        "750712184"
    );
    assert!(matches!(Finess::parse(""), Err(FinessError::Empty)));
    assert!(matches!(
        Finess::parse("75071218"),
        Err(FinessError::Length(_, 8))
    ));
    assert!(matches!(
        Finess::parse("A50712184"),
        Err(FinessError::Character(_))
    ));
    assert!(matches!(
        Finess::parse("75071218X"),
        Err(FinessError::Character(_))
    ));
    assert!(Finess::parse("7507121é4").is_err());
}

#[test]
fn departement() {
    assert_eq!(Finess::parse("750712184").unwrap().departement(), "75");
    assert_eq!(Finess::parse("970408589").unwrap().departement(), "974");
    assert_eq!(Finess::parse("980600000").unwrap().departement(), "986");
}
