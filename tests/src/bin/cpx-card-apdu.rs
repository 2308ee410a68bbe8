//! cpx-card-apdu: another PC/SC client that sends APDUs to the card and prints each answer in
//! hex, one line per APDU (shared mode, the card left as it is). For tests and for people.
//! Usage: PCSCLITE_CSOCK_NAME=… cpx-card-apdu "READER NAME" APDU_HEX...

use anyhow::{anyhow, Context as _, Result};
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::CString;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let reader = args
        .next()
        .context("usage: cpx-card-apdu \"READER NAME\" APDU_HEX...")?;
    let ctx = Context::establish(Scope::User).context("pcscd")?;
    let card = ctx
        .connect(&CString::new(reader)?, ShareMode::Shared, Protocols::ANY)
        .context("connexion à la carte / connecting to the card")?;
    let mut buf = [0u8; 258];
    let mut result = Ok(());
    for a in args {
        let apdu = hex::decode(a.replace(' ', "")).context("APDU hex")?;
        match card.transmit(&apdu, &mut buf) {
            Ok(r) => println!("{}", hex::encode_upper(r)),
            Err(e) => {
                result = Err(anyhow!("transmit: {e}"));
                break;
            }
        }
    }
    card.disconnect(Disposition::LeaveCard)
        .map_err(|(_, e)| anyhow!("disconnect: {e}"))?;
    result
}
