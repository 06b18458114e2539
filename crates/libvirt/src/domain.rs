//! libvirt XML for the guests the portal makes, and the few facts read back from it.

use crate::config::Network;

/// Marks the portal's guests and records their machine id, for reconciliation.
const NS: &str = "https://vmportal.dev/xmlns/libvirt/1";

pub struct DomainPlan<'a> {
    pub name: &'a str,
    pub machine_id: i64,
    pub domain_type: &'a str,
    pub memory_mib: i64,
    pub cpus: i64,
    pub pool: &'a str,
    pub disk_volume: &'a str,
    pub seed_volume: &'a str,
    pub network: &'a Network,
    /// With user-mode networking: the host loopback port forwarded to `guest_port`.
    pub forward_port: Option<u16>,
    pub guest_port: u16,
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

pub fn domain_xml(p: &DomainPlan) -> String {
    let (nic, qemu_args) = match (p.network, p.forward_port) {
        (Network::Libvirt { name }, _) => (
            format!(
                "<interface type='network'><source network='{}'/><model type='virtio'/></interface>",
                escape(name)
            ),
            String::new(),
        ),
        (Network::Bridge { name }, _) => (
            format!(
                "<interface type='bridge'><source bridge='{}'/><model type='virtio'/></interface>",
                escape(name)
            ),
            String::new(),
        ),
        // libvirt 9 has no user-mode interface with host forwards: pass QEMU its own arguments,
        // on a PCI slot of its own (the default slots are taken by the video card and disks).
        (Network::UserForward { .. }, port) => (
            String::new(),
            format!(
                "<qemu:commandline><qemu:arg value='-netdev'/><qemu:arg value='user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{}-:{}'/>\
                 <qemu:arg value='-device'/><qemu:arg value='virtio-net-pci,netdev=n0,bus=pci.0,addr=0x10'/></qemu:commandline>",
                port.unwrap_or_default(),
                p.guest_port
            ),
        ),
    };
    format!(
        "<domain type='{dtype}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\
<name>{name}</name>\
<metadata><vmportal:machine xmlns:vmportal='{NS}' id='{id}'/></metadata>\
<memory unit='MiB'>{mem}</memory><vcpu>{cpus}</vcpu>\
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\
<features><acpi/><apic/></features><clock offset='utc'/>\
<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>\
<devices>\
<disk type='volume' device='disk'><driver name='qemu' type='qcow2' discard='unmap'/><source pool='{pool}' volume='{disk}'/><target dev='vda' bus='virtio'/></disk>\
<disk type='volume' device='cdrom'><driver name='qemu' type='raw'/><source pool='{pool}' volume='{seed}'/><target dev='hdc' bus='ide'/><readonly/></disk>\
{nic}\
<serial type='pty'><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>\
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\
<graphics type='vnc' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>\
<video><model type='vga'/></video><memballoon model='virtio'/>\
</devices>{qemu_args}</domain>",
        dtype = escape(p.domain_type),
        name = escape(p.name),
        id = p.machine_id,
        mem = p.memory_mib,
        cpus = p.cpus,
        pool = escape(p.pool),
        disk = escape(p.disk_volume),
        seed = escape(p.seed_volume),
    )
}

/// A qcow2 overlay of `capacity` bytes over the base volume at `backing`.
pub fn overlay_xml(name: &str, capacity: u64, backing: &str) -> String {
    format!(
        "<volume><name>{}</name><capacity unit='bytes'>{capacity}</capacity>\
<target><format type='qcow2'/><compat>1.1</compat></target>\
<backingStore><path>{}</path><format type='qcow2'/></backingStore></volume>",
        escape(name),
        escape(backing)
    )
}

/// A base volume: a qcow2 image of `capacity` bytes without a backing file.
pub fn base_volume_xml(name: &str, capacity: u64) -> String {
    format!(
        "<volume><name>{}</name><capacity unit='bytes'>{capacity}</capacity><target><format type='qcow2'/></target></volume>",
        escape(name)
    )
}

pub fn raw_volume_xml(name: &str, capacity: u64) -> String {
    format!(
        "<volume><name>{}</name><capacity unit='bytes'>{capacity}</capacity><target><format type='raw'/></target></volume>",
        escape(name)
    )
}

/// The text of the first `attr='...'` (or `"..."`) after `anchor` in `xml`.
fn attribute_after(xml: &str, anchor: &str, attr: &str) -> Option<String> {
    let rest = &xml[xml.find(anchor)? + anchor.len()..];
    let rest = &rest[..rest.find('>').unwrap_or(rest.len())];
    let at = rest.find(&format!("{attr}="))? + attr.len() + 1;
    let quote = rest[at..].chars().next()?;
    let value = &rest[at + 1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// The machine id the portal recorded in a guest's metadata; `None` for guests it did not make.
pub fn machine_id(xml: &str) -> Option<i64> {
    attribute_after(xml, "<vmportal:machine", "id")?
        .parse()
        .ok()
}

/// The loopback port forwarded to the guest with user-mode networking.
pub fn forward_port(xml: &str) -> Option<u16> {
    let at = xml.find("hostfwd=tcp:127.0.0.1:")? + "hostfwd=tcp:127.0.0.1:".len();
    xml[at..].split('-').next()?.parse().ok()
}

/// The VNC port of a running guest (from its live XML).
pub fn vnc_port(xml: &str) -> Option<u16> {
    attribute_after(xml, "<graphics type='vnc'", "port")
        .or_else(|| attribute_after(xml, "<graphics type=\"vnc\"", "port"))?
        .parse()
        .ok()
        .filter(|p: &u16| *p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(network: &Network, port: Option<u16>) -> String {
        domain_xml(&DomainPlan {
            name: "vmp-3-web",
            machine_id: 3,
            domain_type: "kvm",
            memory_mib: 1024,
            cpus: 2,
            pool: "vmportal",
            disk_volume: "vmp-3-web.qcow2",
            seed_volume: "vmp-3-web-seed.iso",
            network,
            forward_port: port,
            guest_port: 22,
        })
    }

    #[test]
    fn facts_read_back_from_the_xml() {
        let xml = plan(
            &Network::UserForward {
                first_port: 22000,
                last_port: 22100,
            },
            Some(22017),
        );
        assert_eq!(machine_id(&xml), Some(3));
        assert_eq!(forward_port(&xml), Some(22017));
        assert!(xml.contains("<vcpu>2</vcpu>") && xml.contains("<memory unit='MiB'>1024</memory>"));
        assert!(xml.contains("listen='127.0.0.1'"), "VNC only on loopback");
        let bridged = plan(&Network::Bridge { name: "br0".into() }, None);
        assert!(
            bridged.contains("<source bridge='br0'/>") && !bridged.contains("qemu:commandline")
        );
        assert_eq!(forward_port(&bridged), None);
        assert_eq!(machine_id("<domain><name>other</name></domain>"), None);
        assert_eq!(
            vnc_port("<graphics type='vnc' port='5901' autoport='yes'/>"),
            Some(5901)
        );
        assert_eq!(
            vnc_port("<graphics type='vnc' port='-1' autoport='yes'/>"),
            None
        );
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(escape("a'<b>&\""), "a&apos;&lt;b&gt;&amp;&quot;");
    }
}
