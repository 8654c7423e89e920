//! The gazetteer as the screens use it: names by code, districts in order.

use std::collections::HashMap;

use crate::{
    domain::{
        Lang,
        fund::Gazetteer,
        geo::{Level, Place},
    },
    i18n::{Key, k, tr, trf},
};

/// Bangkok's code in the gazetteer (กรุงเทพมหานคร).
const BANGKOK: u32 = 10;

/// The whole of a store's gazetteer: one province, Bangkok (a special
/// administrative area, not a จังหวัด, so the screens do not call it one), or
/// the districts of many provinces (a region's or the nation's store).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Whole {
    #[default]
    Province,
    Bangkok,
    Many,
}

#[derive(Clone, Debug, Default)]
pub struct Geo {
    places: HashMap<u32, Place>,
    /// District codes in code order.
    districts: Vec<u16>,
    /// Districts that have at least one subdistrict in the store.
    with_subdistricts: std::collections::HashSet<u16>,
    /// What the whole store is: one province, Bangkok, or many.
    whole: Whole,
}

impl Geo {
    pub fn new(places: Vec<Place>) -> Self {
        let mut districts = Vec::new();
        let mut with_subdistricts = std::collections::HashSet::new();
        for p in &places {
            match p.level() {
                Some(Level::District) => districts.push(p.code as u16),
                Some(Level::Subdistrict) => {
                    with_subdistricts.insert((p.code / 100) as u16);
                }
                _ => {}
            }
        }
        districts.sort_unstable();
        let whole = match (districts.first(), districts.last()) {
            (Some(a), Some(b)) if a / 100 != b / 100 => Whole::Many,
            (Some(a), _) if u32::from(a / 100) == BANGKOK => Whole::Bangkok,
            _ => Whole::Province,
        };
        let places = places.into_iter().map(|p| (p.code, p)).collect();
        Self { places, districts, with_subdistricts, whole }
    }

    pub fn get(&self, code: u32) -> Option<&Place> {
        self.places.get(&code)
    }

    /// The place's name, or its code when the gazetteer does not know it.
    pub fn name(&self, code: u32, lang: Lang) -> String {
        match self.places.get(&code) {
            Some(p) => p.name(lang).to_string(),
            None => code.to_string(),
        }
    }

    pub fn districts(&self) -> &[u16] {
        &self.districts
    }

    /// The whole store as a scope, in the officer's words: "ทั้งจังหวัด /
    /// Whole province", "ทั้งกรุงเทพมหานคร / All of Bangkok", or "ทุกจังหวัด /
    /// All provinces" on a store of many.
    pub fn whole(&self) -> Key {
        match self.whole {
            Whole::Many => k::SCOPE_ALL,
            Whole::Bangkok => k::SCOPE_BANGKOK,
            Whole::Province => k::SCOPE_PROVINCE,
        }
    }

    /// The whole store by name: "จังหวัดศรีสะเกษ / Si Sa Ket province" (the
    /// province its districts are in), "กรุงเทพมหานคร / Bangkok" (a special
    /// administrative area, not a จังหวัด), or "ทุกจังหวัด / All provinces".
    pub fn whole_name(&self, lang: Lang) -> String {
        let province = self.districts.first().map(|d| u32::from(d / 100));
        match province.and_then(|p| self.places.get(&p)) {
            Some(p) if self.whole == Whole::Bangkok => p.name(lang).to_string(),
            Some(p) if self.whole == Whole::Province => trf(lang, k::REPORT_PROVINCE, &[&p.name(lang)]),
            _ => tr(lang, self.whole()).to_string(),
        }
    }

    /// The Overview's title and its total's name, for one province or many.
    pub fn overview_words(&self) -> (Key, Key) {
        match self.whole {
            Whole::Many => (k::OV_TITLE_ALL, k::OV_TOTAL_ALL),
            Whole::Bangkok => (k::OV_TITLE_BANGKOK, k::OV_TOTAL_BANGKOK),
            Whole::Province => (k::OV_TITLE, k::OV_TOTAL),
        }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

impl Gazetteer for Geo {
    fn district_exists(&self, code: u16) -> bool {
        self.places.contains_key(&u32::from(code))
    }

    fn subdistrict_exists(&self, code: u32) -> Option<bool> {
        let district = (code / 100) as u16;
        self.with_subdistricts.contains(&district).then(|| self.places.contains_key(&code))
    }
}
