"""Chinese script conversion for the matcher: OpenCC (traditional → simplified) and pypinyin."""

from __future__ import annotations

from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin


class ChineseScript:
    """``rarex.core.matching.Script`` backed by OpenCC and pypinyin."""

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC("t2s")

    @lru_cache(maxsize=65536)  # noqa: B019 - one converter per process
    def simplified(self, text: str) -> str:
        return str(self._t2s.convert(text))

    @lru_cache(maxsize=65536)  # noqa: B019 - one converter per process
    def pinyin(self, text: str) -> list[str]:
        return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.isalpha()]
