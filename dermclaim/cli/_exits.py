"""The exit-code table: one meaning per code for every command, ending every `--help`.

Kept apart (no imports) so that `--help` stays quick (see `_lazy`)."""

from __future__ import annotations

EXIT_OK = 0  # done
EXIT_FINDINGS = 1  # done, with items held, refused or duplicate
EXIT_BAD_INPUT = 2  # input or store unusable

EXIT_EPILOG = ("\b\nExit status:\n"
               "  0  done\n"
               "  1  done, with items held, refused or duplicate (listed on stderr)\n"
               "  2  input or store unusable (unreadable file, wrong file type, no store, "
               "bad URL)")
