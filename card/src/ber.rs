//! A lenient BER-TLV parser for card answers (PKCS#15 ODF/CDF, EF.DIR, certificate headers):
//! multi-byte tags, long-form lengths, indefinite lengths (PKCS#15 files written by card
//! personalisation tools use them); never panics, lengths beyond the data are errors.

/// Why a TLV could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BerError {
    #[error("truncated TLV at offset {0}")]
    Truncated(usize),
    #[error("length {len} at offset {offset} goes beyond the {available} bytes available")]
    Oversized {
        offset: usize,
        len: usize,
        available: usize,
    },
    #[error("malformed TLV at offset {0}: {1}")]
    Malformed(usize, &'static str),
}

/// Deepest nesting followed (indefinite lengths recurse).
const MAX_DEPTH: usize = 16;

/// One TLV: `tag` holds the tag bytes as written (`0x30`, `0xA4`, `0x5F20`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub constructed: bool,
    pub value: &'a [u8],
}

/// The header of a TLV: tag, header size, value length (`None` when indefinite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub tag: u32,
    pub constructed: bool,
    pub header_len: usize,
    pub len: Option<usize>,
}

impl Header {
    /// Total size of the TLV when its length is definite.
    pub fn total_len(&self) -> Option<usize> {
        self.len.map(|l| self.header_len + l)
    }
}

/// Reads a TLV header only (the value may be absent): used to learn a certificate's DER size
/// from its first bytes.
pub fn parse_header(input: &[u8]) -> Result<Header, BerError> {
    let first = *input.first().ok_or(BerError::Truncated(0))?;
    let constructed = first & 0x20 != 0;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(BerError::Truncated(pos))?;
            if pos >= 4 {
                return Err(BerError::Malformed(0, "tag longer than 4 bytes"));
            }
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *input.get(pos).ok_or(BerError::Truncated(pos))?;
    pos += 1;
    let len = if l0 < 0x80 {
        Some(usize::from(l0))
    } else if l0 == 0x80 {
        if !constructed {
            return Err(BerError::Malformed(0, "indefinite length on a primitive"));
        }
        None
    } else {
        let n = usize::from(l0 & 0x7F);
        if n > 4 {
            return Err(BerError::Malformed(0, "length of more than 4 bytes"));
        }
        let bytes = input.get(pos..pos + n).ok_or(BerError::Truncated(pos))?;
        pos += n;
        Some(
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
        )
    };
    Ok(Header {
        tag,
        constructed,
        header_len: pos,
        len,
    })
}

/// Parses the first TLV of `input`; returns it and what follows.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), BerError> {
    parse_at_depth(input, 0)
}

fn parse_at_depth(input: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::Malformed(0, "nested too deep"));
    }
    let h = parse_header(input)?;
    let rest = &input[h.header_len..];
    match h.len {
        Some(len) => {
            if len > rest.len() {
                return Err(BerError::Oversized {
                    offset: 0,
                    len,
                    available: rest.len(),
                });
            }
            let (value, after) = rest.split_at(len);
            Ok((
                Tlv {
                    tag: h.tag,
                    constructed: h.constructed,
                    value,
                },
                after,
            ))
        }
        None => {
            // Indefinite: children until the end-of-contents `00 00`.
            let mut cur = rest;
            loop {
                if cur.len() >= 2 && cur[0] == 0 && cur[1] == 0 {
                    let used = rest.len() - cur.len();
                    return Ok((
                        Tlv {
                            tag: h.tag,
                            constructed: true,
                            value: &rest[..used],
                        },
                        &cur[2..],
                    ));
                }
                if cur.is_empty() {
                    return Err(BerError::Truncated(input.len()));
                }
                let (_, after) = parse_at_depth(cur, depth + 1)?;
                cur = after;
            }
        }
    }
}

/// Every TLV of `input`, in order, stopping at padding (`00` or `FF` where a tag should be:
/// card files are padded after their content).
pub fn parse_all(input: &[u8]) -> Result<Vec<Tlv<'_>>, BerError> {
    let mut out = Vec::new();
    let mut cur = input;
    while let Some(&b) = cur.first() {
        if b == 0x00 || b == 0xFF {
            break;
        }
        let (tlv, rest) = parse_one(cur).map_err(|e| shift(e, input.len() - cur.len()))?;
        out.push(tlv);
        cur = rest;
    }
    Ok(out)
}

fn shift(e: BerError, by: usize) -> BerError {
    match e {
        BerError::Truncated(o) => BerError::Truncated(o + by),
        BerError::Oversized {
            offset,
            len,
            available,
        } => BerError::Oversized {
            offset: offset + by,
            len,
            available,
        },
        BerError::Malformed(o, m) => BerError::Malformed(o + by, m),
    }
}

impl<'a> Tlv<'a> {
    /// The TLVs inside a constructed TLV.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, BerError> {
        parse_all(self.value)
    }

    /// The first child with `tag`, if any (children that do not parse count as absent).
    pub fn child(&self, tag: u32) -> Option<Tlv<'a>> {
        self.children().ok()?.into_iter().find(|t| t.tag == tag)
    }

    /// Depth-first search for the first TLV with `tag` inside this one (itself excluded).
    pub fn find(&self, tag: u32) -> Option<Tlv<'a>> {
        self.find_at_depth(tag, 0)
    }

    fn find_at_depth(&self, tag: u32, depth: usize) -> Option<Tlv<'a>> {
        if !self.constructed || depth > MAX_DEPTH {
            return None;
        }
        for c in self.children().ok()? {
            if c.tag == tag {
                return Some(c);
            }
            if let Some(f) = c.find_at_depth(tag, depth + 1) {
                return Some(f);
            }
        }
        None
    }

    /// An unsigned INTEGER value (at most 8 significant bytes).
    pub fn as_u64(&self) -> Option<u64> {
        let v = self.value;
        let v = match v.iter().position(|b| *b != 0) {
            Some(i) => &v[i..],
            None => return (!v.is_empty()).then_some(0),
        };
        if v.len() > 8 || self.value.first().is_some_and(|b| b & 0x80 != 0) {
            return None;
        }
        Some(v.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
}

#[cfg(test)]
mod tests;
