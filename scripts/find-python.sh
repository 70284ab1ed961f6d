#!/bin/sh
# Prints the path of a Python >= 3.12 (Django 6 needs it), trying the usual names,
# then interpreters installed by pyenv or uv that are not on PATH.
# $PYTHON wins when it is set and recent enough.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for cand in "${PYTHON:-}" python3.12 python3.13 python3.14 python3; do
  [ -n "$cand" ] || continue
  p=$(command -v "$cand" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
         "$HOME"/.local/share/uv/python/cpython-3.1[2-9]*/bin/python3 \
         /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
  [ -x "$p" ] && ok "$p" && { echo "$p"; exit 0; }
done
echo "Territoire needs Python 3.12 or newer (Django 6). Install it, or set PYTHON=/path/to/python3.12." >&2
exit 1
