//! A Server-Sent Events parser (the subset `GET /v1/events` uses): fed the body in chunks as
//! they arrive, it gives back whole messages (`event:`, `id:`, `data:`), ignoring comments
//! (keep-alives). Bounded: a line longer than `MAX_LINE` is an error, never a growing buffer.

/// Longest line accepted (a snapshot with many readers stays far below).
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// One message of the stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseMessage {
    /// `event:` (`message` when absent, as the SSE specification says).
    pub event: String,
    pub id: Option<String>,
    /// The `data:` lines joined by `\n`.
    pub data: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SseError {
    #[error("ligne d'événement trop longue (plus de {MAX_LINE} octets)")]
    LineTooLong,
}

/// The incremental parser.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The previous chunk ended on `\r`: a `\n` starting the next one belongs to it.
    after_cr: bool,
    event: Option<String>,
    id: Option<String>,
    data: Option<String>,
}

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// Feeds a chunk of the body; returns the messages it completes, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseMessage>, SseError> {
        let mut out = Vec::new();
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(message) = self.end_of_line(&String::from_utf8_lossy(&line)) {
                        out.push(message);
                    }
                }
                _ => {
                    if self.line.len() >= MAX_LINE {
                        return Err(SseError::LineTooLong);
                    }
                    self.line.push(byte);
                }
            }
        }
        Ok(out)
    }

    fn end_of_line(&mut self, line: &str) -> Option<SseMessage> {
        if line.is_empty() {
            let data = self.data.take();
            let event = self.event.take();
            let id = self.id.take();
            // A message without data is not dispatched (SSE specification).
            return data.map(|data| SseMessage {
                event: event.unwrap_or_else(|| "message".to_string()),
                id,
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "id" => self.id = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<SseMessage> {
        let mut parser = SseParser::new();
        chunks
            .iter()
            .flat_map(|c| parser.feed(c).unwrap())
            .collect()
    }

    #[test]
    fn messages_are_cut_at_blank_lines_whatever_the_chunks() {
        let body = b": keep-alive\n\nevent: snapshot\nid: 7\ndata: {\"a\":\ndata: 1}\n\n\
                     event: card_removed\r\nid: 8\r\ndata: {}\r\n\r\n";
        let whole = all(&[body]);
        assert_eq!(
            whole,
            vec![
                SseMessage {
                    event: "snapshot".into(),
                    id: Some("7".into()),
                    data: "{\"a\":\n1}".into()
                },
                SseMessage {
                    event: "card_removed".into(),
                    id: Some("8".into()),
                    data: "{}".into()
                },
            ]
        );
        // Byte by byte, \r and \n split across chunks: the same messages.
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(all(&bytes), whole);
    }

    #[test]
    fn a_message_without_data_or_event_name_follows_the_specification() {
        let got = all(&[b"event: lonely\n\ndata: x\n\n"]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].event, "message");
        assert_eq!(got[0].data, "x");
    }

    #[test]
    fn an_endless_line_is_refused() {
        let mut parser = SseParser::new();
        let chunk = vec![b'a'; 64 * 1024];
        let mut result = Ok(Vec::new());
        for _ in 0..=(MAX_LINE / chunk.len()) {
            result = parser.feed(&chunk);
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result, Err(SseError::LineTooLong));
    }
}
