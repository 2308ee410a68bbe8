//! The card's file system: DFs and transparent EFs addressed by absolute FID paths from the MF,
//! with the FCP each SELECT (P2=04) returns.

use super::apdu::tlv;

/// FID of the master file.
pub const MF: u16 = 0x3F00;

#[derive(Clone, Debug)]
pub enum Body {
    Df { aid: Option<Vec<u8>> },
    Ef { data: Vec<u8>, sfi: Option<u8> },
}

#[derive(Clone, Debug)]
pub struct File {
    /// Absolute path, starting with 3F00.
    pub path: Vec<u16>,
    pub body: Body,
    /// Reading needs the PIN (practice locations).
    pub pin_protected: bool,
}

impl File {
    pub fn fid(&self) -> u16 {
        *self.path.last().unwrap_or(&MF)
    }

    pub fn is_df(&self) -> bool {
        matches!(self.body, Body::Df { .. })
    }

    /// FCP template `62 { 80 size, 82 descriptor, 83 FID, [84 DF name], [88 SFI], 8A LCS,
    /// A1 { 8C compact access rule } }`. OpenSC's CPx driver refuses a file without A1/8C.
    pub fn fcp(&self) -> Vec<u8> {
        let mut v = Vec::new();
        match &self.body {
            Body::Ef { data, sfi } => {
                v.extend(tlv(0x80, &(data.len() as u16).to_be_bytes()));
                // 01: working EF, transparent.
                v.extend(tlv(0x82, &[0x01]));
                v.extend(tlv(0x83, &self.fid().to_be_bytes()));
                if let Some(sfi) = sfi {
                    v.extend(tlv(0x88, &[*sfi << 3]));
                }
            }
            Body::Df { aid } => {
                // 38: DF.
                v.extend(tlv(0x82, &[0x38]));
                v.extend(tlv(0x83, &self.fid().to_be_bytes()));
                if let Some(aid) = aid {
                    v.extend(tlv(0x84, aid));
                }
            }
        }
        // 05: operational, activated.
        v.extend(tlv(0x8A, &[0x05]));
        v.extend(tlv(0xA1, &tlv(0x8C, &self.compact_access_rule())));
        tlv(0x62, &v)
    }

    /// Compact access rule (ISO 7816-4 §5.4.3.1): access mode byte then one security condition
    /// byte per mode bit, from b7 down to b1. [inf] The values are the usual IAS-ECC ones:
    /// read (b1) always (00) or under user authentication (12: SE #2, PIN); every update,
    /// delete, terminate (b2..b7) never (FF).
    fn compact_access_rule(&self) -> Vec<u8> {
        let read = if self.pin_protected { 0x12 } else { 0x00 };
        match self.body {
            // AM 7F: b7..b1 present. Conditions for b7 (delete self) .. b1 (read).
            Body::Ef { .. } => vec![0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, read],
            // DF: b1 = delete child, b2 = create EF, b3 = create DF... never.
            Body::Df { .. } => vec![0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        }
    }
}

/// The whole file system.
#[derive(Clone, Debug, Default)]
pub struct FileSystem {
    pub files: Vec<File>,
}

impl FileSystem {
    pub fn add_df(&mut self, path: &[u16], aid: Option<&[u8]>) {
        self.files.push(File {
            path: path.to_vec(),
            body: Body::Df {
                aid: aid.map(<[u8]>::to_vec),
            },
            pin_protected: false,
        });
    }

    pub fn add_ef(&mut self, path: &[u16], data: Vec<u8>, sfi: Option<u8>, pin_protected: bool) {
        self.files.push(File {
            path: path.to_vec(),
            body: Body::Ef { data, sfi },
            pin_protected,
        });
    }

    pub fn get(&self, path: &[u16]) -> Option<&File> {
        self.files.iter().find(|f| f.path == path)
    }

    pub fn by_aid(&self, aid: &[u8]) -> Option<&File> {
        self.files
            .iter()
            .find(|f| matches!(&f.body, Body::Df { aid: Some(a) } if a == aid))
    }

    /// The EF with this short identifier in the DF `df` (falls back to the MF).
    pub fn by_sfi(&self, df: &[u16], sfi: u8) -> Option<&File> {
        let in_df = |d: &[u16]| {
            self.files.iter().find(|f| {
                f.path.len() == d.len() + 1
                    && f.path.starts_with(d)
                    && matches!(f.body, Body::Ef { sfi: Some(s), .. } if s == sfi)
            })
        };
        in_df(df).or_else(|| in_df(&[MF]))
    }
}
