"""One progress bar per model on standard error, instead of Keras' per-step lines."""

from __future__ import annotations

import sys
import time

import keras

BAR_WIDTH = 30


class EpochProgressBar(keras.callbacks.Callback):
    """Show ``label [#####.....] epoch/total`` while a model trains.

    On a terminal the bar is redrawn in place after every epoch; elsewhere
    (a log file, a pipe) one line is written when training ends. The stream
    is looked up when writing, so the callback can be deep-copied (scikit-learn's
    ``clone`` does) before training.

    Parameters
    ----------
    label : str
        What is being trained.
    epochs : int
        The most epochs the training may run (early stopping may end it sooner).
    """

    def __init__(self, label: str, epochs: int):
        super().__init__()
        self.label = label
        self.epochs = epochs

    def on_train_begin(self, logs=None) -> None:
        self._start = time.perf_counter()
        self._done = 0
        self._draw()

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._done += 1
        self._draw()

    def on_train_end(self, logs=None) -> None:
        seconds = time.perf_counter() - self._start
        stream = sys.stderr
        end = f" {self._done} epochs, {seconds:.1f} s"
        if stream.isatty():
            stream.write(f"\r{self._bar()}{end}\n")
        else:
            stream.write(f"{self.label}:{end}\n")
        stream.flush()

    def _bar(self) -> str:
        filled = min(BAR_WIDTH, round(BAR_WIDTH * self._done / max(self.epochs, 1)))
        return f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}]"

    def _draw(self) -> None:
        stream = sys.stderr
        if stream.isatty():
            stream.write(f"\r{self._bar()} {self._done}/{self.epochs}")
            stream.flush()
