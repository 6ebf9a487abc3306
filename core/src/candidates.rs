//! Candidate confirmation: a detector's exact regex run in the windows around the ends
//! the prefilter pass reported, as engine.py's _windows and _in_windows do with Python's re.
//!
//! Python's bytes patterns translate to the regex crate with ASCII classes and \b (?-u) and
//! leftmost-first matching, which picks the same match Python's backtracking does for any
//! pattern without look-around or back-references. Two look-arounds are taken over: a leading
//! single-byte negative look-behind ("(?<![\d+])"), checked by hand at each start, and a
//! trailing negative look-ahead of one or two single-byte atoms ("(?![.@-]\w)"), rewritten as
//! a group that consumes what may follow instead (a byte outside the atom, or the end), whose
//! start is the match's end. Backtracking tries the same paths in the same order either way.
//! A pattern using anything else is refused here (translate returns None) and stays with
//! Python's re.

use regex::bytes::{CaptureLocations, Regex};

pub const MARGIN: usize = 8;

pub struct Pattern {
    regex: Regex,
    /// The group of the consumed stand-in for a trailing look-ahead: the match ends where it starts.
    tail: Option<usize>,
    /// The byte before a match must not match this (a leading negative look-behind).
    not_after: Option<Regex>,
    group: usize,
    locations: CaptureLocations,
}

/// One exact match: (start, end) of the whole match and of the pattern's group (-1 when
/// the group did not take part, as re.Match.span does).
pub type Found = (usize, usize, i64, i64);

/// Constructs Python's re and the regex crate read differently, or that the crate lacks.
const REFUSED: &[&str] = &[
    "(?=", "(?!", "(?<", "(?P=", "(?#", "(?(", "(?>", "(?x", "(?m", "(?s", "(?a", "(?L", "(?u", "\\Z", "\\A",
    "\\z", "\\0", "\\g", "\\N", "\\u", "\\U", "*+", "++", "?+", "}+", "$", "&&", "--", "~~",
];

/// The leading "(?<!X)" of a pattern, X one class or one (escaped) character, and the rest.
fn split_lookbehind(pattern: &str) -> (Option<&str>, &str) {
    let Some(rest) = pattern.strip_prefix("(?<!") else { return (None, pattern) };
    let bytes = rest.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => return (None, pattern),
            b')' if !in_class => return (Some(&rest[..i]), &rest[i + 1..]),
            _ => {}
        }
        i += 1;
    }
    (None, pattern)
}

/// The pattern without a trailing "(?!A)" or "(?!AB)" (A, B single-byte atoms), and that
/// look-ahead as a consuming group: "(?P<tail>[^A]|\z|A(?:[^B]|\z))".
fn split_lookahead(pattern: &str) -> Option<(&str, Option<String>)> {
    let Some(open) = pattern.rfind("(?!") else { return Some((pattern, None)) };
    let body = pattern[open + 3..].strip_suffix(')')?;
    let atoms = atoms(body)?;
    let tail = match atoms.as_slice() {
        [a] => format!("(?P<pdscan_tail>{}|\\z)", complement(a)?),
        [a, b] => format!("(?P<pdscan_tail>{}|\\z|{a}(?:{}|\\z))", complement(a)?, complement(b)?),
        _ => return None,
    };
    Some((&pattern[..open], Some(tail)))
}

/// A look-ahead body as single-byte atoms: classes, escapes like \w, plain characters.
fn atoms(body: &str) -> Option<Vec<&str>> {
    let b = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let end = match b[i] {
            b'[' => {
                let mut j = i + 1;
                if b.get(j) == Some(&b'^') { j += 1; }
                if b.get(j) == Some(&b']') { j += 1; }
                while j < b.len() && b[j] != b']' {
                    if b[j] == b'\\' { j += 1; }
                    if b[j] == b'[' { return None; }
                    j += 1;
                }
                j + 1
            }
            b'\\' => i + 2,
            c if b"()|*+?{}.^$".contains(&c) => return None,
            _ => i + 1,
        };
        if end > b.len() {
            return None;
        }
        out.push(&body[i..end]);
        i = end;
    }
    Some(out)
}

/// The bytes an atom does not match, as a class.
fn complement(atom: &str) -> Option<String> {
    if let Some(inner) = atom.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        return Some(match inner.strip_prefix('^') {
            Some(rest) => format!("[{rest}]"),
            None => format!("[^{inner}]"),
        });
    }
    if let Some(escaped) = atom.strip_prefix('\\') {
        return match escaped {
            "w" => Some("\\W".into()),
            "d" => Some("\\D".into()),
            "s" => Some("\\S".into()),
            e if e.len() == 1 && !e.as_bytes()[0].is_ascii_alphanumeric() => Some(format!("[^\\{e}]")),
            _ => None,
        };
    }
    (atom.len() == 1).then(|| format!("[^{}]", regex::escape(atom)))
}

/// True when the body is a single class or a single (escaped) character.
fn one_byte(body: &str) -> bool {
    let b = body.as_bytes();
    (b.len() == 1 && !b"\\[().*+?{|^$".contains(&b[0]))
        || (b.len() == 2 && b[0] == b'\\' && b"dwsDWS#.-+\\/@".contains(&b[1]))
        || (b.len() >= 2 && b[0] == b'[' && b[b.len() - 1] == b']' && !body[1..body.len() - 1].contains('['))
}

/// Python's `[` inside a class is a literal; the regex crate would read a nested class.
fn nested_class(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let (mut i, mut in_class) = (0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' if in_class => return true,
            b'[' => {
                in_class = true;
                // A ']' first in the class (or after '^') is a literal in both.
                if bytes.get(i + 1) == Some(&b'^') { i += 1; }
                if bytes.get(i + 1) == Some(&b']') { i += 1; }
            }
            b']' if in_class => in_class = false,
            _ => {}
        }
        i += 1;
    }
    false
}

/// A caret outside a class start ("[^") is an anchor: refused.
fn has_anchor_caret(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    (0..bytes.len()).any(|i| bytes[i] == b'^' && (i == 0 || (bytes[i - 1] != b'[' && bytes[i - 1] != b'\\')))
}

impl Pattern {
    pub fn translate(pattern: &str, ignore_case: bool, group: usize) -> Option<Pattern> {
        if !pattern.is_ascii() {
            return None;
        }
        let (behind, rest) = split_lookbehind(pattern);
        let (rest, ahead) = split_lookahead(rest)?;
        if behind.is_some_and(|b| !one_byte(b)) || REFUSED.iter().any(|r| rest.contains(r))
            || nested_class(rest) || has_anchor_caret(rest) || rest.contains("pdscan_tail")
        {
            return None;
        }
        let flags = if ignore_case { "(?-u)(?i)" } else { "(?-u)" };
        let regex = Regex::new(&format!("{flags}(?:{rest}){}", ahead.as_deref().unwrap_or(""))).ok()?;
        let tail = ahead.map(|_| regex.captures_len() - 1);
        let not_after = match behind {
            Some(b) => Some(Regex::new(&format!(r"{flags}\A(?:{b})\z")).ok()?),
            None => None,
        };
        if group >= regex.captures_len() - usize::from(tail.is_some()) {
            return None;
        }
        let locations = regex.capture_locations();
        Some(Pattern { regex, tail, not_after, group, locations })
    }

    /// The first match starting at or after `pos` in `hay` (data cut at the window's end,
    /// as re's endpos does), the look-behind seeing the bytes before `pos`.
    fn find_at(&mut self, hay: &[u8], mut pos: usize) -> Option<Found> {
        loop {
            let m = self.regex.find_at(hay, pos)?;
            let (s, e) = (m.start(), m.end());
            if let Some(not_after) = &self.not_after {
                if s > 0 && not_after.is_match(&hay[s - 1..s]) {
                    pos = s + 1;
                    if pos > hay.len() {
                        return None;
                    }
                    continue;
                }
            }
            if self.group == 0 && self.tail.is_none() {
                return Some((s, e, s as i64, e as i64));
            }
            // Same start, same leftmost-first match: now with the groups.
            self.regex.captures_read_at(&mut self.locations, hay, s)?;
            let e = match self.tail {
                Some(tail) => self.locations.get(tail).expect("the tail always takes part").0,
                None => e,
            };
            if self.group == 0 {
                return Some((s, e, s as i64, e as i64));
            }
            let (gs, ge) = self.locations.get(self.group).map_or((-1, -1), |(a, b)| (a as i64, b as i64));
            return Some((s, e, gs, ge));
        }
    }

    /// _in_windows: matches within each (lo, hi) span, each match once, in order.
    pub fn in_spans(&mut self, data: &[u8], spans: &[(usize, usize)], out: &mut Vec<Found>) {
        let mut seen_until: Option<usize> = None;
        for &(lo, hi) in spans {
            let hay = &data[..hi.min(data.len())];
            let mut pos = lo;
            while pos <= hay.len() {
                let Some(found) = self.find_at(hay, pos) else { break };
                if seen_until.is_none_or(|u| found.0 >= u) {
                    out.push(found);
                    seen_until = Some(found.1);
                }
                pos = found.1;
            }
        }
    }
}

/// _windows: the look-back windows of sorted ends, merged where they touch.
pub fn windows(ends: &[usize], width: usize, size: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &end in ends {
        let (a, b) = (end.saturating_sub(width + MARGIN), (end + MARGIN).min(size));
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}
