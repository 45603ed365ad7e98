"""The warehouse scenarios of test_warehouse again, with
Redshift staging through S3 and COPY (the fixtures below replace `backend` and `warehouse`).
Each also checks that no staged object is left in the bucket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.integrations.warehouse import Warehouse
from tests.backend.integrations.test_warehouse import (
    test_a_failing_row_source_rolls_everything_back,
    test_a_repeated_load_id_is_skipped_not_duplicated,
    test_a_value_that_does_not_fit_changes_nothing,
    test_an_empty_load_is_refused_and_leaves_no_trace,
    test_an_existing_table_with_another_schema_is_refused,
    test_append_creates_the_table_then_appends,
    test_control_characters_and_newlines_survive_the_round_trip,
    test_list_tables_and_preview,
    test_names_that_try_sql_injection_are_quoted,
    test_replace_swaps_all_rows,
    test_source_rows_name_their_file_and_line,
    test_upsert_on_a_composite_key,
    test_upsert_refuses_duplicate_keys_in_the_data,
    test_upsert_updates_matching_keys_and_inserts_the_rest,
    test_wide_rows_are_staged_in_several_lines,
)
from tests.support.s3_warehouse import S3Backend, s3_backend, s3_server, s3_shim
from tests.support.warehouse_fixtures import Backend

__all__ = [  # fixtures, and the scenarios run again here
    "s3_backend",
    "s3_server",
    "s3_shim",
    "test_a_failing_row_source_rolls_everything_back",
    "test_a_repeated_load_id_is_skipped_not_duplicated",
    "test_a_value_that_does_not_fit_changes_nothing",
    "test_an_empty_load_is_refused_and_leaves_no_trace",
    "test_an_existing_table_with_another_schema_is_refused",
    "test_append_creates_the_table_then_appends",
    "test_control_characters_and_newlines_survive_the_round_trip",
    "test_list_tables_and_preview",
    "test_names_that_try_sql_injection_are_quoted",
    "test_replace_swaps_all_rows",
    "test_source_rows_name_their_file_and_line",
    "test_upsert_on_a_composite_key",
    "test_upsert_refuses_duplicate_keys_in_the_data",
    "test_upsert_updates_matching_keys_and_inserts_the_rest",
    "test_wide_rows_are_staged_in_several_lines",
]


@pytest.fixture
def backend(s3_backend: S3Backend) -> Iterator[Backend]:
    yield Backend("redshift-s3", s3_backend.url, s3_backend.snapshot, s3_backend.shim)
    assert s3_backend.staged_keys() == []


@pytest.fixture
def warehouse(s3_backend: S3Backend, backend: Backend) -> Iterator[Warehouse]:
    with s3_backend.connect() as opened:
        opened.chunk_rows = 16  # type: ignore[attr-defined]  # several chunks and parts
        yield opened
