"""Keep the native libraries' log lines (TVM's "BlockBuilder destroyed with remaining blocks!", its importer's
"Error converting operator ...") out of edgec's output. They are written straight to file descriptors 1 and 2 by
C++ and by TVM's Python, around errors edgec reports itself, with a clearer message. With `edgec --debug`
(logging level DEBUG for "edgec") they are shown, after the block, on stderr."""

from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
import traceback

from .errors import EdgecError

log = logging.getLogger("edgec")


class quiet_native_logs:  # noqa: N801 - used as `with quiet_native_logs():`
    """A class, not a contextlib generator: contextlib puts the original traceback back on an exception that comes
    out of the generator unchanged, and its frames keep the importer's closures alive, and through them TVM's
    BlockBuilder, which warns from its destructor after edgec's message."""

    def __enter__(self):
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        self.saved = [os.dup(1), os.dup(2)]
        self.sink = tempfile.TemporaryFile(mode="w+b")
        os.dup2(self.sink.fileno(), 1)
        os.dup2(self.sink.fileno(), 2)
        return self

    def __exit__(self, exc_type, exc, tb):
        del tb
        if isinstance(exc, EdgecError):  # the message says all the user needs: drop what its traceback holds
            chained, seen = exc, set()
            while chained is not None and id(chained) not in seen:
                seen.add(id(chained))
                traceback.clear_frames(chained.__traceback__)
                chained.__traceback__ = None
                chained = chained.__context__ or chained.__cause__
            exc.__context__ = exc.__cause__ = None
        try:
            gc.collect()  # TVM's BlockBuilder warns from its destructor: let that happen in here
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        finally:
            os.dup2(self.saved[0], 1)
            os.dup2(self.saved[1], 2)
            for fd in self.saved:
                os.close(fd)
            if log.isEnabledFor(logging.DEBUG):
                self.sink.seek(0)
                text = self.sink.read().decode(errors="replace").strip()
                if text:
                    print(f"[native log]\n{text}", file=sys.stderr)
            self.sink.close()
        if isinstance(exc, EdgecError):
            raise exc from None
        return False
