//! A lenient BER-TLV parser for card answers (PKCS#15 ODF/CDF, FCP, EF.DIR): multi-byte tags,
//! long-form lengths, indefinite lengths; never panics, oversized lengths are errors.

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
