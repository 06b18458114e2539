pub mod create;
pub mod list;
pub mod update;

use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{
    lease::{LeaseInput, LeasePolicy},
    resources::Resources,
    template::{DEFAULT_MAX_SNAPSHOTS, TemplateInput},
};

/// A catalogue entry as an administrator writes it. On PATCH every field is optional.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Name of a configured provider.
    pub provider: Option<String>,
    /// `container` or `vm`.
    pub kind: Option<String>,
    /// `linux` or `windows`.
    pub os_family: Option<String>,
    /// A PVE template vmid or OS template archive, or a libvirt base volume.
    pub source: Option<String>,
    pub default_cpus: Option<i64>,
    pub default_memory_mib: Option<i64>,
    pub default_disk_gib: Option<i64>,
    pub max_cpus: Option<i64>,
    pub max_memory_mib: Option<i64>,
    pub max_disk_gib: Option<i64>,
    pub shutdown_timeout_secs: Option<i64>,
    /// Keyboard layout and locale of Windows guests, e.g. `fr-FR`; empty for none.
    pub locale: Option<String>,
    /// Snapshots an owner may keep of a machine, 0 to 20; 0 disables them (3 when created
    /// without it).
    pub max_snapshots: Option<i64>,
    pub enabled: Option<bool>,
    /// Days a new machine lives; null: machines do not expire.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub lease_days: Option<Option<i64>>,
    /// Longest life, in days from creation, that owners reach by extending; null: no limit.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub max_lease_days: Option<Option<i64>>,
    /// Days an owner may add at a time without approval (0: always asked for).
    pub extend_days: Option<i64>,
    /// `stop` or `delete` (after the grace period).
    pub expiry_action: Option<String>,
    /// Days an expired machine stays stopped before deletion; null: kept (`stop` only).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub grace_days: Option<Option<i64>>,
    /// Minutes idle before a graceful shutdown; null: off.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub idle_stop_minutes: Option<Option<i64>>,
}

/// A field that may be set to null: absent is `None`, null is `Some(None)`.
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

impl TemplateBody {
    /// Writes the fields that were given over `input`.
    pub fn apply(self, input: &mut TemplateInput) {
        let set = |dst: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *dst = v
            }
        };
        set(&mut input.name, self.name);
        set(&mut input.description, self.description);
        set(&mut input.provider, self.provider);
        set(&mut input.kind, self.kind);
        set(&mut input.os_family, self.os_family);
        set(&mut input.source, self.source);
        set(&mut input.locale, self.locale);
        let num = |dst: &mut i64, v: Option<i64>| {
            if let Some(v) = v {
                *dst = v
            }
        };
        num(&mut input.defaults.cpus, self.default_cpus);
        num(&mut input.defaults.memory_mib, self.default_memory_mib);
        num(&mut input.defaults.disk_gib, self.default_disk_gib);
        num(&mut input.limits.cpus, self.max_cpus);
        num(&mut input.limits.memory_mib, self.max_memory_mib);
        num(&mut input.limits.disk_gib, self.max_disk_gib);
        num(&mut input.shutdown_timeout_secs, self.shutdown_timeout_secs);
        num(&mut input.max_snapshots, self.max_snapshots);
        if let Some(e) = self.enabled {
            input.enabled = e;
        }
        let lease = &mut input.lease;
        for (dst, v) in [
            (&mut lease.lease_days, self.lease_days),
            (&mut lease.max_lease_days, self.max_lease_days),
            (&mut lease.grace_days, self.grace_days),
            (&mut lease.idle_stop_minutes, self.idle_stop_minutes),
        ] {
            if let Some(v) = v {
                *dst = v;
            }
        }
        num(&mut lease.extend_days, self.extend_days);
        set(&mut lease.expiry_action, self.expiry_action);
    }

    /// A new entry: the given fields over sensible defaults (a small machine, enabled).
    pub fn into_input(self) -> TemplateInput {
        let small = Resources {
            cpus: 1,
            memory_mib: 1024,
            disk_gib: 10,
        };
        let mut input = TemplateInput {
            defaults: small,
            limits: small,
            shutdown_timeout_secs: 120,
            max_snapshots: DEFAULT_MAX_SNAPSHOTS,
            enabled: true,
            lease: LeaseInput::from(&LeasePolicy::default()),
            ..Default::default()
        };
        self.apply(&mut input);
        input
    }
}
