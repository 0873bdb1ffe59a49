//! The colours of coverage status and severity, one scheme for every output that draws
//! them. The reference is the HTML report's CSS (`templates/report.html`, `:root`): each
//! constant here is one of its variables, and a test (`tests/report_formats.rs`) reads the
//! template and compares. It lives in `graph`, the lowest layer that draws, so that the
//! Mermaid and DOT diagrams (here) and the Navigator layer (`report`) share it.

/// A coverage status as the HTML matrix draws a cell: `--gap` (fill), `--gap-ink` (text),
/// `--gap-edge` (border, and the bar charts' fill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The label as the reports write it (`gap`, ..., `preparation`).
    pub label: &'static str,
    /// The CSS variable's name without `--` (`prep` for preparation).
    pub css: &'static str,
    /// The cell's fill (`--gap`).
    pub fill: &'static str,
    /// Text on the fill (`--gap-ink`).
    pub ink: &'static str,
    /// The border, and the bar charts' fill (`--gap-edge`).
    pub edge: &'static str,
}

/// A severity as the HTML badges draw it: `--critical` (text and stroke) on
/// `--critical-bg` (fill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severity {
    /// The severity as reports write it (`critical`, ...).
    pub label: &'static str,
    /// Text and stroke (`--critical`).
    pub colour: &'static str,
    /// The badge's fill (`--critical-bg`).
    pub background: &'static str,
}

/// `--ink`: body text, and the text of a coloured diagram node.
pub const INK: &str = "#0f172a";

/// `gap`: neither mitigated nor detected; reds.
pub const GAP: Status = Status {
    label: "gap",
    css: "gap",
    fill: "#fecaca",
    ink: "#7f1d1d",
    edge: "#dc2626",
};
/// `partial`: mitigated or detected, not both, or only by partial controls; ambers.
pub const PARTIAL: Status = Status {
    label: "partial",
    css: "partial",
    fill: "#fde68a",
    ink: "#713f12",
    edge: "#d97706",
};
/// `accepted`: an unexpired acceptance names it; purples.
pub const ACCEPTED: Status = Status {
    label: "accepted",
    css: "accepted",
    fill: "#e9d5ff",
    ink: "#581c87",
    edge: "#9333ea",
};
/// `covered`: mitigated and detected; greens.
pub const COVERED: Status = Status {
    label: "covered",
    css: "covered",
    fill: "#bbf7d0",
    ink: "#14532d",
    edge: "#16a34a",
};
/// `preparation`: a technique an actor uses before touching any system (the Navigator
/// layer and the HTML matrix); greys.
pub const PREPARATION: Status = Status {
    label: "preparation",
    css: "prep",
    fill: "#e2e8f0",
    ink: "#334155",
    edge: "#64748b",
};
/// Every status, most worrying first.
pub const STATUSES: [Status; 5] = [GAP, PARTIAL, PREPARATION, ACCEPTED, COVERED];

/// Every severity, highest first.
pub const SEVERITIES: [Severity; 4] = [
    Severity {
        label: "critical",
        colour: "#b91c1c",
        background: "#fee2e2",
    },
    Severity {
        label: "high",
        colour: "#c2410c",
        background: "#ffedd5",
    },
    Severity {
        label: "medium",
        colour: "#a16207",
        background: "#fef9c3",
    },
    Severity {
        label: "low",
        colour: "#1d4ed8",
        background: "#dbeafe",
    },
];

/// The colours of a status by its label.
pub fn status(label: &str) -> Option<Status> {
    STATUSES.into_iter().find(|s| s.label == label)
}

/// The colours of a severity by its label.
pub fn severity(label: &str) -> Option<Severity> {
    SEVERITIES.into_iter().find(|s| s.label == label)
}
