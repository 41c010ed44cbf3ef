"""Moved to ``kalan.db.answer_log`` (the answer log is not part of the answering core); kept for old imports."""

from kalan.db.answer_log import *  # noqa: F401,F403
from kalan.db.answer_log import AnswerLog, AnswerLogBusy, AnswerLogError, open_answer_log  # noqa: F401
