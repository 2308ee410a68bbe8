#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cpx_fuzz::atr(data));
