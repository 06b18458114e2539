//! What the translation methods take. Templates hand over fields by reference, sometimes a
//! reference to a reference; these traits see through any number of them.

use vmportal_core::{Arg, Msg, Timestamp};

/// A value for a message argument.
pub trait ToArg {
    fn to_arg(&self) -> Arg;
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Arg {
                Arg::from(*self)
            }
        }
    )*};
}
int_args!(i64, i32, u32, u64, usize);

impl ToArg for str {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.to_owned())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.clone())
    }
}

impl ToArg for Msg {
    fn to_arg(&self) -> Arg {
        Arg::from(self.clone())
    }
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg {
        (**self).to_arg()
    }
}

/// A message, owned or borrowed.
pub trait ToMsg {
    fn to_msg(&self) -> &Msg;
}

impl ToMsg for Msg {
    fn to_msg(&self) -> &Msg {
        self
    }
}

impl<T: ToMsg + ?Sized> ToMsg for &T {
    fn to_msg(&self) -> &Msg {
        (**self).to_msg()
    }
}

/// A point in time, owned or borrowed.
pub trait ToStamp {
    fn to_stamp(&self) -> Timestamp;
}

impl ToStamp for Timestamp {
    fn to_stamp(&self) -> Timestamp {
        *self
    }
}

impl<T: ToStamp + ?Sized> ToStamp for &T {
    fn to_stamp(&self) -> Timestamp {
        (**self).to_stamp()
    }
}
