//! The PKCS#15 and EF.DIR files of a CPx card, parsed (ISO 7816-4 §8.2.1.1, ISO 7816-15):
//! which application EF.DIR names, which CDFs the ODF lists, which certificate files a CDF
//! points to. Pure functions of the file bytes (the APDUs that fetch them are in `read`);
//! public so that they can be fuzzed on their own.

use crate::ber::{self, BerError};
use crate::report::CardFamily;

/// PKCS#15 application of a CPx, contact interface (domain.md §3, OpenSC).
const AID_CPX_PKCS15: &[u8] = &[
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x10,
];
/// PKCS#15 application of a CPx, contactless interface (domain.md §3).
const AID_CPX_PKCS15_CL: &[u8] = &[
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x80, 0x25, 0x00, 0x00, 0x01, 0xFF, 0x00, 0x20,
];

/// EF.DIR application template and its fields (ISO 7816-4 §8.2.1.1).
const TAG_APP_TEMPLATE: u32 = 0x61;
const TAG_AID: u32 = 0x4F;
const TAG_APP_LABEL: u32 = 0x50;
const TAG_APP_PATH: u32 = 0x51;
/// ODF entry pointing to a CDF (PKCS#15 `certificates [4]`).
const TAG_ODF_CDF: u32 = 0xA4;
/// PKCS#15 typeAttributes `[1]` of a certificate object, holding its Path.
const TAG_TYPE_ATTRIBUTES: u32 = 0xA1;
const TAG_SEQUENCE: u32 = 0x30;
const TAG_OCTET_STRING: u32 = 0x04;
const TAG_INTEGER: u32 = 0x02;
const TAG_BOOLEAN: u32 = 0x01;

/// Most certificate objects read from the CDF (a CPx has two).
pub const MAX_CERTS: usize = 4;

/// Whether the TLVs read so far are complete and followed by padding (`00`/`FF`): the file
/// content is over, no need to read further.
pub fn tlvs_end_in_padding(buf: &[u8]) -> bool {
    let mut cur = buf;
    loop {
        match cur.first() {
            None => return false,
            Some(0x00) | Some(0xFF) => return true,
            Some(_) => match ber::parse_one(cur) {
                Ok((_, rest)) => cur = rest,
                Err(_) => return false,
            },
        }
    }
}

/// The application to select, from EF.DIR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The application identifier (tag 4F).
    pub aid: Vec<u8>,
    /// Its path from the MF, when EF.DIR gives one (tag 51).
    pub path: Option<Vec<u8>>,
}

/// Picks the CPx PKCS#15 application from EF.DIR content: the contactless one when the card
/// is read contactless, else the first other PKCS#15 one.
pub fn choose_application(ef_dir: &[u8], family: CardFamily) -> Option<Application> {
    let apps: Vec<Application> = ber::parse_all(ef_dir)
        .ok()?
        .into_iter()
        .filter(|t| t.tag == TAG_APP_TEMPLATE)
        .filter_map(|t| {
            let aid = t.child(TAG_AID)?.value.to_vec();
            let label = t
                .child(TAG_APP_LABEL)
                .map(|l| String::from_utf8_lossy(l.value).to_uppercase());
            let path = t.child(TAG_APP_PATH).map(|p| p.value.to_vec());
            let contactless = aid.as_slice() == AID_CPX_PKCS15_CL
                || label.as_deref().is_some_and(|l| l.ends_with(" CL"));
            Some((Application { aid, path }, contactless))
        })
        .filter(|(a, _)| a.aid.starts_with(&AID_CPX_PKCS15[..5]))
        .filter(|(_, cl)| *cl == (family == CardFamily::Cps3Contactless))
        .map(|(a, _)| a)
        .collect();
    apps.into_iter().next()
}

pub fn default_application(family: CardFamily) -> Application {
    let aid = if family == CardFamily::Cps3Contactless {
        AID_CPX_PKCS15_CL
    } else {
        AID_CPX_PKCS15
    };
    Application {
        aid: aid.to_vec(),
        path: None,
    }
}

/// A file location from a PKCS#15 Path: bytes and the offset inside the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: Vec<u8>,
    pub offset: usize,
}

/// The Path inside an ODF entry or a certificate object (`30 { 04 path [02 index] [80 len] }`,
/// or a bare `04`).
fn location(t: &ber::Tlv<'_>) -> Option<Location> {
    let seq = if t.tag == TAG_SEQUENCE {
        Some(*t)
    } else {
        t.find(TAG_SEQUENCE)
    };
    if let Some(seq) = seq {
        if let Some(p) = seq.child(TAG_OCTET_STRING) {
            let offset = seq
                .child(TAG_INTEGER)
                .and_then(|i| i.as_u64())
                .and_then(|i| usize::try_from(i).ok())
                .unwrap_or(0);
            return Some(Location {
                path: p.value.to_vec(),
                offset,
            });
        }
    }
    t.find(TAG_OCTET_STRING).map(|p| Location {
        path: p.value.to_vec(),
        offset: 0,
    })
}

/// The CDF locations listed by the ODF.
pub fn cdf_locations(odf: &[u8]) -> Result<Vec<Location>, BerError> {
    let entries = ber::parse_all(odf)?;
    Ok(entries
        .iter()
        .filter(|t| t.tag == TAG_ODF_CDF)
        .filter_map(location)
        .filter(|l| !l.path.is_empty())
        .collect())
}

/// The certificate locations listed by a CDF (authority certificates skipped).
pub fn certificate_locations(cdf: &[u8]) -> Result<Vec<Location>, BerError> {
    let entries = ber::parse_all(cdf)?;
    let mut out: Vec<Location> = Vec::new();
    for entry in entries {
        let Ok(children) = entry.children() else {
            continue;
        };
        // CommonCertificateAttributes (2nd child): `authority BOOLEAN` set → a CA, skip.
        let authority = children
            .get(1)
            .and_then(|c| c.child(TAG_BOOLEAN))
            .is_some_and(|b| b.value.first().is_some_and(|v| *v != 0));
        if authority {
            continue;
        }
        let Some(loc) = children
            .iter()
            .find(|c| c.tag == TAG_TYPE_ATTRIBUTES)
            .and_then(location)
        else {
            continue;
        };
        if !loc.path.is_empty() && !out.contains(&loc) {
            out.push(loc);
        }
    }
    out.truncate(MAX_CERTS);
    Ok(out)
}
