use super::*;
use pcsc::Error as E;

#[test]
fn pcsc_errors_map_to_user_states() {
    let code = |e| classify(e).code();
    assert_eq!(
        classify(E::RemovedCard),
        ReadError::Transport(TransportError::Removed)
    );
    assert_eq!(code(E::RemovedCard), ReadFailureCode::CardRemoved);
    assert!(matches!(classify(E::NoService), ReadError::NoService(_)));
    assert_eq!(
        classify(E::ResetCard),
        ReadError::Transport(TransportError::Reset)
    );
    assert_eq!(code(E::ResetCard), ReadFailureCode::CardReset);
    assert_eq!(classify(E::SharingViolation), ReadError::Busy);
    assert_eq!(code(E::SharingViolation), ReadFailureCode::CardBusy);
    assert_eq!(classify(E::UnresponsiveCard), ReadError::Unresponsive);
    assert_eq!(code(E::UnpoweredCard), ReadFailureCode::CardUnresponsive);
    assert!(matches!(
        classify(E::UnknownReader),
        ReadError::ReaderUnavailable(_)
    ));
    assert_eq!(
        code(E::ReaderUnavailable),
        ReadFailureCode::ReaderUnavailable
    );
    assert_eq!(code(E::Timeout), ReadFailureCode::Timeout);
    assert_eq!(code(E::ProtoMismatch), ReadFailureCode::PcscError);
}

#[test]
fn the_service_is_gone_in_exactly_four_cases() {
    for e in [
        E::NoService,
        E::ServiceStopped,
        E::InvalidHandle,
        E::CommError,
    ] {
        assert!(is_service_gone(e), "{e:?}");
        assert_eq!(classify(e).code(), ReadFailureCode::ServiceUnavailable);
    }
    for e in [
        E::NoSmartcard,
        E::RemovedCard,
        E::ResetCard,
        E::Timeout,
        E::UnknownReader,
        E::SharingViolation,
        E::Cancelled,
        E::InsufficientBuffer,
        E::InternalError,
    ] {
        assert!(!is_service_gone(e), "{e:?}");
    }
}

#[test]
fn every_read_error_has_its_code() {
    use ReadFailureCode as C;
    let cases = [
        (ReadError::NoService("x".into()), C::ServiceUnavailable),
        (ReadError::NoCard, C::NoCard),
        (TransportError::Removed.into(), C::CardRemoved),
        (ReadError::Busy, C::CardBusy),
        (ReadError::TooManyRestarts(3), C::CardReset),
        (TransportError::Reset.into(), C::CardReset),
        (ReadError::Unresponsive, C::CardUnresponsive),
        (
            ReadError::ReaderUnavailable("x".into()),
            C::ReaderUnavailable,
        ),
        (TransportError::Timeout.into(), C::Timeout),
        (ReadError::Card("x".into()), C::CardError),
        (TransportError::Malformed("x".into()).into(), C::CardError),
        (ReadError::Pcsc("x".into()), C::PcscError),
        (TransportError::Other("x".into()).into(), C::PcscError),
    ];
    for (e, want) in cases {
        assert_eq!(e.code(), want, "{e:?}");
    }
}

#[test]
fn codes_are_stable_snake_case() {
    let json = serde_json::to_value([
        ReadFailureCode::ServiceUnavailable,
        ReadFailureCode::NoCard,
        ReadFailureCode::CardRemoved,
        ReadFailureCode::CardBusy,
        ReadFailureCode::CardReset,
        ReadFailureCode::CardUnresponsive,
        ReadFailureCode::ReaderUnavailable,
        ReadFailureCode::Timeout,
        ReadFailureCode::CardError,
        ReadFailureCode::PcscError,
    ])
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            "service_unavailable",
            "no_card",
            "card_removed",
            "card_busy",
            "card_reset",
            "card_unresponsive",
            "reader_unavailable",
            "timeout",
            "card_error",
            "pcsc_error"
        ])
    );
}
