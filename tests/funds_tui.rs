//! The Funds tab as an officer uses it: keys in, screen out, store checked.
//! Rendering goes through `TestBackend`; keys go through the real keymap.

mod common;

use std::sync::Arc;

use common::Fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use sammachip::{
    app::{App, Ctx, Overlay},
    domain::{Lang, Money, audit::AuditAction, fund::Fund},
    store::Store,
    ui::keymap,
};

#[test]
fn funds_list_thai_80x24() {
    let f = Fixture::new(Lang::Th);
    insta::assert_snapshot!(f.terminal(80, 24).backend());
}

#[test]
fn funds_list_english_80x24() {
    let f = Fixture::new(Lang::En);
    insta::assert_snapshot!(f.terminal(80, 24).backend());
}

#[test]
fn fund_detail_thai_80x24() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Down);
    f.press(KeyCode::Enter);
    insta::assert_snapshot!(f.terminal(80, 24).backend());
}

#[test]
fn fund_form_english_80x24() {
    let mut f = Fixture::new(Lang::En);
    f.press(KeyCode::Char('n'));
    insta::assert_snapshot!(f.terminal(80, 24).backend());
}

#[test]
fn thai_clusters_fill_cells_as_a_terminal_does() {
    let mut f = Fixture::new(Lang::Th);
    let mut fund = f.funds()[0].clone();
    fund.name = "ที่น้ำผู้เชี่ยวชาญ".into();
    f.store.save("t", &fund).unwrap();
    f.app.reload(&f.store);
    let t = f.terminal(80, 24);
    let buf = t.backend().buffer();
    // Row 3 is the first fund; the name column starts at x = 10.
    let cells: Vec<&str> = (10..25).map(|x| buf[(x, 3)].symbol()).collect();
    assert_eq!(
        cells,
        ["ที่", "น้", "ำ", "ผู้", "เ", "ชี่", "ย", "ว", "ช", "า", "ญ", " ", " ", " ", " "],
        "ที่ is one cell; น้ำ is two (SARA AM is a spacing vowel); ผู้ and ชี่ are one each"
    );
}

#[test]
fn title_counts_shown_over_total_and_filter_narrows_as_you_type() {
    let mut f = Fixture::new(Lang::Th);
    assert!(f.screen().lines().nth(1).unwrap().contains("กองทุน 120/120"));
    let name = f.funds()[17].name.clone();
    let part: String = name.chars().skip("กองทุนหมู่บ้าน".chars().count()).collect();
    f.press(KeyCode::Char('/'));
    f.type_str(&part);
    assert_eq!(f.app.ctx(), Ctx::Filter);
    let shown = f.app.funds.view.len();
    assert!((1..120).contains(&shown), "{shown}");
    let title = f.screen().lines().nth(1).unwrap().to_string();
    assert!(title.contains(&format!("กองทุน {shown}/120")), "{title}");
    for i in &f.app.funds.view {
        let r = &f.app.funds.rows[*i as usize];
        assert!(
            r.name.contains(&part) || f.app.geo.name(r.subdistrict, Lang::Th).contains(&part),
            "{}",
            r.name
        );
    }
    // Esc clears the filter and leaves typing mode.
    f.press(KeyCode::Esc);
    assert_eq!((f.app.ctx(), f.app.funds.view.len()), (Ctx::List, 120));
}

#[test]
fn filter_matches_codes_with_thai_digits_and_english_district_names() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('/'));
    f.type_str("๓๓๐๑๐๑๐๒");
    assert_eq!(f.app.funds.view.len(), 1);
    assert_eq!(&*f.app.funds.selected().unwrap().code, "33010102");
    f.ctrl('u');
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('/'));
    f.type_str("mueang si");
    assert_eq!(f.app.funds.view.len(), 120);
    f.type_str("x");
    assert_eq!(f.app.funds.view.len(), 0);
    assert!(f.screen().contains("ไม่พบกองทุนที่ตรงกับ"));
}

#[test]
fn sort_by_name_follows_thai_dictionary_order() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('s'));
    let names: Vec<String> =
        f.app.funds.view.iter().map(|i| f.app.funds.rows[*i as usize].name.to_string()).collect();
    let mut expected = names.clone();
    expected.sort_by(|a, b| sammachip::domain::thai::collate(a, b));
    assert_eq!(names, expected);
    // Byte order would differ: some names start their distinctive part with a
    // leading vowel (เ แ โ ใ ไ), which collation does not sort last.
    let mut bytes = names.clone();
    bytes.sort();
    assert_ne!(names, bytes);
    f.press(KeyCode::Char('S'));
    let reversed: Vec<String> =
        f.app.funds.view.iter().map(|i| f.app.funds.rows[*i as usize].name.to_string()).collect();
    assert_eq!(reversed, expected.into_iter().rev().collect::<Vec<_>>());
}

#[test]
fn district_filter_is_picked_from_a_list() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('f'));
    assert!(matches!(f.app.overlay, Some(Overlay::Picker { .. })));
    f.press(KeyCode::Down);
    f.press(KeyCode::Enter);
    assert_eq!(f.app.funds.district, Some(3301));
    assert!(f.screen().lines().nth(1).unwrap().contains("อำเภอ เมืองศรีสะเกษ"));
    f.press(KeyCode::Esc);
    assert_eq!(f.app.funds.district, None);
}

#[test]
fn a_new_fund_through_the_form_with_errors_shown_and_nothing_lost() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Insert);
    assert_eq!(f.app.ctx(), Ctx::Form);
    // District (choice) stays 3301; the focus is on the code, which starts "3301".
    f.type_str("9999");
    f.press(KeyCode::Tab);
    f.type_str("กองทุนหมู่บ้านน้ำใสทดสอบ");
    f.press(KeyCode::Tab); // kind
    f.press(KeyCode::Tab); // registration
    f.press(KeyCode::Tab); // established
    f.type_str("30/2/2550");
    f.ctrl('s');
    let screen = f.screen();
    assert!(screen.contains("ไม่พบตำบลรหัส 330199"), "{screen}");
    assert!(screen.contains("ไม่มีวันที่นี้ในปฏิทิน"), "{screen}");
    assert!(screen.contains("กองทุนหมู่บ้านน้ำใสทดสอบ"), "typed text kept");
    assert_eq!(f.funds().len(), 120, "nothing saved");
    // The focus went to the first wrong field: fix it in place.
    f.ctrl('u');
    f.type_str("33010120");
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.type_str("๑๕/๖/๒๕๕๐");
    f.press(KeyCode::F(2));
    assert_eq!(f.app.ctx(), Ctx::List, "form closed: {:?}", f.app.form.as_ref().map(|x| &x.fields));
    let saved = f.funds().into_iter().find(|x| x.code == "33010120").expect("saved");
    assert_eq!(saved.name, "กองทุนหมู่บ้านน้ำใสทดสอบ");
    assert_eq!(saved.established, sammachip::domain::Date::from_ymd(2007, 6, 15));
    assert_eq!(&*f.app.funds.selected().unwrap().code, "33010120");
    assert!(f.screen().lines().nth(1).unwrap().contains("121/121"));
    let audit = f.store.audit(1).unwrap();
    assert_eq!((audit[0].1.action, audit[0].1.officer.as_str()), (AuditAction::Create, "tester"));
}

#[test]
fn a_duplicate_code_names_the_fund_that_has_it() {
    let mut f = Fixture::new(Lang::En);
    let other = f.funds()[3].clone();
    f.press(KeyCode::Char('n'));
    f.ctrl('u');
    f.type_str(&other.code);
    f.press(KeyCode::Tab);
    f.type_str("Copy");
    f.ctrl('s');
    assert!(f.screen().contains(&format!("This code already belongs to “{}”", other.name)));
    assert_eq!(f.funds().len(), 120);
}

#[test]
fn an_edit_over_another_officers_change_is_refused_and_keeps_the_typing() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('e'));
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.type_str("ชื่อที่ฉันพิมพ์");
    // Meanwhile another officer saves the same fund.
    let mut theirs = f.funds()[0].clone();
    theirs.registration_no = "changed elsewhere".into();
    f.store.save("other", &theirs).unwrap();
    f.ctrl('s');
    assert_eq!(f.app.ctx(), Ctx::Form);
    let screen = f.screen();
    assert!(screen.contains("เจ้าหน้าที่ท่านอื่นได้แก้ไขข้อมูลนี้แล้ว"), "{screen}");
    assert!(screen.contains("ชื่อที่ฉันพิมพ์"));
    assert_eq!(f.funds()[0].registration_no, "changed elsewhere");
}

#[test]
fn a_fund_with_members_cannot_be_deleted() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('d'));
    f.press(KeyCode::Char('y'));
    assert_eq!(f.funds().len(), 120);
    assert!(f.screen().contains("กองทุนนี้ยังมีสมาชิกอยู่ ลบไม่ได้"), "{}", f.screen());
}

/// A new fund through the form (`n`, code, name, Ctrl-S).
fn new_fund(f: &mut Fixture, code: &str, name: &str) {
    f.press(KeyCode::Char('n'));
    f.ctrl('u');
    f.type_str(code);
    f.press(KeyCode::Tab);
    f.type_str(name);
    f.ctrl('s');
}

#[test]
fn delete_asks_first_and_undo_brings_it_back() {
    let mut f = Fixture::new(Lang::Th);
    // A new fund has no members yet, so it may be deleted.
    new_fund(&mut f, "33010180", "กองทุนชั่วคราว");
    let made = f.funds().into_iter().find(|x| x.code == "33010180").expect("created");
    assert_eq!(f.app.funds.selected().map(|r| r.id), Some(made.id));
    f.press(KeyCode::Char('d'));
    assert!(matches!(f.app.overlay, Some(Overlay::Confirm { .. })));
    f.press(KeyCode::Char('n'));
    assert_eq!(f.funds().len(), 121, "no means no");
    // Thai layout: ก is d, ั is y.
    f.press(KeyCode::Char('ก'));
    f.press(KeyCode::Char('ั'));
    assert_eq!(f.funds().len(), 120);
    assert!(f.screen().contains("กด u เพื่อย้อนกลับ"));
    f.press(KeyCode::Char('u'));
    let back = f.store.get::<Fund>(made.id).unwrap().unwrap();
    assert_eq!((back.code, back.name), (made.code, made.name));
    assert_eq!(f.app.funds.total(), 121);
}

/// The filter searches the funds as they are after each save, delete and
/// undo (the search texts are kept in one block beside the rows).
#[test]
fn the_filter_finds_a_fund_as_it_is_after_a_save_a_delete_and_an_undo() {
    let mut f = Fixture::new(Lang::Th);
    let found = |f: &mut Fixture, text: &str| {
        f.press(KeyCode::Char('/'));
        f.type_str(text);
        let codes: Vec<String> =
            f.app.funds.view.iter().map(|i| f.app.funds.rows[*i as usize].code.to_string()).collect();
        f.press(KeyCode::Esc);
        codes
    };
    new_fund(&mut f, "33010180", "กองทุนชั่วคราว");
    assert_eq!(found(&mut f, "ชั่วคราว"), vec!["33010180"]);
    assert_eq!(found(&mut f, "mueang si").len(), 121, "the others are still found");
    // Renamed: found by the new name only.
    f.press(KeyCode::Char('e'));
    f.press(KeyCode::Tab); // district to code
    f.press(KeyCode::Tab); // code to name
    f.ctrl('u');
    f.type_str("กองทุนน้ำใส");
    assert_eq!(f.app.ctx(), Ctx::Form);
    f.ctrl('s');
    assert_eq!(f.app.ctx(), Ctx::List, "saved");
    assert_eq!((found(&mut f, "ชั่วคราว"), found(&mut f, "น้ำใส")), (vec![], vec!["33010180".to_string()]));
    f.press(KeyCode::Char('d'));
    f.press(KeyCode::Char('y'));
    assert!(found(&mut f, "น้ำใส").is_empty());
    assert_eq!(found(&mut f, "mueang si").len(), 120);
    f.press(KeyCode::Char('u'));
    assert_eq!(found(&mut f, "น้ำใส"), vec!["33010180"]);
}

#[test]
fn capital_events_are_added_corrected_deleted_and_totalled() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Enter);
    let before = f.app.funds.detail().unwrap().fund.clone();
    // Add.
    f.press(KeyCode::Char('n'));
    f.press(KeyCode::Right); // kind → another kind than Other
    for _ in 0..4 {
        f.press(KeyCode::Left);
    }
    f.press(KeyCode::Tab);
    f.type_str("1/10/2566");
    f.press(KeyCode::Tab);
    f.type_str("฿250,000.50");
    f.press(KeyCode::Tab);
    f.type_str("สมทบจาก อบต.");
    f.ctrl('s');
    assert_eq!(f.app.ctx(), Ctx::Detail, "{:?}", f.app.form);
    let fund = f.store.get::<Fund>(before.id).unwrap().unwrap();
    assert_eq!(fund.capital.len(), before.capital.len() + 1);
    assert_eq!(fund.capital_total(), Money(before.capital_total().0 + 25_000_050));
    // The new event is selected; correct its amount.
    f.press(KeyCode::Enter);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.type_str("300000");
    f.ctrl('s');
    let fund = f.store.get::<Fund>(before.id).unwrap().unwrap();
    assert_eq!(fund.capital_total(), Money(before.capital_total().0 + 30_000_000));
    // Delete it again.
    f.press(KeyCode::Char('d'));
    f.press(KeyCode::Char('y'));
    let fund = f.store.get::<Fund>(before.id).unwrap().unwrap();
    assert_eq!(fund.capital, before.capital);
    // The fund shows its lending capital, the Pracharat budget apart.
    assert!(f.screen().contains(&before.lending_capital().format()));
}

#[test]
fn a_small_window_gets_a_polite_message() {
    let f = Fixture::new(Lang::Th);
    let t = f.terminal(70, 20);
    let text: String = format!("{}", t.backend());
    assert!(text.contains("หน้าจอเล็กเกินไป"));
    assert!(text.contains("80×24"));
    assert!(text.contains("70×20"));
}

#[test]
fn no_color_draws_without_colour_and_marks_the_selection_in_reverse() {
    let mut f = Fixture::new(Lang::Th);
    f.app.no_color = true;
    let t = f.terminal(80, 24);
    let buf = t.backend().buffer();
    for y in 0..24 {
        for x in 0..80 {
            let c = &buf[(x, y)];
            assert_eq!((c.fg, c.bg), (Color::Reset, Color::Reset), "colour at {x},{y}");
        }
    }
    assert!(buf[(5, 3)].modifier.contains(ratatui::style::Modifier::REVERSED));
}

#[test]
fn help_is_the_keymap_and_language_toggles() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::F(1));
    let screen = f.screen();
    assert!(screen.contains("ปุ่มที่ใช้ได้") && screen.contains("Ctrl-C") && screen.contains("แท็บถัดไป"));
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('L'));
    assert_eq!(f.app.lang, Lang::En);
    assert!(f.screen().lines().nth(1).unwrap().contains("Funds 120/120"));
    // On the Thai layout, Shift-L sends ศ.
    f.press(KeyCode::Char('ศ'));
    assert_eq!(f.app.lang, Lang::Th);
}

#[test]
fn kedmanee_keys_drive_the_list() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('่')); // j
    f.press(KeyCode::Char('่'));
    assert_eq!(f.app.funds.pos.cursor, 2);
    f.press(KeyCode::Char('า')); // k
    assert_eq!(f.app.funds.pos.cursor, 1);
    f.press(KeyCode::Char('ื')); // n
    assert_eq!(f.app.ctx(), Ctx::Form);
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('ๆ')); // q
    assert!(f.app.quit);
}

#[test]
fn paging_stays_within_the_list_and_draws_only_the_window() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::End);
    assert_eq!(f.app.funds.pos.cursor, 119);
    let last = f.funds().iter().map(|x| x.code.clone()).max().unwrap();
    assert!(f.screen().contains(&last));
    f.press(KeyCode::PageUp);
    assert_eq!(f.app.funds.pos.cursor, 119 - 19);
    f.press(KeyCode::Char('g'));
    assert_eq!(f.app.funds.pos.cursor, 0);
}

#[test]
fn the_empty_store_offers_demo_data_or_a_clean_start() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("s")).unwrap());
    let mut app = App::new(&store, "t", Lang::Th, (80, 24));
    assert!(matches!(app.overlay, Some(Overlay::Offer { cursor: 0 })));
    // Choose "start empty": Si Sa Ket's districts are seeded so funds can be made.
    let down = keymap::action_for(app.ctx(), KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)).unwrap();
    app.update(down, &store);
    app.update(down, &store);
    let enter = keymap::action_for(app.ctx(), KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)).unwrap();
    app.update(enter, &store);
    assert_eq!(app.overlay, None);
    assert_eq!(app.geo.districts().len(), 22);
    assert_eq!(store.count::<Fund>().unwrap(), 0);
    assert_eq!(store.places().unwrap().len(), 23);
}

/// A name stored before names were checked, with an escape sequence and a
/// right-to-left override, is shown with visible escapes on the list; no
/// cell of the frame holds a control character or a bidi override.
#[test]
fn a_stored_name_with_escapes_is_shown_escaped_never_raw() {
    let mut f = Fixture::new(Lang::Th);
    let mut fund = f.funds().into_iter().next().unwrap();
    fund.name = "กองทุน\u{1b}]0;PWN\u{7}\u{1b}[31mแดง\u{202e}ลับ".into();
    f.store.save("tester", &fund).unwrap();
    f.app.reload(&f.store);
    let screen = f.screen();
    assert!(screen.contains("กองทุน␛]0;PWN␇␛[31mแดง"), "{screen}");
    let t = f.terminal(80, 24);
    let buf = t.backend().buffer();
    for cell in buf.content.iter() {
        assert!(!cell.symbol().chars().any(sammachip::domain::clean::is_unsafe), "{:?}", cell.symbol());
    }
}

/// A paste goes into the field under the cursor whole: line breaks and tabs
/// (a cell copied from Excel, an address from a document) become spaces,
/// characters a field cannot hold are left out and counted on the status
/// line (they went without a word), and past 64 KiB the rest is cut and said
/// (only the SSH server said it). On a list, a paste is not taken for keys.
#[test]
fn a_paste_into_a_field_says_what_it_left_out() {
    use sammachip::front::{MAX_PASTE, paste};
    let mut f = Fixture::new(Lang::En);
    let store = f.store.clone();
    // On the list: `q` and `d` in a paste are text, not keys.
    assert!(!paste(&mut f.app, &store, "qd"));
    assert!(!f.app.quit);
    f.press(KeyCode::Insert);
    f.ctrl('u');
    f.type_str("33010121");
    f.press(KeyCode::Tab);
    assert!(paste(&mut f.app, &store, "กองทุน\u{1b}[31mบ้าน\u{202E}\r\nโคก\r\n"));
    let s = f.screen();
    assert!(s.contains("กองทุน[31mบ้าน โคก"), "{s}");
    assert!(s.contains("2 control character(s) that cannot be saved were left out"), "{s}");
    f.ctrl('s');
    let saved = f.funds().into_iter().find(|x| x.code == "33010121").expect("saved");
    assert_eq!(saved.name, "กองทุน[31mบ้าน โคก");

    // A paste past 64 KiB (a stuck key, a whole document): cut, and said.
    f.press(KeyCode::Char('/'));
    assert!(paste(&mut f.app, &store, &format!("โคก{}", "\u{7}".repeat(MAX_PASTE))));
    assert!(f.screen().contains("A paste is kept up to 64 KiB; the rest was cut"), "{}", f.screen());
}

/// A message of two lines on the status line: both shown, each whole. The
/// status line was one row, so its line break was dropped (two words glued:
/// "หยุดกลางคันจึงย้อนกลับ") and the rest cut at 80 columns ("press u" lost).
#[test]
fn a_message_of_two_lines_is_shown_whole_over_the_lists_last_rows() {
    use sammachip::{service::messages, store::Notice};
    let notice = Notice::CutImport {
        officer: "somchai".into(), file: "สมาชิก.xlsx".into(), taken_back: None
    };
    for (lang, first, second) in [
        (Lang::En, "could not be taken back:", "a record was changed since. Check it, then press u"),
        (Lang::Th, "หยุดกลางคัน และย้อนกลับเองไม่ได้", "เพราะมีผู้แก้ไขรายการหลังจากนั้น ตรวจดูแล้วกด u"),
    ] {
        let mut f = Fixture::new(lang);
        f.press(KeyCode::Char('2'));
        let rows = f.app.funds.rows.len();
        f.app.sh.error(messages::notice(&notice));
        let s = f.screen();
        let lines: Vec<&str> = s.lines().collect();
        let n = lines.len();
        assert!(lines[n - 2].contains(first) && lines[n - 1].contains(second), "{s}");
        // Gone with the next key, and the list as it was.
        f.press(KeyCode::Down);
        let s = f.screen();
        assert!(!s.contains(second), "{s}");
        assert_eq!(f.app.funds.rows.len(), rows);
    }
}
