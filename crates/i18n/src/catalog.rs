//! The compiled-in Fluent files, one bundle per language.

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use vmportal_core::Lang;

/// The files of every language, by name; each language has the same set.
macro_rules! files {
    ($($name:literal),*) => {
        /// `(language, file name, text)` of every translation file.
        pub const FILES: &[(Lang, &str, &str)] = &[
            $(
                (Lang::En, $name, include_str!(concat!("../locales/en/", $name))),
                (Lang::It, $name, include_str!(concat!("../locales/it/", $name))),
                (Lang::Fr, $name, include_str!(concat!("../locales/fr/", $name))),
                (Lang::De, $name, include_str!(concat!("../locales/de/", $name))),
            )*
        ];
    };
}

files!(
    "common.ftl",
    "errors.ftl",
    "pages.ftl",
    "admin.ftl",
    "mail.ftl"
);

pub struct Catalog {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl Catalog {
    /// Parses every file. A syntax error is a bug caught by the tests, so it panics.
    pub fn load() -> Catalog {
        let bundles = Lang::ALL
            .into_iter()
            .map(|lang| {
                let id = lang.code().parse().expect("a valid language identifier");
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // Isolation marks only matter for right-to-left scripts; they would show up in
                // plain-text mail and confuse tests.
                bundle.set_use_isolating(false);
                for (_, name, text) in FILES.iter().filter(|(l, _, _)| *l == lang) {
                    let res =
                        FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(_, e)| {
                            panic!("{}/{name}: Fluent syntax errors: {e:?}", lang.code())
                        });
                    bundle.add_resource(res).unwrap_or_else(|e| {
                        panic!("{}/{name}: duplicate keys: {e:?}", lang.code())
                    });
                }
                (lang, bundle)
            })
            .collect();
        Catalog { bundles }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        &self
            .bundles
            .iter()
            .find(|(l, _)| *l == lang)
            .expect("every language is loaded")
            .1
    }

    /// The text of `key`; a missing key (which the tests rule out) shows as the key itself.
    pub fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(lang = lang.code(), key, "missing translation");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                lang = lang.code(),
                key,
                ?errors,
                "translation did not format cleanly"
            );
        }
        text.into_owned()
    }
}
