"""X12 syntax shared by the transactions: delimiters from the ISA, a streaming tokenizer,
envelope checks. Knows nothing of 835 or 837P loops."""

from edi.x12.delimiters import Delimiters, parse_isa
from edi.x12.tokenizer import X12Tokenizer, iter_segments

__all__ = ["Delimiters", "X12Tokenizer", "iter_segments", "parse_isa"]
