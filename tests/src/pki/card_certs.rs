//! Builder of the two certificates of a CPx card (authentication and signature), per
//! domain.md §4: subject order, the multi-valued SN+CN+GN RDN, OU/O/ST for establishment
//! cards, private extensions .2 .3 .5 .7, keyUsage, EKUs, SAN UPN, policies, AKI/SKI.

use super::der::{self, attr, Atv, Extension, Name, StringKind, TbsFields};
use super::{ext_key_ids, key_usage, oids, Ca, TestPki};
use crate::CardKind;
use ring::signature::RsaKeyPair;
use time::{Duration, OffsetDateTime};

/// The structure a card is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StructureId {
    /// 9-character FINESS number.
    Finess(String),
    /// 14-digit SIRET number.
    Siret(String),
}

impl StructureId {
    /// idNat_Struct, the subject OU: `1` + FINESS or `3` + SIRET (TRE_G07).
    pub fn id_nat_struct(&self) -> String {
        match self {
            StructureId::Finess(f) => format!("1{f}"),
            StructureId::Siret(s) => format!("3{s}"),
        }
    }

    /// Prefix of a person id bound to this structure: `3` + FINESS or `5` + SIRET (TRE_G08).
    fn person_prefix(&self) -> String {
        match self {
            StructureId::Finess(f) => format!("3{f}"),
            StructureId::Siret(s) => format!("5{s}"),
        }
    }

    /// Subject ST, `<département> (NN)`; SIRET does not say, Paris is used.
    fn state_label(&self) -> String {
        let code = match self {
            StructureId::Finess(f) if f.starts_with("97") || f.starts_with("98") => {
                f.get(..3).unwrap_or("75").to_string()
            }
            StructureId::Finess(f) => f.get(..2).unwrap_or("75").to_string(),
            StructureId::Siret(_) => "75".to_string(),
        };
        let name = match code.as_str() {
            "75" => "Paris",
            "01" => "Ain",
            "59" => "Nord",
            "0B" => "Paris",
            "974" => "La Réunion",
            "971" => "Guadeloupe",
            "972" => "Martinique",
            "2A" => "Corse-du-Sud",
            "2B" => "Haute-Corse",
            _ => "Département",
        };
        format!("{name} ({code})")
    }
}

/// The card holder.
#[derive(Clone, Debug)]
pub struct Holder {
    pub surname: String,
    pub given_name: String,
    /// 11-digit RPPS number (CPS/CPF: CN = `8` + RPPS).
    pub rpps: String,
    /// Internal id for structure-bound cards (CN = `3` + FINESS + `/` + internal id).
    pub internal_id: String,
    /// Subject title (profession or role label).
    pub title: String,
    /// Profession code TRE_G15 (extension .7), CPS/CPF only.
    pub profession: Option<i64>,
}

/// Validity period of the card certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertValidity {
    /// Issued a year ago, valid two more years.
    Valid,
    /// Expired 30 days ago.
    Expired,
    /// Expires in N days (plus one hour, so that a whole-day count says N).
    ExpiresInDays(i64),
    /// Valid from 30 days from now.
    NotYetValid,
    Between(OffsetDateTime, OffsetDateTime),
}

/// Who signs the card certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IssuerChoice {
    /// `TEST AC IGC-SANTE FORT PERSONNES` (CPS, CPF) or `… STANDARD PERSONNES` (others).
    #[default]
    TestPki,
    /// A CA outside the test PKI.
    Unknown,
}

/// The two certificates of a card, and what the card needs about them.
#[derive(Clone, Debug)]
pub struct CardCerts {
    pub kind: CardKind,
    pub auth: Vec<u8>,
    pub sign: Vec<u8>,
    /// 10-digit card number (extension .3 is `8025000001/<card_number>`).
    pub card_number: String,
    /// idNat of the holder (subject CN).
    pub id_nat: String,
    /// Serial numbers of the two certificates (DER INTEGER content bytes, positive).
    pub auth_serial: Vec<u8>,
    pub sign_serial: Vec<u8>,
}

/// Builder of a card's certificates. Start with [`CardCertsBuilder::new`] (sensible defaults
/// per kind), change what the test needs, then [`CardCertsBuilder::build`].
#[derive(Clone, Debug)]
pub struct CardCertsBuilder {
    pub kind: CardKind,
    pub structure: Option<StructureId>,
    pub structure_name: String,
    pub holder: Holder,
    pub validity: CertValidity,
    pub strings: StringKind,
    pub issuer: IssuerChoice,
    pub card_number: String,
    /// When set, the signature certificate carries this structure instead (a pair that
    /// disagrees).
    pub sign_structure: Option<StructureId>,
    /// When set, both certificates name this CRL distribution point (HTTP).
    pub crl_url: Option<String>,
}

/// A 10-digit card number (`26` + 8 digits) that no other card built in this process has, and
/// that another process (another `cpx-emulator`) almost surely does not give either: the
/// journal and `validate` tell cards apart by their number. The first one of a process is
/// drawn from its pid and the clock, the next ones follow it.
pub fn distinct_card_number() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static BASE: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = *BASE.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seed = format!("{}|{nanos}", std::process::id());
        let d = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&d.as_ref()[..8]);
        u64::from_be_bytes(first) % 100_000_000
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("26{:08}", (base + n) % 100_000_000)
}

/// Default FINESS of establishment cards: AP-HP (EJ), a real number with a valid key.
pub const DEFAULT_FINESS: &str = "750712184";
/// Default SIRET of CPA cards (fictitious).
pub const DEFAULT_SIRET: &str = "30000000007708";

impl CardCertsBuilder {
    pub fn new(kind: CardKind) -> Self {
        let (surname, given, title, profession, internal, structure) = match kind {
            CardKind::Cps => ("MEDECIN-TEST", "JEAN", "Médecin", Some(10), "", None),
            CardKind::Cpf => ("ETUDIANT-TEST", "LUCIE", "Médecin", Some(10), "", None),
            CardKind::Cde => (
                "DIRECTEUR-TEST",
                "PAUL",
                "Directeur d'établissement",
                None,
                "CDET0001",
                Some(StructureId::Finess(DEFAULT_FINESS.into())),
            ),
            CardKind::Cpe => (
                "GESTIONNAIRE-TEST",
                "CHARLES",
                "Personnel santé ou social",
                None,
                "CPET0002",
                Some(StructureId::Finess(DEFAULT_FINESS.into())),
            ),
            CardKind::Cpa => (
                "ADMINISTRATIF-TEST",
                "NADIA",
                "Personnel administratif",
                None,
                "CPAT0003",
                Some(StructureId::Siret(DEFAULT_SIRET.into())),
            ),
        };
        CardCertsBuilder {
            kind,
            structure,
            structure_name: "HOPITAL DE TEST".into(),
            holder: Holder {
                surname: surname.into(),
                given_name: given.into(),
                rpps: "10001234567".into(),
                internal_id: internal.into(),
                title: title.into(),
                profession,
            },
            validity: CertValidity::Valid,
            strings: StringKind::Utf8,
            issuer: IssuerChoice::TestPki,
            card_number: distinct_card_number(),
            sign_structure: None,
            crl_url: None,
        }
    }

    pub fn finess(mut self, finess: &str) -> Self {
        self.structure = Some(StructureId::Finess(finess.into()));
        self
    }

    pub fn siret(mut self, siret: &str) -> Self {
        self.structure = Some(StructureId::Siret(siret.into()));
        self
    }

    pub fn structure_name(mut self, name: &str) -> Self {
        self.structure_name = name.into();
        self
    }

    pub fn validity(mut self, v: CertValidity) -> Self {
        self.validity = v;
        self
    }

    pub fn strings(mut self, k: StringKind) -> Self {
        self.strings = k;
        self
    }

    pub fn issuer(mut self, i: IssuerChoice) -> Self {
        self.issuer = i;
        self
    }

    pub fn card_number(mut self, n: &str) -> Self {
        self.card_number = n.into();
        self
    }

    pub fn holder(mut self, h: Holder) -> Self {
        self.holder = h;
        self
    }

    /// Name this CRL distribution point in both certificates (`cpx-emulator --crl-url`).
    pub fn crl_url(mut self, url: &str) -> Self {
        self.crl_url = Some(url.into());
        self
    }

    /// Make the signature certificate name another structure than the authentication one.
    pub fn disagreeing_sign_structure(mut self, s: StructureId) -> Self {
        self.sign_structure = Some(s);
        self
    }

    fn is_structure_card(&self) -> bool {
        matches!(self.kind, CardKind::Cde | CardKind::Cpe | CardKind::Cpa)
    }

    fn id_nat(&self, structure: Option<&StructureId>) -> String {
        match (self.is_structure_card(), structure) {
            (true, Some(s)) => format!("{}/{}", s.person_prefix(), self.holder.internal_id),
            _ => format!("8{}", self.holder.rpps),
        }
    }

    fn subject(&self, structure: Option<&StructureId>) -> Name {
        let k = self.strings;
        let mut n = Name::default();
        n.push(attr::COUNTRY, "FR", StringKind::Printable);
        if self.is_structure_card() {
            if let Some(s) = structure {
                n.push(attr::STATE, &s.state_label(), k);
                n.push(attr::ORGANIZATION, &self.structure_name, k);
                n.push(attr::ORG_UNIT, &s.id_nat_struct(), k);
            }
        }
        n.push(attr::TITLE, &self.holder.title, k);
        let atv = |oid, value: &str| Atv {
            oid,
            value: value.to_string(),
            kind: k,
        };
        n.push_multi(vec![
            atv(attr::SURNAME, &self.holder.surname),
            atv(attr::COMMON_NAME, &self.id_nat(structure)),
            atv(attr::GIVEN_NAME, &self.holder.given_name),
        ]);
        n
    }

    fn period(&self) -> (OffsetDateTime, OffsetDateTime) {
        let now = OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| OffsetDateTime::now_utc());
        let day = Duration::days(1);
        match self.validity {
            CertValidity::Valid => (now - 365 * day, now + 730 * day),
            CertValidity::Expired => (now - 1095 * day, now - 30 * day),
            CertValidity::ExpiresInDays(n) => {
                let end = now + Duration::days(n) + Duration::hours(1);
                (end - 1095 * day, end)
            }
            CertValidity::NotYetValid => (now + 30 * day, now + 1125 * day),
            CertValidity::Between(a, b) => (a, b),
        }
    }

    fn issuer_ca<'a>(&self, pki: &'a TestPki) -> &'a Ca {
        match (self.issuer, self.kind) {
            (IssuerChoice::Unknown, _) => &pki.unknown,
            (_, CardKind::Cps | CardKind::Cpf) => &pki.fort_personnes,
            _ => &pki.standard_personnes,
        }
    }

    fn cert(
        &self,
        pki: &TestPki,
        usage: Usage,
        structure: Option<&StructureId>,
        (not_before, not_after): (OffsetDateTime, OffsetDateTime),
    ) -> Vec<u8> {
        let ca = self.issuer_ca(pki);
        let key: &RsaKeyPair = match usage {
            Usage::Auth => &pki.card_auth_key,
            Usage::Sign => &pki.card_sign_key,
        };
        let subject = self.subject(structure);
        let id_nat = self.id_nat(structure);
        let mut ext = vec![Extension {
            oid: oids::BASIC_CONSTRAINTS,
            critical: false,
            value: der::der(|w| w.write_sequence(|_| {})),
        }];
        ext.extend(ext_key_ids(&der::key_id(key), Some(&ca.key_id)));
        ext.push(match usage {
            Usage::Auth => key_usage(&[0]),
            Usage::Sign => key_usage(&[1]),
        });
        ext.push(Extension {
            oid: oids::CERT_POLICIES,
            critical: false,
            value: der::der(|w| {
                w.write_sequence(|w| {
                    w.next().write_sequence(|w| {
                        w.next().write_oid(&der::oid(oids::IGC_SANTE_TEST_POLICY));
                        w.next().write_sequence(|w| {
                            w.next().write_sequence(|w| {
                                w.next().write_oid(&der::oid(oids::CPS_QUALIFIER));
                                w.next()
                                    .write_ia5_string("http://igc-sante.esante.gouv.fr/PC%20TEST");
                            })
                        })
                    })
                })
            }),
        });
        let ekus: &[&[u64]] = match usage {
            Usage::Auth => &[oids::EKU_CLIENT_AUTH, oids::EKU_SMARTCARD_LOGON],
            Usage::Sign => &[oids::EKU_EMAIL],
        };
        ext.push(Extension {
            oid: oids::EKU,
            critical: false,
            value: der::der(|w| {
                w.write_sequence(|w| {
                    for e in ekus {
                        w.next().write_oid(&der::oid(e));
                    }
                })
            }),
        });
        if usage == Usage::Auth {
            let upn = format!("{id_nat}@carte-cps.fr");
            ext.push(Extension {
                oid: oids::SAN,
                critical: false,
                value: der::der(|w| {
                    w.write_sequence(|w| {
                        w.next().write_tagged_implicit(yasna::Tag::context(0), |w| {
                            w.write_sequence(|w| {
                                w.next().write_oid(&der::oid(oids::UPN));
                                w.next().write_tagged(yasna::Tag::context(0), |w| {
                                    w.write_utf8_string(&upn)
                                });
                            })
                        })
                    })
                }),
            });
        }
        if let Some(url) = &self.crl_url {
            ext.push(crl_distribution_point(url));
        }
        ext.push(Extension {
            oid: oids::EXT_5,
            critical: false,
            value: der::der(|w| w.write_bytes(&[0x80])),
        });
        ext.push(Extension {
            oid: oids::CARD_TYPE,
            critical: false,
            value: der::der(|w| w.write_i64(self.kind.type_code())),
        });
        ext.push(Extension {
            oid: oids::CARD_NUMBER,
            critical: false,
            value: der::der(|w| {
                w.write_printable_string(&format!("8025000001/{}", self.card_number))
            }),
        });
        if let Some(p) = self.holder.profession {
            ext.push(Extension {
                oid: oids::PROFESSION,
                critical: false,
                value: der::der(|w| w.write_i64(p)),
            });
        }
        let serial = self.serial(usage, not_after);
        let tbs = der::tbs_der(&TbsFields {
            serial: &serial,
            issuer: &ca.name,
            not_before,
            not_after,
            subject: &subject,
            spki: &der::spki_der(key),
            extensions: ext,
        });
        der::sign_certificate(&tbs, &ca.key)
    }

    fn serial(&self, usage: Usage, not_after: OffsetDateTime) -> Vec<u8> {
        let seed = format!(
            "{:?}|{}|{:?}|{}|{:?}",
            self.kind,
            self.card_number,
            usage,
            not_after.unix_timestamp(),
            self.structure
        );
        let d = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
        let mut s = d.as_ref()[..16].to_vec();
        s[0] &= 0x7F;
        s[0] |= 0x10;
        s
    }

    pub fn build(&self) -> CardCerts {
        let pki = TestPki::get();
        // One period for both certificates and their serials (now is read once).
        let period = self.period();
        let auth = self.cert(pki, Usage::Auth, self.structure.as_ref(), period);
        let sign_structure = self.sign_structure.as_ref().or(self.structure.as_ref());
        let sign = self.cert(pki, Usage::Sign, sign_structure, period);
        CardCerts {
            kind: self.kind,
            auth,
            sign,
            card_number: self.card_number.clone(),
            id_nat: self.id_nat(self.structure.as_ref()),
            auth_serial: self.serial(Usage::Auth, period.1),
            sign_serial: self.serial(Usage::Sign, period.1),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Usage {
    Auth,
    Sign,
}

/// CRLDistributionPoints (RFC 5280 §4.2.1.13) with one point: its full name, one URI.
fn crl_distribution_point(url: &str) -> Extension {
    Extension {
        oid: oids::CRL_DISTRIBUTION_POINTS,
        critical: false,
        value: der::der(|w| {
            w.write_sequence(|w| {
                w.next().write_sequence(|w| {
                    // distributionPoint [0] { fullName [0] GeneralNames { URI [6] } }
                    w.next().write_tagged(yasna::Tag::context(0), |w| {
                        w.write_tagged_implicit(yasna::Tag::context(0), |w| {
                            w.write_sequence(|w| {
                                w.next().write_tagged_implicit(yasna::Tag::context(6), |w| {
                                    w.write_ia5_string(url)
                                })
                            })
                        })
                    })
                })
            })
        }),
    }
}
