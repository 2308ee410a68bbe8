//! A private pcscd with virtual vpcd readers, in its own mount namespace, for one test.
//!
//! pcscd ignores `PCSCLITE_CSOCK_NAME` (only clients read it) and always binds
//! /run/pcscd/pcscd.comm, so it runs under `unshare -m` with a private directory bind-mounted
//! on /run/pcscd; clients use `PCSCLITE_CSOCK_NAME=<dir>/run/pcscd.comm`. Each vpcd entry of
//! its reader configuration gives two reader slots (ports P and P+1); entries after the first
//! load their own copy of libifdvpcd.so (a driver library is loaded once per path).
//!
//! Caveat for in-process clients: libpcsclite reads `PCSCLITE_CSOCK_NAME` once per process
//! (it caches the socket name). A test process that talks PC/SC itself can use one private
//! pcscd only (the first it connects to); programs started as child processes (the agent,
//! pkcs15-tool) get the variable through their environment and have no such limit.

use crate::card::SmartCard;
use crate::vpcd::{self, InsertOptions, InsertedCard};
use std::fs;
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// vpcd driver shipped by Debian's vsmartcard-vpcd.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// Environment variable clients read to find pcscd's socket.
pub const SOCKET_ENV: &str = "PCSCLITE_CSOCK_NAME";
/// At most 8 readers (pcscd allows 16 reader contexts; vpcd slots come in pairs).
pub const MAX_READERS: usize = 8;

/// A virtual reader: the name pcscd gives it and the vpcd port a card connects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualReader {
    pub name: String,
    pub port: u16,
}

/// A running private pcscd. Dropping it kills pcscd and removes its directory.
pub struct PrivatePcscd {
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// Kills pcscd and removes the directory if this process dies without dropping us (a
    /// `static` in a test binary is never dropped).
    watchdog: Option<Child>,
    readers: Vec<VirtualReader>,
    /// All slots pcscd shows (an odd count asked for gets one more, empty, reader).
    all_readers: Vec<VirtualReader>,
}

/// Reader friendly-name prefix; pcscd appends ` 00 00` / ` 00 01` (reader index, slot).
const NAME_PREFIX: &str = "CPX Virtual";

fn port_pair_free(p: u16) -> Option<(TcpListener, TcpListener)> {
    let a = TcpListener::bind(("0.0.0.0", p)).ok()?;
    let b = TcpListener::bind(("0.0.0.0", p.checked_add(1)?)).ok()?;
    Some((a, b))
}

/// Picks `pairs` pairs of consecutive free ports (vpcd binds every interface).
fn free_port_pairs(pairs: usize) -> io::Result<Vec<u16>> {
    let mut out = Vec::new();
    let mut held = Vec::new();
    for _ in 0..200 {
        if out.len() == pairs {
            break;
        }
        let probe = TcpListener::bind(("0.0.0.0", 0))?;
        let p = probe.local_addr()?.port();
        drop(probe);
        // Linux hands out odd ports to bind(0): the pair is (p, p+1), any parity.
        if p > 65000 {
            continue;
        }
        if let Some(pair) = port_pair_free(p) {
            out.push(p);
            held.push(pair);
        }
    }
    if out.len() < pairs {
        return Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            "no free port pairs for vpcd",
        ));
    }
    Ok(out)
}

/// Socket inodes of the TCP ports a process listens on (from /proc).
fn listening_ports(pid: u32) -> Vec<u16> {
    let mut inodes = Vec::new();
    if let Ok(rd) = fs::read_dir(format!("/proc/{pid}/fd")) {
        for e in rd.flatten() {
            if let Ok(t) = fs::read_link(e.path()) {
                let t = t.to_string_lossy().to_string();
                if let Some(i) = t.strip_prefix("socket:[").and_then(|s| s.strip_suffix(']')) {
                    inodes.push(i.to_string());
                }
            }
        }
    }
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // local_address st ... inode (index 9); st 0A = LISTEN
            if f.len() > 9 && f[3] == "0A" && inodes.iter().any(|i| i == f[9]) {
                if let Some(port) = f[1]
                    .rsplit(':')
                    .next()
                    .and_then(|h| u16::from_str_radix(h, 16).ok())
                {
                    ports.push(port);
                }
            }
        }
    }
    ports
}

impl PrivatePcscd {
    /// Starts pcscd with `n_readers` virtual readers (0..=8; 0: a PC/SC service that sees no
    /// reader) and waits until it is ready.
    pub fn start(n_readers: usize) -> io::Result<PrivatePcscd> {
        if n_readers > MAX_READERS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("between 0 and {MAX_READERS} readers"),
            ));
        }
        let entries = n_readers.div_ceil(2);
        let mut last_err = None;
        // Another process may take a port between our probe and pcscd's bind: retry.
        for _attempt in 0..5 {
            let dir = tempfile::Builder::new().prefix("cpx-pcscd-").tempdir()?;
            for sub in ["run", "conf", "lib"] {
                fs::create_dir_all(dir.path().join(sub))?;
            }
            let ports = free_port_pairs(entries)?;
            let mut conf = String::new();
            let mut all = Vec::new();
            for (i, &port) in ports.iter().enumerate() {
                let lib = if i == 0 {
                    PathBuf::from(VPCD_DRIVER)
                } else {
                    let copy = dir.path().join("lib").join(format!("libifdvpcd{i}.so"));
                    if !copy.exists() {
                        fs::copy(VPCD_DRIVER, &copy)?;
                    }
                    copy
                };
                let friendly = format!("{NAME_PREFIX} {}", i + 1);
                conf.push_str(&format!(
                    "FRIENDLYNAME \"{friendly}\"\nDEVICENAME /dev/null:{port}\nLIBPATH {}\nCHANNELID {port}\n\n",
                    lib.display()
                ));
                for slot in 0..2u16 {
                    all.push(VirtualReader {
                        name: format!("{friendly} 00 {slot:02}"),
                        port: port + slot,
                    });
                }
            }
            fs::write(dir.path().join("conf").join("readers"), conf)?;
            let mut p = PrivatePcscd {
                dir,
                child: None,
                watchdog: None,
                readers: all[..n_readers].to_vec(),
                all_readers: all,
            };
            match p.launch() {
                Ok(()) => return Ok(p),
                Err(e) => {
                    p.kill();
                    last_err = Some(e);
                }
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::other("pcscd did not start")))
    }

    fn launch(&mut self) -> io::Result<()> {
        let run = self.dir.path().join("run");
        let _ = fs::remove_file(run.join("pcscd.comm"));
        let _ = fs::remove_file(run.join("pcscd.pid"));
        fs::create_dir_all("/run/pcscd")?;
        let log = fs::File::create(self.dir.path().join("pcscd.log"))?;
        let script = format!(
            "mount --bind '{}' /run/pcscd && exec pcscd -f -c '{}'",
            run.display(),
            self.dir.path().join("conf").display()
        );
        // unshare -m execs sh which execs pcscd: the child pid is pcscd's.
        let child = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let pid = child.id();
        self.child = Some(child);
        self.start_watchdog(pid)?;
        let want: Vec<u16> = self.all_readers.iter().map(|r| r.port).collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(c) = self.child.as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    return Err(io::Error::other(format!(
                        "pcscd exited ({status}): {}",
                        self.log_text()
                    )));
                }
            }
            let listening = listening_ports(pid);
            if self.socket_path().exists() && want.iter().all(|p| listening.contains(p)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("pcscd not ready: {}", self.log_text()),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn start_watchdog(&mut self, pcscd_pid: u32) -> io::Result<()> {
        self.stop_watchdog();
        let script = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill -TERM {pcscd_pid} 2>/dev/null; \
             sleep 1; kill -KILL {pcscd_pid} 2>/dev/null; rm -rf '{dir}'",
            me = std::process::id(),
            dir = self.dir.path().display()
        );
        let w = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.watchdog = Some(w);
        Ok(())
    }

    fn stop_watchdog(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
    }

    /// pcscd's output (foreground log).
    pub fn log_text(&self) -> String {
        fs::read_to_string(self.dir.path().join("pcscd.log")).unwrap_or_default()
    }

    /// The socket clients connect to.
    pub fn socket_path(&self) -> PathBuf {
        self.dir.path().join("run").join("pcscd.comm")
    }

    /// `(PCSCLITE_CSOCK_NAME, socket path)`, for `Command::env`.
    pub fn env(&self) -> (&'static str, PathBuf) {
        (SOCKET_ENV, self.socket_path())
    }

    /// The readers asked for, in order.
    pub fn readers(&self) -> &[VirtualReader] {
        &self.readers
    }

    /// Every reader pcscd shows (one more than asked for when the count asked was odd).
    pub fn all_readers(&self) -> &[VirtualReader] {
        &self.all_readers
    }

    pub fn port(&self, reader: usize) -> u16 {
        self.readers[reader].port
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// pcscd's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Inserts a card into reader `reader` (index into `readers()`).
    pub fn insert<C: SmartCard + 'static>(
        &self,
        reader: usize,
        card: C,
        opts: InsertOptions,
    ) -> io::Result<InsertedCard> {
        let r = self
            .readers
            .get(reader)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no such reader"))?;
        let mut opts = opts;
        if opts.pcsc_reader.is_none() {
            opts.pcsc_reader = Some(vpcd::PcscReader {
                socket: self.socket_path(),
                name: r.name.clone(),
            });
        }
        vpcd::insert(r.port, card, opts)
    }

    /// Waits until pcscd reports a card present in (or absent from) reader `reader` (index
    /// into `readers()`); false on timeout. Runs `cpx-reader-wait` (a PC/SC client of its own,
    /// so that this works whatever pcscd the test process itself talks to).
    pub fn wait_card(&self, reader: usize, present: bool, timeout: Duration) -> io::Result<bool> {
        let r = self
            .readers
            .get(reader)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no such reader"))?;
        let status = Command::new(crate::bins::find("cpx-reader-wait", "CPX_READER_WAIT")?)
            .arg(&r.name)
            .arg(if present { "present" } else { "absent" })
            .arg(timeout.as_millis().to_string())
            .env(SOCKET_ENV, self.socket_path())
            .stdin(Stdio::null())
            .status()?;
        match status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(io::Error::other("cpx-reader-wait failed")),
        }
    }

    /// Kills pcscd (SIGKILL), as a crash would. Cards connected to it see their connection
    /// close.
    pub fn kill(&mut self) {
        self.stop_watchdog();
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops pcscd cleanly (SIGTERM, then SIGKILL after 3 s).
    pub fn stop(&mut self) {
        self.stop_watchdog();
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill(2) on the pid of our own child process.
            unsafe {
                libc::kill(c.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(3);
            loop {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                if Instant::now() > deadline {
                    let _ = c.kill();
                    let _ = c.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Kills pcscd if it runs and starts it again with the same readers, ports and socket.
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(5);
        // The ports must be free again before pcscd can bind them.
        while !self
            .all_readers
            .chunks(2)
            .all(|pair| port_pair_free(pair[0].port).is_some())
        {
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    "vpcd ports still in use",
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.launch()
    }
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        self.stop();
    }
}
