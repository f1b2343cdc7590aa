"""Reading an export into text cells: encodings in a stated order, and one-line errors for unreadable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.data.errors import LoadError
from playbook.data.reading import UTF8, UTF8_THEN_GBK, fixed_table, read_delimited, read_text, read_whitespace


def _file(tmp_path: Path, data: bytes, name: str = "shop.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cells_rows_and_an_empty_header_column_not_read(tmp_path):
    path = _file(tmp_path, b"a, b ,\n1,2,x\n\n,,\n3,4,y\n")
    table = read_delimited(path, sep=",", encoding=None)
    assert list(table.frame.columns) == ["a", "b"], "header names are stripped; an unnamed column is not read"
    assert table.frame.values.tolist() == [["1", "2"], ["3", "4"]]
    assert table.rows.tolist() == [2, 5], "file rows count blank lines and Excel's ',,' rows"
    assert table.problems == []


def test_a_row_with_the_wrong_number_of_fields_is_a_problem_not_a_shift(tmp_path):
    table = read_delimited(_file(tmp_path, b"a,b,c\n1,2\n4,5,6,7\n8,9,10\n"), sep=",", encoding=None)
    assert table.problems == [
        (2, "", "2 fields", "has 2 fields, the header has 3"),
        (3, "", "4 fields", "has 4 fields, the header has 3"),
    ]
    assert table.frame.values.tolist() == [["1", "2", ""], ["4", "5", "6"], ["8", "9", "10"]]


def test_utf8_bom_and_gbk_in_the_stated_order(tmp_path):
    text = "名称,金额\n店主,1\n"
    assert read_text(_file(tmp_path, b"\xef\xbb\xbf" + text.encode()), None, UTF8) == text
    gbk = _file(tmp_path, text.encode("gb18030"))
    assert read_text(gbk, None, UTF8_THEN_GBK) == text
    with pytest.raises(LoadError, match=r"^shop.csv: not UTF-8 \(byte 0x\w\w on line 1\); pass the file's encoding"):
        read_text(gbk, None, UTF8)
    assert read_text(gbk, "gbk", UTF8) == text


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "shop.csv: empty file: no header and no orders"),
        (b"\n\n  \n", "shop.csv: empty file: no header and no orders"),
        (b"a,b\n", "shop.csv: header only, no data rows"),
        (b"a,b\n1,2,\n3,4,\n", "shop.csv: every data row has 1+ empty field(s) more than the header's 2 (a trailing"),
        (b"a,a\n1,2\n", "shop.csv: column 'a' appears twice in the header (fields 1 and 2)"),
        (b'a,b\n1,"2\n', "shop.csv: line 2: malformed CSV"),
        ("a,b\n1,2\n".encode("utf-16"), "shop.csv: a UTF-16 file; save it as UTF-8 or pass encoding='utf-16'"),
        ("a,b\n1,2\n".encode("utf-32"), "shop.csv: a UTF-32 file"),
        ("a,b\n1,2\n".encode("utf-16-le"), "shop.csv: NUL characters on line 1: UTF-16 without a byte-order mark"),
        ("a,b\n1,Zoë\n".encode("latin-1"), "shop.csv: not UTF-8 (byte 0xeb on line 2)"),
    ],
)
def test_unreadable_files_fail_in_one_line_naming_the_fix(tmp_path, data, message):
    with pytest.raises(LoadError) as info:
        read_delimited(_file(tmp_path, data), sep=",", encoding=None)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_trailing_delimiter_on_header_and_rows_reads(tmp_path):
    table = read_delimited(_file(tmp_path, b"a,b,\n1,2,\n"), sep=",", encoding=None)
    assert table.frame.values.tolist() == [["1", "2"]] and table.problems == []


def test_other_separators(tmp_path):
    table = read_delimited(_file(tmp_path, b"a;b\n1,5;2\n"), sep=";", encoding=None)
    assert table.frame.values.tolist() == [["1,5", "2"]]


def test_whitespace_records_and_fixed_width_tables(tmp_path):
    path = _file(tmp_path, b" 00001 19970101  1   11.77\n\n00002 19970102 2\n", "cdnow.txt")
    records = read_whitespace(path, encoding=None)
    assert records == [(1, ["00001", "19970101", "1", "11.77"]), (3, ["00002", "19970102", "2"])]
    table = fixed_table(records, ["customer_id", "date", "cds", "dollars"], "cdnow.txt")
    assert table.rows.tolist() == [1, 3] and table.problems == [(3, "", "3 fields", "has 3 fields, expected 4")]
    with pytest.raises(LoadError, match="^cdnow.txt: header only, no data rows$"):
        fixed_table([], ["a"], "cdnow.txt")
