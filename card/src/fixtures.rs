//! Hand-made `CardReport`s for tests that need what a read gives without a card: the judge's,
//! the journal's, the report's, the démarche's. Test code (feature `scripted`), never in the
//! agent.
//!
//! ```
//! use cpx_card::fixtures::ReportBuilder;
//! let report = ReportBuilder::establishment("750712184").card_number("2600301752").build();
//! assert_eq!(report.structure.unwrap().number, "750712184");
//! ```

use time::OffsetDateTime;

use crate::report::{
    CardFamily, CardKind, CardReport, CertReport, Holder, PersonIdType, PinState, Structure,
    StructureIdType, Trust,
};

/// The ANS, issuer of every CPx card.
pub const ANS_ISSUER: &str = "8025000001";

/// Builds a `CardReport` field by field from a plausible start.
#[derive(Debug, Clone)]
pub struct ReportBuilder(CardReport);

impl ReportBuilder {
    /// A CPS3 card with nothing read: no holder, structure, number, certificates; 3 PIN tries.
    pub fn bare() -> ReportBuilder {
        ReportBuilder(CardReport {
            atr: "3B AC".into(),
            family: CardFamily::Cps3,
            serial: None,
            kind: CardKind::CdeCpe,
            holder: None,
            structure: None,
            card_number: None,
            card_issuer: None,
            not_before: None,
            not_after: None,
            pin_tries_left: Some(3),
            pin_state: None,
            trust: None,
            certificates: Vec::new(),
            disagreements: Vec::new(),
            apdu_count: 22,
            recognition_hint: Default::default(),
        })
    }

    /// A CDE/CPE of a structure identified by FINESS `finess`: holder `3<finess>/CPET0002`
    /// (DUPONT ANNE), structure `1<finess>` named HOPITAL, issued by the ANS.
    pub fn establishment(finess: &str) -> ReportBuilder {
        let mut builder = ReportBuilder::bare();
        builder.0.holder = Some(Holder {
            id: format!("3{finess}/CPET0002"),
            id_type: PersonIdType::Finess,
            surname: Some("DUPONT".into()),
            given_name: Some("ANNE".into()),
            title: None,
            profession_code: None,
        });
        builder.0.structure = Some(Structure {
            id: format!("1{finess}"),
            id_type: StructureIdType::Finess,
            number: finess.into(),
            name: Some("HOPITAL".into()),
            departement: None,
        });
        builder.0.card_issuer = Some(ANS_ISSUER.into());
        builder
    }

    /// The printed number, and the chip serial that holds it (`5A0A 8025000001 <number>`).
    pub fn card_number(mut self, number: &str) -> ReportBuilder {
        self.0.card_number = Some(number.into());
        self.0.serial = Some(format!("5A0A{ANS_ISSUER}{number}"));
        self.0.card_issuer = Some(ANS_ISSUER.into());
        self
    }

    pub fn serial(mut self, serial: &str) -> ReportBuilder {
        self.0.serial = Some(serial.into());
        self
    }

    pub fn atr(mut self, atr: &str) -> ReportBuilder {
        self.0.atr = atr.into();
        self
    }

    pub fn kind(mut self, kind: CardKind) -> ReportBuilder {
        self.0.kind = kind;
        self
    }

    pub fn holder(mut self, holder: Option<Holder>) -> ReportBuilder {
        self.0.holder = holder;
        self
    }

    /// The holder's surname and given name (a holder is made when there is none).
    pub fn holder_name(mut self, surname: Option<&str>, given_name: Option<&str>) -> ReportBuilder {
        let holder = self.holder_mut();
        holder.surname = surname.map(str::to_string);
        holder.given_name = given_name.map(str::to_string);
        self
    }

    /// The holder's title (profession or role), a holder made when there is none.
    pub fn title(mut self, title: &str) -> ReportBuilder {
        self.holder_mut().title = Some(title.into());
        self
    }

    pub fn structure(mut self, structure: Option<Structure>) -> ReportBuilder {
        self.0.structure = structure;
        self
    }

    /// The structure's name on the card (`None`: not written).
    pub fn structure_name(mut self, name: Option<&str>) -> ReportBuilder {
        if let Some(s) = self.0.structure.as_mut() {
            s.name = name.map(str::to_string);
        }
        self
    }

    pub fn departement(mut self, departement: &str) -> ReportBuilder {
        if let Some(s) = self.0.structure.as_mut() {
            s.departement = Some(departement.into());
        }
        self
    }

    pub fn validity(
        mut self,
        not_before: Option<OffsetDateTime>,
        not_after: Option<OffsetDateTime>,
    ) -> ReportBuilder {
        self.0.not_before = not_before;
        self.0.not_after = not_after;
        self
    }

    pub fn pin(mut self, tries_left: Option<u8>, state: Option<PinState>) -> ReportBuilder {
        self.0.pin_tries_left = tries_left;
        self.0.pin_state = state;
        self
    }

    pub fn trust(mut self, trust: Option<Trust>) -> ReportBuilder {
        self.0.trust = trust;
        self
    }

    pub fn certificates(mut self, certificates: Vec<CertReport>) -> ReportBuilder {
        self.0.certificates = certificates;
        self
    }

    pub fn apdu_count(mut self, count: u32) -> ReportBuilder {
        self.0.apdu_count = count;
        self
    }

    pub fn build(self) -> CardReport {
        self.0
    }

    fn holder_mut(&mut self) -> &mut Holder {
        self.0.holder.get_or_insert_with(|| Holder {
            id: String::new(),
            id_type: PersonIdType::Finess,
            surname: None,
            given_name: None,
            title: None,
            profession_code: None,
        })
    }
}
