//! Leases: extending a machine's, an administrator's change, and extension requests.

pub mod decide;
pub mod extend;
pub mod set;
