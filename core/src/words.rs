//! Context words ("nhs number", "dob", "passport"): every whole-word occurrence, in any
//! (ASCII) case, reported as engine.py's Hyperscan pass reports an alternation of them with
//! HS_FLAG_SOM_LEFTMOST: one (end, start) per end offset, the leftmost start ending there.
//! A word is whole where its edge is a letter or digit (context._bounded puts \b there).

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, BuildError, MatchKind};

pub struct ContextWords {
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern: (list id, \b before, \b after).
    owners: Vec<(u32, bool, bool)>,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl ContextWords {
    pub fn new(lists: Vec<(u32, Vec<Vec<u8>>)>) -> Result<ContextWords, BuildError> {
        let mut words = Vec::new();
        let mut owners = Vec::new();
        for (id, list) in lists {
            for word in list {
                let (Some(&first), Some(&last)) = (word.first(), word.last()) else { continue };
                owners.push((id, first.is_ascii_alphanumeric(), last.is_ascii_alphanumeric()));
                words.push(word.to_ascii_lowercase());
            }
        }
        let automaton = if words.is_empty() {
            None
        } else {
            // A full DFA: words are dense in text (thousands per MB), and overlapping search
            // visits every state anyway.
            Some(AhoCorasickBuilder::new().ascii_case_insensitive(true).match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA)).build(&words)?)
        };
        Ok(ContextWords { automaton, owners })
    }

    pub fn find(&self, data: &[u8]) -> BTreeMap<u32, Vec<(usize, usize)>> {
        let mut found: Vec<(u32, usize, usize)> = Vec::new();
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(data) {
                let (id, before, after) = self.owners[m.pattern().as_usize()];
                let (s, e) = (m.start(), m.end());
                if !((before && s > 0 && is_word(data[s - 1])) || (after && e < data.len() && is_word(data[e]))) {
                    found.push((id, e, s));
                }
            }
        }
        // Sorted by id, end, start: the first of each (id, end) has the leftmost start.
        found.sort_unstable();
        found.dedup_by_key(|&mut (id, e, _)| (id, e));
        let mut out: BTreeMap<u32, Vec<(usize, usize)>> = BTreeMap::new();
        for (id, e, s) in found {
            out.entry(id).or_default().push((e, s));
        }
        out
    }
}
