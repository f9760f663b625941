#!/usr/bin/env bash
# Renders the Marketplace icon media/icon/icon.png (128x128, transparent corners) from media/icon/icon.svg with
# Debian's headless Chromium. The PNG is committed; run this again after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/page.html" <<HTML
<!doctype html><html><head><style>html,body{margin:0;background:transparent}img{display:block}</style></head>
<body><img src="file://$PWD/media/icon/icon.svg" width="128" height="128"></body></html>
HTML
HOME="$work" chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=128,128 --screenshot="$work/icon.png" "file://$work/page.html" 2>/dev/null
mv "$work/icon.png" media/icon/icon.png
file media/icon/icon.png
