//! Every French sentence the agent shows to people (the judge's findings, read failures, the
//! configuration's refusals, the CLI, the tray, the API's own pages), in one module tree so
//! they can be reviewed together. Codes and logic live elsewhere; here only words. (The status
//! page's own words are in `api/page/app.js`, the browser side.)

/// Who to write to, from domain.md §2.
pub const ANS_CONTRACT_CONTACT: &str = "monserviceclient.annuaire@esante.gouv.fr";
/// The RPPS+ portal, from domain.md §2 (the ANS guides spell it `enreg`).
pub const RPPS_PLUS_PORTAL: &str =
    "https://validation-enreg.esante.gouv.fr/enreg/login/page_accueil/authentification_AE.html";

pub mod api;
pub mod bench;
pub mod checklist;
pub mod config;
pub mod eligibility;
pub mod findings;
pub mod finess;
pub mod finess_report;
pub mod human;
pub mod labels;
pub mod net;
pub mod notify;
pub mod open;
pub mod pcsc;
pub mod platform;
pub mod port;
pub mod read;
pub mod revocation;
pub mod run;
pub mod setup;
pub mod tray;
