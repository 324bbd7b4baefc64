# map-symbols.awk - the version script libbalance/libbalance.map as lines
# "NODE SYMBOL", one per global symbol of each version node; comments
# (/* ... */ on one or several lines) dropped.  With -v nodes=1 a node's
# own line "NODE NODE" follows its symbols (the Debian symbols file lists
# the nodes too).  Read by packaging/update-symbols.sh and
# tests/check-symbols.sh: one parser of the map.
{ line = line $0 "\n" }
END {
    gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
    n = split(line, tok, /[ \t\n]+/)
    node = ""; global = 0
    for (i = 1; i <= n; i++) {
        t = tok[i]
        if (t == "") continue
        if (node == "" && t != "{" && t !~ /[;:}]/) { node = t; continue }
        if (t == "{") continue
        if (t == "global:") { global = 1; continue }
        if (t == "local:") { global = 0; continue }
        if (t ~ /^}/) {
            if (nodes) print node, node
            node = ""; global = 0; continue
        }
        if (global) { sub(/;$/, "", t); if (t != "") print node, t }
    }
}
