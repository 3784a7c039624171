# Sourced by the graders' scripts: one line and exit 2 when `python3` lacks the runtime packages (typically a new
# shell without the project's environment activated), instead of a Python traceback. Looks the packages up without
# importing them, so it costs a fraction of a second.
missing="$(python3 -c 'import importlib.util as u
print(" ".join(p for m, p in (("torch", "torch"), ("numpy", "numpy"), ("PIL", "pillow")) if u.find_spec(m) is None))' \
  2>/dev/null || echo python3)"
if [ -n "$missing" ]; then
  echo "error: $(command -v python3 || echo 'python3 (not found)') lacks ${missing// /, }; set up the environment with" \
    "'make venv && source .venv/bin/activate' in $root, or 'pip install -r $root/requirements.txt'" >&2
  exit 2
fi
