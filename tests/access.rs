//! Roles and district scope, enforced by the store under every screen: a
//! refused change says why, changes nothing and leaves no audit entry.

mod common;

use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    domain::{
        Lang,
        fund::Fund,
        member::Member,
        officer::{Access, Denied},
    },
    store::{Actor, Record, SaveError},
};

/// The district demo holds one district; a fund of a neighbouring district is
/// added by an administrator, so the two officers have something to disagree on.
fn two_funds_of_different_districts(f: &Fixture) -> (Fund, Fund) {
    let a = f.funds()[0].clone();
    let other: u16 = if a.district() == 3302 { 3303 } else { 3302 };
    let b = Fund {
        code: format!("{other}0101"), name: "กองทุนบ้านทดสอบ".into(), ..Default::default()
    };
    let b = f.store.save("admin", &b).expect("an administrator adds any fund");
    assert_ne!(a.district(), b.district());
    // The gazetteer knows the district (a form's district is one it lists).
    if f.store.knows_place(u32::from(other)).unwrap() != Some(true) {
        let name = "อำเภอทดสอบ";
        let place = sammachip::domain::geo::Place {
            code: u32::from(other),
            name_th: name.into(),
            name_en: name.into(),
            postal: String::new(),
        };
        f.store.put_places("admin", &[place]).unwrap();
    }
    (a, b)
}

#[test]
fn district_officer_changes_own_district_only() {
    let f = Fixture::new(Lang::Th);
    let (mine, theirs) = two_funds_of_different_districts(&f);
    let who = Actor { name: "district.officer", access: Access::District(mine.district()), change: None };
    let audit_before = f.store.audit(usize::MAX).unwrap().len();

    let mut own = mine.clone();
    own.name.push_str(" ใหม่");
    let saved = f.store.save(who, &own).expect("own district");
    assert_eq!(saved.version, mine.version + 1);

    let mut other = theirs.clone();
    other.name.push_str(" ใหม่");
    match f.store.save(who, &other) {
        Err(SaveError::Denied(Denied::OtherDistrict { mine: m, theirs: Some(t) })) => {
            assert_eq!((m, t), (mine.district(), theirs.district()));
        }
        e => panic!("expected a refusal, got {e:?}"),
    }
    assert_eq!(f.store.get::<Fund>(theirs.id).unwrap().unwrap(), theirs, "nothing changed");

    // Moving one's own fund into another district is as much a change of that
    // district as editing its records.
    let mut moved = saved.clone();
    moved.code = format!("{}{}", theirs.district(), &saved.code[4..]);
    assert!(matches!(f.store.save(who, &moved), Err(SaveError::Denied(Denied::OtherDistrict { .. }))));

    // A member of a fund of the demo's district, seen by an officer of the
    // other district: refused through the member's fund, for edits and deletes.
    let stranger = Actor { name: "other.officer", access: Access::District(theirs.district()), change: None };
    let m: Member = f.store.scan_prefix(&mine.id.to_be_bytes()).unwrap().remove(0);
    let mut m2 = m.clone();
    m2.phone = "0812345678".into();
    assert!(matches!(f.store.save(stranger, &m2), Err(SaveError::Denied(_))));
    assert!(matches!(f.store.delete_at::<Member>(stranger, &m.key(), m.version), Err(SaveError::Denied(_))));
    assert_eq!(f.store.get_at::<Member>(&m.key()).unwrap().as_ref(), Some(&m));

    let audit = f.store.audit(usize::MAX).unwrap();
    assert_eq!(audit.len(), audit_before + 1, "only the allowed save is audited");
    assert_eq!(audit.iter().map(|(_, e)| e.officer.as_str()).filter(|o| *o == "district.officer").count(), 1);
}

#[test]
fn viewer_changes_nothing_and_province_everything() {
    let f = Fixture::new(Lang::En);
    let (a, b) = two_funds_of_different_districts(&f);
    let viewer = Actor { name: "viewer", access: Access::Viewer, change: None };
    for fund in [&a, &b] {
        let mut x = fund.clone();
        x.name.push('!');
        assert!(matches!(f.store.save(viewer, &x), Err(SaveError::Denied(Denied::ReadOnly))));
    }
    let province = Actor { name: "province", access: Access::Province, change: None };
    for fund in [&a, &b] {
        let mut x = fund.clone();
        x.name.push('!');
        f.store.save(province, &x).expect("a province officer changes any district");
    }
}

#[test]
fn viewer_is_told_before_typing_and_district_officer_after_saving() {
    let mut f = Fixture::new(Lang::En);
    f.app.access = Access::Viewer;
    f.press(KeyCode::Char('e'));
    assert!(f.app.form.is_none(), "no edit form for a viewer");
    assert!(f.screen().contains("can only read"), "{}", f.screen());
    f.press(KeyCode::Char('n'));
    assert!(f.app.form.is_none());

    // A district officer on a fund of another district: the form opens (they may
    // read it), the save is refused with the reason, and what was typed stays.
    let mut f = Fixture::new(Lang::En);
    let (first, other) = two_funds_of_different_districts(&f);
    f.app.access = Access::District(other.district());
    // The cursor is on the first fund of the list (the demo's district).
    f.press(KeyCode::Char('e'));
    let Some(form) = &f.app.form else { panic!("the edit form opens: {}", f.screen()) };
    let sammachip::app::form::FormKind::EditFund { id, .. } = form.kind else { panic!("{:?}", form.kind) };
    let fund = f.store.get::<Fund>(id).unwrap().unwrap();
    assert_eq!(fund.district(), first.district());
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str("X");
    f.ctrl('s');
    let form = f.app.form.as_ref().expect("the form stays open with what was typed");
    assert!(form.fields.iter().any(|fl| fl.text_value().ends_with('X')), "{:?}", form.fields);
    let s = f.screen();
    assert!(s.contains("cannot change district"), "{s}");
    assert_eq!(f.store.get::<Fund>(id).unwrap().unwrap().version, fund.version);
}

/// A district officer's new fund starts in their own district, whatever fund
/// the cursor is on (they read the whole province, and another district's
/// fund would only be refused at the save); the code starts with it too.
#[test]
fn a_district_officers_new_fund_starts_in_their_own_district() {
    let mut f = Fixture::new(Lang::En);
    let (a, b) = two_funds_of_different_districts(&f);
    f.press(KeyCode::Home);
    let under_cursor = f.app.funds.selected().map(|r| r.district).expect("a fund under the cursor");
    let mine = if under_cursor == a.district() { b.district() } else { a.district() };
    f.app.access = Access::District(mine);
    f.press(KeyCode::Char('n'));
    let Some(form) = &f.app.form else { panic!("the new-fund form opens: {}", f.screen()) };
    assert_eq!(form.fields[0].choice_value(), Some(u32::from(mine)));
    assert_eq!(form.fields[1].text_value(), format!("{mine:04}"));
    // A province officer's starts from the cursor's fund, as before.
    let mut f = Fixture::new(Lang::En);
    two_funds_of_different_districts(&f);
    f.press(KeyCode::Home);
    let under_cursor = f.app.funds.selected().map(|r| r.district).expect("a fund under the cursor");
    f.press(KeyCode::Char('n'));
    let Some(form) = &f.app.form else { panic!("the new-fund form opens: {}", f.screen()) };
    assert_eq!(form.fields[0].choice_value(), Some(u32::from(under_cursor)));
}

/// Issue 20: a village fund's committee and a district network committee get
/// accounts of their own. The store keeps each to its own records of its own
/// work, under every screen; the lists they read narrow to their fund or
/// district.
#[test]
fn committees_keep_their_own_records_and_read_their_own_lists() {
    use sammachip::{
        app::Tab,
        domain::{
            officer::Role,
            programme::{SupportActivity, SupportKind, SupportLevel, SupportScope},
        },
        service::accounts::{self, NewOfficer},
    };
    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH7Sr5P9wH6ljnq7kyXB11RljCr1mNGpmAR0Hjx/NpMg c@office";
    let mut f = Fixture::new(Lang::Th);
    let (mine, theirs) = two_funds_of_different_districts(&f);
    let other_fund =
        f.funds().into_iter().find(|x| x.id != mine.id && x.district() == mine.district()).unwrap();
    // Accounts as `user add --role fund --fund CODE` and `--role network --district CODE` make them.
    let store = std::sync::Arc::clone(&f.store);
    let add = |login: &str, role, district, fund_code: Option<&str>| {
        let n = NewOfficer { login, display_name: "", role, district, fund_code, key_line: KEY };
        accounts::add(&store, Actor::from("admin"), &n).unwrap()
    };
    let fund_account = add("fund.committee", Role::Fund, None, Some(&mine.code));
    assert_eq!((fund_account.fund, fund_account.district), (Some(mine.id), Some(mine.district())));
    let net_account = add("network.committee", Role::Network, Some(mine.district()), None);
    // A fund account needs its fund, and the fund must exist.
    let n = NewOfficer {
        login: "nofund",
        display_name: "",
        role: Role::Fund,
        district: None,
        fund_code: None,
        key_line: KEY,
    };
    assert!(accounts::add(&f.store, Actor::from("admin"), &n).is_err());
    let n = NewOfficer { fund_code: Some("99999999"), ..n };
    assert!(accounts::add(&f.store, Actor::from("admin"), &n).is_err());

    let fund = Actor { name: "fund.committee", access: fund_account.access(), change: None };
    let member = |fund_id: u64| f.store.scan_prefix::<Member>(&fund_id.to_be_bytes()).unwrap()[0].clone();
    // Its own fund's members: yes.
    let mut m = member(mine.id);
    m.phone = "0812345678".into();
    f.store.save(fund, &m).expect("its own fund's member");
    // Another fund's member, the fund record itself, a support activity: no.
    let mut m = member(other_fund.id);
    m.phone = "0812345678".into();
    assert!(matches!(f.store.save(fund, &m), Err(SaveError::Denied(Denied::OtherFund { .. }))));
    let mut own_fund = f.store.get::<Fund>(mine.id).unwrap().unwrap();
    own_fund.name.push_str(" ใหม่");
    assert!(matches!(f.store.save(fund, &own_fund), Err(SaveError::Denied(Denied::NotTheirs))));

    let support = |district: u16| SupportActivity {
        id: 0,
        version: 0,
        date: common::demo_day(),
        level: SupportLevel::Network,
        kind: SupportKind::Visit,
        district,
        scope: SupportScope::District(district),
        label: String::new(),
        note: "ลงพื้นที่ติดตาม".into(),
    };
    assert!(matches!(
        f.store.save(fund, &support(mine.district())),
        Err(SaveError::Denied(Denied::NotTheirs))
    ));
    let net = Actor { name: "network.committee", access: net_account.access(), change: None };
    f.store.save(net, &support(mine.district())).expect("its own district's support");
    assert!(matches!(
        f.store.save(net, &support(theirs.district())),
        Err(SaveError::Denied(Denied::OtherDistrict { .. }))
    ));
    assert!(matches!(f.store.save(net, &member(mine.id)), Err(SaveError::Denied(Denied::NotTheirs))));

    // What they read: the fund committee its fund, the network its district.
    f.app.set_access(fund_account.access(), &f.store);
    f.press(KeyCode::Char('2'));
    assert_eq!(f.app.tab, Tab::Funds);
    assert_eq!(f.app.funds.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![mine.id]);
    f.press(KeyCode::Char('3'));
    let cat = f.app.catalog.read().unwrap();
    assert!(!f.app.occ.view.is_empty());
    assert!(f.app.occ.view.iter().all(|r| cat.rows[*r as usize].fund_id() == mine.id));
    drop(cat);
    f.press(KeyCode::Char('4'));
    assert_eq!(f.app.rank.scope, sammachip::app::ranking::Scope::Fund(mine.id));
    // Its sages: those of its own households (sages' national IDs are not
    // the fund's to read), not every sage of the district.
    f.press(KeyCode::Char('5'));
    assert!(f.app.sages.rows.is_empty(), "no household of this fund is coached");
    let assignments = f.store.all::<sammachip::domain::sage::Assignment>().unwrap();
    let coached = f.store.get::<Fund>(assignments[0].occupation.0).unwrap().unwrap();
    let coaches: std::collections::BTreeSet<u64> =
        assignments.iter().filter(|a| a.occupation.0 == coached.id).map(|a| a.sage_id).collect();
    let district_sages = f
        .store
        .all::<sammachip::domain::sage::Sage>()
        .unwrap()
        .into_iter()
        .filter(|s| s.district() == coached.district())
        .count();
    assert!(!coaches.is_empty() && coaches.len() < district_sages, "{coaches:?} of {district_sages}");
    let coached_account = add("coached.committee", Role::Fund, None, Some(&coached.code));
    f.app.set_access(coached_account.access(), &f.store);
    let shown: std::collections::BTreeSet<u64> = f.app.sages.rows.iter().map(|r| r.sage.id).collect();
    assert_eq!(shown, coaches);
    f.app.set_access(fund_account.access(), &f.store);
    f.app.set_access(net_account.access(), &f.store);
    f.press(KeyCode::Char('1'));
    assert_eq!(f.app.overview.rows.iter().map(|r| r.district).collect::<Vec<_>>(), vec![mine.district()]);
    assert!(f.app.funds.rows.iter().all(|r| r.district == mine.district()));
    assert!(!f.app.funds.rows.iter().any(|r| r.id == theirs.id));
}
