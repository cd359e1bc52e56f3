"""GANOverSampler's screen: a class's new rows drawn from the generated ones a classifier of the real rows
does not give to another class.

A sampler fitted on one class's rows knows nothing of the other classes, so
some of its rows fall where the real rows are of another class; a classifier
fitted on the over-sampled rows then learns that region as the rare class
(email's spam, boosting: minority F1 0.646 against 0.676 without
resampling). Like imbalanced-learn's SMOTEENN, which cleans SMOTE's rows by
their neighbours' classes, the screen sets such rows aside, but keeps the
count asked for: it generates ``CANDIDATES`` times as many rows, takes
those whose probability of their class is at least the threshold in the
order they were generated, and fills any shortfall with the most likely of
the rest.
"""

import numpy as np

# Candidate rows generated per row asked for.
CANDIDATES = 2


class ClassScreen:
    """A HistGradientBoosting classifier of the real rows (native categories), scoring generated rows.

    Parameters
    ----------
    frame : DataFrame
        The real rows.
    labels : array-like of shape (n_rows,)
        Their classes.
    random_state : int
    """

    def __init__(self, frame, labels, random_state):
        from sklearn.ensemble import HistGradientBoostingClassifier

        from ._core._threads import limited_threads
        from .metrics._frames import boosting_threads, capped_categories, column_kind, model_frame

        self._model_frame = model_frame
        self._categories = capped_categories(
            [frame], [c for c in frame.columns if column_kind(frame[c]) == "categorical"]
        )
        self._columns = list(frame.columns)
        self._threads = boosting_threads(None, len(frame))
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=random_state)
        with limited_threads(self._threads):
            self.model = model.fit(model_frame(frame, self._categories), np.asarray(labels).astype(str))

    def probability(self, rows, label):
        """Each row's probability of ``label`` (0 for a class the classifier never saw)."""
        from ._core._threads import limited_threads

        classes = list(self.model.classes_)
        if str(label) not in classes:
            return np.zeros(len(rows))
        with limited_threads(self._threads):
            proba = self.model.predict_proba(self._model_frame(rows[self._columns], self._categories))
        return proba[:, classes.index(str(label))]


def screened_rows(draw, n_rows, screen, label, threshold):
    """``n_rows`` of ``draw(n)``'s rows of class ``label``: of ``CANDIDATES * n_rows`` generated, those
    ``screen`` gives at least ``threshold`` probability of ``label``, in the order drawn, then the most
    likely of the rest."""
    candidates = draw(CANDIDATES * n_rows)
    p = screen.probability(candidates, label)
    passing = np.flatnonzero(p >= threshold)
    rest = np.flatnonzero(p < threshold)
    order = np.concatenate([passing, rest[np.argsort(-p[rest], kind="stable")]])[:n_rows]
    return candidates.iloc[np.sort(order)].reset_index(drop=True)
