//! Demo sages: spread over the districts like the funds, expert in what their
//! district lives from, coaching some of the households selected for coaching.

use std::collections::{HashMap, HashSet};

use rand::{Rng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use super::{names, people};
use crate::domain::{
    Date,
    occupation::{OccupationStatus, Stage},
    sage::{self, Assignment, AssignmentStatus, Candidate, Household, Sage, SageStatus, Visit},
};

/// What the demo needs to know of an occupation record to coach it.
pub struct Coachable {
    pub key: (u64, u64, u64),
    pub name: String,
    pub category: u16,
    pub village: u32,
    pub stage: Stage,
    pub status: OccupationStatus,
    /// When it was selected for coaching.
    pub since: Date,
}

/// `villages`: the village codes of each district's funds; `common`: each
/// district's occupation categories with how many records have them.
pub fn sages(
    rng: &mut ChaCha8Rng,
    n: usize,
    villages: &[(u16, Vec<u32>)],
    common: &HashMap<u16, Vec<(u16, usize)>>,
) -> Vec<Sage> {
    let weights: Vec<u32> = villages.iter().map(|(_, v)| v.len() as u32).collect();
    let per_district = names::apportion(n, &weights);
    let mut used = HashSet::new();
    let mut out = Vec::with_capacity(n);
    for ((district, codes), k) in villages.iter().zip(per_district) {
        let cats = common.get(district).cloned().unwrap_or_default();
        for _ in 0..k {
            let p = names::person(rng);
            let born = rng.random_range(1950..=1985);
            let home = codes.choose(rng).copied().unwrap_or(u32::from(*district) * 10_000 + 101);
            // One to four fields, drawn as the district's records are spread.
            let want = *[1usize, 1, 2, 2, 2, 3, 3, 4].choose(rng).unwrap_or(&2);
            let mut expertise: Vec<u16> = Vec::new();
            for _ in 0..want * 4 {
                if expertise.len() == want {
                    break;
                }
                if let Ok((c, _)) = cats.choose_weighted(rng, |(_, w)| *w)
                    && !expertise.contains(c)
                {
                    expertise.push(*c);
                }
            }
            if expertise.is_empty() {
                expertise.push(rng.random_range(1..=26));
            }
            expertise.sort_unstable();
            out.push(Sage {
                id: 0,
                version: 0,
                title: p.title.to_string(),
                given_name: p.given.to_string(),
                family_name: p.family,
                national_id: people::national_id(rng, born, *district, &mut used),
                phone: format!("08{}", rng.random_range(10_000_000..100_000_000u32)),
                home_village: home,
                expertise,
                capacity: rng.random_range(3..=10),
                status: if rng.random_bool(0.96) { SageStatus::Active } else { SageStatus::Inactive },
            });
        }
    }
    out
}

const NOTES: &[&str] = &[
    "ตรวจแปลงและแนะนำการใส่ปุ๋ยอินทรีย์",
    "สอนทำบัญชีรายรับรายจ่ายครัวเรือน",
    "แนะนำการคัดพันธุ์และดูแลสุขภาพสัตว์",
    "พาไปดูงานที่ฟาร์มต้นแบบในตำบล",
    "ช่วยวางแผนการตลาดและหาช่องทางขาย",
    "ติดตามผลผลิตรอบแรก พบปัญหาแมลง",
    "แนะนำการแปรรูปเพิ่มมูลค่าและบรรจุภัณฑ์",
];

const NEXT: &[&str] =
    &["ติดตามอีกครั้งเดือนหน้า", "ทดลองขายที่ตลาดนัดชุมชน", "จดบัญชีต่อเนื่องทุกวัน", "เตรียมเอกสารขอมาตรฐานผลิตภัณฑ์", ""];

/// Assignments for most households selected for coaching: the best sage
/// with a free place (the same order as the app suggests), some visits.
/// `sages` carry the ids the store gave them.
pub fn assignments(
    rng: &mut ChaCha8Rng,
    sages: &[Sage],
    households: &[Coachable],
    as_of: Date,
) -> Vec<Assignment> {
    let mut candidates: Vec<Candidate> = sages
        .iter()
        .filter(|s| s.status == SageStatus::Active)
        .map(|s| Candidate {
            sage: s.id,
            home_village: s.home_village,
            expertise: s.expertise.clone(),
            load: 0,
            capacity: u32::from(s.capacity),
        })
        .collect();
    let by_sage: HashMap<u64, usize> = candidates.iter().enumerate().map(|(i, c)| (c.sage, i)).collect();
    // Sages of each district, so a suggestion looks at neighbours only.
    let mut near: HashMap<u16, Vec<usize>> = HashMap::new();
    for (i, c) in candidates.iter().enumerate() {
        near.entry((c.home_village / 10_000) as u16).or_default().push(i);
    }
    let mut out = Vec::new();
    for h in households {
        let coached = h.stage == Stage::Coached && h.status == OccupationStatus::Active;
        let past = h.stage > Stage::Coached;
        if !(coached && rng.random_bool(0.8) || past && rng.random_bool(0.9)) {
            continue;
        }
        let district = (h.village / 10_000) as u16;
        let Some(idx) = near.get(&district) else { continue };
        let local: Vec<Candidate> = idx.iter().map(|i| candidates[*i].clone()).collect();
        let target = Household { key: h.key, category: h.category, village: h.village };
        let Some((best, _)) = sage::suggest(&local, &target).into_iter().find(|(c, _)| c.free() > 0) else {
            continue;
        };
        let sage_id = best.sage;
        let start = people::date_between(rng, h.since, h.since.add_days(60)).min(as_of);
        let status = if past { AssignmentStatus::Done } else { AssignmentStatus::Active };
        let n_visits = if past { rng.random_range(3..=8) } else { rng.random_range(0..=4) };
        let mut visits = Vec::new();
        let mut when = start;
        for _ in 0..n_visits {
            when = people::date_between(rng, when.add_days(14), when.add_days(60));
            if when > as_of {
                break;
            }
            visits.push(Visit {
                date: when,
                notes: NOTES.choose(rng).copied().unwrap_or_default().to_string(),
                next_step: NEXT.choose(rng).copied().unwrap_or_default().to_string(),
            });
        }
        // Coaching is done only after visits; with none yet it is planned.
        let status = match status {
            AssignmentStatus::Done if visits.len() >= 2 => AssignmentStatus::Done,
            _ if visits.is_empty() => AssignmentStatus::Planned,
            _ => AssignmentStatus::Active,
        };
        if status.takes_a_place()
            && let Some(i) = by_sage.get(&sage_id)
        {
            candidates[*i].load += 1;
        }
        out.push(Assignment {
            id: 0,
            version: 0,
            sage_id,
            occupation: h.key,
            household: h.name.clone(),
            district: (h.village / 10_000) as u16,
            start,
            end: (status == AssignmentStatus::Done).then(|| visits.last().map_or(start, |v| v.date)),
            status,
            visits,
        });
    }
    // Bulk loads go out in key order: sage, then assignment.
    out.sort_by_key(|a| a.sage_id);
    out
}
