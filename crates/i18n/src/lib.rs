//! Every text a person reads, in their language. The texts live in Project Fluent files
//! (`locales/<lang>/*.ftl`), one set per language, compiled into the binary; plural rules come from
//! CLDR through Fluent. Code names a text by its key, always as a string literal right inside a
//! call of `msg` or of `tr.t` (also `t1`..`t3`), so that `tests/keys.rs` can compare the keys the code uses with
//! the keys each file defines.

mod args;
mod catalog;
mod dates;

use catalog::Catalog;
use fluent_bundle::{FluentArgs, FluentValue};
use std::sync::LazyLock;
use vmportal_core::{Arg, Lang};

pub use args::{ToArg, ToMsg, ToStamp};
pub use catalog::FILES;

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::load);

/// A translator for one language: cheap to copy, handed to every page and mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        CATALOG.format(self.lang, key, None)
    }

    /// The text of `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ToArg) -> String {
        self.with(key, [(name, value.to_arg())])
    }

    pub fn t2(&self, key: &str, n1: &str, v1: impl ToArg, n2: &str, v2: impl ToArg) -> String {
        self.with(key, [(n1, v1.to_arg()), (n2, v2.to_arg())])
    }

    // Flat name-value pairs read best in templates, which cannot pass tuples.
    #[allow(clippy::too_many_arguments)]
    pub fn t3(
        &self,
        key: &str,
        n1: &str,
        v1: impl ToArg,
        n2: &str,
        v2: impl ToArg,
        n3: &str,
        v3: impl ToArg,
    ) -> String {
        self.with(
            key,
            [(n1, v1.to_arg()), (n2, v2.to_arg()), (n3, v3.to_arg())],
        )
    }

    /// A message the domain composed.
    pub fn msg(&self, m: impl ToMsg) -> String {
        let m = m.to_msg();
        self.with(m.key, m.args.iter().map(|(n, v)| (*n, v.clone())))
    }

    fn with<'a>(&self, key: &str, args: impl IntoIterator<Item = (&'a str, Arg)>) -> String {
        let mut fa = FluentArgs::new();
        for (name, value) in args {
            let v: FluentValue = match value {
                Arg::Int(n) => n.into(),
                Arg::Text(s) => s.into(),
                Arg::Msg(m) => self.msg(&*m).into(),
            };
            fa.set(name.to_owned(), v);
        }
        CATALOG.format(self.lang, key, Some(&fa))
    }

    /// A date and time as people of this language write it, in UTC (the portal's one time zone).
    pub fn datetime(&self, t: impl ToStamp) -> String {
        dates::datetime(self, t.to_stamp())
    }

    /// A date alone.
    pub fn date(&self, t: impl ToStamp) -> String {
        dates::date(self, t.to_stamp())
    }
}
