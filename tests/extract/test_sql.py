"""Database dumps: a value takes its column's name as its header, as in a spreadsheet."""
from __future__ import annotations

import pytest

from pdscan.sniff import sniff
from tests.extract.drive import file_item
from tests.layouts import DOBS, NAMES, NINOS, PASSPORTS, ULNS, counts

ISO = ["2007-03-14", "2006-11-02", "2005-06-30"]
# A name with a comma and an escaped quote, a note with brackets: the tuples still split right.
PEOPLE = [(1, "O\\'Brien, Liam", ULNS[0], ISO[0], NINOS[0], PASSPORTS[0]),
          (2, f"{NAMES[1][1]} {NAMES[1][0]}", ULNS[1], ISO[1], NINOS[1], PASSPORTS[1]),
          (3, f"{NAMES[2][1]} {NAMES[2][0]} (Beth)", ULNS[2], ISO[2], NINOS[2], PASSPORTS[2])]
COLUMNS = ("id", "full_name", "uln", "dob", "ni_number", "passport_no")


def _tuples(rows, quote_numbers=True) -> str:
    def q(v):
        return str(v) if isinstance(v, int) or not quote_numbers and v.isdigit() else f"'{v}'"
    return ",".join("(" + ",".join(q(v) for v in r) + ")" for r in rows)


MYSQL_CREATE = """-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: mis
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `learners`;
CREATE TABLE `learners` (
  `id` int NOT NULL AUTO_INCREMENT,
  `full_name` varchar(128) DEFAULT NULL,
  `uln` bigint DEFAULT NULL,
  `dob` date DEFAULT NULL,
  `ni_number` varchar(13) DEFAULT NULL,
  `passport_no` varchar(9) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_uln` (`uln`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `learners` WRITE;
INSERT INTO `learners` VALUES """ + _tuples(PEOPLE, quote_numbers=False) + """;
UNLOCK TABLES;
"""

MYSQL_COLUMNS = "INSERT INTO learners (" + ", ".join(COLUMNS) + ") VALUES\n" + \
    ",\n".join(_tuples([r]) for r in PEOPLE) + ";\n"

POSTGRES = """--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
COPY public.learners (id, full_name, uln, dob, ni_number, passport_no) FROM stdin;
""" + "".join("\t".join(str(v).replace("\\'", "'") for v in r) + "\n" for r in PEOPLE) + "\\.\n"

SQLITE = """PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE learners (id INTEGER PRIMARY KEY, full_name TEXT, uln TEXT, dob TEXT, ni_number TEXT, passport_no TEXT);
""" + "".join(f"INSERT INTO learners VALUES{_tuples([r])};\n" for r in PEOPLE).replace("\\'", "''") + "COMMIT;\n"


@pytest.mark.parametrize("name,text", [("mysql-create.sql", MYSQL_CREATE), ("mysql-columns.sql", MYSQL_COLUMNS),
                                       ("postgres.sql", POSTGRES), ("sqlite.sql", SQLITE)])
def test_values_take_their_column_name(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert sniff(file_item(path)) == "application/sql"
    got = counts(path)
    for detector in ("uk.uln", "date_of_birth", "uk.nino", "uk.passport"):
        assert got.get(detector) == 3, (detector, got)
    assert got.get("person_name", 0) >= 3, got


def test_a_dump_without_personal_columns_finds_nothing(tmp_path):
    path = tmp_path / "stock.sql"
    path.write_text("CREATE TABLE stock (sku TEXT, barcode TEXT, received TEXT, price REAL);\n"
                    "INSERT INTO stock VALUES ('A-1','1830166130','2007-03-14',3.5),"
                    "('B-2','5012345678','2006-11-02',12.0);\n", encoding="utf-8")
    assert counts(path) == {}


def test_value_rows_split_quoted_commas_brackets_and_escapes():
    from pdscan.extract.sql import value_rows

    rows = list(value_rows("(1,'O\\'Brien, Liam','a (b)',NULL,NOW()),(2,'x''y','',3.5,-4);"))
    assert rows == [["1", "O'Brien, Liam", "a (b)", "", "NOW"], ["2", "x'y", "", "3.5", "-4"]]


def test_a_string_that_ends_a_line_with_a_semicolon_does_not_end_the_statement(tmp_path):
    path = tmp_path / "notes.sql"
    path.write_text("INSERT INTO notes (uln, note, dob) VALUES\n"
                    f"('{ULNS[0]}', 'Called home;\nno answer', '{ISO[0]}'),\n"
                    f"('{ULNS[1]}', 'It''s fine', '{ISO[1]}');\n"
                    f"INSERT INTO notes (uln, note, dob) VALUES ('{ULNS[2]}', 'x', '{ISO[2]}');\n", encoding="utf-8")
    got = counts(path)
    assert got.get("uk.uln") == 3 and got.get("date_of_birth") == 3, got


CANTEEN = """CREATE TABLE dishes (id INTEGER PRIMARY KEY, name TEXT, price REAL, contains TEXT);
INSERT INTO dishes VALUES(1,'Shepherd''s pie',3.80,'Celery');
INSERT INTO dishes VALUES(2,'Apple crumble',2.10,'Gluten');
CREATE TABLE learners (id INTEGER PRIMARY KEY, full_name TEXT, uln TEXT, dob TEXT);
""" + "".join(f"INSERT INTO learners VALUES({n},'{f} {s}','{u}','{d}');\n"
              for n, ((s, f), u, d) in enumerate(zip(NAMES, ULNS, ISO), 1))


def test_a_dump_that_libmagic_calls_csv_is_read_as_a_dump(tmp_path):
    """A sqlite3 .dump that opens with CREATE TABLE, without PRAGMA or BEGIN, has commas on
    every line: its statements, not its commas, say what it is, and each table's values
    take that table's column names (not the first statement's words as a CSV header)."""
    path = tmp_path / "canteen.sql"
    path.write_text(CANTEEN, encoding="utf-8")
    assert sniff(file_item(path)) == "application/sql"
    got = counts(path)
    assert got.get("uk.uln") == 3 and got.get("date_of_birth") == 3 and got.get("person_name") == 3, got


def test_a_bare_name_column_is_the_name_of_what_its_table_holds(tmp_path):
    """menu_items.name is a dish's name ("Eton Mess" is no one); users.name and students.name
    are people's."""
    people = [f"{f} {s}" for s, f in NAMES]
    path = tmp_path / "app.sql"
    path.write_text(
        "CREATE TABLE menu_items (id INTEGER PRIMARY KEY, name TEXT, price REAL);\n"
        + "".join(f"INSERT INTO menu_items VALUES({n},'{d}',2.5);\n"
                  for n, d in enumerate(["Victoria Sponge", "Eton Mess", "Peach Melba", "Charlotte Russe"], 1))
        + "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);\n"
        + "".join(f"INSERT INTO users VALUES({n},'{p}','u{n}@example.org');\n" for n, p in enumerate(people[:2], 1))
        + "CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT);\n"
        + f"INSERT INTO students VALUES(1,'{people[2]}');\n", encoding="utf-8")
    assert counts(path).get("person_name") == 3
