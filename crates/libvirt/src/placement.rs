//! Where a new machine goes: a reachable host with room for its memory and disk, the one with
//! the most free memory; on a tie, the one listed first. A host that already holds a guest of
//! the machine's name (an earlier attempt's) is taken again, whatever its room.

use crate::host::Room;
use vmportal_core::{hypervisor::HvResult, resources::Resources};

#[derive(Debug, PartialEq, Eq)]
pub struct Choice {
    /// Index of the chosen host.
    pub host: Option<usize>,
    /// Why it was chosen.
    pub why: String,
    /// One note per host not chosen for want of something, for the job's progress.
    pub skipped: Vec<String>,
}

pub fn choose(names: &[&str], rooms: &[HvResult<Room>], wants: &Resources) -> Choice {
    if let Some(at) = rooms.iter().position(|r| matches!(r, Ok(r) if r.has_guest)) {
        return Choice {
            host: Some(at),
            why: "an earlier attempt's guest is there".into(),
            skipped: Vec::new(),
        };
    }
    let (memory, disk) = (wants.memory_mib as u64, wants.disk_gib as u64);
    let mut skipped = Vec::new();
    let mut best: Option<(usize, u64)> = None;
    for (i, (name, room)) in names.iter().zip(rooms).enumerate() {
        match room {
            Err(e) => skipped.push(format!("host {name} skipped: {e}")),
            Ok(r) if r.free_memory_mib < memory => skipped.push(format!(
                "host {name} skipped: {} MiB of memory free, {memory} MiB wanted",
                r.free_memory_mib
            )),
            Ok(r) if r.free_disk_gib < disk => skipped.push(format!(
                "host {name} skipped: {} GiB free in its pool, {disk} GiB wanted",
                r.free_disk_gib
            )),
            Ok(r) => {
                if best.is_none_or(|(_, most)| r.free_memory_mib > most) {
                    best = Some((i, r.free_memory_mib));
                }
            }
        }
    }
    Choice {
        host: best.map(|(i, _)| i),
        why: best
            .map(|(_, free)| format!("the most free memory: {free} MiB"))
            .unwrap_or_default(),
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmportal_core::hypervisor::HypervisorError;

    fn room(free_memory_mib: u64, free_disk_gib: u64) -> HvResult<Room> {
        Ok(Room {
            free_memory_mib,
            free_disk_gib,
            guests: 0,
            has_base: true,
            has_guest: false,
        })
    }

    const WANTS: Resources = Resources {
        cpus: 1,
        memory_mib: 1024,
        disk_gib: 10,
    };

    #[test]
    fn the_most_free_memory_wins_and_the_first_listed_on_a_tie() {
        let names = ["a", "b", "c"];
        let c = choose(
            &names,
            &[room(2048, 50), room(4096, 50), room(4096, 50)],
            &WANTS,
        );
        assert_eq!(c.host, Some(1));
        assert!(c.why.contains("4096 MiB"), "{}", c.why);
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn hosts_down_or_without_room_are_skipped_with_a_note() {
        let names = ["a", "b", "c", "d"];
        let down = Err(HypervisorError::Transient(
            "cannot reach libvirt on host b".into(),
        ));
        let c = choose(
            &names,
            &[room(512, 50), down, room(8192, 5), room(2048, 10)],
            &WANTS,
        );
        assert_eq!(c.host, Some(3));
        assert_eq!(
            c.skipped,
            [
                "host a skipped: 512 MiB of memory free, 1024 MiB wanted",
                "host b skipped: cannot reach libvirt on host b",
                "host c skipped: 5 GiB free in its pool, 10 GiB wanted",
            ]
        );
        let c = choose(&names[..2], &[room(512, 50), room(100, 50)], &WANTS);
        assert_eq!(c.host, None);
        assert_eq!(c.skipped.len(), 2);
    }

    #[test]
    fn an_earlier_attempts_host_is_taken_again() {
        let mut earlier = room(0, 0).unwrap();
        earlier.has_guest = true;
        let c = choose(&["a", "b"], &[room(8192, 50), Ok(earlier)], &WANTS);
        assert_eq!(c.host, Some(1));
    }
}
