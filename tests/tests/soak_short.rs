//! A short soak run (issue 13): the `soak` program (src/bin/soak.rs) for 200 cycles over 8
//! readers of a private pcscd against the real agent, with its SSE and `/v1/status` clients.
//! Every invariant it checks (one outcome per insertion, no event lost or duplicated for a
//! resuming client, the final state equal to the emulators' truth, memory and descriptors flat,
//! no reset and no VERIFY with data in the card logs, no holder name without the token, a
//! clean stop) fails this test. Its figures are printed (`--nocapture`); the long run's are in
//! tests/README.md.

use std::process::Command;

#[test]
fn a_short_soak_run_holds_every_invariant() {
    let cycles = std::env::var("CPX_SOAK_CYCLES").unwrap_or_else(|_| "200".into());
    let out = Command::new(env!("CARGO_BIN_EXE_soak"))
        .args(["--cycles", &cycles, "--readers", "8", "--seed", "13"])
        .output()
        .expect("run soak");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "soak exited with {:?}\n{stdout}\n{stderr}",
        out.status.code()
    );
    assert!(stdout.contains(&format!("{cycles} cycles in")), "{stdout}");
}
