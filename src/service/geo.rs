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

#[derive(Clone, Debug, Default)]
pub struct Geo {
    places: HashMap<u32, Place>,
    /// District codes in code order.
    districts: Vec<u16>,
    /// Districts that have at least one subdistrict in the store.
    with_subdistricts: std::collections::HashSet<u16>,
    /// The gazetteer holds districts of more than one province (a region's
    /// or the nation's store).
    many_provinces: bool,
    /// Every district is Bangkok's: a special administrative area, not a
    /// จังหวัด, so the screens do not call it one.
    bangkok: bool,
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
        let many_provinces = districts.first().map(|d| d / 100) != districts.last().map(|d| d / 100);
        let bangkok = !many_provinces && districts.first().is_some_and(|d| u32::from(d / 100) == BANGKOK);
        let places = places.into_iter().map(|p| (p.code, p)).collect();
        Self { places, districts, with_subdistricts, many_provinces, bangkok }
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
        match (self.many_provinces, self.bangkok) {
            (true, _) => k::SCOPE_ALL,
            (false, true) => k::SCOPE_BANGKOK,
            (false, false) => k::SCOPE_PROVINCE,
        }
    }

    /// The whole store by name: "จังหวัดศรีสะเกษ / Si Sa Ket province" (the
    /// province its districts are in), "กรุงเทพมหานคร / Bangkok" (a special
    /// administrative area, not a จังหวัด), or "ทุกจังหวัด / All provinces".
    pub fn whole_name(&self, lang: Lang) -> String {
        let province = self.districts.first().map(|d| u32::from(d / 100));
        match province.and_then(|p| self.places.get(&p)) {
            Some(p) if self.bangkok => p.name(lang).to_string(),
            Some(p) if !self.many_provinces => trf(lang, k::REPORT_PROVINCE, &[&p.name(lang)]),
            _ => tr(lang, self.whole()).to_string(),
        }
    }

    /// The Overview's title and its total's name, for one province or many.
    pub fn overview_words(&self) -> (Key, Key) {
        match (self.many_provinces, self.bangkok) {
            (true, _) => (k::OV_TITLE_ALL, k::OV_TOTAL_ALL),
            (false, true) => (k::OV_TITLE_BANGKOK, k::OV_TOTAL_BANGKOK),
            (false, false) => (k::OV_TITLE, k::OV_TOTAL),
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
