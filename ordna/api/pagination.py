"""Limit/offset pagination with bounds: a page is at most 500 rows, and offsets are capped
so no request can ask the database for numbers it cannot represent."""

from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), MAX_OFFSET)
