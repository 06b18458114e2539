//! The schema's `format`: a named format (`pve-vmid`, `dns-name`, ...) or a property string
//! (`name=eth0,bridge=vmbr0,ip=dhcp`) described key by key. The server checks both; so do we.
//! The named formats' rules are PVE's documented ones, written here as regular expressions;
//! a name we do not know is not held against the caller, like a pattern we cannot compile.

use super::Schema;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Named formats that are themselves property strings, described by `typetext` only.
fn named_property_string(name: &str) -> Option<Value> {
    let optional = |keys: &[&str]| {
        let keys = keys
            .iter()
            .map(|k| (k.to_string(), json!({"type": "string", "optional": 1})));
        Value::Object(keys.collect())
    };
    match name {
        "pve-qm-ipconfig" => Some(optional(&["ip", "ip6", "gw", "gw6"])),
        _ => None,
    }
}

/// One DNS label: letters, digits and inner hyphens.
const LABEL: &str = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const OCTET: &str = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)";

/// Named formats checked by pattern.
fn named_pattern(name: &str) -> Option<String> {
    Some(match name {
        "pve-node" => LABEL.to_string(),
        "dns-name" => format!(r"{LABEL}(?:\.{LABEL})*"),
        "pve-vmid" => "[1-9][0-9]{2,8}".into(),
        "pve-storage-id" => r"(?i:[a-z][a-z0-9\-_.]*[a-z0-9])".into(),
        "pve-configid" => "[a-z][a-z0-9_]+".into(),
        "pve-poolid" => r"[A-Za-z0-9.\-_]+".into(),
        "pve-volume-id" => r"(?i:[a-z][a-z0-9\-_.]*[a-z0-9]):.+".into(),
        "mac-addr" => "(?i:[0-9a-f]{2}(?::[0-9a-f]{2}){5})".into(),
        "ipv4" => format!(r"{OCTET}(?:\.{OCTET}){{3}}"),
        // Only what URL encoding leaves alone, and escapes: no spaces, no `+`.
        "urlencoded" => r"[-%a-zA-Z0-9_.!~*'()]*".into(),
        _ => return None,
    })
}

impl Schema {
    pub(super) fn check_format(&self, format: &Value, value: &str) -> Result<(), String> {
        match format {
            Value::Object(_) => self.check_property_string(format, value),
            Value::String(name) => {
                if let Some(keys) = named_property_string(name) {
                    return self.check_property_string(&keys, value);
                }
                match named_pattern(name) {
                    Some(p) if !self.matches(&p, value) => {
                        Err(format!("value does not match the format '{name}'"))
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// `key=value,...`; the key marked `default_key` may be given as a bare first value;
    /// `alias` keys stand for another key; a `keyAlias` key names the value of another key
    /// (`virtio=MAC` is `model=virtio,macaddr=MAC`).
    fn check_property_string(&self, format: &Value, value: &str) -> Result<(), String> {
        let keys = format
            .as_object()
            .expect("a property-string format is an object");
        let mut seen = BTreeSet::new();
        for part in value.split(',').filter(|p| !p.is_empty()) {
            let (key, v) = match part.split_once('=') {
                Some(kv) => kv,
                None => {
                    let default = keys
                        .iter()
                        .find(|(_, k)| super::truthy(&k["default_key"]))
                        .map(|(name, _)| name.as_str())
                        .ok_or_else(|| format!("invalid format - value without key '{part}'"))?;
                    (default, part)
                }
            };
            let entry = keys
                .get(key)
                .ok_or_else(|| format!("invalid format - unknown key '{key}'"))?;
            let mut name = key;
            if let Some(alias) = entry["alias"].as_str() {
                if let Some(named) = entry["keyAlias"].as_str() {
                    self.check_entry(keys.get(named), named, key)?;
                    seen.insert(named.to_string());
                }
                name = alias;
            }
            self.check_entry(keys.get(name), name, v)?;
            if !seen.insert(name.to_string()) {
                return Err(format!("invalid format - duplicate key '{name}'"));
            }
        }
        for (name, entry) in keys {
            let required = !super::truthy(&entry["optional"]) && entry.get("alias").is_none();
            if required && !seen.contains(name) {
                return Err(format!("invalid format - missing property '{name}'"));
            }
        }
        Ok(())
    }

    fn check_entry(&self, entry: Option<&Value>, name: &str, v: &str) -> Result<(), String> {
        let entry = entry.ok_or_else(|| format!("invalid format - unknown key '{name}'"))?;
        // Property strings take the usual spellings of a boolean.
        if entry["type"] == "boolean" {
            return match v {
                "0" | "1" | "on" | "off" | "yes" | "no" | "true" | "false" => Ok(()),
                _ => Err(format!(
                    "invalid format - {name}: type check ('boolean') failed"
                )),
            };
        }
        self.check_param(entry, v)
            .map_err(|e| format!("invalid format - {name}: {e}"))
    }
}
