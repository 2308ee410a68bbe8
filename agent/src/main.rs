//! The `cpx-agent` binary: a thin edge over the library.
fn main() {
    println!("cpx-agent");
}
