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

/// Checks that `path` is a plain relative API path (`/segment/segment…`): it starts with `/`,
/// has no empty, `.` or `..` segment (encoded or not), no scheme, host, query or fragment, and
/// only URL path characters, with `%` always followed by two hex digits.
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
                | b'+' | b',' | b';' | b'=' | b'@' => {}
                b':' => return fail("has ':' (a scheme or port is not allowed)"),
                b'?' | b'#' => return fail("has '?' or '#' (pass query pairs separately)"),
                _ => return fail("has a character that must be percent-encoded"),
            }
            i += 1;
        }
        let decoded = percent_encoding::percent_decode_str(segment).collect::<Vec<u8>>();
        if decoded == b"." || decoded == b".." {
            return fail("has a '.' or '..' segment");
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
        ] {
            validate(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    proptest::proptest! {
        /// Every path a plugin builds from arguments with the SDK passes the host's check, and
        /// still names the same resource: the two ends of the contract agree.
        #[test]
        fn sdk_built_paths_pass(a in "\\PC{1,16}", b in "(\\PC|[/?#%.:@ \\\\]){1,16}") {
            proptest::prop_assume!(![".", ".."].contains(&a.as_str()) && ![".", ".."].contains(&b.as_str()));
            let path = looker_mcp_plugin_sdk::path!("/lookml_models/{}/explores/{}", a, b);
            let text = path.check().expect("non-dot segments encode");
            proptest::prop_assert_eq!(validate(text), Ok(()), "{}", text);
            proptest::prop_assert_eq!(text.split('/').count(), 5);
        }

        /// Whatever a (possibly hostile) plugin sends, the check answers without panicking, and
        /// what it accepts cannot leave the API root: no scheme, host, query, fragment, or
        /// segment that decodes to `.` or `..`.
        #[test]
        fn anything_accepted_stays_under_the_api_root(
            path in proptest::collection::vec("([a-z~]|\\PC|%2[eE]|%[0-9A-Fa-z]{0,2}|[.:?#@\\\\ ]){0,5}", 0..5)
                .prop_map(|segments| format!("/{}", segments.join("/")))
        ) {
            if validate(&path).is_ok() {
                proptest::prop_assert!(path.starts_with('/') && !path.starts_with("//"));
                proptest::prop_assert!(!path.contains(['?', '#', ':', '\\', ' ']));
                for segment in path[1..].split('/') {
                    let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
                    proptest::prop_assert!(!decoded.is_empty() && decoded != b"." && decoded != b"..");
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
