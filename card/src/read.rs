//! Reading a CPx card without PIN over any transport, following the card's own directory:
//! EF.DIR → PKCS#15 application (by AID) → ODF → CDF → the certificate files it names, the
//! chip serial (EF.SN.ICC by short EF identifier) and the PIN state (empty VERIFY).
//!
//! APDUs of a full read (certificates of L1 and L2 bytes), when EF.DIR gives the application
//! path: SELECT EF.DIR, READ EF.DIR, READ EF.SN.ICC (SFI), SELECT ODF by path (application DF
//! included), VERIFY (no data), READ ODF, SELECT CDF, READ CDF, then per certificate SELECT +
//! ⌈L/0xE7⌉ READs: 10 + ⌈L1/231⌉ + ⌈L2/231⌉ when EF.DIR, ODF and CDF each fit in one read
//! (one more without an application path in EF.DIR: SELECT by AID, then the ODF by FID).

use crate::apdu::{exchange, Command, Response, StatusWord, MAX_READ_CHUNK};
use crate::ber;
use crate::cert::{combine, interpret};
use crate::error::ReadError;
use crate::pkcs15::{
    cdf_locations, certificate_locations, choose_application, default_application,
    tlvs_end_in_padding, MAX_CERTS,
};
use crate::report::{CardFamily, CardReport, CertLocation, PinState, RecognitionHint, Usage};
use crate::transport::CardTransport;
use crate::trust::TrustStore;

/// EF.DIR, path from the MF (ISO 7816-4 §8.2.1.1; domain.md §3).
const PATH_EF_DIR: &[u8] = &[0x3F, 0x00, 0x2F, 0x00];
/// MF file identifier (ISO 7816-4).
const FID_MF: [u8; 2] = [0x3F, 0x00];
/// Short EF identifier of EF.SN.ICC `3F00/D003` (OpenSC CPx trace: `00 B0 9C 00`).
const SFI_SN_ICC: u8 = 0x1C;
/// EF.SN.ICC size (domain.md §3).
const SN_ICC_LEN: u8 = 12;
/// Where the PKCS#15 DF sits when EF.DIR does not say (domain.md §3: `3F00/0001`).
const PATH_PKCS15_DF: &[u8] = &[0x3F, 0x00, 0x00, 0x01];
/// ODF, the PKCS#15 default FID (ISO 7816-15; CPx value [inf], what OpenSC reads).
const FID_ODF: u16 = 0x5031;
/// PIN reference of the card holder's PIN (domain.md §3).
const PIN_REF: u8 = 0x01;

/// Largest file read (a certificate file is a few KB; anything bigger is a broken answer).
const MAX_FILE: usize = 16 * 1024;
/// Most EF.DIR records read (a CPx has two applications).
const MAX_DIR_RECORDS: u8 = 8;
/// Whether a re-inserted card is the one read before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognition {
    /// Same card: the previous report with fresh PIN state, serial and APDU count.
    Same(Box<CardReport>),
    /// Another card (or not sure): do a full read.
    Different,
}

/// An APDU-counting session over a transport.
struct Session<'a> {
    t: &'a mut dyn CardTransport,
    count: u32,
}

/// How a READ BINARY ended.
enum Chunk {
    /// Data, and whether the end of the file was reached.
    Data(Vec<u8>, bool),
}

impl<'a> Session<'a> {
    fn new(t: &'a mut dyn CardTransport) -> Self {
        Session { t, count: 0 }
    }

    fn send(&mut self, cmd: &Command) -> Result<Response, ReadError> {
        Ok(exchange(self.t, cmd, &mut self.count)?)
    }

    /// SELECT without FCP; a card refusing P2=0C (`6A 86`) is asked again with P2=04.
    fn select(&mut self, cmd: Command, what: &str) -> Result<(), ReadError> {
        let r = self.send(&cmd)?;
        if r.sw.is_ok() {
            return Ok(());
        }
        if r.sw == StatusWord(0x6A86) {
            let mut again = cmd;
            again.p2 = crate::apdu::SELECT_RETURN_FCP;
            let r = self.send(&again)?;
            if r.sw.is_ok() {
                return Ok(());
            }
            return Err(card_error(what, r.sw));
        }
        Err(card_error(what, r.sw))
    }

    /// One READ BINARY of at most `want` (≤ 0xE7) bytes at `offset` of the current EF.
    fn read_chunk(&mut self, offset: usize, want: usize, what: &str) -> Result<Chunk, ReadError> {
        let off = u16::try_from(offset)
            .ok()
            .filter(|o| *o < 0x8000)
            .ok_or_else(|| ReadError::Card(format!("{what}: file too large")))?;
        let le = want.clamp(1, usize::from(MAX_READ_CHUNK)) as u8;
        let r = self.send(&Command::read_binary(off, le))?;
        match r.sw {
            StatusWord::OK => {
                if r.data.len() > usize::from(le) {
                    return Err(ReadError::Card(format!(
                        "{what}: {} bytes answered for {le} asked",
                        r.data.len()
                    )));
                }
                let eof = r.data.len() < usize::from(le);
                Ok(Chunk::Data(r.data, eof))
            }
            StatusWord::END_OF_FILE => Ok(Chunk::Data(r.data, true)),
            StatusWord::WRONG_OFFSET => Ok(Chunk::Data(Vec::new(), true)),
            sw => Err(card_error(what, sw)),
        }
    }

    /// Reads a file of TLVs (EF.DIR, ODF, CDF) until its end, its padding, or complete TLVs.
    fn read_tlv_file(&mut self, what: &str) -> Result<Vec<u8>, ReadError> {
        let mut buf = Vec::new();
        loop {
            let Chunk::Data(data, eof) =
                self.read_chunk(buf.len(), usize::from(MAX_READ_CHUNK), what)?;
            let got = data.len();
            buf.extend(data);
            if eof || got == 0 || tlvs_end_in_padding(&buf) {
                return Ok(buf);
            }
            if buf.len() > MAX_FILE {
                return Err(ReadError::Card(format!("{what}: file too large")));
            }
        }
    }

    /// Reads a DER object (a certificate) starting at `offset` of the current EF, in chunks of
    /// at most 0xE7 bytes, until its DER length is complete (files are padded after it).
    fn read_der(&mut self, offset: usize, what: &str) -> Result<Vec<u8>, ReadError> {
        let Chunk::Data(mut buf, mut eof) =
            self.read_chunk(offset, usize::from(MAX_READ_CHUNK), what)?;
        let total = ber::parse_header(&buf)
            .ok()
            .and_then(|h| h.total_len())
            .filter(|_| buf.first() == Some(&0x30))
            .ok_or_else(|| ReadError::Card(format!("{what}: not a DER certificate")))?;
        if total > MAX_FILE {
            return Err(ReadError::Card(format!(
                "{what}: announced length {total} is too large"
            )));
        }
        while buf.len() < total {
            if eof {
                return Err(ReadError::Card(format!(
                    "{what}: file ends after {} of {total} bytes",
                    buf.len()
                )));
            }
            let Chunk::Data(data, e) =
                self.read_chunk(offset + buf.len(), total - buf.len(), what)?;
            if data.is_empty() {
                eof = true;
                continue;
            }
            eof = e;
            buf.extend(data);
        }
        buf.truncate(total);
        Ok(buf)
    }

    /// The records of the current EF, concatenated (stops at the first refusal).
    fn read_records(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        for n in 1..=MAX_DIR_RECORDS {
            let r = self.send(&Command::read_record(n, MAX_READ_CHUNK))?;
            match r.sw {
                StatusWord::OK | StatusWord::END_OF_FILE if !r.data.is_empty() => {
                    out.extend(r.data)
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// EF.SN.ICC by short EF identifier (needs the MF as current DF); `None` if refused.
    fn serial(&mut self) -> Result<Option<String>, ReadError> {
        let r = self.send(&Command::read_binary_sfi(SFI_SN_ICC, 0, SN_ICC_LEN))?;
        Ok(match r.sw {
            StatusWord::OK | StatusWord::END_OF_FILE if !r.data.is_empty() => {
                Some(hex::encode_upper(&r.data))
            }
            _ => None,
        })
    }

    /// PIN state by VERIFY without data: uses no try.
    fn pin(&mut self) -> Result<(PinState, Option<u8>), ReadError> {
        let r = self.send(&Command::verify_status(PIN_REF))?;
        Ok(match (r.sw, r.sw.tries_left()) {
            (_, Some(n)) => (PinState::TriesLeft, Some(n)),
            (StatusWord::BLOCKED, _) => (PinState::Blocked, Some(0)),
            (StatusWord::OK, _) => (PinState::Verified, None),
            _ => (PinState::Unknown, None),
        })
    }
}

fn card_error(what: &str, sw: StatusWord) -> ReadError {
    ReadError::Card(format!("{what}: card answered {sw}"))
}

/// The SELECT for a PKCS#15 path: 2 bytes = FID in the application DF; starting with 3F00 =
/// absolute (kept whole, domain.md §3); else relative to the application DF.
fn select_for(path: &[u8], app_path: &[u8]) -> Command {
    if path.len() == 2 && path != FID_MF {
        Command::select_fid(u16::from_be_bytes([path[0], path[1]]))
    } else if path.starts_with(&FID_MF) {
        Command::select_path(path)
    } else {
        let mut full = app_path.to_vec();
        full.extend_from_slice(path);
        Command::select_path(&full)
    }
}

/// Absolute form of a path (for the recognition cache).
fn absolute(path: &[u8], app_path: &[u8]) -> Vec<u8> {
    if path.starts_with(&FID_MF) {
        path.to_vec()
    } else {
        let mut full = app_path.to_vec();
        full.extend_from_slice(path);
        full
    }
}

/// Reads everything readable without PIN and interprets it. A non-CPx ATR gives a report
/// with family `NotCpx` and no APDU sent.
pub fn read_card(
    t: &mut dyn CardTransport,
    atr: &[u8],
    trust: &TrustStore,
) -> Result<CardReport, ReadError> {
    let family = crate::atr::identify(atr);
    if family == CardFamily::NotCpx {
        return Ok(combine(atr, Vec::new()));
    }
    let mut s = Session::new(t);
    match read_pkcs15(&mut s, atr, family, trust) {
        // An older CPS may have no IAS-ECC PKCS#15 application: describe it from its ATR.
        Err(ReadError::Card(_)) if family == CardFamily::CpsLegacy => {
            let mut r = combine(atr, Vec::new());
            r.apdu_count = s.count;
            Ok(r)
        }
        other => other,
    }
}

fn read_pkcs15(
    s: &mut Session<'_>,
    atr: &[u8],
    family: CardFamily,
    trust: &TrustStore,
) -> Result<CardReport, ReadError> {
    // EF.DIR (its SELECT also makes the MF current, for the EF.SN.ICC short identifier).
    let app = match s.select(Command::select_path(PATH_EF_DIR), "EF.DIR") {
        Ok(()) => {
            // Transparent on the cards OpenSC meets; a record file answers READ BINARY with
            // an error (69 81): then its records are read.
            let dir = match s.read_tlv_file("EF.DIR") {
                Ok(dir) => dir,
                Err(ReadError::Card(_)) => s.read_records()?,
                Err(e) => return Err(e),
            };
            choose_application(&dir, family)
        }
        Err(ReadError::Card(_)) => None,
        Err(e) => return Err(e),
    }
    .unwrap_or_else(|| default_application(family));
    let serial = s.serial()?;
    let given_path = app.path.clone().filter(|p| p.starts_with(&FID_MF));
    let app_path = given_path
        .clone()
        .unwrap_or_else(|| PATH_PKCS15_DF.to_vec());
    // With the application path from EF.DIR, one SELECT by path reaches the ODF and makes the
    // application DF current (what OpenSC does on real cards: SELECT 3F00/0001 by path);
    // without it, or if the card refuses, SELECT the application by AID then the ODF by FID.
    let by_path = match given_path {
        Some(p) => {
            let mut odf_path = p;
            odf_path.extend_from_slice(&FID_ODF.to_be_bytes());
            match s.select(Command::select_path(&odf_path), "ODF") {
                Ok(()) => true,
                Err(ReadError::Card(_)) => false,
                Err(e) => return Err(e),
            }
        }
        None => false,
    };
    if !by_path {
        s.select(Command::select_aid(&app.aid), "PKCS#15 application")?;
        s.select(Command::select_fid(FID_ODF), "ODF")?;
    }
    let pin = s.pin()?;
    let odf = s.read_tlv_file("ODF")?;
    let cdfs = cdf_locations(&odf).map_err(|e| ReadError::Card(format!("ODF: {e}")))?;
    if cdfs.is_empty() {
        return Err(ReadError::Card("ODF lists no certificate directory".into()));
    }
    let mut locations = Vec::new();
    for cdf in &cdfs {
        s.select(select_for(&cdf.path, &app_path), "CDF")?;
        let data = s.read_tlv_file("CDF")?;
        let inside = data.get(cdf.offset..).unwrap_or_default();
        for l in certificate_locations(inside).map_err(|e| ReadError::Card(format!("CDF: {e}")))? {
            if !locations.contains(&l) {
                locations.push(l);
            }
        }
    }
    let mut certificates = Vec::new();
    let mut found = Vec::new();
    for loc in locations.iter().take(MAX_CERTS) {
        s.select(select_for(&loc.path, &app_path), "certificate file")?;
        let der = s.read_der(loc.offset, "certificate")?;
        let report =
            interpret(&der, trust).map_err(|e| ReadError::Card(format!("certificate: {e}")))?;
        found.push(CertLocation {
            path: absolute(&loc.path, &app_path),
            offset: loc.offset,
            head: der[..der.len().min(usize::from(MAX_READ_CHUNK))].to_vec(),
        });
        certificates.push(report);
    }
    // The certificate that speaks for the card (as `combine` picks it) identifies it next time.
    let primary = certificates
        .iter()
        .position(|c| c.usage == Usage::Authentication)
        .unwrap_or(0);
    let hint = found
        .into_iter()
        .nth(primary)
        .map(RecognitionHint::new)
        .unwrap_or_default();
    let mut report = combine(atr, certificates);
    report.serial = serial;
    report.pin_state = Some(pin.0);
    report.pin_tries_left = pin.1;
    report.apdu_count = s.count;
    report.recognition_hint = hint;
    Ok(report)
}

/// The fewest APDUs that make sure this is the card of `previous` (same ATR, same chip serial
/// read by short EF identifier, same first bytes of the authentication certificate where the
/// first read found it: `previous.recognition_hint`), plus its fresh PIN state. At most 4
/// APDUs (5 when another application left a DF selected that hides EF.SN.ICC). A previous
/// report with certificates but no hint (not from a full read) gives `Different`.
pub fn recognise_known(
    t: &mut dyn CardTransport,
    atr: &[u8],
    previous: &CardReport,
) -> Result<Recognition, ReadError> {
    if crate::atr::atr_hex(atr) != previous.atr {
        return Ok(Recognition::Different);
    }
    if previous.family == CardFamily::NotCpx {
        let mut same = previous.clone();
        same.apdu_count = 0;
        return Ok(Recognition::Same(Box::new(same)));
    }
    let mut s = Session::new(t);
    let mut serial = s.serial()?;
    if serial.is_none() {
        // Another application may have left its DF current: back to the MF, once.
        s.select(Command::select_path(&FID_MF), "MF")?;
        serial = s.serial()?;
    }
    let Some(serial) = serial else {
        return Ok(Recognition::Different);
    };
    if previous.serial.as_deref() != Some(serial.as_str()) {
        return Ok(Recognition::Different);
    }
    if !previous.certificates.is_empty() {
        let Some(at) = previous.recognition_hint.location() else {
            return Ok(Recognition::Different);
        };
        if s.select(Command::select_path(&at.path), "certificate file")
            .is_err()
        {
            return Ok(Recognition::Different);
        }
        let Chunk::Data(data, _) = s.read_chunk(at.offset, at.head.len(), "certificate")?;
        if data != at.head {
            return Ok(Recognition::Different);
        }
    }
    let (state, tries) = s.pin()?;
    let mut same = previous.clone();
    same.pin_state = Some(state);
    same.pin_tries_left = tries;
    same.apdu_count = s.count;
    Ok(Recognition::Same(Box::new(same)))
}
