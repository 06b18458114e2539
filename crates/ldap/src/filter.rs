//! Filters built from configured templates and values that come from outside (a typed username, a
//! DN). Every value is escaped as RFC 4515 requires, so `*`, `(`, `)`, `\` and NUL in it match
//! themselves and can never change the filter's structure.

use ldap3::ldap_escape;

/// Replaces each `{name}` of `template` by the escaped value given for it, in one pass, so a value
/// that happens to contain another placeholder is not substituted again.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let found = values.iter().find_map(|(name, value)| {
            let placeholder = tail.strip_prefix('{')?.strip_prefix(*name)?;
            placeholder.strip_prefix('}').map(|after| (value, after))
        });
        match found {
            Some((value, after)) => {
                out.push_str(&ldap_escape(*value));
                rest = after;
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn values_are_escaped_and_substituted_once() {
        let f = "(&(objectClass=inetOrgPerson)(uid={username}))";
        assert_eq!(
            fill(f, &[("username", "alice")]),
            "(&(objectClass=inetOrgPerson)(uid=alice))"
        );
        assert_eq!(
            fill(f, &[("username", "*)(uid=*")]),
            "(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))"
        );
        assert_eq!(
            fill("(uid={username})", &[("username", "a\\b\0")]),
            "(uid=a\\5cb\\00)"
        );
        assert_eq!(
            fill(
                "(|(member={dn})(memberUid={username}))",
                &[("dn", "cn={username},dc=x"), ("username", "bob")]
            ),
            "(|(member=cn={username},dc=x)(memberUid=bob))"
        );
        assert_eq!(fill("(cn={other})", &[("dn", "x")]), "(cn={other})");
    }
}
