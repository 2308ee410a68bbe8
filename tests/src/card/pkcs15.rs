//! Contents of the CPx card's files: EF.DIR, EF.ATR, EF.SN.ICC and the PKCS#15 application
//! (ODF, TokenInfo, AODF, PrKDF, CDF), written as the card writes them, including its lenient
//! BIT STRING encodings (BER, not DER: unused-bits count 0 with trailing zero bits kept).

use super::apdu::tlv;

/// PKCS#15 application AID, contact interface (domain.md §3).
pub const AID_CPX_IAS: &[u8] = &[
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x10,
];
/// PKCS#15 application AID, contactless interface.
pub const AID_CPX_IAS_CL: &[u8] = &[
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x20,
];
/// IAS-ECC root application AID (given in EF.ATR).
pub const AID_IAS_ECC_ROOT: &[u8] = &[0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x01, 0x00];
/// CPS2ter application AID, present on CPS4 only.
pub const AID_CPS2TER: &[u8] = &[0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x02];

/// File identifiers.
pub mod fid {
    pub const EF_DIR: u16 = 0x2F00;
    pub const EF_ATR: u16 = 0x2F01;
    pub const EF_SN_ICC: u16 = 0xD003;
    pub const APP_DF: u16 = 0x0001;
    /// CPS2ter DF on CPS4 [inf].
    pub const CPS2TER_DF: u16 = 0x0002;
    /// [inf] PKCS#15 default FIDs (not published for the CPx).
    pub const ODF: u16 = 0x5031;
    pub const TOKEN_INFO: u16 = 0x5032;
    pub const AODF: u16 = 0x7001;
    /// [inf] PrKDF FID.
    pub const PRKDF: u16 = 0x7002;
    pub const CDF: u16 = 0x7005;
    /// [inf] Certificate EFs (named by the CDF paths).
    pub const CERT_AUTH: u16 = 0xE001;
    pub const CERT_SIGN: u16 = 0xE002;
    /// First practice-location file (D120..D12F).
    pub const PRACTICE_FIRST: u16 = 0xD120;
}

/// Short EF identifier of EF.SN.ICC (OpenSC reads it with `00 B0 9C 00`).
pub const SFI_SN_ICC: u8 = 0x1C;
/// Size of a certificate EF [inf]: certificates are padded with 00 up to this size.
pub const CERT_EF_SIZE: usize = 2048;

pub fn ef_dir() -> Vec<u8> {
    let mut v = tlv(
        0x61,
        &[
            tlv(0x4F, AID_CPX_IAS),
            tlv(0x50, b"CPX IAS"),
            tlv(0x51, &[0x3F, 0x00, 0x00, 0x01]),
        ]
        .concat(),
    );
    // [inf] The contactless record leads to the same PKCS#15 DF. OpenSC 0.23 moves the "CPx IAS
    // CL" record to the head of its application list and binds to it: with a path it selects
    // 3F00/0001 (as in the OpenSC trace of domain.md §3); without one it selects the CL AID,
    // which a contact card refuses.
    v.extend(tlv(
        0x61,
        &[
            tlv(0x4F, AID_CPX_IAS_CL),
            tlv(0x50, b"CPX IAS CL"),
            tlv(0x51, &[0x3F, 0x00, 0x00, 0x01]),
        ]
        .concat(),
    ));
    v
}

/// EF.ATR: 57 bytes, a stray leading `80` then BER-TLVs: card service (43), pre-issuing data
/// (46: `80 00 03 10` CPS3 / `80 00 04 01` CPS4), card capabilities (47), the IAS-ECC root AID
/// (4F), I/O buffer sizes (E0: send/recv 256 bytes), allocation scheme OID (78), status (82).
/// [inf] Values other than the AID, the pre-issuing data and the 256-byte buffer.
pub fn ef_atr(pre_issuing: [u8; 4]) -> Vec<u8> {
    let mut v = vec![0x80];
    v.extend(tlv(0x43, &[0xB8]));
    v.extend(tlv(0x46, &pre_issuing));
    v.extend(tlv(0x47, &[0x94, 0x01, 0x80]));
    v.extend(tlv(0x4F, AID_IAS_ECC_ROOT));
    v.extend(tlv(
        0xE0,
        &[
            0x02, 0x02, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00, 0x02, 0x02, 0x01, 0x00, 0x02, 0x02,
            0x01, 0x00,
        ],
    ));
    v.extend(tlv(0x78, &tlv(0x06, &[0x2A, 0x81, 0x7A, 0x01, 0x47, 0x01])));
    v.extend(tlv(0x82, &[0x90, 0x00]));
    v
}

/// EF.SN.ICC: `5A 0A` + ANS issuer number `80 25 00 00 01` + 5 bytes of serial (12 bytes).
pub fn ef_sn_icc(card_number: &str) -> Vec<u8> {
    let mut v = vec![0x5A, 0x0A, 0x80, 0x25, 0x00, 0x00, 0x01];
    let digits: Vec<u8> = card_number
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .chain(std::iter::repeat(0))
        .take(10)
        .collect();
    for pair in digits.chunks(2) {
        v.push((pair[0] << 4) | pair[1]);
    }
    v
}

fn path(fids: &[u16]) -> Vec<u8> {
    let bytes: Vec<u8> = fids.iter().flat_map(|f| f.to_be_bytes()).collect();
    tlv(0x30, &tlv(0x04, &bytes))
}

fn app_path(fid: u16) -> Vec<u8> {
    path(&[0x3F00, fid::APP_DF, fid])
}

/// Lenient BIT STRING: unused-bits byte 0 and all bytes kept (BER, not DER).
fn lenient_bits(bytes: &[u8]) -> Vec<u8> {
    let mut v = vec![0x00];
    v.extend_from_slice(bytes);
    tlv(0x03, &v)
}

/// ODF: PrKDF (A0), CDF (A4), AODF (A8).
pub fn odf() -> Vec<u8> {
    [
        tlv(0xA0, &app_path(fid::PRKDF)),
        tlv(0xA4, &app_path(fid::CDF)),
        tlv(0xA8, &app_path(fid::AODF)),
    ]
    .concat()
}

/// TokenInfo [inf]: version 0, serial number, manufacturer, label, token flags.
pub fn token_info(card_number: &str, label: &str) -> Vec<u8> {
    tlv(
        0x30,
        &[
            tlv(0x02, &[0x00]),
            tlv(0x04, card_number.as_bytes()),
            tlv(0x0C, b"ASIP-SANTE"),
            tlv(0x80, label.as_bytes()),
            lenient_bits(&[0x00]),
        ]
        .concat(),
    )
}

/// AODF: one PIN object, "Code porteur de la carte CPX", reference 1, 4 to 8 digits.
pub fn aodf() -> Vec<u8> {
    let common = tlv(
        0x30,
        &[
            tlv(0x0C, "Code porteur de la carte CPX".as_bytes()),
            // private, modifiable
            lenient_bits(&[0xC0]),
        ]
        .concat(),
    );
    let class = tlv(0x30, &tlv(0x04, &[0x01]));
    let attrs = tlv(
        0x30,
        &[
            // pinFlags: local, initialized, needs-padding
            lenient_bits(&[0x4C, 0x00]),
            tlv(0x0A, &[0x01]), // pinType ascii-numeric
            tlv(0x02, &[0x04]), // minLength
            tlv(0x02, &[0x08]), // storedLength
            tlv(0x02, &[0x08]), // maxLength
            tlv(0x80, &[0x01]), // pinReference
            tlv(0x04, &[0xFF]), // padChar
            path(&[0x3F00, fid::APP_DF]),
        ]
        .concat(),
    );
    tlv(0x30, &[common, class, tlv(0xA1, &attrs)].concat())
}

/// Key and certificate identifiers [inf].
pub const ID_AUTH: u8 = 0x01;
pub const ID_SIGN: u8 = 0x02;

fn common_object(label: &str, private: bool) -> Vec<u8> {
    let mut v = tlv(0x0C, label.as_bytes());
    v.extend(lenient_bits(&[if private { 0x80 } else { 0x00 }]));
    if private {
        v.extend(tlv(0x04, &[0x01])); // authId: the PIN
    }
    tlv(0x30, &v)
}

/// PrKDF: two RSA-2048 private keys (authentication, signature), PIN-protected.
pub fn prkdf() -> Vec<u8> {
    let key = |label: &str, id: u8, usage: [u8; 2], reference: u8| {
        tlv(
            0x30,
            &[
                common_object(label, true),
                tlv(
                    0x30,
                    &[
                        tlv(0x04, &[id]),
                        lenient_bits(&usage),
                        tlv(0x02, &[reference]),
                    ]
                    .concat(),
                ),
                tlv(
                    0xA1,
                    &tlv(
                        0x30,
                        &[path(&[0x3F00, fid::APP_DF]), tlv(0x02, &[0x08, 0x00])].concat(),
                    ),
                ),
            ]
            .concat(),
        )
    };
    [
        // PKCS#15 KeyUsageFlags: sign is bit 2 (0x20 in the first byte), nonRepudiation bit 9
        // (0x40 in the second). [inf] Key references 81 / 82.
        key("Cle d'authentification CPS", ID_AUTH, [0x20, 0x00], 0x81),
        key("Cle de signature CPS", ID_SIGN, [0x00, 0x40], 0x82),
    ]
    .concat()
}

/// CDF: the two certificates, each by the absolute path of its EF.
pub fn cdf() -> Vec<u8> {
    let cert = |label: &str, id: u8, fid: u16| {
        tlv(
            0x30,
            &[
                common_object(label, false),
                tlv(0x30, &tlv(0x04, &[id])),
                tlv(0xA1, &tlv(0x30, &app_path(fid))),
            ]
            .concat(),
        )
    };
    [
        cert("Certificat d'authentification CPS", ID_AUTH, fid::CERT_AUTH),
        cert("Certificat de signature CPS", ID_SIGN, fid::CERT_SIGN),
    ]
    .concat()
}

/// A certificate EF: the certificate, padded with zeros after it.
pub fn cert_ef(der: &[u8]) -> Vec<u8> {
    let mut v = der.to_vec();
    let size = CERT_EF_SIZE.max(der.len().div_ceil(256) * 256);
    v.resize(size, 0x00);
    v
}

/// A practice location [inf]: `30 { 0C structure-id-type, 0C structure-id, 0C label }`.
pub fn practice_location(id_type: &str, id: &str, label: &str) -> Vec<u8> {
    tlv(
        0x30,
        &[
            tlv(0x0C, id_type.as_bytes()),
            tlv(0x0C, id.as_bytes()),
            tlv(0x0C, label.as_bytes()),
        ]
        .concat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ef_atr_is_57_bytes_with_a_stray_leading_80() {
        let v = ef_atr([0x80, 0x00, 0x03, 0x10]);
        assert_eq!(v.len(), 57);
        assert_eq!(v[0], 0x80);
        assert_eq!(v[1], 0x43);
    }

    #[test]
    fn ef_sn_icc_is_12_bytes_with_the_ans_issuer_number() {
        let v = ef_sn_icc("2600301752");
        assert_eq!(v.len(), 12);
        assert_eq!(&v[2..7], &[0x80, 0x25, 0x00, 0x00, 0x01]);
        assert_eq!(&v[7..], &[0x26, 0x00, 0x30, 0x17, 0x52]);
    }

    #[test]
    fn certificate_ef_is_padded_after_the_certificate() {
        let v = cert_ef(&[0x30, 0x03, 1, 2, 3]);
        assert_eq!(v.len(), CERT_EF_SIZE);
        assert!(v[5..].iter().all(|&b| b == 0));
    }
}
