use super::*;

#[test]
fn replays_in_order() {
    let mut t = ScriptedTransport::new();
    t.expect("00 A4 04 0C 02 AA BB", "90 00")
        .expect("00 B0 00 00 02", "01 02 90 00");
    assert_eq!(
        t.transmit(&hex_bytes("00A4040C02AABB")).unwrap(),
        vec![0x90, 0]
    );
    assert_eq!(
        t.transmit(&hex_bytes("00B0000002")).unwrap(),
        vec![1, 2, 0x90, 0]
    );
    t.finish();
}

#[test]
#[should_panic(expected = "unexpected APDU")]
fn unexpected_apdu_fails() {
    let mut t = ScriptedTransport::new();
    t.expect("00 A4 04 0C 02 AA BB", "90 00");
    let r = t.transmit(&hex_bytes("00B0000002"));
    assert!(r.is_err());
    drop(t);
}

#[test]
#[should_panic(expected = "left unused")]
fn unused_exchange_fails_on_drop() {
    let mut t = ScriptedTransport::new();
    t.expect("00 A4 04 0C 02 AA BB", "90 00");
    drop(t);
}

#[test]
fn scripted_errors_are_returned() {
    let mut t = ScriptedTransport::new();
    t.push_error(&[0, 0xB0, 0, 0, 1], TransportError::Reset);
    assert_eq!(t.transmit(&[0, 0xB0, 0, 0, 1]), Err(TransportError::Reset));
}

#[test]
fn answering_gives_answers_in_order_then_the_card_is_gone() {
    let mut t = ScriptedTransport::answering([hex_bytes("90 00"), hex_bytes("01 6A 82")]);
    assert_eq!(t.transmit(&hex_bytes("00B0000002")).unwrap(), vec![0x90, 0]);
    assert_eq!(
        t.transmit(&hex_bytes("00A4040C02AABB")).unwrap(),
        vec![1, 0x6A, 0x82]
    );
    assert_eq!(
        t.transmit(&hex_bytes("0020000100")),
        Err(TransportError::Removed)
    );
    assert_eq!(t.sent().len(), 3);
}

#[test]
fn answering_leaves_unused_answers_without_complaint() {
    let mut t = ScriptedTransport::answering([hex_bytes("90 00"), hex_bytes("90 00")]);
    t.transmit(&hex_bytes("00B0000002")).unwrap();
    t.finish();
}
