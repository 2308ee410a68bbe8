//! Text decoding of the open-data files: UTF-8 in recent files, Latin-1/Windows-1252 in older
//! ones, sometimes with a byte order mark. Each field is decoded on its own: UTF-8 when it is
//! valid UTF-8, else Windows-1252 (which never fails).

use std::borrow::Cow;
use std::io::{self, BufRead};

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes one field: UTF-8 if valid, else Windows-1252.
pub fn field(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// A decoded, trimmed field; `None` when empty.
pub fn opt_field(bytes: &[u8]) -> Option<String> {
    let s = field(bytes);
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}

/// Consumes a UTF-8 BOM at the start of a reader, if there is one.
pub fn skip_bom<R: BufRead>(reader: &mut R) -> io::Result<()> {
    let buf = reader.fill_buf()?;
    if buf.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
