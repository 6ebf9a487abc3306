//! Masking and keyed hashing, byte for byte as pdscan/privacy.py does them.
//!
//! Only ASCII values are handled here: Python's str.split, isalnum and lower() have
//! Unicode rules this code does not repeat, so anything else returns None and the
//! caller uses the Python implementation.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Python's str whitespace, restricted to ASCII: \t \n \v \f \r, the four separators
/// \x1c-\x1f and the space.
pub fn is_py_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ')
}

fn split_words(value: &str) -> Vec<&str> {
    value.split(|c: char| c.is_ascii() && is_py_space(c as u8)).filter(|w| !w.is_empty()).collect()
}

fn mask_run(value: &str, keep_start: i64, keep_end: i64) -> String {
    let total = value.bytes().filter(|b| b.is_ascii_alphanumeric()).count() as i64;
    let (mut ks, mut ke) = (keep_start, keep_end);
    if total <= std::cmp::max(6, ks + ke) {
        ks = std::cmp::min(1, total - 1);
        ke = 0;
    }
    let mut seen = 0i64;
    value
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                seen += 1;
                if seen <= ks || seen > total - ke { ch } else { '*' }
            } else {
                ch
            }
        })
        .collect()
}

fn mask_email(value: &str) -> String {
    let at = value.rfind('@').expect("caller checked for @");
    let (local, domain) = (&value[..at], &value[at + 1..]);
    let labels: Vec<&str> = domain.split('.').collect();
    let suffix = if labels.len() > 2 && labels[labels.len() - 2].len() <= 3 { 2 } else { 1 };
    let cut = labels.len().saturating_sub(suffix);
    let mut parts: Vec<String> = labels[..cut].iter().map(|l| mask_run(l, 1, 0)).collect();
    parts.extend(labels[cut..].iter().map(|l| l.to_string()));
    format!("{}@{}", mask_run(local, 1, 0), parts.join("."))
}

pub fn mask(value: &str, style: &str) -> Option<String> {
    if !value.is_ascii() {
        return None;
    }
    let joined = split_words(value).join(" ");
    let value = &joined[..joined.len().min(64)];
    Some(match style {
        "keep" => value.to_string(),
        "email" if value.contains('@') => mask_email(value),
        "name" => split_words(value).iter().map(|w| mask_run(w, 1, 0)).collect::<Vec<_>>().join(" "),
        _ => mask_run(value, 2, 1),
    })
}

/// privacy.normalise: separators (whitespace, - . / ( )) dropped, lower case.
fn normalise(value: &str) -> String {
    value
        .bytes()
        .filter(|&b| !(is_py_space(b) || matches!(b, b'-' | b'.' | b'/' | b'(' | b')')))
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

pub fn keyed_hash(detector: &str, value: &str, key: &[u8]) -> Option<String> {
    if !value.is_ascii() {
        return None;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(detector.as_bytes());
    mac.update(b"\0");
    mac.update(normalise(value).as_bytes());
    let digest = mac.finalize().into_bytes();
    Some(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}
