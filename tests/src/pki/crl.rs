//! CRLs of the test PKI (RFC 5280 §5), signed like its certificates (sha256WithRSAEncryption):
//! a card revoked or not, a CRL expired, one signed by the wrong CA, a national-size one.

use super::der::{self, write_sig_alg, write_time};
use super::{oids, Ca, TestPki};
use ring::signature::RsaKeyPair;
use time::{Duration, OffsetDateTime};
use yasna::{DERWriter, Tag};

/// Which CA a CRL is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlIssuer {
    /// `TEST AC IGC-SANTE STANDARD PERSONNES` (CDE, CPE, CPA cards).
    StandardPersonnes,
    /// `TEST AC IGC-SANTE FORT PERSONNES` (CPS, CPF cards).
    FortPersonnes,
    /// Named as `… STANDARD PERSONNES` but signed with another CA's key (a forged CRL).
    WrongKey,
}

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Serial number, DER INTEGER content bytes (positive).
    pub serial: Vec<u8>,
    pub revoked_at: OffsetDateTime,
    /// CRLReason code (1 keyCompromise, 6 certificateHold…).
    pub reason: Option<u8>,
}

/// What a CRL says.
#[derive(Clone, Debug)]
pub struct CrlSpec {
    pub issuer: CrlIssuer,
    pub this_update: OffsetDateTime,
    /// `None`: no nextUpdate.
    pub next_update: Option<OffsetDateTime>,
    pub crl_number: u64,
    pub revoked: Vec<RevokedEntry>,
}

impl CrlSpec {
    /// Issued an hour ago, valid 7 days, nothing revoked.
    pub fn new(issuer: CrlIssuer) -> CrlSpec {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        CrlSpec {
            issuer,
            this_update: now - Duration::hours(1),
            next_update: Some(now + Duration::days(7)),
            crl_number: 1,
            revoked: Vec::new(),
        }
    }

    /// Revokes `serial` (keyCompromise, a day ago).
    pub fn revoke(mut self, serial: &[u8]) -> CrlSpec {
        self.revoked.push(RevokedEntry {
            serial: serial.to_vec(),
            revoked_at: self.this_update - Duration::days(1),
            reason: Some(1),
        });
        self
    }

    /// Adds `n` revoked serials that belong to no test card (16 bytes each, deterministic).
    pub fn with_others(mut self, n: usize) -> CrlSpec {
        self.revoked.reserve(n);
        let at = self.this_update - Duration::days(30);
        for i in 0..n {
            let d = ring::digest::digest(&ring::digest::SHA256, &(i as u64).to_be_bytes());
            let mut serial = d.as_ref()[..16].to_vec();
            // Positive, and never a testkit card's (their first byte has 0x10 set).
            serial[0] = (serial[0] & 0x0F) | 0x20;
            self.revoked.push(RevokedEntry {
                serial,
                revoked_at: at,
                reason: if i % 3 == 0 { Some(4) } else { None },
            });
        }
        self
    }

    /// Valid from `this_update` for `next_update_in` (negative: already expired).
    pub fn next_update_in(mut self, d: Duration) -> CrlSpec {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        self.next_update = Some(now + d);
        if self.next_update.is_some_and(|n| n <= self.this_update) {
            self.this_update = now + d - Duration::days(7);
        }
        self
    }

    /// The CRL, DER.
    pub fn der(&self) -> Vec<u8> {
        let pki = TestPki::get();
        let (named, signer): (&Ca, &RsaKeyPair) = match self.issuer {
            CrlIssuer::StandardPersonnes => (&pki.standard_personnes, &pki.standard_personnes.key),
            CrlIssuer::FortPersonnes => (&pki.fort_personnes, &pki.fort_personnes.key),
            CrlIssuer::WrongKey => (&pki.standard_personnes, &pki.unknown.key),
        };
        let tbs = yasna::construct_der(|w| {
            w.write_sequence(|w| {
                w.next().write_u8(1); // v2
                write_sig_alg(w.next());
                named.name.write(w.next());
                write_time(w.next(), self.this_update);
                if let Some(next) = self.next_update {
                    write_time(w.next(), next);
                }
                if !self.revoked.is_empty() {
                    w.next().write_sequence(|w| {
                        for e in &self.revoked {
                            write_entry(w.next(), e);
                        }
                    });
                }
                w.next().write_tagged(Tag::context(0), |w| {
                    w.write_sequence(|w| {
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&der::oid(oids::AKI));
                            w.next().write_bytes(&der::der(|w| {
                                w.write_sequence(|w| {
                                    w.next().write_tagged_implicit(Tag::context(0), |w| {
                                        w.write_bytes(&named.key_id)
                                    })
                                })
                            }));
                        });
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&der::oid(oids::CRL_NUMBER));
                            w.next()
                                .write_bytes(&der::der(|w| w.write_u64(self.crl_number)));
                        });
                    })
                });
            })
        });
        der::sign_certificate(&tbs, signer)
    }
}

fn write_entry(w: DERWriter, e: &RevokedEntry) {
    w.write_sequence(|w| {
        w.next().write_bigint_bytes(&e.serial, true);
        write_time(w.next(), e.revoked_at);
        if let Some(reason) = e.reason {
            w.next().write_sequence(|w| {
                w.next().write_sequence(|w| {
                    w.next().write_oid(&der::oid(oids::CRL_REASON));
                    w.next()
                        .write_bytes(&der::der(|w| w.write_enum(i64::from(reason))));
                })
            });
        }
    });
}

/// `7d`, `12h`, `30m`, `45s`, optionally negative (`-1d`: expired a day ago).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let unit = body.chars().last()?;
    let n: i64 = body[..body.len() - unit.len_utf8()].parse().ok()?;
    let d = match unit {
        'd' => Duration::days(n),
        'h' => Duration::hours(n),
        'm' => Duration::minutes(n),
        's' => Duration::seconds(n),
        _ => return None,
    };
    Some(if neg { -d } else { d })
}
