//! Validation of plugin-supplied API paths: the only thing a plugin controls in a URL.

/// Percent-encodes one path segment (everything but ASCII letters and digits).
pub fn encode_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Why a path was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid Looker API path {path:?}: {reason}")]
pub struct PathError {
    path: String,
    reason: &'static str,
}

/// Checks that `path` is a plain relative API path (`/segment/segment…`) that cannot leave the
/// API root or be read two ways by whatever sits between the host and Looker:
///
/// - it starts with `/`, is at most 2048 bytes, and has no scheme, host, query or fragment;
/// - every segment is non-empty and made of URL path characters, with `%` always followed by two
///   hex digits; no raw `;` (path parameters) or `\`;
/// - each segment is percent-decoded once, and the decoded bytes must be UTF-8 (no overlong
///   `%C0%AF`) with no control byte (`%00`, `%0A`, …), no `\` (`%5C`) and no `;` (`%3B`);
/// - the decoded segment, split at any encoded `/` (`%2F`), has no empty, `.` or `..` part (nor
///   one made only of dots and spaces): `%2e%2E`, `.%2F..` and `..;` are all refused.
///
/// An encoded `/` inside a segment is allowed (the SDK encodes a `feature/x` git branch as
/// `feature%2Fx`), but only between non-dot parts, so a server that decodes it cannot be walked
/// up the tree; policy patterns treat it as a separator (see
/// [`Policy`](crate::capability::policy::Policy)).
pub fn validate(path: &str) -> Result<(), PathError> {
    let fail = |reason| {
        Err(PathError {
            path: path.chars().take(200).collect(),
            reason,
        })
    };
    if path.len() > 2048 {
        return fail("longer than 2048 bytes");
    }
    let Some(rest) = path.strip_prefix('/') else {
        return fail("must start with '/'");
    };
    if rest.is_empty() {
        return fail("names no resource");
    }
    for segment in rest.split('/') {
        if segment.is_empty() {
            return fail("has an empty segment ('//' or a trailing '/')");
        }
        let bytes = segment.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' => {
                    let hex = bytes.get(i + 1..i + 3);
                    if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                        return fail("has '%' not followed by two hex digits");
                    }
                    i += 3;
                    continue;
                }
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => {}
                b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*'
                | b'+' | b',' | b'=' | b'@' => {}
                b';' => return fail("has ';' (path parameters are not allowed)"),
                b':' => return fail("has ':' (a scheme or port is not allowed)"),
                b'?' | b'#' => return fail("has '?' or '#' (pass query pairs separately)"),
                b'\\' => return fail("has '\\'"),
                _ => return fail("has a character that must be percent-encoded"),
            }
            i += 1;
        }
        // One decoding, as Looker (or a proxy in front of it) will do.
        let decoded = percent_encoding::percent_decode_str(segment).collect::<Vec<u8>>();
        let Ok(decoded) = String::from_utf8(decoded) else {
            return fail("decodes to bytes that are not UTF-8");
        };
        if decoded.chars().any(char::is_control) {
            return fail("has a control character (raw or encoded, e.g. %00)");
        }
        if decoded.contains('\\') {
            return fail("has an encoded '\\' (%5C)");
        }
        if decoded.contains(';') {
            return fail("has an encoded ';' (%3B; path parameters are not allowed)");
        }
        for part in decoded.split('/') {
            if part.is_empty() {
                return fail(
                    "has an encoded '/' (%2F) at the start or end of a segment, or two in a row",
                );
            }
            let trimmed = part.trim_end_matches(' ');
            if !trimmed.is_empty() && trimmed.bytes().all(|b| b == b'.') {
                return fail("has a '.' or '..' segment (in some encoding)");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate;
    use proptest::strategy::Strategy;

    #[test]
    fn accepts_plain_and_encoded_paths() {
        for ok in [
            "/user",
            "/lookml_models/ecommerce/explores/orders",
            "/projects/p/files/file",
            "/dashboards/thelook%3A%3Abusiness_pulse",
            "/queries/run/json",
            "/users/search",
            "/folders/a%2Fb",
            "/git_branch/feature%2Fnew",
            "/lookml_models/a..b",
            "/lookml_models/.hidden",
            "/connections/a%20b",
            "/folders/%20",
            "/users/%C3%A9",
        ] {
            validate(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    /// Each form the attacker-style review found passing, and its relatives, with the reason.
    #[test]
    fn refuses_encoded_separators_controls_and_dot_segments() {
        for (bad, reason) in [
            ("/a/..;/admin", "';'"),
            ("/a/..%3B/admin", "';'"),
            ("/a/b;jsessionid=1", "';'"),
            ("/a/%2e%2e%3b/admin", "';'"),
            ("/a%5C..%5Cadmin", "'\\'"),
            ("/a%5cb", "'\\'"),
            ("/a\\b", "'\\'"),
            ("/a%00", "control"),
            ("/a/.%00", "control"),
            ("/a/%0A", "control"),
            ("/a/%7F", "control"),
            ("/a/%C2%85", "control"),
            ("/%2F/admin", "'/'"),
            ("/a%2F%2Fb", "'/'"),
            ("/a%2F", "'/'"),
            ("/a/%2F..%2Fadmin", "'/'"),
            ("/a/b%2F..%2F..%2Fadmin", "'..'"),
            ("/a/b%2f.", "'..'"),
            ("/a/%2e", "'..'"),
            ("/a/%2E%2e", "'..'"),
            ("/a/.%2e/b", "'..'"),
            ("/a/...", "'..'"),
            ("/a/..%20", "'..'"),
            ("/a/%C0%AF", "UTF-8"),
            ("/a/%C0%AE%C0%AE", "UTF-8"),
            ("/a/%FF", "UTF-8"),
        ] {
            let err = validate(bad).expect_err(bad).to_string();
            assert!(err.contains(reason), "{bad:?}: {err}");
        }
    }

    /// Argument text that makes a legitimate path segment: no `/`, `\`, `;` or control
    /// character (`\PC` excludes controls), not made only of dots.
    const PLAIN: &str = "[\\PC&&[^/\\\\;]]{1,16}";

    fn not_dots(s: &str) -> bool {
        !s.trim_end_matches(' ').bytes().all(|b| b == b'.') || s.trim_end_matches(' ').is_empty()
    }

    proptest::proptest! {
        /// Every path a plugin builds from arguments with the SDK passes the host's check, and
        /// still names the same resource: the two ends of the contract agree.
        #[test]
        fn sdk_built_paths_pass(a in PLAIN, b in PLAIN) {
            proptest::prop_assume!(not_dots(&a) && not_dots(&b));
            let path = looker_mcp_plugin_sdk::path!("/lookml_models/{}/explores/{}", a, b);
            let text = path.check().expect("non-dot segments encode");
            proptest::prop_assert_eq!(validate(text), Ok(()), "{}", text);
            proptest::prop_assert_eq!(text.split('/').count(), 5);
        }

        /// Arguments with `/` between ordinary names (git branches such as `feature/x`) pass too.
        #[test]
        fn sdk_built_paths_with_slashes_pass(
            parts in proptest::collection::vec("[\\PC&&[^/\\\\;. ]][\\PC&&[^/\\\\;]]{0,8}", 1..4)
        ) {
            let branch = parts.join("/");
            let path = looker_mcp_plugin_sdk::path!("/projects/{}/git_branch/{}", "p", branch);
            let text = path.check().expect("non-dot segments encode");
            proptest::prop_assert_eq!(validate(text), Ok(()), "{}", text);
        }

        /// An SDK-built path with any refused form spliced into one argument is refused; a
        /// dot form is refused as a whole segment, or as a part between encoded slashes.
        #[test]
        fn refused_forms_are_refused_wherever_they_sit(
            a in PLAIN,
            bad in proptest::sample::select(vec![
                "..;", ".%00", "%00", "%0a", "%1F", "%5C", "%5c", ";", "%3B", "%3b", "\\",
                "%2F..%2F", "%2F%2F", "%C0%AF", "%ff",
            ]),
            dots in proptest::sample::select(vec![".", "..", "%2e", "%2E%2e", ".%2E", "...", "..%20"]),
            at in 0usize..3,
        ) {
            proptest::prop_assume!(not_dots(&a));
            let encoded = looker_mcp_plugin_sdk::path!("/x/{}", a).check().unwrap().to_owned();
            let segment = &encoded[3..];
            let spliced = match at {
                0 => format!("/x/{bad}{segment}"),
                1 => format!("/x/{segment}{bad}"),
                _ => format!("/x/{segment}/{bad}/y"),
            };
            proptest::prop_assert!(validate(&spliced).is_err(), "{}", spliced);
            let dotted = match at {
                0 => format!("/x/{dots}/{segment}"),
                1 => format!("/x/{segment}%2F{dots}"),
                _ => format!("/x/{dots}%2F{segment}"),
            };
            proptest::prop_assert!(validate(&dotted).is_err(), "{}", dotted);
        }

        /// Whatever a (possibly hostile) plugin sends, the check answers without panicking, and
        /// what it accepts cannot leave the API root or mean two things: no scheme, host, query,
        /// fragment, `;`, `\` or control byte, and no part that decodes to `.` or `..`.
        #[test]
        fn anything_accepted_stays_under_the_api_root(
            path in proptest::collection::vec(
                "([a-z~]|\\PC|%2[eEfF]|%5[cC]|%3[bB]|%00|%0[aA]|%C0%AF|%[0-9A-Fa-z]{0,2}|[.:;?#@\\\\ ]){0,5}",
                0..5,
            )
            .prop_map(|segments| format!("/{}", segments.join("/")))
        ) {
            if validate(&path).is_ok() {
                proptest::prop_assert!(path.starts_with('/') && !path.starts_with("//"));
                proptest::prop_assert!(!path.contains(['?', '#', ':', '\\', ' ', ';']));
                for segment in path[1..].split('/') {
                    let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
                    let decoded = String::from_utf8(decoded);
                    proptest::prop_assert!(decoded.is_ok());
                    let decoded = decoded.unwrap();
                    proptest::prop_assert!(!decoded.contains(['\\', ';']));
                    proptest::prop_assert!(!decoded.chars().any(char::is_control));
                    for part in decoded.split('/') {
                        proptest::prop_assert!(!part.is_empty() && part != "." && part != "..");
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_escapes_and_urls() {
        for bad in [
            "",
            "user",
            "/",
            "//evil.example.com/x",
            "/a//b",
            "/a/",
            "/../admin",
            "/a/../../b",
            "/a/%2e%2e/b",
            "/a/%2E/b",
            "/a/./b",
            "http://evil/x",
            "/a?b=c",
            "/a#frag",
            "/a b",
            "/a\\b",
            "/a%zz",
            "/a%4",
            "/host:80/x",
            "/a\nb",
        ] {
            assert!(validate(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
