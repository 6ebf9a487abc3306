//! pdscan_core: the per-candidate detection work of pdscan, compiled.
//!
//! pdscan (src/pdscan/detect/compiled.py) builds one Core per detection engine from the
//! detectors' TOML patterns and the tables its Python validators use, so the TOML files and
//! the installed stdnum/phonenumbers data stay the one source of truth. Everything here has
//! a Python twin that is the reference; the tests run both on the same inputs.

mod candidates;
mod phone;
mod privacy;
mod validators;
mod words;

use std::collections::{HashMap, HashSet};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use regex::Regex;

use candidates::{windows, Found, Pattern};
use phone::{Desc, Plan, Region};
use validators::Tables;
use words::ContextWords;

type Spans = Vec<(usize, usize)>;

/// The Hyperscan match handler: `db.scan(data, match_event_handler=hits)` fills it without a
/// Python call per match: each pattern id's match ends, ids in order of first match (the order
/// engine.py's dict keeps).
#[pyclass(module = "pdscan_core")]
struct Hits {
    order: Vec<u32>,
    ends: HashMap<u32, Vec<usize>>,
}

#[pymethods]
impl Hits {
    #[new]
    fn new() -> Self {
        Hits { order: Vec::new(), ends: HashMap::new() }
    }

    #[pyo3(signature = (id, _start, end, _flags=0, _context=None))]
    fn __call__(&mut self, id: u32, _start: u64, end: u64, _flags: u32, _context: Option<PyObject>) -> bool {
        self.ends.entry(id).or_insert_with(|| {
            self.order.push(id);
            Vec::new()
        }).push(end as usize);
        false // go on scanning
    }
}

#[pyclass(module = "pdscan_core")]
struct Core {
    /// None where a pattern uses what only Python's re reads right.
    patterns: Vec<Option<Pattern>>,
    widths: Vec<usize>,
    tables: Tables,
    words: ContextWords,
}

fn regex_of(pattern: &str) -> PyResult<Regex> {
    Regex::new(pattern).map_err(|e| PyValueError::new_err(format!("{pattern}: {e}")))
}

fn found_tuple<'py>(py: Python<'py>, index: usize, f: &Found) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, [index as i64, f.0 as i64, f.1 as i64, f.2, f.3])
}

#[pymethods]
impl Core {
    /// `patterns`: (regex, ignore_case, group, width) per pattern, in the engine's order.
    /// `tables`: what validators.py reads (see compiled.py's tables).
    /// `words`: (id, [word...]) context-word lists, found as whole words in any case.
    #[new]
    fn new(patterns: Vec<(String, bool, usize, usize)>, tables: &Bound<'_, PyDict>, words: Vec<(u32, Vec<Vec<u8>>)>)
        -> PyResult<Self> {
        let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
            tables.get_item(key)?.ok_or_else(|| PyValueError::new_err(format!("table {key} missing")))
        };
        let mut iban = HashMap::new();
        for (country, structure) in get("iban")?.extract::<HashMap<String, String>>()? {
            iban.insert(country, regex_of(&structure)?);
        }
        let mut regions = Vec::new();
        type RawRegion = (Option<String>, (String, Vec<i64>), Vec<(String, Vec<i64>)>);
        for (leading, general, types) in get("phone_regions")?.extract::<Vec<RawRegion>>()? {
            let desc = |(p, l): (String, Vec<i64>)| Desc::new(&p, l).map_err(|e| PyValueError::new_err(e.to_string()));
            regions.push(Region {
                leading: leading.map(|l| regex_of(&format!(r"\A(?:{l})"))).transpose()?,
                general: desc(general)?,
                types: types.into_iter().map(desc).collect::<PyResult<_>>()?,
            });
        }
        let tables = Tables::new(
            get("tlds")?.extract()?,
            get("email_reserved")?.extract()?,
            get("postcode_areas")?.extract()?,
            get("upn_la")?.extract()?,
            iban,
            get("iban_defer")?.extract::<HashSet<String>>()?,
            get("card_ranges")?.extract()?,
            Plan { regions, drama: get("phone_drama")?.extract()? },
        );
        let widths = patterns.iter().map(|p| p.3).collect();
        let patterns = patterns.into_iter().map(|(p, ic, g, _)| Pattern::translate(&p, ic, g)).collect();
        let words = ContextWords::new(words).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Core { patterns, widths, tables, words })
    }

    /// Which patterns run here (the others stay with Python's re).
    fn compiled(&self) -> Vec<bool> {
        self.patterns.iter().map(Option::is_some).collect()
    }

    /// A validator's verdict: 0 False, 1 True, 2 no verdict (None), 3 not decided here.
    fn check(&self, name: &str, value: &str) -> u8 {
        match self.tables.check(name, value) {
            Some(Some(false)) => 0,
            Some(Some(true)) => 1,
            Some(None) => 2,
            None => 3,
        }
    }

    /// privacy.mask, or None when the Python one must decide (non-ASCII text).
    #[staticmethod]
    fn mask(value: &str, style: &str) -> Option<String> {
        privacy::mask(value, style)
    }

    /// privacy.keyed_hash, or None when the Python one must decide (non-ASCII text).
    #[staticmethod]
    fn keyed_hash(detector: &str, value: &str, key: &[u8]) -> Option<String> {
        privacy::keyed_hash(detector, value, key)
    }

    /// Context-word id -> sorted [(end, start)]: what the Hyperscan pass reported for the
    /// words (whole words, any case, at each end the leftmost start), at memory speed.
    fn context_words<'py>(&self, py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (id, found) in self.words.find(data) {
            out.set_item(id, PyList::new(py, found)?)?;
        }
        Ok(out)
    }

    /// Exact matches of the prefilter's patterns around their reported ends: for each pattern
    /// id in order of first match, (id, [(index, start, end, group start, group end)...]) when
    /// the pattern runs here, else (id, [(lo, hi)...]) windows for Python's re.
    fn candidates<'py>(&mut self, py: Python<'py>, data: &Bound<'py, PyBytes>, hits: &Bound<'py, Hits>)
        -> PyResult<Vec<(u32, bool, Bound<'py, PyList>)>> {
        let data = data.as_bytes();
        let mut hits = hits.borrow_mut();
        let order = hits.order.clone();
        let mut out = Vec::with_capacity(order.len());
        let mut found = Vec::new();
        for id in order {
            let ends = hits.ends.get_mut(&id).expect("recorded with its id");
            ends.sort_unstable();
            let pattern = self.patterns.get_mut(id as usize)
                .ok_or_else(|| PyValueError::new_err(format!("pattern id {id} out of range")))?;
            let spans = windows(ends, self.widths[id as usize], data.len());
            match pattern {
                Some(p) => {
                    found.clear();
                    p.in_spans(data, &spans, &mut found);
                    let items = found.iter().map(|f| found_tuple(py, id as usize, f)).collect::<PyResult<Vec<_>>>()?;
                    out.push((id, true, PyList::new(py, items)?));
                }
                None => out.push((id, false, PyList::new(py, spans)?)),
            }
        }
        Ok(out)
    }

    /// Exact matches of one pattern within spans (the whole chunk: [(0, len)]).
    fn in_spans<'py>(&mut self, py: Python<'py>, index: usize, data: &Bound<'py, PyBytes>, spans: Spans)
        -> PyResult<Bound<'py, PyList>> {
        let Some(Some(pattern)) = self.patterns.get_mut(index) else {
            return Err(PyValueError::new_err(format!("pattern {index} does not run here")));
        };
        let mut found = Vec::new();
        pattern.in_spans(data.as_bytes(), &spans, &mut found);
        PyList::new(py, found.iter().map(|f| found_tuple(py, index, f)).collect::<PyResult<Vec<_>>>()?)
    }
}

#[pymodule]
fn pdscan_core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Core>()?;
    m.add_class::<Hits>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
