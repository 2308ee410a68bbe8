use super::*;
use crate::scripted::hex_bytes;

#[test]
fn short_and_long_lengths() {
    let data = hex_bytes("04 02 AA BB 30 81 03 02 01 05");
    let all = parse_all(&data).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].tag, 0x04);
    assert_eq!(all[0].value, &[0xAA, 0xBB]);
    assert_eq!(all[1].tag, 0x30);
    assert!(all[1].constructed);
    assert_eq!(all[1].children().unwrap()[0].as_u64(), Some(5));
    let mut long = vec![0x04, 0x82, 0x01, 0x00];
    long.extend(std::iter::repeat_n(7u8, 256));
    assert_eq!(parse_one(&long).unwrap().0.value.len(), 256);
}

#[test]
fn multi_byte_tags() {
    let data = hex_bytes("5F 20 01 41 9F 7F 81 02 01 02 BF 81 02 02 80 00");
    let all = parse_all(&data).unwrap();
    assert_eq!(all[0].tag, 0x5F20);
    assert_eq!(all[1].tag, 0x9F7F);
    assert_eq!(all[1].value, &[1, 2]);
    assert_eq!(all[2].tag, 0xBF8102);
    assert!(all[2].constructed);
}

#[test]
fn indefinite_lengths() {
    // A4 (indefinite) { 30 { 04 02 3F 00 } } 00 00, then 04 01 01
    let data = hex_bytes("A4 80 30 04 04 02 3F 00 00 00 04 01 01");
    let all = parse_all(&data).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].tag, 0xA4);
    assert_eq!(all[0].find(0x04).unwrap().value, &[0x3F, 0x00]);
    // Nested indefinite.
    let data = hex_bytes("30 80 A1 80 04 01 09 00 00 00 00");
    let (t, rest) = parse_one(&data).unwrap();
    assert!(rest.is_empty());
    assert_eq!(t.find(0x04).unwrap().value, &[9]);
}

#[test]
fn padding_stops_the_list() {
    let data = hex_bytes("04 01 01 00 00 00 FF FF");
    assert_eq!(parse_all(&data).unwrap().len(), 1);
    let data = hex_bytes("04 01 01 FF FF");
    assert_eq!(parse_all(&data).unwrap().len(), 1);
    assert!(parse_all(&[]).unwrap().is_empty());
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    let cases = [
        "04",                   // no length
        "04 05 01 02",          // oversized
        "30 84 FF FF FF FF 00", // huge long form
        "30 85 01 00 00 00 00", // 5-byte length
        "1F",                   // multi-byte tag cut
        "1F 81 81 81 81 01 00", // tag too long
        "04 80 00 00",          // indefinite primitive
        "30 80 04 01 01",       // indefinite, no end
        "04 82 01",             // long length cut
    ];
    for c in cases {
        assert!(parse_all(&hex_bytes(c)).is_err(), "{c}");
    }
    assert!(matches!(
        parse_all(&hex_bytes("04 01 01 04 05 01")),
        Err(BerError::Oversized {
            offset: 3,
            len: 5,
            available: 1
        })
    ));
    // Deep indefinite nesting is refused, not a stack overflow.
    let mut deep = Vec::new();
    for _ in 0..100 {
        deep.extend([0x30, 0x80]);
    }
    assert!(parse_all(&deep).is_err());
    // Every prefix and every byte flip of a valid structure: no panic.
    let valid = hex_bytes("30 0C A1 80 04 02 3F 00 00 00 02 02 01 00");
    for n in 0..valid.len() {
        let _ = parse_all(&valid[..n]);
        for bit in 0..8 {
            let mut v = valid.clone();
            v[n] ^= 1 << bit;
            if let Ok(all) = parse_all(&v) {
                for t in all {
                    let _ = t.find(0x04);
                    let _ = t.as_u64();
                }
            }
        }
    }
}

#[test]
fn header_of_a_partial_certificate() {
    let h = parse_header(&hex_bytes("30 82 09 09 30 82")).unwrap();
    assert_eq!(h.total_len(), Some(0x909 + 4));
    assert_eq!(h.tag, 0x30);
}

#[test]
fn integers() {
    let int = |h: &str| parse_one(&hex_bytes(h)).unwrap().0.as_u64();
    assert_eq!(int("02 01 28"), Some(40));
    assert_eq!(int("02 02 00 FF"), Some(255));
    assert_eq!(int("02 01 FF"), None);
    assert_eq!(int("02 00"), None);
}
