//! cpx-card-reset: "another application" that resets the card in a reader, as SESAM-Vitale or
//! a browser might: SCardConnect (shared) then SCardDisconnect(SCARD_RESET_CARD). pcscd carries
//! the reset out once no other client holds a transaction on the card.
//! Usage: PCSCLITE_CSOCK_NAME=… cpx-card-reset "READER NAME"

use anyhow::{anyhow, Context as _, Result};
use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};
use std::ffi::CString;

fn main() -> Result<()> {
    let reader = std::env::args()
        .nth(1)
        .context("usage: cpx-card-reset \"READER NAME\"")?;
    let ctx = Context::establish(Scope::User).context("pcscd")?;
    let name = CString::new(reader)?;
    let card = ctx
        .connect(&name, ShareMode::Shared, Protocols::ANY)
        .context("connexion à la carte / connecting to the card")?;
    // The point of this program is the reset.
    card.disconnect(Disposition::ResetCard)
        .map_err(|(_, e)| anyhow!("reset: {e}"))?;
    Ok(())
}
