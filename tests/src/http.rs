//! Local HTTP and HTTPS servers for the tests of what the agent fetches (CRLs, FINESS
//! extracts, the data.gouv.fr dataset API), and an HTTP proxy. Real sockets on 127.0.0.1,
//! real TLS (rustls, ring) with a CA of their own (`TestTls`), which the agent is told to
//! trust through its configuration (`[network] ca_files`). Each path answers as the test says
//! (`Reply`): a file with ETag/Last-Modified (and 304 to a conditional request), an HTTP
//! status, a delay, a truncated or endless body, a slow trickle, or no answer at all. Every
//! request is recorded.
//!
//! The servers run on their own thread and runtime: tests need not be async. Dropped, they
//! stop.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// How a path answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 200 with this body; 304 to a request whose `If-None-Match` is `etag` or whose
    /// `If-Modified-Since` is `last_modified`.
    File {
        body: Arc<Vec<u8>>,
        content_type: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// This status, empty body.
    Status(u16),
    /// The request is read, and nothing is ever answered (until the server stops).
    Hang,
    /// 200, the body sent `chunk` bytes at a time with `pause` between.
    Slow {
        body: Arc<Vec<u8>>,
        chunk: usize,
        pause: Duration,
    },
    /// 200 announcing `declared` bytes, then only `body` and the connection closes.
    Truncated { body: Arc<Vec<u8>>, declared: u64 },
    /// 200 announcing `declared` bytes and sending zeros until the client gives up.
    Endless { declared: u64 },
    /// The reply, after a pause.
    After(Duration, Box<Reply>),
}

impl Reply {
    /// A file, with an ETag and a Last-Modified of its own.
    pub fn file(body: Vec<u8>, content_type: &str) -> Reply {
        let tag = ring::digest::digest(&ring::digest::SHA256, &body);
        Reply::File {
            etag: Some(format!("\"{}\"", hex::encode(&tag.as_ref()[..8]))),
            last_modified: Some("Tue, 12 May 2026 08:00:00 GMT".into()),
            body: Arc::new(body),
            content_type: content_type.into(),
        }
    }

    /// A JSON document (no validators).
    pub fn json(value: &serde_json::Value) -> Reply {
        Reply::File {
            body: Arc::new(value.to_string().into_bytes()),
            content_type: "application/json".into(),
            etag: None,
            last_modified: None,
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (a path, or an absolute URL through a proxy).
    pub target: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A CA and a server certificate for 127.0.0.1 and localhost, made for one test run.
pub struct TestTls {
    /// The CA certificate (PEM): what the agent is told to trust.
    pub ca_pem: String,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

impl TestTls {
    pub fn new() -> TestTls {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().expect("test CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("test CA params");
        ca.distinguished_name.push(
            DnType::CommonName,
            "AC de test des serveurs HTTPS cpx-testkit",
        );
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("test CA certificate");
        let key = KeyPair::generate().expect("test server key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("test server params");
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let cert = params
            .signed_by(&key, &ca_cert, &ca_key)
            .expect("test server certificate");
        TestTls {
            ca_pem: ca_cert.pem(),
            server_chain: vec![cert.der().clone()],
            server_key: key.serialize_der(),
        }
    }

    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .expect("test server TLS configuration");
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }

    /// Writes the CA certificate to `path` (for `[network] ca_files`).
    pub fn write_ca(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, &self.ca_pem)
    }
}

impl Default for TestTls {
    fn default() -> Self {
        Self::new()
    }
}

type Routes = Arc<Mutex<HashMap<String, Reply>>>;
type Log = Arc<Mutex<Vec<Request>>>;

/// An HTTP or HTTPS server on 127.0.0.1.
pub struct TestServer {
    addr: SocketAddr,
    https: bool,
    routes: Routes,
    log: Log,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// A plain HTTP server.
    pub fn http() -> TestServer {
        Self::start(None)
    }

    /// An HTTPS server with `tls`'s certificate.
    pub fn https(tls: &TestTls) -> TestServer {
        Self::start(Some(tls.acceptor()))
    }

    fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> TestServer {
        let routes: Routes = Arc::default();
        let log: Log = Arc::default();
        let (stop, stopped) = watch::channel(false);
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind a test server on loopback");
        std_listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = std_listener.local_addr().expect("test server address");
        let https = tls.is_some();
        let (r, l) = (routes.clone(), log.clone());
        let thread = std::thread::Builder::new()
            .name("cpx-test-http".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("test server runtime");
                runtime.block_on(serve(std_listener, tls, r, l, stopped));
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .expect("test server thread");
        TestServer {
            addr,
            https,
            routes,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http(s)://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// `http(s)://localhost:PORT/path` (a name, for proxy and certificate name tests).
    pub fn url_by_name(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://localhost:{}{path}", self.addr.port())
    }

    /// How `path` answers from now on (unknown paths: 404).
    pub fn set(&self, path: &str, reply: Reply) {
        lock(&self.routes).insert(path.to_string(), reply);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.log).clone()
    }

    /// Requests for `path` so far.
    pub fn requests_for(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn serve(
    listener: std::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    routes: Routes,
    log: Log,
    mut stopped: watch::Receiver<bool>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let (routes, log, tls, stopped) =
                    (routes.clone(), log.clone(), tls.clone(), stopped.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                connection(stream, routes, log, stopped).await;
                            }
                        }
                        None => connection(stream, routes, log, stopped).await,
                    }
                });
            }
        }
    }
}

/// Reads one request head (up to the blank line), at most 64 KiB.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Request> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() > 64 * 1024 || stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let path = match target.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or("/".to_string(), |i| rest[i..].to_string()),
        None => target.clone(),
    };
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Request {
        method,
        target,
        path,
        headers,
    })
}

async fn connection<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    routes: Routes,
    log: Log,
    mut stopped: watch::Receiver<bool>,
) {
    let Some(request) = read_head(&mut stream).await else {
        return;
    };
    lock(&log).push(request.clone());
    let path_only = request.path.split('?').next().unwrap_or("").to_string();
    let reply = {
        let routes = lock(&routes);
        routes
            .get(&request.path)
            .or_else(|| routes.get(&path_only))
            .cloned()
    };
    let mut reply = reply.unwrap_or(Reply::Status(404));
    while let Reply::After(pause, inner) = reply {
        tokio::select! {
            _ = tokio::time::sleep(pause) => reply = *inner,
            _ = stopped.changed() => return,
        }
    }
    let head = |status: &str, extra: &str, len: u64| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n")
    };
    match reply {
        Reply::File {
            body,
            content_type,
            etag,
            last_modified,
        } => {
            // RFC 9110 §13.2.2: If-None-Match, when sent, decides alone.
            let fresh = match request.header("if-none-match") {
                Some(sent) => etag.as_deref() == Some(sent),
                None => last_modified
                    .as_deref()
                    .is_some_and(|l| request.header("if-modified-since") == Some(l)),
            };
            let mut extra = String::new();
            if let Some(e) = &etag {
                extra.push_str(&format!("ETag: {e}\r\n"));
            }
            if let Some(l) = &last_modified {
                extra.push_str(&format!("Last-Modified: {l}\r\n"));
            }
            if fresh {
                let _ = stream
                    .write_all(head("304 Not Modified", &extra, 0).as_bytes())
                    .await;
            } else {
                extra.push_str(&format!("Content-Type: {content_type}\r\n"));
                let _ = stream
                    .write_all(head("200 OK", &extra, body.len() as u64).as_bytes())
                    .await;
                if request.method != "HEAD" {
                    let _ = stream.write_all(&body).await;
                }
            }
        }
        Reply::Status(code) => {
            let _ = stream
                .write_all(head(&format!("{code} Test"), "", 0).as_bytes())
                .await;
        }
        Reply::Hang => {
            let _ = stopped.changed().await;
            return;
        }
        Reply::Slow { body, chunk, pause } => {
            let _ = stream
                .write_all(head("200 OK", "", body.len() as u64).as_bytes())
                .await;
            for part in body.chunks(chunk.max(1)) {
                if stream.write_all(part).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stopped.changed() => return,
                }
            }
        }
        Reply::Truncated { body, declared } => {
            let _ = stream
                .write_all(head("200 OK", "", declared).as_bytes())
                .await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Endless { declared } => {
            let _ = stream
                .write_all(head("200 OK", "", declared).as_bytes())
                .await;
            let zeros = vec![0u8; 64 * 1024];
            loop {
                if stream.write_all(&zeros).await.is_err() || *stopped.borrow() {
                    return;
                }
            }
        }
        Reply::After(..) => {}
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

/// An HTTP proxy on 127.0.0.1: absolute-form requests (plain HTTP) are forwarded, CONNECT
/// opens a tunnel (HTTPS). Every request it is asked is recorded (`CONNECT host:port` or the
/// absolute URL).
pub struct TestProxy {
    addr: SocketAddr,
    log: Log,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestProxy {
    pub fn start() -> TestProxy {
        let log: Log = Arc::default();
        let (stop, stopped) = watch::channel(false);
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        std_listener
            .set_nonblocking(true)
            .expect("non-blocking proxy");
        let addr = std_listener.local_addr().expect("proxy address");
        let l = log.clone();
        let thread = std::thread::Builder::new()
            .name("cpx-test-proxy".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                runtime.block_on(proxy(std_listener, l, stopped));
                runtime.shutdown_timeout(Duration::from_millis(100));
            })
            .expect("proxy thread");
        TestProxy {
            addr,
            log,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` (for `HTTP_PROXY` / `HTTPS_PROXY`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.log).clone()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn proxy(listener: std::net::TcpListener, log: Log, mut stopped: watch::Receiver<bool>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let log = log.clone();
                tokio::spawn(proxy_connection(stream, log));
            }
        }
    }
}

async fn proxy_connection(mut client: TcpStream, log: Log) {
    let Some(request) = read_head(&mut client).await else {
        return;
    };
    lock(&log).push(request.clone());
    if request.method == "CONNECT" {
        let Ok(mut upstream) = TcpStream::connect(&request.target).await else {
            let _ = client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                .await;
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }
    // Absolute form: http://host:port/path
    let Some(rest) = request.target.strip_prefix("http://") else {
        let _ = client
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    let host = rest.split('/').next().unwrap_or("").to_string();
    let Ok(mut upstream) = TcpStream::connect(&host).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (name, value) in &request.headers {
        if name != "proxy-connection" && name != "connection" {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    if upstream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let _ = tokio::io::copy(&mut upstream, &mut client).await;
    let _ = client.shutdown().await;
}
