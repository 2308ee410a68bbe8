use super::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn sw_of(r: &[u8]) -> [u8; 2] {
    [r[r.len() - 2], r[r.len() - 1]]
}

fn card() -> CpxCard {
    CpxCard::of_kind(CardKind::Cpe)
}

#[test]
fn select_by_aid_p2_00_is_refused_and_p2_0c_accepted() {
    let mut c = card();
    let r = c.transmit(&hex(
        "00 A4 04 00 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10",
    ));
    assert_eq!(r, sw::WRONG_P1P2);
    let r = c.transmit(&hex(
        "00 A4 04 0C 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10",
    ));
    assert_eq!(r, sw::OK);
    let r = c.transmit(&hex(
        "00 A4 04 04 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10",
    ));
    assert_eq!(sw_of(&r), sw::OK);
    assert_eq!(r[0], 0x62);
    assert!(r.windows(2).any(|w| w == [0xA1, 0x0A]) && r.windows(2).any(|w| w[0] == 0x8C));
}

#[test]
fn path_selection_must_keep_3f00() {
    let mut c = card();
    assert_eq!(
        c.transmit(&hex("00 A4 09 04 04 00 01 70 05")),
        sw::FILE_NOT_FOUND
    );
    let r = c.transmit(&hex("00 A4 09 04 06 3F 00 00 01 70 05"));
    assert_eq!(sw_of(&r), sw::OK);
}

#[test]
fn read_binary_serves_256_bytes_and_ends_with_6282() {
    let mut c = card();
    assert_eq!(
        sw_of(&c.transmit(&hex("00 A4 09 0C 06 3F 00 00 01 E0 01"))),
        sw::OK
    );
    let r = c.transmit(&hex("00 B0 00 00 00"));
    assert_eq!(r.len(), 258);
    assert_eq!(&r[..2], &[0x30, 0x82]);
    let r = c.transmit(&hex("00 B0 07 F0 20"));
    assert_eq!(r.len(), 16 + 2);
    assert_eq!(sw_of(&r), sw::END_OF_FILE);
    assert_eq!(c.transmit(&hex("00 B0 08 00 10")), sw::WRONG_OFFSET);
}

#[test]
fn ef_atr_and_sn_icc_by_sfi() {
    let mut c = card();
    c.transmit(&hex("00 A4 09 04 04 3F 00 2F 01"));
    let r = c.transmit(&hex("00 B0 00 00 00"));
    assert_eq!(r.len(), 57 + 2);
    assert_eq!(r[0], 0x80);
    let r = c.transmit(&hex("00 B0 9C 00 00"));
    assert_eq!(r.len(), 12 + 2);
    assert_eq!(&r[2..7], &[0x80, 0x25, 0x00, 0x00, 0x01]);
}

#[test]
fn pin_status_without_using_a_try_then_verify_decrements() {
    let mut c = card();
    assert_eq!(c.transmit(&hex("00 20 00 01")), [0x63, 0xC3]);
    assert_eq!(
        c.transmit(&hex("00 20 00 01 08 39 39 39 39 FF FF FF FF")),
        [0x63, 0xC2]
    );
    assert_eq!(c.transmit(&hex("00 20 00 01")), [0x63, 0xC2]);
    // Practice locations need the PIN.
    c.transmit(&hex("00 A4 09 0C 06 3F 00 00 01 D1 20"));
    assert_eq!(
        c.transmit(&hex("00 B0 00 00 00")),
        sw::SECURITY_NOT_SATISFIED
    );
    assert_eq!(
        c.transmit(&hex("00 20 00 01 08 31 32 33 34 FF FF FF FF")),
        sw::OK
    );
    assert_eq!(c.transmit(&hex("00 20 00 01")), sw::OK);
    assert_eq!(sw_of(&c.transmit(&hex("00 B0 00 00 00"))), sw::END_OF_FILE);
    // A reset forgets the verification, not the counter.
    c.reset();
    assert_eq!(c.transmit(&hex("00 20 00 01")), [0x63, 0xC3]);
}

#[test]
fn pin_blocks_after_three_wrong_tries() {
    let mut c = card();
    for expected in [[0x63, 0xC2], [0x63, 0xC1], [0x69, 0x83]] {
        assert_eq!(c.transmit(&hex("00 20 00 01 04 30 30 30 30")), expected);
    }
    assert_eq!(c.transmit(&hex("00 20 00 01")), sw::PIN_BLOCKED);
    assert_eq!(
        c.transmit(&hex("00 20 00 01 04 31 32 33 34")),
        sw::PIN_BLOCKED
    );
}

#[test]
fn other_status_words() {
    let mut c = card();
    assert_eq!(c.transmit(&hex("00 A4 02 04 02 12 34")), sw::FILE_NOT_FOUND);
    assert_eq!(c.transmit(&hex("00 FE 00 00")), sw::INS_NOT_SUPPORTED);
    assert_eq!(c.transmit(&hex("80 B0 00 00 00")), sw::CLA_NOT_SUPPORTED);
    assert_eq!(c.transmit(&hex("00 A4 02 04 03 12")), sw::WRONG_LENGTH);
    assert_eq!(c.transmit(&hex("00 B0 00 00 00")), sw::NO_CURRENT_EF);
    assert_eq!(c.transmit(&hex("00 20 00 02")), sw::REF_NOT_FOUND);
}

#[test]
fn cps4_has_its_atr_and_the_cps2ter_application() {
    let mut spec = CpxCardSpec::of_kind(CardKind::Cps);
    spec.generation = Generation::Cps4;
    let mut c = CpxCard::new(spec);
    assert_eq!(c.atr(), atr::CPS4);
    assert_eq!(
        c.transmit(&hex("00 A4 04 0C 08 80 25 00 00 01 FF 00 02")),
        sw::OK
    );
    assert_eq!(
        CpxCard::of_kind(CardKind::Cps).transmit(&hex("00 A4 04 0C 08 80 25 00 00 01 FF 00 02")),
        sw::FILE_NOT_FOUND
    );
}

#[test]
fn cps4_t0_answers_61xx_and_serves_get_response() {
    let mut spec = CpxCardSpec::of_kind(CardKind::Cpe);
    spec.generation = Generation::Cps4T0;
    let mut c = CpxCard::new(spec);
    assert_eq!(c.atr(), atr::CPS4_T0);
    let r = c.transmit(&hex("00 A4 09 04 06 3F 00 00 01 70 05"));
    assert_eq!(r[0], 0x61);
    let n = r[1];
    let fcp = c.transmit(&[0x00, 0xC0, 0x00, 0x00, n]);
    assert_eq!(sw_of(&fcp), sw::OK);
    assert_eq!(fcp[0], 0x62);
    assert_eq!(fcp.len(), usize::from(n) + 2);
    // Partial GET RESPONSE leaves 61 xx for the rest.
    let r = c.transmit(&hex("00 A4 09 04 06 3F 00 00 01 70 05"));
    let part = c.transmit(&[0x00, 0xC0, 0x00, 0x00, 4]);
    assert_eq!(part.len(), 6);
    assert_eq!(sw_of(&part), [0x61, r[1] - 4]);
    // READ BINARY (case 2) answers directly; nothing pending → 69 85.
    assert_eq!(sw_of(&c.transmit(&hex("00 B0 00 00 10"))), sw::OK);
    assert_eq!(
        c.transmit(&hex("00 C0 00 00 10")),
        sw::CONDITIONS_NOT_SATISFIED
    );
    // No data in the answer: the status word as is.
    assert_eq!(c.transmit(&hex("00 A4 09 0C 06 3F 00 00 01 70 05")), sw::OK);
}
