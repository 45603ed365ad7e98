"""kombu's filesystem transport, with each message written whole before it can be read.

The stock transport creates `<time>_<uuid>.<queue>.msg` and then writes into it: a worker
polling at that moment moves the still-empty file away, reads nothing, and dies on a JSON
error ("Unrecoverable error: JSONDecodeError"). Here the message is written under a name no
reader looks for and renamed into place, which is atomic on one filesystem."""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

DRAIN_S = 0.25


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}"
        final = os.path.join(self.data_folder_out, f"{name}.msg")
        partial = os.path.join(self.data_folder_out, f"{name}.writing")
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    def drain_events(self, connection, timeout=None):
        # A worker checks for a stop request between drains, which Celery asks for two
        # seconds at a time: shorter drains let Ctrl-C stop an idle worker at once.
        if timeout is not None:
            timeout = min(timeout, DRAIN_S)
        return super().drain_events(connection, timeout=timeout)
