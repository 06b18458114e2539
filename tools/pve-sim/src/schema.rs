//! The official API schema as a validator: which method+path exists, which parameters it takes
//! (names, required, types, patterns, enums, bounds), and what its answer must look like.

use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Where the schema lives: `../shared/pve/` next to the repository.
pub const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/pve/api-schema-9.1.3.json"
);

pub struct Schema {
    endpoints: Vec<Endpoint>,
    /// Compiled `pattern`s, anchored as the server anchors them.
    regexes: Mutex<HashMap<String, Option<Regex>>>,
}

struct Endpoint {
    path: String,
    segments: Vec<String>,
    methods: BTreeMap<String, Value>,
}

/// A request that matched an endpoint.
#[derive(Debug)]
pub struct Matched<'a> {
    /// The schema path, e.g. `/nodes/{node}/lxc/{vmid}/clone`.
    pub path: &'a str,
    pub info: &'a Value,
    /// Path parameters and request parameters together.
    pub params: BTreeMap<String, String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    NoSuchPath,
    MethodNotAllowed,
    /// Per-field messages, as the server's 400 `errors` object.
    Params(BTreeMap<String, String>),
}

impl Schema {
    /// The schema, read once per process (it is 2 MB of JSON).
    pub fn shared() -> &'static Schema {
        static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        SCHEMA.get_or_init(Schema::load)
    }

    pub fn load() -> Schema {
        let text = std::fs::read_to_string(SCHEMA_PATH)
            .unwrap_or_else(|e| panic!("reading {SCHEMA_PATH}: {e}"));
        Schema::from_json(&serde_json::from_str(&text).expect("the schema is JSON"))
    }

    pub fn from_json(tree: &Value) -> Schema {
        fn walk(node: &Value, out: &mut Vec<Endpoint>) {
            if let (Some(path), Some(info)) = (node["path"].as_str(), node["info"].as_object()) {
                out.push(Endpoint {
                    path: path.to_string(),
                    segments: split(path),
                    methods: info.iter().map(|(m, i)| (m.clone(), i.clone())).collect(),
                });
            }
            for child in node["children"].as_array().into_iter().flatten() {
                walk(child, out);
            }
        }
        let mut endpoints = Vec::new();
        for root in tree.as_array().expect("the schema is a list of trees") {
            walk(root, &mut endpoints);
        }
        Schema {
            endpoints,
            regexes: Mutex::new(HashMap::new()),
        }
    }

    /// Finds the endpoint (literal segments win over `{templates}`) and checks the parameters.
    pub fn check_request<'a>(
        &'a self,
        method: &str,
        path: &str,
        params: &[(String, String)],
    ) -> Result<Matched<'a>, Rejection> {
        let segs: Vec<String> = split(path)
            .iter()
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let (endpoint, path_params) = self
            .endpoints
            .iter()
            .filter_map(|e| bind(&e.segments, &segs).map(|p| (e, p)))
            .max_by_key(|(e, p)| e.segments.len() - p.len())
            .ok_or(Rejection::NoSuchPath)?;
        let info = endpoint
            .methods
            .get(method)
            .ok_or(Rejection::MethodNotAllowed)?;
        let props = &info["parameters"]["properties"];
        let mut all = path_params;
        let mut errors = BTreeMap::new();
        for (name, value) in params {
            if all.insert(name.clone(), value.clone()).is_some() {
                errors.insert(name.clone(), "duplicate parameter".to_string());
            }
        }
        for (name, value) in &all {
            match lookup(props, name) {
                None => {
                    errors.insert(
                        name.clone(),
                        "property is not defined in schema and the schema does not allow \
                         additional properties"
                            .into(),
                    );
                }
                Some(prop) => {
                    if let Err(e) = self.check_param(prop, value) {
                        errors.insert(name.clone(), e);
                    }
                }
            }
        }
        for (name, prop) in props.as_object().into_iter().flatten() {
            if !truthy(&prop["optional"]) && !all.contains_key(name) {
                errors.insert(
                    name.clone(),
                    "property is missing and it is not optional".into(),
                );
            }
        }
        if errors.is_empty() {
            Ok(Matched {
                path: &endpoint.path,
                info,
                params: all,
            })
        } else {
            Err(Rejection::Params(errors))
        }
    }

    /// One wire value (always a string on the wire) against its property schema.
    fn check_param(&self, prop: &Value, value: &str) -> Result<(), String> {
        let kind = prop["type"].as_str().unwrap_or("string");
        let type_error = || Err(format!("type check ('{kind}') failed - got '{value}'"));
        match kind {
            "boolean" if value != "0" && value != "1" => return type_error(),
            "integer" => match value.parse::<i64>() {
                Ok(n) => self.check_bounds(prop, n as f64)?,
                Err(_) => return type_error(),
            },
            "number" => match value.parse::<f64>() {
                Ok(n) => self.check_bounds(prop, n)?,
                Err(_) => return type_error(),
            },
            "string" => self.check_string(prop, value)?,
            _ => {}
        }
        match prop.get("format") {
            Some(format) => self.check_format(format, value),
            None => Ok(()),
        }
    }

    fn check_bounds(&self, prop: &Value, n: f64) -> Result<(), String> {
        if let Some(min) = number(&prop["minimum"]).filter(|min| n < *min) {
            return Err(format!("value must have a minimum value of {min}"));
        }
        if let Some(max) = number(&prop["maximum"]).filter(|max| n > *max) {
            return Err(format!("value may not exceed {max}"));
        }
        Ok(())
    }

    fn check_string(&self, prop: &Value, value: &str) -> Result<(), String> {
        if let Some(values) = prop["enum"].as_array()
            && !values.iter().any(|v| v.as_str() == Some(value))
        {
            let list: Vec<_> = values.iter().filter_map(Value::as_str).collect();
            return Err(format!(
                "value '{value}' does not have a value in the enumeration '{}'",
                list.join(", ")
            ));
        }
        let len = value.chars().count() as f64;
        if let Some(max) = number(&prop["maxLength"]).filter(|max| len > *max) {
            return Err(format!("value may only be {max} characters long"));
        }
        if let Some(min) = number(&prop["minLength"]).filter(|min| len < *min) {
            return Err(format!("value must be at least {min} characters long"));
        }
        if let Some(pattern) = prop["pattern"].as_str()
            && !self.matches(pattern, value)
        {
            return Err("value does not match the regex pattern".into());
        }
        Ok(())
    }

    fn matches(&self, pattern: &str, value: &str) -> bool {
        let mut cache = self.regexes.lock().expect("regex cache");
        let re = cache
            .entry(pattern.to_string())
            .or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok());
        // A pattern our regex engine cannot compile is not held against the caller.
        re.as_ref().is_none_or(|re| re.is_match(value))
    }

    /// An answer's `data` against the endpoint's `returns`; each mismatch as `where: what`.
    pub fn check_return(&self, returns: &Value, data: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.check_value(returns, data, "data", &mut out);
        out
    }

    fn check_value(&self, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
        let mut bad = |what: &str| out.push(format!("{at}: {what}, got {v}"));
        match schema["type"].as_str() {
            Some("null") if !v.is_null() => bad("expected null"),
            // Integers and numbers arrive as JSON numbers or as numeric strings.
            Some("integer")
                if !(v.is_i64()
                    || v.is_u64()
                    || v.as_str().is_some_and(|s| s.parse::<i64>().is_ok())) =>
            {
                bad("expected an integer")
            }
            Some("number")
                if !(v.is_number() || v.as_str().is_some_and(|s| s.parse::<f64>().is_ok())) =>
            {
                bad("expected a number")
            }
            Some("boolean")
                if !(v.is_boolean() || v.as_i64().is_some_and(|n| n == 0 || n == 1)) =>
            {
                bad("expected a boolean (0/1)")
            }
            Some("string") => match v.as_str() {
                None => bad("expected a string"),
                Some(s) => {
                    let format = schema
                        .get("format")
                        .map_or(Ok(()), |f| self.check_format(f, s));
                    if let Err(e) = self.check_string(schema, s).and(format) {
                        bad(&e)
                    }
                }
            },
            Some("array") => match v.as_array() {
                None => bad("expected an array"),
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(&schema["items"], item, &format!("{at}[{i}]"), out);
                    }
                }
            },
            Some("object") => match v.as_object() {
                None => bad("expected an object"),
                Some(obj) => {
                    let props = schema["properties"].as_object();
                    for (name, prop) in props.into_iter().flatten() {
                        match obj.get(name) {
                            Some(value) => {
                                self.check_value(prop, value, &format!("{at}.{name}"), out)
                            }
                            None if !truthy(&prop["optional"]) => {
                                out.push(format!("{at}.{name}: missing and not optional"))
                            }
                            None => {}
                        }
                    }
                    if schema
                        .get("additionalProperties")
                        .is_some_and(|a| !truthy(a))
                        && let Some(props) = props
                    {
                        for name in obj.keys().filter(|k| !props.contains_key(*k)) {
                            out.push(format!("{at}.{name}: not in the schema"));
                        }
                    }
                }
            },
            _ => {}
        }
    }
}

/// A property by name; `net0`, `ipconfig1`... are written once in the schema as `net[n]`.
fn lookup<'v>(props: &'v Value, name: &str) -> Option<&'v Value> {
    props.get(name).or_else(|| {
        let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
        (base.len() < name.len())
            .then(|| props.get(format!("{base}[n]")))
            .flatten()
    })
}

fn split(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Binds a concrete path to a schema path, giving the `{template}` values.
fn bind(schema: &[String], path: &[String]) -> Option<BTreeMap<String, String>> {
    if schema.len() != path.len() {
        return None;
    }
    let mut params = BTreeMap::new();
    for (s, p) in schema.iter().zip(path) {
        match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                params.insert(name.to_string(), p.clone());
            }
            None if s != p => return None,
            None => {}
        }
    }
    Some(params)
}

/// The schema writes flags as 1, "1" or true.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() != Some(0),
        Value::String(s) => s == "1",
        _ => false,
    }
}

/// Bounds are numbers, sometimes strings ("minimum": "0").
fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

mod format;
#[cfg(test)]
mod tests;
