//! `cpx-agent eligible --profession P --medical-data yes|no --mss yes|no [--rpps N] [--json]`:
//! does this person need RPPS+ (the seed's « À noter que »)? Nothing is stored.
//! Exit: 0 eligible; 1 not eligible, or to check; 2 usage error.

use super::common::{print_json, print_text, usage_error, JsonArg};
use super::exit;
use crate::eligibility::{assess, roster::yes_no};
use crate::model::setup::EligibilityRequest;
use crate::text::eligibility as texte;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// La profession (secrétaire médicale, aide-soignant…).
    #[arg(long)]
    pub profession: String,
    /// A besoin d'accéder à des données de santé : oui/non (yes/no).
    #[arg(long, value_name = "OUI|NON")]
    pub medical_data: String,
    /// A besoin d'une adresse MSSanté nominative : oui/non (yes/no).
    #[arg(long, value_name = "OUI|NON")]
    pub mss: String,
    /// Son numéro RPPS, s'il en a un.
    #[arg(long)]
    pub rpps: Option<String>,
    #[command(flatten)]
    pub json: JsonArg,
}

pub fn run(args: &Args) -> u8 {
    let yes = |flag: &str, value: &str| yes_no(value).ok_or_else(|| texte::bad_yes_no(flag, value));
    let request = match (
        yes("--medical-data", &args.medical_data),
        yes("--mss", &args.mss),
    ) {
        (Ok(medical_data), Ok(mss)) => EligibilityRequest {
            profession: args.profession.clone(),
            medical_data,
            mss,
            rpps: args.rpps.clone(),
        },
        (Err(e), _) | (_, Err(e)) => return usage_error(&e),
    };
    let answer = match assess(&request) {
        Ok(a) => a,
        Err(e) => return usage_error(&e.to_string()),
    };
    if args.json.json {
        print_json(&answer);
    } else {
        let mut out = format!(
            "{} : {}\n",
            request.profession.trim(),
            texte::verdict(answer.verdict)
        );
        for c in &answer.criteria {
            let mark = match c.ok {
                Some(true) => "[x]",
                Some(false) => "[ ]",
                None => "[?]",
            };
            out.push_str(&format!("  {mark} {}\n", c.message));
        }
        print_text(&out);
    }
    if answer.eligible {
        exit::OK
    } else {
        exit::FINDINGS
    }
}
