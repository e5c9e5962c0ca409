"""``skae detect fit`` / ``skae detect score`` and the table reader they use."""

import csv
import json
import re

import numpy as np
import pytest

from skae.cli import main
from skae.cli._table_io import read_table


def write_csv(path, X, header=True):
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        if header:
            writer.writerow([f"f{j}" for j in range(X.shape[1])])
        writer.writerows(X.tolist())


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    normal = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 6))
    normal += 0.05 * rng.normal(size=normal.shape)
    outliers = normal[:5] + 4.0 * normal.std(axis=0)
    outliers[:, ::2] *= -1
    new = np.vstack([normal[:20], outliers])
    return normal, new


def last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_fit_then_score_flags_the_outliers(data, tmp_path, capsys):
    normal, new = data
    write_csv(tmp_path / "normal.csv", normal)
    write_csv(tmp_path / "new.csv", new)
    model = tmp_path / "detector.skae"
    args = ["detect", "fit", str(tmp_path / "normal.csv"), "--save", str(model)]
    assert main([*args, "--estimator", "pca", "--n-components", "2"]) == 0
    fitted = last_json(capsys)
    assert fitted["rule"] == "mad" and fitted["n_samples"] == 300
    # The MAD rule on the default error flags a few percent of clean data.
    assert fitted["n_flagged_in_training"] < 0.08 * 300

    out = tmp_path / "scores.csv"
    assert (
        main(
            [
                "detect",
                "score",
                str(tmp_path / "new.csv"),
                "--load",
                str(model),
                "--output",
                str(out),
                "--per-feature",
            ]
        )
        == 0
    )
    summary = last_json(capsys)
    assert summary["threshold"] == fitted["threshold"]
    table, columns = read_table(out)
    assert columns[:4] == ["row", "error", "decision", "outlier"]
    assert columns[4:10] == [f"error_f{j}" for j in range(6)]
    assert columns[10:] == [f"rarity_f{j}" for j in range(6)]
    np.testing.assert_array_equal(table[:, 0], np.arange(25))
    flagged = table[:, 3]
    assert set(np.unique(flagged)) <= {0, 1}
    assert (flagged[20:] == 1).all()
    # The robust rule lets through a few false alarms on clean data (3 to 8 %).
    assert flagged[:20].sum() <= 2
    np.testing.assert_allclose(table[:, 2], fitted["threshold"] - table[:, 1])
    np.testing.assert_array_equal(flagged, table[:, 2] < 0)
    feature_errors = table[:, 4:10].mean(axis=1)
    assert (table[:, 10:] > 0).all()
    assert feature_errors[20:].min() > feature_errors[:20].max()
    assert summary["n_flagged"] == flagged.sum()


def test_npy_input_contamination_and_the_default_autoencoder(data, tmp_path, capsys):
    normal, new = data
    np.save(tmp_path / "normal.npy", normal)
    np.save(tmp_path / "new.npy", new)
    model = tmp_path / "detector.skae"
    assert (
        main(
            [
                "detect",
                "fit",
                str(tmp_path / "normal.npy"),
                "--save",
                str(model),
                "--contamination",
                "0.1",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    fitted = last_json(capsys)
    assert fitted["rule"] == "contamination"
    assert fitted["n_flagged_in_training"] == 30
    assert (
        main(["detect", "score", str(tmp_path / "new.npy"), "--load", str(model)]) == 0
    )
    printed = capsys.readouterr().out
    assert "row 24:" in printed  # the flagged rows are listed without --output


def test_threshold_from_clean_validation_data(data, tmp_path, capsys):
    normal, _ = data
    write_csv(tmp_path / "train.csv", normal[:200])
    write_csv(tmp_path / "valid.csv", normal[200:])
    assert (
        main(
            [
                "detect",
                "fit",
                str(tmp_path / "train.csv"),
                "--save",
                str(tmp_path / "d.skae"),
                "--estimator",
                "pca",
                "--n-components",
                "2",
                "--validation",
                str(tmp_path / "valid.csv"),
                "--max-fpr",
                "0.05",
            ]
        )
        == 0
    )
    fitted = last_json(capsys)
    assert fitted["rule"] == "validation-fpr"
    main(
        [
            "detect",
            "score",
            str(tmp_path / "valid.csv"),
            "--load",
            str(tmp_path / "d.skae"),
        ]
    )
    assert last_json(capsys)["n_flagged"] == 5


@pytest.fixture(scope="module")
def fitted_model(data, tmp_path_factory):
    """A PCA detector fitted by the command line on columns f0..f5."""
    folder = tmp_path_factory.mktemp("fitted")
    write_csv(folder / "normal.csv", data[0])
    model = folder / "d.skae"
    args = ["detect", "fit", str(folder / "normal.csv"), "--save", str(model)]
    main([*args, "--estimator", "pca", "--n-components", "2"])
    return model


HEADER = "f0,f1,f2,f3,f4,f5\n"
ROW = "1,2,3,4,5,6\n"


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "holds no rows"),
        ("\n \n", "holds no rows"),
        (HEADER, "a header but no data rows"),
        (HEADER + ROW + "1,2,,4,5,6\n", "line 3, column 'f2': missing value"),
        (HEADER + ROW + "1,2,3,NA,5,6\n", "line 3, column 'f3': missing value"),
        (HEADER + "1,2,3,4,5,nan\n", "line 2, column 'f5': missing value"),
        (HEADER + ROW + "1,2,3,4,inf,6\n", "column 'f4': 'inf' is not a finite"),
        (HEADER + ROW + "1,2,3,4,5,six\n", "column 'f5': 'six' is not a number"),
        (HEADER + ROW + "1,2,3\n", "line 3: 3 values, expected 6"),
        (HEADER.replace(",", ";") + ROW.replace(",", ";"), "separated by ';'"),
        (HEADER.replace(",", "\t") + ROW.replace(",", "\t"), "separated by tabs"),
        ("f0,f1,f2,f3,f4,g\n" + ROW, "missing 'f5'; not fitted on 'g'"),
        ("f0,f1,f2,f3,f4,f5,f6\n" + ROW[:-1] + ",7\n", "not fitted on 'f6'"),
        ("f1,f0,f2,f3,f4,f5\n" + ROW, "another order, expected 'f0', 'f1'"),
        ("1,2,3,4,5\n", "has 5 columns; the detector was fitted on 6"),
    ],
)
def test_bad_files_to_score_get_one_clear_line(
    fitted_model, tmp_path, content, message
):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = tmp_path / "scores.csv"
    args = ["detect", "score", str(path), "--load", str(fitted_model)]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--output", str(out)])
    text = str(exit_info.value.code)
    assert message in text and "\n" not in text
    assert text.startswith("skae detect") and str(path) in text
    assert list(tmp_path.iterdir()) == [path]  # no output, whole or partial


def test_missing_values_in_the_first_row_of_a_file_without_header(tmp_path):
    (tmp_path / "first.csv").write_text("1,,3\n4,5,6\n")
    with pytest.raises(ValueError, match="line 1, column 2: missing value"):
        read_table(tmp_path / "first.csv")
    (tmp_path / "bom.csv").write_text("\ufeffa,b\n1,2\n", encoding="utf-8")
    assert read_table(tmp_path / "bom.csv")[1] == ["a", "b"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "holds no rows"),
        ("a,b\n1,x\n", "line 2, column 'b': 'x' is not a number"),
        ("a,b\n1,\n", "line 2, column 'b': missing value"),
        ("a;b\n1;2\n", "separated by ';'"),
        ("a,b\n1,2\n", "1 sample(s) (shape=(1, 2)) while a minimum of 2"),
    ],
)
def test_bad_files_to_fit_leave_no_detector(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    model = tmp_path / "d.skae"
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", "fit", str(path), "--save", str(model)])
    text = str(exit_info.value.code)
    assert message in text and str(path) in text and "\n" not in text
    assert list(tmp_path.iterdir()) == [path]


def test_a_failed_write_leaves_no_partial_output(data, fitted_model, tmp_path):
    write_csv(tmp_path / "new.csv", data[1])
    args = ["detect", "score", str(tmp_path / "new.csv"), "--load", str(fitted_model)]
    out = tmp_path / "missing-folder" / "scores.csv"
    with pytest.raises(SystemExit, match="cannot write .*scores.csv"):
        main([*args, "--output", str(out)])
    assert not out.parent.exists()
    # A result file already there stays whole when the new run fails.
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    with pytest.raises(SystemExit, match="missing value"):
        (tmp_path / "bad.csv").write_text(HEADER + "1,2,3,4,5,\n")
        main(
            [
                "detect",
                "score",
                str(tmp_path / "bad.csv"),
                "--load",
                str(fitted_model),
                "--output",
                str(out),
            ]
        )
    assert out.read_text() == "old\n"


def test_pca_needs_a_code_size(data, tmp_path):
    np.save(tmp_path / "normal.npy", data[0])
    with pytest.raises(SystemExit, match="needs --n-components"):
        main(
            [
                "detect",
                "fit",
                str(tmp_path / "normal.npy"),
                "--save",
                str(tmp_path / "d.skae"),
                "--estimator",
                "pca",
            ]
        )


def test_read_table_headers_and_errors(tmp_path):
    (tmp_path / "plain.csv").write_text("1,2\n3,4.5\n")
    X, columns = read_table(tmp_path / "plain.csv")
    assert columns is None
    np.testing.assert_array_equal(X, [[1, 2], [3, 4.5]])
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,x\n")
    with pytest.raises(ValueError, match=r"line 3, column 'b': 'x' is not a number"):
        read_table(tmp_path / "bad.csv")
    (tmp_path / "ragged.csv").write_text("1,2\n3\n")
    with pytest.raises(ValueError, match="line 2: 1 values, expected 2"):
        read_table(tmp_path / "ragged.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="no rows"):
        read_table(tmp_path / "empty.csv")
    np.save(tmp_path / "vector.npy", np.arange(3))
    with pytest.raises(ValueError, match="2-D numeric"):
        read_table(tmp_path / "vector.npy")
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "missing.csv")


def test_more_real_files(data, fitted_model, tmp_path):
    """npy gaps, validation files, pandas' index header, other encodings."""
    bad = data[1].copy()
    bad[3, 2] = np.nan
    np.save(tmp_path / "gap.npy", bad)
    score = ["detect", "score", str(tmp_path / "gap.npy"), "--load", str(fitted_model)]
    with pytest.raises(SystemExit, match=r"gap.npy, row 4, column 3: nan is not a"):
        main(score)
    # A bad validation file is found before the fit, and nothing is saved.
    write_csv(tmp_path / "normal.csv", data[0])
    (tmp_path / "valid.csv").write_text(HEADER + "1,2,3,4,5,x\n")
    model = str(tmp_path / "d.skae")
    fit = ["detect", "fit", str(tmp_path / "normal.csv"), "--save", model]
    with pytest.raises(SystemExit, match=r"valid.csv, line 2, column 'f5'"):
        main([*fit, "--validation", str(tmp_path / "valid.csv")])
    write_csv(tmp_path / "valid.csv", data[0][:50])
    args = [*fit, "--estimator", "pca", "--n-components", "2"]
    with pytest.raises(SystemExit, match=r"^skae detect fit: max_fpr must be"):
        main([*args, "--validation", str(tmp_path / "valid.csv"), "--max-fpr", "2"])
    assert not (tmp_path / "d.skae").exists()
    # pandas' to_csv of a frame without column names: ",0,1" over its index.
    (tmp_path / "pandas.csv").write_text(",0,1\n0,1.5,2\n1,3,4\n")
    X, columns = read_table(tmp_path / "pandas.csv")
    assert columns == ["", "0", "1"] and X.shape == (2, 3)
    # A spreadsheet's legacy code page; line numbers count blank lines.
    (tmp_path / "latin.csv").write_bytes("caf\xe9,b\n\n1,2\n3,x\n".encode("latin-1"))
    (tmp_path / "latin_ok.csv").write_bytes("caf\xe9,b\n1,2\n".encode("latin-1"))
    assert read_table(tmp_path / "latin_ok.csv")[1] == ["caf\xe9", "b"]
    with pytest.raises(ValueError, match=r"line 4, column 'b': 'x'"):
        read_table(tmp_path / "latin.csv")
    (tmp_path / "comma.csv").write_text("a;b\n1,5;2,5\n")
    with pytest.raises(ValueError, match="separated by ';'"):
        read_table(tmp_path / "comma.csv")
    (tmp_path / "huge.csv").write_text("a,b\n1,1e400\n")
    with pytest.raises(ValueError, match="'1e400' is not a finite number"):
        read_table(tmp_path / "huge.csv")


def write_with_ids(path, X, label=None):
    """``X`` as a CSV whose first column is a text identifier; optionally a
    label column last."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        extra = ["label"] if label is not None else []
        writer.writerow(["id", *[f"f{j}" for j in range(X.shape[1])], *extra])
        for i, row in enumerate(X.tolist()):
            writer.writerow([f"u{i}", *row, *([label[i]] if extra else [])])


def test_excluded_columns_are_left_out_and_copied_into_the_scores(
    data, tmp_path, capsys
):
    normal, new = data
    write_with_ids(tmp_path / "normal.csv", normal, label=["ok"] * len(normal))
    write_with_ids(tmp_path / "new.csv", new)  # no label column to score
    write_csv(tmp_path / "plain.csv", normal)
    model = tmp_path / "detector.skae"
    fit = ["detect", "fit", str(tmp_path / "normal.csv"), "--save", str(model)]
    pca = ["--estimator", "pca", "--n-components", "2"]
    with pytest.raises(SystemExit) as exit_info:
        main([*fit, *pca])  # the identifiers are text
    assert str(exit_info.value.code).endswith(
        "'u0' is not a number; if it is not a feature, leave it out with --exclude id."
    )
    assert main([*fit, *pca, "--exclude", "id", "label"]) == 0
    # Validation files are read the same way, with or without those columns.
    for validation in ("normal.csv", "plain.csv"):
        checked = ["--validation", str(tmp_path / validation)]
        assert main([*fit, *pca, "--exclude", "id", "label", *checked]) == 0
    reference = tmp_path / "reference.skae"
    plain_fit = ["detect", "fit", str(tmp_path / "plain.csv"), "--save"]
    assert main([*plain_fit, str(reference), *pca]) == 0
    capsys.readouterr()

    # Scoring leaves out the fit's exclusions the file has (the identifier),
    # and copies them after "row"; the scores are those of the same features.
    out, plain_out = tmp_path / "scores.csv", tmp_path / "plain_scores.csv"
    score = ["detect", "score", str(tmp_path / "new.csv"), "--load", str(model)]
    assert main([*score, "--output", str(out)]) == 0
    write_csv(tmp_path / "plain_new.csv", new)
    plain_score = ["detect", "score", str(tmp_path / "plain_new.csv"), "--load"]
    assert main([*plain_score, str(reference), "--output", str(plain_out)]) == 0
    with open(out, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["row", "id", "error", "decision", "outlier"]
    assert [r[1] for r in rows[1:]] == [f"u{i}" for i in range(len(new))]
    errors = np.array([float(r[2]) for r in rows[1:]])
    np.testing.assert_allclose(errors, read_table(plain_out)[0][:, 1])
    # Printed flags name the rows by their identifiers.
    assert main(score) == 0
    flagged = [line for line in capsys.readouterr().out.splitlines() if "row" in line]
    assert flagged and all(re.match(r"row \d+ \(id=u\d+\): error", f) for f in flagged)

    # A file without the excluded columns is scored on its features alone.
    plain_with_model = ["detect", "score", str(tmp_path / "plain_new.csv")]
    assert main([*plain_with_model, "--load", str(model)]) == 0
    # Names that are not in the header, files that cannot name columns.
    for args, message in [
        ([*score, "--exclude", "nope"], r"no column 'nope' to exclude \(columns: id,"),
        ([*plain_fit, str(model), "--exclude", "id"], "no column 'id' to exclude"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert re.search(message, str(exit_info.value.code))
    write_csv(tmp_path / "bare.csv", normal, header=False)
    np.save(tmp_path / "normal.npy", normal)
    for name, message in [
        ("bare.csv", "excluding columns needs a header"),
        ("normal.npy", "a .npy array has no column names to exclude"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main(
                [
                    "detect",
                    "fit",
                    str(tmp_path / name),
                    "--save",
                    str(model),
                    "--exclude",
                    "id",
                ]
            )
        assert message in str(exit_info.value.code)
