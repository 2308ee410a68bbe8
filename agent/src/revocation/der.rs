//! Reading DER from a file without loading it: the header of one element (tag and definite
//! length) and its value when it is small. A national CRL is tens of megabytes; only its
//! small parts (names, dates, one entry at a time) are ever in memory.

use std::io::{self, Read, Seek, SeekFrom};

/// One element's header, where it starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub tag: u8,
    /// Offset of the element (its tag byte) in the file.
    pub offset: u64,
    /// Tag and length bytes.
    pub header_len: u64,
    /// Value bytes.
    pub len: u64,
}

impl Header {
    /// Offset of the first value byte.
    pub fn value_offset(&self) -> u64 {
        self.offset + self.header_len
    }

    /// Offset just after the element.
    pub fn end(&self) -> u64 {
        self.offset + self.header_len + self.len
    }
}

/// Why the bytes are not the DER expected.
#[derive(Debug, thiserror::Error)]
pub enum DerError {
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The file ends inside an element.
    #[error("truncated")]
    Truncated,
    /// Indefinite or over-long length, high tag number: not DER as a CRL uses it.
    #[error("malformed DER at offset {0}")]
    Malformed(u64),
    /// An element that should be small is not.
    #[error("element of {0} bytes at offset {1} is too large")]
    TooLarge(u64, u64),
}

/// A file read as DER, with its size.
pub struct DerFile<R> {
    inner: R,
    size: u64,
}

impl<R: Read + Seek> DerFile<R> {
    pub fn new(mut inner: R) -> io::Result<Self> {
        let size = inner.seek(SeekFrom::End(0))?;
        inner.seek(SeekFrom::Start(0))?;
        Ok(DerFile { inner, size })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn inner(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The header of the element at `offset`; it must end within `limit`.
    pub fn header_at(&mut self, offset: u64, limit: u64) -> Result<Header, DerError> {
        if offset >= limit.min(self.size) {
            return Err(DerError::Truncated);
        }
        self.inner.seek(SeekFrom::Start(offset))?;
        let mut first = [0u8; 2];
        self.read_exact(&mut first)?;
        let tag = first[0];
        // High tag numbers (0x1F) never occur in a CRL.
        if tag & 0x1F == 0x1F {
            return Err(DerError::Malformed(offset));
        }
        let (len, header_len) = if first[1] < 0x80 {
            (u64::from(first[1]), 2)
        } else {
            let n = usize::from(first[1] & 0x7F);
            // 0x80 is BER's indefinite length; more than 8 length bytes cannot be a file.
            if n == 0 || n > 8 {
                return Err(DerError::Malformed(offset));
            }
            let mut bytes = [0u8; 8];
            self.read_exact(&mut bytes[8 - n..])?;
            (u64::from_be_bytes(bytes), 2 + n as u64)
        };
        let header = Header {
            tag,
            offset,
            header_len,
            len,
        };
        let end = offset
            .checked_add(header_len)
            .and_then(|v| v.checked_add(len))
            .ok_or(DerError::Malformed(offset))?;
        if end > limit.min(self.size) {
            return Err(DerError::Truncated);
        }
        Ok(header)
    }

    /// The whole element (header and value) described by `h`, at most `max` bytes.
    pub fn element(&mut self, h: &Header, max: u64) -> Result<Vec<u8>, DerError> {
        let total = h.header_len + h.len;
        if total > max {
            return Err(DerError::TooLarge(total, h.offset));
        }
        self.bytes(h.offset, total)
    }

    /// The value of the element described by `h`, at most `max` bytes.
    pub fn value(&mut self, h: &Header, max: u64) -> Result<Vec<u8>, DerError> {
        if h.len > max {
            return Err(DerError::TooLarge(h.len, h.offset));
        }
        self.bytes(h.value_offset(), h.len)
    }

    fn bytes(&mut self, offset: u64, n: u64) -> Result<Vec<u8>, DerError> {
        self.inner.seek(SeekFrom::Start(offset))?;
        let n = usize::try_from(n).map_err(|_| DerError::TooLarge(n, offset))?;
        let mut out = vec![0u8; n];
        self.read_exact(&mut out)?;
        Ok(out)
    }

    /// Feeds `n` bytes from `offset` to `sink`, 64 KiB at a time.
    pub fn stream(
        &mut self,
        offset: u64,
        n: u64,
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), DerError> {
        self.inner.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut left = n;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            self.read_exact(&mut buf[..want])?;
            sink(&buf[..want]);
            left -= want as u64;
        }
        Ok(())
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), DerError> {
        self.inner.read_exact(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                DerError::Truncated
            } else {
                DerError::Io(e)
            }
        })
    }
}

/// The elements of a small DER value held in memory: `(tag, value)` pairs, top level only.
pub fn children(mut value: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let tag = *value.first()?;
        let first_len = *value.get(1)?;
        let (len, header) = if first_len < 0x80 {
            (usize::from(first_len), 2)
        } else {
            let n = usize::from(first_len & 0x7F);
            if n == 0 || n > 4 {
                return None;
            }
            let mut len = 0usize;
            for b in value.get(2..2 + n)? {
                len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
            }
            (len, 2 + n)
        };
        let body = value.get(header..header.checked_add(len)?)?;
        out.push((tag, body));
        value = &value[header + len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn headers_short_and_long() {
        let mut bytes = vec![0x30, 0x82, 0x01, 0x00];
        bytes.extend(vec![0u8; 256]);
        let mut f = DerFile::new(Cursor::new(bytes)).unwrap();
        let h = f.header_at(0, u64::MAX).unwrap();
        assert_eq!((h.tag, h.header_len, h.len, h.end()), (0x30, 4, 256, 260));
        let inner = f.header_at(4, h.end()).unwrap();
        assert_eq!((inner.tag, inner.len), (0x00, 0));
    }

    #[test]
    fn refuses_what_is_not_der() {
        for bad in [
            vec![0x30, 0x80, 0x00, 0x00],       // indefinite length
            vec![0x30, 0x05, 0x01],             // truncated
            vec![0x1F, 0x01, 0x00],             // high tag number
            vec![0x30, 0x89, 1, 2, 3, 4, 5, 6], // 9 length bytes
            vec![0x30],                         // no length
        ] {
            let mut f = DerFile::new(Cursor::new(bad.clone())).unwrap();
            assert!(f.header_at(0, u64::MAX).is_err(), "{bad:02X?}");
        }
        let mut f = DerFile::new(Cursor::new(vec![0x04, 0x03, 1, 2, 3])).unwrap();
        let h = f.header_at(0, u64::MAX).unwrap();
        assert!(matches!(f.value(&h, 2), Err(DerError::TooLarge(3, 0))));
        assert_eq!(f.value(&h, 3).unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn children_of_a_value() {
        assert_eq!(
            children(&[0x80, 0x01, 0xFF, 0x84, 0x00]),
            Some(vec![(0x80, &[0xFF][..]), (0x84, &[][..])])
        );
        assert_eq!(children(&[0x80, 0x05, 0x00]), None);
    }
}
