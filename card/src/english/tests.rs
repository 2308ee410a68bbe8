use super::*;

fn round_trip<T>(value: T, text: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(&value).unwrap();
    assert_eq!(json, serde_json::Value::String(text.into()));
    assert_eq!(serde_json::from_value::<T>(json).unwrap(), value);
}

#[test]
fn trust_details_are_the_english_strings_of_before() {
    round_trip(TrustDetail::IssuerUnknown, "issuer unknown");
    round_trip(TrustDetail::BadSignature, "signature does not verify");
    round_trip(TrustDetail::ChainTooLong, "chain too long");
    round_trip(
        TrustDetail::ChainsTo("TEST AC RACINE IGC-SANTE STANDARD".into()),
        "chains to TEST AC RACINE IGC-SANTE STANDARD",
    );
    for (d, text) in [
        (TrustDetail::CaExpired, "CA certificate expired"),
        (TrustDetail::CaNotYetValid, "CA certificate not yet valid"),
        (
            TrustDetail::WrongExtendedKeyUsage,
            "extended key usage does not allow this use",
        ),
        (
            TrustDetail::CaKeyUsage,
            "CA key usage does not allow certificate signing",
        ),
        (TrustDetail::IssuerNotCa, "issuer is not a CA"),
        (
            TrustDetail::PathLengthExceeded,
            "path length constraint exceeded",
        ),
        (
            TrustDetail::NameConstraintViolated,
            "name constraint violated",
        ),
        (
            TrustDetail::UnsupportedCriticalExtension,
            "unsupported critical extension",
        ),
        (
            TrustDetail::UnsupportedAlgorithm,
            "unsupported signature algorithm",
        ),
        (TrustDetail::Malformed, "malformed certificate"),
    ] {
        round_trip(d, text);
    }
    for bad in ["", "chains to", "Issuer unknown", "trusted"] {
        assert!(
            serde_json::from_value::<TrustDetail>(bad.into()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn disagreements_are_the_english_sentences_of_before() {
    round_trip(
        Disagreement::Field {
            field: CertField::HolderId,
            first: Usage::Authentication,
            second: Usage::Signature,
        },
        "holder identifier differs between the authentication and signature certificates",
    );
    for f in FIELDS {
        round_trip(
            Disagreement::Field {
                field: f,
                first: Usage::Other,
                second: Usage::Authentication,
            },
            &format!(
                "{} differs between the other and authentication certificates",
                field(f)
            ),
        );
    }
    round_trip(
        Disagreement::Structure {
            first: Usage::Authentication,
            first_id: Some("10B0057881".into()),
            second: Usage::Signature,
            second_id: Some("1750712184".into()),
        },
        "structure differs between the authentication (10B0057881) and signature (1750712184) certificates",
    );
    round_trip(
        Disagreement::Structure {
            first: Usage::Authentication,
            first_id: None,
            second: Usage::Signature,
            second_id: Some("1750712184".into()),
        },
        "structure differs between the authentication (none) and signature (1750712184) certificates",
    );
    for bad in [
        "",
        "structure: 1750712184 vs 1750100125",
        "colour differs between the authentication and signature certificates",
        "card kind differs between the authentication and signature",
        "structure differs between the authentication and signature certificates",
    ] {
        assert!(
            serde_json::from_value::<Disagreement>(bad.into()).is_err(),
            "{bad}"
        );
    }
}
