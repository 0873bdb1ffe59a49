//! The diagram's legend: a swatch of every colour, shape and line the diagram uses, drawn as
//! the diagram draws them, with what each means, wrapped in rows to the diagram's width.

use std::fmt::Write as _;

use super::geometry::MARGIN;
use super::layout::Rect;
use super::route::LineKind;
use super::shapes::{ACTOR_INK, FLOW, MUTED, cylinder_path, n, severity_colours};
use super::text::escape;
use crate::analysis::findings::Severity;

enum Swatch {
    Severity(Option<Severity>),
    Line(LineKind),
    Store { leaked: bool },
    Domain,
    Actor,
}

fn items() -> Vec<(Swatch, &'static str)> {
    vec![
        (
            Swatch::Severity(Some(Severity::Critical)),
            "critical open gap",
        ),
        (Swatch::Severity(Some(Severity::High)), "high"),
        (Swatch::Severity(Some(Severity::Medium)), "medium"),
        (Swatch::Severity(Some(Severity::Low)), "low"),
        (Swatch::Severity(None), "no open gap"),
        (Swatch::Domain, "trust domain (owner)"),
        (Swatch::Actor, "adversary"),
        (Swatch::Store { leaked: false }, "data store"),
        (Swatch::Store { leaked: true }, "leaked data"),
        (
            Swatch::Line(LineKind::Flow { crossing: false }),
            "data flow",
        ),
        (
            Swatch::Line(LineKind::Flow { crossing: true }),
            "flow across a trust boundary",
        ),
        (Swatch::Line(LineKind::Entry), "adversary can reach"),
    ]
}

/// The legend from (`x0`, `top`), wrapped to `width`; returns its SVG and bottom.
pub(super) fn draw(prefix: &str, x0: f64, top: f64, width: f64) -> (String, f64) {
    let mut svg = String::from(r##"<g class="legend">"##);
    let (mut x, mut y) = (x0, top);
    let row = 24.0;
    for (swatch, text) in items() {
        let item_w = 34.0 + text.chars().count() as f64 * 6.3 + 22.0;
        if x > x0 && x + item_w > width - MARGIN {
            x = x0;
            y += row;
        }
        draw_swatch(&mut svg, &swatch, prefix, x, y);
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="11" fill="{MUTED}">{}</text>"##,
            n(x + 34.0),
            n(y),
            escape(text)
        );
        x += item_w;
    }
    svg.push_str("</g>");
    (svg, y + 8.0)
}

/// A swatch 26 wide at `x`, on the row whose text baseline is `y`.
fn draw_swatch(svg: &mut String, swatch: &Swatch, prefix: &str, x: f64, y: f64) {
    match swatch {
        Swatch::Severity(severity) => {
            let (fill, stroke) = severity_colours(*severity);
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="26" height="14" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"##,
                n(x),
                n(y - 11.0)
            );
        }
        Swatch::Domain => {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="26" height="14" rx="5" fill="#f8fafc" stroke="#94a3b8" stroke-width="1.2"/>"##,
                n(x),
                n(y - 11.0)
            );
        }
        Swatch::Actor => {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="26" height="14" rx="7" fill="#fff1f2" stroke="{ACTOR_INK}" stroke-width="1.5"/>"##,
                n(x),
                n(y - 11.0)
            );
        }
        Swatch::Store { leaked } => {
            let (body, rim) = cylinder_path(Rect {
                x: x + 4.0,
                y: y - 14.0,
                w: 18.0,
                h: 18.0,
            });
            let (fill, stroke, dash) = if *leaked {
                ("#fff1f2", "#be123c", r##" stroke-dasharray="3 2""##)
            } else {
                ("#f5f3ff", "#6d28d9", "")
            };
            let _ = write!(
                svg,
                r##"<path d="{body}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/><path d="{rim}" fill="none" stroke="{stroke}" stroke-width="1.2"{dash}/>"##
            );
        }
        Swatch::Line(kind) => {
            let (stroke, dash, marker, w) = line_style(*kind);
            let _ = write!(
                svg,
                r##"<path d="M{} {}H{}" stroke="{stroke}" stroke-width="{w}"{dash} marker-end="url(#{prefix}-{marker})"/>"##,
                n(x),
                n(y - 4.0),
                n(x + 26.0)
            );
        }
    }
}

/// A line swatch's stroke colour, dash, arrow marker and width. The entry swatch is 1.2 wide
/// and opaque, where the diagram's entry lines are 1 wide at 55% opacity.
fn line_style(kind: LineKind) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        LineKind::Flow { crossing: true } => (FLOW, r##" stroke-dasharray="7 4""##, "arrow", "1.6"),
        LineKind::Flow { crossing: false } => (FLOW, "", "arrow", "1.6"),
        LineKind::Entry => (
            ACTOR_INK,
            r##" stroke-dasharray="2 3""##,
            "arrow-red",
            "1.2",
        ),
        LineKind::Holds => (
            "#94a3b8",
            r##" stroke-dasharray="2 3""##,
            "arrow-grey",
            "1.2",
        ),
    }
}
