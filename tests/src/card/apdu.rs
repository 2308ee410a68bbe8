//! Parsing of short command APDUs (ISO 7816-4 cases 1 to 4) and status words.

/// Status words the emulated cards answer.
pub mod sw {
    pub const OK: [u8; 2] = [0x90, 0x00];
    /// End of file reached before Le bytes (data still valid).
    pub const END_OF_FILE: [u8; 2] = [0x62, 0x82];
    pub const WRONG_LENGTH: [u8; 2] = [0x67, 0x00];
    pub const INCOMPATIBLE_FILE: [u8; 2] = [0x69, 0x81];
    pub const SECURITY_NOT_SATISFIED: [u8; 2] = [0x69, 0x82];
    pub const PIN_BLOCKED: [u8; 2] = [0x69, 0x83];
    pub const CONDITIONS_NOT_SATISFIED: [u8; 2] = [0x69, 0x85];
    pub const NO_CURRENT_EF: [u8; 2] = [0x69, 0x86];
    pub const WRONG_DATA: [u8; 2] = [0x6A, 0x80];
    pub const FUNCTION_NOT_SUPPORTED: [u8; 2] = [0x6A, 0x81];
    pub const FILE_NOT_FOUND: [u8; 2] = [0x6A, 0x82];
    pub const WRONG_P1P2: [u8; 2] = [0x6A, 0x86];
    pub const REF_NOT_FOUND: [u8; 2] = [0x6A, 0x88];
    pub const WRONG_OFFSET: [u8; 2] = [0x6B, 0x00];
    pub const INS_NOT_SUPPORTED: [u8; 2] = [0x6D, 0x00];
    pub const CLA_NOT_SUPPORTED: [u8; 2] = [0x6E, 0x00];

    /// `63 Cx`: verification failed / x tries left.
    pub fn tries_left(x: u8) -> [u8; 2] {
        [0x63, 0xC0 | (x & 0x0F)]
    }
}

/// A parsed short command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: &'a [u8],
    /// Expected length; `Some(256)` for Le=00; `None` when absent.
    pub le: Option<usize>,
}

impl<'a> Command<'a> {
    /// Parses a short APDU; `None` when the lengths are inconsistent (answer 67 00).
    pub fn parse(raw: &'a [u8]) -> Option<Command<'a>> {
        if raw.len() < 4 {
            return None;
        }
        let (cla, ins, p1, p2) = (raw[0], raw[1], raw[2], raw[3]);
        let body = &raw[4..];
        let le_of = |b: u8| Some(if b == 0 { 256 } else { usize::from(b) });
        let (data, le) = match body.len() {
            0 => (&body[..0], None),
            1 => (&body[..0], le_of(body[0])),
            n => {
                let lc = usize::from(body[0]);
                if lc == 0 {
                    return None; // extended APDUs are not supported by these cards
                }
                if n == 1 + lc {
                    (&body[1..], None)
                } else if n == 2 + lc {
                    (&body[1..1 + lc], le_of(body[1 + lc]))
                } else {
                    return None;
                }
            }
        };
        Some(Command {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
        })
    }
}

/// Response: data followed by a status word.
pub fn respond(data: &[u8], sw: [u8; 2]) -> Vec<u8> {
    let mut r = Vec::with_capacity(data.len() + 2);
    r.extend_from_slice(data);
    r.extend_from_slice(&sw);
    r
}

/// Minimal BER-TLV writer (one tag byte, definite lengths).
pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = value.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else {
        v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(value);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_cases() {
        let c = Command::parse(&[0, 0x20, 0, 1]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, None));
        let c = Command::parse(&[0, 0xB0, 0, 0, 0]).unwrap();
        assert_eq!(c.le, Some(256));
        let c = Command::parse(&[0, 0xA4, 2, 4, 2, 0x2F, 0x00]).unwrap();
        assert_eq!((c.data, c.le), (&[0x2F, 0x00][..], None));
        let c = Command::parse(&[0, 0xA4, 2, 4, 2, 0x2F, 0x00, 0x10]).unwrap();
        assert_eq!(c.le, Some(16));
        assert!(Command::parse(&[0, 0xA4, 2, 4, 3, 0x2F]).is_none());
        assert!(Command::parse(&[0, 0xA4, 2]).is_none());
    }

    #[test]
    fn tlv_lengths() {
        assert_eq!(tlv(0x80, &[1, 2]), vec![0x80, 2, 1, 2]);
        assert_eq!(tlv(0x30, &[0; 200])[..3], [0x30, 0x81, 200]);
        assert_eq!(tlv(0x30, &[0; 300])[..4], [0x30, 0x82, 1, 44]);
    }
}
