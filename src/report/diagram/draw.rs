//! The SVG of a laid-out, routed diagram: the frame and arrow markers, column headings, trust
//! domains, lines under the boxes, then systems, data stores and actors, and the legend. All
//! the geometry was decided before; this module only writes it, escaping every piece of model
//! text on the way.

use std::fmt::Write as _;

use super::geometry::{COL_GAP, HEADER_H, MARGIN, META_LINE, NAME_LINE, STORE_RY};
use super::layout::{Band, Layout, Rect};
use super::legend;
use super::route::{Line, LineKind, Side};
use super::shapes::{ACTOR_INK, FLOW, FONT, MUTED, cylinder_path, n, severity_colours};
use super::text::{
    Label, actor_label, data_label, escape, escape_tip, records, system_label, system_name,
};
use crate::graph::palette::INK;
use crate::report::{ActorSummary, DataSummary, ModelSummary, SystemSummary};

/// The whole SVG element.
pub(super) fn svg(model: &ModelSummary, layout: &Layout, lines: &[Line], prefix: &str) -> String {
    let legend_top = layout.bottom + 34.0;
    let width = layout.width.max(660.0);
    let (legend_svg, legend_bottom) = legend::draw(prefix, MARGIN, legend_top, width);
    let height = legend_bottom + MARGIN;

    let mut svg = String::with_capacity(32 * 1024);
    frame(&mut svg, &model.name, prefix, width, height);
    headings(&mut svg, layout);
    for band in &layout.bands {
        draw_band(&mut svg, band);
    }
    // Lines under the boxes: held data, entries, then flows.
    for pass in [LineKind::Holds, LineKind::Entry] {
        for line in lines.iter().filter(|l| l.kind == pass) {
            draw_line(&mut svg, line, prefix);
        }
    }
    for line in lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Flow { .. }))
    {
        draw_line(&mut svg, line, prefix);
    }
    for (system, &r) in model.systems.iter().zip(&layout.systems) {
        draw_system(&mut svg, system, r);
    }
    for &(d, _, r) in &layout.stores {
        draw_store(&mut svg, &model.data[d], r, false);
    }
    for &(d, r) in &layout.leaked {
        draw_store(&mut svg, &model.data[d], r, true);
    }
    for (actor, &r) in model.actors.iter().zip(&layout.actors) {
        draw_actor(&mut svg, actor, r);
    }
    if model.systems.is_empty() {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="13" fill="{MUTED}">This model has no systems.</text>"##,
            n(layout.system_x0),
            n(MARGIN + HEADER_H + 20.0)
        );
    }
    svg.push_str(&legend_svg);
    svg.push_str("</svg>");
    svg
}

/// The opening tag, title, arrow markers and white background.
fn frame(svg: &mut String, model_name: &str, prefix: &str, width: f64, height: f64) {
    let title = format!("Supply chain of {model_name}");
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="supply-chain" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{prefix}-title" font-family="{FONT}">"##,
        w = n(width),
        h = n(height),
    );
    let _ = write!(
        svg,
        r##"<title id="{prefix}-title">{}</title>"##,
        escape(&title)
    );
    let _ = write!(
        svg,
        r##"<defs><marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{FLOW}"/></marker><marker id="{prefix}-arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{ACTOR_INK}"/></marker><marker id="{prefix}-arrow-grey" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#94a3b8"/></marker></defs>"##
    );
    let _ = write!(
        svg,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        n(width),
        n(height)
    );
}

/// Column headings: leaked data, adversaries, and each column of systems.
fn headings(svg: &mut String, layout: &Layout) {
    if !layout.leaked.is_empty() {
        heading(svg, MARGIN, "Leaked / held data");
    }
    if let Some(first) = layout.actors.first() {
        heading(svg, first.x, "Adversaries");
    }
    for c in 0..layout.columns {
        let text = match (c, layout.internet_sources) {
            (0, true) => "Internet-facing".to_string(),
            (0, false) => "Entry systems".to_string(),
            (1, _) => "1 hop in".to_string(),
            (c, _) => format!("{c} hops in"),
        };
        heading(svg, layout.column_x(c), &text);
    }
}

fn heading(svg: &mut String, x: f64, text: &str) {
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="11" font-weight="700" letter-spacing="0.06em" fill="#64748b">{}</text>"##,
        n(x),
        n(MARGIN + 12.0),
        escape(&text.to_uppercase())
    );
}

/// A trust domain: a rounded band labelled with its owner (dashed when there is none).
fn draw_band(svg: &mut String, band: &Band) {
    let r = band.rect;
    let (fill, stroke, dash) = if band.owner.is_some() {
        ("#f8fafc", "#94a3b8", "")
    } else {
        ("#ffffff", "#cbd5e1", r##" stroke-dasharray="6 4""##)
    };
    let _ = write!(
        svg,
        r##"<g class="trust-domain"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="12" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>"##,
        escape(&format!(
            "Trust domain: {}",
            band.owner.as_deref().unwrap_or("no owner given")
        )),
        n(r.x),
        n(r.y),
        n(r.w),
        n(r.h)
    );
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="13" font-weight="700" fill="{MUTED}">"##,
        n(r.x + 12.0),
        n(r.y + 20.0)
    );
    for (i, line) in band.label.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<tspan x="{}" dy="{}">{}</tspan>"##,
            n(r.x + 12.0),
            if i == 0 { "0" } else { "16" },
            escape(line)
        );
    }
    svg.push_str("</text></g>");
}

/// How a kind of line is drawn: its class, stroke colour and width, dash, arrow marker and
/// opacity (the last two as attributes, empty when unset).
struct LineStyle {
    class: &'static str,
    stroke: &'static str,
    width: &'static str,
    dash: &'static str,
    marker: &'static str,
    opacity: &'static str,
}

fn line_style(kind: LineKind) -> LineStyle {
    let dotted = r##" stroke-dasharray="2 3""##;
    match kind {
        LineKind::Flow { crossing } => LineStyle {
            class: if crossing { "flow crossing" } else { "flow" },
            stroke: FLOW,
            width: "1.6",
            dash: if crossing {
                r##" stroke-dasharray="7 4""##
            } else {
                ""
            },
            marker: "arrow",
            opacity: "",
        },
        LineKind::Entry => LineStyle {
            class: "entry",
            stroke: ACTOR_INK,
            width: "1",
            dash: dotted,
            marker: "arrow-red",
            opacity: r##" stroke-opacity="0.55""##,
        },
        LineKind::Holds => LineStyle {
            class: "holds",
            stroke: "#94a3b8",
            width: "1.2",
            dash: dotted,
            marker: "arrow-grey",
            opacity: "",
        },
    }
}

/// A line as a cubic curve, leaving and entering its boxes horizontally.
fn draw_line(svg: &mut String, line: &Line, prefix: &str) {
    let (sx, sy) = line.start;
    let (ex, ey) = line.end;
    let (c1, c2) = match (line.from.1, line.to.1) {
        (Side::Right, Side::Right) => {
            let bulge = (30.0 + (ey - sy).abs() * 0.1).min(COL_GAP * 0.6);
            ((sx + bulge, sy), (ex + bulge, ey))
        }
        (Side::Right, Side::Left) => {
            let dx = ((ex - sx) / 2.0).max(40.0);
            ((sx + dx, sy), (ex - dx, ey))
        }
        (Side::Left, Side::Right) => {
            let dx = ((sx - ex) / 2.0).max(40.0);
            ((sx - dx, sy), (ex + dx, ey))
        }
        (Side::Left, Side::Left) => {
            let bulge = (30.0 + (ey - sy).abs() * 0.1).min(COL_GAP * 0.6);
            ((sx - bulge, sy), (ex - bulge, ey))
        }
    };
    let d = format!(
        "M{} {}C{} {} {} {} {} {}",
        n(sx),
        n(sy),
        n(c1.0),
        n(c1.1),
        n(c2.0),
        n(c2.1),
        n(ex),
        n(ey)
    );
    let LineStyle {
        class,
        stroke,
        width,
        dash,
        marker,
        opacity,
    } = line_style(line.kind);
    let _ = write!(
        svg,
        r##"<g class="{class}"><title>{}</title><path d="{d}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}{opacity} marker-end="url(#{prefix}-{marker})"/></g>"##,
        escape(&line.title)
    );
}

/// A system: a box coloured by its worst open severity, linking to the findings.
fn draw_system(svg: &mut String, system: &SystemSummary, r: Rect) {
    let (fill, stroke) = severity_colours(system.worst_open);
    let label = system_label(system);
    let mut tip = format!("{} ({})", system_name(system), system.id);
    if let Some(owner) = &system.owner {
        tip.push_str(&format!("\nowner: {owner}"));
    }
    tip.push_str(&format!(
        "\nexposure: {}\nworst open severity: {}",
        system.exposure,
        system.worst_open.map_or("none", |s| s.label())
    ));
    if !system.platforms.is_empty() {
        tip.push_str(&format!("\nplatforms: {}", system.platforms.join(", ")));
    }
    let _ = write!(
        svg,
        r##"<a class="system" href="#findings" data-filter="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="7" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/><rect x="{}" y="{}" width="5" height="{}" fill="{stroke}"/>"##,
        escape(&system.id),
        escape_tip(&tip),
        n(r.x),
        n(r.y),
        n(r.w),
        n(r.h),
        n(r.x + 0.8),
        n(r.y + 6.0),
        n(r.h - 12.0),
    );
    draw_label(svg, &label, r.x + 13.0, r.y + 8.0, INK, stroke, 12.0);
    svg.push_str("</a>");
}

/// An actor: a pill linking to the findings.
fn draw_actor(svg: &mut String, actor: &ActorSummary, r: Rect) {
    let mut tip = format!("Adversary: {} ({})", actor.name, actor.id);
    if !actor.groups.is_empty() {
        tip.push_str(&format!("\nATT&CK groups: {}", actor.groups.join(", ")));
    }
    if !actor.techniques.is_empty() {
        tip.push_str(&format!("\ntechniques: {}", actor.techniques.join(", ")));
    }
    let label = actor_label(actor);
    let _ = write!(
        svg,
        r##"<a class="actor" href="#findings" data-filter="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="#fff1f2" stroke="{ACTOR_INK}" stroke-width="1.6"/>"##,
        escape(&actor.id),
        escape_tip(&tip),
        n(r.x),
        n(r.y),
        n(r.w),
        n(r.h),
        n((r.h / 2.0).min(18.0)),
    );
    draw_label(svg, &label, r.x + 14.0, r.y + 8.0, INK, ACTOR_INK, 12.0);
    svg.push_str("</a>");
}

fn draw_label(
    svg: &mut String,
    label: &Label,
    x: f64,
    top: f64,
    ink: &str,
    meta_ink: &str,
    size: f64,
) {
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="{}" font-weight="600" fill="{ink}">"##,
        n(x),
        n(top + 12.0),
        n(size)
    );
    for (i, line) in label.name.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<tspan x="{}" dy="{}">{}</tspan>"##,
            n(x),
            if i == 0 { 0.0 } else { NAME_LINE },
            escape(line)
        );
    }
    svg.push_str("</text>");
    text_lines(
        svg,
        x,
        top + 12.0 + label.name.len() as f64 * NAME_LINE + 1.0,
        meta_ink,
        &label.meta,
    );
}

/// Small lines of text, the first with its baseline at `y`.
fn text_lines(svg: &mut String, x: f64, y: f64, fill: &str, lines: &[String]) {
    if lines.iter().all(|l| l.is_empty()) {
        return;
    }
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="10" fill="{fill}">"##,
        n(x),
        n(y)
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<tspan x="{}" dy="{}">{}</tspan>"##,
            n(x),
            if i == 0 { 0.0 } else { META_LINE },
            escape(line)
        );
    }
    svg.push_str("</text>");
}

/// A data asset's tooltip.
fn store_tip(data: &DataSummary, leaked: bool) -> String {
    let mut tip = format!(
        "{}: {} ({})\nkind: {}\nsensitivity: {}",
        if leaked { "Leaked data" } else { "Data store" },
        data.name.as_deref().unwrap_or(&data.id),
        data.id,
        data.kind,
        data.sensitivity
    );
    if let Some(count) = data.records {
        tip.push_str(&format!("\n{}", records(count)));
    }
    if let Some(year) = data.leaked_year {
        tip.push_str(&format!("\nleaked in {year}"));
    }
    if let Some(source) = &data.leak_source {
        tip.push_str(&format!(": {source}"));
    }
    tip
}

/// A data asset as a cylinder: under the system storing it, or (`leaked`) on the left.
fn draw_store(svg: &mut String, data: &DataSummary, r: Rect, leaked: bool) {
    let (body, rim) = cylinder_path(r);
    let (fill, stroke, dash) = if leaked {
        ("#fff1f2", "#be123c", r##" stroke-dasharray="5 3""##)
    } else if data.sensitivity == "restricted" {
        ("#f5f3ff", "#6d28d9", "")
    } else {
        ("#f1f5f9", "#475569", "")
    };
    let label = data_label(data, r.w);
    let _ = write!(
        svg,
        r##"<g class="{}"><title>{}</title><path d="{body}" fill="{fill}" stroke="{stroke}" stroke-width="1.3"{dash}/><path d="{rim}" fill="none" stroke="{stroke}" stroke-width="1.3"{dash}/>"##,
        if leaked { "leaked-data" } else { "data-store" },
        escape_tip(&store_tip(data, leaked)),
    );
    let x = r.x + 10.0;
    let top = r.y + 2.0 * STORE_RY;
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="11" font-weight="600" fill="{INK}">"##,
        n(x),
        n(top + 10.0)
    );
    for (i, line) in label.name.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<tspan x="{}" dy="{}">{}</tspan>"##,
            n(x),
            if i == 0 { 0.0 } else { 14.0 },
            escape(line)
        );
    }
    svg.push_str("</text>");
    text_lines(
        svg,
        x,
        top + 10.0 + label.name.len() as f64 * 14.0 + 1.0,
        stroke,
        &label.meta,
    );
    svg.push_str("</g>");
}
