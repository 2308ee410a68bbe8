//! What the daemon does with a card: read it through PC/SC (`cpx_card::read_reader`) and judge
//! it (`crate::judge`). A trait, so the daemon's machinery is tested without a card layer.

use std::ffi::CStr;

use cpx_card::{CardReport, TrustStore};
use time::OffsetDateTime;

use crate::config::Config;
use crate::verdict::Verdict;

pub trait CardSource: Send + Sync + 'static {
    /// Reads the card in `reader` (blocking). `known`: the card last read in this reader, for
    /// a quick recognition. The error is the French message for the user.
    fn read(&self, reader: &CStr, known: Option<&CardReport>) -> Result<CardReport, String>;
    /// Judges a card now.
    fn judge(&self, report: &CardReport) -> Verdict;
}

/// The real thing: PC/SC and this organisation's configuration.
pub struct PcscCards {
    pub trust: TrustStore,
    pub config: Config,
}

impl PcscCards {
    /// The built-in IGC-Santé CAs plus the configuration's extra test anchors.
    pub fn new(config: Config) -> PcscCards {
        PcscCards {
            trust: config.trust_store(),
            config,
        }
    }
}

impl CardSource for PcscCards {
    fn read(&self, reader: &CStr, known: Option<&CardReport>) -> Result<CardReport, String> {
        // A context per read: cheap next to the card's APDUs, and never stale after the
        // service restarted (pcsc-lite contexts do not survive it).
        let ctx = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| cpx_card::ReadError::NoService(e.to_string()).user_message_fr())?;
        let mut report = cpx_card::read_reader(&ctx, reader, &self.trust, known)
            .map_err(|e| e.user_message_fr())?;
        // The structure's name in the local FINESS directory, when one was imported.
        if let Some(dir) = crate::finess::judge_rules::open_directory(&self.config) {
            crate::finess::judge_rules::annotate(&mut report, &dir);
        }
        Ok(report)
    }

    fn judge(&self, report: &CardReport) -> Verdict {
        // Opened per verdict: cheap, and a new import is used at once.
        let directory = crate::finess::judge_rules::open_directory(&self.config);
        crate::judge::judge_with_directory(
            report,
            &self.config,
            OffsetDateTime::now_utc(),
            directory.as_ref(),
        )
    }
}
