"""Domain errors: every problem carries where it is, how serious it is, and a Chinese message.

A location is either a text position (1-based line and column, for YAML) or a workbook cell
(``cell`` = ``Sheet!C12``, for xlsx evidence); ``where`` renders whichever applies, so reporters
never need to know which kind of file a problem came from.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Severity = Literal["error", "warning"]
SEVERITY_NAMES: dict[Severity, str] = {"error": "错误", "warning": "警告"}


class Problem(Struct, frozen=True):
    """One thing wrong with an input file, located in its source."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity = "error"
    code: str = ""
    cell: str | None = None
    located: bool = True
    """False for a problem with the file as a whole (missing, unreadable, empty): no position."""

    @property
    def where(self) -> str:
        """``file:line:column`` for text files, ``file!Sheet!C12`` for workbook cells, or just
        ``file`` when the problem is with the whole file."""
        if not self.located:
            return self.file
        if self.cell is not None:
            return f"{self.file}!{self.cell}"
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def place(self) -> str:
        """Where in the file: ``12:5``, ``Sheet!C12``, or "" for the whole file."""
        if not self.located:
            return ""
        return self.cell if self.cell is not None else f"{self.line}:{self.column}"

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.where}: {SEVERITY_NAMES[self.severity]}{code}: {self.message}"


def file_problem(file: str, message: str, *, code: str = "") -> Problem:
    """A problem with a file as a whole (it does not exist, cannot be read, is empty)."""
    return Problem(file, 1, 1, message, code=code, located=False)


MAX_LISTED = 100
"""Problems listed per file; a file with more (e.g. 100,000 duplicate keys) gets a last line
saying how many more there are, so output and time stay bounded."""


def limit_problems(problems: list[Problem], limit: int = MAX_LISTED) -> list[Problem]:
    """Keep the first ``limit`` problems and say, at the next one's place, how many are left out."""
    if len(problems) <= limit:
        return problems
    first_left_out = problems[limit]
    message = f"另有{len(problems) - limit}处错误未列出；请先改正以上各处，再重新检查"
    summary = Problem(
        first_left_out.file,
        first_left_out.line,
        first_left_out.column,
        message,
        code="more-problems",
        cell=first_left_out.cell,
    )
    return [*problems[:limit], summary]


class InputError(Exception):
    """An input file could not be used; ``problems`` lists what was found wrong with it.

    At most ``MAX_LISTED`` problems are kept, followed by one that counts the rest; ``total`` is
    the number found.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.total = len(problems)
        self.problems = limit_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_OS_REASONS = {
    "EACCES": "没有权限",
    "EPERM": "操作不被允许",
    "ENOENT": "文件或文件夹不存在",
    "ENOTDIR": "路径中有一段不是文件夹",
    "EISDIR": "这是一个文件夹",
    "EEXIST": "文件已存在",
    "ENOSPC": "磁盘空间已满",
    "EDQUOT": "超出磁盘配额",
    "EROFS": "文件系统是只读的",
    "EFBIG": "文件太大",
    "ENAMETOOLONG": "文件名太长",
    "ELOOP": "符号链接循环",
    "EMFILE": "打开的文件太多",
    "ENFILE": "打开的文件太多",
    "EIO": "读写设备出错",
    "EBUSY": "文件正被占用",
    "ETXTBSY": "文件正被占用",
    "EXDEV": "不能跨磁盘移动文件",
    "ENXIO": "设备不存在或没有接收方",
    "EPIPE": "接收输出的程序已退出",
    "EINVAL": "参数无效（文件名或路径不被支持）",
    "ENOMEM": "内存不足",
    "ESTALE": "网络文件已失效",
    "ETIMEDOUT": "网络连接超时",
    "EAGAIN": "资源暂时不可用",
}


def os_reason(exc: OSError) -> str:
    """A Chinese phrase for why an operating-system call failed ("磁盘空间已满"), never the
    English ``strerror``; an unknown error is named by its code (``系统错误码 95``)."""
    import errno

    winerror = getattr(exc, "winerror", None)
    if winerror == 32:  # ERROR_SHARING_VIOLATION: Excel or WPS has the file open
        return "文件正被其他程序（如 Excel、WPS）打开"
    reason = _OS_REASONS.get(errno.errorcode.get(exc.errno or 0, ""))
    if reason is not None:
        return reason
    code = winerror or exc.errno
    return f"系统错误码 {code}" if code else "系统错误"
