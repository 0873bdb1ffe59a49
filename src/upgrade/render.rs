//! Text and Markdown renderings of a diff and of a migration summary. JSON is the serialised
//! structs themselves.

use std::fmt::Write as _;

use super::DiffDocument;
use super::migrate::Migration;
use super::model_diff::{
    Change, ExposureChange, ExposureDiff, ModelDiff, NewReason, NewTechnique, SideSummary,
};
use super::references::Place;
use super::release_diff::{Outcome, ReleaseDiff, ReleaseLists, Typed};
use crate::analysis::findings::StatusSeverity;
use crate::attack::Kind;

/// How many items of a list text and Markdown show before "... and N more".
const TEXT_LIMIT: usize = 10;
const EXPOSURE_LIMIT: usize = 25;

struct Versions<'a> {
    from: &'a str,
    to: &'a str,
}

fn typed_list(list: &[Typed]) -> String {
    list.iter()
        .map(|t| format!("{} {} ({})", t.id, t.name, t.kind.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One change in words.
fn describe(change: &Change, v: &Versions) -> String {
    let (from, to) = (v.from, v.to);
    match change {
        Change::NotInFrom => format!("does not exist in {from}"),
        Change::WrongKindInFrom { is } => {
            format!(
                "in {from} the ID names {} {} ({})",
                is.kind.label(),
                is.id,
                is.name
            )
        }
        Change::NotInTo => format!("does not exist in {to}"),
        Change::WrongKindInTo { is } => {
            format!(
                "in {to} the ID names {} {} ({})",
                is.kind.label(),
                is.id,
                is.name
            )
        }
        Change::Revoked {
            newly,
            outcome,
            replaced_by,
        } => {
            let when = if *newly {
                format!("revoked in {to}")
            } else {
                format!("revoked (already in {from})")
            };
            match outcome {
                Outcome::Replaced => format!("{when}, replaced by {}", typed_list(replaced_by)),
                Outcome::Split => format!("{when}, split into {}", typed_list(replaced_by)),
                Outcome::KindChanged => format!(
                    "{when} by an object of another kind: {}",
                    typed_list(replaced_by)
                ),
                Outcome::NoReplacement => format!("{when}, no replacement"),
            }
        }
        Change::Deprecated { newly } => {
            if *newly {
                format!("deprecated in {to}, no replacement")
            } else {
                format!("deprecated (already in {from})")
            }
        }
        Change::Reinstated => format!("active again in {to}"),
        Change::Renamed { from, to } => format!("renamed \"{from}\" -> \"{to}\""),
        Change::Renumbered { from, to } => format!("renumbered {from} -> {to}"),
        Change::Retacticed { from, to } => {
            format!("tactics {} -> {}", from.join(", "), to.join(", "))
        }
        Change::Moved {
            from_parent,
            to_parent,
        } => {
            let place = |p: &Option<String>| match p {
                Some(p) => format!("sub-technique of {p}"),
                None => "top-level technique".to_string(),
            };
            format!("moved: {} -> {}", place(from_parent), place(to_parent))
        }
        Change::Platforms { added, removed } => {
            let mut parts: Vec<String> = added.iter().map(|p| format!("+{p}")).collect();
            parts.extend(removed.iter().map(|p| format!("-{p}")));
            format!("platforms {}", parts.join(" "))
        }
    }
}

fn places(list: &[Place]) -> String {
    let shown: Vec<String> = list
        .iter()
        .take(3)
        .map(|p| {
            if p.line == 0 {
                p.field.clone()
            } else {
                format!("{}:{} {}", p.line, p.column, p.field)
            }
        })
        .collect();
    let more = list.len().saturating_sub(3);
    if more > 0 {
        format!("{} (+{more} more)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn state(s: Option<StatusSeverity>) -> String {
    match s {
        Some(s) => format!("{}/{}", s.status.label(), s.severity.label()),
        None => "-".to_string(),
    }
}

fn side_line(version: &str, side: Option<&SideSummary>) -> String {
    match side {
        Some(s) => format!(
            "{version}: {} exposures, {} open (gap {}, partial {}), coverage {:.1}%",
            s.exposures, s.open, s.by_status.gap, s.by_status.partial, s.coverage_percent
        ),
        None => format!("{version}: not computed"),
    }
}

fn exposure_line(c: &ExposureChange) -> String {
    format!(
        "{:<10}  {} {} ({}) on {}: {} -> {}",
        c.change.label(),
        c.actor,
        c.technique,
        c.technique_name,
        c.system,
        state(c.before),
        state(c.after)
    )
}

fn more_line(out: &mut String, indent: &str, total: usize, shown: usize) {
    if total > shown {
        let _ = writeln!(
            out,
            "{indent}... and {} more (--format json lists them all)",
            total - shown
        );
    }
}

fn summary_table(release: &ReleaseDiff, v: &Versions) -> String {
    let mut out = String::new();
    let from_head = format!("active {}", v.from);
    let to_head = format!("active {}", v.to);
    let _ = writeln!(
        out,
        "{:<20} {:>12} {:>12} {:>6} {:>8} {:>8} {:>11} {:>11} {:>8} {:>11}",
        "kind",
        from_head,
        to_head,
        "added",
        "removed",
        "revoked",
        "deprecated",
        "reinstated",
        "renamed",
        "renumbered"
    );
    for c in &release.summary {
        let _ = writeln!(
            out,
            "{:<20} {:>12} {:>12} {:>6} {:>8} {:>8} {:>11} {:>11} {:>8} {:>11}",
            c.kind.label(),
            c.active_from,
            c.active_to,
            c.added,
            c.removed,
            c.revoked,
            c.deprecated,
            c.reinstated,
            c.renamed,
            c.renumbered
        );
    }
    if let Some(t) = release.summary.iter().find(|c| c.kind == Kind::Technique) {
        let _ = writeln!(
            out,
            "techniques moved between parent and sub-technique: {}; re-tacticed: {}; platforms changed: {}",
            t.moved.unwrap_or(0),
            t.retacticed.unwrap_or(0),
            t.platforms_changed.unwrap_or(0)
        );
    }
    out
}

fn lists_text(lists: &ReleaseLists) -> String {
    let mut out = String::new();
    let mut empty = Vec::new();
    let mut section = |title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            empty.push(title.to_string());
            return;
        }
        let _ = writeln!(out, "\n{title} ({}):", lines.len());
        for line in lines.iter().take(TEXT_LIMIT) {
            let _ = writeln!(out, "  {line}");
        }
        more_line(&mut out, "  ", lines.len(), TEXT_LIMIT.min(lines.len()));
    };
    section(
        "revoked",
        lists
            .revoked
            .iter()
            .map(|r| {
                let by = if r.replaced_by.is_empty() {
                    "no replacement".to_string()
                } else {
                    format!("{}: {}", r.outcome.label(), typed_list(&r.replaced_by))
                };
                format!("{} {} {} -> {by}", r.kind.label(), r.id, r.name)
            })
            .collect(),
    );
    let entries = |list: &[super::release_diff::Entry]| -> Vec<String> {
        list.iter()
            .map(|e| format!("{} {} {}", e.kind.label(), e.id, e.name))
            .collect()
    };
    section("deprecated", entries(&lists.deprecated));
    section("reinstated", entries(&lists.reinstated));
    section(
        "renamed",
        lists
            .renamed
            .iter()
            .map(|r| {
                format!(
                    "{} {}: \"{}\" -> \"{}\"",
                    r.kind.label(),
                    r.id,
                    r.from,
                    r.to
                )
            })
            .collect(),
    );
    section(
        "renumbered",
        lists
            .renumbered
            .iter()
            .map(|r| {
                let from = if r.from.is_empty() {
                    "(no ID)"
                } else {
                    &r.from
                };
                format!("{} {} -> {} {}", r.kind.label(), from, r.to, r.name)
            })
            .collect(),
    );
    section(
        "moved between parent and sub-technique",
        lists
            .moved
            .iter()
            .map(|m| {
                format!(
                    "{} {}: {} -> {}",
                    m.id,
                    m.name,
                    m.from_parent.as_deref().unwrap_or("top-level"),
                    m.to_parent.as_deref().unwrap_or("top-level")
                )
            })
            .collect(),
    );
    section(
        "re-tacticed",
        lists
            .retacticed
            .iter()
            .map(|r| {
                format!(
                    "{} {}: {} -> {}",
                    r.id,
                    r.name,
                    r.from.join(", "),
                    r.to.join(", ")
                )
            })
            .collect(),
    );
    section(
        "platforms changed",
        lists
            .platforms
            .iter()
            .map(|p| {
                let mut parts: Vec<String> = p.added.iter().map(|x| format!("+{x}")).collect();
                parts.extend(p.removed.iter().map(|x| format!("-{x}")));
                format!("{} {}: {}", p.id, p.name, parts.join(" "))
            })
            .collect(),
    );
    section("added", entries(&lists.added));
    section("removed", entries(&lists.removed));
    if !empty.is_empty() {
        let _ = writeln!(out, "\nnone {}", empty.join(", none "));
    }
    out
}

fn model_text(m: &ModelDiff, v: &Versions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{}: {} (pinned to {})", m.file, m.name, m.pinned);
    let _ = writeln!(
        out,
        "  references: {} changed, {} unchanged",
        m.references.len(),
        m.unchanged_references
    );
    for r in &m.references {
        let what: Vec<String> = r.changes.iter().map(|c| describe(c, v)).collect();
        let name = if r.name.is_empty() {
            String::new()
        } else {
            format!(" {}", r.name)
        };
        let _ = writeln!(
            out,
            "    {} ({}){name}: {}  [{}]",
            r.id,
            r.kind.label(),
            what.join("; "),
            places(&r.places)
        );
    }
    if !m.groups.is_empty() {
        let _ = writeln!(out, "  groups:");
    }
    for g in &m.groups {
        let mut what = Vec::new();
        if !g.gained.is_empty() {
            what.push(format!(
                "gained {}",
                g.gained
                    .iter()
                    .map(|n| format!("{} {}", n.id, n.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !g.lost.is_empty() {
            what.push(format!(
                "lost {}",
                g.lost
                    .iter()
                    .map(|n| format!("{} {}", n.id, n.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if what.is_empty() {
            what.push("no change".to_string());
        }
        let _ = writeln!(
            out,
            "    {} {} ({}): {} -> {} techniques; {}",
            g.id,
            g.name,
            g.actors.join(", "),
            g.techniques_from,
            g.techniques_to,
            what.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "  techniques that now apply to the model's systems: {}",
        m.new_techniques.len()
    );
    for t in m.new_techniques.iter().take(TEXT_LIMIT * 2) {
        let why = why_new(t);
        let _ = writeln!(
            out,
            "    {} {} ({why}): {}; exposures in {}: {}",
            t.id,
            t.name,
            t.systems.join(", "),
            v.to,
            t.exposures
        );
    }
    more_line(
        &mut out,
        "    ",
        m.new_techniques.len(),
        (TEXT_LIMIT * 2).min(m.new_techniques.len()),
    );
    let e = &m.exposures;
    let _ = writeln!(out, "  exposures (recomputed on each release):");
    for line in exposure_sides(e, v, |note| note.to_string()) {
        let _ = writeln!(out, "    {line}");
    }
    if e.compared {
        let _ = writeln!(
            out,
            "    new gaps {}, closed gaps {}, severity changes {}, other changes {}",
            e.new_gaps,
            e.closed_gaps,
            e.severity_changes,
            e.changes.len() - e.new_gaps - e.closed_gaps
        );
        for c in e.changes.iter().take(EXPOSURE_LIMIT) {
            let _ = writeln!(out, "    {}", exposure_line(c));
        }
        more_line(
            &mut out,
            "    ",
            e.changes.len(),
            EXPOSURE_LIMIT.min(e.changes.len()),
        );
    }
    out
}

/// Why a technique newly applies, in words: `new platforms Linux`, `new technique`.
fn why_new(t: &NewTechnique) -> String {
    match t.reason {
        NewReason::NewPlatforms => format!("new platforms {}", t.platforms.join(", ")),
        other => other.label().replace('-', " "),
    }
}

/// The exposure counts on each release and what was left out or migrated to get them, one
/// line each, for both renderings; `escape` renders the free-text note.
fn exposure_sides(e: &ExposureDiff, v: &Versions, escape: impl Fn(&str) -> String) -> Vec<String> {
    let mut lines = vec![
        side_line(v.from, e.from.as_ref()),
        side_line(v.to, e.to.as_ref()),
    ];
    for (version, dropped) in [(v.from, &e.dropped_from), (v.to, &e.dropped_to)] {
        if !dropped.is_empty() {
            lines.push(format!(
                "left out on {version} (not valid there): {}",
                dropped_list(dropped)
            ));
        }
    }
    if !e.replaced_to.is_empty() {
        lines.push(format!(
            "evaluated on {} as migrated: {}",
            v.to,
            e.replaced_to.join(", ")
        ));
    }
    if let Some(note) = &e.note {
        lines.push(format!("note: {}", escape(note)));
    }
    lines
}

fn dropped_list(list: &[super::lenient::Dropped]) -> String {
    let mut values: Vec<&str> = list.iter().map(|d| d.value.as_str()).collect();
    values.sort();
    values.dedup();
    format!("{} reference(s): {}", list.len(), values.join(", "))
}

/// The diff as text.
pub fn diff_text(doc: &DiffDocument) -> String {
    let v = Versions {
        from: &doc.from,
        to: &doc.to,
    };
    let mut out = format!(
        "ATT&CK {} {} -> {} (objects matched by STIX id)\n\n",
        doc.domain, doc.from, doc.to
    );
    out.push_str(&summary_table(&doc.release, &v));
    if let Some(lists) = &doc.release.lists {
        out.push_str(&lists_text(lists));
    }
    for m in &doc.models {
        out.push_str(&model_text(m, &v));
    }
    out
}

/// Model text in the Markdown diff: escaped like the reports' (it used to escape only `|`, so a
/// model's names reached pull-request comments as Markdown and HTML).
fn md_escape(text: &str) -> String {
    crate::diag::render::markdown_text(text)
}

/// The diff as GitHub-flavoured Markdown.
pub fn diff_markdown(doc: &DiffDocument) -> String {
    let v = Versions {
        from: &doc.from,
        to: &doc.to,
    };
    let mut out = format!(
        "# ATT&CK {} {} → {}\n\nObjects are matched by STIX id.\n\n",
        doc.domain, doc.from, doc.to
    );
    out.push_str(&format!(
        "| kind | active {} | active {} | added | removed | revoked | deprecated | reinstated | renamed | renumbered |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        doc.from, doc.to
    ));
    for c in &doc.release.summary {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.kind.label(),
            c.active_from,
            c.active_to,
            c.added,
            c.removed,
            c.revoked,
            c.deprecated,
            c.reinstated,
            c.renamed,
            c.renumbered
        );
    }
    if let Some(lists) = &doc.release.lists {
        out.push_str("\n## Changed objects\n\n```text");
        out.push_str(&lists_text(lists));
        out.push_str("```\n");
    }
    for m in &doc.models {
        let _ = writeln!(
            out,
            "\n## {} ({})\n\nPinned to {}. References: {} changed, {} unchanged.\n",
            md_escape(&m.name),
            md_escape(&m.file),
            m.pinned,
            m.references.len(),
            m.unchanged_references
        );
        if !m.references.is_empty() {
            out.push_str("| ID | kind | name | change | where |\n|---|---|---|---|---|\n");
            for r in &m.references {
                let what: Vec<String> = r.changes.iter().map(|c| describe(c, &v)).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    r.id,
                    r.kind.label(),
                    md_escape(&r.name),
                    md_escape(&what.join("; ")),
                    md_escape(&places(&r.places))
                );
            }
        }
        if !m.groups.is_empty() {
            out.push_str("\n### Groups\n\n| group | actors | techniques | gained | lost |\n|---|---|---|---|---|\n");
            for g in &m.groups {
                let ids = |list: &[crate::attack::view::Named]| {
                    list.iter()
                        .map(|n| n.id.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let _ = writeln!(
                    out,
                    "| {} {} | {} | {} → {} | {} | {} |",
                    g.id,
                    md_escape(&g.name),
                    g.actors.join(", "),
                    g.techniques_from,
                    g.techniques_to,
                    ids(&g.gained),
                    ids(&g.lost)
                );
            }
        }
        if !m.new_techniques.is_empty() {
            out.push_str("\n### Techniques that now apply to the model's systems\n\n| technique | why | systems | exposures |\n|---|---|---|---:|\n");
            for t in &m.new_techniques {
                let why = why_new(t);
                let _ = writeln!(
                    out,
                    "| {} {} | {} | {} | {} |",
                    t.id,
                    md_escape(&t.name),
                    why,
                    t.systems.join(", "),
                    t.exposures
                );
            }
        }
        let e = &m.exposures;
        out.push_str("\n### Exposures, recomputed on each release\n\n");
        for line in exposure_sides(e, &v, md_escape) {
            let _ = writeln!(out, "- {line}");
        }
        if e.compared {
            let _ = writeln!(
                out,
                "- new gaps {}, closed gaps {}, severity changes {}\n",
                e.new_gaps, e.closed_gaps, e.severity_changes
            );
            if !e.changes.is_empty() {
                out.push_str("| change | actor | technique | system | before | after |\n|---|---|---|---|---|---|\n");
                for c in e.changes.iter().take(EXPOSURE_LIMIT * 2) {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} {} | {} | {} | {} |",
                        c.change.label(),
                        c.actor,
                        c.technique,
                        md_escape(&c.technique_name),
                        c.system,
                        state(c.before),
                        state(c.after)
                    );
                }
                if e.changes.len() > EXPOSURE_LIMIT * 2 {
                    let _ = writeln!(
                        out,
                        "\n... and {} more (`--format json` lists them all)",
                        e.changes.len() - EXPOSURE_LIMIT * 2
                    );
                }
            }
        }
    }
    out
}

/// The summary of migrations, as text.
pub fn migration_text(migrations: &[Migration], dry_run: bool) -> String {
    let mut out = String::new();
    let mut replaced = 0;
    let mut humans = 0;
    let mut changed = 0;
    for m in migrations {
        replaced += m.replacements.len();
        humans += m.needs_human.len();
        changed += usize::from(m.changed);
        let verb = match (m.changed, dry_run) {
            (false, _) => "nothing to do",
            (true, true) => "would be migrated",
            (true, false) => "migrated",
        };
        let _ = writeln!(
            out,
            "{}: ATT&CK {} {} -> {}: {verb}; {} ID{} replaced",
            m.file,
            m.domain,
            m.from,
            m.to,
            m.replacements.len(),
            if m.replacements.len() == 1 { "" } else { "s" }
        );
        for r in &m.replacements {
            let via = if r.via.is_empty() {
                String::new()
            } else {
                format!(" via {}", r.via.join(" -> "))
            };
            let _ = writeln!(
                out,
                "  {}:{}  {} -> {} ({}; {}{via})  {}",
                r.line,
                r.column,
                r.from,
                r.to,
                r.name,
                r.reason.label(),
                r.field
            );
        }
        if !m.needs_human.is_empty() {
            let _ = writeln!(out, "  needs a human ({}):", m.needs_human.len());
        }
        for h in &m.needs_human {
            let at = if h.line == 0 {
                "-".to_string()
            } else {
                format!("{}:{}", h.line, h.column)
            };
            let _ = writeln!(
                out,
                "  {at}  [{}] {}  {}",
                h.problem.label(),
                h.message,
                h.field
            );
        }
    }
    let files = migrations.len();
    let _ = writeln!(
        out,
        "{} {changed} of {files} file{}: {replaced} ID{} replaced, {humans} item{} need{} a human",
        if dry_run { "would change" } else { "changed" },
        if files == 1 { "" } else { "s" },
        if replaced == 1 { "" } else { "s" },
        if humans == 1 { "" } else { "s" },
        if humans == 1 { "s" } else { "" },
    );
    out
}
