"""Keep the native libraries' log lines (TVM's "BlockBuilder destroyed with remaining blocks!", its importer's
"Error converting operator ...") out of edgec's output. They are written straight to file descriptors 1 and 2 by
C++ and by TVM's Python, around errors edgec reports itself, with a clearer message. With `edgec --debug`
(logging level DEBUG for "edgec") they are shown, after the block, on stderr."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import tempfile
import traceback

from .errors import EdgecError

log = logging.getLogger("edgec")


@contextlib.contextmanager
def quiet_native_logs():
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile(mode="w+b") as sink:
        try:
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            try:
                yield
            except EdgecError as exc:
                # Its traceback holds the importer's frames, and they the TVM objects that warn when destroyed:
                # drop them here, so that the warning lands in the sink (the message says all the user needs).
                traceback.clear_frames(exc.__traceback__)
                exc.__context__ = exc.__cause__ = None
                raise exc.with_traceback(None) from None
            finally:
                gc.collect()  # TVM's BlockBuilder warns from its destructor: let that happen in here
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            if log.isEnabledFor(logging.DEBUG):
                sink.seek(0)
                text = sink.read().decode(errors="replace").strip()
                if text:
                    print(f"[native log]\n{text}", file=sys.stderr)
