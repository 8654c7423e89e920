//! The Import screen (issue 20, item 2), driven by real keys at 80×24: files
//! of the officer's inbox, checked as a dry run beside the screen, refused
//! rows listed with their reason (roles row by row, as for forms) and
//! written to the outbox, then saved as one change set that `u` takes back.

mod common;

use std::path::{Path, PathBuf};

use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    app::{Action, import::Step},
    domain::{Lang, fund::Fund, member::Member, officer::Access},
    io::{Kind, import},
};

/// A national ID with its check digit, from 12 digits.
fn national_id(stem: u64) -> String {
    let digits: Vec<u32> = format!("{stem:012}").chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * (13 - i as u32)).sum();
    format!("{stem:012}{}", (11 - sum % 11) % 10)
}

/// The officer's folder of the fixture (`files/tester/`), with the inbox
/// set on the app.
fn with_inbox(f: &mut Fixture, dir: &Path) -> PathBuf {
    let own = dir.join("files").join("tester");
    f.app.inbox_dir = Some(own.join("inbox"));
    own
}

/// Members of these funds, one row each, in the file's own numbering.
fn members_csv(path: &Path, funds: &[&Fund], first: u64) {
    let mut text = String::from("fund_code,national_id,title,given_name,family_name\n");
    for (i, fund) in funds.iter().enumerate() {
        let nid = national_id(first + i as u64);
        text.push_str(&format!("{},{nid},นาย,ทดสอบ{i},นำเข้า\n", fund.code));
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Makes the check digit of `stem`'s national ID wrong in `file`; the
/// file's text as it was.
fn wrong_check_digit(file: &Path, stem: u64) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let good = national_id(stem);
    let wrong = format!("{}{}", &good[..12], (good.as_bytes()[12] - b'0' + 1) % 10);
    std::fs::write(file, text.replace(&good, &wrong)).unwrap();
    text
}

/// Lets the work beside the screen finish, as the app's ticks do.
fn settle(f: &mut Fixture) {
    for _ in 0..3000 {
        f.app.update(Action::Tick, &f.store);
        if f.app.job.is_none() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the import did not finish");
}

/// Opens the Import screen and checks the newest file of the inbox.
fn check_newest(f: &mut Fixture) {
    f.press(KeyCode::Char('i'));
    assert!(f.app.import.is_some(), "{}", f.screen());
    f.press(KeyCode::Enter);
    settle(f);
}

fn summary(f: &Fixture) -> (Kind, import::Summary) {
    match f.app.import.as_ref().map(|s| &s.step) {
        Some(Step::Checked { kind, summary, .. }) => (*kind, summary.clone()),
        other => panic!("not checked: {other:?}\n{}", f.screen()),
    }
}

fn members(f: &Fixture) -> usize {
    f.store.count::<Member>().unwrap()
}

/// A fund of another district, added by an administrator.
fn fund_of_another_district(f: &Fixture, mine: &Fund) -> Fund {
    let other = if mine.district() == 3302 { 3303 } else { 3302 };
    let b = Fund {
        code: format!("{other}0101"), name: "กองทุนบ้านทดสอบ".into(), ..Default::default()
    };
    f.store.save("admin", &b).unwrap()
}

#[test]
fn a_district_officers_file_with_rows_of_two_districts_saves_none_and_lists_the_foreign_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::En);
    let own = with_inbox(&mut f, dir.path());
    let mine = f.funds()[0].clone();
    let theirs = fund_of_another_district(&f, &mine);
    f.app.set_access(Access::District(mine.district()), &f.store);
    members_csv(&own.join("inbox/members.csv"), &[&mine, &theirs, &mine, &theirs], 510_000_000_001);
    let before = members(&f);

    check_newest(&mut f);
    let (kind, s) = summary(&f);
    assert_eq!(kind, Kind::Members, "guessed from the headers");
    assert_eq!((s.read, s.accepted(), s.refused, s.denied), (4, 2, 2, 2));
    // Rows as the spreadsheet numbers them: the header is row 1.
    let rows: Vec<(usize, &str)> = s.rejects.iter().map(|r| (r.row, r.column.as_str())).collect();
    assert_eq!(rows, [(3, "fund_code"), (5, "fund_code")]);
    let reason = s.rejects[0].reason.render(Lang::En);
    assert!(reason.contains(&theirs.district().to_string()), "{reason}");
    let screen = f.screen();
    assert!(screen.contains("Read 4 rows · 2 would be saved · 2 refused"), "{screen}");
    assert!(screen.contains(&format!("district {}", theirs.district())), "{screen}");
    // The refused rows go to the outbox, not beside the uploaded file.
    let rejects = own.join("outbox/members.csv.rejects.csv");
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.contains("\n3,fund_code,") && text.contains("\n5,fund_code,"), "{text}");
    assert!(!own.join("inbox/members.csv.rejects.csv").exists());

    // Nothing can be saved: `s` says why and saves nothing.
    f.press(KeyCode::Char('s'));
    assert!(f.app.overlay.is_none());
    assert!(f.screen().contains("nothing can be saved"), "{}", f.screen());
    assert_eq!(members(&f), before, "nothing saved");
}

#[test]
fn a_clean_file_is_saved_from_the_screen_and_u_takes_it_all_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::Th);
    let own = with_inbox(&mut f, dir.path());
    let funds = f.funds();
    let (a, b) = (&funds[0], &funds[1]);
    members_csv(&own.join("inbox/new.csv"), &[a, b, a], 520_000_000_001);
    let before = members(&f);
    let audit_before = f.store.audit(usize::MAX).unwrap().len();

    check_newest(&mut f);
    let (_, s) = summary(&f);
    assert_eq!((s.read, s.accepted(), s.refused), (3, 3, 0));
    assert_eq!(members(&f), before, "a check saves nothing");
    f.press(KeyCode::Char('s'));
    assert!(f.app.overlay.is_some(), "asks first");
    f.press(KeyCode::Char('y'));
    settle(&mut f);
    assert_eq!(members(&f), before + 3);
    assert!(f.app.import.is_none(), "the screen closes on a save");
    assert!(f.screen().contains("นำเข้า 3 รายการจาก new.csv แล้ว"), "{}", f.screen());
    // One change set: three records, each audited with the same change.
    let audit = f.store.audit(usize::MAX).unwrap();
    let new: Vec<_> = audit.iter().take(audit.len() - audit_before).collect();
    assert_eq!(new.len(), 3);
    assert!(new.iter().all(|(_, e)| e.change == new[2].1.change && e.officer == "tester"));

    // `u` on the list takes the whole file back.
    f.press(KeyCode::Char('u'));
    assert_eq!(members(&f), before, "{}", f.screen());
    assert!(f.screen().contains("3 รายการ"), "{}", f.screen());
}

#[test]
fn a_viewer_cannot_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::En);
    let own = with_inbox(&mut f, dir.path());
    f.app.set_access(Access::Viewer, &f.store);
    f.press(KeyCode::Char('i'));
    assert!(f.app.import.is_none());
    assert!(f.screen().contains("This account can only read"), "{}", f.screen());
    assert!(!own.exists(), "refused before anything, not even the folder");
    // From the help too.
    f.press(KeyCode::Char('?'));
    f.press(KeyCode::Char('i'));
    assert!(f.app.import.is_none() && f.app.overlay.is_none());
}

#[test]
fn a_fund_committee_imports_only_its_own_funds_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::En);
    let own = with_inbox(&mut f, dir.path());
    let funds = f.funds();
    let mine = funds[0].clone();
    let other = funds.iter().find(|x| x.id != mine.id && x.district() == mine.district()).unwrap().clone();
    f.app.set_access(Access::Fund { fund: mine.id, district: mine.district() }, &f.store);
    members_csv(&own.join("inbox/mixed.csv"), &[&mine, &other], 530_000_000_001);
    let before = members(&f);

    check_newest(&mut f);
    let (_, s) = summary(&f);
    assert_eq!((s.refused, s.denied), (1, 1));
    assert_eq!(s.rejects[0].row, 3);
    assert_eq!(s.rejects[0].reason.render(Lang::En), "A fund committee changes its own fund's records only");
    assert_eq!(members(&f), before);

    // Its own fund's rows alone: saved.
    f.press(KeyCode::Esc);
    std::thread::sleep(std::time::Duration::from_millis(20));
    members_csv(&own.join("inbox/own.csv"), &[&mine, &mine], 531_000_000_001);
    f.press(KeyCode::Char('r'));
    let names: Vec<&str> = f.app.import.as_ref().unwrap().files.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["own.csv", "mixed.csv"], "newest first");
    f.press(KeyCode::Enter);
    settle(&mut f);
    assert_eq!(summary(&f).1.refused, 0);
    f.press(KeyCode::Char('s'));
    f.press(KeyCode::Char('y'));
    settle(&mut f);
    assert_eq!(members(&f), before + 2);
    let saved = f.store.scan_prefix::<Member>(&mine.id.to_be_bytes()).unwrap();
    assert_eq!(saved.iter().filter(|m| m.family_name == "นำเข้า").count(), 2);
}

#[test]
fn the_kind_is_guessed_from_the_headers_and_can_be_chosen() {
    let h = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
    let guess = |s: &str| import::guess_kinds(&h(s), &import::FROM_APP);
    assert_eq!(guess("fund_code,national_id,title,given_name,family_name")[0], Kind::Members);
    assert_eq!(guess("รหัสกองทุน,เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,วันเกิด")[0], Kind::Members);
    assert_eq!(guess("national_id,title,given_name,family_name,home_village,capacity")[0], Kind::Sages);
    assert_eq!(guess("เลขประจำตัวประชาชน,รหัสอาชีพ,รายละเอียด")[0], Kind::Occupations);
    assert_eq!(guess("loan_id,date,principal,interest")[0], Kind::Repayments);
    assert_eq!(guess("code,name,kind")[0], Kind::Funds);
    assert!(guess("a,b,c").is_empty());

    // A file whose headers fit nothing: the screen asks, and checks it as
    // the kind chosen.
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::En);
    let own = with_inbox(&mut f, dir.path());
    std::fs::create_dir_all(own.join("inbox")).unwrap();
    std::fs::write(own.join("inbox/odd.csv"), "a,b\n1,2\n").unwrap();
    f.press(KeyCode::Char('i'));
    f.press(KeyCode::Enter);
    assert!(f.screen().contains("What does this file hold?"), "{}", f.screen());
    f.press(KeyCode::Enter);
    settle(&mut f);
    // Checked as the first kind offered (funds): the file lacks its columns.
    assert!(f.screen().contains("The file has no column for"), "{}", f.screen());
}

/// Every key the bar shows works on both pages: on the file list `c`
/// chooses the kind of the file under the cursor and `s` says to check
/// first; on a file's result `Enter` checks the same file again (sent again
/// fixed) and `r` goes back to the folder, read again.
#[test]
fn every_key_on_the_bar_works_on_both_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::En);
    let own = with_inbox(&mut f, dir.path());
    let funds = f.funds();
    let a = &funds[0];
    let file = own.join("inbox/fix-me.csv");
    members_csv(&file, &[a, a], 530_000_000_001);
    // The second row's national ID made wrong.
    let text = wrong_check_digit(&file, 530_000_000_002);

    // A newer file comes first in the list; the cursor moves to ours.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&file).unwrap().set_modified(hour_ago).unwrap();
    members_csv(&own.join("inbox/newer.csv"), &[a, a, a], 530_000_000_020);
    f.press(KeyCode::Char('i'));
    f.press(KeyCode::Char('s'));
    assert!(f.screen().contains("press Enter to check it first"), "{}", f.screen());
    f.press(KeyCode::Down);
    assert!(matches!(f.app.import.as_ref().map(|s| &s.step), Some(Step::Files)));
    f.press(KeyCode::Char('c'));
    assert!(f.screen().contains("What does this file hold?"), "{}", f.screen());
    assert!(f.screen().contains("Members (members) ✓"), "the guess is marked: {}", f.screen());
    f.press(KeyCode::Enter);
    settle(&mut f);
    let (kind, s) = summary(&f);
    assert_eq!((kind, s.read, s.accepted(), s.refused), (Kind::Members, 2, 1, 1), "fix-me.csv checked");

    // The file fixed and sent again; Enter on the result checks it anew.
    std::fs::write(&file, text).unwrap();
    f.press(KeyCode::Enter);
    settle(&mut f);
    let (_, s) = summary(&f);
    assert_eq!((s.read, s.accepted(), s.refused), (2, 2, 0), "{}", f.screen());

    // `r`: back to the folder, which lists a file sent meanwhile.
    members_csv(&own.join("inbox/later.csv"), &[a], 530_000_000_010);
    f.press(KeyCode::Char('r'));
    assert!(matches!(f.app.import.as_ref().map(|s| &s.step), Some(Step::Files)));
    assert!(f.screen().contains("later.csv"), "{}", f.screen());
}

/// The checked file on screen, in both languages, at 80×24.
#[test]
fn the_import_screen_at_80x24() {
    for lang in [Lang::Th, Lang::En] {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Fixture::new(lang);
        let own = with_inbox(&mut f, dir.path());
        let mine = f.funds()[0].clone();
        let theirs = fund_of_another_district(&f, &mine);
        f.app.set_access(Access::District(mine.district()), &f.store);
        let path = own.join("inbox/members.csv");
        members_csv(&path, &[&mine, &theirs, &mine], 540_000_000_001);
        // A row with a bad national ID and a bad status besides.
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!("{},1234567890123,นาย,ผิด,แถว\n", mine.code));
        std::fs::write(&path, text).unwrap();
        check_newest(&mut f);
        let screen = f.screen();
        for line in screen.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
        }
        let name = match lang {
            Lang::Th => "import_checked_thai_80x24",
            Lang::En => "import_checked_english_80x24",
        };
        insta::assert_snapshot!(name, screen);
    }
}

/// A file the screen cannot read is named as the officer knows it, by its
/// folder (`inbox/NAME`, as SFTP shows it), not by the server's path.
#[test]
fn a_damaged_file_is_named_by_its_folder_not_the_servers_path() {
    for lang in [Lang::Th, Lang::En] {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Fixture::new(lang);
        let own = with_inbox(&mut f, dir.path());
        std::fs::create_dir_all(own.join("inbox")).unwrap();
        // Cut short: the zip's directory at its end is missing.
        let name = "สมาชิกกองทุนหมู่บ้านโนนสูงใหม่พัฒนา-ข้อมูลล่าสุด.xlsx";
        std::fs::write(own.join("inbox").join(name), b"PK\x03\x04 cut short").unwrap();
        check_newest(&mut f);
        let problem = f.app.import.as_ref().and_then(|s| s.problem.as_ref()).map(|m| m.render(lang));
        let problem = problem.unwrap_or_else(|| panic!("no problem shown\n{}", f.screen()));
        assert!(problem.contains(&format!("inbox/{name}")), "{problem}");
        assert!(!problem.contains(&dir.path().display().to_string()), "{problem}");
        assert!(!problem.contains("files/tester"), "{problem}");
        // What is wrong, in the officer's words, not the zip library's.
        let (said, end) = match lang {
            Lang::Th => ("ไฟล์ไม่ครบ", "ส่วนท้ายของไฟล์หายไป"),
            Lang::En => ("the file is incomplete", "its end is missing."),
        };
        assert!(problem.contains(said) && !problem.contains("EOCD"), "{problem}");
        // Wrapped on the screen, every word of it there, none cut off.
        let screen = f.screen();
        assert!(screen.contains(&format!("inbox/{name}")) && screen.contains(end), "{screen}");
        assert!(!screen.contains('…'), "{screen}");
    }
}

/// `L` switches the language on the Import screen as on every tab: the
/// checked file's result and its refused rows are then in the other one.
#[test]
fn l_switches_the_language_on_the_import_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::Th);
    let own = with_inbox(&mut f, dir.path());
    let funds = f.funds();
    let file = own.join("inbox/one.csv");
    members_csv(&file, &[&funds[0], &funds[0]], 540_000_000_001);
    wrong_check_digit(&file, 540_000_000_002);
    check_newest(&mut f);
    let thai = f.screen();
    assert!(thai.contains("เลขประจำตัวประชาชน"), "{thai}");
    f.press(KeyCode::Char('L'));
    assert_eq!(f.app.lang, Lang::En);
    assert!(f.app.import.is_some(), "the screen stays open");
    let english = f.screen();
    assert!(english.contains("national ID") && !english.contains("เลขประจำตัวประชาชน"), "{english}");
    // On a Thai keyboard layout the same key (ศ) switches it back.
    f.press(KeyCode::Char('ศ'));
    assert_eq!(f.app.lang, Lang::Th);
    assert_eq!(f.screen(), thai);
}

/// An empty inbox says how a file gets there: copied into the folder shown
/// when the officer runs the app on their own PC, sent by SFTP over SSH.
#[test]
fn an_empty_inbox_says_how_a_file_gets_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Fixture::new(Lang::En);
    let own = with_inbox(&mut f, dir.path());
    // A folder deeper than the screen is wide: its end is still shown.
    let deep = own.join("ก".repeat(30)).join("x".repeat(40)).join("inbox");
    std::fs::create_dir_all(&deep).unwrap();
    f.app.inbox_dir = Some(deep);
    f.press(KeyCode::Char('i'));
    let local = f.screen();
    assert!(local.contains("Copy one into the folder above") && !local.contains("SFTP"), "{local}");
    assert!(local.contains("x/inbox"), "the folder's end: {local}");
    f.press(KeyCode::Esc);
    f.app.export_dir = Some(own.join("outbox"));
    f.press(KeyCode::Char('i'));
    let remote = f.screen();
    assert!(remote.contains("Upload one over SFTP into inbox/"), "{remote}");
    assert!(!remote.contains("Copy one into"), "{remote}");
}
