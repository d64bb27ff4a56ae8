#!/bin/sh
# Keeps the module graph acyclic (STYLE.md 1): protocol/, store/ and conf/
# include only libc, their own headers and their own dependency.
cd "$(dirname "$0")/.." || exit 1
bad=0
for mod in protocol store conf; do
    if grep -nE '#include +"(server|protocol|store|conf)/' $mod/*.c $mod/*.h 2>/dev/null \
        | grep -vE "#include +\"$mod/"; then
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "check-includes: ok"
exit $bad
