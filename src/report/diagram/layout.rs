//! Where every box of the diagram goes: the systems' columns (breadth-first from the
//! internet-facing systems), the trust-domain bands stacked top to bottom, each column's
//! systems ordered for fewer crossings with their stores under them, and the leaked data and
//! actors on the left. Boxes are sized by their labels ([`super::text`]); nothing is drawn
//! here.

use std::collections::VecDeque;

use super::geometry::{
    ACTOR_GAP, ACTOR_W, BAND_GAP, BAND_PAD_BOTTOM, BAND_PAD_X, COL_GAP, HEADER_H, LABEL_CHAR,
    LEAK_GAP, LEAK_W, Links, MARGIN, STACK_GAP, STORE_INDENT, STORE_RY, STORE_W, SYS_W,
};
use super::text::{actor_label, chars_for, data_label, system_label, wrap};
use crate::report::{ModelSummary, SystemSummary};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl Rect {
    pub(super) fn right(&self) -> f64 {
        self.x + self.w
    }
    pub(super) fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub(super) fn mid_y(&self) -> f64 {
        self.y + self.h / 2.0
    }
}

/// Where every box of a diagram is.
pub(super) struct Layout {
    pub(super) columns: usize,
    pub(super) systems: Vec<Rect>,
    pub(super) column_of: Vec<usize>,
    pub(super) bands: Vec<Band>,
    /// (data index, system index, cylinder).
    pub(super) stores: Vec<(usize, usize, Rect)>,
    pub(super) actors: Vec<Rect>,
    /// (data index, cylinder) of leaked data drawn in the left column.
    pub(super) leaked: Vec<(usize, Rect)>,
    pub(super) system_x0: f64,
    pub(super) width: f64,
    pub(super) bottom: f64,
    pub(super) internet_sources: bool,
}

impl Layout {
    /// The x of the systems of column `c`.
    pub(super) fn column_x(&self, c: usize) -> f64 {
        column_x(self.system_x0, c)
    }
}

pub(super) struct Band {
    pub(super) owner: Option<String>,
    pub(super) label: Vec<String>,
    pub(super) rect: Rect,
}

fn column_x(system_x0: f64, c: usize) -> f64 {
    system_x0 + BAND_PAD_X + c as f64 * (SYS_W + COL_GAP)
}

/// Places every box: columns first, then the left side, then the bands top to bottom.
pub(super) fn layout(model: &ModelSummary, links: &Links) -> Layout {
    let (column_of, internet_sources) = columns(model, links);
    let column_count = column_of.iter().copied().max().map_or(0, |c| c + 1);
    let left = left_side(model);
    let top = MARGIN + HEADER_H;
    let mut stacker = Stacker {
        model,
        column_of: &column_of,
        rank: ranks(links, &column_of),
        system_x0: left.system_x0,
        systems: vec![
            Rect {
                x: 0.0,
                y: 0.0,
                w: SYS_W,
                h: 0.0
            };
            model.systems.len()
        ],
        stores: Vec::new(),
    };
    let mut bands = Vec::new();
    let mut y = top;
    for owner in owners(model) {
        let band = stacker.band(owner, y);
        y = band.rect.bottom() + BAND_GAP;
        bands.push(band);
    }

    let mut width = column_x(left.system_x0, column_count.max(1) - 1) + SYS_W + BAND_PAD_X + 56.0;
    if model.systems.is_empty() {
        width = left.system_x0 + 260.0;
    }
    let mut bottom = y - BAND_GAP;
    for r in left.actors.iter().chain(left.leaked.iter().map(|(_, r)| r)) {
        bottom = bottom.max(r.bottom());
    }
    let Stacker {
        systems, stores, ..
    } = stacker;
    Layout {
        columns: column_count,
        systems,
        column_of,
        bands,
        stores,
        actors: left.actors,
        leaked: left.leaked,
        system_x0: left.system_x0,
        width: width + MARGIN,
        bottom,
        internet_sources,
    }
}

/// Each system's column: flows away from the internet-facing systems.
fn columns(model: &ModelSummary, links: &Links) -> (Vec<usize>, bool) {
    let count = model.systems.len();
    let mut out: Vec<Option<usize>> = vec![None; count];
    let internet: Vec<usize> = (0..count)
        .filter(|&s| model.systems[s].exposure == "internet")
        .collect();
    let internet_sources = !internet.is_empty();
    let sources = if internet_sources {
        internet
    } else {
        (0..count)
            .filter(|&s| links.backward[s].is_empty())
            .collect()
    };
    let mut queue: VecDeque<usize> = VecDeque::new();
    for s in sources {
        out[s] = Some(0);
        queue.push_back(s);
    }
    // Along the flows, then against them for what only flows into the reached part.
    // Against them, a system sits one column left of what it flows into.
    for (edges, along) in [(&links.forward, true), (&links.backward, false)] {
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

/// The columns left of the systems: leaked data, then actors.
struct LeftSide {
    leaked: Vec<(usize, Rect)>,
    actors: Vec<Rect>,
    /// Where the systems' part starts.
    system_x0: f64,
}

fn left_side(model: &ModelSummary) -> LeftSide {
    // Leaked, or otherwise held, data that no system of the model stores.
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
    for d in held {
        let h = data_label(&model.data[d], LEAK_W).height() + 2.0 * STORE_RY + 2.0;
        let (x, w) = (leak_x, LEAK_W);
        leaked.push((d, Rect { x, y, w, h }));
        y += h + 14.0;
    }
    let mut actors = Vec::new();
    let mut y = top + 6.0;
    for actor in &model.actors {
        let h = actor_label(actor).height();
        let (x, w) = (actor_x, ACTOR_W);
        actors.push(Rect { x, y, w, h });
        y += h + 16.0;
    }
    LeftSide {
        leaked,
        actors,
        system_x0,
    }
}

/// A system's trust domain: its owner, trimmed, if it names one.
fn owner_of(system: &SystemSummary) -> Option<String> {
    system
        .owner
        .as_ref()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
}

/// Trust domains, in the order the model first names their owners; `None` (no owner) last.
fn owners(model: &ModelSummary) -> Vec<Option<String>> {
    let mut owners: Vec<Option<String>> = Vec::new();
    for system in &model.systems {
        let owner = owner_of(system);
        if owner.is_some() && !owners.contains(&owner) {
            owners.push(owner);
        }
    }
    if model.systems.iter().any(|s| owner_of(s).is_none()) {
        owners.push(None);
    }
    owners
}

/// The order inside a column: the mean rank of the systems flowing in from columns to the
/// left (their own ranks computed first), else model order.
fn ranks(links: &Links, column_of: &[usize]) -> Vec<f64> {
    let count = column_of.len();
    let mut rank: Vec<f64> = (0..count).map(|s| s as f64).collect();
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&s| (column_of[s], s));
    for &s in &order {
        let preds: Vec<f64> = links.backward[s]
            .iter()
            .filter(|&&p| column_of[p] < column_of[s])
            .map(|&p| rank[p])
            .collect();
        if !preds.is_empty() {
            rank[s] = preds.iter().sum::<f64>() / preds.len() as f64;
        }
    }
    rank
}

/// Places the systems band by band, and each system's stores under it.
struct Stacker<'a> {
    model: &'a ModelSummary,
    column_of: &'a [usize],
    rank: Vec<f64>,
    system_x0: f64,
    systems: Vec<Rect>,
    /// (data index, system index, cylinder), as in [`Layout::stores`].
    stores: Vec<(usize, usize, Rect)>,
}

impl Stacker<'_> {
    /// The band of `owner`'s systems, its top at `y`, placing the systems in it.
    fn band(&mut self, owner: Option<String>, y: f64) -> Band {
        let members: Vec<usize> = (0..self.model.systems.len())
            .filter(|&s| owner_of(&self.model.systems[s]) == owner)
            .collect();
        let first = members
            .iter()
            .map(|&s| self.column_of[s])
            .min()
            .unwrap_or(0);
        let last = members
            .iter()
            .map(|&s| self.column_of[s])
            .max()
            .unwrap_or(0);
        let band_x = column_x(self.system_x0, first) - BAND_PAD_X;
        let band_w = column_x(self.system_x0, last) + SYS_W + BAND_PAD_X - band_x;
        let title = owner
            .clone()
            .unwrap_or_else(|| "No owner given".to_string());
        let label = wrap(&title, chars_for(band_w + 8.0, LABEL_CHAR), 2);
        let content_top = y + 12.0 + label.len() as f64 * 16.0 + 4.0;
        let mut band_bottom = content_top;
        for c in first..=last {
            band_bottom = band_bottom.max(self.column(&members, c, content_top));
        }
        let rect = Rect {
            x: band_x,
            y,
            w: band_w,
            h: band_bottom + BAND_PAD_BOTTOM - y,
        };
        Band { owner, label, rect }
    }

    /// Stacks the `members` of column `c` from `top` down; returns the bottom of the lowest
    /// (`top` when there is none).
    fn column(&mut self, members: &[usize], c: usize, top: f64) -> f64 {
        let mut column: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&s| self.column_of[s] == c)
            .collect();
        column.sort_by(|&a, &b| self.rank[a].total_cmp(&self.rank[b]).then(a.cmp(&b)));
        let mut bottom = top;
        let mut cy = top;
        for s in column {
            let h = system_label(&self.model.systems[s]).height();
            let x = column_x(self.system_x0, c);
            self.systems[s] = Rect {
                x,
                y: cy,
                w: SYS_W,
                h,
            };
            cy = self.stores_under(s, x, cy + h);
            bottom = bottom.max(cy);
            cy += STACK_GAP;
        }
        bottom
    }

    /// Stacks the stores of system `s` (at `x`) from `y` down; returns their bottom.
    fn stores_under(&mut self, s: usize, x: f64, mut y: f64) -> f64 {
        for (d, data) in self.model.data.iter().enumerate() {
            if data.stored_in.contains(&self.model.systems[s].id) {
                let h = data_label(data, STORE_W).height() + 2.0 * STORE_RY + 2.0;
                y += 8.0;
                let (x, w) = (x + STORE_INDENT, STORE_W);
                self.stores.push((d, s, Rect { x, y, w, h }));
                y += h;
            }
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{flow, large, model, system};
    use super::super::supply_chain;
    use super::*;

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
    }

    #[test]
    fn fifty_systems_do_not_overlap_and_render_deterministically() {
        let m = large();
        let layout = layout(&m, &Links::new(&m));
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
        let (columns, internet) = columns(&m, &Links::new(&m));
        assert!(internet);
        // s3 only flows into the reached part; s4 is isolated (partner).
        assert_eq!(columns, vec![0, 1, 2, 1, 1]);
    }
}
