use super::*;
use crate::scripted::{hex_bytes, ScriptedTransport};

#[test]
fn command_encodings() {
    let aid = hex_bytes("E8 28 BD 08 0F 80 25 00 00 01 FF 00 10");
    assert_eq!(
        Command::select_aid(&aid).to_bytes(),
        hex_bytes("00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10")
    );
    assert_eq!(
        Command::select_path(&hex_bytes("3F00 2F00")).to_bytes(),
        hex_bytes("00 A4 09 0C 04 3F 00 2F 00")
    );
    assert_eq!(
        Command::select_fid(0x5031).to_bytes(),
        hex_bytes("00 A4 02 0C 02 50 31")
    );
    assert_eq!(
        Command::read_binary(0x01CE, 0xE7).to_bytes(),
        hex_bytes("00 B0 01 CE E7")
    );
    assert_eq!(
        Command::read_binary_sfi(0x1C, 0, 12).to_bytes(),
        hex_bytes("00 B0 9C 00 0C")
    );
    assert_eq!(
        Command::read_record(1, 0).to_bytes(),
        hex_bytes("00 B2 01 04 00")
    );
    assert_eq!(
        Command::verify_status(1).to_bytes(),
        hex_bytes("00 20 00 01")
    );
    assert_eq!(
        Command::get_response(0x10).to_bytes(),
        hex_bytes("00 C0 00 00 10")
    );
}

#[test]
fn status_words() {
    assert_eq!(StatusWord(0x63C2).tries_left(), Some(2));
    assert_eq!(StatusWord(0x6300).tries_left(), None);
    assert_eq!(StatusWord(0x9000).tries_left(), None);
    assert!(StatusWord::OK.is_ok());
    assert_eq!(StatusWord(0x6A82).to_string(), "6A 82");
    assert!(Response::parse(&[0x90]).is_err());
    assert!(Response::parse(&[]).is_err());
    let r = Response::parse(&[1, 2, 0x62, 0x82]).unwrap();
    assert_eq!((r.data, r.sw), (vec![1, 2], StatusWord::END_OF_FILE));
}

#[test]
fn exchange_follows_61xx_and_6cxx() {
    let mut t = ScriptedTransport::new();
    t.expect("00 B0 00 00 E7", "6C 05")
        .expect("00 B0 00 00 05", "61 03")
        .expect("00 C0 00 00 03", "01 02 03 61 02")
        .expect("00 C0 00 00 02", "04 05 90 00");
    let mut n = 0;
    let r = exchange(&mut t, &Command::read_binary(0, 0xE7), &mut n).unwrap();
    assert_eq!(r.data, vec![1, 2, 3, 4, 5]);
    assert!(r.sw.is_ok());
    assert_eq!(n, 4);
    t.finish();
}

#[test]
fn a_verify_answered_6cxx_is_never_sent_again() {
    // A card asking « resend with Le = 0x90 »: a fifth byte on VERIFY would announce PIN data.
    let mut t = ScriptedTransport::new();
    t.expect("00 20 00 01", "6C 90");
    let mut n = 0;
    let r = exchange(&mut t, &Command::verify_status(1), &mut n).unwrap();
    assert_eq!(r.sw.sw1(), 0x6C);
    assert_eq!(n, 1);
    t.finish();
}

#[test]
fn a_command_without_le_answered_6cxx_is_not_sent_again() {
    let mut t = ScriptedTransport::new();
    t.expect("00 A4 02 0C 02 2F 00", "6C 10");
    let mut n = 0;
    let r = exchange(&mut t, &Command::select_fid(0x2F00), &mut n).unwrap();
    assert_eq!(r.sw.sw1(), 0x6C);
    assert_eq!(n, 1);
    t.finish();
}

#[test]
fn endless_61xx_is_an_error() {
    let mut t = ScriptedTransport::new();
    t.expect("00 20 00 01", "61 01");
    for _ in 0..MAX_GET_RESPONSE {
        t.expect("00 C0 00 00 01", "00 61 01");
    }
    let mut n = 0;
    let r = exchange(&mut t, &Command::verify_status(1), &mut n);
    assert!(matches!(r, Err(TransportError::Malformed(_))));
    t.finish();
}
