//! `GET /metrics`: Prometheus text format (exposition 0.0.4), for the organisation's own
//! Prometheus/Alertmanager (architecture.md §Beyond one machine). No personal data: readers
//! are named by id, cards by kind and verdict.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use time::OffsetDateTime;

use super::ApiContext;
use crate::model::status::{ServiceState, StatusSnapshot};

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The serde name of a unit enum value (`CDE/CPE`, `not_ready`…), as a label value.
fn label<T: Serialize>(value: &T) -> String {
    escape(&crate::model::label(value))
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The metrics text for a snapshot and counters.
pub fn render(
    snapshot: &StatusSnapshot,
    read_errors: u64,
    api_requests: u64,
    now: OffsetDateTime,
) -> String {
    let mut out = String::with_capacity(1024);
    let service_up = u8::from(snapshot.service == ServiceState::Running);
    let _ = writeln!(
        out,
        "# HELP cpx_service_up Whether the PC/SC service answers (1) or not (0).\n\
         # TYPE cpx_service_up gauge\ncpx_service_up {service_up}"
    );
    let _ = writeln!(
        out,
        "# HELP cpx_readers PC/SC readers seen.\n# TYPE cpx_readers gauge\ncpx_readers {}",
        snapshot.readers.len()
    );
    let mut cards: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut expiry = String::new();
    for reader in &snapshot.readers {
        let Some(card) = &reader.card else { continue };
        let kind = label(&card.report.kind);
        *cards
            .entry((kind.clone(), label(&card.verdict.status)))
            .or_default() += 1;
        if let Some(not_after) = card.report.not_after {
            let seconds = (not_after - now).whole_seconds();
            let _ = writeln!(
                expiry,
                "cpx_card_expiry_seconds{{reader=\"{}\",kind=\"{kind}\"}} {seconds}",
                escape(&reader.id)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP cpx_cards Cards in readers, by kind and verdict.\n# TYPE cpx_cards gauge"
    );
    for ((kind, verdict), count) in &cards {
        let _ = writeln!(
            out,
            "cpx_cards{{kind=\"{kind}\",verdict=\"{verdict}\"}} {count}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP cpx_card_expiry_seconds Seconds until the card's certificates expire (negative: expired).\n\
         # TYPE cpx_card_expiry_seconds gauge"
    );
    out.push_str(&expiry);
    let _ = writeln!(
        out,
        "# HELP cpx_read_errors_total Card reads that failed.\n\
         # TYPE cpx_read_errors_total counter\ncpx_read_errors_total {read_errors}"
    );
    let _ = writeln!(
        out,
        "# HELP cpx_api_requests_total Requests received by the local API.\n\
         # TYPE cpx_api_requests_total counter\ncpx_api_requests_total {api_requests}"
    );
    out
}

/// Prometheus metrics: readers, cards by kind and verdict, seconds to expiry per card, read
/// errors, API requests.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(ctx): State<Arc<ApiContext>>) -> Response {
    let counters = &ctx.state.counters;
    let text = render(
        &ctx.state.snapshot(),
        counters.read_errors.load(Ordering::Relaxed),
        counters.api_requests.load(Ordering::Relaxed),
        OffsetDateTime::now_utc(),
    );
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}
