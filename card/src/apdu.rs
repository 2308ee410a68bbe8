//! Command APDUs (ISO 7816-4 short form), status words, and the response handling every read
//! goes through: `61xx` → GET RESPONSE, `6Cxx` → resend with Le=xx (domain.md §3).

use crate::transport::{CardTransport, TransportError};

/// CLA of every command sent (ISO 7816-4, no secure messaging, basic channel).
pub const CLA: u8 = 0x00;
/// SELECT (ISO 7816-4 §11.1.1).
pub const INS_SELECT: u8 = 0xA4;
/// READ BINARY (ISO 7816-4 §11.2.3).
pub const INS_READ_BINARY: u8 = 0xB0;
/// READ RECORD (ISO 7816-4 §11.3.3).
pub const INS_READ_RECORD: u8 = 0xB2;
/// VERIFY (ISO 7816-4 §11.5.6); sent here only without data.
pub const INS_VERIFY: u8 = 0x20;
/// GET RESPONSE (ISO 7816-4 §11.7.1).
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// SELECT P1: by DF name / AID (ISO 7816-4 table 39).
pub const SELECT_BY_AID: u8 = 0x04;
/// SELECT P1: EF under the current DF by FID (ISO 7816-4 table 39).
pub const SELECT_EF_BY_FID: u8 = 0x02;
/// SELECT P1: by path from the MF (ISO 7816-4 table 39; CPx wants 3F00 kept, domain.md §3).
pub const SELECT_BY_PATH: u8 = 0x09;
/// SELECT P2: return FCP (ISO 7816-4 table 40).
pub const SELECT_RETURN_FCP: u8 = 0x04;
/// SELECT P2: no response data (ISO 7816-4 table 40; CPx AID select wants it, domain.md §3).
pub const SELECT_NO_RESPONSE: u8 = 0x0C;

/// Largest READ BINARY chunk: the ANS CryptoLib never asks more than 0xE7 (domain.md §3).
pub const MAX_READ_CHUNK: u8 = 0xE7;

/// An ISO 7816-4 command in short form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected length: `None` = no Le byte, `Some(0)` = 256.
    pub le: Option<u8>,
}

impl Command {
    pub fn new(ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla: CLA,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    /// Command data (at most 255 bytes: short APDU; longer data is cut, callers never send it).
    pub fn data(mut self, data: &[u8]) -> Self {
        self.data = data[..data.len().min(255)].to_vec();
        self
    }

    pub fn le(mut self, le: u8) -> Self {
        self.le = Some(le);
        self
    }

    /// SELECT by AID without FCP (`00 A4 04 0C Lc AID`).
    pub fn select_aid(aid: &[u8]) -> Self {
        Command::new(INS_SELECT, SELECT_BY_AID, SELECT_NO_RESPONSE).data(aid)
    }

    /// SELECT by absolute path, `3F00` included, without FCP (`00 A4 09 0C Lc path`).
    pub fn select_path(path: &[u8]) -> Self {
        Command::new(INS_SELECT, SELECT_BY_PATH, SELECT_NO_RESPONSE).data(path)
    }

    /// SELECT an EF of the current DF by FID, without FCP (`00 A4 02 0C 02 FID`).
    pub fn select_fid(fid: u16) -> Self {
        Command::new(INS_SELECT, SELECT_EF_BY_FID, SELECT_NO_RESPONSE).data(&fid.to_be_bytes())
    }

    /// READ BINARY of the current EF (`00 B0 off_hi off_lo Le`), offset < 0x8000.
    pub fn read_binary(offset: u16, le: u8) -> Self {
        let [hi, lo] = (offset & 0x7FFF).to_be_bytes();
        Command::new(INS_READ_BINARY, hi, lo).le(le)
    }

    /// READ BINARY by short EF identifier (`00 B0 80|sfi off Le`), offset < 256.
    pub fn read_binary_sfi(sfi: u8, offset: u8, le: u8) -> Self {
        Command::new(INS_READ_BINARY, 0x80 | (sfi & 0x1F), offset).le(le)
    }

    /// READ RECORD `n` of the current EF (`00 B2 n 04 Le`).
    pub fn read_record(n: u8, le: u8) -> Self {
        Command::new(INS_READ_RECORD, n, 0x04).le(le)
    }

    /// VERIFY without data: asks the PIN state, uses no try (`00 20 00 ref`).
    pub fn verify_status(pin_ref: u8) -> Self {
        Command::new(INS_VERIFY, 0x00, pin_ref)
    }

    /// GET RESPONSE (`00 C0 00 00 Le`).
    pub fn get_response(le: u8) -> Self {
        Command::new(INS_GET_RESPONSE, 0, 0).le(le)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![self.cla, self.ins, self.p1, self.p2];
        if !self.data.is_empty() {
            v.push(self.data.len() as u8);
            v.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            v.push(le);
        }
        v
    }
}

/// SW1 SW2 of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `90 00`: success.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// `62 82`: end of file reached before Le bytes (data valid).
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// `69 83`: authentication method blocked (PIN blocked).
    pub const BLOCKED: StatusWord = StatusWord(0x6983);
    /// `6A 82`: file not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// `6A 83`: record not found.
    pub const RECORD_NOT_FOUND: StatusWord = StatusWord(0x6A83);
    /// `6B 00`: wrong parameters P1-P2 (offset beyond the end of the file).
    pub const WRONG_OFFSET: StatusWord = StatusWord(0x6B00);

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }
    pub fn is_ok(self) -> bool {
        self == StatusWord::OK
    }
    /// `63 Cx`: x tries left.
    pub fn tries_left(self) -> Option<u8> {
        (self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0).then_some(self.sw2() & 0x0F)
    }
}

impl std::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02X} {:02X}", self.sw1(), self.sw2())
    }
}

/// A card answer split into data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl Response {
    pub fn parse(raw: &[u8]) -> Result<Self, TransportError> {
        if raw.len() < 2 {
            return Err(TransportError::Malformed(format!(
                "answer of {} byte(s), no status word",
                raw.len()
            )));
        }
        let (data, sw) = raw.split_at(raw.len() - 2);
        Ok(Response {
            data: data.to_vec(),
            sw: StatusWord(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }
}

/// Most `61xx` chains followed for one command (a card that keeps saying "more" is broken).
const MAX_GET_RESPONSE: usize = 32;

/// Sends a command over a transport and follows `61xx` (GET RESPONSE) and `6Cxx` (resend with
/// Le=xx), counting every APDU sent in `count`. `62 82` is returned as is (data valid).
///
/// `6Cxx` is followed only for a command that expects data back (it has an Le) and is not a
/// VERIFY: resending a header-only VERIFY with a fifth byte would read, on a T=0 card, as a
/// VERIFY announcing that many bytes of PIN (found by the `card_read` fuzz target).
pub fn exchange(
    t: &mut dyn CardTransport,
    cmd: &Command,
    count: &mut u32,
) -> Result<Response, TransportError> {
    *count += 1;
    let mut resp = Response::parse(&t.transmit(&cmd.to_bytes())?)?;
    if resp.sw.sw1() == 0x6C && cmd.le.is_some() && cmd.ins != INS_VERIFY {
        let mut again = cmd.clone();
        again.le = Some(resp.sw.sw2());
        *count += 1;
        resp = Response::parse(&t.transmit(&again.to_bytes())?)?;
    }
    let mut data = std::mem::take(&mut resp.data);
    let mut rounds = 0;
    while resp.sw.sw1() == 0x61 {
        rounds += 1;
        if rounds > MAX_GET_RESPONSE {
            return Err(TransportError::Malformed("endless 61xx chain".into()));
        }
        *count += 1;
        resp = Response::parse(&t.transmit(&Command::get_response(resp.sw.sw2()).to_bytes())?)?;
        data.append(&mut resp.data);
    }
    Ok(Response { data, sw: resp.sw })
}

#[cfg(test)]
mod tests;
