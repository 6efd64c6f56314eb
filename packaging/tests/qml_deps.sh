#!/usr/bin/env bash
# packaging.qml_deps: every module imported by app/qml/*.qml has a line in
# packaging/qml-runtime-deps.txt (whose packages become the .deb's Depends), and every package
# named there exists in the apt cache when apt-cache is available.
#   qml_deps.sh SOURCE_DIR
set -euo pipefail
src=$1
map=$src/packaging/qml-runtime-deps.txt
fail=0
imports=$(grep -h -E '^[[:space:]]*import[[:space:]]+[A-Za-z]' "$src"/app/qml/*.qml |
    awk '{print $2}' | sort -u)
[[ -n "$imports" ]] || { echo "FAIL: no imports found in $src/app/qml/*.qml"; exit 1; }
for module in $imports; do
    if ! grep -q -E "^${module//./\\.}[[:space:]]" "$map"; then
        where=$(grep -l -E "^[[:space:]]*import[[:space:]]+${module//./\\.}([[:space:]]|$)" "$src"/app/qml/*.qml | head -n 1)
        echo "FAIL: $where imports $module, which has no line in $map (add the Debian package that provides it)"
        fail=1
    else
        echo "ok: $module -> $(grep -E "^${module//./\\.}[[:space:]]" "$map" | awk '{$1=""; print}')"
    fi
done
if command -v apt-cache >/dev/null; then
    for p in $(grep -v '^#' "$map" | awk '{for (i = 2; i <= NF; i++) if ($i != "-") print $i}' | sort -u); do
        if [[ -z "$(apt-cache show --no-all-versions "$p" 2>/dev/null | head -n 1)" ]]; then
            echo "FAIL: $map names '$p', which apt-cache does not know"
            fail=1
        fi
    done
fi
exit $fail
