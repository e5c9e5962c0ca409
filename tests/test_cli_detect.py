"""``skae detect fit`` / ``skae detect score`` and the table reader they use."""

import csv
import json

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


def test_scoring_a_file_with_other_columns_is_refused(data, tmp_path, capsys):
    normal, new = data
    write_csv(tmp_path / "normal.csv", normal)
    with open(tmp_path / "other.csv", "w") as file:
        file.write("a,b,c,d,e,f\n" + "1,2,3,4,5,6\n")
    model = str(tmp_path / "d.skae")
    main(
        [
            "detect",
            "fit",
            str(tmp_path / "normal.csv"),
            "--save",
            model,
            "--estimator",
            "pca",
            "--n-components",
            "2",
        ]
    )
    with pytest.raises(SystemExit, match="differ from those"):
        main(["detect", "score", str(tmp_path / "other.csv"), "--load", model])


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
    with pytest.raises(ValueError, match=r"line 3, column b: 'x' is not a number"):
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
