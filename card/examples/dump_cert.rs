//! Prints the interpretation of certificate files as JSON: `cargo run -p cpx-card --example dump_cert FILE…`.
fn main() {
    let trust = cpx_card::TrustStore::builtin();
    for f in std::env::args().skip(1) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        match cpx_card::decode_pem_or_der(&bytes) {
            Ok(ders) => {
                for der in ders {
                    match cpx_card::interpret(&der, &trust) {
                        Ok(r) => println!("{f}: {}", serde_json::to_string(&r).unwrap_or_default()),
                        Err(e) => println!("{f}: {e}"),
                    }
                }
            }
            Err(e) => println!("{f}: {e}"),
        }
    }
}
