//! Demo network committees with their briefings, support activities and OTOP
//! products: districts at different points of the programme.

use rand::{Rng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use super::{names, people, sages::Coachable};
use crate::domain::{
    Date,
    occupation::Stage,
    programme::{
        Briefing, CommitteeSeat, NetworkCommittee, OtopCategory, OtopProduct, Producer, SupportActivity,
        SupportKind, SupportLevel, SupportScope,
    },
};

const POSITIONS: [&str; 4] = ["รองประธาน", "เลขานุการ", "เหรัญญิก", "กรรมการ"];
const PLACES: [&str; 5] =
    ["ห้องประชุมที่ว่าการอำเภอ", "ศาลาประชาคมอำเภอ", "หอประชุมองค์การบริหารส่วนตำบล", "วัดประจำหมู่บ้าน", "ศูนย์เรียนรู้ชุมชน"];
const SUPPORT_NOTES: [&str; 6] = [
    "อบรมการทำบัญชีครัวเรือนและวางแผนการผลิต",
    "ลงพื้นที่ติดตามผลการประกอบอาชีพ",
    "พาไปออกร้านที่ตลาดนัดสินค้าชุมชนจังหวัด",
    "มอบพันธุ์พืชและวัสดุการเกษตร",
    "สนับสนุนงบพัฒนาบรรจุภัณฑ์",
    "เชื่อมโยงผู้ซื้อจากห้างในจังหวัด",
];

fn person(rng: &mut ChaCha8Rng) -> String {
    let p = names::person(rng);
    format!("{}{} {}", p.title, p.given, p.family)
}

/// One committee per district; `funds`: each district's fund ids.
pub fn committees(rng: &mut ChaCha8Rng, funds: &[(u16, Vec<u64>)], as_of: Date) -> Vec<NetworkCommittee> {
    funds
        .iter()
        .map(|(district, ids)| {
            let mut c = NetworkCommittee::new(*district);
            c.chair = person(rng);
            let seats = rng.random_range(6..=10);
            c.members = (0..seats)
                .map(|i| CommitteeSeat {
                    name: person(rng),
                    position: POSITIONS[i.min(POSITIONS.len() - 1)].to_string(),
                })
                .collect();
            // Districts reach different shares of their funds.
            let share = rng.random_range(35..=100);
            let mut pool: Vec<u64> =
                ids.iter().copied().filter(|_| rng.random_range(0..100) < share).collect();
            let sessions = rng.random_range(2..=6).min(pool.len().max(1));
            let mut when = as_of.add_days(-rng.random_range(500..900));
            for s in 0..sessions {
                when = people::date_between(rng, when.add_days(20), when.add_days(120)).min(as_of);
                let take = if s + 1 == sessions { pool.len() } else { pool.len() / (sessions - s) };
                let mut briefed: Vec<u64> = pool.drain(..take.min(pool.len())).collect();
                if briefed.is_empty() {
                    continue;
                }
                briefed.sort_unstable();
                c.briefings.push(Briefing {
                    date: when,
                    place: PLACES.choose(rng).copied().unwrap_or_default().to_string(),
                    funds: briefed,
                    note: String::new(),
                });
            }
            c
        })
        .collect()
}

/// Support activities for districts, funds and coached households.
pub fn support(
    rng: &mut ChaCha8Rng,
    funds: &[(u16, Vec<u64>)],
    fund_names: &std::collections::HashMap<u64, String>,
    households: &[Coachable],
    district_names: &std::collections::HashMap<u16, String>,
    per_district: std::ops::RangeInclusive<usize>,
    as_of: Date,
) -> Vec<SupportActivity> {
    let mut out = Vec::new();
    for (district, ids) in funds {
        let local: Vec<&Coachable> = households
            .iter()
            .filter(|h| (h.village / 10_000) as u16 == *district && h.stage >= Stage::Coached)
            .collect();
        for _ in 0..rng.random_range(per_district.clone()) {
            let (scope, label) = match rng.random_range(0..10) {
                0..3 => (
                    SupportScope::District(*district),
                    district_names.get(district).cloned().unwrap_or_default(),
                ),
                3..7 => {
                    let f = ids.choose(rng).copied().unwrap_or(0);
                    (SupportScope::Fund(f), fund_names.get(&f).cloned().unwrap_or_default())
                }
                _ => match local.choose(rng) {
                    Some(h) => (SupportScope::Household(h.key), h.name.clone()),
                    None => (
                        SupportScope::District(*district),
                        district_names.get(district).cloned().unwrap_or_default(),
                    ),
                },
            };
            out.push(SupportActivity {
                id: 0,
                version: 0,
                level: *SupportLevel::ALL.choose(rng).unwrap_or(&SupportLevel::District),
                date: as_of.add_days(-rng.random_range(0..720)),
                scope,
                district: *district,
                label,
                kind: *SupportKind::ALL.choose(rng).unwrap_or(&SupportKind::Training),
                note: SUPPORT_NOTES.choose(rng).copied().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

const PRODUCTS: [(OtopCategory, &[&str]); 5] = [
    (OtopCategory::Food, &["ข้าวหอมมะลิอินทรีย์", "หอมแดงแปรรูป", "กระเทียมดอง", "ปลาส้ม", "แจ่วบอง"]),
    (OtopCategory::Beverage, &["น้ำกระเจี๊ยบ", "ชาใบหม่อน", "น้ำผึ้งโพรง"]),
    (OtopCategory::Textiles, &["ผ้าไหมลายลูกแก้ว", "ผ้าฝ้ายย้อมคราม", "ผ้าขาวม้า", "ผ้าซิ่นตีนจก"]),
    (OtopCategory::Decorative, &["ตะกร้าหวาย", "กระติบข้าว", "เครื่องจักสานไม้ไผ่"]),
    (OtopCategory::HerbalNonFood, &["ลูกประคบสมุนไพร", "สบู่สมุนไพร", "ยาหม่องสมุนไพร"]),
];

/// A product for every household that reached OTOP, and some village groups.
pub fn otop(
    rng: &mut ChaCha8Rng,
    funds: &[(u16, Vec<u64>)],
    households: &[Coachable],
    as_of: Date,
) -> Vec<OtopProduct> {
    let mut out = Vec::new();
    let product = |rng: &mut ChaCha8Rng, producer: Producer, producer_name: String, district: u16| {
        let (category, names) = PRODUCTS.choose(rng).copied().unwrap_or(PRODUCTS[0]);
        OtopProduct {
            id: 0,
            version: 0,
            producer,
            producer_name,
            district,
            name: names.choose(rng).copied().unwrap_or_default().to_string(),
            category,
            stars: *[2u8, 3, 3, 4, 4, 5].choose(rng).unwrap_or(&3),
            rating_year: as_of.year() - rng.random_range(0..4),
        }
    };
    for h in households.iter().filter(|h| h.stage == Stage::Otop) {
        let p = product(rng, Producer::Household(h.key), h.name.clone(), (h.village / 10_000) as u16);
        out.push(p);
    }
    for (district, ids) in funds {
        for _ in 0..rng.random_range(1..=4) {
            let fund = ids.choose(rng).copied().unwrap_or(0);
            let name = format!("กลุ่มวิสาหกิจชุมชนบ้าน{}", names::place(rng).0);
            out.push(product(rng, Producer::Group { fund, name: name.clone() }, name, *district));
        }
    }
    out
}
