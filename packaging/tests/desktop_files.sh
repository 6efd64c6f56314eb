#!/usr/bin/env bash
# packaging.desktop_files: the .desktop entry passes desktop-file-validate, the MIME type XML is
# well formed and claims *.twin, and both agree on the MIME type and the icon name.
#   desktop_files.sh PACKAGING_DIR
set -euo pipefail
dir=$1
fail=0
for tool in desktop-file-validate xmllint rsvg-convert; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/install-deps)"; exit 1; }
done
desktop-file-validate "$dir/twindesk.desktop" || { echo "FAIL: desktop-file-validate"; fail=1; }
xmllint --noout "$dir/twindesk-mime.xml" || { echo "FAIL: $dir/twindesk-mime.xml is not well formed"; fail=1; }
mime=$(xmllint --xpath 'string(//*[local-name()="mime-type"]/@type)' "$dir/twindesk-mime.xml")
glob=$(xmllint --xpath 'string(//*[local-name()="glob"]/@pattern)' "$dir/twindesk-mime.xml")
[[ "$mime" == application/x-twindesk-project ]] || { echo "FAIL: MIME type is '$mime'"; fail=1; }
[[ "$glob" == '*.twin' ]] || { echo "FAIL: MIME glob is '$glob', expected *.twin"; fail=1; }
grep -qx "MimeType=$mime;" "$dir/twindesk.desktop" || { echo "FAIL: the .desktop entry does not declare $mime"; fail=1; }
grep -qx "Icon=twindesk" "$dir/twindesk.desktop" || { echo "FAIL: the .desktop entry's Icon is not twindesk"; fail=1; }
grep -qx "Exec=twindesk %f" "$dir/twindesk.desktop" || { echo "FAIL: Exec should open the file it is given (twindesk %f)"; fail=1; }
# The icon renders (rsvg-convert fails on a broken SVG).
rsvg-convert -w 16 -h 16 "$dir/icons/twindesk.svg" >/dev/null || { echo "FAIL: the SVG icon does not render"; fail=1; }
# update-mime-database accepts it and maps a *.twin name to the type.
if command -v update-mime-database >/dev/null; then
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/mime/packages"
    cp "$dir/twindesk-mime.xml" "$tmp/mime/packages/twindesk.xml"
    cp /usr/share/mime/packages/freedesktop.org.xml "$tmp/mime/packages/" 2>/dev/null || true
    update-mime-database "$tmp/mime" >/dev/null 2>&1 || { echo "FAIL: update-mime-database rejects the XML"; fail=1; }
    grep -q "application/x-twindesk-project:\*\.twin" "$tmp/mime/globs" ||
        { echo "FAIL: update-mime-database did not register *.twin"; fail=1; }
fi
[[ $fail -eq 0 ]] && echo "ok: desktop entry, MIME type and icon"
exit $fail
