//! The checksum and structure validators of pdscan/detect/validators.py, for the values
//! pdscan's patterns match. Each returns Some(Some(bool)) for True/False, Some(None) for
//! "no verdict", or None when the value lies outside what this code decides (non-ASCII
//! text, odd characters): the caller then runs the Python validator, so both paths agree.

use std::collections::HashSet;

use regex::Regex;

use crate::phone::Plan;
use crate::privacy::is_py_space;

pub type Verdict = Option<Option<bool>>;

pub struct Tables {
    pub tlds: HashSet<String>,
    pub email_reserved: Vec<String>,
    pub postcode_areas: HashSet<String>,
    pub upn_la: HashSet<u32>,
    /// Country code -> BBAN structure as an anchored regex; countries with their own
    /// stdnum module (extra national checks) are absent from it and listed in iban_defer.
    pub iban: std::collections::HashMap<String, Regex>,
    pub iban_defer: HashSet<String>,
    /// (low prefix, high prefix, allowed lengths) of the card schemes, from validators.py.
    pub card_ranges: Vec<(u64, u64, Vec<usize>)>,
    pub phone: Plan,
    email_local: Regex,
    dns_label: Regex,
    driving: Regex,
    surname: Regex,
    postcode: Regex,
}

impl Tables {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        tlds: HashSet<String>, email_reserved: Vec<String>, postcode_areas: HashSet<String>, upn_la: HashSet<u32>,
        iban: std::collections::HashMap<String, Regex>, iban_defer: HashSet<String>,
        card_ranges: Vec<(u64, u64, Vec<usize>)>, phone: Plan,
    ) -> Tables {
        let re = |p: &str| Regex::new(p).expect("fixed pattern");
        Tables {
            tlds, email_reserved, postcode_areas, upn_la, iban, iban_defer, card_ranges, phone,
            email_local: re(r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\z"),
            dns_label: re(r"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\z"),
            driving: re(r"\A([A-Z][A-Z9]{4})[0-9]([0156][0-9])([0-9]{2})[0-9]([A-Z][A-Z9])[0-9][A-Z0-9]{2}\z"),
            surname: re(r"\A[A-Z]+9*\z"),
            postcode: re(r"\A([A-Z]{1,2})([0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})\z"),
        }
    }

    pub fn check(&self, name: &str, value: &str) -> Verdict {
        if !value.is_ascii() {
            return None;
        }
        let yes_no = |b: bool| Some(Some(b));
        match name {
            "nhs" => nhs(value),
            "uln" => uln(value).map(Some),
            "upn" => yes_no(self.upn(value)),
            "nino" => yes_no(nino(value)),
            "uk_passport" => yes_no(uk_passport(value)),
            "uk_driving_licence" => yes_no(self.uk_driving_licence(value)),
            "uk_bank_account" => yes_no(uk_bank_account(value)),
            "iban" => self.iban(value).map(Some),
            "payment_card" => yes_no(self.payment_card(value)),
            "uk_phone" => self.phone.check(value).map(Some),
            "uk_postcode" => yes_no(self.uk_postcode(value)),
            "email" => yes_no(self.email(value)),
            _ => None,
        }
    }

    fn upn(&self, value: &str) -> bool {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRTUVWXYZ0123456789";
        let n = compact(value).to_ascii_uppercase().into_bytes();
        if n.len() != 13 || !n[1..12].iter().all(u8::is_ascii_digit) || !ALPHABET.contains(&n[12]) {
            return false;
        }
        let la = std::str::from_utf8(&n[1..4]).unwrap().parse::<u32>().unwrap();
        if !self.upn_la.contains(&la) {
            return false;
        }
        let index = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap();
        let check: usize = n[1..].iter().enumerate().map(|(i, &c)| (i + 2) * index(c)).sum::<usize>() % 23;
        ALPHABET[check] == n[0]
    }

    fn uk_driving_licence(&self, value: &str) -> bool {
        let c = compact(value).to_ascii_uppercase();
        let Some(m) = self.driving.captures(&c) else { return false };
        if !self.surname.is_match(&m[1]) || !self.surname.is_match(&m[4]) {
            return false;
        }
        let month = m[2].parse::<u32>().unwrap() % 50;
        (1..=12).contains(&month) && (1..=days_in_month(month)).contains(&m[3].parse::<u32>().unwrap())
    }

    /// None: a country whose stdnum module adds national checks, or characters stdnum reads
    /// differently (they go to the Python validator).
    fn iban(&self, value: &str) -> Option<bool> {
        let n: String = compact(value).chars().filter(|&c| c != '.').collect::<String>().to_ascii_uppercase();
        if n.len() < 5 || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let rotated = format!("{}{}", &n[4..], &n[..4]);
        let mut remainder = 0u32;
        for b in rotated.bytes() {
            let v = if b.is_ascii_digit() { (b - b'0') as u32 } else { (b - b'A') as u32 + 10 };
            remainder = if v >= 10 { (remainder * 100 + v) % 97 } else { (remainder * 10 + v) % 97 };
        }
        if remainder != 1 {
            return Some(false);
        }
        let country = &n[..2];
        if self.iban_defer.contains(country) {
            return None;
        }
        Some(self.iban.get(country).is_some_and(|bban| bban.is_match(&n[4..])))
    }

    fn payment_card(&self, value: &str) -> bool {
        let c = compact(value);
        if !(13..=19).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let luhn: u32 = c.bytes().rev().enumerate().map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        }).sum();
        luhn % 10 == 0 && self.card_ranges.iter().any(|(low, high, lengths)| {
            let width = low.to_string().len();
            let prefix: u64 = c[..width].parse().unwrap();
            *low <= prefix && prefix <= *high && lengths.contains(&c.len())
        })
    }

    fn uk_postcode(&self, value: &str) -> bool {
        let c: String = value.bytes().filter(|&b| !is_py_space(b)).map(|b| b.to_ascii_uppercase() as char).collect();
        if c == "GIR0AA" {
            return true;
        }
        let Some(m) = self.postcode.captures(&c) else { return false };
        let (area, district) = (&m[1], &m[2]);
        if !self.postcode_areas.contains(&area.to_ascii_lowercase()) {
            return false;
        }
        let last = district.as_bytes()[district.len() - 1];
        if last.is_ascii_alphabetic() {
            let letters: &[u8] = if area.len() == 1 { b"ABCDEFGHJKPSTUW" } else { b"ABEHMNPRVWXY" };
            return letters.contains(&last);
        }
        true
    }

    fn email(&self, value: &str) -> bool {
        if value.len() > 254 || value.matches('@').count() != 1 {
            return false;
        }
        let (local, domain) = value.split_once('@').unwrap();
        let domain = domain.to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if local.len() > 64 || !self.email_local.is_match(local) || labels.len() < 2 {
            return false;
        }
        if !labels.iter().all(|l| self.dns_label.is_match(l)) {
            return false;
        }
        let reserved = self.email_reserved.iter().any(|r| domain == *r || domain.ends_with(&format!(".{r}")));
        self.tlds.contains(*labels.last().unwrap()) && !reserved
    }
}

/// validators._compact: whitespace and hyphens dropped.
fn compact(value: &str) -> String {
    value.bytes().filter(|&b| !(is_py_space(b) || b == b'-')).map(|b| b as char).collect()
}

fn digits(value: &str, length: usize) -> Option<String> {
    let c = compact(value);
    (c.len() == length && c.bytes().all(|b| b.is_ascii_digit())).then_some(c)
}

/// Days in a month of 2000 (a leap year: 29 February is accepted for any century).
fn days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn nhs(value: &str) -> Verdict {
    let Some(d) = digits(value, 10) else { return Some(Some(false)) };
    let n: Vec<u32> = d.bytes().map(|b| (b - b'0') as u32).collect();
    let sum: u32 = n.iter().rev().enumerate().map(|(i, v)| (i as u32 + 1) * v).sum();
    if sum % 11 != 0 {
        return Some(Some(false));
    }
    let prefix = n[0] * 100 + n[1] * 10 + n[2];
    if prefix == 999 {
        return Some(Some(false));
    }
    let (day, month) = (n[0] * 10 + n[1], n[2] * 10 + n[3]);
    let chi = (1..=12).contains(&month) && (1..=days_in_month(month)).contains(&day);
    if (320..=499).contains(&prefix) || (600..=799).contains(&prefix) || chi {
        return Some(Some(true));
    }
    Some(None)
}

fn uln(value: &str) -> Option<bool> {
    let Some(d) = digits(value, 10) else { return Some(false) };
    let n: Vec<u32> = d.bytes().map(|b| (b - b'0') as u32).collect();
    let remainder = n[..9].iter().zip((2..=10).rev()).map(|(v, w)| v * w).sum::<u32>() % 11;
    Some(remainder != 0 && n[9] == 10 - remainder)
}

fn nino(value: &str) -> bool {
    let c = compact(value).to_ascii_uppercase().into_bytes();
    if c.len() != 9 || !c[..2].iter().all(u8::is_ascii_uppercase) || !c[2..8].iter().all(u8::is_ascii_digit)
        || !(b'A'..=b'D').contains(&c[8])
    {
        return false;
    }
    let prefix = &c[..2];
    !b"DFIQUV".contains(&c[0]) && !b"DFIOQUV".contains(&c[1])
        && ![b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"].iter().any(|p| prefix == *p)
}

fn uk_passport(value: &str) -> bool {
    let Some(d) = digits(value, 9) else { return false };
    let one_digit = d.bytes().all(|b| b == d.as_bytes()[0]);
    !(one_digit || "01234567890".contains(d.as_str()) || "98765432109".contains(d.as_str()))
}

fn uk_bank_account(value: &str) -> bool {
    let d: String = value.chars().filter(|c| c.is_ascii_digit()).collect();
    let (sort_code, account) = match d.len() {
        14 => (d[..6].to_string(), d[6..].to_string()),
        6..=8 => (String::new(), format!("{d:0>8}")),
        _ => return false,
    };
    sort_code != "000000" && account.bytes().any(|b| b != account.as_bytes()[0])
}
