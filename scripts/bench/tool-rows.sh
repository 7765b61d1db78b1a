# Sourced by Measure-CopyFloor.sh and Measure-Outside.sh: the hyperfine rows both time, so the two
# scripts run the tools the same way. Sets the array TOOL_ROWS for copying "$1" (a file or a tree)
# to "$2"; needs $repo (the repository root) and $pwsh_cmd.
#   cp-a, rsync                 the bare tools
#   pwsh-then-cp-a, -rsync      a fresh pwsh that imports Blit and exits, then the tool: the same
#                               start-up and the same delay between clean-up and copy as pwsh-blit
#   pwsh-blit                   a fresh pwsh running Invoke-BlitMirror
tool_rows() {
    local src=$1 dst=$2
    TOOL_ROWS=(
        -n 'cp-a' "cp -a $src $dst"
        -n 'rsync' "rsync -a --delete $src/ $dst/"
        -n 'pwsh-then-cp-a' "sh -c '$pwsh_cmd -NoProfile -c \"Import-Module $repo/Blit.psd1\" && cp -a $src $dst'"
        -n 'pwsh-then-rsync' "sh -c '$pwsh_cmd -NoProfile -c \"Import-Module $repo/Blit.psd1\" && rsync -a --delete $src/ $dst/'"
        -n 'pwsh-blit' "$pwsh_cmd -NoProfile -c 'Import-Module $repo/Blit.psd1; \$null = Invoke-BlitMirror $src $dst'"
    )
}
