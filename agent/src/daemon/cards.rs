//! What the daemon does with a card: read it through PC/SC (`cpx_card::read_reader`) and judge
//! it (`crate::judge`). A trait, so the daemon's machinery is tested without a card layer.

use std::ffi::CStr;

use cpx_card::{CardReport, TrustStore};
use time::OffsetDateTime;

use crate::config::Config;
use crate::verdict::Verdict;

/// A read that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    /// Why, in French, for the user.
    pub message: String,
    /// Another application holds the card exclusively: worth trying again by itself.
    pub card_busy: bool,
}

impl From<String> for ReadFailure {
    fn from(message: String) -> ReadFailure {
        ReadFailure {
            message,
            card_busy: false,
        }
    }
}

impl From<cpx_card::ReadError> for ReadFailure {
    fn from(error: cpx_card::ReadError) -> ReadFailure {
        ReadFailure {
            message: crate::text::read::read_failure(&error),
            card_busy: error.code() == cpx_card::ReadFailureCode::CardBusy,
        }
    }
}

pub trait CardSource: Send + Sync + 'static {
    /// Reads the card in `reader` (blocking). `known`: the card last read in this reader, for
    /// a quick recognition.
    fn read(&self, reader: &CStr, known: Option<&CardReport>) -> Result<CardReport, ReadFailure>;
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
    fn read(&self, reader: &CStr, known: Option<&CardReport>) -> Result<CardReport, ReadFailure> {
        // The read opens its own PC/SC context: never stale after the service restarted.
        let mut report = cpx_card::read_reader(reader, &self.trust, known)?;
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
