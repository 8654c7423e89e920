//! Every error the officer can meet, as a message in their language.

use crate::{
    domain::{
        fund::{CapitalError, FundError},
        loan::{LoanError, RepaymentError},
        member::MemberError,
        money::MoneyError,
        occupation::OccupationError,
        officer::Denied,
        programme::ProgrammeError,
        sage::{SageError, VisitError},
        thai::{DateError, NationalIdError},
    },
    i18n::{Arg, Msg, k},
    store::{OpenError, SaveError, StoreError, trees},
};

/// A control character or bidi override typed or imported into a text field.
pub fn unsafe_char(c: char) -> Msg {
    Msg::with(k::ERR_UNSAFE_CHAR, [crate::domain::clean::line(&c.to_string()).into_owned()])
}

pub fn date(e: &DateError) -> Msg {
    match e {
        DateError::Empty => Msg::new(k::ERR_REQUIRED),
        DateError::Format => Msg::new(k::ERR_DATE_FORMAT),
        DateError::Month(m) => Msg::with(k::ERR_DATE_MONTH, [m.clone()]),
        DateError::NoSuchDay => Msg::new(k::ERR_DATE_NO_SUCH_DAY),
        DateError::Year => Msg::new(k::ERR_DATE_YEAR),
    }
}

/// A year that is not one: the year's own message ("use four digits, e.g.
/// 2544"), not the one for a whole date.
pub fn year(e: &DateError) -> Msg {
    match e {
        DateError::Empty => Msg::new(k::ERR_REQUIRED),
        _ => Msg::new(k::ERR_DATE_YEAR),
    }
}

pub fn money(e: &MoneyError) -> Msg {
    match e {
        MoneyError::Empty => Msg::new(k::ERR_REQUIRED),
        MoneyError::Invalid => Msg::new(k::ERR_MONEY_INVALID),
        MoneyError::Decimals => Msg::new(k::ERR_MONEY_DECIMALS),
        MoneyError::TooLarge => Msg::new(k::ERR_MONEY_TOO_LARGE),
        MoneyError::Negative => Msg::new(k::ERR_MONEY_NEGATIVE),
        MoneyError::Grouping => Msg::new(k::ERR_MONEY_GROUPING),
    }
}

pub fn fund(e: &FundError) -> Msg {
    match e {
        FundError::CodeFormat => Msg::new(k::ERR_FUND_CODE_FORMAT),
        FundError::CodeDistrict(d) => Msg::with(k::ERR_FUND_CODE_DISTRICT, [format!("{d:04}")]),
        FundError::UnknownSubdistrict(s) => Msg::with(k::ERR_FUND_UNKNOWN_SUBDISTRICT, [s.to_string()]),
        FundError::VillageNo => Msg::new(k::ERR_FUND_VILLAGE_NO),
        FundError::UnknownDistrict(d) => Msg::with(k::ERR_FUND_UNKNOWN_DISTRICT, [d.to_string()]),
        FundError::NameEmpty => Msg::new(k::ERR_REQUIRED),
        FundError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        FundError::Unsafe(c) => unsafe_char(*c),
        FundError::Date(d) => date(d),
        FundError::Year(d) => year(d),
        FundError::BeforeProgramme => Msg::new(k::ERR_BEFORE_PROGRAMME),
        FundError::Future => Msg::new(k::ERR_FUTURE),
        FundError::YearNeeded => Msg::new(k::ERR_FUND_YEAR_NEEDED),
        FundError::YearBeforeEstablished => Msg::new(k::ERR_FUND_YEAR_BEFORE_ESTABLISHED),
        FundError::DuplicateCode(name) => Msg::with(k::ERR_FUND_DUPLICATE_CODE, [name.clone()]),
        FundError::MovesWithMembers => Msg::new(k::ERR_FUND_MOVES_WITH_MEMBERS),
    }
}

pub fn capital(e: &CapitalError) -> Msg {
    match e {
        CapitalError::Date(d) => date(d),
        CapitalError::BeforeProgramme => Msg::new(k::ERR_BEFORE_PROGRAMME),
        CapitalError::BeforeEstablished => Msg::new(k::ERR_BEFORE_FUND),
        CapitalError::Future => Msg::new(k::ERR_FUTURE),
        CapitalError::Amount(m) => money(m),
        CapitalError::Zero => Msg::new(k::ERR_MONEY_ZERO),
        CapitalError::TooLarge => Msg::new(k::ERR_MONEY_TOO_LARGE),
        CapitalError::SecondInitial => Msg::new(k::ERR_CAPITAL_SECOND_INITIAL),
        CapitalError::NoteNeeded => Msg::new(k::ERR_CAPITAL_NOTE_NEEDED),
        CapitalError::NoteTooLong => Msg::with(k::ERR_TOO_LONG, ["200".to_string()]),
        CapitalError::Unsafe(c) => unsafe_char(*c),
    }
}

pub fn national_id(e: &NationalIdError) -> Msg {
    match e {
        NationalIdError::Empty => Msg::new(k::ERR_REQUIRED),
        NationalIdError::Length(n) => Msg::with(k::ERR_NID_LENGTH, [n.to_string()]),
        NationalIdError::NotDigit(c) => Msg::with(k::ERR_NID_DIGIT, [c.to_string()]),
        NationalIdError::LeadingZero => Msg::new(k::ERR_NID_ZERO),
        NationalIdError::Checksum { expected, .. } => Msg::with(k::ERR_NID_CHECKSUM, [expected.to_string()]),
    }
}

pub fn member(e: &MemberError) -> Msg {
    match e {
        MemberError::Required => Msg::new(k::ERR_REQUIRED),
        MemberError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        MemberError::Unsafe(c) => unsafe_char(*c),
        MemberError::NationalId(e) => national_id(e),
        MemberError::Date(e) => date(e),
        MemberError::Future => Msg::new(k::ERR_FUTURE),
        MemberError::TooYoung(n) => Msg::with(k::ERR_TOO_YOUNG, [n.to_string()]),
        MemberError::TooOld(n) => Msg::with(k::ERR_TOO_OLD, [n.to_string()]),
        MemberError::Phone => Msg::new(k::ERR_PHONE),
        MemberError::BeforeFund => Msg::new(k::ERR_BEFORE_FUND),
        MemberError::YoungAtJoining(n) => Msg::with(k::ERR_YOUNG_AT_JOINING, [n.to_string()]),
        MemberError::Duplicate(fund) => Msg::with(k::ERR_MEMBER_DUPLICATE, [fund.clone()]),
    }
}

pub fn loan(e: &LoanError) -> Msg {
    match e {
        LoanError::Amount(m) => money(m),
        LoanError::Zero => Msg::new(k::ERR_MONEY_ZERO),
        LoanError::TooLarge(m) => Msg::with(k::ERR_LOAN_TOO_LARGE, [m.format()]),
        LoanError::Rate => Msg::new(k::ERR_RATE),
        LoanError::RateTooHigh(n) => Msg::with(k::ERR_RATE_TOO_HIGH, [n.to_string()]),
        LoanError::Date(d) => date(d),
        LoanError::BeforeFund => Msg::new(k::ERR_LOAN_BEFORE_FUND),
        LoanError::BeforeJoining => Msg::new(k::ERR_LOAN_BEFORE_JOINING),
        LoanError::OverAvailable(m) => Msg::with(k::ERR_LOAN_OVER_AVAILABLE, [m.format()]),
        LoanError::Future => Msg::new(k::ERR_FUTURE),
        LoanError::Term(n) => Msg::with(k::ERR_TERM, [n.to_string()]),
        LoanError::Purpose => Msg::new(k::ERR_CATEGORY),
        LoanError::GuarantorId(s) => Msg::with(k::ERR_GUARANTOR_UNKNOWN, [s.clone()]),
        LoanError::GuarantorFund(s) => Msg::with(k::ERR_GUARANTOR_FUND, [s.clone()]),
        LoanError::GuarantorSelf => Msg::new(k::ERR_GUARANTOR_SELF),
        LoanError::GuarantorTwice(s) => Msg::with(k::ERR_GUARANTOR_TWICE, [s.clone()]),
        LoanError::BelowRepaid => Msg::new(k::ERR_LOAN_BELOW_REPAID),
        LoanError::AfterRepayment(d) => Msg::with(
            k::ERR_LOAN_AFTER_REPAYMENT,
            [crate::domain::thai::format_date(*d, crate::domain::Lang::Th)],
        ),
        LoanError::BelowPaidInterest(m) => Msg::with(k::ERR_LOAN_BELOW_PAID_INTEREST, [m.format()]),
    }
}

pub fn repayment(e: &RepaymentError) -> Msg {
    match e {
        RepaymentError::Date(d) => date(d),
        RepaymentError::BeforeLoan => Msg::new(k::ERR_BEFORE_LOAN),
        RepaymentError::Future => Msg::new(k::ERR_FUTURE),
        RepaymentError::Amount(m) => money(m),
        RepaymentError::Nothing => Msg::new(k::ERR_NOTHING_PAID),
        RepaymentError::TooMuchPrincipal(m) => Msg::with(k::ERR_TOO_MUCH_PRINCIPAL, [m.format()]),
        RepaymentError::TooMuchInterest(m) => Msg::with(k::ERR_TOO_MUCH_INTEREST, [m.format()]),
        RepaymentError::TooLarge(m) => Msg::with(k::ERR_LOAN_TOO_LARGE, [m.format()]),
    }
}

pub fn occupation(e: &OccupationError) -> Msg {
    match e {
        OccupationError::Category => Msg::new(k::ERR_CATEGORY),
        OccupationError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        OccupationError::Unsafe(c) => unsafe_char(*c),
        OccupationError::Year(d) => year(d),
        OccupationError::Future => Msg::new(k::ERR_FUTURE),
        OccupationError::TooOld(y) => Msg::with(k::ERR_YEAR_TOO_OLD, [y.to_string()]),
        OccupationError::Amount(m) => money(m),
        OccupationError::Loan(s) => Msg::with(k::ERR_NOT_MEMBERS_LOAN, [s.clone()]),
        OccupationError::LoanNumber(s) => Msg::with(k::ERR_LOAN_NUMBER, [s.clone()]),
        OccupationError::TooLarge(m) => Msg::with(k::ERR_YEARLY_TOO_LARGE, [m.format()]),
    }
}

pub fn sage(e: &SageError) -> Msg {
    match e {
        SageError::Required => Msg::new(k::ERR_REQUIRED),
        SageError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        SageError::Unsafe(c) => unsafe_char(*c),
        SageError::NationalId(e) => member(&MemberError::NationalId(e.clone())),
        SageError::Phone => Msg::new(k::ERR_PHONE),
        SageError::Village => Msg::new(k::ERR_VILLAGE),
        SageError::UnknownVillage(v) => Msg::with(k::ERR_UNKNOWN_VILLAGE, [v.to_string()]),
        SageError::NoExpertise => Msg::new(k::ERR_NO_EXPERTISE),
        SageError::UnknownCategory(c) => Msg::with(k::ERR_UNKNOWN_EXPERTISE, [c.clone()]),
        SageError::Capacity(n) => Msg::with(k::ERR_CAPACITY, [n.to_string()]),
        SageError::BelowLoad(n) => Msg::with(k::ERR_BELOW_LOAD, [n.to_string()]),
    }
}

pub fn programme(e: &ProgrammeError) -> Msg {
    match e {
        ProgrammeError::Required => Msg::new(k::ERR_REQUIRED),
        ProgrammeError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        ProgrammeError::Unsafe(c) => unsafe_char(*c),
        ProgrammeError::Date(d) => date(d),
        ProgrammeError::Year(d) => year(d),
        ProgrammeError::Future => Msg::new(k::ERR_FUTURE),
        ProgrammeError::Stars => Msg::new(k::ERR_STARS),
        ProgrammeError::NoFunds => Msg::new(k::ERR_NO_FUNDS_BRIEFED),
        ProgrammeError::Seats => Msg::new(k::ERR_SEATS),
    }
}

pub fn visit(e: &VisitError) -> Msg {
    match e {
        VisitError::Date(d) => date(d),
        VisitError::BeforeStart => Msg::new(k::ERR_VISIT_BEFORE_START),
        VisitError::Future => Msg::new(k::ERR_FUTURE),
        VisitError::Required => Msg::new(k::ERR_REQUIRED),
        VisitError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        VisitError::Unsafe(c) => unsafe_char(*c),
    }
}

pub fn denied(d: &Denied) -> Msg {
    match d {
        Denied::ReadOnly => Msg::new(k::ERR_READ_ONLY),
        Denied::OtherDistrict { mine, theirs: Some(t) } => {
            Msg::with(k::ERR_OTHER_DISTRICT, [mine.to_string(), t.to_string()])
        }
        Denied::OtherDistrict { mine, theirs: None } => Msg::with(k::ERR_PROVINCE_ONLY, [mine.to_string()]),
        Denied::AdminOnly => Msg::new(k::ERR_ADMIN_ONLY),
        Denied::OtherFund { .. } => Msg::new(k::ERR_OTHER_FUND),
        Denied::NotTheirs => Msg::new(k::ERR_NOT_THEIRS),
    }
}

/// An operating-system error in the officer's words (never the system's
/// own English, never `Os { code: … }`).
pub fn io(e: &std::io::Error) -> Msg {
    use std::io::ErrorKind as E;
    match e.kind() {
        E::StorageFull | E::QuotaExceeded | E::FileTooLarge => Msg::new(k::ERR_IO_FULL),
        E::PermissionDenied => Msg::new(k::ERR_IO_DENIED),
        E::ReadOnlyFilesystem => Msg::new(k::ERR_IO_READ_ONLY),
        E::NotFound => Msg::new(k::ERR_IO_NOT_FOUND),
        E::AlreadyExists => Msg::new(k::ERR_IO_EXISTS),
        E::IsADirectory => Msg::new(k::ERR_IO_IS_DIR),
        E::NotADirectory => Msg::new(k::ERR_IO_NOT_DIR),
        E::UnexpectedEof => Msg::new(k::ERR_IO_EOF),
        E::InvalidData | E::InvalidInput | E::InvalidFilename => Msg::new(k::ERR_IO_INVALID),
        E::ResourceBusy | E::WouldBlock | E::Interrupted | E::TimedOut => Msg::new(k::ERR_IO_BUSY),
        _ if e.raw_os_error() == Some(24) || e.raw_os_error() == Some(23) => Msg::new(k::ERR_IO_TOO_MANY),
        _ => {
            Msg::with(k::ERR_IO_OTHER, [e.raw_os_error().map_or_else(|| "-".to_string(), |c| c.to_string())])
        }
    }
}

/// Megabytes, rounded up, for a message about disk space.
pub fn megabytes(bytes: u64) -> String {
    crate::domain::money::group_thousands(bytes.div_ceil(1 << 20))
}

/// The I/O error inside a store error, if that is what it is.
pub fn io_of(e: &StoreError) -> Option<&std::io::Error> {
    match e {
        StoreError::Io(e) | StoreError::Sled(sled::Error::Io(e)) => Some(e),
        _ => None,
    }
}

fn is_full(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
}

/// A store error; damage found while reading names the way out, a full disk
/// says how much room is needed and that nothing was changed.
pub fn store(e: &StoreError) -> Msg {
    match e {
        // Where, in words an officer can pass on: the data file, or the kind
        // of record (sled's and bincode's own text is for developers).
        StoreError::Sled(sled::Error::Corruption { .. }) => {
            Msg::with(k::ERR_STORE_DAMAGED, ["db".to_string()])
        }
        StoreError::Codec { tree, .. } => Msg::with(k::ERR_STORE_DAMAGED, [tree.to_string()]),
        StoreError::DiskFull { need, free } => {
            Msg::with(k::ERR_DISK_FULL, [megabytes(*need), megabytes(*free)])
        }
        StoreError::Busy => Msg::new(k::ERR_BUSY_LOAD),
        StoreError::Unfinished(what) => Msg::with(k::ERR_UNFINISHED, [what.clone()]),
        StoreError::IdsUsedUp(tree) => Msg::with(k::ERR_IDS_USED_UP, [tree.clone()]),
        e => match io_of(e) {
            Some(io_err) if is_full(io_err) => Msg::new(k::ERR_DISK_FULL_MIDWAY),
            // A data file that ends early or holds nonsense: damage.
            Some(io_err)
                if matches!(
                    io_err.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::InvalidData
                ) =>
            {
                Msg::with(k::ERR_STORE_DAMAGED, [io(io_err)])
            }
            Some(io_err) => Msg::with(k::ERR_STORE, [io(io_err)]),
            None => Msg::with(k::ERR_STORE, [e.to_string()]),
        },
    }
}

/// What opening found and put right, for the log or the status line.
pub fn notice(n: &crate::store::Notice) -> Msg {
    use crate::store::{Notice, load::Work};
    match n {
        Notice::Debris(files) => Msg::with(k::NOTICE_DEBRIS, [files.len().to_string()]),
        Notice::Recovered(r) if r.work == Work::Repair => {
            Msg::with(k::NOTICE_REPAIR_FINISHED, [r.note.clone()])
        }
        Notice::Recovered(r) => Msg::with(k::NOTICE_ROLLED_BACK, [r.note.clone(), r.officer.clone()]),
        Notice::PutBack => Msg::new(k::NOTICE_PUT_BACK),
        Notice::CutImport { officer, file, taken_back: Some(n) } => Msg::with(
            k::NOTICE_IMPORT_TAKEN_BACK,
            [file.clone(), officer.clone(), crate::domain::money::group_thousands(*n as u64)],
        ),
        Notice::CutImport { officer, file, taken_back: None } => {
            Msg::with(k::NOTICE_IMPORT_LEFT, [file.clone(), officer.clone()])
        }
        Notice::CutImportStuck { officer, file, damaged, kept } => Msg::with(
            match (damaged, kept) {
                (_, true) => k::NOTICE_IMPORT_KEPT,
                (true, false) => k::NOTICE_IMPORT_STUCK_DAMAGED,
                (false, false) => k::NOTICE_IMPORT_STUCK_DISK,
            },
            [file.clone(), officer.clone()],
        ),
        Notice::AckedDamaged => Msg::new(k::NOTICE_ACKED_DAMAGED),
    }
}

/// A backup or restore that failed, and why.
pub fn backup(e: &crate::store::backup::BackupError) -> Msg {
    use crate::store::backup::BackupError as B;
    match e {
        B::NotABackup => Msg::new(k::ERR_BACKUP_NOT_BACKUP),
        B::UnsupportedVersion { found, supported } => {
            Msg::with(k::ERR_BACKUP_FORMAT, [found.to_string(), supported.to_string()])
        }
        B::NewerSchema { found, supported } => {
            Msg::with(k::ERR_BACKUP_NEWER, [found.to_string(), supported.to_string()])
        }
        B::Truncated { size } => Msg::with(k::ERR_BACKUP_TRUNCATED, [size.to_string()]),
        B::ChecksumMismatch { .. } => Msg::new(k::ERR_BACKUP_CHECKSUM),
        B::TooLarge { .. } => Msg::with(k::ERR_BACKUP_DAMAGED, ["-".to_string()]),
        B::Malformed { offset, .. } => Msg::with(k::ERR_BACKUP_DAMAGED, [offset.to_string()]),
        B::TargetNotEmpty { path } => Msg::with(k::ERR_BACKUP_TARGET, [path.display().to_string()]),
        B::InsideStore { store } => Msg::with(k::ERR_BACKUP_INSIDE, [store.display().to_string()]),
        B::BadRecords { first, problems } => Msg::with(
            k::ERR_BACKUP_BAD_RECORD,
            [
                Arg::Text(first.tree.to_string()),
                Arg::Text(first.key.clone()),
                Arg::Msg(fault(first.fault)),
                Arg::Text(problems.to_string()),
            ],
        ),
        B::File { path, source } => {
            Msg::with(k::ERR_BACKUP_FILE, [Arg::Text(path.display().to_string()), io(source).into()])
        }
        B::Io(e) => io(e),
        B::Store(e) => store(e),
        B::Open(e) => open(e),
    }
}

/// A tree of the store as officers would call it (`check --repair` names
/// what it rebuilt); an unknown name is shown as it is.
pub fn tree(name: &str) -> Arg {
    use crate::store::trees as t;
    let key = match name {
        t::META => k::TREE_META,
        t::AUDIT => k::TREE_AUDIT,
        t::GEO => k::TREE_GEO,
        t::FUNDS => k::TREE_FUNDS,
        t::FUNDS_BY_CODE => k::TREE_FUNDS_BY_CODE,
        t::FUND_STATS => k::TREE_FUND_STATS,
        t::MEMBERS => k::TREE_MEMBERS,
        t::MEMBERS_BY_NID => k::TREE_MEMBERS_BY_NID,
        t::CATEGORIES => k::TREE_CATEGORIES,
        t::OCCUPATIONS => k::TREE_OCCUPATIONS,
        t::PROFILES => k::TREE_PROFILES,
        t::CHILDREN => k::TREE_CHILDREN,
        t::LOANS => k::TREE_LOANS,
        t::SAGES => k::TREE_SAGES,
        t::SAGES_BY_NID => k::TREE_SAGES_BY_NID,
        t::ASSIGNMENTS => k::TREE_ASSIGNMENTS,
        t::ASSIGNMENTS_BY_OCC => k::TREE_ASSIGNMENTS_BY_OCC,
        t::ACTIVE_BY_OCC => k::TREE_ACTIVE_BY_OCC,
        t::LOADS => k::TREE_LOADS,
        t::COMMITTEES => k::TREE_COMMITTEES,
        t::SUPPORT => k::TREE_SUPPORT,
        t::OTOP => k::TREE_OTOP,
        t::DISTRICT_STATS => k::TREE_DISTRICT_STATS,
        t::FUND_RISK => k::TREE_FUND_RISK,
        t::OFFICERS => k::TREE_OFFICERS,
        t::OFFICERS_BY_LOGIN => k::TREE_OFFICERS_BY_LOGIN,
        t::JOURNAL => k::TREE_JOURNAL,
        other => return Arg::Text(other.to_string()),
    };
    Arg::Msg(Msg::new(key))
}

/// What `check --repair` did, a line each, in Thai and English. (What it
/// rebuilt is named without its count of keys, which for the national-ID
/// index is buckets, not members.)
pub fn repair(r: &crate::store::check::RepairReport) -> Vec<Msg> {
    let n = |v: u64| crate::domain::money::group_thousands(v).into();
    let mut out = Vec::new();
    for (name, _) in &r.rebuilt {
        out.push(Msg { key: k::REPAIR_REBUILT, args: vec![tree(name)] });
    }
    for (name, from, to) in &r.counters {
        out.push(Msg { key: k::REPAIR_COUNTER, args: vec![tree(name), n(*from), n(*to)] });
    }
    out
}

/// What kind of thing `check` found wrong, in a few words.
pub fn fault(f: crate::store::check::Fault) -> Msg {
    use crate::store::check::Fault as F;
    Msg::new(match f {
        F::Unreadable => k::FAULT_UNREADABLE,
        F::Misplaced => k::FAULT_MISPLACED,
        F::Dangling => k::FAULT_DANGLING,
        F::Twice => k::FAULT_TWICE,
        F::Index => k::FAULT_INDEX,
        F::Total => k::FAULT_TOTAL,
        F::Counter => k::FAULT_COUNTER,
        F::Schema => k::FAULT_SCHEMA,
    })
}

/// A ranking scope typed on the command line that names nothing.
pub fn scope(e: &crate::service::ranking::ScopeError) -> Msg {
    use crate::service::ranking::ScopeError as E;
    match e {
        E::Unknown(t) => Msg::with(k::ERR_SCOPE_UNKNOWN, [crate::domain::clean::line(t).into_owned()]),
        E::NotFound(t) => Msg::with(k::ERR_SCOPE_NOT_FOUND, [crate::domain::clean::line(t).into_owned()]),
        E::Store(s) => store(s),
    }
}

pub fn save(e: &SaveError) -> Msg {
    match e {
        SaveError::Stale { .. } => Msg::new(k::ERR_STALE),
        SaveError::Gone(_) => Msg::new(k::ERR_GONE),
        SaveError::Duplicate { index, .. } if *index == trees::FUNDS_BY_CODE => {
            Msg::new(k::ERR_DUPLICATE_FUND_CODE)
        }
        SaveError::Duplicate { index, .. } if *index == trees::MEMBERS_BY_NID => {
            Msg::new(k::ERR_DUPLICATE_NID)
        }
        SaveError::Duplicate { index, .. } if *index == trees::SAGES_BY_NID => {
            Msg::new(k::ERR_DUPLICATE_SAGE_NID)
        }
        SaveError::Duplicate { index, .. } if *index == trees::ACTIVE_BY_OCC => {
            Msg::with(k::ERR_HOUSEHOLD_HAS_SAGE, [String::new()])
        }
        SaveError::Duplicate { index, .. } => Msg::with(k::ERR_DUPLICATE, [index.to_string()]),
        SaveError::Full { capacity } => Msg::with(k::ERR_SAGE_FULL, [capacity.to_string()]),
        SaveError::HasChildren(t) if *t == trees::MEMBERS => Msg::new(k::ERR_HAS_MEMBERS),
        SaveError::HasChildren(t) if *t == trees::ASSIGNMENTS => Msg::new(k::ERR_SAGE_HAS_HOUSEHOLDS),
        // A household's history: a sage's coaching, support, a product.
        SaveError::HasChildren(t) if [trees::ASSIGNMENTS_BY_OCC, trees::SUPPORT, trees::OTOP].contains(t) => {
            Msg::new(k::ERR_OCC_HAS_HISTORY)
        }
        SaveError::HasChildren(_) => Msg::new(k::ERR_HAS_OCCUPATIONS),
        SaveError::Store(s) => store(s),
        SaveError::Denied(d) => denied(d),
    }
}

/// What damage opening found, without sled's debug forms (`Some(Inline(…))`,
/// `backtrace ()`), which mean nothing to an officer: the data file by name.
fn plain_detail(detail: &str) -> String {
    let raw = ["corrupted", "backtrace", "Some(", "Inline(", "Os {"];
    if raw.iter().any(|r| detail.contains(r)) { "db".to_string() } else { detail.to_string() }
}

/// What to tell an officer whose store would not open, and what to do about it.
pub fn open(e: &OpenError) -> Msg {
    match e {
        OpenError::Locked { path } => Msg::with(k::ERR_OPEN_LOCKED, [path.display().to_string()]),
        OpenError::Damaged { path, detail } => {
            Msg::with(k::ERR_OPEN_DAMAGED, [path.display().to_string(), plain_detail(detail)])
        }
        OpenError::Newer { path, found, supported } => Msg::with(
            k::ERR_OPEN_NEWER,
            [path.display().to_string(), found.to_string(), supported.to_string()],
        ),
        OpenError::Foreign { path } => Msg::with(k::ERR_OPEN_FOREIGN, [path.display().to_string()]),
        OpenError::NotAStore { path } => Msg::with(k::ERR_OPEN_NOT_STORE, [path.display().to_string()]),
        OpenError::Absent { path } => Msg::with(k::ERR_OPEN_ABSENT, [path.display().to_string()]),
        OpenError::Io { path, source } if is_full(source) => Msg::with(
            k::ERR_OPEN_IO,
            [Arg::Text(path.display().to_string()), Msg::new(k::ERR_DISK_FULL_MIDWAY).into()],
        ),
        OpenError::Io { path, source } => {
            Msg::with(k::ERR_OPEN_IO, [Arg::Text(path.display().to_string()), io(source).into()])
        }
        OpenError::CutImportStuck { path, officer, file, .. } => {
            Msg::with(k::ERR_OPEN_IMPORT_STUCK, [path.display().to_string(), file.clone(), officer.clone()])
        }
        OpenError::Migration { path, detail } => {
            Msg::with(k::ERR_OPEN_MIGRATION, [path.display().to_string(), detail.clone()])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Lang, thai};

    // Issue 18: a bad start year (`2600x`) got the message for a whole date.
    #[test]
    fn a_year_that_is_not_one_gets_the_years_message() {
        let e = thai::parse_year("2600x").unwrap_err();
        for m in [occupation(&OccupationError::Year(e.clone())), fund(&FundError::Year(e))] {
            assert_eq!(m.render(Lang::En), "Wrong year: use four digits, e.g. 2544 (B.E.) or 2001");
            assert!(m.render(Lang::Th).starts_with("ปีไม่ถูกต้อง"), "{}", m.render(Lang::Th));
        }
    }
}
