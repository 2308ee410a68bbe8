//! How long interpreting a card certificate takes (chain validation included), against the
//! built-in store plus the testkit's CA bundle, as the agent does on each read.
//! `cargo run --release -p cpx-card --example trust_timing`

use cpx_card::{interpret, TrustStore};
use cpx_testkit::pki::{CardCertsBuilder, TestPki};
use cpx_testkit::CardKind;
use std::time::Instant;

fn main() {
    let mut trust = TrustStore::builtin();
    trust
        .add_test_anchor_pem(TestPki::get().ca_bundle_pem().as_bytes())
        .unwrap();
    let certs = CardCertsBuilder::new(CardKind::Cpe).build();
    let n = 200;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let a = interpret(&certs.auth, &trust).unwrap();
        let s = interpret(&certs.sign, &trust).unwrap();
        times.push(t.elapsed());
        assert_eq!(a.trust, cpx_card::Trust::Test);
        assert_eq!(s.trust, cpx_card::Trust::Test);
    }
    times.sort();
    println!(
        "two card certificates interpreted: median {:?}, p90 {:?} ({n} runs)",
        times[n / 2],
        times[n * 9 / 10]
    );
}
