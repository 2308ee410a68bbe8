//! A scripted transport for unit tests: a list of (expected APDU, answer). An unexpected APDU
//! fails the exchange (and the test, on Drop); an expected exchange left unused fails on Drop.
//! Test code: compiled for this crate's tests and with the `scripted` feature only.

use crate::transport::{CardTransport, TransportError};
use std::collections::VecDeque;

/// One scripted exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub command: Vec<u8>,
    pub answer: Result<Vec<u8>, TransportError>,
}

/// A transport replaying a script, in order.
#[derive(Debug, Default)]
pub struct ScriptedTransport {
    script: VecDeque<Exchange>,
    sent: Vec<Vec<u8>>,
    failure: Option<String>,
    /// Answers given in order whatever the command (`answering`): nothing is checked.
    any_command: bool,
}

/// Parses hex with optional spaces (`"00 A4 04 0C"`); for scripts written in tests.
pub fn hex_bytes(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    match hex::decode(&clean) {
        Ok(v) => v,
        Err(e) => panic!("bad hex in script {s:?}: {e}"),
    }
}

impl ScriptedTransport {
    pub fn new() -> Self {
        Self::default()
    }

    /// A card that gives `answers` in order whatever it is sent (a whole read with arbitrary
    /// answers, for fuzzing): commands are recorded, not checked; unused answers are no error;
    /// past the last answer the card is gone (`TransportError::Removed`).
    pub fn answering<I: IntoIterator<Item = Vec<u8>>>(answers: I) -> Self {
        ScriptedTransport {
            script: answers
                .into_iter()
                .map(|answer| Exchange {
                    command: Vec::new(),
                    answer: Ok(answer),
                })
                .collect(),
            sent: Vec::new(),
            failure: None,
            any_command: true,
        }
    }

    /// Builds a script from (command, answer) pairs of bytes.
    pub fn from_pairs<I, C, A>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (C, A)>,
        C: AsRef<[u8]>,
        A: AsRef<[u8]>,
    {
        let mut s = Self::new();
        for (c, a) in pairs {
            s.push(c.as_ref(), a.as_ref());
        }
        s
    }

    /// Adds an exchange: `command` expected, `answer` (data + SW) given back.
    pub fn push(&mut self, command: &[u8], answer: &[u8]) -> &mut Self {
        self.script.push_back(Exchange {
            command: command.to_vec(),
            answer: Ok(answer.to_vec()),
        });
        self
    }

    /// Adds an exchange, both sides in hex text.
    pub fn expect(&mut self, command_hex: &str, answer_hex: &str) -> &mut Self {
        self.push(&hex_bytes(command_hex), &hex_bytes(answer_hex))
    }

    /// Adds an exchange whose answer is a transport error (card reset, removed…).
    pub fn push_error(&mut self, command: &[u8], error: TransportError) -> &mut Self {
        self.script.push_back(Exchange {
            command: command.to_vec(),
            answer: Err(error),
        });
        self
    }

    /// Every APDU sent so far.
    pub fn sent(&self) -> &[Vec<u8>] {
        &self.sent
    }

    /// Ends the script now, panicking if exchanges are left or an unexpected APDU came.
    pub fn finish(mut self) {
        self.check();
    }

    fn check(&mut self) {
        if self.any_command {
            return;
        }
        if let Some(f) = self.failure.take() {
            self.script.clear();
            panic!("scripted transport: {f}");
        }
        if !self.script.is_empty() {
            let left: Vec<String> = self
                .script
                .drain(..)
                .map(|e| hex::encode_upper(e.command))
                .collect();
            panic!(
                "scripted transport: {} expected exchange(s) left unused: {left:?}",
                left.len()
            );
        }
    }
}

impl CardTransport for ScriptedTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(apdu.to_vec());
        if self.any_command {
            return match self.script.pop_front() {
                Some(e) => e.answer,
                None => Err(TransportError::Removed),
            };
        }
        match self.script.pop_front() {
            Some(e) if e.command == apdu => e.answer,
            Some(e) => {
                let msg = format!(
                    "unexpected APDU {} (expected {})",
                    hex::encode_upper(apdu),
                    hex::encode_upper(&e.command)
                );
                self.failure.get_or_insert(msg.clone());
                Err(TransportError::Other(msg))
            }
            None => {
                let msg = format!(
                    "unexpected APDU {} after the end of the script",
                    hex::encode_upper(apdu)
                );
                self.failure.get_or_insert(msg.clone());
                Err(TransportError::Other(msg))
            }
        }
    }
}

impl Drop for ScriptedTransport {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.check();
        }
    }
}

#[cfg(test)]
mod tests;
