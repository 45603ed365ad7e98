"""The embedded broker never hands a worker a message that is still being written."""

from __future__ import annotations

import os
from queue import Empty

import pytest
from kombu import Connection

from backend.broker import Transport


@pytest.fixture
def channel(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with Connection("filesystem://", transport=Transport, transport_options=options) as conn:
        yield conn.default_channel


def test_a_message_being_written_is_not_read_and_a_written_one_is(channel, tmp_path):
    partial = tmp_path / "1_abc.celery.writing"
    partial.write_bytes(b'{"body": ')  # what a reader would have choked on
    with pytest.raises(Empty):
        channel._get("celery")
    assert partial.exists()

    channel._put("celery", {"body": "hello"})
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".msg", ".writing"]
    assert channel._get("celery") == {"body": "hello"}
    assert os.listdir(tmp_path) == [partial.name]


def test_the_product_sends_through_it():
    from backend.celery_app import app

    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
