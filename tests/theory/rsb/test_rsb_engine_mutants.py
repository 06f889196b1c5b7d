"""Value tests of theory.rsb.engine's bookkeeping (issue #29, mutation testing): the padded
chunk sizes of the documented bucket rule and the chunk ranges (no JAX program)."""

from __future__ import annotations

import pytest

from theory.rsb.engine import MAX_BUCKET, bucket, chunks


@pytest.mark.parametrize("k,size", [(1, 4), (4, 4), (5, 8), (8, 8), (9, 16), (16, 16),
                                    (17, 32), (32, 32), (33, 64), (64, 64)])  # fmt: skip
def test_bucket_is_the_next_of_4_8_16_32_64(k, size):
    assert bucket(k) == size


def test_chunks_cover_the_points_in_pieces_of_at_most_max_bucket():
    parts = list(chunks(2 * MAX_BUCKET + 3))
    assert [(p.start, p.stop) for p in parts] == [
        (0, MAX_BUCKET),
        (MAX_BUCKET, 2 * MAX_BUCKET),
        (2 * MAX_BUCKET, 2 * MAX_BUCKET + 3),
    ]
