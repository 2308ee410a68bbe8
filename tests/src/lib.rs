//! cpx-testkit: the mock-reader harness.
