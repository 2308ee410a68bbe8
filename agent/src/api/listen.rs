//! Where the agent listens: one port, held on both loopback families (127.0.0.1 and [::1]),
//! so that no other local user can take `[::1]:PORT` and receive the requests (and the token)
//! of a client that reaches the agent by `[::1]` or by a `localhost` resolving to ::1 first.
//! Either both are held or the agent does not start: never a silent half-listen. A machine
//! without an IPv6 loopback (no ::1 to bind, for anyone) is served on 127.0.0.1 only, and the
//! agent then refuses the `[::1]` host name.
//!
//! The port: the configured one (`--listen`, `[api] listen`), which fails clearly when taken;
//! else the first port from 8787 upward free on both families (several users on one machine
//! each get their own; `port_file` tells their clients).

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use crate::port_file::{FIRST_PORT, PORTS_TRIED};

/// The sockets the agent holds.
#[derive(Debug)]
pub struct Listening {
    pub listeners: Vec<TcpListener>,
    pub port: u16,
    /// Whether `[::1]:port` is held (false: the machine has no IPv6 loopback).
    pub ipv6: bool,
}

/// Why the agent cannot listen.
#[derive(Debug)]
pub enum ListenError {
    /// This address is taken by another program (the configured port, on one family).
    Taken(SocketAddr),
    /// The automatic rule found no port free on both families.
    NoFreePort {
        first: u16,
        last: u16,
    },
    NotLoopback(SocketAddr),
    Other {
        addr: SocketAddr,
        source: io::Error,
    },
}

/// Listens on the configured address's port, or on the first free port from 8787.
pub fn listen(configured: Option<SocketAddr>) -> Result<Listening, ListenError> {
    match configured {
        Some(addr) if !addr.ip().is_loopback() => Err(ListenError::NotLoopback(addr)),
        Some(addr) => bind_both(addr.port()),
        None => automatic(FIRST_PORT, PORTS_TRIED),
    }
}

/// The first of `count` ports from `first` free on both families.
pub fn automatic(first: u16, count: u16) -> Result<Listening, ListenError> {
    let last = first.saturating_add(count.saturating_sub(1));
    for port in first..=last {
        match bind_both(port) {
            Ok(listening) => return Ok(listening),
            Err(ListenError::Taken(_)) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(ListenError::NoFreePort { first, last })
}

/// Binds `127.0.0.1:port` and `[::1]:port` (port 0: a free port, the same on both).
pub fn bind_both(port: u16) -> Result<Listening, ListenError> {
    let v4_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let v4 = bind(v4_addr)?;
    let port = v4
        .local_addr()
        .map_err(|source| ListenError::Other {
            addr: v4_addr,
            source,
        })?
        .port();
    let v6_addr = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
    let mut listeners = vec![v4];
    let ipv6 = match bind(v6_addr) {
        Ok(v6) => {
            listeners.push(v6);
            true
        }
        // No ::1 on this machine (IPv6 disabled): nobody can bind it either.
        Err(ListenError::Other { source, .. }) if crate::platform::no_ipv6(&source) => false,
        Err(other) => return Err(other),
    };
    Ok(Listening {
        listeners,
        port,
        ipv6,
    })
}

fn bind(addr: SocketAddr) -> Result<TcpListener, ListenError> {
    TcpListener::bind(addr).map_err(|source| {
        if source.kind() == io::ErrorKind::AddrInUse {
            ListenError::Taken(addr)
        } else {
            ListenError::Other { addr, source }
        }
    })
}

#[cfg(test)]
mod tests;
