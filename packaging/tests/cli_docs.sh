#!/usr/bin/env bash
# packaging.cli_docs: the man page and bash completion generated from `twindesk --help` cover
# every command and console option of the CLI's source tables (app/src/cli.cpp), render without
# groff warnings, and complete what they should.
#   cli_docs.sh TWINDESK_EXE SOURCE_DIR WORK_DIR
set -uo pipefail
exe=$1 src=$2 work=$3
rm -rf "$work"; mkdir -p "$work"
fail=0
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
"$src/packaging/gen-cli-docs.sh" "$exe" "$work" || { echo "FAIL: gen-cli-docs.sh failed"; exit 1; }
man=$work/twindesk.1 bash_completion=$work/twindesk.bash

# The tables in the source, read independently of --help.
commands=$(grep -E '^        \{"[a-z-]+",$' "$src/app/src/cli.cpp" | tr -d ' {",')
console=$(grep -oE '^        \{"[a-z-]+", "[A-Z=]*"' "$src/app/src/cli.cpp" | sed -E 's/^ +\{"([a-z-]+)".*/\1/')
[[ $(echo "$commands" | wc -l) -ge 10 ]] || { echo "FAIL: found only '$commands' in cli.cpp's command table"; exit 1; }
[[ $(echo "$console" | wc -l) -ge 5 ]] || { echo "FAIL: found only '$console' in cli.cpp's console options"; exit 1; }

# Man page: renders cleanly and has a section per command, an entry per console option.
warnings=$(groff -k -man -Tutf8 -ww -z "$man" 2>&1)
check "man page renders without groff warnings${warnings:+: $warnings}" test -z "$warnings"
rendered=$(MANWIDTH=100 man -l "$man" 2>/dev/null)
check "man -l renders the page" test -n "$rendered"
for c in $commands; do
    check "man page has a section for '$c'" grep -qx ".SS $c" "$man"
done
for o in $console --version --help; do
    o=--${o#--}
    check "man page lists console/other option $o" grep -q -- "^ *${o}\b" <<<"$rendered"
done
check "man page shows the version" grep -q "TwinDesk $("$exe" --version | awk '{print $2}')" <<<"$rendered"

# Bash completion: valid bash; completes commands, options, *.twin files and option values.
check "completion is valid bash" bash -n "$bash_completion"
complete_line() { # complete_line WORD... (the last word is the one being completed)
    bash -c 'source "$1"; shift; COMP_WORDS=(twindesk "$@"); COMP_CWORD=$#; _twindesk; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$bash_completion" "$@"
}
mkdir -p "$work/files/sub"; touch "$work/files/a.twin" "$work/files/b.txt" "$work/files/s.json"
cd "$work/files"
for c in $commands; do
    check "completion offers command '$c' for '${c:0:2}'" grep -qx -- "$c" <<<"$(complete_line "${c:0:2}")"
done
for o in $console; do
    check "completion offers console option --$o" grep -qx -- "--$o" <<<"$(complete_line --)"
done
out=$(complete_line info "")
check "'twindesk info <TAB>' offers a.twin" grep -qx a.twin <<<"$out"
check "'twindesk info <TAB>' offers the folder sub" grep -qx sub <<<"$out"
check "'twindesk info <TAB>' does not offer b.txt" bash -c '! grep -qx b.txt <<<"$1"' _ "$out"
out=$(complete_line simulate --)
check "'twindesk simulate --<TAB>' offers --out and --no-progress" \
    bash -c 'grep -qx -- --out <<<"$1" && grep -qx -- --no-progress <<<"$1"' _ "$out"
check "'twindesk simulate s.json --out <TAB>' offers a.twin only" \
    test "$(complete_line simulate s.json --out "" | grep -v '^sub$')" = a.twin
check "'twindesk simulate <TAB>' offers s.json" grep -qx s.json <<<"$(complete_line simulate "")"
check "'twindesk query a.twin <TAB>' offers the query kinds" \
    grep -qx fed-by <<<"$(complete_line query a.twin "")"
check "'twindesk screenshot --view <TAB>' offers the views" \
    grep -qx decisions <<<"$(complete_line screenshot --view "")"
check "'twindesk <TAB>' offers projects and commands" \
    bash -c 'grep -qx a.twin <<<"$1" && grep -qx simulate <<<"$1"' _ "$(complete_line "")"
exit $fail
