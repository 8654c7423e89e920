//! The other steps of the programme: district network committees and their
//! briefings (step 1), support activities (step 6), OTOP products (step 8).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{
    date::Date,
    thai::{self, DateError},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeSeat {
    pub name: String,
    pub position: String,
}

/// One briefing session of a district's network committee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Briefing {
    pub date: Date,
    pub place: String,
    /// Fund ids briefed in this session.
    pub funds: Vec<u64>,
    pub note: String,
}

/// คณะกรรมการเครือข่ายกองทุนหมู่บ้านระดับอำเภอ — one per district, with its
/// briefings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkCommittee {
    pub id: u64,
    pub version: u64,
    pub district: u16,
    pub chair: String,
    pub members: Vec<CommitteeSeat>,
    pub briefings: Vec<Briefing>,
}

impl NetworkCommittee {
    pub fn new(district: u16) -> Self {
        Self { id: 0, version: 0, district, chair: String::new(), members: Vec::new(), briefings: Vec::new() }
    }

    /// The funds briefed in any session, each once.
    pub fn briefed(&self) -> HashSet<u64> {
        self.briefings.iter().flat_map(|b| b.funds.iter().copied()).collect()
    }

    /// Funds briefed / funds of the district, in basis points.
    pub fn coverage_bp(&self, funds_in_district: usize) -> u32 {
        if funds_in_district == 0 {
            return 0;
        }
        (self.briefed().len().min(funds_in_district) * 10_000 / funds_in_district) as u32
    }
}

/// Who carried out a support activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SupportLevel {
    #[default]
    Province,
    District,
    Network,
}

impl SupportLevel {
    pub const ALL: [SupportLevel; 3] =
        [SupportLevel::Province, SupportLevel::District, SupportLevel::Network];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SupportKind {
    #[default]
    Training,
    Visit,
    MarketLink,
    Materials,
    Budget,
}

impl SupportKind {
    pub const ALL: [SupportKind; 5] = [
        SupportKind::Training,
        SupportKind::Visit,
        SupportKind::MarketLink,
        SupportKind::Materials,
        SupportKind::Budget,
    ];
}

/// What an activity supported: a whole district, one fund, or one household
/// (an occupation record: fund, member, record).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportScope {
    District(u16),
    Fund(u64),
    Household((u64, u64, u64)),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportActivity {
    pub id: u64,
    pub version: u64,
    pub level: SupportLevel,
    pub date: Date,
    pub scope: SupportScope,
    /// The district the scope lies in, for the district's figures.
    pub district: u16,
    /// What the scope names, as shown (district, fund or household name).
    pub label: String,
    pub kind: SupportKind,
    pub note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum OtopCategory {
    #[default]
    Food,
    Beverage,
    Textiles,
    Decorative,
    HerbalNonFood,
}

impl OtopCategory {
    pub const ALL: [OtopCategory; 5] = [
        OtopCategory::Food,
        OtopCategory::Beverage,
        OtopCategory::Textiles,
        OtopCategory::Decorative,
        OtopCategory::HerbalNonFood,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Producer {
    /// A model household: its occupation record (fund, member, record).
    Household((u64, u64, u64)),
    /// A community group of a fund's village, by name.
    Group { fund: u64, name: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtopProduct {
    pub id: u64,
    pub version: u64,
    pub producer: Producer,
    /// The producer's name as shown (the household or the group).
    pub producer_name: String,
    pub district: u16,
    pub name: String,
    pub category: OtopCategory,
    /// 1–5 stars.
    pub stars: u8,
    /// C.E. year of the rating.
    pub rating_year: i32,
}

// ---------------------------------------------------------------- forms

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgrammeError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("required")]
    Required,
    #[error("longer than {0} characters")]
    TooLong(usize),
    #[error("date: {0}")]
    Date(DateError),
    #[error("in the future")]
    Future,
    #[error("stars 1 to 5")]
    Stars,
    #[error("year: {0}")]
    Year(DateError),
    #[error("no fund")]
    NoFunds,
    #[error("seats as name: position; name: position")]
    Seats,
}

fn text(v: &str, max: usize, required: bool) -> Result<String, ProgrammeError> {
    let v = v.trim();
    if required && v.is_empty() {
        Err(ProgrammeError::Required)
    } else if v.chars().count() > max {
        Err(ProgrammeError::TooLong(max))
    } else if let Some(c) = crate::domain::clean::forbidden(v) {
        Err(ProgrammeError::Unsafe(c))
    } else {
        Ok(v.to_string())
    }
}

fn past_date(v: &str, today: Date) -> Result<Date, ProgrammeError> {
    match thai::parse_date(v) {
        Ok(d) if d > today => Err(ProgrammeError::Future),
        Ok(d) => Ok(d),
        Err(e) => Err(ProgrammeError::Date(e)),
    }
}

/// `name: position; name: position` (or one seat per line); a seat without a
/// position is a plain member (กรรมการ).
pub fn parse_seats(v: &str) -> Result<Vec<CommitteeSeat>, ProgrammeError> {
    let mut out = Vec::new();
    for part in v.split([';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (name, position) = match part.split_once([':', '：']) {
            Some((n, p)) => (n.trim(), p.trim()),
            None => (part, ""),
        };
        if name.is_empty() || name.chars().count() > 80 || position.chars().count() > 60 {
            return Err(ProgrammeError::Seats);
        }
        out.push(CommitteeSeat { name: name.to_string(), position: position.to_string() });
    }
    Ok(out)
}

pub fn format_seats(seats: &[CommitteeSeat]) -> String {
    seats
        .iter()
        .map(|s| if s.position.is_empty() { s.name.clone() } else { format!("{}: {}", s.name, s.position) })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Field index → error, for the forms of this module (fields in form order).
pub type FieldErrors = Vec<(usize, ProgrammeError)>;

pub struct CommitteeDraft {
    pub chair: String,
    pub members: String,
}

impl CommitteeDraft {
    pub fn apply(&self, c: &mut NetworkCommittee) -> Result<(), FieldErrors> {
        let mut errs = Vec::new();
        let chair = text(&self.chair, 80, true).map_err(|e| errs.push((0, e))).ok();
        let members = parse_seats(&self.members).map_err(|e| errs.push((1, e))).ok();
        let (Some(chair), Some(members), true) = (chair, members, errs.is_empty()) else { return Err(errs) };
        c.chair = chair;
        c.members = members;
        Ok(())
    }
}

pub struct BriefingDraft {
    pub date: String,
    pub place: String,
    /// Already resolved to fund ids by the caller (it knows the district's funds).
    pub funds: Vec<u64>,
    pub note: String,
}

impl BriefingDraft {
    pub fn build(&self, today: Date) -> Result<Briefing, FieldErrors> {
        let mut errs = Vec::new();
        let date = past_date(&self.date, today).map_err(|e| errs.push((0, e))).ok();
        let place = text(&self.place, 120, true).map_err(|e| errs.push((1, e))).ok();
        if self.funds.is_empty() {
            errs.push((2, ProgrammeError::NoFunds));
        }
        let note = text(&self.note, 300, false).map_err(|e| errs.push((3, e))).ok();
        let (Some(date), Some(place), Some(note), true) = (date, place, note, errs.is_empty()) else {
            return Err(errs);
        };
        let mut funds = self.funds.clone();
        funds.sort_unstable();
        funds.dedup();
        Ok(Briefing { date, place, funds, note })
    }
}

pub struct SupportDraft {
    pub date: String,
    pub level: SupportLevel,
    pub kind: SupportKind,
    pub note: String,
}

impl SupportDraft {
    /// Fields: 0 date, 1 level, 2 scope (checked by the caller), 3 kind, 4 note.
    pub fn apply(&self, s: &mut SupportActivity, today: Date) -> Result<(), FieldErrors> {
        let mut errs = Vec::new();
        let date = past_date(&self.date, today).map_err(|e| errs.push((0, e))).ok();
        let note = text(&self.note, 300, true).map_err(|e| errs.push((4, e))).ok();
        let (Some(date), Some(note), true) = (date, note, errs.is_empty()) else { return Err(errs) };
        s.date = date;
        s.level = self.level;
        s.kind = self.kind;
        s.note = note;
        Ok(())
    }
}

pub struct OtopDraft {
    pub name: String,
    pub category: OtopCategory,
    pub stars: String,
    pub year: String,
}

impl OtopDraft {
    /// Fields: 0 name, 1 category, 2 producer (checked by the caller), 3 stars, 4 year.
    pub fn apply(&self, p: &mut OtopProduct, today: Date) -> Result<(), FieldErrors> {
        let mut errs = Vec::new();
        let name = text(&self.name, 120, true).map_err(|e| errs.push((0, e))).ok();
        let stars = match thai::parse_int(&self.stars) {
            Some(n @ 1..=5) => Some(n as u8),
            _ => {
                errs.push((3, ProgrammeError::Stars));
                None
            }
        };
        let year = match thai::parse_year(&self.year) {
            Ok(y) if y > today.year() => {
                errs.push((4, ProgrammeError::Future));
                None
            }
            Ok(y) => Some(y),
            Err(e) => {
                errs.push((4, ProgrammeError::Year(e)));
                None
            }
        };
        let (Some(name), Some(stars), Some(year), true) = (name, stars, year, errs.is_empty()) else {
            return Err(errs);
        };
        p.name = name;
        p.category = self.category;
        p.stars = stars;
        p.rating_year = year;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn coverage_counts_each_fund_once() {
        let mut c = NetworkCommittee::new(3301);
        let b = |funds: Vec<u64>| Briefing {
            date: day(2026, 1, 5),
            place: "อำเภอ".into(),
            funds,
            note: String::new(),
        };
        c.briefings = vec![b(vec![1, 2, 3]), b(vec![3, 4])];
        assert_eq!(c.briefed().len(), 4);
        assert_eq!(c.coverage_bp(8), 5_000);
        assert_eq!(c.coverage_bp(0), 0);
        assert_eq!(c.coverage_bp(3), 10_000, "never above 100%");
    }

    #[test]
    fn seats_parse_and_print() {
        let s = parse_seats("นายสมชาย ใจดี: ประธาน; นางมาลี ศรีสุข: เลขานุการ; นายทอง ดี").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].name.as_str(), s[0].position.as_str()), ("นายสมชาย ใจดี", "ประธาน"));
        assert_eq!(s[2].position, "");
        assert_eq!(parse_seats(&format_seats(&s)).unwrap(), s);
        assert_eq!(parse_seats(": ประธาน"), Err(ProgrammeError::Seats));
        assert_eq!(parse_seats("").unwrap(), vec![]);
    }

    #[test]
    fn drafts_check_their_fields() {
        let today = day(2026, 9, 30);
        let b = BriefingDraft { date: "1/10/2569".into(), place: "".into(), funds: vec![], note: "".into() };
        let errs: Vec<usize> = b.build(today).unwrap_err().into_iter().map(|e| e.0).collect();
        assert_eq!(errs, vec![0, 1, 2], "future date, no place, no fund");
        let b = BriefingDraft {
            date: "๑๕/๙/๒๕๖๙".into(),
            place: "ที่ว่าการอำเภอ".into(),
            funds: vec![3, 1, 3],
            note: "".into(),
        };
        assert_eq!(b.build(today).unwrap().funds, vec![1, 3]);

        let mut p = OtopProduct {
            id: 0,
            version: 0,
            producer: Producer::Group { fund: 1, name: "กลุ่มทอผ้า".into() },
            producer_name: "กลุ่มทอผ้า".into(),
            district: 3301,
            name: String::new(),
            category: OtopCategory::Food,
            stars: 0,
            rating_year: 0,
        };
        let d = OtopDraft {
            name: "ผ้าไหม".into(),
            category: OtopCategory::Textiles,
            stars: "6".into(),
            year: "2570".into(),
        };
        let errs: Vec<usize> = d.apply(&mut p, today).unwrap_err().into_iter().map(|e| e.0).collect();
        assert_eq!(errs, vec![3, 4]);
        let d = OtopDraft {
            name: "ผ้าไหม".into(),
            category: OtopCategory::Textiles,
            stars: "๕".into(),
            year: "2567".into(),
        };
        d.apply(&mut p, today).unwrap();
        assert_eq!((p.stars, p.rating_year, p.category), (5, 2024, OtopCategory::Textiles));
    }
}
