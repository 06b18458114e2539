//! Every key the code uses is in every language's files, and every key in the files is used.
//! The code's keys are collected from the sources: a key is always a literal in `msg("...")`
//! (Rust) or `tr.t("...")`, `tr.t1("...")`.. `tr.t3("...")` (Rust and templates).

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};
use vmportal_core::Lang;
use vmportal_i18n::FILES;

const CALLS: [&str; 5] = ["msg(", ".t(", ".t1(", ".t2(", ".t3("];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            // Tests say what to expect, not what the portal says; build output and npm trees are
            // not sources.
            if !["tests", "target", "node_modules"].contains(&name.to_str().unwrap_or("")) {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push(path);
        }
    }
}

/// `key -> a file that uses it`.
fn code_keys() -> BTreeMap<String, PathBuf> {
    let mut files = Vec::new();
    for top in ["crates", "tools"] {
        sources(&workspace().join(top), &mut files);
    }
    let mut keys = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source");
        for call in CALLS {
            for (at, _) in text.match_indices(call) {
                let before = &text[..at];
                // `msg(` must be the function itself, not the end of another name or its definition.
                if call == "msg("
                    && (before.ends_with("fn ")
                        || before
                            .chars()
                            .next_back()
                            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.'))
                {
                    continue;
                }
                let rest = text[at + call.len()..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    panic!(
                        "{}: a key must be a string literal in {call}...) so that this test sees it",
                        file.display()
                    );
                };
                let key = &rest[..rest.find('"').expect("a closed string")];
                assert!(
                    !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{}: {key:?} is not a key (a-z, 0-9, -)",
                    file.display()
                );
                keys.entry(key.to_owned()).or_insert_with(|| file.clone());
            }
        }
    }
    keys
}

/// The message ids of `lang`'s files (terms, `-name`, are the files' own business).
fn file_keys(lang: Lang) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (_, name, text) in FILES.iter().filter(|(l, _, _)| *l == lang) {
        let resource = fluent_syntax::parser::parse(*text).unwrap_or_else(|(_, errors)| {
            panic!("{}/{name}: syntax errors: {errors:?}", lang.code())
        });
        for entry in resource.body {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                assert!(
                    keys.insert(m.id.name.to_owned()),
                    "{}/{name}: {} defined twice",
                    lang.code(),
                    m.id.name
                );
            }
        }
    }
    keys
}

#[test]
fn every_language_has_exactly_the_keys_the_code_uses() {
    let used = code_keys();
    assert!(
        used.len() > 100,
        "the scan found too few keys: {}",
        used.len()
    );
    let mut problems = Vec::new();
    for lang in Lang::ALL {
        let defined = file_keys(lang);
        for (key, file) in &used {
            if !defined.contains(key) {
                problems.push(format!(
                    "{}: missing {key} (used in {})",
                    lang.code(),
                    file.display()
                ));
            }
        }
        for key in defined.iter().filter(|k| !used.contains_key(*k)) {
            problems.push(format!("{}: {key} is not used by the code", lang.code()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Prints the keys the code uses, for a translator starting a new language:
/// `cargo test -p vmportal-i18n --test keys -- --ignored --nocapture`.
#[test]
#[ignore]
fn list_keys() {
    for (key, file) in code_keys() {
        println!("{key}\t{}", file.display());
    }
}

/// Removes everything between `open` and the next `close` (both included).
fn strip(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(open) {
        out.push_str(&rest[..at]);
        out.push(' ');
        rest = rest[at..]
            .find(close)
            .map_or("", |end| &rest[at + end + close.len()..]);
    }
    out.push_str(rest);
    out
}

/// What a page shows that no translation covers: literal words in a template's text and in the
/// attributes people read (placeholder, aria-label, title, alt). Only names and code are allowed.
#[test]
fn templates_show_no_words_outside_the_translation_files() {
    // Product, protocol and operating system names, and code shown as code.
    const NOT_WORDS: [&str; 10] = [
        "vmportal",
        "· vmportal",
        "DN",
        "ssh",
        "Linux",
        "Windows",
        "PATCH /api/v1/machines/{id}",
        "username[,display name,email]",
        "ssh-ed25519 AAAA... you@laptop",
        "fr-FR",
    ];
    let mut found = Vec::new();
    let dir = workspace().join("crates/web/templates");
    for entry in fs::read_dir(&dir).expect("the templates").flatten() {
        let path = entry.path();
        let text = fs::read_to_string(&path).expect("a readable template");
        for attr in ["placeholder=\"", "aria-label=\"", "title=\"", "alt=\""] {
            for (at, _) in text.match_indices(attr) {
                let value = &text[at + attr.len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                if !value.contains("{{") && has_word(value) && !NOT_WORDS.contains(&value) {
                    found.push(format!("{}: {attr}{value}\"", path.display()));
                }
            }
        }
        let mut shown = strip(&text, "{{", "}}");
        for (open, close) in [
            ("{%", "%}"),
            ("{#", "#}"),
            ("<script", "</script>"),
            ("<", ">"),
        ] {
            shown = strip(&shown, open, close);
        }
        for run in shown.split(['\n', '\t']).flat_map(|l| l.split("  ")) {
            let run = run.trim();
            if has_word(run) && !NOT_WORDS.contains(&run) {
                found.push(format!("{}: {run:?}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "words a translator never sees:\n{}",
        found.join("\n")
    );
}

fn has_word(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic())
}
