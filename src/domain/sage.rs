//! Community livelihood sages (ปราชญ์สัมมาชีพชุมชน), their assignment to
//! households, and how the app proposes who should coach whom.
//!
//! **Suggestions for one household** order the sages by how well they fit
//! ([`Fit::cost`]: the household's own district first — an expert of its
//! subdistrict, of its district, then anyone of its subdistrict, of its
//! district — then experts and others of the province, then elsewhere), then
//! by the lightest load, then by id. Full sages are listed but cannot be
//! chosen.
//!
//! **A plan for many** is a min-cost maximum flow: it covers as many households
//! as every sage's free places allow, and among the plans that do, takes the one
//! whose matches are best in total (a match costs its expertise and place tier,
//! see [`Fit::cost`]).

use serde::{Deserialize, Serialize};

use super::{
    date::Date,
    thai::{self, DateError, NationalId, NationalIdError},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SageStatus {
    #[default]
    Active,
    Inactive,
}

impl SageStatus {
    pub const ALL: [SageStatus; 2] = [SageStatus::Active, SageStatus::Inactive];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sage {
    pub id: u64,
    pub version: u64,
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub national_id: NationalId,
    pub phone: String,
    /// Village code (PPDDSSVV) of the sage's home.
    pub home_village: u32,
    /// Occupation category codes.
    pub expertise: Vec<u16>,
    /// Households coached at once.
    pub capacity: u16,
    pub status: SageStatus,
}

impl Sage {
    /// A new sage, before the form's fields are applied.
    pub fn blank() -> Sage {
        Sage {
            id: 0,
            version: 0,
            title: String::new(),
            given_name: String::new(),
            family_name: String::new(),
            national_id: NationalId::PLACEHOLDER,
            phone: String::new(),
            home_village: 0,
            expertise: Vec::new(),
            capacity: 1,
            status: SageStatus::Active,
        }
    }

    pub fn full_name(&self) -> String {
        format!("{}{} {}", self.title, self.given_name, self.family_name)
    }

    pub fn subdistrict(&self) -> u32 {
        self.home_village / 100
    }

    pub fn district(&self) -> u16 {
        (self.home_village / 10_000) as u16
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum AssignmentStatus {
    #[default]
    Planned,
    Active,
    Done,
    Cancelled,
}

impl AssignmentStatus {
    pub const ALL: [AssignmentStatus; 4] = [
        AssignmentStatus::Planned,
        AssignmentStatus::Active,
        AssignmentStatus::Done,
        AssignmentStatus::Cancelled,
    ];

    /// Planned and active assignments take one of the sage's places.
    pub fn takes_a_place(self) -> bool {
        matches!(self, AssignmentStatus::Planned | AssignmentStatus::Active)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub date: Date,
    pub notes: String,
    pub next_step: String,
}

/// A sage coaching one household (an occupation record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: u64,
    pub version: u64,
    pub sage_id: u64,
    /// The occupation record: fund, member, record id.
    pub occupation: (u64, u64, u64),
    /// The household's name, copied for the sage's list.
    pub household: String,
    /// The household's district, for the district's figures.
    pub district: u16,
    pub start: Date,
    pub end: Option<Date>,
    pub status: AssignmentStatus,
    pub visits: Vec<Visit>,
}

// ---------------------------------------------------------------- matching

/// How well a sage fits a household.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fit {
    /// 0: the household's occupation is among the sage's expertise; 1: not.
    pub expertise: u8,
    /// 0 same subdistrict, 1 same district, 2 same province, 3 elsewhere.
    pub place: u8,
}

impl Fit {
    pub fn of(sage: &Sage, category: u16, village: u32) -> Fit {
        let (s, h) = (sage.home_village, village);
        let place = if s / 100 == h / 100 {
            0
        } else if s / 10_000 == h / 10_000 {
            1
        } else if s / 1_000_000 == h / 1_000_000 {
            2
        } else {
            3
        };
        Fit { expertise: u8::from(!sage.expertise.contains(&category)), place }
    }

    /// The household's own district first, expertise first within it: 0
    /// (expert, same subdistrict), 1 (expert, same district), 2 (other
    /// expertise, same subdistrict), 3 (other expertise, same district), then
    /// 4 and 5 for the province, 6 and 7 elsewhere. A district's plan fills
    /// its own sages before it takes another district's.
    pub fn cost(self) -> i64 {
        let (e, p) = (i64::from(self.expertise), i64::from(self.place));
        if p <= 1 { e * 2 + p } else { 4 + (p - 2) * 2 + e }
    }
}

/// A sage as the matching sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub sage: u64,
    pub home_village: u32,
    pub expertise: Vec<u16>,
    /// Places taken now.
    pub load: u32,
    pub capacity: u32,
}

impl Candidate {
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.load)
    }
}

/// A household to be coached: its occupation's category and its village.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Household {
    pub key: (u64, u64, u64),
    pub category: u16,
    pub village: u32,
}

fn fit(c: &Candidate, h: &Household) -> Fit {
    let s = Sage {
        id: c.sage,
        home_village: c.home_village,
        expertise: c.expertise.clone(),
        capacity: 0,
        status: SageStatus::Active,
        ..Sage::blank()
    };
    Fit::of(&s, h.category, h.village)
}

/// The sages for one household, best first: expertise, then place, then the
/// lightest load (then id). Full ones stay in the list, marked by `free() == 0`.
pub fn suggest<'a>(sages: &'a [Candidate], h: &Household) -> Vec<(&'a Candidate, Fit)> {
    let mut v: Vec<(&Candidate, Fit)> = sages.iter().map(|c| (c, fit(c, h))).collect();
    v.sort_by_key(|a| (a.1.cost(), a.0.load, a.0.sage));
    v
}

/// Why a household is left out of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uncovered {
    /// No sage with the household's occupation among their expertise has a free place.
    NoExpertFree,
    /// Sages with free places exist, but fewer than the households that need them.
    NotEnoughPlaces,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Plan {
    /// (household index, sage id, fit), by household index.
    pub matches: Vec<(usize, u64, Fit)>,
    pub uncovered: Vec<(usize, Uncovered)>,
}

impl Plan {
    pub fn cost(&self) -> i64 {
        self.matches.iter().map(|m| m.2.cost()).sum()
    }
}

/// Min-cost maximum flow on source → household (1) → hub → sage → sink (free
/// places). Hubs group the sages a household can reach at one cost — the
/// expert sages of its subdistrict, of its district, of the province, and any
/// sage of its subdistrict, district, province, at [`Fit::cost`] — so the
/// graph stays small however many sages there are.
///
/// Only sages of the households' provinces can be reached, so only they enter
/// the graph, and a hub looks only at the sages of its area: a district's plan
/// on a store of the whole nation costs what it costs on its province.
pub fn plan(households: &[Household], sages: &[Candidate]) -> Plan {
    use std::collections::{HashMap, HashSet};
    let provinces: HashSet<u32> = households.iter().map(|h| h.village / 1_000_000).collect();
    // The categories some free sage anywhere knows (for why a household is
    // left out).
    let known: HashSet<u16> =
        sages.iter().filter(|c| c.free() > 0).flat_map(|c| c.expertise.iter().copied()).collect();
    let sages: Vec<&Candidate> =
        sages.iter().filter(|c| c.free() > 0 && provinces.contains(&(c.home_village / 1_000_000))).collect();
    // The sages of each subdistrict (kind 0), district (1) and province (2).
    let mut in_area: HashMap<(u8, u32), Vec<usize>> = HashMap::new();
    for (i, c) in sages.iter().enumerate() {
        let v = c.home_village;
        for (kind, area) in [(0u8, v / 100), (1, v / 10_000), (2, v / 1_000_000)] {
            in_area.entry((kind, area)).or_default().push(i);
        }
    }
    let mut g = Flow::new(2);
    let (source, sink) = (0, 1);
    let sage_node: Vec<usize> = sages.iter().map(|_| g.node()).collect();
    for (i, c) in sages.iter().enumerate() {
        g.edge(sage_node[i], sink, i64::from(c.free()), 0);
    }
    // Hubs, made on demand: (kind, area, category) → node.
    let mut hubs: HashMap<(u8, u32, u16), usize> = HashMap::new();
    let mut hub = |g: &mut Flow, kind: u8, area: u32, cat: u16| -> usize {
        if let Some(n) = hubs.get(&(kind, area, cat)) {
            return *n;
        }
        let n = g.node();
        for &i in in_area.get(&(kind % 3, area)).map_or(&[][..], Vec::as_slice) {
            if kind >= 3 || sages[i].expertise.contains(&cat) {
                g.edge(n, sage_node[i], i64::MAX / 4, 0);
            }
        }
        hubs.insert((kind, area, cat), n);
        n
    };
    let infinite = i64::MAX / 4;
    let mut household_node = Vec::with_capacity(households.len());
    for h in households {
        let n = g.node();
        household_node.push(n);
        g.edge(source, n, 1, 0);
        let (sub, dist, prov) = (h.village / 100, h.village / 10_000, h.village / 1_000_000);
        // kinds 0–2: experts of the subdistrict, district, province; 3–5:
        // anyone there; each at its `Fit::cost`.
        let at = |expertise: u8, place: u8| Fit { expertise, place }.cost();
        for (kind, area, cost) in [
            (0u8, sub, at(0, 0)),
            (1, dist, at(0, 1)),
            (2, prov, at(0, 2)),
            (3, sub, at(1, 0)),
            (4, dist, at(1, 1)),
            (5, prov, at(1, 2)),
        ] {
            let cat = if kind >= 3 { 0 } else { h.category };
            let to = hub(&mut g, kind, area, cat);
            g.edge(n, to, infinite, cost);
        }
    }
    g.min_cost_max_flow(source, sink);

    // Read the matches back: which sage each household's unit reached.
    let mut plan = Plan::default();
    let mut through: Vec<Vec<(usize, i64)>> = vec![Vec::new(); g.adj.len()];
    for (u, edges) in g.adj.iter().enumerate() {
        for &e in edges {
            let ed = &g.edges[e];
            if ed.original && ed.flow > 0 {
                through[u].push((ed.to, ed.flow));
            }
        }
    }
    let mut sage_of_node = HashMap::new();
    for (i, n) in sage_node.iter().enumerate() {
        sage_of_node.insert(*n, i);
    }
    for (hi, n) in household_node.iter().enumerate() {
        // The household's unit went to one hub and on to one sage; hubs carry
        // many units, so take one unit off a sage edge of that hub.
        let Some(&(hub_node, _)) = through[*n].first() else { continue };
        let Some(slot) = through[hub_node].iter_mut().find(|(_, f)| *f > 0) else { continue };
        slot.1 -= 1;
        let Some(&si) = sage_of_node.get(&slot.0) else { continue };
        plan.matches.push((hi, sages[si].sage, fit(sages[si], &households[hi])));
    }
    // Units through a hub are interchangeable between the households that use
    // it, so the split above is a valid plan of the same size; its cost can
    // differ from the flow's only between equal-cost hubs.
    let covered: std::collections::HashSet<usize> = plan.matches.iter().map(|m| m.0).collect();
    for (hi, h) in households.iter().enumerate() {
        if !covered.contains(&hi) {
            let why = if known.contains(&h.category) {
                Uncovered::NotEnoughPlaces
            } else {
                Uncovered::NoExpertFree
            };
            plan.uncovered.push((hi, why));
        }
    }
    plan
}

/// A flow network with costs, solved by successive shortest paths with
/// Dijkstra on reduced costs (Johnson potentials), pushing along every shortest
/// path at once (a blocking flow per phase), so the phases are as few as the
/// distinct path costs.
struct Flow {
    adj: Vec<Vec<usize>>,
    edges: Vec<Edge>,
}

struct Edge {
    to: usize,
    cap: i64,
    flow: i64,
    cost: i64,
    original: bool,
}

impl Flow {
    fn new(nodes: usize) -> Self {
        Flow { adj: vec![Vec::new(); nodes], edges: Vec::new() }
    }

    fn node(&mut self) -> usize {
        self.adj.push(Vec::new());
        self.adj.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) {
        self.adj[from].push(self.edges.len());
        self.edges.push(Edge { to, cap, flow: 0, cost, original: true });
        self.adj[to].push(self.edges.len());
        self.edges.push(Edge { to: from, cap: 0, flow: 0, cost: -cost, original: false });
    }

    fn residual(&self, e: usize) -> i64 {
        self.edges[e].cap - self.edges[e].flow
    }

    fn min_cost_max_flow(&mut self, s: usize, t: usize) {
        use std::{cmp::Reverse, collections::BinaryHeap};
        let n = self.adj.len();
        let mut potential = vec![0i64; n];
        loop {
            // Shortest reduced distances from s.
            let mut dist = vec![i64::MAX; n];
            dist[s] = 0;
            let mut heap = BinaryHeap::new();
            heap.push(Reverse((0i64, s)));
            while let Some(Reverse((d, u))) = heap.pop() {
                if d > dist[u] {
                    continue;
                }
                for &e in &self.adj[u] {
                    if self.residual(e) <= 0 {
                        continue;
                    }
                    let v = self.edges[e].to;
                    let nd = d + self.edges[e].cost + potential[u] - potential[v];
                    if nd < dist[v] {
                        dist[v] = nd;
                        heap.push(Reverse((nd, v)));
                    }
                }
            }
            if dist[t] == i64::MAX {
                return;
            }
            for v in 0..n {
                if dist[v] < i64::MAX {
                    potential[v] += dist[v];
                }
            }
            // Blocking flow on the admissible edges (reduced cost 0).
            loop {
                let mut level = vec![u32::MAX; n];
                level[s] = 0;
                let mut queue = std::collections::VecDeque::from([s]);
                while let Some(u) = queue.pop_front() {
                    for &e in &self.adj[u] {
                        let v = self.edges[e].to;
                        let admissible = self.edges[e].cost + potential[u] - potential[v] == 0;
                        if self.residual(e) > 0 && admissible && level[v] == u32::MAX {
                            level[v] = level[u] + 1;
                            queue.push_back(v);
                        }
                    }
                }
                if level[t] == u32::MAX {
                    break;
                }
                let mut next = vec![0usize; n];
                let mut pushed_any = false;
                loop {
                    let f = self.push(s, t, i64::MAX, &level, &potential, &mut next);
                    if f == 0 {
                        break;
                    }
                    pushed_any = true;
                }
                if !pushed_any {
                    break;
                }
            }
        }
    }

    /// One augmenting path in the level graph (iterative DFS).
    fn push(
        &mut self,
        s: usize,
        t: usize,
        limit: i64,
        level: &[u32],
        pot: &[i64],
        next: &mut [usize],
    ) -> i64 {
        let mut path: Vec<usize> = Vec::new();
        let mut u = s;
        loop {
            if u == t {
                let f = path.iter().map(|e| self.residual(*e)).min().unwrap_or(limit).min(limit);
                for &e in &path {
                    self.edges[e].flow += f;
                    self.edges[e ^ 1].flow -= f;
                }
                return f;
            }
            let mut advanced = false;
            while next[u] < self.adj[u].len() {
                let e = self.adj[u][next[u]];
                let v = self.edges[e].to;
                let admissible = self.edges[e].cost + pot[u] - pot[v] == 0;
                if self.residual(e) > 0 && admissible && level[v] == level[u] + 1 {
                    path.push(e);
                    u = v;
                    advanced = true;
                    break;
                }
                next[u] += 1;
            }
            if !advanced {
                // Dead end: retreat.
                let Some(e) = path.pop() else { return 0 };
                u = self.edges[e ^ 1].to;
                next[u] += 1;
            }
        }
    }
}

// ---------------------------------------------------------------- forms

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SageField {
    Title,
    GivenName,
    FamilyName,
    NationalId,
    Phone,
    HomeVillage,
    Expertise,
    Capacity,
    Status,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SageError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("required")]
    Required,
    #[error("longer than {0} characters")]
    TooLong(usize),
    #[error("national ID: {0}")]
    NationalId(NationalIdError),
    #[error("phone: 9 or 10 digits starting with 0")]
    Phone,
    #[error("village code: 8 digits")]
    Village,
    #[error("no such village {0}")]
    UnknownVillage(u32),
    #[error("at least one occupation")]
    NoExpertise,
    #[error("unknown occupation {0}")]
    UnknownCategory(String),
    #[error("capacity 1 to {0}")]
    Capacity(u16),
    #[error("below the {0} households coached now")]
    BelowLoad(u32),
}

pub const MAX_CAPACITY: u16 = 50;

#[derive(Clone, Debug, Default)]
pub struct SageDraft {
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub national_id: String,
    pub phone: String,
    pub home_village: String,
    /// Category codes or names, separated by commas.
    pub expertise: Vec<u16>,
    pub capacity: String,
    pub status: SageStatus,
}

impl SageDraft {
    /// `village_known`: whether the gazetteer knows a village code (`None`:
    /// it holds no villages to check against). `load`: households coached now.
    pub fn apply(
        &self,
        s: &mut Sage,
        village_known: &dyn Fn(u32) -> Option<bool>,
        load: u32,
    ) -> Result<(), Vec<(SageField, SageError)>> {
        let mut errs = Vec::new();
        let mut text = |field, v: &str, max: usize, required: bool| {
            let v = v.trim();
            if required && v.is_empty() {
                errs.push((field, SageError::Required));
            } else if v.chars().count() > max {
                errs.push((field, SageError::TooLong(max)));
            } else if let Some(c) = crate::domain::clean::forbidden(v) {
                errs.push((field, SageError::Unsafe(c)));
            }
            v.to_string()
        };
        let title = text(SageField::Title, &self.title, 20, true);
        let given = text(SageField::GivenName, &self.given_name, 60, true);
        let family = text(SageField::FamilyName, &self.family_name, 60, true);
        let nid = NationalId::parse(&self.national_id)
            .map_err(|e| errs.push((SageField::NationalId, SageError::NationalId(e))))
            .ok();
        let phone: String =
            thai::normalize_digits(self.phone.trim()).chars().filter(|c| !" -".contains(*c)).collect();
        let good_phone = phone.starts_with('0')
            && (9..=10).contains(&phone.len())
            && phone.chars().all(|c| c.is_ascii_digit());
        if !phone.is_empty() && !good_phone {
            errs.push((SageField::Phone, SageError::Phone));
        }
        let village: String =
            thai::normalize_digits(self.home_village.trim()).chars().filter(|c| !" -".contains(*c)).collect();
        let village = match village.parse::<u32>() {
            Ok(v) if village.len() == 8 => {
                if village_known(v) == Some(false) {
                    errs.push((SageField::HomeVillage, SageError::UnknownVillage(v)));
                }
                Some(v)
            }
            _ => {
                errs.push((SageField::HomeVillage, SageError::Village));
                None
            }
        };
        if self.expertise.is_empty() {
            errs.push((SageField::Expertise, SageError::NoExpertise));
        }
        let capacity = match thai::parse_int(&self.capacity) {
            Some(c) if (1..=i64::from(MAX_CAPACITY)).contains(&c) => {
                if (c as u32) < load {
                    errs.push((SageField::Capacity, SageError::BelowLoad(load)));
                }
                Some(c as u16)
            }
            _ => {
                errs.push((SageField::Capacity, SageError::Capacity(MAX_CAPACITY)));
                None
            }
        };
        let (Some(nid), Some(village), Some(capacity), true) = (nid, village, capacity, errs.is_empty())
        else {
            return Err(errs);
        };
        s.title = title;
        s.given_name = given;
        s.family_name = family;
        s.national_id = nid;
        s.phone = phone;
        s.home_village = village;
        let mut expertise = self.expertise.clone();
        expertise.sort_unstable();
        expertise.dedup();
        s.expertise = expertise;
        s.capacity = capacity;
        s.status = self.status;
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VisitField {
    Date,
    Notes,
    NextStep,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("date: {0}")]
    Date(DateError),
    #[error("before the assignment began")]
    BeforeStart,
    #[error("in the future")]
    Future,
    #[error("required")]
    Required,
    #[error("longer than {0} characters")]
    TooLong(usize),
}

#[derive(Clone, Debug, Default)]
pub struct VisitDraft {
    pub date: String,
    pub notes: String,
    pub next_step: String,
}

impl VisitDraft {
    pub fn build(&self, a: &Assignment, today: Date) -> Result<Visit, Vec<(VisitField, VisitError)>> {
        let mut errs = Vec::new();
        let date = match thai::parse_date(&self.date) {
            Ok(d) if d < a.start => {
                errs.push((VisitField::Date, VisitError::BeforeStart));
                None
            }
            Ok(d) if d > today => {
                errs.push((VisitField::Date, VisitError::Future));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push((VisitField::Date, VisitError::Date(e)));
                None
            }
        };
        let notes = self.notes.trim();
        if notes.is_empty() {
            errs.push((VisitField::Notes, VisitError::Required));
        } else if notes.chars().count() > 500 {
            errs.push((VisitField::Notes, VisitError::TooLong(500)));
        } else if let Some(c) = crate::domain::clean::forbidden(notes) {
            errs.push((VisitField::Notes, VisitError::Unsafe(c)));
        }
        let next = self.next_step.trim();
        if next.chars().count() > 200 {
            errs.push((VisitField::NextStep, VisitError::TooLong(200)));
        } else if let Some(c) = crate::domain::clean::forbidden(next) {
            errs.push((VisitField::NextStep, VisitError::Unsafe(c)));
        }
        let (Some(date), true) = (date, errs.is_empty()) else { return Err(errs) };
        Ok(Visit { date, notes: notes.to_string(), next_step: next.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(sage: u64, village: u32, expertise: &[u16], load: u32, capacity: u32) -> Candidate {
        Candidate { sage, home_village: village, expertise: expertise.to_vec(), load, capacity }
    }

    fn hh(n: u64, category: u16, village: u32) -> Household {
        Household { key: (1, n, n), category, village }
    }

    #[test]
    fn suggestions_put_expertise_before_place_before_load() {
        let h = hh(1, 10, 33_010_105);
        let sages = [
            cand(1, 33_010_201, &[10], 0, 5),    // expert, same district
            cand(2, 33_010_103, &[4], 0, 5),     // same subdistrict, other expertise
            cand(3, 33_010_110, &[10, 4], 3, 5), // expert, same subdistrict, busier
            cand(4, 33_010_199, &[10], 1, 5),    // expert, same subdistrict
            cand(5, 33_020_101, &[10], 0, 5),    // expert, other district
            cand(6, 34_010_101, &[10], 0, 5),    // expert, other province
            cand(7, 33_010_107, &[10], 2, 2),    // expert, same subdistrict, full
        ];
        let order: Vec<u64> = suggest(&sages, &h).iter().map(|(c, _)| c.sage).collect();
        // Issue 18: the household's district before the rest of the province
        // (the sage of another expertise next door before an expert of
        // another district).
        assert_eq!(order, vec![4, 7, 3, 1, 2, 5, 6]);
        let s = suggest(&sages, &h);
        assert_eq!(s[1].0.free(), 0, "full sages are listed");
        assert_eq!(s[0].1, Fit { expertise: 0, place: 0 });
        assert_eq!(s[4].1, Fit { expertise: 1, place: 0 });
    }

    /// Every way to give each household at most one sage within free places:
    /// the most households covered, and the least cost among those.
    fn brute(households: &[Household], sages: &[Candidate]) -> (usize, i64) {
        fn go(
            i: usize,
            hs: &[Household],
            ss: &[Candidate],
            free: &mut Vec<u32>,
            covered: usize,
            cost: i64,
            best: &mut (usize, i64),
        ) {
            if i == hs.len() {
                if covered > best.0 || (covered == best.0 && cost < best.1) {
                    *best = (covered, cost);
                }
                return;
            }
            go(i + 1, hs, ss, free, covered, cost, best);
            for (j, s) in ss.iter().enumerate() {
                // A plan reaches the sages of the household's province.
                if free[j] > 0 && fit(s, &hs[i]).place <= 2 {
                    free[j] -= 1;
                    go(i + 1, hs, ss, free, covered + 1, cost + fit(s, &hs[i]).cost(), best);
                    free[j] += 1;
                }
            }
        }
        let mut free: Vec<u32> = sages.iter().map(Candidate::free).collect();
        let mut best = (0, i64::MAX);
        go(0, households, sages, &mut free, 0, 0, &mut best);
        if best.0 == 0 { (0, 0) } else { best }
    }

    #[test]
    fn a_plan_covers_the_most_at_the_least_cost_by_hand() {
        // Two chili households in one subdistrict, one rice household in
        // another district; one chili expert next door with one place, one rice
        // expert far away with two places.
        let hs = [hh(1, 10, 33_010_101), hh(2, 10, 33_010_102), hh(3, 12, 33_050_101)];
        let ss = [cand(1, 33_010_105, &[10], 0, 1), cand(2, 33_060_101, &[12], 0, 2)];
        let p = plan(&hs, &ss);
        // Everyone is covered: one chili household gets the chili expert, the
        // other the rice expert (wrong expertise, same province: cost 5), the
        // rice household the rice expert (right expertise, same province: 4).
        assert_eq!(p.matches.len(), 3);
        assert_eq!(p.cost(), 5 + 4, "chili next door costs nothing");
        assert!(p.uncovered.is_empty());
        let mut load = std::collections::HashMap::new();
        for (_, s, _) in &p.matches {
            *load.entry(*s).or_insert(0) += 1;
        }
        assert_eq!((load[&1], load[&2]), (1, 2));
    }

    // Issue 18: a district's plan filled another district's sage (2/8 to
    // 8/8) while its own sages had room.
    #[test]
    fn a_plan_fills_the_districts_own_sages_first() {
        // Three rice households of district 01; an expert of district 02 and
        // a sage of district 01 with another expertise, each with 3 places.
        let hs = [hh(1, 12, 33_010_101), hh(2, 12, 33_010_201), hh(3, 12, 33_010_301)];
        let ss = [cand(1, 33_020_101, &[12], 2, 5), cand(2, 33_010_401, &[4], 0, 3)];
        let p = plan(&hs, &ss);
        assert_eq!(p.matches.len(), 3);
        assert!(p.matches.iter().all(|m| m.1 == 2), "{:?}", p.matches);
        // When the district's own places run out, the neighbour's expert helps.
        let ss = [cand(1, 33_020_101, &[12], 2, 5), cand(2, 33_010_401, &[4], 0, 2)];
        let p = plan(&hs, &ss);
        assert_eq!(p.matches.iter().filter(|m| m.1 == 1).count(), 1);
    }

    #[test]
    fn what_cannot_be_covered_says_why() {
        let hs = [hh(1, 10, 33_010_101), hh(2, 12, 33_010_101), hh(3, 12, 33_010_101)];
        let ss = [cand(1, 33_010_105, &[12], 0, 1), cand(2, 33_010_106, &[12], 3, 3)];
        let p = plan(&hs, &ss);
        assert_eq!(p.matches.len(), 1);
        let why: Vec<Uncovered> = p.uncovered.iter().map(|u| u.1).collect();
        assert!(why.contains(&Uncovered::NoExpertFree), "{why:?}");
        assert!(why.contains(&Uncovered::NotEnoughPlaces), "{why:?}");
    }

    proptest::proptest! {
        #[test]
        fn plans_match_brute_force(
            households in proptest::collection::vec((0u16..3, 0u32..6), 1..6),
            sages in proptest::collection::vec((proptest::collection::vec(0u16..3, 0..3), 0u32..6, 0u32..3, 0u32..3), 1..4),
        ) {
            // Two districts of one province (0–3) and another province (4, 5).
            let village = |i: u32| 33_010_000 + (i / 4) * 1_000_000 + (i % 4 / 2) * 10_000 + (i % 2) * 100 + 1;
            let hs: Vec<Household> = households.iter().enumerate().map(|(i, (c, v))| hh(i as u64, *c, village(*v))).collect();
            let ss: Vec<Candidate> = sages.iter().enumerate()
                .map(|(i, (e, v, load, extra))| cand(i as u64, village(*v), e, *load, *load + *extra))
                .collect();
            let p = plan(&hs, &ss);
            let (covered, cost) = brute(&hs, &ss);
            proptest::prop_assert_eq!(p.matches.len(), covered);
            proptest::prop_assert_eq!(p.cost(), cost);
            // Never over a sage's free places.
            for s in &ss {
                let used = p.matches.iter().filter(|m| m.1 == s.sage).count() as u32;
                proptest::prop_assert!(used <= s.free());
            }
            proptest::prop_assert_eq!(p.matches.len() + p.uncovered.len(), hs.len());
        }
    }

    #[test]
    fn visits_are_checked() {
        let a = Assignment {
            id: 1,
            version: 1,
            sage_id: 1,
            occupation: (1, 1, 1),
            household: String::new(),
            district: 3301,
            start: Date::from_ymd(2026, 1, 10).unwrap(),
            end: None,
            status: AssignmentStatus::Active,
            visits: vec![],
        };
        let today = Date::from_ymd(2026, 11, 25).unwrap();
        let d = |date: &str, notes: &str| VisitDraft {
            date: date.into(),
            notes: notes.into(),
            next_step: String::new(),
        };
        assert_eq!(
            d("1/1/2569", "x").build(&a, today).unwrap_err(),
            vec![(VisitField::Date, VisitError::BeforeStart)]
        );
        assert_eq!(
            d("1/12/2569", "").build(&a, today).unwrap_err(),
            vec![(VisitField::Date, VisitError::Future), (VisitField::Notes, VisitError::Required)]
        );
        let v = d("๑๕/๓/๒๕๖๙", "ตรวจแปลงพริก").build(&a, today).unwrap();
        assert_eq!((v.date, v.notes.as_str()), (Date::from_ymd(2026, 3, 15).unwrap(), "ตรวจแปลงพริก"));
    }
}
