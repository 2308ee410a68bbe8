//! A minimal blocking HTTP/1.1 client for the testkit's programs (the soak run): keep-alive
//! requests with `Content-Length` or chunked answers, and a Server-Sent Events reader (chunked
//! transfer decoded, events split as the SSE specification says). No TLS, loopback only.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// Reads a status line and headers.
fn read_head<R: BufRead>(r: &mut R) -> io::Result<(u16, Vec<(String, String)>)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(bad("headers cut"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            return Ok((status, headers));
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
}

/// The size line of the next chunk (0: the last).
fn chunk_size<R: BufRead>(r: &mut R) -> io::Result<usize> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended"));
    }
    let hex = line.trim().split(';').next().unwrap_or_default();
    usize::from_str_radix(hex, 16).map_err(|_| bad(format!("chunk size {line:?}")))
}

fn crlf<R: BufRead>(r: &mut R) -> io::Result<()> {
    let mut two = [0u8; 2];
    r.read_exact(&mut two)?;
    if &two != b"\r\n" {
        return Err(bad("chunk not followed by CRLF"));
    }
    Ok(())
}

fn is_chunked(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
}

/// A keep-alive connection.
pub struct Http {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Http {
    pub fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Http> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Http {
            stream: BufReader::new(stream),
            host: addr.to_string(),
        })
    }

    /// One request; `headers` are added to `Host` (and `Content-Length` when there is a body).
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Answer> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(body);
        self.stream.get_mut().write_all(&out)?;
        let (status, headers) = read_head(&mut self.stream)?;
        let body = if is_chunked(&headers) {
            let mut body = Vec::new();
            loop {
                let n = chunk_size(&mut self.stream)?;
                if n == 0 {
                    crlf(&mut self.stream)?;
                    break;
                }
                let start = body.len();
                body.resize(start + n, 0);
                self.stream.read_exact(&mut body[start..])?;
                crlf(&mut self.stream)?;
            }
            body
        } else {
            let length = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            self.stream.read_exact(&mut body)?;
            body
        };
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> io::Result<Answer> {
        self.request("GET", path, headers, &[])
    }
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<u64>,
    /// The `event:` field (`message` when absent).
    pub name: String,
    pub data: String,
}

/// An open event stream.
pub struct SseStream {
    reader: BufReader<TcpStream>,
    /// Answer status and headers.
    pub status: u16,
    pub headers: Vec<(String, String)>,
    chunked: bool,
    /// Bytes left in the current chunk.
    left: usize,
    /// Decoded bytes not yet split into lines.
    buf: Vec<u8>,
    /// A handle to shut the connection from another thread.
    control: TcpStream,
}

impl SseStream {
    /// `GET path` with `headers`; `read_timeout` bounds every wait for data.
    pub fn open(
        addr: SocketAddr,
        path: &str,
        headers: &[(&str, &str)],
        read_timeout: Duration,
    ) -> io::Result<SseStream> {
        let mut stream = TcpStream::connect_timeout(&addr, read_timeout)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(read_timeout))?;
        let mut head =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        let control = stream.try_clone()?;
        let mut reader = BufReader::with_capacity(64 * 1024, stream);
        let (status, headers) = read_head(&mut reader)?;
        Ok(SseStream {
            chunked: is_chunked(&headers),
            reader,
            status,
            headers,
            left: 0,
            buf: Vec::new(),
            control,
        })
    }

    /// A handle that can shut this stream down from another thread.
    pub fn shutdown_handle(&self) -> io::Result<TcpStream> {
        self.control.try_clone()
    }

    pub fn close(&self) {
        let _ = self.control.shutdown(Shutdown::Both);
    }

    /// More decoded bytes into `buf`; `false` at the end of the stream.
    fn fill(&mut self) -> io::Result<bool> {
        if self.chunked && self.left == 0 {
            let n = chunk_size(&mut self.reader)?;
            if n == 0 {
                return Ok(false);
            }
            self.left = n;
        }
        let data = self.reader.fill_buf()?;
        if data.is_empty() {
            return Ok(false);
        }
        let take = if self.chunked {
            data.len().min(self.left)
        } else {
            data.len()
        };
        self.buf.extend_from_slice(&data[..take]);
        self.reader.consume(take);
        if self.chunked {
            self.left -= take;
            if self.left == 0 {
                crlf(&mut self.reader)?;
            }
        }
        Ok(true)
    }

    fn line(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(at) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=at).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// The next event; `None` when the server ended the stream. Comments are skipped.
    pub fn next_event(&mut self) -> io::Result<Option<SseEvent>> {
        let mut event = SseEvent {
            id: None,
            name: String::new(),
            data: String::new(),
        };
        let mut has_data = false;
        loop {
            let Some(line) = self.line()? else {
                return Ok(None);
            };
            if line.is_empty() {
                if has_data || !event.name.is_empty() {
                    if event.name.is_empty() {
                        event.name = "message".into();
                    }
                    return Ok(Some(event));
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => event.name = value.to_owned(),
                "id" => event.id = value.parse().ok(),
                "data" => {
                    if has_data {
                        event.data.push('\n');
                    }
                    event.data.push_str(value);
                    has_data = true;
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A one-shot server writing `answer` to the first connection.
    fn serve(answer: &'static [u8]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            s.write_all(answer).unwrap();
        });
        addr
    }

    #[test]
    fn chunked_events_split_across_chunks() {
        let addr = serve(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n\
              11\r\nevent: snapshot\ni\r\n\
              14\r\nd: 7\ndata: {\"a\":1}\n\n\r\n\
              1e\r\n: keep-alive\n\ndata: x\ndata: y\n\r\n\
              1\r\n\n\r\n\
              0\r\n\r\n",
        );
        let mut sse = SseStream::open(addr, "/v1/events", &[], Duration::from_secs(5)).unwrap();
        assert_eq!(sse.status, 200);
        let first = sse.next_event().unwrap().unwrap();
        assert_eq!(
            first,
            SseEvent {
                id: Some(7),
                name: "snapshot".into(),
                data: "{\"a\":1}".into()
            }
        );
        let second = sse.next_event().unwrap().unwrap();
        assert_eq!(second.name, "message");
        assert_eq!(second.data, "x\ny");
        assert_eq!(sse.next_event().unwrap(), None);
    }

    #[test]
    fn content_length_and_chunked_answers() {
        let addr = serve(
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello\
              HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        );
        let mut http = Http::connect(addr, Duration::from_secs(5)).unwrap();
        let a = http.get("/a", &[]).unwrap();
        assert_eq!((a.status, a.text().as_str()), (200, "hello"));
        let b = http.get("/b", &[("Authorization", "Bearer x")]).unwrap();
        assert_eq!((b.status, b.text().as_str()), (404, "abcde"));
    }
}
