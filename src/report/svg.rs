//! The supply-chain diagram of a model as inline SVG, laid out by atkmap itself.
//!
//! The layout is layered and deterministic:
//!
//! * **Columns** are the distance, in flows, from the internet-facing systems (breadth-first
//!   along the flows' direction; a system that only flows into that part sits one column
//!   left of where it flows to; one no flow reaches sits in the column of its exposure:
//!   internet 0, partner 1, internal 2).
//! * **Trust domains** are horizontal bands stacked top to bottom, one per owner in the order
//!   the model first names them (systems without an owner last), each a rounded rectangle
//!   labelled with the owner's name. Inside a band, each column stacks its systems, ordered by
//!   the mean position of the systems that flow into them (fewer crossings), then model order.
//! * **Data stores** are cylinders right under each system that stores them. Leaked data that
//!   nobody in the model stores sits in its own column on the far left, feeding the actors
//!   that hold it; **actors** are a column between the leaked data and the systems, with
//!   dotted lines to the systems they can reach.
//! * **Flows** are arrows (dashed when they cross a trust boundary), attached to the sides of
//!   the boxes they join and spread along them; hover shows their label and what they carry.
//!
//! Every piece of model text is XML-escaped and wrapped to its box (a long name is cut with an
//! ellipsis and shown whole in the box's tooltip).

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use super::{ActorSummary, DataSummary, ModelSummary, SystemSummary};
use crate::analysis::findings::Severity;

const MARGIN: f64 = 20.0;
const HEADER_H: f64 = 30.0;
const SYS_W: f64 = 188.0;
const COL_GAP: f64 = 86.0;
const BAND_PAD_X: f64 = 16.0;
const BAND_PAD_BOTTOM: f64 = 16.0;
const BAND_GAP: f64 = 22.0;
const STACK_GAP: f64 = 18.0;
const STORE_INDENT: f64 = 12.0;
const STORE_W: f64 = SYS_W - 2.0 * STORE_INDENT;
const STORE_RY: f64 = 6.0;
const ACTOR_W: f64 = 168.0;
const LEAK_W: f64 = 160.0;
const LEAK_GAP: f64 = 44.0;
const ACTOR_GAP: f64 = 96.0;
const NAME_LINE: f64 = 15.0;
const META_LINE: f64 = 13.0;
/// Average glyph widths used to wrap text (system fonts at 12px and 10px).
const NAME_CHAR: f64 = 7.2;
const META_CHAR: f64 = 5.3;
const LABEL_CHAR: f64 = 7.6;

const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const INK: &str = "#0f172a";
const MUTED: &str = "#475569";
const FLOW: &str = "#334155";
const ACTOR_INK: &str = "#9f1239";

/// Fill and stroke of a system box by its worst open severity.
fn severity_colours(severity: Option<Severity>) -> (&'static str, &'static str) {
    match severity {
        Some(Severity::Critical) => ("#fee2e2", "#b91c1c"),
        Some(Severity::High) => ("#ffedd5", "#c2410c"),
        Some(Severity::Medium) => ("#fef9c3", "#a16207"),
        Some(Severity::Low) => ("#dbeafe", "#1d4ed8"),
        None => ("#dcfce7", "#15803d"),
    }
}

/// Escapes text for XML content and attribute values, dropping characters XML forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push_str(&crate::diag::render::visible(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// Wraps `text` into at most `max_lines` lines of about `max_chars` characters, cutting the
/// last one with an ellipsis when the text does not fit.
pub fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let max_chars = max_chars.max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    let mut words: VecDeque<String> = text.split_whitespace().map(str::to_string).collect();
    while let Some(word) = words.pop_front() {
        let word_len = word.chars().count();
        let current_len = current.chars().count();
        if current_len > 0 && current_len + 1 + word_len <= max_chars {
            current.push(' ');
            current.push_str(&word);
            continue;
        }
        if current_len > 0 {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                truncated = true;
                break;
            }
        }
        if word_len <= max_chars {
            current = word;
        } else {
            // A word longer than a line: break it, after a hyphen when there is one.
            let chars: Vec<char> = word.chars().collect();
            let mut cut = max_chars;
            if let Some(h) = chars[..max_chars]
                .iter()
                .rposition(|&c| c == '-' || c == '/')
                && h >= max_chars / 2
            {
                cut = h + 1;
            }
            current = chars[..cut].iter().collect();
            words.push_front(chars[cut..].iter().collect());
        }
    }
    if !truncated && !current.is_empty() {
        if lines.len() == max_lines {
            truncated = true;
        } else {
            lines.push(current);
        }
    }
    if truncated && let Some(last) = lines.last_mut() {
        let mut kept: Vec<char> = last.chars().collect();
        kept.truncate(max_chars.saturating_sub(1));
        while kept.last() == Some(&' ') {
            kept.pop();
        }
        *last = kept.into_iter().collect::<String>() + "…";
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Joins `facts` with ` · ` into at most `max_lines` lines of about `max_chars` characters.
fn pack(facts: &[String], max_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for fact in facts {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 3 + fact.chars().count() <= max_chars => {
                line.push_str(" · ");
                line.push_str(fact);
            }
            _ => lines.push(fact.clone()),
        }
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" · ");
        lines.push(rest);
    }
    lines
        .iter()
        .map(|l| wrap(l, max_chars, 1).remove(0))
        .collect()
}

/// A number for an SVG attribute: at most one decimal, no trailing `.0`.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn records(count: u64) -> String {
    let short = |value: f64, unit: &str| {
        let text = format!("{value:.1}");
        let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
        format!("{text}{unit}")
    };
    let amount = if count >= 1_000_000_000 {
        short(count as f64 / 1e9, "B")
    } else if count >= 1_000_000 {
        short(count as f64 / 1e6, "M")
    } else if count >= 10_000 {
        short(count as f64 / 1e3, "k")
    } else {
        count.to_string()
    };
    if count == 1 {
        format!("{amount} record")
    } else {
        format!("{amount} records")
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn right(&self) -> f64 {
        self.x + self.w
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
    fn mid_y(&self) -> f64 {
        self.y + self.h / 2.0
    }
}

/// A box's text: wrapped name lines and small meta lines.
struct Label {
    name: Vec<String>,
    meta: Vec<String>,
}

impl Label {
    fn height(&self) -> f64 {
        10.0 + self.name.len() as f64 * NAME_LINE + self.meta.len().max(1) as f64 * META_LINE + 6.0
    }
}

fn chars_for(width: f64, per_char: f64) -> usize {
    ((width - 20.0) / per_char).floor().max(4.0) as usize
}

fn system_label(system: &SystemSummary) -> Label {
    let name = if system.name.trim().is_empty() {
        &system.id
    } else {
        &system.name
    };
    let worst = system.worst_open.map_or("no open gaps", |s| s.label());
    Label {
        name: wrap(name, chars_for(SYS_W, NAME_CHAR), 4),
        meta: wrap(
            &format!("{} · {worst}", system.exposure),
            chars_for(SYS_W, META_CHAR),
            1,
        ),
    }
}

fn actor_label(actor: &ActorSummary) -> Label {
    let chars = chars_for(ACTOR_W, META_CHAR);
    let mut meta = vec![format!(
        "reaches {} system{}",
        actor.reaches.len(),
        if actor.reaches.len() == 1 { "" } else { "s" }
    )];
    if !actor.groups.is_empty() {
        meta.insert(0, format!("ATT&CK {}", actor.groups.join(", ")));
    }
    Label {
        name: wrap(&actor.name, chars_for(ACTOR_W, NAME_CHAR), 3),
        meta: meta.iter().map(|m| wrap(m, chars, 1).remove(0)).collect(),
    }
}

fn data_label(data: &DataSummary, width: f64) -> Label {
    let name = data.name.as_deref().unwrap_or(&data.id);
    let mut facts = Vec::new();
    if let Some(year) = data.leaked_year {
        facts.push(format!("leaked {year}"));
    }
    facts.push(data.sensitivity.to_string());
    if let Some(count) = data.records {
        facts.push(records(count));
    }
    Label {
        name: wrap(name, chars_for(width, NAME_CHAR * 0.92), 3),
        meta: pack(&facts, chars_for(width, META_CHAR), 2),
    }
}

/// Where every box of a diagram is.
struct Layout {
    columns: usize,
    systems: Vec<Rect>,
    column_of: Vec<usize>,
    bands: Vec<Band>,
    /// (data index, system index, cylinder).
    stores: Vec<(usize, usize, Rect)>,
    actors: Vec<Rect>,
    /// (data index, cylinder) of leaked data drawn in the left column.
    leaked: Vec<(usize, Rect)>,
    system_x0: f64,
    width: f64,
    bottom: f64,
    internet_sources: bool,
}

struct Band {
    owner: Option<String>,
    label: Vec<String>,
    rect: Rect,
}

/// Each system's column: flows away from the internet-facing systems.
fn columns(model: &ModelSummary, index: &BTreeMap<&str, usize>) -> (Vec<usize>, bool) {
    let count = model.systems.len();
    let mut out: Vec<Option<usize>> = vec![None; count];
    let mut forward: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut backward: Vec<Vec<usize>> = vec![Vec::new(); count];
    for flow in &model.flows {
        if let (Some(&a), Some(&b)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str()))
            && a != b
        {
            forward[a].push(b);
            backward[b].push(a);
        }
    }
    let mut queue: VecDeque<usize> = VecDeque::new();
    let internet: Vec<usize> = (0..count)
        .filter(|&s| model.systems[s].exposure == "internet")
        .collect();
    let internet_sources = !internet.is_empty();
    let sources = if internet_sources {
        internet
    } else {
        (0..count).filter(|&s| backward[s].is_empty()).collect()
    };
    for s in sources {
        out[s] = Some(0);
        queue.push_back(s);
    }
    // Along the flows, then against them for what only flows into the reached part.
    // Against them, a system sits one column left of what it flows into.
    for (edges, along) in [(&forward, true), (&backward, false)] {
        let mut seeds: Vec<usize> = (0..count).filter(|&s| out[s].is_some()).collect();
        seeds.sort_by_key(|&s| (out[s], s));
        queue.extend(seeds);
        while let Some(s) = queue.pop_front() {
            let here = out[s].unwrap_or(0);
            let next = if along {
                here + 1
            } else {
                here.saturating_sub(1)
            };
            for &t in &edges[s] {
                if out[t].is_none() {
                    out[t] = Some(next);
                    queue.push_back(t);
                }
            }
        }
    }
    let column = (0..count)
        .map(|s| {
            out[s].unwrap_or(match model.systems[s].exposure {
                "internet" => 0,
                "partner" => 1,
                _ => 2,
            })
        })
        .collect();
    (column, internet_sources)
}

fn layout(model: &ModelSummary) -> Layout {
    let index: BTreeMap<&str, usize> = model
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let (column_of, internet_sources) = columns(model, &index);
    let column_count = column_of.iter().copied().max().map_or(0, |c| c + 1);

    // Left side: leaked (or otherwise unstored, held) data, then actors.
    let held: Vec<usize> = (0..model.data.len())
        .filter(|&d| {
            let data = &model.data[d];
            data.stored_in.is_empty()
                && (data.leaked_year.is_some()
                    || model.actors.iter().any(|a| a.holds.contains(&data.id)))
        })
        .collect();
    let leak_x = MARGIN;
    let actor_x = if held.is_empty() {
        MARGIN
    } else {
        leak_x + LEAK_W + LEAK_GAP
    };
    let system_x0 = if model.actors.is_empty() {
        if held.is_empty() {
            MARGIN + 8.0
        } else {
            actor_x + 8.0
        }
    } else {
        actor_x + ACTOR_W + ACTOR_GAP
    };
    let top = MARGIN + HEADER_H;

    let mut leaked = Vec::new();
    let mut y = top + 6.0;
    for &d in &held {
        let label = data_label(&model.data[d], LEAK_W);
        let h = label.height() + 2.0 * STORE_RY + 2.0;
        leaked.push((
            d,
            Rect {
                x: leak_x,
                y,
                w: LEAK_W,
                h,
            },
        ));
        y += h + 14.0;
    }
    let mut actors = Vec::new();
    let mut y = top + 6.0;
    for actor in &model.actors {
        let h = actor_label(actor).height();
        actors.push(Rect {
            x: actor_x,
            y,
            w: ACTOR_W,
            h,
        });
        y += h + 16.0;
    }

    // Trust domains, in the order the model first names their owners.
    let mut owners: Vec<Option<String>> = Vec::new();
    for system in &model.systems {
        let owner = system
            .owner
            .as_ref()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty());
        if owner.is_some() && !owners.contains(&owner) {
            owners.push(owner);
        }
    }
    if model
        .systems
        .iter()
        .any(|s| s.owner.as_deref().is_none_or(|o| o.trim().is_empty()))
    {
        owners.push(None);
    }
    let owner_of = |s: &SystemSummary| {
        s.owner
            .as_ref()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
    };

    // Order inside a column: the mean rank of the systems flowing in, then model order.
    let mut rank: Vec<f64> = (0..model.systems.len()).map(|s| s as f64).collect();
    let mut order: Vec<usize> = (0..model.systems.len()).collect();
    order.sort_by_key(|&s| (column_of[s], s));
    for &s in &order {
        let preds: Vec<f64> = model
            .flows
            .iter()
            .filter(|f| f.to == model.systems[s].id)
            .filter_map(|f| index.get(f.from.as_str()))
            .filter(|&&p| column_of[p] < column_of[s])
            .map(|&p| rank[p])
            .collect();
        if !preds.is_empty() {
            rank[s] = preds.iter().sum::<f64>() / preds.len() as f64;
        }
    }

    let column_x = |c: usize| system_x0 + BAND_PAD_X + c as f64 * (SYS_W + COL_GAP);
    let mut systems = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: SYS_W,
            h: 0.0
        };
        model.systems.len()
    ];
    let mut stores = Vec::new();
    let mut bands = Vec::new();
    let mut y = top;
    for owner in owners {
        let members: Vec<usize> = (0..model.systems.len())
            .filter(|&s| owner_of(&model.systems[s]) == owner)
            .collect();
        let first = members.iter().map(|&s| column_of[s]).min().unwrap_or(0);
        let last = members.iter().map(|&s| column_of[s]).max().unwrap_or(0);
        let band_x = column_x(first) - BAND_PAD_X;
        let band_w = column_x(last) + SYS_W + BAND_PAD_X - band_x;
        let title = owner
            .clone()
            .unwrap_or_else(|| "No owner given".to_string());
        let label = wrap(&title, chars_for(band_w + 8.0, LABEL_CHAR), 2);
        let content_top = y + 12.0 + label.len() as f64 * 16.0 + 4.0;
        let mut band_bottom = content_top;
        for c in first..=last {
            let mut column: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&s| column_of[s] == c)
                .collect();
            column.sort_by(|&a, &b| rank[a].total_cmp(&rank[b]).then(a.cmp(&b)));
            let mut cy = content_top;
            for s in column {
                let h = system_label(&model.systems[s]).height();
                systems[s] = Rect {
                    x: column_x(c),
                    y: cy,
                    w: SYS_W,
                    h,
                };
                cy += h;
                for (d, data) in model.data.iter().enumerate() {
                    if data.stored_in.contains(&model.systems[s].id) {
                        let label = data_label(data, STORE_W);
                        let sh = label.height() + 2.0 * STORE_RY + 2.0;
                        cy += 8.0;
                        stores.push((
                            d,
                            s,
                            Rect {
                                x: column_x(c) + STORE_INDENT,
                                y: cy,
                                w: STORE_W,
                                h: sh,
                            },
                        ));
                        cy += sh;
                    }
                }
                band_bottom = band_bottom.max(cy);
                cy += STACK_GAP;
            }
        }
        let rect = Rect {
            x: band_x,
            y,
            w: band_w,
            h: band_bottom + BAND_PAD_BOTTOM - y,
        };
        y = rect.bottom() + BAND_GAP;
        bands.push(Band { owner, label, rect });
    }

    let mut width = column_x(column_count.max(1) - 1) + SYS_W + BAND_PAD_X + 56.0;
    if model.systems.is_empty() {
        width = system_x0 + 260.0;
    }
    let mut bottom = y - BAND_GAP;
    for r in actors.iter().chain(leaked.iter().map(|(_, r)| r)) {
        bottom = bottom.max(r.bottom());
    }
    Layout {
        columns: column_count,
        systems,
        column_of,
        bands,
        stores,
        actors,
        leaked,
        system_x0,
        width: width + MARGIN,
        bottom,
        internet_sources,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Left,
    Right,
}

/// One end of a line on a box side, and the y of the other end (to order the ends).
struct Port {
    line: usize,
    start: bool,
    other_y: f64,
}

/// A line between two boxes, before its ends are spread along the box sides.
struct Line {
    kind: LineKind,
    from: (Node, Side),
    to: (Node, Side),
    title: String,
    start: (f64, f64),
    end: (f64, f64),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Flow { crossing: bool },
    Entry,
    Holds,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    System(usize),
    Actor(usize),
    Leaked(usize),
}

/// Renders the diagram of `model`. `prefix` makes the SVG's element ids unique in the page.
pub fn supply_chain(model: &ModelSummary, prefix: &str) -> String {
    let layout = layout(model);
    let index: BTreeMap<&str, usize> = model
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let rect_of = |node: Node| match node {
        Node::System(s) => layout.systems[s],
        Node::Actor(a) => layout.actors[a],
        Node::Leaked(l) => layout.leaked[l].1,
    };
    let name_of = |s: usize| {
        let system = &model.systems[s];
        if system.name.trim().is_empty() {
            system.id.clone()
        } else {
            system.name.clone()
        }
    };
    let data_name = |id: &str| {
        model
            .data
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.name.clone())
            .unwrap_or_else(|| id.to_string())
    };

    // Lines: actor entries, held data, flows.
    let mut lines: Vec<Line> = Vec::new();
    let mut push = |kind, from: (Node, Side), to: (Node, Side), title: String| {
        lines.push(Line {
            kind,
            from,
            to,
            title,
            start: (0.0, 0.0),
            end: (0.0, 0.0),
        });
    };
    for (l, (d, _)) in layout.leaked.iter().enumerate() {
        for (a, actor) in model.actors.iter().enumerate() {
            if actor.holds.contains(&model.data[*d].id) {
                push(
                    LineKind::Holds,
                    (Node::Leaked(l), Side::Right),
                    (Node::Actor(a), Side::Left),
                    format!("{} holds {}", actor.name, data_name(&model.data[*d].id)),
                );
            }
        }
    }
    for (a, actor) in model.actors.iter().enumerate() {
        for entry in &actor.entry {
            if let Some(&s) = index.get(entry.as_str()) {
                push(
                    LineKind::Entry,
                    (Node::Actor(a), Side::Right),
                    (Node::System(s), Side::Left),
                    format!("{} can reach {}", actor.name, name_of(s)),
                );
            }
        }
    }
    for flow in &model.flows {
        let (Some(&a), Some(&b)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str()))
        else {
            continue;
        };
        if a == b {
            continue;
        }
        let (ca, cb) = (layout.column_of[a], layout.column_of[b]);
        let (sa, sb) = if cb > ca {
            (Side::Right, Side::Left)
        } else if cb < ca {
            (Side::Left, Side::Right)
        } else {
            (Side::Right, Side::Right)
        };
        let mut title = format!("{}: {} → {}", flow.label, name_of(a), name_of(b));
        if !flow.carries.is_empty() {
            let carried: Vec<String> = flow.carries.iter().map(|d| data_name(d)).collect();
            title.push_str(&format!("; carries {}", carried.join(", ")));
        }
        if flow.crosses_trust_boundary {
            title.push_str("; crosses a trust boundary");
        }
        push(
            LineKind::Flow {
                crossing: flow.crosses_trust_boundary,
            },
            (Node::System(a), sa),
            (Node::System(b), sb),
            title,
        );
    }

    // Spread the ends on each box side, ordered by where the other end is.
    let mut ports: BTreeMap<(Node, Side), Vec<Port>> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        ports.entry(line.from).or_default().push(Port {
            line: i,
            start: true,
            other_y: rect_of(line.to.0).mid_y(),
        });
        ports.entry(line.to).or_default().push(Port {
            line: i,
            start: false,
            other_y: rect_of(line.from.0).mid_y(),
        });
    }
    for ((node, side), mut list) in ports {
        list.sort_by(|a, b| a.other_y.total_cmp(&b.other_y).then(a.line.cmp(&b.line)));
        let rect = rect_of(node);
        // Cylinders: keep the ends on the straight part.
        let (top, height) = match node {
            Node::Leaked(_) => (rect.y + STORE_RY * 2.0, rect.h - STORE_RY * 3.0),
            _ => (rect.y + 4.0, rect.h - 8.0),
        };
        let count = list.len() as f64;
        for (k, port) in list.iter().enumerate() {
            let y = top + height * (k as f64 + 1.0) / (count + 1.0);
            let x = match side {
                Side::Left => rect.x,
                Side::Right => rect.right(),
            };
            let line = &mut lines[port.line];
            if port.start {
                line.start = (x, y);
            } else {
                line.end = (x, y);
            }
        }
    }

    let legend_top = layout.bottom + 34.0;
    let legend = legend_items();
    let width = layout.width.max(660.0);
    let (legend_svg, legend_bottom) = draw_legend(&legend, prefix, MARGIN, legend_top, width);
    let height = legend_bottom + MARGIN;

    let mut svg = String::with_capacity(32 * 1024);
    let title = format!("Supply chain of {}", model.name);
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

    // Column headings.
    if !layout.leaked.is_empty() {
        heading(&mut svg, MARGIN, "Leaked / held data");
    }
    if let Some(first) = layout.actors.first() {
        heading(&mut svg, first.x, "Adversaries");
    }
    for c in 0..layout.columns {
        let text = match (c, layout.internet_sources) {
            (0, true) => "Internet-facing".to_string(),
            (0, false) => "Entry systems".to_string(),
            (1, _) => "1 hop in".to_string(),
            (c, _) => format!("{c} hops in"),
        };
        heading(
            &mut svg,
            layout.system_x0 + BAND_PAD_X + c as f64 * (SYS_W + COL_GAP),
            &text,
        );
    }

    // Trust domains.
    for band in &layout.bands {
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

    // Boxes.
    for (s, system) in model.systems.iter().enumerate() {
        let r = layout.systems[s];
        let (fill, stroke) = severity_colours(system.worst_open);
        let label = system_label(system);
        let mut tip = format!("{} ({})", name_of(s), system.id);
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
        draw_label(&mut svg, &label, r.x + 13.0, r.y + 8.0, INK, stroke, 12.0);
        svg.push_str("</a>");
    }
    for &(d, _, r) in &layout.stores {
        draw_store(&mut svg, &model.data[d], r, false);
    }
    for &(d, r) in &layout.leaked {
        draw_store(&mut svg, &model.data[d], r, true);
    }
    for (a, actor) in model.actors.iter().enumerate() {
        let r = layout.actors[a];
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
        draw_label(
            &mut svg,
            &label,
            r.x + 14.0,
            r.y + 8.0,
            INK,
            ACTOR_INK,
            12.0,
        );
        svg.push_str("</a>");
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

/// Tooltip text: escaped, keeping line breaks (as character references).
fn escape_tip(text: &str) -> String {
    text.split('\n')
        .map(escape)
        .collect::<Vec<_>>()
        .join("&#10;")
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

fn cylinder_path(r: Rect) -> (String, String) {
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

fn draw_store(svg: &mut String, data: &DataSummary, r: Rect, leaked: bool) {
    let (body, rim) = cylinder_path(r);
    let (fill, stroke, dash) = if leaked {
        ("#fff1f2", "#be123c", r##" stroke-dasharray="5 3""##)
    } else if data.sensitivity == "restricted" {
        ("#f5f3ff", "#6d28d9", "")
    } else {
        ("#f1f5f9", "#475569", "")
    };
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
    let label = data_label(data, r.w);
    let _ = write!(
        svg,
        r##"<g class="{}"><title>{}</title><path d="{body}" fill="{fill}" stroke="{stroke}" stroke-width="1.3"{dash}/><path d="{rim}" fill="none" stroke="{stroke}" stroke-width="1.3"{dash}/>"##,
        if leaked { "leaked-data" } else { "data-store" },
        escape_tip(&tip),
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
    let (class, stroke, width, dash, marker, opacity) = match line.kind {
        LineKind::Flow { crossing: true } => (
            "flow crossing",
            FLOW,
            "1.6",
            r##" stroke-dasharray="7 4""##,
            "arrow",
            "",
        ),
        LineKind::Flow { crossing: false } => ("flow", FLOW, "1.6", "", "arrow", ""),
        LineKind::Entry => (
            "entry",
            ACTOR_INK,
            "1",
            r##" stroke-dasharray="2 3""##,
            "arrow-red",
            r##" stroke-opacity="0.55""##,
        ),
        LineKind::Holds => (
            "holds",
            "#94a3b8",
            "1.2",
            r##" stroke-dasharray="2 3""##,
            "arrow-grey",
            "",
        ),
    };
    let _ = write!(
        svg,
        r##"<g class="{class}"><title>{}</title><path d="{d}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}{opacity} marker-end="url(#{prefix}-{marker})"/></g>"##,
        escape(&line.title)
    );
}

enum Swatch {
    Severity(Option<Severity>),
    Line(LineKind),
    Store { leaked: bool },
    Domain,
    Actor,
}

fn legend_items() -> Vec<(Swatch, &'static str)> {
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

/// The legend, wrapped to `width`; returns its SVG and bottom.
fn draw_legend(
    items: &[(Swatch, &'static str)],
    prefix: &str,
    x0: f64,
    top: f64,
    width: f64,
) -> (String, f64) {
    let mut svg = String::from(r##"<g class="legend">"##);
    let (mut x, mut y) = (x0, top);
    let row = 24.0;
    for (swatch, text) in items {
        let item_w = 34.0 + text.chars().count() as f64 * 6.3 + 22.0;
        if x > x0 && x + item_w > width - MARGIN {
            x = x0;
            y += row;
        }
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
                let (stroke, dash, marker, w) = match kind {
                    LineKind::Flow { crossing: true } => {
                        (FLOW, r##" stroke-dasharray="7 4""##, "arrow", "1.6")
                    }
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
                };
                let _ = write!(
                    svg,
                    r##"<path d="M{} {}H{}" stroke="{stroke}" stroke-width="{w}"{dash} marker-end="url(#{prefix}-{marker})"/>"##,
                    n(x),
                    n(y - 4.0),
                    n(x + 26.0)
                );
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::FlowSummary;

    fn system(id: &str, owner: Option<&str>, exposure: &'static str) -> SystemSummary {
        SystemSummary {
            id: id.to_string(),
            name: format!("System {id} with a fairly long descriptive name"),
            owner: owner.map(str::to_string),
            platforms: vec!["Linux".to_string()],
            exposure,
            verifies: Vec::new(),
            telemetry: Vec::new(),
            worst_open: Some(Severity::High),
            location: Default::default(),
        }
    }

    fn flow(from: &str, to: &str, crossing: bool) -> FlowSummary {
        FlowSummary {
            label: format!("{from}->{to}"),
            from: from.to_string(),
            to: to.to_string(),
            carries: Vec::new(),
            crosses_trust_boundary: crossing,
        }
    }

    fn model(systems: Vec<SystemSummary>, flows: Vec<FlowSummary>) -> ModelSummary {
        ModelSummary {
            file: "m.yaml".to_string(),
            name: "m".to_string(),
            description: None,
            actors: vec![ActorSummary {
                id: "a".to_string(),
                name: "Actor".to_string(),
                groups: Vec::new(),
                techniques: Vec::new(),
                exclude: Vec::new(),
                holds: vec!["leak".to_string()],
                entry: vec!["s0".to_string()],
                reaches: vec!["s0".to_string()],
                reaches_data: Vec::new(),
            }],
            systems,
            data: vec![
                DataSummary {
                    id: "leak".to_string(),
                    name: Some("Leaked images".to_string()),
                    kind: "id-card-image".to_string(),
                    sensitivity: "restricted",
                    records: Some(6_500_000),
                    stored_in: Vec::new(),
                    leaked_year: Some(2015),
                    leak_source: None,
                },
                DataSummary {
                    id: "db".to_string(),
                    name: None,
                    kind: "personal-data".to_string(),
                    sensitivity: "confidential",
                    records: Some(1),
                    stored_in: vec!["s1".to_string()],
                    leaked_year: None,
                    leak_source: None,
                },
            ],
            flows,
            controls: Vec::new(),
            accepted: Vec::new(),
        }
    }

    /// 50 systems over 6 owners in a chain with branches.
    fn large() -> ModelSummary {
        let owners = ["Bank", "Shop", "Vendor", "Registry", "Telco", "BPO"];
        let systems = (0..50)
            .map(|i| {
                system(
                    &format!("s{i}"),
                    if i % 13 == 12 {
                        None
                    } else {
                        Some(owners[i % owners.len()])
                    },
                    if i % 7 == 0 { "internet" } else { "internal" },
                )
            })
            .collect();
        let flows = (1..50)
            .map(|i| flow(&format!("s{}", (i - 1) / 2), &format!("s{i}"), i % 3 == 0))
            .collect();
        model(systems, flows)
    }

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
    }

    #[test]
    fn escapes_everything() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</svg>\u{0}"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/svg&gt;\\u{0}"
        );
        let mut m = model(
            vec![system("s0", Some("</svg><script>x()</script>"), "internet")],
            Vec::new(),
        );
        m.systems[0].name = "<img src=x onerror=alert(1)> \" onmouseover=alert(1)".to_string();
        let svg = supply_chain(&m, "t");
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<img"));
        assert!(!svg.contains("\" onmouseover"));
        assert_eq!(svg.matches("</svg>").count(), 1);
    }

    #[test]
    fn wraps_and_cuts() {
        assert_eq!(wrap("a b c", 10, 2), vec!["a b c"]);
        assert_eq!(
            wrap("one two three four five six", 9, 2),
            vec!["one two", "three…"]
        );
        assert_eq!(
            wrap("averyveryverylongword", 8, 3),
            vec!["averyver", "yverylon", "gword"]
        );
        assert_eq!(
            wrap("national-population-register", 12, 3),
            vec!["national-", "population-", "register"]
        );
        assert_eq!(wrap("", 10, 2), vec![""]);
        assert_eq!(
            wrap("averyveryverylongword", 8, 2),
            vec!["averyver", "yverylo…"]
        );
        let facts = ["leaked 2017", "restricted", "6.5M records"].map(String::from);
        assert_eq!(
            pack(&facts, 24, 2),
            vec!["leaked 2017 · restricted", "6.5M records"]
        );
        assert_eq!(
            pack(&facts, 40, 2),
            vec!["leaked 2017 · restricted · 6.5M records"]
        );
        assert_eq!(pack(&facts, 12, 2), vec!["leaked 2017", "restricted…"]);
    }

    #[test]
    fn fifty_systems_do_not_overlap_and_render_deterministically() {
        let m = large();
        let layout = layout(&m);
        for (i, a) in layout.systems.iter().enumerate() {
            assert!(a.h > 0.0);
            for b in &layout.systems[i + 1..] {
                assert!(!overlaps(a, b), "{a:?} overlaps {b:?}");
            }
            for (_, _, store) in &layout.stores {
                assert!(!overlaps(a, store));
            }
        }
        for (i, a) in layout.bands.iter().enumerate() {
            for b in &layout.bands[i + 1..] {
                assert!(!overlaps(&a.rect, &b.rect));
            }
        }
        // Every system sits inside its owner's band.
        for (s, system) in m.systems.iter().enumerate() {
            let band = layout
                .bands
                .iter()
                .find(|b| b.owner.as_deref() == system.owner.as_deref())
                .expect("band");
            let r = layout.systems[s];
            assert!(r.x >= band.rect.x && r.right() <= band.rect.right());
            assert!(r.y >= band.rect.y && r.bottom() <= band.rect.bottom());
        }
        let svg = supply_chain(&m, "big");
        assert_eq!(svg, supply_chain(&m, "big"));
        assert_eq!(svg.matches(r#"<a class="system""#).count(), 50);
        assert_eq!(svg.matches(r#"<g class="trust-domain">"#).count(), 7);
    }

    #[test]
    fn columns_follow_flows_from_the_internet() {
        let m = model(
            vec![
                system("s0", Some("A"), "internet"),
                system("s1", Some("A"), "internal"),
                system("s2", Some("B"), "partner"),
                system("s3", Some("B"), "internal"),
                system("s4", Some("B"), "partner"),
            ],
            vec![
                flow("s0", "s1", false),
                flow("s1", "s2", true),
                flow("s3", "s2", false),
            ],
        );
        let index = m
            .systems
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let (columns, internet) = columns(&m, &index);
        assert!(internet);
        // s3 only flows into the reached part; s4 is isolated (partner).
        assert_eq!(columns, vec![0, 1, 2, 1, 1]);
    }
}
