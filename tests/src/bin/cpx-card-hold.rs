//! cpx-card-hold: another PC/SC client that holds the card in a transaction for a while, as
//! SESAM-Vitale or a browser signing might. Prints `held` once the transaction is open, ends it
//! after MILLIS ms and leaves the card as it is.
//! Usage: PCSCLITE_CSOCK_NAME=… cpx-card-hold "READER NAME" MILLIS

use anyhow::{anyhow, Context as _, Result};
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::CString;
use std::io::Write;
use std::time::Duration;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let reader = args
        .next()
        .context("usage: cpx-card-hold \"READER NAME\" MILLIS")?;
    let millis: u64 = args.next().context("MILLIS")?.parse().context("MILLIS")?;
    let ctx = Context::establish(Scope::User).context("pcscd")?;
    let mut card = ctx
        .connect(&CString::new(reader)?, ShareMode::Shared, Protocols::ANY)
        .context("connexion à la carte / connecting to the card")?;
    {
        let tx = card.transaction().context("transaction")?;
        println!("held");
        std::io::stdout().flush()?;
        std::thread::sleep(Duration::from_millis(millis));
        tx.end(Disposition::LeaveCard)
            .map_err(|(_, e)| anyhow!("end of transaction: {e}"))?;
    }
    card.disconnect(Disposition::LeaveCard)
        .map_err(|(_, e)| anyhow!("disconnect: {e}"))?;
    Ok(())
}
