//! What every screen shares: the officer and their session's settings
//! (language, dates, size), the reference data (places, categories, the
//! catalog of occupation records), and what lies over the screens (a form,
//! an overlay, the status line).

use std::sync::{Arc, RwLock, mpsc};

use super::{
    action::{Status, StatusKind},
    form::Form,
    overlay::Overlay,
};
use crate::{
    domain::{
        Date, Lang,
        fund::Fund,
        member::Member,
        occupation::{OccupationCategory, OccupationRecord},
        officer::Access,
        programme::{NetworkCommittee, OtopProduct, SupportActivity},
        sage::{Assignment, Sage},
    },
    i18n::Msg,
    service::{catalog::Catalog, geo::Geo},
    store::{Actor, StoreError},
};

pub struct Shared {
    pub lang: Lang,
    pub no_color: bool,
    pub officer: String,
    /// What this session may change (the store checks it on every write).
    pub access: Access,
    /// Over SSH: the officer's own folder, where every export goes under a
    /// name they choose but no path (`files/LOGIN/outbox/`); `None` when the
    /// officer runs the app as themselves and writes where they like.
    pub export_dir: Option<std::path::PathBuf>,
    pub today: Date,
    pub size: (u16, u16),
    pub geo: Geo,
    pub categories: Vec<OccupationCategory>,
    /// Every occupation record, for the Occupations tab (see [`Catalog`]).
    pub catalog: Arc<RwLock<Catalog>>,
    /// Whether the catalog is a server's, shared with other sessions.
    pub(super) catalog_shared: bool,
    /// Set while the catalog loads in the background.
    pub(super) catalog_rx: Option<mpsc::Receiver<Result<Catalog, StoreError>>>,
    /// Balances and overdue days are computed as of this day (`a` changes it).
    pub as_of: Date,
    pub form: Option<Form>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub undo: Vec<Undo>,
    pub quit: bool,
}

impl Shared {
    /// This session, as the store's writes name it and check it.
    pub fn who(&self) -> Actor<'_> {
        Actor { name: &self.officer, access: self.access, change: None }
    }

    pub fn info(&mut self, msg: impl Into<Msg>) {
        self.status = Some(Status { msg: msg.into(), kind: StatusKind::Info });
    }

    pub fn error(&mut self, msg: impl Into<Msg>) {
        self.status = Some(Status { msg: msg.into(), kind: StatusKind::Error });
    }

    pub fn form_error(&mut self, msg: Msg) {
        if let Some(form) = &mut self.form {
            form.error = Some(msg);
        }
    }

    /// Puts each error beside its field; `fields` lists the form's fields in order.
    pub fn set_field_errors<F: PartialEq, E>(
        &mut self,
        fields: &[F],
        errs: Vec<(F, E)>,
        msg: fn(&E) -> Msg,
    ) {
        if let Some(form) = &mut self.form {
            for (field, e) in errs {
                let i = fields.iter().position(|f| *f == field).unwrap_or(0);
                form.set_error(i, msg(&e));
            }
        }
    }

}

/// A change that can be taken back with `u`: the record as it was before, and
/// where it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undo {
    Fund {
        before: Option<Fund>,
        after: Option<(u64, u64)>,
    },
    /// `after`: (fund, member, version).
    Member {
        before: Option<Member>,
        after: Option<(u64, u64, u64)>,
    },
    Occupation {
        before: Option<OccupationRecord>,
        after: Option<((u64, u64, u64), u64)>,
    },
    Sage {
        before: Option<Sage>,
        after: Option<(u64, u64)>,
    },
    /// `after`: ((sage, assignment), version).
    Assignment {
        before: Option<Assignment>,
        after: Option<((u64, u64), u64)>,
    },
    Committee {
        before: Option<NetworkCommittee>,
        after: Option<(u64, u64)>,
    },
    Support {
        before: Option<SupportActivity>,
        after: Option<(u64, u64)>,
    },
    Otop {
        before: Option<OtopProduct>,
        after: Option<(u64, u64)>,
    },
    /// Several changes made as one (a plan accepted), taken back together.
    Many(Vec<Undo>),
}

impl Undo {
    /// What the change was about, for the message that takes it back.
    pub fn describe(&self) -> String {
        match self {
            Undo::Fund { before: Some(f), .. } => format!("{} {}", f.code, f.name),
            Undo::Member { before: Some(m), .. } => m.full_name(),
            Undo::Occupation { before: Some(r), .. } => r.member_name.clone(),
            Undo::Sage { before: Some(s), .. } => s.full_name(),
            Undo::Assignment { before: Some(a), .. } => a.household.clone(),
            Undo::Many(list) => list.len().to_string(),
            Undo::Committee { before: Some(c), .. } => c.district.to_string(),
            Undo::Support { before: Some(s), .. } => s.note.chars().take(30).collect(),
            Undo::Otop { before: Some(p), .. } => p.name.clone(),
            Undo::Fund { after: Some((id, _)), .. } => format!("#{id}"),
            Undo::Member { after: Some((_, id, _)), .. } => format!("#{id}"),
            Undo::Occupation { after: Some(((_, _, id), _)), .. } => format!("#{id}"),
            Undo::Sage { after: Some((id, _)), .. } => format!("#{id}"),
            Undo::Assignment { after: Some(((_, id), _)), .. } => format!("#{id}"),
            Undo::Committee { after: Some((id, _)), .. }
            | Undo::Support { after: Some((id, _)), .. }
            | Undo::Otop { after: Some((id, _)), .. } => format!("#{id}"),
            _ => String::new(),
        }
    }
}

