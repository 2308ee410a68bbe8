//! Which desktop notifications the tray sends, and when: a card read (kind and verdict in one
//! line, never a name), a card not ready or unreadable (its first reason), PC/SC lost and back,
//! a card expiring within the warning horizon (once a day at most per card). Cards read
//! together are grouped into one notification; at most `MAX_PER_WINDOW` notifications go out
//! per `RATE_WINDOW`, the rest wait and are grouped. Pure: fed events, snapshots and the time,
//! it answers the notifications to send; `notifier` sends them.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use cpx_card::CardFamily;
use time::Date;

use crate::config::NotificationsConfig;
use crate::model::events::EventKind;
use crate::model::status::{CardView, StatusSnapshot};
use crate::model::verdict::{Severity, Status};
use crate::text::findings::kind_label;
use crate::text::labels::family_label;
use crate::text::notify as texte;

/// Cards read within this time of the first one make one notification.
pub const GROUP_WINDOW: Duration = Duration::from_millis(1500);
/// At most `MAX_PER_WINDOW` notifications per `RATE_WINDOW`.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);
pub const MAX_PER_WINDOW: usize = 5;
/// The judge's stable finding code for a card expiring within the horizon (README).
const EXPIRES_SOON: &str = "card_expires_soon";

pub use crate::platform::Urgency;

/// Which earlier notification a new one replaces, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The cards' notification.
    Cards,
    /// PC/SC lost / back: the second replaces the first.
    Service,
    /// A card expiring.
    Expiry,
}

/// One notification to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub slot: Slot,
    pub summary: String,
    pub body: String,
    pub urgency: Urgency,
    /// A freedesktop icon name.
    pub icon: &'static str,
}

/// One card's line, waiting for its group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CardLine {
    line: String,
    urgency: Urgency,
}

#[derive(Debug)]
pub struct Notifier {
    settings: NotificationsConfig,
    cards: Vec<CardLine>,
    /// When the pending cards' group closes.
    group_ends: Option<Instant>,
    /// The latest PC/SC state to announce (`true`: lost), if it changed.
    service: Option<bool>,
    /// The PC/SC state last announced.
    service_announced: bool,
    expiries: Vec<Note>,
    /// When each of the last notifications went out.
    sent: VecDeque<Instant>,
    /// Per card, the day its expiry was last announced.
    expiry_days: HashMap<String, Date>,
}

impl Notifier {
    pub fn new(settings: NotificationsConfig) -> Notifier {
        Notifier {
            settings,
            cards: Vec::new(),
            group_ends: None,
            service: None,
            service_announced: false,
            expiries: Vec::new(),
            sent: VecDeque::new(),
            expiry_days: HashMap::new(),
        }
    }

    fn wants(&self, kind: bool) -> bool {
        self.settings.enabled && kind
    }

    /// A whole snapshot (the tray starts, or re-read it): cards already there that expire soon.
    pub fn on_snapshot(&mut self, snapshot: &StatusSnapshot, today: Date) {
        for reader in &snapshot.readers {
            if let Some(card) = &reader.card {
                self.expiry(&reader.name, card, today);
            }
        }
    }

    /// One event, `snapshot` the state after it (for reader names), `today` the local date.
    pub fn on_event(
        &mut self,
        kind: &EventKind,
        snapshot: &StatusSnapshot,
        now: Instant,
        today: Date,
    ) {
        let name = |id: &str| {
            snapshot
                .readers
                .iter()
                .find(|r| r.id == id)
                .map_or_else(|| id.to_string(), |r| r.name.clone())
        };
        match kind {
            EventKind::CardRead { reader, card } => {
                let reader = name(reader);
                let not_ready = card.verdict.status == Status::NotReady;
                let wanted = if not_ready {
                    self.settings.card_not_ready || self.settings.card_read
                } else {
                    self.settings.card_read
                };
                if self.wants(wanted) {
                    let reason = if not_ready && self.settings.card_not_ready {
                        first_reason(card)
                    } else {
                        None
                    };
                    self.push_card(
                        CardLine {
                            line: texte::card_line(
                                &reader,
                                &card_label(card),
                                status_word(card.verdict.status),
                                reason.as_deref(),
                            ),
                            urgency: if not_ready {
                                Urgency::Critical
                            } else {
                                Urgency::Normal
                            },
                        },
                        now,
                    );
                }
                self.expiry(&reader, card, today);
            }
            EventKind::ReadFailed { reader, error } if self.wants(self.settings.card_not_ready) => {
                let line = texte::unreadable_line(&name(reader), &error.message);
                self.push_card(
                    CardLine {
                        line,
                        urgency: Urgency::Critical,
                    },
                    now,
                );
            }
            EventKind::ServiceLost | EventKind::ServiceRestored
                if self.wants(self.settings.pcsc) =>
            {
                let lost = matches!(kind, EventKind::ServiceLost);
                // Lost and back before anything was said: nothing to say.
                self.service = (lost != self.service_announced).then_some(lost);
            }
            _ => {}
        }
    }

    fn push_card(&mut self, line: CardLine, now: Instant) {
        if self.cards.is_empty() {
            self.group_ends = Some(now + GROUP_WINDOW);
        }
        self.cards.push(line);
    }

    fn expiry(&mut self, reader: &str, card: &CardView, today: Date) {
        if !self.wants(self.settings.card_expiring) {
            return;
        }
        let Some(finding) = card
            .verdict
            .findings
            .iter()
            .find(|f| f.code == EXPIRES_SOON)
        else {
            return;
        };
        // A card is known by its place, kind, structure and expiry message: never by a name.
        let key = format!("{reader}|{}|{}", card_label(card), finding.message);
        if self.expiry_days.get(&key) == Some(&today) {
            return;
        }
        self.expiry_days.insert(key, today);
        self.expiries.push(Note {
            slot: Slot::Expiry,
            summary: texte::expiring_summary(&card_label(card)),
            body: texte::expiring_body(reader, &finding.message, &finding.remedy),
            urgency: Urgency::Normal,
            icon: "dialog-warning",
        });
    }

    /// When `due` has something to send (`None`: nothing waits).
    pub fn next_deadline(&self, now: Instant) -> Option<Instant> {
        let ready = if self.service.is_some() || !self.expiries.is_empty() {
            now
        } else {
            self.group_ends?
        };
        Some(self.slot_free_at().map_or(ready, |free| free.max(ready)))
    }

    /// When a notification may go out again (`None`: now).
    fn slot_free_at(&self) -> Option<Instant> {
        (self.sent.len() >= MAX_PER_WINDOW)
            .then(|| self.sent.front().map(|t| *t + RATE_WINDOW))
            .flatten()
    }

    /// The notifications to send now, in order: PC/SC first, then the cards' group once it
    /// closed, then expiries; as many as the rate allows.
    pub fn due(&mut self, now: Instant) -> Vec<Note> {
        while self
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW)
        {
            self.sent.pop_front();
        }
        let mut out = Vec::new();
        let mut room = MAX_PER_WINDOW.saturating_sub(self.sent.len());
        if room > 0 {
            if let Some(lost) = self.service.take() {
                self.service_announced = lost;
                out.push(service_note(lost));
                room -= 1;
            }
        }
        if room > 0 && self.group_ends.is_some_and(|end| now >= end) {
            out.push(group_note(std::mem::take(&mut self.cards)));
            self.group_ends = None;
            room -= 1;
        }
        while room > 0 && !self.expiries.is_empty() {
            out.push(self.expiries.remove(0));
            room -= 1;
        }
        self.sent.extend(std::iter::repeat_n(now, out.len()));
        out
    }
}

fn service_note(lost: bool) -> Note {
    let (summary, body) = if lost {
        (
            texte::PCSC_LOST.to_string(),
            crate::text::pcsc::pcsc_remedy().to_string(),
        )
    } else {
        (
            texte::PCSC_BACK.to_string(),
            texte::PCSC_BACK_BODY.to_string(),
        )
    };
    Note {
        slot: Slot::Service,
        summary,
        body,
        urgency: if lost {
            Urgency::Critical
        } else {
            Urgency::Low
        },
        icon: if lost {
            "network-error"
        } else {
            "security-high"
        },
    }
}

fn group_note(cards: Vec<CardLine>) -> Note {
    let urgency = cards
        .iter()
        .map(|c| c.urgency)
        .max()
        .unwrap_or(Urgency::Normal);
    let summary = match cards.as_slice() {
        [one] => one.line.clone(),
        many => texte::cards_summary(many.len()),
    };
    let body = if cards.len() == 1 {
        String::new()
    } else {
        cards
            .iter()
            .map(|c| c.line.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Note {
        slot: Slot::Cards,
        summary,
        body,
        urgency,
        icon: if urgency == Urgency::Critical {
            "dialog-error"
        } else {
            "security-high"
        },
    }
}

/// What the card is, without personal data: kind and structure number.
fn card_label(card: &CardView) -> String {
    let report = &card.report;
    if report.family == CardFamily::NotCpx {
        return family_label(report.family).to_string();
    }
    match &report.structure {
        Some(structure) => format!("{} {}", kind_label(report.kind), structure.number),
        None => kind_label(report.kind).to_string(),
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Ready => texte::READY,
        Status::Warning => texte::WARNING,
        Status::NotReady => texte::NOT_READY,
        Status::Unknown => texte::UNKNOWN,
    }
}

/// The first error finding's message (the judge puts errors first).
fn first_reason(card: &CardView) -> Option<String> {
    card.verdict
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
        .map(|f| f.message.clone())
}

#[cfg(test)]
mod tests;
