//! Hostile input on every route, as every caller: no answer of 500 or above, no dropped
//! connection, nothing changed. The routes are not listed here: the API's come from the OpenAPI
//! document (path ids, query parameters, each property of the request body), the pages' forms
//! from crawling the pages each caller can reach, so a new route or form is fuzzed without anyone
//! remembering to add it.

use crate::authz::{Fixture, fixture};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Values no field should accept, as JSON: wrong types, numbers out of any range, control
/// characters, a string far over the body limit. (Deep nesting is sent as raw text: a
/// `serde_json::Value` that deep would overflow the test's own stack.)
fn hostile_json() -> Vec<Value> {
    vec![
        json!(true),
        json!([]),
        json!({"nested": {"object": 1}}),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(-1),
        json!(1e308),
        json!(-0.5),
        json!("9223372036854775808"),
        json!("\u{0}nul\u{1b}[2J\u{7f}"),
        json!("x\r\nSet-Cookie: a=b\u{0}"),
        json!("y".repeat(2 * 1024 * 1024)),
    ]
}

/// Whole bodies that are not what any route reads.
fn hostile_bodies() -> Vec<Vec<u8>> {
    let mut deep = "[".repeat(100_000);
    deep.push_str(&"]".repeat(100_000));
    vec![
        b"\xff\xfe{\"a\":\"\xc3\x28\"}".to_vec(),
        b"{\"username\": \"\xed\xa0\x80\"}".to_vec(),
        deep.into_bytes(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"\"just a string\"".to_vec(),
        b"{".to_vec(),
        vec![b'z'; 2 * 1024 * 1024],
    ]
}

/// Values for a path segment, a query parameter or a form field (already percent-encoded).
const HOSTILE_TEXT: [&str; 12] = [
    "0",
    "-1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e308",
    "%00",
    "%FF%FE",
    "%0D%0ASet-Cookie:%20a=b%00",
    "..%2F..%2Fetc%2Fpasswd%00",
    "%E2%80%AE%1B%5B2J",
    "abc",
];

/// A password may be any text of 10 characters or more: text sent to a password field may be
/// accepted, and would change a password (and end sessions). Such fields get every hostile value
/// but text.
fn any_text_goes(field: &str) -> bool {
    field.contains("password")
}

fn long_text() -> String {
    "w".repeat(8_000)
}

struct Outcome {
    failures: Vec<String>,
    sent: usize,
}

impl Outcome {
    async fn send(&mut self, what: String, req: reqwest::RequestBuilder) {
        self.sent += 1;
        match req.send().await {
            Ok(r) if r.status().as_u16() >= 500 => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                let body: String = body.chars().take(200).collect();
                self.failures.push(format!("{what}: {status} {body}"));
            }
            Ok(r) => {
                // Read the body: a connection dropped mid-answer is a failure too.
                if let Err(e) = r.bytes().await {
                    self.failures.push(format!("{what}: body lost: {e}"));
                }
            }
            Err(e) => self.failures.push(format!("{what}: no answer: {e}")),
        }
    }
}

/// What the fuzzing must leave unchanged, as every caller sees it (minus what merely notes use).
async fn snapshot(f: &Fixture) -> Value {
    let admin = &f.callers[4];
    let mut out = BTreeMap::new();
    for path in [
        "/api/v1/users",
        "/api/v1/templates",
        "/api/v1/requests",
        "/api/v1/machines",
    ] {
        out.insert(
            path.to_owned(),
            f.app.get(admin, path).await.json::<Value>().await.unwrap(),
        );
    }
    for (i, c) in f.callers.iter().enumerate().skip(1) {
        let me = f.app.get(c, "/api/v1/me").await;
        assert_eq!(me.status(), 200, "caller {i} is still signed in");
        out.insert(format!("me {i}"), me.json::<Value>().await.unwrap());
        let mut tokens: Value = f.app.get(c, "/api/v1/tokens").await.json().await.unwrap();
        for t in tokens.as_array_mut().into_iter().flatten() {
            t.as_object_mut().unwrap().remove("last_used_at");
        }
        out.insert(format!("tokens {i}"), tokens);
    }
    serde_json::to_value(out).unwrap()
}

/// A real id for `{id}` in `path`, by the resource it names.
fn real_id(f: &Fixture, path: &str) -> Option<i64> {
    let resource = path.split("/{id}").next()?.rsplit('/').next()?;
    Some(match resource {
        "users" => f.alice,
        "templates" => f.template,
        "requests" => f.request,
        "machines" => f.machine,
        "jobs" => f.job,
        _ => return None,
    })
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

async fn fuzz_api(f: &Fixture, out: &mut Outcome) -> usize {
    let doc = serde_json::to_value(vmportal_web::openapi()).unwrap();
    let mut operations = 0;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|_| {
                    resolve(
                        &doc,
                        &op["requestBody"]["content"]["application/json"]["schema"],
                    )
                });
            operations += 1;
            for (i, c) in f.callers.iter().enumerate() {
                // Hostile path ids.
                if path.contains("{id}") {
                    for id in HOSTILE_TEXT
                        .iter()
                        .map(|s| s.to_string())
                        .chain([long_text()])
                    {
                        let url = f.app.url(&path.replace("{id}", &id));
                        let what = format!("caller {i} {method} {path} id={:.40}", id);
                        out.send(what, c.request(method.clone(), url)).await;
                    }
                }
                // The real path, for query and body fuzzing.
                let real = match real_id(f, path) {
                    Some(id) => path.replace("{id}", &id.to_string()),
                    None if path.contains("{id}") => continue,
                    None => path.clone(),
                };
                for p in params.iter().filter(|p| p["in"] == "query") {
                    let name = p["name"].as_str().unwrap();
                    for v in HOSTILE_TEXT
                        .iter()
                        .map(|s| s.to_string())
                        .chain([long_text()])
                    {
                        let url = f.app.url(&format!("{real}?{name}={v}"));
                        let what = format!("caller {i} {method} {path}?{name}={v:.40}");
                        out.send(what, c.request(method.clone(), url)).await;
                    }
                }
                let Some(schema) = body else { continue };
                let url = f.app.url(&real);
                for raw in hostile_bodies() {
                    let what = format!(
                        "caller {i} {method} {path} body {:?}",
                        String::from_utf8_lossy(&raw[..raw.len().min(20)])
                    );
                    let req = c
                        .request(method.clone(), &url)
                        .header("content-type", "application/json")
                        .body(raw);
                    out.send(what, req).await;
                }
                let properties = schema["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                for name in properties.keys() {
                    let deep = format!("{{\"{name}\": {}1{}}}", "[".repeat(5000), "]".repeat(5000));
                    let what = format!("caller {i} {method} {path} {name}=[[[...");
                    let req = c
                        .request(method.clone(), &url)
                        .header("content-type", "application/json")
                        .body(deep);
                    out.send(what, req).await;
                    let kinds = &properties[name]["type"];
                    let is = |kind: &str| {
                        kinds == kind
                            || kinds
                                .as_array()
                                .is_some_and(|a| a.iter().any(|k| k == kind))
                    };
                    // Only what the field's type makes wrong: `true` is fine for a flag, and any
                    // text without control characters, within the body limit, may be a reason.
                    let values = hostile_json().into_iter().filter(|v| {
                        let text = v.as_str();
                        let plain_text = text.is_some_and(|t| t.len() < 65536 && !t.contains('\0'));
                        let fine = (text.is_some() && any_text_goes(name))
                            || (v.is_boolean() && is("boolean"))
                            || (plain_text && is("string"));
                        !fine
                    });
                    for v in values {
                        let what =
                            format!("caller {i} {method} {path} {name}={:.40}", v.to_string());
                        let req = c.request(method.clone(), &url).json(&json!({ name: v }));
                        out.send(what, req).await;
                    }
                }
            }
        }
    }
    operations
}

/// A form on a page: where it posts, and its fields by name, each marked when it takes a number.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Form {
    action: String,
    fields: BTreeMap<String, bool>,
}

/// The value of `attr="..."` in `tag`, if any.
fn attr(tag: &str, attr: &str) -> Option<String> {
    let start = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&amp;", "&"))
}

/// Every tag `<name ...>` in `html`.
fn tags<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    html.match_indices(&open)
        .filter_map(|(i, _)| html[i..].find('>').map(|end| &html[i..i + end]))
        .collect()
}

fn forms(html: &str) -> Vec<Form> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form ") {
        let end = rest[start..]
            .find("</form>")
            .map_or(rest.len(), |e| start + e);
        let form = &rest[start..end];
        let open = &form[..form.find('>').unwrap_or(form.len())];
        let post = attr(open, "method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
        if let (true, Some(action)) = (post, attr(open, "action")) {
            let fields = ["input", "select", "textarea"]
                .iter()
                .flat_map(|t| tags(form, t))
                .filter_map(|t| {
                    let numeric = attr(t, "inputmode").as_deref() == Some("numeric")
                        || attr(t, "type").as_deref() == Some("number");
                    attr(t, "name").map(|n| (n, numeric))
                })
                .collect();
            found.push(Form { action, fields });
        }
        rest = &rest[end..];
    }
    found
}

/// The portal's own links on a page (no assets), without their fragment.
fn links(html: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|t| attr(t, "href"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//") && !h.starts_with("/static/"))
        .map(|h| h.split('#').next().unwrap().to_owned())
        .collect()
}

/// Every page each caller reaches from the start page (and the sign-in page), and its forms.
async fn crawl(f: &Fixture) -> (BTreeSet<String>, BTreeSet<Form>) {
    let mut pages = BTreeSet::new();
    let mut all_forms = BTreeSet::new();
    for c in &f.callers {
        let mut todo = vec!["/".to_owned(), "/login".to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(page) = todo.pop() {
            // Links out of the console page lead to noVNC; deletion pages are forms like others.
            if !seen.insert(page.clone()) || seen.len() > 200 {
                continue;
            }
            let r = f.app.get(c, &page).await;
            if !r.status().is_success() {
                continue;
            }
            let html = r.text().await.unwrap();
            pages.insert(page);
            all_forms.extend(forms(&html));
            todo.extend(links(&html));
        }
    }
    (pages, all_forms)
}

/// `path` with each all-digit segment replaced, one at a time, by `value`.
fn with_hostile_segments(path: &str, value: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    (0..segments.len())
        .filter(|&i| !segments[i].is_empty() && segments[i].bytes().all(|b| b.is_ascii_digit()))
        .map(|i| {
            let mut s = segments.clone();
            s[i] = value;
            s.join("/")
        })
        .collect()
}

async fn fuzz_pages(f: &Fixture, out: &mut Outcome) -> (usize, usize) {
    let (pages, forms) = crawl(f).await;
    for (i, c) in f.callers.iter().enumerate() {
        for page in &pages {
            let (path, query) = page.split_once('?').unwrap_or((page, ""));
            for v in HOSTILE_TEXT {
                for hostile in with_hostile_segments(path, v) {
                    let what = format!("caller {i} GET {hostile}");
                    out.send(what, c.get(f.app.url(&hostile))).await;
                }
                for name in query
                    .split('&')
                    .filter_map(|kv| kv.split('=').next())
                    .filter(|n| !n.is_empty())
                {
                    let url = f.app.url(&format!("{path}?{name}={v}"));
                    out.send(format!("caller {i} GET {path}?{name}={v}"), c.get(url))
                        .await;
                }
            }
        }
        for form in &forms {
            for v in HOSTILE_TEXT {
                for hostile in with_hostile_segments(&form.action, v) {
                    let what = format!("caller {i} POST {hostile}");
                    out.send(what, c.post(f.app.url(&hostile))).await;
                }
            }
            let url = f.app.url(&form.action);
            for (name, numeric) in form.fields.iter().filter(|(n, _)| !any_text_goes(n)) {
                // Text fields may take any line of text: only what no field accepts (control
                // characters, invalid UTF-8, more than the body limit) is hostile there.
                let over_limit = "v".repeat(70_000);
                let values: Vec<&str> = HOSTILE_TEXT
                    .iter()
                    .copied()
                    // 0 is a fine quota; -1, overflowing and non-numbers are not.
                    .filter(|v| (*numeric && *v != "0") || v.contains('%'))
                    .chain([over_limit.as_str()])
                    .collect();
                for v in values {
                    let what = format!("caller {i} POST {} {name}={v:.40}", form.action);
                    let req = c
                        .post(&url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(format!("{name}={v}"));
                    out.send(what, req).await;
                }
            }
            // A form that reads nothing (sign-out, an action button) is all in its path.
            if !form.fields.is_empty() {
                let what = format!("caller {i} POST {} as JSON", form.action);
                out.send(what, c.post(&url).json(&json!([1, 2]))).await;
            }
        }
    }
    (pages.len(), forms.len())
}

#[tokio::test]
async fn hostile_input_on_every_route_as_every_caller_breaks_and_changes_nothing() {
    let f = fixture().await;
    let before = snapshot(&f).await;
    let mut out = Outcome {
        failures: Vec::new(),
        sent: 0,
    };
    let operations = fuzz_api(&f, &mut out).await;
    let (pages, forms) = fuzz_pages(&f, &mut out).await;
    // Guards against a crawl or a document that silently found nothing.
    assert!(operations >= 30, "{operations} API operations");
    assert!(pages >= 10 && forms >= 10, "{pages} pages, {forms} forms");
    assert!(
        out.failures.is_empty(),
        "{} of {} requests failed:\n{}",
        out.failures.len(),
        out.sent,
        out.failures.join("\n")
    );
    let after = snapshot(&f).await;
    let changed: Vec<String> = before
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| after[k.as_str()] != **v)
        .map(|(k, v)| format!("{k}:\n  before {v}\n  after  {}", after[k.as_str()]))
        .collect();
    assert!(
        changed.is_empty(),
        "hostile input changed:\n{}",
        changed.join("\n")
    );
}
