//! What the diagram and its legend draw alike: the ink colours, a system's fill by severity,
//! SVG numbers and the data-store cylinder.

use super::geometry::STORE_RY;
use super::layout::Rect;
use crate::analysis::findings::Severity;
use crate::graph::palette;

pub(super) const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
pub(super) const MUTED: &str = "#475569";
pub(super) const FLOW: &str = "#334155";
pub(super) const ACTOR_INK: &str = "#9f1239";
/// Fill and stroke of a system with no open gap (the severities' are the shared palette's).
const NO_OPEN_GAP: (&str, &str) = ("#dcfce7", "#15803d");

/// Fill and stroke of a system box by its worst open severity: the HTML report's severity
/// badge ([`palette::SEVERITIES`]), green when nothing is open.
pub(super) fn severity_colours(severity: Option<Severity>) -> (&'static str, &'static str) {
    match severity.and_then(|s| palette::severity(s.label())) {
        Some(colours) => (colours.background, colours.colour),
        None => NO_OPEN_GAP,
    }
}

/// A number for an SVG attribute: at most one decimal, no trailing `.0`.
pub(super) fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The body and the front of the top rim of a cylinder filling `r`, as SVG path data.
pub(super) fn cylinder_path(r: Rect) -> (String, String) {
    let (x, y, w, h, ry) = (r.x, r.y, r.w, r.h, STORE_RY);
    let rx = w / 2.0;
    let body = format!(
        "M{x0} {y0}A{rx} {ry} 0 0 1 {x1} {y0}V{y2}A{rx} {ry} 0 0 1 {x0} {y2}Z",
        x0 = n(x),
        y0 = n(y + ry),
        x1 = n(x + w),
        y2 = n(y + h - ry),
        rx = n(rx),
        ry = n(ry),
    );
    let rim = format!(
        "M{x0} {y0}A{rx} {ry} 0 0 0 {x1} {y0}",
        x0 = n(x),
        y0 = n(y + ry),
        x1 = n(x + w),
        rx = n(rx),
        ry = n(ry),
    );
    (body, rim)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every severity a system can have has its colours in the shared palette, so only a
    /// system with nothing open is drawn in the no-gap green.
    #[test]
    fn every_severity_is_in_the_palette() {
        for severity in Severity::ALL {
            let colours = palette::severity(severity.label()).expect("in the palette");
            assert_eq!(
                severity_colours(Some(severity)),
                (colours.background, colours.colour)
            );
            assert_ne!(severity_colours(Some(severity)), NO_OPEN_GAP);
        }
        assert_eq!(severity_colours(None), NO_OPEN_GAP);
    }
}
