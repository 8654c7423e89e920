//! The Admin tab: accounts added, disabled and given keys from the screen,
//! refused to anyone but administrators; the audit list with its filter and
//! one entry's before → after; the Thai display check from the help.

mod common;

use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    app::Tab,
    domain::{
        Lang,
        fund::Fund,
        officer::{Access, Officer, Role},
    },
    service::accounts,
    ui::overlays::THAI_CHECK,
};

const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH7Sr5P9wH6ljnq7kyXB11RljCr1mNGpmAR0Hjx/NpMg somchai@office";

/// The Admin tab's new-account form filled in for a district officer (the
/// role it starts with) and saved with Ctrl-S.
fn new_district_account(f: &mut Fixture, login: &str, district: &str, key: &str) {
    f.press(KeyCode::Char('n'));
    f.type_str(login);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str(district);
    f.press(KeyCode::Tab);
    f.type_str(key);
    f.ctrl('s');
}

fn officer(f: &Fixture, login: &str) -> Option<Officer> {
    accounts::officer_by_login(&f.store, login).unwrap()
}

#[test]
fn an_administrator_adds_disables_and_rekeys_an_account_from_the_screen() {
    let mut f = Fixture::new(Lang::En);
    f.press(KeyCode::Char('7'));
    assert_eq!(f.app.tab, Tab::Admin);
    assert!(f.screen().contains("No accounts yet"), "{}", f.screen());

    f.press(KeyCode::Char('n'));
    f.type_str("malee");
    f.press(KeyCode::Tab);
    f.type_str("มาลี ดีงาม");
    f.press(KeyCode::Tab); // role: district officer is the default
    f.press(KeyCode::Tab);
    f.type_str("3301");
    f.press(KeyCode::Tab);
    f.type_str(KEY_A);
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{}", f.screen());
    let o = officer(&f, "malee").expect("saved");
    assert_eq!((o.role, o.district, o.keys.len(), o.disabled), (Role::District, Some(3301), 1, false));
    assert_eq!(o.access(), Access::District(3301));
    assert!(f.screen().contains("malee"));

    // The same key twice is refused in the form, which stays open.
    f.press(KeyCode::Enter);
    f.press(KeyCode::Char('n'));
    f.type_str(KEY_A);
    f.ctrl('s');
    assert!(f.app.form.is_some());
    assert!(f.screen().contains("already registered"), "{}", f.screen());
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('y'));

    // Remove the key (asked first), then disable the account.
    f.press(KeyCode::Char('d'));
    f.press(KeyCode::Char('y'));
    assert!(officer(&f, "malee").unwrap().keys.is_empty());
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('d'));
    assert!(f.screen().contains("Disable malee?"), "{}", f.screen());
    f.press(KeyCode::Char('y'));
    assert!(officer(&f, "malee").unwrap().disabled);
    assert!(f.screen().contains("Disabled"));

    // Every step is in the audit, under the officer who did it.
    f.press(KeyCode::Char('v'));
    let s = f.screen();
    assert!(s.matches("tester").count() >= 3, "{s}");
    f.press(KeyCode::Enter);
    let s = f.screen();
    assert!(s.contains("- ") && s.contains("+ ") && s.contains("disabled"), "{s}");
}

// A hunt added `--role district --district 9999` to a store of Si Sa Ket:
// the account was saved, and its officer would have seen an empty province.
#[test]
fn an_account_for_a_district_the_store_does_not_have_is_refused() {
    let mut f = Fixture::new(Lang::En);
    let admin = sammachip::store::Actor { name: "x", access: Access::Admin, change: None };
    for (role, district) in [(Role::District, 9999), (Role::Network, 3399)] {
        let n = accounts::NewOfficer {
            login: "nowhere",
            display_name: "",
            role,
            district: Some(district),
            fund_code: None,
            key_line: KEY_A,
        };
        let msg = accounts::add(&f.store, admin, &n).expect_err("no such district");
        assert!(
            msg.render(Lang::En).contains(&format!("no district {district}")),
            "{}",
            msg.render(Lang::En)
        );
        assert!(officer(&f, "nowhere").is_none());
    }
    // The same from the Admin tab: the form stays open with the reason.
    f.press(KeyCode::Char('7'));
    new_district_account(&mut f, "malee", "9999", KEY_A);
    assert!(f.app.form.is_some());
    assert!(f.screen().contains("no district 9999"), "{}", f.screen());
    assert!(officer(&f, "malee").is_none());
}

/// Adding a key to an existing login from the "new account" form also set
/// its role and place: a hunt moved district officer malee from 3301 to 3302
/// without a word. The form now says what the account is and what it would
/// become, and saves only when asked again; the command line says what
/// changed.
#[test]
fn a_new_account_of_an_existing_login_moves_it_only_when_asked_again() {
    const KEY_B: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBE3dJajptZ9rU8VyWp3+NQOKKmWEHD1jJ+qbhliJK2t b@office";
    let mut f = Fixture::new(Lang::En);
    let place = sammachip::domain::geo::Place {
        code: 3302,
        name_th: "กันทรารมย์".into(),
        name_en: "Kanthararom".into(),
        postal: String::new(),
    };
    f.store.put_places("admin", &[place]).unwrap();
    let admin = sammachip::store::Actor { name: "x", access: Access::Admin, change: None };
    let n = accounts::NewOfficer {
        login: "malee",
        display_name: "มาลี",
        role: Role::District,
        district: Some(3301),
        fund_code: None,
        key_line: KEY_A,
    };
    accounts::add(&f.store, admin, &n).unwrap();
    f.press(KeyCode::Char('7'));
    new_district_account(&mut f, "malee", "3302", KEY_B);
    assert!(f.app.form.is_some(), "asked first: {}", f.screen());
    let s = f.screen();
    assert!(s.contains("exists (district 3301)") && s.contains("district 3302"), "{s}");
    assert!(!s.contains("itdistrict"), "the message's line break keeps its words apart: {s}");
    let o = officer(&f, "malee").unwrap();
    assert_eq!((o.district, o.keys.len()), (Some(3301), 1), "nothing changed yet");
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{}", f.screen());
    let o = officer(&f, "malee").unwrap();
    assert_eq!((o.district, o.keys.len()), (Some(3302), 2), "moved, with the new key");
    // The same role and place: a key added, nothing asked.
    assert_eq!(
        accounts::changes(&f.store, &accounts::NewOfficer { district: Some(3302), ..n }).unwrap(),
        None
    );
    assert_eq!(
        accounts::changes(&f.store, &accounts::NewOfficer { role: Role::Province, district: None, ..n })
            .unwrap(),
        Some(("district 3302".to_string(), "province".to_string()))
    );
}

#[test]
fn others_cannot_open_the_admin_tab_or_save_an_account() {
    for access in [Access::Province, Access::District(3301), Access::Viewer] {
        let mut f = Fixture::new(Lang::En);
        f.app.access = access;
        f.press(KeyCode::Char('7'));
        assert_ne!(f.app.tab, Tab::Admin);
        let s = f.screen();
        assert!(s.contains("Administrators only"), "{s}");
        assert!(!s.lines().next().unwrap_or("").contains("Admin"), "no Admin tab for {access:?}:\n{s}");
        // Below the screens: the store refuses the account itself.
        let who = sammachip::store::Actor { name: "x", access, change: None };
        let n = accounts::NewOfficer {
            login: "sneaky",
            display_name: "",
            role: Role::Admin,
            district: None,
            fund_code: None,
            key_line: KEY_A,
        };
        assert!(accounts::add(&f.store, who, &n).is_err());
        assert!(officer(&f, "sneaky").is_none());
    }
}

#[test]
fn the_audit_list_filters_and_shows_before_and_after() {
    let mut f = Fixture::new(Lang::En);
    // Two officers change two funds.
    let funds = f.funds();
    for (who, fund, suffix) in [("somchai", &funds[0], " A"), ("malee", &funds[1], " B")] {
        let mut x: Fund = fund.clone();
        x.name.push_str(suffix);
        f.store.save(who, &x).unwrap();
    }
    f.press(KeyCode::Char('7'));
    f.press(KeyCode::Char('v'));
    let s = f.screen();
    assert!(s.contains("somchai") && s.contains("malee"), "{s}");
    // Issue 18: each record by its name, not its ids (`265/11072`), and the
    // time in Thai time with a B.E. year, not UTC in C.E.
    let row = s.lines().find(|l| l.contains("malee")).unwrap_or_default();
    assert!(row.contains(&funds[1].code), "{s}");
    let (_, e) = f.app.admin.selected_entry().unwrap();
    let local = jiff::tz::offset(7).to_datetime(jiff::Timestamp::from_millisecond(e.time_ms).unwrap());
    let when =
        format!("{} {:02}:{:02}", u32::try_from(local.year()).unwrap() + 543, local.hour(), local.minute());
    assert!(row.contains(&when), "{when} in {row}");
    // The newest first: malee's change.
    assert_eq!(f.app.admin.selected_entry().map(|(_, e)| e.officer.as_str()), Some("malee"));

    f.press(KeyCode::Char('/'));
    f.type_str("somchai fund");
    f.press(KeyCode::Enter);
    let s = f.screen();
    assert!(s.contains("somchai") && !s.contains("malee"), "{s}");
    assert_eq!(f.app.admin.shown.len(), 1);

    f.press(KeyCode::Enter);
    let s = f.screen();
    let minus = s.lines().find(|l| l.contains("- ") && l.contains("name:")).unwrap_or_default();
    let plus = s.lines().find(|l| l.contains("+ ") && l.contains("name:")).unwrap_or_default();
    assert!(minus.contains(&funds[0].name) && !minus.contains(" A\""), "{s}");
    assert!(plus.contains(&format!("{} A", funds[0].name)), "{s}");
    f.press(KeyCode::Esc);
    f.press(KeyCode::Esc);
    assert_eq!(f.app.admin.shown.len(), f.app.admin.audit.len(), "Esc clears the filter");
}

/// An audit entry's before → after is the record written out in the
/// officer's language (the forms' labels, Thai dates, baht, the fund by its
/// code), not Rust's `Debug` text: a hunt saw `established: Some(2017-01-01,)`,
/// `grade: Unassessed` and English field names on the Thai screen.
#[test]
fn an_audit_entry_shows_the_record_in_the_officers_words() {
    for lang in [Lang::Th, Lang::En] {
        let mut f = Fixture::new(lang);
        let mut fund: Fund = f.funds()[0].clone();
        fund.name.push_str(" ใหม่");
        f.store.save("somchai", &fund).unwrap();
        let member = f
            .store
            .all::<sammachip::domain::member::Member>()
            .unwrap()
            .into_iter()
            .find(|m| m.fund_id == fund.id && !m.loans.is_empty());
        let mut member = member.expect("a borrower of the fund");
        member.phone = "0812345678".into();
        f.store.save("malee", &member).unwrap();
        f.press(KeyCode::Char('7'));
        f.press(KeyCode::Char('v'));
        let mut seen = String::new();
        for who in ["malee", "somchai"] {
            f.press(KeyCode::Char('/'));
            f.type_str(who);
            f.press(KeyCode::Enter);
            f.press(KeyCode::Enter);
            let lines: Vec<String> = f
                .app
                .admin
                .entry
                .as_ref()
                .expect("the entry opens")
                .lines
                .iter()
                .map(|l| {
                    use sammachip::app::admin::DiffLine;
                    let (DiffLine::Same(t) | DiffLine::Before(t) | DiffLine::After(t)) = l;
                    t.clone()
                })
                .collect();
            seen.push_str(&lines.join("\n"));
            seen.push('\n');
            f.press(KeyCode::Esc);
            f.press(KeyCode::Esc);
        }
        for raw in ["Some(", "None", "Unassessed", "fund_id", "registration_no", "\\u{", " {", "rate_bp"] {
            assert!(!seen.contains(raw), "{raw} in\n{seen}");
        }
        let (name, established, loan, phone) = match lang {
            Lang::Th => ("ชื่อกองทุน: ", "วันที่จัดตั้ง: ", "สัญญาเลขที่: ", "โทรศัพท์: 0812345678"),
            Lang::En => ("Fund name: ", "Established: ", "Loan no.: ", "Phone: 0812345678"),
        };
        assert!(
            seen.contains(&format!("{name}{} ใหม่", f.funds()[0].name.trim_end_matches(" ใหม่"))),
            "{seen}"
        );
        assert!(seen.contains(established) && seen.contains(loan) && seen.contains(phone), "{seen}");
        let year = fund.established.map(|d| (d.year() + 543).to_string()).unwrap_or_default();
        assert!(seen.contains(&year), "the B.E. year {year}: {seen}");
        let code = f.funds()[0].code.clone();
        assert!(seen.contains(&code), "the member's fund by its code: {seen}");
    }
}

/// The check's words sit in boxes of one width: in our own frame the closing
/// borders line up, so a terminal that shows them out of line is at fault.
#[test]
fn the_thai_display_check_opens_from_the_help_and_lines_up() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('?'));
    f.press(KeyCode::Char('t'));
    let t = f.terminal(80, 24);
    let buf = t.backend().buffer();
    let mut borders = Vec::new();
    for y in 0..buf.area.height {
        let row: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let line = row.concat();
        if THAI_CHECK.iter().any(|(w, _)| line.contains(&format!("│{w}"))) || line.contains("│0123456789│")
        {
            let cells: Vec<u16> = (0..buf.area.width).filter(|x| row[usize::from(*x)] == "│").collect();
            borders.push(cells);
        }
    }
    assert_eq!(borders.len(), THAI_CHECK.len() + 1, "every test word and the ruler are shown");
    assert!(borders.windows(2).all(|w| w[0] == w[1]), "{borders:?}");
    // Esc goes back to the help.
    f.press(KeyCode::Esc);
    assert!(f.screen().contains("ปุ่มที่ใช้ได้"));
}
