#!/bin/sh
# check-docs.sh XL_BALANCE - README.md and doc/*.md against the program:
#   - every relative link of README.md and doc/*.md names a file that
#     exists (and, with #anchor into a Markdown file, one of its headings);
#   - README's verb table has a row for every verb of `xl-balance help',
#     naming each of the verb's options, and its synopsis every global one;
#   - README's exit codes name every code of xl-plugin/xl_balance.h.
# Prints "ok: ..." / "FAIL: ..." and a closing "docs: N passed, N failed".
# (The manual page is checked the same way by tests/packaging.)
set -u

XLB=${1:?usage: check-docs.sh XL_BALANCE}
cd "$(dirname "$0")/.."
pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# ---- relative links ------------------------------------------------------
# GitHub's anchor of a heading: lower case, punctuation but - and _ gone,
# blanks as -.
anchors() {
    sed -n 's/^#\{1,6\} \{1,\}//p' "$1" | tr 'A-Z' 'a-z' |
        sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}
links=0
for f in README.md doc/*.md; do
    # [text](target): the target has no blank; text may span lines.
    for t in $(grep -o '](\([^)[:space:]]*\))' "$f" | sed 's/^](\(.*\))$/\1/'); do
        case $t in *:*) continue ;; esac      # http:, https:, mailto:, man:
        links=$((links + 1))
        path=${t%%#*}
        anchor=
        case $t in *'#'*) anchor=${t#*#} ;; esac
        if [ -n "$path" ]; then
            target=$(dirname "$f")/$path
        else
            target=$f
        fi
        if [ ! -e "$target" ]; then
            bad "$f: link ($t): no such file $target"
        elif [ -n "$anchor" ] && [ "${target%.md}" != "$target" ] &&
                ! anchors "$target" | grep -qxF -- "$anchor"; then
            bad "$f: link ($t): $target has no heading #$anchor"
        fi
    done
done
[ "$fail" -eq 0 ] && ok "README.md, doc/*.md: all $links relative links resolve"

# ---- the verb table --------------------------------------------------------
help=$("$XLB" help) || { bad "xl-balance help failed"; help=; }
verbs=$(printf '%s\n' "$help" | sed -n '/^Verbs:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$verbs" ] || bad "xl-balance help lists no verb"
# An option's names as README may write it: "-i|--interval", "--json".
opt_names() {
    sed -n 's/^  \(-[^ ].*\)$/\1/p' | sed 's/   *.*//' |
        sed -e 's/^\(-[a-zA-Z]\), /\1|/' -e 's/[ =].*//'
}
for v in $verbs; do
    # The row whose first cell names the verb: "| `plan [--json]...`",
    # "| `drain HOST`, `undrain HOST` |".
    row=$(grep -E "^\| ([^|]*, )?\`$v( |\`)" README.md | head -n 1)
    if [ -z "$row" ]; then
        bad "README.md: the verb table has no row for $v"
        continue
    fi
    missing=
    for o in $("$XLB" help "$v" | opt_names); do
        case $o in *--help) continue ;; esac
        printf '%s\n' "$row" | grep -qE -- "(^|[^a-z-])($o)([^a-z-]|\$)" ||
            missing="$missing $o"
    done
    [ -z "$missing" ] && ok "README.md: verb $v and its options" ||
        bad "README.md: the row of $v lacks:$missing"
done
synopsis=$(grep -E '^xl-balance \[' README.md | head -n 1)
missing=
for o in $(printf '%s\n' "$help" | sed -n '/^Global options:$/,/^$/p' | opt_names); do
    case $o in *--help|--version) continue ;; esac
    printf '%s\n' "$synopsis" | grep -qE -- "\[($o)[] ]" || missing="$missing $o"
done
[ -z "$missing" ] && ok "README.md: the synopsis names every global option" ||
    bad "README.md: the synopsis lacks:$missing"

# ---- exit codes --------------------------------------------------------------
codes=$(sed -n 's/^ *EXIT_[A-Z_]* *= *\([0-9][0-9]*\).*/\1/p' xl-plugin/xl_balance.h)
para=$(sed -n '/^Exit codes: /,/^$/p' README.md | tr '\n' ' ')
missing=
for c in $codes; do
    printf '%s\n' "$para" | grep -qE "(^|[ ,(])$c [a-z]" || missing="$missing $c"
done
[ -n "$codes" ] && [ -z "$missing" ] && ok "README.md: exit codes $(echo $codes)" ||
    bad "README.md: the exit codes lack:$missing"

echo "docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
