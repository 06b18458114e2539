//! The catalogue: what users may ask for.

use crate::{
    Invalid, Timestamp,
    ids::TemplateId,
    lease::{LeaseInput, LeasePolicy},
    msg, names,
    resources::{MAX_CPUS, MAX_DISK_GIB, MAX_MEMORY_MIB, Resources},
    user::str_enum,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MachineKind {
    Container,
    Vm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OsFamily {
    Linux,
    Windows,
}

str_enum!(MachineKind {
    Container => "container" as msg("kind-container"),
    Vm => "vm" as msg("kind-vm"),
});
str_enum!(OsFamily {
    Linux => "linux" as msg("os-linux"),
    Windows => "windows" as msg("os-windows"),
});

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub description: String,
    /// Name of a configured provider.
    pub provider: String,
    pub kind: MachineKind,
    pub os_family: OsFamily,
    /// Provider-specific source: a PVE template vmid or OS template archive, a libvirt base volume.
    pub source: String,
    pub defaults: Resources,
    pub limits: Resources,
    /// Seconds a graceful shutdown may take before the portal stops the machine hard.
    pub shutdown_timeout_secs: i64,
    /// Keyboard layout and locale set in Windows guests, e.g. `fr-FR`.
    pub locale: Option<String>,
    /// How many snapshots an owner may keep of a machine; 0 disables them.
    pub max_snapshots: i64,
    pub enabled: bool,
    /// How long its machines live and what happens at the end.
    #[serde(flatten)]
    pub lease: LeasePolicy,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A parsed, consistent catalogue entry: defaults within limits, limits within absolute bounds.
#[derive(Debug, Clone)]
pub struct TemplateSpec {
    pub name: String,
    pub description: String,
    pub provider: String,
    pub kind: MachineKind,
    pub os_family: OsFamily,
    pub source: String,
    pub defaults: Resources,
    pub limits: Resources,
    pub shutdown_timeout_secs: i64,
    pub locale: Option<String>,
    pub max_snapshots: i64,
    pub enabled: bool,
    pub lease: LeasePolicy,
}

/// Unparsed template fields, as a form or a JSON body gives them.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    pub name: String,
    pub description: String,
    pub provider: String,
    pub kind: String,
    pub os_family: String,
    pub source: String,
    pub defaults: Resources,
    pub limits: Resources,
    pub shutdown_timeout_secs: i64,
    /// Empty: none.
    pub locale: String,
    pub max_snapshots: i64,
    pub enabled: bool,
    pub lease: LeaseInput,
}

impl From<&Template> for TemplateInput {
    fn from(t: &Template) -> Self {
        TemplateInput {
            name: t.name.clone(),
            description: t.description.clone(),
            provider: t.provider.clone(),
            kind: t.kind.to_string(),
            os_family: t.os_family.to_string(),
            source: t.source.clone(),
            defaults: t.defaults,
            limits: t.limits,
            shutdown_timeout_secs: t.shutdown_timeout_secs,
            locale: t.locale.clone().unwrap_or_default(),
            max_snapshots: t.max_snapshots,
            enabled: t.enabled,
            lease: LeaseInput::from(&t.lease),
        }
    }
}

impl TemplateSpec {
    /// Parses `input`; `providers` are the names of the configured providers.
    pub fn parse(input: &TemplateInput, providers: &[String]) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check(names::line("name", &input.name, true, 80));
        let description =
            invalid.check(names::text("description", &input.description, false, 2000));
        let source = invalid.check(names::line("source", &input.source, true, 500));
        if !providers.iter().any(|p| p == &input.provider) {
            invalid.push(
                "provider",
                if providers.is_empty() {
                    msg("err-no-provider")
                } else {
                    msg("err-one-of").arg("choices", providers.join(", "))
                },
            );
        }
        let kind = input.kind.parse::<MachineKind>();
        if let Err(m) = &kind {
            invalid.push("kind", m.clone());
        }
        let os_family = input.os_family.parse::<OsFamily>();
        if let Err(m) = &os_family {
            invalid.push("os_family", m.clone());
        }
        let l = &input.limits;
        let limits = invalid.check(
            Resources::parse(l.cpus, l.memory_mib, l.disk_gib).map_err(|e| prefixed("max_", e)),
        );
        let d = &input.defaults;
        let defaults = invalid.check(
            Resources::parse_within(
                d.cpus,
                d.memory_mib,
                d.disk_gib,
                &limits.unwrap_or(Resources {
                    cpus: MAX_CPUS,
                    memory_mib: MAX_MEMORY_MIB,
                    disk_gib: MAX_DISK_GIB,
                }),
            )
            .map_err(|e| prefixed("default_", e)),
        );
        let locale = input.locale.trim();
        if !locale.is_empty() && !is_locale(locale) {
            invalid.push("locale", msg("err-locale"));
        } else if os_family == Ok(OsFamily::Windows)
            && !locale.is_empty()
            && crate::windows::locale(locale).is_none()
        {
            invalid.push(
                "locale",
                msg("err-windows-locale").arg("tags", crate::windows::locale_tags()),
            );
        }
        if !(0..=3600).contains(&input.shutdown_timeout_secs) {
            invalid.push("shutdown_timeout_secs", msg("err-shutdown-timeout"));
        }
        let lease = LeasePolicy::parse(&input.lease, &mut invalid);
        if !(0..=MAX_SNAPSHOTS).contains(&input.max_snapshots) {
            invalid.push(
                "max_snapshots",
                msg("err-between").arg("min", 0).arg("max", MAX_SNAPSHOTS),
            );
        }
        invalid.or(|| TemplateSpec {
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            provider: input.provider.clone(),
            kind: kind.unwrap_or(MachineKind::Vm),
            os_family: os_family.unwrap_or(OsFamily::Linux),
            source: source.unwrap_or_default(),
            defaults: defaults.unwrap_or_default(),
            limits: limits.unwrap_or_default(),
            shutdown_timeout_secs: input.shutdown_timeout_secs,
            locale: (!locale.is_empty()).then(|| locale.to_owned()),
            max_snapshots: input.max_snapshots,
            enabled: input.enabled,
            lease,
        })
    }
}

/// Internal qcow2 snapshots all live in the one disk file: a bound keeps it from growing without
/// end.
pub const MAX_SNAPSHOTS: i64 = 20;

/// What a new template allows unless told otherwise.
pub const DEFAULT_MAX_SNAPSHOTS: i64 = 3;

/// `ll-CC`: a language and a region, as Windows' locale commands take them.
fn is_locale(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[..2].iter().all(u8::is_ascii_lowercase)
        && b[2] == b'-'
        && b[3..].iter().all(u8::is_ascii_uppercase)
}

fn prefixed(prefix: &str, e: Invalid) -> Invalid {
    Invalid(
        e.0.into_iter()
            .map(|mut f| {
                f.field = format!("{prefix}{}", f.field);
                f
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TemplateInput {
        TemplateInput {
            name: "Debian 12".into(),
            provider: "local".into(),
            kind: "vm".into(),
            os_family: "linux".into(),
            source: "debian-12-base.qcow2".into(),
            defaults: Resources {
                cpus: 1,
                memory_mib: 1024,
                disk_gib: 10,
            },
            limits: Resources {
                cpus: 4,
                memory_mib: 8192,
                disk_gib: 100,
            },
            shutdown_timeout_secs: 60,
            enabled: true,
            lease: LeaseInput {
                expiry_action: "stop".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_consistent_template() {
        let spec = TemplateSpec::parse(&input(), &["local".into()]).unwrap();
        assert_eq!(spec.kind, MachineKind::Vm);
    }

    #[test]
    fn names_each_bad_field() {
        let mut i = input();
        i.provider = "nope".into();
        i.kind = "box".into();
        i.locale = "french".into();
        i.defaults.cpus = 8;
        let err = TemplateSpec::parse(&i, &["local".into()]).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["provider", "kind", "default_cpus", "locale"]);
    }

    #[test]
    fn windows_templates_take_only_locales_with_a_home_location_and_keyboard() {
        let mut i = input();
        i.os_family = "windows".into();
        i.locale = "fr-FR".into();
        assert!(TemplateSpec::parse(&i, &["local".into()]).is_ok());
        i.locale = "pt-BR".into();
        let err = TemplateSpec::parse(&i, &["local".into()]).unwrap_err();
        assert_eq!(err.0[0].field, "locale");
        assert!(
            err.0[0].message.to_string().contains("fr-FR"),
            "{}",
            err.0[0].message
        );
        i.os_family = "linux".into();
        assert!(TemplateSpec::parse(&i, &["local".into()]).is_ok());
    }
}
