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
    pub fill: &'static str,
    pub ink: &'static str,
    pub edge: &'static str,
}

/// A severity as the HTML badges draw it: `--critical` (text and stroke) on
/// `--critical-bg` (fill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severity {
    pub label: &'static str,
    pub colour: &'static str,
    pub background: &'static str,
}

/// `--ink`: body text, and the text of a coloured diagram node.
pub const INK: &str = "#0f172a";

pub const GAP: Status = Status {
    label: "gap",
    css: "gap",
    fill: "#fecaca",
    ink: "#7f1d1d",
    edge: "#dc2626",
};
pub const PARTIAL: Status = Status {
    label: "partial",
    css: "partial",
    fill: "#fde68a",
    ink: "#713f12",
    edge: "#d97706",
};
pub const ACCEPTED: Status = Status {
    label: "accepted",
    css: "accepted",
    fill: "#e9d5ff",
    ink: "#581c87",
    edge: "#9333ea",
};
pub const COVERED: Status = Status {
    label: "covered",
    css: "covered",
    fill: "#bbf7d0",
    ink: "#14532d",
    edge: "#16a34a",
};
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
