//! Whole-card reads over the scripted transport: a CPS3 built from domain.md facts (EF.DIR
//! records, ODF/CDF with non-DER encodings, certificates padded in their files), with the
//! 61xx / 6Cxx / 6282 paths, a reset mid-read, and malformed answers.

use cpx_card::scripted::hex_bytes;
use cpx_card::{
    decode_pem_or_der, read_card, recognise_known, CardFamily, CardKind, PinState, ReadError,
    Recognition, ScriptedTransport, TransportError, Trust, TrustStore,
};

const ATR_CPS3: &str = "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00";
const AID: &str = "E8 28 BD 08 0F 80 25 00 00 01 FF 00 10";
const AID_CL: &str = "E8 28 BD 08 0F 80 25 00 00 01 FF 00 20";
const OK: &[u8] = &[0x90, 0x00];
const EOF: &[u8] = &[0x62, 0x82];

fn cert(name: &str) -> Vec<u8> {
    let path = format!("{}/corpus/certs/{name}", env!("CARGO_MANIFEST_DIR"));
    decode_pem_or_der(&std::fs::read(path).unwrap())
        .unwrap()
        .remove(0)
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    if value.len() < 0x80 {
        v.push(value.len() as u8);
    } else {
        v.extend([0x82, (value.len() >> 8) as u8, value.len() as u8]);
    }
    v.extend_from_slice(value);
    v
}

/// A CPx card's files, as a card maker would lay them out.
struct Card {
    dir: Vec<u8>,
    sn: Vec<u8>,
    odf: Vec<u8>,
    cdf: Vec<u8>,
    /// (absolute path, file content: certificate + padding)
    certs: Vec<(Vec<u8>, Vec<u8>)>,
    pin_sw: Vec<u8>,
    /// Whether EF.DIR gives the application path (`51 3F00 0001`).
    app_path: bool,
}

fn cert_object(label: &str, id: u8, path: &[u8]) -> Vec<u8> {
    // CommonObjectAttributes with a non-DER BIT STRING (7 unused bits, a bit set in them).
    let common = tlv(
        0x30,
        &cat(&[&tlv(0x0C, label.as_bytes()), &[0x03, 0x02, 0x07, 0x81]]),
    );
    let common_cert = tlv(0x30, &tlv(0x04, &[id]));
    let type_attrs = tlv(0xA1, &tlv(0x30, &tlv(0x30, &tlv(0x04, path))));
    tlv(0x30, &cat(&[&common, &common_cert, &type_attrs]))
}

fn cps3(auth: &[u8], sign: &[u8]) -> Card {
    cps3_with(auth, sign, true)
}

fn cps3_with(auth: &[u8], sign: &[u8], app_path: bool) -> Card {
    let path_tlv = if app_path {
        tlv(0x51, &hex_bytes("3F00 0001"))
    } else {
        vec![]
    };
    let app = |aid: &str, label: &[u8]| {
        tlv(
            0x61,
            &cat(&[&tlv(0x4F, &hex_bytes(aid)), &tlv(0x50, label), &path_tlv]),
        )
    };
    let dir = cat(&[&app(AID, b"CPX IAS"), &app(AID_CL, b"CPX IAS CL")]);
    // ODF: AODF then CDF, the CDF entry with an indefinite length; padded with 00.
    let odf = cat(&[
        &tlv(0xA8, &tlv(0x30, &tlv(0x04, &hex_bytes("3F00 0001 7001")))),
        &hex_bytes("A4 80 30 08 04 06 3F 00 00 01 70 05 00 00"),
        &[0u8; 16],
    ]);
    // CDF: the authentication certificate by absolute path, the signature one by FID.
    let cdf = cat(&[
        &cert_object(
            "Certificat d'Authentification CPS",
            1,
            &hex_bytes("3F00 0001 C001"),
        ),
        &cert_object("Certificat de Signature CPS", 2, &hex_bytes("C002")),
    ]);
    let pad = |c: &[u8], n: usize| cat(&[c, &vec![0u8; n]]);
    Card {
        dir,
        sn: hex_bytes("5A 0A 80 25 00 00 01 26 00 30 17 52"),
        odf,
        cdf,
        certs: vec![
            (hex_bytes("3F00 0001 C001"), pad(auth, 300)),
            (hex_bytes("C002"), pad(sign, 77)),
        ],
        pin_sw: hex_bytes("63 C3"),
        app_path,
    }
}

/// Answer to a READ BINARY of `le` bytes at `off` of `file` (card side: 6282 at the end).
fn read_answer(file: &[u8], off: usize, le: usize) -> Vec<u8> {
    let end = (off + le).min(file.len());
    let data = file.get(off..end).unwrap_or_default();
    cat(&[data, if data.len() < le { EOF } else { OK }])
}

fn read_cmd(off: usize, le: usize) -> Vec<u8> {
    vec![0x00, 0xB0, (off >> 8) as u8, off as u8, le as u8]
}

/// The exchanges of a full read, in order.
fn full_read(card: &Card) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut x: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (hex_bytes("00 A4 09 0C 04 3F 00 2F 00"), OK.to_vec()),
        (read_cmd(0, 0xE7), read_answer(&card.dir, 0, 0xE7)),
        (hex_bytes("00 B0 9C 00 0C"), cat(&[&card.sn, OK])),
    ];
    if card.app_path {
        x.push((hex_bytes("00 A4 09 0C 06 3F 00 00 01 50 31"), OK.to_vec()));
    } else {
        x.push((hex_bytes(&format!("00 A4 04 0C 0D {AID}")), OK.to_vec()));
        x.push((hex_bytes("00 A4 02 0C 02 50 31"), OK.to_vec()));
    }
    x.extend([
        (hex_bytes("00 20 00 01"), card.pin_sw.clone()),
        (read_cmd(0, 0xE7), read_answer(&card.odf, 0, 0xE7)),
        (hex_bytes("00 A4 09 0C 06 3F 00 00 01 70 05"), OK.to_vec()),
        (read_cmd(0, 0xE7), read_answer(&card.cdf, 0, 0xE7)),
    ]);
    for (path, file) in &card.certs {
        let select = if path.len() == 2 {
            cat(&[&hex_bytes("00 A4 02 0C 02"), path])
        } else {
            cat(&[&[0x00, 0xA4, 0x09, 0x0C, path.len() as u8], path])
        };
        x.push((select, OK.to_vec()));
        let total = 4 + (usize::from(file[2]) << 8 | usize::from(file[3]));
        let mut off = 0;
        while off < total {
            let le = (total - off).min(0xE7);
            x.push((read_cmd(off, le), read_answer(file, off, le)));
            off += le;
        }
    }
    x
}

fn script(x: &[(Vec<u8>, Vec<u8>)]) -> ScriptedTransport {
    ScriptedTransport::from_pairs(x.iter().cloned())
}

fn cpe_card() -> Card {
    cps3(
        &cert("cpe_card_standard_auth_30B0057881_CPET0002.pem"),
        &cert("cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem"),
    )
}

#[test]
fn full_read_of_a_cpe_card() {
    let card = cpe_card();
    let x = full_read(&card);
    let mut t = script(&x);
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    t.finish();
    assert_eq!(r.family, CardFamily::Cps3);
    assert_eq!(r.atr, ATR_CPS3);
    assert_eq!(r.kind, CardKind::CdeCpe);
    assert_eq!(r.structure.as_ref().unwrap().id, "10B0057881");
    assert_eq!(r.holder.as_ref().unwrap().id, "30B0057881/CPET0002");
    assert_eq!(r.serial.as_deref(), Some("5A0A80250000012600301752"));
    assert_eq!(r.pin_state, Some(PinState::TriesLeft));
    assert_eq!(r.pin_tries_left, Some(3));
    assert_eq!(r.certificates.len(), 2);
    // The tampered copy makes the card untrusted; holder and structure agree.
    assert_eq!(r.trust, Some(Trust::Untrusted));
    assert!(r.disagreements.is_empty(), "{:?}", r.disagreements);
    assert_eq!(r.apdu_count as usize, x.len());
    // 8 directory/serial/PIN APDUs + per certificate 1 SELECT + ⌈2317/231⌉ = 11 READs.
    assert_eq!(r.apdu_count, 8 + 2 * (1 + 11));
    println!("full read: {} APDUs", r.apdu_count);
}

#[test]
fn full_read_of_a_cps_card_whose_certificates_disagree() {
    let card = cps3(
        &cert("cps_card_fort_auth_dentiste_899700041983.pem"),
        &cert("cps_card_fort_sign_infirmier_00B6077602.pem"),
    );
    let mut t = script(&full_read(&card));
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    t.finish();
    assert_eq!(r.kind, CardKind::Cps);
    assert_eq!(r.structure, None);
    assert_eq!(r.holder.as_ref().unwrap().id, "899700041983");
    let english: Vec<String> =
        serde_json::from_value(serde_json::to_value(&r.disagreements).unwrap()).unwrap();
    assert!(english.contains(
        &"holder identifier differs between the authentication and signature certificates"
            .to_string()
    ));
    assert_eq!(r.trust, Some(Trust::Untrusted));
    assert_eq!(
        r.not_after,
        Some(time::macros::datetime!(2021-03-15 15:53:45 UTC))
    );
}

#[test]
fn get_response_and_wrong_length_paths() {
    let card = cpe_card();
    let mut x = full_read(&card);
    // Serial: the card wants Le=0A (6C0A), then answers 10 bytes.
    let sn = x
        .iter()
        .position(|(c, _)| c == &hex_bytes("00 B0 9C 00 0C"))
        .unwrap();
    x[sn].1 = hex_bytes("6C 0A");
    x.insert(
        sn + 1,
        (hex_bytes("00 B0 9C 00 0A"), cat(&[&card.sn[..10], OK])),
    );
    // The third certificate chunk comes through GET RESPONSE in two parts.
    let k = x
        .iter()
        .position(|(c, _)| c == &read_cmd(2 * 0xE7, 0xE7))
        .unwrap();
    let data = x[k].1[..0xE7].to_vec();
    x[k].1 = hex_bytes("61 64");
    x.insert(
        k + 1,
        (
            hex_bytes("00 C0 00 00 64"),
            cat(&[&data[..0x64], &[0x61, 0xE7 - 0x64]]),
        ),
    );
    x.insert(
        k + 2,
        (hex_bytes("00 C0 00 00 83"), cat(&[&data[0x64..], OK])),
    );
    let mut t = script(&x);
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    t.finish();
    assert_eq!(r.serial.as_deref(), Some("5A0A8025000001260030"));
    assert_eq!(r.certificates.len(), 2);
    assert_eq!(r.apdu_count as usize, x.len());
}

#[test]
fn select_p2_0c_refused_is_retried_with_fcp() {
    let card = cps3_with(
        &cert("cpe_card_standard_auth_30B0057881_CPET0002.pem"),
        &cert("cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem"),
        false,
    );
    let mut x = full_read(&card);
    let i = x
        .iter()
        .position(|(c, _)| c == &hex_bytes("00 A4 02 0C 02 50 31"))
        .unwrap();
    x[i].1 = hex_bytes("6A 86");
    x.insert(
        i + 1,
        (
            hex_bytes("00 A4 02 04 02 50 31"),
            hex_bytes("62 03 83 01 50 90 00"),
        ),
    );
    let mut t = script(&x);
    assert!(read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).is_ok());
    t.finish();
}

#[test]
fn contactless_card_selects_the_contactless_application() {
    let card = cps3_with(
        &cert("cpe_card_standard_auth_30B0057881_CPET0002.pem"),
        &cert("cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem"),
        false,
    );
    let mut x = full_read(&card);
    x[3].0 = hex_bytes(&format!("00 A4 04 0C 0D {AID_CL}"));
    let atr = hex_bytes("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E");
    let mut t = script(&x);
    let r = read_card(&mut t, &atr, &TrustStore::builtin()).unwrap();
    t.finish();
    assert_eq!(r.family, CardFamily::Cps3Contactless);
}

#[test]
fn not_a_cpx_card_sends_nothing() {
    let mut t = ScriptedTransport::new();
    let r = read_card(
        &mut t,
        &hex_bytes("3B 65 00 00 9C 11 01 01 03"),
        &TrustStore::builtin(),
    )
    .unwrap();
    assert!(t.sent().is_empty());
    t.finish();
    assert_eq!(r.family, CardFamily::NotCpx);
    assert_eq!(r.kind, CardKind::Unknown);
    assert!(r.certificates.is_empty());
    assert_eq!(r.apdu_count, 0);
    assert_eq!(r.pin_state, None);
}

#[test]
fn pin_states() {
    for (sw, state, tries) in [
        ("63 C0", PinState::TriesLeft, Some(0)),
        ("63 C1", PinState::TriesLeft, Some(1)),
        ("69 83", PinState::Blocked, Some(0)),
        ("90 00", PinState::Verified, None),
        ("6A 88", PinState::Unknown, None),
    ] {
        let mut card = cpe_card();
        card.pin_sw = hex_bytes(sw);
        let mut t = script(&full_read(&card));
        let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
        t.finish();
        assert_eq!(
            (r.pin_state, r.pin_tries_left),
            (Some(state), tries),
            "{sw}"
        );
    }
}

#[test]
fn never_verifies_with_data() {
    let card = cpe_card();
    let mut t = script(&full_read(&card));
    read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    let verifies: Vec<_> = t
        .sent()
        .iter()
        .filter(|a| a.get(1) == Some(&0x20))
        .collect();
    assert_eq!(verifies, vec![&hex_bytes("00 20 00 01")]);
    assert!(t.sent().iter().all(|a| a.len() <= 5 || a[1] == 0xA4));
    assert!(t
        .sent()
        .iter()
        .filter(|a| a[1] == 0xB0)
        .all(|a| a[4] <= 0xE7 && a[4] != 0));
    t.finish();
}

#[test]
fn reset_mid_read_is_an_error_the_caller_retries() {
    let card = cpe_card();
    let x = full_read(&card);
    let k = x
        .iter()
        .position(|(c, _)| c == &read_cmd(3 * 0xE7, 0xE7))
        .unwrap();
    let mut t = script(&x[..k]);
    t.push_error(&x[k].0, TransportError::Reset);
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin());
    t.finish();
    assert_eq!(r, Err(ReadError::Transport(TransportError::Reset)));
}

#[test]
fn removal_at_every_apdu_is_an_error() {
    let card = cpe_card();
    let x = full_read(&card);
    for k in 0..x.len() {
        let mut t = script(&x[..k]);
        t.push_error(&x[k].0, TransportError::Removed);
        let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin());
        t.finish();
        assert_eq!(
            r,
            Err(ReadError::Transport(TransportError::Removed)),
            "at {k}"
        );
    }
}

#[test]
fn malformed_answers_are_errors() {
    let card = cpe_card();
    let x = full_read(&card);
    let trust = TrustStore::builtin();
    let atr = hex_bytes(ATR_CPS3);
    let at = |cmd: &[u8]| x.iter().position(|(c, _)| c == cmd).unwrap();

    // Answer without status word.
    let mut y = x.clone();
    y[0].1 = vec![0x90];
    let mut t = script(&y[..1]);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Transport(TransportError::Malformed(_)))
    ));

    // ODF with an oversized length.
    let odf_read = at(&hex_bytes("00 A4 09 0C 06 3F 00 00 01 50 31")) + 2;
    let mut y = x[..=odf_read].to_vec();
    y[odf_read].1 = hex_bytes("A4 82 7F FF 30 00 62 82");
    let mut t = script(&y);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Card(_))
    ));

    // A certificate announcing a huge length.
    let cert_sel = at(&hex_bytes("00 A4 09 0C 06 3F 00 00 01 C0 01"));
    let mut y = x[..=cert_sel + 1].to_vec();
    let mut head = y[cert_sel + 1].1.clone();
    head[2] = 0x7F;
    head[3] = 0xFF;
    y[cert_sel + 1].1 = head;
    let mut t = script(&y);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Card(_))
    ));

    // A certificate file that ends before the DER length.
    let mut y = x[..=cert_sel + 2].to_vec();
    let short = cat(&[&y[cert_sel + 2].1[..10], EOF]);
    y[cert_sel + 2].1 = short;
    let mut t = script(&y);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Card(_))
    ));

    // A file that is not a certificate.
    let mut y = x[..=cert_sel + 1].to_vec();
    y[cert_sel + 1].1 = hex_bytes("FF FF FF 90 00");
    let mut t = script(&y);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Card(_))
    ));

    // More data than asked.
    let mut y = x[..=cert_sel + 1].to_vec();
    y[cert_sel + 1].1 = cat(&[&[0x30; 0xE8], OK]);
    let mut t = script(&y);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Card(_))
    ));

    // Application not found, by path then by AID.
    let sel_odf = at(&hex_bytes("00 A4 09 0C 06 3F 00 00 01 50 31"));
    let mut y = x[..=sel_odf].to_vec();
    y[sel_odf].1 = hex_bytes("6A 82");
    y.push((
        hex_bytes(&format!("00 A4 04 0C 0D {AID}")),
        hex_bytes("6A 82"),
    ));
    let mut t = script(&y);
    assert!(matches!(
        read_card(&mut t, &atr, &trust),
        Err(ReadError::Card(_))
    ));
}

#[test]
fn application_path_refused_falls_back_on_the_aid() {
    let card = cpe_card();
    let mut x = full_read(&card);
    let i = x
        .iter()
        .position(|(c, _)| c == &hex_bytes("00 A4 09 0C 06 3F 00 00 01 50 31"))
        .unwrap();
    x[i].1 = hex_bytes("6A 82");
    x.insert(
        i + 1,
        (hex_bytes(&format!("00 A4 04 0C 0D {AID}")), OK.to_vec()),
    );
    x.insert(i + 2, (hex_bytes("00 A4 02 0C 02 50 31"), OK.to_vec()));
    let mut t = script(&x);
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    t.finish();
    assert_eq!(r.apdu_count as usize, x.len());
}

#[test]
fn ef_dir_as_a_record_file() {
    let card = cpe_card();
    let mut x = full_read(&card);
    // READ BINARY refused (69 81: not a transparent file): records 1, 2, then 6A 83.
    x[1].1 = hex_bytes("69 81");
    let records = cpx_card::ber::parse_all(&card.dir)
        .unwrap()
        .iter()
        .map(|t| tlv(0x61, t.value))
        .collect::<Vec<_>>();
    x.insert(2, (hex_bytes("00 B2 01 04 E7"), cat(&[&records[0], OK])));
    x.insert(3, (hex_bytes("00 B2 02 04 E7"), cat(&[&records[1], OK])));
    x.insert(4, (hex_bytes("00 B2 03 04 E7"), hex_bytes("6A 83")));
    let mut t = script(&x);
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    // The application path came from the records: the ODF was reached by path.
    assert!(t
        .sent()
        .contains(&hex_bytes("00 A4 09 0C 06 3F 00 00 01 50 31")));
    t.finish();
    assert_eq!(r.certificates.len(), 2);
}

#[test]
fn missing_ef_dir_falls_back_on_the_known_application() {
    let card = cps3_with(
        &cert("cpe_card_standard_auth_30B0057881_CPET0002.pem"),
        &cert("cpe_card_standard_auth_30B0057881_CPET0002_INVALID_SIGNATURE.pem"),
        false,
    );
    let mut x = full_read(&card);
    x[0].1 = hex_bytes("6A 82");
    x.remove(1);
    let mut t = script(&x);
    let r = read_card(&mut t, &hex_bytes(ATR_CPS3), &TrustStore::builtin()).unwrap();
    t.finish();
    assert_eq!(r.certificates.len(), 2);
}

#[test]
fn recognising_a_reinserted_card() {
    let card = cps3(
        &cert("cpe_card_standard_auth_30B0057881_CPET0002.pem"),
        &cert("cps_card_fort_sign_infirmier_00B6077602.pem"),
    );
    let x = full_read(&card);
    let atr = hex_bytes(ATR_CPS3);
    let trust = TrustStore::builtin();
    let mut t = script(&x);
    let first = read_card(&mut t, &atr, &trust).unwrap();
    t.finish();
    let auth_file = &card.certs[0].1;
    let quick = |sn: &[u8], head: &[u8]| {
        vec![
            (hex_bytes("00 B0 9C 00 0C"), cat(&[sn, OK])),
            (hex_bytes("00 A4 09 0C 06 3F 00 00 01 C0 01"), OK.to_vec()),
            (read_cmd(0, 0xE7), cat(&[head, OK])),
            (hex_bytes("00 20 00 01"), hex_bytes("63 C2")),
        ]
    };

    // Same card: serial, first chunk of the authentication certificate, PIN state.
    let mut t = script(&quick(&card.sn, &auth_file[..0xE7]));
    let r = recognise_known(&mut t, &atr, &first).unwrap();
    t.finish();
    let Recognition::Same(same) = r else {
        panic!("not recognised")
    };
    assert_eq!(same.pin_tries_left, Some(2));
    assert_eq!(same.certificates, first.certificates);
    assert_eq!(same.apdu_count, 4);
    assert!(same.apdu_count * 4 <= first.apdu_count);

    // Another chip serial: different after one APDU.
    let mut other_sn = card.sn.clone();
    other_sn[11] ^= 1;
    let mut t = script(&quick(&other_sn, &[])[..1]);
    assert_eq!(
        recognise_known(&mut t, &atr, &first).unwrap(),
        Recognition::Different
    );
    t.finish();

    // Same serial but another certificate in the file.
    let mut head = auth_file[..0xE7].to_vec();
    head[20] ^= 1;
    let mut t = script(&quick(&card.sn, &head)[..3]);
    assert_eq!(
        recognise_known(&mut t, &atr, &first).unwrap(),
        Recognition::Different
    );
    t.finish();

    // Another ATR: different, nothing sent.
    let mut t = ScriptedTransport::new();
    let cps4 = hex_bytes("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44");
    assert_eq!(
        recognise_known(&mut t, &cps4, &first).unwrap(),
        Recognition::Different
    );
    t.finish();

    // Serial refused (another application's DF current): back to the MF once.
    let mut y = quick(&card.sn, &auth_file[..0xE7]);
    y[0].1 = hex_bytes("6A 82");
    y.insert(1, (hex_bytes("00 A4 09 0C 02 3F 00"), OK.to_vec()));
    y.insert(2, (hex_bytes("00 B0 9C 00 0C"), cat(&[&card.sn, OK])));
    let mut t = script(&y);
    assert!(matches!(
        recognise_known(&mut t, &atr, &first).unwrap(),
        Recognition::Same(_)
    ));
    t.finish();
    // The hint travels with the report, never in the JSON: a report read back from JSON has
    // none, so its card is not taken for known (after the serial, nothing more is sent).
    assert!(first.recognition_hint.is_set());
    let json = serde_json::to_value(&first).unwrap();
    assert!(json.get("recognition_hint").is_none(), "{json}");
    let back: cpx_card::CardReport = serde_json::from_value(json).unwrap();
    assert!(!back.recognition_hint.is_set());
    assert_eq!(back, first);
    let mut t = script(&quick(&card.sn, &[])[..1]);
    assert_eq!(
        recognise_known(&mut t, &atr, &back).unwrap(),
        Recognition::Different
    );
    t.finish();
}
