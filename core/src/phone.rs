//! UK phone numbers: the +44 numbering plan (GB, Guernsey, Isle of Man, Jersey) as
//! libphonenumber publishes it, compiled once, and the parse steps phonenumbers.parse(value,
//! "GB") takes for the shapes pdscan's phone patterns match.
//!
//! The plan is handed over by the Python side from the installed phonenumbers metadata, so
//! there is one copy of it; only the per-call cost is gone. A value outside the simple
//! shapes ('+' or digits, spaces, hyphens, brackets) is not judged here: None sends it to
//! phonenumbers itself.

use regex::Regex;

pub struct Desc {
    pattern: Regex,
    lengths: Vec<i64>,
}

impl Desc {
    pub fn new(pattern: &str, lengths: Vec<i64>) -> Result<Desc, regex::Error> {
        Ok(Desc { pattern: Regex::new(&format!(r"\A(?:{pattern})\z"))?, lengths })
    }

    /// phonenumbers._is_number_matching_desc
    fn matches(&self, nsn: &str) -> bool {
        (self.lengths.is_empty() || self.lengths.contains(&(nsn.len() as i64))) && self.pattern.is_match(nsn)
    }
}

pub struct Region {
    /// Compiled with a leading \A: phonenumbers uses re.match.
    pub leading: Option<Regex>,
    pub general: Desc,
    pub types: Vec<Desc>,
}

impl Region {
    /// phonenumbers._number_type_helper(...) != UNKNOWN
    fn valid(&self, nsn: &str) -> bool {
        self.general.matches(nsn) && self.types.iter().any(|t| t.matches(nsn))
    }
}

pub struct Plan {
    /// In phonenumbers' order for +44 (GB first: the main region, used for parsing).
    pub regions: Vec<Region>,
    /// Ofcom's drama ranges (wordlists/phone_drama_ranges.txt), as national significant numbers.
    pub drama: Vec<String>,
}

impl Plan {
    /// The national significant number phonenumbers.parse(value, "GB") keeps for +44, Some(None)
    /// when it would not be +44 or not parse, None when this code does not decide.
    fn national(&self, value: &str) -> Option<Option<String>> {
        let bytes = value.as_bytes();
        if bytes.is_empty() || bytes.len() > 64
            || !bytes.iter().all(|&b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')' | b'+'))
        {
            return None;
        }
        let plus = bytes.iter().filter(|&&b| b == b'+').count();
        if plus > 1 || (plus == 1 && bytes[0] != b'+') {
            return None;
        }
        let digits: String = value.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() < 3 || digits.len() > 20 {
            return None;
        }
        let national = if plus == 1 {
            match digits.strip_prefix("44") {
                Some(rest) => rest.to_string(),
                None if digits.starts_with('0') => return None,
                None => return Some(None), // another country code, or none: not a UK number
            }
        } else if let Some(after_idd) = digits.strip_prefix("00") {
            match after_idd.strip_prefix("44") {
                Some(rest) => rest.to_string(),
                None if after_idd.starts_with('0') => return None, // phonenumbers keeps the IDD then
                None => return Some(None),
            }
        } else if digits.starts_with("44") {
            return None; // phonenumbers may read a leading 44 as the country code
        } else {
            digits
        };
        if national.starts_with("180020") {
            return None; // GB's other national prefix: rare, left to phonenumbers
        }
        // National prefix 0 comes off when what is left has a possible length (or is too long).
        if let Some(stripped) = national.strip_prefix('0') {
            if matches!(stripped.len(), 7 | 9 | 10) || stripped.len() > 10 {
                return Some(Some(stripped.to_string()));
            }
            return Some(None); // keeps its 0: no +44 number starts with one
        }
        Some(Some(national))
    }

    /// phonenumbers.is_valid_number for +44: the first region whose leading digits match, or
    /// (for regions without leading digits) whose plan knows the number.
    fn valid(&self, nsn: &str) -> bool {
        for region in &self.regions {
            match &region.leading {
                Some(leading) => {
                    if leading.is_match(nsn) {
                        return region.valid(nsn);
                    }
                }
                None => {
                    if region.valid(nsn) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// pdscan's uk_phone validator: Some(verdict), or None to ask the Python one.
    pub fn check(&self, value: &str) -> Option<bool> {
        let nsn = match self.national(value)? {
            Some(nsn) if !nsn.starts_with('0') && (2..=17).contains(&nsn.len()) => nsn,
            _ => return Some(false),
        };
        Some(self.valid(&nsn) && !self.drama.iter().any(|p| nsn.starts_with(p.as_str())))
    }
}
