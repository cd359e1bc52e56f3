"""skorch callbacks shared by skgen's nets."""

from skorch.callbacks import Callback


class AdaptiveThreads(Callback):
    """Lets a :class:`skgen._threads.ThreadGovernor` follow the machine's load.

    At the start of each epoch the governor may change torch's thread count
    (at most once per its ``recheck_interval``), so a fit that began on a
    quiet machine drops to one thread when another process takes a core,
    and goes back up when the core frees.

    Parameters
    ----------
    governor : ThreadGovernor
    """

    def __init__(self, governor):
        self.governor = governor

    def on_epoch_begin(self, net, **kwargs):
        if self.governor is not None:
            self.governor.update()

    def __getstate__(self):
        # The governor belongs to one running fit; a pickled net keeps no
        # reference to it.
        state = self.__dict__.copy()
        state["governor"] = None
        return state
