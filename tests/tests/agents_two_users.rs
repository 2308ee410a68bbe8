//! End to end (issue 12 §4): two users' agents side by side on one machine, as two uids
//! (`setpriv`), each with its own home and runtime directory and no configuration. Each agent
//! takes the first port free from 8787 and writes it to `$XDG_RUNTIME_DIR/cpx-agent/port`;
//! each user's `cpx-agent port`, `cpx-agent open` and tray find their own agent there (the
//! trays are started before the agents: they wait for the port file); neither user's token
//! opens the other's agent; a configured port wins, and fails clearly when taken.
//!
//! Needs root (to run as other uids), `setpriv` (util-linux), `dbus-daemon`, `gdbus` and
//! `libnss-wrapper` (the two users exist only in the test's own passwd file: dbus-daemon
//! wants its user to have an entry, and nothing is added to the machine's accounts).

mod daemon_support;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use daemon_support::{agent_binary, raw_request, status_code, WAIT};

/// uids no account of the machine uses; the test's passwd file (nss_wrapper) names them.
const UIDS: [u32; 2] = [64_871, 64_872];
/// nss_wrapper (package libnss-wrapper): accounts from files, for the programs it is loaded in.
const NSS_WRAPPER: &str = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so";

/// One user: a uid, a home and a runtime directory (0700, theirs), a copy of the binary
/// they can run.
struct User {
    uid: u32,
    home: PathBuf,
    runtime: PathBuf,
    binary: PathBuf,
    /// The test's passwd and group files.
    accounts: (PathBuf, PathBuf),
}

/// The passwd and group files naming the test's users (readable by them).
fn accounts(base: &Path) -> (PathBuf, PathBuf) {
    let passwd = base.join("passwd");
    let group = base.join("group");
    let mut users = String::from("root:x:0:0:root:/root:/bin/sh\n");
    let mut groups = String::from("root:x:0:\n");
    for uid in UIDS {
        let home = base.join(format!("user-{uid}/home"));
        users.push_str(&format!(
            "cpx{uid}:x:{uid}:{uid}:cpx-agent test:{}:/bin/sh\n",
            home.display()
        ));
        groups.push_str(&format!("cpx{uid}:x:{uid}:\n"));
    }
    std::fs::write(&passwd, users).unwrap();
    std::fs::write(&group, groups).unwrap();
    for file in [&passwd, &group] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    (passwd, group)
}

impl User {
    fn new(base: &Path, uid: u32, binary: &Path) -> User {
        let root = base.join(format!("user-{uid}"));
        let home = root.join("home");
        let runtime = root.join("run");
        for dir in [&root, &home, &runtime] {
            std::fs::create_dir_all(dir).unwrap();
            std::os::unix::fs::chown(dir, Some(uid), Some(uid)).unwrap();
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        User {
            uid,
            home,
            runtime,
            binary: binary.to_owned(),
            accounts: (base.join("passwd"), base.join("group")),
        }
    }

    /// `program args…` as this user, in their environment only.
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new("setpriv");
        command
            .arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.uid))
            .args(["--clear-groups", "--"])
            .arg(program)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            // No PC/SC for these users: the agents serve their API all the same.
            .env("PCSCLITE_CSOCK_NAME", self.home.join("no-pcscd.comm"))
            .env("CPX_LOG", "info")
            .env("LD_PRELOAD", NSS_WRAPPER)
            .env("NSS_WRAPPER_PASSWD", &self.accounts.0)
            .env("NSS_WRAPPER_GROUP", &self.accounts.1)
            .current_dir(&self.home)
            .stdin(Stdio::null());
        command
    }

    fn agent(&self, args: &[&str]) -> Command {
        let mut command = self.command(&self.binary);
        command.args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.agent(args).output().unwrap()
    }

    fn start_agent(&self) -> Child {
        let log = std::fs::File::create(self.home.join("agent.log")).unwrap();
        std::os::unix::fs::chown(self.home.join("agent.log"), Some(self.uid), None).unwrap();
        self.agent(&["run"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("agent.log")).unwrap_or_default()
    }

    fn port_file(&self) -> PathBuf {
        self.runtime.join("cpx-agent/port")
    }

    /// Waits for the agent's port file; returns the port.
    fn wait_port(&self, agent: &mut Child) -> u16 {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(text) = std::fs::read_to_string(self.port_file()) {
                let port = text
                    .lines()
                    .find_map(|l| l.strip_prefix("port="))
                    .and_then(|p| p.parse().ok());
                if let Some(port) = port {
                    assert!(
                        text.contains(&format!("pid={}", agent_pid(agent))),
                        "{text}"
                    );
                    return port;
                }
            }
            if let Some(status) = agent.try_wait().unwrap() {
                panic!("agent of {} exited {status}: {}", self.uid, self.log());
            }
            assert!(Instant::now() < deadline, "no port file: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The pid of the agent itself (setpriv execs it: same pid).
fn agent_pid(child: &Child) -> u32 {
    child.id()
}

/// A user's private session bus, their tray on it, read with their gdbus.
struct Desktop {
    bus: Child,
    tray: Option<Child>,
    address: String,
}

impl Desktop {
    fn start(user: &User) -> Desktop {
        let socket = user.runtime.join("bus");
        let mut bus = user
            .command(Path::new("/usr/bin/dbus-daemon"))
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus)");
        let mut line = String::new();
        if let Some(out) = bus.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "{address:?}");
        let tray = user
            .agent(&["tray"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Desktop {
            bus,
            tray: Some(tray),
            address,
        }
    }

    /// The tray's ToolTip, read as its user.
    fn tooltip(&self, user: &User) -> Option<String> {
        let tray = self.tray.as_ref()?;
        let out = user
            .command(Path::new("/usr/bin/gdbus"))
            .args(["call", "--address", &self.address, "--dest"])
            .arg(format!("org.kde.StatusNotifierItem-{}-1", tray.id()))
            .args([
                "--object-path",
                "/StatusNotifierItem",
                "--method",
                "org.freedesktop.DBus.Properties.Get",
                "--",
                "org.kde.StatusNotifierItem",
                "ToolTip",
            ])
            .output()
            .expect("gdbus (package libglib2.0-bin)");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn wait_tooltip(&self, user: &User, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = None;
        while Instant::now() < deadline {
            last = self.tooltip(user);
            if last.as_deref().is_some_and(&ok) {
                return last.unwrap_or_default();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("tray of {}: never {what}; last tooltip {last:?}", user.uid);
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        for child in self.tray.iter_mut().chain([&mut self.bus]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn stop(child: &mut Child) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let _ = child.wait();
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn two_users_two_agents_each_client_finds_its_own() {
    // Other users cannot reach the test's /tmp (0700) or, on a clone under /root, the binary:
    // a base they can traverse, and a copy of the binary (named cpx-agent: the port file's
    // pid is trusted only for a process of that name).
    let base = tempfile::Builder::new()
        .prefix("cpx-two-users-")
        .tempdir_in("/var/tmp")
        .unwrap();
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let bin_dir = base.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::fs::set_permissions(&bin_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let binary = bin_dir.join("cpx-agent");
    std::fs::copy(agent_binary(), &binary).unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        Path::new(NSS_WRAPPER).exists(),
        "{NSS_WRAPPER} (package libnss-wrapper) is needed: tests/run installs it"
    );
    accounts(base.path());
    let users = UIDS.map(|uid| User::new(base.path(), uid, &binary));

    // Before any agent: nothing to find, and the clients say so.
    let none = users[0].run(&["port"]);
    assert_eq!(none.status.code(), Some(1), "{}", text(&none));
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("ne tourne pas"),
        "{}",
        text(&none)
    );
    // The trays start first (as at login) and wait for their agent's port file.
    let desktops = [Desktop::start(&users[0]), Desktop::start(&users[1])];
    for (desktop, user) in desktops.iter().zip(&users) {
        desktop.wait_tooltip(user, "waiting for its agent", |t| {
            t.contains("port de l'agent pas encore connu")
        });
    }

    let mut agents = [users[0].start_agent(), users[1].start_agent()];
    let ports = [
        users[0].wait_port(&mut agents[0]),
        users[1].wait_port(&mut agents[1]),
    ];
    println!("ports: {ports:?}");
    assert_ne!(ports[0], ports[1], "one port per user");
    assert!(ports.iter().all(|p| *p >= 8787), "{ports:?}");

    for (i, user) in users.iter().enumerate() {
        let port = ports[i];
        // `cpx-agent port` prints its own agent's port.
        let out = user.run(&["port"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            port.to_string()
        );

        // `cpx-agent open` asks its own agent, whose link opens a session.
        let out = user.run(&["open", "--print"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let prefix = format!("http://127.0.0.1:{port}/session?code=");
        let link = stdout
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("a link on port {port}: {stdout}"));
        let path = &link[link.find("/session").unwrap()..];
        let addr = format!("127.0.0.1:{port}").parse().unwrap();
        let answer = raw_request(
            addr,
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(status_code(&answer), 303, "{answer}");
        assert!(answer.contains(&format!("cpx_session_{port}=")), "{answer}");

        // The other user's agent refuses this user's token.
        let other = ports[1 - i];
        let out = user.run(&["open", "--print", "--listen", &format!("127.0.0.1:{other}")]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("refuse le jeton"),
            "{}",
            text(&out)
        );
    }

    // Each tray found its own agent (no PC/SC for these users: the agent says so).
    for (desktop, user) in desktops.iter().zip(&users) {
        desktop.wait_tooltip(user, "connected to its agent", |t| {
            !t.contains("pas encore connu") && !t.contains("injoignable")
        });
    }
    // The second user's agent stops: their tray shows it, on their port; the first user's
    // tray stays with its agent.
    stop(&mut agents[1]);
    assert!(
        !users[1].port_file().exists(),
        "the port file goes with its agent"
    );
    desktops[1].wait_tooltip(&users[1], "showing its agent gone", |t| {
        t.contains("injoignable")
    });
    std::thread::sleep(Duration::from_millis(500));
    let first = desktops[0].tooltip(&users[0]).unwrap_or_default();
    assert!(!first.contains("injoignable"), "{first}");
    let out = users[1].run(&["port"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // A configured port wins, and fails clearly when taken (here by the first user's agent).
    let config = users[1].home.join(".config/cpx-agent");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("[api]\nlisten = \"127.0.0.1:{}\"\n", ports[0]),
    )
    .unwrap();
    for dir in [
        users[1].home.join(".config"),
        config.clone(),
        config.join("config.toml"),
    ] {
        std::os::unix::fs::chown(&dir, Some(users[1].uid), Some(users[1].uid)).unwrap();
    }
    let out = users[1].run(&["port"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        ports[0].to_string(),
        "the configured port: {}",
        text(&out)
    );
    let mut refused = users[1].start_agent();
    let status = refused.wait().unwrap();
    let log = users[1].log();
    assert_eq!(status.code(), Some(4), "{log}");
    assert!(log.contains(&format!("127.0.0.1:{}", ports[0])), "{log}");
    assert!(log.contains("déjà utilisé"), "{log}");

    stop(&mut agents[0]);
    drop(desktops);
}
